/* origin.h - where a stored message came from, by its own header: its
 * Received fields read hop by hop against the blocked IP (its trace),
 * and the domains it was sent from.  pack --before-block chooses by them
 * among the messages dated before the block (beforeblock.c). */
#ifndef FPKIT_ORIGIN_H
#define FPKIT_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "netaddr.h"

struct _GHashTable;

/* ---- at scan time: the fields kept of a header block ---- */

/* The Return-Path, From and Received fields of the header block
 * hdr[0..len) (with 'dkim', the DKIM-Signature fields too), copied as
 * they are into a small header block of their own (new, its length in
 * *outlen), for origin_read once the scan's block is gone.  Within
 * FPKIT_LIMIT_ORIGIN_FIELDS bytes: the first field that does not fit
 * ends it and sets *cut (the Received fields above it, the newest hops,
 * are kept).  NULL when the block has none of them. */
char *origin_excerpt(const char *hdr, size_t len, bool dkim, size_t *outlen, bool *cut);

/* ---- one Received field ---- */

struct origin_hop {
	char *text;		/* the field's value, unfolded, made visible */
	bool has_from;		/* a "from" clause: handed over by another host */
	char *from_name;	/* the name after "from" (lower case, no final
				 * dot), NULL for an address or "unknown" */
	char *from_checked;	/* the name the receiving server gives the
				 * sending host: the one before its address
				 * in the comment, "(name [addr])" (Postfix,
				 * Sendmail), or the name after "from" when
				 * the comment starts with the address
				 * ("name ([addr] helo=x)", Exim); NULL */
	char from_ip[NETADDR_TEXT];	/* the sending host's address (its
				 * comment's first one that no "helo" names,
				 * else an address after "from"); "" none */
	char *by_name;		/* the name after "by" */
	char by_ip[NETADDR_TEXT];	/* an address in the "by" clause; "" */
	bool authenticated;	/* "with ESMTPSA" and the like (RFC 3848),
				 * or "(Authenticated sender: ...)" */
	bool local;		/* "with local": made on the host itself */
};

/* Read one Received value (unfolded) into h (new strings, freed by
 * origin_hop_release).  Never fails: what cannot be read is left out. */
void origin_hop_parse(struct origin_hop *h, const char *value);
void origin_hop_release(struct origin_hop *h);

/* ---- a message's origin ---- */

struct origin {
	struct origin_hop *hops;	/* newest first */
	size_t nr_hops;
	bool cut;		/* fields were left out (origin_excerpt) */
	char *from_domain;	/* From's domain, lower case; NULL */
	char *return_path_domain;
	char **dkim_domains;	/* each DKIM-Signature's d= */
	size_t nr_dkim_domains;
};

/* Read an origin_excerpt (GMime reads the fields: mime_origin_buffer).
 * Everything is new, freed by origin_release. */
void origin_read(struct origin *o, const char *fields, size_t len, bool cut);
void origin_release(struct origin *o);

/* The domain of an address (after its last '@'), lower case, without a
 * final dot (new); NULL for none or an address literal. */
char *origin_address_domain(const char *addr);

/* ---- the sender domains of the targets ---- */

struct origin_domains {
	struct _GHashTable *set;	/* domain -> where it was seen (new) */
};

void origin_domains_init(struct origin_domains *d);
void origin_domains_release(struct origin_domains *d);

/* Add a domain (lower case) and where it was seen (copied); a domain
 * already there keeps its first 'where', one of a single label
 * ("localhost") is not added. */
void origin_domains_add(struct origin_domains *d, const char *domain, const char *where);

/* The domain of the set that 'name' is, or lies under ("shop.example.com"
 * for "web1.shop.example.com"), or NULL (borrowed from the set); *where
 * says where it was seen. */
const char *origin_domains_match(const struct origin_domains *d, const char *name,
				 const char **where);

/* ---- the trace: did the message leave through the IP? ---- */

enum origin_verdict {
	ORIGIN_SILENT,		/* the Received fields say nothing of it */
	ORIGIN_THROUGH,		/* handed on inside, through a hop naming the IP */
	ORIGIN_OUTSIDE,		/* received from another server */
};

struct origin_trace {
	enum origin_verdict verdict;
	size_t hop;		/* the hop that shows it (THROUGH, OUTSIDE) */
};

/* Walk o's hops from the newest, the one the store's own server wrote.
 * A hop's sending host is inside when the hop has no "from" (the message
 * was made there), is authenticated or local, or when the host's address
 * is 'ip' (the blocked one) or not a public one (netaddr_is_internal),
 * or when its checked name is one of the server's (the names given with
 * 'ip', and the newest hop's "by") or lies under one of 'domains' or
 * under the message's own From or Return-Path domain when a name of the
 * server lies under it too.  The first hop whose sending host is not
 * inside shows the message came in from outside.  When the walk ends
 * inside (at a hop without "from", or at the oldest hop of a trace kept
 * whole), a hop met on the way that names 'ip' (its sending host's
 * address or its "by" address) shows the message was handed on through
 * the IP.  'ip' must be canonical (netaddr_canonical). */
void origin_trace(const struct origin *o, const char *ip, const struct origin_domains *domains,
		  struct origin_trace *t);

#endif
