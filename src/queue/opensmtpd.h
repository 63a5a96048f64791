/* opensmtpd.h - OpenSMTPD's state through its own tool: smtpctl show
 * status (is the MTA paused) and smtpctl show queue (one line per
 * envelope, that is per recipient) */
#ifndef FPKIT_OPENSMTPD_H
#define FPKIT_OPENSMTPD_H

#include <stddef.h>

struct error;
struct queue_state;
struct toolrun_options;

/* Set q->running and q->can_send from 'smtpctl show status' output
 * ("MDA running", "MTA paused", "SMTP running"); -1 when it names no
 * MTA state. */
int opensmtpd_parse_status(struct queue_state *q, const char *text);

/* Add the messages of 'smtpctl show queue' output: envelopes grouped
 * into messages by their message id (the envelope id's first 8 hex
 * digits).  EX_DATAERR naming the line when one has too few fields. */
int opensmtpd_parse_queue(struct queue_state *q, const char *text, size_t len,
			  struct error *err);

/* Read OpenSMTPD's state into q. */
int opensmtpd_read(const struct toolrun_options *o, struct queue_state *q, struct error *err);

#endif
