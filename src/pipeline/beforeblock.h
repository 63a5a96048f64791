/* beforeblock.h - pack --before-block N: of the messages dated just
 * before the block, the N most recent that left through the blocked IP,
 * never one received */
#ifndef FPKIT_BEFOREBLOCK_H
#define FPKIT_BEFOREBLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct finder;
struct maillog;
struct targets;

/* What the choice keeps between its steps (fpkit.h holds one). */
struct beforeblock {
	size_t n;		/* N: how many to take */
	long *trail;		/* each candidate's target in the trail, or -1 */
	size_t nr_trail;
	size_t nr_named;	/* the trail's targets before the candidates' */
	bool full;		/* the finder kept as many as it could: older
				 * messages were not looked at */
};

/* Before the scans: the finder f keeps the n + FPKIT_LIMIT_BEFORE_BLOCK_MORE
 * most recent messages dated before 'before' (the block time): the
 * candidates. */
void beforeblock_want(struct beforeblock *bb, struct finder *f, size_t n, int64_t before);

/* After the scans: the candidates ranked (finder_rank_recent). */
void beforeblock_rank(struct beforeblock *bb, struct finder *f);

/* Before the trail's scan, the named targets added: the candidates'
 * Message-IDs followed in the trail too, quietly. */
void beforeblock_follow(struct beforeblock *bb, const struct finder *f, struct maillog *trail);

/* After the trail's scan (or without --maillog): take the candidates of
 * f newest first, up to N, as sent from 'ip' (the blocked IP), each by the first rule that holds (the rule and
 * its evidence go with it into the targets, finder_sort):
 *   - never one whose Received fields show it came in from another
 *     server, or whose logs show it delivered only to local mailboxes;
 *   - "trace": its Received fields show it handed on inside through a
 *     hop that names the blocked IP (origin_trace);
 *   - "log": the mail logs show it handed to a remote server (route_of);
 *   - "sender-domain": when neither says anything of it, its From or
 *     Return-Path domain is one of the targets' sender domains (the From,
 *     Return-Path and DKIM d= of their copies found, the from= of their
 *     log lines).
 * The ones left out before the N-th taken are counted in warnings by
 * reason (in diag); the log lines of candidates not taken are forgotten
 * (maillog_forget).  t gives the targets' ids, for the evidence. */
void beforeblock_choose(struct beforeblock *bb, struct finder *f, const struct targets *t,
			struct maillog *trail, const char *ip, struct diag *diag);

void beforeblock_release(struct beforeblock *bb);

#endif
