/* cmd_queue.c - fpkit queue: the command line around mta.c and queue.c */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "fpkit.h"
#include "mta.h"
#include "pack.h"
#include "queue.h"
#include "queuecase.h"
#include "textsafe.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: fpkit queue [OPTIONS]\n"
	"       fpkit queue [OPTIONS] (--spam-ip-json FILE | --stats-json FILE | --alert FILE\n"
	"                              | --ip IP) [--maillog FILE]...\n"
	"\n"
	"Show the local mail system's state, read with its own tools (postqueue,\n"
	"exim, mailq, smtpctl, qmail-qread): whether it can send now, how many\n"
	"messages wait in which queue, the oldest, per sender and per recipient\n"
	"domain; with the block's case, which waiting messages go to the flagged\n"
	"destinations.  It never changes the mail system.\n"
	"\n"
	"  --mta NAME           " MTA_NAMES " (default: the one\n"
	"                       whose tools are installed; of several, the one running)\n"
	"  --postfix-config DIR Postfix's configuration folder, given to its tools as -c\n"
	"                       (default: MAIL_CONFIG, else Postfix's own)\n"
	"  --tool-timeout S     seconds each tool may take (default 30)\n"
	"  --json               print one JSON object instead of the text\n"
	"  --check              exit with status 1 when mail could still leave: the MTA\n"
	"                       can send (or may), or a message waits outside hold\n"
	"  -h, --help           show this help\n"
	"\n"
	"The case, as fpkit pack takes it, to match the waiting messages against:\n"
	"  --spam-ip-json FILE, --stats-json FILE, --alert FILE, --ip IP, --block CIDR\n"
	"  --maillog FILE       mail logs: the flagged messages' recipient domains and\n"
	"                       queue ids (repeatable; rotated files oldest first)\n"
	"With --ip alone (OVH API credentials needed):\n"
	OVHCLIENT_USAGE;

enum {
	OPT_MTA = 256, OPT_POSTFIX_CONFIG, OPT_TOOL_TIMEOUT, OPT_JSON, OPT_CHECK,
	OPT_IP, OPT_BLOCK, OPT_SPAMIP, OPT_STATS, OPT_ALERT, OPT_MAILLOG,
};

static const struct option long_options[] = {
	{ "mta", required_argument, NULL, OPT_MTA },
	{ "postfix-config", required_argument, NULL, OPT_POSTFIX_CONFIG },
	{ "tool-timeout", required_argument, NULL, OPT_TOOL_TIMEOUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "spam-ip-json", required_argument, NULL, OPT_SPAMIP },
	{ "stats-json", required_argument, NULL, OPT_STATS },
	{ "alert", required_argument, NULL, OPT_ALERT },
	{ "maillog", required_argument, NULL, OPT_MAILLOG },
	OVHCLIENT_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct queue_cmd {
	struct fpkit fp;		/* the case (pack.c), when given */
	struct mta_options mta;		/* mta.c */
	bool json, check;
};

/* 1: parsed; 0: --help shown; -1: usage error in err. */
static int
parse_options(struct queue_cmd *c, int argc, char **argv, struct error *err)
{
	struct fpkit *fp = &c->fp;
	int opt, r;

	optind = 1;
	opterr = 0;
	if (ovhclient_init(&fp->api, err) < 0)
		return -1;
	while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if ((r = ovhclient_option(&fp->api, "queue", opt, optarg, err)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (opt) {
		case OPT_MTA:
			if (cmd_mta_option("queue", CMD_MTA, optarg, &c->mta, err) < 0)
				return -1;
			break;
		case OPT_POSTFIX_CONFIG:
			cmd_mta_option("queue", CMD_POSTFIX_CONFIG, optarg, &c->mta, err);
			break;
		case OPT_TOOL_TIMEOUT:
			if (cmd_mta_option("queue", CMD_TOOL_TIMEOUT, optarg, &c->mta, err) < 0)
				return -1;
			break;
		case OPT_JSON: c->json = true; break;
		case OPT_CHECK: c->check = true; break;
		case OPT_IP: fp->ip = optarg; break;
		case OPT_BLOCK: fp->block = optarg; break;
		case OPT_SPAMIP: fp->spamip_json = optarg; break;
		case OPT_STATS: fp->stats_json = optarg; break;
		case OPT_ALERT: fp->alert_file = optarg; break;
		case OPT_MAILLOG:
			fp->maillog = xgrow(fp->maillog, fp->nr_maillog + 1, &fp->alloc_maillog,
					    sizeof(*fp->maillog));
			fp->maillog[fp->nr_maillog++] = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "queue: '%s' needs a value: see 'fpkit queue "
					 "--help'", argv[optind - 1]);
		default:
			return cmd_bad_option("queue", long_options, argv[optind - 1], err);
		}
	}
	if (optind < argc)
		return error_set(err, EX_USAGE, "queue: unexpected argument '%s'", argv[optind]);
	if (c->mta.postfix_config && c->mta.mta && strcmp(c->mta.mta, "postfix") != 0)
		return error_set(err, EX_USAGE, "queue: --postfix-config is for Postfix, not "
				 "--mta %s", c->mta.mta);
	if (fp->nr_maillog && !fp->ip && !fp->spamip_json && !fp->stats_json && !fp->alert_file)
		return error_set(err, EX_USAGE, "queue: --maillog is read for the block's flagged "
				 "messages: give the case too (--spam-ip-json, --stats-json, "
				 "--alert or --ip)");
	/* As pack: saved documents win, the API is asked for --ip alone. */
	fp->fetch = fp->ip && !fp->spamip_json && !fp->stats_json;
	return 1;
}

/* The case's errors come from pack's stages: say whose they are. */
static void
rename_error(struct error *err)
{
	char rest[sizeof(err->msg)];

	if (strncmp(err->msg, "pack: ", 6) != 0)
		return;
	snprintf(rest, sizeof(rest), "%s", err->msg + 6);
	error_set(err, err->status, "queue: %s", rest);
}

int
cmd_queue(int argc, char **argv, struct error *err)
{
	struct queue_cmd c;
	struct queue_state q;
	struct queue_dest d;
	char *text, *refusal = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	pack_init(&c.fp);
	mta_options_init(&c.mta);
	queue_init(&q, &c.fp.diag);
	queue_dest_init(&d);
	rc = parse_options(&c, argc, argv, err);
	if (rc <= 0)
		goto out;
	if (c.fp.api.verbose)
		c.fp.api.opt.trace = cmd_trace;
	if (c.fp.ip || c.fp.spamip_json || c.fp.stats_json || c.fp.alert_file) {
		if (pack_case(&c.fp, err) < 0) {
			rename_error(err);
			rc = -1;
			goto out;
		}
		queuecase_destinations(&c.fp, &d);
	}
	if (mta_read(&c.mta, &q, err) < 0) {
		error_prefix(err, "queue");
		rc = -1;
		goto out;
	}
	queue_match(&q, &d);
	cmd_print_diag(&c.fp.diag, "warning: ");
	if (c.json) {
		json_t *o = queue_to_json(&q, &d);

		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		text = queue_render_text(&q, &d, NULL);
		fputs(text, stdout);
		free(text);
	}
	rc = 0;
	if (c.check) {
		struct queue_facts f;

		queue_facts(&q, &f);
		if ((refusal = queue_facts_refusal(&f)) != NULL) {
			char *safe = textsafe_visible(refusal, strlen(refusal));

			fflush(stdout);
			fprintf(stderr, "fpkit: queue: mail could still leave: %s\n", safe);
			free(safe);
			rc = 1;
		}
	}
out:
	free(refusal);
	queue_dest_release(&d);
	queue_release(&q);
	pack_release(&c.fp);
	return rc;
}
