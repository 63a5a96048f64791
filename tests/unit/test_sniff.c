/* test_sniff.c - unit tests for store_looks_like_message: a plain
 * folder's file is a message when its first bytes are a header block */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "store.h"

/* The bytes in a buffer of their own size, so that a read past the end
 * is caught by ASan. */
static bool
looks(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	bool yes;

	assert_non_null(copy);
	memcpy(copy, s, len);
	yes = store_looks_like_message(copy, len);
	free(copy);
	return yes;
}

#define LOOKS(s) looks(s, sizeof(s) - 1)

static void
test_messages(void **state)
{
	(void)state;
	assert_true(LOOKS("From: a@example.com\nSubject: s\n\nbody\n"));
	assert_true(LOOKS("Message-ID: <a@example.com>\r\nSubject: s\r\n\r\n"));
	/* one field, then the empty line that ends the header block */
	assert_true(LOOKS("Message-ID: <a@example.com>\n\nbody\n"));
	/* folded lines between the fields */
	assert_true(LOOKS("Received: from a\n\tby b;\n  Fri, 20 Nov 2026\nTo: b\n"));
	/* white space before the colon (RFC 5322's obsolete syntax) */
	assert_true(LOOKS("Subject : s\nTo: b\n"));
	/* every ftext character in a name (the first starts with a letter) */
	assert_true(LOOKS("X-!#$%&'*+-.^_`{|}~0: v\nTo: b\n"));
	assert_true(LOOKS("To: b\n{|}~0: v\n"));
	/* the second field cut by the end of the bytes read (its name and
	 * colon are there) */
	assert_true(LOOKS("From: a\nTo:"));
}

static void
test_near_misses(void **state)
{
	(void)state;
	assert_false(LOOKS(""));
	assert_false(LOOKS("Dec  7 10:00:00 host postfix/smtp[1]: 1A2B: to=<b@example.com>\n"));
	assert_false(LOOKS("{\"a\": 1,\n \"b\": 2}\n\n"));
	assert_false(LOOKS("/* From: a@example.com */\n#include <stdio.h>\n"));
	assert_false(LOOKS("Subject: x\n\001\002\003binary\n\n"));
	assert_false(LOOKS("Subject: x\nTo: b\0\n\n"));
	assert_false(LOOKS("\357\273\277From: a\nTo: b\n\n"));	/* a byte order mark */
	assert_false(LOOKS("Message-ID: <lone@example.com>"));	/* no second line */
	assert_false(LOOKS("Message-ID: <lone@example.com>\n"));
	assert_false(LOOKS(" folded: first\nTo: b\n\n"));	/* a fold with no field */
	assert_false(LOOKS(": no name\nTo: b\n\n"));
	assert_false(LOOKS("From a@example.com Fri Nov 20 13:00:00 2026\nTo: b\n"));
	assert_false(LOOKS("Subject: s\nplain text line\n\n"));
	assert_false(LOOKS("Na\tme: v\nTo: b\n"));	/* a tab inside a name */
	assert_false(LOOKS("[section]\nkey: v\n\n"));
	assert_false(LOOKS("#comment: x\nTo: b\n\n"));
}

/* Only the first STORE_SNIFF_WINDOW bytes count. */
static void
test_window(void **state)
{
	size_t n = STORE_SNIFF_WINDOW + 100;
	char *buf = malloc(n);

	(void)state;
	assert_non_null(buf);
	/* a first line that fills the window: no second line in it */
	memset(buf, 'a', n);
	memcpy(buf, "X-Long: ", 8);
	memcpy(buf + STORE_SNIFF_WINDOW + 10, "\nTo: b\n\n", 8);
	assert_false(looks(buf, n));
	/* the second field starts on the window's last bytes */
	memset(buf, 'a', n);
	memcpy(buf, "X-Long: ", 8);
	memcpy(buf + STORE_SNIFF_WINDOW - 5, "\nTo:", 4);
	assert_true(looks(buf, n));
	/* a NUL past the window is not looked at */
	memcpy(buf + STORE_SNIFF_WINDOW + 5, "\0", 1);
	assert_true(looks(buf, n));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
