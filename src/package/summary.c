/* summary.c - summary.json */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "finder.h"
#include "jsontext.h"
#include "msgid.h"
#include "sample.h"
#include "summary.h"
#include "targets.h"
#include "timefmt.h"
#include "xalloc.h"

static json_t *
iso_or_null(bool has, int64_t t)
{
	char buf[TIMEFMT_ISO_LEN];

	return has ? json_string(timefmt_iso_utc(t, buf)) : json_null();
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
build_stats(const struct fpcase *c)
{
	json_t *arr = json_array();

	for (size_t i = 0; c->has_stats && i < c->stats.nr_entries; i++) {
		const struct model_stats_entry *e = &c->stats.entries[i];

		json_array_append_new(arr, json_pack("{s:o, s:I, s:I, s:o}",
			"timestamp", iso_or_null(true, e->timestamp),
			"total", (json_int_t)e->total,
			"number_of_spams", (json_int_t)e->number_of_spams,
			"average_spamscore", e->has_average ?
				json_integer(e->average_spamscore) : json_null()));
	}
	return arr;
}

json_t *
summary_target(const char *message_id, const char *destination_ip, bool has_spamscore,
	       int64_t spamscore, bool has_date, int64_t date, const char *source,
	       long target, const struct sample_list *l)
{
	size_t n = message_id ? strlen(message_id) : 0;
	char *shown = n ? msgid_strip(message_id, n) : NULL;
	json_t *files = json_array(), *o;

	for (size_t j = 0; target >= 0 && j < l->nr; j++)
		if ((long)l->items[j].hit->target == target)
			json_array_append_new(files, json_string(l->items[j].file));
	o = json_pack("{s:o, s:o, s:o, s:o, s:s, s:o}",
		"message_id", message_id ? jsontext_string(shown ? shown : message_id) : json_null(),
		"destination_ip", str_or_null(destination_ip),
		"spamscore", has_spamscore ? json_integer((json_int_t)spamscore) : json_null(),
		"date", iso_or_null(has_date, date),
		"source", source,
		"sample_files", files);
	free(shown);
	return o;
}

static json_t *
build_targets(const struct fpcase *c, const struct targets *tl, const struct sample_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; c->has_stats && i < c->stats.nr_targets; i++) {
		const struct model_target *t = &c->stats.targets[i];

		json_array_append_new(arr, summary_target(t->message_id, t->destination_ip, true,
							  t->spamscore, true, t->date, "stats",
							  i < tl->nr_stats ? tl->by_stats[i] : -1, l));
	}
	return arr;
}

/* Add the members of 'more' (stolen) to o, after its own. */
static void
add_members(json_t *o, json_t *more)
{
	json_object_update(o, more);
	json_decref(more);
}

static json_t *
build_samples(const struct targets *tl, const struct sample_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < l->nr; i++) {
		const struct sample *s = &l->items[i];
		const struct target *t = &tl->items[s->hit->target];
		json_t *o = json_pack("{s:o, s:s}",
			"message_id", *s->message_id ? jsontext_string(s->message_id) : json_null(),
			"selected_by", t->recent ? "before-block" : "message-id");

		/* Why a message dated before the block was taken as sent:
		 * the rule, and the Received field, log line or sender
		 * domain that holds it (beforeblock.c). */
		if (t->recent)
			add_members(o, json_pack("{s:s, s:o}",
				"before_block_rule", t->rule ? t->rule : "",
				"before_block_evidence", jsontext_string(t->evidence ? t->evidence : "")));
		add_members(o, json_pack("{s:o, s:s, s:s, s:I, s:o, s:s, s:o, s:I, s:I, s:I}",
			"date", iso_or_null(t->recent, t->date),
			"file", s->file,
			"sha256", s->sha256,
			"size", (json_int_t)(s->data || s->spooled ? (int64_t)s->data_len : s->hit->length),
			"source", jsontext_string(s->hit->path),
			"format", store_format_name(s->hit->format),
			"compression", str_or_null(s->hit->compression),
			"offset", (json_int_t)s->hit->offset,
			"length", (json_int_t)s->hit->length,
			"mboxrd_unquoted", (json_int_t)s->unquoted));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *
summary_build(const struct fpcase *c, const struct targets *tl, const struct finder *f,
	      const struct sample_list *l)
{
	json_t *missing = json_array(), *searched = json_array();

	for (size_t i = 0; i < tl->nr; i++)
		if (tl->items[i].nr_hits == 0 && !tl->items[i].recent)
			json_array_append_new(missing, jsontext_string(tl->items[i].shown));
	for (size_t i = 0; i < f->nr_searched; i++)
		json_array_append_new(searched, jsontext_string(f->searched[i]));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"fpkit_version", PACKAGE_VERSION,
		"ip", c->ip,
		"block", str_or_null(c->block),
		"state", str_or_null(c->has_spamip ? c->spamip.state : NULL),
		"blocked_at", iso_or_null(c->has_blocked_at, c->blocked_at),
		"block_seconds", c->has_spamip ? json_integer(c->spamip.time) : json_null(),
		"stats", build_stats(c),
		"targets", build_targets(c, tl, l),
		"samples", build_samples(tl, l),
		"missing", missing,
		"searched", searched);
}

void
summary_set_checks(json_t *sample, json_t *checks)
{
	if (json_is_object(sample))
		json_object_set_new(sample, "checks", checks);
	else
		json_decref(checks);
}

char *
summary_dump(json_t *summary, size_t *len)
{
	char *s = json_dumps(summary, JSON_INDENT(2));
	char *out;

	if (s == NULL)
		s = xstrdup("{}");
	out = xasprintf("%s\n", s);
	free(s);
	*len = strlen(out);
	return out;
}
