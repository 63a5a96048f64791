/* dkim.c - DKIM verification through libopendkim (canonicalisation,
 * hashing, RSA and Ed25519 are all libopendkim's) */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

/* <opendkim/dkim.h>, never <dkim.h>: src/dkim.h comes first on the
 * include path. */
#include <opendkim/dkim.h>

#include "dkim.h"
#include "error.h"
#include "fpkit_limits.h"
#include "msgid.h"
#include "strbuf.h"
#include "textsafe.h"
#include "xalloc.h"

/* DNS wire format, the little of it the query hooks need (RFC 1035). */
#define DNS_TYPE_TXT 16
#define DNS_CLASS_IN 1
#define DNS_RCODE_NXDOMAIN 3
#define DNS_HEADER_SIZE 12

/* libopendkim's default allowance for clock drift (DEFCLOCKDRIFT), and
 * one so wide that it never judges times itself. */
#define DKIMV_DRIFT 300
#define DKIMV_NO_DRIFT ((uint64_t)1 << 40)

/* A t= before this (2001-09-09T01:46:40Z) is no signing time: DKIM
 * dates from 2004.  With --dkim-time such a t= is judged here, and kept
 * out of the drift given to libopendkim (see no_drift). */
#define DKIMV_MIN_TIME 1000000000LL

const char *
dkimv_result_name(enum dkimv_result r)
{
	switch (r) {
	case DKIMV_PASS: return "pass";
	case DKIMV_FAIL: return "fail";
	case DKIMV_INVALID: return "invalid";
	case DKIMV_TEMPFAIL: return "tempfail";
	}
	return "invalid";
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

int
dkimv_parse_keys(struct dkimv *v, const char *text, size_t len, const char *name,
		 struct error *err)
{
	const char *p = text, *end = text + len;
	unsigned line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *n0, *n1, *v0, *v1;
		struct dkimv_record *r;

		line++;
		n0 = p;
		p = nl ? nl + 1 : end;
		while (n0 < eol && (*n0 == ' ' || *n0 == '\t'))
			n0++;
		v1 = eol;
		while (v1 > n0 && isspace((unsigned char)v1[-1]))
			v1--;
		if (n0 == v1 || *n0 == '#' || *n0 == ';')
			continue;
		for (n1 = n0; n1 < v1 && !isspace((unsigned char)*n1); n1++)
			;
		for (v0 = n1; v0 < v1 && isspace((unsigned char)*v0); v0++)
			;
		if (v0 == v1)
			return error_set(err, EX_DATAERR, "'%s', line %u: a name without a record "
					 "(write NAME TXT-VALUE, NXDOMAIN, ~~error~~ or \"\")",
					 name, line);
		if (memchr(n0, '\0', (size_t)(v1 - n0)))
			return error_set(err, EX_DATAERR, "'%s', line %u: a NUL byte", name, line);
		v->records = xgrow(v->records, v->nr_records + 1, &v->alloc_records,
				   sizeof(*v->records));
		r = &v->records[v->nr_records++];
		r->name = xstrndup(n0, (size_t)(n1 - n0));
		lower(r->name);
		if (*r->name && r->name[strlen(r->name) - 1] == '.')
			r->name[strlen(r->name) - 1] = '\0';
		if (v1 - v0 == 8 && memcmp(v0, "NXDOMAIN", 8) == 0) {
			r->kind = DKIMV_NXDOMAIN;
			r->value = xstrdup("");
		} else if (v1 - v0 >= 4 && memcmp(v0, "~~", 2) == 0 && memcmp(v1 - 2, "~~", 2) == 0) {
			r->kind = DKIMV_DNSERROR;
			r->value = xstrndup(v0 + 2, (size_t)(v1 - v0 - 4));
		} else if (v1 - v0 >= 2 && *v0 == '"' && v1[-1] == '"' &&
			   !memchr(v0 + 1, '"', (size_t)(v1 - v0 - 2))) {
			/* one quoted string, as a zone file writes it ("" is an
			 * empty record) */
			r->kind = DKIMV_TXT;
			r->value = xstrndup(v0 + 1, (size_t)(v1 - v0 - 2));
		} else {
			r->kind = DKIMV_TXT;
			r->value = xstrndup(v0, (size_t)(v1 - v0));
		}
	}
	return 0;
}

/* A query in flight: the answer is ready as soon as it is asked. */
struct query {
	int status;		/* DKIM_DNS_SUCCESS or DKIM_DNS_ERROR */
	size_t len;
};

/* Append a name as DNS labels; false when it does not fit or a label
 * is empty or too long. */
static bool
put_name(unsigned char *buf, size_t size, size_t *pos, const char *name)
{
	const char *p = name;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (n == 0 || n > 63 || *pos + 1 + n >= size)
			return false;
		buf[(*pos)++] = (unsigned char)n;
		memcpy(buf + *pos, p, n);
		*pos += n;
		p += n + (dot != NULL);
	}
	if (*pos + 1 > size)
		return false;
	buf[(*pos)++] = 0;
	return true;
}

static bool
put16(unsigned char *buf, size_t size, size_t *pos, unsigned v)
{
	if (*pos + 2 > size)
		return false;
	buf[(*pos)++] = (unsigned char)(v >> 8);
	buf[(*pos)++] = (unsigned char)v;
	return true;
}

/* The DNS answer a resolver would give for qname from the records:
 * NXDOMAIN when no TXT record has that name, else every TXT record of
 * that name (two make libopendkim say "multiple replies", as DNS
 * would).  Returns its length, 0 when it does not fit. */
static size_t
build_answer(const struct dkimv *v, const char *qname, unsigned char *buf, size_t size)
{
	size_t pos = DNS_HEADER_SIZE, nr = 0;

	if (size < DNS_HEADER_SIZE)
		return 0;
	memset(buf, 0, DNS_HEADER_SIZE);
	buf[2] = 0x85;		/* QR, AA, RD */
	buf[3] = 0x80;		/* RA */
	buf[5] = 1;		/* one question */
	if (!put_name(buf, size, &pos, qname) || !put16(buf, size, &pos, DNS_TYPE_TXT) ||
	    !put16(buf, size, &pos, DNS_CLASS_IN))
		return 0;
	for (size_t i = 0; i < v->nr_records; i++) {
		const struct dkimv_record *r = &v->records[i];
		size_t vlen = strlen(r->value), rdlen, k;

		if (r->kind != DKIMV_TXT || strcasecmp(r->name, qname) != 0)
			continue;
		/* character-strings of at most 255 bytes; "" is one empty one */
		rdlen = vlen + (vlen == 0 ? 1 : (vlen + 254) / 255);
		if (pos + 12 + rdlen > size || rdlen > 65535)
			return 0;
		buf[pos++] = 0xc0;	/* the name: a pointer to the question's */
		buf[pos++] = DNS_HEADER_SIZE;
		put16(buf, size, &pos, DNS_TYPE_TXT);
		put16(buf, size, &pos, DNS_CLASS_IN);
		put16(buf, size, &pos, 0);
		put16(buf, size, &pos, 300);	/* TTL */
		put16(buf, size, &pos, (unsigned)rdlen);
		k = 0;
		do {
			size_t n = vlen - k > 255 ? 255 : vlen - k;

			buf[pos++] = (unsigned char)n;
			memcpy(buf + pos, r->value + k, n);
			pos += n;
			k += n;
		} while (k < vlen);
		nr++;
	}
	buf[7] = (unsigned char)nr;
	if (nr == 0)
		buf[3] |= DNS_RCODE_NXDOMAIN;
	return pos;
}

static int
query_start(void *srv, int type, unsigned char *qname, unsigned char *buf,
	    size_t buflen, void **qh)
{
	struct dkimv *v = srv;
	struct query *q = xcalloc(1, sizeof(*q));
	char *name = xstrdup((const char *)qname);

	lower(name);
	if (*name && name[strlen(name) - 1] == '.')
		name[strlen(name) - 1] = '\0';
	v->nr_lookups++;
	q->status = DKIM_DNS_SUCCESS;
	for (size_t i = 0; i < v->nr_records; i++)
		if (v->records[i].kind == DKIMV_DNSERROR && strcmp(v->records[i].name, name) == 0)
			q->status = DKIM_DNS_ERROR;
	if (q->status == DKIM_DNS_SUCCESS) {
		q->len = type == DNS_TYPE_TXT ? build_answer(v, name, buf, buflen) : 0;
		if (q->len == 0)
			q->status = DKIM_DNS_ERROR;
	}
	free(name);
	*qh = q;
	return 0;
}

static int
query_cancel(void *srv, void *qh)
{
	(void)srv;
	free(qh);
	return 0;
}

static int
query_waitreply(void *srv, void *qh, struct timeval *timeout, size_t *bytes,
		int *error, int *dnssec)
{
	struct query *q = qh;

	(void)srv;
	(void)timeout;
	if (bytes)
		*bytes = q->len;
	if (error)
		*error = 0;
	if (dnssec)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	return q->status;
}

static void
query_close(void *srv)
{
	(void)srv;	/* the service is our struct dkimv: nothing to close */
}

int
dkimv_init(struct dkimv *v, const char *keys_path, bool has_time, int64_t when,
	   unsigned min_bits, struct error *err)
{
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES;
	unsigned int minbits = min_bits ? min_bits : DKIMV_MIN_KEY_BITS;
	DKIM_LIB *lib;

	memset(v, 0, sizeof(*v));
	v->min_bits = minbits;
	if (keys_path) {
		struct strbuf sb;
		int rc;

		strbuf_init(&sb, FPKIT_LIMIT_DKIM_KEYS_FILE);
		rc = strbuf_read_file(&sb, keys_path, "a --dkim-keys file", err);
		if (rc == 0)
			rc = dkimv_parse_keys(v, sb.buf, sb.len, keys_path, err);
		strbuf_release(&sb);
		if (rc < 0) {
			dkimv_release(v);
			return -1;
		}
		v->offline = true;
	}
	lib = dkim_init(NULL, NULL);
	if (lib == NULL) {
		dkimv_release(v);
		return error_set(err, EX_SOFTWARE, "libopendkim cannot start (dkim_init)");
	}
	v->lib = lib;
	/* Signatures that do not parse still get a handle, so that each one
	 * is reported. */
	dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags));
	dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits, sizeof(minbits));
	if (has_time) {
		/* DKIM_OPTS_FIXEDTIME only sets the signing time: the verifier
		 * reads the clock for x= and t= (see no_drift). */
		uint64_t t = (uint64_t)when;

		v->has_time = true;
		v->when = when;
		if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &t, sizeof(t)) != DKIM_STAT_OK) {
			dkimv_release(v);
			return error_set(err, EX_SOFTWARE, "libopendkim refuses a fixed "
					 "verification time");
		}
	}
	if (v->offline) {
		/* libopendkim's resolver hooks: our records answer, as a DNS
		 * server would, and nothing leaves the machine. */
		dkim_dns_set_query_service(lib, v);
		dkim_dns_set_query_start(lib, query_start);
		dkim_dns_set_query_cancel(lib, query_cancel);
		dkim_dns_set_query_waitreply(lib, query_waitreply);
		dkim_dns_set_close(lib, query_close);
		dkim_dns_set_init(lib, NULL);
	}
	return 0;
}

void
dkimv_release(struct dkimv *v)
{
	if (v->lib)
		dkim_close(v->lib);
	for (size_t i = 0; i < v->nr_records; i++) {
		free(v->records[i].name);
		free(v->records[i].value);
	}
	free(v->records);
	memset(v, 0, sizeof(*v));
}

/* The tags of one DKIM-Signature as written, for the fields libopendkim
 * gives no handle for. */
struct raw_sig {
	char *d, *s, *a;
	char *x, *t;		/* expiry and signing time, "" when absent */
};

/* The value of tag 'tag' in a tag-list (RFC 6376 3.2), white space and
 * folding removed, made visible; "" when absent. */
static char *
tag_value(const char *v, size_t len, const char *tag)
{
	size_t tl = strlen(tag), i = 0;

	while (i < len) {
		size_t j = i, k;

		while (j < len && isspace((unsigned char)v[j]))
			j++;
		k = j;
		while (k < len && v[k] != ';')
			k++;
		if (k - j > tl && strncmp(v + j, tag, tl) == 0) {
			size_t e = j + tl;

			while (e < k && isspace((unsigned char)v[e]))
				e++;
			if (e < k && v[e] == '=') {
				struct strbuf sb;
				char *out;

				strbuf_init(&sb, STRBUF_NO_MAX);
				for (e++; e < k; e++)
					if (!isspace((unsigned char)v[e]))
						strbuf_addch(&sb, v[e]);
				out = textsafe_visible(sb.buf, sb.len > 255 ? 255 : sb.len);
				strbuf_release(&sb);
				return out;
			}
		}
		i = k + 1;
	}
	return xstrdup("");
}

/* When the header line p[0..eol) starts a DKIM-Signature field, the
 * start of its value (after the colon), else NULL.  White space before
 * the colon is allowed (RFC 5322 4.5.3). */
static const char *
sig_field_value(const char *p, const char *eol)
{
	static const char name[] = "dkim-signature";
	const size_t nlen = sizeof(name) - 1;
	const char *q = p + nlen;

	if ((size_t)(eol - p) <= nlen || strncasecmp(p, name, nlen) != 0)
		return NULL;
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	return q < eol && *q == ':' ? q + 1 : NULL;
}

/* The DKIM-Signature fields of the header block msg[0..hlen), in
 * order: all are counted, the first 'max' read into out. */
static size_t
raw_signatures(const char *msg, size_t hlen, struct raw_sig *out, size_t max)
{
	const char *p = msg, *end = msg + hlen;
	size_t nr = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *v = sig_field_value(p, eol);

		if (v) {
			while (nl && nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t')) {
				nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
				eol = nl ? nl : end;
			}
			if (nr < max) {
				out[nr].d = tag_value(v, (size_t)(eol - v), "d");
				out[nr].s = tag_value(v, (size_t)(eol - v), "s");
				out[nr].a = tag_value(v, (size_t)(eol - v), "a");
				out[nr].x = tag_value(v, (size_t)(eol - v), "x");
				out[nr].t = tag_value(v, (size_t)(eol - v), "t");
			}
			nr++;
		}
		p = nl ? nl + 1 : end;
	}
	return nr;
}

static char *
visible_or(const unsigned char *s, const char *fallback)
{
	if (s == NULL || *s == '\0')
		return xstrdup(fallback);
	return textsafe_visible((const char *)s, strlen((const char *)s));
}

/* d= must be a domain name (RFC 6376 3.5, RFC 5321 4.1.2): dot-separated
 * letters, digits and inner hyphens.  libopendkim lets through a d= such
 * as "legitimate.com(.attacker.com" and then looks its key up. */
static bool
domain_ok(const char *d)
{
	size_t label = 0;
	bool dot = false;

	if (*d == '\0')
		return false;
	for (const char *p = d; *p; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
			dot = true;
		} else if (isalnum((unsigned char)*p) || (*p == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return dot && label > 0 && d[strlen(d) - 1] != '-';
}

/* What libopendkim made of one signature, in our words. */
static void
describe(DKIM *d, DKIM_SIGINFO *sig, unsigned min_bits, struct dkimv_sig *out)
{
	unsigned int flags = dkim_sig_getflags(sig);
	int e = dkim_sig_geterror(sig), bh = dkim_sig_getbh(sig);
	unsigned int bits = 0;
	const char *why;
	char *safe;

	dkim_sig_getkeysize(sig, &bits);
	if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH && e == DKIM_SIGERROR_OK) {
		out->result = DKIMV_PASS;
		if (bits)
			out->reason = xasprintf("signature and body hash verified (%u-bit key%s)",
						bits, (flags & DKIM_SIGFLAG_TESTKEY) ?
						", marked as a test key: t=y" : "");
		else
			out->reason = xstrdup("signature and body hash verified");
		return;
	}
	switch (e) {
	case DKIM_SIGERROR_BADSIG:
		out->result = DKIMV_FAIL;
		if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MISMATCH) {
			out->body_changed = true;
			out->reason = xstrdup("body hash mismatch: the body changed after signing "
					      "(the signed header fields are intact)");
		} else {
			out->header_changed = true;
			out->reason = xstrdup("header signature mismatch: a signed header field "
					      "changed after signing, or the key is not the one "
					      "that signed");
		}
		return;
	case DKIM_SIGERROR_KEYFAIL:
		out->result = DKIMV_TEMPFAIL;
		out->reason = xstrdup("the key could not be fetched (DNS error or timeout): "
				      "try again later");
		return;
	case DKIM_SIGERROR_NOKEY:
		out->result = DKIMV_INVALID;
		out->reason = xasprintf("no key record at %s._domainkey.%s",
					out->selector, out->domain);
		return;
	case DKIM_SIGERROR_UNKNOWN:
		out->result = DKIMV_INVALID;
		why = dkim_geterror(d);
		/* libopendkim's words may quote the message */
		why = why && *why ? why : "libopendkim gave no reason";
		safe = textsafe_visible(why, strlen(why) > 200 ? 200 : strlen(why));
		out->reason = xasprintf("not verified: %s", safe);
		free(safe);
		return;
	default:
		out->result = DKIMV_INVALID;
		why = dkim_sig_geterrorstr(e);
		out->reason = xstrdup(why ? why : "unusable signature");
		if (e == DKIM_SIGERROR_KEYTOOSMALL && bits) {
			free(out->reason);
			out->reason = xasprintf("key too small: %u bits, fewer than the %u "
						"required (RFC 8301: %d)", bits, min_bits,
						DKIMV_MIN_KEY_BITS);
		}
		return;
	}
}

/* With --dkim-time, libopendkim must not judge x= and t= against its
 * clock: set a clock drift so wide that it never does, and judge_times
 * does it against the time given.  libopendkim computes "t - drift" in
 * unsigned arithmetic, so the drift may not pass the smallest t=.  Only
 * plausible t= count (DKIMV_MIN_TIME): one junk t=0 would otherwise make
 * libopendkim judge every other signature by its own clock.  A t= below
 * that is "in the future" for libopendkim, and judge_times says why. */
static void
no_drift(struct dkimv *v, const struct raw_sig *raw, size_t n)
{
	uint64_t drift = DKIMV_NO_DRIFT;

	for (size_t i = 0; i < n; i++) {
		unsigned long long t;

		if (!isdigit((unsigned char)*raw[i].t))
			continue;
		t = strtoull(raw[i].t, NULL, 10);
		if (t >= (unsigned long long)DKIMV_MIN_TIME && t < drift)
			drift = t;
	}
	dkim_options(v->lib, DKIM_OP_SETOPT, DKIM_OPTS_CLOCKDRIFT, &drift, sizeof(drift));
}

/* Make s invalid for 'reason' (new; stolen). */
static void
set_invalid(struct dkimv_sig *s, char *reason)
{
	free(s->reason);
	s->result = DKIMV_INVALID;
	s->body_changed = s->header_changed = false;
	s->reason = reason;
}

/* RFC 6376 3.5 x= and t=, as of 'when' (--dkim-time), with libopendkim's
 * default allowance for clock drift.  lib_future: libopendkim found t=
 * in the future (as it does for any t= below DKIMV_MIN_TIME, see
 * no_drift).  x= and t= come from the message: strtoll clamps them to
 * LLONG_MAX, so no comparison below adds to them. */
static void
judge_times(int64_t when, const char *x, const char *t, bool lib_future, struct dkimv_sig *s)
{
	long long xv, tv;

	if (s->result == DKIMV_TEMPFAIL)
		return;
	xv = isdigit((unsigned char)*x) ? strtoll(x, NULL, 10) : -1;
	tv = isdigit((unsigned char)*t) ? strtoll(t, NULL, 10) : -1;
	if (tv >= 0 && tv < DKIMV_MIN_TIME && (s->result != DKIMV_INVALID || lib_future)) {
		set_invalid(s, xasprintf("t=%s is no signing time (it is before 2001, and "
					 "DKIM dates from 2004)", t));
		return;
	}
	if (s->result == DKIMV_INVALID)
		return;
	/* when >= xv >= 0, so when - xv cannot overflow; tv >= 0, so
	 * neither can tv - DKIMV_DRIFT. */
	if (xv >= 0 && when >= xv && when - xv >= DKIMV_DRIFT)
		set_invalid(s, xasprintf("signature expired: x=%s is before the verification "
					 "time %lld", x, (long long)when));
	else if (tv >= 0 && tv - DKIMV_DRIFT > when)
		set_invalid(s, xasprintf("signature in the future: t=%s is after the "
					 "verification time %lld", t, (long long)when));
}

/* Write the message as libopendkim is to read it into out (NULL: only
 * measure it) and return its length.  Every bare LF is made CRLF: that
 * is how the message travelled and was signed (stores keep LF), and
 * libopendkim's FIXCRLF flag goes wrong on files that mix both, as some
 * exports do.  The DKIM-Signature fields of the header block msg[0..hlen)
 * past the first FPKIT_LIMIT_DKIM_SIGNATURES are left out: libopendkim verifies every
 * signature it is given (a key lookup each) at a cost that grows with
 * the square of their number. */
static size_t
wire_put(const char *msg, size_t len, size_t hlen, char *out)
{
	size_t i = 0, k = 0, nr_sigs = 0;
	bool skip = false;

	while (i < len) {
		const char *nl = memchr(msg + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - msg) + 1 : len;	/* the line is msg[i..e) */
		bool bare = nl && (e == 1 || msg[e - 2] != '\r');
		size_t n = e - i - (bare ? 1 : 0);

		/* a field starts here; its continuation lines go with it */
		if (i < hlen && msg[i] != ' ' && msg[i] != '\t')
			skip = sig_field_value(msg + i, nl ? nl : msg + len) != NULL &&
			       ++nr_sigs > FPKIT_LIMIT_DKIM_SIGNATURES;
		if (!(skip && i < hlen)) {
			if (out)
				memcpy(out + k, msg + i, n);
			k += n;
			if (bare) {
				if (out)
					memcpy(out + k, "\r\n", 2);
				k += 2;
			}
		}
		i = e;
	}
	return k;
}

/* wire_put's message (new, NUL-terminated), its length in *out_len. */
static char *
wire_form(const char *msg, size_t len, size_t hlen, size_t *out_len)
{
	size_t n = wire_put(msg, len, hlen, NULL);
	char *out = xmalloc(n + 1);

	wire_put(msg, len, hlen, out);
	out[n] = '\0';
	*out_len = n;
	return out;
}

void
dkimv_verify(struct dkimv *v, const char *msg, size_t len,
	     struct dkimv_sig **sigs, size_t *nr)
{
	struct raw_sig raw[FPKIT_LIMIT_DKIM_SIGNATURES];
	bool complete;
	size_t hlen = msgid_header_end(msg, len, &complete);
	size_t nraw = raw_signatures(msg, hlen, raw, FPKIT_LIMIT_DKIM_SIGNATURES), n;
	DKIM_SIGINFO **list = NULL;
	int nlist = 0;
	DKIM_STAT st;
	DKIM *d = NULL;
	const char *why = NULL;
	struct dkimv_sig *out;
	char *wire;
	size_t wlen;

	*sigs = NULL;
	*nr = 0;
	/* No DKIM-Signature: libopendkim is not called, no query is made. */
	if (nraw == 0)
		return;
	n = nraw < FPKIT_LIMIT_DKIM_SIGNATURES ? nraw : FPKIT_LIMIT_DKIM_SIGNATURES;
	out = xcalloc(nraw, sizeof(*out));
	wire = wire_form(msg, len, hlen, &wlen);
	if (v->has_time)
		no_drift(v, raw, n);
	v->nr_verified++;
	d = dkim_verify(v->lib, (const unsigned char *)"fpkit", NULL, &st);
	if (d == NULL) {
		why = "libopendkim cannot verify (dkim_verify)";
	} else {
		/* dkim_chunk splits header and body itself. */
		st = dkim_chunk(d, (unsigned char *)wire, wlen);
		if (st == DKIM_STAT_OK)
			st = dkim_chunk(d, NULL, 0);
		if (st == DKIM_STAT_OK || st == DKIM_STAT_NOSIG)
			st = dkim_eom(d, NULL);
		if (dkim_getsiglist(d, &list, &nlist) != DKIM_STAT_OK)
			nlist = 0;
		if (nlist == 0) {
			why = dkim_geterror(d);
			if (why == NULL || *why == '\0')
				why = dkim_getresultstr(st);
		}
	}
	for (size_t i = 0; i < nraw; i++) {
		struct dkimv_sig *s = &out[i];

		if (i < n) {
			s->domain = raw[i].d;
			s->selector = raw[i].s;
			s->algorithm = raw[i].a;
		} else {
			s->domain = xstrdup("");
			s->selector = xstrdup("");
			s->algorithm = xstrdup("");
		}
		if (i < (size_t)nlist && i < n) {
			DKIM_SIGINFO *sig = list[i];

			/* libopendkim's reading when it has one (it lowercases
			 * the domain) */
			if (dkim_sig_getdomain(sig)) {
				free(s->domain);
				s->domain = visible_or(dkim_sig_getdomain(sig), "");
			}
			if (dkim_sig_getselector(sig)) {
				free(s->selector);
				s->selector = visible_or(dkim_sig_getselector(sig), "");
			}
			describe(d, sig, v->min_bits, s);
			if (v->has_time)
				judge_times(v->when, raw[i].x, raw[i].t,
					    dkim_sig_geterror(sig) == DKIM_SIGERROR_FUTURE, s);
			if (s->result != DKIMV_INVALID && *s->domain && !domain_ok(s->domain))
				set_invalid(s, xstrdup("d= is not a domain name (RFC 6376 3.5)"));
		} else if (i >= n) {
			/* left out of what libopendkim read (wire_put) */
			s->result = DKIMV_INVALID;
			s->reason = xasprintf("not verified: more than %d DKIM-Signature fields, "
					      "only the first %d are", FPKIT_LIMIT_DKIM_SIGNATURES,
					      FPKIT_LIMIT_DKIM_SIGNATURES);
		} else {
			char *safe;

			why = why && *why ? why : "libopendkim could not read the message";
			safe = textsafe_visible(why, strlen(why) > 200 ? 200 : strlen(why));
			s->result = DKIMV_INVALID;
			s->reason = xasprintf("not verified: %s", safe);
			free(safe);
		}
	}
	if (d)
		dkim_free(d);
	for (size_t i = 0; i < n; i++) {
		free(raw[i].x);
		free(raw[i].t);
	}
	free(wire);
	*sigs = out;
	*nr = nraw;
}

void
dkimv_sigs_free(struct dkimv_sig *sigs, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(sigs[i].domain);
		free(sigs[i].selector);
		free(sigs[i].algorithm);
		free(sigs[i].reason);
	}
	free(sigs);
}

/* 0xMMmmpp00: major, minor, patch. */
static void
dkimv_version_text(char *buf, size_t size, uint32_t v)
{
	snprintf(buf, size, "%u.%u.%u", (unsigned)(v >> 24), (unsigned)((v >> 16) & 0xff),
		 (unsigned)((v >> 8) & 0xff));
}

void
dkimv_library_version(const char **built, const char **running)
{
	static char b[32], r[32];

	dkimv_version_text(b, sizeof(b), OPENDKIM_LIB_VERSION);
	dkimv_version_text(r, sizeof(r), dkim_libversion());
	*built = b;
	*running = r;
}
