/* alertmime.c - GMime, third module: the texts of an e-mail and of the
 * messages forwarded inside it, decoded to UTF-8, for the alert parser.
 * GMime undoes the transfer encodings (quoted-printable, base64) and
 * converts each text from its charset; alert.c never sees MIME. */
#include "config.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alertmime.h"
#include "fpkit_limits.h"
#include "strbuf.h"
#include "xalloc.h"

struct walk {
	struct alertmime *a;
	size_t nr_parts;
};

static void walk_object(struct walk *w, GMimeObject *obj, size_t msg, unsigned depth);

/* A part's content with its transfer encoding undone (new, g_free). */
static GByteArray *
decoded_bytes(GMimePart *part)
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
html_meta_charset(const guint8 *data, size_t len, char *buf, size_t size)
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
convert_strict(iconv_t cd, const guint8 *data, size_t len)
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
convert(const guint8 *data, size_t len, const char *charset)
{
	GMimeFilter *filter;
	GMimeStream *mem, *filtered;
	GByteArray *out;
	iconv_t cd = g_mime_iconv_open("utf-8", charset);

	if (cd == (iconv_t)-1)
		return NULL;
	out = convert_strict(cd, data, len);
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
utf8_valid(const guint8 *p, size_t len)
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
utf8_text(const guint8 *p, size_t len, size_t *lenp)
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
part_text(GMimePart *part, bool html, size_t *lenp)
{
	GByteArray *raw = decoded_bytes(part), *conv = NULL;
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
		conv = convert(raw->data, raw->len, charset);
	if (conv == NULL && !utf8_valid(raw->data, raw->len)) {
		if (html && html_meta_charset(raw->data, raw->len, meta, sizeof(meta)) &&
		    g_ascii_strcasecmp(meta, "utf-8") != 0)
			conv = convert(raw->data, raw->len, meta);
		if (conv == NULL)
			conv = convert(raw->data, raw->len, "windows-1252");
	}
	p = conv ? conv->data : raw->data;
	len = conv ? conv->len : raw->len;
	text = utf8_text(p, len, lenp);
	g_byte_array_unref(raw);
	if (conv)
		g_byte_array_unref(conv);
	return text;
}

static size_t
add_message(struct walk *w, GMimeMessage *msg, unsigned depth)
{
	struct alertmime *a = w->a;
	struct alertmime_msg *m;
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
walk_message(struct walk *w, GMimeMessage *msg, unsigned depth)
{
	size_t index = add_message(w, msg, depth);

	walk_object(w, g_mime_message_get_mime_part(msg), index, depth);
}

/* An attachment that holds a whole message but is not typed
 * message/rfc822 (clients attach saved mail as .eml files of type
 * application/octet-stream): parsed as a message of its own. */
static bool
is_eml_attachment(GMimePart *part)
{
	const char *name = g_mime_part_get_filename(part);
	size_t n = name ? strlen(name) : 0;

	return n > 4 && g_ascii_strcasecmp(name + n - 4, ".eml") == 0;
}

static void
walk_eml(struct walk *w, GMimePart *part, unsigned depth)
{
	GByteArray *raw = decoded_bytes(part);
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
		walk_message(w, msg, depth + 1);
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
}

static void
walk_object(struct walk *w, GMimeObject *obj, size_t msg, unsigned depth)
{
	struct alertmime *a = w->a;
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
			walk_object(w, g_mime_multipart_get_part(mp, i), msg, depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (inner)
			walk_message(w, inner, depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		GMimePart *part = GMIME_PART(obj);
		bool plain = ct && g_mime_content_type_is_type(ct, "text", "plain");
		bool html = ct && g_mime_content_type_is_type(ct, "text", "html");
		struct alertmime_text *t;

		if (!plain && !html) {
			if (is_eml_attachment(part))
				walk_eml(w, part, depth);
			return;
		}
		a->texts = xgrow(a->texts, a->nr_texts + 1, &a->alloc_texts, sizeof(*a->texts));
		t = &a->texts[a->nr_texts++];
		t->msg = msg;
		t->html = html;
		t->text = part_text(part, html, &t->len);
	}
}

int
alertmime_buffer(struct alertmime *a, const char *buf, size_t len)
{
	struct walk w = { a, 0 };
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	GByteArray *ba;

	memset(a, 0, sizeof(*a));
	ba = g_byte_array_sized_new((guint)len);
	g_byte_array_append(ba, (const guint8 *)buf, (guint)len);
	stream = g_mime_stream_mem_new_with_byte_array(ba);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg) {
		walk_message(&w, msg, 0);
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	return msg ? 0 : -1;
}

void
alertmime_release(struct alertmime *a)
{
	for (size_t i = 0; i < a->nr_msgs; i++)
		free(a->msgs[i].subject);
	for (size_t i = 0; i < a->nr_texts; i++)
		free(a->texts[i].text);
	free(a->msgs);
	free(a->texts);
	memset(a, 0, sizeof(*a));
}
