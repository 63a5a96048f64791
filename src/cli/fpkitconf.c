/* fpkitconf.c - fpkit.conf: the settings a site repeats, read from the
 * system, the user's and a given file, and put in as options before the
 * ones the command line gives (fpkitconf.h) */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "fpkitconf.h"
#include "mta.h"
#include "ovhconf.h"
#include "ticket.h"
#include "xalloc.h"

const char *const config_keys[] = {
	"mail", "maillog", "archive", "lang", "template", "dnsbl", "endpoint", "mta", "exec",
	"posture", NULL,
};

#define CONFIG_KEY_NAMES "mail, maillog, archive, lang, template, dnsbl, endpoint, mta, exec, posture"

static bool
repeatable(const char *key)
{
	return strcmp(key, "mail") == 0 || strcmp(key, "maillog") == 0 ||
	       strcmp(key, "dnsbl") == 0;
}

static const struct ini_dialect config_dialect = {
	.kind = "fpkit.conf",
	.doc = "fpkit.conf(5)",
	.section_example = "[fpkit]",
	.section_hint = "put it under [fpkit]",
	.repeatable = repeatable,
};

/* Where each level's file is; NULL when the place cannot be named. */
static void
config_paths(struct config *c, const char *given)
{
	const char *sys = getenv("FPKIT_SYSTEM_CONF");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	/* FPKIT_SYSTEM_CONF names the system file instead (the tests point
	 * it at a file that does not exist, as FPKIT_SYSTEM_OVH_CONF). */
	c->paths[CONFIG_SYSTEM] = sys && *sys ? xstrdup(sys) :
				  xstrdup(FPKIT_SYSCONFDIR "/fpkit/fpkit.conf");
	/* The XDG Base Directory rule: a relative XDG_CONFIG_HOME is ignored. */
	if (xdg && *xdg == '/')
		c->paths[CONFIG_USER] = xasprintf("%s/fpkit/fpkit.conf", xdg);
	else if (home && *home)
		c->paths[CONFIG_USER] = xasprintf("%s/.config/fpkit/fpkit.conf", home);
	if (given == NULL && getenv("FPKIT_CONFIG") && *getenv("FPKIT_CONFIG"))
		given = getenv("FPKIT_CONFIG");
	if (given)
		c->paths[CONFIG_GIVEN] = xstrdup(given);
}

static bool
key_known(const char *key)
{
	for (size_t i = 0; config_keys[i]; i++)
		if (strcmp(key, config_keys[i]) == 0)
			return true;
	return false;
}

/* An endpoint as ovhconf reads it: a known name, or an http(s) URL
 * (checked further when the API is asked). */
static bool
endpoint_ok(const char *v)
{
	return ovhconf_endpoint_url(v) != NULL || strncmp(v, "https://", 8) == 0 ||
	       strncmp(v, "http://", 7) == 0;
}

/* Every entry from index 'first' on: a known key under [fpkit], with a
 * value that the option it becomes would take. */
static int
check_entries(const struct ini *ini, size_t first, struct error *err)
{
	for (size_t i = first; i < ini->nr; i++) {
		const struct ini_entry *e = &ini->items[i];

		if (strcmp(e->section, "fpkit") != 0)
			return error_set(err, EX_CONFIG, "'%s' line %zu: unknown section [%s]: "
					 "fpkit.conf has one section, [fpkit] (see fpkit.conf(5))",
					 e->file, e->line, e->section);
		if (!key_known(e->key))
			return error_set(err, EX_CONFIG, "'%s' line %zu: unknown key '%s': the keys "
					 "are " CONFIG_KEY_NAMES " (see fpkit.conf(5))", e->file,
					 e->line, e->key);
		if (*e->value == '\0')
			return error_set(err, EX_CONFIG, "'%s' line %zu: key '%s' has no value: "
					 "give one, or remove the line", e->file, e->line, e->key);
		if (strcmp(e->key, "lang") == 0 && !ticket_lang_known(e->value))
			return error_set(err, EX_CONFIG, "'%s' line %zu: no ticket in language "
					 "'%s' (known: " TICKET_LANGS ")", e->file, e->line, e->value);
		if (strcmp(e->key, "mta") == 0 && !mta_known(e->value))
			return error_set(err, EX_CONFIG, "'%s' line %zu: mta is one of " MTA_NAMES
					 ", not '%s'", e->file, e->line, e->value);
		if (strcmp(e->key, "posture") == 0 && strcmp(e->value, "yes") != 0 &&
		    strcmp(e->value, "no") != 0)
			return error_set(err, EX_CONFIG, "'%s' line %zu: posture is yes or no, not "
					 "'%s'", e->file, e->line, e->value);
		if (strcmp(e->key, "endpoint") == 0 && !endpoint_ok(e->value))
			return error_set(err, EX_CONFIG, "'%s' line %zu: unknown endpoint '%s': "
					 "a name such as ovh-eu, or an https:// base URL", e->file,
					 e->line, e->value);
	}
	return 0;
}

int
config_load(struct config *c, const char *given, struct diag *d, struct error *err)
{
	config_paths(c, given);
	for (int l = 0; l < CONFIG_NR_LEVELS; l++) {
		size_t first = c->ini.nr, files = c->ini.files_read;

		if (c->paths[l] == NULL)
			continue;
		if (ini_read(&c->ini, &config_dialect, c->paths[l], l == CONFIG_GIVEN, d, err) < 0)
			return -1;
		c->read[l] = c->ini.files_read > files;
		if (check_entries(&c->ini, first, err) < 0)
			return -1;
	}
	return 0;
}

/* The language of the locale's messages, when fpkit writes tickets in
 * it: POSIX's order, LC_ALL, LC_MESSAGES, LANG ("fr_FR.UTF-8" -> fr). */
static char *
locale_lang(const char **var)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		char *lang;
		size_t n;

		if (v == NULL || *v == '\0')
			continue;
		n = strcspn(v, "_.@");
		lang = xstrndup(v, n);
		if (ticket_lang_known(lang)) {
			*var = vars[i];
			return lang;
		}
		free(lang);
		return NULL;	/* the first set one decides, as for the locale */
	}
	return NULL;
}

void
config_lookup(const struct config *c, const char *key, struct config_value *v)
{
	const struct ini_entry *last = ini_get(&c->ini, "fpkit", key);
	size_t alloc = 0;

	memset(v, 0, sizeof(*v));
	v->key = key;
	if (last == NULL) {
		/* Lives as long as the process: values are borrowed. */
		static char *lang;
		static const char *var;

		if (strcmp(key, "lang") == 0 && (lang || (lang = locale_lang(&var)) != NULL)) {
			v->values = xgrow(NULL, 1, &alloc, sizeof(*v->values));
			v->values[v->nr++] = lang;
			v->from = xstrdup(var);
		}
		return;
	}
	/* The latest file's whole list: a later file replaces it. */
	for (size_t i = 0; i < c->ini.nr; i++) {
		const struct ini_entry *e = &c->ini.items[i];

		if (e->file != last->file || strcmp(e->key, key) != 0)
			continue;
		if (!repeatable(key) && e != last)
			continue;
		v->values = xgrow(v->values, v->nr + 1, &alloc, sizeof(*v->values));
		v->values[v->nr++] = e->value;
		if (v->from == NULL)
			v->from = xasprintf("'%s' line %zu", e->file, e->line);
	}
}

void
config_value_release(struct config_value *v)
{
	free(v->values);
	free(v->from);
	memset(v, 0, sizeof(*v));
}

/* --- mail logs: a glob, rotated files oldest first ----------------------- */

struct rotated {
	const char *name;
	size_t stem;		/* length of the name without rotation and compression */
	int kind;		/* 0: NAME.N, 1: NAME-DATE, 2: NAME itself (the newest) */
	unsigned long long n;
};

static void
rotated_parse(struct rotated *r, const char *name)
{
	static const char *const zips[] = { ".gz", ".xz", ".bz2", ".zst", ".Z" };
	size_t len = strlen(name), digits = 0;

	r->name = name;
	for (size_t i = 0; i < sizeof(zips) / sizeof(zips[0]); i++) {
		size_t z = strlen(zips[i]);

		if (len > z && strcmp(name + len - z, zips[i]) == 0) {
			len -= z;
			break;
		}
	}
	while (digits < len && digits < 20 && name[len - digits - 1] >= '0' &&
	       name[len - digits - 1] <= '9')
		digits++;
	r->kind = 2;
	r->stem = len;
	r->n = 0;
	if (digits && digits < len &&
	    (name[len - digits - 1] == '.' || (name[len - digits - 1] == '-' && digits >= 8))) {
		r->kind = name[len - digits - 1] == '.' ? 0 : 1;
		r->stem = len - digits - 1;
		r->n = strtoull(name + len - digits, NULL, 10);
	}
}

static int
rotated_cmp(const void *pa, const void *pb)
{
	const struct rotated *a = pa, *b = pb;
	size_t n = a->stem < b->stem ? a->stem : b->stem;
	int d = strncmp(a->name, b->name, n);

	if (d || a->stem != b->stem)
		return d ? d : (a->stem < b->stem ? -1 : 1);
	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->n != b->n)	/* NAME.N: the greatest N is the oldest; NAME-DATE: the least */
		return (a->kind == 0) == (a->n > b->n) ? -1 : 1;
	return strcmp(a->name, b->name);
}

size_t
config_expand_maillog(const char *pattern, char ***out, size_t *nr, size_t *alloc)
{
	struct rotated *r;
	glob_t g;
	size_t added = 0;

	if (glob(pattern, GLOB_ERR, NULL, &g) != 0 || g.gl_pathc == 0) {
		globfree(&g);
		*out = xgrow(*out, *nr + 1, alloc, sizeof(**out));
		(*out)[(*nr)++] = xstrdup(pattern);
		return 1;
	}
	r = xgrow(NULL, g.gl_pathc, &(size_t){ 0 }, sizeof(*r));
	for (size_t i = 0; i < g.gl_pathc; i++)
		rotated_parse(&r[i], g.gl_pathv[i]);
	qsort(r, g.gl_pathc, sizeof(*r), rotated_cmp);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		*out = xgrow(*out, *nr + 1, alloc, sizeof(**out));
		(*out)[(*nr)++] = xstrdup(r[i].name);
		added++;
	}
	free(r);
	globfree(&g);
	return added;
}

/* --- the options each command takes from the configuration ---------------- */

/* For command cmd, key becomes option, unless one of 'unless' is given
 * (the option itself: a list given replaces the configured one), and,
 * when only_with[0] is set, only when one of only_with is given (the
 * option is refused without it). */
static const struct inject {
	const char *cmd, *key, *option;
	const char *unless[4];
	const char *only_with[5];
} injects[] = {
	{ "pack", "mail", "--mail", { "--mail" }, { NULL } },
	{ "pack", "maillog", "--maillog", { "--maillog" }, { NULL } },
	{ "pack", "lang", "--lang", { "--lang" }, { NULL } },
	{ "pack", "template", "--template", { "--template" }, { NULL } },
	{ "pack", "endpoint", "--endpoint", { "--endpoint" }, { NULL } },
	{ "pack", "mta", "--mta", { "--mta" }, { "--queue", "--queue-messages" } },
	{ "scan", "mail", "--mail", { "--mail" }, { "--archive" } },
	{ "scan", "maillog", "--maillog", { "--maillog" }, { "--archive" } },
	{ "scan", "lang", "--lang", { "--lang" }, { "--archive" } },
	{ "scan", "endpoint", "--endpoint", { "--endpoint" }, { NULL } },
	{ "scan", "exec", "--exec", { "--exec" }, { "--archive" } },
	{ "queue", "maillog", "--maillog", { "--maillog" },
	  { "--ip", "--spam-ip-json", "--stats-json", "--alert" } },
	{ "queue", "mta", "--mta", { "--mta" }, { NULL } },
	{ "queue", "endpoint", "--endpoint", { "--endpoint" }, { NULL } },
	{ "unblock", "archive", "--archive", { "--archive", "--bundle", "--no-evidence" }, { NULL } },
	{ "unblock", "mta", "--mta", { "--mta" }, { NULL } },
	{ "unblock", "endpoint", "--endpoint", { "--endpoint" }, { NULL } },
	{ "pack", "posture", "--posture", { "--posture", "--no-dns" }, { NULL } },
	{ "pack", "dnsbl", "--dnsbl", { "--dnsbl" }, { "--posture" } },
	{ "posture", "dnsbl", "--dnsbl", { "--dnsbl" }, { NULL } },
	{ "posture", "lang", "--lang", { "--lang" }, { NULL } },
};

/* Is option given, as "--name" or "--name=value", before any "--"?
 * getopt_long takes an abbreviation ("--exe" for "--exec") as the option
 * it begins: so does this (an ambiguous one is getopt's error). */
static bool
given(int argc, char **argv, const char *option)
{
	for (int i = 1; i < argc; i++) {
		size_t n = strcspn(argv[i], "=");

		if (strcmp(argv[i], "--") == 0)
			break;
		if (n > 2 && strncmp(argv[i], "--", 2) == 0 && n <= strlen(option) &&
		    strncmp(argv[i], option, n) == 0)
			return true;
	}
	return false;
}

static bool
any_given(int argc, char **argv, const char *const *options, size_t max)
{
	for (size_t i = 0; i < max && options[i]; i++)
		if (given(argc, argv, options[i]))
			return true;
	return false;
}

static void
push(struct config_argv *a, char *s, bool owned)
{
	a->argv = xgrow(a->argv, (size_t)a->argc + 2, &a->alloc_argv, sizeof(*a->argv));
	a->argv[a->argc++] = s;
	a->argv[a->argc] = NULL;
	if (owned) {
		a->owned = xgrow(a->owned, a->nr_owned + 1, &a->alloc_owned, sizeof(*a->owned));
		a->owned[a->nr_owned++] = s;
	}
}

static void
put_key(const struct config *c, const struct inject *in, struct config_argv *a)
{
	struct config_value v;

	config_lookup(c, in->key, &v);
	for (size_t i = 0; i < v.nr; i++) {
		/* A switch: "yes" gives the option alone (the last line
		 * of the files decides). */
		if (strcmp(in->key, "posture") == 0) {
			if (i + 1 == v.nr && strcmp(v.values[i], "yes") == 0)
				push(a, (char *)in->option, false);
			continue;
		}
		if (strcmp(in->key, "maillog") == 0) {
			char **files = NULL;
			size_t nr = 0, alloc = 0;

			config_expand_maillog(v.values[i], &files, &nr, &alloc);
			for (size_t j = 0; j < nr; j++) {
				push(a, (char *)in->option, false);
				push(a, files[j], true);
			}
			free(files);
			continue;
		}
		push(a, (char *)in->option, false);
		push(a, xstrdup(v.values[i]), true);
	}
	config_value_release(&v);
}

/* Does fpkit.conf turn pack's posture on (posture = yes, and neither
 * --posture nor --no-dns given)? */
static bool
posture_on(const struct config *c, int argc, char **argv)
{
	struct config_value v;
	bool on;

	if (given(argc, argv, "--posture") || given(argc, argv, "--no-dns"))
		return false;
	config_lookup(c, "posture", &v);
	on = v.nr && strcmp(v.values[v.nr - 1], "yes") == 0;
	config_value_release(&v);
	return on;
}

int
config_argv(const struct config *c, int argc, char **argv, struct config_argv *out,
	    struct error *err)
{
	const char *cmd = argv[0];

	memset(out, 0, sizeof(*out));
	push(out, argv[0], false);
	for (size_t i = 0; i < sizeof(injects) / sizeof(injects[0]); i++) {
		const struct inject *in = &injects[i];

		if (strcmp(in->cmd, cmd) != 0 || any_given(argc, argv, in->unless, 4))
			continue;
		if (in->only_with[0] && !any_given(argc, argv, in->only_with, 5) &&
		    !(strcmp(in->only_with[0], "--posture") == 0 && posture_on(c, argc, argv)))
			continue;
		/* OVH_ENDPOINT comes before the files, as it does before ovh.conf's. */
		if (strcmp(in->key, "endpoint") == 0 && getenv("OVH_ENDPOINT") &&
		    *getenv("OVH_ENDPOINT"))
			continue;
		put_key(c, in, out);
	}
	for (int i = 1; i < argc; i++) {
		push(out, argv[i], false);
		/* "--archive" with no folder after it: the configured one. */
		if ((strcmp(cmd, "scan") == 0 || strcmp(cmd, "unblock") == 0 ||
		     strcmp(cmd, "report") == 0) &&
		    strcmp(argv[i], "--archive") == 0 && (i + 1 == argc || argv[i + 1][0] == '-')) {
			const struct ini_entry *e = ini_get(&c->ini, "fpkit", "archive");

			/* Not the next option taken as the folder. */
			if (e == NULL) {
				config_argv_free(out);
				return error_set(err, EX_USAGE, "%s: --archive needs a folder: give "
						 "one, or set archive in fpkit.conf", cmd);
			}
			push(out, xstrdup(e->value), true);
		}
		if (strcmp(argv[i], "--") == 0) {
			while (++i < argc)
				push(out, argv[i], false);
			break;
		}
	}
	return 0;
}

void
config_argv_free(struct config_argv *a)
{
	for (size_t i = 0; i < a->nr_owned; i++)
		free(a->owned[i]);
	free(a->owned);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}

void
config_release(struct config *c)
{
	ini_release(&c->ini);
	for (int l = 0; l < CONFIG_NR_LEVELS; l++)
		free(c->paths[l]);
	memset(c, 0, sizeof(*c));
}
