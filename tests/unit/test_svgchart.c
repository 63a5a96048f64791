/* test_svgchart.c - unit tests for svgchart.h: scales, UTC time ticks,
 * and the SVG of panels, bars, points and markers */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "strbuf.h"
#include "svgchart.h"

/* 2026-11-20T00:00:00Z: 20 777 days after 1970-01-01 (date -u -d @1795132800). */
#define NOV20 INT64_C(1795132800)
#define H INT64_C(3600)

static void
test_map(void **state)
{
	struct svgchart_scale s = { 0, 100, 10, 210 };
	struct svgchart_scale down = { 0, 500, 200, 30 };
	struct svgchart_scale empty = { 5, 5, 7, 9 };

	(void)state;
	assert_true(svgchart_map(&s, 0) == 10);
	assert_true(svgchart_map(&s, 50) == 110);
	assert_true(svgchart_map(&s, 100) == 210);
	assert_true(svgchart_map(&down, 250) == 115);
	assert_true(svgchart_map(&empty, 5) == 7);
}

static void
test_ticks_day(void **state)
{
	int64_t t[SVGCHART_MAX_TICKS], step;
	int64_t block = NOV20 + 13 * H + 32 * 60 + 7;	/* 13:32:07Z */
	size_t n;

	(void)state;
	/* 24 hours to 13:32:07: at 1 h, 24 ticks; at 2 h, 14:00 the day
	 * before to 12:00, 12 ticks. */
	n = svgchart_time_ticks(block - 24 * H, block, 12, t, &step);
	assert_int_equal(step, 2 * H);
	assert_int_equal(n, 12);
	assert_int_equal(t[0], NOV20 - 10 * H);
	assert_int_equal(t[11], NOV20 + 12 * H);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(t[i] % H, 0);
	/* At most 24 allowed: every hour. */
	n = svgchart_time_ticks(block - 24 * H, block, 24, t, &step);
	assert_int_equal(step, H);
	assert_int_equal(n, 24);
	/* 07:00 to 13:00, at most 4: 1 h gives 7; 2 h, 08:00, 10:00 and
	 * 12:00. */
	n = svgchart_time_ticks(NOV20 + 7 * H, NOV20 + 13 * H, 4, t, &step);
	assert_int_equal(step, 2 * H);
	assert_int_equal(n, 3);
	assert_int_equal(t[0], NOV20 + 8 * H);
	/* At most 2: 3 h, 09:00 and 12:00. */
	n = svgchart_time_ticks(NOV20 + 7 * H, NOV20 + 13 * H, 2, t, &step);
	assert_int_equal(step, 3 * H);
	assert_int_equal(n, 2);
	assert_int_equal(t[0], NOV20 + 9 * H);
	assert_int_equal(t[1], NOV20 + 12 * H);
	/* 13:00 to 13:50, at most 12: every 10 minutes, 6 ticks. */
	n = svgchart_time_ticks(NOV20 + 13 * H, NOV20 + 13 * H + 50 * 60, 12, t, &step);
	assert_int_equal(step, 600);
	assert_int_equal(n, 6);
	assert_int_equal(t[5], NOV20 + 13 * H + 50 * 60);
	/* from > to: none. */
	assert_int_equal(svgchart_time_ticks(NOV20, NOV20 - 1, 12, t, &step), 0);
}

static void
test_ticks_weeks(void **state)
{
	int64_t t[SVGCHART_MAX_TICKS], step;
	size_t n;

	(void)state;
	/* 30 days: 1 d gives 31, 2 d 15 or 16, 7 d 4 or 5: a week, on
	 * midnights that are multiples of 7 days since 1970-01-01 (a
	 * Thursday), so Thursdays. */
	n = svgchart_time_ticks(NOV20 - 30 * 24 * H, NOV20, 12, t, &step);
	assert_int_equal(step, 7 * 24 * H);
	assert_true(n >= 4 && n <= 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(t[i] % (7 * 24 * H), 0);
	/* 2026-11-19 is a Thursday. */
	assert_int_equal(t[n - 1], NOV20 - 24 * H);
	/* Twenty years, at most 12 ticks: past the list, multiples of 364
	 * days. */
	n = svgchart_time_ticks(0, 20 * 365 * 24 * H, 12, t, &step);
	assert_true(step > 364 * 24 * H && step % (364 * 24 * H) == 0);
	assert_true(n <= 12 && n > 0);
}

static void
test_nice_ceil(void **state)
{
	(void)state;
	assert_int_equal(svgchart_nice_ceil(-3), 1);
	assert_int_equal(svgchart_nice_ceil(0), 1);
	assert_int_equal(svgchart_nice_ceil(1), 1);
	assert_int_equal(svgchart_nice_ceil(2), 2);
	assert_int_equal(svgchart_nice_ceil(3), 5);
	assert_int_equal(svgchart_nice_ceil(6), 10);
	assert_int_equal(svgchart_nice_ceil(137), 200);
	assert_int_equal(svgchart_nice_ceil(417), 500);
	assert_int_equal(svgchart_nice_ceil(1000), 1000);
	assert_int_equal(svgchart_nice_ceil(1001), 2000);
}

static void
test_labels(void **state)
{
	char b[SVGCHART_LABEL_LEN];

	(void)state;
	assert_string_equal(svgchart_time_label(NOV20 + 14 * H, 2 * H, b), "14:00");
	assert_string_equal(svgchart_time_label(NOV20, 2 * H, b), "11-20");
	assert_string_equal(svgchart_time_label(NOV20 - 24 * H, 7 * 24 * H, b), "2026-11-19");
}

static void
test_svg(void **state)
{
	struct strbuf sb;
	struct svgchart c;
	const char *lanes[] = { "192.0.2.1", "<ip>" };

	(void)state;
	strbuf_init(&sb, STRBUF_NO_MAX);
	/* x: 0..1000 s onto 64..1052 px (1100 less the right margin of
	 * 48); panel y: 0..500 onto 200..30. */
	svgchart_begin(&c, &sb, 1100, 300, 64, 0, 1000, "a <b> chart");
	svgchart_panel(&c, 30, 200, 400, "score & more");
	svgchart_point(&c, 500, 250, "score", "id <x@example.com>");
	/* Out of the panel: held at its edges, whatever the value. */
	svgchart_point(&c, 100, INT64_MAX, "high", NULL);
	svgchart_point(&c, 200, INT64_MIN, "low", NULL);
	svgchart_bar(&c, 0, 100, 0, "vol", "nothing");
	svgchart_bar(&c, 0, 250, 500, "vol", NULL);
	svgchart_marker(&c, 1000, 18, 200, "blockmark", "block");
	svgchart_lanes(&c, 220, 20, 2, lanes);
	svgchart_lane_mark(&c, 1, 0, "event", NULL);
	svgchart_end(&c);
	assert_true(strncmp(sb.buf, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1100\" "
			    "height=\"300\"", 60) == 0);
	assert_non_null(strstr(sb.buf, "aria-label=\"a &lt;b&gt; chart\""));
	assert_non_null(strstr(sb.buf, "<title>a &lt;b&gt; chart</title>"));
	/* 400 made 500: the grid at 0, 250 and 500. */
	assert_non_null(strstr(sb.buf, ">500</text>"));
	assert_non_null(strstr(sb.buf, ">250</text>"));
	assert_non_null(strstr(sb.buf, "score &amp; more"));
	/* (500 s, 250) at x 64 + 988 / 2 = 558, y 200 - 85 = 115. */
	assert_non_null(strstr(sb.buf, "<circle cx=\"558\" cy=\"115\" r=\"5\">"
			       "<title>id &lt;x@example.com&gt;</title>"));
	/* A bar of 0 is not drawn; 0..250 s of 500: x 64 to 311 (988 / 4
	 * = 247 px), less a pixel of gap, from the top to the bottom. */
	assert_null(strstr(sb.buf, "nothing"));
	assert_non_null(strstr(sb.buf, "<rect class=\"vol\" x=\"64\" y=\"30\" width=\"246\" "
			       "height=\"170\">"));
	assert_non_null(strstr(sb.buf, "<line x1=\"1052\" y1=\"18\" x2=\"1052\" y2=\"200\"/>"));
	/* Lane 1 of 20 px from row 220: its middle at 250. */
	assert_non_null(strstr(sb.buf, "&lt;ip&gt;</text>"));
	assert_non_null(strstr(sb.buf, "<circle class=\"event\" cx=\"64\" cy=\"250\" r=\"6\">"));
	/* x 64 + 98.8 and 64 + 197.6. */
	assert_non_null(strstr(sb.buf, "<g class=\"high\"><circle cx=\"163\" cy=\"30\""));
	assert_non_null(strstr(sb.buf, "<g class=\"low\"><circle cx=\"262\" cy=\"200\""));
	assert_true(sb.len > 8 && strcmp(sb.buf + sb.len - 7, "</svg>\n") == 0);
	assert_null(strstr(sb.buf, "<script"));
	strbuf_release(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_ticks_day),
		cmocka_unit_test(test_ticks_weeks),
		cmocka_unit_test(test_nice_ceil),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_svg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
