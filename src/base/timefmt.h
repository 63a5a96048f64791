/* timefmt.h - the date formats of the OVH API and of the bundle */
#ifndef FPKIT_TIMEFMT_H
#define FPKIT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

struct error;

/* Parse an ISO 8601 / RFC 3339 date-time as the API writes it
 * ("2022-08-29T17:42:50+01:00", also "Z", "+0100", fractional seconds)
 * into seconds since the epoch.  Returns 0, or -1 when s is not such a
 * date. */
int timefmt_parse_iso(const char *s, int64_t *epoch);

/* Write t as "2022-08-29T16:42:50Z" (UTC) into buf; returns buf.  buf
 * must hold TIMEFMT_ISO_LEN bytes. */
#define TIMEFMT_ISO_LEN 80	/* room for any int year */
char *timefmt_iso_utc(int64_t t, char *buf);

/* Write t as "20220829T164250Z" (UTC, for file names). */
char *timefmt_compact_utc(int64_t t, char *buf);

/* 9999-12-31T23:59:59Z: times read from outside must lie from 0 (1970)
 * to this, so that the dates and bundle names written from them are
 * ISO 8601, with four-digit years. */
#define TIMEFMT_MAX INT64_C(253402300799)

/* Write a duration in seconds as "1h 05m 09s" (leading zero units
 * dropped; "0s" for 0). */
char *timefmt_duration(int64_t seconds, char *buf, size_t size);

/* Sleep ms milliseconds, whole (a signal does not cut it short). */
void timefmt_sleep_ms(int64_t ms);

/* A number of milliseconds from the environment variable 'name' (the
 * tests' short waits) into *ms, when it is set and not empty; EX_USAGE
 * naming the variable when it is not a whole number from min to max. */
int timefmt_env_ms(const char *name, long min, long max, long *ms, struct error *err);

#endif
