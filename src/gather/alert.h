/* alert.h - the anti-spam alert e-mail OVHcloud sends when it blocks an
 * IP: the blocked IP, the alert's date and the messages it lists */
#ifndef FPKIT_ALERT_H
#define FPKIT_ALERT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alertscan.h"
#include "strbuf.h"

struct diag;
struct error;

struct alert {
	char *source;		/* the file name, as given */
	struct strbuf raw;	/* the file, byte for byte */
	char *ip;		/* the blocked IP; NULL when the alert names none */
	bool has_date;
	int64_t date;		/* when the alert was written (epoch): a date in its
				 * text (a forward's "Date:" line), else its Date header */
	struct alert_target *targets;	/* in the order listed, duplicates merged */
	size_t nr_targets, alloc_targets;
};

void alert_init(struct alert *a);
void alert_release(struct alert *a);

/* Read the alert e-mail 'path' ("-": standard input) and parse it.
 * EX_NOINPUT when it cannot be opened; EX_DATAERR when it is empty,
 * larger than FPKIT_LIMIT_ALERT, holds a line longer than
 * FPKIT_LIMIT_ALERT_LINE or more than FPKIT_LIMIT_ALERT_TARGETS messages,
 * or is no alert at all (neither a blocked IP nor a listed message).  An alert without a blocked IP is
 * not an error here (a->ip NULL): the caller decides.  Oddities that are
 * not errors go to 'diag' (may be NULL). */
int alert_load(struct alert *a, const char *path, struct diag *diag, struct error *err);

/* The same on an e-mail held in memory (copied into a->raw); 'name'
 * names it in messages. */
int alert_parse(struct alert *a, const char *buf, size_t len, const char *name,
		struct diag *diag, struct error *err);

/* {"ip": ..., "date": ... (only when known), "targets": [{"message_id",
 * "destination_ip", "spamscore"}, ...]}; unknown values are null. */
json_t *alert_to_json(const struct alert *a);

#endif
