/* alertscan.c - one decoded text of an alert: its lines, the records
 * and tables of messages they hold, the blocked IP and the date
 *
 * The text is first made into plain lines (HTML through html2text.c,
 * "> " quoting and typographic spaces and dashes removed); then each
 * line is a table's header or row, a row without labels, or labels with
 * their values (alertfield.c) that make records, one target each.  How
 * the alert is laid out, and why the scan reads it so, is at the top of
 * alert.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "alertfield.h"
#include "alertscan.h"
#include "ascii.h"
#include "error.h"
#include "fpkit_limits.h"
#include "html2text.h"
#include "mime.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"

/* ---- lines ---- */

/* Where the "> " quoting of the prepared text changes: the lines from
 * pos on were quoted 'depth' deep (a forward quotes what it forwards). */
struct quote_mark {
	size_t pos;
	unsigned depth;
};

struct quoting {
	struct quote_mark *marks;	/* by pos */
	size_t nr, alloc;
};

/* How deep the line holding b[pos] was quoted. */
static unsigned
quote_depth(const struct quoting *qt, size_t pos)
{
	size_t lo = 0, hi = qt->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (qt->marks[mid].pos <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? qt->marks[lo - 1].depth : 0;
}

/* The text as the scanner reads it: lines end in '\n'; "> " quoting,
 * carriage returns and trailing blanks are gone; the spaces, dashes and
 * colons word processors put in (no-break, narrow and thin spaces,
 * non-breaking hyphens, en and em dashes, full-width colons) are plain
 * ASCII, and invisible characters (zero-width space, BOM, soft hyphen)
 * are dropped.  The quoting removed is noted in qt.  EX_DATAERR for a
 * line longer than FPKIT_LIMIT_ALERT_LINE. */
static char *
prepare(const char *text, size_t len, const char *name, size_t *outlen, struct quoting *qt,
	struct error *err)
{
	struct strbuf sb;
	size_t i = 0, line = 0;
	unsigned last_depth = 0;

	strbuf_init(&sb, STRBUF_NO_MAX);
	while (i < len) {
		size_t start = i, end, p, keep;
		unsigned depth = 0;

		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		end = i;
		if (i < len && text[i] == '\r')
			i++;
		if (i < len && text[i] == '\n' && (i == end || text[i - 1] == '\r'))
			i++;
		line++;
		if (end - start > FPKIT_LIMIT_ALERT_LINE) {
			strbuf_release(&sb);
			return error_set(err, EX_DATAERR, "'%s': line %zu of the alert's text is "
					 "longer than %d bytes: is this an alert?", name, line,
					 FPKIT_LIMIT_ALERT_LINE), NULL;
		}
		/* Quoting: "> ", ">> ", "> > ". */
		p = start;
		for (size_t q = p; q < end; ) {
			while (q < end && ascii_isblank((unsigned char)text[q]))
				q++;
			if (q < end && text[q] == '>') {
				p = ++q;
				depth++;
				if (q < end && text[q] == ' ')
					p = ++q;
				continue;
			}
			break;
		}
		if (depth != last_depth) {
			qt->marks = xgrow(qt->marks, qt->nr + 1, &qt->alloc, sizeof(*qt->marks));
			qt->marks[qt->nr].pos = sb.len;
			qt->marks[qt->nr++].depth = depth;
			last_depth = depth;
		}
		keep = sb.len;
		while (p < end) {
			const unsigned char *u = (const unsigned char *)text + p;
			size_t left = end - p;

			if (left >= 2 && u[0] == 0xC2 && (u[1] == 0xA0)) {
				strbuf_addch(&sb, ' ');
				p += 2;
			} else if (left >= 2 && u[0] == 0xC2 && u[1] == 0xAD) {
				p += 2;
			} else if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
				   ((u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xAF)) {
				strbuf_addch(&sb, ' ');		/* U+2000..U+200A, U+202F */
				p += 3;
			} else if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
				   (u[2] == 0x8B || u[2] == 0x8C || u[2] == 0x8D)) {
				p += 3;				/* zero-width */
			} else if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
				   u[2] >= 0x90 && u[2] <= 0x95) {
				strbuf_addch(&sb, '-');		/* U+2010..U+2015 */
				p += 3;
			} else if (left >= 3 && u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92) {
				strbuf_addch(&sb, '-');		/* U+2212 */
				p += 3;
			} else if (left >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x9A) {
				strbuf_addch(&sb, ':');		/* U+FF1A */
				p += 3;
			} else if (left >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
				p += 3;				/* BOM */
			} else if (u[0] == '\0' || u[0] == '\f' || u[0] == '\v') {
				strbuf_addch(&sb, ' ');
				p++;
			} else {
				strbuf_addch(&sb, (int)u[0]);
				p++;
			}
		}
		while (sb.len > keep && sb.buf[sb.len - 1] == ' ')
			sb.len--;
		sb.buf[sb.len] = '\0';
		strbuf_addch(&sb, '\n');
	}
	return strbuf_detach(&sb, outlen);
}


/* ---- the scan ---- */

struct record {
	bool seen[ALERTFIELD_NR_KINDS + 1];
	char *id;
	char *dest;
	bool has_score;
	int64_t score;
	size_t pos;		/* where it starts */
};

struct scanner {
	const char *b;
	size_t len;
	const char *name;
	struct alertscan *s;
	struct record r;
	size_t *dest_pos;	/* where destination values were read */
	size_t nr_dest_pos, alloc_dest_pos;
	struct quoting qt;	/* the quoting prepare() removed */
	struct error *err;
	bool failed;
};

static void
record_clear(struct record *r)
{
	free(r->id);
	free(r->dest);
	memset(r, 0, sizeof(*r));
}

static void
add_target(struct scanner *sc, char *id, char *dest, bool has_score, int64_t score, size_t pos)
{
	struct alertscan *s = sc->s;
	struct alert_target *t;

	if (sc->failed) {
		free(id);
		free(dest);
		return;
	}
	if (s->nr_targets >= FPKIT_LIMIT_ALERT_TARGETS) {
		free(id);
		free(dest);
		sc->failed = true;
		error_set(sc->err, EX_DATAERR, "'%s' lists more than %d messages: is this an "
			  "alert?", sc->name, FPKIT_LIMIT_ALERT_TARGETS);
		return;
	}
	if (s->nr_targets == 0 && (s->ip == NULL || pos < s->first_pos))
		s->first_pos = pos;
	s->targets = xgrow(s->targets, s->nr_targets + 1, &s->alloc_targets, sizeof(*s->targets));
	t = &s->targets[s->nr_targets++];
	t->message_id = id;
	t->destination_ip = dest;
	t->has_spamscore = has_score;
	t->spamscore = score;
}

/* A record becomes a target when it has a Message-ID, or a destination
 * IP with a Message-ID label (an empty id) or a score. */
static void
flush(struct scanner *sc)
{
	struct record *r = &sc->r;

	if (r->id || (r->dest && (r->seen[ALERTFIELD_ID] || r->has_score))) {
		add_target(sc, r->id, r->dest, r->has_score, r->score, r->pos);
		r->id = r->dest = NULL;
	}
	record_clear(r);
}

static void
note_dest(struct scanner *sc, size_t pos)
{
	sc->dest_pos = xgrow(sc->dest_pos, sc->nr_dest_pos + 1, &sc->alloc_dest_pos,
			     sizeof(*sc->dest_pos));
	sc->dest_pos[sc->nr_dest_pos++] = pos;
}

/* Labels on the line at *pos, and on the lines values run on to; *pos
 * ends at a line end. */
static void
scan_labels(struct scanner *sc, size_t *pos)
{
	const char *b = sc->b;
	size_t len = sc->len, p = *pos, end;
	struct strbuf v;

	strbuf_init(&v, STRBUF_NO_MAX);
	while (p < len && b[p] != '\n') {
		enum alertfield_kind k = alertfield_label(b, len, p, false, &end);
		struct record *r = &sc->r;
		char *id = NULL, *dest = NULL;
		bool has_score = false, explicit, valid;
		int64_t score = 0;
		size_t q = end, label = p;

		if (k == ALERTFIELD_NONE || k == ALERTFIELD_OTHER) {
			p++;
			continue;
		}
		/* "Spam score: 300", "Message-ID\t<id>" (a table cell) say that a
		 * value follows; without a colon or a cell, a label is one only
		 * when a value of its kind follows ("Score sheet" is prose). */
		while (q < len && b[q] == ' ')
			q++;
		explicit = (q < len && (b[q] == ':' || b[q] == '=')) || (end < len && b[end] == '\t');
		p = end;
		alertfield_collect(b, len, &p, k, &v);
		if (k == ALERTFIELD_ID) {
			id = v.len ? alertfield_id(v.buf, v.len) : NULL;
			valid = id && (strchr(id, '@') || v.buf[0] == '<');
		} else if (k == ALERTFIELD_DEST) {
			dest = v.len ? alertfield_ip(v.buf, v.len) : NULL;
			valid = dest != NULL;
		} else {
			has_score = v.len && alertfield_score(v.buf, v.len, &score);
			valid = has_score;
		}
		if (!explicit && !valid) {
			free(id);
			free(dest);
			p = end;
			continue;
		}
		if (r->seen[k])
			flush(sc);
		if (!r->seen[ALERTFIELD_DEST] && !r->seen[ALERTFIELD_ID] && !r->seen[ALERTFIELD_SCORE])
			r->pos = label;
		r->seen[k] = true;
		if (k == ALERTFIELD_ID) {
			free(r->id);
			r->id = id;
		} else if (k == ALERTFIELD_DEST) {
			free(r->dest);
			r->dest = dest;
			if (dest)
				note_dest(sc, end);
		} else {
			r->has_score = has_score;
			r->score = score;
		}
	}
	strbuf_release(&v);
	*pos = p;
}

/* ---- tables ---- */

#define MAX_CELLS 32

struct cells {
	size_t start[MAX_CELLS], len[MAX_CELLS];
	size_t nr;
};

/* Split the line b[p..e) into cells: at tabs or '|' when it has any,
 * else at runs of two blanks or more (aligned columns). */
static void
split_cells(const char *b, size_t p, size_t e, struct cells *c)
{
	bool marked = memchr(b + p, '\t', e - p) || memchr(b + p, '|', e - p);
	size_t s = p;

	c->nr = 0;
	/* "| a | b |": no empty cell before the first bar or after the last. */
	while (p < e && ascii_isblank((unsigned char)b[p]))
		p++;
	if (p < e && b[p] == '|')
		s = ++p;
	while (e > p && ascii_isblank((unsigned char)b[e - 1]))
		e--;
	if (e > p && b[e - 1] == '|')
		e--;
	for (size_t q = s; q <= e && c->nr < MAX_CELLS; ) {
		size_t w = 0;

		if (q < e) {
			if (marked && (b[q] == '\t' || b[q] == '|'))
				w = 1;
			else if (!marked && b[q] == ' ' && q + 1 < e && ascii_isblank((unsigned char)b[q + 1]))
				for (w = 0; q + w < e && ascii_isblank((unsigned char)b[q + w]); w++)
					;
		}
		if (q == e || w) {
			size_t a = s, z = q;

			while (a < z && ascii_isblank((unsigned char)b[a]))
				a++;
			while (z > a && ascii_isblank((unsigned char)b[z - 1]))
				z--;
			c->start[c->nr] = a;
			c->len[c->nr] = z - a;
			c->nr++;
			if (q == e)
				break;
			q += w;
			s = q;
			continue;
		}
		q++;
	}
}

struct table {
	bool active;
	size_t nr_cells;
	int col[ALERTFIELD_NR_KINDS + 1];	/* column of each kind, -1 when none */
};

/* Is the line b[p..e) a header row: cells that are labels, for at least
 * two of destination, id and score, one of them the id or the
 * destination? */
static bool
header_row(const char *b, size_t len, size_t p, size_t e, struct table *t)
{
	struct cells c;
	int found = 0;

	split_cells(b, p, e, &c);
	if (c.nr < 2)
		return false;
	for (int k = 0; k <= ALERTFIELD_NR_KINDS; k++)
		t->col[k] = -1;
	for (size_t i = 0; i < c.nr; i++) {
		size_t a = c.start[i], z = a + c.len[i], end;
		enum alertfield_kind k;

		if (z > a && b[z - 1] == ':')
			z--;
		while (z > a && ascii_isblank((unsigned char)b[z - 1]))
			z--;
		if (z == a)
			continue;
		k = alertfield_label(b, len, a, true, &end);
		if (k == ALERTFIELD_NONE || end != z)
			return false;
		if (k != ALERTFIELD_OTHER) {
			if (t->col[k] >= 0)
				return false;
			t->col[k] = (int)i;
			found++;
		}
	}
	if (found < 2 || (t->col[ALERTFIELD_ID] < 0 && t->col[ALERTFIELD_DEST] < 0))
		return false;
	t->active = true;
	t->nr_cells = c.nr;
	return true;
}

static bool
has_label(const char *b, size_t len, size_t p, size_t e)
{
	size_t end;

	for (; p < e; p++)
		if (alertfield_label(b, len, p, false, &end) != ALERTFIELD_NONE)
			return true;
	return false;
}

/* A row without labels: its words classified by their form (an IPv4
 * address, an id with '@' or in <>, a number).  With 'strict', any
 * other word makes it no row; it needs an id and a destination (with
 * 'strict') or either (in a table). */
static bool
typed_row(struct scanner *sc, size_t p, size_t e, bool strict)
{
	const char *b = sc->b;
	char *id = NULL, *dest = NULL;
	bool has_score = false, ok = true;
	int64_t score = 0;
	size_t start = p, dest_at = 0;

	while (p < e && ok) {
		size_t w = p, n;
		int64_t num;
		char *x;

		while (w < e && !ascii_isblank((unsigned char)b[w]) && b[w] != '|')
			w++;
		n = w - p;
		if (n == 0 || alertfield_is_separator(b + p, n)) {
			/* a separator */
		} else if ((x = alertfield_ip(b + p, n)) != NULL) {
			if (dest)
				ok = false;
			free(dest);
			dest = x;
			dest_at = p;
		} else if (memchr(b + p, '@', n) || (b[p] == '<' && b[p + n - 1] == '>')) {
			if (id)
				ok = false;
			free(id);
			id = alertfield_id(b + p, n);
			ok = ok && id;
		} else if (alertfield_score(b + p, n, &num) && !has_score) {
			has_score = true;
			score = num;
		} else if (strict) {
			ok = false;
		}
		p = w + 1;
	}
	ok = ok && (strict ? id && dest : id || dest);
	if (!ok) {
		free(id);
		free(dest);
		return false;
	}
	flush(sc);
	if (dest)
		note_dest(sc, dest_at);
	add_target(sc, id, dest, has_score, score, start);
	return true;
}

static void
table_row(struct scanner *sc, struct table *t, size_t p, size_t e)
{
	const char *b = sc->b;
	struct cells c;
	char *id = NULL, *dest = NULL;
	bool has_score = false;
	int64_t score = 0;

	/* "|----|----|", "===  ===": the rule under a header. */
	if (strspn(b + p, "-=+:|_ \t") >= e - p)
		return;
	split_cells(b, p, e, &c);
	if (c.nr != t->nr_cells) {
		typed_row(sc, p, e, false);
		return;
	}
	if (t->col[ALERTFIELD_ID] >= 0 && c.len[t->col[ALERTFIELD_ID]])
		id = alertfield_id(b + c.start[t->col[ALERTFIELD_ID]], c.len[t->col[ALERTFIELD_ID]]);
	if (t->col[ALERTFIELD_DEST] >= 0 && c.len[t->col[ALERTFIELD_DEST]])
		dest = alertfield_ip(b + c.start[t->col[ALERTFIELD_DEST]], c.len[t->col[ALERTFIELD_DEST]]);
	if (t->col[ALERTFIELD_SCORE] >= 0 && c.len[t->col[ALERTFIELD_SCORE]])
		has_score = alertfield_score(b + c.start[t->col[ALERTFIELD_SCORE]], c.len[t->col[ALERTFIELD_SCORE]], &score);
	if (id == NULL && dest == NULL)
		return;
	if (dest)
		note_dest(sc, c.start[t->col[ALERTFIELD_DEST]]);
	add_target(sc, id, dest, has_score, score, p);
}

/* ---- the blocked IP ---- */

static const char *const triggers[] = {
	"your ip address", "your ipv4 address", "your ip", "your ipv4", "your server ip",
	"votre adresse ip", "votre ip", "vos adresses ip", "vos ip", "l'adresse ip", "l’adresse ip",
	"l'ip", "l’ip", "cette adresse ip", "cette ip", "this ip address", "this ip",
	"the ip address", "the ip", "blocked ip", "ip bloquée", "ip bloquee", "ip blocked",
	"ipspamming", "ip spamming", "spamming ip", "adresse ip", "ip address", "server ip",
	"ip du serveur", NULL,
};

static bool
dest_value_at(const struct scanner *sc, size_t pos)
{
	size_t lo = 0, hi = sc->nr_dest_pos;

	/* dest_pos grows with the scan: the last label end at or before pos
	 * (a destination value is read within a few bytes of its label). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->dest_pos[mid] <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && pos - sc->dest_pos[lo - 1] < 8;
}

static void
set_ip(struct scanner *sc, const char *ip, size_t pos)
{
	struct alertscan *s = sc->s;

	s->ip = xstrdup(ip);
	s->ip_pos = pos;
	if (s->nr_targets == 0 || pos < s->first_pos)
		s->first_pos = pos;
}

/* An IPv4 address named after a trigger phrase. */
struct ip_cand {
	char ip[16];
	size_t pos;
	unsigned depth;		/* how deep its line was quoted */
};

/* Which of the addresses named after a trigger phrase is the blocked
 * one.  A forward's own note may name one too ("the server IP
 * 192.0.2.1 got this:") above the alert it quotes, so the first is not
 * the answer: the one closest before the first message listed (the
 * alert's sentence comes before its list), else the first of those
 * quoted deepest (the forwarded part). */
static const struct ip_cand *
pick_ip(const struct alertscan *s, const struct ip_cand *c, size_t nr)
{
	const struct ip_cand *best = NULL;

	for (size_t i = 0; s->nr_targets > 0 && i < nr && c[i].pos < s->first_pos; i++)
		best = &c[i];
	if (best)
		return best;
	best = &c[0];
	for (size_t i = 1; i < nr; i++)
		if (c[i].depth > best->depth)
			best = &c[i];
	return best;
}

/* The IPv4 address after a trigger phrase, before any label and within
 * a few lines (pick_ip chooses when there are several); else the first
 * one followed on its line by "block..." or "bloqu...".  A second
 * address named after a trigger is noted in s->ip_other. */
static void
find_ip(struct scanner *sc)
{
	const char *b = sc->b;
	size_t len = sc->len, end, nr = 0, alloc = 0;
	struct ip_cand *cand = NULL;
	const struct ip_cand *best;
	char ip[16];

	for (size_t p = 0; p < len; p++) {
		size_t tend = 0, n;

		if (!alertfield_word_start(b, p) || b[p] == '\n' || ascii_isblank((unsigned char)b[p]))
			continue;
		if (alertfield_label(b, len, p, false, &end) != ALERTFIELD_NONE) {
			p = end - 1;
			continue;
		}
		for (const char *const *t = triggers; *t && !tend; t++)
			tend = alertfield_words(b, len, p, *t);
		if (!tend)
			continue;
		p = tend - 1;
		for (size_t q = tend; q < len && q < tend + 240; q++) {
			if (b[q] == '\n' && q + 1 < len && b[q + 1] == '\n')
				break;
			if (alertfield_label(b, len, q, false, &end) != ALERTFIELD_NONE)
				break;
			if (ascii_isdigit((unsigned char)b[q]) && (n = alertfield_ipv4_at(b, len, q, ip))) {
				cand = xgrow(cand, nr + 1, &alloc, sizeof(*cand));
				memcpy(cand[nr].ip, ip, sizeof(ip));
				cand[nr].pos = q;
				cand[nr++].depth = quote_depth(&sc->qt, q);
				p = q + n - 1;
				break;
			}
		}
	}
	if (nr) {
		best = pick_ip(sc->s, cand, nr);
		for (size_t i = 0; i < nr && sc->s->ip_other == NULL; i++)
			if (strcmp(cand[i].ip, best->ip) != 0)
				sc->s->ip_other = xstrdup(cand[i].ip);
		set_ip(sc, best->ip, best->pos);
		free(cand);
		return;
	}
	for (size_t p = 0; p < len; p++) {
		size_t n;

		if (!ascii_isdigit((unsigned char)b[p]) || !(n = alertfield_ipv4_at(b, len, p, ip)) ||
		    dest_value_at(sc, p))
			continue;
		for (size_t q = p + n; q < len && q < p + n + 60 && b[q] != '\n'; q++)
			if (strncasecmp(b + q, "block", 5) == 0 || strncasecmp(b + q, "bloqu", 5) == 0) {
				set_ip(sc, ip, p);
				return;
			}
		p += n;
	}
}

/* ---- dates ---- */

struct date_cand {
	size_t pos;
	int64_t t;
};

/* "Date: Fri, 20 Nov 2026 14:32:07 +0100" (a forward's header), and the
 * French and Outlook names of the field. */
static bool
date_line(const char *b, size_t len, size_t p, size_t e, int64_t *t)
{
	static const char *const names[] = { "date", "sent", "envoyé", "envoye", "envoyé le", NULL };

	while (p < e && ascii_isblank((unsigned char)b[p]))
		p++;
	for (const char *const *n = names; *n; n++) {
		size_t q = alertfield_words(b, len, p, *n);

		if (!q || q > e)
			continue;
		while (q < e && ascii_isblank((unsigned char)b[q]))
			q++;
		if (q >= e || b[q] != ':')
			continue;
		q++;
		while (q < e && ascii_isblank((unsigned char)b[q]))
			q++;
		if (q < e && mime_parse_date(b + q, e - q, t) == 0)
			return true;
	}
	return false;
}

/* An ISO 8601 date and time with a zone at b[p] ("2026-11-20T14:32:07Z",
 * "2026-11-20 14:32:07 +01:00", "2026-11-20 14:32 UTC"). */
static bool
iso_at(const char *b, size_t len, size_t p, int64_t *t)
{
	char buf[40];
	size_t q = p, n = 0;

	if (!alertfield_word_start(b, p) || len - p < 16)
		return false;
	for (int i = 0; i < 10; i++)
		if (!(i == 4 || i == 7 ? b[p + i] == '-' : ascii_isdigit((unsigned char)b[p + i])))
			return false;
	if (b[p + 10] != 'T' && b[p + 10] != ' ')
		return false;
	q = p + 11;
	while (q < len && q < p + 30 && (ascii_isdigit((unsigned char)b[q]) || b[q] == ':' || b[q] == '.'))
		q++;
	if (q - p < 16)
		return false;
	n = q - p;
	memcpy(buf, b + p, n);
	if (q < len && b[q] == ' ')
		q++;
	if (q < len && (b[q] == 'Z' || b[q] == '+' || b[q] == '-')) {
		size_t z = q + 1;

		while (z < len && z < q + 6 && (ascii_isdigit((unsigned char)b[z]) || b[z] == ':'))
			z++;
		if (z - q + n >= sizeof(buf))
			return false;
		memcpy(buf + n, b + q, z - q);
		n += z - q;
	} else if (q + 3 <= len && (strncmp(b + q, "UTC", 3) == 0 || strncmp(b + q, "GMT", 3) == 0)) {
		buf[n++] = 'Z';
	} else {
		return false;
	}
	buf[n] = '\0';
	return timefmt_parse_iso(buf, t) == 0;
}

static void
find_date(struct scanner *sc)
{
	const char *b = sc->b;
	size_t len = sc->len, nr = 0, alloc = 0;
	struct date_cand *c = NULL;
	int64_t t;

	for (size_t p = 0; p < len; ) {
		size_t e = p;

		while (e < len && b[e] != '\n')
			e++;
		if (date_line(b, len, p, e, &t)) {
			c = xgrow(c, nr + 1, &alloc, sizeof(*c));
			c[nr].pos = p;
			c[nr++].t = t;
		} else {
			for (size_t q = p; q < e; q++)
				if (ascii_isdigit((unsigned char)b[q]) && iso_at(b, len, q, &t)) {
					c = xgrow(c, nr + 1, &alloc, sizeof(*c));
					c[nr].pos = q;
					c[nr++].t = t;
					q += 15;
				}
		}
		p = e + 1;
	}
	/* The last date before the alert's first line, else the first after. */
	if (nr && (sc->s->ip || sc->s->nr_targets)) {
		size_t pick = 0;

		for (size_t i = 0; i < nr && c[i].pos <= sc->s->first_pos; i++)
			pick = i;
		sc->s->has_date = true;
		sc->s->date = c[pick].t;
	}
	free(c);
}

/* ---- one text ---- */

int
alertscan_text(struct alertscan *s, const char *text, size_t len, bool html,
		const char *name, struct error *err)
{
	struct scanner sc;
	struct table t;
	char *plain = NULL, *b;
	size_t blen, p = 0;

	memset(s, 0, sizeof(*s));
	memset(&sc, 0, sizeof(sc));
	memset(&t, 0, sizeof(t));
	if (html) {
		plain = html2text_convert(text, len, &len);
		text = plain;
	}
	b = prepare(text, len, name, &blen, &sc.qt, err);
	free(plain);
	if (b == NULL) {
		free(sc.qt.marks);
		return -1;
	}
	sc.b = b;
	sc.len = blen;
	sc.name = name;
	sc.s = s;
	sc.err = err;
	while (p < blen && !sc.failed) {
		size_t e = p;

		while (e < blen && b[e] != '\n')
			e++;
		if (e == p) {			/* an empty line ends a record, a table */
			flush(&sc);
			t.active = false;
			p++;
			continue;
		}
		if (t.active && !has_label(b, blen, p, e)) {
			table_row(&sc, &t, p, e);
			p = e + 1;
			continue;
		}
		t.active = false;
		if (header_row(b, blen, p, e, &t)) {
			flush(&sc);
			p = e + 1;
			continue;
		}
		if (!has_label(b, blen, p, e)) {
			typed_row(&sc, p, e, true);
			p = e + 1;
			continue;
		}
		scan_labels(&sc, &p);
		p++;
	}
	if (!sc.failed)
		flush(&sc);
	record_clear(&sc.r);
	if (!sc.failed) {
		find_ip(&sc);
		find_date(&sc);
		s->spam = strcasestr(b, "spam") != NULL;
	}
	free(sc.dest_pos);
	free(sc.qt.marks);
	free(b);
	if (sc.failed) {
		alertscan_release(s);
		return -1;
	}
	return 0;
}

void
alertscan_release(struct alertscan *s)
{
	free(s->ip);
	free(s->ip_other);
	for (size_t i = 0; i < s->nr_targets; i++) {
		free(s->targets[i].message_id);
		free(s->targets[i].destination_ip);
	}
	free(s->targets);
	memset(s, 0, sizeof(*s));
}
