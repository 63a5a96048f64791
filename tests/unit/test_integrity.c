/* test_integrity.c - unit tests for integrity.h (with mime.h): each
 * problem found on a message made in memory, with where it is */
#include "config.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"
#include "error.h"
#include "fpkit_limits.h"
#include "integrity.h"
#include "mime.h"
#include "mime_fixture.h"
#include "xalloc.h"

#define HDR "From: Alice <alice@example.com>\n" \
	"To: bob@example.net\n" \
	"Subject: Hello\n" \
	"Date: Fri, 20 Nov 2026 14:23:00 +0100\n" \
	"Message-ID: <a1@example.com>\n" \
	"MIME-Version: 1.0\n"
#define GOOD HDR "Content-Type: text/plain\n\nHello Bob.\n"

/* Check msg[0..len) with opt; r must be released by the caller. */
static void
check(const char *msg, size_t len, const struct integrity_options *opt,
      struct integrity_result *r)
{
	struct integrity_options none;
	struct mime_walk w;

	memset(&none, 0, sizeof(none));
	mime_walk_buffer(&w, msg, len);
	integrity_check(msg, len, &w, opt ? opt : &none, r);
	mime_walk_release(&w);
}

/* The problem ids of r, space-separated, in order. */
static void
assert_ids(const struct integrity_result *r, const char *want)
{
	char got[1024] = "";
	size_t n = 0;

	for (size_t i = 0; i < r->problems.nr && n < sizeof(got) - 64; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", i ? " " : "",
				      r->problems.items[i].id);
	if (strcmp(got, want) != 0)
		fail_msg("problems: got \"%s\", expected \"%s\"", got, want);
}

static const char *
detail(const struct integrity_result *r, const char *id)
{
	for (size_t i = 0; i < r->problems.nr; i++)
		if (strcmp(r->problems.items[i].id, id) == 0)
			return r->problems.items[i].detail;
	fail_msg("no problem '%s'", id);
	return NULL;
}

#define CHECK(lit, opt, r) check((lit), sizeof(lit) - 1, (opt), (r))

static void
test_good(void **state)
{
	struct integrity_result r;

	(void)state;
	CHECK(GOOD, NULL, &r);
	assert_ids(&r, "");
	assert_string_equal(r.message_id, "a1@example.com");
	integrity_result_release(&r);
	/* the same in CRLF */
	CHECK("From: a@example.com\r\nDate: Fri, 20 Nov 2026 14:23:00 +0100\r\n"
	      "Message-ID: <b@example.com>\r\n\r\nbody\r\n", NULL, &r);
	assert_ids(&r, "");
	integrity_result_release(&r);
}

static void
test_empty(void **state)
{
	struct integrity_result r;

	(void)state;
	check("", 0, NULL, &r);
	assert_ids(&r, "empty");
	integrity_result_release(&r);
}

static void
test_counts(void **state)
{
	struct integrity_result r;

	(void)state;
	CHECK("To: b@example.net\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Date: Fri, 20 Nov 2026 14:23:01 +0100\n\nx\n", NULL, &r);
	assert_ids(&r, "date-duplicated from-missing msgid-missing");
	assert_string_equal(detail(&r, "date-duplicated"),
			    "2 Date fields (lines 2, 3); RFC 5322 allows one");
	integrity_result_release(&r);
	CHECK("From: a@example.com\nfrom: c@example.com\nMessage-ID: <x@y>\n\nx\n", NULL, &r);
	assert_ids(&r, "date-missing from-duplicated");
	integrity_result_release(&r);
}

static void
test_msgid(void **state)
{
	struct integrity_options o;
	struct integrity_result r;

	(void)state;
	memset(&o, 0, sizeof(o));
	/* The target as the targets list holds it: as shown, and canonical
	 * (the local part keeps its case, the domain does not). */
	o.target = "A1@EXAMPLE.COM";
	o.target_id = "A1@example.com";
	CHECK(GOOD, &o, &r);
	assert_ids(&r, "msgid-mismatch");
	integrity_result_release(&r);
	o.target = "<a1@example.COM>";
	o.target_id = "a1@example.com";
	CHECK(GOOD, &o, &r);
	assert_ids(&r, "");
	integrity_result_release(&r);
	CHECK("From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Message-ID: no-brackets@example.com\n\nx\n", NULL, &r);
	assert_ids(&r, "msgid-malformed");
	assert_string_equal(detail(&r, "msgid-malformed"),
			    "line 3: \"no-brackets@example.com\" is not <left@right>");
	integrity_result_release(&r);
	CHECK("From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Message-ID: <ok@example.com> (a comment)\n\nx\n", NULL, &r);
	assert_ids(&r, "");
	integrity_result_release(&r);
	/* Each bracket is needed: the opening one and the closing one. */
	CHECK("From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Message-ID: <no-close@example.com\n\nx\n", NULL, &r);
	assert_ids(&r, "msgid-malformed");
	integrity_result_release(&r);
	CHECK("From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Message-ID: no-open@example.com>\n\nx\n", NULL, &r);
	assert_ids(&r, "msgid-malformed");
	integrity_result_release(&r);
}

static void
test_date_window(void **state)
{
	struct integrity_options o;
	struct integrity_result r;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.has_window = true;
	o.window_from = 1795180980;	/* 13:23:00Z: the Date exactly */
	o.window_to = 1795181527;
	CHECK(GOOD, &o, &r);
	assert_ids(&r, "");
	integrity_result_release(&r);
	o.window_from = 1795181000;
	CHECK(GOOD, &o, &r);
	assert_ids(&r, "date-outside-window");
	assert_string_equal(detail(&r, "date-outside-window"),
			    "line 4: 2026-11-20T13:23:00Z is 20s before the window "
			    "2026-11-20T13:23:20Z to 2026-11-20T13:32:07Z (slack 0s)");
	integrity_result_release(&r);
	o.slack = 20;
	CHECK(GOOD, &o, &r);
	assert_ids(&r, "");
	integrity_result_release(&r);
	CHECK("From: a@example.com\nDate: the day after\nMessage-ID: <x@y.z>\n\nx\n", &o, &r);
	assert_ids(&r, "date-unparseable");
	integrity_result_release(&r);
}

static void
test_lines(void **state)
{
	struct integrity_result r;
	char *msg;
	size_t n;

	(void)state;
	/* 999 octets on line 6 of the body */
	n = strlen(GOOD) + 1000;
	msg = malloc(n + 1);
	memcpy(msg, GOOD, strlen(GOOD));
	memset(msg + strlen(GOOD), 'x', 999);
	msg[n - 1] = '\n';
	msg[n] = '\0';
	check(msg, n, NULL, &r);
	assert_ids(&r, "line-too-long");
	assert_string_equal(detail(&r, "line-too-long"), "line 10 is 999 octets long (RFC 5322 "
			    "allows 998); 1 line over the limit, the longest 999 octets");
	integrity_result_release(&r);
	/* 998 is allowed */
	memmove(msg + strlen(GOOD), msg + strlen(GOOD) + 1, 999);
	check(msg, n - 1, NULL, &r);
	free(msg);
	assert_ids(&r, "");
	integrity_result_release(&r);
	CHECK("From: a@example.com\r\nDate: Fri, 20 Nov 2026 14:23:00 +0100\r\n"
	      "Message-ID: <b@example.com>\n\r\nbo\rdy\r\n", NULL, &r);
	assert_ids(&r, "line-ends-mixed bare-cr");
	assert_string_equal(detail(&r, "bare-cr"), "line 5: a CR not followed by LF (1 in the message)");
	integrity_result_release(&r);
	CHECK(GOOD "cut he", NULL, &r);
	assert_ids(&r, "final-newline-missing");
	integrity_result_release(&r);
	/* The shortest message without a line end: one byte. */
	CHECK("x", NULL, &r);
	assert_string_equal(detail(&r, "final-newline-missing"),
			    "line 1 (byte 1): the last line has no line end: the copy may have been cut there");
	integrity_result_release(&r);
}

static void
test_header_block(void **state)
{
	struct integrity_result r;

	(void)state;
	CHECK(HDR, NULL, &r);
	assert_ids(&r, "header-unterminated");
	integrity_result_release(&r);
	CHECK("From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Message-ID: <x@y.z>\nSubject: caf\xc3\xa9\nnot a field\n\nx\n", NULL, &r);
	assert_ids(&r, "header-line-invalid header-8bit");
	assert_string_equal(detail(&r, "header-line-invalid"), "line 5: a header line that is "
			    "neither a field nor the continuation of one");
	integrity_result_release(&r);
	CHECK("From someone@example.com Fri Nov 20 14:23:00 2026\n" GOOD, NULL, &r);
	assert_ids(&r, "mbox-from-line");
	integrity_result_release(&r);
}

static void
test_resave(void **state)
{
	struct integrity_result r;

	(void)state;
	CHECK("X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00800000\n" GOOD, NULL, &r);
	assert_ids(&r, "client-resave");
	assert_non_null(strstr(detail(&r, "client-resave"), "line 1: X-Mozilla-Status (and 1 more"));
	integrity_result_release(&r);
	CHECK("X-Mozilla-Keys: \nX-Mozilla-Status2: 00800000\n" GOOD, NULL, &r);
	assert_ids(&r, "client-resave");
	assert_non_null(strstr(detail(&r, "client-resave"), "line 1: X-Mozilla-Keys (and 1 more"));
	integrity_result_release(&r);
	CHECK("x-ms-exchange-organization-authas: Internal\nX-Unsent: 1\n" GOOD, NULL, &r);
	assert_ids(&r, "client-resave");
	assert_non_null(strstr(detail(&r, "client-resave"), "line 2: X-Unsent: Outlook"));
	integrity_result_release(&r);
	/* Exchange adds these in transit: genuine relayed mail has them */
	CHECK("X-MS-Exchange-Organization-AuthAs: Anonymous\n"
	      "X-MS-Exchange-Organization-SCL: 1\nX-MS-Exchange-Organization-Network-Message-Id: "
	      "3f1c\n" GOOD, NULL, &r);
	assert_ids(&r, "");
	integrity_result_release(&r);
}

static void
test_multipart(void **state)
{
	static const char mp[] = HDR "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
		"--b1\nContent-Type: text/plain\n\nhello\n"
		"--b1\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
		"aGVsbG8gd29ybGQ=\n--b1--\n";
	struct integrity_result r;
	char *cut;

	(void)state;
	CHECK(mp, NULL, &r);
	assert_ids(&r, "");
	integrity_result_release(&r);
	/* cut after the base64 */
	cut = strdup(mp);
	*strstr(cut, "--b1--") = '\0';
	check(cut, strlen(cut), NULL, &r);
	assert_ids(&r, "truncated-multipart");
	integrity_result_release(&r);
	/* cut inside the base64, in the middle of a group */
	*strstr(cut, "G8gd29y") = '\0';
	check(cut, strlen(cut), NULL, &r);
	assert_ids(&r, "final-newline-missing truncated-multipart base64-invalid");
	assert_non_null(strstr(detail(&r, "base64-invalid"), "part 2 (application/octet-stream), "
			       "line 17 (byte 319): "));
	assert_non_null(strstr(detail(&r, "base64-invalid"), "it ends in the middle of a "
			       "4-character group (5 characters): the part was cut"));
	integrity_result_release(&r);
	free(cut);
	/* a bad character */
	cut = strdup(mp);
	strstr(cut, "aGVs")[1] = '*';
	check(cut, strlen(cut), NULL, &r);
	assert_ids(&r, "base64-invalid");
	assert_non_null(strstr(detail(&r, "base64-invalid"), "byte 0x2a is not base64"));
	integrity_result_release(&r);
	free(cut);
}

/* Many multiparts: each one's close-delimiter is found (or not) in one
 * pass, boundaries shared or prefixes of each other included. */
static void
test_multipart_many(void **state)
{
	static const char nested[] = HDR "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
		"--b\nContent-Type: multipart/alternative; boundary=\"b-\"\n\n"
		"--b-\nContent-Type: text/plain\n\none\n"
		"--b---\n"
		"--b\nContent-Type: multipart/alternative; boundary=\"b-x\"\n\n"
		"--b-x\nContent-Type: text/plain\n\ntwo\n"
		"--b\nContent-Type: text/plain\n\nthree\n"
		"--b--  \r\n";
	struct integrity_result r;

	(void)state;
	CHECK(nested, NULL, &r);
	/* "--b---" closes "b-", not "b"; "b-x" is never closed (GMime,
	 * reading "--b-x" as a delimiter of "b", finds it empty) */
	assert_ids(&r, "line-ends-mixed truncated-multipart mime-multipart-empty");
	assert_non_null(strstr(detail(&r, "truncated-multipart"), "boundary \"b-x\""));
	integrity_result_release(&r);
}

/* Line numbers stay right however far into the message the finding is
 * (they come from an index made once, not from a count from byte 0). */
static void
test_line_numbers(void **state)
{
	static const char head[] = HDR "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
		"--b\nContent-Type: application/octet-stream\n"
		"Content-Transfer-Encoding: base64\n\n";
	struct integrity_result r;
	char want[128], *msg;
	size_t len = 0, at;
	unsigned line = 1;

	(void)state;
	msg = malloc(sizeof(head) + 3000 * 5 + 32);
	assert_non_null(msg);
	memcpy(msg, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	for (int i = 0; i < 3000; i++) {
		memcpy(msg + len, "QUFB\n", 5);
		len += 5;
	}
	at = len + 2;
	memcpy(msg + len, "QU*B\n--b--\n", 11);
	len += 11;
	for (size_t i = 0; i < at; i++)
		line += msg[i] == '\n';
	check(msg, len, NULL, &r);
	assert_ids(&r, "base64-invalid");
	snprintf(want, sizeof(want), "part 1 (application/octet-stream), line %u (byte %zu): ",
		 line, at);
	assert_non_null(strstr(detail(&r, "base64-invalid"), want));
	integrity_result_release(&r);
	free(msg);
}

/* A message that ends where a header line does, in a buffer of exactly
 * its size (no NUL after it): nothing is read past the end (ASan). */
static void
test_exact_buffer(void **state)
{
	static const char *const cases[] = {
		"From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\nX-Name",
		"From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\nMessage-ID:   ",
	};
	static const char *const want[] = {
		"header-unterminated parse-failed header-line-invalid final-newline-missing "
		"msgid-missing",
		"header-unterminated final-newline-missing msgid-malformed",
	};
	struct integrity_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i]);
		char *buf = malloc(len);

		assert_non_null(buf);
		memcpy(buf, cases[i], len);
		check(buf, len, NULL, &r);
		free(buf);
		assert_ids(&r, want[i]);
		integrity_result_release(&r);
	}
}

static void
test_nul(void **state)
{
	static const char body_nul[] = HDR "\nHello\0Bob.\n";
	static const char cl_nul[] = HDR "Content-Length: 5\0junk\n\nHello\n";
	struct integrity_result r;

	(void)state;
	CHECK(body_nul, NULL, &r);
	assert_ids(&r, "nul-byte");
	assert_string_equal(detail(&r, "nul-byte"), "line 8 (byte 158): a NUL byte (1 in the "
			    "message): no message holds one (RFC 5322 2.1), and most programs "
			    "cut the text there");
	integrity_result_release(&r);
	/* "5\0junk" is not 5, though the body is 5 bytes long */
	CHECK(cl_nul, NULL, &r);
	assert_ids(&r, "nul-byte content-length-invalid");
	integrity_result_release(&r);
}

/* The header block's limits: size and number of fields. */
static void
test_header_fits(void **state)
{
	struct check_list problems = { NULL, 0, 0 };
	size_t n = (FPKIT_LIMIT_HEADER_FIELDS + 1) * 3, len;
	char *msg = malloc(2 * 1024 * 1024 + 16);

	(void)state;
	assert_non_null(msg);
	/* as many fields as allowed, then one more */
	for (size_t i = 0; i < n; i += 3)
		memcpy(msg + i, "a:\n", 3);
	memcpy(msg + n, "\nbody\n", 6);
	assert_true(integrity_header_fits(msg + 3, n - 3 + 6, &problems));
	assert_int_equal(problems.nr, 0);
	assert_false(integrity_header_fits(msg, n + 6, &problems));
	assert_int_equal(problems.nr, 1);
	assert_string_equal(problems.items[0].id, "header-too-large");
	assert_string_equal(problems.items[0].detail, "line 10001: the header block holds "
			    "more than 10000 fields: nothing else was checked");
	check_list_release(&problems);
	/* continuation lines are no fields */
	for (size_t i = 3; i < n; i += 3)
		msg[i] = ' ';
	assert_true(integrity_header_fits(msg, n + 6, &problems));
	/* 2 MiB in one folded field */
	len = 2 * 1024 * 1024;
	memcpy(msg, "Subject: ", 9);
	for (size_t i = 9; i < len; i++)
		msg[i] = i % 70 == 0 ? '\n' : i % 70 == 1 ? ' ' : 'x';
	memcpy(msg + len, "\n\nbody\n", 7);
	assert_false(integrity_header_fits(msg, len + 7, &problems));
	assert_string_equal(problems.items[0].detail, "line 1 (byte 0): the header block is "
			    "2097154 bytes, more than the 1048576 read: nothing else was checked");
	check_list_release(&problems);
	/* as large without its empty line */
	assert_false(integrity_header_fits(msg, len, &problems));
	assert_non_null(strstr(problems.items[0].detail, "(no empty line ends it)"));
	check_list_release(&problems);
	free(msg);
}

static void
test_content_length(void **state)
{
	struct integrity_result r;

	(void)state;
	CHECK(HDR "Content-Length: 11\n\nHello Bob.\n", NULL, &r);
	assert_ids(&r, "");
	integrity_result_release(&r);
	CHECK(HDR "Content-Length: 12\n\nHello Bob.\n", NULL, &r);
	assert_ids(&r, "content-length-mismatch");
	assert_string_equal(detail(&r, "content-length-mismatch"),
			    "line 7: Content-Length says 12 bytes, the body has 11");
	integrity_result_release(&r);
	CHECK(HDR "Content-Length: -1\n\nHello Bob.\n", NULL, &r);
	assert_ids(&r, "content-length-invalid");
	integrity_result_release(&r);
}

static void
test_received(void **state)
{
	static const char msg[] =
		"Received: from mx.example.com (mx.example.com [198.51.100.2])\n"
		"\tby relay.example.net (Postfix) with ESMTPS id 12AB; Fri, 20 Nov 2026 14:23:00 +0100\n"
		"Received: from [IPv6:2001:db8::1] (helo=web)\n"
		"\tby mx.example.com with esmtp; Fri, 20 Nov 2026 14:22:59 +0100\n"
		GOOD;
	struct integrity_options o;
	struct integrity_result r;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.ip = "2001:0db8:0:0::1";
	CHECK(msg, &o, &r);
	assert_int_equal(r.nr_hops, 2);
	assert_string_equal(r.hops[0].from, "mx.example.com");
	assert_string_equal(r.hops[0].by, "relay.example.net");
	assert_int_equal(r.hops[0].nr_ips, 1);
	assert_string_equal(r.hops[0].ips[0], "198.51.100.2");
	assert_int_equal(r.hops[1].line, 3);
	assert_int_equal(r.hops[1].nr_ips, 1);
	assert_string_equal(r.hops[1].ips[0], "2001:db8::1");
	assert_true(r.ip_seen);		/* compared in inet_ntop form */
	integrity_result_release(&r);
	o.ip = "198.51.100.3";
	CHECK(msg, &o, &r);
	assert_false(r.ip_seen);
	integrity_result_release(&r);
}

/* The obsolete syntax of RFC 5322 section 4 is valid: msgid-obsolete,
 * never msgid-malformed, and the id is read through it. */
static void
test_msgid_obsolete(void **state)
{
	struct integrity_options o;
	struct integrity_result r;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.target = "a1@example.com";
	o.target_id = "a1@example.com";
	CHECK("From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Message-ID: < a1@example.com >\n\nx\n", &o, &r);
	assert_ids(&r, "msgid-obsolete");
	assert_string_equal(r.message_id, "a1@example.com");
	integrity_result_release(&r);
	CHECK("From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Message-ID: <a1 (the left part)\n @ example.com>\n\nx\n", &o, &r);
	assert_ids(&r, "msgid-obsolete");
	assert_true(strstr(detail(&r, "msgid-obsolete"), "line 3: ") != NULL);
	integrity_result_release(&r);
	CHECK("From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
	      "Message-ID: <\"a 1\"@example.com>\n\nx\n", NULL, &r);
	assert_ids(&r, "msgid-obsolete");
	integrity_result_release(&r);
}

/* The one table: sorted (it is searched), each id once, GMime's
 * warnings all in it, and the kinds the rules are documented with. */
static void
test_rule_kinds(void **state)
{
	static const char *const conformance[] = {
		"msgid-obsolete", "msgid-malformed", "header-8bit", "line-too-long",
		"date-missing", "date-duplicated", "from-missing", "msgid-missing",
		"mime-parameter-invalid", "header-line-invalid",
	};
	static const char *const altered[] = {
		"truncated-multipart", "final-newline-missing", "line-ends-mixed", "bare-cr",
		"client-resave", "dkim-body-changed", "dkim-header-changed", "nul-byte",
		"header-unterminated", "mime-truncated", "msgid-mismatch", "too-large",
		"header-too-large",
	};

	(void)state;
	for (size_t i = 1; i < integrity_nr_rules; i++)
		if (strcmp(integrity_rules[i - 1].id, integrity_rules[i].id) >= 0)
			fail_msg("integrity_rules: \"%s\" before \"%s\"",
				 integrity_rules[i - 1].id, integrity_rules[i].id);
	for (int code = 0; code < 64; code++) {
		const char *id = mime_walk_warning_id(code);
		bool found = false;

		for (size_t i = 0; i < integrity_nr_rules; i++)
			found |= strcmp(integrity_rules[i].id, id) == 0;
		if (!found)
			fail_msg("GMime's \"%s\" has no kind", id);
	}
	for (size_t i = 0; i < sizeof(conformance) / sizeof(conformance[0]); i++)
		if (integrity_rule_kind(conformance[i]) != INTEGRITY_CONFORMANCE)
			fail_msg("%s: not conformance", conformance[i]);
	for (size_t i = 0; i < sizeof(altered) / sizeof(altered[0]); i++)
		if (integrity_rule_kind(altered[i]) != INTEGRITY_ALTERED)
			fail_msg("%s: not altered", altered[i]);
	/* an id with no kind never makes a copy look intact */
	assert_int_equal(integrity_rule_kind("no-such-rule"), INTEGRITY_ALTERED);
}

/* checks_run_message on msg[0..len) without DKIM; r released by the
 * caller. */
static void
run_checks(const char *msg, size_t len, struct checks_result *r)
{
	struct checks_options opt;
	struct mime_message m;
	struct checks c;
	struct error err = ERROR_INIT;

	memset(&opt, 0, sizeof(opt));
	opt.no_dkim = true;
	assert_int_equal(checks_init(&c, &opt, &err), 0);
	mime_message_take(&m, xstrndup(msg, len), len);
	checks_run_message(&c, &m, NULL, r);
	mime_message_close(&m);
	checks_release(&c);
}

/* The ids of l, space-separated, in order, into got[size]. */
static const char *
list_ids(const struct check_list *l, char *got, size_t size)
{
	size_t n = 0;

	got[0] = '\0';
	for (size_t i = 0; i < l->nr && n < size - 64; i++)
		n += (size_t)snprintf(got + n, size - n, "%s%s", i ? " " : "", l->items[i].id);
	return got;
}

/* Intact depends on the problems only: the sender's slips are listed
 * apart and leave the copy intact; a cut or a conversion does not. */
static void
test_intact_split(void **state)
{
	char line[1200], msg[2048], got[512];
	struct checks_result r;

	(void)state;
	memset(line, 'x', 999);
	line[999] = '\0';
	/* an obsolete Message-ID, a UTF-8 Subject, a 999-octet line, no Date */
	snprintf(msg, sizeof(msg), "From: a@example.com\nSubject: r\xc3\xa9sum\xc3\xa9\n"
		 "Message-ID: < a1@example.com >\n\n%s\n", line);
	run_checks(msg, strlen(msg), &r);
	assert_true(r.intact);
	assert_string_equal(list_ids(&r.problems, got, sizeof(got)), "");
	assert_string_equal(list_ids(&r.conformance, got, sizeof(got)),
			    "line-too-long header-8bit date-missing msgid-obsolete");
	assert_string_equal(r.message_id, "a1@example.com");
	checks_result_release(&r);
	/* the same with its body's line ends converted: not intact, the
	 * slips still listed */
	snprintf(msg, sizeof(msg), "From: a@example.com\r\nSubject: r\xc3\xa9sum\xc3\xa9\r\n"
		 "Message-ID: < a1@example.com >\r\n\r\n%s\nbody\n", line);
	run_checks(msg, strlen(msg), &r);
	assert_false(r.intact);
	assert_string_equal(list_ids(&r.problems, got, sizeof(got)), "line-ends-mixed");
	assert_string_equal(list_ids(&r.conformance, got, sizeof(got)),
			    "line-too-long header-8bit date-missing msgid-obsolete");
	checks_result_release(&r);
	/* a multipart cut before its end */
	snprintf(msg, sizeof(msg), "From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n"
		 "Message-ID: <a1@example.com>\nMIME-Version: 1.0\n"
		 "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
		 "Content-Type: text/plain\n\nhello\n--b\nContent-Type: text/plain\n\nhel");
	run_checks(msg, strlen(msg), &r);
	assert_false(r.intact);
	assert_string_equal(list_ids(&r.problems, got, sizeof(got)),
			    "final-newline-missing truncated-multipart");
	assert_string_equal(list_ids(&r.conformance, got, sizeof(got)), "");
	checks_result_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_msgid),
		cmocka_unit_test(test_date_window),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_header_block),
		cmocka_unit_test(test_resave),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_multipart_many),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_exact_buffer),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_header_fits),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_received),
		cmocka_unit_test(test_msgid_obsolete),
		cmocka_unit_test(test_rule_kinds),
		cmocka_unit_test(test_intact_split),
	};

	return cmocka_run_group_tests(tests, mime_setup, mime_teardown);
}
