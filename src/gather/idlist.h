/* idlist.h - a file of Message-IDs written for fpkit (find --msgid-file):
 * one id a line, told apart from a file that is something else (a JSON
 * document, an e-mail, prose), which is refused at its first bad line */
#ifndef FPKIT_IDLIST_H
#define FPKIT_IDLIST_H

#include <stddef.h>

struct error;
struct targets;

/* What one line of such a file is: the line without its '\n' (a CR at
 * its end is dropped).  Returns NULL for a line that holds one
 * Message-ID, and sets *skip for a line with nothing to take (blank, or
 * a comment: '#' after any blanks); otherwise why the line is not a
 * Message-ID (a static string).  A line is one Message-ID when, blanks
 * around it left out:
 *  - in <>, it is an id in the strict or the obsolete form of RFC 5322
 *    (msgid_form), comments and white space included; or what stands
 *    between '<' and '>' is one word: no white space, no control
 *    character, none of "(),:;<>\ (a malformed id as some mailers write
 *    them, '@' not required);
 *  - without <>, it is such an id once put in <>, without white space;
 *    or one such word that holds an '@'. */
const char *idlist_judge(const char *line, size_t len, int *skip);

/* Add each id of the file 'path' ('-': standard input) to t, in the
 * order of the file.  Errors (-1): the file cannot be read (EX_NOINPUT,
 * EX_IOERR) or is larger than FPKIT_LIMIT_MSGID_FILE (EX_DATAERR); a
 * line that idlist_judge refuses (EX_DATAERR: the message names the
 * file, the line's number and its start, made visible, why it is no
 * Message-ID and what the file should hold).  Ids of the lines before a
 * bad one are left in t. */
int idlist_read(struct targets *t, const char *path, struct error *err);

#endif
