/* sample.h - the messages found for the targets, as they go into the
 * bundle: named, hashed and described */
#ifndef FPKIT_SAMPLE_H
#define FPKIT_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "mime.h"

struct error;
struct finder;
struct finder_hit;

struct sample {
	const struct finder_hit *hit;	/* borrowed from the finder */
	const char *message_id;		/* the target id as given (borrowed) */
	char *file;		/* "samples/01-<id>.eml" inside the bundle */
	char *check_file;	/* "checks/01-<id>.txt" */
	char sha256[DIGEST_HEX_SIZE];
	char *data;		/* the bytes, when taken out of an mbox or a
				 * compressed file (NULL: a file range) */
	size_t data_len;
	unsigned long unquoted;	/* mboxrd ">From " lines given back */
	bool parsed;		/* GMime read it: 'mime' is filled */
	struct mime_summary mime;
};

struct sample_list {
	struct sample *items;
	size_t nr, alloc;
};

/* One sample per finder hit, in the finder's order (call finder_sort
 * first), each hashed and parsed.  The list borrows from f, which must
 * outlive it.  EX_NOINPUT/EX_IOERR when a found file cannot be read any
 * more. */
int sample_collect(struct sample_list *l, const struct finder *f, struct error *err);
void sample_list_release(struct sample_list *l);

/* The per-sample findings text for checks/ (new string). */
char *sample_describe(const struct sample *s);

#endif
