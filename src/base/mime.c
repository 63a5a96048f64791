/* mime.c - the GMime reader, the one module (with the ARF writer) that
 * talks to GMime: a message parsed once, described for people
 * (mime_summary) and for the checks (mime_walk); and the texts of an
 * alert e-mail and of the messages forwarded in it (mime_alert), which
 * GMime decodes (transfer encodings, charsets) so that the alert parser
 * never sees MIME; and the fields that say where a message came from
 * (mime_origin) */
#include "config.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <iconv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fpkit_limits.h"
#include "mime.h"
#include "msgid.h"
#include "strbuf.h"
#include "textsafe.h"
#include "xalloc.h"

static pthread_once_t started_once = PTHREAD_ONCE_INIT;
static bool started;

static void
start(void)
{
	g_mime_init();
	started = true;
}

/* GMime is started at its first use, not in main(): a command that
 * parses no message (find, scan, verify, ...) pays nothing for it.  The
 * first use may be on any thread (pack searches the stores in threads). */
void
mime_global_init(void)
{
	pthread_once(&started_once, start);
}

void
mime_global_shutdown(void)
{
	if (started)
		g_mime_shutdown();
}

static const struct {
	const char *id;
	const char *text;
} warnings[] = {
	[GMIME_WARN_DUPLICATED_HEADER] = { "mime-header-duplicated",
		"a field that may appear once appears again" },
	[GMIME_WARN_DUPLICATED_PARAMETER] = { "mime-parameter-duplicated",
		"a header parameter is repeated" },
	[GMIME_WARN_UNENCODED_8BIT_HEADER] = { "header-8bit",
		"a header holds 8-bit bytes without RFC 2047 encoding" },
	[GMIME_WARN_INVALID_CONTENT_TYPE] = { "mime-content-type-invalid",
		"a Content-Type cannot be read; it is taken as application/octet-stream" },
	[GMIME_WARN_INVALID_RFC2047_HEADER_VALUE] = { "mime-rfc2047-invalid",
		"an RFC 2047 encoded word is malformed" },
	[GMIME_WARN_MALFORMED_MULTIPART] = { "mime-multipart-empty",
		"a multipart holds no part" },
	[GMIME_WARN_TRUNCATED_MESSAGE] = { "mime-truncated",
		"the message ends before its MIME structure does" },
	[GMIME_WARN_MALFORMED_MESSAGE] = { "mime-malformed",
		"the message is malformed" },
	[GMIME_CRIT_INVALID_HEADER_NAME] = { "mime-header-name-invalid",
		"a header name is invalid; readers may skip part of the message" },
	[GMIME_CRIT_CONFLICTING_HEADER] = { "mime-header-conflicting",
		"a field appears twice with different values" },
	[GMIME_CRIT_CONFLICTING_PARAMETER] = { "mime-parameter-conflicting",
		"a header parameter appears twice with different values" },
	[GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY] = { "mime-boundary-missing",
		"a multipart has no boundary parameter" },
	[GMIME_WARN_INVALID_PARAMETER] = { "mime-parameter-invalid",
		"a header parameter is invalid" },
	[GMIME_WARN_INVALID_ADDRESS_LIST] = { "mime-address-list-invalid",
		"an address list cannot be read" },
	[GMIME_CRIT_NESTING_OVERFLOW] = { "mime-too-deep",
		"MIME parts are nested deeper than GMime reads" },
	[GMIME_WARN_PART_WITHOUT_CONTENT] = { "mime-part-without-content",
		"a part's header is ended by a boundary: it has no content" },
	[GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT] = { "mime-part-empty",
		"a part has neither header nor content" },
};

const char *
mime_walk_warning_id(int code)
{
	if (code > 0 && (size_t)code < sizeof(warnings) / sizeof(warnings[0]) && warnings[code].id)
		return warnings[code].id;
	return "mime-warning";
}

const char *
mime_walk_warning_text(int code)
{
	if (code > 0 && (size_t)code < sizeof(warnings) / sizeof(warnings[0]) && warnings[code].text)
		return warnings[code].text;
	return "GMime reported a problem it has no name for";
}

static void
on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
	struct mime_message *m = data;
	struct mime_walk_warning *x;

	/* A hostile message can make GMime warn without end: keep a bounded
	 * number, as for the parts. */
	if (m->nr_warnings >= FPKIT_LIMIT_MIME_PARTS)
		return;
	m->warnings = xgrow(m->warnings, m->nr_warnings + 1, &m->alloc_warnings,
			    sizeof(*m->warnings));
	x = &m->warnings[m->nr_warnings++];
	x->offset = offset;
	x->code = (int)code;
	x->item = item ? textsafe_visible(item, strlen(item)) : NULL;
}

void
mime_message_take(struct mime_message *m, char *data, size_t len)
{
	GMimeParserOptions *opts;
	GByteArray *ba;
	bool complete;

	mime_global_init();
	memset(m, 0, sizeof(*m));
	/* The stream takes the bytes as they are: no copy (GLib's
	 * allocator is malloc's). */
	ba = g_byte_array_new_take((guint8 *)data, len);
	m->stream = g_mime_stream_mem_new_with_byte_array(ba);
	m->data = (const char *)ba->data;
	m->len = len;
	/* GMime is given no header block larger than the checks read
	 * (FPKIT_LIMIT_HEADER_BLOCK): its time and memory grow with it,
	 * and with an allocator whose realloc copies, a 100 MB header took
	 * half an hour. */
	if (msgid_header_end(m->data, len, &complete) > FPKIT_LIMIT_HEADER_BLOCK) {
		m->header_too_large = true;
		return;
	}
	m->parser = g_mime_parser_new_with_stream(m->stream);
	g_mime_parser_set_format(m->parser, GMIME_FORMAT_MESSAGE);
	opts = g_mime_parser_options_new();
	g_mime_parser_options_set_warning_callback(opts, on_warning, m);
	m->message = g_mime_parser_construct_message(m->parser, opts);
	g_mime_parser_options_free(opts);
}

void
mime_message_open_fd(struct mime_message *m, int fd, size_t len, const char *head,
		     size_t head_len)
{
	GMimeParserOptions *opts;
	bool complete;
	int own;

	mime_global_init();
	memset(m, 0, sizeof(*m));
	m->len = len;
	/* The header block is judged on its first bytes, as in
	 * mime_message_take: past the limit, GMime never sees it. */
	if (msgid_header_end(head, head_len, &complete) > FPKIT_LIMIT_HEADER_BLOCK ||
	    (!complete && head_len < len)) {
		m->header_too_large = true;
		return;
	}
	own = dup(fd);
	if (own < 0)
		return;
	/* GMime's file stream reads at the descriptor's offset, which the
	 * copy shares: from the start. */
	lseek(own, 0, SEEK_SET);
	/* A file stream the parser keeps (persist_stream, GMime's default
	 * for a seekable stream): every part's content stays a range of the
	 * file, read only when it is written out, never copied. */
	m->stream = g_mime_stream_fs_new_with_bounds(own, 0, (gint64)len);
	m->parser = g_mime_parser_new_with_stream(m->stream);
	g_mime_parser_set_format(m->parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(m->parser, TRUE);
	opts = g_mime_parser_options_new();
	g_mime_parser_options_set_warning_callback(opts, on_warning, m);
	m->message = g_mime_parser_construct_message(m->parser, opts);
	g_mime_parser_options_free(opts);
}

void
mime_message_close(struct mime_message *m)
{
	for (size_t i = 0; i < m->nr_warnings; i++)
		free(m->warnings[i].item);
	free(m->warnings);
	if (m->message)
		g_object_unref(m->message);
	if (m->parser)
		g_object_unref(m->parser);
	if (m->stream)
		g_object_unref(m->stream);
	memset(m, 0, sizeof(*m));
}

static char *
visible(const char *s)
{
	return s ? textsafe_visible(s, strlen(s)) : NULL;
}

static char *
addresses(InternetAddressList *list)
{
	char *s, *v;

	if (list == NULL || internet_address_list_length(list) == 0)
		return NULL;
	s = internet_address_list_to_string(list, NULL, FALSE);
	v = visible(s);
	g_free(s);
	return v;
}

static void
count_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	(void)parent;
	if (!GMIME_IS_MULTIPART(part))
		(*(unsigned *)data)++;
}

void
mime_summarize(const struct mime_message *m, struct mime_summary *s)
{
	GMimeMessage *msg = m->message;
	GDateTime *dt;

	memset(s, 0, sizeof(*s));
	s->from = addresses(g_mime_message_get_from(msg));
	s->to = addresses(g_mime_message_get_to(msg));
	s->subject = visible(g_mime_message_get_subject(msg));
	s->date = visible(g_mime_object_get_header(GMIME_OBJECT(msg), "Date"));
	s->message_id = visible(g_mime_message_get_message_id(msg));
	dt = g_mime_message_get_date(msg);
	if (dt) {
		s->has_date = true;
		s->date_epoch = g_date_time_to_unix(dt);
	}
	g_mime_message_foreach(msg, count_part, &s->nr_parts);
}

void
mime_summary_release(struct mime_summary *s)
{
	free(s->from);
	free(s->to);
	free(s->subject);
	free(s->date);
	free(s->message_id);
	memset(s, 0, sizeof(*s));
}

int
mime_parse_date(const char *value, size_t len, int64_t *epoch)
{
	char *copy;
	GDateTime *dt;

	mime_global_init();
	copy = g_strndup(value, len);
	dt = g_mime_utils_header_decode_date(copy);
	g_free(copy);
	if (dt == NULL)
		return -1;
	*epoch = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return 0;
}

/* Append up to the cap of FPKIT_LIMIT_MIME_TEXT over text and html together. */
static void
add_text(struct mime_walk *w, char **dst, size_t *dlen, const char *s)
{
	size_t n = strlen(s), room = FPKIT_LIMIT_MIME_TEXT - (w->text_len + w->html_len);

	if (n > room) {
		n = room;
		w->text_cut = true;
	}
	*dst = xrealloc(*dst, *dlen + n + 2);
	memcpy(*dst + *dlen, s, n);
	(*dst)[*dlen + n] = '\n';
	*dlen += n + 1;
	(*dst)[*dlen] = '\0';
}

static void
walk(struct mime_walk *w, GMimeObject *obj, unsigned depth)
{
	GMimeContentType *ct;
	struct mime_walk_part *p;
	char *type;

	if (obj == NULL)
		return;
	if (w->nr_parts >= FPKIT_LIMIT_MIME_PARTS || depth >= FPKIT_LIMIT_MIME_DEPTH) {
		w->too_many_parts = true;
		return;
	}
	ct = g_mime_object_get_content_type(obj);
	type = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");
	w->parts = xgrow(w->parts, w->nr_parts + 1, &w->alloc_parts, sizeof(*w->parts));
	p = &w->parts[w->nr_parts++];
	memset(p, 0, sizeof(*p));
	p->type = g_ascii_strdown(type, -1);
	g_free(type);
	p->depth = depth;
	p->start = p->end = -1;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		const char *b = g_mime_multipart_get_boundary(mp);
		int n = g_mime_multipart_get_count(mp);

		p->kind = MIME_WALK_MULTIPART;
		p->boundary = b ? xstrdup(b) : NULL;
		for (int i = 0; i < n; i++)
			walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		p->kind = MIME_WALK_MESSAGE;
		if (inner)
			walk(w, g_mime_message_get_mime_part(inner), depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		GMimePart *part = GMIME_PART(obj);
		GMimeDataWrapper *dw = g_mime_part_get_content(part);

		p->kind = MIME_WALK_LEAF;
		p->base64 = g_mime_part_get_content_encoding(part) == GMIME_CONTENT_ENCODING_BASE64;
		if (dw) {
			GMimeStream *s = g_mime_data_wrapper_get_stream(dw);

			/* The parser keeps each content as a substream of the
			 * message: its bounds are offsets in our buffer. */
			if (s && s->bound_start >= 0 && s->bound_end >= s->bound_start) {
				p->start = s->bound_start;
				p->end = s->bound_end;
			}
		}
		if (GMIME_IS_TEXT_PART(obj) && !g_mime_part_is_attachment(part) &&
		    w->text_len + w->html_len < FPKIT_LIMIT_MIME_TEXT) {
			char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));

			if (t && strcmp(p->type, "text/html") == 0)
				add_text(w, &w->html, &w->html_len, t);
			else if (t && strcmp(p->type, "text/plain") == 0)
				add_text(w, &w->text, &w->text_len, t);
			g_free(t);
		}
	}
}

static size_t
count_addresses(InternetAddressList *l)
{
	size_t n = 0;
	int len = l ? internet_address_list_length(l) : 0;

	for (int i = 0; i < len; i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);

		if (INTERNET_ADDRESS_IS_GROUP(a))
			n += count_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)));
		else
			n++;
	}
	return n;
}

static void
read_header(struct mime_walk *w, GMimeMessage *msg)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	InternetAddressList *from = g_mime_message_get_from(msg);
	const char *subject = g_mime_message_get_subject(msg);
	int n = hl ? g_mime_header_list_get_count(hl) : 0;

	for (int i = 0; i < n && w->nr_fields < FPKIT_LIMIT_HEADER_FIELDS; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		const char *value = g_mime_header_get_value(h);
		struct mime_walk_field *f;

		w->fields = xgrow(w->fields, w->nr_fields + 1, &w->alloc_fields, sizeof(*w->fields));
		f = &w->fields[w->nr_fields++];
		f->name = xstrdup(name ? name : "");
		f->value = xstrdup(value ? value : "");
	}
	w->subject = subject ? xstrdup(subject) : NULL;
	for (int i = 0; from && i < internet_address_list_length(from); i++) {
		InternetAddress *a = internet_address_list_get_address(from, i);
		const char *addr;

		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
		if (addr && *addr) {
			w->from_addr = xstrdup(addr);
			break;
		}
	}
	w->nr_recipients = count_addresses(g_mime_message_get_to(msg)) +
			   count_addresses(g_mime_message_get_cc(msg));
}

void
mime_walk_message(struct mime_walk *w, const struct mime_message *m)
{
	memset(w, 0, sizeof(*w));
	/* GMime's warnings, as it gave them while parsing. */
	for (size_t i = 0; i < m->nr_warnings; i++) {
		struct mime_walk_warning *x;

		w->warnings = xgrow(w->warnings, w->nr_warnings + 1, &w->alloc_warnings,
				    sizeof(*w->warnings));
		x = &w->warnings[w->nr_warnings++];
		*x = m->warnings[i];
		x->item = x->item ? xstrdup(x->item) : NULL;
	}
	if (m->message) {
		w->parsed = true;
		read_header(w, m->message);
		walk(w, g_mime_message_get_mime_part(m->message), 0);
	}
}

void
mime_walk_buffer(struct mime_walk *w, const char *buf, size_t len)
{
	struct mime_message m;
	char *copy = xmalloc(len + 1);

	memcpy(copy, buf, len);
	mime_message_take(&m, copy, len);
	mime_walk_message(w, &m);
	mime_message_close(&m);
}

void
mime_walk_release(struct mime_walk *w)
{
	for (size_t i = 0; i < w->nr_warnings; i++)
		free(w->warnings[i].item);
	for (size_t i = 0; i < w->nr_parts; i++) {
		g_free(w->parts[i].type);
		free(w->parts[i].boundary);
	}
	for (size_t i = 0; i < w->nr_fields; i++) {
		free(w->fields[i].name);
		free(w->fields[i].value);
	}
	free(w->warnings);
	free(w->parts);
	free(w->fields);
	free(w->subject);
	free(w->from_addr);
	free(w->text);
	free(w->html);
	memset(w, 0, sizeof(*w));
}

const char *
mime_walk_field(const struct mime_walk *w, const char *name)
{
	for (size_t i = 0; i < w->nr_fields; i++)
		if (strcasecmp(w->fields[i].name, name) == 0)
			return w->fields[i].value;
	return NULL;
}

size_t
mime_walk_count(const struct mime_walk *w, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < w->nr_fields; i++)
		n += strcasecmp(w->fields[i].name, name) == 0;
	return n;
}

/* ---- the fields that say where a message came from ---- */

/* A raw value unfolded: line breaks dropped, every other byte as
 * written (no RFC 2047 decoding: an encoded word in a HELO name must not
 * become a parenthesis or a keyword of the field). */
static char *
unfolded(const char *raw)
{
	char *s = xstrdup(raw ? raw : ""), *o = s;

	for (const char *p = s; *p; p++)
		if (*p != '\r' && *p != '\n')
			*o++ = *p;
	*o = '\0';
	return s;
}

/* The address of the first mailbox of an address list, or NULL. */
static char *
first_mailbox(InternetAddressList *l)
{
	for (int i = 0; l && i < internet_address_list_length(l); i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		const char *addr;

		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
		if (addr && *addr)
			return xstrdup(addr);
	}
	return NULL;
}

void
mime_origin_buffer(struct mime_origin *o, const char *buf, size_t len)
{
	struct mime_message m;
	GMimeHeaderList *hl;
	char *copy = xmalloc(len + 1);
	int n;

	memset(o, 0, sizeof(*o));
	memcpy(copy, buf, len);
	mime_message_take(&m, copy, len);
	if (m.message == NULL)
		goto out;
	hl = g_mime_object_get_header_list(GMIME_OBJECT(m.message));
	n = hl ? g_mime_header_list_get_count(hl) : 0;
	o->from = first_mailbox(g_mime_message_get_from(m.message));
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);

		if (name == NULL)
			continue;
		if (g_ascii_strcasecmp(name, "Received") == 0 &&
		    o->nr_received < FPKIT_LIMIT_RECEIVED_HOPS) {
			o->received = xgrow(o->received, o->nr_received + 1, &o->alloc_received,
					    sizeof(*o->received));
			o->received[o->nr_received++] = unfolded(g_mime_header_get_raw_value(h));
		} else if (g_ascii_strcasecmp(name, "DKIM-Signature") == 0 &&
			   o->nr_dkim < FPKIT_LIMIT_DKIM_SIGNATURES) {
			o->dkim = xgrow(o->dkim, o->nr_dkim + 1, &o->alloc_dkim, sizeof(*o->dkim));
			o->dkim[o->nr_dkim++] = unfolded(g_mime_header_get_raw_value(h));
		} else if (g_ascii_strcasecmp(name, "Return-Path") == 0 && o->return_path == NULL) {
			/* "<>" (the null sender) gives no mailbox. */
			InternetAddressList *l = internet_address_list_parse(NULL,
				g_mime_header_get_raw_value(h));

			if (l) {
				o->return_path = first_mailbox(l);
				g_object_unref(l);
			}
		}
	}
out:
	mime_message_close(&m);
}

void
mime_origin_release(struct mime_origin *o)
{
	for (size_t i = 0; i < o->nr_received; i++)
		free(o->received[i]);
	for (size_t i = 0; i < o->nr_dkim; i++)
		free(o->dkim[i]);
	free(o->received);
	free(o->dkim);
	free(o->from);
	free(o->return_path);
	memset(o, 0, sizeof(*o));
}

/* ---- the texts of an alert e-mail ---- */

struct alert_walk {
	struct mime_alert *a;
	size_t nr_parts;
};

static void alert_walk_object(struct alert_walk *w, GMimeObject *obj, size_t msg, unsigned depth);

/* A part's content with its transfer encoding undone (new, g_free). */
static GByteArray *
alert_decoded_bytes(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;

	if (dw == NULL)
		return NULL;
	ba = g_byte_array_new();
	mem = g_mime_stream_mem_new_with_byte_array(ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_mime_data_wrapper_write_to_stream(dw, mem);
	g_object_unref(mem);
	return ba;
}

/* The charset an HTML document declares in its first bytes (<meta
 * charset="..."> or content="text/html; charset=..."), into buf. */
static bool
alert_html_meta_charset(const guint8 *data, size_t len, char *buf, size_t size)
{
	size_t n = len < 2048 ? len : 2048;

	for (size_t i = 0; i + 8 <= n; i++) {
		size_t k = 0;

		if (g_ascii_strncasecmp((const char *)data + i, "charset=", 8) != 0)
			continue;
		i += 8;
		while (i < n && (data[i] == '"' || data[i] == '\'' || data[i] == ' '))
			i++;
		while (i < n && k + 1 < size && (g_ascii_isalnum(data[i]) || data[i] == '-' ||
						  data[i] == '_' || data[i] == '.' || data[i] == ':'))
			buf[k++] = (char)data[i++];
		buf[k] = '\0';
		return k > 0;
	}
	return false;
}

/* Convert data from 'charset' to UTF-8 through cd, strictly: NULL at a
 * byte the charset does not have.  An incomplete sequence at the end is
 * dropped (as g_mime_iconv_strndup does).  Unlike g_mime_iconv_strndup,
 * the length is kept: a U+0000 in the text does not end it. */
static GByteArray *
alert_convert_strict(iconv_t cd, const guint8 *data, size_t len)
{
	GByteArray *out = g_byte_array_new();
	char *in = (char *)data;
	size_t inleft = len, used = 0;
	bool flushed = false;

	while (!flushed) {
		size_t room = inleft * 2 + 16, outleft = room, rc;
		char *o;

		g_byte_array_set_size(out, (guint)(used + room));
		o = (char *)out->data + used;
		if (inleft > 0) {
			rc = iconv(cd, &in, &inleft, &o, &outleft);
		} else {
			/* Back to the initial shift state, once all is read. */
			rc = iconv(cd, NULL, NULL, &o, &outleft);
			flushed = rc != (size_t)-1;
		}
		used = (size_t)((guint8 *)o - out->data);
		if (rc != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL) {
			inleft = 0;
			continue;
		}
		iconv(cd, NULL, NULL, NULL, NULL);
		g_byte_array_unref(out);
		return NULL;
	}
	g_byte_array_set_size(out, (guint)used);
	return out;
}

/* Convert data from 'charset' to UTF-8 with GMime: strictly first
 * (convert_strict fails on a byte the charset does not have), else
 * through GMime's charset filter, which skips such bytes.  NULL when
 * GMime knows no such charset or nothing came out. */
static GByteArray *
alert_convert(const guint8 *data, size_t len, const char *charset)
{
	GMimeFilter *filter;
	GMimeStream *mem, *filtered;
	GByteArray *out;
	iconv_t cd = g_mime_iconv_open("utf-8", charset);

	if (cd == (iconv_t)-1)
		return NULL;
	out = alert_convert_strict(cd, data, len);
	g_mime_iconv_close(cd);
	if (out)
		return out;
	filter = g_mime_filter_charset_new(charset, "utf-8");
	if (filter == NULL)
		return NULL;
	out = g_byte_array_new();
	mem = g_mime_stream_mem_new_with_byte_array(out);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	filtered = g_mime_stream_filter_new(mem);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), filter);
	g_object_unref(filter);
	g_mime_stream_write(filtered, (const char *)data, len);
	g_mime_stream_flush(filtered);
	g_object_unref(filtered);
	g_object_unref(mem);
	if (out->len == 0 && len > 0) {
		g_byte_array_unref(out);
		return NULL;
	}
	return out;
}

/* Is p[0..len) UTF-8, NUL bytes allowed (g_utf8_validate stops at
 * one)? */
static bool
alert_utf8_valid(const guint8 *p, size_t len)
{
	while (len > 0) {
		const guint8 *nul = memchr(p, '\0', len);
		size_t n = nul ? (size_t)(nul - p) : len;

		if (!g_utf8_validate((const char *)p, (gssize)n, NULL))
			return false;
		n += nul != NULL;
		p += n;
		len -= n;
	}
	return true;
}

/* p[0..len) as valid UTF-8 (new, NUL-terminated, *lenp bytes): what is
 * not UTF-8 becomes U+FFFD; NUL bytes are kept (alert.c reads them as
 * blanks), so the text goes on past them. */
static char *
alert_utf8_text(const guint8 *p, size_t len, size_t *lenp)
{
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	while (len > 0) {
		const guint8 *nul = memchr(p, '\0', len);
		size_t n = nul ? (size_t)(nul - p) : len;

		if (g_utf8_validate((const char *)p, (gssize)n, NULL)) {
			strbuf_add(&sb, p, n);
		} else {
			char *valid = g_utf8_make_valid((const char *)p, (gssize)n);

			strbuf_addstr(&sb, valid);
			g_free(valid);
		}
		if (nul) {
			strbuf_addch(&sb, '\0');
			n++;
		}
		p += n;
		len -= n;
	}
	return strbuf_detach(&sb, lenp);
}

/* The text of a text part as UTF-8: from its declared charset, or from
 * an HTML <meta> charset, or as UTF-8 when it is valid, or as
 * windows-1252 (a superset of ISO-8859-1 for what mail holds). */
static char *
alert_part_text(GMimePart *part, bool html, size_t *lenp)
{
	GByteArray *raw = alert_decoded_bytes(part), *conv = NULL;
	const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
									 "charset");
	char meta[64];
	const guint8 *p;
	size_t len;
	char *text;

	if (raw == NULL || raw->len == 0) {
		if (raw)
			g_byte_array_unref(raw);
		*lenp = 0;
		return xstrdup("");
	}
	if (charset && *charset && g_ascii_strcasecmp(charset, "us-ascii") != 0 &&
	    g_ascii_strcasecmp(charset, "utf-8") != 0 && g_ascii_strcasecmp(charset, "utf8") != 0)
		conv = alert_convert(raw->data, raw->len, charset);
	if (conv == NULL && !alert_utf8_valid(raw->data, raw->len)) {
		if (html && alert_html_meta_charset(raw->data, raw->len, meta, sizeof(meta)) &&
		    g_ascii_strcasecmp(meta, "utf-8") != 0)
			conv = alert_convert(raw->data, raw->len, meta);
		if (conv == NULL)
			conv = alert_convert(raw->data, raw->len, "windows-1252");
	}
	p = conv ? conv->data : raw->data;
	len = conv ? conv->len : raw->len;
	text = alert_utf8_text(p, len, lenp);
	g_byte_array_unref(raw);
	if (conv)
		g_byte_array_unref(conv);
	return text;
}

static size_t
alert_add_message(struct alert_walk *w, GMimeMessage *msg, unsigned depth)
{
	struct mime_alert *a = w->a;
	struct mime_alert_msg *m;
	const char *subject = g_mime_message_get_subject(msg);
	GDateTime *dt = g_mime_message_get_date(msg);

	a->msgs = xgrow(a->msgs, a->nr_msgs + 1, &a->alloc_msgs, sizeof(*a->msgs));
	m = &a->msgs[a->nr_msgs];
	memset(m, 0, sizeof(*m));
	m->depth = depth;
	if (subject) {
		char *valid = g_utf8_make_valid(subject, -1);

		m->subject = xstrdup(valid);
		g_free(valid);
	}
	if (dt) {
		m->has_date = true;
		m->date = g_date_time_to_unix(dt);
	}
	return a->nr_msgs++;
}

static void
alert_walk_message(struct alert_walk *w, GMimeMessage *msg, unsigned depth)
{
	size_t index = alert_add_message(w, msg, depth);

	alert_walk_object(w, g_mime_message_get_mime_part(msg), index, depth);
}

/* An attachment that holds a whole message but is not typed
 * message/rfc822 (clients attach saved mail as .eml files of type
 * application/octet-stream): parsed as a message of its own. */
static bool
alert_is_eml_attachment(GMimePart *part)
{
	const char *name = g_mime_part_get_filename(part);
	size_t n = name ? strlen(name) : 0;

	return n > 4 && g_ascii_strcasecmp(name + n - 4, ".eml") == 0;
}

static void
alert_walk_eml(struct alert_walk *w, GMimePart *part, unsigned depth)
{
	GByteArray *raw = alert_decoded_bytes(part);
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	if (raw == NULL)
		return;
	stream = g_mime_stream_mem_new_with_byte_array(raw);	/* owns raw */
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg) {
		alert_walk_message(w, msg, depth + 1);
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
}

static void
alert_walk_object(struct alert_walk *w, GMimeObject *obj, size_t msg, unsigned depth)
{
	struct mime_alert *a = w->a;
	GMimeContentType *ct;

	if (obj == NULL)
		return;
	if (w->nr_parts >= FPKIT_LIMIT_ALERT_PARTS || depth >= FPKIT_LIMIT_ALERT_DEPTH) {
		a->cut = true;
		return;
	}
	w->nr_parts++;
	ct = g_mime_object_get_content_type(obj);
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++)
			alert_walk_object(w, g_mime_multipart_get_part(mp, i), msg, depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (inner)
			alert_walk_message(w, inner, depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		GMimePart *part = GMIME_PART(obj);
		bool plain = ct && g_mime_content_type_is_type(ct, "text", "plain");
		bool html = ct && g_mime_content_type_is_type(ct, "text", "html");
		struct mime_alert_text *t;

		if (!plain && !html) {
			if (alert_is_eml_attachment(part))
				alert_walk_eml(w, part, depth);
			return;
		}
		a->texts = xgrow(a->texts, a->nr_texts + 1, &a->alloc_texts, sizeof(*a->texts));
		t = &a->texts[a->nr_texts++];
		t->msg = msg;
		t->html = html;
		t->text = alert_part_text(part, html, &t->len);
	}
}

int
mime_alert_buffer(struct mime_alert *a, const char *buf, size_t len)
{
	struct alert_walk w = { a, 0 };
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	GByteArray *ba;

	mime_global_init();
	memset(a, 0, sizeof(*a));
	ba = g_byte_array_sized_new((guint)len);
	g_byte_array_append(ba, (const guint8 *)buf, (guint)len);
	stream = g_mime_stream_mem_new_with_byte_array(ba);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg) {
		alert_walk_message(&w, msg, 0);
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	return msg ? 0 : -1;
}

void
mime_alert_release(struct mime_alert *a)
{
	for (size_t i = 0; i < a->nr_msgs; i++)
		free(a->msgs[i].subject);
	for (size_t i = 0; i < a->nr_texts; i++)
		free(a->texts[i].text);
	free(a->msgs);
	free(a->texts);
	memset(a, 0, sizeof(*a));
}

void
mime_library_version(const char **built, const char **running)
{
	static char b[32], r[32];

	snprintf(b, sizeof(b), "%d.%d.%d", GMIME_MAJOR_VERSION, GMIME_MINOR_VERSION,
		 GMIME_MICRO_VERSION);
	snprintf(r, sizeof(r), "%u.%u.%u", gmime_major_version, gmime_minor_version,
		 gmime_micro_version);
	*built = b;
	*running = r;
}
