/* outfile.h - an output file that appears under its final name whole or
 * not at all */
#ifndef FPKIT_OUTFILE_H
#define FPKIT_OUTFILE_H

#include <stdbool.h>

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
 * the outfiles not yet committed or aborted, then stop the program by
 * the same signal (its exit status says so); one ignored on entry stays
 * ignored.  SIGPIPE is ignored: writes to a closed pipe fail (EPIPE).
 * Call once, from the main thread, before any other thread starts and
 * any outfile is opened. */
void outfile_signals_init(void);

#endif
