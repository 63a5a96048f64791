/* ovh.h - the OVH API client: signed GETs and POSTs over libcurl's multi
 * interface, with retries, a rate ceiling and bounded parallelism (the
 * one module that talks to libcurl) */
#ifndef FPKIT_OVH_H
#define FPKIT_OVH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct error;
struct ovhconf;

/* The longest wait between two tries, before jitter. */
#define OVH_BACKOFF_MAX_MS 30000

#define OVH_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define OVH_DEFAULT_TIMEOUT_MS 30000
#define OVH_DEFAULT_RETRIES 3
#define OVH_DEFAULT_PARALLEL 4
#define OVH_DEFAULT_RATE 50
#define OVH_DEFAULT_RETRY_BASE_MS 1000

struct ovh_options {
	long connect_timeout_ms;	/* --connect-timeout */
	long timeout_ms;		/* --timeout: one try, all included */
	int retries;			/* --retries: tries after the first */
	int parallel;			/* --parallel: requests at once */
	int rate;			/* --rate: requests a minute, at most */
	long retry_base_ms;		/* first backoff (FPKIT_RETRY_BASE_MS) */
	/* With --verbose: called with one line per try, without "fpkit: "
	 * and without any credential; NULL for none. */
	void (*trace)(void *arg, const char *line);
	/* Called by ovh_run after each call of a batch completes. */
	void (*progress)(void *arg, size_t done, size_t total);
	void *arg;
};

/* The defaults above, no trace, no progress. */
void ovh_options_init(struct ovh_options *opt);

struct ovh_xfer;

/* One GET or POST.  After a successful ovh_run, status is 2xx, body
 * holds the answer byte for byte and json the same parsed (owned by the
 * call; JSON null for a POST answered with an empty body).  After a
 * failed one, status and body are those of the last try. */
struct ovh_call {
	const char *method;	/* "GET" or "POST" (static) */
	char *path;		/* encoded path and query, e.g. "/ip?ip=203.0.113.7" */
	char *post_body;	/* POST: the body sent and signed ("" for none) */
	bool no_auth;		/* sent with the application key alone, unsigned
				 * (POST /auth/credential) */
	bool uncertain;		/* a failed POST that may have reached the API
				 * (a time-out, a cut, a 5xx or 408 answer):
				 * what became of it is not known */
	long status;		/* the last HTTP status, 0 when none came */
	int tries;		/* tries made */
	struct strbuf body;	/* capped at FPKIT_LIMIT_API_ANSWER */
	json_t *json;
	struct ovh_xfer *x;	/* ovh.c: the try in progress */
};

/* Set up a call of 'path' (copied; relative to the endpoint's base URL,
 * escaped as signed).  Other modules set up their calls with ovhapi.h,
 * the one that writes the API's paths. */
void ovh_call_init(struct ovh_call *c, const char *path);
/* Set up a POST of 'path' with 'body' (both copied; "" sends none).  A
 * POST is tried again only when it cannot have reached the API (it could
 * not connect, or not resolve the host); else it fails at once, with
 * c->uncertain telling when it may have been done all the same. */
void ovh_call_init_post(struct ovh_call *c, const char *path, const char *body);
/* ovh_call_init_post for a call the API takes without a consumer key
 * (POST /auth/credential): only X-Ovh-Application is sent, no
 * signature, and the API's time is not asked for it. */
void ovh_call_init_unsigned_post(struct ovh_call *c, const char *path, const char *body);
/* Free the path, the body and the JSON of c (after ovh_run returned). */
void ovh_call_release(struct ovh_call *c);

struct ovh {
	const struct ovhconf *conf;	/* borrowed: endpoint and credentials */
	struct ovh_options opt;
	void *multi;		/* the CURLM handle, private */
	bool have_delta;
	int64_t delta;		/* the API's clock minus ours, seconds */
	int burst;		/* the rate ceiling as a token bucket */
	double tokens;
	int64_t refilled_ms;
};

/* Check the base URL of an endpoint before anything is sent to it,
 * parsed as libcurl parses it (curl_url):
 *  - user information ("user:password@") is refused: libcurl would send
 *    it as Basic authentication, and traces and messages show the URL;
 *  - the scheme must be https, or http to a host that is literally
 *    loopback: an IPv4 address of 127.0.0.0/8, the IPv6 address ::1, or
 *    the name localhost (not a name that starts or ends so); plain http
 *    elsewhere is refused unless 'insecure_http', and *plain then tells
 *    that it was let through.
 * 'from' names where the URL came from.  EX_CONFIG; the message shows
 * the URL only when it cannot hold a password. */
int ovh_check_endpoint(const char *url, const char *from, bool insecure_http, bool *plain,
		       struct error *err);

/* Set up a client (no request is made yet).  EX_OSERR when libcurl
 * cannot be set up. */
int ovh_init(struct ovh *o, const struct ovhconf *conf, const struct ovh_options *opt,
	     struct error *err);
/* Free the multi handle and its connections; o->conf is not touched. */
void ovh_release(struct ovh *o);

/* Run calls[0..n) with at most opt.parallel at once and at most opt.rate
 * requests started in any minute (a burst of up to 5, then one every
 * 60/(rate - burst + 1) seconds; retries and GET /auth/time count).  The
 * first call of a client fetches the API's time (GET /auth/time, once
 * per client) to sign with.  A try that times out, cannot connect, is
 * cut, or answers 408, 429 or 5xx is tried again up to opt.retries
 * times, after an exponential backoff with jitter, or after Retry-After
 * seconds when the API says more.  On the first call that fails for good
 * the others are abandoned and -1 is returned with err as
 * "GET PATH: 403 MESSAGE (CODE, query id ID)":
 *   401, 403, a refused signature or timestamp: EX_NOPERM;
 *   404: EX_NOINPUT;  other 4xx: EX_PROTOCOL;
 *   408, 429, 5xx, time-outs, cut connections after the retries, or a
 *   Retry-After over FPKIT_LIMIT_RETRY_AFTER: EX_TEMPFAIL;
 *   cannot connect or resolve, TLS failures: EX_UNAVAILABLE;
 *   a 2xx answer that is not JSON or larger than FPKIT_LIMIT_API_ANSWER:
 *   EX_PROTOCOL. */
int ovh_run(struct ovh *o, struct ovh_call **calls, size_t n, struct error *err);

/* ovh_run on one call. */
int ovh_get(struct ovh *o, struct ovh_call *c, struct error *err);

/* The current time by the API's clock (local clock plus the delta, once
 * known). */
int64_t ovh_now(const struct ovh *o);

/* The version of libcurl fpkit was built with (*built) and runs with
 * (*running), for fpkit --version; static strings. */
void ovh_library_version(const char **built, const char **running);

#endif
