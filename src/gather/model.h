/* model.h - the OVH API models fpkit reads (ovh-api.md section 4),
 * validated field by field */
#ifndef FPKIT_MODEL_H
#define FPKIT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;

/* ip.SpamIp: GET /ip/{ip}/spam/{ipSpamming} */
struct model_spamip {
	char *date_raw;		/* "date" as written, e.g. with +01:00 */
	int64_t date;		/* the same as epoch seconds */
	char *ip;		/* "ipSpamming" */
	char *state;		/* "state": blockedForSpam, unblocked, unblocking */
	int64_t time;		/* "time": seconds the IP stays blocked */
};

/* ip.SpamTarget: one entry of detectedSpams */
struct model_target {
	char *message_id;	/* "messageId" as given, usually without <> */
	char *destination_ip;	/* "destinationIp" */
	int64_t spamscore;	/* "spamscore" */
	int64_t date;		/* "date": when the mail was sent, epoch */
};

/* ip.SpamStats: one entry of the stats array */
struct model_stats_entry {
	bool has_average;	/* "averageSpamscore" is nullable */
	int64_t average_spamscore;
	int64_t number_of_spams; /* "numberOfSpams" */
	int64_t timestamp;	/* "timestamp": when the IP was blocked */
	int64_t total;		/* "total": e-mails sent */
	size_t nr_targets;	/* this entry's detectedSpams (null: 0) */
};

/* GET /ip/{ip}/spam/{ipSpamming}/stats: an array of ip.SpamStats; the
 * targets of all entries are kept in order in one array. */
struct model_stats {
	struct model_stats_entry *entries;
	size_t nr_entries;
	struct model_target *targets;
	size_t nr_targets, alloc_targets;
};

/* Parse and validate buf[0..len) as a SpamIp object.  'name' is the file
 * name used in errors.  Unknown fields are ignored (the raw bytes are kept
 * by the caller).  On error (-1, EX_DATAERR) the message names the file
 * and the field, e.g. "'x.json': field 'state': expected one of ...". */
int model_parse_spamip(const char *buf, size_t len, const char *name,
		       struct model_spamip *out, struct error *err);
void model_spamip_release(struct model_spamip *s);

/* Parse and validate buf[0..len) as a stats array; errors name the field
 * as "[0].detectedSpams[1].messageId". */
int model_parse_stats(const char *buf, size_t len, const char *name,
		      struct model_stats *out, struct error *err);
void model_stats_release(struct model_stats *s);

/* True when s is one of the ip.SpamStateEnum values. */
bool model_state_valid(const char *s);

#endif
