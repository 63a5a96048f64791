/* dovecot.h - a Dovecot user's mail (any mail_location: sdbox, mdbox,
 * Maildir, mbox), read through Dovecot's doveadm, never from its files */
#ifndef FPKIT_DOVECOT_H
#define FPKIT_DOVECOT_H

#include "store.h"

struct error;

/* Every message of spec's user (all users: doveadm fetch -A) and
 * mailbox (all: NULL), with doveadm -c spec->config when given: one
 * doveadm fetch lists each message's mailbox, UID and Message-ID field,
 * and each message is given to fn as a store_msg of format
 * STORE_DOVECOT, whose path is "dovecot:USER/MAILBOX;UID=N" and whose
 * fetch runs doveadm fetch for its text, as Dovecot gives it.  Fails
 * with EX_UNAVAILABLE when doveadm is missing or fails (its message
 * said), EX_NOUSER for an unknown user, EX_TEMPFAIL past
 * FPKIT_LIMIT_DOVEADM_TIME, EX_DATAERR past FPKIT_LIMIT_DOVEADM_LIST. */
int dovecot_scan(const struct store_spec *spec, const struct store_options *opt,
		 store_msg_fn fn, void *data, struct error *err);

#endif
