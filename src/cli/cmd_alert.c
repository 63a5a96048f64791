/* cmd_alert.c - fpkit alert: what an OVHcloud anti-spam alert e-mail says */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "alert.h"
#include "cmd.h"
#include "error.h"
#include "textsafe.h"
#include "timefmt.h"

static const char usage_text[] =
	"usage: fpkit alert [--json] FILE\n"
	"\n"
	"Read the anti-spam alert OVHcloud mailed when it blocked an IP (the e-mail\n"
	"saved with its header, as .eml; forwarded, quoted or attached will do; '-'\n"
	"reads the standard input) and print the blocked IP, the alert's date and\n"
	"each message it lists: destination IP, Message-ID and spam score.\n"
	"\n"
	"  --json      print {\"ip\", \"date\", \"targets\": [{\"message_id\",\n"
	"              \"destination_ip\", \"spamscore\"}...]} (null when not given)\n"
	"  -h, --help  show this help\n"
	"\n"
	"'fpkit pack --alert FILE' builds the bundle from it.\n";

enum { OPT_JSON = 256 };

static const struct option long_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
print_field(const char *label, const char *value)
{
	char *safe = textsafe_visible(value, strlen(value));

	printf("%s%s\n", label, safe);
	free(safe);
}

static void
print_text(const struct alert *a)
{
	char iso[TIMEFMT_ISO_LEN];

	print_field("Blocked IP:  ", a->ip);
	if (a->has_date) {
		timefmt_iso_utc(a->date, iso);
		printf("Alert date:  %.10s %.8s UTC\n", iso, iso + 11);
	}
	printf("Messages:    %zu\n", a->nr_targets);
	for (size_t i = 0; i < a->nr_targets; i++) {
		const struct alert_target *t = &a->targets[i];
		char *id = t->message_id ? textsafe_visible(t->message_id, strlen(t->message_id)) : NULL;

		printf("\n  Message-ID:      %s%s%s\n", id ? "<" : "", id ? id : "(none given)",
		       id ? ">" : "");
		printf("  Destination IP:  %s\n", t->destination_ip ? t->destination_ip : "(none given)");
		if (t->has_spamscore)
			printf("  Spam score:      %lld\n", (long long)t->spamscore);
		else
			printf("  Spam score:      (none given)\n");
		free(id);
	}
}

int
cmd_alert(int argc, char **argv, struct error *err)
{
	struct alert a;
	struct diag diag = DIAG_INIT;
	bool json = false;
	int c, rc = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cmd_bad_option("alert", long_options, argv[optind - 1], err);
		}
	}
	if (optind != argc - 1)
		return error_set(err, EX_USAGE, "alert: give one alert e-mail file: see "
				 "'fpkit alert --help'");
	alert_init(&a);
	c = alert_load(&a, argv[optind], &diag, err);
	cmd_print_diag(&diag, "warning: ");
	if (c < 0)
		goto out;
	if (a.ip == NULL) {
		error_set(err, EX_DATAERR, "'%s': no blocked IP found in the alert (it lists %zu "
			  "message%s): give the IP with 'fpkit pack --ip' instead", argv[optind],
			  a.nr_targets, a.nr_targets == 1 ? "" : "s");
		goto out;
	}
	if (json) {
		json_t *o = alert_to_json(&a);

		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		print_text(&a);
	}
	rc = 0;
out:
	diag_release(&diag);
	alert_release(&a);
	return rc;
}
