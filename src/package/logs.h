/* logs.h - the bundle's logs/ folder and the mail-log trail's facts in
 * summary.json: what the trail stage found, packaged */
#ifndef FPKIT_LOGS_H
#define FPKIT_LOGS_H

#include <jansson.h>

struct bundle;
struct logclock;
struct maillog;
struct volume;

/* Add logs/NN-<id>.log to the bundle for every target of the trail with
 * lines (NN: the target's number among those added, from 01, as wide
 * as the largest; <id> made a safe file name), and to summary.json: to
 * every element of "targets" its "log_file" (that name, or null) and
 * its "delivery" facts (matched by canonical Message-ID), and
 * "maillogs", the files read.  Call after the trail's maillog_scan. */
void logs_add(struct bundle *b, const struct maillog *trail, json_t *summary);

/* Add to summary.json "volume" (the sending volume before the block,
 * null without mail logs) and "log_clock" (the offset between the logs'
 * times and the API's, null when none was found). */
void logs_add_volume(json_t *summary, const struct volume *v, const struct logclock *lc);

#endif
