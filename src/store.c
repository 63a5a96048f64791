/* store.c - walking mail stores and reading each message's header block
 *
 * Only the header block of each file is read: a Message-ID is all the
 * finder needs, and mail bodies are most of a store's bytes. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "msgid.h"
#include "store.h"
#include "strbuf.h"
#include "xalloc.h"

/* Folders nested deeper than this are not followed: no real store is
 * that deep, and it bounds the walk on hostile trees. */
#define STORE_MAX_DEPTH 64

/* The first read of a file; most header blocks fit. */
#define STORE_FIRST_READ 16384

struct walk {
	const struct store_options *opt;
	store_msg_fn fn;
	void *data;
	struct strbuf head;	/* reused header buffer */
	struct {		/* folders on the current path, for loops */
		dev_t dev;
		ino_t ino;
	} stack[STORE_MAX_DEPTH];
	int depth;
};

const char *
store_format_name(enum store_format f)
{
	switch (f) {
	case STORE_EML: return "eml";
	case STORE_MAILDIR: return "maildir";
	}
	return "unknown";
}

static char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/* Read the header block of one file and hand it to the callback. */
static int
scan_file(struct walk *w, const char *path, enum store_format format,
	  struct error *err)
{
	struct store_msg msg;
	struct stat st;
	char chunk[STORE_FIRST_READ];
	size_t end = 0;
	bool complete = false;
	int fd, rc = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		diag_add(w->opt->diag, "skipped '%s': %s", path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		diag_add(w->opt->diag, "skipped '%s': not a regular file", path);
		goto out;
	}
	strbuf_init(&w->head, w->opt->max_header);
	for (;;) {
		size_t want = sizeof(chunk);

		if (want > w->opt->max_header - w->head.len)
			want = w->opt->max_header - w->head.len;
		if (want == 0)
			break;
		n = read(fd, chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diag_add(w->opt->diag, "skipped '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		/* Search again from the start of the last line already held:
		 * an empty line split across two reads is still seen. */
		{
			const char *nl = w->head.len ?
				memrchr(w->head.buf, '\n', w->head.len) : NULL;
			size_t from = nl ? (size_t)(nl + 1 - w->head.buf) : 0;

			strbuf_add(&w->head, chunk, (size_t)n);
			end = from + msgid_header_end(w->head.buf + from,
						      w->head.len - from, &complete);
		}
		if (complete)
			break;
	}
	if (!complete) {
		end = w->head.len;
		if ((int64_t)w->head.len < (int64_t)st.st_size)
			diag_add(w->opt->diag, "'%s': header block larger than %zu bytes: "
				 "only its start was searched", path, w->opt->max_header);
	}
	msg.path = path;
	msg.format = format;
	msg.offset = 0;
	msg.length = (int64_t)st.st_size;
	msg.dev = st.st_dev;
	msg.ino = st.st_ino;
	msg.header = w->head.buf;
	msg.header_len = end;
	msg.header_complete = complete;
	rc = w->fn(&msg, w->data, err);
out:
	strbuf_release(&w->head);
	close(fd);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted bytewise, without "." and "..". */
static char **
read_dir_sorted(const char *path, size_t *nr, struct walk *w)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t alloc = 0;

	*nr = 0;
	if (d == NULL) {
		diag_add(w->opt->diag, "skipped folder '%s': %s", path, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = xgrow(names, *nr + 1, &alloc, sizeof(*names));
		names[(*nr)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*nr)
		qsort(names, *nr, sizeof(*names), cmp_names);
	return names;
}

static void
free_names(char **names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_maildir(const char *path)
{
	char *cur = path_join(path, "cur"), *new = path_join(path, "new");
	bool yes = is_dir(cur) || is_dir(new);

	free(cur);
	free(new);
	return yes;
}

static bool
has_eml_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcasecmp(name + n - 4, ".eml") == 0;
}

static int walk_dir(struct walk *w, const char *path, struct error *err);

/* Every message file of a Maildir's cur/ or new/ (dot files are not
 * messages: Dovecot and Courier keep their indexes there). */
static int
walk_maildir_sub(struct walk *w, const char *path, struct error *err)
{
	size_t nr, i;
	char **names = read_dir_sorted(path, &nr, w);
	int rc = 0;

	for (i = 0; i < nr && rc == 0; i++) {
		char *p;
		struct stat st;

		if (names[i][0] == '.')
			continue;
		p = path_join(path, names[i]);
		if (stat(p, &st) < 0)
			diag_add(w->opt->diag, "skipped '%s': %s", p, strerror(errno));
		else if (S_ISREG(st.st_mode))
			rc = scan_file(w, p, STORE_MAILDIR, err);
		free(p);
	}
	free_names(names, nr);
	return rc;
}

/* Enter a folder unless it is already on the current path (a loop made
 * of symlinks) or too deep. */
static int
walk_enter(struct walk *w, const char *path, struct error *err)
{
	struct stat st;
	int rc;

	if (stat(path, &st) < 0) {
		diag_add(w->opt->diag, "skipped folder '%s': %s", path, strerror(errno));
		return 0;
	}
	for (int i = 0; i < w->depth; i++) {
		if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino) {
			diag_add(w->opt->diag, "skipped folder '%s': symlink loop", path);
			return 0;
		}
	}
	if (w->depth == STORE_MAX_DEPTH) {
		diag_add(w->opt->diag, "skipped folder '%s': more than %d levels deep",
			 path, STORE_MAX_DEPTH);
		return 0;
	}
	w->stack[w->depth].dev = st.st_dev;
	w->stack[w->depth].ino = st.st_ino;
	w->depth++;
	rc = walk_dir(w, path, err);
	w->depth--;
	return rc;
}

/* A folder: a Maildir (its cur/ and new/, then its sub-folders, which
 * covers Maildir++ ".Sent" folders and nested layouts) or a plain folder
 * of *.eml files and sub-folders. */
static int
walk_dir(struct walk *w, const char *path, struct error *err)
{
	bool maildir = is_maildir(path);
	size_t nr, i;
	char **names;
	int rc = 0;

	if (maildir) {
		char *cur = path_join(path, "cur"), *new = path_join(path, "new");

		if (is_dir(cur))
			rc = walk_maildir_sub(w, cur, err);
		if (rc == 0 && is_dir(new))
			rc = walk_maildir_sub(w, new, err);
		free(cur);
		free(new);
		if (rc)
			return rc;
	}
	names = read_dir_sorted(path, &nr, w);
	for (i = 0; i < nr && rc == 0; i++) {
		const char *name = names[i];
		struct stat st;
		char *p;

		if (maildir && (strcmp(name, "cur") == 0 || strcmp(name, "new") == 0 ||
				strcmp(name, "tmp") == 0))
			continue;
		p = path_join(path, name);
		if (stat(p, &st) < 0) {
			if (errno != ENOENT || lstat(p, &st) == 0)
				diag_add(w->opt->diag, "skipped '%s': %s", p, strerror(errno));
			else
				diag_add(w->opt->diag, "skipped '%s': vanished during the scan", p);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk_enter(w, p, err);
		} else if (S_ISREG(st.st_mode) && !maildir && has_eml_suffix(name)) {
			rc = scan_file(w, p, STORE_EML, err);
		}
		free(p);
	}
	free_names(names, nr);
	return rc;
}

int
store_scan(const char *path, const struct store_options *opt,
	   store_msg_fn fn, void *data, struct error *err)
{
	struct walk w;
	struct stat st;

	memset(&w, 0, sizeof(w));
	w.opt = opt;
	w.fn = fn;
	w.data = data;
	if (stat(path, &st) < 0)
		return error_set(err, EX_NOINPUT, "cannot read mail store '%s': %s",
				 path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (access(path, R_OK | X_OK) < 0)
			return error_set(err, EX_NOINPUT, "cannot read mail store '%s': %s",
					 path, strerror(errno));
		return walk_enter(&w, path, err);
	}
	if (!S_ISREG(st.st_mode))
		return error_set(err, EX_NOINPUT, "mail store '%s' is neither a file nor a folder",
				 path);
	if (access(path, R_OK) < 0)
		return error_set(err, EX_NOINPUT, "cannot read message '%s': %s",
				 path, strerror(errno));
	return scan_file(&w, path, STORE_EML, err);
}
