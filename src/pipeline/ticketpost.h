/* ticketpost.h - fpkit ticket create and fpkit ticket reply: a bundle's
 * ticket posted to the OVH API's support (POST /support/tickets/create),
 * an answer to it (POST .../reply), each write never doubled */
#ifndef FPKIT_TICKETPOST_H
#define FPKIT_TICKETPOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct error;
struct ovhclient;

/* After a write whose answer was lost, the tickets created since this
 * long before it are looked at (the API's and our clocks may differ). */
#define TICKETPOST_LOOKBACK 600
/* Times the ticket (or the reply) is looked for after a lost answer,
 * and the wait before each look after the first (FPKIT_TICKET_RECHECK_MS
 * replaces it, for the tests): an API that has done the write may not
 * list it at once. */
#define TICKETPOST_LOOKS 3
#define TICKETPOST_LOOK_MS 5000

struct ticketpost_options {
	const char *bundle;		/* create: the bundle (tarball or folder) */
	const char *product;		/* --product, or NULL: from GET /ip/{block} */
	const char *service;		/* --service, or NULL: likewise */
	const char *category;		/* --category (SUPPORT_DEFAULT_CATEGORY) */
	const char *subcategory;	/* --subcategory */
	size_t inline_max;		/* --inline-max: the header blocks' cap */
	int64_t ticket;			/* reply: the ticket's id or number */
	const char *text;		/* reply: the answer's text */
	size_t text_len;
	bool yes, dry_run;
	const char *archive;		/* --archive DIR: the record */
	bool archive_unsafe_ok;
	long look_ms;			/* between two looks after a lost answer */
	/* ask a person (the plan): 1 yes, 0 no, -1 nobody to ask */
	int (*confirm)(void *arg, const char *plan);
	/* one line of progress (a lost answer, a look) */
	void (*progress)(void *arg, const char *line);
	void *arg;
};

/* The defaults; look_ms from FPKIT_TICKET_RECHECK_MS when set.
 * EX_USAGE when that is not a number of milliseconds. */
int ticketpost_options_init(struct ticketpost_options *o, struct error *err);

enum ticketpost_outcome {
	TICKETPOST_DONE,	/* posted (or found posted after a lost answer), or
				 * --dry-run went through */
	TICKETPOST_REFUSED,	/* not confirmed: nothing sent */
	TICKETPOST_UNKNOWN,	/* the answer was lost and the write is not seen:
				 * it may or may not have been done */
};

struct ticketpost_result {
	char *subject;			/* new */
	char *body;			/* the ticket's text or the reply (new) */
	size_t body_len;
	char *lang;			/* the ticket's language: "en", "fr"... (new) */
	char *ip, *block;		/* from the bundle (new; NULL if none) */
	char *ip_type;			/* GET /ip/{block}'s type (new) or NULL */
	char *product, *service;	/* new */
	char *request;			/* the JSON body sent, or that would be (new) */
	bool posted;			/* the API did it */
	bool found;			/* ... known from a look after a lost answer */
	int64_t ticket_id, ticket_number, message_id;	/* -1 when not known */
	const char *refused_by;		/* "confirmation" or NULL (static) */
	char *why;			/* a refusal or an unknown outcome (new) */
};

void ticketpost_result_release(struct ticketpost_result *r);

/* fpkit ticket create: verify the bundle (as fpkit verify; EX_DATAERR
 * for a bundle that fails it), take its TICKET.txt's subject (its first
 * line "Subject: ", "Objet : "... which gives the language) and text,
 * append each sample's header block (inline.c) unless the text holds
 * them already (pack --inline), ask GET /ip/{block} for the product and
 * the service unless both are given (EX_DATAERR naming a type with no
 * product), confirm unless yes or dry_run, then POST, never doubled: a
 * lost or late answer is followed by looks at the tickets created since
 * (subject equal), never by a second POST.  With archive, the outcome of
 * a POST is recorded in the archive's index (a warning in d when it
 * cannot be). */
int ticketpost_create(struct ovhclient *client, const struct ticketpost_options *o,
		      struct ticketpost_result *r, struct diag *d, struct error *err);

/* fpkit ticket reply: find the ticket (an id or a number), confirm, POST
 * {"body": TEXT}; after a lost answer the ticket's messages are looked
 * at for one with the same text, never a second POST. */
int ticketpost_reply(struct ovhclient *client, const struct ticketpost_options *o,
		     struct ticketpost_result *r, struct diag *d, struct error *err);

#endif
