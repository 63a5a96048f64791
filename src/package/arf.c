/* arf.c - GMime, third module: the bundle's report.arf, one RFC 5965
 * feedback report per sample, kept together as an mboxrd file
 *
 * Every MIME structure is GMime's; only the mbox envelope ("From "
 * lines and their quoting) is written here, as mbox is no MIME. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "arf.h"
#include "bundle.h"
#include "case.h"
#include "digest.h"
#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "maillog.h"
#include "mime.h"
#include "outfile.h"
#include "sample.h"
#include "strbuf.h"
#include "targets.h"
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

/* Give the sample's bytes to fn in order: at once from memory, or in
 * pieces from its file.  -1 when the file cannot be read or fn says
 * stop (returns nonzero: 1 stop, -1 error). */
typedef int chunk_fn(const char *p, size_t n, void *arg);

static int
each_chunk(const struct arf_sample *s, chunk_fn *fn, void *arg)
{
	char buf[65536];
	size_t off = 0;

	if (s->data)
		return fn(s->data, s->len, arg);
	while (off < s->len) {
		size_t want = s->len - off < sizeof(buf) ? s->len - off : sizeof(buf);
		ssize_t n = pread(s->fd, buf, want, (off_t)off);
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		rc = fn(buf, (size_t)n, arg);
		if (rc)
			return rc;
		off += (size_t)n;
	}
	return 0;
}

/* A new descriptor of its own (its own offset: GMime's file streams
 * read at the descriptor's offset) on the file open on fd. */
static int
reopen_fd(int fd)
{
	char path[64];
	int own;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	own = open(path, O_RDONLY | O_CLOEXEC);
	return own >= 0 ? own : dup(fd);
}

/* A stream on data[0..len), copied. */
static GMimeStream *
stream_of(const char *data, size_t len)
{
	GByteArray *ba = g_byte_array_sized_new((guint)len);

	g_byte_array_append(ba, (const guint8 *)data, (guint)len);
	return g_mime_stream_mem_new_with_byte_array(ba);
}

/* A leaf part whose content is the stream st as it is (the part takes
 * st): see raw_part. */
static GMimePart *
raw_part_stream(const char *type, const char *subtype, GMimeStream *st,
		GMimeContentEncoding enc)
{
	GMimePart *part = g_mime_part_new_with_type(type, subtype);
	GMimeDataWrapper *w;

	w = g_mime_data_wrapper_new_with_stream(st, enc);
	if (enc != GMIME_CONTENT_ENCODING_DEFAULT)
		g_mime_part_set_content_encoding(part, enc);
	g_mime_part_set_content(part, w);
	g_object_unref(w);
	g_object_unref(st);
	return part;
}

/* A leaf part whose content is data[0..len) as it is: the wrapper and
 * the part declare the same encoding, so GMime does not re-encode it;
 * only its newline filter applies (CRLF to LF), and not to a binary
 * part (see rfc822_encoding). */
static GMimePart *
raw_part(const char *type, const char *subtype, const char *data, size_t len,
	 GMimeContentEncoding enc)
{
	return raw_part_stream(type, subtype, stream_of(data, len), enc);
}

/* How message/rfc822 content is labelled (RFC 2046 5.2.1: 7bit, 8bit or
 * binary, never encoded).  GMime writes every part but a binary one
 * through a newline filter that turns CRLF into LF, so a sample with a
 * CR, like one with a NUL or a line over 998 octets, is binary: its
 * bytes are then copied untouched.  Else 8bit for bytes over 127, else
 * nothing (7bit). */
struct encoding_scan {
	GMimeContentEncoding enc;
	size_t line;		/* octets of the line so far */
};

static int
scan_encoding(const char *data, size_t len, void *arg)
{
	struct encoding_scan *e = arg;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\n') {
			e->line = 0;
		} else if (c == '\0' || c == '\r' || ++e->line > 998) {
			e->enc = GMIME_CONTENT_ENCODING_BINARY;
			return 1;
		} else if (c > 127) {
			e->enc = GMIME_CONTENT_ENCODING_8BIT;
		}
	}
	return 0;
}

static GMimeContentEncoding
rfc822_encoding(const struct arf_sample *s)
{
	struct encoding_scan e = { GMIME_CONTENT_ENCODING_DEFAULT, 0 };

	/* A file that cannot be read is binary: copied untouched as far
	 * as it goes (the bundle's own copy then fails to be written). */
	if (each_chunk(s, scan_encoding, &e) < 0)
		return GMIME_CONTENT_ENCODING_BINARY;
	return e.enc;
}

/* Looking for a string across pieces: the end of the previous piece
 * that could begin it is kept. */
struct search {
	const char *needle;
	size_t len;
	char *carry;		/* len - 1 bytes at most */
	size_t nr_carry;
	bool found;
};

static int
search_piece(const char *p, size_t n, void *arg)
{
	struct search *q = arg;
	size_t keep;

	if (q->nr_carry) {
		/* A match that starts in the carry and ends in this piece. */
		size_t take = n < q->len - 1 ? n : q->len - 1;
		char *both = xmalloc(q->nr_carry + take);

		memcpy(both, q->carry, q->nr_carry);
		memcpy(both + q->nr_carry, p, take);
		q->found = memmem(both, q->nr_carry + take, q->needle, q->len) != NULL;
		free(both);
	}
	if (!q->found)
		q->found = memmem(p, n, q->needle, q->len) != NULL;
	if (q->found)
		return 1;
	keep = n < q->len - 1 ? n : q->len - 1;
	if (keep < q->len - 1 && q->nr_carry) {
		/* A short piece: what is kept grows from the old carry. */
		size_t old = q->nr_carry + keep > q->len - 1 ? q->len - 1 - keep : q->nr_carry;

		memmove(q->carry, q->carry + q->nr_carry - old, old);
		memcpy(q->carry + old, p + n - keep, keep);
		q->nr_carry = old + keep;
	} else {
		memcpy(q->carry, p + n - keep, keep);
		q->nr_carry = keep;
	}
	return 0;
}

/* Whether the sample holds the string b. */
static bool
holds(const struct arf_sample *s, const char *b)
{
	struct search q = { b, strlen(b), NULL, 0, false };

	if (s->data)
		return memmem(s->data, s->len, b, q.len) != NULL;
	q.carry = xmalloc(q.len);
	each_chunk(s, search_piece, &q);
	free(q.carry);
	return q.found;
}

/* A boundary from the sample's digest that the sample does not hold
 * (it cannot, short of a SHA-256 fixed point, but a test costs little). */
static char *
make_boundary(const struct arf_sample *s)
{
	char *b = xasprintf("=-fpkit-arf-%.32s", s->sha256);

	for (unsigned n = 1; holds(s, b); n++) {
		free(b);
		b = xasprintf("=-fpkit-arf-%.32s-%u", s->sha256, n);
	}
	return b;
}

/* Write the report for s to 'out' (the heart of arf_report); -1 (errno)
 * when the sample's file cannot be opened again. */
static int
write_report(const struct arf_sample *s, GMimeStream *out)
{
	GMimeMessage *msg = g_mime_message_new(FALSE);
	GMimeMultipart *mp = g_mime_multipart_new_with_subtype("report");
	GMimeTextPart *text = g_mime_text_part_new_with_subtype("plain");
	GMimePart *fb, *orig;
	GMimeStream *content;
	GByteArray *borrowed = NULL;
	GDateTime *date;
	struct arf_origin o;
	char when[TIMEFMT_ISO_LEN], iso[TIMEFMT_ISO_LEN];
	char *t, *subject, *id, *boundary;

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

	/* The sample is read from where it is as the report is written:
	 * from its bytes in memory, not copied (the stream does not own
	 * them), or from its file, never whole in memory. */
	if (s->data) {
		borrowed = g_byte_array_new_take((guint8 *)s->data, (gsize)s->len);
		content = g_mime_stream_mem_new_with_byte_array(borrowed);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(content), FALSE);
	} else {
		int fd = reopen_fd(s->fd);

		if (fd < 0)
			content = NULL;
		else
			content = g_mime_stream_fs_new_with_bounds(fd, 0, (gint64)s->len);
	}
	if (content == NULL) {
		g_object_unref(fb);
		g_object_unref(text);
		g_object_unref(mp);
		g_object_unref(msg);
		free(boundary);
		free(id);
		free(subject);
		origin_release(&o);
		return -1;
	}
	orig = raw_part_stream("message", "rfc822", content, rfc822_encoding(s));
	g_mime_multipart_add(mp, GMIME_OBJECT(orig));

	g_mime_message_set_mime_part(msg, GMIME_OBJECT(mp));

	g_mime_object_write_to_stream(GMIME_OBJECT(msg), NULL, out);
	g_mime_stream_flush(out);
	/* The message goes once written: arf_report then copies the
	 * report out of its stream with nothing else held. */
	g_object_unref(orig);
	g_object_unref(fb);
	g_object_unref(text);
	g_object_unref(mp);
	g_object_unref(msg);
	/* The stream is gone with the message: its array goes, the
	 * sample's bytes stay the caller's. */
	if (borrowed)
		g_byte_array_free(borrowed, FALSE);
	free(boundary);
	free(id);
	free(subject);
	origin_release(&o);
	return 0;
}

char *
arf_report(const struct arf_sample *s, size_t *len)
{
	GMimeStream *out;
	GByteArray *ba;
	char *result;

	mime_global_init();	/* started at its first use (mime.c) */
	out = g_mime_stream_mem_new();
	write_report(s, out);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	result = xmalloc(ba->len + 1);
	memcpy(result, ba->data, ba->len);
	result[ba->len] = '\0';
	*len = ba->len;
	g_object_unref(out);
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

/* report.arf as it is written to its temporary file: hashed, counted,
 * and given in pieces; with arf_mbox_append's quoting done on a stream
 * (a line that starts with '>'s then "From " gets one '>' more), for a
 * report too large to hold. */
struct arf_out {
	int fd;
	struct digest d;
	size_t len;
	char buf[65536];
	size_t used;
	bool failed;		/* a write failed: errno says why */
	int saved_errno;
	/* the quoting: where the current line is */
	enum { LINE_START, LINE_PREFIX, LINE_MATCH, LINE_REST } state;
	size_t gt;		/* '>'s read at the line's start, not yet written */
	size_t matched;		/* bytes of "From " read after them */
	char last;		/* the last byte of the message */
	size_t msg_len;
};

static void
out_flush(struct arf_out *o)
{
	if (!o->failed && o->used && fd_write_all(o->fd, o->buf, o->used) < 0) {
		o->failed = true;
		o->saved_errno = errno;
	}
	o->used = 0;
}

static void
out_add(struct arf_out *o, const char *p, size_t n)
{
	digest_update(&o->d, p, n);
	o->len += n;
	while (n > 0) {
		size_t k = sizeof(o->buf) - o->used < n ? sizeof(o->buf) - o->used : n;

		memcpy(o->buf + o->used, p, k);
		o->used += k;
		p += k;
		n -= k;
		if (o->used == sizeof(o->buf))
			out_flush(o);
	}
}

static void
out_repeat(struct arf_out *o, char c, size_t n)
{
	for (; n > 0; n--)
		out_add(o, &c, 1);
}

/* The '>'s and the part of "From " held back, as they were. */
static void
quote_release(struct arf_out *o)
{
	out_repeat(o, '>', o->gt);
	out_add(o, "From ", o->matched);
	o->gt = o->matched = 0;
}

/* Quote the message's next bytes (arf_mbox_append's rule, across
 * pieces). */
static void
quote_piece(struct arf_out *o, const char *p, size_t n)
{
	const char *end = p + n;

	if (n)
		o->last = end[-1];
	o->msg_len += n;
	while (p < end) {
		if (o->state == LINE_REST) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl + 1 : end;

			out_add(o, p, (size_t)(stop - p));
			p = stop;
			if (nl)
				o->state = LINE_START;
			continue;
		}
		if (o->state == LINE_START)
			o->state = LINE_PREFIX;
		if (o->state == LINE_PREFIX && *p == '>') {
			o->gt++;
			p++;
			continue;
		}
		if ((o->state == LINE_PREFIX || o->state == LINE_MATCH) &&
		    *p == "From "[o->matched]) {
			o->state = LINE_MATCH;
			o->matched++;
			p++;
			if (o->matched == 5) {
				out_add(o, ">", 1);
				quote_release(o);
				o->state = LINE_REST;
			}
			continue;
		}
		/* Not a "From " line: what was held back goes as it was, and
		 * this byte is the rest of the line (or ends it). */
		quote_release(o);
		o->state = LINE_REST;
	}
}

static int
quote_chunk(const char *p, size_t n, void *arg)
{
	quote_piece(arg, p, n);
	return 0;
}

/* A message's mbox entry begins: its "From " line. */
static void
quote_begin(struct arf_out *o, int64_t when)
{
	struct strbuf line;

	strbuf_init(&line, STRBUF_NO_MAX);
	arf_mbox_append(&line, "", 0, when);
	/* arf_mbox_append wrote the "From " line and, for the empty
	 * message, "\n\n": only the line is wanted here. */
	out_add(o, line.buf, line.len - 2);
	strbuf_release(&line);
	o->state = LINE_START;
	o->gt = o->matched = 0;
	o->msg_len = 0;
	o->last = '\0';
}

static void
quote_end(struct arf_out *o)
{
	quote_release(o);
	if (o->msg_len == 0 || o->last != '\n')
		out_add(o, "\n", 1);
	out_add(o, "\n", 1);
}

/* One report into o: written by GMime to a temporary file (the sample
 * read from its own), then quoted from there in pieces. */
static int
report_to_file(struct arf_out *o, const struct arf_sample *a, int64_t when,
	       struct error *err)
{
	struct arf_sample r;
	GMimeStream *st;
	off_t size;
	int fd = sample_spool_open(err), rc = 0;

	if (fd < 0)
		return -1;
	st = g_mime_stream_fs_new(fd);
	g_mime_stream_fs_set_owner(GMIME_STREAM_FS(st), FALSE);
	if (write_report(a, st) < 0 || (size = lseek(fd, 0, SEEK_END)) < 0) {
		rc = error_set(err, EX_IOERR, "cannot write report.arf for '%s': %s", a->file,
			       strerror(errno));
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.fd = fd;
	r.len = (size_t)size;
	quote_begin(o, when);
	if (each_chunk(&r, quote_chunk, o) < 0) {
		rc = error_set(err, EX_IOERR, "cannot read report.arf back for '%s': %s",
			       a->file, strerror(errno));
		goto out;
	}
	quote_end(o);
out:
	g_object_unref(st);
	close(fd);
	return rc;
}

/* Fill what the API says of the sample's target: its first stats entry
 * (its sending date, destination and score), or for a message taken as
 * sent just before the block, its own Date. */
static void
target_facts(struct arf_sample *a, const struct fpcase *c, const struct targets *tl,
	     const struct sample *s)
{
	const struct target *t = &tl->items[s->hit->target];

	if (t->recent) {
		a->has_arrival = true;
		a->arrival = t->date;
		return;
	}
	if (c->has_stats && t->stats >= 0 && (size_t)t->stats < c->stats.nr_targets) {
		const struct model_target *m = &c->stats.targets[t->stats];

		a->has_arrival = true;
		a->arrival = m->date;
		a->destination_ip = m->destination_ip;
		a->has_spamscore = true;
		a->spamscore = m->spamscore;
		return;
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

/* The report for sample i of l, filled in a. */
static void
fill_sample(struct arf_sample *a, const struct fpcase *c, const struct targets *tl,
	    const struct sample_list *l, size_t i)
{
	const struct sample *s = &l->items[i];

	memset(a, 0, sizeof(*a));
	a->data = s->data;
	a->len = s->data_len;
	a->fd = s->spooled ? s->spool : -1;
	a->msg = &s->msg;
	a->ip = c->ip;
	a->blocked_at = c->blocked_at;
	a->message_id = s->message_id;
	a->number = i + 1;
	a->count = l->nr;
	a->file = s->file;
	a->sha256 = s->sha256;
	target_facts(a, c, tl, s);
}

int
arf_bundle(const struct fpcase *c, const struct targets *tl, const struct sample_list *l,
	   const struct maillog *trail, struct bundle *b, struct error *err)
{
	struct strbuf mbox;
	struct arf_out *o = NULL;
	char sha[DIGEST_HEX_SIZE];
	size_t len;
	int rc = 0;

	if (l->nr == 0)
		return 0;
	mime_global_init();	/* started at its first use (mime.c) */
	/* With a sample too large to hold (sample.h), or one large enough
	 * that its report should not be held beside it, the whole file is
	 * written as it is made; else in memory. */
	for (size_t i = 0; i < l->nr && o == NULL; i++) {
		if (!l->items[i].spooled && l->items[i].data_len <= SAMPLE_SPILL)
			continue;
		o = xcalloc(1, sizeof(*o));
		o->fd = sample_spool_open(err);
		if (o->fd < 0) {
			free(o);
			return -1;
		}
		digest_init(&o->d);
	}
	strbuf_init(&mbox, STRBUF_NO_MAX);
	for (size_t i = 0; i < l->nr; i++) {
		const struct sample *s = &l->items[i];
		struct arf_sample a;
		const char **rcpt;
		json_t *logs;
		char *msg;
		size_t msg_len;

		fill_sample(&a, c, tl, l, i);
		log_envelope(trail, tl->items[s->hit->target].id, a.destination_ip, &logs,
			     &a.mail_from, &rcpt, &a.nr_rcpt);
		a.rcpt = rcpt;
		if (o && (s->spooled || s->data_len > SAMPLE_SPILL)) {
			rc = report_to_file(o, &a, c->blocked_at, err);
		} else {
			msg = arf_report(&a, &msg_len);
			if (o) {
				quote_begin(o, c->blocked_at);
				quote_piece(o, msg, msg_len);
				quote_end(o);
			} else {
				arf_mbox_append(&mbox, msg, msg_len, c->blocked_at);
			}
			free(msg);
		}
		free(rcpt);
		json_decref(logs);
		if (rc < 0)
			break;
	}
	if (o == NULL) {
		char *text = strbuf_detach(&mbox, &len);

		bundle_add_take(b, "report.arf", text, len);
		return 0;
	}
	strbuf_release(&mbox);
	out_flush(o);
	digest_final(&o->d, sha);
	digest_release(&o->d);
	if (rc == 0 && o->failed)
		rc = error_set(err, EX_IOERR, "cannot write report.arf to a temporary file: %s "
			       "(set TMPDIR to a folder with room)", strerror(o->saved_errno));
	if (rc == 0)
		bundle_add_fd_take(b, "report.arf", o->fd, o->len, sha);
	else
		close(o->fd);
	free(o);
	return rc;
}
