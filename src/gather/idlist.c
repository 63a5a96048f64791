/* idlist.c - a file of Message-IDs written for fpkit (find --msgid-file)
 *
 * Such a file is made by hand or by a script from the alert.  The wrong
 * file given by mistake (the stats JSON, the alert e-mail, a mailbox)
 * would otherwise be taken line by line as ids that are never found: so
 * a line is taken only when it reads as one Message-ID, and the first
 * that does not stops the command, saying why. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "fpkit_limits.h"
#include "idlist.h"
#include "msgid.h"
#include "strbuf.h"
#include "targets.h"
#include "textsafe.h"
#include "xalloc.h"

/* How much of a bad line the message shows. */
#define SHOWN_BYTES 40

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* s[0..n) put between brackets is a Message-ID of RFC 5322, strict or
 * obsolete. */
static bool
valid_in_brackets(const char *s, size_t n)
{
	char *b = xmalloc(n + 3);
	enum msgid_form f;

	b[0] = '<';
	memcpy(b + 1, s, n);
	b[n + 1] = '>';
	b[n + 2] = '\0';
	f = msgid_form(b, n + 2);
	free(b);
	return f != MSGID_FORM_MALFORMED;
}

/* One word as malformed ids are written (VIOLATIONS.md): no white space,
 * and none of the specials of RFC 5322 but '@', '.', '[' and ']', which
 * ids hold; the control characters were refused before. */
static bool
loose_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_blank(s[i]) || (s[i] && strchr("\"(),:;<>\\", s[i])))
			return false;
	return n > 0;
}

/* A line that starts as a header field does: a field name (printable
 * ASCII but ':'), a colon, then white space or nothing. */
static bool
header_like(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] > ' ' && s[i] < 0x7f && s[i] != ':')
		i++;
	return i > 0 && i < n && s[i] == ':' && (i + 1 == n || is_blank(s[i + 1]));
}

/* JSON's punctuation at the start of a line (an array or an object
 * opened or closed, a string), or at its end (more to follow, or an
 * array or an object opened): 'end' says which end is looked at. */
static bool
json_like(const char *s, size_t n, bool end)
{
	return end ? strchr(",:{[", s[n - 1]) != NULL : strchr("{}[]\"", s[0]) != NULL;
}

static const char *
judge_line(const char *line, size_t len, int *skip)
{
	const char *s = line;
	size_t n = len;

	*skip = 0;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	while (n > 0 && is_blank(*s))
		s++, n--;
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (n == 0 || *s == '#') {
		*skip = 1;
		return NULL;
	}
	if (memchr(s, '\0', n))
		return "a NUL byte: is it a binary file?";
	for (size_t i = 0; i < n; i++)
		if (is_control((unsigned char)s[i]))
			return "a control character";
	if (*s == '<') {
		const char *close;

		if (msgid_form(s, n) != MSGID_FORM_MALFORMED)
			return NULL;
		close = memchr(s, '>', n);
		if (close == NULL)
			return "a '<' without its '>'";
		if (close == s + 1)
			return "nothing between '<' and '>'";
		if (close != s + n - 1)
			return "text after the '>': one Message-ID a line";
		if (loose_word(s + 1, n - 2))
			return NULL;
		return "white space or a character such as , ; : \" ( ) that no Message-ID holds";
	}
	if (!memchr(s, ' ', n) && !memchr(s, '\t', n) && valid_in_brackets(s, n))
		return NULL;
	if (json_like(s, n, false))
		return "JSON punctuation: is it a JSON document?";
	if (n > 5 && memcmp(s, "From ", 5) == 0)
		return "an mbox 'From ' line: is it a mailbox? give a mail store as a PATH";
	if (header_like(s, n))
		return "a header field: is it an e-mail? 'fpkit alert FILE' lists the "
		       "Message-IDs of an alert";
	if (json_like(s, n, true))
		return "JSON punctuation: is it a JSON document?";
	if (memchr(s, ' ', n) || memchr(s, '\t', n))
		return "white space outside <>";
	if (!memchr(s, '@', n))
		return "no '@': an id without one goes between '<' and '>'";
	if (loose_word(s, n))
		return NULL;
	return "a character such as , ; : \" ( ) that no Message-ID holds";
}

/* A line taken as an id must leave something once canonical (targets.c
 * strips comments and brackets as a Message-ID field is read): a domain
 * literal holding "(" or "<", which RFC 5322 allows, does not. */
const char *
idlist_judge(const char *line, size_t len, int *skip)
{
	const char *why = judge_line(line, len, skip);
	char *canon;

	if (why || *skip)
		return why;
	canon = msgid_normalize(line, len);
	if (canon == NULL)
		return "nothing is left of it once its comments and brackets are taken out";
	free(canon);
	return NULL;
}

/* The start of a bad line, cut on a character's boundary, and visible
 * (new string). */
static char *
line_start(const char *s, size_t n)
{
	bool cut = n > SHOWN_BYTES;
	char *v, *out;

	if (cut) {
		n = SHOWN_BYTES;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	v = textsafe_visible(s, n);
	out = xasprintf("%s%s", v, cut ? "..." : "");
	free(v);
	return out;
}

int
idlist_read(struct targets *t, const char *path, struct error *err)
{
	const bool in = strcmp(path, "-") == 0;
	struct strbuf sb;
	const char *p, *end;
	size_t lineno = 1;
	int rc = -1;

	strbuf_init(&sb, FPKIT_LIMIT_MSGID_FILE);
	if (strbuf_read_file(&sb, in ? "/dev/stdin" : path, "a --msgid-file", err) < 0)
		goto out;
	for (p = sb.buf, end = sb.buf + sb.len; p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *why;
		int skip;

		why = idlist_judge(p, (size_t)(e - p), &skip);
		if (why) {
			/* The line as a reader of the file sees it: no CR. */
			size_t n = (size_t)(e - p) - (e > p && e[-1] == '\r');
			char *shown = line_start(p, n);

			error_set(err, EX_DATAERR, "%s%s%s line %zu: '%s' is not a Message-ID (%s): "
				  "the file must hold one Message-ID a line, with or without <>, "
				  "and may hold blank lines and # comments", in ? "" : "'",
				  in ? "standard input" : path, in ? "" : "'", lineno, shown, why);
			free(shown);
			goto out;
		}
		if (!skip) {
			char *id = xstrndup(p, (size_t)(e - p));

			/* Judged an id: something is left once canonical. */
			if (targets_add(t, id, NULL) < 0) {
				error_set(err, EX_SOFTWARE, "line %zu: an id judged valid is empty",
					  lineno);
				free(id);
				goto out;
			}
			free(id);
		}
		p = e + 1;
	}
	rc = 0;
out:
	strbuf_release(&sb);
	return rc;
}
