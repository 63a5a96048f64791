/* htmltext.c - outside text as HTML text */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "htmltext.h"
#include "strbuf.h"
#include "textsafe.h"

int
htmltext_add(struct strbuf *sb, const char *s, size_t len)
{
	char *shown = textsafe_visible(s, len);
	int rc = 0;

	for (const char *p = shown; *p && rc == 0; p++) {
		switch (*p) {
		case '&':
			rc = strbuf_addstr(sb, "&amp;");
			break;
		case '<':
			rc = strbuf_addstr(sb, "&lt;");
			break;
		case '>':
			rc = strbuf_addstr(sb, "&gt;");
			break;
		case '"':
			rc = strbuf_addstr(sb, "&quot;");
			break;
		case '\'':
			rc = strbuf_addstr(sb, "&#39;");
			break;
		default:
			rc = strbuf_addch(sb, *p);
			break;
		}
	}
	free(shown);
	return rc;
}

int
htmltext_add_lines(struct strbuf *sb, const char *s, size_t len)
{
	const char *end = s + len, *nl;
	int rc = 0;

	for (; s < end && rc == 0; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			return htmltext_add(sb, s, (size_t)(end - s));
		rc = htmltext_add(sb, s, (size_t)(nl - s));
		if (rc == 0)
			rc = strbuf_addch(sb, '\n');
	}
	return rc;
}

int
htmltext_addstr(struct strbuf *sb, const char *s)
{
	return s ? htmltext_add(sb, s, strlen(s)) : 0;
}
