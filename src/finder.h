/* finder.h - the locate stage: which stored messages carry the targets'
 * Message-IDs in their own Message-ID header */
#ifndef FPKIT_FINDER_H
#define FPKIT_FINDER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct diag;
struct error;
struct _GHashTable;

struct finder_target {
	char *id;		/* canonical id (msgid_normalize), for matching */
	char *shown;		/* as first given (msgid_strip), for people */
	size_t nr_hits;
};

struct finder_hit {
	size_t target;		/* index into finder.targets */
	char *path;		/* the file that holds the message */
	enum store_format format;
	const char *compression; /* NULL or a static name (store.h) */
	int64_t offset;		/* the message's bytes in that file */
	int64_t length;
	dev_t dev;
	ino_t ino;
};

struct finder {
	struct finder_target *targets;
	size_t nr_targets, alloc_targets;
	struct _GHashTable *index;	/* canonical id -> target index + 1 */
	struct finder_hit *hits;
	size_t nr_hits, alloc_hits;
	char **searched;	/* the store paths scanned, in order */
	size_t nr_searched, alloc_searched;
	uint64_t nr_messages;	/* messages whose header was read */
	struct store_options opt;
	/* Called every few thousand messages (find's progress line). */
	void (*progress)(const struct finder *f, void *data);
	void *progress_data;
};

void finder_init(struct finder *f, struct diag *diag);
void finder_release(struct finder *f);

/* Add a target id as the API or a user wrote it (brackets optional).
 * Returns its index (the same for ids equal once canonical), or -1 when
 * nothing is left of it. */
long finder_add_target(struct finder *f, const char *id);

/* Scan one store (see store_scan) for all targets added so far.  A file
 * reached twice (two overlapping paths) gives one hit. */
int finder_scan(struct finder *f, const char *path, struct error *err);

/* Put the hits in a stable order: by target, then path, then offset. */
void finder_sort(struct finder *f);

#endif
