/* scan.h - fpkit scan without its command line: every IP of the account
 * the anti-spam knows, and the archiving of each block event */
#ifndef FPKIT_SCAN_H
#define FPKIT_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "model.h"
#include "ovhclient.h"

struct archive_dir;
struct archive_dir_result;

/* One IP the anti-spam knows. */
struct scan_row {
	const char *block;	/* borrowed from struct scan's blocks */
	char *ip;
	struct model_spamip spamip;	/* GET /ip/{block}/spam/{ip} */
	char *spamip_raw;	/* ... as received, for --archive's bundles */
	size_t spamip_len;
};

struct scan {
	/* options, set by cmd_scan.c */
	const char *type;		/* --type */
	bool all_states;		/* --all-states */
	struct ovhclient api;		/* ovhclient.c: the API options and client */

	char **blocks;			/* scan.c: the IPv4 blocks of the account */
	size_t nr_blocks, alloc_blocks;
	size_t nr_other;		/* scan.c: IPv6 blocks, passed over */
	struct scan_row *rows;		/* scan.c: by block, then IP */
	size_t nr_rows, alloc_rows;
	/* scan.c: the round of calls under way, "blocks" or "IPs", for the
	 * command's progress line (api.opt.progress); NULL during GET /ip. */
	const char *phase;
	size_t nr_archived, nr_failed;	/* scan_archive: events archived, failed */
	size_t nr_empty;		/* scan_archive: archived with no message found */
	struct diag diag;		/* error.c: warnings */
};

/* Set up an empty scan; the caller then sets the options (and
 * ovhclient_init's the client's) as cmd_scan.c does. */
void scan_init(struct scan *s);

/* Connect (ovhclient_connect) and ask the API, in three rounds of calls
 * each run in parallel by ovh_run: GET /ip[?type=TYPE] for the blocks,
 * GET /ip/{block}/spam[?state=blockedForSpam] for the addresses of each
 * IPv4 block, GET /ip/{block}/spam/{ip} for the SpamIp object of each.
 * An address listed outside its block is passed over with a warning in
 * s->diag; one listed twice is kept once.  The rows are sorted by
 * block, then IP, numerically; the client stays connected (for
 * ovh_now and scan_archive).  Errors are those of ovh_run; an answer
 * that is not the documented model is EX_PROTOCOL. */
int scan_run(struct scan *s, struct error *err);

/* Archive each row into 'ad' (archive_dir_add, fetching its stats), in
 * order.  After each, 'report' (when not NULL) is called with the row
 * and its result, which is released after.  Counts the events in
 * s->nr_archived and s->nr_failed, and in s->nr_empty the events
 * archived with none of the messages looked for found.  -1 when any failed, with the status
 * of the first failure. */
int scan_archive(struct scan *s, struct archive_dir *ad,
		 void (*report)(void *arg, const struct scan_row *r,
				const struct archive_dir_result *res),
		 void *arg, struct error *err);

/* Free what the scan holds, and release the client. */
void scan_release(struct scan *s);

#endif
