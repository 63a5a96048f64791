/* test_origin.c - unit tests for origin.h: the fields kept at scan
 * time, the Received fields of Postfix, Exim, Sendmail, Dovecot, qmail
 * and Exchange read hop by hop, the sender domains, and the trace judged
 * against the blocked IP; and the addresses netaddr.h tells apart */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fpkit_limits.h"
#include "mime_fixture.h"
#include "netaddr.h"
#include "origin.h"

#define IP "203.0.113.7"

/* ---- netaddr ---- */

static void
test_netaddr(void **state)
{
	char out[NETADDR_TEXT];

	(void)state;
	assert_true(netaddr_canonical("2001:DB8:0:0::1", out));
	assert_string_equal(out, "2001:db8::1");
	assert_true(netaddr_canonical("203.0.113.7", out));
	assert_string_equal(out, "203.0.113.7");
	assert_false(netaddr_canonical("203.0.113.07", out));
	assert_false(netaddr_canonical("mx1", out));
	for (const char *const *p = (const char *const[]){ "10.1.2.3", "127.0.0.1", "172.16.0.1",
	     "172.31.255.255", "192.168.1.5", "169.254.1.1", "100.64.0.1", "0.0.0.0", "::1", "::",
	     "fd00::5", "fe80::1", "::ffff:10.0.0.1", NULL }; *p; p++)
		if (!netaddr_is_internal(*p))
			fail_msg("%s should be internal", *p);
	for (const char *const *p = (const char *const[]){ "203.0.113.7", "192.0.2.10",
	     "172.32.0.1", "100.128.0.1", "198.51.100.50", "2001:db8::1", "::ffff:198.51.100.1",
	     "mx1", NULL }; *p; p++)
		if (netaddr_is_internal(*p))
			fail_msg("%s should not be internal", *p);
}

/* ---- the fields kept ---- */

static void
test_excerpt(void **state)
{
	const char hdr[] =
		"Received: from a (a [192.0.2.1])\r\n\tby b; Fri, 20 Nov 2026 14:00:00 +0100\r\n"
		"Subject: not kept\r\n"
		"DKIM-Signature: v=1; d=shop.example.com; s=x\r\n"
		"From: Shop <orders@shop.example.com>\r\n"
		"Return-Path: <bounce@shop.example.com>\r\n"
		"\r\n"
		"Received: in the body\r\n";
	size_t len;
	bool cut;
	char *x, *big;

	(void)state;
	x = origin_excerpt(hdr, sizeof(hdr) - 1, false, &len, &cut);
	assert_non_null(x);
	assert_false(cut);
	assert_int_equal(len, strlen(
		"Return-Path: <bounce@shop.example.com>\r\n"
		"From: Shop <orders@shop.example.com>\r\n"
		"Received: from a (a [192.0.2.1])\r\n\tby b; Fri, 20 Nov 2026 14:00:00 +0100\r\n\n"));
	assert_memory_equal(x, "Return-Path: <bounce@shop.example.com>\r\n"
			    "From: Shop <orders@shop.example.com>\r\n"
			    "Received: from a (a [192.0.2.1])\r\n\tby b; Fri, 20 Nov 2026 14:00:00 +0100\r\n\n",
			    len);
	free(x);
	x = origin_excerpt(hdr, sizeof(hdr) - 1, true, &len, &cut);
	assert_non_null(strstr(x, "DKIM-Signature: v=1; d=shop.example.com"));
	free(x);
	assert_null(origin_excerpt("Subject: x\n\n", 12, true, &len, &cut));

	/* Over FPKIT_LIMIT_ORIGIN_FIELDS: the first hops kept, the rest cut. */
	big = malloc(3 * FPKIT_LIMIT_ORIGIN_FIELDS);
	len = 0;
	for (int i = 0; len < 2 * FPKIT_LIMIT_ORIGIN_FIELDS; i++)
		len += (size_t)snprintf(big + len, 3 * FPKIT_LIMIT_ORIGIN_FIELDS - len,
					"Received: from h%d ([192.0.2.%d]) by x; "
					"Fri, 20 Nov 2026 14:00:00 +0100\n", i, i % 250);
	x = origin_excerpt(big, len, false, &len, &cut);
	assert_true(cut);
	assert_true(len <= FPKIT_LIMIT_ORIGIN_FIELDS);
	assert_memory_equal(x, "Received: from h0 ", 18);
	free(x);
	free(big);
}

/* ---- one Received field ---- */

struct want_hop {
	const char *value;
	bool has_from;
	const char *from_name, *from_checked, *from_ip, *by_name, *by_ip;
	bool authenticated, local;
};

static void
check_hop(const struct want_hop *w)
{
	struct origin_hop h;

	origin_hop_parse(&h, w->value);
	if (h.has_from != w->has_from || h.authenticated != w->authenticated ||
	    h.local != w->local ||
	    (w->from_name ? !h.from_name || strcmp(h.from_name, w->from_name) : h.from_name != NULL) ||
	    (w->from_checked ? !h.from_checked || strcmp(h.from_checked, w->from_checked) :
	     h.from_checked != NULL) ||
	    strcmp(h.from_ip, w->from_ip ? w->from_ip : "") ||
	    (w->by_name ? !h.by_name || strcmp(h.by_name, w->by_name) : h.by_name != NULL) ||
	    strcmp(h.by_ip, w->by_ip ? w->by_ip : ""))
		fail_msg("'%s':\n got from=%d name=%s checked=%s ip=%s by=%s by_ip=%s auth=%d local=%d",
			 w->value, h.has_from, h.from_name ? h.from_name : "-",
			 h.from_checked ? h.from_checked : "-", h.from_ip,
			 h.by_name ? h.by_name : "-", h.by_ip, h.authenticated, h.local);
	origin_hop_release(&h);
}

static void
test_hops(void **state)
{
	static const struct want_hop hops[] = {
		/* Postfix: HELO, then (checked name [address]); TLS comments. */
		{ " from web1.shop.example.com (web1.shop.example.com [192.0.2.10])\t(using TLSv1.3 "
		  "with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\t key-exchange X25519)\t(No client "
		  "certificate requested)\tby mx1.shop.example.com (Postfix) with ESMTPS id 3B7E14A0E1;"
		  "\tFri, 20 Nov 2026 13:55:02 +0100 (CET)",
		  true, "web1.shop.example.com", "web1.shop.example.com", "192.0.2.10",
		  "mx1.shop.example.com", NULL, false, false },
		/* Postfix without a name for the address: the HELO is not taken. */
		{ "from web1.shop.example.com (unknown [198.51.100.66]) by mx1.shop.example.com "
		  "(Postfix) with ESMTP id 1; Fri, 20 Nov 2026 14:00:00 +0100",
		  true, "web1.shop.example.com", NULL, "198.51.100.66", "mx1.shop.example.com", NULL,
		  false, false },
		/* Gmail's final dot, upper case. */
		{ "from MAIL-SOR-F41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by "
		  "mx.google.com with SMTPS id x; Fri, 20 Nov 2026 14:00:00 -0800 (PST)",
		  true, "mail-sor-f41.google.com", "mail-sor-f41.google.com", "209.85.220.41",
		  "mx.google.com", NULL, false, false },
		/* Exim: the checked name, then ([address] helo=...). */
		{ "from mail.customer.example ([198.51.100.50]:54321 helo=mail.customer.example) by "
		  "mx1.shop.example.com with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) "
		  "(envelope-from <bob@customer.example>) id 1vABCD-000123-EF for "
		  "orders@shop.example.com; Fri, 20 Nov 2026 14:00:00 +0100",
		  true, "mail.customer.example", "mail.customer.example", "198.51.100.50",
		  "mx1.shop.example.com", NULL, false, false },
		/* Exim without a name; a HELO that names the blocked IP is
		 * not the sending host's address. */
		{ "from [198.51.100.66] (port=40000 helo=[203.0.113.7]) by mx1.shop.example.com with "
		  "esmtp (Exim 4.96) id 1vABCD-000124-EF; Fri, 20 Nov 2026 14:00:00 +0100",
		  true, NULL, NULL, "198.51.100.66", "mx1.shop.example.com", NULL, false, false },
		/* Exim, submitted by a user: authenticated. */
		{ "from [198.51.100.120] (helo=[192.168.1.5]) by mx1.shop.example.com with esmtpsa "
		  "(TLS1.3) (Exim 4.96) id 1vABCD-000125-EF; Fri, 20 Nov 2026 14:00:00 +0100",
		  true, NULL, NULL, "198.51.100.120", "mx1.shop.example.com", NULL, true, false },
		/* Exim, made on the host itself. */
		{ "from www-data by web1.shop.example.com with local (Exim 4.96) (envelope-from "
		  "<www-data@web1.shop.example.com>) id 1vABCD-000126-EF; Fri, 20 Nov 2026 14:00:00 +0100",
		  true, "www-data", NULL, NULL, "web1.shop.example.com", NULL, false, true },
		/* Postfix, submitted with a password. */
		{ "from [192.168.1.5] (lina-laptop.isp.example [198.51.100.120]) (Authenticated sender: "
		  "lina@shop.example.com) by mx1.shop.example.com (Postfix) with ESMTPSA id 8B9C; "
		  "Fri, 20 Nov 2026 14:39:00 +0100 (CET)",
		  true, NULL, "lina-laptop.isp.example", "198.51.100.120", "mx1.shop.example.com", NULL,
		  true, false },
		/* Dovecot's LMTP. */
		{ "from mx1.shop.example.com ([203.0.113.7]) by mx1.shop.example.com with LMTP id "
		  "sB1yLKTqH2kdEgAAtKbEmg (envelope-from <orders@shop.example.com>) for "
		  "<archive@shop.example.com>; Fri, 20 Nov 2026 14:30:13 +0100",
		  true, "mx1.shop.example.com", "mx1.shop.example.com", "203.0.113.7",
		  "mx1.shop.example.com", NULL, false, false },
		/* Postfix's pickup: no "from" clause. */
		{ "by web1.shop.example.com (Postfix, from userid 33) id 6F0A2C1B37; Fri, 20 Nov 2026 "
		  "13:55:02 +0100 (CET)",
		  false, NULL, NULL, NULL, "web1.shop.example.com", NULL, false, false },
		/* Sendmail's submission: "from" only in a comment. */
		{ "(from www-data@localhost) by web1.shop.example.com (8.17.1/8.17.1/Submit) id "
		  "5AKDVwab031330; Fri, 20 Nov 2026 14:00:00 +0100",
		  false, NULL, NULL, NULL, "web1.shop.example.com", NULL, false, false },
		/* qmail: (HELO x) then (address). */
		{ "from unknown (HELO [203.0.113.7]) (198.51.100.70) by mx1.shop.example.com with SMTP; "
		  "20 Nov 2026 13:00:00 -0000",
		  true, NULL, NULL, "198.51.100.70", "mx1.shop.example.com", NULL, false, false },
		/* Exchange: bare addresses in parentheses, one in "by". */
		{ "from EX1.corp.example (10.0.0.1) by EX2.corp.example (10.0.0.2) with Microsoft "
		  "SMTP Server (version=TLS1_2) id 15.1.2507.6; Fri, 20 Nov 2026 14:00:00 +0100",
		  true, "ex1.corp.example", "ex1.corp.example", "10.0.0.1", "ex2.corp.example",
		  "10.0.0.2", false, false },
		/* An IPv6 literal, and the receiving server's own address. */
		{ "from mail.customer.example (mail.customer.example [IPv6:2001:DB8::50]) by "
		  "mx1.shop.example.com ([203.0.113.7]) with ESMTP; Fri, 20 Nov 2026 14:00:00 +0100",
		  true, "mail.customer.example", "mail.customer.example", "2001:db8::50",
		  "mx1.shop.example.com", IP, false, false },
		/* Nothing to read. */
		{ "", false, NULL, NULL, NULL, NULL, NULL, false, false },
		{ "(qmail 12345 invoked by uid 89); 20 Nov 2026 13:00:00 -0000",
		  false, NULL, NULL, NULL, NULL, NULL, false, false },
		{ "from (((( by", true, NULL, NULL, NULL, NULL, NULL, false, false },
	};
	struct origin_hop h;

	(void)state;
	for (size_t i = 0; i < sizeof(hops) / sizeof(hops[0]); i++)
		check_hop(&hops[i]);
	/* The text for people: folding gone, control characters visible. */
	origin_hop_parse(&h, " from a\t\tby b\x1b[31m; Fri, 20 Nov 2026 14:00:00 +0100  ");
	assert_string_equal(h.text, "from a by b\\x1b[31m; Fri, 20 Nov 2026 14:00:00 +0100");
	origin_hop_release(&h);
}

/* ---- the trace ---- */

/* The verdict for a header block's fields, with the targets' domains. */
static enum origin_verdict
trace(const char *fields, const char *const *domains, size_t *hop)
{
	struct origin_domains d;
	struct origin_trace t;
	struct origin o;
	size_t len;
	bool cut;
	char *x = origin_excerpt(fields, strlen(fields), false, &len, &cut);

	origin_domains_init(&d);
	for (; domains && *domains; domains++)
		origin_domains_add(&d, *domains, "test");
	origin_read(&o, x, x ? len : 0, cut);
	origin_trace(&o, IP, &d, &t);
	if (hop)
		*hop = t.hop;
	origin_release(&o);
	origin_domains_release(&d);
	free(x);
	return t.verdict;
}

#define LMTP_HOP "Received: from mx1.shop.example.com ([203.0.113.7]) by mx1.shop.example.com " \
	"with LMTP id x for <archive@shop.example.com>; Fri, 20 Nov 2026 14:30:13 +0100\n"
#define WEB1_HOP "Received: from web1.shop.example.com (web1.shop.example.com [192.0.2.10]) " \
	"by mx1.shop.example.com (Postfix) with ESMTPS id 6A93F4A0F7; Fri, 20 Nov 2026 14:30:12 +0100\n"
#define PICKUP "Received: by web1.shop.example.com (Postfix, from userid 33) id 1; " \
	"Fri, 20 Nov 2026 14:30:12 +0100\n"
#define CUSTOMER_HOP "Received: from mail.customer.example (mail.customer.example " \
	"[198.51.100.50]) by mx1.shop.example.com (Postfix) with ESMTPS id 2; Fri, 20 Nov 2026 14:39:51 +0100\n"

static void
test_trace_sent(void **state)
{
	static const char *const shop[] = { "shop.example.com", NULL };
	size_t hop = 99;

	(void)state;
	/* The demo's archive copies: the web server is in the domain the
	 * server's own name (given with the IP) and the From share. */
	assert_int_equal(trace(LMTP_HOP WEB1_HOP PICKUP "From: <orders@shop.example.com>\n\n",
			       NULL, &hop), ORIGIN_THROUGH);
	assert_int_equal(hop, 0);
	/* Without that From the web server's public address is outside,
	 * unless the targets' domains take it in. */
	assert_int_equal(trace(LMTP_HOP WEB1_HOP PICKUP "From: <x@other.example>\n\n", NULL, NULL),
			 ORIGIN_OUTSIDE);
	assert_int_equal(trace(LMTP_HOP WEB1_HOP PICKUP "From: <x@other.example>\n\n", shop, NULL),
			 ORIGIN_THROUGH);
	/* The IP in a "by" clause; and handed in by a user with a password. */
	assert_int_equal(trace("Received: from [192.168.1.5] (laptop.isp.example [198.51.100.120]) "
			       "by mx1.shop.example.com ([203.0.113.7]) with ESMTPSA id 1; "
			       "Fri, 20 Nov 2026 14:39:00 +0100\n\n", NULL, &hop), ORIGIN_THROUGH);
	assert_int_equal(hop, 0);
	/* The store on another host: the server's name is the one given
	 * with its IP, not only the newest hop's "by". */
	assert_int_equal(trace("Received: from mx1.shop.example.com ([203.0.113.7]) by "
			       "imap.hosting.example with LMTP id 1; Fri, 20 Nov 2026 14:30:13 +0100\n"
			       WEB1_HOP PICKUP "From: <orders@shop.example.com>\n\n", NULL, &hop),
			 ORIGIN_THROUGH);
	/* A private address without a name is inside. */
	assert_int_equal(trace(LMTP_HOP "Received: from relay (unknown [10.0.0.5]) by "
			       "mx1.shop.example.com (Postfix) with ESMTP id 2; Fri, 20 Nov 2026 14:00:00 "
			       "+0100\n" PICKUP "\n", NULL, &hop), ORIGIN_THROUGH);
	/* Inside addresses only, down to the oldest hop. */
	assert_int_equal(trace("Received: from localhost (localhost [127.0.0.1]) by "
			       "mx1.shop.example.com (Postfix) with ESMTP id 3; Fri, 20 Nov 2026 "
			       "14:00:00 +0100\n" LMTP_HOP "\n", NULL, &hop), ORIGIN_THROUGH);
	assert_int_equal(hop, 1);
}

static void
test_trace_received(void **state)
{
	static const char *const shop[] = { "shop.example.com", NULL };
	size_t hop = 99;

	(void)state;
	/* The customer's message: delivered by the same LMTP hop, but its
	 * first hop into the server comes from outside. */
	assert_int_equal(trace(LMTP_HOP CUSTOMER_HOP "From: <bob@customer.example>\n\n", shop, &hop),
			 ORIGIN_OUTSIDE);
	assert_int_equal(hop, 1);
	/* A From in the server's domain changes nothing: the sending host's
	 * checked name is not in it. */
	assert_int_equal(trace(LMTP_HOP CUSTOMER_HOP "From: <orders@shop.example.com>\n\n", shop, NULL),
			 ORIGIN_OUTSIDE);
	/* Nor does a HELO that claims a name of the server, or its IP, or
	 * hops written below by the sender. */
	assert_int_equal(trace(LMTP_HOP "Received: from web1.shop.example.com (unknown "
			       "[198.51.100.66]) by mx1.shop.example.com (Postfix) with ESMTP id 4; "
			       "Fri, 20 Nov 2026 14:00:00 +0100\n" PICKUP "\n", shop, &hop), ORIGIN_OUTSIDE);
	assert_int_equal(hop, 1);
	assert_int_equal(trace("Received: from [198.51.100.66] (helo=[203.0.113.7]) by "
			       "mx1.shop.example.com with esmtp id 5; Fri, 20 Nov 2026 14:00:00 +0100\n"
			       "Received: from mx1.shop.example.com ([203.0.113.7]) by x with LMTP id 6;"
			       " Fri, 20 Nov 2026 13:00:00 +0100\n\n", NULL, NULL), ORIGIN_OUTSIDE);
	/* A host whose name shares only a hosting provider's domain with
	 * the server is not the server's. */
	assert_int_equal(trace("Received: from vps-1.vps.hosting.example ([203.0.113.7]) by "
			       "vps-1.vps.hosting.example with LMTP id 7; Fri, 20 Nov 2026 14:00:00 +0100\n"
			       "Received: from vps-2.vps.hosting.example (vps-2.vps.hosting.example "
			       "[198.51.100.99]) by vps-1.vps.hosting.example (Postfix) with ESMTP id 8; "
			       "Fri, 20 Nov 2026 14:00:00 +0100\nFrom: <x@spam.example>\n\n", NULL, NULL),
			 ORIGIN_OUTSIDE);
	/* A look-alike of the server's domain is not in it. */
	assert_int_equal(trace(LMTP_HOP "Received: from web1.myshop.example.com (web1.myshop.example.com "
			       "[198.51.100.77]) by mx1.shop.example.com (Postfix) with ESMTP id 9; "
			       "Fri, 20 Nov 2026 14:00:00 +0100\nFrom: <x@shop.example.com>\n\n", shop, &hop),
			 ORIGIN_OUTSIDE);
	assert_int_equal(hop, 1);
	/* No address, a name that is not the server's. */
	assert_int_equal(trace(LMTP_HOP "Received: from mail.customer.example by mx1.shop.example.com "
			       "with SMTP; Fri, 20 Nov 2026 14:00:00 +0100\n\n", shop, NULL),
			 ORIGIN_OUTSIDE);
}

static void
test_trace_silent(void **state)
{
	char *big;
	size_t len = 0;

	(void)state;
	/* No Received field (a copy a mail client saved). */
	assert_int_equal(trace("From: <orders@shop.example.com>\n\n", NULL, NULL), ORIGIN_SILENT);
	/* Sent from inside, but through no hop that names the IP. */
	assert_int_equal(trace(WEB1_HOP PICKUP "From: <orders@shop.example.com>\n\n", NULL, NULL),
			 ORIGIN_SILENT);
	/* A trace cut before it ends: what follows might come from outside. */
	big = malloc(3 * FPKIT_LIMIT_ORIGIN_FIELDS);
	len = (size_t)snprintf(big, 3 * FPKIT_LIMIT_ORIGIN_FIELDS, "%s", LMTP_HOP);
	while (len < 2 * FPKIT_LIMIT_ORIGIN_FIELDS)
		len += (size_t)snprintf(big + len, 3 * FPKIT_LIMIT_ORIGIN_FIELDS - len,
					"Received: from localhost (localhost [127.0.0.1]) by "
					"mx1.shop.example.com (Postfix) with ESMTP id 9; Fri, 20 Nov "
					"2026 14:00:00 +0100\n");
	snprintf(big + len, 3 * FPKIT_LIMIT_ORIGIN_FIELDS - len, "\n");
	assert_int_equal(trace(big, NULL, NULL), ORIGIN_SILENT);
	free(big);
}

/* ---- domains ---- */

static void
test_domains(void **state)
{
	struct origin_domains d;
	const char *where = NULL;
	char *s;

	(void)state;
	origin_domains_init(&d);
	origin_domains_add(&d, "shop.example.com", "the From of <a@b>");
	origin_domains_add(&d, "shop.example.com", "later");
	origin_domains_add(&d, "localhost", "one label");
	assert_string_equal(origin_domains_match(&d, "shop.example.com", &where), "shop.example.com");
	assert_string_equal(where, "the From of <a@b>");
	assert_string_equal(origin_domains_match(&d, "news.shop.example.com", NULL),
			    "shop.example.com");
	assert_null(origin_domains_match(&d, "myshop.example.com", NULL));
	assert_null(origin_domains_match(&d, "example.com", NULL));
	assert_null(origin_domains_match(&d, "localhost", NULL));
	origin_domains_release(&d);

	s = origin_address_domain("Orders@Shop.Example.COM.");
	assert_string_equal(s, "shop.example.com");
	free(s);
	assert_null(origin_address_domain("orders"));
	assert_null(origin_address_domain("a@[192.0.2.1]"));
	assert_null(origin_address_domain(NULL));
}

static void
test_read(void **state)
{
	static const char fields[] =
		"Return-Path: <>\n"
		"From: \"Lumen, Atelier\" <orders@Shop.Example.com>\n"
		"DKIM-Signature: v=1; a=rsa-sha256;\n\td = mail.Shop.Example.com ; s=x; b=abc\n"
		"DKIM-Signature: v=1; s=y; d=esp.example\n"
		"\n";
	struct origin o;

	(void)state;
	origin_read(&o, fields, sizeof(fields) - 1, false);
	assert_string_equal(o.from_domain, "shop.example.com");
	assert_null(o.return_path_domain);	/* the null sender */
	assert_int_equal(o.nr_dkim_domains, 2);
	assert_string_equal(o.dkim_domains[0], "mail.shop.example.com");
	assert_string_equal(o.dkim_domains[1], "esp.example");
	assert_int_equal(o.nr_hops, 0);
	origin_release(&o);
	origin_read(&o, NULL, 0, false);
	assert_int_equal(o.nr_hops, 0);
	assert_null(o.from_domain);
	origin_release(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netaddr),
		cmocka_unit_test(test_excerpt),
		cmocka_unit_test(test_hops),
		cmocka_unit_test(test_trace_sent),
		cmocka_unit_test(test_trace_received),
		cmocka_unit_test(test_trace_silent),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, mime_setup, mime_teardown);
}
