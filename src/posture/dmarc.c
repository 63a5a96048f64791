/* dmarc.c - DMARC records, policies and alignment (RFC 7489), no DNS */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "dmarc.h"
#include "xalloc.h"

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* RFC 7489, 6.4: dmarc-version = "v" *WSP "=" *WSP %x44.4d.41.52.43.31,
 * first: the tag name is not case-sensitive, its value is. */
bool
dmarc_is_record(const char *txt)
{
	const char *p = skip_blanks(txt);

	if (*p != 'v' && *p != 'V')
		return false;
	p = skip_blanks(p + 1);
	if (*p != '=')
		return false;
	p = skip_blanks(p + 1);
	if (strncmp(p, "DMARC1", 6))
		return false;
	p = skip_blanks(p + 6);
	return !*p || *p == ';';
}

size_t
dmarc_count(char *const *txt, size_t n, const char **first)
{
	size_t nr = 0;

	*first = NULL;
	for (size_t i = 0; i < n; i++)
		if (dmarc_is_record(txt[i]) && !nr++)
			*first = txt[i];
	return nr;
}

char *
dmarc_tag(const char *record, const char *tag)
{
	size_t n = strlen(tag);

	for (const char *p = record; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
		const char *end, *v;

		p = skip_blanks(p);
		if (strncasecmp(p, tag, n))
			continue;
		v = skip_blanks(p + n);
		if (*v != '=')
			continue;
		v = skip_blanks(v + 1);
		end = v + strcspn(v, ";");
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		return xstrndup(v, end - v);
	}
	return NULL;
}

static enum dmarc_policy
policy_of(const char *s)
{
	if (!s)
		return DMARC_P_UNSET;
	if (!strcasecmp(s, "none"))
		return DMARC_P_NONE;
	if (!strcasecmp(s, "quarantine"))
		return DMARC_P_QUARANTINE;
	if (!strcasecmp(s, "reject"))
		return DMARC_P_REJECT;
	return DMARC_P_UNSET;
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_P_NONE: return "none";
	case DMARC_P_QUARANTINE: return "quarantine";
	case DMARC_P_REJECT: return "reject";
	case DMARC_P_UNSET: break;
	}
	return NULL;
}

/* Add one sentence to r->problem. */
static void
note(struct dmarc_record *r, const char *what)
{
	char *s = r->problem ? xasprintf("%s; %s", r->problem, what) : xstrdup(what);

	free(r->problem);
	r->problem = s;
}

/* pct=: 1 to 3 digits, 0 to 100 (RFC 7489, 6.3); -1 when not. */
static int
pct_of(const char *s)
{
	size_t n = strlen(s);
	int v = 0;

	if (!n || n > 3)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!ascii_isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 100 ? v : -1;
}

/* adkim= or aspf=: "r" or "s"; the default "r" otherwise, said. */
static bool
mode_strict(struct dmarc_record *r, const char *record, const char *tag)
{
	char *v = dmarc_tag(record, tag);
	bool strict = false;

	if (v && !strcasecmp(v, "s")) {
		strict = true;
	} else if (v && strcasecmp(v, "r")) {
		char *s = xasprintf("%s=%s is not r or s: taken as r", tag, v);

		note(r, s);
		free(s);
	}
	free(v);
	return strict;
}

void
dmarc_parse(const char *txt, struct dmarc_record *r)
{
	char *p = dmarc_tag(txt, "p"), *sp = dmarc_tag(txt, "sp");
	char *pct = dmarc_tag(txt, "pct"), *rua = dmarc_tag(txt, "rua");

	memset(r, 0, sizeof(*r));
	r->pct = 100;
	r->p = policy_of(p);
	if (r->p == DMARC_P_UNSET && rua && strstr(rua, "mailto:")) {
		/* RFC 7489, 6.6.3: no valid p= but rua=: as if p=none. */
		r->p = DMARC_P_NONE;
		note(r, "no valid p= tag: taken as p=none, for rua= is given");
	} else if (r->p == DMARC_P_UNSET) {
		note(r, "the record has no valid p= tag");
		goto out;
	}
	r->usable = true;
	r->sp = policy_of(sp);
	if (sp && r->sp == DMARC_P_UNSET)
		note(r, "sp= is not none, quarantine or reject: p= applies to subdomains");
	if (pct && pct_of(pct) < 0)
		note(r, "pct= is not a number from 0 to 100: taken as 100");
	else if (pct)
		r->pct = pct_of(pct);
	r->adkim_strict = mode_strict(r, txt, "adkim");
	r->aspf_strict = mode_strict(r, txt, "aspf");
out:
	free(p);
	free(sp);
	free(pct);
	free(rua);
}

void
dmarc_record_release(struct dmarc_record *r)
{
	free(r->problem);
	memset(r, 0, sizeof(*r));
}

enum dmarc_policy
dmarc_policy_for(const struct dmarc_record *r, bool at_org)
{
	if (!r->usable)
		return DMARC_P_UNSET;
	return at_org && r->sp != DMARC_P_UNSET ? r->sp : r->p;
}

/* NAME without a final dot, compared ignoring case. */
static bool
same_name(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na && a[na - 1] == '.')
		na--;
	if (nb && b[nb - 1] == '.')
		nb--;
	return na == nb && !strncasecmp(a, b, na);
}

bool
dmarc_aligned(const char *id, const char *from, bool strict, dmarc_orgdomain_fn org)
{
	char *x, *y;
	bool same;

	if (!id || !from || !*id || !*from)
		return false;
	if (same_name(id, from))
		return true;
	if (strict)
		return false;
	x = org(id);
	y = org(from);
	same = x && y && same_name(x, y);
	free(x);
	free(y);
	return same;
}
