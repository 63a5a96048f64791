/* strbuf.h - growable byte buffer with a size cap, for everything that
 * comes from outside (git strbuf invariants, curl dynbuf 'toobig') */
#ifndef FPKIT_STRBUF_H
#define FPKIT_STRBUF_H

#include <stddef.h>

struct error;

/* buf is always NUL-terminated (a valid "" right after init), len excludes
 * the NUL, and len never exceeds max.  An add that would pass max frees the
 * buffer, leaves it empty and returns -1: a caller cannot go on with half
 * of an oversized input by mistake. */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;		/* cap on len; SIZE_MAX for none */
};

#define STRBUF_NO_MAX ((size_t)-1)

void strbuf_init(struct strbuf *sb, size_t max);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);

int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Hand the buffer to the caller (new, free() it); sb is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/* Replace sb's content with the whole of file 'path'.  Fails with
 * EX_NOINPUT when it cannot be opened, EX_IOERR on a read error and
 * EX_DATAERR when it is larger than sb->max; the message names the file,
 * and for the last the limit and what the file is ('what', e.g. "an API
 * document"; NULL: not said). */
int strbuf_read_file(struct strbuf *sb, const char *path, const char *what,
		     struct error *err);

#endif
