/* test_volume.c - unit tests for the sending volume and the logs' clock:
 * which delivery attempts leave the machine (logline_remote), stamps
 * with a zone, the counts of volume.c line by line (the window's edges,
 * a deferral then a delivery, an expiry, a queue id used again, a
 * newsletter's many recipients), the handover time of a target
 * (maillog_handover) and the offsets of logclock.c */
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

#include "error.h"
#include "logclock.h"
#include "logline.h"
#include "maillog.h"
#include "targets.h"
#include "timefmt.h"
#include "volume.h"

#define TZ_PARIS "CET-1CEST,M3.5.0,M10.5.0/3"

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int64_t
iso(const char *s)
{
	int64_t t = 0;

	assert_int_equal(timefmt_parse_iso(s, &t), 0);
	return t;
}

/* Is the delivery line remote, and to which address? */
static bool
remote(const char *line, char ip[LOGLINE_IP_LEN])
{
	struct logline_syslog sl;
	struct logline_span qid, rest;
	struct logline_facts f;
	enum logline_mta mta;

	assert_int_equal(logline_parse_syslog(line, strlen(line), &sl), 0);
	assert_true(logline_queue_id(sl.msg, &qid, &rest));
	mta = qid.len < sl.msg.len && sl.msg.p[qid.len] == ' ' ? LOGLINE_EXIM :
	      memchr(sl.prog.p, '/', sl.prog.len) ? LOGLINE_POSTFIX : LOGLINE_SENDMAIL;
	logline_parse_facts(mta, rest, &f);
	return logline_remote(mta, sl.prog, rest, &f, ip);
}

#define PF "Dec 31 12:00:00 mx1 postfix/"
#define TAIL ", delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"

static void
test_remote_postfix(void **state)
{
	static const struct {
		const char *line, *ip;	/* ip NULL: not remote */
	} cases[] = {
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=mx.x.example[198.51.100.40]:25" TAIL,
		  "198.51.100.40" },
		{ PF "relay[1]: 1A2B3C4D5E: to=<a@x.example>, relay=s.example[203.0.113.5]:587" TAIL,
		  "203.0.113.5" },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, orig_to=<b@x.example>, "
		  "relay=mx6.x.example[2001:db8::25]:25" TAIL, "2001:db8::25" },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=none, delay=31, delays=0/0/30/0, "
		  "dsn=4.4.1, status=deferred (connect to mx.x.example[198.51.100.99]:25: timed out)", "" },
		/* A second instance's name. */
		{ "Dec 31 12:00:00 mx1 postfix-out/smtp[1]: 1A2B3C4D5E: to=<a@x.example>, "
		  "relay=mx.x.example[198.51.100.40]:25" TAIL, "198.51.100.40" },
		/* Content filters, the local network, unusual addresses. */
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=127.0.0.1[127.0.0.1]:10024" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[10.1.2.3]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[172.20.0.1]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[172.32.0.1]:25" TAIL, "172.32.0.1" },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[192.168.1.2]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[100.64.0.9]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[169.254.1.1]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[::1]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[fd12::1]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[fe80::1]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[::ffff:10.0.0.1]:25" TAIL, NULL },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[::ffff:198.51.100.1]:25" TAIL,
		  "::ffff:198.51.100.1" },
		{ PF "smtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=gw[not-an-address]:25" TAIL, NULL },
		/* Delivery on the machine. */
		{ PF "lmtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=h[private/dovecot-lmtp]" TAIL, NULL },
		{ PF "lmtp[1]: 1A2B3C4D5E: to=<a@x.example>, relay=store[198.51.100.30]:24" TAIL, NULL },
		{ PF "local[1]: 1A2B3C4D5E: to=<a@x.example>, relay=local" TAIL, NULL },
		{ PF "virtual[1]: 1A2B3C4D5E: to=<a@x.example>, relay=virtual" TAIL, NULL },
		{ PF "pipe[1]: 1A2B3C4D5E: to=<a@x.example>, relay=dovecot" TAIL, NULL },
		{ PF "error[1]: 1A2B3C4D5E: to=<a@x.example>, relay=none, delay=0, delays=0/0/0/0, "
		  "dsn=5.0.0, status=bounced (User unknown)", NULL },
		{ PF "discard[1]: 1A2B3C4D5E: to=<a@x.example>, relay=none" TAIL, NULL },
	};
	char ip[LOGLINE_IP_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool r = remote(cases[i].line, ip);

		if (r != (cases[i].ip != NULL))
			fail_msg("case %zu: remote %d for %s", i, r, cases[i].line);
		if (r)
			assert_string_equal(ip, cases[i].ip);
	}
}

static void
test_remote_exim_sendmail(void **state)
{
	static const struct {
		const char *line, *ip;
	} cases[] = {
		{ "2026-12-31 10:00:01 [3002] 1wAAAA-000001-AA => p1@x.example R=dnslookup "
		  "T=remote_smtp H=mx.x.example [198.51.100.10] X=TLS1.3 CV=yes C=\"250 OK\"",
		  "198.51.100.10" },
		{ "2026-12-31 10:00:01 1wAAAA-000001-AA -> p1b@x.example R=dnslookup T=remote_smtp "
		  "H=mx.x.example [198.51.100.10]:25 C=\"250 OK\"", "198.51.100.10" },
		{ "2026-12-31 10:00:02 1wAAAA-000001-AA == p2@x.example R=dnslookup T=remote_smtp "
		  "defer (-44) H=mx1.x.example [198.51.100.23]: SMTP error from remote mail server "
		  "after RCPT TO:<p2@x.example>: 451 4.7.1 Greylisted", "198.51.100.23" },
		{ "2026-12-31 10:00:02 1wAAAA-000001-AA ** q1@x.example R=dnslookup T=remote_smtp "
		  "H=mx.x.example [2001:db8::40]: SMTP error from remote mail server after RCPT "
		  "TO:<q1@x.example>: 550 5.1.1 User unknown", "2001:db8::40" },
		{ "2026-12-31 10:00:02 1wAAAA-000001-AA ** q2@nowhere.invalid: Unrouteable address", NULL },
		{ "2026-12-31 10:00:02 1wAAAA-000001-AA == t@x.example R=dnslookup T=remote_smtp "
		  "defer (-53): retry time not reached for any host", NULL },
		{ "2026-12-31 10:00:02 1wAAAA-000001-AA => r@x.example R=filter T=remote_smtp "
		  "H=localhost [127.0.0.1] C=\"250 OK\"", NULL },
		{ "2026-12-31 10:00:02 1wAAAA-000001-AA => shop <shop@y.example> R=local_user "
		  "T=mail_spool", NULL },
		/* A subject that quotes a host is no H= field. */
		{ "2026-12-31 10:00:02 1wAAAA-000001-AA => shop <shop@y.example> R=local_user "
		  "T=mail_spool T=\"H=mx [198.51.100.1]\"", NULL },
		{ "Dec 31 13:00:01 mx3 sm-mta[1]: BUVD0000400: to=<u1@x.example>,<u2@x.example>, "
		  "delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.x.example. "
		  "[198.51.100.40], dsn=2.0.0, stat=Sent (Ok)", "198.51.100.40" },
		{ "Dec 31 13:00:01 mx3 sm-mta[1]: BUVD0000400: to=<u1@x.example>, delay=00:00:01, "
		  "mailer=relay, pri=1, relay=s.example. [IPv6:2001:db8::5], dsn=2.0.0, stat=Sent (Ok)",
		  "2001:db8::5" },
		{ "Dec 31 13:00:01 mx3 sm-mta[1]: BUVD0000400: to=<y@dead.example>, delay=00:00:05, "
		  "mailer=esmtp, pri=1, relay=mx.dead.example., dsn=4.0.0, stat=Deferred: "
		  "Connection refused by mx.dead.example.", "" },
		{ "Dec 31 13:00:01 mx3 sm-mta[1]: BUVD0000400: to=<w@x.example>, delay=00:00:01, "
		  "mailer=relay, pri=1, relay=smarthost.lan. [192.168.0.2], dsn=2.0.0, stat=Sent (OK)",
		  NULL },
		{ "Dec 31 13:00:01 mx3 sm-mta[1]: BUVD0000400: to=<n@y.example>, delay=00:00:00, "
		  "mailer=local, pri=1, dsn=2.0.0, stat=Sent", NULL },
	};
	char ip[LOGLINE_IP_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool r = remote(cases[i].line, ip);

		if (r != (cases[i].ip != NULL))
			fail_msg("case %zu: remote %d for %s", i, r, cases[i].line);
		if (r)
			assert_string_equal(ip, cases[i].ip);
	}
}

static void
test_stamp_zoned(void **state)
{
	static const struct {
		const char *line;
		bool zoned;
	} cases[] = {
		{ "Nov 20 14:23:01 mx1 postfix/qmgr[1]: 3F1A2B4C5D: removed", false },
		{ "2026-11-20T14:23:01.123456+01:00 mx1 postfix/qmgr[1]: 3F1A2B4C5D: removed", true },
		{ "2026-11-20T13:23:01Z mx1 postfix/qmgr[1]: 3F1A2B4C5D: removed", true },
		{ "2026-11-20T14:23:01 mx1 postfix/qmgr[1]: 3F1A2B4C5D: removed", false },
		{ "<22>1 2026-11-20T13:23:01.5Z mx1 postfix/qmgr 1 - - 3F1A2B4C5D: removed", true },
		{ "2026-11-20 14:23:01 1vQmKx-0003Fz-2D Completed", false },
		{ "2026-11-20 14:23:01 +0100 1vQmKx-0003Fz-2D Completed", true },
		{ "2026-11-20 14:23:01.250 -0500 [12] 1vQmKx-0003Fz-2D Completed", true },
	};
	struct logline_syslog sl;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(logline_parse_syslog(cases[i].line, strlen(cases[i].line), &sl), 0);
		if (logline_stamp_zoned(&sl) != cases[i].zoned)
			fail_msg("case %zu: %s", i, cases[i].line);
	}
}

/* ---- volume.c, line by line ---- */

static void
feed(struct volume *v, const char *line)
{
	volume_feed(v, 0, line, strlen(line));
}

#define SMTP(t, qid, rcpt, ip, st) \
	"Dec 31 " t " mx1 postfix/smtp[1]: " qid ": to=<" rcpt ">, relay=mx.example[" ip \
	"]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=" st " (answer)"

/* The block at 2027-01-01T00:20:00Z, Paris time: the window is Dec 31
 * 01:20:00 to Jan 1 01:20:00 local. */
static void
test_volume_counts(void **state)
{
	struct diag diag = DIAG_INIT;
	struct volume v;
	json_t *j;
	char *s;

	(void)state;
	set_tz(TZ_PARIS);
	volume_init(&v);
	assert_true(json_is_null(volume_json(&v)));
	assert_null(volume_describe(&v));
	volume_start(&v, iso("2027-01-01T00:20:00Z"), NULL, &diag);
	/* The edges: a second before the window, its first second, its last,
	 * the block itself. */
	feed(&v, SMTP("01:19:59", "1A0000001A", "a@one.example", "198.51.100.1", "sent"));
	feed(&v, SMTP("01:20:00", "1A0000001B", "b@one.example", "198.51.100.1", "sent"));
	feed(&v, "Jan  1 01:19:59 mx1 postfix/smtp[1]: 1A0000001C: to=<c@Two.example>, "
	     "relay=mx[198.51.100.2]:25, dsn=2.0.0, status=sent (ok)");
	feed(&v, "Jan  1 01:20:00 mx1 postfix/smtp[1]: 1A0000001D: to=<d@after.example>, "
	     "relay=mx[198.51.100.2]:25, dsn=2.0.0, status=sent (ok)");
	/* Deferred, then sent: delivered; a local copy is not counted. */
	feed(&v, SMTP("05:00:00", "2B0000002A", "e@three.example", "198.51.100.3", "deferred"));
	feed(&v, "Dec 31 05:00:00 mx1 postfix/local[1]: 2B0000002A: to=<archive@here>, "
	     "relay=local, dsn=2.0.0, status=sent (delivered to mailbox)");
	feed(&v, SMTP("06:30:00", "2B0000002A", "E@three.example", "198.51.100.3", "sent"));
	feed(&v, "Dec 31 06:30:00 mx1 postfix/qmgr[1]: 2B0000002A: removed");
	/* The same queue id again, after "removed": another message. */
	feed(&v, SMTP("07:00:00", "2B0000002A", "e@three.example", "198.51.100.3", "bounced"));
	/* Deferred, then expired. */
	feed(&v, SMTP("08:00:00", "3C0000003A", "f@four.example", "198.51.100.4", "deferred"));
	feed(&v, SMTP("08:00:00", "3C0000003A", "g@four.example", "198.51.100.4", "sent"));
	feed(&v, "Dec 31 12:00:00 mx1 postfix/qmgr[1]: 3C0000003A: from=<s@here>, status=expired, "
	     "returned to sender");
	/* An address probe and a content filter: none. */
	feed(&v, SMTP("09:00:00", "4D0000004A", "h@five.example", "198.51.100.5", "deliverable"));
	feed(&v, SMTP("09:00:00", "4D0000004B", "h@five.example", "127.0.0.1", "sent"));
	/* Sendmail: a queue id's next from= is another message. */
	feed(&v, "Dec 31 10:00:00 mx3 sm-mta[1]: BUVD0000400: to=<i@six.example>,<j@six.example>, "
	     "delay=00:00:01, mailer=esmtp, pri=1, relay=mx. [198.51.100.6], dsn=2.0.0, stat=Sent");
	feed(&v, "Dec 31 10:30:00 mx3 sm-mta[1]: BUVD0000400: from=<s@here>, size=1, nrcpts=1, "
	     "msgid=<x@here>, relay=web");
	feed(&v, "Dec 31 10:30:01 mx3 sm-mta[1]: BUVD0000400: to=<i@six.example>, delay=00:00:01, "
	     "mailer=esmtp, pri=1, relay=mx. [198.51.100.6], dsn=2.0.0, stat=Sent");
	volume_finish(&v);

	/* Messages: 1A..1B, 1A..1C, 2B twice, 3C, BUVD twice. */
	assert_int_equal(v.messages, 7);
	assert_int_equal(v.recipients, 9);
	assert_int_equal(v.deferred, 0);
	assert_int_equal(v.bounced, 2);
	assert_int_equal(v.delivered, 7);
	assert_int_equal(v.hours[0].messages, 1);
	assert_int_equal(v.hours[23].messages, 1);
	/* 05:00 local is 04:00Z, in the hour from 03:20Z. */
	assert_int_equal(v.hours[3].messages, 1);
	assert_int_equal(v.hours[3].recipients, 1);
	assert_int_equal(v.hours[3].deferred, 0);
	assert_int_equal(v.hours[6].bounced, 1);
	assert_int_equal(v.hours[6].recipients, 2);
	assert_false(volume_complete(&v));
	j = volume_json(&v);
	assert_int_equal(json_integer_value(json_object_get(j, "recipient_domains")), 5);
	assert_int_equal(json_array_size(json_object_get(j, "hourly")), 24);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(j, "hourly"), 23), "hour")), "2026-12-31T23:20:00Z");
	assert_string_equal(json_string_value(json_object_get(j, "covered_from")),
			    "2026-12-31T00:20:00Z");
	assert_true(json_is_false(json_object_get(j, "complete")));
	json_decref(j);
	s = volume_describe(&v);
	assert_string_equal(s, "7 messages sent in the 24 h before the block, 1 in the last hour; "
			    "9 recipients, 0 deferred, 2 bounced (the logs do not cover all of it)");
	free(s);
	/* Two hosts: a warning. */
	assert_non_null(strstr(diag.items[diag.nr - 1], "2 hosts (mx1, mx3)"));
	volume_release(&v);
	diag_release(&diag);
	set_tz("UTC0");
}

/* A newsletter as one message to 300 recipients, each deferred then
 * delivered, and a line again for the first: each counted once. */
static void
test_volume_many_recipients(void **state)
{
	struct diag diag = DIAG_INIT;
	struct volume v;
	char line[512];

	(void)state;
	set_tz("UTC0");
	volume_init(&v);
	volume_start(&v, iso("2026-11-20T13:00:00Z"), "MX1", &diag);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 300; i++) {
			snprintf(line, sizeof(line), "Nov 20 12:%02d:00 mx1 postfix/smtp[1]: 5E5E5E5E5E: "
				 "to=<r%d@d%d.example>, relay=mx[198.51.100.7]:25, dsn=2.0.0, "
				 "status=%s (x)", pass * 30, i, i % 7, pass ? "sent" : "deferred");
			feed(&v, line);
		}
	feed(&v, "Nov 20 12:59:00 mx1 postfix/smtp[1]: 5E5E5E5E5E: to=<r0@d0.example>, "
	     "relay=mx[198.51.100.7]:25, dsn=4.0.0, status=deferred (x)");
	/* Another host's lines, left out by --log-host. */
	feed(&v, "Nov 20 12:59:00 mx2 postfix/smtp[1]: 6F6F6F6F6F: to=<r0@d0.example>, "
	     "relay=mx[198.51.100.7]:25, dsn=2.0.0, status=sent (x)");
	volume_finish(&v);
	assert_int_equal(v.messages, 1);
	assert_int_equal(v.recipients, 300);
	assert_int_equal(v.deferred, 1);
	assert_int_equal(v.delivered, 299);
	assert_int_equal(v.hours[23].recipients, 300);
	assert_int_equal(diag.nr, 1);	/* the logs cover the last hour only */
	volume_release(&v);
	diag_release(&diag);
}

/* ---- the handover time and the logs' clock ---- */

static char *
write_log(const char *text)
{
	char *path = strdup("/tmp/test_volume.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

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
test_handover(void **state)
{
	const char *text =
		"Nov 20 14:00:00 mx1 postfix/cleanup[2]: 1A2B3C4D5E: message-id=<one@x>\n"
		"Nov 20 14:00:01 mx1 postfix/local[3]: 1A2B3C4D5E: to=<me@here>, relay=local, "
		"dsn=2.0.0, status=sent (ok)\n"
		"Nov 20 14:00:02 mx1 postfix/smtp[3]: 1A2B3C4D5E: to=<a@x>, relay=none, dsn=4.4.1, "
		"status=deferred (connect to mx[198.51.100.40]:25: refused)\n"
		"Nov 20 14:00:03 mx1 postfix/smtp[3]: 1A2B3C4D5E: to=<b@x>, relay=mx[198.51.100.23]:25, "
		"dsn=2.0.0, status=sent (ok)\n"
		"Nov 20 14:10:04 mx1 postfix/smtp[3]: 1A2B3C4D5E: to=<a@x>, relay=mx[198.51.100.40]:25, "
		"dsn=2.0.0, status=sent (ok)\n"
		"Nov 20 14:10:04 mx1 postfix/qmgr[4]: 1A2B3C4D5E: removed\n"
		"2026-11-20T14:20:00+01:00 mx1 postfix/cleanup[2]: 2B3C4D5E6F: message-id=<two@x>\n"
		"2026-11-20T14:20:01+01:00 mx1 postfix/local[3]: 2B3C4D5E6F: to=<me@here>, "
		"relay=local, dsn=2.0.0, status=sent (ok)\n";
	struct error err = ERROR_INIT;
	struct diag diag = DIAG_INIT;
	char *path = write_log(text);
	struct maillog m;
	bool zoned = true;
	int64_t t = 0;

	(void)state;
	set_tz("UTC0");
	maillog_init(&m, &diag);
	assert_int_equal(follow(&m, "one@x"), 0);
	assert_int_equal(follow(&m, "two@x"), 1);
	assert_int_equal(follow(&m, "three@x"), 2);
	assert_int_equal(maillog_add_file(&m, path, &err), 0);
	assert_int_equal(maillog_scan(&m, iso("2026-11-20T15:00:00Z"), &err), 0);
	/* At the API's destination, though an earlier attempt named none. */
	assert_int_equal(maillog_handover(&m, 0, "198.51.100.40", &t, &zoned), 0);
	assert_int_equal(t, iso("2026-11-20T14:10:04Z"));
	assert_false(zoned);
	/* Another destination: the first remote attempt. */
	assert_int_equal(maillog_handover(&m, 0, "192.0.2.1", &t, &zoned), 0);
	assert_int_equal(t, iso("2026-11-20T14:00:02Z"));
	assert_int_equal(maillog_handover(&m, 0, NULL, &t, &zoned), 0);
	assert_int_equal(t, iso("2026-11-20T14:00:02Z"));
	/* No remote attempt: the line that announced it, zoned. */
	assert_int_equal(maillog_handover(&m, 1, "198.51.100.40", &t, &zoned), 0);
	assert_int_equal(t, iso("2026-11-20T13:20:00Z"));
	assert_true(zoned);
	/* Not in the logs. */
	assert_int_equal(maillog_handover(&m, 2, NULL, &t, &zoned), -1);
	maillog_release(&m);
	diag_release(&diag);
	unlink(path);
	free(path);
}

static void
test_logclock_offset(void **state)
{
	/* 1 s, -2 min and +2 min off the hour: all of them on it. */
	struct logclock_time ahead[] = {
		{ 1000000, 1003601, false }, { 2000000, 2003480, false }, { 3000000, 3003720, false },
		{ 4000000, 4000000, true },
	};
	struct logclock_time mixed[] = {
		{ 1000000, 1003600, false }, { 2000000, 2007200, false },
	};
	struct logclock_time near[] = {
		{ 1000000, 1000030, false }, { 2000000, 1999990, false },
	};
	struct logclock_time over[] = { { 1000000, 1003721, false } };
	struct logclock_time behind[] = { { 1000000, 1000000 - 3 * 3600 - 100, true } };
	int64_t off = 0;
	size_t n = 0;

	(void)state;
	assert_true(logclock_offset(ahead, 4, false, &off, &n));
	assert_int_equal(off, 3600);
	assert_int_equal(n, 3);
	assert_false(logclock_offset(ahead, 4, true, &off, &n));	/* zero: none */
	assert_false(logclock_offset(mixed, 2, false, &off, &n));
	assert_false(logclock_offset(near, 2, false, &off, &n));
	assert_false(logclock_offset(over, 1, false, &off, &n));	/* 2 min 1 s past */
	assert_false(logclock_offset(over, 0, false, &off, &n));
	assert_true(logclock_offset(behind, 1, true, &off, &n));
	assert_int_equal(off, -3 * 3600);
	assert_int_equal(n, 1);
}

static void
test_logclock_tz(void **state)
{
	char buf[LOGCLOCK_TZ_LEN];
	const char *names[3];
	size_t n;

	(void)state;
	assert_string_equal(logclock_posix_tz(3600, buf), "<+01>-1");
	assert_string_equal(logclock_posix_tz(-5 * 3600, buf), "<-05>5");
	assert_string_equal(logclock_posix_tz(0, buf), "UTC0");
	assert_string_equal(logclock_posix_tz(5 * 3600 + 1800, buf), "<+0530>-5:30");
	assert_string_equal(logclock_posix_tz(-(3 * 3600 + 1800), buf), "<-0330>3:30");
	assert_string_equal(logclock_posix_tz(14 * 3600, buf), "<+14>-14");
	/* The POSIX value reads as that offset. */
	set_tz(logclock_posix_tz(-5 * 3600, buf));
	{
		time_t t = (time_t)iso("2026-07-01T12:00:00Z");
		struct tm tm;

		localtime_r(&t, &tm);
		assert_int_equal(tm.tm_gmtoff, -5 * 3600);
		assert_int_equal(tm.tm_hour, 7);
	}
	set_tz("UTC0");
	if (access("/usr/share/zoneinfo/Europe/Paris", R_OK) != 0) {
		assert_int_equal(logclock_zones(3600, iso("2026-11-20T13:00:00Z"), names, 3) <= 3, 1);
		return;		/* no tz database: no names to check */
	}
	n = logclock_zones(3600, iso("2026-11-20T13:00:00Z"), names, 3);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "Europe/Paris");
	/* Summer: Paris is +02:00, London +01:00. */
	n = logclock_zones(3600, iso("2026-07-01T12:00:00Z"), names, 3);
	assert_true(n >= 1);
	assert_string_equal(names[0], "Europe/London");
	n = logclock_zones(-5 * 3600, iso("2026-11-20T13:00:00Z"), names, 1);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "America/Toronto");
	assert_int_equal(logclock_zones(13 * 3600 + 1234, 0, names, 3), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remote_postfix),
		cmocka_unit_test(test_remote_exim_sendmail),
		cmocka_unit_test(test_stamp_zoned),
		cmocka_unit_test(test_volume_counts),
		cmocka_unit_test(test_volume_many_recipients),
		cmocka_unit_test(test_handover),
		cmocka_unit_test(test_logclock_offset),
		cmocka_unit_test(test_logclock_tz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
