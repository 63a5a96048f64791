/* cmd_find.c - fpkit find: where the messages with given Message-IDs are */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "finder.h"
#include "idlist.h"
#include "textsafe.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: fpkit find [--json] (--msgid ID | --msgid-file FILE)... PATH...\n"
	"\n"
	"Print where the messages whose own Message-ID header is one of the IDs\n"
	"are stored: one line per message found, tab-separated: the Message-ID,\n"
	"the file, the byte offset of the message in it and its length.\n"
	"A PATH is a mail store: a message file of any name; an mbox (mboxo or\n"
	"mboxrd), plain or compressed with gzip, xz, bzip2 or zstd (told by its\n"
	"content, not its name); a Maildir (cur/ and new/, and its Maildir++\n"
	"folders); an MH folder; or any folder, searched recursively for all of\n"
	"these (files taken as messages by their content, whatever their names);\n"
	"or dovecot:USER[/MAILBOX][?config=FILE], dovecot:* (Dovecot's mail\n"
	"through doveadm), imaps://USER@HOST/MAILBOX (the password from ~/.netrc\n"
	"or asked on the terminal).\n"
	"\n"
	"  --msgid ID         a Message-ID, with or without <> (repeatable)\n"
	"  --msgid-file FILE  Message-IDs, one a line, with or without <> ('-' for\n"
	"                     standard input); blank lines and # comments are\n"
	"                     allowed, any other line that is not a Message-ID\n"
	"                     stops the command (exit 65)\n"
	"  --json             one JSON object per line: message_id, path, offset,\n"
	"                     length, format, compression\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0 when every ID was found, 1 when some was not (they are\n"
	"listed on standard error).\n";

static const struct option long_options[] = {
	{ "msgid", required_argument, NULL, 'm' },
	{ "msgid-file", required_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct progress {
	bool on;		/* stderr is a terminal */
	struct timespec start;
	bool shown;
};

static double
elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Called by the finder now and then: a line on the terminal once the
 * search has taken a second. */
static void
show_progress(const struct finder *f, void *data)
{
	struct progress *pr = data;

	if (!pr->on || elapsed(&pr->start) < 1.0)
		return;
	fprintf(stderr, "\rfpkit: %" PRIu64 " messages searched, %zu found ", f->nr_messages,
		f->nr_hits);
	pr->shown = true;
}

static void
print_hit(const struct finder *f, const struct finder_hit *h, bool json)
{
	const char *id = f->targets->items[h->target].shown;

	if (json) {
		json_t *o = json_pack("{s:s?, s:s?, s:I, s:I, s:s, s:s?}",
			"message_id", id, "path", h->path,
			"offset", (json_int_t)h->offset, "length", (json_int_t)h->length,
			"format", store_format_name(h->format), "compression", h->compression);
		char *line;

		if (o == NULL) {	/* not UTF-8: shown with \xHH */
			char *vid = textsafe_visible(id, strlen(id));
			char *vpath = textsafe_visible(h->path, strlen(h->path));

			o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s?}",
				"message_id", vid, "path", vpath,
				"offset", (json_int_t)h->offset, "length", (json_int_t)h->length,
				"format", store_format_name(h->format), "compression", h->compression);
			free(vid);
			free(vpath);
		}
		line = json_dumps(o, JSON_COMPACT);
		puts(line);
		free(line);
		json_decref(o);
	} else {
		char *vid = textsafe_visible(id, strlen(id));
		char *vpath = textsafe_visible(h->path, strlen(h->path));

		printf("%s\t%s\t%" PRId64 "\t%" PRId64 "\n", vid, vpath, h->offset, h->length);
		free(vid);
		free(vpath);
	}
}

int
cmd_find(int argc, char **argv, struct error *err)
{
	struct diag diag = DIAG_INIT;
	struct targets targets;
	struct finder f;
	struct progress pr;
	const char *id_file = NULL;	/* the last --msgid-file */
	bool json = false;
	size_t missing = 0;
	int c, rc = -1;

	targets_init(&targets);
	finder_init(&f, &targets, &diag);
	memset(&pr, 0, sizeof(pr));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (targets_add(&targets, optarg, NULL) < 0) {
				error_set(err, EX_USAGE, "find: --msgid '%s' is no Message-ID: give "
					  "one, with or without <>, such as id@example.com", optarg);
				goto out;
			}
			break;
		case 'f':
			if (idlist_read(&targets, optarg, err) < 0) {
				error_prefix(err, "find: --msgid-file");
				goto out;
			}
			id_file = optarg;
			break;
		case 'j': json = true; break;
		case 'h':
			fputs(usage_text, stdout);
			rc = 0;
			goto out;
		case ':':
			error_set(err, EX_USAGE, "find: '%s' needs a value: see 'fpkit find --help'",
				  argv[optind - 1]);
			goto out;
		default:
			cmd_bad_option("find", long_options, argv[optind - 1], err);
			goto out;
		}
	}
	if (targets.nr == 0 && id_file) {
		error_set(err, EX_USAGE, "find: --msgid-file %s%s%s holds no Message-ID, only "
			  "empty or # lines: put one Message-ID a line in it",
			  strcmp(id_file, "-") ? "'" : "",
			  strcmp(id_file, "-") ? id_file : "standard input",
			  strcmp(id_file, "-") ? "'" : "");
		goto out;
	}
	if (targets.nr == 0) {
		error_set(err, EX_USAGE, "find: no Message-ID given: use --msgid or --msgid-file");
		goto out;
	}
	if (optind == argc) {
		error_set(err, EX_USAGE, "find: no mail store given: see 'fpkit find --help'");
		goto out;
	}
	pr.on = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &pr.start);
	f.progress = show_progress;
	f.progress_data = &pr;
	for (int i = optind; i < argc; i++) {
		if (finder_scan(&f, argv[i], err) < 0)
			goto out;
	}
	if (pr.shown)
		fputs("\r\033[K", stderr);
	finder_sort(&f);
	cmd_print_diag(&diag, "warning: ");
	for (size_t i = 0; i < f.nr_hits; i++)
		print_hit(&f, &f.hits[i], json);
	for (size_t i = 0; i < targets.nr; i++) {
		if (targets.items[i].nr_hits == 0) {
			char *v = textsafe_visible(targets.items[i].shown,
						   strlen(targets.items[i].shown));

			fprintf(stderr, "fpkit: not found: <%s>\n", v);
			free(v);
			missing++;
		}
	}
	rc = missing ? 1 : 0;
out:
	if (pr.shown && rc < 0)
		fputs("\r\033[K", stderr);
	if (rc < 0)
		cmd_print_diag(&diag, "warning: ");
	finder_release(&f);
	targets_release(&targets);
	diag_release(&diag);
	return rc;
}
