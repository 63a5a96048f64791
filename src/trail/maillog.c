/* maillog.c - the mail-log trail
 *
 * A log is read twice, as one stream through one window of
 * MAILLOG_WINDOW bytes, so memory does not grow with the log.  The first
 * pass looks only at lines that announce a Message-ID (Postfix cleanup,
 * Exim "<=", Sendmail "from=") and notes those of the targets with their
 * queue ids: the anchors.  The second pass keeps every line of those
 * queues in a pending segment per queue; where the MTA is done with a
 * message (Postfix "removed", Exim "Completed") or starts a new one
 * (Sendmail "from="), the segment ends, and it becomes a story when an
 * anchor lies in it, or is dropped.  So a queue id used again for
 * another message (Postfix reuses them) never joins two messages, and
 * lines that come before the Message-ID (smtpd's client=) are kept.
 * Only lines of anchored queues are ever held, within FPKIT_LIMIT_LOG_KEPT. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "error.h"
#include "fpkit_limits.h"
#include "maillog.h"
#include "msgid.h"
#include "strbuf.h"
#include "tarball.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

/* Bytes read at a time; the window holds that plus one whole line. */
#define MAILLOG_WINDOW (1024 * 1024)

/* Longest host name and queue id taken into a queue's key. */
#define MAILLOG_MAX_HOST 255
#define MAILLOG_MAX_QID 32

/* What ends a queue's story. */
enum maillog_end {
	MAILLOG_END_MTA,	/* the MTA: Postfix "removed", Exim "Completed" */
	MAILLOG_END_NEXT,	/* the queue id's next message (Sendmail) */
	MAILLOG_END_LOGS,	/* the end of the logs */
};

/* A kept line: where it was, and its bytes in the story's text. */
struct maillog_line {
	uint64_t seq;		/* line number over all the files read */
	size_t file;		/* index into maillog.files */
	uint64_t lineno;	/* from 1, in its file (decompressed) */
	size_t off, len;	/* in the story's text */
};

/* The lines of one queue about one message. */
struct maillog_story {
	char *qid;
	char *host;		/* "" for Exim's own log */
	enum maillog_mta mta;
	struct maillog_line *lines;
	size_t nr_lines, alloc_lines;
	struct strbuf text;	/* the lines' bytes, one after the other */
	uint64_t last_seq;	/* the last line of the queue seen, kept or not */
	uint64_t omitted;	/* lines past a limit, not kept */
	enum maillog_end end;	/* what ended it */
	bool has_from;		/* holds a "from=" line (Sendmail's start) */
	uint64_t anchor_seq;	/* the first line announcing a target's id */
};

const char *
maillog_mta_name(enum maillog_mta mta)
{
	switch (mta) {
	case MAILLOG_POSTFIX: return "postfix";
	case MAILLOG_EXIM: return "exim";
	case MAILLOG_SENDMAIL: return "sendmail";
	case MAILLOG_NONE: break;
	}
	return "unknown";
}

/* ---- small span helpers ---- */

static struct maillog_span
span(const char *p, size_t len)
{
	struct maillog_span s = { p, len };

	return s;
}

static bool
span_starts(struct maillog_span s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.p && s.len >= n && memcmp(s.p, prefix, n) == 0;
}

static bool
span_is(struct maillog_span s, const char *word)
{
	return s.p && s.len == strlen(word) && memcmp(s.p, word, s.len) == 0;
}

static struct maillog_span
span_trim(struct maillog_span s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

/* "<addr>" -> "addr"; anything else as it is. */
static struct maillog_span
span_unbracket(struct maillog_span s)
{
	s = span_trim(s);
	if (s.len >= 2 && s.p[0] == '<' && s.p[s.len - 1] == '>') {
		s.p++;
		s.len -= 2;
	}
	return s;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ---- the syslog header ---- */

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static int
month_of(const char *p)
{
	for (int i = 0; i < 12; i++)
		if (memcmp(p, months[i], 3) == 0)
			return i;
	return -1;
}

/* "Mmm dd hh:mm:ss": the day may be blank-padded ("Nov  5"). */
static bool
is_classic_stamp(const char *p, size_t len)
{
	return len >= 16 && month_of(p) >= 0 && p[3] == ' ' &&
	       (p[4] == ' ' || is_digit(p[4])) && is_digit(p[5]) && p[6] == ' ' &&
	       is_digit(p[7]) && is_digit(p[8]) && p[9] == ':' &&
	       is_digit(p[10]) && is_digit(p[11]) && p[12] == ':' &&
	       is_digit(p[13]) && is_digit(p[14]) && p[15] == ' ';
}

/* "YYYY-MM-DD" */
static bool
is_iso_date(const char *p, size_t len)
{
	return len >= 19 && is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]) &&
	       is_digit(p[3]) && p[4] == '-' && is_digit(p[5]) && is_digit(p[6]) &&
	       p[7] == '-' && is_digit(p[8]) && is_digit(p[9]);
}

/* The next blank-delimited token from *p (which moves past it and one
 * blank); false when there is none. */
static bool
token(const char **p, const char *end, struct maillog_span *t)
{
	const char *s = *p, *e;

	if (s >= end || *s == ' ')
		return false;
	e = memchr(s, ' ', (size_t)(end - s));
	if (e == NULL)
		e = end;
	*t = span(s, (size_t)(e - s));
	*p = e < end ? e + 1 : end;
	return true;
}

/* "host prog[pid]: msg" or "host prog: msg" after a stamp. */
static int
parse_tagged(const char *p, const char *end, struct maillog_syslog *o)
{
	const char *q;

	if (!token(&p, end, &o->host))
		return -1;
	for (q = p; q < end && *q != ':' && *q != '[' && *q != ' '; q++)
		;
	if (q == p || q == end || *q == ' ')
		return -1;	/* no tag: not a program's line */
	o->prog = span(p, (size_t)(q - p));
	if (*q == '[') {
		q = memchr(q, ']', (size_t)(end - q));
		if (q == NULL || q + 1 >= end || q[1] != ':')
			return -1;
		q++;
	}
	q++;			/* the colon */
	if (q < end && *q == ' ')
		q++;
	o->msg = span(q, (size_t)(end - q));
	return 0;
}

/* RFC 5424: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG". */
static int
parse_rfc5424(const char *p, const char *end, struct maillog_syslog *o)
{
	struct maillog_span procid, msgid;

	p++;
	while (p < end && is_digit(*p))
		p++;
	if (end - p < 3 || memcmp(p, ">1 ", 3) != 0)
		return -1;
	p += 3;
	o->kind = MAILLOG_STAMP_ISO;
	if (!token(&p, end, &o->stamp) || !token(&p, end, &o->host) ||
	    !token(&p, end, &o->prog) || !token(&p, end, &procid) || !token(&p, end, &msgid))
		return -1;
	if (span_is(o->stamp, "-"))
		o->stamp = span(NULL, 0);
	if (span_is(o->host, "-"))
		o->host = span("", 0);
	if (p < end && *p == '-') {
		p++;
	} else {
		/* Structured data: [id param="value" ...]..., with \] inside
		 * values escaped. */
		while (p < end && *p == '[') {
			bool quoted = false;

			for (p++; p < end; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				else if (*p == '"')
					quoted = !quoted;
				else if (*p == ']' && !quoted)
					break;
			}
			if (p == end)
				return -1;
			p++;
		}
	}
	if (p < end && *p == ' ')
		p++;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* the BOM RFC 5424 puts before UTF-8 text */
	o->msg = span(p, (size_t)(end - p));
	return 0;
}

/* Exim's mainlog: "YYYY-MM-DD hh:mm:ss[.fff] [+zzzz] [[pid]] msg". */
static int
parse_exim(const char *line, const char *end, struct maillog_syslog *o)
{
	const char *p = line + 19;

	if (line[10] != ' ' || !is_digit(line[11]) || !is_digit(line[12]) || line[13] != ':' ||
	    !is_digit(line[14]) || !is_digit(line[15]) || line[16] != ':' ||
	    !is_digit(line[17]) || !is_digit(line[18]))
		return -1;
	if (p < end && *p == '.')
		for (p++; p < end && is_digit(*p); p++)
			;
	if (end - p >= 6 && p[0] == ' ' && (p[1] == '+' || p[1] == '-') && is_digit(p[2]) &&
	    is_digit(p[3]) && is_digit(p[4]) && is_digit(p[5]))
		p += 6;
	o->kind = MAILLOG_STAMP_EXIM;
	o->stamp = span(line, (size_t)(p - line));
	o->host = span("", 0);
	o->prog = span("exim", 4);
	if (p < end && *p == ' ')
		p++;
	if (p < end && *p == '[') {	/* log_selector = +pid */
		const char *q = p + 1;

		while (q < end && is_digit(*q))
			q++;
		if (q < end && *q == ']' && q > p + 1) {
			p = q + 1;
			if (p < end && *p == ' ')
				p++;
		}
	}
	o->msg = span(p, (size_t)(end - p));
	return 0;
}

int
maillog_parse_syslog(const char *line, size_t len, struct maillog_syslog *o)
{
	const char *end = line + len, *p;

	memset(o, 0, sizeof(*o));
	if (is_classic_stamp(line, len)) {
		o->kind = MAILLOG_STAMP_CLASSIC;
		o->stamp = span(line, 15);
		return parse_tagged(line + 16, end, o);
	}
	if (len > 4 && line[0] == '<' && is_digit(line[1]))
		return parse_rfc5424(line, end, o);
	if (!is_iso_date(line, len))
		return -1;
	if (line[10] == ' ')
		return parse_exim(line, end, o);
	if (line[10] != 'T' && line[10] != 't')
		return -1;
	p = line;
	o->kind = MAILLOG_STAMP_ISO;
	if (!token(&p, end, &o->stamp))
		return -1;
	return parse_tagged(p, end, o);
}

/* ---- times ---- */

/* n digits at p, or -1. */
static int
num(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Local time in the zone of TZ; false when the fields do not make a
 * date (30 February, 29 February of a common year). */
static bool
local_time(int year, int mon, int day, int h, int mi, int s, int64_t *t)
{
	struct tm tm;
	time_t tt;

	if (mon < 0 || mon > 11 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;	/* the zone's rule decides */
	tt = mktime(&tm);
	if (tt == (time_t)-1 || tm.tm_mday != day || tm.tm_mon != mon)
		return false;
	*t = (int64_t)tt;
	return true;
}

/* "YYYY-MM-DD?hh:mm:ss[.frac]" and an optional zone ("Z", "+01:00",
 * "+0100", blank-separated or not) in s (NUL-terminated). */
static int
iso_time(const char *s, int64_t *t)
{
	char buf[64];
	size_t n = 0;
	const char *p;
	int y, mo, d, h, mi, se;

	if (strlen(s) < 19)
		return -1;
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	h = num(s + 11, 2);
	mi = num(s + 14, 2);
	se = num(s + 17, 2);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0)
		return -1;
	p = s + 19;
	if (*p == '.' || *p == ',')
		for (p++; is_digit(*p); p++)
			;
	if (*p == ' ')
		p++;
	if (*p == '\0')
		return local_time(y, mo - 1, d, h, mi, se, t) ? 0 : -1;
	/* With a zone: timefmt_parse_iso, without the blank. */
	for (const char *q = s; *q && n + 1 < sizeof(buf); q++)
		if (!(*q == ' ' && (q[1] == '+' || q[1] == '-' || q[1] == 'Z')))
			buf[n++] = *q;
	buf[n] = '\0';
	return timefmt_parse_iso(buf, t);
}

int
maillog_stamp_time(const struct maillog_syslog *s, int64_t near, int64_t *t)
{
	char buf[64];
	time_t nt;
	struct tm ntm;
	int mon, day, h, mi, se;
	bool found = false;
	int64_t best = 0;

	if (s->stamp.p == NULL || s->stamp.len == 0 || s->stamp.len >= sizeof(buf))
		return -1;
	if (s->kind != MAILLOG_STAMP_CLASSIC) {
		memcpy(buf, s->stamp.p, s->stamp.len);
		buf[s->stamp.len] = '\0';
		return iso_time(buf, t);
	}
	mon = month_of(s->stamp.p);
	day = s->stamp.p[4] == ' ' ? num(s->stamp.p + 5, 1) : num(s->stamp.p + 4, 2);
	h = num(s->stamp.p + 7, 2);
	mi = num(s->stamp.p + 10, 2);
	se = num(s->stamp.p + 13, 2);
	if (mon < 0 || day < 0 || h < 0 || mi < 0 || se < 0)
		return -1;
	/* No year: the one of the three around 'near' that puts the line
	 * nearest to it (logs are read about the days before a block). */
	nt = (time_t)(near > 0 ? near : time(NULL));
	memset(&ntm, 0, sizeof(ntm));
	gmtime_r(&nt, &ntm);
	for (int y = ntm.tm_year + 1900 - 1; y <= ntm.tm_year + 1900 + 1; y++) {
		int64_t c;

		if (!local_time(y, mon, day, h, mi, se, &c))
			continue;
		if (!found || llabs((long long)(c - nt)) < llabs((long long)(best - nt)))
			best = c;
		found = true;
	}
	if (!found)
		return -1;
	*t = best;
	return 0;
}

/* ---- queue ids and what a line says ---- */

/* Exim's message id: 1abcDE-000123-AB (up to 4.96), 1abcDE-00000000GvX-3VZ3
 * (4.97 on): base-62 groups of 6, 6 to 11, and 2 to 4 characters. */
static size_t
exim_id_len(const char *p, size_t len)
{
	size_t i = 0, g;

	for (g = 0; i < len && is_alnum(p[i]); i++, g++)
		;
	if (g != 6 || i >= len || p[i] != '-')
		return 0;
	for (i++, g = 0; i < len && is_alnum(p[i]); i++, g++)
		;
	if (g < 6 || g > 11 || i >= len || p[i] != '-')
		return 0;
	for (i++, g = 0; i < len && is_alnum(p[i]); i++, g++)
		;
	if (g < 2 || g > 4)
		return 0;
	return i;
}

bool
maillog_queue_id(struct maillog_span msg, struct maillog_span *qid, struct maillog_span *rest)
{
	size_t i, n;
	bool digit = false;

	if (msg.p == NULL)
		return false;
	/* Exim: "ID " then the rest. */
	n = exim_id_len(msg.p, msg.len);
	if (n > 0 && n < msg.len && msg.p[n] == ' ') {
		*qid = span(msg.p, n);
		*rest = span(msg.p + n + 1, msg.len - n - 1);
		return true;
	}
	/* Postfix (short hex or long base-52 ids), Sendmail, and the milters
	 * that log for them (opendkim): "QID: rest".  A digit is required,
	 * so that "warning:", "NOQUEUE:" or "statistics:" are no queue. */
	for (i = 0; i < msg.len && i <= MAILLOG_MAX_QID && is_alnum(msg.p[i]); i++)
		digit |= is_digit(msg.p[i]);
	if (i < 5 || i > MAILLOG_MAX_QID || !digit || i + 1 >= msg.len || msg.p[i] != ':' ||
	    msg.p[i + 1] != ' ')
		return false;
	*qid = span(msg.p, i);
	*rest = span(msg.p + i + 2, msg.len - i - 2);
	return true;
}

/* One "key=value" of a ", "-separated list (Postfix, Sendmail).  A value
 * runs to the next ", " outside angle brackets, and inside them outside
 * a quoted string: an address's quoted local part may hold ", " and
 * '>' ("from=<\"x>, msgid=<...>, y\"@example.org>" is one field); the
 * value of status= (Postfix) and stat= (Sendmail), always the last
 * field, runs to the end of the line, since the remote answer in it may
 * hold anything.  A field without '=' has an empty key. */
struct kv {
	struct maillog_span key, val;
};

static bool
kv_next(struct maillog_span s, size_t *pos, struct kv *kv)
{
	const char *p = s.p + *pos, *end = s.p + s.len, *q, *v;
	int depth = 0;

	if (p >= end)
		return false;
	for (q = p; q < end && (is_alnum(*q) || *q == '_' || *q == '-'); q++)
		;
	if (q < end && *q == '=' && q > p) {
		kv->key = span(p, (size_t)(q - p));
		v = q + 1;
	} else {
		kv->key = span(p, 0);
		v = p;
	}
	if (span_is(kv->key, "status") || span_is(kv->key, "stat")) {
		kv->val = span(v, (size_t)(end - v));
		*pos = s.len;
		return true;
	}
	for (q = v; q < end; q++) {
		if (*q == '"' && depth > 0) {
			for (q++; q < end && *q != '"'; q++)
				if (*q == '\\' && q + 1 < end)
					q++;
			if (q == end)
				break;
		} else if (*q == '<') {
			depth++;
		} else if (*q == '>' && depth > 0) {
			depth--;
		} else if (*q == ',' && depth == 0 && q + 1 < end && q[1] == ' ') {
			break;
		}
	}
	kv->val = span(v, (size_t)(q - v));
	*pos = q < end ? (size_t)(q + 2 - s.p) : s.len;
	return true;
}

/* The value of field 'key' in a ", "-separated list. */
static bool
kv_get(struct maillog_span s, const char *key, struct maillog_span *val)
{
	size_t pos = 0;
	struct kv kv;

	while (kv_next(s, &pos, &kv))
		if (span_is(kv.key, key)) {
			*val = kv.val;
			return true;
		}
	return false;
}

/* The value of the first field 'key' after field 'after'.  Sendmail's
 * from= line is "from=<sender>, size=N, class=N, nrcpts=N,
 * msgid=<id>, ..., relay=...": what comes before size= is the sender's
 * address, which the sender chose, so a msgid= or relay= in it is none. */
static bool
kv_get_after(struct maillog_span s, const char *after, const char *key,
	     struct maillog_span *val)
{
	size_t pos = 0;
	struct kv kv;
	bool past = false;

	while (kv_next(s, &pos, &kv)) {
		if (past && span_is(kv.key, key)) {
			*val = kv.val;
			return true;
		}
		past |= span_is(kv.key, after);
	}
	return false;
}

/* "word (detail)" -> word, detail. */
static void
status_detail(struct maillog_span v, struct maillog_span *word, struct maillog_span *detail)
{
	const char *sp = memchr(v.p, ' ', v.len);
	struct maillog_span d;

	*word = span(v.p, sp ? (size_t)(sp - v.p) : v.len);
	if (sp == NULL)
		return;
	d = span_trim(span(sp + 1, v.len - (size_t)(sp + 1 - v.p)));
	if (d.len >= 2 && d.p[0] == '(' && d.p[d.len - 1] == ')')
		d = span(d.p + 1, d.len - 2);
	if (d.len)
		*detail = d;
}

/* The first enhanced status code (RFC 3463: class.subject.detail) in
 * text, as a remote answer carries it ("550 5.7.1 ..."). */
static struct maillog_span
find_dsn(struct maillog_span t)
{
	for (size_t i = 0; t.p && i + 5 <= t.len; i++) {
		size_t j = i + 2, a, b;

		if ((t.p[i] != '2' && t.p[i] != '4' && t.p[i] != '5') || t.p[i + 1] != '.' ||
		    (i > 0 && (is_digit(t.p[i - 1]) || t.p[i - 1] == '.')))
			continue;
		for (a = 0; j < t.len && is_digit(t.p[j]) && a < 3; j++, a++)
			;
		if (a == 0 || j >= t.len || t.p[j] != '.')
			continue;
		for (j++, b = 0; j < t.len && is_digit(t.p[j]) && b < 3; j++, b++)
			;
		if (b == 0 || (j < t.len && (is_digit(t.p[j]) || t.p[j] == '.')))
			continue;
		return span(t.p + i, j - i);
	}
	return span(NULL, 0);
}

static void
postfix_facts(struct maillog_span rest, struct maillog_facts *f)
{
	struct maillog_span v;
	size_t pos = 0;
	struct kv kv;

	if (span_is(rest, "removed")) {
		f->end = true;
		return;
	}
	if (span_starts(rest, "message-id=")) {
		f->message_id = span_trim(span(rest.p + 11, rest.len - 11));
		return;
	}
	if (!kv_next(rest, &pos, &kv))
		return;
	if (span_is(kv.key, "client")) {
		f->client = kv.val;
	} else if (span_is(kv.key, "from")) {
		f->from = span_unbracket(kv.val);
	} else if (span_is(kv.key, "to") && kv_get(rest, "status", &v)) {
		f->recipient = true;
		f->to = span_unbracket(kv.val);
		status_detail(v, &f->status, &f->detail);
		if (kv_get(rest, "relay", &v))
			f->relay = v;
		if (kv_get(rest, "dsn", &v))
			f->dsn = v;
	}
}

static void
sendmail_facts(struct maillog_span rest, struct maillog_facts *f)
{
	struct maillog_span v;
	size_t pos = 0;
	struct kv kv;

	if (!kv_next(rest, &pos, &kv))
		return;
	if (span_is(kv.key, "from")) {
		f->from = span_unbracket(kv.val);
		if (kv_get_after(rest, "size", "msgid", &v))
			f->message_id = span_trim(v);
		if (kv_get_after(rest, "size", "relay", &v))
			f->client = v;
	} else if (span_is(kv.key, "to") && kv_get(rest, "stat", &v)) {
		f->recipient = true;
		f->to = kv.val;
		f->detail = span_trim(v);
		if (kv_get(rest, "relay", &v))
			f->relay = v;
		if (kv_get(rest, "dsn", &v))
			f->dsn = v;
		/* stat= is "Sent (answer)", "Deferred: reason", or the error
		 * itself ("User unknown"); the dsn class tells the rest. */
		if (span_starts(f->detail, "Sent"))
			f->status = span("sent", 4);
		else if (span_starts(f->detail, "Deferred") || (f->dsn.p && f->dsn.p[0] == '4'))
			f->status = span("deferred", 8);
		else
			f->status = span("bounced", 7);
	}
}

/* The value of an Exim field starting at q (after "K="): a quoted one
 * runs to its closing quote (with \" inside), any other to a blank or a
 * quote.  H= ('host') goes on over the "(helo)" and "[ip]" that follow
 * the name, or stand for it: a HELO name is what the client sent, and
 * where junk is accepted it may hold blanks and ')', so it runs to the
 * ") [" before the address.  The value in *val; returns where the
 * field ends. */
static const char *
exim_value(const char *q, const char *end, bool host, struct maillog_span *val)
{
	const char *p = q;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++)
			if (*p == '\\' && p + 1 < end)
				p++;
		*val = span(q + 1, (size_t)(p - q - 1));
		return p < end ? p + 1 : end;
	}
	/* The name, unless "H=(helo) [ip]" or "H=[ip]" has none. */
	if (!host || p == end || (*p != '(' && *p != '['))
		while (p < end && *p != ' ' && *p != '"')
			p++;
	while (host && p < end) {
		const char *part = p == q ? p : *p == ' ' ? p + 1 : end, *close = NULL;

		if (part == end || (*part != '(' && *part != '['))
			break;
		if (*part == '(')
			close = memmem(part, (size_t)(end - part), ") [", 3);
		if (close == NULL)
			close = memchr(part, *part == '(' ? ')' : ']', (size_t)(end - part));
		if (close == NULL)
			break;
		for (p = close + 1; p < end && *p != ' ' && *p != ':'; p++)
			;
		if (p < end && *p == ':' && p + 1 < end && p[1] != ' ')
			for (; p < end && *p != ' '; p++)
				;	/* [ip]:port */
	}
	*val = span(q, (size_t)(p > q && p[-1] == ':' ? p - 1 - q : p - q));	/* "...: error" */
	return p;
}

/* Exim's "K=value" fields are blank-separated (exim_value), after the
 * mark and the address that start the line ("<= sender", "=> rcpt").
 * The line is read field by field, each value skipped whole, so that a
 * "K=" inside another field's value (a quoted subject, a HELO name) is
 * no field; a quote in any other word starts a quoted string too; and
 * the recipients listed after a bare "for" are no fields.  With 'last',
 * the last field 'key' is taken, else the first: Exim writes id= after
 * the fields a sender may fill with blanks (H=, A=, U=), so the last is
 * the real one should a junk HELO name hold " id=".  Errors come after
 * ": ". */
static bool
exim_field(struct maillog_span rest, const char *key, bool last, struct maillog_span *val)
{
	const char *p = rest.p, *end = rest.p + rest.len;
	size_t klen = strlen(key);
	bool found = false;

	if (rest.len >= 3 && p[2] == ' ' && strchr("<=-*", p[0]) && strchr("=>*", p[1]))
		for (p += 3; p < end && *p != ' '; p++)
			;	/* the mark and the address */
	while (p < end) {
		const char *k = p, *eq;
		struct maillog_span v;

		if (*p == ' ') {
			p++;
			continue;
		}
		while (p < end && (is_alnum(*p) || *p == '_' || *p == '-'))
			p++;
		if (p < end && *p == '=' && p > k) {
			eq = p;
			p = exim_value(p + 1, end, eq - k == 1 && *k == 'H', &v);
			if ((size_t)(eq - k) == klen && memcmp(k, key, klen) == 0) {
				*val = v;
				found = true;
				if (!last)
					return true;
			}
			continue;
		}
		if (p - k == 3 && memcmp(k, "for", 3) == 0 && (p == end || *p == ' '))
			break;	/* the recipients */
		/* Any other word, to its end; a quoted string in it may hold
		 * blanks. */
		for (; p < end && *p != ' '; p++) {
			if (*p != '"')
				continue;
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			if (p == end)
				break;
		}
	}
	return found;
}

/* The first ": " outside quotes, where Exim's error text starts. */
static struct maillog_span
exim_error(struct maillog_span rest)
{
	bool quoted = false;

	for (size_t i = 0; i + 1 < rest.len; i++) {
		if (rest.p[i] == '\\' && quoted)
			i++;
		else if (rest.p[i] == '"')
			quoted = !quoted;
		else if (!quoted && rest.p[i] == ':' && rest.p[i + 1] == ' ')
			return span_trim(span(rest.p + i + 2, rest.len - i - 2));
	}
	return span(NULL, 0);
}

static void
exim_facts(struct maillog_span rest, struct maillog_facts *f)
{
	static const struct {
		const char *mark, *status;
	} marks[] = {
		{ "=> ", "sent" }, { "-> ", "sent" }, { "*> ", "suppressed" },
		{ "** ", "bounced" }, { "== ", "deferred" },
	};
	const char *p, *end = rest.p + rest.len;
	struct maillog_span v, who;

	if (span_starts(rest, "Completed")) {
		f->end = true;
		return;
	}
	if (rest.len < 3)
		return;
	p = rest.p + 3;
	if (!token(&p, end, &who))
		who = span(rest.p + 3, 0);
	if (span_starts(rest, "<= ")) {
		f->from = span_is(who, "<>") ? span("", 0) : who;
		if (exim_field(rest, "H", false, &v))
			f->client = v;
		if (exim_field(rest, "id", true, &v))
			f->message_id = v;
		return;
	}
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if (!span_starts(rest, marks[i].mark))
			continue;
		if (who.len && who.p[who.len - 1] == ':')
			who.len--;	/* "** addr: Unrouteable address" */
		f->recipient = true;
		f->to = who;
		f->status = span(marks[i].status, strlen(marks[i].status));
		if (exim_field(rest, "H", false, &v))
			f->relay = v;
		if (exim_field(rest, "C", false, &v))
			f->detail = v;
		else
			f->detail = exim_error(rest);
		f->dsn = find_dsn(f->detail);
		return;
	}
}

void
maillog_parse_facts(enum maillog_mta mta, struct maillog_span rest, struct maillog_facts *f)
{
	memset(f, 0, sizeof(*f));
	if (rest.p == NULL)
		return;
	switch (mta) {
	case MAILLOG_POSTFIX: postfix_facts(rest, f); break;
	case MAILLOG_EXIM: exim_facts(rest, f); break;
	case MAILLOG_SENDMAIL: sendmail_facts(rest, f); break;
	case MAILLOG_NONE: break;
	}
}

enum maillog_mta
maillog_announced_id(struct maillog_span msg, struct maillog_span *qid, struct maillog_span *id)
{
	struct maillog_span rest, v;

	if (!maillog_queue_id(msg, qid, &rest))
		return MAILLOG_NONE;
	if (qid->len < msg.len && msg.p[qid->len] == ' ') {
		if (!span_starts(rest, "<= ") || !exim_field(rest, "id", true, &v) || v.len == 0)
			return MAILLOG_NONE;
		*id = v;
		return MAILLOG_EXIM;
	}
	if (span_starts(rest, "message-id=")) {
		*id = span_trim(span(rest.p + 11, rest.len - 11));
		return id->len ? MAILLOG_POSTFIX : MAILLOG_NONE;
	}
	/* Sendmail's from= line holds msgid=; Postfix's qmgr from= does not. */
	if (span_starts(rest, "from=") && kv_get_after(rest, "size", "msgid", &v) &&
	    (v = span_trim(v)).len) {
		*id = v;
		return MAILLOG_SENDMAIL;
	}
	return MAILLOG_NONE;
}

/* ---- reading a log through one window ---- */

struct reader {
	const char *path;
	int fd;
	struct tarball_stream zs;
	const char *compression;
	char *buf;		/* the window, borrowed from the scan */
	size_t cap, pos, end;	/* unread bytes: buf[pos..end) */
	bool eof;
	int64_t got;		/* (decompressed) bytes read so far */
	int64_t limit;		/* bytes to read at most; -1: to the end */
	uint64_t lineno;
};

static int
reader_open(struct reader *r, const struct maillog_file *f, char *buf, size_t cap,
	    int64_t limit, struct error *err)
{
	memset(r, 0, sizeof(*r));
	r->path = f->path;
	r->fd = -1;
	r->compression = f->compression;
	r->buf = buf;
	r->cap = cap;
	r->limit = limit;
	if (f->compression)
		return tarball_stream_open(&r->zs, f->path, err);
	r->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (r->fd < 0)
		return error_set(err, errno == ENOENT || errno == EACCES ? EX_NOINPUT : EX_IOERR,
				 "cannot open mail log '%s': %s", f->path, strerror(errno));
	posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

static void
reader_close(struct reader *r)
{
	if (r->compression)
		tarball_stream_close(&r->zs);
	else if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* Read more after buf[end]; sets eof at the end of the data. */
static int
reader_fill(struct reader *r, struct error *err)
{
	size_t room = r->cap - r->end;
	ssize_t n;

	if (r->limit >= 0 && (int64_t)room > r->limit - r->got)
		room = (size_t)(r->limit - r->got);
	if (room == 0) {
		r->eof = true;
		return 0;
	}
	if (r->compression) {
		n = tarball_stream_read(&r->zs, r->buf + r->end, room, err);
	} else {
		do
			n = read(r->fd, r->buf + r->end, room);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			error_set(err, EX_IOERR, "cannot read mail log '%s': %s", r->path,
				  strerror(errno));
	}
	if (n < 0)
		return -1;
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	r->got += n;
	return 0;
}

/* The next line, without its LF (and CR): 1, 0 at the end, -1 on a read
 * error.  A line longer than FPKIT_LIMIT_LOG_LINE is read past and given
 * with *toolong set and no bytes, so that both passes count it alike. */
static int
reader_next(struct reader *r, const char **line, size_t *len, bool *toolong,
	    struct error *err)
{
	bool skipping = false;
	const char *nl;

	*toolong = false;
	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
		if (nl || (r->eof && r->pos < r->end) || (r->eof && skipping)) {
			const char *s = r->buf + r->pos;
			size_t n = nl ? (size_t)(nl - s) : r->end - r->pos;

			r->pos = nl ? (size_t)(nl + 1 - r->buf) : r->end;
			r->lineno++;
			if (skipping || n > FPKIT_LIMIT_LOG_LINE) {
				*toolong = true;
				*line = s;
				*len = 0;
				return 1;
			}
			if (n && s[n - 1] == '\r')
				n--;
			*line = s;
			*len = n;
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->end - r->pos > FPKIT_LIMIT_LOG_LINE) {
			skipping = true;	/* drop what we have of it */
			r->pos = r->end;
		}
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
		if (reader_fill(r, err) < 0)
			return -1;
	}
}

/* ---- targets and files ---- */

void
maillog_init(struct maillog *m, struct diag *diag)
{
	memset(m, 0, sizeof(*m));
	m->diag = diag;
	m->index = g_hash_table_new(g_str_hash, g_str_equal);
}

/* A simple id's canonical form (what msgid_normalize gives for
 * "<local@domain>" or "local@domain" with no blank, quote, comment or
 * 8-bit byte) written into buf without allocating: the first pass meets
 * one id every few lines.  false: not that simple, or too long. */
static bool
canon_simple(struct maillog_span v, char *buf, size_t size)
{
	const char *at = NULL;

	v = span_trim(v);
	if (v.len && v.p[0] == '<') {
		if (v.len < 2 || v.p[v.len - 1] != '>')
			return false;
		v = span(v.p + 1, v.len - 2);
	}
	if (v.len == 0 || v.len >= size)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c <= ' ' || c >= 0x7f || strchr("()<>\"\\", c))
			return false;
		buf[i] = (char)c;
		if (c == '@')
			at = buf + i;
	}
	buf[v.len] = '\0';
	for (char *p = (char *)at; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return true;
}

/* The target whose id is v (as logged), or -1. */
static long
target_lookup(const struct maillog *m, struct maillog_span v)
{
	char buf[1024];
	char *canon;
	gpointer hit;

	if (m->nr_targets == 0)
		return -1;
	if (canon_simple(v, buf, sizeof(buf)))
		return (long)GPOINTER_TO_SIZE(g_hash_table_lookup(m->index, buf)) - 1;
	canon = msgid_normalize(v.p, v.len);
	if (canon == NULL)
		return -1;
	hit = g_hash_table_lookup(m->index, canon);
	free(canon);
	return (long)GPOINTER_TO_SIZE(hit) - 1;
}

long
maillog_add_target(struct maillog *m, const char *id)
{
	char *canon = msgid_normalize(id, strlen(id));
	struct maillog_target *t;
	gpointer hit;

	if (canon == NULL)
		return -1;
	hit = g_hash_table_lookup(m->index, canon);
	if (hit) {
		free(canon);
		return (long)GPOINTER_TO_SIZE(hit) - 1;
	}
	m->targets = xgrow(m->targets, m->nr_targets + 1, &m->alloc_targets, sizeof(*m->targets));
	t = &m->targets[m->nr_targets];
	memset(t, 0, sizeof(*t));
	t->id = canon;
	t->shown = msgid_strip(id, strlen(id));
	if (t->shown == NULL)
		t->shown = xstrdup(canon);
	g_hash_table_insert(m->index, t->id, GSIZE_TO_POINTER(m->nr_targets + 1));
	return (long)m->nr_targets++;
}

int
maillog_add_file(struct maillog *m, const char *path, struct error *err)
{
	unsigned char magic[8];
	struct maillog_file *f;
	struct stat st;
	ssize_t n;
	int fd;

	if (m->nr_files >= FPKIT_LIMIT_LOG_FILES)
		return error_set(err, EX_USAGE, "more than %d mail logs given (at '%s'): "
				 "join some of them first", FPKIT_LIMIT_LOG_FILES, path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return error_set(err, errno == ENOENT || errno == EACCES ? EX_NOINPUT : EX_IOERR,
				 "cannot open mail log '%s': %s", path, strerror(errno));
	/* Read twice, so a pipe or a device would not do. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set(err, EX_NOINPUT, "mail log '%s' is not a regular file "
				 "(it is read twice: give a file, not a folder or a pipe)", path);
	}
	for (size_t i = 0; i < m->nr_files; i++)
		if (m->files[i].dev == st.st_dev && m->files[i].ino == st.st_ino) {
			close(fd);
			diag_add(m->diag, "mail log '%s' is '%s' again: read once", path,
				 m->files[i].path);
			return 0;
		}
	do
		n = read(fd, magic, sizeof(magic));
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return error_set(err, EX_IOERR, "cannot read mail log '%s': %s", path,
				 strerror(errno));
	m->files = xgrow(m->files, m->nr_files + 1, &m->alloc_files, sizeof(*m->files));
	f = &m->files[m->nr_files++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->compression = tarball_compression(magic, (size_t)n);
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

/* ---- the two passes ---- */

/* A line that announces a target's Message-ID. */
struct anchor {
	uint64_t seq;
	size_t target;
	size_t queue;
};

/* One queue id (on one host) named by an anchor, and the lines of it
 * since the MTA was last done with a message. */
struct queue {
	char *key;		/* "host qid" */
	char *host, *qid;
	enum maillog_mta mta;
	size_t *anchors;	/* into scan.anchors, in log order */
	size_t nr_anchors, alloc_anchors;
	size_t next;		/* the first anchor not yet in a story */
	struct maillog_story seg;
};

struct scan {
	struct maillog *m;
	char *buf;		/* the window */
	size_t cap;
	struct anchor *anchors;
	size_t nr_anchors, alloc_anchors;
	struct queue *queues;
	size_t nr_queues, alloc_queues;
	GHashTable *qindex;	/* queue key -> index + 1 */
	size_t kept;		/* bytes of lines held */
	bool warned_kept, warned_anchors, warned_queue;
	uint64_t seq;		/* lines read, over all the files */
};

/* "host qid" into buf; false when it does not fit (no real name is that
 * long). */
static bool
queue_key(char *buf, size_t size, struct maillog_span host, struct maillog_span qid)
{
	if (host.len > MAILLOG_MAX_HOST || qid.len > MAILLOG_MAX_QID ||
	    host.len + qid.len + 2 > size)
		return false;
	memcpy(buf, host.p, host.len);
	buf[host.len] = ' ';
	memcpy(buf + host.len + 1, qid.p, qid.len);
	buf[host.len + 1 + qid.len] = '\0';
	return true;
}

static void
story_init(struct maillog_story *s)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->text, STRBUF_NO_MAX);
}

static void
story_release(struct maillog_story *s)
{
	free(s->qid);
	free(s->host);
	free(s->lines);
	strbuf_release(&s->text);
}

static void
add_anchor(struct scan *sc, const struct maillog_syslog *sl, struct maillog_span qid,
	   enum maillog_mta mta, size_t target)
{
	char key[MAILLOG_MAX_HOST + MAILLOG_MAX_QID + 2];
	struct queue *q;
	struct anchor *a;
	size_t qi;
	gpointer hit;

	if (!queue_key(key, sizeof(key), sl->host, qid))
		return;
	if (sc->nr_anchors == FPKIT_LIMIT_LOG_ANCHORS) {
		if (!sc->warned_anchors)
			diag_add(sc->m->diag, "mail logs: more than %d lines announce the targets' "
				 "Message-IDs: those after the first %d are not followed",
				 FPKIT_LIMIT_LOG_ANCHORS, FPKIT_LIMIT_LOG_ANCHORS);
		sc->warned_anchors = true;
		return;
	}
	hit = g_hash_table_lookup(sc->qindex, key);
	if (hit) {
		qi = GPOINTER_TO_SIZE(hit) - 1;
	} else {
		sc->queues = xgrow(sc->queues, sc->nr_queues + 1, &sc->alloc_queues,
				   sizeof(*sc->queues));
		qi = sc->nr_queues++;
		q = &sc->queues[qi];
		memset(q, 0, sizeof(*q));
		q->key = xstrdup(key);
		q->host = xstrndup(sl->host.p, sl->host.len);
		q->qid = xstrndup(qid.p, qid.len);
		q->mta = mta;
		story_init(&q->seg);
		g_hash_table_insert(sc->qindex, q->key, GSIZE_TO_POINTER(qi + 1));
	}
	q = &sc->queues[qi];
	sc->anchors = xgrow(sc->anchors, sc->nr_anchors + 1, &sc->alloc_anchors,
			    sizeof(*sc->anchors));
	a = &sc->anchors[sc->nr_anchors];
	a->seq = sc->seq;
	a->target = target;
	a->queue = qi;
	q->anchors = xgrow(q->anchors, q->nr_anchors + 1, &q->alloc_anchors, sizeof(*q->anchors));
	q->anchors[q->nr_anchors++] = sc->nr_anchors++;
}

/* Pass 1: the anchors, and each file's size and line count. */
static int
pass_anchors(struct scan *sc, struct error *err)
{
	struct maillog *m = sc->m;
	int rc = 0;

	for (size_t i = 0; i < m->nr_files && rc == 0; i++) {
		struct maillog_file *f = &m->files[i];
		uint64_t first_long = 0;
		struct reader r;
		const char *line;
		size_t len;
		bool toolong;

		if (reader_open(&r, f, sc->buf, sc->cap, -1, err) < 0)
			return -1;
		while ((rc = reader_next(&r, &line, &len, &toolong, err)) > 0) {
			struct maillog_syslog sl;
			struct maillog_span qid, id;
			enum maillog_mta mta;
			long t;

			sc->seq++;
			if (toolong) {
				if (f->long_lines++ == 0)
					first_long = r.lineno;
				continue;
			}
			/* Cheap first: every announcing line holds "id=". */
			if (len < 3 || memmem(line, len, "id=", 3) == NULL ||
			    maillog_parse_syslog(line, len, &sl) < 0)
				continue;
			mta = maillog_announced_id(sl.msg, &qid, &id);
			if (mta != MAILLOG_NONE && (t = target_lookup(m, id)) >= 0)
				add_anchor(sc, &sl, qid, mta, (size_t)t);
		}
		f->bytes = r.got;
		f->lines = r.lineno;
		reader_close(&r);
		if (f->long_lines)
			diag_add(m->diag, "mail log '%s': %" PRIu64 " line%s longer than %d bytes "
				 "skipped (the first is line %" PRIu64 ")", f->path, f->long_lines,
				 f->long_lines == 1 ? "" : "s", FPKIT_LIMIT_LOG_LINE, first_long);
	}
	return rc < 0 ? -1 : 0;
}

/* Hold one line of a queue, within the limits. */
static void
keep_line(struct scan *sc, struct queue *q, const char *line, size_t len, size_t file,
	  uint64_t lineno)
{
	struct maillog_story *s = &q->seg;
	struct maillog_line *l;

	s->last_seq = sc->seq;
	if (s->nr_lines >= FPKIT_LIMIT_LOG_QUEUE_LINES || len > FPKIT_LIMIT_LOG_KEPT - sc->kept) {
		if (s->nr_lines < FPKIT_LIMIT_LOG_QUEUE_LINES && !sc->warned_kept) {
			diag_add(sc->m->diag, "mail logs: more than %zu bytes of lines about the "
				 "targets: the rest are left out of logs/", FPKIT_LIMIT_LOG_KEPT);
			sc->warned_kept = true;
		}
		if (s->nr_lines >= FPKIT_LIMIT_LOG_QUEUE_LINES && !sc->warned_queue) {
			diag_add(sc->m->diag, "mail logs: queue %s on %s has more than the limit of "
				 "%d lines: the rest are left out of logs/ (counted there)", q->qid,
				 q->host, FPKIT_LIMIT_LOG_QUEUE_LINES);
			sc->warned_queue = true;
		}
		s->omitted++;
		return;
	}
	s->lines = xgrow(s->lines, s->nr_lines + 1, &s->alloc_lines, sizeof(*s->lines));
	l = &s->lines[s->nr_lines++];
	l->seq = sc->seq;
	l->file = file;
	l->lineno = lineno;
	l->off = s->text.len;
	l->len = len;
	strbuf_add(&s->text, line, len);
	sc->kept += len;
}

static void
target_add_story(struct maillog_target *t, size_t story)
{
	for (size_t i = 0; i < t->nr_stories; i++)
		if (t->stories[i] == story)
			return;
	t->stories = xgrow(t->stories, t->nr_stories + 1, &t->alloc_stories, sizeof(*t->stories));
	t->stories[t->nr_stories++] = story;
}

/* The pending segment of q ends: a story when an anchor lies in it, else
 * dropped. */
static void
close_segment(struct scan *sc, struct queue *q, enum maillog_end end)
{
	struct maillog *m = sc->m;
	struct maillog_story *s = &q->seg;
	size_t idx;

	if (s->nr_lines == 0 && s->omitted == 0)
		return;
	if (q->next >= q->nr_anchors || sc->anchors[q->anchors[q->next]].seq > s->last_seq) {
		sc->kept -= s->text.len;
		story_release(s);
		story_init(s);
		return;
	}
	s->end = end;
	s->mta = q->mta;
	s->qid = xstrdup(q->qid);
	s->host = xstrdup(q->host);
	s->anchor_seq = sc->anchors[q->anchors[q->next]].seq;
	m->stories = xgrow(m->stories, m->nr_stories + 1, &m->alloc_stories, sizeof(*m->stories));
	idx = m->nr_stories++;
	m->stories[idx] = *s;
	while (q->next < q->nr_anchors && sc->anchors[q->anchors[q->next]].seq <= s->last_seq)
		target_add_story(&m->targets[sc->anchors[q->anchors[q->next++]].target], idx);
	story_init(s);
}

static int
changed(const struct maillog_file *f, uint64_t lineno, struct error *err)
{
	return error_set(err, EX_DATAERR, "mail log '%s' changed while it was read (near line "
			 "%" PRIu64 "): give a copy that does not change, such as a rotated file",
			 f->path, lineno);
}

/* Pass 2: every line of the anchored queues, cut into stories. */
static int
pass_stories(struct scan *sc, struct error *err)
{
	struct maillog *m = sc->m;
	size_t next = 0;	/* the next anchor to meet */
	int rc = 0;

	sc->seq = 0;
	for (size_t i = 0; i < m->nr_files && rc == 0; i++) {
		struct maillog_file *f = &m->files[i];
		struct reader r;
		const char *line;
		size_t len;
		bool toolong;

		if (reader_open(&r, f, sc->buf, sc->cap, f->bytes, err) < 0)
			return -1;
		while ((rc = reader_next(&r, &line, &len, &toolong, err)) > 0) {
			char key[MAILLOG_MAX_HOST + MAILLOG_MAX_QID + 2];
			struct maillog_span qid, rest;
			struct maillog_facts facts;
			struct maillog_syslog sl;
			struct queue *q;
			gpointer hit;

			sc->seq++;
			if (next < sc->nr_anchors && sc->anchors[next].seq < sc->seq) {
				rc = changed(f, r.lineno, err);
				break;
			}
			if (toolong || maillog_parse_syslog(line, len, &sl) < 0 ||
			    !maillog_queue_id(sl.msg, &qid, &rest) ||
			    !queue_key(key, sizeof(key), sl.host, qid) ||
			    (hit = g_hash_table_lookup(sc->qindex, key)) == NULL)
				continue;
			q = &sc->queues[GPOINTER_TO_SIZE(hit) - 1];
			if (next < sc->nr_anchors && sc->anchors[next].seq == sc->seq) {
				if (&sc->queues[sc->anchors[next].queue] != q) {
					rc = changed(f, r.lineno, err);
					break;
				}
				next++;
			}
			maillog_parse_facts(q->mta, rest, &facts);
			/* Sendmail writes no end: its next from= starts anew. */
			if (q->mta == MAILLOG_SENDMAIL && facts.from.p && q->seg.has_from)
				close_segment(sc, q, MAILLOG_END_NEXT);
			keep_line(sc, q, line, len, i, r.lineno);
			if (facts.from.p)
				q->seg.has_from = true;
			if (facts.end)
				close_segment(sc, q, MAILLOG_END_MTA);
		}
		if (rc == 0 && r.got < f->bytes)
			rc = changed(f, r.lineno, err);
		reader_close(&r);
	}
	if (rc < 0)
		return -1;
	if (next < sc->nr_anchors)
		return changed(&m->files[m->nr_files - 1], 0, err);
	for (size_t i = 0; i < sc->nr_queues; i++)
		close_segment(sc, &sc->queues[i], MAILLOG_END_LOGS);
	return 0;
}

static void
scan_release(struct scan *sc)
{
	for (size_t i = 0; i < sc->nr_queues; i++) {
		struct queue *q = &sc->queues[i];

		free(q->key);
		free(q->host);
		free(q->qid);
		free(q->anchors);
		story_release(&q->seg);
	}
	free(sc->queues);
	free(sc->anchors);
	free(sc->buf);
	if (sc->qindex)
		g_hash_table_destroy(sc->qindex);
}

int
maillog_scan(struct maillog *m, int64_t near, struct error *err)
{
	struct scan sc;
	int rc = -1;

	memset(&sc, 0, sizeof(sc));
	m->near = near;
	sc.m = m;
	sc.cap = MAILLOG_WINDOW + FPKIT_LIMIT_LOG_LINE + 1;
	sc.buf = xmalloc(sc.cap);
	sc.qindex = g_hash_table_new(g_str_hash, g_str_equal);
	if (pass_anchors(&sc, err) < 0)
		goto out;
	if (sc.nr_anchors > 0 && pass_stories(&sc, err) < 0)
		goto out;
	/* Each target's stories in log order (stories are made as their
	 * queues end, which is not the order they began). */
	for (size_t i = 0; i < m->nr_targets; i++) {
		struct maillog_target *t = &m->targets[i];

		for (size_t a = 1; a < t->nr_stories; a++)
			for (size_t b = a; b > 0 && m->stories[t->stories[b - 1]].anchor_seq >
						    m->stories[t->stories[b]].anchor_seq; b--) {
				size_t tmp = t->stories[b];

				t->stories[b] = t->stories[b - 1];
				t->stories[b - 1] = tmp;
			}
		if (t->nr_stories == 0 && m->nr_files > 0)
			diag_add(m->diag, "no mail-log line announces the Message-ID <%s>", t->shown);
	}
	rc = 0;
out:
	scan_release(&sc);
	return rc;
}

/* ---- what goes into the bundle ---- */

/* Text from a log for JSON: control characters and invalid UTF-8 made
 * visible (jansson refuses the latter); null when absent. */
static json_t *
json_span(struct maillog_span s)
{
	char *safe;
	json_t *v;

	if (s.p == NULL)
		return json_null();
	safe = textsafe_visible(s.p, s.len);
	v = json_string(safe);
	free(safe);
	return v;
}

static json_t *
json_time(bool has, int64_t t)
{
	char buf[TIMEFMT_ISO_LEN];

	return has ? json_string(timefmt_iso_utc(t, buf)) : json_null();
}

/* One recipient object per address of a delivery attempt (Sendmail
 * lists several in one to=, comma-separated). */
static void
add_recipients(json_t *arr, const struct maillog_facts *f, enum maillog_mta mta, json_t *when)
{
	const char *p = f->to.p, *end = f->to.p + f->to.len;

	do {
		const char *comma = mta == MAILLOG_SENDMAIL ? memchr(p, ',', (size_t)(end - p)) : NULL;
		const char *e = comma ? comma : end;

		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:O}",
			"to", json_span(span_unbracket(span(p, (size_t)(e - p)))),
			"relay", json_span(f->relay),
			"status", json_span(f->status),
			"dsn", json_span(f->dsn),
			"detail", json_span(f->detail),
			"time", when));
		p = comma ? comma + 1 : end;
	} while (p < end);
}

/* A story as summary.json's delivery object. */
static json_t *
story_json(const struct maillog *m, const struct maillog_story *s)
{
	struct maillog_span from = { NULL, 0 }, client = { NULL, 0 };
	json_t *rcpts = json_array(), *when = json_null();
	const struct maillog_line *anchor = NULL;

	for (size_t i = 0; i < s->nr_lines; i++) {
		const struct maillog_line *l = &s->lines[i];
		struct maillog_span qid, rest;
		struct maillog_facts f;
		struct maillog_syslog sl;
		json_t *t;
		int64_t lt = 0;
		bool has_time;

		if (maillog_parse_syslog(s->text.buf + l->off, l->len, &sl) < 0 ||
		    !maillog_queue_id(sl.msg, &qid, &rest))
			continue;
		maillog_parse_facts(s->mta, rest, &f);
		has_time = maillog_stamp_time(&sl, m->near, &lt) == 0;
		t = json_time(has_time, lt);
		if (l->seq == s->anchor_seq) {
			anchor = l;
			json_decref(when);
			when = json_incref(t);
		}
		if (f.from.p && from.p == NULL)
			from = f.from;
		if (f.client.p && client.p == NULL)
			client = f.client;
		if (f.recipient)
			add_recipients(rcpts, &f, s->mta, t);
		json_decref(t);
	}
	/* from and client point into s->text, which outlives this call. */
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"queue_id", s->qid,
		"mta", maillog_mta_name(s->mta),
		"host", *s->host ? json_span(span(s->host, strlen(s->host))) : json_null(),
		"time", when,
		"from", json_span(from),
		"client", json_span(client),
		"recipients", rcpts,
		/* Sendmail writes no line that says it is done. */
		"complete", s->mta == MAILLOG_SENDMAIL ? json_null() :
			    json_boolean(s->end == MAILLOG_END_MTA),
		"source", anchor ? json_span(span(m->files[anchor->file].path,
						   strlen(m->files[anchor->file].path))) : json_null(),
		"line", anchor ? json_integer((json_int_t)anchor->lineno) : json_null());
}

json_t *
maillog_delivery_json(const struct maillog *m, size_t i)
{
	json_t *arr = json_array();

	for (size_t k = 0; i < m->nr_targets && k < m->targets[i].nr_stories; k++)
		json_array_append_new(arr, story_json(m, &m->stories[m->targets[i].stories[k]]));
	return arr;
}

/* logs/NN-<id>.log: a heading, then each story's lines as FILE:LINE:. */
static char *
excerpt(const struct maillog *m, const struct maillog_target *t, size_t *len)
{
	char *id = textsafe_visible(t->shown, strlen(t->shown));
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addf(&sb, "# fpkit: the mail-log lines about Message-ID <%s>\n"
		    "# %zu queue%s, each line as FILE:LINE: the line as logged "
		    "(control characters shown as \\xHH)\n", id, t->nr_stories,
		    t->nr_stories == 1 ? "" : "s");
	free(id);
	for (size_t k = 0; k < t->nr_stories; k++) {
		const struct maillog_story *s = &m->stories[t->stories[k]];
		char *host = textsafe_visible(s->host, strlen(s->host));

		strbuf_addf(&sb, "\n# queue %s%s%s (%s): %s\n", s->qid, *host ? " on " : "", host,
			    maillog_mta_name(s->mta),
			    s->end == MAILLOG_END_MTA ? "complete" :
			    s->end == MAILLOG_END_NEXT ? "until the queue id takes another message" :
			    s->mta == MAILLOG_SENDMAIL ? "to the end of the logs" :
			    "the logs end before the MTA is done with it");
		free(host);
		for (size_t i = 0; i < s->nr_lines; i++) {
			const struct maillog_line *l = &s->lines[i];
			const char *path = m->files[l->file].path;
			char *p = textsafe_visible(path, strlen(path));
			char *text = textsafe_visible(s->text.buf + l->off, l->len);

			strbuf_addf(&sb, "%s:%" PRIu64 ": %s\n", p, l->lineno, text);
			free(p);
			free(text);
		}
		if (s->omitted)
			strbuf_addf(&sb, "# %" PRIu64 " more line%s of this queue left out (limits: "
				    "%d lines a queue, %zu bytes in all)\n", s->omitted,
				    s->omitted == 1 ? "" : "s", FPKIT_LIMIT_LOG_QUEUE_LINES,
				    FPKIT_LIMIT_LOG_KEPT);
	}
	return strbuf_detach(&sb, len);
}

void
maillog_bundle(struct maillog *m, struct bundle *b)
{
	/* As wide as the largest number, at least two digits (sample.c). */
	int width = 2;

	for (size_t n = m->nr_targets; n >= 100; n /= 10)
		width++;
	for (size_t i = 0; i < m->nr_targets; i++) {
		struct maillog_target *t = &m->targets[i];
		char *safe, *text;
		size_t len;

		if (t->nr_stories == 0)
			continue;
		/* Nothing from outside chooses a path (sample.c). */
		safe = textsafe_filename(t->shown, FPKIT_LIMIT_NAME_ID);
		free(t->file);
		t->file = xasprintf("logs/%0*zu-%s.log", width, i + 1, safe);
		free(safe);
		text = excerpt(m, t, &len);
		bundle_add_take(b, t->file, text, len);
	}
}

void
maillog_summarize(const struct maillog *m, json_t *summary)
{
	json_t *targets = json_object_get(summary, "targets"), *files = json_array(), *t;
	size_t i;

	json_array_foreach(targets, i, t) {
		const char *id = json_string_value(json_object_get(t, "message_id"));
		long k = id ? target_lookup(m, span(id, strlen(id))) : -1;

		json_object_set_new(t, "log_file", k >= 0 && m->targets[k].file ?
				    json_string(m->targets[k].file) : json_null());
		json_object_set_new(t, "delivery", k >= 0 ? maillog_delivery_json(m, (size_t)k) :
				    json_array());
	}
	for (i = 0; i < m->nr_files; i++) {
		const struct maillog_file *f = &m->files[i];

		json_array_append_new(files, json_pack("{s:o, s:o, s:I, s:I}",
			"file", json_span(span(f->path, strlen(f->path))),
			"compression", f->compression ? json_string(f->compression) : json_null(),
			"lines", (json_int_t)f->lines,
			"long_lines", (json_int_t)f->long_lines));
	}
	json_object_set_new(summary, "maillogs", files);
}

void
maillog_release(struct maillog *m)
{
	for (size_t i = 0; i < m->nr_targets; i++) {
		free(m->targets[i].id);
		free(m->targets[i].shown);
		free(m->targets[i].stories);
		free(m->targets[i].file);
	}
	free(m->targets);
	for (size_t i = 0; i < m->nr_files; i++)
		free(m->files[i].path);
	free(m->files);
	for (size_t i = 0; i < m->nr_stories; i++)
		story_release(&m->stories[i]);
	free(m->stories);
	if (m->index)
		g_hash_table_destroy(m->index);
	memset(m, 0, sizeof(*m));
}
