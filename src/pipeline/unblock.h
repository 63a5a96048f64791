/* unblock.h - fpkit unblock: POST /ip/{block}/spam/{ip}/unblock behind
 * its guard rails (the evidence archived, nothing able to leave the
 * mail system, the earliest time the Control Panel allows, a person's
 * yes), with a write that is never doubled */
#ifndef FPKIT_UNBLOCK_H
#define FPKIT_UNBLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "mta.h"

struct diag;
struct error;
struct ovhclient;

/* The longest --watch waits for the state "unblocked" (the guide says
 * "after several minutes"). */
#define UNBLOCK_WATCH_MAX 3600
/* Between two reads of the state with --watch, unless the rate allows
 * fewer (FPKIT_UNBLOCK_POLL_MS replaces it, for the tests). */
#define UNBLOCK_POLL_MS 30000
/* After a lost answer, the state is read this many times at most, this
 * long apart (FPKIT_UNBLOCK_REREAD_MS replaces it, for the tests), before
 * a state still blockedForSpam is taken to mean the unblock was not
 * done: an API may be late to show what it did.  The client's rate
 * ceiling holds for these reads as for any. */
#define UNBLOCK_LOST_READS 3
#define UNBLOCK_LOST_READ_MS 3000
/* Times --wait waits again when the API says "still blocked" after the
 * earliest time was reached. */
#define UNBLOCK_API_WAITS 3

struct unblock_options {
	const char *ip;			/* the blocked address */
	const char *block;		/* --block, or NULL: GET /ip?ip= */
	bool wait;			/* --wait: sleep until the earliest time */
	bool force;			/* --force: the mail system is not read */
	bool no_evidence;		/* --no-evidence */
	bool yes;			/* --yes: no question */
	bool dry_run;			/* --dry-run: every check, no POST */
	bool watch;			/* --watch: until "unblocked" */
	const char *archive;		/* --archive DIR: evidence and record */
	bool archive_unsafe_ok;		/* --archive-unsafe-ok */
	const char *bundle;		/* --bundle FILE: the evidence */
	struct mta_options mta;		/* --mta, --postfix-config, --tool-timeout */
	long poll_ms;			/* --watch: between two reads */
	long reread_ms;			/* between two reads after a lost answer */
	/* The command's part, each called with arg: */
	/* ask a person (the plan in one paragraph): 1 yes, 0 no, -1 when
	 * nobody can be asked; */
	int (*confirm)(void *arg, const char *plan);
	/* --wait: about once a second, the seconds left (0 at the end); */
	void (*countdown)(void *arg, int64_t left, int64_t earliest);
	/* one line of progress (--watch, a lost answer, a wait). */
	void (*progress)(void *arg, const char *line);
	void *arg;
};

/* The defaults; poll_ms from FPKIT_UNBLOCK_POLL_MS and reread_ms from
 * FPKIT_UNBLOCK_REREAD_MS when set.  EX_USAGE when either is not a
 * number of milliseconds. */
int unblock_options_init(struct unblock_options *o, struct error *err);

enum unblock_outcome {
	UNBLOCK_DONE,		/* accepted (or nothing to do, or --dry-run passed) */
	UNBLOCK_TOO_EARLY,	/* before the earliest time, or the API said so */
	UNBLOCK_REFUSED,	/* a guard rail refused */
};

struct unblock_result {
	char *ip, *block;		/* new */
	char *state;			/* the last state seen (new) */
	int64_t date;			/* the SpamIp's date: when it was blocked */
	int64_t earliest;		/* date + time, or now + N after the API's refusal */
	int64_t remaining;		/* seconds to earliest when decided, 0 when past */
	const char *refused_by;		/* static: "evidence", "queue", "time", "api",
					 * "confirmation", or NULL */
	char *why;			/* the refusal in one line (new), or NULL */
	bool posted;			/* the API took the unblock */
	char *note;			/* what else to say (new), or NULL */
	char *evidence;			/* the bundle that holds the evidence (new) */
};

void unblock_result_release(struct unblock_result *r);

/* Run fpkit unblock through the client (connected here unless it is,
 * ovhclient_connect's errors): read
 * the SpamIp (the block found as pack --ip finds it), then, unless it is
 * unblocking or unblocked already, the guard rails in order: the
 * evidence archived (unless no_evidence), the mail system unable to send
 * (unless force), the earliest time date + time (waited for with wait),
 * the confirmation (unless yes or dry_run); then, unless dry_run, the
 * POST.  A POST whose answer was lost or timed out is followed by reads
 * of the state (UNBLOCK_LOST_READS, UNBLOCK_LOST_READ_MS apart); it is
 * sent again only when every read still says blockedForSpam (at most
 * the client's retries).  With watch, the state
 * is read until "unblocked", within the client's rate.  With archive, a
 * POST's outcome is appended to the archive's index (a warning in d when
 * it cannot be).  Returns the outcome, r filled; or -1 with err (the API's
 * errors, the archive's, EX_TEMPFAIL when --watch gives up). */
int unblock_run(struct ovhclient *client, const struct unblock_options *o,
		struct unblock_result *r, struct diag *d, struct error *err);

#endif
