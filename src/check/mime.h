/* mime.h - GMime: parsing a message that was found, to describe it */
#ifndef FPKIT_MIME_H
#define FPKIT_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct _GMimeStream;
struct _GMimeParser;
struct _GMimeMessage;

/* Once per process, before any other mime_ call / after the last. */
void mime_global_init(void);
void mime_global_shutdown(void);

/* A parsed message: its stream, parser and message, freed together by
 * mime_message_close (notmuch mime-node). */
struct mime_message {
	struct _GMimeStream *stream;
	struct _GMimeParser *parser;
	struct _GMimeMessage *message;
};

/* Parse 'length' bytes of 'path' from 'offset'.  EX_NOINPUT when the file
 * cannot be opened, EX_DATAERR when GMime finds no message in it or its
 * header block is larger than FPKIT_LIMIT_HEADER_BLOCK (not parsed). */
int mime_message_open(struct mime_message *m, const char *path, int64_t offset,
		      int64_t length, struct error *err);
/* Parse a message held in memory (borrowed: data must outlive m);
 * EX_DATAERR as above. */
int mime_message_open_mem(struct mime_message *m, const char *data, size_t len,
			  const char *name, struct error *err);
void mime_message_close(struct mime_message *m);

/* What a person wants to see of a message, decoded (RFC 2047) to UTF-8
 * and made safe to print (textsafe_visible).  Strings are new, freed by
 * mime_summary_release; a missing header is NULL. */
struct mime_summary {
	char *from;
	char *to;
	char *subject;
	char *date;		/* as written */
	bool has_date;		/* date parsed */
	int64_t date_epoch;
	char *message_id;	/* as GMime reads it, without <> */
	unsigned nr_parts;	/* MIME leaf parts */
};

void mime_summarize(const struct mime_message *m, struct mime_summary *s);

/* Parse an RFC 5322 Date value (value[0..len), folding allowed) into
 * epoch seconds; 0, or -1 when GMime cannot read it. */
int mime_parse_date(const char *value, size_t len, int64_t *epoch);
void mime_summary_release(struct mime_summary *s);

#endif
