/* bundle.c - the package stage */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "bundle.h"
#include "error.h"
#include "outfile.h"
#include "strbuf.h"
#include "tarball.h"
#include "xalloc.h"

void
bundle_init(struct bundle *b, const char *top, int64_t mtime)
{
	memset(b, 0, sizeof(*b));
	b->top = xstrdup(top);
	b->mtime = mtime;
}

void
bundle_release(struct bundle *b)
{
	for (size_t i = 0; i < b->nr; i++) {
		free(b->entries[i].name);
		if (!b->entries[i].borrowed)
			free(b->entries[i].data);
		if (b->entries[i].own_fd)
			close(b->entries[i].fd);
	}
	free(b->entries);
	free(b->top);
	memset(b, 0, sizeof(*b));
}

static struct bundle_entry *
new_entry(struct bundle *b, const char *name)
{
	struct bundle_entry *e;

	b->entries = xgrow(b->entries, b->nr + 1, &b->alloc, sizeof(*b->entries));
	e = &b->entries[b->nr++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->fd = -1;
	return e;
}

void
bundle_add_take(struct bundle *b, const char *name, char *data, size_t len)
{
	struct bundle_entry *e = new_entry(b, name);

	e->data = data;
	e->length = (int64_t)len;
	digest_buffer(data, len, e->sha256);
}

void
bundle_add_data(struct bundle *b, const char *name, const void *data, size_t len)
{
	char *copy = xmalloc(len + 1);

	memcpy(copy, data, len);
	copy[len] = '\0';
	bundle_add_take(b, name, copy, len);
}

void
bundle_add_ref(struct bundle *b, const char *name, const char *data, size_t len,
	       const char *sha256)
{
	struct bundle_entry *e = new_entry(b, name);

	e->data = (char *)data;
	e->borrowed = true;
	e->length = (int64_t)len;
	memcpy(e->sha256, sha256, DIGEST_HEX_SIZE);
}

void
bundle_add_fd(struct bundle *b, const char *name, int fd, size_t len, const char *sha256)
{
	struct bundle_entry *e = new_entry(b, name);

	e->fd = fd;
	e->borrowed = true;
	e->length = (int64_t)len;
	memcpy(e->sha256, sha256, DIGEST_HEX_SIZE);
}

void
bundle_add_fd_take(struct bundle *b, const char *name, int fd, size_t len, const char *sha256)
{
	bundle_add_fd(b, name, fd, len, sha256);
	b->entries[b->nr - 1].own_fd = true;
}

/* An entry's content into the tarball: from memory, or from its file in
 * pieces, so that a large sample is never whole in memory. */
static int
write_content(struct tarball_writer *w, const struct bundle_entry *e, struct error *err)
{
	char buf[65536];
	int64_t off = 0;

	if (e->fd < 0)
		return tarball_write(w, e->data, (size_t)e->length, err);
	while (off < e->length) {
		size_t want = e->length - off < (int64_t)sizeof(buf) ? (size_t)(e->length - off)
			      : sizeof(buf);
		ssize_t n = pread(e->fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error_set(err, EX_IOERR, "cannot read the temporary copy of '%s': %s",
					 e->name, n == 0 ? "it became shorter" : strerror(errno));
		if (tarball_write(w, buf, (size_t)n, err) < 0)
			return -1;
		off += n;
	}
	return 0;
}

const struct bundle_entry *
bundle_find(const struct bundle *b, const char *name)
{
	for (size_t i = 0; i < b->nr; i++)
		if (strcmp(b->entries[i].name, name) == 0)
			return &b->entries[i];
	return NULL;
}

static int
cmp_entries(const void *x, const void *y)
{
	return strcmp(((const struct bundle_entry *)x)->name,
		      ((const struct bundle_entry *)y)->name);
}

/* Add the folders of 'name' not yet written (entries are sorted, so a
 * folder's files come together; 'last' is the previous entry's name). */
static int
write_parents(struct tarball_writer *w, const char *top, const char *name,
	      const char *last, struct error *err)
{
	const char *slash;

	for (slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - name) + 1;
		char *dir;
		int rc;

		if (last && strncmp(last, name, n) == 0)
			continue;
		dir = xasprintf("%s/%.*s", top, (int)n, name);
		rc = tarball_add_dir(w, dir, err);
		free(dir);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static char *
make_sha256sums(const struct bundle *b, size_t *len)
{
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	for (size_t i = 0; i < b->nr; i++)
		strbuf_addf(&sb, "%s  %s\n", b->entries[i].sha256, b->entries[i].name);
	return strbuf_detach(&sb, len);
}

/* SHA256SUMS over the other entries, once; then every entry in byte
 * order of its name. */
static void
finish_entries(struct bundle *b)
{
	char *sums;
	size_t sums_len;

	if (bundle_find(b, "SHA256SUMS") == NULL) {
		qsort(b->entries, b->nr, sizeof(*b->entries), cmp_entries);
		sums = make_sha256sums(b, &sums_len);
		bundle_add_take(b, "SHA256SUMS", sums, sums_len);
	}
	qsort(b->entries, b->nr, sizeof(*b->entries), cmp_entries);
}

/* The tarball into the open outfile 'out', not yet committed. */
static int
write_tarball(struct bundle *b, struct outfile *out, const char *path, struct error *err)
{
	struct tarball_writer w;
	const char *last = NULL;
	char *top;
	int rc;

	if (tarball_writer_open(&w, out->fd, path, b->mtime, err) < 0)
		return -1;
	top = xasprintf("%s/", b->top);
	rc = tarball_add_dir(&w, top, err);
	free(top);
	for (size_t i = 0; rc == 0 && i < b->nr; i++) {
		const struct bundle_entry *e = &b->entries[i];
		char *name = xasprintf("%s/%s", b->top, e->name);

		rc = write_parents(&w, b->top, e->name, last, err);
		if (rc == 0)
			rc = tarball_begin_file(&w, name, e->length, err);
		if (rc == 0)
			rc = write_content(&w, e, err);
		free(name);
		last = e->name;
	}
	if (rc < 0) {
		tarball_writer_abort(&w);
		return -1;
	}
	return tarball_writer_close(&w, err);
}

int
bundle_write(struct bundle *b, const char *path, bool replace, struct error *err)
{
	struct outfile out = { NULL, NULL, -1 };
	int rc = -1;

	finish_entries(b);
	if (outfile_open(&out, path, err) < 0)
		return -1;
	if (write_tarball(b, &out, path, err) == 0)
		rc = outfile_commit(&out, replace, err);
	outfile_abort(&out);
	return rc;
}

/* The folders of 'name' not made yet in the outdir ('last': the
 * previous entry's name, as write_parents). */
static int
make_parents(struct outdir *d, const char *name, const char *last, struct error *err)
{
	for (const char *slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - name) + 1;
		char *dir;
		int rc;

		if (last && strncmp(last, name, n) == 0)
			continue;
		dir = xstrndup(name, n - 1);
		rc = outdir_add_dir(d, dir, err);
		free(dir);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
write_folder(struct bundle *b, struct outdir *d, struct error *err)
{
	const char *last = NULL;

	for (size_t i = 0; i < b->nr; i++) {
		const struct bundle_entry *e = &b->entries[i];

		if (make_parents(d, e->name, last, err) < 0 ||
		    outdir_add_file_from(d, e->name, e->data, (size_t)e->length, e->fd, err) < 0)
			return -1;
		last = e->name;
	}
	return 0;
}

/* Before anything is written: what is under the final names may be
 * replaced (--force), or not at all; and a folder is replaced only if
 * it is a bundle's, so that a mistyped -o never empties another. */
static int
check_targets(const char *path, const char *folder, bool replace, struct error *err)
{
	struct stat st;
	char *sums;
	int r;

	if (!replace && lstat(path, &st) == 0)
		return error_set(err, EX_CANTCREAT, "'%s' already exists: remove it, give another "
				 "name with -o, or use --force", path);
	if (lstat(folder, &st) < 0)
		return 0;
	if (!replace)
		return error_set(err, EX_CANTCREAT, "'%s' already exists: remove it, write "
				 "elsewhere with -o, or use --force", folder);
	sums = xasprintf("%s/SHA256SUMS", folder);
	r = S_ISDIR(st.st_mode) ? lstat(sums, &st) : -1;
	free(sums);
	if (r < 0 || !S_ISREG(st.st_mode))
		return error_set(err, EX_CANTCREAT, "'%s' exists and is no bundle folder (it "
				 "holds no SHA256SUMS): --force replaces only a bundle's folder; "
				 "remove or rename it", folder);
	return 0;
}

int
bundle_write_unpacked(struct bundle *b, const char *path, const char *folder, bool replace,
		      struct diag *diag, struct error *err)
{
	struct outfile out = { NULL, NULL, -1 };
	struct outdir d = { .fd = -1 };
	bool had_file;
	char *left = NULL;
	struct stat st;
	int rc = -1;

	if (check_targets(path, folder, replace, err) < 0)
		return -1;
	finish_entries(b);
	if (outfile_open(&out, path, err) < 0)
		return -1;
	if (write_tarball(b, &out, path, err) < 0 ||
	    outdir_open(&d, folder, b->mtime, err) < 0 || write_folder(b, &d, err) < 0)
		goto out;
	/* Both are whole under their temporary names; the tarball goes
	 * first, and goes again when the folder cannot follow it, unless
	 * it replaced one. */
	had_file = lstat(path, &st) == 0;
	if (outfile_commit(&out, replace, err) < 0)
		goto out;
	if (outdir_commit(&d, replace, &left, err) < 0) {
		if (!had_file)
			unlink(path);
		goto out;
	}
	if (left)
		diag_add(diag, "the folder '%s' replaced could not be removed in full: what is "
			 "left of it is in '%s'", folder, left);
	rc = 0;
out:
	free(left);
	outdir_abort(&d);
	outfile_abort(&out);
	return rc;
}
