/* checks.c - the check stage: integrity, DKIM and best practices on one
 * message, and their findings as text and JSON */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "checks.h"
#include "digest.h"
#include "dkim.h"
#include "error.h"
#include "fpkit_limits.h"
#include "integrity.h"
#include "jsontext.h"
#include "lint.h"
#include "mime.h"
#include "strbuf.h"
#include "targets.h"
#include "textsafe.h"
#include "xalloc.h"

int
checks_init(struct checks *c, const struct checks_options *opt, struct error *err)
{
	memset(c, 0, sizeof(*c));
	c->opt = *opt;
	if (opt->no_dkim)
		return 0;
	c->dkim = xcalloc(1, sizeof(*c->dkim));
	if (dkimv_init(c->dkim, opt->dkim_keys, opt->has_dkim_time, opt->dkim_time,
		       opt->dkim_min_bits, err) < 0) {
		free(c->dkim);
		c->dkim = NULL;
		error_prefix(err, "--dkim-keys");
		return -1;
	}
	return 0;
}

void
checks_release(struct checks *c)
{
	if (c->dkim) {
		dkimv_release(c->dkim);
		free(c->dkim);
	}
	memset(c, 0, sizeof(*c));
}

/* The findings on a message too large to be checked: that alone. */
static void
too_large(struct checks_result *r, int64_t len)
{
	check_list_add(&r->problems, "too-large", "the message is %lld bytes, more than "
		       "the %d checked: not checked", (long long)len, FPKIT_LIMIT_MESSAGE);
	r->dkim_skipped = r->lint_skipped = r->conformance_skipped =
		"the message is over 64 MiB";
	r->intact = false;
}

void
checks_run_message(struct checks *c, const struct mime_message *m, const struct target *target,
		   struct checks_result *r)
{
	const char *buf = m->data;
	size_t len = m->len;
	struct integrity_options io;
	struct integrity_result ir;
	struct check_list all;
	struct mime_walk w;

	memset(r, 0, sizeof(*r));
	if (len > FPKIT_LIMIT_MESSAGE) {
		too_large(r, (int64_t)len);
		return;
	}
	if (!integrity_header_fits(buf, len, &r->problems)) {
		/* GMime and libopendkim would spend time and memory in
		 * proportion to the header: neither is run */
		r->dkim_skipped = r->lint_skipped = r->conformance_skipped =
			"the header block is too large";
		return;
	}
	memset(&io, 0, sizeof(io));
	io.target = target ? target->shown : NULL;
	io.target_id = target ? target->id : NULL;
	io.has_window = c->opt.has_window;
	io.window_from = c->opt.window_from;
	io.window_to = c->opt.window_to;
	io.slack = c->opt.date_slack;
	io.ip = c->opt.ip;
	mime_walk_message(&w, m);
	integrity_check(buf, len, &w, &io, &ir);
	all = ir.problems;
	r->hops = ir.hops;
	r->nr_hops = ir.nr_hops;
	r->nr_received = ir.nr_received;
	r->ip_seen = ir.ip_seen;
	r->message_id = ir.message_id;
	if (c->dkim) {
		dkimv_verify(c->dkim, buf, len, &r->sigs, &r->nr_sigs);
		/* A signature that no longer matches says the message changed
		 * after it was signed: that is a problem of integrity too. */
		for (size_t i = 0; i < r->nr_sigs; i++)
			if (r->sigs[i].result == DKIMV_FAIL)
				check_list_add(&all, r->sigs[i].body_changed ?
					       "dkim-body-changed" : "dkim-header-changed",
					       "DKIM signature %zu (d=%s s=%s): %s", i + 1,
					       r->sigs[i].domain, r->sigs[i].selector,
					       r->sigs[i].reason);
	} else {
		r->dkim_skipped = c->opt.no_dkim_why ? c->opt.no_dkim_why : "--no-dkim";
	}
	lint_check(&w, &r->lint);
	/* Only a sign that the copy is not the message as sent makes it
	 * not intact; the sender's slips are reported beside. */
	integrity_split(&all, &r->problems, &r->conformance);
	r->intact = r->problems.nr == 0;
	mime_walk_release(&w);
}

void
checks_result_release(struct checks_result *r)
{
	struct integrity_result ir;

	memset(&ir, 0, sizeof(ir));
	ir.hops = r->hops;
	ir.nr_hops = r->nr_hops;
	ir.message_id = r->message_id;
	ir.problems = r->problems;
	integrity_result_release(&ir);
	dkimv_sigs_free(r->sigs, r->nr_sigs);
	check_list_release(&r->conformance);
	check_list_release(&r->lint);
	memset(r, 0, sizeof(*r));
}

int
checks_run_file(struct checks *c, const char *path, const struct target *target,
		struct checks_result *r, struct error *err)
{
	struct mime_message m;
	struct strbuf sb;
	char *data;
	size_t len;

	strbuf_init(&sb, FPKIT_LIMIT_MESSAGE);
	if (strbuf_read_file(&sb, path, "a message to check", err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	data = strbuf_detach(&sb, &len);
	mime_message_take(&m, data, len);
	checks_run_message(c, &m, target, r);
	mime_message_close(&m);
	return 0;
}

unsigned long
checks_badness(const struct checks_result *r)
{
	unsigned long n = 10000UL * r->problems.nr + 10UL * r->conformance.nr;

	for (size_t i = 0; i < r->nr_sigs; i++)
		n += r->sigs[i].result == DKIMV_PASS ? 0 : r->sigs[i].result == DKIMV_FAIL ? 100 : 10;
	for (size_t i = 0; i < r->lint.nr; i++)
		n += lint_is_finding(r->lint.items[i].id);
	return n;
}

static size_t
nr_findings(const struct check_list *lint)
{
	size_t n = 0;

	for (size_t i = 0; i < lint->nr; i++)
		n += lint_is_finding(lint->items[i].id);
	return n;
}

char *
checks_render_text(const struct checks_result *r, const struct checks *c, const char *name)
{
	struct strbuf sb;
	char *v = textsafe_visible(name, strlen(name));
	size_t nl = nr_findings(&r->lint);

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addf(&sb, "== %s ==\n", v);
	free(v);
	if (r->message_id) {
		v = textsafe_visible(r->message_id, strlen(r->message_id));
		strbuf_addf(&sb, "Message-ID:      <%s>\n", v);
		free(v);
	} else {
		strbuf_addstr(&sb, "Message-ID:      (none)\n");
	}
	if (r->intact)
		strbuf_addstr(&sb, "Intact:          yes, no problem found\n");
	else
		strbuf_addf(&sb, "Intact:          NO, %zu problem%s\n", r->problems.nr,
			    r->problems.nr == 1 ? "" : "s");
	for (size_t i = 0; i < r->problems.nr; i++)
		strbuf_addf(&sb, "  - %s: %s\n", r->problems.items[i].id,
			    r->problems.items[i].detail);
	if (r->conformance_skipped)
		strbuf_addf(&sb, "Conformance:     not checked (%s)\n", r->conformance_skipped);
	else if (r->conformance.nr == 0)
		strbuf_addstr(&sb, "Conformance:     follows the RFCs\n");
	else
		strbuf_addf(&sb, "Conformance:     %zu slip%s by the sender (the message as "
			    "written, not a change to the copy; may raise a spam score)\n",
			    r->conformance.nr, r->conformance.nr == 1 ? "" : "s");
	for (size_t i = 0; i < r->conformance.nr; i++)
		strbuf_addf(&sb, "  - %s: %s\n", r->conformance.items[i].id,
			    r->conformance.items[i].detail);
	if (r->dkim_skipped)
		strbuf_addf(&sb, "DKIM:            not checked (%s)\n", r->dkim_skipped);
	else if (r->nr_sigs == 0)
		strbuf_addstr(&sb, "DKIM:            no DKIM-Signature\n");
	else
		strbuf_addf(&sb, "DKIM:            %zu signature%s%s\n", r->nr_sigs,
			    r->nr_sigs == 1 ? "" : "s",
			    c->dkim && c->dkim->offline ? " (keys from --dkim-keys)" : "");
	for (size_t i = 0; i < r->nr_sigs; i++) {
		const struct dkimv_sig *s = &r->sigs[i];

		strbuf_addf(&sb, "  - %-8s d=%s s=%s a=%s: %s\n", dkimv_result_name(s->result),
			    s->domain, s->selector, s->algorithm, s->reason);
	}
	if (r->lint_skipped)
		strbuf_addf(&sb, "Best practices:  not checked (%s)\n", r->lint_skipped);
	else if (nl == 0)
		strbuf_addstr(&sb, "Best practices:  followed\n");
	else
		strbuf_addf(&sb, "Best practices:  %zu finding%s\n", nl, nl == 1 ? "" : "s");
	for (size_t i = 0; i < r->lint.nr; i++)
		strbuf_addf(&sb, "  %s %s: %s\n", lint_is_finding(r->lint.items[i].id) ? "-" : "~",
			    r->lint.items[i].id, r->lint.items[i].detail);
	strbuf_addf(&sb, "Received:        %zu field%s", r->nr_received,
		    r->nr_received == 1 ? "" : "s");
	if (r->nr_received > r->nr_hops)
		strbuf_addf(&sb, ", the first %zu listed (the limit)", r->nr_hops);
	if (c->opt.ip) {
		v = textsafe_visible(c->opt.ip, strlen(c->opt.ip));
		strbuf_addf(&sb, "; the blocked IP %s %s", v,
			    r->ip_seen ? "appears in them" : "does not appear in them");
		free(v);
	}
	strbuf_addch(&sb, '\n');
	for (size_t i = 0; i < r->nr_hops; i++) {
		const struct integrity_hop *h = &r->hops[i];

		strbuf_addf(&sb, "  %2zu. line %u: from %s by %s", i + 1, h->line,
			    h->from ? h->from : "?", h->by ? h->by : "?");
		for (size_t k = 0; k < h->nr_ips; k++)
			strbuf_addf(&sb, "%s%s", k ? ", " : " [", h->ips[k]);
		strbuf_addstr(&sb, h->nr_ips ? "]\n" : "\n");
	}
	return strbuf_detach(&sb, NULL);
}

/* A JSON string for text that is meant to be visible UTF-8 already;
 * jansson refuses anything else, so fall back to the \xHH form. */
static json_t *
jstr(const char *s)
{
	return jsontext_string(s ? s : "");
}

static json_t *
items_json(const struct check_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < l->nr; i++)
		json_array_append_new(arr, json_pack("{s:s, s:o}", "id", l->items[i].id,
			"detail", jstr(l->items[i].detail)));
	return arr;
}

json_t *
checks_to_json(const struct checks_result *r, const struct checks *c)
{
	json_t *dkim = json_array(), *hops = json_array(), *received;

	for (size_t i = 0; i < r->nr_sigs; i++) {
		const struct dkimv_sig *s = &r->sigs[i];

		json_array_append_new(dkim, json_pack("{s:o, s:o, s:o, s:s, s:o}",
			"domain", jstr(s->domain), "selector", jstr(s->selector),
			"algorithm", jstr(s->algorithm), "result", dkimv_result_name(s->result),
			"reason", jstr(s->reason)));
	}
	for (size_t i = 0; i < r->nr_hops; i++) {
		const struct integrity_hop *h = &r->hops[i];
		json_t *ips = json_array();

		for (size_t k = 0; k < h->nr_ips; k++)
			json_array_append_new(ips, json_string(h->ips[k]));
		json_array_append_new(hops, json_pack("{s:i, s:o, s:o, s:o}", "line", (int)h->line,
			"from", h->from ? jstr(h->from) : json_null(),
			"by", h->by ? jstr(h->by) : json_null(), "ips", ips));
	}
	received = json_pack("{s:o, s:o, s:o}", "hops", hops,
		"blocked_ip", c->opt.ip ? jstr(c->opt.ip) : json_null(),
		"blocked_ip_seen", c->opt.ip ? json_boolean(r->ip_seen) : json_null());
	return json_pack("{s:b, s:o, s:o, s:b, s:o, s:b, s:o, s:o}",
		"intact", r->intact,
		"problems", items_json(&r->problems),
		"conformance", items_json(&r->conformance),
		"dkim_checked", r->dkim_skipped == NULL,
		"dkim", dkim,
		"lint_checked", r->lint_skipped == NULL,
		"lint", items_json(&r->lint),
		"received", received);
}
