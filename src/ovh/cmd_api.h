/* cmd_api.h - what 'fpkit pack' and 'fpkit scan' share to reach the OVH
 * API: the options, and a client set up from them */
#ifndef FPKIT_CMD_API_H
#define FPKIT_CMD_API_H

#include <stdbool.h>

#include "ovh.h"
#include "ovhconf.h"

struct diag;
struct error;

struct cmd_api {
	const char *endpoint;		/* --endpoint */
	const char *config;		/* --config */
	bool verbose;			/* --verbose */
	const char *why;		/* the command: why the API is asked, put
					 * before a "no credentials" error */
	struct ovh_options opt;		/* --connect-timeout, --timeout, --retries,
					 * --rate, --parallel */
	struct ovhconf conf;		/* cmd_api_connect: what was resolved */
	struct ovh client;		/* cmd_api_connect: the client */
	bool connected;
};

/* getopt_long codes of the API options; above those of the commands. */
enum {
	CMD_API_OPT_ENDPOINT = 1024,
	CMD_API_OPT_CONFIG,
	CMD_API_OPT_CONNECT_TIMEOUT,
	CMD_API_OPT_TIMEOUT,
	CMD_API_OPT_RETRIES,
	CMD_API_OPT_RATE,
	CMD_API_OPT_PARALLEL,
	CMD_API_OPT_VERBOSE,
};

/* The entries of a struct option table, all but --parallel. */
#define CMD_API_LONG_OPTIONS \
	{ "endpoint", required_argument, NULL, CMD_API_OPT_ENDPOINT }, \
	{ "config", required_argument, NULL, CMD_API_OPT_CONFIG }, \
	{ "connect-timeout", required_argument, NULL, CMD_API_OPT_CONNECT_TIMEOUT }, \
	{ "timeout", required_argument, NULL, CMD_API_OPT_TIMEOUT }, \
	{ "retries", required_argument, NULL, CMD_API_OPT_RETRIES }, \
	{ "rate", required_argument, NULL, CMD_API_OPT_RATE }, \
	{ "verbose", no_argument, NULL, CMD_API_OPT_VERBOSE }

/* Their lines in a --help text. */
#define CMD_API_USAGE \
	"  --endpoint NAME|URL  ovh-eu (default), ovh-ca, ovh-us, kimsufi-eu, kimsufi-ca,\n" \
	"                       soyoustart-eu, soyoustart-ca, or a base URL\n" \
	"  --config FILE        an ovh.conf file read after the usual ones\n" \
	"  --connect-timeout S  seconds to connect (default 10)\n" \
	"  --timeout S          seconds for one try of a request (default 30)\n" \
	"  --retries N          tries again after a failure, at most N times (default 3)\n" \
	"  --rate N             at most N requests a minute (default 50)\n" \
	"  --verbose            trace each request on standard error\n"

/* Set the defaults; FPKIT_RETRY_BASE_MS, when set, replaces the first
 * backoff (for the tests).  EX_USAGE when it is not a number. */
int cmd_api_init(struct cmd_api *a, struct error *err);

/* Take option 'opt' with its argument: 1 when it is an API option, 0
 * when it is not, -1 with EX_USAGE when its value is wrong.  'cmd' names
 * the command in messages. */
int cmd_api_option(struct cmd_api *a, const char *cmd, int opt, const char *arg,
		   struct error *err);

/* Resolve the endpoint and the credentials (ovhconf.h; warnings in d)
 * and set up a->client, tracing to standard error with --verbose. */
int cmd_api_connect(struct cmd_api *a, struct diag *d, struct error *err);

/* Release the client and wipe the credentials. */
void cmd_api_release(struct cmd_api *a);

#endif
