/* cmd_ticket.c - fpkit ticket create|list|show|reply: the command line
 * around pipeline/ticketpost.c (the writes) and ovh/support.c (the
 * reads) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include "fpkit_limits.h"
#include "inline.h"
#include "ovhclient.h"
#include "strbuf.h"
#include "support.h"
#include "textsafe.h"
#include "ticketpost.h"
#include "timefmt.h"
#include "xalloc.h"

/* Exit status when a write's answer was lost and the write is not seen:
 * it may or may not have been done (fpkit-ticket(1)). */
#define TICKET_EXIT_UNKNOWN 4

/* The most tickets 'ticket list' reads the detail of. */
#define TICKET_LIST_MAX 200

static const char usage_text[] =
	"usage: fpkit ticket create BUNDLE [OPTIONS]\n"
	"       fpkit ticket list [--status open|closed|unknown] [--json] [OPTIONS]\n"
	"       fpkit ticket show N [--json] [OPTIONS]\n"
	"       fpkit ticket reply N FILE|- [OPTIONS]\n"
	"\n"
	"Open the bundle's ticket with OVHcloud support through the API (POST\n"
	"/support/tickets/create): TICKET.txt's subject and text, each sample's header\n"
	"block after it (the route takes no attachment), the product and the service\n"
	"from GET /ip/{block}; then follow it up.  N is a ticket's id, or its number.\n"
	"A write is never sent twice: after a lost answer fpkit looks for it.\n"
	"Exit status: 0 done, 1 not confirmed, 4 the answer was lost and the write is\n"
	"not seen (check before sending again).\n"
	"\n"
	"  --product P          the ticket's product (default: from the block's type)\n"
	"  --service NAME       the ticket's service (default: where the block is routed)\n"
	"  --category C         assistance (default), billing or incident\n"
	"  --subcategory S      other (default), alerts, down, usage, ...\n"
	"  --inline-max BYTES   the most the header blocks take (default 65536)\n"
	"  --archive DIR        record the ticket in DIR/index.jsonl (as unblock does)\n"
	"  --archive-unsafe-ok  use DIR even when others than root and you can write there\n"
	"  --status S           list: only the tickets in this state\n"
	"  --yes                no question (for scripts; needed without a terminal)\n"
	"  --dry-run            every step but the POST: print the JSON body it would send\n"
	"  --json               print JSON\n"
	"  -h, --help           show this help\n"
	"The OVH API (the consumer key needs GET /ip/*, GET /support/tickets,\n"
	"GET /support/tickets/*, and POST /support/tickets/create or\n"
	"POST /support/tickets/*/reply; 'fpkit auth --write' requests them):\n"
	OVHCLIENT_USAGE;

enum {
	OPT_PRODUCT = 256, OPT_SERVICE, OPT_CATEGORY, OPT_SUBCATEGORY, OPT_INLINE_MAX,
	OPT_ARCHIVE, OPT_UNSAFE_OK, OPT_STATUS, OPT_YES, OPT_DRY_RUN, OPT_JSON,
};

static const struct option long_options[] = {
	{ "product", required_argument, NULL, OPT_PRODUCT },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "category", required_argument, NULL, OPT_CATEGORY },
	{ "subcategory", required_argument, NULL, OPT_SUBCATEGORY },
	{ "inline-max", required_argument, NULL, OPT_INLINE_MAX },
	{ "archive", required_argument, NULL, OPT_ARCHIVE },
	{ "archive-unsafe-ok", no_argument, NULL, OPT_UNSAFE_OK },
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	OVHCLIENT_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum verb { VERB_CREATE, VERB_LIST, VERB_SHOW, VERB_REPLY };

struct ticket_cmd {
	enum verb verb;
	struct ovhclient api;
	struct ticketpost_options opt;
	const char *status;
	const char *file;		/* reply: FILE or "-" */
	bool json;
	bool post_option;		/* an option of a write */
	bool create_option;		/* an option of create */
};

static int
parse_number(const char *arg, int64_t *n, struct error *err)
{
	char *end;
	long long v;

	if (*arg == '#')
		arg++;
	errno = 0;
	v = strtoll(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || v < 0)
		return error_set(err, EX_USAGE, "ticket: '%s' is not a ticket id or number",
				 arg);
	*n = v;
	return 0;
}

/* 1: parsed; 0: --help shown; -1: usage error in err. */
static int
parse_options(struct ticket_cmd *c, int argc, char **argv, struct error *err)
{
	struct ticketpost_options *o = &c->opt;
	const char *verb;
	int opt, r;

	optind = 1;
	opterr = 0;
	if (ovhclient_init(&c->api, err) < 0 || ticketpost_options_init(o, err) < 0)
		return -1;
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		if (argc < 2)
			return error_set(err, EX_USAGE, "ticket: which? 'fpkit ticket create|list|"
					 "show|reply': see 'fpkit ticket --help'");
		fputs(usage_text, stdout);
		return 0;
	}
	verb = argv[1];
	if (strcmp(verb, "create") == 0)
		c->verb = VERB_CREATE;
	else if (strcmp(verb, "list") == 0)
		c->verb = VERB_LIST;
	else if (strcmp(verb, "show") == 0)
		c->verb = VERB_SHOW;
	else if (strcmp(verb, "reply") == 0)
		c->verb = VERB_REPLY;
	else
		return error_set(err, EX_USAGE, "ticket: unknown action '%s': create, list, show "
				 "or reply", verb);
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if ((r = ovhclient_option(&c->api, "ticket", opt, optarg, err)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (opt) {
		case OPT_PRODUCT:
			if (!support_product_valid(optarg))
				return error_set(err, EX_USAGE, "ticket: --product '%s' is not one of "
						 "the API's products (adsl, cdn, dedicated, "
						 "dedicatedcloud, housing, mail, network, publiccloud, "
						 "ssl, vps, ...: see fpkit-ticket(1))", optarg);
			o->product = optarg;
			c->create_option = true;
			break;
		case OPT_SERVICE:
			if (*optarg == '\0' || strlen(optarg) > 255)
				return error_set(err, EX_USAGE, "ticket: --service takes a service "
						 "name of 1 to 255 bytes");
			o->service = optarg;
			c->create_option = true;
			break;
		case OPT_CATEGORY:
			if (!support_category_valid(optarg))
				return error_set(err, EX_USAGE, "ticket: --category '%s': assistance, "
						 "billing or incident", optarg);
			o->category = optarg;
			c->create_option = true;
			break;
		case OPT_SUBCATEGORY:
			if (!support_subcategory_valid(optarg))
				return error_set(err, EX_USAGE, "ticket: --subcategory '%s': alerts, "
						 "autorenew, bill, down, inProgress, new, other, perfs, "
						 "start or usage", optarg);
			o->subcategory = optarg;
			c->create_option = true;
			break;
		case OPT_INLINE_MAX: {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || errno || v < 1024 ||
			    v > INLINE_MAX_LIMIT)
				return error_set(err, EX_USAGE, "ticket: --inline-max takes a number "
						 "of bytes from 1024 to %d", INLINE_MAX_LIMIT);
			o->inline_max = (size_t)v;
			c->create_option = true;
			break;
		}
		case OPT_ARCHIVE: o->archive = optarg; c->create_option = true; break;
		case OPT_UNSAFE_OK: o->archive_unsafe_ok = true; c->create_option = true; break;
		case OPT_STATUS:
			if (!support_status_valid(optarg))
				return error_set(err, EX_USAGE, "ticket: --status '%s': open, closed "
						 "or unknown", optarg);
			c->status = optarg;
			break;
		case OPT_YES: o->yes = true; c->post_option = true; break;
		case OPT_DRY_RUN: o->dry_run = true; c->post_option = true; break;
		case OPT_JSON: c->json = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "ticket: '%s' needs a value: see 'fpkit "
					 "ticket --help'", argv[optind - 1]);
		default:
			return cmd_bad_option("ticket", long_options, argv[optind - 1], err);
		}
	}
	argc -= optind;
	argv += optind;
	if (c->verb != VERB_CREATE && c->create_option)
		return error_set(err, EX_USAGE, "ticket %s: --product, --service, --category, "
				 "--subcategory, --inline-max and --archive go with 'ticket "
				 "create'", verb);
	if ((c->verb == VERB_LIST || c->verb == VERB_SHOW) && c->post_option)
		return error_set(err, EX_USAGE, "ticket %s: sends nothing: --yes and --dry-run "
				 "go with create and reply", verb);
	if (c->verb != VERB_LIST && c->status)
		return error_set(err, EX_USAGE, "ticket %s: --status goes with 'ticket list'",
				 verb);
	if (o->archive_unsafe_ok && o->archive == NULL)
		return error_set(err, EX_USAGE, "ticket: --archive-unsafe-ok goes with --archive");
	if (o->archive && archive_dir_is_bucket(o->archive))
		return error_set(err, EX_USAGE, "ticket: --archive %s: a bucket keeps the bundles "
				 "alone and cannot record the ticket; give an archive folder, or "
				 "leave --archive out", o->archive);
	/* Nobody to ask: said at once, before the API is asked anything,
	 * rather than a question nobody answers. */
	if ((c->verb == VERB_CREATE || c->verb == VERB_REPLY) && !o->yes && !o->dry_run &&
	    (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)))
		return error_set(err, EX_USAGE, "ticket %s: no terminal to ask for a "
				 "confirmation: add --yes to post without one (or --dry-run to "
				 "see what would be sent)", verb);
	switch (c->verb) {
	case VERB_CREATE:
		if (argc != 1)
			return error_set(err, EX_USAGE, "ticket create: give one bundle: 'fpkit "
					 "ticket create BUNDLE'");
		o->bundle = argv[0];
		break;
	case VERB_LIST:
		if (argc != 0)
			return error_set(err, EX_USAGE, "ticket list: unexpected argument '%s'",
					 argv[0]);
		break;
	case VERB_SHOW:
		if (argc != 1)
			return error_set(err, EX_USAGE, "ticket show: give one ticket: 'fpkit "
					 "ticket show N'");
		return parse_number(argv[0], &o->ticket, err) < 0 ? -1 : 1;
	case VERB_REPLY:
		if (argc != 2)
			return error_set(err, EX_USAGE, "ticket reply: give the ticket and the "
					 "file of the answer: 'fpkit ticket reply N FILE' ('-' for "
					 "standard input)");
		c->file = argv[1];
		return parse_number(argv[0], &o->ticket, err) < 0 ? -1 : 1;
	}
	return 1;
}

/* The question, on a terminal only: 1 yes, 0 no, -1 nobody to ask.
 * Its outside text was made safe to show when it was written. */
static int
on_confirm(void *arg, const char *plan)
{
	(void)arg;
	return cmd_ask(plan, "Post it?");
}

/* The reply's text: FILE or standard input, at most the largest ticket
 * text fpkit writes. */
static int
read_text(const char *file, struct strbuf *sb, struct error *err)
{
	char buf[65536];
	int fd = strcmp(file, "-") == 0 ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int rc = 0;

	if (fd < 0)
		return error_set(err, EX_NOINPUT, "ticket reply: cannot open '%s': %s", file,
				 strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = error_set(err, EX_IOERR, "ticket reply: cannot read '%s': %s", file,
				       strerror(errno));
			break;
		}
		if (strbuf_add(sb, buf, (size_t)n) < 0) {
			rc = error_set(err, EX_DATAERR, "ticket reply: '%s' is larger than %d bytes",
				       file, FPKIT_LIMIT_TEMPLATE_OUTPUT);
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc == 0 && sb->len == 0)
		rc = error_set(err, EX_DATAERR, "ticket reply: '%s' is empty: nothing to send",
			       file);
	return rc;
}

static json_t *
id_or_null(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static void
dump(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

static void
print_write(const struct ticket_cmd *c, const struct ticketpost_result *r, int outcome)
{
	const char *what = outcome == TICKETPOST_REFUSED ? "refused" :
			   outcome == TICKETPOST_UNKNOWN ? "unknown" :
			   c->opt.dry_run ? "dry-run" : r->found ? "found" : "posted";

	if (c->json) {
		json_t *req = r->request ? json_loads(r->request, 0, NULL) : NULL;
		json_t *o = json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				      "outcome", what,
				      "posted", r->posted,
				      "ticket_id", id_or_null(r->ticket_id),
				      "ticket_number", id_or_null(r->ticket_number),
				      "subject", r->subject ? json_string(r->subject) : json_null(),
				      "product", r->product ? json_string(r->product) : json_null(),
				      "service", r->service ? json_string(r->service) : json_null(),
				      "ip", r->ip ? json_string(r->ip) : json_null(),
				      "block", r->block ? json_string(r->block) : json_null(),
				      "refused_by", r->refused_by ? json_string(r->refused_by) :
								    json_null());

		if (c->opt.dry_run && req)
			json_object_set(o, "request", req);
		json_decref(req);
		dump(o);
		json_decref(o);
		return;
	}
	if (c->opt.dry_run && outcome == TICKETPOST_DONE) {
		/* The very bytes that would be sent. */
		fputs(r->request, stdout);
		fputc('\n', stdout);
		return;
	}
	if (outcome != TICKETPOST_DONE)
		return;
	if (c->verb == VERB_CREATE) {
		char *subject = textsafe_visible(r->subject ? r->subject : "",
						 r->subject ? strlen(r->subject) : 0);

		printf("ticket %" PRId64 " (id %" PRId64 ") %s: %s\n", r->ticket_number,
		       r->ticket_id, r->found ? "was created (its answer was lost; found in the "
		       "list, not posted twice)" : "created", subject);
		free(subject);
	} else
		printf("ticket %" PRId64 " (id %" PRId64 "): %s\n", r->ticket_number, r->ticket_id,
		       r->found ? "the answer was posted (its answer was lost; found among the "
		       "messages, not posted twice)" : "answer posted");
}

static int
run_write(struct ticket_cmd *c, struct diag *d, struct error *err)
{
	struct ticketpost_result r;
	struct strbuf text;
	int outcome, rc = -1;

	memset(&r, 0, sizeof(r));
	strbuf_init(&text, FPKIT_LIMIT_TEMPLATE_OUTPUT);
	c->opt.confirm = on_confirm;
	c->opt.progress = cmd_trace;
	c->opt.arg = c;
	if (c->verb == VERB_REPLY) {
		if (read_text(c->file, &text, err) < 0)
			goto out;
		c->opt.text = text.buf;
		c->opt.text_len = text.len;
		outcome = ticketpost_reply(&c->api, &c->opt, &r, d, err);
	} else {
		outcome = ticketpost_create(&c->api, &c->opt, &r, d, err);
	}
	cmd_print_diag(d, "warning: ");
	if (outcome < 0)
		goto out;
	print_write(c, &r, outcome);
	if (r.why) {
		fflush(stdout);
		cmd_say(outcome == TICKETPOST_REFUSED ? "ticket: refused: " : "ticket: ", r.why);
	}
	rc = outcome == TICKETPOST_DONE ? 0 : outcome == TICKETPOST_REFUSED ? 1 :
	     TICKET_EXIT_UNKNOWN;
out:
	strbuf_release(&text);
	ticketpost_result_release(&r);
	return rc;
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* A date of the API as "2026-11-20 13:32:07 UTC" (buf), or as it came,
 * made safe, when it is no date. */
static const char *
utc(json_t *o, const char *key, char *buf, size_t size)
{
	const char *s = str(o, key);
	char iso[TIMEFMT_ISO_LEN];
	int64_t t;

	if (timefmt_parse_iso(s, &t) == 0 && t >= 0 && t <= TIMEFMT_MAX) {
		timefmt_iso_utc(t, iso);
		snprintf(buf, size, "%.10s %.8s UTC", iso, iso + 11);
	} else {
		char *safe = textsafe_visible(s, strnlen(s, 40));

		snprintf(buf, size, "%s", safe);
		free(safe);
	}
	return buf;
}

/* A text from the API, line by line, each made safe to show but for its
 * tabs (a message is lines, as a ticket's text is). */
static void
print_lines(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n"), k = n;
		const char *p = text;

		if (k && p[k - 1] == '\r')
			k--;
		while (k) {
			size_t m = strcspn(p, "\t");
			char *safe;

			if (m > k)
				m = k;
			safe = textsafe_visible(p, m);
			fputs(safe, stdout);
			free(safe);
			p += m;
			k -= m;
			if (k && *p == '\t') {
				fputc('\t', stdout);
				p++;
				k--;
			}
		}
		fputc('\n', stdout);
		text += n + (text[n] == '\n');
	}
}

static int
run_list(struct ticket_cmd *c, struct diag *d, struct error *err)
{
	json_t *tickets, *t;
	size_t i;

	c->api.why = "ticket list";
	if (ovhclient_connect(&c->api, d, err) < 0)
		return -1;
	cmd_print_diag(d, "warning: ");
	if (support_list(&c->api.client, c->status, -1, TICKET_LIST_MAX, &tickets, err) < 0) {
		error_prefix(err, "ticket list");
		return -1;
	}
	if (c->json) {
		dump(tickets);
	} else {
		printf("%-10s %-10s %-8s %-23s %s\n", "NUMBER", "ID", "STATE", "CREATED",
		       "SUBJECT");
		json_array_foreach(tickets, i, t) {
			char *subject = textsafe_visible(str(t, "subject"), strlen(str(t, "subject")));
			char *state = textsafe_visible(str(t, "state"), strnlen(str(t, "state"), 20));
			char when[64];

			printf("%-10" PRId64 " %-10" PRId64 " %-8s %-23s %s\n",
			       support_ticket_number(t), support_ticket_id(t), state,
			       utc(t, "creationDate", when, sizeof(when)), subject);
			free(subject);
			free(state);
		}
	}
	json_decref(tickets);
	return 0;
}

static int
run_show(struct ticket_cmd *c, struct diag *d, struct error *err)
{
	json_t *ticket = NULL, *messages = NULL, *m;
	size_t i;
	int rc = -1;

	c->api.why = "ticket show";
	if (ovhclient_connect(&c->api, d, err) < 0)
		return -1;
	cmd_print_diag(d, "warning: ");
	if (support_find(&c->api.client, c->opt.ticket, &ticket, err) < 0 ||
	    support_messages(&c->api.client, support_ticket_id(ticket), &messages, err) < 0) {
		error_prefix(err, "ticket show");
		goto out;
	}
	if (c->json) {
		json_t *o = json_pack("{s:O, s:O}", "ticket", ticket, "messages", messages);

		dump(o);
		json_decref(o);
	} else {
		char *subject = textsafe_visible(str(ticket, "subject"),
						 strlen(str(ticket, "subject")));
		char *state = textsafe_visible(str(ticket, "state"),
					       strnlen(str(ticket, "state"), 20));
		char when[64];

		printf("ticket %" PRId64 " (id %" PRId64 "), %s, created %s: %s\n",
		       support_ticket_number(ticket), support_ticket_id(ticket), state,
		       utc(ticket, "creationDate", when, sizeof(when)), subject);
		free(subject);
		free(state);
		json_array_foreach(messages, i, m) {
			char *from = textsafe_visible(str(m, "from"), strnlen(str(m, "from"), 20));

			printf("\n--- message %zu of %zu, from %s, %s\n", i + 1,
			       json_array_size(messages), from,
			       utc(m, "creationDate", when, sizeof(when)));
			free(from);
			print_lines(str(m, "body"));
		}
	}
	rc = 0;
out:
	json_decref(ticket);
	json_decref(messages);
	return rc;
}

int
cmd_ticket(int argc, char **argv, struct error *err)
{
	struct ticket_cmd c;
	struct diag d = DIAG_INIT;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = parse_options(&c, argc, argv, err);
	if (rc <= 0)
		goto out;
	if (c.api.verbose)
		c.api.opt.trace = cmd_trace;
	switch (c.verb) {
	case VERB_CREATE:
	case VERB_REPLY:
		rc = run_write(&c, &d, err);
		break;
	case VERB_LIST:
		rc = run_list(&c, &d, err);
		break;
	case VERB_SHOW:
		rc = run_show(&c, &d, err);
		break;
	}
out:
	diag_release(&d);
	ovhclient_release(&c.api);
	return rc;
}
