/* imapstore.h - IMAP mailboxes searched through libcurl: every message's
 * Message-ID field, then the messages wanted, whole and left unread */
#ifndef FPKIT_IMAPSTORE_H
#define FPKIT_IMAPSTORE_H

#include "store.h"

struct error;

/* Check an imaps:// or imap:// URL given with --mail and fill spec
 * (kind STORE_SPEC_IMAP, url): a user, a host, at most one mailbox, no
 * password (credentials come from ~/.netrc or a prompt), and plain
 * imap:// only to a loopback address.  EX_USAGE otherwise. */
int imapstore_check_url(const char *url, struct store_spec *spec, struct error *err);

/* Every message of the URL's mailbox (every mailbox the server lists
 * when it names none, up to FPKIT_LIMIT_IMAP_FOLDERS): UID FETCH of
 * their Message-ID fields, FPKIT_LIMIT_IMAP_CHUNK at a time, each given
 * to fn as a store_msg of format STORE_IMAP whose path is the RFC 5092
 * URL of the message ("imaps://user@host/INBOX;UIDVALIDITY=V/;UID=N")
 * and whose fetch gets it whole (BODY.PEEK[]: not marked read), as the
 * server gives it (CRLF line ends).  The password is read from ~/.netrc
 * (or $NETRC), else asked on the terminal; no message shows it.  Time
 * limits FPKIT_LIMIT_IMAP_CONNECT and FPKIT_LIMIT_IMAP_COMMAND, a failed
 * connection tried FPKIT_LIMIT_IMAP_TRIES times.  EX_UNAVAILABLE when
 * the server cannot be reached or refuses the login, EX_PROTOCOL for an
 * answer that cannot be read. */
int imapstore_scan(const struct store_spec *spec, const struct store_options *opt,
		   store_msg_fn fn, void *data, struct error *err);

#endif
