/* hook.c - run --exec's command for one archived event */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "hook.h"
#include "xalloc.h"

extern char **environ;

/* summary.json in an unlinked temporary file: the hook reads it at its
 * pace, or not at all, and fpkit never blocks on a pipe. */
static int
summary_fd(json_t *event, struct error *err)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/fpkit-hook.XXXXXX", dir && *dir ? dir : "/tmp");
	char *text = json_dumps(json_object_get(event, "summary"),
				JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t len = text ? strlen(text) : 0, off = 0;
	int fd = mkstemp(path);

	if (fd < 0) {
		error_set(err, EX_OSERR, "hook: cannot make a temporary file in '%s': %s",
			  dir && *dir ? dir : "/tmp", strerror(errno));
		goto out;
	}
	unlink(path);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error_set(err, EX_OSERR, "hook: cannot write summary.json: %s",
				  strerror(errno));
			close(fd);
			fd = -1;
			goto out;
		}
		off += (size_t)n;
	}
	if (write(fd, "\n", 1) != 1 || lseek(fd, 0, SEEK_SET) < 0) {
		error_set(err, EX_OSERR, "hook: cannot write summary.json: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
out:
	free(text);
	free(path);
	return fd;
}

static const char *
str(json_t *event, const char *name)
{
	const char *v = json_string_value(json_object_get(event, name));

	return v ? v : "";
}

/* The secrets fpkit reads from its environment (the API's and the
 * bucket's): the hook is not given them (an environment is easily
 * printed or passed on by a notifier); it gets what it needs in
 * FPKIT_* and on its input. */
static bool
secret_var(const char *entry)
{
	static const char *const secrets[] = {
		"OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN",
	};

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		size_t len = strlen(secrets[i]);

		if (strncmp(entry, secrets[i], len) == 0 && entry[len] == '=')
			return true;
	}
	return false;
}

/* fpkit's environment without the FPKIT_* names the hook gets, then
 * those (new, NULL-ended; each string new). */
static char **
hook_env(json_t *event)
{
	static const char *const names[][2] = {
		{ "FPKIT_IP", "ip" }, { "FPKIT_BLOCK", "block" }, { "FPKIT_STATE", "state" },
		{ "FPKIT_DATE", "date" }, { "FPKIT_BUNDLE", "bundle" },
		{ "FPKIT_EVENT_KEY", "key" }, { "FPKIT_HOST", "host" },
		{ "FPKIT_ARCHIVE", "archive" },
	};
	const size_t nr_names = sizeof(names) / sizeof(names[0]);
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + nr_names + 2, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		bool ours = strncmp(environ[i], "FPKIT_MISSING=", 14) == 0 ||
			    secret_var(environ[i]);

		for (size_t j = 0; j < nr_names && !ours; j++) {
			size_t len = strlen(names[j][0]);

			ours = strncmp(environ[i], names[j][0], len) == 0 && environ[i][len] == '=';
		}
		if (!ours)
			env[k++] = xstrdup(environ[i]);
	}
	for (size_t j = 0; j < nr_names; j++)
		env[k++] = xasprintf("%s=%s", names[j][0], str(event, names[j][1]));
	env[k++] = xasprintf("FPKIT_MISSING=%lld",
			     (long long)json_integer_value(json_object_get(event, "missing")));
	env[k] = NULL;
	return env;
}

static void
env_free(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

int
hook_run(const char *cmd, json_t *event, int timeout, struct error *err)
{
	struct timespec start, now, nap = { 0, 20 * 1000 * 1000 };
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL }, **env;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dflt;
	int in = summary_fd(event, err), status = 0, e;
	pid_t pid, w;

	if (in < 0)
		return -1;
	/* posix_spawn, not fork: nothing runs in between but the exec. */
	env = hook_env(event);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, in);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
	fflush(stdout);
	fflush(stderr);
	e = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	env_free(env);
	close(in);
	if (e != 0)
		return error_set(err, EX_OSERR, "hook: cannot start /bin/sh: %s", strerror(e));
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return error_set(err, EX_OSERR, "hook: cannot wait for it: %s",
					 strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= timeout) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return error_set(err, EX_SOFTWARE, "killed after %d s", timeout);
		}
		nanosleep(&nap, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return error_set(err, EX_SOFTWARE, "exited with %d", WEXITSTATUS(status));
	return error_set(err, EX_SOFTWARE, "killed by signal %d", WTERMSIG(status));
}
