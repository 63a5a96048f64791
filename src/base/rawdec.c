/* rawdec.c - zstd and xz decoded by their own libraries (rawdec.h) */
#include "config.h"

#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <zstd.h>

#include "error.h"
#include "rawdec.h"
#include "xalloc.h"

struct rawdec {
	bool xz;			/* else zstd */
	rawdec_source *source;
	void *arg;
	const char *name;
	const uint8_t *in;		/* the piece being decoded */
	size_t in_len, in_pos;
	bool in_end;			/* the source said: no more */
	bool done;			/* the data ended where it should */
	bool frame_open;		/* zstd: a frame begun, not finished */
	const char *fail;		/* the error met after some output was
					 * given: the next read's (static) */
	ZSTD_DStream *z;
	lzma_stream x;
};

bool
rawdec_handles(const char *compression)
{
	return compression && (strcmp(compression, "zstd") == 0 || strcmp(compression, "xz") == 0);
}

struct rawdec *
rawdec_open(const char *compression, rawdec_source *source, void *arg, const char *name,
	    struct error *err)
{
	struct rawdec *d = xcalloc(1, sizeof(*d));
	lzma_stream init = LZMA_STREAM_INIT;

	d->xz = strcmp(compression, "xz") == 0;
	d->source = source;
	d->arg = arg;
	d->name = name;
	if (d->xz) {
		d->x = init;
		/* Several streams one after the other, as xz -d reads them;
		 * no memory limit here: instream's limits hold the output. */
		if (lzma_stream_decoder(&d->x, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
			free(d);
			error_set(err, EX_OSERR, "cannot set up the xz decoder for '%s'", name);
			return NULL;
		}
	} else {
		d->z = ZSTD_createDStream();
		if (d->z == NULL || ZSTD_isError(ZSTD_initDStream(d->z))) {
			ZSTD_freeDStream(d->z);
			free(d);
			error_set(err, EX_OSERR, "cannot set up the zstd decoder for '%s'", name);
			return NULL;
		}
	}
	return d;
}

/* The next piece from the source when the last is used up: 0, or -1
 * when the source failed. */
static int
refill(struct rawdec *d)
{
	const void *buf;
	ssize_t n;

	if (d->in_pos < d->in_len || d->in_end)
		return 0;
	n = d->source(d->arg, &buf);
	if (n < 0)
		return -1;
	if (n == 0)
		d->in_end = true;
	d->in = buf;
	d->in_len = (size_t)n;
	d->in_pos = 0;
	return 0;
}

/* An error met with 'given' bytes already in the caller's buffer: they
 * are given, and the error is the next read's (what came before the
 * damage is searched). */
static ssize_t
fail(struct rawdec *d, size_t given, const char *why, struct error *err)
{
	if (given > 0) {
		d->fail = why;
		return (ssize_t)given;
	}
	return error_set(err, EX_DATAERR, "'%s': damaged or cut compressed data: %s", d->name,
			 why);
}

static ssize_t
read_zstd(struct rawdec *d, void *buf, size_t len, struct error *err)
{
	ZSTD_outBuffer out = { buf, len, 0 };

	while (out.pos < out.size && !d->done) {
		ZSTD_inBuffer in;
		size_t r;

		if (refill(d) < 0)
			return fail(d, out.pos, "cannot read it", err);
		if (d->in_end) {
			/* The input is over: what the decoder holds back
			 * comes out, and the last frame must end. */
			size_t before = out.pos;

			in = (ZSTD_inBuffer){ NULL, 0, 0 };
			r = d->frame_open ? ZSTD_decompressStream(d->z, &out, &in) : 0;
			if (ZSTD_isError(r))
				return fail(d, out.pos, ZSTD_getErrorName(r), err);
			if (r == 0) {
				d->frame_open = false;
				d->done = true;
			} else if (out.pos == before) {
				return fail(d, out.pos, "zstd data ends before its end", err);
			}
			continue;
		}
		in = (ZSTD_inBuffer){ d->in, d->in_len, d->in_pos };
		r = ZSTD_decompressStream(d->z, &out, &in);
		d->in_pos = in.pos;
		if (ZSTD_isError(r))
			return fail(d, out.pos, ZSTD_getErrorName(r), err);
		/* 0: a frame ended (another may follow) */
		d->frame_open = r != 0;
	}
	return (ssize_t)out.pos;
}

static const char *
lzma_why(lzma_ret r)
{
	switch (r) {
	case LZMA_FORMAT_ERROR:
		return "not xz data";
	case LZMA_OPTIONS_ERROR:
		return "xz options not supported";
	case LZMA_DATA_ERROR:
		return "xz data damaged";
	case LZMA_BUF_ERROR:
		return "xz data ends before its end";
	case LZMA_MEM_ERROR:
		return "out of memory";
	default:
		return "xz decoder error";
	}
}

static ssize_t
read_xz(struct rawdec *d, void *buf, size_t len, struct error *err)
{
	d->x.next_out = buf;
	d->x.avail_out = len;
	while (d->x.avail_out > 0 && !d->done) {
		lzma_ret r;

		if (refill(d) < 0)
			return fail(d, len - d->x.avail_out, "cannot read it", err);
		d->x.next_in = d->in + d->in_pos;
		d->x.avail_in = d->in_len - d->in_pos;
		r = lzma_code(&d->x, d->in_end ? LZMA_FINISH : LZMA_RUN);
		d->in_pos = d->in_len - d->x.avail_in;
		if (r == LZMA_STREAM_END) {
			d->done = true;
		} else if (r != LZMA_OK) {
			return fail(d, len - d->x.avail_out, lzma_why(r), err);
		}
	}
	return (ssize_t)(len - d->x.avail_out);
}

ssize_t
rawdec_read(struct rawdec *d, void *buf, size_t len, struct error *err)
{
	if (d->fail)
		return error_set(err, EX_DATAERR, "'%s': damaged or cut compressed data: %s",
				 d->name, d->fail);
	if (d->done || len == 0)
		return 0;
	return d->xz ? read_xz(d, buf, len, err) : read_zstd(d, buf, len, err);
}

void
rawdec_close(struct rawdec *d)
{
	if (d == NULL)
		return;
	if (d->xz)
		lzma_end(&d->x);
	else
		ZSTD_freeDStream(d->z);
	free(d);
}
