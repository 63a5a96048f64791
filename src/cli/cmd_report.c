/* cmd_report.c - fpkit report: the page of a bundle, or of an archive */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <jansson.h>

#include "cmd.h"
#include "error.h"
#include "reporthtml.h"
#include "textsafe.h"
#include "ticket.h"
#include "verify.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: fpkit report [--lang LANG] [-o FILE] BUNDLE\n"
	"       fpkit report --archive DIR [--lang LANG] [-o FILE]\n"
	"\n"
	"Write the page of a bundle (a .tar.gz, or the folder of pack --unpacked),\n"
	"as REPORT.html in the bundle: its timeline, the samples' verdicts and the\n"
	"ticket, from its summary.json and TICKET.txt, after checking the bundle\n"
	"as fpkit verify does.  With --archive, the page of an archive folder of\n"
	"scan --archive (its index.html, from index.jsonl).  One HTML file, no\n"
	"script, nothing fetched.\n"
	"\n"
	"  -o, --output FILE  write the page to FILE (replaced atomically); default:\n"
	"                     standard output, or DIR/index.html with --archive\n"
	"      --archive DIR  the archive's page, not a bundle's\n"
	"      --lang LANG    the page's language: " TICKET_LANGS " (default: the\n"
	"                     ticket's, or en for an archive)\n"
	"  -h, --help         show this help\n";

enum { OPT_ARCHIVE = 256, OPT_LANG };

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "archive", required_argument, NULL, OPT_ARCHIVE },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
emit(const char *out, const char *text, size_t len, struct error *err)
{
	if (out)
		return reporthtml_write(out, text, len, err) < 0 ? -1 : 0;
	if (fwrite(text, 1, len, stdout) != len)
		return error_set(err, EX_IOERR, "report: cannot write standard output");
	return 0;
}

/* The bundle's page, once the bundle passes verify. */
static int
bundle_page(const char *path, const char *lang, const char *out, struct error *err)
{
	struct verify_result res;
	struct diag problems = DIAG_INIT;
	char *name, *text = NULL, *base;
	struct stat st;
	size_t len;
	int rc = -1;

	if (verify_bundle(path, &res, &problems, err) < 0)
		return -1;
	name = textsafe_visible(path, strlen(path));
	if (problems.nr || res.summary == NULL) {
		char *prefix = xasprintf("%s: ", name);

		cmd_print_diag(&problems, prefix);
		free(prefix);
		error_set(err, EX_DATAERR, "report: '%s' does not pass fpkit verify (%lu problem%s): "
			  "no page is written from a bundle that may have been altered", name,
			  res.nr_problems, res.nr_problems == 1 ? "" : "s");
		goto out;
	}
	if (lang == NULL)
		lang = reporthtml_ticket_lang(res.ticket, res.ticket_len);
	/* The bundle's file name, as pack's REPORT.html says it: the
	 * tarball's, or for a folder the tarball pack wrote beside it. */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		base = xasprintf("%s.tar.gz", res.top ? res.top : "bundle");
	} else {
		const char *slash = strrchr(path, '/');

		base = xstrdup(slash ? slash + 1 : path);
	}
	text = reporthtml_bundle(res.summary, res.ticket, res.ticket_len, base, lang, &len);
	free(base);
	rc = emit(out, text, len, err);
out:
	free(text);
	free(name);
	verify_result_release(&res);
	diag_release(&problems);
	return rc;
}

static int
archive_page(const char *dir, const char *lang, const char *out, struct error *err)
{
	char *index = xasprintf("%s/index.jsonl", dir), *page = NULL, *text;
	json_t *events;
	size_t skipped, len;
	int rc = -1;

	if (reporthtml_read_index(index, &events, &skipped, err) < 0)
		goto out;
	if (skipped)
		fprintf(stderr, "fpkit: warning: report: %zu line%s of the index not read (not "
			"JSON objects)\n", skipped, skipped == 1 ? "" : "s");
	text = reporthtml_index(events, lang ? lang : "en", &len);
	json_decref(events);
	if (out == NULL)
		out = page = xasprintf("%s/" REPORTHTML_INDEX, dir);
	rc = emit(out, text, len, err);
	free(text);
out:
	free(page);
	free(index);
	return rc;
}

int
cmd_report(int argc, char **argv, struct error *err)
{
	const char *out = NULL, *archive = NULL, *lang = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", long_options, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case OPT_ARCHIVE: archive = optarg; break;
		case OPT_LANG: lang = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			return cmd_bad_option("report", long_options, argv[optind - 1], err);
		}
	}
	if (lang && !ticket_lang_known(lang))
		return error_set(err, EX_USAGE, "report: no page in language '%s' (known: "
				 TICKET_LANGS ")", lang);
	if (out && strcmp(out, "-") == 0)
		out = NULL;
	if (archive) {
		if (optind != argc)
			return error_set(err, EX_USAGE, "report: --archive takes no bundle: see "
					 "'fpkit report --help'");
		return archive_page(archive, lang, out, err);
	}
	if (optind == argc)
		return error_set(err, EX_USAGE, "report: no bundle given: see 'fpkit report --help'");
	if (optind + 1 < argc)
		return error_set(err, EX_USAGE, "report: one bundle at a time (-o names one page)");
	return bundle_page(argv[optind], lang, out, err);
}
