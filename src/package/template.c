/* template.c - a small mustache renderer over jansson values
 *
 * Parsed once into a tree (so errors are found before any output), then
 * rendered recursively; the tree's depth is capped at parse time and the
 * output by a capped strbuf, so no template can loop or grow without
 * bound. */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "fpkit_limits.h"
#include "strbuf.h"
#include "template.h"
#include "textsafe.h"
#include "xalloc.h"

enum node_type { NODE_TEXT, NODE_VAR, NODE_SECTION, NODE_INVERTED };

struct node {
	enum node_type type;
	const char *text;	/* TEXT: borrowed from the template */
	size_t len;
	char *name;		/* VAR, SECTION, INVERTED */
	unsigned line;		/* where the tag starts */
	struct node *kids;	/* SECTION, INVERTED */
	size_t nr_kids, alloc_kids;
};

struct parser {
	const char *tpl, *end;
	const char *p;		/* parse position */
	const char *name;	/* template name for messages */
	struct error *err;
	const char *counted;	/* line_of: newlines counted up to here ... */
	unsigned line;		/* ... where this line starts or goes on */
};

/* The line 'at' is on.  Counted on from the last call, since tags are met
 * in order: counting from the start for each tag made a large template
 * of many tags take seconds (quadratic). */
static unsigned
line_of(struct parser *ps, const char *at)
{
	if (at < ps->counted) {
		ps->counted = ps->tpl;
		ps->line = 1;
	}
	for (; ps->counted < at; ps->counted++)
		if (*ps->counted == '\n')
			ps->line++;
	return ps->line;
}

static void
node_release(struct node *n)
{
	for (size_t i = 0; i < n->nr_kids; i++)
		node_release(&n->kids[i]);
	free(n->kids);
	free(n->name);
}

static struct node *
add_kid(struct node *parent, enum node_type type)
{
	struct node *k;

	parent->kids = xgrow(parent->kids, parent->nr_kids + 1, &parent->alloc_kids,
			     sizeof(*parent->kids));
	k = &parent->kids[parent->nr_kids++];
	memset(k, 0, sizeof(*k));
	k->type = type;
	return k;
}

static void
add_text(struct node *parent, const char *s, size_t len)
{
	struct node *k;

	if (len == 0)
		return;
	k = add_kid(parent, NODE_TEXT);
	k->text = s;
	k->len = len;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A tag is standalone when only blanks stand between it and the line's
 * ends.  Returns the start of its line and, in *after, where the next
 * line begins; NULL when it is not standalone. */
static const char *
standalone(const struct parser *ps, const char *open, const char *close,
	   const char **after)
{
	const char *ls = open, *q = close;

	while (ls > ps->tpl && ls[-1] != '\n') {
		if (!is_blank(ls[-1]))
			return NULL;
		ls--;
	}
	while (q < ps->end && *q != '\n') {
		if (!is_blank(*q))
			return NULL;
		q++;
	}
	*after = q < ps->end ? q + 1 : q;
	return ls;
}

/* Parse until the end or until the close tag of 'section' (NULL at top
 * level) into parent. */
static int
parse_into(struct parser *ps, struct node *parent, const char *section, int depth)
{
	while (ps->p < ps->end) {
		const char *open = strstr(ps->p, "{{"), *close, *after, *ls, *n0, *n1;
		char sigil = 0;
		char *name;
		struct node *k;

		if (open == NULL || open >= ps->end) {
			add_text(parent, ps->p, (size_t)(ps->end - ps->p));
			ps->p = ps->end;
			break;
		}
		close = strstr(open + 2, "}}");
		if (close == NULL || close >= ps->end)
			return error_set(ps->err, EX_DATAERR, "template '%s' line %u: '{{' is never closed",
					 ps->name, line_of(ps, open));
		n0 = open + 2;
		if (*n0 == '#' || *n0 == '^' || *n0 == '/' || *n0 == '!')
			sigil = *n0++;
		close += 2;
		if (sigil && (ls = standalone(ps, open, close, &after)) != NULL) {
			add_text(parent, ps->p, (size_t)(ls - ps->p));
		} else {
			add_text(parent, ps->p, (size_t)(open - ps->p));
			after = close;
		}
		ps->p = after;
		if (sigil == '!')
			continue;
		n1 = close - 2;
		while (n0 < n1 && (*n0 == ' ' || *n0 == '\t'))
			n0++;
		while (n1 > n0 && (n1[-1] == ' ' || n1[-1] == '\t'))
			n1--;
		if (n0 == n1)
			return error_set(ps->err, EX_DATAERR, "template '%s' line %u: empty tag",
					 ps->name, line_of(ps, open));
		if (strchr("&>={<", *n0))
			return error_set(ps->err, EX_DATAERR,
					 "template '%s' line %u: '{{%c' tags are not supported "
					 "(only {{name}}, {{#name}}, {{^name}}, {{/name}}, {{! }})",
					 ps->name, line_of(ps, open), *n0);
		for (const char *c = n0; c < n1; c++)
			if (*c == '{' || *c == '}' || *c == ' ' || *c == '\n')
				return error_set(ps->err, EX_DATAERR,
						 "template '%s' line %u: bad tag name '%.*s'",
						 ps->name, line_of(ps, open), (int)(n1 - n0), n0);
		name = xstrndup(n0, (size_t)(n1 - n0));
		if (sigil == '/') {
			int rc = 0;

			if (section == NULL || strcmp(name, section) != 0)
				rc = error_set(ps->err, EX_DATAERR,
					       "template '%s' line %u: '{{/%s}}' closes no open section%s%s%s",
					       ps->name, line_of(ps, open), name,
					       section ? " (open: '" : "", section ? section : "",
					       section ? "')" : "");
			free(name);
			return rc < 0 ? -1 : 1;
		}
		if (sigil == 0) {
			k = add_kid(parent, NODE_VAR);
			k->name = name;
			k->line = line_of(ps, open);
			continue;
		}
		if (depth + 1 > FPKIT_LIMIT_TEMPLATE_DEPTH) {
			free(name);
			return error_set(ps->err, EX_DATAERR,
					 "template '%s' line %u: sections nested deeper than %d",
					 ps->name, line_of(ps, open), FPKIT_LIMIT_TEMPLATE_DEPTH);
		}
		k = add_kid(parent, sigil == '#' ? NODE_SECTION : NODE_INVERTED);
		k->name = name;
		k->line = line_of(ps, open);
		{
			int rc = parse_into(ps, k, k->name, depth + 1);

			if (rc < 0)
				return -1;
			if (rc == 0)
				return error_set(ps->err, EX_DATAERR,
						 "template '%s' line %u: section '%s' is never closed",
						 ps->name, k->line, k->name);
		}
	}
	return 0;
}

struct render {
	json_t *stack[FPKIT_LIMIT_TEMPLATE_DEPTH + 2];
	int depth;
	size_t steps;		/* nodes rendered so far (FPKIT_LIMIT_TEMPLATE_STEPS) */
	struct strbuf out;
	const char *name;
	struct error *err;
};

/* Resolve a (dotted) name: the first part from the innermost context
 * that has it, the rest inside that value.  Borrowed; NULL if missing. */
static json_t *
lookup(struct render *r, const char *name)
{
	const char *dot, *part = name;
	json_t *v = NULL;
	char *first;

	if (strcmp(name, ".") == 0)
		return r->stack[r->depth - 1];
	dot = strchr(name, '.');
	first = dot ? xstrndup(name, (size_t)(dot - name)) : xstrdup(name);
	for (int i = r->depth - 1; i >= 0 && v == NULL; i--)
		if (json_is_object(r->stack[i]))
			v = json_object_get(r->stack[i], first);
	free(first);
	while (v && dot) {
		char *key;

		part = dot + 1;
		dot = strchr(part, '.');
		key = dot ? xstrndup(part, (size_t)(dot - part)) : xstrdup(part);
		v = json_is_object(v) ? json_object_get(v, key) : NULL;
		free(key);
	}
	return v;
}

static bool
truthy(json_t *v)
{
	if (v == NULL)
		return false;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE: return false;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0.0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	default: return true;
	}
}

static int
emit(struct render *r, const char *s, size_t len)
{
	if (strbuf_add(&r->out, s, len) < 0)
		return error_set(r->err, EX_DATAERR,
				 "template '%s' produces more than %zu bytes", r->name, r->out.max);
	return 0;
}

static int
emit_value(struct render *r, json_t *v)
{
	char num[64], *safe;
	int rc;

	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_STRING:
		/* Values come from outside (the API, the alert, the mail);
		 * only the template's own text is trusted. */
		safe = textsafe_visible(json_string_value(v), json_string_length(v));
		rc = emit(r, safe, strlen(safe));
		free(safe);
		return rc;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return emit(r, num, strlen(num));
	case JSON_REAL:
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		return emit(r, num, strlen(num));
	case JSON_TRUE:
		return emit(r, "true", 4);
	case JSON_FALSE:
		return emit(r, "false", 5);
	default:
		return 0;
	}
}

static int render_nodes(struct render *r, const struct node *parent);

static int
render_with(struct render *r, const struct node *n, json_t *ctx)
{
	int rc;

	r->stack[r->depth++] = ctx;
	rc = render_nodes(r, n);
	r->depth--;
	return rc;
}

static int
render_nodes(struct render *r, const struct node *parent)
{
	for (size_t i = 0; i < parent->nr_kids; i++) {
		const struct node *n = &parent->kids[i];
		json_t *v;

		/* Sections over lists nested in each other multiply: the
		 * output cap does not bound those that write nothing. */
		if (++r->steps > FPKIT_LIMIT_TEMPLATE_STEPS)
			return error_set(r->err, EX_DATAERR,
					 "template '%s' takes more than %d steps to render: are "
					 "sections over lists nested in each other?", r->name,
					 FPKIT_LIMIT_TEMPLATE_STEPS);
		switch (n->type) {
		case NODE_TEXT:
			if (emit(r, n->text, n->len) < 0)
				return -1;
			break;
		case NODE_VAR:
			if (emit_value(r, lookup(r, n->name)) < 0)
				return -1;
			break;
		case NODE_SECTION:
			v = lookup(r, n->name);
			if (!truthy(v))
				break;
			if (json_is_array(v)) {
				for (size_t j = 0; j < json_array_size(v); j++)
					if (render_with(r, n, json_array_get(v, j)) < 0)
						return -1;
			} else if (render_with(r, n, v) < 0) {
				return -1;
			}
			break;
		case NODE_INVERTED:
			if (!truthy(lookup(r, n->name)) && render_nodes(r, n) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

int
template_render(const char *tpl, size_t len, const char *name, json_t *ctx,
		size_t max_output, char **out, size_t *out_len, struct error *err)
{
	struct parser ps = { tpl, tpl + len, tpl, name, err, tpl, 1 };
	struct node root;
	struct render r;
	int rc = -1;

	*out = NULL;
	memset(&root, 0, sizeof(root));
	if (memchr(tpl, '\0', len) != NULL) {
		return error_set(err, EX_DATAERR, "template '%s' holds a NUL byte: not a text file",
				 name);
	}
	if (tpl[len] != '\0')
		return error_set(err, EX_SOFTWARE, "template '%s' is not NUL-terminated", name);
	if (len > FPKIT_LIMIT_TEMPLATE)
		return error_set(err, EX_DATAERR, "template '%s' is larger than %d bytes",
				 name, FPKIT_LIMIT_TEMPLATE);
	rc = parse_into(&ps, &root, NULL, 0);
	if (rc != 0) {
		if (rc > 0)	/* cannot happen at top level; be safe */
			error_set(err, EX_DATAERR, "template '%s': unbalanced sections", name);
		rc = -1;
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.name = name;
	r.err = err;
	strbuf_init(&r.out, max_output);
	r.stack[r.depth++] = ctx;
	rc = render_nodes(&r, &root);
	if (rc == 0)
		*out = strbuf_detach(&r.out, out_len);
	strbuf_release(&r.out);
out:
	node_release(&root);
	return rc;
}
