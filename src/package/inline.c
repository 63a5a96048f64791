/* inline.c - the evidence as text in the ticket
 *
 * Support asks for the flagged messages "including the header", and the
 * OVH API's ticket route takes no attachment (doc/ovh-api.md, support
 * tickets): what can go in a text, goes in the ticket's text.  Header
 * and log lines stay as they are, only made safe to show; fpkit's own
 * lines are wrapped at INLINE_COLUMNS, in the ticket's language. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finder.h"
#include "inline.h"
#include "maillog.h"
#include "sample.h"
#include "strbuf.h"
#include "targets.h"
#include "textsafe.h"
#include "words.h"
#include "wrap.h"
#include "xalloc.h"

struct inline_state {
	const struct inline_options *o;
	const char *lang;	/* a code words.h knows */
	struct strbuf out;	/* what counts against o->max */
	bool closed;		/* the heading did not fit: nothing else goes */
	size_t nr_headers, nr_header;	/* the samples, and the one at hand */
	size_t nr_trails, nr_trail;	/* the targets with log lines, likewise */
	size_t headers_left, trails_left;
	bool *trail_done;	/* per trail target: given or left out */
};

/* Add 'text' as lines of at most INLINE_COLUMNS columns, laid out as
 * the ticket's own lines are (wrap.h): broken at spaces, a word wider
 * than that alone on its line. */
static void
add_wrapped(struct strbuf *sb, const char *text)
{
	size_t n;
	char *out = wrap_text(text, strlen(text), INLINE_COLUMNS, &n);

	strbuf_add(sb, out, n);
	free(out);
}

static void
add_wrappedf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add_wrappedf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		text = xstrdup("");
	add_wrapped(sb, text);
	free(text);
}

/* A heading's second line: a file of the bundle (a safe name, made by
 * sample.c or logs.c), alone, however long. */
static void
add_name(struct strbuf *sb, const char *name)
{
	strbuf_addf(sb, "=== %s\n", name);
}

/* Append a finished block when it fits within the cap; false if not. */
static bool
take_block(struct inline_state *st, struct strbuf *block)
{
	bool fits = !st->closed && st->out.len + block->len <= st->o->max;

	if (fits)
		strbuf_add(&st->out, block->buf, block->len);
	strbuf_reset(block);
	return fits;
}

/* Where a header ends: the offset of the empty line (LF or CR LF) that
 * ends it, or the message's length when there is none. */
static size_t
header_end(const char *data, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);

		if (data[pos] == '\n' || (data[pos] == '\r' && pos + 1 < len && data[pos + 1] == '\n'))
			return pos;
		if (nl == NULL)
			return len;
		pos = (size_t)(nl - data) + 1;
	}
	return len;
}

/* One header line (no LF) as it is, but for a CR before its LF, which
 * is dropped (the ticket's lines end in LF), and for what textsafe
 * makes visible; tabs stay tabs (folded lines start with one). */
static void
add_header_line(struct strbuf *sb, const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	while (true) {
		const char *tab = memchr(p, '\t', n);
		size_t k = tab ? (size_t)(tab - p) : n;
		char *safe = textsafe_visible(p, k);

		strbuf_addstr(sb, safe);
		free(safe);
		if (tab == NULL)
			break;
		strbuf_addch(sb, '\t');
		p += k + 1;
		n -= k + 1;
	}
	strbuf_addch(sb, '\n');
}

static void
add_header(struct inline_state *st, struct strbuf *block, const struct sample *s)
{
	size_t len;
	const char *data = sample_header(s, &len);
	size_t end = header_end(data, len), pos = 0, lines = 0;
	struct strbuf body;

	/* Each line comes out at least half as long as it is (a CR LF line
	 * of one character): a header that long cannot fit, and is not
	 * written out to learn it (a message without an empty line is all
	 * header, up to FPKIT_LIMIT_SAMPLE).  So is the header of a sample
	 * kept in a file (sample.h) that does not end within the bytes
	 * kept of it in memory, over FPKIT_LIMIT_HEADER_BLOCK: it is not
	 * read again from the file. */
	if (st->closed || end / 2 > st->o->max || (s->spooled && end == len)) {
		st->nr_header++;
		st->headers_left++;
		return;
	}
	strbuf_init(&body, STRBUF_NO_MAX);
	while (pos < end) {
		const char *nl = memchr(data + pos, '\n', end - pos);
		size_t n = nl ? (size_t)(nl - data) - pos : end - pos;

		add_header_line(&body, data + pos, n);
		lines++;
		pos += n + 1;
	}
	strbuf_addch(block, '\n');
	add_wrappedf(block, trn(st->lang, "=== Header %zu of %zu (%zu line) from",
				"=== Header %zu of %zu (%zu lines) from", lines),
		     ++st->nr_header, st->nr_headers, lines);
	add_name(block, s->file);
	strbuf_add(block, body.buf, body.len);
	strbuf_release(&body);
	if (!take_block(st, block))
		st->headers_left++;
}

/* The logs/ file of trail target j, as logs.c named it in the summary. */
static const char *
log_file(json_t *summary, const struct maillog *trail, size_t j)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(summary, "targets"), i, t) {
		const char *id = json_string_value(json_object_get(t, "message_id"));
		const char *file = json_string_value(json_object_get(t, "log_file"));

		if (id && file && maillog_find_target(trail, id) == (long)j)
			return file;
	}
	return NULL;
}

static void
add_trail(struct inline_state *st, struct strbuf *block, const struct maillog *trail,
	  json_t *summary, size_t j)
{
	const char *file = log_file(summary, trail, j);
	uint64_t omitted, lines = 0;
	size_t len;
	char *text;

	if (st->trail_done[j])
		return;
	st->trail_done[j] = true;
	text = maillog_lines(trail, j, !st->o->local_paths, &omitted, &len);
	if (text == NULL)
		return;
	/* Its lines, the empty ones between queues aside. */
	for (size_t i = 0; i < len; i++)
		lines += text[i] != '\n' && (i == 0 || text[i - 1] == '\n');
	strbuf_addch(block, '\n');
	add_wrappedf(block, trn(st->lang, "=== Mail-log lines %zu of %zu (%llu line) from",
				"=== Mail-log lines %zu of %zu (%llu lines) from", lines),
		     ++st->nr_trail, st->nr_trails, (unsigned long long)lines);
	add_name(block, file ? file : "logs/");
	strbuf_add(block, text, len);
	if (omitted)
		add_wrappedf(block, trn(st->lang, "(%llu more line of these queues left out: "
					"over fpkit's limits on logs)", "(%llu more lines of "
					"these queues left out: over fpkit's limits on logs)",
					omitted), (unsigned long long)omitted);
	free(text);
	if (!take_block(st, block))
		st->trails_left++;
}

/* The heading of the part appended, in each language: written here, and
 * looked for by inline_present. */
#define HEADING "HEADERS AND MAIL LOGS"

bool
inline_present(const char *text)
{
	for (size_t i = 0; i < words_langs_nr; i++) {
		char *line = xasprintf("\n%s\n", tr(words_langs[i]->code, HEADING));
		bool found = strstr(text, line) != NULL;

		free(line);
		if (found)
			return true;
	}
	return false;
}

static void
add_heading(struct inline_state *st, struct strbuf *block, const char *bundle_name,
	    bool any)
{
	char rule[INLINE_COLUMNS + 2];

	memset(rule, '-', INLINE_COLUMNS);
	rule[INLINE_COLUMNS] = '\n';
	rule[INLINE_COLUMNS + 1] = '\0';
	strbuf_addch(block, '\n');
	strbuf_addstr(block, rule);
	strbuf_addstr(block, tr(st->lang, HEADING));
	strbuf_addch(block, '\n');
	strbuf_addstr(block, rule);
	if (!any) {
		add_wrapped(block, tr(st->lang, "No header and no log line to give: no message "
				      "was found, and no line of the mail logs is about them."));
		return;
	}
	add_wrappedf(block, tr(st->lang, "This ticket takes no attachment, so here, as text, "
			       "is the header of each message found, as it is in samples/ of "
			       "the archive %s (every line up to the empty line that ends it), "
			       "and the lines of our mail logs about each message, as they are "
			       "in logs/. Bytes that cannot be shown are written \\xHH, "
			       "invisible characters <U+XXXX>."), bundle_name);
}

/* What was left out, and where it is. */
static void
add_closing(struct inline_state *st)
{
	size_t max = st->o->max;

	if (st->headers_left == 0 && st->trails_left == 0)
		return;
	strbuf_addch(&st->out, '\n');
	if (st->headers_left)
		add_wrappedf(&st->out, trn(st->lang, "%zu header block left out to keep this "
					   "text within %zu bytes: see samples/ in the archive.",
					   "%zu header blocks left out to keep this text within "
					   "%zu bytes: see samples/ in the archive.",
					   st->headers_left), st->headers_left, max);
	if (st->trails_left)
		add_wrappedf(&st->out, trn(st->lang, "%zu mail-log excerpt left out to keep "
					   "this text within %zu bytes: see logs/ in the archive.",
					   "%zu mail-log excerpts left out to keep this text "
					   "within %zu bytes: see logs/ in the archive.",
					   st->trails_left), st->trails_left, max);
}

char *
inline_text(const struct inline_options *o, const struct sample_list *samples,
	    const struct targets *targets, const struct maillog *trail, json_t *summary,
	    const char *bundle_name, size_t *len)
{
	struct inline_state st;
	struct strbuf block;
	memset(&st, 0, sizeof(st));
	st.o = o;
	st.lang = words_lang(o->lang) ? o->lang : "en";
	strbuf_init(&st.out, STRBUF_NO_MAX);
	strbuf_init(&block, STRBUF_NO_MAX);
	st.trail_done = xcalloc(trail->nr_targets ? trail->nr_targets : 1, sizeof(bool));
	for (size_t j = 0; j < trail->nr_targets; j++)
		st.nr_trails += trail->targets[j].nr_stories > 0;
	st.nr_headers = samples->nr;

	add_heading(&st, &block, bundle_name, samples->nr > 0 || st.nr_trails > 0);
	st.closed = !take_block(&st, &block);
	for (size_t i = 0; i < samples->nr; i++) {
		const struct sample *s = &samples->items[i];
		long j = -1;

		add_header(&st, &block, s);
		/* A sample of a named target: its log lines come next. */
		if (s->hit->target < targets->nr && !targets->items[s->hit->target].recent)
			j = maillog_find_target(trail, targets->items[s->hit->target].id);
		if (j >= 0)
			add_trail(&st, &block, trail, summary, (size_t)j);
	}
	/* The targets not found whose messages the logs still tell of. */
	for (size_t j = 0; j < trail->nr_targets; j++)
		add_trail(&st, &block, trail, summary, j);
	add_closing(&st);
	strbuf_release(&block);
	free(st.trail_done);
	return strbuf_detach(&st.out, len);
}

void
inline_append(char **text, size_t *len, const struct inline_options *o,
	      const struct sample_list *samples, const struct targets *targets,
	      const struct maillog *trail, json_t *summary, const char *bundle_name)
{
	size_t add_len;
	char *add = inline_text(o, samples, targets, trail, summary, bundle_name, &add_len);
	char *joined = xmalloc(*len + add_len + 1);

	memcpy(joined, *text, *len);
	memcpy(joined + *len, add, add_len);
	joined[*len + add_len] = '\0';
	free(*text);
	free(add);
	*text = joined;
	*len += add_len;
}
