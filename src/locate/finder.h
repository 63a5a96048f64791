/* finder.h - the locate stage: which stored messages carry the targets'
 * Message-IDs in their own Message-ID header */
#ifndef FPKIT_FINDER_H
#define FPKIT_FINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct diag;
struct error;
struct _GHashTable;

struct finder_target {
	char *id;		/* canonical id (msgid_normalize), for matching */
	char *shown;		/* as first given (msgid_strip), for people; ""
				 * for a message without Message-ID */
	size_t nr_hits;
	bool recent;		/* not searched for: one of the messages sent
				 * just before the block (finder_want_recent) */
	int64_t date;		/* ... and its Date */
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
	/* The most recent messages dated before a time (pack
	 * --before-block): candidates kept newest first. */
	size_t recent_max;
	int64_t recent_before;
	struct finder_hit *recent;
	int64_t *recent_dates;
	char **recent_ids;
	size_t nr_recent;
	uint64_t nr_undated;	/* messages without a readable Date */
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

/* Also keep the n most recent messages whose Date is before 'before'
 * (epoch), met by the following scans. */
void finder_want_recent(struct finder *f, size_t n, int64_t before);

/* After the scans: the recent messages become targets of their own
 * (recent = true), each with its hit; then the hits are put in a stable
 * order: by target, then path, then offset. */
void finder_sort(struct finder *f);

#endif
