/* finder.c - the locate stage */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "mailspec.h"
#include "mime.h"
#include "msgid.h"
#include "origin.h"
#include "strbuf.h"
#include "xalloc.h"

static bool want_message(const struct store_msg *msg, void *data);
static bool want_id(const char *value, size_t len, void *data);
static void passed(uint64_t n, void *data);

static void
recent_release(struct finder_recent *r)
{
	free(r->hit.path);
	free(r->hit.fields);
	free(r->id);
	free(r->canon);
	free(r->evidence);
	memset(r, 0, sizeof(*r));
}

void
finder_init(struct finder *f, struct targets *t, struct diag *diag)
{
	memset(f, 0, sizeof(*f));
	f->targets = t;
	f->opt.max_header = FPKIT_LIMIT_HEADER_BLOCK;
	f->opt.diag = diag;
	f->opt.want = want_message;
	f->opt.want_id = want_id;
	f->opt.passed = passed;
}

void
finder_release(struct finder *f)
{
	size_t i;

	for (i = 0; i < f->nr_hits; i++) {
		free(f->hits[i].path);
		free(f->hits[i].data);
		free(f->hits[i].fields);
	}
	free(f->hits);
	for (i = 0; i < f->nr_searched; i++)
		free(f->searched[i]);
	free(f->searched);
	for (i = 0; i < f->nr_recent; i++)
		recent_release(&f->recent[i]);
	free(f->recent);
	memset(f, 0, sizeof(*f));
}

/* The target a Message-ID field's value names, or -1: the one place
 * where an id read from a stored message is made canonical. */
static long
header_target(const struct finder *f, const char *value, size_t vlen)
{
	char *canon = msgid_normalize(value, vlen);
	long k = canon ? targets_lookup(f->targets, canon) : -1;

	free(canon);
	return k;
}

/* A message a program or a server holds: fetched now, while its store
 * is open (a hit once, whatever the number of its ids that are
 * targets).  A message past the limit of a sample, or gone since its
 * listing, is left out with a warning; another failure stops the
 * scan. */
static int
add_remote_hit(struct finder *f, size_t target, struct store_msg *msg, struct error *err)
{
	struct error ferr = ERROR_INIT;
	struct finder_hit *h;
	struct strbuf sb;

	for (size_t i = 0; i < f->nr_hits; i++)
		if (f->hits[i].target == target && strcmp(f->hits[i].path, msg->path) == 0)
			return 0;
	strbuf_init(&sb, FPKIT_LIMIT_SAMPLE);
	if (msg->fetch(msg, &sb, &ferr) < 0) {
		strbuf_release(&sb);
		if (ferr.status == EX_DATAERR || ferr.status == EX_NOINPUT) {
			diag_add(f->opt.diag, "left out a message: %s", ferr.msg);
			return 0;
		}
		return error_set(err, ferr.status, "%s", ferr.msg);
	}
	f->hits = xgrow(f->hits, f->nr_hits + 1, &f->alloc_hits, sizeof(*f->hits));
	h = &f->hits[f->nr_hits++];
	memset(h, 0, sizeof(*h));
	h->target = target;
	h->path = xstrdup(msg->path);
	h->format = msg->format;
	h->data = strbuf_detach(&sb, &h->data_len);
	h->length = (int64_t)h->data_len;
	f->targets->items[target].nr_hits++;
	return 0;
}

static void
add_hit(struct finder *f, size_t target, struct store_msg *msg)
{
	struct finder_hit *h;

	if (store_msg_complete(msg) < 0) {
		diag_add(f->opt.diag, "skipped '%s': cannot stat it", msg->path);
		return;
	}
	/* One file reached by two paths (a hard link, a symlink): the
	 * smaller path is kept, whatever the order in which the reading
	 * threads met them. */
	for (size_t i = 0; i < f->nr_hits; i++) {
		h = &f->hits[i];
		if (h->target == target && h->dev == msg->dev && h->ino == msg->ino &&
		    h->offset == msg->offset) {
			if (strcmp(msg->path, h->path) < 0) {
				free(h->path);
				h->path = xstrdup(msg->path);
				h->format = msg->format;
				h->compression = msg->compression;
			}
			return;
		}
	}
	f->hits = xgrow(f->hits, f->nr_hits + 1, &f->alloc_hits, sizeof(*f->hits));
	h = &f->hits[f->nr_hits++];
	memset(h, 0, sizeof(*h));
	h->target = target;
	h->path = xstrdup(msg->path);
	h->format = msg->format;
	h->compression = msg->compression;
	h->offset = msg->offset;
	h->length = msg->length;
	h->dev = msg->dev;
	h->ino = msg->ino;
	/* Its sender domains, for the choice of the recent messages. */
	if (f->recent_max)
		h->fields = origin_excerpt(msg->header, msg->header_len, true, &h->fields_len,
					   &h->fields_cut);
	f->targets->items[target].nr_hits++;
}

void
finder_want_recent(struct finder *f, size_t n, int64_t before)
{
	f->recent_max = n;
	f->recent_before = before;
	/* Every message is read for its date: none is passed over. */
	f->opt.want_id = NULL;
	f->recent = xcalloc(n ? n : 1, sizeof(*f->recent));
}

/* Newer first; equal dates by path, then offset, so the choice does not
 * depend on the order of the walk. */
static int
cmp_recent(int64_t da, const char *pa, int64_t oa, int64_t db, const char *pb, int64_t ob)
{
	int c;

	if (da != db)
		return da > db ? -1 : 1;
	c = strcmp(pa, pb);
	if (c)
		return c;
	return (oa > ob) - (oa < ob);
}

static int
cmp_entries(const struct finder_recent *a, const struct finder_recent *b)
{
	return cmp_recent(a->date, a->hit.path, a->hit.offset, b->date, b->hit.path, b->hit.offset);
}

/* The heap of the candidates kept: each parent sorts after its children,
 * so the first is the one to drop when a newer message comes.  A heap,
 * not a sorted array: a store read oldest first puts each message in
 * front of all the others kept. */
static void
sift_down(struct finder_recent *r, size_t n, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, last = i;
		struct finder_recent tmp;

		if (c < n && cmp_entries(&r[c], &r[last]) > 0)
			last = c;
		if (c + 1 < n && cmp_entries(&r[c + 1], &r[last]) > 0)
			last = c + 1;
		if (last == i)
			return;
		tmp = r[i];
		r[i] = r[last];
		r[last] = tmp;
		i = last;
	}
}

static void
sift_up(struct finder_recent *r, size_t i)
{
	while (i > 0 && cmp_entries(&r[(i - 1) / 2], &r[i]) < 0) {
		struct finder_recent tmp = r[i];

		r[i] = r[(i - 1) / 2];
		r[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

/* A message met by the scan: is it one of the most recent before the
 * block?  A file reached twice (a hard link, two overlapping paths) is
 * kept twice here, and once by finder_rank_recent. */
static void
consider_recent(struct finder *f, struct store_msg *msg)
{
	struct finder_recent *r;
	const char *value;
	size_t vlen, pos = 0;
	int64_t date;

	if (!msgid_header_field(msg->header, msg->header_len, "date", &pos, &value, &vlen) ||
	    mime_parse_date(value, vlen, &date) < 0) {
		f->nr_undated++;
		return;
	}
	if (date >= f->recent_before)
		return;
	if (f->nr_recent == f->recent_max &&
	    cmp_recent(date, msg->path, msg->offset, f->recent[0].date, f->recent[0].hit.path,
		       f->recent[0].hit.offset) >= 0)
		return;
	if (store_msg_complete(msg) < 0)
		return;
	if (f->nr_recent == f->recent_max) {	/* drop the oldest */
		recent_release(&f->recent[0]);
		f->recent[0] = f->recent[--f->nr_recent];
		sift_down(f->recent, f->nr_recent, 0);
	}
	r = &f->recent[f->nr_recent];
	memset(r, 0, sizeof(*r));
	r->hit.path = xstrdup(msg->path);
	r->hit.format = msg->format;
	r->hit.compression = msg->compression;
	r->hit.offset = msg->offset;
	r->hit.length = msg->length;
	r->hit.dev = msg->dev;
	r->hit.ino = msg->ino;
	r->hit.fields = origin_excerpt(msg->header, msg->header_len, false, &r->hit.fields_len,
				       &r->hit.fields_cut);
	r->date = date;
	pos = 0;
	if (msgid_next_field(msg->header, msg->header_len, &pos, &value, &vlen)) {
		r->id = msgid_strip(value, vlen);
		r->canon = msgid_normalize(value, vlen);
	}
	sift_up(f->recent, f->nr_recent++);
}

/* Does the message carry a target's id (or may it be a recent one)?
 * Called by the store's reading threads at the same time: it only reads
 * the index, and counts with an atomic add. */
static bool
want_message(const struct store_msg *msg, void *data)
{
	struct finder *f = data;
	const char *value;
	size_t vlen, pos = 0;
	bool yes = f->recent_max > 0;

	if (((__atomic_add_fetch(&f->nr_messages, 1, __ATOMIC_RELAXED)) & 4095) == 0 && f->progress)
		f->progress(f, f->progress_data);
	while (!yes && msgid_next_field(msg->header, msg->header_len, &pos, &value, &vlen))
		yes = header_target(f, value, vlen) >= 0;
	return yes;
}

/* The canonical form of a Message-ID field's value of the usual shape,
 * into buf (size 'size'): white space and line breaks, then "<", an id
 * without white space, quotes, comments, backslashes or brackets, then
 * ">" and anything.  msgid_normalize gives the same (its first pass has
 * nothing to drop inside such an id, its second takes what stands
 * between the brackets), without allocating: this runs for every
 * message of an mbox.  False for any other shape. */
static bool
plain_canon(const char *value, size_t len, char *buf, size_t size)
{
	const char *p = value, *end = value + len, *id, *at = NULL;
	size_t n;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (p == end || *p != '<')
		return false;
	id = ++p;
	for (; p < end && *p != '>'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == '"' || c == '(' || c == ')' || c == '\\' || c == '<' ||
		    c == 127)
			return false;
		if (c == '@')
			at = p;
	}
	n = (size_t)(p - id);
	if (p == end || n == 0 || n >= size)
		return false;
	memcpy(buf, id, n);
	buf[n] = '\0';
	for (size_t i = at ? (size_t)(at - id) : n; i < n; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (char)(buf[i] - 'A' + 'a');
	return true;
}

/* The store's first test: a Message-ID field's value that is a target's. */
static bool
want_id(const char *value, size_t len, void *data)
{
	const struct finder *f = data;
	char buf[512];

	if (plain_canon(value, len, buf, sizeof(buf)))
		return targets_lookup(f->targets, buf) >= 0;
	return header_target(f, value, len) >= 0;
}

/* Messages the store passed over by want_id: counted as searched. */
static void
passed(uint64_t n, void *data)
{
	struct finder *f = data;
	uint64_t now = __atomic_add_fetch(&f->nr_messages, n, __ATOMIC_RELAXED);

	if (f->progress && (now & ~(uint64_t)4095) != ((now - n) & ~(uint64_t)4095))
		f->progress(f, f->progress_data);
}

static int
on_message(struct store_msg *msg, void *data, struct error *err)
{
	struct finder *f = data;
	const char *value;
	size_t vlen, pos = 0;

	while (msgid_next_field(msg->header, msg->header_len, &pos, &value, &vlen)) {
		long k = header_target(f, value, vlen);

		if (k < 0)
			continue;
		if (msg->fetch == NULL)
			add_hit(f, (size_t)k, msg);
		else if (add_remote_hit(f, (size_t)k, msg, err) < 0)
			return -1;
	}
	/* The messages before the block are chosen among files alone (a
	 * remote store's listing holds only the Message-ID field). */
	if (f->recent_max && msg->fetch == NULL)
		consider_recent(f, msg);
	return 0;
}

int
finder_scan(struct finder *f, const char *path, struct error *err)
{
	f->searched = xgrow(f->searched, f->nr_searched + 1, &f->alloc_searched,
			    sizeof(*f->searched));
	f->searched[f->nr_searched++] = xstrdup(path);
	return mailspec_scan(path, &f->opt, on_message, f, err);
}

static int
cmp_hits(const void *a, const void *b)
{
	const struct finder_hit *x = a, *y = b;
	int c;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	c = strcmp(x->path, y->path);
	if (c)
		return c;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

static int
cmp_ranked(const void *a, const void *b)
{
	return cmp_entries(a, b);
}

static bool
same_message(const struct finder_hit *a, const struct finder_hit *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->offset == b->offset;
}

void
finder_rank_recent(struct finder *f)
{
	size_t n = 0;

	if (f->nr_recent > 1)
		qsort(f->recent, f->nr_recent, sizeof(*f->recent), cmp_ranked);
	for (size_t i = 0; i < f->nr_recent; i++) {
		struct finder_recent *r = &f->recent[i];
		bool known = false;

		/* One file reached twice has one date: its other entry is
		 * among the kept ones of that date, the first under the path
		 * that sorts first. */
		for (size_t j = n; j-- > 0 && f->recent[j].date == r->date && !known;)
			known = same_message(&f->recent[j].hit, &r->hit);
		/* already a sample as a target's message */
		for (size_t j = 0; j < f->nr_hits && !known; j++)
			known = same_message(&f->hits[j], &r->hit);
		if (known) {
			recent_release(r);
			continue;
		}
		if (n != i) {
			f->recent[n] = *r;
			memset(r, 0, sizeof(*r));
		}
		n++;
	}
	f->nr_recent = n;
}

void
finder_sort(struct finder *f)
{
	/* The recent messages taken, newest first, as targets of their own. */
	for (size_t i = 0; i < f->nr_recent; i++) {
		struct finder_recent *r = &f->recent[i];
		struct finder_hit *h;
		size_t t;

		if (r->rule == NULL) {
			recent_release(r);
			continue;
		}
		t = targets_add_recent(f->targets, r->id, r->date, r->rule, r->evidence);
		r->id = NULL;
		r->evidence = NULL;
		f->targets->items[t].nr_hits = 1;
		f->hits = xgrow(f->hits, f->nr_hits + 1, &f->alloc_hits, sizeof(*f->hits));
		h = &f->hits[f->nr_hits++];
		*h = r->hit;
		h->target = t;
		memset(&r->hit, 0, sizeof(r->hit));
		recent_release(r);
	}
	f->nr_recent = 0;
	for (size_t i = 0; i < f->nr_hits; i++) {
		free(f->hits[i].fields);
		f->hits[i].fields = NULL;
	}
	if (f->nr_hits > 1)
		qsort(f->hits, f->nr_hits, sizeof(*f->hits), cmp_hits);
}
