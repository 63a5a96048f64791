/* test_ticket.c - unit tests for the ticket's text: wrap.h (the layout),
 * findingtext.h (a sentence for every rule id, in every language) and
 * ticket.h (the context and the built-in templates, on a summary that
 * has what pack cannot make yet: a "volume") */
#include "config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bundle.h"
#include "dkim.h"
#include "error.h"
#include "findingtext.h"
#include "integrity.h"
#include "lint.h"
#include "strbuf.h"
#include "ticket.h"
#include "words.h"
#include "wrap.h"
#include "xalloc.h"

/* --- wrap.h ------------------------------------------------------------ */

static char *
wrap(const char *in)
{
	size_t len;
	char *out = wrap_text(in, strlen(in), 72, &len);

	assert_int_equal(len, strlen(out));
	return out;
}

#define assert_wrap(in, want) do { \
	char *got_ = wrap(in); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

/* Characters of a line (UTF-8 code points). */
static size_t
width_of(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Whether head is what may stand before an unbreakable word: blanks,
 * then nothing, a bullet or check box, or a label ending in ':' (or
 * " :") and two blanks or more. */
static bool
is_prefix(const char *head)
{
	size_t k = strspn(head, " "), n = strlen(head);
	const char *colon;

	if (head[k] == '\0' || strcmp(head + k, "- ") == 0 || strcmp(head + k, "[ ] ") == 0 ||
	    strcmp(head + k, "[x] ") == 0)
		return true;
	colon = strstr(head + k, ":  ");
	return colon && colon[strspn(colon + 1, " ") + 1] == '\0' && n >= 2 &&
	       strstr(head + k, "  ") >= colon;
}

/* Every line of text is at most 72 characters, or is a prefix (is_prefix)
 * followed by one word: a word that fits nowhere. */
static void
check_widths(const char *text, const char *what)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (width_of(p, n) > 72) {
			const char *sp = p + n;
			char *head;

			while (sp > p && sp[-1] != ' ')
				sp--;
			head = xstrndup(p, (size_t)(sp - p));
			if (!is_prefix(head))
				fail_msg("%s: a line of %zu characters that could be broken: "
					 "\"%.*s\"", what, width_of(p, n), (int)n, p);
			free(head);
		}
		p = nl ? nl + 1 : p + n;
	}
}

static void
test_wrap_blank_lines(void **state)
{
	(void)state;
	assert_wrap("", "");
	assert_wrap("\n\n  \n", "");
	assert_wrap("a", "a\n");
	assert_wrap("\n\na  \n\n\n \t\nb\n\n\n", "a\n\nb\n");
	assert_wrap("a\nb\n\nc\n", "a\nb\n\nc\n");
	/* Short lines keep their inner blanks. */
	assert_wrap("  Label:      value\n", "  Label:      value\n");
	assert_wrap("a\r\n\r\nb\r\n", "a\n\nb\n");
}

static void
test_wrap_prose(void **state)
{
	static const char in[] =
		"The OVHcloud anti-spam system blocked outgoing e-mail (port 25) from "
		"our IP address 203.0.113.7 (block 203.0.113.0/28), and we ask you to "
		"review it.\n";
	char *out;

	(void)state;
	out = wrap(in);
	assert_string_equal(out,
		"The OVHcloud anti-spam system blocked outgoing e-mail (port 25) from our\n"
		"IP address 203.0.113.7 (block 203.0.113.0/28), and we ask you to review\n"
		"it.\n");
	check_widths(out, "prose");
	free(out);
	/* Indented prose goes on at its indent. */
	assert_wrap("    aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn "
		    "oooo\n",
		    "    aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm\n"
		    "    nnnn oooo\n");
	/* 72 characters fit; 73 do not. */
	assert_wrap("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb\n",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb\n");
	assert_wrap("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbb\n",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nbbbb\n");
}

static void
test_wrap_hanging(void **state)
{
	(void)state;
	/* Under the value of a "Label:  value" line. */
	assert_wrap("  Our mail log:    delivered on 2026-11-20 13:17:08 UTC to mx.example.org "
		    "(198.51.100.23)\n",
		    "  Our mail log:    delivered on 2026-11-20 13:17:08 UTC to\n"
		    "                   mx.example.org (198.51.100.23)\n");
	/* After a bullet and a check box. */
	assert_wrap("  - report.arf: each message again, as an abuse feedback report (ARF, RFC "
		    "5965)\n",
		    "  - report.arf: each message again, as an abuse feedback report (ARF,\n"
		    "    RFC 5965)\n");
	assert_wrap("  [x] read our mail logs for the Message-IDs above: 3 of 3 found in 1 log "
		    "file\n",
		    "  [x] read our mail logs for the Message-IDs above: 3 of 3 found in 1\n"
		    "      log file\n");
	/* Two blanks with no colon before them are no label either. */
	assert_wrap("The server said  250 ok  and then aaaa bbbb cccc dddd eeee ffff gggg hhhh "
		    "iiii\n",
		    "The server said 250 ok and then aaaa bbbb cccc dddd eeee ffff gggg hhhh\n"
		    "iiii\n");
	/* "Label: value" with one blank is prose, not a label. */
	assert_wrap("Note: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm "
		    "nnnn\n",
		    "Note: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm\n"
		    "nnnn\n");
}

static void
test_wrap_unbreakable(void **state)
{
	char *out;

	(void)state;
	/* A long word stays whole, on its own line when something comes
	 * before it. */
	out = wrap("  Original:        samples/01-nl.bf2026-preview.r1188.a41f7c09@news.shop."
		   "example.com.eml (attached)\n");
	assert_string_equal(out,
		"  Original:        samples/01-nl.bf2026-preview.r1188.a41f7c09@news.shop."
		"example.com.eml\n"
		"                   (attached)\n");
	check_widths(out, "a long file name");
	free(out);
	assert_wrap("The archive is fpkit-203.0.113.7-20261120T133207Z-and-a-very-long-tail-"
		    "to-pass-the-width.tar.gz here.\n",
		    "The archive is\n"
		    "fpkit-203.0.113.7-20261120T133207Z-and-a-very-long-tail-to-pass-the-"
		    "width.tar.gz\n"
		    "here.\n");
}

#define X64 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static void
test_wrap_glue(void **state)
{
	char *out;

	(void)state;
	/* French punctuation never starts a line, nor a time or "UTC". */
	out = wrap("Avant de demander cette vérification, nous avons lu nos journaux de "
		   "messagerie :\n");
	assert_string_equal(out,
		"Avant de demander cette vérification, nous avons lu nos journaux de\n"
		"messagerie :\n");
	free(out);
	out = wrap("  État :             toujours bloquée ; débloquable à partir du "
		   "2026-11-20 14:32:07 UTC.\n");
	assert_string_equal(out,
		"  État :             toujours bloquée ; débloquable à partir du\n"
		"                     2026-11-20 14:32:07 UTC.\n");
	free(out);
	/* A lone "«" goes with the word after it, "»" with the one before:
	 * 64 x, then " a dit « oui »" would end at column 78. */
	out = wrap(X64 " a dit \xc2\xab oui \xc2\xbb\n");
	assert_string_equal(out, X64 " a dit\n\xc2\xab oui \xc2\xbb\n");
	free(out);
	out = wrap(X64 " le texte \xc2\xbb\n");
	assert_string_equal(out, X64 " le\ntexte \xc2\xbb\n");
	free(out);
	/* A time zone with its time: "abcd UTC" goes whole to the next
	 * line, though "abcd" alone would fit. */
	out = wrap(X64 " abcd UTC\n");
	assert_string_equal(out, X64 "\nabcd UTC\n");
	free(out);
	/* "RFC" and its number. */
	out = wrap(X64 " le RFC 5322\n");
	assert_string_equal(out, X64 " le\nRFC 5322\n");
	free(out);
}

static void
test_wrap_utf8_and_limits(void **state)
{
	struct strbuf sb;
	char *out;

	(void)state;
	/* 72 accented letters are 72 characters (144 bytes): not broken. */
	strbuf_init(&sb, STRBUF_NO_MAX);
	for (int i = 0; i < 36; i++)
		strbuf_addstr(&sb, "\xc3\xa9\xc3\xa9");
	strbuf_addstr(&sb, "\n");
	out = wrap(sb.buf);
	assert_string_equal(out, sb.buf);
	free(out);
	/* 74 of them in words: broken. */
	strbuf_reset(&sb);
	for (int i = 0; i < 25; i++)
		strbuf_addstr(&sb, "\xc3\xa9\xc3\xa9 ");
	strbuf_addstr(&sb, "\n");
	out = wrap(sb.buf);
	assert_non_null(strchr(out, '\n'));
	assert_ptr_not_equal(strchr(out, '\n'), out + strlen(out) - 1);
	check_widths(out, "accents");
	free(out);
	strbuf_release(&sb);
	/* An indent past half the width: left as it is. */
	assert_wrap("                                        aaaa bbbb cccc dddd eeee ffff "
		    "gggg hhhh\n",
		    "                                        aaaa bbbb cccc dddd eeee ffff "
		    "gggg hhhh\n");
}

/* --- findingtext.h ------------------------------------------------------- */

/* The string literals of check_list_add's second argument in file
 * src/check/NAME, added to ids (a JSON object used as a set): the rule
 * ids the code can report, whatever table they are missing from. */
static size_t
scan_ids(const char *name, json_t *ids)
{
	const char *tests = getenv("TESTS_DIR");
	char *path;
	struct strbuf sb;
	struct error err = ERROR_INIT;
	size_t found = 0;

	if (tests == NULL || *tests == '\0')
		fail_msg("TESTS_DIR is not set: run the tests through 'make check'");
	path = xasprintf("%s/../src/check/%s", tests, name);
	strbuf_init(&sb, STRBUF_NO_MAX);
	if (strbuf_read_file(&sb, path, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	for (const char *p = sb.buf; (p = strstr(p, "check_list_add(")) != NULL;) {
		int depth = 0;

		p += strlen("check_list_add(");
		/* Past the first argument, then every literal of the second. */
		while (*p && !(*p == ',' && depth == 0)) {
			depth += *p == '(';
			depth -= *p == ')';
			p++;
		}
		if (*p == ',')
			p++;
		while (*p && *p != ',' && *p != ')') {
			if (*p == '"') {
				const char *e = strchr(p + 1, '"');

				char *id = xstrndup(p + 1, (size_t)(e - p - 1));

				json_object_set_new(ids, id, json_true());
				free(id);
				found++;
				p = e;
			}
			p++;
		}
	}
	strbuf_release(&sb);
	free(path);
	return found;
}

static void
test_every_rule_has_sentences(void **state)
{
	json_t *ids = json_object(), *v;
	const char *id;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < integrity_nr_rules; i++)
		json_object_set_new(ids, integrity_rules[i].id, json_true());
	assert_true(scan_ids("integrity.c", ids) >= 20);
	assert_true(scan_ids("checks.c", ids) >= 3);
	/* lint.c's ids are in no table: read them where they are made. */
	assert_true(scan_ids("lint.c", ids) >= 13);
	json_object_set_new(ids, LINT_PHRASES, json_true());
	assert_non_null(json_object_get(ids, "html-link-heavy"));
	assert_non_null(json_object_get(ids, "dkim-body-changed"));
	json_object_foreach(ids, id, v) {
		const char *en = findingtext_rule(id, "en");

		(void)v;
		for (size_t l = 0; l < words_langs_nr; l++) {
			const char *code = words_langs[l]->code, *s = findingtext_rule(id, code);

			if (s == NULL || *s == '\0')
				fail_msg("rule '%s' has no sentence in '%s'", id, code);
			/* A sentence for a person: no rule id in it. */
			if (strchr(id, '-') && strstr(s, id))
				fail_msg("rule '%s': its sentence in '%s' holds the id", id, code);
			if (l > 0 && strcmp(en, s) == 0)
				fail_msg("rule '%s': the sentence in '%s' is the English one", id, code);
		}
		n++;
	}
	assert_true(n >= 60);
	/* The DKIM results of dkim.c. */
	for (int r = DKIMV_PASS; r <= DKIMV_TEMPFAIL; r++) {
		const char *name = dkimv_result_name((enum dkimv_result)r);

		for (size_t l = 0; l < words_langs_nr; l++) {
			char *s = findingtext_dkim(name, "shop.example.com", words_langs[l]->code);

			if (s == NULL || strstr(s, "shop.example.com") == NULL)
				fail_msg("DKIM result '%s' has no sentence with the domain in '%s'",
					 name, words_langs[l]->code);
			free(s);
		}
	}
	assert_null(findingtext_rule("no-such-rule", "en"));
	assert_null(findingtext_rule("bare-cr", "xx"));
	json_decref(ids);
}

/* --- ticket.h ------------------------------------------------------------ */

static json_t *
load_fixture(const char *name)
{
	const char *fixtures = getenv("FIXTURES");
	json_error_t jerr;
	char *path;
	json_t *v;

	if (fixtures == NULL || *fixtures == '\0')
		fail_msg("FIXTURES is not set: run the tests through 'make check'");
	path = xasprintf("%s/ticket/%s", fixtures, name);
	v = json_load_file(path, 0, &jerr);
	if (v == NULL)
		fail_msg("%s: %s", path, jerr.text);
	free(path);
	return v;
}

/* The built-in ticket in lang for summary (borrowed), with the bundle's
 * files b. */
static char *
render(json_t *summary, const char *lang, const struct bundle *b, const char *nic, bool paths)
{
	struct ticket_facts f = { lang, "fpkit-203.0.113.7-20261120T133207Z.tar.gz", b, nic,
				  paths };
	struct error err = ERROR_INIT;
	json_t *ctx = ticket_context(summary, &f);
	char *out = NULL;
	size_t len;

	if (ticket_render(lang, NULL, NULL, 0, ctx, &out, &len, &err) < 0)
		fail_msg("render: %s", err.msg);
	json_decref(ctx);
	assert_int_equal(len, strlen(out));
	return out;
}

/* text with its newlines as blanks and its blanks squeezed (new). */
static char *
squeezed(const char *text)
{
	char *out = xmalloc(strlen(text) + 1), *o = out;

	for (const char *p = text; *p; p++) {
		char c = *p == '\n' ? ' ' : *p;

		if (c == ' ' && o > out && o[-1] == ' ')
			continue;
		*o++ = c;
	}
	*o = '\0';
	return out;
}

/* The ticket says s, whatever its line breaks. */
#define assert_says(text, s) do { \
	char *t_ = squeezed(text), *s_ = squeezed(s); \
	if (strstr(t_, s_) == NULL) \
		fail_msg("not said in the ticket: \"%s\"\n---\n%s---", (s), (text)); \
	free(t_); \
	free(s_); \
} while (0)
#define assert_has(text, s) do { \
	if (strstr((text), (s)) == NULL) \
		fail_msg("not in the ticket: \"%s\"\n---\n%s---", (s), (text)); \
} while (0)
#define assert_lacks(text, s) do { \
	if (strstr((text), (s)) != NULL) \
		fail_msg("in the ticket: \"%s\"\n---\n%s---", (s), (text)); \
} while (0)

/* The layout rules on a whole ticket. */
static void
check_layout(const char *t, const char *what)
{
	size_t len = strlen(t);

	check_widths(t, what);
	assert_true(len > 0 && t[len - 1] == '\n');
	assert_true(len < 2 || t[len - 2] != '\n');
	assert_true(t[0] != '\n');
	assert_null(strstr(t, "\n\n\n"));
	assert_null(strstr(t, " \n"));
}

static void
test_ticket_volume(void **state)
{
	json_t *s = load_fixture("summary.json");
	char *en, *fr;

	(void)state;
	en = render(s, "en", NULL, NULL, false);
	check_layout(en, "en");
	assert_has(en, "\n\nOur mail log shows what this server sent in the 24 hours from\n"
		   "2026-11-19 13:32:07 UTC to 2026-11-20 13:32:07 UTC: 1794 messages to\n"
		   "2210 recipients at 1 domain; 2187 delivered, 1 deferred, 22 bounced.\n\n");
	fr = render(s, "fr", NULL, NULL, false);
	check_layout(fr, "fr");
	assert_says(fr, "Notre journal d'envoi montre ce que ce serveur a envoyé pendant les 24 "
		    "heures du 2026-11-19 13:32:07 UTC au 2026-11-20 13:32:07 UTC : 1794 "
		    "messages pour 2210 destinataires de 1 domaine ; 2187 remis, 1 différé, "
		    "22 rejetés.");
	free(en);
	free(fr);
	/* Without it, no such paragraph. */
	json_object_del(s, "volume");
	en = render(s, "en", NULL, NULL, false);
	assert_lacks(en, "what this server sent");
	free(en);
	fr = render(s, "fr", NULL, NULL, false);
	assert_lacks(fr, "ce que ce serveur a envoyé");
	free(fr);
	json_decref(s);
}

/* The Polish ticket: its subject line, and the counts that take a
 * singular (1) apart from the others. */
static void
test_ticket_polish(void **state)
{
	json_t *s = load_fixture("summary.json"), *v;
	char *pl;

	(void)state;
	pl = render(s, "pl", NULL, NULL, false);
	check_layout(pl, "pl");
	assert_has(pl, "Temat: Wynik fałszywie dodatni: blokada antyspamowa IP 203.0.113.7\n\n"
		   "Szanowni Państwo,\n\n");
	assert_says(pl, "Według naszego logu poczty serwer ten wysłał w ciągu 24 godzin, od "
		    "2026-11-19 13:32:07 UTC do 2026-11-20 13:32:07 UTC, 1794 wiadomości do "
		    "2210 odbiorców w 1 domenie; doręczone: 2187, odroczone: 1, odrzucone: 22.");
	assert_says(pl, "system antyspamowy uznał za spam 1 spośród 1 zbadanej wiadomości z "
		    "adresu 203.0.113.7 (średni spam score: 410)");
	assert_says(pl, "Nie znaleźliśmy jednej z tych 3 wiadomości w 2 przeszukanych "
		    "skrzynkach pocztowych.");
	/* Two: the "few" form. */
	assert_has(pl, "    DKIM:             2 podpisy:\n");
	assert_says(pl, "Zgodność z RFC: 2 odstępstwa od RFC, obecne już w wysłanej wiadomości");
	assert_says(pl, "i pole MIME-Version: 2 uwagi:");
	assert_has(pl, "  Czas blokady:     1 dzień, 1 godzina, 1 minuta i 1 sekunda\n");
	assert_lacks(pl, "{{");
	free(pl);
	/* Five, twelve, twenty-two: "many", "many", "few". */
	json_object_set_new(s, "block_seconds", json_integer(5 * 86400 + 22 * 3600 + 12 * 60 + 2));
	v = json_object_get(json_object_get(json_array_get(json_object_get(s, "samples"), 0),
					    "checks"), "conformance");
	json_array_append_new(v, json_pack("{s:s}", "id", "date-missing"));
	json_array_append_new(v, json_pack("{s:s}", "id", "from-missing"));
	json_array_append_new(v, json_pack("{s:s}", "id", "line-too-long"));
	pl = render(s, "pl", NULL, NULL, false);
	assert_has(pl, "  Czas blokady:     5 dni, 22 godziny, 12 minut i 2 sekundy\n");
	assert_says(pl, "Zgodność z RFC: 5 odstępstw od RFC");
	free(pl);
	/* One hour, one message, one recipient; many domains. */
	v = json_object_get(s, "volume");
	json_object_set_new(v, "hours", json_integer(1));
	json_object_set_new(v, "messages", json_integer(1));
	json_object_set_new(v, "recipients", json_integer(1));
	json_object_set_new(v, "recipient_domains", json_integer(5));
	pl = render(s, "pl", NULL, NULL, false);
	assert_says(pl, "wysłał w ciągu godziny, od 2026-11-19 13:32:07 UTC do "
		    "2026-11-20 13:32:07 UTC, 1 wiadomość do 1 odbiorcy w 5 domenach;");
	free(pl);
	json_decref(s);
}

static void
test_ticket_facts(void **state)
{
	json_t *s = load_fixture("summary.json");
	char *en, *fr;

	(void)state;
	en = render(s, "en", NULL, "fk1234-ovh", false);
	check_layout(en, "en");
	/* The block, its time in words, its state. */
	assert_has(en, "  Block time:      1 day, 1 hour, 1 minute and 1 second\n");
	assert_has(en, "  State:           unblocked; it was blocked from\n"
		   "                   2026-11-20 13:32:07 UTC to 2026-11-21 14:33:08 UTC\n");
	assert_says(en, "counted 1 spam among the 1 message it examined from 203.0.113.7 "
		    "(average spam score 410); the API does not say over which period.");
	/* The delivery: the loopback hop to the content filter left out,
	 * the failure to connect and the delivery kept. */
	assert_has(en, "  Our mail log:    deferred on 2026-11-20 13:25:01 UTC: \"connect to\n"
		   "                   mx.example.com[198.51.100.40]:25: Connection refused\"\n"
		   "                   delivered on 2026-11-20 13:35:02 UTC to\n"
		   "                   mx.example.com (198.51.100.40), which answered \"250\n"
		   "                   2.0.0 Ok: queued as 77AA\"\n");
	assert_lacks(en, "127.0.0.1");
	/* Not found, but delivered: five attempts, the rest counted. */
	assert_says(en, "Original: not found in the mail stores we searched Our mail log: delivered on "
		    "2026-11-20 13:23:02 UTC to mx1.example.org (198.51.100.23), which answered "
		    "\"250 2.0.0 OK 1\"");
	assert_says(en, "bounced on 2026-11-20 13:23:03 UTC to mx1.example.org (198.51.100.23): "
		    "\"host mx1.example.org[198.51.100.23] said: 550 5.1.1");
	assert_says(en, "given up on 2026-11-20 13:23:06 UTC to mx1.example.org (198.51.100.23): "
		    "\"message is too old\"");
	assert_has(en, "                   and 2 more attempts in\n"
		   "                   logs/02-nl.2026-11.r4512.0a1b@news.shop.example.com.log\n");
	assert_lacks(en, "OK 6");
	assert_has(en, "  Our mail log:    no line about this message\n");
	/* The checklist: the logs and the checks ticked with their facts. */
	assert_has(en, "  [x] read our mail logs for the Message-IDs above: 2 of 3 found in 1\n"
		   "      log file, 2 delivered\n");
	assert_has(en, "  [x] checked these messages against the RFCs and the best practices:\n"
		   "      the integrity of the copies, DKIM, RFC conformance and best\n"
		   "      practices of the 2 messages we found (of 3), see above\n");
	assert_has(en, "  [ ] stopped sending e-mail from 203.0.113.7\n");
	/* The findings, said. */
	assert_has(en, "    DKIM:             valid signature of shop.example.com\n");
	assert_has(en, "    RFC conformance:  2 departures from the RFCs");
	assert_has(en, "      - Its Message-ID is written in the obsolete syntax RFC 5322 still\n"
		   "        accepts.\n");
	assert_has(en, "field: 2 findings:\n      - Its HTML has little text for its links");
	assert_has(en, "      - Header fields hold 8-bit characters without the encoding of\n"
		   "        RFC 2047.\n");
	assert_lacks(en, "counted (a count");
	assert_has(en, "    Copy:             NOT INTACT:\n"
		   "      - A multipart part has no closing boundary line: the message was\n"
		   "        cut.\n");
	assert_has(en, "      - A finding this version cannot describe (see checks/).\n");
	assert_lacks(en, "no-such-rule-yet");
	assert_has(en, "    DKIM:             2 signatures:\n"
		   "      - the signature of shop.example.com does not match the message: it\n"
		   "        changed after signing\n"
		   "      - the signature of (no domain) could not be verified:");
	/* No local path without --ticket-paths; the NIC handle. */
	assert_lacks(en, "/var/");
	assert_lacks(en, "/srv/");
	assert_has(en, "We could not find one of these 3 messages in the 2 mail stores we\n"
		   "searched.\n");
	assert_has(en, "Regards,\nfk1234-ovh (NIC handle)\n");
	assert_has(en, "Please tell us whether you agree that this was a false positive");
	free(en);

	fr = render(s, "fr", NULL, NULL, true);
	check_layout(fr, "fr");
	assert_has(fr, "  Durée du blocage :   1 jour, 1 heure, 1 minute et 1 seconde\n");
	assert_says(fr, "  État : débloquée ; elle a été bloquée du 2026-11-20 13:32:07 UTC au "
		    "2026-11-21 14:33:08 UTC\n");
	assert_has(fr, "  Journal d'envoi :    aucune ligne sur ce message\n");
	assert_has(fr, "                       et 2 autres tentatives dans\n");
	assert_says(fr, "  [x] lu nos journaux d'envoi pour les Message-ID ci-dessus : 2 sur 3 "
		    "trouvés dans un fichier journal (/var/log/mail.log), dont 2 remis\n");
	assert_says(fr, "      - Son HTML a peu de texte pour ses liens (moins de 80 caractères par "
		    "lien).\n");
	/* --ticket-paths: the stores, the logs, where each sample was. */
	assert_has(fr, " :\n  - /var/vmail/shop.example.com/orders/Maildir\n"
		   "  - /srv/exports/sent.mbox\n");
	assert_has(fr, "    Copiée depuis :        /srv/exports/sent.mbox\n");
	assert_has(fr, "Cordialement,\n[votre nom / identifiant client OVHcloud (NIC handle)]\n");
	free(fr);
	json_decref(s);
}

static void
test_ticket_parts(void **state)
{
	json_t *s = load_fixture("summary.json");
	struct bundle b;
	char *en, *fr;

	(void)state;
	bundle_init(&b, "fpkit-203.0.113.7-20261120T133207Z", 0);
	bundle_add_data(&b, "samples/01-a.eml", "x", 1);
	bundle_add_data(&b, "samples/02-b.eml", "x", 1);
	bundle_add_data(&b, "report.arf", "x", 1);
	bundle_add_data(&b, "summary.json", "x", 1);
	en = render(s, "en", &b, NULL, false);
	fr = render(s, "fr", &b, NULL, false);
	assert_has(en, "The attached archive fpkit-203.0.113.7-20261120T133207Z.tar.gz holds:\n"
		   "  - samples/: ");
	assert_has(fr, "L'archive jointe fpkit-203.0.113.7-20261120T133207Z.tar.gz contient :\n"
		   "  - samples/ : ");
	assert_has(en, "  - report.arf: ");
	assert_has(en, "  - summary.json: ");
	assert_has(en, "  - TICKET.txt: ");
	/* REPORT.html is written after the ticket (it holds it): named all
	 * the same, as pack always writes it. */
	assert_has(en, "  - REPORT.html: the same facts as a page to open in a web browser");
	assert_has(fr, "  - REPORT.html : les mêmes faits sous forme de page");
	assert_has(en, "  - SHA256SUMS: ");
	assert_lacks(en, "  - api/");
	assert_lacks(en, "  - logs/");
	assert_lacks(en, "  - checks/");
	assert_lacks(en, "  - alert/");
	assert_lacks(fr, "  - api/");
	free(en);
	free(fr);
	{
		struct ticket_facts f = { "en", "b.tar.gz", &b, NULL, false };
		json_t *ctx = ticket_context(s, &f);
		char *parts = json_dumps(json_object_get(ctx, "parts"), JSON_COMPACT);

		assert_string_equal(parts, "[\"REPORT.html\",\"SHA256SUMS\",\"TICKET.txt\","
				    "\"report.arf\",\"samples/\",\"summary.json\"]");
		assert_true(json_is_true(json_object_get(json_object_get(ctx, "part"), "report_html")));
		assert_true(json_is_true(json_object_get(json_object_get(ctx, "part"), "report_arf")));
		assert_null(json_object_get(json_object_get(ctx, "part"), "api"));
		free(parts);
		json_decref(ctx);
	}
	bundle_release(&b);
	json_decref(s);
}

static void
test_ticket_append(void **state)
{
	static const char quoted[] = "Received: from a very long line that is quoted as it is "
				     "and is never wrapped by the ticket\n\n\n";
	char *t = xstrdup("Regards,\n");
	size_t len = strlen(t);

	(void)state;
	ticket_append(&t, &len, "", 0);
	assert_string_equal(t, "Regards,\n");
	ticket_append(&t, &len, quoted, strlen(quoted));
	assert_string_equal(t, "Regards,\n\nReceived: from a very long line that is quoted as it is "
			    "and is never wrapped by the ticket\n");
	assert_int_equal(len, strlen(t));
	ticket_append(&t, &len, "b", 1);
	assert_string_equal(t + len - 4, "\n\nb\n");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_blank_lines),
		cmocka_unit_test(test_wrap_prose),
		cmocka_unit_test(test_wrap_hanging),
		cmocka_unit_test(test_wrap_unbreakable),
		cmocka_unit_test(test_wrap_glue),
		cmocka_unit_test(test_wrap_utf8_and_limits),
		cmocka_unit_test(test_every_rule_has_sentences),
		cmocka_unit_test(test_ticket_volume),
		cmocka_unit_test(test_ticket_polish),
		cmocka_unit_test(test_ticket_facts),
		cmocka_unit_test(test_ticket_parts),
		cmocka_unit_test(test_ticket_append),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
