/* lint.c - the best practices of OVHcloud's guide, as advice: sender,
 * subject, unsubscribe link, text/image and text/link ratios, no
 * JavaScript, phrases counted, MIME-Version */
#include "config.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint.h"
#include "mime.h"
#include "strbuf.h"
#include "textsafe.h"
#include "xalloc.h"

bool
lint_is_finding(const char *id)
{
	return strcmp(id, LINT_PHRASES) != 0;
}

static void
check_sender(const struct mime_walk *w, struct check_list *out)
{
	if (w->from_addr == NULL)
		check_list_add(out, "sender-missing", "no sender address: the From field is "
			       "missing or holds no mailbox");
}

static void
check_subject(const struct mime_walk *w, struct check_list *out)
{
	const char *s = w->subject;
	size_t letters = 0, caps = 0, bangs = 0;

	if (s == NULL || s[strspn(s, " \t")] == '\0') {
		check_list_add(out, "subject-missing", "no Subject, or an empty one");
		return;
	}
	if (!g_utf8_validate(s, -1, NULL))
		return;
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_isalpha(c)) {
			letters++;
			caps += g_unichar_isupper(c) != 0;
		}
		bangs += c == '!';
	}
	if (letters >= LINT_CAPS_MIN_LETTERS && (double)caps > LINT_CAPS_RATIO * (double)letters)
		check_list_add(out, "subject-capitals", "the Subject shouts: %zu of its %zu "
			       "letters are capitals", caps, letters);
	if (bangs >= LINT_EXCLAMATIONS)
		check_list_add(out, "subject-exclamations", "the Subject has %zu exclamation "
			       "marks", bangs);
}

static bool
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* Why the message looks like bulk mail (new string), or NULL. */
static char *
bulk_reasons(const struct mime_walk *w)
{
	const char *prec = mime_walk_field(w, "Precedence");
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	if (prec && (contains_ci(prec, "bulk") || contains_ci(prec, "list") ||
		     contains_ci(prec, "junk")))
		strbuf_addstr(&sb, ", Precedence");
	if (mime_walk_field(w, "List-Id"))
		strbuf_addstr(&sb, ", List-Id");
	if (mime_walk_field(w, "List-Unsubscribe"))
		strbuf_addstr(&sb, ", List-Unsubscribe");
	if (mime_walk_field(w, "Feedback-ID"))
		strbuf_addstr(&sb, ", Feedback-ID");
	for (size_t i = 0; i < w->nr_fields; i++) {
		const char *n = w->fields[i].name;

		if (strncasecmp(n, "X-Campaign", 10) == 0 || strncasecmp(n, "X-Mailchimp", 11) == 0 ||
		    strncasecmp(n, "X-Newsletter", 12) == 0 || strncasecmp(n, "X-Mailgun", 9) == 0) {
			char *v = textsafe_visible(n, strlen(n) > 64 ? 64 : strlen(n));

			strbuf_addf(&sb, ", %s", v);
			free(v);
			break;
		}
	}
	if (w->nr_recipients >= LINT_BULK_RECIPIENTS)
		strbuf_addf(&sb, ", %zu recipients", w->nr_recipients);
	if (contains_ci(w->text, "unsubscribe") || contains_ci(w->html, "unsubscribe") ||
	    contains_ci(w->text, "newsletter") || contains_ci(w->html, "newsletter") ||
	    contains_ci(w->text, "sinscri") || contains_ci(w->html, "sinscri") ||
	    contains_ci(w->text, "sabonne") || contains_ci(w->html, "sabonne"))
		strbuf_addstr(&sb, ", newsletter words in the text");
	if (sb.len == 0) {
		strbuf_release(&sb);
		return NULL;
	}
	{
		char *s = xstrdup(sb.buf + 2);

		strbuf_release(&sb);
		return s;
	}
}

/* RFC 2369 List-Unsubscribe on bulk mail, and RFC 8058 one-click:
 * List-Unsubscribe-Post: List-Unsubscribe=One-Click with an https URI. */
static void
check_unsubscribe(const struct mime_walk *w, struct check_list *out)
{
	const char *lu = mime_walk_field(w, "List-Unsubscribe");
	const char *post = mime_walk_field(w, "List-Unsubscribe-Post");
	char *why = bulk_reasons(w);

	if (why == NULL)
		return;
	if (lu == NULL) {
		check_list_add(out, "unsubscribe-missing", "looks like bulk mail (%s) but has no "
			       "List-Unsubscribe field (RFC 2369)", why);
	} else {
		if (!contains_ci(lu, "<https:"))
			check_list_add(out, "unsubscribe-https-missing", "List-Unsubscribe has "
				       "no https URI, which one-click unsubscription needs (RFC 8058)");
		if (post == NULL || !contains_ci(post, "List-Unsubscribe=One-Click"))
			check_list_add(out, "unsubscribe-one-click-missing", "bulk mail (%s) "
				       "without \"List-Unsubscribe-Post: List-Unsubscribe=One-Click\" "
				       "(RFC 8058)", why);
	}
	free(why);
}

/* What an HTML body holds, from a small tag scanner (no DOM: a count is
 * all the rules need). */
struct html_stats {
	size_t text_chars;	/* visible characters, white space excluded */
	size_t images, links, scripts, js_urls, forms, handlers;
	char handler[32];	/* the first event handler attribute seen */
	struct strbuf text;	/* the visible text, for the phrases */
};

static bool
tag_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* Skip to just past the first case-insensitive 'end' at or after p. */
static const char *
skip_past(const char *p, const char *stop, const char *end)
{
	size_t n = strlen(end);

	for (; p + n <= stop; p++)
		if (strncasecmp(p, end, n) == 0)
			return p + n;
	return stop;
}

/* One tag at p ('<' already passed); returns where it ends. */
static const char *
scan_tag(const char *p, const char *stop, struct html_stats *st)
{
	const char *name = p;
	size_t nlen;
	bool closing = false;

	if (p < stop && *p == '/') {
		closing = true;
		name = ++p;
	}
	while (p < stop && (isalnum((unsigned char)*p)))
		p++;
	nlen = (size_t)(p - name);
	if (!closing && tag_is(name, nlen, "img"))
		st->images++;
	if (!closing && tag_is(name, nlen, "form"))
		st->forms++;
	if (!closing && tag_is(name, nlen, "script"))
		st->scripts++;
	/* attributes */
	while (p < stop && *p != '>') {
		const char *an, *ae;

		while (p < stop && (isspace((unsigned char)*p) || *p == '/'))
			p++;
		an = p;
		while (p < stop && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/')
			p++;
		ae = p;
		if (ae == an) {
			if (p < stop && *p != '>')
				p++;
			continue;
		}
		if (!closing && ae - an > 2 && strncasecmp(an, "on", 2) == 0) {
			bool letters = true;

			for (const char *c = an; c < ae; c++)
				letters &= isalpha((unsigned char)*c) != 0;
			if (letters && st->handlers++ == 0)
				snprintf(st->handler, sizeof(st->handler), "%.*s",
					 (int)(ae - an > 30 ? 30 : ae - an), an);
		}
		while (p < stop && isspace((unsigned char)*p))
			p++;
		if (p < stop && *p == '=') {
			const char *v, *ve;

			p++;
			while (p < stop && isspace((unsigned char)*p))
				p++;
			if (p < stop && (*p == '"' || *p == '\'')) {
				char q = *p++;

				v = p;
				while (p < stop && *p != q)
					p++;
				ve = p;
				if (p < stop)
					p++;
			} else {
				v = p;
				while (p < stop && !isspace((unsigned char)*p) && *p != '>')
					p++;
				ve = p;
			}
			while (v < ve && isspace((unsigned char)*v))
				v++;
			if (ve - v >= 11 && strncasecmp(v, "javascript:", 11) == 0)
				st->js_urls++;
			if (!closing && tag_is(name, nlen, "a") && tag_is(an, (size_t)(ae - an), "href"))
				st->links++;
		}
	}
	if (p < stop)
		p++;
	/* the content of script and style is not text */
	if (!closing && tag_is(name, nlen, "script"))
		p = skip_past(p, stop, "</script");
	else if (!closing && tag_is(name, nlen, "style"))
		p = skip_past(p, stop, "</style");
	return p;
}

static void
scan_html(const char *html, size_t len, struct html_stats *st)
{
	const char *p = html, *stop = html + len;

	memset(st, 0, sizeof(*st));
	strbuf_init(&st->text, STRBUF_NO_MAX);
	while (p < stop) {
		if (*p == '<' && p + 3 < stop && strncmp(p, "<!--", 4) == 0) {
			p = skip_past(p + 4, stop, "-->");
		} else if (*p == '<' && p + 1 < stop && (isalpha((unsigned char)p[1]) || p[1] == '/')) {
			p = scan_tag(p + 1, stop, st);
			strbuf_addch(&st->text, ' ');
		} else if (*p == '&') {
			const char *semi = memchr(p, ';', (size_t)(stop - p) > 10 ? 10 : (size_t)(stop - p));

			st->text_chars++;
			strbuf_addch(&st->text, ' ');
			p = semi ? semi + 1 : p + 1;
		} else {
			if (!isspace((unsigned char)*p) && ((unsigned char)*p & 0xc0) != 0x80)
				st->text_chars++;
			strbuf_addch(&st->text, *p);
			p++;
		}
	}
}

static void
check_html(const struct mime_walk *w, struct html_stats *st, struct check_list *out)
{
	scan_html(w->html ? w->html : "", w->html_len, st);
	if (w->html == NULL)
		return;
	if (st->images && st->text_chars < LINT_TEXT_PER_IMAGE * st->images)
		check_list_add(out, "html-image-heavy", "%zu image%s for %zu characters of text "
			       "(aim for at least %d per image)", st->images,
			       st->images == 1 ? "" : "s", st->text_chars, LINT_TEXT_PER_IMAGE);
	if (st->links && st->text_chars < LINT_TEXT_PER_LINK * st->links)
		check_list_add(out, "html-link-heavy", "%zu link%s for %zu characters of text "
			       "(aim for at least %d per link)", st->links,
			       st->links == 1 ? "" : "s", st->text_chars, LINT_TEXT_PER_LINK);
	if (st->scripts || st->js_urls)
		check_list_add(out, "html-javascript", "JavaScript in the HTML: %zu <script> "
			       "element%s, %zu javascript: URL%s", st->scripts,
			       st->scripts == 1 ? "" : "s", st->js_urls, st->js_urls == 1 ? "" : "s");
	if (st->forms)
		check_list_add(out, "html-form", "%zu <form> element%s in the HTML", st->forms,
			       st->forms == 1 ? "" : "s");
	if (st->handlers) {
		char *h = textsafe_visible(st->handler, strlen(st->handler));

		check_list_add(out, "html-event-handler", "%zu event handler attribute%s in the "
			       "HTML (the first: %s)", st->handlers, st->handlers == 1 ? "" : "s", h);
		free(h);
	}
}

/* The phrases the guide warns about, English and French, matched as
 * whole words in lowercase. */
static const char *const phrases[] = {
	"buy", "buy now", "order now", "last chance", "limited time", "act now",
	"click here", "free", "urgent", "winner", "guaranteed", "risk-free",
	"cash", "cheap", "discount", "best price",
	"achetez", "acheter", "dernière chance", "offre limitée", "cliquez ici",
	"gratuit", "gratuite", "gagnant", "garanti", "promo", "remise", "soldes",
	"pas cher",
};

static bool
word_char(const char *s, const char *p)
{
	if (p < s)
		return false;
	return isalnum((unsigned char)*p) || ((unsigned char)*p & 0x80);
}

static size_t
count_word(const char *text, const char *w)
{
	size_t n = 0, wl = strlen(w);

	for (const char *p = text; (p = strstr(p, w)) != NULL; p += wl)
		if (!word_char(text, p - 1) && !word_char(text, p + wl))
			n++;
	return n;
}

/* "20%", "20 %", "-20%": a percentage, as discounts are written. */
static size_t
count_percent(const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		if (*p != '%')
			continue;
		const char *q = p;

		if (q > text && q[-1] == ' ')
			q--;
		if (q > text && isdigit((unsigned char)q[-1]))
			n++;
	}
	return n;
}

static void
check_phrases(const struct mime_walk *w, const struct html_stats *st, struct check_list *out)
{
	struct strbuf all, found;
	char *low;
	size_t pct;

	strbuf_init(&all, STRBUF_NO_MAX);
	strbuf_init(&found, STRBUF_NO_MAX);
	if (w->subject)
		strbuf_addf(&all, "%s\n", w->subject);
	if (w->text)
		strbuf_add(&all, w->text, w->text_len);
	strbuf_add(&all, st->text.buf, st->text.len);
	/* invalid UTF-8 is lowered as ASCII only */
	low = g_utf8_validate(all.buf, (gssize)all.len, NULL) ? g_utf8_strdown(all.buf, (gssize)all.len)
							      : g_ascii_strdown(all.buf, (gssize)all.len);
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
		size_t n = count_word(low, phrases[i]);

		if (n)
			strbuf_addf(&found, ", \"%s\" %zu", phrases[i], n);
	}
	pct = count_percent(low);
	if (pct)
		strbuf_addf(&found, ", percentages (discounts) %zu", pct);
	if (found.len)
		check_list_add(out, LINT_PHRASES, "counted, not judged: %s", found.buf + 2);
	g_free(low);
	strbuf_release(&all);
	strbuf_release(&found);
}

void
lint_check(const struct mime_walk *w, struct check_list *out)
{
	struct html_stats st;

	if (!w->parsed)
		return;
	check_sender(w, out);
	check_subject(w, out);
	if (mime_walk_field(w, "MIME-Version") == NULL)
		check_list_add(out, "mime-version-missing", "no MIME-Version field (RFC 2045)");
	check_unsubscribe(w, out);
	check_html(w, &st, out);
	check_phrases(w, &st, out);
	strbuf_release(&st.text);
}
