/* timefmt.c - the date formats of the OVH API and of the bundle */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "error.h"
#include "timefmt.h"

/* Read exactly n digits at *p. */
static bool
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil), so no timegm() and no TZ. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int
timefmt_parse_iso(const char *s, int64_t *epoch)
{
	const char *p = s;
	int y, mo, d, h, mi, se = 0, oh = 0, om = 0, sign = 0;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
	    *p++ != '-' || !digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
		return -1;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &se))
			return -1;
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (!digits(&p, 2, &om))
			return -1;
	} else {
		return -1;	/* a date without offset is ambiguous */
	}
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || se > 60 || oh > 23 || om > 59)
		return -1;
	*epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
		 sign * (oh * 3600 + om * 60);
	return 0;
}

/* t in UTC as "2022-08-29T16:42:50Z", or "20220829T164250Z" when
 * compact. */
static char *
format_utc(int64_t t, bool compact, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&tt, &tm);
	snprintf(buf, TIMEFMT_ISO_LEN, "%04d%s%02d%s%02dT%02d%s%02d%s%02dZ",
		 tm.tm_year + 1900, compact ? "" : "-", tm.tm_mon + 1, compact ? "" : "-",
		 tm.tm_mday, tm.tm_hour, compact ? "" : ":", tm.tm_min, compact ? "" : ":",
		 tm.tm_sec);
	return buf;
}

char *
timefmt_iso_utc(int64_t t, char *buf)
{
	return format_utc(t, false, buf);
}

char *
timefmt_compact_utc(int64_t t, char *buf)
{
	return format_utc(t, true, buf);
}

char *
timefmt_duration(int64_t seconds, char *buf, size_t size)
{
	int64_t d, h, m, s;

	if (seconds < 0)
		seconds = 0;
	d = seconds / 86400;
	h = seconds / 3600 % 24;
	m = seconds / 60 % 60;
	s = seconds % 60;
	if (d)
		snprintf(buf, size, "%" PRId64 "d %02" PRId64 "h %02" PRId64 "m %02" PRId64 "s", d, h, m, s);
	else if (h)
		snprintf(buf, size, "%" PRId64 "h %02" PRId64 "m %02" PRId64 "s", h, m, s);
	else if (m)
		snprintf(buf, size, "%" PRId64 "m %02" PRId64 "s", m, s);
	else
		snprintf(buf, size, "%" PRId64 "s", s);
	return buf;
}

void
timefmt_sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
timefmt_env_ms(const char *name, long min, long max, long *ms, struct error *err)
{
	const char *env = getenv(name);
	char *end;
	long v;

	if (env == NULL || *env == '\0')
		return 0;
	errno = 0;
	v = strtol(env, &end, 10);
	if (*env < '0' || *env > '9' || *end || errno || v < min || v > max)
		return error_set(err, EX_USAGE, "%s takes milliseconds from %ld to %ld, not '%s'",
				 name, min, max, env);
	*ms = v;
	return 0;
}
