/* alert.c - the anti-spam alert e-mail OVHcloud sends when it blocks an
 * IP: the blocked IP, the alert's date and the messages it lists.
 *
 * What the alert looks like (research, 2026):
 *
 * - OVHcloud's guide "OVHcloud AntiSpam - Best Practices and Unblocking an
 *   IP" (github.com/ovh/docs, pages/bare_metal_cloud/dedicated_servers/
 *   antispam_best_practices/guide.en-gb.md, updated 2022-10-17; the same
 *   text on docs.ovh.com/{au,sg}/en/dedicated/antispam-best-practices/)
 *   quotes the English alert:
 *
 *     Dear Customer,
 *     Our anti-spam protection layer has detected that your IP
 *     122.122.122.122 is sending spam.
 *     In order to protect our network, we have blocked the port 25 of
 *     your server, at the network level.
 *     To help you investigate about this problem and fix it, here is a
 *     sample of some advanced details on your emails:
 *     Destination IP: 188.95.235.33 - Message-ID: d24aa492-5f37-457f-9595-
 *       23ddc9e0f714@xxxxxxxxxxxxx.xx.local - Spam score: 300 <br>
 *     (one such line per message, each ended by <br>: the mail is HTML)
 *
 * - The French guide (guide.fr-fr.md, updated 2026-01-06) quotes the
 *   French alert, with the IP alone on the line after the sentence and a
 *   space before the colons:
 *
 *     Bonjour,
 *     Notre protection Antispam a détecté un envoi important de spam à
 *     partir d'une de vos IP:
 *     122.122.122.122
 *     Afin d'assurer la sécurité de notre réseau le trafic sortant de votre
 *     serveur vers le port 25 a été suspendu.
 *     Afin que vous puissiez effectuer les vérifications, voici un
 *     échantillon des emails bloqués:
 *     Destination IP : 188.95.235.33 - Message-ID : fc090jdhf934...@xx.com
 *       - Spam score: 300<br>
 *
 * - The same guide on support.us.ovhcloud.com (article 16100926574995)
 *   shows what a mail client or a copy makes of it: the lines run into
 *   one ("... - Spam score: 300 Destination IP: 188.95.235.33 - ..."),
 *   a Message-ID cut after a dot ("...a27.\n1d44jkgnddfef...@x.net") and
 *   a label cut from its value ("Message-ID:\nzcb.3z54...").
 * - The guide says the ids are what to search the logs for, and that
 *   "if no message ID is provided", the messages sent before the alert
 *   are wanted instead: a line may lack its Message-ID.  The API's
 *   SpamTarget (the same guide) has messageId, destinationIp, date and
 *   spamscore: the alert shows three of the four, without the date.
 * - help.ovh.co.uk/AntiSpamBestPractice (the older OVH wording, "Vade
 *   Retro") only says to "analyse your logs using the Message-ID found in
 *   the block alert".  No subject line or Date was found quoted anywhere:
 *   the subject is read for an IP only when the body names none.
 *
 * So the parser does not expect one layout.  It reads every text/plain
 * and text/html part (HTML made into lines and tab-separated cells) of
 * the message and of any message forwarded in it, with "> " quoting
 * removed, and finds:
 *
 * - targets, by their labels ("Destination IP", "IP de destination",
 *   "Message-ID", "Spam score", "Score", "spamscore", ... in any case,
 *   with or without a colon, in any order, several per line or one per
 *   line); a label met again starts the next target, as does an empty
 *   line.  A value cut at the end of a line is joined with the start of
 *   the next when it plainly goes on there.  A table whose header row
 *   is made of labels (HTML, tabs, '|' or aligned columns) gives one
 *   target per row.  A line with nothing but an IPv4 address, an id with
 *   '@' and maybe a number is a target too.
 * - the blocked IP: the IPv4 address after "your IP", "votre IP",
 *   "vos IP", "adresse IP", "ipSpamming", ... (not a destination), or
 *   one followed by "blocked"/"bloqué"; else the first in the subject.
 *   A forward's own note may name one too ("the server IP ... got
 *   this:"): the alert's is the one of the message that lists the
 *   messages, else of the one forwarded deepest; in one text, the one
 *   closest before the list, else the one quoted deepest.
 * - the date: a "Date:" line (a forward's header) or an ISO 8601 time
 *   with a zone in the alert's text, before the list; else the Date
 *   header of the message that holds the alert.
 *
 * Anything else is ignored. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "alert.h"
#include "alertmime.h"
#include "error.h"
#include "fpkit_limits.h"
#include "mime.h"
#include "msgid.h"
#include "netaddr.h"
#include "summary.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

/* ---- characters ---- */

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

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

			if (is_digit(c))
				v = c - '0';
			else if (base == 16 && lower(c) >= 'a' && lower(c) <= 'f')
				v = lower(c) - 'a' + 10;
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
	while (p < len && p - start < 12 && is_alnum((unsigned char)html[p]))
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
		    !is_alnum((unsigned char)(p + n + 2 < len ? html[p + n + 2] : ' ')))
			return tag_end(html, len, p);
	*none = start;
	return start;
}

char *
alert_html_to_text(const char *html, size_t len, size_t *outlen)
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
			while (p < len && (is_alnum((unsigned char)html[p]) ||
					   (p > ns && strchr(":-_", html[p]) && html[p]))) {
				if (n + 1 < sizeof(name))
					name[n++] = (char)lower((unsigned char)html[p]);
				p++;
			}
			name[n] = '\0';
			/* "<id@host>" written raw in HTML is text, not a tag. */
			if (p == ns || (p < len && !is_blank((unsigned char)html[p]) &&
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

/* ---- lines ---- */

/* Where the "> " quoting of the prepared text changes: the lines from
 * pos on were quoted 'depth' deep (a forward quotes what it forwards). */
struct quote_mark {
	size_t pos;
	unsigned depth;
};

struct quoting {
	struct quote_mark *marks;	/* by pos */
	size_t nr, alloc;
};

/* How deep the line holding b[pos] was quoted. */
static unsigned
quote_depth(const struct quoting *qt, size_t pos)
{
	size_t lo = 0, hi = qt->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (qt->marks[mid].pos <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? qt->marks[lo - 1].depth : 0;
}

/* The text as the scanner reads it: lines end in '\n'; "> " quoting,
 * carriage returns and trailing blanks are gone; the spaces, dashes and
 * colons word processors put in (no-break, narrow and thin spaces,
 * non-breaking hyphens, en and em dashes, full-width colons) are plain
 * ASCII, and invisible characters (zero-width space, BOM, soft hyphen)
 * are dropped.  The quoting removed is noted in qt.  EX_DATAERR for a
 * line longer than FPKIT_LIMIT_ALERT_LINE. */
static char *
prepare(const char *text, size_t len, const char *name, size_t *outlen, struct quoting *qt,
	struct error *err)
{
	struct strbuf sb;
	size_t i = 0, line = 0;
	unsigned last_depth = 0;

	strbuf_init(&sb, STRBUF_NO_MAX);
	while (i < len) {
		size_t start = i, end, p, keep;
		unsigned depth = 0;

		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		end = i;
		if (i < len && text[i] == '\r')
			i++;
		if (i < len && text[i] == '\n' && (i == end || text[i - 1] == '\r'))
			i++;
		line++;
		if (end - start > FPKIT_LIMIT_ALERT_LINE) {
			strbuf_release(&sb);
			return error_set(err, EX_DATAERR, "'%s': line %zu of the alert's text is "
					 "longer than %d bytes: is this an alert?", name, line,
					 FPKIT_LIMIT_ALERT_LINE), NULL;
		}
		/* Quoting: "> ", ">> ", "> > ". */
		p = start;
		for (size_t q = p; q < end; ) {
			while (q < end && is_blank((unsigned char)text[q]))
				q++;
			if (q < end && text[q] == '>') {
				p = ++q;
				depth++;
				if (q < end && text[q] == ' ')
					p = ++q;
				continue;
			}
			break;
		}
		if (depth != last_depth) {
			qt->marks = xgrow(qt->marks, qt->nr + 1, &qt->alloc, sizeof(*qt->marks));
			qt->marks[qt->nr].pos = sb.len;
			qt->marks[qt->nr++].depth = depth;
			last_depth = depth;
		}
		keep = sb.len;
		while (p < end) {
			const unsigned char *u = (const unsigned char *)text + p;
			size_t left = end - p;

			if (left >= 2 && u[0] == 0xC2 && (u[1] == 0xA0)) {
				strbuf_addch(&sb, ' ');
				p += 2;
			} else if (left >= 2 && u[0] == 0xC2 && u[1] == 0xAD) {
				p += 2;
			} else if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
				   ((u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xAF)) {
				strbuf_addch(&sb, ' ');		/* U+2000..U+200A, U+202F */
				p += 3;
			} else if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
				   (u[2] == 0x8B || u[2] == 0x8C || u[2] == 0x8D)) {
				p += 3;				/* zero-width */
			} else if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
				   u[2] >= 0x90 && u[2] <= 0x95) {
				strbuf_addch(&sb, '-');		/* U+2010..U+2015 */
				p += 3;
			} else if (left >= 3 && u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92) {
				strbuf_addch(&sb, '-');		/* U+2212 */
				p += 3;
			} else if (left >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x9A) {
				strbuf_addch(&sb, ':');		/* U+FF1A */
				p += 3;
			} else if (left >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
				p += 3;				/* BOM */
			} else if (u[0] == '\0' || u[0] == '\f' || u[0] == '\v') {
				strbuf_addch(&sb, ' ');
				p++;
			} else {
				strbuf_addch(&sb, (int)u[0]);
				p++;
			}
		}
		while (sb.len > keep && sb.buf[sb.len - 1] == ' ')
			sb.len--;
		sb.buf[sb.len] = '\0';
		strbuf_addch(&sb, '\n');
	}
	return strbuf_detach(&sb, outlen);
}

/* ---- labels ---- */

enum kind { K_NONE, K_DEST, K_ID, K_SCORE, K_OTHER };
#define NR_KINDS 4

#define L_HEADER 1		/* only as a table's column header */

static const struct label {
	const char *words;	/* lowercase, one space between words */
	enum kind kind;
	unsigned flags;
} labels[] = {
	{ "destination ip address", K_DEST, 0 },
	{ "destination ip", K_DEST, 0 },
	{ "destination address", K_DEST, 0 },
	{ "dest ip", K_DEST, 0 },
	{ "adresse ip de destination", K_DEST, 0 },
	{ "adresse ip destination", K_DEST, 0 },
	{ "adresse de destination", K_DEST, 0 },
	{ "ip de destination", K_DEST, 0 },
	{ "ip destination", K_DEST, 0 },
	{ "ip du destinataire", K_DEST, 0 },
	{ "ip destinataire", K_DEST, 0 },
	{ "destination", K_DEST, L_HEADER },
	{ "dest", K_DEST, L_HEADER },
	{ "ip", K_DEST, L_HEADER },
	{ "message id", K_ID, 0 },
	{ "msg id", K_ID, 0 },
	{ "identifiant du message", K_ID, 0 },
	{ "identifiant de message", K_ID, 0 },
	{ "id du message", K_ID, 0 },
	{ "id de message", K_ID, 0 },
	{ "id", K_ID, L_HEADER },
	{ "spam score", K_SCORE, 0 },
	{ "score de spam", K_SCORE, 0 },
	{ "score spam", K_SCORE, 0 },
	{ "score anti spam", K_SCORE, 0 },
	{ "score antispam", K_SCORE, 0 },
	{ "score", K_SCORE, 0 },
	{ "date", K_OTHER, L_HEADER },
	{ "sent", K_OTHER, L_HEADER },
	{ "envoyé", K_OTHER, L_HEADER },
	{ "n°", K_OTHER, L_HEADER },
	{ "#", K_OTHER, L_HEADER },
};

/* Match 'words' at b[pos]: each word in any ASCII case, and between two
 * words any run of blanks, '-' and '_' (none too: "MessageID",
 * "spamscore"), one line end included ("Message-\nID" cut by a mail
 * client).  The match must end a word.  Returns its end, or 0. */
static size_t
match_words(const char *b, size_t len, size_t pos, const char *words)
{
	const char *w = words;
	size_t p = pos;

	for (;;) {
		while (*w && *w != ' ') {
			if (p >= len || lower((unsigned char)b[p]) != (unsigned char)*w)
				return 0;
			p++;
			w++;
		}
		if (*w == '\0')
			break;
		w++;
		{
			bool nl = false;

			while (p < len && (is_blank((unsigned char)b[p]) || b[p] == '-' || b[p] == '_' ||
					   (b[p] == '\n' && !nl && p + 1 < len && b[p + 1] != '\n'))) {
				nl |= b[p] == '\n';
				p++;
			}
		}
	}
	if (p < len && is_alnum((unsigned char)b[p]) && is_alnum((unsigned char)b[p - 1]))
		return 0;
	return p;
}

static bool
word_start(const char *b, size_t pos)
{
	return pos == 0 || !is_alnum((unsigned char)b[pos - 1]);
}

/* The longest label at b[pos] (header labels too when 'header': only
 * they are K_OTHER); its end in *end. */
static enum kind
match_label(const char *b, size_t len, size_t pos, bool header, size_t *end)
{
	enum kind best = K_NONE;
	size_t best_end = 0;

	/* Every label starts with one of these. */
	if (!word_start(b, pos) || !strchr("adeimns#", lower((unsigned char)b[pos])) ||
	    b[pos] == '\0')
		return K_NONE;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t e;

		if ((labels[i].flags & L_HEADER) && !header)
			continue;
		e = match_words(b, len, pos, labels[i].words);
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
static size_t
ipv4_at(const char *b, size_t len, size_t pos, char out[16])
{
	size_t p = pos, n;

	if (pos > 0 && (is_digit((unsigned char)b[pos - 1]) || b[pos - 1] == '.'))
		return 0;
	while (p < len && p - pos < 16 && (is_digit((unsigned char)b[p]) || b[p] == '.'))
		p++;
	n = p - pos;
	/* A trailing dot ends a sentence. */
	while (n > 0 && b[pos + n - 1] == '.')
		n--;
	if (n < 7 || n > 15 || (p < len && is_digit((unsigned char)b[p])))
		return 0;
	memcpy(out, b + pos, n);
	out[n] = '\0';
	return netaddr_is_ipv4(out) ? n : 0;
}

/* The first IPv4 address in s, or NULL (new string). */
static char *
first_ipv4(const char *s)
{
	size_t len = strlen(s);
	char ip[16];

	for (size_t p = 0; p < len; p++)
		if (is_digit((unsigned char)s[p]) && ipv4_at(s, len, p, ip))
			return xstrdup(ip);
	return NULL;
}

static bool
is_separator_chunk(const char *c, size_t n)
{
	return n == 1 && (c[0] == '-' || c[0] == '|' || c[0] == ';' || c[0] == ',' ||
			  c[0] == ':' || c[0] == '/' || c[0] == '*');
}

/* The run of non-blank bytes at b[p], up to the line's end. */
static size_t
chunk_len(const char *b, size_t len, size_t p)
{
	size_t q = p;

	while (q < len && !is_blank((unsigned char)b[q]) && b[q] != '\n')
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

	while (p < len && is_blank((unsigned char)b[p]))
		p++;
	if (p >= len || b[p] == '\n')
		return false;
	if (is_separator_chunk(b + p, chunk_len(b, len, p)))
		return true;
	return match_label(b, len, p, false, &end) != K_NONE;
}

/* Is the chunk c[0..n) a number as a score is written: digits ("300"),
 * or with 'decimals' also "300.5" and "300,5"? */
static bool
number_chunk(const char *c, size_t n, bool decimals)
{
	size_t p = 0;

	while (p < n && is_digit((unsigned char)c[p]))
		p++;
	if (p == 0)
		return false;
	if (decimals && p + 1 < n && (c[p] == '.' || c[p] == ','))
		for (p++; p < n && is_digit((unsigned char)c[p]); p++)
			;
	return p == n;
}

/* After a chunk ending at b[p]: a separator, then a score label ("300
 * - Spam score: 300")? */
static bool
score_label_follows(const char *b, size_t len, size_t p)
{
	size_t n, end;

	while (p < len && is_blank((unsigned char)b[p]))
		p++;
	n = chunk_len(b, len, p);
	if (n == 0 || !is_separator_chunk(b + p, n))
		return false;
	for (p += n; p < len && is_blank((unsigned char)b[p]); p++)
		;
	return p < len && match_label(b, len, p, false, &end) == K_SCORE;
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
	if (ipv4_at(b, len, c, ip) == n)
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
	if (netaddr_is_ipv4(tmp) || !is_digit((unsigned char)b[c]))
		return false;
	for (size_t k = 0; k < v->len; k++)
		if (!is_digit((unsigned char)v->buf[k]) && v->buf[k] != '.')
			return false;
	for (size_t k = 0; k < n; k++)
		if (!is_digit((unsigned char)b[c + k]) && b[c + k] != '.' && !strchr(",;)]", b[c + k]))
			return false;
	return true;
}

/* The value after a label ending at b[*pos]: blanks, an optional colon
 * (or '='), blanks, then one chunk, which may be on the next line when
 * the label ends its line; a chunk cut at the end of a line is joined
 * with the start of the next when it plainly goes on there.  *pos moves
 * past what was taken.  The value is in 'v' (empty when none). */
static void
collect(const char *b, size_t len, size_t *pos, enum kind k, struct strbuf *v)
{
	size_t p = *pos, n, end;

	strbuf_reset(v);
	while (p < len && is_blank((unsigned char)b[p]))
		p++;
	if (p < len && (b[p] == ':' || b[p] == '='))
		p++;
	while (p < len && is_blank((unsigned char)b[p]))
		p++;
	if (p < len && b[p] == '\n') {
		/* "Message-ID:" ends the line: the value starts the next one. */
		size_t q = p + 1;

		if (q >= len || b[q] == '\n') {
			*pos = p;
			return;
		}
		while (q < len && is_blank((unsigned char)b[q]))
			q++;
		if (match_label(b, len, q, false, &end) != K_NONE) {
			*pos = p;
			return;
		}
		p = q;
	}
	n = chunk_len(b, len, p);
	if (n == 0 || is_separator_chunk(b + p, n)) {
		*pos = p;
		return;
	}
	strbuf_add(v, b + p, n);
	p += n;
	for (int joins = 0; joins < 8 && k != K_SCORE && p < len && b[p] == '\n'; joins++) {
		size_t q = p + 1, c;

		if (q >= len || b[q] == '\n')
			break;
		while (q < len && is_blank((unsigned char)b[q]))
			q++;
		c = q;
		n = chunk_len(b, len, c);
		if (n == 0 || is_separator_chunk(b + c, n) ||
		    match_label(b, len, c, false, &end) != K_NONE)
			break;
		if (k == K_ID ? !id_goes_on(v, b, len, c, n) : !ip_goes_on(v, b, c, n))
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
static char *
clean_id(const char *s, size_t n)
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
static char *
clean_ip(const char *s, size_t n)
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
static bool
clean_score(const char *s, size_t n, int64_t *out)
{
	size_t p = 0, d = 0;
	int64_t v = 0;

	while (p < n && (s[p] == '(' || s[p] == '[' || s[p] == '+'))
		p++;
	for (; p < n && is_digit((unsigned char)s[p]) && d < 12; p++, d++)
		v = v * 10 + (s[p] - '0');
	if (d == 0 || d >= 12)
		return false;
	/* Decimals are dropped; anything but punctuation after the number
	 * means it was no number ("300px", "3e5"). */
	if (p < n && (s[p] == '.' || s[p] == ',')) {
		size_t q = p + 1;

		while (q < n && is_digit((unsigned char)s[q]))
			q++;
		if (q > p + 1)
			p = q;
	}
	if (p < n && is_alnum((unsigned char)s[p]))
		return false;
	*out = v;
	return true;
}

/* ---- the scan ---- */

struct record {
	bool seen[NR_KINDS + 1];
	char *id;
	char *dest;
	bool has_score;
	int64_t score;
	size_t pos;		/* where it starts */
};

struct scanner {
	const char *b;
	size_t len;
	const char *name;
	struct alert_scan *s;
	struct record r;
	size_t *dest_pos;	/* where destination values were read */
	size_t nr_dest_pos, alloc_dest_pos;
	struct quoting qt;	/* the quoting prepare() removed */
	struct error *err;
	bool failed;
};

static void
record_clear(struct record *r)
{
	free(r->id);
	free(r->dest);
	memset(r, 0, sizeof(*r));
}

static void
add_target(struct scanner *sc, char *id, char *dest, bool has_score, int64_t score, size_t pos)
{
	struct alert_scan *s = sc->s;
	struct alert_target *t;

	if (sc->failed) {
		free(id);
		free(dest);
		return;
	}
	if (s->nr_targets >= FPKIT_LIMIT_ALERT_TARGETS) {
		free(id);
		free(dest);
		sc->failed = true;
		error_set(sc->err, EX_DATAERR, "'%s' lists more than %d messages: is this an "
			  "alert?", sc->name, FPKIT_LIMIT_ALERT_TARGETS);
		return;
	}
	if (s->nr_targets == 0 && (s->ip == NULL || pos < s->first_pos))
		s->first_pos = pos;
	s->targets = xgrow(s->targets, s->nr_targets + 1, &s->alloc_targets, sizeof(*s->targets));
	t = &s->targets[s->nr_targets++];
	t->message_id = id;
	t->destination_ip = dest;
	t->has_spamscore = has_score;
	t->spamscore = score;
}

/* A record becomes a target when it has a Message-ID, or a destination
 * IP with a Message-ID label (an empty id) or a score. */
static void
flush(struct scanner *sc)
{
	struct record *r = &sc->r;

	if (r->id || (r->dest && (r->seen[K_ID] || r->has_score))) {
		add_target(sc, r->id, r->dest, r->has_score, r->score, r->pos);
		r->id = r->dest = NULL;
	}
	record_clear(r);
}

static void
note_dest(struct scanner *sc, size_t pos)
{
	sc->dest_pos = xgrow(sc->dest_pos, sc->nr_dest_pos + 1, &sc->alloc_dest_pos,
			     sizeof(*sc->dest_pos));
	sc->dest_pos[sc->nr_dest_pos++] = pos;
}

/* Labels on the line at *pos, and on the lines values run on to; *pos
 * ends at a line end. */
static void
scan_labels(struct scanner *sc, size_t *pos)
{
	const char *b = sc->b;
	size_t len = sc->len, p = *pos, end;
	struct strbuf v;

	strbuf_init(&v, STRBUF_NO_MAX);
	while (p < len && b[p] != '\n') {
		enum kind k = match_label(b, len, p, false, &end);
		struct record *r = &sc->r;
		char *id = NULL, *dest = NULL;
		bool has_score = false, explicit, valid;
		int64_t score = 0;
		size_t q = end, label = p;

		if (k == K_NONE || k == K_OTHER) {
			p++;
			continue;
		}
		/* "Spam score: 300", "Message-ID\t<id>" (a table cell) say that a
		 * value follows; without a colon or a cell, a label is one only
		 * when a value of its kind follows ("Score sheet" is prose). */
		while (q < len && b[q] == ' ')
			q++;
		explicit = (q < len && (b[q] == ':' || b[q] == '=')) || (end < len && b[end] == '\t');
		p = end;
		collect(b, len, &p, k, &v);
		if (k == K_ID) {
			id = v.len ? clean_id(v.buf, v.len) : NULL;
			valid = id && (strchr(id, '@') || v.buf[0] == '<');
		} else if (k == K_DEST) {
			dest = v.len ? clean_ip(v.buf, v.len) : NULL;
			valid = dest != NULL;
		} else {
			has_score = v.len && clean_score(v.buf, v.len, &score);
			valid = has_score;
		}
		if (!explicit && !valid) {
			free(id);
			free(dest);
			p = end;
			continue;
		}
		if (r->seen[k])
			flush(sc);
		if (!r->seen[K_DEST] && !r->seen[K_ID] && !r->seen[K_SCORE])
			r->pos = label;
		r->seen[k] = true;
		if (k == K_ID) {
			free(r->id);
			r->id = id;
		} else if (k == K_DEST) {
			free(r->dest);
			r->dest = dest;
			if (dest)
				note_dest(sc, end);
		} else {
			r->has_score = has_score;
			r->score = score;
		}
	}
	strbuf_release(&v);
	*pos = p;
}

/* ---- tables ---- */

#define MAX_CELLS 32

struct cells {
	size_t start[MAX_CELLS], len[MAX_CELLS];
	size_t nr;
};

/* Split the line b[p..e) into cells: at tabs or '|' when it has any,
 * else at runs of two blanks or more (aligned columns). */
static void
split_cells(const char *b, size_t p, size_t e, struct cells *c)
{
	bool marked = memchr(b + p, '\t', e - p) || memchr(b + p, '|', e - p);
	size_t s = p;

	c->nr = 0;
	/* "| a | b |": no empty cell before the first bar or after the last. */
	while (p < e && is_blank((unsigned char)b[p]))
		p++;
	if (p < e && b[p] == '|')
		s = ++p;
	while (e > p && is_blank((unsigned char)b[e - 1]))
		e--;
	if (e > p && b[e - 1] == '|')
		e--;
	for (size_t q = s; q <= e && c->nr < MAX_CELLS; ) {
		size_t w = 0;

		if (q < e) {
			if (marked && (b[q] == '\t' || b[q] == '|'))
				w = 1;
			else if (!marked && b[q] == ' ' && q + 1 < e && is_blank((unsigned char)b[q + 1]))
				for (w = 0; q + w < e && is_blank((unsigned char)b[q + w]); w++)
					;
		}
		if (q == e || w) {
			size_t a = s, z = q;

			while (a < z && is_blank((unsigned char)b[a]))
				a++;
			while (z > a && is_blank((unsigned char)b[z - 1]))
				z--;
			c->start[c->nr] = a;
			c->len[c->nr] = z - a;
			c->nr++;
			if (q == e)
				break;
			q += w;
			s = q;
			continue;
		}
		q++;
	}
}

struct table {
	bool active;
	size_t nr_cells;
	int col[NR_KINDS + 1];	/* column of each kind, -1 when none */
};

/* Is the line b[p..e) a header row: cells that are labels, for at least
 * two of destination, id and score, one of them the id or the
 * destination? */
static bool
header_row(const char *b, size_t len, size_t p, size_t e, struct table *t)
{
	struct cells c;
	int found = 0;

	split_cells(b, p, e, &c);
	if (c.nr < 2)
		return false;
	for (int k = 0; k <= NR_KINDS; k++)
		t->col[k] = -1;
	for (size_t i = 0; i < c.nr; i++) {
		size_t a = c.start[i], z = a + c.len[i], end;
		enum kind k;

		if (z > a && b[z - 1] == ':')
			z--;
		while (z > a && is_blank((unsigned char)b[z - 1]))
			z--;
		if (z == a)
			continue;
		k = match_label(b, len, a, true, &end);
		if (k == K_NONE || end != z)
			return false;
		if (k != K_OTHER) {
			if (t->col[k] >= 0)
				return false;
			t->col[k] = (int)i;
			found++;
		}
	}
	if (found < 2 || (t->col[K_ID] < 0 && t->col[K_DEST] < 0))
		return false;
	t->active = true;
	t->nr_cells = c.nr;
	return true;
}

static bool
has_label(const char *b, size_t len, size_t p, size_t e)
{
	size_t end;

	for (; p < e; p++)
		if (match_label(b, len, p, false, &end) != K_NONE)
			return true;
	return false;
}

/* A row without labels: its words classified by their form (an IPv4
 * address, an id with '@' or in <>, a number).  With 'strict', any
 * other word makes it no row; it needs an id and a destination (with
 * 'strict') or either (in a table). */
static bool
typed_row(struct scanner *sc, size_t p, size_t e, bool strict)
{
	const char *b = sc->b;
	char *id = NULL, *dest = NULL;
	bool has_score = false, ok = true;
	int64_t score = 0;
	size_t start = p, dest_at = 0;

	while (p < e && ok) {
		size_t w = p, n;
		int64_t num;
		char *x;

		while (w < e && !is_blank((unsigned char)b[w]) && b[w] != '|')
			w++;
		n = w - p;
		if (n == 0 || is_separator_chunk(b + p, n)) {
			/* a separator */
		} else if ((x = clean_ip(b + p, n)) != NULL) {
			if (dest)
				ok = false;
			free(dest);
			dest = x;
			dest_at = p;
		} else if (memchr(b + p, '@', n) || (b[p] == '<' && b[p + n - 1] == '>')) {
			if (id)
				ok = false;
			free(id);
			id = clean_id(b + p, n);
			ok = ok && id;
		} else if (clean_score(b + p, n, &num) && !has_score) {
			has_score = true;
			score = num;
		} else if (strict) {
			ok = false;
		}
		p = w + 1;
	}
	ok = ok && (strict ? id && dest : id || dest);
	if (!ok) {
		free(id);
		free(dest);
		return false;
	}
	flush(sc);
	if (dest)
		note_dest(sc, dest_at);
	add_target(sc, id, dest, has_score, score, start);
	return true;
}

static void
table_row(struct scanner *sc, struct table *t, size_t p, size_t e)
{
	const char *b = sc->b;
	struct cells c;
	char *id = NULL, *dest = NULL;
	bool has_score = false;
	int64_t score = 0;

	/* "|----|----|", "===  ===": the rule under a header. */
	if (strspn(b + p, "-=+:|_ \t") >= e - p)
		return;
	split_cells(b, p, e, &c);
	if (c.nr != t->nr_cells) {
		typed_row(sc, p, e, false);
		return;
	}
	if (t->col[K_ID] >= 0 && c.len[t->col[K_ID]])
		id = clean_id(b + c.start[t->col[K_ID]], c.len[t->col[K_ID]]);
	if (t->col[K_DEST] >= 0 && c.len[t->col[K_DEST]])
		dest = clean_ip(b + c.start[t->col[K_DEST]], c.len[t->col[K_DEST]]);
	if (t->col[K_SCORE] >= 0 && c.len[t->col[K_SCORE]])
		has_score = clean_score(b + c.start[t->col[K_SCORE]], c.len[t->col[K_SCORE]], &score);
	if (id == NULL && dest == NULL)
		return;
	if (dest)
		note_dest(sc, c.start[t->col[K_DEST]]);
	add_target(sc, id, dest, has_score, score, p);
}

/* ---- the blocked IP ---- */

static const char *const triggers[] = {
	"your ip address", "your ipv4 address", "your ip", "your ipv4", "your server ip",
	"votre adresse ip", "votre ip", "vos adresses ip", "vos ip", "l'adresse ip", "l’adresse ip",
	"l'ip", "l’ip", "cette adresse ip", "cette ip", "this ip address", "this ip",
	"the ip address", "the ip", "blocked ip", "ip bloquée", "ip bloquee", "ip blocked",
	"ipspamming", "ip spamming", "spamming ip", "adresse ip", "ip address", "server ip",
	"ip du serveur", NULL,
};

static bool
dest_value_at(const struct scanner *sc, size_t pos)
{
	size_t lo = 0, hi = sc->nr_dest_pos;

	/* dest_pos grows with the scan: the last label end at or before pos
	 * (a destination value is read within a few bytes of its label). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->dest_pos[mid] <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && pos - sc->dest_pos[lo - 1] < 8;
}

static void
set_ip(struct scanner *sc, const char *ip, size_t pos)
{
	struct alert_scan *s = sc->s;

	s->ip = xstrdup(ip);
	s->ip_pos = pos;
	if (s->nr_targets == 0 || pos < s->first_pos)
		s->first_pos = pos;
}

/* An IPv4 address named after a trigger phrase. */
struct ip_cand {
	char ip[16];
	size_t pos;
	unsigned depth;		/* how deep its line was quoted */
};

/* Which of the addresses named after a trigger phrase is the blocked
 * one.  A forward's own note may name one too ("the server IP
 * 192.0.2.1 got this:") above the alert it quotes, so the first is not
 * the answer: the one closest before the first message listed (the
 * alert's sentence comes before its list), else the first of those
 * quoted deepest (the forwarded part). */
static const struct ip_cand *
pick_ip(const struct alert_scan *s, const struct ip_cand *c, size_t nr)
{
	const struct ip_cand *best = NULL;

	for (size_t i = 0; s->nr_targets > 0 && i < nr && c[i].pos < s->first_pos; i++)
		best = &c[i];
	if (best)
		return best;
	best = &c[0];
	for (size_t i = 1; i < nr; i++)
		if (c[i].depth > best->depth)
			best = &c[i];
	return best;
}

/* The IPv4 address after a trigger phrase, before any label and within
 * a few lines (pick_ip chooses when there are several); else the first
 * one followed on its line by "block..." or "bloqu...".  A second
 * address named after a trigger is noted in s->ip_other. */
static void
find_ip(struct scanner *sc)
{
	const char *b = sc->b;
	size_t len = sc->len, end, nr = 0, alloc = 0;
	struct ip_cand *cand = NULL;
	const struct ip_cand *best;
	char ip[16];

	for (size_t p = 0; p < len; p++) {
		size_t tend = 0, n;

		if (!word_start(b, p) || b[p] == '\n' || is_blank((unsigned char)b[p]))
			continue;
		if (match_label(b, len, p, false, &end) != K_NONE) {
			p = end - 1;
			continue;
		}
		for (const char *const *t = triggers; *t && !tend; t++)
			tend = match_words(b, len, p, *t);
		if (!tend)
			continue;
		p = tend - 1;
		for (size_t q = tend; q < len && q < tend + 240; q++) {
			if (b[q] == '\n' && q + 1 < len && b[q + 1] == '\n')
				break;
			if (match_label(b, len, q, false, &end) != K_NONE)
				break;
			if (is_digit((unsigned char)b[q]) && (n = ipv4_at(b, len, q, ip))) {
				cand = xgrow(cand, nr + 1, &alloc, sizeof(*cand));
				memcpy(cand[nr].ip, ip, sizeof(ip));
				cand[nr].pos = q;
				cand[nr++].depth = quote_depth(&sc->qt, q);
				p = q + n - 1;
				break;
			}
		}
	}
	if (nr) {
		best = pick_ip(sc->s, cand, nr);
		for (size_t i = 0; i < nr && sc->s->ip_other == NULL; i++)
			if (strcmp(cand[i].ip, best->ip) != 0)
				sc->s->ip_other = xstrdup(cand[i].ip);
		set_ip(sc, best->ip, best->pos);
		free(cand);
		return;
	}
	for (size_t p = 0; p < len; p++) {
		size_t n;

		if (!is_digit((unsigned char)b[p]) || !(n = ipv4_at(b, len, p, ip)) ||
		    dest_value_at(sc, p))
			continue;
		for (size_t q = p + n; q < len && q < p + n + 60 && b[q] != '\n'; q++)
			if (strncasecmp(b + q, "block", 5) == 0 || strncasecmp(b + q, "bloqu", 5) == 0) {
				set_ip(sc, ip, p);
				return;
			}
		p += n;
	}
}

/* ---- dates ---- */

struct date_cand {
	size_t pos;
	int64_t t;
};

/* "Date: Fri, 20 Nov 2026 14:32:07 +0100" (a forward's header), and the
 * French and Outlook names of the field. */
static bool
date_line(const char *b, size_t len, size_t p, size_t e, int64_t *t)
{
	static const char *const names[] = { "date", "sent", "envoyé", "envoye", "envoyé le", NULL };

	while (p < e && is_blank((unsigned char)b[p]))
		p++;
	for (const char *const *n = names; *n; n++) {
		size_t q = match_words(b, len, p, *n);

		if (!q || q > e)
			continue;
		while (q < e && is_blank((unsigned char)b[q]))
			q++;
		if (q >= e || b[q] != ':')
			continue;
		q++;
		while (q < e && is_blank((unsigned char)b[q]))
			q++;
		if (q < e && mime_parse_date(b + q, e - q, t) == 0)
			return true;
	}
	return false;
}

/* An ISO 8601 date and time with a zone at b[p] ("2026-11-20T14:32:07Z",
 * "2026-11-20 14:32:07 +01:00", "2026-11-20 14:32 UTC"). */
static bool
iso_at(const char *b, size_t len, size_t p, int64_t *t)
{
	char buf[40];
	size_t q = p, n = 0;

	if (!word_start(b, p) || len - p < 16)
		return false;
	for (int i = 0; i < 10; i++)
		if (!(i == 4 || i == 7 ? b[p + i] == '-' : is_digit((unsigned char)b[p + i])))
			return false;
	if (b[p + 10] != 'T' && b[p + 10] != ' ')
		return false;
	q = p + 11;
	while (q < len && q < p + 30 && (is_digit((unsigned char)b[q]) || b[q] == ':' || b[q] == '.'))
		q++;
	if (q - p < 16)
		return false;
	n = q - p;
	memcpy(buf, b + p, n);
	if (q < len && b[q] == ' ')
		q++;
	if (q < len && (b[q] == 'Z' || b[q] == '+' || b[q] == '-')) {
		size_t z = q + 1;

		while (z < len && z < q + 6 && (is_digit((unsigned char)b[z]) || b[z] == ':'))
			z++;
		if (z - q + n >= sizeof(buf))
			return false;
		memcpy(buf + n, b + q, z - q);
		n += z - q;
	} else if (q + 3 <= len && (strncmp(b + q, "UTC", 3) == 0 || strncmp(b + q, "GMT", 3) == 0)) {
		buf[n++] = 'Z';
	} else {
		return false;
	}
	buf[n] = '\0';
	return timefmt_parse_iso(buf, t) == 0;
}

static void
find_date(struct scanner *sc)
{
	const char *b = sc->b;
	size_t len = sc->len, nr = 0, alloc = 0;
	struct date_cand *c = NULL;
	int64_t t;

	for (size_t p = 0; p < len; ) {
		size_t e = p;

		while (e < len && b[e] != '\n')
			e++;
		if (date_line(b, len, p, e, &t)) {
			c = xgrow(c, nr + 1, &alloc, sizeof(*c));
			c[nr].pos = p;
			c[nr++].t = t;
		} else {
			for (size_t q = p; q < e; q++)
				if (is_digit((unsigned char)b[q]) && iso_at(b, len, q, &t)) {
					c = xgrow(c, nr + 1, &alloc, sizeof(*c));
					c[nr].pos = q;
					c[nr++].t = t;
					q += 15;
				}
		}
		p = e + 1;
	}
	/* The last date before the alert's first line, else the first after. */
	if (nr && (sc->s->ip || sc->s->nr_targets)) {
		size_t pick = 0;

		for (size_t i = 0; i < nr && c[i].pos <= sc->s->first_pos; i++)
			pick = i;
		sc->s->has_date = true;
		sc->s->date = c[pick].t;
	}
	free(c);
}

/* ---- one text ---- */

int
alert_scan_text(struct alert_scan *s, const char *text, size_t len, bool html,
		const char *name, struct error *err)
{
	struct scanner sc;
	struct table t;
	char *plain = NULL, *b;
	size_t blen, p = 0;

	memset(s, 0, sizeof(*s));
	memset(&sc, 0, sizeof(sc));
	memset(&t, 0, sizeof(t));
	if (html) {
		plain = alert_html_to_text(text, len, &len);
		text = plain;
	}
	b = prepare(text, len, name, &blen, &sc.qt, err);
	free(plain);
	if (b == NULL) {
		free(sc.qt.marks);
		return -1;
	}
	sc.b = b;
	sc.len = blen;
	sc.name = name;
	sc.s = s;
	sc.err = err;
	while (p < blen && !sc.failed) {
		size_t e = p;

		while (e < blen && b[e] != '\n')
			e++;
		if (e == p) {			/* an empty line ends a record, a table */
			flush(&sc);
			t.active = false;
			p++;
			continue;
		}
		if (t.active && !has_label(b, blen, p, e)) {
			table_row(&sc, &t, p, e);
			p = e + 1;
			continue;
		}
		t.active = false;
		if (header_row(b, blen, p, e, &t)) {
			flush(&sc);
			p = e + 1;
			continue;
		}
		if (!has_label(b, blen, p, e)) {
			typed_row(&sc, p, e, true);
			p = e + 1;
			continue;
		}
		scan_labels(&sc, &p);
		p++;
	}
	if (!sc.failed)
		flush(&sc);
	record_clear(&sc.r);
	if (!sc.failed) {
		find_ip(&sc);
		find_date(&sc);
		s->spam = strcasestr(b, "spam") != NULL;
	}
	free(sc.dest_pos);
	free(sc.qt.marks);
	free(b);
	if (sc.failed) {
		alert_scan_release(s);
		return -1;
	}
	return 0;
}

void
alert_scan_release(struct alert_scan *s)
{
	free(s->ip);
	free(s->ip_other);
	for (size_t i = 0; i < s->nr_targets; i++) {
		free(s->targets[i].message_id);
		free(s->targets[i].destination_ip);
	}
	free(s->targets);
	memset(s, 0, sizeof(*s));
}

/* ---- the alert ---- */

void
alert_init(struct alert *a)
{
	memset(a, 0, sizeof(*a));
	strbuf_init(&a->raw, FPKIT_LIMIT_ALERT);
}

static void
clear_parsed(struct alert *a)
{
	free(a->ip);
	a->ip = NULL;
	a->has_date = false;
	a->date = 0;
	for (size_t i = 0; i < a->nr_targets; i++) {
		free(a->targets[i].message_id);
		free(a->targets[i].destination_ip);
	}
	free(a->targets);
	a->targets = NULL;
	a->nr_targets = a->alloc_targets = 0;
}

void
alert_release(struct alert *a)
{
	clear_parsed(a);
	free(a->source);
	strbuf_release(&a->raw);
	memset(a, 0, sizeof(*a));
}

static bool
same_str(const char *x, const char *y)
{
	return x && y && strcmp(x, y) == 0;
}

/* Targets by canonical Message-ID, for merging: the first index with
 * each id, and for each index the next one with the same id. */
struct merger {
	GHashTable *first;	/* canonical id -> index + 1 */
	size_t *next;		/* index -> next index + 1 with the same id, 0: none */
	size_t alloc_next;
};

/* Add t to the alert, or merge it into a target already listed with the
 * same Message-ID (the text and HTML versions of one alert, a forward
 * quoting what it also attaches): what one lacks the other gives.  Takes
 * t's strings. */
static int
merge_target(struct alert *a, struct merger *mg, struct alert_target *t, const char *name,
	     struct error *err)
{
	char *canon = t->message_id ? msgid_normalize(t->message_id, strlen(t->message_id)) : NULL;
	size_t head = canon ? GPOINTER_TO_SIZE(g_hash_table_lookup(mg->first, canon)) : 0;
	struct alert_target *o = NULL;

	if (canon) {
		/* The same id to the same (or an unknown) destination. */
		for (size_t i = head; i; i = mg->next[i - 1]) {
			struct alert_target *x = &a->targets[i - 1];

			if (!x->destination_ip || !t->destination_ip ||
			    strcmp(x->destination_ip, t->destination_ip) == 0) {
				o = x;
				break;
			}
		}
	} else {
		/* No id: only an identical line is the same. */
		for (size_t i = 0; i < a->nr_targets && !o; i++) {
			struct alert_target *x = &a->targets[i];

			if (!x->message_id &&
			    (same_str(x->destination_ip, t->destination_ip) ||
			     (!x->destination_ip && !t->destination_ip)) &&
			    x->has_spamscore == t->has_spamscore &&
			    (!x->has_spamscore || x->spamscore == t->spamscore))
				o = x;
		}
	}
	if (o) {
		if (!o->destination_ip && t->destination_ip) {
			o->destination_ip = t->destination_ip;
			t->destination_ip = NULL;
		}
		if (!o->has_spamscore && t->has_spamscore) {
			o->has_spamscore = true;
			o->spamscore = t->spamscore;
		}
		free(t->message_id);
		free(t->destination_ip);
		free(canon);
		return 0;
	}
	if (a->nr_targets >= FPKIT_LIMIT_ALERT_TARGETS) {
		free(t->message_id);
		free(t->destination_ip);
		free(canon);
		return error_set(err, EX_DATAERR, "'%s' lists more than %d messages: is this an "
				 "alert?", name, FPKIT_LIMIT_ALERT_TARGETS);
	}
	a->targets = xgrow(a->targets, a->nr_targets + 1, &a->alloc_targets, sizeof(*a->targets));
	a->targets[a->nr_targets++] = *t;
	mg->next = xgrow(mg->next, a->nr_targets, &mg->alloc_next, sizeof(*mg->next));
	mg->next[a->nr_targets - 1] = 0;
	if (canon && head) {
		size_t i = head;

		while (mg->next[i - 1])
			i = mg->next[i - 1];
		mg->next[i - 1] = a->nr_targets;
		free(canon);
	} else if (canon) {
		g_hash_table_insert(mg->first, canon, GSIZE_TO_POINTER(a->nr_targets));
	}
	return 0;
}

/* Does a text that lists messages ('listed') at MIME depth 'depth'
 * outrank the best so far? */
static bool
outranks(bool listed, unsigned depth, bool best_listed, unsigned best_depth)
{
	if (listed != best_listed)
		return listed;
	return depth > best_depth;
}

/* A blocked IP a text names. */
struct text_ip {
	char *ip;		/* new */
	size_t msg;		/* the message of the text; (size_t)-1: a second
				 * address of a text, never taken */
	unsigned depth;		/* its MIME depth */
};

/* The blocked IP among those the texts name: one of the alert's own
 * message ('alert_msg'), else the one forwarded deepest, else the
 * first; it moves to a->ip.  Every other address is a warning. */
static void
pick_text_ip(struct alert *a, struct text_ip *ips, size_t nr, size_t alert_msg,
	     const char *name, struct diag *diag)
{
	struct text_ip *best = NULL;

	for (size_t i = 0; i < nr; i++) {
		if (ips[i].msg == (size_t)-1)
			continue;
		if (best == NULL || (best->msg != alert_msg && ips[i].msg == alert_msg) ||
		    ((best->msg == alert_msg) == (ips[i].msg == alert_msg) &&
		     ips[i].depth > best->depth))
			best = &ips[i];
	}
	if (best == NULL)
		return;
	for (size_t i = 0; diag && i < nr; i++) {
		bool told = strcmp(ips[i].ip, best->ip) == 0;

		for (size_t k = 0; k < i && !told; k++)
			told = strcmp(ips[k].ip, ips[i].ip) == 0;
		if (!told)
			diag_add(diag, "'%s' also names %s as a blocked IP: %s is taken", name,
				 ips[i].ip, best->ip);
	}
	a->ip = best->ip;
	best->ip = NULL;
}

int
alert_parse(struct alert *a, const char *buf, size_t len, const char *name,
	    struct diag *diag, struct error *err)
{
	struct alertmime m;
	struct merger mg = { NULL, NULL, 0 };
	struct text_ip *ips = NULL;
	size_t alert_msg = (size_t)-1, nr_ips = 0, alloc_ips = 0;
	unsigned alert_depth = 0;
	bool date_from_text = false, spam = false, alert_listed = false;
	int rc = -1;

	clear_parsed(a);
	if (a->raw.buf != buf) {
		strbuf_reset(&a->raw);
		if (strbuf_add(&a->raw, buf, len) < 0)
			return error_set(err, EX_DATAERR, "'%s': larger than the limit of %d bytes "
					 "for an alert", name, FPKIT_LIMIT_ALERT);
	}
	if (a->source != name) {
		free(a->source);
		a->source = xstrdup(name);
	}
	if (len == 0)
		return error_set(err, EX_DATAERR, "'%s' is empty: save the alert e-mail with its "
				 "header (as .eml)", name);
	if (alertmime_buffer(&m, buf, len) < 0)
		return error_set(err, EX_DATAERR, "'%s' holds no e-mail GMime can read", name);
	mg.first = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
	if (m.cut && diag)
		diag_add(diag, "'%s': more MIME parts than fpkit reads (%d, or nested %d deep): "
			 "the rest is ignored", name, FPKIT_LIMIT_ALERT_PARTS,
			 FPKIT_LIMIT_ALERT_DEPTH);
	for (size_t i = 0; i < m.nr_texts; i++) {
		unsigned depth = m.msgs[m.texts[i].msg].depth;
		struct alert_scan s;

		if (alert_scan_text(&s, m.texts[i].text, m.texts[i].len, m.texts[i].html, name,
				    err) < 0)
			goto out;
		spam |= s.spam;
		/* The alert is the text that lists messages, else the one
		 * forwarded deepest, else the first: a forward's own note is
		 * not it. */
		if ((s.ip || s.nr_targets) &&
		    (alert_msg == (size_t)-1 || outranks(s.nr_targets > 0, depth, alert_listed,
							 alert_depth))) {
			alert_msg = m.texts[i].msg;
			alert_listed = s.nr_targets > 0;
			alert_depth = depth;
			a->has_date = date_from_text = s.has_date;
			a->date = s.has_date ? s.date : 0;
		}
		if (s.ip) {
			ips = xgrow(ips, nr_ips + 1, &alloc_ips, sizeof(*ips));
			ips[nr_ips].ip = s.ip;
			ips[nr_ips].msg = m.texts[i].msg;
			ips[nr_ips++].depth = depth;
			s.ip = NULL;
		}
		if (s.ip_other) {
			ips = xgrow(ips, nr_ips + 1, &alloc_ips, sizeof(*ips));
			ips[nr_ips].ip = s.ip_other;
			ips[nr_ips].msg = (size_t)-1;	/* never taken */
			ips[nr_ips++].depth = 0;
			s.ip_other = NULL;
		}
		for (size_t k = 0; k < s.nr_targets; k++) {
			if (merge_target(a, &mg, &s.targets[k], name, err) < 0) {
				for (size_t j = k + 1; j < s.nr_targets; j++) {
					free(s.targets[j].message_id);
					free(s.targets[j].destination_ip);
				}
				s.nr_targets = 0;
				alert_scan_release(&s);
				goto out;
			}
		}
		s.nr_targets = 0;
		alert_scan_release(&s);
	}
	pick_text_ip(a, ips, nr_ips, alert_msg, name, diag);
	/* No IP in the text: the subject of the alert, then of the others,
	 * when the texts list messages or the subject speaks of spam. */
	if (a->ip == NULL && alert_msg != (size_t)-1 && m.msgs[alert_msg].subject)
		a->ip = first_ipv4(m.msgs[alert_msg].subject);
	for (size_t i = 0; i < m.nr_msgs; i++)
		spam |= m.msgs[i].subject && strcasestr(m.msgs[i].subject, "spam");
	for (size_t i = 0; a->ip == NULL && i < m.nr_msgs; i++) {
		const char *subj = m.msgs[i].subject;

		if (subj && (a->nr_targets || strcasestr(subj, "spam")))
			a->ip = first_ipv4(subj);
	}
	if (alert_msg != (size_t)-1 && !date_from_text && m.msgs[alert_msg].has_date) {
		a->has_date = true;
		a->date = m.msgs[alert_msg].date;
	}
	/* An IP alone is an alert (one that lists no message) only when the
	 * mail speaks of spam: "IP 192.0.2.1 blocked by the firewall" is not. */
	if (a->ip && a->nr_targets == 0 && !spam) {
		free(a->ip);
		a->ip = NULL;
	}
	if (a->ip == NULL && a->nr_targets == 0) {
		error_set(err, EX_DATAERR, "'%s' is not an OVHcloud anti-spam alert: it names no "
			  "blocked IP and lists no message (Destination IP, Message-ID, Spam score)",
			  name);
		goto out;
	}
	rc = 0;
out:
	alertmime_release(&m);
	g_hash_table_destroy(mg.first);
	free(mg.next);
	for (size_t i = 0; i < nr_ips; i++)
		free(ips[i].ip);
	free(ips);
	if (rc < 0)
		clear_parsed(a);
	return rc;
}

int
alert_load(struct alert *a, const char *path, struct diag *diag, struct error *err)
{
	strbuf_reset(&a->raw);
	if (strcmp(path, "-") == 0) {
		char chunk[65536];

		for (;;) {
			ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return error_set(err, EX_IOERR, "cannot read the standard input: %s",
						 strerror(errno));
			if (n == 0)
				break;
			if (strbuf_add(&a->raw, chunk, (size_t)n) < 0)
				return error_set(err, EX_DATAERR, "the standard input: larger "
						 "than the limit of %d bytes for an alert",
						 FPKIT_LIMIT_ALERT);
		}
	} else if (strbuf_read_file(&a->raw, path, "an alert", err) < 0) {
		return -1;
	}
	free(a->source);
	a->source = xstrdup(path);
	return alert_parse(a, a->raw.buf, a->raw.len, a->source, diag, err);
}


json_t *
alert_to_json(const struct alert *a)
{
	json_t *o = json_object(), *targets = json_array();

	json_object_set_new(o, "ip", summary_text(a->ip));
	if (a->has_date) {
		char iso[TIMEFMT_ISO_LEN];

		json_object_set_new(o, "date", json_string(timefmt_iso_utc(a->date, iso)));
	}
	for (size_t i = 0; i < a->nr_targets; i++) {
		const struct alert_target *t = &a->targets[i];

		json_array_append_new(targets, json_pack("{s:o, s:o, s:o}",
			"message_id", summary_text(t->message_id),
			"destination_ip", summary_text(t->destination_ip),
			"spamscore", t->has_spamscore ? json_integer((json_int_t)t->spamscore) :
							json_null()));
	}
	json_object_set_new(o, "targets", targets);
	return o;
}
