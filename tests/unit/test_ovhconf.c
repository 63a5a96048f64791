/* test_ovhconf.c - unit tests for ovhconf.h: where the endpoint and the
 * credentials come from (environment, ovh.conf files in order, --config
 * last), URL endpoints, the permission warning and the errors, which
 * never show a credential */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "fpkit_limits.h"
#include "ovh.h"
#include "ovhconf.h"

/* Values no message may ever show. */
#define AK1 "ak1SecretValueAAAA"
#define AS1 "as1SecretValueBBBB"
#define CK1 "ck1SecretValueCCCC"
#define AK2 "ak2SecretValueDDDD"
#define AS2 "as2SecretValueEEEE"
#define CK2 "ck2SecretValueFFFF"

static const char *const vars[] = {
	"OVH_ENDPOINT", "OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET",
	"OVH_CONSUMER_KEY", "OVH_CLIENT_ID", "OVH_CLIENT_SECRET",
};

struct fixture {
	char dir[64];
	char *paths[4];
	size_t nr;
	struct ovhconf conf;
	struct diag diag;
	struct error err;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/fpkit-ovhconf.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd;

	ovhconf_release(&f->conf);
	diag_release(&f->diag);
	for (size_t i = 0; i < f->nr; i++)
		free(f->paths[i]);
	if (asprintf(&cmd, "rm -rf '%s'", f->dir) > 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", f->dir);
		free(cmd);
	}
	free(f);
	return 0;
}

/* Write dir/name with content and mode; returns the path (owned by f). */
static const char *
put(struct fixture *f, const char *name, const char *content, mode_t mode)
{
	char *path;
	FILE *fp;

	assert_true(asprintf(&path, "%s/%s", f->dir, name) > 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
	assert_true(f->nr < 4);
	f->paths[f->nr++] = path;
	return path;
}

/* Resolve with the files written so far (in order) as the ovh.conf list. */
static int
resolve(struct fixture *f, const char *endpoint, const char *config)
{
	struct ovhconf_source src = { endpoint, config, (const char *const *)f->paths, f->nr, NULL,
				      false, ovh_check_endpoint, false };

	ovhconf_release(&f->conf);
	diag_release(&f->diag);
	memset(&f->err, 0, sizeof(f->err));
	/* A --config file is put() too: leave it out of the list. */
	if (config && f->nr && strcmp(f->paths[f->nr - 1], config) == 0)
		src.nr_paths--;
	return ovhconf_resolve(&f->conf, &src, &f->diag, &f->err);
}

static void
assert_no_secret(const char *text)
{
	static const char *const secrets[] = { AK1, AS1, CK1, AK2, AS2, CK2 };

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strcasestr(text, secrets[i]))
			fail_msg("a credential in a message: '%s'", text);
}

/* An error with this status whose message holds 'part'. */
static void
assert_error(struct fixture *f, int rc, int status, const char *part)
{
	assert_int_equal(rc, -1);
	assert_int_equal(f->err.status, status);
	if (strstr(f->err.msg, part) == NULL)
		fail_msg("'%s' not in '%s'", part, f->err.msg);
	assert_no_secret(f->err.msg);
	assert_null(f->conf.application_secret);
}

#define SECTION1 "[ovh-eu]\napplication_key = " AK1 "\napplication_secret = " AS1 \
	"\nconsumer_key = " CK1 "\n"
#define SECTION2 "[ovh-eu]\napplication_key = " AK2 "\napplication_secret = " AS2 \
	"\nconsumer_key = " CK2 "\n"

static void
test_file_default_endpoint(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", "# comment\n; another\n\n" SECTION1, 0600);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.endpoint, "ovh-eu");
	assert_string_equal(f->conf.base_url, "https://eu.api.ovh.com/1.0");
	assert_string_equal(f->conf.application_key, AK1);
	assert_string_equal(f->conf.application_secret, AS1);
	assert_string_equal(f->conf.consumer_key, CK1);
	assert_int_equal(f->diag.nr, 0);
}

static void
test_env_over_files(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", SECTION1, 0600);
	setenv("OVH_APPLICATION_KEY", AK2, 1);
	setenv("OVH_APPLICATION_SECRET", AS2, 1);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.application_key, AK2);
	assert_string_equal(f->conf.application_secret, AS2);
	assert_string_equal(f->conf.consumer_key, CK1);
	/* Empty counts as unset (go-ovh). */
	setenv("OVH_APPLICATION_KEY", "", 1);
	setenv("OVH_APPLICATION_SECRET", "", 1);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.application_key, AK1);
}

static void
test_env_only(void **state)
{
	struct fixture *f = *state;

	setenv("OVH_ENDPOINT", "http://127.0.0.1:8080/1.0/", 1);
	setenv("OVH_APPLICATION_KEY", AK1, 1);
	setenv("OVH_APPLICATION_SECRET", AS1, 1);
	setenv("OVH_CONSUMER_KEY", CK1, 1);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.endpoint, "http://127.0.0.1:8080/1.0/");
	assert_string_equal(f->conf.base_url, "http://127.0.0.1:8080/1.0");
	assert_string_equal(f->conf.consumer_key, CK1);
}

/* Later files win key by key; --config comes last of all files. */
static void
test_file_order_and_config(void **state)
{
	struct fixture *f = *state;
	const char *cfg;

	put(f, "etc.conf", SECTION1, 0600);
	put(f, "home.conf", "[ovh-eu]\nconsumer_key = " CK2 "\n", 0600);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.application_key, AK1);
	assert_string_equal(f->conf.consumer_key, CK2);
	cfg = put(f, "explicit.conf", "[ovh-eu]\napplication_key = " AK2 "\n"
		  "application_secret = " AS2 "\n", 0600);
	assert_int_equal(resolve(f, NULL, cfg), 0);
	assert_string_equal(f->conf.application_key, AK2);
	assert_string_equal(f->conf.application_secret, AS2);
	assert_string_equal(f->conf.consumer_key, CK2);
	/* The environment still wins over --config. */
	setenv("OVH_APPLICATION_KEY", AK1, 1);
	assert_int_equal(resolve(f, NULL, cfg), 0);
	assert_string_equal(f->conf.application_key, AK1);
}

/* --endpoint > OVH_ENDPOINT > [default] endpoint > ovh-eu, and the
 * credentials come from the section of the endpoint chosen. */
static void
test_endpoint_precedence(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", "[default]\nendpoint = ovh-ca\n"
	    "[ovh-ca]\napplication_key = " AK1 "\napplication_secret = " AS1
	    "\nconsumer_key = " CK1 "\n"
	    "[ks-eu]\napplication_key = " AK2 "\napplication_secret = " AS2
	    "\nconsumer_key = " CK2 "\n", 0600);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.endpoint, "ovh-ca");
	assert_string_equal(f->conf.base_url, "https://ca.api.ovh.com/1.0");
	assert_string_equal(f->conf.application_key, AK1);
	setenv("OVH_ENDPOINT", "ks-eu", 1);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.base_url, "https://eu.api.kimsufi.com/1.0");
	assert_string_equal(f->conf.application_key, AK2);
	assert_int_equal(resolve(f, "ovh-ca", NULL), 0);
	assert_string_equal(f->conf.endpoint, "ovh-ca");
	assert_string_equal(f->conf.application_key, AK1);
}

static void
test_endpoint_names(void **state)
{
	(void)state;
	assert_string_equal(ovhconf_endpoint_url("ovh-us"), "https://api.us.ovhcloud.com/1.0");
	assert_string_equal(ovhconf_endpoint_url("sys-ca"), "https://ca.api.soyoustart.com/1.0");
	assert_string_equal(ovhconf_endpoint_url("soyoustart-eu"),
			    "https://eu.api.soyoustart.com/1.0");
	assert_string_equal(ovhconf_endpoint_url("kimsufi-ca"), "https://ca.api.kimsufi.com/1.0");
	assert_null(ovhconf_endpoint_url("ovh-au"));
	assert_null(ovhconf_endpoint_url("OVH-EU"));
}

/* A URL endpoint reads the section named by the URL, as go-ovh does. */
static void
test_url_endpoint_section(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", "[default]\nendpoint = https://api.example.com:4242/1.0\n"
	    "[https://api.example.com:4242/1.0]\napplication_key: " AK1 "\n"
	    "application_secret: " AS1 "\nconsumer_key: " CK1 "\n" SECTION2, 0600);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.base_url, "https://api.example.com:4242/1.0");
	assert_string_equal(f->conf.application_key, AK1);
	assert_int_equal(resolve(f, "ovh-eu", NULL), 0);
	assert_string_equal(f->conf.application_key, AK2);
}

/* Python's RawConfigParser: keys in any case, spaces trimmed, CRLF. */
static void
test_ini_syntax(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", "  # indented comment\r\n[ovh-eu]\r\n  Application_Key =   " AK1
	    "  \r\n  APPLICATION_SECRET=" AS1 "\r\n  consumer_key :" CK1 "\r\n", 0600);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_string_equal(f->conf.application_key, AK1);
	assert_string_equal(f->conf.application_secret, AS1);
	assert_string_equal(f->conf.consumer_key, CK1);
}

static void
test_permission_warning(void **state)
{
	struct fixture *f = *state;
	const char *p;

	p = put(f, "a.conf", SECTION1, 0644);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_int_equal(f->diag.nr, 1);
	assert_non_null(strstr(f->diag.items[0], p));
	assert_non_null(strstr(f->diag.items[0], "0644"));
	assert_non_null(strstr(f->diag.items[0], "chmod 600"));
	assert_no_secret(f->diag.items[0]);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_int_equal(f->diag.nr, 1);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_int_equal(f->diag.nr, 0);
}

/* No secret in the file (the key alone, or the endpoint): no warning. */
static void
test_no_warning_without_secret(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=" AK1 "\n", 0644);
	setenv("OVH_APPLICATION_SECRET", AS1, 1);
	setenv("OVH_CONSUMER_KEY", CK1, 1);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_int_equal(f->diag.nr, 0);
}

/* Missing default files are skipped; a folder is skipped with a warning. */
static void
test_missing_and_odd_files(void **state)
{
	struct fixture *f = *state;
	char *dirpath;

	setenv("OVH_APPLICATION_KEY", AK1, 1);
	setenv("OVH_APPLICATION_SECRET", AS1, 1);
	setenv("OVH_CONSUMER_KEY", CK1, 1);
	assert_true(asprintf(&f->paths[f->nr++], "%s/absent.conf", f->dir) > 0);
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_int_equal(f->diag.nr, 0);
	assert_true(asprintf(&dirpath, "%s/folder.conf", f->dir) > 0);
	assert_int_equal(mkdir(dirpath, 0700), 0);
	f->paths[f->nr++] = dirpath;
	assert_int_equal(resolve(f, NULL, NULL), 0);
	assert_int_equal(f->diag.nr, 1);
	assert_non_null(strstr(f->diag.items[0], "folder.conf"));
}

static void
test_error_config_missing(void **state)
{
	struct fixture *f = *state;
	char *path;

	assert_true(asprintf(&path, "%s/nope.conf", f->dir) > 0);
	assert_error(f, resolve(f, NULL, path), EX_NOINPUT, "nope.conf");
	free(path);
}

static void
test_error_syntax(void **state)
{
	struct fixture *f = *state;
	const char *p;

	p = put(f, "a.conf", "[ovh-eu]\napplication_key = " AK1 "\n" AS1 "\n", 0600);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "line 3");
	assert_non_null(strstr(f->err.msg, p));
}

static void
test_error_key_before_section(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", "application_key = " AK1 "\n", 0600);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "line 1");
	assert_non_null(strstr(f->err.msg, "before any [section]"));
}

static void
test_error_duplicates(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", SECTION1 "consumer_key = " CK2 "\n", 0600);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "line 5");
	assert_non_null(strstr(f->err.msg, "twice"));
	assert_non_null(strstr(f->err.msg, "first on line 4"));
}

static void
test_error_duplicate_section(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", SECTION1 "[ovh-eu]\n", 0600);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "section [ovh-eu] appears twice");
}

static void
test_error_continuation(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", "[ovh-eu]\napplication_key = " AK1 "\n    more\n", 0600);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "line 3");
}

static void
test_error_long_line(void **state)
{
	struct fixture *f = *state;
	char *text = malloc(FPKIT_LIMIT_OVHCONF_LINE + 64);

	assert_non_null(text);
	snprintf(text, FPKIT_LIMIT_OVHCONF_LINE + 64, "[ovh-eu]\nx = ");
	memset(text + strlen(text), 'a', FPKIT_LIMIT_OVHCONF_LINE);
	text[FPKIT_LIMIT_OVHCONF_LINE + 10] = '\0';
	put(f, "a.conf", text, 0600);
	free(text);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "line 2: longer than 1024 bytes");
}

static void
test_error_large_file(void **state)
{
	struct fixture *f = *state;
	size_t n = FPKIT_LIMIT_OVHCONF_FILE + 1;
	char *text = malloc(n + 1);

	assert_non_null(text);
	memset(text, '\n', n);
	text[n] = '\0';
	put(f, "a.conf", text, 0600);
	free(text);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "larger than 65536 bytes");
}

static void
test_error_unknown_endpoint(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", SECTION1, 0600);
	assert_error(f, resolve(f, "ovh-mars", NULL), EX_USAGE, "'ovh-mars' (from --endpoint)");
	setenv("OVH_ENDPOINT", "ftp://example.com", 1);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "(from OVH_ENDPOINT)");
	assert_error(f, resolve(f, "https://", NULL), EX_USAGE, "unknown endpoint");
}

static void
test_error_key_without_secret(void **state)
{
	struct fixture *f = *state;
	const char *p;

	p = put(f, "a.conf", "[ovh-eu]\napplication_key = " AK1 "\nconsumer_key = " CK1 "\n", 0600);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "application_key is set");
	assert_non_null(strstr(f->err.msg, p));
	setenv("OVH_APPLICATION_SECRET", AS1, 1);
	setenv("OVH_APPLICATION_KEY", "", 1);
	put(f, "b.conf", "[ovh-eu]\napplication_key = \n", 0600);
	assert_error(f, resolve(f, "ovh-ca", NULL), EX_CONFIG,
		     "application_secret is set (OVH_APPLICATION_SECRET) but not application_key");
}

static void
test_error_no_consumer_key(void **state)
{
	struct fixture *f = *state;

	setenv("OVH_APPLICATION_KEY", AK1, 1);
	setenv("OVH_APPLICATION_SECRET", AS1, 1);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "no consumer_key for endpoint 'ovh-eu'");
}

static void
test_error_no_credentials(void **state)
{
	struct fixture *f = *state;

	put(f, "a.conf", "[ovh-ca]\napplication_key = " AK1 "\n", 0600);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "no OVH API credentials for endpoint "
		     "'ovh-eu'");
	setenv("OVH_CLIENT_ID", "some-client", 1);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG, "OAuth2");
}

static void
test_error_header_unsafe(void **state)
{
	struct fixture *f = *state;

	setenv("OVH_APPLICATION_KEY", AK1, 1);
	setenv("OVH_APPLICATION_SECRET", AS1 "\r\nX-Evil: 1", 1);
	setenv("OVH_CONSUMER_KEY", CK1, 1);
	assert_error(f, resolve(f, NULL, NULL), EX_CONFIG,
		     "application_secret (OVH_APPLICATION_SECRET) holds a space");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_default_endpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_over_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_order_and_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_endpoint_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ini_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_warning_without_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_odd_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_config_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_key_before_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_duplicate_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_continuation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_large_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_unknown_endpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_key_without_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_no_consumer_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_no_credentials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_header_unsafe, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
