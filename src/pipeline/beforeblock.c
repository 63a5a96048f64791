/* beforeblock.c - pack --before-block N: the messages dated just before
 * the block that left through the blocked IP
 *
 * Support asks for what the IP sent; a store holds what was received
 * too (a customer's message in an inbox, dated a minute before the
 * block, is the most recent message there).  So each candidate must show
 * it was sent: by its own Received fields (origin.c), by the mail logs
 * (route.c), or, when both are silent about it, by its sender being one
 * of the targets'.  Whatever shows it was received is never taken. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "beforeblock.h"
#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "maillog.h"
#include "netaddr.h"
#include "origin.h"
#include "route.h"
#include "targets.h"
#include "textsafe.h"
#include "xalloc.h"

enum outcome {
	TAKEN,
	OUTSIDE,		/* its Received fields: from another server */
	LOCAL,			/* its log lines: delivered here only */
	SILENT,			/* nothing shows it was sent */
};

void
beforeblock_want(struct beforeblock *bb, struct finder *f, size_t n, int64_t before)
{
	bb->n = n;
	finder_want_recent(f, n + FPKIT_LIMIT_BEFORE_BLOCK_MORE, before);
}

void
beforeblock_rank(struct beforeblock *bb, struct finder *f)
{
	bb->full = f->nr_recent == f->recent_max;
	finder_rank_recent(f);
}

void
beforeblock_follow(struct beforeblock *bb, const struct finder *f, struct maillog *trail)
{
	bb->nr_named = trail->nr_targets;
	bb->trail = xcalloc(f->nr_recent ? f->nr_recent : 1, sizeof(*bb->trail));
	bb->nr_trail = f->nr_recent;
	for (size_t i = 0; i < f->nr_recent; i++) {
		const struct finder_recent *r = &f->recent[i];
		long k = r->canon ? maillog_add_target(trail, r->canon, r->id ? r->id : r->canon) : -1;

		/* Most of them are not in the logs given: no warning each. */
		if (k >= 0 && (size_t)k >= bb->nr_named)
			trail->targets[k].quiet = true;
		bb->trail[i] = k;
	}
}

/* ---- the targets' sender domains ---- */

static void
add_domain(struct origin_domains *d, const char *domain, const char *what, const char *id)
{
	char *shown, *where;

	if (domain == NULL)
		return;
	shown = textsafe_visible(id, strlen(id));
	where = xasprintf("the %s of <%s>", what, shown);
	origin_domains_add(d, domain, where);
	free(shown);
	free(where);
}

static void
add_log_sender(const char *addr, const char *where, void *data)
{
	char *domain = origin_address_domain(addr), *w;

	if (domain == NULL)
		return;
	w = xasprintf("from= at %s", where);
	origin_domains_add(data, domain, w);
	free(domain);
	free(w);
}

static void
sender_domains(const struct beforeblock *bb, const struct finder *f, const struct targets *t,
	       const struct maillog *trail, struct origin_domains *d)
{
	for (size_t i = 0; i < f->nr_hits; i++) {
		const struct finder_hit *h = &f->hits[i];
		const char *id = t->items[h->target].shown;
		struct origin o;

		origin_read(&o, h->fields, h->fields_len, h->fields_cut);
		add_domain(d, o.from_domain, "From", id);
		add_domain(d, o.return_path_domain, "Return-Path", id);
		for (size_t k = 0; k < o.nr_dkim_domains; k++)
			add_domain(d, o.dkim_domains[k], "DKIM d=", id);
		origin_release(&o);
	}
	for (size_t k = 0; k < bb->nr_named && k < trail->nr_targets; k++)
		route_senders(trail, k, add_log_sender, d);
}

/* The candidate's own sender domain that is one of the targets'. */
static char *
sender_evidence(const struct origin *o, const struct origin_domains *d)
{
	const char *own[2] = { o->from_domain, o->return_path_domain };
	const char *field[2] = { "From", "Return-Path" };

	for (size_t k = 0; k < 2; k++) {
		const char *where, *match = own[k] ? origin_domains_match(d, own[k], &where) : NULL;

		if (match == NULL)
			continue;
		if (strcmp(match, own[k]) == 0)
			return xasprintf("%s domain %s, a sender domain of the targets (%s)",
					 field[k], own[k], where);
		return xasprintf("%s domain %s, under %s, a sender domain of the targets (%s)",
				 field[k], own[k], match, where);
	}
	return NULL;
}

/* ---- the choice ---- */

static enum outcome
judge(const struct beforeblock *bb, struct finder_recent *r, size_t i,
      const struct maillog *trail, const char *ip, const struct origin_domains *d)
{
	long k = i < bb->nr_trail ? bb->trail[i] : -1;
	struct route rt = { ROUTE_NONE, NULL };
	enum outcome out = SILENT;
	struct origin_trace t;
	struct origin o;

	origin_read(&o, r->hit.fields, r->hit.fields_len, r->hit.fields_cut);
	origin_trace(&o, ip, d, &t);
	if (k >= 0)
		route_of(trail, (size_t)k, &rt);
	if (t.verdict == ORIGIN_OUTSIDE) {
		out = OUTSIDE;
	} else if (rt.kind == ROUTE_LOCAL) {
		out = LOCAL;
	} else if (t.verdict == ORIGIN_THROUGH) {
		r->rule = "trace";
		r->evidence = xasprintf("Received field %zu of %zu: %s", t.hop + 1, o.nr_hops,
					o.hops[t.hop].text);
	} else if (rt.kind == ROUTE_REMOTE) {
		r->rule = "log";
		r->evidence = rt.where;
		rt.where = NULL;
	} else if ((r->evidence = sender_evidence(&o, d)) != NULL) {
		r->rule = "sender-domain";
	}
	if (r->rule)
		out = TAKEN;
	route_release(&rt);
	origin_release(&o);
	return out;
}

/* The trail's lines of the candidates not taken are about mail that is
 * not packed: forgotten, so that logs/ and report.arf leave them out. */
static void
forget_others(const struct beforeblock *bb, const struct finder *f, struct maillog *trail)
{
	bool *keep = xcalloc(trail->nr_targets ? trail->nr_targets : 1, sizeof(*keep));

	for (size_t i = 0; i < bb->nr_trail; i++)
		if (bb->trail[i] >= 0 && f->recent[i].rule)
			keep[bb->trail[i]] = true;
	for (size_t k = bb->nr_named; k < trail->nr_targets; k++)
		if (!keep[k])
			maillog_forget(trail, k);
	free(keep);
}

static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void
beforeblock_choose(struct beforeblock *bb, struct finder *f, const struct targets *t,
		   struct maillog *trail, const char *ip, struct diag *diag)
{
	size_t count[SILENT + 1] = { 0 }, i;
	struct origin_domains d;
	char canon[NETADDR_TEXT];

	/* An address that is none (it cannot be: case.c checks it) names
	 * no hop. */
	if (ip == NULL || !netaddr_canonical(ip, canon))
		memcpy(canon, "-", 2);
	origin_domains_init(&d);
	sender_domains(bb, f, t, trail, &d);
	for (i = 0; i < f->nr_recent && count[TAKEN] < bb->n; i++)
		count[judge(bb, &f->recent[i], i, trail, canon, &d)]++;
	if (count[OUTSIDE])
		diag_add(diag, "--before-block: left out %zu message%s received from outside: "
			 "%s Received fields show %s coming in from another server",
			 count[OUTSIDE], plural(count[OUTSIDE]), count[OUTSIDE] == 1 ? "its" : "their",
			 count[OUTSIDE] == 1 ? "it" : "them");
	if (count[LOCAL])
		diag_add(diag, "--before-block: left out %zu message%s received, not sent: the "
			 "mail logs show %s delivered only to local mailboxes", count[LOCAL],
			 plural(count[LOCAL]), count[LOCAL] == 1 ? "it" : "them");
	if (count[SILENT])
		diag_add(diag, "--before-block: left out %zu message%s that nothing shows sent "
			 "from %s: no Received field names the IP, no mail-log line shows %s handed "
			 "to another server, and %s sender is none of the targets'", count[SILENT],
			 plural(count[SILENT]), canon, count[SILENT] == 1 ? "it" : "them",
			 count[SILENT] == 1 ? "its" : "their");
	if (count[TAKEN] < bb->n && i == f->nr_recent && bb->full)
		diag_add(diag, "--before-block: %zu of the %zu message%s asked for found sent "
			 "among the %zu most recent before the block; older ones are not looked at",
			 count[TAKEN], bb->n, plural(bb->n), f->recent_max);
	forget_others(bb, f, trail);
	origin_domains_release(&d);
}

void
beforeblock_release(struct beforeblock *bb)
{
	free(bb->trail);
	memset(bb, 0, sizeof(*bb));
}
