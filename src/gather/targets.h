/* targets.h - the case's targets: the Message-IDs the API's stats and
 * the alert name, and the messages taken as sent just before the block.
 * Each id is made canonical once, here, and indexed once; every later
 * stage (the finder, the samples, the summary, report.arf, the ticket)
 * refers to a target by its index in this list. */
#ifndef FPKIT_TARGETS_H
#define FPKIT_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitset.h"

struct _GHashTable;

struct target {
	char *id;		/* canonical (msgid_normalize): the key; "" for a
				 * message without Message-ID */
	char *shown;		/* as first given (msgid_strip), for people */
	long stats;		/* the first stats entry naming it, or -1 */
	long alert;		/* the first alert entry naming it, or -1 */
	bool recent;		/* not named: one of the messages sent just
				 * before the block (pack --before-block) */
	int64_t date;		/* ... its Date */
	const char *rule;	/* ... the rule that took it: "trace", "log"
				 * or "sender-domain" (static) */
	char *evidence;		/* ... and the fact behind it: the Received
				 * field, the log line, the sender domain */
	size_t nr_hits;		/* copies found (finder.c), then packed
				 * (sample.c) */
};

#define TARGETS_FILTER_BITS 65536

struct targets {
	struct target *items;	/* in the order they were added */
	size_t nr, alloc;
	struct _GHashTable *index;	/* canonical id -> index + 1 */
	/* A bit per canonical id (TARGETS_FILTER_BITS, by a hash of its
	 * length and three 8-byte pieces): most ids a search reads are no
	 * target, and are told so without hashing them whole. */
	uint64_t filter[BITSET_WORDS(TARGETS_FILTER_BITS)];
	long *by_stats;		/* each stats entry's target, or -1 */
	size_t nr_stats, alloc_stats;
};

void targets_init(struct targets *t);
void targets_release(struct targets *t);

/* Add an id as the API, the alert or a user wrote it (brackets
 * optional).  Returns its index, the same for ids equal once canonical;
 * *added says whether it is new (may be NULL).  -1 when nothing is left
 * of the id. */
long targets_add(struct targets *t, const char *id, bool *added);

/* The same for the i-th entry of the stats (entries must come in order,
 * from 0): remembered in by_stats, and as the target's first stats
 * entry.  -1 (also in by_stats) for an id that is empty once canonical. */
long targets_add_stats(struct targets *t, size_t i, const char *id);

/* A message taken as sent just before the block, as a target of its own
 * (never merged with another: its id may be missing or repeated).  id
 * and date are its own, rule (static) and evidence say why it was
 * taken; the list takes id and evidence (new strings, id may be NULL). */
size_t targets_add_recent(struct targets *t, char *id, int64_t date, const char *rule,
			  char *evidence);

/* The index of a canonical id (as msgid_normalize gives it), or -1. */
long targets_lookup(const struct targets *t, const char *canon);

/* How many targets were named (not recent), and how many of those have
 * no copy (nr_hits == 0). */
size_t targets_named(const struct targets *t);
size_t targets_missing(const struct targets *t);

#endif
