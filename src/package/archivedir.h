/* archivedir.h - fpkit scan --archive: a folder that keeps one bundle per
 * block event (an IP and its block date), an index of them, a lock
 * against a second run, and the repairs a stopped run needs.  The prefix
 * is archive_dir_: libarchive owns archive_. */
#ifndef FPKIT_ARCHIVE_H
#define FPKIT_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"

struct ovh;
struct s3archive;
struct _GHashTable;

/* The files of the folder besides the bundles. */
#define ARCHIVE_DIR_INDEX "index.jsonl"
#define ARCHIVE_DIR_LOCK ".lock"

/* --archive and the pack options that go with it. */
struct archive_dir_options {
	const char *dir;		/* --archive */
	const char **mail;		/* --mail, in order */
	size_t nr_mail, alloc_mail;
	const char **maillog;		/* --maillog, in order */
	size_t nr_maillog, alloc_maillog;
	const char *lang;		/* --lang; NULL: pack's default */
	size_t before_block;		/* --before-block; 0: none */
	const char *dkim_keys;		/* --dkim-keys */
	bool no_dkim;			/* --no-dkim */
	bool unsafe_ok;			/* --archive-unsafe-ok */
	bool any_pack_option;		/* one of the above but --archive */
	/* The bucket (--archive s3://...) and the hook. */
	const char *host;		/* --host; NULL: gethostname() */
	int retain_days;		/* --retain; 0: none */
	const char *lock_mode;		/* --lock-mode, upper case; NULL: none */
	const char *exec;		/* --exec CMD */
	int exec_timeout;		/* --exec-timeout, seconds */
};

/* getopt_long codes, above those of ovhclient.h. */
enum {
	ARCHIVE_DIR_OPT_ARCHIVE = 2048,
	ARCHIVE_DIR_OPT_MAIL,
	ARCHIVE_DIR_OPT_MAILLOG,
	ARCHIVE_DIR_OPT_LANG,
	ARCHIVE_DIR_OPT_BEFORE_BLOCK,
	ARCHIVE_DIR_OPT_DKIM_KEYS,
	ARCHIVE_DIR_OPT_NO_DKIM,
	ARCHIVE_DIR_OPT_UNSAFE_OK,
	ARCHIVE_DIR_OPT_HOST,
	ARCHIVE_DIR_OPT_RETAIN,
	ARCHIVE_DIR_OPT_LOCK_MODE,
	ARCHIVE_DIR_OPT_EXEC,
	ARCHIVE_DIR_OPT_EXEC_TIMEOUT,
};

#define ARCHIVE_DIR_LONG_OPTIONS \
	{ "archive", required_argument, NULL, ARCHIVE_DIR_OPT_ARCHIVE }, \
	{ "mail", required_argument, NULL, ARCHIVE_DIR_OPT_MAIL }, \
	{ "maillog", required_argument, NULL, ARCHIVE_DIR_OPT_MAILLOG }, \
	{ "lang", required_argument, NULL, ARCHIVE_DIR_OPT_LANG }, \
	{ "before-block", required_argument, NULL, ARCHIVE_DIR_OPT_BEFORE_BLOCK }, \
	{ "dkim-keys", required_argument, NULL, ARCHIVE_DIR_OPT_DKIM_KEYS }, \
	{ "no-dkim", no_argument, NULL, ARCHIVE_DIR_OPT_NO_DKIM }, \
	{ "archive-unsafe-ok", no_argument, NULL, ARCHIVE_DIR_OPT_UNSAFE_OK }, \
	{ "host", required_argument, NULL, ARCHIVE_DIR_OPT_HOST }, \
	{ "retain", required_argument, NULL, ARCHIVE_DIR_OPT_RETAIN }, \
	{ "lock-mode", required_argument, NULL, ARCHIVE_DIR_OPT_LOCK_MODE }, \
	{ "exec", required_argument, NULL, ARCHIVE_DIR_OPT_EXEC }, \
	{ "exec-timeout", required_argument, NULL, ARCHIVE_DIR_OPT_EXEC_TIMEOUT }

#define ARCHIVE_DIR_USAGE \
	"Archiving every block event, for cron (fpkit-scan(1), ARCHIVING):\n" \
	"  --archive DIR        write a bundle into DIR for each block event not there\n" \
	"                       yet, and list it in DIR/index.jsonl\n" \
	"  --archive s3://BUCKET/PREFIX\n" \
	"                       the same into an S3-compatible bucket (AWS_* settings,\n" \
	"                       ~/.aws/credentials and ~/.aws/config), several hosts\n" \
	"                       at once, each bundle under PREFIX/events/IP/DATE/HOST/\n" \
	"  --host NAME          the writing host's name in the bucket's keys and the\n" \
	"                       index (default: the system's host name)\n" \
	"  --retain DAYS        with s3://: keep each bundle from deletion for DAYS\n" \
	"                       days (S3 Object Lock; the bucket must have it enabled)\n" \
	"  --lock-mode MODE     governance (the default) or compliance\n" \
	"  --exec CMD           run CMD (with /bin/sh -c) once per newly archived event:\n" \
	"                       FPKIT_IP, FPKIT_BLOCK, FPKIT_STATE, FPKIT_BUNDLE,\n" \
	"                       FPKIT_MISSING, ... in its environment, summary.json on\n" \
	"                       its input; a failure is tried again by the next run\n" \
	"  --exec-timeout SECONDS  the time CMD may take (default 300)\n" \
	"  --archive-unsafe-ok  archive into DIR even when other users than root and\n" \
	"                       you can write there (refused without it)\n" \
	"and with it, as for fpkit pack:\n" \
	"  --mail PATH          a mail store to take the samples from (repeatable): a\n" \
	"                       message file, an mbox (plain or compressed with gzip,\n" \
	"                       xz, bzip2 or zstd), a Maildir, an MH folder, a folder\n" \
	"                       searched recursively, dovecot:USER or imaps://USER@HOST/\n" \
	"                       MAILBOX ('fpkit pack --help' says more)\n" \
	"  --maillog FILE       a mail log to follow the targets in (repeatable)\n" \
	"  --lang LANG          the ticket's language\n" \
	"  --before-block N     also take the N messages sent just before the block\n" \
	"  --dkim-keys FILE     DKIM keys from FILE, not from DNS\n" \
	"  --no-dkim            do not verify the samples' DKIM signatures\n"

/* Take option 'opt' with its argument: 1 when it is one of the above, 0
 * when it is not, -1 with EX_USAGE when its value is wrong ('cmd' names
 * the command in messages). */
int archive_dir_option(struct archive_dir_options *o, const char *cmd, int opt,
		       const char *arg, struct error *err);

/* After the options: EX_USAGE when pack options come without --archive. */
int archive_dir_options_check(const struct archive_dir_options *o, const char *cmd,
			      struct error *err);

/* Free the lists of the options (not the strings: argv's). */
void archive_dir_options_release(struct archive_dir_options *o);

/* One block event the scan found.  Every pointer is borrowed. */
struct archive_event {
	const char *block;		/* the IP's block */
	const char *ip;
	const char *spamip;		/* GET /ip/{block}/spam/{ip}, byte for byte */
	size_t spamip_len;
	int64_t date;			/* its date: when the IP was blocked */
};

enum archive_dir_outcome {
	ARCHIVE_DIR_PRESENT,		/* archived by an earlier run */
	ARCHIVE_DIR_ARCHIVED,		/* bundle written, index line added */
	ARCHIVE_DIR_FAILED,
};

/* What became of one event; freed by archive_dir_result_release. */
struct archive_dir_result {
	enum archive_dir_outcome outcome;
	char *bundle;			/* DIR/fpkit-IP-DATE.tar.gz */
	size_t nr_samples;		/* ARCHIVED: samples packed */
	size_t nr_missing;		/* ARCHIVED: targets not found */
	json_t *missing;		/* ARCHIVED: their Message-IDs as listed
					 * in the index (archive_index_missing) */
	bool nothing_found;		/* ARCHIVED: messages looked for, none
					 * found (pack's rule, pack.h) */
	struct diag warnings;		/* pack's warnings for this event */
	struct error err;		/* FAILED: why */
	bool hook_ran;			/* ARCHIVED with --exec: the hook was run */
	struct error hook_err;		/* ... and failed: why (status != 0) */
};

void archive_dir_result_release(struct archive_dir_result *r);

struct archive_dir {
	const struct archive_dir_options *opt;	/* borrowed */
	char *dir;			/* opt->dir without trailing '/' */
	char *index;			/* DIR/index.jsonl */
	int lock_fd;			/* DIR/.lock, flock()ed; -1 when closed */
	struct _GHashTable *names;	/* bundle names the index lists */
	/* What archive_dir_open repaired. */
	size_t nr_dropped;		/* index lines dropped */
	size_t nr_added;		/* bundles added to the index */
	size_t nr_removed;		/* temporary files removed */
	/* The account's NIC handle for the tickets (GET /me), asked once
	 * before the first bundle is packed. */
	bool asked_me;
	char *nichandle;		/* NULL when it could not be read */
	char *me_error;			/* why, said with each bundle */
	/* --archive s3://...: the bucket (s3archive.h); NULL for a folder. */
	struct s3archive *s3;
	char *host;			/* --host, or the system's host name */
	size_t nr_hooks_run, nr_hooks_failed;	/* --exec, this run */
	bool page_due;			/* index.html to write again (finish) */
};

/* Open the archive folder: create it (mode 0700, whatever the umask)
 * when it does not exist, refuse it when users other than root and this
 * one could write there (outfile_dir_unsafe) unless opt->unsafe_ok,
 * take DIR/.lock (flock, without waiting; the lock and the index are
 * created 0600), then repair what a stopped run may have left: index
 * lines that are cut, unreadable, repeated or name a bundle that is not
 * there are dropped (a warning each for the first
 * FPKIT_LIMIT_INDEX_DROPPED, then one that counts the others); bundles
 * the index does not list are added to it when they pass verify_bundle
 * and their top folder is named after them (their block read from their
 * summary.json, the time they were written from their mtime), and left
 * alone otherwise; temporary files of bundles and of the index are
 * removed.  The index is rewritten (atomically) only when something was
 * repaired; each repair is a warning in d.  EX_TEMPFAIL when another run
 * holds the lock, EX_CANTCREAT when the folder is refused or the folder,
 * the lock or the index cannot be made, EX_IOERR on read errors.
 * Nothing is asked of the API. */
int archive_dir_open(struct archive_dir *a, const struct archive_dir_options *opt,
		     struct diag *d, struct error *err);

/* An index line's "missing": the Message-IDs of summary.json's
 * "missing" (borrowed), as many as fit in half an index line
 * (FPKIT_LIMIT_INDEX_LINE), so that a line is never dropped for its
 * length; new. */
json_t *archive_dir_missing(json_t *summary_missing);

/* Archive one event unless the index lists it already (then nothing is
 * asked of the API): fetch its stats through 'api' (the SpamIp object is
 * the scan's), run the pack pipeline into DIR/fpkit-IP-DATE.tar.gz
 * (written atomically, never over an existing file), then append its
 * line to the index with a single write.  Returns 0 (ARCHIVED or
 * PRESENT), or -1 (FAILED, the reason in r->err).  When the pipeline
 * fails, nothing is left under the bundle's name; when the bundle is
 * written but hashing it or appending its line fails, the bundle stays
 * without its line, and the next archive_dir_open adopts it (adds its
 * line).  r is filled either way. */
int archive_dir_add(struct archive_dir *a, const struct archive_event *ev, struct ovh *api,
		    struct archive_dir_result *r);

/* Does the index list the bundle of the block event (ip, date), as
 * archive_dir_open left it (its file there)?  *path is then its path
 * (new), else NULL. */
bool archive_dir_has_bundle(const struct archive_dir *a, const char *ip, int64_t date,
			    char **path);

/* Append a record of an act on a block event to the index (fpkit
 * unblock, fpkit ticket create), under the lock archive_dir_open took,
 * with a single write as a bundle's line.  'line' (borrowed) is an
 * object with an "unblock" or a "ticket" object; such lines are kept as they are by archive_dir_open's repairs
 * and name no bundle of their own.  EX_SOFTWARE for a line that is not
 * one or over FPKIT_LIMIT_INDEX_LINE, EX_CANTCREAT or EX_IOERR when the
 * index cannot be written. */
int archive_dir_record(struct archive_dir *a, json_t *line, struct error *err);

/* --exec: run again the hooks that failed in earlier runs (their
 * markers: DIR/hooks/NAME.json in a folder, PREFIX/hooks/IP/DATE/HOST/
 * pending.json without a 'done' beside it in a bucket), each failure a
 * warning in d; counted in nr_hooks_run and nr_hooks_failed.  -1 only
 * when the markers cannot be read. */
int archive_dir_hooks_retry(struct archive_dir *a, struct diag *d, struct error *err);

/* Whether 'dir' (an --archive argument) names a bucket: s3://... */
bool archive_dir_is_bucket(const char *dir);

/* The events of an archive, a folder (its index.jsonl, without taking
 * the lock) or a bucket (its listing and each bundle's metadata, every
 * host's): a JSON array of objects with ip, block, state, date, host,
 * bundle (the file name), sha256, archived_at, missing (a count) and
 * path (a folder's) or url and size (a bucket's) (new).  EX_NOINPUT when
 * the folder has no index. */
int archive_dir_list(const char *dir, json_t **events, struct error *err);

/* Release the lock and free a. */
/* At the end of a run that archived an event, the archive's page
 * (index.html) is made again, once: a folder's from its index, a
 * bucket's from its listing (put beside the events).  A page that cannot
 * be written is a warning in d, never a failure (a folder's is written
 * by the next archive_dir_open, a bucket's by the next run that
 * archives). */
void archive_dir_finish(struct archive_dir *a, struct diag *d);
void archive_dir_close(struct archive_dir *a);

/* The bundle's file name for an event, as fpkit pack names it (new). */
char *archive_dir_bundle_name(const char *ip, int64_t date);

#endif
