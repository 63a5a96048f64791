/* html2text.h - HTML made into the plain lines a text scanner reads:
 * what an alert's text/html part says, without its markup */
#ifndef FPKIT_HTML2TEXT_H
#define FPKIT_HTML2TEXT_H

#include <stddef.h>

/* HTML to plain text (new string, free() it; its length in *outlen):
 * tags dropped (script, style, head, template and title with their
 * content), entities decoded to UTF-8, block elements and <br> end
 * lines, table cells are separated by tabs and each table row is a
 * line; an "<id@host>" written raw is kept as text.  Time linear in
 * len; never fails. */
char *html2text_convert(const char *html, size_t len, size_t *outlen);

#endif
