/* spf.h - SPF (RFC 7208) evaluated for one IP, on our own DNS queries
 *
 * fpkit evaluates SPF itself rather than through libspf2: libspf2 asks
 * the system resolver only (res_ninit and /etc/resolv.conf: no server or
 * port can be given, no per-query time-out or deadline), it does not say
 * which mechanism decided, and it keeps RFC 4408's limits (no limit on
 * void lookups).  doc/fpkit-posture.1 lists where this evaluator departs from
 * the RFC 7208 test suite.
 */
#ifndef FPKIT_SPF_H
#define FPKIT_SPF_H

struct dns_resolver;

enum spf_result {
	SPF_NONE, SPF_NEUTRAL, SPF_PASS, SPF_FAIL, SPF_SOFTFAIL,
	SPF_TEMPERROR, SPF_PERMERROR,
};

struct spf_verdict {
	enum spf_result result;
	/* The term that decided, as the domain's record writes it ("-all",
	 * "include:_spf.example.net", "redirect=..."), "default" when no
	 * term matched, NULL for none; on an error, why in 'problem'. */
	char *mechanism;
	char *problem;
	char *explanation;	/* exp=, on a fail */
};

/*
 * check_host() for IP (text, v4 or v6) and the domain of SENDER (an
 * address, or a domain alone: postmaster@ is assumed); HELO may be NULL.
 * When SENDER is NULL or empty, the HELO identity is checked.
 */
void spf_check(struct dns_resolver *r, const char *ip, const char *sender,
	       const char *helo, struct spf_verdict *v);
void spf_verdict_release(struct spf_verdict *v);

/* "pass", "fail", ... (RFC 7208's words). */
const char *spf_result_name(enum spf_result r);

#endif
