/* ovhconf-fuzzer.c - the ovh.conf reader (ovhconf.h): the input is
 * written to a file given as --config, the only file read (no default
 * paths, no OVH_* variable), and ovhconf_resolve finds the endpoint and
 * the credentials in it.
 *
 * Checked besides crashes: no credential reaches a message.  A value of
 * application_key, application_secret or consumer_key that is a run of
 * at least 12 letters and digits, found only once in the input, must
 * appear in neither the error nor a warning. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "fuzz.h"
#include "ovhconf.h"

#define FUZZ_MIN_SECRET 12

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const vars[] = {
		"OVH_ENDPOINT", "OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET",
		"OVH_CONSUMER_KEY", "OVH_CLIENT_ID", "OVH_CLIENT_SECRET",
	};

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	return 0;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The input holds needle[0..n) once only. */
static bool
once(const char *buf, size_t len, const char *needle, size_t n)
{
	const char *hit = memmem(buf, len, needle, n);

	return hit && memmem(hit + 1, len - (size_t)(hit + 1 - buf), needle, n) == NULL;
}

/* Abort when a credential of the input shows in s. */
static void
check_secrets(const char *buf, size_t len, const char *s)
{
	static const char *const keys[] = { "application_key", "application_secret",
					    "consumer_key" };
	const char *end = buf + len;

	for (const char *line = buf; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line)), *p = line, *v;

		if (eol == NULL)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k]);
			const char *q = p + kl;

			if ((size_t)(eol - p) <= kl || strncasecmp(p, keys[k], kl) != 0)
				continue;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q == eol || (*q != '=' && *q != ':'))
				continue;
			for (q++; q < eol && (*q == ' ' || *q == '\t'); q++)
				;
			for (v = q; v < eol && is_alnum(*v); v++)
				;
			if (v - q >= FUZZ_MIN_SECRET && once(buf, len, q, (size_t)(v - q)) &&
			    memmem(s, strlen(s), q, (size_t)(v - q)) != NULL)
				abort();
		}
		line = eol + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const no_paths[1] = { NULL };
	struct diag diag = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct ovhconf_source src;
	struct fuzz_file file;
	struct ovhconf conf;

	if (fuzz_file_init(&file, data, size) < 0)
		return 0;
	memset(&src, 0, sizeof(src));
	src.config = file.path;
	src.paths = no_paths;	/* not NULL: the default files stay out */
	src.nr_paths = 0;
	if (ovhconf_resolve(&conf, &src, &diag, &err) == 0) {
		if (conf.base_url == NULL || conf.application_key == NULL ||
		    conf.application_secret == NULL || conf.consumer_key == NULL)
			abort();
		ovhconf_release(&conf);
	} else {
		check_secrets((const char *)data, size, err.msg);
	}
	for (size_t i = 0; i < diag.nr; i++)
		check_secrets((const char *)data, size, diag.items[i]);
	diag_release(&diag);
	fuzz_file_release(&file);
	return 0;
}
