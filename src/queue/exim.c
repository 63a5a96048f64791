/* exim.c - Exim's queue through exim -bp.  Its listing (the Exim
 * specification, "Listing the messages in the queue", and queue.c's
 * queue_list): per message a line "AGE SIZE ID <SENDER>", the sender
 * maybe followed by "(login)" and "*** frozen ***", then one indented
 * line per recipient, "D " before one delivered ("+D" for one reached
 * through an alias), and a blank line.  AGE is "25m", "3h" or "2d"; SIZE
 * "298", "2.4K" or "12M". */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "exim.h"
#include "procs.h"
#include "queue.h"
#include "toolrun.h"
#include "xalloc.h"

int
exim_parse_count(const char *text, uint64_t *n)
{
	unsigned long long v;
	char *end;

	errno = 0;
	while (*text == ' ' || *text == '\t')
		text++;
	if (*text < '0' || *text > '9')
		return -1;
	v = strtoull(text, &end, 10);
	if (errno || (*end && strspn(end, " \t\r\n") != strlen(end)))
		return -1;
	*n = v;
	return 0;
}

/* "25m" / "3h" / "2d" / "1w": seconds, or -1. */
static int64_t
parse_age(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < 0 || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's': return v;
	case 'm': return (int64_t)v * 60;
	case 'h': return (int64_t)v * 3600;
	case 'd': return (int64_t)v * 86400;
	case 'w': return (int64_t)v * 7 * 86400;
	default: return -1;
	}
}

/* "298" / "2.4K" / "12M" / "1.1G": bytes (rounded), or -1. */
static int64_t
parse_size(const char *s)
{
	double v, unit = 1;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0 || v > 1e15)
		return -1;
	if (*end == 'K')
		unit = 1024;
	else if (*end == 'M')
		unit = 1024.0 * 1024;
	else if (*end == 'G')
		unit = 1024.0 * 1024 * 1024;
	else if (*end != '\0')
		return -1;
	if (*end && end[1] != '\0')
		return -1;
	return (int64_t)(v * unit + 0.5);
}

/* A message's first line: 0 and the message added, or -1 when line is
 * not one. */
static int
parse_head(struct queue_state *q, char *line, int64_t now, struct queue_msg **m)
{
	char *v[4], *rest, *close;
	size_t k = 0, queue;
	bool frozen;
	int64_t age, size;

	for (char *p = line; k < 4;) {
		p += strspn(p, " ");
		if (*p == '\0')
			return -1;
		v[k++] = p;
		if (k == 4)
			break;
		p += strcspn(p, " ");
		if (*p == '\0')
			return -1;
		*p++ = '\0';
	}
	if ((age = parse_age(v[0])) < 0 || (size = parse_size(v[1])) < 0 || v[3][0] != '<')
		return -1;
	/* The sender: up to the '>' before " (login)" or " ***". */
	rest = v[3];
	frozen = strstr(rest, " *** frozen ***") != NULL;
	if (frozen)
		*strstr(rest, " *** frozen ***") = '\0';
	close = strrchr(rest, '>');
	if (close == NULL)
		return -1;
	*close = '\0';
	queue = queue_add_queue(q, frozen ? "frozen" : "queue", frozen);
	*m = queue_add_msg(q, v[2], queue);
	if (*m) {
		(*m)->arrival = now - age >= 0 ? now - age : 0;
		(*m)->size = size;
		(*m)->sender = xstrdup(rest + 1);
	}
	return 0;
}

int
exim_parse_queue(struct queue_state *q, const char *text, size_t len, int64_t now,
		 struct error *err)
{
	const char *p = text, *end = text + len;
	struct queue_msg *m = NULL;
	bool in_msg = false;
	size_t nr = 0;
	char *line;
	int rc = 0;

	queue_add_queue(q, "queue", false);
	queue_add_queue(q, "frozen", true);
	q->arrival_approx = true;
	while (rc == 0 && (line = queue_next_line(&p, end)) != NULL) {
		char *s = line + strspn(line, " \t");

		nr++;
		if (*s == '\0') {
			in_msg = false;
		} else if (in_msg && s - line >= 6) {
			/* Recipients are indented 10 places (8 and "D "), the
			 * age at most 2. */
			bool done = false;

			if (strncmp(s, "+D ", 3) == 0 || strncmp(s, "D ", 2) == 0) {
				done = true;
				s += s[0] == '+' ? 3 : 2;
				s += strspn(s, " ");
			}
			if (m)
				queue_msg_add_rcpt(m, s, NULL, done);
		} else if (parse_head(q, line, now, &m) == 0) {
			in_msg = true;
		} else {
			rc = error_set(err, EX_DATAERR, "exim -bp: line %zu is not a message of "
				       "the queue listing", nr);
		}
		free(line);
	}
	return rc;
}

int
exim_read(const struct toolrun_options *o, const char *exim, struct queue_state *q,
	  struct error *err)
{
	static const char *const count_args[] = { "-bpc", NULL };
	static const char *const list_args[] = { "-bp", NULL };
	static const char *const daemons[] = { "exim4", "exim", NULL };
	struct toolrun_result r;
	uint64_t counted = 0;
	char *cmd;
	int rc = -1, running;

	toolrun_result_init(&r);
	q->mta = "exim";
	running = procs_running(daemons, NULL);
	q->running = running < 0 ? QUEUE_UNKNOWN : running ? QUEUE_YES : QUEUE_NO;
	rc = toolrun_named(o, exim, count_args, &r, &cmd, err);
	if (cmd)
		queue_add_command(q, cmd);
	if (rc < 0)
		goto out;
	rc = -1;
	if (r.status != 0 || exim_parse_count(r.out.buf, &counted) < 0) {
		error_set(err, r.status ? EX_UNAVAILABLE : EX_DATAERR, "%s -bpc %s: %.200s", exim,
			  r.status ? "cannot count the queue" : "did not print a number",
			  r.status ? r.err_text : r.out.buf);
		goto out;
	}
	rc = toolrun_named(o, exim, list_args, &r, &cmd, err);
	if (cmd)
		queue_add_command(q, cmd);
	if (rc < 0)
		goto out;
	rc = -1;
	if (r.status != 0) {
		error_set(err, EX_UNAVAILABLE, "%s -bp cannot list the queue: %.200s", exim,
			  r.err_text);
		goto out;
	}
	if (exim_parse_queue(q, r.out.buf, r.out.len, q->seen_at, err) < 0)
		goto out;
	if (counted != q->total)
		diag_add(q->diag, "%s -bpc counted %llu messages, %s -bp listed %llu: the queue "
			 "changed in between", exim, (unsigned long long)counted, exim,
			 (unsigned long long)q->total);
	/* Exim delivers at once what it accepts (unless queue_only), and
	 * the daemon's queue runners retry the rest: no switch fpkit can
	 * read says that delivery is off. */
	q->can_send = QUEUE_UNKNOWN;
	queue_set_why(q, "Exim has no switch that stops delivery, which fpkit could read; "
		      "frozen messages are not sent; the daemon, which retries the queue, "
		      "is %s", q->running == QUEUE_YES ? "running" : q->running == QUEUE_NO ?
		      "not running" : "not known to run");
	rc = 0;
out:
	toolrun_result_release(&r);
	return rc;
}
