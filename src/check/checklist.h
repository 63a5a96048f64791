/* checklist.h - the findings of the checks: a list of rule ids with
 * their details, filled by integrity.c and lint.c, read by checks.c and
 * the packaging stage */
#ifndef FPKIT_CHECKLIST_H
#define FPKIT_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>

/* One finding: a stable rule id (static text) and where/why (new). */
struct check_item {
	const char *id;
	char *detail;
};

struct check_list {
	struct check_item *items;
	size_t nr, alloc;
};

/* Append a finding: 'id' is borrowed (static text), the detail is
 * formatted like printf into a new string the list owns.  Never fails:
 * out of memory ends the program (xalloc.h). */
void check_list_add(struct check_list *l, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether a finding with this id is in l. */
bool check_list_has(const struct check_list *l, const char *id);
/* Free the findings and their details; l is left empty, ready for use. */
void check_list_release(struct check_list *l);

#endif
