/* cmd.c - what the subcommands share */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sysexits.h>

#include "cmd.h"
#include "error.h"
#include "mailspec.h"
#include "mta.h"
#include "textsafe.h"

void
cmd_print_diag(const struct diag *d, const char *prefix)
{
	for (size_t i = 0; i < d->nr; i++) {
		char *safe = textsafe_visible(d->items[i], strlen(d->items[i]));

		fprintf(stderr, "fpkit: %s%s\n", prefix, safe);
		free(safe);
	}
}

void
cmd_say(const char *prefix, const char *line)
{
	char *safe = textsafe_visible(line, strlen(line));

	fprintf(stderr, "fpkit: %s%s\n", prefix, safe);
	free(safe);
}

void
cmd_trace(void *arg, const char *line)
{
	(void)arg;
	cmd_say("", line);
}

int
cmd_ask(const char *plan, const char *question)
{
	char answer[16];

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return -1;
	fprintf(stderr, "%s\n%s [y/N] ", plan, question);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return 0;
	return answer[0] == 'y' || answer[0] == 'Y';
}

int
cmd_bad_option(const char *cmd, const struct option *opts, const char *arg,
	       struct error *err)
{
	const struct option *exact = NULL, *prefix = NULL;
	size_t n, matches = 0;
	const char *name, *eq;

	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
		return error_set(err, EX_USAGE, "%s: unknown option '%s': see 'fpkit %s --help'",
				 cmd, arg, cmd);
	name = arg + 2;
	eq = strchr(name, '=');
	n = eq ? (size_t)(eq - name) : strlen(name);
	if (n == 0)		/* "--=x": no name at all */
		return error_set(err, EX_USAGE, "%s: unknown option '%s': see 'fpkit %s --help'",
				 cmd, arg, cmd);
	for (const struct option *o = opts; o->name; o++) {
		if (strncmp(o->name, name, n) != 0)
			continue;
		if (o->name[n] == '\0')
			exact = o;
		prefix = o;
		matches++;
	}
	if (exact == NULL && matches == 1)
		exact = prefix;
	if (exact && eq && exact->has_arg == no_argument)
		return error_set(err, EX_USAGE, "%s: --%s takes no value: see 'fpkit %s --help'",
				 cmd, exact->name, cmd);
	if (exact == NULL && matches > 1)
		return error_set(err, EX_USAGE, "%s: '--%.*s' is the start of several options: "
				 "give it whole (see 'fpkit %s --help')", cmd, (int)n, name, cmd);
	return error_set(err, EX_USAGE, "%s: unknown option '%s': see 'fpkit %s --help'",
			 cmd, arg, cmd);
}

void
cmd_file_error(struct error *err, int *status)
{
	char *safe = textsafe_visible(err->msg, strlen(err->msg));

	fprintf(stderr, "fpkit: %s\n", safe);
	free(safe);
	if (*status == 0 || err->status == EX_NOINPUT)
		*status = err->status;
	err->status = 0;
}

int
cmd_mta_option(const char *cmd, enum cmd_mta_option which, const char *arg,
	       struct mta_options *o, struct error *err)
{
	char *end;
	long v;

	switch (which) {
	case CMD_MTA:
		if (!mta_known(arg))
			return error_set(err, EX_USAGE, "%s: --mta takes one of " MTA_NAMES
					 ", not '%s'", cmd, arg);
		o->mta = arg;
		return 0;
	case CMD_POSTFIX_CONFIG:
		o->postfix_config = arg;
		return 0;
	case CMD_TOOL_TIMEOUT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end || errno || v < 1 || v > 3600)
			return error_set(err, EX_USAGE, "%s: --tool-timeout takes a number of "
					 "seconds from 1 to 3600, not '%s'", cmd, arg);
		o->timeout = (int)v;
		return 0;
	}
	return 0;
}

int
cmd_mail_arg(const char *arg, struct error *err)
{
	struct store_spec spec;

	if (mailspec_parse(arg, &spec, err) < 0)
		return -1;
	mailspec_release(&spec);
	return 0;
}
