/* alert.c - the anti-spam alert e-mail OVHcloud sends when it blocks an
 * IP: the blocked IP, the alert's date and the messages it lists.
 *
 * What the alert looks like (research, 2026):
 *
 * - OVHcloud's guide "OVHcloud AntiSpam - Best Practices and Unblocking an
 *   IP" (github.com/ovh/docs, pages/bare_metal_cloud/dedicated_servers/
 *   antispam_best_practices/guide.en-gb.md, updated 2022-10-17; the same
 *   text on docs.ovh.com/{au,sg}/en/dedicated/antispam-best-practices/)
 *   quotes the English alert:
 *
 *     Dear Customer,
 *     Our anti-spam protection layer has detected that your IP
 *     122.122.122.122 is sending spam.
 *     In order to protect our network, we have blocked the port 25 of
 *     your server, at the network level.
 *     To help you investigate about this problem and fix it, here is a
 *     sample of some advanced details on your emails:
 *     Destination IP: 188.95.235.33 - Message-ID: d24aa492-5f37-457f-9595-
 *       23ddc9e0f714@xxxxxxxxxxxxx.xx.local - Spam score: 300 <br>
 *     (one such line per message, each ended by <br>: the mail is HTML)
 *
 * - The French guide (guide.fr-fr.md, updated 2026-01-06) quotes the
 *   French alert, with the IP alone on the line after the sentence and a
 *   space before the colons:
 *
 *     Bonjour,
 *     Notre protection Antispam a détecté un envoi important de spam à
 *     partir d'une de vos IP:
 *     122.122.122.122
 *     Afin d'assurer la sécurité de notre réseau le trafic sortant de votre
 *     serveur vers le port 25 a été suspendu.
 *     Afin que vous puissiez effectuer les vérifications, voici un
 *     échantillon des emails bloqués:
 *     Destination IP : 188.95.235.33 - Message-ID : fc090jdhf934...@xx.com
 *       - Spam score: 300<br>
 *
 * - The same guide on support.us.ovhcloud.com (article 16100926574995)
 *   shows what a mail client or a copy makes of it: the lines run into
 *   one ("... - Spam score: 300 Destination IP: 188.95.235.33 - ..."),
 *   a Message-ID cut after a dot ("...a27.\n1d44jkgnddfef...@x.net") and
 *   a label cut from its value ("Message-ID:\nzcb.3z54...").
 * - The guide says the ids are what to search the logs for, and that
 *   "if no message ID is provided", the messages sent before the alert
 *   are wanted instead: a line may lack its Message-ID.  The API's
 *   SpamTarget (the same guide) has messageId, destinationIp, date and
 *   spamscore: the alert shows three of the four, without the date.
 * - help.ovh.co.uk/AntiSpamBestPractice (the older OVH wording, "Vade
 *   Retro") only says to "analyse your logs using the Message-ID found in
 *   the block alert".  No subject line or Date was found quoted anywhere:
 *   the subject is read for an IP only when the body names none.
 *
 * So the parser does not expect one layout.  It reads every text/plain
 * and text/html part (HTML made into lines and tab-separated cells) of
 * the message and of any message forwarded in it, with "> " quoting
 * removed, and finds:
 *
 * - targets, by their labels ("Destination IP", "IP de destination",
 *   "Message-ID", "Spam score", "Score", "spamscore", ... in any case,
 *   with or without a colon, in any order, several per line or one per
 *   line); a label met again starts the next target, as does an empty
 *   line.  A value cut at the end of a line is joined with the start of
 *   the next when it plainly goes on there.  A table whose header row
 *   is made of labels (HTML, tabs, '|' or aligned columns) gives one
 *   target per row.  A line with nothing but an IPv4 address, an id with
 *   '@' and maybe a number is a target too.
 * - the blocked IP: the IPv4 address after "your IP", "votre IP",
 *   "vos IP", "adresse IP", "ipSpamming", ... (not a destination), or
 *   one followed by "blocked"/"bloqué"; else the first in the subject.
 *   A forward's own note may name one too ("the server IP ... got
 *   this:"): the alert's is the one of the message that lists the
 *   messages, else of the one forwarded deepest; in one text, the one
 *   closest before the list, else the one quoted deepest.
 * - the date: a "Date:" line (a forward's header) or an ISO 8601 time
 *   with a zone in the alert's text, before the list; else the Date
 *   header of the message that holds the alert.
 *
 * Anything else is ignored.
 *
 * The work is in four modules: mime.c (mime_alert) walks the MIME and decodes
 * each text to UTF-8, html2text.c makes an HTML text into lines,
 * alertscan.c reads one text (with the labels and values of
 * alertfield.c), and this file merges what the texts say into the
 * alert. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "alert.h"
#include "alertfield.h"
#include "alertscan.h"
#include "error.h"
#include "fpkit_limits.h"
#include "jsontext.h"
#include "mime.h"
#include "targets.h"
#include "timefmt.h"
#include "xalloc.h"

/* ---- the alert ---- */

void
alert_init(struct alert *a)
{
	memset(a, 0, sizeof(*a));
	strbuf_init(&a->raw, FPKIT_LIMIT_ALERT);
}

static void
clear_parsed(struct alert *a)
{
	free(a->ip);
	a->ip = NULL;
	a->has_date = false;
	a->date = 0;
	for (size_t i = 0; i < a->nr_targets; i++) {
		free(a->targets[i].message_id);
		free(a->targets[i].destination_ip);
	}
	free(a->targets);
	a->targets = NULL;
	a->nr_targets = a->alloc_targets = 0;
}

void
alert_release(struct alert *a)
{
	clear_parsed(a);
	free(a->source);
	strbuf_release(&a->raw);
	memset(a, 0, sizeof(*a));
}

static bool
same_str(const char *x, const char *y)
{
	return x && y && strcmp(x, y) == 0;
}

/* Targets by canonical Message-ID, for merging: the first index with
 * each id, and for each index the next one with the same id. */
struct merger {
	struct targets ids;	/* the ids seen, each made canonical once */
	size_t *first;		/* id -> index + 1 of its first target */
	size_t nr_first, alloc_first;
	size_t *next;		/* index -> next index + 1 with the same id, 0: none */
	size_t alloc_next;
};

/* Add t to the alert, or merge it into a target already listed with the
 * same Message-ID (the text and HTML versions of one alert, a forward
 * quoting what it also attaches): what one lacks the other gives.  Takes
 * t's strings. */
static int
merge_target(struct alert *a, struct merger *mg, struct alert_target *t, const char *name,
	     struct error *err)
{
	long id = t->message_id ? targets_add(&mg->ids, t->message_id, NULL) : -1;
	size_t head;
	struct alert_target *o = NULL;

	for (; mg->nr_first < mg->ids.nr; mg->nr_first++) {
		mg->first = xgrow(mg->first, mg->nr_first + 1, &mg->alloc_first, sizeof(*mg->first));
		mg->first[mg->nr_first] = 0;
	}
	head = id >= 0 ? mg->first[id] : 0;
	if (id >= 0) {
		/* The same id to the same (or an unknown) destination. */
		for (size_t i = head; i; i = mg->next[i - 1]) {
			struct alert_target *x = &a->targets[i - 1];

			if (!x->destination_ip || !t->destination_ip ||
			    strcmp(x->destination_ip, t->destination_ip) == 0) {
				o = x;
				break;
			}
		}
	} else {
		/* No id: only an identical line is the same. */
		for (size_t i = 0; i < a->nr_targets && !o; i++) {
			struct alert_target *x = &a->targets[i];

			if (!x->message_id &&
			    (same_str(x->destination_ip, t->destination_ip) ||
			     (!x->destination_ip && !t->destination_ip)) &&
			    x->has_spamscore == t->has_spamscore &&
			    (!x->has_spamscore || x->spamscore == t->spamscore))
				o = x;
		}
	}
	if (o) {
		if (!o->destination_ip && t->destination_ip) {
			o->destination_ip = t->destination_ip;
			t->destination_ip = NULL;
		}
		if (!o->has_spamscore && t->has_spamscore) {
			o->has_spamscore = true;
			o->spamscore = t->spamscore;
		}
		free(t->message_id);
		free(t->destination_ip);
		return 0;
	}
	if (a->nr_targets >= FPKIT_LIMIT_ALERT_TARGETS) {
		free(t->message_id);
		free(t->destination_ip);
		return error_set(err, EX_DATAERR, "'%s' lists more than %d messages: is this an "
				 "alert? give the e-mail OVHcloud sent when it blocked the IP", name,
				 FPKIT_LIMIT_ALERT_TARGETS);
	}
	a->targets = xgrow(a->targets, a->nr_targets + 1, &a->alloc_targets, sizeof(*a->targets));
	a->targets[a->nr_targets++] = *t;
	mg->next = xgrow(mg->next, a->nr_targets, &mg->alloc_next, sizeof(*mg->next));
	mg->next[a->nr_targets - 1] = 0;
	if (id >= 0 && head) {
		size_t i = head;

		while (mg->next[i - 1])
			i = mg->next[i - 1];
		mg->next[i - 1] = a->nr_targets;
	} else if (id >= 0) {
		mg->first[id] = a->nr_targets;
	}
	return 0;
}

/* Does a text that lists messages ('listed') at MIME depth 'depth'
 * outrank the best so far? */
static bool
outranks(bool listed, unsigned depth, bool best_listed, unsigned best_depth)
{
	if (listed != best_listed)
		return listed;
	return depth > best_depth;
}

/* A blocked IP a text names. */
struct text_ip {
	char *ip;		/* new */
	size_t msg;		/* the message of the text; (size_t)-1: a second
				 * address of a text, never taken */
	unsigned depth;		/* its MIME depth */
};

/* The blocked IP among those the texts name: one of the alert's own
 * message ('alert_msg'), else the one forwarded deepest, else the
 * first; it moves to a->ip.  Every other address is a warning. */
static void
pick_text_ip(struct alert *a, struct text_ip *ips, size_t nr, size_t alert_msg,
	     const char *name, struct diag *diag)
{
	struct text_ip *best = NULL;

	for (size_t i = 0; i < nr; i++) {
		if (ips[i].msg == (size_t)-1)
			continue;
		if (best == NULL || (best->msg != alert_msg && ips[i].msg == alert_msg) ||
		    ((best->msg == alert_msg) == (ips[i].msg == alert_msg) &&
		     ips[i].depth > best->depth))
			best = &ips[i];
	}
	if (best == NULL)
		return;
	for (size_t i = 0; diag && i < nr; i++) {
		bool told = strcmp(ips[i].ip, best->ip) == 0;

		for (size_t k = 0; k < i && !told; k++)
			told = strcmp(ips[k].ip, ips[i].ip) == 0;
		if (!told)
			diag_add(diag, "'%s' also names %s as a blocked IP: %s is taken", name,
				 ips[i].ip, best->ip);
	}
	a->ip = best->ip;
	best->ip = NULL;
}

int
alert_parse(struct alert *a, const char *buf, size_t len, const char *name,
	    struct diag *diag, struct error *err)
{
	struct mime_alert m;
	struct merger mg;
	struct text_ip *ips = NULL;
	size_t alert_msg = (size_t)-1, nr_ips = 0, alloc_ips = 0;
	unsigned alert_depth = 0;
	bool date_from_text = false, spam = false, alert_listed = false;
	int rc = -1;

	clear_parsed(a);
	if (a->raw.buf != buf) {
		strbuf_reset(&a->raw);
		if (strbuf_add(&a->raw, buf, len) < 0)
			return error_set(err, EX_DATAERR, "'%s': larger than the limit of %d bytes "
					 "for an alert: give the alert e-mail alone, not a mailbox",
					 name, FPKIT_LIMIT_ALERT);
	}
	if (a->source != name) {
		free(a->source);
		a->source = xstrdup(name);
	}
	if (len == 0)
		return error_set(err, EX_DATAERR, "'%s' is empty: save the alert e-mail with its "
				 "header (as .eml)", name);
	if (mime_alert_buffer(&m, buf, len) < 0)
		return error_set(err, EX_DATAERR, "'%s' holds no e-mail GMime can read: save the "
				 "alert e-mail with its header (as .eml)", name);
	memset(&mg, 0, sizeof(mg));
	targets_init(&mg.ids);
	if (m.cut && diag)
		diag_add(diag, "'%s': more MIME parts than fpkit reads (%d, or nested %d deep): "
			 "the rest is ignored", name, FPKIT_LIMIT_ALERT_PARTS,
			 FPKIT_LIMIT_ALERT_DEPTH);
	for (size_t i = 0; i < m.nr_texts; i++) {
		unsigned depth = m.msgs[m.texts[i].msg].depth;
		struct alertscan s;

		if (alertscan_text(&s, m.texts[i].text, m.texts[i].len, m.texts[i].html, name,
				    err) < 0)
			goto out;
		spam |= s.spam;
		/* The alert is the text that lists messages, else the one
		 * forwarded deepest, else the first: a forward's own note is
		 * not it. */
		if ((s.ip || s.nr_targets) &&
		    (alert_msg == (size_t)-1 || outranks(s.nr_targets > 0, depth, alert_listed,
							 alert_depth))) {
			alert_msg = m.texts[i].msg;
			alert_listed = s.nr_targets > 0;
			alert_depth = depth;
			a->has_date = date_from_text = s.has_date;
			a->date = s.has_date ? s.date : 0;
		}
		if (s.ip) {
			ips = xgrow(ips, nr_ips + 1, &alloc_ips, sizeof(*ips));
			ips[nr_ips].ip = s.ip;
			ips[nr_ips].msg = m.texts[i].msg;
			ips[nr_ips++].depth = depth;
			s.ip = NULL;
		}
		if (s.ip_other) {
			ips = xgrow(ips, nr_ips + 1, &alloc_ips, sizeof(*ips));
			ips[nr_ips].ip = s.ip_other;
			ips[nr_ips].msg = (size_t)-1;	/* never taken */
			ips[nr_ips++].depth = 0;
			s.ip_other = NULL;
		}
		for (size_t k = 0; k < s.nr_targets; k++) {
			if (merge_target(a, &mg, &s.targets[k], name, err) < 0) {
				for (size_t j = k + 1; j < s.nr_targets; j++) {
					free(s.targets[j].message_id);
					free(s.targets[j].destination_ip);
				}
				s.nr_targets = 0;
				alertscan_release(&s);
				goto out;
			}
		}
		s.nr_targets = 0;
		alertscan_release(&s);
	}
	pick_text_ip(a, ips, nr_ips, alert_msg, name, diag);
	/* No IP in the text: the subject of the alert, then of the others,
	 * when the texts list messages or the subject speaks of spam. */
	if (a->ip == NULL && alert_msg != (size_t)-1 && m.msgs[alert_msg].subject)
		a->ip = alertfield_first_ipv4(m.msgs[alert_msg].subject);
	for (size_t i = 0; i < m.nr_msgs; i++)
		spam |= m.msgs[i].subject && strcasestr(m.msgs[i].subject, "spam");
	for (size_t i = 0; a->ip == NULL && i < m.nr_msgs; i++) {
		const char *subj = m.msgs[i].subject;

		if (subj && (a->nr_targets || strcasestr(subj, "spam")))
			a->ip = alertfield_first_ipv4(subj);
	}
	if (alert_msg != (size_t)-1 && !date_from_text && m.msgs[alert_msg].has_date) {
		a->has_date = true;
		a->date = m.msgs[alert_msg].date;
	}
	/* An IP alone is an alert (one that lists no message) only when the
	 * mail speaks of spam: "IP 192.0.2.1 blocked by the firewall" is not. */
	if (a->ip && a->nr_targets == 0 && !spam) {
		free(a->ip);
		a->ip = NULL;
	}
	if (a->ip == NULL && a->nr_targets == 0) {
		error_set(err, EX_DATAERR, "'%s' is not an OVHcloud anti-spam alert: it names no "
			  "blocked IP and lists no message (Destination IP, Message-ID, Spam score): "
			  "give the e-mail OVHcloud sent when it blocked the IP", name);
		goto out;
	}
	rc = 0;
out:
	mime_alert_release(&m);
	targets_release(&mg.ids);
	free(mg.first);
	free(mg.next);
	for (size_t i = 0; i < nr_ips; i++)
		free(ips[i].ip);
	free(ips);
	if (rc < 0)
		clear_parsed(a);
	return rc;
}

int
alert_load(struct alert *a, const char *path, struct diag *diag, struct error *err)
{
	strbuf_reset(&a->raw);
	if (strcmp(path, "-") == 0) {
		char chunk[65536];

		for (;;) {
			ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return error_set(err, EX_IOERR, "cannot read the standard input: %s",
						 strerror(errno));
			if (n == 0)
				break;
			if (strbuf_add(&a->raw, chunk, (size_t)n) < 0)
				return error_set(err, EX_DATAERR, "the standard input: larger "
						 "than the limit of %d bytes for an alert: give the "
						 "alert e-mail alone, not a mailbox", FPKIT_LIMIT_ALERT);
		}
	} else if (strbuf_read_file(&a->raw, path, "an alert", err) < 0) {
		return -1;
	}
	free(a->source);
	a->source = xstrdup(path);
	return alert_parse(a, a->raw.buf, a->raw.len, a->source, diag, err);
}


json_t *
alert_to_json(const struct alert *a)
{
	json_t *o = json_object(), *targets = json_array();

	json_object_set_new(o, "ip", jsontext_string(a->ip));
	if (a->has_date) {
		char iso[TIMEFMT_ISO_LEN];

		json_object_set_new(o, "date", json_string(timefmt_iso_utc(a->date, iso)));
	}
	for (size_t i = 0; i < a->nr_targets; i++) {
		const struct alert_target *t = &a->targets[i];

		json_array_append_new(targets, json_pack("{s:o, s:o, s:o}",
			"message_id", jsontext_string(t->message_id),
			"destination_ip", jsontext_string(t->destination_ip),
			"spamscore", t->has_spamscore ? json_integer((json_int_t)t->spamscore) :
							json_null()));
	}
	json_object_set_new(o, "targets", targets);
	return o;
}
