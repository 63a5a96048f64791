/* test_ovhapi.c - unit tests for ovhapi.h: the paths of the API's
 * resources, their escaping, the checks of the list answers, and the
 * unblock's call and refusal */
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
#include "ovhapi.h"
#include "strbuf.h"
#include <stdbool.h>

/* 2026-11-20T13:32:07Z */
#define BLOCKED_AT INT64_C(1795181527)

#define assert_path(call, want) do {				\
		struct ovh_call c_;				\
		call;						\
		assert_string_equal(c_.path, want);		\
		assert_null(c_.json);				\
		ovh_call_release(&c_);				\
	} while (0)

static void
test_ip_blocks(void **state)
{
	(void)state;
	assert_path(ovhapi_ip_blocks(&c_, NULL, NULL), "/ip");
	assert_path(ovhapi_ip_blocks(&c_, "203.0.113.7", NULL), "/ip?ip=203.0.113.7");
	assert_path(ovhapi_ip_blocks(&c_, NULL, "vps"), "/ip?type=vps");
	assert_path(ovhapi_ip_blocks(&c_, "203.0.113.7", "dedicated"),
		    "/ip?ip=203.0.113.7&type=dedicated");
	/* A value cannot add a parameter of its own. */
	assert_path(ovhapi_ip_blocks(&c_, NULL, "vps&ip=1 x"), "/ip?type=vps%26ip%3D1+x");
}

static void
test_spam_ips(void **state)
{
	(void)state;
	assert_path(ovhapi_spam_ips(&c_, "203.0.113.0/28", NULL), "/ip/203.0.113.0%2F28/spam");
	assert_path(ovhapi_spam_ips(&c_, "203.0.113.0/28", "blockedForSpam"),
		    "/ip/203.0.113.0%2F28/spam?state=blockedForSpam");
}

static void
test_spam_ip(void **state)
{
	char *path;

	(void)state;
	assert_path(ovhapi_spam_ip(&c_, "203.0.113.0/28", "203.0.113.7"),
		    "/ip/203.0.113.0%2F28/spam/203.0.113.7");
	/* Each parameter stays one segment: no '/', '?', '#' or '..' of
	 * its own reaches the path. */
	assert_path(ovhapi_spam_ip(&c_, "../../me", "a/b?c#d"),
		    "/ip/..%2F..%2Fme/spam/a%2Fb%3Fc%23d");
	assert_path(ovhapi_spam_ip(&c_, "2001:db8::/64", "%2F"),
		    "/ip/2001%3Adb8%3A%3A%2F64/spam/%252F");
	path = ovhapi_spam_ip_path("203.0.113.0/28", "203.0.113.7");
	assert_string_equal(path, "/ip/203.0.113.0%2F28/spam/203.0.113.7");
	free(path);
}

/* The window as the API writes dates, ':' and '+' escaped as
 * python-ovh's urlencode escapes them. */
static void
test_spam_stats(void **state)
{
	(void)state;
	assert_path(ovhapi_spam_stats(&c_, "203.0.113.0/28", "203.0.113.7",
				      BLOCKED_AT - 86400, BLOCKED_AT + 3600),
		    "/ip/203.0.113.0%2F28/spam/203.0.113.7/stats"
		    "?from=2026-11-19T13%3A32%3A07%2B00%3A00"
		    "&to=2026-11-20T14%3A32%3A07%2B00%3A00");
	assert_path(ovhapi_spam_stats(&c_, "192.0.2.0/24", "192.0.2.1", 0, 1),
		    "/ip/192.0.2.0%2F24/spam/192.0.2.1/stats"
		    "?from=1970-01-01T00%3A00%3A00%2B00%3A00"
		    "&to=1970-01-01T00%3A00%3A01%2B00%3A00");
}

/* Run check on a call to 'path' whose answer is the JSON 'text'. */
static int
check_answer(int (*check)(const struct ovh_call *, struct error *), const char *text,
	     struct error *err)
{
	struct ovh_call c;
	int rc;

	ovh_call_init(&c, "/ip");
	c.json = json_loads(text, JSON_DECODE_ANY, NULL);
	assert_non_null(c.json);
	rc = check(&c, err);
	ovh_call_release(&c);
	return rc;
}

static void
test_check_blocks(void **state)
{
	struct error err = ERROR_INIT;

	(void)state;
	assert_int_equal(check_answer(ovhapi_check_blocks, "[]", &err), 0);
	assert_int_equal(check_answer(ovhapi_check_blocks,
				      "[\"203.0.113.0/28\", \"2001:db8::/56\"]", &err), 0);
	assert_int_equal(check_answer(ovhapi_check_blocks, "{}", &err), -1);
	assert_int_equal(err.status, EX_PROTOCOL);
	assert_string_equal(err.msg, "GET /ip: expected an array of IP blocks");
	assert_int_equal(check_answer(ovhapi_check_blocks, "[\"203.0.113.0/28\", 7]", &err), -1);
	assert_string_equal(err.msg, "GET /ip: element 1 is not an IP block");
	assert_int_equal(check_answer(ovhapi_check_blocks, "[\"203.0.113.0/33\"]", &err), -1);
	assert_string_equal(err.msg, "GET /ip: element 0 is not an IP block");
}

static void
test_check_spam_ips(void **state)
{
	struct error err = ERROR_INIT;

	(void)state;
	assert_int_equal(check_answer(ovhapi_check_spam_ips, "[\"203.0.113.7\"]", &err), 0);
	assert_int_equal(check_answer(ovhapi_check_spam_ips, "\"203.0.113.7\"", &err), -1);
	assert_int_equal(err.status, EX_PROTOCOL);
	assert_string_equal(err.msg, "GET /ip: expected an array of IPv4 addresses");
	assert_int_equal(check_answer(ovhapi_check_spam_ips, "[\"203.0.113.7\", \"2001:db8::1\"]",
				      &err), -1);
	assert_string_equal(err.msg, "GET /ip: element 1 is not an IPv4 address");
	assert_int_equal(check_answer(ovhapi_check_spam_ips, "[\"203.0.113.0/28\"]", &err), -1);
}

static void
test_spam_unblock(void **state)
{
	struct ovh_call c;

	(void)state;
	ovhapi_spam_unblock(&c, "203.0.113.0/28", "203.0.113.7");
	assert_string_equal(c.method, "POST");
	assert_string_equal(c.path, "/ip/203.0.113.0%2F28/spam/203.0.113.7/unblock");
	/* No body, signed as such. */
	assert_non_null(c.post_body);
	assert_string_equal(c.post_body, "");
	ovh_call_release(&c);
	ovhapi_spam_ip(&c, "203.0.113.0/28", "203.0.113.7");
	assert_string_equal(c.method, "GET");
	assert_null(c.post_body);
	ovh_call_release(&c);
}

/* ovhapi_still_blocked on an answer body: the seconds, or -1 for no. */
static int64_t
still(const char *body)
{
	struct ovh_call c;
	int64_t n = -1;

	ovhapi_spam_unblock(&c, "203.0.113.0/28", "203.0.113.7");
	strbuf_add(&c.body, body, strlen(body));
	if (!ovhapi_still_blocked(&c, &n))
		n = -1;
	ovh_call_release(&c);
	return n;
}

static void
test_still_blocked(void **state)
{
	(void)state;
	/* The guide's words, in both error shapes. */
	assert_int_equal(still("{\"message\":\"This IP address is still blocked for 129 seconds\","
			       "\"httpCode\":\"400 Bad Request\",\"errorCode\":\"X\"}"), 129);
	assert_int_equal(still("{\"class\":\"Client::BadRequest\",\"message\":"
			       "\"This IP address is still blocked for 1 seconds\"}"), 1);
	assert_int_equal(still("{\"message\":\"this ip address is STILL BLOCKED FOR 0 seconds\"}"), 0);
	assert_int_equal(still("{\"message\":\"still blocked for 999999999 seconds\"}"), 999999999);
	/* Not the refusal: other words, no number, too many digits, the
	 * words outside the message, no JSON. */
	assert_int_equal(still("{\"message\":\"This call has not been granted\"}"), -1);
	assert_int_equal(still("{\"message\":\"This IP address is still blocked for  seconds\"}"), -1);
	assert_int_equal(still("{\"message\":\"still blocked for 1000000000 seconds\"}"), -1);
	assert_int_equal(still("{\"details\":\"still blocked for 5 seconds\"}"), -1);
	assert_int_equal(still("still blocked for 5 seconds"), -1);
	assert_int_equal(still(""), -1);
}

static void
test_support_paths(void **state)
{
	(void)state;
	assert_path(ovhapi_ip(&c_, "203.0.113.0/28"), "/ip/203.0.113.0%2F28");
	assert_path(ovhapi_tickets(&c_, NULL, -1, -1), "/support/tickets");
	assert_path(ovhapi_tickets(&c_, "open", BLOCKED_AT, 8845001),
		    "/support/tickets?minCreationDate=2026-11-20T13%3A32%3A07%2B00%3A00"
		    "&status=open&ticketNumber=8845001");
	assert_path(ovhapi_ticket(&c_, 5001), "/support/tickets/5001");
	assert_path(ovhapi_ticket_messages(&c_, 5001), "/support/tickets/5001/messages");
	assert_path(ovhapi_ticket_create(&c_, "{}"), "/support/tickets/create");
	assert_path(ovhapi_ticket_reply(&c_, 5001, "{}"), "/support/tickets/5001/reply");
	assert_path(ovhapi_credential(&c_, "{}"), "/auth/credential");
}

/* Every call fpkit makes, with its sample arguments. */
static void
every_call(struct ovh_call *c, size_t i)
{
	switch (i) {
	case 0: ovhapi_ip_blocks(c, "203.0.113.7", NULL); break;
	case 1: ovhapi_spam_ips(c, "203.0.113.0/28", "blockedForSpam"); break;
	case 2: ovhapi_spam_ip(c, "203.0.113.0/28", "203.0.113.7"); break;
	case 3: ovhapi_spam_stats(c, "203.0.113.0/28", "203.0.113.7", 0, 1); break;
	case 4: ovhapi_spam_unblock(c, "203.0.113.0/28", "203.0.113.7"); break;
	case 5: ovhapi_me(c); break;
	case 6: ovhapi_ip(c, "203.0.113.0/28"); break;
	case 7: ovhapi_tickets(c, "open", 0, -1); break;
	case 8: ovhapi_ticket(c, 5001); break;
	case 9: ovhapi_ticket_messages(c, 5001); break;
	case 10: ovhapi_ticket_create(c, "{}"); break;
	case 11: ovhapi_ticket_reply(c, 5001, "{}"); break;
	}
}
#define NR_CALLS 12

/* fpkit auth asks for exactly the rules the calls need: each call is
 * covered by a rule of its kind (a GET by a read, a POST by a write),
 * and each rule covers some call. */
static void
test_rules(void **state)
{
	bool used[64] = { false };
	size_t nr_rules = 0;

	(void)state;
	for (const struct ovhapi_rule *r = ovhapi_rules; r->method; r++)
		nr_rules++;
	assert_true(nr_rules <= 64);
	for (size_t i = 0; i < NR_CALLS; i++) {
		struct ovh_call c;
		char *path;
		bool covered = false;

		every_call(&c, i);
		path = strndup(c.path, strcspn(c.path, "?"));
		for (size_t k = 0; k < nr_rules; k++) {
			const struct ovhapi_rule *r = &ovhapi_rules[k];

			if (!ovhapi_rule_covers(r, c.method, path))
				continue;
			/* A read never needs a write's rule, nor the reverse. */
			assert_int_equal(r->write, strcmp(c.method, "POST") == 0);
			covered = used[k] = true;
		}
		if (!covered)
			fail_msg("%s %s: no rule", c.method, path);
		free(path);
		ovh_call_release(&c);
	}
	for (size_t k = 0; k < nr_rules; k++)
		if (!used[k])
			fail_msg("rule %s %s: no call needs it", ovhapi_rules[k].method,
				 ovhapi_rules[k].path);
	/* A star is one or more characters, a slash included. */
	assert_true(ovhapi_rule_covers(&ovhapi_rules[1], "GET", "/ip/203.0.113.0%2F28/spam"));
	assert_false(ovhapi_rule_covers(&ovhapi_rules[1], "GET", "/ip/"));
	assert_false(ovhapi_rule_covers(&ovhapi_rules[1], "POST", "/ip/x"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_blocks),
		cmocka_unit_test(test_spam_ips),
		cmocka_unit_test(test_spam_ip),
		cmocka_unit_test(test_spam_stats),
		cmocka_unit_test(test_check_blocks),
		cmocka_unit_test(test_check_spam_ips),
		cmocka_unit_test(test_spam_unblock),
		cmocka_unit_test(test_still_blocked),
		cmocka_unit_test(test_support_paths),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
