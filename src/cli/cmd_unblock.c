/* cmd_unblock.c - fpkit unblock: the command line around
 * pipeline/unblock.c */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "archivedir.h"
#include "cmd.h"
#include "error.h"
#include "jsontext.h"
#include "mta.h"
#include "ovhclient.h"
#include "textsafe.h"
#include "timefmt.h"
#include "unblock.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: fpkit unblock IP [OPTIONS]      (or --ip IP)\n"
	"\n"
	"Ask the OVH API to unblock IP (POST /ip/{block}/spam/{ip}/unblock), once the\n"
	"block event's evidence is kept, the mail system cannot send, the earliest\n"
	"unblock time (date + time of the block, as the Control Panel counts) has\n"
	"come, and a person said yes.  Exit status: 0 accepted (with --watch:\n"
	"unblocked), 75 too early, 1 a guard rail refused.\n"
	"\n"
	"  --block CIDR         the IP's block (default: asked of the API, GET /ip?ip=IP)\n"
	"  --archive DIR        the evidence: the bundle of this block event in the\n"
	"                       archive of 'fpkit scan --archive DIR'; the unblock is\n"
	"                       recorded in DIR/index.jsonl\n"
	"  --archive-unsafe-ok  use DIR even when others than root and you can write there\n"
	"  --bundle FILE        the evidence: the bundle 'fpkit pack --ip IP' wrote\n"
	"  --no-evidence        unblock without the evidence kept\n"
	"  --mta NAME           " MTA_NAMES " (as fpkit queue)\n"
	"  --postfix-config DIR Postfix's configuration folder, given to its tools as -c\n"
	"  --tool-timeout S     seconds each tool of the mail system may take (default 30)\n"
	"  --force              unblock although the mail system could send (not read)\n"
	"  --wait               before the earliest time, wait for it instead of refusing\n"
	"  --yes                no question (for scripts; needed without a terminal)\n"
	"  --dry-run            every check, and no unblock\n"
	"  --watch              after the unblock, read the state until it is unblocked\n"
	"  --json               print {ip, block, state, earliest_unblock,\n"
	"                       remaining_seconds, refused_by, posted}\n"
	"  -h, --help           show this help\n"
	"The OVH API (the consumer key needs GET /ip, GET /ip/* and\n"
	"POST /ip/*/spam/*/unblock):\n"
	OVHCLIENT_USAGE;

enum {
	OPT_BLOCK = 256, OPT_ARCHIVE, OPT_UNSAFE_OK, OPT_BUNDLE, OPT_NO_EVIDENCE, OPT_MTA,
	OPT_POSTFIX_CONFIG, OPT_TOOL_TIMEOUT, OPT_FORCE, OPT_WAIT, OPT_YES, OPT_DRY_RUN,
	OPT_WATCH, OPT_JSON, OPT_IP,
};

static const struct option long_options[] = {
	{ "ip", required_argument, NULL, OPT_IP },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "archive", required_argument, NULL, OPT_ARCHIVE },
	{ "archive-unsafe-ok", no_argument, NULL, OPT_UNSAFE_OK },
	{ "bundle", required_argument, NULL, OPT_BUNDLE },
	{ "no-evidence", no_argument, NULL, OPT_NO_EVIDENCE },
	{ "mta", required_argument, NULL, OPT_MTA },
	{ "postfix-config", required_argument, NULL, OPT_POSTFIX_CONFIG },
	{ "tool-timeout", required_argument, NULL, OPT_TOOL_TIMEOUT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "watch", no_argument, NULL, OPT_WATCH },
	{ "json", no_argument, NULL, OPT_JSON },
	OVHCLIENT_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct unblock_cmd {
	struct ovhclient api;
	struct unblock_options opt;
	bool json;
	bool counting;		/* a countdown line is on the terminal */
};

/* 1: parsed; 0: --help shown; -1: usage error in err. */
static int
parse_options(struct unblock_cmd *c, int argc, char **argv, struct error *err)
{
	struct unblock_options *o = &c->opt;
	int opt, r;

	optind = 1;
	opterr = 0;
	if (ovhclient_init(&c->api, err) < 0 || unblock_options_init(o, err) < 0)
		return -1;
	while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if ((r = ovhclient_option(&c->api, "unblock", opt, optarg, err)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (opt) {
		case OPT_IP: o->ip = optarg; break;
		case OPT_BLOCK: o->block = optarg; break;
		case OPT_ARCHIVE: o->archive = optarg; break;
		case OPT_UNSAFE_OK: o->archive_unsafe_ok = true; break;
		case OPT_BUNDLE: o->bundle = optarg; break;
		case OPT_NO_EVIDENCE: o->no_evidence = true; break;
		case OPT_MTA:
			if (cmd_mta_option("unblock", CMD_MTA, optarg, &o->mta, err) < 0)
				return -1;
			break;
		case OPT_POSTFIX_CONFIG:
			cmd_mta_option("unblock", CMD_POSTFIX_CONFIG, optarg, &o->mta, err);
			break;
		case OPT_TOOL_TIMEOUT:
			if (cmd_mta_option("unblock", CMD_TOOL_TIMEOUT, optarg, &o->mta, err) < 0)
				return -1;
			break;
		case OPT_FORCE: o->force = true; break;
		case OPT_WAIT: o->wait = true; break;
		case OPT_YES: o->yes = true; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_WATCH: o->watch = true; break;
		case OPT_JSON: c->json = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "unblock: '%s' needs a value: see 'fpkit "
					 "unblock --help'", argv[optind - 1]);
		default:
			return cmd_bad_option("unblock", long_options, argv[optind - 1], err);
		}
	}
	if (optind < argc && o->ip == NULL)
		o->ip = argv[optind++];
	if (optind < argc)
		return error_set(err, EX_USAGE, "unblock: unexpected argument '%s'", argv[optind]);
	if (o->ip == NULL)
		return error_set(err, EX_USAGE, "unblock: which IP? give it: 'fpkit unblock IP'");
	if (o->bundle && o->archive == NULL && o->no_evidence)
		return error_set(err, EX_USAGE, "unblock: --bundle and --no-evidence say "
				 "opposite things: give one");
	if (o->archive_unsafe_ok && o->archive == NULL)
		return error_set(err, EX_USAGE, "unblock: --archive-unsafe-ok goes with --archive");
	/* Said before anything is asked or posted: the unblock is recorded
	 * in the archive's index, and a bucket has none. */
	if (o->archive && archive_dir_is_bucket(o->archive))
		return error_set(err, EX_USAGE, "unblock: --archive %s: a bucket keeps the "
				 "bundles alone and cannot record the unblock; give the bundle "
				 "with --bundle FILE (fetched from the bucket), or an archive "
				 "folder", o->archive);
	if (o->mta.postfix_config && o->mta.mta && strcmp(o->mta.mta, "postfix") != 0)
		return error_set(err, EX_USAGE, "unblock: --postfix-config is for Postfix, not "
				 "--mta %s", o->mta.mta);
	if (o->dry_run && o->watch)
		return error_set(err, EX_USAGE, "unblock: --dry-run sends nothing to --watch: "
				 "give one");
	return 1;
}

static void
end_countdown(struct unblock_cmd *c)
{
	if (c->counting)
		fputc('\n', stderr);
	c->counting = false;
}

static void
on_progress(void *arg, const char *line)
{
	end_countdown(arg);
	cmd_say("", line);
}

/* --wait: a countdown on a terminal; elsewhere one line when it starts. */
static void
on_countdown(void *arg, int64_t left, int64_t earliest)
{
	struct unblock_cmd *c = arg;
	char when[TIMEFMT_ISO_LEN], d[64];

	if (!isatty(STDERR_FILENO)) {
		if (!c->counting && left > 0)
			fprintf(stderr, "fpkit: unblock: waiting until %s (%s)\n",
				timefmt_iso_utc(earliest, when),
				timefmt_duration(left, d, sizeof(d)));
		c->counting = left > 0;
		return;
	}
	if (left == 0) {
		fprintf(stderr, "\r\033[Kfpkit: unblock: the earliest unblock time has come\n");
		c->counting = false;
		return;
	}
	fprintf(stderr, "\r\033[Kfpkit: unblock: waiting until %s, %s left",
		timefmt_iso_utc(earliest, when), timefmt_duration(left, d, sizeof(d)));
	fflush(stderr);
	c->counting = true;
}

/* The question, on a terminal only: 1 yes, 0 no, -1 nobody to ask. */
static int
on_confirm(void *arg, const char *plan)
{
	(void)arg;
	return cmd_ask(plan, "Unblock now?");
}

static void
print_json(const struct unblock_result *r, const char *ip)
{
	char when[TIMEFMT_ISO_LEN];
	json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:I, s:o, s:b}",
			      "ip", r->ip ? r->ip : ip,
			      "block", r->block ? json_string(r->block) : json_null(),
			      "state", r->state ? json_string(r->state) : json_null(),
			      "earliest_unblock", r->block ? json_string(timefmt_iso_utc(r->earliest,
										      when)) :
							     json_null(),
			      "remaining_seconds", (json_int_t)r->remaining,
			      "refused_by", r->refused_by ? json_string(r->refused_by) : json_null(),
			      "posted", r->posted);

	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
}

static void
print_text(const struct unblock_cmd *c, const struct unblock_result *r, int outcome)
{
	char when[TIMEFMT_ISO_LEN];

	if (outcome != UNBLOCK_DONE)
		return;
	if (r->posted)
		printf("%s (block %s): unblock accepted, state %s\n", r->ip, r->block, r->state);
	else if (c->opt.dry_run && strcmp(r->state, "blockedForSpam") == 0)
		printf("%s (block %s): every check passed, earliest unblock %s: nothing sent "
		       "(--dry-run)\n", r->ip, r->block, timefmt_iso_utc(r->earliest, when));
	else
		printf("%s (block %s): state %s\n", r->ip, r->block, r->state);
}

int
cmd_unblock(int argc, char **argv, struct error *err)
{
	struct unblock_cmd c;
	struct unblock_result r;
	struct diag d = DIAG_INIT;
	int rc, outcome;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	rc = parse_options(&c, argc, argv, err);
	if (rc <= 0)
		goto out;
	if (c.api.verbose)
		c.api.opt.trace = cmd_trace;
	c.opt.confirm = on_confirm;
	c.opt.countdown = on_countdown;
	c.opt.progress = on_progress;
	c.opt.arg = &c;
	outcome = unblock_run(&c.api, &c.opt, &r, &d, err);
	end_countdown(&c);
	cmd_print_diag(&d, "warning: ");
	if (outcome < 0) {
		rc = -1;
		goto out;
	}
	if (c.json)
		print_json(&r, c.opt.ip);
	else
		print_text(&c, &r, outcome);
	if (r.note)
		cmd_say("unblock: ", r.note);
	if (r.why) {
		fflush(stdout);
		if (outcome == UNBLOCK_TOO_EARLY)
			fprintf(stderr, "fpkit: unblock: %" PRId64 " seconds remain\n", r.remaining);
		cmd_say("unblock: refused: ", r.why);
	}
	rc = outcome == UNBLOCK_DONE ? 0 : outcome == UNBLOCK_TOO_EARLY ? EX_TEMPFAIL : 1;
out:
	unblock_result_release(&r);
	diag_release(&d);
	ovhclient_release(&c.api);
	return rc;
}
