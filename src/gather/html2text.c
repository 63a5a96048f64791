/* html2text.c - HTML made into plain lines, for the alert's scanner
 *
 * Not an HTML parser: a single pass that keeps what a reader sees as
 * text and turns the elements that lay text out (paragraphs, blocks,
 * <br>, table rows and cells) into line ends and tabs, which is what
 * the scanner of alert lines and tables needs (alertscan.c).  Malformed
 * markup is read as a browser would show it where that matters to the
 * scanner: an unclosed <script> hides nothing, "<id@host>" is text. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "html2text.h"
#include "strbuf.h"

/* ---- characters ---- */

static void
add_utf8(struct strbuf *sb, unsigned long cp)
{
	char b[4];

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 4);
	}
}

/* ---- HTML to text ---- */

static const struct {
	const char *name;
	unsigned long cp;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", ' ' }, { "ensp", ' ' }, { "emsp", ' ' }, { "thinsp", ' ' },
	{ "shy", 0xAD }, { "ndash", '-' }, { "mdash", '-' }, { "minus", '-' },
	{ "hyphen", '-' }, { "colon", ':' }, { "commat", '@' }, { "period", '.' },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "ldquo", 0x201C }, { "rdquo", 0x201D },
	{ "laquo", 0xAB }, { "raquo", 0xBB }, { "hellip", 0x2026 }, { "bull", 0x2022 },
	{ "middot", 0xB7 }, { "copy", 0xA9 }, { "reg", 0xAE }, { "euro", 0x20AC },
	{ "agrave", 0xE0 }, { "aacute", 0xE1 }, { "acirc", 0xE2 }, { "auml", 0xE4 },
	{ "ccedil", 0xE7 }, { "egrave", 0xE8 }, { "eacute", 0xE9 }, { "ecirc", 0xEA },
	{ "euml", 0xEB }, { "icirc", 0xEE }, { "iuml", 0xEF }, { "ocirc", 0xF4 },
	{ "ouml", 0xF6 }, { "ugrave", 0xF9 }, { "ucirc", 0xFB }, { "uuml", 0xFC },
	{ "Agrave", 0xC0 }, { "Eacute", 0xC9 }, { "Egrave", 0xC8 }, { "Ecirc", 0xCA },
	{ "Ccedil", 0xC7 }, { "oelig", 0x153 }, { "szlig", 0xDF },
};

/* Decode the entity at html[*i] ('&'); false when it is none (the '&'
 * is then text). */
static bool
decode_entity(const char *html, size_t len, size_t *i, struct strbuf *out)
{
	size_t p = *i + 1, start;
	unsigned long cp = 0;

	if (p < len && html[p] == '#') {
		int base = 10, nd = 0;

		p++;
		if (p < len && (html[p] == 'x' || html[p] == 'X')) {
			base = 16;
			p++;
		}
		for (; p < len && nd < 8; p++, nd++) {
			unsigned char c = (unsigned char)html[p];
			int v;

			if (ascii_isdigit(c))
				v = c - '0';
			else if (base == 16 && ascii_tolower(c) >= 'a' && ascii_tolower(c) <= 'f')
				v = ascii_tolower(c) - 'a' + 10;
			else
				break;
			cp = cp * (unsigned long)base + (unsigned long)v;
		}
		if (nd == 0)
			return false;
		if (p < len && html[p] == ';')
			p++;
		add_utf8(out, cp);
		*i = p;
		return true;
	}
	start = p;
	while (p < len && p - start < 12 && ascii_isalnum((unsigned char)html[p]))
		p++;
	if (p == start)
		return false;
	for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
		size_t n = strlen(entities[k].name);

		if (n == p - start && memcmp(html + start, entities[k].name, n) == 0) {
			if (p < len && html[p] == ';')
				p++;
			add_utf8(out, entities[k].cp);
			*i = p;
			return true;
		}
	}
	return false;
}

struct html_state {
	struct strbuf out;
	int pending_nl;		/* line ends owed before the next text (at most 2) */
	int pending_tabs;	/* cell separators owed */
	bool space;		/* white space seen since the last text */
	bool line_text;		/* the current line holds text */
	int cells;		/* cells opened in the current row */
};

static void
html_flush(struct html_state *h)
{
	if (h->pending_nl && h->out.len) {
		for (int k = 0; k < h->pending_nl; k++)
			strbuf_addch(&h->out, '\n');
		h->line_text = false;
	}
	h->pending_nl = 0;
	for (; h->pending_tabs > 0; h->pending_tabs--)
		strbuf_addch(&h->out, '\t');
	if (h->space && h->line_text)
		strbuf_addch(&h->out, ' ');
	h->space = false;
}

static void
html_break(struct html_state *h, int n)
{
	/* Tabs owed at the end of a row keep its empty last cells. */
	if (h->pending_tabs && h->line_text)
		for (; h->pending_tabs > 0; h->pending_tabs--)
			strbuf_addch(&h->out, '\t');
	h->pending_tabs = 0;
	if (h->pending_nl < n)
		h->pending_nl = n;
	h->space = false;
}

static bool
tag_is(const char *name, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncmp(*list, name, n) == 0)
			return true;
	return false;
}

static const char *const html_blocks[] = {
	"div", "li", "ul", "ol", "dl", "dt", "dd", "center", "section", "article",
	"header", "footer", "address", "form", "fieldset", "pre", "caption", "tbody",
	"thead", "tfoot", "main", "nav", "aside", "figure", "figcaption", "body", "html",
	NULL,
};
static const char *const html_paragraphs[] = {
	"p", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "blockquote", NULL,
};
static const char *const html_skipped[] = { "script", "style", "head", "template", "title", NULL };

/* Skip past the end of the tag whose '<' is at *i, honouring quoted
 * attribute values. */
static size_t
tag_end(const char *html, size_t len, size_t p)
{
	char quote = 0;

	for (; p < len; p++) {
		if (quote) {
			if (html[p] == quote)
				quote = 0;
		} else if (html[p] == '"' || html[p] == '\'') {
			quote = html[p];
		} else if (html[p] == '>') {
			return p + 1;
		}
	}
	return len;
}

#define NR_SKIPPED (sizeof(html_skipped) / sizeof(html_skipped[0]) - 1)

/* The index of name[0..n) in html_skipped, or -1. */
static int
skipped_index(const char *name, size_t n)
{
	for (size_t k = 0; k < NR_SKIPPED; k++)
		if (strlen(html_skipped[k]) == n && strncmp(html_skipped[k], name, n) == 0)
			return (int)k;
	return -1;
}

/* Skip an element's content up to its end tag "</name" (nothing when
 * there is none: a <head> left open must not hide the body).  *none is
 * where a search for this end tag found none: none is found from any
 * later point either, so that search is not made again (a part of
 * repeated "<script>" would cost one search to the end per tag,
 * quadratic time). */
static size_t
skip_element(const char *html, size_t len, size_t p, const char *name, size_t n,
	     size_t *none)
{
	size_t start = p;

	if (p >= *none)
		return start;
	for (; p + n + 2 <= len; p++)
		if (html[p] == '<' && html[p + 1] == '/' &&
		    strncasecmp(html + p + 2, name, n) == 0 &&
		    !ascii_isalnum((unsigned char)(p + n + 2 < len ? html[p + n + 2] : ' ')))
			return tag_end(html, len, p);
	*none = start;
	return start;
}

char *
html2text_convert(const char *html, size_t len, size_t *outlen)
{
	struct html_state h;
	size_t i = 0, no_end[NR_SKIPPED];

	memset(&h, 0, sizeof(h));
	for (size_t k = 0; k < NR_SKIPPED; k++)
		no_end[k] = SIZE_MAX;
	strbuf_init(&h.out, STRBUF_NO_MAX);
	while (i < len) {
		unsigned char c = (unsigned char)html[i];

		if (c == '<') {
			size_t p = i + 1, ns;
			bool end = false;
			char name[16];
			size_t n = 0;
			int skip;

			if (p < len && html[p] == '!') {
				if (len - p >= 3 && strncmp(html + p, "!--", 3) == 0) {
					const char *e = NULL;

					for (size_t k = p + 3; k + 3 <= len; k++)
						if (strncmp(html + k, "-->", 3) == 0) {
							e = html + k;
							break;
						}
					i = e ? (size_t)(e - html) + 3 : len;
				} else {
					i = tag_end(html, len, p);
				}
				continue;
			}
			if (p < len && html[p] == '?') {
				i = tag_end(html, len, p);
				continue;
			}
			if (p < len && html[p] == '/') {
				end = true;
				p++;
			}
			ns = p;
			/* Names: letters and digits, and ':', '-', '_' (Outlook's
			 * <o:p>, custom elements); "<id@host>" stops at '@' or '.'. */
			while (p < len && (ascii_isalnum((unsigned char)html[p]) ||
					   (p > ns && strchr(":-_", html[p]) && html[p]))) {
				if (n + 1 < sizeof(name))
					name[n++] = (char)ascii_tolower((unsigned char)html[p]);
				p++;
			}
			name[n] = '\0';
			/* "<id@host>" written raw in HTML is text, not a tag. */
			if (p == ns || (p < len && !ascii_isblank((unsigned char)html[p]) &&
					html[p] != '>' && html[p] != '/' && html[p] != '\n' &&
					html[p] != '\r')) {
				html_flush(&h);
				strbuf_addch(&h.out, '<');
				h.line_text = true;
				i++;
				continue;
			}
			i = tag_end(html, len, p);
			if (!end && (skip = skipped_index(name, n)) >= 0) {
				i = skip_element(html, len, i, name, n, &no_end[skip]);
				continue;
			}
			if (strcmp(name, "br") == 0) {
				if (h.pending_nl < 2)
					h.pending_nl++;
				if (!h.line_text && h.out.len == 0)
					h.pending_nl = 0;
				h.space = false;
			} else if (strcmp(name, "tr") == 0) {
				html_break(&h, 1);
				h.cells = 0;
			} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
				if (!end && h.cells++ > 0)
					h.pending_tabs++;
				h.space = false;
			} else if (tag_is(name, n, html_paragraphs)) {
				html_break(&h, 2);
			} else if (tag_is(name, n, html_blocks)) {
				html_break(&h, 1);
			}
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			h.space = true;
			i++;
			continue;
		}
		html_flush(&h);
		if (c == '&' && decode_entity(html, len, &i, &h.out)) {
			h.line_text = true;
			continue;
		}
		strbuf_addch(&h.out, (int)c);
		h.line_text = true;
		i++;
	}
	strbuf_addch(&h.out, '\n');
	return strbuf_detach(&h.out, outlen);
}
