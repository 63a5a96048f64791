/* test_textsafe.c - unit tests for textsafe.h: text made safe to show
 * and to use as a file name */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "textsafe.h"

/* textsafe_visible over the bytes of a literal (NULs included). */
#define assert_visible(lit, want) check_visible((lit), sizeof(lit) - 1, (want), __LINE__)

static void
check_visible(const char *in, size_t len, const char *want, int line)
{
	char *got = textsafe_visible(in, len);

	if (got == NULL)
		fail_msg("line %d: textsafe_visible returned NULL", line);
	if (strcmp(got, want) != 0) {
		print_error("line %d: got \"%s\", expected \"%s\"\n", line, got, want);
		free(got);
		fail();
	}
	free(got);
}

/* No byte below 0x20, no DEL, no C1 control and no invalid UTF-8 may come
 * out: check a result directly, whatever the escaping looks like. */
static void
assert_no_raw_controls(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; u[i]; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			fail_msg("raw control byte 0x%02x at %zu", u[i], i);
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			fail_msg("raw C1 control at %zu", i);
	}
}

static void
test_visible_plain(void **state)
{
	(void)state;
	assert_visible("", "");
	assert_visible("Hello, world!", "Hello, world!");
	assert_visible("<a.b@example.com> ~`{}|", "<a.b@example.com> ~`{}|");
}

static void
test_visible_escape(void **state)
{
	(void)state;
	assert_visible("\x1b[2J", "\\x1b[2J");
	assert_visible("a\x1b]0;title\x07z", "a\\x1b]0;title\\x07z");
}

static void
test_visible_cr_tab_newline(void **state)
{
	(void)state;
	assert_visible("a\rb", "a\\x0db");
	assert_visible("a\tb", "a\\tb");
	assert_visible("a\nb", "a\\nb");
	assert_visible("Subject: x\r\nBcc: y", "Subject: x\\x0d\\nBcc: y");
}

static void
test_visible_nul_and_low_controls(void **state)
{
	(void)state;
	assert_visible("a\0b", "a\\x00b");
	assert_visible("\x01\x08\x0b\x0c\x1f", "\\x01\\x08\\x0b\\x0c\\x1f");
}

static void
test_visible_del(void **state)
{
	(void)state;
	assert_visible("a\x7f" "b", "a\\x7fb");
}

static void
test_visible_c1_controls(void **state)
{
	char *got;
	char in[2];

	(void)state;
	/* U+0085 (NEL) and U+009B (CSI) as UTF-8: each byte shown. */
	assert_visible("a\xc2\x85z", "a\\xc2\\x85z");
	assert_visible("\xc2\x9b" "2J", "\\xc2\\x9b2J");
	assert_visible("\xc2\x80", "\\xc2\\x80");
	assert_visible("\xc2\x9f", "\\xc2\\x9f");
	/* U+00A0, the first code point after the C1 block, is kept. */
	assert_visible("\xc2\xa0", "\xc2\xa0");
	/* Every C1 control, one by one. */
	for (unsigned c = 0x80; c <= 0x9f; c++) {
		in[0] = (char)0xc2;
		in[1] = (char)c;
		got = textsafe_visible(in, 2);
		assert_non_null(got);
		assert_no_raw_controls(got);
		assert_int_equal(strlen(got), 8);
		free(got);
	}
	/* Raw C1 bytes (Latin-1 style) are not UTF-8 either. */
	assert_visible("\x85\x9b", "\\x85\\x9b");
}

static void
test_visible_invalid_utf8(void **state)
{
	(void)state;
	assert_visible("\xff", "\\xff");
	assert_visible("\xfe\xfe", "\\xfe\\xfe");
	assert_visible("caf\xe9", "caf\\xe9");		/* Latin-1 e acute */
	assert_visible("\x80x", "\\x80x");		/* lone continuation */
	assert_visible("\xe2\x82", "\\xe2\\x82");	/* truncated at the end */
	assert_visible("\xe2\x82z", "\\xe2\\x82z");	/* truncated in the middle */
	assert_visible("\xc3", "\\xc3");
	assert_visible("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	/* Above U+10FFFF. */
	assert_visible("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
}

static void
test_visible_overlong(void **state)
{
	(void)state;
	/* '/' and NUL in overlong forms. */
	assert_visible("\xc0\xaf", "\\xc0\\xaf");
	assert_visible("\xc1\xbf", "\\xc1\\xbf");
	assert_visible("\xc0\x80", "\\xc0\\x80");
	assert_visible("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	assert_visible("\xe0\x9f\xbf", "\\xe0\\x9f\\xbf");
	assert_visible("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");
	assert_visible("\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf");
	/* An overlong ESC must not come out as ESC. */
	assert_visible("\xc0\x9b", "\\xc0\\x9b");
}

static void
test_visible_surrogates(void **state)
{
	(void)state;
	assert_visible("\xed\xa0\x80", "\\xed\\xa0\\x80");	/* U+D800 */
	assert_visible("\xed\xbf\xbf", "\\xed\\xbf\\xbf");	/* U+DFFF */
	/* U+D7FF and U+E000 on either side are valid. */
	assert_visible("\xed\x9f\xbf", "\xed\x9f\xbf");
	assert_visible("\xee\x80\x80", "\xee\x80\x80");
}

static void
test_visible_valid_multibyte(void **state)
{
	(void)state;
	assert_visible("caf\xc3\xa9", "caf\xc3\xa9");			/* é */
	assert_visible("\xe2\x82\xac" "5", "\xe2\x82\xac" "5");		/* € */
	assert_visible("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	assert_visible("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");		/* U+1F600 */
	assert_visible("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");		/* U+10FFFF */
	assert_visible("\xe0\xa0\x80", "\xe0\xa0\x80");			/* U+0800 */
	assert_visible("\xf0\x90\x80\x80", "\xf0\x90\x80\x80");		/* U+10000 */
	/* Mixed with controls. */
	assert_visible("\xc3\xa9\x1b\xc3\xa9", "\xc3\xa9\\x1b\xc3\xa9");
}

static void
test_visible_length_respected(void **state)
{
	char *got;

	(void)state;
	/* Only len bytes are read, even with more text after them. */
	got = textsafe_visible("abc\x1b" "def", 4);
	assert_string_equal(got, "abc\\x1b");
	free(got);
	/* A sequence cut by len is invalid, not read past len. */
	got = textsafe_visible("\xc3\xa9", 1);
	assert_string_equal(got, "\\xc3");
	free(got);
}

/* The UTF-8 form of cp into buf (at least 5 bytes); its length. */
static size_t
utf8_encode(unsigned int cp, char *buf)
{
	size_t n;

	if (cp < 0x80) {
		buf[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		buf[0] = (char)(0xc0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		buf[0] = (char)(0xf0 | (cp >> 18));
		buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf[n] = '\0';
	return n;
}

/* Every code point from lo to hi, between two letters, comes out as
 * "a<U+XXXX>z": not one byte of it is left raw. */
static void
check_hidden_range(unsigned int lo, unsigned int hi, int line)
{
	char in[8], want[32], *got;
	size_t n;

	for (unsigned int cp = lo; cp <= hi; cp++) {
		in[0] = 'a';
		n = utf8_encode(cp, in + 1);
		in[n + 1] = 'z';
		snprintf(want, sizeof(want), "a<U+%04X>z", cp);
		got = textsafe_visible(in, n + 2);
		assert_non_null(got);
		if (strcmp(got, want) != 0) {
			print_error("line %d: U+%04X gave \"%s\", expected \"%s\"\n",
				    line, cp, got, want);
			free(got);
			fail();
		}
		free(got);
	}
}

#define assert_hidden(lo, hi) check_hidden_range((lo), (hi), __LINE__)

/* Every code point from lo to hi goes through as it is. */
static void
check_kept_range(unsigned int lo, unsigned int hi, int line)
{
	char in[8], *got;
	size_t n;

	for (unsigned int cp = lo; cp <= hi; cp++) {
		n = utf8_encode(cp, in);
		got = textsafe_visible(in, n);
		assert_non_null(got);
		if (strcmp(got, in) != 0) {
			print_error("line %d: U+%04X gave \"%s\", expected it unchanged\n",
				    line, cp, got);
			free(got);
			fail();
		}
		free(got);
	}
}

#define assert_kept(lo, hi) check_kept_range((lo), (hi), __LINE__)

static void
test_visible_bidi_embeddings_overrides(void **state)
{
	(void)state;
	/* LRE, RLE, PDF, LRO, RLO: "exe.txt" shown as "txt.exe". */
	assert_hidden(0x202a, 0x202e);
	assert_visible("invoice\xe2\x80\xaetxt.exe", "invoice<U+202E>txt.exe");
	assert_visible("\xe2\x80\xaa\xe2\x80\xac", "<U+202A><U+202C>");
}

static void
test_visible_bidi_isolates_and_marks(void **state)
{
	(void)state;
	/* LRI, RLI, FSI, PDI (Trojan Source), ALM, LRM and RLM. */
	assert_hidden(0x2066, 0x2069);
	assert_hidden(0x061c, 0x061c);
	assert_hidden(0x200e, 0x200f);
	assert_visible("\xe2\x81\xa7" "admin" "\xe2\x81\xa9", "<U+2067>admin<U+2069>");
}

static void
test_visible_zero_width(void **state)
{
	(void)state;
	/* ZWSP, ZWNJ, ZWJ; word joiner, invisible operators; the
	 * deprecated format characters; the Mongolian vowel separator;
	 * the soft hyphen. */
	assert_hidden(0x200b, 0x200d);
	assert_hidden(0x2060, 0x2064);
	assert_hidden(0x206a, 0x206f);
	assert_hidden(0x180e, 0x180e);
	assert_hidden(0x00ad, 0x00ad);
	assert_visible("pay\xe2\x80\x8bpal.com", "pay<U+200B>pal.com");
}

static void
test_visible_line_separators(void **state)
{
	(void)state;
	/* They end a line in some viewers where no \n is. */
	assert_hidden(0x2028, 0x2029);
	assert_visible("a\xe2\x80\xa8" "Bcc: x", "a<U+2028>Bcc: x");
}

static void
test_visible_bom(void **state)
{
	(void)state;
	assert_hidden(0xfeff, 0xfeff);
	assert_visible("\xef\xbb\xbfid@example.com", "<U+FEFF>id@example.com");
}

static void
test_visible_tags_and_selectors(void **state)
{
	(void)state;
	/* Tag characters spell hidden ASCII; variation selectors can carry
	 * hidden bytes after a visible character. */
	assert_hidden(0xe0000, 0xe007f);
	assert_visible("ok\xf3\xa0\x81\x81", "ok<U+E0041>");
	assert_hidden(0xfe00, 0xfe0f);
	assert_hidden(0xe0100, 0xe01ef);
	assert_hidden(0xfff9, 0xfffb);	/* interlinear annotation */
}

/* The neighbours of each hidden range are ordinary characters. */
static void
test_visible_hidden_neighbours_kept(void **state)
{
	(void)state;
	assert_kept(0x00a0, 0x00ac);	/* NBSP .. NOT SIGN */
	assert_kept(0x00ae, 0x00ff);
	assert_kept(0x061b, 0x061b);
	assert_kept(0x061d, 0x061f);
	assert_kept(0x2000, 0x200a);	/* the spaces, visible as spaces */
	assert_kept(0x2010, 0x2027);	/* dashes, quotes, bullet */
	assert_kept(0x202f, 0x205f);
	assert_kept(0x2070, 0x20ff);	/* super/subscripts, currency */
	assert_kept(0xfe10, 0xfe1f);
	assert_kept(0xfefc, 0xfefc);
	assert_kept(0xfffc, 0xfffd);	/* replacement character */
	assert_kept(0x1f600, 0x1f64f);	/* emoticons */
	assert_kept(0xe1000, 0xe1000);
	/* Latin, Greek, Cyrillic, CJK, Arabic and Hebrew letters. */
	assert_visible("\xc3\xa9\xce\xb1\xd0\x96\xe6\x97\xa5\xd8\xb9\xd7\x90",
		       "\xc3\xa9\xce\xb1\xd0\x96\xe6\x97\xa5\xd8\xb9\xd7\x90");
}

/* What comes out is printable ASCII or visible UTF-8: escaping it again
 * changes nothing, and it holds neither controls nor hidden characters. */
static void
test_visible_idempotent(void **state)
{
	static const char in[] = "a\x1b]52;c;ZXZpbA==\x07" "b\xe2\x80\xae" "c\xc2\x9b" "2J"
				 "\xff\xc0\xaf\xed\xa0\x80\xef\xbb\xbf\xe2\x81\xa6\t\n\r\0"
				 "\xf3\xa0\x81\x81\xc3\xa9";
	char *once, *twice;

	(void)state;
	once = textsafe_visible(in, sizeof(in) - 1);
	assert_non_null(once);
	assert_no_raw_controls(once);
	assert_null(strstr(once, "\xe2\x80\xae"));
	assert_null(strstr(once, "\xe2\x81\xa6"));
	assert_null(strstr(once, "\xef\xbb\xbf"));
	twice = textsafe_visible(once, strlen(once));
	assert_string_equal(twice, once);
	assert_string_equal(once, "a\\x1b]52;c;ZXZpbA==\\x07b<U+202E>c\\xc2\\x9b2J"
			    "\\xff\\xc0\\xaf\\xed\\xa0\\x80<U+FEFF><U+2066>\\t\\n\\x0d\\x00"
			    "<U+E0041>\xc3\xa9");
	free(twice);
	free(once);
}

/* A hidden character cut by len is invalid UTF-8, shown byte by byte. */
static void
test_visible_hidden_cut(void **state)
{
	char *got;

	(void)state;
	got = textsafe_visible("\xe2\x80\xae", 2);
	assert_string_equal(got, "\\xe2\\x80");
	free(got);
}

/* textsafe_filename: check the result against its contract. */
static void
assert_safe_name(const char *name, size_t max)
{
	size_t n;

	assert_non_null(name);
	n = strlen(name);
	if (n == 0)
		fail_msg("empty file name");
	if (n > (max ? max : 1))
		fail_msg("'%s' longer than %zu", name, max);
	if (strchr(name, '/') != NULL)
		fail_msg("'%s' contains '/'", name);
	if (name[0] == '.')
		fail_msg("'%s' starts with '.'", name);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		fail_msg("'%s' is a dot entry", name);
	for (size_t i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789@._+=-", name[i]) == NULL)
			fail_msg("'%s' has unsafe byte 0x%02x", name, (unsigned char)name[i]);
}

#define assert_filename(in, max, want) do {				\
		char *got_ = textsafe_filename((in), (max));		\
		assert_safe_name(got_, (max));				\
		if (strcmp(got_, (want)) != 0) {			\
			print_error("'%s' -> '%s', expected '%s'\n",	\
				    (in), got_, (want));		\
			free(got_);					\
			fail();						\
		}							\
		free(got_);						\
	} while (0)

static void
test_filename_traversal(void **state)
{
	(void)state;
	assert_filename("../../x/y@z", 255, "_._.._x_y@z");
	assert_filename("/etc/passwd", 255, "_etc_passwd");
	assert_filename(".hidden", 255, "_hidden");
	assert_filename(".", 255, "_");
	assert_filename("..", 255, "_.");
	assert_filename("..", 1, "_");
}

static void
test_filename_safe_chars_kept(void **state)
{
	(void)state;
	assert_filename("nl.1795180627.a41f@shop.example.com", 255,
			"nl.1795180627.a41f@shop.example.com");
	assert_filename("AZaz09@._+=-", 255, "AZaz09@._+=-");
	assert_filename("a b<c>d\"e\\f:g*h?i|j", 255, "a_b_c_d_e_f_g_h_i_j");
	assert_filename("a\nb\tc\x1b" "d", 255, "a_b_c_d");
	/* Each byte of a multibyte character becomes '_'. */
	assert_filename("caf\xc3\xa9", 255, "caf__");
	assert_filename("%2e%2e", 255, "_2e_2e");
}

static void
test_filename_cut(void **state)
{
	(void)state;
	assert_filename("abcdefghij", 4, "abcd");
	assert_filename("abcdefghij", 10, "abcdefghij");
	assert_filename("abcdefghij", 11, "abcdefghij");
	assert_filename("a/b/c/d", 3, "a_b");
	/* The leading-dot rule still applies after the cut. */
	assert_filename(".abcdef", 3, "_ab");
	/* max 0 means at least one byte. */
	assert_filename("abc", 0, "a");
}

static void
test_filename_empty(void **state)
{
	(void)state;
	assert_filename("", 255, "_");
	assert_filename("", 0, "_");
	assert_filename("", 1, "_");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_visible_plain),
		cmocka_unit_test(test_visible_escape),
		cmocka_unit_test(test_visible_cr_tab_newline),
		cmocka_unit_test(test_visible_nul_and_low_controls),
		cmocka_unit_test(test_visible_del),
		cmocka_unit_test(test_visible_c1_controls),
		cmocka_unit_test(test_visible_invalid_utf8),
		cmocka_unit_test(test_visible_overlong),
		cmocka_unit_test(test_visible_surrogates),
		cmocka_unit_test(test_visible_valid_multibyte),
		cmocka_unit_test(test_visible_length_respected),
		cmocka_unit_test(test_visible_bidi_embeddings_overrides),
		cmocka_unit_test(test_visible_bidi_isolates_and_marks),
		cmocka_unit_test(test_visible_zero_width),
		cmocka_unit_test(test_visible_line_separators),
		cmocka_unit_test(test_visible_bom),
		cmocka_unit_test(test_visible_tags_and_selectors),
		cmocka_unit_test(test_visible_hidden_neighbours_kept),
		cmocka_unit_test(test_visible_idempotent),
		cmocka_unit_test(test_visible_hidden_cut),
		cmocka_unit_test(test_filename_traversal),
		cmocka_unit_test(test_filename_safe_chars_kept),
		cmocka_unit_test(test_filename_cut),
		cmocka_unit_test(test_filename_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
