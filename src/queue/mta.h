/* mta.h - which mail system the machine runs, found by its tools (or
 * named), and its state read with them: what fpkit queue, pack --queue
 * and the unblock's guard rail call */
#ifndef FPKIT_MTA_H
#define FPKIT_MTA_H

#include <stdbool.h>

struct error;
struct queue_msg;
struct queue_state;

#define MTA_NAMES "postfix, exim, sendmail, opensmtpd, qmail"
#define MTA_TIMEOUT_DEFAULT 30
/* Searched after $PATH: where the MTAs put their tools (qmail in its
 * own tree). */
#define MTA_SBIN_PATH "/usr/sbin:/usr/local/sbin:/sbin:/var/qmail/bin"

struct mta_options {
	const char *mta;		/* one of MTA_NAMES, or NULL: found */
	const char *postfix_config;	/* Postfix's -c folder, or NULL (MAIL_CONFIG) */
	int timeout;			/* seconds a tool may take */
	const char *path;		/* folders of the tools; NULL: FPKIT_MTA_PATH,
					 * else $PATH then MTA_SBIN_PATH */
};

void mta_options_init(struct mta_options *o);

/* Is name one of MTA_NAMES? */
bool mta_known(const char *name);

/* Find the MTA (o->mta, or the one whose tools are there: Postfix's
 * postqueue, Exim's exim or exim4, OpenSMTPD's smtpctl, qmail's
 * qmail-qstat, else Sendmail's mailq; of several, the one running) and
 * read its state into q (initialised by the caller), q->seen_at set to
 * now.  Never changes the MTA.  EX_UNAVAILABLE when no MTA is found or
 * its tool cannot list the queue, EX_USAGE when several are installed
 * and not exactly one runs (--mta chooses), and the readers' errors. */
int mta_read(const struct mta_options *o, struct queue_state *q, struct error *err);

/* The HELO name of Postfix's SMTP client (postfix_helo), into *helo
 * (new); the other MTAs are not asked. */
int mta_helo(const struct mta_options *o, char **helo, struct error *err);

/* m's text as the MTA's own tool prints it (postcat -q, exim -Mvc,
 * smtpctl show message), into m->shown.  EX_UNAVAILABLE for an MTA
 * without such a tool (Sendmail, qmail) or when it fails. */
int mta_show(const struct mta_options *o, const struct queue_state *q, struct queue_msg *m,
	     struct error *err);

#endif
