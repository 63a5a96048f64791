/* sendmail.h - Sendmail's state through its own tool: mailq (sendmail
 * -bp), for each queue folder its messages, their reason and
 * recipients */
#ifndef FPKIT_SENDMAIL_H
#define FPKIT_SENDMAIL_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct queue_state;
struct toolrun_options;

/* Add the messages of 'mailq' output.  Its times have no year and are
 * in local time: the year is now's, or the one before for a time more
 * than a day ahead of now.  EX_DATAERR naming the line when a message
 * line cannot be read. */
int sendmail_parse_queue(struct queue_state *q, const char *text, size_t len, int64_t now,
			 struct error *err);

/* Read Sendmail's state into q. */
int sendmail_read(const struct toolrun_options *o, struct queue_state *q, struct error *err);

#endif
