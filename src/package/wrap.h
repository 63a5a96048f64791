/* wrap.h - the ticket's text laid out for people: lines of at most 72
 * columns with hanging indents, one blank line between parts */
#ifndef FPKIT_WRAP_H
#define FPKIT_WRAP_H

#include <stddef.h>

/* The width of a ticket's lines, in characters: what a mail client and a
 * support form show without folding (RFC 5322 recommends 78). */
#define WRAP_WIDTH 72

/* Lay out text[0..len) (a rendered ticket) into a new NUL-terminated
 * string (*out_len bytes, free() it):
 *  - blanks at the end of a line are removed; a run of blank lines
 *    becomes one, and there is none at the start or the end; the text
 *    ends with one newline (an empty text stays empty);
 *  - a line wider than 'width' characters (UTF-8 code points) is broken
 *    at spaces into lines of at most 'width', each further line indented
 *    as the first line's text starts: after its leading spaces; after a
 *    bullet ("- ", "* ") or a check box ("[ ] ", "[x] "); or, for a
 *    "Label:  value" line (a colon, then two spaces or more), under the
 *    value.  A word wider than what is left stays whole on its own line
 *    (a long Message-ID, a file name).  A word that is only closing
 *    punctuation (":", ";", "!", "?", the French spaced ones), a time of
 *    day ("13:32:07") and "UTC" stay with the word before them, "«" and
 *    "RFC" with the word after.  A line whose indent passes half the width is
 *    left as it is.
 * Never fails: the output is at most about twice the input. */
char *wrap_text(const char *text, size_t len, size_t width, size_t *out_len);

#endif
