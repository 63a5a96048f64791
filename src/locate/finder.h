/* finder.h - the locate stage: which stored messages carry the targets'
 * Message-IDs in their own Message-ID header */
#ifndef FPKIT_FINDER_H
#define FPKIT_FINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "targets.h"

struct diag;
struct error;

struct finder_hit {
	size_t target;		/* index into the targets (targets.h) */
	char *path;		/* the file that holds the message */
	enum store_format format;
	const char *compression; /* NULL or a static name (store.h) */
	int64_t offset;		/* the message's bytes in that file */
	int64_t length;
	dev_t dev;
	ino_t ino;
	char *data;		/* a message a program or server gave (dovecot,
				 * imap): its bytes, fetched when found, taken
				 * by sample_collect; NULL for files */
	size_t data_len;
	char *fields;		/* with finder_want_recent: the message's
				 * origin fields (origin_excerpt), NULL if
				 * none; freed by finder_sort */
	size_t fields_len;
	bool fields_cut;
};

/* A message dated before the block (pack --before-block): a candidate. */
struct finder_recent {
	struct finder_hit hit;	/* where it is, and its origin fields */
	int64_t date;		/* its Date */
	char *id;		/* its first Message-ID as written
				 * (msgid_strip), NULL if none */
	char *canon;		/* ... canonical (msgid_normalize), NULL */
	/* The choice (beforeblock.c): a rule and its evidence take it. */
	const char *rule;	/* static; NULL: not taken */
	char *evidence;		/* new */
};

struct finder {
	struct targets *targets;	/* borrowed: what is searched for; the
					 * finder counts nr_hits and adds the
					 * recent messages */
	struct finder_hit *hits;
	size_t nr_hits, alloc_hits;
	char **searched;	/* the store paths scanned, in order */
	size_t nr_searched, alloc_searched;
	uint64_t nr_messages;	/* messages whose header was read */
	struct store_options opt;
	/* The most recent messages dated before a time (pack
	 * --before-block): during the scans a heap whose first is the
	 * oldest kept, then (finder_rank_recent) newest first. */
	size_t recent_max;
	int64_t recent_before;
	struct finder_recent *recent;
	size_t nr_recent;
	uint64_t nr_undated;	/* messages without a readable Date */
	/* Called every few thousand messages (find's progress line). */
	void (*progress)(const struct finder *f, void *data);
	void *progress_data;
};

/* Set up a finder for the targets t (borrowed: t must outlive f; the
 * ids to search are those in t when a scan starts). */
void finder_init(struct finder *f, struct targets *t, struct diag *diag);
void finder_release(struct finder *f);

/* Scan one store (see store_scan) for all targets in the list.  A file
 * reached twice (two overlapping paths) gives one hit. */
int finder_scan(struct finder *f, const char *path, struct error *err);

/* Also keep the n most recent messages whose Date is before 'before'
 * (epoch), met by the following scans, with their origin fields; and
 * the origin fields of the targets' copies, with their DKIM-Signature
 * fields (origin_excerpt). */
void finder_want_recent(struct finder *f, size_t n, int64_t before);

/* After the scans: the recent messages newest first (equal dates by
 * path, then offset), a file met twice once (under the path that sorts
 * first), and those that are a target's copy already left out. */
void finder_rank_recent(struct finder *f);

/* After the scans (and the choice): the recent messages taken (a rule
 * set) become targets of their own (targets_add_recent), each with its
 * hit, newest first; the others are dropped, and the origin fields
 * freed.  Then the hits are put in a stable order: by target, then path,
 * then offset. */
void finder_sort(struct finder *f);

#endif
