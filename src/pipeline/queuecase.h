/* queuecase.h - the block's case as fpkit queue matches the waiting
 * messages against it: the flagged destinations */
#ifndef FPKIT_QUEUECASE_H
#define FPKIT_QUEUECASE_H

struct error;
struct fpkit;
struct queue_dest;

/* The flagged destinations of a gathered case (pack_case): the
 * destination IPs the stats and the alert name; from the mail logs
 * (--maillog), the recipient domains of the flagged messages (those of
 * recipients the logs show delivered to a flagged IP, or all of a
 * message's when none is), and the queue ids of the flagged messages
 * the logs do not show done.  No DNS is asked: a domain counts only
 * when the logs tie it to a flagged message. */
void queuecase_destinations(const struct fpkit *fp, struct queue_dest *d);

/* pack --queue: the mail system's state into fp->queue_state, its
 * waiting messages matched against the case (fp->queue_dest), and with
 * --queue-messages, each matched message as the MTA's tool prints it,
 * up to FPKIT_LIMIT_QUEUE_SHOWN (a message the tool cannot print is a
 * warning).  Errors are mta_read's, prefixed "pack: --queue". */
int queuecase_read(struct fpkit *fp, struct error *err);

#endif
