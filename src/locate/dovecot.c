/* dovecot.c - a Dovecot user's mail, read through doveadm
 *
 * Dovecot's own formats (sdbox, mdbox) and its indexes are Dovecot's
 * business: they change between versions, and a message in an mdbox file
 * is only told apart by Dovecot's map.  So nothing here opens a file of
 * Dovecot's: doveadm fetch lists every message's mailbox, UID and
 * Message-ID field, and gives the text of each message wanted, as Dovecot
 * gives it.  This works the same whatever the user's mail_location
 * (Maildir, mbox, sdbox, mdbox), and as the user Dovecot would run as. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "dovecot.h"
#include "error.h"
#include "fpkit_limits.h"
#include "store.h"
#include "strbuf.h"
#include "toolrun.h"
#include "xalloc.h"

/* Where doveadm is looked for: Debian puts it in /usr/bin. */
#define DOVEADM_PATH "/usr/bin:/usr/sbin:/usr/local/bin:/usr/local/sbin"

/* The fields listed for every message, the Message-ID last: a folded
 * value goes on over the lines after it. */
#define DOVEADM_LIST_FIELDS "mailbox-guid uid mailbox hdr.message-id"

struct dovecot_run {
	const struct store_spec *spec;
	char *doveadm;		/* its path */
};

/* One message of the listing: what fetch needs. */
struct dovecot_ref {
	struct dovecot_run *run;
	const char *user;
	const char *guid;
	const char *uid;
};

/* Run doveadm with args after "-c CONFIG -f pager"; 'what' names the
 * step in messages. */
static int
doveadm_run(struct dovecot_run *d, const char *const *args, size_t max,
	    struct toolrun_result *r, struct error *err)
{
	const char *argv[24];
	size_t n = 0;
	char *cmd;

	argv[n++] = d->doveadm;
	if (d->spec->config) {
		argv[n++] = "-c";
		argv[n++] = d->spec->config;
	}
	argv[n++] = "-f";
	argv[n++] = "pager";
	for (size_t i = 0; args[i] && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (toolrun(argv, NULL, max, FPKIT_LIMIT_DOVEADM_TIME, r, err) < 0)
		return -1;
	if (r->status == 0 && r->signal == 0)
		return 0;
	cmd = toolrun_cmdline(argv);
	if (r->signal)
		error_set(err, EX_UNAVAILABLE, "'%s' was killed by signal %d", cmd, r->signal);
	else
		error_set(err, r->status == EX_NOUSER ? EX_NOUSER : EX_UNAVAILABLE,
			  "'%s' failed (exit %d): %s: check the Dovecot user and mailbox "
			  "(doveadm user USER), the configuration (?config=FILE), and that fpkit "
			  "runs as a user who may run doveadm (root)", cmd, r->status,
			  r->err_text[0] ? r->err_text : "no message");
	free(cmd);
	return -1;
}

static int
fetch_message(const struct store_msg *msg, struct strbuf *out, struct error *err)
{
	const struct dovecot_ref *ref = msg->fetch_data;
	const char *args[] = {
		"fetch", "-u", ref->user, "size.physical text", "mailbox-guid", ref->guid,
		"uid", ref->uid, NULL
	};
	struct toolrun_result r;
	const char *p, *end, *text;
	long long size = -1;
	size_t len;
	int rc = -1;

	toolrun_result_init(&r);
	/* The cap of out, and room for the field names. */
	if (doveadm_run(ref->run, args, out->max == STRBUF_NO_MAX ? FPKIT_LIMIT_SAMPLE + 4096
			: out->max + 4096, &r, err) < 0) {
		if (err->status == EX_DATAERR)
			error_set(err, EX_DATAERR, "%s is larger than the limit of %zu bytes",
				  msg->path, out->max);
		goto out;
	}
	p = r.out.buf;
	end = p + r.out.len;
	if (r.out.len > 15 && memcmp(p, "size.physical: ", 15) == 0) {
		size = strtoll(p + 15, NULL, 10);
		p = memchr(p, '\n', (size_t)(end - p));
		p = p ? p + 1 : end;
	}
	if ((size_t)(end - p) < 6 || memcmp(p, "text:\n", 6) != 0) {
		error_set(err, EX_NOINPUT, "doveadm gave no text for %s: was it expunged "
			  "since the search? run fpkit again", msg->path);
		goto out;
	}
	text = p + 6;
	len = (size_t)(end - text);
	/* The pager ends a value with a newline of its own when the message
	 * does not end with one. */
	if (size >= 0 && len == (size_t)size + 1 && len && text[len - 1] == '\n')
		len--;
	if (strbuf_add(out, text, len) < 0) {
		error_set(err, EX_DATAERR, "%s is larger than the limit of %zu bytes",
			  msg->path, out->max);
		goto out;
	}
	rc = 0;
out:
	toolrun_result_release(&r);
	return rc;
}

/* One record of the listing (its lines from p to end): the message to
 * the callback.  'user' is the spec's, or the record's first line with
 * -A. */
static int
deliver_record(struct dovecot_run *d, const char *p, const char *end, store_msg_fn fn,
	       const struct store_options *opt, void *data, struct error *err)
{
	char *user = NULL, *guid = NULL, *uid = NULL, *mailbox = NULL, *source = NULL;
	struct strbuf head;
	struct dovecot_ref ref;
	struct store_msg msg;
	bool in_id = false, any_id = false;
	int rc = 0;

	strbuf_init(&head, opt->max_header);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

#define FIELD(name) (ll >= sizeof(name) - 1 && memcmp(p, name, sizeof(name) - 1) == 0)
		if (in_id && ll && (p[0] == ' ' || p[0] == '\t')) {
			strbuf_addch(&head, '\n');	/* a folded Message-ID */
			strbuf_add(&head, p, ll);
		} else if (FIELD("mailbox-guid: ")) {
			free(guid);
			guid = xstrndup(p + 14, ll - 14);
		} else if (FIELD("uid: ")) {
			free(uid);
			uid = xstrndup(p + 5, ll - 5);
		} else if (FIELD("mailbox: ")) {
			free(mailbox);
			mailbox = xstrndup(p + 9, ll - 9);
		} else if (FIELD("hdr.message-id:")) {
			size_t skip = ll > 15 && p[15] == ' ' ? 16 : 15;

			in_id = true;
			any_id = ll > skip;
			strbuf_addstr(&head, "Message-ID: ");
			strbuf_add(&head, p + skip, ll - skip);
		} else if (d->spec->user == NULL && user == NULL && guid == NULL && ll) {
			user = xstrndup(p, ll);	/* -A: the user first */
		}
#undef FIELD
		p = nl ? nl + 1 : end;
	}
	if (guid == NULL || uid == NULL || !any_id)
		goto out;	/* no Message-ID: nothing to find */
	strbuf_addstr(&head, "\n\n");
	ref.run = d;
	ref.user = d->spec->user ? d->spec->user : user ? user : "";
	ref.guid = guid;
	ref.uid = uid;
	source = xasprintf("dovecot:%s/%s;UID=%s", ref.user, mailbox ? mailbox : "", uid);
	memset(&msg, 0, sizeof(msg));
	msg.path = source;
	msg.format = STORE_DOVECOT;
	msg.length = -1;
	msg.header = head.buf;
	msg.header_len = head.len;
	msg.header_complete = true;
	msg.fd = -1;
	msg.fetch = fetch_message;
	msg.fetch_data = &ref;
	if (opt->want == NULL || opt->want(&msg, data))
		rc = fn(&msg, data, err);
out:
	strbuf_release(&head);
	free(user);
	free(guid);
	free(uid);
	free(mailbox);
	free(source);
	return rc;
}

int
dovecot_scan(const struct store_spec *spec, const struct store_options *opt,
	     store_msg_fn fn, void *data, struct error *err)
{
	struct dovecot_run d = { spec, NULL };
	struct toolrun_result r;
	const char *args[10];
	const char *p, *end;
	size_t n = 0;
	int rc = -1;

	toolrun_result_init(&r);
	d.doveadm = toolrun_find("doveadm", DOVEADM_PATH);
	if (d.doveadm == NULL) {
		error_set(err, EX_UNAVAILABLE, "no doveadm in %s: install Dovecot's tools "
			  "(dovecot-core), or give the mail's folder instead", DOVEADM_PATH);
		goto out;
	}
	args[n++] = "fetch";
	if (spec->user) {
		args[n++] = "-u";
		args[n++] = spec->user;
	} else {
		args[n++] = "-A";
	}
	args[n++] = DOVEADM_LIST_FIELDS;
	if (spec->mailbox) {
		args[n++] = "mailbox";
		args[n++] = spec->mailbox;
	}
	args[n++] = "ALL";
	args[n] = NULL;
	if (doveadm_run(&d, args, FPKIT_LIMIT_DOVEADM_LIST, &r, err) < 0)
		goto out;
	/* Records end with a form feed on a line of its own. */
	p = r.out.buf;
	end = p + r.out.len;
	rc = 0;
	while (p < end && rc == 0) {
		const char *ff = p;
		const char *stop;

		for (;;) {
			ff = memchr(ff, '\f', (size_t)(end - ff));
			if (ff == NULL || ((ff == p || ff[-1] == '\n') &&
					   (ff + 1 == end || ff[1] == '\n')))
				break;
			ff++;
		}
		stop = ff ? ff : end;
		rc = deliver_record(&d, p, stop, fn, opt, data, err);
		p = ff ? ff + (ff + 1 < end ? 2 : 1) : end;
	}
out:
	toolrun_result_release(&r);
	free(d.doveadm);
	return rc;
}
