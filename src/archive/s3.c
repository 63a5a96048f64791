/* s3.c - an S3-compatible object store over libcurl, signed with AWS
 * Signature V4 (CURLOPT_AWS_SIGV4).
 *
 * What libcurl signs, and what fpkit does so that the signature is the
 * one the server computes on every libcurl Debian ships (7.88.1 in
 * Debian 12):
 *  - the payload hash: libcurl uses the value of an x-amz-content-sha256
 *    header when the request has one (curl pull requests 9804 and 9995,
 *    end of 2022); without it, older versions signed the hash of an
 *    empty payload (curl issue 8810) and later ones sign
 *    UNSIGNED-PAYLOAD.  fpkit always sends the header with the real
 *    SHA-256 of the body, so the server can check the bytes too;
 *  - the query: libcurl did not sort the parameters of the canonical
 *    query (curl issue 9717) nor percent-encode them as SigV4 wants
 *    (curl issue 11794, fixed in September 2023 in later versions):
 *    fpkit writes every query already sorted and encoded (upper-case
 *    %XX, unreserved characters alone left as they are);
 *  - the path: libcurl signs it as sent, so object keys are kept to
 *    [A-Za-z0-9._~/-] (s3url_key_ok), which need no encoding at all;
 *  - the headers: later versions sort the signed headers by their lower
 *    case names (curl's test 1976); fpkit sends every x-amz-* header in
 *    lower case, so the order is the same either way;
 *  - a header removed the libcurl way ("Expect:") is signed by 7.88.1 as
 *    an empty header the server never sees: fpkit removes none;
 *  - the region: "aws:amz:REGION:s3" names it, never guessed from the
 *    host name (which libcurl tries for amazonaws.com alone).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "digest.h"
#include "error.h"
#include "s3.h"
#include "s3conf.h"
#include "timefmt.h"
#include "xalloc.h"

#define S3_DEFAULT_RETRIES 3
#define S3_DEFAULT_RETRY_BASE_MS 1000
#define S3_CONNECT_TIMEOUT_MS 10000L
#define S3_TIMEOUT_MS 300000L
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

int
s3_init(struct s3 *s, const struct s3conf *conf, const char *bucket, struct error *err)
{
	const char *base = getenv("FPKIT_RETRY_BASE_MS");

	memset(s, 0, sizeof(*s));
	s->conf = conf;
	s->retries = S3_DEFAULT_RETRIES;
	s->retry_base_ms = S3_DEFAULT_RETRY_BASE_MS;
	s->timeout_ms = S3_TIMEOUT_MS;
	if (base && *base) {
		char *end;
		long v;

		errno = 0;
		v = strtol(base, &end, 10);
		if (errno || *end || v < 0 || v > 600000)
			return error_set(err, EX_USAGE, "FPKIT_RETRY_BASE_MS='%.32s' is not a number "
					 "of milliseconds from 0 to 600000", base);
		s->retry_base_ms = v;
	}
	s->curl = curl_easy_init();
	if (s->curl == NULL)
		return error_set(err, EX_OSERR, "cannot set up libcurl");
	s->bucket = xstrdup(bucket);
	return 0;
}

void
s3_release(struct s3 *s)
{
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->bucket);
	memset(s, 0, sizeof(*s));
}

char *
s3_object_url(const struct s3 *s, const char *key)
{
	return xasprintf("s3://%s/%s", s->bucket, key);
}

/* SigV4's encoding of a query value: unreserved characters as they are,
 * everything else %XX in upper case. */
static void
query_encode(struct strbuf *sb, const char *v)
{
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			strbuf_addch(sb, c);
		else
			strbuf_addf(sb, "%%%02X", c);
	}
}

/* The URL of 'key' (NULL: the bucket itself) with 'query' (already
 * sorted and encoded, or NULL) (new). */
static char *
object_url(const struct s3 *s, const char *key, const char *query)
{
	const char *ep = s->conf->endpoint;
	const char *host = strstr(ep, "//") + 2;
	char *url;

	/* The bucket itself is /BUCKET, not /BUCKET/: the AWS SDKs sign
	 * it so, and some servers (s3rver) check it so. */
	if (s->conf->path_style)
		url = xasprintf("%s/%s%s%s%s%s", ep, s->bucket, key ? "/" : "", key ? key : "",
				query ? "?" : "", query ? query : "");
	else
		url = xasprintf("%.*s%s.%s/%s%s%s", (int)(host - ep), ep, s->bucket, host,
				key ? key : "", query ? "?" : "", query ? query : "");
	return url;
}

/* One request and its answer. */
struct req {
	const char *method;
	char *url;
	const void *data;
	size_t len, sent;
	struct curl_slist *headers;
	long status;
	struct strbuf body;
	json_t *meta;			/* x-amz-meta-* of the answer */
	int64_t content_length;
	char *lock_mode, *retain_until;
	char *bucket_region;		/* x-amz-bucket-region of a 301 */
	char curl_error[CURL_ERROR_SIZE];
	CURLcode rc;
	bool too_big;			/* the answer passed S3_BODY_MAX */
};

static size_t
on_body(char *ptr, size_t size, size_t n, void *arg)
{
	struct req *r = arg;

	if (strbuf_add(&r->body, ptr, size * n) < 0) {
		r->too_big = true;
		return 0;	/* over S3_BODY_MAX: the transfer stops */
	}
	return size * n;
}

static size_t
on_read(char *ptr, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t left = r->len - r->sent, take = size * n < left ? size * n : left;

	memcpy(ptr, (const char *)r->data + r->sent, take);
	r->sent += take;
	return take;
}

static char *
header_value(const char *v, size_t len)
{
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
		len--;
	while (len && *v == ' ') {
		v++;
		len--;
	}
	return xstrndup(v, len);
}

static size_t
on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = size * n;
	const char *colon = memchr(buf, ':', len);
	char *name;

	if (colon == NULL) {
		/* A new status line: the headers of a 100 Continue are gone. */
		if (len > 5 && strncmp(buf, "HTTP/", 5) == 0) {
			json_object_clear(r->meta);
			r->content_length = -1;
		}
		return len;
	}
	name = g_ascii_strdown(buf, colon - buf);
	if (strncmp(name, "x-amz-meta-", 11) == 0 && name[11]) {
		char *v = header_value(colon + 1, len - (size_t)(colon + 1 - buf));

		json_object_set_new(r->meta, name + 11, json_string(v));
		free(v);
	} else if (strcmp(name, "content-length") == 0) {
		char *v = header_value(colon + 1, len - (size_t)(colon + 1 - buf));

		r->content_length = strtoll(v, NULL, 10);
		free(v);
	} else if (strcmp(name, "x-amz-object-lock-mode") == 0) {
		free(r->lock_mode);
		r->lock_mode = header_value(colon + 1, len - (size_t)(colon + 1 - buf));
	} else if (strcmp(name, "x-amz-bucket-region") == 0) {
		free(r->bucket_region);
		r->bucket_region = header_value(colon + 1, len - (size_t)(colon + 1 - buf));
	} else if (strcmp(name, "x-amz-object-lock-retain-until-date") == 0) {
		free(r->retain_until);
		r->retain_until = header_value(colon + 1, len - (size_t)(colon + 1 - buf));
	}
	g_free(name);
	return len;
}

static void
req_init(struct req *r, const char *method, char *url)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->url = url;
	strbuf_init(&r->body, S3_BODY_MAX);
	r->meta = json_object();
	r->content_length = -1;
}

static void
req_release(struct req *r)
{
	free(r->url);
	curl_slist_free_all(r->headers);
	strbuf_release(&r->body);
	json_decref(r->meta);
	free(r->lock_mode);
	free(r->retain_until);
	free(r->bucket_region);
}

static void
add_header(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add_header(struct req *r, const char *fmt, ...)
{
	va_list ap;
	char *h;

	va_start(ap, fmt);
	h = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->headers = curl_slist_append(r->headers, h);
	g_free(h);
}

/* One try of r: 0 when an answer came (any status), -1 when none did
 * (r->rc, r->curl_error say why). */
static int
try_once(struct s3 *s, struct req *r, const char *payload_sha)
{
	CURL *c = s->curl;
	char sigv4[128], *userpwd;
	struct curl_slist *h = NULL;

	curl_easy_reset(c);
	strbuf_reset(&r->body);
	json_object_clear(r->meta);
	r->content_length = -1;
	r->sent = 0;
	r->status = 0;
	r->curl_error[0] = '\0';
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", s->conf->region);
	userpwd = xasprintf("%s:%s", s->conf->access_key, s->conf->secret_key);
	for (struct curl_slist *i = r->headers; i; i = i->next)
		h = curl_slist_append(h, i->data);
	{
		char *v = xasprintf("x-amz-content-sha256: %s", payload_sha);

		h = curl_slist_append(h, v);
		free(v);
	}
	if (s->conf->session_token) {
		char *v = xasprintf("x-amz-security-token: %s", s->conf->session_token);

		h = curl_slist_append(h, v);
		free(v);
	}
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, s->conf->plain_http ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->curl_error);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, S3_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	if (strcmp(r->method, "PUT") == 0) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, r);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->len);
	} else if (strcmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	}
	if (s->trace) {
		char *line = xasprintf("%s %s", r->method, r->url);

		s->trace(s->arg, line);
		free(line);
	}
	r->rc = curl_easy_perform(c);
	memset(userpwd, 0, strlen(userpwd));
	free(userpwd);
	curl_easy_setopt(c, CURLOPT_USERPWD, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	if (r->rc != CURLE_OK) {
		if (r->curl_error[0] == '\0')
			snprintf(r->curl_error, sizeof(r->curl_error), "%s",
				 curl_easy_strerror(r->rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (s->trace) {
		char *line = xasprintf("%s %s: %ld", r->method, r->url, r->status);

		s->trace(s->arg, line);
		free(line);
	}
	return 0;
}

static bool
retryable(const struct req *r, int got)
{
	/* Not again what would fail the same way: an answer too large, a
	 * certificate refused, a URL fpkit cannot ask. */
	if (got < 0)
		return !r->too_big && r->rc != CURLE_URL_MALFORMAT &&
		       r->rc != CURLE_UNSUPPORTED_PROTOCOL &&
		       r->rc != CURLE_PEER_FAILED_VERIFICATION;
	return r->status >= 500 || r->status == 408 || r->status == 429;
}

/* Run r, tried again after a cut or a 5xx: 0 when an answer came. */
static int
run(struct s3 *s, struct req *r, const char *payload_sha)
{
	int got = -1;

	for (int t = 0; t <= s->retries; t++) {
		if (t) {
			long ms = s->retry_base_ms << (t - 1);

			if (ms > 30000)
				ms = 30000;
			g_usleep((gulong)ms * 1000);
		}
		got = try_once(s, r, payload_sha);
		if (!retryable(r, got))
			break;
	}
	return got;
}

/* Text of an XML element, for the error body and the listing. */
struct xml_state {
	GString *text;
	const char *want;	/* element names whose text is wanted */
	char *code, *message;
	GPtrArray *keys;
	char *next_token;
	bool truncated;
};

static void
xml_start(GMarkupParseContext *ctx, const char *name, const char **an, const char **av,
	  void *arg, GError **e)
{
	struct xml_state *x = arg;

	(void)ctx; (void)an; (void)av; (void)e; (void)name;
	g_string_truncate(x->text, 0);
}

static void
xml_end(GMarkupParseContext *ctx, const char *name, void *arg, GError **e)
{
	struct xml_state *x = arg;
	const GSList *stack = g_markup_parse_context_get_element_stack(ctx);
	const char *parent = stack && stack->next ? stack->next->data : "";

	(void)e;
	if (strcmp(name, "Code") == 0 && strcmp(parent, "Error") == 0 && !x->code)
		x->code = xstrdup(x->text->str);
	else if (strcmp(name, "Message") == 0 && strcmp(parent, "Error") == 0 && !x->message)
		x->message = xstrdup(x->text->str);
	else if (strcmp(name, "Key") == 0 && strcmp(parent, "Contents") == 0 && x->keys)
		g_ptr_array_add(x->keys, xstrdup(x->text->str));
	else if (strcmp(name, "NextContinuationToken") == 0 && !x->next_token)
		x->next_token = xstrdup(x->text->str);
	else if (strcmp(name, "IsTruncated") == 0)
		x->truncated = strcmp(x->text->str, "true") == 0;
	g_string_truncate(x->text, 0);
}

static void
xml_text(GMarkupParseContext *ctx, const char *text, gsize len, void *arg, GError **e)
{
	struct xml_state *x = arg;

	(void)ctx; (void)e;
	g_string_append_len(x->text, text, (gssize)len);
}

/* Parse an S3 XML body (the <?xml?> prolog skipped: GMarkup takes it as
 * a processing instruction).  -1 with 'why' (new) when it is no XML. */
static int
xml_parse(const struct strbuf *body, struct xml_state *x, char **why)
{
	static const GMarkupParser parser = { xml_start, xml_end, xml_text, NULL, NULL };
	GMarkupParseContext *ctx;
	GError *e = NULL;
	int rc = 0;

	x->text = g_string_new(NULL);
	ctx = g_markup_parse_context_new(&parser, 0, x, NULL);
	if (!g_markup_parse_context_parse(ctx, body->buf, (gssize)body->len, &e) ||
	    !g_markup_parse_context_end_parse(ctx, &e)) {
		*why = xstrdup(e ? e->message : "not XML");
		rc = -1;
	}
	if (e)
		g_error_free(e);
	g_markup_parse_context_free(ctx);
	g_string_free(x->text, TRUE);
	x->text = NULL;
	return rc;
}

/* The error of a request that got no answer or a non-2xx one. */
static int
req_error(const struct req *r, const char *what, struct error *err)
{
	struct xml_state x = { 0 };
	char *why = NULL;
	int status;

	if (r->too_big)
		return error_set(err, EX_PROTOCOL, "%s: the answer is larger than %zu bytes: "
				 "is the endpoint an S3 server?", what, S3_BODY_MAX);
	if (r->status == 0)
		return error_set(err, EX_TEMPFAIL, "%s: %s", what, r->curl_error);
	if (r->body.len)
		(void)xml_parse(&r->body, &x, &why);
	free(why);
	if (r->status == 401 || r->status == 403)
		status = EX_NOPERM;
	else if (r->status == 404)
		status = EX_NOINPUT;
	else if (r->status >= 500 || r->status == 408 || r->status == 429)
		status = EX_TEMPFAIL;
	else
		status = EX_PROTOCOL;
	if (x.code && (strcmp(x.code, "NoSuchBucket") == 0 ||
		       strcmp(x.code, "ObjectLockConfigurationNotFoundError") == 0 ||
		       strcmp(x.code, "InvalidBucketState") == 0))
		status = EX_CONFIG;
	if (r->status == 301 || (x.code && strcmp(x.code, "PermanentRedirect") == 0)) {
		/* AWS's answer to a bucket asked in another region. */
		error_set(err, EX_CONFIG, "%s: %ld: the bucket is in %s%s%s: set AWS_REGION "
			  "(or 'region') to it", what, r->status,
			  r->bucket_region ? "region '" : "another region",
			  r->bucket_region ? r->bucket_region : "",
			  r->bucket_region ? "'" : "");
	} else if (x.code == NULL && (r->status == 401 || r->status == 403)) {
		/* A HEAD's refusal has no body to say why. */
		error_set(err, status, "%s: %ld: access denied: check the keys, the region "
			  "and this host's clock", what, r->status);
	} else {
		error_set(err, status, "%s: %ld %s%s%s", what, r->status, x.code ? x.code : "",
			  x.message ? ": " : "", x.message ? x.message : "");
	}
	free(x.code);
	free(x.message);
	return -1;
}

static char *
what_of(const char *method, const struct s3 *s, const char *key)
{
	return xasprintf("%s s3://%s/%s", method, s->bucket, key ? key : "");
}

int
s3_head(struct s3 *s, const char *key, struct s3_head *h, struct error *err)
{
	struct req r;
	char *what = what_of("HEAD", s, key);
	int rc = -1;

	memset(h, 0, sizeof(*h));
	req_init(&r, "HEAD", object_url(s, key, NULL));
	if (run(s, &r, EMPTY_SHA256) < 0 || (r.status != 404 && r.status / 100 != 2)) {
		req_error(&r, what, err);
		goto out;
	}
	if (r.status == 200) {
		h->found = true;
		h->size = r.content_length;
		h->meta = json_incref(r.meta);
		h->lock_mode = r.lock_mode;
		h->retain_until = r.retain_until;
		r.lock_mode = r.retain_until = NULL;
	}
	rc = 0;
out:
	req_release(&r);
	free(what);
	return rc;
}

void
s3_head_release(struct s3_head *h)
{
	json_decref(h->meta);
	free(h->lock_mode);
	free(h->retain_until);
	memset(h, 0, sizeof(*h));
}

int
s3_get(struct s3 *s, const char *key, struct strbuf *body, struct error *err)
{
	struct req r;
	char *what = what_of("GET", s, key);
	int rc = -1;

	req_init(&r, "GET", object_url(s, key, NULL));
	if (run(s, &r, EMPTY_SHA256) < 0 || r.status / 100 != 2) {
		req_error(&r, what, err);
		goto out;
	}
	strbuf_reset(body);
	if (strbuf_add(body, r.body.buf, r.body.len) < 0) {
		error_set(err, EX_DATAERR, "%s: over %zu bytes", what, body->max);
		goto out;
	}
	rc = 0;
out:
	req_release(&r);
	free(what);
	return rc;
}

/* Content-MD5: base64 of the MD5 of the data (new). */
static char *
content_md5(const void *data, size_t len)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_MD5);
	guint8 md[16];
	gsize n = sizeof(md);
	char *b64, *out;

	g_checksum_update(ck, data, len);
	g_checksum_get_digest(ck, md, &n);
	g_checksum_free(ck);
	b64 = g_base64_encode(md, n);
	out = xstrdup(b64);
	g_free(b64);
	return out;
}

/* A metadata value as a header may carry it: printable ASCII. */
static bool
meta_value_ok(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return false;
	return true;
}

int
s3_put_new(struct s3 *s, const struct s3_put *p, enum s3_put_outcome *out,
	   struct error *err)
{
	struct s3_head h = { 0 };
	struct req r;
	char *what = what_of("PUT", s, p->key), sha[DIGEST_HEX_SIZE], *md5;
	const char *name;
	json_t *v;
	int rc = -1;

	if (!s3url_key_ok(p->key))
		return error_set(err, EX_SOFTWARE, "%s: not a key fpkit writes", what);
	if (!p->replace && s3_head(s, p->key, &h, err) < 0) {
		free(what);
		return -1;
	}
	if (!p->replace && h.found) {
		s3_head_release(&h);
		*out = S3_PUT_WAS_THERE;
		free(what);
		return 0;
	}
	digest_buffer(p->data, p->len, sha);
	md5 = content_md5(p->data, p->len);
	req_init(&r, "PUT", object_url(s, p->key, NULL));
	r.data = p->data;
	r.len = p->len;
	add_header(&r, "Content-Type: %s", p->content_type ? p->content_type
							  : "application/octet-stream");
	add_header(&r, "Content-MD5: %s", md5);
	if (!p->replace)
		add_header(&r, "If-None-Match: *");
	json_object_foreach(p->meta, name, v) {
		const char *val = json_string_value(v);

		if (val && meta_value_ok(val))
			add_header(&r, "x-amz-meta-%s: %s", name, val);
	}
	if (p->lock_mode) {
		char until[TIMEFMT_ISO_LEN];

		add_header(&r, "x-amz-object-lock-mode: %s", p->lock_mode);
		add_header(&r, "x-amz-object-lock-retain-until-date: %s",
			   timefmt_iso_utc(p->retain_until, until));
	}
	/* Tried again by hand, not by run(): before each new try a HEAD
	 * tells whether the last one was written though its answer was
	 * lost, so that an object is never written twice. */
	for (int t = 0;; t++) {
		int got = try_once(s, &r, sha);

		if (got == 0 && r.status / 100 == 2) {
			*out = S3_PUT_CREATED;
			break;
		}
		if (got == 0 && (r.status == 412 || r.status == 409)) {
			/* Another writer came in between. */
			*out = S3_PUT_EXISTS;
			break;
		}
		if (t < s->retries && retryable(&r, got)) {
			long ms = s->retry_base_ms << t;

			g_usleep((gulong)(ms > 30000 ? 30000 : ms) * 1000);
			if (p->replace)
				continue;
			if (s3_head(s, p->key, &h, err) < 0)
				goto out;
			if (h.found) {
				s3_head_release(&h);
				*out = S3_PUT_EXISTS;
				break;
			}
			continue;
		}
		req_error(&r, what, err);
		goto out;
	}
	rc = 0;
out:
	req_release(&r);
	free(md5);
	free(what);
	return rc;
}

int
s3_list(struct s3 *s, const char *prefix, char ***keys, size_t *nr, struct error *err)
{
	GPtrArray *all = g_ptr_array_new();
	char *token = NULL, *what = xasprintf("list s3://%s/%s", s->bucket, prefix);
	int rc = -1;

	*keys = NULL;
	*nr = 0;
	for (int page = 0;; page++) {
		struct strbuf q;
		struct xml_state x = { 0 };
		struct req r;
		char *why = NULL;
		int bad;

		/* Sorted by name: continuation-token, list-type, prefix. */
		strbuf_init(&q, STRBUF_NO_MAX);
		if (token) {
			strbuf_addstr(&q, "continuation-token=");
			query_encode(&q, token);
			strbuf_addch(&q, '&');
		}
		strbuf_addstr(&q, "list-type=2&prefix=");
		query_encode(&q, prefix);
		req_init(&r, "GET", object_url(s, NULL, q.buf));
		strbuf_release(&q);
		if (run(s, &r, EMPTY_SHA256) < 0 || r.status / 100 != 2) {
			req_error(&r, what, err);
			req_release(&r);
			goto out;
		}
		x.keys = all;
		bad = xml_parse(&r.body, &x, &why);
		req_release(&r);
		free(x.code);
		free(x.message);
		if (!bad && x.truncated && token && x.next_token &&
		    strcmp(token, x.next_token) == 0) {
			/* The same page again: a server that would be listed
			 * for ever. */
			free(token);
			free(x.next_token);
			token = NULL;
			error_set(err, EX_PROTOCOL, "%s: the listing gives the same "
				  "NextContinuationToken twice", what);
			goto out;
		}
		free(token);
		token = x.next_token;
		if (bad) {
			error_set(err, EX_PROTOCOL, "%s: the answer is not a listing: %s", what, why);
			free(why);
			goto out;
		}
		if (!x.truncated)
			break;
		if (token == NULL || page > 1000000) {
			error_set(err, EX_PROTOCOL, "%s: a truncated listing without "
				  "NextContinuationToken", what);
			goto out;
		}
	}
	*nr = all->len;
	g_ptr_array_add(all, NULL);
	*keys = (char **)g_ptr_array_free(all, FALSE);
	all = NULL;
	rc = 0;
out:
	if (all) {
		for (guint i = 0; i < all->len; i++)
			free(all->pdata[i]);
		g_ptr_array_free(all, TRUE);
	}
	free(token);
	free(what);
	return rc;
}

void
s3_keys_free(char **keys, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(keys[i]);
	g_free(keys);
}
