/* checklist.c - the findings of the checks: a list of rule ids with
 * their details */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "xalloc.h"

void
check_list_add(struct check_list *l, const char *id, const char *fmt, ...)
{
	struct check_item *it;
	va_list ap;
	char *s;
	int n;

	/* measured, then written in memory from xmalloc: running out of
	 * it ends the program in xalloc.c, as everywhere */
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		/* an output error, not memory: only a detail over INT_MAX bytes */
		s = xasprintf("(%s: the detail cannot be written)", id);
	} else {
		s = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	l->items = xgrow(l->items, l->nr + 1, &l->alloc, sizeof(*l->items));
	it = &l->items[l->nr++];
	it->id = id;
	it->detail = s;
}

bool
check_list_has(const struct check_list *l, const char *id)
{
	for (size_t i = 0; i < l->nr; i++)
		if (strcmp(l->items[i].id, id) == 0)
			return true;
	return false;
}

void
check_list_release(struct check_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i].detail);
	free(l->items);
	memset(l, 0, sizeof(*l));
}
