/* template-fuzzer.c - the ticket template renderer (template.h) and the
 * layout of its text (wrap.h): the input is the template ('pack
 * --template' reads it from the user, who may have it from anyone),
 * rendered against one fixed context shaped like ticket_context's, with
 * the limits 'pack' uses, then laid out as the ticket is.
 *
 * Checked besides crashes: a render that succeeds stays within the
 * output limit and says how long it is; its layout ends with one newline
 * (or is empty), has no two blank lines in a row, and grows it by a
 * bounded factor. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fpkit_limits.h"
#include "fuzz.h"
#include "template.h"
#include "wrap.h"

/* Every JSON type, arrays of objects and of scalars, nested objects,
 * empty and false values: what a summary.json gives the ticket. */
static const char context_json[] =
	"{\"ip\": \"203.0.113.7\", \"block\": \"203.0.113.0/24\","
	" \"blocked_at_utc\": \"2026-11-20 13:32:07 UTC\", \"block_seconds\": 86400,"
	" \"block_duration\": \"1 day\", \"state\": \"blockedForSpam\","
	" \"state_blocked\": true, \"state_unblocking\": false, \"state_unblocked\": false,"
	" \"nr_targets\": 3, \"nr_found\": 2, \"nr_missing\": 1, \"has_missing\": true,"
	" \"nr_samples\": 2, \"nr_before_block\": 0, \"has_api\": true, \"score\": 1.5,"
	" \"empty\": \"\", \"zero\": 0, \"none\": null, \"nothing\": [], \"obj\": {},"
	" \"targets\": ["
	"  {\"message_id\": \"a@example.com\", \"destination_ip\": \"198.51.100.1\","
	"   \"spamscore\": 300, \"date_utc\": \"2026-11-20 13:00:00 UTC\", \"found\": true,"
	"   \"files\": \"samples/01.eml\"},"
	"  {\"message_id\": \"b@example.com\", \"destination_ip\": \"198.51.100.2\","
	"   \"spamscore\": 120, \"found\": false, \"files\": \"\"},"
	"  {\"message_id\": null, \"destination_ip\": null, \"spamscore\": null, \"found\": false}],"
	" \"before_block\": [], \"searched\": [\"/var/mail\", \"~/Maildir\"],"
	" \"samples\": ["
	"  {\"file\": \"samples/01.eml\", \"checks\": {\"intact\": true, \"dkim\": {\"result\": \"pass\"}},"
	"   \"intact\": true, \"dkim_text\": [\"valid signature of example.com\"], \"lint_text\": []},"
	"  {\"file\": \"samples/02.eml\", \"checks\": {\"intact\": false}, \"intact\": false,"
	"   \"problems_text\": [\"A mail client saved this copy again.\", \"  - x:  y  \"],"
	"   \"dkim_checked\": false}],"
	" \"nest\": {\"a\": {\"b\": {\"c\": [1, 2, 3]}}}}";

/* Built once, read by every run: template_render never changes it. */
static json_t *context;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_error_t jerr;

	(void)argc;
	(void)argv;
	context = json_loads(context_json, 0, &jerr);
	if (context == NULL) {
		fprintf(stderr, "template-fuzzer: bad context: %s\n", jerr.text);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = ERROR_INIT;
	char *tpl, *out = NULL;
	size_t out_len = 0;

	/* template_render wants the NUL after the template (template.h). */
	tpl = malloc(size + 1);
	if (tpl == NULL)
		return 0;
	memcpy(tpl, data, size);
	tpl[size] = '\0';
	if (template_render(tpl, size, "fuzz.mustache", context, FPKIT_LIMIT_TEMPLATE_OUTPUT,
			    &out, &out_len, &err) == 0) {
		char *laid;
		size_t laid_len;

		if (out == NULL || out_len > FPKIT_LIMIT_TEMPLATE_OUTPUT || strlen(out) > out_len)
			abort();
		laid = wrap_text(out, out_len, WRAP_WIDTH, &laid_len);
		if (strlen(laid) != laid_len || laid_len > 2 * out_len + 1 ||
		    (laid_len > 0 && laid[laid_len - 1] != '\n') || strstr(laid, "\n\n\n") ||
		    laid[0] == '\n')
			abort();
		free(laid);
	} else if (out != NULL || err.status == 0) {
		abort();
	}
	free(out);
	free(tpl);
	return 0;
}
