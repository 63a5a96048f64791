/* origin-fuzzer.c - where a stored message came from (origin.h) on a
 * header block as a stranger's message starts it: the fields kept at
 * scan time, read back by GMime, each Received field cut into its hop,
 * and the trace judged against a fixed blocked IP and sender domain;
 * then the whole input as one Received value.
 *
 * Besides crashes and leaks, it checks what the choice of pack
 * --before-block relies on: the fields kept stay within
 * FPKIT_LIMIT_ORIGIN_FIELDS, a verdict names a hop that exists, every
 * hop has its text, and names are lower case. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fpkit_limits.h"
#include "fuzz.h"
#include "mime.h"
#include "origin.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mime_global_init();
	return 0;
}

static void
check_name(const char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			abort();
}

static void
check_hop(const struct origin_hop *h)
{
	if (h->text == NULL)
		abort();
	check_name(h->from_name);
	check_name(h->from_checked);
	check_name(h->by_name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct origin_domains d;
	struct origin_trace t;
	struct origin_hop h;
	struct origin o;
	size_t len = 0;
	bool cut;
	char *fields, *value;

	fields = origin_excerpt((const char *)data, size, true, &len, &cut);
	if (fields && (len == 0 || len > FPKIT_LIMIT_ORIGIN_FIELDS || fields[len - 1] != '\n'))
		abort();
	origin_domains_init(&d);
	origin_domains_add(&d, "shop.example.com", "the From of <x@shop.example.com>");
	origin_read(&o, fields, len, cut);
	for (size_t i = 0; i < o.nr_hops; i++)
		check_hop(&o.hops[i]);
	origin_trace(&o, "203.0.113.7", &d, &t);
	if (t.verdict != ORIGIN_SILENT && t.hop >= o.nr_hops)
		abort();
	origin_release(&o);
	origin_domains_release(&d);
	free(fields);

	value = malloc(size + 1);
	if (value == NULL)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	origin_hop_parse(&h, value);
	check_hop(&h);
	origin_hop_release(&h);
	free(value);
	return 0;
}
