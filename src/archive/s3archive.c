/* s3archive.c - the archive of block events in a bucket, several
 * writers without a lock (s3archive.h has the keys) */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "digest.h"
#include "error.h"
#include "fpkit_limits.h"
#include "s3archive.h"
#include "timefmt.h"
#include "xalloc.h"

bool
s3archive_host_ok(const char *host)
{
	size_t n = strlen(host);

	return n >= 1 && n <= 63 && strcmp(host, ".") != 0 && strcmp(host, "..") != 0 &&
	       strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789._-") == n;
}

/* PREFIX/SUB with no leading '/' when there is no prefix (new). */
static char *
key_of(const struct s3archive *a, const char *sub)
{
	return a->url.prefix[0] ? xasprintf("%s/%s", a->url.prefix, sub) : xstrdup(sub);
}

static char *
event_dir(const struct s3archive *a, const char *top, const char *ip, int64_t date,
	  const char *host)
{
	char when[TIMEFMT_ISO_LEN], *sub, *key;

	sub = xasprintf("%s/%s/%s/%s/", top, ip, timefmt_compact_utc(date, when), host);
	key = key_of(a, sub);
	free(sub);
	return key;
}

char *
s3archive_bundle_key(const struct s3archive *a, const char *ip, int64_t date)
{
	char when[TIMEFMT_ISO_LEN];
	char *dir = event_dir(a, "events", ip, date, a->host);
	char *key = xasprintf("%sfpkit-%s-%s.tar.gz", dir, ip, timefmt_compact_utc(date, when));

	free(dir);
	return key;
}

/* The parts of a key under PREFIX/TOP/: IP, DATE, HOST and the rest,
 * each new; false when it is not such a key. */
static bool
split_key(const struct s3archive *a, const char *top, const char *key, char *part[4])
{
	char *base = key_of(a, top), **v;
	size_t n = strlen(base);
	bool ok = false;

	memset(part, 0, 4 * sizeof(*part));
	if (strncmp(key, base, n) != 0 || key[n] != '/')
		goto out;
	v = g_strsplit(key + n + 1, "/", 5);
	if (g_strv_length(v) == 4) {
		for (int i = 0; i < 4; i++)
			part[i] = xstrdup(v[i]);
		ok = true;
	}
	g_strfreev(v);
out:
	free(base);
	return ok;
}

static void
parts_free(char *part[4])
{
	for (int i = 0; i < 4; i++)
		free(part[i]);
}

int
s3archive_open(struct s3archive *a, const char *url, const char *host, struct error *err)
{
	char **keys = NULL, *events = NULL;
	size_t nr = 0;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	a->host = (char *)host;
	a->mine = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
	if (s3url_parse(&a->url, url, err) < 0)
		goto out;
	if (s3conf_load(&a->conf, err) < 0)
		goto out;
	if (s3_init(&a->s3, &a->conf, a->url.bucket, err) < 0)
		goto out;
	events = key_of(a, "events/");
	if (s3_list(&a->s3, events, &keys, &nr, err) < 0)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		char *part[4];

		if (split_key(a, "events", keys[i], part) && strcmp(part[2], host) == 0 &&
		    g_str_has_suffix(part[3], ".tar.gz"))
			g_hash_table_add(a->mine, xasprintf("%s/%s", part[0], part[1]));
		parts_free(part);
	}
	rc = 0;
out:
	s3_keys_free(keys, nr);
	free(events);
	return rc;
}

void
s3archive_close(struct s3archive *a)
{
	if (a->mine)
		g_hash_table_destroy(a->mine);
	s3_release(&a->s3);
	s3conf_release(&a->conf);
	s3url_release(&a->url);
	memset(a, 0, sizeof(*a));
}

bool
s3archive_has(const struct s3archive *a, const char *ip, int64_t date)
{
	char when[TIMEFMT_ISO_LEN], *k = xasprintf("%s/%s", ip, timefmt_compact_utc(date, when));
	bool has = g_hash_table_contains(a->mine, k);

	free(k);
	return has;
}

/* A whole file in memory, within the bundle size limit. */
static int
read_file(const char *path, char **data, size_t *len, struct error *err)
{
	GError *e = NULL;
	gchar *buf;
	gsize n;

	if (!g_file_get_contents(path, &buf, &n, &e)) {
		error_set(err, EX_IOERR, "cannot read '%s': %s", path, e->message);
		g_error_free(e);
		return -1;
	}
	*data = xmalloc(n + 1);
	memcpy(*data, buf, n);
	g_free(buf);
	*len = n;
	return 0;
}

/* The server's refusal of the lock headers, said plainly. */
static void
lock_refused(struct s3archive *a, struct error *err)
{
	if (a->lock_mode && (strstr(err->msg, "InvalidRequest") ||
			     strstr(err->msg, "ObjectLockConfigurationNotFoundError") ||
			     strstr(err->msg, "InvalidBucketState") ||
			     strstr(err->msg, "NotImplemented") ||
			     strstr(err->msg, "AccessDenied"))) {
		error_prefix(err, "bucket '%s' refused the retention (--retain %d --lock-mode %s): "
			     "create it with Object Lock enabled, or archive without --retain",
			     a->url.bucket, a->retain_days, a->lock_mode);
		err->status = EX_CONFIG;
	}
}

int
s3archive_put_bundle(struct s3archive *a, const struct s3archive_event *ev, const char *path,
		     char **url, enum s3archive_outcome *out, struct error *err)
{
	char *key = s3archive_bundle_key(a, ev->ip, ev->date), *data = NULL;
	char sha[DIGEST_HEX_SIZE], d[TIMEFMT_ISO_LEN], at[TIMEFMT_ISO_LEN], missing[32];
	struct s3_put p = { 0 };
	struct s3_head h = { 0 };
	enum s3_put_outcome po;
	time_t now = time(NULL);
	size_t len;
	json_t *meta = NULL;
	const char *got;
	int rc = -1;

	*url = s3_object_url(&a->s3, key);
	if (read_file(path, &data, &len, err) < 0)
		goto out;
	digest_buffer(data, len, sha);
	snprintf(missing, sizeof(missing), "%zu", ev->nr_missing);
	meta = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "ip", ev->ip,
			 "block", ev->block ? ev->block : "",
			 "state", ev->state ? ev->state : "",
			 "date", timefmt_iso_utc(ev->date, d),
			 "host", a->host,
			 "sha256", sha,
			 "archived_at", timefmt_iso_utc((int64_t)now, at),
			 "missing", missing);
	p.key = key;
	p.data = data;
	p.len = len;
	p.content_type = "application/gzip";
	p.meta = meta;
	if (a->lock_mode) {
		p.lock_mode = a->lock_mode;
		p.retain_until = (int64_t)now + (int64_t)a->retain_days * 86400;
	}
	if (s3_put_new(&a->s3, &p, &po, err) < 0) {
		lock_refused(a, err);
		goto out;
	}
	/* Verified before it is said archived: what the server holds now
	 * under the key, whoever wrote it. */
	if (s3_head(&a->s3, key, &h, err) < 0)
		goto out;
	got = h.found ? json_string_value(json_object_get(h.meta, "sha256")) : NULL;
	if (!h.found) {
		error_set(err, EX_TEMPFAIL, "'%s' is not there after its upload: the next run "
			  "tries again", *url);
		goto out;
	}
	if (po == S3_PUT_CREATED && (h.size != (int64_t)len || got == NULL ||
				     strcmp(got, sha) != 0)) {
		error_set(err, EX_IOERR, "'%s' was uploaded but reads back as %lld bytes with "
			  "SHA-256 %s, not %zu bytes with %s", *url, (long long)h.size,
			  got ? got : "(none)", len, sha);
		goto out;
	}
	if (a->lock_mode && po == S3_PUT_CREATED && h.lock_mode == NULL) {
		error_set(err, EX_CONFIG, "bucket '%s' took '%s' but keeps no retention on it "
			  "(no x-amz-object-lock-mode): it ignores Object Lock; archive without "
			  "--retain, or into a bucket created with Object Lock", a->url.bucket,
			  *url);
		goto out;
	}
	/* A lost answer of this run's own PUT shows as a taken key that
	 * holds these very bytes: it is this run's. */
	*out = (po == S3_PUT_CREATED || (po == S3_PUT_EXISTS && got && strcmp(got, sha) == 0 &&
					 h.size == (int64_t)len)) ? S3ARCHIVE_WRITTEN
								  : S3ARCHIVE_TAKEN;
	{
		char when[TIMEFMT_ISO_LEN];

		g_hash_table_add(a->mine, xasprintf("%s/%s", ev->ip,
						    timefmt_compact_utc(ev->date, when)));
	}
	rc = 0;
out:
	s3_head_release(&h);
	json_decref(meta);
	free(data);
	free(key);
	return rc;
}

int
s3archive_put_file(struct s3archive *a, const char *name, const void *data, size_t len,
		   const char *content_type, bool replace, bool *taken, struct error *err)
{
	char *key = key_of(a, name);
	struct s3_put p = { 0 };
	enum s3_put_outcome po;
	int rc;

	p.key = key;
	p.data = data;
	p.len = len;
	p.content_type = content_type;
	p.replace = replace;
	rc = s3_put_new(&a->s3, &p, &po, err);
	if (rc == 0)
		*taken = po != S3_PUT_CREATED;
	free(key);
	return rc;
}

static json_t *
meta_str(json_t *meta, const char *name)
{
	const char *v = json_string_value(json_object_get(meta, name));

	return v && *v ? json_string(v) : json_null();
}

int
s3archive_list(struct s3archive *a, json_t **events, struct error *err)
{
	char **keys = NULL, *top = key_of(a, "events/");
	size_t nr = 0;
	int rc = -1;

	*events = json_array();
	if (s3_list(&a->s3, top, &keys, &nr, err) < 0)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		struct s3_head h;
		char *part[4];
		json_t *o;

		if (!split_key(a, "events", keys[i], part) || !g_str_has_suffix(part[3], ".tar.gz")) {
			parts_free(part);
			continue;
		}
		if (s3_head(&a->s3, keys[i], &h, err) < 0) {
			parts_free(part);
			goto out;
		}
		if (h.found) {
			const char *m = json_string_value(json_object_get(h.meta, "missing"));

			char *u = s3_object_url(&a->s3, keys[i]);

			o = json_pack("{s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:I}",
				      "ip", meta_str(h.meta, "ip"),
				      "block", meta_str(h.meta, "block"),
				      "state", meta_str(h.meta, "state"),
				      "date", meta_str(h.meta, "date"),
				      "host", part[2],
				      "bundle", json_string(part[3]),
				      "sha256", meta_str(h.meta, "sha256"),
				      "archived_at", meta_str(h.meta, "archived_at"),
				      "url", u,
				      "size", (json_int_t)h.size);
			free(u);
			/* The key below the prefix: a link from the page
			 * (index.html) put beside the events. */
			json_object_set_new(o, "key", json_string(keys[i] + strlen(top) -
								  strlen("events/")));
			json_object_set_new(o, "missing", m ? json_integer(strtoll(m, NULL, 10))
							    : json_null());
			if (h.lock_mode)
				json_object_set_new(o, "retention", json_pack("{s:s, s:s}", "mode",
						    h.lock_mode, "until",
						    h.retain_until ? h.retain_until : ""));
			json_array_append_new(*events, o);
		}
		s3_head_release(&h);
		parts_free(part);
	}
	rc = 0;
out:
	s3_keys_free(keys, nr);
	free(top);
	return rc;
}

int
s3archive_hook_pending(struct s3archive *a, const char *ip, int64_t date, json_t *event,
		       struct error *err)
{
	char *dir = event_dir(a, "hooks", ip, date, a->host);
	char *key = xasprintf("%spending.json", dir);
	char *body = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct s3_put p = { 0 };
	enum s3_put_outcome po;
	int rc;

	p.key = key;
	p.data = body;
	p.len = strlen(body);
	p.content_type = "application/json";
	rc = s3_put_new(&a->s3, &p, &po, err);
	free(body);
	free(key);
	free(dir);
	return rc;
}

int
s3archive_hook_done(struct s3archive *a, const char *ip, int64_t date, struct error *err)
{
	char *dir = event_dir(a, "hooks", ip, date, a->host);
	char *key = xasprintf("%sdone", dir);
	struct s3_put p = { 0 };
	enum s3_put_outcome po;
	int rc;

	p.key = key;
	p.data = "";
	p.len = 0;
	p.content_type = "text/plain";
	rc = s3_put_new(&a->s3, &p, &po, err);
	free(key);
	free(dir);
	return rc;
}

int
s3archive_hooks_left(struct s3archive *a, json_t **pending, struct error *err)
{
	char **keys = NULL, *top = key_of(a, "hooks/");
	GHashTable *done = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
	size_t nr = 0;
	int rc = -1;

	*pending = json_array();
	if (s3_list(&a->s3, top, &keys, &nr, err) < 0)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		char *part[4];

		if (split_key(a, "hooks", keys[i], part) && strcmp(part[2], a->host) == 0 &&
		    strcmp(part[3], "done") == 0)
			g_hash_table_add(done, xasprintf("%s/%s", part[0], part[1]));
		parts_free(part);
	}
	for (size_t i = 0; i < nr; i++) {
		char *part[4], *k;
		struct strbuf body;
		json_t *ev;

		if (!split_key(a, "hooks", keys[i], part) || strcmp(part[2], a->host) != 0 ||
		    strcmp(part[3], "pending.json") != 0) {
			parts_free(part);
			continue;
		}
		k = xasprintf("%s/%s", part[0], part[1]);
		parts_free(part);
		if (g_hash_table_contains(done, k)) {
			free(k);
			continue;
		}
		free(k);
		strbuf_init(&body, FPKIT_LIMIT_API_ANSWER);
		if (s3_get(&a->s3, keys[i], &body, err) < 0) {
			strbuf_release(&body);
			goto out;
		}
		ev = json_loadb(body.buf, body.len, 0, NULL);
		strbuf_release(&body);
		if (!json_is_object(ev)) {
			json_decref(ev);
			error_set(err, EX_DATAERR, "s3://%s/%s: not a hook marker of fpkit",
				  a->url.bucket, keys[i]);
			goto out;
		}
		json_array_append_new(*pending, ev);
	}
	rc = 0;
out:
	g_hash_table_destroy(done);
	s3_keys_free(keys, nr);
	free(top);
	return rc;
}

int
s3archive_upload(const char *url, const char *path, const char *name, char **out_url,
		 bool *taken, struct error *err)
{
	struct s3archive a;
	char *key = NULL, *data = NULL, sha[DIGEST_HEX_SIZE];
	struct s3_put p = { 0 };
	struct s3_head h = { 0 };
	enum s3_put_outcome po;
	json_t *meta = NULL;
	const char *got;
	size_t len;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	*out_url = NULL;
	if (s3url_parse(&a.url, url, err) < 0 || s3conf_load(&a.conf, err) < 0 ||
	    s3_init(&a.s3, &a.conf, a.url.bucket, err) < 0)
		goto out;
	/* s3://B/P/NAME.tar.gz is the key; s3://B/P a prefix for NAME. */
	if (g_str_has_suffix(a.url.prefix, ".tar.gz"))
		key = xstrdup(a.url.prefix);
	else
		key = key_of(&a, name);
	*out_url = s3_object_url(&a.s3, key);
	if (read_file(path, &data, &len, err) < 0)
		goto out;
	digest_buffer(data, len, sha);
	meta = json_pack("{s:s}", "sha256", sha);
	p.key = key;
	p.data = data;
	p.len = len;
	p.content_type = "application/gzip";
	p.meta = meta;
	if (s3_put_new(&a.s3, &p, &po, err) < 0 || s3_head(&a.s3, key, &h, err) < 0)
		goto out;
	got = json_string_value(json_object_get(h.meta, "sha256"));
	*taken = po == S3_PUT_WAS_THERE ||
		 !(h.found && got && strcmp(got, sha) == 0 && h.size == (int64_t)len);
	if (po == S3_PUT_CREATED && *taken) {
		error_set(err, EX_IOERR, "'%s' was uploaded but does not read back as written",
			  *out_url);
		goto out;
	}
	rc = 0;
out:
	s3_head_release(&h);
	json_decref(meta);
	free(data);
	free(key);
	s3_release(&a.s3);
	s3conf_release(&a.conf);
	s3url_release(&a.url);
	return rc;
}
