/* textsafe.h - outside text made safe to show and to use in a file name */
#ifndef FPKIT_TEXTSAFE_H
#define FPKIT_TEXTSAFE_H

#include <stddef.h>

/* A new string (free() it) where every control byte of s[0..len) and
 * every byte that is not part of valid UTF-8 is shown as \xHH (tab as
 * \t, newline as \n; a C1 control, U+0080..U+009F, as its two bytes),
 * and every valid character that is invisible or moves the text around
 * it (bidi controls, zero-width characters, U+2028/U+2029, BOM, tags;
 * textsafe.c lists them) as <U+XXXX>; so that header text from strangers
 * cannot move a terminal's cursor, forge lines in a report or make one
 * text look like another (mblaze safe_u8putstr).  The result is
 * printable ASCII and visible UTF-8 only, so escaping it again changes
 * nothing; a "\x1b" or "<U+202E>" already in s is not told apart. */
char *textsafe_visible(const char *s, size_t len);

/* A new string usable as one path component inside the bundle, derived
 * from a Message-ID: only [A-Za-z0-9@._+=-] are kept, every other byte
 * becomes '_', a leading '.' becomes '_' and the result is cut to 'max'
 * bytes (at least 1).  Never empty, never contains '/', never "." or "..". */
char *textsafe_filename(const char *s, size_t max);

#endif
