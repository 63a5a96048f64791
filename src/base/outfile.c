/* outfile.c - an output file, or folder, that appears under its final
 * name whole or not at all: written under a temporary name in the same
 * folder, synced, then linked (no clobber) or renamed (replace) into
 * place; and removed when a signal stops the program before that. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "outfile.h"
#include "xalloc.h"

/* The temporary files of the outfiles open now, for the signal handler
 * to remove.  Global, since a handler reaches nothing else; a fixed
 * table of pointers set and cleared atomically, since a handler may not
 * allocate or lock.  A file that finds no free slot is only not removed
 * on a signal (fpkit has one open at a time). */
#define OUTFILE_MAX_LIVE 16
static char *live[OUTFILE_MAX_LIVE];
static pthread_t main_thread;		/* the one that opens and removes them */
/* The outdir being written, for the handler to empty and remove: its
 * list of what was made changes only with the stop signals blocked. */
static struct outdir *live_dir;
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
stop_signals_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
}

static void
remember(char *tmp)
{
	for (size_t i = 0; i < OUTFILE_MAX_LIVE; i++) {
		char *none = NULL;

		if (__atomic_compare_exchange_n(&live[i], &none, tmp, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return;
	}
}

/* Called once the file is gone or renamed, before tmp is freed. */
static void
forget(const char *tmp)
{
	for (size_t i = 0; i < OUTFILE_MAX_LIVE; i++)
		if (__atomic_load_n(&live[i], __ATOMIC_SEQ_CST) == tmp)
			__atomic_store_n(&live[i], NULL, __ATOMIC_SEQ_CST);
}

/* Async-signal-safe calls only.  The table changes on the main thread
 * alone: a signal that lands on another one (store.c's readers, a
 * resolver) is passed on to the main thread, so that the table cannot
 * change while it is read here. */
static void
on_stop_signal(int sig)
{
	int saved = errno;
	struct sigaction dfl;
	sigset_t set;

	if (!pthread_equal(pthread_self(), main_thread)) {
		pthread_kill(main_thread, sig);
		errno = saved;
		return;
	}
	for (size_t i = 0; i < OUTFILE_MAX_LIVE; i++) {
		char *tmp = __atomic_load_n(&live[i], __ATOMIC_SEQ_CST);

		if (tmp)
			unlink(tmp);
	}
	{
		struct outdir *d = __atomic_load_n(&live_dir, __ATOMIC_SEQ_CST);

		/* What was made, the other way round: files, then their
		 * folders, then the folder itself. */
		for (size_t i = d ? d->nr_made : 0; i-- > 0;)
			unlinkat(d->fd, d->made[i].name, d->made[i].dir ? AT_REMOVEDIR : 0);
		if (d)
			rmdir(d->tmp);
	}
	/* Then die of the signal, so that the parent knows (a shell shows
	 * 128 + its number). */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	errno = saved;
}

void
outfile_signals_init(void)
{
	struct sigaction sa, old;

	main_thread = pthread_self();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;	/* a forwarded signal must not fail a read */
	stop_signals_set(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		/* A signal ignored on entry stays ignored (nohup, a job a
		 * shell starts in the background). */
		if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(stop_signals[i], &sa, NULL);
	}
	/* A closed pipe or connection is a write error (EPIPE), which its
	 * caller reports and cleans up after, not a death: libcurl is told
	 * to leave signals alone (ovh.c), and GMime's gpgme would ignore
	 * SIGPIPE anyway. */
	signal(SIGPIPE, SIG_IGN);
}

char *
outfile_dir_unsafe(const char *dir)
{
	struct stat st;
	struct passwd *pw;
	char owner[192] = "", mode[64] = "";
	const char *who;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		/* (The name is for the reader only: the uid decides.) */
		pw = getpwuid(st.st_uid);
		if (pw && strlen(pw->pw_name) < 64)
			snprintf(owner, sizeof(owner), "belongs to user '%s' (uid %lu), who is "
				 "neither root nor you", pw->pw_name, (unsigned long)st.st_uid);
		else
			snprintf(owner, sizeof(owner), "belongs to uid %lu, who is neither root "
				 "nor you", (unsigned long)st.st_uid);
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		who = (st.st_mode & S_IWGRP) && (st.st_mode & S_IWOTH) ? "its group and others" :
		      st.st_mode & S_IWGRP ? "its group" : "others";
		snprintf(mode, sizeof(mode), "can be written by %s (mode %04o)", who,
			 (unsigned)(st.st_mode & 07777));
	}
	if (owner[0] == '\0' && mode[0] == '\0')
		return NULL;
	return xasprintf("%s%s%s", owner, owner[0] && mode[0] ? ", and " : "", mode);
}

int
outfile_open(struct outfile *o, const char *final, struct error *err)
{
	char *copy = xstrdup(final), *copy2 = xstrdup(final);
	const char *dir = dirname(copy), *base = basename(copy2);
	sigset_t stops, mask;
	int rc = -1;

	o->final = xstrdup(final);
	o->tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	/* No signal between the file's creation and its entry in the
	 * table: it would stay behind. */
	stop_signals_set(&stops);
	pthread_sigmask(SIG_BLOCK, &stops, &mask);
	o->fd = mkstemp(o->tmp);
	if (o->fd >= 0)
		remember(o->tmp);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
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
	forget(o->tmp);
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
		forget(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	free(o->final);
	o->final = NULL;
}

/* ---- folders ---- */

/* Deeper than this, a folder being removed is left (fpkit writes two
 * levels). */
#define OUTDIR_MAX_DEPTH 16

/* Remove 'name' in folder dirfd and all in it, without following links. */
static int
remove_tree_at(int dirfd, const char *name, int depth)
{
	struct dirent *de;
	DIR *dir;
	int fd, rc = 0;

	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if ((errno != EISDIR && errno != EPERM) || depth > OUTDIR_MAX_DEPTH)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_tree_at(fd, de->d_name, depth + 1) < 0)
			rc = -1;
	}
	closedir(dir);
	if (rc == 0)
		rc = unlinkat(dirfd, name, AT_REMOVEDIR);
	return rc;
}

static int
remove_tree(const char *path)
{
	return remove_tree_at(AT_FDCWD, path, 0);
}

/* Note 'rel' as made before it is: a signal in between finds nothing to
 * remove, which does no harm. */
static void
outdir_remember(struct outdir *d, const char *rel, bool dir)
{
	sigset_t stops, mask;
	char *name = xstrdup(rel);

	stop_signals_set(&stops);
	pthread_sigmask(SIG_BLOCK, &stops, &mask);
	d->made = xgrow(d->made, d->nr_made + 1, &d->alloc_made, sizeof(*d->made));
	d->made[d->nr_made].name = name;
	d->made[d->nr_made].dir = dir;
	d->nr_made++;
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
}

static void
set_live_dir(struct outdir *d)
{
	__atomic_store_n(&live_dir, d, __ATOMIC_SEQ_CST);
}

int
outdir_open(struct outdir *d, const char *final, int64_t mtime, struct error *err)
{
	char *copy = xstrdup(final), *copy2 = xstrdup(final);
	const char *dir = dirname(copy), *base = basename(copy2);
	sigset_t stops, mask;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->mtime = mtime;
	d->final = xstrdup(final);
	d->tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	/* One outdir at a time is known to the handler. */
	if (__atomic_load_n(&live_dir, __ATOMIC_SEQ_CST) != NULL) {
		error_set(err, EX_SOFTWARE, "two folders written at once");
		free(d->tmp);
		d->tmp = NULL;
		goto out;
	}
	stop_signals_set(&stops);
	pthread_sigmask(SIG_BLOCK, &stops, &mask);
	if (mkdtemp(d->tmp) == NULL) {
		pthread_sigmask(SIG_SETMASK, &mask, NULL);
		error_set(err, EX_CANTCREAT, "cannot create a folder in '%s': %s", dir,
			  strerror(errno));
		free(d->tmp);
		d->tmp = NULL;
		goto out;
	}
	d->fd = open(d->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->fd >= 0)
		set_live_dir(d);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	/* mkdtemp gives 0700; said anyway, as for the files. */
	if (d->fd < 0 || fchmod(d->fd, 0700) < 0) {
		error_set(err, EX_CANTCREAT, "cannot set up folder '%s': %s", d->tmp,
			  strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		outdir_abort(d);
	free(copy);
	free(copy2);
	return rc;
}

int
outdir_add_dir(struct outdir *d, const char *rel, struct error *err)
{
	int fd;

	outdir_remember(d, rel, true);
	if (mkdirat(d->fd, rel, 0700) < 0 ||
	    (fd = openat(d->fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return error_set(err, EX_CANTCREAT, "cannot create folder '%s/%s': %s",
				 d->final, rel, strerror(errno));
	if (fchmod(fd, 0700) < 0) {
		error_set(err, EX_CANTCREAT, "cannot set the mode of '%s/%s': %s", d->final,
			  rel, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
outdir_add_file(struct outdir *d, const char *rel, const void *data, size_t len,
		struct error *err)
{
	return outdir_add_file_from(d, rel, data, len, -1, err);
}

int
fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy len bytes of src (from its start, by pread) to fd. */
static int
copy_fd(int fd, int src, size_t len)
{
	char buf[65536];
	off_t off = 0;

	while (len > 0) {
		ssize_t n = pread(src, buf, len < sizeof(buf) ? len : sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		if (fd_write_all(fd, buf, (size_t)n) < 0)
			return -1;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int
outdir_add_file_from(struct outdir *d, const char *rel, const void *data, size_t len,
		     int src, struct error *err)
{
	struct timespec times[2] = { { (time_t)d->mtime, 0 }, { (time_t)d->mtime, 0 } };
	const char *p = data, *what = "write";
	int fd, rc = -1;

	outdir_remember(d, rel, false);
	fd = openat(d->fd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set(err, EX_CANTCREAT, "cannot create '%s/%s': %s", d->final, rel,
				 strerror(errno));
	if (fchmod(fd, 0600) < 0) {
		error_set(err, EX_CANTCREAT, "cannot set the mode of '%s/%s': %s", d->final, rel,
			  strerror(errno));
		goto out;
	}
	if (src >= 0 ? copy_fd(fd, src, len) < 0 : fd_write_all(fd, p, len) < 0)
		goto io;
	what = "set the time of";
	if (futimens(fd, times) < 0)
		goto io;
	what = "write";
	if (fsync(fd) < 0 && errno != EINVAL)
		goto io;
	rc = close(fd);
	fd = -1;
	if (rc == 0)
		goto out;
io:
	if (errno == 0)
		errno = EIO;
	error_set(err, EX_IOERR, "cannot %s '%s/%s': %s", what, d->final, rel, strerror(errno));
	rc = -1;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Every folder made gets the mtime (their files changed it) and goes to
 * disk, the deepest first, then the top. */
static int
settle_dirs(struct outdir *d, struct error *err)
{
	struct timespec times[2] = { { (time_t)d->mtime, 0 }, { (time_t)d->mtime, 0 } };

	for (size_t i = d->nr_made; i-- > 0;) {
		int fd;

		if (!d->made[i].dir)
			continue;
		fd = openat(d->fd, d->made[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || futimens(fd, times) < 0 || (fsync(fd) < 0 && errno != EINVAL)) {
			error_set(err, EX_IOERR, "cannot write folder '%s/%s': %s", d->final,
				  d->made[i].name, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	if (futimens(d->fd, times) < 0 || (fsync(d->fd) < 0 && errno != EINVAL))
		return error_set(err, EX_IOERR, "cannot write folder '%s': %s", d->final,
				 strerror(errno));
	return 0;
}

/* rename without replacing: 0, or -1 with errno (EEXIST when there is
 * something under 'to'). */
static int
rename_noreplace(const char *from, const char *to)
{
	struct stat st;

#ifdef HAVE_RENAMEAT2
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* A file system without it: check, then rename (rename alone
	 * would replace an empty folder). */
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* Put the new folder in place of the old one at d->final; the old one
 * ends up under d->tmp (swapped) or *aside (moved aside first, new). */
static int
swap_in(struct outdir *d, char **aside)
{
	int saved;

#ifdef HAVE_RENAMEAT2
	if (renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->final, RENAME_EXCHANGE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* No swap on this file system: the old folder is moved aside
	 * (over an empty folder made for it), and back if the new one
	 * cannot take its place. */
	*aside = xstrdup(d->tmp);
	memcpy(*aside + strlen(*aside) - 6, "XXXXXX", 6);
	if (mkdtemp(*aside) == NULL) {
		saved = errno;
		free(*aside);
		*aside = NULL;
		errno = saved;
		return -1;
	}
	if (rename(d->final, *aside) < 0) {
		saved = errno;
		rmdir(*aside);
		free(*aside);
		*aside = NULL;
		errno = saved;
		return -1;
	}
	if (rename(d->tmp, d->final) < 0) {
		saved = errno;
		rename(*aside, d->final);
		free(*aside);
		*aside = NULL;
		errno = saved;
		return -1;
	}
	return 0;
}

int
outdir_commit(struct outdir *d, bool replace, char **left, struct error *err)
{
	char *aside = NULL;
	sigset_t stops, mask;
	struct stat st;
	bool swapped = false;
	int r, rc = -1;

	*left = NULL;
	if (settle_dirs(d, err) < 0)
		goto out;
	/* (d->fd stays open: the handler removes what is in it until the
	 * rename.)  The handler may not remove what is under the final name: no
	 * signal from the rename to the handler's being told. */
	stop_signals_set(&stops);
	pthread_sigmask(SIG_BLOCK, &stops, &mask);
	if (replace && lstat(d->final, &st) == 0) {
		r = swap_in(d, &aside);
		swapped = r == 0;
	} else {
		r = rename_noreplace(d->tmp, d->final);
	}
	if (r == 0)
		set_live_dir(NULL);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	if (r < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			error_set(err, EX_CANTCREAT, "'%s' already exists: remove it, write "
				  "elsewhere with -o, or use --force", d->final);
		else
			error_set(err, EX_CANTCREAT, "cannot create '%s': %s", d->final,
				  strerror(errno));
		goto out;
	}
	/* The old folder, now under the temporary name or aside. */
	if (swapped && remove_tree(aside ? aside : d->tmp) < 0)
		*left = xstrdup(aside ? aside : d->tmp);
	/* Renamed, gone, or named in *left: not to be removed again. */
	free(d->tmp);
	d->tmp = NULL;
	rc = 0;
out:
	free(aside);
	outdir_abort(d);
	return rc;
}

void
outdir_abort(struct outdir *d)
{
	/* The handler may still need d->fd while the tree goes. */
	if (d->tmp) {
		remove_tree(d->tmp);
		if (__atomic_load_n(&live_dir, __ATOMIC_SEQ_CST) == d)
			set_live_dir(NULL);
		free(d->tmp);
		d->tmp = NULL;
	}
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	for (size_t i = 0; i < d->nr_made; i++)
		free(d->made[i].name);
	free(d->made);
	d->made = NULL;
	d->nr_made = d->alloc_made = 0;
	free(d->final);
	d->final = NULL;
}
