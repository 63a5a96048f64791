/* ticketpost.c - fpkit ticket create and reply: one POST each, never
 * doubled.
 *
 * The support route takes no attachment (ovh-api.md section 6): the
 * samples' header blocks go in the text, as pack --inline puts them
 * (inline.c).  A write whose answer is lost may have been done: the
 * tickets (or the messages) are read before anything else is said, and
 * the write is never sent again on a guess (ovh.h, ovh_call_init_post). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "archivedir.h"
#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "inline.h"
#include "maillog.h"
#include "ovh.h"
#include "ovhapi.h"
#include "ovhclient.h"
#include "sample.h"
#include "support.h"
#include "targets.h"
#include "textsafe.h"
#include "ticketpost.h"
#include "timefmt.h"
#include "verify.h"
#include "words.h"
#include "xalloc.h"

int
ticketpost_options_init(struct ticketpost_options *o, struct error *err)
{
	memset(o, 0, sizeof(*o));
	o->category = SUPPORT_DEFAULT_CATEGORY;
	o->subcategory = SUPPORT_DEFAULT_SUBCATEGORY;
	o->inline_max = INLINE_MAX_DEFAULT;
	o->ticket = -1;
	o->look_ms = TICKETPOST_LOOK_MS;
	if (timefmt_env_ms("FPKIT_TICKET_RECHECK_MS", 0, 600000, &o->look_ms, err) < 0)
		return -1;
	return 0;
}

void
ticketpost_result_release(struct ticketpost_result *r)
{
	free(r->subject);
	free(r->body);
	free(r->lang);
	free(r->ip);
	free(r->block);
	free(r->ip_type);
	free(r->product);
	free(r->service);
	free(r->request);
	free(r->why);
	memset(r, 0, sizeof(*r));
}

static void
say(const struct ticketpost_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(const struct ticketpost_options *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (o->progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->progress(o->arg, line);
}

/* ---- the bundle ---- */

/* What verify_bundle_keep keeps besides TICKET.txt (res->ticket): each
 * sample's first bytes (its header block is all the text takes). */
static size_t
keep_of(const char *name)
{
	if (strncmp(name, "samples/", 8) == 0 && name[8] != '\0')
		return FPKIT_LIMIT_HEADER_BLOCK + 2;
	return 0;
}

/* The subject and the text of TICKET.txt: its first line is the subject
 * line the templates write, "Subject: " in English, "Objet : " in
 * French, each language's label (words.h); the text is what follows,
 * blank lines at its start left out. */
static int
split_ticket(const char *bundle, const char *text, size_t len, struct ticketpost_result *r,
	     struct error *err)
{
	const char *nl = memchr(text, '\n', len), *body;
	size_t first = nl ? (size_t)(nl - text) : len, label;
	const struct words_lang *l;

	if (memchr(text, '\0', len))
		return error_set(err, EX_DATAERR, "ticket create: '%s': TICKET.txt holds a NUL "
				 "byte: pack the bundle again", bundle);
	l = words_lang_of_subject(text, first, &label);
	if (l && first > label) {
		r->subject = xstrndup(text + label, first - label);
		r->lang = xstrdup(l->code);
	}
	if (r->subject == NULL)
		return error_set(err, EX_DATAERR, "ticket create: '%s': TICKET.txt does not start "
				 "with a subject line, 'Subject: ...' (or another language's "
				 "label, as 'Objet : ...'): a template of your own must write "
				 "one first, as fpkit's do", bundle);
	/* Trailing spaces and a CR are no part of a subject. */
	for (size_t n = strlen(r->subject); n && (r->subject[n - 1] == ' ' ||
						  r->subject[n - 1] == '\r'); n--)
		r->subject[n - 1] = '\0';
	if (r->subject[0] == '\0' || strlen(r->subject) > SUPPORT_SUBJECT_MAX)
		return error_set(err, EX_DATAERR, "ticket create: '%s': the subject of TICKET.txt "
				 "is empty or longer than %d bytes", bundle, SUPPORT_SUBJECT_MAX);
	body = nl ? nl + 1 : text + len;
	while (body < text + len && (*body == '\n' || *body == '\r'))
		body++;
	r->body_len = (size_t)(text + len - body);
	r->body = xstrndup(body, r->body_len);
	return 0;
}

static const char *
base_name(const char *path)
{
	size_t n = strlen(path);
	const char *slash;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (slash = path + n; slash > path && slash[-1] != '/'; slash--)
		;
	return slash;
}

/* Append the samples' header blocks as pack --inline does. */
static void
append_headers(const struct ticketpost_options *o, const struct verify_result *res,
	       struct ticketpost_result *r, struct diag *d)
{
	struct finder_hit hit;
	struct sample_list samples;
	struct targets targets;
	struct maillog trail;
	struct inline_options io;

	if (inline_present(r->body))
		return;		/* packed with --inline: in it already */
	memset(&hit, 0, sizeof(hit));
	memset(&samples, 0, sizeof(samples));
	memset(&io, 0, sizeof(io));
	targets_init(&targets);
	maillog_init(&trail, d);
	samples.items = xcalloc(res->nr_kept ? res->nr_kept : 1, sizeof(*samples.items));
	for (size_t i = 0; i < res->nr_kept; i++) {
		const struct verify_kept *k = &res->kept[i];

		if (strncmp(k->name, "samples/", 8) != 0)
			continue;
		/* No target: the bundle's logs are not read again. */
		samples.items[samples.nr].hit = &hit;
		samples.items[samples.nr].file = k->name;
		samples.items[samples.nr].data = k->data.buf ? k->data.buf : "";
		samples.items[samples.nr].data_len = k->data.len;
		samples.nr++;
	}
	io.lang = r->lang;
	io.max = o->inline_max;
	inline_append(&r->body, &r->body_len, &io, &samples, &targets, &trail, res->summary,
		      base_name(o->bundle));
	free(samples.items);
	maillog_release(&trail);
	targets_release(&targets);
}

static int
read_bundle(const struct ticketpost_options *o, struct ticketpost_result *r, struct diag *d,
	    struct error *err)
{
	struct verify_result res;
	struct diag problems = DIAG_INIT;
	const char *ip, *block;
	int rc = -1;

	if (verify_bundle_keep(o->bundle, keep_of, &res, &problems, err) < 0) {
		error_prefix(err, "ticket create");
		diag_release(&problems);
		return -1;
	}
	if (res.nr_problems) {
		error_set(err, EX_DATAERR, "ticket create: '%s' fails 'fpkit verify' (%lu "
			  "problem%s, the first: %s): post the ticket of a bundle as fpkit wrote "
			  "it", o->bundle, res.nr_problems, res.nr_problems == 1 ? "" : "s",
			  problems.nr ? problems.items[0] : "?");
		goto out;
	}
	if (res.ticket == NULL || res.ticket_len == 0) {
		error_set(err, EX_DATAERR, "ticket create: '%s' holds no TICKET.txt (or one over "
			  "%d bytes)", o->bundle, FPKIT_LIMIT_BUNDLE_META);
		goto out;
	}
	if (split_ticket(o->bundle, res.ticket, res.ticket_len, r, err) < 0)
		goto out;
	ip = json_string_value(json_object_get(res.summary, "ip"));
	block = json_string_value(json_object_get(res.summary, "block"));
	r->ip = ip ? xstrdup(ip) : NULL;
	r->block = block ? xstrdup(block) : NULL;
	append_headers(o, &res, r, d);
	rc = 0;
out:
	verify_result_release(&res);
	diag_release(&problems);
	return rc;
}

/* ---- the product and the service ---- */

/* A bundle packed from saved JSON names its IP but not its block: the
 * block is the account's that holds it (GET /ip?ip=IP, as pack --ip
 * finds it). */
static int
find_block(struct ovh *api, struct ticketpost_result *r, struct error *err)
{
	struct ovh_call c;
	int rc = -1;

	ovhapi_ip_blocks(&c, r->ip, NULL);
	if (ovh_get(api, &c, err) < 0 || ovhapi_check_blocks(&c, err) < 0) {
		error_prefix(err, "ticket create: the block of %s", r->ip);
		goto out;
	}
	if (json_array_size(c.json) != 1) {
		error_set(err, EX_DATAERR, "ticket create: %zu blocks of the account hold %s: "
			  "give --product and --service", json_array_size(c.json), r->ip);
		goto out;
	}
	r->block = xstrdup(json_string_value(json_array_get(c.json, 0)));
	rc = 0;
out:
	ovh_call_release(&c);
	return rc;
}

static int
find_service(struct ovh *api, const struct ticketpost_options *o, struct ticketpost_result *r,
	     struct error *err)
{
	struct ovh_call c;
	const char *type, *service, *product;
	int rc = -1;

	if (o->product && o->service) {
		r->product = xstrdup(o->product);
		r->service = xstrdup(o->service);
		return 0;
	}
	if (r->block == NULL && r->ip && find_block(api, r, err) < 0)
		return -1;
	if (r->block == NULL)
		return error_set(err, EX_DATAERR, "ticket create: the bundle names no IP block "
				 "(made from an alert alone?), so its service cannot be asked "
				 "of the API: give --product and --service");
	ovhapi_ip(&c, r->block);
	if (ovh_get(api, &c, err) < 0 || support_check_ip(&c, &type, &service, err) < 0) {
		error_prefix(err, "ticket create: the service of block %s", r->block);
		goto out;
	}
	r->ip_type = type ? xstrdup(type) : NULL;
	product = o->product ? o->product : support_product_of(type, service);
	if (product == NULL) {
		error_set(err, EX_DATAERR, "ticket create: block %s is of type '%s', which fpkit "
			  "does not know a support product for: give --product (one of the "
			  "API's: dedicated, vps, publiccloud, dedicatedcloud, ...) and "
			  "--service", r->block, type ? type : "(none)");
		goto out;
	}
	if (o->service == NULL && service == NULL) {
		error_set(err, EX_DATAERR, "ticket create: block %s is routed to no service "
			  "(GET %s has no routedTo.serviceName): give --service", r->block,
			  c.path);
		goto out;
	}
	r->product = xstrdup(product);
	r->service = xstrdup(o->service ? o->service : service);
	rc = 0;
out:
	ovh_call_release(&c);
	return rc;
}

/* ---- the plan ---- */

/* The first lines of a text, indented, at most 'lines' of them. */
static void
first_lines(struct strbuf *sb, const char *text, size_t len, int lines)
{
	const char *p = text, *end = text + len;

	while (p < end && lines-- > 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		char *safe = textsafe_visible(p, n > 100 ? 100 : n);

		strbuf_addf(sb, "    | %s\n", safe);
		free(safe);
		p += n + (nl ? 1 : 0);
	}
}

static size_t
count_lines(const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n + (len && text[len - 1] != '\n');
}

static char *
create_plan(const struct ticketpost_options *o, const struct ticketpost_result *r)
{
	struct strbuf sb;
	char *subject = textsafe_visible(r->subject, strlen(r->subject));
	char *service = textsafe_visible(r->service, strlen(r->service));

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addf(&sb, "fpkit will open a support ticket with POST /support/tickets/create:\n"
		    "  subject:  %s\n"
		    "  product:  %s, service %s%s%s%s\n"
		    "  category: %s, %s\n"
		    "  body:     %zu bytes, %zu lines (language %s); it begins:\n",
		    subject, r->product, service,
		    r->ip_type ? " (GET /ip/" : " (given)", r->ip_type ? r->block : "",
		    r->ip_type ? ")" : "", o->category, o->subcategory, r->body_len,
		    count_lines(r->body, r->body_len), r->lang);
	first_lines(&sb, r->body, r->body_len, 6);
	strbuf_addstr(&sb, "Support reads it as it is: it cannot be taken back.");
	free(subject);
	free(service);
	return strbuf_detach(&sb, NULL);
}

/* Ask unless --yes; TICKETPOST_DONE to go on. */
static int
confirm(const struct ticketpost_options *o, struct ticketpost_result *r, const char *plan)
{
	int answer;

	if (o->yes)
		return TICKETPOST_DONE;
	answer = o->confirm ? o->confirm(o->arg, plan) : -1;
	if (answer > 0)
		return TICKETPOST_DONE;
	r->refused_by = "confirmation";
	r->why = xstrdup(answer < 0 ? "no terminal to ask for a confirmation: add --yes to "
			 "post without one (or --dry-run to see what would be sent)" :
			 "not confirmed: nothing sent");
	return TICKETPOST_REFUSED;
}

/* ---- the record ---- */

static void
record(const struct ticketpost_options *o, const struct ticketpost_result *r,
       const char *result, struct diag *d)
{
	struct archive_dir_options ao;
	struct archive_dir a;
	struct error err = ERROR_INIT;
	char at[TIMEFMT_ISO_LEN];
	json_t *line;

	memset(&ao, 0, sizeof(ao));
	ao.dir = o->archive;
	ao.unsafe_ok = o->archive_unsafe_ok;
	line = json_pack("{s:o, s:o, s:s, s:{s:s, s:s, s:b, s:o, s:o, s:s%, s:s, s:s}}",
			 "ip", r->ip ? json_string(r->ip) : json_null(),
			 "block", r->block ? json_string(r->block) : json_null(),
			 "bundle", base_name(o->bundle),
			 "ticket",
			 "at", timefmt_iso_utc((int64_t)time(NULL), at),
			 "result", result,
			 "posted", r->posted,
			 "number", r->ticket_number >= 0 ? json_integer(r->ticket_number) :
							   json_null(),
			 "id", r->ticket_id >= 0 ? json_integer(r->ticket_id) : json_null(),
			 "subject", r->subject, strnlen(r->subject, SUPPORT_SUBJECT_MAX),
			 "product", r->product,
			 "service", r->service);
	if (line == NULL)
		error_set(&err, EX_SOFTWARE, "cannot make the record");
	else {
		if (archive_dir_open(&a, &ao, d, &err) == 0)
			archive_dir_record(&a, line, &err);
		archive_dir_close(&a);
	}
	if (err.status)
		diag_add(d, "the ticket was not recorded in archive '%s': %s", o->archive, err.msg);
	json_decref(line);
}

/* ---- the POST, never doubled ---- */

/* The tickets with this subject among those created since 'since'. */
struct ticket_look {
	int64_t since;
	int64_t *before;	/* the ids there before the POST */
	size_t nr_before;
};

/* Is a ticket with r's subject among those created since l->since and
 * not in l->before?  1 found (r filled), 0 not seen, -1 the tickets
 * cannot be read (err).  With 'collect', every such ticket is put in
 * l->before instead. */
static int
look_for_ticket(struct ovh *api, struct ticketpost_result *r, struct ticket_look *l,
		bool collect, struct error *err)
{
	json_t *tickets, *t;
	size_t i;
	int found = 0;

	if (support_list(api, NULL, l->since, 100, &tickets, err) < 0)
		return -1;
	json_array_foreach(tickets, i, t) {
		const char *subject = json_string_value(json_object_get(t, "subject"));
		int64_t id = support_ticket_id(t);
		bool old = false;

		if (subject == NULL || strcmp(subject, r->subject) != 0)
			continue;
		for (size_t k = 0; k < l->nr_before; k++)
			old |= l->before[k] == id;
		if (collect && !old) {
			l->before = xrealloc(l->before, (l->nr_before + 1) * sizeof(*l->before));
			l->before[l->nr_before++] = id;
		} else if (!collect && !old) {
			r->ticket_id = id;
			r->ticket_number = support_ticket_number(t);
			found = 1;
			break;
		}
	}
	json_decref(tickets);
	return found;
}

/* Texts equal but for the white space at their ends (the API may trim). */
static bool
same_text(const char *a, const char *b, size_t blen)
{
	size_t alen;

	if (a == NULL)
		return false;
	alen = strlen(a);
	while (alen && (a[alen - 1] == '\n' || a[alen - 1] == ' ' || a[alen - 1] == '\r'))
		alen--;
	while (blen && (b[blen - 1] == '\n' || b[blen - 1] == ' ' || b[blen - 1] == '\r'))
		blen--;
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* After a lost reply: does the ticket hold a message of ours with this
 * text, one that was not there before?  1, 0, -1 as above. */
static int
look_for_reply(struct ovh *api, struct ticketpost_result *r, size_t before,
	       struct error *err)
{
	json_t *messages, *m;
	size_t i, same = 0;

	if (support_messages(api, r->ticket_id, &messages, err) < 0)
		return -1;
	json_array_foreach(messages, i, m) {
		const char *body = json_string_value(json_object_get(m, "body"));

		if (body && same_text(body, r->body, r->body_len))
			same++;
	}
	json_decref(messages);
	return same > before;
}

/* Send c's write once; after an uncertain failure, 'look' until the write
 * is seen, at most TICKETPOST_LOOKS times.  DONE with c's answer, or
 * DONE with r->found, or UNKNOWN, or -1 with err. */
static int
post_once(struct ovh *api, const struct ticketpost_options *o, struct ovh_call *c,
	  struct ticketpost_result *r, const char *what,
	  int (*look)(struct ovh *, struct ticketpost_result *, void *, struct error *),
	  void *look_arg, const char *how_to_check, struct error *err)
{
	struct error perr = ERROR_INIT, lerr = ERROR_INIT;
	int seen = 0;

	if (ovh_get(api, c, &perr) == 0)
		return TICKETPOST_DONE;
	if (!c->uncertain) {
		/* Refused, or it never reached the API (it could not connect,
		 * after the retries): nothing was done. */
		*err = perr;
		return -1;
	}
	say(o, "ticket: no sure answer to the %s (%s): looking whether it was done before "
	    "anything else", what, perr.msg);
	for (int i = 0; i < TICKETPOST_LOOKS; i++) {
		if (i)
			timefmt_sleep_ms(o->look_ms);
		memset(&lerr, 0, sizeof(lerr));
		seen = look(api, r, look_arg, &lerr);
		if (seen != 0)
			break;
		say(o, "ticket: not seen yet (look %d of %d)", i + 1, TICKETPOST_LOOKS);
	}
	if (seen > 0) {
		r->found = true;
		return TICKETPOST_DONE;
	}
	r->why = xasprintf("the answer to the %s was lost (%s) and %s: it may or may not "
			   "have been done; do not send it again before you checked: %s",
			   what, perr.msg, seen < 0 ? lerr.msg : "it is not seen on the API",
			   how_to_check);
	return TICKETPOST_UNKNOWN;
}

static int
look_ticket(struct ovh *api, struct ticketpost_result *r, void *arg, struct error *err)
{
	return look_for_ticket(api, r, arg, false, err);
}

static int
look_reply(struct ovh *api, struct ticketpost_result *r, void *arg, struct error *err)
{
	return look_for_reply(api, r, *(size_t *)arg, err);
}

static int
connect_client(struct ovhclient *client, const char *why, struct diag *d, struct error *err)
{
	if (client->connected)
		return 0;
	client->why = why;
	return ovhclient_connect(client, d, err);
}

int
ticketpost_create(struct ovhclient *client, const struct ticketpost_options *o,
		  struct ticketpost_result *r, struct diag *d, struct error *err)
{
	struct ovh *api;
	struct ovh_call c;
	struct ticket_look look = { 0, NULL, 0 };
	char *plan = NULL;
	json_t *req;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->ticket_id = r->ticket_number = r->message_id = -1;
	memset(&c, 0, sizeof(c));
	if (read_bundle(o, r, d, err) < 0)
		return -1;
	if (connect_client(client, "ticket create", d, err) < 0)
		return -1;
	api = &client->client;
	if (find_service(api, o, r, err) < 0)
		return -1;
	req = json_pack("{s:s, s:s%, s:s, s:s, s:s, s:s, s:s}",
			"subject", r->subject,
			"body", r->body, r->body_len,
			"type", SUPPORT_TYPE,
			"category", o->category,
			"subcategory", o->subcategory,
			"product", r->product,
			"serviceName", r->service);
	if (req == NULL)
		return error_set(err, EX_DATAERR, "ticket create: the ticket's text is not "
				 "UTF-8: pack the bundle again");
	r->request = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(req);
	/* The tickets of this subject there already, by the API's clock (as
	 * its creationDate is): after a lost answer only a new one is ours. */
	look.since = ovh_now(api) - TICKETPOST_LOOKBACK;
	if (look_for_ticket(api, r, &look, true, err) < 0) {
		error_prefix(err, "ticket create: the recent tickets cannot be read");
		goto out;
	}
	if (look.nr_before)
		diag_add(d, "a ticket with the same subject was opened less than %d minutes ago "
			 "(id %" PRId64 "): 'fpkit ticket list' shows it; this one would be a "
			 "second", TICKETPOST_LOOKBACK / 60, look.before[0]);
	if (o->dry_run) {
		rc = TICKETPOST_DONE;
		goto out;
	}
	plan = create_plan(o, r);
	if ((rc = confirm(o, r, plan)) != TICKETPOST_DONE)
		goto out;
	ovhapi_ticket_create(&c, r->request);
	rc = post_once(api, o, &c, r, "ticket's creation", look_ticket, &look,
		       "look with 'fpkit ticket list --status open' for a ticket with this "
		       "subject", err);
	if (rc == TICKETPOST_DONE && !r->found &&
	    support_check_new(&c, &r->ticket_id, &r->ticket_number, &r->message_id, err) < 0) {
		/* Done, but its numbers are not known: look for it. */
		if (look_for_ticket(api, r, &look, false, err) <= 0) {
			rc = TICKETPOST_UNKNOWN;
			r->why = xasprintf("the API took the ticket but answered no ticket number "
					   "(%s), and it is not seen in the list: look with "
					   "'fpkit ticket list'", err->msg);
			memset(err, 0, sizeof(*err));
		}
	}
	if (rc == TICKETPOST_DONE)
		r->posted = true;
	if (o->archive && rc >= 0)
		record(o, r, rc == TICKETPOST_DONE ? "created" : "unknown", d);
out:
	ovh_call_release(&c);
	free(look.before);
	free(plan);
	return rc;
}

static char *
reply_plan(const struct ticketpost_result *r)
{
	struct strbuf sb;
	char *subject = textsafe_visible(r->subject, strlen(r->subject));

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addf(&sb, "fpkit will answer ticket %" PRId64 " (id %" PRId64 ", \"%s\") with "
		    "POST /support/tickets/%" PRId64 "/reply:\n"
		    "  body: %zu bytes, %zu lines; it begins:\n", r->ticket_number, r->ticket_id,
		    subject, r->ticket_id, r->body_len, count_lines(r->body, r->body_len));
	first_lines(&sb, r->body, r->body_len, 6);
	strbuf_addstr(&sb, "Support reads it as it is: it cannot be taken back.");
	free(subject);
	return strbuf_detach(&sb, NULL);
}

int
ticketpost_reply(struct ovhclient *client, const struct ticketpost_options *o,
		 struct ticketpost_result *r, struct diag *d, struct error *err)
{
	struct ovh *api;
	struct ovh_call c;
	json_t *ticket = NULL, *req, *messages = NULL, *m;
	char *plan = NULL;
	size_t i, before = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->ticket_id = r->ticket_number = r->message_id = -1;
	memset(&c, 0, sizeof(c));
	if (memchr(o->text, '\0', o->text_len))
		return error_set(err, EX_DATAERR, "ticket reply: the text holds a NUL byte");
	r->body = xstrndup(o->text, o->text_len);
	r->body_len = o->text_len;
	req = json_pack("{s:s%}", "body", r->body, r->body_len);
	if (req == NULL)
		return error_set(err, EX_DATAERR, "ticket reply: the text is not UTF-8");
	r->request = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (connect_client(client, "ticket reply", d, err) < 0)
		return -1;
	api = &client->client;
	if (support_find(api, o->ticket, &ticket, err) < 0) {
		error_prefix(err, "ticket reply");
		return -1;
	}
	r->ticket_id = support_ticket_id(ticket);
	r->ticket_number = support_ticket_number(ticket);
	r->subject = xstrdup(json_string_value(json_object_get(ticket, "subject")));
	json_decref(ticket);
	/* The same text sent before (a reply said twice on purpose) is
	 * counted, so that only a new one counts as this one. */
	if (support_messages(api, r->ticket_id, &messages, err) < 0) {
		error_prefix(err, "ticket reply");
		return -1;
	}
	json_array_foreach(messages, i, m)
		before += same_text(json_string_value(json_object_get(m, "body")), r->body,
				    r->body_len);
	json_decref(messages);
	if (o->dry_run)
		return TICKETPOST_DONE;
	plan = reply_plan(r);
	if ((rc = confirm(o, r, plan)) != TICKETPOST_DONE)
		goto out;
	ovhapi_ticket_reply(&c, r->ticket_id, r->request);
	rc = post_once(api, o, &c, r, "reply", look_reply, &before,
		       "look with 'fpkit ticket show' at the ticket's messages", err);
	if (rc == TICKETPOST_DONE)
		r->posted = true;
out:
	ovh_call_release(&c);
	free(plan);
	return rc;
}
