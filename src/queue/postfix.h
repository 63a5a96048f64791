/* postfix.h - Postfix's state through its own tools: postqueue -j (the
 * queues), postfix status (the master), postconf (what holds delivery
 * back), postcat -q (a queued message) */
#ifndef FPKIT_POSTFIX_H
#define FPKIT_POSTFIX_H

#include <stddef.h>

struct error;
struct queue_msg;
struct queue_state;
struct toolrun_options;

/* The queues Postfix has, in order; hold is the one whose messages are
 * not sent. */
void postfix_queues(struct queue_state *q);

/* Add the messages of 'postqueue -j' output (one JSON object a line:
 * queue_name, queue_id, arrival_time, message_size, sender, recipients
 * with address and delay_reason).  EX_DATAERR naming the line when one
 * is not such an object. */
int postfix_parse_queue(struct queue_state *q, const char *text, size_t len,
			struct error *err);

/* Whether Postfix can send, from q->running and the output of
 * 'postconf -h defer_transports default_transport
 * master_service_disable' (three lines): sets q->can_send and q->why. */
void postfix_judge(struct queue_state *q, const char *postconf_out);

/* Read Postfix's state into q: config_dir is given to each tool as -c
 * (NULL: the default, or MAIL_CONFIG from the environment).  Errors
 * quote the tool (EX_CONFIG when postconf cannot read the
 * configuration, EX_UNAVAILABLE when the queue cannot be listed). */
int postfix_read(const struct toolrun_options *o, const char *config_dir,
		 struct queue_state *q, struct error *err);

/* m as 'postcat -q ID' prints it (envelope, header and body), into
 * m->shown. */
int postfix_show(const struct toolrun_options *o, const char *config_dir,
		 struct queue_msg *m, struct error *err);

/* The name Postfix's SMTP client gives in HELO/EHLO: 'postconf -x -h
 * smtp_helo_name' (by default $myhostname), into *helo (new).
 * EX_CONFIG when postconf cannot read the configuration. */
int postfix_helo(const struct toolrun_options *o, const char *config_dir, char **helo,
		 struct error *err);

#endif
