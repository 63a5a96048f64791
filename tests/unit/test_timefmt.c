/* test_timefmt.c - unit tests for timefmt.h: ISO 8601 parsing, UTC
 * formatting and durations
 *
 * Expected epoch values were computed with `date -u -d DATE +%s`. */
#include "config.h"

#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "timefmt.h"

/* Parse s, which must be accepted, and check its epoch value. */
#define assert_parses_to(s, want) do {					\
		int64_t got_ = INT64_MIN;				\
		if (timefmt_parse_iso((s), &got_) != 0)			\
			fail_msg("'%s' refused, expected %lld", (s),	\
				 (long long)(want));			\
		if (got_ != (int64_t)(want))				\
			fail_msg("'%s' parsed as %lld, expected %lld",	\
				 (s), (long long)got_, (long long)(want)); \
	} while (0)

/* s must be refused, and the output left alone. */
#define assert_refused(s) do {						\
		int64_t got_ = 12345;					\
		if (timefmt_parse_iso((s), &got_) != -1)		\
			fail_msg("'%s' accepted as %lld, expected a refusal", \
				 (s), (long long)got_);			\
		if (got_ != 12345)					\
			fail_msg("'%s' refused but *epoch changed to %lld", \
				 (s), (long long)got_);			\
	} while (0)

static void
test_parse_offset_colon(void **state)
{
	(void)state;
	assert_parses_to("2022-08-29T17:42:50+01:00", 1661791370);
	assert_parses_to("2026-11-20T14:32:07+01:00", 1795181527);
	assert_parses_to("2022-08-29T17:42:50-05:30", 1661814770);
	assert_parses_to("2022-08-29T17:42:50+00:00", 1661794970);
}

static void
test_parse_zulu(void **state)
{
	(void)state;
	assert_parses_to("2022-08-29T16:42:50Z", 1661791370);
	assert_parses_to("2022-08-29T16:42:50z", 1661791370);
	assert_parses_to("1970-01-01T00:00:00Z", 0);
	assert_parses_to("1969-12-31T23:59:59Z", -1);
	assert_parses_to("2038-01-19T03:14:08Z", 2147483648LL);
	assert_parses_to("2100-03-01T00:00:00Z", 4107542400LL);
	assert_parses_to("2016-12-31T23:59:59Z", 1483228799);
}

static void
test_parse_offset_no_colon(void **state)
{
	(void)state;
	assert_parses_to("2022-08-29T17:42:50+0100", 1661791370);
	assert_parses_to("2022-08-29T17:42:50-0530", 1661814770);
}

static void
test_parse_offset_same_instant(void **state)
{
	int64_t a = 0, b = 1, c = 2;

	(void)state;
	/* The same instant written in three zones. */
	assert_int_equal(timefmt_parse_iso("2022-08-29T16:42:50Z", &a), 0);
	assert_int_equal(timefmt_parse_iso("2022-08-29T17:42:50+01:00", &b), 0);
	assert_int_equal(timefmt_parse_iso("2022-08-29T11:12:50-05:30", &c), 0);
	assert_true(a == b);
	assert_true(a == c);
}

static void
test_parse_fraction(void **state)
{
	(void)state;
	assert_parses_to("2022-08-29T17:42:50.123+01:00", 1661791370);
	assert_parses_to("2022-08-29T16:42:50.999999999Z", 1661791370);
	assert_parses_to("2022-08-29T17:42:50,5+01:00", 1661791370);
	assert_refused("2022-08-29T17:42:50.+01:00");
	assert_refused("2022-08-29T17:42:50.Z");
	assert_refused("2022-08-29T17:42:50.12a+01:00");
}

static void
test_parse_separator(void **state)
{
	(void)state;
	assert_parses_to("2022-08-29 17:42:50+01:00", 1661791370);
	assert_parses_to("2022-08-29t17:42:50+01:00", 1661791370);
	assert_refused("2022-08-29X17:42:50+01:00");
	assert_refused("2022-08-2917:42:50+01:00");
}

static void
test_parse_leap_years(void **state)
{
	(void)state;
	assert_parses_to("2024-02-29T00:00:00Z", 1709164800);
	assert_parses_to("2000-02-29T12:00:00Z", 951825600);
	assert_refused("2023-02-29T00:00:00Z");
	assert_refused("1900-02-29T00:00:00Z");	/* century, not a leap year */
	assert_refused("2024-02-30T00:00:00Z");
	/* Feb 28 then Mar 1 2024 are two days apart. */
	{
		int64_t a = 0, b = 0;

		assert_int_equal(timefmt_parse_iso("2024-02-28T00:00:00Z", &a), 0);
		assert_int_equal(timefmt_parse_iso("2024-03-01T00:00:00Z", &b), 0);
		assert_true(b - a == 2 * 86400);
		assert_int_equal(timefmt_parse_iso("2023-02-28T00:00:00Z", &a), 0);
		assert_int_equal(timefmt_parse_iso("2023-03-01T00:00:00Z", &b), 0);
		assert_true(b - a == 86400);
	}
}

static void
test_parse_bad_fields(void **state)
{
	(void)state;
	assert_refused("2022-00-10T00:00:00Z");
	assert_refused("2022-13-10T00:00:00Z");
	assert_refused("2022-01-00T00:00:00Z");
	assert_refused("2022-01-32T00:00:00Z");
	assert_refused("2022-04-31T00:00:00Z");
	assert_refused("2022-06-31T00:00:00Z");
	assert_refused("2022-08-29T24:00:00Z");
	assert_refused("2022-08-29T23:60:00Z");
	assert_refused("2022-08-29T23:59:61Z");
	assert_refused("2022-08-29T17:42:50+24:00");
	assert_refused("2022-08-29T17:42:50+01:60");
	assert_refused("2022-8-29T17:42:50Z");
	assert_refused("22-08-29T17:42:50Z");
	assert_refused("2022-08-29T7:42:50Z");
	assert_refused("2022/08/29T17:42:50Z");
	/* The last valid day of each kind of month is accepted. */
	assert_parses_to("2022-04-30T00:00:00Z", 1651276800);
	assert_parses_to("2022-12-31T23:59:59Z", 1672531199);
}

static void
test_parse_missing_zone(void **state)
{
	(void)state;
	assert_refused("2022-08-29T17:42:50");
	assert_refused("2022-08-29T17:42:50.123");
	assert_refused("2022-08-29T17:42");
	assert_refused("2022-08-29");
	assert_refused("2022-08-29T17:42:50+");
	assert_refused("2022-08-29T17:42:50+01");
	assert_refused("2022-08-29T17:42:50+01:");
	assert_refused("2022-08-29T17:42:50+1:00");
}

static void
test_parse_trailing_junk(void **state)
{
	(void)state;
	assert_refused("2022-08-29T17:42:50+01:00x");
	assert_refused("2022-08-29T17:42:50+01:00 ");
	assert_refused("2022-08-29T17:42:50Z ");
	assert_refused("2022-08-29T17:42:50ZZ");
	assert_refused(" 2022-08-29T17:42:50Z");
	assert_refused("2022-08-29T17:42:50+01:000");
	assert_refused("");
	assert_refused("yesterday");
	assert_refused("2022");
}

static void
test_iso_utc(void **state)
{
	char buf[TIMEFMT_ISO_LEN];

	(void)state;
	assert_ptr_equal(timefmt_iso_utc(1661791370, buf), buf);
	assert_string_equal(buf, "2022-08-29T16:42:50Z");
	assert_string_equal(timefmt_iso_utc(0, buf), "1970-01-01T00:00:00Z");
	assert_string_equal(timefmt_iso_utc(-1, buf), "1969-12-31T23:59:59Z");
	assert_string_equal(timefmt_iso_utc(1709164800, buf), "2024-02-29T00:00:00Z");
	assert_string_equal(timefmt_iso_utc(2147483648LL, buf), "2038-01-19T03:14:08Z");
}

static void
test_compact_utc(void **state)
{
	char buf[TIMEFMT_ISO_LEN];

	(void)state;
	assert_ptr_equal(timefmt_compact_utc(1661791370, buf), buf);
	assert_string_equal(buf, "20220829T164250Z");
	assert_string_equal(timefmt_compact_utc(0, buf), "19700101T000000Z");
	assert_string_equal(timefmt_compact_utc(951825600, buf), "20000229T120000Z");
}

static void
test_round_trip(void **state)
{
	static const int64_t values[] = { 0, 1, 59, 86399, 951825600, 1661791370,
					  1709164800, 1795181527, 4107542400LL };
	char buf[TIMEFMT_ISO_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		int64_t back = -42;

		timefmt_iso_utc(values[i], buf);
		assert_int_equal(timefmt_parse_iso(buf, &back), 0);
		if (back != values[i])
			fail_msg("%lld -> '%s' -> %lld", (long long)values[i], buf,
				 (long long)back);
	}
}

static void
test_duration(void **state)
{
	char buf[64];

	(void)state;
	assert_ptr_equal(timefmt_duration(0, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "0s");
	assert_string_equal(timefmt_duration(9, buf, sizeof(buf)), "9s");
	assert_string_equal(timefmt_duration(59, buf, sizeof(buf)), "59s");
	assert_string_equal(timefmt_duration(60, buf, sizeof(buf)), "1m 00s");
	assert_string_equal(timefmt_duration(65, buf, sizeof(buf)), "1m 05s");
	assert_string_equal(timefmt_duration(3600, buf, sizeof(buf)), "1h 00m 00s");
	assert_string_equal(timefmt_duration(3909, buf, sizeof(buf)), "1h 05m 09s");
	assert_string_equal(timefmt_duration(86399, buf, sizeof(buf)), "23h 59m 59s");
	assert_string_equal(timefmt_duration(86400, buf, sizeof(buf)), "1d 00h 00m 00s");
	assert_string_equal(timefmt_duration(2 * 86400 + 3 * 3600 + 4 * 60 + 5, buf, sizeof(buf)),
			    "2d 03h 04m 05s");
	/* A negative duration is shown as none. */
	assert_string_equal(timefmt_duration(-5, buf, sizeof(buf)), "0s");
}

static void
test_duration_small_buffer(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	/* Cut, but NUL-terminated inside the buffer. */
	timefmt_duration(3909, buf, 5);
	assert_string_equal(buf, "1h 0");
	assert_int_equal(buf[5], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_offset_colon),
		cmocka_unit_test(test_parse_zulu),
		cmocka_unit_test(test_parse_offset_no_colon),
		cmocka_unit_test(test_parse_offset_same_instant),
		cmocka_unit_test(test_parse_fraction),
		cmocka_unit_test(test_parse_separator),
		cmocka_unit_test(test_parse_leap_years),
		cmocka_unit_test(test_parse_bad_fields),
		cmocka_unit_test(test_parse_missing_zone),
		cmocka_unit_test(test_parse_trailing_junk),
		cmocka_unit_test(test_iso_utc),
		cmocka_unit_test(test_compact_utc),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
