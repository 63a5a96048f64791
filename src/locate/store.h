/* store.h - walking mail stores and reading each message's header block */
#ifndef FPKIT_STORE_H
#define FPKIT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct diag;
struct error;
struct strbuf;

enum store_format {
	STORE_EML,		/* a single message file (named, or *.eml in a folder) */
	STORE_MAILDIR,		/* a file in a Maildir's cur/ or new/ */
	STORE_MBOX,		/* a message inside an mbox file */
	STORE_MH,		/* a numbered file of an MH folder */
	STORE_DOVECOT,		/* a message Dovecot's doveadm gave (dovecot.c) */
	STORE_IMAP,		/* a message an IMAP server gave (imapstore.c) */
};

/* The bytes a plain folder's file is judged by: see store_looks_like_message. */
#define STORE_SNIFF_WINDOW 1024

/* Whether buf (a file's first bytes, len of them) starts an RFC 5322
 * message: a field line (a name of ftext characters, RFC 5322 3.6.8,
 * white space allowed before the colon as in its obsolete syntax) then,
 * within the first STORE_SNIFF_WINDOW bytes, another field line or the
 * empty line that ends the header block, each line in between being a
 * field or a folded continuation (starting with a space or a tab).  The
 * first name starts with a letter, as every mail writer's do (RFC 5322
 * allows any ftext, and so do the fields after it): a JSON object, a C
 * comment or an INI section is no message.  No NUL byte; a byte order
 * mark is not a field name (a file starting with one is no message). */
bool store_looks_like_message(const char *buf, size_t len);

/* The name of a format as summary.json and find --json write it. */
const char *store_format_name(enum store_format f);

/* One message met during a scan; everything is borrowed and valid only
 * during the callback. */
struct store_msg {
	const char *path;	/* the file, as reached from the scanned path */
	enum store_format format;
	const char *compression; /* NULL, or "gzip", "xz", "bzip2", "zstd":
				  * then offsets count decompressed bytes */
	int64_t offset;		/* where the message starts in the file (for
				 * an mbox: after its "From " line) */
	int64_t length;		/* its length (for an mbox: up to the next
				 * "From " line or the end of the file, less
				 * the empty line the writer put there, see
				 * mboxsep_trailer); -1 for a file until
				 * store_msg_complete() */
	dev_t dev;		/* identity of the file (after completion) */
	ino_t ino;
	const char *header;	/* the header block (or its first part) */
	size_t header_len;
	bool header_complete;	/* false: the block hit max_header or EOF */
	int fd;			/* private: the open file, or -1 */
	/* A message that a program or a server holds (dovecot, imap): path
	 * is its source as summary.json names it, no file stands behind
	 * it (dev, ino, offset 0, length -1), and fetch appends its bytes
	 * to out (within out's cap: EX_DATAERR past it).  NULL for files. */
	int (*fetch)(const struct store_msg *msg, struct strbuf *out, struct error *err);
	void *fetch_data;	/* private to fetch */
};

/* What a --mail argument names. */
enum store_spec_kind {
	STORE_SPEC_PATH,	/* a file or folder */
	STORE_SPEC_DOVECOT,	/* dovecot:USER[/MAILBOX][?config=FILE], dovecot:* */
	STORE_SPEC_IMAP,	/* imaps://USER@HOST[:PORT]/MAILBOX, imap:// on loopback */
};

struct store_spec {
	enum store_spec_kind kind;
	char *user;		/* dovecot: the user, NULL for all (-A) */
	char *mailbox;		/* dovecot: the mailbox, NULL for all */
	char *config;		/* dovecot: doveadm's -c, NULL for its default */
	char *url;		/* imap: the URL as given (no password in it) */
};


/* Fill length, dev and ino of a message that is a whole file (they are
 * not looked up for every file: most messages are not wanted).  0, or -1
 * when the file cannot be stat'ed. */
int store_msg_complete(struct store_msg *msg);

/* Return 0 to go on, -1 (with err set) to stop the scan. */
typedef int (*store_msg_fn)(struct store_msg *msg, void *data, struct error *err);

struct store_options {
	size_t max_header;	/* bytes of header block read per message */
	struct diag *diag;	/* where skipped files are reported */
	/* Optional, called for every message from the reading threads at
	 * the same time, so it must be thread-safe: false passes the
	 * message over without calling fn (which runs one at a time). */
	bool (*want)(const struct store_msg *msg, void *data);
	/* Optional, with want: a first test that an mbox scan makes itself,
	 * where it finds the Message-ID fields quicker than want would read
	 * the header: called (thread-safe) for each such field's value as
	 * msgid_next_field() gives it; a message none of whose values
	 * passes is passed over without want or fn, and counted to
	 * 'passed' (from time to time, n messages at a time) instead. */
	bool (*want_id)(const char *value, size_t len, void *data);
	void (*passed)(uint64_t n, void *data);
};

/* Scan 'path': a message file (any name), an mbox file (one that starts
 * with "From "), either of them compressed with gzip, xz, bzip2 or zstd,
 * a Maildir (cur/ and new/; tmp/ ignored; nested Maildir++ folders
 * followed), or a folder searched recursively for Maildirs, *.eml files
 * and mbox files.  Sub-folders are entered in byte order of their names;
 * the files of a folder are read by several threads in the order the file
 * system lists them, so fn sees messages in no set order (the finder
 * sorts what it keeps).  Files that cannot be read, symlink loops and
 * files that vanish are reported to opt->diag and skipped; a compressed
 * file that is damaged or passes a limit on decompression (instream.h)
 * is searched up to there, with a warning.  Fails
 * (EX_NOINPUT) only when 'path' itself cannot be read, or when fn fails. */
int store_scan(const char *path, const struct store_options *opt,
	       store_msg_fn fn, void *data, struct error *err);


/* What extraction did to a message's bytes. */
struct store_extract_info {
	unsigned long unquoted;	/* mboxrd ">From " lines given back one '>' */
	unsigned trailer;	/* bytes right after an mbox message that are
				 * its writer's empty line, left out: 1 (LF),
				 * 2 (CR LF), or 0 (none, or not read) */
};

/* Open again a file the scan found, for reading: the file whose device
 * and inode the scan saw, a regular file, reached without following a
 * symbolic link unless 'follow' (the path given to store_scan itself).
 * A Maildir message moved since between new/ and cur/ (a client read it)
 * is found under its new name, set in *moved (new string; else NULL).
 * Returns the descriptor (the caller closes it), or -1: EX_NOINPUT when
 * it is gone or another file now stands in its place, EX_IOERR. */
int store_open_verified(const char *path, dev_t dev, ino_t ino, bool follow, char **moved,
			struct error *err);

/* Append the bytes of the message at offset/length of the open file fd
 * (named 'path' in messages) to out, whose cap bounds the size: a file
 * range copied as it is, or an mbox message with its mboxrd quoting
 * undone (">From " -> "From ", ">>From " -> ">From "), and the byte
 * after it read to tell the writer's empty line (info->trailer; the
 * scan left it out of the length).  A compressed
 * file is decompressed from its start up to the message, within the
 * limits of the scan (which stop a file at the same byte each time).
 * EX_IOERR/EX_DATAERR on failure, naming the file. */
int store_extract(int fd, const char *path, enum store_format format,
		  const char *compression, int64_t offset, int64_t length,
		  struct strbuf *out, struct store_extract_info *info, struct error *err);

/* store_extract giving the bytes to 'sink' in pieces of at most 64 KiB
 * as they are read, so that a large message is never whole in memory;
 * a sink that fails (-1, err set) stops the copy. */
typedef int store_sink(const void *data, size_t len, void *arg, struct error *err);
int store_extract_to(int fd, const char *path, enum store_format format,
		     const char *compression, int64_t offset, int64_t length,
		     store_sink *sink, void *arg, struct store_extract_info *info,
		     struct error *err);

#endif
