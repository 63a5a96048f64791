/* ovhclient.c - the API options of 'fpkit pack' and 'fpkit scan', and the
 * client they set up */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "ovhapi.h"
#include "ovhclient.h"
#include "xalloc.h"

/* Limits on the option values: wide, but no nonsense. */
#define MAX_SECONDS 3600.0
#define MAX_RETRIES 20
#define MAX_RATE 100000
#define MAX_PARALLEL 64

int
ovhclient_init(struct ovhclient *a, struct error *err)
{
	const char *base = getenv("FPKIT_RETRY_BASE_MS");
	char *end;
	long v;

	memset(a, 0, sizeof(*a));
	ovh_options_init(&a->opt);
	if (base && *base) {
		errno = 0;
		v = strtol(base, &end, 10);
		if (*end != '\0' || errno || v < 0 || v > 600000)
			return error_set(err, EX_USAGE, "FPKIT_RETRY_BASE_MS='%.32s' is not a number "
					 "of milliseconds from 0 to 600000", base);
		a->opt.retry_base_ms = v;
	}
	return 0;
}

static int
parse_seconds(const char *cmd, const char *name, const char *arg, long *ms, struct error *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno || !isfinite(v) || v < 0.001 || v > MAX_SECONDS)
		return error_set(err, EX_USAGE, "%s: %s '%s' is not a number of seconds from "
				 "0.001 to %.0f", cmd, name, arg, MAX_SECONDS);
	*ms = (long)(v * 1000 + 0.5);
	return 0;
}

static int
parse_int(const char *cmd, const char *name, const char *arg, long min, long max, int *out,
	  struct error *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno || v < min || v > max)
		return error_set(err, EX_USAGE, "%s: %s '%s' is not a whole number from %ld to %ld",
				 cmd, name, arg, min, max);
	*out = (int)v;
	return 0;
}

int
ovhclient_option(struct ovhclient *a, const char *cmd, int opt, const char *arg,
	       struct error *err)
{
	int rc = 0;

	switch (opt) {
	case OVHCLIENT_OPT_ENDPOINT: a->endpoint = arg; break;
	case OVHCLIENT_OPT_CONFIG: a->config = arg; break;
	case OVHCLIENT_OPT_VERBOSE: a->verbose = true; break;
	case OVHCLIENT_OPT_INSECURE_HTTP: a->insecure_http = true; break;
	case OVHCLIENT_OPT_CONNECT_TIMEOUT:
		rc = parse_seconds(cmd, "--connect-timeout", arg, &a->opt.connect_timeout_ms, err);
		break;
	case OVHCLIENT_OPT_TIMEOUT:
		rc = parse_seconds(cmd, "--timeout", arg, &a->opt.timeout_ms, err);
		break;
	case OVHCLIENT_OPT_RETRIES:
		rc = parse_int(cmd, "--retries", arg, 0, MAX_RETRIES, &a->opt.retries, err);
		break;
	case OVHCLIENT_OPT_RATE:
		rc = parse_int(cmd, "--rate", arg, 1, MAX_RATE, &a->opt.rate, err);
		break;
	case OVHCLIENT_OPT_PARALLEL:
		rc = parse_int(cmd, "--parallel", arg, 1, MAX_PARALLEL, &a->opt.parallel, err);
		break;
	default:
		return 0;
	}
	return rc < 0 ? -1 : 1;
}

int
ovhclient_connect(struct ovhclient *a, struct diag *d, struct error *err)
{
	struct ovhconf_source src = { a->endpoint, a->config, NULL, 0, a->why,
				      a->insecure_http, ovh_check_endpoint, a->app_only };

	/* From here the process holds API secrets: no core dump may keep
	 * them on disk. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (ovhconf_resolve(&a->conf, &src, d, err) < 0)
		return -1;
	if (a->opt.trace) {
		char line[1024];

		if (strcmp(a->conf.endpoint, a->conf.base_url) == 0)
			snprintf(line, sizeof(line), "api: endpoint %s", a->conf.base_url);
		else
			snprintf(line, sizeof(line), "api: endpoint %s: %s", a->conf.endpoint,
				 a->conf.base_url);
		a->opt.trace(a->opt.arg, line);
	}
	if (ovh_init(&a->client, &a->conf, &a->opt, err) < 0) {
		ovhconf_release(&a->conf);
		return -1;
	}
	a->connected = true;
	return 0;
}

int
ovhclient_nichandle(struct ovh *client, char **nichandle, struct error *err)
{
	struct ovh_call c;
	const char *nic;
	int rc = -1;

	*nichandle = NULL;
	ovhapi_me(&c);
	if (ovh_get(client, &c, err) == 0 && ovhapi_check_me(&c, &nic, err) == 0) {
		*nichandle = xstrdup(nic);
		rc = 0;
	}
	ovh_call_release(&c);
	return rc;
}

void
ovhclient_release(struct ovhclient *a)
{
	if (a->connected) {
		ovh_release(&a->client);
		ovhconf_release(&a->conf);
	}
	a->connected = false;
}
