/* fake-s3.c - fpkit's own S3-compatible stand-in for the tests, on
 * loopback, for what s3rver does not do: it checks the AWS Signature V4
 * of every request, the payload against x-amz-content-sha256 and
 * Content-MD5, keeps or refuses Object Lock headers (and wants
 * Content-MD5 with them, as S3 does), honours If-None-Match: *, pages
 * ListObjectsV2 with continuation tokens that need encoding, answers
 * path-style and virtual-host style (BUCKET.localhost) requests, and
 * injects faults.  Built on libmicrohttpd as tests/fake-ovh is.
 *
 * Usage: fake-s3 --port-file FILE --access-key AK --secret-key SK
 *                --region REGION [--log FILE] [--no-lock] [--max-keys N]
 *                [--bucket-region REGION] [--fault KIND:SUBSTR:N]...
 *   --no-lock        a bucket without Object Lock: lock headers get 400
 *                    InvalidRequest, as S3 answers
 *   --bucket-region  a request signed for another region gets 301
 *                    PermanentRedirect with x-amz-bucket-region
 *   --fault          the Nth PUT whose key holds SUBSTR gets KIND: 503
 *                    (the body read, nothing stored, 503 SlowDown), cut
 *                    (the object stored, then the connection closed
 *                    without an answer), drop (the connection closed in
 *                    the middle of the body, nothing stored)
 * Each request is one JSON line of the log: method, bucket, key, query,
 * host, status, the headers that matter, the fault.  Stopped by SIGTERM.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

struct fault {
	const char *kind;
	char *sub;
	int n, seen;
};

struct object {
	GBytes *body;
	json_t *meta;		/* lower-case names without x-amz-meta- */
	char *type, *lock_mode, *lock_until;
};

struct server {
	const char *ak, *sk, *region, *bucket_region;
	bool no_lock;
	int max_keys;
	struct fault *faults;
	size_t nr_faults;
	GMutex lock;
	GHashTable *store;	/* "BUCKET\nKEY" -> struct object */
	FILE *log;
};

struct req {
	char *raw_uri;
	bool started;
	GByteArray *body;
	size_t expect;
	const char *fault;	/* static kind, or NULL */
	char *bucket, *key, *host;
	json_t *entry;
};

static void
object_free(void *p)
{
	struct object *o = p;

	g_bytes_unref(o->body);
	json_decref(o->meta);
	g_free(o->type);
	g_free(o->lock_mode);
	g_free(o->lock_until);
	g_free(o);
}

static void
log_entry(struct server *srv, json_t *entry)
{
	if (!srv->log)
		return;
	g_mutex_lock(&srv->lock);
	json_dumpf(entry, srv->log, JSON_COMPACT);
	fputc('\n', srv->log);
	fflush(srv->log);
	g_mutex_unlock(&srv->lock);
}

static const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* A query argument as sent (the unescape callback leaves them raw),
 * decoded (new). */
static char *
arg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);

	return v ? g_uri_unescape_string(v, NULL) : NULL;
}

/* SigV4's encoding: unreserved characters as they are, the rest %XX. */
static void
encode(GString *out, const char *s, bool keep_slash)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (g_ascii_isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' ||
		    (keep_slash && ch == '/'))
			g_string_append_c(out, (char)ch);
		else
			g_string_append_printf(out, "%%%02X", ch);
	}
}

static int
cmp_pairs(const void *x, const void *y)
{
	char *const *a = x, *const *b = y;
	int c = strcmp(a[0], b[0]);

	return c ? c : strcmp(a[1], b[1]);
}

/* The canonical query of a raw query string (new). */
static char *
canonical_query(const char *query)
{
	char **parts = g_strsplit(query ? query : "", "&", -1);
	guint n = g_strv_length(parts), k = 0;
	char **pairs = g_new0(char *, 2 * (n + 1));
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < n; i++) {
		char *eq;

		if (!*parts[i])
			continue;
		eq = strchr(parts[i], '=');
		if (eq)
			*eq = '\0';
		pairs[2 * k] = g_uri_unescape_string(parts[i], NULL);
		pairs[2 * k + 1] = g_uri_unescape_string(eq ? eq + 1 : "", NULL);
		if (!pairs[2 * k])
			pairs[2 * k] = g_strdup("");
		if (!pairs[2 * k + 1])
			pairs[2 * k + 1] = g_strdup("");
		k++;
	}
	qsort(pairs, k, 2 * sizeof(*pairs), cmp_pairs);
	for (guint i = 0; i < k; i++) {
		if (i)
			g_string_append_c(out, '&');
		encode(out, pairs[2 * i], false);
		g_string_append_c(out, '=');
		encode(out, pairs[2 * i + 1], false);
		g_free(pairs[2 * i]);
		g_free(pairs[2 * i + 1]);
	}
	g_free(pairs);
	g_strfreev(parts);
	return g_string_free(out, FALSE);
}

static void
hmac(const guint8 *key, gsize klen, const char *msg, guint8 out[32])
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key, klen);
	gsize n = 32;

	g_hmac_update(h, (const guchar *)msg, (gssize)strlen(msg));
	g_hmac_get_digest(h, out, &n);
	g_hmac_unref(h);
}

/* NULL when the request is signed right, else the refusal: *status,
 * and the code and message (static). */
static const char *
check_signature(struct server *srv, struct MHD_Connection *c, struct req *r,
		const char *method, unsigned *status, const char **msg)
{
	const char *auth = header(c, "Authorization"), *sha = header(c, "x-amz-content-sha256");
	const char *date = header(c, "x-amz-date");
	char *cred = NULL, *signed_h = NULL, *sig = NULL, **cp = NULL, **hs = NULL, **parts;
	char *path, *query, *cq, *body_sha, *canon_sha, *sts, *want;
	const char *code = NULL;
	GString *canon;
	guint8 k[32], k2[32];
	char *secret;

	*status = 403;
	if (!auth || strncmp(auth, "AWS4-HMAC-SHA256 ", 17) != 0) {
		*msg = "no SigV4 Authorization";
		return "AccessDenied";
	}
	parts = g_strsplit(auth + 17, ",", -1);
	for (guint i = 0; parts[i]; i++) {
		char *p = g_strstrip(parts[i]);

		if (g_str_has_prefix(p, "Credential="))
			cred = p + 11;
		else if (g_str_has_prefix(p, "SignedHeaders="))
			signed_h = p + 14;
		else if (g_str_has_prefix(p, "Signature="))
			sig = p + 10;
	}
	if (!cred || !signed_h || !sig || g_strv_length(cp = g_strsplit(cred, "/", -1)) != 5) {
		*msg = "a malformed Authorization";
		code = "AccessDenied";
		goto out;
	}
	if (strcmp(cp[0], srv->ak) != 0) {
		*msg = "unknown access key";
		code = "InvalidAccessKeyId";
		goto out;
	}
	if (srv->bucket_region && strcmp(cp[2], srv->bucket_region) != 0) {
		*status = 301;
		*msg = "The bucket you are attempting to access must be addressed using the "
		       "specified endpoint.";
		code = "PermanentRedirect";
		goto out;
	}
	if (strcmp(cp[2], srv->region) != 0 || strcmp(cp[3], "s3") != 0) {
		*status = 400;
		*msg = "the region is wrong";
		code = "AuthorizationHeaderMalformed";
		goto out;
	}
	*status = 400;
	if (!sha) {
		*msg = "x-amz-content-sha256 is required";
		code = "InvalidRequest";
		goto out;
	}
	body_sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, r->body->data, r->body->len);
	if (strcmp(body_sha, sha) != 0) {
		g_free(body_sha);
		*msg = "the payload hash does not match";
		code = "XAmzContentSHA256Mismatch";
		goto out;
	}
	g_free(body_sha);
	*status = 403;
	hs = g_strsplit(signed_h, ";", -1);
	if (!g_strv_contains((const char *const *)hs, "host") ||
	    !g_strv_contains((const char *const *)hs, "x-amz-date") ||
	    !g_strv_contains((const char *const *)hs, "x-amz-content-sha256") || !date) {
		*msg = "host, x-amz-date and x-amz-content-sha256 must be signed";
		code = "AccessDenied";
		goto out;
	}
	path = g_strdup(r->raw_uri);
	query = strchr(path, '?');
	if (query)
		*query++ = '\0';
	cq = canonical_query(query);
	canon = g_string_new(method);
	g_string_append_printf(canon, "\n%s\n%s\n", path, cq);
	for (guint i = 0; hs[i]; i++) {
		const char *v = header(c, hs[i]);
		char **words = g_strsplit_set(v ? v : "", " \t", -1);
		bool first = true;

		g_string_append_printf(canon, "%s:", hs[i]);
		for (guint j = 0; words[j]; j++) {
			if (!*words[j])
				continue;
			g_string_append_printf(canon, "%s%s", first ? "" : " ", words[j]);
			first = false;
		}
		g_string_append_c(canon, '\n');
		g_strfreev(words);
	}
	g_string_append_printf(canon, "\n%s\n%s", signed_h, sha);
	canon_sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256, canon->str, -1);
	sts = g_strdup_printf("AWS4-HMAC-SHA256\n%s\n%s/%s/%s/%s\n%s", date, cp[1], cp[2], cp[3],
			      cp[4], canon_sha);
	secret = g_strdup_printf("AWS4%s", srv->sk);
	hmac((const guint8 *)secret, strlen(secret), cp[1], k);
	hmac(k, 32, cp[2], k2);
	hmac(k2, 32, cp[3], k);
	hmac(k, 32, "aws4_request", k2);
	{
		GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, k2, 32);

		g_hmac_update(h, (const guchar *)sts, -1);
		want = g_strdup(g_hmac_get_string(h));
		g_hmac_unref(h);
	}
	if (strcmp(want, sig) != 0) {
		*msg = "the signature does not match";
		code = "SignatureDoesNotMatch";
	}
	g_free(want);
	g_free(secret);
	g_free(sts);
	g_free(canon_sha);
	g_string_free(canon, TRUE);
	g_free(cq);
	g_free(path);
out:
	g_strfreev(hs);
	g_strfreev(cp);
	g_strfreev(parts);
	return code;
}

static MHD_Result_t
answer(struct server *srv, struct MHD_Connection *c, struct req *r, unsigned status,
       const void *body, size_t len, const char *type)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body,
								    MHD_RESPMEM_MUST_COPY);
	MHD_Result_t rc;

	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
	json_object_set_new(r->entry, "status", json_integer(status));
	log_entry(srv, r->entry);
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static MHD_Result_t
answer_error(struct server *srv, struct MHD_Connection *c, struct req *r, unsigned status,
	     const char *code, const char *msg)
{
	char *xml = g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s"
				    "</Code><Message>%s</Message></Error>", code, msg);
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(xml), xml,
								    MHD_RESPMEM_MUST_FREE);
	MHD_Result_t rc;

	MHD_add_response_header(resp, "Content-Type", "application/xml");
	if (status == 301)
		MHD_add_response_header(resp, "x-amz-bucket-region", srv->bucket_region);
	json_object_set_new(r->entry, "status", json_integer(status));
	log_entry(srv, r->entry);
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static MHD_Result_t
collect_meta(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
	json_t *meta = cls;

	(void)kind;
	if (g_ascii_strncasecmp(name, "x-amz-meta-", 11) == 0) {
		char *n = g_ascii_strdown(name + 11, -1);

		json_object_set_new(meta, n, json_string(value));
		g_free(n);
	}
	return MHD_YES;
}

static MHD_Result_t
put(struct server *srv, struct MHD_Connection *c, struct req *r)
{
	const char *md5 = header(c, "Content-MD5"), *mode = header(c, "x-amz-object-lock-mode");
	const char *until = header(c, "x-amz-object-lock-retain-until-date");
	const char *inm = header(c, "If-None-Match");
	char *id = g_strdup_printf("%s\n%s", r->bucket, r->key);
	bool taken = false;

	if (md5) {
		GChecksum *ck = g_checksum_new(G_CHECKSUM_MD5);
		guint8 d[16];
		gsize n = 16;
		char *b64;
		bool ok;

		g_checksum_update(ck, r->body->data, r->body->len);
		g_checksum_get_digest(ck, d, &n);
		g_checksum_free(ck);
		b64 = g_base64_encode(d, n);
		ok = strcmp(b64, md5) == 0;
		g_free(b64);
		if (!ok) {
			g_free(id);
			return answer_error(srv, c, r, 400, "BadDigest", "Content-MD5 does not match");
		}
	}
	if (mode || until) {
		const char *err = NULL;

		if (srv->no_lock)
			err = "Bucket is missing Object Lock Configuration";
		else if (!md5)
			err = "Content-MD5 HTTP header is required for Put Object requests with "
			      "Object Lock parameters";
		else if (!mode || !until ||
			 (strcmp(mode, "GOVERNANCE") != 0 && strcmp(mode, "COMPLIANCE") != 0))
			err = "bad lock";
		if (err) {
			g_free(id);
			return answer_error(srv, c, r, 400, "InvalidRequest", err);
		}
	}
	g_mutex_lock(&srv->lock);
	if (inm && strcmp(inm, "*") == 0 && g_hash_table_contains(srv->store, id) && !r->fault) {
		taken = true;
	} else if (!r->fault || strcmp(r->fault, "503") != 0) {
		struct object *o = g_new0(struct object, 1);
		const char *type = header(c, "Content-Type");

		o->body = g_bytes_new(r->body->data, r->body->len);
		o->meta = json_object();
		MHD_get_connection_values(c, MHD_HEADER_KIND, collect_meta, o->meta);
		o->type = g_strdup(type ? type : "");
		o->lock_mode = g_strdup(mode);
		o->lock_until = g_strdup(until);
		g_hash_table_replace(srv->store, g_strdup(id), o);
	}
	g_mutex_unlock(&srv->lock);
	g_free(id);
	if (taken)
		return answer_error(srv, c, r, 412, "PreconditionFailed", "the key exists");
	if (r->fault && strcmp(r->fault, "503") == 0) {
		json_object_set_new(r->entry, "fault", json_string("503"));
		return answer_error(srv, c, r, 503, "SlowDown", "please reduce your request rate");
	}
	if (r->fault && strcmp(r->fault, "cut") == 0) {
		/* Stored; the connection closed without an answer. */
		json_object_set_new(r->entry, "fault", json_string("cut"));
		json_object_set_new(r->entry, "status", json_integer(0));
		log_entry(srv, r->entry);
		return MHD_NO;
	}
	return answer(srv, c, r, 200, "", 0, NULL);
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static MHD_Result_t
listing(struct server *srv, struct MHD_Connection *c, struct req *r)
{
	char *prefix_arg = arg(c, "prefix"), *token = arg(c, "continuation-token");
	const char *prefix = prefix_arg;
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	GString *xml = g_string_new(NULL);
	char *after = NULL;
	GHashTableIter it;
	gpointer k;
	guint start = 0, n;
	MHD_Result_t rc;
	size_t blen = strlen(r->bucket);

	prefix = prefix ? prefix : "";
	g_mutex_lock(&srv->lock);
	g_hash_table_iter_init(&it, srv->store);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		const char *id = k;

		if (strncmp(id, r->bucket, blen) == 0 && id[blen] == '\n' &&
		    g_str_has_prefix(id + blen + 1, prefix))
			g_ptr_array_add(keys, g_strdup(id + blen + 1));
	}
	g_mutex_unlock(&srv->lock);
	g_ptr_array_sort(keys, cmp_str);
	if (token) {
		gsize len;
		guchar *d = g_base64_decode(token, &len);

		after = g_strndup((const char *)d, len);
		g_free(d);
		while (start < keys->len && strcmp(keys->pdata[start], after) <= 0)
			start++;
	}
	n = keys->len - start < (guint)srv->max_keys ? keys->len - start : (guint)srv->max_keys;
	g_string_append_printf(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			       "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%u</KeyCount>"
			       "<IsTruncated>%s</IsTruncated>", r->bucket, prefix, n,
			       start + n < keys->len ? "true" : "false");
	for (guint i = start; i < start + n; i++)
		g_string_append_printf(xml, "<Contents><Key>%s</Key></Contents>",
				       (char *)keys->pdata[i]);
	if (start + n < keys->len) {
		/* Tokens with '+', '/' and '=': they must be encoded to be signed. */
		char *tok = g_base64_encode((const guchar *)keys->pdata[start + n - 1],
					    strlen(keys->pdata[start + n - 1]));

		g_string_append_printf(xml, "<NextContinuationToken>%s</NextContinuationToken>",
				       tok);
		g_free(tok);
	}
	g_string_append(xml, "</ListBucketResult>");
	rc = answer(srv, c, r, 200, xml->str, xml->len, "application/xml");
	g_string_free(xml, TRUE);
	g_ptr_array_free(keys, TRUE);
	g_free(after);
	g_free(prefix_arg);
	g_free(token);
	return rc;
}

static MHD_Result_t
get_or_head(struct server *srv, struct MHD_Connection *c, struct req *r)
{
	char *id = g_strdup_printf("%s\n%s", r->bucket, r->key);
	struct MHD_Response *resp;
	struct object *o;
	const char *name;
	json_t *v;
	MHD_Result_t rc;

	g_mutex_lock(&srv->lock);
	o = g_hash_table_lookup(srv->store, id);
	if (!o) {
		g_mutex_unlock(&srv->lock);
		g_free(id);
		return answer_error(srv, c, r, 404, "NoSuchKey", "no such key");
	}
	{
		gsize len;
		const void *data = g_bytes_get_data(o->body, &len);

		resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	}
	MHD_add_response_header(resp, "Content-Type", o->type);
	json_object_foreach(o->meta, name, v) {
		char *h = g_strdup_printf("x-amz-meta-%s", name);

		MHD_add_response_header(resp, h, json_string_value(v));
		g_free(h);
	}
	if (o->lock_mode) {
		MHD_add_response_header(resp, "x-amz-object-lock-mode", o->lock_mode);
		MHD_add_response_header(resp, "x-amz-object-lock-retain-until-date", o->lock_until);
	}
	g_mutex_unlock(&srv->lock);
	g_free(id);
	json_object_set_new(r->entry, "status", json_integer(200));
	log_entry(srv, r->entry);
	rc = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* The bucket, the key and the host of a request, from its raw URI and
 * its Host field (BUCKET.localhost: virtual-host style). */
static void
route(struct req *r, struct MHD_Connection *c)
{
	const char *host = header(c, "Host");
	char *path = g_strdup(r->raw_uri), *q = strchr(path, '?'), *p, *colon;

	if (q)
		*q = '\0';
	p = g_uri_unescape_string(path[0] == '/' ? path + 1 : path, NULL);
	r->host = g_strdup(host ? host : "");
	colon = strrchr(r->host, ':');
	if (colon)
		*colon = '\0';
	if (g_str_has_suffix(r->host, ".localhost")) {
		r->bucket = g_strndup(r->host, strlen(r->host) - strlen(".localhost"));
		r->key = g_strdup(p ? p : "");
	} else {
		char *slash = p ? strchr(p, '/') : NULL;

		r->bucket = slash ? g_strndup(p, (gsize)(slash - p)) : g_strdup(p ? p : "");
		r->key = g_strdup(slash ? slash + 1 : "");
	}
	g_free(p);
	g_free(path);
}

static MHD_Result_t
add_query(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
	char *v = g_uri_unescape_string(value ? value : "", NULL);

	(void)kind;
	json_object_set_new(cls, name, json_string(v ? v : ""));
	g_free(v);
	return MHD_YES;
}

static MHD_Result_t
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	static const char *const logged[] = {
		"If-None-Match", "Content-MD5", "x-amz-object-lock-mode",
		"x-amz-object-lock-retain-until-date", "x-amz-security-token",
	};
	struct server *srv = cls;
	struct req *r = *con_cls;
	const char *bad, *msg;
	unsigned status;

	(void)url;
	(void)version;
	if (!r->started) {
		const char *len = header(c, "Content-Length");
		json_t *query = json_object();

		r->started = true;
		r->expect = len ? (size_t)g_ascii_strtoull(len, NULL, 10) : 0;
		route(r, c);
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query, query);
		r->entry = json_pack("{s:s, s:s, s:s, s:o, s:s}", "method", method,
				     "bucket", r->bucket, "key", r->key, "query", query,
				     "host", r->host);
		for (size_t i = 0; i < G_N_ELEMENTS(logged); i++) {
			const char *v = header(c, logged[i]);

			if (v) {
				char *n = g_ascii_strdown(logged[i], -1);

				json_object_set_new(r->entry, n, json_string(v));
				g_free(n);
			}
		}
		if (strcmp(method, "PUT") == 0) {
			g_mutex_lock(&srv->lock);
			for (size_t i = 0; i < srv->nr_faults; i++) {
				struct fault *f = &srv->faults[i];

				if (strstr(r->key, f->sub) && ++f->seen == f->n)
					r->fault = f->kind;
			}
			g_mutex_unlock(&srv->lock);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		g_byte_array_append(r->body, (const guint8 *)upload_data, (guint)*upload_data_size);
		*upload_data_size = 0;
		if (r->fault && strcmp(r->fault, "drop") == 0 && r->body->len >= r->expect / 2) {
			/* The connection lost in the middle of the upload. */
			json_object_set_new(r->entry, "fault", json_string("drop"));
			json_object_set_new(r->entry, "status", json_integer(0));
			log_entry(srv, r->entry);
			return MHD_NO;
		}
		return MHD_YES;
	}
	bad = check_signature(srv, c, r, method, &status, &msg);
	if (bad)
		return answer_error(srv, c, r, status, bad, msg);
	if (strcmp(method, "PUT") == 0)
		return put(srv, c, r);
	if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) && *r->key)
		return get_or_head(srv, c, r);
	if (strcmp(method, "GET") == 0 &&
	    g_strcmp0(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "list-type"), "2") == 0)
		return listing(srv, c, r);
	return answer_error(srv, c, r, 400, "NotImplemented", "not in fake-s3");
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *r = g_new0(struct req, 1);

	(void)cls;
	(void)c;
	r->raw_uri = g_strdup(uri);
	r->body = g_byte_array_new();
	return r;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!r)
		return;
	g_free(r->raw_uri);
	g_byte_array_unref(r->body);
	g_free(r->bucket);
	g_free(r->key);
	g_free(r->host);
	json_decref(r->entry);
	g_free(r);
	*con_cls = NULL;
}

static size_t
no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static int
parse_fault(const char *arg, struct fault *f)
{
	char **p = g_strsplit(arg, ":", 3);
	guint64 n;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (g_strv_length(p) == 3 && (strcmp(p[0], "503") == 0 || strcmp(p[0], "cut") == 0 ||
				      strcmp(p[0], "drop") == 0) &&
	    g_ascii_string_to_unsigned(p[2], 10, 1, 1000000, &n, NULL)) {
		f->kind = strcmp(p[0], "503") == 0 ? "503" : strcmp(p[0], "cut") == 0 ? "cut"
											 : "drop";
		f->sub = g_strdup(p[1]);
		f->n = (int)n;
		rc = 0;
	} else {
		fprintf(stderr, "fake-s3: --fault takes 503|cut|drop:SUBSTR:N, not '%s'\n", arg);
	}
	g_strfreev(p);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port-file", required_argument, NULL, 'p' },
		{ "access-key", required_argument, NULL, 'a' },
		{ "secret-key", required_argument, NULL, 's' },
		{ "region", required_argument, NULL, 'r' },
		{ "bucket-region", required_argument, NULL, 'b' },
		{ "log", required_argument, NULL, 'l' },
		{ "no-lock", no_argument, NULL, 'n' },
		{ "max-keys", required_argument, NULL, 'm' },
		{ "fault", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct server srv;
	struct MHD_Daemon *daemon = NULL;
	const union MHD_DaemonInfo *info;
	const char *port_file = NULL;
	struct sockaddr_in sa;
	sigset_t sigs;
	int opt, sig, status = EX_USAGE;
	FILE *f;

	memset(&srv, 0, sizeof(srv));
	g_mutex_init(&srv.lock);
	srv.max_keys = 1000;
	srv.store = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, object_free);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': port_file = optarg; break;
		case 'a': srv.ak = optarg; break;
		case 's': srv.sk = optarg; break;
		case 'r': srv.region = optarg; break;
		case 'b': srv.bucket_region = optarg; break;
		case 'n': srv.no_lock = true; break;
		case 'm': {
			guint64 v;

			if (!g_ascii_string_to_unsigned(optarg, 10, 1, 1000, &v, NULL)) {
				fprintf(stderr, "fake-s3: --max-keys takes 1 to 1000\n");
				goto out;
			}
			srv.max_keys = (int)v;
			break;
		}
		case 'l':
			srv.log = fopen(optarg, "a");
			if (!srv.log) {
				fprintf(stderr, "fake-s3: cannot open '%s': %s\n", optarg,
					g_strerror(errno));
				goto out;
			}
			break;
		case 'f':
			srv.faults = g_renew(struct fault, srv.faults, srv.nr_faults + 1);
			if (parse_fault(optarg, &srv.faults[srv.nr_faults]) < 0)
				goto out;
			srv.nr_faults++;
			break;
		default:
			goto out;
		}
	}
	if (!port_file || !srv.ak || !srv.sk || !srv.region) {
		fprintf(stderr, "usage: fake-s3 --port-file FILE --access-key AK --secret-key SK "
			"--region REGION [--log FILE] [--no-lock] [--max-keys N] "
			"[--bucket-region REGION] [--fault KIND:SUBSTR:N]...\n");
		goto out;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
				  MHD_USE_AUTO | MHD_USE_ERROR_LOG | MHD_USE_ITC,
				  0, NULL, NULL, on_request, &srv,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_URI_LOG_CALLBACK, on_uri, &srv,
				  MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
				  MHD_OPTION_END);
	if (!daemon) {
		fprintf(stderr, "fake-s3: cannot start the HTTP server\n");
		status = EX_UNAVAILABLE;
		goto out;
	}
	info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || info->port == 0) {
		status = EX_UNAVAILABLE;
		goto out;
	}
	{
		char *tmp = g_strdup_printf("%s.tmp", port_file);

		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%u\n", info->port) < 0 || fclose(f) == EOF ||
		    rename(tmp, port_file) < 0) {
			fprintf(stderr, "fake-s3: cannot write '%s'\n", port_file);
			g_free(tmp);
			status = EX_CANTCREAT;
			goto out;
		}
		g_free(tmp);
	}
	do
		sig = sigwaitinfo(&sigs, NULL);
	while (sig < 0 && errno == EINTR);
	status = EX_OK;
out:
	if (daemon)
		MHD_stop_daemon(daemon);
	if (srv.log)
		fclose(srv.log);
	for (size_t i = 0; i < srv.nr_faults; i++)
		g_free(srv.faults[i].sub);
	g_free(srv.faults);
	g_hash_table_destroy(srv.store);
	g_mutex_clear(&srv.lock);
	return status;
}
