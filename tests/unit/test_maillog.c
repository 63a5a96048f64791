/* test_maillog.c - unit tests for logline.h and maillog.h: the syslog
 * header, times and their years, queue ids, the Message-ID a line
 * announces, the facts of Postfix, Exim and Sendmail lines, and the two
 * passes over a small log (queue ids used again, a line over the limit)
 * and what logs.c makes of them */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bundle.h"
#include "error.h"
#include "fpkit_limits.h"
#include "logline.h"
#include "logs.h"
#include "strbuf.h"
#include "maillog.h"
#include "targets.h"
#include "timefmt.h"

/* Paris rules without tzdata: a test must not depend on /usr/share/zoneinfo. */
#define TZ_PARIS "CET-1CEST,M3.5.0,M10.5.0/3"

/* Follow an id as pack does: made canonical by a targets list. */
static long
follow(struct maillog *m, const char *id)
{
	struct targets t;
	long k, r = -1;

	targets_init(&t);
	k = targets_add(&t, id, NULL);
	if (k >= 0)
		r = maillog_add_target(m, t.items[k].id, t.items[k].shown);
	targets_release(&t);
	return r;
}

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static struct logline_span
lit(const char *s)
{
	struct logline_span sp = { s, strlen(s) };

	return sp;
}

/* The span equals want (NULL: absent). */
#define assert_span(sp, want) check_span((sp), (want), __LINE__)

static void
check_span(struct logline_span sp, const char *want, int line)
{
	if (want == NULL) {
		if (sp.p != NULL)
			fail_msg("line %d: got \"%.*s\", expected nothing", line, (int)sp.len, sp.p);
		return;
	}
	if (sp.p == NULL)
		fail_msg("line %d: got nothing, expected \"%s\"", line, want);
	if (sp.len != strlen(want) || memcmp(sp.p, want, sp.len) != 0)
		fail_msg("line %d: got \"%.*s\", expected \"%s\"", line, (int)sp.len, sp.p, want);
}

static int64_t
iso(const char *s)
{
	int64_t t = 0;

	assert_int_equal(timefmt_parse_iso(s, &t), 0);
	return t;
}

/* ---- the syslog header ---- */

static void
test_syslog_classic(void **state)
{
	const char *l = "Nov 20 14:23:01 mx1 postfix/cleanup[2214]: 3F1A2B4C5D: message-id=<a@b>";
	const char *l2 = "Nov  5 04:03:02 mx1 postfix/qmgr: 3F1A2B4C5D: removed";
	struct logline_syslog s;

	(void)state;
	assert_int_equal(logline_parse_syslog(l, strlen(l), &s), 0);
	assert_int_equal(s.kind, LOGLINE_STAMP_CLASSIC);
	assert_span(s.stamp, "Nov 20 14:23:01");
	assert_span(s.host, "mx1");
	assert_span(s.prog, "postfix/cleanup");
	assert_span(s.msg, "3F1A2B4C5D: message-id=<a@b>");
	/* A blank-padded day, a tag without pid. */
	assert_int_equal(logline_parse_syslog(l2, strlen(l2), &s), 0);
	assert_span(s.stamp, "Nov  5 04:03:02");
	assert_span(s.prog, "postfix/qmgr");
	assert_span(s.msg, "3F1A2B4C5D: removed");
}

static void
test_syslog_iso_and_5424(void **state)
{
	const char *l = "2026-11-20T14:25:00.012345+01:00 mx1 postfix/smtpd[2302]: 8C7D6E5F4A: client=x";
	const char *r = "<30>1 2026-11-20T13:25:01.402215Z mx1 postfix/smtp 2312 - - 9D8E7F6A5B: to=<a@b>";
	const char *sd = "<30>1 2026-11-20T13:35:02Z mx1 postfix/qmgr 1102 ID47 "
			 "[meta sequenceId=\"88\" x=\"a\\]b\"][origin ip=\"1\"] 9D8E7F6A5B: removed";
	struct logline_syslog s;

	(void)state;
	assert_int_equal(logline_parse_syslog(l, strlen(l), &s), 0);
	assert_int_equal(s.kind, LOGLINE_STAMP_ISO);
	assert_span(s.stamp, "2026-11-20T14:25:00.012345+01:00");
	assert_span(s.host, "mx1");
	assert_span(s.prog, "postfix/smtpd");
	assert_span(s.msg, "8C7D6E5F4A: client=x");
	assert_int_equal(logline_parse_syslog(r, strlen(r), &s), 0);
	assert_int_equal(s.kind, LOGLINE_STAMP_ISO);
	assert_span(s.stamp, "2026-11-20T13:25:01.402215Z");
	assert_span(s.prog, "postfix/smtp");
	assert_span(s.msg, "9D8E7F6A5B: to=<a@b>");
	/* Structured data, with an escaped ']' inside a value. */
	assert_int_equal(logline_parse_syslog(sd, strlen(sd), &s), 0);
	assert_span(s.msg, "9D8E7F6A5B: removed");
}

static void
test_syslog_exim(void **state)
{
	const char *a = "2026-11-20 14:30:15 1vQmKx-0003Fz-2D <= a@b H=x id=c@d";
	const char *b = "2026-11-20 14:30:15.123 +0100 [5120] 1vQmKx-0003Fz-2D Completed";
	struct logline_syslog s;

	(void)state;
	assert_int_equal(logline_parse_syslog(a, strlen(a), &s), 0);
	assert_int_equal(s.kind, LOGLINE_STAMP_EXIM);
	assert_span(s.stamp, "2026-11-20 14:30:15");
	assert_span(s.host, "");
	assert_span(s.msg, "1vQmKx-0003Fz-2D <= a@b H=x id=c@d");
	assert_int_equal(logline_parse_syslog(b, strlen(b), &s), 0);
	assert_span(s.stamp, "2026-11-20 14:30:15.123 +0100");
	assert_span(s.msg, "1vQmKx-0003Fz-2D Completed");
}

static void
test_syslog_rejects(void **state)
{
	static const char *bad[] = {
		"",
		"hello world",
		"Nov 20 14:23:01",
		"Nov 20 14:23:01 mx1",
		"Nov 20 14:23:01 mx1 no tag here",
		"Nov 20 14:23:01 mx1 prog[12 unclosed: x",
		"Foo 20 14:23:01 mx1 postfix/smtpd[1]: x",
		"2026-11-20X14:23:01 mx1 postfix/smtpd[1]: x",
		"<30>2 2026-11-20T13:25:01Z mx1 postfix/smtp 1 - - x",
		"<30>1 2026-11-20T13:25:01Z mx1 postfix/smtp 1 - [unclosed x",
	};
	struct logline_syslog s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (logline_parse_syslog(bad[i], strlen(bad[i]), &s) == 0)
			fail_msg("\"%s\" was read as a syslog line", bad[i]);
}

/* ---- times ---- */

static int64_t
line_time(const char *line, int64_t near)
{
	struct logline_syslog s;
	int64_t t = 0;

	assert_int_equal(logline_parse_syslog(line, strlen(line), &s), 0);
	if (logline_stamp_time(&s, near, &t) < 0)
		return -1;
	return t;
}

static void
test_time_zones(void **state)
{
	int64_t near = iso("2026-11-20T13:40:00Z");

	(void)state;
	set_tz(TZ_PARIS);
	/* Classic: local time of TZ (winter: +01:00). */
	assert_int_equal(line_time("Nov 20 14:23:01 mx1 p[1]: x", near), iso("2026-11-20T13:23:01Z"));
	/* ... in summer, +02:00. */
	assert_int_equal(line_time("Jul 14 12:00:00 mx1 p[1]: x", near), iso("2026-07-14T10:00:00Z"));
	/* With a zone: exact, whatever TZ says. */
	assert_int_equal(line_time("2026-11-20T14:25:00.012345+01:00 mx1 p[1]: x", near),
			 iso("2026-11-20T13:25:00Z"));
	assert_int_equal(line_time("<30>1 2026-11-20T13:25:01.402215Z mx1 p 1 - - x", near),
			 iso("2026-11-20T13:25:01Z"));
	assert_int_equal(line_time("2026-11-20 14:30:15 +0100 [1] 1vQmKx-0003Fz-2D Completed", near),
			 iso("2026-11-20T13:30:15Z"));
	/* Exim without log_timezone: local. */
	assert_int_equal(line_time("2026-11-20 14:30:15 1vQmKx-0003Fz-2D Completed", near),
			 iso("2026-11-20T13:30:15Z"));
	set_tz("UTC0");
	assert_int_equal(line_time("Nov 20 14:23:01 mx1 p[1]: x", near), iso("2026-11-20T14:23:01Z"));
	assert_int_equal(line_time("2026-11-20T14:25:00+01:00 mx1 p[1]: x", near),
			 iso("2026-11-20T13:25:00Z"));
}

static void
test_time_year_boundary(void **state)
{
	(void)state;
	set_tz(TZ_PARIS);
	/* A block just after New Year: December lines are last year's. */
	assert_int_equal(line_time("Dec 31 23:59:58 mx1 p[1]: x", iso("2027-01-01T00:10:00Z")),
			 iso("2026-12-31T22:59:58Z"));
	assert_int_equal(line_time("Jan  1 01:05:00 mx1 p[1]: x", iso("2027-01-01T00:10:00Z")),
			 iso("2027-01-01T00:05:00Z"));
	/* A block just before it: a January line is next year's. */
	assert_int_equal(line_time("Jan  1 00:30:00 mx1 p[1]: x", iso("2026-12-31T23:50:00Z")),
			 iso("2026-12-31T23:30:00Z"));
	assert_int_equal(line_time("Jan  1 01:30:00 mx1 p[1]: x", iso("2026-12-31T23:50:00Z")),
			 iso("2027-01-01T00:30:00Z"));
	/* 29 February exists only in a leap year: the nearest one. */
	assert_int_equal(line_time("Feb 29 12:00:00 mx1 p[1]: x", iso("2028-03-01T00:00:00Z")),
			 iso("2028-02-29T11:00:00Z"));
	/* No valid date in the three years around 'near'. */
	assert_int_equal(line_time("Feb 29 12:00:00 mx1 p[1]: x", iso("2026-03-01T00:00:00Z")), -1);
	assert_int_equal(line_time("Feb 31 12:00:00 mx1 p[1]: x", iso("2026-03-01T00:00:00Z")), -1);
	assert_int_equal(line_time("Nov 20 25:00:00 mx1 p[1]: x", iso("2026-03-01T00:00:00Z")), -1);
	set_tz("UTC0");
}

/* ---- queue ids and announced ids ---- */

static void
test_queue_id(void **state)
{
	struct logline_span qid, rest;

	(void)state;
	assert_true(logline_queue_id(lit("3F1A2B4C5D: removed"), &qid, &rest));
	assert_span(qid, "3F1A2B4C5D");
	assert_span(rest, "removed");
	/* Postfix long ids, Sendmail ids, Exim ids old and new. */
	assert_true(logline_queue_id(lit("4Xt2Cg3Rm1z9sLk: to=<a@b>"), &qid, &rest));
	assert_span(qid, "4Xt2Cg3Rm1z9sLk");
	assert_true(logline_queue_id(lit("5AKDW0ab031337: from=<a@b>"), &qid, &rest));
	assert_span(qid, "5AKDW0ab031337");
	assert_true(logline_queue_id(lit("1vQmKx-0003Fz-2D <= a@b"), &qid, &rest));
	assert_span(qid, "1vQmKx-0003Fz-2D");
	assert_span(rest, "<= a@b");
	assert_true(logline_queue_id(lit("1qJ0FJ-00000000Gvx-3VZ3 Completed"), &qid, &rest));
	assert_span(qid, "1qJ0FJ-00000000Gvx-3VZ3");
	/* A Postfix short id may be hex letters alone. */
	assert_true(logline_queue_id(lit("ABCDEFACBD: removed"), &qid, &rest));
	assert_span(qid, "ABCDEFACBD");
	/* Not queue ids. */
	assert_false(logline_queue_id(lit("warning: header Subject: x"), &qid, &rest));
	assert_false(logline_queue_id(lit("NOQUEUE: reject: RCPT from x"), &qid, &rest));
	assert_false(logline_queue_id(lit("statistics: max connection rate"), &qid, &rest));
	assert_false(logline_queue_id(lit("connect from web1[203.0.113.20]"), &qid, &rest));
	assert_false(logline_queue_id(lit("1234: x"), &qid, &rest));
	assert_false(logline_queue_id(lit("ABCDE: x"), &qid, &rest));
	assert_false(logline_queue_id(lit("ABCDEFG: x"), &qid, &rest));
	assert_false(logline_queue_id(lit("3F1A2B4C5D:removed"), &qid, &rest));
	assert_false(logline_queue_id(lit("3F1A2B4C5D"), &qid, &rest));
	assert_false(logline_queue_id(lit("1vQmKx-0003Fz-2D"), &qid, &rest));
	assert_false(logline_queue_id(lit("1vQmK-0003Fz-2D <= a"), &qid, &rest));
	assert_false(logline_queue_id(lit("0123456789012345678901234567890123: x"), &qid, &rest));
}

static void
test_announced_id(void **state)
{
	struct logline_span qid, id;

	(void)state;
	assert_int_equal(logline_announced_id(lit("3F1A2B4C5D: message-id=<nl.1@news.example>"),
					      &qid, &id), LOGLINE_POSTFIX);
	assert_span(qid, "3F1A2B4C5D");
	assert_span(id, "<nl.1@news.example>");
	assert_int_equal(logline_announced_id(lit("1vQmKx-0003Fz-2D <= a@b H=h [1.2.3.4] P=esmtp "
						  "S=5 id=E1vQmKx@web2 T=\"x\" for c@d"),
					      &qid, &id), LOGLINE_EXIM);
	assert_span(id, "E1vQmKx@web2");
	assert_int_equal(logline_announced_id(lit("5AKDW0ab031337: from=<a@b>, size=1, class=0, "
						  "nrcpts=1, msgid=<m@mx3>, proto=ESMTP"),
					      &qid, &id), LOGLINE_SENDMAIL);
	assert_span(id, "<m@mx3>");
	/* Lines that carry an id without announcing it. */
	assert_int_equal(logline_announced_id(lit("3F1A2B4C5D: resent-message-id=<x@y>"), &qid, &id),
			 LOGLINE_NONE);
	assert_int_equal(logline_announced_id(lit("3F1A2B4C5D: info: header In-Reply-To: <x@y> "
						  "from h; message-id=<x@y>"), &qid, &id),
			 LOGLINE_NONE);
	assert_int_equal(logline_announced_id(lit("3F1A2B4C5D: message-id="), &qid, &id), LOGLINE_NONE);
	assert_int_equal(logline_announced_id(lit("3F1A2B4C5D: from=<a@b>, size=1, nrcpt=1 "
						  "(queue active)"), &qid, &id), LOGLINE_NONE);
	assert_int_equal(logline_announced_id(lit("3F1A2B4C5D: to=<a@b>, status=bounced (550 "
						  "message <x@y>, msgid=<x@y>)"), &qid, &id),
			 LOGLINE_NONE);
	/* Exim: an id= inside a quoted subject is no field. */
	assert_int_equal(logline_announced_id(lit("1vQmKy-0003G2-1A <= a@b T=\"Re: id=x@y\""),
					      &qid, &id), LOGLINE_NONE);
	assert_int_equal(logline_announced_id(lit("1vQmKy-0003G2-1A <= a@b T=\"Re: \\\" id=x@y\" "
						  "id=real@z"), &qid, &id), LOGLINE_EXIM);
	assert_span(id, "real@z");
	assert_int_equal(logline_announced_id(lit("1vQmKy-0003G2-1A => a@b C=\"250 id=x@y\""),
					      &qid, &id), LOGLINE_NONE);
	assert_int_equal(logline_announced_id(lit("1vQmKy-0003G2-1A <= a@b msgid=x@y"), &qid, &id),
			 LOGLINE_NONE);
}

/* What a sender writes into a line must not pass for another message's
 * id: the queue would be filed as that message's trail.  Sendmail: */
static void
test_announced_id_forged_sendmail(void **state)
{
	struct logline_span qid, id;

	(void)state;
	/* Sendmail: a quoted local part holding ", msgid=<...>, " and '>'
	 * is one from= field; the msgid= is the one after size=. */
	assert_int_equal(logline_announced_id(lit("4AKENP1x012345: from=<\"x>, "
						  "msgid=<victim@bank.example>, y<\"@evil.example>, "
						  "size=1, class=0, nrcpts=1, msgid=<real@evil.example>, "
						  "proto=ESMTP, relay=[192.0.2.1]"), &qid, &id),
			 LOGLINE_SENDMAIL);
	assert_span(id, "<real@evil.example>");
	/* ... and without quotes, in a sender Sendmail logs as it came. */
	assert_int_equal(logline_announced_id(lit("4AKENP1x012345: from=x, "
						  "msgid=<victim@bank.example>, size=1, class=0, "
						  "nrcpts=1, msgid=<real@evil.example>, proto=ESMTP"),
					      &qid, &id), LOGLINE_SENDMAIL);
	assert_span(id, "<real@evil.example>");
}

/* Exim: " id=" in a junk HELO name (even with ')' in it), in an A=
 * value with blanks, as the sender, or as a recipient is no id=. */
static void
test_announced_id_forged_exim(void **state)
{
	struct logline_span qid, id;

	(void)state;
	assert_int_equal(logline_announced_id(lit("1abcDE-000123-AB <= a@evil.example "
						  "H=(x id=victim@bank.example) [192.0.2.1] P=esmtp S=1 "
						  "id=real@evil.example"), &qid, &id), LOGLINE_EXIM);
	assert_span(id, "real@evil.example");
	assert_int_equal(logline_announced_id(lit("1abcDE-000123-AB <= a@evil.example "
						  "H=mx.evil.example (x) id=victim@bank.example (y) "
						  "[192.0.2.1] P=esmtp S=1 id=real@evil.example"),
					      &qid, &id), LOGLINE_EXIM);
	assert_span(id, "real@evil.example");
	assert_int_equal(logline_announced_id(lit("1abcDE-000123-AB <= a@evil.example "
						  "H=h [192.0.2.1] A=plain:x id=victim@bank.example "
						  "P=esmtpa S=1 id=real@evil.example T=\"hi\""),
					      &qid, &id), LOGLINE_EXIM);
	assert_span(id, "real@evil.example");
	assert_int_equal(logline_announced_id(lit("1abcDE-000123-AB <= id=victim@bank.example "
						  "H=h [192.0.2.1] P=esmtp S=1 id=real@evil.example "
						  "T=\"hi\" from <a@evil.example> for id=victim@bank.example "
						  "b@example.org"), &qid, &id), LOGLINE_EXIM);
	assert_span(id, "real@evil.example");
}

/* ---- facts ---- */

static void
facts(enum logline_mta mta, const char *msg, struct logline_facts *f)
{
	struct logline_span qid, rest;

	assert_true(logline_queue_id(lit(msg), &qid, &rest));
	logline_parse_facts(mta, rest, f);
}

static void
test_facts_postfix(void **state)
{
	struct logline_facts f;

	(void)state;
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: client=web1[203.0.113.20], sasl_method=PLAIN, "
	      "sasl_username=news", &f);
	assert_span(f.client, "web1[203.0.113.20]");
	assert_false(f.recipient);
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: from=<bounces+r1@news.example>, size=28710, nrcpt=3 "
	      "(queue active)", &f);
	assert_span(f.from, "bounces+r1@news.example");
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: from=<>, size=3012, nrcpt=1 (queue active)", &f);
	assert_span(f.from, "");
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: to=<lea@example.org>, orig_to=<l@example.org>, "
	      "relay=mx1.example.org[198.51.100.23]:25, delay=1.4, delays=0.1/0.01/0.5/0.8, "
	      "dsn=2.0.0, status=sent (250 2.0.0 OK 1795180982)", &f);
	assert_true(f.recipient);
	assert_span(f.to, "lea@example.org");
	assert_span(f.relay, "mx1.example.org[198.51.100.23]:25");
	assert_span(f.dsn, "2.0.0");
	assert_span(f.status, "sent");
	assert_span(f.detail, "250 2.0.0 OK 1795180982");
	/* The answer may say anything: the fields before status= count. */
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: to=<j@example.com>, relay=mx.example.com[198.51.100.40]:25, "
	      "delay=2.2, dsn=4.7.1, status=deferred (450 4.7.1 later, relay=evil[192.0.2.1], "
	      "dsn=5.0.0 (in reply))", &f);
	assert_span(f.relay, "mx.example.com[198.51.100.40]:25");
	assert_span(f.dsn, "4.7.1");
	assert_span(f.status, "deferred");
	assert_span(f.detail, "450 4.7.1 later, relay=evil[192.0.2.1], dsn=5.0.0 (in reply)");
	/* ", " inside angle brackets does not end a field. */
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: to=<\"a, b\"@example.com>, relay=local, status=sent "
	      "(delivered)", &f);
	assert_span(f.to, "\"a, b\"@example.com");
	assert_span(f.relay, "local");
	assert_span(f.dsn, NULL);
	/* Nor does a quoted '>' in them. */
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: to=<\"x>, relay=evil[192.0.2.1], y\"@example.com>, "
	      "relay=mx.example.com[198.51.100.40]:25, dsn=2.0.0, status=sent (250 ok)", &f);
	assert_span(f.to, "\"x>, relay=evil[192.0.2.1], y\"@example.com");
	assert_span(f.relay, "mx.example.com[198.51.100.40]:25");
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: removed", &f);
	assert_true(f.end);
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: message-id=<a@b>", &f);
	assert_span(f.message_id, "<a@b>");
	assert_false(f.end);
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: sender non-delivery notification: 0B1C2D3E4F", &f);
	assert_false(f.recipient);
	assert_span(f.from, NULL);
	/* A to= without status= (a milter's) is no delivery. */
	facts(LOGLINE_POSTFIX, "3F1A2B4C5D: to=<a@b>, proto=ESMTP", &f);
	assert_false(f.recipient);
}

static void
test_facts_exim(void **state)
{
	struct logline_facts f;

	(void)state;
	facts(LOGLINE_EXIM, "1vQmKx-0003Fz-2D <= alerts@example H=web2.example (web2) "
	      "[203.0.113.21]:40112 I=[203.0.113.9]:587 P=esmtpsa S=5120 id=E1@web2 T=\"x\"", &f);
	assert_span(f.from, "alerts@example");
	assert_span(f.client, "web2.example (web2) [203.0.113.21]:40112");
	assert_span(f.message_id, "E1@web2");
	facts(LOGLINE_EXIM, "1vQmL1-0003G5-3C <= <> R=1vQmKx-0003Fz-2D U=Debian-exim P=local", &f);
	assert_span(f.from, "");
	facts(LOGLINE_EXIM, "1vQmKx-0003Fz-2D => p@example.net R=dnslookup T=remote_smtp "
	      "H=mx.example.net [198.51.100.10] X=TLS1.3:A:256 CV=yes K C=\"250 2.0.0 OK id=1\"", &f);
	assert_true(f.recipient);
	assert_span(f.to, "p@example.net");
	assert_span(f.relay, "mx.example.net [198.51.100.10]");
	assert_span(f.status, "sent");
	assert_span(f.detail, "250 2.0.0 OK id=1");
	assert_span(f.dsn, "2.0.0");
	facts(LOGLINE_EXIM, "1vQmKx-0003Fz-2D ** a@example.org R=dnslookup T=remote_smtp "
	      "H=mx1.example.org [198.51.100.23]: SMTP error from remote mail server after end "
	      "of data: 550 5.7.1 Message rejected as spam", &f);
	assert_span(f.status, "bounced");
	assert_span(f.relay, "mx1.example.org [198.51.100.23]");
	assert_span(f.detail, "SMTP error from remote mail server after end of data: 550 5.7.1 "
		    "Message rejected as spam");
	assert_span(f.dsn, "5.7.1");
	facts(LOGLINE_EXIM, "1vQmKx-0003Fz-2D ** nobody@example.org: Unrouteable address", &f);
	assert_span(f.to, "nobody@example.org");
	assert_span(f.detail, "Unrouteable address");
	assert_span(f.dsn, NULL);
	facts(LOGLINE_EXIM, "1vQmLp-0003Gb-5R == s@example.com R=dnslookup T=remote_smtp defer "
	      "(-44) H=mx.example.com [198.51.100.40]: SMTP error from remote mail server after "
	      "RCPT TO:<s@example.com>: 451 4.7.1 Greylisted", &f);
	assert_span(f.status, "deferred");
	assert_span(f.relay, "mx.example.com [198.51.100.40]");
	assert_span(f.dsn, "4.7.1");
	facts(LOGLINE_EXIM, "1vQmLp-0003Gb-5R -> t@example.com R=dnslookup T=remote_smtp "
	      "H=[2001:db8::25]:25 C=\"250 ok\"", &f);
	assert_span(f.status, "sent");
	assert_span(f.relay, "[2001:db8::25]:25");
	facts(LOGLINE_EXIM, "1vQmLp-0003Gb-5R *> t@example.com R=r T=t", &f);
	assert_span(f.status, "suppressed");
	facts(LOGLINE_EXIM, "1vQmLp-0003Gb-5R Completed", &f);
	assert_true(f.end);
	facts(LOGLINE_EXIM, "1vQmLp-0003Gb-5R Completed QT=3s", &f);
	assert_true(f.end);
}

static void
test_facts_sendmail(void **state)
{
	struct logline_facts f;

	(void)state;
	facts(LOGLINE_SENDMAIL, "5AKDW0ab031337: from=<news@example>, size=18220, class=0, nrcpts=3, "
	      "msgid=<m@mx3>, proto=ESMTP, daemon=MTA, relay=web1.example [203.0.113.20]", &f);
	assert_span(f.from, "news@example");
	assert_span(f.message_id, "<m@mx3>");
	assert_span(f.client, "web1.example [203.0.113.20]");
	/* A sender that writes fields of its own is one field. */
	facts(LOGLINE_SENDMAIL, "5AKDW0ab031337: from=<\"x>, msgid=<victim@bank.example>, "
	      "relay=mx.bank.example, y<\"@evil.example>, size=1, class=0, nrcpts=1, "
	      "msgid=<real@evil.example>, proto=ESMTP, daemon=MTA, relay=[192.0.2.1]", &f);
	assert_span(f.from, "\"x>, msgid=<victim@bank.example>, relay=mx.bank.example, "
		    "y<\"@evil.example");
	assert_span(f.message_id, "<real@evil.example>");
	assert_span(f.client, "[192.0.2.1]");
	facts(LOGLINE_SENDMAIL, "5AKDW0ab031337: to=<c@example.com>,<d@example.com>, delay=00:00:01, "
	      "mailer=esmtp, relay=mx.example.com. [198.51.100.40], dsn=2.0.0, stat=Sent (Ok: queued)",
	      &f);
	assert_true(f.recipient);
	assert_span(f.to, "<c@example.com>,<d@example.com>");
	assert_span(f.relay, "mx.example.com. [198.51.100.40]");
	assert_span(f.status, "sent");
	assert_span(f.detail, "Sent (Ok: queued)");
	assert_span(f.dsn, "2.0.0");
	facts(LOGLINE_SENDMAIL, "5AKDW0ab031337: to=<e@example.org>, delay=00:00:02, relay=mx1. "
	      "[198.51.100.23], dsn=5.7.1, stat=Service unavailable", &f);
	assert_span(f.status, "bounced");
	assert_span(f.detail, "Service unavailable");
	facts(LOGLINE_SENDMAIL, "5AKDW0ab031337: to=<e@example.org>, delay=04:00:00, dsn=4.0.0, "
	      "stat=Deferred: Connection refused by mx1.", &f);
	assert_span(f.status, "deferred");
	facts(LOGLINE_SENDMAIL, "5AKDW0ab031337: 5AKDW2ab031341: DSN: Service unavailable", &f);
	assert_false(f.recipient);
	assert_span(f.from, NULL);
}

/* ---- the two passes ---- */

static char *
write_log(const char *text)
{
	char *path = strdup("/tmp/test_maillog.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* text holds a, b and c one after the other. */
static bool
has_line(const char *text, const char *a, const char *b, const char *c)
{
	char *want;
	bool found;

	assert_true(asprintf(&want, "%s%s%s", a, b, c) > 0);
	found = strstr(text, want) != NULL;
	if (!found)
		print_error("not found: \"%s\"\n", want);
	free(want);
	return found;
}

/* Three messages through queue 3F1A2B4C5D, the target's the second;
 * another host's lines with the same id; an interleaved queue; and a
 * line over the limit. */
static void
test_scan_reused_queue(void **state)
{
	char *long_line = malloc(FPKIT_LIMIT_LOG_LINE + 200);
	struct error err = ERROR_INIT;
	struct diag diag = DIAG_INIT;
	const struct bundle_entry *e;
	size_t nr_lines = 0;
	struct maillog m;
	struct bundle b;
	char *text, *path;
	json_t *d, *r, *summary;

	(void)state;
	memset(long_line, 'A', FPKIT_LIMIT_LOG_LINE + 100);
	long_line[FPKIT_LIMIT_LOG_LINE + 100] = '\0';
	assert_true(asprintf(&text,
		"Nov 20 14:04:58 mx1 postfix/pickup[1]: 3F1A2B4C5D: uid=33 from=<www-data>\n"
		"Nov 20 14:04:58 mx1 postfix/cleanup[2]: 3F1A2B4C5D: message-id=<first@x>\n"
		"Nov 20 14:04:59 mx1 postfix/smtp[3]: 3F1A2B4C5D: to=<one@x>, relay=a, dsn=2.0.0, status=sent (ok)\n"
		"Nov 20 14:04:59 mx1 postfix/qmgr[4]: 3F1A2B4C5D: removed\n"
		"Nov 20 14:23:00 mx1 postfix/smtpd[5]: 3F1A2B4C5D: client=web1[203.0.113.20]\n"
		"Nov 20 14:23:00 mx1 postfix/smtpd[5]: A7B8C9D0E1: client=web1[203.0.113.20]\n"
		"Nov 20 14:23:01 mx1 postfix/cleanup[2]: 3F1A2B4C5D: message-id=<target@X>\n"
		"Nov 20 14:23:01 mx1 postfix/cleanup[2]: A7B8C9D0E1: message-id=<other@x>\n"
		"Nov 20 14:23:01 mx1 postfix/qmgr[4]: 3F1A2B4C5D: from=<sender@x>, size=1, nrcpt=2 (queue active)\n"
		"Nov 20 14:23:01 mx1 postfix/cleanup[2]: 3F1A2B4C5D: warning: %s\n"
		"Nov 20 14:23:02 mx2 postfix/smtp[9]: 3F1A2B4C5D: to=<otherhost@x>, relay=b, dsn=2.0.0, status=sent (ok)\n"
		"Nov 20 14:23:02 mx1 postfix/smtp[3]: A7B8C9D0E1: to=<tom@x>, relay=b, dsn=2.0.0, status=sent (ok)\n"
		"Nov 20 14:23:02 mx1 postfix/smtp[3]: 3F1A2B4C5D: to=<two@x>, relay=mx[1.2.3.4]:25, dsn=2.0.0, status=sent (250 ok)\n"
		"Nov 20 14:23:03 mx1 postfix/smtp[3]: 3F1A2B4C5D: to=<three@x>, relay=mx[1.2.3.4]:25, dsn=5.1.1, status=bounced (550 5.1.1 no)\n"
		"Nov 20 14:23:03 mx1 postfix/qmgr[4]: 3F1A2B4C5D: removed\n"
		"Nov 20 14:35:12 mx1 postfix/pickup[1]: 3F1A2B4C5D: uid=33 from=<www-data>\n"
		"Nov 20 14:35:12 mx1 postfix/cleanup[2]: 3F1A2B4C5D: message-id=<third@x>\n"
		"Nov 20 14:35:13 mx1 postfix/smtp[3]: 3F1A2B4C5D: to=<four@x>, relay=a, dsn=2.0.0, status=sent (ok)\n"
		"Nov 20 14:35:13 mx1 postfix/qmgr[4]: 3F1A2B4C5D: removed\n"
		"Nov 20 14:36:00 mx1 postfix/cleanup[2]: 0A0B0C0D0E: message-id=<never-ends@x>\n"
		"Nov 20 14:36:01 mx1 postfix/qmgr[4]: 0A0B0C0D0E: from=<s@x>, size=1, nrcpt=1 (queue active)",
		long_line) > 0);
	path = write_log(text);
	set_tz(TZ_PARIS);
	bundle_init(&b, "top", 0);
	maillog_init(&m, &diag);
	assert_int_equal(follow(&m, "target@x"), 0);
	assert_int_equal(follow(&m, "<target@X>"), 0);	/* the same, canonical */
	assert_int_equal(follow(&m, "never-ends@x"), 1);
	assert_int_equal(follow(&m, "absent@x"), 2);
	assert_int_equal(maillog_add_file(&m, path, &err), 0);
	assert_int_equal(maillog_add_file(&m, path, &err), 0);		/* again: read once */
	assert_int_equal(m.nr_files, 1);
	assert_int_equal(maillog_scan(&m, iso("2026-11-20T13:40:00Z"), &err), 0);
	assert_int_equal(m.files[0].lines, 21);
	assert_int_equal(m.files[0].long_lines, 1);

	/* The target: one story, its own lines only, not mx2's. */
	assert_int_equal(m.targets[0].nr_stories, 1);
	d = maillog_delivery_json(&m, 0);
	assert_int_equal(json_array_size(d), 1);
	r = json_array_get(d, 0);
	assert_string_equal(json_string_value(json_object_get(r, "queue_id")), "3F1A2B4C5D");
	assert_string_equal(json_string_value(json_object_get(r, "mta")), "postfix");
	assert_string_equal(json_string_value(json_object_get(r, "host")), "mx1");
	assert_string_equal(json_string_value(json_object_get(r, "from")), "sender@x");
	assert_string_equal(json_string_value(json_object_get(r, "client")), "web1[203.0.113.20]");
	assert_string_equal(json_string_value(json_object_get(r, "time")), "2026-11-20T13:23:01Z");
	assert_true(json_is_true(json_object_get(r, "complete")));
	assert_int_equal(json_integer_value(json_object_get(r, "line")), 7);
	r = json_object_get(r, "recipients");
	assert_int_equal(json_array_size(r), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 0), "to")), "two@x");
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "status")),
			    "bounced");
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "dsn")), "5.1.1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "time")),
			    "2026-11-20T13:23:03Z");
	json_decref(d);
	/* The excerpt: client=, message-id=, from=, two to=, removed; not
	 * the long line, nor the first and third messages, nor mx2. */
	summary = json_pack("{s:[{s:s}]}", "targets", "message_id", "<target@X>");
	logs_add(&b, &m, summary);
	e = bundle_find(&b, "logs/01-target@x.log");
	assert_non_null(e);
	assert_non_null(e->data);
	assert_true(has_line(e->data, "# queue 3F1A2B4C5D on mx1 (postfix): complete\n", "", ""));
	assert_true(has_line(e->data, "complete\n", path, ":5: Nov 20 14:23:00 mx1 postfix/smtpd[5]: "
			     "3F1A2B4C5D: client=web1[203.0.113.20]\n"));
	for (const char *p = e->data; (p = strstr(p, path)) != NULL; p++)
		nr_lines++;
	assert_int_equal(nr_lines, 6);
	assert_null(strstr(e->data, "first@x"));
	assert_null(strstr(e->data, "third@x"));
	assert_null(strstr(e->data, "otherhost@x"));
	assert_null(strstr(e->data, "AAAA"));
	assert_true(has_line(e->data, "\n", path, ":15: Nov 20 14:23:03 mx1 postfix/qmgr[4]: "
			     "3F1A2B4C5D: removed\n"));
	assert_non_null(bundle_find(&b, "logs/02-never-ends@x.log"));
	assert_null(bundle_find(&b, "logs/03-absent@x.log"));
	r = json_array_get(json_object_get(summary, "targets"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "log_file")),
			    "logs/01-target@x.log");
	assert_int_equal(json_array_size(json_object_get(r, "delivery")), 1);
	assert_int_equal(json_array_size(json_object_get(summary, "maillogs")), 1);
	json_decref(summary);
	bundle_release(&b);

	/* The log ends before the MTA is done with the second target. */
	d = maillog_delivery_json(&m, 1);
	assert_int_equal(json_array_size(d), 1);
	assert_true(json_is_false(json_object_get(json_array_get(d, 0), "complete")));
	json_decref(d);
	assert_int_equal(m.targets[2].nr_stories, 0);
	/* Warnings: the file given twice, the long line, the absent id. */
	assert_int_equal(diag.nr, 3);
	assert_non_null(strstr(diag.items[1], "longer than 16384 bytes skipped (the first is line 10)"));
	assert_non_null(strstr(diag.items[2], "<absent@x>"));

	maillog_release(&m);
	diag_release(&diag);
	unlink(path);
	free(path);
	free(text);
	free(long_line);
	set_tz("UTC0");
}

/* The second pass keeps every line of an anchored queue and no other:
 * the announcing lines fall at every offset in the text (the search for
 * "id=" looks at 16 places at a time), another queue's id ends in the
 * same two bytes, and its lines name the anchored ids in their text. */
static void
test_scan_offsets_and_decoys(void **state)
{
	struct error err = ERROR_INIT;
	struct diag diag = DIAG_INIT;
	struct strbuf text;
	struct maillog m;
	char *path;

	(void)state;
	strbuf_init(&text, STRBUF_NO_MAX);
	maillog_init(&m, &diag);
	for (int k = 0; k < 17; k++) {
		char id[32];

		snprintf(id, sizeof(id), "t%d@x", k);
		assert_int_equal(follow(&m, id), k);
		strbuf_addf(&text,
			"Nov 20 14:00:%02d m%.*s postfix/smtpd[5]: 3F1A2B%02d5D: client=web[203.0.113.20]\n"
			"Nov 20 14:00:%02d m%.*s postfix/cleanup[2]: 3F1A2B%02d5D: message-id=<t%d@x>\n"
			"Nov 20 14:00:%02d m%.*s postfix/smtp[3]: 999999995D: to=<d@x>, relay=a, "
			"dsn=2.0.0, status=sent (250 ok: 3F1A2B%02d5D: queued)\n"
			"Nov 20 14:00:%02d m%.*s postfix/qmgr[4]: 3F1A2B%02d5D: removed\n",
			k, k, "xxxxxxxxxxxxxxxxx", k, k, k, "xxxxxxxxxxxxxxxxx", k, k,
			k, k, "xxxxxxxxxxxxxxxxx", k, k, k, "xxxxxxxxxxxxxxxxx", k);
	}
	path = write_log(text.buf);
	assert_int_equal(maillog_add_file(&m, path, &err), 0);
	assert_int_equal(maillog_scan(&m, iso("2026-11-20T13:40:00Z"), &err), 0);
	for (int k = 0; k < 17; k++) {
		char want[128], *lines;
		uint64_t omitted = 0;
		size_t len, n = 0;

		assert_int_equal(m.targets[k].nr_stories, 1);
		lines = maillog_lines(&m, (size_t)k, false, &omitted, &len);
		assert_non_null(lines);
		for (const char *p = lines; (p = strstr(p, path)) != NULL; p++)
			n++;
		assert_int_equal(n, 3);
		snprintf(want, sizeof(want), ":%d: Nov 20 14:00:%02d m%.*s postfix/smtpd[5]: "
			 "3F1A2B%02d5D: client=", 4 * k + 1, k, k, "xxxxxxxxxxxxxxxxx", k);
		assert_non_null(strstr(lines, want));
		snprintf(want, sizeof(want), ":%d: Nov 20 14:00:%02d m%.*s postfix/qmgr[4]: "
			 "3F1A2B%02d5D: removed", 4 * k + 4, k, k, "xxxxxxxxxxxxxxxxx", k);
		assert_non_null(strstr(lines, want));
		assert_null(strstr(lines, "999999995D"));
		free(lines);
	}
	assert_int_equal(diag.nr, 0);
	maillog_release(&m);
	diag_release(&diag);
	unlink(path);
	free(path);
	strbuf_release(&text);
}

static void
test_add_file_errors(void **state)
{
	struct error err = ERROR_INIT;
	struct diag diag = DIAG_INIT;
	struct maillog m;

	(void)state;
	maillog_init(&m, &diag);
	assert_int_equal(maillog_add_file(&m, "/nonexistent/mail.log", &err), -1);
	assert_int_equal(err.status, 66);
	assert_non_null(strstr(err.msg, "cannot open mail log '/nonexistent/mail.log'"));
	assert_int_equal(maillog_add_file(&m, "/tmp", &err), -1);
	assert_int_equal(err.status, 66);
	assert_non_null(strstr(err.msg, "not a regular file"));
	maillog_release(&m);
	diag_release(&diag);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syslog_classic),
		cmocka_unit_test(test_syslog_iso_and_5424),
		cmocka_unit_test(test_syslog_exim),
		cmocka_unit_test(test_syslog_rejects),
		cmocka_unit_test(test_time_zones),
		cmocka_unit_test(test_time_year_boundary),
		cmocka_unit_test(test_queue_id),
		cmocka_unit_test(test_announced_id),
		cmocka_unit_test(test_announced_id_forged_sendmail),
		cmocka_unit_test(test_announced_id_forged_exim),
		cmocka_unit_test(test_facts_postfix),
		cmocka_unit_test(test_facts_exim),
		cmocka_unit_test(test_facts_sendmail),
		cmocka_unit_test(test_scan_reused_queue),
		cmocka_unit_test(test_scan_offsets_and_decoys),
		cmocka_unit_test(test_add_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
