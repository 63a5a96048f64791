/* mailspec.c - the --mail argument: which kind of store it names, and
 * the scan of it by the module that reads that kind */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "dovecot.h"
#include "error.h"
#include "imapstore.h"
#include "mailspec.h"
#include "xalloc.h"

void
mailspec_release(struct store_spec *spec)
{
	free(spec->user);
	free(spec->mailbox);
	free(spec->config);
	free(spec->url);
	memset(spec, 0, sizeof(*spec));
}

/* "dovecot:USER[/MAILBOX][?config=FILE]" or "dovecot:*[/MAILBOX]...". */
static int
parse_dovecot(const char *arg, struct store_spec *spec, struct error *err)
{
	const char *p = arg + strlen("dovecot:"), *q = strstr(p, "?config="), *slash;
	size_t n = q ? (size_t)(q - p) : strlen(p);

	spec->kind = STORE_SPEC_DOVECOT;
	if (q) {
		if (q[8] == '\0')
			return error_set(err, EX_USAGE, "--mail '%s': ?config= names no file: give "
					 "dovecot:USER?config=/etc/dovecot/dovecot.conf", arg);
		spec->config = xstrdup(q + 8);
	}
	slash = memchr(p, '/', n);
	if (slash) {
		if (slash + 1 == p + n)
			return error_set(err, EX_USAGE, "--mail '%s': no mailbox after the '/': "
					 "give dovecot:USER/MAILBOX, or dovecot:USER for all", arg);
		spec->mailbox = xstrndup(slash + 1, (size_t)(p + n - slash - 1));
		n = (size_t)(slash - p);
	}
	if (n == 0)
		return error_set(err, EX_USAGE, "--mail '%s': no Dovecot user: give "
				 "dovecot:USER[/MAILBOX], or dovecot:* for every user", arg);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x21 || p[i] == 0x7f)
			return error_set(err, EX_USAGE, "--mail '%s': a Dovecot user name holds "
					 "no space or control character", arg);
	if (!(n == 1 && p[0] == '*'))
		spec->user = xstrndup(p, n);
	return 0;
}

int
mailspec_parse(const char *arg, struct store_spec *spec, struct error *err)
{
	int rc = 0;

	memset(spec, 0, sizeof(*spec));
	if (strncmp(arg, "dovecot:", 8) == 0)
		rc = parse_dovecot(arg, spec, err);
	else if (strncasecmp(arg, "imap://", 7) == 0 || strncasecmp(arg, "imaps://", 8) == 0)
		rc = imapstore_check_url(arg, spec, err);
	else
		spec->kind = STORE_SPEC_PATH;
	if (rc < 0)
		mailspec_release(spec);
	return rc;
}

int
mailspec_scan(const char *arg, const struct store_options *opt,
		store_msg_fn fn, void *data, struct error *err)
{
	struct store_spec spec;
	int rc;

	if (mailspec_parse(arg, &spec, err) < 0)
		return -1;
	switch (spec.kind) {
	case STORE_SPEC_DOVECOT:
		rc = dovecot_scan(&spec, opt, fn, data, err);
		break;
	case STORE_SPEC_IMAP:
		rc = imapstore_scan(&spec, opt, fn, data, err);
		break;
	default:
		rc = store_scan(arg, opt, fn, data, err);
		break;
	}
	mailspec_release(&spec);
	return rc;
}

