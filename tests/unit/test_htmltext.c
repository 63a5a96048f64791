/* test_htmltext.c - unit tests for htmltext.h: outside text as HTML */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "htmltext.h"
#include "strbuf.h"

/* htmltext_add over the bytes of a literal. */
#define assert_html(lit, want) check_html((lit), sizeof(lit) - 1, (want), false)
#define assert_html_lines(lit, want) check_html((lit), sizeof(lit) - 1, (want), true)

static void
check_html(const char *in, size_t len, const char *want, bool lines)
{
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	assert_int_equal(lines ? htmltext_add_lines(&sb, in, len) : htmltext_add(&sb, in, len), 0);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void
test_five_characters(void **state)
{
	(void)state;
	assert_html("a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#39;");
	assert_html("</script><script>alert(1)</script>",
		    "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_html("\"onload=x", "&quot;onload=x");
	/* Already escaped text is escaped again: it is text, not markup. */
	assert_html("&amp;", "&amp;amp;");
	assert_html("", "");
	assert_html("plain text, été", "plain text, été");
}

static void
test_visible_first(void **state)
{
	(void)state;
	/* textsafe's rules, then HTML's: the bidi override shows as
	 * <U+202E>, whose angle brackets are escaped in turn. */
	assert_html("a\xe2\x80\xae" "b", "a&lt;U+202E&gt;b");
	assert_html("\xe2\x81\xa6x\xe2\x81\xa9", "&lt;U+2066&gt;x&lt;U+2069&gt;");
	assert_html("a\x1b[31mb", "a\\x1b[31mb");
	assert_html("a\nb", "a\\nb");
	assert_html("\xff", "\\xff");
	/* A NUL does not end the text. */
	assert_html("a\0<", "a\\x00&lt;");
}

static void
test_lines(void **state)
{
	(void)state;
	assert_html_lines("a<\nb\n", "a&lt;\nb\n");
	assert_html_lines("a\n\nb", "a\n\nb");
	assert_html_lines("x\r\n", "x\\x0d\n");
	assert_html_lines("", "");
}

static void
test_null(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, STRBUF_NO_MAX);
	assert_int_equal(htmltext_addstr(&sb, NULL), 0);
	assert_int_equal(htmltext_addstr(&sb, "<"), 0);
	assert_string_equal(sb.buf, "&lt;");
	strbuf_release(&sb);
}

/* Over the buffer's cap: an error, not half a text. */
static void
test_cap(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 5);
	assert_int_equal(htmltext_addstr(&sb, "<<<"), -1);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_five_characters),
		cmocka_unit_test(test_visible_first),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
