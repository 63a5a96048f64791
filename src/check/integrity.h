/* integrity.h - is this the message as it was sent: RFC 5322 structure,
 * cuts, client re-saves, dates, the Received chain */
#ifndef FPKIT_INTEGRITY_H
#define FPKIT_INTEGRITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "fpkit_limits.h"

struct mime_walk;

/* RFC 5322 section 2.1.1: no line longer than 998 octets without its CRLF. */
#define INTEGRITY_MAX_LINE 998

struct integrity_options {
	const char *target;	/* the Message-ID it was found for, as shown;
				 * NULL if none */
	const char *target_id;	/* ... and canonical (targets.h) */
	bool has_window;	/* the Date must fall in [from - slack, to + slack] */
	int64_t window_from, window_to, slack;
	const char *ip;		/* the blocked IP, NULL when unknown */
};

/* One Received field (a hop), newest first. */
struct integrity_hop {
	unsigned line;		/* where the field starts */
	char *from;		/* the name after "from", made visible; NULL if none */
	char *by;		/* the name after "by" */
	/* addresses found, in inet_ntop form */
	char *ips[FPKIT_LIMIT_RECEIVED_IPS];
	size_t nr_ips;
};

/* The two questions the rules answer.  Only the first decides whether a
 * copy is intact: the second is the sender's conformance, reported as
 * findings that may have raised the spam score. */
enum integrity_kind {
	INTEGRITY_ALTERED,	/* is this copy the message as sent?  A sign it
				 * was cut, converted, re-saved, changed after
				 * signing, is not the message named, or could
				 * not be checked */
	INTEGRITY_CONFORMANCE,	/* does the message follow the RFCs?  What its
				 * sender wrote: obsolete syntax, 8-bit
				 * headers, long lines, missing or repeated
				 * fields, malformed MIME */
};

/* One rule id of integrity.c, mime.c (GMime's warnings) and checks.c,
 * and its kind. */
struct integrity_rule {
	const char *id;
	enum integrity_kind kind;
};

/* Every rule id, sorted by id; the one table of the classification
 * (doc/fpkit.1 lists it under CHECKS). */
extern const struct integrity_rule integrity_rules[];
extern const size_t integrity_nr_rules;

/* The kind of rule 'id'; an id not in the table is INTEGRITY_ALTERED, so
 * that a rule added without a kind never makes a copy look intact. */
enum integrity_kind integrity_rule_kind(const char *id);

/* Move the findings of 'all' into 'altered' and 'conformance' by kind,
 * in order; 'all' is left empty. */
void integrity_split(struct check_list *all, struct check_list *altered,
		     struct check_list *conformance);

struct integrity_result {
	struct check_list problems;	/* the findings of both kinds, in the
					 * order found (integrity_split) */
	struct integrity_hop *hops;
	size_t nr_hops, alloc_hops;
	size_t nr_received;	/* Received fields, also those past the listed ones */
	bool ip_seen;		/* opt.ip is one of the hops' addresses */
	char *message_id;	/* the first Message-ID without <> (msgid_strip), or NULL */
};

/* Check buf[0..len), which w is the GMime reading of (mime_walk_buffer on
 * the same bytes).  Every problem gets a stable id and a detail saying
 * where: a line number or a byte offset.  r is freed by
 * integrity_result_release. */
void integrity_check(const char *buf, size_t len, const struct mime_walk *w,
		     const struct integrity_options *opt, struct integrity_result *r);
void integrity_result_release(struct integrity_result *r);

/* Whether the header block of buf[0..len) is within FPKIT_LIMIT_HEADER_BLOCK
 * and FPKIT_LIMIT_HEADER_FIELDS.  When it is not, adds "header-too-large" to
 * problems (saying where) and returns false: the caller checks nothing
 * else (no GMime, no libopendkim). */
bool integrity_header_fits(const char *buf, size_t len, struct check_list *problems);

#endif
