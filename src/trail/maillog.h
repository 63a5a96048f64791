/* maillog.h - the mail-log trail: the lines Postfix, Exim and Sendmail
 * wrote about the targets' messages, found by Message-ID and followed
 * through their queue ids */
#ifndef FPKIT_MAILLOG_H
#define FPKIT_MAILLOG_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "logline.h"

struct diag;
struct error;
struct _GHashTable;

struct maillog_story;

struct maillog_target {
	char *id;		/* canonical (msgid_normalize) */
	char *shown;		/* as given (msgid_strip) */
	size_t *stories;	/* indices into maillog.stories, in log order */
	size_t nr_stories, alloc_stories;
	bool quiet;		/* no warning when no line names it (a
				 * message pack --before-block may take) */
};

struct maillog_file {
	char *path;		/* as given */
	int fd;			/* open from maillog_add_file on: both passes
				 * read the file that was named */
	const char *compression; /* NULL or a static name */
	dev_t dev;
	ino_t ino;
	int64_t bytes;		/* decompressed bytes read by the first pass */
	uint64_t lines;
	uint64_t long_lines;	/* lines over FPKIT_LIMIT_LOG_LINE, skipped */
	bool cut;		/* a limit on decompression ended it early */
};

struct maillog {
	struct maillog_target *targets;
	size_t nr_targets, alloc_targets;
	struct _GHashTable *index;	/* canonical id -> target index + 1 */
	struct maillog_file *files;
	size_t nr_files, alloc_files;
	struct maillog_story *stories;
	size_t nr_stories, alloc_stories;
	int64_t near;		/* the block time (logline_stamp_time) */
	struct diag *diag;	/* warnings: long lines, limits, no trail */
	/* maillog_watch: given every line of the first pass */
	void (*watch)(void *arg, size_t file, const char *line, size_t len);
	void *watch_arg;
	/* Set (by another thread) to have maillog_scan stop within a window
	 * of bytes and fail (EX_TEMPFAIL): its result is not wanted. */
	const atomic_bool *stop;
	double read_cpu;	/* CPU seconds of the threads that read the
				 * files ahead of the scan (pack --timing) */
};

void maillog_init(struct maillog *m, struct diag *diag);
void maillog_release(struct maillog *m);

/* Follow a target: its canonical id (targets.h: made canonical once,
 * there) and its id as shown.  The same canonical id is one target.
 * Returns its index, or -1 for an empty id. */
long maillog_add_target(struct maillog *m, const char *canon, const char *shown);

/* Add a log file to read, plain or compressed with gzip, xz, bzip2 or
 * zstd (told by its first bytes); it stays open until maillog_release.
 * Files are read as one stream in the order given, so rotated files go
 * oldest first.  EX_NOINPUT when it cannot be opened or is not a
 * regular file, EX_USAGE past FPKIT_LIMIT_LOG_FILES; a file given twice
 * is read once (a warning). */
int maillog_add_file(struct maillog *m, const char *path, struct error *err);

/* Have fn(arg, file, line, len) called with every line maillog_scan
 * reads in its first pass, in order, with the index of its file (lines
 * over FPKIT_LIMIT_LOG_LINE left out): so that statistics over the whole
 * logs (volume.c) take no pass of their own. */
void maillog_watch(struct maillog *m, void (*fn)(void *arg, size_t file, const char *line,
						 size_t len), void *arg);

/* Read the files twice through one window: first the lines that announce
 * a target's Message-ID and their queue ids, then every line of those
 * queues, each queue's story cut where the MTA is done with it (Postfix
 * "removed", Exim "Completed", a new Sendmail "from=") so that a queue id
 * used again for another message is another story.  'near' is the block
 * time (for classic syslog years).  A compressed file that passes a
 * limit on decompression (instream.h) is read up to there, with a
 * warning, and the other files as usual.  EX_NOINPUT/EX_IOERR/EX_DATAERR
 * naming the file when one cannot be read, is damaged, or changed
 * between the passes. */
int maillog_scan(struct maillog *m, int64_t near, struct error *err);

/* The index of the target whose id is 'id' once canonical (as given
 * or as logged, brackets optional), or -1. */
long maillog_find_target(const struct maillog *m, const char *id);

/* Target i's lines as a text file (new, free() it; its length in *len):
 * a heading, then each of its queues' lines as "FILE:LINE: line",
 * control characters made visible.  NULL when no line is about it. */
char *maillog_excerpt(const struct maillog *m, size_t i, size_t *len);

/* Target i's lines alone, for a text that has its own headings (new,
 * free() it; its length in *len): each of its queues' lines as
 * maillog_excerpt writes them, "FILE:LINE: line", a queue from the next
 * by an empty line; FILE is the file's base name with 'base_names' (a
 * text sent out need not show where the logs are kept).  *omitted: the
 * lines of its queues the limits left out.  NULL when no line is about
 * it. */
char *maillog_lines(const struct maillog *m, size_t i, bool base_names, uint64_t *omitted,
		    size_t *len);

/* The delivery facts of target 'i' as summary.json has them (new). */
json_t *maillog_delivery_json(const struct maillog *m, size_t i);

/* When target i's message was handed over, by the logs: the time of its
 * first delivery attempt to a remote server (logline_remote) at address
 * 'ip' (may be NULL), else of its first to any remote server, else of
 * the line that announced it; *zoned says whether that line's stamp
 * carries its zone.  0, or -1 when no line about it has a time. */
int maillog_handover(const struct maillog *m, size_t i, const char *ip, int64_t *t,
		     bool *zoned);

/* The files read, as summary.json's "maillogs" (new): each one's path,
 * compression, lines and long lines. */
json_t *maillog_files_json(const struct maillog *m);

/* Called by maillog_each_line with one kept line (borrowed, without its
 * newline), the MTA of its queue, and where it was read (the file as
 * given, its line number); returns false to stop. */
typedef bool (*maillog_line_fn)(const char *line, size_t len, enum logline_mta mta,
				const char *file, uint64_t lineno, void *data);

/* Each line kept about target i, queue by queue in log order. */
void maillog_each_line(const struct maillog *m, size_t i, maillog_line_fn fn, void *data);

/* Target i's lines are not wanted after all (a message pack
 * --before-block did not take): no excerpt, no delivery facts. */
void maillog_forget(struct maillog *m, size_t i);

#endif
