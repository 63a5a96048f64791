/* textsafe.c - outside text made safe to show and to use in a file name */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "strbuf.h"
#include "textsafe.h"
#include "xalloc.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one;
 * its code point in *cp.  Overlong forms and surrogates are rejected, as
 * RFC 3629 says. */
static size_t
utf8_seq_len(const unsigned char *s, size_t avail, unsigned int *cp)
{
	unsigned char c = s[0];
	size_t n;
	unsigned int v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (n == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	/* C1 controls (U+0080..U+009F) act on terminals too (U+009B is
	 * CSI): shown byte by byte, as the C0 controls are. */
	if (n == 2 && v < 0xa0)
		return 0;
	*cp = v;
	return n;
}

/* Valid characters that are not drawn, or that reorder or break the
 * text around them: a reader cannot see them, so a Message-ID, a
 * file name or a line of a ticket could look like another (Trojan
 * Source, CVE-2021-42574).  Unicode's Default_Ignorable_Code_Point
 * (soft hyphen, zero-width characters, word joiners, the bidi embeddings,
 * overrides and isolates, variation selectors, tags, fillers, BOM), the
 * line and paragraph separators that end a line where no newline is, and
 * the interlinear annotation marks that hide the text between them. */
static bool
codepoint_hidden(unsigned int cp)
{
	return cp == 0x00ad || cp == 0x034f || cp == 0x061c ||
	       cp == 0x115f || cp == 0x1160 || cp == 0x17b4 || cp == 0x17b5 ||
	       (cp >= 0x180b && cp <= 0x180f) ||
	       (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) ||
	       cp == 0x3164 ||
	       (cp >= 0xfe00 && cp <= 0xfe0f) ||
	       cp == 0xfeff || cp == 0xffa0 ||
	       (cp >= 0xfff0 && cp <= 0xfffb) ||
	       (cp >= 0x1bca0 && cp <= 0x1bca3) ||
	       (cp >= 0x1d173 && cp <= 0x1d17a) ||
	       (cp >= 0xe0000 && cp <= 0xe0fff);
}

char *
textsafe_visible(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	struct strbuf sb;
	size_t i = 0, n;
	unsigned int cp;

	strbuf_init(&sb, STRBUF_NO_MAX);
	while (i < len) {
		unsigned char c = u[i];

		if (c == '\t') {
			strbuf_addstr(&sb, "\\t");
			i++;
		} else if (c == '\n') {
			strbuf_addstr(&sb, "\\n");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			strbuf_addf(&sb, "\\x%02x", c);
			i++;
		} else if ((n = utf8_seq_len(u + i, len - i, &cp)) == 0) {
			strbuf_addf(&sb, "\\x%02x", c);
			i++;
		} else if (codepoint_hidden(cp)) {
			strbuf_addf(&sb, "<U+%04X>", cp);
			i += n;
		} else {
			strbuf_add(&sb, u + i, n);
			i += n;
		}
	}
	return strbuf_detach(&sb, NULL);
}

static bool
filename_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '@' || c == '.' || c == '_' ||
	       c == '+' || c == '=' || c == '-';
}

char *
textsafe_filename(const char *s, size_t max)
{
	size_t len = strlen(s), i;
	char *out;

	if (max == 0)
		max = 1;
	if (len > max)
		len = max;
	if (len == 0)
		return xstrdup("_");
	out = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		out[i] = filename_char_ok((unsigned char)s[i]) ? s[i] : '_';
	out[len] = '\0';
	/* A leading dot would make "." , ".." or a hidden file. */
	if (out[0] == '.')
		out[0] = '_';
	return out;
}
