/* spf.c - check_host() of RFC 7208 over the project's DNS resolver */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ascii.h"
#include "dns.h"
#include "netaddr.h"
#include "spf.h"
#include "xalloc.h"

/* RFC 7208, 4.6.4: terms that cost a DNS lookup, and void lookups. */
#define SPF_MAX_LOOKUPS 10
#define SPF_MAX_VOID 2
#define SPF_MAX_MX 10
#define SPF_MAX_PTR 10
#define SPF_MAX_NAME 253

struct spf_ctx {
	struct dns_resolver *r;
	bool v6;
	unsigned char ip[16];
	char ipstr[INET6_ADDRSTRLEN];
	const char *sender;
	char *local;
	char *sender_domain;
	const char *helo;
	int lookups;
	int voids;
	char *problem;
	char *validated;	/* the 'p' macro, once found */
};

enum term_kind {
	T_ALL, T_INCLUDE, T_A, T_MX, T_PTR, T_IP4, T_IP6, T_EXISTS,
	T_REDIRECT, T_EXP, T_UNKNOWN_MOD,
};

struct term {
	enum term_kind kind;
	char qualifier;
	const char *text;	/* the whole term, as written */
	char *arg;		/* domain-spec or network */
	int cidr4, cidr6;
	unsigned char net[16];
};

/* The first reason for a result other than a match: kept, the rest
 * dropped. */
static void __attribute__((format(printf, 2, 3)))
problem(struct spf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->problem)
		return;
	va_start(ap, fmt);
	if (vasprintf(&c->problem, fmt, ap) < 0)
		c->problem = NULL;
	va_end(ap);
}

static bool
is_alnum(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool
is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/*
 * A macro-string (RFC 7208, 7.1): a '%' starts %%, %_, %- or a
 * macro-expand; EXP allows c, r, t and spaces.
 */
static bool
macro_string_ok(const char *s, size_t n, bool exp)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = s[i];

		if (ch == '%') {
			if (i + 1 >= n)
				return false;
			ch = s[++i];
			if (ch == '%' || ch == '_' || ch == '-')
				continue;
			if (ch != '{' || i + 1 >= n)
				return false;
			ch = ascii_tolower(s[++i]);
			if (!strchr("slodiphv", ch) && !(exp && strchr("crt", ch)))
				return false;
			i++;
			if (i < n && s[i] >= '0' && s[i] <= '9') {
				if (s[i] == '0')
					return false;
				while (i < n && s[i] >= '0' && s[i] <= '9')
					i++;
			}
			if (i < n && (s[i] == 'r' || s[i] == 'R'))
				i++;
			while (i < n && strchr(".-+,/_=", s[i]))
				i++;
			if (i >= n || s[i] != '}')
				return false;
		} else if (ch < 0x21 || ch > 0x7e) {
			if (!(exp && ch == ' '))
				return false;
		}
	}
	return true;
}

/* toplabel (RFC 7208, 7.1): alphanumerics with one letter at least, or
 * with inner hyphens. */
static bool
toplabel_ok(const char *s, size_t n)
{
	bool alpha = false;

	if (!n || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			alpha = true;
		else if (!is_alnum(s[i]))
			return false;
		else if (is_alpha(s[i]))
			alpha = true;
	}
	return alpha;
}

/* domain-spec = macro-string domain-end; domain-end = ("." toplabel
 * ["."]) / macro-expand */
static bool
domain_spec_ok(const char *s, size_t n)
{
	size_t end = n, dot;

	if (!n || !macro_string_ok(s, n, false))
		return false;
	if (s[n - 1] == '}')
		return true;
	if (s[end - 1] == '.')
		end--;
	for (dot = end; dot > 0 && s[dot - 1] != '.'; dot--)
		;
	if (dot == 0)
		return false;
	return toplabel_ok(s + dot, end - dot);
}

/* "/N" with no leading zero and at most MAX; the text after it in *end. */
static bool
cidr_parse(const char *s, int max, int *out, const char **end)
{
	int v = 0;
	const char *p = s + 1;

	if (*s != '/' || !ascii_isdigit(*p) || (*p == '0' && ascii_isdigit(p[1])))
		return false;
	while (ascii_isdigit(*p)) {
		v = v * 10 + (*p++ - '0');
		if (v > max)
			return false;
	}
	*out = v;
	*end = p;
	return true;
}

/* The domain-spec and dual-cidr-length of a, mx: "[:spec][/n][//m]". */
static bool
parse_dual(struct term *t, const char *p, bool want_cidr)
{
	const char *slash, *end;
	size_t n = strlen(p);

	if (*p == ':') {
		p++;
		n--;
		if (!n)
			return false;
	} else if (*p && *p != '/') {
		return false;
	}
	slash = NULL;
	if (want_cidr) {
		/* The cidr is the last '/' part(s) made of digits only. */
		for (const char *q = p; *q; q++)
			if (*q == '/' && (ascii_isdigit(q[1]) || q[1] == '/')) {
				const char *r = q;

				while (*r == '/' || ascii_isdigit(*r))
					r++;
				if (!*r) {
					slash = q;
					break;
				}
			}
	}
	if (slash)
		n = slash - p;
	if (n) {
		if (!domain_spec_ok(p, n))
			return false;
		t->arg = xstrndup(p, n);
	}
	if (!slash)
		return true;
	end = slash;
	if (end[1] != '/') {
		if (!cidr_parse(end, 32, &t->cidr4, &end))
			return false;
	}
	if (end[0] == '/' && end[1] == '/') {
		if (!cidr_parse(end + 1, 128, &t->cidr6, &end))
			return false;
	}
	return *end == '\0';
}

static bool
parse_net(struct term *t, const char *p, bool v6)
{
	const char *slash = strchr(p, '/'), *end;
	char addr[INET6_ADDRSTRLEN];
	size_t n = slash ? (size_t)(slash - p) : strlen(p);

	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, p, n);
	addr[n] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, t->net) != 1)
		return false;
	t->arg = xstrdup(addr);
	if (!slash)
		return true;
	if (!cidr_parse(slash, v6 ? 128 : 32, v6 ? &t->cidr6 : &t->cidr4, &end))
		return false;
	return *end == '\0';
}

static const struct {
	const char *name;
	enum term_kind kind;
} mechanisms[] = {
	{ "all", T_ALL }, { "include", T_INCLUDE }, { "a", T_A }, { "mx", T_MX },
	{ "ptr", T_PTR }, { "ip4", T_IP4 }, { "ip6", T_IP6 }, { "exists", T_EXISTS },
};

/* One term into T; false on a syntax error. */
static bool
parse_term(const char *text, struct term *t)
{
	const char *p = text;
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	t->text = text;
	t->cidr4 = 32;
	t->cidr6 = 128;
	t->qualifier = '+';
	while (is_alnum(p[n]) || p[n] == '-' || p[n] == '_' || p[n] == '.')
		n++;
	if (n && is_alpha(p[0]) && p[n] == '=') {
		const char *v = p + n + 1;

		if (n == 8 && !strncasecmp(p, "redirect", 8))
			t->kind = T_REDIRECT;
		else if (n == 3 && !strncasecmp(p, "exp", 3))
			t->kind = T_EXP;
		else
			t->kind = T_UNKNOWN_MOD;
		t->arg = xstrdup(v);
		if (t->kind == T_UNKNOWN_MOD)
			return macro_string_ok(v, strlen(v), false);
		return domain_spec_ok(v, strlen(v));
	}
	if (*p == '+' || *p == '-' || *p == '~' || *p == '?')
		t->qualifier = *p++;
	for (size_t i = 0; i < sizeof(mechanisms) / sizeof(mechanisms[0]); i++) {
		size_t len = strlen(mechanisms[i].name);

		if (strncasecmp(p, mechanisms[i].name, len) ||
		    is_alnum(p[len]) || p[len] == '-' || p[len] == '_' || p[len] == '.')
			continue;
		t->kind = mechanisms[i].kind;
		p += len;
		switch (t->kind) {
		case T_ALL:
			return *p == '\0';
		case T_INCLUDE: case T_EXISTS:
			if (*p != ':' || !domain_spec_ok(p + 1, strlen(p + 1)))
				return false;
			t->arg = xstrdup(p + 1);
			return true;
		case T_A: case T_MX:
			return parse_dual(t, p, true);
		case T_PTR:
			return parse_dual(t, p, false);
		case T_IP4: case T_IP6:
			return *p == ':' && parse_net(t, p + 1, t->kind == T_IP6);
		default:
			return false;
		}
	}
	return false;
}

static void
terms_free(struct term *t, size_t n, char *copy)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].arg);
	free(t);
	free(copy);
}

static void
sb_add(char **buf, size_t *len, const char *s, size_t n)
{
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* The 'i' macro: dotted quad, or the IPv6 address's 32 nibbles dotted,
 * uppercase as in RFC 7208's examples (7.4). */
static char *
ip_dotted(const struct spf_ctx *c)
{
	static const char hex[] = "0123456789ABCDEF";
	char *s;

	if (!c->v6)
		return xstrdup(c->ipstr);
	s = xmalloc(64);
	for (int i = 0; i < 16; i++) {
		s[i * 4] = hex[c->ip[i] >> 4];
		s[i * 4 + 1] = '.';
		s[i * 4 + 2] = hex[c->ip[i] & 15];
		s[i * 4 + 3] = '.';
	}
	s[63] = '\0';
	return s;
}

static bool
addr_in(const struct spf_ctx *c, const char *text, int bits)
{
	unsigned char a[16];

	if (inet_pton(c->v6 ? AF_INET6 : AF_INET, text, a) != 1)
		return false;
	for (int i = 0; i < bits / 8; i++)
		if (a[i] != c->ip[i])
			return false;
	if (bits % 8) {
		unsigned char mask = 0xff << (8 - bits % 8);

		if ((a[bits / 8] & mask) != (c->ip[bits / 8] & mask))
			return false;
	}
	return true;
}

static bool
subdomain_of(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n == d)
		return !strcasecmp(name, domain);
	return n > d && name[n - d - 1] == '.' && !strcasecmp(name + n - d, domain);
}

/*
 * The IP's names whose address record gives back the IP (RFC 7208, 5.5),
 * the first SPF_MAX_PTR names only; errors on a name skip it.
 */
static size_t
validated_names(struct spf_ctx *c, char ***out, enum dns_status *ptr_status)
{
	struct dns_answer ptr, *fw;
	char *rev = netaddr_reverse_name(c->ipstr, NULL);
	size_t n, found = 0;

	dns_query(c->r, rev, DNS_PTR, &ptr);
	free(rev);
	*ptr_status = ptr.status;
	*out = NULL;
	n = ptr.nr < SPF_MAX_PTR ? ptr.nr : SPF_MAX_PTR;
	fw = xcalloc(n ? n : 1, sizeof(*fw));
	for (size_t i = 0; i < n; i++)
		dns_submit(c->r, ptr.rr[i], c->v6 ? DNS_AAAA : DNS_A, &fw[i]);
	dns_wait(c->r);
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < fw[i].nr; j++)
			if (addr_in(c, fw[i].rr[j], c->v6 ? 128 : 32)) {
				(*out)[found++] = xstrdup(ptr.rr[i]);
				break;
			}
		dns_answer_release(&fw[i]);
	}
	free(fw);
	dns_answer_release(&ptr);
	return found;
}

static void
names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The 'p' macro: a validated name, one in DOMAIN preferred. */
static const char *
macro_p(struct spf_ctx *c, const char *domain)
{
	enum dns_status st;
	char **names;
	size_t n;

	if (c->validated)
		return c->validated;
	n = validated_names(c, &names, &st);
	for (size_t i = 0; i < n && !c->validated; i++)
		if (subdomain_of(names[i], domain))
			c->validated = xstrdup(names[i]);
	if (!c->validated)
		c->validated = xstrdup(n ? names[0] : "unknown");
	names_free(names, n);
	return c->validated;
}

static char *
macro_value(struct spf_ctx *c, char letter, const char *domain)
{
	char buf[32];

	switch (letter) {
	case 's': return xstrdup(c->sender);
	case 'l': return xstrdup(c->local);
	case 'o': return xstrdup(c->sender_domain);
	case 'd': return xstrdup(domain);
	case 'i': return ip_dotted(c);
	case 'p': return xstrdup(macro_p(c, domain));
	case 'v': return xstrdup(c->v6 ? "ip6" : "in-addr");
	case 'h': return xstrdup(c->helo ? c->helo : "unknown");
	case 'c': return xstrdup(c->ipstr);
	case 'r': return xstrdup("unknown");
	case 't':
		snprintf(buf, sizeof(buf), "%lld", (long long)time(NULL));
		return xstrdup(buf);
	}
	return xstrdup("");
}

/* VALUE split on DELIMS, reversed if asked, its rightmost KEEP parts
 * (0: all) joined with dots. */
static char *
transform(const char *value, const char *delims, bool reverse, long keep)
{
	char *copy = xstrdup(value), **parts = NULL, *out = NULL, *p = copy;
	size_t n = 0, len = 0, from;

	for (;;) {
		size_t k = strcspn(p, delims);

		parts = xrealloc(parts, (n + 1) * sizeof(*parts));
		parts[n++] = p;
		if (!p[k])
			break;
		p[k] = '\0';
		p += k + 1;
	}
	if (reverse)
		for (size_t i = 0; i < n / 2; i++) {
			char *t = parts[i];

			parts[i] = parts[n - 1 - i];
			parts[n - 1 - i] = t;
		}
	from = keep > 0 && (size_t)keep < n ? n - keep : 0;
	sb_add(&out, &len, "", 0);
	for (size_t i = from; i < n; i++) {
		if (i > from)
			sb_add(&out, &len, ".", 1);
		sb_add(&out, &len, parts[i], strlen(parts[i]));
	}
	free(parts);
	free(copy);
	return out;
}

static char *
url_escape(const char *s)
{
	char *out = NULL, hex[4];
	size_t len = 0;

	sb_add(&out, &len, "", 0);
	for (; *s; s++) {
		if (is_alnum(*s) || strchr("-._~", *s)) {
			sb_add(&out, &len, s, 1);
		} else {
			snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)*s);
			sb_add(&out, &len, hex, 3);
		}
	}
	return out;
}

/* SPEC expanded for DOMAIN (RFC 7208, 7); the syntax was checked. */
static char *
expand(struct spf_ctx *c, const char *spec, const char *domain)
{
	char *out = NULL;
	size_t len = 0;

	sb_add(&out, &len, "", 0);
	for (const char *p = spec; *p; p++) {
		char letter, delims[8] = "", *v, *t;
		bool upper, reverse = false;
		long keep = 0;
		size_t nd = 0;

		if (*p != '%') {
			sb_add(&out, &len, p, 1);
			continue;
		}
		p++;
		if (*p == '%' || *p == '_' || *p == '-') {
			sb_add(&out, &len, *p == '%' ? "%" : *p == '_' ? " " : "%20", *p == '-' ? 3 : 1);
			continue;
		}
		letter = *++p;
		upper = letter >= 'A' && letter <= 'Z';
		p++;
		while (ascii_isdigit(*p))
			keep = keep < 1000 ? keep * 10 + (*p++ - '0') : (p++, keep);
		if (*p == 'r' || *p == 'R') {
			reverse = true;
			p++;
		}
		while (*p != '}') {
			if (nd < sizeof(delims) - 1 && !strchr(delims, *p))
				delims[nd++] = *p;
			p++;
		}
		v = macro_value(c, ascii_tolower(letter), domain);
		t = transform(v, nd ? delims : ".", reverse, keep);
		free(v);
		if (upper) {
			v = url_escape(t);
			free(t);
			t = v;
		}
		sb_add(&out, &len, t, strlen(t));
		free(t);
	}
	return out;
}

/* A domain-spec expanded: at most 253 characters, the leftmost labels
 * dropped (RFC 7208, 7.3), without a final dot. */
static char *
expand_domain(struct spf_ctx *c, const char *spec, const char *domain)
{
	char *s = expand(c, spec, domain), *p = s;
	size_t n = strlen(s);

	if (n && s[n - 1] == '.')
		s[--n] = '\0';
	while (n > SPF_MAX_NAME) {
		char *dot = strchr(p, '.');

		if (!dot)
			break;
		n -= dot + 1 - p;
		p = dot + 1;
	}
	if (p != s)
		memmove(s, p, n + 1);
	return s;
}

enum match { M_NO, M_YES, M_TEMPERROR, M_PERMERROR };

static enum spf_result check_host(struct spf_ctx *c, const char *domain,
				  char **mech, char **exp);

static bool
charge_lookup(struct spf_ctx *c)
{
	if (++c->lookups <= SPF_MAX_LOOKUPS)
		return true;
	problem(c, "more than %d DNS lookups", SPF_MAX_LOOKUPS);
	return false;
}

/* A lookup that found nothing; false past the limit on void lookups. */
static bool
charge_void(struct spf_ctx *c, enum dns_status st)
{
	if (st != DNS_NXDOMAIN && st != DNS_NODATA)
		return true;
	if (++c->voids <= SPF_MAX_VOID)
		return true;
	problem(c, "more than %d void DNS lookups", SPF_MAX_VOID);
	return false;
}

static enum match
dns_trouble(struct spf_ctx *c, const char *name, const struct dns_answer *a)
{
	c->problem = c->problem ? c->problem
		     : xasprintf("DNS for %s: %s", name, dns_status_text(a->status));
	return M_TEMPERROR;
}

/* A name no query can carry is taken as one that does not exist (RFC
 * 7208, 4.3 and 5): no match, no error. */
static bool
dns_failed(enum dns_status st)
{
	return st != DNS_OK && st != DNS_NODATA && st != DNS_NXDOMAIN && st != DNS_BADNAME;
}

static enum match
match_a(struct spf_ctx *c, const struct term *t, const char *domain, bool mx)
{
	char *name = t->arg ? expand_domain(c, t->arg, domain) : xstrdup(domain);
	int bits = c->v6 ? t->cidr6 : t->cidr4;
	enum dns_type type = c->v6 ? DNS_AAAA : DNS_A;
	enum match m = M_NO;
	struct dns_answer a, *hosts;

	if (!charge_lookup(c)) {
		free(name);
		return M_PERMERROR;
	}
	dns_query(c->r, name, mx ? DNS_MX : type, &a);
	if (dns_failed(a.status))
		m = dns_trouble(c, name, &a);
	else if (!charge_void(c, a.status))
		m = M_PERMERROR;
	if (m != M_NO || !a.nr)
		goto out;
	if (!mx) {
		for (size_t i = 0; i < a.nr && m == M_NO; i++)
			if (addr_in(c, a.rr[i], bits))
				m = M_YES;
		goto out;
	}
	if (a.nr > SPF_MAX_MX) {
		problem(c, "%s has more than 10 MX records", name);
		m = M_PERMERROR;
		goto out;
	}
	hosts = xcalloc(a.nr, sizeof(*hosts));
	for (size_t i = 0; i < a.nr; i++)
		dns_submit(c->r, a.rr[i], type, &hosts[i]);
	dns_wait(c->r);
	for (size_t i = 0; i < a.nr; i++) {
		for (size_t j = 0; j < hosts[i].nr && m == M_NO; j++)
			if (addr_in(c, hosts[i].rr[j], bits))
				m = M_YES;
		dns_answer_release(&hosts[i]);
	}
	free(hosts);
out:
	dns_answer_release(&a);
	free(name);
	return m;
}

static enum match
match_ptr(struct spf_ctx *c, const struct term *t, const char *domain)
{
	char *target = t->arg ? expand_domain(c, t->arg, domain) : xstrdup(domain);
	enum dns_status st;
	enum match m = M_NO;
	char **names;
	size_t n;

	if (!charge_lookup(c)) {
		free(target);
		return M_PERMERROR;
	}
	n = validated_names(c, &names, &st);
	if (!charge_void(c, st))
		m = M_PERMERROR;
	for (size_t i = 0; i < n && m == M_NO; i++)
		if (subdomain_of(names[i], target))
			m = M_YES;
	names_free(names, n);
	free(target);
	return m;
}

static enum match
match_exists(struct spf_ctx *c, const struct term *t, const char *domain)
{
	char *name = expand_domain(c, t->arg, domain);
	struct dns_answer a;
	enum match m = M_NO;

	if (!charge_lookup(c)) {
		free(name);
		return M_PERMERROR;
	}
	dns_query(c->r, name, DNS_A, &a);
	if (a.status == DNS_OK)
		m = M_YES;
	else if (dns_failed(a.status))
		m = dns_trouble(c, name, &a);
	else if (!charge_void(c, a.status))
		m = M_PERMERROR;
	dns_answer_release(&a);
	free(name);
	return m;
}

static enum match
match_include(struct spf_ctx *c, const struct term *t, const char *domain)
{
	char *name = expand_domain(c, t->arg, domain), *mech = NULL, *exp = NULL;
	enum spf_result r;

	if (!charge_lookup(c)) {
		free(name);
		return M_PERMERROR;
	}
	r = check_host(c, name, &mech, &exp);
	if (r == SPF_NONE)
		problem(c, "include:%s has no SPF record", name);
	free(mech);
	free(exp);
	free(name);
	switch (r) {
	case SPF_PASS: return M_YES;
	case SPF_FAIL: case SPF_SOFTFAIL: case SPF_NEUTRAL: return M_NO;
	case SPF_TEMPERROR: return M_TEMPERROR;
	default: return M_PERMERROR;
	}
}

static enum match
match_term(struct spf_ctx *c, const struct term *t, const char *domain)
{
	switch (t->kind) {
	case T_ALL: return M_YES;
	case T_INCLUDE: return match_include(c, t, domain);
	case T_A: return match_a(c, t, domain, false);
	case T_MX: return match_a(c, t, domain, true);
	case T_PTR: return match_ptr(c, t, domain);
	case T_IP4:
		return !c->v6 && addr_in(c, t->arg, t->cidr4) ? M_YES : M_NO;
	case T_IP6:
		return c->v6 && addr_in(c, t->arg, t->cidr6) ? M_YES : M_NO;
	case T_EXISTS: return match_exists(c, t, domain);
	default: return M_NO;
	}
}

static enum spf_result
qualified(char q)
{
	switch (q) {
	case '-': return SPF_FAIL;
	case '~': return SPF_SOFTFAIL;
	case '?': return SPF_NEUTRAL;
	default: return SPF_PASS;
	}
}

/* A domain fit to be asked (RFC 7208, 4.3): labels of 1 to 63
 * characters, two labels at least, 253 characters at most. */
static bool
domain_ok(const char *d)
{
	size_t n = strlen(d), label = 0, labels = 0;

	if (n && d[n - 1] == '.')
		n--;
	if (!n || n > SPF_MAX_NAME)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || d[i] == '.') {
			if (!label || label > 63)
				return false;
			labels++;
			label = 0;
		} else {
			label++;
		}
	}
	return labels >= 2;
}

/* The one "v=spf1" record of DOMAIN, in *OUT; a result when there is
 * none or more than one, or the lookup failed. */
static int
fetch_record(struct spf_ctx *c, const char *domain, char **out)
{
	struct dns_answer a;
	int res = -1;

	*out = NULL;
	dns_query(c->r, domain, DNS_TXT, &a);
	if (dns_failed(a.status)) {
		dns_trouble(c, domain, &a);
		res = SPF_TEMPERROR;
	}
	for (size_t i = 0; res < 0 && i < a.nr; i++) {
		const char *s = a.rr[i];

		if (strncasecmp(s, "v=spf1", 6) || (s[6] && s[6] != ' '))
			continue;
		if (*out) {
			problem(c, "%s has more than one SPF record", domain);
			free(*out);
			*out = NULL;
			res = SPF_PERMERROR;
		} else {
			*out = xstrdup(s);
		}
	}
	if (res < 0 && !*out)
		res = SPF_NONE;
	dns_answer_release(&a);
	return res;
}

static char *
explain(struct spf_ctx *c, const struct term *exp, const char *domain)
{
	char *name = expand_domain(c, exp->arg, domain), *text = NULL;
	struct dns_answer a;

	dns_query(c->r, name, DNS_TXT, &a);
	if (a.status == DNS_OK && a.nr == 1 &&
	    macro_string_ok(a.rr[0], strlen(a.rr[0]), true))
		text = expand(c, a.rr[0], domain);
	dns_answer_release(&a);
	free(name);
	return text;
}

static enum spf_result
check_host(struct spf_ctx *c, const char *domain, char **mech, char **exp)
{
	struct term *terms = NULL, *redirect = NULL, *expmod = NULL;
	size_t nterms = 0;
	char *record, *p;
	int res;

	*mech = NULL;
	*exp = NULL;
	if (!domain_ok(domain)) {
		problem(c, "'%s' is not a domain", domain);
		return SPF_NONE;
	}
	res = fetch_record(c, domain, &record);
	if (res >= 0)
		return res;
	/* Parsed whole first: a syntax error anywhere is a permerror
	 * before anything is evaluated (RFC 7208, 4.6). */
	p = record + 6;
	for (;;) {
		struct term t;
		char *end;
		bool last;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		end = p + strcspn(p, " ");
		last = !*end;
		*end = '\0';
		terms = xrealloc(terms, (nterms + 1) * sizeof(*terms));
		if (!parse_term(p, &t)) {
			problem(c, "bad term '%s'", p);
			free(t.arg);
			terms_free(terms, nterms, record);
			return SPF_PERMERROR;
		}
		terms[nterms++] = t;
		if (last)
			break;
		p = end + 1;
	}
	res = -1;
	for (size_t i = 0; i < nterms; i++) {
		struct term **slot = terms[i].kind == T_REDIRECT ? &redirect
				     : terms[i].kind == T_EXP ? &expmod : NULL;

		if (slot && *slot) {
			problem(c, "two %s modifiers", terms[i].kind == T_EXP ? "exp" : "redirect");
			res = SPF_PERMERROR;
		} else if (slot) {
			*slot = &terms[i];
		}
	}
	for (size_t i = 0; res < 0 && i < nterms; i++) {
		if (terms[i].kind >= T_REDIRECT)
			continue;
		switch (match_term(c, &terms[i], domain)) {
		case M_YES:
			res = qualified(terms[i].qualifier);
			*mech = xstrdup(terms[i].text);
			break;
		case M_TEMPERROR:
			res = SPF_TEMPERROR;
			*mech = xstrdup(terms[i].text);
			break;
		case M_PERMERROR:
			res = SPF_PERMERROR;
			*mech = xstrdup(terms[i].text);
			break;
		case M_NO:
			break;
		}
	}
	if (res < 0 && redirect) {
		char *name = expand_domain(c, redirect->arg, domain), *inner;

		if (!charge_lookup(c)) {
			res = SPF_PERMERROR;
		} else {
			res = check_host(c, name, &inner, exp);
			if (res == SPF_NONE) {
				problem(c, "redirect=%s has no SPF record", name);
				res = SPF_PERMERROR;
			}
			*mech = inner ? xasprintf("%s, then %s", redirect->text, inner)
				      : xstrdup(redirect->text);
			free(inner);
		}
		free(name);
	} else if (res < 0) {
		res = SPF_NEUTRAL;
		*mech = xstrdup("default");
	}
	if (res == SPF_FAIL && expmod && !*exp)
		*exp = explain(c, expmod, domain);
	terms_free(terms, nterms, record);
	return res;
}

void
spf_check(struct dns_resolver *r, const char *ip, const char *sender,
	  const char *helo, struct spf_verdict *v)
{
	struct spf_ctx c = { .r = r, .helo = helo };
	char *owned = NULL, *domain;
	const char *at;

	memset(v, 0, sizeof(*v));
	if (inet_pton(AF_INET, ip, c.ip) == 1) {
		c.v6 = false;
	} else if (inet_pton(AF_INET6, ip, c.ip) == 1) {
		static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

		c.v6 = memcmp(c.ip, mapped, 12) != 0;
		if (!c.v6)
			memmove(c.ip, c.ip + 12, 4);
	} else {
		v->result = SPF_PERMERROR;
		v->problem = xasprintf("'%s' is not an IP address", ip);
		return;
	}
	inet_ntop(c.v6 ? AF_INET6 : AF_INET, c.ip, c.ipstr, sizeof(c.ipstr));
	if (!sender || !*sender)
		sender = owned = xasprintf("postmaster@%s", helo ? helo : "");
	at = strrchr(sender, '@');
	if (!at) {
		c.local = xstrdup("postmaster");
		c.sender_domain = xstrdup(sender);
		c.sender = owned = owned ? owned : xasprintf("postmaster@%s", sender);
	} else {
		c.local = at == sender ? xstrdup("postmaster") : xstrndup(sender, at - sender);
		c.sender_domain = xstrdup(at + 1);
		c.sender = sender;
	}
	domain = c.sender_domain;
	v->result = check_host(&c, domain, &v->mechanism, &v->explanation);
	if (v->result == SPF_TEMPERROR || v->result == SPF_PERMERROR ||
	    v->result == SPF_NONE)
		v->problem = c.problem, c.problem = NULL;
	free(c.problem);
	free(c.local);
	free(c.sender_domain);
	free(c.validated);
	free(owned);
}

void
spf_verdict_release(struct spf_verdict *v)
{
	free(v->mechanism);
	free(v->problem);
	free(v->explanation);
	memset(v, 0, sizeof(*v));
}

const char *
spf_result_name(enum spf_result r)
{
	static const char *const names[] = {
		[SPF_NONE] = "none", [SPF_NEUTRAL] = "neutral", [SPF_PASS] = "pass",
		[SPF_FAIL] = "fail", [SPF_SOFTFAIL] = "softfail",
		[SPF_TEMPERROR] = "temperror", [SPF_PERMERROR] = "permerror",
	};

	return names[r];
}
