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
