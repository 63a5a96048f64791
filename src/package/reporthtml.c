/* reporthtml.c - the pages people look at: REPORT.html and index.html
 *
 * Every piece of text that comes from a bundle goes through htmltext
 * (textsafe's rules, then the five HTML characters); the page holds no
 * script, no event attribute and no URL with a scheme, so that a hostile
 * Subject or Message-ID stays text.  Times are written as summary.json
 * writes them (UTC), so that the page and the JSON can be compared. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "findingtext.h"
#include "fpkit_limits.h"
#include "htmltext.h"
#include "outfile.h"
#include "reporthtml.h"
#include "strbuf.h"
#include "svgchart.h"
#include "timefmt.h"
#include "words.h"
#include "xalloc.h"

#define HOUR INT64_C(3600)
#define DAY (24 * HOUR)

/* The words of the pages, in English; src/words/ has them in each
 * language.  Text fields only, the first the language's code: words_for
 * goes through them as an array. */
struct words {
	const char *lang;
	const char *title_bundle, *title_index;
	const char *ip, *block, *state, *blocked_at, *block_time, *bundle, *version;
	const char *timeline, *timeline_label, *scores, *volume, *block_mark, *utc;
	const char *no_dates, *closer;
	const char *vol_none;
	const char *hourly, *hour, *messages, *recipients, *deferred, *bounced;
	const char *detected, *msgid, *date, *destination, *score, *sample, *integrity,
		   *dkim, *lint;
	const char *found, *not_found, *before_block, *intact, *not_checked, *no_signature,
		   *nothing, *problems;
	const char *ticket, *stats, *stats_total, *stats_spams, *stats_avg, *timestamp;
	const char *index_chart, *events, *archived_at, *missing, *host,
		   *no_events;
};

static const struct words en = {
	"en",
	"Anti-spam block of", "Archive of the anti-spam blocks",
	"IP", "Block", "State", "Blocked at", "Block time (API)", "Bundle", "Written by",
	"Timeline", "Timeline of the block", "Detected messages: spam score", "Mail sent per hour (messages)",
	"block", "UTC",
	"No date to draw: neither the detected messages nor the logs give one.",
	"The detections and the block, closer",
	"Sending volume: not known (no mail log was read).",
	"Mail sent in each hour", "Hour (UTC)", "Messages", "Recipients", "Deferred", "Bounced",
	"Detected messages and their samples", "Message-ID", "Date", "Destination", "Spam score",
	"Sample", "Integrity", "DKIM", "Best practices",
	"found", "not found", "sent before the block", "intact", "not checked", "no signature",
	"nothing to report", "problems",
	"Ticket", "The API's statistics", "Total", "Spams", "Average spam score", "Time",
	"Block events per IP", "Events", "Archived at",
	"Messages not found", "Host", "No block event archived yet.",
};


/* The page's words in LANG (a code words.h knows; else English), in *w. */
static const struct words *
words_for(const char *lang, struct words *w)
{
	const char **field = (const char **)(void *)w;

	*w = en;
	if (words_lang(lang) == NULL)
		return w;
	for (size_t i = 1; i < sizeof(*w) / sizeof(*field); i++)
		field[i] = tr(lang, field[i]);
	w->lang = words_lang(lang)->code;
	return w;
}

/* The page's style: system fonts only, nothing fetched. */
static const char style[] =
	"body{font:15px/1.45 sans-serif;color:#1d2733;background:#fff;margin:24px auto;"
	"max-width:1140px;padding:0 16px}\n"
	"h1{font-size:24px;margin:0 0 12px}h3{font-size:16px;margin:18px 0 6px}h2{font-size:19px;margin:28px 0 8px;"
	"border-bottom:2px solid #d8e0ea;padding-bottom:4px}\n"
	"dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0}"
	"dl.facts dt{font-weight:bold}dl.facts dd{margin:0}\n"
	"table{border-collapse:collapse;width:100%;font-size:14px}"
	"th,td{border:1px solid #c9d3df;padding:4px 6px;text-align:left;vertical-align:top}"
	"th{background:#eef2f7}td.num{text-align:right}td.t{white-space:nowrap}\n"
	"ul.miss{list-style:none;margin:4px 0 0;padding:0}\n"
	".id{font-family:monospace;word-break:break-all}\n"
	".ok{color:#116329;font-weight:bold}.bad{color:#b3261e;font-weight:bold}"
	".none{color:#6b7785}\n"
	"pre{background:#f6f8fa;border:1px solid #d8e0ea;padding:12px;white-space:pre-wrap;"
	"font-size:13px}\n"
	"svg{display:block;max-width:100%;height:auto;font:12px sans-serif}\n"
	"svg .frame{fill:#fbfcfe;stroke:#9aa7b6}svg .grid{stroke:#e1e7ee}"
	"svg .tick{stroke:#e9edf2}\n"
	"svg .value,svg .time,svg .lane{fill:#4a5666}svg .ylabel{fill:#1d2733;font-weight:bold}\n"
	"svg .vol{fill:#5b8def}svg .volbad{fill:#e8a33d}\n"
	"svg .score circle{fill:#d93f3f;stroke:#7a1212}svg .score text{fill:#7a1212}\n"
	"svg .score.found circle{fill:#2e9e5b;stroke:#145c32}svg .score.found text{fill:#145c32}\n"
	"svg .event{fill:#7b4fd6;stroke:#3d2375}svg .event.missing{fill:#e8a33d}\n"
	"svg .blockmark line{stroke:#b3261e;stroke-width:2;stroke-dasharray:6 3}"
	"svg .blockmark text{fill:#b3261e;font-weight:bold}\n"
	"footer{margin-top:32px;color:#6b7785;font-size:13px}\n";

static void
add_text(struct strbuf *sb, const char *s)
{
	htmltext_addstr(sb, s);
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A time of summary.json: true with *t when it is one. */
static bool
time_of(json_t *o, const char *key, int64_t *t)
{
	const char *s = str(o, key);

	return s && timefmt_parse_iso(s, t) == 0;
}

static void
head(struct strbuf *sb, const struct words *w, const char *title, const char *title2)
{
	strbuf_addf(sb, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"generator\" content=\"fpkit\">\n<title>", w->lang);
	add_text(sb, title);
	if (title2) {
		strbuf_addch(sb, ' ');
		add_text(sb, title2);
	}
	strbuf_addf(sb, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}

static void
fact(struct strbuf *sb, const char *label, const char *value)
{
	strbuf_addstr(sb, "<dt>");
	add_text(sb, label);
	strbuf_addstr(sb, "</dt><dd>");
	add_text(sb, value ? value : "\xe2\x80\x94");
	strbuf_addstr(sb, "</dd>\n");
}

static void
cell_text(struct strbuf *sb, const char *cls, const char *s)
{
	if (cls)
		strbuf_addf(sb, "<td class=\"%s\">", cls);
	else
		strbuf_addstr(sb, "<td>");
	add_text(sb, s ? s : "\xe2\x80\x94");
	strbuf_addstr(sb, "</td>");
}

static void
cell_int(struct strbuf *sb, json_t *v)
{
	if (json_is_integer(v))
		strbuf_addf(sb, "<td class=\"num\">%lld</td>", (long long)json_integer_value(v));
	else
		strbuf_addstr(sb, "<td class=\"num\">\xe2\x80\x94</td>");
}

static char *
int_text(json_t *v)
{
	return json_is_integer(v) ? xasprintf("%lld", (long long)json_integer_value(v))
				  : xstrdup("?");
}

/* --- the bundle's page ---------------------------------------------------- */

/* The times the timeline spans: the volume's window, the targets' dates,
 * the API's statistics and the block, in whole hours, with an hour after
 * the last.  False when there is no time at all. */
static bool
timeline_span(json_t *summary, int64_t *from, int64_t *to)
{
	json_t *v = json_object_get(summary, "volume"), *t;
	int64_t lo = INT64_MAX, hi = INT64_MIN, x;
	size_t i;

#define TAKE(o, k) do { if (time_of((o), (k), &x)) { lo = x < lo ? x : lo; hi = x > hi ? x : hi; } } while (0)
	TAKE(summary, "blocked_at");
	if (json_is_object(v)) {
		TAKE(v, "from");
		TAKE(v, "to");
	}
	json_array_foreach(json_object_get(summary, "targets"), i, t)
		TAKE(t, "date");
	json_array_foreach(json_object_get(summary, "stats"), i, t)
		TAKE(t, "timestamp");
#undef TAKE
	if (lo > hi)
		return false;
	/* At least six hours, so that a lone block is not a point. */
	if (hi - lo < 6 * HOUR)
		lo = hi - 6 * HOUR;
	*from = lo - (lo % HOUR + HOUR) % HOUR;
	*to = hi - (hi % HOUR + HOUR) % HOUR + HOUR;
	return true;
}

static bool
target_found(json_t *t)
{
	return json_array_size(json_object_get(t, "sample_files")) > 0;
}

static void volume_text(struct strbuf *sb, json_t *summary, const struct words *w);

/* Each detected message with a date and a score as a point of the
 * current panel. */
static void
score_points(struct svgchart *c, json_t *summary, const struct words *w)
{
	json_t *t;
	int64_t date;
	size_t i;

	json_array_foreach(json_object_get(summary, "targets"), i, t) {
		json_t *score = json_object_get(t, "spamscore");
		char *title;

		if (!time_of(t, "date", &date) || !json_is_integer(score))
			continue;
		title = xasprintf("%s %s, %s %lld, %s", str(t, "message_id") ? str(t, "message_id") : "?",
				  str(t, "date"), w->score, (long long)json_integer_value(score),
				  target_found(t) ? w->found : w->not_found);
		svgchart_point(c, date, json_integer_value(score),
			       target_found(t) ? "score found" : "score", title);
		free(title);
	}
}

static void
block_marker(struct svgchart *c, json_t *summary, const struct words *w, int bottom)
{
	char iso[TIMEFMT_ISO_LEN], *label;
	int64_t block;

	if (!time_of(summary, "blocked_at", &block))
		return;
	label = xasprintf("%s %s", w->block_mark, timefmt_iso_utc(block, iso));
	svgchart_marker(c, block, 18, bottom, "blockmark", label);
	free(label);
}

static void
volume_bars(struct svgchart *c, json_t *hourly, const struct words *w)
{
	json_t *t;
	size_t i;

	json_array_foreach(hourly, i, t) {
		int64_t hour;
		char *title;
		json_t *m = json_object_get(t, "messages");

		if (!time_of(t, "hour", &hour))
			continue;
		/* "heading: count", the column headings as they are: no
		 * language has to make them agree with a number. */
		title = xasprintf("%s: %s %lld, %s %lld, %s %lld, %s %lld", str(t, "hour"),
				  w->messages, (long long)json_integer_value(m), w->recipients,
				  (long long)json_integer_value(json_object_get(t, "recipients")),
				  w->deferred,
				  (long long)json_integer_value(json_object_get(t, "deferred")),
				  w->bounced,
				  (long long)json_integer_value(json_object_get(t, "bounced")));
		svgchart_bar(c, hour, HOUR, json_integer_value(m), "vol", title);
		free(title);
	}
}

/* The detections and the block, closer: from ten minutes before the
 * first dated target to ten minutes after the last of them and the
 * block, on whole ten minutes; false when there is no such span, or it
 * is not a quarter of the whole timeline's (nothing to see closer). */
static bool
detail_span(json_t *summary, int64_t whole, int64_t *from, int64_t *to)
{
	const int64_t ten = 600;
	int64_t lo = INT64_MAX, hi = INT64_MIN, x;
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(summary, "targets"), i, t)
		if (time_of(t, "date", &x)) {
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
		}
	if (lo > hi)
		return false;
	if (time_of(summary, "blocked_at", &x))
		hi = x > hi ? x : hi;
	lo -= ten;
	hi += ten;
	*from = lo - (lo % ten + ten) % ten;
	*to = hi - (hi % ten + ten) % ten + ten;
	return (*to - *from) * 4 < whole;
}

static void
timeline(struct strbuf *sb, json_t *summary, const struct words *w)
{
	json_t *vol = json_object_get(summary, "volume"), *hourly = NULL, *t;
	int64_t from, to, dfrom, dto, maxscore = 0, maxvol = 0;
	struct svgchart c;
	bool has_vol;
	size_t i;

	strbuf_addf(sb, "<h2>%s</h2>\n", w->timeline);
	if (!timeline_span(summary, &from, &to)) {
		strbuf_addstr(sb, "<p>");
		add_text(sb, w->no_dates);
		strbuf_addstr(sb, "</p>\n");
		volume_text(sb, summary, w);
		return;
	}
	if (json_is_object(vol))
		hourly = json_object_get(vol, "hourly");
	has_vol = json_array_size(hourly) > 0;
	json_array_foreach(json_object_get(summary, "targets"), i, t)
		if (json_is_integer(json_object_get(t, "spamscore")) &&
		    json_integer_value(json_object_get(t, "spamscore")) > maxscore)
			maxscore = json_integer_value(json_object_get(t, "spamscore"));
	json_array_foreach(hourly, i, t)
		if (json_integer_value(json_object_get(t, "messages")) > maxvol)
			maxvol = json_integer_value(json_object_get(t, "messages"));
	svgchart_begin(&c, sb, 1100, has_vol ? 470 : 260, 64, from, to, w->timeline_label);
	svgchart_panel(&c, 30, 200, maxscore, w->scores);
	score_points(&c, summary, w);
	if (has_vol) {
		svgchart_panel(&c, 260, 430, maxvol, w->volume);
		volume_bars(&c, hourly, w);
	}
	svgchart_time_axis(&c, w->utc);
	block_marker(&c, summary, w, has_vol ? 430 : 200);
	svgchart_end(&c);
	volume_text(sb, summary, w);
	if (!detail_span(summary, to - from, &dfrom, &dto))
		return;
	strbuf_addf(sb, "<h3>%s</h3>\n", w->closer);
	svgchart_begin(&c, sb, 1100, 260, 64, dfrom, dto, w->closer);
	svgchart_panel(&c, 30, 200, maxscore, w->scores);
	score_points(&c, summary, w);
	svgchart_time_axis(&c, w->utc);
	block_marker(&c, summary, w, 200);
	svgchart_end(&c);
}

/* The volume in words, and hour by hour as a table. */
static void
volume_text(struct strbuf *sb, json_t *summary, const struct words *w)
{
	json_t *v = json_object_get(summary, "volume"), *h;
	static const char *const keys[] = { "messages", "recipients", "recipient_domains",
					    "delivered", "deferred", "bounced" };
	char *n[6], *line;
	const char *from, *to;
	size_t i;

	if (!json_is_object(v)) {
		strbuf_addstr(sb, "<p class=\"volume\">");
		add_text(sb, w->vol_none);
		strbuf_addstr(sb, "</p>\n");
		return;
	}
	for (i = 0; i < 6; i++)
		n[i] = int_text(json_object_get(v, keys[i]));
	from = str(v, "from") ? str(v, "from") : "?";
	to = str(v, "to") ? str(v, "to") : "?";
	line = xasprintf(tr(w->lang, "In the 24 hours before the block (%s to %s): %s messages "
			    "to %s recipients in %s domains; %s delivered, %s deferred, %s "
			    "bounced."), from, to, n[0], n[1], n[2], n[3], n[4], n[5]);
	strbuf_addstr(sb, "<p class=\"volume\">");
	add_text(sb, line);
	free(line);
	for (i = 0; i < 6; i++)
		free(n[i]);
	if (!json_is_true(json_object_get(v, "complete")) && str(v, "covered_from") &&
	    str(v, "covered_to")) {
		line = xasprintf(tr(w->lang, "The logs cover %s to %s of that window only."),
				 str(v, "covered_from"), str(v, "covered_to"));
		strbuf_addch(sb, ' ');
		add_text(sb, line);
		free(line);
	}
	strbuf_addstr(sb, "</p>\n");
	if (json_array_size(json_object_get(v, "hourly")) == 0)
		return;
	strbuf_addstr(sb, "<details><summary>");
	add_text(sb, w->hourly);
	strbuf_addf(sb, "</summary>\n<table class=\"hourly\"><tr><th>%s</th><th>%s</th><th>%s</th>"
		    "<th>%s</th><th>%s</th></tr>\n", w->hour, w->messages, w->recipients,
		    w->deferred, w->bounced);
	json_array_foreach(json_object_get(v, "hourly"), i, h) {
		strbuf_addstr(sb, "<tr>");
		cell_text(sb, "t", str(h, "hour"));
		cell_int(sb, json_object_get(h, "messages"));
		cell_int(sb, json_object_get(h, "recipients"));
		cell_int(sb, json_object_get(h, "deferred"));
		cell_int(sb, json_object_get(h, "bounced"));
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</table></details>\n");
}

/* A finding list ({id, detail} objects) as words: the rule's sentence
 * (findingtext), or its id, then its detail. */
static void
findings(struct strbuf *sb, json_t *list, const char *lang)
{
	json_t *f;
	size_t i;

	strbuf_addstr(sb, "<ul>");
	json_array_foreach(list, i, f) {
		const char *id = str(f, "id"), *said = id ? findingtext_rule(id, lang) : NULL;

		strbuf_addstr(sb, "<li>");
		add_text(sb, said ? said : id ? id : "?");
		if (str(f, "detail") && *str(f, "detail")) {
			strbuf_addstr(sb, " (");
			add_text(sb, str(f, "detail"));
			strbuf_addch(sb, ')');
		}
		strbuf_addstr(sb, "</li>");
	}
	strbuf_addstr(sb, "</ul>");
}

/* The three verdicts of one sample's checks as cells. */
static void
verdicts(struct strbuf *sb, json_t *sample, const struct words *w)
{
	json_t *chk = json_object_get(sample, "checks"), *d;
	size_t i;

	if (!json_is_object(chk)) {
		strbuf_addf(sb, "<td class=\"none\">%s</td><td class=\"none\">%s</td>"
			    "<td class=\"none\">%s</td>", w->not_checked, w->not_checked,
			    w->not_checked);
		return;
	}
	if (json_is_true(json_object_get(chk, "intact"))) {
		strbuf_addf(sb, "<td class=\"ok\">%s</td>", w->intact);
	} else {
		strbuf_addf(sb, "<td><span class=\"bad\">%s</span>", w->problems);
		findings(sb, json_object_get(chk, "problems"), w->lang);
		strbuf_addstr(sb, "</td>");
	}
	if (!json_is_true(json_object_get(chk, "dkim_checked"))) {
		strbuf_addf(sb, "<td class=\"none\">%s</td>", w->not_checked);
	} else if (json_array_size(json_object_get(chk, "dkim")) == 0) {
		strbuf_addf(sb, "<td class=\"none\">%s</td>", w->no_signature);
	} else {
		strbuf_addstr(sb, "<td><ul>");
		json_array_foreach(json_object_get(chk, "dkim"), i, d) {
			const char *res = str(d, "result");
			bool pass = res && strcmp(res, "pass") == 0;

			strbuf_addf(sb, "<li><span class=\"%s\">", pass ? "ok" : "bad");
			add_text(sb, res ? res : "?");
			strbuf_addstr(sb, "</span> d=");
			add_text(sb, str(d, "domain"));
			strbuf_addstr(sb, " s=");
			add_text(sb, str(d, "selector"));
			strbuf_addstr(sb, "</li>");
		}
		strbuf_addstr(sb, "</ul></td>");
	}
	if (!json_is_true(json_object_get(chk, "lint_checked"))) {
		strbuf_addf(sb, "<td class=\"none\">%s</td>", w->not_checked);
	} else if (json_array_size(json_object_get(chk, "lint")) == 0) {
		strbuf_addf(sb, "<td class=\"ok\">%s</td>", w->nothing);
	} else {
		strbuf_addstr(sb, "<td>");
		findings(sb, json_object_get(chk, "lint"), w->lang);
		strbuf_addstr(sb, "</td>");
	}
}

static json_t *
sample_by_file(json_t *summary, const char *file)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(summary, "samples"), i, s)
		if (file && str(s, "file") && strcmp(str(s, "file"), file) == 0)
			return s;
	return NULL;
}

/* One row per sample of a target (one "not found" row without), then
 * one per sample sent before the block. */
static void
messages_table(struct strbuf *sb, json_t *summary, const struct words *w)
{
	json_t *t, *f, *s;
	size_t i, k, row = 0;

	strbuf_addf(sb, "<h2>%s</h2>\n<table class=\"messages\"><tr><th>#</th><th>%s</th>"
		    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		    "<th>%s</th></tr>\n", w->detected, w->msgid, w->date, w->destination, w->score,
		    w->sample, w->integrity, w->dkim, w->lint);
	json_array_foreach(json_object_get(summary, "targets"), i, t) {
		json_t *files = json_object_get(t, "sample_files");
		size_t n = json_array_size(files);

		for (k = 0; k < (n ? n : 1); k++) {
			f = json_array_get(files, k);
			s = n ? sample_by_file(summary, json_string_value(f)) : NULL;
			strbuf_addf(sb, "<tr class=\"%s\"><td class=\"num\">%zu</td>",
				    n ? "found" : "missing", ++row);
			cell_text(sb, "id", str(t, "message_id"));
			cell_text(sb, "t", str(t, "date"));
			cell_text(sb, NULL, str(t, "destination_ip"));
			cell_int(sb, json_object_get(t, "spamscore"));
			if (!n) {
				strbuf_addf(sb, "<td class=\"bad\">%s</td><td class=\"none\"></td>"
					    "<td class=\"none\"></td><td class=\"none\"></td></tr>\n",
					    w->not_found);
				continue;
			}
			strbuf_addf(sb, "<td><span class=\"ok\">%s</span><br><span class=\"id\">",
				    w->found);
			add_text(sb, json_string_value(f));
			strbuf_addstr(sb, "</span></td>");
			verdicts(sb, s, w);
			strbuf_addstr(sb, "</tr>\n");
		}
	}
	json_array_foreach(json_object_get(summary, "samples"), i, s) {
		const char *by = str(s, "selected_by");

		if (!by || strcmp(by, "before-block") != 0)
			continue;
		strbuf_addf(sb, "<tr class=\"before\"><td class=\"num\">%zu</td>", ++row);
		cell_text(sb, "id", str(s, "message_id"));
		cell_text(sb, "t", str(s, "date"));
		cell_text(sb, NULL, NULL);
		cell_text(sb, "num", NULL);
		strbuf_addf(sb, "<td><span class=\"ok\">%s</span><br><span class=\"id\">",
			    w->before_block);
		add_text(sb, str(s, "file"));
		strbuf_addstr(sb, "</span></td>");
		verdicts(sb, s, w);
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</table>\n");
}

static void
stats_table(struct strbuf *sb, json_t *summary, const struct words *w)
{
	json_t *s;
	size_t i;

	if (json_array_size(json_object_get(summary, "stats")) == 0)
		return;
	strbuf_addf(sb, "<h2>%s</h2>\n<table class=\"stats\"><tr><th>%s</th><th>%s</th><th>%s</th>"
		    "<th>%s</th></tr>\n", w->stats, w->timestamp, w->stats_total, w->stats_spams,
		    w->stats_avg);
	json_array_foreach(json_object_get(summary, "stats"), i, s) {
		strbuf_addstr(sb, "<tr>");
		cell_text(sb, "t", str(s, "timestamp"));
		cell_int(sb, json_object_get(s, "total"));
		cell_int(sb, json_object_get(s, "number_of_spams"));
		cell_int(sb, json_object_get(s, "average_spamscore"));
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</table>\n");
}

char *
reporthtml_bundle(json_t *summary, const char *ticket, size_t ticket_len, const char *bundle,
		  const char *lang, size_t *len)
{
	struct words words;
	const struct words *w = words_for(lang, &words);
	struct strbuf sb;
	json_t *secs = json_object_get(summary, "block_seconds");
	char *s;

	strbuf_init(&sb, STRBUF_NO_MAX);
	head(&sb, w, w->title_bundle, str(summary, "ip") ? str(summary, "ip") : "?");
	strbuf_addf(&sb, "<h1>%s ", w->title_bundle);
	add_text(&sb, str(summary, "ip") ? str(summary, "ip") : "?");
	strbuf_addstr(&sb, "</h1>\n<dl class=\"facts\">\n");
	fact(&sb, w->ip, str(summary, "ip"));
	fact(&sb, w->block, str(summary, "block"));
	fact(&sb, w->state, str(summary, "state"));
	fact(&sb, w->blocked_at, str(summary, "blocked_at"));
	if (json_is_integer(secs) && json_integer_value(secs) >= 0) {
		char d[64];

		fact(&sb, w->block_time, timefmt_duration(json_integer_value(secs), d, sizeof(d)));
	}
	if (bundle)
		fact(&sb, w->bundle, bundle);
	strbuf_addstr(&sb, "</dl>\n");
	timeline(&sb, summary, w);
	messages_table(&sb, summary, w);
	stats_table(&sb, summary, w);
	strbuf_addf(&sb, "<h2>%s</h2>\n<pre class=\"ticket\">", w->ticket);
	if (ticket)
		htmltext_add_lines(&sb, ticket, ticket_len);
	strbuf_addstr(&sb, "</pre>\n<footer>");
	s = xasprintf("%s fpkit %s", w->version,
		      str(summary, "fpkit_version") ? str(summary, "fpkit_version") : "?");
	add_text(&sb, s);
	free(s);
	strbuf_addstr(&sb, "</footer>\n</body>\n</html>\n");
	return strbuf_detach(&sb, len);
}

const char *
reporthtml_ticket_lang(const char *ticket, size_t len)
{
	const struct words_lang *l = ticket ? words_lang_of_subject(ticket, len, NULL) : NULL;

	return l ? l->code : "en";
}

/* --- the archive's page --------------------------------------------------- */

/* A bundle's name as a link beside the page: relative, of the characters
 * an object key may have, no "..", no scheme (no ':'), not "//". */
static bool
linkable(const char *name)
{
	if (!name || !*name || name[0] == '/' || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || strchr("._~/-", *p)))
			return false;
	return true;
}

struct event {
	json_t *o;
	int64_t date;
	const char *ip;
};

static int
cmp_events(const void *x, const void *y)
{
	const struct event *a = x, *b = y;
	int c = strcmp(a->ip, b->ip);

	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	if (c)
		return c;
	return strcmp(str(a->o, "bundle"), str(b->o, "bundle"));
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The messages not found of an event: the list of their Message-IDs
 * (a folder's index), or their count alone (a bucket's metadata). */
static size_t
missing_count(json_t *o)
{
	json_t *m = json_object_get(o, "missing");

	if (json_is_integer(m) && json_integer_value(m) > 0)
		return (size_t)json_integer_value(m);
	return json_array_size(m);
}

static void
index_chart(struct strbuf *sb, const struct event *ev, size_t nr, const char **ips,
	    size_t nr_ips, const struct words *w)
{
	int64_t from = ev[0].date, to = ev[nr - 1].date;
	struct svgchart c;
	int lane = 32;
	size_t i;

	/* A day on either side, in whole days. */
	from = from - (from % DAY) - DAY;
	to = to - (to % DAY) + 2 * DAY;
	svgchart_begin(&c, sb, 1100, 70 + lane * (int)nr_ips, 130, from, to, w->index_chart);
	svgchart_lanes(&c, 20, lane, nr_ips, ips);
	for (i = 0; i < nr; i++) {
		const char **at = bsearch(&ev[i].ip, ips, nr_ips, sizeof(*ips), cmp_str);
		char *title;

		title = xasprintf("%s %s%s%s", ev[i].ip, str(ev[i].o, "date"),
				  str(ev[i].o, "bundle") ? " " : "",
				  str(ev[i].o, "bundle") ? str(ev[i].o, "bundle") : "");
		svgchart_lane_mark(&c, (size_t)(at - ips), ev[i].date,
				   missing_count(ev[i].o) ?
				   "event missing" : "event", title);
		free(title);
	}
	svgchart_time_axis(&c, w->utc);
	svgchart_end(&c);
}

static void
index_table(struct strbuf *sb, const struct event *ev, size_t nr, const struct words *w,
	    bool hosts)
{
	strbuf_addf(sb, "<table class=\"events\"><tr><th>%s</th><th>%s</th><th>%s</th>"
		    "<th>%s</th>", w->blocked_at, w->ip, w->block, w->bundle);
	if (hosts)
		strbuf_addf(sb, "<th>%s</th>", w->host);
	strbuf_addf(sb, "<th>%s</th><th>%s</th></tr>\n", w->missing, w->archived_at);
	/* Newest first: what people look for. */
	for (size_t k = nr; k-- > 0;) {
		json_t *o = ev[k].o, *miss = json_object_get(o, "missing");
		const char *bundle = str(o, "bundle");

		strbuf_addstr(sb, "<tr>");
		cell_text(sb, "t", str(o, "date"));
		cell_text(sb, NULL, ev[k].ip);
		cell_text(sb, NULL, str(o, "block"));
		strbuf_addstr(sb, "<td class=\"id\">");
		if (linkable(bundle)) {
			strbuf_addstr(sb, "<a href=\"");
			add_text(sb, bundle);
			strbuf_addstr(sb, "\">");
			add_text(sb, bundle);
			strbuf_addstr(sb, "</a>");
		} else {
			add_text(sb, bundle);
		}
		strbuf_addstr(sb, "</td>");
		if (hosts)
			cell_text(sb, NULL, str(o, "host"));
		strbuf_addf(sb, "<td>%zu", missing_count(o));
		if (json_array_size(miss)) {
			json_t *id;
			size_t i;

			strbuf_addstr(sb, "<ul class=\"miss id\">");
			json_array_foreach(miss, i, id) {
				strbuf_addstr(sb, "<li>");
				add_text(sb, json_string_value(id));
				strbuf_addstr(sb, "</li>");
			}
			strbuf_addstr(sb, "</ul>");
		}
		strbuf_addstr(sb, "</td>");
		cell_text(sb, "t", str(o, "archived_at"));
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</table>\n");
}

char *
reporthtml_index(json_t *events, const char *lang, size_t *len)
{
	struct words words;
	const struct words *w = words_for(lang, &words);
	size_t nr = 0, nr_ips = 0, i;
	struct event *ev = xcalloc(json_array_size(events) + 1, sizeof(*ev));
	const char **ips = xcalloc(json_array_size(events) + 1, sizeof(*ips));
	bool hosts = false;
	struct strbuf sb;
	json_t *o;
	char *s;

	json_array_foreach(events, i, o) {
		/* The records of an act (an unblock, a ticket) name an
		 * event's bundle too; they are not events. */
		if (!json_is_object(o) || !str(o, "ip") || !str(o, "bundle") ||
		    json_is_object(json_object_get(o, "unblock")) ||
		    json_is_object(json_object_get(o, "ticket")) ||
		    !time_of(o, "date", &ev[nr].date))
			continue;
		ev[nr].o = o;
		ev[nr].ip = str(o, "ip");
		hosts |= str(o, "host") != NULL;
		nr++;
	}
	qsort(ev, nr, sizeof(*ev), cmp_events);
	for (i = 0; i < nr; i++)
		ips[i] = ev[i].ip;
	qsort(ips, nr, sizeof(*ips), cmp_str);
	for (i = 0; i < nr; i++)
		if (nr_ips == 0 || strcmp(ips[nr_ips - 1], ips[i]) != 0)
			ips[nr_ips++] = ips[i];
	strbuf_init(&sb, STRBUF_NO_MAX);
	head(&sb, w, w->title_index, NULL);
	strbuf_addf(&sb, "<h1>%s</h1>\n<p class=\"count\">", w->title_index);
	s = xasprintf(trn(w->lang, "%zu block event", "%zu block events", nr), nr);
	add_text(&sb, s);
	free(s);
	strbuf_addch(&sb, ' ');
	s = xasprintf(trn(w->lang, "of %zu IP", "of %zu IPs", nr_ips), nr_ips);
	add_text(&sb, s);
	free(s);
	strbuf_addstr(&sb, "</p>\n");
	if (nr == 0) {
		strbuf_addstr(&sb, "<p>");
		add_text(&sb, w->no_events);
		strbuf_addstr(&sb, "</p>\n");
	} else {
		strbuf_addf(&sb, "<h2>%s</h2>\n", w->index_chart);
		index_chart(&sb, ev, nr, ips, nr_ips, w);
		strbuf_addf(&sb, "<h2>%s</h2>\n", w->events);
		index_table(&sb, ev, nr, w, hosts);
	}
	strbuf_addstr(&sb, "<footer>fpkit</footer>\n</body>\n</html>\n");
	free(ev);
	free(ips);
	return strbuf_detach(&sb, len);
}

int
reporthtml_read_index(const char *path, json_t **events, size_t *skipped, struct error *err)
{
	struct strbuf sb;
	char *p, *nl;

	*skipped = 0;
	strbuf_init(&sb, FPKIT_LIMIT_BUNDLE_META);
	if (strbuf_read_file(&sb, path, "an archive index", err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	*events = json_array();
	for (p = sb.buf; p < sb.buf + sb.len; p = nl + 1) {
		json_t *j;

		nl = memchr(p, '\n', (size_t)(sb.buf + sb.len - p));
		if (nl == NULL)
			nl = sb.buf + sb.len;
		if (nl == p)
			continue;
		j = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, NULL);
		if (json_is_object(j))
			json_array_append_new(*events, j);
		else {
			json_decref(j);
			(*skipped)++;
		}
	}
	strbuf_release(&sb);
	return 0;
}

int
reporthtml_write(const char *path, const char *text, size_t len, struct error *err)
{
	struct outfile o = { NULL, NULL, -1 };
	int rc;

	if (outfile_open(&o, path, err) < 0)
		return -1;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(o.fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
			outfile_abort(&o);
			return -1;
		}
		done += (size_t)n;
	}
	rc = outfile_commit(&o, true, err);
	outfile_abort(&o);
	return rc;
}

int
reporthtml_write_index(const char *index, const char *lang, struct error *err)
{
	const char *slash = strrchr(index, '/');
	char *page = slash ? xasprintf("%.*s/%s", (int)(slash - index), index, REPORTHTML_INDEX)
			   : xstrdup(REPORTHTML_INDEX);
	json_t *events = NULL;
	size_t skipped, len;
	char *text;
	int rc = -1;

	if (reporthtml_read_index(index, &events, &skipped, err) == 0) {
		text = reporthtml_index(events, lang, &len);
		rc = reporthtml_write(page, text, len, err);
		free(text);
	}
	json_decref(events);
	free(page);
	return rc;
}
