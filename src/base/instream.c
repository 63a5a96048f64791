/* instream.c - a file read as a stream, plain or decompressed, bounded
 *
 * Plain files are read with pread from the stream's own offset, so the
 * caller's fd may be shared (a mail store reads the same file
 * elsewhere, in parts, from several threads).  Compressed ones go
 * through rawdec.c's decoder (zstd, xz: their own libraries) or
 * tarball.c's (gzip, bzip2: libarchive), fed by pread in INSTREAM_CHUNK
 * pieces as it asks for them: 'in' is then what the decoder has taken so far, give or take one piece, and
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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "fpkit_limits.h"
#include "instream.h"
#include "rawdec.h"
#include "tarball.h"
#include "xalloc.h"

/* Compressed bytes handed to the decoder at a time. */
#define INSTREAM_CHUNK (64 * 1024)
/* Decompressed bytes taken from the decoder at a time, between two
 * checks of the limits. */
#define INSTREAM_BLOCK (1024 * 1024)
/* Blocks decoded ahead of the reader (instream_read_ahead). */
#define INSTREAM_AHEAD 4

/* A decoder thread of its own, decoding blocks ahead into a ring while
 * the caller reads the ones before: the caller's work then costs no
 * time beyond the decoder's, on a second processor. */
struct instream_ahead {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a block filled, or taken, or the end */
	char *buf[INSTREAM_AHEAD];
	size_t len[INSTREAM_AHEAD];
	size_t head, nr;	/* the filled blocks, the reader's first */
	size_t pos;		/* the reader's place in the first */
	bool taking;		/* the reader reads the first */
	int end;		/* 0: going on; 1: the end; -1: an error */
	bool over;		/* ... a limit (s->over) */
	bool stop;		/* the stream is closed: stop decoding */
	struct error err;	/* the error, for the reader */
};

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
	if (rawdec_handles(compression)) {
		s->raw = rawdec_open(compression, source, s, name, err);
		if (s->raw == NULL) {
			s->compression = NULL;
			instream_close(s);
			return -1;
		}
	} else if (tarball_decoder_open(&s->dec, source, s, name, err) < 0) {
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

static void
ahead_free(struct instream_ahead *a)
{
	for (int i = 0; i < INSTREAM_AHEAD; i++)
		free(a->buf[i]);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* The next block from the decoder into 'to' (INSTREAM_BLOCK bytes),
 * within the limits: its length, 0 at the end, -1 on an error (s->over
 * when a limit; what is in 'to' then is not to be given). */
static ssize_t
decode_block(struct instream *s, char *to, struct error *err)
{
	size_t want = INSTREAM_BLOCK;
	int64_t got;
	ssize_t n;

	/* One byte past the limit at most: a file that ends at it is read
	 * whole, one that goes on is told apart. */
	if ((int64_t)want > s->lim.max_bytes - s->decoded)
		want = (size_t)(s->lim.max_bytes - s->decoded) + 1;
	n = s->raw ? rawdec_read(s->raw, to, want, err) : tarball_decoder_read(&s->dec, to, want, err);
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
	return n;
}

/* The next block from the decoder, into s->block: 1, 0 at the end, -1 on
 * an error. */
static int
next_block(struct instream *s, struct error *err)
{
	ssize_t n = decode_block(s, s->block, err);

	if (n <= 0)
		return (int)n;
	s->block_len = (size_t)n;
	s->block_pos = 0;
	return 1;
}

static void *
ahead_thread(void *arg)
{
	struct instream *s = arg;
	struct instream_ahead *a = s->ahead;

	for (;;) {
		struct error err = ERROR_INIT;
		size_t slot;
		ssize_t n;

		pthread_mutex_lock(&a->lock);
		while (a->nr == INSTREAM_AHEAD && !a->stop)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		slot = (a->head + a->nr) % INSTREAM_AHEAD;
		pthread_mutex_unlock(&a->lock);
		n = decode_block(s, a->buf[slot], &err);
		pthread_mutex_lock(&a->lock);
		if (n > 0) {
			a->len[slot] = (size_t)n;
			a->nr++;
		} else {
			a->end = n == 0 ? 1 : -1;
			a->over = s->over;
			a->err = err;
		}
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		if (n <= 0)
			break;
	}
	return NULL;
}

int
instream_read_ahead(struct instream *s)
{
	struct instream_ahead *a;

	if (s->compression == NULL || s->ahead || s->decoded || s->block_len)
		return -1;
	a = xcalloc(1, sizeof(*a));
	for (int i = 0; i < INSTREAM_AHEAD; i++)
		a->buf[i] = xmalloc(INSTREAM_BLOCK);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	s->ahead = a;
	if (pthread_create(&a->tid, NULL, ahead_thread, s) != 0) {
		s->ahead = NULL;
		ahead_free(a);
		return -1;
	}
	return 0;
}

/* instream_read from the ring. */
static ssize_t
ahead_read(struct instream *s, void *buf, size_t len, struct error *err)
{
	struct instream_ahead *a = s->ahead;

	if (!a->taking || a->pos == a->len[a->head]) {
		pthread_mutex_lock(&a->lock);
		if (a->taking) {	/* give the block read back */
			a->head = (a->head + 1) % INSTREAM_AHEAD;
			a->nr--;
			a->taking = false;
			pthread_cond_broadcast(&a->cond);
		}
		while (a->nr == 0 && a->end == 0)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->nr == 0) {
			pthread_mutex_unlock(&a->lock);
			if (a->end > 0)
				return 0;
			s->over = a->over;
			if (err)
				*err = a->err;
			return -1;
		}
		a->taking = true;
		a->pos = 0;
		pthread_mutex_unlock(&a->lock);
	}
	if (len > a->len[a->head] - a->pos)
		len = a->len[a->head] - a->pos;
	memcpy(buf, a->buf[a->head] + a->pos, len);
	a->pos += len;
	s->out += (int64_t)len;
	return (ssize_t)len;
}

ssize_t
instream_read(struct instream *s, void *buf, size_t len, struct error *err)
{
	ssize_t n;

	if (s->ahead)
		return ahead_read(s, buf, len, err);
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
	if (s->ahead) {
		struct instream_ahead *a = s->ahead;

		pthread_mutex_lock(&a->lock);
		a->stop = true;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->tid, NULL);
		ahead_free(a);
		s->ahead = NULL;
	}
	if (s->raw)
		rawdec_close(s->raw);
	else if (s->compression)
		tarball_decoder_close(&s->dec);
	s->raw = NULL;
	free(s->head);
	free(s->chunk);
	free(s->block);
	s->head = s->chunk = s->block = NULL;
	s->head_len = 0;
}
