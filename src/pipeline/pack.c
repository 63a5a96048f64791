/* pack.c - the pipeline of fpkit pack: gather, locate, package.  The
 * command line (cmd_pack.c) fills the run state; others (scan --archive)
 * may too. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "arf.h"
#include "beforeblock.h"
#include "dkim.h"
#include "dns.h"
#include "fpkit.h"
#include "inline.h"
#include "logs.h"
#include "mta.h"
#include "pack.h"
#include "posture.h"
#include "queuecase.h"
#include "queuefiles.h"
#include "reporthtml.h"
#include "route.h"
#include "stagetime.h"
#include "summary.h"
#include "textsafe.h"
#include "ticket.h"
#include "timefmt.h"
#include "xalloc.h"

/* Stage 'name' ends now (--timing): the clocks are read whether the
 * option is given or not, a few system calls a run. */
static void
lap(struct fpkit *fp, const char *name)
{
	stagetime_lap(&fp->times, name);
}

void
pack_init(struct fpkit *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->lang = "en";
	fp->check_opt.date_slack = CHECKS_DATE_SLACK_DEFAULT;
	fp->inline_opt.max = INLINE_MAX_DEFAULT;
	case_init(&fp->kase);
	alert_init(&fp->alert);
	targets_init(&fp->targets);
	finder_init(&fp->finder, &fp->targets, &fp->diag);
	maillog_init(&fp->trail, &fp->diag);
	posture_options_init(&fp->posture_opt);
}

/* The account's NIC handle, for the ticket's closing.  A key without
 * the right GET /me, or an API that fails to answer it, costs the
 * closing only: it is left for the user to fill, with a warning. */
static void
nichandle(struct fpkit *fp)
{
	struct error e = ERROR_INIT;

	if (ovhclient_nichandle(&fp->api.client, &fp->nichandle, &e) < 0)
		diag_add(&fp->diag, "the account's NIC handle could not be read (%s): the "
			 "ticket's closing is left for you to fill", e.msg);
}

/* Gather from the API: the block, its SpamIp object and its stats. */
static int
fetch(struct fpkit *fp, struct error *err)
{
	int rc = -1;

	/* The IP and the block are checked before anything is asked. */
	if (case_settle(&fp->kase, err) < 0)
		return -1;
	fp->api.why = "pack: without --spam-ip-json or --stats-json, fpkit asks the API";
	if (ovhclient_connect(&fp->api, &fp->diag, err) < 0)
		return -1;
	if (case_fetch(&fp->kase, &fp->api.client, fp->from, fp->to, err) < 0)
		goto out;
	if (fp->save_api && case_save_api(&fp->kase, fp->save_api, err) < 0)
		goto out;
	nichandle(fp);
	rc = 0;
out:
	ovhclient_release(&fp->api);
	return rc;
}

/* The alert's IP for the case when nothing else names one; an alert
 * about another IP than the case's is the wrong file. */
static int
alert_ip(struct fpkit *fp, struct error *err)
{
	struct fpcase *c = &fp->kase;
	const char *ip = c->ip ? c->ip : c->has_spamip ? c->spamip.ip : NULL;

	if (ip == NULL && fp->alert.ip == NULL)
		return error_set(err, EX_DATAERR, "pack: no blocked IP found in the alert '%s': "
				 "give --spam-ip-json, or --ip", fp->alert_file);
	if (ip == NULL)
		case_set_ip(c, fp->alert.ip, fp->block);
	else if (fp->alert.ip && strcmp(ip, fp->alert.ip) != 0)
		return error_set(err, EX_DATAERR, "pack: the alert '%s' is about %s, not %s: is "
				 "it the right file?", fp->alert_file, fp->alert.ip, ip);
	return 0;
}

/* Is the alert's target t, which has no Message-ID, among the stats'
 * targets (the same destination)? */
static bool
in_stats_by_destination(const struct model_stats *st, const struct alert_target *t)
{
	for (size_t k = 0; k < st->nr_targets; k++)
		if (t->destination_ip && strcmp(t->destination_ip, st->targets[k].destination_ip) == 0)
			return true;
	return false;
}

/* The case's targets: the stats' ones in their order, then the alert's
 * that the stats lack (all of them when there are no stats), each id
 * made canonical once (targets.c). */
static void
list_targets(struct fpkit *fp)
{
	const struct model_stats *st = &fp->kase.stats;

	for (size_t i = 0; fp->kase.has_stats && i < st->nr_targets; i++)
		targets_add_stats(&fp->targets, i, st->targets[i].message_id);
	if (!fp->alert_file)
		return;
	fp->alert_extra = xcalloc(fp->alert.nr_targets ? fp->alert.nr_targets : 1,
				  sizeof(*fp->alert_extra));
	fp->alert_extra_target = xcalloc(fp->alert.nr_targets ? fp->alert.nr_targets : 1,
					 sizeof(*fp->alert_extra_target));
	for (size_t i = 0; i < fp->alert.nr_targets; i++) {
		const struct alert_target *t = &fp->alert.targets[i];
		bool added = false;
		long k = -1;

		if (t->message_id) {
			k = targets_add(&fp->targets, t->message_id, &added);
			if (k >= 0 && fp->targets.items[k].alert < 0)
				fp->targets.items[k].alert = (long)i;
		}
		if (k >= 0 ? !added : fp->kase.has_stats && in_stats_by_destination(st, t))
			continue;
		fp->alert_extra_target[fp->nr_alert_extra] = k;
		fp->alert_extra[fp->nr_alert_extra++] = i;
	}
	if (fp->kase.has_stats && fp->nr_alert_extra)
		diag_add(&fp->diag, "the alert lists %zu message%s the stats do not: %s added to "
			 "the targets", fp->nr_alert_extra, fp->nr_alert_extra == 1 ? "" : "s",
			 fp->nr_alert_extra == 1 ? "it is" : "they are");
}

/* A block that is over, or being lifted, is no longer one to unblock:
 * the ticket asks for a review of a past block (ticket.c). */
static void
warn_state(struct fpkit *fp)
{
	const struct model_spamip *sp = &fp->kase.spamip;
	char at[TIMEFMT_ISO_LEN], until[TIMEFMT_ISO_LEN];

	if (!fp->kase.has_spamip || strcmp(sp->state, "blockedForSpam") == 0)
		return;
	timefmt_iso_utc(sp->date, at);
	timefmt_iso_utc(sp->time >= 0 && sp->time <= TIMEFMT_MAX - sp->date ?
			sp->date + sp->time : sp->date, until);
	if (strcmp(sp->state, "unblocked") == 0)
		diag_add(&fp->diag, "%s is no longer blocked (state 'unblocked'; blocked from %s "
			 "to %s): the ticket asks for a review of a past block, not for an "
			 "unblock", sp->ip, at, until);
	else
		diag_add(&fp->diag, "the block of %s is being lifted (state '%s'; its time ended "
			 "at %s): the ticket asks for a review of the block, not for an "
			 "unblock", sp->ip, sp->state, until);
}

/* Gather: the case from the saved API documents, or from the API, and
 * from the alert e-mail (--alert): the API's data wins, the alert gives
 * what it lacks (the IP, the block time, targets). */
static int
gather(struct fpkit *fp, struct error *err)
{
	if (fp->alert_file && alert_load(&fp->alert, fp->alert_file, &fp->diag, err) < 0) {
		error_prefix(err, "pack: --alert");
		return -1;
	}
	case_set_ip(&fp->kase, fp->ip, fp->block);
	if (fp->fetch && fetch(fp, err) < 0) {
		if (fp->alert_file && err->status == EX_CONFIG) {
			size_t n = strlen(err->msg);

			snprintf(err->msg + n, sizeof(err->msg) - n, " (with --alert and without "
				 "--ip, no API is asked)");
		}
		return -1;
	}
	if (fp->spamip_json && case_load_spamip(&fp->kase, fp->spamip_json, err) < 0)
		return -1;
	if (fp->stats_json && case_load_stats(&fp->kase, fp->stats_json, err) < 0)
		return -1;
	if (fp->alert_file && alert_ip(fp, err) < 0)
		return -1;
	if (case_settle(&fp->kase, err) < 0)
		return -1;
	if (fp->alert_file && !fp->kase.has_blocked_at && fp->alert.has_date) {
		fp->kase.blocked_at = fp->alert.date;
		fp->kase.has_blocked_at = true;
	}
	list_targets(fp);
	warn_state(fp);
	if (!fp->kase.has_blocked_at)
		return error_set(err, EX_DATAERR, "pack: no block date in the documents given%s",
				 fp->alert_file ? " (the alert has no Date header that can be read, and no date in "
				 "its text)" : "");
	return 0;
}

/* Locate: every target id in every store. */
static int
locate(struct fpkit *fp, struct error *err)
{
	for (size_t i = 0; i < fp->targets.nr_stats; i++)
		if (fp->targets.by_stats[i] < 0)
			diag_add(&fp->diag, "target %zu has an empty Message-ID: it cannot be searched",
				 i + 1);
	for (size_t i = 0; i < fp->nr_alert_extra; i++) {
		const struct alert_target *t = &fp->alert.targets[fp->alert_extra[i]];

		if (fp->alert_extra_target[i] < 0)
			diag_add(&fp->diag, "the alert gives no Message-ID for its message to %s: it "
				 "cannot be searched (--before-block takes the messages sent "
				 "before the block)", t->destination_ip ? t->destination_ip : "(none)");
	}
	if (fp->targets.nr == 0 && fp->before_block == 0)
		diag_add(&fp->diag, "no Message-ID was given for this block (%s): no message "
			 "is searched for; give --before-block N to attach the N messages sent "
			 "just before the block", fp->alert_file ? "neither by the stats nor by "
			 "the alert" : fp->kase.has_stats ? "the stats name none" : "no stats, no alert");
	if (fp->before_block)
		beforeblock_want(&fp->before, &fp->finder, fp->before_block, fp->kase.blocked_at);
	if (fp->nr_mail == 0 && (fp->targets.nr > 0 || fp->before_block))
		diag_add(&fp->diag, "no --mail given: no message was searched for");
	for (size_t i = 0; i < fp->nr_mail; i++)
		if (finder_scan(&fp->finder, fp->mail[i], err) < 0)
			return -1;
	return 0;
}

/* The samples: the targets' copies found, and the messages taken as
 * sent before the block, each read once. */
static int
collect(struct fpkit *fp, struct error *err)
{
	finder_sort(&fp->finder);
	return sample_collect(&fp->samples, &fp->finder, &fp->diag, err);
}

/* Trail: the mail-log lines about every target (--maillog), followed
 * through their queue ids, and with --before-block those of the messages
 * dated before the block, to choose among them; classic syslog years
 * are taken from the block time.  Its warnings go to 'diag'. */
static int
trail_into(struct fpkit *fp, struct diag *diag, struct error *err)
{
	if (fp->nr_maillog == 0)
		return 0;
	fp->trail.diag = diag;
	for (size_t i = 0; i < fp->targets.nr; i++)
		if (!fp->targets.items[i].recent)
			maillog_add_target(&fp->trail, fp->targets.items[i].id,
					   fp->targets.items[i].shown);
	if (fp->before_block)
		beforeblock_follow(&fp->before, &fp->finder, &fp->trail);
	for (size_t i = 0; i < fp->nr_maillog; i++)
		if (maillog_add_file(&fp->trail, fp->maillog[i], err) < 0) {
			error_prefix(err, "pack");
			return -1;
		}
	if (fp->trail.nr_targets == 0)
		diag_add(diag, "no Message-ID to look for in the mail logs");
	/* The sending volume is counted in the trail's first pass. */
	volume_start(&fp->volume, fp->kase.blocked_at, fp->log_host, diag);
	maillog_watch(&fp->trail, volume_feed, &fp->volume);
	if (maillog_scan(&fp->trail, fp->kase.blocked_at, err) < 0)
		return -1;
	volume_finish(&fp->volume);
	logclock_check(&fp->clock, &fp->trail, &fp->targets, &fp->kase.stats,
		       fp->kase.blocked_at, diag);
	return 0;
}

static int
trail(struct fpkit *fp, struct error *err)
{
	return trail_into(fp, &fp->diag, err);
}

/*
 * Without --before-block the mail logs do not depend on the stores: they
 * are read in a thread of their own while the stores are searched and
 * the samples read, so that the run takes about the longer of the two,
 * not their sum.  The thread touches the trail, the volume and the clock
 * alone, and reads the targets' ids, which the search does not change;
 * its warnings wait in a list of their own and join the run's after the
 * samples', where reading the logs after them would have put them, so
 * that a run says the same things in the same order either way.
 */
struct trail_job {
	struct fpkit *fp;
	pthread_t tid;
	bool running;
	atomic_bool stop;	/* the run stopped before the trail: not wanted */
	struct diag diag;
	struct error err;
	int rc;
	double wall, cpu;	/* its own: its threads' CPU time */
};

static void *
trail_thread(void *arg)
{
	struct trail_job *job = arg;
	struct timespec w0, w1, c1;

	clock_gettime(CLOCK_MONOTONIC, &w0);
	job->rc = trail_into(job->fp, &job->diag, &job->err);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	job->wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
	/* and that of the threads that read the logs ahead of it */
	job->cpu = (double)c1.tv_sec + (double)c1.tv_nsec / 1e9 + job->fp->trail.read_cpu;
	return NULL;
}

/* Start the thread; when it cannot be, the trail is read in its turn. */
static void
trail_start(struct fpkit *fp, struct trail_job *job)
{
	memset(job, 0, sizeof(*job));
	job->fp = fp;
	job->err = (struct error)ERROR_INIT;
	atomic_init(&job->stop, false);
	if (fp->before_block || fp->nr_maillog == 0)
		return;
	fp->trail.stop = &job->stop;
	job->running = pthread_create(&job->tid, NULL, trail_thread, job) == 0;
	if (!job->running)
		fp->trail.stop = NULL;
}

/* Wait for the thread.  With 'keep', its warnings join the run's and its
 * failure is the run's (-1, err set); else both are dropped, as when
 * the run stops before the trail. */
static int
trail_finish(struct fpkit *fp, struct trail_job *job, bool keep, struct error *err)
{
	int rc = 0;

	if (!job->running)
		return 0;
	/* Not wanted: stopped within a window of bytes, not read to the end. */
	if (!keep)
		atomic_store(&job->stop, true);
	pthread_join(job->tid, NULL);
	job->running = false;
	if (keep) {
		for (size_t i = 0; i < job->diag.nr; i++)
			diag_add(&fp->diag, "%s", job->diag.items[i]);
		stagetime_add(&fp->times, "trail", job->wall, job->cpu);
		if (job->rc < 0) {
			*err = job->err;
			rc = -1;
		}
	}
	fp->trail.stop = NULL;
	if (!keep) {
		/* As if never read. */
		maillog_release(&fp->trail);
		maillog_init(&fp->trail, &fp->diag);
		volume_release(&fp->volume);
		memset(&fp->clock, 0, sizeof(fp->clock));
	}
	fp->trail.diag = &fp->diag;
	fp->volume.diag = &fp->diag;
	diag_release(&job->diag);
	return rc;
}

/* The bundle's top folder and file name, and where to write it. */
static int
name_bundle(struct fpkit *fp, char **top, struct error *err)
{
	char when[TIMEFMT_ISO_LEN];
	struct stat st;
	char *file;

	*top = xasprintf("fpkit-%s-%s", fp->kase.ip,
			 timefmt_compact_utc(fp->kase.blocked_at, when));
	file = xasprintf("%s.tar.gz", *top);
	if (fp->output == NULL)
		fp->bundle_path = xstrdup(file);
	else if (stat(fp->output, &st) == 0 && S_ISDIR(st.st_mode))
		fp->bundle_path = xasprintf("%s%s%s", fp->output,
					    fp->output[strlen(fp->output) - 1] == '/' ? "" : "/", file);
	else if (*fp->output && fp->output[strlen(fp->output) - 1] == '/')
		error_set(err, EX_CANTCREAT, "pack: -o '%s': no such folder: create it first",
			  fp->output);
	else
		fp->bundle_path = xstrdup(fp->output);
	free(file);
	if (fp->bundle_path == NULL) {
		free(*top);
		*top = NULL;
		return -1;
	}
	/* --unpacked: beside the tarball, named as its top folder, as
	 * extracting it would give. */
	if (fp->unpacked) {
		const char *slash = strrchr(fp->bundle_path, '/');

		fp->folder_path = slash ? xasprintf("%.*s%s", (int)(slash - fp->bundle_path + 1),
						    fp->bundle_path, *top) : xstrdup(*top);
	}
	return 0;
}

/* Every entry's mtime: SOURCE_DATE_EPOCH when set (reproducible-builds
 * convention: a malformed value is an error, not ignored), else the block
 * time. */
static int
bundle_mtime(const struct fpkit *fp, int64_t *mtime, struct error *err)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (sde && *sde) {
		errno = 0;
		v = strtoll(sde, &end, 10);
		/* Digits only (strtoll would take blanks and a sign), within
		 * TIMEFMT_MAX as every time from outside (GNU tar cannot read
		 * the entries of a bundle dated 2^63 - 1). */
		if (*sde < '0' || *sde > '9' || *end != '\0' || errno || v > TIMEFMT_MAX)
			return error_set(err, EX_USAGE, "SOURCE_DATE_EPOCH='%.32s' is not a number "
					 "of seconds from 1970 to 9999", sde);
		*mtime = v;
		return 0;
	}
	*mtime = fp->kase.blocked_at > 0 ? fp->kase.blocked_at : 0;
	return 0;
}

/* Check: every sample's integrity, DKIM and best practices, into
 * fp->checks and the summary's samples.  The Date must fall in the stats
 * window: from the first target's sending date to the block.  DKIM is
 * verified as of the block time, so that the same inputs give the same
 * findings whenever pack runs (DNS answers aside). */
static int
check_samples(struct fpkit *fp, struct checks *chk, struct error *err)
{
	const struct model_stats *st = &fp->kase.stats;
	struct checks_options o = fp->check_opt;
	json_t *samples = json_object_get(fp->summary, "samples");

	o.ip = fp->kase.ip;
	if (fp->kase.has_blocked_at) {
		o.has_window = true;
		o.window_from = o.window_to = fp->kase.blocked_at;
		for (size_t i = 0; fp->kase.has_stats && i < st->nr_targets; i++) {
			if (st->targets[i].date < o.window_from)
				o.window_from = st->targets[i].date;
			if (st->targets[i].date > o.window_to)
				o.window_to = st->targets[i].date;
		}
		o.has_dkim_time = true;
		o.dkim_time = fp->kase.blocked_at;
	}
	if (checks_init(chk, &o, err) < 0) {
		error_prefix(err, "pack");
		return -1;
	}
	fp->checks = xcalloc(fp->samples.nr ? fp->samples.nr : 1, sizeof(*fp->checks));
	for (size_t i = 0; i < fp->samples.nr; i++) {
		const struct sample *s = &fp->samples.items[i];

		checks_run_message(chk, &s->msg, *s->message_id ? &fp->targets.items[s->hit->target]
				   : NULL, &fp->checks[i]);
		summary_set_checks(json_array_get(samples, i), checks_to_json(&fp->checks[i], chk));
		if (!fp->checks[i].intact) {
			const struct check_list *p = &fp->checks[i].problems;
			char ids[256] = "";
			size_t n = 0;

			for (size_t k = 0; k < p->nr && n + 2 < sizeof(ids); k++)
				n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%s", k ? ", " : "",
						      p->items[k].id);
			diag_add(&fp->diag, "sample '%s' is NOT INTACT (%s): support may refuse it; "
				 "packed anyway, see '%s' and look for a better copy", s->file, ids,
				 s->check_file);
		}
	}
	return 0;
}

/* The summary's view of the alert: the targets only it lists, after the
 * stats' ones, and "alert" (the file in the bundle, where it came from,
 * its IP, date and number of messages). */
static void
summarize_alert(struct fpkit *fp)
{
	json_t *targets = json_object_get(fp->summary, "targets");
	json_t *source = json_string(fp->alert_file);
	char iso[TIMEFMT_ISO_LEN];

	/* A file name that is not UTF-8 is shown as textsafe shows it. */
	if (source == NULL) {
		char *safe = textsafe_visible(fp->alert_file, strlen(fp->alert_file));

		source = json_string(safe);
		free(safe);
	}
	for (size_t i = 0; i < fp->nr_alert_extra; i++) {
		const struct alert_target *t = &fp->alert.targets[fp->alert_extra[i]];

		json_array_append_new(targets, summary_target(t->message_id, t->destination_ip,
			t->has_spamscore, t->spamscore, false, 0, "alert",
			fp->alert_extra_target[i], &fp->samples));
	}
	json_object_set_new(fp->summary, "alert", json_pack("{s:s, s:o, s:o, s:o, s:I}",
		"file", "alert/alert.eml",
		"source", source,
		"ip", fp->alert.ip ? json_string(fp->alert.ip) : json_null(),
		"date", fp->alert.has_date ? json_string(timefmt_iso_utc(fp->alert.date, iso)) :
			json_null(),
		"targets", (json_int_t)fp->alert.nr_targets));
}

/* TICKET.txt's text, from the summary and the files already in the
 * bundle. */
static int
render_ticket(struct fpkit *fp, struct error *err)
{
	struct ticket_facts f;
	const char *base = strrchr(fp->bundle_path, '/');
	json_t *ctx;
	int rc;

	memset(&f, 0, sizeof(f));
	f.lang = fp->lang;
	f.bundle = base ? base + 1 : fp->bundle_path;
	f.files = &fp->bundle;
	f.nichandle = fp->nichandle;
	f.paths = fp->ticket_paths;
	ctx = ticket_context(fp->summary, &f);
	rc = ticket_render(fp->lang, fp->template_path, fp->template_text, fp->template_len, ctx,
			   &fp->ticket, &fp->ticket_len, err);
	json_decref(ctx);
	return rc;
}

/* The summary's view of the mail system (pack --queue): what the ticket's
 * checklist says of the queue and of sending, with when it was seen. */
static json_t *
tri_json(enum queue_tri t)
{
	return t == QUEUE_UNKNOWN ? json_null() : json_boolean(t == QUEUE_YES);
}

static void
summarize_queue(struct fpkit *fp)
{
	const struct queue_state *q = &fp->queue_state;
	struct queue_facts f;
	char iso[TIMEFMT_ISO_LEN];
	json_t *queues = json_object();
	size_t to_targets = 0;

	queue_facts(q, &f);
	for (size_t i = 0; i < q->nr_queues; i++)
		json_object_set_new(queues, q->queues[i].name,
				    json_integer((json_int_t)q->queues[i].count));
	for (size_t i = 0; i < q->nr_msgs; i++)
		to_targets += q->msgs[i].match != 0;
	json_object_set_new(fp->summary, "queue", json_pack("{s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:I}",
		"seen_at", timefmt_iso_utc(f.seen_at, iso),
		"mta", f.mta,
		"running", tri_json(f.running),
		"can_send", tri_json(f.can_send),
		"total", (json_int_t)f.total,
		"could_leave", (json_int_t)f.could_leave,
		"queues", queues,
		"to_targets", (json_int_t)to_targets));
}

/* ---- the sender's posture (pack --posture) ---- */

/* The first envelope sender the mail log gives for a target. */
static void
first_sender(const char *addr, const char *where, void *data)
{
	char **out = data;
	const char *at = strrchr(addr, '@');

	(void)where;
	if (!*out && at && posture_domain_ok(at + 1)) {
		*out = xstrdup(at + 1);
		for (char *p = *out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 'a' - 'A';
	}
}

struct posture_input {
	struct posture_message *msgs;
	char **owned;		/* the strings the messages point to */
	size_t nr_owned, alloc_owned;
	const char **domains;	/* the envelope domains (SPF), each once */
	size_t nr_domains, alloc_domains;
	const char **froms;	/* the From domains (DMARC), each once */
	size_t nr_froms, alloc_froms;
};

static const char *
keep(struct posture_input *in, char *s)
{
	if (!s)
		return NULL;
	in->owned = xgrow(in->owned, in->nr_owned + 1, &in->alloc_owned, sizeof(*in->owned));
	in->owned[in->nr_owned++] = s;
	return s;
}

static void
add_domain(const char ***list, size_t *nr, size_t *alloc, const char *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < *nr; i++)
		if (!strcmp((*list)[i], d))
			return;
	*list = xgrow(*list, *nr + 1, alloc, sizeof(**list));
	(*list)[(*nr)++] = d;
}

/* Each sample's domains: From (DMARC), the envelope sender's
 * (Return-Path, else the mail log's from=: SPF), the d= of each DKIM
 * signature that passed (alignment). */
static void
posture_input(struct fpkit *fp, struct posture_input *in)
{
	in->msgs = xcalloc(fp->samples.nr ? fp->samples.nr : 1, sizeof(*in->msgs));
	for (size_t i = 0; i < fp->samples.nr; i++) {
		const struct sample *s = &fp->samples.items[i];
		const struct checks_result *c = &fp->checks[i];
		struct posture_message *m = &in->msgs[i];
		const char **pass = xcalloc(c->nr_sigs ? c->nr_sigs : 1, sizeof(*pass));
		size_t hlen;
		const char *head = sample_header(s, &hlen);
		char *env = posture_header_domain(head, hlen, "Return-Path");

		keep(in, (char *)pass);
		m->file = s->file;
		m->from_domain = keep(in, posture_header_domain(head, hlen, "From"));
		m->envelope_source = "return-path";
		if (!env && *s->message_id && fp->nr_maillog) {
			long k = maillog_find_target(&fp->trail, fp->targets.items[s->hit->target].id);

			if (k >= 0)
				route_senders(&fp->trail, (size_t)k, first_sender, &env);
			m->envelope_source = "maillog";
		}
		m->envelope_domain = keep(in, env);
		m->dkim_checked = c->dkim_skipped == NULL;
		for (size_t k = 0; k < c->nr_sigs; k++)
			if (c->sigs[k].result == DKIMV_PASS && posture_domain_ok(c->sigs[k].domain))
				pass[m->nr_dkim_pass++] = c->sigs[k].domain;
		m->dkim_pass = pass;
		add_domain(&in->froms, &in->nr_froms, &in->alloc_froms, m->from_domain);
		add_domain(&in->domains, &in->nr_domains, &in->alloc_domains, m->envelope_domain);
	}
}

static void
posture_input_release(struct posture_input *in)
{
	for (size_t i = 0; i < in->nr_owned; i++)
		free(in->owned[i]);
	free(in->owned);
	free(in->domains);
	free(in->froms);
	free(in->msgs);
}

/* Not checked: the summary says so, and why. */
static void
posture_unchecked(struct fpkit *fp)
{
	json_object_set_new(fp->summary, "posture", json_pack("{s:b, s:s}", "checked", 0,
		"reason", fp->posture_opt.no_dns ? "no-dns" : "not-asked"));
}

/*
 * The posture of the blocked IP and of the samples' domains, asked
 * within the deadline: posture.json (the result, each sample's DMARC
 * verdict, and the DNS answers as seen) and the summary's "posture".
 * The answers' time is SOURCE_DATE_EPOCH's when it is set, as every
 * entry's mtime, so that the same answers give the same bundle.
 */
static int
check_posture(struct fpkit *fp, struct error *err)
{
	static const char *no_domain[] = { NULL };
	struct posture_request req = { .spf = true, .dmarc = true, .ptr = true };
	const struct posture_options *po = &fp->posture_opt;
	struct posture_input in;
	struct dns_resolver *r;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	json_t *p, *summary;
	char *text, *helo = NULL;

	if (!po->enabled) {
		posture_unchecked(fp);
		return 0;
	}
	r = dns_new(po->server, po->timeout_ms, po->deadline_ms, err);
	if (!r) {
		error_prefix(err, "pack");
		return -1;
	}
	dns_keep_answers(r, sde && *sde ? fp->bundle.mtime : -1);
	memset(&in, 0, sizeof(in));
	posture_input(fp, &in);
	req.ip = fp->kase.ip;
	req.domains = in.domains;
	req.nr_domains = in.nr_domains;
	/* DMARC of the From domains alone, none when there is none. */
	req.dmarc_domains = in.froms ? in.froms : no_domain;
	req.nr_dmarc_domains = in.nr_froms;
	posture_options_request(po, &req);
	/* --queue read Postfix: its HELO name, unless --helo gives one. */
	if (!po->helo && fp->queue && fp->queue_state.mta && !strcmp(fp->queue_state.mta, "postfix")) {
		struct error e = ERROR_INIT;

		if (mta_helo(&fp->queue_opt, &helo, &e) < 0)
			diag_add(&fp->diag, "the HELO name could not be read (%s): not compared "
				 "with the reverse DNS", e.msg);
		req.helo = helo;
	}
	p = posture_check(r, &req);
	posture_messages(p, in.msgs, fp->samples.nr);
	json_object_set_new(p, "timeout_seconds", json_real(po->timeout_ms / 1000.0));
	json_object_set_new(p, "deadline_seconds", json_real(po->deadline_ms / 1000.0));
	json_object_set_new(p, "complete", json_boolean(!posture_incomplete(p)));
	summary = json_deep_copy(p);
	json_object_set_new(p, "answers", posture_answers(r));
	dns_free(r);
	free(helo);
	posture_input_release(&in);
	text = json_dumps(p, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	bundle_add_take(&fp->bundle, "posture.json", xasprintf("%s\n", text), strlen(text) + 1);
	free(text);
	json_object_set_new(summary, "checked", json_true());
	json_object_set_new(summary, "file", json_string("posture.json"));
	json_object_set_new(fp->summary, "posture", summary);
	if (posture_incomplete(p))
		diag_add(&fp->diag, "some checks of the sender's configuration could not be made "
			 "(DNS did not answer in time, within the deadline of %.3g s, or failed): "
			 "the ticket names them; see posture.json", po->deadline_ms / 1000.0);
	json_decref(p);
	return 0;
}

/* Package: summary with the checks, the files, the ticket, the tarball. */
static int
package(struct fpkit *fp, struct error *err)
{
	struct checks chk;
	char *top, *text;
	int64_t mtime = 0;
	size_t len;
	int rc = -1;

	memset(&chk, 0, sizeof(chk));
	if (bundle_mtime(fp, &mtime, err) < 0 || name_bundle(fp, &top, err) < 0)
		return -1;
	bundle_init(&fp->bundle, top, mtime);
	free(top);
	fp->summary = summary_build(&fp->kase, &fp->targets, &fp->finder, &fp->samples);
	if (fp->alert_file)
		summarize_alert(fp);
	if (fp->queue)
		summarize_queue(fp);
	/* logs/ and each target's delivery facts, before the ticket reads
	 * the summary. */
	if (fp->nr_maillog)
		logs_add(&fp->bundle, &fp->trail, fp->summary);
	logs_add_volume(fp->summary, &fp->volume, &fp->clock);
	lap(fp, "summary");
	if (check_samples(fp, &chk, err) < 0)
		goto out;
	lap(fp, "checks");
	if (check_posture(fp, err) < 0)
		goto out;
	if (fp->posture_opt.enabled)
		lap(fp, "posture");
	text = summary_dump(fp->summary, &len);
	bundle_add_take(&fp->bundle, "summary.json", text, len);
	if (fp->kase.has_spamip)
		bundle_add_data(&fp->bundle, "api/spam-ip.json", fp->kase.spamip_raw.buf,
				fp->kase.spamip_raw.len);
	if (fp->kase.has_stats)
		bundle_add_data(&fp->bundle, "api/stats.json", fp->kase.stats_raw.buf,
				fp->kase.stats_raw.len);
	if (fp->alert_file)
		bundle_add_data(&fp->bundle, "alert/alert.eml", fp->alert.raw.buf,
				fp->alert.raw.len);
	for (size_t i = 0; i < fp->samples.nr; i++) {
		const struct sample *s = &fp->samples.items[i];
		char *desc, *found;

		if (s->spooled)
			bundle_add_fd(&fp->bundle, s->file, s->spool, s->data_len, s->sha256);
		else
			bundle_add_ref(&fp->bundle, s->file, s->data, s->data_len, s->sha256);
		/* checks/NN-<id>.txt: where the sample came from, then what
		 * fpkit check finds in it. */
		desc = sample_describe(s);
		found = checks_render_text(&fp->checks[i], &chk, s->file);
		text = xasprintf("%s\n%s", desc, found);
		free(desc);
		free(found);
		bundle_add_take(&fp->bundle, s->check_file, text, strlen(text));
	}
	/* report.arf: the samples again, as feedback reports (arf.h). */
	if (arf_bundle(&fp->kase, &fp->targets, &fp->samples, &fp->trail, &fp->bundle, err) < 0)
		return -1;
	if (fp->queue)
		queuefiles_add(&fp->bundle, &fp->queue_state, &fp->queue_dest);
	/* The ticket last: it describes the bundle's other files. */
	if (render_ticket(fp, err) < 0)
		goto out;
	/* --inline: the headers and log lines after the ticket as rendered
	 * (inline.h), in TICKET.txt and in what pack prints. */
	if (fp->inline_text) {
		const char *base = strrchr(fp->bundle_path, '/');

		fp->inline_opt.lang = fp->lang;
		fp->inline_opt.local_paths = fp->ticket_paths;
		inline_append(&fp->ticket, &fp->ticket_len, &fp->inline_opt, &fp->samples,
			      &fp->targets, &fp->trail, fp->summary, base ? base + 1 : fp->bundle_path);
	}
	bundle_add_data(&fp->bundle, "TICKET.txt", fp->ticket, fp->ticket_len);
	/* REPORT.html: the same facts as a page, the ticket in it. */
	{
		const char *base = strrchr(fp->bundle_path, '/');

		text = reporthtml_bundle(fp->summary, fp->ticket, fp->ticket_len,
					 base ? base + 1 : fp->bundle_path, fp->lang, &len);
		bundle_add_take(&fp->bundle, "REPORT.html", text, len);
	}
	lap(fp, "package");
	if (fp->folder_path)
		rc = bundle_write_unpacked(&fp->bundle, fp->bundle_path, fp->folder_path,
					   fp->force, &fp->diag, err);
	else
		rc = bundle_write(&fp->bundle, fp->bundle_path, fp->force, err);
	lap(fp, "write");
out:
	checks_release(&chk);
	return rc;
}

/* Messages were looked for in the stores (targets with a Message-ID, or
 * --before-block) and not one was found: a bundle without evidence.
 * Without --mail nothing was searched, and the bundle of the API's data
 * alone is what was asked for. */
static void
check_found(struct fpkit *fp)
{
	size_t named = targets_named(&fp->targets);

	fp->nothing_found = fp->nr_mail > 0 && (named > 0 || fp->before_block > 0) &&
			    fp->samples.nr == 0;
}

int
pack_run(struct fpkit *fp, struct error *err)
{
	struct trail_job job;

	stagetime_start(&fp->times);
	/* A bad --template is said at once, not after the search. */
	if (fp->template_path && !fp->template_text &&
	    ticket_template_load(fp->template_path, &fp->template_text, &fp->template_len,
				 err) < 0)
		return -1;
	if (gather(fp, err) < 0)
		return -1;
	lap(fp, "gather");
	trail_start(fp, &job);
	if (locate(fp, err) < 0) {
		trail_finish(fp, &job, false, NULL);
		return -1;
	}
	lap(fp, "locate");
	/* --before-block chooses by the mail logs too: they are read before
	 * the samples, with the candidates' ids (one pass for all). */
	if (fp->before_block) {
		beforeblock_rank(&fp->before, &fp->finder);
		if (trail(fp, err) < 0)
			return -1;
		beforeblock_choose(&fp->before, &fp->finder, &fp->targets, &fp->trail, fp->kase.ip,
				   &fp->diag);
		lap(fp, "trail");
	}
	if (collect(fp, err) < 0) {
		trail_finish(fp, &job, false, NULL);
		return -1;
	}
	lap(fp, "samples");
	check_found(fp);
	if (fp->nothing_found && !fp->allow_empty) {
		trail_finish(fp, &job, false, NULL);
		return 0;
	}
	if (job.running) {
		int rc = trail_finish(fp, &job, true, err);

		lap(fp, "wait");
		if (rc < 0)
			return -1;
	} else if (!fp->before_block && fp->nr_maillog) {
		if (trail(fp, err) < 0)
			return -1;
		lap(fp, "trail");
	}
	if (fp->queue) {
		if (queuecase_read(fp, err) < 0)
			return -1;
		lap(fp, "queue");
	}
	return package(fp, err);
}

void
pack_release(struct fpkit *fp)
{
	free(fp->mail);
	case_release(&fp->kase);
	alert_release(&fp->alert);
	free(fp->alert_extra);
	free(fp->alert_extra_target);
	for (size_t i = 0; fp->checks && i < fp->samples.nr; i++)
		checks_result_release(&fp->checks[i]);
	free(fp->checks);
	sample_list_release(&fp->samples);
	finder_release(&fp->finder);
	beforeblock_release(&fp->before);
	targets_release(&fp->targets);
	free(fp->maillog);
	maillog_release(&fp->trail);
	queue_release(&fp->queue_state);
	queue_dest_release(&fp->queue_dest);
	posture_options_release(&fp->posture_opt);
	volume_release(&fp->volume);
	json_decref(fp->summary);
	free(fp->nichandle);
	free(fp->ticket);
	free(fp->template_text);
	bundle_release(&fp->bundle);
	free(fp->bundle_path);
	free(fp->folder_path);
	diag_release(&fp->diag);
}

int
pack_case(struct fpkit *fp, struct error *err)
{
	if (gather(fp, err) < 0)
		return -1;
	return trail(fp, err);
}
