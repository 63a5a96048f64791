/* checks.h - the check stage: integrity, DKIM and best practices run on
 * one message, and the findings written for people (text) and for
 * programs (JSON) */
#ifndef FPKIT_CHECKS_H
#define FPKIT_CHECKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"

struct error;
struct dkimv;
struct dkimv_sig;
struct integrity_hop;

/* Default slack around the window a Date must fall in: a message is
 * often written a while before it leaves the queue. */
#define CHECKS_DATE_SLACK_DEFAULT (24 * 3600)

/* What the checks know from the command line (check) or the case (pack). */
struct checks_options {
	bool no_dkim;			/* --no-dkim */
	const char *no_dkim_why;	/* why, shown (static text); NULL: "--no-dkim" */
	const char *dkim_keys;		/* --dkim-keys FILE; NULL: DNS */
	bool has_dkim_time;		/* --dkim-time EPOCH */
	int64_t dkim_time;
	unsigned dkim_min_bits;		/* --dkim-min-bits; 0: DKIMV_MIN_KEY_BITS */
	bool has_window;		/* --window FROM,TO (check) or the case (pack) */
	int64_t window_from, window_to;
	int64_t date_slack;		/* --date-slack SECONDS */
	const char *ip;			/* the blocked IP, NULL when unknown */
};

/* The state shared by the messages of one run: the options and the
 * libopendkim library handle with its keys. */
struct checks {
	struct checks_options opt;
	struct dkimv *dkim;		/* NULL with no_dkim */
};

/* Set up (copies opt; loads the --dkim-keys file).  EX_NOINPUT or
 * EX_DATAERR for a keys file that cannot be read, EX_SOFTWARE when
 * libopendkim cannot start. */
int checks_init(struct checks *c, const struct checks_options *opt, struct error *err);
void checks_release(struct checks *c);

/* The findings on one message. */
struct checks_result {
	char *message_id;	/* its own Message-ID without <> (new), or NULL */
	bool intact;		/* no problem found: nothing says the copy is
				 * not the message as sent */
	struct check_list problems;	/* the signs of that (INTEGRITY_ALTERED) */
	struct check_list conformance;	/* the sender's RFC slips
					 * (INTEGRITY_CONFORMANCE): never make
					 * it not intact */
	const char *conformance_skipped;	/* why the conformance was not looked
						 * at (static text); NULL when it was */
	struct dkimv_sig *sigs;	/* one per DKIM-Signature, in order */
	size_t nr_sigs;
	const char *dkim_skipped;	/* why DKIM was not verified (static text:
					 * "--no-dkim", ...); NULL when it was */
	const char *lint_skipped;	/* why the best practices were not looked
					 * at (static text); NULL when they were */
	struct check_list lint;
	struct integrity_hop *hops;	/* the Received fields, newest first */
	size_t nr_hops;
	size_t nr_received;	/* Received fields, also those past the listed ones */
	bool ip_seen;		/* opt.ip appears in a Received field */
};

/* Run every check on a message read and parsed once (m, borrowed);
 * 'target' is the target it was found for (targets.h), or NULL.  Never
 * fails: what cannot be read is a problem in r.  A message larger than
 * FPKIT_LIMIT_MESSAGE ("too-large") or with a header block over the
 * limits of integrity.h ("header-too-large") gets that one problem:
 * nothing else is checked.  r is freed by checks_result_release. */
struct mime_message;
struct target;
void checks_run_message(struct checks *c, const struct mime_message *m,
			const struct target *target, struct checks_result *r);
void checks_result_release(struct checks_result *r);

/* Read a whole message file once, parse it once, and check it.
 * EX_NOINPUT/EX_IOERR when it cannot be read; a file larger than
 * FPKIT_LIMIT_MESSAGE is EX_DATAERR. */
int checks_run_file(struct checks *c, const char *path, const struct target *target,
		    struct checks_result *r, struct error *err);

/* A number for "how bad": 0 for an intact message with everything
 * passing, more for each problem, conformance finding, failing signature
 * and lint finding; problems weigh most.  Sorts a report worst first. */
unsigned long checks_badness(const struct checks_result *r);

/* The findings for people: a few lines per section, header text made
 * visible (new string).  'name' titles it (a file name). */
char *checks_render_text(const struct checks_result *r, const struct checks *c,
			 const char *name);

/* The findings for programs (new reference): {intact, problems: [{id,
 * detail}], conformance: [{id, detail}], dkim_checked, dkim: [{domain,
 * selector, algorithm, result, reason}], lint_checked, lint: [{id,
 * detail}], received: {hops: [{line, from, by, ips}], blocked_ip,
 * blocked_ip_seen}}. */
json_t *checks_to_json(const struct checks_result *r, const struct checks *c);

#endif
