/* outfile.c - an output file that appears under its final name whole or
 * not at all: written under a temporary name in the same folder, synced,
 * then linked (no clobber) or renamed (replace) into place; and removed
 * when a signal stops the program before that. */
#include "config.h"

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
