/* digest.h - SHA-256 through GLib's GChecksum */
#ifndef FPKIT_DIGEST_H
#define FPKIT_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct _GChecksum;

#define DIGEST_HEX_SIZE 65	/* 64 hex digits and a NUL */

struct digest {
	struct _GChecksum *cs;
};

void digest_init(struct digest *d);
void digest_update(struct digest *d, const void *data, size_t len);
/* Write the lowercase hex digest to out and release d. */
void digest_final(struct digest *d, char out[DIGEST_HEX_SIZE]);
/* Release d without a result (error paths). */
void digest_release(struct digest *d);

void digest_buffer(const void *data, size_t len, char out[DIGEST_HEX_SIZE]);

/* Called with each chunk digest_file_range reads; returns 0, or -1 with
 * err set to stop. */
typedef int (*digest_sink_fn)(const void *data, size_t len, void *arg,
			      struct error *err);

/* Digest 'len' bytes of 'path' from 'offset', handing each chunk to sink
 * as well when it is not NULL.  EX_NOINPUT when the file cannot be
 * opened, EX_IOERR on read errors or when it is shorter than offset + len
 * (it changed since it was found). */
int digest_file_range(const char *path, int64_t offset, int64_t len,
		      char out[DIGEST_HEX_SIZE], digest_sink_fn sink, void *arg,
		      struct error *err);

#endif
