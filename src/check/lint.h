/* lint.h - the best practices OVHcloud's guide lists, checked on one
 * message: advisory findings with stable rule ids */
#ifndef FPKIT_LINT_H
#define FPKIT_LINT_H

#include "checklist.h"

struct mime_walk;

/* Thresholds (a finding, not a verdict: the guide gives no numbers). */
#define LINT_CAPS_MIN_LETTERS 8		/* subject-capitals judged from 8 letters */
#define LINT_CAPS_RATIO 0.5		/* ... above half of them capitals */
#define LINT_EXCLAMATIONS 2		/* subject-exclamations from 2 '!' */
#define LINT_BULK_RECIPIENTS 10		/* To + Cc addresses that look like bulk */
#define LINT_TEXT_PER_IMAGE 200		/* characters of text per image, at least */
#define LINT_TEXT_PER_LINK 80		/* characters of text per link, at least */

/* The rule id that only counts phrases: never a finding against the
 * message. */
#define LINT_PHRASES "phrases"

/* Add the findings on w (GMime's reading of the message) to out. */
void lint_check(const struct mime_walk *w, struct check_list *out);

/* True for a rule id that says the practice is not followed ("phrases"
 * only counts). */
bool lint_is_finding(const char *id);

#endif
