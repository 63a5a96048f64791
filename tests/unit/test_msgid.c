/* test_msgid.c - unit tests for msgid.h: Message-ID normalisation, the
 * end of the header block, and the Message-ID fields of a header */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "msgid.h"

/* msgid_normalize over the bytes of a literal; want NULL for "nothing". */
#define assert_norm(lit, want) check_norm((lit), sizeof(lit) - 1, (want), __LINE__)

static void
check_norm(const char *in, size_t len, const char *want, int line)
{
	char *got = msgid_normalize(in, len);

	if (want == NULL) {
		if (got != NULL) {
			print_error("line %d: got \"%s\", expected NULL\n", line, got);
			free(got);
			fail();
		}
		return;
	}
	if (got == NULL)
		fail_msg("line %d: got NULL, expected \"%s\"", line, want);
	if (strcmp(got, want) != 0) {
		print_error("line %d: got \"%s\", expected \"%s\"\n", line, got, want);
		free(got);
		fail();
	}
	free(got);
}

static void
test_normalize_brackets(void **state)
{
	(void)state;
	assert_norm("<abc@example.com>", "abc@example.com");
	assert_norm("<nl.1795180627.a41f@shop.example.com>",
		    "nl.1795180627.a41f@shop.example.com");
	/* Text around the brackets is not part of the id. */
	assert_norm("junk <abc@example.com> more", "abc@example.com");
	/* The first bracketed id wins. */
	assert_norm("<first@example.com> <second@example.com>", "first@example.com");
}

static void
test_normalize_no_brackets(void **state)
{
	(void)state;
	/* The API gives ids without brackets. */
	assert_norm("abc@example.com", "abc@example.com");
	assert_norm("order-10482.1795180980@shop.example.com",
		    "order-10482.1795180980@shop.example.com");
}

static void
test_normalize_whitespace(void **state)
{
	(void)state;
	assert_norm("   <abc@example.com>", "abc@example.com");
	assert_norm("<abc@example.com>  \t ", "abc@example.com");
	assert_norm(" \t<abc@example.com>\t ", "abc@example.com");
	assert_norm("< abc@example.com >", "abc@example.com");
	assert_norm("<abc @ example.com>", "abc@example.com");
	assert_norm("<\tabc@exa mple.com\t>", "abc@example.com");
	assert_norm("  abc@example.com  ", "abc@example.com");
}

static void
test_normalize_comments(void **state)
{
	(void)state;
	assert_norm("(comment) <abc@example.com>", "abc@example.com");
	assert_norm("<abc@example.com> (comment)", "abc@example.com");
	assert_norm("<abc(inside)@example.com>", "abc@example.com");
	/* A bracketed id inside a comment is not the id. */
	assert_norm("(was <old@example.com>) <abc@example.com>", "abc@example.com");
	assert_norm("abc@example.com (a comment)", "abc@example.com");
}

static void
test_normalize_nested_comments(void **state)
{
	(void)state;
	assert_norm("(a (b) c) <abc@example.com>", "abc@example.com");
	assert_norm("(a (b (c) <fake@x>) d)<abc@example.com>(x(y(z)))", "abc@example.com");
	/* The outer comment ends only at its own ')'. */
	assert_norm("(a (b) <fake@x>) <abc@example.com>", "abc@example.com");
}

static void
test_normalize_escaped_parens(void **state)
{
	(void)state;
	/* An escaped ')' does not close the comment. */
	assert_norm("(a \\) <fake@x> b) <abc@example.com>", "abc@example.com");
	/* An escaped '(' does not open a nested one. */
	assert_norm("(a \\( b) <abc@example.com>", "abc@example.com");
	assert_norm("(\\\\) <abc@example.com>", "abc@example.com");
}

static void
test_normalize_folding(void **state)
{
	(void)state;
	assert_norm("\r\n <abc@example.com>", "abc@example.com");
	assert_norm("\n\t<abc@example.com>", "abc@example.com");
	assert_norm("<abc@\r\n example.com>", "abc@example.com");
	assert_norm("<abc\n @example.com>", "abc@example.com");
	assert_norm(" <abc@example.com>\r", "abc@example.com");
	assert_norm("(comment\r\n continued) <abc@example.com>", "abc@example.com");
}

static void
test_normalize_quoted(void **state)
{
	(void)state;
	/* White space and specials inside quotes are part of the id. */
	assert_norm("<\"john  doe\"@example.com>", "\"john  doe\"@example.com");
	assert_norm("<\"a(b)c\"@example.com>", "\"a(b)c\"@example.com");
	assert_norm("<\"a\\\" b\"@example.com>", "\"a\\\" b\"@example.com");
	/* Unfolding inside quotes removes CRLF but keeps the WSP. */
	assert_norm("<\"a\r\n b\"@example.com>", "\"a b\"@example.com");
	/* The quoted local part keeps its case; only the domain is lowered. */
	assert_norm("<\"X@Y\"@Example.COM>", "\"X@Y\"@example.com");
	/* A '>' inside quotes does not close the brackets. */
	assert_norm("<\"a>b\"@example.com> (c)", "\"a>b\"@example.com");
	assert_norm("<\"a\\\">b\"@example.com>", "\"a\\\">b\"@example.com");
}

static void
test_strip_keeps_case(void **state)
{
	char *s;

	(void)state;
	s = msgid_strip(" <ABC.Def@Example.COM> (x)", 26);
	assert_non_null(s);
	assert_string_equal(s, "ABC.Def@Example.COM");
	free(s);
	s = msgid_normalize(" <ABC.Def@Example.COM> (x)", 26);
	assert_string_equal(s, "ABC.Def@example.com");
	free(s);
	assert_null(msgid_strip("<>", 2));
}

static void
test_normalize_case(void **state)
{
	(void)state;
	assert_norm("<ABC.Def@Example.COM>", "ABC.Def@example.com");
	assert_norm("ABC.Def@EXAMPLE.COM", "ABC.Def@example.com");
	assert_norm("<MiXeD@[192.0.2.1]>", "MiXeD@[192.0.2.1]");
	/* Without '@' nothing is a domain: nothing is lowered. */
	assert_norm("<ABCdef>", "ABCdef");
}

static void
test_normalize_empty(void **state)
{
	(void)state;
	assert_norm("", NULL);
	assert_norm("   ", NULL);
	assert_norm(" \t\r\n ", NULL);
	assert_norm("(only a comment)", NULL);
	assert_norm(" (a (nested) comment) ", NULL);
	assert_norm("<>", NULL);
	assert_norm("< >", NULL);
	assert_norm("<(comment)>", NULL);
}

static void
test_normalize_unterminated_bracket(void **state)
{
	(void)state;
	/* No '>': the id runs to the end of the value. */
	assert_norm("<abc@Example.com", "abc@example.com");
	assert_norm("  <abc@example.com  ", "abc@example.com");
	assert_norm("<", NULL);
}

static void
test_normalize_length(void **state)
{
	char *got;

	(void)state;
	/* Only len bytes are read. */
	got = msgid_normalize("<a@b>XYZ", 5);
	assert_non_null(got);
	assert_string_equal(got, "a@b");
	free(got);
	got = msgid_normalize("<abc@example.com>", 4);
	assert_non_null(got);
	assert_string_equal(got, "abc");
	free(got);
	got = msgid_normalize("abc", 0);
	assert_null(got);
}

/* msgid_header_end over a literal. */
#define assert_header_end(lit, want, want_complete) do {		\
		bool c_ = !(want_complete);				\
		size_t n_ = msgid_header_end((lit), sizeof(lit) - 1, &c_); \
		if (n_ != (size_t)(want) || c_ != (want_complete))	\
			fail_msg("header_end: got %zu/%s, expected %zu/%s", \
				 n_, c_ ? "complete" : "incomplete",	\
				 (size_t)(want),			\
				 (want_complete) ? "complete" : "incomplete"); \
	} while (0)

static void
test_header_end_lf(void **state)
{
	(void)state;
	assert_header_end("A: b\nC: d\n\nbody", 11, true);
	assert_header_end("A: b\n\n", 6, true);
	assert_header_end("A: b\n\nMessage-ID: <x@y>\n\nmore", 6, true);
	/* A line of blanks is not empty. */
	assert_header_end("A: b\n \nC: d\n\nx", 13, true);
}

static void
test_header_end_crlf(void **state)
{
	(void)state;
	assert_header_end("A: b\r\nC: d\r\n\r\nbody", 14, true);
	assert_header_end("A: b\r\n\r\n", 8, true);
	/* Mixed endings. */
	assert_header_end("A: b\n\r\nbody", 7, true);
	assert_header_end("A: b\r\n\nbody", 7, true);
}

static void
test_header_end_leading_blank(void **state)
{
	(void)state;
	assert_header_end("\nA: b\n\nbody", 1, true);
	assert_header_end("\r\nA: b\r\n\r\nbody", 2, true);
	assert_header_end("\n", 1, true);
}

static void
test_header_end_incomplete(void **state)
{
	(void)state;
	assert_header_end("A: b\nC: d\n", 10, false);
	assert_header_end("A: b\r\nC: d\r\n", 12, false);
	assert_header_end("A: b", 4, false);
	assert_header_end("A: b\r\n\r", 7, false);
	assert_header_end("", 0, false);
}

/* Every Message-ID field of hdr, as normalised ids, into ids[]; returns
 * how many.  Also checks each value stays inside its own field. */
static size_t
collect(const char *hdr, size_t len, char **ids, size_t max)
{
	size_t pos = 0, n = 0, last = 0;
	const char *v;
	size_t vlen;

	while (msgid_next_field(hdr, len, &pos, &v, &vlen)) {
		assert_true(n < max);
		assert_true(v >= hdr && v + vlen <= hdr + len);
		/* The value starts after a colon and ends at its line's end. */
		assert_true(v > hdr && memchr(hdr + last, ':', (size_t)(v - hdr) - last) != NULL);
		assert_true(pos > (size_t)(v - hdr) || (pos == len && v + vlen == hdr + len));
		assert_true(pos <= len);
		if (vlen > 0)
			assert_true(v[vlen - 1] != '\n');
		ids[n++] = msgid_normalize(v, vlen);
		last = pos;
	}
	assert_int_equal(pos, len);
	/* Once done, it stays done. */
	assert_false(msgid_next_field(hdr, len, &pos, &v, &vlen));
	return n;
}

static void
free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
}

/* hdr (a literal) must yield exactly the listed ids, in order. */
#define assert_fields(lit, ...) do {					\
		const char *want_[] = { __VA_ARGS__ };			\
		check_fields((lit), sizeof(lit) - 1, want_,		\
			     sizeof(want_) / sizeof(want_[0]), __LINE__); \
	} while (0)
#define assert_no_fields(lit) check_fields((lit), sizeof(lit) - 1, NULL, 0, __LINE__)

static void
check_fields(const char *hdr, size_t len, const char **want, size_t nwant, int line)
{
	char *ids[8];
	size_t n = collect(hdr, len, ids, 8);
	bool ok = n == nwant;

	for (size_t i = 0; ok && i < n; i++)
		ok = ids[i] != NULL && strcmp(ids[i], want[i]) == 0;
	if (!ok) {
		print_error("line %d: got %zu field(s), expected %zu\n", line, n, nwant);
		for (size_t i = 0; i < n; i++)
			print_error("  got [%zu] \"%s\"\n", i, ids[i] ? ids[i] : "(null)");
		for (size_t i = 0; i < nwant; i++)
			print_error("  want [%zu] \"%s\"\n", i, want[i]);
		free_ids(ids, n);
		fail();
	}
	free_ids(ids, n);
}

static void
test_next_field_basic(void **state)
{
	static const char hdr[] = "From: a@example.com\nMessage-ID: <abc@example.com>\n"
				  "Subject: hi\n\nbody\n";
	size_t pos = 0, vlen = 0;
	const char *v = NULL;

	(void)state;
	assert_true(msgid_next_field(hdr, sizeof(hdr) - 1, &pos, &v, &vlen));
	/* Borrowed from hdr: the raw value after the colon. */
	assert_ptr_equal(v, strstr(hdr, " <abc@example.com>"));
	assert_int_equal(vlen, strlen(" <abc@example.com>"));
	assert_false(msgid_next_field(hdr, sizeof(hdr) - 1, &pos, &v, &vlen));
}

static void
test_next_field_name_case(void **state)
{
	(void)state;
	assert_fields("message-id: <a@example.com>\n\n", "a@example.com");
	assert_fields("MESSAGE-ID: <a@example.com>\n\n", "a@example.com");
	assert_fields("Message-Id: <a@example.com>\n\n", "a@example.com");
	assert_fields("mEsSaGe-iD:<a@example.com>\n\n", "a@example.com");
}

static void
test_next_field_wsp_before_colon(void **state)
{
	(void)state;
	assert_fields("Message-ID : <a@example.com>\n\n", "a@example.com");
	assert_fields("Message-ID\t \t: <a@example.com>\n\n", "a@example.com");
	/* A name followed by something else is another field. */
	assert_no_fields("Message-ID x: <a@example.com>\n\n");
	assert_no_fields("Message-IDs: <a@example.com>\n\n");
	assert_no_fields("Message-ID-Extra: <a@example.com>\n\n");
	assert_no_fields("Message-ID\n\n");
	assert_no_fields(" Message-ID: <a@example.com>\n\n");
}

static void
test_next_field_folded(void **state)
{
	(void)state;
	assert_fields("Subject: s\nMessage-ID:\n <long.id@example.com>\nTo: b\n\n",
		      "long.id@example.com");
	assert_fields("Subject: s\r\nMessage-ID:\r\n\t<long.id@example.com>\r\nTo: b\r\n\r\n",
		      "long.id@example.com");
	assert_fields("Message-ID: <long.\r\n id@Example.\r\n COM>\r\n\r\n",
		      "long.id@example.com");
	assert_fields("Message-ID: (a comment\n on two lines) <x@example.com>\nTo: b\n\n",
		      "x@example.com");
}

static void
test_next_field_value_borrowed(void **state)
{
	static const char hdr[] = "Message-ID:\r\n <x@example.com>\r\nTo: b\r\n\r\n";
	size_t pos = 0, vlen = 0;
	const char *v = NULL;

	(void)state;
	assert_true(msgid_next_field(hdr, sizeof(hdr) - 1, &pos, &v, &vlen));
	assert_ptr_equal(v, hdr + strlen("Message-ID:"));
	/* The folding is part of the value, the next field is not. */
	assert_non_null(memchr(v, '<', vlen));
	assert_non_null(memchr(v, '>', vlen));
	assert_null(memchr(v, 'T', vlen));
	assert_int_equal(pos, strlen("Message-ID:\r\n <x@example.com>\r\n"));
}

static void
test_next_field_other_ids_ignored(void **state)
{
	(void)state;
	assert_no_fields("Resent-Message-ID: <r@example.com>\n"
			 "X-Message-ID: <x@example.com>\n"
			 "Original-Message-ID: <o@example.com>\n"
			 "References: <ref1@example.com>\n <ref2@example.com>\n"
			 "In-Reply-To: <irt@example.com>\n"
			 "Subject: Message-ID: <s@example.com>\n"
			 "\n");
	assert_fields("Resent-Message-ID: <r@example.com>\n"
		      "References: <ref@example.com>\n"
		      "Message-ID: <own@example.com>\n"
		      "In-Reply-To: <irt@example.com>\n"
		      "X-Message-ID: <x@example.com>\n"
		      "\n",
		      "own@example.com");
}

static void
test_next_field_continuation_not_a_field(void **state)
{
	(void)state;
	/* A continuation line of another field that looks like a field. */
	assert_fields("Subject: hello\n Message-ID: <fake@example.com>\n"
		      "Message-ID: <real@example.com>\n\n",
		      "real@example.com");
	assert_no_fields("Subject: hello\n\tMessage-ID: <fake@example.com>\n\n"
			 "Message-ID: <body@example.com>\n");
}

static void
test_next_field_body_ignored(void **state)
{
	(void)state;
	assert_no_fields("From: a@example.com\nSubject: x\n\nMessage-ID: <body@example.com>\n");
	assert_no_fields("From: a@example.com\r\nSubject: x\r\n\r\nMessage-ID: <body@example.com>\r\n");
	assert_fields("Message-ID: <head@example.com>\n\nMessage-ID: <body@example.com>\n",
		      "head@example.com");
	assert_fields("Message-ID: <head@example.com>\r\n\r\nMessage-ID: <body@example.com>\r\n",
		      "head@example.com");
	/* A message that starts with its blank line has no header at all. */
	assert_no_fields("\nMessage-ID: <body@example.com>\n");
	assert_no_fields("\r\nMessage-ID: <body@example.com>\r\n");
}

static void
test_next_field_two(void **state)
{
	(void)state;
	assert_fields("Message-ID: <first@example.com>\nSubject: x\n"
		      "message-id: <second@example.com>\n\nbody\n",
		      "first@example.com", "second@example.com");
	assert_fields("Message-ID: <first@example.com>\r\n"
		      "Message-ID:\r\n <second@example.com>\r\n\r\n",
		      "first@example.com", "second@example.com");
}

static void
test_next_field_mbox_from(void **state)
{
	(void)state;
	assert_fields("From sender@example.com Mon Aug 29 17:42:50 2022\n"
		      "From: sender@example.com\n"
		      "Message-ID: <a@example.com>\n\nbody\n",
		      "a@example.com");
	assert_fields("From MAILER-DAEMON Mon Aug 29 17:42:50 2022\r\n"
		      "Message-ID: <a@example.com>\r\n\r\n",
		      "a@example.com");
}

static void
test_next_field_no_blank_line(void **state)
{
	(void)state;
	/* A header alone (no blank line, last line without newline). */
	assert_fields("Subject: x\nMessage-ID: <end@example.com>", "end@example.com");
	assert_fields("Message-ID: <a@example.com>\nTo: b", "a@example.com");
	assert_fields("Message-ID:\n <end@example.com>", "end@example.com");
	assert_no_fields("");
	assert_no_fields("Subject: x");
}

static void
test_next_field_empty_value(void **state)
{
	static const char hdr[] = "Message-ID:\nTo: b\n\n";
	size_t pos = 0, vlen = 99;
	const char *v = NULL;

	(void)state;
	assert_true(msgid_next_field(hdr, sizeof(hdr) - 1, &pos, &v, &vlen));
	assert_int_equal(vlen, 0);
	assert_null(msgid_normalize(v, vlen));
	assert_false(msgid_next_field(hdr, sizeof(hdr) - 1, &pos, &v, &vlen));
}

/* msgid_form over the bytes of a literal. */
#define assert_form(lit, want) assert_int_equal(msgid_form((lit), sizeof(lit) - 1), (want))

static void
test_form(void **state)
{
	(void)state;
	/* RFC 5322 3.6.4: CFWS outside the brackets only */
	assert_form("<a1@example.com>", MSGID_FORM_STRICT);
	assert_form(" <a.b$c/d=e@mail.example.com> (comment)\r\n", MSGID_FORM_STRICT);
	assert_form("<a@[192.0.2.1]>", MSGID_FORM_STRICT);
	assert_form("<caf\xc3\xa9@example.com>", MSGID_FORM_STRICT);	/* RFC 6532 */
	/* section 4: obs-id-left = local-part, obs-id-right = domain */
	assert_form("< local@domain.example >", MSGID_FORM_OBSOLETE);
	assert_form("<local (a comment) @ domain.example>", MSGID_FORM_OBSOLETE);
	assert_form("<local\r\n @domain.example>", MSGID_FORM_OBSOLETE);	/* folded */
	assert_form("<\"a b\"@domain.example>", MSGID_FORM_OBSOLETE);
	assert_form("<\"a\\\"b\"@domain.example>", MSGID_FORM_OBSOLETE);
	assert_form("<a . b@domain.example>", MSGID_FORM_OBSOLETE);
	assert_form("<a@ domain . example>", MSGID_FORM_OBSOLETE);
	assert_form("<a@[ 192.0.2.1 ]>", MSGID_FORM_OBSOLETE);
	assert_form("<a@(c)[192.0.2.1](c)>", MSGID_FORM_OBSOLETE);
	/* neither */
	assert_form("", MSGID_FORM_MALFORMED);
	assert_form("a1@example.com", MSGID_FORM_MALFORMED);
	assert_form("<a1@example.com", MSGID_FORM_MALFORMED);
	assert_form("<a1@example.com> junk", MSGID_FORM_MALFORMED);
	assert_form("<a1@example.com> <a2@example.com>", MSGID_FORM_MALFORMED);
	assert_form("<a b@example.com>", MSGID_FORM_MALFORMED);
	assert_form("<a..b@example.com>", MSGID_FORM_MALFORMED);
	assert_form("<a:b@example.com>", MSGID_FORM_MALFORMED);
	assert_form("<@example.com>", MSGID_FORM_MALFORMED);
	assert_form("<a@>", MSGID_FORM_MALFORMED);
	assert_form("<a@b@c>", MSGID_FORM_MALFORMED);
	assert_form("<a (open @b>", MSGID_FORM_MALFORMED);
	assert_form("<\"open@b>", MSGID_FORM_MALFORMED);
	assert_form("<a\0b@c>", MSGID_FORM_MALFORMED);
	assert_form("<a@[1.2]3]>", MSGID_FORM_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_brackets),
		cmocka_unit_test(test_normalize_no_brackets),
		cmocka_unit_test(test_normalize_whitespace),
		cmocka_unit_test(test_normalize_comments),
		cmocka_unit_test(test_normalize_nested_comments),
		cmocka_unit_test(test_normalize_escaped_parens),
		cmocka_unit_test(test_normalize_folding),
		cmocka_unit_test(test_normalize_quoted),
		cmocka_unit_test(test_normalize_case),
		cmocka_unit_test(test_strip_keeps_case),
		cmocka_unit_test(test_normalize_empty),
		cmocka_unit_test(test_normalize_unterminated_bracket),
		cmocka_unit_test(test_normalize_length),
		cmocka_unit_test(test_header_end_lf),
		cmocka_unit_test(test_header_end_crlf),
		cmocka_unit_test(test_header_end_leading_blank),
		cmocka_unit_test(test_header_end_incomplete),
		cmocka_unit_test(test_next_field_basic),
		cmocka_unit_test(test_next_field_name_case),
		cmocka_unit_test(test_next_field_wsp_before_colon),
		cmocka_unit_test(test_next_field_folded),
		cmocka_unit_test(test_next_field_value_borrowed),
		cmocka_unit_test(test_next_field_other_ids_ignored),
		cmocka_unit_test(test_next_field_continuation_not_a_field),
		cmocka_unit_test(test_next_field_body_ignored),
		cmocka_unit_test(test_next_field_two),
		cmocka_unit_test(test_next_field_mbox_from),
		cmocka_unit_test(test_next_field_no_blank_line),
		cmocka_unit_test(test_next_field_empty_value),
		cmocka_unit_test(test_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
