/* svgchart.h - small charts over UTC time as inline SVG: a linear
 * scale, time ticks on whole UTC minutes, hours or days, axes, bars, points and
 * markers; every label and title goes through htmltext */
#ifndef FPKIT_SVGCHART_H
#define FPKIT_SVGCHART_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* A linear map of [d0, d1] onto [r0, r1]. */
struct svgchart_scale {
	double d0, d1;
	double r0, r1;
};

/* Where v falls: r0 when the domain is empty (d0 == d1).  Values out of
 * the domain map out of the range (the caller clamps what it wants). */
double svgchart_map(const struct svgchart_scale *s, double v);

/* The ticks of a time axis over [from, to]: at the multiples of 'step'
 * counted from 1970-01-01T00:00:00Z (so whole tens of minutes or hours
 * UTC, and midnights UTC for a step of days), with the smallest step of 10, 15 or 30
 * minutes, 1, 2, 3, 6 or 12 hours or 1, 2, 7, 14, 28, 91 or 364 days (and multiples of 364 days
 * beyond) that gives at most 'max' ticks (1..SVGCHART_MAX_TICKS).
 * Returns how many were written into ticks[] (0 when from > to), and
 * the step in *step. */
#define SVGCHART_MAX_TICKS 24
size_t svgchart_time_ticks(int64_t from, int64_t to, size_t max, int64_t *ticks, int64_t *step);

/* The smallest of 1, 2 and 5 times a power of ten that is >= v (1 for
 * v < 1): the top of a value axis. */
int64_t svgchart_nice_ceil(int64_t v);

/* The tick label of time t on an axis of 'step' into buf (at least
 * SVGCHART_LABEL_LEN bytes): "HH:MM" for steps under a day, but
 * "MM-DD" at a midnight; "YYYY-MM-DD" for steps of days. */
#define SVGCHART_LABEL_LEN 32
char *svgchart_time_label(int64_t t, int64_t step, char *buf);

/* A chart being written into sb: one <svg> with panels stacked over one
 * time axis. */
struct svgchart {
	struct strbuf *sb;
	int width, height;
	int left;			/* the plot's left edge */
	int64_t from, to;
	struct svgchart_scale x;	/* time -> pixels */
	/* the current panel */
	int top, bottom;
	int64_t ymax;
	struct svgchart_scale y;	/* value -> pixels */
};

#define SVGCHART_RIGHT 48	/* room for the last time label, centred on its tick */

/* Open <svg> of width x height with 'label' as its accessible name
 * (role="img", aria-label and <title>), time from 'from' to 'to'
 * (from < to) across the width from pixel 'left' (room for the value
 * or lane labels) to the right margin. */
void svgchart_begin(struct svgchart *c, struct strbuf *sb, int width, int height, int left,
		    int64_t from, int64_t to, const char *label);

/* Start a panel from pixel row 'top' to 'bottom', values 0..ymax (ymax
 * made nice, svgchart_nice_ceil): its frame, grid lines at 0, half and
 * ymax with their values, 'ylabel' above it, and the time ticks' lines
 * through it. */
void svgchart_panel(struct svgchart *c, int top, int bottom, int64_t ymax, const char *ylabel);

/* Start a panel of n lanes 'lane' pixels high from row 'top', one per
 * label (drawn left of it), with the time ticks' lines through them;
 * svgchart_lane_mark puts marks in them. */
void svgchart_lanes(struct svgchart *c, int top, int lane, size_t n, const char *const *labels);

/* A mark in lane i (0 the top one) of the current lanes at time t,
 * with class 'cls' and tooltip 'title'. */
void svgchart_lane_mark(struct svgchart *c, size_t i, int64_t t, const char *cls,
			const char *title);

/* The time ticks' labels below the current panel, then 'caption' (e.g.
 * "UTC") at the right. */
void svgchart_time_axis(struct svgchart *c, const char *caption);

/* A bar of the current panel from time t for 'seconds', of height
 * 'value', with class 'cls' and a tooltip 'title' (NULL: none). */
void svgchart_bar(struct svgchart *c, int64_t t, int64_t seconds, int64_t value,
		  const char *cls, const char *title);

/* A point of the current panel at (t, value), its value written beside
 * it, with class 'cls' and tooltip 'title'. */
void svgchart_point(struct svgchart *c, int64_t t, int64_t value, const char *cls,
		    const char *title);

/* A vertical line at time t across every panel from row 'top' to
 * 'bottom', with class 'cls' and 'label' written at its top. */
void svgchart_marker(struct svgchart *c, int64_t t, int top, int bottom, const char *cls,
		     const char *label);

/* Close </svg>. */
void svgchart_end(struct svgchart *c);

#endif
