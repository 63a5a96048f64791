/* test_lint.c - unit tests for lint.h: the guide's best practices on
 * messages made in memory */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lint.h"
#include "mime.h"
#include "mime_fixture.h"

#define BASE "From: Shop <news@shop.example.com>\nTo: a@example.net\n" \
	"Date: Fri, 20 Nov 2026 14:23:00 +0100\nMessage-ID: <n1@shop.example.com>\n" \
	"MIME-Version: 1.0\n"

/* The lint ids of msg, space-separated, in order; *details gets the
 * details joined by " | " (both static). */
static const char *
lint(const char *msg, const char **details)
{
	static char ids[1024], det[4096];
	struct check_list l;
	struct mime_walk w;
	size_t n = 0, m = 0;

	memset(&l, 0, sizeof(l));
	mime_walk_buffer(&w, msg, strlen(msg));
	lint_check(&w, &l);
	ids[0] = det[0] = '\0';
	for (size_t i = 0; i < l.nr; i++) {
		n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%s", i ? " " : "", l.items[i].id);
		m += (size_t)snprintf(det + m, sizeof(det) - m, "%s%s", i ? " | " : "",
				      l.items[i].detail);
	}
	check_list_release(&l);
	mime_walk_release(&w);
	if (details)
		*details = det;
	return ids;
}

static void
test_clean(void **state)
{
	(void)state;
	assert_string_equal(lint(BASE "Subject: The Celadon tableware is here\n\nHello.\n", NULL), "");
}

static void
test_sender_subject(void **state)
{
	const char *d;

	(void)state;
	assert_string_equal(lint("To: a@example.net\nMIME-Version: 1.0\n\nx\n", NULL),
			    "sender-missing subject-missing");
	assert_string_equal(lint(BASE "Subject:   \n\nx\n", NULL), "subject-missing");
	assert_string_equal(lint(BASE "Subject: LAST DAYS OF THE SALE\n\nx\n", &d), "subject-capitals");
	assert_string_equal(d, "the Subject shouts: 17 of its 17 letters are capitals");
	/* short words in capitals do not shout */
	assert_string_equal(lint(BASE "Subject: A new FAQ for OVH users\n\nx\n", NULL), "");
	assert_string_equal(lint(BASE "Subject: Hello!!\n\nx\n", &d), "subject-exclamations");
	assert_string_equal(d, "the Subject has 2 exclamation marks");
	/* RFC 2047: judged once decoded */
	assert_string_equal(lint(BASE "Subject: =?utf-8?q?=C3=89T=C3=89_=C3=80_PRIX_CASS=C3=89S?=\n\nx\n",
				 NULL), "subject-capitals");
}

static void
test_unsubscribe(void **state)
{
	const char *d;

	(void)state;
	assert_string_equal(lint(BASE "Subject: News\nPrecedence: bulk\nList-Id: <news.example.com>\n\nx\n",
				 &d), "unsubscribe-missing");
	assert_string_equal(d, "looks like bulk mail (Precedence, List-Id) but has no "
			    "List-Unsubscribe field (RFC 2369)");
	assert_string_equal(lint(BASE "Subject: News\nList-Unsubscribe: <mailto:u@example.com>\n\nx\n",
				 NULL), "unsubscribe-https-missing unsubscribe-one-click-missing");
	assert_string_equal(lint(BASE "Subject: News\nList-Unsubscribe: <https://example.com/u/1>\n"
				 "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n\nx\n", NULL), "");
	/* many recipients look like bulk too */
	assert_string_equal(lint("From: s@example.com\nTo: a@x.example, b@x.example, c@x.example, "
				 "d@x.example, e@x.example, f@x.example, g@x.example, h@x.example,"
				 " i@x.example, j@x.example\nSubject: Hi\nMIME-Version: 1.0\n\nx\n", &d),
			    "unsubscribe-missing");
	assert_non_null(strstr(d, "10 recipients"));
	/* one person writing to another: no unsubscribe needed */
	assert_string_equal(lint(BASE "Subject: Your order\n\nThanks.\n", NULL), "");
}

static void
test_html(void **state)
{
	const char *d;

	(void)state;
	assert_string_equal(lint(BASE "Subject: Hi\nContent-Type: text/html\n\n"
				 "<p><img src=a.jpg><img src=b.jpg></p><p>Short.</p>\n", &d),
			    "html-image-heavy");
	assert_string_equal(d, "2 images for 6 characters of text (aim for at least 200 per image)");
	assert_string_equal(lint(BASE "Subject: Hi\nContent-Type: text/html\n\n"
				 "<a href=\"https://a.example\">a</a> <a href='https://b.example'>b</a>\n", &d),
			    "html-link-heavy");
	assert_string_equal(d, "2 links for 2 characters of text (aim for at least 80 per link)");
	assert_string_equal(lint(BASE "Subject: Hi\nContent-Type: text/html\n\n"
				 "<script>var x = '<img src=x>';</script><style>p{}</style>"
				 "<p onClick=\"go()\">A long enough paragraph of plain text, without "
				 "links, that reads like a letter and goes on for a while.</p>"
				 "<form action=https://x.example><input></form>"
				 "<!-- <img src=hidden.jpg> -->\n", &d),
			    "html-javascript html-form html-event-handler");
	assert_non_null(strstr(d, "1 <script> element, 0 javascript: URLs"));
	assert_non_null(strstr(d, "(the first: onClick)"));
	/* javascript: in a link, with odd spacing and case */
	assert_string_equal(lint(BASE "Subject: Hi\nContent-Type: text/html\n\n"
				 "<p>Some words to read here before the link comes along, quite a few of "
				 "them so that the ratio of text to links holds, and then some more "
				 "words.</p><a href = ' JavaScript:void(0)'>x</a>\n", NULL),
			    "html-javascript");
}

static void
test_phrases_and_mime(void **state)
{
	const char *d;

	(void)state;
	assert_string_equal(lint(BASE "Subject: Last chance to buy\n\nBuy now: 30% off, "
				 "free delivery. Buyers welcome.\n", &d), "phrases");
	assert_string_equal(d, "counted, not judged: \"buy\" 2, \"buy now\" 1, \"last chance\" 1, "
			    "\"free\" 1, percentages (discounts) 1");
	assert_false(lint_is_finding(LINT_PHRASES));
	assert_true(lint_is_finding("subject-capitals"));
	assert_string_equal(lint("From: a@example.com\nSubject: Hello there\n\nDernière chance, "
				 "c'est gratuit !\n", &d), "mime-version-missing phrases");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_sender_subject),
		cmocka_unit_test(test_unsubscribe),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_phrases_and_mime),
	};

	return cmocka_run_group_tests(tests, mime_setup, mime_teardown);
}
