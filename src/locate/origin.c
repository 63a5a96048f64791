/* origin.c - where a stored message came from, by its own header
 *
 * A Received field (RFC 5321 4.4) is "from X by Y via .. with P id ..
 * for ..; date", each clause a word and comments.  What the receiving
 * server knows of the sending host (its address, its name in the DNS)
 * is in the comment after "from": Postfix and Sendmail write
 * "from HELO (name [addr])", Exim "from name ([addr] helo=HELO)" or
 * "from [addr] (helo=HELO)", Dovecot's LMTP "from HELO ([addr])",
 * qmail "from name (HELO x) (addr)".  The HELO name is what the sending
 * host chose to say, so it is never taken for its address or its checked
 * name.  Only the hops above the first one from outside are written by
 * the server's own hosts; everything below it is the sender's to write,
 * and is never read.  Leniencies accepted on purpose are listed in
 * doc/VIOLATIONS.md. */
#include "config.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "fpkit_limits.h"
#include "mime.h"
#include "msgid.h"
#include "netaddr.h"
#include "origin.h"
#include "textsafe.h"
#include "xalloc.h"

/* ---- the fields kept at scan time ---- */

/* Append "Name:value\n" to buf (size *len so far); false when it would
 * pass the limit. */
static bool
add_field(char **buf, size_t *len, size_t *alloc, const char *name, const char *value,
	  size_t vlen)
{
	size_t n = strlen(name);

	if (*len + n + 1 + vlen + 2 > FPKIT_LIMIT_ORIGIN_FIELDS)
		return false;
	*buf = xgrow(*buf, *len + n + vlen + 3, alloc, 1);
	memcpy(*buf + *len, name, n);
	(*buf)[*len + n] = ':';
	memcpy(*buf + *len + n + 1, value, vlen);
	(*buf)[*len + n + 1 + vlen] = '\n';
	*len += n + 2 + vlen;
	return true;
}

char *
origin_excerpt(const char *hdr, size_t len, bool dkim, size_t *outlen, bool *cut)
{
	/* Return-Path and From first: short, and needed whatever the
	 * number of hops. */
	static const char *const names[][2] = {
		{ "return-path", "Return-Path" }, { "from", "From" },
		{ "received", "Received" }, { "dkim-signature", "DKIM-Signature" },
	};
	size_t n = 0, alloc = 0;
	char *buf = NULL;

	*cut = false;
	*outlen = 0;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]) && !*cut; k++) {
		const char *value;
		size_t vlen, pos = 0;

		if (k == 3 && !dkim)
			break;
		while (!*cut && msgid_header_field(hdr, len, names[k][0], &pos, &value, &vlen))
			*cut = !add_field(&buf, &n, &alloc, names[k][1], value, vlen);
	}
	if (n == 0) {
		free(buf);
		return NULL;
	}
	/* The empty line that ends a header block (room was kept for it). */
	buf[n++] = '\n';
	*outlen = n;
	return buf;
}

/* ---- one Received field ---- */

/* A piece of a Received value outside comments: a word, or a comment's
 * text (inside its outer parentheses). */
struct piece {
	const char *p;
	size_t len;
	bool comment;
};

/* The next piece of v from *pos; false at the end or at the ';' before
 * the date. */
static bool
next_piece(const char *v, size_t len, size_t *pos, struct piece *out)
{
	size_t i = *pos, start;

	while (i < len && (ascii_isblank((unsigned char)v[i]) || v[i] == '\r' || v[i] == '\n'))
		i++;
	if (i >= len || v[i] == ';')
		return false;
	if (v[i] == '(') {
		int depth = 1;

		start = ++i;
		for (; i < len && depth > 0; i++) {
			if (v[i] == '\\' && i + 1 < len)
				i++;
			else if (v[i] == '(')
				depth++;
			else if (v[i] == ')')
				depth--;
		}
		out->p = v + start;
		out->len = (depth == 0 ? i - 1 : i) - start;
		out->comment = true;
		*pos = i;
		return true;
	}
	start = i;
	if (v[i] == '"') {	/* a quoted-string word */
		for (i++; i < len && v[i] != '"'; i++)
			if (v[i] == '\\' && i + 1 < len)
				i++;
		if (i < len)
			i++;
	}
	while (i < len && !ascii_isblank((unsigned char)v[i]) && v[i] != '(' && v[i] != ';')
		i++;
	out->p = v + start;
	out->len = i - start;
	out->comment = false;
	*pos = i;
	return true;
}

static bool
piece_is(const struct piece *w, const char *word)
{
	size_t n = strlen(word);

	return !w->comment && w->len == n && strncasecmp(w->p, word, n) == 0;
}

enum clause { CL_NONE, CL_FROM, CL_BY, CL_WITH, CL_OTHER };

static enum clause
keyword(const struct piece *w)
{
	if (piece_is(w, "from"))
		return CL_FROM;
	if (piece_is(w, "by"))
		return CL_BY;
	if (piece_is(w, "with"))
		return CL_WITH;
	if (piece_is(w, "via") || piece_is(w, "id") || piece_is(w, "for"))
		return CL_OTHER;
	return CL_NONE;
}

/* The address a token is ("[203.0.113.7]", "[IPv6:2001:db8::1]",
 * "[192.0.2.1]:25", "198.51.100.50"), canonical, into out. */
static bool
token_ip(const char *p, size_t n, char out[NETADDR_TEXT])
{
	char buf[64];

	if (n && p[0] == '[') {
		const char *close = memchr(p, ']', n);

		if (close == NULL)
			return false;
		n = (size_t)(close - p - 1);
		p++;
		if (n > 5 && strncasecmp(p, "IPv6:", 5) == 0) {
			p += 5;
			n -= 5;
		}
	}
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return netaddr_canonical(buf, out);
}

/* A host name as a token writes it, lower case without its final dot;
 * NULL when the token is no name (an address, "unknown", odd bytes). */
static char *
token_name(const char *p, size_t n)
{
	char *s;

	while (n && p[n - 1] == '.')
		n--;
	if (n == 0 || n > 255 || (n == 7 && strncasecmp(p, "unknown", 7) == 0))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!ascii_isalnum((unsigned char)p[i]) && p[i] != '-' && p[i] != '.' && p[i] != '_')
			return NULL;
	s = xstrndup(p, n);
	for (char *c = s; *c; c++)
		*c = (char)ascii_tolower((unsigned char)*c);
	return s;
}

/* The blank-separated tokens of a comment's text, one at a time. */
static bool
next_token(const struct piece *c, size_t *pos, const char **tok, size_t *n)
{
	size_t i = *pos, start;

	while (i < c->len && (ascii_isblank((unsigned char)c->p[i]) || c->p[i] == '(' ||
			      c->p[i] == ')'))
		i++;
	if (i >= c->len)
		return false;
	start = i;
	while (i < c->len && !ascii_isblank((unsigned char)c->p[i]) && c->p[i] != '(' &&
	       c->p[i] != ')')
		i++;
	*tok = c->p + start;
	*n = i - start;
	*pos = i;
	return true;
}

static bool
starts(const struct piece *c, const char *text)
{
	size_t n = strlen(text), i = 0;

	while (i < c->len && ascii_isblank((unsigned char)c->p[i]))
		i++;
	return c->len - i >= n && strncasecmp(c->p + i, text, n) == 0;
}

/* A comment of the "from" clause: the sending host's address and the
 * name given before it, unless a HELO names them. */
static void
from_comment(struct origin_hop *h, const struct piece *c, bool *addr_first)
{
	const char *tok, *prev = NULL;
	size_t n, prev_n = 0, pos = 0;
	bool first = true;

	/* Postfix's own comment; one that only holds the words elsewhere
	 * (a HELO name) is none. */
	if (starts(c, "authenticated sender:"))
		h->authenticated = true;
	/* Exim's "helo=[addr]" is one token, and no address; qmail's
	 * "HELO name" two, the second skipped. */
	while (!*h->from_ip && next_token(c, &pos, &tok, &n)) {
		char ip[NETADDR_TEXT];

		if (n == 4 && strncasecmp(tok, "helo", 4) == 0) {
			next_token(c, &pos, &tok, &n);
			prev = NULL;
			first = false;
			continue;
		}
		if (token_ip(tok, n, ip)) {
			memcpy(h->from_ip, ip, sizeof(ip));
			if (first)
				*addr_first = true;
			else if (prev && h->from_checked == NULL)
				h->from_checked = token_name(prev, prev_n);
			break;
		}
		prev = tok;
		prev_n = n;
		first = false;
	}
}

static void
read_from(struct origin_hop *h, const struct piece *p, size_t np)
{
	char literal[NETADDR_TEXT] = "";
	bool addr_first = false;
	size_t i = 0;

	h->has_from = true;
	if (np && !p[0].comment) {
		if (!token_ip(p[0].p, p[0].len, literal))
			h->from_name = token_name(p[0].p, p[0].len);
		i = 1;
	}
	for (; i < np; i++) {
		bool had = *h->from_ip != '\0';

		if (!p[i].comment)
			continue;
		from_comment(h, &p[i], &addr_first);
		/* Exim, Dovecot: "name ([addr] ...)", the name the server
		 * found for that address. */
		if (!had && *h->from_ip && addr_first && h->from_name && h->from_checked == NULL)
			h->from_checked = xstrdup(h->from_name);
	}
	/* Exim without a name: "from [addr] (helo=x)". */
	if (!*h->from_ip && *literal)
		memcpy(h->from_ip, literal, sizeof(literal));
}

static void
read_by(struct origin_hop *h, const struct piece *p, size_t np)
{
	for (size_t i = 0; i < np && !*h->by_ip; i++) {
		const char *tok;
		size_t n, pos = 0;

		if (!p[i].comment) {
			if (i == 0 && !token_ip(p[i].p, p[i].len, h->by_ip))
				h->by_name = token_name(p[i].p, p[i].len);
			continue;
		}
		while (!*h->by_ip && next_token(&p[i], &pos, &tok, &n))
			token_ip(tok, n, h->by_ip);
	}
}

/* RFC 3848 and RFC 6531: ESMTPA, ESMTPSA, LMTPA, UTF8SMTPSA ... */
static void
read_with(struct origin_hop *h, const struct piece *p, size_t np)
{
	char proto[32];
	size_t n, k = 0;

	if (np == 0 || p[0].comment || p[0].len >= sizeof(proto))
		return;
	for (n = 0; n < p[0].len; n++)
		proto[n] = (char)(p[0].p[n] >= 'a' && p[0].p[n] <= 'z' ? p[0].p[n] - 32 : p[0].p[n]);
	proto[n] = '\0';
	if (strncmp(proto, "LOCAL", 5) == 0) {
		h->local = true;
		return;
	}
	if (strncmp(proto, "UTF8", 4) == 0)
		k = 4;
	if (proto[k] == 'E')
		k++;
	if (strncmp(proto + k, "SMTP", 4) != 0 && strncmp(proto + k, "LMTP", 4) != 0)
		return;
	k += 4;
	if (proto[k] == 'S')
		k++;
	if (proto[k] == 'A' && proto[k + 1] == '\0')
		h->authenticated = true;
}

/* The value for people: each run of blanks one space (the folding
 * gone), control characters made visible. */
static char *
shown(const char *v, size_t len)
{
	char *s = xmalloc(len + 1), *o = s, *safe;

	for (size_t i = 0; i < len; i++) {
		if (ascii_isblank((unsigned char)v[i])) {
			if (o > s && o[-1] != ' ')
				*o++ = ' ';
			continue;
		}
		*o++ = v[i];
	}
	while (o > s && o[-1] == ' ')
		o--;
	safe = textsafe_visible(s, (size_t)(o - s));
	free(s);
	return safe;
}

void
origin_hop_parse(struct origin_hop *h, const char *value)
{
	size_t len = strlen(value), pos = 0, np = 0, alloc = 0, start = 0;
	enum clause cl = CL_NONE;
	struct piece *p = NULL, w;
	bool more;

	memset(h, 0, sizeof(*h));
	h->text = shown(value, len);
	/* Collect the pieces, and read each clause when the next begins. */
	do {
		enum clause next = CL_NONE;

		more = next_piece(value, len, &pos, &w);
		if (more && (next = keyword(&w)) == CL_NONE) {
			p = xgrow(p, np + 1, &alloc, sizeof(*p));
			p[np++] = w;
			continue;
		}
		if (cl == CL_FROM && !h->has_from)
			read_from(h, np > start ? p + start : NULL, np - start);
		else if (cl == CL_BY && h->by_name == NULL && !*h->by_ip && np > start)
			read_by(h, p + start, np - start);
		else if (cl == CL_WITH && np > start)
			read_with(h, p + start, np - start);
		cl = next;
		start = np;
	} while (more);
	free(p);
}

void
origin_hop_release(struct origin_hop *h)
{
	free(h->text);
	free(h->from_name);
	free(h->from_checked);
	free(h->by_name);
	memset(h, 0, sizeof(*h));
}

/* ---- a message's origin ---- */

char *
origin_address_domain(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	if (at == NULL || at[1] == '[')
		return NULL;
	return token_name(at + 1, strlen(at + 1));
}

/* The d= tag of a DKIM-Signature value (RFC 6376 3.5), lower case. */
static char *
dkim_domain(const char *v)
{
	const char *p = v;

	while (*p) {
		const char *end = strchr(p, ';'), *eq;
		size_t n;

		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (ascii_isblank((unsigned char)*p)))
			p++;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq && eq > p && (*p == 'd' || *p == 'D')) {
			const char *k = p + 1;

			while (k < eq && ascii_isblank((unsigned char)*k))
				k++;
			if (k == eq) {
				p = eq + 1;
				while (p < end && ascii_isblank((unsigned char)*p))
					p++;
				for (n = (size_t)(end - p); n && ascii_isblank((unsigned char)p[n - 1]); n--)
					;
				return token_name(p, n);
			}
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

void
origin_read(struct origin *o, const char *fields, size_t len, bool cut)
{
	struct mime_origin mo;

	memset(o, 0, sizeof(*o));
	o->cut = cut;
	if (fields == NULL)
		return;
	mime_origin_buffer(&mo, fields, len);
	o->hops = xcalloc(mo.nr_received ? mo.nr_received : 1, sizeof(*o->hops));
	for (size_t i = 0; i < mo.nr_received; i++)
		origin_hop_parse(&o->hops[o->nr_hops++], mo.received[i]);
	o->from_domain = origin_address_domain(mo.from);
	o->return_path_domain = origin_address_domain(mo.return_path);
	o->dkim_domains = xcalloc(mo.nr_dkim ? mo.nr_dkim : 1, sizeof(*o->dkim_domains));
	for (size_t i = 0; i < mo.nr_dkim; i++) {
		char *d = dkim_domain(mo.dkim[i]);

		if (d)
			o->dkim_domains[o->nr_dkim_domains++] = d;
	}
	mime_origin_release(&mo);
}

void
origin_release(struct origin *o)
{
	for (size_t i = 0; i < o->nr_hops; i++)
		origin_hop_release(&o->hops[i]);
	free(o->hops);
	for (size_t i = 0; i < o->nr_dkim_domains; i++)
		free(o->dkim_domains[i]);
	free(o->dkim_domains);
	free(o->from_domain);
	free(o->return_path_domain);
	memset(o, 0, sizeof(*o));
}

/* ---- domains ---- */

void
origin_domains_init(struct origin_domains *d)
{
	d->set = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
}

void
origin_domains_release(struct origin_domains *d)
{
	if (d->set)
		g_hash_table_destroy(d->set);
	memset(d, 0, sizeof(*d));
}

void
origin_domains_add(struct origin_domains *d, const char *domain, const char *where)
{
	/* A domain of one label ("localhost") would take in too much. */
	if (domain == NULL || strchr(domain, '.') == NULL || g_hash_table_contains(d->set, domain))
		return;
	g_hash_table_insert(d->set, xstrdup(domain), xstrdup(where ? where : ""));
}

/* Is name the domain, or a name under it? */
static bool
under(const char *name, const char *domain)
{
	size_t n = strlen(name), k = strlen(domain);

	return n >= k && strcmp(name + n - k, domain) == 0 && (n == k || name[n - k - 1] == '.');
}

const char *
origin_domains_match(const struct origin_domains *d, const char *name, const char **where)
{
	/* The name, then each domain it lies under. */
	for (const char *p = name; d && d->set && p && *p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		gpointer key, value;

		if (g_hash_table_lookup_extended(d->set, p, &key, &value)) {
			if (where)
				*where = value;
			return key;
		}
	}
	return NULL;
}

/* ---- the trace ---- */

/* The server's own names and domains, as the message shows them. */
struct ours {
	const char **names;	/* borrowed from the hops */
	size_t nr_names;
	const char *domains[2];	/* the message's own From, Return-Path
				 * domain when a name of the server lies
				 * under it */
	size_t nr_domains;
	const struct origin_domains *known;
};

static void
add_name(struct ours *u, const char *name)
{
	if (name)
		u->names[u->nr_names++] = name;
}

static void
find_ours(struct ours *u, const struct origin *o, const char *ip)
{
	const char *own[2] = { o->from_domain, o->return_path_domain };

	u->names = xcalloc(2 * o->nr_hops + 1, sizeof(*u->names));
	if (o->nr_hops)
		add_name(u, o->hops[0].by_name);
	for (size_t i = 0; i < o->nr_hops; i++) {
		const struct origin_hop *h = &o->hops[i];

		if (strcmp(h->from_ip, ip) == 0) {
			add_name(u, h->from_checked);
			if (h->from_checked == NULL)
				add_name(u, h->from_name);
		}
		if (strcmp(h->by_ip, ip) == 0)
			add_name(u, h->by_name);
	}
	/* A domain of one label ("example") would take in too much. */
	for (size_t k = 0; k < 2; k++) {
		if (own[k] == NULL || strchr(own[k], '.') == NULL)
			continue;
		for (size_t i = 0; i < u->nr_names; i++)
			if (under(u->names[i], own[k])) {
				u->domains[u->nr_domains++] = own[k];
				break;
			}
	}
}

static bool
inside_name(const struct ours *u, const char *name)
{
	if (name == NULL)
		return false;
	if (strcmp(name, "localhost") == 0)
		return true;
	for (size_t i = 0; i < u->nr_names; i++)
		if (strcmp(u->names[i], name) == 0)
			return true;
	for (size_t i = 0; i < u->nr_domains; i++)
		if (under(name, u->domains[i]))
			return true;
	return origin_domains_match(u->known, name, NULL) != NULL;
}

/* Is the host that handed the message over in hop h one of the
 * server's own? */
static bool
inside(const struct ours *u, const struct origin_hop *h, const char *ip)
{
	if (*h->from_ip)
		return strcmp(h->from_ip, ip) == 0 || netaddr_is_internal(h->from_ip) ||
		       inside_name(u, h->from_checked);
	/* No address given: the name after "from" is all there is. */
	return inside_name(u, h->from_name);
}

void
origin_trace(const struct origin *o, const char *ip, const struct origin_domains *domains,
	     struct origin_trace *t)
{
	struct ours u = { .known = domains };
	bool ended = false;
	long through = -1;
	size_t i;

	memset(t, 0, sizeof(*t));
	find_ours(&u, o, ip);
	for (i = 0; i < o->nr_hops; i++) {
		const struct origin_hop *h = &o->hops[i];

		if (through < 0 && (strcmp(h->from_ip, ip) == 0 || strcmp(h->by_ip, ip) == 0))
			through = (long)i;
		if (!h->has_from || h->authenticated || h->local) {
			ended = true;	/* made, or handed in by a user, here */
			break;
		}
		if (!inside(&u, h, ip)) {
			t->verdict = ORIGIN_OUTSIDE;
			t->hop = i;
			goto out;
		}
	}
	/* Past the last hop kept of a cut trace, a hop from outside may
	 * follow: nothing can be said. */
	if (!ended && o->cut)
		goto out;
	if (through >= 0) {
		t->verdict = ORIGIN_THROUGH;
		t->hop = (size_t)through;
	}
out:
	free(u.names);
}
