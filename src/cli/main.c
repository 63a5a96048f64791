/* main.c - argv to subcommand to exit status: the global options
 * (--config, --help, --version), fpkit.conf's settings put in as the
 * command's options, and "fpkit help COMMAND" */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>

#include "cmd.h"
#include "dkim.h"
#include "dns.h"
#include "error.h"
#include "fpkitconf.h"
#include "mime.h"
#include "orgdomain.h"
#include "outfile.h"
#include "ovh.h"
#include "tarball.h"
#include "textsafe.h"

extern char **environ;

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
	/* Run by main.c itself: they need what it read. */
	{ "config", NULL, "print the settings of fpkit.conf and where each came from" },
	{ "help", NULL, "open a command's manual page: fpkit help COMMAND" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: fpkit [--config FILE] COMMAND [OPTIONS] [ARGS]\n"
		"       fpkit --help | --version\n\n"
		"Package the evidence of an OVHcloud anti-spam false positive.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n"
		"  --config FILE  read FILE after " FPKIT_SYSCONFDIR "/fpkit/fpkit.conf and\n"
		"                 ~/.config/fpkit/fpkit.conf (before the command)\n"
		"\n'fpkit COMMAND --help' describes a command, 'fpkit help COMMAND' opens\n"
		"its page fpkit-COMMAND(1); fpkit(1) has the rest.\n");
}

/* One line of --version: a library, the version fpkit was built with
 * and the one it runs with. */
static void
version_line(const char *name, const char *built, const char *running)
{
	size_t n = strcspn(running, " ");	/* libpsl adds "(+libidn2/2.3.3)" */

	printf("  %-12s %-10s %s%s\n", name, built, running,
	       strlen(built) != n || strncmp(built, running, n) ? "  (differs)" : "");
}

static void
version(void)
{
	const char *b, *r;
	char gb[32], gr[32];

	printf("fpkit %s\n", PACKAGE_VERSION);
	printf("  %-12s %-10s %s\n", "library", "built with", "running with");
	mime_library_version(&b, &r);
	version_line("GMime", b, r);
	tarball_library_version(&b, &r);
	version_line("libarchive", b, r);
	ovh_library_version(&b, &r);
	version_line("libcurl", b, r);
	version_line("jansson", JANSSON_VERSION, jansson_version_str());
	dkimv_library_version(&b, &r);
	version_line("libopendkim", b, r);
	dns_library_version(&b, &r);
	version_line("c-ares", b, r);
	orgdomain_library_version(&b, &r);
	version_line("libpsl", b, r);
	snprintf(gb, sizeof(gb), "%d.%d.%d", GLIB_MAJOR_VERSION, GLIB_MINOR_VERSION,
		 GLIB_MICRO_VERSION);
	snprintf(gr, sizeof(gr), "%u.%u.%u", glib_major_version, glib_minor_version,
		 glib_micro_version);
	version_line("GLib", gb, gr);
}

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* fpkit help [COMMAND]: the command's page through man(1); when man is
 * not there or has no such page, the command's --help. */
static int
help(int argc, char **argv, struct error *err)
{
	const struct command *c;
	char page[64], man[] = "man", opt[] = "--help";
	char name[16];
	char *man_argv[] = { man, NULL, NULL };
	char *help_argv[] = { name, opt, NULL };
	pid_t pid;
	int st;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2)
		return error_set(err, EX_USAGE, "help: one command at a time: 'fpkit help COMMAND'");
	c = find_command(argv[1]);
	if (c == NULL)
		return error_set(err, EX_USAGE, "help: '%s' is not an fpkit command: see "
				 "'fpkit --help'", argv[1]);
	if (strcmp(c->name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	snprintf(page, sizeof(page), "fpkit-%s", c->name);
	man_argv[1] = page;
	fflush(stdout);
	/* man exits 16 when it has no such page (man-db), 1 elsewhere;
	 * 127 or a spawn error: no man at all. */
	if (posix_spawnp(&pid, "man", NULL, NULL, man_argv, environ) == 0 &&
	    waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	fprintf(stderr, "fpkit: no manual page %s here: its --help instead\n", page);
	snprintf(name, sizeof(name), "%s", c->name);
	if (c->fn == NULL)
		return cmd_config(NULL, 2, help_argv, err);
	return c->fn(2, help_argv, err);
}

/* The command with fpkit.conf's settings put in before its options. */
static int
run_command(const struct command *c, const char *conf, int argc, char **argv,
	    struct error *err)
{
	struct config cf = CONFIG_INIT;
	struct config_argv a;
	struct diag d = DIAG_INIT;
	int rc;

	rc = config_load(&cf, conf, &d, err);
	cmd_print_diag(&d, "warning: ");
	diag_release(&d);
	if (rc < 0)
		goto out;
	if (c->fn == NULL) {
		rc = cmd_config(&cf, argc, argv, err);
		goto out;
	}
	if ((rc = config_argv(&cf, argc, argv, &a, err)) < 0)
		goto out;
	rc = c->fn(a.argc, a.argv, err);
	config_argv_free(&a);
out:
	config_release(&cf);
	return rc;
}

static int
run(int argc, char **argv, struct error *err)
{
	const struct command *c;
	const char *conf = NULL;
	int i = 1;

	/* The global options, before the command. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			version();
			return 0;
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			conf = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			conf = argv[i] + 9;
		} else if (strcmp(argv[i], "--config") == 0) {
			return error_set(err, EX_USAGE, "--config needs a file: 'fpkit --config "
					 "FILE COMMAND ...'");
		} else {
			return error_set(err, EX_USAGE, "'%s' is not an fpkit command, nor an "
					 "option of fpkit itself (--config, --help, --version): a "
					 "command's options come after it", argv[i]);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[i], "help") == 0)
		return help(argc - i, argv + i, err);
	c = find_command(argv[i]);
	if (c == NULL)
		return error_set(err, EX_USAGE, "'%s' is not an fpkit command: see 'fpkit --help'",
				 argv[i]);
	return run_command(c, conf, argc - i, argv + i, err);
}

int
main(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	int status;

	/* Here, before any thread: the handler runs its clean-up on this
	 * thread (outfile.c). */
	outfile_signals_init();
	/* GMime is started at its first use (mime.c), as libcurl, c-ares
	 * and libopendkim are: a command that reads no message with it
	 * (find, verify, --help) does not pay for it. */
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
