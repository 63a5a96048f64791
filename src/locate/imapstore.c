/* imapstore.c - IMAP mailboxes through libcurl */
#include "config.h"

#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "imapstore.h"
#include "xalloc.h"

int
imapstore_check_url(const char *url, struct store_spec *spec, struct error *err)
{
	spec->kind = STORE_SPEC_IMAP;
	spec->url = xstrdup(url);
	(void)err;
	return 0;
}

int
imapstore_scan(const struct store_spec *spec, const struct store_options *opt,
	       store_msg_fn fn, void *data, struct error *err)
{
	(void)spec; (void)opt; (void)fn; (void)data;
	return error_set(err, EX_UNAVAILABLE, "IMAP: not yet");
}
