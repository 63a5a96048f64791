/* test_mboxsep.c - unit tests for mboxsep.h: where the messages of an
 * mbox begin and end */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mboxsep.h"
#include "msgid.h"

/* mboxsep_trailer over the whole of msg, its header block found as the
 * scan finds it.  The message is copied to a buffer of its own size, so
 * that a read before its start or past its end is caught by ASan. */
static size_t
trailer(const char *msg)
{
	size_t len = strlen(msg), hlen, n;
	char *copy = malloc(len ? len : 1);
	bool complete;

	assert_non_null(copy);
	memcpy(copy, msg, len);
	hlen = msgid_header_end(copy, len, &complete);
	n = mboxsep_trailer(copy + len, len, complete ? hlen : SIZE_MAX);
	free(copy);
	return n;
}

/* What each writer leaves after a message, and what comes off. */
static void
test_trailer_writers(void **state)
{
	(void)state;
	/* Postfix local(8), mutt: an empty line always. */
	assert_int_equal(trailer("Subject: a\n\nbody\n\n"), 1);
	/* ... after a message that ended with an empty line: one comes off,
	 * the message's own stays. */
	assert_int_equal(trailer("Subject: a\n\nbody\n\n\n"), 1);
	/* procmail/formail, after a message that ended with an empty line:
	 * nothing added, and the message's last empty line is taken for
	 * the writer's (DKIM ignores it). */
	assert_int_equal(trailer("Subject: a\n\nbody\n\n"), 1);
	/* procmail after a message with no final line end: its LF alone,
	 * no empty line. */
	assert_int_equal(trailer("Subject: a\n\nno final line end\n"), 0);
	/* A CRLF message: procmail adds a bare LF. */
	assert_int_equal(trailer("Subject: a\r\n\r\nbody\r\n\n"), 1);
	assert_int_equal(trailer("Subject: a\r\n\r\nbody\r\n\r\n\n"), 1);
	/* A CRLF mbox: the empty line is CR LF. */
	assert_int_equal(trailer("Subject: a\r\n\r\nbody\r\n\r\n"), 2);
	assert_int_equal(trailer("Subject: a\n\nbody\n\r\n"), 2);
}

/* Only an empty line: a last line with text, or a CR before the LF of a
 * line with text, stays. */
static void
test_trailer_not_empty(void **state)
{
	(void)state;
	assert_int_equal(trailer("Subject: a\n\nbody\n"), 0);
	assert_int_equal(trailer("Subject: a\r\n\r\nbody\r\n"), 0);
	assert_int_equal(trailer("Subject: a\n\nbody\r\r\n"), 0);
	assert_int_equal(trailer("Subject: a\n\nbody"), 0);
	assert_int_equal(trailer("Subject: a\n\nbody \n"), 0);
	assert_int_equal(trailer("Subject: a\n\nbody\n\t\n"), 0);
	assert_int_equal(trailer(""), 0);
}

/* The empty line that ends the header block is the message's own. */
static void
test_trailer_header_end(void **state)
{
	(void)state;
	/* an empty body: procmail adds nothing, the line stays */
	assert_int_equal(trailer("Subject: a\n\n"), 0);
	assert_int_equal(trailer("Subject: a\r\n\r\n"), 0);
	assert_int_equal(trailer("\n"), 0);
	assert_int_equal(trailer("\r\n"), 0);
	/* Postfix's after an empty body: one comes off */
	assert_int_equal(trailer("Subject: a\n\n\n"), 1);
	assert_int_equal(trailer("Subject: a\r\n\r\n\n"), 1);
	assert_int_equal(trailer("\n\n"), 1);
	/* a header block that no empty line ends (SIZE_MAX): the last
	 * line, when empty, is the writer's */
	assert_int_equal(mboxsep_trailer("H: v\n\n" + 6, 6, SIZE_MAX), 1);
}

/* Only the last three bytes are read: the message's start may be out of
 * the window. */
static void
test_trailer_reads_three(void **state)
{
	char *tail = malloc(3);

	(void)state;
	assert_non_null(tail);
	memcpy(tail, "x\n\n", 3);
	assert_int_equal(mboxsep_trailer(tail + 3, 1000, 10), 1);
	memcpy(tail, "\n\r\n", 3);
	assert_int_equal(mboxsep_trailer(tail + 3, 1000, 10), 2);
	memcpy(tail, "\r\r\n", 3);
	assert_int_equal(mboxsep_trailer(tail + 3, 1000, 10), 0);
	/* at the header block's end: kept */
	memcpy(tail, "x\n\n", 3);
	assert_int_equal(mboxsep_trailer(tail + 3, 1000, 1000), 0);
	free(tail);
}

/* The separator lines themselves. */
static void
test_from_line(void **state)
{
	const char *sep = "From a@example.com  Sun Dec  6 22:56:45 2026\n";
	const char *body = "From the team at Lumen Atelier: thank you.\n";
	const char *crlf = "From a@example.com  Sun Dec  6 22:56:45 2026\r\n";

	(void)state;
	assert_true(mboxsep_is_from_line(sep, sep + strlen(sep), false));
	assert_true(mboxsep_is_from_line(crlf, crlf + strlen(crlf), true));
	assert_false(mboxsep_is_from_line(body, body + strlen(body), true));
	/* Cut by the window's end before its time or year (the line of a
	 * 2 MiB boundary that once made a message part of the one before
	 * it): undecided while the window may grow, judged as it stands at
	 * the end of the file. */
	for (size_t cut = 5; cut < strlen(sep) - 1; cut++) {
		assert_true(mboxsep_is_from_line(sep, sep + cut, true));
		assert_true(mboxsep_is_from_line(body, body + (cut < strlen(body) - 1 ? cut : 5), true));
		assert_false(mboxsep_is_from_line(body, body + strlen(body) - 1, false));
	}
	assert_false(mboxsep_is_from_line(sep, sep + 30, false));
	assert_true(mboxsep_is_from_line(sep, sep + strlen(sep) - 1, false));
}

/* A buffer of its own size (ASan sees a read past it) holding s. */
static char *
exact_copy(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, s, len);
	return copy;
}

/* mboxsep_header_end gives msgid_header_end's answer on header blocks
 * of every shape: LF, CRLF, a blank line at each place of a vector, a
 * lone CR, none at all, and cut at every length. */
static void
test_header_end_as_msgid(void **state)
{
	static const char *const blocks[] = {
		"Subject: a\nFrom: b\n\nbody\n",
		"Subject: a\r\nFrom: b\r\n\r\nbody\r\n",
		"\nbody",
		"\r\nbody",
		"Subject: a\n\r\n",
		"Subject: a\r\n\n",
		"Subject: a\nX: \r\rb\n\rc\n\n",
		"Subject: a\nno empty line at all\n",
		"Subject: a\n\r",
		"",
	};
	char buf[200];

	(void)state;
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		size_t len = strlen(blocks[i]);

		for (size_t cut = 0; cut <= len; cut++) {
			char *copy = exact_copy(blocks[i], cut);
			bool c1, c2;
			size_t a = msgid_header_end(copy, cut, &c1);
			size_t b = mboxsep_header_end(copy, cut, &c2);

			assert_int_equal(a, b);
			assert_int_equal(c1, c2);
			free(copy);
		}
	}
	/* The empty line at each offset of a long header (the vector loop
	 * and its tail), in both line ends. */
	for (size_t at = 1; at < 150; at++) {
		for (int crlf = 0; crlf < 2; crlf++) {
			size_t len, e = at;
			char *copy;
			bool c1, c2;

			memset(buf, 'x', sizeof(buf));
			for (size_t k = 7; k < at; k += 9)
				buf[k] = '\n';	/* lines of text */
			buf[e - 1] = '\n';
			if (crlf)
				buf[e++] = '\r';
			buf[e] = '\n';
			len = e + 1 + (at % 5);
			if (len > sizeof(buf))
				len = sizeof(buf);
			copy = exact_copy(buf, len);
			assert_int_equal(mboxsep_header_end(copy, len, &c2),
					 msgid_header_end(copy, len, &c1));
			assert_int_equal(c1, c2);
			assert_true(c2);
			free(copy);
		}
	}
}

/* Lines starting with a letter, either case, at a line start only. */
static void
test_line_starting(void **state)
{
	const char *h = "Message-ID: <a@b>\nX-M: m\n mimic\nmime-version: 1.0\n"
			"Subject: a long enough line to pass one vector\nMessage-Id: <c@d>\n";
	size_t len = strlen(h), at, n = 0;
	char *copy = exact_copy(h, len);
	size_t want[] = { 0, (size_t)(strstr(h, "mime-") - h), (size_t)(strstr(h, "Message-Id") - h) };

	(void)state;
	for (at = 0; (at = mboxsep_line_starting(copy, at, len, 'm')) != SIZE_MAX; at++) {
		assert_true(n < 3);
		assert_int_equal(at, want[n]);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(mboxsep_line_starting(copy, 0, len, 'q'), SIZE_MAX);
	free(copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trailer_writers),
		cmocka_unit_test(test_trailer_not_empty),
		cmocka_unit_test(test_trailer_header_end),
		cmocka_unit_test(test_trailer_reads_three),
		cmocka_unit_test(test_from_line),
		cmocka_unit_test(test_header_end_as_msgid),
		cmocka_unit_test(test_line_starting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
