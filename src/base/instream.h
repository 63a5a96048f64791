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

struct rawdec;

struct error;
struct instream_ahead;

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
	int64_t in;		/* plain: the next byte to read; compressed:
				 * the bytes read from the file */
	int64_t end;		/* plain: where to stop (instream_set_range) */
	int64_t out;		/* bytes given to the caller */
	bool over;		/* a limit ended the stream: what it gave
				 * is good, the rest was not read */
	/* Compressed only: */
	char *head;		/* the first bytes, read by the caller */
	size_t head_len;
	int source_errno;	/* why the file could not be read */
	char *chunk;		/* the bytes handed to the decoder */
	char *block;		/* the bytes it gave back, checked */
	size_t block_len, block_pos;
	int64_t decoded;	/* bytes it gave back in all */
	bool eof;
	struct tarball_decoder dec;	/* gzip, bzip2 */
	struct rawdec *raw;		/* zstd, xz (rawdec.h), or NULL */
	struct instream_ahead *ahead; /* see instream_read_ahead, or NULL */
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

/* As instream_open, for a caller that read the first head_len bytes of
 * the file already (into head, copied; all of it when shorter than 8
 * bytes): they tell the compression and are not read again.  A plain
 * stream goes on after them; a compressed one is decoded from the
 * start. */
int instream_open_head(struct instream *s, int fd, const char *name, const void *head,
		       size_t head_len, const struct instream_limits *lim, struct error *err);

/* As instream_open, for a caller that knows the compression from an
 * earlier reading (NULL: plain, else instream_compression's word):
 * nothing is read to tell it. */
int instream_open_as(struct instream *s, int fd, const char *name, const char *compression,
		     const struct instream_limits *lim, struct error *err);

/* A plain stream read from byte 'from' up to byte 'to' (INT64_MAX: to
 * the file's end) instead: a part of the file.  -1 (and nothing done)
 * on a compressed one, read from its start only. */
int instream_set_range(struct instream *s, int64_t from, int64_t to);

/* Up to len bytes (maybe fewer before the end): the count, 0 at the
 * end, -1 on an error.  EX_IOERR when the file cannot be read,
 * EX_DATAERR when its compressed data is damaged or cut, or a limit is
 * passed: then s->over is set, the message names the file and the
 * limit, and what was read before is good (a caller may warn and go on
 * without the rest).  Bytes past a limit are never given, and the limits
 * stop a file at the same byte whatever the lengths asked for (they
 * are checked every 1 MiB of decompressed bytes). */
ssize_t instream_read(struct instream *s, void *buf, size_t len, struct error *err);

/* Fill buf with len bytes, fewer only at the end: the count, or -1 as
 * instream_read. */
ssize_t instream_fill(struct instream *s, void *buf, size_t len, struct error *err);

/* Decode a compressed stream in a thread of its own, a few blocks ahead
 * of instream_read (which gives the same bytes and errors as without):
 * for a reader that has work of its own to do with them.  Call before
 * the first read.  -1 (and nothing done) on a plain stream, or when no
 * thread can start. */
int instream_read_ahead(struct instream *s);

/* Free the stream; the fd stays open. */
void instream_close(struct instream *s);

#endif
