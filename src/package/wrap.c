/* wrap.c - the ticket's text laid out for people
 *
 * The templates write each paragraph, list item and "Label:  value" line
 * as one line, whatever the length of the values put in it; the lines are
 * broken here, where the width of the values is known.  Only spaces are
 * break points: a Message-ID, an address or a file name is never cut. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "strbuf.h"
#include "wrap.h"

/* Characters in s[0..len): UTF-8 lead bytes and ASCII (textsafe has made
 * every value valid UTF-8 with nothing invisible). */
static size_t
columns(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Where the breakable text of a line starts (a byte offset), which is
 * also the column further lines are indented to: after the leading
 * spaces, a bullet or check box, or a label ending in ':' and two spaces
 * or more. */
static size_t
text_start(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] == ' ')
		i++;
	if (i + 2 <= len && (line[i] == '-' || line[i] == '*') && line[i + 1] == ' ')
		return i + 2;
	if (i + 4 <= len && line[i] == '[' && strchr(" xX", line[i + 1]) && line[i + 2] == ']' &&
	    line[i + 3] == ' ')
		return i + 4;
	for (size_t k = i; k + 2 < len; k++) {
		if (line[k] == ' ' && line[k + 1] == ' ') {
			size_t v = k;

			if (k == i || line[k - 1] != ':')
				break;
			while (v < len && line[v] == ' ')
				v++;
			return v < len ? v : i;
		}
	}
	return i;
}

/* Only punctuation that may close a phrase in w[0..n). */
static bool
all_punct(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(".,;:!?)", w[i]))
			return false;
	return true;
}

/* A time of day, "13:32:07" or "13:32", then punctuation at most. */
static bool
is_time(const char *w, size_t n)
{
	size_t i = 0;

	for (int part = 0; part < 3 && i + 2 <= n; part++) {
		if (!isdigit((unsigned char)w[i]) || !isdigit((unsigned char)w[i + 1]))
			return false;
		i += 2;
		if (part < 2 && i < n && w[i] == ':' && i + 1 < n &&
		    isdigit((unsigned char)w[i + 1]))
			i++;
		else
			break;
	}
	return i >= 5 && all_punct(w + i, n - i);
}

/* A word that must not begin a line: closing punctuation alone, as
 * French sets it off with a space (" :", " ;", " ?", " !", " »"), and the
 * time and zone of a date ("2026-11-20 13:32:07 UTC" is one word). */
static bool
glue_left(const char *w, size_t n)
{
	static const char *const closers[] = { ":", ";", "!", "?", "\xc2\xbb", "%" };

	for (size_t i = 0; i < sizeof(closers) / sizeof(closers[0]); i++)
		if (n == strlen(closers[i]) && memcmp(w, closers[i], n) == 0)
			return true;
	if (n >= 3 && memcmp(w, "UTC", 3) == 0 && all_punct(w + 3, n - 3))
		return true;
	return is_time(w, n);
}

/* A word that must not end a line: an opening French quote. */
static bool
glue_right(const char *w, size_t n)
{
	return n == 2 && memcmp(w, "\xc2\xab", 2) == 0;
}

/* "RFC 5322", "(RFC 8058)": the number goes with its name. */
static bool
glue_number(const char *w, size_t n, const char *next)
{
	return ((n == 3 && memcmp(w, "RFC", 3) == 0) || (n == 4 && memcmp(w, "(RFC", 4) == 0)) &&
	       isdigit((unsigned char)*next);
}

/* Append line[0..len), broken at blanks into lines of at most width
 * columns. */
static void
wrap_line(struct strbuf *sb, const char *line, size_t len, size_t width)
{
	size_t start = text_start(line, len), hang = columns(line, start);
	size_t col = hang, p = start;
	bool empty = true;

	strbuf_add(sb, line, start);
	while (p < len) {
		size_t ws, we;

		while (p < len && is_blank(line[p]))
			p++;
		if (p == len)
			break;
		/* One word, with the punctuation that goes with it: tokens
		 * are taken while the last one opens or the next one closes. */
		ws = p;
		for (;;) {
			size_t tok = p, next, e;

			while (p < len && !is_blank(line[p]))
				p++;
			we = p;
			next = p;
			while (next < len && is_blank(line[next]))
				next++;
			if (next == len)
				break;
			e = next;
			while (e < len && !is_blank(line[e]))
				e++;
			if (!glue_right(line + tok, we - tok) && !glue_left(line + next, e - next) &&
			    !glue_number(line + tok, we - tok, line + next))
				break;
			p = next;
		}
		if (!empty && col + 1 + columns(line + ws, we - ws) > width) {
			strbuf_addch(sb, '\n');
			for (size_t k = 0; k < hang; k++)
				strbuf_addch(sb, ' ');
			col = hang;
			empty = true;
		}
		if (!empty) {
			strbuf_addch(sb, ' ');
			col++;
		}
		strbuf_add(sb, line + ws, we - ws);
		col += columns(line + ws, we - ws);
		empty = false;
	}
}

char *
wrap_text(const char *text, size_t len, size_t width, size_t *out_len)
{
	const char *p = text, *end = text + len;
	bool blank_pending = false;
	struct strbuf sb;

	/* Growth is bounded: a break replaces one space with a newline and
	 * at most width / 2 spaces of indent, and comes after a word. */
	strbuf_init(&sb, STRBUF_NO_MAX);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n;

		while (le > p && is_blank(le[-1]))
			le--;
		n = (size_t)(le - p);
		if (n == 0) {
			blank_pending = sb.len > 0;
		} else {
			if (blank_pending)
				strbuf_addch(&sb, '\n');
			blank_pending = false;
			if (columns(p, n) > width && columns(p, text_start(p, n)) <= width / 2)
				wrap_line(&sb, p, n, width);
			else
				strbuf_add(&sb, p, n);
			strbuf_addch(&sb, '\n');
		}
		p = nl ? nl + 1 : end;
	}
	return strbuf_detach(&sb, out_len);
}
