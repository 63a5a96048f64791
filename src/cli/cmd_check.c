/* cmd_check.c - fpkit check: integrity, DKIM and best practices of
 * message files */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "checks.h"
#include "cmd.h"
#include "error.h"
#include "netaddr.h"
#include "targets.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: fpkit check [OPTIONS] FILE...\n"
	"\n"
	"Check that each message file is intact (RFC 5322 structure, not cut, not\n"
	"re-saved by a mail client), verify its DKIM signatures, and say which of\n"
	"the guide's best practices it follows.  Exit status 1 when a message is\n"
	"not intact.  Each FILE is one message, whatever its name; a folder is\n"
	"refused ('fpkit find' and 'fpkit pack --mail' search mail stores).\n"
	"\n"
	"  --json               one JSON object per message and line\n"
	"  --msgid ID           the Message-ID the message must carry\n"
	"  --ip IP              the blocked IP, looked for in the Received fields\n"
	"  --window FROM,TO     the Date must fall in this window (epoch seconds or\n"
	"                       ISO 8601 dates)\n"
	"  --date-slack SECONDS how far outside the window a Date may be\n"
	"                       (default: 86400)\n"
	"  --dkim-keys FILE     DKIM keys from FILE (NAME TXT-VALUE lines), not DNS\n"
	"  --dkim-time EPOCH    verify DKIM as of this time instead of now\n"
	"  --dkim-min-bits BITS the smallest RSA key accepted (default: 1024)\n"
	"  --no-dkim            do not verify DKIM signatures\n"
	"  -h, --help           show this help\n";

enum {
	OPT_JSON = 256, OPT_MSGID, OPT_IP, OPT_WINDOW, OPT_SLACK, OPT_KEYS, OPT_TIME,
	OPT_NODKIM, OPT_MINBITS,
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "msgid", required_argument, NULL, OPT_MSGID },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "date-slack", required_argument, NULL, OPT_SLACK },
	{ "dkim-keys", required_argument, NULL, OPT_KEYS },
	{ "dkim-time", required_argument, NULL, OPT_TIME },
	{ "no-dkim", no_argument, NULL, OPT_NODKIM },
	{ "dkim-min-bits", required_argument, NULL, OPT_MINBITS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A non-negative decimal number (of seconds), all of s. */
static int
parse_seconds(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* Seconds since the epoch, or an ISO 8601 date with a time zone. */
static int
parse_time(const char *s, int64_t *out)
{
	return parse_seconds(s, out) == 0 || timefmt_parse_iso(s, out) == 0 ? 0 : -1;
}

static int
parse_window(const char *s, struct checks_options *o)
{
	const char *comma = strchr(s, ',');
	char *from;
	int rc;

	if (comma == NULL)
		return -1;
	from = xstrndup(s, (size_t)(comma - s));
	rc = parse_time(from, &o->window_from) == 0 && parse_time(comma + 1, &o->window_to) == 0 &&
	     o->window_from <= o->window_to ? 0 : -1;
	free(from);
	o->has_window = rc == 0;
	return rc;
}

/* 1: parsed; 0: --help shown; -1: usage error in err. */
static int
parse_options(int argc, char **argv, struct checks_options *o, bool *json,
	      struct targets *msgid, struct error *err)
{
	int64_t bits;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: *json = true; break;
		case OPT_MSGID:
			/* An id that is empty once canonical (<>) matches
			 * nothing: refused. */
			targets_release(msgid);
			targets_init(msgid);
			if (targets_add(msgid, optarg, NULL) < 0)
				return error_set(err, EX_USAGE, "check: --msgid '%s' is no "
						 "Message-ID: give the one the message must carry, "
						 "such as id@example.com", optarg);
			break;
		case OPT_IP:
			if (!netaddr_is_ip(optarg))
				return error_set(err, EX_USAGE, "check: --ip '%s' is not an IP "
						 "address: give the blocked IP, such as 203.0.113.7",
						 optarg);
			o->ip = optarg;
			break;
		case OPT_WINDOW:
			if (parse_window(optarg, o) < 0)
				return error_set(err, EX_USAGE, "check: --window '%s' is not FROM,TO "
						 "(epoch seconds or ISO 8601 dates, FROM first)", optarg);
			break;
		case OPT_SLACK:
			if (parse_seconds(optarg, &o->date_slack) < 0)
				return error_set(err, EX_USAGE, "check: --date-slack '%s' is not a "
						 "number of seconds, such as 86400", optarg);
			break;
		case OPT_KEYS: o->dkim_keys = optarg; break;
		case OPT_TIME:
			if (parse_seconds(optarg, &o->dkim_time) < 0)
				return error_set(err, EX_USAGE, "check: --dkim-time '%s' is not a "
						 "number of seconds since 1970, such as 1795180000 "
						 "(date +%%s)", optarg);
			o->has_dkim_time = true;
			break;
		case OPT_NODKIM: o->no_dkim = true; break;
		case OPT_MINBITS:
			if (parse_seconds(optarg, &bits) < 0 || bits < 1 || bits > 16384)
				return error_set(err, EX_USAGE, "check: --dkim-min-bits '%s' is not "
						 "a number of bits from 1 to 16384", optarg);
			o->dkim_min_bits = (unsigned)bits;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "check: '%s' needs a value: see 'fpkit check "
					 "--help'", argv[optind - 1]);
		default:
			return cmd_bad_option("check", long_options, argv[optind - 1], err);
		}
	}
	if (optind == argc)
		return error_set(err, EX_USAGE, "check: no message file given: see 'fpkit check "
				 "--help'");
	return 1;
}

/* check takes message files: a folder is refused, with the commands
 * that search a mail store instead (a store holds many messages, most
 * of them not the ones to check). */
static int
refuse_folder(const char *path, struct error *err)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return error_set(err, EX_NOINPUT, "check: '%s' is a folder: check takes message "
			 "files; to search a mail store, use 'fpkit find --msgid ID FOLDER', or "
			 "'fpkit pack --mail FOLDER', which checks what it packs", path);
}

struct checked {
	const char *path;
	size_t index;		/* on the command line */
	bool ok;		/* read and checked */
	unsigned long badness;
	struct checks_result res;
};

/* Worst first; the order of the command line among equals. */
static int
by_badness(const void *a, const void *b)
{
	const struct checked *x = a, *y = b;

	if (x->badness != y->badness)
		return x->badness > y->badness ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void
print_json(const struct checked *m, const struct checks *c)
{
	json_t *o = json_object(), *rest = checks_to_json(&m->res, c);
	char *file = textsafe_visible(m->path, strlen(m->path));
	char *id, *s;

	json_object_set_new(o, "file", json_string(file));
	id = m->res.message_id ? textsafe_visible(m->res.message_id, strlen(m->res.message_id))
			       : NULL;
	json_object_set_new(o, "message_id", id ? json_string(id) : json_null());
	free(id);
	json_object_update(o, rest);
	s = json_dumps(o, JSON_COMPACT);
	if (s)
		printf("%s\n", s);
	free(s);
	free(file);
	json_decref(rest);
	json_decref(o);
}

int
cmd_check(int argc, char **argv, struct error *err)
{
	struct checks_options o;
	struct checks c;
	struct checked *all = NULL;
	struct targets msgid;
	bool json = false;
	size_t n = 0, nr_intact = 0, nr_read = 0;
	int rc, status = 0;

	memset(&o, 0, sizeof(o));
	o.date_slack = CHECKS_DATE_SLACK_DEFAULT;
	targets_init(&msgid);
	rc = parse_options(argc, argv, &o, &json, &msgid, err);
	if (rc <= 0 || checks_init(&c, &o, err) < 0) {
		targets_release(&msgid);
		return rc <= 0 ? rc : -1;
	}
	n = (size_t)(argc - optind);
	all = xcalloc(n, sizeof(*all));
	for (size_t i = 0; i < n; i++) {
		struct checked *m = &all[i];

		m->path = argv[optind + (int)i];
		m->index = i;
		if (refuse_folder(m->path, err) < 0) {
			cmd_file_error(err, &status);
			continue;
		}
		if (checks_run_file(&c, m->path, msgid.nr ? &msgid.items[0] : NULL, &m->res,
				    err) < 0) {
			cmd_file_error(err, &status);
			continue;
		}
		m->ok = true;
		m->badness = checks_badness(&m->res);
		nr_read++;
		nr_intact += m->res.intact;
		if (json)
			print_json(m, &c);
	}
	if (!json) {
		qsort(all, n, sizeof(*all), by_badness);
		for (size_t i = 0, shown = 0; i < n; i++) {
			char *text;

			if (!all[i].ok)
				continue;
			text = checks_render_text(&all[i].res, &c, all[i].path);
			printf("%s%s", shown++ ? "\n" : "", text);
			free(text);
		}
		if (nr_read > 1)
			printf("\n%zu messages: %zu intact, %zu not intact\n", nr_read, nr_intact,
			       nr_read - nr_intact);
	}
	if (status == 0 && nr_intact < nr_read)
		status = 1;
	for (size_t i = 0; i < n; i++)
		if (all[i].ok)
			checks_result_release(&all[i].res);
	free(all);
	checks_release(&c);
	targets_release(&msgid);
	return status;
}
