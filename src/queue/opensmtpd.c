/* opensmtpd.c - OpenSMTPD's queue through smtpctl.  'show queue' prints
 * one line per envelope (smtpctl.c, show_queue_envelope):
 *   evpid|src|agent|flags|sender|rcpt|dest|creation|expire|lasttry|
 *   retry|runstate|runvalue|errorline
 * evpid 16 hex digits (the message id is its first 8), agent mta (to
 * another host), mda (local) or bounce, flags a comma list (bounce,
 * auth, internal, suspend, hold), addresses user@domain ("@" for the
 * null sender), times epoch seconds, runstate pending, inflight,
 * invalid or offline (smtpd not running: the spool read by smtpctl
 * itself), and the last error, which may hold '|'. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "opensmtpd.h"
#include "queue.h"
#include "toolrun.h"
#include "xalloc.h"

int
opensmtpd_parse_status(struct queue_state *q, const char *text)
{
	const char *mta = strstr(text, "MTA ");

	q->running = QUEUE_YES;
	if (mta == NULL || (mta != text && mta[-1] != '\n'))
		return -1;
	if (strncmp(mta + 4, "paused", 6) == 0) {
		q->can_send = QUEUE_NO;
		queue_set_why(q, "smtpctl show status: MTA paused (smtpctl resume mta undoes it)");
	} else if (strncmp(mta + 4, "running", 7) == 0) {
		q->can_send = QUEUE_YES;
		queue_set_why(q, "smtpctl show status: MTA running");
	} else {
		return -1;
	}
	return 0;
}

enum { F_ID, F_SRC, F_AGENT, F_FLAGS, F_SENDER, F_RCPT, F_DEST, F_CREATION, F_EXPIRE,
       F_LASTTRY, F_RETRY, F_RUNSTATE, F_RUNVALUE, F_ERROR, NR_FIELDS };

static bool
has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = flags; *p; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, flag, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* One envelope into its message (the last one, or a new one). */
static int
parse_envelope(struct queue_state *q, char *line, struct queue_msg **last, char *last_id)
{
	char *f[NR_FIELDS], *p = line, *end;
	const char *qname;
	size_t k = 0, queue;
	char msgid[9];
	long long t;
	bool parked;

	while (k < NR_FIELDS - 1) {
		f[k++] = p;
		p = strchr(p, '|');
		if (p == NULL)
			return -1;
		*p++ = '\0';
	}
	f[k] = p;		/* the error line: the rest, '|' and all */
	if (strlen(f[F_ID]) != 16 || strspn(f[F_ID], "0123456789abcdef") != 16)
		return -1;
	memcpy(msgid, f[F_ID], 8);
	msgid[8] = '\0';
	parked = has_flag(f[F_FLAGS], "hold") || has_flag(f[F_FLAGS], "suspend");
	qname = has_flag(f[F_FLAGS], "hold") ? "hold" : has_flag(f[F_FLAGS], "suspend") ?
		"suspended" : strcmp(f[F_RUNSTATE], "inflight") == 0 ? "inflight" : "pending";
	if (*last == NULL || strcmp(last_id, msgid) != 0) {
		queue = queue_add_queue(q, qname, parked);
		*last = queue_add_msg(q, msgid, queue);
		memcpy(last_id, msgid, 9);
		if (*last == NULL)
			return 0;
		errno = 0;
		t = strtoll(f[F_CREATION], &end, 10);
		if (!*end && !errno && t >= 0)
			(*last)->arrival = t;
		(*last)->sender = xstrdup(strcmp(f[F_SENDER], "@") == 0 ? "" : f[F_SENDER]);
	}
	if (*last)
		queue_msg_add_rcpt(*last, f[F_RCPT], f[F_ERROR], false);
	return 0;
}

int
opensmtpd_parse_queue(struct queue_state *q, const char *text, size_t len, struct error *err)
{
	const char *p = text, *end = text + len;
	struct queue_msg *last = NULL;
	char last_id[9] = "";
	size_t nr = 0;
	char *line;
	int rc = 0;

	queue_add_queue(q, "pending", false);
	queue_add_queue(q, "inflight", false);
	queue_add_queue(q, "hold", true);
	queue_add_queue(q, "suspended", true);
	while (rc == 0 && (line = queue_next_line(&p, end)) != NULL) {
		nr++;
		if (*line && parse_envelope(q, line, &last, last_id) < 0)
			rc = error_set(err, EX_DATAERR, "smtpctl show queue: line %zu is not an "
				       "envelope", nr);
		free(line);
	}
	return rc;
}

int
opensmtpd_read(const struct toolrun_options *o, struct queue_state *q, struct error *err)
{
	static const char *const status_args[] = { "show", "status", NULL };
	static const char *const queue_args[] = { "show", "queue", NULL };
	struct toolrun_result r;
	char *cmd;
	int rc;

	toolrun_result_init(&r);
	q->mta = "opensmtpd";
	rc = toolrun_named(o, "smtpctl", status_args, &r, &cmd, err);
	if (cmd)
		queue_add_command(q, cmd);
	if (rc < 0)
		goto out;
	if (r.status != 0) {
		/* smtpctl's words when it cannot reach smtpd: nothing is sent. */
		if (strstr(r.err_text, "doesn't seem to be running") == NULL) {
			rc = error_set(err, EX_UNAVAILABLE, "smtpctl show status: %.200s",
				       r.err_text);
			goto out;
		}
		q->running = QUEUE_NO;
		q->can_send = QUEUE_NO;
		queue_set_why(q, "smtpd is not running: nothing is delivered");
	} else if (opensmtpd_parse_status(q, r.out.buf) < 0) {
		q->can_send = QUEUE_UNKNOWN;
		queue_set_why(q, "smtpctl show status did not say whether the MTA is paused");
	}
	rc = toolrun_named(o, "smtpctl", queue_args, &r, &cmd, err);
	if (cmd)
		queue_add_command(q, cmd);
	if (rc < 0)
		goto out;
	if (r.status != 0) {
		rc = error_set(err, EX_UNAVAILABLE, "smtpctl show queue cannot list the queue: "
			       "%.200s", r.err_text);
		goto out;
	}
	rc = opensmtpd_parse_queue(q, r.out.buf, r.out.len, err);
out:
	toolrun_result_release(&r);
	return rc;
}
