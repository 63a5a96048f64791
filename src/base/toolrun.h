/* toolrun.h - run another program's tool (the MTA's, Dovecot's
 * doveadm): an argument vector (never a shell), standard input from
 * /dev/null, the C locale, a time-out and a cap on what is read of its
 * output */
#ifndef FPKIT_TOOLRUN_H
#define FPKIT_TOOLRUN_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct error;

/* What a tool did.  out holds its standard output (at most the cap
 * given to toolrun), err_text the start of its standard error, for
 * messages. */
struct toolrun_result {
	int status;		/* exit status; -1 when killed by a signal */
	int signal;		/* the signal that ended it, or 0 */
	struct strbuf out;
	char err_text[512];	/* NUL-terminated, the first bytes only */
};

void toolrun_result_init(struct toolrun_result *r);
void toolrun_result_release(struct toolrun_result *r);

/* Run argv[0], a path (toolrun_find finds one), with argv (NULL-ended),
 * in a process group of its own.  Its environment is fpkit's with the
 * locale set to C (the formats parsed are the C locale's); extra_env,
 * when not NULL, is one more "NAME=value".  After timeout seconds, or
 * when the standard output passes max bytes, the group is killed and
 * -1 returned: EX_TEMPFAIL for the time-out, EX_DATAERR for the size,
 * each naming the command.  EX_UNAVAILABLE when it cannot be started.
 * A tool that runs and exits non-zero is not an error here: the caller
 * reads r->status.  r is set in every case. */
int toolrun(const char *const *argv, const char *extra_env, size_t max, int timeout,
	    struct toolrun_result *r, struct error *err);

/* How the MTA's tools are found and run. */
struct toolrun_options {
	const char *path;	/* folders searched, colon-separated */
	int timeout;		/* seconds a tool may take */
	size_t max;		/* bytes of its output read */
	const char *extra_env;	/* one more "NAME=value", or NULL */
};

/* Find 'name' in o->path and run it with args (NULL-ended, after the
 * program's name) as toolrun does; *cmd is set to the command line run
 * (new, free() it) whenever the tool was found.  EX_UNAVAILABLE naming
 * the folders searched when it is not there. */
int toolrun_named(const struct toolrun_options *o, const char *name, const char *const *args,
		  struct toolrun_result *r, char **cmd, struct error *err);

/* Where the tool 'name' is: the first executable file of that name in
 * the folders of 'path' (colon-separated), NULL when none (new, free()
 * it). */
char *toolrun_find(const char *name, const char *path);

/* The command line of argv as a person would type it (new, free() it):
 * for messages and the bundle's record of what was run. */
char *toolrun_cmdline(const char *const *argv);

#endif
