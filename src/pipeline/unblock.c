/* unblock.c - fpkit unblock: the guard rails, then one POST that is
 * never doubled.
 *
 * OVHcloud's guide: "Do not unblock the IP under any circumstances
 * without having suspended the sending of emails from your server,
 * otherwise you will immediately get blocked for a second time (and a
 * longer duration)."  So the unblock waits for what a person forgets:
 * the evidence kept before the queue is cleared, the mail system
 * stopped, the time the Control Panel allows (ovh-api.md section 5b).
 * A write's answer may be lost after the API did it: the state is read
 * before it is sent again (ovh.h, ovh_call_init_post). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "archivedir.h"
#include "case.h"
#include "error.h"
#include "model.h"
#include "ovh.h"
#include "ovhapi.h"
#include "ovhclient.h"
#include "queue.h"
#include "timefmt.h"
#include "unblock.h"
#include "verify.h"
#include "xalloc.h"

int
unblock_options_init(struct unblock_options *o, struct error *err)
{
	memset(o, 0, sizeof(*o));
	mta_options_init(&o->mta);
	o->poll_ms = UNBLOCK_POLL_MS;
	o->reread_ms = UNBLOCK_LOST_READ_MS;
	if (timefmt_env_ms("FPKIT_UNBLOCK_POLL_MS", 1, 3600000, &o->poll_ms, err) < 0 ||
	    timefmt_env_ms("FPKIT_UNBLOCK_REREAD_MS", 1, 3600000, &o->reread_ms, err) < 0)
		return -1;
	return 0;
}

void
unblock_result_release(struct unblock_result *r)
{
	free(r->ip);
	free(r->block);
	free(r->state);
	free(r->why);
	free(r->note);
	free(r->evidence);
	memset(r, 0, sizeof(*r));
}

static void
say(const struct unblock_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(const struct unblock_options *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (o->progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->progress(o->arg, line);
}

static void
set_state(struct unblock_result *r, const char *state)
{
	free(r->state);
	r->state = xstrdup(state);
}

/* A refusal: who refused and why (printf-like); the outcome to return. */
static int
refuse(struct unblock_result *r, const char *by, int outcome, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
refuse(struct unblock_result *r, const char *by, int outcome, const char *fmt, ...)
{
	va_list ap;

	r->refused_by = by;
	free(r->why);
	va_start(ap, fmt);
	if (vasprintf(&r->why, fmt, ap) < 0)
		r->why = NULL;
	va_end(ap);
	return outcome;
}

/* Read the SpamIp again (GET /ip/{block}/spam/{ip}) into r->state. */
static int
read_state(struct ovh *api, struct unblock_result *r, struct error *err)
{
	struct ovh_call c;
	struct model_spamip s;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	ovhapi_spam_ip(&c, r->block, r->ip);
	if (ovh_get(api, &c, err) < 0)
		goto out;
	if (model_parse_spamip(c.body.buf, c.body.len, c.path, &s, err) < 0) {
		err->status = EX_PROTOCOL;
		goto out;
	}
	set_state(r, s.state);
	rc = 0;
out:
	model_spamip_release(&s);
	ovh_call_release(&c);
	return rc;
}

/* Does the bundle at path hold this block event, and pass 'fpkit
 * verify'?  NULL when it does, else why not (new). */
static char *
bundle_refusal(const char *path, const struct unblock_result *r)
{
	struct verify_result res;
	struct diag problems = DIAG_INIT;
	struct error err = ERROR_INIT;
	char when[TIMEFMT_ISO_LEN];
	const char *ip, *at;
	char *why = NULL;

	memset(&res, 0, sizeof(res));
	timefmt_iso_utc(r->date, when);
	if (verify_bundle(path, &res, &problems, &err) < 0) {
		why = xasprintf("'%s' cannot be read as a bundle: %s", path, err.msg);
		goto out;
	}
	if (res.nr_problems) {
		why = xasprintf("'%s' fails 'fpkit verify': %s", path, problems.items[0]);
		goto out;
	}
	ip = json_string_value(json_object_get(res.summary, "ip"));
	at = json_string_value(json_object_get(res.summary, "blocked_at"));
	if (ip == NULL || strcmp(ip, r->ip) != 0 || at == NULL || strcmp(at, when) != 0)
		why = xasprintf("'%s' holds the evidence of %s blocked at %s, not of %s blocked "
				"at %s", path, ip ? ip : "(no IP)", at ? at : "(no date)", r->ip,
				when);
out:
	verify_result_release(&res);
	diag_release(&problems);
	return why;
}

/* The first guard rail: the block event's evidence is kept, in a bundle
 * given or in the archive, so that clearing the queue loses nothing. */
static int
check_evidence(const struct unblock_options *o, struct unblock_result *r, struct diag *d,
	       struct error *err)
{
	struct archive_dir_options ao;
	struct archive_dir a;
	struct stat st;
	char when[TIMEFMT_ISO_LEN], *path = NULL, *why;
	bool listed;

	timefmt_iso_utc(r->date, when);
	if (o->bundle) {
		if ((why = bundle_refusal(o->bundle, r)) != NULL) {
			refuse(r, "evidence", UNBLOCK_REFUSED, "--bundle: %s: give the bundle "
			       "'fpkit pack --ip %s' wrote for this block event, or --no-evidence",
			       why, r->ip);
			free(why);
			return UNBLOCK_REFUSED;
		}
		r->evidence = xstrdup(o->bundle);
		return UNBLOCK_DONE;
	}
	if (o->archive == NULL)
		return refuse(r, "evidence", UNBLOCK_REFUSED, "no evidence of the block of %s at "
			      "%s is known to be kept: give --archive DIR (the folder of 'fpkit "
			      "scan --archive') or --bundle FILE (written by 'fpkit pack --ip %s'), "
			      "or --no-evidence to unblock without it", r->ip, when, r->ip);
	/* Not made here: an archive that is not there holds nothing. */
	if (stat(o->archive, &st) < 0 || !S_ISDIR(st.st_mode))
		return refuse(r, "evidence", UNBLOCK_REFUSED, "--archive '%s' is not a folder: "
			      "give the folder of 'fpkit scan --archive', or --bundle FILE, or "
			      "--no-evidence", o->archive);
	memset(&ao, 0, sizeof(ao));
	ao.dir = o->archive;
	ao.unsafe_ok = o->archive_unsafe_ok;
	if (archive_dir_open(&a, &ao, d, err) < 0) {
		archive_dir_close(&a);
		error_prefix(err, "unblock");
		return -1;
	}
	listed = archive_dir_has_bundle(&a, r->ip, r->date, &path);
	archive_dir_close(&a);
	if (!listed)
		return refuse(r, "evidence", UNBLOCK_REFUSED, "archive '%s' holds no bundle of "
			      "the block of %s at %s: run 'fpkit scan --archive %s' (or 'fpkit "
			      "pack --ip %s' and give --bundle), or --no-evidence", o->archive,
			      r->ip, when, o->archive, r->ip);
	if ((why = bundle_refusal(path, r)) != NULL) {
		refuse(r, "evidence", UNBLOCK_REFUSED, "archive: %s: move it away and archive "
		       "the event again, or give --no-evidence", why);
		free(why);
		free(path);
		return UNBLOCK_REFUSED;
	}
	r->evidence = path;
	return UNBLOCK_DONE;
}

/* The second: nothing can leave the mail system (queue_facts_refusal). */
static int
check_queue(const struct unblock_options *o, struct unblock_result *r, struct diag *d,
	    char **seen)
{
	struct queue_state q;
	struct queue_facts f;
	struct error qerr = ERROR_INIT;
	char *why;
	int rc = UNBLOCK_DONE;

	queue_init(&q, d);
	if (mta_read(&o->mta, &q, &qerr) < 0) {
		rc = refuse(r, "queue", UNBLOCK_REFUSED, "the mail system cannot be read, so "
			    "fpkit cannot tell that nothing will leave: %s: give --mta or "
			    "--postfix-config, or --force when sending is stopped", qerr.msg);
		goto out;
	}
	queue_facts(&q, &f);
	if ((why = queue_facts_refusal(&f)) != NULL) {
		rc = refuse(r, "queue", UNBLOCK_REFUSED, "mail could still leave: %s: stop "
			    "sending and clear the queue first ('fpkit queue' shows it; keep "
			    "the evidence with 'fpkit pack --queue'), or give --force", why);
		free(why);
		goto out;
	}
	*seen = queue_facts_describe(&f, &q);
out:
	queue_release(&q);
	return rc;
}

/* --wait: sleep until 'earliest' by the API's clock, telling the time
 * left about once a second. */
static void
wait_until(struct ovh *api, const struct unblock_options *o, int64_t earliest)
{
	int64_t left;

	while ((left = earliest - ovh_now(api)) > 0) {
		if (o->countdown)
			o->countdown(o->arg, left, earliest);
		timefmt_sleep_ms(1000);
	}
	if (o->countdown)
		o->countdown(o->arg, 0, earliest);
}

/* The plan a person says yes to, in one paragraph (new). */
static char *
plan_text(const struct unblock_result *r, const char *queue_seen, bool forced)
{
	char when[TIMEFMT_ISO_LEN], earliest[TIMEFMT_ISO_LEN];

	return xasprintf("fpkit will unblock %s (block %s, blocked for spam at %s, earliest "
			 "unblock %s) with POST /ip/%s/spam/%s/unblock.\n"
			 "  evidence: %s\n"
			 "  mail system: %s\n"
			 "Once unblocked, mail that leaves this server counts again; a new "
			 "block lasts longer.",
			 r->ip, r->block, timefmt_iso_utc(r->date, when), r->block, r->ip,
			 timefmt_iso_utc(r->earliest, earliest),
			 r->evidence ? r->evidence : "not checked (--no-evidence)",
			 forced ? "not checked (--force)" : queue_seen ? queue_seen : "?");
}

/* After a lost answer: read the state until it is no longer
 * blockedForSpam, at most UNBLOCK_LOST_READS times, o->reread_ms apart
 * (an API that did the unblock may still show the old state for a
 * moment; the client's rate ceiling paces the reads too). */
static int
read_state_after_loss(struct ovh *api, const struct unblock_options *o,
		      struct unblock_result *r, struct error *err)
{
	for (int i = 0; ; i++) {
		if (read_state(api, r, err) < 0)
			return -1;
		if (strcmp(r->state, "blockedForSpam") != 0 || i + 1 >= UNBLOCK_LOST_READS)
			return 0;
		say(o, "unblock: the state still reads blockedForSpam (read %d of %d): reading "
		    "it again in %ld ms, in case the API is late to show the unblock", i + 1,
		    UNBLOCK_LOST_READS, o->reread_ms);
		timefmt_sleep_ms(o->reread_ms);
	}
}

/* The POST, never doubled: after a lost answer the state says whether
 * it was taken.  Returns the outcome, or -1 with err. */
static int
post_unblock(struct ovh *api, const struct unblock_options *o, struct unblock_result *r,
	     struct error *err)
{
	int sent = 0, waits = 0;

	for (;;) {
		struct ovh_call c;
		struct error perr = ERROR_INIT;
		int64_t secs;

		ovhapi_spam_unblock(&c, r->block, r->ip);
		sent++;
		if (ovh_get(api, &c, &perr) == 0) {
			const char *state = json_string_value(json_object_get(c.json, "state"));

			r->posted = true;
			/* The answer may be void (ovh-api.md section 5b). */
			set_state(r, state && model_state_valid(state) ? state : "unblocking");
			ovh_call_release(&c);
			return UNBLOCK_DONE;
		}
		if (ovhapi_still_blocked(&c, &secs)) {
			ovh_call_release(&c);
			r->earliest = ovh_now(api) + secs;
			r->remaining = secs;
			if (o->wait && waits++ < UNBLOCK_API_WAITS) {
				say(o, "unblock: the API says %s is still blocked for %" PRId64
				    " s: waiting", r->ip, secs);
				wait_until(api, o, r->earliest + 1);
				continue;
			}
			return refuse(r, "api", UNBLOCK_TOO_EARLY, "the API refused: %s is still "
				      "blocked for %" PRId64 " s: try again after that, or give "
				      "--wait", r->ip, secs);
		}
		if (!c.uncertain) {
			ovh_call_release(&c);
			*err = perr;
			return -1;
		}
		ovh_call_release(&c);
		say(o, "unblock: no sure answer (%s): reading the state to know whether it was "
		    "taken", perr.msg);
		if (read_state_after_loss(api, o, r, err) < 0) {
			error_prefix(err, "unblock: the unblock's answer was lost (%s), and its "
				     "state could not be read to tell whether it was taken: run "
				     "'fpkit unblock %s --dry-run' to see the state before trying "
				     "again", perr.msg, r->ip);
			return -1;
		}
		if (strcmp(r->state, "blockedForSpam") != 0) {
			r->posted = true;
			free(r->note);
			r->note = xasprintf("the API's answer was lost, and the state read after it "
					    "is %s: the unblock was taken", r->state);
			return UNBLOCK_DONE;
		}
		if (sent > api->opt.retries) {
			*err = perr;
			error_prefix(err, "unblock: sent %d times, the state still blockedForSpam",
				     sent);
			return -1;
		}
		say(o, "unblock: the state is still blockedForSpam: the unblock was not taken, "
		    "sending it again");
	}
}

/* --watch: read the state until it is "unblocked", never more often than
 * the client's rate allows. */
static int
watch(struct ovh *api, const struct unblock_options *o, struct unblock_result *r,
      struct error *err)
{
	int64_t start = ovh_now(api), every = o->poll_ms;
	int64_t least = 60000 / (api->opt.rate > 0 ? api->opt.rate : 1) + 1;

	if (every < least)
		every = least;
	while (strcmp(r->state, "unblocked") != 0) {
		if (ovh_now(api) - start > UNBLOCK_WATCH_MAX)
			return error_set(err, EX_TEMPFAIL, "unblock: --watch: %s is still %s after "
					 "%d s: the API took the unblock; look again later with "
					 "'fpkit scan --all-states'", r->ip, r->state,
					 UNBLOCK_WATCH_MAX);
		timefmt_sleep_ms(every);
		if (read_state(api, r, err) < 0) {
			error_prefix(err, "unblock: --watch");
			return -1;
		}
		say(o, "unblock: %s is %s (%" PRId64 " s after the unblock)", r->ip, r->state,
		    ovh_now(api) - start);
	}
	return 0;
}

/* Append what became of the POST to the archive's index. */
static void
record(const struct unblock_options *o, const struct unblock_result *r, const char *result,
       const char *message, struct diag *d)
{
	struct archive_dir_options ao;
	struct archive_dir a;
	struct error err = ERROR_INIT;
	char date[TIMEFMT_ISO_LEN], at[TIMEFMT_ISO_LEN];
	char *name = archive_dir_bundle_name(r->ip, r->date);
	json_t *line;

	memset(&ao, 0, sizeof(ao));
	ao.dir = o->archive;
	ao.unsafe_ok = o->archive_unsafe_ok;
	line = json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:s, s:s, s:b, s:b, s:o}}",
			 "ip", r->ip, "block", r->block, "date", timefmt_iso_utc(r->date, date),
			 "bundle", r->evidence ? json_string(name) : json_null(),
			 "unblock",
			 "at", timefmt_iso_utc((int64_t)time(NULL), at),
			 "result", result,
			 "state", r->state ? r->state : "",
			 "posted", r->posted,
			 "forced", o->force,
			 "message", message ? json_stringn(message, strnlen(message, 300)) :
					      json_null());
	if (line == NULL)
		error_set(&err, EX_SOFTWARE, "cannot make the record");
	else {
		if (archive_dir_open(&a, &ao, d, &err) == 0)
			archive_dir_record(&a, line, &err);
		archive_dir_close(&a);
	}
	if (err.status)
		diag_add(d, "the unblock was not recorded in archive '%s': %s", o->archive,
			 err.msg);
	json_decref(line);
	free(name);
}

/* The guard rails, the confirmation and the POST, once the SpamIp is read
 * and it is blocked. */
static int
guard_and_post(struct ovh *api, const struct unblock_options *o, struct unblock_result *r,
	       struct diag *d, struct error *err)
{
	char *seen = NULL, *plan = NULL;
	int rc, answer;

	if (!o->no_evidence && (rc = check_evidence(o, r, d, err)) != UNBLOCK_DONE)
		goto out;
	if (!o->force && (rc = check_queue(o, r, d, &seen)) != UNBLOCK_DONE)
		goto out;
	r->remaining = r->earliest - ovh_now(api);
	if (r->remaining < 0)
		r->remaining = 0;
	if (r->remaining > 0 && !o->wait) {
		char left[64], when[TIMEFMT_ISO_LEN];

		rc = refuse(r, "time", UNBLOCK_TOO_EARLY, "too early: %s stays blocked until %s "
			    "(its date + time, as the Control Panel counts), %s from now: try "
			    "again then, or give --wait", r->ip, timefmt_iso_utc(r->earliest, when),
			    timefmt_duration(r->remaining, left, sizeof(left)));
		goto out;
	}
	if (o->dry_run) {
		rc = UNBLOCK_DONE;
		goto out;
	}
	if (!o->yes) {
		plan = plan_text(r, seen, o->force);
		answer = o->confirm ? o->confirm(o->arg, plan) : -1;
		if (answer < 0) {
			rc = refuse(r, "confirmation", UNBLOCK_REFUSED, "no terminal to ask for a "
				    "confirmation: add --yes to unblock without one (or --dry-run "
				    "to check only)");
			goto out;
		}
		if (answer == 0) {
			rc = refuse(r, "confirmation", UNBLOCK_REFUSED, "not confirmed: nothing "
				    "sent");
			goto out;
		}
	}
	if (r->remaining > 0) {
		say(o, "unblock: waiting %" PRId64 " s for the earliest unblock", r->remaining);
		wait_until(api, o, r->earliest);
		r->remaining = 0;
		/* An hour may have passed: the mail system may run again. */
		free(seen);
		seen = NULL;
		if (!o->force && (rc = check_queue(o, r, d, &seen)) != UNBLOCK_DONE)
			goto out;
	}
	rc = post_unblock(api, o, r, err);
	if (rc < 0 && o->archive)
		record(o, r, "error", err->msg, d);
	if (rc < 0)
		goto out;
	if (rc == UNBLOCK_DONE && o->watch && watch(api, o, r, err) < 0) {
		if (o->archive)
			record(o, r, "accepted", err->msg, d);
		rc = -1;
		goto out;
	}
	if (o->archive)
		record(o, r, rc == UNBLOCK_DONE ? (o->watch ? "unblocked" : "accepted") :
		       "too early", rc == UNBLOCK_DONE ? r->note : r->why, d);
out:
	free(plan);
	free(seen);
	return rc;
}

int
unblock_run(struct ovhclient *client, const struct unblock_options *o,
	    struct unblock_result *r, struct diag *d, struct error *err)
{
	struct ovh *api = &client->client;
	struct fpcase kase;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	case_init(&kase);
	case_set_ip(&kase, o->ip, o->block);
	if (case_settle(&kase, err) < 0) {
		error_prefix(err, "unblock");
		goto out;
	}
	if (!client->connected) {
		client->why = "unblock";
		if (ovhclient_connect(client, d, err) < 0)
			goto out;
	}
	if (case_fetch_spamip(&kase, api, err) < 0) {
		error_prefix(err, "unblock");
		goto out;
	}
	r->ip = xstrdup(kase.ip);
	r->block = xstrdup(kase.block);
	r->date = kase.spamip.date;
	r->earliest = kase.spamip.date + kase.spamip.time;
	/* Told with every outcome, a refusal by another rail too. */
	r->remaining = r->earliest > ovh_now(api) ? r->earliest - ovh_now(api) : 0;
	set_state(r, kase.spamip.state);
	if (strcmp(r->state, "blockedForSpam") != 0) {
		/* Taken already: nothing to send, nothing to guard. */
		r->note = xasprintf("%s is %s already: nothing sent", r->ip, r->state);
		rc = UNBLOCK_DONE;
		if (o->watch && !o->dry_run && watch(api, o, r, err) < 0)
			rc = -1;
		goto out;
	}
	rc = guard_and_post(api, o, r, d, err);
out:
	case_release(&kase);
	return rc;
}
