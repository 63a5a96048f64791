/* msgid-fuzzer.c - the Message-ID header scanner (msgid.h) on a header
 * block as a stranger's message starts it: the end of the block, every
 * Message-ID field (and Date, as the finder reads it), each value made
 * canonical and stripped; then the whole input as one field value.
 *
 * Besides crashes, it checks what the finder relies on: every offset
 * stays inside the input, the iteration always moves forward, and
 * msgid_normalize differs from msgid_strip only by case. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "msgid.h"

/* The two forms of one value agree (both NULL, or the same bytes but
 * for the domain's case). */
static void
check_value(const char *value, size_t vlen)
{
	char *canon = msgid_normalize(value, vlen);
	char *shown = msgid_strip(value, vlen);

	if ((canon == NULL) != (shown == NULL))
		abort();
	if (canon && (strlen(canon) != strlen(shown) || strcasecmp(canon, shown) != 0))
		abort();
	free(canon);
	free(shown);
}

/* Every field 'name' of hdr[0..len), as msgid_header_field walks them. */
static void
walk_fields(const char *hdr, size_t len, const char *name)
{
	const char *value;
	size_t vlen, pos = 0, last = 0;

	while (msgid_header_field(hdr, len, name, &pos, &value, &vlen)) {
		if (value < hdr || vlen > len || value + vlen > hdr + len)
			abort();
		if (pos <= last || pos > len)	/* no progress: a loop */
			abort();
		last = pos;
		check_value(value, vlen);
	}
	if (pos != len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	bool complete;
	size_t end = msgid_header_end(buf, size, &complete);

	if (end > size || (!complete && end != size))
		abort();
	walk_fields(buf, end, "message-id");
	walk_fields(buf, end, "date");
	check_value(buf, size);
	return 0;
}
