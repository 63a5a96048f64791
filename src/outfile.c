/* outfile.c - an output file that appears under its final name whole or
 * not at all: written under a temporary name in the same folder, synced,
 * then linked (no clobber) or renamed (replace) into place. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "outfile.h"
#include "xalloc.h"

int
outfile_open(struct outfile *o, const char *final, struct error *err)
{
	char *copy = xstrdup(final), *copy2 = xstrdup(final);
	const char *dir = dirname(copy), *base = basename(copy2);
	int rc = -1;

	o->final = xstrdup(final);
	o->tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0) {
		error_set(err, EX_CANTCREAT, "cannot create a file in '%s': %s", dir,
			  strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		outfile_abort(o);
		goto out;
	}
	/* mkstemp gives 0600 already on glibc; say it anyway, the bundle
	 * holds other people's mail. */
	if (fchmod(o->fd, 0600) < 0) {
		error_set(err, EX_CANTCREAT, "cannot set the mode of '%s': %s", o->tmp,
			  strerror(errno));
		outfile_abort(o);
		goto out;
	}
	rc = 0;
out:
	free(copy);
	free(copy2);
	return rc;
}

int
outfile_commit(struct outfile *o, bool replace, struct error *err)
{
	int rc = -1;

	if (fsync(o->fd) < 0 && errno != EINVAL) {
		error_set(err, EX_IOERR, "cannot write '%s': %s", o->final, strerror(errno));
		goto out;
	}
	if (close(o->fd) < 0) {
		o->fd = -1;
		error_set(err, EX_IOERR, "cannot write '%s': %s", o->final, strerror(errno));
		goto out;
	}
	o->fd = -1;
	if (replace) {
		if (rename(o->tmp, o->final) < 0) {
			error_set(err, EX_CANTCREAT, "cannot create '%s': %s", o->final,
				  strerror(errno));
			goto out;
		}
	} else {
		/* link() fails with EEXIST instead of replacing: no race
		 * between a check and the rename. */
		int r = link(o->tmp, o->final);

		/* Some file systems have no hard links: check, then rename. */
		if (r < 0 && (errno == EPERM || errno == ENOTSUP || errno == ENOSYS)) {
			struct stat st;

			if (lstat(o->final, &st) == 0)
				errno = EEXIST;
			else
				r = rename(o->tmp, o->final);
		}
		if (r < 0) {
			if (errno == EEXIST)
				error_set(err, EX_CANTCREAT, "'%s' already exists: remove it, "
					  "give another name with -o, or use --force", o->final);
			else
				error_set(err, EX_CANTCREAT, "cannot create '%s': %s", o->final,
					  strerror(errno));
			goto out;
		}
		unlink(o->tmp);
	}
	free(o->tmp);
	o->tmp = NULL;
	rc = 0;
out:
	outfile_abort(o);
	return rc;
}

void
outfile_abort(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	free(o->final);
	o->final = NULL;
}
