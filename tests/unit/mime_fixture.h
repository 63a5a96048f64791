/* mime_fixture.h - the cmocka group set-up and tear-down of the unit
 * tests that use GMime: the library started once before the group, as
 * main.c does, and shut down after it.  For
 * cmocka_run_group_tests(tests, mime_setup, mime_teardown). */
#ifndef FPKIT_TEST_MIME_FIXTURE_H
#define FPKIT_TEST_MIME_FIXTURE_H

#include "mime.h"

static int
mime_setup(void **state)
{
	(void)state;
	mime_global_init();
	return 0;
}

static int
mime_teardown(void **state)
{
	(void)state;
	mime_global_shutdown();
	return 0;
}

#endif
