/* posture.h - the sending IP's posture: reverse DNS, SPF, DMARC and
 * blocklists, asked from DNS and returned as one JSON object
 *
 * Every DNS failure is part of the result ("temperror", with what failed),
 * never an error of the run.
 */
#ifndef FPKIT_POSTURE_H
#define FPKIT_POSTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct dns_resolver;

/* The blocklists asked when none are given (doc/fpkit-posture.1, WHAT
 * IS CHECKED); struct posture_options below holds the list a run asks,
 * the one place the command line (and a configuration file) sets it. */
extern const char *const posture_default_dnsbl[];

struct posture_request {
	const char *ip;			/* checked by the caller */
	const char *const *domains;	/* sender domains: SPF, and DMARC unless */
	size_t nr_domains;
	const char *const *dmarc_domains;	/* not NULL: DMARC of these instead */
	size_t nr_dmarc_domains;
	const char *const *dnsbl;	/* zones; NULL: the defaults */
	size_t nr_dnsbl;
	bool spf, dmarc, ptr;		/* which checks to make */
	const char *helo;		/* the MTA's HELO name, or NULL */
};

/* The options of the checks, as 'posture' and 'pack' take them; the
 * blocklists are set here alone (a configuration file may fill them). */
struct posture_options {
	bool enabled;			/* pack: --posture (or an option that needs it) */
	bool no_dns;			/* pack: --no-dns */
	const char *server;		/* --dns-server; NULL: the system's */
	long timeout_ms, deadline_ms;	/* --timeout, --deadline */
	const char **dnsbl;		/* --dnsbl ZONE..., NULL-ended */
	size_t nr_dnsbl;
	bool no_dnsbl;			/* --dnsbl none */
	const char *helo;		/* --helo */
};

#define POSTURE_TIMEOUT_MS 3000
#define POSTURE_DEADLINE_MS 20000

void posture_options_init(struct posture_options *o);
void posture_options_release(struct posture_options *o);
/* --dnsbl ZONE or none; -1 when ZONE is not a zone name. */
int posture_options_dnsbl(struct posture_options *o, const char *zone);
/* Seconds, fractions allowed, above 0 and at most 3600, into
 * milliseconds; -1 when not. */
long posture_seconds_ms(const char *s);
/* Fill REQ's blocklists from O. */
void posture_options_request(const struct posture_options *o, struct posture_request *req);

/* True for a name that can be a sender domain or a DNSBL zone. */
bool posture_domain_ok(const char *name);

json_t *posture_check(struct dns_resolver *r, const struct posture_request *req);

/*
 * One sent message, as its DMARC verdict needs it: the From domain, the
 * envelope sender's domain (NULL when unknown) and where it was read,
 * and the d= of each DKIM signature that passed (dkim_checked false when
 * DKIM was not verified).
 */
struct posture_message {
	const char *file;		/* samples/NN-....eml */
	const char *from_domain;	/* NULL: no From address */
	const char *envelope_domain;
	const char *envelope_source;	/* "return-path", "maillog" */
	const char *const *dkim_pass;
	size_t nr_dkim_pass;
	bool dkim_checked;
};

/*
 * Each message's DMARC verdict (RFC 7489, 4.2) from P's SPF and DMARC
 * results: P["messages"] (from_domain, envelope_domain, spf, spf_aligned,
 * dkim_aligned, dmarc: pass, fail, none, temperror, permerror, policy),
 * and each DMARC entry's "aligned": how many of the messages from its
 * domain are aligned by SPF, by DKIM, by either.  P's SPF must hold the
 * envelope domains, its DMARC the From domains.
 */
void posture_messages(json_t *p, const struct posture_message *m, size_t n);

/* The DNS answers R kept (dns_keep_answers), as JSON: name, type,
 * status, ttl, data, server, time (UTC). */
json_t *posture_answers(struct dns_resolver *r);

/* The domain of the address in header field NAME of the message's
 * header block (DATA, LEN bytes), lowercased (new); NULL when there is
 * no such field or no address.  The field's last <...> if any, else its
 * text. */
char *posture_header_domain(const char *data, size_t len, const char *name);

/* A blocklist code's meaning (the JSON's, in English) in LANG. */
const char *posture_meaning(const char *en, const char *lang);

/* The result in words, for people, in LANG (a code of words.h; else
 * English). */
void posture_print_lang(FILE *f, const json_t *p, const char *lang);

/* The result in words, for people. */
void posture_print(FILE *f, const json_t *p);

/* True when a check could not be made (a temperror somewhere). */
bool posture_incomplete(const json_t *p);

#endif
