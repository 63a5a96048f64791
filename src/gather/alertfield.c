/* alertfield.c - the labels of an alert's fields and their values
 *
 * The labels are those of OVHcloud's English and French alerts and of
 * the tables and copies people make of them (alert.c has the research);
 * a value is one run of non-blanks after its label, joined across a line
 * end where a mail client cut it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alertfield.h"
#include "ascii.h"
#include "msgid.h"
#include "netaddr.h"
#include "strbuf.h"
#include "xalloc.h"

/* ---- labels ---- */

#define L_HEADER 1		/* only as a table's column header */

static const struct label {
	const char *words;	/* lowercase, one space between words */
	enum alertfield_kind kind;
	unsigned flags;
} labels[] = {
	{ "destination ip address", ALERTFIELD_DEST, 0 },
	{ "destination ip", ALERTFIELD_DEST, 0 },
	{ "destination address", ALERTFIELD_DEST, 0 },
	{ "dest ip", ALERTFIELD_DEST, 0 },
	{ "adresse ip de destination", ALERTFIELD_DEST, 0 },
	{ "adresse ip destination", ALERTFIELD_DEST, 0 },
	{ "adresse de destination", ALERTFIELD_DEST, 0 },
	{ "ip de destination", ALERTFIELD_DEST, 0 },
	{ "ip destination", ALERTFIELD_DEST, 0 },
	{ "ip du destinataire", ALERTFIELD_DEST, 0 },
	{ "ip destinataire", ALERTFIELD_DEST, 0 },
	{ "destination", ALERTFIELD_DEST, L_HEADER },
	{ "dest", ALERTFIELD_DEST, L_HEADER },
	{ "ip", ALERTFIELD_DEST, L_HEADER },
	{ "message id", ALERTFIELD_ID, 0 },
	{ "msg id", ALERTFIELD_ID, 0 },
	{ "identifiant du message", ALERTFIELD_ID, 0 },
	{ "identifiant de message", ALERTFIELD_ID, 0 },
	{ "id du message", ALERTFIELD_ID, 0 },
	{ "id de message", ALERTFIELD_ID, 0 },
	{ "id", ALERTFIELD_ID, L_HEADER },
	{ "spam score", ALERTFIELD_SCORE, 0 },
	{ "score de spam", ALERTFIELD_SCORE, 0 },
	{ "score spam", ALERTFIELD_SCORE, 0 },
	{ "score anti spam", ALERTFIELD_SCORE, 0 },
	{ "score antispam", ALERTFIELD_SCORE, 0 },
	{ "score", ALERTFIELD_SCORE, 0 },
	{ "date", ALERTFIELD_OTHER, L_HEADER },
	{ "sent", ALERTFIELD_OTHER, L_HEADER },
	{ "envoyé", ALERTFIELD_OTHER, L_HEADER },
	{ "n°", ALERTFIELD_OTHER, L_HEADER },
	{ "#", ALERTFIELD_OTHER, L_HEADER },
};

/* Match 'words' at b[pos]: each word in any ASCII case, and between two
 * words any run of blanks, '-' and '_' (none too: "MessageID",
 * "spamscore"), one line end included ("Message-\nID" cut by a mail
 * client).  The match must end a word.  Returns its end, or 0. */
size_t
alertfield_words(const char *b, size_t len, size_t pos, const char *words)
{
	const char *w = words;
	size_t p = pos;

	for (;;) {
		while (*w && *w != ' ') {
			if (p >= len || ascii_tolower((unsigned char)b[p]) != (unsigned char)*w)
				return 0;
			p++;
			w++;
		}
		if (*w == '\0')
			break;
		w++;
		{
			bool nl = false;

			while (p < len && (ascii_isblank((unsigned char)b[p]) || b[p] == '-' || b[p] == '_' ||
					   (b[p] == '\n' && !nl && p + 1 < len && b[p + 1] != '\n'))) {
				nl |= b[p] == '\n';
				p++;
			}
		}
	}
	if (p < len && ascii_isalnum((unsigned char)b[p]) && ascii_isalnum((unsigned char)b[p - 1]))
		return 0;
	return p;
}

/* Does b[pos] start a word? */
bool
alertfield_word_start(const char *b, size_t pos)
{
	return pos == 0 || !ascii_isalnum((unsigned char)b[pos - 1]);
}

/* The longest label at b[pos] (header labels too when 'header': only
 * they are ALERTFIELD_OTHER); its end in *end. */
enum alertfield_kind
alertfield_label(const char *b, size_t len, size_t pos, bool header, size_t *end)
{
	enum alertfield_kind best = ALERTFIELD_NONE;
	size_t best_end = 0;

	/* Every label starts with one of these. */
	if (!alertfield_word_start(b, pos) || !strchr("adeimns#", ascii_tolower((unsigned char)b[pos])) ||
	    b[pos] == '\0')
		return ALERTFIELD_NONE;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t e;

		if ((labels[i].flags & L_HEADER) && !header)
			continue;
		e = alertfield_words(b, len, pos, labels[i].words);
		if (e > best_end) {
			best_end = e;
			best = labels[i].kind;
		}
	}
	*end = best_end;
	return best;
}

/* ---- values ---- */

/* An IPv4 address at b[pos] (not inside a longer run of digits and
 * dots); its length, or 0. */
size_t
alertfield_ipv4_at(const char *b, size_t len, size_t pos, char out[16])
{
	size_t p = pos, n;

	if (pos > 0 && (ascii_isdigit((unsigned char)b[pos - 1]) || b[pos - 1] == '.'))
		return 0;
	while (p < len && p - pos < 16 && (ascii_isdigit((unsigned char)b[p]) || b[p] == '.'))
		p++;
	n = p - pos;
	/* A trailing dot ends a sentence. */
	while (n > 0 && b[pos + n - 1] == '.')
		n--;
	if (n < 7 || n > 15 || (p < len && ascii_isdigit((unsigned char)b[p])))
		return 0;
	memcpy(out, b + pos, n);
	out[n] = '\0';
	return netaddr_is_ipv4(out) ? n : 0;
}

/* The first IPv4 address in s, or NULL (new string). */
char *
alertfield_first_ipv4(const char *s)
{
	size_t len = strlen(s);
	char ip[16];

	for (size_t p = 0; p < len; p++)
		if (ascii_isdigit((unsigned char)s[p]) && alertfield_ipv4_at(s, len, p, ip))
			return xstrdup(ip);
	return NULL;
}

/* A separator between fields. */
bool
alertfield_is_separator(const char *c, size_t n)
{
	return n == 1 && (c[0] == '-' || c[0] == '|' || c[0] == ';' || c[0] == ',' ||
			  c[0] == ':' || c[0] == '/' || c[0] == '*');
}

/* The run of non-blank bytes at b[p], up to the line's end. */
static size_t
chunk_len(const char *b, size_t len, size_t p)
{
	size_t q = p;

	while (q < len && !ascii_isblank((unsigned char)b[q]) && b[q] != '\n')
		q++;
	return q - p;
}

/* After a chunk ending at b[p]: does the line go on with a separator or
 * a label (the record's structure), so that the chunk belongs to the
 * value before? */
static bool
structure_follows(const char *b, size_t len, size_t p)
{
	size_t end;

	while (p < len && ascii_isblank((unsigned char)b[p]))
		p++;
	if (p >= len || b[p] == '\n')
		return false;
	if (alertfield_is_separator(b + p, chunk_len(b, len, p)))
		return true;
	return alertfield_label(b, len, p, false, &end) != ALERTFIELD_NONE;
}

/* Is the chunk c[0..n) a number as a score is written: digits ("300"),
 * or with 'decimals' also "300.5" and "300,5"? */
static bool
number_chunk(const char *c, size_t n, bool decimals)
{
	size_t p = 0;

	while (p < n && ascii_isdigit((unsigned char)c[p]))
		p++;
	if (p == 0)
		return false;
	if (decimals && p + 1 < n && (c[p] == '.' || c[p] == ','))
		for (p++; p < n && ascii_isdigit((unsigned char)c[p]); p++)
			;
	return p == n;
}

/* After a chunk ending at b[p]: a separator, then a score label ("300
 * - Spam score: 300")? */
static bool
score_label_follows(const char *b, size_t len, size_t p)
{
	size_t n, end;

	while (p < len && ascii_isblank((unsigned char)b[p]))
		p++;
	n = chunk_len(b, len, p);
	if (n == 0 || !alertfield_is_separator(b + p, n))
		return false;
	for (p += n; p < len && ascii_isblank((unsigned char)b[p]); p++)
		;
	return p < len && alertfield_label(b, len, p, false, &end) == ALERTFIELD_SCORE;
}

/* Can the id value v be followed by chunk c on the next line? */
static bool
id_goes_on(const struct strbuf *v, const char *b, size_t len, size_t c, size_t n)
{
	unsigned char last = v->len ? (unsigned char)v->buf[v->len - 1] : 0;
	char ip[16];

	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)b[c + k];

		if (ch <= ' ' || ch == 0x7F || ch == '(' || ch == ')' || ch == ',' || ch == ';' ||
		    ch == '"' || ch == '[' || ch == ']' || ch == '\\')
			return false;
	}
	/* An id ending the line with '.', '-', ... is cut there, unless
	 * what starts the next line is a number: a score written on its
	 * own ("Message-ID: abc@ex." then "300 - Spam score: 300"), not
	 * the rest of the id. */
	if (number_chunk(b + c, n, false) ||
	    (number_chunk(b + c, n, true) && score_label_follows(b, len, c + n)))
		return false;
	if (strchr(".-_=@+", last) && last)
		return true;
	if (alertfield_ipv4_at(b, len, c, ip) == n)
		return false;
	if (v->buf[0] == '<' && !strchr(v->buf, '>'))
		return true;
	if (!strchr(v->buf, '@') && memchr(b + c, '@', n))
		return true;
	return structure_follows(b, len, c + n);
}

static bool
ip_goes_on(const struct strbuf *v, const char *b, size_t c, size_t n)
{
	char tmp[16];

	if (v->len == 0 || v->len > 15)
		return false;
	memcpy(tmp, v->buf, v->len);
	tmp[v->len] = '\0';
	if (netaddr_is_ipv4(tmp) || !ascii_isdigit((unsigned char)b[c]))
		return false;
	for (size_t k = 0; k < v->len; k++)
		if (!ascii_isdigit((unsigned char)v->buf[k]) && v->buf[k] != '.')
			return false;
	for (size_t k = 0; k < n; k++)
		if (!ascii_isdigit((unsigned char)b[c + k]) && b[c + k] != '.' && !strchr(",;)]", b[c + k]))
			return false;
	return true;
}

/* The value after a label ending at b[*pos]: blanks, an optional colon
 * (or '='), blanks, then one chunk, which may be on the next line when
 * the label ends its line; a chunk cut at the end of a line is joined
 * with the start of the next when it plainly goes on there.  *pos moves
 * past what was taken.  The value is in 'v' (empty when none). */
void
alertfield_collect(const char *b, size_t len, size_t *pos, enum alertfield_kind k,
		   struct strbuf *v)
{
	size_t p = *pos, n, end;

	strbuf_reset(v);
	while (p < len && ascii_isblank((unsigned char)b[p]))
		p++;
	if (p < len && (b[p] == ':' || b[p] == '='))
		p++;
	while (p < len && ascii_isblank((unsigned char)b[p]))
		p++;
	if (p < len && b[p] == '\n') {
		/* "Message-ID:" ends the line: the value starts the next one. */
		size_t q = p + 1;

		if (q >= len || b[q] == '\n') {
			*pos = p;
			return;
		}
		while (q < len && ascii_isblank((unsigned char)b[q]))
			q++;
		if (alertfield_label(b, len, q, false, &end) != ALERTFIELD_NONE) {
			*pos = p;
			return;
		}
		p = q;
	}
	n = chunk_len(b, len, p);
	if (n == 0 || alertfield_is_separator(b + p, n)) {
		*pos = p;
		return;
	}
	strbuf_add(v, b + p, n);
	p += n;
	for (int joins = 0; joins < 8 && k != ALERTFIELD_SCORE && p < len && b[p] == '\n'; joins++) {
		size_t q = p + 1, c;

		if (q >= len || b[q] == '\n')
			break;
		while (q < len && ascii_isblank((unsigned char)b[q]))
			q++;
		c = q;
		n = chunk_len(b, len, c);
		if (n == 0 || alertfield_is_separator(b + c, n) ||
		    alertfield_label(b, len, c, false, &end) != ALERTFIELD_NONE)
			break;
		if (k == ALERTFIELD_ID ? !id_goes_on(v, b, len, c, n) : !ip_goes_on(v, b, c, n))
			break;
		strbuf_add(v, b + c, n);
		p = c + n;
	}
	*pos = p;
}

/* Trim punctuation a sentence or a layout puts around a value. */
static void
trim_value(struct strbuf *v, const char *lead, const char *trail)
{
	size_t s = 0;

	while (v->len && strchr(trail, v->buf[v->len - 1]))
		v->len--;
	while (s < v->len && strchr(lead, v->buf[s]))
		s++;
	memmove(v->buf, v->buf + s, v->len - s);
	v->len -= s;
	v->buf[v->len] = '\0';
}

/* A Message-ID value as the alert wrote it, without <> (new string), or
 * NULL when there is none ("", "-", "N/A", "none", ...). */
char *
alertfield_id(const char *s, size_t n)
{
	static const char *const none[] = {
		"n/a", "na", "none", "null", "unknown", "inconnu", "aucun", "(none)", "-", NULL,
	};
	struct strbuf v;
	char *id;

	strbuf_init(&v, STRBUF_NO_MAX);
	strbuf_add(&v, s, n);
	trim_value(&v, "(\"'", ".,;:)\"'");
	for (const char *const *x = none; *x; x++)
		if (strcasecmp(v.buf, *x) == 0)
			v.len = 0;
	id = v.len ? msgid_strip(v.buf, v.len) : NULL;
	strbuf_release(&v);
	if (id && (*id == '\0' || strlen(id) > 998)) {
		free(id);
		id = NULL;
	}
	return id;
}

/* An IPv4 address value ("198.51.100.23", "[198.51.100.23]", ...), or
 * NULL (new string). */
char *
alertfield_ip(const char *s, size_t n)
{
	struct strbuf v;
	char *ip = NULL;

	strbuf_init(&v, STRBUF_NO_MAX);
	strbuf_add(&v, s, n);
	trim_value(&v, "([<\"'", ".,;:)]>\"'");
	if (netaddr_is_ipv4(v.buf))
		ip = xstrdup(v.buf);
	strbuf_release(&v);
	return ip;
}

/* A spam score ("300", "300.0", "(300)", "300/1000"); false when none. */
bool
alertfield_score(const char *s, size_t n, int64_t *out)
{
	size_t p = 0, d = 0;
	int64_t v = 0;

	while (p < n && (s[p] == '(' || s[p] == '[' || s[p] == '+'))
		p++;
	for (; p < n && ascii_isdigit((unsigned char)s[p]) && d < 12; p++, d++)
		v = v * 10 + (s[p] - '0');
	if (d == 0 || d >= 12)
		return false;
	/* Decimals are dropped; anything but punctuation after the number
	 * means it was no number ("300px", "3e5"). */
	if (p < n && (s[p] == '.' || s[p] == ',')) {
		size_t q = p + 1;

		while (q < n && ascii_isdigit((unsigned char)s[q]))
			q++;
		if (q > p + 1)
			p = q;
	}
	if (p < n && ascii_isalnum((unsigned char)s[p]))
		return false;
	*out = v;
	return true;
}

