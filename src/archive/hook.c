/* hook.c - run --exec's command for one archived event */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

static void
child(const char *cmd, json_t *event, int in)
{
	static const char *const names[][2] = {
		{ "FPKIT_IP", "ip" }, { "FPKIT_BLOCK", "block" }, { "FPKIT_STATE", "state" },
		{ "FPKIT_DATE", "date" }, { "FPKIT_BUNDLE", "bundle" },
		{ "FPKIT_EVENT_KEY", "key" }, { "FPKIT_HOST", "host" },
		{ "FPKIT_ARCHIVE", "archive" },
	};
	char missing[32];

	setpgid(0, 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		setenv(names[i][0], str(event, names[i][1]), 1);
	snprintf(missing, sizeof(missing), "%lld",
		 (long long)json_integer_value(json_object_get(event, "missing")));
	setenv("FPKIT_MISSING", missing, 1);
	if (dup2(in, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(126);
	close(in);
	signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int
hook_run(const char *cmd, json_t *event, int timeout, struct error *err)
{
	struct timespec start, now, nap = { 0, 20 * 1000 * 1000 };
	int in = summary_fd(event, err), status = 0;
	pid_t pid, w;

	if (in < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(in);
		return error_set(err, EX_OSERR, "hook: cannot start /bin/sh: %s", strerror(errno));
	}
	if (pid == 0)
		child(cmd, event, in);
	close(in);
	setpgid(pid, pid);	/* as the child does: whichever runs first */
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
