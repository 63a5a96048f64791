/* queuefiles.h - queue/ in the bundle (pack --queue): the local mail
 * system's state as fpkit queue prints it, and the waiting messages to
 * the flagged destinations as the MTA's own tool prints them */
#ifndef FPKIT_QUEUEFILES_H
#define FPKIT_QUEUEFILES_H

struct bundle;
struct queue_dest;
struct queue_state;

/* Add queue/queue.json (as 'fpkit queue --json' prints it),
 * queue/queue.txt (as 'fpkit queue' prints it) and, for each matched
 * message the MTA printed (m->shown), queue/messages/<queue id>.txt. */
void queuefiles_add(struct bundle *b, const struct queue_state *q, const struct queue_dest *d);

#endif
