/* logclock.c - a constant offset between the logs' times and the API's
 *
 * A classic syslog stamp names no zone: fpkit reads it in the zone of
 * TZ, and when that is not the zone the server wrote it in, every time
 * read from it is off by the difference, the same whole number of hours
 * for every line.  The stats date each flagged message, so the targets
 * found in the logs tell: when all of them are off by the same whole
 * number of hours, the zone is the likely cause, and the zone that
 * would read them right is that many hours away from TZ's at the block.
 * A stamp that carries its zone cannot be read wrong: the same offset
 * there means a clock (the server's or the API's) is off. */
#include "config.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "logclock.h"
#include "maillog.h"
#include "model.h"
#include "targets.h"
#include "timefmt.h"
#include "xalloc.h"

/* d seconds as the nearest whole number of hours. */
static int64_t
nearest_hours(int64_t d)
{
	return d >= 0 ? (d + 1800) / 3600 : -((-d + 1800) / 3600);
}

bool
logclock_offset(const struct logclock_time *times, size_t n, bool zoned, int64_t *offset,
		size_t *count)
{
	int64_t hours = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t d, h;

		if (times[i].zoned != zoned)
			continue;
		d = times[i].log - times[i].api;
		h = nearest_hours(d);
		if (d - h * 3600 > LOGCLOCK_SLACK || h * 3600 - d > LOGCLOCK_SLACK ||
		    (k > 0 && h != hours))
			return false;
		hours = h;
		k++;
	}
	if (k == 0 || hours == 0)
		return false;
	*offset = hours * 3600;
	*count = k;
	return true;
}

char *
logclock_posix_tz(int64_t east, char *buf)
{
	int64_t a = east < 0 ? -east : east;
	int h = (int)(a / 3600), m = (int)(a % 3600 / 60);
	char sign = east < 0 ? '-' : '+';
	/* POSIX counts hours west of UTC: UTC+01:00 is "-1". */
	const char *west = east > 0 ? "-" : "";

	if (east == 0)
		snprintf(buf, LOGCLOCK_TZ_LEN, "UTC0");
	else if (m)
		snprintf(buf, LOGCLOCK_TZ_LEN, "<%c%02d%02d>%s%d:%02d", sign, h, m, west, h, m);
	else
		snprintf(buf, LOGCLOCK_TZ_LEN, "<%c%02d>%s%d", sign, h, west, h);
	return buf;
}

/* The zones where the servers of OVHcloud's customers mostly are (its
 * data centres' countries first), then the other large ones: the
 * suggestion names a zone a reader knows, not the first of the tz
 * database with the offset. */
static const char *const known_zones[] = {
	"Europe/Paris", "Europe/London", "Europe/Berlin", "Europe/Warsaw", "Europe/Madrid",
	"Europe/Rome", "Europe/Brussels", "Europe/Amsterdam", "Europe/Lisbon", "Europe/Dublin",
	"Europe/Zurich", "Europe/Helsinki", "Europe/Athens", "Europe/Bucharest",
	"Europe/Istanbul", "Europe/Moscow", "Africa/Casablanca", "Africa/Algiers",
	"Africa/Tunis", "Africa/Dakar", "Africa/Abidjan", "Africa/Lagos",
	"Africa/Johannesburg", "Africa/Cairo", "Africa/Nairobi", "America/Toronto",
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Anchorage", "America/Halifax", "America/Sao_Paulo",
	"America/Argentina/Buenos_Aires", "America/Bogota", "America/Mexico_City",
	"America/Martinique", "Atlantic/Azores", "Asia/Dubai", "Asia/Karachi",
	"Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore", "Asia/Hong_Kong",
	"Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Perth", "Australia/Brisbane",
	"Australia/Sydney", "Pacific/Noumea", "Pacific/Auckland", "Pacific/Tahiti",
	"Pacific/Honolulu", "Indian/Reunion",
};

size_t
logclock_zones(int64_t east, int64_t t, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(known_zones) / sizeof(known_zones[0]) && n < max; i++) {
		GTimeZone *tz;
		gint interval;

#if GLIB_CHECK_VERSION(2, 68, 0)
		tz = g_time_zone_new_identifier(known_zones[i]);
#else
		tz = g_time_zone_new(known_zones[i]);
		/* An unknown name gives UTC, under its own name. */
		if (tz && strcmp(g_time_zone_get_identifier(tz), known_zones[i]) != 0) {
			g_time_zone_unref(tz);
			tz = NULL;
		}
#endif
		if (tz == NULL)
			continue;
		interval = g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t);
		if (interval >= 0 && g_time_zone_get_offset(tz, interval) == east)
			names[n++] = known_zones[i];
		g_time_zone_unref(tz);
	}
	return n;
}

/* "UTC+01:00" */
static char *
utc_offset(int64_t east, char *buf, size_t size)
{
	int64_t a = east < 0 ? -east : east;

	snprintf(buf, size, "UTC%c%02d:%02d", east < 0 ? '-' : '+', (int)(a / 3600),
		 (int)(a % 3600 / 60));
	return buf;
}

static void
warn(const struct logclock *lc, int64_t block, struct diag *diag)
{
	int64_t hours = (lc->offset < 0 ? -lc->offset : lc->offset) / 3600;
	char read[16], wrote[16], tz[LOGCLOCK_TZ_LEN], date[TIMEFMT_ISO_LEN];
	const char *names[3];
	char also[128] = "";
	time_t bt = (time_t)block;
	struct tm tm;
	int64_t east;
	size_t n;

	if (lc->zoned) {
		diag_add(diag, "mail logs: the times the logs give the %zu target%s found there "
			 "are %" PRId64 " hour%s %s those of the API's stats, though their stamps "
			 "carry their zone: the mail server's clock (or its zone) or the API's "
			 "times are off by that much; mind it when comparing them",
			 lc->targets, lc->targets == 1 ? "" : "s", hours, hours == 1 ? "" : "s",
			 lc->offset > 0 ? "ahead of" : "behind");
		return;
	}
	/* Read in TZ's zone at the block; written in one that much ahead. */
	memset(&tm, 0, sizeof(tm));
	localtime_r(&bt, &tm);
	east = (int64_t)tm.tm_gmtoff + lc->offset;
	n = logclock_zones(east, block, names, sizeof(names) / sizeof(names[0]));
	for (size_t i = 0, len = 0; i < n && len < sizeof(also); i++)
		len += (size_t)snprintf(also + len, sizeof(also) - len, "%s%s",
					i == 0 ? " (or a zone with that offset then, such as " :
					", ", names[i]);
	if (n)
		snprintf(also + strlen(also), sizeof(also) - strlen(also), ")");
	timefmt_iso_utc(block, date);
	date[10] = '\0';
	diag_add(diag, "mail logs: the times the logs give the %zu target%s found there are "
		 "%" PRId64 " hour%s %s those of the API's stats: their stamps name no zone, "
		 "and were read in the zone of TZ (%s on %s); the logs look written at %s: run "
		 "again with TZ='%s'%s", lc->targets, lc->targets == 1 ? "" : "s", hours,
		 hours == 1 ? "" : "s", lc->offset > 0 ? "ahead of" : "behind",
		 utc_offset((int64_t)tm.tm_gmtoff, read, sizeof(read)), date,
		 utc_offset(east, wrote, sizeof(wrote)), logclock_posix_tz(east, tz), also);
}

void
logclock_check(struct logclock *lc, const struct maillog *m, const struct targets *tl,
	       const struct model_stats *st, int64_t block, struct diag *diag)
{
	struct logclock_time *times = xcalloc(tl->nr ? tl->nr : 1, sizeof(*times));
	size_t n = 0;

	memset(lc, 0, sizeof(*lc));
	for (size_t i = 0; i < tl->nr; i++) {
		const struct target *t = &tl->items[i];
		const struct model_target *mt;
		long k;

		if (t->recent || t->stats < 0 || (size_t)t->stats >= st->nr_targets)
			continue;
		mt = &st->targets[t->stats];
		k = maillog_find_target(m, t->id);
		if (k >= 0 && maillog_handover(m, (size_t)k, mt->destination_ip, &times[n].log,
					       &times[n].zoned) == 0) {
			times[n].api = mt->date;
			n++;
		}
	}
	/* A wrong TZ shifts the stamps without zone alone: they first. */
	if (logclock_offset(times, n, false, &lc->offset, &lc->targets))
		lc->found = true;
	else if (logclock_offset(times, n, true, &lc->offset, &lc->targets))
		lc->found = lc->zoned = true;
	if (lc->found)
		warn(lc, block, diag);
	free(times);
}

json_t *
logclock_json(const struct logclock *lc)
{
	if (!lc->found)
		return json_null();
	return json_pack("{s:I, s:I, s:b}",
		"offset_seconds", (json_int_t)lc->offset,
		"targets", (json_int_t)lc->targets,
		"zone_in_stamps", lc->zoned);
}
