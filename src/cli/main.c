/* main.c - argv to subcommand to exit status; nothing else */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "error.h"
#include "mime.h"
#include "outfile.h"
#include "textsafe.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct error *err);
	const char *summary;
} commands[] = {
	{ "pack", cmd_pack, "build the evidence bundle and the ticket for one blocked IP" },
	{ "verify", cmd_verify, "check a bundle against its SHA256SUMS and structure" },
	{ "report", cmd_report, "a bundle's page (REPORT.html), or an archive's (index.html)" },
	{ "find", cmd_find, "print where messages with given Message-IDs are stored" },
	{ "scan", cmd_scan, "list the account's IPs blocked for spam (OVH API)" },
	{ "check", cmd_check, "check messages: integrity, DKIM, best practices" },
	{ "alert", cmd_alert, "read an OVHcloud anti-spam alert e-mail" },
	{ "posture", cmd_posture, "a sending IP's reverse DNS, SPF, DMARC and blocklists" },
	{ "queue", cmd_queue, "the local mail system: can it send, what waits in its queue" },
	{ "unblock", cmd_unblock, "unblock an IP (OVH API) behind guard rails" },
	{ "ticket", cmd_ticket, "open the ticket with support, follow it (OVH API)" },
	{ "auth", cmd_auth, "request a consumer key with fpkit's rights (OVH API)" },
	{ "archive", cmd_archive, "list the block events of an archive folder or bucket" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: fpkit COMMAND [OPTIONS] [ARGS]\n"
		"       fpkit --help | --version\n\n"
		"Package the evidence of an OVHcloud anti-spam false positive.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'fpkit COMMAND --help' describes a command; fpkit(1) has the rest.\n");
}

static int
run(int argc, char **argv, struct error *err)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("fpkit %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1, err);
	return error_set(err, EX_USAGE, "'%s' is not an fpkit command: see 'fpkit --help'",
			 argv[1]);
}

int
main(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	int status;

	/* Here, before any thread: the handler runs its clean-up on this
	 * thread (outfile.c). */
	outfile_signals_init();
	mime_global_init();
	status = run(argc, argv, &err);
	mime_global_shutdown();
	if (status < 0) {
		/* Messages quote outside text (file names, JSON values). */
		char *safe = textsafe_visible(err.msg, strlen(err.msg));

		fprintf(stderr, "fpkit: %s\n", safe);
		free(safe);
		status = err.status ? err.status : EX_SOFTWARE;
	}
	/* A full disk on stdout must not end in status 0 (jq). */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "fpkit: cannot write standard output: %s\n", strerror(errno));
		if (status == 0)
			status = EX_IOERR;
	}
	return status;
}
