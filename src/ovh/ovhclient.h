/* ovhclient.h - a client of the OVH API set up from the options that
 * 'fpkit pack' and 'fpkit scan' share: where the API is, the
 * credentials, the limits of the transport */
#ifndef FPKIT_OVHCLIENT_H
#define FPKIT_OVHCLIENT_H

#include <stdbool.h>

#include "ovh.h"
#include "ovhconf.h"

struct diag;
struct error;

struct ovhclient {
	const char *endpoint;		/* --endpoint */
	const char *config;		/* --config */
	bool verbose;			/* --verbose: the command then sets
					 * opt.trace */
	bool insecure_http;		/* --insecure-http */
	bool app_only;			/* fpkit auth: no consumer key needed */
	const char *why;		/* the command: why the API is asked, put
					 * before a "no credentials" error */
	struct ovh_options opt;		/* --connect-timeout, --timeout, --retries,
					 * --rate, --parallel; trace and progress
					 * set by the command */
	struct ovhconf conf;		/* ovhclient_connect: what was resolved */
	struct ovh client;		/* ovhclient_connect: the client */
	bool connected;
};

/* getopt_long codes of the API options; above those of the commands. */
enum {
	OVHCLIENT_OPT_ENDPOINT = 1024,
	OVHCLIENT_OPT_CONFIG,
	OVHCLIENT_OPT_CONNECT_TIMEOUT,
	OVHCLIENT_OPT_TIMEOUT,
	OVHCLIENT_OPT_RETRIES,
	OVHCLIENT_OPT_RATE,
	OVHCLIENT_OPT_PARALLEL,
	OVHCLIENT_OPT_VERBOSE,
	OVHCLIENT_OPT_INSECURE_HTTP,
};

/* The entries of a struct option table, all but --parallel. */
#define OVHCLIENT_LONG_OPTIONS \
	{ "endpoint", required_argument, NULL, OVHCLIENT_OPT_ENDPOINT }, \
	{ "config", required_argument, NULL, OVHCLIENT_OPT_CONFIG }, \
	{ "connect-timeout", required_argument, NULL, OVHCLIENT_OPT_CONNECT_TIMEOUT }, \
	{ "timeout", required_argument, NULL, OVHCLIENT_OPT_TIMEOUT }, \
	{ "retries", required_argument, NULL, OVHCLIENT_OPT_RETRIES }, \
	{ "rate", required_argument, NULL, OVHCLIENT_OPT_RATE }, \
	{ "verbose", no_argument, NULL, OVHCLIENT_OPT_VERBOSE }, \
	{ "insecure-http", no_argument, NULL, OVHCLIENT_OPT_INSECURE_HTTP }

/* Their lines in a --help text. */
#define OVHCLIENT_USAGE \
	"  --endpoint NAME|URL  ovh-eu (default), ovh-ca, ovh-us, kimsufi-eu, kimsufi-ca,\n" \
	"                       soyoustart-eu, soyoustart-ca, or a base URL\n" \
	"  --config FILE        an ovh.conf file read after the usual ones\n" \
	"  --connect-timeout S  seconds to connect (default 10)\n" \
	"  --timeout S          seconds for one try of a request (default 30)\n" \
	"  --retries N          tries again after a failure, at most N times (default 3)\n" \
	"  --rate N             at most N requests a minute (default 50)\n" \
	"  --verbose            trace each request on standard error\n" \
	"  --insecure-http      accept a plain http:// endpoint on a host that is not\n" \
	"                       loopback (the keys and the answers travel unencrypted)\n"

/* Set the defaults; FPKIT_RETRY_BASE_MS, when set, replaces the first
 * backoff (for the tests).  EX_USAGE when it is not a number. */
int ovhclient_init(struct ovhclient *a, struct error *err);

/* Take option 'opt' with its argument: 1 when it is an API option, 0
 * when it is not, -1 with EX_USAGE when its value is wrong.  'cmd' names
 * the command in messages. */
int ovhclient_option(struct ovhclient *a, const char *cmd, int opt, const char *arg,
		     struct error *err);

/* Resolve the endpoint and the credentials (ovhconf.h; warnings in d)
 * and set up a->client.  Nothing is printed: the endpoint, then each
 * request, is told to a->opt.trace when the command set one.  Errors
 * are ovhconf_resolve's and ovh_init's; no request is made. */
int ovhclient_connect(struct ovhclient *a, struct diag *d, struct error *err);

/* Ask the API for the account's NIC handle (GET /me) through a
 * connected client: *nichandle is new.  The errors of ovh_get and
 * ovhapi_check_me. */
int ovhclient_nichandle(struct ovh *client, char **nichandle, struct error *err);

/* Release the client and wipe the credentials. */
void ovhclient_release(struct ovhclient *a);

#endif
