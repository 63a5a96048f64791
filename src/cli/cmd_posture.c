/* cmd_posture.c - fpkit posture: reverse DNS, SPF, DMARC and blocklists
 * of a sending IP */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "dns.h"
#include "error.h"
#include "mta.h"
#include "netaddr.h"
#include "posture.h"
#include "ticket.h"
#include "words.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: fpkit posture [OPTION]... IP\n"
	"\n"
	"Check what receivers check of a sending IP, from DNS: its reverse DNS\n"
	"(PTR names, forward-confirmed, generic-looking), the SPF of each sender\n"
	"domain evaluated for the IP (RFC 7208) and the mechanism that decided,\n"
	"each domain's DMARC record and policy (RFC 7489), and the IP on DNS\n"
	"blocklists.  A DNS time-out or failure is a result (temperror).\n"
	"\n"
	"  -d, --domain D        a sender domain: SPF and DMARC (repeatable)\n"
	"      --dnsbl ZONE      a blocklist zone, replacing the default list\n"
	"                        (repeatable; 'none': no blocklist)\n"
	"      --dns-server S    ask this server: IP, IP:PORT or [IPv6]:PORT\n"
	"                        (default: the system's resolver)\n"
	"      --timeout SEC     time-out of one query (default 3)\n"
	"      --deadline SEC    time for all the checks (default 20)\n"
	"      --helo NAME       the HELO name the mail server gives: compared\n"
	"                        with the PTR names\n"
	"      --postfix-config DIR  read the HELO name from this Postfix\n"
	"                        configuration (postconf -c DIR)\n"
	"      --lang LANG       the words: " TICKET_LANGS " (default: en)\n"
	"      --json            print the result as JSON\n"
	"  -h, --help            show this help\n"
	"\n"
	"Default blocklists: zen.spamhaus.org, bl.spamcop.net, psbl.surriel.com.\n"
	"Exit status: 0 every check made, 75 some check could not be made\n"
	"(temperror), 64 bad usage.\n";

enum { OPT_DNSBL = 256, OPT_SERVER, OPT_TIMEOUT, OPT_DEADLINE, OPT_JSON, OPT_HELO, OPT_LANG, OPT_POSTFIX_CONFIG };

static const struct option long_options[] = {
	{ "domain", required_argument, NULL, 'd' },
	{ "dnsbl", required_argument, NULL, OPT_DNSBL },
	{ "dns-server", required_argument, NULL, OPT_SERVER },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "deadline", required_argument, NULL, OPT_DEADLINE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "postfix-config", required_argument, NULL, OPT_POSTFIX_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_posture(int argc, char **argv, struct error *err)
{
	struct posture_request req = { .spf = true, .dmarc = true, .ptr = true };
	struct posture_options po;
	const char **domains = NULL, *lang = "en", *postfix_config = NULL;
	char *helo = NULL;
	size_t nd = 0;
	bool json = false;
	struct dns_resolver *r;
	int c, status = 0;
	json_t *out;

	posture_options_init(&po);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hd:", long_options, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!posture_domain_ok(optarg)) {
				status = error_set(err, EX_USAGE,
						   "posture: --domain '%s' is not a domain name (give e.g. shop.example.net)",
						   optarg);
				goto out;
			}
			domains = xrealloc(domains, (nd + 2) * sizeof(*domains));
			domains[nd++] = optarg;
			domains[nd] = NULL;
			break;
		case OPT_DNSBL:
			if (posture_options_dnsbl(&po, optarg) < 0) {
				status = error_set(err, EX_USAGE,
						   "posture: --dnsbl '%s' is not a zone name (give e.g. zen.spamhaus.org)",
						   optarg);
				goto out;
			}
			break;
		case OPT_SERVER: po.server = optarg; break;
		case OPT_HELO:
			if (!posture_domain_ok(optarg)) {
				status = error_set(err, EX_USAGE,
						   "posture: --helo '%s' is not a host name (give e.g. mail.shop.example.net)",
						   optarg);
				goto out;
			}
			po.helo = optarg;
			break;
		case OPT_POSTFIX_CONFIG: postfix_config = optarg; break;
		case OPT_LANG:
			if (words_lang(optarg) == NULL) {
				status = error_set(err, EX_USAGE, "posture: --lang '%s': give one of %s",
						   optarg, words_codes());
				goto out;
			}
			lang = optarg;
			break;
		case OPT_TIMEOUT: case OPT_DEADLINE:
			if (posture_seconds_ms(optarg) < 0) {
				status = error_set(err, EX_USAGE,
						   "posture: --%s '%s': give a number of seconds, above 0 and at most 3600",
						   c == OPT_TIMEOUT ? "timeout" : "deadline", optarg);
				goto out;
			}
			*(c == OPT_TIMEOUT ? &po.timeout_ms : &po.deadline_ms) = posture_seconds_ms(optarg);
			break;
		case OPT_JSON: json = true; break;
		case 'h': fputs(usage_text, stdout); goto out;
		default:
			status = cmd_bad_option("posture", long_options, argv[optind - 1], err);
			goto out;
		}
	}
	if (argc - optind != 1) {
		status = error_set(err, EX_USAGE, "posture: give one IP address: see 'fpkit posture --help'");
		goto out;
	}
	if (!netaddr_is_ip(argv[optind])) {
		status = error_set(err, EX_USAGE, "posture: '%s' is not an IP address (give e.g. 192.0.2.10)",
				   argv[optind]);
		goto out;
	}
	if (po.no_dnsbl && po.nr_dnsbl) {
		status = error_set(err, EX_USAGE, "posture: --dnsbl none and --dnsbl ZONE together: give one");
		goto out;
	}
	if (postfix_config && po.helo) {
		status = error_set(err, EX_USAGE, "posture: --helo and --postfix-config together: give one");
		goto out;
	}
	if (postfix_config) {
		struct mta_options mo;

		mta_options_init(&mo);
		mo.postfix_config = postfix_config;
		if (mta_helo(&mo, &helo, err) < 0) {
			error_prefix(err, "posture: --postfix-config");
			status = -1;
			goto out;
		}
		po.helo = helo;
	}
	r = dns_new(po.server, po.timeout_ms, po.deadline_ms, err);
	if (!r) {
		status = -1;
		goto out;
	}
	req.ip = argv[optind];
	req.domains = domains;
	req.nr_domains = nd;
	posture_options_request(&po, &req);
	out = posture_check(r, &req);
	dns_free(r);
	if (json) {
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		posture_print_lang(stdout, out, lang);
	}
	if (posture_incomplete(out))
		status = EX_TEMPFAIL;
	json_decref(out);
out:
	free(helo);
	free(domains);
	posture_options_release(&po);
	return status;
}
