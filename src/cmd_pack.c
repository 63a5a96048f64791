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
	"\n"
	"Build the evidence bundle and the ticket text for one IP blocked for spam.\n"
	"\n"
	"  --ip IP              the blocked address (default: ipSpamming of --spam-ip-json)\n"
	"  --block CIDR         the IP block that holds it, e.g. 203.0.113.0/28\n"
	"  --spam-ip-json FILE  the object of GET /ip/{block}/spam/{ip}, as saved\n"
	"  --stats-json FILE    the array of GET /ip/{block}/spam/{ip}/stats, as saved\n"
	"  --mail PATH          a .eml file, a folder of .eml files or a Maildir\n"
	"                       (repeatable)\n"
	"  -o, --output PATH    an existing folder to write the bundle into, or the\n"
	"                       bundle's file name (default: the current folder)\n"
	"  --force              replace an existing bundle of the same name\n"
	"  --lang LANG          the ticket's language: " TICKET_LANGS " (default: en)\n"
	"  --template FILE      render the ticket with this mustache template\n"
	"  --json               print summary.json (with \"bundle\") instead of the ticket\n"
	"  -h, --help           show this help\n";

enum {
	OPT_IP = 256, OPT_BLOCK, OPT_SPAMIP, OPT_STATS, OPT_MAIL, OPT_FORCE,
	OPT_LANG, OPT_TEMPLATE, OPT_JSON,
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
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* 1: parsed; 0: --help shown; -1: usage error in err. */
static int
parse_options(struct fpkit *fp, int argc, char **argv, struct error *err)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", long_options, NULL)) != -1) {
		switch (c) {
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
	if (fp->spamip_json == NULL && fp->stats_json == NULL)
		return error_set(err, EX_USAGE, "pack: nothing tells about the block: give "
				 "--spam-ip-json, --stats-json or both (saved from the API console)");
	return 1;
}

/* Gather: the case from the saved API documents. */
static int
gather(struct fpkit *fp, struct error *err)
{
	case_set_ip(&fp->kase, fp->ip, fp->block);
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
	if (fp->nr_mail == 0 && fp->finder.nr_targets > 0)
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

/* Package: summary, ticket, the files, the tarball. */
static int
package(struct fpkit *fp, struct error *err)
{
	const char *base;
	json_t *ctx;
	char *top, *text;
	int64_t mtime = 0;
	size_t len;
	int rc;

	if (bundle_mtime(fp, &mtime, err) < 0 || name_bundle(fp, &top, err) < 0)
		return -1;
	bundle_init(&fp->bundle, top, mtime);
	free(top);
	fp->summary = summary_build(&fp->kase, &fp->finder, &fp->samples);
	base = strrchr(fp->bundle_path, '/');
	base = base ? base + 1 : fp->bundle_path;
	ctx = ticket_context(fp->summary, base);
	rc = ticket_render(fp->lang, fp->template_path, ctx, &fp->ticket, &fp->ticket_len, err);
	json_decref(ctx);
	if (rc < 0)
		return -1;

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

		if (s->data)
			bundle_add_data(&fp->bundle, s->file, s->data, s->data_len);
		else
			bundle_add_file(&fp->bundle, s->file, s->hit->path, s->hit->offset,
					s->hit->length, s->sha256);
		text = sample_describe(s);
		bundle_add_take(&fp->bundle, s->check_file, text, strlen(text));
	}
	return bundle_write(&fp->bundle, fp->bundle_path, fp->force, err);
}

static void
report(struct fpkit *fp)
{
	size_t missing = 0;

	cmd_print_diag(&fp->diag, "warning: ");
	for (size_t i = 0; i < fp->finder.nr_targets; i++) {
		if (fp->finder.targets[i].nr_hits == 0) {
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
		missing, fp->finder.nr_targets, fp->finder.nr_targets == 1 ? "" : "s");
	if (!fp->json && fp->finder.nr_targets > 0)
		fprintf(stderr, "fpkit: tick the checklist in the ticket before you send it\n");
}

static void
fpkit_release(struct fpkit *fp)
{
	free(fp->mail);
	case_release(&fp->kase);
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
