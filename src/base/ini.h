/* ini.h - the INI files fpkit reads (ovh.conf, fpkit.conf): one dialect,
 * one way of opening them */
#ifndef FPKIT_INI_H
#define FPKIT_INI_H

#include <stdbool.h>
#include <stddef.h>

struct diag;
struct error;

/* One "key = value" of one file. */
struct ini_entry {
	const char *file;	/* borrowed from the caller's path */
	size_t line;
	char *section;
	char *key;		/* lower-cased */
	char *value;
};

/* The entries of the files read, in file order then line order. */
struct ini {
	struct ini_entry *items;
	size_t nr, alloc;
	size_t files_read;	/* files read whole (not skipped) */
};

#define INI_INIT { NULL, 0, 0, 0 }

/* What differs between the files read in this dialect. */
struct ini_dialect {
	const char *kind;	/* "ovh.conf": in messages ("is it an ovh.conf file?") */
	const char *doc;	/* the page that shows one, e.g. "fpkit(1)" */
	const char *section_example;	/* "[ovh-eu]" */
	/* What to say of a key written before any section. */
	const char *section_hint;
	/* A key as a message may show it (a broken line may hold a secret
	 * where a key should be); NULL: the key itself. */
	const char *(*shown_key)(const char *key);
	/* A key whose value is a secret: its file should not be readable
	 * by group or others (a warning); NULL: none. */
	bool (*is_secret)(const char *key);
	/* A key that may appear more than once in a section, each time
	 * adding a value; NULL: none (a key twice is an error). */
	bool (*repeatable)(const char *key);
};

/* Read the file 'path' into ini, in the dialect of Python's
 * RawConfigParser (python-ovh's reader): "[section]" lines, "key =
 * value" or "key: value" (the first '=' or ':' splits), keys
 * lower-cased, values trimmed and taken literally, whole-line comments
 * starting with '#' or ';'.  A key before any section, a section or a
 * (not repeatable) key twice in one file, an indented line (a
 * continuation) and a line that is neither are errors (EX_CONFIG,
 * naming the file and the line); so are a file larger than
 * FPKIT_LIMIT_OVHCONF_FILE, a line longer than FPKIT_LIMIT_OVHCONF_LINE
 * and a NUL byte.
 * The file is opened without following a symbolic link and judged by
 * what was opened.  'required' (given with --config): a file that does
 * not exist, is a link or is not a regular file is an error
 * (EX_NOINPUT).  Otherwise such a file is skipped, silently when it
 * does not exist, with a warning in d when it is a link, not a file,
 * cannot be read, is owned by neither the user nor root or can be
 * written by group or others.  A file holding a secret that group or
 * others can read gets a warning only.  Values of secret keys are wiped
 * by ini_release.  Returns 0, or -1 with err set. */
int ini_read(struct ini *ini, const struct ini_dialect *dl, const char *path, bool required,
	     struct diag *d, struct error *err);

/* The latest entry for section/key (later files win), or NULL. */
const struct ini_entry *ini_get(const struct ini *ini, const char *section, const char *key);

void ini_release(struct ini *ini);

#endif
