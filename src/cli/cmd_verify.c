/* cmd_verify.c - fpkit verify: check bundles */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "error.h"
#include "textsafe.h"
#include "verify.h"

static const char usage_text[] =
	"usage: fpkit verify [-q] BUNDLE...\n"
	"\n"
	"Check each bundle (a .tar.gz, or the folder of pack --unpacked): every\n"
	"SHA256SUMS line, no file missing or extra, summary.json readable.  The\n"
	"bundle is read as untrusted input: absolute paths, '..', links and\n"
	"oversized entries are refused.\n"
	"\n"
	"  -q, --quiet  print nothing for a bundle that is fine\n"
	"  -h, --help   show this help\n";

static const struct option long_options[] = {
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_verify(int argc, char **argv, struct error *err)
{
	bool quiet = false;
	int c, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hq", long_options, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			return cmd_bad_option("verify", long_options, argv[optind - 1], err);
		}
	}
	if (optind == argc)
		return error_set(err, EX_USAGE, "verify: no bundle given: see 'fpkit verify --help'");
	for (int i = optind; i < argc; i++) {
		struct verify_result res;
		struct diag problems = DIAG_INIT;
		char *name = textsafe_visible(argv[i], strlen(argv[i]));
		char *prefix = NULL;

		/* A bundle that cannot be read at all is reported like the
		 * others' problems, and the rest are still checked. */
		if (verify_bundle(argv[i], &res, &problems, err) < 0) {
			cmd_file_error(err, &status);
		} else if (problems.nr) {
			if (status == 0)
				status = EX_DATAERR;
			if (asprintf(&prefix, "%s: ", name) < 0)
				prefix = NULL;
			cmd_print_diag(&problems, prefix ? prefix : "");
			/* verify_bundle lists the first ones only. */
			if (res.nr_problems > problems.nr) {
				unsigned long more = res.nr_problems - problems.nr;

				fprintf(stderr, "fpkit: %s: ... and %lu more problem%s, not listed\n",
					name, more, more == 1 ? "" : "s");
			}
			fprintf(stderr, "fpkit: '%s' FAILED: %lu problem%s\n", name,
				res.nr_problems, res.nr_problems == 1 ? "" : "s");
			free(prefix);
		} else if (!quiet) {
			printf("%s: OK, %lu files match SHA256SUMS\n", name, res.nr_files);
		}
		verify_result_release(&res);
		diag_release(&problems);
		free(name);
	}
	return status;
}
