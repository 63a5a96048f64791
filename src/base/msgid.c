/* msgid.c - a message's own Message-ID, read from its header block
 *
 * This runs on every message of every store, so it works on raw bytes,
 * line by line, without allocating until a field named Message-ID is
 * seen.  Leniencies accepted on purpose are listed in doc/VIOLATIONS.md. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msgid.h"
#include "xalloc.h"

size_t
msgid_header_end(const char *buf, size_t len, bool *complete)
{
	const char *p = buf, *end = buf + len, *nl;

	*complete = true;
	/* The header block may be empty: the message starts with its blank
	 * line. */
	if (len >= 1 && buf[0] == '\n')
		return 1;
	if (len >= 2 && buf[0] == '\r' && buf[1] == '\n')
		return 2;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		const char *next = nl + 1;

		if (next < end && *next == '\n')
			return (size_t)(next + 1 - buf);
		if (next + 1 < end && next[0] == '\r' && next[1] == '\n')
			return (size_t)(next + 2 - buf);
		p = next;
	}
	*complete = false;
	return len;
}

/* End of the line starting at p (at its '\n', or at end). */
static const char *
line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

bool
msgid_header_field(const char *hdr, size_t len, const char *name, size_t *pos,
		   const char **value, size_t *vlen)
{
	const size_t nlen = strlen(name);
	const char *end = hdr + len;
	const char *p = hdr + *pos;

	/* An mbox "From " line at the top of an exported .eml is not a
	 * field; it is skipped like any other line without a colon. */
	while (p < end) {
		const char *eol = line_end(p, end);
		const char *q;

		if (p == eol || (eol - p == 1 && *p == '\r'))
			break;		/* the empty line: end of the header */
		/* name is lower case: a cheap look at the first letter
		 * passes most lines over. */
		if (is_wsp(*p) || (*p | 0x20) != name[0] || (size_t)(eol - p) <= nlen ||
		    strncasecmp(p, name, nlen) != 0) {
			p = eol < end ? eol + 1 : end;
			continue;
		}
		q = p + nlen;
		while (q < eol && is_wsp(*q))
			q++;
		if (q == eol || *q != ':') {
			p = eol < end ? eol + 1 : end;
			continue;
		}
		q++;
		/* The value runs over the continuation lines that follow. */
		while (eol < end && eol + 1 < end && is_wsp(eol[1]))
			eol = line_end(eol + 1, end);
		*value = q;
		*vlen = (size_t)(eol - q);
		*pos = (size_t)((eol < end ? eol + 1 : end) - hdr);
		return true;
	}
	*pos = len;
	return false;
}

bool
msgid_next_field(const char *hdr, size_t len, size_t *pos,
		 const char **value, size_t *vlen)
{
	return msgid_header_field(hdr, len, "message-id", pos, value, vlen);
}

char *
msgid_strip(const char *value, size_t len)
{
	const char *p = value, *end = value + len;
	int depth = 0;
	bool quoted = false;
	/* What is kept is never longer than the value: this runs for every
	 * Message-ID field of a store, so no buffer that grows. */
	char *s = xmalloc(len + 1), *o = s, *open, *close;
	size_t n;

	/* Pass 1: drop folding, comments and white space outside quotes. */
	for (; p < end; p++) {
		char c = *p;

		if (c == '\r' || c == '\n')
			continue;
		if (depth > 0) {
			if (c == '\\' && p + 1 < end)
				p++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			continue;
		}
		if (quoted) {
			if (c == '\\' && p + 1 < end) {
				*o++ = c;
				c = *++p;
			} else if (c == '"') {
				quoted = false;
			}
			*o++ = c;
			continue;
		}
		if (c == '(') {
			depth = 1;
		} else if (c == '"') {
			quoted = true;
			*o++ = c;
		} else if (!is_wsp(c) && c != '\0') {
			*o++ = c;
		}
	}
	n = (size_t)(o - s);
	*o = '\0';

	/* Pass 2: the id between the brackets, when there are brackets; a
	 * '>' inside a quoted local part does not close them. */
	open = memchr(s, '<', n);
	if (open) {
		quoted = false;
		for (close = open + 1; close < s + n; close++) {
			if (*close == '\\' && quoted && close + 1 < s + n)
				close++;
			else if (*close == '"')
				quoted = !quoted;
			else if (*close == '>' && !quoted)
				break;
		}
		n = (size_t)(close - open - 1);
		memmove(s, open + 1, n);
		s[n] = '\0';
	}
	if (n == 0) {
		free(s);
		return NULL;
	}
	return s;
}

char *
msgid_normalize(const char *value, size_t len)
{
	char *s = msgid_strip(value, len), *at;

	if (s == NULL)
		return NULL;
	at = strrchr(s, '@');
	for (; at && *at; at++)
		if (*at >= 'A' && *at <= 'Z')
			*at = (char)(*at - 'A' + 'a');
	return s;
}

/* A cursor over a field value for msgid_form. */
struct mcur {
	const char *p, *end;
};

/* atext (RFC 5322 3.2.3), and any byte of a UTF-8 sequence (RFC 6532). */
static bool
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL) || c >= 0x80;
}

/* dtext (RFC 5322 3.4.1): printable US-ASCII but "[", "]" and "\\". */
static bool
is_dtext(unsigned char c)
{
	return (c >= 33 && c <= 90) || (c >= 94 && c <= 126) || c >= 0x80;
}

static bool
is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip CFWS (comments nest, quoted-pairs inside them); false for a
 * comment never closed.  *seen says whether there was any. */
static bool
skip_cfws(struct mcur *c, bool *seen)
{
	int depth = 0;

	for (; c->p < c->end; c->p++) {
		char ch = *c->p;

		if (depth > 0) {
			if (ch == '\\' && c->p + 1 < c->end)
				c->p++;
			else if (ch == '(')
				depth++;
			else if (ch == ')')
				depth--;
			else if (ch == '\0')
				return false;
		} else if (ch == '(') {
			depth = 1;
		} else if (!is_fws(ch)) {
			break;
		}
		*seen = true;
	}
	return depth == 0;
}

/* 1*atext */
static bool
skip_atext(struct mcur *c)
{
	const char *start = c->p;

	while (c->p < c->end && is_atext((unsigned char)*c->p))
		c->p++;
	return c->p > start;
}

/* dot-atom-text = 1*atext *("." 1*atext), no white space */
static bool
skip_dot_atom_text(struct mcur *c)
{
	if (!skip_atext(c))
		return false;
	while (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!skip_atext(c))
			return false;
	}
	return true;
}

/* quoted-string without its CFWS: DQUOTE *([FWS] qcontent) [FWS] DQUOTE */
static bool
skip_quoted(struct mcur *c)
{
	if (c->p >= c->end || *c->p != '"')
		return false;
	for (c->p++; c->p < c->end; c->p++) {
		if (*c->p == '\\' && c->p + 1 < c->end)
			c->p++;
		else if (*c->p == '"')
			return c->p++, true;
		else if (*c->p == '\0')
			return false;
	}
	return false;
}

/* "[" *([FWS] dtext / quoted-pair) [FWS] "]"; 'fws' allows the white
 * space (domain-literal) or not (no-fold-literal). */
static bool
skip_literal(struct mcur *c, bool fws, bool *obs)
{
	if (c->p >= c->end || *c->p != '[')
		return false;
	for (c->p++; c->p < c->end; c->p++) {
		unsigned char ch = (unsigned char)*c->p;

		if (ch == ']')
			return c->p++, true;
		if (ch == '\\' && c->p + 1 < c->end) {
			*obs = true;	/* obs-dtext */
			c->p++;
		} else if (is_fws((char)ch)) {
			if (!fws)
				return false;
		} else if (!is_dtext(ch)) {
			return false;
		}
	}
	return false;
}

/* obs-local-part = word *("." word), word = [CFWS] (1*atext /
 * quoted-string) [CFWS]; or obs-domain = atom *("." atom) when
 * !quoted_ok.  Dot-atom with CFWS around it is a case of both. */
static bool
skip_obs_words(struct mcur *c, bool quoted_ok, bool *cfws)
{
	for (;;) {
		if (!skip_cfws(c, cfws))
			return false;
		if (!(quoted_ok && skip_quoted(c)) && !skip_atext(c))
			return false;
		if (!skip_cfws(c, cfws))
			return false;
		if (c->p >= c->end || *c->p != '.')
			return true;
		c->p++;
	}
}

enum msgid_form
msgid_form(const char *value, size_t len)
{
	struct mcur c = { value, value + len };
	const char *lt;
	bool seen = false, obs = false;

	if (!skip_cfws(&c, &seen) || c.p >= c.end || *c.p != '<')
		return MSGID_FORM_MALFORMED;
	lt = ++c.p;
	/* The strict form first: no white space or comment between the
	 * brackets. */
	if (skip_dot_atom_text(&c) && c.p < c.end && *c.p == '@') {
		c.p++;
		if ((skip_dot_atom_text(&c) || skip_literal(&c, false, &obs)) && !obs &&
		    c.p < c.end && *c.p == '>')
			goto close;
	}
	/* Then section 4's: obs-id-left = local-part, obs-id-right = domain. */
	c.p = lt;
	obs = true;
	if (!skip_obs_words(&c, true, &seen) || c.p >= c.end || *c.p != '@')
		return MSGID_FORM_MALFORMED;
	c.p++;
	if (!skip_cfws(&c, &seen))
		return MSGID_FORM_MALFORMED;
	if (c.p < c.end && *c.p == '[') {
		if (!skip_literal(&c, true, &obs) || !skip_cfws(&c, &seen))
			return MSGID_FORM_MALFORMED;
	} else if (!skip_obs_words(&c, false, &seen)) {
		return MSGID_FORM_MALFORMED;
	}
	if (c.p >= c.end || *c.p != '>')
		return MSGID_FORM_MALFORMED;
close:
	c.p++;
	if (!skip_cfws(&c, &seen) || c.p != c.end)
		return MSGID_FORM_MALFORMED;
	return obs ? MSGID_FORM_OBSOLETE : MSGID_FORM_STRICT;
}
