/* fpkit.h - the run state of 'fpkit pack', passed from stage to stage
 * (bsdtar's struct bsdtar); each member names the file that owns it */
#ifndef FPKIT_FPKIT_H
#define FPKIT_FPKIT_H

#include <jansson.h>
#include <stdbool.h>

#include "alert.h"
#include "beforeblock.h"
#include "bundle.h"
#include "case.h"
#include "checks.h"
#include "error.h"
#include "finder.h"
#include "inline.h"
#include "logclock.h"
#include "maillog.h"
#include "mta.h"
#include "ovhclient.h"
#include "posture.h"
#include "queue.h"
#include "sample.h"
#include "stagetime.h"
#include "targets.h"
#include "volume.h"

struct fpkit {
	/* options, set by cmd_pack.c */
	const char *ip;			/* --ip */
	const char *block;		/* --block */
	const char *spamip_json;	/* --spam-ip-json */
	const char *stats_json;		/* --stats-json */
	const char *alert_file;		/* --alert */
	const char **mail;		/* --mail, in order */
	size_t nr_mail, alloc_mail;
	const char **maillog;		/* --maillog, in order */
	size_t nr_maillog, alloc_maillog;
	const char *log_host;		/* --log-host */
	const char *output;		/* -o */
	const char *lang;		/* --lang */
	const char *template_path;	/* --template */
	bool ticket_paths;		/* --ticket-paths */
	bool json;			/* --json */
	bool force;			/* --force */
	bool timing;			/* --timing */
	const char *save_api;		/* --save-api */
	int64_t from, to;		/* --from, --to (epoch; 0: default window) */
	struct ovhclient api;		/* ovhclient.c: the API options and client */
	bool fetch;			/* cmd_pack.c: no saved JSON, ask the API */
	size_t before_block;		/* --before-block */
	bool allow_empty;		/* --allow-empty */
	struct checks_options check_opt;	/* --dkim-keys, --no-dkim, --date-slack */
	bool inline_text;		/* --inline */
	struct inline_options inline_opt;	/* --inline-max; lang from --lang */
	bool unpacked;			/* --unpacked */
	bool queue;			/* --queue (or --queue-messages) */
	bool queue_messages;		/* --queue-messages */
	struct mta_options queue_opt;	/* --mta, --postfix-config, --tool-timeout */
	struct posture_options posture_opt;	/* --posture, --no-dns, --dns-server,
						 * --timeout, --deadline, --dnsbl, --helo */

	struct fpcase kase;		/* case.c: what is known of the block */
	struct alert alert;		/* alert.c: the alert e-mail (--alert) */
	size_t *alert_extra;		/* pack.c: the alert's targets the stats lack */
	size_t nr_alert_extra;		/* (indexes in alert.targets) */
	struct targets targets;		/* targets.c: the case's targets, by index */
	long *alert_extra_target;	/* pack.c: each alert_extra's target, or -1 */
	struct finder finder;		/* finder.c: where the targets are */
	struct beforeblock before;	/* beforeblock.c: the choice of --before-block */
	struct sample_list samples;	/* sample.c: the messages to attach */
	struct maillog trail;		/* maillog.c: the mail-log lines about the targets */
	struct queue_state queue_state;	/* queuecase.c: the mail system as seen (--queue) */
	struct queue_dest queue_dest;	/* queuecase.c: the case's flagged destinations */
	struct volume volume;		/* volume.c: the mail sent in the 24 h before the block */
	struct logclock clock;		/* logclock.c: the logs' times against the API's */
	struct checks_result *checks;	/* checks.c: one per sample */
	json_t *summary;		/* summary.c: summary.json */
	char *template_text;		/* pack.c: --template's text, read once */
	size_t template_len;
	char *nichandle;		/* pack.c: the account's NIC handle (GET /me),
					 * for the ticket's closing; NULL when not asked */
	char *ticket;			/* ticket.c: TICKET.txt */
	size_t ticket_len;
	struct bundle bundle;		/* bundle.c: the files of the tarball */
	char *bundle_path;		/* cmd_pack.c: where it is written */
	char *folder_path;		/* pack.c: where --unpacked writes it */
	bool nothing_found;		/* pack.c: messages looked for, none found */
	struct stagetime times;		/* pack.c: each stage's time (--timing) */
	struct diag diag;		/* error.c: warnings of every stage */
};

#endif
