/* dns.c - DNS queries through c-ares: one server, time-outs, a deadline */
#include "config.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "dns.h"
#include "error.h"
#include "xalloc.h"

struct dns_resolver {
	ares_channel channel;
	char *server;
	struct timespec deadline;
	unsigned pending;
	bool keep;		/* dns_keep_answers */
	int64_t fixed_time;
	struct dns_seen *seen;
	size_t nr_seen, alloc_seen;
};

struct query {
	struct dns_resolver *r;
	enum dns_type type;
	struct dns_answer *out;
	long seen;		/* the entry in r->seen, or -1 */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
deadline_of(const struct dns_resolver *r)
{
	return r->deadline.tv_sec + r->deadline.tv_nsec / 1e9;
}

/*
 * "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 address into the form
 * ares_set_servers_ports_csv takes; NULL when it is none of these.
 */
static char *
server_csv(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL;
	size_t len;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (end[1] && end[1] != ':'))
			return NULL;
		len = end - s - 1;
		if (end[1])
			port = end + 2;
		if (len >= sizeof(host))
			return NULL;
		memcpy(host, s + 1, len);
		host[len] = '\0';
		if (inet_pton(AF_INET6, host, buf) != 1)
			return NULL;
	} else if (inet_pton(AF_INET6, s, buf) == 1) {
		return xasprintf("[%s]:53", s);
	} else {
		const char *colon = strchr(s, ':');

		len = colon ? (size_t)(colon - s) : strlen(s);
		if (len >= sizeof(host))
			return NULL;
		memcpy(host, s, len);
		host[len] = '\0';
		if (inet_pton(AF_INET, host, buf) != 1)
			return NULL;
		if (colon)
			port = colon + 1;
	}
	if (port) {
		char *end;
		long p;

		errno = 0;
		p = strtol(port, &end, 10);
		if (!*port || *end || errno || p < 1 || p > 65535)
			return NULL;
		return strchr(host, ':') ? xasprintf("[%s]:%ld", host, p)
					 : xasprintf("%s:%ld", host, p);
	}
	return strchr(host, ':') ? xasprintf("[%s]:53", host) : xasprintf("%s:53", host);
}

struct dns_resolver *
dns_new(const char *server, long timeout_ms, long deadline_ms, struct error *err)
{
	struct dns_resolver *r = xcalloc(1, sizeof(*r));
	struct ares_options opt;
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_EDNSPSZ;
	char *csv = NULL;
	struct in_addr none;
	int rc;

	if (server && !(csv = server_csv(server))) {
		free(r);
		error_set(err, EX_USAGE,
			  "--dns-server '%s': give an IP address, IP:PORT or [IPv6]:PORT", server);
		return NULL;
	}
	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS)
		goto fail;
	memset(&opt, 0, sizeof(opt));
	/* EDNS: SPF records often exceed 512 bytes; no search list:
	 * every name asked is absolute; SERVFAIL and REFUSED are answers
	 * to report (c-ares would take them for an unreachable server). */
	opt.flags = ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
		    ARES_FLAG_NOCHECKRESP;
	opt.ednspsz = 1232;
	opt.timeout = timeout_ms > 0 ? (int)timeout_ms : 1;
	opt.tries = 1;
	if (csv) {
		/* A server given: /etc/resolv.conf's servers are never
		 * asked, not even before the given one is set. */
		inet_pton(AF_INET, "127.0.0.1", &none);
		opt.servers = &none;
		opt.nservers = 1;
		mask |= ARES_OPT_SERVERS;
	}
	rc = ares_init_options(&r->channel, &opt, mask);
	if (rc != ARES_SUCCESS)
		goto fail_lib;
	if (csv && (rc = ares_set_servers_ports_csv(r->channel, csv)) != ARES_SUCCESS) {
		ares_destroy(r->channel);
		goto fail_lib;
	}
	r->server = csv ? csv : xstrdup("system");
	clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	r->deadline.tv_sec += deadline_ms / 1000;
	r->deadline.tv_nsec += (deadline_ms % 1000) * 1000000L;
	if (r->deadline.tv_nsec >= 1000000000L) {
		r->deadline.tv_sec++;
		r->deadline.tv_nsec -= 1000000000L;
	}
	return r;
fail_lib:
	ares_library_cleanup();
fail:
	free(csv);
	free(r);
	error_set(err, EX_SOFTWARE, "cannot set up DNS queries: %s", ares_strerror(rc));
	return NULL;
}

void
dns_free(struct dns_resolver *r)
{
	if (!r)
		return;
	ares_destroy(r->channel);
	ares_library_cleanup();
	for (size_t i = 0; i < r->nr_seen; i++) {
		for (size_t j = 0; j < r->seen[i].nr; j++)
			free(r->seen[i].rr[j]);
		free(r->seen[i].rr);
		free(r->seen[i].name);
	}
	free(r->seen);
	free(r->server);
	free(r);
}

const char *
dns_server(const struct dns_resolver *r)
{
	return r->server;
}

static void
add_rr(struct dns_answer *a, char *s)
{
	a->rr = xrealloc(a->rr, (a->nr + 1) * sizeof(*a->rr));
	a->rr[a->nr++] = s;
}

/* Lowercase, without the final dot. */
static char *
name_copy(const char *name)
{
	char *s = xstrdup(name);
	size_t n = strlen(s);

	if (n && s[n - 1] == '.')
		s[n - 1] = '\0';
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return s;
}

static int
parse_a(const unsigned char *buf, int len, struct dns_answer *a, int af)
{
	char text[INET6_ADDRSTRLEN];
	int n = 64, rc;

	if (af == AF_INET) {
		struct ares_addrttl tt[64];

		rc = ares_parse_a_reply(buf, len, NULL, tt, &n);
		for (int i = 0; rc == ARES_SUCCESS && i < n; i++)
			if (inet_ntop(AF_INET, &tt[i].ipaddr, text, sizeof(text)))
				add_rr(a, xstrdup(text));
	} else {
		struct ares_addr6ttl tt[64];

		rc = ares_parse_aaaa_reply(buf, len, NULL, tt, &n);
		for (int i = 0; rc == ARES_SUCCESS && i < n; i++)
			if (inet_ntop(AF_INET6, &tt[i].ip6addr, text, sizeof(text)))
				add_rr(a, xstrdup(text));
	}
	return rc;
}

static int
mx_cmp(const void *a, const void *b)
{
	const struct ares_mx_reply *x = *(const struct ares_mx_reply *const *)a;
	const struct ares_mx_reply *y = *(const struct ares_mx_reply *const *)b;

	return (int)x->priority - (int)y->priority;
}

static int
parse_mx(const unsigned char *buf, int len, struct dns_answer *a)
{
	struct ares_mx_reply *mx = NULL, **v;
	size_t n = 0, i = 0;
	int rc = ares_parse_mx_reply(buf, len, &mx);

	if (rc != ARES_SUCCESS)
		return rc;
	for (struct ares_mx_reply *m = mx; m; m = m->next)
		n++;
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (struct ares_mx_reply *m = mx; m; m = m->next)
		v[i++] = m;
	qsort(v, n, sizeof(*v), mx_cmp);
	for (i = 0; i < n; i++)
		add_rr(a, name_copy(v[i]->host));
	free(v);
	ares_free_data(mx);
	return rc;
}

static int
parse_txt(const unsigned char *buf, int len, struct dns_answer *a)
{
	struct ares_txt_ext *txt = NULL;
	int rc = ares_parse_txt_reply_ext(buf, len, &txt);
	char *cur = NULL;
	size_t curlen = 0;

	if (rc != ARES_SUCCESS)
		return rc;
	for (struct ares_txt_ext *t = txt; t; t = t->next) {
		if (t->record_start && cur) {
			add_rr(a, cur);
			cur = NULL;
			curlen = 0;
		}
		cur = xrealloc(cur, curlen + t->length + 1);
		memcpy(cur + curlen, t->txt, t->length);
		/* A NUL byte inside a record becomes DEL, which no SPF or
		 * DMARC record may hold either: the record stays whole and
		 * stays wrong. */
		for (size_t i = curlen; i < curlen + t->length; i++)
			if (!cur[i])
				cur[i] = 0x7f;
		curlen += t->length;
		cur[curlen] = '\0';
	}
	if (cur)
		add_rr(a, cur);
	ares_free_data(txt);
	return rc;
}

static int
parse_ptr(const unsigned char *buf, int len, struct dns_answer *a)
{
	struct hostent *he = NULL;
	int rc = ares_parse_ptr_reply(buf, len, NULL, 0, AF_INET, &he);

	if (rc != ARES_SUCCESS)
		return rc;
	/* c-ares gives every name in the aliases, the first one in
	 * h_name too. */
	for (char **al = he->h_aliases; al && *al; al++)
		add_rr(a, name_copy(*al));
	if (!a->nr && he->h_name)
		add_rr(a, name_copy(he->h_name));
	ares_free_hostent(he);
	return rc;
}

static enum dns_status
status_of(int rc)
{
	switch (rc) {
	case ARES_SUCCESS: return DNS_OK;
	case ARES_ENODATA: return DNS_NODATA;
	case ARES_ENOTFOUND: return DNS_NXDOMAIN;
	case ARES_ESERVFAIL: return DNS_SERVFAIL;
	case ARES_EREFUSED: return DNS_REFUSED;
	case ARES_ETIMEOUT: return DNS_TIMEOUT;
	/* Only dns_wait cancels, at the deadline. */
	case ARES_ECANCELLED: case ARES_EDESTRUCTION: return DNS_DEADLINE;
	case ARES_ECONNREFUSED: return DNS_UNREACHABLE;
	default: return DNS_ERROR;
	}
}

/* Skip a name in a DNS message at *pos (labels, ending at a zero or a
 * compression pointer); false when it runs past the end. */
static bool
skip_name(const unsigned char *buf, int len, int *pos)
{
	while (*pos < len) {
		unsigned c = buf[*pos];

		if (c == 0) {
			(*pos)++;
			return true;
		}
		if ((c & 0xc0) == 0xc0) {
			*pos += 2;
			return *pos <= len;
		}
		*pos += 1 + (int)c;
	}
	return false;
}

/* The smallest TTL of the answer section's records of type QTYPE
 * (RFC 1035, 4.1); -1 when there is none or the message is short. */
static long
min_ttl(const unsigned char *buf, int len, int qtype)
{
	int pos = 12, qd, an;
	long ttl = -1;

	if (!buf || len < 12)
		return -1;
	qd = buf[4] << 8 | buf[5];
	an = buf[6] << 8 | buf[7];
	for (int i = 0; i < qd; i++)
		if (!skip_name(buf, len, &pos) || (pos += 4) > len)
			return -1;
	for (int i = 0; i < an; i++) {
		int type, rdlen;
		long t;

		if (!skip_name(buf, len, &pos) || pos + 10 > len)
			return ttl;
		type = buf[pos] << 8 | buf[pos + 1];
		t = (long)((unsigned long)buf[pos + 4] << 24 | (unsigned long)buf[pos + 5] << 16 |
			   (unsigned long)buf[pos + 6] << 8 | buf[pos + 7]);
		rdlen = buf[pos + 8] << 8 | buf[pos + 9];
		pos += 10 + rdlen;
		if (type == qtype && (ttl < 0 || t < ttl))
			ttl = t;
	}
	return ttl;
}

static const int qtypes[] = {
	[DNS_A] = 1, [DNS_AAAA] = 28, [DNS_MX] = 15, [DNS_TXT] = 16, [DNS_PTR] = 12,
};

static int64_t
seen_time(const struct dns_resolver *r)
{
	return r->fixed_time >= 0 ? r->fixed_time : (int64_t)time(NULL);
}

/* A new entry in r->seen for NAME, when answers are kept; its index or
 * -1. */
static long
seen_add(struct dns_resolver *r, const char *name, enum dns_type type, enum dns_status st)
{
	struct dns_seen *e;

	if (!r->keep)
		return -1;
	r->seen = xgrow(r->seen, r->nr_seen + 1, &r->alloc_seen, sizeof(*r->seen));
	e = &r->seen[r->nr_seen];
	memset(e, 0, sizeof(*e));
	e->name = name_copy(name);
	e->type = type;
	e->status = st;
	e->ttl = -1;
	e->time = seen_time(r);
	return (long)r->nr_seen++;
}

static void
seen_fill(struct dns_resolver *r, long i, const struct dns_answer *a, long ttl)
{
	struct dns_seen *e;

	if (i < 0)
		return;
	e = &r->seen[i];
	e->status = a->status;
	e->ttl = a->status == DNS_OK ? ttl : -1;
	e->time = seen_time(r);
	e->rr = xcalloc(a->nr ? a->nr : 1, sizeof(*e->rr));
	for (size_t j = 0; j < a->nr; j++)
		e->rr[j] = xstrdup(a->rr[j]);
	e->nr = a->nr;
}

void
dns_keep_answers(struct dns_resolver *r, int64_t fixed_time)
{
	r->keep = true;
	r->fixed_time = fixed_time;
}

const struct dns_seen *
dns_answers(const struct dns_resolver *r, size_t *nr)
{
	*nr = r->nr_seen;
	return r->seen;
}

const char *
dns_type_name(enum dns_type t)
{
	static const char *const names[] = {
		[DNS_A] = "A", [DNS_AAAA] = "AAAA", [DNS_MX] = "MX", [DNS_TXT] = "TXT",
		[DNS_PTR] = "PTR",
	};

	return names[t];
}

static void
answered(void *arg, int rc, int timeouts, unsigned char *buf, int len)
{
	struct query *q = arg;
	struct dns_answer *a = q->out;

	(void)timeouts;
	if (rc == ARES_SUCCESS) {
		switch (q->type) {
		case DNS_A: rc = parse_a(buf, len, a, AF_INET); break;
		case DNS_AAAA: rc = parse_a(buf, len, a, AF_INET6); break;
		case DNS_MX: rc = parse_mx(buf, len, a); break;
		case DNS_TXT: rc = parse_txt(buf, len, a); break;
		case DNS_PTR: rc = parse_ptr(buf, len, a); break;
		}
		/* A CNAME alone, or records of other types only. */
		if (rc == ARES_SUCCESS && !a->nr)
			rc = ARES_ENODATA;
	}
	a->status = status_of(rc);
	if (a->status != DNS_OK) {
		for (size_t i = 0; i < a->nr; i++)
			free(a->rr[i]);
		free(a->rr);
		a->rr = NULL;
		a->nr = 0;
	}
	seen_fill(q->r, q->seen, a, min_ttl(buf, len, qtypes[q->type]));
	q->r->pending--;
	free(q);
}

/* A name a query can carry: labels of 1 to 63 bytes, 253 in all. */
static bool
name_ok(const char *name)
{
	size_t n = strlen(name), label = 0;

	if (n && name[n - 1] == '.')
		n--;
	if (!n || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || name[i] == '.') {
			if (!label || label > 63)
				return false;
			label = 0;
		} else {
			label++;
		}
	}
	return true;
}

void
dns_submit(struct dns_resolver *r, const char *name, enum dns_type type,
	   struct dns_answer *out)
{
	struct query *q;

	memset(out, 0, sizeof(*out));
	out->status = DNS_PENDING;
	if (!name_ok(name)) {
		out->status = DNS_BADNAME;
		return;
	}
	if (dns_deadline_passed(r)) {
		out->status = DNS_DEADLINE;
		seen_add(r, name, type, DNS_DEADLINE);
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->type = type;
	q->out = out;
	q->seen = seen_add(r, name, type, DNS_PENDING);
	r->pending++;
	ares_query(r->channel, name, 1 /* IN */, qtypes[type], answered, q);
}

void
dns_wait(struct dns_resolver *r)
{
	while (r->pending) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		struct timeval tv, *tvp;
		double left = deadline_of(r) - now();
		int bits, n = 0, ms;

		if (left <= 0) {
			/* Every query still out answers DNS_DEADLINE. */
			ares_cancel(r->channel);
			break;
		}
		bits = ares_getsock(r->channel, socks, ARES_GETSOCK_MAXNUM);
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = 0;

			/* c-ares' own macros shift a signed 1 into the
			 * sign bit. */
			if ((unsigned)bits & (1u << i))
				ev |= POLLIN;
			if ((unsigned)bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
				ev |= POLLOUT;
			if (!ev)
				continue;
			pfd[n].fd = socks[i];
			pfd[n].events = ev;
			pfd[n].revents = 0;
			n++;
		}
		tvp = ares_timeout(r->channel, NULL, &tv);
		ms = tvp ? (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000) : 1000;
		if (ms > left * 1000 + 1)
			ms = (int)(left * 1000) + 1;
		if (poll(pfd, n, ms) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++)
			ares_process_fd(r->channel,
					pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD,
					pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
		/* Time-outs are noticed on a call with no socket ready. */
		ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	}
	if (r->pending)
		ares_cancel(r->channel);
}

void
dns_query(struct dns_resolver *r, const char *name, enum dns_type type,
	  struct dns_answer *out)
{
	dns_submit(r, name, type, out);
	dns_wait(r);
}

void
dns_answer_release(struct dns_answer *a)
{
	for (size_t i = 0; i < a->nr; i++)
		free(a->rr[i]);
	free(a->rr);
	memset(a, 0, sizeof(*a));
}

const char *
dns_status_name(enum dns_status s)
{
	static const char *const names[] = {
		[DNS_OK] = "ok", [DNS_NODATA] = "nodata", [DNS_NXDOMAIN] = "nxdomain",
		[DNS_SERVFAIL] = "servfail", [DNS_REFUSED] = "refused",
		[DNS_TIMEOUT] = "timeout", [DNS_DEADLINE] = "deadline", [DNS_UNREACHABLE] = "unreachable",
		[DNS_BADNAME] = "badname", [DNS_ERROR] = "error", [DNS_PENDING] = "pending",
	};

	return names[s];
}

const char *
dns_status_text(enum dns_status s)
{
	switch (s) {
	case DNS_OK: return "answered";
	case DNS_NODATA: return "no record of the type";
	case DNS_NXDOMAIN: return "no such name (NXDOMAIN)";
	case DNS_SERVFAIL: return "the server failed (SERVFAIL)";
	case DNS_REFUSED: return "the server refused the query (REFUSED)";
	case DNS_TIMEOUT: return "no answer in time";
	case DNS_DEADLINE: return "not answered before the deadline";
	case DNS_UNREACHABLE: return "the server cannot be reached";
	case DNS_BADNAME: return "not a name a query can carry";
	case DNS_ERROR: return "a malformed answer";
	case DNS_PENDING: break;
	}
	return "not answered";
}

bool
dns_deadline_passed(const struct dns_resolver *r)
{
	return now() >= deadline_of(r);
}

void
dns_library_version(const char **built, const char **running)
{
	*built = ARES_VERSION_STR;
	*running = ares_version(NULL);
}
