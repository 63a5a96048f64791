/* dns.h - DNS queries for the sender's posture (the one user of c-ares)
 *
 * A resolver asks one server (given, or the system's), each query within
 * a time-out, all of them within one deadline; after the deadline every
 * query answers DNS_DEADLINE at once.  Queries queued with dns_submit run
 * in parallel until dns_wait; dns_query asks one and waits for it.
 */
#ifndef FPKIT_DNS_H
#define FPKIT_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct dns_resolver;

enum dns_type { DNS_A, DNS_AAAA, DNS_MX, DNS_TXT, DNS_PTR };

enum dns_status {
	DNS_OK,		/* one record or more */
	DNS_NODATA,	/* the name exists, no record of the type */
	DNS_NXDOMAIN,
	DNS_SERVFAIL,
	DNS_REFUSED,
	DNS_TIMEOUT,	/* no answer within the query's time-out */
	DNS_DEADLINE,	/* not asked, or not answered, before the deadline */
	DNS_UNREACHABLE,	/* the server refused the connection */
	DNS_BADNAME,	/* not asked: no query can carry the name */
	DNS_ERROR,	/* anything else: a malformed answer */
	DNS_PENDING,
};

/*
 * One answer: each record as text.  A and AAAA: the address; PTR: the
 * name; MX: the exchange's name (sorted by preference); TXT: the record's
 * strings joined.  Names are lowercase without the final dot.
 */
struct dns_answer {
	enum dns_status status;
	char **rr;
	size_t nr;
};

/* SERVER: "IP", "IP:PORT" or "[IPv6]:PORT"; NULL: /etc/resolv.conf's. */
struct dns_resolver *dns_new(const char *server, long timeout_ms, long deadline_ms,
			     struct error *err);
void dns_free(struct dns_resolver *r);

void dns_submit(struct dns_resolver *r, const char *name, enum dns_type type,
		struct dns_answer *out);
void dns_wait(struct dns_resolver *r);
void dns_query(struct dns_resolver *r, const char *name, enum dns_type type,
	       struct dns_answer *out);
void dns_answer_release(struct dns_answer *a);

/*
 * The answers as seen, kept once dns_keep_answers is called: one entry
 * a query, in the order the queries were made (not the order the
 * answers came), so that the same answers give the same list.  TTL: the
 * smallest of the answer's records of the type asked, -1 when there is
 * none (a negative answer, a time-out).  TIME: when the answer came, in
 * epoch seconds, or FIXED_TIME for every entry when it is not negative.
 */
struct dns_seen {
	char *name;
	enum dns_type type;
	enum dns_status status;
	long ttl;
	char **rr;
	size_t nr;
	int64_t time;
};

void dns_keep_answers(struct dns_resolver *r, int64_t fixed_time);
const struct dns_seen *dns_answers(const struct dns_resolver *r, size_t *nr);
/* "A", "AAAA", "MX", "TXT", "PTR". */
const char *dns_type_name(enum dns_type t);

/* The lowercase word for a status: "ok", "nxdomain", "timeout"... */
const char *dns_status_name(enum dns_status s);
/* What went wrong, for people: "no answer in time"... */
const char *dns_status_text(enum dns_status s);
/* True once the deadline has passed. */
bool dns_deadline_passed(const struct dns_resolver *r);
/* The server asked, as given or "system". */
const char *dns_server(const struct dns_resolver *r);

/* The version of c-ares fpkit was built with (*built) and runs with
 * (*running), for fpkit --version; static strings. */
void dns_library_version(const char **built, const char **running);

#endif
