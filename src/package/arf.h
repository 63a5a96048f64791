/* arf.h - GMime, third module: the bundle's report.arf, one RFC 5965
 * feedback report per sample (Feedback-Type: not-spam, RFC 6430), kept
 * together as an mboxrd file */
#ifndef FPKIT_ARF_H
#define FPKIT_ARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bundle;
struct diag;
struct error;
struct fpcase;
struct mime_message;
struct maillog;
struct sample_list;
struct strbuf;
struct targets;

/* The sender of every report: a reserved name (RFC 2606), since fpkit
 * does not know who will send it. */
#define ARF_FROM_NAME "fpkit"
#define ARF_FROM_ADDR "fpkit@fpkit.invalid"

/* What one report says about one sample.  Every pointer is borrowed. */
struct arf_sample {
	const char *ip;			/* Source-IP: the blocked address */
	int64_t blocked_at;		/* the block time: the report's Date */
	bool has_arrival;
	int64_t arrival;		/* Arrival-Date: when the message was sent */
	const char *message_id;		/* the target id as shown; "" for none */
	const char *destination_ip;	/* the API's destinationIp, or NULL */
	bool has_spamscore;
	int64_t spamscore;		/* the API's spamscore */
	const char *mail_from;		/* the MAIL FROM the mail logs give ("" for
					 * the null sender), or NULL */
	const char *const *rcpt;	/* the RCPT TOs the mail logs give */
	size_t nr_rcpt;
	size_t number, count;		/* "sample NUMBER of COUNT" */
	const char *file;		/* the sample's name in the bundle */
	const char *sha256;		/* of data, lowercase hex */
	const char *data;		/* the message, byte for byte; NULL when
					 * it is in the file 'fd' only */
	size_t len;
	int fd;				/* with data NULL: the file holding it
					 * (from its start, read by pread) */
	const struct mime_message *msg;	/* its one parse (sample.h), or NULL:
					 * then it is parsed here */
};

/* The feedback report for one sample, as a new message (free() it) of
 * *len bytes: multipart/report; report-type=feedback-report with a
 * text/plain part for people, a message/feedback-report part and the
 * sample as message/rfc822, its bytes untouched.  Deterministic: the
 * boundary and the Message-ID are derived from the sample's SHA-256,
 * its number and the block time, the Date is the block time.
 * Original-Mail-From (s->mail_from, else Return-Path, else From),
 * Reported-Domain (From's domain) and Original-Rcpt-To (s->rcpt) are
 * given only when known, in a form that needs no quoting. */
char *arf_report(const struct arf_sample *s, size_t *len);

/* Append msg[0..len) to 'mbox' as one mboxrd entry: a "From " line
 * dated 'when' (UTC), the message with every line that matches
 * /^>*From / quoted by one more '>', a newline if it lacks one, and an
 * empty line. */
void arf_mbox_append(struct strbuf *mbox, const char *msg, size_t len, int64_t when);

/* report.arf for the samples of a pack run, in sample order, added to
 * the bundle b (none when there is no sample): made in memory when every
 * sample is in memory, else written as it is made to a temporary file
 * (sample_spool_open), a spooled sample's bytes read from its file in
 * pieces; the same bytes either way.  EX_CANTCREAT/EX_IOERR when the
 * temporary file cannot be made or written.  The mail-log trail (pack --maillog; NULL or empty
 * for none) gives the envelope: MAIL FROM, and the RCPT TOs of the
 * deliveries relayed to the destination IP the API names (or of every
 * delivery, when the API names none or none went there). */
int arf_bundle(const struct fpcase *c, const struct targets *t, const struct sample_list *l,
	       const struct maillog *trail, struct bundle *b, struct error *err);

#endif
