/* logclock.h - the logs' clock against the API's: a constant offset
 * between the times the logs give the targets and the times the stats
 * give them, as a wrong TZ (or a server's wrong clock) makes */
#ifndef FPKIT_LOGCLOCK_H
#define FPKIT_LOGCLOCK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct maillog;
struct model_stats;
struct targets;

/* How far from a whole number of hours a target's offset may be: the
 * API dates a message about when it is handed over, the log a few
 * seconds apart. */
#define LOGCLOCK_SLACK 120

struct logclock {
	bool found;		/* a constant offset, not zero */
	int64_t offset;		/* seconds the logs' times are ahead of the
				 * API's (negative: behind), whole hours */
	size_t targets;		/* the targets that share it */
	bool zoned;		/* their stamps carry a zone */
};

/* A target's time by the API and by the logs. */
struct logclock_time {
	int64_t api;
	int64_t log;
	bool zoned;		/* the log's stamp carries a zone */
};

/* The offset the times with this 'zoned' share: when each is log - api
 * within LOGCLOCK_SLACK of the same whole number of hours, not zero, that
 * number in seconds in *offset and how many in *count; else false. */
bool logclock_offset(const struct logclock_time *times, size_t n, bool zoned, int64_t *offset,
		     size_t *count);

/* A POSIX TZ value for a zone 'east' seconds east of UTC, such as
 * "<+01>-1" or "UTC0", into buf (LOGCLOCK_TZ_LEN bytes); returns buf. */
#define LOGCLOCK_TZ_LEN 32
char *logclock_posix_tz(int64_t east, char *buf);

/* Up to 'max' names of the tz database, among the zones of the
 * places fpkit's users most often run mail servers, whose offset at
 * time t is 'east' seconds, into names (static strings); how many.
 * None when the tz database is not installed. */
size_t logclock_zones(int64_t east, int64_t t, const char **names, size_t max);

/* Compare, for every target of the stats that the trail found, its
 * stats date with the time the logs hand it to the remote server (the
 * one at its destination IP when they name it; maillog_handover); on a
 * constant offset, fill lc and warn in diag, naming the TZ that would
 * read the logs right (stamps without zone) or saying that a clock is
 * off (stamps with one).  The stamps without zone are judged first,
 * apart from the others: a wrong TZ shifts only them. */
void logclock_check(struct logclock *lc, const struct maillog *m, const struct targets *tl,
		    const struct model_stats *st, int64_t block, struct diag *diag);

/* summary.json's "log_clock" (new): null when no offset was found. */
json_t *logclock_json(const struct logclock *lc);

#endif
