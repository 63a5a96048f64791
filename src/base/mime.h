/* mime.h - the GMime reader: every message fpkit reads (a sample, a
 * message given to fpkit check) is parsed here once, and described, for
 * people (mime_summary) and for the checks (mime_walk), from that one
 * parse; an alert e-mail's texts are decoded here too (mime_alert), and
 * the fields that say where a stored message came from (mime_origin) */
#ifndef FPKIT_MIME_H
#define FPKIT_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct _GMimeStream;
struct _GMimeParser;
struct _GMimeMessage;
struct mime_walk_warning;

/* GMime's start, done by the first mime_ call that needs it (any thread;
 * calling it again does nothing), and its end, after the last call. */
void mime_global_init(void);
void mime_global_shutdown(void);

/* A message's bytes and their one parse: the stream (which owns the
 * bytes), parser and message, freed together by mime_message_close
 * (notmuch mime-node), and the malformations GMime reported. */
struct mime_message {
	const char *data;	/* the bytes (owned through 'stream'); NULL for
				 * a message read from a file
				 * (mime_message_open_fd) */
	size_t len;
	struct _GMimeStream *stream;
	struct _GMimeParser *parser;
	struct _GMimeMessage *message;	/* NULL: not parsed (see below) */
	bool header_too_large;	/* over FPKIT_LIMIT_HEADER_BLOCK: not given
				 * to GMime */
	struct mime_walk_warning *warnings;
	size_t nr_warnings, alloc_warnings;
};

/* Take 'data' (len bytes from malloc: m owns it from here, m->data points
 * at it until mime_message_close) and parse it once, unless its header
 * block is larger than FPKIT_LIMIT_HEADER_BLOCK (GMime's time and memory
 * grow with it).  Never fails: m->message is NULL when the message was
 * not parsed or GMime found none in it. */
void mime_message_take(struct mime_message *m, char *data, size_t len);
/* The same for a message of len bytes in the file open on fd (read with
 * pread, whatever fd's offset; a copy of fd is kept until
 * mime_message_close), whose first head_len bytes are head[] (the
 * header block, or FPKIT_LIMIT_HEADER_BLOCK + 1 bytes of it): GMime
 * reads the file as a persistent stream, so no part's content is held
 * in memory.  m->data is NULL: the bytes are in the file only. */
void mime_message_open_fd(struct mime_message *m, int fd, size_t len, const char *head,
			  size_t head_len);
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

/* Fill s from a parsed message (m->message not NULL). */
void mime_summarize(const struct mime_message *m, struct mime_summary *s);
void mime_summary_release(struct mime_summary *s);

/* Parse an RFC 5322 Date value (value[0..len), folding allowed; GMime's
 * lenient parser, which also reads the obsolete forms) into epoch
 * seconds; 0, or -1 when GMime cannot read it. */
int mime_parse_date(const char *value, size_t len, int64_t *epoch);

/* A malformation GMime reported through its parser warning callback. */
struct mime_walk_warning {
	int64_t offset;		/* byte offset in the message; -1 when GMime does not say */
	int code;		/* GMimeParserWarning */
	char *item;		/* what it names (a header, a parameter), made
				 * visible; NULL when GMime names nothing */
};

enum mime_walk_kind {
	MIME_WALK_LEAF,
	MIME_WALK_MULTIPART,
	MIME_WALK_MESSAGE,	/* message/rfc822 */
};

struct mime_walk_part {
	char *type;		/* "text/html", lowercased */
	unsigned depth;		/* 0 for the message's own body */
	enum mime_walk_kind kind;
	char *boundary;		/* a multipart's boundary (raw), else NULL */
	bool base64;		/* Content-Transfer-Encoding: base64 */
	int64_t start, end;	/* a leaf's encoded content in the message; -1
				 * when GMime cannot say */
};

/* A top-level header field, unfolded and RFC 2047-decoded by GMime. */
struct mime_walk_field {
	char *name;
	char *value;
};

struct mime_walk {
	bool parsed;		/* GMime found a message; else only warnings */
	struct mime_walk_warning *warnings;
	size_t nr_warnings, alloc_warnings;
	struct mime_walk_part *parts;	/* in document order */
	size_t nr_parts, alloc_parts;
	bool too_many_parts;	/* FPKIT_LIMIT_MIME_PARTS or _DEPTH reached */
	struct mime_walk_field *fields;	/* in order */
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

/* What the checks read of a parsed message (m, borrowed; m->message
 * may be NULL: then w->parsed is false and only GMime's warnings are
 * there).  Everything is new, freed by mime_walk_release. */
struct mime_message;
void mime_walk_message(struct mime_walk *w, const struct mime_message *m);
/* The same for buf[0..len), parsed from a copy (the unit tests'). */
void mime_walk_buffer(struct mime_walk *w, const char *buf, size_t len);
void mime_walk_release(struct mime_walk *w);

/* The value of the first top-level field called name (any case), or
 * NULL (borrowed from w); mime_walk_count gives how many there are. */
const char *mime_walk_field(const struct mime_walk *w, const char *name);
size_t mime_walk_count(const struct mime_walk *w, const char *name);

/* The stable problem id of a GMime warning code ("mime-truncated") and a
 * short sentence saying what it means. */
const char *mime_walk_warning_id(int code);
const char *mime_walk_warning_text(int code);

/* ---- The fields that say where a message came from (origin.c reads
 * them for pack --before-block) */

struct mime_origin {
	char **received;	/* each Received field's raw value, unfolded
				 * (line breaks dropped, nothing decoded),
				 * in the header's order: newest hop first */
	size_t nr_received, alloc_received;
	char *from;		/* the address of the first From mailbox */
	char *return_path;	/* the Return-Path address (none for "<>") */
	char **dkim;		/* each DKIM-Signature's raw value, unfolded */
	size_t nr_dkim, alloc_dkim;
};

/* Read the Received, From, Return-Path and DKIM-Signature fields of
 * buf[0..len), a header block or some of its fields (parsed by GMime
 * from a copy).  At most FPKIT_LIMIT_RECEIVED_HOPS Received and
 * FPKIT_LIMIT_DKIM_SIGNATURES DKIM-Signature fields are kept; a missing
 * field is NULL or none.  Everything is new, freed by
 * mime_origin_release. */
void mime_origin_buffer(struct mime_origin *o, const char *buf, size_t len);
void mime_origin_release(struct mime_origin *o);

/* ---- The texts of an alert e-mail and of the messages forwarded inside
 * it (message/rfc822), decoded to UTF-8, for the alert parser (alert.c) */

/* One message: the file's own (the first) or one forwarded inside it. */
struct mime_alert_msg {
	unsigned depth;		/* MIME nesting depth: 0 for the file's own */
	char *subject;		/* decoded to UTF-8, NULL when absent */
	bool has_date;
	int64_t date;		/* its Date header, epoch seconds */
};

/* One text/plain or text/html part, transfer-decoded and converted to
 * UTF-8 from its charset (or, without a usable one, from the charset an
 * HTML <meta> names, else from windows-1252 when it is not UTF-8); never
 * invalid UTF-8 (bad bytes become U+FFFD). */
struct mime_alert_text {
	size_t msg;		/* index in msgs of the message it belongs to */
	bool html;
	char *text;		/* NUL-terminated, but NUL bytes of the part are
				 * kept: len is its length */
	size_t len;
};

struct mime_alert {
	struct mime_alert_msg *msgs;	/* in document order, the file's own first */
	size_t nr_msgs, alloc_msgs;
	struct mime_alert_text *texts;	/* in document order */
	size_t nr_texts, alloc_texts;
	bool cut;		/* FPKIT_LIMIT_ALERT_PARTS or _DEPTH reached */
};

/* Walk the message in buf[0..len) (a copy is taken).  Returns 0, or -1
 * when GMime finds no message in it.  Everything is new, freed by
 * mime_alert_release. */
int mime_alert_buffer(struct mime_alert *a, const char *buf, size_t len);
void mime_alert_release(struct mime_alert *a);

/* The version of GMime fpkit was built with (*built) and runs with
 * (*running), for fpkit --version; static strings. */
void mime_library_version(const char **built, const char **running);

#endif
