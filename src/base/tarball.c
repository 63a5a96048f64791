/* tarball.c - libarchive: deterministic .tar.gz out, untrusted tar in,
 * compressed streams decoded */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "archiveload.h"
#include "error.h"
#include "tarball.h"

static int
write_error(struct tarball_writer *w, struct error *err)
{
	const char *what = archive_error_string(w->a);
	int e = archive_errno(w->a);

	/* libarchive says only "Write error" when write(2) fails: the
	 * system's reason (a full disk) is in its errno.  EILSEQ and EINVAL
	 * are its own codes for format and usage errors, -1 for the rest. */
	if (e > 0 && e != EILSEQ && e != EINVAL)
		return error_set(err, EX_IOERR, "cannot write '%s': %s: %s", w->name,
				 what ? what : "write error", strerror(e));
	return error_set(err, EX_IOERR, "cannot write '%s': %s", w->name,
			 what ? what : "unknown error");
}

int
tarball_writer_open(struct tarball_writer *w, int fd, const char *name,
		    int64_t mtime, struct error *err)
{
	memset(w, 0, sizeof(*w));
	if (archiveload_check(err) < 0)
		return -1;
	w->name = name;
	w->mtime = mtime;
	w->a = archive_write_new();
	w->e = archive_entry_new();
	if (w->a == NULL || w->e == NULL) {
		tarball_writer_abort(w);
		return error_set(err, EX_OSERR, "cannot set up libarchive");
	}
	/* pax_restricted writes plain ustar headers and adds a pax extended
	 * header only for what ustar cannot hold; we never set atime, ctime
	 * or owner names, so nothing varies from run to run.  The gzip
	 * header's time would: it is switched off. */
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(w->a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(w->a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_open_fd(w->a, fd) != ARCHIVE_OK) {
		write_error(w, err);
		tarball_writer_abort(w);
		return -1;
	}
	return 0;
}

static void
entry_reset(struct tarball_writer *w, const char *path, mode_t type, mode_t perm)
{
	archive_entry_clear(w->e);
	archive_entry_set_pathname(w->e, path);
	archive_entry_set_filetype(w->e, type);
	archive_entry_set_perm(w->e, perm);
	archive_entry_set_uid(w->e, 0);
	archive_entry_set_gid(w->e, 0);
	archive_entry_set_mtime(w->e, (time_t)w->mtime, 0);
}

int
tarball_add_dir(struct tarball_writer *w, const char *path, struct error *err)
{
	entry_reset(w, path, AE_IFDIR, 0700);
	archive_entry_set_size(w->e, 0);
	if (archive_write_header(w->a, w->e) != ARCHIVE_OK)
		return write_error(w, err);
	return 0;
}

int
tarball_begin_file(struct tarball_writer *w, const char *path, int64_t size,
		   struct error *err)
{
	entry_reset(w, path, AE_IFREG, 0600);
	archive_entry_set_size(w->e, size);
	if (archive_write_header(w->a, w->e) != ARCHIVE_OK)
		return write_error(w, err);
	return 0;
}

int
tarball_write(struct tarball_writer *w, const void *data, size_t len, struct error *err)
{
	const char *p = data;

	while (len > 0) {
		la_ssize_t n = archive_write_data(w->a, p, len);

		if (n <= 0)
			return write_error(w, err);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
tarball_writer_close(struct tarball_writer *w, struct error *err)
{
	int rc = 0;

	if (archive_write_close(w->a) != ARCHIVE_OK)
		rc = write_error(w, err);
	tarball_writer_abort(w);
	return rc;
}

void
tarball_writer_abort(struct tarball_writer *w)
{
	if (w->a)
		archive_write_free(w->a);
	if (w->e)
		archive_entry_free(w->e);
	w->a = NULL;
	w->e = NULL;
}

static int
read_error(struct tarball_reader *r, struct error *err)
{
	return error_set(err, EX_DATAERR, "damaged or cut archive: %s",
			 archive_error_string(r->a) ? archive_error_string(r->a) : "unknown error");
}

int
tarball_reader_open(struct tarball_reader *r, const char *path, struct error *err)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (archiveload_check(err) < 0)
		return -1;
	r->name = path;
	if (stat(path, &st) < 0)
		return error_set(err, EX_NOINPUT, "cannot open bundle '%s': %s", path,
				 strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error_set(err, EX_NOINPUT, "cannot open bundle '%s': not a regular file",
				 path);
	r->a = archive_read_new();
	if (r->a == NULL)
		return error_set(err, EX_OSERR, "cannot set up libarchive");
	/* Only what fpkit writes: tar, plain or gzip-compressed.  Fewer
	 * decoders, less attack surface. */
	archive_read_support_filter_gzip(r->a);
	archive_read_support_format_tar(r->a);
	if (archive_read_open_filename(r->a, path, 65536) != ARCHIVE_OK) {
		error_set(err, EX_DATAERR, "'%s' is not a readable bundle: %s", path,
			  archive_error_string(r->a) ? archive_error_string(r->a) : "unknown error");
		tarball_reader_close(r);
		return -1;
	}
	return 0;
}

int
tarball_next(struct tarball_reader *r, struct tarball_entry *e, struct error *err)
{
	struct archive_entry *ae;
	int rc = archive_read_next_header(r->a, &ae);

	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
		return read_error(r, err);
	e->path = archive_entry_pathname(ae);
	if (e->path == NULL)
		e->path = "";
	e->size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
	if (archive_entry_hardlink(ae) != NULL)
		e->type = TARBALL_HARDLINK;
	else switch (archive_entry_filetype(ae)) {
	case AE_IFREG: e->type = TARBALL_FILE; break;
	case AE_IFDIR: e->type = TARBALL_DIR; break;
	case AE_IFLNK: e->type = TARBALL_SYMLINK; break;
	default: e->type = TARBALL_OTHER; break;
	}
	return 1;
}

ssize_t
tarball_read(struct tarball_reader *r, void *buf, size_t len, struct error *err)
{
	la_ssize_t n = archive_read_data(r->a, buf, len);

	if (n < 0)
		return read_error(r, err);
	return (ssize_t)n;
}

void
tarball_reader_close(struct tarball_reader *r)
{
	if (r->a)
		archive_read_free(r->a);
	r->a = NULL;
}

/* libarchive's read callback: the decoder's source, its failure made
 * libarchive's (the source keeps the real reason for its caller). */
static la_ssize_t
decoder_read_cb(struct archive *a, void *arg, const void **buf)
{
	struct tarball_decoder *d = arg;
	ssize_t n = d->source(d->arg, buf);

	if (n < 0) {
		archive_set_error(a, EIO, "cannot read the compressed data");
		return ARCHIVE_FATAL;
	}
	return (la_ssize_t)n;
}

int
tarball_decoder_open(struct tarball_decoder *d, tarball_source *source, void *arg,
		     const char *name, struct error *err)
{
	struct archive_entry *ae;

	memset(d, 0, sizeof(*d));
	if (archiveload_check(err) < 0)
		return -1;
	d->source = source;
	d->arg = arg;
	d->name = name;
	d->a = archive_read_new();
	if (d->a == NULL)
		return error_set(err, EX_OSERR, "cannot set up libarchive");
	/* As tarball_stream_open: the compressions mail is rotated with,
	 * and "raw" for the decompressed bytes as one entry. */
	archive_read_support_filter_gzip(d->a);
	archive_read_support_filter_xz(d->a);
	archive_read_support_filter_bzip2(d->a);
	archive_read_support_filter_zstd(d->a);
	archive_read_support_format_raw(d->a);
	if (archive_read_open(d->a, d, NULL, decoder_read_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(d->a, &ae) != ARCHIVE_OK) {
		error_set(err, EX_DATAERR, "cannot read compressed '%s': %s", name,
			  archive_error_string(d->a) ? archive_error_string(d->a) : "unknown error");
		tarball_decoder_close(d);
		return -1;
	}
	return 0;
}

ssize_t
tarball_decoder_read(struct tarball_decoder *d, void *buf, size_t len, struct error *err)
{
	la_ssize_t n = archive_read_data(d->a, buf, len);

	if (n < 0)
		return error_set(err, EX_DATAERR, "'%s': damaged or cut compressed data: %s", d->name,
				 archive_error_string(d->a) ? archive_error_string(d->a) : "unknown error");
	return (ssize_t)n;
}

void
tarball_decoder_close(struct tarball_decoder *d)
{
	if (d->a)
		archive_read_free(d->a);
	d->a = NULL;
}

void
tarball_library_version(const char **built, const char **running)
{
	const char *r;

	*built = ARCHIVE_VERSION_ONLY_STRING;
	if (archiveload_error()) {
		*running = "none (cannot be loaded)";
		return;
	}
	r = archive_version_string();	/* "libarchive 3.6.2" */
	*running = strncmp(r, "libarchive ", 11) == 0 ? r + 11 : r;
}
