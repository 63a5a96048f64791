/* ticket.c - TICKET.txt: the support-ticket text, from a template
 *
 * The context gives a template facts ready to be said: times in UTC
 * written for people, counts with their singular flags, each finding as
 * a sentence (findingtext.c), each delivery attempt of the mail logs as
 * its parts.  The template says them; wrap.c lays the text out. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bundle.h"
#include "error.h"
#include "findingtext.h"
#include "fpkit_limits.h"
#include "lint.h"
#include "netaddr.h"
#include "posture.h"
#include "strbuf.h"
#include "template.h"
#include "templates.h"
#include "ticket.h"
#include "timefmt.h"
#include "words.h"
#include "wrap.h"
#include "xalloc.h"

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

static const char *
str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* obj[to] = obj[from] ("2022-08-29T16:42:50Z") written for people:
 * "2022-08-29 16:42:50 UTC". */
static void
set_utc_text(json_t *obj, const char *from, const char *to)
{
	const char *iso = str(obj, from);
	char buf[64];

	if (iso == NULL || strlen(iso) != 20 || iso[10] != 'T' || iso[19] != 'Z')
		return;
	snprintf(buf, sizeof(buf), "%.10s %.8s UTC", iso, iso + 11);
	json_object_set_new(obj, to, json_string(buf));
}

static void
set_int(json_t *obj, const char *key, size_t n)
{
	json_object_set_new(obj, key, json_integer((json_int_t)n));
}

static void
set_bool(json_t *obj, const char *key, bool b)
{
	json_object_set_new(obj, key, json_boolean(b));
}

/* obj[KEY_one], obj[KEY_few] and obj[KEY_many] for each integer
 * obj[KEY] of keys, so that a template can write the plural form the
 * count takes: KEY_one when it is 1; KEY_few and KEY_many as Polish
 * counts (few: 2-4, 22-24, ... but not 12-14; many: the rest).  A
 * language of one and other plurals uses KEY_one alone. */
static void
set_ones(json_t *obj, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, keys[i]);
		unsigned long long count;
		char name[64];
		size_t form;

		if (!json_is_integer(v) || json_integer_value(v) < 0)
			continue;
		count = (unsigned long long)json_integer_value(v);
		form = words_plural_index(WORDS_PLURAL_PL, count);
		snprintf(name, sizeof(name), "%s_one", keys[i]);
		set_bool(obj, name, count == 1);
		snprintf(name, sizeof(name), "%s_few", keys[i]);
		set_bool(obj, name, form == 1);
		snprintf(name, sizeof(name), "%s_many", keys[i]);
		set_bool(obj, name, form == 2);
	}
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

/* --- the block ------------------------------------------------------ */

/* "2 days, 3 hours and 5 minutes", "1 heure" (new). */
static char *
duration_words(int64_t secs, const char *lang)
{
	static const int64_t len[] = { 86400, 3600, 60, 1 };
	int64_t n[4];
	size_t nr = 0, said = 0;
	struct strbuf sb;

	for (size_t i = 0; i < 4; i++) {
		n[i] = secs / len[i];
		secs %= len[i];
		nr += n[i] != 0;
	}
	strbuf_init(&sb, STRBUF_NO_MAX);
	if (nr == 0)
		strbuf_addf(&sb, trn(lang, "%lld second", "%lld seconds", 0), 0LL);
	for (size_t i = 0; i < 4; i++) {
		unsigned long long v = (unsigned long long)n[i];

		if (n[i] == 0)
			continue;
		if (said)
			strbuf_addstr(&sb, said + 1 == nr ? tr(lang, " and ") : tr(lang, ", "));
		switch (i) {
		case 0: strbuf_addf(&sb, trn(lang, "%lld day", "%lld days", v), (long long)n[i]); break;
		case 1: strbuf_addf(&sb, trn(lang, "%lld hour", "%lld hours", v), (long long)n[i]); break;
		case 2: strbuf_addf(&sb, trn(lang, "%lld minute", "%lld minutes", v), (long long)n[i]); break;
		default: strbuf_addf(&sb, trn(lang, "%lld second", "%lld seconds", v), (long long)n[i]); break;
		}
		said++;
	}
	return strbuf_detach(&sb, NULL);
}

static void
add_block(json_t *ctx, const char *lang)
{
	const char *state = str(ctx, "state");
	json_t *secs = json_object_get(ctx, "block_seconds");
	bool has_api = state != NULL || json_array_size(json_object_get(ctx, "stats")) > 0;
	json_t *alert = json_object_get(ctx, "alert");

	set_bool(ctx, "has_api", has_api);
	set_bool(ctx, "alert_only", json_is_object(alert) && !has_api);
	set_utc_text(ctx, "blocked_at", "blocked_at_utc");
	if (json_is_object(alert)) {
		json_t *at;

		set_utc_text(alert, "date", "date_utc");
		at = json_object_get(alert, "date_utc");
		if (at == NULL)
			at = json_object_get(ctx, "blocked_at_utc");
		if (at)
			json_object_set(ctx, "alert_received_utc", at);
	}
	if (json_is_integer(secs) && json_integer_value(secs) >= 0) {
		char *words = duration_words(json_integer_value(secs), lang);

		json_object_set_new(ctx, "block_duration", json_string(words));
		free(words);
	}
	set_bool(ctx, "state_blocked", state && strcmp(state, "blockedForSpam") == 0);
	set_bool(ctx, "state_unblocking", state && strcmp(state, "unblocking") == 0);
	set_bool(ctx, "state_unblocked", state && strcmp(state, "unblocked") == 0);
	set_bool(ctx, "block_over", state && (strcmp(state, "unblocking") == 0 ||
					      strcmp(state, "unblocked") == 0));
	/* The end of the block's time (date + time: the earliest unblock,
	 * as the Control Panel shows it). */
	{
		const char *at = str(ctx, "blocked_at");
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
}

static void
add_stats(json_t *ctx)
{
	static const char *const ones[] = { "number_of_spams", "total" };
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(ctx, "stats"), i, e) {
		set_utc_text(e, "timestamp", "timestamp_utc");
		set_ones(e, ones, sizeof(ones) / sizeof(ones[0]));
	}
}

/* summary.json's "volume" (the sending volume the mail logs show), when
 * it is there. */
static void
add_volume(json_t *ctx)
{
	static const char *const ones[] = {
		"hours", "messages", "recipients", "recipient_domains", "delivered", "deferred",
		"bounced",
	};
	static const char *const later[] = { "last_hour", "earlier_hours", "earlier_average",
					       "earlier_max" };
	json_t *v = json_object_get(ctx, "volume");

	json_t *hourly, *h;
	json_int_t last = 0, sum = 0, max = 0;
	size_t i, n;

	if (!json_is_object(v))
		return;
	set_utc_text(v, "from", "from_utc");
	set_utc_text(v, "to", "to_utc");
	set_utc_text(v, "covered_from", "covered_from_utc");
	set_utc_text(v, "covered_to", "covered_to_utc");
	set_bool(v, "partial", json_is_false(json_object_get(v, "complete")));
	set_ones(v, ones, sizeof(ones) / sizeof(ones[0]));
	/* The last hour before the block against the hours before it: a
	 * burst is what support (and the admin) must see first. */
	hourly = json_object_get(v, "hourly");
	n = json_array_size(hourly);
	if (n < 2)
		return;
	json_array_foreach(hourly, i, h) {
		json_int_t m = json_integer_value(json_object_get(h, "messages"));

		if (i + 1 == n) {
			last = m;
			break;
		}
		sum += m;
		if (m > max)
			max = m;
	}
	json_object_set_new(v, "last_hour", json_integer(last));
	json_object_set_new(v, "earlier_hours", json_integer((json_int_t)(n - 1)));
	json_object_set_new(v, "earlier_average",
			    json_integer((sum + (json_int_t)(n - 1) / 2) / (json_int_t)(n - 1)));
	json_object_set_new(v, "earlier_max", json_integer(max));
	set_ones(v, later, sizeof(later) / sizeof(later[0]));
}

/* --- the targets and their delivery ------------------------------------ */

/* A relay as the MTAs log it: "mx.example.net[198.51.100.23]:25"
 * (Postfix), "mx.example.net [198.51.100.10]" (Exim), "mx.example.com.
 * [198.51.100.40]" (Sendmail), "none".  *host and *ip are new (NULL when
 * missing). */
static void
parse_relay(const char *relay, char **host, char **ip)
{
	const char *lb = relay ? strchr(relay, '[') : NULL;
	const char *rb = lb ? strchr(lb, ']') : NULL;
	size_t n;

	*host = *ip = NULL;
	if (relay == NULL || strcmp(relay, "none") == 0 || *relay == '\0')
		return;
	if (rb == NULL) {
		*host = xstrdup(relay);
		return;
	}
	*ip = xstrndup(lb + 1, (size_t)(rb - lb - 1));
	n = (size_t)(lb - relay);
	while (n > 0 && (relay[n - 1] == ' ' || relay[n - 1] == '.'))
		n--;
	if (n > 0 && !(strlen(*ip) == n && memcmp(relay, *ip, n) == 0))
		*host = xstrndup(relay, n);
}

static bool
is_loopback(const char *ip)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, ip, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, ip, a) == 1) {
		static const unsigned char one[16] = { [15] = 1 };

		return memcmp(a, one, 16) == 0;
	}
	return false;
}

/* A reply cut to TICKET_REPLY_MAX bytes, on a character's start (new). */
static json_t *
reply_text(const char *detail)
{
	size_t n = strlen(detail);
	json_t *v;
	char *cut;

	if (n <= TICKET_REPLY_MAX)
		return json_string(detail);
	n = TICKET_REPLY_MAX;
	while (n > 0 && ((unsigned char)detail[n] & 0xc0) == 0x80)
		n--;
	cut = xasprintf("%.*s...", (int)n, detail);
	v = json_string(cut);
	free(cut);
	return v ? v : json_string("...");
}

/* One attempt to hand the message to another server, or NULL for a
 * hand-off on the machine: to a content filter on loopback, or a local
 * delivery (a relay without an address, "local" or "dovecot", a socket
 * such as Postfix's "mx1[private/dovecot-lmtp]", or none at all for a
 * delivery that succeeded).  "none" with a failure is kept:
 * the server could not be reached. */
static json_t *
attempt(json_t *r)
{
	const char *status = str(r, "status"), *detail = str(r, "detail");
	char *host, *ip;
	json_t *a;

	parse_relay(str(r, "relay"), &host, &ip);
	if ((ip && (!netaddr_is_ip(ip) || is_loopback(ip))) || (host && ip == NULL) ||
	    (ip == NULL && status && strcmp(status, "sent") == 0)) {
		free(host);
		free(ip);
		return NULL;
	}
	a = json_object();
	set_utc_text(r, "time", "time_utc");
	if (json_object_get(r, "time_utc"))
		json_object_set(a, "time_utc", json_object_get(r, "time_utc"));
	json_object_set_new(a, "relay_host", host ? json_string(host) : json_null());
	json_object_set_new(a, "relay_ip", ip ? json_string(ip) : json_null());
	if (detail && *detail)
		json_object_set_new(a, "reply", reply_text(detail));
	json_object_set_new(a, "status", status ? json_string(status) : json_null());
	set_bool(a, "sent", status && strcmp(status, "sent") == 0);
	set_bool(a, "deferred", status && strcmp(status, "deferred") == 0);
	set_bool(a, "bounced", status && strcmp(status, "bounced") == 0);
	set_bool(a, "expired", status && strcmp(status, "expired") == 0);
	set_bool(a, "other", status == NULL || (strcmp(status, "sent") != 0 &&
		 strcmp(status, "deferred") != 0 && strcmp(status, "bounced") != 0 &&
		 strcmp(status, "expired") != 0));
	free(host);
	free(ip);
	return a;
}

/* t's attempts (at most TICKET_ATTEMPTS_MAX, the first flagged, the rest
 * counted in attempts_more), logged, log_time_utc and delivered (one
 * attempt at least was accepted).  Returns whether it was delivered. */
static bool
add_delivery(json_t *t)
{
	json_t *delivery = json_object_get(t, "delivery"), *story, *r;
	json_t *attempts = json_array();
	size_t i, k, more = 0;
	bool delivered = false;

	json_array_foreach(delivery, i, story) {
		json_array_foreach(json_object_get(story, "recipients"), k, r) {
			json_t *a = attempt(r);

			if (a == NULL)
				continue;
			delivered |= json_is_true(json_object_get(a, "sent"));
			if (json_array_size(attempts) >= TICKET_ATTEMPTS_MAX) {
				more++;
				json_decref(a);
				continue;
			}
			set_bool(a, "first", json_array_size(attempts) == 0);
			json_array_append_new(attempts, a);
		}
	}
	set_bool(t, "logged", json_array_size(delivery) > 0);
	if (json_array_size(delivery) > 0) {
		set_utc_text(json_array_get(delivery, 0), "time", "time_utc");
		json_object_set(t, "log_time_utc",
				json_object_get(json_array_get(delivery, 0), "time_utc"));
	}
	json_object_set_new(t, "attempts", attempts);
	set_int(t, "attempts_more", more);
	set_ones(t, (const char *const[]){ "attempts_more" }, 1);
	set_bool(t, "delivered", delivered);
	return delivered;
}

static void
add_targets(json_t *ctx)
{
	json_t *targets = json_object_get(ctx, "targets"), *t;
	json_t *maillogs = json_object_get(ctx, "maillogs"), *m, *names = json_array();
	bool has_maillog = json_is_array(maillogs) && json_array_size(maillogs) > 0;
	size_t i, found = 0, with_id = 0, logged = 0, delivered = 0;

	json_array_foreach(targets, i, t) {
		json_t *files = json_object_get(t, "sample_files");
		const char *id = str(t, "message_id");
		bool yes = json_array_size(files) > 0;

		set_bool(t, "found", yes);
		json_object_set_new(t, "files", join_strings(files, ", "));
		set_utc_text(t, "date", "date_utc");
		found += yes;
		with_id += id && *id;
		if (add_delivery(t))
			delivered++;
		logged += json_is_true(json_object_get(t, "logged"));
		set_bool(t, "log_missing", has_maillog && id && *id &&
			 !json_is_true(json_object_get(t, "logged")));
	}
	set_bool(ctx, "no_message_id", with_id == 0);
	/* Counted over the targets as listed, so that the ticket's numbers
	 * agree with the list it shows (an id may be listed twice). */
	set_int(ctx, "nr_targets", json_array_size(targets));
	set_int(ctx, "nr_found", found);
	set_int(ctx, "nr_missing", json_array_size(targets) - found);
	set_bool(ctx, "has_missing", json_array_size(targets) > found);
	set_int(ctx, "nr_searched", json_array_size(json_object_get(ctx, "searched")));
	/* The mail logs read: what the checklist says of them. */
	json_array_foreach(maillogs, i, m)
		json_array_append(names, json_object_get(m, "file"));
	set_bool(ctx, "has_maillog", has_maillog);
	set_int(ctx, "nr_maillogs", json_array_size(names));
	json_object_set_new(ctx, "maillog_files", join_strings(names, ", "));
	json_decref(names);
	set_int(ctx, "nr_log_targets", with_id);
	set_int(ctx, "nr_logged", logged);
	set_int(ctx, "nr_delivered", delivered);
	set_bool(ctx, "all_delivered", with_id > 0 && delivered == with_id);
	set_bool(ctx, "logs_read", has_maillog && with_id > 0);
}

/* from_mbox: a sample came from an mbox file, which the ticket says is
 * copied without the lines the mbox adds (mboxsep.h). */
static void
add_from_mbox(json_t *ctx)
{
	json_t *smp;
	size_t i;
	bool mbox = false;

	json_array_foreach(json_object_get(ctx, "samples"), i, smp)
		mbox |= str(smp, "format") && strcmp(str(smp, "format"), "mbox") == 0;
	set_bool(ctx, "from_mbox", mbox);
}

/* The mail system as pack --queue saw it (summary.json "queue"): the
 * checklist ticks "sending stopped" when the MTA could not send, and
 * "queue checked" when no waiting message could leave; otherwise each
 * stays open with what was seen. */
static void
add_queue(json_t *ctx)
{
	static const struct { const char *id, *name; } names[] = {
		{ "postfix", "Postfix" }, { "exim", "Exim" }, { "sendmail", "Sendmail" },
		{ "opensmtpd", "OpenSMTPD" }, { "qmail", "qmail" },
	};
	json_t *q = json_object_get(ctx, "queue");
	const char *mta;
	json_t *can;

	set_bool(ctx, "queue_seen", json_is_object(q));
	if (!json_is_object(q))
		return;
	mta = str(q, "mta");
	for (size_t i = 0; mta && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(mta, names[i].id) == 0)
			mta = names[i].name;
	json_object_set_new(q, "mta_name", json_string(mta ? mta : "?"));
	set_utc_text(q, "seen_at", "seen_at_utc");
	can = json_object_get(q, "can_send");
	set_bool(q, "sending_stopped", json_is_false(can));
	set_bool(q, "sending_possible", json_is_true(can));
	set_bool(q, "sending_unknown", !json_is_boolean(can));
	set_bool(q, "queue_clear", json_integer_value(json_object_get(q, "could_leave")) == 0);
	set_bool(q, "queue_empty", json_integer_value(json_object_get(q, "total")) == 0);
	set_ones(q, (const char *const[]){ "could_leave", "total", "to_targets" }, 3);
}

/* The messages sent just before the block (pack --before-block). */
static void
add_before_block(json_t *ctx)
{
	json_t *recent = json_array(), *s;
	size_t i;

	json_array_foreach(json_object_get(ctx, "samples"), i, s) {
		const char *by = str(s, "selected_by");

		if (by == NULL || strcmp(by, "before-block") != 0)
			continue;
		set_utc_text(s, "date", "date_utc");
		json_array_append(recent, s);
	}
	set_int(ctx, "nr_before_block", json_array_size(recent));
	json_object_set_new(ctx, "before_block", recent);
}

/* --- the checks --------------------------------------------------------- */

/* The sentences of a findings array (each id once, in order; lint's
 * counts left out), in lang. */
static json_t *
sentences(json_t *findings, const char *lang)
{
	json_t *out = json_array(), *seen = json_object(), *v;
	size_t i;

	json_array_foreach(findings, i, v) {
		const char *id = str(v, "id"), *s;

		if (id == NULL || !lint_is_finding(id) || json_object_get(seen, id))
			continue;
		json_object_set_new(seen, id, json_true());
		s = findingtext_rule(id, lang);
		/* Never the id itself: a person reads this. */
		if (s == NULL)
			s = tr(lang, "A finding this version cannot describe (see checks/).");
		json_array_append_new(out, json_string(s));
	}
	json_decref(seen);
	return out;
}

/* The sample's checks for a person: intact, problems_text,
 * conformance_text, lint_text, dkim_text (one sentence per signature),
 * the _checked flags, the nr_ counts.  Returns whether the sample was
 * checked (the practices looked at: all but a message too large). */
static bool
add_sample_checks(json_t *s, const char *lang)
{
	static const char *const ones[] = { "nr_problems", "nr_conformance", "nr_lint",
					     "nr_signatures" };
	json_t *chk = json_object_get(s, "checks"), *sig, *dkim = json_array(), *t;
	bool lint_checked = json_is_true(json_object_get(chk, "lint_checked"));
	size_t k;

	if (!json_is_object(chk)) {
		json_decref(dkim);
		return false;
	}
	set_bool(s, "intact", json_is_true(json_object_get(chk, "intact")));
	t = sentences(json_object_get(chk, "problems"), lang);
	set_int(s, "nr_problems", json_array_size(t));
	json_object_set_new(s, "problems_text", t);
	t = sentences(json_object_get(chk, "conformance"), lang);
	set_int(s, "nr_conformance", json_array_size(t));
	json_object_set_new(s, "conformance_text", t);
	t = sentences(json_object_get(chk, "lint"), lang);
	set_int(s, "nr_lint", json_array_size(t));
	json_object_set_new(s, "lint_text", t);
	json_array_foreach(json_object_get(chk, "dkim"), k, sig) {
		char *d = findingtext_dkim(str(sig, "result") ? str(sig, "result") : "invalid",
					   str(sig, "domain"), lang);

		json_array_append_new(dkim, json_string(d ? d : "?"));
		free(d);
	}
	set_int(s, "nr_signatures", json_array_size(dkim));
	json_object_set_new(s, "dkim_text", dkim);
	set_bool(s, "dkim_checked", json_is_true(json_object_get(chk, "dkim_checked")));
	set_bool(s, "lint_checked", lint_checked);
	/* The conformance is passed over exactly when the practices are: a
	 * message or a header too large to be read. */
	set_bool(s, "conformance_checked", lint_checked);
	set_ones(s, ones, sizeof(ones) / sizeof(ones[0]));
	return lint_checked;
}

/* Per sample, add_sample_checks; then what the checklist says: how many
 * messages of those wanted (the targets as listed, and those of
 * --before-block) were checked. */
/* The findings of sample s as one JSON text, to tell two samples with
 * the same findings apart from others (new; NULL without checks). */
static char *
findings_key(json_t *s)
{
	static const char *const keys[] = {
		"intact", "problems_text", "dkim_checked", "dkim_text", "conformance_checked",
		"conformance_text", "lint_checked", "lint_text",
	};
	json_t *o;
	char *text;

	if (!json_is_object(json_object_get(s, "checks")))
		return NULL;
	o = json_object();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(s, keys[i]))
			json_object_set(o, keys[i], json_object_get(s, keys[i]));
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	return text;
}

/* same_as_previous: a sample whose findings are those of the sample
 * listed just before it, which the templates say in one line instead of
 * the same block again. */
static void
add_same_findings(json_t *ctx)
{
	json_t *s;
	char *prev = NULL;
	size_t i;

	json_array_foreach(json_object_get(ctx, "samples"), i, s) {
		char *key = findings_key(s);

		set_bool(s, "same_as_previous", key && prev && strcmp(key, prev) == 0);
		free(prev);
		prev = key;
	}
	free(prev);
}

static void
add_checks(json_t *ctx, const char *lang)
{
	json_t *checked = json_object(), *s, *t, *f;
	size_t i, k, nr = 0, not_intact = 0;
	bool any_dkim = false;

	json_array_foreach(json_object_get(ctx, "samples"), i, s) {
		const char *by = str(s, "selected_by");
		bool yes = add_sample_checks(s, lang);

		not_intact += json_is_object(json_object_get(s, "checks")) &&
			      !json_is_true(json_object_get(s, "intact"));
		any_dkim |= yes && json_is_true(json_object_get(s, "dkim_checked"));
		if (yes && str(s, "file"))
			json_object_set_new(checked, str(s, "file"), json_true());
		nr += yes && by && strcmp(by, "before-block") == 0;
	}
	json_array_foreach(json_object_get(ctx, "targets"), i, t) {
		bool yes = false;

		json_array_foreach(json_object_get(t, "sample_files"), k, f)
			yes |= json_string_value(f) &&
			       json_object_get(checked, json_string_value(f)) != NULL;
		nr += yes;
	}
	json_decref(checked);
	set_int(ctx, "nr_not_intact", not_intact);
	set_int(ctx, "nr_checked", nr);
	set_int(ctx, "nr_wanted", json_array_size(json_object_get(ctx, "targets")) +
		json_array_size(json_object_get(ctx, "before_block")));
	set_bool(ctx, "checks_done", nr > 0);
	add_same_findings(ctx);
	set_bool(ctx, "any_dkim_checked", any_dkim);
	set_int(ctx, "nr_samples", json_array_size(json_object_get(ctx, "samples")));
}

/* --- the bundle's parts -------------------------------------------------- */

/* ---- the sender's configuration (pack --posture) ---- */


static bool
word_is(json_t *o, const char *key, const char *w)
{
	const char *v = str(o, key);

	return v && strcmp(v, w) == 0;
}

/* Add a short reason the checklist item stays open. */
static void
open_reason(struct strbuf *open, const char *why, const char *lang)
{
	if (open->len)
		strbuf_addstr(open, tr(lang, "; "));
	strbuf_addstr(open, why);
}

/* "could not be checked (temperror: DNS for NAME: no answer in time)" */
static void
add_temperror(struct strbuf *sb, json_t *o, const char *lang)
{
	const char *why = str(o, "problem");

	strbuf_addstr(sb, tr(lang, "could not be checked (temperror"));
	if (why)
		strbuf_addf(sb, "%s%s", tr(lang, ": "), why);
	strbuf_addstr(sb, ")");
}

static void
add_line(json_t *lines, struct strbuf *sb)
{
	json_array_append_new(lines, json_string(sb->buf));
	strbuf_reset(sb);
}

static void
posture_ptr(json_t *lines, json_t *ptr, const char *ip, const char *lang, struct strbuf *open)
{
	json_t *names = json_object_get(ptr, "names");
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addstr(&sb, tr(lang, "Reverse DNS: "));
	if (word_is(ptr, "result", "temperror") && !json_array_size(names)) {
		add_temperror(&sb, ptr, lang);
		strbuf_addstr(&sb, ".");
		open_reason(open, tr(lang, "reverse DNS unchecked"), lang);
	} else if (!json_array_size(names)) {
		strbuf_addf(&sb, tr(lang, "%s has no PTR name."), ip);
		open_reason(open, tr(lang, "no reverse DNS"), lang);
	} else {
		strbuf_addf(&sb, tr(lang, "%s is %s"), ip,
			    json_string_value(json_array_get(names, 0)));
		for (size_t i = 1; i < json_array_size(names); i++)
			strbuf_addf(&sb, tr(lang, " and %s"), json_string_value(json_array_get(names, i)));
		if (json_is_true(json_object_get(ptr, "forward_confirmed"))) {
			strbuf_addstr(&sb, tr(lang, ", forward-confirmed."));
		} else if (word_is(ptr, "result", "temperror")) {
			strbuf_addstr(&sb, tr(lang, "; its forward confirmation could not be checked (temperror)."));
			open_reason(open, tr(lang, "forward confirmation unchecked"), lang);
		} else {
			strbuf_addstr(&sb, tr(lang, ", NOT forward-confirmed: no address record of the name gives back the IP."));
			open_reason(open, tr(lang, "reverse DNS not forward-confirmed"), lang);
		}
		if (json_is_true(json_object_get(ptr, "generic"))) {
			strbuf_addf(&sb, tr(lang, " The name looks like a provider's default (%s)."),
				    tr(lang, str(ptr, "generic_reason")));
			open_reason(open, tr(lang, "generic reverse DNS name"), lang);
		}
		if (str(ptr, "helo") && json_is_true(json_object_get(ptr, "helo_matches"))) {
			strbuf_addstr(&sb, tr(lang, " It is the HELO name of our server."));
		} else if (str(ptr, "helo")) {
			strbuf_addf(&sb, tr(lang, " Our server's HELO name is another: %s."), str(ptr, "helo"));
			open_reason(open, tr(lang, "HELO name is not the PTR name"), lang);
		}
	}
	add_line(lines, &sb);
	strbuf_release(&sb);
}

/* Is DOMAIN the envelope (SPF) or From (DMARC) domain of a message? */
static bool
used_as(json_t *p, const char *key, const char *domain)
{
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(p, "messages"), i, m)
		if (str(m, key) && strcmp(str(m, key), domain) == 0)
			return true;
	return false;
}

static void
posture_spf(json_t *lines, json_t *p, const char *ip, const char *lang, struct strbuf *open)
{
	struct strbuf sb;
	size_t i;
	json_t *o;

	strbuf_init(&sb, STRBUF_NO_MAX);
	json_array_foreach(json_object_get(p, "spf"), i, o) {
		const char *d = str(o, "domain"), *res = str(o, "result"), *mech = str(o, "mechanism");

		if (!d || !res || !used_as(p, "envelope_domain", d))
			continue;
		strbuf_addf(&sb, tr(lang, "SPF of %s: "), d);
		if (!strcmp(res, "temperror")) {
			add_temperror(&sb, o, lang);
		} else {
			strbuf_addf(&sb, tr(lang, "%s for %s"), res, ip);
			if (mech && strcmp(res, "none"))
				strbuf_addf(&sb, " (%s)", mech);
			if (!strcmp(res, "none"))
				strbuf_addstr(&sb, tr(lang, ", no SPF record"));
		}
		strbuf_addstr(&sb, ".");
		add_line(lines, &sb);
		if (strcmp(res, "pass")) {
			char *why = xasprintf(tr(lang, "SPF of %s: %s"), d, res);

			open_reason(open, why, lang);
			free(why);
		}
	}
	strbuf_release(&sb);
}

static void
posture_dmarc(json_t *lines, json_t *p, const char *lang, struct strbuf *open)
{
	struct strbuf sb;
	size_t i;
	json_t *o;

	strbuf_init(&sb, STRBUF_NO_MAX);
	json_array_foreach(json_object_get(p, "dmarc"), i, o) {
		const char *d = str(o, "domain"), *res = str(o, "result");
		json_t *al = json_object_get(o, "aligned");
		json_int_t n = json_integer_value(json_object_get(al, "messages"));
		json_int_t spf = json_integer_value(json_object_get(al, "spf"));
		json_int_t dkim = json_integer_value(json_object_get(al, "dkim"));
		json_int_t either = json_integer_value(json_object_get(al, "either"));
		char *why = NULL;

		if (!d || !res || !used_as(p, "from_domain", d))
			continue;
		strbuf_addf(&sb, tr(lang, "DMARC of %s: "), d);
		if (!strcmp(res, "temperror")) {
			add_temperror(&sb, o, lang);
			why = xasprintf(tr(lang, "DMARC of %s unchecked"), d);
		} else if (!strcmp(res, "none")) {
			strbuf_addstr(&sb, tr(lang, "no DMARC record, for the domain or its organisational domain"));
			why = xasprintf(tr(lang, "no DMARC record for %s"), d);
		} else if (!strcmp(res, "permerror")) {
			strbuf_addf(&sb, tr(lang, "the record at %s is not valid (%s)"),
				    str(o, "found_at"), str(o, "problem") ? str(o, "problem") : "permerror");
			why = xasprintf(tr(lang, "DMARC of %s not valid"), d);
		} else {
			strbuf_addf(&sb, "p=%s", str(o, "policy"));
			if (json_integer_value(json_object_get(o, "pct")) < 100)
				strbuf_addf(&sb, " pct=%" JSON_INTEGER_FORMAT,
					    json_integer_value(json_object_get(o, "pct")));
			strbuf_addf(&sb, trn(lang, ", aligned for %" JSON_INTEGER_FORMAT " of %"
					     JSON_INTEGER_FORMAT " message", ", aligned for %"
					     JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " messages",
					     (unsigned long long)n), either, n);
			if (either)
				strbuf_addf(&sb, tr(lang, " (by SPF: %" JSON_INTEGER_FORMAT ", by DKIM: %" JSON_INTEGER_FORMAT ")"),
					    spf, dkim);
			if (either < n)
				why = xasprintf(tr(lang, "DMARC of %s not aligned for every message"), d);
		}
		strbuf_addstr(&sb, ".");
		add_line(lines, &sb);
		if (why)
			open_reason(open, why, lang);
		free(why);
	}
	strbuf_release(&sb);
}
static void
posture_dnsbl(json_t *lines, json_t *p, const char *lang, struct strbuf *open)
{
	struct strbuf sb, clear, listed, refused, failed;
	size_t i, nc = 0, nl = 0, nr = 0, nf = 0;
	json_t *o, *arr = json_object_get(p, "dnsbl");

	if (!json_array_size(arr))
		return;
	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_init(&clear, STRBUF_NO_MAX);
	strbuf_init(&listed, STRBUF_NO_MAX);
	strbuf_init(&refused, STRBUF_NO_MAX);
	strbuf_init(&failed, STRBUF_NO_MAX);
	json_array_foreach(arr, i, o) {
		const char *z = str(o, "zone"), *res = str(o, "result");
		json_t *codes = json_object_get(o, "codes"), *m = json_object_get(o, "meanings");

		if (!z || !res)
			continue;
		if (!strcmp(res, "clear")) {
			strbuf_addf(&clear, "%s%s", nc++ ? ", " : "", z);
		} else if (!strcmp(res, "listed")) {
			strbuf_addf(&listed, "%s%s (", nl++ ? "; " : "", z);
			for (size_t k = 0; k < json_array_size(codes); k++)
				strbuf_addf(&listed, "%s%s%s%s", k ? ", " : "",
					    json_string_value(json_array_get(codes, k)), tr(lang, ": "),
					    posture_meaning(json_string_value(json_array_get(m, k)), lang));
			strbuf_addstr(&listed, ")");
		} else if (!strcmp(res, "refused")) {
			strbuf_addf(&refused, "%s%s (%s)", nr++ ? "; " : "", z,
				    posture_meaning(json_string_value(json_array_get(m, 0)), lang));
		} else {
			strbuf_addf(&failed, "%s%s", nf++ ? "; " : "", z);
			if (str(o, "problem"))
				strbuf_addf(&failed, " (%s)", str(o, "problem"));
		}
	}
	strbuf_addstr(&sb, tr(lang, "Blocklists: "));
	if (nc)
		strbuf_addf(&sb, tr(lang, "not listed on %zu (%s)"), nc, clear.buf);
	if (nl)
		strbuf_addf(&sb, tr(lang, "%sLISTED on %s"), nc ? "; " : "", listed.buf);
	if (nr)
		strbuf_addf(&sb, tr(lang, "%sthe query was refused, no verdict, by %s"), nc + nl ? "; " : "", refused.buf);
	if (nf)
		strbuf_addf(&sb, tr(lang, "%snot checked (temperror) on %s"),
			    nc + nl + nr ? "; " : "", failed.buf);
	strbuf_addstr(&sb, ".");
	add_line(lines, &sb);
	if (nl)
		open_reason(open, tr(lang, "listed on a blocklist"), lang);
	if (nr || nf)
		open_reason(open, tr(lang, "blocklists not all checked"), lang);
	strbuf_release(&sb);
	strbuf_release(&clear);
	strbuf_release(&listed);
	strbuf_release(&refused);
	strbuf_release(&failed);
}

/*
 * The summary's "posture" for the ticket: posture_checked and
 * posture_text (one sentence a check, in lang), posture_fine when every
 * check was made and found as it should be (the checklist item is
 * ticked), posture_open otherwise (why it stays open, one line).
 */
static void
add_posture(json_t *ctx, const char *lang)
{
	json_t *p = json_object_get(ctx, "posture"), *lines = json_array();
	const char *ip = str(ctx, "ip") ? str(ctx, "ip") : "";
	bool domains;
	struct strbuf open;
	size_t n;

	strbuf_init(&open, STRBUF_NO_MAX);
	if (!json_is_true(json_object_get(p, "checked"))) {
		set_bool(ctx, "posture_checked", false);
		set_bool(ctx, "posture_fine", false);
		json_object_set_new(ctx, "posture_open", json_string(
			word_is(p, "reason", "no-dns") ?
			tr(lang, "not checked: no DNS query was made for this report") :
			tr(lang, "not checked for this report")));
		json_object_set_new(ctx, "posture_text", lines);
		strbuf_release(&open);
		return;
	}
	if (json_is_object(json_object_get(p, "ptr")))
		posture_ptr(lines, json_object_get(p, "ptr"), ip, lang, &open);
	n = json_array_size(lines);
	posture_spf(lines, p, ip, lang, &open);
	posture_dmarc(lines, p, lang, &open);
	domains = json_array_size(lines) > n;
	posture_dnsbl(lines, p, lang, &open);
	if (json_is_false(json_object_get(p, "complete"))) {
		char *t = xasprintf(tr(lang, "The checks marked temperror could not be made: DNS failed, or did not answer within %g s per query and %g s in all."),
				    json_number_value(json_object_get(p, "timeout_seconds")),
				    json_number_value(json_object_get(p, "deadline_seconds")));

		json_array_append_new(lines, json_string(t));
		free(t);
	}
	if (!domains)
		open_reason(&open, tr(lang, "no sender domain found in the messages"), lang);
	set_bool(ctx, "posture_checked", true);
	set_bool(ctx, "posture_fine", open.len == 0);
	json_object_set_new(ctx, "posture_open", open.len ? json_string(open.buf) : json_null());
	json_object_set_new(ctx, "posture_text", lines);
	strbuf_release(&open);
}


static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* parts: the bundle's top-level files and folders ("samples/"), in the
 * tarball's order; part: the same as flags, "report.arf" as
 * part.report_arf, "samples/" as part.samples.  SHA256SUMS, TICKET.txt
 * and REPORT.html are there before pack adds them: they come after the
 * ticket (REPORT.html holds it). */
static void
add_parts(json_t *ctx, const struct bundle *b)
{
	json_t *parts = json_array(), *part = json_object();
	size_t n = 0, nr = b ? b->nr : 0;
	char **names = xcalloc(nr + 3, sizeof(*names));

	names[n++] = xstrdup("REPORT.html");
	names[n++] = xstrdup("SHA256SUMS");
	names[n++] = xstrdup("TICKET.txt");
	for (size_t i = 0; i < nr; i++) {
		const char *name = b->entries[i].name, *slash = strchr(name, '/');
		char *top = slash ? xstrndup(name, (size_t)(slash - name + 1)) : xstrdup(name);
		bool dup = false;

		for (size_t k = 0; k < n && !dup; k++)
			dup = strcmp(names[k], top) == 0;
		if (dup)
			free(top);
		else
			names[n++] = top;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char *key = xstrdup(names[i]);
		size_t len = strlen(key);

		if (len && key[len - 1] == '/')
			key[len - 1] = '\0';
		for (char *c = key; *c; c++)
			*c = *c == '.' ? '_' : (char)tolower((unsigned char)*c);
		json_array_append_new(parts, json_string(names[i]));
		set_bool(part, key, true);
		free(key);
		free(names[i]);
	}
	free(names);
	json_object_set_new(ctx, "parts", parts);
	json_object_set_new(ctx, "part", part);
}

json_t *
ticket_context(json_t *summary, const struct ticket_facts *f)
{
	static const char *const ones[] = {
		"nr_targets", "nr_found", "nr_missing", "nr_samples", "nr_before_block",
		"nr_searched", "nr_maillogs", "nr_log_targets", "nr_logged", "nr_delivered",
		"nr_checked", "nr_wanted", "nr_not_intact",
	};
	const char *lang = words_lang(f->lang) ? f->lang : "en";
	json_t *ctx = json_deep_copy(summary);

	json_object_set_new(ctx, "bundle", json_string(f->bundle ? f->bundle : ""));
	json_object_set_new(ctx, "nichandle", f->nichandle ? json_string(f->nichandle) : json_null());
	set_bool(ctx, "show_paths", f->paths);
	add_block(ctx, lang);
	add_stats(ctx);
	add_volume(ctx);
	add_targets(ctx);
	add_before_block(ctx);
	add_queue(ctx);
	add_from_mbox(ctx);
	add_checks(ctx, lang);
	add_posture(ctx, lang);
	add_parts(ctx, f->files);
	set_ones(ctx, ones, sizeof(ones) / sizeof(ones[0]));
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
	const struct template_builtin *b = NULL;
	char *raw;
	size_t raw_len;

	if (template_text == NULL && (b = builtin_for(lang)) == NULL)
		return error_set(err, EX_USAGE, "no ticket template for language '%s' "
				 "(known: " TICKET_LANGS ")", lang);
	if (template_render(b ? b->text : template_text, b ? b->len : template_len,
			    b ? b->name : template_name, ctx, FPKIT_LIMIT_TEMPLATE_OUTPUT,
			    &raw, &raw_len, err) < 0)
		return -1;
	*out = wrap_text(raw, raw_len, WRAP_WIDTH, len);
	free(raw);
	return 0;
}

void
ticket_append(char **text, size_t *len, const char *part, size_t part_len)
{
	struct strbuf sb;

	while (part_len > 0 && (part[part_len - 1] == '\n' || part[part_len - 1] == ' ' ||
				part[part_len - 1] == '\t' || part[part_len - 1] == '\r'))
		part_len--;
	if (part_len == 0)
		return;
	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_add(&sb, *text, *len);
	if (sb.len > 0)
		strbuf_addstr(&sb, "\n");
	strbuf_add(&sb, part, part_len);
	strbuf_addch(&sb, '\n');
	free(*text);
	*text = strbuf_detach(&sb, len);
}
