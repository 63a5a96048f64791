/* ovhconf.c - the OVH API endpoint and credentials, found where
 * python-ovh and go-ovh look for them
 *
 * ovh.conf is read as Python's RawConfigParser reads it (python-ovh's
 * reader), by ini.c: a key twice in a section is an error, as in
 * Python; an indented line under a key would be a continuation of its
 * value, which no credential has, so it is refused too.  No message of
 * this file ever holds a value read for a credential. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "ini.h"
#include "ovhconf.h"
#include "xalloc.h"

static const struct {
	const char *name;
	const char *url;
} endpoints[] = {
	{ "ovh-eu", "https://eu.api.ovh.com/1.0" },
	{ "ovh-ca", "https://ca.api.ovh.com/1.0" },
	{ "ovh-us", "https://api.us.ovhcloud.com/1.0" },
	{ "kimsufi-eu", "https://eu.api.kimsufi.com/1.0" },
	{ "kimsufi-ca", "https://ca.api.kimsufi.com/1.0" },
	{ "soyoustart-eu", "https://eu.api.soyoustart.com/1.0" },
	{ "soyoustart-ca", "https://ca.api.soyoustart.com/1.0" },
	{ "ks-eu", "https://eu.api.kimsufi.com/1.0" },
	{ "ks-ca", "https://ca.api.kimsufi.com/1.0" },
	{ "sys-eu", "https://eu.api.soyoustart.com/1.0" },
	{ "sys-ca", "https://ca.api.soyoustart.com/1.0" },
};

#define ENDPOINT_NAMES "ovh-eu, ovh-ca, ovh-us, kimsufi-eu (ks-eu), kimsufi-ca (ks-ca), " \
	"soyoustart-eu (sys-eu), soyoustart-ca (sys-ca)"

const char *
ovhconf_endpoint_url(const char *name)
{
	for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		if (strcmp(name, endpoints[i].name) == 0)
			return endpoints[i].url;
	return NULL;
}

static bool
is_secret_key(const char *key)
{
	return strcmp(key, "application_secret") == 0 || strcmp(key, "consumer_key") == 0 ||
	       strcmp(key, "client_secret") == 0;
}

/* A key as shown in a message: only the names fpkit knows, since a
 * broken line may hold a secret where a key should be. */
static const char *
shown_key(const char *key)
{
	static const char *const known[] = { "endpoint", "application_key",
		"application_secret", "consumer_key", "client_id", "client_secret" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(key, known[i]) == 0)
			return known[i];
	return "(not shown)";
}

static const struct ini_dialect ovhconf_dialect = {
	.kind = "ovh.conf",
	.doc = "fpkit(1)",
	.section_example = "[ovh-eu]",
	.section_hint = "put it under [default] or the endpoint's section, such as [ovh-eu]",
	.shown_key = shown_key,
	.is_secret = is_secret_key,
};

/* An environment variable, empty counting as unset (go-ovh). */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* One setting and, for messages, where it came from. */
struct found {
	const char *value;	/* borrowed: environment or ini */
	char where[PATH_MAX + 64];
};

static void
lookup(struct found *f, const struct ini *ini, const char *section, const char *key,
       const char *var)
{
	const struct ini_entry *e;

	f->value = env(var);
	if (f->value) {
		snprintf(f->where, sizeof(f->where), "%s", var);
		return;
	}
	e = ini_get(ini, section, key);
	if (e && *e->value) {
		f->value = e->value;
		snprintf(f->where, sizeof(f->where), "'%s' line %zu", e->file, e->line);
		return;
	}
	f->value = NULL;
	f->where[0] = '\0';
}

/* The URL of an http(s) endpoint without trailing slashes, or NULL. */
static char *
endpoint_base_url(const char *s)
{
	size_t n = strlen(s), scheme;

	if (strncasecmp(s, "https://", 8) == 0)
		scheme = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		scheme = 7;
	else
		return NULL;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return NULL;
	while (n > scheme && s[n - 1] == '/')
		n--;
	if (n == scheme || s[scheme] == '/')
		return NULL;
	return xstrndup(s, n);
}

/* A credential goes into an HTTP header: visible ASCII only. */
static bool
header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static int
check_credentials(const struct found *ak, const struct found *as, const struct found *ck,
		  const struct ini *ini, const char *endpoint, const char *why, bool app_only,
		  struct error *err)
{
	const struct found *all[] = { ak, as, ck };
	static const char *const names[] = { "application_key", "application_secret",
					     "consumer_key" };

	if (app_only) {
		/* fpkit auth: the key to be requested is not looked at. */
		static const struct found none = { NULL, "" };

		ck = &none;
		all[2] = NULL;
	}
	if (!ak->value && !as->value && !ck->value) {
		if (env("OVH_CLIENT_ID") || ini_get(ini, endpoint, "client_id"))
			return error_set(err, EX_CONFIG, "only OAuth2 client credentials (client_id) "
					 "are set for endpoint '%s', which fpkit does not support: "
					 "create an application key and a consumer key", endpoint);
		error_set(err, EX_CONFIG, "no OVH API credentials for endpoint '%s': set "
			  "OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY, "
			  "or application_key, application_secret and consumer_key in section "
			  "[%s] of an ovh.conf file (see fpkit(1))", endpoint, endpoint);
		if (why)
			error_prefix(err, "%s", why);
		return -1;
	}
	if (ak->value && !as->value)
		return error_set(err, EX_CONFIG, "application_key is set (%s) but not "
				 "application_secret: give both, for endpoint '%s'", ak->where, endpoint);
	if (as->value && !ak->value)
		return error_set(err, EX_CONFIG, "application_secret is set (%s) but not "
				 "application_key: give both, for endpoint '%s'", as->where, endpoint);
	if (!ak->value)
		return error_set(err, EX_CONFIG, "consumer_key is set (%s) but not "
				 "application_key and application_secret: give all three, for "
				 "endpoint '%s'", ck->where, endpoint);
	if (!ck->value && !app_only)
		return error_set(err, EX_CONFIG, "no consumer_key for endpoint '%s' (set "
				 "OVH_CONSUMER_KEY or consumer_key in section [%s]): request one "
				 "with 'fpkit auth', which asks for the rules fpkit needs (POST "
				 "/auth/credential, see fpkit-auth(1))", endpoint, endpoint);
	for (size_t i = 0; i < 3; i++)
		if (all[i] && !header_safe(all[i]->value))
			return error_set(err, EX_CONFIG, "%s (%s) holds a space or a character "
					 "that cannot be sent in an HTTP header: copy the key again, "
					 "without quotes or spaces", names[i], all[i]->where);
	return 0;
}

/* The three default ovh.conf paths (new strings in paths[0..3)). */
static size_t
default_paths(char *paths[3])
{
	const char *home = getenv("HOME");
	char cwd[PATH_MAX], real[PATH_MAX];
	size_t n = 0;

	/* FPKIT_SYSTEM_OVH_CONF names the system-wide file instead (tests,
	 * and hosts that keep it elsewhere). */
	paths[n++] = xstrdup(getenv("FPKIT_SYSTEM_OVH_CONF") && *getenv("FPKIT_SYSTEM_OVH_CONF") ?
			     getenv("FPKIT_SYSTEM_OVH_CONF") : "/etc/ovh.conf");
	if (home == NULL || *home == '\0') {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (home && *home)
		paths[n++] = xasprintf("%s%s.ovh.conf", home,
				       home[strlen(home) - 1] == '/' ? "" : "/");
	/* python-ovh: realpath of the current folder. */
	if (getcwd(cwd, sizeof(cwd)) && realpath(cwd, real))
		paths[n++] = xasprintf("%s%sovh.conf", real, strcmp(real, "/") == 0 ? "" : "/");
	return n;
}

int
ovhconf_resolve(struct ovhconf *c, const struct ovhconf_source *src,
		struct diag *d, struct error *err)
{
	struct ini ini = INI_INIT;
	char *defaults[3] = { NULL, NULL, NULL };
	const char *const *paths = src->paths;
	size_t nr_paths = src->nr_paths;
	const struct ini_entry *e;
	const char *endpoint, *from;
	struct found ak, as, ck;
	bool plain = false;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (paths == NULL) {
		nr_paths = default_paths(defaults);
		paths = (const char *const *)defaults;
	}
	for (size_t i = 0; i < nr_paths; i++)
		if (ini_read(&ini, &ovhconf_dialect, paths[i], false, d, err) < 0)
			goto out;
	if (src->config && ini_read(&ini, &ovhconf_dialect, src->config, true, d, err) < 0)
		goto out;

	if (src->endpoint) {
		endpoint = src->endpoint;
		from = "--endpoint";
	} else if ((endpoint = env("OVH_ENDPOINT")) != NULL) {
		from = "OVH_ENDPOINT";
	} else if ((e = ini_get(&ini, "default", "endpoint")) != NULL && *e->value) {
		endpoint = e->value;
		from = e->file;
	} else {
		endpoint = OVHCONF_DEFAULT_ENDPOINT;
		from = "the default";
	}
	c->base_url = endpoint_base_url(endpoint);
	if (c->base_url == NULL && ovhconf_endpoint_url(endpoint))
		c->base_url = xstrdup(ovhconf_endpoint_url(endpoint));
	if (c->base_url == NULL) {
		error_set(err, src->endpoint ? EX_USAGE : EX_CONFIG, "unknown endpoint '%.200s' "
			  "(from %s): expected one of " ENDPOINT_NAMES ", or an http:// or "
			  "https:// base URL such as https://eu.api.ovh.com/1.0", endpoint, from);
		goto out;
	}
	c->endpoint = xstrdup(endpoint);
	/* Before anything is sent, and before the credentials' messages
	 * name the endpoint (a URL may hold a password). */
	if (src->check_url && src->check_url(c->base_url, from, src->insecure_http, &plain, err) < 0) {
		if (err && src->endpoint)
			err->status = EX_USAGE;
		goto out;
	}
	if (plain)
		diag_add(d, "endpoint '%s' is plain http (--insecure-http): the application and "
			 "consumer keys travel unencrypted", c->base_url);

	lookup(&ak, &ini, endpoint, "application_key", "OVH_APPLICATION_KEY");
	lookup(&as, &ini, endpoint, "application_secret", "OVH_APPLICATION_SECRET");
	lookup(&ck, &ini, endpoint, "consumer_key", "OVH_CONSUMER_KEY");
	if (check_credentials(&ak, &as, &ck, &ini, endpoint, src->why, src->app_only, err) < 0)
		goto out;
	c->application_key = xstrdup(ak.value);
	c->application_secret = xstrdup(as.value);
	c->consumer_key = src->app_only ? NULL : xstrdup(ck.value);
	c->application_key_from = xstrdup(ak.where);
	c->application_secret_from = xstrdup(as.where);
	c->consumer_key_from = src->app_only ? NULL : xstrdup(ck.where);
	rc = 0;
out:
	ini_release(&ini);
	for (size_t i = 0; i < 3; i++)
		free(defaults[i]);
	if (rc < 0)
		ovhconf_release(c);
	return rc;
}

static void
wipe(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
ovhconf_release(struct ovhconf *c)
{
	free(c->endpoint);
	free(c->base_url);
	wipe(c->application_key);
	wipe(c->application_secret);
	wipe(c->consumer_key);
	free(c->application_key_from);
	free(c->application_secret_from);
	free(c->consumer_key_from);
	memset(c, 0, sizeof(*c));
}
