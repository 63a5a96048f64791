/* ovhsign.c - the OVH API's request signature (SHA-1 through GLib's
 * GChecksum) and the URL encoding it is computed over
 *
 * The server checks the signature against the URL as it receives it,
 * still encoded: whatever is sent must be what was signed.  None of the
 * official clients encodes path parameters; fpkit does, as the API's own
 * console does (encodeURIComponent), since a block's '/' must travel as
 * %2F. */
#include "config.h"

#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovhsign.h"
#include "xalloc.h"

static void
feed(GChecksum *cs, const void *data, size_t len)
{
	const unsigned char *p = data;

	/* g_checksum_update takes a gssize. */
	while (len > 0) {
		size_t n = len > (1u << 30) ? (1u << 30) : len;

		g_checksum_update(cs, p, (gssize)n);
		p += n;
		len -= n;
	}
}

static void
feed_str(GChecksum *cs, const char *s)
{
	feed(cs, s, strlen(s));
}

char *
ovhsign_signature(const char *application_secret, const char *consumer_key,
		  const char *method, const char *url, const char *body,
		  size_t body_len, int64_t ts, char out[OVHSIGN_SIZE])
{
	GChecksum *cs = g_checksum_new(G_CHECKSUM_SHA1);
	char stamp[32];

	snprintf(stamp, sizeof(stamp), "%" PRId64, ts);
	feed_str(cs, application_secret);
	feed_str(cs, "+");
	feed_str(cs, consumer_key);
	feed_str(cs, "+");
	feed_str(cs, method);
	feed_str(cs, "+");
	feed_str(cs, url);
	feed_str(cs, "+");
	if (body_len)
		feed(cs, body, body_len);
	feed_str(cs, "+");
	feed_str(cs, stamp);
	memcpy(out, "$1$", 3);
	g_strlcpy(out + 3, g_checksum_get_string(cs), OVHSIGN_SIZE - 3);
	g_checksum_free(cs);
	return out;
}

/* RFC 3986 unreserved characters: what Python's quote() never encodes. */
static bool
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

static char *
escape(const char *s, bool plus_for_space)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1), *p = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (unreserved(c)) {
			*p++ = (char)c;
		} else if (c == ' ' && plus_for_space) {
			*p++ = '+';
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

char *
ovhsign_escape_path(const char *s)
{
	return escape(s, false);
}

char *
ovhsign_escape_query(const char *s)
{
	return escape(s, true);
}

void
ovhsign_query_add(char **url, const char *key, const char *value)
{
	char *k = ovhsign_escape_query(key), *v = ovhsign_escape_query(value);
	char *next = xasprintf("%s%c%s=%s", *url, strchr(*url, '?') ? '&' : '?', k, v);

	free(k);
	free(v);
	free(*url);
	*url = next;
}
