/* queue.h - the local mail system's state as its own tools show it:
 * is it running, can it send, what waits in which queue and for whom.
 * The one model each MTA's reader fills (postfix.c, exim.c, sendmail.c,
 * opensmtpd.c, qmail.c), and what is said of it: JSON, text, and the
 * facts the acts rely on (queue_facts). */
#ifndef FPKIT_QUEUE_H
#define FPKIT_QUEUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;

/* Yes, no, or not known from what the tools showed. */
enum queue_tri { QUEUE_UNKNOWN = -1, QUEUE_NO = 0, QUEUE_YES = 1 };

struct queue_rcpt {
	char *address;		/* as the MTA shows it, without <> */
	char *reason;		/* why it waits, in the MTA's words, or NULL */
	bool done;		/* delivered already: the message waits for others */
};

/* Why a waiting message goes to a flagged destination (queue_match). */
#define QUEUE_MATCH_IP		1u	/* a delay reason names a flagged IP */
#define QUEUE_MATCH_DOMAIN	2u	/* a recipient in a flagged domain */
#define QUEUE_MATCH_QUEUE_ID	4u	/* a flagged message's own queue id */

struct queue_msg {
	char *id;		/* the MTA's queue id */
	size_t queue;		/* index in queue_state.queues */
	int64_t arrival;	/* epoch seconds, or -1 when not shown */
	int64_t size;		/* bytes, or -1 when not shown */
	char *sender;		/* "" for the null sender, NULL when not shown */
	struct queue_rcpt *rcpts;
	size_t nr_rcpts, alloc_rcpts;
	size_t more_rcpts;	/* past FPKIT_LIMIT_QUEUE_RCPTS: counted only */
	unsigned match;		/* QUEUE_MATCH_* (queue_match) */
	char *shown;		/* with pack --queue-messages: the message as the
				 * MTA's tool prints it, or NULL */
	size_t shown_len;
};

struct queue_count {
	char *name;		/* the MTA's name for the queue */
	bool parked;		/* nothing here is sent (Postfix hold, Exim frozen) */
	uint64_t count;
};

struct queue_state {
	const char *mta;	/* static: "postfix", "exim", ... */
	enum queue_tri running;	/* the MTA's daemon */
	enum queue_tri can_send;	/* would mail leave now */
	char *why;		/* one line: why can_send is what it is */
	bool arrival_approx;	/* arrivals from an age (Exim): to the minute
				 * or coarser */
	int64_t seen_at;	/* when the tools were run (epoch) */
	struct queue_count *queues;	/* in the MTA's order */
	size_t nr_queues, alloc_queues;
	struct queue_msg *msgs;	/* the messages listed */
	size_t nr_msgs, alloc_msgs;
	uint64_t total;		/* every message, listed or only counted */
	uint64_t unlisted;	/* counted but not listed (limits, counts-only tools) */
	char **commands;	/* the command lines run, in order */
	size_t nr_commands, alloc_commands;
	struct diag *diag;	/* warnings (borrowed) */
};

void queue_init(struct queue_state *q, struct diag *diag);
void queue_release(struct queue_state *q);

/* The queue 'name' (made once; parked says nothing in it is sent): its
 * index. */
size_t queue_add_queue(struct queue_state *q, const char *name, bool parked);

/* A message in queue 'queue' (an index): the new entry to fill (borrowed,
 * valid until the next add), or NULL past FPKIT_LIMIT_QUEUE_MESSAGES,
 * where it is counted only.  Either way it counts in the totals. */
struct queue_msg *queue_add_msg(struct queue_state *q, const char *id, size_t queue);

/* n messages of queue 'queue' that the tool counted without listing. */
void queue_add_counted(struct queue_state *q, size_t queue, uint64_t n);

/* A recipient of m (reason may be NULL); past FPKIT_LIMIT_QUEUE_RCPTS
 * only counted. */
void queue_msg_add_rcpt(struct queue_msg *m, const char *address, const char *reason,
			bool done);

/* Record a command line run (steals cmd). */
void queue_add_command(struct queue_state *q, char *cmd);

/* The next line of a tool's output, NUL-terminated, without its '\n'
 * or a '\r' before it (new, free() it); *p advances.  NULL at the end. */
char *queue_next_line(const char **p, const char *end);

/* Set why can_send is what it is (printf-like; replaces). */
void queue_set_why(struct queue_state *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The flagged destinations a waiting message is matched against: the
 * destination IPs of the block's targets, the recipient domains the
 * flagged messages went to (from the mail logs), and their queue ids
 * where the logs show them still waiting.  Strings are owned. */
struct queue_dest {
	bool given;		/* the case was given: match at all */
	char **ips;
	size_t nr_ips, alloc_ips;
	char **domains;		/* lowercase */
	size_t nr_domains, alloc_domains;
	char **queue_ids;
	size_t nr_queue_ids, alloc_queue_ids;
};

void queue_dest_init(struct queue_dest *d);
void queue_dest_release(struct queue_dest *d);
/* Each adds once; a domain is lowercased, an empty string ignored. */
void queue_dest_add_ip(struct queue_dest *d, const char *ip);
void queue_dest_add_domain(struct queue_dest *d, const char *domain);
void queue_dest_add_queue_id(struct queue_dest *d, const char *id);

/* Does text name ip as a word of its own ("host[198.51.100.2]:25" does,
 * "198.51.100.23" does not name 198.51.100.2)? */
bool queue_names_ip(const char *text, const char *ip);

/* Mark each waiting message that goes to a flagged destination
 * (QUEUE_MATCH_*): a recipient's delay reason names one of the IPs (as
 * a word of its own, e.g. "mx.example.net[198.51.100.23]"), a recipient
 * not yet delivered is in one of the domains, or the message's queue id
 * is one of the flagged messages'.  Returns how many match. */
size_t queue_match(struct queue_state *q, const struct queue_dest *d);

/* The state as one JSON object (new): mta, running, can_send, why,
 * seen_at, total, queues, oldest, by_sender, by_recipient_domain,
 * to_targets, and more (fpkit-queue(1) lists them).  d may be NULL. */
json_t *queue_to_json(const struct queue_state *q, const struct queue_dest *d);

/* The same for a person, in English (new, NUL-terminated; its length in
 * *len when len is not NULL).  Outside text is made visible
 * (textsafe_visible). */
char *queue_render_text(const struct queue_state *q, const struct queue_dest *d, size_t *len);

/* What the acts need to know, in a few facts: the unblock's guard rail
 * (nothing may leave) and the ticket's checklist ("sending stopped",
 * "queue checked"), each with what was seen and when. */
struct queue_facts {
	int64_t seen_at;	/* epoch, UTC */
	const char *mta;	/* borrowed, static */
	enum queue_tri running;
	enum queue_tri can_send;
	uint64_t total;		/* every message waiting, held ones too */
	uint64_t could_leave;	/* those in a queue that is not parked */
	const char *why;	/* borrowed from the state: why can_send is so */
};

void queue_facts(const struct queue_state *q, struct queue_facts *f);

/* Why mail could still leave, in one line (new), or NULL when sending
 * is stopped (can_send no) and no message could leave: what an unblock
 * must not go past, and what keeps "sending stopped" unticked. */
char *queue_facts_refusal(const struct queue_facts *f);

/* One line of what was seen and when, for a ticket (new):
 * "postfix at 2026-11-20T14:02:11Z: sending stopped (...); 0 of 2
 * messages could leave (hold 2)". */
char *queue_facts_describe(const struct queue_facts *f, const struct queue_state *q);

#endif
