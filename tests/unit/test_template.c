/* test_template.c - unit tests for template.h: the mustache renderer */
#include "config.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "fpkit_limits.h"
#include "template.h"

#define TPL_NAME "t.mustache"

static json_t *
ctx_from(const char *json)
{
	json_error_t jerr;
	json_t *v = json_loads(json, JSON_DECODE_ANY, &jerr);

	if (v == NULL)
		fail_msg("bad test JSON '%s': %s", json, jerr.text);
	return v;
}

/* Render tpl[0..len) against the JSON text and compare with want. */
static void
check_render(const char *tpl, size_t len, const char *json, const char *want, int line)
{
	struct error err = ERROR_INIT;
	json_t *ctx = ctx_from(json);
	char *out = NULL;
	size_t out_len = 12345;
	int rc;

	rc = template_render(tpl, len, TPL_NAME, ctx, FPKIT_LIMIT_TEMPLATE_OUTPUT, &out, &out_len, &err);
	json_decref(ctx);
	if (rc != 0)
		fail_msg("line %d: render failed (%d): %s", line, rc, err.msg);
	if (out == NULL)
		fail_msg("line %d: render succeeded without output", line);
	if (strcmp(out, want) != 0 || out_len != strlen(want)) {
		print_error("line %d: got \"%s\" (%zu bytes), expected \"%s\"\n",
			    line, out, out_len, want);
		free(out);
		fail();
	}
	free(out);
}

#define assert_render(tpl, json, want) \
	check_render((tpl), sizeof(tpl) - 1, (json), (want), __LINE__)

/* True when msg holds "line N" with N not followed by another digit. */
static int
names_line(const char *msg, unsigned n)
{
	char want[32];
	const char *p = msg;
	size_t wl;

	snprintf(want, sizeof(want), "line %u", n);
	wl = strlen(want);
	while ((p = strstr(p, want)) != NULL) {
		if (!isdigit((unsigned char)p[wl]))
			return 1;
		p += wl;
	}
	return 0;
}

/* Rendering must fail with EX_DATAERR, give no output, and name the
 * template and (when want_line > 0) the line. */
static void
check_error(const char *tpl, size_t len, const char *json, size_t max_output,
	    unsigned want_line, int line)
{
	struct error err = ERROR_INIT;
	json_t *ctx = ctx_from(json);
	char *out = NULL;
	size_t out_len = 0;
	int rc;

	rc = template_render(tpl, len, TPL_NAME, ctx, max_output, &out, &out_len, &err);
	json_decref(ctx);
	if (rc != -1) {
		print_error("line %d: render returned %d, expected -1 (output \"%s\")\n",
			    line, rc, out ? out : "(null)");
		free(out);
		fail();
	}
	if (out != NULL) {
		free(out);
		fail_msg("line %d: failed render left output behind", line);
	}
	if (err.status != EX_DATAERR)
		fail_msg("line %d: status %d, expected EX_DATAERR: %s", line, err.status, err.msg);
	if (strstr(err.msg, "'" TPL_NAME "'") == NULL)
		fail_msg("line %d: message does not name the template: %s", line, err.msg);
	if (want_line > 0 && !names_line(err.msg, want_line))
		fail_msg("line %d: message does not name line %u: %s", line, want_line, err.msg);
}

#define assert_render_error(tpl, json, want_line) \
	check_error((tpl), sizeof(tpl) - 1, (json), FPKIT_LIMIT_TEMPLATE_OUTPUT, (want_line), __LINE__)

static void
test_variables(void **state)
{
	(void)state;
	assert_render("", "{}", "");
	assert_render("plain text\n", "{}", "plain text\n");
	assert_render("Hello {{name}}!", "{\"name\":\"World\"}", "Hello World!");
	assert_render("Hello {{ name }}!", "{\"name\":\"World\"}", "Hello World!");
	assert_render("{{a}}{{b}}-{{a}}", "{\"a\":\"1\",\"b\":\"2\"}", "12-1");
	/* Missing and null values render as nothing. */
	assert_render("[{{missing}}]", "{}", "[]");
	assert_render("[{{n}}]", "{\"n\":null}", "[]");
	/* Output is text, not HTML, and values are not templates. */
	assert_render("{{v}}", "{\"v\":\"<a href=\\\"x\\\">&amp;</a>\"}", "<a href=\"x\">&amp;</a>");
	assert_render("{{v}}", "{\"v\":\"{{w}}\",\"w\":\"no\"}", "{{w}}");
	/* A lone "}}" is text. */
	assert_render("a }} b", "{}", "a }} b");
	/* Multibyte text goes through unchanged. */
	assert_render("d\xc3\xa9j\xc3\xa0 {{v}}", "{\"v\":\"\xe2\x82\xac\"}",
		      "d\xc3\xa9j\xc3\xa0 \xe2\x82\xac");
}

/* Values come from outside: what textsafe_visible does to them, they
 * get; the template's own text is trusted and written as it is. */
static void
test_values_escaped(void **state)
{
	(void)state;
	/* OSC 52 (clipboard write) and a screen clear, from a JSON escape. */
	assert_render("id={{v}}.", "{\"v\":\"a\\u001b]52;c;ZXZpbA==\\u0007b\\u001b[2Jc\"}",
		      "id=a\\x1b]52;c;ZXZpbA==\\x07b\\x1b[2Jc.");
	/* A newline in a value cannot start a line of its own. */
	assert_render("<{{v}}>", "{\"v\":\"x\\r\\nBcc: y\\tz\"}", "<x\\x0d\\nBcc: y\\tz>");
	/* Bidi and invisible characters, raw or as JSON escapes. */
	assert_render("{{v}}", "{\"v\":\"a\xe2\x80\xaetxt.exe\"}", "a<U+202E>txt.exe");
	assert_render("{{v}}", "{\"v\":\"\\u2066x\\u2069\\u200b\\ufeff\\u2028\"}",
		      "<U+2066>x<U+2069><U+200B><U+FEFF><U+2028>");
	/* A C1 control (CSI). */
	assert_render("{{v}}", "{\"v\":\"\\u009b2J\"}", "\\xc2\\x9b2J");
	/* Every way a value is reached: dotted names, {{.}} over a list and
	 * over a string section, an outer context. */
	assert_render("{{a.b}}", "{\"a\":{\"b\":\"\\u001b[2J\"}}", "\\x1b[2J");
	assert_render("{{#l}}[{{.}}]{{/l}}", "{\"l\":[\"\\u001b\",\"\\u202e\",1]}",
		      "[\\x1b][<U+202E>][1]");
	assert_render("{{#s}}{{.}}{{/s}}", "{\"s\":\"\\u202d\"}", "<U+202D>");
	assert_render("{{#o}}{{v}}{{/o}}", "{\"o\":{},\"v\":\"\\u0007\"}", "\\x07");
	/* The template's own text: a newline, a tab, an ESC, U+202E. */
	assert_render("a\tb\n\x1b[1m\xe2\x80\xae{{v}}\n", "{\"v\":\"x\"}",
		      "a\tb\n\x1b[1m\xe2\x80\xaex\n");
	/* Numbers and booleans are written as they are. */
	assert_render("{{n}} {{t}}", "{\"n\":-7,\"t\":true}", "-7 true");
}

static void
test_dotted_names(void **state)
{
	(void)state;
	assert_render("{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep");
	assert_render("{{a.b}}", "{\"a\":{\"b\":\"x\"}}", "x");
	assert_render("[{{a.x}}]", "{\"a\":{\"b\":\"x\"}}", "[]");
	assert_render("[{{a.b.c}}]", "{\"a\":{\"b\":\"str\"}}", "[]");
	assert_render("[{{nope.b}}]", "{\"a\":{\"b\":\"x\"}}", "[]");
	assert_render("{{#a.b}}yes{{/a.b}}", "{\"a\":{\"b\":true}}", "yes");
}

static void
test_dot(void **state)
{
	(void)state;
	assert_render("{{#list}}[{{.}}]{{/list}}", "{\"list\":[\"a\",\"b\",3]}", "[a][b][3]");
	assert_render("{{.}}", "\"top\"", "top");
	assert_render("{{#s}}<{{.}}>{{/s}}", "{\"s\":\"val\"}", "<val>");
	assert_render("{{#n}}<{{ . }}>{{/n}}", "{\"n\":7}", "<7>");
}

static void
test_section_array(void **state)
{
	(void)state;
	assert_render("{{#items}}{{id}},{{/items}}",
		      "{\"items\":[{\"id\":1},{\"id\":2},{\"id\":3}]}", "1,2,3,");
	assert_render("a{{#items}}X{{/items}}b", "{\"items\":[]}", "ab");
	/* Nested arrays. */
	assert_render("{{#rows}}({{#cells}}{{.}}{{/cells}}){{/rows}}",
		      "{\"rows\":[{\"cells\":[1,2]},{\"cells\":[]},{\"cells\":[3]}]}",
		      "(12)()(3)");
}

static void
test_section_object(void **state)
{
	(void)state;
	assert_render("{{#o}}{{x}}-{{y}}{{/o}}", "{\"o\":{\"x\":\"in\",\"y\":2}}", "in-2");
	/* An object is true even when empty: rendered once. */
	assert_render("{{#o}}once{{/o}}", "{\"o\":{}}", "once");
}

static void
test_section_boolean(void **state)
{
	(void)state;
	assert_render("a{{#t}}yes{{/t}}b", "{\"t\":true}", "ayesb");
	assert_render("a{{#f}}yes{{/f}}b", "{\"f\":false}", "ab");
	assert_render("a{{#m}}yes{{/m}}b", "{}", "ab");
	assert_render("a{{#n}}yes{{/n}}b", "{\"n\":null}", "ab");
}

static void
test_section_string_number(void **state)
{
	(void)state;
	assert_render("a{{#s}}yes{{/s}}b", "{\"s\":\"x\"}", "ayesb");
	assert_render("a{{#s}}yes{{/s}}b", "{\"s\":\"\"}", "ab");
	assert_render("a{{#n}}yes{{/n}}b", "{\"n\":5}", "ayesb");
	assert_render("a{{#n}}yes{{/n}}b", "{\"n\":0}", "ab");
}

static void
test_inverted_falsy(void **state)
{
	(void)state;
	assert_render("{{^v}}none{{/v}}", "{}", "none");
	assert_render("{{^v}}none{{/v}}", "{\"v\":null}", "none");
	assert_render("{{^v}}none{{/v}}", "{\"v\":false}", "none");
	assert_render("{{^v}}none{{/v}}", "{\"v\":\"\"}", "none");
	assert_render("{{^v}}none{{/v}}", "{\"v\":0}", "none");
	assert_render("{{^v}}none{{/v}}", "{\"v\":[]}", "none");
}

static void
test_inverted_truthy(void **state)
{
	(void)state;
	assert_render("[{{^v}}none{{/v}}]", "{\"v\":true}", "[]");
	assert_render("[{{^v}}none{{/v}}]", "{\"v\":\"x\"}", "[]");
	assert_render("[{{^v}}none{{/v}}]", "{\"v\":1}", "[]");
	assert_render("[{{^v}}none{{/v}}]", "{\"v\":-1}", "[]");
	assert_render("[{{^v}}none{{/v}}]", "{\"v\":[0]}", "[]");
	assert_render("[{{^v}}none{{/v}}]", "{\"v\":{}}", "[]");
	/* Section and inverted section together. */
	assert_render("{{#l}}{{.}}{{/l}}{{^l}}empty{{/l}}", "{\"l\":[1,2]}", "12");
	assert_render("{{#l}}{{.}}{{/l}}{{^l}}empty{{/l}}", "{\"l\":[]}", "empty");
}

static void
test_comments(void **state)
{
	(void)state;
	assert_render("a{{! a comment }}b", "{}", "ab");
	assert_render("a{{!no space}}b", "{}", "ab");
	assert_render("a{{! on\ntwo lines }}b", "{}", "ab");
	/* A comment's words are not tags, nor checked as names. */
	assert_render("a{{! #x /y {{v}}b", "{\"v\":\"V\"}", "ab");
	/* Standalone: the line goes. */
	assert_render("a\n{{! c }}\nb\n", "{}", "a\nb\n");
	assert_render("a\n  {{! c }}  \nb\n", "{}", "a\nb\n");
}

static void
test_standalone_lf(void **state)
{
	(void)state;
	assert_render("begin\n{{#a}}\nin\n{{/a}}\nend\n", "{\"a\":true}", "begin\nin\nend\n");
	assert_render("begin\n{{#a}}\nin\n{{/a}}\nend\n", "{\"a\":false}", "begin\nend\n");
	assert_render("begin\n{{^a}}\nin\n{{/a}}\nend\n", "{\"a\":false}", "begin\nin\nend\n");
	assert_render("begin\n{{^a}}\nin\n{{/a}}\nend\n", "{\"a\":true}", "begin\nend\n");
	/* At the start and at the end of the template. */
	assert_render("{{#a}}\nx\n{{/a}}", "{\"a\":true}", "x\n");
	assert_render("{{#a}}\nx\n{{/a}}\n", "{\"a\":true}", "x\n");
	/* One line per item, none for the tags. */
	assert_render("List:\n{{#l}}\n- {{.}}\n{{/l}}\nDone\n", "{\"l\":[\"a\",\"b\"]}",
		      "List:\n- a\n- b\nDone\n");
}

static void
test_standalone_crlf(void **state)
{
	(void)state;
	assert_render("begin\r\n{{#a}}\r\nin\r\n{{/a}}\r\nend\r\n", "{\"a\":true}",
		      "begin\r\nin\r\nend\r\n");
	assert_render("begin\r\n{{^a}}\r\nin\r\n{{/a}}\r\nend\r\n", "{\"a\":true}",
		      "begin\r\nend\r\n");
	assert_render("a\r\n{{! c }}\r\nb\r\n", "{}", "a\r\nb\r\n");
}

static void
test_standalone_indented(void **state)
{
	(void)state;
	assert_render("begin\n  {{#a}}\n  in\n\t{{/a}}  \nend\n", "{\"a\":true}",
		      "begin\n  in\nend\n");
	assert_render("begin\n   {{#a}}  \r\n  in\r\n \t{{/a}}\t\r\nend\r\n", "{\"a\":true}",
		      "begin\n  in\r\nend\r\n");
	assert_render("  {{#a}}\nx\n  {{/a}}", "{\"a\":true}", "x\n");
}

static void
test_not_standalone(void **state)
{
	(void)state;
	/* Text before or after the tag keeps the line. */
	assert_render("x {{#a}}\ny{{/a}} z\n", "{\"a\":true}", "x \ny z\n");
	assert_render("{{#a}}in{{/a}}\n", "{\"a\":true}", "in\n");
	assert_render("{{#a}}{{/a}}\n", "{\"a\":true}", "\n");
	assert_render("a\n{{#s}}\n{{/s}}{{v}}\nb\n", "{\"s\":true,\"v\":\"V\"}", "a\nV\nb\n");
	/* A variable alone on its line is not a standalone tag. */
	assert_render("a\n{{v}}\nb", "{\"v\":\"\"}", "a\n\nb");
	assert_render("a\n  {{v}}  \nb", "{\"v\":\"V\"}", "a\n  V  \nb");
}

static void
test_outer_lookup(void **state)
{
	(void)state;
	assert_render("{{#items}}{{name}}@{{domain}};{{/items}}",
		      "{\"domain\":\"ex.com\",\"items\":[{\"name\":\"a\"},"
		      "{\"name\":\"b\",\"domain\":\"own.org\"}]}",
		      "a@ex.com;b@own.org;");
	assert_render("{{#a}}{{#b}}{{x}}{{/b}}{{/a}}",
		      "{\"x\":\"root\",\"a\":{\"b\":true}}", "root");
	assert_render("{{#a}}{{#b}}{{x}}{{/b}}{{/a}}",
		      "{\"x\":\"root\",\"a\":{\"x\":\"mid\",\"b\":{\"x\":\"inner\"}}}", "inner");
	assert_render("{{#a}}{{#b}}{{x}}{{/b}}{{/a}}",
		      "{\"x\":\"root\",\"a\":{\"x\":\"mid\",\"b\":{}}}", "mid");
	/* The first part of a dotted name is found outside. */
	assert_render("{{#items}}{{meta.v}}{{.}};{{/items}}",
		      "{\"meta\":{\"v\":\"M\"},\"items\":[1,2]}", "M1;M2;");
	/* After a section, the outer context is back. */
	assert_render("{{#o}}{{x}}{{/o}}{{x}}", "{\"x\":\"out\",\"o\":{\"x\":\"in\"}}", "inout");
}

static void
test_integers(void **state)
{
	(void)state;
	assert_render("{{n}} {{neg}} {{big}} {{zero}}",
		      "{\"n\":42,\"neg\":-7,\"big\":1234567890123,\"zero\":0}",
		      "42 -7 1234567890123 0");
	assert_render("{{#l}}{{.}},{{/l}}", "{\"l\":[9223372036854775807,-1]}",
		      "9223372036854775807,-1,");
}

static void
test_error_unclosed_section(void **state)
{
	(void)state;
	assert_render_error("line one\n{{#a}}\nbody\n", "{\"a\":true}", 2);
	assert_render_error("{{#a}}{{#b}}{{/b}}", "{}", 1);
	assert_render_error("x\r\ny\r\n{{^a}}", "{}", 3);
}

static void
test_error_stray_close(void **state)
{
	(void)state;
	assert_render_error("a\n\n{{/a}}\n", "{}", 3);
	assert_render_error("{{#a}}{{/a}}{{/a}}", "{\"a\":true}", 1);
}

static void
test_error_mismatched_close(void **state)
{
	(void)state;
	assert_render_error("{{#a}}\n{{/b}}\n", "{}", 2);
	assert_render_error("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}\n", "{}", 3);
}

static void
test_error_unterminated_open(void **state)
{
	(void)state;
	assert_render_error("ab\ncd {{name\n", "{}", 2);
	assert_render_error("{{name}", "{}", 1);
	assert_render_error("ok {{a}}\nthen\n{{", "{\"a\":1}", 3);
}

static void
test_error_empty_tag(void **state)
{
	(void)state;
	assert_render_error("x\n{{}}", "{}", 2);
	assert_render_error("{{  }}", "{}", 1);
	assert_render_error("{{#}}{{/}}", "{}", 1);
	assert_render_error("a\nb\n{{# }}", "{}", 3);
	assert_render_error("{{^\t}}", "{}", 1);
}

/* A template of n nested sections (of kind '#' or '^'), one tag a line. */
static char *
nested(int n, char sigil)
{
	size_t size = (size_t)n * 16 + 16, off = 0;
	char *s = malloc(size);

	assert_non_null(s);
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, size - off, "{{%cs}}\n", sigil);
	off += (size_t)snprintf(s + off, size - off, "x\n");
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, size - off, "{{/s}}\n");
	assert_true(off < size);
	return s;
}

static void
test_depth_limit(void **state)
{
	char *tpl;

	(void)state;
	/* As deep as allowed: renders. */
	tpl = nested(FPKIT_LIMIT_TEMPLATE_DEPTH, '#');
	check_render(tpl, strlen(tpl), "{\"s\":true}", "x\n", __LINE__);
	free(tpl);
	tpl = nested(FPKIT_LIMIT_TEMPLATE_DEPTH, '#');
	check_render(tpl, strlen(tpl), "{\"s\":[1]}", "x\n", __LINE__);
	free(tpl);
	tpl = nested(FPKIT_LIMIT_TEMPLATE_DEPTH, '^');
	check_render(tpl, strlen(tpl), "{\"s\":false}", "x\n", __LINE__);
	free(tpl);
	/* One deeper: refused, naming the line of the section too many. */
	tpl = nested(FPKIT_LIMIT_TEMPLATE_DEPTH + 1, '#');
	check_error(tpl, strlen(tpl), "{\"s\":true}", FPKIT_LIMIT_TEMPLATE_OUTPUT,
		    FPKIT_LIMIT_TEMPLATE_DEPTH + 1, __LINE__);
	free(tpl);
	tpl = nested(FPKIT_LIMIT_TEMPLATE_DEPTH + 1, '^');
	check_error(tpl, strlen(tpl), "{}", FPKIT_LIMIT_TEMPLATE_OUTPUT, FPKIT_LIMIT_TEMPLATE_DEPTH + 1, __LINE__);
	free(tpl);
	tpl = nested(1000, '#');
	check_error(tpl, strlen(tpl), "{}", FPKIT_LIMIT_TEMPLATE_OUTPUT, FPKIT_LIMIT_TEMPLATE_DEPTH + 1, __LINE__);
	free(tpl);
}

static void
test_max_output(void **state)
{
	static const char tpl[] = "{{#l}}0123456789{{/l}}";
	static const char json[] = "{\"l\":[1,2,3,4,5,6,7,8,9,10]}";
	struct error err = ERROR_INIT;
	json_t *ctx;
	char *out = NULL;
	size_t out_len = 0;

	(void)state;
	/* Exactly at the cap: fine. */
	ctx = ctx_from(json);
	assert_int_equal(template_render(tpl, sizeof(tpl) - 1, TPL_NAME, ctx, 100,
					 &out, &out_len, &err), 0);
	assert_non_null(out);
	assert_int_equal(out_len, 100);
	assert_int_equal(strlen(out), 100);
	free(out);
	json_decref(ctx);
	/* One byte over: an error and no output at all. */
	check_error(tpl, sizeof(tpl) - 1, json, 99, 0, __LINE__);
	check_error(tpl, sizeof(tpl) - 1, json, 0, 0, __LINE__);
	/* Plain text over the cap too. */
	check_error("abcdef", 6, "{}", 5, 0, __LINE__);
}

/* k sections over the same list, each inside the last, writing nothing
 * (new string). */
static char *
nested_lists(int k)
{
	size_t size = (size_t)k * 12 + 1, off = 0;
	char *s = malloc(size);

	assert_non_null(s);
	for (int i = 0; i < k; i++)
		off += (size_t)snprintf(s + off, size - off, "{{#l}}");
	for (int i = 0; i < k; i++)
		off += (size_t)snprintf(s + off, size - off, "{{/l}}");
	return s;
}

static void
test_step_limit(void **state)
{
	static const char json[] = "{\"l\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}";
	char *tpl;

	(void)state;
	/* 16^k/15 steps, and no output for the output cap to stop: 5 deep
	 * is 69905 steps, 7 deep would be 17 million. */
	tpl = nested_lists(5);
	check_render(tpl, strlen(tpl), json, "", __LINE__);
	free(tpl);
	tpl = nested_lists(7);
	check_error(tpl, strlen(tpl), json, FPKIT_LIMIT_TEMPLATE_OUTPUT, 0, __LINE__);
	free(tpl);
}

static void
test_line_of_many_tags(void **state)
{
	/* Not more: under ASan each strstr of the parser measures the rest
	 * of the template, which makes large templates quadratic there. */
	const int n = 20000;
	size_t size = (size_t)n * 6 + 32, off = 0;
	char *tpl = malloc(size);

	(void)state;
	assert_non_null(tpl);
	/* Lines are counted once for all the tags, not from the start for
	 * each (which took 20 seconds on a template of 1 MiB), and stay
	 * right. */
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(tpl + off, size - off, "{{a}}\n");
	off += (size_t)snprintf(tpl + off, size - off, "x {{/b}}\n");
	check_error(tpl, off, "{\"a\":1}", FPKIT_LIMIT_TEMPLATE_OUTPUT, (unsigned)n + 1, __LINE__);
	free(tpl);
	assert_render_error("{{a}}\n\n{{#b}}\n{{a}}\n", "{}", 3);
}

static void
test_nul_byte(void **state)
{
	static const char tpl[] = "ab\0{{x}}cd";

	(void)state;
	check_error(tpl, sizeof(tpl) - 1, "{\"x\":1}", FPKIT_LIMIT_TEMPLATE_OUTPUT, 0, __LINE__);
	check_error("\0", 1, "{}", FPKIT_LIMIT_TEMPLATE_OUTPUT, 0, __LINE__);
	check_error("line 1\nline 2\0", 14, "{}", FPKIT_LIMIT_TEMPLATE_OUTPUT, 0, __LINE__);
}

static void
test_error_leaves_no_output(void **state)
{
	struct error err = ERROR_INIT;
	json_t *ctx = ctx_from("{\"a\":\"x\"}");
	char *out = NULL;
	size_t out_len = 77;

	(void)state;
	/* Errors are found before any output, even late in the template. */
	assert_int_equal(template_render("{{a}} text {{a}}\n{{/b}}", 23, TPL_NAME, ctx,
					 FPKIT_LIMIT_TEMPLATE_OUTPUT, &out, &out_len, &err), -1);
	assert_null(out);
	assert_int_equal(err.status, EX_DATAERR);
	json_decref(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_values_escaped),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_section_array),
		cmocka_unit_test(test_section_object),
		cmocka_unit_test(test_section_boolean),
		cmocka_unit_test(test_section_string_number),
		cmocka_unit_test(test_inverted_falsy),
		cmocka_unit_test(test_inverted_truthy),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_standalone_lf),
		cmocka_unit_test(test_standalone_crlf),
		cmocka_unit_test(test_standalone_indented),
		cmocka_unit_test(test_not_standalone),
		cmocka_unit_test(test_outer_lookup),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_error_unclosed_section),
		cmocka_unit_test(test_error_stray_close),
		cmocka_unit_test(test_error_mismatched_close),
		cmocka_unit_test(test_error_unterminated_open),
		cmocka_unit_test(test_error_empty_tag),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_max_output),
		cmocka_unit_test(test_step_limit),
		cmocka_unit_test(test_line_of_many_tags),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_error_leaves_no_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
