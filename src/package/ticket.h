/* ticket.h - TICKET.txt: the support-ticket text, from a template */
#ifndef FPKIT_TICKET_H
#define FPKIT_TICKET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct bundle;
struct error;

/* The languages with a built-in template. */
#define TICKET_LANGS "en, fr, de, es, it, pl, pt"

/* The delivery attempts shown per target; the others are counted. */
#define TICKET_ATTEMPTS_MAX 5

/* A remote server's reply longer than this (bytes) is cut, with "...":
 * the whole line is in logs/. */
#define TICKET_REPLY_MAX 300

/* True when lang has a built-in template. */
int ticket_lang_known(const char *lang);

/* What the ticket says beyond summary.json. */
struct ticket_facts {
	const char *lang;		/* the words made here: "fr", else English */
	const char *bundle;		/* the bundle's file name, without its folder */
	const struct bundle *files;	/* borrowed: the bundle's files but
					 * TICKET.txt and SHA256SUMS (always
					 * there); NULL for none */
	const char *nichandle;		/* the account's NIC handle (GET /me), or
					 * NULL: the closing is left to fill */
	bool paths;			/* --ticket-paths: local paths shown */
};

/* The template context (new): a copy of summary plus what a text needs
 * ready-made, each name listed in fpkit(1), TICKET TEMPLATES: the block
 * (blocked_at_utc, block_duration in words, state_blocked ...,
 * alert_only), the bundle's parts (parts, part.NAME), each target's
 * delivery attempts from the mail logs (attempts) and the counts of the
 * checklist (logs_read, checks_done ...), each sample's findings as
 * sentences in f->lang (problems_text, conformance_text, lint_text,
 * dkim_text), counts with a NAME_one flag for the singular, the NIC
 * handle, show_paths. */
json_t *ticket_context(json_t *summary, const struct ticket_facts *f);

/* Read the user's template into *text (new, *len bytes) and render it
 * once with an empty context, so that a template that cannot be read or
 * is not valid is refused before the work that leads to the ticket; the
 * ticket is then rendered from *text, the file being read once (it may
 * be a pipe).  EX_NOINPUT/EX_DATAERR for an unreadable or bad template. */
int ticket_template_load(const char *template_path, char **text, size_t *len,
			 struct error *err);

/* The ticket's text (*out new, *len bytes): the user's template
 * (template_text, as loaded above; template_name names it in messages)
 * when template_text is not NULL, else the built-in one for lang,
 * rendered against ctx and laid out by wrap_text (72 columns, one blank
 * line between parts, one newline at the end).  This is the one place
 * that makes the ticket's text; more may be added after it with
 * ticket_append only.  EX_DATAERR for a template that passes a limit. */
int ticket_render(const char *lang, const char *template_name, const char *template_text,
		  size_t template_len, json_t *ctx, char **out, size_t *len, struct error *err);

/* Append part[0..part_len) to the ticket *text (*len bytes, as
 * ticket_render made it; both updated): after one blank line, as it is
 * (not wrapped: quoted evidence such as header blocks or log lines),
 * its blank lines at the end dropped and one newline added.  An empty
 * part adds nothing.  The caller bounds part's size. */
void ticket_append(char **text, size_t *len, const char *part, size_t part_len);

#endif
