/* summary.h - summary.json: the case, the samples and what is missing,
 * for machines */
#ifndef FPKIT_SUMMARY_H
#define FPKIT_SUMMARY_H

#include <jansson.h>

struct fpcase;
struct finder;
struct sample_list;

/* A new JSON object (json_decref it) with: fpkit_version, ip, block,
 * state, blocked_at, block_seconds, stats, targets (message_id,
 * destination_ip, spamscore, date, sample_files), samples (message_id, file,
 * sha256, size, source, format, offset), missing, searched.  Keys keep
 * this order, so the same inputs give the same bytes. */
json_t *summary_build(const struct fpcase *c, const struct finder *f,
		      const struct sample_list *l);

/* Set the "checks" object of one element of "samples" (fpkit check's
 * findings: intact, problems, dkim, lint, received); steals checks. */
void summary_set_checks(json_t *sample, json_t *checks);

/* Serialise for the bundle: 2-space indent, a final newline (new). */
char *summary_dump(json_t *summary, size_t *len);

#endif
