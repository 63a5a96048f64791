/* msgid.h - a message's own Message-ID, read from its header block */
#ifndef FPKIT_MSGID_H
#define FPKIT_MSGID_H

#include <stdbool.h>
#include <stddef.h>

/* The canonical form of a Message-ID value, used to compare the API's ids
 * with the headers' (new string, free() it; NULL when nothing is left):
 * folding (CR, LF) removed, comments and white space outside quoted
 * strings removed, the part between the first '<' and the next '>'
 * outside quotes taken when there are brackets, and the domain (after the last '@') lowered,
 * since RFC 5322 ids compare their right side case-insensitively. */
char *msgid_normalize(const char *value, size_t len);

/* The same without lowering the domain: the id as its writer spelled it,
 * for showing it to people (new string; NULL when nothing is left). */
char *msgid_strip(const char *value, size_t len);

/* How a Message-ID field's value is written (RFC 5322 3.6.4 and 4.5.4). */
enum msgid_form {
	MSGID_FORM_STRICT,	/* [CFWS] "<" dot-atom-text "@" (dot-atom-text /
				 * no-fold-literal) ">" [CFWS] */
	MSGID_FORM_OBSOLETE,	/* valid only by section 4: CFWS inside the
				 * brackets, a quoted-string or obs-local-part
				 * on the left, a domain-literal or obs-domain
				 * on the right */
	MSGID_FORM_MALFORMED,	/* neither */
};

/* Which form value[0..len) (a raw field value, folding included) has.
 * UTF-8 counts as atext (RFC 6532 3.2). */
enum msgid_form msgid_form(const char *value, size_t len);

/* Length of the header block at the start of buf: up to and including the
 * empty line that ends it.  When buf holds no empty line, returns len and
 * sets *complete to false. */
size_t msgid_header_end(const char *buf, size_t len, bool *complete);

/* Iterate over the Message-ID fields of a header block (field name in
 * any case, white space allowed before the colon).  *pos starts at 0.
 * Each call that returns true points *value and *vlen at one field's raw value
 * (folding included, borrowed from hdr).  Other fields that merely carry
 * an id (Resent-Message-ID, References, In-Reply-To) never match. */
bool msgid_next_field(const char *hdr, size_t len, size_t *pos,
		      const char **value, size_t *vlen);

/* The same for any field 'name', given in lower case (the header's
 * field names may be in any case): msgid_next_field is this with
 * "message-id". */
bool msgid_header_field(const char *hdr, size_t len, const char *name, size_t *pos,
			const char **value, size_t *vlen);

#endif
