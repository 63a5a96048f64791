/* route.h - where the mail logs say a message went: handed to a remote
 * server (it left through the server's address), or delivered only to
 * local mailboxes (it was received, not sent) */
#ifndef FPKIT_ROUTE_H
#define FPKIT_ROUTE_H

#include <stddef.h>

struct maillog;

enum route_kind {
	ROUTE_NONE,		/* no delivery line says either */
	ROUTE_REMOTE,		/* handed to a server on a public address */
	ROUTE_LOCAL,		/* delivered, and only to local mailboxes */
};

struct route {
	enum route_kind kind;
	char *where;		/* the line that shows it, as "FILE:LINE: line"
				 * made visible (new); NULL for ROUTE_NONE */
};

/* Read target i's lines in the trail (maillog_each_line).  A delivery
 * is remote when the message went to a public address (netaddr.h):
 * Postfix's smtp client with relay=host[addr]:port, Exim's "=>" with
 * H=host [addr], Sendmail's relay=host. [addr]; the first such line with
 * status sent is given, else the first attempt.  It is local when it was
 * delivered without one: Postfix's local, virtual, lmtp and pipe agents,
 * Exim's "=>" without a host, Sendmail's Sent without an address.
 * Attempts that reached nobody (relay=none, a deferral before any
 * connection) and hand-overs to a private address (a content filter, a
 * relay inside) are neither.  Any remote delivery makes the message
 * ROUTE_REMOTE; else any local one ROUTE_LOCAL.  Free with
 * route_release. */
void route_of(const struct maillog *m, size_t i, struct route *r);
void route_release(struct route *r);

/* Call fn with each envelope sender (from=, Exim's "<=") of target i's
 * lines, the null sender left out, and where it was read as
 * "FILE:LINE" (both borrowed for the call). */
void route_senders(const struct maillog *m, size_t i,
		   void (*fn)(const char *addr, const char *where, void *data), void *data);

#endif
