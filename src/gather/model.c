/* model.c - the OVH API models, validated field by field
 *
 * The schemas (ovh-api.md section 4) mark no SpamIp field nullable, and
 * only averageSpamscore and detectedSpams of SpamStats.  A missing
 * nullable field is read as null; a missing non-nullable one is an error.
 * Unknown fields are accepted: the API grows, and the caller keeps the
 * document's bytes as they were. */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "model.h"
#include "netaddr.h"
#include "timefmt.h"
#include "xalloc.h"

static const char *const spam_states[] = { "blockedForSpam", "unblocked", "unblocking" };

bool
model_state_valid(const char *s)
{
	for (size_t i = 0; i < sizeof(spam_states) / sizeof(spam_states[0]); i++)
		if (strcmp(s, spam_states[i]) == 0)
			return true;
	return false;
}

static const char *
json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

static int
field_error(struct error *err, const char *name, const char *model,
	    const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
field_error(struct error *err, const char *name, const char *model,
	    const char *field, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return error_set(err, EX_DATAERR, "'%s' is not a valid %s: field '%s': %s",
			 name, model, field, detail);
}

/* Load a JSON document; duplicate keys are refused, since which of two
 * values the API meant cannot be known. */
static json_t *
load_document(const char *buf, size_t len, const char *name, struct error *err)
{
	const char *nul;
	json_error_t jerr;
	json_t *root;

	if (len == 0) {
		error_set(err, EX_DATAERR, "'%s' is empty: expected a JSON document saved from the API", name);
		return NULL;
	}
	/* jansson would stop there with "end of file expected". */
	nul = memchr(buf, '\0', len);
	if (nul) {
		error_set(err, EX_DATAERR, "'%s' is not valid JSON: it holds a NUL byte (at byte "
			  "%zu)", name, (size_t)(nul - buf));
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		error_set(err, EX_DATAERR, "'%s' is not valid JSON: line %d, column %d: %s",
			  name, jerr.line, jerr.column, jerr.text);
	return root;
}

/* Getters: each checks presence and type and reports the field path. */
struct ctx {
	const char *name;	/* file name for errors */
	const char *model;	/* model name for errors */
	char path[256];		/* "[0].detectedSpams[1]" prefix, may be "" */
	struct error *err;
};

static const char *
field_path(struct ctx *c, const char *key, char *buf, size_t size)
{
	if (c->path[0])
		snprintf(buf, size, "%s.%s", c->path, key);
	else
		snprintf(buf, size, "%s", key);
	return buf;
}

static json_t *
get_field(struct ctx *c, json_t *obj, const char *key, bool nullable)
{
	char p[320];
	json_t *v = json_object_get(obj, key);

	if (v == NULL && !nullable) {
		field_error(c->err, c->name, c->model, field_path(c, key, p, sizeof(p)), "missing");
		return NULL;
	}
	return v;
}

static int
get_integer(struct ctx *c, json_t *obj, const char *key, bool nullable,
	    bool *present, int64_t *out)
{
	char p[320];
	json_t *v = get_field(c, obj, key, nullable);

	if (present)
		*present = false;
	if (v == NULL)
		return nullable ? 0 : -1;
	if (json_is_null(v) && nullable)
		return 0;
	if (!json_is_integer(v))
		return field_error(c->err, c->name, c->model, field_path(c, key, p, sizeof(p)),
				   "expected an integer, got %s", json_type_name(v));
	*out = json_integer_value(v);
	if (present)
		*present = true;
	return 0;
}

/* A time in seconds since the epoch, within what dates are written for. */
static int
get_time(struct ctx *c, json_t *obj, const char *key, int64_t *out)
{
	char p[320];

	if (get_integer(c, obj, key, false, NULL, out) < 0)
		return -1;
	if (*out < 0 || *out > TIMEFMT_MAX)
		return field_error(c->err, c->name, c->model, field_path(c, key, p, sizeof(p)),
				   "%lld is not a time from 1970 to 9999 (seconds since the "
				   "epoch)", (long long)*out);
	return 0;
}

static int
get_string(struct ctx *c, json_t *obj, const char *key, const char **out)
{
	char p[320];
	json_t *v = get_field(c, obj, key, false);

	if (v == NULL)
		return -1;
	if (!json_is_string(v))
		return field_error(c->err, c->name, c->model, field_path(c, key, p, sizeof(p)),
				   "expected a string, got %s", json_type_name(v));
	*out = json_string_value(v);
	if (**out == '\0')
		return field_error(c->err, c->name, c->model, field_path(c, key, p, sizeof(p)),
				   "empty string");
	return 0;
}

static int
get_ipv4(struct ctx *c, json_t *obj, const char *key, const char **out)
{
	char p[320];

	if (get_string(c, obj, key, out) < 0)
		return -1;
	if (!netaddr_is_ipv4(*out))
		return field_error(c->err, c->name, c->model, field_path(c, key, p, sizeof(p)),
				   "'%.64s' is not an IPv4 address", *out);
	return 0;
}

int
model_parse_spamip(const char *buf, size_t len, const char *name,
		   struct model_spamip *out, struct error *err)
{
	struct ctx c = { name, "SpamIp object", "", err };
	const char *date, *ip, *state;
	json_t *root;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	root = load_document(buf, len, name, err);
	if (root == NULL)
		return -1;
	if (!json_is_object(root)) {
		error_set(err, EX_DATAERR, "'%s' is not a valid SpamIp object: the document is %s, "
			  "expected the object of GET /ip/{ip}/spam/{ipSpamming}",
			  name, json_type_name(root));
		goto out;
	}
	if (get_string(&c, root, "date", &date) < 0)
		goto out;
	if (timefmt_parse_iso(date, &out->date) < 0 ||
	    out->date < 0 || out->date > TIMEFMT_MAX) {
		field_error(err, name, c.model, "date",
			    "'%.64s' is not an ISO 8601 date with a time zone, from 1970 "
			    "to 9999", date);
		goto out;
	}
	if (get_ipv4(&c, root, "ipSpamming", &ip) < 0 ||
	    get_string(&c, root, "state", &state) < 0)
		goto out;
	if (!model_state_valid(state)) {
		field_error(err, name, c.model, "state",
			    "expected one of blockedForSpam, unblocked, unblocking, got '%.64s'", state);
		goto out;
	}
	if (get_integer(&c, root, "time", false, NULL, &out->time) < 0)
		goto out;
	/* Seconds of block: dates are computed from it, so keep it sane. */
	if (out->time < 0 || out->time > 315360000) {
		field_error(err, name, c.model, "time", "%lld seconds is not a block length",
			    (long long)out->time);
		goto out;
	}
	if (out->date + out->time > TIMEFMT_MAX) {
		field_error(err, name, c.model, "time", "%lld seconds after the date would end the "
			    "block after 9999", (long long)out->time);
		goto out;
	}
	out->date_raw = xstrdup(date);
	out->ip = xstrdup(ip);
	out->state = xstrdup(state);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void
model_spamip_release(struct model_spamip *s)
{
	free(s->date_raw);
	free(s->ip);
	free(s->state);
	memset(s, 0, sizeof(*s));
}

static int
parse_target(struct ctx *c, json_t *v, struct model_target *t)
{
	const char *id, *dest;

	if (!json_is_object(v))
		return field_error(c->err, c->name, c->model, c->path,
				   "expected a SpamTarget object, got %s", json_type_name(v));
	if (get_time(c, v, "date", &t->date) < 0 ||
	    get_ipv4(c, v, "destinationIp", &dest) < 0 ||
	    get_string(c, v, "messageId", &id) < 0 ||
	    get_integer(c, v, "spamscore", false, NULL, &t->spamscore) < 0)
		return -1;
	t->message_id = xstrdup(id);
	t->destination_ip = xstrdup(dest);
	return 0;
}

static int
parse_stats_entry(struct ctx *c, json_t *v, size_t index, struct model_stats *out)
{
	struct model_stats_entry *e = &out->entries[index];
	char base[64];
	json_t *spams;
	size_t i;

	snprintf(base, sizeof(base), "[%zu]", index);
	snprintf(c->path, sizeof(c->path), "%s", base);
	if (!json_is_object(v))
		return field_error(c->err, c->name, c->model, c->path,
				   "expected a SpamStats object, got %s", json_type_name(v));
	if (get_integer(c, v, "averageSpamscore", true, &e->has_average, &e->average_spamscore) < 0 ||
	    get_integer(c, v, "numberOfSpams", false, NULL, &e->number_of_spams) < 0 ||
	    get_time(c, v, "timestamp", &e->timestamp) < 0 ||
	    get_integer(c, v, "total", false, NULL, &e->total) < 0)
		return -1;
	spams = json_object_get(v, "detectedSpams");
	if (spams == NULL || json_is_null(spams))
		return 0;
	if (!json_is_array(spams)) {
		snprintf(c->path, sizeof(c->path), "%s.detectedSpams", base);
		return field_error(c->err, c->name, c->model, c->path,
				   "expected an array or null, got %s", json_type_name(spams));
	}
	for (i = 0; i < json_array_size(spams); i++) {
		struct model_target *t;

		out->targets = xgrow(out->targets, out->nr_targets + 1, &out->alloc_targets,
				     sizeof(*out->targets));
		t = &out->targets[out->nr_targets];
		memset(t, 0, sizeof(*t));
		snprintf(c->path, sizeof(c->path), "%s.detectedSpams[%zu]", base, i);
		if (parse_target(c, json_array_get(spams, i), t) < 0) {
			free(t->message_id);
			free(t->destination_ip);
			return -1;
		}
		out->nr_targets++;
		e->nr_targets++;
	}
	return 0;
}

int
model_parse_stats(const char *buf, size_t len, const char *name,
		  struct model_stats *out, struct error *err)
{
	struct ctx c = { name, "SpamStats array", "", err };
	json_t *root;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	root = load_document(buf, len, name, err);
	if (root == NULL)
		return -1;
	if (!json_is_array(root)) {
		error_set(err, EX_DATAERR, "'%s' is not a valid SpamStats array: the document is %s, "
			  "expected the array of GET /ip/{ip}/spam/{ipSpamming}/stats",
			  name, json_type_name(root));
		goto out;
	}
	out->nr_entries = json_array_size(root);
	out->entries = xcalloc(out->nr_entries ? out->nr_entries : 1, sizeof(*out->entries));
	for (i = 0; i < out->nr_entries; i++)
		if (parse_stats_entry(&c, json_array_get(root, i), i, out) < 0)
			goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		model_stats_release(out);
	return rc;
}

void
model_stats_release(struct model_stats *s)
{
	for (size_t i = 0; i < s->nr_targets; i++) {
		free(s->targets[i].message_id);
		free(s->targets[i].destination_ip);
	}
	free(s->targets);
	free(s->entries);
	memset(s, 0, sizeof(*s));
}
