/* cmd_auth.c - fpkit auth: the command line around ovh/credential.c */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "credential.h"
#include "error.h"
#include "ovhclient.h"
#include "textsafe.h"

static const char usage_text[] =
	"usage: fpkit auth [--write] [--redirection URL] [--json] [OPTIONS]\n"
	"\n"
	"Request a consumer key (POST /auth/credential) with exactly the rights fpkit\n"
	"needs: the GETs of pack, scan, unblock and ticket; with --write also\n"
	"POST /ip/*/spam/*/unblock, POST /support/tickets/create and\n"
	"POST /support/tickets/*/reply.  The application key and secret come from\n"
	"ovh.conf or OVH_APPLICATION_KEY and OVH_APPLICATION_SECRET.  It prints the\n"
	"address where the key is validated and the line to put in ovh.conf.\n"
	"\n"
	"  --write              add the three writes (unblock, ticket create, reply)\n"
	"  --redirection URL    where the validation page sends the browser after\n"
	"  --json               print {validationUrl, consumerKey, state, accessRules,\n"
	"                       config_file, section}\n"
	"  -h, --help           show this help\n"
	"The OVH API:\n"
	OVHCLIENT_USAGE;

enum { OPT_WRITE = 256, OPT_REDIRECTION, OPT_JSON };

static const struct option long_options[] = {
	{ "write", no_argument, NULL, OPT_WRITE },
	{ "redirection", required_argument, NULL, OPT_REDIRECTION },
	{ "json", no_argument, NULL, OPT_JSON },
	OVHCLIENT_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct auth_cmd {
	struct ovhclient api;
	bool write, json;
	const char *redirection;
};

static int
parse_options(struct auth_cmd *c, int argc, char **argv, struct error *err)
{
	int opt, r;

	optind = 1;
	opterr = 0;
	if (ovhclient_init(&c->api, err) < 0)
		return -1;
	while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if ((r = ovhclient_option(&c->api, "auth", opt, optarg, err)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (opt) {
		case OPT_WRITE: c->write = true; break;
		case OPT_REDIRECTION:
			if (strncmp(optarg, "https://", 8) != 0 && strncmp(optarg, "http://", 7) != 0)
				return error_set(err, EX_USAGE, "auth: --redirection takes an http:// "
						 "or https:// address");
			c->redirection = optarg;
			break;
		case OPT_JSON: c->json = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "auth: '%s' needs a value: see 'fpkit auth "
					 "--help'", argv[optind - 1]);
		default:
			return cmd_bad_option("auth", long_options, argv[optind - 1], err);
		}
	}
	if (optind < argc)
		return error_set(err, EX_USAGE, "auth: unexpected argument '%s'", argv[optind]);
	return 1;
}

static void
print_text(const struct auth_cmd *c, const struct credential *k)
{
	char *url = textsafe_visible(k->validation_url, strlen(k->validation_url));
	char *file = textsafe_visible(k->conf_file, strlen(k->conf_file));
	char *section = textsafe_visible(k->section, strlen(k->section));
	char *state = textsafe_visible(k->state, strlen(k->state));
	size_t i;
	json_t *r;

	printf("A consumer key was made, %s (state %s).  Validate it: open\n\n  %s\n\n"
	       "log in with the account that owns the IP blocks, and choose how long it "
	       "lasts.\nThen put this line in section [%s] of %s:\n\n  consumer_key=%s\n\n"
	       "(or set OVH_CONSUMER_KEY).  It grants exactly:\n",
	       c->write ? "read and write" : "read-only", state, url, section, file,
	       k->consumer_key);
	json_array_foreach(k->rules, i, r)
		printf("  %-4s %s\n", json_string_value(json_object_get(r, "method")),
		       json_string_value(json_object_get(r, "path")));
	if (!c->write)
		printf("fpkit unblock and fpkit ticket create/reply need 'fpkit auth --write'.\n");
	free(url);
	free(file);
	free(section);
	free(state);
}

int
cmd_auth(int argc, char **argv, struct error *err)
{
	struct auth_cmd c;
	struct credential k;
	struct diag d = DIAG_INIT;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	rc = parse_options(&c, argc, argv, err);
	if (rc <= 0)
		goto out;
	if (c.api.verbose)
		c.api.opt.trace = cmd_trace;
	rc = credential_request(&c.api, c.write, c.redirection, &k, &d, err);
	cmd_print_diag(&d, "warning: ");
	if (rc < 0)
		goto out;
	if (c.json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s}",
				      "validationUrl", k.validation_url,
				      "consumerKey", k.consumer_key,
				      "state", k.state,
				      "accessRules", k.rules,
				      "config_file", k.conf_file,
				      "section", k.section);

		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		print_text(&c, &k);
	}
	rc = 0;
out:
	credential_release(&k);
	diag_release(&d);
	ovhclient_release(&c.api);
	return rc;
}
