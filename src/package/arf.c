/* arf.c - GMime, third module: the bundle's report.arf, one RFC 5965
 * feedback report per sample, kept together as an mboxrd file
 *
 * Every MIME structure is GMime's; only the mbox envelope ("From "
 * lines and their quoting) is written here, as mbox is no MIME. */
#include "config.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "arf.h"
#include "case.h"
#include "digest.h"
#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "maillog.h"
#include "mime.h"
#include "msgid.h"
#include "sample.h"
#include "strbuf.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

/* RFC 5321's limits: 254 octets for a path's mailbox, 253 for a domain. */
#define ADDR_MAX 254
#define DOMAIN_MAX 253

/* What the sample's own header tells the report (new strings, NULL when
 * unknown or not plain enough to be copied into a feedback field).  Not
 * the recipients: a copy in the sender's stores carries the Delivered-To
 * of that copy (an archive, a Sent folder), not the RCPT TO the
 * anti-spam saw. */
struct arf_origin {
	char *mail_from;	/* Return-Path, else From: "<addr>" or "<>" */
	char *domain;		/* From's domain */
};

/* A domain of letters, digits, '-' and dots, as RFC 5321 writes one. */
static bool
plain_domain(const char *s, size_t len)
{
	if (len == 0 || len > DOMAIN_MAX || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* An address that can go between angle brackets as it is: printable
 * ASCII, no space, nothing RFC 5322 would need to quote, one '@' before
 * a plain domain. */
static bool
plain_addr(const char *s, size_t len)
{
	const char *at;

	if (len < 3 || len > ADDR_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || strchr("<>()[]\\,;:\"", s[i]))
			return false;
	at = memchr(s, '@', len);
	if (at == NULL || at == s || memchr(at + 1, '@', len - (size_t)(at + 1 - s)))
		return false;
	return plain_domain(at + 1, len - (size_t)(at + 1 - s));
}

/* A header value holding one path, "<addr>", "addr" or "<>" (RFC 5321
 * reverse-path), as a new "<addr>" or "<>"; NULL for anything else. */
static char *
path_value(const char *v)
{
	size_t len;

	if (v == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len >= 2 && v[0] == '<' && v[len - 1] == '>') {
		v++;
		len -= 2;
		if (len == 0)
			return xstrdup("<>");
	}
	return plain_addr(v, len) ? xasprintf("<%.*s>", (int)len, v) : NULL;
}

/* Read the envelope facts the sample's header keeps, if GMime can read
 * it at all. */
static void
origin_read(struct arf_origin *o, const struct arf_sample *s)
{
	struct mime_message own;
	const struct mime_message *m = s->msg;
	InternetAddressList *from;
	GMimeObject *obj;

	memset(o, 0, sizeof(*o));
	if (m == NULL) {
		char *copy = xmalloc(s->len + 1);

		memcpy(copy, s->data, s->len);
		mime_message_take(&own, copy, s->len);
		m = &own;
	}
	if (m->message == NULL)
		goto out;
	obj = GMIME_OBJECT(m->message);
	from = g_mime_message_get_from(m->message);
	o->mail_from = path_value(g_mime_object_get_header(obj, "Return-Path"));
	if (from && internet_address_list_length(from) > 0) {
		InternetAddress *ia = internet_address_list_get_address(from, 0);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			/* The IDN form: ASCII, as a feedback field needs. */
			const char *a = internet_address_mailbox_get_idn_addr(
				INTERNET_ADDRESS_MAILBOX(ia));
			const char *at = a ? strrchr(a, '@') : NULL;

			if (a && plain_addr(a, strlen(a))) {
				if (o->mail_from == NULL)
					o->mail_from = xasprintf("<%s>", a);
				o->domain = xstrdup(at + 1);
			}
		}
	}
out:
	if (m == &own)
		mime_message_close(&own);
}

static void
origin_release(struct arf_origin *o)
{
	free(o->mail_from);
	free(o->domain);
}

/* t as an RFC 5322 date in UTC ("Fri, 20 Nov 2026 13:32:07 +0000"),
 * new. */
static char *
rfc5322_date(int64_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *g, *s;

	if (dt == NULL)		/* beyond year 9999 */
		dt = g_date_time_new_from_unix_utc(0);
	g = g_mime_utils_header_format_date(dt);
	s = xstrdup(g);
	g_free(g);
	g_date_time_unref(dt);
	return s;
}

/* "2026-11-20 13:32:07 UTC" */
static void
add_time(struct strbuf *sb, const char *label, int64_t t)
{
	char iso[TIMEFMT_ISO_LEN];

	timefmt_iso_utc(t, iso);
	iso[10] = ' ';
	iso[strlen(iso) - 1] = '\0';
	strbuf_addf(sb, "%-17s%s UTC\n", label, iso);
}

/* The part for people. */
static char *
human_text(const struct arf_sample *s)
{
	struct strbuf sb;
	char when[TIMEFMT_ISO_LEN];
	char *id = textsafe_visible(s->message_id, strlen(s->message_id));

	strbuf_init(&sb, STRBUF_NO_MAX);
	timefmt_iso_utc(s->blocked_at, when);
	when[10] = ' ';
	when[strlen(when) - 1] = '\0';
	strbuf_addf(&sb, "This is a not-spam feedback report (RFC 5965, RFC 6430) made by "
		    "fpkit %s.\n\n", PACKAGE_VERSION);
	strbuf_addf(&sb, "OVHcloud's anti-spam blocked %s for spam on %s UTC.\n"
		    "The message attached was sent from that address: its sender\n"
		    "reports it as legitimate mail counted as spam (a false positive).\n\n",
		    s->ip, when);
	strbuf_addf(&sb, "%-17s%zu of %zu, %s in the bundle\n", "Sample:", s->number, s->count,
		    s->file);
	if (*s->message_id)
		strbuf_addf(&sb, "%-17s<%s>\n", "Message-ID:", id);
	if (s->has_arrival)
		add_time(&sb, "Sent:", s->arrival);
	if (s->destination_ip)
		strbuf_addf(&sb, "%-17s%s\n", "Destination IP:", s->destination_ip);
	if (s->has_spamscore)
		strbuf_addf(&sb, "%-17s%lld\n", "Spam score:", (long long)s->spamscore);
	strbuf_addf(&sb, "%-17s%zu bytes\n", "Size:", s->len);
	strbuf_addf(&sb, "%-17s%s\n", "SHA-256:", s->sha256);
	free(id);
	return strbuf_detach(&sb, NULL);
}

/* The message/feedback-report fields, written by GMime as a header
 * block. */
static char *
feedback_fields(const struct arf_sample *s, const struct arf_origin *o)
{
	GMimeHeaderList *h = g_mime_header_list_new(g_mime_parser_options_get_default());
	char *text, *out;

	/* RFC 5965 3.1: the three required fields first. */
	g_mime_header_list_append(h, "Feedback-Type", "not-spam", NULL);
	g_mime_header_list_append(h, "User-Agent", "fpkit/" PACKAGE_VERSION, NULL);
	g_mime_header_list_append(h, "Version", "1", NULL);
	if (s->mail_from) {
		char *p = *s->mail_from ? path_value(s->mail_from) : xstrdup("<>");

		if (p)
			g_mime_header_list_append(h, "Original-Mail-From", p, NULL);
		free(p);
	} else if (o->mail_from) {
		g_mime_header_list_append(h, "Original-Mail-From", o->mail_from, NULL);
	}
	for (size_t i = 0; i < s->nr_rcpt; i++) {
		char *p = path_value(s->rcpt[i]);

		if (p && strcmp(p, "<>") != 0)
			g_mime_header_list_append(h, "Original-Rcpt-To", p, NULL);
		free(p);
	}
	if (s->has_arrival) {
		char *d = rfc5322_date(s->arrival);

		g_mime_header_list_append(h, "Arrival-Date", d, NULL);
		free(d);
	}
	g_mime_header_list_append(h, "Source-IP", s->ip, NULL);
	if (o->domain)
		g_mime_header_list_append(h, "Reported-Domain", o->domain, NULL);
	text = g_mime_header_list_to_string(h, NULL);
	out = xstrdup(text);
	g_free(text);
	g_object_unref(h);
	return out;
}

/* A leaf part whose content is data[0..len) as it is: the wrapper and
 * the part declare the same encoding, so GMime does not re-encode it;
 * only its newline filter applies (CRLF to LF), and not to a binary
 * part (see rfc822_encoding). */
static GMimePart *
raw_part(const char *type, const char *subtype, const char *data, size_t len,
	 GMimeContentEncoding enc)
{
	GMimePart *part = g_mime_part_new_with_type(type, subtype);
	GByteArray *ba = g_byte_array_sized_new((guint)len);
	GMimeStream *st;
	GMimeDataWrapper *w;

	g_byte_array_append(ba, (const guint8 *)data, (guint)len);
	st = g_mime_stream_mem_new_with_byte_array(ba);
	w = g_mime_data_wrapper_new_with_stream(st, enc);
	if (enc != GMIME_CONTENT_ENCODING_DEFAULT)
		g_mime_part_set_content_encoding(part, enc);
	g_mime_part_set_content(part, w);
	g_object_unref(w);
	g_object_unref(st);
	return part;
}

/* How message/rfc822 content is labelled (RFC 2046 5.2.1: 7bit, 8bit or
 * binary, never encoded).  GMime writes every part but a binary one
 * through a newline filter that turns CRLF into LF, so a sample with a
 * CR, like one with a NUL or a line over 998 octets, is binary: its
 * bytes are then copied untouched.  Else 8bit for bytes over 127, else
 * nothing (7bit). */
static GMimeContentEncoding
rfc822_encoding(const char *data, size_t len)
{
	GMimeContentEncoding enc = GMIME_CONTENT_ENCODING_DEFAULT;
	size_t line = 0;	/* octets of the line so far */

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\n')
			line = 0;
		else if (c == '\0' || c == '\r' || ++line > 998)
			return GMIME_CONTENT_ENCODING_BINARY;
		else if (c > 127)
			enc = GMIME_CONTENT_ENCODING_8BIT;
	}
	return enc;
}

/* A boundary from the sample's digest that the sample does not hold
 * (it cannot, short of a SHA-256 fixed point, but a test costs little). */
static char *
make_boundary(const struct arf_sample *s)
{
	char *b = xasprintf("=-fpkit-arf-%.32s", s->sha256);

	for (unsigned n = 1; memmem(s->data, s->len, b, strlen(b)); n++) {
		free(b);
		b = xasprintf("=-fpkit-arf-%.32s-%u", s->sha256, n);
	}
	return b;
}

char *
arf_report(const struct arf_sample *s, size_t *len)
{
	GMimeMessage *msg = g_mime_message_new(FALSE);
	GMimeMultipart *mp = g_mime_multipart_new_with_subtype("report");
	GMimeTextPart *text = g_mime_text_part_new_with_subtype("plain");
	GMimePart *fb, *orig;
	GMimeStream *out;
	GByteArray *ba;
	GDateTime *date;
	struct arf_origin o;
	char when[TIMEFMT_ISO_LEN], iso[TIMEFMT_ISO_LEN];
	char *t, *subject, *id, *boundary, *result;

	origin_read(&o, s);
	timefmt_compact_utc(s->blocked_at, when);
	timefmt_iso_utc(s->blocked_at, iso);

	/* The header: nothing from the sample, so nothing to escape. */
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, ARF_FROM_NAME, ARF_FROM_ADDR);
	subject = xasprintf("Not spam: message %zu of %zu sent from %s, blocked %s",
			    s->number, s->count, s->ip, iso);
	g_mime_message_set_subject(msg, subject, NULL);
	date = g_date_time_new_from_unix_utc(s->blocked_at);
	if (date) {
		g_mime_message_set_date(msg, date);
		g_date_time_unref(date);
	}
	/* Unique per event and sample, and the same on every run. */
	id = xasprintf("arf-%s-%zu-%.32s@fpkit.invalid", when, s->number, s->sha256);
	g_mime_message_set_message_id(msg, id);

	boundary = make_boundary(s);
	g_mime_multipart_set_boundary(mp, boundary);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(mp), "report-type",
						 "feedback-report");

	t = human_text(s);
	g_mime_text_part_set_text(text, t);
	g_mime_part_set_content_encoding(GMIME_PART(text),
		g_mime_part_get_best_content_encoding(GMIME_PART(text),
						      GMIME_ENCODING_CONSTRAINT_7BIT));
	free(t);
	g_mime_multipart_add(mp, GMIME_OBJECT(text));

	t = feedback_fields(s, &o);
	fb = raw_part("message", "feedback-report", t, strlen(t), GMIME_CONTENT_ENCODING_DEFAULT);
	free(t);
	g_mime_multipart_add(mp, GMIME_OBJECT(fb));

	orig = raw_part("message", "rfc822", s->data, s->len, rfc822_encoding(s->data, s->len));
	g_mime_multipart_add(mp, GMIME_OBJECT(orig));

	g_mime_message_set_mime_part(msg, GMIME_OBJECT(mp));

	out = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(msg), NULL, out);
	/* The message and its copy of the sample go before the report is
	 * copied out: a large sample is then in memory three times at
	 * most (the caller's, the stream's, the result), not four. */
	g_object_unref(orig);
	g_object_unref(fb);
	g_object_unref(text);
	g_object_unref(mp);
	g_object_unref(msg);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	result = xmalloc(ba->len + 1);
	memcpy(result, ba->data, ba->len);
	result[ba->len] = '\0';
	*len = ba->len;
	g_object_unref(out);
	free(boundary);
	free(id);
	free(subject);
	origin_release(&o);
	return result;
}

/* True when line[0..len) is ">*From " (mboxrd: such lines are quoted). */
static bool
from_line(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] == '>')
		i++;
	return len - i >= 5 && memcmp(line + i, "From ", 5) == 0;
}

void
arf_mbox_append(struct strbuf *mbox, const char *msg, size_t len, int64_t when)
{
	/* asctime's form in the C locale, whatever the user's locale. */
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	GDateTime *dt = g_date_time_new_from_unix_utc(when);
	const char *p = msg, *end = msg + len;

	if (dt == NULL)
		dt = g_date_time_new_from_unix_utc(0);
	strbuf_addf(mbox, "From %s %s %s %2d %02d:%02d:%02d %d\n", ARF_FROM_ADDR,
		    day[g_date_time_get_day_of_week(dt) % 7], mon[g_date_time_get_month(dt) - 1],
		    g_date_time_get_day_of_month(dt), g_date_time_get_hour(dt),
		    g_date_time_get_minute(dt), g_date_time_get_second(dt),
		    g_date_time_get_year(dt));
	g_date_time_unref(dt);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (from_line(p, n))
			strbuf_addch(mbox, '>');
		strbuf_add(mbox, p, n);
		p += n;
	}
	if (len == 0 || msg[len - 1] != '\n')
		strbuf_addch(mbox, '\n');
	strbuf_addch(mbox, '\n');
}

/* Fill what the API says of the sample's target: the first stats target
 * with the same canonical Message-ID (its sending date, destination and
 * score), or for a message taken as sent just before the block, its own
 * Date. */
static void
target_facts(struct arf_sample *a, const struct fpcase *c, const struct finder *f,
	     const struct sample *s)
{
	const struct finder_target *t = &f->targets[s->hit->target];

	if (t->recent) {
		a->has_arrival = true;
		a->arrival = t->date;
		return;
	}
	for (size_t i = 0; c->has_stats && i < c->stats.nr_targets; i++) {
		const struct model_target *m = &c->stats.targets[i];
		char *canon = msgid_normalize(m->message_id, strlen(m->message_id));
		bool same = canon && strcmp(canon, t->id) == 0;

		free(canon);
		if (same) {
			a->has_arrival = true;
			a->arrival = m->date;
			a->destination_ip = m->destination_ip;
			a->has_spamscore = true;
			a->spamscore = m->spamscore;
			return;
		}
	}
	if (s->parsed && s->mime.has_date) {
		a->has_arrival = true;
		a->arrival = s->mime.date_epoch;
	}
}

/* The envelope the mail logs give for a target (canonical id 'id'):
 * into *from (borrowed from *json, which the caller frees) and *rcpt
 * (new array of borrowed strings). */
static void
log_envelope(const struct maillog *m, const char *id, const char *dest_ip, json_t **json,
	     const char **from, const char ***rcpt, size_t *nr)
{
	char *relay = dest_ip ? xasprintf("[%s]", dest_ip) : NULL;
	size_t alloc = 0, i, k;
	json_t *story, *r;
	bool any_there = false;

	*json = NULL;
	*from = NULL;
	*rcpt = NULL;
	*nr = 0;
	for (k = 0; m && k < m->nr_targets; k++)
		if (strcmp(m->targets[k].id, id) == 0)
			break;
	if (m == NULL || k == m->nr_targets) {
		free(relay);
		return;
	}
	*json = maillog_delivery_json(m, k);
	/* Deliveries to the destination the API names, if any: a copy
	 * relayed elsewhere (an archive, a second recipient) is not what
	 * the anti-spam saw. */
	json_array_foreach(*json, i, story) {
		size_t j;

		json_array_foreach(json_object_get(story, "recipients"), j, r) {
			const char *rl = json_string_value(json_object_get(r, "relay"));

			any_there |= relay && rl && strstr(rl, relay);
		}
	}
	json_array_foreach(*json, i, story) {
		const char *fr = json_string_value(json_object_get(story, "from"));
		size_t j;

		json_array_foreach(json_object_get(story, "recipients"), j, r) {
			const char *to = json_string_value(json_object_get(r, "to"));
			const char *rl = json_string_value(json_object_get(r, "relay"));

			if (to == NULL || (any_there && !(rl && strstr(rl, relay))))
				continue;
			if (*from == NULL && fr)
				*from = fr;
			*rcpt = xgrow(*rcpt, *nr + 1, &alloc, sizeof(**rcpt));
			(*rcpt)[(*nr)++] = to;
		}
	}
	free(relay);
}

char *
arf_bundle(const struct fpcase *c, const struct finder *f, const struct sample_list *l,
	   const struct maillog *trail, size_t *len)
{
	struct strbuf mbox;

	*len = 0;
	if (l->nr == 0)
		return NULL;
	strbuf_init(&mbox, STRBUF_NO_MAX);
	for (size_t i = 0; i < l->nr; i++) {
		const struct sample *s = &l->items[i];
		struct arf_sample a;
		const char **rcpt;
		json_t *logs;
		char *msg;
		size_t msg_len;

		memset(&a, 0, sizeof(a));
		a.data = s->data;
		a.len = s->data_len;
		a.msg = &s->msg;
		a.ip = c->ip;
		a.blocked_at = c->blocked_at;
		a.message_id = s->message_id;
		a.number = i + 1;
		a.count = l->nr;
		a.file = s->file;
		a.sha256 = s->sha256;
		target_facts(&a, c, f, s);
		log_envelope(trail, f->targets[s->hit->target].id, a.destination_ip, &logs,
			     &a.mail_from, &rcpt, &a.nr_rcpt);
		a.rcpt = rcpt;
		msg = arf_report(&a, &msg_len);
		free(rcpt);
		json_decref(logs);
		arf_mbox_append(&mbox, msg, msg_len, c->blocked_at);
		free(msg);
	}
	return strbuf_detach(&mbox, len);
}
