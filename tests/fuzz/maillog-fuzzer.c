/* maillog-fuzzer.c - the mail-log parser (maillog.h) on a log as 'pack
 * --maillog' reads it: every line through the line-level entry points
 * (syslog header, time, queue id, the facts of each MTA, whether a
 * delivery is remote, the announced Message-ID), then the whole input as
 * a log file through maillog_scan, with the ids the log announces as
 * targets, so that its queues are followed, and the sending volume
 * counted in the same pass (volume.h); then the excerpts, each target's
 * handover time and summary.json's part.
 *
 * Checked besides crashes: every span a parser returns lies inside its
 * line (but for the static words maillog.h allows), and what goes into summary.json is valid JSON text. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle.h"
#include "error.h"
#include "fuzz.h"
#include "logs.h"
#include "maillog.h"
#include "targets.h"
#include "volume.h"
#include "xalloc.h"

/* The block time of fixtures/maillog (2026-11-20T13:40:00Z): the year of
 * classic syslog stamps is chosen near it. */
#define FUZZ_NEAR 1795182000

/* Ids taken from the input as targets, at most (and one fixed). */
#define FUZZ_MAX_IDS 8

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Classic stamps are local time: one zone for every run. */
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

/* A span lies in its line; an empty one may point anywhere (maillog.c
 * gives "" for an absent host). */
static void
check_span(struct logline_span s, const char *line, size_t len)
{
	if (s.p != NULL && s.len > 0 && (s.p < line || s.len > len || s.p + s.len > line + len))
		abort();
}

/* One line through every line-level entry point; an id it announces is
 * added to ids. */
static void
parse_line(const char *line, size_t len, char **ids, size_t *nr_ids)
{
	static const enum logline_mta mtas[] = { LOGLINE_POSTFIX, LOGLINE_EXIM, LOGLINE_SENDMAIL };
	struct logline_syslog sl;
	struct logline_span qid, rest, id;
	char ip[LOGLINE_IP_LEN];
	int64_t t;

	if (logline_parse_syslog(line, len, &sl) < 0)
		return;
	check_span(sl.stamp, line, len);
	check_span(sl.host, line, len);
	if (sl.kind != LOGLINE_STAMP_EXIM)	/* else the word "exim" */
		check_span(sl.prog, line, len);
	check_span(sl.msg, line, len);
	logline_stamp_time(&sl, FUZZ_NEAR, &t);
	if (logline_queue_id(sl.msg, &qid, &rest)) {
		check_span(qid, line, len);
		check_span(rest, line, len);
		for (size_t i = 0; i < sizeof(mtas) / sizeof(mtas[0]); i++) {
			struct logline_facts f;

			memset(&f, 0, sizeof(f));
			logline_parse_facts(mtas[i], rest, &f);
			check_span(f.message_id, line, len);
			check_span(f.from, line, len);
			check_span(f.client, line, len);
			check_span(f.to, line, len);
			check_span(f.relay, line, len);
			check_span(f.dsn, line, len);
			check_span(f.detail, line, len);
			if (logline_remote(mtas[i], sl.prog, rest, &f, ip) &&
			    memchr(ip, '\0', LOGLINE_IP_LEN) == NULL)
				abort();
		}
	}
	logline_stamp_zoned(&sl);
	if (logline_announced_id(sl.msg, &qid, &id) != LOGLINE_NONE) {
		check_span(qid, line, len);
		check_span(id, line, len);
		if (*nr_ids < FUZZ_MAX_IDS && id.len > 0)
			ids[(*nr_ids)++] = xstrndup(id.p, id.len);
	}
}

/* Follow an id as pack does: made canonical by a targets list. */
static long
follow(struct maillog *m, const char *id)
{
	struct targets t;
	long k, r = -1;

	targets_init(&t);
	k = targets_add(&t, id, NULL);
	if (k >= 0)
		r = maillog_add_target(m, t.items[k].id, t.items[k].shown);
	targets_release(&t);
	return r;
}

/* The log as 'pack' reads it, ids as its targets. */
static void
scan_log(const uint8_t *data, size_t size, char **ids, size_t nr_ids)
{
	struct diag diag = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct fuzz_file file;
	struct maillog m;
	struct volume vol;
	struct bundle b;
	uint64_t messages = 0, deferred = 0;
	json_t *summary, *targets;
	char *dump;

	if (fuzz_file_init(&file, data, size) < 0)
		return;
	maillog_init(&m, &diag);
	summary = json_object();
	targets = json_array();
	json_object_set_new(summary, "targets", targets);
	follow(&m, "fuzz@example.com");
	json_array_append_new(targets, json_pack("{s:s}", "message_id", "fuzz@example.com"));
	for (size_t i = 0; i < nr_ids; i++) {
		json_t *v;

		if (follow(&m, ids[i]) < 0)
			continue;
		/* jansson wants UTF-8: an id that is not is null in the
		 * summary's targets (it is still followed). */
		v = json_string(ids[i]);
		json_array_append_new(targets, json_pack("{s:o}", "message_id", v ? v : json_null()));
	}
	volume_init(&vol);
	volume_start(&vol, FUZZ_NEAR, nr_ids ? "mx1" : NULL, &diag);
	maillog_watch(&m, volume_feed, &vol);
	if (maillog_add_file(&m, file.path, &err) == 0 && maillog_scan(&m, FUZZ_NEAR, &err) == 0) {
		volume_finish(&vol);
		/* The hours add up to the totals, which split the recipients. */
		for (int i = 0; i < VOLUME_HOURS; i++) {
			messages += vol.hours[i].messages;
			deferred += vol.hours[i].deferred;
		}
		if (messages != vol.messages || deferred != vol.deferred ||
		    vol.delivered + vol.deferred + vol.bounced != vol.recipients)
			abort();
		free(volume_describe(&vol));
		for (size_t i = 0; i < m.nr_targets; i++) {
			int64_t t;
			bool zoned;

			maillog_handover(&m, i, "198.51.100.23", &t, &zoned);
		}
		bundle_init(&b, "fuzz", 0);
		logs_add(&b, &m, summary);
		json_object_set_new(summary, "volume", volume_json(&vol));
		dump = json_dumps(summary, JSON_COMPACT);
		if (dump == NULL)
			abort();
		free(dump);
		bundle_release(&b);
	}
	json_decref(summary);
	volume_release(&vol);
	maillog_release(&m);
	diag_release(&diag);
	fuzz_file_release(&file);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *ids[FUZZ_MAX_IDS];
	size_t nr_ids = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		parse_line(p, (size_t)(eol - p), ids, &nr_ids);
		p = nl ? nl + 1 : end;
	}
	scan_log(data, size, ids, nr_ids);
	for (size_t i = 0; i < nr_ids; i++)
		free(ids[i]);
	return 0;
}
