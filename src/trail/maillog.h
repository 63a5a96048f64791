/* maillog.h - the mail-log trail: the lines Postfix, Exim and Sendmail
 * wrote about the targets' messages, found by Message-ID and followed
 * through their queue ids */
#ifndef FPKIT_MAILLOG_H
#define FPKIT_MAILLOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bundle;
struct diag;
struct error;
struct _GHashTable;

enum maillog_mta {
	MAILLOG_NONE,
	MAILLOG_POSTFIX,
	MAILLOG_EXIM,
	MAILLOG_SENDMAIL,
};

/* "postfix", "exim", "sendmail" (or "unknown"): summary.json's words. */
const char *maillog_mta_name(enum maillog_mta mta);

/* A piece of a line (borrowed); p is NULL when the piece is absent. */
struct maillog_span {
	const char *p;
	size_t len;
};

enum maillog_stamp {
	MAILLOG_STAMP_CLASSIC,	/* "Nov 20 14:23:01": no year, no zone */
	MAILLOG_STAMP_ISO,	/* "2026-11-20T14:23:01.123456+01:00" */
	MAILLOG_STAMP_EXIM,	/* Exim's own log: "2026-11-20 14:23:01 [+0100]" */
};

/* One log line cut at its syslog header (every span borrowed from it). */
struct maillog_syslog {
	enum maillog_stamp kind;
	struct maillog_span stamp;	/* the time as written */
	struct maillog_span host;	/* empty for Exim's own log */
	struct maillog_span prog;	/* "postfix/cleanup", "exim", "sm-mta" */
	struct maillog_span msg;	/* after "prog[pid]: " */
};

/* Cut a line (without its newline) into a syslog header and a message:
 * the classic BSD format ("Nov 20 14:23:01 host prog[pid]: msg"), the
 * high-precision format of rsyslog and journalctl
 * ("2026-11-20T14:23:01.123456+01:00 host prog[pid]: msg"), RFC 5424
 * ("<22>1 2026-11-20T14:23:01Z host prog pid - - msg") and Exim's
 * mainlog ("2026-11-20 14:23:01 [+0100] [[pid]] msg").  Returns 0, or -1
 * when the line is in none of them. */
int maillog_parse_syslog(const char *line, size_t len, struct maillog_syslog *out);

/* The time of a parsed line in seconds since the epoch.  A time with a
 * zone is exact; one without (classic syslog, Exim without
 * log_timezone) is local time in the zone of TZ, and a classic one gets
 * the year that puts it nearest to 'near' (the block time), so that
 * "Dec 31" before a block on 1 January is last year's.  0, or -1 when
 * the stamp is not a valid date. */
int maillog_stamp_time(const struct maillog_syslog *s, int64_t near, int64_t *t);

/* The queue id a message starts with: Postfix and Sendmail write
 * "QUEUEID: rest" (5 to 32 letters and digits, at least one digit, so
 * that "warning:" is none), Exim "1abcDE-000123-AB rest".  On success,
 * *qid and *rest (what follows ": " or the blank) point into msg. */
bool maillog_queue_id(struct maillog_span msg, struct maillog_span *qid,
		      struct maillog_span *rest);

/* What one line says about its queue's message (spans borrowed from the
 * line; status may point to a static word). */
struct maillog_facts {
	struct maillog_span message_id;	/* the Message-ID as logged */
	struct maillog_span from;	/* envelope sender, brackets removed
					 * ("" for the null sender) */
	struct maillog_span client;	/* who handed the message in */
	struct maillog_span to;		/* recipient(s); Sendmail may list
					 * several, comma-separated */
	struct maillog_span relay;	/* where it went */
	struct maillog_span status;	/* sent, deferred, bounced, expired,
					 * suppressed ... */
	struct maillog_span dsn;	/* enhanced status code, e.g. 2.0.0 */
	struct maillog_span detail;	/* the remote answer or the error */
	bool recipient;			/* a delivery attempt (to= or =>) */
	bool end;			/* the queue is done with it: Postfix
					 * "removed", Exim "Completed" */
};

/* Read the facts of 'rest' (what follows the queue id, as
 * maillog_queue_id gives it) written by 'mta'.  Unknown lines give no
 * facts. */
void maillog_parse_facts(enum maillog_mta mta, struct maillog_span rest,
			 struct maillog_facts *f);

/* The Message-ID a message announces when its queue takes it: Postfix
 * cleanup "QID: message-id=<id>", Exim "ID <= sender ... id=id ...",
 * Sendmail "QID: from=..., size=N, ..., msgid=<id>, ...".  A Message-ID
 * anywhere else (a bounce quoting it, a header_checks warning, a
 * subject) is not one, nor is one the sender wrote into the line: the
 * Sendmail msgid= is the first after size=, the Exim id= the last field
 * before the recipients, outside the H= value.  Returns the MTA, or
 * MAILLOG_NONE. */
enum maillog_mta maillog_announced_id(struct maillog_span msg, struct maillog_span *qid,
				      struct maillog_span *id);

struct maillog_story;

struct maillog_target {
	char *id;		/* canonical (msgid_normalize) */
	char *shown;		/* as given (msgid_strip) */
	size_t *stories;	/* indices into maillog.stories, in log order */
	size_t nr_stories, alloc_stories;
	char *file;		/* "logs/NN-<id>.log", or NULL when no line */
};

struct maillog_file {
	char *path;		/* as given */
	const char *compression; /* NULL or a static name */
	dev_t dev;
	ino_t ino;
	int64_t bytes;		/* decompressed bytes read by the first pass */
	uint64_t lines;
	uint64_t long_lines;	/* lines over FPKIT_LIMIT_LOG_LINE, skipped */
};

struct maillog {
	struct maillog_target *targets;
	size_t nr_targets, alloc_targets;
	struct _GHashTable *index;	/* canonical id -> target index + 1 */
	struct maillog_file *files;
	size_t nr_files, alloc_files;
	struct maillog_story *stories;
	size_t nr_stories, alloc_stories;
	int64_t near;		/* the block time (maillog_stamp_time) */
	struct diag *diag;	/* warnings: long lines, limits, no trail */
};

void maillog_init(struct maillog *m, struct diag *diag);
void maillog_release(struct maillog *m);

/* Add a target id as given (brackets optional); ids equal once
 * canonical are one target.  Returns its index, or -1 when nothing is
 * left of it. */
long maillog_add_target(struct maillog *m, const char *id);

/* Add a log file to read, plain or compressed with gzip, xz, bzip2 or
 * zstd (told by its first bytes).  Files are read as one stream in the
 * order given, so rotated files go oldest first.  EX_NOINPUT when it
 * cannot be opened or is not a regular file, EX_USAGE past
 * FPKIT_LIMIT_LOG_FILES; a file given twice is read once (a warning). */
int maillog_add_file(struct maillog *m, const char *path, struct error *err);

/* Read the files twice through one window: first the lines that announce
 * a target's Message-ID and their queue ids, then every line of those
 * queues, each queue's story cut where the MTA is done with it (Postfix
 * "removed", Exim "Completed", a new Sendmail "from=") so that a queue id
 * used again for another message is another story.  'near' is the block
 * time (for classic syslog years).  EX_NOINPUT/EX_IOERR/EX_DATAERR
 * naming the file when one cannot be read, is damaged, or changed
 * between the passes. */
int maillog_scan(struct maillog *m, int64_t near, struct error *err);

/* The excerpts as bundle files, logs/NN-<id>.log, one per target with
 * lines (NN: the target's number among those added, from 01). */
void maillog_bundle(struct maillog *m, struct bundle *b);

/* Add to summary.json: "log_file" and "delivery" to every element of
 * "targets" (matched by canonical Message-ID), and "maillogs" (the files
 * read).  Call after maillog_bundle. */
void maillog_summarize(const struct maillog *m, json_t *summary);

/* The delivery facts of target 'i' as summary.json has them (new). */
json_t *maillog_delivery_json(const struct maillog *m, size_t i);

#endif
