/* ovh.c - the OVH API client over libcurl's multi interface
 *
 * Every GET or POST of a batch is a call; each try of a call is one easy
 * handle added to the multi handle, never more than opt.parallel at
 * once, and never started before the rate bucket holds a token.  A try
 * that fails in a way worth trying again is put back in the queue with a
 * time before which it may not start (the backoff); the loop sleeps in
 * curl_multi_poll until a socket is ready, a backoff ends or a token
 * comes.  Nothing here prints: --verbose lines go to opt.trace. */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "curlload.h"
#include "error.h"
#include "netaddr.h"
#include "fpkit_limits.h"
#include "ovh.h"
#include "ovhconf.h"
#include "ovhsign.h"
#include "xalloc.h"

/* A Retry-After of ten digits or more (only the first nine are read). */
#define RETRY_AFTER_HUGE 1000000000L

/* Room for " (from 'FILE' line N)" in a message. */
#define PATH_MAX_FROM 512

struct ovh_xfer {
	CURL *easy;		/* the try in progress, NULL between tries */
	struct curl_slist *headers;
	char *url;		/* the absolute URL, as signed */
	bool active;		/* added to the multi handle */
	bool done;
	int64_t not_before;	/* monotonic ms: backoff */
	int64_t started;	/* monotonic ms: this try */
	bool too_big;		/* the body passed FPKIT_LIMIT_API_ANSWER */
	char query_id[128];	/* X-Ovh-QueryID of the answer */
	long retry_after;	/* Retry-After in seconds, -1 when absent,
				 * RETRY_AFTER_HUGE past 9 digits */
	char errbuf[CURL_ERROR_SIZE];
};

enum outcome { OUT_OK, OUT_RETRY, OUT_FAIL };

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ovh_options_init(struct ovh_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->connect_timeout_ms = OVH_DEFAULT_CONNECT_TIMEOUT_MS;
	opt->timeout_ms = OVH_DEFAULT_TIMEOUT_MS;
	opt->retries = OVH_DEFAULT_RETRIES;
	opt->parallel = OVH_DEFAULT_PARALLEL;
	opt->rate = OVH_DEFAULT_RATE;
	opt->retry_base_ms = OVH_DEFAULT_RETRY_BASE_MS;
}

void
ovh_call_init(struct ovh_call *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->method = "GET";
	c->path = xstrdup(path);
	strbuf_init(&c->body, FPKIT_LIMIT_API_ANSWER);
}

void
ovh_call_init_post(struct ovh_call *c, const char *path, const char *body)
{
	ovh_call_init(c, path);
	c->method = "POST";
	c->post_body = xstrdup(body);
}

void
ovh_call_init_unsigned_post(struct ovh_call *c, const char *path, const char *body)
{
	ovh_call_init_post(c, path, body);
	c->no_auth = true;
}

static void
xfer_end_try(struct ovh *o, struct ovh_xfer *x)
{
	if (x->easy) {
		if (x->active)
			curl_multi_remove_handle(o->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	x->easy = NULL;
	x->active = false;
	curl_slist_free_all(x->headers);
	x->headers = NULL;
}

void
ovh_call_release(struct ovh_call *c)
{
	free(c->path);
	free(c->post_body);
	strbuf_release(&c->body);
	json_decref(c->json);
	if (c->x) {
		/* A call is released after ovh_run, which ends every try. */
		free(c->x->url);
		free(c->x);
	}
	memset(c, 0, sizeof(*c));
}

int
ovh_check_endpoint(const char *url, const char *from, bool insecure_http, bool *plain,
		   struct error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *part = NULL;
	CURLUcode uc;
	int rc = -1;

	*plain = false;
	if (u == NULL)
		return error_set(err, EX_OSERR, "cannot set up libcurl");
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK) {
		if (strchr(url, '@'))
			error_set(err, EX_CONFIG, "the endpoint (from %s) is not a URL libcurl can "
				  "read: %s: give an endpoint name such as ovh-eu, or a URL such as "
				  "https://eu.api.ovh.com/1.0", from, curl_url_strerror(uc));
		else
			error_set(err, EX_CONFIG, "endpoint '%s' (from %s) is not a URL libcurl can "
				  "read: %s: give an endpoint name such as ovh-eu, or a URL such as "
				  "https://eu.api.ovh.com/1.0", url, from, curl_url_strerror(uc));
		goto out;
	}
	/* "user@", "user:password@", ":password@" and ";options@" all go
	 * to the server as credentials of their own. */
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_OPTIONS, &part, 0) == CURLUE_OK) {
		error_set(err, EX_CONFIG, "the endpoint (from %s) holds user information "
			  "('user:password@' before the host), which fpkit refuses to send: the API "
			  "needs none (it takes the application and consumer keys); remove it",
			  from);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		error_set(err, EX_CONFIG, "endpoint '%s' (from %s) has no scheme or no host: "
			  "give a URL such as https://eu.api.ovh.com/1.0", url, from);
		goto out;
	}
	if (strcasecmp(scheme, "https") == 0 ||
	    (strcasecmp(scheme, "http") == 0 && netaddr_host_is_loopback(host))) {
		rc = 0;
	} else if (strcasecmp(scheme, "http") != 0) {
		error_set(err, EX_CONFIG, "endpoint '%s' (from %s) is neither http:// nor "
			  "https://: give a URL such as https://eu.api.ovh.com/1.0", url, from);
	} else if (insecure_http) {
		*plain = true;
		rc = 0;
	} else {
		/* Before anything is sent: the keys and the signature would
		 * cross the network in clear, and anyone on the way could
		 * replay the signed requests or change the answers. */
		error_set(err, EX_CONFIG, "endpoint '%s' (from %s) is plain http to a host that is "
			  "not loopback: the application and consumer keys and the answers would "
			  "travel unencrypted; use https://, or give --insecure-http if the "
			  "network on the way is yours", url, from);
	}
out:
	curl_free(part);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
ovh_init(struct ovh *o, const struct ovhconf *conf, const struct ovh_options *opt,
	 struct error *err)
{
	memset(o, 0, sizeof(*o));
	o->conf = conf;
	o->opt = *opt;
	if (o->opt.parallel < 1)
		o->opt.parallel = 1;
	if (o->opt.rate < 1)
		o->opt.rate = 1;
	if (o->opt.retries < 0)
		o->opt.retries = 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return error_set(err, EX_OSERR, "cannot set up libcurl");
	o->multi = curl_multi_init();
	if (o->multi == NULL) {
		curl_global_cleanup();
		return error_set(err, EX_OSERR, "cannot set up libcurl");
	}
	curl_multi_setopt(o->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->opt.parallel);
	/* A bucket of 'burst' tokens refilled at rate - burst + 1 a minute
	 * lets at most 'rate' requests start in any minute: the burst keeps
	 * a pack (four requests) from waiting. */
	o->burst = o->opt.rate / 10;
	if (o->burst > 5)
		o->burst = 5;
	if (o->burst < 1)
		o->burst = 1;
	o->tokens = o->burst;
	o->refilled_ms = mono_ms();
	return 0;
}

void
ovh_release(struct ovh *o)
{
	if (o->multi) {
		curl_multi_cleanup(o->multi);
		curl_global_cleanup();
	}
	memset(o, 0, sizeof(*o));
}

int64_t
ovh_now(const struct ovh *o)
{
	return (int64_t)time(NULL) + (o->have_delta ? o->delta : 0);
}

static void
trace(struct ovh *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
trace(struct ovh *o, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (o->opt.trace == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->opt.trace(o->opt.arg, line);
}

/* Take a token from the rate bucket, or say in *wait_ms when the next
 * one comes. */
static bool
take_token(struct ovh *o, int64_t now, int64_t *wait_ms)
{
	double per_ms = (double)(o->opt.rate - o->burst + 1) / 60000.0;

	o->tokens += (double)(now - o->refilled_ms) * per_ms;
	if (o->tokens > o->burst)
		o->tokens = o->burst;
	o->refilled_ms = now;
	if (o->tokens >= 1.0) {
		o->tokens -= 1.0;
		return true;
	}
	*wait_ms = (int64_t)((1.0 - o->tokens) / per_ms) + 1;
	return false;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct ovh_call *c = arg;
	size_t n = size * nmemb;

	/* The cap is enforced here, while reading, not after. */
	if (strbuf_add(&c->body, data, n) < 0) {
		c->x->too_big = true;
		return 0;
	}
	return n;
}

/* "Name: value" when the header line is that field, else NULL. */
static const char *
header_value(const char *line, size_t len, const char *name, size_t *vlen)
{
	size_t n = strlen(name);
	const char *v, *end = line + len;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	for (v = line + n + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*vlen = (size_t)(end - v);
	return v;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct ovh_xfer *x = arg;
	size_t n = size * nmemb, vlen;
	const char *v;

	if ((v = header_value(data, n, "X-Ovh-QueryID", &vlen)) != NULL) {
		if (vlen >= sizeof(x->query_id))
			vlen = sizeof(x->query_id) - 1;
		memcpy(x->query_id, v, vlen);
		x->query_id[vlen] = '\0';
	} else if ((v = header_value(data, n, "Retry-After", &vlen)) != NULL) {
		/* Seconds only; an HTTP-date falls back to the backoff. */
		long secs = 0;
		size_t i;

		for (i = 0; i < vlen && i < 9 && v[i] >= '0' && v[i] <= '9'; i++)
			secs = secs * 10 + (v[i] - '0');
		/* Ten digits or more: more than 999999999 s, said so. */
		x->retry_after = i > 0 && i == vlen ? secs : (i == 9 ? RETRY_AFTER_HUGE : -1);
	}
	return n;
}

/* Start the next try of c: a new easy handle, signed now. */
static int
start_try(struct ovh *o, struct ovh_call *c, bool sign, int64_t now, struct error *err)
{
	struct ovh_xfer *x = c->x;
	char *h;

	x->easy = curl_easy_init();
	if (x->easy == NULL)
		return error_set(err, EX_OSERR, "cannot set up libcurl");
	x->headers = curl_slist_append(x->headers, "Accept: application/json");
	h = xasprintf("X-Ovh-Application: %s", o->conf->application_key);
	x->headers = curl_slist_append(x->headers, h);
	explicit_bzero(h, strlen(h));
	free(h);
	if (sign && !c->no_auth) {
		char sig[OVHSIGN_SIZE];
		int64_t ts = (int64_t)time(NULL) + o->delta;

		ovhsign_signature(o->conf->application_secret, o->conf->consumer_key, c->method,
				  x->url, c->post_body ? c->post_body : "",
				  c->post_body ? strlen(c->post_body) : 0, ts, sig);
		h = xasprintf("X-Ovh-Consumer: %s", o->conf->consumer_key);
		x->headers = curl_slist_append(x->headers, h);
		explicit_bzero(h, strlen(h));
		free(h);
		h = xasprintf("X-Ovh-Timestamp: %" PRId64, ts);
		x->headers = curl_slist_append(x->headers, h);
		free(h);
		h = xasprintf("X-Ovh-Signature: %s", sig);
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	/* As python-ovh: a Content-Type only with a body. */
	if (c->post_body && *c->post_body)
		x->headers = curl_slist_append(x->headers, "Content-Type: application/json");
	else if (c->post_body)	/* not libcurl's form type for an empty body */
		x->headers = curl_slist_append(x->headers, "Content-Type:");
	if (x->headers == NULL)
		return error_set(err, EX_OSERR, "cannot set up libcurl");
	strbuf_release(&c->body);
	strbuf_init(&c->body, FPKIT_LIMIT_API_ANSWER);
	x->too_big = false;
	x->query_id[0] = '\0';
	x->retry_after = -1;
	x->errbuf[0] = '\0';
	curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	if (c->post_body) {
		/* The very bytes signed above; "" is a POST without a body. */
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(c->post_body));
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, c->post_body);
		/* On a kept-alive connection that the server closes without
		 * an answer, libcurl sends the request again by itself: a
		 * write goes on a connection of its own. */
		curl_easy_setopt(x->easy, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(x->easy, CURLOPT_FORBID_REUSE, 1L);
	}
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, c);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "fpkit/" PACKAGE_VERSION);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, o->opt.connect_timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, o->opt.timeout_ms);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (curl_multi_add_handle(o->multi, x->easy) != CURLM_OK) {
		xfer_end_try(o, x);
		return error_set(err, EX_OSERR, "cannot set up libcurl");
	}
	x->active = true;
	x->started = now;
	c->tries++;
	return 0;
}

/* What an API error refuses, for the advice that ends its message. */
enum refusal {
	REFUSED_OTHER,
	REFUSED_TIME,		/* the request's timestamp */
	REFUSED_APP_KEY,	/* INVALID_KEY: the application key */
	REFUSED_CONSUMER_KEY,	/* INVALID_CREDENTIAL, NOT_CREDENTIAL */
	REFUSED_LOGIN,		/* 401 NOT_AUTHENTICATED */
	REFUSED_SIGNATURE,	/* INVALID_SIGNATURE: the application secret */
	REFUSED_NOT_GRANTED,	/* NOT_GRANTED_CALL: a right of the consumer key */
};

/* Which it is, from the errorCode, or else from the message: the newer
 * error bodies have a class (Client::Forbidden) but no errorCode
 * (ovh-api.md section 5). */
static enum refusal
refusal_of(long status, const char *code, const char *msg)
{
	static const struct {
		const char *code, *words;
		enum refusal r;
	} known[] = {
		{ "NOT_GRANTED_CALL", "not been granted", REFUSED_NOT_GRANTED },
		{ "INVALID_CREDENTIAL", "credential", REFUSED_CONSUMER_KEY },
		{ "NOT_CREDENTIAL", "credential", REFUSED_CONSUMER_KEY },
		{ "INVALID_KEY", "application key", REFUSED_APP_KEY },
		{ "INVALID_SIGNATURE", "signature", REFUSED_SIGNATURE },
		{ "NOT_AUTHENTICATED", "login", REFUSED_LOGIN },
	};

	if (status != 400 && status != 401 && status != 403)
		return REFUSED_OTHER;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (code && strcasecmp(code, known[i].code) == 0)
			return known[i].r;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (msg && strcasestr(msg, known[i].words))
			return known[i].r;
	return status == 401 ? REFUSED_LOGIN : REFUSED_OTHER;
}

/* The API's error as "403 MESSAGE (CODE, query id ID)" into buf, and
 * what it refuses. */
static void
describe_api_error(const struct ovh_call *c, char *buf, size_t size, enum refusal *refused)
{
	const char *msg = NULL, *code = NULL;
	json_t *root = json_loadb(c->body.buf, c->body.len, JSON_DECODE_ANY, NULL);
	char extra[256] = "";
	size_t n;

	*refused = REFUSED_OTHER;
	if (json_is_object(root)) {
		json_t *m = json_object_get(root, "message");
		json_t *ec = json_object_get(root, "errorCode");
		json_t *cl = json_object_get(root, "class");

		msg = json_is_string(m) ? json_string_value(m) : NULL;
		code = json_is_string(ec) ? json_string_value(ec) :
		       json_is_string(cl) ? json_string_value(cl) : NULL;
	}
	if (code)
		snprintf(extra, sizeof(extra), "%.120s", code);
	if (c->x->query_id[0]) {
		n = strlen(extra);
		snprintf(extra + n, sizeof(extra) - n, "%squery id %s", n ? ", " : "",
			 c->x->query_id);
	}
	if (msg)
		n = (size_t)snprintf(buf, size, "%ld %.300s", c->status, msg);
	else if (root)
		n = (size_t)snprintf(buf, size, "%ld (an answer without an API error message)",
				     c->status);
	else if (c->body.len)
		n = (size_t)snprintf(buf, size, "%ld (not an API error: '%.80s')", c->status,
				     c->body.buf);
	else
		n = (size_t)snprintf(buf, size, "%ld (an empty answer)", c->status);
	if (extra[0] && n < size)
		snprintf(buf + n, size - n, " (%s)", extra);
	/* Neither the wording nor the code of a refused timestamp is
	 * documented (ovh-api.md section 5): QUERY_TIME_OUT / "Query out of
	 * time" is what users report.  Only a client error can be one: a 408
	 * or a 504 (Server::GatewayTimeout) is no verdict on our clock. */
	if ((c->status == 400 || c->status == 401 || c->status == 403) &&
	    ((code && (strcasecmp(code, "QUERY_TIME_OUT") == 0 ||
		       strcasecmp(code, "INVALID_TIMESTAMP") == 0)) ||
	     (msg && (strcasestr(msg, "timestamp") || strcasestr(msg, "out of time")))))
		*refused = REFUSED_TIME;
	else
		*refused = refusal_of(c->status, code, msg);
	json_decref(root);
}

/* " (from WHERE)" when where is known, else "". */
static const char *
from_text(const char *where, char *buf, size_t size)
{
	if (where == NULL || *where == '\0')
		return "";
	snprintf(buf, size, " (from %s)", where);
	return buf;
}

/* The access rule a call needs: "GET /ip" for the list of blocks,
 * "GET /ip/" and a star for everything under it (fpkit(1), THE OVH
 * API). */
static void
rule_of(const struct ovh_call *c, char *buf, size_t size)
{
	const char *path = c->path;
	size_t n = strcspn(path + 1, "/?");

	if (c->post_body && strstr(path, "/unblock"))
		snprintf(buf, size, "POST /ip/*/spam/*/unblock");
	else if (c->post_body && strncmp(path, "/support/tickets/create", 23) == 0)
		snprintf(buf, size, "POST /support/tickets/create");
	else if (c->post_body && strncmp(path, "/support/tickets/", 17) == 0)
		snprintf(buf, size, "POST /support/tickets/*/reply");
	else if (strncmp(path, "/support/tickets/", 17) == 0)
		snprintf(buf, size, "%s /support/tickets/*", c->method);
	else if (strncmp(path, "/support/tickets", 16) == 0)
		snprintf(buf, size, "%s /support/tickets", c->method);
	else if (path[1 + n] == '/')
		snprintf(buf, size, "%s %.*s/*", c->method, (int)(n + 1), path);
	else
		snprintf(buf, size, "%s %.*s", c->method, (int)(n + 1), path);
}

#define RULES_HOWTO "request a consumer key with the rules GET /ip and GET /ip/* " \
	"(POST /auth/credential, see fpkit(1), THE OVH API)"

/* What to do about a refusal of the API, after ": " (buf; "" when there
 * is nothing to say).  Names the key to check and where it was found,
 * never its value. */
static void
refusal_advice(const struct ovh *o, const struct ovh_call *c, enum refusal r, char *buf,
	       size_t size)
{
	const struct ovhconf *conf = o->conf;
	char from[PATH_MAX_FROM], from2[PATH_MAX_FROM], rule[128];

	buf[0] = '\0';
	switch (r) {
	case REFUSED_NOT_GRANTED:
		rule_of(c, rule, sizeof(rule));
		if (c->post_body)
			snprintf(buf, size, ": the consumer key has no access rule for %s: request "
				 "a consumer key with it beside GET /ip and GET /ip/* (POST "
				 "/auth/credential, see fpkit(1), THE OVH API)", rule);
		else
			snprintf(buf, size, ": the consumer key has no access rule for %s: "
				 RULES_HOWTO, rule);
		break;
	case REFUSED_CONSUMER_KEY:
		snprintf(buf, size, ": the consumer key is unknown to endpoint '%s', expired, "
			 "revoked or not validated yet: check consumer_key%s, or " RULES_HOWTO,
			 conf->endpoint, from_text(conf->consumer_key_from, from, sizeof(from)));
		break;
	case REFUSED_APP_KEY:
		snprintf(buf, size, ": endpoint '%s' does not know the application key: check "
			 "application_key%s, and that it was created for this endpoint",
			 conf->endpoint,
			 from_text(conf->application_key_from, from, sizeof(from)));
		break;
	case REFUSED_SIGNATURE:
		snprintf(buf, size, ": the application secret does not go with the application "
			 "key: check application_secret%s",
			 from_text(conf->application_secret_from, from, sizeof(from)));
		break;
	case REFUSED_LOGIN:
		snprintf(buf, size, ": the API took the request as not logged in: check "
			 "consumer_key%s, and that no proxy on the way drops the X-Ovh-* headers",
			 from_text(conf->consumer_key_from, from, sizeof(from)));
		break;
	case REFUSED_OTHER:
		snprintf(buf, size, ": check application_key%s, application_secret and "
			 "consumer_key%s, and that the consumer key has the rules GET /ip and "
			 "GET /ip/*", from_text(conf->application_key_from, from, sizeof(from)),
			 from_text(conf->consumer_key_from, from2, sizeof(from2)));
		break;
	case REFUSED_TIME:
		break;
	}
}

static int
http_status_exit(long status, const char *code_text, bool time_refused)
{
	if (status == 401 || status == 403 || time_refused ||
	    (code_text && strstr(code_text, "INVALID_SIGNATURE")))
		return EX_NOPERM;
	if (status == 404)
		return EX_NOINPUT;
	if (status == 408 || status == 429 || status >= 500)
		return EX_TEMPFAIL;
	return EX_PROTOCOL;
}

static bool
retryable_status(long status)
{
	return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

static bool
retryable_transport(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	/* over HTTPS, libcurl speaks HTTP/2: a reset stream ends so */
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

/* Did the try fail before anything of the request could reach the API?
 * Only then may a write be sent again without asking what became of it. */
static bool
write_never_arrived(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_SSL_CONNECT_ERROR ||
	       rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_URL_MALFORMAT ||
	       rc == CURLE_UNSUPPORTED_PROTOCOL;
}

/* The backoff before try number 'tries' + 1: base * 2^(tries - 1),
 * capped, then jittered to between half and all of it. */
static int64_t
backoff_ms(const struct ovh *o, int tries)
{
	double d = (double)o->opt.retry_base_ms;

	for (int i = 1; i < tries && d < OVH_BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > OVH_BACKOFF_MAX_MS)
		d = OVH_BACKOFF_MAX_MS;
	return (int64_t)(d / 2 + d / 2 * g_random_double());
}

static void
tries_suffix(const struct ovh_call *c, char *buf, size_t size)
{
	if (c->tries > 1)
		snprintf(buf, size, " (gave up after %d tries)", c->tries);
	else
		buf[0] = '\0';
}

/* What became of the try of c that libcurl ended with rc. */
static enum outcome
end_try(struct ovh *o, struct ovh_call *c, CURLcode rc, bool sign, int64_t now,
	struct error *err)
{
	struct ovh_xfer *x = c->x;
	char what[1024], tries[64], advice[2048];
	long elapsed = (long)(now - x->started);
	int status = 0;
	bool retry = false;
	enum refusal refused = REFUSED_OTHER;

	c->status = 0;
	c->uncertain = false;
	advice[0] = '\0';
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &c->status);
	xfer_end_try(o, x);
	if (rc == CURLE_OK && c->status >= 200 && c->status <= 299) {
		json_error_t jerr;

		trace(o, "api: %s %s -> %ld in %ld ms (try %d of %d)", c->method, x->url,
		      c->status, elapsed, c->tries, o->opt.retries + 1);
		c->json = json_loadb(c->body.buf, c->body.len, JSON_DECODE_ANY, &jerr);
		if (c->json)
			return OUT_OK;
		/* A write may answer nothing (ovh-api.md section 5b: the
		 * Control Panel types the unblock's answer as void). */
		if (c->post_body && c->body.len == 0) {
			c->json = json_null();
			return OUT_OK;
		}
		if (c->body.len == 0)
			error_set(err, EX_PROTOCOL, "%s %s: %ld with an empty answer, expected "
				  "JSON: is the endpoint an OVH API?", c->method, c->path,
				  c->status);
		else if ((size_t)jerr.position >= c->body.len)
			error_set(err, EX_PROTOCOL, "%s %s: the answer is cut short: its %zu bytes "
				  "end inside the JSON (%s): try again later", c->method, c->path,
				  c->body.len, jerr.text);
		else
			error_set(err, EX_PROTOCOL, "%s %s: the answer is not JSON (line %d, "
				  "column %d: %s): is the endpoint an OVH API?", c->method, c->path,
				  jerr.line, jerr.column, jerr.text);
		/* A write answered 2xx was done, whatever its answer says:
		 * its caller reads the state before anything else. */
		c->uncertain = c->post_body != NULL;
		return OUT_FAIL;
	}
	if (rc == CURLE_OK) {
		describe_api_error(c, what, sizeof(what), &refused);
		retry = retryable_status(c->status);
		status = http_status_exit(c->status, what, refused == REFUSED_TIME);
		if (retry)
			snprintf(advice, sizeof(advice), ": the API fails for now: try again "
				 "later%s", x->query_id[0] ? ", and if it lasts, give OVHcloud "
				 "support the query id" : "");
		else if (status == EX_NOPERM)
			refusal_advice(o, c, refused, advice, sizeof(advice));
		else if (status == EX_PROTOCOL)
			snprintf(advice, sizeof(advice), ": check the values given on the command "
				 "line; if they are right, report it%s",
				 x->query_id[0] ? " with the query id" : "");
	} else if (x->too_big) {
		trace(o, "api: %s %s -> larger than %d bytes in %ld ms (try %d of %d)", c->method,
		      x->url, FPKIT_LIMIT_API_ANSWER, elapsed, c->tries, o->opt.retries + 1);
		error_set(err, EX_PROTOCOL, "%s %s: the answer is larger than %d bytes: is the "
			  "endpoint an OVH API?", c->method, c->path, FPKIT_LIMIT_API_ANSWER);
		c->uncertain = c->post_body != NULL;
		return OUT_FAIL;
	} else {
		const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);

		retry = retryable_transport(rc);
		if (rc == CURLE_OPERATION_TIMEDOUT) {
			snprintf(what, sizeof(what), "no answer in time (--connect-timeout %.3g s, "
				 "--timeout %.3g s): %s", o->opt.connect_timeout_ms / 1000.0,
				 o->opt.timeout_ms / 1000.0, detail);
			snprintf(advice, sizeof(advice), ": try again later, or give a longer "
				 "--timeout");
			status = EX_TEMPFAIL;
		} else if (rc == CURLE_COULDNT_CONNECT) {
			snprintf(what, sizeof(what), "cannot connect to the API at '%s': %s",
				 o->conf->base_url, detail);
			snprintf(advice, sizeof(advice), ": check the endpoint and this host's "
				 "connection to it (network, firewall, proxy), or try again later");
			status = EX_UNAVAILABLE;
		} else if (retry) {
			snprintf(what, sizeof(what), "the connection was cut: %s", detail);
			snprintf(advice, sizeof(advice), ": check this host's connection to the "
				 "API (network, firewall, proxy), or try again later");
			status = EX_TEMPFAIL;
		} else {
			snprintf(what, sizeof(what), "%s", detail);
			snprintf(advice, sizeof(advice), ": check the endpoint '%s' and this "
				 "host's connection to it (DNS, proxy, TLS certificates)",
				 o->conf->base_url);
			status = EX_UNAVAILABLE;
		}
	}
	if (c->post_body && !write_never_arrived(rc)) {
		/* A write is tried again only when it cannot have reached the
		 * API: after a time-out, a cut, any other failure of the
		 * transfer once connected, or an error answer it may have been
		 * done, and only its caller can tell, by reading the state it
		 * changes. */
		retry = false;
		c->uncertain = rc != CURLE_OK || c->status >= 500 || c->status == 408;
	}
	if (retry && c->tries <= o->opt.retries &&
	    !(x->retry_after > FPKIT_LIMIT_RETRY_AFTER)) {
		int64_t delay = backoff_ms(o, c->tries);

		if (x->retry_after >= 0 && x->retry_after * 1000 > delay)
			delay = x->retry_after * 1000;
		trace(o, "api: %s %s -> %s in %ld ms (try %d of %d): again in %" PRId64 " ms",
		      c->method, x->url, what, elapsed, c->tries, o->opt.retries + 1, delay);
		x->not_before = now + delay;
		return OUT_RETRY;
	}
	trace(o, "api: %s %s -> %s in %ld ms (try %d of %d)", c->method, x->url, what,
	      elapsed, c->tries, o->opt.retries + 1);
	tries_suffix(c, tries, sizeof(tries));
	if (retry && x->retry_after > FPKIT_LIMIT_RETRY_AFTER)
		error_set(err, EX_TEMPFAIL, "%s %s: %s: the API asks to wait %s%ld s before "
			  "trying again, more than the limit of %d s: try later", c->method, c->path,
			  what,
			  x->retry_after == RETRY_AFTER_HUGE ? "more than " : "",
			  x->retry_after == RETRY_AFTER_HUGE ? RETRY_AFTER_HUGE - 1 : x->retry_after,
			  FPKIT_LIMIT_RETRY_AFTER);
	else if (refused == REFUSED_TIME && sign && o->delta)
		error_set(err, status, "%s %s: %s: the API refused the request's timestamp, "
			  "although it was set by the API's own clock (GET /auth/time; the local "
			  "clock is %" PRId64 " s %s): check the system clock, and that requests "
			  "are not held up on the way%s", c->method, c->path, what,
			  o->delta < 0 ? -o->delta : o->delta, o->delta < 0 ? "ahead" : "behind",
			  tries);
	else if (refused == REFUSED_TIME && sign)
		error_set(err, status, "%s %s: %s: the API refused the request's timestamp, "
			  "although it was set by the API's own clock (GET /auth/time): check the "
			  "system clock, and that requests are not held up on the way%s", c->method,
			  c->path, what, tries);
	else
		error_set(err, status, "%s %s: %s%s%s", c->method, c->path, what, tries, advice);
	return OUT_FAIL;
}

/* Run the batch; 'sign' is false for GET /auth/time only. */
static int
run_batch(struct ovh *o, struct ovh_call **calls, size_t n, bool sign, bool progress,
	  struct error *err)
{
	size_t done = 0;
	int active = 0, rc = -1;

	for (size_t i = 0; i < n; i++) {
		struct ovh_call *c = calls[i];

		if (c->x == NULL)
			c->x = xcalloc(1, sizeof(*c->x));
		free(c->x->url);
		c->x->url = xasprintf("%s%s", o->conf->base_url, c->path);
		c->x->done = false;
		c->x->not_before = 0;
		c->tries = 0;
		c->status = 0;
		json_decref(c->json);
		c->json = NULL;
	}
	while (done < n) {
		int64_t now = mono_ms(), wake = 1000, wait;
		struct CURLMsg *msg;
		long curl_wait = -1;
		int running, left;

		for (size_t i = 0; i < n && active < o->opt.parallel; i++) {
			struct ovh_xfer *x = calls[i]->x;

			if (x->done || x->active)
				continue;
			if (x->not_before > now) {
				if (x->not_before - now < wake)
					wake = x->not_before - now;
				continue;
			}
			if (!take_token(o, now, &wait)) {
				if (wait < wake)
					wake = wait;
				break;
			}
			if (start_try(o, calls[i], sign, now, err) < 0)
				goto out;
			active++;
		}
		if (curl_multi_perform(o->multi, &running) != CURLM_OK) {
			error_set(err, EX_SOFTWARE, "libcurl's multi interface failed");
			goto out;
		}
		while ((msg = curl_multi_info_read(o->multi, &left)) != NULL) {
			struct ovh_call *c = NULL;
			enum outcome r;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			active--;
			r = end_try(o, c, msg->data.result, sign, mono_ms(), err);
			if (r == OUT_FAIL)
				goto out;
			if (r == OUT_OK) {
				c->x->done = true;
				done++;
				if (progress && o->opt.progress)
					o->opt.progress(o->opt.arg, done, n);
			}
			wake = 0;
		}
		if (done == n)
			break;
		curl_multi_timeout(o->multi, &curl_wait);
		if (curl_wait >= 0 && curl_wait < wake)
			wake = curl_wait;
		if (wake > 0 && curl_multi_poll(o->multi, NULL, 0, (int)wake, NULL) != CURLM_OK) {
			error_set(err, EX_SOFTWARE, "libcurl's multi interface failed");
			goto out;
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		if (calls[i]->x)
			xfer_end_try(o, calls[i]->x);
	return rc;
}

/* GET /auth/time, unsigned: the delta between the API's clock and ours. */
static int
fetch_delta(struct ovh *o, struct error *err)
{
	struct ovh_call c, *one = &c;
	int rc = -1;

	ovh_call_init(&c, "/auth/time");
	if (run_batch(o, &one, 1, false, false, err) < 0) {
		/* The first call of a run: an answer that is no API's means the
		 * base URL is wrong more often than anything else. */
		if (err && c.status >= 400 && c.status < 500) {
			error_prefix(err, "the endpoint does not answer as the OVH API does (is its "
				     "base URL right, ending in /1.0?)");
			err->status = EX_CONFIG;
		}
		goto out;
	}
	/* Ten years either way: beyond that the answer is no clock. */
	if (!json_is_integer(c.json) ||
	    json_integer_value(c.json) < (json_int_t)time(NULL) - 315360000 ||
	    json_integer_value(c.json) > (json_int_t)time(NULL) + 315360000) {
		error_set(err, EX_PROTOCOL, "GET /auth/time: expected the API's time as an "
			  "integer near ours, got '%.40s': is the endpoint an OVH API?", c.body.buf);
		goto out;
	}
	o->delta = (int64_t)json_integer_value(c.json) - (int64_t)time(NULL);
	o->have_delta = true;
	if (o->delta)
		trace(o, "api: the local clock is %+" PRId64 " s off the API's: corrected",
		      -o->delta);
	rc = 0;
out:
	ovh_call_release(&c);
	return rc;
}

int
ovh_run(struct ovh *o, struct ovh_call **calls, size_t n, struct error *err)
{
	bool signed_calls = false;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		signed_calls |= !calls[i]->no_auth;
	if (signed_calls && !o->have_delta && fetch_delta(o, err) < 0)
		return -1;
	return run_batch(o, calls, n, true, true, err);
}

int
ovh_get(struct ovh *o, struct ovh_call *c, struct error *err)
{
	return ovh_run(o, &c, 1, err);
}

void
ovh_library_version(const char **built, const char **running)
{
	*built = LIBCURL_VERSION;
	*running = curlload_error() ? "none (cannot be loaded)"
				    : curl_version_info(CURLVERSION_NOW)->version;
}
