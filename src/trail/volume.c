/* volume.c - the sending volume around the block
 *
 * The logs do not name the address a connection leaves from, so the
 * mail sent through the blocked IP is taken as what the MTA handed, or
 * tried to hand, to a remote SMTP server (logline_remote): the mail it
 * received and delivered on the machine is not counted.
 *
 * It is counted in the first pass of the trail (maillog_watch), over
 * every line, in memory that does not grow with the log: 24 hourly
 * counters, a set of recipient-domain hashes and the queues that have a
 * recipient tried in the window and have not ended yet (Postfix
 * "removed", Exim "Completed", Sendmail's next "from=" for the queue
 * id).  A recipient counts once, in the hour of its first remote
 * attempt in the window, under the last status the window shows for it:
 * so delivered, deferred and bounced split the recipients, and one
 * deferred, then delivered, is delivered.  A message counts once, in the
 * hour of its first remote attempt in the window. */
#include "config.h"

#include <glib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "error.h"
#include "fpkit_limits.h"
#include "jsontext.h"
#include "logline.h"
#include "timefmt.h"
#include "volume.h"
#include "xalloc.h"

/* Longest host name taken into a queue's key (maillog.c's too). */
#define VOLUME_MAX_HOST 255

/* Past this many recipients, a queue indexes them (a newsletter sent as
 * one message to thousands). */
#define VOLUME_SCAN 32

enum volume_status {
	VOLUME_SENT,
	VOLUME_DEFERRED,
	VOLUME_BOUNCED,
};

struct volume_rcpt {
	uint64_t hash;			/* of the address, lower-cased */
	unsigned char slot;		/* the hour of its first attempt */
	unsigned char status;		/* enum volume_status, the last seen */
};

/* A queue (a message) with a recipient tried in the window.  Done
 * with, it waits in volume.spare to be used again, its arrays kept: a
 * log of millions of messages then costs no allocation each. */
struct volume_queue {
	char *key;			/* "host qid" */
	size_t key_alloc;
	struct volume_queue *prev, *next;	/* in the volume's lru list, or
						 * spare's (next) */
	struct volume_rcpt *rcpts;
	size_t nr, alloc;
	GHashTable *index;		/* past VOLUME_SCAN: hash -> index + 1 */
};

static struct logline_span
span(const char *p, size_t len)
{
	struct logline_span s = { p, len };

	return s;
}

/* FNV-1a, 64 bits, over the lower-cased bytes: sets of hashes stand for
 * sets of names, so that memory stays small and fixed per name. */
static uint64_t
hash_lower(const char *p, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < len; i++) {
		h ^= ascii_tolower((unsigned char)p[i]);
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static bool
span_eq_nocase(struct logline_span s, const char *word)
{
	size_t n = strlen(word);

	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_tolower((unsigned char)s.p[i]) != ascii_tolower((unsigned char)word[i]))
			return false;
	return true;
}

/* ---- queues ---- */

static void
queue_free(struct volume_queue *q)
{
	free(q->key);
	free(q->rcpts);
	if (q->index)
		g_hash_table_destroy(q->index);
	free(q);
}

static void
lru_unlink(struct volume *v, struct volume_queue *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		v->lru_head = q->next;
	if (q->next)
		q->next->prev = q->prev;
	else
		v->lru_tail = q->prev;
	q->prev = q->next = NULL;
}

static void
lru_push(struct volume *v, struct volume_queue *q)
{
	q->prev = v->lru_tail;
	q->next = NULL;
	if (v->lru_tail)
		v->lru_tail->next = q;
	else
		v->lru_head = q;
	v->lru_tail = q;
}

/* The queue is done with (or forgotten): its counts stay. */
static void
queue_drop(struct volume *v, struct volume_queue *q)
{
	v->open_rcpts -= q->nr;
	lru_unlink(v, q);
	g_hash_table_remove(v->queues, q->key);
	q->nr = 0;
	if (q->index) {
		g_hash_table_destroy(q->index);
		q->index = NULL;
	}
	q->next = v->spare;
	v->spare = q;
}

/* A queue for key, in the table and last in the lru list. */
static struct volume_queue *
queue_open(struct volume *v, const char *key)
{
	struct volume_queue *q = v->spare;
	size_t n = strlen(key) + 1;

	if (q)
		v->spare = q->next;
	else
		q = xcalloc(1, sizeof(*q));
	q->key = xgrow(q->key, n, &q->key_alloc, 1);
	memcpy(q->key, key, n);
	g_hash_table_insert(v->queues, q->key, q);
	lru_push(v, q);
	return q;
}

static struct volume_rcpt *
queue_find(struct volume_queue *q, uint64_t hash)
{
	gpointer hit;

	if (q->index == NULL) {
		for (size_t i = 0; i < q->nr; i++)
			if (q->rcpts[i].hash == hash)
				return &q->rcpts[i];
		return NULL;
	}
	hit = g_hash_table_lookup(q->index, &hash);
	return hit ? &q->rcpts[GPOINTER_TO_SIZE(hit) - 1] : NULL;
}

static struct volume_rcpt *
queue_add(struct volume_queue *q, uint64_t hash)
{
	struct volume_rcpt *r, *old = q->rcpts;

	q->rcpts = xgrow(q->rcpts, q->nr + 1, &q->alloc, sizeof(*q->rcpts));
	r = &q->rcpts[q->nr++];
	memset(r, 0, sizeof(*r));
	r->hash = hash;
	/* The index's keys are the hashes in rcpts: made again when they
	 * move (rarely: the array doubles). */
	if (q->index && q->rcpts != old) {
		g_hash_table_destroy(q->index);
		q->index = NULL;
	}
	if (q->index) {
		g_hash_table_insert(q->index, &r->hash, GSIZE_TO_POINTER(q->nr));
	} else if (q->nr > VOLUME_SCAN) {
		q->index = g_hash_table_new(g_int64_hash, g_int64_equal);
		for (size_t i = 0; i < q->nr; i++)
			g_hash_table_insert(q->index, &q->rcpts[i].hash, GSIZE_TO_POINTER(i + 1));
	}
	return r;
}

/* ---- times ---- */

/* A line's time.  A classic stamp is timed once a minute (mktime on
 * every line would cost more than the rest of the reading): the zone's
 * changes fall on whole minutes. */
static int
line_time(struct volume *v, const struct logline_syslog *sl, int64_t *t)
{
	const char *p = sl->stamp.p;
	struct logline_syslog m;
	char buf[15];
	int sec;

	if (sl->kind != LOGLINE_STAMP_CLASSIC || sl->stamp.len != 15)
		return logline_stamp_time(sl, v->to, t);
	sec = (p[13] - '0') * 10 + (p[14] - '0');
	if (sec > 59)
		return logline_stamp_time(sl, v->to, t);	/* a leap second */
	if (!v->has_minute || memcmp(v->minute, p, 12) != 0) {
		m = *sl;
		memcpy(buf, p, 13);
		buf[13] = buf[14] = '0';
		m.stamp = span(buf, 15);
		if (logline_stamp_time(&m, v->to, &v->minute_time) < 0)
			return -1;
		memcpy(v->minute, p, 12);
		v->has_minute = true;
	}
	*t = v->minute_time + sec;
	return 0;
}

static void
span_add(struct volume *v, int64_t t)
{
	if (!v->has_span || t < v->first)
		v->first = t;
	if (!v->has_span || t > v->last)
		v->last = t;
	v->has_span = true;
}

/* The time the logs cover: each file's first and last stamps. */
static void
note_stamp(struct volume *v, const struct logline_syslog *sl)
{
	int64_t t;

	if (!v->file_timed && line_time(v, sl, &t) == 0) {
		span_add(v, t);
		v->file_timed = true;
	}
	if (sl->stamp.p && sl->stamp.len < sizeof(v->last_stamp)) {
		memcpy(v->last_stamp, sl->stamp.p, sl->stamp.len);
		v->last_stamp_len = sl->stamp.len;
		v->last_kind = (int)sl->kind;
	}
}

static void
end_file(struct volume *v)
{
	struct logline_syslog sl;
	int64_t t;

	if (!v->in_file || v->last_stamp_len == 0)
		return;
	memset(&sl, 0, sizeof(sl));
	sl.kind = (enum logline_stamp)v->last_kind;
	sl.stamp = span(v->last_stamp, v->last_stamp_len);
	if (line_time(v, &sl, &t) == 0)
		span_add(v, t);
	v->last_stamp_len = 0;
}

/* ---- counting ---- */

static void
note_host(struct volume *v, struct logline_span host)
{
	if (host.len == 0)
		return;		/* Exim's own log: its file is one machine's */
	for (size_t i = v->nr_hosts; i > 0; i--)
		if (span_eq_nocase(host, v->hosts[i - 1]))
			return;
	if (v->nr_hosts == FPKIT_LIMIT_LOG_VOLUME_HOSTS) {
		v->more_hosts = true;
		return;
	}
	v->hosts = xrealloc(v->hosts, (v->nr_hosts + 1) * sizeof(*v->hosts));
	v->hosts[v->nr_hosts++] = xstrndup(host.p, host.len);
}

static void
note_domain(struct volume *v, struct logline_span addr)
{
	const char *at = memrchr(addr.p, '@', addr.len);
	uint64_t h, *key;

	if (at == NULL || at + 1 == addr.p + addr.len)
		return;
	h = hash_lower(at + 1, (size_t)(addr.p + addr.len - at - 1));
	if (g_hash_table_contains(v->domains, &h))
		return;
	if (g_hash_table_size(v->domains) >= FPKIT_LIMIT_LOG_VOLUME_DOMAINS) {
		v->domains_full = true;
		return;
	}
	key = xmalloc(sizeof(*key));
	*key = h;
	g_hash_table_add(v->domains, key);
}

static void
count_status(struct volume_hour *h, enum volume_status st, int add)
{
	if (st == VOLUME_DEFERRED)
		h->deferred += (uint64_t)add;
	else if (st == VOLUME_BOUNCED)
		h->bounced += (uint64_t)add;
}

/* Room for one more recipient: the queues seen least recently are
 * forgotten past the limit (their counts stay; a later line about one
 * would count it again, hence the warning). */
static void
make_room(struct volume *v, struct volume_queue *keep)
{
	while (v->open_rcpts >= FPKIT_LIMIT_LOG_VOLUME_OPEN && v->lru_head &&
	       v->lru_head != keep) {
		if (!v->forgot)
			diag_add(v->diag, "mail logs: more than %d recipients in the 24 hours "
				 "before the block belong to messages whose end the logs have not "
				 "shown yet: the oldest are forgotten, and one logged again later "
				 "is counted again in the volume", FPKIT_LIMIT_LOG_VOLUME_OPEN);
		v->forgot = true;
		queue_drop(v, v->lru_head);
	}
}

/* "sent", "deferred", "bounced" or "expired" (Postfix gave up): the
 * others (Exim's suppressed, Postfix's address probes, Sendmail's
 * queued) are no delivery attempt. */
static bool
status_of(struct logline_span s, enum volume_status *st)
{
	if (s.len == 4 && memcmp(s.p, "sent", 4) == 0)
		*st = VOLUME_SENT;
	else if (s.len == 8 && memcmp(s.p, "deferred", 8) == 0)
		*st = VOLUME_DEFERRED;
	else if ((s.len == 7 && memcmp(s.p, "bounced", 7) == 0) ||
		 (s.len == 7 && memcmp(s.p, "expired", 7) == 0))
		*st = VOLUME_BOUNCED;
	else
		return false;
	return true;
}

/* One recipient of a delivery line. */
static void
count_recipient(struct volume *v, struct volume_queue *q, struct logline_span addr,
		bool remote, unsigned char slot, enum volume_status st, struct logline_span host)
{
	struct volume_rcpt *r;

	addr = logline_unbracket(addr);
	if (addr.len == 0)
		return;
	r = queue_find(q, hash_lower(addr.p, addr.len));
	if (r == NULL) {
		if (!remote)
			return;	/* a local copy of a message that also went out */
		make_room(v, q);
		r = queue_add(q, hash_lower(addr.p, addr.len));
		r->slot = slot;
		r->status = (unsigned char)st;
		v->open_rcpts++;
		v->hours[slot].recipients++;
		count_status(&v->hours[slot], st, 1);
		note_domain(v, addr);
		note_host(v, host);
		return;
	}
	if (r->status == st)
		return;
	count_status(&v->hours[r->slot], (enum volume_status)r->status, -1);
	count_status(&v->hours[r->slot], st, 1);
	r->status = (unsigned char)st;
}

/* A delivery attempt: counted when it went to a remote server in the
 * window, or when it tells the later fate of a recipient counted so. */
static void
count_delivery(struct volume *v, const struct logline_syslog *sl, enum logline_mta mta,
	       const char *key, struct logline_span rest, const struct logline_facts *f)
{
	char ip[LOGLINE_IP_LEN];
	struct volume_queue *q;
	enum volume_status st;
	const char *p, *end;
	unsigned char slot;
	bool remote;
	int64_t t;

	if (!status_of(f->status, &st))
		return;
	remote = logline_remote(mta, sl->prog, rest, f, ip);
	q = g_hash_table_lookup(v->queues, key);
	if ((!remote && q == NULL) || line_time(v, sl, &t) < 0 || t < v->from || t >= v->to)
		return;
	slot = (unsigned char)((t - v->from) / 3600);
	if (q == NULL) {
		q = queue_open(v, key);
		v->hours[slot].messages++;
	} else {
		lru_unlink(v, q);
		lru_push(v, q);
	}
	/* Sendmail lists the recipients of one attempt in one to=. */
	p = f->to.p;
	end = f->to.p + f->to.len;
	while (p < end) {
		const char *comma = mta == LOGLINE_SENDMAIL ? memchr(p, ',', (size_t)(end - p)) : NULL;
		const char *e = comma ? comma : end;

		count_recipient(v, q, span(p, (size_t)(e - p)), remote, slot, st, sl->host);
		p = comma ? comma + 1 : end;
	}
}

/* The queue's message expired, in the window: its deferred recipients
 * bounced. */
static void
expire(struct volume *v, const struct logline_syslog *sl, const char *key)
{
	struct volume_queue *q = g_hash_table_lookup(v->queues, key);
	int64_t t;

	if (q == NULL || line_time(v, sl, &t) < 0 || t < v->from || t >= v->to)
		return;
	for (size_t i = 0; i < q->nr; i++) {
		struct volume_rcpt *r = &q->rcpts[i];

		if (r->status != VOLUME_DEFERRED)
			continue;
		count_status(&v->hours[r->slot], VOLUME_DEFERRED, -1);
		count_status(&v->hours[r->slot], VOLUME_BOUNCED, 1);
		r->status = VOLUME_BOUNCED;
	}
}

/* Which MTA wrote a line of a queue: Exim's ids have their own shape;
 * Postfix's programs are "postfix/smtp" (or "postfix-out/smtp");
 * Sendmail's "sm-mta", "sendmail". */
static enum logline_mta
line_mta(const struct logline_syslog *sl, struct logline_span qid)
{
	if (qid.len < sl->msg.len && sl->msg.p[qid.len] == ' ')
		return LOGLINE_EXIM;
	if (sl->prog.p && memchr(sl->prog.p, '/', sl->prog.len))
		return LOGLINE_POSTFIX;
	return LOGLINE_SENDMAIL;
}

/* Cheap first: the lines that matter start a delivery (Postfix and
 * Sendmail "to=", Exim "=> ", "-> ", "== ", "** "), a message (Sendmail
 * "from=") or end one (Postfix "removed", Exim "Completed"). */
static bool
starts_something(struct logline_span rest)
{
	const char *p = rest.p;

	if (rest.len < 3)
		return false;
	switch (p[0]) {
	case 't': return p[1] == 'o' && p[2] == '=';
	case 'f': return rest.len > 5 && memcmp(p, "from=", 5) == 0;
	case 'r': return rest.len == 7 && memcmp(p, "removed", 7) == 0;
	case 'C': return rest.len >= 9 && memcmp(p, "Completed", 9) == 0;
	case '=': return (p[1] == '>' || p[1] == '=') && p[2] == ' ';
	case '-': return p[1] == '>' && p[2] == ' ';
	case '*': return p[1] == '*' && p[2] == ' ';
	}
	return false;
}

void
volume_feed(void *arg, size_t file, const char *line, size_t len)
{
	char key[VOLUME_MAX_HOST + LOGLINE_MAX_QID + 2];
	struct volume *v = arg;
	struct logline_span qid, rest;
	struct logline_facts f;
	struct logline_syslog sl;
	struct volume_queue *q;
	enum logline_mta mta;

	if (!v->in_file || file != v->file) {
		end_file(v);
		v->file = file;
		v->in_file = true;
		v->file_timed = false;
	}
	if (logline_parse_syslog(line, len, &sl) < 0)
		return;
	note_stamp(v, &sl);
	if (!logline_queue_id(sl.msg, &qid, &rest) || sl.host.len > VOLUME_MAX_HOST)
		return;
	if (v->host && sl.host.len) {
		if (!span_eq_nocase(sl.host, v->host))
			return;
		v->host_seen = true;
	}
	if (!starts_something(rest))
		return;
	memcpy(key, sl.host.p, sl.host.len);
	key[sl.host.len] = ' ';
	memcpy(key + sl.host.len + 1, qid.p, qid.len);
	key[sl.host.len + 1 + qid.len] = '\0';
	mta = line_mta(&sl, qid);
	logline_parse_facts(mta, rest, &f);
	/* The end of a message: a queue id seen again is another one. */
	if (f.end || (mta == LOGLINE_SENDMAIL && f.from.p)) {
		if ((q = g_hash_table_lookup(v->queues, key)) != NULL)
			queue_drop(v, q);
		return;
	}
	/* Postfix gives up: "from=<...>, status=expired, returned to
	 * sender": every recipient still deferred is bounced. */
	if (mta == LOGLINE_POSTFIX && f.from.p && memmem(rest.p, rest.len, "status=expired", 14))
		expire(v, &sl, key);
	else if (f.recipient && f.to.p)
		count_delivery(v, &sl, mta, key, rest, &f);
}

/* ---- the window ---- */

void
volume_init(struct volume *v)
{
	memset(v, 0, sizeof(*v));
}

void
volume_start(struct volume *v, int64_t block, const char *host, struct diag *diag)
{
	volume_release(v);
	v->started = true;
	v->to = block;
	v->from = block - VOLUME_HOURS * 3600;
	v->host = host ? xstrdup(host) : NULL;
	v->diag = diag;
	v->queues = g_hash_table_new(g_str_hash, g_str_equal);
	v->domains = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, NULL);
}

bool
volume_complete(const struct volume *v)
{
	return v->has_span && v->first <= v->from && v->last >= v->to;
}

/* What the logs miss of the window, as a warning. */
static void
warn_cover(struct volume *v)
{
	char from[TIMEFMT_ISO_LEN], to[TIMEFMT_ISO_LEN], a[TIMEFMT_ISO_LEN], b[TIMEFMT_ISO_LEN];

	timefmt_iso_utc(v->from, from);
	timefmt_iso_utc(v->to, to);
	if (!v->has_span || v->last < v->from || v->first >= v->to) {
		diag_add(v->diag, "mail logs: no line from the 24 hours before the block (%s to "
			 "%s): no sending volume%s", from, to, v->has_span ? "; give the logs of "
			 "those days" : "");
		return;
	}
	if (volume_complete(v))
		return;
	timefmt_iso_utc(v->first > v->from ? v->first : v->from, a);
	timefmt_iso_utc(v->last < v->to ? v->last : v->to, b);
	diag_add(v->diag, "mail logs: they cover the 24 hours before the block (%s to %s) only "
		 "from %s to %s: the sending volume counts that part; give %s", from, to, a, b,
		 v->first > v->from && v->last < v->to ? "the older rotated logs, and the newer" :
		 v->first > v->from ? "the older rotated logs too, oldest first" :
		 "the logs written since, up to the block");
}

void
volume_finish(struct volume *v)
{
	if (!v->started)
		return;
	end_file(v);
	v->in_file = false;
	v->messages = v->recipients = v->deferred = v->bounced = 0;
	for (int i = 0; i < VOLUME_HOURS; i++) {
		v->messages += v->hours[i].messages;
		v->recipients += v->hours[i].recipients;
		v->deferred += v->hours[i].deferred;
		v->bounced += v->hours[i].bounced;
	}
	v->delivered = v->recipients - v->deferred - v->bounced;
	warn_cover(v);
	if (v->host && !v->host_seen)
		diag_add(v->diag, "mail logs: no line of host '%s' (--log-host): the sending "
			 "volume counts none", v->host);
	if (v->nr_hosts > 1) {
		char list[256] = "";
		size_t n = 0;

		for (size_t i = 0; i < v->nr_hosts && i < 4 && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
					      v->hosts[i]);
		diag_add(v->diag, "mail logs: the sending volume counts the mail of %s%zu hosts "
			 "(%s%s): if not all of them send through the blocked IP, give --log-host "
			 "with the name of the one that does", v->more_hosts ? "more than " : "",
			 v->nr_hosts, list, v->nr_hosts > 4 || v->more_hosts ? ", ..." : "");
	}
	if (v->domains_full)
		diag_add(v->diag, "mail logs: more than %d recipient domains in the 24 hours "
			 "before the block: the volume says %d", FPKIT_LIMIT_LOG_VOLUME_DOMAINS,
			 FPKIT_LIMIT_LOG_VOLUME_DOMAINS);
	/* What is left open is not needed any more. */
	while (v->lru_head)
		queue_drop(v, v->lru_head);
}

static json_t *
iso_json(int64_t t)
{
	char buf[TIMEFMT_ISO_LEN];

	return json_string(timefmt_iso_utc(t, buf));
}

json_t *
volume_json(const struct volume *v)
{
	json_t *hourly, *hosts;
	bool covered;

	if (!v->started)
		return json_null();
	hourly = json_array();
	for (int i = 0; i < VOLUME_HOURS; i++) {
		const struct volume_hour *h = &v->hours[i];

		json_array_append_new(hourly, json_pack("{s:o, s:I, s:I, s:I, s:I}",
			"hour", iso_json(v->from + (int64_t)i * 3600),
			"messages", (json_int_t)h->messages,
			"recipients", (json_int_t)h->recipients,
			"deferred", (json_int_t)h->deferred,
			"bounced", (json_int_t)h->bounced));
	}
	hosts = json_array();
	for (size_t i = 0; i < v->nr_hosts; i++)
		json_array_append_new(hosts, jsontext_string(v->hosts[i]));
	covered = v->has_span && v->last >= v->from && v->first < v->to;
	return json_pack("{s:o, s:o, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:b, s:o, s:o, s:o, s:o}",
		"from", iso_json(v->from),
		"to", iso_json(v->to),
		"hours", VOLUME_HOURS,
		"messages", (json_int_t)v->messages,
		"recipients", (json_int_t)v->recipients,
		"recipient_domains", (json_int_t)g_hash_table_size(v->domains),
		"delivered", (json_int_t)v->delivered,
		"deferred", (json_int_t)v->deferred,
		"bounced", (json_int_t)v->bounced,
		"hourly", hourly,
		"complete", volume_complete(v),
		"covered_from", covered ? iso_json(v->first > v->from ? v->first : v->from) :
			json_null(),
		"covered_to", covered ? iso_json(v->last < v->to ? v->last : v->to) : json_null(),
		"log_host", jsontext_string(v->host),
		"hosts", hosts);
}

char *
volume_describe(const struct volume *v)
{
	const struct volume_hour *last = &v->hours[VOLUME_HOURS - 1];

	if (!v->started)
		return NULL;
	return xasprintf("%" PRIu64 " message%s sent in the 24 h before the block, %" PRIu64
			 " in the last hour; %" PRIu64 " recipient%s, %" PRIu64 " deferred, %"
			 PRIu64 " bounced%s", v->messages, v->messages == 1 ? "" : "s",
			 last->messages, v->recipients, v->recipients == 1 ? "" : "s",
			 v->deferred, v->bounced,
			 volume_complete(v) ? "" : " (the logs do not cover all of it)");
}

void
volume_release(struct volume *v)
{
	while (v->lru_head)
		queue_drop(v, v->lru_head);
	while (v->spare) {
		struct volume_queue *q = v->spare;

		v->spare = q->next;
		queue_free(q);
	}
	if (v->queues)
		g_hash_table_destroy(v->queues);
	if (v->domains)
		g_hash_table_destroy(v->domains);
	for (size_t i = 0; i < v->nr_hosts; i++)
		free(v->hosts[i]);
	free(v->hosts);
	free(v->host);
	memset(v, 0, sizeof(*v));
}
