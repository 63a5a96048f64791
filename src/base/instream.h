/* instream.h - one file read from its start as a byte stream, plain or
 * compressed (gzip, xz, bzip2, zstd, told by its first bytes), within
 * bounds on what decompression may cost */
#ifndef FPKIT_INSTREAM_H
#define FPKIT_INSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tarball.h"

struct error;

/* What a compressed file may give.  The defaults (NULL where limits are
 * asked for) are FPKIT_LIMIT_DECOMPRESSED, FPKIT_LIMIT_DECOMPRESSION_RATIO
 * and FPKIT_LIMIT_DECOMPRESSION_RATIO_FROM; plain files have none (their
 * size is theirs). */
struct instream_limits {
	int64_t max_bytes;	/* decompressed bytes, at most */
	int64_t ratio;		/* decompressed bytes per compressed byte read,
				 * at most; 0: no such limit */
	int64_t ratio_from;	/* ... once this many were decompressed */
};

struct instream {
	const char *name;	/* the file, for messages (borrowed) */
	int fd;			/* borrowed: read with pread, never moved
				 * or closed */
	const char *compression; /* NULL (plain) or "gzip", "xz", "bzip2",
				  * "zstd" (static) */
	struct instream_limits lim;
	int64_t in;		/* bytes read from the file */
	int64_t out;		/* bytes given to the caller */
	bool over;		/* a limit ended the stream: what it gave
				 * is good, the rest was not read */
	int source_errno;	/* compressed: why the file could not be read */
	char *chunk;		/* compressed: the bytes handed to the decoder */
	struct tarball_decoder dec;
};

/* The compression the first bytes of a file announce ("gzip", "xz",
 * "bzip2", "zstd"), or NULL for none of them. */
const char *instream_compression(const void *magic, size_t len);

/* Open the stream of the file open on fd, from its first byte whatever
 * the fd's offset, with 'lim' (NULL: the defaults); 'name' names it in
 * messages.  The stream holds a pointer to itself: do not move it while
 * open.  EX_IOERR when the file cannot be read, EX_DATAERR when it
 * starts as a compressed file libarchive cannot read. */
int instream_open(struct instream *s, int fd, const char *name,
		  const struct instream_limits *lim, struct error *err);

/* Up to len bytes (maybe fewer before the end; at most 1 MiB a call
 * when compressed, so that a limit stops it early): the count, 0 at the
 * end, -1 on an error.  EX_IOERR when the file cannot be read,
 * EX_DATAERR when its compressed data is damaged or cut, or a limit is
 * passed: then s->over is set, the message names the file and the
 * limit, and what was read before is good (a caller may warn and go on
 * without the rest).  Bytes past a limit are never given. */
ssize_t instream_read(struct instream *s, void *buf, size_t len, struct error *err);

/* Fill buf with len bytes, fewer only at the end: the count, or -1 as
 * instream_read. */
ssize_t instream_fill(struct instream *s, void *buf, size_t len, struct error *err);

/* Free the stream; the fd stays open. */
void instream_close(struct instream *s);

#endif
