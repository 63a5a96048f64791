/* inline.h - the evidence as text in the ticket: each sample's header
 * block and each target's mail-log lines, for a support channel that
 * takes no attachment (the OVH API's tickets, doc/ovh-api.md) */
#ifndef FPKIT_INLINE_H
#define FPKIT_INLINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "fpkit_limits.h"

struct maillog;
struct sample_list;
struct targets;

/* The default cap on the text, and the largest one accepted: as large
 * as a ticket rendered from a template may be. */
#define INLINE_MAX_DEFAULT (64 * 1024)
#define INLINE_MAX_LIMIT FPKIT_LIMIT_TEMPLATE_OUTPUT

/* fpkit's own lines are wrapped at this width; a word longer than that
 * (a file name) stands alone on its line. */
#include "wrap.h"

#define INLINE_COLUMNS WRAP_WIDTH

struct inline_options {
	const char *lang;	/* the headings' language: "fr", else English */
	size_t max;		/* bytes, the closing note on what was left out
				 * aside */
	bool local_paths;	/* log lines name their file by its path as
				 * given, not by its base name */
};

/* The text to append to the ticket (new, free() it; its length in
 * *len): a heading, then for each sample in order its header block
 * (every line up to the empty line that ends it, folded lines as they
 * are, a CR before LF dropped, control and invisible characters made
 * visible by textsafe_visible, tabs kept) followed by its target's
 * mail-log lines when it has some (maillog_lines), then the lines of
 * the targets with no sample.  A block (its heading and its lines) goes
 * in whole or not at all: one that would take the text past o->max is
 * left out and counted, and a closing note says how many of each kind
 * and where in the bundle they are.  'summary' gives the logs/ file of
 * each target (logs.c); 'bundle_name' is named in the heading.  All
 * borrowed. */
char *inline_text(const struct inline_options *o, const struct sample_list *samples,
		  const struct targets *targets, const struct maillog *trail,
		  json_t *summary, const char *bundle_name, size_t *len);

/* Append inline_text's text to the ticket *text (from malloc, *len
 * bytes; replaced by a new one, NUL-terminated). */
/* Does text (a ticket) already hold the part inline_text writes, in
 * either language (a bundle packed with --inline)? */
bool inline_present(const char *text);

void inline_append(char **text, size_t *len, const struct inline_options *o,
		   const struct sample_list *samples, const struct targets *targets,
		   const struct maillog *trail, json_t *summary, const char *bundle_name);

#endif
