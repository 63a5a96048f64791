/* error.c - struct error and struct diag */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"

int
error_set(struct error *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
error_prefix(struct error *err, const char *fmt, ...)
{
	char head[512];
	size_t hlen, olen, room;
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	hlen = strlen(head);
	olen = strlen(err->msg);
	room = sizeof(err->msg) - 1 - hlen - 2;	/* head is < 512, msg 1024 */
	if (olen > room)
		olen = room;
	memmove(err->msg + hlen + 2, err->msg, olen);
	memcpy(err->msg, head, hlen);
	memcpy(err->msg + hlen, ": ", 2);
	err->msg[hlen + 2 + olen] = '\0';
}

void
diag_add(struct diag *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = xstrdup(fmt);
	va_end(ap);
	d->items = xgrow(d->items, d->nr + 1, &d->alloc, sizeof(*d->items));
	d->items[d->nr++] = s;
}

void
diag_release(struct diag *d)
{
	for (size_t i = 0; i < d->nr; i++)
		free(d->items[i]);
	free(d->items);
	d->items = NULL;
	d->nr = d->alloc = 0;
}
