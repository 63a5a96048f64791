/* ini.c - the INI files fpkit reads (ovh.conf, fpkit.conf): Python's
 * RawConfigParser dialect, read from a file opened without following a
 * link and judged by what was opened (ini.h) */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "fpkit_limits.h"
#include "ini.h"
#include "strbuf.h"
#include "xalloc.h"

/* A key as a message shows it. */
static const char *
shown(const struct ini_dialect *dl, const char *key)
{
	return dl->shown_key ? dl->shown_key(key) : key;
}

void
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

const struct ini_entry *
ini_get(const struct ini *ini, const char *section, const char *key)
{
	for (size_t i = ini->nr; i-- > 0;)
		if (strcmp(ini->items[i].section, section) == 0 &&
		    strcmp(ini->items[i].key, key) == 0)
			return &ini->items[i];
	return NULL;
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
ini_parse(struct ini *ini, const struct ini_dialect *dl, const char *file, char *buf,
	  bool *secrets, struct error *err)
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
				  "%s file?", file, lineno, FPKIT_LIMIT_OVHCONF_LINE, dl->kind);
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
					  "'[name]', such as %s: fix the line", file, lineno,
					  dl->section_example);
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
				  "'[section]': fix the line (%s shows an %s file)", file,
				  lineno, dl->doc, dl->kind);
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
				  "[section]: %s", file, lineno, shown(dl, key), dl->section_hint);
			goto out;
		}
		for (size_t i = first; i < ini->nr && !(dl->repeatable && dl->repeatable(key)); i++) {
			if (strcmp(ini->items[i].section, section) == 0 &&
			    strcmp(ini->items[i].key, key) == 0) {
				error_set(err, EX_CONFIG, "'%s' line %zu: key '%s' appears twice "
					  "in section [%s] (first on line %zu): keep one", file,
					  lineno, shown(dl, key), section, ini->items[i].line);
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
		if (dl->is_secret && dl->is_secret(key) && *value)
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
int
ini_read(struct ini *ini, const struct ini_dialect *dl, const char *path, bool required,
	 struct diag *d, struct error *err)
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
					 "the path of an %s file you can read", path,
					 strerror(errno), dl->kind);
		if (errno != ENOENT && errno != ENOTDIR)
			diag_add(d, "cannot read '%s': %s: skipped", path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (required)
			error_set(err, EX_NOINPUT, "--config '%s' is not a file: give the path "
				  "of an %s file", path, dl->kind);
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
			error_set(err, EX_CONFIG, "'%s' is larger than %d bytes: is it an %s "
				  "file?", path, FPKIT_LIMIT_OVHCONF_FILE, dl->kind);
			goto out;
		}
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		error_set(err, EX_CONFIG, "'%s' holds a NUL byte: is it an %s file?", path,
			  dl->kind);
		goto out;
	}
	if (ini_parse(ini, dl, path, sb.buf, &secrets, err) < 0)
		goto out;
	if (secrets && (st.st_mode & (S_IRGRP | S_IROTH)))
		diag_add(d, "'%s' holds API secrets and can be read by group or others "
			 "(mode %04o): run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 07777), path);
	ini->files_read++;
	rc = 0;
out:
	if (sb.alloc)
		explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	close(fd);
	return rc;
}
