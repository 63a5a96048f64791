/* mboxsep.h - where the messages of an mbox begin and end: the "From "
 * lines, found in a window of its bytes, and the empty line before each */
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
 * SENDER DATE" with an asctime-like time and a year).  With 'more' (the
 * window may grow past end), a line that end cuts short of its newline
 * is taken as one, to be decided when the window is refilled; without,
 * it is judged as it stands (the last line of the file). */
bool mboxsep_is_from_line(const char *p, const char *end, bool more);

/* The length of the header block at p (len bytes of a message), its
 * empty line included, with *complete set: the same answer as
 * msgid_header_end(), found a vector at a time. */
size_t mboxsep_header_end(const char *p, size_t len, bool *complete);

/* The first line of [p, p + len) that starts at or after 'from' with
 * 'letter' (a lower-case letter; either case matches): its offset, or
 * SIZE_MAX.  Offset 0 counts as a line start. */
size_t mboxsep_line_starting(const char *p, size_t from, size_t len, char letter);

/* How many of a message's last bytes are the empty line its mbox writer
 * put after it, before the next "From " line or the end of the file: 1
 * when its last line is a lone LF, 2 when it is CR LF, else 0.  'end'
 * points just past the message's 'len' bytes, of which at most the last
 * three are read.  'hlen' is the length of its header block, empty line
 * included, as msgid_header_end() finds it (SIZE_MAX when no empty line
 * ends it): that empty line, the message's own, is never the writer's. */
size_t mboxsep_trailer(const char *end, size_t len, size_t hlen);

#endif
