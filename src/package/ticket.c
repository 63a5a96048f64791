/* ticket.c - TICKET.txt: the support-ticket text, from a template */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "fpkit_limits.h"
#include "lint.h"
#include "strbuf.h"
#include "template.h"
#include "templates.h"
#include "ticket.h"
#include "timefmt.h"

static const struct template_builtin *
builtin_for(const char *lang)
{
	char name[64];

	snprintf(name, sizeof(name), "ticket.%s.mustache", lang);
	for (size_t i = 0; i < templates_builtin_nr; i++)
		if (strcmp(templates_builtin[i].name, name) == 0)
			return &templates_builtin[i];
	return NULL;
}

int
ticket_lang_known(const char *lang)
{
	return builtin_for(lang) != NULL;
}

/* obj[to] = obj[from] ("2022-08-29T16:42:50Z") written for people:
 * "2022-08-29 16:42:50 UTC". */
static void
set_utc_text(json_t *obj, const char *from, const char *to)
{
	const char *iso = json_string_value(json_object_get(obj, from));
	char buf[64];

	if (iso == NULL || strlen(iso) != 20 || iso[10] != 'T' || iso[19] != 'Z')
		return;
	snprintf(buf, sizeof(buf), "%.10s %.8s UTC", iso, iso + 11);
	json_object_set_new(obj, to, json_string(buf));
}

static json_t *
join_strings(json_t *arr, const char *sep)
{
	struct strbuf sb;
	json_t *v, *out;
	size_t i;

	strbuf_init(&sb, STRBUF_NO_MAX);
	json_array_foreach(arr, i, v) {
		if (i)
			strbuf_addstr(&sb, sep);
		strbuf_addstr(&sb, json_string_value(v) ? json_string_value(v) : "");
	}
	out = json_string(sb.buf);
	strbuf_release(&sb);
	return out;
}

/* "a, b, c": the "id" of each element of arr, those lint only counts
 * left out. */
static json_t *
join_ids(json_t *arr)
{
	json_t *ids = json_array(), *v, *out;
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		if (id && lint_is_finding(id))
			json_array_append_new(ids, json_string(id));
	}
	out = join_strings(ids, ", ");
	json_decref(ids);
	return out;
}

/* What fpkit check found, per sample, ready for a line of text:
 * check_problems and check_lint (rule ids), check_dkim ("pass
 * (example.com, s=sel)" per signature), check_dkim_skipped,
 * check_lint_skipped; and
 * nr_not_intact over all samples. */
static void
add_checks(json_t *ctx)
{
	json_t *s, *sig;
	size_t i, k, bad = 0;

	json_array_foreach(json_object_get(ctx, "samples"), i, s) {
		json_t *chk = json_object_get(s, "checks");
		struct strbuf sb;

		if (!json_is_object(chk))
			continue;
		bad += !json_is_true(json_object_get(chk, "intact"));
		json_object_set_new(s, "check_problems", join_ids(json_object_get(chk, "problems")));
		json_object_set_new(s, "check_lint", join_ids(json_object_get(chk, "lint")));
		json_object_set_new(s, "check_dkim_skipped",
				    json_boolean(json_is_false(json_object_get(chk, "dkim_checked"))));
		json_object_set_new(s, "check_lint_skipped",
				    json_boolean(json_is_false(json_object_get(chk, "lint_checked"))));
		strbuf_init(&sb, STRBUF_NO_MAX);
		json_array_foreach(json_object_get(chk, "dkim"), k, sig)
			strbuf_addf(&sb, "%s%s (%s, s=%s)", k ? "; " : "",
				    json_string_value(json_object_get(sig, "result")),
				    json_string_value(json_object_get(sig, "domain")),
				    json_string_value(json_object_get(sig, "selector")));
		json_object_set_new(s, "check_dkim", json_string(sb.buf));
		strbuf_release(&sb);
	}
	json_object_set_new(ctx, "nr_not_intact", json_integer((json_int_t)bad));
}

json_t *
ticket_context(json_t *summary, const char *bundle_name)
{
	json_t *ctx = json_deep_copy(summary), *targets, *t;
	const char *state = json_string_value(json_object_get(ctx, "state"));
	json_t *secs = json_object_get(ctx, "block_seconds");
	size_t i, found = 0, with_id = 0;
	char dur[64];

	json_object_set_new(ctx, "bundle", json_string(bundle_name));
	if (json_is_integer(secs))
		json_object_set_new(ctx, "block_duration",
				    json_string(timefmt_duration(json_integer_value(secs), dur, sizeof(dur))));
	json_object_set_new(ctx, "state_blocked", json_boolean(state && strcmp(state, "blockedForSpam") == 0));
	json_object_set_new(ctx, "state_unblocking", json_boolean(state && strcmp(state, "unblocking") == 0));
	json_object_set_new(ctx, "state_unblocked", json_boolean(state && strcmp(state, "unblocked") == 0));
	set_utc_text(ctx, "blocked_at", "blocked_at_utc");
	/* The end of the block's time (date + time: the earliest unblock,
	 * as the Control Panel shows it), for a block that is over or
	 * being lifted. */
	{
		const char *at = json_string_value(json_object_get(ctx, "blocked_at"));
		char iso[TIMEFMT_ISO_LEN];
		int64_t at_epoch;

		if (at && json_is_integer(secs) && timefmt_parse_iso(at, &at_epoch) == 0 &&
		    json_integer_value(secs) >= 0 &&
		    json_integer_value(secs) <= TIMEFMT_MAX - at_epoch) {
			json_object_set_new(ctx, "blocked_until",
					    json_string(timefmt_iso_utc(at_epoch + json_integer_value(secs), iso)));
			set_utc_text(ctx, "blocked_until", "blocked_until_utc");
		}
	}
	json_object_set_new(ctx, "block_over", json_boolean(state &&
			    (strcmp(state, "unblocking") == 0 || strcmp(state, "unblocked") == 0)));
	targets = json_object_get(ctx, "targets");
	json_array_foreach(targets, i, t) {
		json_t *files = json_object_get(t, "sample_files");
		int yes = json_array_size(files) > 0;

		json_object_set_new(t, "found", json_boolean(yes));
		json_object_set_new(t, "files", join_strings(files, ", "));
		set_utc_text(t, "date", "date_utc");
		found += (size_t)yes;
		with_id += json_is_string(json_object_get(t, "message_id")) &&
			   *json_string_value(json_object_get(t, "message_id"));
	}
	json_object_set_new(ctx, "no_message_id", json_boolean(with_id == 0));
	/* The messages sent just before the block (pack --before-block). */
	{
		json_t *recent = json_array(), *s;

		json_array_foreach(json_object_get(ctx, "samples"), i, s) {
			if (strcmp(json_string_value(json_object_get(s, "selected_by")) ?
				   json_string_value(json_object_get(s, "selected_by")) : "",
				   "before-block") != 0)
				continue;
			set_utc_text(s, "date", "date_utc");
			json_array_append(recent, s);
		}
		json_object_set_new(ctx, "nr_before_block",
				    json_integer((json_int_t)json_array_size(recent)));
		json_object_set_new(ctx, "before_block", recent);
	}
	/* Counted over the targets as listed, so that the ticket's numbers
	 * agree with the list it shows (an id may be listed twice). */
	json_object_set_new(ctx, "nr_targets", json_integer((json_int_t)json_array_size(targets)));
	json_object_set_new(ctx, "nr_found", json_integer((json_int_t)found));
	json_object_set_new(ctx, "nr_samples",
			    json_integer((json_int_t)json_array_size(json_object_get(ctx, "samples"))));
	json_object_set_new(ctx, "nr_missing",
			    json_integer((json_int_t)(json_array_size(targets) - found)));
	json_object_set_new(ctx, "has_missing", json_boolean(json_array_size(targets) > found));
	/* api/ is in the bundle only when the API (or its saved answers)
	 * said something. */
	json_object_set_new(ctx, "has_api",
			    json_boolean(!json_is_null(json_object_get(ctx, "state")) ||
					 json_array_size(json_object_get(ctx, "stats")) > 0));
	add_checks(ctx);
	return ctx;
}

int
ticket_template_load(const char *template_path, char **text, size_t *len, struct error *err)
{
	json_t *empty = json_object();
	struct strbuf sb;
	char *out = NULL;
	size_t out_len;
	int rc;

	strbuf_init(&sb, FPKIT_LIMIT_TEMPLATE);
	if (strbuf_read_file(&sb, template_path, "a ticket template", err) < 0) {
		strbuf_release(&sb);
		json_decref(empty);
		return -1;
	}
	rc = template_render(sb.buf, sb.len, template_path, empty, FPKIT_LIMIT_TEMPLATE_OUTPUT,
			     &out, &out_len, err);
	free(out);
	json_decref(empty);
	if (rc < 0) {
		strbuf_release(&sb);
		return -1;
	}
	*text = strbuf_detach(&sb, len);
	return 0;
}

int
ticket_render(const char *lang, const char *template_name, const char *template_text,
	      size_t template_len, json_t *ctx, char **out, size_t *len, struct error *err)
{
	const struct template_builtin *b;

	if (template_text)
		return template_render(template_text, template_len, template_name, ctx,
				       FPKIT_LIMIT_TEMPLATE_OUTPUT, out, len, err);
	b = builtin_for(lang);
	if (b == NULL)
		return error_set(err, EX_USAGE, "no ticket template for language '%s' "
				 "(known: " TICKET_LANGS ")", lang);
	return template_render(b->text, b->len, b->name, ctx, FPKIT_LIMIT_TEMPLATE_OUTPUT,
			       out, len, err);
}
