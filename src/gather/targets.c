/* targets.c - the case's targets, each made canonical and indexed once */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msgid.h"
#include "targets.h"
#include "xalloc.h"

/* The filter's bit for a canonical id. */
static size_t
filter_bit(const char *canon)
{
	size_t n = strlen(canon);
	uint64_t a = 0, b = 0, c = 0, h;

	memcpy(&a, canon, n < 8 ? n : 8);
	if (n > 8)
		memcpy(&b, canon + n - 8, 8);
	if (n > 16)
		memcpy(&c, canon + n / 2 - 4, 8);
	h = a * 0x9e3779b97f4a7c15u ^ b * 0xc2b2ae3d27d4eb4fu ^ c * 0x165667b19e3779f9u ^ n;
	h ^= h >> 31;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 29;
	return (size_t)(h & (TARGETS_FILTER_BITS - 1));
}

void
targets_init(struct targets *t)
{
	memset(t, 0, sizeof(*t));
	t->index = g_hash_table_new(g_str_hash, g_str_equal);
}

void
targets_release(struct targets *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		free(t->items[i].id);
		free(t->items[i].shown);
		free(t->items[i].evidence);
	}
	free(t->items);
	free(t->by_stats);
	if (t->index)
		g_hash_table_destroy(t->index);
	memset(t, 0, sizeof(*t));
}

/* The one place where an id becomes canonical for the list. */
static char *
canonical(const char *id)
{
	return msgid_normalize(id, strlen(id));
}

static struct target *
new_target(struct targets *t)
{
	struct target *x;

	t->items = xgrow(t->items, t->nr + 1, &t->alloc, sizeof(*t->items));
	x = &t->items[t->nr++];
	memset(x, 0, sizeof(*x));
	x->stats = x->alert = -1;
	return x;
}

long
targets_add(struct targets *t, const char *id, bool *added)
{
	char *canon = canonical(id);
	gpointer found;
	struct target *x;

	if (added)
		*added = false;
	if (canon == NULL)
		return -1;
	found = g_hash_table_lookup(t->index, canon);
	if (found) {
		free(canon);
		return (long)GPOINTER_TO_SIZE(found) - 1;
	}
	x = new_target(t);
	x->id = canon;
	x->shown = msgid_strip(id, strlen(id));
	g_hash_table_insert(t->index, canon, GSIZE_TO_POINTER(t->nr));
	bitset_add(t->filter, filter_bit(canon));
	if (added)
		*added = true;
	return (long)t->nr - 1;
}

long
targets_add_stats(struct targets *t, size_t i, const char *id)
{
	long k = targets_add(t, id, NULL);

	t->by_stats = xgrow(t->by_stats, i + 1, &t->alloc_stats, sizeof(*t->by_stats));
	while (t->nr_stats <= i)
		t->by_stats[t->nr_stats++] = -1;
	t->by_stats[i] = k;
	if (k >= 0 && t->items[k].stats < 0)
		t->items[k].stats = (long)i;
	return k;
}

size_t
targets_add_recent(struct targets *t, char *id, int64_t date, const char *rule,
		   char *evidence)
{
	struct target *x = new_target(t);

	x->shown = id ? id : xstrdup("");
	x->id = canonical(x->shown);
	if (x->id == NULL)
		x->id = xstrdup("");
	x->recent = true;
	x->date = date;
	x->rule = rule;
	x->evidence = evidence;
	return t->nr - 1;
}

long
targets_lookup(const struct targets *t, const char *canon)
{
	gpointer found;

	if (!bitset_has(t->filter, filter_bit(canon)))
		return -1;
	found = g_hash_table_lookup(t->index, canon);
	return found ? (long)GPOINTER_TO_SIZE(found) - 1 : -1;
}

size_t
targets_named(const struct targets *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nr; i++)
		n += !t->items[i].recent;
	return n;
}

size_t
targets_missing(const struct targets *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nr; i++)
		n += !t->items[i].recent && t->items[i].nr_hits == 0;
	return n;
}
