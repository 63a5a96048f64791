/* route.c - where the mail logs say a message went
 *
 * The logs given are the blocked server's: a delivery there to a public
 * address left through that server's address, one to a mailbox there
 * was mail received.  Which agent delivered is in the syslog tag for
 * Postfix ("postfix/lmtp"), in the relay for the others. */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "logline.h"
#include "maillog.h"
#include "netaddr.h"
#include "route.h"
#include "textsafe.h"
#include "xalloc.h"

enum kind { K_NONE, K_REMOTE, K_LOCAL };

/* The address in brackets in a relay ("mx.example.org[198.51.100.87]:25",
 * "mx.example.org. [198.51.100.87]"), when it is a public one. */
static bool
public_address(struct logline_span relay)
{
	const char *open = relay.p ? memchr(relay.p, '[', relay.len) : NULL, *close;
	char buf[64];
	size_t n;

	if (open == NULL)
		return false;
	close = memchr(open, ']', relay.len - (size_t)(open - relay.p));
	if (close == NULL || (n = (size_t)(close - open - 1)) == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, open + 1, n);
	buf[n] = '\0';
	if (n > 5 && strncmp(buf, "IPv6:", 5) == 0)
		memmove(buf, buf + 5, n - 4);
	return netaddr_is_ip(buf) && !netaddr_is_internal(buf);
}

static bool
span_is(struct logline_span s, const char *word)
{
	return s.p && s.len == strlen(word) && memcmp(s.p, word, s.len) == 0;
}

/* Postfix's agents that put a message into a mailbox here. */
static bool
postfix_local_agent(struct logline_span prog)
{
	static const char *const agents[] = { "local", "virtual", "lmtp", "pipe" };
	const char *slash = prog.p ? memrchr(prog.p, '/', prog.len) : NULL;
	struct logline_span agent = prog;

	if (slash)
		agent = (struct logline_span){ slash + 1, prog.len - (size_t)(slash + 1 - prog.p) };
	for (size_t k = 0; k < sizeof(agents) / sizeof(agents[0]); k++)
		if (span_is(agent, agents[k]))
			return true;
	return false;
}

/* What one delivery line says; *sent when its status is "sent". */
static enum kind
line_kind(enum logline_mta mta, const struct logline_syslog *sl,
	  const struct logline_facts *f, bool *sent)
{
	*sent = span_is(f->status, "sent");
	if (mta == LOGLINE_POSTFIX && postfix_local_agent(sl->prog))
		return *sent ? K_LOCAL : K_NONE;
	if (public_address(f->relay))
		return K_REMOTE;
	/* Exim names no host, Sendmail no address, for a local delivery;
	 * Postfix's smtp client always names where it went. */
	if (mta != LOGLINE_POSTFIX && *sent && (f->relay.p == NULL || memchr(f->relay.p, '[',
									      f->relay.len) == NULL))
		return K_LOCAL;
	return K_NONE;
}

struct walk {
	enum kind best;
	bool best_sent;
	char *where;
	/* for route_senders */
	void (*fn)(const char *addr, const char *where, void *data);
	void *data;
};

static char *
where_line(const char *file, uint64_t lineno, const char *line, size_t len)
{
	char *p = textsafe_visible(file, strlen(file));
	char *t = textsafe_visible(line, len);
	char *s = xasprintf("%s:%" PRIu64 ": %s", p, lineno, t);

	free(p);
	free(t);
	return s;
}

/* Read one line's facts; false when it is no line of a queue. */
static bool
facts_of(const char *line, size_t len, enum logline_mta mta, struct logline_syslog *sl,
	 struct logline_facts *f)
{
	struct logline_span qid, rest;

	if (logline_parse_syslog(line, len, sl) < 0 || !logline_queue_id(sl->msg, &qid, &rest))
		return false;
	logline_parse_facts(mta, rest, f);
	return true;
}

static bool
on_delivery(const char *line, size_t len, enum logline_mta mta, const char *file,
	    uint64_t lineno, void *data)
{
	struct walk *w = data;
	struct logline_syslog sl;
	struct logline_facts f;
	enum kind k;
	bool sent;

	if (!facts_of(line, len, mta, &sl, &f) || !f.recipient)
		return true;
	k = line_kind(mta, &sl, &f, &sent);
	/* Remote over local; a remote one that was sent over one that was
	 * not; else the first. */
	if (k == K_NONE || (w->best == K_REMOTE && (k == K_LOCAL || w->best_sent || !sent)) ||
	    (w->best == K_LOCAL && k == K_LOCAL))
		return true;
	free(w->where);
	w->where = where_line(file, lineno, line, len);
	w->best = k;
	w->best_sent = sent;
	return true;
}

void
route_of(const struct maillog *m, size_t i, struct route *r)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	maillog_each_line(m, i, on_delivery, &w);
	r->kind = w.best == K_REMOTE ? ROUTE_REMOTE : w.best == K_LOCAL ? ROUTE_LOCAL : ROUTE_NONE;
	r->where = w.where;
}

void
route_release(struct route *r)
{
	free(r->where);
	r->where = NULL;
}

static bool
on_sender(const char *line, size_t len, enum logline_mta mta, const char *file,
	  uint64_t lineno, void *data)
{
	struct walk *w = data;
	struct logline_syslog sl;
	struct logline_facts f;
	char *addr, *where, *p;

	if (!facts_of(line, len, mta, &sl, &f) || f.from.p == NULL || f.from.len == 0)
		return true;
	addr = xstrndup(f.from.p, f.from.len);
	p = textsafe_visible(file, strlen(file));
	where = xasprintf("%s:%" PRIu64, p, lineno);
	w->fn(addr, where, w->data);
	free(addr);
	free(p);
	free(where);
	return true;
}

void
route_senders(const struct maillog *m, size_t i,
	      void (*fn)(const char *addr, const char *where, void *data), void *data)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.data = data;
	maillog_each_line(m, i, on_sender, &w);
}
