/* alertscan.h - one decoded text of an alert e-mail (no MIME): the
 * messages it lists, the blocked IP it names and its date */
#ifndef FPKIT_ALERTSCAN_H
#define FPKIT_ALERTSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;

/* One message the alert lists. */
struct alert_target {
	char *message_id;	/* as written, without <>; NULL when the alert gave none */
	char *destination_ip;	/* IPv4; NULL when the alert gave none */
	bool has_spamscore;
	int64_t spamscore;
};


/* What one text tells of the alert. */
struct alertscan {
	char *ip;			/* the blocked IP named, or NULL */
	size_t ip_pos;			/* where, in the text */
	char *ip_other;			/* another address named as the blocked
					 * one, not taken; or NULL */
	struct alert_target *targets;	/* as found, not merged */
	size_t nr_targets, alloc_targets;
	size_t first_pos;		/* where the first target or the IP was found */
	bool has_date;			/* a date in the text ("Date:" line, ISO time) */
	int64_t date;
	bool spam;			/* the text speaks of spam */
};

/* Scan text[0..len) (UTF-8; HTML when 'html', made into lines by
 * html2text_convert) into s, whose strings are new (alertscan_release
 * frees them); 'name' names the file in messages.  EX_DATAERR for a
 * line longer than FPKIT_LIMIT_ALERT_LINE or more than
 * FPKIT_LIMIT_ALERT_TARGETS targets (s is then empty). */
int alertscan_text(struct alertscan *s, const char *text, size_t len, bool html,
		   const char *name, struct error *err);
void alertscan_release(struct alertscan *s);

#endif
