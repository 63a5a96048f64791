/* store.h - walking mail stores and reading each message's header block */
#ifndef FPKIT_STORE_H
#define FPKIT_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct diag;
struct error;

enum store_format {
	STORE_EML,		/* a single message file (named, or *.eml in a folder) */
	STORE_MAILDIR,		/* a file in a Maildir's cur/ or new/ */
};

/* The name of a format as summary.json and find --json write it. */
const char *store_format_name(enum store_format f);

/* One message met during a scan; everything is borrowed and valid only
 * during the callback. */
struct store_msg {
	const char *path;	/* the file, as reached from the scanned path */
	enum store_format format;
	int64_t offset;		/* where the message starts in the file */
	int64_t length;		/* its length in bytes */
	dev_t dev;		/* identity of the file, to spot one file */
	ino_t ino;		/* reached by two paths */
	const char *header;	/* the header block (or its first part) */
	size_t header_len;
	bool header_complete;	/* false: the block hit max_header or EOF */
};

/* Return 0 to go on, -1 (with err set) to stop the scan. */
typedef int (*store_msg_fn)(const struct store_msg *msg, void *data,
			    struct error *err);

struct store_options {
	size_t max_header;	/* bytes of header block read per message */
	struct diag *diag;	/* where skipped files are reported */
};

#define STORE_MAX_HEADER_DEFAULT (1024 * 1024)

/* Scan 'path': a message file (any name), a Maildir (cur/ and new/; tmp/
 * ignored; nested Maildir++ folders followed), or a folder searched
 * recursively for *.eml files and Maildirs.  Entries are visited in byte
 * order of their names, so scans are repeatable.  Files that cannot be
 * read, symlink loops and files that vanish are reported to opt->diag and
 * skipped.  Fails (EX_NOINPUT) only when 'path' itself cannot be read, or
 * when fn fails. */
int store_scan(const char *path, const struct store_options *opt,
	       store_msg_fn fn, void *data, struct error *err);

#endif
