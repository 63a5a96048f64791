/* tarball.h - libarchive: writing deterministic .tar.gz files, reading
 * them back as untrusted input, and decoding compressed streams */
#ifndef FPKIT_TARBALL_H
#define FPKIT_TARBALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;
struct archive;
struct archive_entry;

struct tarball_writer {
	struct archive *a;
	struct archive_entry *e;	/* reused for every entry */
	int64_t mtime;		/* the one mtime every entry gets */
	const char *name;	/* output name for messages (borrowed) */
};

/* Start a gzip-compressed POSIX tar on fd.  Every entry gets mtime, uid
 * and gid 0, no owner names, mode 0600 (files) or 0700 (folders), and the
 * gzip header carries no name and no time: the same entries give the
 * same bytes. */
int tarball_writer_open(struct tarball_writer *w, int fd, const char *name,
			int64_t mtime, struct error *err);
int tarball_add_dir(struct tarball_writer *w, const char *path, struct error *err);
/* Start a file entry of exactly 'size' bytes, then give them with
 * tarball_write. */
int tarball_begin_file(struct tarball_writer *w, const char *path, int64_t size,
		       struct error *err);
int tarball_write(struct tarball_writer *w, const void *data, size_t len,
		  struct error *err);
/* Finish the archive (flushes); the fd stays open. */
int tarball_writer_close(struct tarball_writer *w, struct error *err);
/* Free everything after a failure. */
void tarball_writer_abort(struct tarball_writer *w);

enum tarball_type {
	TARBALL_FILE,
	TARBALL_DIR,
	TARBALL_SYMLINK,
	TARBALL_HARDLINK,
	TARBALL_OTHER,
};

struct tarball_entry {
	const char *path;	/* borrowed until the next tarball_next */
	enum tarball_type type;
	int64_t size;		/* as the header says */
};

struct tarball_reader {
	struct archive *a;
	const char *name;	/* file name for messages (borrowed) */
};

/* Open a .tar or .tar.gz for reading; EX_NOINPUT when it cannot be
 * opened, EX_DATAERR when it is not such an archive. */
int tarball_reader_open(struct tarball_reader *r, const char *path, struct error *err);
/* 1 and the next entry, 0 at the end, -1 (EX_DATAERR) on a damaged
 * archive; the message does not name the file. */
int tarball_next(struct tarball_reader *r, struct tarball_entry *e, struct error *err);
/* Read the current entry's data: bytes read, 0 at its end, -1 when the
 * archive is cut or damaged. */
ssize_t tarball_read(struct tarball_reader *r, void *buf, size_t len, struct error *err);
void tarball_reader_close(struct tarball_reader *r);

/* Compressed bytes for a decoder: *buf points to the next ones (owned
 * by the source, valid until its next call); returns their count, 0 at
 * the end, -1 when they cannot be read (the source keeps the reason). */
typedef ssize_t tarball_source(void *arg, const void **buf);

/* A compressed stream (gzip, xz, bzip2, zstd: libarchive's filters and
 * its "raw" format) decoded from the bytes a source gives, so that the
 * caller reads the file, counts what it read and bounds what it costs
 * (instream.c).  It holds a pointer to itself: do not move it while
 * open. */
struct tarball_decoder {
	struct archive *a;
	tarball_source *source;
	void *arg;
	const char *name;	/* file name for messages (borrowed) */
};

/* Start decoding: the source is asked for the first bytes at once.
 * EX_DATAERR "cannot read compressed 'NAME'" when they are in no known
 * compression (or the source failed). */
int tarball_decoder_open(struct tarball_decoder *d, tarball_source *source, void *arg,
			 const char *name, struct error *err);
/* Up to len decompressed bytes (fewer only at the end): the count, 0 at
 * the end, -1 (EX_DATAERR) when the data is damaged or cut, or the
 * source failed. */
ssize_t tarball_decoder_read(struct tarball_decoder *d, void *buf, size_t len,
			     struct error *err);
void tarball_decoder_close(struct tarball_decoder *d);

/* The version of libarchive fpkit was built with (*built) and runs with
 * (*running), for fpkit --version; static strings. */
void tarball_library_version(const char **built, const char **running);

#endif
