/* outfile.h - an output file, or folder, that appears under its final
 * name whole or not at all */
#ifndef FPKIT_OUTFILE_H
#define FPKIT_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;

struct outfile {
	char *final;		/* the name asked for */
	char *tmp;		/* the temporary name beside it */
	int fd;			/* open on tmp; -1 when closed */
};

/* Create a temporary file in final's folder, mode 0600 whatever the
 * umask.  EX_CANTCREAT when the folder cannot take it. */
int outfile_open(struct outfile *o, const char *final, struct error *err);

/* Flush to disk and give the file its final name.  Without 'replace' an
 * existing file is never touched (EX_CANTCREAT); with it, it is replaced
 * atomically.  The temporary file is gone afterwards either way. */
int outfile_commit(struct outfile *o, bool replace, struct error *err);

/* Remove the temporary file (after a failure); safe to call twice and
 * after a commit. */
void outfile_abort(struct outfile *o);

/* A folder that appears under its final name whole or not at all: its
 * files and folders are written into a temporary folder beside it (mode
 * 0700), which is renamed into place at the end. */
struct outdir_entry {
	char *name;		/* relative to the folder */
	bool dir;
};

struct outdir {
	char *final;		/* the name asked for */
	char *tmp;		/* the temporary folder beside it */
	int fd;			/* open on tmp; -1 when closed */
	int64_t mtime;		/* every file's and folder's */
	struct outdir_entry *made;	/* what was made in it, in order */
	size_t nr_made, alloc_made;
};

/* Create the temporary folder in final's parent, mode 0700 whatever the
 * umask; everything made in it gets 'mtime'.  EX_CANTCREAT when the
 * parent cannot take it.  One outdir at a time is removed on a signal
 * (outfile_signals_init). */
int outdir_open(struct outdir *d, const char *final, int64_t mtime, struct error *err);

/* Make folder 'rel' (its parent made already), mode 0700. */
int outdir_add_dir(struct outdir *d, const char *rel, struct error *err);

/* Write file 'rel' (its folder made already), mode 0600, synced to disk.
 * EX_IOERR naming the file under its final name when it cannot be
 * written whole. */
int outdir_add_file(struct outdir *d, const char *rel, const void *data, size_t len,
		    struct error *err);
/* The same, the bytes being the first len of the file open on src (read
 * by pread, in pieces) when src >= 0, else data[0..len). */
int outdir_add_file_from(struct outdir *d, const char *rel, const void *data, size_t len,
			 int src, struct error *err);

/* Put the folder in place under its final name.  Without 'replace',
 * anything under that name is left alone (EX_CANTCREAT); with it, an
 * existing folder is swapped for the new one in one step where the file
 * system can (renameat2 RENAME_EXCHANGE; else it is moved aside first),
 * then removed; *left (new, or NULL) names what of it could not be
 * removed.  Whatever happens, the temporary folder is gone afterwards
 * but for that. */
int outdir_commit(struct outdir *d, bool replace, char **left, struct error *err);

/* Remove the temporary folder and all in it (after a failure); safe to
 * call twice and after a commit. */
void outdir_abort(struct outdir *d);

/* Why users other than root and the one running fpkit (the effective
 * user, "you" in the text) could add, replace or remove files in folder
 * 'dir': it belongs to such a user, or its group or others may write to
 * it (the sticky bit does not help: it keeps files from being removed,
 * not from being planted).  A new string that completes "folder 'DIR'
 * ..." ("can be written by its group and others (mode 0777)"), or NULL
 * when they could not, or when 'dir' cannot be looked at (the caller's
 * next step on it fails then, with its own message). */
char *outfile_dir_unsafe(const char *dir);

/* From now on, SIGINT, SIGTERM and SIGHUP remove the temporary files of
 * the outfiles not yet committed or aborted, and the temporary folder of
 * the outdir (with what is in it), then stop the program by
 * the same signal (its exit status says so); one ignored on entry stays
 * ignored.  SIGPIPE is ignored: writes to a closed pipe fail (EPIPE).
 * Call once, from the main thread, before any other thread starts and
 * any outfile is opened. */
void outfile_signals_init(void);

/* Write all LEN bytes of BUF to FD, again after EINTR or a short write:
 * 0, or -1 with errno set (EIO for a write of nothing). */
int fd_write_all(int fd, const void *buf, size_t len);

#endif
