/* bundle.h - the package stage: the bundle's files, SHA256SUMS, and the
 * tarball written atomically */
#ifndef FPKIT_BUNDLE_H
#define FPKIT_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"

struct diag;
struct error;

struct bundle_entry {
	char *name;		/* path below the top folder, e.g. "api/stats.json" */
	char *data;		/* the content */
	bool borrowed;		/* data is the caller's (bundle_add_ref) */
	int fd;			/* the content is in this file from its start
				 * (bundle_add_fd), not in data; else -1 */
	bool own_fd;		/* closed with the bundle (bundle_add_fd_take) */
	int64_t length;
	char sha256[DIGEST_HEX_SIZE];
};

struct bundle {
	char *top;		/* the top folder, e.g. fpkit-IP-20220829T164250Z */
	int64_t mtime;		/* every entry's mtime */
	struct bundle_entry *entries;
	size_t nr, alloc;
};

void bundle_init(struct bundle *b, const char *top, int64_t mtime);
void bundle_release(struct bundle *b);

/* Add a file from memory; bundle_add_data copies, bundle_add_take steals
 * 'data' (which must come from malloc). */
void bundle_add_data(struct bundle *b, const char *name, const void *data, size_t len);
void bundle_add_take(struct bundle *b, const char *name, char *data, size_t len);

/* Add a file from memory that stays the caller's (borrowed: it must
 * outlive the bundle's writing), whose SHA-256 the caller already has:
 * the samples, read once from their store. */
void bundle_add_ref(struct bundle *b, const char *name, const char *data, size_t len,
		    const char *sha256);

/* Add a file whose content is the first len bytes of the file open on
 * fd, read in pieces (pread) when the bundle is written, and whose
 * SHA-256 the caller has: a large sample, report.arf made from one.
 * bundle_add_fd leaves fd the caller's (it must stay open until the
 * bundle is written); bundle_add_fd_take closes it with the bundle. */
void bundle_add_fd(struct bundle *b, const char *name, int fd, size_t len,
		   const char *sha256);
void bundle_add_fd_take(struct bundle *b, const char *name, int fd, size_t len,
			const char *sha256);

const struct bundle_entry *bundle_find(const struct bundle *b, const char *name);

/* Write the tarball to 'path': the entries in byte order of their names
 * with their folders, plus SHA256SUMS over all of them, through an
 * outfile (temporary name, then link or, with 'replace', rename).  On
 * failure nothing exists under 'path'. */
int bundle_write(struct bundle *b, const char *path, bool replace, struct error *err);

/* bundle_write, and the same tree also as a plain folder at 'folder'
 * (named as the top folder, beside the tarball: what extracting the
 * tarball gives, files 0600, folders 0700, every mtime the bundle's),
 * both written whole under temporary names, then put in place: the
 * tarball, then the folder (outdir_commit).  Without 'replace', an
 * existing tarball or folder is refused before anything is written
 * (EX_CANTCREAT); with it, only a folder that holds a SHA256SUMS file
 * is replaced.  When the folder cannot be put in place, the tarball
 * goes again unless it replaced another.  'diag' gets a warning when
 * the folder replaced could not be removed in full. */
int bundle_write_unpacked(struct bundle *b, const char *path, const char *folder,
			  bool replace, struct diag *diag, struct error *err);

#endif
