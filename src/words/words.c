/* words.c - the catalogues, and the look-up of a text in a language
 *
 * Each catalogue is sorted once, on first use, by its English texts, and
 * searched by bsearch: a few hundred entries, asked a few hundred times
 * a run. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words.h"
#include "xalloc.h"

const struct words_lang *const words_langs[] = {
	&words_en,
	&words_fr,
	&words_de,
	&words_es,
	&words_it,
	&words_pl,
	&words_pt,
};
const size_t words_langs_nr = sizeof(words_langs) / sizeof(words_langs[0]);

#define NR_LANGS (sizeof(words_langs) / sizeof(words_langs[0]))

/* Each language's entries, sorted by English (pointers into its table). */
static const struct words_entry **sorted[NR_LANGS];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int
cmp_entry(const void *a, const void *b)
{
	const struct words_entry *x = *(const struct words_entry *const *)a;
	const struct words_entry *y = *(const struct words_entry *const *)b;

	return strcmp(x->en, y->en);
}

static void
sort_all(void)
{
	for (size_t i = 0; i < NR_LANGS; i++) {
		const struct words_lang *l = words_langs[i];

		sorted[i] = xcalloc(l->nr ? l->nr : 1, sizeof(*sorted[i]));
		for (size_t k = 0; k < l->nr; k++)
			sorted[i][k] = &l->entries[k];
		qsort(sorted[i], l->nr, sizeof(*sorted[i]), cmp_entry);
	}
}

static size_t
lang_index(const char *code)
{
	if (code == NULL)
		return 0;
	for (size_t i = 0; i < NR_LANGS; i++)
		if (strcmp(words_langs[i]->code, code) == 0)
			return i;
	return 0;
}

const struct words_lang *
words_lang(const char *code)
{
	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < NR_LANGS; i++)
		if (strcmp(words_langs[i]->code, code) == 0)
			return words_langs[i];
	return NULL;
}

static const struct words_entry *
find(size_t lang, const char *english)
{
	struct words_entry key = { .en = english };
	const struct words_entry *k = &key, **hit;

	pthread_once(&sorted_once, sort_all);
	hit = bsearch(&k, sorted[lang], words_langs[lang]->nr, sizeof(*sorted[lang]), cmp_entry);
	return hit ? *hit : NULL;
}

/* With FPKIT_WORDS_CHECK set, an English text missing from en.c is a
 * defect of the code: say it and stop, so that the tests see it. */
static void
check_known(const char *english)
{
	if (getenv("FPKIT_WORDS_CHECK") == NULL || find(0, english) != NULL)
		return;
	fprintf(stderr, "fpkit: internal error: no words for \"%s\" in src/words/en.c\n",
		english);
	abort();
}

const char *
tr(const char *lang, const char *english)
{
	size_t i = lang_index(lang);
	const struct words_entry *e;

	if (english == NULL)
		return NULL;
	check_known(english);
	if (i == 0)
		return english;
	e = find(i, english);
	return e && e->text[0] ? e->text[0] : english;
}

size_t
words_plural_forms(enum words_plural_rule rule)
{
	return rule == WORDS_PLURAL_PL ? 3 : 2;
}

size_t
words_plural_index(enum words_plural_rule rule, unsigned long long n)
{
	switch (rule) {
	case WORDS_PLURAL_FR:
		return n > 1;
	case WORDS_PLURAL_PL:
		if (n == 1)
			return 0;
		if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14))
			return 1;
		return 2;
	case WORDS_PLURAL_ONE_OTHER:
	default:
		return n != 1;
	}
}

const char *
trn(const char *lang, const char *one, const char *other, unsigned long long n)
{
	size_t i = lang_index(lang), form;
	const struct words_entry *e;

	check_known(one);
	if (i == 0)
		return n == 1 ? one : other;
	e = find(i, one);
	form = words_plural_index(words_langs[i]->plural, n);
	if (e == NULL || e->text[form] == NULL)
		return n == 1 ? one : other;
	return e->text[form];
}

/* Does TEXT start with LABEL, a space of LABEL matching a no-break
 * space too (a French colon is often typed after one)?  The length
 * matched, or 0. */
static size_t
label_match(const char *text, size_t len, const char *label)
{
	size_t t = 0;

	for (const char *p = label; *p; p++) {
		if (t < len && text[t] == *p) {
			t++;
		} else if (*p == ' ' && t + 1 < len && (unsigned char)text[t] == 0xc2 &&
			   (unsigned char)text[t + 1] == 0xa0) {
			t += 2;
		} else {
			return 0;
		}
	}
	return t;
}

const struct words_lang *
words_lang_of_subject(const char *text, size_t len, size_t *label_len)
{
	for (size_t i = 0; i < NR_LANGS; i++) {
		size_t n = label_match(text, len, words_langs[i]->subject_label);

		if (n) {
			if (label_len)
				*label_len = n;
			return words_langs[i];
		}
	}
	return NULL;
}

static char codes[NR_LANGS * 4 + 1];
static pthread_once_t codes_once = PTHREAD_ONCE_INIT;

static void
make_codes(void)
{
	size_t at = 0;

	for (size_t i = 0; i < NR_LANGS; i++)
		at += (size_t)snprintf(codes + at, sizeof(codes) - at, "%s%s", i ? ", " : "",
				       words_langs[i]->code);
}

const char *
words_codes(void)
{
	pthread_once(&codes_once, make_codes);
	return codes;
}
