/* test_support.c - the support tickets as fpkit reads them: the block's
 * product (fpkit-ticket(1)'s table), the schema's enums, the answers
 * checked */
#include "config.h"

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
#include "support.h"

static void
test_product_of(void **state)
{
	static const struct {
		const char *type, *service, *product;
	} cases[] = {
		{ "dedicated", "ns1.example.net", "dedicated" },
		{ "vps", "vps-1.vps.ovh.net", "vps" },
		{ "pci", NULL, "publiccloud" },
		{ "cloud", NULL, "publiccloud" },
		{ "pcc", "pcc-1", "dedicatedcloud" },
		{ "housing", NULL, "housing" },
		{ "hosted_ssl", NULL, "ssl" },
		{ "cdn", NULL, "cdn" },
		{ "mail", NULL, "mail" },
		{ "xdsl", NULL, "adsl" },
		{ "vrack", "pn-1", "network" },
		{ "loadBalancing", "lb-1", "network" },
		{ "failover", "ns1.example.net", "dedicated" },
		{ "failover", "vps-1a2b.vps.ovh.net", "vps" },
		{ "failover", "vps123456.ovh.net", "vps" },
		{ "failover", NULL, "dedicated" },
		{ "overthebox", NULL, NULL },
		{ "private", NULL, NULL },
		{ "vpn", NULL, NULL },
		{ "Dedicated", NULL, NULL },
		{ "", NULL, NULL },
		{ NULL, "ns1.example.net", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = support_product_of(cases[i].type, cases[i].service);

		if (cases[i].product == NULL)
			assert_null(p);
		else
			assert_string_equal(p, cases[i].product);
		/* Every product given is one the schema takes. */
		if (p)
			assert_true(support_product_valid(p));
	}
}

static void
test_enums(void **state)
{
	(void)state;
	assert_true(support_category_valid("assistance"));
	assert_false(support_category_valid("Assistance"));
	assert_false(support_category_valid(NULL));
	assert_true(support_subcategory_valid("inProgress"));
	assert_false(support_subcategory_valid("inprogress"));
	assert_true(support_status_valid("unknown"));
	assert_false(support_status_valid("pending"));
	assert_true(support_product_valid("web-other"));
	assert_false(support_product_valid("webother"));
}

/* A completed call whose answer is 'text'. */
static void
answered(struct ovh_call *c, const char *method, const char *text)
{
	ovh_call_init(c, "/support/tickets/create");
	c->method = method;
	c->json = json_loads(text, JSON_DECODE_ANY, NULL);
	assert_non_null(c->json);
}

static void
test_check_new(void **state)
{
	struct ovh_call c;
	struct error err = ERROR_INIT;
	int64_t id, number, msg;

	(void)state;
	answered(&c, "POST", "{\"ticketId\":5001,\"ticketNumber\":8845001,\"messageId\":9001,"
		 "\"additionalNotice\":null}");
	assert_int_equal(support_check_new(&c, &id, &number, &msg, &err), 0);
	assert_int_equal(id, 5001);
	assert_int_equal(number, 8845001);
	assert_int_equal(msg, 9001);
	ovh_call_release(&c);
	answered(&c, "POST", "{\"ticketId\":\"5001\",\"ticketNumber\":8845001}");
	assert_int_equal(support_check_new(&c, &id, &number, &msg, &err), -1);
	assert_int_equal(err.status, EX_PROTOCOL);
	ovh_call_release(&c);
	answered(&c, "POST", "null");
	memset(&err, 0, sizeof(err));
	assert_int_equal(support_check_new(&c, &id, &number, &msg, &err), -1);
	ovh_call_release(&c);
}

static void
test_check_ids_and_ip(void **state)
{
	struct ovh_call c;
	struct error err = ERROR_INIT;
	int64_t *ids;
	size_t n;
	const char *type, *service;

	(void)state;
	answered(&c, "GET", "[5002,5001]");
	assert_int_equal(support_check_ids(&c, &ids, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 5002);
	free(ids);
	ovh_call_release(&c);
	answered(&c, "GET", "[]");
	assert_int_equal(support_check_ids(&c, &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(ids);
	ovh_call_release(&c);
	answered(&c, "GET", "[5001,\"x\"]");
	assert_int_equal(support_check_ids(&c, &ids, &n, &err), -1);
	ovh_call_release(&c);

	answered(&c, "GET", "{\"type\":\"vps\",\"routedTo\":{\"serviceName\":\"vps-1.vps.ovh.net\"}}");
	assert_int_equal(support_check_ip(&c, &type, &service, &err), 0);
	assert_string_equal(type, "vps");
	assert_string_equal(service, "vps-1.vps.ovh.net");
	ovh_call_release(&c);
	answered(&c, "GET", "{\"type\":\"failover\",\"routedTo\":{\"serviceName\":null}}");
	assert_int_equal(support_check_ip(&c, &type, &service, &err), 0);
	assert_null(service);
	ovh_call_release(&c);
	answered(&c, "GET", "{\"type\":\"failover\",\"routedTo\":\"ns1\"}");
	memset(&err, 0, sizeof(err));
	assert_int_equal(support_check_ip(&c, &type, &service, &err), -1);
	assert_int_equal(err.status, EX_PROTOCOL);
	ovh_call_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_product_of),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_check_new),
		cmocka_unit_test(test_check_ids_and_ip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
