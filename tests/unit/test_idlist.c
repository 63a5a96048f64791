/* test_idlist.c - unit tests for idlist.h: which lines of a --msgid-file
 * are Message-IDs, which are skipped, and which stop the reading */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "idlist.h"
#include "targets.h"

/* judge over the bytes of a literal: 'i' an id, 's' skipped, 'x' refused
 * with a reason that holds 'why' (NULL: any reason). */
#define judge(lit, want, why) check_judge((lit), sizeof(lit) - 1, (want), (why), __LINE__)

static void
check_judge(const char *line, size_t len, char want, const char *why, int lineno)
{
	int skip = -1;
	const char *got = idlist_judge(line, len, &skip);
	char kind = got ? 'x' : skip ? 's' : 'i';

	if (kind != want)
		fail_msg("line %d: '%s' judged '%c' (%s), expected '%c'", lineno, line, kind,
			 got ? got : "-", want);
	if (want == 'x' && why && strstr(got, why) == NULL)
		fail_msg("line %d: '%s': reason '%s' does not say '%s'", lineno, line, got, why);
}

static void
test_ids(void **state)
{
	(void)state;
	judge("a@example.com", 'i', NULL);
	judge("<a@example.com>", 'i', NULL);
	judge("  <a@example.com>\t", 'i', NULL);
	judge("a@example.com\r", 'i', NULL);
	/* The obsolete forms: white space and comments inside the brackets,
	 * a quoted local part, a domain literal. */
	judge("< a@example.com >", 'i', NULL);
	judge("<a@example.com> (from the alert)", 'i', NULL);
	judge("<\"john doe\"@example.com>", 'i', NULL);
	judge("\"john\"@example.com", 'i', NULL);
	judge("<a@[192.0.2.1]>", 'i', NULL);
	judge("a@[IPv6:2001:db8::1]", 'i', NULL);
	/* UTF-8 is atext (RFC 6532). */
	judge("caf\xc3\xa9@example.com", 'i', NULL);
	/* Malformed ids some mailers write: one word, '@' required only
	 * without brackets. */
	judge("a..b@example.com", 'i', NULL);
	judge("a@b@example.com", 'i', NULL);
	judge(".a@example.com", 'i', NULL);
	judge("<1795180980.JavaMail.root>", 'i', NULL);
	judge("<a..b@example.com>", 'i', NULL);
	judge("../../etc/passwd@example.com", 'i', NULL);
}

static void
test_skipped(void **state)
{
	(void)state;
	judge("", 's', NULL);
	judge("\r", 's', NULL);
	judge("  \t ", 's', NULL);
	judge("# ids from the alert", 's', NULL);
	judge("   # indented", 's', NULL);
	judge("#", 's', NULL);
}

static void
test_json(void **state)
{
	(void)state;
	judge("[", 'x', "JSON");
	judge("{", 'x', "JSON");
	judge("  },", 'x', "JSON");
	judge("]", 'x', "JSON");
	judge("\"a@example.com\",", 'x', "JSON");
	judge("\"messageId\": \"a@example.com\",", 'x', "JSON");
	judge("{\"messageId\":\"a@example.com\"}", 'x', "JSON");
	judge("[\"a@example.com\",\"b@example.com\"]", 'x', "JSON");
	judge("\"averageSpamscore\": null", 'x', "JSON");
}

static void
test_mail(void **state)
{
	(void)state;
	judge("From a@example.com Fri Nov 20 13:00:00 2026", 'x', "mbox");
	judge("Message-ID: <a@example.com>", 'x', "header field");
	judge("Return-Path: <a@example.com>", 'x', "header field");
	judge("Subject:", 'x', "header field");
	judge("Dear customer, your IP is blocked.", 'x', "white space");
	judge("a@example.com b@example.com", 'x', "white space");
	judge("a @example.com", 'x', "white space");
	/* A base64 body line: a word, but no '@'. */
	judge("SGVsbG8gd29ybGQ=", 'x', "no '@'");
	judge("hello", 'x', "no '@'");
}

static void
test_refused(void **state)
{
	(void)state;
	judge("<>", 'x', "nothing between");
	judge("<a@example.com", 'x', "without its '>'");
	judge("<a@example.com> <b@example.com>", 'x', "text after");
	judge("<a@example.com> # note", 'x', "text after");
	judge("<a b c>", 'x', "white space");
	judge("<a,b>", 'x', "no Message-ID holds");
	judge("a,b@example.com", 'x', "no Message-ID holds");
	judge("a;b@example.com", 'x', "no Message-ID holds");
	judge("a\033b@example.com", 'x', "control character");
	judge("a\rb@example.com", 'x', "control character");
	judge("a\0b@example.com", 'x', "NUL byte");
}

/* A file of 'text': idlist_read's result, the targets in t. */
static int
read_text(const char *text, struct targets *t, struct error *err)
{
	char path[] = "/tmp/test_idlist.XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = idlist_read(t, path, err);
	unlink(path);
	return rc;
}

static void
test_read(void **state)
{
	struct targets t;
	struct error err = ERROR_INIT;

	(void)state;
	targets_init(&t);
	assert_int_equal(read_text("# from the alert\r\n\r\n<a@Example.COM>\r\nb@example.com\n"
				   "a@example.com\n", &t, &err), 0);
	/* In order, each once (the domain compares without case). */
	assert_int_equal(t.nr, 2);
	assert_string_equal(t.items[0].id, "a@example.com");
	assert_string_equal(t.items[1].id, "b@example.com");
	targets_release(&t);
}

static void
test_read_refused(void **state)
{
	struct targets t;
	struct error err = ERROR_INIT;

	(void)state;
	targets_init(&t);
	assert_int_equal(read_text("a@example.com\n\n{\"messageId\": \"a-much-longer-id-than-shown"
				   "@example.com\"}\n", &t, &err), -1);
	assert_int_equal(err.status, EX_DATAERR);
	/* The line's number, its start (40 bytes), the reason, the remedy. */
	assert_non_null(strstr(err.msg, " line 3: '{\"messageId\": \"a-much-longer-id-than-sho...' "
			       "is not a Message-ID (JSON"));
	assert_non_null(strstr(err.msg, "one Message-ID a line, with or without <>"));
	targets_release(&t);

	/* A cut never splits a character: é is 2 bytes, the 40th and 41st. */
	targets_init(&t);
	assert_int_equal(read_text("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9 x\n", &t, &err), -1);
	assert_non_null(strstr(err.msg, "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'"));
	targets_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
