/* cmd.h - the subcommands; each returns an exit status, or -1 with err
 * set (main.c turns it into a message and a status) */
#ifndef FPKIT_CMD_H
#define FPKIT_CMD_H

struct error;

int cmd_pack(int argc, char **argv, struct error *err);
int cmd_verify(int argc, char **argv, struct error *err);
int cmd_find(int argc, char **argv, struct error *err);
int cmd_scan(int argc, char **argv, struct error *err);
int cmd_archive(int argc, char **argv, struct error *err);
int cmd_check(int argc, char **argv, struct error *err);
int cmd_alert(int argc, char **argv, struct error *err);
int cmd_queue(int argc, char **argv, struct error *err);
int cmd_posture(int argc, char **argv, struct error *err);
int cmd_unblock(int argc, char **argv, struct error *err);
int cmd_ticket(int argc, char **argv, struct error *err);
int cmd_auth(int argc, char **argv, struct error *err);
int cmd_report(int argc, char **argv, struct error *err);

/* The error for an option getopt_long refused: unknown, the start of
 * several long options, or a value given to one that takes none.
 * Returns -1 (EX_USAGE). */
struct option;
int cmd_bad_option(const char *cmd, const struct option *opts, const char *arg,
		   struct error *err);

/* Print warnings collected by the stages, one "fpkit: warning: " line
 * each, made safe for a terminal. */
struct diag;
void cmd_print_diag(const struct diag *d, const char *prefix);

/* A command over several files met an error on one (err): print it,
 * made safe for a terminal, and go on with the others.  *status keeps
 * the first error's status, a file missing (EX_NOINPUT) winning; err is
 * cleared for the next file. */
struct error;
void cmd_file_error(struct error *err, int *status);

/* The options that say how to read the mail system (fpkit queue, pack
 * --queue): which one is given as 'which', its value as arg, set in *o.
 * -1 (EX_USAGE, naming cmd) for a bad value. */
enum cmd_mta_option { CMD_MTA, CMD_POSTFIX_CONFIG, CMD_TOOL_TIMEOUT };
struct mta_options;
int cmd_mta_option(const char *cmd, enum cmd_mta_option which, const char *arg,
		   struct mta_options *o, struct error *err);

/* A --mail argument (or a store of find), checked before anything is
 * done: a path, or a dovecot: or imap(s):// store that is well formed
 * (mailspec_parse).  -1 (EX_USAGE, saying what is expected) otherwise. */
int cmd_mail_arg(const char *arg, struct error *err);

/* --verbose: the trace of the API client (struct ovh_options' trace),
 * one "fpkit: " line on standard error each, made safe for a terminal.
 * arg is not used. */
void cmd_trace(void *arg, const char *line);

/* One "fpkit: PREFIXLINE" line on standard error, LINE made safe for a
 * terminal (textsafe_visible): for text from outside. */
void cmd_say(const char *prefix, const char *line);

/* Ask "PLAN\nQUESTION [y/N] " on a terminal: 1 yes, 0 no (or no answer),
 * -1 when standard input or error is not a terminal (nobody to ask).
 * PLAN's outside text must already be safe to show. */
int cmd_ask(const char *plan, const char *question);

#endif
