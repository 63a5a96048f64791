/* templates.h - the ticket templates built into the program, generated
 * from templates/ by embed.sh into templates.c */
#ifndef FPKIT_TEMPLATES_H
#define FPKIT_TEMPLATES_H

#include <stddef.h>

struct template_builtin {
	const char *name;	/* e.g. "ticket.en.mustache" */
	const char *text;	/* NUL-terminated */
	size_t len;
};

extern const struct template_builtin templates_builtin[];
extern const size_t templates_builtin_nr;

#endif
