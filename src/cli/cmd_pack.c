/* cmd_pack.c - fpkit pack: the command line around pack.c */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "dns.h"
#include "fpkit.h"
#include "mta.h"
#include "outfile.h"
#include "pack.h"
#include "s3archive.h"
#include "summary.h"
#include "textsafe.h"
#include "ticket.h"
#include "timefmt.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: fpkit pack [OPTIONS] (--spam-ip-json FILE | --stats-json FILE)...\n"
	"       fpkit pack [OPTIONS] --ip IP   (asks the OVH API)\n"
	"       fpkit pack [OPTIONS] --alert FILE\n"
	"\n"
	"Build the evidence bundle and the ticket text for one IP blocked for spam.\n"
	"\n"
	"  --ip IP              the blocked address (default: ipSpamming of --spam-ip-json);\n"
	"                       alone, fpkit fetches what the API says about it\n"
	"  --block CIDR         the IP block that holds it, e.g. 203.0.113.0/28\n"
	"  --spam-ip-json FILE  the object of GET /ip/{block}/spam/{ip}, as saved\n"
	"  --stats-json FILE    the array of GET /ip/{block}/spam/{ip}/stats, as saved\n"
	"  --alert FILE         the anti-spam alert e-mail OVHcloud sent (.eml, forwarded\n"
	"                       or not): alone, the IP, block time and messages come from\n"
	"                       it; with the API or saved JSON, those win and the alert\n"
	"                       adds what they lack; packed as alert/alert.eml\n"
	"  --mail PATH          a mail store to search (repeatable): a message file of\n"
	"                       any name; an mbox (mboxo or mboxrd), plain or compressed\n"
	"                       with gzip, xz, bzip2 or zstd (told by its content, not\n"
	"                       its name); a Maildir (cur/ and new/, and its Maildir++\n"
	"                       folders); an MH folder; or any folder, searched\n"
	"                       recursively for all of these (files taken as messages\n"
	"                       by their content); dovecot:USER[/MAILBOX][?config=FILE]\n"
	"                       or dovecot:* (through doveadm); imaps://USER@HOST/MAILBOX\n"
	"                       (password from ~/.netrc or asked)\n"
	"  --maillog FILE       a Postfix, Exim or Sendmail log, plain or compressed:\n"
	"                       the lines about the targets go into logs/ (repeatable;\n"
	"                       rotated files oldest first) and the mail sent in the\n"
	"                       24 hours before the block is counted\n"
	"  --log-host NAME      count only the mail of host NAME (the syslog host field)\n"
	"                       when the logs mix several servers'\n"
	"  --before-block N     also take the N most recent messages dated before\n"
	"                       the block that show they were sent from its IP,\n"
	"                       never one received (when no Message-ID is known)\n"
	"  -o, --output PATH    an existing folder to write the bundle into, or the\n"
	"                       bundle's file name (default: the current folder); or\n"
	"                       s3://BUCKET/PREFIX (the bundle's name under PREFIX)\n"
	"                       or s3://BUCKET/KEY.tar.gz: uploaded to an S3-compatible\n"
	"                       bucket, never over an object there (fpkit-archive(1))\n"
	"  --force              replace an existing bundle of the same name\n"
	"  --unpacked           also write the bundle as a folder beside the tarball,\n"
	"                       named as its top folder: the same files, loose\n"
	"  --inline             append each sample's header and the mail-log lines\n"
	"                       to the ticket's text, for a ticket without attachments\n"
	"  --inline-max BYTES   the most --inline appends (default: 65536; implies\n"
	"                       --inline): what does not fit is left out, and said\n"
	"  --allow-empty        write the bundle even when no message looked for was\n"
	"                       found (without it: no bundle, exit status 1)\n"
	"  --lang LANG          the ticket's language: " TICKET_LANGS " (default: en)\n"
	"  --template FILE      render the ticket with this mustache template\n"
	"  --ticket-paths       name the local files in the ticket too (the stores\n"
	"                       searched, the mail logs read, where each sample was)\n"
	"  --json               print summary.json (with \"bundle\") instead of the ticket\n"
	"  --timing             print the time each stage took (gather, locate, samples,\n"
	"                       trail, checks, ..., write) on standard error; with\n"
	"                       --json, also as \"timing\" (never in the bundle)\n"
	"  --dkim-keys FILE     DKIM keys from FILE (NAME TXT-VALUE lines), not from DNS\n"
	"  --no-dkim            do not verify the samples' DKIM signatures\n"
	"  --date-slack SECONDS how far outside the stats window a sample's Date may\n"
	"                       be (default: 86400)\n"
	"  --queue              record the local mail system's state under queue/ (as\n"
	"                       'fpkit queue' prints it); --mta, --postfix-config and\n"
	"                       --tool-timeout as for 'fpkit queue'\n"
	"  --queue-messages     --queue, and each waiting message to the flagged\n"
	"                       destinations as the MTA prints it (postcat -q, exim -Mvc)\n"
	"  --posture            check the sender's configuration in DNS, as 'fpkit\n"
	"                       posture' does: the IP's reverse DNS and blocklists,\n"
	"                       the SPF and DMARC of the samples' domains (From,\n"
	"                       envelope sender, DKIM d=) and each sample's DMARC\n"
	"                       alignment; into posture.json and the ticket\n"
	"  --dns-server S, --dnsbl ZONE, --helo NAME\n"
	"                       as for 'fpkit posture' (each implies --posture)\n"
	"  --dns-timeout SEC, --dns-deadline SEC\n"
	"                       posture's --timeout (default 3) and --deadline\n"
	"                       (default 20): --timeout is the API's here\n"
	"  --no-dns             ask no DNS server at all: no --posture, and DKIM\n"
	"                       verified only with --dkim-keys\n"
	"  -h, --help           show this help\n"
	"\n"
	"Without --spam-ip-json and --stats-json (OVH API credentials needed):\n"
	"  --from DATE, --to DATE  the stats window, ISO 8601 with a time zone\n"
	"                       (default: 24 hours before the block date to 1 hour after)\n"
	"  --save-api DIR       also write the answers as DIR/spam-ip.json, DIR/stats.json\n"
	OVHCLIENT_USAGE;

enum {
	OPT_IP = 256, OPT_BLOCK, OPT_SPAMIP, OPT_STATS, OPT_ALERT, OPT_MAIL, OPT_MAILLOG,
	OPT_LOG_HOST,
	OPT_FORCE, OPT_ALLOW_EMPTY,
	OPT_LANG, OPT_TEMPLATE, OPT_TICKET_PATHS, OPT_JSON, OPT_TIMING, OPT_BEFORE_BLOCK,
	OPT_FROM, OPT_TO, OPT_SAVE_API,
	OPT_DKIM_KEYS, OPT_NO_DKIM, OPT_DATE_SLACK,
	OPT_UNPACKED, OPT_INLINE, OPT_INLINE_MAX,
	OPT_QUEUE, OPT_QUEUE_MESSAGES, OPT_MTA, OPT_POSTFIX_CONFIG, OPT_TOOL_TIMEOUT,
	OPT_POSTURE, OPT_NO_DNS, OPT_DNS_SERVER, OPT_TIMEOUT, OPT_DEADLINE, OPT_DNSBL, OPT_HELO,
};

static const struct option long_options[] = {
	{ "ip", required_argument, NULL, OPT_IP },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "spam-ip-json", required_argument, NULL, OPT_SPAMIP },
	{ "stats-json", required_argument, NULL, OPT_STATS },
	{ "alert", required_argument, NULL, OPT_ALERT },
	{ "mail", required_argument, NULL, OPT_MAIL },
	{ "maillog", required_argument, NULL, OPT_MAILLOG },
	{ "log-host", required_argument, NULL, OPT_LOG_HOST },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "ticket-paths", no_argument, NULL, OPT_TICKET_PATHS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "timing", no_argument, NULL, OPT_TIMING },
	{ "before-block", required_argument, NULL, OPT_BEFORE_BLOCK },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "save-api", required_argument, NULL, OPT_SAVE_API },
	{ "dkim-keys", required_argument, NULL, OPT_DKIM_KEYS },
	{ "no-dkim", no_argument, NULL, OPT_NO_DKIM },
	{ "date-slack", required_argument, NULL, OPT_DATE_SLACK },
	{ "unpacked", no_argument, NULL, OPT_UNPACKED },
	{ "inline", no_argument, NULL, OPT_INLINE },
	{ "inline-max", required_argument, NULL, OPT_INLINE_MAX },
	{ "queue", no_argument, NULL, OPT_QUEUE },
	{ "queue-messages", no_argument, NULL, OPT_QUEUE_MESSAGES },
	{ "mta", required_argument, NULL, OPT_MTA },
	{ "postfix-config", required_argument, NULL, OPT_POSTFIX_CONFIG },
	{ "tool-timeout", required_argument, NULL, OPT_TOOL_TIMEOUT },
	{ "posture", no_argument, NULL, OPT_POSTURE },
	{ "no-dns", no_argument, NULL, OPT_NO_DNS },
	{ "dns-server", required_argument, NULL, OPT_DNS_SERVER },
	{ "dns-timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "dns-deadline", required_argument, NULL, OPT_DEADLINE },
	{ "dnsbl", required_argument, NULL, OPT_DNSBL },
	{ "helo", required_argument, NULL, OPT_HELO },
	OVHCLIENT_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --from/--to: an ISO 8601 date with a time zone, as epoch seconds. */
static int
parse_date(const char *name, const char *arg, int64_t *out, struct error *err)
{
	if (timefmt_parse_iso(arg, out) < 0 || *out <= 0)
		return error_set(err, EX_USAGE, "pack: %s '%s' is not an ISO 8601 date and time "
				 "with a time zone, such as 2026-11-20T14:32:07+01:00", name, arg);
	return 0;
}

/* The options of the sender's posture; 1 when C was one of them, 0
 * when not, -1 on a usage error. */
static int
posture_option(struct posture_options *po, int c, const char *arg, struct error *err)
{
	switch (c) {
	case OPT_POSTURE: break;
	case OPT_NO_DNS: po->no_dns = true; return 1;
	case OPT_DNS_SERVER: po->server = arg; break;
	case OPT_TIMEOUT: case OPT_DEADLINE:
		if (posture_seconds_ms(arg) < 0)
			return error_set(err, EX_USAGE, "pack: --%s '%s': give a number of seconds, "
					 "above 0 and at most 3600",
					 c == OPT_TIMEOUT ? "dns-timeout" : "dns-deadline", arg);
		*(c == OPT_TIMEOUT ? &po->timeout_ms : &po->deadline_ms) = posture_seconds_ms(arg);
		break;
	case OPT_DNSBL:
		if (posture_options_dnsbl(po, arg) < 0)
			return error_set(err, EX_USAGE, "pack: --dnsbl '%s' is not a zone name (give "
					 "e.g. zen.spamhaus.org, or none)", arg);
		break;
	case OPT_HELO:
		if (!posture_domain_ok(arg))
			return error_set(err, EX_USAGE, "pack: --helo '%s' is not a host name (give "
					 "e.g. mail.shop.example.net)", arg);
		po->helo = arg;
		break;
	default:
		return 0;
	}
	po->enabled = true;
	return 1;
}

/* 1: parsed; 0: --help shown; -1: usage error in err. */
static int
parse_options(struct fpkit *fp, int argc, char **argv, struct error *err)
{
	int c, r;

	optind = 1;
	opterr = 0;
	mta_options_init(&fp->queue_opt);
	if (ovhclient_init(&fp->api, err) < 0)
		return -1;
	while ((c = getopt_long(argc, argv, ":ho:", long_options, NULL)) != -1) {
		if ((r = ovhclient_option(&fp->api, "pack", c, optarg, err)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if ((r = posture_option(&fp->posture_opt, c, optarg, err)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (c) {
		case OPT_FROM:
			if (parse_date("--from", optarg, &fp->from, err) < 0)
				return -1;
			break;
		case OPT_TO:
			if (parse_date("--to", optarg, &fp->to, err) < 0)
				return -1;
			break;
		case OPT_SAVE_API: fp->save_api = optarg; break;
		case OPT_DKIM_KEYS: fp->check_opt.dkim_keys = optarg; break;
		case OPT_NO_DKIM: fp->check_opt.no_dkim = true; break;
		case OPT_DATE_SLACK: {
			char *end;
			long long v;

			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v < 0 || errno)
				return error_set(err, EX_USAGE, "pack: --date-slack takes a number of "
						 "seconds, not '%s'", optarg);
			fp->check_opt.date_slack = v;
			break;
		}
		case OPT_UNPACKED: fp->unpacked = true; break;
		case OPT_INLINE: fp->inline_text = true; break;
		case OPT_INLINE_MAX: {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || errno || v > INLINE_MAX_LIMIT)
				return error_set(err, EX_USAGE, "pack: --inline-max takes a number "
						 "of bytes from 0 to %d, not '%s'", INLINE_MAX_LIMIT,
						 optarg);
			fp->inline_opt.max = (size_t)v;
			fp->inline_text = true;
			break;
		}
		case OPT_QUEUE_MESSAGES: fp->queue_messages = true; /* fall through */
		case OPT_QUEUE: fp->queue = true; break;
		case OPT_MTA:
			if (cmd_mta_option("pack", CMD_MTA, optarg, &fp->queue_opt, err) < 0)
				return -1;
			break;
		case OPT_POSTFIX_CONFIG:
			cmd_mta_option("pack", CMD_POSTFIX_CONFIG, optarg, &fp->queue_opt, err);
			break;
		case OPT_TOOL_TIMEOUT:
			if (cmd_mta_option("pack", CMD_TOOL_TIMEOUT, optarg, &fp->queue_opt, err) < 0)
				return -1;
			break;
		case OPT_IP: fp->ip = optarg; break;
		case OPT_BLOCK: fp->block = optarg; break;
		case OPT_SPAMIP: fp->spamip_json = optarg; break;
		case OPT_STATS: fp->stats_json = optarg; break;
		case OPT_ALERT: fp->alert_file = optarg; break;
		case OPT_MAILLOG:
			fp->maillog = xgrow(fp->maillog, fp->nr_maillog + 1, &fp->alloc_maillog,
					    sizeof(*fp->maillog));
			fp->maillog[fp->nr_maillog++] = optarg;
			break;
		case OPT_LOG_HOST:
			if (*optarg == '\0' || strpbrk(optarg, " \t"))
				return error_set(err, EX_USAGE, "pack: --log-host takes a host name "
						 "as the logs write it, not '%s'", optarg);
			fp->log_host = optarg;
			break;
		case OPT_MAIL:
			if (cmd_mail_arg(optarg, err) < 0)
				return -1;
			fp->mail = xgrow(fp->mail, fp->nr_mail + 1, &fp->alloc_mail,
					 sizeof(*fp->mail));
			fp->mail[fp->nr_mail++] = optarg;
			break;
		case 'o': fp->output = optarg; break;
		case OPT_FORCE: fp->force = true; break;
		case OPT_ALLOW_EMPTY: fp->allow_empty = true; break;
		case OPT_LANG: fp->lang = optarg; break;
		case OPT_TEMPLATE: fp->template_path = optarg; break;
		case OPT_TICKET_PATHS: fp->ticket_paths = true; break;
		case OPT_JSON: fp->json = true; break;
		case OPT_TIMING: fp->timing = true; break;
		case OPT_BEFORE_BLOCK: {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 1 || v > 10000 || errno)
				return error_set(err, EX_USAGE, "pack: --before-block takes a number "
						 "of messages from 1 to 10000, not '%s'", optarg);
			fp->before_block = (size_t)v;
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return error_set(err, EX_USAGE, "pack: '%s' needs a value: see 'fpkit pack --help'",
					 argv[optind - 1]);
		default:
			return cmd_bad_option("pack", long_options, argv[optind - 1], err);
		}
	}
	if (optind < argc)
		return error_set(err, EX_USAGE, "pack: unexpected argument '%s' "
				 "(mail stores are given with --mail)", argv[optind]);
	if (fp->posture_opt.no_dns && fp->posture_opt.enabled)
		return error_set(err, EX_USAGE, "pack: --no-dns asks no DNS server: it does not go "
				 "with --posture, --dns-server, --dns-timeout, --dns-deadline, --dnsbl or --helo");
	if (fp->posture_opt.no_dnsbl && fp->posture_opt.nr_dnsbl)
		return error_set(err, EX_USAGE, "pack: --dnsbl none and --dnsbl ZONE together: give one");
	/* A bad --dns-server is said at once, not after the search. */
	if (fp->posture_opt.server) {
		struct dns_resolver *res = dns_new(fp->posture_opt.server, 1, 1, err);

		if (!res) {
			error_prefix(err, "pack");
			return -1;
		}
		dns_free(res);
	}
	/* Off the network: DKIM keys from --dkim-keys only. */
	if (fp->posture_opt.no_dns && !fp->check_opt.dkim_keys && !fp->check_opt.no_dkim) {
		fp->check_opt.no_dkim = true;
		fp->check_opt.no_dkim_why = "--no-dns: the keys are in DNS";
	}
	if (!fp->queue && (fp->queue_opt.mta || fp->queue_opt.postfix_config))
		return error_set(err, EX_USAGE, "pack: --mta and --postfix-config go with --queue");
	if (fp->template_path == NULL && !ticket_lang_known(fp->lang))
		return error_set(err, EX_USAGE, "pack: no ticket in language '%s' (known: "
				 TICKET_LANGS "; or give --template)", fp->lang);
	/* Saved documents win: the API is asked only when none is given. */
	if (fp->spamip_json == NULL && fp->stats_json == NULL) {
		if (fp->ip == NULL && fp->alert_file == NULL)
			return error_set(err, EX_USAGE, "pack: nothing tells about the block: give "
					 "--spam-ip-json, --stats-json or both (saved from the API "
					 "console), --ip to ask the OVH API, or --alert with the "
					 "alert e-mail");
		/* --alert alone needs no API; with --ip the API is asked too. */
		fp->fetch = fp->ip != NULL;
	}
	if (!fp->fetch && (fp->save_api || fp->from || fp->to))
		return error_set(err, EX_USAGE, "pack: --save-api, --from and --to apply only when "
				 "fpkit asks the API, without --spam-ip-json and --stats-json");
	if (fp->log_host && fp->nr_maillog == 0)
		return error_set(err, EX_USAGE, "pack: --log-host applies only with --maillog");
	if ((fp->from == 0) != (fp->to == 0))
		return error_set(err, EX_USAGE, "pack: give both --from and --to, or neither");
	if (fp->from && fp->from >= fp->to)
		return error_set(err, EX_USAGE, "pack: --from must come before --to");
	/* Before any request: a typo must not cost the API calls. */
	if (fp->save_api) {
		struct stat st;

		if (stat(fp->save_api, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    access(fp->save_api, W_OK | X_OK) < 0)
			return error_set(err, EX_CANTCREAT, "pack: --save-api '%s' is not a folder "
					 "fpkit can write into: create it first", fp->save_api);
	}
	return 1;
}

/* A warning for each target not found; how many targets there are. */
static size_t
report_missing(struct fpkit *fp, size_t *missing)
{
	size_t nr_targets = 0;

	*missing = 0;
	for (size_t i = 0; i < fp->targets.nr; i++) {
		const struct target *t = &fp->targets.items[i];

		nr_targets += !t->recent;
		if (t->nr_hits == 0 && !t->recent) {
			char *id = textsafe_visible(t->shown, strlen(t->shown));

			fprintf(stderr, "fpkit: warning: not found: <%s>\n", id);
			free(id);
			(*missing)++;
		}
	}
	return nr_targets;
}

/* Nothing found and no --allow-empty: no bundle; what was read where,
 * so that a wrong --mail path shows. */
static void
report_nothing(struct fpkit *fp)
{
	size_t missing, nr_targets;

	cmd_print_diag(&fp->diag, "warning: ");
	nr_targets = report_missing(fp, &missing);
	if (nr_targets)
		fprintf(stderr, "fpkit: nothing found: %s of the %zu target%s in the %" PRIu64
			" message%s read in:\n", nr_targets == 1 ? "not" : "none", nr_targets,
			nr_targets == 1 ? "" : "s", fp->finder.nr_messages,
			fp->finder.nr_messages == 1 ? "" : "s");
	else
		fprintf(stderr, "fpkit: nothing found: no message sent before the block in the "
			"%" PRIu64 " message%s read in:\n", fp->finder.nr_messages,
			fp->finder.nr_messages == 1 ? "" : "s");
	for (size_t i = 0; i < fp->finder.nr_searched; i++) {
		char *p = textsafe_visible(fp->finder.searched[i], strlen(fp->finder.searched[i]));

		fprintf(stderr, "fpkit:   %s\n", p);
		free(p);
	}
	fprintf(stderr, "fpkit: no bundle written: check the --mail paths, or give "
		"--allow-empty to write it without evidence\n");
}

/* --timing: each stage's wall and CPU time, then the run's, one line
 * each on standard error (also when the run failed: the stages done);
 * with --json, as the printed summary's "timing" too. */
static json_t *
timing_json(const struct stagetime *t)
{
	json_t *stages = json_array();

	for (size_t i = 0; i < t->nr; i++)
		json_array_append_new(stages, json_pack("{s:s, s:f, s:f}",
			"stage", t->stages[i].name,
			"wall_seconds", t->stages[i].wall,
			"cpu_seconds", t->stages[i].cpu));
	return json_pack("{s:o, s:f, s:f}", "stages", stages, "wall_seconds", t->wall,
			 "cpu_seconds", t->cpu);
}

static void
report_timing(const struct fpkit *fp)
{
	const struct stagetime *t = &fp->times;

	if (!fp->timing || !t->started)
		return;
	for (size_t i = 0; i < t->nr; i++)
		fprintf(stderr, "fpkit: timing: %-8s %9.3f s wall %9.3f s cpu\n",
			t->stages[i].name, t->stages[i].wall, t->stages[i].cpu);
	fprintf(stderr, "fpkit: timing: %-8s %9.3f s wall %9.3f s cpu\n", "total", t->wall,
		t->cpu);
}

static void
report(struct fpkit *fp)
{
	size_t missing, nr_targets;
	char *volume;

	cmd_print_diag(&fp->diag, "warning: ");
	nr_targets = report_missing(fp, &missing);
	if (fp->nothing_found)
		fprintf(stderr, "fpkit: warning: nothing found in the %" PRIu64 " message%s read: "
			"the bundle holds no message (--allow-empty)\n", fp->finder.nr_messages,
			fp->finder.nr_messages == 1 ? "" : "s");
	if (fp->json) {
		json_object_set_new(fp->summary, "bundle", json_string(fp->bundle_path));
		if (fp->folder_path)
			json_object_set_new(fp->summary, "folder", json_string(fp->folder_path));
		if (fp->timing)
			json_object_set_new(fp->summary, "timing", timing_json(&fp->times));
		json_dumpf(fp->summary, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		fwrite(fp->ticket, 1, fp->ticket_len, stdout);
	}
	/* The summary lines come after the ticket, also when both streams
	 * go to one file. */
	fflush(stdout);
	fprintf(stderr, "fpkit: wrote '%s': %zu sample%s, %zu of %zu target%s not found\n",
		fp->bundle_path, fp->samples.nr, fp->samples.nr == 1 ? "" : "s",
		missing, nr_targets, nr_targets == 1 ? "" : "s");
	if (fp->folder_path)
		fprintf(stderr, "fpkit: wrote folder '%s' too: the same files, loose\n",
			fp->folder_path);
	if ((volume = volume_describe(&fp->volume)) != NULL) {
		fprintf(stderr, "fpkit: %s\n", volume);
		free(volume);
	}
	if (fp->before_block && fp->finder.nr_undated)
		fprintf(stderr, "fpkit: %" PRIu64 " message%s without a readable Date could not be "
			"considered for --before-block\n", fp->finder.nr_undated,
			fp->finder.nr_undated == 1 ? "" : "s");
	if (!fp->json && fp->targets.nr > 0)
		fprintf(stderr, "fpkit: tick the checklist in the ticket before you send it\n");
}

/* -o: a warning when others than root and you can write into the folder
 * the bundle goes into (they could replace it before it is sent); not
 * refused, as the archive folder is, since the folder is chosen for
 * this one run. */
static void
warn_output_folder(struct fpkit *fp)
{
	struct stat st;
	char *copy, *why;
	const char *dir;

	if (fp->output == NULL || *fp->output == '\0')
		return;
	copy = xstrdup(fp->output);
	dir = stat(fp->output, &st) == 0 && S_ISDIR(st.st_mode) ? fp->output : dirname(copy);
	why = outfile_dir_unsafe(dir);
	if (why)
		diag_add(&fp->diag, "the bundle goes into folder '%s', which %s: other users "
			 "could replace or add files there", dir, why);
	free(why);
	free(copy);
}

/* -o s3://...: the bundle packed into a temporary folder, then uploaded
 * (never over an object there) and read back. */
static int
pack_to_bucket(struct fpkit *fp, struct error *err)
{
	const char *url = fp->output, *tmpdir = getenv("TMPDIR");
	char *tmp = xasprintf("%s/fpkit-pack.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	char *object = NULL, *path = NULL;
	bool taken = false;
	int rc = -1;

	if (fp->unpacked) {
		error_set(err, EX_USAGE, "pack: --unpacked writes a folder: it does not go with "
			  "-o s3://...");
		free(tmp);
		return -1;
	}
	if (mkdtemp(tmp) == NULL) {
		error_set(err, EX_CANTCREAT, "pack: cannot make a temporary folder '%s': %s", tmp,
			  strerror(errno));
		free(tmp);
		return -1;
	}
	fp->output = tmp;
	if (fp->api.verbose)
		fp->api.opt.trace = cmd_trace;
	if (pack_run(fp, err) < 0) {
		cmd_print_diag(&fp->diag, "warning: ");
		goto out;
	}
	path = fp->bundle_path;
	if (s3archive_upload(url, path, strrchr(path, '/') + 1, &object, &taken, err) < 0)
		goto out;
	if (taken) {
		error_set(err, EX_CANTCREAT, "pack: '%s' already exists: fpkit never replaces an "
			  "object; give another key", object);
		goto out;
	}
	fp->bundle_path = object;
	object = NULL;
	if (fp->nothing_found && !fp->allow_empty) {
		report_nothing(fp);
		rc = 1;
	} else {
		report(fp);
		rc = 0;
	}
out:
	if (path)
		unlink(path);
	if (fp->bundle_path != path)
		free(path);
	rmdir(tmp);
	free(tmp);
	free(object);
	fp->output = url;
	return rc;
}

int
cmd_pack(int argc, char **argv, struct error *err)
{
	struct fpkit fp;
	int rc;

	pack_init(&fp);
	rc = parse_options(&fp, argc, argv, err);
	if (rc <= 0)
		goto out;
	if (s3url_is(fp.output)) {
		rc = pack_to_bucket(&fp, err);
		goto out;
	}
	warn_output_folder(&fp);
	if (fp.api.verbose)
		fp.api.opt.trace = cmd_trace;
	if (pack_run(&fp, err) < 0) {
		cmd_print_diag(&fp.diag, "warning: ");
		rc = -1;
		goto out;
	}
	if (fp.nothing_found && !fp.allow_empty) {
		report_nothing(&fp);
		rc = 1;
		goto out;
	}
	report(&fp);
	rc = 0;
out:
	report_timing(&fp);
	pack_release(&fp);
	return rc;
}
