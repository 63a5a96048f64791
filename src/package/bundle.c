/* bundle.c - the package stage */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

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

int
bundle_write(struct bundle *b, const char *path, bool replace, struct error *err)
{
	struct tarball_writer w;
	struct outfile out = { NULL, NULL, -1 };
	const char *last = NULL;
	char *sums, *top;
	size_t sums_len;
	int rc = -1;

	if (bundle_find(b, "SHA256SUMS") == NULL) {
		qsort(b->entries, b->nr, sizeof(*b->entries), cmp_entries);
		sums = make_sha256sums(b, &sums_len);
		bundle_add_take(b, "SHA256SUMS", sums, sums_len);
	}
	qsort(b->entries, b->nr, sizeof(*b->entries), cmp_entries);

	if (outfile_open(&out, path, err) < 0)
		return -1;
	if (tarball_writer_open(&w, out.fd, path, b->mtime, err) < 0)
		goto out;
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
			rc = tarball_write(&w, e->data, (size_t)e->length, err);
		free(name);
		last = e->name;
	}
	if (rc < 0) {
		tarball_writer_abort(&w);
		goto out;
	}
	rc = tarball_writer_close(&w, err);
	if (rc == 0)
		rc = outfile_commit(&out, replace, err);
out:
	outfile_abort(&out);
	return rc;
}
