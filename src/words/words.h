/* words.h - the words fpkit writes for people, in each language it speaks
 *
 * TICKET.txt is written from a template per language (templates/); what
 * C code says in a ticket, a page or posture's text (a finding, a DNS
 * check, a duration, a heading) is written in English in the code and
 * looked up here, by that English text, for the language asked: one
 * catalogue per language, src/words/LANG.c, pairs of English and the
 * language's words, so that a translator and a reviewer read each pair
 * side by side.
 *
 * The language is the document's (a ticket in Polish from a machine whose
 * locale is English), and a bundle must not change with what the machine
 * has installed: so the catalogues are built into the program, not read
 * from message catalogues of the system's locale.
 *
 * Rules, held by tests/unit/test_words.c and tests/e2e/lang.sh:
 * - every language has every English text of en.c, and no other;
 * - a translation has the printf conversions of its English text, in the
 *   same order ("%s", "%zu", "%g", "%" JSON_INTEGER_FORMAT...);
 * - an entry with a plural gives the language's number of forms, in the
 *   order of its plural rule (words_plural_index);
 * - with FPKIT_WORDS_CHECK set in the environment (the tests set it), an
 *   English text asked for that en.c does not hold stops the program:
 *   a text added to the code and not to the catalogues fails the tests.
 * A new language: LANG.c beside en.c, its line in words.c's list and in
 * words.am, templates/ticket.LANG.mustache; tests/e2e/lang.sh runs the
 * demo in every language.
 */
#ifndef FPKIT_WORDS_H
#define FPKIT_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many plural forms (Polish: one, few, many). */
#define WORDS_FORMS 3

struct words_entry {
	const char *en;			/* the English text, as the code writes it */
	const char *en_plural;		/* its plural, for a count; NULL if none */
	const char *text[WORDS_FORMS];	/* the language's words: one form, or the
					 * plural forms in the rule's order */
};

/* en.c's entries: an English text, and a count's singular and plural. */
#define WORD(en) { (en), NULL, { NULL } }
#define WORD_N(one, other) { (one), (other), { NULL } }

enum words_plural_rule {
	WORDS_PLURAL_ONE_OTHER,		/* 1; everything else (en, de, es, it, pt) */
	WORDS_PLURAL_FR,		/* 0 and 1; everything else */
	WORDS_PLURAL_PL,		/* 1; 2-4, 22-24...; everything else */
};

struct words_lang {
	const char *code;		/* "de" */
	const char *name;		/* the language's own name: "Deutsch" */
	/* The subject line's label in the language's template, ending where
	 * the subject starts ("Betreff: "); ticket create finds the subject
	 * and the language by it. */
	const char *subject_label;
	enum words_plural_rule plural;
	const struct words_entry *entries;
	size_t nr;
};

extern const struct words_lang words_en, words_fr, words_de, words_es, words_it, words_pl,
	words_pt;

/* Every language, English first. */
extern const struct words_lang *const words_langs[];
extern const size_t words_langs_nr;

/* The language of CODE, or NULL. */
const struct words_lang *words_lang(const char *code);

/* The words for ENGLISH in language LANG (a code; NULL or unknown:
 * English).  ENGLISH itself when the catalogue has none (NULL for NULL). */
const char *tr(const char *lang, const char *english) __attribute__((format_arg(2)));

/* The same for a count N: ONE and OTHER are the English singular and
 * plural; the language's form for N. */
const char *trn(const char *lang, const char *one, const char *other, unsigned long long n)
	__attribute__((format_arg(2))) __attribute__((format_arg(3)));

/* Which plural form a count takes under a rule (0 = the first form). */
size_t words_plural_index(enum words_plural_rule rule, unsigned long long n);
/* How many forms a rule has. */
size_t words_plural_forms(enum words_plural_rule rule);

/* The language whose subject label TEXT starts with (its length in
 * *label_len), or NULL. */
const struct words_lang *words_lang_of_subject(const char *text, size_t len, size_t *label_len);

/* The codes of every language, "en, fr, de, ..." (static). */
const char *words_codes(void);

#endif
