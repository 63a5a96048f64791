/* s3archive.h - the archive of block events in an S3-compatible bucket,
 * written by several hosts at once without a lock: the object keys are
 * the index.
 *
 *   PREFIX/events/IP/DATE/HOST/fpkit-IP-DATE.tar.gz   a bundle, with its
 *       facts as x-amz-meta-* (ip, block, state, date, host, sha256,
 *       archived_at, missing)
 *   PREFIX/hooks/IP/DATE/HOST/pending.json   a hook to run (--exec)
 *   PREFIX/hooks/IP/DATE/HOST/done           ... and run with success
 *
 * DATE is the block date as YYYYMMDDTHHMMSSZ; HOST the writing host's
 * name.  No object is ever replaced or deleted: each host writes its
 * own keys, and a key taken is left as it is. */
#ifndef FPKIT_S3ARCHIVE_H
#define FPKIT_S3ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "s3.h"
#include "s3conf.h"

struct error;
struct _GHashTable;

struct s3archive {
	struct s3conf conf;
	struct s3url url;
	struct s3 s3;
	char *host;			/* borrowed */
	const char *lock_mode;		/* "GOVERNANCE", "COMPLIANCE" or NULL */
	int retain_days;
	struct _GHashTable *mine;	/* "IP/DATE" of this host's bundles */
};

/* Whether 'host' may be part of a key (1 to 63 of [A-Za-z0-9._-], not
 * "." or ".."). */
bool s3archive_host_ok(const char *host);

/* Open the bucket of 'url' (s3://BUCKET/PREFIX) for 'host' (borrowed):
 * the settings read (s3conf_load), the bundles of this host listed.
 * EX_USAGE, EX_CONFIG, or the listing's error. */
int s3archive_open(struct s3archive *a, const char *url, const char *host,
		   struct error *err);
void s3archive_close(struct s3archive *a);

/* The key of the bundle of (ip, date) written by a->host (new). */
char *s3archive_bundle_key(const struct s3archive *a, const char *ip, int64_t date);

/* Whether this host's listing holds the bundle of (ip, date). */
bool s3archive_has(const struct s3archive *a, const char *ip, int64_t date);

/* The facts of one bundle, as its metadata holds them. */
struct s3archive_event {
	const char *ip, *block, *state;
	int64_t date;
	size_t nr_missing;
};

enum s3archive_outcome {
	S3ARCHIVE_WRITTEN,	/* uploaded and verified */
	S3ARCHIVE_TAKEN,	/* the key was written by someone else */
};

/* Upload the bundle 'path' under its key, never over an object there,
 * with the retention of a->lock_mode for a->retain_days when set, then
 * read its size and x-amz-meta-sha256 back (HEAD) and check them against
 * the file.  *url is its s3:// URL (new).  EX_CONFIG, with the server's
 * words, when the bucket refuses the retention; EX_IOERR, EX_TEMPFAIL,
 * EX_PROTOCOL. */
int s3archive_put_bundle(struct s3archive *a, const struct s3archive_event *ev,
			 const char *path, char **url, enum s3archive_outcome *out,
			 struct error *err);

/* Put one object under PREFIX/NAME (name: key characters, such as
 * "index.html"), beside the events: a page or a file.  With 'replace'
 * it is put over what is there (a page each run rewrites; in a bucket
 * with versioning the old one stays as a version); without, never over
 * an object there, and *taken tells whether the key was taken. Errors as
 * s3_put_new.  Any module holding the archive (archive_dir.s3) may call
 * it. */
int s3archive_put_file(struct s3archive *a, const char *name, const void *data, size_t len,
		       const char *content_type, bool replace, bool *taken, struct error *err);

/* fpkit pack -o s3://BUCKET/KEY.tar.gz or s3://BUCKET/PREFIX: upload the
 * bundle 'path' under KEY, or under PREFIX/NAME, never over an object
 * there (*taken is then true and nothing is written), with its SHA-256 as
 * x-amz-meta-sha256, read back and checked.  *out_url is the object's
 * URL (new, also on failure once known). */
int s3archive_upload(const char *url, const char *path, const char *name, char **out_url,
		     bool *taken, struct error *err);

/* The events of the bucket, every host's, in key order: a JSON array
 * of objects as 'fpkit archive ls' prints them (new). */
int s3archive_list(struct s3archive *a, json_t **events, struct error *err);

/* Hooks: the marker 'pending.json' ('event', borrowed, is its body) of
 * this host for (ip, date); the 'done' marker; the markers pending of
 * this host (a JSON array of their bodies, new). */
int s3archive_hook_pending(struct s3archive *a, const char *ip, int64_t date, json_t *event,
			   struct error *err);
int s3archive_hook_done(struct s3archive *a, const char *ip, int64_t date, struct error *err);
int s3archive_hooks_left(struct s3archive *a, json_t **pending, struct error *err);

#endif
