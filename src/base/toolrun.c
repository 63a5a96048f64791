/* toolrun.c - run another program's tool (the MTA's, doveadm), without a shell, within a
 * time and a size.  posix_spawn rather than fork: nothing of fpkit runs
 * in the child between the two, and a large fpkit (sanitizers) is not
 * copied to run a small tool. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "toolrun.h"
#include "xalloc.h"

extern char **environ;

void
toolrun_result_init(struct toolrun_result *r)
{
	r->status = -1;
	r->signal = 0;
	strbuf_init(&r->out, STRBUF_NO_MAX);
	r->err_text[0] = '\0';
}

void
toolrun_result_release(struct toolrun_result *r)
{
	strbuf_release(&r->out);
}

char *
toolrun_cmdline(const char *const *argv)
{
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	for (size_t i = 0; argv[i]; i++) {
		bool plain = *argv[i] != '\0';

		for (const char *p = argv[i]; *p && plain; p++)
			plain = strchr(" \t\n'\"\\$`*?[]{}()<>|&;#~", *p) == NULL;
		if (i)
			strbuf_addch(&sb, ' ');
		if (plain) {
			strbuf_addstr(&sb, argv[i]);
			continue;
		}
		/* Single quotes, a quote inside written '\'' as sh reads it. */
		strbuf_addch(&sb, '\'');
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				strbuf_addstr(&sb, "'\\''");
			else
				strbuf_addch(&sb, *p);
		}
		strbuf_addch(&sb, '\'');
	}
	return strbuf_detach(&sb, NULL);
}

char *
toolrun_find(const char *name, const char *path)
{
	const char *p = path;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		struct stat st;
		char *file;

		/* An empty entry is the current folder for a shell; never
		 * for fpkit, which runs what it finds as root. */
		if (n > 0 && p[0] == '/') {
			file = xasprintf("%.*s/%s", (int)n, p, name);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
				return file;
			free(file);
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

/* fpkit's environment with the locale set to C, and extra ("NAME=v")
 * in place of a variable of the same name (new array; its strings are
 * borrowed but for the one made here, the last but one). */
static char **
child_env(const char *extra)
{
	size_t n = 0, k = 0, extra_name = 0;
	char **env;

	if (extra)
		extra_name = strcspn(extra, "=") + 1;
	while (environ[n])
		n++;
	env = xcalloc(n + 3, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		const char *v = environ[i];

		if (strncmp(v, "LC_", 3) == 0 || strncmp(v, "LANG=", 5) == 0 ||
		    strncmp(v, "LANGUAGE=", 9) == 0)
			continue;
		if (extra && strncmp(v, extra, extra_name) == 0)
			continue;
		env[k++] = environ[i];
	}
	env[k++] = (char *)"LC_ALL=C";
	if (extra)
		env[k++] = (char *)extra;
	env[k] = NULL;
	return env;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start argv[0] with its output on out_w and its errors on err_w. */
static int
spawn(const char *const *argv, const char *extra_env, int out_w, int err_w, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	char **env = child_env(extra_env);
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_w, 1);
	posix_spawn_file_actions_adddup2(&fa, err_w, 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	/* fpkit's own handlers end at exec; a signal it ignores would not. */
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGQUIT);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	/* A group of its own: a time-out kills what it started too
	 * (postfix runs a shell script that runs other tools). */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, argv[0], &fa, &attr, (char *const *)argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	return rc;
}

/* Read what is there on fd: into out (up to max, *over set past it) or
 * into the error text.  0 at the end of the stream, 1 to go on. */
static int
drain(int fd, struct toolrun_result *r, bool is_out, size_t max, bool *over, size_t *err_len)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	if (is_out) {
		if (r->out.len + (size_t)n > max)
			*over = true;
		else
			strbuf_add(&r->out, buf, (size_t)n);
	} else if (*err_len + 1 < sizeof(r->err_text)) {
		size_t k = (size_t)n;

		if (k > sizeof(r->err_text) - 1 - *err_len)
			k = sizeof(r->err_text) - 1 - *err_len;
		memcpy(r->err_text + *err_len, buf, k);
		*err_len += k;
		r->err_text[*err_len] = '\0';
	}
	return 1;
}

int
toolrun(const char *const *argv, const char *extra_env, size_t max, int timeout,
	struct toolrun_result *r, struct error *err)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int64_t deadline = now_ms() + (int64_t)timeout * 1000;
	bool over = false, late = false;
	size_t err_len = 0;
	pid_t pid = -1;
	int ws = 0, rc = -1, e;
	char *cmd = NULL;

	strbuf_reset(&r->out);
	r->err_text[0] = '\0';
	r->status = -1;
	r->signal = 0;
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		error_set(err, EX_OSERR, "cannot make a pipe to run '%s': %s", argv[0],
			  strerror(errno));
		goto out;
	}
	if ((e = spawn(argv, extra_env, outp[1], errp[1], &pid)) != 0) {
		pid = -1;
		error_set(err, EX_UNAVAILABLE, "cannot run '%s': %s", argv[0], strerror(e));
		goto out;
	}
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	for (;;) {
		struct pollfd pfd[2];
		int nfd = 0, left = (int)(deadline - now_ms());

		if (outp[0] >= 0)
			pfd[nfd++] = (struct pollfd){ .fd = outp[0], .events = POLLIN };
		if (errp[0] >= 0)
			pfd[nfd++] = (struct pollfd){ .fd = errp[0], .events = POLLIN };
		if (nfd == 0 || over)
			break;
		if (left <= 0) {
			late = true;
			break;
		}
		if (poll(pfd, (nfds_t)nfd, left) < 0) {
			if (errno == EINTR)
				continue;
			late = true;
			break;
		}
		for (int i = 0; i < nfd; i++) {
			bool is_out = pfd[i].fd == outp[0];

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (drain(pfd[i].fd, r, is_out, max, &over, &err_len) == 0) {
				close(pfd[i].fd);
				*(is_out ? &outp[0] : &errp[0]) = -1;
			}
		}
	}
	if (late || over)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(ws))
		r->status = WEXITSTATUS(ws);
	else if (WIFSIGNALED(ws))
		r->signal = WTERMSIG(ws);
	cmd = toolrun_cmdline(argv);
	if (late)
		error_set(err, EX_TEMPFAIL, "'%s' did not finish within %d seconds: the mail "
			  "system may be busy; try again, or give a longer --tool-timeout", cmd,
			  timeout);
	else if (over)
		error_set(err, EX_DATAERR, "'%s' printed more than %zu bytes, the limit on what "
			  "fpkit reads of a mail tool", cmd, max);
	else
		rc = 0;
out:
	free(cmd);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return rc;
}

int
toolrun_named(const struct toolrun_options *o, const char *name, const char *const *args,
	      struct toolrun_result *r, char **cmd, struct error *err)
{
	char *file = toolrun_find(name, o->path);
	const char **argv;
	size_t n = 0;
	int rc;

	*cmd = NULL;
	if (file == NULL)
		return error_set(err, EX_UNAVAILABLE, "'%s' not found in %s", name, o->path);
	while (args && args[n])
		n++;
	argv = xcalloc(n + 2, sizeof(*argv));
	argv[0] = file;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = args[i];
	*cmd = toolrun_cmdline(argv);
	rc = toolrun(argv, o->extra_env, o->max, o->timeout, r, err);
	free(argv);
	free(file);
	return rc;
}
