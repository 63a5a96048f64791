/* test_verify.c - the size limits of verify.c at their edges, on bundles
 * no test could afford to write: eight entries of 1 GiB each pass, a
 * ninth passes FPKIT_LIMIT_BUNDLE_TOTAL, and refused or repeated entries
 * count as much as the others; an entry of exactly
 * FPKIT_LIMIT_BUNDLE_ENTRY bytes passes, one more byte does not.  Also:
 * FPKIT_LIMIT_BUNDLE_PROBLEMS problems are listed, the others counted;
 * and a bundle at the entry limit is matched against its SHA256SUMS in
 * a number of name comparisons that grows with the entries, not with
 * their square.
 *
 * The archive is played by this file: the program is linked with
 * -Wl,--wrap for the tarball reader (tests/limits.am), so verify.c reads
 * the entries listed here, each of which claims its size and gives the
 * data it is given here, if any (verify.c counts a size as soon as it
 * reads the header, before the data).  strcmp is wrapped too, to count
 * the calls.  tests/e2e/limits.sh drives the other limits of
 * 'fpkit verify' through real bundles. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "digest.h"
#include "error.h"
#include "fpkit_limits.h"
#include "tarball.h"
#include "verify.h"

#define GIB ((int64_t)1 << 30)

/* The entries the fake reader gives, in order. */
static struct {
	char path[64];
	enum tarball_type type;
	int64_t size;
	const char *data;	/* what a read gives, or NULL: nothing */
} entries[FPKIT_LIMIT_BUNDLE_ENTRIES];
static size_t nr_entries, next_entry, data_at;
static unsigned long nr_strcmp;

int __wrap_tarball_reader_open(struct tarball_reader *r, const char *path,
			       struct error *err);
int __wrap_tarball_next(struct tarball_reader *r, struct tarball_entry *e,
			struct error *err);
ssize_t __wrap_tarball_read(struct tarball_reader *r, void *buf, size_t len,
			    struct error *err);
void __wrap_tarball_reader_close(struct tarball_reader *r);
int __real_strcmp(const char *a, const char *b);
int __wrap_strcmp(const char *a, const char *b);

int
__wrap_strcmp(const char *a, const char *b)
{
	nr_strcmp++;
	return __real_strcmp(a, b);
}

int
__wrap_tarball_reader_open(struct tarball_reader *r, const char *path, struct error *err)
{
	(void)err;
	r->a = NULL;
	r->name = path;
	next_entry = 0;
	return 0;
}

int
__wrap_tarball_next(struct tarball_reader *r, struct tarball_entry *e, struct error *err)
{
	(void)r;
	(void)err;
	if (next_entry == nr_entries)
		return 0;
	e->path = entries[next_entry].path;
	e->type = entries[next_entry].type;
	e->size = entries[next_entry].size;
	next_entry++;
	data_at = 0;
	return 1;
}

ssize_t
__wrap_tarball_read(struct tarball_reader *r, void *buf, size_t len, struct error *err)
{
	const char *data = entries[next_entry - 1].data;
	size_t left = data ? strlen(data) - data_at : 0;

	(void)r;
	(void)err;
	if (len > left)
		len = left;
	if (len == 0)
		return 0;
	memcpy(buf, data + data_at, len);
	data_at += len;
	return (ssize_t)len;
}

void
__wrap_tarball_reader_close(struct tarball_reader *r)
{
	(void)r;
}

static void
add_entry(const char *path, enum tarball_type type, int64_t size)
{
	assert_true(nr_entries < sizeof(entries) / sizeof(entries[0]));
	snprintf(entries[nr_entries].path, sizeof(entries[nr_entries].path), "%s", path);
	entries[nr_entries].type = type;
	entries[nr_entries].size = size;
	entries[nr_entries].data = NULL;
	nr_entries++;
}

/* A bundle of the top folder and n files of 'size' bytes each. */
static void
bundle_of(size_t n, int64_t size)
{
	char name[64];

	nr_entries = 0;
	add_entry("top", TARBALL_DIR, 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "top/f%zu", i + 1);
		add_entry(name, TARBALL_FILE, size);
	}
}

/* Whether one of the problems verify_bundle finds holds 'text'. */
static bool
verify_says(const char *text)
{
	struct error err = ERROR_INIT;
	struct verify_result res;
	struct diag problems = DIAG_INIT;
	bool found = false;

	assert_int_equal(verify_bundle("fake.tar.gz", &res, &problems, &err), 0);
	for (size_t i = 0; i < problems.nr; i++)
		if (strstr(problems.items[i], text))
			found = true;
	verify_result_release(&res);
	diag_release(&problems);
	return found;
}

static void
test_total_at_the_limit(void **state)
{
	(void)state;
	assert_int_equal(FPKIT_LIMIT_BUNDLE_TOTAL, 8 * GIB);
	bundle_of(8, GIB);
	assert_false(verify_says("bundle holds more than"));
	/* the eighth was read, with the problems of its lying size */
	assert_true(verify_says("f8: holds 0 bytes but its header says 1073741824"));
}

static void
test_total_over_the_limit(void **state)
{
	(void)state;
	bundle_of(9, GIB);
	assert_true(verify_says("bundle holds more than the limit of 8589934592 bytes: not read further"));
	/* the ninth is not read at all */
	assert_false(verify_says("f9: holds"));
}

static void
test_entry_at_the_limit(void **state)
{
	(void)state;
	bundle_of(1, FPKIT_LIMIT_BUNDLE_ENTRY);
	assert_false(verify_says("larger than the limit"));
}

static void
test_entry_over_the_limit(void **state)
{
	(void)state;
	bundle_of(1, FPKIT_LIMIT_BUNDLE_ENTRY + 1);
	assert_true(verify_says("f1: larger than the limit of 1073741824 bytes"));
}

/* Eight entries of 1 GiB that are refused, each for another reason,
 * then 'last_size' bytes of a file that is not. */
static void
refused_then(int64_t last_size)
{
	nr_entries = 0;
	add_entry("top", TARBALL_DIR, 0);
	add_entry("top/../up", TARBALL_FILE, GIB);
	add_entry("top/a\033b", TARBALL_FILE, GIB);
	add_entry("top/link", TARBALL_SYMLINK, GIB);
	add_entry("top/hard", TARBALL_HARDLINK, GIB);
	add_entry("top/dev", TARBALL_OTHER, GIB);
	add_entry("other/f", TARBALL_FILE, GIB);
	add_entry("top", TARBALL_FILE, GIB);
	add_entry("top/d", TARBALL_DIR, GIB);
	if (last_size >= 0)
		add_entry("top/last", TARBALL_FILE, last_size);
}

static void
test_refused_count_to_the_total(void **state)
{
	(void)state;
	refused_then(-1);
	assert_true(verify_says("top/../up': refused"));
	assert_true(verify_says("other/f': outside the top folder"));
	assert_false(verify_says("bundle holds more than"));
	refused_then(1);
	assert_true(verify_says("bundle holds more than the limit of 8589934592 bytes: not read further"));
	assert_false(verify_says("last: holds"));
}

static void
test_refused_entry_over_the_limit(void **state)
{
	(void)state;
	nr_entries = 0;
	add_entry("top", TARBALL_DIR, 0);
	add_entry("top/link", TARBALL_SYMLINK, FPKIT_LIMIT_BUNDLE_ENTRY + 1);
	add_entry("top/f1", TARBALL_FILE, 1);
	assert_true(verify_says("entry 'top/link': larger than the limit of 1073741824 bytes"));
	assert_false(verify_says("f1: holds"));
}

static void
test_repeated_count_to_the_total(void **state)
{
	(void)state;
	nr_entries = 0;
	add_entry("top", TARBALL_DIR, 0);
	for (int i = 0; i < 8; i++)
		add_entry("top/f1", TARBALL_FILE, GIB);
	add_entry("top/f2", TARBALL_FILE, 1);
	assert_true(verify_says("f1: appears twice in the bundle"));
	assert_true(verify_says("bundle holds more than the limit of 8589934592 bytes"));
}

/* n problems: n - 2 refused entries, no SHA256SUMS, no summary.json. */
static void
check_problems(unsigned long n, size_t listed)
{
	struct error err = ERROR_INIT;
	struct verify_result res;
	struct diag problems = DIAG_INIT;
	char name[64];

	nr_entries = 0;
	add_entry("top", TARBALL_DIR, 0);
	for (unsigned long i = 0; i < n - 2; i++) {
		snprintf(name, sizeof(name), "top/l%lu", i);
		add_entry(name, TARBALL_SYMLINK, 0);
	}
	assert_int_equal(verify_bundle("fake.tar.gz", &res, &problems, &err), 0);
	assert_int_equal(res.nr_problems, n);
	assert_int_equal(problems.nr, listed);
	assert_string_equal(problems.items[0], "entry 'top/l0': refused: a link");
	verify_result_release(&res);
	diag_release(&problems);
}

static void
test_problems_listed_then_counted(void **state)
{
	(void)state;
	assert_int_equal(FPKIT_LIMIT_BUNDLE_PROBLEMS, 100);
	check_problems(99, 99);
	check_problems(100, 100);
	check_problems(101, 100);
	check_problems(5000, 100);
}

/* A sound bundle at the entry limit: its files named in SHA256SUMS
 * from the last to the first, so that a search from the start of a list
 * would go the whole way each time. */
static void
test_names_matched_in_linear_time(void **state)
{
	static char sums[FPKIT_LIMIT_BUNDLE_ENTRIES * 80];
	char empty[DIGEST_HEX_SIZE], summary[DIGEST_HEX_SIZE], name[64];
	size_t n = FPKIT_LIMIT_BUNDLE_ENTRIES - 3, at = 0;
	struct error err = ERROR_INIT;
	struct verify_result res;
	struct diag problems = DIAG_INIT;

	(void)state;
	digest_buffer("", 0, empty);
	digest_buffer("{}", 2, summary);
	nr_entries = 0;
	add_entry("top", TARBALL_DIR, 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "top/f%zu", i);
		add_entry(name, TARBALL_FILE, 0);
		at += (size_t)snprintf(sums + at, sizeof(sums) - at, "%s  f%zu\n", empty, n - 1 - i);
	}
	at += (size_t)snprintf(sums + at, sizeof(sums) - at, "%s  summary.json\n", summary);
	add_entry("top/summary.json", TARBALL_FILE, 2);
	entries[nr_entries - 1].data = "{}";
	add_entry("top/SHA256SUMS", TARBALL_FILE, (int64_t)at);
	entries[nr_entries - 1].data = sums;
	assert_int_equal(nr_entries, FPKIT_LIMIT_BUNDLE_ENTRIES);

	nr_strcmp = 0;
	assert_int_equal(verify_bundle("fake.tar.gz", &res, &problems, &err), 0);
	if (problems.nr)
		fail_msg("%s", problems.items[0]);
	assert_int_equal(res.nr_files, n + 1);
	/* A few per entry; a list searched from its start costs about
	 * n * n / 2 = 5e7 per pass. */
	if (nr_strcmp > 10 * (unsigned long)nr_entries)
		fail_msg("%lu calls of strcmp for %zu entries", nr_strcmp, nr_entries);
	verify_result_release(&res);
	diag_release(&problems);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_total_at_the_limit),
		cmocka_unit_test(test_total_over_the_limit),
		cmocka_unit_test(test_entry_at_the_limit),
		cmocka_unit_test(test_entry_over_the_limit),
		cmocka_unit_test(test_refused_count_to_the_total),
		cmocka_unit_test(test_refused_entry_over_the_limit),
		cmocka_unit_test(test_repeated_count_to_the_total),
		cmocka_unit_test(test_problems_listed_then_counted),
		cmocka_unit_test(test_names_matched_in_linear_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
