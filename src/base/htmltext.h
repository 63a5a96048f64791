/* htmltext.h - outside text as HTML text */
#ifndef FPKIT_HTMLTEXT_H
#define FPKIT_HTMLTEXT_H

#include <stddef.h>

struct strbuf;

/* Append s[0..len) to sb as HTML text that is safe both as an element's
 * content and inside a quoted attribute value: first made visible as
 * textsafe_visible does (control bytes, bytes that are not UTF-8, bidi
 * overrides and invisible characters shown as \xHH or <U+XXXX>, so that
 * a Subject cannot reorder the page around it), then & < > " ' written
 * as character references.  The result is plain text in any HTML
 * context but <script> and <style>, which fpkit's pages never have.
 * Returns strbuf_add's status. */
int htmltext_add(struct strbuf *sb, const char *s, size_t len);

/* htmltext_add of each line of s[0..len), the newlines kept (for a
 * <pre>: a text of several lines, such as the ticket). */
int htmltext_add_lines(struct strbuf *sb, const char *s, size_t len);

/* htmltext_add of a C string; NULL adds nothing. */
int htmltext_addstr(struct strbuf *sb, const char *s);

#endif
