/* fake-ovh.c - a fake OVHcloud API v1 for the tests: the /ip anti-spam
 * calls played from a data tree, every signature checked as the real API
 * checks it, and misbehaviour on request.
 *
 * usage: fake-ovh --data DIR --app-key AK --app-secret AS --consumer-key CK
 *                 [--port-file FILE] [--log FILE] [--skew SECONDS]
 *                 [--window SECONDS] [--fault SPEC]...
 *                 [--error-style code|class|both] [--max-seconds N]
 *                 [--unblock-delay S] [--unblock-lag S] [--refusal-status N]
 *                 [--listen-requests N] [--state FILE]
 *
 * It listens on 127.0.0.1, on a port the kernel chooses; once listening it
 * prints the port on stdout and, with --port-file, writes it to FILE
 * (through a temporary name and a rename, so a reader never sees half of
 * it).  It stops on SIGTERM or SIGINT, and by itself after --max-seconds
 * (300 by default) so that a test that dies never leaves it behind.
 *
 * The API, under both /1.0 and /v1 (ovh-api.md §1, §4):
 *
 *   GET  /auth/time                      the server clock, a bare integer;
 *                                        the only unauthenticated call
 *   GET  /ip[?ip=ADDR][&type=T]          DIR/ip.json byte for byte when
 *                                        there is no query; else the
 *                                        blocks holding ADDR (IPv4) and
 *                                        listed in DIR/types/T.json,
 *                                        as a compact JSON array
 *   GET  /ip/{block}/spam[?state=S]      the IPs with a folder under
 *                                        DIR/blocks/{block_}/, in numeric
 *                                        order, with that "state" in their
 *                                        spamip.json when S is given
 *   GET  /ip/{block}/spam/{ip}           .../{block_}/{ip}/spamip.json
 *   GET  /ip/{block}/spam/{ip}/stats?from=ISO8601&to=ISO8601
 *                                        .../{block_}/{ip}/stats.json
 *   POST /ip/{block}/spam/{ip}/unblock   body empty or {}: the unblock
 *                                        (below)
 *   GET  /me                             DIR/me.json byte for byte (the
 *                                        account; 404 when it is missing)
 *   GET  /ip/{block}                     DIR/blocks/{block_}/block.json byte
 *                                        for byte (the ip.Ip object: type,
 *                                        routedTo.serviceName)
 *   POST /support/tickets/create         the body checked as the schema
 *                                        says (body, subject and type
 *                                        required, the enums, no other
 *                                        field): a ticket made, open, and
 *                                        support.NewMessageInfo answered
 *   GET  /support/tickets[?FILTERS]      the ids of the tickets, filtered
 *                                        by status, minCreationDate,
 *                                        maxCreationDate, ticketNumber,
 *                                        subject (a part of it); another
 *                                        filter of the schema is taken and
 *                                        not applied, one it lacks is 400
 *   GET  /support/tickets/{id}           the support.Ticket
 *   GET  /support/tickets/{id}/messages  its support.Message array
 *   POST /support/tickets/{id}/reply     body {"body": TEXT}: a message
 *                                        added; an empty answer (void)
 *   POST /auth/credential                unsigned: X-Ovh-Application must
 *                                        be AK; {accessRules: [{method,
 *                                        path}], redirection?} checked and
 *                                        recorded; answers {validationUrl,
 *                                        consumerKey, state:
 *                                        "pendingValidation"}
 *
 * The tickets, their messages and the credentials asked for live in
 * memory; --state FILE gets them as JSON ({"tickets", "messages",
 * "credentials"}) after each write, for the tests to check.  Each write
 * that took effect (an unblock, a ticket, a reply, a credential) gets
 * "wrote":true in the log.
 *
 * where {block} is sent percent-encoded (203.0.113.0%2F28) and {block_} is
 * the block with its '/' made '_' (203.0.113.0_28).
 *
 * The unblock is a state machine over spamip.json, kept in memory (the
 * files are never written): while the server clock is before the
 * SpamIp's date + time, POST .../unblock answers --refusal-status (400
 * by default) with "This IP address is still blocked for N seconds"
 * (ovh-api.md §5b); after it, an IP in state blockedForSpam becomes
 * unblocking (the answer: its SpamIp so changed; the log line gets
 * "wrote":true), then unblocked --unblock-delay later (2 s by default;
 * SECS or MSms); with --unblock-lag the GETs go on showing the file's
 * state for that long after the unblock, as an API late to show a
 * write.  A POST on an IP unblocking or unblocked changes
 * nothing and answers its SpamIp.  GET .../spam/{ip} and the ?state=
 * filter of GET .../spam show the state reached; an IP never unblocked
 * is served byte for byte from its file.
 *
 * Signed calls carry X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp
 * and X-Ovh-Signature = "$1$" + hex SHA-1 of
 * AS+"+"+CK+"+"+METHOD+"+"+URL+"+"+BODY+"+"+TIMESTAMP, URL being
 * "http://" + Host + the request URI exactly as received (still encoded,
 * with its query).  Checks, in this order:
 *   a header missing                     401 NOT_AUTHENTICATED
 *   X-Ovh-Application not AK             403 INVALID_KEY
 *   X-Ovh-Consumer not CK                403 INVALID_CREDENTIAL
 *   timestamp off by more than --window  400 INVALID_TIMESTAMP
 *   signature wrong                      400 INVALID_SIGNATURE
 * then routing: an unknown path, block or IP is 404 RESOURCE_NOT_FOUND
 * "The requested object (ip = 203.0.113.0/28) does not exist" (also
 * "ipSpamming = IP", "path = PATH"); a parameter missing or malformed is
 * 400 INVALID_PARAMETER; a request body over 64 KiB is 413.  Error bodies
 * (ovh-api.md §5) follow --error-style: code {"message","httpCode",
 * "errorCode"}, class {"class","message"}, both (the default) the union.
 * Every response carries X-Ovh-QueryID and a JSON Content-Type.
 *
 * Faults (--fault SPEC, repeatable), each for the requests whose raw URI
 * after /1.0 or /v1 starts with PREFIX (e.g. "/ip", "/auth/time",
 * "/ip/203.0.113.0%2F28/spam"; the query counts, so "/ip?" is GET /ip
 * with a query only; a PREFIX ending in '$' is a whole path: "/ip$"), or
 * for every request, /auth/time included, when PREFIX is left out:
 *   504:N[:PREFIX]          504 Server::GatewayTimeout, N times
 *   503:N[:PREFIX]          503 "Service is temporarily unavailable",
 *                           N times, then normal answers
 *   429:N:SECS[:PREFIX]     429 with "Retry-After: SECS", N times
 *   reset:N[:PREFIX]        close the connection without an answer, N times
 *   slow:SECS[:PREFIX]      wait SECS seconds (or SECSms milliseconds: 500ms),
 *                           then go on
 *   cut[:PREFIX]            the normal answer with its Content-Length and
 *                           only half of its body, then close
 *   badjson[:PREFIX]        200 with a body that is not JSON
 *   donebadjson[:PREFIX]    the request done, then 200 with a body that is
 *                           not JSON (a write whose answer is damaged)
 *   huge:BYTES[:PREFIX]     200 with a JSON body of BYTES bytes (streamed)
 *   forbidden[:PREFIX]      403 NOT_GRANTED_CALL
 *   nocredential[:PREFIX]   403 NOT_CREDENTIAL (a consumer key the API
 *                           never issued, as it words it)
 *   unauthenticated[:PREFIX] 401 NOT_AUTHENTICATED, as if the X-Ovh-*
 *                           headers had been dropped on the way
 *   unfiltered[:PREFIX]     GET /ip answers every block of ip.json, whatever
 *                           its query asks (a proxy that drops the query)
 *   stillblocked:N:SECS[:PREFIX]  N times, the unblock's refusal "This IP
 *                           address is still blocked for SECS seconds", at
 *                           --refusal-status, nothing done
 *   lost:N[:PREFIX]         N times, the request is done (an unblock takes
 *                           effect), then the connection is closed without
 *                           an answer: a write whose answer is lost
 *   late:N:SECS[:PREFIX]    N times, the request is done, then its answer
 *                           waits SECS seconds (or MSms): a client's
 *                           time-out after the write was done
 * The counted ones (503, 429, reset) and slow act like a front proxy,
 * before authentication; the others replace the answer of a request that
 * passed it (lost and late follow it).  All slow delays that match add up; then the first other
 * spec that matches and has uses left decides.
 *
 * --listen-requests N: once N requests have arrived, the server stops
 * listening (its port then refuses connections, as a host that went
 * away); the connections open go on being served.
 *
 * The log (--log FILE): one JSON object per request, a line each, flushed
 * at once, written when the answer is decided:
 *   {"t_ms":N,"method":"GET","url":"/1.0/ip?ip=...","status":200,
 *    "inflight":N,"fault":null,"query_id":"EU.ext-..."}
 * t_ms is monotonic milliseconds since the start at the request's arrival
 * (its header read; lines are in answer order, so t_ms can go backwards
 * with slow answers); url is the raw request URI; inflight counts the
 * requests between arrival and answer at its arrival, itself included, so
 * the maximum over the log is the client's concurrency (a request leaves
 * the count when its answer is queued, before the client can have it, so
 * the count never runs above what the client really had in flight);
 * status is 0 when the connection was closed without an answer; fault
 * names the faults applied ("slow", "503", "slow+cut") or is null.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>

/* Request bodies larger than this are refused with 413. */
#define MAX_BODY (64 * 1024)

/* The body of the badjson fault: a SpamIp cut in the middle of a date. */
#define BAD_JSON "{\"date\": \"2022-"

/* The huge fault's body is HUGE_HEAD, filler, HUGE_TAIL. */
#define HUGE_HEAD "{\"padding\":\""
#define HUGE_TAIL "\"}"

enum fault_kind {
	FAULT_503,
	FAULT_504,
	FAULT_429,
	FAULT_RESET,
	FAULT_SLOW,
	FAULT_CUT,
	FAULT_BADJSON,
	FAULT_DONEBADJSON,
	FAULT_HUGE,
	FAULT_FORBIDDEN,
	FAULT_NOCREDENTIAL,
	FAULT_UNAUTHENTICATED,
	FAULT_UNFILTERED,
	FAULT_STILLBLOCKED,
	FAULT_LOST,
	FAULT_LATE,
};

struct fault {
	enum fault_kind kind;
	const char *name;	/* as logged */
	char *prefix;		/* of the raw URI after /1.0 or /v1; "" for all */
	guint64 left;		/* 503, 429, reset: answers left (under server.lock) */
	guint64 arg;		/* 429: Retry-After; slow, late: milliseconds; huge:
				 * bytes; stillblocked: seconds */
};

enum error_style {
	STYLE_CODE = 1,		/* message, httpCode, errorCode */
	STYLE_CLASS = 2,	/* class, message */
	STYLE_BOTH = 3,
};

/* The run state, shared by every connection thread. */
struct server {
	const char *data_dir;
	const char *app_key;
	const char *app_secret;
	const char *consumer_key;
	gint64 skew;		/* seconds added to the real clock */
	gint64 window;		/* accepted timestamp distance, seconds */
	enum error_style style;
	struct fault *faults;
	size_t nr_faults;
	FILE *log;		/* NULL without --log */
	GMutex lock;		/* the log file and the fault counters */
	gint64 start_us;	/* monotonic */
	gint inflight;		/* atomic: requests between arrival and answer */
	gint counter;		/* atomic: requests seen, for query ids */
	gint listen_requests;	/* --listen-requests, 0 for none */
	struct MHD_Daemon *daemon;
	gint stopping;		/* atomic: set when shutting down */
	int query_node;		/* the <n> of EU.ext-<n> */
	GHashTable *unblocked;	/* "block_/ip" -> gint64 *: the monotonic ms of
				 * the unblock (under lock) */
	gint64 unblock_delay_ms;	/* unblocking -> unblocked */
	gint64 unblock_lag_ms;		/* --unblock-lag: GET shows the old state */
	unsigned refusal_status;	/* of "still blocked for N seconds" */
	guint32 query_epoch;	/* the <hex> of the query ids */
	/* The support tickets and the credentials asked for, in memory
	 * (under lock), written to --state after each write. */
	json_t *tickets;	/* support.Ticket objects */
	json_t *messages;	/* support.Message objects, of every ticket */
	json_t *credentials;	/* the bodies of POST /auth/credential */
	const char *state_path;	/* --state FILE, or NULL */
};

/* One HTTP request; it lives inside its connection and is reset for each
 * request of a kept-alive connection. */
struct request {
	char *raw_uri;		/* as received, query included */
	GString *body;
	gboolean started;	/* the access handler has seen it */
	gboolean counted;	/* it is in server.inflight */
	gboolean answered;	/* a response is queued (or refused) */
	gboolean too_big;	/* the body passed MAX_BODY */
	gint64 t_ms;
	int inflight;		/* server.inflight at arrival, itself included */
	char query_id[64];
	GString *faults;	/* names of the faults applied, '+'-separated */
	gboolean wrote;		/* an unblock took effect */
};

/* One TCP connection: the socket context of libmicrohttpd. */
struct conn {
	struct request req;
};

/* What to send back. */
struct answer {
	unsigned status;
	char *body;		/* g_malloc'd */
	size_t len;
	guint64 retry_after;	/* 0: no Retry-After header */
	gboolean cut;		/* send half of body, then close */
	guint64 huge;		/* > 0: a streamed body of that many bytes */
	gboolean wrote;		/* an unblock took effect */
};

static void
answer_init(struct answer *a)
{
	memset(a, 0, sizeof(*a));
}

static void
answer_release(struct answer *a)
{
	g_free(a->body);
	answer_init(a);
}

static void
answer_set(struct answer *a, unsigned status, char *body, size_t len)
{
	g_free(a->body);
	a->status = status;
	a->body = body;
	a->len = len;
}

static gint64
now_ms(const struct server *srv)
{
	return (g_get_monotonic_time() - srv->start_us) / 1000;
}

/* The server's clock: real time shifted by --skew. */
static gint64
server_time(const struct server *srv)
{
	return (gint64)time(NULL) + srv->skew;
}

/* Text from the request put in an error message: printable ASCII only, so
 * the JSON body stays valid whatever the client sent. */
static char *
printable(const char *s)
{
	char *p, *out = g_strdup(s);

	for (p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return out;
}

static const char *
status_text(unsigned status)
{
	switch (status) {
	case 400: return "400 Bad Request";
	case 401: return "401 Unauthorized";
	case 403: return "403 Forbidden";
	case 404: return "404 Not Found";
	case 413: return "413 Payload Too Large";
	case 429: return "429 Too Many Requests";
	case 503: return "503 Service Unavailable";
	default: return "500 Internal Server Error";
	}
}

/* An error body in the shape --error-style asks for (ovh-api.md §5).  The
 * classes Client::BadRequest, Client::Forbidden and Client::NotFound have
 * been seen; the others, and every errorCode this file invents (see the
 * callers), are guesses. */
static void
answer_error(struct answer *a, const struct server *srv, unsigned status,
	     const char *klass, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
answer_error(struct answer *a, const struct server *srv, unsigned status,
	     const char *klass, const char *code, const char *fmt, ...)
{
	json_t *o = json_object();
	char *msg, *text;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (srv->style & STYLE_CLASS)
		json_object_set_new(o, "class", json_string(klass));
	json_object_set_new(o, "message", json_string(msg));
	if (srv->style & STYLE_CODE) {
		json_object_set_new(o, "httpCode", json_string(status_text(status)));
		json_object_set_new(o, "errorCode", json_string(code));
	}
	text = json_dumps(o, JSON_COMPACT);
	if (!text) {
		fprintf(stderr, "fake-ovh: out of memory\n");
		abort();
	}
	answer_set(a, status, g_strdup(text), strlen(text));
	free(text);
	json_decref(o);
	g_free(msg);
}

/* The faults that are an error answer of the API, as the API words
 * them; after_auth: answered once the signature was checked (a refusal
 * of the credential or of the call), the others before (the service's
 * state).  A gateway time-out's class names a time-out, which a client
 * must not take for a refused timestamp. */
static const struct fault_error {
	int kind;
	gboolean after_auth;
	unsigned status;
	const char *klass, *code, *message;
} fault_errors[] = {
	{ FAULT_503, FALSE, 503, "Server::ServiceUnavailable", "SERVICE_UNAVAILABLE",
	  "Service is temporarily unavailable" },
	{ FAULT_504, FALSE, 504, "Server::GatewayTimeout", "GATEWAY_TIMEOUT", "Gateway timeout" },
	{ FAULT_429, FALSE, 429, "Client::TooManyRequests", "TOO_MANY_REQUESTS",
	  "Too many requests" },
	{ FAULT_FORBIDDEN, TRUE, 403, "Client::Forbidden", "NOT_GRANTED_CALL",
	  "This call has not been granted" },
	{ FAULT_NOCREDENTIAL, TRUE, 403, "Client::Forbidden", "NOT_CREDENTIAL",
	  "This credential does not exist" },
	{ FAULT_UNAUTHENTICATED, TRUE, 401, "Client::Unauthorized", "NOT_AUTHENTICATED",
	  "You must login first" },
};

static const struct fault_error *
fault_error_of(int kind)
{
	for (size_t i = 0; i < sizeof(fault_errors) / sizeof(fault_errors[0]); i++)
		if (fault_errors[i].kind == kind)
			return &fault_errors[i];
	return NULL;
}

static void
answer_internal(struct answer *a, const struct server *srv, const char *what)
{
	fprintf(stderr, "fake-ovh: %s\n", what);
	answer_error(a, srv, 500, "Server::InternalServerError", "INTERNAL_SERVER_ERROR",
		     "Internal server error");
}

/* 404 for an object or a path that is not there.  The real wording for an
 * unknown IP under /ip/{ip}/spam is not known (ovh-api.md §5): this one
 * copies the form other OVH calls use. */
static void
answer_not_found(struct answer *a, const struct server *srv, const char *name, const char *value)
{
	char *v = printable(value);

	answer_error(a, srv, 404, "Client::NotFound", "RESOURCE_NOT_FOUND",
		     "The requested object (%s = %s) does not exist", name, v);
	g_free(v);
}

/* 400 for a parameter of the wrong type; the wording is a guess. */
static void
answer_bad_param(struct answer *a, const struct server *srv, const char *name,
		 const char *value, const char *type)
{
	char *v = printable(value);

	answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
		     "[%s] Given data (%s) is not valid for type %s", name, v, type);
	g_free(v);
}

/* A JSON value as compact text, as the body of a 200. */
static void
answer_json(struct answer *a, const struct server *srv, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!text) {
		answer_internal(a, srv, "cannot encode an answer");
		return;
	}
	answer_set(a, 200, g_strdup(text), strlen(text));
	free(text);
}

/* Read a whole data file.  0 and the new contents in *buf (g_free), or -1
 * when it does not exist, or -2 (said on stderr) when it cannot be read. */
static int
read_data(const char *path, char **buf, size_t *len)
{
	GError *gerr = NULL;
	gsize n;

	if (g_file_get_contents(path, buf, &n, &gerr)) {
		*len = n;
		return 0;
	}
	*buf = NULL;
	if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		g_error_free(gerr);
		return -1;
	}
	fprintf(stderr, "fake-ovh: %s\n", gerr->message);
	g_error_free(gerr);
	return -2;
}

/* Parse a data file as JSON: new reference, or NULL (said on stderr; *missing
 * set when the file does not exist). */
static json_t *
load_json(const char *path, gboolean *missing)
{
	json_error_t jerr;
	json_t *v;

	*missing = !g_file_test(path, G_FILE_TEST_EXISTS);
	if (*missing)
		return NULL;
	v = json_load_file(path, JSON_DECODE_ANY, &jerr);
	if (!v)
		fprintf(stderr, "fake-ovh: '%s': %s (line %d)\n", path, jerr.text, jerr.line);
	return v;
}

/* --- URLs ------------------------------------------------------------ */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..len) ('+' as a space in a query): a new string, or
 * NULL for a bad escape or a decoded NUL. */
static char *
pct_decode(const char *s, size_t len, gboolean plus_is_space)
{
	GString *out = g_string_sized_new(len);
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len)
				goto bad;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hi < 0 ? -1 : hexval((unsigned char)s[i + 2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			g_string_append_c(out, (char)(hi << 4 | lo));
			i += 2;
		} else if (s[i] == '+' && plus_is_space) {
			g_string_append_c(out, ' ');
		} else {
			g_string_append_c(out, s[i]);
		}
	}
	return g_string_free(out, FALSE);
bad:
	g_string_free(out, TRUE);
	return NULL;
}

/* The decoded value of the first KEY=VALUE in a raw query string: new, or
 * NULL when absent.  *bad is set when it is present but cannot be decoded. */
static char *
query_get(const char *query, const char *key, gboolean *bad)
{
	size_t klen = strlen(key);
	const char *p = query, *end, *eq;

	*bad = FALSE;
	while (p && *p) {
		end = strchr(p, '&');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			eq = end;
		if ((size_t)(eq - p) == klen && memcmp(p, key, klen) == 0) {
			char *v = eq < end ? pct_decode(eq + 1, (size_t)(end - eq - 1), TRUE)
					   : g_strdup("");

			*bad = v == NULL;
			return v;
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/* --- addresses ------------------------------------------------------- */

/* An IPv4 address or block "a.b.c.d[/n]": its network and prefix length. */
static gboolean
ipv4_block(const char *s, guint32 *net, unsigned *plen)
{
	const char *slash = strchr(s, '/');
	char *addr = slash ? g_strndup(s, (size_t)(slash - s)) : g_strdup(s);
	struct in_addr in;
	guint64 n = 32;
	gboolean ok;

	ok = inet_pton(AF_INET, addr, &in) == 1 &&
	     (!slash || g_ascii_string_to_unsigned(slash + 1, 10, 0, 32, &n, NULL));
	g_free(addr);
	if (!ok)
		return FALSE;
	*plen = (unsigned)n;
	*net = ntohl(in.s_addr);
	if (n < 32)
		*net &= ~(0xffffffffu >> n);
	return TRUE;
}

static gboolean
ipv6_block(const char *s)
{
	const char *slash = strchr(s, '/');
	char *addr = slash ? g_strndup(s, (size_t)(slash - s)) : g_strdup(s);
	struct in6_addr in6;
	gboolean ok;

	ok = inet_pton(AF_INET6, addr, &in6) == 1 &&
	     (!slash || g_ascii_string_to_unsigned(slash + 1, 10, 0, 128, NULL, NULL));
	g_free(addr);
	return ok;
}

/* An ipBlock as the path takes it; also what makes it safe in a file name
 * (digits, hex, '.', ':' and one '/'). */
static gboolean
valid_block(const char *s)
{
	guint32 net;
	unsigned plen;

	return ipv4_block(s, &net, &plen) || ipv6_block(s);
}

static gboolean
valid_ipv4(const char *s)
{
	struct in_addr in;

	return inet_pton(AF_INET, s, &in) == 1;
}

/* True when block (a string of ip.json) contains or equals want. */
static gboolean
block_contains(const char *block, const char *want)
{
	guint32 bnet, wnet;
	unsigned bplen, wplen;

	if (!ipv4_block(block, &bnet, &bplen) || !ipv4_block(want, &wnet, &wplen))
		return strcmp(block, want) == 0;
	if (wplen < bplen)
		return FALSE;
	return bplen == 0 || ((wnet ^ bnet) >> (32 - bplen)) == 0;
}

/* ISO 8601, as the API's datetime: a date, or a date and time with an
 * optional offset (UTC when left out). */
static gboolean
valid_datetime(const char *s)
{
	GTimeZone *utc;
	GDateTime *dt;
	guint64 y, m, d;

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		char *ys = g_strndup(s, 4), *ms = g_strndup(s + 5, 2);
		gboolean ok = g_ascii_string_to_unsigned(ys, 10, 1, 9999, &y, NULL) &&
			      g_ascii_string_to_unsigned(ms, 10, 1, 12, &m, NULL) &&
			      g_ascii_string_to_unsigned(s + 8, 10, 1, 31, &d, NULL) &&
			      g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);

		g_free(ys);
		g_free(ms);
		return ok;
	}
	utc = g_time_zone_new_utc();
	dt = g_date_time_new_from_iso8601(s, utc);
	g_time_zone_unref(utc);
	if (!dt)
		return FALSE;
	g_date_time_unref(dt);
	return TRUE;
}

static const char *const ip_types[] = {
	"cdn", "cloud", "dedicated", "failover", "hosted_ssl", "housing",
	"loadBalancing", "mail", "overthebox", "pcc", "pci", "private", "vpn",
	"vps", "vrack", "xdsl", NULL,
};

static const char *const spam_states[] = {
	"blockedForSpam", "unblocked", "unblocking", NULL,
};

static gboolean
in_enum(const char *const *values, const char *s)
{
	for (; *values; values++)
		if (strcmp(*values, s) == 0)
			return TRUE;
	return FALSE;
}

/* --- the calls ------------------------------------------------------- */

/* GET /ip[?ip=ADDR][&type=T] */
static void
call_ip_list(struct answer *a, const struct server *srv, const char *query)
{
	char *path = g_build_filename(srv->data_dir, "ip.json", NULL);
	char *want = NULL, *type = NULL, *tpath = NULL;
	json_t *all = NULL, *typed = NULL, *out = NULL, *v, *t;
	gboolean bad, missing;
	size_t i, j;

	if (!query) {
		char *buf;
		size_t len;
		int rc = read_data(path, &buf, &len);

		if (rc == 0)
			answer_set(a, 200, buf, len);
		else if (rc == -1)	/* an account without IPs */
			answer_set(a, 200, g_strdup("[]"), 2);
		else
			answer_internal(a, srv, "cannot read ip.json");
		goto out;
	}
	want = query_get(query, "ip", &bad);
	if (bad || (want && !valid_block(want))) {
		answer_bad_param(a, srv, "ip", want ? want : "", "ipBlock");
		goto out;
	}
	type = query_get(query, "type", &bad);
	if (bad || (type && !in_enum(ip_types, type))) {
		answer_bad_param(a, srv, "type", type ? type : "", "ip.IpTypeEnum");
		goto out;
	}
	all = load_json(path, &missing);
	if (!all && missing)
		all = json_array();
	if (!json_is_array(all)) {
		answer_internal(a, srv, "ip.json is not a JSON array");
		goto out;
	}
	if (type) {
		char *name = g_strconcat(type, ".json", NULL);

		tpath = g_build_filename(srv->data_dir, "types", name, NULL);
		g_free(name);
		typed = load_json(tpath, &missing);
		if (!typed && missing)
			typed = json_array();
		if (!json_is_array(typed)) {
			answer_internal(a, srv, "a types/ file is not a JSON array");
			goto out;
		}
	}
	out = json_array();
	json_array_foreach(all, i, v) {
		gboolean keep = json_is_string(v);

		if (keep && want)
			keep = block_contains(json_string_value(v), want);
		if (keep && typed) {
			keep = FALSE;
			json_array_foreach(typed, j, t)
				if (json_is_string(t) && strcmp(json_string_value(t), json_string_value(v)) == 0)
					keep = TRUE;
		}
		if (keep)
			json_array_append(out, v);
	}
	answer_json(a, srv, out);
out:
	json_decref(out);
	json_decref(typed);
	json_decref(all);
	g_free(tpath);
	g_free(type);
	g_free(want);
	g_free(path);
}

static gint
compare_ipv4(gconstpointer pa, gconstpointer pb)
{
	guint32 a = *(const guint32 *)pa, b = *(const guint32 *)pb;

	return a < b ? -1 : a > b;
}

/* --- the unblock's state machine ------------------------------------ */

/* The state an unblock brought IP of block_dir to, or NULL when it was
 * never unblocked here. */
static const char *
live_state(const struct server *srv, const char *block_dir, const char *ip)
{
	char *key = g_build_filename(block_dir, ip, NULL);
	const gint64 *since;
	const char *state = NULL;

	g_mutex_lock((GMutex *)&srv->lock);
	since = g_hash_table_lookup(srv->unblocked, key);
	/* --unblock-lag: done, and not shown yet (the file's state). */
	if (since && now_ms(srv) - *since >= srv->unblock_lag_ms)
		state = now_ms(srv) - *since >= srv->unblock_delay_ms ? "unblocked" : "unblocking";
	g_mutex_unlock((GMutex *)&srv->lock);
	g_free(key);
	return state;
}

/* The SpamIp of IP as it is now (new), or NULL with a 404 or 500 in a. */
static json_t *
spamip_now(struct answer *a, const struct server *srv, const char *block_dir,
	   const char *block, const char *ip)
{
	char *path = g_build_filename(block_dir, ip, "spamip.json", NULL);
	gboolean missing;
	json_t *o = load_json(path, &missing);
	const char *state;

	g_free(path);
	if (!json_is_object(o)) {
		json_decref(o);
		if (!missing)
			answer_internal(a, srv, "cannot read a data file");
		else if (!g_file_test(block_dir, G_FILE_TEST_IS_DIR))
			answer_not_found(a, srv, "ip", block);
		else
			answer_not_found(a, srv, "ipSpamming", ip);
		return NULL;
	}
	if ((state = live_state(srv, block_dir, ip)) != NULL)
		json_object_set_new(o, "state", json_string(state));
	return o;
}

/* Seconds from the server clock to date + time of a SpamIp (0 when past
 * or unreadable). */
static gint64
blocked_left(const struct server *srv, json_t *o)
{
	const char *date = json_string_value(json_object_get(o, "date"));
	GDateTime *dt = date ? g_date_time_new_from_iso8601(date, NULL) : NULL;
	gint64 left = 0;

	if (dt) {
		left = g_date_time_to_unix(dt) + json_integer_value(json_object_get(o, "time")) -
		       server_time(srv);
		g_date_time_unref(dt);
	}
	return left > 0 ? left : 0;
}

/* The API's refusal of an unblock before its time. */
static void
answer_still_blocked(struct answer *a, const struct server *srv, guint64 seconds)
{
	unsigned st = srv->refusal_status;

	answer_error(a, srv, st, st >= 500 ? "Server::InternalServerError" : "Client::BadRequest",
		     st >= 500 ? "INTERNAL_SERVER_ERROR" : "INVALID_STATE",
		     "This IP address is still blocked for %" G_GUINT64_FORMAT " seconds", seconds);
}

/* GET /ip/{block}/spam[?state=S] */
static void
call_spam_list(struct answer *a, const struct server *srv, const char *block_dir,
	       const char *block, const char *query)
{
	GArray *ips = g_array_new(FALSE, FALSE, sizeof(guint32));
	GError *gerr = NULL;
	GDir *dir = NULL;
	json_t *out = NULL;
	char *state = NULL;
	const char *name;
	gboolean bad;
	guint k;

	state = query ? query_get(query, "state", &bad) : NULL;
	if (query && (bad || (state && !in_enum(spam_states, state)))) {
		answer_bad_param(a, srv, "state", state ? state : "", "ip.SpamStateEnum");
		goto out;
	}
	if (!g_file_test(block_dir, G_FILE_TEST_IS_DIR)) {
		answer_not_found(a, srv, "ip", block);
		goto out;
	}
	dir = g_dir_open(block_dir, 0, &gerr);
	if (!dir) {
		answer_internal(a, srv, gerr->message);
		g_error_free(gerr);
		goto out;
	}
	while ((name = g_dir_read_name(dir))) {
		struct in_addr in;
		guint32 ip;

		if (inet_pton(AF_INET, name, &in) != 1)
			continue;
		if (state) {
			char *p = g_build_filename(block_dir, name, "spamip.json", NULL);
			gboolean missing;
			json_t *o = load_json(p, &missing);
			const char *live = live_state(srv, block_dir, name);
			const char *s = live ? live : json_string_value(json_object_get(o, "state"));
			gboolean keep = s && strcmp(s, state) == 0;

			json_decref(o);
			g_free(p);
			if (!keep)
				continue;
		}
		ip = ntohl(in.s_addr);
		g_array_append_val(ips, ip);
	}
	g_array_sort(ips, compare_ipv4);
	out = json_array();
	for (k = 0; k < ips->len; k++) {
		struct in_addr in;
		char text[INET_ADDRSTRLEN];

		in.s_addr = htonl(g_array_index(ips, guint32, k));
		inet_ntop(AF_INET, &in, text, sizeof(text));
		json_array_append_new(out, json_string(text));
	}
	answer_json(a, srv, out);
out:
	json_decref(out);
	if (dir)
		g_dir_close(dir);
	g_free(state);
	g_array_free(ips, TRUE);
}

/* A data file byte for byte, or 404 naming what is missing. */
static void
call_file(struct answer *a, const struct server *srv, const char *block_dir,
	  const char *block, const char *ip, const char *file)
{
	char *path = g_build_filename(block_dir, ip, file, NULL);
	char *buf;
	size_t len;
	int rc = read_data(path, &buf, &len);

	if (rc == 0)
		answer_set(a, 200, buf, len);
	else if (rc == -2)
		answer_internal(a, srv, "cannot read a data file");
	else if (!g_file_test(block_dir, G_FILE_TEST_IS_DIR))
		answer_not_found(a, srv, "ip", block);
	else
		answer_not_found(a, srv, "ipSpamming", ip);
	g_free(path);
}

/* GET /ip/{block}/spam/{ip}/stats?from=…&to=… */
static void
call_stats(struct answer *a, const struct server *srv, const char *block_dir,
	   const char *block, const char *ip, const char *query)
{
	static const char *const params[] = { "from", "to" };
	char *v;
	gboolean bad;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(params); i++) {
		v = query ? query_get(query, params[i], &bad) : NULL;
		if (!v && !bad) {
			/* The real wording is not known. */
			answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
				     "Missing parameter: %s", params[i]);
			return;
		}
		if (bad || !valid_datetime(v)) {
			answer_bad_param(a, srv, params[i], v ? v : "", "datetime");
			g_free(v);
			return;
		}
		g_free(v);
	}
	call_file(a, srv, block_dir, block, ip, "stats.json");
}

/* POST /ip/{block}/spam/{ip}/unblock: no body, or an empty object. */
static void
call_unblock(struct answer *a, const struct server *srv, const char *block_dir,
	     const char *block, const char *ip, const GString *body)
{
	json_t *v = NULL, *o;
	json_error_t jerr;
	const char *state;
	gint64 *since;

	if (body->len) {
		v = json_loadb(body->str, body->len, 0, &jerr);
		if (!json_is_object(v) || json_object_size(v) != 0) {
			json_decref(v);
			answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
				     "Invalid body: this call takes no parameter");
			return;
		}
		json_decref(v);
	}
	o = spamip_now(a, srv, block_dir, block, ip);
	if (o == NULL)
		return;
	state = json_string_value(json_object_get(o, "state"));
	if (state && strcmp(state, "blockedForSpam") == 0) {
		gint64 left = blocked_left(srv, o);

		if (left > 0) {
			answer_still_blocked(a, srv, (guint64)left);
			json_decref(o);
			return;
		}
		since = g_new(gint64, 1);
		*since = now_ms(srv);
		g_mutex_lock((GMutex *)&srv->lock);
		g_hash_table_replace(srv->unblocked, g_build_filename(block_dir, ip, NULL), since);
		g_mutex_unlock((GMutex *)&srv->lock);
		json_object_set_new(o, "state", json_string("unblocking"));
		a->wrote = TRUE;
	}
	answer_json(a, srv, o);
	json_decref(o);
}


/* --- GET /ip/{block} ------------------------------------------------- */

/* The ip.Ip object of a block: DIR/blocks/{block_}/block.json byte for
 * byte (ovh-api.md §5b: its type and routedTo.serviceName). */
static void
call_ip_block(struct answer *a, const struct server *srv, const char *block_dir,
	      const char *block)
{
	char *path = g_build_filename(block_dir, "block.json", NULL);
	char *buf;
	size_t len;
	int rc = read_data(path, &buf, &len);

	if (rc == 0)
		answer_set(a, 200, buf, len);
	else if (rc == -2)
		answer_internal(a, srv, "cannot read a data file");
	else
		answer_not_found(a, srv, "ip", block);
	g_free(path);
}

/* --- support tickets (ovh-api.md §6) and credentials ------------------ */

static const char *const ticket_categories[] = { "assistance", "billing", "incident", NULL };
static const char *const ticket_products[] = {
	"adsl", "cdn", "dedicated", "dedicated-billing", "dedicated-other", "dedicatedcloud",
	"domain", "exchange", "fax", "hosting", "housing", "iaas", "mail", "network",
	"publiccloud", "sms", "ssl", "storage", "telecom-billing", "telecom-other", "vac",
	"voip", "vps", "web-billing", "web-other", NULL,
};
static const char *const ticket_subcategories[] = {
	"alerts", "autorenew", "bill", "down", "inProgress", "new", "other", "perfs", "start",
	"usage", NULL,
};
static const char *const ticket_types[] = { "criticalIntervention", "genericRequest", NULL };
static const char *const ticket_levels[] = { "high", "low", "medium", NULL };
static const char *const ticket_states[] = { "closed", "open", "unknown", NULL };

/* The server clock as the API writes its datetimes (new). */
static char *
api_now(const struct server *srv)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(server_time(srv));
	char *s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S+00:00");

	g_date_time_unref(dt);
	return s;
}

static gint64
datetime_epoch(const char *s)
{
	GTimeZone *utc = g_time_zone_new_utc();
	GDateTime *dt = g_date_time_new_from_iso8601(s, utc);
	gint64 t = dt ? g_date_time_to_unix(dt) : 0;

	if (dt)
		g_date_time_unref(dt);
	g_time_zone_unref(utc);
	return t;
}

/* Write the store to --state, through a temporary file and a rename
 * (under lock). */
static void
save_state(const struct server *srv)
{
	json_t *o;
	char *tmp;

	if (!srv->state_path)
		return;
	o = json_pack("{s:O, s:O, s:O}", "tickets", srv->tickets, "messages", srv->messages,
		      "credentials", srv->credentials);
	tmp = g_strconcat(srv->state_path, ".tmp", NULL);
	if (json_dump_file(o, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0 ||
	    rename(tmp, srv->state_path) < 0)
		fprintf(stderr, "fake-ovh: cannot write '%s'\n", srv->state_path);
	g_free(tmp);
	json_decref(o);
}

/* The body of a write: a JSON object, or 400 (NULL returned). */
static json_t *
body_object(struct answer *a, const struct server *srv, const GString *body)
{
	json_error_t jerr;
	json_t *v = body->len ? json_loadb(body->str, body->len, 0, &jerr) : NULL;

	if (!json_is_object(v)) {
		json_decref(v);
		answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
			     "Invalid body: a JSON object is expected");
		return NULL;
	}
	return v;
}

/* Check a body's field: 'kind' "text" (a string), "string", an enum, or
 * "watchers" (at most 10 strings).  TRUE when it passes or is absent
 * and not required; else 400 in a. */
static gboolean
check_field(struct answer *a, const struct server *srv, json_t *o, const char *name,
	    gboolean required, const char *type, const char *const *values)
{
	json_t *v = json_object_get(o, name);

	if (!v) {
		if (required)
			answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
				     "Missing parameter: %s", name);
		return !required;
	}
	if (strcmp(type, "watchers") == 0) {
		size_t i;
		json_t *w;

		if (!json_is_array(v) || json_array_size(v) > 10)
			goto bad;
		json_array_foreach(v, i, w)
			if (!json_is_string(w))
				goto bad;
		return TRUE;
	}
	if (!json_is_string(v) || (values && !in_enum(values, json_string_value(v))) ||
	    (required && json_string_length(v) == 0))
		goto bad;
	return TRUE;
bad:
	answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
		     "[%s] Given data is not valid for type %s", name, type);
	return FALSE;
}

/* Only the names the schema lists; else 400 naming the first other. */
static gboolean
known_fields(struct answer *a, const struct server *srv, json_t *o, const char *const *names)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (!in_enum(names, key)) {
			answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
				     "Invalid body: unknown parameter %s", key);
			return FALSE;
		}
	}
	return TRUE;
}

/* Add a message to a ticket (under lock): its messageId. */
static json_int_t
add_message(const struct server *srv, json_int_t ticket_id, const char *body,
	    const char *from, const char *now)
{
	json_int_t id = 9000 + (json_int_t)json_array_size(srv->messages) + 1;

	json_array_append_new(srv->messages,
			      json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "body", body,
					"creationDate", now, "from", from, "messageId", id,
					"ticketId", ticket_id, "updateDate", now));
	return id;
}

/* POST /support/tickets/create: the body checked as the schema says,
 * a ticket made, support.NewMessageInfo answered. */
static void
call_ticket_create(struct answer *a, const struct server *srv, const GString *body)
{
	static const char *const names[] = {
		"body", "subject", "type", "category", "product", "serviceName", "subcategory",
		"impact", "urgency", "watchers", NULL,
	};
	json_t *o = body_object(a, srv, body), *t, *answer;
	json_int_t id, number, mid;
	char *now;

	if (!o)
		return;
	if (!known_fields(a, srv, o, names) ||
	    !check_field(a, srv, o, "body", TRUE, "text", NULL) ||
	    !check_field(a, srv, o, "subject", TRUE, "string", NULL) ||
	    !check_field(a, srv, o, "type", TRUE, "support.TicketTypeEnum", ticket_types) ||
	    !check_field(a, srv, o, "category", FALSE, "support.TicketCategoryEnum",
			 ticket_categories) ||
	    !check_field(a, srv, o, "product", FALSE, "support.TicketProductEnum",
			 ticket_products) ||
	    !check_field(a, srv, o, "serviceName", FALSE, "string", NULL) ||
	    !check_field(a, srv, o, "subcategory", FALSE, "support.TicketSubCategoryEnum",
			 ticket_subcategories) ||
	    !check_field(a, srv, o, "impact", FALSE, "support.TicketImpactUrgencyEnum",
			 ticket_levels) ||
	    !check_field(a, srv, o, "urgency", FALSE, "support.TicketImpactUrgencyEnum",
			 ticket_levels) ||
	    !check_field(a, srv, o, "watchers", FALSE, "watchers", NULL)) {
		json_decref(o);
		return;
	}
	now = api_now(srv);
	g_mutex_lock((GMutex *)&srv->lock);
	id = 5000 + (json_int_t)json_array_size(srv->tickets) + 1;
	number = 8840000 + id;
	t = json_pack("{s:s, s:b, s:O?, s:s, s:s, s:O?, s:s, s:O?, s:s, s:O, s:I, s:I, s:O, s:s}",
		      "accountId", "fk1234-ovh", "canBeClosed", 1,
		      "category", json_object_get(o, "category"), "creationDate", now,
		      "lastMessageFrom", "customer", "product", json_object_get(o, "product"),
		      "score", "", "serviceName", json_object_get(o, "serviceName"),
		      "state", "open", "subject", json_object_get(o, "subject"),
		      "ticketId", id, "ticketNumber", number, "type", json_object_get(o, "type"),
		      "updateDate", now);
	json_array_append_new(srv->tickets, t);
	mid = add_message(srv, id, json_string_value(json_object_get(o, "body")), "customer", now);
	save_state(srv);
	g_mutex_unlock((GMutex *)&srv->lock);
	answer = json_pack("{s:I, s:I, s:I, s:n}", "ticketId", id, "ticketNumber", number,
			   "messageId", mid, "additionalNotice");
	answer_json(a, srv, answer);
	a->wrote = TRUE;
	json_decref(answer);
	json_decref(o);
	g_free(now);
}

/* The ticket of id (under lock; borrowed), or NULL. */
static json_t *
ticket_of(const struct server *srv, json_int_t id)
{
	size_t i;
	json_t *t;

	json_array_foreach(srv->tickets, i, t)
		if (json_integer_value(json_object_get(t, "ticketId")) == id)
			return t;
	return NULL;
}

/* GET /support/tickets: the ids of the tickets that pass the filters. */
static void
call_ticket_list(struct answer *a, const struct server *srv, const char *query)
{
	static const char *const keys[] = {
		"archived", "category", "maxCreationDate", "minCreationDate", "product",
		"serviceName", "status", "subject", "ticketNumber", NULL,
	};
	char *status = NULL, *min = NULL, *max = NULL, *number = NULL, *subject = NULL;
	char **pairs = g_strsplit(query ? query : "", "&", -1);
	gboolean bad = FALSE;
	json_t *out = json_array(), *t;
	size_t i;
	guint64 num = 0;

	for (i = 0; pairs[i]; i++) {
		char *key;

		if (!*pairs[i])
			continue;
		key = g_strndup(pairs[i], strcspn(pairs[i], "="));
		if (!in_enum(keys, key)) {
			answer_bad_param(a, srv, key, "", "a filter of /support/tickets");
			g_free(key);
			goto out;
		}
		g_free(key);
	}
	if (query) {
		status = query_get(query, "status", &bad);
		if (!bad)
			min = query_get(query, "minCreationDate", &bad);
		if (!bad)
			max = query_get(query, "maxCreationDate", &bad);
		if (!bad)
			number = query_get(query, "ticketNumber", &bad);
		if (!bad)
			subject = query_get(query, "subject", &bad);
	}
	if (bad || (status && !in_enum(ticket_states, status))) {
		answer_bad_param(a, srv, "status", status ? status : "", "support.TicketStatusEnum");
		goto out;
	}
	if ((min && !valid_datetime(min)) || (max && !valid_datetime(max))) {
		answer_bad_param(a, srv, min && !valid_datetime(min) ? "minCreationDate" :
				 "maxCreationDate", min && !valid_datetime(min) ? min : max,
				 "datetime");
		goto out;
	}
	if (number && !g_ascii_string_to_unsigned(number, 10, 0, G_MAXINT64, &num, NULL)) {
		answer_bad_param(a, srv, "ticketNumber", number, "string");
		goto out;
	}
	g_mutex_lock((GMutex *)&srv->lock);
	json_array_foreach(srv->tickets, i, t) {
		gint64 created = datetime_epoch(json_string_value(json_object_get(t, "creationDate")));

		if (status && strcmp(status, json_string_value(json_object_get(t, "state"))) != 0)
			continue;
		if (min && created < datetime_epoch(min))
			continue;
		if (max && created > datetime_epoch(max))
			continue;
		if (number && json_integer_value(json_object_get(t, "ticketNumber")) != (json_int_t)num)
			continue;
		/* "Search by ticket subject": a part of it, here. */
		if (subject && !strstr(json_string_value(json_object_get(t, "subject")), subject))
			continue;
		json_array_append(out, json_object_get(t, "ticketId"));
	}
	g_mutex_unlock((GMutex *)&srv->lock);
	answer_json(a, srv, out);
out:
	json_decref(out);
	g_strfreev(pairs);
	g_free(status);
	g_free(min);
	g_free(max);
	g_free(number);
	g_free(subject);
}

/* GET /support/tickets/{id}[/messages], POST .../reply. */
static void
call_ticket(struct answer *a, const struct server *srv, const char *seg_id,
	    const char *what, const GString *body)
{
	guint64 id;
	json_t *t, *out, *m;
	size_t i;

	if (!g_ascii_string_to_unsigned(seg_id, 10, 0, G_MAXINT64, &id, NULL)) {
		answer_bad_param(a, srv, "ticketId", seg_id, "long");
		return;
	}
	g_mutex_lock((GMutex *)&srv->lock);
	t = ticket_of(srv, (json_int_t)id);
	if (!t) {
		g_mutex_unlock((GMutex *)&srv->lock);
		answer_not_found(a, srv, "ticketId", seg_id);
		return;
	}
	if (what == NULL) {
		answer_json(a, srv, t);
	} else if (strcmp(what, "messages") == 0) {
		out = json_array();
		json_array_foreach(srv->messages, i, m)
			if (json_integer_value(json_object_get(m, "ticketId")) == (json_int_t)id)
				json_array_append(out, m);
		answer_json(a, srv, out);
		json_decref(out);
	} else {
		static const char *const names[] = { "body", NULL };
		json_t *o;

		g_mutex_unlock((GMutex *)&srv->lock);
		o = body_object(a, srv, body);
		if (!o)
			return;
		if (!known_fields(a, srv, o, names) ||
		    !check_field(a, srv, o, "body", TRUE, "text", NULL)) {
			json_decref(o);
			return;
		}
		g_mutex_lock((GMutex *)&srv->lock);
		{
			char *now = api_now(srv);

			add_message(srv, (json_int_t)id, json_string_value(json_object_get(o, "body")),
				    "customer", now);
			json_object_set_new(t, "updateDate", json_string(now));
			json_object_set_new(t, "lastMessageFrom", json_string("customer"));
			g_free(now);
		}
		save_state(srv);
		/* void, as the schema says: an empty answer. */
		answer_set(a, 200, g_strdup(""), 0);
		a->wrote = TRUE;
		json_decref(o);
	}
	g_mutex_unlock((GMutex *)&srv->lock);
}

/* POST /auth/credential: unsigned, the application key alone; the
 * access rules checked and recorded, a key made "pendingValidation". */
static void
call_credential(struct answer *a, const struct server *srv, struct MHD_Connection *connection,
		const GString *body)
{
	static const char *const names[] = { "accessRules", "redirection", NULL };
	static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", NULL };
	const char *ak = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
						     "X-Ovh-Application");
	json_t *o, *rules, *r, *answer;
	size_t i;
	char *ck, *url;

	if (!ak) {
		answer_error(a, srv, 401, "Client::Unauthorized", "NOT_AUTHENTICATED",
			     "You must send your application key to request new credentials");
		return;
	}
	if (strcmp(ak, srv->app_key) != 0) {
		answer_error(a, srv, 403, "Client::Forbidden", "INVALID_KEY",
			     "This application key is invalid");
		return;
	}
	o = body_object(a, srv, body);
	if (!o)
		return;
	rules = json_object_get(o, "accessRules");
	if (!known_fields(a, srv, o, names))
		goto out;
	if (!json_is_array(rules) || json_array_size(rules) == 0) {
		answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
			     "[accessRules] Given data is not valid for type auth.AccessRule[]");
		goto out;
	}
	json_array_foreach(rules, i, r) {
		const char *m = json_string_value(json_object_get(r, "method"));
		const char *p = json_string_value(json_object_get(r, "path"));

		if (!json_is_object(r) || json_object_size(r) != 2 || !m || !in_enum(methods, m) ||
		    !p || p[0] != '/') {
			answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
				     "[accessRules] rule %zu is not {method, path}", i);
			goto out;
		}
	}
	if (json_object_get(o, "redirection") && !json_is_string(json_object_get(o, "redirection"))) {
		answer_error(a, srv, 400, "Client::BadRequest", "INVALID_PARAMETER",
			     "[redirection] Given data is not valid for type string");
		goto out;
	}
	g_mutex_lock((GMutex *)&srv->lock);
	json_array_append(srv->credentials, o);
	ck = g_strdup_printf("fakeNewCK%04zu", json_array_size(srv->credentials));
	save_state(srv);
	g_mutex_unlock((GMutex *)&srv->lock);
	url = g_strdup_printf("https://eu.api.ovh.com/auth/?credentialToken=fakeToken%s", ck + 9);
	answer = json_pack("{s:s, s:s, s:s}", "validationUrl", url, "consumerKey", ck,
			   "state", "pendingValidation");
	answer_json(a, srv, answer);
	a->wrote = TRUE;
	json_decref(answer);
	g_free(ck);
	g_free(url);
out:
	json_decref(o);
}

/* GET /me: the account, as the data tree has it. */
static void
call_me(struct answer *a, const struct server *srv)
{
	char *path = g_build_filename(srv->data_dir, "me.json", NULL);
	char *buf;
	size_t len;
	int rc = read_data(path, &buf, &len);

	if (rc == 0)
		answer_set(a, 200, buf, len);
	else if (rc == -2)
		answer_internal(a, srv, "cannot read a data file");
	else
		answer_not_found(a, srv, "path", "/me");
	g_free(path);
}

/* Route a signed call on its raw path (after /1.0 or /v1): the segments
 * are split on literal '/' and decoded one by one, so a block sent with a
 * bare '/' is not found, as on the real API. */
static void
route(struct answer *a, const struct server *srv, const char *method,
      const char *path, const char *query, const GString *body)
{
	char **seg = g_strsplit(path, "/", -1);
	guint n = g_strv_length(seg);
	gboolean get = strcmp(method, "GET") == 0;
	gboolean post = strcmp(method, "POST") == 0;
	char *block = NULL, *ip = NULL, *block_name = NULL, *block_dir = NULL;

	/* seg[0] is the empty string before the leading '/'. */
	if (n == 2 && strcmp(seg[1], "ip") == 0 && get) {
		call_ip_list(a, srv, query);
		goto out;
	}
	if (n == 2 && strcmp(seg[1], "me") == 0 && get) {
		call_me(a, srv);
		goto out;
	}
	if (n >= 3 && strcmp(seg[1], "support") == 0 && strcmp(seg[2], "tickets") == 0) {
		if (n == 3 && get)
			call_ticket_list(a, srv, query);
		else if (n == 4 && strcmp(seg[3], "create") == 0 && post)
			call_ticket_create(a, srv, body);
		else if (n == 4 && get)
			call_ticket(a, srv, seg[3], NULL, body);
		else if (n == 5 && strcmp(seg[4], "messages") == 0 && get)
			call_ticket(a, srv, seg[3], "messages", body);
		else if (n == 5 && strcmp(seg[4], "reply") == 0 && post)
			call_ticket(a, srv, seg[3], "reply", body);
		else
			answer_not_found(a, srv, "path", path);
		goto out;
	}
	if (n == 3 && strcmp(seg[1], "ip") == 0 && get) {
		block = pct_decode(seg[2], strlen(seg[2]), FALSE);
		if (!block || !valid_block(block)) {
			answer_bad_param(a, srv, "ip", block ? block : seg[2], "ipBlock");
			goto out;
		}
		block_name = g_strdelimit(g_strdup(block), "/", '_');
		block_dir = g_build_filename(srv->data_dir, "blocks", block_name, NULL);
		call_ip_block(a, srv, block_dir, block);
		goto out;
	}
	if (n < 4 || n > 6 || strcmp(seg[1], "ip") != 0 || strcmp(seg[3], "spam") != 0 ||
	    (n == 4 && !get) || (n == 5 && !get) ||
	    (n == 6 && !((strcmp(seg[5], "stats") == 0 && get) ||
			 (strcmp(seg[5], "unblock") == 0 && post)))) {
		answer_not_found(a, srv, "path", path);
		goto out;
	}
	block = pct_decode(seg[2], strlen(seg[2]), FALSE);
	if (!block || !valid_block(block)) {
		answer_bad_param(a, srv, "ip", block ? block : seg[2], "ipBlock");
		goto out;
	}
	block_name = g_strdelimit(g_strdup(block), "/", '_');
	block_dir = g_build_filename(srv->data_dir, "blocks", block_name, NULL);
	if (n == 4) {
		call_spam_list(a, srv, block_dir, block, query);
		goto out;
	}
	ip = pct_decode(seg[4], strlen(seg[4]), FALSE);
	if (!ip || !valid_ipv4(ip)) {
		answer_bad_param(a, srv, "ipSpamming", ip ? ip : seg[4], "ipv4");
		goto out;
	}
	if (n == 5 && get && live_state(srv, block_dir, ip)) {
		json_t *o = spamip_now(a, srv, block_dir, block, ip);

		if (o)
			answer_json(a, srv, o);
		json_decref(o);
	} else if (n == 5)
		call_file(a, srv, block_dir, block, ip, "spamip.json");
	else if (post)
		call_unblock(a, srv, block_dir, block, ip, body);
	else
		call_stats(a, srv, block_dir, block, ip, query);
out:
	g_free(block_dir);
	g_free(block_name);
	g_free(ip);
	g_free(block);
	g_strfreev(seg);
}

/* --- authentication -------------------------------------------------- */

/* Check a signed call (ovh-api.md §1).  0 when it passes; else -1 with the
 * error in a. */
static int
authenticate(struct answer *a, const struct server *srv, struct MHD_Connection *connection,
	     const char *method, const struct request *rq)
{
	const char *ak, *ck, *ts, *sig, *host;
	GChecksum *sha1;
	char *expected;
	gint64 t;
	int rc = -1;

	ak = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Ovh-Application");
	ck = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Ovh-Consumer");
	ts = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Ovh-Timestamp");
	sig = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Ovh-Signature");
	host = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!ak || !ck || !ts || !sig) {
		answer_error(a, srv, 401, "Client::Unauthorized", "NOT_AUTHENTICATED",
			     "You must login first");
		return -1;
	}
	if (strcmp(ak, srv->app_key) != 0) {
		answer_error(a, srv, 403, "Client::Forbidden", "INVALID_KEY",
			     "This application key is invalid");
		return -1;
	}
	if (strcmp(ck, srv->consumer_key) != 0) {
		answer_error(a, srv, 403, "Client::Forbidden", "INVALID_CREDENTIAL",
			     "This credential is not valid");
		return -1;
	}
	/* How the real API words a timestamp out of its window is not known
	 * (ovh-api.md §5): message and errorCode are made up. */
	if (!g_ascii_string_to_signed(ts, 10, 0, G_MAXINT64, &t, NULL) ||
	    t < server_time(srv) - srv->window || t > server_time(srv) + srv->window) {
		answer_error(a, srv, 400, "Client::BadRequest", "INVALID_TIMESTAMP",
			     "Invalid timestamp");
		return -1;
	}
	/* The URL as the client built it: scheme, Host, and the request URI
	 * as it came, never decoded. */
	sha1 = g_checksum_new(G_CHECKSUM_SHA1);
	g_checksum_update(sha1, (const guchar *)srv->app_secret, -1);
	g_checksum_update(sha1, (const guchar *)"+", 1);
	g_checksum_update(sha1, (const guchar *)srv->consumer_key, -1);
	g_checksum_update(sha1, (const guchar *)"+", 1);
	g_checksum_update(sha1, (const guchar *)method, -1);
	g_checksum_update(sha1, (const guchar *)"+http://", 8);
	g_checksum_update(sha1, (const guchar *)(host ? host : ""), -1);
	g_checksum_update(sha1, (const guchar *)rq->raw_uri, -1);
	g_checksum_update(sha1, (const guchar *)"+", 1);
	g_checksum_update(sha1, (const guchar *)rq->body->str, (gssize)rq->body->len);
	g_checksum_update(sha1, (const guchar *)"+", 1);
	g_checksum_update(sha1, (const guchar *)ts, -1);
	expected = g_strconcat("$1$", g_checksum_get_string(sha1), NULL);
	g_checksum_free(sha1);
	if (strcmp(sig, expected) != 0)
		answer_error(a, srv, 400, "Client::BadRequest", "INVALID_SIGNATURE",
			     "Invalid signature");
	else
		rc = 0;
	g_free(expected);
	return rc;
}

/* --- faults ---------------------------------------------------------- */

/* Does fault f cover a request?  target is the raw URI after /1.0 or /v1,
 * query included, so "/ip?" takes only GET /ip with a query; a prefix
 * ending in '$' must be the whole path instead ("/ip$"). */
static gboolean
fault_matches(const struct fault *f, const char *target)
{
	size_t plen = strlen(f->prefix);
	size_t tlen = strcspn(target, "?");

	if (plen && f->prefix[plen - 1] == '$')
		return tlen == plen - 1 && memcmp(target, f->prefix, tlen) == 0;
	return g_str_has_prefix(target, f->prefix);
}

/* Pick the faults for a request: the sum of the matching slow delays in
 * *delay (milliseconds), and the first other matching fault with uses left (NULL if
 * none).  Counted uses are taken here. */
static const struct fault *
faults_pick(struct server *srv, const char *target, guint64 *delay, GString *names)
{
	const struct fault *chosen = NULL;
	size_t i;

	*delay = 0;
	g_mutex_lock(&srv->lock);
	for (i = 0; i < srv->nr_faults && !chosen; i++) {
		struct fault *f = &srv->faults[i];

		if (!fault_matches(f, target))
			continue;
		switch (f->kind) {
		case FAULT_SLOW:
			*delay += f->arg;
			if (names->len)
				g_string_append_c(names, '+');
			g_string_append(names, f->name);
			break;
		case FAULT_503:
		case FAULT_504:
		case FAULT_429:
		case FAULT_RESET:
		case FAULT_STILLBLOCKED:
		case FAULT_LOST:
		case FAULT_LATE:
			if (f->left == 0)
				break;
			f->left--;
			chosen = f;
			break;
		default:
			chosen = f;
			break;
		}
	}
	g_mutex_unlock(&srv->lock);
	return chosen;
}

static void
note_fault(struct request *rq, const struct fault *f)
{
	if (rq->faults->len)
		g_string_append_c(rq->faults, '+');
	g_string_append(rq->faults, f->name);
}

/* Sleep, but give up when the server is stopping. */
static void
sleep_unless_stopping(struct server *srv, guint64 ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (!g_atomic_int_get(&srv->stopping) && g_get_monotonic_time() < end)
		g_usleep(20 * 1000);
}

/* The body of the cut fault: the first half of the answer, then an error
 * that makes libmicrohttpd close the connection. */
struct cut_body {
	char *buf;
	size_t half;
};

static ssize_t
cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct cut_body *cb = cls;
	size_t n;

	if (pos >= cb->half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = MIN(max, cb->half - (size_t)pos);
	memcpy(buf, cb->buf + pos, n);
	return (ssize_t)n;
}

static void
cut_free(void *cls)
{
	struct cut_body *cb = cls;

	g_free(cb->buf);
	g_free(cb);
}

/* The body of the huge fault, made up as it goes: cls points to its
 * length (freed with the response). */
static ssize_t
huge_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	uint64_t total = *(const uint64_t *)cls;
	uint64_t head = sizeof(HUGE_HEAD) - 1, tail_at = total - (sizeof(HUGE_TAIL) - 1);
	size_t n = 0;

	if (pos >= total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	while (n < max && pos < total) {
		if (pos < head)
			buf[n++] = HUGE_HEAD[pos++];
		else if (pos >= tail_at)
			buf[n++] = HUGE_TAIL[pos++ - tail_at];
		else {
			size_t run = (size_t)MIN((uint64_t)(max - n), tail_at - pos);

			memset(buf + n, 'x', run);
			n += run;
			pos += run;
		}
	}
	return (ssize_t)n;
}

/* --- the log --------------------------------------------------------- */

/* Append s as a JSON string, every byte outside printable ASCII escaped
 * (a raw URI need not be UTF-8). */
static void
json_quote(GString *out, const char *s)
{
	const unsigned char *p;

	g_string_append_c(out, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20 || *p > 0x7e)
			g_string_append_printf(out, "\\u%04x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	g_string_append_c(out, '"');
}

/* One line of the log for a request answered with status (0: none). */
static void
log_request(struct server *srv, const struct request *rq, const char *method, unsigned status)
{
	GString *line;

	if (!srv->log)
		return;
	line = g_string_new(NULL);
	g_string_append_printf(line, "{\"t_ms\":%" G_GINT64_FORMAT ",\"method\":", rq->t_ms);
	json_quote(line, method);
	g_string_append(line, ",\"url\":");
	json_quote(line, rq->raw_uri ? rq->raw_uri : "");
	g_string_append_printf(line, ",\"status\":%u,\"inflight\":%d,\"fault\":", status, rq->inflight);
	if (rq->faults->len)
		json_quote(line, rq->faults->str);
	else
		g_string_append(line, "null");
	g_string_append(line, ",\"query_id\":");
	json_quote(line, rq->query_id);
	if (rq->wrote)
		g_string_append(line, ",\"wrote\":true");
	g_string_append(line, "}\n");
	g_mutex_lock(&srv->lock);
	if (fputs(line->str, srv->log) == EOF || fflush(srv->log) == EOF)
		fprintf(stderr, "fake-ovh: cannot write the log: %s\n", g_strerror(errno));
	g_mutex_unlock(&srv->lock);
	g_string_free(line, TRUE);
}

/* --- libmicrohttpd glue ---------------------------------------------- */

static void
request_init(struct request *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->body = g_string_new(NULL);
	rq->faults = g_string_new(NULL);
}

/* Take a request out of the in-flight count; safe to call twice. */
static void
request_end(struct server *srv, struct request *rq)
{
	if (rq->counted)
		g_atomic_int_add(&srv->inflight, -1);
	rq->counted = FALSE;
}

/* Free what a request holds (not the request: it is in its connection). */
static void
request_release(struct request *rq)
{
	g_free(rq->raw_uri);
	g_string_free(rq->body, TRUE);
	g_string_free(rq->faults, TRUE);
}

/* The connection state on_connection made. */
static struct conn *
conn_of(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* A connection opens or closes.  The request state lives in the
 * connection, not in memory of its own: libmicrohttpd calls the completed
 * callback only for requests that reached the access handler, so a
 * request cut short before would leak; the connection's close always
 * comes. */
static void
on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
	      enum MHD_ConnectionNotificationCode toe)
{
	struct server *srv = cls;
	struct conn *c;

	(void)connection;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		c = g_new0(struct conn, 1);
		request_init(&c->req);
		*socket_context = c;
		return;
	}
	c = *socket_context;
	if (!c)
		return;
	request_end(srv, &c->req);
	request_release(&c->req);
	g_free(c);
	*socket_context = NULL;
}

/* Called with the request line's URI before libmicrohttpd splits off the
 * query: keep it whole, it is what the client signed.  Whatever this
 * returns is the access handler's *con_cls. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
	struct server *srv = cls;
	struct conn *c = conn_of(connection);

	if (!c)
		return NULL;
	request_end(srv, &c->req);
	request_release(&c->req);
	request_init(&c->req);
	c->req.raw_uri = g_strdup(uri);
	return c;
}

/* Leave %XX escapes alone: routing works on the raw path, where %2F inside
 * a block is not a separator. */
static size_t
no_unescape(void *cls, struct MHD_Connection *connection, char *s)
{
	(void)cls;
	(void)connection;
	return strlen(s);
}

/* A request is over (answered, or its connection failed). */
static void
on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct conn *c = *con_cls;

	(void)connection;
	(void)toe;
	if (c)
		request_end(cls, &c->req);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char *msg = g_strdup_vprintf(fmt, ap);
	size_t len = strlen(msg);

	(void)cls;
	fprintf(stderr, "fake-ovh: libmicrohttpd: %s%s", msg,
		len && msg[len - 1] == '\n' ? "" : "\n");
	g_free(msg);
}

/* Send an answer with the headers every response carries, and log it. */
static enum MHD_Result
send_answer(struct server *srv, struct MHD_Connection *connection, struct request *rq,
	    const char *method, struct answer *a)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (a->huge) {
		guint64 *total = g_new(guint64, 1);

		*total = a->huge;
		resp = MHD_create_response_from_callback(a->huge, 64 * 1024, huge_reader, total, g_free);
		if (!resp)
			g_free(total);
	} else if (a->cut) {
		struct cut_body *cb = g_new0(struct cut_body, 1);

		cb->buf = a->body;
		cb->half = a->len / 2;
		a->body = NULL;
		resp = MHD_create_response_from_callback(a->len, 64 * 1024, cut_reader, cb, cut_free);
		if (!resp)
			cut_free(cb);
	} else {
		resp = MHD_create_response_from_buffer(a->len, a->body, MHD_RESPMEM_MUST_COPY);
	}
	rq->answered = TRUE;
	if (!resp) {
		fprintf(stderr, "fake-ovh: cannot make a response\n");
		return MHD_NO;
	}
	MHD_add_response_header(resp, "X-Ovh-QueryID", rq->query_id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, no-store");
	if (a->retry_after) {
		char v[32];

		g_snprintf(v, sizeof(v), "%" G_GUINT64_FORMAT, a->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
	}
	ret = MHD_queue_response(connection, a->status, resp);
	MHD_destroy_response(resp);
	/* Out of the count before the answer goes out: a client that sends
	 * its next request as soon as it has this answer must never be seen
	 * above its concurrency. */
	request_end(srv, rq);
	log_request(srv, rq, method, a->status);
	return ret;
}

/* Answer a request whose body has been read. */
static enum MHD_Result
respond(struct server *srv, struct MHD_Connection *connection, struct request *rq,
	const char *method)
{
	char *raw_path = NULL;
	const char *query, *path;
	const struct fault *f;
	const struct fault_error *fe;
	struct answer a;
	enum MHD_Result ret;
	guint64 delay;
	size_t base = 0;

	answer_init(&a);
	query = strchr(rq->raw_uri, '?');
	raw_path = query ? g_strndup(rq->raw_uri, (size_t)(query - rq->raw_uri)) : g_strdup(rq->raw_uri);
	if (query)
		query++;
	if (g_str_has_prefix(raw_path, "/1.0") && (raw_path[4] == '/' || raw_path[4] == '\0'))
		base = 4;
	else if (g_str_has_prefix(raw_path, "/v1") && (raw_path[3] == '/' || raw_path[3] == '\0'))
		base = 3;
	path = base ? raw_path + base : NULL;

	f = faults_pick(srv, rq->raw_uri + base, &delay, rq->faults);
	if (delay)
		sleep_unless_stopping(srv, delay);
	if (f && f->kind == FAULT_RESET) {
		note_fault(rq, f);
		rq->answered = TRUE;
		request_end(srv, rq);
		log_request(srv, rq, method, 0);
		ret = MHD_NO;
		goto out;
	}
	if (f && (fe = fault_error_of(f->kind)) != NULL && !fe->after_auth) {
		note_fault(rq, f);
		answer_error(&a, srv, fe->status, fe->klass, fe->code, "%s", fe->message);
		/* Whether /1.0 answers 429 at all, and how, is not known
		 * (ovh-api.md §5). */
		if (f->kind == FAULT_429)
			a.retry_after = f->arg;
		goto send;
	}
	if (rq->too_big) {
		answer_error(&a, srv, 413, "Client::PayloadTooLarge", "PAYLOAD_TOO_LARGE",
			     "Request body larger than %d bytes", MAX_BODY);
		goto send;
	}
	if (!path) {
		answer_not_found(&a, srv, "path", raw_path);
		goto send;
	}
	if (strcmp(path, "/auth/time") != 0 && strcmp(path, "/auth/credential") != 0 &&
	    authenticate(&a, srv, connection, method, rq) < 0)
		goto send;
	if (f && (fe = fault_error_of(f->kind)) != NULL && fe->after_auth) {
		note_fault(rq, f);
		answer_error(&a, srv, fe->status, fe->klass, fe->code, "%s", fe->message);
		goto send;
	}
	if (f && f->kind == FAULT_BADJSON) {
		note_fault(rq, f);
		answer_set(&a, 200, g_strdup(BAD_JSON), sizeof(BAD_JSON) - 1);
		goto send;
	}
	if (f && f->kind == FAULT_HUGE) {
		note_fault(rq, f);
		answer_set(&a, 200, NULL, 0);
		a.huge = f->arg;
		goto send;
	}
	if (f && f->kind == FAULT_STILLBLOCKED) {
		note_fault(rq, f);
		answer_still_blocked(&a, srv, f->arg);
		goto send;
	}
	if (f && f->kind == FAULT_UNFILTERED && strcmp(path, "/ip") == 0 &&
	    strcmp(method, "GET") == 0) {
		note_fault(rq, f);
		call_ip_list(&a, srv, NULL);
		goto send;
	}
	if (strcmp(path, "/auth/time") == 0 && strcmp(method, "GET") == 0) {
		char *now = g_strdup_printf("%" G_GINT64_FORMAT, server_time(srv));

		answer_set(&a, 200, now, strlen(now));
	} else if (strcmp(path, "/auth/time") == 0) {
		answer_not_found(&a, srv, "path", path);
	} else if (strcmp(path, "/auth/credential") == 0 && strcmp(method, "POST") == 0) {
		call_credential(&a, srv, connection, rq->body);
	} else if (strcmp(path, "/auth/credential") == 0) {
		answer_not_found(&a, srv, "path", path);
	} else {
		route(&a, srv, method, path, query, rq->body);
	}
	if (f && f->kind == FAULT_CUT) {
		note_fault(rq, f);
		a.cut = TRUE;
	}
	if (f && f->kind == FAULT_DONEBADJSON) {
		/* Done (a write's state changed), and the answer damaged. */
		note_fault(rq, f);
		answer_set(&a, 200, g_strdup(BAD_JSON), sizeof(BAD_JSON) - 1);
	}
	rq->wrote = a.wrote;
	if (f && f->kind == FAULT_LOST) {
		/* Done, and the answer never leaves. */
		note_fault(rq, f);
		rq->answered = TRUE;
		request_end(srv, rq);
		log_request(srv, rq, method, 0);
		ret = MHD_NO;
		goto out;
	}
	if (f && f->kind == FAULT_LATE) {
		note_fault(rq, f);
		sleep_unless_stopping(srv, f->arg);
	}
send:
	ret = send_answer(srv, connection, rq, method, &a);
out:
	answer_release(&a);
	g_free(raw_path);
	return ret;
}

/* The access handler: called once when the header is in (the arrival:
 * counted, given a query id, refused at once when its Content-Length is
 * too big), once per piece of body, and once more without data, when it
 * is answered. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct conn *c = *con_cls;
	struct request *rq;
	const char *cl;
	guint64 n;
	gint n_arrived;

	(void)version;
	if (!c) {
		/* No URI callback for this request: should not happen. */
		c = conn_of(connection);
		if (!c)
			return MHD_NO;
		*con_cls = c;
		if (!c->req.raw_uri)
			c->req.raw_uri = g_strdup(url);
	}
	rq = &c->req;
	if (!rq->started) {
		rq->started = TRUE;
		rq->t_ms = now_ms(srv);
		rq->inflight = g_atomic_int_add(&srv->inflight, 1) + 1;
		rq->counted = TRUE;
		n_arrived = g_atomic_int_add(&srv->counter, 1) + 1;
		g_snprintf(rq->query_id, sizeof(rq->query_id), "EU.ext-%d.%08" G_GINT32_MODIFIER "x.%d",
			   srv->query_node, srv->query_epoch, n_arrived);
		if (srv->listen_requests && n_arrived == srv->listen_requests) {
			MHD_socket fd = MHD_quiesce_daemon(srv->daemon);

			if (fd != MHD_INVALID_SOCKET)
				close(fd);
		}
		cl = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && (!g_ascii_string_to_unsigned(cl, 10, 0, G_MAXUINT64, &n, NULL) || n > MAX_BODY)) {
			/* Answered before the body is read: it never will be. */
			rq->too_big = TRUE;
			return respond(srv, connection, rq, method);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!rq->too_big && !rq->answered) {
			if (*upload_data_size > MAX_BODY - rq->body->len)
				rq->too_big = TRUE;
			else
				g_string_append_len(rq->body, upload_data, (gssize)*upload_data_size);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rq->answered)
		return MHD_YES;
	return respond(srv, connection, rq, method);
}

/* --- the command line ------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: fake-ovh --data DIR --app-key AK --app-secret AS --consumer-key CK\n"
		"                [--port-file FILE] [--log FILE] [--skew SECONDS] [--window SECONDS]\n"
		"                [--fault SPEC]... [--error-style code|class|both] [--max-seconds N]\n"
		"\n"
		"A fake OVHcloud API v1 (/ip anti-spam calls) on 127.0.0.1, for the tests.\n"
		"\n"
		"  --data DIR          the served tree: ip.json, types/T.json, me.json,\n"
		"                      blocks/BLOCK_/block.json, blocks/BLOCK_/IP/{spamip,stats}.json\n"
		"  --app-key AK, --app-secret AS, --consumer-key CK\n"
		"                      the only credentials accepted\n"
		"  --port-file FILE    write the listening port there (also on stdout)\n"
		"  --log FILE          one JSON line per request\n"
		"  --skew SECONDS      the server clock is real time + SECONDS\n"
		"  --window SECONDS    accepted timestamp distance (default 30)\n"
		"  --fault SPEC        503:N[:PREFIX] 504:N[:PREFIX] 429:N:SECS[:PREFIX] reset:N[:PREFIX]\n"
		"                      slow:SECS|MSms[:PREFIX] cut[:PREFIX] badjson[:PREFIX]\n"
		"                      donebadjson[:PREFIX]\n"
		"                      huge:BYTES[:PREFIX] forbidden[:PREFIX] unfiltered[:PREFIX]\n"
		"                      nocredential[:PREFIX] unauthenticated[:PREFIX]\n"
		"                      stillblocked:N:SECS[:PREFIX] lost:N[:PREFIX]\n"
		"                      late:N:SECS|MSms[:PREFIX]\n"
		"  --unblock-delay S   unblocking becomes unblocked S seconds (or MSms) after\n"
		"                      the unblock (default 2)\n"
		"  --unblock-lag S     GET shows the state before the unblock for S seconds (or\n"
		"                      MSms) after it: an API late to show a write (default 0)\n"
		"  --refusal-status N  the HTTP status of \"still blocked\" (default 400)\n"
		"  --listen-requests N stop listening once N requests have arrived\n"
		"  --state FILE        the support tickets, their messages and the credentials\n"
		"                      asked for, as JSON, written after each write\n"
		"  --error-style S     code, class or both (default) error bodies\n"
		"  --max-seconds N     exit after N seconds (default 300)\n");
}

static const struct {
	const char *name;
	enum fault_kind kind;
	int nargs;		/* numbers after the name */
} fault_names[] = {
	{ "503", FAULT_503, 1 },
	{ "504", FAULT_504, 1 },
	{ "429", FAULT_429, 2 },
	{ "reset", FAULT_RESET, 1 },
	{ "slow", FAULT_SLOW, 1 },
	{ "cut", FAULT_CUT, 0 },
	{ "badjson", FAULT_BADJSON, 0 },
	{ "donebadjson", FAULT_DONEBADJSON, 0 },
	{ "huge", FAULT_HUGE, 1 },
	{ "forbidden", FAULT_FORBIDDEN, 0 },
	{ "nocredential", FAULT_NOCREDENTIAL, 0 },
	{ "unauthenticated", FAULT_UNAUTHENTICATED, 0 },
	{ "unfiltered", FAULT_UNFILTERED, 0 },
	{ "stillblocked", FAULT_STILLBLOCKED, 2 },
	{ "lost", FAULT_LOST, 1 },
	{ "late", FAULT_LATE, 2 },
};

/* Parse one --fault SPEC into f.  0, or -1 after saying why on stderr. */
static int
parse_fault(const char *spec, struct fault *f)
{
	char **part = g_strsplit(spec, ":", -1);
	guint n = g_strv_length(part), i, k;
	guint64 num[2] = { 0, 0 };
	int rc = -1;

	memset(f, 0, sizeof(*f));
	for (k = 0; k < G_N_ELEMENTS(fault_names); k++)
		if (n && strcmp(part[0], fault_names[k].name) == 0)
			break;
	if (k == G_N_ELEMENTS(fault_names)) {
		fprintf(stderr, "fake-ovh: unknown fault '%s'\n", spec);
		goto out;
	}
	if (n < 1u + (guint)fault_names[k].nargs) {
		fprintf(stderr, "fake-ovh: fault '%s' needs %d number(s)\n", spec, fault_names[k].nargs);
		goto out;
	}
	for (i = 0; i < (guint)fault_names[k].nargs; i++) {
		char *digits = g_strdup(part[1 + i]);
		gboolean timed = fault_names[k].kind == FAULT_SLOW ||
				 (fault_names[k].kind == FAULT_LATE && i == 1);
		gboolean ms = timed && g_str_has_suffix(digits, "ms");
		gboolean ok;

		if (ms)
			digits[strlen(digits) - 2] = '\0';
		ok = g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT32, &num[i], NULL);
		g_free(digits);
		if (!ok) {
			fprintf(stderr, "fake-ovh: fault '%s': '%s' is not a number\n", spec, part[1 + i]);
			goto out;
		}
		if (timed && !ms)
			num[i] *= 1000;
	}
	f->kind = fault_names[k].kind;
	f->name = fault_names[k].name;
	/* The prefix is the rest, colons and all. */
	if (n > 1u + (guint)fault_names[k].nargs) {
		f->prefix = g_strjoinv(":", part + 1 + fault_names[k].nargs);
		if (f->prefix[0] != '/') {
			fprintf(stderr, "fake-ovh: fault '%s': the prefix must start with '/'\n", spec);
			goto out;
		}
	} else {
		f->prefix = g_strdup("");
	}
	switch (f->kind) {
	case FAULT_503:
	case FAULT_504:
	case FAULT_RESET:
		f->left = num[0];
		break;
	case FAULT_429:
	case FAULT_STILLBLOCKED:
	case FAULT_LATE:
		f->left = num[0];
		f->arg = num[1];
		break;
	case FAULT_LOST:
		f->left = num[0];
		break;
	case FAULT_SLOW:
		f->arg = num[0];
		break;
	case FAULT_HUGE:
		f->arg = num[0];
		if (f->arg < sizeof(HUGE_HEAD) - 1 + sizeof(HUGE_TAIL) - 1) {
			fprintf(stderr, "fake-ovh: fault '%s': at least %zu bytes\n", spec,
				sizeof(HUGE_HEAD) - 1 + sizeof(HUGE_TAIL) - 1);
			goto out;
		}
		break;
	default:
		break;
	}
	rc = 0;
out:
	if (rc < 0) {
		g_free(f->prefix);
		f->prefix = NULL;
	}
	g_strfreev(part);
	return rc;
}

static int
parse_seconds(const char *opt, const char *s, gint64 min, gint64 *out)
{
	if (g_ascii_string_to_signed(s, 10, min, G_MAXINT32, out, NULL))
		return 0;
	fprintf(stderr, "fake-ovh: %s: '%s' is not a valid number of seconds\n", opt, s);
	return -1;
}

/* Write the port to path through a temporary file and a rename. */
static int
write_port_file(const char *path, unsigned port)
{
	char *tmp = g_strdup_printf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = -1;

	if (!f) {
		fprintf(stderr, "fake-ovh: cannot create '%s': %s\n", tmp, g_strerror(errno));
		goto out;
	}
	fprintf(f, "%u\n", port);
	if (fclose(f) == EOF) {
		fprintf(stderr, "fake-ovh: cannot write '%s': %s\n", tmp, g_strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		fprintf(stderr, "fake-ovh: cannot rename '%s' to '%s': %s\n", tmp, path, g_strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	g_free(tmp);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "app-key", required_argument, NULL, 'a' },
		{ "app-secret", required_argument, NULL, 's' },
		{ "consumer-key", required_argument, NULL, 'c' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "skew", required_argument, NULL, 'k' },
		{ "window", required_argument, NULL, 'w' },
		{ "fault", required_argument, NULL, 'f' },
		{ "error-style", required_argument, NULL, 'e' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "unblock-delay", required_argument, NULL, 'u' },
		{ "unblock-lag", required_argument, NULL, 'g' },
		{ "refusal-status", required_argument, NULL, 'r' },
		{ "listen-requests", required_argument, NULL, 'L' },
		{ "state", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct server srv;
	struct MHD_Daemon *daemon = NULL;
	const union MHD_DaemonInfo *info;
	const char *port_file = NULL, *log_path = NULL;
	struct sockaddr_in sa;
	struct timespec wait;
	gint64 max_seconds = 300, deadline, left;
	sigset_t sigs;
	unsigned port;
	int opt, sig, status = EX_USAGE;
	size_t i;

	memset(&srv, 0, sizeof(srv));
	g_mutex_init(&srv.lock);
	srv.window = 30;
	srv.style = STYLE_BOTH;
	srv.unblock_delay_ms = 2000;
	srv.refusal_status = 400;
	srv.unblocked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	srv.tickets = json_array();
	srv.messages = json_array();
	srv.credentials = json_array();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': srv.data_dir = optarg; break;
		case 'a': srv.app_key = optarg; break;
		case 's': srv.app_secret = optarg; break;
		case 'c': srv.consumer_key = optarg; break;
		case 'p': port_file = optarg; break;
		case 'l': log_path = optarg; break;
		case 'S': srv.state_path = optarg; break;
		case 'k':
			if (parse_seconds("--skew", optarg, G_MININT32, &srv.skew) < 0)
				goto out;
			break;
		case 'w':
			if (parse_seconds("--window", optarg, 0, &srv.window) < 0)
				goto out;
			break;
		case 'm':
			if (parse_seconds("--max-seconds", optarg, 1, &max_seconds) < 0)
				goto out;
			break;
		case 'g':
		case 'u': {
			char *digits = g_strdup(optarg);
			gboolean ms = g_str_has_suffix(digits, "ms");
			guint64 v;

			if (ms)
				digits[strlen(digits) - 2] = '\0';
			if (!g_ascii_string_to_unsigned(digits, 10, 0, G_MAXINT32, &v, NULL)) {
				fprintf(stderr, "fake-ovh: --unblock-%s: '%s' is not SECS or MSms\n",
					opt == 'g' ? "lag" : "delay", optarg);
				g_free(digits);
				goto out;
			}
			g_free(digits);
			if (opt == 'g')
				srv.unblock_lag_ms = (gint64)(ms ? v : v * 1000);
			else
				srv.unblock_delay_ms = (gint64)(ms ? v : v * 1000);
			break;
		}
		case 'L': {
			guint64 v;

			if (!g_ascii_string_to_unsigned(optarg, 10, 1, G_MAXINT32, &v, NULL)) {
				fprintf(stderr, "fake-ovh: --listen-requests takes a number, not '%s'\n", optarg);
				goto out;
			}
			srv.listen_requests = (gint)v;
			break;
		}
		case 'r': {
			guint64 v;

			if (!g_ascii_string_to_unsigned(optarg, 10, 400, 599, &v, NULL)) {
				fprintf(stderr, "fake-ovh: --refusal-status takes 400 to 599, not '%s'\n", optarg);
				goto out;
			}
			srv.refusal_status = (unsigned)v;
			break;
		}
		case 'f':
			srv.faults = g_renew(struct fault, srv.faults, srv.nr_faults + 1);
			if (parse_fault(optarg, &srv.faults[srv.nr_faults]) < 0)
				goto out;
			srv.nr_faults++;
			break;
		case 'e':
			if (strcmp(optarg, "code") == 0)
				srv.style = STYLE_CODE;
			else if (strcmp(optarg, "class") == 0)
				srv.style = STYLE_CLASS;
			else if (strcmp(optarg, "both") == 0)
				srv.style = STYLE_BOTH;
			else {
				fprintf(stderr, "fake-ovh: --error-style takes code, class or both, not '%s'\n", optarg);
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			status = EX_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind < argc || !srv.data_dir || !srv.app_key || !srv.app_secret || !srv.consumer_key) {
		usage(stderr);
		goto out;
	}
	if (!g_file_test(srv.data_dir, G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "fake-ovh: '%s' is not a folder\n", srv.data_dir);
		status = EX_NOINPUT;
		goto out;
	}
	if (log_path) {
		srv.log = fopen(log_path, "a");
		if (!srv.log) {
			fprintf(stderr, "fake-ovh: cannot open '%s': %s\n", log_path, g_strerror(errno));
			status = EX_CANTCREAT;
			goto out;
		}
	}
	srv.start_us = g_get_monotonic_time();
	srv.query_node = (int)(getpid() % 9) + 1;
	srv.query_epoch = (guint32)time(NULL);

	/* Blocked before any thread exists, so every thread inherits the
	 * mask and only sigtimedwait() below sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = 0;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A thread per connection: a slow answer holds only its own. */
	daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
				  MHD_USE_AUTO | MHD_USE_ERROR_LOG | MHD_USE_ITC,
				  0, NULL, NULL, on_request, &srv,
				  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_URI_LOG_CALLBACK, on_uri, &srv,
				  MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, &srv,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
				  MHD_OPTION_END);
	if (!daemon) {
		fprintf(stderr, "fake-ovh: cannot start the HTTP server\n");
		status = EX_UNAVAILABLE;
		goto out;
	}
	/* Before the port is told: no request comes earlier. */
	srv.daemon = daemon;
	info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || info->port == 0) {
		fprintf(stderr, "fake-ovh: cannot learn the listening port\n");
		status = EX_UNAVAILABLE;
		goto out;
	}
	port = info->port;
	if (port_file && write_port_file(port_file, port) < 0) {
		status = EX_CANTCREAT;
		goto out;
	}
	printf("%u\n", port);
	if (fflush(stdout) == EOF) {
		status = EX_IOERR;
		goto out;
	}

	deadline = g_get_monotonic_time() + max_seconds * G_USEC_PER_SEC;
	for (;;) {
		left = deadline - g_get_monotonic_time();
		if (left <= 0) {
			fprintf(stderr, "fake-ovh: stopping after %" G_GINT64_FORMAT " seconds (--max-seconds)\n",
				max_seconds);
			break;
		}
		wait.tv_sec = (time_t)(left / G_USEC_PER_SEC);
		wait.tv_nsec = (long)(left % G_USEC_PER_SEC) * 1000;
		sig = sigtimedwait(&sigs, NULL, &wait);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "fake-ovh: sigtimedwait: %s\n", g_strerror(errno));
			break;
		}
	}
	status = EX_OK;
out:
	g_atomic_int_set(&srv.stopping, 1);
	if (daemon)
		MHD_stop_daemon(daemon);
	if (srv.log && fclose(srv.log) == EOF && status == EX_OK) {
		fprintf(stderr, "fake-ovh: cannot write the log: %s\n", g_strerror(errno));
		status = EX_IOERR;
	}
	for (i = 0; i < srv.nr_faults; i++)
		g_free(srv.faults[i].prefix);
	g_free(srv.faults);
	g_hash_table_destroy(srv.unblocked);
	json_decref(srv.tickets);
	json_decref(srv.messages);
	json_decref(srv.credentials);
	g_mutex_clear(&srv.lock);
	return status;
}
