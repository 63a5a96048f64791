/* archiveload.c - libarchive, loaded by the commands that use it
 *
 * libarchive and the libraries it stands on (libxml2, ICU, the C++
 * runtime, ACL, LZ4, Nettle and OpenSSL's libcrypto) cost every start
 * of fpkit about 2 ms of loading and relocating when linked: as much as
 * a twentieth of searching a 1 GiB mbox.  As for libcurl (curlload.c),
 * the functions tarball.c calls are defined here under libarchive's
 * names, each loading the library on its first call: commands that
 * write or read no bundle and decompress nothing (find and check on
 * plain stores, posture, queue, ...) never load it.
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdio.h>
#include <sysexits.h>

#include "archiveload.h"
#include "dlcall.h"
#include "error.h"

static struct dlcall_lib libarchive = DLCALL_LIB(FPKIT_ARCHIVE_SONAME, "libarchive",
						 "libarchive13", FPKIT_ARCHIVE_MIN);

const char *
archiveload_error(void)
{
	return dlcall_error(&libarchive);
}

int
archiveload_check(struct error *err)
{
	const char *why = dlcall_error(&libarchive);

	if (why == NULL)
		return 0;
	return error_set(err, EX_OSFILE, "cannot load libarchive (%s): %s; install it (Debian: "
			 "apt-get install %s)", libarchive.soname, why, libarchive.package);
}

#define FORWARD(type, name, params, args) DLCALL(libarchive, type, name, params, args)
#define FORWARD_VOID(name, params, args) DLCALL_VOID(libarchive, name, params, args)

typedef struct archive_entry entry;

FORWARD(const char *, archive_version_string, (void), ())
FORWARD(int, archive_errno, (struct archive *a), (a))
FORWARD(const char *, archive_error_string, (struct archive *a), (a))

FORWARD(entry *, archive_entry_new, (void), ())
FORWARD(entry *, archive_entry_clear, (entry *e), (e))
FORWARD_VOID(archive_entry_free, (entry *e), (e))
FORWARD(__LA_MODE_T, archive_entry_filetype, (entry *e), (e))
FORWARD(const char *, archive_entry_hardlink, (entry *e), (e))
FORWARD(const char *, archive_entry_pathname, (entry *e), (e))
FORWARD(la_int64_t, archive_entry_size, (entry *e), (e))
FORWARD(int, archive_entry_size_is_set, (entry *e), (e))
FORWARD_VOID(archive_entry_set_filetype, (entry *e, unsigned int t), (e, t))
FORWARD_VOID(archive_entry_set_gid, (entry *e, la_int64_t g), (e, g))
FORWARD_VOID(archive_entry_set_uid, (entry *e, la_int64_t u), (e, u))
FORWARD_VOID(archive_entry_set_mtime, (entry *e, time_t t, long ns), (e, t, ns))
FORWARD_VOID(archive_entry_set_pathname, (entry *e, const char *p), (e, p))
FORWARD_VOID(archive_entry_set_perm, (entry *e, __LA_MODE_T m), (e, m))
FORWARD_VOID(archive_entry_set_size, (entry *e, la_int64_t n), (e, n))

FORWARD(struct archive *, archive_read_new, (void), ())
FORWARD(int, archive_read_free, (struct archive *a), (a))
FORWARD(int, archive_read_support_filter_bzip2, (struct archive *a), (a))
FORWARD(int, archive_read_support_filter_gzip, (struct archive *a), (a))
FORWARD(int, archive_read_support_filter_xz, (struct archive *a), (a))
FORWARD(int, archive_read_support_filter_zstd, (struct archive *a), (a))
FORWARD(int, archive_read_support_format_raw, (struct archive *a), (a))
FORWARD(int, archive_read_support_format_tar, (struct archive *a), (a))
FORWARD(int, archive_read_open,
	(struct archive *a, void *data, archive_open_callback *o, archive_read_callback *r,
	 archive_close_callback *c),
	(a, data, o, r, c))
FORWARD(int, archive_read_open_filename, (struct archive *a, const char *path, size_t block),
	(a, path, block))
FORWARD(int, archive_read_next_header, (struct archive *a, entry **e), (a, e))
FORWARD(la_ssize_t, archive_read_data, (struct archive *a, void *buf, size_t n), (a, buf, n))

FORWARD(struct archive *, archive_write_new, (void), ())
FORWARD(int, archive_write_free, (struct archive *a), (a))
FORWARD(int, archive_write_add_filter_gzip, (struct archive *a), (a))
FORWARD(int, archive_write_set_format_pax_restricted, (struct archive *a), (a))
FORWARD(int, archive_write_set_filter_option,
	(struct archive *a, const char *m, const char *o, const char *v), (a, m, o, v))
FORWARD(int, archive_write_open_fd, (struct archive *a, int fd), (a, fd))
FORWARD(int, archive_write_header, (struct archive *a, entry *e), (a, e))
FORWARD(la_ssize_t, archive_write_data, (struct archive *a, const void *buf, size_t n),
	(a, buf, n))
FORWARD(int, archive_write_close, (struct archive *a), (a))

/* The one variadic one: the message made here, handed over whole. */
void
archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	DLCALL_FN(libarchive, void, archive_set_error, (struct archive *, int, const char *, ...))
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f(a, err, "%s", msg);
}
