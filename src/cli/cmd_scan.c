/* cmd_scan.c - fpkit scan: every IP of the account blocked for spam
 *
 * Three rounds of calls, each run in parallel by ovh_run: GET /ip for
 * the blocks, GET /ip/{block}/spam for the IPs of each IPv4 block, and
 * GET /ip/{block}/spam/{ip} for the date and time of each IP. */
#include "config.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "archivedir.h"
#include "cmd.h"
#include "error.h"
#include "model.h"
#include "netaddr.h"
#include "ovhapi.h"
#include "ovhclient.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

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

/* One IP the anti-spam knows. */
struct scan_row {
	const char *block;	/* borrowed from struct scan's blocks */
	char *ip;
	struct model_spamip spamip;
	char *spamip_raw;	/* ... as received, for --archive's bundles */
	size_t spamip_len;
};

struct scan {
	const char *type;	/* --type */
	bool all_states;	/* --all-states */
	bool json;		/* --json */
	struct archive_dir_options arch;	/* --archive and its pack options */
	struct ovhclient api;
	char **blocks;		/* the IPv4 blocks of the account */
	size_t nr_blocks, alloc_blocks;
	size_t nr_other;	/* IPv6 blocks, passed over */
	struct scan_row *rows;
	size_t nr_rows, alloc_rows;
	const char *phase;	/* for the progress line */
	bool progress_shown;
	struct diag diag;
};

static int
parse_options(struct scan *s, int argc, char **argv, struct error *err)
{
	int c, r;

	optind = 1;
	opterr = 0;
	if (ovhclient_init(&s->api, err) < 0)
		return -1;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if ((r = ovhclient_option(&s->api, "scan", c, optarg, err)) != 0 ||
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
			s->type = optarg;
			break;
		case OPT_ALL_STATES: s->all_states = true; break;
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
		return error_set(err, EX_USAGE, "scan: unexpected argument '%s'", argv[optind]);
	if (archive_dir_options_check(&s->arch, "scan", err) < 0)
		return -1;
	if (s->arch.dir && s->json)
		return error_set(err, EX_USAGE, "scan: --json and --archive do not go together: "
				 "the archive's index.jsonl is the JSON");
	/* An address unblocked since would be archived as a block event
	 * that is not one (its SpamIp object's date is the last block's). */
	if (s->arch.dir && s->all_states)
		return error_set(err, EX_USAGE, "scan: --all-states and --archive do not go "
				 "together: only the addresses blocked now are block events to "
				 "archive");
	return 1;
}

/* The progress line, on a terminal only. */
static void
progress(void *arg, size_t done, size_t total)
{
	struct scan *s = arg;

	if (s->phase == NULL)	/* GET /ip alone: nothing to count */
		return;
	fprintf(stderr, "\rfpkit: scan: %s %zu/%zu\033[K", s->phase, done, total);
	s->progress_shown = true;
}

static void
progress_end(struct scan *s)
{
	if (s->progress_shown)
		fputs("\r\033[K", stderr);
	s->progress_shown = false;
}

/* GET /ip: the IPv4 blocks. */
static int
list_blocks(struct scan *s, struct error *err)
{
	struct ovh_call call;
	size_t i;
	json_t *v;
	int rc = -1;

	ovhapi_ip_blocks(&call, NULL, s->type);
	if (ovh_get(&s->api.client, &call, err) < 0 || ovhapi_check_blocks(&call, err) < 0)
		goto out;
	json_array_foreach(call.json, i, v) {
		const char *b = json_string_value(v);

		/* The anti-spam blocks IPv4 addresses only. */
		if (strchr(b, ':')) {
			s->nr_other++;
			continue;
		}
		s->blocks = xgrow(s->blocks, s->nr_blocks + 1, &s->alloc_blocks,
				  sizeof(*s->blocks));
		s->blocks[s->nr_blocks++] = xstrdup(b);
	}
	rc = 0;
out:
	ovh_call_release(&call);
	return rc;
}

static void
release_calls(struct ovh_call *calls, struct ovh_call **ptrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ovh_call_release(&calls[i]);
	free(calls);
	free(ptrs);
}

/* GET /ip/{block}/spam[?state=blockedForSpam] for every block. */
static int
list_ips(struct scan *s, struct error *err)
{
	struct ovh_call *calls = xcalloc(s->nr_blocks + 1, sizeof(*calls));
	struct ovh_call **ptrs = xcalloc(s->nr_blocks + 1, sizeof(*ptrs));
	int rc = -1;

	for (size_t i = 0; i < s->nr_blocks; i++) {
		ovhapi_spam_ips(&calls[i], s->blocks[i], s->all_states ? NULL : "blockedForSpam");
		ptrs[i] = &calls[i];
	}
	s->phase = "blocks";
	if (ovh_run(&s->api.client, ptrs, s->nr_blocks, err) < 0)
		goto out;
	for (size_t i = 0; i < s->nr_blocks; i++) {
		size_t j;
		json_t *v;

		GHashTable *seen;

		if (ovhapi_check_spam_ips(&calls[i], err) < 0)
			goto out;
		/* Only addresses of the block, once each: that bounds the rows
		 * (and the calls that follow) by the block's size. */
		seen = g_hash_table_new(g_str_hash, g_str_equal);
		json_array_foreach(calls[i].json, j, v) {
			struct scan_row *r;
			const char *ip = json_string_value(v);

			if (!netaddr_block_contains(s->blocks[i], ip)) {
				diag_add(&s->diag, "GET /ip/%s/spam listed %s, which is not in the "
					 "block: passed over", s->blocks[i], ip);
				continue;
			}
			if (!g_hash_table_add(seen, (gpointer)ip))
				continue;

			s->rows = xgrow(s->rows, s->nr_rows + 1, &s->alloc_rows, sizeof(*s->rows));
			r = &s->rows[s->nr_rows++];
			memset(r, 0, sizeof(*r));
			r->block = s->blocks[i];
			r->ip = xstrdup(ip);
		}
		g_hash_table_destroy(seen);
	}
	rc = 0;
out:
	release_calls(calls, ptrs, s->nr_blocks);
	return rc;
}

/* GET /ip/{block}/spam/{ip} for every IP found. */
static int
describe_ips(struct scan *s, struct error *err)
{
	struct ovh_call *calls = xcalloc(s->nr_rows + 1, sizeof(*calls));
	struct ovh_call **ptrs = xcalloc(s->nr_rows + 1, sizeof(*ptrs));
	int rc = -1;

	for (size_t i = 0; i < s->nr_rows; i++) {
		ovhapi_spam_ip(&calls[i], s->rows[i].block, s->rows[i].ip);
		ptrs[i] = &calls[i];
	}
	s->phase = "IPs";
	if (ovh_run(&s->api.client, ptrs, s->nr_rows, err) < 0)
		goto out;
	for (size_t i = 0; i < s->nr_rows; i++) {
		char *name = xasprintf("GET %s", calls[i].path);
		int r = model_parse_spamip(calls[i].body.buf, calls[i].body.len, name,
					   &s->rows[i].spamip, err);

		free(name);
		if (r < 0) {
			err->status = EX_PROTOCOL;
			goto out;
		}
		if (strcmp(s->rows[i].spamip.ip, s->rows[i].ip) != 0) {
			error_set(err, EX_PROTOCOL, "GET %s: the answer is about %s, not %s",
				  calls[i].path, s->rows[i].spamip.ip, s->rows[i].ip);
			goto out;
		}
		s->rows[i].spamip_raw = strbuf_detach(&calls[i].body, &s->rows[i].spamip_len);
	}
	rc = 0;
out:
	release_calls(calls, ptrs, s->nr_rows);
	return rc;
}

/* Order: block, then IP, numerically. */
static int
addr_cmp(const char *a, const char *b)
{
	struct in_addr x, y;
	char ab[INET_ADDRSTRLEN], bb[INET_ADDRSTRLEN];

	snprintf(ab, sizeof(ab), "%.*s", (int)strcspn(a, "/"), a);
	snprintf(bb, sizeof(bb), "%.*s", (int)strcspn(b, "/"), b);
	if (inet_pton(AF_INET, ab, &x) == 1 && inet_pton(AF_INET, bb, &y) == 1 &&
	    x.s_addr != y.s_addr)
		return ntohl(x.s_addr) < ntohl(y.s_addr) ? -1 : 1;
	return strcmp(a, b);
}

static int
row_cmp(const void *pa, const void *pb)
{
	const struct scan_row *a = pa, *b = pb;
	int c = addr_cmp(a->block, b->block);

	return c ? c : addr_cmp(a->ip, b->ip);
}

static void
print_json(const struct scan *s)
{
	json_t *arr = json_array();
	char at[TIMEFMT_ISO_LEN], until[TIMEFMT_ISO_LEN];

	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct scan_row *r = &s->rows[i];

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}",
			"block", r->block,
			"ip", r->ip,
			"state", r->spamip.state,
			"date", r->spamip.date_raw,
			"time", (json_int_t)r->spamip.time,
			"blocked_at", timefmt_iso_utc(r->spamip.date, at),
			"blocked_until", timefmt_iso_utc(r->spamip.date + r->spamip.time, until)));
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
		if (strcmp(r->spamip.state, "blockedForSpam") == 0)
			timefmt_duration(remaining, left, sizeof(left));
		else
			snprintf(left, sizeof(left), "-");
		printf("%-*s  %-*s  %-*s  %-*s  %s\n", w[0], r->block, w[1], r->ip, w[2],
		       r->spamip.state, w[3], at, left);
	}
}

static void
scan_release(struct scan *s)
{
	ovhclient_release(&s->api);
	for (size_t i = 0; i < s->nr_blocks; i++)
		free(s->blocks[i]);
	free(s->blocks);
	for (size_t i = 0; i < s->nr_rows; i++) {
		free(s->rows[i].ip);
		model_spamip_release(&s->rows[i].spamip);
		free(s->rows[i].spamip_raw);
	}
	free(s->rows);
	archive_dir_options_release(&s->arch);
	diag_release(&s->diag);
}

/* --archive: every event into the archive.  Printed: each bundle
 * written (stdout), each failure and pack's warnings (stderr), and a
 * count only when something was written, repaired or failed, so that
 * cron mails news only. */
static int
archive_rows(struct scan *s, struct archive_dir *ad, struct error *err)
{
	size_t nr_new = 0, nr_failed = 0;
	int status = 0;

	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct scan_row *r = &s->rows[i];
		struct archive_event ev = { r->block, r->ip, r->spamip_raw, r->spamip_len,
					    r->spamip.date };
		struct archive_dir_result res;
		char at[TIMEFMT_ISO_LEN];

		timefmt_iso_utc(r->spamip.date, at);
		if (archive_dir_add(ad, &ev, &s->api.client, &res) < 0) {
			char *msg = textsafe_visible(res.err.msg, strlen(res.err.msg));

			cmd_print_diag(&res.warnings, "warning: ");
			fprintf(stderr, "fpkit: archive: %s blocked at %s: %s\n", r->ip, at, msg);
			free(msg);
			if (nr_failed++ == 0)
				status = res.err.status ? res.err.status : EX_SOFTWARE;
		} else if (res.outcome == ARCHIVE_DIR_ARCHIVED) {
			cmd_print_diag(&res.warnings, "warning: ");
			printf("%s\n", res.bundle);
			fflush(stdout);
			nr_new++;
		}
		archive_dir_result_release(&res);
	}
	if (nr_new || nr_failed || ad->nr_dropped || ad->nr_added || ad->nr_removed)
		fprintf(stderr, "fpkit: archive '%s': %zu event%s: %zu archived, %zu already "
			"there, %zu failed\n", ad->dir, s->nr_rows, s->nr_rows == 1 ? "" : "s",
			nr_new, s->nr_rows - nr_new - nr_failed, nr_failed);
	if (nr_failed)
		return error_set(err, status, "scan: archive '%s': %zu of %zu event%s could not be "
				 "archived: the next run tries again", ad->dir, nr_failed, s->nr_rows,
				 s->nr_rows == 1 ? "" : "s");
	return 0;
}

int
cmd_scan(int argc, char **argv, struct error *err)
{
	struct archive_dir ad = { .lock_fd = -1 };
	struct scan s;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = parse_options(&s, argc, argv, err);
	if (rc <= 0)
		goto out;
	rc = -1;
	if (s.api.verbose)
		s.api.opt.trace = cmd_trace;
	else if (isatty(STDERR_FILENO)) {
		s.api.opt.progress = progress;
		s.api.opt.arg = &s;
	}
	/* The lock comes first: a second run stops before any request. */
	if (s.arch.dir && archive_dir_open(&ad, &s.arch, &s.diag, err) < 0)
		goto out;
	if (ovhclient_connect(&s.api, &s.diag, err) < 0)
		goto out;
	if (list_blocks(&s, err) < 0 || list_ips(&s, err) < 0 || describe_ips(&s, err) < 0) {
		progress_end(&s);
		goto out;
	}
	progress_end(&s);
	if (s.nr_rows > 1)
		qsort(s.rows, s.nr_rows, sizeof(*s.rows), row_cmp);
	cmd_print_diag(&s.diag, "warning: ");
	if (s.arch.dir) {
		diag_release(&s.diag);
		rc = archive_rows(&s, &ad, err);
		goto out;
	}
	if (s.json)
		print_json(&s);
	else
		print_table(&s);
	fflush(stdout);
	fprintf(stderr, "fpkit: %zu IP%s %s in %zu IPv4 block%s\n", s.nr_rows,
		s.nr_rows == 1 ? "" : "s",
		s.all_states ? "known to the anti-spam" : "blocked for spam",
		s.nr_blocks, s.nr_blocks == 1 ? "" : "s");
	rc = 0;
out:
	if (rc < 0)
		cmd_print_diag(&s.diag, "warning: ");
	archive_dir_close(&ad);
	scan_release(&s);
	return rc;
}
