/* report-fuzzer.c - the pages (reporthtml.h) from a stranger's bundle or
 * archive index: the input as summary.json (an object: REPORT.html, with
 * the input again as the ticket) or as the index's events (an array:
 * index.html), in both languages.
 *
 * Besides crashes, it checks what the pages promise: every '<' opens one
 * of the page's own tags (so no text became markup), no <script>, no
 * event attribute, no control byte but newline, and the same input gives
 * the same bytes. */
#include "config.h"

#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "reporthtml.h"

/* The tags the pages are made of. */
static const char *const tags[] = {
	"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
	"dl", "dt", "dd", "p", "details", "summary", "table", "tr", "th", "td", "ul", "li",
	"span", "br", "a", "pre", "footer", "svg", "rect", "line", "text", "g", "circle",
};

static bool
own_tag(const char *p, size_t left)
{
	size_t skip = left > 1 && p[1] == '/' ? 2 : 1;

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t n = strlen(tags[i]);

		if (left >= skip + n + 1 && memcmp(p + skip, tags[i], n) == 0 &&
		    (p[skip + n] == '>' || p[skip + n] == ' ' || p[skip + n] == '/'))
			return true;
	}
	return false;
}

static void
check_page(const char *page, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)page[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			abort();
		if (c == '<' && !own_tag(page + i, len - i))
			abort();
		/* An attribute named on... in one of our tags. */
		if (c == ' ' && i + 3 < len && page[i + 1] == 'o' && page[i + 2] == 'n' &&
		    isalpha((unsigned char)page[i + 3])) {
			size_t k = i + 3;

			while (k < len && isalpha((unsigned char)page[k]))
				k++;
			if (k < len && page[k] == '=') {
				/* Inside a tag? Look back for '<' before '>'. */
				for (size_t b = i; b-- > 0;) {
					if (page[b] == '>')
						break;
					if (page[b] == '<')
						abort();
				}
			}
		}
	}
	if (memmem(page, len, "<script", 7))
		abort();
}

static void
both(json_t *j, const char *data, size_t size, const char *lang)
{
	char *a, *b;
	size_t alen, blen;

	if (json_is_object(j)) {
		a = reporthtml_bundle(j, data, size, "fpkit-192.0.2.1-20261120T133207Z.tar.gz", lang,
				      &alen);
		b = reporthtml_bundle(j, data, size, "fpkit-192.0.2.1-20261120T133207Z.tar.gz", lang,
				      &blen);
	} else {
		a = reporthtml_index(j, lang, &alen);
		b = reporthtml_index(j, lang, &blen);
	}
	check_page(a, alen);
	if (alen != blen || memcmp(a, b, alen) != 0)
		abort();
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	json_t *arr;

	if (j == NULL) {
		/* Not JSON: as a ticket, beside an empty summary. */
		j = json_object();
		both(j, (const char *)data, size, "en");
	} else if (json_is_object(j) || json_is_array(j)) {
		both(j, (const char *)data, size, "en");
		both(j, (const char *)data, size, "fr");
		/* An object is also one line of an index. */
		if (json_is_object(j)) {
			arr = json_pack("[O]", j);
			both(arr, NULL, 0, "en");
			json_decref(arr);
		}
	}
	json_decref(j);
	return 0;
}
