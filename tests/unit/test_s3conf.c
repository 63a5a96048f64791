/* test_s3conf.c - unit tests for s3conf.h: s3:// URLs, the keys fpkit
 * writes, and the settings read as the AWS tools read them (environment
 * first, then the profile's sections of the two files), with errors that
 * never show a secret */
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
#include "s3conf.h"
#include "xalloc.h"

#define SECRET "s3SecretValueNeverShown"

static const char *const vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE",
	"AWS_SHARED_CREDENTIALS_FILE", "FPKIT_S3_ADDRESSING",
};

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	snprintf(dir, sizeof(dir), "/tmp/fpkit-s3conf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	setenv("HOME", dir, 1);
	return 0;
}

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/.aws", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.aws/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
test_url(void **state)
{
	struct s3url u;
	struct error err = ERROR_INIT;

	(void)state;
	assert_int_equal(s3url_parse(&u, "s3://evidence/fp/archive/", &err), 0);
	assert_string_equal(u.bucket, "evidence");
	assert_string_equal(u.prefix, "fp/archive");
	s3url_release(&u);
	assert_int_equal(s3url_parse(&u, "s3://evidence", &err), 0);
	assert_string_equal(u.prefix, "");
	s3url_release(&u);
	assert_int_equal(s3url_parse(&u, "s3://Evidence/x", &err), -1);
	assert_int_equal(err.status, EX_USAGE);
	assert_int_equal(s3url_parse(&u, "s3://evidence/a b", &err), -1);
	assert_int_equal(s3url_parse(&u, "s3://evidence/a/../b", &err), -1);
	assert_int_equal(s3url_parse(&u, "s3://ev", &err), -1);
}

static void
test_key(void **state)
{
	(void)state;
	assert_true(s3url_key_ok("fp/events/203.0.113.7/20261120T133207Z/mx1/x.tar.gz"));
	assert_true(s3url_key_ok("a~b_c-d.e"));
	assert_false(s3url_key_ok(""));
	assert_false(s3url_key_ok("/a"));
	assert_false(s3url_key_ok("a//b"));
	assert_false(s3url_key_ok("a/./b"));
	assert_false(s3url_key_ok("a/.."));
	assert_false(s3url_key_ok("a+b"));
	assert_false(s3url_key_ok("a%2Fb"));
	assert_false(s3url_key_ok("a?b"));
}

static void
test_env(void **state)
{
	struct s3conf c;
	struct error err = ERROR_INIT;

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_SESSION_TOKEN", "tok", 1);
	setenv("AWS_DEFAULT_REGION", "gra", 1);
	write_file("config", "[default]\nregion = sbg\n");
	assert_int_equal(s3conf_load(&c, &err), 0);
	assert_string_equal(c.access_key, "AKID");
	assert_string_equal(c.session_token, "tok");
	assert_string_equal(c.region, "gra");	/* the environment wins */
	assert_string_equal(c.endpoint, "https://s3.gra.amazonaws.com");
	assert_false(c.path_style);
	s3conf_release(&c);
}

static void
test_profile_files(void **state)
{
	struct s3conf c;
	struct error err = ERROR_INIT;

	(void)state;
	setenv("AWS_PROFILE", "ovh", 1);
	write_file("credentials", "[default]\naws_access_key_id = WRONG\n"
		   "aws_secret_access_key = WRONG\n[ovh]\naws_access_key_id = AK\n"
		   "aws_secret_access_key = " SECRET "\n");
	write_file("config", "[profile ovh]\nregion = gra\n"
		   "endpoint_url = https://s3.gra.io.cloud.ovh.net/\n"
		   "s3 =\n    addressing_style = path\n");
	assert_int_equal(s3conf_load(&c, &err), 0);
	assert_string_equal(c.access_key, "AK");
	assert_string_equal(c.secret_key, SECRET);
	assert_null(c.session_token);
	assert_string_equal(c.endpoint, "https://s3.gra.io.cloud.ovh.net");
	assert_true(c.path_style);
	s3conf_release(&c);
}

/* A session token is long: a line of 8000 bytes is read whole; one
 * longer than the reader's line is refused, never cut in two. */
static void
test_long_lines(void **state)
{
	struct s3conf c;
	struct error err = ERROR_INIT;
	char *token = malloc(20001), *text;

	(void)state;
	memset(token, 'T', 20000);
	token[8000] = '\0';
	text = xasprintf("[default]\naws_access_key_id = AK\naws_secret_access_key = " SECRET
			 "\naws_session_token = %s\n", token);
	write_file("credentials", text);
	free(text);
	write_file("config", "[default]\nregion = gra\n");
	assert_int_equal(s3conf_load(&c, &err), 0);
	assert_non_null(c.session_token);
	assert_int_equal(strlen(c.session_token), 8000);
	s3conf_release(&c);
	token[8000] = 'T';
	token[20000] = '\0';
	text = xasprintf("[default]\naws_access_key_id = AK\naws_secret_access_key = " SECRET
			 "\naws_session_token = %s\n", token);
	write_file("credentials", text);
	free(text);
	assert_int_equal(s3conf_load(&c, &err), -1);
	assert_int_equal(err.status, EX_CONFIG);
	assert_non_null(strstr(err.msg, "a line longer than"));
	assert_null(strstr(err.msg, SECRET));
	free(token);
}

static void
test_errors(void **state)
{
	struct s3conf c;
	struct error err = ERROR_INIT;

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	assert_int_equal(s3conf_load(&c, &err), -1);
	assert_int_equal(err.status, EX_CONFIG);
	assert_non_null(strstr(err.msg, "no S3 region"));
	assert_null(strstr(err.msg, SECRET));
	setenv("AWS_REGION", "gra", 1);
	setenv("AWS_ENDPOINT_URL", "http://s3.gra.io.cloud.ovh.net", 1);
	assert_int_equal(s3conf_load(&c, &err), -1);
	assert_int_equal(err.status, EX_CONFIG);
	assert_null(strstr(err.msg, SECRET));
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000", 1);
	assert_int_equal(s3conf_load(&c, &err), 0);
	assert_true(c.plain_http);
	assert_true(c.path_style);	/* an address: path-style */
	s3conf_release(&c);
	setenv("AWS_ENDPOINT_URL", "https://s3.example.net/path", 1);
	assert_int_equal(s3conf_load(&c, &err), -1);
	setenv("AWS_ENDPOINT_URL", "https://s3.example.net", 1);
	setenv("FPKIT_S3_ADDRESSING", "sideways", 1);
	assert_int_equal(s3conf_load(&c, &err), -1);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("FPKIT_S3_ADDRESSING");
	assert_int_equal(s3conf_load(&c, &err), -1);
	assert_non_null(strstr(err.msg, "no S3 credentials"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_key),
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_lines, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
