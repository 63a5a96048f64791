/* finder.c - the locate stage */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "mime.h"
#include "msgid.h"
#include "xalloc.h"

static bool want_message(const struct store_msg *msg, void *data);

void
finder_init(struct finder *f, struct targets *t, struct diag *diag)
{
	memset(f, 0, sizeof(*f));
	f->targets = t;
	f->opt.max_header = FPKIT_LIMIT_HEADER_BLOCK;
	f->opt.diag = diag;
	f->opt.want = want_message;
}

void
finder_release(struct finder *f)
{
	size_t i;

	for (i = 0; i < f->nr_hits; i++)
		free(f->hits[i].path);
	free(f->hits);
	for (i = 0; i < f->nr_searched; i++)
		free(f->searched[i]);
	free(f->searched);
	for (i = 0; i < f->nr_recent; i++) {
		free(f->recent[i].path);
		free(f->recent_ids[i]);
	}
	free(f->recent);
	free(f->recent_dates);
	free(f->recent_ids);
	memset(f, 0, sizeof(*f));
}

/* The target a Message-ID field's value names, or -1: the one place
 * where an id read from a stored message is made canonical. */
static long
header_target(const struct finder *f, const char *value, size_t vlen)
{
	char *canon = msgid_normalize(value, vlen);
	long k = canon ? targets_lookup(f->targets, canon) : -1;

	free(canon);
	return k;
}

static void
add_hit(struct finder *f, size_t target, struct store_msg *msg)
{
	struct finder_hit *h;

	if (store_msg_complete(msg) < 0) {
		diag_add(f->opt.diag, "skipped '%s': cannot stat it", msg->path);
		return;
	}
	/* One file reached by two paths (a hard link, a symlink): the
	 * smaller path is kept, whatever the order in which the reading
	 * threads met them. */
	for (size_t i = 0; i < f->nr_hits; i++) {
		h = &f->hits[i];
		if (h->target == target && h->dev == msg->dev && h->ino == msg->ino &&
		    h->offset == msg->offset) {
			if (strcmp(msg->path, h->path) < 0) {
				free(h->path);
				h->path = xstrdup(msg->path);
				h->format = msg->format;
				h->compression = msg->compression;
			}
			return;
		}
	}
	f->hits = xgrow(f->hits, f->nr_hits + 1, &f->alloc_hits, sizeof(*f->hits));
	h = &f->hits[f->nr_hits++];
	h->target = target;
	h->path = xstrdup(msg->path);
	h->format = msg->format;
	h->compression = msg->compression;
	h->offset = msg->offset;
	h->length = msg->length;
	h->dev = msg->dev;
	h->ino = msg->ino;
	f->targets->items[target].nr_hits++;
}

void
finder_want_recent(struct finder *f, size_t n, int64_t before)
{
	f->recent_max = n;
	f->recent_before = before;
	f->recent = xcalloc(n ? n : 1, sizeof(*f->recent));
	f->recent_dates = xcalloc(n ? n : 1, sizeof(*f->recent_dates));
	f->recent_ids = xcalloc(n ? n : 1, sizeof(*f->recent_ids));
}

/* Newer first; equal dates by path, then offset, so the choice does not
 * depend on the order of the walk. */
static int
cmp_recent(int64_t da, const struct finder_hit *a, int64_t db, const struct finder_hit *b)
{
	int c;

	if (da != db)
		return da > db ? -1 : 1;
	c = strcmp(a->path, b->path);
	if (c)
		return c;
	return (a->offset > b->offset) - (a->offset < b->offset);
}

/* A message met by the scan: is it one of the most recent before the
 * block? */
static void
consider_recent(struct finder *f, struct store_msg *msg)
{
	const char *value;
	size_t vlen, pos = 0, i;
	int64_t date;
	struct finder_hit h;

	if (!msgid_header_field(msg->header, msg->header_len, "date", &pos, &value, &vlen) ||
	    mime_parse_date(value, vlen, &date) < 0) {
		f->nr_undated++;
		return;
	}
	if (date >= f->recent_before)
		return;
	memset(&h, 0, sizeof(h));
	h.path = (char *)msg->path;
	h.offset = msg->offset;
	if (f->nr_recent == f->recent_max &&
	    cmp_recent(date, &h, f->recent_dates[f->nr_recent - 1], &f->recent[f->nr_recent - 1]) >= 0)
		return;
	if (store_msg_complete(msg) < 0)
		return;
	/* One file reached twice: the smaller path is kept (see add_hit);
	 * the entry is taken out and put in again in its place. */
	for (i = 0; i < f->nr_recent; i++) {
		size_t after = f->nr_recent - i - 1;

		if (f->recent[i].dev != msg->dev || f->recent[i].ino != msg->ino ||
		    f->recent[i].offset != msg->offset)
			continue;
		if (strcmp(msg->path, f->recent[i].path) >= 0)
			return;
		free(f->recent[i].path);
		free(f->recent_ids[i]);
		memmove(&f->recent[i], &f->recent[i + 1], after * sizeof(*f->recent));
		memmove(&f->recent_dates[i], &f->recent_dates[i + 1], after * sizeof(*f->recent_dates));
		memmove(&f->recent_ids[i], &f->recent_ids[i + 1], after * sizeof(*f->recent_ids));
		f->nr_recent--;
		break;
	}
	if (f->nr_recent == f->recent_max) {	/* drop the oldest */
		f->nr_recent--;
		free(f->recent[f->nr_recent].path);
		free(f->recent_ids[f->nr_recent]);
	}
	for (i = f->nr_recent; i > 0 && cmp_recent(date, &h, f->recent_dates[i - 1],
						    &f->recent[i - 1]) < 0; i--) {
		f->recent[i] = f->recent[i - 1];
		f->recent_dates[i] = f->recent_dates[i - 1];
		f->recent_ids[i] = f->recent_ids[i - 1];
	}
	h.path = xstrdup(msg->path);
	h.format = msg->format;
	h.compression = msg->compression;
	h.length = msg->length;
	h.dev = msg->dev;
	h.ino = msg->ino;
	f->recent[i] = h;
	f->recent_dates[i] = date;
	pos = 0;
	f->recent_ids[i] = msgid_next_field(msg->header, msg->header_len, &pos, &value, &vlen) ?
			   msgid_strip(value, vlen) : NULL;
	f->nr_recent++;
}

/* Does the message carry a target's id (or may it be a recent one)?
 * Called by the store's reading threads at the same time: it only reads
 * the index, and counts with an atomic add. */
static bool
want_message(const struct store_msg *msg, void *data)
{
	struct finder *f = data;
	const char *value;
	size_t vlen, pos = 0;
	bool yes = f->recent_max > 0;

	if (((__atomic_add_fetch(&f->nr_messages, 1, __ATOMIC_RELAXED)) & 4095) == 0 && f->progress)
		f->progress(f, f->progress_data);
	while (!yes && msgid_next_field(msg->header, msg->header_len, &pos, &value, &vlen))
		yes = header_target(f, value, vlen) >= 0;
	return yes;
}

static int
on_message(struct store_msg *msg, void *data, struct error *err)
{
	struct finder *f = data;
	const char *value;
	size_t vlen, pos = 0;

	(void)err;
	while (msgid_next_field(msg->header, msg->header_len, &pos, &value, &vlen)) {
		long k = header_target(f, value, vlen);

		if (k >= 0)
			add_hit(f, (size_t)k, msg);
	}
	if (f->recent_max)
		consider_recent(f, msg);
	return 0;
}

int
finder_scan(struct finder *f, const char *path, struct error *err)
{
	f->searched = xgrow(f->searched, f->nr_searched + 1, &f->alloc_searched,
			    sizeof(*f->searched));
	f->searched[f->nr_searched++] = xstrdup(path);
	return store_scan(path, &f->opt, on_message, f, err);
}

static int
cmp_hits(const void *a, const void *b)
{
	const struct finder_hit *x = a, *y = b;
	int c;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	c = strcmp(x->path, y->path);
	if (c)
		return c;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

void
finder_sort(struct finder *f)
{
	/* The recent messages, newest first, as targets of their own. */
	for (size_t i = 0; i < f->nr_recent; i++) {
		struct finder_hit *h;
		bool known = false;
		size_t t;

		/* already a sample as a target's message */
		for (size_t j = 0; j < f->nr_hits && !known; j++)
			known = f->hits[j].dev == f->recent[i].dev && f->hits[j].ino == f->recent[i].ino &&
				f->hits[j].offset == f->recent[i].offset;
		if (known) {
			free(f->recent[i].path);
			free(f->recent_ids[i]);
			continue;
		}

		t = targets_add_recent(f->targets, f->recent_ids[i], f->recent_dates[i]);
		f->targets->items[t].nr_hits = 1;
		f->recent_ids[i] = NULL;
		f->hits = xgrow(f->hits, f->nr_hits + 1, &f->alloc_hits, sizeof(*f->hits));
		h = &f->hits[f->nr_hits++];
		*h = f->recent[i];
		h->target = t;
		f->recent[i].path = NULL;
	}
	f->nr_recent = 0;
	if (f->nr_hits > 1)
		qsort(f->hits, f->nr_hits, sizeof(*f->hits), cmp_hits);
}
