/* test_strbuf.c - unit tests for strbuf.h: the size-capped buffer */
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
#include "strbuf.h"

/* The invariants of strbuf.h, checked after every operation. */
static void
assert_invariants(const struct strbuf *sb)
{
	assert_non_null(sb->buf);
	assert_true(sb->len <= sb->max);
	assert_int_equal(sb->buf[sb->len], '\0');
	if (sb->alloc)
		assert_true(sb->len < sb->alloc);
}

/* An empty, released buffer: nothing allocated, a valid "". */
static void
assert_empty_released(const struct strbuf *sb)
{
	assert_int_equal(sb->len, 0);
	assert_int_equal(sb->alloc, 0);
	assert_non_null(sb->buf);
	assert_string_equal(sb->buf, "");
}

static void
test_init(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 100);
	assert_empty_released(&sb);
	assert_int_equal(sb.max, 100);
	strbuf_release(&sb);
	assert_empty_released(&sb);
}

static void
test_add(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, STRBUF_NO_MAX);
	assert_int_equal(strbuf_add(&sb, "hello", 5), 0);
	assert_invariants(&sb);
	assert_int_equal(sb.len, 5);
	assert_string_equal(sb.buf, "hello");
	/* Bytes, not strings: a NUL inside is kept and counted. */
	assert_int_equal(strbuf_add(&sb, "\0x", 2), 0);
	assert_invariants(&sb);
	assert_int_equal(sb.len, 7);
	assert_memory_equal(sb.buf, "hello\0x", 8);
	/* Adding nothing changes nothing. */
	assert_int_equal(strbuf_add(&sb, "zzz", 0), 0);
	assert_int_equal(sb.len, 7);
	assert_int_equal(strbuf_addstr(&sb, " world"), 0);
	assert_int_equal(sb.len, 13);
	assert_memory_equal(sb.buf, "hello\0x world", 14);
	strbuf_release(&sb);
	assert_empty_released(&sb);
}

static void
test_add_grows(void **state)
{
	struct strbuf sb;
	char want[10001];

	(void)state;
	strbuf_init(&sb, STRBUF_NO_MAX);
	for (int i = 0; i < 10000; i++) {
		want[i] = (char)('a' + i % 26);
		assert_int_equal(strbuf_addch(&sb, want[i]), 0);
	}
	want[10000] = '\0';
	assert_invariants(&sb);
	assert_int_equal(sb.len, 10000);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void
test_addch(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 10);
	assert_int_equal(strbuf_addch(&sb, 'a'), 0);
	assert_int_equal(strbuf_addch(&sb, '\n'), 0);
	assert_int_equal(strbuf_addch(&sb, 0xe9), 0);
	assert_invariants(&sb);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\n\xe9", 4);
	assert_int_equal(strbuf_addch(&sb, '\0'), 0);
	assert_int_equal(sb.len, 4);
	assert_invariants(&sb);
	strbuf_release(&sb);
}

static void
test_addf(void **state)
{
	struct strbuf sb;
	char big[1000];

	(void)state;
	strbuf_init(&sb, STRBUF_NO_MAX);
	assert_int_equal(strbuf_addf(&sb, "%s=%d", "n", 42), 0);
	assert_int_equal(strbuf_addf(&sb, "%s", ""), 0);
	assert_int_equal(strbuf_addf(&sb, ";%05.1f;%c", 3.14159, 'z'), 0);
	assert_string_equal(sb.buf, "n=42;003.1;z");
	assert_int_equal(sb.len, strlen("n=42;003.1;z"));
	assert_invariants(&sb);
	/* Longer than any small internal buffer. */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(strbuf_addf(&sb, "[%s]", big), 0);
	assert_int_equal(sb.len, strlen("n=42;003.1;z") + 2 + 999);
	assert_int_equal(sb.buf[12], '[');
	assert_int_equal(sb.buf[13 + 999], ']');
	assert_memory_equal(sb.buf + 13, big, 999);
	assert_invariants(&sb);
	strbuf_release(&sb);
}

/* Formatted texts of 255, 256 and 257 bytes: around the size of the
 * internal buffer a short text is formatted into, each kept whole, its
 * last byte included. */
static void
test_addf_boundary(void **state)
{
	struct strbuf sb;
	char text[300];

	(void)state;
	for (size_t n = 255; n <= 257; n++) {
		memset(text, 'a', n - 1);
		text[n - 1] = '\0';
		strbuf_init(&sb, STRBUF_NO_MAX);
		assert_int_equal(strbuf_addf(&sb, "%sZ", text), 0);
		assert_int_equal(sb.len, n);
		assert_int_equal(sb.buf[n - 1], 'Z');
		assert_int_equal(sb.buf[n], '\0');
		assert_invariants(&sb);
		strbuf_release(&sb);
	}
}

static void
test_cap_exact(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 5);
	assert_int_equal(strbuf_addstr(&sb, "abc"), 0);
	assert_int_equal(strbuf_addstr(&sb, "de"), 0);	/* exactly max */
	assert_invariants(&sb);
	assert_string_equal(sb.buf, "abcde");
	assert_int_equal(strbuf_add(&sb, "", 0), 0);	/* nothing more is fine */
	assert_string_equal(sb.buf, "abcde");
	strbuf_release(&sb);
}

static void
test_cap_add(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 5);
	assert_int_equal(strbuf_addstr(&sb, "abc"), 0);
	assert_int_equal(strbuf_addstr(&sb, "def"), -1);
	/* Not half of it: the whole buffer is gone. */
	assert_empty_released(&sb);
	assert_invariants(&sb);
	/* The cap stays, and the buffer is usable again. */
	assert_int_equal(sb.max, 5);
	assert_int_equal(strbuf_addstr(&sb, "xy"), 0);
	assert_string_equal(sb.buf, "xy");
	strbuf_release(&sb);
}

static void
test_cap_addch(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 2);
	assert_int_equal(strbuf_addch(&sb, 'a'), 0);
	assert_int_equal(strbuf_addch(&sb, 'b'), 0);
	assert_int_equal(strbuf_addch(&sb, 'c'), -1);
	assert_empty_released(&sb);
	strbuf_release(&sb);
}

static void
test_cap_addf(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 8);
	assert_int_equal(strbuf_addf(&sb, "%d", 1234), 0);
	assert_int_equal(strbuf_addf(&sb, "%d", 56789), -1);
	assert_empty_released(&sb);
	/* A long formatted add past the cap on an empty buffer. */
	assert_int_equal(strbuf_addf(&sb, "%0300d", 7), -1);
	assert_empty_released(&sb);
	strbuf_release(&sb);
}

static void
test_cap_zero(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 0);
	assert_int_equal(strbuf_add(&sb, "", 0), 0);
	assert_int_equal(strbuf_addch(&sb, 'a'), -1);
	assert_empty_released(&sb);
	strbuf_release(&sb);
}

static void
test_reset(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 10);
	strbuf_reset(&sb);
	assert_string_equal(sb.buf, "");
	assert_int_equal(strbuf_addstr(&sb, "0123456789"), 0);
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	/* After a reset the full cap is available again. */
	assert_int_equal(strbuf_addstr(&sb, "9876543210"), 0);
	assert_string_equal(sb.buf, "9876543210");
	strbuf_release(&sb);
}

static void
test_detach(void **state)
{
	struct strbuf sb;
	size_t len = 99;
	char *s;

	(void)state;
	strbuf_init(&sb, 100);
	assert_int_equal(strbuf_addstr(&sb, "kept"), 0);
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "kept");
	assert_int_equal(len, 4);
	/* sb is empty and independent of s. */
	assert_empty_released(&sb);
	assert_int_equal(strbuf_addstr(&sb, "new"), 0);
	assert_string_equal(s, "kept");
	assert_string_equal(sb.buf, "new");
	free(s);
	/* len may be NULL. */
	s = strbuf_detach(&sb, NULL);
	assert_string_equal(s, "new");
	free(s);
	strbuf_release(&sb);
}

static void
test_detach_empty(void **state)
{
	struct strbuf sb;
	size_t len = 99;
	char *s, *t;

	(void)state;
	strbuf_init(&sb, 100);
	s = strbuf_detach(&sb, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	/* Each detach hands out its own string (free() must be safe). */
	t = strbuf_detach(&sb, NULL);
	assert_non_null(t);
	assert_ptr_not_equal(s, t);
	free(s);
	free(t);
	strbuf_release(&sb);
}

/* A temporary file holding data[0..len); the caller unlinks and frees the
 * returned path. */
static char *
make_temp(const void *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	size_t size;
	FILE *f;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	size = strlen(dir) + sizeof("/fpkit-strbuf-XXXXXX");
	path = malloc(size);
	assert_non_null(path);
	snprintf(path, size, "%s/fpkit-strbuf-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
test_read_file(void **state)
{
	static const char data[] = "line 1\nline 2\0binary\xff\n";
	struct error err = ERROR_INIT;
	struct strbuf sb;
	char *path;

	(void)state;
	path = make_temp(data, sizeof(data) - 1);
	strbuf_init(&sb, 1024);
	/* The old content is replaced, not appended to. */
	assert_int_equal(strbuf_addstr(&sb, "old content"), 0);
	assert_int_equal(strbuf_read_file(&sb, path, NULL, &err), 0);
	assert_int_equal(err.status, 0);
	assert_int_equal(sb.len, sizeof(data) - 1);
	assert_memory_equal(sb.buf, data, sizeof(data));
	assert_invariants(&sb);
	strbuf_release(&sb);
	unlink(path);
	free(path);
}

static void
test_read_file_large(void **state)
{
	/* More than one read() chunk. */
	const size_t n = 200000;
	struct error err = ERROR_INIT;
	struct strbuf sb;
	char *data, *path;

	(void)state;
	data = malloc(n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7 % 251);
	path = make_temp(data, n);
	strbuf_init(&sb, n);		/* exactly at the cap */
	assert_int_equal(strbuf_read_file(&sb, path, NULL, &err), 0);
	assert_int_equal(sb.len, n);
	assert_memory_equal(sb.buf, data, n);
	assert_invariants(&sb);
	strbuf_release(&sb);
	unlink(path);
	free(path);
	free(data);
}

static void
test_read_file_empty(void **state)
{
	struct error err = ERROR_INIT;
	struct strbuf sb;
	char *path;

	(void)state;
	path = make_temp("", 0);
	strbuf_init(&sb, 10);
	assert_int_equal(strbuf_addstr(&sb, "old"), 0);
	assert_int_equal(strbuf_read_file(&sb, path, NULL, &err), 0);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
	unlink(path);
	free(path);
}

static void
test_read_file_missing(void **state)
{
	struct error err = ERROR_INIT;
	struct strbuf sb;
	char *path;

	(void)state;
	path = make_temp("x", 1);
	unlink(path);			/* a name that surely does not exist */
	strbuf_init(&sb, 1024);
	assert_int_equal(strbuf_read_file(&sb, path, NULL, &err), -1);
	assert_int_equal(err.status, EX_NOINPUT);
	if (strstr(err.msg, path) == NULL)
		fail_msg("message \"%s\" does not name '%s'", err.msg, path);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
	free(path);
}

static void
test_read_file_over_cap(void **state)
{
	struct error err = ERROR_INIT;
	struct strbuf sb;
	char *path;

	(void)state;
	path = make_temp("0123456789A", 11);
	strbuf_init(&sb, 10);
	assert_int_equal(strbuf_read_file(&sb, path, "a test file", &err), -1);
	assert_int_equal(err.status, EX_DATAERR);
	if (strstr(err.msg, path) == NULL)
		fail_msg("message \"%s\" does not name '%s'", err.msg, path);
	if (strstr(err.msg, "larger than the limit of 10 bytes for a test file") == NULL)
		fail_msg("message \"%s\" does not give the limit and the input", err.msg);
	/* Nothing of the file is left behind. */
	assert_empty_released(&sb);
	strbuf_release(&sb);
	unlink(path);
	free(path);
}

static void
test_read_file_null_err(void **state)
{
	struct strbuf sb;
	char *path;

	(void)state;
	path = make_temp("x", 1);
	unlink(path);
	strbuf_init(&sb, 1024);
	/* err may be NULL: the failure is still reported. */
	assert_int_equal(strbuf_read_file(&sb, path, NULL, NULL), -1);
	strbuf_release(&sb);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_grows),
		cmocka_unit_test(test_addch),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_addf_boundary),
		cmocka_unit_test(test_cap_exact),
		cmocka_unit_test(test_cap_add),
		cmocka_unit_test(test_cap_addch),
		cmocka_unit_test(test_cap_addf),
		cmocka_unit_test(test_cap_zero),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_detach_empty),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_file_large),
		cmocka_unit_test(test_read_file_empty),
		cmocka_unit_test(test_read_file_missing),
		cmocka_unit_test(test_read_file_over_cap),
		cmocka_unit_test(test_read_file_null_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
