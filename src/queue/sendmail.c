/* sendmail.c - Sendmail's queue through mailq.  Its listing (sendmail's
 * queue.c, printqueue): per queue folder a heading "/var/spool/mqueue
 * (N requests)" or "/var/spool/mqueue is empty", a column heading, then
 * per message a line "QID[flag] SIZE Www Mmm DD HH:MM <sender>" (the
 * flag: '*' being delivered, '-' too young, 'X' too expensive now),
 * an indented line with the body type and "(reason)" when there is one,
 * one indented line per recipient, and "Total requests: N".  Debian's
 * mailq lists the submission queue (MSP) and the MTA's one in turn. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "error.h"
#include "procs.h"
#include "queue.h"
#include "sendmail.h"
#include "toolrun.h"
#include "xalloc.h"

/* "Dec 13 23:48" in local time, of now's year or the one before. */
static int64_t
parse_time(const char *mon, const char *day, const char *hm, int64_t now)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *at = strlen(mon) == 3 ? strstr(months, mon) : NULL;
	time_t t = (time_t)now;
	struct tm tm, lt;
	int d, h, mi;
	time_t v;

	if (at == NULL || (at - months) % 3 || sscanf(day, "%d", &d) != 1 ||
	    sscanf(hm, "%d:%d", &h, &mi) != 2 || d < 1 || d > 31 || h > 23 || mi > 59)
		return -1;
	localtime_r(&t, &lt);
	for (int back = 0; back < 2; back++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = lt.tm_year - back;
		tm.tm_mon = (int)((at - months) / 3);
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = -1;
		v = mktime(&tm);
		if (v != (time_t)-1 && (int64_t)v <= now + 86400)
			return (int64_t)v;
	}
	return -1;
}

/* The last part of a queue folder's path. */
static char *
queue_name(const char *path, size_t n)
{
	const char *base = path;

	for (size_t i = 0; i < n; i++)
		if (path[i] == '/' && i + 1 < n)
			base = path + i + 1;
	return xstrndup(base, n - (size_t)(base - path));
}

/* Does s start with a body type (the word sendmail prints before the
 * reason)? */
static bool
body_type(const char *s)
{
	static const char *const types[] = { "7BIT", "8BITMIME", "BINARYMIME", NULL };

	for (size_t i = 0; types[i]; i++) {
		size_t n = strlen(types[i]);

		if (strncmp(s, types[i], n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t'))
			return true;
	}
	return false;
}

/* A message line: 0 and the message added, or -1. */
static int
parse_head(struct queue_state *q, size_t queue, char *line, int64_t now, struct queue_msg **m)
{
	char *v[7];
	size_t k = 0, n;
	char *p = line, *sender;
	int64_t size;
	char *end;

	for (; k < 6; k++) {
		p += strspn(p, " \t");
		if (*p == '\0')
			return -1;
		v[k] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	p += strspn(p, " \t");
	sender = p;
	/* The id, its flag right after it. */
	n = strlen(v[0]);
	if (n > 1 && strchr("*-X?", v[0][n - 1]))
		v[0][n - 1] = '\0';
	errno = 0;
	size = strtoll(v[1], &end, 10);
	if (*end || errno || size < 0)
		return -1;
	*m = queue_add_msg(q, v[0], queue);
	if (*m == NULL)
		return 0;
	(*m)->size = size;
	(*m)->arrival = parse_time(v[3], v[4], v[5], now);
	n = strcspn(sender, " \t");
	sender[n] = '\0';
	if (sender[0] == '<' && n >= 2 && sender[n - 1] == '>') {
		sender[n - 1] = '\0';
		sender++;
	}
	(*m)->sender = xstrdup(sender);
	return 0;
}

int
sendmail_parse_queue(struct queue_state *q, const char *text, size_t len, int64_t now,
		     struct error *err)
{
	const char *p = text, *end = text + len;
	struct queue_msg *m = NULL;
	bool in_msg = false;
	size_t queue = (size_t)-1, nr = 0;
	char *line, *reason = NULL;
	int rc = 0;

	while (rc == 0 && (line = queue_next_line(&p, end)) != NULL) {
		char *s = line + strspn(line, " \t");
		size_t n = strlen(s);
		char *paren;

		nr++;
		if (n == 0 || strncmp(s, "MSP Queue status", 16) == 0 ||
		    strncmp(s, "MTA Queue status", 16) == 0 || strncmp(s, "-----Q-ID", 9) == 0 ||
		    strncmp(s, "Total requests:", 15) == 0 || strcmp(s, "Mail queue is empty") == 0) {
			in_msg = false;
		} else if (s[0] == '/' && n > 9 && strcmp(s + n - 9, " is empty") == 0) {
			char *name = queue_name(s, n - 9);

			queue_add_queue(q, name, false);
			free(name);
			in_msg = false;
		} else if (s[0] == '/' && (paren = strstr(s, " (")) && strstr(paren, "request")) {
			char *name = queue_name(s, (size_t)(paren - s));

			queue = queue_add_queue(q, name, false);
			free(name);
			in_msg = false;
		} else if (s == line) {
			if (queue == (size_t)-1)
				queue = queue_add_queue(q, "mqueue", false);
			free(reason);
			reason = NULL;
			if (parse_head(q, queue, line, now, &m) < 0)
				rc = error_set(err, EX_DATAERR, "mailq: line %zu is not a message of "
					       "the queue listing", nr);
			in_msg = true;
		} else if (in_msg && (s[0] == '(' || body_type(s))) {
			/* "(reason)", after the body type when there is one. */
			char *open_p = strchr(s, '('), *close = strrchr(s, ')');

			if (open_p) {
				free(reason);
				reason = xstrndup(open_p + 1, close > open_p ?
						  (size_t)(close - open_p - 1) : strlen(open_p + 1));
			}
		} else if (in_msg) {
			char *a = s;

			a[strcspn(a, " \t")] = '\0';
			n = strlen(a);
			if (a[0] == '<' && n >= 2 && a[n - 1] == '>') {
				a[n - 1] = '\0';
				a++;
			}
			if (m)
				queue_msg_add_rcpt(m, a, reason, false);
		}
		free(line);
	}
	free(reason);
	if (q->nr_queues == 0)
		queue_add_queue(q, "mqueue", false);
	return rc;
}

int
sendmail_read(const struct toolrun_options *o, struct queue_state *q, struct error *err)
{
	static const char *const daemons[] = { "sendmail", NULL };
	struct toolrun_result r;
	char *cmd;
	int rc, running;

	toolrun_result_init(&r);
	q->mta = "sendmail";
	running = procs_running(daemons, NULL);
	q->running = running < 0 ? QUEUE_UNKNOWN : running ? QUEUE_YES : QUEUE_NO;
	rc = toolrun_named(o, "mailq", NULL, &r, &cmd, err);
	if (cmd)
		queue_add_command(q, cmd);
	if (rc < 0)
		goto out;
	if (r.status != 0) {
		rc = error_set(err, EX_UNAVAILABLE, "mailq cannot list the queue: %.200s",
			       r.err_text);
		goto out;
	}
	if ((rc = sendmail_parse_queue(q, r.out.buf, r.out.len, q->seen_at, err)) < 0)
		goto out;
	/* Sendmail delivers at submission as well as from the daemon's
	 * queue runs: nothing fpkit can read says delivery is off. */
	q->can_send = QUEUE_UNKNOWN;
	queue_set_why(q, "Sendmail delivers when mail is submitted as well as from its queue "
		      "runs: no setting fpkit can read says delivery is off; the daemon is %s",
		      q->running == QUEUE_YES ? "running" : q->running == QUEUE_NO ?
		      "not running" : "not known to run");
out:
	toolrun_result_release(&r);
	return rc;
}
