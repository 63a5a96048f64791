/* volume.h - the sending volume in the 24 hours before the block, from
 * the mail logs: how many messages the MTA handed (or tried to hand) to
 * remote SMTP servers, hour by hour, and what became of their
 * recipients */
#ifndef FPKIT_VOLUME_H
#define FPKIT_VOLUME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct volume_queue;
struct _GHashTable;

/* The window is this many one-hour slots, the last ending at the block. */
#define VOLUME_HOURS 24

/* One hour's counts: messages by the hour of their first remote attempt
 * in the window, recipients (and those deferred or bounced) by the hour
 * of theirs. */
struct volume_hour {
	uint64_t messages;
	uint64_t recipients;
	uint64_t deferred;
	uint64_t bounced;
};

struct volume {
	bool started;		/* volume_start was called: logs are read */
	int64_t from, to;	/* the window: [to - 24 h, to) */
	char *host;		/* --log-host, or NULL: every host */
	struct diag *diag;
	struct volume_hour hours[VOLUME_HOURS];
	/* totals, made by volume_finish from hours[] */
	uint64_t messages, recipients, delivered, deferred, bounced;
	/* the queues with a recipient tried in the window and not ended:
	 * "host qid" -> struct volume_queue, least recently seen first in
	 * lru; open_rcpts recipients in them */
	struct _GHashTable *queues;
	struct volume_queue *lru_head, *lru_tail;
	struct volume_queue *spare;	/* done with, to be used again */
	size_t open_rcpts;
	bool forgot;		/* FPKIT_LIMIT_LOG_VOLUME_OPEN was reached */
	/* hashes of the recipients' domains */
	struct _GHashTable *domains;
	bool domains_full;	/* FPKIT_LIMIT_LOG_VOLUME_DOMAINS was reached */
	/* the hosts whose lines were counted (syslog's host field) */
	char **hosts;
	size_t nr_hosts;
	bool more_hosts;	/* past FPKIT_LIMIT_LOG_VOLUME_HOSTS */
	bool host_seen;		/* a line of --log-host was read */
	/* the times the logs cover: the first and last line of each file */
	bool has_span;
	int64_t first, last;
	size_t file;		/* the file being read */
	bool in_file, file_timed;
	char last_stamp[64];	/* the last stamp of that file, to be timed */
	size_t last_stamp_len;
	int last_kind;		/* its enum logline_stamp */
	/* classic stamps: the last minute timed ("Mmm dd hh:mm") */
	char minute[12];
	int64_t minute_time;
	bool has_minute;
};

/* Zero v: no logs, no volume (volume_json gives null). */
void volume_init(struct volume *v);

/* Count the window [block - 24 h, block) from the lines volume_feed will
 * be given; only the lines of host 'host' (when not NULL; copied) that
 * name one, so that logs of several machines mixed by a central syslog
 * can be told apart.  Warnings go to diag. */
void volume_start(struct volume *v, int64_t block, const char *host, struct diag *diag);

/* One line of the logs, in order, from file number 'file' (the files
 * read one after the other).  A maillog_watch callback: arg is the
 * struct volume. */
void volume_feed(void *arg, size_t file, const char *line, size_t len);

/* After the last line: the totals, and warnings about what the logs do
 * not cover or count. */
void volume_finish(struct volume *v);

/* True when the logs hold lines from before the window's start and
 * from its end on. */
bool volume_complete(const struct volume *v);

/* summary.json's "volume" (new): null when not started. */
json_t *volume_json(const struct volume *v);

/* One line for people (new, free() it): how many messages went out in
 * the window and in its last hour; NULL when not started. */
char *volume_describe(const struct volume *v);

void volume_release(struct volume *v);

#endif
