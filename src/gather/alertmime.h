/* alertmime.h - GMime, third module: the texts of an e-mail and of the
 * messages forwarded inside it (message/rfc822), decoded to UTF-8, for
 * the alert parser (alert.c) */
#ifndef FPKIT_ALERTMIME_H
#define FPKIT_ALERTMIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One message: the file's own (the first) or one forwarded inside it. */
struct alertmime_msg {
	unsigned depth;		/* MIME nesting depth: 0 for the file's own */
	char *subject;		/* decoded to UTF-8, NULL when absent */
	bool has_date;
	int64_t date;		/* its Date header, epoch seconds */
};

/* One text/plain or text/html part, transfer-decoded and converted to
 * UTF-8 from its charset (or, without a usable one, from the charset an
 * HTML <meta> names, else from windows-1252 when it is not UTF-8); never
 * invalid UTF-8 (bad bytes become U+FFFD). */
struct alertmime_text {
	size_t msg;		/* index in msgs of the message it belongs to */
	bool html;
	char *text;		/* NUL-terminated, but NUL bytes of the part are
				 * kept: len is its length */
	size_t len;
};

struct alertmime {
	struct alertmime_msg *msgs;	/* in document order, the file's own first */
	size_t nr_msgs, alloc_msgs;
	struct alertmime_text *texts;	/* in document order */
	size_t nr_texts, alloc_texts;
	bool cut;		/* FPKIT_LIMIT_ALERT_PARTS or _DEPTH reached */
};

/* Walk the message in buf[0..len) (a copy is taken).  Returns 0, or -1
 * when GMime finds no message in it.  Everything is new, freed by
 * alertmime_release. */
int alertmime_buffer(struct alertmime *a, const char *buf, size_t len);
void alertmime_release(struct alertmime *a);

#endif
