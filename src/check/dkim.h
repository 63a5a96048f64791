/* dkim.h - DKIM verification through libopendkim, the one module that
 * talks to it.  libopendkim owns the dkim_ prefix, so this module's
 * symbols are dkimv_ ("DKIM verification"). */
#ifndef FPKIT_DKIM_H
#define FPKIT_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;

/* Keys smaller than this are refused (RFC 8301 section 3.2). */
#define DKIMV_MIN_KEY_BITS 1024

enum dkimv_result {
	DKIMV_PASS,
	DKIMV_FAIL,		/* the signature or the body hash does not match */
	DKIMV_INVALID,		/* the signature or its key cannot be used */
	DKIMV_TEMPFAIL,		/* the key could not be fetched (DNS error) */
};

/* One DKIM-Signature field and what became of it. */
struct dkimv_sig {
	char *domain;		/* d=, made visible; "" when missing */
	char *selector;		/* s= */
	char *algorithm;	/* a= */
	enum dkimv_result result;
	char *reason;		/* one line: why, for people */
	bool body_changed;	/* fail because the body hash differs */
	bool header_changed;	/* fail because the header signature differs */
};

/* A key record of a --dkim-keys file. */
struct dkimv_record {
	char *name;		/* "selector._domainkey.domain", lowercased, no final dot */
	enum {
		DKIMV_TXT,	/* a TXT record (value may be "") */
		DKIMV_NXDOMAIN,	/* NXDOMAIN: no such name */
		DKIMV_DNSERROR,	/* ~~text~~: the lookup fails (timeout, SERVFAIL) */
	} kind;
	char *value;
};

struct dkimv {
	void *lib;		/* DKIM_LIB */
	bool offline;		/* keys come from 'records', never from DNS */
	struct dkimv_record *records;
	size_t nr_records, alloc_records;
	unsigned long nr_lookups;	/* key lookups answered from 'records' */
	unsigned long nr_verified;	/* messages handed to libopendkim */
	unsigned min_bits;		/* smallest key accepted */
	bool has_time;			/* verify as of 'when', not now */
	int64_t when;
};

/* Set up libopendkim.  keys_path: NULL to fetch keys from DNS, else a
 * file of "NAME TXT-VALUE" lines (the format of Mail::DKIM's
 * t/FAKE_DNS.dat: '#' or ';' starts a comment line, NXDOMAIN, ~~text~~
 * for a DNS error, "" for an empty record) served through libopendkim's
 * DNS hooks, so that no query leaves the machine.  has_time/when: verify
 * as of that time instead of now: DKIM_OPTS_FIXEDTIME, and the x= and t=
 * tags judged here (libopendkim's verifier reads the clock for them; a
 * t= before 2001 is then invalid, as no signing time).  min_bits: the
 * smallest RSA key accepted (DKIM_OPTS_MINKEYBITS; 0 for
 * DKIMV_MIN_KEY_BITS).  EX_NOINPUT /
 * EX_DATAERR for the keys file (the message names the line),
 * EX_SOFTWARE when libopendkim cannot start. */
int dkimv_init(struct dkimv *v, const char *keys_path, bool has_time, int64_t when,
	       unsigned min_bits, struct error *err);
void dkimv_release(struct dkimv *v);

/* Parse a keys file's text into v->records (used by dkimv_init; 'name'
 * is the file name for errors).  EX_DATAERR names the bad line. */
int dkimv_parse_keys(struct dkimv *v, const char *text, size_t len, const char *name,
		     struct error *err);

/* Verify every DKIM-Signature of msg[0..len).  *sigs is a new array of
 * *nr entries (free with dkimv_sigs_free), in the order of the fields; a
 * message without DKIM-Signature gives none, and libopendkim is not even
 * called for it (so no DNS query is made).  Past
 * FPKIT_LIMIT_DKIM_SIGNATURES, the fields are removed from the copy
 * libopendkim reads (no lookup is made for them) and reported invalid,
 * "not verified".  The caller caps the header block's size (checks.c,
 * integrity_header_fits). */
void dkimv_verify(struct dkimv *v, const char *msg, size_t len,
		  struct dkimv_sig **sigs, size_t *nr);
void dkimv_sigs_free(struct dkimv_sig *sigs, size_t nr);

/* "pass", "fail", "invalid", "tempfail". */
const char *dkimv_result_name(enum dkimv_result r);

/* The version of libopendkim fpkit was built with (*built) and runs with
 * (*running), for fpkit --version; static strings. */
void dkimv_library_version(const char **built, const char **running);

#endif
