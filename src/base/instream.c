/* instream.c - a file read as a stream, plain or decompressed, bounded
 *
 * Plain files are read with pread from the stream's own offset, so the
 * caller's fd may be shared (a mail store reads the same file
 * elsewhere).  Compressed ones go through tarball.c's decoder (the one
 * module that talks to libarchive), fed by pread in INSTREAM_CHUNK
 * pieces as it asks for them: 'in' is then what the decoder has taken
 * so far, give or take one piece, and that is what the ratio limit
 * holds the output to.  A bomb is so stopped after at most the ratio
 * times one piece of output, whatever the size of the file, and each
 * call decompresses at most INSTREAM_MAX_READ bytes before the limits
 * are checked. */
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
/* Decompressed bytes given by one call, at most. */
#define INSTREAM_MAX_READ (1024 * 1024)

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

/* The decoder's source: the next piece of the file. */
static ssize_t
source(void *arg, const void **buf)
{
	struct instream *s = arg;
	ssize_t n = read_at(s->fd, s->chunk, INSTREAM_CHUNK, s->in);

	if (n < 0) {
		s->source_errno = errno;
		return -1;
	}
	s->in += n;
	*buf = s->chunk;
	return n;
}

int
instream_open(struct instream *s, int fd, const char *name,
	      const struct instream_limits *lim, struct error *err)
{
	unsigned char magic[8];
	ssize_t n;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->fd = fd;
	s->lim = lim ? *lim : instream_defaults;
	n = read_at(fd, magic, sizeof(magic), 0);
	if (n < 0)
		return error_set(err, EX_IOERR, "cannot read '%s': %s", name, strerror(errno));
	s->compression = instream_compression(magic, (size_t)n);
	if (s->compression == NULL)
		return 0;
	s->chunk = xmalloc(INSTREAM_CHUNK);
	if (tarball_decoder_open(&s->dec, source, s, name, err) < 0) {
		if (s->source_errno)
			error_set(err, EX_IOERR, "cannot read '%s': %s", name,
				  strerror(s->source_errno));
		free(s->chunk);
		s->chunk = NULL;
		return -1;
	}
	return 0;
}

ssize_t
instream_read(struct instream *s, void *buf, size_t len, struct error *err)
{
	int64_t got;
	ssize_t n;

	if (s->over)
		return error_set(err, EX_DATAERR, "'%s': not read past its limit", s->name);
	if (s->compression == NULL) {
		n = read_at(s->fd, buf, len, s->in);
		if (n < 0)
			return error_set(err, EX_IOERR, "cannot read '%s': %s", s->name,
					 strerror(errno));
		s->in += n;
		s->out += n;
		return n;
	}
	if (len > INSTREAM_MAX_READ)
		len = INSTREAM_MAX_READ;
	/* One byte past the limit at most: a file that ends at it is read
	 * whole, one that goes on is told apart. */
	if ((int64_t)len > s->lim.max_bytes - s->out)
		len = (size_t)(s->lim.max_bytes - s->out) + 1;
	n = tarball_decoder_read(&s->dec, buf, len, err);
	if (n < 0) {
		if (s->source_errno)
			error_set(err, EX_IOERR, "cannot read '%s': %s", s->name,
				  strerror(s->source_errno));
		return -1;
	}
	got = s->out + n;
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
	s->out = got;
	return n;
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
	free(s->chunk);
	s->chunk = NULL;
}
