/* queue.c - the model of the local mail system's state, filled by each
 * MTA's reader, and what is said of it (JSON, text, the facts) */
#include "config.h"

#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fpkit_limits.h"
#include "jsontext.h"
#include "queue.h"
#include "strbuf.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

void
queue_init(struct queue_state *q, struct diag *diag)
{
	memset(q, 0, sizeof(*q));
	q->running = QUEUE_UNKNOWN;
	q->can_send = QUEUE_UNKNOWN;
	q->diag = diag;
}

static void
msg_release(struct queue_msg *m)
{
	free(m->id);
	free(m->sender);
	for (size_t i = 0; i < m->nr_rcpts; i++) {
		free(m->rcpts[i].address);
		free(m->rcpts[i].reason);
	}
	free(m->rcpts);
	free(m->shown);
}

void
queue_release(struct queue_state *q)
{
	for (size_t i = 0; i < q->nr_msgs; i++)
		msg_release(&q->msgs[i]);
	free(q->msgs);
	for (size_t i = 0; i < q->nr_queues; i++)
		free(q->queues[i].name);
	free(q->queues);
	for (size_t i = 0; i < q->nr_commands; i++)
		free(q->commands[i]);
	free(q->commands);
	free(q->why);
	memset(q, 0, sizeof(*q));
}

size_t
queue_add_queue(struct queue_state *q, const char *name, bool parked)
{
	for (size_t i = 0; i < q->nr_queues; i++)
		if (strcmp(q->queues[i].name, name) == 0)
			return i;
	q->queues = xgrow(q->queues, q->nr_queues + 1, &q->alloc_queues, sizeof(*q->queues));
	q->queues[q->nr_queues] = (struct queue_count){ xstrdup(name), parked, 0 };
	return q->nr_queues++;
}

struct queue_msg *
queue_add_msg(struct queue_state *q, const char *id, size_t queue)
{
	struct queue_msg *m;

	q->queues[queue].count++;
	q->total++;
	if (q->nr_msgs >= FPKIT_LIMIT_QUEUE_MESSAGES) {
		q->unlisted++;
		return NULL;
	}
	q->msgs = xgrow(q->msgs, q->nr_msgs + 1, &q->alloc_msgs, sizeof(*q->msgs));
	m = &q->msgs[q->nr_msgs++];
	memset(m, 0, sizeof(*m));
	m->id = xstrdup(id);
	m->queue = queue;
	m->arrival = -1;
	m->size = -1;
	return m;
}

void
queue_add_counted(struct queue_state *q, size_t queue, uint64_t n)
{
	q->queues[queue].count += n;
	q->total += n;
	q->unlisted += n;
}

void
queue_msg_add_rcpt(struct queue_msg *m, const char *address, const char *reason, bool done)
{
	if (m->nr_rcpts >= FPKIT_LIMIT_QUEUE_RCPTS) {
		m->more_rcpts++;
		return;
	}
	m->rcpts = xgrow(m->rcpts, m->nr_rcpts + 1, &m->alloc_rcpts, sizeof(*m->rcpts));
	m->rcpts[m->nr_rcpts++] = (struct queue_rcpt){
		xstrdup(address), reason && *reason ? xstrdup(reason) : NULL, done
	};
}

void
queue_add_command(struct queue_state *q, char *cmd)
{
	q->commands = xgrow(q->commands, q->nr_commands + 1, &q->alloc_commands,
			    sizeof(*q->commands));
	q->commands[q->nr_commands++] = cmd;
}

char *
queue_next_line(const char **p, const char *end)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	if (n && (*p)[n - 1] == '\r')
		n--;
	nl = nl ? nl + 1 : end;
	{
		char *line = xstrndup(*p, n);

		*p = nl;
		return line;
	}
}

void
queue_set_why(struct queue_state *q, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(q->why);
	q->why = xstrdup(buf);
}

/* ---- the flagged destinations ---- */

void
queue_dest_init(struct queue_dest *d)
{
	memset(d, 0, sizeof(*d));
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
queue_dest_release(struct queue_dest *d)
{
	free_list(d->ips, d->nr_ips);
	free_list(d->domains, d->nr_domains);
	free_list(d->queue_ids, d->nr_queue_ids);
	memset(d, 0, sizeof(*d));
}

static void
add_once(char ***v, size_t *nr, size_t *alloc, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	for (size_t i = 0; i < *nr; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	*v = xgrow(*v, *nr + 1, alloc, sizeof(**v));
	(*v)[(*nr)++] = xstrdup(s);
}

void
queue_dest_add_ip(struct queue_dest *d, const char *ip)
{
	add_once(&d->ips, &d->nr_ips, &d->alloc_ips, ip);
}

void
queue_dest_add_domain(struct queue_dest *d, const char *domain)
{
	char *low;

	if (domain == NULL)
		return;
	low = g_ascii_strdown(domain, -1);
	add_once(&d->domains, &d->nr_domains, &d->alloc_domains, low);
	g_free(low);
}

void
queue_dest_add_queue_id(struct queue_dest *d, const char *id)
{
	add_once(&d->queue_ids, &d->nr_queue_ids, &d->alloc_queue_ids, id);
}

/* ---- matching ---- */

static bool
addr_char(char c)
{
	return g_ascii_isxdigit(c) || c == '.' || c == ':' || g_ascii_isalnum(c);
}

bool
queue_names_ip(const char *text, const char *ip)
{
	size_t n = strlen(ip);

	for (const char *p = strstr(text, ip); p; p = strstr(p + 1, ip))
		if ((p == text || !addr_char(p[-1])) && !addr_char(p[n]))
			return true;
	return false;
}

/* The domain of an address: after its last '@' (NULL when none). */
static const char *
addr_domain(const char *address)
{
	const char *at = strrchr(address, '@');

	return at && at[1] ? at + 1 : NULL;
}

static unsigned
match_one(const struct queue_msg *m, const struct queue_dest *d)
{
	unsigned how = 0;

	for (size_t i = 0; i < d->nr_queue_ids; i++)
		if (strcmp(m->id, d->queue_ids[i]) == 0)
			how |= QUEUE_MATCH_QUEUE_ID;
	for (size_t r = 0; r < m->nr_rcpts; r++) {
		const struct queue_rcpt *rc = &m->rcpts[r];
		const char *dom = addr_domain(rc->address);

		if (rc->done)
			continue;
		for (size_t i = 0; rc->reason && i < d->nr_ips; i++)
			if (queue_names_ip(rc->reason, d->ips[i]))
				how |= QUEUE_MATCH_IP;
		for (size_t i = 0; dom && i < d->nr_domains; i++)
			if (g_ascii_strcasecmp(dom, d->domains[i]) == 0)
				how |= QUEUE_MATCH_DOMAIN;
	}
	return how;
}

size_t
queue_match(struct queue_state *q, const struct queue_dest *d)
{
	size_t n = 0;

	for (size_t i = 0; i < q->nr_msgs; i++) {
		q->msgs[i].match = d && d->given ? match_one(&q->msgs[i], d) : 0;
		n += q->msgs[i].match != 0;
	}
	return n;
}

/* ---- summaries ---- */

struct tally {
	const char *key;	/* borrowed from the messages */
	uint64_t n;
};

static int
tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The messages per sender ("<>" for the null sender) or per recipient
 * domain of a recipient not yet delivered (a message counts once per
 * domain), most first (new array, *nr entries; keys borrowed). */
static struct tally *
tally(const struct queue_state *q, bool domains, size_t *nr)
{
	GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter it;
	gpointer k, v;
	struct tally *t;
	size_t i = 0;

	for (size_t m = 0; m < q->nr_msgs; m++) {
		const struct queue_msg *msg = &q->msgs[m];
		GHashTable *seen;

		if (!domains) {
			const char *s = msg->sender == NULL ? "(unknown)" :
					*msg->sender ? msg->sender : "<>";

			g_hash_table_insert(h, (gpointer)s,
					    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(h, s)) + 1));
			continue;
		}
		seen = g_hash_table_new(g_str_hash, g_str_equal);
		for (size_t r = 0; r < msg->nr_rcpts; r++) {
			const char *d = addr_domain(msg->rcpts[r].address);

			if (msg->rcpts[r].done || d == NULL || g_hash_table_contains(seen, d))
				continue;
			g_hash_table_add(seen, (gpointer)d);
			g_hash_table_insert(h, (gpointer)d,
					    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(h, d)) + 1));
		}
		g_hash_table_destroy(seen);
	}
	*nr = g_hash_table_size(h);
	t = xcalloc(*nr ? *nr : 1, sizeof(*t));
	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &k, &v))
		t[i++] = (struct tally){ k, GPOINTER_TO_SIZE(v) };
	g_hash_table_destroy(h);
	qsort(t, *nr, sizeof(*t), tally_cmp);
	return t;
}

/* The oldest listed message with a known arrival, or NULL. */
static const struct queue_msg *
oldest(const struct queue_state *q)
{
	const struct queue_msg *o = NULL;

	for (size_t i = 0; i < q->nr_msgs; i++)
		if (q->msgs[i].arrival >= 0 && (o == NULL || q->msgs[i].arrival < o->arrival))
			o = &q->msgs[i];
	return o;
}

static uint64_t
could_leave(const struct queue_state *q)
{
	uint64_t n = 0;

	for (size_t i = 0; i < q->nr_queues; i++)
		if (!q->queues[i].parked)
			n += q->queues[i].count;
	return n;
}

static json_t *
tri_json(enum queue_tri t)
{
	return t == QUEUE_UNKNOWN ? json_null() : json_boolean(t == QUEUE_YES);
}

static json_t *
time_json(int64_t t)
{
	char iso[TIMEFMT_ISO_LEN];

	return t < 0 ? json_null() : json_string(timefmt_iso_utc(t, iso));
}

static json_t *
strings_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jsontext_string(v[i]));
	return a;
}

static json_t *
match_json(const struct queue_state *q, const struct queue_msg *m)
{
	json_t *by = json_array(), *rcpts = json_array();

	if (m->match & QUEUE_MATCH_IP)
		json_array_append_new(by, json_string("delay_reason_ip"));
	if (m->match & QUEUE_MATCH_DOMAIN)
		json_array_append_new(by, json_string("recipient_domain"));
	if (m->match & QUEUE_MATCH_QUEUE_ID)
		json_array_append_new(by, json_string("queue_id"));
	for (size_t r = 0; r < m->nr_rcpts; r++)
		json_array_append_new(rcpts, json_pack("{s:o, s:o, s:b}",
			"address", jsontext_string(m->rcpts[r].address),
			"reason", jsontext_string(m->rcpts[r].reason),
			"done", m->rcpts[r].done));
	return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o}",
		"queue_id", jsontext_string(m->id),
		"queue", q->queues[m->queue].name,
		"arrival", time_json(m->arrival),
		"size", m->size < 0 ? json_null() : json_integer(m->size),
		"sender", jsontext_string(m->sender),
		"recipients", rcpts,
		"matched_by", by);
}

json_t *
queue_to_json(const struct queue_state *q, const struct queue_dest *d)
{
	json_t *o, *queues = json_object(), *parked = json_array(), *ids = json_array();
	json_t *senders = json_object(), *domains = json_object(), *matches = json_array();
	const struct queue_msg *old = oldest(q);
	struct tally *t;
	size_t n;

	for (size_t i = 0; i < q->nr_queues; i++) {
		json_object_set_new(queues, q->queues[i].name, json_integer((json_int_t)q->queues[i].count));
		if (q->queues[i].parked)
			json_array_append_new(parked, json_string(q->queues[i].name));
	}
	t = tally(q, false, &n);
	for (size_t i = 0; i < n; i++)
		json_object_set_new(senders, t[i].key, json_integer((json_int_t)t[i].n));
	free(t);
	t = tally(q, true, &n);
	for (size_t i = 0; i < n; i++)
		json_object_set_new(domains, t[i].key, json_integer((json_int_t)t[i].n));
	free(t);
	for (size_t i = 0; i < q->nr_msgs; i++) {
		if (!q->msgs[i].match)
			continue;
		json_array_append_new(ids, jsontext_string(q->msgs[i].id));
		json_array_append_new(matches, match_json(q, &q->msgs[i]));
	}
	o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:b, s:o, s:o, "
		      "s:I, s:I, s:o, s:o}",
		"mta", q->mta,
		"running", tri_json(q->running),
		"can_send", tri_json(q->can_send),
		"why", jsontext_string(q->why),
		"seen_at", time_json(q->seen_at),
		"total", (json_int_t)q->total,
		"could_leave", (json_int_t)could_leave(q),
		"queues", queues,
		"parked_queues", parked,
		"oldest", time_json(old ? old->arrival : -1),
		"oldest_id", old ? jsontext_string(old->id) : json_null(),
		"oldest_approximate", old && q->arrival_approx,
		"by_sender", senders,
		"by_recipient_domain", domains,
		"listed", (json_int_t)q->nr_msgs,
		"unlisted", (json_int_t)q->unlisted,
		"to_targets", ids,
		"matches", matches);
	if (d && d->given)
		json_object_set_new(o, "destinations", json_pack("{s:o, s:o, s:o}",
			"ips", strings_json(d->ips, d->nr_ips),
			"domains", strings_json(d->domains, d->nr_domains),
			"queue_ids", strings_json(d->queue_ids, d->nr_queue_ids)));
	else
		json_object_set_new(o, "destinations", json_null());
	json_object_set_new(o, "commands", strings_json(q->commands, q->nr_commands));
	return o;
}

/* ---- text ---- */

static void
add_safe(struct strbuf *sb, const char *s)
{
	char *v = textsafe_visible(s, strlen(s));

	strbuf_addstr(sb, v);
	free(v);
}

static const char *
tri_word(enum queue_tri t)
{
	return t == QUEUE_UNKNOWN ? "unknown" : t == QUEUE_YES ? "yes" : "no";
}

static void
add_when(struct strbuf *sb, int64_t t)
{
	char iso[TIMEFMT_ISO_LEN];

	timefmt_iso_utc(t, iso);
	strbuf_addf(sb, "%.10s %.8s UTC", iso, iso + 11);
}

/* "a 3, b 1, ... and 4 more": the first entries of a tally. */
static void
add_tally(struct strbuf *sb, const char *label, struct tally *t, size_t n)
{
	enum { SHOWN = 10 };

	strbuf_addstr(sb, label);
	if (n == 0)
		strbuf_addstr(sb, "-");
	for (size_t i = 0; i < n && i < SHOWN; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		add_safe(sb, t[i].key);
		strbuf_addf(sb, " %" PRIu64, t[i].n);
	}
	if (n > SHOWN)
		strbuf_addf(sb, ", and %zu more", n - SHOWN);
	strbuf_addch(sb, '\n');
}

static void
add_list(struct strbuf *sb, char **v, size_t n)
{
	if (n == 0)
		strbuf_addstr(sb, "-");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		add_safe(sb, v[i]);
	}
}

static void
add_match(struct strbuf *sb, const struct queue_state *q, const struct queue_msg *m)
{
	strbuf_addstr(sb, "  ");
	add_safe(sb, m->id);
	strbuf_addf(sb, "  %s  from ", q->queues[m->queue].name);
	add_safe(sb, m->sender == NULL ? "(unknown)" : *m->sender ? m->sender : "<>");
	strbuf_addstr(sb, " to ");
	for (size_t r = 0, k = 0; r < m->nr_rcpts; r++) {
		if (m->rcpts[r].done)
			continue;
		if (k++)
			strbuf_addstr(sb, ", ");
		add_safe(sb, m->rcpts[r].address);
	}
	strbuf_addf(sb, "  (%s%s%s%s%s)\n",
		    m->match & QUEUE_MATCH_IP ? "delay reason names a flagged IP" : "",
		    (m->match & QUEUE_MATCH_IP) && (m->match & ~QUEUE_MATCH_IP) ? "; " : "",
		    m->match & QUEUE_MATCH_DOMAIN ? "a flagged domain" : "",
		    (m->match & QUEUE_MATCH_DOMAIN) && (m->match & QUEUE_MATCH_QUEUE_ID) ? "; " : "",
		    m->match & QUEUE_MATCH_QUEUE_ID ? "a flagged message's queue id" : "");
}

char *
queue_render_text(const struct queue_state *q, const struct queue_dest *d, size_t *len)
{
	const struct queue_msg *old = oldest(q);
	struct strbuf sb;
	struct tally *t;
	size_t n, matched = 0;

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addf(&sb, "Mail system:  %s, running: %s\n", q->mta, tri_word(q->running));
	strbuf_addf(&sb, "Can send:     %s", tri_word(q->can_send));
	if (q->why) {
		strbuf_addstr(&sb, " (");
		add_safe(&sb, q->why);
		strbuf_addch(&sb, ')');
	}
	strbuf_addstr(&sb, "\nSeen at:      ");
	add_when(&sb, q->seen_at);
	strbuf_addf(&sb, "\nWaiting:      %" PRIu64 " message%s", q->total, q->total == 1 ? "" : "s");
	for (size_t i = 0; i < q->nr_queues; i++)
		strbuf_addf(&sb, "%s%s %" PRIu64 "%s", i ? ", " : ": ", q->queues[i].name,
			    q->queues[i].count, q->queues[i].parked ? " (not sent)" : "");
	strbuf_addf(&sb, "\nCould leave:  %" PRIu64 "\n", could_leave(q));
	if (q->unlisted)
		strbuf_addf(&sb, "Not listed:   %" PRIu64 " (counted only)\n", q->unlisted);
	strbuf_addstr(&sb, "Oldest:       ");
	if (old) {
		strbuf_addstr(&sb, q->arrival_approx ? "about " : "");
		add_when(&sb, old->arrival);
		strbuf_addstr(&sb, " (");
		add_safe(&sb, old->id);
		strbuf_addf(&sb, ", %s)\n", q->queues[old->queue].name);
	} else {
		strbuf_addstr(&sb, "-\n");
	}
	t = tally(q, false, &n);
	add_tally(&sb, "Senders:      ", t, n);
	free(t);
	t = tally(q, true, &n);
	add_tally(&sb, "To domains:   ", t, n);
	free(t);
	if (d && d->given) {
		for (size_t i = 0; i < q->nr_msgs; i++)
			matched += q->msgs[i].match != 0;
		strbuf_addstr(&sb, "Flagged:      IPs ");
		add_list(&sb, d->ips, d->nr_ips);
		strbuf_addstr(&sb, "; domains ");
		add_list(&sb, d->domains, d->nr_domains);
		strbuf_addstr(&sb, "; queue ids ");
		add_list(&sb, d->queue_ids, d->nr_queue_ids);
		strbuf_addf(&sb, "\nTo them:      %zu message%s\n", matched, matched == 1 ? "" : "s");
		for (size_t i = 0; i < q->nr_msgs; i++)
			if (q->msgs[i].match)
				add_match(&sb, q, &q->msgs[i]);
	}
	return strbuf_detach(&sb, len);
}

/* ---- the facts ---- */

void
queue_facts(const struct queue_state *q, struct queue_facts *f)
{
	f->seen_at = q->seen_at;
	f->mta = q->mta;
	f->running = q->running;
	f->can_send = q->can_send;
	f->total = q->total;
	f->could_leave = could_leave(q);
	f->why = q->why;
}

char *
queue_facts_refusal(const struct queue_facts *f)
{
	const char *why = f->why ? f->why : "no reason shown";

	if (f->can_send == QUEUE_YES)
		return xasprintf("%s can send (%s)", f->mta, why);
	if (f->can_send == QUEUE_UNKNOWN)
		return xasprintf("whether %s can send is not known (%s)", f->mta, why);
	if (f->could_leave)
		return xasprintf("%" PRIu64 " message%s in %s's queue could leave once sending "
				 "resumes", f->could_leave, f->could_leave == 1 ? "" : "s", f->mta);
	return NULL;
}

char *
queue_facts_describe(const struct queue_facts *f, const struct queue_state *q)
{
	char iso[TIMEFMT_ISO_LEN];
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addf(&sb, "%s at %s: ", f->mta, timefmt_iso_utc(f->seen_at, iso));
	strbuf_addstr(&sb, f->can_send == QUEUE_NO ? "sending stopped" :
		      f->can_send == QUEUE_YES ? "can send" : "sending not known to be stopped");
	if (f->why) {
		strbuf_addstr(&sb, " (");
		add_safe(&sb, f->why);
		strbuf_addch(&sb, ')');
	}
	strbuf_addf(&sb, "; %" PRIu64 " of %" PRIu64 " message%s could leave", f->could_leave,
		    f->total, f->total == 1 ? "" : "s");
	for (size_t i = 0, k = 0; q && i < q->nr_queues; i++)
		if (q->queues[i].count)
			strbuf_addf(&sb, "%s%s %" PRIu64, k++ ? ", " : " (", q->queues[i].name,
				    q->queues[i].count);
	if (q && q->total)
		strbuf_addch(&sb, ')');
	return strbuf_detach(&sb, NULL);
}
