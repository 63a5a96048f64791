/* test_netaddr.c - unit tests for netaddr.h's reverse names (PTR and
 * DNS blocklist queries, SPF's "ptr")
 *
 * The expected names are RFC 1035 section 3.5's in-addr.arpa form and
 * RFC 3596 section 2.5's ip6.arpa example, written out by hand. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netaddr.h"

static void
assert_reverse(const char *ip, const char *zone, const char *want)
{
	char *got = netaddr_reverse_name(ip, zone);

	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s (zone %s): '%s', expected '%s'", ip, zone ? zone : "none",
			 got ? got : "(null)", want);
	free(got);
}

static void
test_reverse_ipv4(void **state)
{
	(void)state;
	assert_reverse("203.0.113.7", NULL, "7.113.0.203.in-addr.arpa");
	assert_reverse("203.0.113.7", "zen.spamhaus.org", "7.113.0.203.zen.spamhaus.org");
}

static void
test_reverse_ipv6(void **state)
{
	(void)state;
	/* RFC 3596, 2.5: 4321:0:1:2:3:4:567:89ab. */
	assert_reverse("4321:0:1:2:3:4:567:89ab", NULL,
		       "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa");
	assert_reverse("2001:db8::1", "bl.example.org",
		       "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org");
}

static void
test_reverse_not_an_address(void **state)
{
	(void)state;
	assert_null(netaddr_reverse_name("shop.example.net", NULL));
	assert_null(netaddr_reverse_name("203.0.113", NULL));
	assert_null(netaddr_reverse_name("", NULL));
}

/* Loopback as written, the rule for plain http and imap://: names that
 * merely begin like loopback are not. */
static void
test_host_is_loopback(void **state)
{
	(void)state;
	assert_true(netaddr_host_is_loopback("localhost"));
	assert_true(netaddr_host_is_loopback("LocalHost"));
	assert_true(netaddr_host_is_loopback("127.0.0.1"));
	assert_true(netaddr_host_is_loopback("127.45.6.7"));
	assert_true(netaddr_host_is_loopback("[::1]"));
	assert_false(netaddr_host_is_loopback("127.attacker.invalid"));
	assert_false(netaddr_host_is_loopback("localhost.evil.invalid"));
	assert_false(netaddr_host_is_loopback("128.0.0.1"));
	assert_false(netaddr_host_is_loopback("[::2]"));
	assert_false(netaddr_host_is_loopback("::1"));
	assert_false(netaddr_host_is_loopback("[]"));
	assert_false(netaddr_host_is_loopback(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reverse_ipv4),
		cmocka_unit_test(test_reverse_ipv6),
		cmocka_unit_test(test_reverse_not_an_address),
		cmocka_unit_test(test_host_is_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
