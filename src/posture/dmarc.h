/* dmarc.h - DMARC (RFC 7489) without DNS: a record's tags, the policy
 * that applies to a domain, identifier alignment, and the verdict of one
 * message from its SPF and DKIM results
 *
 * fpkit reads DMARC itself rather than through libopendmarc:
 * doc/fpkit-posture.1 (WHAT IS CHECKED) says why, with the cases.
 */
#ifndef FPKIT_DMARC_H
#define FPKIT_DMARC_H

#include <stdbool.h>
#include <stddef.h>

/* The policy words of p= and sp=. */
enum dmarc_policy { DMARC_P_UNSET, DMARC_P_NONE, DMARC_P_QUARANTINE, DMARC_P_REJECT };

struct dmarc_record {
	bool usable;		/* a policy applies: p= valid, or p=none by rua= */
	enum dmarc_policy p, sp;	/* sp: DMARC_P_UNSET when absent or not valid */
	int pct;		/* 0..100, 100 when absent or not valid */
	bool adkim_strict, aspf_strict;
	char *problem;		/* what was wrong, for people (new), or NULL */
};

/* True when TXT is a DMARC record: its first tag is v=DMARC1 (RFC 7489,
 * 6.6.3). */
bool dmarc_is_record(const char *txt);

/* The DMARC records among N TXT strings: how many, the first in *FIRST
 * (6.6.3: more than one is as none). */
size_t dmarc_count(char *const *txt, size_t n, const char **first);

/*
 * Read a record (RFC 7489, 6.3 and 6.6.3): a p= that is not valid makes
 * the record unusable unless rua= gives a mailto: address (then
 * p=none); a value of sp=, pct=, adkim= or aspf= that is not valid is
 * taken at its default, said in 'problem'; unknown tags are ignored.
 * Release with dmarc_record_release.
 */
void dmarc_parse(const char *txt, struct dmarc_record *r);
void dmarc_record_release(struct dmarc_record *r);

/* The value of TAG in RECORD, trimmed (new), NULL if absent. */
char *dmarc_tag(const char *record, const char *tag);

/* The policy for the From domain: sp= when the record was found at the
 * organisational domain (the From domain is a subdomain) and gives one,
 * p= otherwise. */
enum dmarc_policy dmarc_policy_for(const struct dmarc_record *r, bool at_org);

const char *dmarc_policy_name(enum dmarc_policy p);

/*
 * Identifier alignment (RFC 7489, 3.1): strict, the same domain
 * (ignoring case); relaxed, the same organisational domain, given by
 * ORGDOMAIN (the PSL's in the program; a stand-in in tests).
 */
typedef char *(*dmarc_orgdomain_fn)(const char *name);
bool dmarc_aligned(const char *id, const char *from, bool strict, dmarc_orgdomain_fn org);

#endif
