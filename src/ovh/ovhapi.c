/* ovhapi.c - the resources of the OVH API that fpkit asks for
 *
 * Every path of the API is written here and nowhere else, so that the
 * escaping of its parameters is decided once: none of the official
 * clients escapes a path parameter, and an unescaped block
 * (/ip/203.0.113.0/28/spam) is a 404 (ovh-api.md section 4). */
#include "config.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "netaddr.h"
#include "ovhapi.h"
#include "ovhsign.h"
#include "timefmt.h"
#include "xalloc.h"

/* "/ip/{block}/spam" and what follows, each parameter escaped (new). */
static char *
spam_path(const char *block, const char *ip, const char *tail)
{
	char *eblock = ovhsign_escape_path(block), *eip = ip ? ovhsign_escape_path(ip) : NULL;
	char *path = eip ? xasprintf("/ip/%s/spam/%s%s", eblock, eip, tail) :
			   xasprintf("/ip/%s/spam%s", eblock, tail);

	free(eblock);
	free(eip);
	return path;
}

/* Set up c for 'path', which it takes. */
static void
call_init(struct ovh_call *c, char *path)
{
	ovh_call_init(c, path);
	free(path);
}

void
ovhapi_ip_blocks(struct ovh_call *c, const char *ip, const char *type)
{
	char *path = xstrdup("/ip");

	if (ip)
		ovhsign_query_add(&path, "ip", ip);
	if (type)
		ovhsign_query_add(&path, "type", type);
	call_init(c, path);
}

void
ovhapi_spam_ips(struct ovh_call *c, const char *block, const char *state)
{
	char *path = spam_path(block, NULL, "");

	if (state)
		ovhsign_query_add(&path, "state", state);
	call_init(c, path);
}

char *
ovhapi_spam_ip_path(const char *block, const char *ip)
{
	return spam_path(block, ip, "");
}

void
ovhapi_spam_ip(struct ovh_call *c, const char *block, const char *ip)
{
	call_init(c, spam_path(block, ip, ""));
}

void
ovhapi_spam_unblock(struct ovh_call *c, const char *block, const char *ip)
{
	char *path = spam_path(block, ip, "/unblock");

	/* No body, as python-ovh and ovhcloud-cli send it (the Control
	 * Panel sends {}; ovh-api.md section 5b). */
	ovh_call_init_post(c, path, "");
	free(path);
}

bool
ovhapi_still_blocked(const struct ovh_call *c, int64_t *seconds)
{
	static const char words[] = "still blocked for ";
	json_t *root = json_loadb(c->body.buf, c->body.len, JSON_DECODE_ANY, NULL);
	const char *msg = json_string_value(json_object_get(root, "message")), *p;
	int64_t n = 0;
	int digits = 0;
	bool found = false;

	p = msg ? strcasestr(msg, words) : NULL;
	if (p) {
		/* At most 9 digits: a year and more is no wait anyone means. */
		for (p += sizeof(words) - 1; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
			n = n * 10 + (*p - '0');
		found = digits > 0 && !(*p >= '0' && *p <= '9');
	}
	if (found)
		*seconds = n;
	json_decref(root);
	return found;
}

void
ovhapi_me(struct ovh_call *c)
{
	ovh_call_init(c, "/me");
}

int
ovhapi_check_me(const struct ovh_call *c, const char **nichandle, struct error *err)
{
	const char *nic = json_string_value(json_object_get(c->json, "nichandle"));
	size_t n = nic ? strlen(nic) : 0;

	if (!json_is_object(c->json))
		return error_set(err, EX_PROTOCOL, "GET %s: expected an object", c->path);
	if (n == 0 || n > OVHAPI_NICHANDLE_MAX)
		return error_set(err, EX_PROTOCOL, "GET %s: no nichandle of 1 to %d characters",
				 c->path, OVHAPI_NICHANDLE_MAX);
	/* It ends the ticket as the sender's name: nothing else than a
	 * handle ("xx1234-ovh") belongs there. */
	for (size_t i = 0; i < n; i++)
		if (nic[i] <= ' ' || nic[i] > '~')
			return error_set(err, EX_PROTOCOL, "GET %s: the nichandle holds a character "
					 "a NIC handle does not", c->path);
	*nichandle = nic;
	return 0;
}

/* A datetime for a query: UTC with an explicit offset, as the API writes
 * its own ("+00:00" rather than "Z"). */
static char *
api_datetime(int64_t t)
{
	char iso[TIMEFMT_ISO_LEN];
	size_t n;

	timefmt_iso_utc(t, iso);
	n = strlen(iso);
	return xasprintf("%.*s+00:00", (int)(n - 1), iso);
}

void
ovhapi_spam_stats(struct ovh_call *c, const char *block, const char *ip, int64_t from,
		  int64_t to)
{
	char *path = spam_path(block, ip, "/stats"), *f = api_datetime(from),
	     *t = api_datetime(to);

	ovhsign_query_add(&path, "from", f);
	ovhsign_query_add(&path, "to", t);
	free(f);
	free(t);
	call_init(c, path);
}

/* c->json must be an array of strings each accepted by 'valid'. */
static int
check_strings(const struct ovh_call *c, bool (*valid)(const char *), const char *plural,
	      const char *one, struct error *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(c->json))
		return error_set(err, EX_PROTOCOL, "GET %s: expected an array of %s", c->path,
				 plural);
	json_array_foreach(c->json, i, v)
		if (!json_is_string(v) || !valid(json_string_value(v)))
			return error_set(err, EX_PROTOCOL, "GET %s: element %zu is not %s",
					 c->path, i, one);
	return 0;
}

static bool
is_block(const char *s)
{
	return netaddr_is_block(s);
}

static bool
is_ipv4(const char *s)
{
	return netaddr_is_ipv4(s);
}

int
ovhapi_check_blocks(const struct ovh_call *c, struct error *err)
{
	return check_strings(c, is_block, "IP blocks", "an IP block", err);
}

int
ovhapi_check_spam_ips(const struct ovh_call *c, struct error *err)
{
	return check_strings(c, is_ipv4, "IPv4 addresses", "an IPv4 address", err);
}

void
ovhapi_ip(struct ovh_call *c, const char *block)
{
	char *eblock = ovhsign_escape_path(block);

	call_init(c, xasprintf("/ip/%s", eblock));
	free(eblock);
}

void
ovhapi_ticket_create(struct ovh_call *c, const char *body)
{
	ovh_call_init_post(c, "/support/tickets/create", body);
}

void
ovhapi_tickets(struct ovh_call *c, const char *status, int64_t min_creation, int64_t number)
{
	char *path = xstrdup("/support/tickets");

	if (min_creation >= 0) {
		char *t = api_datetime(min_creation);

		ovhsign_query_add(&path, "minCreationDate", t);
		free(t);
	}
	if (status)
		ovhsign_query_add(&path, "status", status);
	if (number >= 0) {
		char n[32];

		snprintf(n, sizeof(n), "%" PRId64, number);
		ovhsign_query_add(&path, "ticketNumber", n);
	}
	call_init(c, path);
}

void
ovhapi_ticket(struct ovh_call *c, int64_t id)
{
	call_init(c, xasprintf("/support/tickets/%" PRId64, id));
}

void
ovhapi_ticket_messages(struct ovh_call *c, int64_t id)
{
	call_init(c, xasprintf("/support/tickets/%" PRId64 "/messages", id));
}

void
ovhapi_ticket_reply(struct ovh_call *c, int64_t id, const char *body)
{
	char *path = xasprintf("/support/tickets/%" PRId64 "/reply", id);

	ovh_call_init_post(c, path, body);
	free(path);
}

void
ovhapi_credential(struct ovh_call *c, const char *body)
{
	ovh_call_init_unsigned_post(c, "/auth/credential", body);
}

/* What each subcommand asks for.  GET /auth/time needs no rule: the API
 * serves it to anyone. */
const struct ovhapi_rule ovhapi_rules[] = {
	{ "GET", "/ip", false, "pack, scan, unblock" },
	{ "GET", "/ip/*", false, "pack, scan, unblock, ticket create" },
	{ "GET", "/ip/*/spam", false, "scan" },
	{ "GET", "/ip/*/spam/*", false, "pack, scan, unblock" },
	{ "GET", "/ip/*/spam/*/stats", false, "pack, scan" },
	{ "GET", "/me", false, "pack, scan" },
	{ "GET", "/support/tickets", false, "ticket" },
	{ "GET", "/support/tickets/*", false, "ticket" },
	{ "GET", "/support/tickets/*/messages", false, "ticket show, ticket reply" },
	{ "POST", "/ip/*/spam/*/unblock", true, "unblock" },
	{ "POST", "/support/tickets/create", true, "ticket create" },
	{ "POST", "/support/tickets/*/reply", true, "ticket reply" },
	{ NULL, NULL, false, NULL },
};

/* fnmatch without FNM_PATHNAME, on '*' alone (a path holds no other
 * special character fpkit would write). */
static bool
glob_star(const char *pat, const char *s)
{
	if (*pat == '\0')
		return *s == '\0';
	if (*pat == '*') {
		/* One character at least: a star does not match "". */
		for (size_t i = 1; i <= strlen(s); i++)
			if (glob_star(pat + 1, s + i))
				return true;
		return false;
	}
	return *s == *pat && glob_star(pat + 1, s + 1);
}

bool
ovhapi_rule_covers(const struct ovhapi_rule *r, const char *method, const char *path)
{
	return strcmp(r->method, method) == 0 && glob_star(r->path, path);
}
