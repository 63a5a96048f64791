/* strbuf.c - growable byte buffer with a size cap */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "strbuf.h"
#include "xalloc.h"

static char strbuf_empty[1];

void
strbuf_init(struct strbuf *sb, size_t max)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	sb->max = max;
}

void
strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

/* Make room for 'extra' more bytes plus the NUL, or fail past the cap. */
static int
strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need;

	if (extra > sb->max - sb->len || sb->len + extra == SIZE_MAX) {
		strbuf_release(sb);
		return -1;
	}
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return 0;
	if (sb->alloc == 0) {
		sb->buf = NULL;
	}
	sb->buf = xgrow(sb->buf, need, &sb->alloc, 1);
	return 0;
}

int
strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len) < 0)
		return -1;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int
strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	return strbuf_add(sb, &ch, 1);
}

int
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	char *big = NULL;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return strbuf_add(sb, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = strbuf_add(sb, big, (size_t)n);
	free(big);
	return rc;
}

char *
strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p;

	if (len)
		*len = sb->len;
	p = sb->alloc ? sb->buf : xstrdup("");
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
	return p;
}

int
strbuf_read_file(struct strbuf *sb, const char *path, const char *what, struct error *err)
{
	char chunk[65536];
	int fd, rc = -1;
	ssize_t n;

	strbuf_reset(sb);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, errno == ENOENT || errno == EACCES ? EX_NOINPUT : EX_IOERR,
				 "cannot open '%s': %s", path, strerror(errno));
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error_set(err, errno == EISDIR ? EX_NOINPUT : EX_IOERR,
				  "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (strbuf_add(sb, chunk, (size_t)n) < 0) {
			error_set(err, EX_DATAERR, "'%s': larger than the limit of %zu bytes%s%s",
				  path, sb->max, what ? " for " : "", what ? what : "");
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
