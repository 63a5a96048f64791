/* tarmk.c - write a .tar.gz from a spec, including what fpkit never
 * writes (absolute names, '..', links, devices, sizes that lie), to test
 * that 'fpkit verify' refuses them.
 *
 * usage: tarmk OUT.tar.gz ENTRY...
 *   f:NAME=FILE    a regular file with FILE's content
 *   s:NAME=TEXT    a regular file holding TEXT
 *   d:NAME         a folder
 *   l:NAME=TARGET  a symlink
 *   h:NAME=TARGET  a hard link
 *   c:NAME         a character device
 *   z:NAME=N       a file whose header claims N bytes, after which the
 *                  archive is cut 1000 bytes in (must be the last entry;
 *                  the tarball is then written without gzip, so that the
 *                  cut lands inside the tar stream)
 * NAME may hold any byte but NUL, UTF-8 or not.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
fail(struct archive *a, const char *what)
{
	fprintf(stderr, "tarmk: %s: %s\n", what, archive_error_string(a));
	return 1;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t alloc = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (*len + 65536 > alloc) {
			alloc = (*len + 65536) * 2;
			buf = realloc(buf, alloc);
			if (buf == NULL)
				exit(2);
		}
		n = fread(buf + *len, 1, 65536, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	struct archive *a;
	struct archive_entry *e;

	if (argc < 2) {
		fprintf(stderr, "usage: tarmk OUT.tar.gz ENTRY...\n");
		return 2;
	}
	int cut = argv[argc - 1][0] == 'z';
	la_int64_t cut_at = -1;

	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	/* Names as raw bytes, so that a name that is not UTF-8 can be
	 * written whatever the locale. */
	archive_write_set_format_option(a, "pax", "hdrcharset", "BINARY");
	if (!cut)
		archive_write_add_filter_gzip(a);
	if (archive_write_open_filename(a, argv[1]) != ARCHIVE_OK)
		return fail(a, argv[1]);
	e = archive_entry_new();
	for (int i = 2; i < argc; i++) {
		char kind = argv[i][0];
		char *spec = strdup(argv[i] + 2), *eq = strchr(spec, '=');
		const char *value = eq ? eq + 1 : "";
		char *data = NULL;
		size_t len = 0;

		if (eq)
			*eq = '\0';
		archive_entry_clear(e);
		archive_entry_set_pathname(e, spec);
		archive_entry_set_mtime(e, 0, 0);
		archive_entry_set_perm(e, 0600);
		switch (kind) {
		case 'f':
			data = slurp(value, &len);
			if (data == NULL) {
				fprintf(stderr, "tarmk: cannot read %s\n", value);
				return 2;
			}
			/* fall through */
		case 's':
			if (kind == 's') {
				data = strdup(value);
				len = strlen(value);
			}
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)len);
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0700);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, value);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, value);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			break;
		case 'z':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)strtoll(value, NULL, 10));
			break;
		default:
			fprintf(stderr, "tarmk: bad entry '%s'\n", argv[i]);
			return 2;
		}
		if (archive_write_header(a, e) != ARCHIVE_OK)
			return fail(a, spec);
		if (len && archive_write_data(a, data, len) != (la_ssize_t)len)
			return fail(a, spec);
		free(data);
		free(spec);
		if (kind == 'z') {
			cut_at = archive_filter_bytes(a, 0) + 1000;
			break;
		}
	}
	archive_entry_free(e);
	if (archive_write_close(a) != ARCHIVE_OK)
		return fail(a, "close");
	archive_write_free(a);
	/* The entry's data is cut short: its header now lies. */
	if (cut_at >= 0 && truncate(argv[1], (off_t)cut_at) < 0) {
		perror("tarmk: truncate");
		return 2;
	}
	return 0;
}
