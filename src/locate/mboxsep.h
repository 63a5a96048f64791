/* mboxsep.h - where the messages of an mbox begin: the "From " lines,
 * found in a window of its bytes */
#ifndef FPKIT_MBOXSEP_H
#define FPKIT_MBOXSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the first "From " line of a would-be mbox starts in buf: white
 * space before it is tolerated (see doc/VIOLATIONS.md).  -1 when buf does
 * not start an mbox. */
ssize_t mboxsep_start(const char *buf, size_t len);

/* The first "\nFrom " in [p, p + len), or NULL: SSE2 16 bytes at a time,
 * AVX2 64 bytes at a time where the processor has it. */
const char *mboxsep_find(const char *p, size_t len);

/* True when the line at p (up to end) is an mbox "From " line ("From
 * SENDER DATE" with an asctime-like time and a year); a line cut by the
 * end of the window is taken as one, to be decided when the window is
 * refilled. */
bool mboxsep_is_from_line(const char *p, const char *end);

#endif
