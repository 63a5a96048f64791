/* queuefiles.c - queue/ in the bundle: what the mail system showed when
 * pack ran, so that the queue can be cleared without losing the
 * evidence of what waited in it */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "queue.h"
#include "queuefiles.h"
#include "textsafe.h"
#include "xalloc.h"

void
queuefiles_add(struct bundle *b, const struct queue_state *q, const struct queue_dest *d)
{
	json_t *o = queue_to_json(q, d);
	char *text = json_dumps(o, JSON_INDENT(2));
	size_t len;

	json_decref(o);
	/* As fpkit queue --json prints it: the object and a newline. */
	bundle_add_take(b, "queue/queue.json", xasprintf("%s\n", text), strlen(text) + 1);
	free(text);
	text = queue_render_text(q, d, &len);
	bundle_add_take(b, "queue/queue.txt", text, len);
	for (size_t i = 0; i < q->nr_msgs; i++) {
		const struct queue_msg *m = &q->msgs[i];
		char *safe, *name;

		if (m->shown == NULL)
			continue;
		/* A queue id is the MTA's, but still chooses no path. */
		safe = textsafe_filename(m->id, 64);
		name = xasprintf("queue/messages/%s.txt", safe);
		bundle_add_data(b, name, m->shown, m->shown_len);
		free(name);
		free(safe);
	}
}
