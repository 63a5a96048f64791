/* qmail.h - qmail's state through its own tools: qmail-qstat (how many
 * messages, how many not yet preprocessed) and qmail-qread (each
 * message: date, number, size, sender, recipients) */
#ifndef FPKIT_QMAIL_H
#define FPKIT_QMAIL_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct queue_state;
struct toolrun_options;

/* The two counts of 'qmail-qstat' output; -1 when it has not both. */
int qmail_parse_stat(const char *text, uint64_t *in_queue, uint64_t *todo);

/* Add the messages of 'qmail-qread' output.  EX_DATAERR naming the line
 * when a message line cannot be read. */
int qmail_parse_queue(struct queue_state *q, const char *text, size_t len,
		      struct error *err);

/* Read qmail's state into q. */
int qmail_read(const struct toolrun_options *o, struct queue_state *q, struct error *err);

#endif
