/* template.h - a small mustache renderer over jansson values, for the
 * ticket text */
#ifndef FPKIT_TEMPLATE_H
#define FPKIT_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

struct error;

/* Render tpl[0..len) (followed by a NUL, as strbuf and string literals
 * are) against ctx (borrowed) into a new NUL-terminated
 * string (*out, free() it).
 *
 * Supported: {{name}} and {{a.b}} (looked up from the innermost section
 * outwards), {{.}} (the current item), {{#name}}...{{/name}} (once per
 * array item, once for an object or any other true value),
 * {{^name}}...{{/name}} (when name is missing, null, false, "", 0 or an
 * empty array), {{! comment}}.  A section, inverted or comment tag alone
 * on its line takes the line with it, as the mustache spec says.  The
 * output is text, not HTML: string values are written through
 * textsafe_visible (control bytes, invalid UTF-8 and invisible or bidi
 * characters made visible, a newline as \n), as they come from outside;
 * the template's own text is written as it is.
 *
 * Errors (EX_DATAERR) name the template ('name'), and the line for
 * syntax errors. */
int template_render(const char *tpl, size_t len, const char *name, json_t *ctx,
		    size_t max_output, char **out, size_t *out_len, struct error *err);

#endif
