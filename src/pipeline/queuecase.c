/* queuecase.c - the flagged destinations of the case, for fpkit queue.
 * A destination IP alone matches a waiting message only where its MTA
 * shows the IP (Postfix's delay reasons, "connect to mx[IP]:25"); the
 * mail logs tie the flagged messages to their recipients' domains
 * without asking DNS which hosts receive a domain's mail. */
#include "config.h"

#include <jansson.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "fpkit.h"
#include "fpkit_limits.h"
#include "mta.h"
#include "queue.h"
#include "queuecase.h"

/* The recipients of one logged delivery of a flagged message. */
static void
add_delivery(struct queue_dest *d, json_t *delivery)
{
	json_t *rcpts = json_object_get(delivery, "recipients"), *r;
	bool to_flagged = false;
	size_t i;

	if (json_is_false(json_object_get(delivery, "complete")))
		queue_dest_add_queue_id(d, json_string_value(json_object_get(delivery, "queue_id")));
	json_array_foreach(rcpts, i, r) {
		const char *relay = json_string_value(json_object_get(r, "relay"));

		for (size_t k = 0; relay && k < d->nr_ips; k++)
			to_flagged |= queue_names_ip(relay, d->ips[k]);
	}
	json_array_foreach(rcpts, i, r) {
		const char *relay = json_string_value(json_object_get(r, "relay"));
		const char *to = json_string_value(json_object_get(r, "to"));
		const char *at = to ? strrchr(to, '@') : NULL;
		bool hit = !to_flagged;

		for (size_t k = 0; relay && k < d->nr_ips; k++)
			hit |= queue_names_ip(relay, d->ips[k]);
		if (at && hit)
			queue_dest_add_domain(d, at + 1);
	}
}

void
queuecase_destinations(const struct fpkit *fp, struct queue_dest *d)
{
	const struct model_stats *st = &fp->kase.stats;

	d->given = true;
	for (size_t i = 0; fp->kase.has_stats && i < st->nr_targets; i++)
		queue_dest_add_ip(d, st->targets[i].destination_ip);
	for (size_t i = 0; fp->alert_file && i < fp->alert.nr_targets; i++)
		queue_dest_add_ip(d, fp->alert.targets[i].destination_ip);
	for (size_t i = 0; i < fp->trail.nr_targets; i++) {
		json_t *deliveries = maillog_delivery_json(&fp->trail, i), *del;
		size_t k;

		json_array_foreach(deliveries, k, del)
			add_delivery(d, del);
		json_decref(deliveries);
	}
}

int
queuecase_read(struct fpkit *fp, struct error *err)
{
	struct queue_state *q = &fp->queue_state;
	size_t shown = 0;

	queue_init(q, &fp->diag);
	queuecase_destinations(fp, &fp->queue_dest);
	if (mta_read(&fp->queue_opt, q, err) < 0) {
		error_prefix(err, "pack: --queue");
		return -1;
	}
	queue_match(q, &fp->queue_dest);
	for (size_t i = 0; fp->queue_messages && i < q->nr_msgs; i++) {
		struct error show_err = ERROR_INIT;

		if (!q->msgs[i].match)
			continue;
		if (shown == FPKIT_LIMIT_QUEUE_SHOWN) {
			diag_add(&fp->diag, "--queue-messages: %d messages printed into queue/messages/, "
				 "the limit; the others are named in queue/queue.json only",
				 FPKIT_LIMIT_QUEUE_SHOWN);
			break;
		}
		if (mta_show(&fp->queue_opt, q, &q->msgs[i], &show_err) < 0) {
			diag_add(&fp->diag, "--queue-messages: %s", show_err.msg);
			if (show_err.status == EX_UNAVAILABLE && q->msgs[i].shown == NULL &&
			    strstr(show_err.msg, "has no tool") != NULL)
				break;
			continue;
		}
		shown++;
	}
	return 0;
}
