/* alert-fuzzer.c - the alert parser (alert.h) on an e-mail as it may
 * reach 'fpkit alert' and 'pack --alert': alert_parse (GMime, then the
 * text scanner over every text part and forwarded message) and
 * alert_to_json.  The same bytes, made valid UTF-8 as mime.c (mime_alert) makes
 * every text, also go straight to the scanner as plain text and as HTML,
 * which reaches its label and table logic without a MIME envelope.
 *
 * Checked besides crashes: a parse that succeeds gives a blocked IP or
 * at least one listed message (alert.h: else it is no alert). */
#include "config.h"

#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alertscan.h"
#include "error.h"
#include "fuzz.h"
#include "html2text.h"
#include "mime.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mime_global_init();
	return 0;
}

/* The text scanner alone on text[0..len). */
static void
scan(const char *text, size_t len, bool html)
{
	struct error err = ERROR_INIT;
	struct alertscan s;

	if (alertscan_text(&s, text, len, html, "fuzz.txt", &err) == 0)
		alertscan_release(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag diag = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct alert a;
	char *text, *plain;
	size_t plain_len;

	alert_init(&a);
	if (alert_parse(&a, (const char *)data, size, "fuzz.eml", &diag, &err) == 0) {
		json_t *j = alert_to_json(&a);
		char *dump;

		if (a.ip == NULL && a.nr_targets == 0)
			abort();
		dump = json_dumps(j, JSON_COMPACT);
		if (dump == NULL)	/* alert_to_json keeps every string valid */
			abort();
		free(dump);
		json_decref(j);
	}
	alert_release(&a);
	diag_release(&diag);

	text = g_utf8_make_valid((const char *)data, (gssize)size);
	scan(text, strlen(text), false);
	scan(text, strlen(text), true);
	plain = html2text_convert(text, strlen(text), &plain_len);
	free(plain);
	g_free(text);
	return 0;
}
