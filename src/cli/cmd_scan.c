/* cmd_scan.c - fpkit scan: the command line around scan.c, and what it
 * prints (the table, --json, the archive's news, the progress line) */
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
#include "s3archive.h"
#include "scan.h"
#include "textsafe.h"
#include "timefmt.h"

static const char usage_text[] =
	"usage: fpkit scan [OPTIONS]\n"
	"       fpkit scan --archive DIR [--mail PATH]... [OPTIONS]\n"
	"\n"
	"List the IP addresses of the OVH account that are blocked for spam, with\n"
	"the block date and the time left (OVH API credentials needed).\n"
	"\n"
	"  --type TYPE          only the blocks of this type (GET /ip?type=TYPE), such as\n"
	"                       dedicated, failover, vps\n"
	"  --all-states         every IP the anti-spam knows, also unblocked ones\n"
	"  --json               print a JSON array instead of a table\n"
	"  --parallel N         at most N requests at once (default 4)\n"
	OVHCLIENT_USAGE
	"  -h, --help           show this help\n"
	"\n"
	ARCHIVE_DIR_USAGE;

enum { OPT_TYPE = 256, OPT_ALL_STATES, OPT_JSON };

static const struct option long_options[] = {
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "all-states", no_argument, NULL, OPT_ALL_STATES },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "parallel", required_argument, NULL, OVHCLIENT_OPT_PARALLEL },
	OVHCLIENT_LONG_OPTIONS,
	ARCHIVE_DIR_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The command: the scan and what only the command line knows. */
struct scan_cmd {
	struct scan scan;	/* scan.c: the options it takes, the rows */
	bool json;		/* --json */
	struct archive_dir_options arch;	/* --archive and its pack options */
	bool progress_shown;
};

static int
parse_options(struct scan_cmd *s, int argc, char **argv, struct error *err)
{
	int c, r;

	optind = 1;
	opterr = 0;
	if (ovhclient_init(&s->scan.api, err) < 0)
		return -1;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if ((r = ovhclient_option(&s->scan.api, "scan", c, optarg, err)) != 0 ||
		    (r = archive_dir_option(&s->arch, "scan", c, optarg, err)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (c) {
		case OPT_TYPE:
			/* The API's enum grows: only the characters are checked. */
			if (*optarg == '\0' || strspn(optarg, "abcdefghijklmnopqrstuvwxyz"
						      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
			    strlen(optarg))
				return error_set(err, EX_USAGE, "scan: --type '%s' is not an IP type "
						 "such as dedicated, failover or vps", optarg);
			s->scan.type = optarg;
			break;
		case OPT_ALL_STATES: s->scan.all_states = true; break;
		case OPT_JSON: s->json = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "scan: '%s' needs a value: see 'fpkit scan --help'",
					 argv[optind - 1]);
		default:
			return cmd_bad_option("scan", long_options, argv[optind - 1], err);
		}
	}
	if (optind < argc)
		return error_set(err, EX_USAGE, "scan: unexpected argument '%s' (mail stores "
				 "are given with --mail, with --archive): see 'fpkit scan --help'",
				 argv[optind]);
	if (archive_dir_options_check(&s->arch, "scan", err) < 0)
		return -1;
	if (s->arch.dir && s->json)
		return error_set(err, EX_USAGE, "scan: --json and --archive do not go together: "
				 "the archive's index.jsonl is the JSON");
	/* An address unblocked since would be archived as a block event
	 * that is not one (its SpamIp object's date is the last block's). */
	if (s->arch.dir && s->scan.all_states)
		return error_set(err, EX_USAGE, "scan: --all-states and --archive do not go "
				 "together: only the addresses blocked now are block events to "
				 "archive");
	return 1;
}

/* The progress line, on a terminal only. */
static void
progress(void *arg, size_t done, size_t total)
{
	struct scan_cmd *s = arg;

	if (s->scan.phase == NULL)	/* GET /ip alone: nothing to count */
		return;
	fprintf(stderr, "\rfpkit: scan: %s %zu/%zu\033[K", s->scan.phase, done, total);
	s->progress_shown = true;
}

static void
progress_end(struct scan_cmd *s)
{
	if (s->progress_shown)
		fputs("\r\033[K", stderr);
	s->progress_shown = false;
}

/* At date + time the unblock may be asked for (the Control Panel's
 * rule), by the API's clock; only a block still running can be lifted. */
static bool
can_be_unblocked(const struct scan_row *r, int64_t now)
{
	return strcmp(r->spamip.state, "blockedForSpam") == 0 &&
	       r->spamip.date + r->spamip.time <= now;
}

static void
print_json(const struct scan *s)
{
	json_t *arr = json_array();
	char at[TIMEFMT_ISO_LEN], until[TIMEFMT_ISO_LEN];
	int64_t now = ovh_now(&s->api.client);

	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct scan_row *r = &s->rows[i];

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:b}",
			"block", r->block,
			"ip", r->ip,
			"state", r->spamip.state,
			"date", r->spamip.date_raw,
			"time", (json_int_t)r->spamip.time,
			"blocked_at", timefmt_iso_utc(r->spamip.date, at),
			"blocked_until", timefmt_iso_utc(r->spamip.date + r->spamip.time, until),
			"can_be_unblocked", can_be_unblocked(r, now)));
	}
	json_dumpf(arr, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(arr);
}

static void
print_table(const struct scan *s)
{
	static const char *const head[] = { "BLOCK", "IP", "STATE", "BLOCKED SINCE (UTC)",
					    "REMAINING" };
	int64_t now = ovh_now(&s->api.client);
	int w[4];

	for (int k = 0; k < 4; k++)
		w[k] = (int)strlen(head[k]);
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct scan_row *r = &s->rows[i];
		const char *col[3] = { r->block, r->ip, r->spamip.state };

		for (int k = 0; k < 3; k++)
			if ((int)strlen(col[k]) > w[k])
				w[k] = (int)strlen(col[k]);
	}
	w[3] = 19;	/* "2026-11-20 13:32:07" */
	printf("%-*s  %-*s  %-*s  %-*s  %s\n", w[0], head[0], w[1], head[1], w[2], head[2],
	       w[3], head[3], head[4]);
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct scan_row *r = &s->rows[i];
		char at[TIMEFMT_ISO_LEN], left[64];
		int64_t remaining = r->spamip.date + r->spamip.time - now;

		timefmt_iso_utc(r->spamip.date, at);
		at[10] = ' ';
		at[19] = '\0';
		/* "0s" would read as a block still running. */
		if (can_be_unblocked(r, now))
			snprintf(left, sizeof(left), "can be unblocked");
		else if (strcmp(r->spamip.state, "blockedForSpam") == 0)
			timefmt_duration(remaining, left, sizeof(left));
		else
			snprintf(left, sizeof(left), "-");
		printf("%-*s  %-*s  %-*s  %-*s  %s\n", w[0], r->block, w[1], r->ip, w[2],
		       r->spamip.state, w[3], at, left);
	}
}

/* --archive, after each event: each bundle written (stdout), each
 * failure and pack's warnings (stderr). */
static void
report_event(void *arg, const struct scan_row *r, const struct archive_dir_result *res)
{
	char at[TIMEFMT_ISO_LEN];

	(void)arg;
	if (res->outcome == ARCHIVE_DIR_FAILED) {
		char *msg = textsafe_visible(res->err.msg, strlen(res->err.msg));

		timefmt_iso_utc(r->spamip.date, at);
		cmd_print_diag(&res->warnings, "warning: ");
		fprintf(stderr, "fpkit: archive: %s blocked at %s: %s\n", r->ip, at, msg);
		free(msg);
	} else if (res->outcome == ARCHIVE_DIR_ARCHIVED) {
		size_t i;
		json_t *v;

		cmd_print_diag(&res->warnings, "warning: ");
		timefmt_iso_utc(r->spamip.date, at);
		json_array_foreach(res->missing, i, v) {
			char *id = textsafe_visible(json_string_value(v), strlen(json_string_value(v)));

			fprintf(stderr, "fpkit: warning: archive: %s blocked at %s: not found: <%s>\n",
				r->ip, at, id);
			free(id);
		}
		if (res->nr_missing > json_array_size(res->missing))
			fprintf(stderr, "fpkit: warning: archive: %s blocked at %s: ... and %zu more "
				"not found\n", r->ip, at, res->nr_missing - json_array_size(res->missing));
		if (res->nothing_found)
			fprintf(stderr, "fpkit: archive: %s blocked at %s: nothing found: the bundle "
				"holds no message\n", r->ip, at);
		printf("%s\n", res->bundle);
		fflush(stdout);
		if (res->hook_ran && res->hook_err.status) {
			char *msg = textsafe_visible(res->hook_err.msg, strlen(res->hook_err.msg));

			fprintf(stderr, "fpkit: archive: %s blocked at %s: %s: tried again next "
				"run\n", r->ip, at, msg);
			free(msg);
		}
	}
}

/* --archive: every event into the archive, and a count only when
 * something was written, repaired or failed, so that cron mails news
 * only. */
static int
archive_rows(struct scan *s, struct archive_dir *ad, struct error *err)
{
	struct diag d = DIAG_INIT;
	int rc;

	/* The hooks left by earlier runs first: each event's hook in the
	 * order the events came. */
	if (archive_dir_hooks_retry(ad, &d, err) < 0)
		return -1;
	cmd_print_diag(&d, "warning: ");
	diag_release(&d);
	rc = scan_archive(s, ad, report_event, NULL, err);
	archive_dir_finish(ad, &d);
	cmd_print_diag(&d, "warning: ");
	diag_release(&d);

	if (s->nr_archived || s->nr_failed || ad->nr_dropped || ad->nr_added || ad->nr_removed)
		fprintf(stderr, "fpkit: archive '%s': %zu event%s: %zu archived, %zu already "
			"there, %zu failed\n", ad->dir, s->nr_rows, s->nr_rows == 1 ? "" : "s",
			s->nr_archived, s->nr_rows - s->nr_archived - s->nr_failed, s->nr_failed);
	if (ad->nr_hooks_failed) {
		fprintf(stderr, "fpkit: archive '%s': --exec failed for %zu of %zu event%s: "
			"each is tried again by the next run\n", ad->dir, ad->nr_hooks_failed,
			ad->nr_hooks_run, ad->nr_hooks_run == 1 ? "" : "s");
		if (rc == 0) {
			rc = error_set(err, EX_TEMPFAIL, "archive '%s': %zu hook%s failed",
				       ad->dir, ad->nr_hooks_failed,
				       ad->nr_hooks_failed == 1 ? "" : "s");
		}
	}
	/* A failure's status wins; then an event without evidence is 1,
	 * as 'fpkit pack' without --allow-empty, so that cron mails it. */
	if (rc == 0 && s->nr_empty) {
		fprintf(stderr, "fpkit: archive '%s': %zu event%s archived with none of %s "
			"messages found: check the --mail paths\n", ad->dir, s->nr_empty,
			s->nr_empty == 1 ? "" : "s", s->nr_empty == 1 ? "its" : "their");
		rc = 1;
	}
	return rc;
}

int
cmd_scan(int argc, char **argv, struct error *err)
{
	struct archive_dir ad = { .lock_fd = -1 };
	struct scan_cmd cmd;
	struct scan *s = &cmd.scan;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	scan_init(s);
	rc = parse_options(&cmd, argc, argv, err);
	if (rc <= 0)
		goto out;
	rc = -1;
	if (s->api.verbose) {
		s->api.opt.trace = cmd_trace;
	} else if (isatty(STDERR_FILENO)) {
		s->api.opt.progress = progress;
		s->api.opt.arg = &cmd;
	}
	/* The lock comes first: a second run stops before any request. */
	if (cmd.arch.dir && archive_dir_open(&ad, &cmd.arch, &s->diag, err) < 0)
		goto out;
	/* --verbose: the bucket's requests too (never a credential). */
	if (ad.s3 && s->api.verbose) {
		ad.s3->s3.trace = cmd_trace;
		ad.s3->s3.arg = NULL;
	}
	if (scan_run(s, err) < 0) {
		progress_end(&cmd);
		goto out;
	}
	progress_end(&cmd);
	cmd_print_diag(&s->diag, "warning: ");
	if (cmd.arch.dir) {
		diag_release(&s->diag);
		rc = archive_rows(s, &ad, err);
		goto out;
	}
	if (cmd.json)
		print_json(s);
	else
		print_table(s);
	fflush(stdout);
	fprintf(stderr, "fpkit: %zu IP%s %s in %zu IPv4 block%s\n", s->nr_rows,
		s->nr_rows == 1 ? "" : "s",
		s->all_states ? "known to the anti-spam" : "blocked for spam",
		s->nr_blocks, s->nr_blocks == 1 ? "" : "s");
	rc = 0;
out:
	if (rc < 0)
		cmd_print_diag(&s->diag, "warning: ");
	archive_dir_close(&ad);
	archive_dir_options_release(&cmd.arch);
	scan_release(s);
	return rc;
}
