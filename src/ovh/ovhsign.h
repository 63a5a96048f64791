/* ovhsign.h - the OVH API's request signature and the URL encoding it
 * is computed over (ovh-api.md section 1) */
#ifndef FPKIT_OVHSIGN_H
#define FPKIT_OVHSIGN_H

#include <stddef.h>
#include <stdint.h>

/* "$1$", 40 lowercase hex digits and a NUL. */
#define OVHSIGN_SIZE 44

/* Write into out the X-Ovh-Signature of one request: "$1$" and the
 * SHA-1 of AS+"+"+CK+"+"+METHOD+"+"+URL+"+"+BODY+"+"+TIMESTAMP, where URL
 * is the absolute URL exactly as requested (encoded path and query),
 * BODY the bytes sent (len 0: none) and TIMESTAMP the decimal 'ts'.  The
 * secrets are fed to the digest piece by piece and never copied into a
 * buffer of this module.  Returns out. */
char *ovhsign_signature(const char *application_secret, const char *consumer_key,
			const char *method, const char *url, const char *body,
			size_t body_len, int64_t ts, char out[OVHSIGN_SIZE]);

/* A new string (free() it): s with every byte other than ASCII letters,
 * digits and "-._~" written as %XX (upper-case hex), for one segment of
 * a path: the '/' of a block becomes %2F and the ':' of IPv6 %3A. */
char *ovhsign_escape_path(const char *s);

/* A new string: s encoded as Python's urlencode() encodes a query value
 * (quote_plus): the same as ovhsign_escape_path, but a space becomes
 * '+'.  So ':' is %3A, '+' is %2B and '/' is %2F. */
char *ovhsign_escape_query(const char *s);

/* Append "KEY=VALUE" to the path or URL *url (new, reallocated), after
 * '?' when it has no query yet and '&' otherwise; both are encoded with
 * ovhsign_escape_query. */
void ovhsign_query_add(char **url, const char *key, const char *value);

#endif
