/* test_words.c - unit tests for words.h: every language's catalogue
 * holds every English text of en.c and nothing else, with the same printf
 * conversions, the language's number of plural forms, the same line end;
 * the plural rules; the subject labels and the built-in templates. */
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

#include "templates.h"
#include "ticket.h"
#include "words.h"

/* The printf conversions of S, "%" to the conversion letter, each
 * followed by a space ("%%" left out): "%zu %s ". */
static void
conversions(const char *s, char *out, size_t size)
{
	size_t at = 0;

	out[0] = '\0';
	for (const char *p = s; *p; p++) {
		const char *start;

		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		start = p++;
		while (*p && strchr("-+ #0'", *p))
			p++;
		while (*p && (strchr("0123456789.*", *p)))
			p++;
		while (*p && strchr("hlLqjzt", *p))
			p++;
		if (*p == '\0' || !strchr("diouxXeEfFgGaAcspn", *p))
			fail_msg("'%s': a conversion that is not one", s);
		if (strchr(start, '$') && strchr(start, '$') < p)
			fail_msg("'%s': a numbered argument (keep the English order)", s);
		at += (size_t)snprintf(out + at, size - at, "%.*s ", (int)(p - start + 1), start);
		assert_true(at < size);
	}
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

static bool
ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

/* T, a text of LANG for English E, says the same things as E can: its
 * conversions, its "@D", its line end and its trailing space. */
static void
check_like(const char *lang, const char *e, const char *t)
{
	char ce[256], ct[256];

	if (t == NULL || *t == '\0')
		fail_msg("%s: no words for \"%s\"", lang, e);
	conversions(e, ce, sizeof(ce));
	conversions(t, ct, sizeof(ct));
	if (strcmp(ce, ct) != 0)
		fail_msg("%s: \"%s\" has the conversions '%s', its English \"%s\" '%s'", lang, t, ct,
			 e, ce);
	if (count(e, "@D") != count(t, "@D"))
		fail_msg("%s: \"%s\" does not keep the @D of \"%s\"", lang, t, e);
	if (ends_with(e, "\n") != ends_with(t, "\n") || ends_with(e, " ") != ends_with(t, " "))
		fail_msg("%s: \"%s\" does not end as \"%s\" does", lang, t, e);
}

static const struct words_entry *
entry_of(const struct words_lang *l, const char *en)
{
	const struct words_entry *hit = NULL;

	for (size_t i = 0; i < l->nr; i++) {
		if (strcmp(l->entries[i].en, en) != 0)
			continue;
		if (hit)
			fail_msg("%s: \"%s\" twice", l->code, en);
		hit = &l->entries[i];
	}
	return hit;
}

static void
test_catalogues(void **state)
{
	const struct words_lang *en = words_langs[0];

	(void)state;
	assert_string_equal(en->code, "en");
	assert_true(en->nr >= 200);
	assert_true(words_langs_nr >= 2);
	for (size_t i = 0; i < en->nr; i++) {
		const struct words_entry *e = &en->entries[i];

		assert_ptr_equal(entry_of(en, e->en), e);
		if (e->en_plural)
			check_like("en", e->en, e->en_plural);
	}
	for (size_t k = 1; k < words_langs_nr; k++) {
		const struct words_lang *l = words_langs[k];
		size_t forms = words_plural_forms(l->plural);

		assert_non_null(l->subject_label);
		assert_true(strlen(l->name) > 0);
		/* Every English text, once; nothing else. */
		for (size_t i = 0; i < en->nr; i++) {
			const struct words_entry *e = &en->entries[i], *t = entry_of(l, e->en);

			if (t == NULL)
				fail_msg("%s: no entry for \"%s\"", l->code, e->en);
			if ((t->en_plural == NULL) != (e->en_plural == NULL) ||
			    (e->en_plural && strcmp(t->en_plural, e->en_plural) != 0))
				fail_msg("%s: \"%s\": the English plural is not en.c's", l->code, e->en);
			for (size_t f = 0; f < WORDS_FORMS; f++) {
				bool want = f < (e->en_plural ? forms : 1);

				if (want)
					check_like(l->code, e->en, t->text[f]);
				else if (t->text[f] != NULL)
					fail_msg("%s: \"%s\": more forms than the language has",
						 l->code, e->en);
			}
		}
		for (size_t i = 0; i < l->nr; i++)
			if (entry_of(en, l->entries[i].en) == NULL)
				fail_msg("%s: \"%s\" is not an English text of en.c", l->code,
					 l->entries[i].en);
	}
}

static void
test_plural_rules(void **state)
{
	static const struct {
		unsigned long long n;
		size_t one_other, fr, pl;
	} cases[] = {
		{ 0, 1, 0, 2 }, { 1, 0, 0, 0 }, { 2, 1, 1, 1 }, { 4, 1, 1, 1 }, { 5, 1, 1, 2 },
		{ 11, 1, 1, 2 }, { 12, 1, 1, 2 }, { 14, 1, 1, 2 }, { 21, 1, 1, 2 }, { 22, 1, 1, 1 },
		{ 24, 1, 1, 1 }, { 25, 1, 1, 2 }, { 101, 1, 1, 2 }, { 112, 1, 1, 2 },
		{ 122, 1, 1, 1 }, { 1004, 1, 1, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(words_plural_index(WORDS_PLURAL_ONE_OTHER, cases[i].n),
				 cases[i].one_other);
		assert_int_equal(words_plural_index(WORDS_PLURAL_FR, cases[i].n), cases[i].fr);
		assert_int_equal(words_plural_index(WORDS_PLURAL_PL, cases[i].n), cases[i].pl);
	}
	assert_int_equal(words_plural_forms(WORDS_PLURAL_PL), 3);
	assert_int_equal(words_plural_forms(WORDS_PLURAL_FR), 2);
}

static void
test_lookup(void **state)
{
	(void)state;
	/* English is the text itself; an unknown language is English. */
	assert_string_equal(tr("en", "Timeline"), "Timeline");
	assert_string_equal(tr("xx", "Timeline"), "Timeline");
	assert_string_equal(tr(NULL, "Timeline"), "Timeline");
	assert_string_equal(tr("fr", "Timeline"), "Chronologie");
	assert_string_equal(trn("en", "%lld day", "%lld days", 1), "%lld day");
	assert_string_equal(trn("en", "%lld day", "%lld days", 0), "%lld days");
	assert_string_equal(trn("fr", "%lld day", "%lld days", 0), "%lld jour");
	assert_string_equal(trn("fr", "%lld day", "%lld days", 2), "%lld jours");
	assert_null(words_lang("xx"));
	assert_null(words_lang(NULL));
	assert_non_null(strstr(words_codes(), "en, fr"));
}

/* Each language's label starts its template's subject line, and finds
 * the language again; a French label after a no-break space too. */
static void
test_subjects(void **state)
{
	size_t n;

	(void)state;
	for (size_t k = 0; k < words_langs_nr; k++) {
		const struct words_lang *l = words_langs[k];
		char name[64];
		const char *text = NULL, *line;

		snprintf(name, sizeof(name), "ticket.%s.mustache", l->code);
		for (size_t i = 0; i < templates_builtin_nr; i++)
			if (strcmp(templates_builtin[i].name, name) == 0)
				text = templates_builtin[i].text;
		if (text == NULL)
			fail_msg("%s: no built-in template %s", l->code, name);
		assert_true(ticket_lang_known(l->code));
		/* The first line after the leading comment. */
		line = text;
		if (strncmp(line, "{{!", 3) == 0) {
			line = strstr(line, "}}");
			assert_non_null(line);
			line = strchr(line, '\n') + 1;
		}
		if (strncmp(line, l->subject_label, strlen(l->subject_label)) != 0)
			fail_msg("%s: the template's first line does not start with \"%s\"",
				 l->code, l->subject_label);
		assert_ptr_equal(words_lang_of_subject(line, strlen(line), &n), l);
		assert_int_equal(n, strlen(l->subject_label));
	}
	/* Every built-in template has its words. */
	for (size_t i = 0; i < templates_builtin_nr; i++) {
		char code[16];

		if (sscanf(templates_builtin[i].name, "ticket.%15[^.].mustache", code) == 1 &&
		    words_lang(code) == NULL)
			fail_msg("template %s has no words in src/words/", templates_builtin[i].name);
	}
	assert_ptr_equal(words_lang_of_subject("Objet\xc2\xa0: x", 11, &n), words_lang("fr"));
	assert_int_equal(n, 9);
	assert_null(words_lang_of_subject("Subject x", 9, NULL));
	assert_null(words_lang_of_subject("Subj", 4, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogues),
		cmocka_unit_test(test_plural_rules),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_subjects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
