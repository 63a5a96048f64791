/* test_ovhendpoint.c - unit tests for ovh_check_endpoint (ovh.h): which
 * endpoint URLs fpkit sends credentials to, parsed as libcurl parses
 * them */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "ovh.h"

/* The URL is accepted without --insecure-http, and not as plain http. */
static void
accepted(const char *url)
{
	struct error err = ERROR_INIT;
	bool plain = true;

	if (ovh_check_endpoint(url, "--endpoint", false, &plain, &err) != 0)
		fail_msg("'%s' refused: %s", url, err.msg);
	assert_false(plain);
}

/* The URL is refused with EX_CONFIG and a message holding 'why', even
 * with --insecure-http when 'always'. */
static void
refused(const char *url, const char *why, bool always)
{
	struct error err = ERROR_INIT;
	bool plain = false;

	if (ovh_check_endpoint(url, "--endpoint", false, &plain, &err) != -1)
		fail_msg("'%s' accepted", url);
	assert_int_equal(err.status, EX_CONFIG);
	if (strstr(err.msg, why) == NULL)
		fail_msg("'%s': '%s' not in '%s'", url, why, err.msg);
	assert_non_null(strstr(err.msg, "(from --endpoint)"));
	if (always) {
		err = (struct error)ERROR_INIT;
		assert_int_equal(ovh_check_endpoint(url, "--endpoint", true, &plain, &err), -1);
		assert_non_null(strstr(err.msg, why));
	}
}

#define PLAIN "is plain http to a host that is not loopback"
#define USERINFO "holds user information"

static void
test_https_anywhere(void **state)
{
	(void)state;
	accepted("https://eu.api.ovh.com/1.0");
	accepted("https://192.0.2.1:4242/1.0");
	accepted("HTTPS://api.example.com/1.0");
}

static void
test_http_loopback(void **state)
{
	(void)state;
	accepted("http://127.0.0.1:8080/1.0");
	accepted("http://127.255.255.254/1.0");
	accepted("http://localhost:8080/1.0");
	accepted("http://LocalHost/1.0");
	accepted("http://[::1]:8080/1.0");
	accepted("http://[0:0:0:0:0:0:0:1]/1.0");
	/* libcurl reads these as 127.0.0.1, and connects there. */
	accepted("http://127.1/1.0");
	accepted("http://0x7f000001/1.0");
}

/* Loopback is the address or the name, not what starts or ends so. */
static void
test_http_elsewhere(void **state)
{
	(void)state;
	refused("http://192.0.2.1:9/1.0", PLAIN, false);
	refused("http://eu.api.ovh.com/1.0", PLAIN, false);
	refused("http://127.attacker.invalid/1.0", PLAIN, false);
	refused("http://127.0.0.1.attacker.invalid/1.0", PLAIN, false);
	refused("http://localhost.evil.invalid/1.0", PLAIN, false);
	refused("http://localhost./1.0", PLAIN, false);
	refused("http://evil.localhost/1.0", PLAIN, false);
	refused("http://localhostx/1.0", PLAIN, false);
	refused("http://128.0.0.1/1.0", PLAIN, false);
	refused("http://126.255.255.255/1.0", PLAIN, false);
	refused("http://0.0.0.0/1.0", PLAIN, false);
	refused("http://[::2]/1.0", PLAIN, false);
	refused("http://[::ffff:127.0.0.1]/1.0", PLAIN, false);
	refused("http://[::]/1.0", PLAIN, false);
}

static void
test_insecure_http(void **state)
{
	struct error err = ERROR_INIT;
	bool plain = false;

	(void)state;
	assert_int_equal(ovh_check_endpoint("http://192.0.2.1/1.0", "OVH_ENDPOINT", true, &plain,
					    &err), 0);
	assert_true(plain);
	/* Loopback needs no leave, and is no plain http to warn about. */
	assert_int_equal(ovh_check_endpoint("http://127.0.0.1/1.0", "OVH_ENDPOINT", true, &plain,
					    &err), 0);
	assert_false(plain);
}

/* User information is refused everywhere, and never shown. */
static void
test_userinfo(void **state)
{
	struct error err = ERROR_INIT;
	bool plain;

	(void)state;
	refused("http://127.0.0.1@attacker.invalid/1.0", USERINFO, true);
	refused("http://user:s3cretPW@127.0.0.1:8080/1.0", USERINFO, true);
	refused("https://user:s3cretPW@eu.api.ovh.com/1.0", USERINFO, true);
	refused("https://:s3cretPW@eu.api.ovh.com/1.0", USERINFO, true);
	refused("https://user@eu.api.ovh.com/1.0", USERINFO, true);
	refused("https://user;opt@eu.api.ovh.com/1.0", USERINFO, true);
	assert_int_equal(ovh_check_endpoint("https://alice9:s3cretPW@eu.api.ovh.com/1.0",
					    "'/etc/ovh.conf'", false, &plain, &err), -1);
	assert_null(strstr(err.msg, "s3cretPW"));
	assert_null(strstr(err.msg, "alice9"));
	assert_non_null(strstr(err.msg, "(from '/etc/ovh.conf')"));
}

static void
test_not_http(void **state)
{
	struct error err = ERROR_INIT;
	bool plain;

	(void)state;
	refused("ftp://127.0.0.1/1.0", "is neither http:// nor https://", true);
	refused("http://[::1/1.0", "is not a URL libcurl can read", true);
	refused("http://127.0.0.1:99999/1.0", "is not a URL libcurl can read", true);
	/* Unreadable, and maybe with a password: not shown. */
	assert_int_equal(ovh_check_endpoint("http://u:s3cretPW@[::1/1.0", "--endpoint", false,
					    &plain, &err), -1);
	assert_null(strstr(err.msg, "s3cretPW"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https_anywhere),
		cmocka_unit_test(test_http_loopback),
		cmocka_unit_test(test_http_elsewhere),
		cmocka_unit_test(test_insecure_http),
		cmocka_unit_test(test_userinfo),
		cmocka_unit_test(test_not_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
