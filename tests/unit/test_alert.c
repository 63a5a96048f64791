/* test_alert.c - unit tests for alert.h, alertscan.h, html2text.h and
 * mime.h (mime_alert): the OVHcloud anti-spam alert in the shapes the guide
 * shows, in the shapes mail clients make of it, HTML, tables, and the
 * MIME around it */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "alert.h"
#include "mime.h"
#include "alertscan.h"
#include "error.h"
#include "fpkit_limits.h"
#include "html2text.h"
#include "mime.h"
#include "mime_fixture.h"
#include "xalloc.h"

/* Scan a literal as plain text (html false) or HTML. */
static void
scan(struct alertscan *s, const char *text, bool html)
{
	struct error err = ERROR_INIT;

	if (alertscan_text(s, text, strlen(text), html, "test", &err) < 0)
		fail_msg("scan failed: %s", err.msg);
}

/* Target i is (id, dest, score); NULL / -1 for none. */
static void
check_target(const struct alert_target *t, const char *id, const char *dest, long long score,
	     int line)
{
	if ((id == NULL) != (t->message_id == NULL) || (id && strcmp(id, t->message_id) != 0))
		fail_msg("line %d: message_id '%s', expected '%s'", line,
			 t->message_id ? t->message_id : "(null)", id ? id : "(null)");
	if ((dest == NULL) != (t->destination_ip == NULL) ||
	    (dest && strcmp(dest, t->destination_ip) != 0))
		fail_msg("line %d: destination_ip '%s', expected '%s'", line,
			 t->destination_ip ? t->destination_ip : "(null)", dest ? dest : "(null)");
	if ((score >= 0) != t->has_spamscore || (score >= 0 && score != t->spamscore))
		fail_msg("line %d: spamscore %lld (%s), expected %lld", line,
			 (long long)t->spamscore, t->has_spamscore ? "set" : "unset", score);
}

#define TARGET(s, i, id, dest, score) check_target(&(s)->targets[i], id, dest, score, __LINE__)

/* The English sample of OVHcloud's guide (antispam_best_practices,
 * guide.en-gb.md), lines ended by <br> as in the guide. */
static void
test_guide_english(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "Dear Customer,\n\n"
	     "Our anti-spam protection layer has detected that your IP 122.122.122.122 is "
	     "sending spam.\n\n"
	     "In order to protect our network, we have blocked the port 25 of your server, at "
	     "the network level.\n\n"
	     "To help you investigate about this problem and fix it, here is a sample of some "
	     "advanced details on your emails:\n\n"
	     "Destination IP: 188.95.235.33 - Message-ID: d24aa492-5f37-457f-9595-23ddc9e0f714"
	     "@xxxxxxxxxxxxx.xx.local - Spam score: 300 <br>\n"
	     "Destination IP: 188.95.235.33 - Message-ID: fc090jdhf934iu09bf084bfo92@xxxxxxxxxxxxx"
	     ".com - Spam score: 300<br>\n"
	     "Destination IP: 188.95.235.33 - Message-ID: zcb.3z54da33hn98v9bcq-nrf3r67cc57e3b8aa"
	     "dfac63b2c408e3f5f9a27.1d44jd9340252.1655508652095@xxxxxx.xxxx.net - Spam score: 300\n",
	     false);
	assert_string_equal(s.ip, "122.122.122.122");
	assert_int_equal(s.nr_targets, 3);
	TARGET(&s, 0, "d24aa492-5f37-457f-9595-23ddc9e0f714@xxxxxxxxxxxxx.xx.local",
	       "188.95.235.33", 300);
	TARGET(&s, 1, "fc090jdhf934iu09bf084bfo92@xxxxxxxxxxxxx.com", "188.95.235.33", 300);
	TARGET(&s, 2, "zcb.3z54da33hn98v9bcq-nrf3r67cc57e3b8aadfac63b2c408e3f5f9a27.1d44jd9340252."
	       "1655508652095@xxxxxx.xxxx.net", "188.95.235.33", 300);
	assert_false(s.has_date);
	assert_true(s.spam);
	alertscan_release(&s);
}

/* The French sample (guide.fr-fr.md): the IP alone on the next line, a
 * space before the colons. */
static void
test_guide_french(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "Bonjour,\n\n"
	     "Notre protection Antispam a d\xc3\xa9tect\xc3\xa9 un envoi important de spam \xc3\xa0 "
	     "partir d'une de vos IP: \n122.122.122.122\n\n"
	     "Afin d'assurer la s\xc3\xa9" "curit\xc3\xa9 de notre r\xc3\xa9seau le trafic sortant "
	     "de votre serveur vers le port 25 a \xc3\xa9t\xc3\xa9 suspendu.\n"
	     "Afin que vous puissiez effectuer les v\xc3\xa9rifications, voici un \xc3\xa9"
	     "chantillon des emails bloqu\xc3\xa9s:\n\n"
	     "Destination IP : 188.95.235.33 - Message-ID : d24aa492@x.local - Spam score: 300<br>\n"
	     "Destination IP : 188.95.235.34 - Message-ID : fc090j@x.com - Spam score: 301\n",
	     false);
	assert_string_equal(s.ip, "122.122.122.122");
	assert_int_equal(s.nr_targets, 2);
	TARGET(&s, 0, "d24aa492@x.local", "188.95.235.33", 300);
	TARGET(&s, 1, "fc090j@x.com", "188.95.235.34", 301);
	alertscan_release(&s);
}

/* The guide as support.us.ovhcloud.com renders it: lines run into one,
 * an id cut after a dot, a label cut from its value. */
static void
test_run_together_and_wrapped(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "some advanced details on your emails: Destination IP: 188.95.235.33 - Message-ID: "
	     "a1@x.com - Spam score: 300 Destination IP: 188.95.235.34 - Message-ID: zcb.3z54da3k"
	     "dfkl45802n0c0q98rqcc57e3b8aadfac63b2c408e3f5f9a27.\n"
	     "1d44jkgnddfef.166489320375@xxxxxx.xxxx.net - Spam score: 300 Destination IP: "
	     "188.95.235.35 - Message-ID:\n"
	     "zcb.3z54da33hn98v9bcq-nrf3r67cc57e3b8aadfac63b2c408e3f5f9a27.1d44jd9340252.\n"
	     "1655508652095@xxxxxx.xxxx.net - Spam score: 300\n",
	     false);
	assert_null(s.ip);
	assert_int_equal(s.nr_targets, 3);
	TARGET(&s, 0, "a1@x.com", "188.95.235.33", 300);
	TARGET(&s, 1, "zcb.3z54da3kdfkl45802n0c0q98rqcc57e3b8aadfac63b2c408e3f5f9a27."
	       "1d44jkgnddfef.166489320375@xxxxxx.xxxx.net", "188.95.235.34", 300);
	TARGET(&s, 2, "zcb.3z54da33hn98v9bcq-nrf3r67cc57e3b8aadfac63b2c408e3f5f9a27."
	       "1d44jd9340252.1655508652095@xxxxxx.xxxx.net", "188.95.235.35", 300);
	alertscan_release(&s);
}

/* Wraps a mail client makes: in a domain (the rest followed by " - "),
 * in an IP, in a label; a value cut at the end of a line is not glued to
 * the prose that follows. */
static void
test_wraps(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "Destination IP: 198.51.100.1 - Message-ID: abc@mail.exa\n"
	     "mple.org - Spam score: 288\n"
	     "Destination IP: 198.51.\n"
	     "100.2 - Message-ID: <def@x.\n"
	     "org> - Spam score: 5\n"
	     "Destination IP: 198.51.100.3 - Spam-\n"
	     "score: 7 - Message-ID: ghi@x.org\n"
	     "Thanks for reading.\n"
	     "Destination IP: 198.51.100.4 - Spam score: 8 - Message-ID: jkl@x.org\n"
	     "Regards.\n",
	     false);
	assert_int_equal(s.nr_targets, 4);
	TARGET(&s, 0, "abc@mail.example.org", "198.51.100.1", 288);
	TARGET(&s, 1, "def@x.org", "198.51.100.2", 5);
	TARGET(&s, 2, "ghi@x.org", "198.51.100.3", 7);
	TARGET(&s, 3, "jkl@x.org", "198.51.100.4", 8);
	alertscan_release(&s);
}

/* Labels in French and other spellings, in any order; one label per
 * line (a vertical layout); missing values are null. */
static void
test_labels(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "Votre IP 203.0.113.9 a \xc3\xa9t\xc3\xa9 bloqu\xc3\xa9" "e.\n"
	     "IP de destination : 198.51.100.10 | Identifiant du message : <a@x.fr> | "
	     "Score de spam : 410\n"
	     "spamscore=12; messageId=b@x.fr; destinationIp=198.51.100.11\n"
	     "MESSAGE-ID: c@x.fr  SPAM SCORE: 13  DESTINATION IP: 198.51.100.12\n"
	     "Message ID: d@x.fr\n"
	     "Destination IP: 198.51.100.13\n"
	     "Score: N/A\n"
	     "\n"
	     "Destination IP: 198.51.100.14 - Message-ID: - Spam score: 150\n"
	     "Destination IP: 198.51.100.15 - Message-ID: e@x.fr - Spam score:\n"
	     "Destination IP: 999.1.1.1 - Message-ID: f@x.fr - Spam score: 1\n",
	     false);
	assert_string_equal(s.ip, "203.0.113.9");
	assert_int_equal(s.nr_targets, 7);
	TARGET(&s, 0, "a@x.fr", "198.51.100.10", 410);
	TARGET(&s, 1, "b@x.fr", "198.51.100.11", 12);
	TARGET(&s, 2, "c@x.fr", "198.51.100.12", 13);
	TARGET(&s, 3, "d@x.fr", "198.51.100.13", -1);
	TARGET(&s, 4, NULL, "198.51.100.14", 150);
	TARGET(&s, 5, "e@x.fr", "198.51.100.15", -1);
	TARGET(&s, 6, "f@x.fr", NULL, 1);
	alertscan_release(&s);
}

/* Prose with label words is no target; lines without a label are
 * ignored unless they hold nothing but an address, an id and a score. */
static void
test_junk(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "The score sheet is attached; the destination of the IP is unknown.\n"
	     "Spam score of your list: high\n"
	     "From: OVH <noreply@ovh.net> 192.0.2.1 200\n"
	     "=== 198.51.100.20 garbage 77 ===\n"
	     "198.51.100.21 - <g@x.org> - 99\n"
	     "h@x.org  198.51.100.22\n",
	     false);
	assert_null(s.ip);
	assert_int_equal(s.nr_targets, 2);
	TARGET(&s, 0, "g@x.org", "198.51.100.21", 99);
	TARGET(&s, 1, "h@x.org", "198.51.100.22", -1);
	alertscan_release(&s);
}

/* Text tables: a header row of labels, then rows by column ('|', tabs
 * or aligned columns); a row with a missing cell is read by form. */
static void
test_text_tables(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "| Destination IP | Message-ID | Spam score |\n"
	     "|----------------|------------|------------|\n"
	     "| 198.51.100.30  | a@t.org    | 300        |\n"
	     "| 198.51.100.31  | b@t.org    |            |\n"
	     "\n"
	     "Spam score   Message-ID          IP de destination\n"
	     "17           c@t.org             198.51.100.32\n"
	     "             d@t.org             198.51.100.33\n"
	     "\n"
	     "Date\tDestination\tMessage-ID\tScore\n"
	     "2026-11-20 13:00\t198.51.100.34\tnot-an-address\t5\n",
	     false);
	assert_int_equal(s.nr_targets, 5);
	TARGET(&s, 0, "a@t.org", "198.51.100.30", 300);
	TARGET(&s, 1, "b@t.org", "198.51.100.31", -1);
	TARGET(&s, 2, "c@t.org", "198.51.100.32", 17);
	TARGET(&s, 3, "d@t.org", "198.51.100.33", -1);
	TARGET(&s, 4, "not-an-address", "198.51.100.34", 5);
	alertscan_release(&s);
}

/* "> " quoting, as an inline forward has it, and the forward's Date. */
static void
test_quoted_forward(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "See below.\n\n"
	     "----- Forwarded message from OVHcloud <noreply@ovh.net> -----\n\n"
	     "Date: Tue, 10 Nov 2026 09:15:42 +0100\n"
	     "Subject: Anti-spam\n\n"
	     "> Our anti-spam protection layer has detected that your IP 192.0.2.91 is\n"
	     "> sending spam.\n"
	     ">\n"
	     "> Destination IP: 198.51.100.200 - Message-ID:\n"
	     "> a@crm.example.com - Spam score: 300\n"
	     ">> Destination IP: 198.51.100.201 - Message-ID: b@crm.example.com - Spam score: 1\n",
	     false);
	assert_string_equal(s.ip, "192.0.2.91");
	assert_int_equal(s.nr_targets, 2);
	TARGET(&s, 0, "a@crm.example.com", "198.51.100.200", 300);
	TARGET(&s, 1, "b@crm.example.com", "198.51.100.201", 1);
	assert_true(s.has_date);
	assert_int_equal(s.date, 1794298542);	/* 2026-11-10T08:15:42Z */
	alertscan_release(&s);
}

/* A time with a zone in the text (ISO 8601) is a date too; the last one
 * before the list wins. */
static void
test_iso_date(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "Sent 2026-11-19T10:00:00Z, blocked on 2026-11-20 14:32:07 +01:00: your IP 203.0.113.7\n"
	     "is sending spam.\n"
	     "Destination IP: 198.51.100.1 - Message-ID: a@b.c - Spam score: 1\n"
	     "Unblock after 2026-11-20T15:32:07Z.\n",
	     false);
	assert_true(s.has_date);
	assert_int_equal(s.date, 1795181527);	/* 2026-11-20T13:32:07Z */
	alertscan_release(&s);
	scan(&s, "Local time only: 2026-11-20 14:32:07. Destination IP: 198.51.100.1 - "
	     "Message-ID: a@b.c\n", false);
	assert_false(s.has_date);
	alertscan_release(&s);
}

/* The blocked IP: not a destination (even one written "Adresse IP de
 * destination"), and an IP followed by "blocked" when no phrase names
 * it. */
static void
test_blocked_ip(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s, "Adresse IP de destination : 198.51.100.5 - Message-ID : a@b.c\n"
	     "Blocked IP: 203.0.113.8\n", false);
	assert_string_equal(s.ip, "203.0.113.8");
	alertscan_release(&s);
	scan(&s, "Anti-spam: 203.0.113.9 has been blocked for spam\n", false);
	assert_string_equal(s.ip, "203.0.113.9");
	alertscan_release(&s);
	scan(&s, "your IP\n\nDestination IP: 198.51.100.5 - Message-ID: a@b.c\n", false);
	assert_null(s.ip);
	alertscan_release(&s);
	/* A version number is no address. */
	scan(&s, "your IP is fine, version 1.2.3.4.5 of the tool\n", false);
	assert_null(s.ip);
	alertscan_release(&s);
}

/* A forward whose own note names an address after a trigger phrase
 * ("the server IP ...") above the alert it quotes: the alert's address
 * is the blocked one, the note's is noted as another. */
static void
test_forward_note_ip(void **state)
{
	struct alertscan s;

	(void)state;
	/* With a list: the address closest before it. */
	scan(&s,
	     "Hi, the server IP 192.0.2.1 got this:\n\n"
	     "> Our anti-spam protection layer has detected that your IP\n"
	     "> 203.0.113.7 is sending spam.\n"
	     "> Destination IP: 198.51.100.5 - Message-ID: abc@ex.com - Spam score: 300\n",
	     false);
	assert_string_equal(s.ip, "203.0.113.7");
	assert_string_equal(s.ip_other, "192.0.2.1");
	assert_int_equal(s.nr_targets, 1);
	alertscan_release(&s);
	/* The same unquoted (a forward that keeps no "> "). */
	scan(&s,
	     "Hi, the server IP 192.0.2.1 got this:\n\n"
	     "Our anti-spam protection layer has detected that your IP 203.0.113.7 is "
	     "sending spam.\n\n"
	     "Destination IP: 198.51.100.5 - Message-ID: abc@ex.com - Spam score: 300\n",
	     false);
	assert_string_equal(s.ip, "203.0.113.7");
	alertscan_release(&s);
	/* Without a list: the one quoted deepest. */
	scan(&s,
	     "Hi, the server IP 192.0.2.1 got this:\n\n"
	     "> Our anti-spam protection layer has detected that your IP\n"
	     "> 203.0.113.7 is sending spam.\n",
	     false);
	assert_string_equal(s.ip, "203.0.113.7");
	assert_string_equal(s.ip_other, "192.0.2.1");
	alertscan_release(&s);
	/* One address named twice is no other. */
	scan(&s, "Your IP 203.0.113.7 is sending spam. Unblock the IP 203.0.113.7 later.\n",
	     false);
	assert_string_equal(s.ip, "203.0.113.7");
	assert_null(s.ip_other);
	alertscan_release(&s);
}

/* The same with the alert attached (message/rfc822): the forward's note
 * names an address too, but the alert is the message that lists the
 * messages; the other address is a warning. */
static void
test_forward_note_ip_attached(void **state)
{
	const char *mail =
		"Subject: Fwd: alert\n"
		"Date: Mon, 09 Nov 2026 08:30:00 +0100\n"
		"Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\nContent-Type: text/plain\n\nHi, the server IP 192.0.2.5 got this.\n"
		"--b\nContent-Type: message/rfc822\n\n"
		"Subject: Anti-spam\n"
		"Date: Sun, 08 Nov 2026 03:14:15 +0100\n"
		"Content-Type: text/plain\n\n"
		"Our anti-spam protection layer has detected that your IP 203.0.113.7 is sending "
		"spam.\n"
		"Destination IP: 198.51.100.90 - Message-ID: a@x.com - Spam score: 310\n"
		"--b--\n";
	struct diag d = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct alert a;

	(void)state;
	alert_init(&a);
	assert_int_equal(alert_parse(&a, mail, strlen(mail), "fwd.eml", &d, &err), 0);
	assert_string_equal(a.ip, "203.0.113.7");
	/* The alert's own Date, not the forward's. */
	assert_true(a.has_date);
	assert_int_equal(a.date, 1794104055);
	assert_int_equal(d.nr, 1);
	assert_string_equal(d.items[0], "'fwd.eml' also names 192.0.2.5 as a blocked IP: "
			    "203.0.113.7 is taken");
	alert_release(&a);
	diag_release(&d);
}

/* A Message-ID that ends its line with '.' (or '-', '_', '=', '@',
 * '+') goes on on the next line, but not into a number there: that is
 * a score ("300 - Spam score: 300"), not the rest of the id. */
static void
test_id_before_number(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "Destination IP: 198.51.100.1 - Message-ID: abc@ex.\n"
	     "300 - Spam score: 300\n"
	     "Destination IP: 198.51.100.2 - Message-ID: def@ex-\n"
	     "300.5 - Spam score: 300.5\n"
	     "Destination IP: 198.51.100.3 - Message-ID: ghi@\n"
	     "12\n"
	     "Destination IP: 198.51.100.4 - Message-ID: jkl@mail.\n"
	     "example.org - Spam score: 288\n"
	     "Destination IP: 198.51.100.5 - Message-ID: 1655508652095.\n"
	     "1234@x.net - Spam score: 7\n",
	     false);
	assert_int_equal(s.nr_targets, 5);
	TARGET(&s, 0, "abc@ex", "198.51.100.1", 300);
	TARGET(&s, 1, "def@ex-", "198.51.100.2", 300);
	TARGET(&s, 2, "ghi@", "198.51.100.3", -1);
	/* Wraps that do go on. */
	TARGET(&s, 3, "jkl@mail.example.org", "198.51.100.4", 288);
	TARGET(&s, 4, "1655508652095.1234@x.net", "198.51.100.5", 7);
	alertscan_release(&s);
}

/* An element whose content is skipped (script, style, head, template,
 * title) left open hides nothing, however often it is opened. */
static void
test_html_unclosed(void **state)
{
	const char *html = "<p>a</p><script>b</script>c<script>d<SCRIPT>e<style>f<script>g";
	size_t len;
	char *t = html2text_convert(html, strlen(html), &len);

	(void)state;
	assert_string_equal(t, "a\n\ncdefg\n");
	free(t);
}

static void
test_html_to_text(void **state)
{
	const char *html =
		"<html><head><title>x</title><style>p{color:red}</style></head><body>"
		"<script>var a = '<p>no</p>';</script><!-- a <b>comment</b> -->"
		"<p>One&nbsp;&amp;&#32;two &eacute;&#xE9;</p>"
		"<div>line<br>next<br><br>after a blank</div>"
		"<table><tr><th>A</th><th>B</th><th>C</th></tr>"
		"<tr><td>1</td><td></td><td>3</td></tr>"
		"<tr><td>4</td><td>5</td><td></td></tr></table>"
		"Message-ID: <raw@id.example> &lt;esc@id.example&gt; &bogus; a < b"
		"<p class=MsoNormal>Out<o:p></o:p>look <x-custom a='>'>ok</x-custom> "
		"<order-10482.1795180980.7d1e@shop.example.com></p>"
		"</body></html>";
	size_t len;
	char *t = html2text_convert(html, strlen(html), &len);

	(void)state;
	assert_string_equal(t,
		"One & two \xc3\xa9\xc3\xa9\n\n"
		"line\nnext\n\nafter a blank\n\n"
		"A\tB\tC\n1\t\t3\n4\t5\t\n\n"
		"Message-ID: <raw@id.example> <esc@id.example> &bogus; a < b\n\n"
		"Outlook ok <order-10482.1795180980.7d1e@shop.example.com>\n");
	assert_int_equal(len, strlen(t));
	free(t);
}

/* An HTML table: a header row of labels gives the columns. */
static void
test_html_table(void **state)
{
	struct alertscan s;

	(void)state;
	scan(&s,
	     "<p>Your IP <b>192.0.2.47</b> is sending spam.</p>"
	     "<table><tr><th>Message-ID</th><th>Destination IP</th><th>Spam score</th></tr>"
	     "<tr><td>&lt;a@x.com&gt;</td><td>198.51.100.60</td><td>301</td></tr>"
	     "<tr><td>b@x.com</td><td>[198.51.100.61]</td><td>&mdash;</td></tr>"
	     "</table>"
	     "<table><tr><td>Destination IP</td><td>198.51.100.62</td></tr>"
	     "<tr><td>Message-ID</td><td>c@x.com</td></tr>"
	     "<tr><td>Spam score</td><td>9</td></tr></table>",
	     true);
	assert_string_equal(s.ip, "192.0.2.47");
	assert_int_equal(s.nr_targets, 3);
	TARGET(&s, 0, "a@x.com", "198.51.100.60", 301);
	TARGET(&s, 1, "b@x.com", "198.51.100.61", -1);
	TARGET(&s, 2, "c@x.com", "198.51.100.62", 9);
	alertscan_release(&s);
}

static void
test_line_too_long(void **state)
{
	size_t n = FPKIT_LIMIT_ALERT_LINE + 10;
	char *text = xmalloc(n + 1);
	struct error err = ERROR_INIT;
	struct alertscan s;

	(void)state;
	memset(text, 'x', n);
	text[n] = '\0';
	assert_int_equal(alertscan_text(&s, text, n, false, "long.eml", &err), -1);
	assert_int_equal(err.status, EX_DATAERR);
	assert_non_null(strstr(err.msg, "line 1 of the alert's text is longer than"));
	free(text);
}

static void
test_too_many_targets(void **state)
{
	struct strbuf sb;
	struct error err = ERROR_INIT;
	struct alertscan s;

	(void)state;
	strbuf_init(&sb, STRBUF_NO_MAX);
	for (int i = 0; i <= FPKIT_LIMIT_ALERT_TARGETS; i++)
		strbuf_addf(&sb, "Destination IP: 198.51.100.1 - Message-ID: m%d@x.org - "
			    "Spam score: 1\n", i);
	assert_int_equal(alertscan_text(&s, sb.buf, sb.len, false, "many.eml", &err), -1);
	assert_int_equal(err.status, EX_DATAERR);
	assert_non_null(strstr(err.msg, "more than 10000 messages"));
	strbuf_release(&sb);
}

/* ---- MIME: alert_parse and mime_alert ---- */

static int
parse(struct alert *a, const char *mail, struct error *err)
{
	alert_init(a);
	return alert_parse(a, mail, strlen(mail), "test.eml", NULL, err);
}

/* ISO-8859-1, quoted-printable: GMime decodes it, the text is UTF-8. */
static void
test_mime_latin1(void **state)
{
	const char *mail =
		"From: OVH <noreply@ovh.net>\n"
		"Subject: =?ISO-8859-1?Q?IP_bloqu=E9e?=\n"
		"Date: Fri, 06 Nov 2026 11:20:45 +0100\n"
		"Content-Type: text/plain; charset=ISO-8859-1\n"
		"Content-Transfer-Encoding: quoted-printable\n\n"
		"Notre protection Antispam a d=E9tect=E9 un envoi de spam.\n"
		"IP bloqu=E9e : 192.0.2.77\n";
	struct mime_alert m;

	(void)state;
	assert_int_equal(mime_alert_buffer(&m, mail, strlen(mail)), 0);
	assert_int_equal(m.nr_msgs, 1);
	assert_string_equal(m.msgs[0].subject, "IP bloqu\xc3\xa9" "e");
	assert_true(m.msgs[0].has_date);
	assert_int_equal(m.msgs[0].date, 1793960445);
	assert_int_equal(m.nr_texts, 1);
	assert_non_null(strstr(m.texts[0].text, "d\xc3\xa9tect\xc3\xa9"));
	mime_alert_release(&m);
	{
		struct alert a;
		struct error err = ERROR_INIT;

		/* Only "IP bloquée" names the IP: the é must have been decoded. */
		assert_int_equal(parse(&a, mail, &err), 0);
		assert_string_equal(a.ip, "192.0.2.77");
		assert_true(a.has_date);
		assert_int_equal(a.date, 1793960445);
		alert_release(&a);
	}
}

/* No charset: UTF-8 when it is, windows-1252 when not; an HTML <meta>
 * charset is read. */
static void
test_mime_charsets(void **state)
{
	const char *mail =
		"Subject: a\n"
		"Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\nContent-Type: text/plain\n\nd\xc3\xa9j\xc3\xa0\n"
		"--b\nContent-Type: text/plain\n\nd\xe9j\xe0 \x80\n"
		"--b\nContent-Type: text/html\n\n<meta charset=\"iso-8859-15\">\xa4\n"
		"--b\nContent-Type: text/plain; charset=x-unknown\n\n\xff\n"
		"--b--\n";
	struct mime_alert m;

	(void)state;
	assert_int_equal(mime_alert_buffer(&m, mail, strlen(mail)), 0);
	assert_int_equal(m.nr_texts, 4);
	assert_string_equal(m.texts[0].text, "d\xc3\xa9j\xc3\xa0");
	assert_string_equal(m.texts[1].text, "d\xc3\xa9j\xc3\xa0 \xe2\x82\xac");
	assert_true(m.texts[2].html);
	assert_non_null(strstr(m.texts[2].text, "\xe2\x82\xac"));
	/* An unknown charset: windows-1252 again. */
	assert_string_equal(m.texts[3].text, "\xc3\xbf");
	mime_alert_release(&m);
}

/* Forwarded: message/rfc822, and a .eml sent as application/octet-stream
 * (base64); the alert's own Date is taken, not the forward's. */
static void
test_mime_forwards(void **state)
{
	const char *inner =
		"Subject: Anti-spam: IP 192.0.2.90 blocked\r\n"
		"Date: Sun, 08 Nov 2026 03:14:15 +0100\r\n"
		"Content-Type: text/plain\r\n\r\n"
		"Destination IP: 198.51.100.90 - Message-ID: a@x.com - Spam score: 310\r\n";
	char *b64 = g_base64_encode((const guchar *)inner, strlen(inner));
	char *mail = xasprintf(
		"Subject: Fwd\n"
		"Date: Mon, 09 Nov 2026 08:30:00 +0100\n"
		"Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\nContent-Type: text/plain\n\nSee attached. Our server 192.0.2.5 is fine.\n"
		"--b\nContent-Type: message/rfc822\n\n%s\n"
		"--b\nContent-Type: application/octet-stream; name=\"copy.eml\"\n"
		"Content-Disposition: attachment; filename=\"copy.eml\"\n"
		"Content-Transfer-Encoding: base64\n\n%s\n"
		"--b--\n", inner, b64);
	struct mime_alert m;
	struct alert a;
	struct error err = ERROR_INIT;

	(void)state;
	assert_int_equal(mime_alert_buffer(&m, mail, strlen(mail)), 0);
	assert_int_equal(m.nr_msgs, 3);
	assert_int_equal(m.nr_texts, 3);
	assert_int_equal(m.texts[1].msg, 1);
	assert_int_equal(m.texts[2].msg, 2);
	mime_alert_release(&m);
	assert_int_equal(parse(&a, mail, &err), 0);
	/* The IP from the alert's subject: its text names none. */
	assert_string_equal(a.ip, "192.0.2.90");
	assert_true(a.has_date);
	assert_int_equal(a.date, 1794104055);
	/* The same target twice (attached twice): merged. */
	assert_int_equal(a.nr_targets, 1);
	alert_release(&a);
	g_free(b64);
	free(mail);
}

/* NUL bytes in a part (prepare() reads them as blanks) do not end its
 * text: what follows is read, whatever the charset. */
static void
test_mime_nul(void **state)
{
	static const char mail[] =
		"Subject: x\n"
		"Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\nContent-Type: text/plain; charset=utf-8\n\n"
		"Your IP 192.0.2.1 is sending spam.\0 d\xc3\xa9j\xc3\xa0\n"
		"Destination IP: 198.51.100.1 - Message-ID: a@x.org - Spam score: 3\n"
		"--b\nContent-Type: text/plain; charset=iso-8859-1\n\n"
		"x\0y \xe9\n"
		"Destination IP: 198.51.100.2 - Message-ID: b@x.org - Spam score: 4\n"
		"--b--\n";
	static const char text0[] =
		"Your IP 192.0.2.1 is sending spam.\0 d\xc3\xa9j\xc3\xa0\n"
		"Destination IP: 198.51.100.1 - Message-ID: a@x.org - Spam score: 3";
	static const char text1[] =
		"x\0y \xc3\xa9\n"
		"Destination IP: 198.51.100.2 - Message-ID: b@x.org - Spam score: 4";
	struct mime_alert m;
	struct error err = ERROR_INIT;
	struct alert a;

	(void)state;
	assert_int_equal(mime_alert_buffer(&m, mail, sizeof(mail) - 1), 0);
	assert_int_equal(m.nr_texts, 2);
	/* UTF-8 with a NUL is still UTF-8 (not windows-1252), kept whole. */
	assert_int_equal(m.texts[0].len, sizeof(text0) - 1);
	assert_memory_equal(m.texts[0].text, text0, sizeof(text0) - 1);
	/* Converted from Latin-1: the NUL does not cut it either. */
	assert_int_equal(m.texts[1].len, sizeof(text1) - 1);
	assert_memory_equal(m.texts[1].text, text1, sizeof(text1) - 1);
	mime_alert_release(&m);
	alert_init(&a);
	assert_int_equal(alert_parse(&a, mail, sizeof(mail) - 1, "nul.eml", NULL, &err), 0);
	assert_string_equal(a.ip, "192.0.2.1");
	assert_int_equal(a.nr_targets, 2);
	TARGET(&a, 0, "a@x.org", "198.51.100.1", 3);
	TARGET(&a, 1, "b@x.org", "198.51.100.2", 4);
	alert_release(&a);
}

/* The text and HTML alternatives of one alert: merged, what one lacks
 * the other gives; an id differing only in the domain's case is the
 * same. */
static void
test_merge_alternatives(void **state)
{
	const char *mail =
		"Subject: x\n"
		"Content-Type: multipart/alternative; boundary=b\n\n"
		"--b\nContent-Type: text/plain\n\n"
		"Your IP 192.0.2.47 is sending spam.\n"
		"Destination IP: 198.51.100.60 - Message-ID: a@Billing.example.com\n"
		"Message-ID: b@x.com\n"
		"--b\nContent-Type: text/html\n\n"
		"<p>Your IP 192.0.2.47 is sending spam.</p>"
		"Destination IP: 198.51.100.60 - Message-ID: a@billing.EXAMPLE.com - Spam score: 3<br>"
		"Destination IP: 198.51.100.61 - Message-ID: b@x.com - Spam score: 4<br>"
		"Destination IP: 198.51.100.62 - Message-ID: b@x.com - Spam score: 5<br>\n"
		"--b--\n";
	struct alert a;
	struct error err = ERROR_INIT;
	json_t *j;
	char *s;

	(void)state;
	assert_int_equal(parse(&a, mail, &err), 0);
	assert_int_equal(a.nr_targets, 3);
	TARGET(&a, 0, "a@Billing.example.com", "198.51.100.60", 3);
	TARGET(&a, 1, "b@x.com", "198.51.100.61", 4);
	TARGET(&a, 2, "b@x.com", "198.51.100.62", 5);
	assert_false(a.has_date);
	j = alert_to_json(&a);
	s = json_dumps(j, JSON_COMPACT);
	assert_string_equal(s, "{\"ip\":\"192.0.2.47\",\"targets\":["
		"{\"message_id\":\"a@Billing.example.com\",\"destination_ip\":\"198.51.100.60\","
		"\"spamscore\":3},"
		"{\"message_id\":\"b@x.com\",\"destination_ip\":\"198.51.100.61\",\"spamscore\":4},"
		"{\"message_id\":\"b@x.com\",\"destination_ip\":\"198.51.100.62\",\"spamscore\":5}]}");
	free(s);
	json_decref(j);
	alert_release(&a);
}

/* Not alerts: an empty file, a mail without any of it, a mail that names
 * "your IP address" but speaks of no spam. */
static void
test_not_alerts(void **state)
{
	struct alert a;
	struct error err = ERROR_INIT;

	(void)state;
	assert_int_equal(parse(&a, "", &err), -1);
	assert_int_equal(err.status, EX_DATAERR);
	assert_non_null(strstr(err.msg, "is empty"));
	alert_release(&a);
	assert_int_equal(parse(&a, "Subject: hi\n\nHello, the server 192.0.2.5 is up.\n", &err), -1);
	assert_non_null(strstr(err.msg, "is not an OVHcloud anti-spam alert"));
	alert_release(&a);
	assert_int_equal(parse(&a, "Subject: Sign-in from 192.0.2.6\n\n"
			       "Your IP address 192.0.2.6 was used to sign in.\n", &err), -1);
	alert_release(&a);
	/* The same with spam in the subject is an alert without targets. */
	assert_int_equal(parse(&a, "Subject: Spam block\n\nYour IP address 192.0.2.6 was "
			       "blocked.\n", &err), 0);
	assert_string_equal(a.ip, "192.0.2.6");
	assert_int_equal(a.nr_targets, 0);
	alert_release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guide_english),
		cmocka_unit_test(test_guide_french),
		cmocka_unit_test(test_run_together_and_wrapped),
		cmocka_unit_test(test_wraps),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_text_tables),
		cmocka_unit_test(test_quoted_forward),
		cmocka_unit_test(test_iso_date),
		cmocka_unit_test(test_blocked_ip),
		cmocka_unit_test(test_forward_note_ip),
		cmocka_unit_test(test_forward_note_ip_attached),
		cmocka_unit_test(test_id_before_number),
		cmocka_unit_test(test_html_unclosed),
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_html_table),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_too_many_targets),
		cmocka_unit_test(test_mime_latin1),
		cmocka_unit_test(test_mime_charsets),
		cmocka_unit_test(test_mime_forwards),
		cmocka_unit_test(test_mime_nul),
		cmocka_unit_test(test_merge_alternatives),
		cmocka_unit_test(test_not_alerts),
	};

	return cmocka_run_group_tests(tests, mime_setup, mime_teardown);
}
