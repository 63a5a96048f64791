/* fpkitconf.h - fpkit.conf: the settings a site repeats (mail stores, mail
 * logs, the archive folder, the ticket's language and template, the
 * blocklists, the API endpoint, the MTA), and the options they give
 * each command (fpkit.conf(5)) */
#ifndef FPKIT_FPKITCONF_H
#define FPKIT_FPKITCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "ini.h"

struct diag;
struct error;

/* configure's sysconfdir (src/cli/cli.am). */
#ifndef FPKIT_SYSCONFDIR
#define FPKIT_SYSCONFDIR "/etc"
#endif

/* The three places, lowest priority first. */
enum config_level { CONFIG_SYSTEM, CONFIG_USER, CONFIG_GIVEN, CONFIG_NR_LEVELS };

struct config {
	struct ini ini;				/* every file's entries, in level order */
	char *paths[CONFIG_NR_LEVELS];		/* NULL: no such place (no --config) */
	bool read[CONFIG_NR_LEVELS];		/* the file was there and read */
};

#define CONFIG_INIT { INI_INIT, { NULL, NULL, NULL }, { false, false, false } }

/* One key's effective values and where they came from. */
struct config_value {
	const char *key;
	const char **values;	/* new array of borrowed strings (globs not expanded) */
	size_t nr;
	char *from;		/* "'FILE' line N", an environment variable, or NULL: not set */
};

/* Read the system file ($FPKIT_SYSTEM_CONF, or SYSCONFDIR/fpkit/fpkit.conf),
 * the user's ($XDG_CONFIG_HOME/fpkit/fpkit.conf, or
 * ~/.config/fpkit/fpkit.conf) and 'given' (fpkit --config FILE, may be
 * NULL: then $FPKIT_CONFIG if set), in that order.  A missing system or
 * user file is no error; a given one is (EX_NOINPUT).  Files are read as
 * ovh.conf is (ini.h: links not followed, owner and mode checked, with
 * warnings in d).  Keys are under [fpkit]; an unknown section or key, a
 * key twice that does not repeat, an empty value, an unknown lang,
 * endpoint or mta is an error naming the file and line (EX_CONFIG).
 * Returns 0, or -1 with err set. */
int config_load(struct config *c, const char *given, struct diag *d, struct error *err);

/* The effective setting of key: the values of the latest file that sets
 * it (a later file replaces the whole list of a repeatable key), or for
 * "lang" the language of LC_ALL, LC_MESSAGES or LANG when it is one
 * fpkit writes tickets in.  v->from is NULL when nothing sets it.  The
 * caller releases v (config_value_release). */
void config_lookup(const struct config *c, const char *key, struct config_value *v);
void config_value_release(struct config_value *v);

/* The keys, in the order fpkit config prints them; NULL-terminated. */
extern const char *const config_keys[];

/* The mail logs a "maillog" value names: a glob's matches, rotated files
 * oldest first (NAME.N by N going down, NAME-DATE by date, then NAME),
 * each compression suffix aside; a value without a match is kept as it
 * is (the command then says it does not exist).  New strings appended to
 * *out (*nr grows); returns how many were added. */
size_t config_expand_maillog(const char *pattern, char ***out, size_t *nr, size_t *alloc);

/* The argument vector of command argv[0] with the configured settings
 * put in as options before the ones given (so that a given option wins:
 * a later one replaces an earlier one; a list given replaces the list
 * configured).  *nargv is new (free it and the strings from index 1 to
 * *nr_owned with config_argv_free); the strings of argv are borrowed.
 * "fpkit scan --archive" (and unblock's) with no folder after it (last,
 * or before another option) takes the configured one; without one, it
 * is an error (EX_USAGE), not the next option taken as the folder.
 * Returns 0, or -1 with err set. */
struct config_argv {
	int argc;
	char **argv;
	size_t alloc_argv;
	char **owned;
	size_t nr_owned, alloc_owned;
};
int config_argv(const struct config *c, int argc, char **argv, struct config_argv *out,
		struct error *err);
void config_argv_free(struct config_argv *a);

void config_release(struct config *c);

/* fpkit config [--json] [--get KEY]: the effective settings and where
 * each came from. */
int cmd_config(const struct config *c, int argc, char **argv, struct error *err);

#endif
