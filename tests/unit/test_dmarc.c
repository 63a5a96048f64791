/* test_dmarc.c - unit tests for dmarc.h: records, policies and
 * identifier alignment, from RFC 7489's text and examples
 *
 * The records are those of RFC 7489, appendix B.2, and the cases its
 * sections 3.1 (alignment), 6.3 (tags), 6.4 (the version's syntax) and
 * 6.6.3 (discovery) describe, written out by hand. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dmarc.h"
#include "orgdomain.h"

/* RFC 7489, B.2.1: the domain owner starts with monitoring. */
static void
test_b21_monitoring(void **state)
{
	struct dmarc_record r;

	(void)state;
	dmarc_parse("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com", &r);
	assert_true(r.usable);
	assert_int_equal(r.p, DMARC_P_NONE);
	assert_int_equal(r.sp, DMARC_P_UNSET);
	assert_int_equal(r.pct, 100);
	assert_false(r.adkim_strict);
	assert_false(r.aspf_strict);
	assert_null(r.problem);
	assert_string_equal(dmarc_policy_name(dmarc_policy_for(&r, false)), "none");
	dmarc_record_release(&r);
}

/* RFC 7489, B.2.4: quarantine for a quarter of the failing mail. */
static void
test_b24_pct(void **state)
{
	struct dmarc_record r;

	(void)state;
	dmarc_parse("v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
		    "mailto:tld-test@thirdparty.example.net!10m; pct=25", &r);
	assert_true(r.usable);
	assert_int_equal(r.p, DMARC_P_QUARANTINE);
	assert_int_equal(r.pct, 25);
	dmarc_record_release(&r);
	dmarc_parse("v=DMARC1; p=reject; pct=0", &r);
	assert_int_equal(r.pct, 0);
	dmarc_record_release(&r);
}

/* RFC 7489, 6.3: sp= is the policy of the subdomains, found through the
 * organisational domain's record; p= where sp= is absent. */
static void
test_sp_subdomains(void **state)
{
	struct dmarc_record r;

	(void)state;
	dmarc_parse("v=DMARC1; p=reject; sp=quarantine", &r);
	assert_string_equal(dmarc_policy_name(dmarc_policy_for(&r, false)), "reject");
	assert_string_equal(dmarc_policy_name(dmarc_policy_for(&r, true)), "quarantine");
	dmarc_record_release(&r);
	dmarc_parse("v=DMARC1; p=reject", &r);
	assert_string_equal(dmarc_policy_name(dmarc_policy_for(&r, true)), "reject");
	dmarc_record_release(&r);
	/* An sp= that is no policy: p= applies, said. */
	dmarc_parse("v=DMARC1; p=quarantine; sp=drop", &r);
	assert_string_equal(dmarc_policy_name(dmarc_policy_for(&r, true)), "quarantine");
	assert_non_null(r.problem);
	dmarc_record_release(&r);
}

/* adkim= and aspf=: r or s, relaxed by default; anything else is
 * relaxed, said. */
static void
test_alignment_modes(void **state)
{
	struct dmarc_record r;

	(void)state;
	dmarc_parse("v=DMARC1; p=reject; adkim=s; aspf=s", &r);
	assert_true(r.adkim_strict);
	assert_true(r.aspf_strict);
	dmarc_record_release(&r);
	dmarc_parse("v=DMARC1; p=reject; adkim=r; aspf=x", &r);
	assert_false(r.adkim_strict);
	assert_false(r.aspf_strict);
	assert_non_null(strstr(r.problem, "aspf=x"));
	dmarc_record_release(&r);
}

/* p= each policy word, in any case; a p= that is none of them makes
 * the record unusable, unless rua= is given (6.6.3: p=none). */
static void
test_policies(void **state)
{
	static const char *const words[] = { "none", "quarantine", "reject" };
	struct dmarc_record r;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char rec[64];

		snprintf(rec, sizeof(rec), "v=DMARC1; p=%s", words[i]);
		dmarc_parse(rec, &r);
		assert_true(r.usable);
		assert_string_equal(dmarc_policy_name(r.p), words[i]);
		dmarc_record_release(&r);
	}
	dmarc_parse("v=DMARC1; p=Reject", &r);
	assert_int_equal(r.p, DMARC_P_REJECT);
	dmarc_record_release(&r);
	dmarc_parse("v=DMARC1; p=rejectt", &r);
	assert_false(r.usable);
	assert_non_null(r.problem);
	dmarc_record_release(&r);
	dmarc_parse("v=DMARC1; sp=reject", &r);
	assert_false(r.usable);
	dmarc_record_release(&r);
	dmarc_parse("v=DMARC1; p=bogus; rua=mailto:d@example.com", &r);
	assert_true(r.usable);
	assert_int_equal(r.p, DMARC_P_NONE);
	dmarc_record_release(&r);
}

/* Syntax errors: a pct= outside 0-100 or not a number is 100; the
 * version must come first, its value exactly DMARC1 (6.4). */
static void
test_syntax_errors(void **state)
{
	struct dmarc_record r;

	(void)state;
	dmarc_parse("v=DMARC1; p=none; pct=101", &r);
	assert_int_equal(r.pct, 100);
	assert_non_null(r.problem);
	dmarc_record_release(&r);
	dmarc_parse("v=DMARC1; p=none; pct=5x", &r);
	assert_int_equal(r.pct, 100);
	dmarc_record_release(&r);
	assert_true(dmarc_is_record("v=DMARC1; p=none"));
	assert_true(dmarc_is_record("v = DMARC1 ;p=none"));
	assert_true(dmarc_is_record("V=DMARC1"));
	assert_false(dmarc_is_record("v=DMARC1 p=reject"));
	assert_false(dmarc_is_record("v=dmarc1; p=reject"));
	assert_false(dmarc_is_record("p=reject; v=DMARC1"));
	assert_false(dmarc_is_record("v=spf1 -all"));
	assert_false(dmarc_is_record("v=DMARC10; p=none"));
	/* Unknown tags are ignored. */
	dmarc_parse("v=DMARC1; p=reject; xyz=1; fo=1", &r);
	assert_true(r.usable);
	assert_null(r.problem);
	dmarc_record_release(&r);
}

/* 6.6.3: more than one DMARC record: none applies. */
static void
test_count(void **state)
{
	char r1[] = "v=DMARC1; p=reject", r2[] = "v=spf1 -all", r3[] = "v=DMARC1; p=none";
	char r4[] = "google-site-verification=x", r5[] = "v=DMARC1; p=quarantine";
	char *two[] = { r1, r2, r3 };
	char *one[] = { r4, r5 };
	const char *first;

	(void)state;
	assert_int_equal(dmarc_count(two, 3, &first), 2);
	assert_string_equal(first, "v=DMARC1; p=reject");
	assert_int_equal(dmarc_count(one, 2, &first), 1);
	assert_string_equal(first, "v=DMARC1; p=quarantine");
	assert_int_equal(dmarc_count(one, 1, &first), 0);
	assert_null(first);
}

/* 3.1.1 and 3.1.2: relaxed, the same organisational domain; strict, the
 * same domain.  The organisational domain by the Public Suffix List
 * (3.2): example.co.uk is one, co.uk is not. */
static void
test_aligned(void **state)
{
	char *o;

	(void)state;
	assert_true(dmarc_aligned("example.com", "news.example.com", false, orgdomain));
	assert_false(dmarc_aligned("example.com", "news.example.com", true, orgdomain));
	assert_true(dmarc_aligned("Example.COM.", "example.com", true, orgdomain));
	assert_true(dmarc_aligned("bounce.news.example.com", "mail.example.com", false, orgdomain));
	assert_false(dmarc_aligned("example.net", "example.com", false, orgdomain));
	assert_true(dmarc_aligned("mail.shop.example.co.uk", "example.co.uk", false, orgdomain));
	assert_false(dmarc_aligned("shop.co.uk", "other.co.uk", false, orgdomain));
	assert_false(dmarc_aligned("", "example.com", false, orgdomain));
	assert_false(dmarc_aligned(NULL, "example.com", false, orgdomain));
	o = orgdomain("a.b.mail.example.co.uk");
	assert_string_equal(o, "example.co.uk");
	free(o);
	assert_null(orgdomain("co.uk"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b21_monitoring),
		cmocka_unit_test(test_b24_pct),
		cmocka_unit_test(test_sp_subdomains),
		cmocka_unit_test(test_alignment_modes),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_aligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
