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

/* The blocklists asked when none are given (doc/fpkit-posture.1, WHAT IS CHECKED). */
extern const char *const posture_default_dnsbl[];

struct posture_request {
	const char *ip;			/* checked by the caller */
	const char *const *domains;	/* sender domains: SPF and DMARC */
	size_t nr_domains;
	const char *const *dnsbl;	/* zones; NULL: the defaults */
	size_t nr_dnsbl;
	bool spf, dmarc, ptr;		/* which checks to make */
};

/* True for a name that can be a sender domain or a DNSBL zone. */
bool posture_domain_ok(const char *name);

json_t *posture_check(struct dns_resolver *r, const struct posture_request *req);

/* The result in words, for people. */
void posture_print(FILE *f, const json_t *p);

/* True when a check could not be made (a temperror somewhere). */
bool posture_incomplete(const json_t *p);

#endif
