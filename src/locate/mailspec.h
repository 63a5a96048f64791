/* mailspec.h - what a --mail argument names (a path, a Dovecot user, an
 * IMAP mailbox), read in one place, and the scan of any of them */
#ifndef FPKIT_MAILSPEC_H
#define FPKIT_MAILSPEC_H

#include "store.h"

struct error;

/* Read a --mail argument (the one place where one is read): a path,
 * unless it starts with "dovecot:", "imap://" or "imaps://".  An
 * argument of those kinds that is not well formed is refused
 * (EX_USAGE, saying what is expected); an imap:// URL not on loopback
 * too.  Release with mailspec_release. */
int mailspec_parse(const char *arg, struct store_spec *spec, struct error *err);
void mailspec_release(struct store_spec *spec);

/* Scan any store a --mail argument names (mailspec_parse): a path
 * (store_scan), a Dovecot user's mail through doveadm (dovecot.h) or an
 * IMAP mailbox (imapstore.h). */
int mailspec_scan(const char *arg, const struct store_options *opt,
		    store_msg_fn fn, void *data, struct error *err);

#endif
