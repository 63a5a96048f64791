/* textsafe.h - outside text made safe to show and to use in a file name */
#ifndef FPKIT_TEXTSAFE_H
#define FPKIT_TEXTSAFE_H

#include <stddef.h>

/* A new string (free() it) where every control byte of s[0..len) and
 * every byte that is not part of valid UTF-8 is shown as \xHH (tab as
 * \t, newline as \n), so header text from strangers cannot move a
 * terminal's cursor or forge lines in a report (mblaze safe_u8putstr). */
char *textsafe_visible(const char *s, size_t len);

/* A new string usable as one path component inside the bundle, derived
 * from a Message-ID: only [A-Za-z0-9@._+=-] are kept, every other byte
 * becomes '_', a leading '.' becomes '_' and the result is cut to 'max'
 * bytes (at least 1).  Never empty, never contains '/', never "." or "..". */
char *textsafe_filename(const char *s, size_t max);

#endif
