/* pack.c - the pipeline of fpkit pack: gather, locate, package.  The
 * command line (cmd_pack.c) fills the run state; others (scan --archive)
 * may too. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "fpkit.h"
#include "pack.h"
#include "summary.h"
#include "textsafe.h"
#include "ticket.h"
#include "timefmt.h"
#include "xalloc.h"

void
pack_init(struct fpkit *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->lang = "en";
	fp->check_opt.date_slack = CHECKS_DATE_SLACK_DEFAULT;
	case_init(&fp->kase);
	finder_init(&fp->finder, &fp->diag);
}

/* Gather from the API: the block, its SpamIp object and its stats. */
static int
fetch(struct fpkit *fp, struct error *err)
{
	int rc = -1;

	/* The IP and the block are checked before anything is asked. */
	if (case_settle(&fp->kase, err) < 0)
		return -1;
	if (cmd_api_connect(&fp->api, &fp->diag, err) < 0) {
		if (strncmp(err->msg, "no OVH API credentials", 22) == 0)
			error_prefix(err, "pack: without --spam-ip-json or --stats-json, fpkit asks "
				     "the API");
		return -1;
	}
	if (case_fetch(&fp->kase, &fp->api.client, fp->from, fp->to, err) < 0)
		goto out;
	if (fp->save_api && case_save_api(&fp->kase, fp->save_api, err) < 0)
		goto out;
	rc = 0;
out:
	cmd_api_release(&fp->api);
	return rc;
}

/* Gather: the case from the saved API documents, or from the API. */
static int
gather(struct fpkit *fp, struct error *err)
{
	case_set_ip(&fp->kase, fp->ip, fp->block);
	if (fp->fetch && fetch(fp, err) < 0)
		return -1;
	if (fp->spamip_json && case_load_spamip(&fp->kase, fp->spamip_json, err) < 0)
		return -1;
	if (fp->stats_json && case_load_stats(&fp->kase, fp->stats_json, err) < 0)
		return -1;
	if (case_settle(&fp->kase, err) < 0)
		return -1;
	if (!fp->kase.has_blocked_at)
		return error_set(err, EX_DATAERR, "pack: no block date in the documents given");
	return 0;
}

/* Locate: every target id in every store. */
static int
locate(struct fpkit *fp, struct error *err)
{
	const struct model_stats *st = &fp->kase.stats;

	for (size_t i = 0; i < st->nr_targets; i++)
		if (finder_add_target(&fp->finder, st->targets[i].message_id) < 0)
			diag_add(&fp->diag, "target %zu has an empty Message-ID: it cannot be searched",
				 i + 1);
	if (fp->before_block)
		finder_want_recent(&fp->finder, fp->before_block, fp->kase.blocked_at);
	if (fp->nr_mail == 0 && (fp->finder.nr_targets > 0 || fp->before_block))
		diag_add(&fp->diag, "no --mail given: no message was searched for");
	for (size_t i = 0; i < fp->nr_mail; i++)
		if (finder_scan(&fp->finder, fp->mail[i], err) < 0)
			return -1;
	finder_sort(&fp->finder);
	return sample_collect(&fp->samples, &fp->finder, err);
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
		if (*end != '\0' || v < 0 || errno)
			return error_set(err, EX_USAGE, "SOURCE_DATE_EPOCH='%.32s' is not a number "
					 "of seconds since 1970", sde);
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
		const char *target = *s->message_id ? s->message_id : NULL;

		if (s->data)
			checks_run(chk, s->data, s->data_len, target, &fp->checks[i]);
		else if (checks_run_file(chk, s->hit->path, s->hit->offset, s->hit->length,
					 target, &fp->checks[i], err) < 0)
			return -1;
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

/* Package: summary with the checks, ticket, the files, the tarball. */
static int
package(struct fpkit *fp, struct error *err)
{
	struct checks chk;
	const char *base;
	json_t *ctx;
	char *top, *text;
	int64_t mtime = 0;
	size_t len;
	int rc = -1;

	memset(&chk, 0, sizeof(chk));
	if (bundle_mtime(fp, &mtime, err) < 0 || name_bundle(fp, &top, err) < 0)
		return -1;
	bundle_init(&fp->bundle, top, mtime);
	free(top);
	fp->summary = summary_build(&fp->kase, &fp->finder, &fp->samples);
	if (check_samples(fp, &chk, err) < 0)
		goto out;
	base = strrchr(fp->bundle_path, '/');
	base = base ? base + 1 : fp->bundle_path;
	ctx = ticket_context(fp->summary, base);
	rc = ticket_render(fp->lang, fp->template_path, ctx, &fp->ticket, &fp->ticket_len, err);
	json_decref(ctx);
	if (rc < 0)
		goto out;

	bundle_add_data(&fp->bundle, "TICKET.txt", fp->ticket, fp->ticket_len);
	text = summary_dump(fp->summary, &len);
	bundle_add_take(&fp->bundle, "summary.json", text, len);
	if (fp->kase.has_spamip)
		bundle_add_data(&fp->bundle, "api/spam-ip.json", fp->kase.spamip_raw.buf,
				fp->kase.spamip_raw.len);
	if (fp->kase.has_stats)
		bundle_add_data(&fp->bundle, "api/stats.json", fp->kase.stats_raw.buf,
				fp->kase.stats_raw.len);
	for (size_t i = 0; i < fp->samples.nr; i++) {
		const struct sample *s = &fp->samples.items[i];
		char *desc, *found;

		if (s->data)
			bundle_add_data(&fp->bundle, s->file, s->data, s->data_len);
		else
			bundle_add_file(&fp->bundle, s->file, s->hit->path, s->hit->offset,
					s->hit->length, s->sha256);
		/* checks/NN-<id>.txt: where the sample came from, then what
		 * fpkit check finds in it. */
		desc = sample_describe(s);
		found = checks_render_text(&fp->checks[i], &chk, s->file);
		text = xasprintf("%s\n%s", desc, found);
		free(desc);
		free(found);
		bundle_add_take(&fp->bundle, s->check_file, text, strlen(text));
	}
	rc = bundle_write(&fp->bundle, fp->bundle_path, fp->force, err);
out:
	checks_release(&chk);
	return rc;
}

int
pack_run(struct fpkit *fp, struct error *err)
{
	if (gather(fp, err) < 0 || locate(fp, err) < 0 || package(fp, err) < 0)
		return -1;
	return 0;
}

void
pack_release(struct fpkit *fp)
{
	free(fp->mail);
	case_release(&fp->kase);
	for (size_t i = 0; fp->checks && i < fp->samples.nr; i++)
		checks_result_release(&fp->checks[i]);
	free(fp->checks);
	sample_list_release(&fp->samples);
	finder_release(&fp->finder);
	json_decref(fp->summary);
	free(fp->ticket);
	bundle_release(&fp->bundle);
	free(fp->bundle_path);
	diag_release(&fp->diag);
}

