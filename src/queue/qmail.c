/* qmail.c - qmail's queue through qmail-qstat and qmail-qread (qmail
 * 1.03, and netqmail and notqmail alike).  qmail-qstat prints "messages
 * in queue: N" and "messages in queue but not yet preprocessed: M";
 * qmail-qread (qmail-qread.c, fmtstats) per message a line
 * "D Mmm YYYY HH:MM:SS GMT  #NUMBER  SIZE  <SENDER> " (then " bouncing"
 * for a bounce being sent), and per recipient a line "\tremote\tADDR" or
 * "\tlocal\tADDR", with "  done" before one delivered.  Bytes that are
 * not printable ASCII come out as '_'. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "error.h"
#include "procs.h"
#include "qmail.h"
#include "queue.h"
#include "toolrun.h"
#include "xalloc.h"

/* The number after 'label' in text, or -1. */
static int
count_after(const char *text, const char *label, uint64_t *n)
{
	const char *p = strstr(text, label);
	unsigned long long v;
	char *end;

	if (p == NULL || (p != text && p[-1] != '\n'))
		return -1;
	p += strlen(label);
	p += strspn(p, " ");
	errno = 0;
	v = strtoull(p, &end, 10);
	if (end == p || errno)
		return -1;
	*n = v;
	return 0;
}

int
qmail_parse_stat(const char *text, uint64_t *in_queue, uint64_t *todo)
{
	if (count_after(text, "messages in queue:", in_queue) < 0 ||
	    count_after(text, "messages in queue but not yet preprocessed:", todo) < 0)
		return -1;
	return 0;
}

/* "28 Jan 2003 12:34:56" (GMT): epoch seconds, or -1. */
static int64_t
parse_date(const char *day, const char *mon, const char *year, const char *hms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *at = strlen(mon) == 3 ? strstr(months, mon) : NULL;
	struct tm tm;
	int d, y, h, mi, s;

	if (at == NULL || (at - months) % 3 || sscanf(day, "%d", &d) != 1 ||
	    sscanf(year, "%d", &y) != 1 || sscanf(hms, "%d:%d:%d", &h, &mi, &s) != 3 ||
	    d < 1 || d > 31 || y < 1970 || y > 9999 || h > 23 || mi > 59 || s > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = (int)((at - months) / 3);
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

/* A message line: 0 and the message added, or -1. */
static int
parse_head(struct queue_state *q, size_t queue, char *line, struct queue_msg **m)
{
	char *v[7], *p = line, *lt, *gt, *end;
	long long size;

	for (size_t k = 0; k < 7; k++) {
		p += strspn(p, " ");
		if (*p == '\0')
			return -1;
		v[k] = p;
		p += strcspn(p, " ");
		if (*p)
			*p++ = '\0';
	}
	/* v: day month year time "GMT" "#id" size; then <sender>. */
	if (strcmp(v[4], "GMT") != 0 || v[5][0] != '#' || v[5][1] == '\0')
		return -1;
	errno = 0;
	size = strtoll(v[6], &end, 10);
	if (*end || errno || size < 0)
		return -1;
	lt = strchr(p, '<');
	gt = lt ? strrchr(lt, '>') : NULL;
	if (gt == NULL)
		return -1;
	*m = queue_add_msg(q, v[5] + 1, queue);
	if (*m == NULL)
		return 0;
	(*m)->arrival = parse_date(v[0], v[1], v[2], v[3]);
	(*m)->size = size;
	(*m)->sender = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
}

int
qmail_parse_queue(struct queue_state *q, const char *text, size_t len, struct error *err)
{
	const char *p = text, *end = text + len;
	size_t queue = queue_add_queue(q, "queue", false), nr = 0;
	struct queue_msg *m = NULL;
	char *line;
	int rc = 0;

	queue_add_queue(q, "todo", false);
	while (rc == 0 && (line = queue_next_line(&p, end)) != NULL) {
		char *s = line;
		bool done = false;

		nr++;
		if (strncmp(s, "  done", 6) == 0) {
			done = true;
			s += 6;
		}
		if (*s == '\t') {
			/* "\tremote\tADDR" */
			char *tab = strchr(s + 1, '\t');

			if (tab && m)
				queue_msg_add_rcpt(m, tab + 1, NULL, done);
		} else if (*s && strncmp(s, "warning: ", 9) == 0) {
			diag_add(q->diag, "qmail-qread: %s", s);
		} else if (*s && parse_head(q, queue, s, &m) < 0) {
			rc = error_set(err, EX_DATAERR, "qmail-qread: line %zu is not a message of "
				       "the queue listing", nr);
		}
		free(line);
	}
	return rc;
}

int
qmail_read(const struct toolrun_options *o, struct queue_state *q, struct error *err)
{
	static const char *const daemons[] = { "qmail-send", NULL };
	struct toolrun_result r;
	uint64_t in_queue = 0, todo = 0;
	char *cmd;
	int rc, running;

	toolrun_result_init(&r);
	q->mta = "qmail";
	running = procs_running(daemons, NULL);
	q->running = running < 0 ? QUEUE_UNKNOWN : running ? QUEUE_YES : QUEUE_NO;
	rc = toolrun_named(o, "qmail-qstat", NULL, &r, &cmd, err);
	if (cmd)
		queue_add_command(q, cmd);
	if (rc < 0)
		goto out;
	if (r.status != 0 || qmail_parse_stat(r.out.buf, &in_queue, &todo) < 0) {
		rc = error_set(err, r.status ? EX_UNAVAILABLE : EX_DATAERR, "qmail-qstat %s: %.200s",
			       r.status ? "cannot count the queue" : "did not print its two counts",
			       r.status ? r.err_text : r.out.buf);
		goto out;
	}
	rc = toolrun_named(o, "qmail-qread", NULL, &r, &cmd, err);
	if (cmd)
		queue_add_command(q, cmd);
	if (rc < 0)
		goto out;
	if (r.status != 0) {
		rc = error_set(err, EX_UNAVAILABLE, "qmail-qread cannot list the queue: %.200s",
			       r.err_text);
		goto out;
	}
	if ((rc = qmail_parse_queue(q, r.out.buf, r.out.len, err)) < 0)
		goto out;
	/* qmail-qread lists what qmail-send has preprocessed; the rest
	 * (todo) is only counted. */
	if (todo)
		queue_add_counted(q, queue_add_queue(q, "todo", false), todo);
	if (in_queue != q->total)
		diag_add(q->diag, "qmail-qstat counted %llu messages, qmail-qread and the todo "
			 "count give %llu: the queue changed in between",
			 (unsigned long long)in_queue, (unsigned long long)q->total);
	/* qmail-send does every delivery: without it nothing leaves. */
	q->can_send = q->running;
	queue_set_why(q, "qmail-send, which does every delivery, is %s",
		      q->running == QUEUE_YES ? "running" : q->running == QUEUE_NO ?
		      "not running" : "not known to run");
out:
	toolrun_result_release(&r);
	return rc;
}
