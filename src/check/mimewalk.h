/* mimewalk.h - GMime, second module: one message parsed from memory for
 * the checks, with every malformation GMime noticed, its MIME tree and
 * its decoded text */
#ifndef FPKIT_MIMEWALK_H
#define FPKIT_MIMEWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A malformation GMime reported through its parser warning callback. */
struct mimewalk_warning {
	int64_t offset;		/* byte offset in the message; -1 when GMime does not say */
	int code;		/* GMimeParserWarning */
	char *item;		/* what it names (a header, a parameter), made
				 * visible; NULL when GMime names nothing */
};

enum mimewalk_kind {
	MIMEWALK_LEAF,
	MIMEWALK_MULTIPART,
	MIMEWALK_MESSAGE,	/* message/rfc822 */
};

struct mimewalk_part {
	char *type;		/* "text/html", lowercased */
	unsigned depth;		/* 0 for the message's own body */
	enum mimewalk_kind kind;
	char *boundary;		/* a multipart's boundary (raw), else NULL */
	bool base64;		/* Content-Transfer-Encoding: base64 */
	int64_t start, end;	/* a leaf's encoded content in the message; -1
				 * when GMime cannot say */
};

/* A top-level header field, unfolded and RFC 2047-decoded by GMime. */
struct mimewalk_field {
	char *name;
	char *value;
};

struct mimewalk {
	bool parsed;		/* GMime found a message; else only warnings */
	struct mimewalk_warning *warnings;
	size_t nr_warnings, alloc_warnings;
	struct mimewalk_part *parts;	/* in document order */
	size_t nr_parts, alloc_parts;
	bool too_many_parts;	/* FPKIT_LIMIT_MIME_PARTS or _DEPTH reached */
	struct mimewalk_field *fields;	/* in order */
	size_t nr_fields, alloc_fields;
	char *subject;		/* decoded UTF-8, NULL when absent */
	char *from_addr;	/* first From mailbox's address, NULL when none */
	size_t nr_recipients;	/* addresses in To and Cc */
	char *text;		/* text/plain parts, decoded, concatenated */
	size_t text_len;
	char *html;		/* text/html parts, decoded, concatenated */
	size_t html_len;
	bool text_cut;		/* FPKIT_LIMIT_MIME_TEXT reached */
};

/* Parse buf[0..len) (a copy is taken).  Never fails: a buffer GMime
 * cannot read gives w->parsed false.  Everything is new, freed by
 * mimewalk_release. */
void mimewalk_buffer(struct mimewalk *w, const char *buf, size_t len);
void mimewalk_release(struct mimewalk *w);

/* The value of the first top-level field called name (any case), or
 * NULL (borrowed from w); mimewalk_count gives how many there are. */
const char *mimewalk_field(const struct mimewalk *w, const char *name);
size_t mimewalk_count(const struct mimewalk *w, const char *name);

/* The stable problem id of a GMime warning code ("mime-truncated") and a
 * short sentence saying what it means. */
const char *mimewalk_warning_id(int code);
const char *mimewalk_warning_text(int code);

/* Parse an RFC 5322 date (GMime's lenient parser, which also reads the
 * obsolete forms) into seconds since the epoch.  Returns 0, or -1 when
 * GMime cannot read it. */
int mimewalk_parse_date(const char *value, int64_t *epoch);

#endif
