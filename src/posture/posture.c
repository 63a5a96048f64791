/* posture.c - reverse DNS, SPF, DMARC and blocklists of one sending IP */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ascii.h"
#include "dmarc.h"
#include "dns.h"
#include "netaddr.h"
#include "orgdomain.h"
#include "posture.h"
#include "spf.h"
#include "textsafe.h"
#include "words.h"
#include "xalloc.h"

const char *const posture_default_dnsbl[] = {
	"zen.spamhaus.org",
	"bl.spamcop.net",
	"psbl.surriel.com",
	NULL,
};

void
posture_options_init(struct posture_options *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = POSTURE_TIMEOUT_MS;
	o->deadline_ms = POSTURE_DEADLINE_MS;
}

void
posture_options_release(struct posture_options *o)
{
	free(o->dnsbl);
	o->dnsbl = NULL;
	o->nr_dnsbl = 0;
}

int
posture_options_dnsbl(struct posture_options *o, const char *zone)
{
	if (!strcmp(zone, "none")) {
		o->no_dnsbl = true;
		return 0;
	}
	if (!posture_domain_ok(zone))
		return -1;
	o->dnsbl = xrealloc(o->dnsbl, (o->nr_dnsbl + 2) * sizeof(*o->dnsbl));
	o->dnsbl[o->nr_dnsbl++] = zone;
	o->dnsbl[o->nr_dnsbl] = NULL;
	return 0;
}

long
posture_seconds_ms(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v > 0) || v > 3600)
		return -1;
	return (long)(v * 1000 + 0.5) ? (long)(v * 1000 + 0.5) : 1;
}

void
posture_options_request(const struct posture_options *o, struct posture_request *req)
{
	static const char *const empty[] = { NULL };

	req->dnsbl = NULL;
	req->nr_dnsbl = 0;
	if (o->no_dnsbl || o->nr_dnsbl) {
		req->dnsbl = o->nr_dnsbl ? o->dnsbl : empty;
		req->nr_dnsbl = o->nr_dnsbl;
	}
	req->helo = o->helo;
}

bool
posture_domain_ok(const char *name)
{
	size_t n = strlen(name), label = 0;

	if (!n || n > 253 || name[0] == '.' || name[n - 1] == '.')
		return false;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = name[i];

		if (i == n || c == '.') {
			if (!label || label > 63)
				return false;
			label = 0;
		} else if (ascii_isalnum(c) || c == '-' || c == '_') {
			label++;
		} else {
			return false;
		}
	}
	return strchr(name, '.') != NULL;
}

static bool
is_v6(const char *ip)
{
	return strchr(ip, ':') != NULL;
}

static bool
same_addr(const char *x, const char *y)
{
	unsigned char a[16], b[16];
	int af = is_v6(x) ? AF_INET6 : AF_INET;

	return inet_pton(af, x, a) == 1 && inet_pton(af, y, b) == 1 &&
	       !memcmp(a, b, af == AF_INET ? 4 : 16);
}

/* A DNS failure said as a result: the name and what went wrong. */
static void
set_temperror(json_t *o, const char *name, const struct dns_answer *a)
{
	json_object_set_new(o, "result", json_string("temperror"));
	json_object_set_new(o, "problem", json_sprintf("DNS for %s: %s", name,
							dns_status_text(a->status)));
}

static bool
dns_failed(enum dns_status st)
{
	return st != DNS_OK && st != DNS_NODATA && st != DNS_NXDOMAIN;
}

/* ---- reverse DNS ---- */

static bool
contains_word(const char *name, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = name; (p = strstr(p, word)); p++) {
		bool start = p == name || !ascii_isalnum(p[-1]) || ascii_isdigit(p[-1]);
		bool end = !ascii_isalnum(p[n]) || ascii_isdigit(p[n]);

		if (start && end)
			return true;
	}
	return false;
}

/*
 * Whether NAME looks like a provider's default rather than a name the
 * sender chose: the address's numbers in it (ip-192-0-2-10, 10.2.0.192),
 * the provider's host names (*.ovh.net, *.ip-*.eu), or the words of
 * access networks.  The reason in *WHY (English; src/words/ has it in
 * each language).
 */
static bool
looks_generic(const char *ip, const char *name, const char **why)
{
	static const char *const words[] = {
		"dynamic", "dyn", "dhcp", "pool", "dsl", "adsl", "cable", "ppp",
		"broadband", "customer", "client", "unassigned", "static", "host",
		NULL,
	};
	unsigned char a[4];

	if (inet_pton(AF_INET, ip, a) == 1) {
		static const char seps[] = "-._";

		for (const char *s = seps; *s; s++) {
			char fw[20], bw[20];

			snprintf(fw, sizeof(fw), "%u%c%u%c%u%c%u", a[0], *s, a[1], *s, a[2], *s, a[3]);
			snprintf(bw, sizeof(bw), "%u%c%u%c%u%c%u", a[3], *s, a[2], *s, a[1], *s, a[0]);
			if (strstr(name, fw) || strstr(name, bw)) {
				*why = "the name holds the address";
				return true;
			}
		}
	}
	if (!strncmp(name, "ip-", 3) || strstr(name, ".ip-")) {
		*why = "an ip-... name, a provider's default";
		return true;
	}
	if (strlen(name) > 8 && !strcmp(name + strlen(name) - 8, ".ovh.net")) {
		*why = "a name under ovh.net, the provider's default";
		return true;
	}
	for (const char *const *w = words; *w; w++)
		if (contains_word(name, *w)) {
			*why = "a word of access networks in the name";
			return true;
		}
	return false;
}

struct ptr_state {
	struct dns_answer ptr;
	struct dns_answer *fw;
	char *rev;
};

static void
ptr_submit(struct dns_resolver *r, const char *ip, struct ptr_state *s)
{
	s->rev = netaddr_reverse_name(ip, NULL);
	dns_submit(r, s->rev, DNS_PTR, &s->ptr);
}

static void
ptr_forward_submit(struct dns_resolver *r, const char *ip, struct ptr_state *s)
{
	s->fw = xcalloc(s->ptr.nr ? s->ptr.nr : 1, sizeof(*s->fw));
	for (size_t i = 0; i < s->ptr.nr; i++)
		dns_submit(r, s->ptr.rr[i], is_v6(ip) ? DNS_AAAA : DNS_A, &s->fw[i]);
}

static json_t *
ptr_result(const char *ip, struct ptr_state *s, const char *helo)
{
	json_t *o = json_object(), *names = json_array(), *confirmed = json_array();
	bool fc = false, generic = s->ptr.nr > 0, fw_trouble = false;
	const char *why = NULL;

	for (size_t i = 0; i < s->ptr.nr; i++) {
		const char *w = NULL;
		bool ok = false;

		json_array_append_new(names, json_string(s->ptr.rr[i]));
		for (size_t j = 0; j < s->fw[i].nr; j++)
			ok |= same_addr(ip, s->fw[i].rr[j]);
		fw_trouble |= dns_failed(s->fw[i].status);
		if (ok)
			json_array_append_new(confirmed, json_string(s->ptr.rr[i]));
		fc |= ok;
		/* Generic when every name is. */
		if (looks_generic(ip, s->ptr.rr[i], &w))
			why = why ? why : w;
		else
			generic = false;
		dns_answer_release(&s->fw[i]);
	}
	json_object_set_new(o, "query", json_string(s->rev));
	json_object_set_new(o, "names", names);
	json_object_set_new(o, "confirmed_names", confirmed);
	json_object_set_new(o, "forward_confirmed", json_boolean(fc));
	json_object_set_new(o, "generic", json_boolean(generic));
	if (helo) {
		bool match = false;

		for (size_t i = 0; i < s->ptr.nr; i++)
			match |= !strcasecmp(s->ptr.rr[i], helo);
		json_object_set_new(o, "helo", json_string(helo));
		json_object_set_new(o, "helo_matches", json_boolean(match));
	}
	if (generic)
		json_object_set_new(o, "generic_reason", json_string(why));
	if (dns_failed(s->ptr.status))
		set_temperror(o, s->rev, &s->ptr);
	else if (!s->ptr.nr)
		json_object_set_new(o, "result", json_string("none"));
	else if (!fc && fw_trouble)
		json_object_set_new(o, "result", json_string("temperror")),
		json_object_set_new(o, "problem",
				    json_string("the names' address records could not be read"));
	else
		json_object_set_new(o, "result", json_string(fc ? "pass" : "fail"));
	dns_answer_release(&s->ptr);
	free(s->fw);
	free(s->rev);
	return o;
}

/* ---- DMARC (RFC 7489) ---- */

struct dmarc_state {
	const char *domain;
	char *org;
	char *name;		/* _dmarc.DOMAIN */
	char *org_name;		/* _dmarc.ORG, asked when DOMAIN has none */
	struct dns_answer own, at_org;
};

static size_t
dmarc_records(const struct dns_answer *a, const char **first)
{
	return dmarc_count(a->rr, a->nr, first);
}

static void
dmarc_submit(struct dns_resolver *r, struct dmarc_state *s)
{
	s->name = xasprintf("_dmarc.%s", s->domain);
	s->org = orgdomain(s->domain);
	dns_submit(r, s->name, DNS_TXT, &s->own);
}

/* The organisational domain's record, when the domain has none. */
static void
dmarc_org_submit(struct dns_resolver *r, struct dmarc_state *s)
{
	const char *first;

	if (dmarc_records(&s->own, &first))
		return;
	if (dns_failed(s->own.status) || !s->org || !strcasecmp(s->org, s->domain))
		return;
	s->org_name = xasprintf("_dmarc.%s", s->org);
	dns_submit(r, s->org_name, DNS_TXT, &s->at_org);
}

static json_t *
dmarc_result(struct dmarc_state *s)
{
	json_t *o = json_object();
	const char *record = NULL, *where = NULL;
	struct dmarc_record rec;

	json_object_set_new(o, "domain", json_string(s->domain));
	json_object_set_new(o, "organizational_domain", s->org ? json_string(s->org) : json_null());
	if (dns_failed(s->own.status)) {
		set_temperror(o, s->name, &s->own);
	} else if (dmarc_records(&s->own, &record)) {
		where = s->name;
	} else if (s->org_name && dns_failed(s->at_org.status)) {
		set_temperror(o, s->org_name, &s->at_org);
	} else if (s->org_name && dmarc_records(&s->at_org, &record)) {
		where = s->org_name;
	}
	/* More than one: no policy applies (RFC 7489, 6.6.3, step 5). */
	if (where && dmarc_records(where == s->name ? &s->own : &s->at_org, &record) > 1) {
		json_object_set_new(o, "problem", json_sprintf("more than one DMARC record at %s", where));
		record = NULL;
	}
	json_object_set_new(o, "record", record ? json_string(record) : json_null());
	json_object_set_new(o, "found_at", where ? json_string(where) : json_null());
	/* Alignment is a property of a message: 'pack' says it for each
	 * sample; here there is none. */
	json_object_set_new(o, "aligned", json_null());
	if (!record) {
		if (!json_object_get(o, "result"))
			json_object_set_new(o, "result", json_string("none"));
		json_object_set_new(o, "policy", json_null());
		goto out;
	}
	dmarc_parse(record, &rec);
	if (rec.problem)
		json_object_set_new(o, "problem", json_string(rec.problem));
	if (!rec.usable) {
		/* RFC 7489, 6.6.3: no DMARC processing. */
		json_object_set_new(o, "result", json_string("permerror"));
		json_object_set_new(o, "policy", json_null());
	} else {
		/* sp= applies to a subdomain whose record is the
		 * organisational domain's (RFC 7489, 6.3). */
		enum dmarc_policy pol = dmarc_policy_for(&rec, where == s->org_name);

		json_object_set_new(o, "result", json_string("found"));
		json_object_set_new(o, "policy", json_string(dmarc_policy_name(pol)));
		json_object_set_new(o, "p", json_string(dmarc_policy_name(rec.p)));
		if (rec.sp != DMARC_P_UNSET)
			json_object_set_new(o, "sp", json_string(dmarc_policy_name(rec.sp)));
		json_object_set_new(o, "pct", json_integer(rec.pct));
		json_object_set_new(o, "adkim", json_string(rec.adkim_strict ? "s" : "r"));
		json_object_set_new(o, "aspf", json_string(rec.aspf_strict ? "s" : "r"));
	}
	dmarc_record_release(&rec);
out:
	dns_answer_release(&s->own);
	dns_answer_release(&s->at_org);
	free(s->name);
	free(s->org_name);
	free(s->org);
	return o;
}

static void
lower(char *s)
{
	for (; s && *s; s++)
		*s = ascii_tolower(*s);
}

/* ---- blocklists (RFC 5782) ---- */

struct dnsbl_state {
	const char *zone;
	char *name;
	struct dns_answer a;
};

static bool
spamhaus(const char *zone)
{
	size_t n = strlen(zone);

	return !strcasecmp(zone, "spamhaus.org") ||
	       (n > 13 && !strcasecmp(zone + n - 13, ".spamhaus.org"));
}

/*
 * What a return code means.  Spamhaus answers 127.255.255.x to queries
 * it refuses (from public resolvers, over the free limit, a mistyped
 * zone): not a listing.  An answer outside 127.0.0.0/8 is a resolver's
 * rewriting of NXDOMAIN, not a listing either.  *REFUSED is set for
 * both.
 */
static const char *
dnsbl_code(const char *zone, const char *code, bool *refused)
{
	unsigned char a[4];

	*refused = false;
	if (inet_pton(AF_INET, code, a) != 1 || a[0] != 127) {
		*refused = true;
		return "not a blocklist answer (outside 127.0.0.0/8): a resolver that rewrites answers";
	}
	if (spamhaus(zone)) {
		if (a[1] == 255 && a[2] == 255) {
			*refused = true;
			switch (a[3]) {
			case 252: return "refused by Spamhaus: the zone name is wrong";
			case 254: return "refused by Spamhaus: queries through a public or open resolver";
			case 255: return "refused by Spamhaus: too many queries";
			default: return "refused by Spamhaus";
			}
		}
		if (a[1] == 0 && a[2] == 0) {
			switch (a[3]) {
			case 2: return "Spamhaus SBL: a known spam source";
			case 3: return "Spamhaus SBL CSS: snowshoe spam";
			case 4: case 5: case 6: case 7:
				return "Spamhaus XBL: a compromised host (exploits, bots)";
			case 9: return "Spamhaus DROP: a hijacked network";
			case 10: case 11:
				return "Spamhaus PBL: an address not meant to send mail directly";
			}
		}
		return "listed by Spamhaus";
	}
	return "listed";
}

const char *
posture_meaning(const char *en, const char *lang)
{
	return en ? tr(lang, en) : NULL;
}

static void
dnsbl_submit(struct dns_resolver *r, const char *ip, struct dnsbl_state *s)
{
	s->name = netaddr_reverse_name(ip, s->zone);
	dns_submit(r, s->name, DNS_A, &s->a);
}

static json_t *
dnsbl_result(struct dnsbl_state *s)
{
	json_t *o = json_object(), *codes = json_array(), *meanings = json_array();
	bool listed = false, refused = false;

	json_object_set_new(o, "zone", json_string(s->zone));
	json_object_set_new(o, "query", json_string(s->name));
	for (size_t i = 0; i < s->a.nr; i++) {
		bool no;
		const char *what = dnsbl_code(s->zone, s->a.rr[i], &no);

		json_array_append_new(codes, json_string(s->a.rr[i]));
		json_array_append_new(meanings, json_string(what));
		if (no)
			refused = true;
		else
			listed = true;
	}
	json_object_set_new(o, "listed", json_boolean(listed));
	json_object_set_new(o, "refused", json_boolean(refused && !listed));
	json_object_set_new(o, "codes", codes);
	json_object_set_new(o, "meanings", meanings);
	if (dns_failed(s->a.status))
		set_temperror(o, s->name, &s->a);
	else
		json_object_set_new(o, "result", json_string(listed ? "listed" :
							      refused ? "refused" : "clear"));
	dns_answer_release(&s->a);
	free(s->name);
	return o;
}

/* ---- SPF ---- */

static json_t *
spf_result(struct dns_resolver *r, const char *ip, const char *domain)
{
	json_t *o = json_object();
	struct spf_verdict v;

	spf_check(r, ip, domain, NULL, &v);
	json_object_set_new(o, "domain", json_string(domain));
	json_object_set_new(o, "result", json_string(spf_result_name(v.result)));
	json_object_set_new(o, "mechanism", v.mechanism ? json_string(v.mechanism) : json_null());
	if (v.problem)
		json_object_set_new(o, "problem", json_string(v.problem));
	if (v.explanation)
		json_object_set_new(o, "explanation", json_string(v.explanation));
	spf_verdict_release(&v);
	return o;
}

/* ---- all together ---- */

json_t *
posture_check(struct dns_resolver *r, const struct posture_request *req)
{
	const char *const *zones = req->dnsbl ? req->dnsbl : posture_default_dnsbl;
	size_t nz = req->dnsbl ? req->nr_dnsbl : 0;
	const char *const *dmd = req->dmarc_domains ? req->dmarc_domains : req->domains;
	size_t ndm = req->dmarc_domains ? req->nr_dmarc_domains : req->nr_domains;
	struct dmarc_state *dm = xcalloc(ndm + 1, sizeof(*dm));
	struct dnsbl_state *bl;
	struct ptr_state ptr = { 0 };
	json_t *out = json_object(), *arr;

	if (!req->dnsbl)
		while (zones[nz])
			nz++;
	bl = xcalloc(nz + 1, sizeof(*bl));
	/* The first round in parallel: the PTR, the blocklists, each
	 * domain's DMARC record; then what depends on their answers. */
	if (req->ptr)
		ptr_submit(r, req->ip, &ptr);
	for (size_t i = 0; i < nz; i++) {
		bl[i].zone = zones[i];
		dnsbl_submit(r, req->ip, &bl[i]);
	}
	for (size_t i = 0; req->dmarc && i < ndm; i++) {
		dm[i].domain = dmd[i];
		dmarc_submit(r, &dm[i]);
	}
	dns_wait(r);
	if (req->ptr)
		ptr_forward_submit(r, req->ip, &ptr);
	for (size_t i = 0; req->dmarc && i < ndm; i++)
		dmarc_org_submit(r, &dm[i]);
	dns_wait(r);

	json_object_set_new(out, "ip", json_string(req->ip));
	json_object_set_new(out, "dns_server", json_string(dns_server(r)));
	json_object_set_new(out, "ptr", req->ptr ? ptr_result(req->ip, &ptr, req->helo) : json_null());
	arr = json_array();
	for (size_t i = 0; req->spf && i < req->nr_domains; i++)
		json_array_append_new(arr, spf_result(r, req->ip, req->domains[i]));
	json_object_set_new(out, "spf", arr);
	arr = json_array();
	for (size_t i = 0; req->dmarc && i < ndm; i++)
		json_array_append_new(arr, dmarc_result(&dm[i]));
	json_object_set_new(out, "dmarc", arr);
	arr = json_array();
	for (size_t i = 0; i < nz; i++)
		json_array_append_new(arr, dnsbl_result(&bl[i]));
	json_object_set_new(out, "dnsbl", arr);
	json_object_set_new(out, "deadline_reached", json_boolean(dns_deadline_passed(r)));
	free(dm);
	free(bl);
	return out;
}

/* ---- each message's DMARC verdict ---- */

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The entry of list KEY of P whose "domain" is DOMAIN. */
static json_t *
entry_for(const json_t *p, const char *key, const char *domain)
{
	size_t i;
	json_t *v;

	if (!domain)
		return NULL;
	json_array_foreach(json_object_get(p, key), i, v)
		if (str(v, "domain") && !strcasecmp(str(v, "domain"), domain))
			return v;
	return NULL;
}

static bool
is(const json_t *o, const char *key, const char *word)
{
	const char *v = str(o, key);

	return v && !strcmp(v, word);
}

/* One message's verdict; *SPF_AL and *DKIM_AL say what aligned. */
static json_t *
message_verdict(const json_t *p, const struct posture_message *m, bool *spf_al, bool *dkim_al)
{
	json_t *o = json_object(), *spf = entry_for(p, "spf", m->envelope_domain);
	json_t *dm = entry_for(p, "dmarc", m->from_domain);
	bool found = dm && is(dm, "result", "found");
	const char *verdict;

	*spf_al = found && spf && is(spf, "result", "pass") &&
		  dmarc_aligned(m->envelope_domain, m->from_domain, is(dm, "aspf", "s"), orgdomain);
	*dkim_al = false;
	for (size_t i = 0; found && i < m->nr_dkim_pass; i++)
		*dkim_al |= dmarc_aligned(m->dkim_pass[i], m->from_domain, is(dm, "adkim", "s"),
					  orgdomain);
	json_object_set_new(o, "file", json_string(m->file));
	json_object_set_new(o, "from_domain", m->from_domain ? json_string(m->from_domain) : json_null());
	json_object_set_new(o, "envelope_domain",
			    m->envelope_domain ? json_string(m->envelope_domain) : json_null());
	json_object_set_new(o, "envelope_source",
			    m->envelope_domain ? json_string(m->envelope_source) : json_null());
	json_object_set_new(o, "spf", spf ? json_string(str(spf, "result")) : json_null());
	json_object_set_new(o, "dkim_checked", json_boolean(m->dkim_checked));
	json_object_set_new(o, "dkim_pass", json_array());
	for (size_t i = 0; i < m->nr_dkim_pass; i++)
		json_array_append_new(json_object_get(o, "dkim_pass"), json_string(m->dkim_pass[i]));
	json_object_set_new(o, "spf_aligned", found && (spf || *spf_al) ? json_boolean(*spf_al) :
			    json_null());
	json_object_set_new(o, "dkim_aligned", found && m->dkim_checked ? json_boolean(*dkim_al) :
			    json_null());
	if (!m->from_domain)
		verdict = "none";
	else if (!dm)
		verdict = "none";
	else if (!found)
		verdict = str(dm, "result");	/* none, temperror, permerror */
	else if (*spf_al || *dkim_al)
		verdict = "pass";
	else if (spf && is(spf, "result", "temperror"))
		verdict = "temperror";
	else if (!spf || !m->dkim_checked)
		/* What could align was not checked: no verdict. */
		verdict = "unknown";
	else
		verdict = "fail";
	json_object_set_new(o, "dmarc", json_string(verdict));
	json_object_set_new(o, "policy", found && !strcmp(verdict, "fail") ?
			    json_string(str(dm, "policy")) : json_null());
	return o;
}

json_t *
posture_answers(struct dns_resolver *r)
{
	json_t *arr = json_array();
	size_t n;
	const struct dns_seen *e = dns_answers(r, &n);

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object(), *data = json_array();
		char iso[32];
		time_t t = (time_t)e[i].time;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
		for (size_t j = 0; j < e[i].nr; j++) {
			json_t *v = json_string(e[i].rr[j]);

			/* A record that is not UTF-8, as textsafe shows it. */
			if (!v) {
				char *safe = textsafe_visible(e[i].rr[j], strlen(e[i].rr[j]));

				v = json_string(safe);
				free(safe);
			}
			json_array_append_new(data, v);
		}
		json_object_set_new(o, "name", json_string(e[i].name));
		json_object_set_new(o, "type", json_string(dns_type_name(e[i].type)));
		json_object_set_new(o, "status", json_string(dns_status_name(e[i].status)));
		json_object_set_new(o, "ttl", e[i].ttl >= 0 ? json_integer(e[i].ttl) : json_null());
		json_object_set_new(o, "data", data);
		json_object_set_new(o, "server", json_string(dns_server(r)));
		json_object_set_new(o, "time", json_string(iso));
		json_array_append_new(arr, o);
	}
	return arr;
}

void
posture_messages(json_t *p, const struct posture_message *m, size_t n)
{
	json_t *arr = json_array(), *dm;
	size_t i;

	json_array_foreach(json_object_get(p, "dmarc"), i, dm)
		json_object_set_new(dm, "aligned", json_pack("{s:i, s:i, s:i, s:i}", "messages", 0,
							     "spf", 0, "dkim", 0, "either", 0));
	for (size_t k = 0; k < n; k++) {
		bool sa, da;
		json_t *al;

		json_array_append_new(arr, message_verdict(p, &m[k], &sa, &da));
		dm = entry_for(p, "dmarc", m[k].from_domain);
		if (!dm)
			continue;
		al = json_object_get(dm, "aligned");
#define BUMP(key, yes) json_object_set_new(al, key, \
	json_integer(json_integer_value(json_object_get(al, key)) + ((yes) ? 1 : 0)))
		BUMP("messages", true);
		BUMP("spf", sa);
		BUMP("dkim", da);
		BUMP("either", sa || da);
#undef BUMP
	}
	json_object_set_new(p, "messages", arr);
}

/* Header field NAME's value, unfolded (new), from the header block. */
static char *
header_value(const char *data, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < len;) {
		size_t eol = i;

		while (eol < len && data[eol] != '\n')
			eol++;
		if (eol == i || (eol == i + 1 && data[i] == '\r'))
			return NULL;	/* the end of the header block */
		if (eol - i > n && !strncasecmp(data + i, name, n) && data[i + n] == ':') {
			char *v = xstrndup(data + i + n + 1, eol - i - n - 1);

			/* Continuation lines. */
			while (eol + 1 < len && (data[eol + 1] == ' ' || data[eol + 1] == '\t')) {
				size_t j = eol + 1, e = j;
				char *w;

				while (e < len && data[e] != '\n')
					e++;
				w = xasprintf("%s %.*s", v, (int)(e - j), data + j);
				free(v);
				v = w;
				eol = e;
			}
			return v;
		}
		i = eol + 1;
	}
	return NULL;
}

char *
posture_header_domain(const char *data, size_t len, const char *name)
{
	char *v = header_value(data, len, name), *at, *end, *d = NULL;
	const char *addr;

	if (!v)
		return NULL;
	addr = strrchr(v, '<') ? strrchr(v, '<') + 1 : v;
	at = strrchr(addr, '@');
	if (at) {
		end = at + 1 + strcspn(at + 1, "> \t\r\n;,()\"");
		d = xstrndup(at + 1, end - at - 1);
		lower(d);
		if (!posture_domain_ok(d)) {
			free(d);
			d = NULL;
		}
	}
	free(v);
	return d;
}

static bool
temperror(const json_t *o)
{
	const char *r = json_string_value(json_object_get(o, "result"));

	return r && !strcmp(r, "temperror");
}

bool
posture_incomplete(const json_t *p)
{
	static const char *const lists[] = { "spf", "dmarc", "dnsbl" };
	size_t i;
	json_t *v;

	if (temperror(json_object_get(p, "ptr")))
		return true;
	for (size_t l = 0; l < 3; l++)
		json_array_foreach(json_object_get(p, lists[l]), i, v)
			if (temperror(v))
				return true;
	return false;
}

/* ---- in words ---- */


static void
print_problem(FILE *f, const json_t *o)
{
	if (str(o, "problem"))
		fprintf(f, " (%s)", str(o, "problem"));
}

static void
print_ptr(FILE *f, const json_t *ptr, const char *lang)
{
	const char *res = str(ptr, "result");
	json_t *names = json_object_get(ptr, "names"), *v;
	size_t i;

	fputs(tr(lang, "reverse DNS: "), f);
	if (!strcmp(res, "temperror") && !json_array_size(names)) {
		fputs(tr(lang, "temperror, could not be checked"), f);
		print_problem(f, ptr);
		fputc('\n', f);
		return;
	}
	if (!json_array_size(names)) {
		fputs(tr(lang, "none: the IP has no PTR name\n"), f);
		return;
	}
	json_array_foreach(names, i, v)
		fprintf(f, "%s%s", i ? ", " : "", json_string_value(v));
	if (json_is_true(json_object_get(ptr, "forward_confirmed")))
		fputs(tr(lang, "; forward-confirmed"), f);
	else if (!strcmp(res, "temperror"))
		fputs(tr(lang, "; forward confirmation: temperror, could not be checked"), f);
	else
		fputs(tr(lang, "; NOT forward-confirmed: no name's address record gives back the IP"), f);
	if (json_is_true(json_object_get(ptr, "generic")))
		fprintf(f, tr(lang, "; looks generic (%s)"),
			tr(lang, str(ptr, "generic_reason")));
	else
		fputs(tr(lang, "; names the sender"), f);
	if (str(ptr, "helo"))
		fprintf(f, json_is_true(json_object_get(ptr, "helo_matches")) ?
			tr(lang, "; matches the HELO name %s") :
			tr(lang, "; does NOT match the HELO name %s"),
			str(ptr, "helo"));
	fputc('\n', f);
}

static void
print_spf(FILE *f, const json_t *o, const char *lang)
{
	const char *mech = str(o, "mechanism");

	fprintf(f, "SPF %s%s %s", str(o, "domain"), tr(lang, ":"), str(o, "result"));
	if (mech && strcmp(str(o, "result"), "none"))
		fprintf(f, tr(lang, ", decided by %s"), mech);
	if (!strcmp(str(o, "result"), "temperror"))
		fputs(tr(lang, ", could not be checked"), f);
	print_problem(f, o);
	if (str(o, "explanation"))
		fprintf(f, tr(lang, "; explanation: %s"), str(o, "explanation"));
	fputc('\n', f);
}

static void
print_dmarc(FILE *f, const json_t *o, const char *lang)
{
	const char *res = str(o, "result");

	fprintf(f, "DMARC %s%s ", str(o, "domain"), tr(lang, ":"));
	if (!strcmp(res, "temperror"))
		fputs(tr(lang, "temperror, could not be checked"), f);
	else if (!strcmp(res, "none"))
		fputs(tr(lang, "none: no DMARC record for the domain or its organisational domain"), f);
	else if (!strcmp(res, "permerror"))
		fprintf(f, tr(lang, "permerror: record at %s is not valid"), str(o, "found_at"));
	else
		fprintf(f, tr(lang, "p=%s (record at %s)"),
			str(o, "policy"), str(o, "found_at"));
	print_problem(f, o);
	if (!strcmp(res, "found") && !json_is_object(json_object_get(o, "aligned")))
		fputs(tr(lang, "; alignment: needs the messages (fpkit pack)"), f);
	fputc('\n', f);
}

static void
print_dnsbl(FILE *f, const json_t *o, const char *lang)
{
	const char *res = str(o, "result");
	json_t *codes = json_object_get(o, "codes"), *m = json_object_get(o, "meanings");

	fprintf(f, tr(lang, "blocklist %s: "), str(o, "zone"));
	if (!strcmp(res, "temperror"))
		fputs(tr(lang, "temperror, could not be checked"), f);
	else if (!strcmp(res, "clear"))
		fputs(tr(lang, "not listed"), f);
	else if (!strcmp(res, "listed"))
		fputs(tr(lang, "LISTED"), f);
	else
		fputs(tr(lang, "refused, no verdict"), f);
	for (size_t i = 0; i < json_array_size(codes); i++)
		fprintf(f, "%s%s%s %s", i ? "; " : " (",
			json_string_value(json_array_get(codes, i)), tr(lang, ":"),
			posture_meaning(json_string_value(json_array_get(m, i)), lang));
	if (json_array_size(codes))
		fputc(')', f);
	print_problem(f, o);
	fputc('\n', f);
}

static void
print_all(FILE *f, const json_t *p, const char *lang)
{
	size_t i;
	json_t *v;

	fprintf(f, tr(lang, "IP %s (DNS server: %s)\n"),
		str(p, "ip"), str(p, "dns_server"));
	if (json_is_object(json_object_get(p, "ptr")))
		print_ptr(f, json_object_get(p, "ptr"), lang);
	json_array_foreach(json_object_get(p, "spf"), i, v)
		print_spf(f, v, lang);
	json_array_foreach(json_object_get(p, "dmarc"), i, v)
		print_dmarc(f, v, lang);
	json_array_foreach(json_object_get(p, "dnsbl"), i, v)
		print_dnsbl(f, v, lang);
	if (posture_incomplete(p))
		fputs(tr(lang, "Some checks could not be made: DNS did not answer in time or failed (temperror).\n"), f);
}


/* What DNS gave (names, records, explanations) may hold any byte: each
 * line is made safe to show as a whole. */
void
posture_print(FILE *out, const json_t *p)
{
	posture_print_lang(out, p, "en");
}

void
posture_print_lang(FILE *out, const json_t *p, const char *lang)
{
	char *text = NULL, *line, *next;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	print_all(f, p, words_lang(lang) ? lang : "en");
	fclose(f);
	for (line = text; line && *line; line = next) {
		char *safe;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		safe = textsafe_visible(line, strlen(line));
		fprintf(out, "%s\n", safe);
		free(safe);
	}
	free(text);
}
