/* svgchart.c - small charts over UTC time as inline SVG
 *
 * Coordinates are whole pixels, written with %d: no locale, no float
 * formatting, the same bytes on every machine (the pages are part of a
 * deterministic bundle). */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "htmltext.h"
#include "strbuf.h"
#include "svgchart.h"

#define HOUR INT64_C(3600)
#define DAY (24 * HOUR)

double
svgchart_map(const struct svgchart_scale *s, double v)
{
	if (s->d1 == s->d0)
		return s->r0;
	return s->r0 + (v - s->d0) * (s->r1 - s->r0) / (s->d1 - s->d0);
}

/* The first multiple of step at or after t (t >= 0 as times here are). */
static int64_t
ceil_to(int64_t t, int64_t step)
{
	int64_t r = t % step;

	if (r < 0)
		r += step;
	return r ? t - r + step : t;
}

static size_t
count_ticks(int64_t from, int64_t to, int64_t step)
{
	int64_t first = ceil_to(from, step);

	return first > to ? 0 : (size_t)((to - first) / step) + 1;
}

size_t
svgchart_time_ticks(int64_t from, int64_t to, size_t max, int64_t *ticks, int64_t *step)
{
	static const int64_t steps[] = {
		600, 900, 1800, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
		DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY, 91 * DAY, 364 * DAY,
	};
	int64_t s = 0, t;
	size_t n = 0;

	if (max < 1)
		max = 1;
	if (max > SVGCHART_MAX_TICKS)
		max = SVGCHART_MAX_TICKS;
	*step = HOUR;
	if (from > to)
		return 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !s; i++)
		if (count_ticks(from, to, steps[i]) <= max)
			s = steps[i];
	/* Beyond the list: whole multiples of 364 days. */
	for (int64_t k = 2; !s; k++)
		if (count_ticks(from, to, k * 364 * DAY) <= max)
			s = k * 364 * DAY;
	for (t = ceil_to(from, s); t <= to && n < max; t += s)
		ticks[n++] = t;
	*step = s;
	return n;
}

int64_t
svgchart_nice_ceil(int64_t v)
{
	int64_t p = 1;

	if (v <= 1)
		return 1;
	for (;;) {
		if (v <= p)
			return p;
		if (v <= 2 * p)
			return 2 * p;
		if (v <= 5 * p)
			return 5 * p;
		if (p > INT64_MAX / 100)
			return v;
		p *= 10;
	}
}

char *
svgchart_time_label(int64_t t, int64_t step, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	if (step >= DAY)
		strftime(buf, SVGCHART_LABEL_LEN, "%Y-%m-%d", &tm);
	else if (t % DAY == 0)
		strftime(buf, SVGCHART_LABEL_LEN, "%m-%d", &tm);
	else
		strftime(buf, SVGCHART_LABEL_LEN, "%H:%M", &tm);
	return buf;
}

/* A pixel coordinate; values from a hostile file may be anything, and
 * converting a double out of int's range is undefined: held within a
 * million pixels either way. */
static int
px(double v)
{
	if (!(v > -1e6))
		return -1000000;
	if (v > 1e6)
		return 1000000;
	return (int)(v >= 0 ? v + 0.5 : v - 0.5);
}

static void
add_title(struct strbuf *sb, const char *title)
{
	if (!title)
		return;
	strbuf_addstr(sb, "<title>");
	htmltext_addstr(sb, title);
	strbuf_addstr(sb, "</title>");
}

void
svgchart_begin(struct svgchart *c, struct strbuf *sb, int width, int height, int left,
	       int64_t from, int64_t to, const char *label)
{
	c->sb = sb;
	c->width = width;
	c->height = height;
	c->from = from;
	c->to = to;
	c->left = left;
	c->x = (struct svgchart_scale){ (double)from, (double)to, left, width - SVGCHART_RIGHT };
	c->top = c->bottom = 0;
	c->ymax = 1;
	strbuf_addf(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width, height, width, height);
	htmltext_addstr(sb, label);
	strbuf_addstr(sb, "\">");
	add_title(sb, label);
	strbuf_addch(sb, '\n');
}

static int
x_of(const struct svgchart *c, int64_t t)
{
	return px(svgchart_map(&c->x, (double)t));
}

static int
y_of(const struct svgchart *c, int64_t v)
{
	return px(svgchart_map(&c->y, (double)v));
}

/* The time ticks' lines from row top to bottom. */
static void
tick_lines(struct svgchart *c, int top, int bottom)
{
	int64_t ticks[SVGCHART_MAX_TICKS], step;
	size_t n = svgchart_time_ticks(c->from, c->to, 12, ticks, &step);

	for (size_t i = 0; i < n; i++)
		strbuf_addf(c->sb, "<line class=\"tick\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
			    x_of(c, ticks[i]), top, x_of(c, ticks[i]), bottom);
}

void
svgchart_panel(struct svgchart *c, int top, int bottom, int64_t ymax, const char *ylabel)
{
	int64_t grid[3];
	int left = px(c->x.r0), right = px(c->x.r1);

	c->top = top;
	c->bottom = bottom;
	c->ymax = svgchart_nice_ceil(ymax);
	c->y = (struct svgchart_scale){ 0, (double)c->ymax, bottom, top };
	strbuf_addf(c->sb, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
		    left, top, right - left, bottom - top);
	tick_lines(c, top, bottom);
	grid[0] = 0;
	grid[1] = c->ymax / 2;
	grid[2] = c->ymax;
	for (size_t i = 0; i < 3; i++) {
		if (i == 1 && (grid[1] == 0 || grid[1] == grid[2]))
			continue;
		strbuf_addf(c->sb, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
			    "<text class=\"value\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text>\n",
			    left, y_of(c, grid[i]), right, y_of(c, grid[i]), left - 6,
			    y_of(c, grid[i]) + 4, (long long)grid[i]);
	}
	strbuf_addf(c->sb, "<text class=\"ylabel\" x=\"%d\" y=\"%d\">", left, top - 6);
	htmltext_addstr(c->sb, ylabel);
	strbuf_addstr(c->sb, "</text>\n");
}

void
svgchart_lanes(struct svgchart *c, int top, int lane, size_t n, const char *const *labels)
{
	int left = px(c->x.r0), right = px(c->x.r1);

	c->top = top;
	c->bottom = top + lane * (int)n;
	c->ymax = (int64_t)n;
	/* lane i's middle at top + lane * i + lane / 2 */
	c->y = (struct svgchart_scale){ 0, (double)n, top, c->bottom };
	strbuf_addf(c->sb, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
		    left, top, right - left, c->bottom - top);
	tick_lines(c, top, c->bottom);
	for (size_t i = 0; i < n; i++) {
		int mid = top + lane * (int)i + lane / 2;

		strbuf_addf(c->sb, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
			    "<text class=\"lane\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", left, mid,
			    right, mid, left - 6, mid + 4);
		htmltext_addstr(c->sb, labels[i]);
		strbuf_addstr(c->sb, "</text>\n");
	}
}

void
svgchart_lane_mark(struct svgchart *c, size_t i, int64_t t, const char *cls, const char *title)
{
	int lane = c->ymax ? (c->bottom - c->top) / (int)c->ymax : 0;
	int mid = c->top + lane * (int)i + lane / 2;

	strbuf_addf(c->sb, "<circle class=\"%s\" cx=\"%d\" cy=\"%d\" r=\"6\">", cls, x_of(c, t),
		    mid);
	add_title(c->sb, title);
	strbuf_addstr(c->sb, "</circle>\n");
}

void
svgchart_time_axis(struct svgchart *c, const char *caption)
{
	int64_t ticks[SVGCHART_MAX_TICKS], step;
	size_t n = svgchart_time_ticks(c->from, c->to, 12, ticks, &step);
	char label[SVGCHART_LABEL_LEN];

	for (size_t i = 0; i < n; i++)
		strbuf_addf(c->sb, "<text class=\"time\" x=\"%d\" y=\"%d\" "
			    "text-anchor=\"middle\">%s</text>\n", x_of(c, ticks[i]), c->bottom + 16,
			    svgchart_time_label(ticks[i], step, label));
	strbuf_addf(c->sb, "<text class=\"time\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    px(c->x.r1), c->bottom + 32);
	htmltext_addstr(c->sb, caption);
	strbuf_addstr(c->sb, "</text>\n");
}

void
svgchart_bar(struct svgchart *c, int64_t t, int64_t seconds, int64_t value, const char *cls,
	     const char *title)
{
	int x0 = x_of(c, t), x1 = x_of(c, t + seconds), y = y_of(c, value);
	int w = x1 - x0 > 2 ? x1 - x0 - 1 : 1;

	if (value <= 0)
		return;
	if (y < c->top)
		y = c->top;
	strbuf_addf(c->sb, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">",
		    cls, x0, y, w, c->bottom - y);
	add_title(c->sb, title);
	strbuf_addstr(c->sb, "</rect>\n");
}

void
svgchart_point(struct svgchart *c, int64_t t, int64_t value, const char *cls, const char *title)
{
	int x = x_of(c, t), y = y_of(c, value);

	if (y < c->top)
		y = c->top;
	if (y > c->bottom)
		y = c->bottom;
	strbuf_addf(c->sb, "<g class=\"%s\"><circle cx=\"%d\" cy=\"%d\" r=\"5\">", cls, x, y);
	add_title(c->sb, title);
	strbuf_addf(c->sb, "</circle><text x=\"%d\" y=\"%d\">%lld</text></g>\n", x + 7, y - 5,
		    (long long)value);
}

void
svgchart_marker(struct svgchart *c, int64_t t, int top, int bottom, const char *cls,
		const char *label)
{
	int x = x_of(c, t);

	strbuf_addf(c->sb, "<g class=\"%s\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", cls, x, top, x, bottom, x - 4,
		    top + 12);
	htmltext_addstr(c->sb, label);
	strbuf_addstr(c->sb, "</text></g>\n");
}

void
svgchart_end(struct svgchart *c)
{
	strbuf_addstr(c->sb, "</svg>\n");
}
