/* cmd_pack.c - fpkit pack: gather, locate, package */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "cmd.h"
#include "fpkit.h"
#include "summary.h"
#include "textsafe.h"
#include "ticket.h"
#include "timefmt.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: fpkit pack [OPTIONS] (--spam-ip-json FILE | --stats-json FILE)...\n"
	"       fpkit pack [OPTIONS] --ip IP   (asks the OVH API)\n"
	"\n"
	"Build the evidence bundle and the ticket text for one IP blocked for spam.\n"
	"\n"
	"  --ip IP              the blocked address (default: ipSpamming of --spam-ip-json);\n"
	"                       alone, fpkit fetches what the API says about it\n"
	"  --block CIDR         the IP block that holds it, e.g. 203.0.113.0/28\n"
	"  --spam-ip-json FILE  the object of GET /ip/{block}/spam/{ip}, as saved\n"
	"  --stats-json FILE    the array of GET /ip/{block}/spam/{ip}/stats, as saved\n"
	"  --mail PATH          a .eml file, a folder of .eml files or a Maildir\n"
	"                       (repeatable)\n"
	"  --before-block N     also take the N most recent messages dated before\n"
	"                       the block (when no Message-ID is known)\n"
	"  -o, --output PATH    an existing folder to write the bundle into, or the\n"
	"                       bundle's file name (default: the current folder)\n"
	"  --force              replace an existing bundle of the same name\n"
	"  --lang LANG          the ticket's language: " TICKET_LANGS " (default: en)\n"
	"  --template FILE      render the ticket with this mustache template\n"
	"  --json               print summary.json (with \"bundle\") instead of the ticket\n"
	"  --dkim-keys FILE     DKIM keys from FILE (NAME TXT-VALUE lines), not from DNS\n"
	"  --no-dkim            do not verify the samples' DKIM signatures\n"
	"  --date-slack SECONDS how far outside the stats window a sample's Date may\n"
	"                       be (default: 86400)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Without --spam-ip-json and --stats-json (OVH API credentials needed):\n"
	"  --from DATE, --to DATE  the stats window, ISO 8601 with a time zone\n"
	"                       (default: 24 hours before the block date to 1 hour after)\n"
	"  --save-api DIR       also write the answers as DIR/spam-ip.json, DIR/stats.json\n"
	CMD_API_USAGE;

enum {
	OPT_IP = 256, OPT_BLOCK, OPT_SPAMIP, OPT_STATS, OPT_MAIL, OPT_FORCE,
	OPT_LANG, OPT_TEMPLATE, OPT_JSON, OPT_BEFORE_BLOCK,
	OPT_FROM, OPT_TO, OPT_SAVE_API,
	OPT_DKIM_KEYS, OPT_NO_DKIM, OPT_DATE_SLACK,
};

static const struct option long_options[] = {
	{ "ip", required_argument, NULL, OPT_IP },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "spam-ip-json", required_argument, NULL, OPT_SPAMIP },
	{ "stats-json", required_argument, NULL, OPT_STATS },
	{ "mail", required_argument, NULL, OPT_MAIL },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "before-block", required_argument, NULL, OPT_BEFORE_BLOCK },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "save-api", required_argument, NULL, OPT_SAVE_API },
	{ "dkim-keys", required_argument, NULL, OPT_DKIM_KEYS },
	{ "no-dkim", no_argument, NULL, OPT_NO_DKIM },
	{ "date-slack", required_argument, NULL, OPT_DATE_SLACK },
	CMD_API_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --from/--to: an ISO 8601 date with a time zone, as epoch seconds. */
static int
parse_date(const char *name, const char *arg, int64_t *out, struct error *err)
{
	if (timefmt_parse_iso(arg, out) < 0 || *out <= 0)
		return error_set(err, EX_USAGE, "pack: %s '%s' is not an ISO 8601 date and time "
				 "with a time zone, such as 2026-11-20T14:32:07+01:00", name, arg);
	return 0;
}

/* 1: parsed; 0: --help shown; -1: usage error in err. */
static int
parse_options(struct fpkit *fp, int argc, char **argv, struct error *err)
{
	int c, r;

	optind = 1;
	opterr = 0;
	if (cmd_api_init(&fp->api, err) < 0)
		return -1;
	while ((c = getopt_long(argc, argv, ":ho:", long_options, NULL)) != -1) {
		if ((r = cmd_api_option(&fp->api, "pack", c, optarg, err)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (c) {
		case OPT_FROM:
			if (parse_date("--from", optarg, &fp->from, err) < 0)
				return -1;
			break;
		case OPT_TO:
			if (parse_date("--to", optarg, &fp->to, err) < 0)
				return -1;
			break;
		case OPT_SAVE_API: fp->save_api = optarg; break;
		case OPT_DKIM_KEYS: fp->check_opt.dkim_keys = optarg; break;
		case OPT_NO_DKIM: fp->check_opt.no_dkim = true; break;
		case OPT_DATE_SLACK: {
			char *end;
			long long v;

			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v < 0 || errno)
				return error_set(err, EX_USAGE, "pack: --date-slack takes a number of "
						 "seconds, not '%s'", optarg);
			fp->check_opt.date_slack = v;
			break;
		}
		case OPT_IP: fp->ip = optarg; break;
		case OPT_BLOCK: fp->block = optarg; break;
		case OPT_SPAMIP: fp->spamip_json = optarg; break;
		case OPT_STATS: fp->stats_json = optarg; break;
		case OPT_MAIL:
			fp->mail = xgrow(fp->mail, fp->nr_mail + 1, &fp->alloc_mail,
					 sizeof(*fp->mail));
			fp->mail[fp->nr_mail++] = optarg;
			break;
		case 'o': fp->output = optarg; break;
		case OPT_FORCE: fp->force = true; break;
		case OPT_LANG: fp->lang = optarg; break;
		case OPT_TEMPLATE: fp->template_path = optarg; break;
		case OPT_JSON: fp->json = true; break;
		case OPT_BEFORE_BLOCK: {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 1 || v > 10000 || errno)
				return error_set(err, EX_USAGE, "pack: --before-block takes a number "
						 "of messages from 1 to 10000, not '%s'", optarg);
			fp->before_block = (size_t)v;
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "pack: '%s' needs a value: see 'fpkit pack --help'",
					 argv[optind - 1]);
		default:
			return error_set(err, EX_USAGE, "pack: unknown option '%s': see 'fpkit pack --help'",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return error_set(err, EX_USAGE, "pack: unexpected argument '%s' "
				 "(mail stores are given with --mail)", argv[optind]);
	if (fp->template_path == NULL && !ticket_lang_known(fp->lang))
		return error_set(err, EX_USAGE, "pack: no ticket in language '%s' (known: "
				 TICKET_LANGS "; or give --template)", fp->lang);
	/* Saved documents win: the API is asked only when none is given. */
	if (fp->spamip_json == NULL && fp->stats_json == NULL) {
		if (fp->ip == NULL)
			return error_set(err, EX_USAGE, "pack: nothing tells about the block: give "
					 "--spam-ip-json, --stats-json or both (saved from the API "
					 "console), or --ip to ask the OVH API");
		fp->fetch = true;
	}
	if (!fp->fetch && (fp->save_api || fp->from || fp->to))
		return error_set(err, EX_USAGE, "pack: --save-api, --from and --to apply only when "
				 "fpkit asks the API, without --spam-ip-json and --stats-json");
	if ((fp->from == 0) != (fp->to == 0))
		return error_set(err, EX_USAGE, "pack: give both --from and --to, or neither");
	if (fp->from && fp->from >= fp->to)
		return error_set(err, EX_USAGE, "pack: --from must come before --to");
	return 1;
}

/* Gather from the API: the block, its SpamIp object and its stats. */
static int
fetch(struct fpkit *fp, struct error *err)
{
	int rc = -1;

	/* The IP and the block are checked before anything is asked. */
	if (case_settle(&fp->kase, err) < 0)
		return -1;
	if (cmd_api_connect(&fp->api, &fp->diag, err) < 0) {
		if (strncmp(err->msg, "no OVH API credentials", 22) == 0)
			error_prefix(err, "pack: without --spam-ip-json or --stats-json, fpkit asks "
				     "the API");
		return -1;
	}
	if (case_fetch(&fp->kase, &fp->api.client, fp->from, fp->to, err) < 0)
		goto out;
	if (fp->save_api && case_save_api(&fp->kase, fp->save_api, err) < 0)
		goto out;
	rc = 0;
out:
	cmd_api_release(&fp->api);
	return rc;
}

/* Gather: the case from the saved API documents, or from the API. */
static int
gather(struct fpkit *fp, struct error *err)
{
	case_set_ip(&fp->kase, fp->ip, fp->block);
	if (fp->fetch && fetch(fp, err) < 0)
		return -1;
	if (fp->spamip_json && case_load_spamip(&fp->kase, fp->spamip_json, err) < 0)
		return -1;
	if (fp->stats_json && case_load_stats(&fp->kase, fp->stats_json, err) < 0)
		return -1;
	if (case_settle(&fp->kase, err) < 0)
		return -1;
	if (!fp->kase.has_blocked_at)
		return error_set(err, EX_DATAERR, "pack: no block date in the documents given");
	return 0;
}

/* Locate: every target id in every store. */
static int
locate(struct fpkit *fp, struct error *err)
{
	const struct model_stats *st = &fp->kase.stats;

	for (size_t i = 0; i < st->nr_targets; i++)
		if (finder_add_target(&fp->finder, st->targets[i].message_id) < 0)
			diag_add(&fp->diag, "target %zu has an empty Message-ID: it cannot be searched",
				 i + 1);
	if (fp->before_block)
		finder_want_recent(&fp->finder, fp->before_block, fp->kase.blocked_at);
	if (fp->nr_mail == 0 && (fp->finder.nr_targets > 0 || fp->before_block))
		diag_add(&fp->diag, "no --mail given: no message was searched for");
	for (size_t i = 0; i < fp->nr_mail; i++)
		if (finder_scan(&fp->finder, fp->mail[i], err) < 0)
			return -1;
	finder_sort(&fp->finder);
	return sample_collect(&fp->samples, &fp->finder, err);
}

/* The bundle's top folder and file name, and where to write it. */
static int
name_bundle(struct fpkit *fp, char **top, struct error *err)
{
	char when[TIMEFMT_ISO_LEN];
	struct stat st;
	char *file;

	*top = xasprintf("fpkit-%s-%s", fp->kase.ip,
			 timefmt_compact_utc(fp->kase.blocked_at, when));
	file = xasprintf("%s.tar.gz", *top);
	if (fp->output == NULL)
		fp->bundle_path = xstrdup(file);
	else if (stat(fp->output, &st) == 0 && S_ISDIR(st.st_mode))
		fp->bundle_path = xasprintf("%s%s%s", fp->output,
					    fp->output[strlen(fp->output) - 1] == '/' ? "" : "/", file);
	else if (*fp->output && fp->output[strlen(fp->output) - 1] == '/')
		error_set(err, EX_CANTCREAT, "pack: -o '%s': no such folder: create it first",
			  fp->output);
	else
		fp->bundle_path = xstrdup(fp->output);
	free(file);
	if (fp->bundle_path == NULL) {
		free(*top);
		*top = NULL;
		return -1;
	}
	return 0;
}

/* Every entry's mtime: SOURCE_DATE_EPOCH when set (reproducible-builds
 * convention: a malformed value is an error, not ignored), else the block
 * time. */
static int
bundle_mtime(const struct fpkit *fp, int64_t *mtime, struct error *err)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (sde && *sde) {
		errno = 0;
		v = strtoll(sde, &end, 10);
		if (*end != '\0' || v < 0 || errno)
			return error_set(err, EX_USAGE, "SOURCE_DATE_EPOCH='%.32s' is not a number "
					 "of seconds since 1970", sde);
		*mtime = v;
		return 0;
	}
	*mtime = fp->kase.blocked_at > 0 ? fp->kase.blocked_at : 0;
	return 0;
}

/* Check: every sample's integrity, DKIM and best practices, into
 * fp->checks and the summary's samples.  The Date must fall in the stats
 * window: from the first target's sending date to the block.  DKIM is
 * verified as of the block time, so that the same inputs give the same
 * findings whenever pack runs (DNS answers aside). */
static int
check_samples(struct fpkit *fp, struct checks *chk, struct error *err)
{
	const struct model_stats *st = &fp->kase.stats;
	struct checks_options o = fp->check_opt;
	json_t *samples = json_object_get(fp->summary, "samples");

	o.ip = fp->kase.ip;
	if (fp->kase.has_blocked_at) {
		o.has_window = true;
		o.window_from = o.window_to = fp->kase.blocked_at;
		for (size_t i = 0; fp->kase.has_stats && i < st->nr_targets; i++) {
			if (st->targets[i].date < o.window_from)
				o.window_from = st->targets[i].date;
			if (st->targets[i].date > o.window_to)
				o.window_to = st->targets[i].date;
		}
		o.has_dkim_time = true;
		o.dkim_time = fp->kase.blocked_at;
	}
	if (checks_init(chk, &o, err) < 0) {
		error_prefix(err, "pack");
		return -1;
	}
	fp->checks = xcalloc(fp->samples.nr ? fp->samples.nr : 1, sizeof(*fp->checks));
	for (size_t i = 0; i < fp->samples.nr; i++) {
		const struct sample *s = &fp->samples.items[i];
		const char *target = *s->message_id ? s->message_id : NULL;

		if (s->data)
			checks_run(chk, s->data, s->data_len, target, &fp->checks[i]);
		else if (checks_run_file(chk, s->hit->path, s->hit->offset, s->hit->length,
					 target, &fp->checks[i], err) < 0)
			return -1;
		summary_set_checks(json_array_get(samples, i), checks_to_json(&fp->checks[i], chk));
		if (!fp->checks[i].intact) {
			const struct check_list *p = &fp->checks[i].problems;
			char ids[256] = "";
			size_t n = 0;

			for (size_t k = 0; k < p->nr && n + 2 < sizeof(ids); k++)
				n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%s", k ? ", " : "",
						      p->items[k].id);
			diag_add(&fp->diag, "sample '%s' is NOT INTACT (%s): support may refuse it; "
				 "packed anyway, see '%s' and look for a better copy", s->file, ids,
				 s->check_file);
		}
	}
	return 0;
}

/* Package: summary with the checks, ticket, the files, the tarball. */
static int
package(struct fpkit *fp, struct error *err)
{
	struct checks chk;
	const char *base;
	json_t *ctx;
	char *top, *text;
	int64_t mtime = 0;
	size_t len;
	int rc = -1;

	memset(&chk, 0, sizeof(chk));
	if (bundle_mtime(fp, &mtime, err) < 0 || name_bundle(fp, &top, err) < 0)
		return -1;
	bundle_init(&fp->bundle, top, mtime);
	free(top);
	fp->summary = summary_build(&fp->kase, &fp->finder, &fp->samples);
	if (check_samples(fp, &chk, err) < 0)
		goto out;
	base = strrchr(fp->bundle_path, '/');
	base = base ? base + 1 : fp->bundle_path;
	ctx = ticket_context(fp->summary, base);
	rc = ticket_render(fp->lang, fp->template_path, ctx, &fp->ticket, &fp->ticket_len, err);
	json_decref(ctx);
	if (rc < 0)
		goto out;

	bundle_add_data(&fp->bundle, "TICKET.txt", fp->ticket, fp->ticket_len);
	text = summary_dump(fp->summary, &len);
	bundle_add_take(&fp->bundle, "summary.json", text, len);
	if (fp->kase.has_spamip)
		bundle_add_data(&fp->bundle, "api/spam-ip.json", fp->kase.spamip_raw.buf,
				fp->kase.spamip_raw.len);
	if (fp->kase.has_stats)
		bundle_add_data(&fp->bundle, "api/stats.json", fp->kase.stats_raw.buf,
				fp->kase.stats_raw.len);
	for (size_t i = 0; i < fp->samples.nr; i++) {
		const struct sample *s = &fp->samples.items[i];
		char *desc, *found;

		if (s->data)
			bundle_add_data(&fp->bundle, s->file, s->data, s->data_len);
		else
			bundle_add_file(&fp->bundle, s->file, s->hit->path, s->hit->offset,
					s->hit->length, s->sha256);
		/* checks/NN-<id>.txt: where the sample came from, then what
		 * fpkit check finds in it. */
		desc = sample_describe(s);
		found = checks_render_text(&fp->checks[i], &chk, s->file);
		text = xasprintf("%s\n%s", desc, found);
		free(desc);
		free(found);
		bundle_add_take(&fp->bundle, s->check_file, text, strlen(text));
	}
	rc = bundle_write(&fp->bundle, fp->bundle_path, fp->force, err);
out:
	checks_release(&chk);
	return rc;
}

static void
report(struct fpkit *fp)
{
	size_t missing = 0, nr_targets = 0;

	cmd_print_diag(&fp->diag, "warning: ");
	for (size_t i = 0; i < fp->finder.nr_targets; i++) {
		nr_targets += !fp->finder.targets[i].recent;
		if (fp->finder.targets[i].nr_hits == 0 && !fp->finder.targets[i].recent) {
			char *id = textsafe_visible(fp->finder.targets[i].shown,
						    strlen(fp->finder.targets[i].shown));

			fprintf(stderr, "fpkit: warning: not found: <%s>\n", id);
			free(id);
			missing++;
		}
	}
	if (fp->json) {
		json_object_set_new(fp->summary, "bundle", json_string(fp->bundle_path));
		json_dumpf(fp->summary, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		fwrite(fp->ticket, 1, fp->ticket_len, stdout);
	}
	/* The summary lines come after the ticket, also when both streams
	 * go to one file. */
	fflush(stdout);
	fprintf(stderr, "fpkit: wrote '%s': %zu sample%s, %zu of %zu target%s not found\n",
		fp->bundle_path, fp->samples.nr, fp->samples.nr == 1 ? "" : "s",
		missing, nr_targets, nr_targets == 1 ? "" : "s");
	if (fp->before_block && fp->finder.nr_undated)
		fprintf(stderr, "fpkit: %" PRIu64 " message%s without a readable Date could not be "
			"considered for --before-block\n", fp->finder.nr_undated,
			fp->finder.nr_undated == 1 ? "" : "s");
	if (!fp->json && fp->finder.nr_targets > 0)
		fprintf(stderr, "fpkit: tick the checklist in the ticket before you send it\n");
}

static void
fpkit_release(struct fpkit *fp)
{
	free(fp->mail);
	case_release(&fp->kase);
	for (size_t i = 0; fp->checks && i < fp->samples.nr; i++)
		checks_result_release(&fp->checks[i]);
	free(fp->checks);
	sample_list_release(&fp->samples);
	finder_release(&fp->finder);
	json_decref(fp->summary);
	free(fp->ticket);
	bundle_release(&fp->bundle);
	free(fp->bundle_path);
	diag_release(&fp->diag);
}

int
cmd_pack(int argc, char **argv, struct error *err)
{
	struct fpkit fp;
	int rc;

	memset(&fp, 0, sizeof(fp));
	fp.lang = "en";
	fp.check_opt.date_slack = CHECKS_DATE_SLACK_DEFAULT;
	case_init(&fp.kase);
	finder_init(&fp.finder, &fp.diag);
	rc = parse_options(&fp, argc, argv, err);
	if (rc <= 0)
		goto out;
	if (gather(&fp, err) < 0 || locate(&fp, err) < 0 || package(&fp, err) < 0) {
		cmd_print_diag(&fp.diag, "warning: ");
		rc = -1;
		goto out;
	}
	report(&fp);
	rc = 0;
out:
	fpkit_release(&fp);
	return rc;
}
