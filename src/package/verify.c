/* verify.c - checking a bundle, read as untrusted input
 *
 * Nothing is extracted: entries are streamed through SHA-256 and only
 * SHA256SUMS and summary.json are kept in memory, each capped.  A name
 * is never used as a path on this machine.  What a bundle costs is
 * bounded by its limits alone: names are matched through a hash table
 * (SHA256SUMS may hold millions of lines), and past
 * FPKIT_LIMIT_BUNDLE_PROBLEMS problems are only counted. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "digest.h"
#include "error.h"
#include "fpkit_limits.h"
#include "strbuf.h"
#include "tarball.h"
#include "verify.h"
#include "xalloc.h"

struct seen {
	char *name;		/* below the top folder */
	char sha256[DIGEST_HEX_SIZE];
	bool listed;		/* named in SHA256SUMS */
};

struct state {
	const char *bundle;
	struct diag *problems;
	unsigned long nr_listed;	/* problems put in 'problems' */
	struct verify_result *res;
	char *top;		/* the top folder's name */
	struct seen *files;
	size_t nr, alloc;
	GHashTable *by_name;	/* a file's name (borrowed) -> its index + 1 */
	struct strbuf sums, summary, ticket, posture;
	bool have_sums, have_summary, have_posture;
	size_t (*keep)(const char *name);	/* verify_bundle_keep */
};

static void
problem(struct state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct state *st, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	st->res->nr_problems++;
	if (st->nr_listed >= FPKIT_LIMIT_BUNDLE_PROBLEMS)
		return;
	st->nr_listed++;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag_add(st->problems, "%s", buf);
}

/* Why a name from the archive cannot be trusted, or NULL. */
static const char *
bad_name(const char *name)
{
	const char *p = name;

	if (*name == '\0')
		return "an empty name";
	if (*name == '/')
		return "an absolute path";
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '\\')
			return "control characters or backslashes in its name";
	while (*p) {
		size_t n = strcspn(p, "/");

		if ((n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.'))
			return "'.' or '..' in its path";
		if (n == 0 && p[0] == '/' && p[1] != '\0')
			return "an empty path component";
		p += n;
		if (*p == '/')
			p++;
	}
	return NULL;
}

/* Where an entry's bytes come from: the archive, or (tar NULL) a file
 * of a bundle's folder open on fd. */
struct source {
	struct tarball_reader *tar;
	int fd;
	const char *path;	/* the file, for messages */
};

static ssize_t
source_read(struct source *src, void *buf, size_t len, struct error *err)
{
	ssize_t n;

	if (src->tar)
		return tarball_read(src->tar, buf, len, err);
	do
		n = read(src->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return error_set(err, EX_IOERR, "cannot read '%s': %s", src->path,
				 strerror(errno));
	return n;
}

/* Stream the current entry: its digest, and a copy when keep is set. */
static int
read_entry(struct state *st, struct source *r, const char *name,
	   int64_t size, struct strbuf *keep, bool cut_ok, char sha[DIGEST_HEX_SIZE],
	   struct error *err)
{
	char buf[65536];
	struct digest d;
	int64_t got = 0;
	ssize_t n;

	digest_init(&d);
	while ((n = source_read(r, buf, sizeof(buf), err)) > 0) {
		digest_update(&d, buf, (size_t)n);
		got += n;
		if (keep && cut_ok) {
			/* A copy asked for: its first bytes only. */
			size_t room = keep->max - keep->len;

			strbuf_add(keep, buf, (size_t)n < room ? (size_t)n : room);
		} else if (keep && strbuf_add(keep, buf, (size_t)n) < 0) {
			/* TICKET.txt is kept for fpkit report and fpkit
			 * ticket only: its size is no rule of the bundle. */
			if (keep != &st->ticket)
				problem(st, "%s: larger than the limit of %d bytes", name,
					FPKIT_LIMIT_BUNDLE_META);
			keep = NULL;
		}
	}
	if (n < 0) {
		digest_release(&d);
		return -1;
	}
	digest_final(&d, sha);
	if (got != size) {
		problem(st, "%s: holds %lld bytes but its header says %lld",
			name, (long long)got, (long long)size);
	}
	return 0;
}

static struct seen *
find_seen(struct state *st, const char *name)
{
	size_t i = GPOINTER_TO_SIZE(g_hash_table_lookup(st->by_name, name));

	return i ? &st->files[i - 1] : NULL;
}

static bool
is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Check every SHA256SUMS line against what was read. */
static void
check_sums(struct state *st)
{
	char *p = st->sums.buf, *end = st->sums.buf + st->sums.len;
	unsigned long lineno = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *name;
		struct seen *f;

		if (nl == NULL)
			nl = end;
		*nl = '\0';
		lineno++;
		/* coreutils: 64 hex digits, a space, a space or '*', the name */
		if ((size_t)(nl - p) < 67 || !is_hex64(p) || p[64] != ' ' ||
		    (p[65] != ' ' && p[65] != '*')) {
			problem(st, "SHA256SUMS: line %lu is not '<sha256>  <file>'", lineno);
			p = nl + 1;
			continue;
		}
		name = p + 66;
		f = find_seen(st, name);
		if (f == NULL) {
			problem(st, "%s: listed in SHA256SUMS but missing from the bundle", name);
		} else if (f->listed) {
			problem(st, "%s: listed twice in SHA256SUMS", name);
		} else {
			f->listed = true;
			if (memcmp(f->sha256, p, 64) != 0)
				problem(st, "%s: SHA-256 does not match SHA256SUMS: the file was changed",
					name);
			else
				st->res->nr_files++;
		}
		p = nl + 1;
	}
	for (size_t i = 0; i < st->nr; i++)
		if (!st->files[i].listed && strcmp(st->files[i].name, "SHA256SUMS") != 0)
			problem(st, "%s: not listed in SHA256SUMS", st->files[i].name);
}

/* Count an entry's size against the limits, whatever becomes of the
 * entry: the data of an entry that is not read (a refused or repeated
 * one) is read through all the same (libarchive decompresses it to skip
 * it), so each costs its size in time.  'rel' names the entry in the
 * problem, or NULL for its path as it is.  -1 when a limit is passed:
 * the bundle is not read further. */
static int
count_size(struct state *st, const struct tarball_entry *e, const char *rel, int64_t *total)
{
	if (e->size < 0 || e->size > FPKIT_LIMIT_BUNDLE_ENTRY) {
		if (rel)
			problem(st, "%s: larger than the limit of %lld bytes", rel,
				(long long)FPKIT_LIMIT_BUNDLE_ENTRY);
		else
			problem(st, "entry '%.200s': larger than the limit of %lld bytes",
				e->path, (long long)FPKIT_LIMIT_BUNDLE_ENTRY);
		return -1;
	}
	*total += e->size;
	if (*total > FPKIT_LIMIT_BUNDLE_TOTAL) {
		problem(st, "bundle holds more than the limit of %lld bytes: not read further",
			(long long)FPKIT_LIMIT_BUNDLE_TOTAL);
		return -1;
	}
	return 0;
}

/* One archive entry: its name is checked before anything else, and its
 * size counted whatever it is. */
static int
take_entry(struct state *st, struct source *r, const struct tarball_entry *e,
	   int64_t *total, struct error *err)
{
	const char *why = bad_name(e->path), *rel;
	size_t toplen;
	struct seen *f;
	struct strbuf *keep = NULL;
	bool cut_ok = false;
	size_t cap;

	if (why) {
		problem(st, "entry '%.200s': refused: %s", e->path, why);
		return count_size(st, e, NULL, total);
	}
	if (e->type == TARBALL_SYMLINK || e->type == TARBALL_HARDLINK || e->type == TARBALL_OTHER) {
		problem(st, "entry '%.200s': refused: %s", e->path,
			e->type == TARBALL_OTHER ? "not a file or folder" : "a link");
		return count_size(st, e, NULL, total);
	}
	toplen = strcspn(e->path, "/");
	if (st->top == NULL)
		st->top = xstrndup(e->path, toplen);
	if (toplen != strlen(st->top) || strncmp(e->path, st->top, toplen) != 0) {
		problem(st, "entry '%.200s': outside the top folder '%s'", e->path, st->top);
		return count_size(st, e, NULL, total);
	}
	rel = e->path + toplen;
	if (*rel == '/')
		rel++;
	if (e->type == TARBALL_DIR)
		return count_size(st, e, NULL, total);
	if (*rel == '\0') {
		problem(st, "entry '%.200s': a file where the top folder should be", e->path);
		return count_size(st, e, NULL, total);
	}
	if (count_size(st, e, rel, total) < 0)
		return -1;
	if (find_seen(st, rel)) {
		problem(st, "%s: appears twice in the bundle", rel);
		return 0;
	}
	if (strcmp(rel, "SHA256SUMS") == 0) {
		keep = &st->sums;
		st->have_sums = true;
	} else if (strcmp(rel, "summary.json") == 0) {
		keep = &st->summary;
		st->have_summary = true;
	} else if (strcmp(rel, "TICKET.txt") == 0) {
		keep = &st->ticket;
	} else if (strcmp(rel, "posture.json") == 0) {
		keep = &st->posture;
		st->have_posture = true;
	} else if (st->keep && (cap = st->keep(rel)) > 0) {
		struct verify_kept *k;

		st->res->kept = xgrow(st->res->kept, st->res->nr_kept + 1, &st->res->alloc_kept,
				      sizeof(*st->res->kept));
		k = &st->res->kept[st->res->nr_kept++];
		k->name = xstrdup(rel);
		strbuf_init(&k->data, cap);
		keep = &k->data;
		cut_ok = true;
	}
	st->files = xgrow(st->files, st->nr + 1, &st->alloc, sizeof(*st->files));
	f = &st->files[st->nr++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(rel);
	g_hash_table_insert(st->by_name, f->name, GSIZE_TO_POINTER(st->nr));
	return read_entry(st, r, rel, e->size, keep, cut_ok, f->sha256, err);
}

/*
 * posture.json (pack --posture): there when summary.json says the
 * posture was checked, and then a JSON object about the same IP as the
 * summary's posture; absent otherwise.
 */
static void
check_posture(struct state *st, json_t *summary)
{
	json_t *sp = json_object_get(summary, "posture"), *j;
	bool checked = json_is_true(json_object_get(sp, "checked"));
	json_error_t jerr;
	const char *a, *b;

	if (!summary)
		return;
	if (!checked) {
		if (st->have_posture)
			problem(st, "posture.json: in the bundle, but summary.json says the posture "
				"was not checked");
		return;
	}
	if (!st->have_posture) {
		problem(st, "posture.json: missing (summary.json says the posture was checked)");
		return;
	}
	j = json_loadb(st->posture.buf, st->posture.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		problem(st, "posture.json: not valid JSON: line %d: %s", jerr.line, jerr.text);
		return;
	}
	a = json_string_value(json_object_get(j, "ip"));
	b = json_string_value(json_object_get(sp, "ip"));
	if (!json_is_object(j) || !a || !b || strcmp(a, b) != 0)
		problem(st, "posture.json: not the posture of the IP summary.json names");
	json_decref(j);
}

/* ---- a bundle's folder (pack --unpacked) ----
 *
 * Read as the archive is: every name below the folder is an entry
 * "TOP/NAME", where TOP is the folder's own name; links and devices
 * are refused, not followed or opened; each folder's names are taken in
 * byte order, so that problems come in the same order every time. */

struct walk {
	struct state *st;
	unsigned long nr_entries;
	int64_t total;
	struct error *rerr;	/* a file that cannot be read: a problem */
	bool stop;		/* a limit was passed */
};

static int
cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The names in folder fd (which it takes), sorted: at most room + 1 of
 * them (one more than the limit leaves room for tells that it is
 * passed).  -1 with errno when the folder cannot be read. */
static int
folder_names(int fd, size_t room, char ***names, size_t *nr)
{
	struct dirent *de;
	size_t alloc = 0;
	DIR *dir = fdopendir(fd);

	*names = NULL;
	*nr = 0;
	if (dir == NULL) {
		close(fd);
		return -1;
	}
	errno = 0;
	while (*nr <= room && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		*names = xgrow(*names, *nr + 1, &alloc, sizeof(**names));
		(*names)[(*nr)++] = xstrdup(de->d_name);
		errno = 0;
	}
	closedir(dir);
	if (*nr)
		qsort(*names, *nr, sizeof(**names), cmp_names);
	return 0;
}

static void walk_folder(struct walk *w, int fd, const char *rel, int depth);

/* One name of folder dirfd: its entry "rel/name", read when a file,
 * walked when a folder. */
static void
walk_name(struct walk *w, int dirfd, const char *rel, const char *name, int depth)
{
	struct tarball_entry e;
	struct source src = { NULL, -1, NULL };
	struct stat st, fst;
	char *path = xasprintf("%s/%s", rel, name);

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		problem(w->st, "entry '%.200s': cannot be read: %s", path, strerror(errno));
		goto out;
	}
	e.path = path;
	e.size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : 0;
	e.type = S_ISREG(st.st_mode) ? TARBALL_FILE : S_ISDIR(st.st_mode) ? TARBALL_DIR :
		 S_ISLNK(st.st_mode) ? TARBALL_SYMLINK : TARBALL_OTHER;
	if (e.type == TARBALL_FILE) {
		/* The file that was looked at, or a problem: never one
		 * put in its place since (a link, a pipe). */
		src.fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (src.fd < 0 || fstat(src.fd, &fst) < 0 || !S_ISREG(fst.st_mode) ||
		    fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) {
			problem(w->st, "entry '%.200s': cannot be read, or changed while "
				"read%s%s", path, src.fd < 0 ? ": " : "",
				src.fd < 0 ? strerror(errno) : "");
			goto out;
		}
		src.path = path;
	}
	if (take_entry(w->st, &src, &e, &w->total, w->rerr) < 0) {
		w->stop = true;
		goto out;
	}
	if (e.type == TARBALL_DIR) {
		int fd;

		if (depth >= FPKIT_LIMIT_BUNDLE_DEPTH) {
			problem(w->st, "entry '%.200s': deeper than the limit of %d folders: "
				"not read", path, FPKIT_LIMIT_BUNDLE_DEPTH);
			goto out;
		}
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			problem(w->st, "entry '%.200s': cannot be read: %s", path,
				strerror(errno));
		else
			walk_folder(w, fd, path, depth + 1);
	}
out:
	if (src.fd >= 0)
		close(src.fd);
	free(path);
}

/* Folder fd (taken) holds entry 'rel''s names. */
static void
walk_folder(struct walk *w, int fd, const char *rel, int depth)
{
	size_t nr = 0, room = FPKIT_LIMIT_BUNDLE_ENTRIES - w->nr_entries;
	int dup_fd = dup(fd);
	char **names = NULL;

	if (dup_fd < 0 || folder_names(dup_fd, room, &names, &nr) < 0) {
		problem(w->st, "entry '%.200s': cannot be read: %s", rel, strerror(errno));
		close(fd);
		return;
	}
	for (size_t i = 0; i < nr && !w->stop; i++) {
		if (++w->nr_entries > FPKIT_LIMIT_BUNDLE_ENTRIES) {
			problem(w->st, "more than the limit of %d entries: not read further",
				FPKIT_LIMIT_BUNDLE_ENTRIES);
			w->stop = true;
			break;
		}
		walk_name(w, fd, rel, names[i], depth);
	}
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	close(fd);
}

/* The bundle at 'path', a folder: its entries as the archive's. */
static int
read_folder(struct state *st, const char *path, unsigned long *nr_entries,
	    struct error *rerr, struct error *err)
{
	struct walk w;
	char *real = realpath(path, NULL);
	const char *top;
	int fd;

	if (real == NULL)
		return error_set(err, EX_NOINPUT, "cannot open bundle '%s': %s", path,
				 strerror(errno));
	top = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*top == '\0' || fd < 0) {
		error_set(err, EX_NOINPUT, "cannot open bundle '%s': %s", path,
			  fd < 0 ? strerror(errno) : "not a bundle's folder");
		if (fd >= 0)
			close(fd);
		free(real);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.rerr = rerr;
	/* The folder is the top folder; its own entry first, as in the
	 * archive. */
	st->top = xstrdup(top);
	walk_folder(&w, fd, top, 1);
	*nr_entries = w.nr_entries;
	free(real);
	return 0;
}

int
verify_bundle(const char *path, struct verify_result *res, struct diag *problems,
	      struct error *err)
{
	return verify_bundle_keep(path, NULL, res, problems, err);
}

int
verify_bundle_keep(const char *path, size_t (*keep)(const char *name),
		   struct verify_result *res, struct diag *problems, struct error *err)
{
	struct tarball_reader r;
	struct tarball_entry e;
	struct state st;
	struct error rerr = ERROR_INIT;
	struct source src = { &r, -1, path };
	unsigned long nr_entries = 0;
	int64_t total = 0;
	struct stat sb;
	bool folder = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&st, 0, sizeof(st));
	st.bundle = path;
	st.problems = problems;
	st.res = res;
	st.keep = keep;
	if (!folder && tarball_reader_open(&r, path, err) < 0)
		return -1;
	st.by_name = g_hash_table_new(g_str_hash, g_str_equal);
	strbuf_init(&st.sums, FPKIT_LIMIT_BUNDLE_META);
	strbuf_init(&st.summary, FPKIT_LIMIT_BUNDLE_META);
	strbuf_init(&st.ticket, FPKIT_LIMIT_BUNDLE_META);
	strbuf_init(&st.posture, FPKIT_LIMIT_BUNDLE_META);
	if (folder) {
		if (read_folder(&st, path, &nr_entries, &rerr, err) < 0) {
			g_hash_table_destroy(st.by_name);
			strbuf_release(&st.sums);
			strbuf_release(&st.summary);
			strbuf_release(&st.ticket);
			strbuf_release(&st.posture);
			free(st.top);
			verify_result_release(res);
			return -1;
		}
		goto read;
	}
	/* A damaged archive is one more problem with the bundle, not a
	 * failure of the command: it goes to the list. */
	while ((rc = tarball_next(&r, &e, &rerr)) > 0) {
		if (++nr_entries > FPKIT_LIMIT_BUNDLE_ENTRIES) {
			problem(&st, "more than the limit of %d entries: not read further",
				FPKIT_LIMIT_BUNDLE_ENTRIES);
			break;
		}
		if (take_entry(&st, &src, &e, &total, &rerr) < 0)
			break;
	}
	tarball_reader_close(&r);
read:
	if (rerr.status)
		problem(&st, "%s", rerr.msg);

	if (nr_entries == 0)
		problem(&st, "the bundle is empty");
	if (!st.have_sums)
		problem(&st, "SHA256SUMS: missing");
	else
		check_sums(&st);
	if (!st.have_summary) {
		problem(&st, "summary.json: missing");
	} else {
		json_error_t jerr;
		json_t *j = json_loadb(st.summary.buf, st.summary.len, JSON_REJECT_DUPLICATES, &jerr);

		if (j == NULL)
			problem(&st, "summary.json: not valid JSON: line %d: %s", jerr.line, jerr.text);
		else if (!json_is_object(j))
			problem(&st, "summary.json: not a JSON object");
		else
			res->summary = json_incref(j);
		json_decref(j);
	}
	check_posture(&st, res->summary);
	res->top = st.top;
	res->ticket = strbuf_detach(&st.ticket, &res->ticket_len);
	g_hash_table_destroy(st.by_name);
	for (size_t i = 0; i < st.nr; i++)
		free(st.files[i].name);
	free(st.files);
	strbuf_release(&st.sums);
	strbuf_release(&st.summary);
	strbuf_release(&st.posture);
	return 0;
}

void
verify_result_release(struct verify_result *res)
{
	free(res->top);
	free(res->ticket);
	json_decref(res->summary);
	for (size_t i = 0; i < res->nr_kept; i++) {
		free(res->kept[i].name);
		strbuf_release(&res->kept[i].data);
	}
	free(res->kept);
	memset(res, 0, sizeof(*res));
}
