/* summary.h - summary.json: the case, the samples and what is missing,
 * for machines */
#ifndef FPKIT_SUMMARY_H
#define FPKIT_SUMMARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct fpcase;
struct finder;
struct sample_list;
struct targets;

/* A new JSON object (json_decref it) with: fpkit_version, ip, block,
 * state, blocked_at, block_seconds, stats, targets (message_id,
 * destination_ip, spamscore, date, source, sample_files), samples
 * (message_id, selected_by, for a message taken by --before-block
 * before_block_rule and before_block_evidence, date, file, sha256, size,
 * source, format, offset ...), missing, searched.  Keys keep this order, so the same inputs give the same
 * bytes. */
json_t *summary_build(const struct fpcase *c, const struct targets *t,
		      const struct finder *f, const struct sample_list *l);

/* One element of "targets" (new): message_id (null when NULL),
 * destination_ip, spamscore and date (null when unknown), source ("stats"
 * for the API's stats, "alert" for a target only the alert lists) and
 * sample_files, the samples of the target (index in targets.h; -1 for
 * none). */
json_t *summary_target(const char *message_id, const char *destination_ip, bool has_spamscore,
		       int64_t spamscore, bool has_date, int64_t date, const char *source,
		       long target, const struct sample_list *l);

/* Set the "checks" object of one element of "samples" (fpkit check's
 * findings: intact, problems, dkim, lint, received); steals checks. */
void summary_set_checks(json_t *sample, json_t *checks);

/* Serialise for the bundle: 2-space indent, a final newline (new). */
char *summary_dump(json_t *summary, size_t *len);

#endif
