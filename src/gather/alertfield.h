/* alertfield.h - the words of an alert: the labels of its fields
 * ("Destination IP", "Message-ID", "Spam score" and their French and
 * mangled forms) and the values after them, as the scanner of one text
 * (alertscan.c) reads them */
#ifndef FPKIT_ALERTFIELD_H
#define FPKIT_ALERTFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* What a label announces. */
enum alertfield_kind {
	ALERTFIELD_NONE,
	ALERTFIELD_DEST,	/* the destination IP */
	ALERTFIELD_ID,		/* the Message-ID */
	ALERTFIELD_SCORE,	/* the spam score */
	ALERTFIELD_OTHER,	/* a table's other column ("Date", "#") */
};
/* The highest kind: arrays indexed by kind have ALERTFIELD_NR_KINDS + 1. */
#define ALERTFIELD_NR_KINDS 4

/* Match 'words' (lowercase, one space between words) at b[pos]: each
 * word in any ASCII case, and between two words any run of blanks, '-'
 * and '_' (none too), one line end included.  The match must end a
 * word.  Returns its end, or 0. */
size_t alertfield_words(const char *b, size_t len, size_t pos, const char *words);

/* Does b[pos] start a word (nothing alphanumeric before it)? */
bool alertfield_word_start(const char *b, size_t pos);

/* The longest label at b[pos], its end in *end; the labels that only
 * head a table's column (ALERTFIELD_OTHER among them) only when
 * 'header'.  ALERTFIELD_NONE when none starts there. */
enum alertfield_kind alertfield_label(const char *b, size_t len, size_t pos, bool header,
				      size_t *end);

/* An IPv4 address at b[pos], not inside a longer run of digits and
 * dots, a sentence's full stop dropped: its length (out holds it), or
 * 0. */
size_t alertfield_ipv4_at(const char *b, size_t len, size_t pos, char out[16]);

/* The first IPv4 address in s (new string), or NULL. */
char *alertfield_first_ipv4(const char *s);

/* Is c[0..n) a separator between fields ("-", "|", ";", ",", ":", "/",
 * "*")? */
bool alertfield_is_separator(const char *c, size_t n);

/* The value of kind k after a label ending at b[*pos]: blanks, an
 * optional ':' or '=', blanks, then one run of non-blanks, which may
 * start the next line when the label ends its line; a value cut at the
 * end of a line is joined with the start of the next when it plainly
 * goes on there (at most 8 times; never a score).  *pos moves past what
 * was taken; the value is in v, empty when none. */
void alertfield_collect(const char *b, size_t len, size_t *pos, enum alertfield_kind k,
			struct strbuf *v);

/* A Message-ID value as the alert wrote it, punctuation around it and
 * <> removed (new string); NULL when it says none ("", "-", "N/A",
 * "none", ...) or is longer than 998 bytes. */
char *alertfield_id(const char *s, size_t n);

/* An IPv4 address value ("198.51.100.23", "[198.51.100.23]", ...) (new
 * string), or NULL. */
char *alertfield_ip(const char *s, size_t n);

/* A spam score ("300", "300.0", "(300)", "300/1000", decimals dropped)
 * in *out; false when s is none (11 digits at most). */
bool alertfield_score(const char *s, size_t n, int64_t *out);

#endif
