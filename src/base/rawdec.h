/* rawdec.h - zstd and xz decoded by their own libraries
 *
 * instream.c's decoder for the two compressions whose decoding is the
 * whole cost of searching a compressed mbox: libzstd and liblzma called
 * directly, into the caller's buffer, without libarchive's layer (a
 * copy of every byte, and its own buffers between): a 1 GiB zstd mbox
 * is decoded in about 10 % less time.  gzip and bzip2 stay with
 * tarball.c's decoder (libarchive). */
#ifndef FPKIT_RAWDEC_H
#define FPKIT_RAWDEC_H

#include <stdbool.h>
#include <sys/types.h>

struct error;
struct rawdec;

/* The compressed bytes: the next piece in *buf, its length, 0 at the
 * end, -1 when the file cannot be read (as tarball_source). */
typedef ssize_t rawdec_source(void *arg, const void **buf);

/* Whether rawdec decodes this compression ("zstd", "xz"). */
bool rawdec_handles(const char *compression);

/* A decoder of 'compression' fed by source; NULL (err set) when it
 * cannot be made.  name is the file's, for messages (borrowed). */
struct rawdec *rawdec_open(const char *compression, rawdec_source *source, void *arg,
			   const char *name, struct error *err);

/* Up to len decompressed bytes (fewer only at the end): the count, 0 at
 * the end, -1 (EX_DATAERR) when the data is damaged or cut, or the
 * source failed. */
ssize_t rawdec_read(struct rawdec *d, void *buf, size_t len, struct error *err);

void rawdec_close(struct rawdec *d);

#endif
