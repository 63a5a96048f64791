/* logline.c - the grammar of a mail-log line and the facts it states
 *
 * Pure functions over one line held by the caller: every span points
 * into it, nothing is allocated, and a line in no known shape gives
 * nothing rather than an error (a mail log holds every program's
 * lines).  The trail (maillog.c) reads the logs and follows the queues. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ascii.h"
#include "logline.h"
#include "timefmt.h"

const char *
logline_mta_name(enum logline_mta mta)
{
	switch (mta) {
	case LOGLINE_POSTFIX: return "postfix";
	case LOGLINE_EXIM: return "exim";
	case LOGLINE_SENDMAIL: return "sendmail";
	case LOGLINE_NONE: break;
	}
	return "unknown";
}

/* ---- small span helpers ---- */

static struct logline_span
span(const char *p, size_t len)
{
	struct logline_span s = { p, len };

	return s;
}

static bool
span_starts(struct logline_span s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.p && s.len >= n && memcmp(s.p, prefix, n) == 0;
}

static bool
span_is(struct logline_span s, const char *word)
{
	return s.p && s.len == strlen(word) && memcmp(s.p, word, s.len) == 0;
}

struct logline_span
logline_trim(struct logline_span s)
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
struct logline_span
logline_unbracket(struct logline_span s)
{
	s = logline_trim(s);
	if (s.len >= 2 && s.p[0] == '<' && s.p[s.len - 1] == '>') {
		s.p++;
		s.len -= 2;
	}
	return s;
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
	       (p[4] == ' ' || ascii_isdigit(p[4])) && ascii_isdigit(p[5]) && p[6] == ' ' &&
	       ascii_isdigit(p[7]) && ascii_isdigit(p[8]) && p[9] == ':' &&
	       ascii_isdigit(p[10]) && ascii_isdigit(p[11]) && p[12] == ':' &&
	       ascii_isdigit(p[13]) && ascii_isdigit(p[14]) && p[15] == ' ';
}

/* "YYYY-MM-DD" */
static bool
is_iso_date(const char *p, size_t len)
{
	return len >= 19 && ascii_isdigit(p[0]) && ascii_isdigit(p[1]) && ascii_isdigit(p[2]) &&
	       ascii_isdigit(p[3]) && p[4] == '-' && ascii_isdigit(p[5]) && ascii_isdigit(p[6]) &&
	       p[7] == '-' && ascii_isdigit(p[8]) && ascii_isdigit(p[9]);
}

/* The next blank-delimited token from *p (which moves past it and one
 * blank); false when there is none. */
static bool
token(const char **p, const char *end, struct logline_span *t)
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
parse_tagged(const char *p, const char *end, struct logline_syslog *o)
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
parse_rfc5424(const char *p, const char *end, struct logline_syslog *o)
{
	struct logline_span procid, msgid;

	p++;
	while (p < end && ascii_isdigit(*p))
		p++;
	if (end - p < 3 || memcmp(p, ">1 ", 3) != 0)
		return -1;
	p += 3;
	o->kind = LOGLINE_STAMP_ISO;
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
parse_exim(const char *line, const char *end, struct logline_syslog *o)
{
	const char *p = line + 19;

	if (line[10] != ' ' || !ascii_isdigit(line[11]) || !ascii_isdigit(line[12]) || line[13] != ':' ||
	    !ascii_isdigit(line[14]) || !ascii_isdigit(line[15]) || line[16] != ':' ||
	    !ascii_isdigit(line[17]) || !ascii_isdigit(line[18]))
		return -1;
	if (p < end && *p == '.')
		for (p++; p < end && ascii_isdigit(*p); p++)
			;
	if (end - p >= 6 && p[0] == ' ' && (p[1] == '+' || p[1] == '-') && ascii_isdigit(p[2]) &&
	    ascii_isdigit(p[3]) && ascii_isdigit(p[4]) && ascii_isdigit(p[5]))
		p += 6;
	o->kind = LOGLINE_STAMP_EXIM;
	o->stamp = span(line, (size_t)(p - line));
	o->host = span("", 0);
	o->prog = span("exim", 4);
	if (p < end && *p == ' ')
		p++;
	if (p < end && *p == '[') {	/* log_selector = +pid */
		const char *q = p + 1;

		while (q < end && ascii_isdigit(*q))
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
logline_parse_syslog(const char *line, size_t len, struct logline_syslog *o)
{
	const char *end = line + len, *p;

	memset(o, 0, sizeof(*o));
	if (is_classic_stamp(line, len)) {
		o->kind = LOGLINE_STAMP_CLASSIC;
		o->stamp = span(line, 15);
		return parse_tagged(line + 16, end, o);
	}
	if (len > 4 && line[0] == '<' && ascii_isdigit(line[1]))
		return parse_rfc5424(line, end, o);
	if (!is_iso_date(line, len))
		return -1;
	if (line[10] == ' ')
		return parse_exim(line, end, o);
	if (line[10] != 'T' && line[10] != 't')
		return -1;
	p = line;
	o->kind = LOGLINE_STAMP_ISO;
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
		if (!ascii_isdigit(p[i]))
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
		for (p++; ascii_isdigit(*p); p++)
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

bool
logline_stamp_zoned(const struct logline_syslog *s)
{
	const char *p = s->stamp.p;
	size_t n = s->stamp.len;

	if (s->kind == LOGLINE_STAMP_CLASSIC || p == NULL || n < 20)
		return false;
	/* After "YYYY-MM-DD?hh:mm:ss[.frac]": "Z", "+01:00", " +0100". */
	p += 19;
	n -= 19;
	if (*p == '.' || *p == ',')
		for (p++, n--; n && ascii_isdigit(*p); p++, n--)
			;
	if (n && *p == ' ') {
		p++;
		n--;
	}
	return n > 0 && (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-');
}

int
logline_stamp_time(const struct logline_syslog *s, int64_t near, int64_t *t)
{
	char buf[64];
	time_t nt;
	struct tm ntm;
	int mon, day, h, mi, se;
	bool found = false;
	int64_t best = 0;

	if (s->stamp.p == NULL || s->stamp.len == 0 || s->stamp.len >= sizeof(buf))
		return -1;
	if (s->kind != LOGLINE_STAMP_CLASSIC) {
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

	for (g = 0; i < len && ascii_isalnum(p[i]); i++, g++)
		;
	if (g != 6 || i >= len || p[i] != '-')
		return 0;
	for (i++, g = 0; i < len && ascii_isalnum(p[i]); i++, g++)
		;
	if (g < 6 || g > 11 || i >= len || p[i] != '-')
		return 0;
	for (i++, g = 0; i < len && ascii_isalnum(p[i]); i++, g++)
		;
	if (g < 2 || g > 4)
		return 0;
	return i;
}

bool
logline_queue_id(struct logline_span msg, struct logline_span *qid, struct logline_span *rest)
{
	size_t i, n;
	bool digit = false, hex = true;

	if (msg.p == NULL)
		return false;
	/* The leading letters and digits, in one scan that does not branch
	 * on which a byte is (every line of the logs comes here, and the
	 * digits and letters of an id alternate at random). */
	for (i = 0; i < msg.len && i <= LOGLINE_MAX_QID; i++) {
		unsigned char c = (unsigned char)msg.p[i];
		bool d = (unsigned char)(c - '0') < 10;
		bool a = (unsigned char)((c | 0x20) - 'a') < 26;

		if (!(d | a))
			break;
		digit |= d;
		hex &= d | ((unsigned char)(c - 'A') < 6);
	}
	/* Exim: "ID " then the rest. */
	if (i == 6 && i < msg.len && msg.p[i] == '-') {
		n = exim_id_len(msg.p, msg.len);
		if (n > 0 && n < msg.len && msg.p[n] == ' ') {
			*qid = span(msg.p, n);
			*rest = span(msg.p + n + 1, msg.len - n - 1);
			return true;
		}
		return false;
	}
	/* Postfix (short hex or long base-52 ids), Sendmail, and the milters
	 * that log for them (opendkim): "QID: rest".  A digit is required,
	 * so that "warning:", "NOQUEUE:" or "statistics:" are no queue, but
	 * for a Postfix short id of upper-case hex letters alone (one in
	 * 18000 ids of ten: "ABCDEFACBD"). */
	if (i < 5 || i > LOGLINE_MAX_QID || !(digit || (hex && i >= 6)) || i + 1 >= msg.len ||
	    msg.p[i] != ':' || msg.p[i + 1] != ' ')
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
	struct logline_span key, val;
};

static bool
kv_next(struct logline_span s, size_t *pos, struct kv *kv)
{
	const char *p = s.p + *pos, *end = s.p + s.len, *q, *v;
	int depth = 0;

	if (p >= end)
		return false;
	for (q = p; q < end && (ascii_isalnum(*q) || *q == '_' || *q == '-'); q++)
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
kv_get(struct logline_span s, const char *key, struct logline_span *val)
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
kv_get_after(struct logline_span s, const char *after, const char *key,
	     struct logline_span *val)
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
status_detail(struct logline_span v, struct logline_span *word, struct logline_span *detail)
{
	const char *sp = memchr(v.p, ' ', v.len);
	struct logline_span d;

	*word = span(v.p, sp ? (size_t)(sp - v.p) : v.len);
	if (sp == NULL)
		return;
	d = logline_trim(span(sp + 1, v.len - (size_t)(sp + 1 - v.p)));
	if (d.len >= 2 && d.p[0] == '(' && d.p[d.len - 1] == ')')
		d = span(d.p + 1, d.len - 2);
	if (d.len)
		*detail = d;
}

/* The first enhanced status code (RFC 3463: class.subject.detail) in
 * text, as a remote answer carries it ("550 5.7.1 ..."). */
static struct logline_span
find_dsn(struct logline_span t)
{
	for (size_t i = 0; t.p && i + 5 <= t.len; i++) {
		size_t j = i + 2, a, b;

		if ((t.p[i] != '2' && t.p[i] != '4' && t.p[i] != '5') || t.p[i + 1] != '.' ||
		    (i > 0 && (ascii_isdigit(t.p[i - 1]) || t.p[i - 1] == '.')))
			continue;
		for (a = 0; j < t.len && ascii_isdigit(t.p[j]) && a < 3; j++, a++)
			;
		if (a == 0 || j >= t.len || t.p[j] != '.')
			continue;
		for (j++, b = 0; j < t.len && ascii_isdigit(t.p[j]) && b < 3; j++, b++)
			;
		if (b == 0 || (j < t.len && (ascii_isdigit(t.p[j]) || t.p[j] == '.')))
			continue;
		return span(t.p + i, j - i);
	}
	return span(NULL, 0);
}

static void
postfix_facts(struct logline_span rest, struct logline_facts *f)
{
	size_t pos = 0;
	struct kv kv;

	if (span_is(rest, "removed")) {
		f->end = true;
		return;
	}
	if (span_starts(rest, "message-id=")) {
		f->message_id = logline_trim(span(rest.p + 11, rest.len - 11));
		return;
	}
	if (!kv_next(rest, &pos, &kv))
		return;
	if (span_is(kv.key, "client")) {
		f->client = kv.val;
	} else if (span_is(kv.key, "from")) {
		f->from = logline_unbracket(kv.val);
	} else if (span_is(kv.key, "to")) {
		struct logline_span to = kv.val, relay = { NULL, 0 }, dsn = { NULL, 0 };

		/* One pass over the fields, the first of each key taken: the
		 * sending volume reads every delivery line of the logs. */
		while (kv_next(rest, &pos, &kv)) {
			if (relay.p == NULL && span_is(kv.key, "relay")) {
				relay = kv.val;
			} else if (dsn.p == NULL && span_is(kv.key, "dsn")) {
				dsn = kv.val;
			} else if (span_is(kv.key, "status")) {
				f->recipient = true;
				f->to = logline_unbracket(to);
				status_detail(kv.val, &f->status, &f->detail);
				f->relay = relay;
				f->dsn = dsn;
				return;
			}
		}
	}
}

static void
sendmail_facts(struct logline_span rest, struct logline_facts *f)
{
	struct logline_span v;
	size_t pos = 0;
	struct kv kv;

	if (!kv_next(rest, &pos, &kv))
		return;
	if (span_is(kv.key, "from")) {
		f->from = logline_unbracket(kv.val);
		if (kv_get_after(rest, "size", "msgid", &v))
			f->message_id = logline_trim(v);
		if (kv_get_after(rest, "size", "relay", &v))
			f->client = v;
	} else if (span_is(kv.key, "to") && kv_get(rest, "stat", &v)) {
		f->recipient = true;
		f->to = kv.val;
		f->detail = logline_trim(v);
		if (kv_get(rest, "relay", &v))
			f->relay = v;
		if (kv_get(rest, "dsn", &v))
			f->dsn = v;
		/* stat= is "Sent (answer)", "Deferred: reason", or the error
		 * itself ("User unknown"); the dsn class tells the rest. */
		if (span_starts(f->detail, "Sent"))
			f->status = span("sent", 4);
		else if (span_starts(f->detail, "queued"))
			f->status = span("queued", 6);	/* taken, not tried yet */
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
exim_value(const char *q, const char *end, bool host, struct logline_span *val)
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
exim_field(struct logline_span rest, const char *key, bool last, struct logline_span *val)
{
	const char *p = rest.p, *end = rest.p + rest.len;
	size_t klen = strlen(key);
	bool found = false;

	if (rest.len >= 3 && p[2] == ' ' && strchr("<=-*", p[0]) && strchr("=>*", p[1]))
		for (p += 3; p < end && *p != ' '; p++)
			;	/* the mark and the address */
	while (p < end) {
		const char *k = p, *eq;
		struct logline_span v;

		if (*p == ' ') {
			p++;
			continue;
		}
		while (p < end && (ascii_isalnum(*p) || *p == '_' || *p == '-'))
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
static struct logline_span
exim_error(struct logline_span rest)
{
	bool quoted = false;

	for (size_t i = 0; i + 1 < rest.len; i++) {
		if (rest.p[i] == '\\' && quoted)
			i++;
		else if (rest.p[i] == '"')
			quoted = !quoted;
		else if (!quoted && rest.p[i] == ':' && rest.p[i + 1] == ' ')
			return logline_trim(span(rest.p + i + 2, rest.len - i - 2));
	}
	return span(NULL, 0);
}

static void
exim_facts(struct logline_span rest, struct logline_facts *f)
{
	static const struct {
		const char *mark, *status;
	} marks[] = {
		{ "=> ", "sent" }, { "-> ", "sent" }, { "*> ", "suppressed" },
		{ "** ", "bounced" }, { "== ", "deferred" },
	};
	const char *p, *end = rest.p + rest.len;
	struct logline_span v, who;

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
logline_parse_facts(enum logline_mta mta, struct logline_span rest, struct logline_facts *f)
{
	memset(f, 0, sizeof(*f));
	if (rest.p == NULL)
		return;
	switch (mta) {
	case LOGLINE_POSTFIX: postfix_facts(rest, f); break;
	case LOGLINE_EXIM: exim_facts(rest, f); break;
	case LOGLINE_SENDMAIL: sendmail_facts(rest, f); break;
	case LOGLINE_NONE: break;
	}
}

enum logline_mta
logline_announced_id(struct logline_span msg, struct logline_span *qid, struct logline_span *id)
{
	struct logline_span rest, v;

	if (!logline_queue_id(msg, qid, &rest))
		return LOGLINE_NONE;
	if (qid->len < msg.len && msg.p[qid->len] == ' ') {
		if (!span_starts(rest, "<= ") || !exim_field(rest, "id", true, &v) || v.len == 0)
			return LOGLINE_NONE;
		*id = v;
		return LOGLINE_EXIM;
	}
	if (span_starts(rest, "message-id=")) {
		*id = logline_trim(span(rest.p + 11, rest.len - 11));
		return id->len ? LOGLINE_POSTFIX : LOGLINE_NONE;
	}
	/* Sendmail's from= line holds msgid=; Postfix's qmgr from= does not. */
	if (span_starts(rest, "from=") && kv_get_after(rest, "size", "msgid", &v) &&
	    (v = logline_trim(v)).len) {
		*id = v;
		return LOGLINE_SENDMAIL;
	}
	return LOGLINE_NONE;
}

/* ---- remote deliveries ---- */

/* An address of a machine on the Internet: not loopback, private,
 * link-local, shared (RFC 6598), multicast or unspecified. */
static bool
public_ip(const char *text)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, text, a) == 1)
		goto v4;
	if (inet_pton(AF_INET6, text, a) != 1)
		return false;
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(a, a + 12, 4);	/* ::ffff:a.b.c.d */
		goto v4;
	}
	if (a[0] == 0xff || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return false;	/* multicast, RFC 4193, link-local */
	for (int i = 0; i < 15; i++)
		if (a[i])
			return true;
	return false;		/* :: and ::1 */
v4:
	return !(a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||
		 (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		 (a[0] == 192 && a[1] == 168) || (a[0] == 100 && (a[1] & 0xc0) == 64));
}

bool
logline_relay_ip(struct logline_span relay, char ip[LOGLINE_IP_LEN])
{
	const char *open = NULL, *close;
	unsigned char a[16];

	for (size_t i = 0; relay.p && i < relay.len; i++)
		if (relay.p[i] == '[')
			open = relay.p + i + 1;
	if (open == NULL)
		return false;
	close = memchr(open, ']', (size_t)(relay.p + relay.len - open));
	if (close && close - open > 5 && memcmp(open, "IPv6:", 5) == 0)
		open += 5;	/* Sendmail */
	if (close == NULL || close == open || close - open >= LOGLINE_IP_LEN)
		return false;
	memcpy(ip, open, (size_t)(close - open));
	ip[close - open] = '\0';
	return inet_pton(AF_INET, ip, a) == 1 || inet_pton(AF_INET6, ip, a) == 1;
}

/* Postfix's delivery agents that keep the mail on the machine (or, for
 * qmgr, only say it expired). */
static bool
postfix_local_service(struct logline_span prog)
{
	static const char *const local[] = {
		"local", "virtual", "lmtp", "pipe", "error", "retry", "discard", "qmgr",
	};
	const char *slash = memrchr(prog.p, '/', prog.len);
	struct logline_span svc = slash ? span(slash + 1, prog.len - (size_t)(slash + 1 - prog.p))
					: prog;

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (span_is(svc, local[i]))
			return true;
	return false;
}

bool
logline_remote(enum logline_mta mta, struct logline_span prog, struct logline_span rest,
	       const struct logline_facts *f, char ip[LOGLINE_IP_LEN])
{
	static const char *const smtp_mailers[] = { "esmtp", "smtp", "smtp8", "dsmtp", "relay" };
	struct logline_span mailer;

	ip[0] = '\0';
	if (!f->recipient)
		return false;
	switch (mta) {
	case LOGLINE_POSTFIX:
		if (prog.p == NULL || postfix_local_service(prog) || f->relay.p == NULL)
			return false;
		if (span_is(f->relay, "none"))
			return true;
		return logline_relay_ip(f->relay, ip) && public_ip(ip);
	case LOGLINE_EXIM:
		return f->relay.p && logline_relay_ip(f->relay, ip) && public_ip(ip);
	case LOGLINE_SENDMAIL:
		if (!kv_get(rest, "mailer", &mailer))
			return false;
		for (size_t i = 0; i < sizeof(smtp_mailers) / sizeof(smtp_mailers[0]); i++) {
			if (!span_is(mailer, smtp_mailers[i]))
				continue;
			/* A deferral may name no address (no server answered). */
			if (f->relay.p == NULL || memchr(f->relay.p, '[', f->relay.len) == NULL)
				return true;
			return logline_relay_ip(f->relay, ip) && public_ip(ip);
		}
		return false;
	case LOGLINE_NONE:
		break;
	}
	return false;
}
