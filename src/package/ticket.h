/* ticket.h - TICKET.txt: the support-ticket text, from a template */
#ifndef FPKIT_TICKET_H
#define FPKIT_TICKET_H

#include <jansson.h>
#include <stddef.h>

struct error;

/* The languages with a built-in template. */
#define TICKET_LANGS "en, fr"

/* True when lang has a built-in template. */
int ticket_lang_known(const char *lang);

/* The template context (new): a copy of summary plus what a text needs
 * ready-made: bundle (its file name), blocked_at_utc ("2022-08-29
 * 16:42:50 UTC"), block_duration, state_blocked / state_unblocking /
 * state_unblocked, nr_targets, nr_found, nr_samples, nr_missing and
 * has_missing (counted over the targets as listed), per target found,
 * files (its sample_files joined by ", ") and date_utc; before_block
 * (the samples chosen by pack --before-block, each with date_utc) and
 * nr_before_block; per sample, from its "checks", check_problems,
 * check_lint, check_dkim and check_dkim_skipped, and nr_not_intact. */
json_t *ticket_context(json_t *summary, const char *bundle_name);

/* Read the user's template into *text (new, *len bytes) and render it
 * once with an empty context, so that a template that cannot be read or
 * is not valid is refused before the work that leads to the ticket; the
 * ticket is then rendered from *text, the file being read once (it may
 * be a pipe).  EX_NOINPUT/EX_DATAERR for an unreadable or bad template. */
int ticket_template_load(const char *template_path, char **text, size_t *len,
			 struct error *err);

/* Render the ticket with the user's template (template_text, as loaded
 * above; template_name names it in messages) when template_text is not
 * NULL, else with the built-in one for lang.  *out is new.  EX_DATAERR
 * for a template that passes a limit. */
int ticket_render(const char *lang, const char *template_name, const char *template_text,
		  size_t template_len, json_t *ctx, char **out, size_t *len, struct error *err);

#endif
