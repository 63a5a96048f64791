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
#include "netaddr.h"
#include "outfile.h"
#include "ovhapi.h"
#include "ovhclient.h"
#include "pack.h"
#include "reporthtml.h"
#include "strbuf.h"
#include "ticket.h"
#include "timefmt.h"
#include "verify.h"
#include "xalloc.h"

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
	return 0;
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
	   const char *sha, int64_t archived_at, json_t *missing)
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
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *line = xasprintf("%s\n", s ? s : "{}");

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
			line = index_line(ip, block, date, name, sha, mtime, missing);
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
	   const char *path, struct archive_dir_result *r, struct error *err)
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
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->bundle = path_in(a, name);
	if (g_hash_table_contains(a->names, name)) {
		r->outcome = ARCHIVE_DIR_PRESENT;
		free(name);
		return 0;
	}
	r->outcome = ARCHIVE_DIR_FAILED;
	if (pack_event(a, ev, api, r->bundle, r, &r->err) < 0) {
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
	line = index_line(ev->ip, ev->block, ev->date, name, sha, (int64_t)time(NULL),
			  r->missing);
	rc = index_append(a, line, &r->err);
	free(line);
	if (rc < 0)
		goto out;
	g_hash_table_add(a->names, xstrdup(name));
	r->outcome = ARCHIVE_DIR_ARCHIVED;
	write_page(a, &r->warnings);
out:
	free(name);
	return rc;
}

bool
archive_dir_has_bundle(const struct archive_dir *a, const char *ip, int64_t date,
		       char **path)
{
	char *name = archive_dir_bundle_name(ip, date);
	bool listed = g_hash_table_contains(a->names, name);

	*path = listed ? path_in(a, name) : NULL;
	free(name);
	return listed;
}

int
archive_dir_record(struct archive_dir *a, json_t *line, struct error *err)
{
	char *s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER), *text;
	int rc;

	if (s == NULL || !(json_is_object(json_object_get(line, "unblock")) ||
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
	memset(a, 0, sizeof(*a));
	a->lock_fd = -1;
}
