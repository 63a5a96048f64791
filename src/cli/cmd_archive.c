/* cmd_archive.c - fpkit archive ls: the events of an archive, a folder
 * or a bucket alike */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "archivedir.h"
#include "cmd.h"
#include "error.h"
#include "textsafe.h"

static const char usage_text[] =
	"usage: fpkit archive ls [--json] DIR|s3://BUCKET/PREFIX\n"
	"\n"
	"List the block events of an archive written by 'fpkit scan --archive': a\n"
	"folder (its index.jsonl) or a bucket (its listing and each bundle's\n"
	"metadata, from every host that writes there).\n"
	"\n"
	"  --json               one JSON object a line: ip, block, state, date, host,\n"
	"                       bundle, sha256, archived_at, missing, and path or url\n"
	"  -h, --help           show this help\n";

enum { OPT_JSON = 256 };

static const struct option long_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *
field(json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v ? v : "-";
}

static void
print_text(json_t *events)
{
	size_t i;
	json_t *o;

	printf("%-20s  %-15s  %-18s  %-20s  %s\n", "BLOCKED AT (UTC)", "IP", "BLOCK", "HOST",
	       "BUNDLE");
	json_array_foreach(events, i, o) {
		const char *where = json_string_value(json_object_get(o, "url"));
		char *shown;

		if (where == NULL)
			where = field(o, "path");
		shown = textsafe_visible(where, strlen(where));
		printf("%-20s  %-15s  %-18s  %-20s  %s\n", field(o, "date"), field(o, "ip"),
		       field(o, "block"), field(o, "host"), shown);
		free(shown);
	}
}

static int
archive_ls(int argc, char **argv, struct error *err)
{
	bool json = false;
	json_t *events = NULL, *o;
	size_t i;
	int c, rc = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cmd_bad_option("archive ls", long_options, argv[optind - 1], err);
		}
	}
	if (optind != argc - 1)
		return error_set(err, EX_USAGE, "archive ls: give one archive, a folder or "
				 "s3://BUCKET/PREFIX: see 'fpkit archive --help'");
	if (archive_dir_list(argv[optind], &events, err) < 0)
		goto out;
	if (json) {
		json_array_foreach(events, i, o) {
			json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
		}
	} else {
		print_text(events);
	}
	rc = 0;
out:
	json_decref(events);
	return rc;
}

int
cmd_archive(int argc, char **argv, struct error *err)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		if (argc < 2)
			return error_set(err, EX_USAGE, "archive: say what to do: 'fpkit archive "
					 "ls DIR'");
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "ls") == 0)
		return archive_ls(argc - 1, argv + 1, err);
	return error_set(err, EX_USAGE, "archive: unknown action '%s': see 'fpkit archive "
			 "--help'", argv[1]);
}
