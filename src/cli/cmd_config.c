/* cmd_config.c - fpkit config: the effective settings of fpkit.conf and
 * where each came from */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "error.h"
#include "fpkitconf.h"
#include "textsafe.h"

static const char usage_text[] =
	"usage: fpkit [--config FILE] config [--json | --get KEY]\n"
	"\n"
	"Print the settings of the fpkit.conf files (/etc/fpkit/fpkit.conf, then\n"
	"~/.config/fpkit/fpkit.conf, then fpkit --config FILE) that the commands take\n"
	"as their defaults, and where each came from.\n"
	"\n"
	"  --json      print one JSON object instead\n"
	"  --get KEY   print KEY's values, one a line (maillog: the files it names,\n"
	"              rotated files oldest first); exit status 1 when it is not set\n"
	"  -h, --help  show this help\n"
	"\n"
	"Keys: mail, maillog, archive, lang, template, dnsbl, endpoint, mta\n"
	"(fpkit.conf(5)).\n";

static const char *const level_names[] = { "system", "user", "given" };

static bool
key_known(const char *key)
{
	for (size_t i = 0; config_keys[i]; i++)
		if (strcmp(key, config_keys[i]) == 0)
			return true;
	return false;
}

/* Print s made safe for a terminal, then end. */
static void
put(const char *s, const char *end)
{
	char *safe = textsafe_visible(s, strlen(s));

	fputs(safe, stdout);
	fputs(end, stdout);
	free(safe);
}

/* The files a maillog value names (new strings). */
static char **
maillog_files(const struct config_value *v, size_t *nr)
{
	char **files = NULL;
	size_t alloc = 0;

	*nr = 0;
	for (size_t i = 0; i < v->nr; i++)
		config_expand_maillog(v->values[i], &files, nr, &alloc);
	return files;
}

static void
free_files(char **files, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(files[i]);
	free(files);
}

static void
print_text(const struct config *c)
{
	printf("# fpkit.conf files, lowest priority first:\n");
	for (int l = 0; l < CONFIG_NR_LEVELS; l++) {
		if (c->paths[l] == NULL)
			continue;
		printf("#   %s: ", level_names[l]);
		put(c->paths[l], c->read[l] ? " (read)\n" : " (not read)\n");
	}
	printf("[fpkit]\n");
	for (size_t k = 0; config_keys[k]; k++) {
		struct config_value v;

		config_lookup(c, config_keys[k], &v);
		if (v.from == NULL) {
			printf("# %s: not set\n", v.key);
			config_value_release(&v);
			continue;
		}
		printf("# %s: from ", v.key);
		put(v.from, "\n");
		for (size_t i = 0; i < v.nr; i++) {
			printf("%s = ", v.key);
			put(v.values[i], "\n");
		}
		if (strcmp(v.key, "maillog") == 0) {
			size_t nr;
			char **files = maillog_files(&v, &nr);

			for (size_t i = 0; i < nr; i++) {
				printf("#   --maillog ");
				put(files[i], "\n");
			}
			free_files(files, nr);
		}
		config_value_release(&v);
	}
}

static void
print_json(const struct config *c)
{
	json_t *o = json_object(), *files = json_array(), *settings = json_object();

	for (int l = 0; l < CONFIG_NR_LEVELS; l++) {
		if (c->paths[l] == NULL)
			continue;
		json_array_append_new(files, json_pack("{s:s, s:s, s:b}", "level", level_names[l],
						       "path", c->paths[l], "read", c->read[l]));
	}
	for (size_t k = 0; config_keys[k]; k++) {
		struct config_value v;
		json_t *s = json_object(), *values = json_array();

		config_lookup(c, config_keys[k], &v);
		for (size_t i = 0; i < v.nr; i++)
			json_array_append_new(values, json_string(v.values[i]));
		json_object_set_new(s, "values", values);
		json_object_set_new(s, "from", v.from ? json_string(v.from) : json_null());
		if (strcmp(v.key, "maillog") == 0) {
			size_t nr;
			char **list = maillog_files(&v, &nr);
			json_t *a = json_array();

			for (size_t i = 0; i < nr; i++)
				json_array_append_new(a, json_string(list[i]));
			json_object_set_new(s, "files", a);
			free_files(list, nr);
		}
		json_object_set_new(settings, v.key, s);
		config_value_release(&v);
	}
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "settings", settings);
	json_dumpf(o, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(o);
}

/* --get KEY: 0 when set, 1 when not. */
static int
print_get(const struct config *c, const char *key)
{
	struct config_value v;
	int rc = 0;

	config_lookup(c, key, &v);
	if (v.from == NULL) {
		rc = 1;
	} else if (strcmp(key, "maillog") == 0) {
		size_t nr;
		char **files = maillog_files(&v, &nr);

		for (size_t i = 0; i < nr; i++)
			put(files[i], "\n");
		free_files(files, nr);
	} else {
		for (size_t i = 0; i < v.nr; i++)
			put(v.values[i], "\n");
	}
	config_value_release(&v);
	return rc;
}

int
cmd_config(const struct config *c, int argc, char **argv, struct error *err)
{
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "get", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *get = NULL;
	bool json = false;
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 'g': get = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "config: '%s' needs a value: see "
					 "'fpkit config --help'", argv[optind - 1]);
		default:
			return cmd_bad_option("config", long_options, argv[optind - 1], err);
		}
	}
	if (optind < argc)
		return error_set(err, EX_USAGE, "config: unexpected argument '%s'", argv[optind]);
	if (json && get)
		return error_set(err, EX_USAGE, "config: --json or --get, not both");
	if (c == NULL)		/* only --help needs no configuration */
		return error_set(err, EX_SOFTWARE, "config: no configuration read");
	if (get) {
		if (!key_known(get))
			return error_set(err, EX_USAGE, "config: unknown key '%s': the keys are "
					 "mail, maillog, archive, lang, template, dnsbl, endpoint, "
					 "mta", get);
		return print_get(c, get);
	}
	if (json)
		print_json(c);
	else
		print_text(c);
	return 0;
}
