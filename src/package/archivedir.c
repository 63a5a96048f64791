/* archivedir.c - fpkit scan --archive: one bundle per block event in a
 * folder, an index of them, a lock, and the repairs of a stopped run
 *
 * A bundle appears whole under its name or not at all (outfile.c), and
 * only then is its index line appended, with one write(2).  So a run
 * stopped at any point leaves at worst a temporary file, a bundle
 * without its line, or a cut last line; the next run, under the lock,
 * removes the first, adds the second and drops the third before it does
 * anything else.  The index is the only file ever rewritten, and only
 * through a temporary file and a rename; a bundle is never touched once
 * written. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "archivedir.h"
#include "digest.h"
#include "fpkit.h"
#include "fpkit_limits.h"
#include "hook.h"
#include "netaddr.h"
#include "outfile.h"
#include "ovhapi.h"
#include "ovhclient.h"
#include "pack.h"
#include "reporthtml.h"
#include "s3archive.h"
#include "strbuf.h"
#include "ticket.h"
#include "timefmt.h"
#include "verify.h"
#include "xalloc.h"

/* The bucket and the hooks, at the end of this file. */
static int archive_host(struct archive_dir *a, struct error *err);
static int open_bucket(struct archive_dir *a, struct error *err);
static int add_to_bucket(struct archive_dir *a, const struct archive_event *ev,
			 struct ovh *api, struct archive_dir_result *r);
static json_t *hook_prepare(struct archive_dir *a, const struct archive_event *ev,
			    struct archive_dir_result *r, const char *key, json_t *facts);
static void hook_after(struct archive_dir *a, struct archive_dir_result *r, json_t *event);

static const char **
push(const char **list, size_t *nr, size_t *alloc, const char *s)
{
	list = xgrow(list, *nr + 1, alloc, sizeof(*list));
	list[(*nr)++] = s;
	return list;
}

int
archive_dir_option(struct archive_dir_options *o, const char *cmd, int opt, const char *arg,
		   struct error *err)
{
	char *end;
	long v;

	switch (opt) {
	case ARCHIVE_DIR_OPT_ARCHIVE:
		if (*arg == '\0')
			return error_set(err, EX_USAGE, "%s: --archive needs a folder", cmd);
		o->dir = arg;
		return 1;
	case ARCHIVE_DIR_OPT_MAIL:
		o->mail = push(o->mail, &o->nr_mail, &o->alloc_mail, arg);
		break;
	case ARCHIVE_DIR_OPT_MAILLOG:
		o->maillog = push(o->maillog, &o->nr_maillog, &o->alloc_maillog, arg);
		break;
	case ARCHIVE_DIR_OPT_LANG:
		if (!ticket_lang_known(arg))
			return error_set(err, EX_USAGE, "%s: no ticket in language '%s' (known: "
					 TICKET_LANGS ")", cmd, arg);
		o->lang = arg;
		break;
	case ARCHIVE_DIR_OPT_BEFORE_BLOCK:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (*arg == '\0' || *end || v < 1 || v > 10000 || errno)
			return error_set(err, EX_USAGE, "%s: --before-block takes a number of "
					 "messages from 1 to 10000, not '%s'", cmd, arg);
		o->before_block = (size_t)v;
		break;
	case ARCHIVE_DIR_OPT_DKIM_KEYS: o->dkim_keys = arg; break;
	case ARCHIVE_DIR_OPT_NO_DKIM: o->no_dkim = true; break;
	case ARCHIVE_DIR_OPT_UNSAFE_OK: o->unsafe_ok = true; break;
	case ARCHIVE_DIR_OPT_HOST:
		if (!s3archive_host_ok(arg))
			return error_set(err, EX_USAGE, "%s: --host '%s' must be 1 to 63 of A-Z, "
					 "a-z, 0-9, '.', '_' and '-'", cmd, arg);
		o->host = arg;
		return 1;
	case ARCHIVE_DIR_OPT_RETAIN:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (*arg == '\0' || *end || v < 1 || v > 36500 || errno)
			return error_set(err, EX_USAGE, "%s: --retain takes a number of days from "
					 "1 to 36500, not '%s'", cmd, arg);
		o->retain_days = (int)v;
		if (o->lock_mode == NULL)
			o->lock_mode = "GOVERNANCE";
		return 1;
	case ARCHIVE_DIR_OPT_LOCK_MODE:
		if (strcmp(arg, "governance") == 0 || strcmp(arg, "GOVERNANCE") == 0)
			o->lock_mode = "GOVERNANCE";
		else if (strcmp(arg, "compliance") == 0 || strcmp(arg, "COMPLIANCE") == 0)
			o->lock_mode = "COMPLIANCE";
		else
			return error_set(err, EX_USAGE, "%s: --lock-mode is governance or "
					 "compliance, not '%s'", cmd, arg);
		return 1;
	case ARCHIVE_DIR_OPT_EXEC:
		if (*arg == '\0')
			return error_set(err, EX_USAGE, "%s: --exec needs a command", cmd);
		o->exec = arg;
		return 1;
	case ARCHIVE_DIR_OPT_EXEC_TIMEOUT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (*arg == '\0' || *end || v < 1 || v > HOOK_MAX_TIMEOUT || errno)
			return error_set(err, EX_USAGE, "%s: --exec-timeout takes a number of "
					 "seconds from 1 to %d, not '%s'", cmd, HOOK_MAX_TIMEOUT, arg);
		o->exec_timeout = (int)v;
		return 1;
	default:
		return 0;
	}
	o->any_pack_option = true;
	return 1;
}

int
archive_dir_options_check(const struct archive_dir_options *o, const char *cmd,
			  struct error *err)
{
	if (o->dir == NULL && o->any_pack_option)
		return error_set(err, EX_USAGE, "%s: --mail, --maillog, --lang, --before-block, "
				 "--dkim-keys, --no-dkim and --archive-unsafe-ok go with --archive "
				 "DIR", cmd);
	if (o->dir == NULL && (o->host || o->retain_days || o->lock_mode || o->exec ||
			       o->exec_timeout))
		return error_set(err, EX_USAGE, "%s: --host, --retain, --lock-mode, --exec and "
				 "--exec-timeout go with --archive DIR", cmd);
	if (o->retain_days == 0 && o->lock_mode)
		return error_set(err, EX_USAGE, "%s: --lock-mode goes with --retain DAYS", cmd);
	if (o->retain_days && !archive_dir_is_bucket(o->dir))
		return error_set(err, EX_USAGE, "%s: --retain keeps objects in a bucket with S3 "
				 "Object Lock: it goes with --archive s3://BUCKET/PREFIX", cmd);
	if (o->exec_timeout && !o->exec)
		return error_set(err, EX_USAGE, "%s: --exec-timeout goes with --exec CMD", cmd);
	return 0;
}

bool
archive_dir_is_bucket(const char *dir)
{
	return s3url_is(dir);
}

void
archive_dir_options_release(struct archive_dir_options *o)
{
	free(o->mail);
	free(o->maillog);
	o->mail = o->maillog = NULL;
	o->nr_mail = o->alloc_mail = o->nr_maillog = o->alloc_maillog = 0;
}

void
archive_dir_result_release(struct archive_dir_result *r)
{
	free(r->bundle);
	json_decref(r->missing);
	diag_release(&r->warnings);
	memset(r, 0, sizeof(*r));
}

char *
archive_dir_bundle_name(const char *ip, int64_t date)
{
	char when[TIMEFMT_ISO_LEN];

	return xasprintf("fpkit-%s-%s.tar.gz", ip, timefmt_compact_utc(date, when));
}

/* The IP and the date of a bundle's file name, when it is one that
 * archive_dir_bundle_name gives (and gives back the same). */
static bool
parse_name(const char *name, char ip[16], int64_t *date)
{
	static const char suffix[] = ".tar.gz";
	size_t len = strlen(name), n;
	const char *d;
	char iso[32], *again;
	bool same;

	if (len < 6 + 7 + 1 + 16 + 7 || strncmp(name, "fpkit-", 6) != 0 ||
	    strcmp(name + len - 7, suffix) != 0)
		return false;
	d = name + len - 7 - 16;	/* YYYYMMDDTHHMMSSZ */
	if (d[-1] != '-')
		return false;
	n = (size_t)(d - 1 - (name + 6));
	if (n < 7 || n > 15)
		return false;
	memcpy(ip, name + 6, n);
	ip[n] = '\0';
	if (!netaddr_is_ipv4(ip))
		return false;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", d, d + 4, d + 6, d + 9,
		 d + 11, d + 13);
	if (timefmt_parse_iso(iso, date) < 0)
		return false;
	again = archive_dir_bundle_name(ip, *date);
	same = strcmp(again, name) == 0;
	free(again);
	return same;
}

/* A temporary file outfile.c leaves when a run is stopped: ".NAME.XXXXXX"
 * for a bundle, the index or its page. */
static bool
is_leftover(const char *name)
{
	size_t len = strlen(name);
	char ip[16];
	int64_t date;
	char *base;
	bool ok;

	if (name[0] != '.' || len < 8 || name[len - 7] != '.')
		return false;
	base = xstrndup(name + 1, len - 8);
	ok = strcmp(base, ARCHIVE_DIR_INDEX) == 0 || strcmp(base, REPORTHTML_INDEX) == 0 ||
	     parse_name(base, ip, &date);
	free(base);
	return ok;
}

static char *
path_in(const struct archive_dir *a, const char *name)
{
	return xasprintf("%s/%s", a->dir, name);
}

/* The SHA-256 of a whole file. */
static int
file_sha256(const char *path, char sha[DIGEST_HEX_SIZE], int64_t *mtime, struct error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return error_set(err, EX_IOERR, "cannot read '%s': %s", path, strerror(errno));
	if (mtime)
		*mtime = st.st_mtime;
	return digest_file_range(path, 0, st.st_size, sha, NULL, NULL, err);
}

json_t *
archive_dir_missing(json_t *summary_missing)
{
	json_t *out = json_array(), *v;
	size_t i, len = 0;

	json_array_foreach(summary_missing, i, v) {
		const char *id = json_string_value(v);

		if (id == NULL)
			continue;
		/* Each id costs its length, two quotes and a comma (and
		 * maybe escapes: the half line leaves room for them). */
		len += strlen(id) + 3;
		if (len > FPKIT_LIMIT_INDEX_LINE / 2)
			break;
		json_array_append(out, v);
	}
	return out;
}

/* One index line, ended by a newline (new); missing is borrowed, NULL
 * for none. */
static char *
index_line(const char *ip, const char *block, int64_t date, const char *bundle,
	   const char *sha, int64_t archived_at, json_t *missing, const char *host)
{
	char d[TIMEFMT_ISO_LEN], at[TIMEFMT_ISO_LEN];
	json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o}",
			      "ip", ip,
			      "block", block ? json_string(block) : json_null(),
			      "date", timefmt_iso_utc(date, d),
			      "bundle", bundle,
			      "sha256", sha,
			      "archived_at", timefmt_iso_utc(archived_at, at),
			      "missing", missing ? json_incref(missing) : json_array());
	char *s, *line;

	/* Lines of bundles adopted after a stopped run have no host. */
	if (host)
		json_object_set_new(o, "host", json_string(host));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	line = xasprintf("%s\n", s ? s : "{}");

	free(s);
	json_decref(o);
	return line;
}

/* Whether a bundle the index does not list may be added to it: it must
 * pass the checks of 'fpkit verify' (a file named like a bundle may have
 * been put there by someone else, or damaged), and its top folder be
 * named after it.  When it may, *block is the block its summary.json
 * records (new) or NULL, and *missing its index line's "missing"
 * (new); when it may not, *why completes the warning "'NAME' ..." (new). */
static bool
bundle_adoptable(const char *path, const char *top, char **block, json_t **missing,
		 char **why)
{
	struct error err = ERROR_INIT;
	struct verify_result res;
	struct diag problems = DIAG_INIT;
	json_t *b;
	bool ok = false;

	*block = NULL;
	*missing = NULL;
	*why = NULL;
	if (verify_bundle(path, &res, &problems, &err) < 0) {
		*why = xasprintf("fails 'fpkit verify': left alone, not listed in the index: %s",
				 err.msg);
		goto out;
	}
	if (res.nr_problems) {
		char more[64] = "";

		if (res.nr_problems > 1)
			snprintf(more, sizeof(more), " (and %lu more problem%s)",
				 res.nr_problems - 1, res.nr_problems == 2 ? "" : "s");
		*why = xasprintf("fails 'fpkit verify': left alone, not listed in the index: %s%s",
				 problems.items[0], more);
		goto out;
	}
	/* (A bundle without problems has a top folder.) */
	if (res.top == NULL || strcmp(res.top, top) != 0) {
		*why = xasprintf("is not named after its top folder '%s': left alone, not listed "
				 "in the index", res.top ? res.top : "");
		goto out;
	}
	b = json_object_get(res.summary, "block");
	if (json_is_string(b) && netaddr_is_block(json_string_value(b)))
		*block = xstrdup(json_string_value(b));
	*missing = archive_dir_missing(json_object_get(res.summary, "missing"));
	ok = true;
out:
	verify_result_release(&res);
	diag_release(&problems);
	return ok;
}

/* Open 'path' with 'flags' (O_CREAT added), and when that creates it,
 * give it mode 0600 whatever the umask (as outfile.c does): under
 * umask 0277 open() would make it 0400, which the next run could not
 * open to write.  A file that exists keeps its mode.  The fd, or -1
 * with errno set. */
static int
open_0600(const char *path, int flags)
{
	int fd = open(path, flags | O_CREAT | O_EXCL, 0600);

	if (fd < 0 && errno == EEXIST)
		return open(path, flags);
	if (fd >= 0 && fchmod(fd, 0600) < 0) {
		int e = errno;

		close(fd);
		unlink(path);
		errno = e;
		return -1;
	}
	return fd;
}

/* Append one line with a single write(2): a reader never sees half of
 * it unless the disk fills, and then the next run drops it. */
static int
index_append(struct archive_dir *a, const char *line, struct error *err)
{
	size_t len = strlen(line);
	ssize_t n;
	int fd = open_0600(a->index, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return error_set(err, EX_CANTCREAT, "cannot open '%s': %s", a->index,
				 strerror(errno));
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len || (fsync(fd) < 0 && errno != EINVAL)) {
		error_set(err, EX_IOERR, "cannot write '%s': %s", a->index,
			  n < 0 || (size_t)n == len ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return error_set(err, EX_IOERR, "cannot write '%s': %s", a->index, strerror(errno));
	return 0;
}

/* The next line of f: its length (counting what did not fit), the first
 * 'size' bytes of it in buf, and whether it ends with a newline; -1 at
 * the end.  A line over the limit costs no memory (getline would hold it
 * whole). */
static ssize_t
index_line_read(FILE *f, char *buf, size_t size, bool *complete)
{
	size_t n = 0;
	int c;

	*complete = false;
	while ((c = getc(f)) != EOF) {
		if (n < size)
			buf[n] = (char)c;
		n++;
		if (c == '\n') {
			*complete = true;
			break;
		}
	}
	return n == 0 ? -1 : (ssize_t)n;
}

/* The lines of the index worth keeping: complete, an object naming a
 * bundle that is there, and the first to name it. */
static int
read_index(struct archive_dir *a, struct strbuf *keep, struct diag *d, struct error *err)
{
	/* Non-blocking: a FIFO planted there would hang every run; never
	 * through a symbolic link, which would make the index another
	 * file's lines. */
	int fd = open(a->index, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	FILE *f = NULL;
	char *line = NULL, too_long[64];
	size_t lineno = 0;
	bool complete;
	struct stat fst;
	ssize_t n;
	int rc = -1;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP)
			return error_set(err, EX_CANTCREAT, "archive: '%s' is a symbolic link: "
					 "move it away", a->index);
		return error_set(err, EX_IOERR, "cannot read '%s': %s", a->index, strerror(errno));
	}
	if (fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode)) {
		close(fd);
		return error_set(err, EX_CANTCREAT, "archive: '%s' is not a regular file: move "
				 "it away", a->index);
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return error_set(err, EX_IOERR, "cannot read '%s': %s", a->index, strerror(errno));
	}
	line = xmalloc(FPKIT_LIMIT_INDEX_LINE);
	snprintf(too_long, sizeof(too_long), "longer than the limit of %d bytes",
		 FPKIT_LIMIT_INDEX_LINE);
	while ((n = index_line_read(f, line, FPKIT_LIMIT_INDEX_LINE, &complete)) >= 0) {
		const char *why = NULL, *name = NULL;
		json_t *j = NULL;
		char ip[16];
		int64_t date;
		struct stat st;
		char *path = NULL;

		lineno++;
		/* (json_is_object evaluates its argument twice.) */
		if (complete && n <= FPKIT_LIMIT_INDEX_LINE)
			j = json_loadb(line, (size_t)n, 0, NULL);
		if (!complete)
			why = "cut short (a run was stopped while writing it)";
		else if (n > FPKIT_LIMIT_INDEX_LINE)
			why = too_long;
		else if (json_is_object(j) && (json_is_object(json_object_get(j, "unblock")) ||
					       json_is_object(json_object_get(j, "ticket")))) {
			/* archive_dir_record's: kept as it is */
		} else if (!json_is_object(j) || !json_is_string(json_object_get(j, "bundle")))
			why = "not an index line";
		else if (!parse_name(name = json_string_value(json_object_get(j, "bundle")),
				     ip, &date))
			why = "not a bundle name";
		else if (g_hash_table_contains(a->names, name))
			why = "a second line for the same bundle";
		else if (lstat(path = path_in(a, name), &st) < 0 || !S_ISREG(st.st_mode))
			why = "its bundle is not there";
		if (why) {
			/* Named up to a limit, then counted: the index
			 * has no size limit. */
			if (a->nr_dropped < FPKIT_LIMIT_INDEX_DROPPED)
				diag_add(d, "archive '%s': index line %zu dropped: %s%s%s", a->dir,
					 lineno, why, name ? ": " : "", name ? name : "");
			a->nr_dropped++;
		} else {
			if (name)
				g_hash_table_add(a->names, xstrdup(name));
			strbuf_add(keep, line, (size_t)n);
		}
		json_decref(j);
		free(path);
	}
	if (ferror(f)) {
		error_set(err, EX_IOERR, "cannot read '%s': %s", a->index, strerror(errno));
		goto out;
	}
	if (a->nr_dropped > FPKIT_LIMIT_INDEX_DROPPED) {
		size_t more = a->nr_dropped - FPKIT_LIMIT_INDEX_DROPPED;

		diag_add(d, "archive '%s': ... and %zu more index line%s dropped, not listed",
			 a->dir, more, more == 1 ? "" : "s");
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

static int
cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The folder's entries, sorted (new; NULL-terminated). */
static char **
list_dir(const char *dir, size_t *nr, struct error *err)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t alloc = 0;

	*nr = 0;
	if (dh == NULL) {
		error_set(err, EX_IOERR, "cannot read folder '%s': %s", dir, strerror(errno));
		return NULL;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dh)) == NULL)
			break;
		names = xgrow(names, *nr + 2, &alloc, sizeof(*names));
		names[(*nr)++] = xstrdup(de->d_name);
		names[*nr] = NULL;
	}
	if (errno != 0) {
		error_set(err, EX_IOERR, "cannot read folder '%s': %s", dir, strerror(errno));
		closedir(dh);
		for (size_t i = 0; i < *nr; i++)
			free(names[i]);
		free(names);
		*nr = 0;
		return NULL;
	}
	closedir(dh);
	if (*nr > 1)
		qsort(names, *nr, sizeof(*names), cmp_names);
	if (names == NULL)
		names = xcalloc(1, sizeof(*names));
	return names;
}

/* Bundles the index does not list, and temporary files left behind. */
static int
scan_dir(struct archive_dir *a, struct strbuf *added, struct diag *d, struct error *err)
{
	size_t nr;
	char **names = list_dir(a->dir, &nr, err);
	int rc = -1;

	if (names == NULL)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		const char *name = names[i];
		char *path = path_in(a, name), *top, *block, *line, *why;
		json_t *missing;
		char ip[16], sha[DIGEST_HEX_SIZE];
		struct stat st;
		int64_t date, mtime;

		if (is_leftover(name)) {
			/* Under the lock: no run of ours is writing it. */
			if (unlink(path) == 0) {
				diag_add(d, "archive '%s': removed '%s', left by a run that was stopped",
					 a->dir, name);
				a->nr_removed++;
			}
		} else if (parse_name(name, ip, &date) && !g_hash_table_contains(a->names, name) &&
			   lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			top = xstrndup(name, strlen(name) - 7);
			if (!bundle_adoptable(path, top, &block, &missing, &why)) {
				/* Not ours, or not as we wrote it: never
				 * touched, and its event fails (the name is
				 * taken) until someone looks. */
				diag_add(d, "archive '%s': '%s' %s", a->dir, name, why);
				free(why);
				free(top);
				free(path);
				continue;
			}
			free(top);
			if (file_sha256(path, sha, &mtime, err) < 0) {
				json_decref(missing);
				free(block);
				free(path);
				goto out;
			}
			line = index_line(ip, block, date, name, sha, mtime, missing, NULL);
			json_decref(missing);
			strbuf_addstr(added, line);
			g_hash_table_add(a->names, xstrdup(name));
			diag_add(d, "archive '%s': '%s' was not in the index (a run was stopped "
				 "before listing it): added", a->dir, name);
			a->nr_added++;
			free(line);
			free(block);
		}
		free(path);
	}
	rc = 0;
out:
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Write the index anew: the lines kept, then the lines added. */
static int
rewrite_index(struct archive_dir *a, const struct strbuf *keep, const struct strbuf *added,
	      struct error *err)
{
	struct outfile o;
	const struct strbuf *parts[2] = { keep, added };

	if (outfile_open(&o, a->index, err) < 0)
		return -1;
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k]->buf;
		size_t left = parts[k]->len;

		while (left > 0) {
			ssize_t n = write(o.fd, p, left);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				error_set(err, EX_IOERR, "cannot write '%s': %s", a->index,
					  strerror(errno));
				outfile_abort(&o);
				return -1;
			}
			p += n;
			left -= (size_t)n;
		}
	}
	return outfile_commit(&o, true, err);
}

/* --- the archive's page (index.html), written again whenever the index
 * changes; a page that cannot be written never fails the archiving:
 * the next run writes it (it is then older than the index). */

static void
write_page(struct archive_dir *a, struct diag *d)
{
	struct error err = ERROR_INIT;

	if (reporthtml_write_index(a->index, a->opt->lang, &err) < 0 && d)
		diag_add(d, "archive '%s': its page %s was not updated: %s", a->dir,
			 REPORTHTML_INDEX, err.msg);
}

/* Is the page missing, or older than the index (when there is one)? */
static bool
page_stale(const struct archive_dir *a)
{
	char *page = path_in(a, REPORTHTML_INDEX);
	struct stat p, i;
	bool stale = stat(a->index, &i) == 0 && (stat(page, &p) < 0 ||
		     p.st_mtim.tv_sec < i.st_mtim.tv_sec ||
		     (p.st_mtim.tv_sec == i.st_mtim.tv_sec && p.st_mtim.tv_nsec < i.st_mtim.tv_nsec));

	free(page);
	return stale;
}

/* Create the folder when missing (mode 0700 whatever the umask: under
 * umask 0277 mkdir would make it 0500, where nothing can be written),
 * refuse it when others could write there, and take the lock. */
static int
lock_dir(struct archive_dir *a, struct error *err)
{
	struct stat st;
	char *lock, *why;

	if (mkdir(a->dir, 0700) == 0) {
		if (chmod(a->dir, 0700) < 0)
			return error_set(err, EX_CANTCREAT, "archive: cannot set the mode of "
					 "folder '%s': %s", a->dir, strerror(errno));
	} else if (errno != EEXIST) {
		return error_set(err, EX_CANTCREAT, "archive: cannot create folder '%s': %s",
				 a->dir, strerror(errno));
	}
	if (stat(a->dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return error_set(err, EX_CANTCREAT, "archive: '%s' is not a folder", a->dir);
	/* Before anything is written there: whoever else can write there
	 * could plant bundles, take the lock or replace the index. */
	if (!a->opt->unsafe_ok && (why = outfile_dir_unsafe(a->dir)) != NULL) {
		error_set(err, EX_CANTCREAT, "archive: folder '%s' %s: other users could plant "
			  "or replace files there; make it yours and writable by you alone "
			  "(chown, chmod go-w), or give --archive-unsafe-ok", a->dir, why);
		free(why);
		return -1;
	}
	lock = path_in(a, ARCHIVE_DIR_LOCK);
	a->lock_fd = open_0600(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (a->lock_fd < 0) {
		error_set(err, EX_CANTCREAT, "archive: cannot open '%s': %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	if (flock(a->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			error_set(err, EX_TEMPFAIL, "archive: another fpkit is archiving into '%s' "
				  "(it holds '%s'): this run stops; the next one will go on", a->dir,
				  lock);
		else
			error_set(err, EX_CANTCREAT, "archive: cannot lock '%s': %s", lock,
				  strerror(errno));
		free(lock);
		return -1;
	}
	free(lock);
	return 0;
}

int
archive_dir_open(struct archive_dir *a, const struct archive_dir_options *opt,
		 struct diag *d, struct error *err)
{
	struct strbuf keep, added;
	size_t len;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	a->opt = opt;
	a->lock_fd = -1;
	if (archive_host(a, err) < 0)
		return -1;
	if (archive_dir_is_bucket(opt->dir))
		return open_bucket(a, err);
	len = strlen(opt->dir);
	while (len > 1 && opt->dir[len - 1] == '/')
		len--;
	a->dir = xstrndup(opt->dir, len);
	a->index = path_in(a, ARCHIVE_DIR_INDEX);
	a->names = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
	strbuf_init(&keep, STRBUF_NO_MAX);
	strbuf_init(&added, STRBUF_NO_MAX);
	if (lock_dir(a, err) < 0 || read_index(a, &keep, d, err) < 0 ||
	    scan_dir(a, &added, d, err) < 0)
		goto out;
	if ((a->nr_dropped || a->nr_added) && rewrite_index(a, &keep, &added, err) < 0)
		goto out;
	if (a->nr_dropped || a->nr_added || page_stale(a))
		write_page(a, d);
	rc = 0;
out:
	strbuf_release(&keep);
	strbuf_release(&added);
	return rc;
}

/* Run the pack pipeline on one event, into 'path'. */
static int
pack_event(struct archive_dir *a, const struct archive_event *ev, struct ovh *api,
	   const char *path, struct archive_dir_result *r, json_t **facts, struct error *err)
{
	const struct archive_dir_options *o = a->opt;
	struct fpkit fp;
	char *api_path = ovhapi_spam_ip_path(ev->block, ev->ip);
	char *source = xasprintf("GET %s", api_path);
	int rc = -1;

	pack_init(&fp);
	fp.ip = ev->ip;
	fp.block = ev->block;
	fp.output = path;
	if (o->lang)
		fp.lang = o->lang;
	fp.before_block = o->before_block;
	/* An event is archived whatever was found: the index says what
	 * is missing, and the run's status that evidence is lacking. */
	fp.allow_empty = true;
	fp.check_opt.dkim_keys = o->dkim_keys;
	fp.check_opt.no_dkim = o->no_dkim;
	/* pack_release frees the lists, not the strings. */
	for (size_t i = 0; i < o->nr_mail; i++)
		fp.mail = push(fp.mail, &fp.nr_mail, &fp.alloc_mail, o->mail[i]);
	for (size_t i = 0; i < o->nr_maillog; i++)
		fp.maillog = push(fp.maillog, &fp.nr_maillog, &fp.alloc_maillog, o->maillog[i]);
	/* The case as pack would fetch it, the SpamIp object being the one
	 * the scan read: only the stats are asked for. */
	case_set_ip(&fp.kase, ev->ip, ev->block);
	if (case_set_spamip(&fp.kase, ev->spamip, ev->spamip_len, source, err) < 0) {
		err->status = EX_PROTOCOL;
		goto out;
	}
	/* The tickets signed as pack signs its own. */
	if (!a->asked_me) {
		struct error e = ERROR_INIT;

		a->asked_me = true;
		if (ovhclient_nichandle(api, &a->nichandle, &e) < 0)
			a->me_error = xstrdup(e.msg);
	}
	if (a->me_error)
		diag_add(&fp.diag, "the account's NIC handle could not be read (%s): the "
			 "ticket's closing is left for you to fill", a->me_error);
	else
		fp.nichandle = xstrdup(a->nichandle);
	if (case_fetch(&fp.kase, api, 0, 0, err) < 0 || pack_run(&fp, err) < 0)
		goto out;
	r->nr_samples = fp.samples.nr;
	r->nr_missing += targets_missing(&fp.targets);
	r->missing = archive_dir_missing(json_object_get(fp.summary, "missing"));
	r->nothing_found = fp.nothing_found;
	*facts = json_pack("{s:s, s:o}", "state", fp.kase.spamip.state ? fp.kase.spamip.state
								    : "",
			   "summary", fp.summary ? json_incref(fp.summary) : json_object());
	rc = 0;
out:
	for (size_t i = 0; i < fp.diag.nr; i++)
		diag_add(&r->warnings, "%s", fp.diag.items[i]);
	pack_release(&fp);
	free(source);
	free(api_path);
	return rc;
}

int
archive_dir_add(struct archive_dir *a, const struct archive_event *ev, struct ovh *api,
		struct archive_dir_result *r)
{
	char *name = archive_dir_bundle_name(ev->ip, ev->date), *line;
	char sha[DIGEST_HEX_SIZE];
	json_t *facts = NULL, *hook = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (a->s3) {
		free(name);
		return add_to_bucket(a, ev, api, r);
	}
	r->bundle = path_in(a, name);
	if (g_hash_table_contains(a->names, name)) {
		r->outcome = ARCHIVE_DIR_PRESENT;
		free(name);
		return 0;
	}
	r->outcome = ARCHIVE_DIR_FAILED;
	if (pack_event(a, ev, api, r->bundle, r, &facts, &r->err) < 0) {
		struct stat st;

		/* pack's advice (-o, --force) does not apply here. */
		if (r->err.status == EX_CANTCREAT && lstat(r->bundle, &st) == 0)
			error_set(&r->err, EX_CANTCREAT, "'%s' already exists and is not in the "
				  "index: fpkit never replaces a file there; move it away to "
				  "archive this event", r->bundle);
		goto out;
	}
	if (file_sha256(r->bundle, sha, NULL, &r->err) < 0)
		goto out;
	/* The hook's marker before the index line: a run stopped in
	 * between leaves a bundle the next run adopts, and its hook. */
	hook = hook_prepare(a, ev, r, name, facts);
	line = index_line(ev->ip, ev->block, ev->date, name, sha, (int64_t)time(NULL),
			  r->missing, a->host);
	rc = index_append(a, line, &r->err);
	free(line);
	if (rc < 0)
		goto out;
	g_hash_table_add(a->names, xstrdup(name));
	r->outcome = ARCHIVE_DIR_ARCHIVED;
	a->page_due = true;	/* written once, at the end of the run */
	hook_after(a, r, hook);
out:
	json_decref(hook);
	json_decref(facts);
	free(name);
	return rc;
}

bool
archive_dir_has_bundle(const struct archive_dir *a, const char *ip, int64_t date,
		       char **path)
{
	char *name = archive_dir_bundle_name(ip, date);
	bool listed = g_hash_table_contains(a->names, name);

	if (a->s3) {
		char *key = s3archive_bundle_key(a->s3, ip, date);

		listed = s3archive_has(a->s3, ip, date);
		*path = listed ? xasprintf("s3://%s/%s", a->s3->url.bucket, key) : NULL;
		free(key);
		free(name);
		return listed;
	}
	*path = listed ? path_in(a, name) : NULL;
	free(name);
	return listed;
}

int
archive_dir_record(struct archive_dir *a, json_t *line, struct error *err)
{
	char *s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER), *text;
	int rc;

	if (a->s3)
		rc = error_set(err, EX_USAGE, "archive: a bucket keeps bundles alone: give "
			       "--archive a folder to record this");
	else if (s == NULL || !(json_is_object(json_object_get(line, "unblock")) ||
				json_is_object(json_object_get(line, "ticket"))))
		rc = error_set(err, EX_SOFTWARE, "archive: not a record line");
	else if (strlen(s) + 1 > FPKIT_LIMIT_INDEX_LINE)
		rc = error_set(err, EX_SOFTWARE, "archive: a record line over %d bytes",
			       FPKIT_LIMIT_INDEX_LINE);
	else {
		text = xasprintf("%s\n", s);
		rc = index_append(a, text, err);
		free(text);
		if (rc == 0)
			write_page(a, NULL);
	}
	free(s);
	return rc;
}

/* The bucket's events as the page links them: each bundle by its key
 * below the prefix, which is where the page is put. */
static json_t *
bucket_page_events(json_t *events)
{
	json_t *page = json_array(), *o;
	size_t i;

	json_array_foreach(events, i, o) {
		json_t *c = json_deep_copy(o);
		json_t *key = json_object_get(o, "key");

		if (json_is_string(key))
			json_object_set(c, "bundle", key);
		json_array_append_new(page, c);
	}
	return page;
}

void
archive_dir_finish(struct archive_dir *a, struct diag *d)
{
	struct error err = ERROR_INIT;
	json_t *events = NULL, *page;
	char *html;
	size_t len;
	bool taken;

	if (!a->page_due)
		return;
	if (!a->s3) {
		/* A run stopped before this leaves the page older than the
		 * index: the next archive_dir_open writes it. */
		write_page(a, d);
		a->page_due = false;
		return;
	}
	if (s3archive_list(a->s3, &events, &err) < 0) {
		diag_add(d, "archive '%s': its page %s was not put: %s", a->dir,
			 REPORTHTML_INDEX, err.msg);
		json_decref(events);
		return;
	}
	page = bucket_page_events(events);
	html = reporthtml_index(page, a->opt->lang, &len);
	if (s3archive_put_file(a->s3, REPORTHTML_INDEX, html, len, "text/html; charset=utf-8",
			       true, &taken, &err) < 0)
		diag_add(d, "archive '%s': its page %s was not put: %s", a->dir,
			 REPORTHTML_INDEX, err.msg);
	else
		a->page_due = false;
	free(html);
	json_decref(page);
	json_decref(events);
}

void
archive_dir_close(struct archive_dir *a)
{
	if (a->lock_fd >= 0)
		close(a->lock_fd);	/* the lock goes with it */
	if (a->names)
		g_hash_table_destroy(a->names);
	free(a->dir);
	free(a->index);
	free(a->nichandle);
	free(a->me_error);
	if (a->s3) {
		s3archive_close(a->s3);
		free(a->s3);
	}
	free(a->host);
	memset(a, 0, sizeof(*a));
	a->lock_fd = -1;
}

/* The bucket (--archive s3://...) and the hooks (--exec).
 *
 * A bucket has no lock and no index file: s3archive.c lists the keys of
 * this host's bundles; a bundle is packed into a temporary folder, then
 * uploaded (never over an object there) and read back.  A hook's marker
 * is written before the hook runs and marked done (removed, in a folder)
 * only after it exited 0: a hook that failed, or a run stopped while it
 * ran, leaves its marker, and archive_dir_hooks_retry runs it again. */

static int
archive_host(struct archive_dir *a, struct error *err)
{
	char name[256];

	if (a->opt->host) {
		a->host = xstrdup(a->opt->host);
		return 0;
	}
	if (gethostname(name, sizeof(name)) < 0)
		return error_set(err, EX_OSERR, "archive: cannot read the host name: %s: give "
				 "--host NAME", strerror(errno));
	name[sizeof(name) - 1] = '\0';
	/* A folder's index lines go without a host rather than fail; a
	 * bucket's keys need one. */
	if (!s3archive_host_ok(name) && !archive_dir_is_bucket(a->opt->dir))
		return 0;
	if (!s3archive_host_ok(name))
		return error_set(err, EX_USAGE, "archive: the host name '%.64s' is not 1 to 63 "
				 "of A-Z, a-z, 0-9, '.', '_' and '-': give --host NAME", name);
	a->host = xstrdup(name);
	return 0;
}

static int
open_bucket(struct archive_dir *a, struct error *err)
{
	a->s3 = xcalloc(1, sizeof(*a->s3));
	a->dir = xstrdup(a->opt->dir);
	if (s3archive_open(a->s3, a->opt->dir, a->host, err) < 0) {
		error_prefix(err, "archive '%s'", a->opt->dir);
		return -1;
	}
	a->s3->lock_mode = a->opt->lock_mode;
	a->s3->retain_days = a->opt->retain_days;
	return 0;
}

static int
add_to_bucket(struct archive_dir *a, const struct archive_event *ev, struct ovh *api,
	      struct archive_dir_result *r)
{
	char *key = s3archive_bundle_key(a->s3, ev->ip, ev->date);
	char *name = archive_dir_bundle_name(ev->ip, ev->date), *tmp = NULL, *path = NULL;
	const char *tmpdir = getenv("TMPDIR");
	struct s3archive_event se = { 0 };
	enum s3archive_outcome out;
	json_t *facts = NULL, *hook = NULL;
	int rc = -1;

	r->bundle = s3_object_url(&a->s3->s3, key);
	if (s3archive_has(a->s3, ev->ip, ev->date)) {
		r->outcome = ARCHIVE_DIR_PRESENT;
		rc = 0;
		goto out;
	}
	r->outcome = ARCHIVE_DIR_FAILED;
	tmp = xasprintf("%s/fpkit-s3.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (mkdtemp(tmp) == NULL) {
		error_set(&r->err, EX_CANTCREAT, "cannot make a temporary folder '%s': %s", tmp,
			  strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	path = xasprintf("%s/%s", tmp, name);
	if (pack_event(a, ev, api, path, r, &facts, &r->err) < 0)
		goto out;
	se.ip = ev->ip;
	se.block = ev->block;
	se.state = json_string_value(json_object_get(facts, "state"));
	se.date = ev->date;
	se.nr_missing = r->nr_missing;
	/* The hook's marker before the upload: a run stopped in between
	 * leaves it for the next one, which runs it once the bundle is
	 * there. */
	hook = hook_prepare(a, ev, r, key, facts);
	free(r->bundle);
	r->bundle = NULL;
	if (s3archive_put_bundle(a->s3, &se, path, &r->bundle, &out, &r->err) < 0)
		goto out;
	rc = 0;
	if (out == S3ARCHIVE_TAKEN) {
		r->outcome = ARCHIVE_DIR_PRESENT;
		goto out;
	}
	r->outcome = ARCHIVE_DIR_ARCHIVED;
	a->page_due = true;
	hook_after(a, r, hook);
out:
	json_decref(hook);
	if (path)
		unlink(path);
	if (tmp)
		rmdir(tmp);
	json_decref(facts);
	free(path);
	free(tmp);
	free(name);
	free(key);
	return rc;
}

/* The facts of an event as the hook gets them and its marker keeps
 * them (new). */
static json_t *
hook_event(struct archive_dir *a, const struct archive_event *ev,
	   const struct archive_dir_result *r, const char *key, json_t *facts)
{
	char d[TIMEFMT_ISO_LEN];

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:O}",
			 "ip", ev->ip,
			 "block", ev->block ? ev->block : "",
			 "state", json_string_value(json_object_get(facts, "state")) ?
				  json_string_value(json_object_get(facts, "state")) : "",
			 "date", timefmt_iso_utc(ev->date, d),
			 "bundle", r->bundle,
			 "key", key,
			 "host", a->host ? a->host : "",
			 "archive", a->dir,
			 "missing", (json_int_t)r->nr_missing,
			 "summary", json_object_get(facts, "summary"));
}

/* A folder's marker of a hook: DIR/hooks/NAME.json (new). */
static char *
hook_marker_path(const struct archive_dir *a, const char *ip, int64_t date)
{
	char *name = archive_dir_bundle_name(ip, date);
	char *path;

	name[strlen(name) - 7] = '\0';	/* ".tar.gz" */
	path = xasprintf("%s/hooks/%s.json", a->dir, name);
	free(name);
	return path;
}

static int
hook_mark(struct archive_dir *a, const char *ip, int64_t date, json_t *event,
	  struct error *err)
{
	char *path, *dir, *text;
	GError *e = NULL;
	int rc = 0;

	if (a->s3)
		return s3archive_hook_pending(a->s3, ip, date, event, err);
	path = hook_marker_path(a, ip, date);
	dir = xasprintf("%s/hooks", a->dir);
	text = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		rc = error_set(err, EX_CANTCREAT, "cannot make '%s': %s", dir, strerror(errno));
	else if (!g_file_set_contents(path, text, -1, &e)) {
		rc = error_set(err, EX_CANTCREAT, "cannot write '%s': %s", path, e->message);
		g_error_free(e);
	}
	free(text);
	free(dir);
	free(path);
	return rc;
}

static int
hook_unmark(struct archive_dir *a, const char *ip, int64_t date, struct error *err)
{
	char *path;
	int rc = 0;

	if (a->s3)
		return s3archive_hook_done(a->s3, ip, date, err);
	path = hook_marker_path(a, ip, date);
	if (unlink(path) < 0 && errno != ENOENT)
		rc = error_set(err, EX_IOERR, "cannot remove '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

/* Run the hook for 'event' (its marker written): 0 when it exited 0
 * and its marker is marked done. */
static int
hook_fire(struct archive_dir *a, json_t *event, struct error *err)
{
	const char *ip = json_string_value(json_object_get(event, "ip"));
	const char *date = json_string_value(json_object_get(event, "date"));
	int64_t when;
	int timeout = a->opt->exec_timeout ? a->opt->exec_timeout : HOOK_DEFAULT_TIMEOUT;

	a->nr_hooks_run++;
	if (ip == NULL || date == NULL || timefmt_parse_iso(date, &when) < 0) {
		a->nr_hooks_failed++;
		return error_set(err, EX_DATAERR, "a hook marker without its ip and date");
	}
	if (hook_run(a->opt->exec, event, timeout, err) < 0) {
		a->nr_hooks_failed++;
		error_prefix(err, "--exec");
		return -1;
	}
	if (hook_unmark(a, ip, when, err) < 0) {
		a->nr_hooks_failed++;
		error_prefix(err, "--exec ran, but its marker stays (it runs again next time)");
		return -1;
	}
	return 0;
}

/* --exec: the facts of a new event and its marker, written before the
 * event is recorded (new; NULL without --exec).  A marker that cannot
 * be written is a warning: the hook runs all the same, but a failure of
 * it would not be tried again. */
static json_t *
hook_prepare(struct archive_dir *a, const struct archive_event *ev,
	     struct archive_dir_result *r, const char *key, json_t *facts)
{
	struct error e = ERROR_INIT;
	json_t *event;

	if (a->opt->exec == NULL)
		return NULL;
	event = hook_event(a, ev, r, key, facts);
	if (hook_mark(a, ev->ip, ev->date, event, &e) < 0)
		diag_add(&r->warnings, "--exec: the hook's marker could not be written (%s): "
			 "should the hook fail, it would not be tried again", e.msg);
	return event;
}

/* --exec: run the hook of a newly archived event. */
static void
hook_after(struct archive_dir *a, struct archive_dir_result *r, json_t *event)
{
	if (event == NULL)
		return;
	r->hook_ran = true;
	(void)hook_fire(a, event, &r->hook_err);
}

/* The markers of a folder: the .json files of DIR/hooks (new array). */
static int
folder_hooks_left(struct archive_dir *a, json_t **pending, struct error *err)
{
	char *dir = xasprintf("%s/hooks", a->dir);
	char **names;
	size_t nr;
	int rc = 0;

	*pending = json_array();
	if (access(dir, F_OK) < 0) {
		free(dir);
		return 0;
	}
	names = list_dir(dir, &nr, err);
	if (names == NULL) {
		free(dir);
		return -1;
	}
	for (size_t i = 0; i < nr; i++) {
		char *path;
		json_t *ev;

		if (!g_str_has_suffix(names[i], ".json") || names[i][0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		ev = json_load_file(path, 0, NULL);
		if (json_is_object(ev))
			json_array_append(*pending, ev);
		else if (rc == 0)
			rc = error_set(err, EX_DATAERR, "'%s' is not a hook marker of fpkit: move "
				       "it away", path);
		json_decref(ev);
		free(path);
	}
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	free(dir);
	return rc;
}

static bool
hook_event_archived(struct archive_dir *a, json_t *ev)
{
	const char *ip = json_string_value(json_object_get(ev, "ip"));
	const char *date = json_string_value(json_object_get(ev, "date"));
	int64_t when;
	char *path = NULL;
	bool there;

	if (ip == NULL || date == NULL || timefmt_parse_iso(date, &when) < 0)
		return true;	/* hook_fire says what is wrong with it */
	there = archive_dir_has_bundle(a, ip, when, &path);
	free(path);
	return there;
}

int
archive_dir_hooks_retry(struct archive_dir *a, struct diag *d, struct error *err)
{
	json_t *pending = NULL, *ev;
	size_t i;
	int rc;

	if (a->opt->exec == NULL)
		return 0;
	rc = a->s3 ? s3archive_hooks_left(a->s3, &pending, err)
		   : folder_hooks_left(a, &pending, err);
	if (rc == 0) {
		json_array_foreach(pending, i, ev) {
			struct error e = ERROR_INIT;

			/* A marker written before its event was recorded,
			 * by a run that stopped or failed there: the hook
			 * runs once the event is archived. */
			if (!hook_event_archived(a, ev))
				continue;
			if (hook_fire(a, ev, &e) < 0)
				diag_add(d, "archive '%s': %s blocked at %s: %s: tried again next run",
					 a->dir, json_string_value(json_object_get(ev, "ip")),
					 json_string_value(json_object_get(ev, "date")), e.msg);
		}
	}
	json_decref(pending);
	return rc;
}

int
archive_dir_list(const char *dir, json_t **events, struct error *err)
{
	char *index;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;

	if (archive_dir_is_bucket(dir)) {
		struct s3archive s3;

		*events = NULL;

		/* Any host name will do: every host's events are listed. */
		if (s3archive_open(&s3, dir, "-", err) == 0)
			rc = s3archive_list(&s3, events, err);
		s3archive_close(&s3);
		return rc;
	}
	*events = json_array();
	index = xasprintf("%s/%s", dir, ARCHIVE_DIR_INDEX);
	f = fopen(index, "r");
	if (f == NULL) {
		error_set(err, errno == ENOENT ? EX_NOINPUT : EX_IOERR, "cannot read '%s': %s%s",
			  index, strerror(errno), errno == ENOENT ? ": is it an archive folder "
			  "of 'fpkit scan --archive'?" : "");
		free(index);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *o = json_loadb(line, (size_t)n, 0, NULL), *e;
		const char *bundle = json_string_value(json_object_get(o, "bundle"));
		char *path;

		/* Records of acts (unblock, ticket: they name the event's
		 * bundle too) and cut lines are no events. */
		if (bundle == NULL || json_is_object(json_object_get(o, "unblock")) ||
		    json_is_object(json_object_get(o, "ticket"))) {
			json_decref(o);
			continue;
		}
		path = xasprintf("%s/%s", dir, bundle);
		e = json_pack("{s:O, s:O, s:n, s:O, s:O, s:s, s:O, s:O, s:s, s:I}",
			      "ip", json_object_get(o, "ip"),
			      "block", json_object_get(o, "block"),
			      "state",
			      "date", json_object_get(o, "date"),
			      "host", json_object_get(o, "host") ? json_object_get(o, "host")
								 : json_null(),
			      "bundle", bundle,
			      "sha256", json_object_get(o, "sha256"),
			      "archived_at", json_object_get(o, "archived_at"),
			      "path", path,
			      "missing", (json_int_t)json_array_size(json_object_get(o, "missing")));
		if (e)
			json_array_append_new(*events, e);
		free(path);
		json_decref(o);
	}
	if (ferror(f))
		error_set(err, EX_IOERR, "cannot read '%s': %s", index, strerror(errno));
	else
		rc = 0;
	free(line);
	fclose(f);
	free(index);
	return rc;
}
