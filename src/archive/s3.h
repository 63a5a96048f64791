/* s3.h - an S3-compatible object store (AWS, OVHcloud Object Storage,
 * any server speaking the S3 API): PUT, HEAD, GET and ListObjectsV2,
 * signed with AWS Signature V4 by libcurl (the one module of the archive
 * that talks to libcurl) */
#ifndef FPKIT_S3_H
#define FPKIT_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "strbuf.h"

struct error;
struct s3conf;

/* The most a GET, an error body or a listing page may hold. */
#define S3_BODY_MAX ((size_t)64 << 20)

/* One store: the settings (borrowed) and a bucket. */
struct s3 {
	const struct s3conf *conf;
	char *bucket;
	int retries;		/* tries after the first, on 5xx, 408, 429, a cut */
	long retry_base_ms;	/* first backoff (FPKIT_RETRY_BASE_MS) */
	long timeout_ms;	/* one try, all included */
	/* With --verbose: one line per try, without any credential. */
	void (*trace)(void *arg, const char *line);
	void *arg;
	void *curl;		/* the CURL easy handle, private */
};

/* Set up a store for 'bucket' (copied): EX_OSERR when libcurl cannot be
 * set up, EX_USAGE for a bad FPKIT_RETRY_BASE_MS. */
int s3_init(struct s3 *s, const struct s3conf *conf, const char *bucket, struct error *err);
void s3_release(struct s3 *s);

/* An object to put. */
struct s3_put {
	const char *key;
	const void *data;
	size_t len;
	const char *content_type;	/* NULL: application/octet-stream */
	json_t *meta;			/* borrowed: string values, sent as
					 * x-amz-meta-NAME (names in lower case) */
	const char *lock_mode;		/* "GOVERNANCE" or "COMPLIANCE"; NULL: none */
	int64_t retain_until;		/* with lock_mode: seconds since the epoch */
	bool replace;			/* a page rewritten by each run (index.html):
					 * put over what is there, no HEAD first */
};

enum s3_put_outcome {
	S3_PUT_CREATED,		/* written by this call */
	S3_PUT_WAS_THERE,	/* the key was taken before anything was sent */
	S3_PUT_EXISTS,		/* ... taken while this call tried (412, or a
				 * HEAD after a lost answer found it): by this
				 * call's own try, or another writer's */
};

/* Put an object unless its key exists (or p->replace): a HEAD first, then a PUT with
 * If-None-Match: * (a server that honours it answers 412 when another
 * writer came in between), with x-amz-content-sha256 and Content-MD5
 * of the data.  A try cut or answered 5xx is tried again; a lost answer
 * shows as S3_PUT_EXISTS on the next try.  -1 with the server's error
 * code and message: EX_NOPERM (403), EX_CONFIG (a bucket that refuses
 * Object Lock, 404 NoSuchBucket), EX_TEMPFAIL, EX_PROTOCOL. */
int s3_put_new(struct s3 *s, const struct s3_put *p, enum s3_put_outcome *out,
	       struct error *err);

/* What a HEAD tells of an object. */
struct s3_head {
	bool found;
	int64_t size;
	json_t *meta;		/* new: x-amz-meta-* by their lower-case names */
	char *lock_mode;	/* x-amz-object-lock-mode, NULL when none */
	char *retain_until;	/* x-amz-object-lock-retain-until-date */
};

/* HEAD 'key': 0 with h->found false on 404; -1 on other errors. */
int s3_head(struct s3 *s, const char *key, struct s3_head *h, struct error *err);
void s3_head_release(struct s3_head *h);

/* GET 'key' into body (at most S3_BODY_MAX bytes). EX_NOINPUT on 404. */
int s3_get(struct s3 *s, const char *key, struct strbuf *body, struct error *err);

/* Every key under 'prefix' (ListObjectsV2, all its pages followed by
 * continuation-token), in the listing's order (UTF-8 binary): *keys is
 * new, each of its strings too (s3_keys_free). */
int s3_list(struct s3 *s, const char *prefix, char ***keys, size_t *nr, struct error *err);
void s3_keys_free(char **keys, size_t nr);

/* The URL of an object as a person reads it: s3://BUCKET/KEY (new). */
char *s3_object_url(const struct s3 *s, const char *key);

#endif
