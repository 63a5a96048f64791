/* findingtext.h - what a check found, said to a person in the ticket's
 * language: one sentence per rule id of integrity.c, lint.c and
 * checks.c, one per DKIM result of dkim.c */
#ifndef FPKIT_FINDINGTEXT_H
#define FPKIT_FINDINGTEXT_H

/* The sentence for rule 'id' in 'lang' ("en", "fr"): static text, or
 * NULL when the id or the language has none (the ticket then falls back
 * to a sentence that says a finding has no description, never to the
 * id). */
const char *findingtext_rule(const char *id, const char *lang);

/* What a DKIM signature of 'domain' whose result is 'result' ("pass",
 * "fail", "invalid", "tempfail", dkimv_result_name) means, in 'lang': a
 * new string, or NULL when the result or the language has no sentence.
 * An empty domain is said as such. */
char *findingtext_dkim(const char *result, const char *domain, const char *lang);

/* The same sentence with "@D" where the domain goes: static text or NULL
 * (for the tests: every result has one in every language). */
const char *findingtext_dkim_pattern(const char *result, const char *lang);

#endif
