/* logs.c - the mail-log trail packaged: logs/ and summary.json
 *
 * The trail stage (maillog.c) only reads; the names its excerpts get in
 * the bundle are the bundle's business, chosen here as sample.c chooses
 * those of samples/. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "fpkit_limits.h"
#include "logclock.h"
#include "logs.h"
#include "maillog.h"
#include "textsafe.h"
#include "volume.h"
#include "xalloc.h"

void
logs_add(struct bundle *b, const struct maillog *trail, json_t *summary)
{
	json_t *targets = json_object_get(summary, "targets"), *t;
	char **names = xcalloc(trail->nr_targets ? trail->nr_targets : 1, sizeof(*names));
	/* As wide as the largest number, at least two digits (sample.c). */
	int width = 2;
	size_t i;

	for (size_t n = trail->nr_targets; n >= 100; n /= 10)
		width++;
	for (i = 0; i < trail->nr_targets; i++) {
		size_t len;
		char *text = maillog_excerpt(trail, i, &len), *safe;

		if (text == NULL)
			continue;
		/* Nothing from outside chooses a path (sample.c). */
		safe = textsafe_filename(trail->targets[i].shown, FPKIT_LIMIT_NAME_ID);
		names[i] = xasprintf("logs/%0*zu-%s.log", width, i + 1, safe);
		free(safe);
		bundle_add_take(b, names[i], text, len);
	}
	json_array_foreach(targets, i, t) {
		const char *id = json_string_value(json_object_get(t, "message_id"));
		long k = id ? maillog_find_target(trail, id) : -1;

		json_object_set_new(t, "log_file", k >= 0 && names[k] ? json_string(names[k]) :
				    json_null());
		json_object_set_new(t, "delivery", k >= 0 ? maillog_delivery_json(trail, (size_t)k) :
				    json_array());
	}
	json_object_set_new(summary, "maillogs", maillog_files_json(trail));
	for (i = 0; i < trail->nr_targets; i++)
		free(names[i]);
	free(names);
}

void
logs_add_volume(json_t *summary, const struct volume *v, const struct logclock *lc)
{
	json_object_set_new(summary, "volume", volume_json(v));
	json_object_set_new(summary, "log_clock", logclock_json(lc));
}
