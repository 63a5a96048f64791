/* test_queue.c - unit tests for the queue room: each MTA tool's output
 * as fixtures/queue/ keeps it (README.md there says where each comes
 * from) read by its parser, Postfix's judgement of can_send, the
 * matching of waiting messages to the flagged destinations, the limits
 * on what is listed, the facts the acts rely on, and toolrun's time-out
 * and size cap */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "exim.h"
#include "fpkit_limits.h"
#include "opensmtpd.h"
#include "postfix.h"
#include "qmail.h"
#include "queue.h"
#include "sendmail.h"
#include "strbuf.h"
#include "timefmt.h"
#include "toolrun.h"
#include "xalloc.h"

/* 2026-11-21T00:00:00Z: "now" for the fixtures of 2026-11-20. */
#define NOW INT64_C(1795219200)

/* fixtures/queue/NAME, whole (skips without FIXTURES). */
static void
fixture(const char *name, struct strbuf *sb)
{
	const char *dir = getenv("FIXTURES");
	struct error err = ERROR_INIT;
	char *path;

	if (dir == NULL || *dir == '\0') {
		print_message("FIXTURES is not set: skipping fixtures/queue/%s\n", name);
		skip();
	}
	path = xasprintf("%s/queue/%s", dir, name);
	strbuf_init(sb, STRBUF_NO_MAX);
	if (strbuf_read_file(sb, path, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	free(path);
}

static size_t
queue_index(const struct queue_state *q, const char *name)
{
	for (size_t i = 0; i < q->nr_queues; i++)
		if (strcmp(q->queues[i].name, name) == 0)
			return i;
	fail_msg("no queue '%s'", name);
	return 0;
}

static uint64_t
count(const struct queue_state *q, const char *name)
{
	return q->queues[queue_index(q, name)].count;
}

static const struct queue_msg *
msg(const struct queue_state *q, const char *id)
{
	for (size_t i = 0; i < q->nr_msgs; i++)
		if (strcmp(q->msgs[i].id, id) == 0)
			return &q->msgs[i];
	fail_msg("no message '%s'", id);
	return NULL;
}

/* ---- Postfix ---- */

static void
test_postfix_queue(void **state)
{
	struct queue_state q;
	struct diag d = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct strbuf sb;
	const struct queue_msg *m;

	(void)state;
	fixture("postfix/postqueue-j.out", &sb);
	queue_init(&q, &d);
	postfix_queues(&q);
	assert_int_equal(postfix_parse_queue(&q, sb.buf, sb.len, &err), 0);
	assert_int_equal(q.total, 2);
	assert_int_equal(count(&q, "deferred"), 2);
	assert_int_equal(count(&q, "hold"), 0);
	assert_true(q.queues[queue_index(&q, "hold")].parked);
	m = msg(&q, "A84EBA82A94");
	assert_int_equal(m->arrival, 1796597951);
	assert_int_equal(m->size, 250);
	assert_string_equal(m->sender, "news@shop.example.com");
	assert_int_equal(m->nr_rcpts, 2);
	assert_string_equal(m->rcpts[0].address, "a1@example.net");
	assert_string_equal(m->rcpts[0].reason, "connect to 127.0.0.1[127.0.0.1]:9: Connection refused");
	queue_release(&q);
	strbuf_release(&sb);
}

static void
test_postfix_queue_bad(void **state)
{
	static const char text[] =
		"{\"queue_name\": \"hold\", \"queue_id\": \"B1\", \"sender\": \"\", \"recipients\": []}\n"
		"{\"queue_name\": \"maildrop\", \"queue_id\": \"B2\"}\n"
		"not json\n";
	struct queue_state q;
	struct error err = ERROR_INIT;

	(void)state;
	queue_init(&q, NULL);
	postfix_queues(&q);
	assert_int_equal(postfix_parse_queue(&q, text, strlen(text), &err), -1);
	assert_int_equal(err.status, EX_DATAERR);
	assert_non_null(strstr(err.msg, "postqueue -j: line 3 is not a queue entry"));
	/* The lines before: a held message with the null sender, and a
	 * queue Postfix lists that is not one of the four. */
	assert_int_equal(count(&q, "hold"), 1);
	assert_int_equal(count(&q, "maildrop"), 1);
	assert_false(q.queues[queue_index(&q, "maildrop")].parked);
	assert_string_equal(msg(&q, "B1")->sender, "");
	queue_release(&q);
	queue_init(&q, NULL);
	assert_int_equal(postfix_parse_queue(&q, "{\"queue_id\": \"X\"}", 17, &err), -1);
	queue_release(&q);
}

static void
judge(enum queue_tri running, const char *conf, enum queue_tri expect, const char *why)
{
	struct queue_state q;

	queue_init(&q, NULL);
	q.mta = "postfix";
	q.running = running;
	postfix_judge(&q, conf);
	assert_int_equal(q.can_send, expect);
	if (strstr(q.why, why) == NULL)
		fail_msg("why '%s' lacks '%s'", q.why, why);
	queue_release(&q);
}

static void
test_postfix_judge(void **state)
{
	(void)state;
	judge(QUEUE_YES, "\nsmtp\n\n", QUEUE_YES, "nothing holds mail");
	judge(QUEUE_NO, "\nsmtp\n\n", QUEUE_NO, "master daemon is not running");
	judge(QUEUE_YES, "smtp\nsmtp\n\n", QUEUE_NO, "defer_transports = smtp");
	judge(QUEUE_YES, "relay, smtp\nsmtp:[relay.example.com]\n\n", QUEUE_NO,
	      "default_transport smtp");
	judge(QUEUE_YES, "relay\nsmtp\n\n", QUEUE_YES, "defer_transports relay");
	judge(QUEUE_YES, "\nerror:mail is off\n\n", QUEUE_NO, "default_transport = error");
	judge(QUEUE_YES, "\nsmtp\nsmtp/unix\n", QUEUE_NO, "the smtp service is off");
	judge(QUEUE_YES, "\nsmtp\nsmtpd/unix\n", QUEUE_YES, "nothing holds mail");
	judge(QUEUE_UNKNOWN, "\nsmtp\n\n", QUEUE_UNKNOWN, "is for root");
	/* Deferred transports win over not knowing whether it runs. */
	judge(QUEUE_UNKNOWN, "smtp\nsmtp\n\n", QUEUE_NO, "defer_transports");
}

/* ---- Exim ---- */

static void
test_exim_captured(void **state)
{
	struct queue_state q;
	struct diag d = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct strbuf sb;
	const struct queue_msg *m;
	uint64_t n = 0;

	(void)state;
	fixture("exim/bpc.out", &sb);
	assert_int_equal(exim_parse_count(sb.buf, &n), 0);
	assert_int_equal(n, 4);
	strbuf_release(&sb);
	fixture("exim/bp.out", &sb);
	queue_init(&q, &d);
	assert_int_equal(exim_parse_queue(&q, sb.buf, sb.len, NOW, &err), 0);
	assert_int_equal(q.total, 4);
	assert_int_equal(count(&q, "queue"), 3);
	assert_int_equal(count(&q, "frozen"), 1);
	assert_true(q.queues[queue_index(&q, "frozen")].parked);
	assert_true(q.arrival_approx);
	m = msg(&q, "1xaL9b-0007Er-0r");
	assert_int_equal(m->nr_rcpts, 2);
	assert_string_equal(m->rcpts[0].address, "a@example.net");
	assert_true(m->rcpts[0].done);
	assert_false(m->rcpts[1].done);
	assert_int_equal(m->size, 298);
	assert_int_equal(m->arrival, NOW);
	assert_int_equal(msg(&q, "1xaL9b-0007Eu-0v")->queue, queue_index(&q, "frozen"));
	assert_string_equal(msg(&q, "1xaL9d-0007HQ-35")->sender, "");
	assert_string_equal(msg(&q, "1xaL9b-0007Eo-0m")->sender, "news@shop.example.com");
	queue_release(&q);
	strbuf_release(&sb);
}

static void
test_exim_aged(void **state)
{
	static const char bad[] = " 0m 298 1xa <a@b>\n          x@y\n\nbad line\n";
	struct queue_state q;
	struct error err = ERROR_INIT;
	struct strbuf sb;
	const struct queue_msg *m;
	uint64_t n;

	(void)state;
	fixture("exim/bp-aged.out", &sb);
	queue_init(&q, NULL);
	assert_int_equal(exim_parse_queue(&q, sb.buf, sb.len, NOW, &err), 0);
	assert_int_equal(q.total, 3);
	m = msg(&q, "1xaL9b-0007Eo-0m");
	assert_int_equal(m->arrival, NOW - 25 * 60);
	assert_int_equal(m->size, 2970);	/* 2.9 KiB, rounded */
	m = msg(&q, "1rW5wE-00000000Bk6-2Nkj");
	assert_int_equal(m->arrival, NOW - 3 * 3600);
	assert_int_equal(m->size, 12 * 1024 * 1024);
	assert_string_equal(m->sender, "orders@shop.example.com");	/* "(www-data)" after */
	assert_true(m->rcpts[0].done);
	m = msg(&q, "1xa9Zx-000123-AB");
	assert_int_equal(m->arrival, NOW - 4 * 86400);
	assert_int_equal(m->queue, queue_index(&q, "frozen"));
	assert_string_equal(m->sender, "");
	queue_release(&q);
	strbuf_release(&sb);
	assert_int_equal(exim_parse_count("x\n", &n), -1);
	assert_int_equal(exim_parse_count("", &n), -1);
	assert_int_equal(exim_parse_count("12 13\n", &n), -1);
	queue_init(&q, NULL);
	assert_int_equal(exim_parse_queue(&q, bad, strlen(bad), NOW, &err), -1);
	assert_non_null(strstr(err.msg, "exim -bp: line 4"));
	queue_release(&q);
}

/* ---- Sendmail ---- */

static void
test_sendmail(void **state)
{
	struct queue_state q;
	struct error err = ERROR_INIT;
	struct strbuf sb;
	const struct queue_msg *m;
	char *tz = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;

	(void)state;
	fixture("sendmail/mailq.out", &sb);
	/* mailq's times are local: read here in UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	queue_init(&q, NULL);
	assert_int_equal(sendmail_parse_queue(&q, sb.buf, sb.len, NOW, &err), 0);
	assert_int_equal(q.nr_queues, 2);
	assert_int_equal(count(&q, "mqueue-client"), 0);
	assert_int_equal(count(&q, "mqueue"), 3);
	m = msg(&q, "5AKDH7ab012345");
	assert_int_equal(m->size, 1834);
	assert_int_equal(m->arrival, INT64_C(1795184220));	/* 2026-11-20 14:17 */
	assert_string_equal(m->sender, "bounces+r1188@news.shop.example.com");
	assert_int_equal(m->nr_rcpts, 2);
	assert_string_equal(m->rcpts[1].address, "lea.martin@example.org");
	assert_string_equal(m->rcpts[1].reason, "Deferred: Connection timed out with mx.example.net.");
	m = msg(&q, "5AKDT2cd012399");	/* the '*' flag is not the id's */
	assert_string_equal(m->rcpts[0].reason, "Deferred: 421 4.7.0 [198.51.100.142] Try again later");
	m = msg(&q, "5AKDU9ef012400");
	assert_string_equal(m->sender, "");
	assert_null(m->rcpts[0].reason);
	queue_release(&q);
	/* In January, November's times are last year's. */
	queue_init(&q, NULL);
	assert_int_equal(sendmail_parse_queue(&q, sb.buf, sb.len, INT64_C(1798848000), &err), 0);
	assert_int_equal(msg(&q, "5AKDH7ab012345")->arrival, INT64_C(1795184220));
	queue_release(&q);
	queue_init(&q, NULL);
	assert_int_equal(sendmail_parse_queue(&q, "Mail queue is empty\n", 20, NOW, &err), 0);
	assert_int_equal(q.total, 0);
	assert_int_equal(sendmail_parse_queue(&q, "QID12 big Fri Nov 20 14:17 <a@b>\n", 33, NOW,
					      &err), -1);
	assert_non_null(strstr(err.msg, "mailq: line 1"));
	queue_release(&q);
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(tz);
	strbuf_release(&sb);
}

/* ---- OpenSMTPD ---- */

static void
test_opensmtpd(void **state)
{
	struct queue_state q;
	struct error err = ERROR_INIT;
	struct strbuf sb;
	const struct queue_msg *m;

	(void)state;
	queue_init(&q, NULL);
	fixture("opensmtpd/show-status.out", &sb);
	assert_int_equal(opensmtpd_parse_status(&q, sb.buf), 0);
	assert_int_equal(q.can_send, QUEUE_NO);
	assert_non_null(strstr(q.why, "MTA paused"));
	strbuf_release(&sb);
	fixture("opensmtpd/show-status-running.out", &sb);
	assert_int_equal(opensmtpd_parse_status(&q, sb.buf), 0);
	assert_int_equal(q.can_send, QUEUE_YES);
	assert_int_equal(q.running, QUEUE_YES);
	strbuf_release(&sb);
	assert_int_equal(opensmtpd_parse_status(&q, "MDA running\n"), -1);
	fixture("opensmtpd/show-queue.out", &sb);
	assert_int_equal(opensmtpd_parse_queue(&q, sb.buf, sb.len, &err), 0);
	assert_int_equal(q.total, 3);
	assert_int_equal(count(&q, "pending"), 1);
	assert_int_equal(count(&q, "hold"), 1);
	assert_int_equal(count(&q, "inflight"), 1);
	m = msg(&q, "1a2b3c4d");
	assert_int_equal(m->nr_rcpts, 2);
	assert_int_equal(m->arrival, 1795180627);
	assert_string_equal(m->rcpts[1].address, "lea.martin@example.org");
	assert_string_equal(m->rcpts[1].reason, "Connection refused by 198.51.100.23|port 25");
	assert_int_equal(msg(&q, "2b3c4d5e")->queue, queue_index(&q, "hold"));
	assert_null(msg(&q, "2b3c4d5e")->rcpts[0].reason);
	assert_string_equal(msg(&q, "3c4d5e6f")->sender, "");
	strbuf_release(&sb);
	assert_int_equal(opensmtpd_parse_queue(&q, "1a2b3c4d5e6f7a8b|inet4|mta\n", 27, &err), -1);
	assert_non_null(strstr(err.msg, "line 1 is not an envelope"));
	queue_release(&q);
}

/* ---- qmail ---- */

static void
test_qmail(void **state)
{
	struct queue_state q;
	struct diag d = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct strbuf sb;
	const struct queue_msg *m;
	uint64_t in_queue = 0, todo = 0;

	(void)state;
	fixture("qmail/qstat.out", &sb);
	assert_int_equal(qmail_parse_stat(sb.buf, &in_queue, &todo), 0);
	assert_int_equal(in_queue, 4);
	assert_int_equal(todo, 1);
	strbuf_release(&sb);
	assert_int_equal(qmail_parse_stat("messages in queue: 4\n", &in_queue, &todo), -1);
	fixture("qmail/qread.out", &sb);
	queue_init(&q, &d);
	assert_int_equal(qmail_parse_queue(&q, sb.buf, sb.len, &err), 0);
	assert_int_equal(q.total, 3);
	m = msg(&q, "2621445");
	assert_int_equal(m->arrival, INT64_C(1795180627));	/* 13:17:07 GMT */
	assert_int_equal(m->size, 1834);
	assert_string_equal(m->sender, "bounces+r1188@news.shop.example.com");
	assert_int_equal(m->nr_rcpts, 2);
	assert_false(m->rcpts[0].done);
	assert_true(m->rcpts[1].done);
	assert_string_equal(m->rcpts[1].address, "lea.martin@example.org");
	assert_string_equal(msg(&q, "2621519")->sender, "");
	assert_string_equal(msg(&q, "2621519")->rcpts[0].address, "news@shop.example.com");
	queue_release(&q);
	strbuf_release(&sb);
	diag_release(&d);
}

/* ---- matching, summaries, limits, facts ---- */

static void
test_match(void **state)
{
	struct queue_state q;
	struct queue_dest d;
	struct queue_msg *m;
	json_t *o;

	(void)state;
	queue_init(&q, NULL);
	postfix_queues(&q);
	m = queue_add_msg(&q, "A1", 2);
	queue_msg_add_rcpt(m, "x@Example.NET", "connect to mx[198.51.100.23]:25: timed out", false);
	m = queue_add_msg(&q, "A2", 2);
	queue_msg_add_rcpt(m, "y@example.org", "connect to mx[198.51.100.2]:25: refused", false);
	m = queue_add_msg(&q, "A3", 2);
	queue_msg_add_rcpt(m, "z@example.com", "host said 198.51.100.230 is busy", false);
	queue_msg_add_rcpt(m, "done@example.net", NULL, true);
	m = queue_add_msg(&q, "A4", 3);
	queue_msg_add_rcpt(m, "w@example.com", NULL, false);
	queue_dest_init(&d);
	d.given = true;
	queue_dest_add_ip(&d, "198.51.100.23");
	queue_dest_add_domain(&d, "EXAMPLE.net");
	queue_dest_add_queue_id(&d, "A4");
	assert_true(queue_names_ip("mx[198.51.100.23]:25", "198.51.100.23"));
	assert_false(queue_names_ip("mx[198.51.100.230]:25", "198.51.100.23"));
	assert_false(queue_names_ip("1198.51.100.23", "198.51.100.23"));
	assert_true(queue_names_ip("relay=[2001:db8::1]:25", "2001:db8::1"));
	assert_false(queue_names_ip("2001:db8::10", "2001:db8::1"));
	assert_int_equal(queue_match(&q, &d), 2);
	assert_int_equal(q.msgs[0].match, QUEUE_MATCH_IP | QUEUE_MATCH_DOMAIN);
	assert_int_equal(q.msgs[1].match, 0);
	assert_int_equal(q.msgs[2].match, 0);	/* a delivered recipient does not count */
	assert_int_equal(q.msgs[3].match, QUEUE_MATCH_QUEUE_ID);
	o = queue_to_json(&q, &d);
	assert_int_equal(json_array_size(json_object_get(o, "to_targets")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "could_leave")), 3);
	/* Per domain, the delivered recipient left out; per sender unknown. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o,
			 "by_recipient_domain"), "example.com")), 2);
	assert_null(json_object_get(json_object_get(o, "by_recipient_domain"), "example.net"));
	assert_non_null(json_object_get(json_object_get(o, "by_recipient_domain"), "Example.NET"));
	json_decref(o);
	/* Without the case: nothing matches. */
	assert_int_equal(queue_match(&q, NULL), 0);
	queue_dest_release(&d);
	queue_release(&q);
}

static void
test_limits(void **state)
{
	struct queue_state q;
	struct queue_msg *m;
	char id[32];

	(void)state;
	queue_init(&q, NULL);
	postfix_queues(&q);
	for (size_t i = 0; i < FPKIT_LIMIT_QUEUE_MESSAGES + 1; i++) {
		snprintf(id, sizeof(id), "M%zu", i);
		m = queue_add_msg(&q, id, 2);
		if (i < FPKIT_LIMIT_QUEUE_MESSAGES)
			assert_non_null(m);
		else
			assert_null(m);
	}
	assert_int_equal(q.nr_msgs, FPKIT_LIMIT_QUEUE_MESSAGES);
	assert_int_equal(q.unlisted, 1);
	assert_int_equal(q.total, FPKIT_LIMIT_QUEUE_MESSAGES + 1);
	assert_int_equal(count(&q, "deferred"), FPKIT_LIMIT_QUEUE_MESSAGES + 1);
	m = &q.msgs[0];
	for (size_t i = 0; i < FPKIT_LIMIT_QUEUE_RCPTS + 1; i++)
		queue_msg_add_rcpt(m, "r@example.net", NULL, false);
	assert_int_equal(m->nr_rcpts, FPKIT_LIMIT_QUEUE_RCPTS);
	assert_int_equal(m->more_rcpts, 1);
	queue_release(&q);
}

static void
test_facts(void **state)
{
	struct queue_state q;
	struct queue_facts f;
	char *s;

	(void)state;
	queue_init(&q, NULL);
	postfix_queues(&q);
	q.seen_at = NOW;
	q.running = QUEUE_YES;
	q.can_send = QUEUE_NO;
	queue_set_why(&q, "defer_transports = smtp");
	queue_add_msg(&q, "H1", 3);
	queue_facts(&q, &f);
	assert_int_equal(f.total, 1);
	assert_int_equal(f.could_leave, 0);
	assert_int_equal(f.seen_at, NOW);
	/* Stopped, and only a held message: nothing to refuse. */
	assert_null(queue_facts_refusal(&f));
	s = queue_facts_describe(&f, &q);
	assert_string_equal(s, "postfix at 2026-11-21T00:00:00Z: sending stopped (defer_transports "
			    "= smtp); 0 of 1 message could leave (hold 1)");
	free(s);
	queue_add_msg(&q, "D1", 2);
	queue_facts(&q, &f);
	s = queue_facts_refusal(&f);
	assert_string_equal(s, "1 message in postfix's queue could leave once sending resumes");
	free(s);
	q.can_send = QUEUE_UNKNOWN;
	queue_facts(&q, &f);
	s = queue_facts_refusal(&f);
	assert_non_null(strstr(s, "whether postfix can send is not known"));
	free(s);
	queue_release(&q);
}

/* ---- toolrun ---- */

static void
test_toolrun(void **state)
{
	const char *echo[] = { "/bin/sh", "-c", "printf '%s|%s' \"$LC_ALL\" \"$1\"; echo oops >&2; exit 3",
			       "sh", "a b;c", NULL };
	const char *sleeper[] = { "/bin/sh", "-c", "sleep 30", NULL };
	const char *big[] = { "/bin/sh", "-c", "head -c 5000 /dev/zero", NULL };
	struct toolrun_result r;
	struct error err = ERROR_INIT;
	char *cmd;

	(void)state;
	toolrun_result_init(&r);
	/* Arguments reach the tool as they are, the locale is C, stderr
	 * is kept apart, the status read. */
	assert_int_equal(toolrun(echo, NULL, 1024, 10, &r, &err), 0);
	assert_string_equal(r.out.buf, "C|a b;c");
	assert_string_equal(r.err_text, "oops\n");
	assert_int_equal(r.status, 3);
	cmd = toolrun_cmdline(echo);
	assert_string_equal(cmd, "/bin/sh -c 'printf '\\''%s|%s'\\'' \"$LC_ALL\" \"$1\"; echo oops "
			    ">&2; exit 3' sh 'a b;c'");
	free(cmd);
	/* Over the size: stopped, refused. */
	assert_int_equal(toolrun(big, NULL, 4999, 10, &r, &err), -1);
	assert_int_equal(err.status, EX_DATAERR);
	assert_non_null(strstr(err.msg, "printed more than 4999 bytes"));
	assert_int_equal(toolrun(big, NULL, 5000, 10, &r, &err), 0);
	assert_int_equal(r.out.len, 5000);
	/* Past the time: the group killed. */
	assert_int_equal(toolrun(sleeper, NULL, 1024, 1, &r, &err), -1);
	assert_int_equal(err.status, EX_TEMPFAIL);
	assert_non_null(strstr(err.msg, "did not finish within 1 seconds"));
	toolrun_result_release(&r);
	assert_null(toolrun_find("no-such-tool-here", "/bin:/usr/bin"));
	assert_null(toolrun_find("sh", "bin:relative"));
	cmd = toolrun_find("sh", "/nonexistent:/bin");
	assert_string_equal(cmd, "/bin/sh");
	free(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix_queue),
		cmocka_unit_test(test_postfix_queue_bad),
		cmocka_unit_test(test_postfix_judge),
		cmocka_unit_test(test_exim_captured),
		cmocka_unit_test(test_exim_aged),
		cmocka_unit_test(test_sendmail),
		cmocka_unit_test(test_opensmtpd),
		cmocka_unit_test(test_qmail),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_toolrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
