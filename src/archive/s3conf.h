/* s3conf.h - the settings of an S3-compatible store, read as the AWS
 * tools read them: the environment, then ~/.aws/credentials and
 * ~/.aws/config under a profile */
#ifndef FPKIT_S3CONF_H
#define FPKIT_S3CONF_H

#include <stdbool.h>

struct error;

struct s3conf {
	char *profile;		/* AWS_PROFILE, else "default" */
	char *access_key;	/* AWS_ACCESS_KEY_ID / aws_access_key_id */
	char *secret_key;	/* AWS_SECRET_ACCESS_KEY / aws_secret_access_key */
	char *session_token;	/* AWS_SESSION_TOKEN / aws_session_token; NULL: none */
	char *region;		/* AWS_REGION, AWS_DEFAULT_REGION / region */
	char *endpoint;		/* AWS_ENDPOINT_URL / endpoint_url, without a
				 * trailing '/'; else https://s3.REGION.amazonaws.com */
	bool path_style;	/* s3_addressing = path (FPKIT_S3_ADDRESSING),
				 * or "s3 =\n  addressing_style = path", or
				 * an endpoint given by its IP address */
	bool plain_http;	/* the endpoint is http:// on loopback */
};

/* An s3:// URL: the bucket and the prefix (no leading or trailing '/';
 * "" for none), both new. */
struct s3url {
	char *bucket;
	char *prefix;
};

/* Whether 'key' is a key fpkit writes: 1 to 1024 characters of
 * [A-Za-z0-9._~/-], no "//", no leading '/', no "." or ".." part: it is
 * then the same in the URL, in the signature and on every server, and
 * needs no encoding (libcurl signs the path as it is sent). */
bool s3url_key_ok(const char *key);

/* Whether 'arg' is an s3:// URL (not whether it is a good one). */
bool s3url_is(const char *arg);

/* Parse s3://BUCKET[/PREFIX]: a bucket name as S3 allows it (3 to 63 of
 * [a-z0-9.-]), a prefix of key characters (s3url_key_ok).  EX_USAGE. */
int s3url_parse(struct s3url *u, const char *arg, struct error *err);
void s3url_release(struct s3url *u);

/* Read the settings: the environment first, then the shared credentials
 * file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials) and the
 * config file (AWS_CONFIG_FILE, else ~/.aws/config) for the profile.
 * EX_CONFIG when the keys or the region are missing, or the endpoint is
 * refused (http:// elsewhere than on loopback, user information); the
 * messages never show a secret. */
int s3conf_load(struct s3conf *c, struct error *err);
void s3conf_release(struct s3conf *c);

#endif
