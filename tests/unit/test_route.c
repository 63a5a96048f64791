/* test_route.c - unit tests for route.h: where Postfix, Exim and
 * Sendmail lines say a message went (a remote server, local mailboxes,
 * neither), and the envelope senders of a target's lines */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "maillog.h"
#include "msgid.h"
#include "route.h"

/* The block time the stamps are read near (2026-11-20T13:40:00Z). */
#define NEAR 1795182000

static const char text[] =
	/* 1: Postfix, relayed out, with an archive copy by LMTP */
	"2026-11-20T14:30:00+01:00 mx1 postfix/cleanup[1]: 1A2B3C4D5E: message-id=<sent@shop.example.com>\n"
	"2026-11-20T14:30:00+01:00 mx1 postfix/qmgr[2]: 1A2B3C4D5E: from=<orders@shop.example.com>, size=1, nrcpt=2 (queue active)\n"
	"2026-11-20T14:30:01+01:00 mx1 postfix/lmtp[3]: 1A2B3C4D5E: to=<archive@shop.example.com>, relay=mx1[private/dovecot-lmtp], dsn=2.0.0, status=sent (250 Saved)\n"
	"2026-11-20T14:30:01+01:00 mx1 postfix/smtp[4]: 1A2B3C4D5E: to=<a@example.org>, relay=mx2.example.org[198.51.100.87]:25, dsn=4.7.1, status=deferred (451 try later)\n"
	"2026-11-20T14:35:01+01:00 mx1 postfix/smtp[4]: 1A2B3C4D5E: to=<a@example.org>, relay=mx2.example.org[198.51.100.87]:25, dsn=2.0.0, status=sent (250 ok)\n"
	"2026-11-20T14:35:01+01:00 mx1 postfix/qmgr[2]: 1A2B3C4D5E: removed\n"
	/* 7: Postfix, received and delivered here (LMTP over TCP too) */
	"2026-11-20T14:31:00+01:00 mx1 postfix/smtpd[5]: 2B3C4D5E6F: client=mail.customer.example[198.51.100.50]\n"
	"2026-11-20T14:31:00+01:00 mx1 postfix/cleanup[1]: 2B3C4D5E6F: message-id=<in@customer.example>\n"
	"2026-11-20T14:31:00+01:00 mx1 postfix/qmgr[2]: 2B3C4D5E6F: from=<bob@customer.example>, size=1, nrcpt=1 (queue active)\n"
	"2026-11-20T14:31:01+01:00 mx1 postfix/lmtp[3]: 2B3C4D5E6F: to=<orders@shop.example.com>, relay=imap.shop.example.com[192.0.2.30]:24, dsn=2.0.0, status=sent (250 Saved)\n"
	"2026-11-20T14:31:01+01:00 mx1 postfix/qmgr[2]: 2B3C4D5E6F: removed\n"
	/* 12: Postfix, never reached anyone (the port closed), and a content filter */
	"2026-11-20T14:32:00+01:00 mx1 postfix/cleanup[1]: 3C4D5E6F7A: message-id=<stuck@shop.example.com>\n"
	"2026-11-20T14:32:00+01:00 mx1 postfix/smtp[4]: 3C4D5E6F7A: to=<b@example.net>, relay=127.0.0.1[127.0.0.1]:10024, dsn=2.0.0, status=sent (250 queued)\n"
	"2026-11-20T14:32:30+01:00 mx1 postfix/smtp[4]: 3C4D5E6F7A: to=<b@example.net>, relay=none, delay=30, dsn=4.4.1, status=deferred (connect to mx.example.net[198.51.100.23]:25: Connection timed out)\n"
	/* 15: Exim, delivered to a local user */
	"Nov 20 14:33:00 mx1 exim[10]: 1vQmLp-0003Gb-5R <= carla@buyer.example H=mail.buyer.example [198.51.100.61] P=esmtp S=100 id=local@buyer.example\n"
	"Nov 20 14:33:00 mx1 exim[11]: 1vQmLp-0003Gb-5R => orders <orders@shop.example.com> R=localuser T=local_delivery\n"
	"Nov 20 14:33:00 mx1 exim[11]: 1vQmLp-0003Gb-5R Completed\n"
	/* 18: Exim, to a remote server */
	"Nov 20 14:34:00 mx1 exim[12]: 1vQmMa-0003Hc-0X <= news@shop.example.com U=www-data P=local S=100 id=exim-out@shop.example.com\n"
	"Nov 20 14:34:01 mx1 exim[13]: 1vQmMa-0003Hc-0X => s.moreau@example.com R=dnslookup T=remote_smtp H=mx.example.com [198.51.100.40]:25 C=\"250 ok\"\n"
	"Nov 20 14:34:01 mx1 exim[13]: 1vQmMa-0003Hc-0X Completed\n"
	/* 21: Sendmail, out and in */
	"Nov 20 14:36:00 mx1 sm-mta[20]: 5AKDVwab031330: from=<orders@shop.example.com>, size=6120, class=0, nrcpts=1, msgid=<sm-out@shop.example.com>, proto=ESMTP, daemon=MTA, relay=web1.shop.example.com [192.0.2.10]\n"
	"Nov 20 14:36:01 mx1 sm-mta[21]: 5AKDVwab031330: to=<h.blanc@example.net>, delay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.10], dsn=2.0.0, stat=Sent (ok)\n"
	"Nov 20 14:37:00 mx1 sm-mta[22]: 5AKDW2ab031341: from=<>, size=2031, class=0, nrcpts=1, msgid=<sm-in@shop.example.com>, proto=local, daemon=MTA, relay=localhost\n"
	"Nov 20 14:37:00 mx1 sm-mta[22]: 5AKDW2ab031341: to=<newsletter@shop.example.com>, delay=00:00:00, mailer=local, pri=1, dsn=2.0.0, stat=Sent\n"
	/* 25: Postfix, a remote deferral, then the archive copy delivered */
	"2026-11-20T14:38:00+01:00 mx1 postfix/cleanup[1]: 4D5E6F7A8B: message-id=<deferred@shop.example.com>\n"
	"2026-11-20T14:38:01+01:00 mx1 postfix/smtp[4]: 4D5E6F7A8B: to=<c@example.org>, relay=mx2.example.org[198.51.100.87]:25, dsn=4.7.1, status=deferred (451 try later)\n"
	"2026-11-20T14:38:01+01:00 mx1 postfix/lmtp[3]: 4D5E6F7A8B: to=<archive@shop.example.com>, relay=mx1[private/dovecot-lmtp], dsn=2.0.0, status=sent (250 Saved)\n";

static char *
write_log(void)
{
	char *path = strdup("/tmp/test_route.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static long
follow(struct maillog *m, const char *id)
{
	char *canon = msgid_normalize(id, strlen(id));
	long k = maillog_add_target(m, canon, id);

	free(canon);
	return k;
}

/* The kind target k's lines give, and the line number its line has. */
static void
check(struct maillog *m, long k, enum route_kind want, const char *where)
{
	struct route r;

	route_of(m, (size_t)k, &r);
	if (r.kind != want)
		fail_msg("target %ld: kind %d, expected %d", k, r.kind, want);
	if (where == NULL ? r.where != NULL : r.where == NULL || strstr(r.where, where) == NULL)
		fail_msg("target %ld: where '%s', expected '%s'", k, r.where ? r.where : "(none)",
			 where ? where : "(none)");
	route_release(&r);
}

struct senders {
	char got[512];
};

static void
on_sender(const char *addr, const char *where, void *data)
{
	struct senders *s = data;
	size_t n = strlen(s->got);

	snprintf(s->got + n, sizeof(s->got) - n, "%s@%s ", addr, strrchr(where, ':') + 1);
}

static void
test_route(void **state)
{
	struct error err = ERROR_INIT;
	struct diag diag = DIAG_INIT;
	struct senders s;
	struct maillog m;
	char *path = write_log();
	long sent, in, stuck, exim_in, exim_out, sm_out, sm_in, deferred, absent;

	(void)state;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	maillog_init(&m, &diag);
	sent = follow(&m, "sent@shop.example.com");
	in = follow(&m, "in@customer.example");
	stuck = follow(&m, "stuck@shop.example.com");
	exim_in = follow(&m, "local@buyer.example");
	exim_out = follow(&m, "exim-out@shop.example.com");
	sm_out = follow(&m, "sm-out@shop.example.com");
	sm_in = follow(&m, "sm-in@shop.example.com");
	deferred = follow(&m, "deferred@shop.example.com");
	absent = follow(&m, "absent@shop.example.com");
	m.targets[absent].quiet = true;
	assert_int_equal(maillog_add_file(&m, path, &err), 0);
	assert_int_equal(maillog_scan(&m, NEAR, &err), 0);
	/* The quiet target has no warning of its own. */
	assert_int_equal(diag.nr, 0);

	/* Remote wins over the archive copy; the delivery that was sent
	 * over the deferral before it. */
	check(&m, sent, ROUTE_REMOTE, ":5: ");
	check(&m, in, ROUTE_LOCAL, ":10: ");
	/* A content filter on loopback, then no connection: neither. */
	check(&m, stuck, ROUTE_NONE, NULL);
	check(&m, exim_in, ROUTE_LOCAL, ":16: ");
	check(&m, exim_out, ROUTE_REMOTE, ":19: ");
	check(&m, sm_out, ROUTE_REMOTE, ":22: ");
	check(&m, sm_in, ROUTE_LOCAL, ":24: ");
	/* An attempt that reached the remote server is remote, whatever
	 * was delivered here after it. */
	check(&m, deferred, ROUTE_REMOTE, ":26: ");
	check(&m, absent, ROUTE_NONE, NULL);

	memset(&s, 0, sizeof(s));
	route_senders(&m, (size_t)sent, on_sender, &s);
	assert_string_equal(s.got, "orders@shop.example.com@2 ");
	memset(&s, 0, sizeof(s));
	route_senders(&m, (size_t)sm_in, on_sender, &s);	/* the null sender: none */
	assert_string_equal(s.got, "");

	/* Forgotten: no lines, no excerpt. */
	maillog_forget(&m, (size_t)sent);
	check(&m, sent, ROUTE_NONE, NULL);
	assert_null(maillog_excerpt(&m, (size_t)sent, NULL));

	maillog_release(&m);
	diag_release(&diag);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
