/* test_verify.c - the size limits of verify.c at their edges, on bundles
 * no test could afford to write: eight entries of 1 GiB each pass, a
 * ninth passes FPKIT_LIMIT_BUNDLE_TOTAL; an entry of exactly
 * FPKIT_LIMIT_BUNDLE_ENTRY bytes passes, one more byte does not.
 *
 * The archive is played by this file: the program is linked with
 * -Wl,--wrap for the tarball reader (tests/limits.am), so verify.c reads
 * the entries listed here, each of which claims its size and gives no
 * data (verify.c counts a size as soon as it reads the header, before
 * the data).  tests/e2e/limits.sh drives the other limits of
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
} entries[32];
static size_t nr_entries, next_entry;

int __wrap_tarball_reader_open(struct tarball_reader *r, const char *path,
			       struct error *err);
int __wrap_tarball_next(struct tarball_reader *r, struct tarball_entry *e,
			struct error *err);
ssize_t __wrap_tarball_read(struct tarball_reader *r, void *buf, size_t len,
			    struct error *err);
void __wrap_tarball_reader_close(struct tarball_reader *r);

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
	return 1;
}

ssize_t
__wrap_tarball_read(struct tarball_reader *r, void *buf, size_t len, struct error *err)
{
	(void)r;
	(void)buf;
	(void)len;
	(void)err;
	return 0;
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_total_at_the_limit),
		cmocka_unit_test(test_total_over_the_limit),
		cmocka_unit_test(test_entry_at_the_limit),
		cmocka_unit_test(test_entry_over_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
