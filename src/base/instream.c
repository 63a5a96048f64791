/* instream.c - a file read as a stream, plain or decompressed, bounded
 *
 * Plain files are read with pread from the stream's own offset, so the
 * caller's fd may be shared (a mail store reads the same file
 * elsewhere, in parts, from several threads).  Compressed ones go
 * through tarball.c's decoder (the one module that talks to libarchive),
 * fed by pread in INSTREAM_CHUNK pieces as it asks for them: 'in' is
 * then what the decoder has taken so far, give or take one piece, and
 * that is what the ratio limit holds the output to.  A bomb is so
 * stopped after at most the ratio times one piece of output, whatever
 * the size of the file.
 *
 * The decoder is read in whole blocks of INSTREAM_BLOCK bytes, the
 * limits checked after each, and the caller served from the block: the
 * limits stop a file at the same byte whatever the caller's reads, so
 * that a second reading (a mail log's second pass, a sample taken out of
 * a compressed mbox) never fails where the first went through. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "fpkit_limits.h"
#include "instream.h"
#include "tarball.h"
#include "xalloc.h"

/* Compressed bytes handed to the decoder at a time. */
#define INSTREAM_CHUNK (64 * 1024)
/* Decompressed bytes taken from the decoder at a time, between two
 * checks of the limits. */
#define INSTREAM_BLOCK (1024 * 1024)

static const struct instream_limits instream_defaults = {
	FPKIT_LIMIT_DECOMPRESSED,
	FPKIT_LIMIT_DECOMPRESSION_RATIO,
	FPKIT_LIMIT_DECOMPRESSION_RATIO_FROM,
};

const char *
instream_compression(const void *magic, size_t len)
{
	const unsigned char *m = magic;

	if (len >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return "gzip";
	if (len >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0)
		return "xz";
	if (len >= 3 && memcmp(m, "BZh", 3) == 0)
		return "bzip2";
	if (len >= 4 && memcmp(m, "\x28\xb5\x2f\xfd", 4) == 0)
		return "zstd";
	return NULL;
}

static ssize_t
read_at(int fd, void *buf, size_t len, int64_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n;
}

/* The decoder's source: the next piece of the file, the head the
 * caller read first if any. */
static ssize_t
source(void *arg, const void **buf)
{
	struct instream *s = arg;
	ssize_t n;

	if (s->in < (int64_t)s->head_len) {
		*buf = s->head + s->in;
		n = (ssize_t)s->head_len - (ssize_t)s->in;
		s->in = (int64_t)s->head_len;
		return n;
	}
	n = read_at(s->fd, s->chunk, INSTREAM_CHUNK, s->in);
	if (n < 0) {
		s->source_errno = errno;
		return -1;
	}
	s->in += n;
	*buf = s->chunk;
	return n;
}

/* Open with the compression known (NULL: plain) and the head, if any,
 * already read. */
static int
open_stream(struct instream *s, int fd, const char *name, const char *compression,
	    const void *head, size_t head_len, const struct instream_limits *lim,
	    struct error *err)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->fd = fd;
	s->lim = lim ? *lim : instream_defaults;
	s->end = INT64_MAX;
	s->compression = compression;
	if (compression == NULL) {
		/* A plain stream goes on after what the caller has. */
		s->in = (int64_t)head_len;
		s->out = (int64_t)head_len;
		return 0;
	}
	if (head_len) {
		s->head = xmalloc(head_len);
		memcpy(s->head, head, head_len);
		s->head_len = head_len;
	}
	s->chunk = xmalloc(INSTREAM_CHUNK);
	s->block = xmalloc(INSTREAM_BLOCK);
	if (tarball_decoder_open(&s->dec, source, s, name, err) < 0) {
		if (s->source_errno)
			error_set(err, EX_IOERR, "cannot read '%s': %s", name,
				  strerror(s->source_errno));
		s->compression = NULL;
		instream_close(s);
		return -1;
	}
	return 0;
}

int
instream_open(struct instream *s, int fd, const char *name,
	      const struct instream_limits *lim, struct error *err)
{
	unsigned char magic[8];
	ssize_t n = read_at(fd, magic, sizeof(magic), 0);

	if (n < 0) {
		memset(s, 0, sizeof(*s));
		return error_set(err, EX_IOERR, "cannot read '%s': %s", name, strerror(errno));
	}
	return open_stream(s, fd, name, instream_compression(magic, (size_t)n), NULL, 0, lim,
			   err);
}

int
instream_open_head(struct instream *s, int fd, const char *name, const void *head,
		   size_t head_len, const struct instream_limits *lim, struct error *err)
{
	return open_stream(s, fd, name, instream_compression(head, head_len), head, head_len,
			   lim, err);
}

int
instream_open_as(struct instream *s, int fd, const char *name, const char *compression,
		 const struct instream_limits *lim, struct error *err)
{
	return open_stream(s, fd, name, compression, NULL, 0, lim, err);
}

int
instream_set_range(struct instream *s, int64_t from, int64_t to)
{
	if (s->compression || from < 0 || to < from)
		return -1;
	s->in = from;
	s->end = to;
	return 0;
}

/* The next block from the decoder, within the limits: 1, 0 at the end,
 * -1 on an error (s->over when a limit). */
static int
next_block(struct instream *s, struct error *err)
{
	size_t want = INSTREAM_BLOCK;
	int64_t got;
	ssize_t n;

	/* One byte past the limit at most: a file that ends at it is read
	 * whole, one that goes on is told apart. */
	if ((int64_t)want > s->lim.max_bytes - s->decoded)
		want = (size_t)(s->lim.max_bytes - s->decoded) + 1;
	n = tarball_decoder_read(&s->dec, s->block, want, err);
	if (n < 0) {
		if (s->source_errno)
			error_set(err, EX_IOERR, "cannot read '%s': %s", s->name,
				  strerror(s->source_errno));
		return -1;
	}
	if (n == 0) {
		s->eof = true;
		return 0;
	}
	got = s->decoded + n;
	if (got > s->lim.max_bytes) {
		s->over = true;
		return error_set(err, EX_DATAERR, "'%s': more bytes once decompressed than the "
				 "limit of %" PRId64 " for a compressed file", s->name,
				 s->lim.max_bytes);
	}
	if (s->lim.ratio > 0 && got > s->lim.ratio_from && s->in <= INT64_MAX / s->lim.ratio &&
	    got > s->lim.ratio * s->in) {
		s->over = true;
		return error_set(err, EX_DATAERR, "'%s': %" PRId64 " bytes once decompressed from "
				 "the first %" PRId64 ", more than the limit of %" PRId64 " times as "
				 "many for a compressed file (a decompression bomb?)", s->name, got,
				 s->in, s->lim.ratio);
	}
	s->decoded = got;
	s->block_len = (size_t)n;
	s->block_pos = 0;
	return 1;
}

ssize_t
instream_read(struct instream *s, void *buf, size_t len, struct error *err)
{
	ssize_t n;

	if (s->over)
		return error_set(err, EX_DATAERR, "'%s': not read past its limit", s->name);
	if (s->compression == NULL) {
		if ((int64_t)len > s->end - s->in)
			len = (size_t)(s->end - s->in);
		if (len == 0)
			return 0;
		n = read_at(s->fd, buf, len, s->in);
		if (n < 0)
			return error_set(err, EX_IOERR, "cannot read '%s': %s", s->name,
					 strerror(errno));
		s->in += n;
		s->out += n;
		return n;
	}
	if (s->block_pos == s->block_len) {
		int rc = s->eof ? 0 : next_block(s, err);

		if (rc <= 0)
			return rc;
	}
	if (len > s->block_len - s->block_pos)
		len = s->block_len - s->block_pos;
	memcpy(buf, s->block + s->block_pos, len);
	s->block_pos += len;
	s->out += (int64_t)len;
	return (ssize_t)len;
}

ssize_t
instream_fill(struct instream *s, void *buf, size_t len, struct error *err)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = instream_read(s, (char *)buf + got, len - got, err);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

void
instream_close(struct instream *s)
{
	if (s->compression)
		tarball_decoder_close(&s->dec);
	free(s->head);
	free(s->chunk);
	free(s->block);
	s->head = s->chunk = s->block = NULL;
	s->head_len = 0;
}
