/* integrity.c - is this the message as it was sent
 *
 * Works on the raw bytes, line by line, so that every problem can say
 * where it is; GMime's reading (mime.c) gives the MIME tree and its
 * warnings.  What is tolerated on purpose is in doc/VIOLATIONS.md. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fpkit_limits.h"
#include "integrity.h"
#include "mime.h"
#include "msgid.h"
#include "strbuf.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

/* A header field as found in the raw header block. */
struct field {
	const char *name;
	size_t name_len;
	const char *value;	/* after the colon, folding included */
	size_t value_len;
	unsigned line;
	size_t offset;
};

struct header {
	struct field *f;
	size_t nr, alloc;
};

/* Line numbers by byte offset, for the details.  The line that every
 * LINES_BLOCK-th byte is on is counted once, in one pass: a message with
 * a thousand findings is not read again from byte 0 for each, and the
 * index stays small (16 Ki entries for FPKIT_LIMIT_MESSAGE). */
#define LINES_BLOCK 4096

struct lines {
	const char *buf;
	size_t len;
	unsigned *first;	/* first[i]: the line byte i * LINES_BLOCK is on */
	unsigned last;		/* the line the message ends on */
};

static unsigned
count_lf(const char *p, size_t n)
{
	const char *end = p + n;
	unsigned nr = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		nr++;
		p++;
	}
	return nr;
}

static void
lines_init(struct lines *li, const char *buf, size_t len)
{
	size_t nr = len / LINES_BLOCK + 1;
	unsigned line = 1;

	li->buf = buf;
	li->len = len;
	li->first = xcalloc(nr, sizeof(*li->first));
	for (size_t b = 0; b < nr; b++) {
		size_t start = b * LINES_BLOCK;

		li->first[b] = line;
		line += count_lf(buf + start, len - start < LINES_BLOCK ? len - start : LINES_BLOCK);
	}
	li->last = line;
}

/* Line number (from 1) of byte 'off'. */
static unsigned
line_of(const struct lines *li, size_t off)
{
	size_t b;

	if (off > li->len)
		off = li->len;
	b = off / LINES_BLOCK;
	return li->first[b] + count_lf(li->buf + b * LINES_BLOCK, off - b * LINES_BLOCK);
}

static bool
name_is(const struct field *f, const char *name)
{
	return f->name_len == strlen(name) && strncasecmp(f->name, name, f->name_len) == 0;
}

/* A field name: printable US-ASCII but the colon (RFC 5322 3.6.8). */
static size_t
field_name_len(const char *p, const char *eol)
{
	const char *q = p;

	while (q < eol && *q > 32 && *q < 127 && *q != ':')
		q++;
	return (size_t)(q - p);
}

/* Split the header block buf[0..hlen) into fields; lines that are
 * neither a field nor its continuation are problems. */
static void
scan_header(const char *buf, size_t hlen, struct header *h, struct check_list *problems)
{
	const char *p = buf, *end = buf + hlen;
	unsigned line = 1, bad = 0, first_bad = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t n;

		if (eol > p && eol[-1] == '\r')
			eol--;
		if (p == eol)
			break;		/* the empty line */
		if (line == 1 && eol - p >= 5 && memcmp(p, "From ", 5) == 0) {
			check_list_add(problems, "mbox-from-line", "line 1: an mbox \"From \" "
				       "separator line: the file was cut from an mbox, not "
				       "saved as the message");
		} else if ((*p == ' ' || *p == '\t') && h->nr > 0) {
			struct field *f = &h->f[h->nr - 1];

			f->value_len = (size_t)(eol - f->value);
		} else if ((n = field_name_len(p, eol)) > 0 && n < (size_t)(eol - p) &&
			   (p[n] == ':' || p[n] == ' ' || p[n] == '\t')) {
			/* (a name alone may end the buffer: p[n] is checked
			 * only inside the line) */
			const char *c = p + n;

			while (c < eol && (*c == ' ' || *c == '\t'))
				c++;
			if (c < eol && *c == ':') {
				struct field *f;

				h->f = xgrow(h->f, h->nr + 1, &h->alloc, sizeof(*h->f));
				f = &h->f[h->nr++];
				f->name = p;
				f->name_len = n;
				f->value = c + 1;
				f->value_len = (size_t)(eol - c - 1);
				f->line = line;
				f->offset = (size_t)(p - buf);
			} else if (!bad++) {
				first_bad = line;
			}
		} else if (!bad++) {
			first_bad = line;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	if (bad) {
		char more[64] = "";

		if (bad > 1)
			snprintf(more, sizeof(more), " and %u more", bad - 1);
		check_list_add(problems, "header-line-invalid", "line %u%s: a header line "
			       "that is neither a field nor the continuation of one", first_bad,
			       more);
	}
}

/* Every line of the message: length, line ends, NUL bytes, 8-bit bytes
 * in the header block, a last line cut short. */
static void
scan_lines(const char *buf, size_t len, size_t hlen, struct check_list *problems)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 1, long_first = 0, lf_first = 0, cr_first = 0, h8_first = 0, nul_line = 0;
	size_t long_len = 0, long_max = 0, nr_long = 0, nr_crlf = 0, nr_lf = 0, nr_cr = 0, nr_h8 = 0;
	size_t nr_nul = 0, nul_at = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t n = (size_t)(eol - p);

		if (nl) {
			if (n > 0 && eol[-1] == '\r') {
				nr_crlf++;
				n--;
			} else if (nr_lf++ == 0) {
				lf_first = line;
			}
		}
		if (n > INTEGRITY_MAX_LINE) {
			if (nr_long++ == 0) {
				long_first = line;
				long_len = n;
			}
			if (n > long_max)
				long_max = n;
		}
		/* A CR not followed by LF, inside the line. */
		for (const char *c = p; (c = memchr(c, '\r', (size_t)(p + n - c))) != NULL; c++)
			if (nr_cr++ == 0)
				cr_first = line;
		for (const char *c = p; (c = memchr(c, '\0', (size_t)(p + n - c))) != NULL; c++) {
			if (nr_nul++ == 0) {
				nul_line = line;
				nul_at = (size_t)(c - buf);
			}
		}
		if ((size_t)(p - buf) < hlen) {
			for (const char *c = p; c < p + n; c++) {
				if ((unsigned char)*c >= 0x80) {
					if (nr_h8++ == 0)
						h8_first = line;
					break;
				}
			}
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	if (nr_long)
		check_list_add(problems, "line-too-long", "line %u is %zu octets long (RFC 5322 "
			       "allows %d); %zu line%s over the limit, the longest %zu octets",
			       long_first, long_len, INTEGRITY_MAX_LINE,
			       nr_long, nr_long == 1 ? "" : "s", long_max);
	if (nr_crlf && nr_lf)
		check_list_add(problems, "line-ends-mixed", "%zu lines end in CRLF and %zu in a "
			       "bare LF, the first at line %u: the file was re-written by "
			       "something", nr_crlf, nr_lf, lf_first);
	if (nr_cr)
		check_list_add(problems, "bare-cr", "line %u: a CR not followed by LF "
			       "(%zu in the message)", cr_first, nr_cr);
	if (nr_nul)
		check_list_add(problems, "nul-byte", "line %u (byte %zu): a NUL byte (%zu in the "
			       "message): no message holds one (RFC 5322 2.1), and most programs "
			       "cut the text there", nul_line, nul_at, nr_nul);
	if (nr_h8)
		check_list_add(problems, "header-8bit", "line %u: 8-bit bytes in the header "
			       "without RFC 2047 encoding (%zu line%s)", h8_first, nr_h8,
			       nr_h8 == 1 ? "" : "s");
	if (len > 0 && buf[len - 1] != '\n')
		check_list_add(problems, "final-newline-missing", "line %u (byte %zu): the last "
			       "line has no line end: the copy may have been cut there",
			       line - 1, len);
}

/* Lines listed by where(); more are counted. */
#define WHERE_MAX_LINES 10

/* "line 3", "lines 3, 9" for the fields called name (new), their number
 * in *count. */
static char *
where(const struct header *h, const char *name, size_t *count)
{
	struct strbuf sb;
	char *s;

	strbuf_init(&sb, STRBUF_NO_MAX);
	*count = 0;
	for (size_t i = 0; i < h->nr; i++) {
		if (!name_is(&h->f[i], name))
			continue;
		if (*count < WHERE_MAX_LINES)
			strbuf_addf(&sb, "%s%u", *count ? ", " : "", h->f[i].line);
		(*count)++;
	}
	if (*count > WHERE_MAX_LINES)
		strbuf_addf(&sb, " and %zu more", *count - WHERE_MAX_LINES);
	s = xasprintf("line%s %s", *count > 1 ? "s" : "", sb.buf);
	strbuf_release(&sb);
	return s;
}

static const struct field *
first(const struct header *h, const char *name)
{
	for (size_t i = 0; i < h->nr; i++)
		if (name_is(&h->f[i], name))
			return &h->f[i];
	return NULL;
}

/* Exactly once (RFC 5322 3.6): Date and From; at most once: Message-ID. */
static void
check_counts(const struct header *h, struct check_list *problems)
{
	static const struct {
		const char *name, *missing, *twice;
	} once[] = {
		{ "Date", "date-missing", "date-duplicated" },
		{ "From", "from-missing", "from-duplicated" },
		{ "Message-ID", "msgid-missing", "msgid-duplicated" },
	};

	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
		size_t n;
		char *lines = where(h, once[i].name, &n);

		if (n == 0)
			check_list_add(problems, once[i].missing, "no %s field in the header",
				       once[i].name);
		else if (n > 1)
			check_list_add(problems, once[i].twice, "%zu %s fields (%s); RFC 5322 "
				       "allows one", n, once[i].name, lines);
		free(lines);
	}
}

static void
check_msgid(const struct header *h, const struct integrity_options *opt,
	    struct integrity_result *r)
{
	const struct field *f = first(h, "Message-ID");
	char *mine, *shown;
	const char *want;
	enum msgid_form form;

	if (f == NULL)
		return;
	form = msgid_form(f->value, f->value_len);
	if (form != MSGID_FORM_STRICT) {
		size_t skip = 0, n;
		char *v;

		/* the value is not NUL-terminated: it may end the buffer */
		while (skip < f->value_len && (f->value[skip] == ' ' || f->value[skip] == '\t'))
			skip++;
		n = f->value_len - skip;
		v = textsafe_visible(f->value + skip, n > 200 ? 200 : n);
		if (form == MSGID_FORM_OBSOLETE)
			check_list_add(&r->problems, "msgid-obsolete", "line %u: \"%s\" is "
				       "written in the obsolete syntax of RFC 5322 section 4 "
				       "(white space, comments or quotes inside the brackets): "
				       "valid, but not what a sender should write", f->line, v);
		else
			check_list_add(&r->problems, "msgid-malformed", "line %u: \"%s\" is not "
				       "<left@right>", f->line, v);
		free(v);
	}
	r->message_id = msgid_strip(f->value, f->value_len);
	if (opt->target == NULL)
		return;
	mine = msgid_normalize(f->value, f->value_len);
	want = opt->target_id;
	if (mine == NULL || want == NULL || strcmp(mine, want) != 0) {
		char *v = textsafe_visible(r->message_id ? r->message_id : "",
					   r->message_id ? strlen(r->message_id) : 0);

		shown = textsafe_visible(opt->target, strlen(opt->target));
		check_list_add(&r->problems, "msgid-mismatch", "line %u: <%s> is not the "
			       "target <%s>", f->line, v, shown);
		free(v);
		free(shown);
	}
	free(mine);
}

/* How far t lies outside [from, to], 0 inside.  Unsigned: the window and
 * the slack come from the command line and may be as large as int64_t
 * goes, so neither "from - slack" nor "t - from" may be computed signed. */
static uint64_t
outside(int64_t t, int64_t from, int64_t to)
{
	if (t < from)
		return (uint64_t)from - (uint64_t)t;
	if (t > to)
		return (uint64_t)t - (uint64_t)to;
	return 0;
}

static void
check_date(const struct header *h, const struct integrity_options *opt,
	   struct check_list *problems)
{
	const struct field *f = first(h, "Date");
	char d[TIMEFMT_ISO_LEN], a[TIMEFMT_ISO_LEN], b[TIMEFMT_ISO_LEN], dur[64], slack[64];
	char *value;
	int64_t t;

	if (f == NULL)
		return;
	value = xstrndup(f->value, f->value_len);
	if (mime_parse_date(value, strlen(value), &t) < 0) {
		char *v = textsafe_visible(value, strlen(value) > 200 ? 200 : strlen(value));

		check_list_add(problems, "date-unparseable", "line %u: \"%s\" is not an RFC "
			       "5322 date", f->line, v);
		free(v);
	} else if (opt->has_window && outside(t, opt->window_from, opt->window_to) >
		   (uint64_t)(opt->slack > 0 ? opt->slack : 0)) {
		uint64_t far = outside(t, opt->window_from, opt->window_to);
		int64_t off = far > INT64_MAX ? INT64_MAX : (int64_t)far;

		check_list_add(problems, "date-outside-window", "line %u: %s is %s %s the "
			       "window %s to %s (slack %s)", f->line, timefmt_iso_utc(t, d),
			       timefmt_duration(off, dur, sizeof(dur)),
			       t < opt->window_from ? "before" : "after",
			       timefmt_iso_utc(opt->window_from, a), timefmt_iso_utc(opt->window_to, b),
			       timefmt_duration(opt->slack, slack, sizeof(slack)));
	}
	free(value);
}

/* Fields that a mail client writes when it stores or exports a message,
 * and that no sending program writes: their presence says the file is
 * the client's copy, not the one sent.  Exchange's X-MS-Exchange-
 * Organization-* fields are not among them: Exchange servers add them in
 * transit, so genuine relayed mail carries them. */
static const struct {
	const char *names[3];	/* fields of one client, NULL-padded */
	const char *who;
} resave_signs[] = {
	{ { "X-Mozilla-Status", "X-Mozilla-Status2", "X-Mozilla-Keys" },
	  "Thunderbird (or another Mozilla client) stored it" },
	{ { "X-Unsent" }, "Outlook saved it as an unsent draft" },
	{ { "X-Apple-Base-Url" }, "Apple Mail saved it" },
	{ { "X-Uniform-Type-Identifier" }, "Apple Mail saved it" },
};

static bool
is_resave_sign(const struct field *f, size_t k)
{
	for (size_t j = 0; j < sizeof(resave_signs[k].names) / sizeof(resave_signs[k].names[0]) &&
			   resave_signs[k].names[j]; j++)
		if (name_is(f, resave_signs[k].names[j]))
			return true;
	return false;
}

static void
check_resave(const struct header *h, struct check_list *problems)
{
	for (size_t k = 0; k < sizeof(resave_signs) / sizeof(resave_signs[0]); k++) {
		const struct field *f = NULL;
		size_t n = 0;

		for (size_t i = 0; i < h->nr; i++)
			if (is_resave_sign(&h->f[i], k) && n++ == 0)
				f = &h->f[i];
		if (f) {
			char *name = textsafe_visible(f->name, f->name_len);
			char more[64] = "";

			if (n > 1)
				snprintf(more, sizeof(more), " (and %zu more like it)", n - 1);
			check_list_add(problems, "client-resave", "line %u: %s%s: %s, so this is "
				       "not the copy that was sent", f->line, name, more,
				       resave_signs[k].who);
			free(name);
		}
	}
}

/* The word after 'key' ("from", "by") at a word boundary, outside
 * comments; NULL when absent. */
static char *
received_word(const char *v, size_t len, const char *key)
{
	size_t k = strlen(key), j;
	int depth = 0;

	for (size_t i = 0; i + k < len; i++) {
		if (v[i] == '(')
			depth++;
		else if (v[i] == ')' && depth > 0)
			depth--;
		if (depth || strncasecmp(v + i, key, k) != 0 ||
		    (i > 0 && !isspace((unsigned char)v[i - 1])) || !isspace((unsigned char)v[i + k]))
			continue;
		i += k;
		while (i < len && isspace((unsigned char)v[i]))
			i++;
		j = i;
		while (j < len && !isspace((unsigned char)v[j]) && v[j] != ';' && v[j] != '(')
			j++;
		if (j == i)
			return NULL;
		return textsafe_visible(v + i, j - i > 255 ? 255 : j - i);
	}
	return NULL;
}

static bool
ip_char(char c)
{
	return isxdigit((unsigned char)c) || c == '.' || c == ':';
}

/* Every IPv4 and IPv6 address in a Received value, in inet_ntop form. */
static void
received_ips(const char *v, size_t len, struct integrity_hop *hop)
{
	size_t i = 0;

	while (i < len && hop->nr_ips < FPKIT_LIMIT_RECEIVED_IPS) {
		char tok[64], norm[INET6_ADDRSTRLEN];
		unsigned char bin[16];
		size_t j = i, n;
		int af = 0;

		if (!ip_char(v[i]) || (i > 0 && (isalnum((unsigned char)v[i - 1]) || v[i - 1] == '-'))) {
			i++;
			continue;
		}
		while (j < len && ip_char(v[j]))
			j++;
		n = j - i;
		/* "IPv6:2001:db8::1" (RFC 5321 address literal) */
		if (n < sizeof(tok)) {
			memcpy(tok, v + i, n);
			tok[n] = '\0';
			while (n > 0 && (tok[n - 1] == '.' || tok[n - 1] == ':'))
				tok[--n] = '\0';
			if (inet_pton(AF_INET, tok, bin) == 1)
				af = AF_INET;
			else if (strchr(tok, ':') && inet_pton(AF_INET6, tok, bin) == 1)
				af = AF_INET6;
		}
		if (af && inet_ntop(af, bin, norm, sizeof(norm))) {
			bool dup = false;

			for (size_t k = 0; k < hop->nr_ips; k++)
				dup |= strcmp(hop->ips[k], norm) == 0;
			if (!dup)
				hop->ips[hop->nr_ips++] = xstrdup(norm);
		}
		i = j;
	}
}

static void
check_received(const char *buf, const struct header *h, const struct integrity_options *opt,
	       struct integrity_result *r)
{
	char want[INET6_ADDRSTRLEN] = "";
	unsigned char bin[16];

	(void)buf;
	if (opt->ip) {
		if (inet_pton(AF_INET, opt->ip, bin) == 1)
			inet_ntop(AF_INET, bin, want, sizeof(want));
		else if (inet_pton(AF_INET6, opt->ip, bin) == 1)
			inet_ntop(AF_INET6, bin, want, sizeof(want));
	}
	for (size_t i = 0; i < h->nr; i++) {
		const struct field *f = &h->f[i];
		struct integrity_hop *hop;
		char *v;

		if (!name_is(f, "Received"))
			continue;
		if (++r->nr_received > FPKIT_LIMIT_RECEIVED_HOPS)
			continue;	/* counted, not listed */
		/* Unfolded, so words split over lines are found. */
		v = xstrndup(f->value, f->value_len);
		for (char *c = v; *c; c++)
			if (*c == '\r' || *c == '\n' || *c == '\t')
				*c = ' ';
		r->hops = xgrow(r->hops, r->nr_hops + 1, &r->alloc_hops, sizeof(*r->hops));
		hop = &r->hops[r->nr_hops++];
		memset(hop, 0, sizeof(*hop));
		hop->line = f->line;
		hop->from = received_word(v, strlen(v), "from");
		hop->by = received_word(v, strlen(v), "by");
		received_ips(v, strlen(v), hop);
		for (size_t k = 0; *want && k < hop->nr_ips; k++)
			r->ip_seen |= strcmp(hop->ips[k], want) == 0;
		free(v);
	}
}

/* A boundary looked for, as a key of a sorted array. */
struct bkey {
	const char *b;
	size_t len;
	bool closed;
};

static int
bkey_cmp(const void *a, const void *b)
{
	const struct bkey *x = a, *y = b;
	int c = memcmp(x->b, y->b, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Which multiparts of w have their close-delimiter line "--boundary--"
 * (RFC 2046 5.1.1), with transport padding allowed after it: a new
 * array, one entry per part of w (NULL when w has no multipart).  One
 * pass over the message whatever the number of multiparts: each line of
 * the form "--X--" looks X up among the boundaries. */
static bool *
find_closed(const char *buf, size_t len, const struct mime_walk *w)
{
	const char *p = buf, *end = buf + len;
	struct bkey *keys = NULL;
	size_t nr = 0, nr_uniq = 0;
	bool *closed = NULL;

	for (size_t i = 0; i < w->nr_parts; i++) {
		const struct mime_walk_part *m = &w->parts[i];

		if (m->kind != MIME_WALK_MULTIPART || m->boundary == NULL || *m->boundary == '\0')
			continue;
		if (keys == NULL)
			keys = xcalloc(w->nr_parts, sizeof(*keys));
		keys[nr].b = m->boundary;
		keys[nr++].len = strlen(m->boundary);
	}
	if (nr == 0)
		return NULL;
	qsort(keys, nr, sizeof(*keys), bkey_cmp);
	for (size_t i = 0; i < nr; i++)
		if (nr_uniq == 0 || bkey_cmp(&keys[nr_uniq - 1], &keys[i]) != 0)
			keys[nr_uniq++] = keys[i];
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;

		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e - p >= 5 && p[0] == '-' && p[1] == '-' && e[-1] == '-' && e[-2] == '-') {
			struct bkey k = { p + 2, (size_t)(e - p - 4), false }, *hit;

			hit = bsearch(&k, keys, nr_uniq, sizeof(*keys), bkey_cmp);
			if (hit)
				hit->closed = true;
		}
		p = nl ? nl + 1 : end;
	}
	closed = xcalloc(w->nr_parts, sizeof(*closed));
	for (size_t i = 0; i < w->nr_parts; i++) {
		const struct mime_walk_part *m = &w->parts[i];
		struct bkey k, *hit;

		if (m->kind != MIME_WALK_MULTIPART || m->boundary == NULL || *m->boundary == '\0')
			continue;
		k.b = m->boundary;
		k.len = strlen(m->boundary);
		hit = bsearch(&k, keys, nr_uniq, sizeof(*keys), bkey_cmp);
		closed[i] = hit && hit->closed;
	}
	free(keys);
	return closed;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '/')
		return 62;
	return -1;
}

/* A base64 content (RFC 2045 6.8): alphabet and line ends only, whole
 * 4-character groups, '=' padding only at the end.  Returns NULL when
 * clean, else what is wrong (new), with *at the offending byte. */
static char *
base64_problem(const char *buf, size_t start, size_t end, size_t *at)
{
	size_t nr = 0, pad = 0;

	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
			continue;
		if (c == '=') {
			if (pad++ == 0 && nr % 4 < 2) {
				*at = i;
				return xstrdup("'=' padding in the wrong place");
			}
			nr++;
			continue;
		}
		if (b64_value(c) < 0) {
			*at = i;
			return xasprintf("byte 0x%02x is not base64", c);
		}
		if (pad) {
			*at = i;
			return xstrdup("data after the '=' padding");
		}
		nr++;
	}
	if (nr % 4) {
		*at = end;
		return xasprintf("it ends in the middle of a 4-character group "
				 "(%zu characters): the part was cut", nr);
	}
	return NULL;
}

static void
check_body(const char *buf, size_t len, size_t hlen, const struct header *h,
	   const struct mime_walk *w, const struct lines *li, struct check_list *problems)
{
	const struct field *cl = first(h, "Content-Length");
	bool *closed = find_closed(buf, len, w);
	size_t leaf = 0;

	for (size_t i = 0; i < w->nr_parts; i++) {
		const struct mime_walk_part *p = &w->parts[i];

		if (p->kind == MIME_WALK_MULTIPART && p->boundary && *p->boundary && !closed[i]) {
			char *b = textsafe_visible(p->boundary, strlen(p->boundary));

			check_list_add(problems, "truncated-multipart", "the %s with boundary "
				       "\"%s\" has no closing \"--%s--\" line; the message ends at "
				       "line %u (byte %zu): it was cut", p->type, b, b, li->last, len);
			free(b);
		}
		if (p->kind != MIME_WALK_LEAF)
			continue;
		leaf++;
		if (p->base64 && p->start >= 0 && (size_t)p->end <= len) {
			size_t at = 0;
			char *why = base64_problem(buf, (size_t)p->start, (size_t)p->end, &at);

			if (why) {
				check_list_add(problems, "base64-invalid", "part %zu (%s), line %u "
					       "(byte %zu): %s", leaf, p->type, line_of(li, at), at, why);
				free(why);
			}
		}
	}
	free(closed);
	if (cl) {
		char *v = xstrndup(cl->value, cl->value_len), *end;
		unsigned long long n;

		n = strtoull(v, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r')
			end++;
		/* a NUL would end v early: "5\0junk" is no number */
		if (end == v || *end != '\0' || v[strspn(v, " \t")] == '-' ||
		    memchr(cl->value, '\0', cl->value_len))
			check_list_add(problems, "content-length-invalid", "line %u: "
				       "Content-Length is not a number", cl->line);
		else if (n != (unsigned long long)(len - hlen))
			check_list_add(problems, "content-length-mismatch", "line %u: "
				       "Content-Length says %llu bytes, the body has %zu",
				       cl->line, n, len - hlen);
		free(v);
	}
}

/* GMime's own findings, except those checked above with more detail. */
static void
add_mime_warnings(const struct lines *li, const struct mime_walk *w, struct check_list *problems)
{
	for (size_t i = 0; i < w->nr_warnings; i++) {
		const struct mime_walk_warning *x = &w->warnings[i];
		const char *id = mime_walk_warning_id(x->code);
		char at[64] = "";

		if (strcmp(id, "header-8bit") == 0 && check_list_has(problems, "header-8bit"))
			continue;
		if (strcmp(id, "mime-truncated") == 0 &&
		    (check_list_has(problems, "truncated-multipart") ||
		     check_list_has(problems, "header-unterminated")))
			continue;
		if (strcmp(id, "mime-header-name-invalid") == 0 &&
		    (check_list_has(problems, "header-line-invalid") ||
		     check_list_has(problems, "mbox-from-line")))
			continue;	/* said above, with the line */
		if ((strcmp(id, "mime-header-duplicated") == 0 ||
		     strcmp(id, "mime-header-conflicting") == 0) && x->item &&
		    (strcasecmp(x->item, "Date") == 0 || strcasecmp(x->item, "From") == 0 ||
		     strcasecmp(x->item, "Message-ID") == 0))
			continue;	/* date-duplicated etc. say it with the lines */
		if (x->offset >= 0 && (size_t)x->offset <= li->len)
			snprintf(at, sizeof(at), "line %u (byte %" PRId64 "): ",
				 line_of(li, (size_t)x->offset), x->offset);
		check_list_add(problems, id, "%s%s%s%s%s", at, mime_walk_warning_text(x->code),
			       x->item ? " (" : "", x->item ? x->item : "", x->item ? ")" : "");
	}
}

/* Altered: the bytes changed after the message left its sender (a cut, a
 * line-end conversion, a client's re-save, a storage artifact, a body or
 * signed field changed), the copy is not the message named (its id, its
 * date), or it could not be checked at all (the limits).  Conformance:
 * what the sender wrote, which a copy keeps faithfully.  Sorted by id
 * (bsearch); tests/unit/test_integrity.c holds it sorted and complete. */
const struct integrity_rule integrity_rules[] = {
	{ "bare-cr", INTEGRITY_ALTERED },		/* CRLF converted twice: CR CR LF */
	{ "base64-invalid", INTEGRITY_ALTERED },	/* a base64 part cut or corrupted */
	{ "client-resave", INTEGRITY_ALTERED },
	{ "content-length-invalid", INTEGRITY_CONFORMANCE },
	{ "content-length-mismatch", INTEGRITY_ALTERED },
	{ "date-duplicated", INTEGRITY_CONFORMANCE },
	{ "date-missing", INTEGRITY_CONFORMANCE },
	{ "date-outside-window", INTEGRITY_ALTERED },	/* not the message named */
	{ "date-unparseable", INTEGRITY_CONFORMANCE },
	{ "dkim-body-changed", INTEGRITY_ALTERED },
	{ "dkim-header-changed", INTEGRITY_ALTERED },
	{ "empty", INTEGRITY_ALTERED },
	{ "final-newline-missing", INTEGRITY_ALTERED },
	{ "from-duplicated", INTEGRITY_CONFORMANCE },
	{ "from-missing", INTEGRITY_CONFORMANCE },
	{ "header-8bit", INTEGRITY_CONFORMANCE },	/* RFC 6532 allows UTF-8 */
	{ "header-line-invalid", INTEGRITY_CONFORMANCE },
	{ "header-too-large", INTEGRITY_ALTERED },	/* not checked */
	{ "header-unterminated", INTEGRITY_ALTERED },
	{ "line-ends-mixed", INTEGRITY_ALTERED },
	{ "line-too-long", INTEGRITY_CONFORMANCE },
	{ "mbox-from-line", INTEGRITY_ALTERED },	/* a store's line, not the sender's */
	{ "mime-address-list-invalid", INTEGRITY_CONFORMANCE },
	{ "mime-boundary-missing", INTEGRITY_CONFORMANCE },
	{ "mime-content-type-invalid", INTEGRITY_CONFORMANCE },
	{ "mime-header-conflicting", INTEGRITY_CONFORMANCE },
	{ "mime-header-duplicated", INTEGRITY_CONFORMANCE },
	{ "mime-header-name-invalid", INTEGRITY_CONFORMANCE },
	{ "mime-malformed", INTEGRITY_CONFORMANCE },
	{ "mime-multipart-empty", INTEGRITY_CONFORMANCE },
	{ "mime-parameter-conflicting", INTEGRITY_CONFORMANCE },
	{ "mime-parameter-duplicated", INTEGRITY_CONFORMANCE },
	{ "mime-parameter-invalid", INTEGRITY_CONFORMANCE },
	{ "mime-part-empty", INTEGRITY_CONFORMANCE },
	{ "mime-part-without-content", INTEGRITY_CONFORMANCE },
	{ "mime-rfc2047-invalid", INTEGRITY_CONFORMANCE },
	{ "mime-too-deep", INTEGRITY_ALTERED },		/* not checked */
	{ "mime-too-many-parts", INTEGRITY_ALTERED },	/* not checked */
	{ "mime-truncated", INTEGRITY_ALTERED },
	{ "mime-warning", INTEGRITY_CONFORMANCE },	/* GMime's others: parser findings */
	{ "msgid-duplicated", INTEGRITY_CONFORMANCE },
	{ "msgid-malformed", INTEGRITY_CONFORMANCE },
	{ "msgid-mismatch", INTEGRITY_ALTERED },	/* not the message named */
	{ "msgid-missing", INTEGRITY_CONFORMANCE },
	{ "msgid-obsolete", INTEGRITY_CONFORMANCE },
	{ "nul-byte", INTEGRITY_ALTERED },
	{ "parse-failed", INTEGRITY_ALTERED },
	{ "too-large", INTEGRITY_ALTERED },		/* not checked */
	{ "truncated-multipart", INTEGRITY_ALTERED },
};
const size_t integrity_nr_rules = sizeof(integrity_rules) / sizeof(integrity_rules[0]);

static int
rule_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct integrity_rule *)elt)->id);
}

enum integrity_kind
integrity_rule_kind(const char *id)
{
	const struct integrity_rule *r = bsearch(id, integrity_rules, integrity_nr_rules,
						 sizeof(integrity_rules[0]), rule_cmp);

	return r ? r->kind : INTEGRITY_ALTERED;
}

void
integrity_split(struct check_list *all, struct check_list *altered,
		struct check_list *conformance)
{
	for (size_t i = 0; i < all->nr; i++) {
		struct check_item *it = &all->items[i];
		struct check_list *to = integrity_rule_kind(it->id) == INTEGRITY_CONFORMANCE ?
					conformance : altered;

		check_list_add(to, it->id, "%s", it->detail);
	}
	check_list_release(all);
}

void
integrity_check(const char *buf, size_t len, const struct mime_walk *w,
		const struct integrity_options *opt, struct integrity_result *r)
{
	struct header h = { NULL, 0, 0 };
	struct lines li;
	bool complete;
	size_t hlen;

	memset(r, 0, sizeof(*r));
	if (len == 0) {
		check_list_add(&r->problems, "empty", "the file is empty");
		return;
	}
	lines_init(&li, buf, len);
	hlen = msgid_header_end(buf, len, &complete);
	if (!complete)
		check_list_add(&r->problems, "header-unterminated", "no empty line ends the "
			       "header block: the message has no body, or was cut in its "
			       "header (it ends at line %u, byte %zu)", li.last, len);
	if (!w->parsed)
		check_list_add(&r->problems, "parse-failed", "GMime finds no message in it");
	scan_header(buf, hlen, &h, &r->problems);
	scan_lines(buf, len, hlen, &r->problems);
	check_counts(&h, &r->problems);
	check_msgid(&h, opt, r);
	check_date(&h, opt, &r->problems);
	check_resave(&h, &r->problems);
	if (w->parsed)
		check_body(buf, len, hlen, &h, w, &li, &r->problems);
	if (w->too_many_parts)
		check_list_add(&r->problems, "mime-too-many-parts", "more than %d MIME parts or "
			       "%d levels: only the first were checked", FPKIT_LIMIT_MIME_PARTS,
			       FPKIT_LIMIT_MIME_DEPTH);
	add_mime_warnings(&li, w, &r->problems);
	check_received(buf, &h, opt, r);
	free(h.f);
	free(li.first);
}

bool
integrity_header_fits(const char *buf, size_t len, struct check_list *problems)
{
	bool complete;
	size_t hlen = msgid_header_end(buf, len, &complete), nr = 0;
	const char *p = buf, *end = buf + hlen;
	unsigned line = 1;

	if (hlen > FPKIT_LIMIT_HEADER_BLOCK) {
		check_list_add(problems, "header-too-large", "line 1 (byte 0): the header block "
			       "is %zu bytes%s, more than the %d read: nothing else was checked",
			       hlen, complete ? "" : " (no empty line ends it)",
			       FPKIT_LIMIT_HEADER_BLOCK);
		return false;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		/* a line that starts a field (not a continuation, not the
		 * empty line) */
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' &&
		    ++nr > FPKIT_LIMIT_HEADER_FIELDS) {
			check_list_add(problems, "header-too-large", "line %u: the header block "
				       "holds more than %d fields: nothing else was checked", line,
				       FPKIT_LIMIT_HEADER_FIELDS);
			return false;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	return true;
}

void
integrity_result_release(struct integrity_result *r)
{
	check_list_release(&r->problems);
	for (size_t i = 0; i < r->nr_hops; i++) {
		free(r->hops[i].from);
		free(r->hops[i].by);
		for (size_t k = 0; k < r->hops[i].nr_ips; k++)
			free(r->hops[i].ips[k]);
	}
	free(r->hops);
	free(r->message_id);
	memset(r, 0, sizeof(*r));
}
