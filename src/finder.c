/* finder.c - the locate stage */
#include "config.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "finder.h"
#include "msgid.h"
#include "xalloc.h"

void
finder_init(struct finder *f, struct diag *diag)
{
	memset(f, 0, sizeof(*f));
	f->index = g_hash_table_new(g_str_hash, g_str_equal);
	f->opt.max_header = STORE_MAX_HEADER_DEFAULT;
	f->opt.diag = diag;
}

void
finder_release(struct finder *f)
{
	size_t i;

	for (i = 0; i < f->nr_targets; i++) {
		free(f->targets[i].id);
		free(f->targets[i].shown);
	}
	free(f->targets);
	for (i = 0; i < f->nr_hits; i++)
		free(f->hits[i].path);
	free(f->hits);
	for (i = 0; i < f->nr_searched; i++)
		free(f->searched[i]);
	free(f->searched);
	if (f->index)
		g_hash_table_destroy(f->index);
	memset(f, 0, sizeof(*f));
}

long
finder_add_target(struct finder *f, const char *id)
{
	char *canon = msgid_normalize(id, strlen(id));
	gpointer found;

	if (canon == NULL)
		return -1;
	found = g_hash_table_lookup(f->index, canon);
	if (found) {
		free(canon);
		return (long)GPOINTER_TO_SIZE(found) - 1;
	}
	f->targets = xgrow(f->targets, f->nr_targets + 1, &f->alloc_targets,
			   sizeof(*f->targets));
	f->targets[f->nr_targets].id = canon;
	f->targets[f->nr_targets].shown = msgid_strip(id, strlen(id));
	f->targets[f->nr_targets].nr_hits = 0;
	g_hash_table_insert(f->index, canon, GSIZE_TO_POINTER(f->nr_targets + 1));
	return (long)f->nr_targets++;
}

static void
add_hit(struct finder *f, size_t target, struct store_msg *msg)
{
	struct finder_hit *h;

	if (store_msg_complete(msg) < 0) {
		diag_add(f->opt.diag, "skipped '%s': cannot stat it", msg->path);
		return;
	}
	for (size_t i = 0; i < f->nr_hits; i++) {
		h = &f->hits[i];
		if (h->target == target && h->dev == msg->dev && h->ino == msg->ino &&
		    h->offset == msg->offset)
			return;
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
	f->targets[target].nr_hits++;
}

static int
on_message(struct store_msg *msg, void *data, struct error *err)
{
	struct finder *f = data;
	const char *value;
	size_t vlen, pos = 0;

	(void)err;
	if ((++f->nr_messages & 4095) == 0 && f->progress)
		f->progress(f, f->progress_data);
	while (msgid_next_field(msg->header, msg->header_len, &pos, &value, &vlen)) {
		char *canon = msgid_normalize(value, vlen);
		gpointer found;

		if (canon == NULL)
			continue;
		found = g_hash_table_lookup(f->index, canon);
		free(canon);
		if (found)
			add_hit(f, GPOINTER_TO_SIZE(found) - 1, msg);
	}
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
	if (f->nr_hits > 1)
		qsort(f->hits, f->nr_hits, sizeof(*f->hits), cmp_hits);
}
