/* sample.h - the messages found for the targets, as they go into the
 * bundle: named, hashed and described */
#ifndef FPKIT_SAMPLE_H
#define FPKIT_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "fpkit_limits.h"
#include "mime.h"

struct diag;
struct error;
struct finder;
struct finder_hit;

struct sample {
	const struct finder_hit *hit;	/* borrowed from the finder */
	const char *message_id;		/* the target id as given (borrowed) */
	char *file;		/* "samples/01-<id>.eml" inside the bundle */
	char *check_file;	/* "checks/01-<id>.txt" */
	char sha256[DIGEST_HEX_SIZE];
	struct mime_message msg; /* the bytes, read once from the store
				 * through the descriptor the scan's file was
				 * checked on (unquoted, decompressed), and
				 * their one parse by GMime */
	const char *data;	/* msg.data, msg.len; NULL when spooled */
	size_t data_len;	/* the size, also when spooled */
	bool spooled;		/* larger than SAMPLE_IN_MEMORY: the bytes are
				 * in the temporary file 'spool' only, and
				 * msg reads them from there */
	int spool;		/* an unlinked file (when spooled) */
	char *head;		/* its first bytes, SAMPLE_HEAD at most (when
				 * spooled) */
	size_t head_len;
	unsigned long unquoted;	/* mboxrd ">From " lines given back */
	unsigned trailer;	/* the mbox writer's empty line after it, left
				 * out: its bytes (store_extract_info) */
	bool parsed;		/* GMime read it: 'mime' is filled */
	struct mime_summary mime;
};

/* A sample larger than this (what the checks read, FPKIT_LIMIT_MESSAGE)
 * is never whole in memory: it goes to a temporary file as it is read,
 * and every later stage reads it from there in pieces. */
#define SAMPLE_IN_MEMORY ((size_t)FPKIT_LIMIT_MESSAGE)
/* What is kept in memory of a spooled sample: as much of its header as
 * anything reads (FPKIT_LIMIT_HEADER_BLOCK), and one byte more to tell a
 * longer header. */
#define SAMPLE_HEAD ((size_t)FPKIT_LIMIT_HEADER_BLOCK + 1)
/* How much of a sample is read into memory before the rest goes to the
 * temporary file: its size is not known before it is read (an mbox
 * message loses its quoting, a compressed one is decompressed), so a
 * sample over this is read into the file, and read back into memory
 * when it proves to be no larger than SAMPLE_IN_MEMORY. */
#define SAMPLE_SPILL ((size_t)2 * 1024 * 1024)

struct sample_list {
	struct sample *items;
	size_t nr, alloc;
};

/* One sample per finder hit, in the finder's order (call finder_sort
 * first), each read once, hashed and parsed.  Each file is opened again
 * only as the very file the scan read (store_open_verified): a file gone
 * or replaced since, one over FPKIT_LIMIT_SAMPLE, damaged compressed
 * data, and the copies past FPKIT_LIMIT_SAMPLES_PER_TARGET,
 * FPKIT_LIMIT_SAMPLES or FPKIT_LIMIT_SAMPLES_TOTAL are left out with a
 * warning in 'diag', and the hit no longer counts for its target
 * (nr_hits in targets.h).  The list borrows from f, which must outlive
 * it.  Fails (EX_IOERR) only when a file that is still the one found
 * cannot be read. */
int sample_collect(struct sample_list *l, struct finder *f, struct diag *diag,
		   struct error *err);
void sample_list_release(struct sample_list *l);

/* The bytes a reader of the sample's header gets: all of them for a
 * sample in memory, the first SAMPLE_HEAD for a spooled one. */
const char *sample_header(const struct sample *s, size_t *len);

/* A new temporary file for a large sample or what is made from it:
 * in $TMPDIR (else /tmp), unlinked at once (O_TMPFILE where the file
 * system has it), read and written with pread/write.  EX_CANTCREAT. */
int sample_spool_open(struct error *err);

/* The per-sample findings text for checks/ (new string). */
char *sample_describe(const struct sample *s);

#endif
