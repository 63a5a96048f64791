/* ovhconf.c - the OVH API endpoint and credentials, found where
 * python-ovh and go-ovh look for them
 *
 * ovh.conf is read as Python's RawConfigParser reads it (python-ovh's
 * reader): "[section]" lines, "key = value" or "key: value" (the first
 * '=' or ':' splits), keys lower-cased, values trimmed and taken
 * literally (no quotes removed, no interpolation), whole-line comments
 * starting with '#' or ';'.  As in Python, a key before any section, a
 * section or a key twice in one file, and a line that is neither are
 * errors; an indented line under a key would be a continuation of its
 * value, which no credential has, so it is refused too.  No message of
 * this file ever holds a value read for a credential. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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
#include "fpkit_limits.h"
#include "ovhconf.h"
#include "strbuf.h"
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

/* One "key = value" of one file. */
struct ini_entry {
	const char *file;	/* borrowed from the caller's path list */
	size_t line;
	char *section;
	char *key;		/* lower-cased */
	char *value;
};

struct ini {
	struct ini_entry *items;
	size_t nr, alloc;
};

static void
ini_release(struct ini *ini)
{
	for (size_t i = 0; i < ini->nr; i++) {
		free(ini->items[i].section);
		free(ini->items[i].key);
		if (ini->items[i].value) {
			explicit_bzero(ini->items[i].value, strlen(ini->items[i].value));
			free(ini->items[i].value);
		}
	}
	free(ini->items);
	memset(ini, 0, sizeof(*ini));
}

/* The latest entry for section/key (later files win), or NULL. */
static const struct ini_entry *
ini_get(const struct ini *ini, const char *section, const char *key)
{
	for (size_t i = ini->nr; i-- > 0;)
		if (strcmp(ini->items[i].section, section) == 0 &&
		    strcmp(ini->items[i].key, key) == 0)
			return &ini->items[i];
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

static char *
trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return s;
}

/* Parse buf (NUL-terminated, no NUL inside) into ini, entries from this
 * file starting at index 'first'.  *secrets tells whether it holds a
 * secret. */
static int
ini_parse(struct ini *ini, const char *file, char *buf, bool *secrets, struct error *err)
{
	size_t first = ini->nr, lineno = 0;
	char *section = NULL, *line = buf, *next;
	long key_indent = -1;	/* indentation of the last key line, -1: none */
	int rc = -1;

	*secrets = false;
	for (; *line; line = next) {
		char *eol = strchr(line, '\n'), *p, *delim, *key, *value;
		long indent = 0;
		char dch;

		next = eol ? eol + 1 : line + strlen(line);
		if (eol == NULL)
			eol = next;
		lineno++;
		if ((size_t)(eol - line) > FPKIT_LIMIT_OVHCONF_LINE) {
			error_set(err, EX_CONFIG, "'%s' line %zu: longer than %d bytes: is it an "
				  "ovh.conf file?", file, lineno, FPKIT_LIMIT_OVHCONF_LINE);
			goto out;
		}
		if (eol > line && eol[-1] == '\r')
			eol--;
		*eol = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			indent++;
		if (*p == '\0' || *p == '#' || *p == ';')
			continue;
		if (indent > key_indent && key_indent >= 0) {
			error_set(err, EX_CONFIG, "'%s' line %zu: an indented line continues the value "
				  "above it, which fpkit does not accept: remove the indentation",
				  file, lineno);
			goto out;
		}
		if (*p == '[') {
			char *close = eol;

			while (close > p && (close[-1] == ' ' || close[-1] == '\t'))
				close--;
			if (close - p < 3 || close[-1] != ']') {
				error_set(err, EX_CONFIG, "'%s' line %zu: a section header is "
					  "'[name]', such as [ovh-eu]: fix the line", file, lineno);
				goto out;
			}
			free(section);
			section = xstrndup(p + 1, (size_t)(close - p - 2));
			for (size_t i = first; i < ini->nr; i++) {
				if (strcmp(ini->items[i].section, section) == 0) {
					error_set(err, EX_CONFIG, "'%s' line %zu: section [%s] "
						  "appears twice: make it one", file, lineno, section);
					goto out;
				}
			}
			key_indent = -1;
			continue;
		}
		delim = strpbrk(p, "=:");
		if (delim == NULL) {
			error_set(err, EX_CONFIG, "'%s' line %zu: expected 'key = value' or "
				  "'[section]': fix the line (fpkit(1) shows an ovh.conf file)", file,
				  lineno);
			goto out;
		}
		dch = *delim;
		key = trim(p, delim);
		value = trim(delim + 1, eol);
		if (*key == '\0') {
			error_set(err, EX_CONFIG, "'%s' line %zu: a key is missing before '%c': "
				  "write 'key = value'", file, lineno, dch);
			goto out;
		}
		for (char *k = key; *k; k++)
			*k = (char)tolower((unsigned char)*k);
		if (section == NULL) {
			error_set(err, EX_CONFIG, "'%s' line %zu: key '%s' comes before any "
				  "[section]: put it under [default] or the endpoint's section, "
				  "such as [ovh-eu]", file, lineno, shown_key(key));
			goto out;
		}
		for (size_t i = first; i < ini->nr; i++) {
			if (strcmp(ini->items[i].section, section) == 0 &&
			    strcmp(ini->items[i].key, key) == 0) {
				error_set(err, EX_CONFIG, "'%s' line %zu: key '%s' appears twice "
					  "in section [%s] (first on line %zu): keep one", file,
					  lineno, shown_key(key), section, ini->items[i].line);
				goto out;
			}
		}
		ini->items = xgrow(ini->items, ini->nr + 1, &ini->alloc, sizeof(*ini->items));
		ini->items[ini->nr].file = file;
		ini->items[ini->nr].line = lineno;
		ini->items[ini->nr].section = xstrdup(section);
		ini->items[ini->nr].key = xstrdup(key);
		ini->items[ini->nr].value = xstrdup(value);
		ini->nr++;
		if (is_secret_key(key) && *value)
			*secrets = true;
		key_indent = indent;
	}
	rc = 0;
out:
	free(section);
	return rc;
}

/* Read one file into ini.  'required' (--config): a missing file is an
 * error; otherwise it is skipped, silently when it does not exist. */
static int
ini_read(struct ini *ini, const char *path, bool required, struct diag *d, struct error *err)
{
	struct strbuf sb;
	struct stat st;
	char chunk[4096];
	bool secrets;
	ssize_t n;
	int fd, rc = -1;

	strbuf_init(&sb, FPKIT_LIMIT_OVHCONF_FILE);
	/* O_NONBLOCK: a FIFO named ovh.conf must not hang us (it is
	 * refused below as not a file).  O_NOFOLLOW: a link someone planted
	 * (./ovh.conf -> /etc/passwd in a shared folder) must not make a
	 * root-owned file, that is no ovh.conf, stop the run; what is
	 * judged below is what was opened, not what the name says. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP) {
		if (required)
			return error_set(err, EX_NOINPUT, "cannot open --config '%s': it is a "
					 "symbolic link, which fpkit does not follow: give the "
					 "file it points to", path);
		diag_add(d, "'%s' is a symbolic link, which fpkit does not follow: skipped "
			 "(replace it with the file, or give that file with --config)", path);
		return 0;
	}
	if (fd < 0) {
		if (required)
			return error_set(err, EX_NOINPUT, "cannot open --config '%s': %s: give "
					 "the path of an ovh.conf file you can read", path,
					 strerror(errno));
		if (errno != ENOENT && errno != ENOTDIR)
			diag_add(d, "cannot read '%s': %s: skipped", path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (required)
			error_set(err, EX_NOINPUT, "--config '%s' is not a file: give the path "
				  "of an ovh.conf file", path);
		else
			diag_add(d, "'%s' is not a file: skipped", path);
		rc = required ? -1 : 0;
		goto out;
	}
	/* A default file someone else could have planted (./ovh.conf in a
	 * shared folder) could send the keys to a host of its choosing:
	 * only the user's own or root's, not writable by others, is read. */
	if (!required && ((st.st_uid != geteuid() && st.st_uid != 0) ||
			  (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		diag_add(d, "'%s' is not owned by you or root, or is writable by others: "
			 "skipped (give it with --config if you trust it)", path);
		rc = 0;
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, EX_IOERR, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (strbuf_add(&sb, chunk, (size_t)n) < 0) {
			error_set(err, EX_CONFIG, "'%s' is larger than %d bytes: is it an ovh.conf "
				  "file?", path, FPKIT_LIMIT_OVHCONF_FILE);
			goto out;
		}
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		error_set(err, EX_CONFIG, "'%s' holds a NUL byte: is it an ovh.conf file?", path);
		goto out;
	}
	if (ini_parse(ini, path, sb.buf, &secrets, err) < 0)
		goto out;
	if (secrets && (st.st_mode & (S_IRGRP | S_IROTH)))
		diag_add(d, "'%s' holds API secrets and can be read by group or others "
			 "(mode %04o): run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 07777), path);
	rc = 0;
out:
	if (sb.alloc)
		explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	close(fd);
	return rc;
}

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
	struct ini ini = { NULL, 0, 0 };
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
		if (ini_read(&ini, paths[i], false, d, err) < 0)
			goto out;
	if (src->config && ini_read(&ini, src->config, true, d, err) < 0)
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
