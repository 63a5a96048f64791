/* postfix.c - Postfix's state through its own tools.  postqueue -j
 * (Postfix 3.1 and later) gives the queue as JSON lines, documented in
 * postqueue(1); its queue_name is one of maildrop, incoming, active,
 * deferred, hold. */
#include "config.h"

#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "postfix.h"
#include "queue.h"
#include "toolrun.h"
#include "xalloc.h"

void
postfix_queues(struct queue_state *q)
{
	q->mta = "postfix";
	queue_add_queue(q, "incoming", false);
	queue_add_queue(q, "active", false);
	queue_add_queue(q, "deferred", false);
	queue_add_queue(q, "hold", true);
}

/* One line of postqueue -j. */
static int
parse_entry(struct queue_state *q, json_t *o)
{
	json_t *rcpts = json_object_get(o, "recipients");
	const char *name = json_string_value(json_object_get(o, "queue_name"));
	const char *id = json_string_value(json_object_get(o, "queue_id"));
	json_t *arrival = json_object_get(o, "arrival_time");
	json_t *size = json_object_get(o, "message_size");
	const char *sender = json_string_value(json_object_get(o, "sender"));
	struct queue_msg *m;
	size_t i;
	json_t *r;

	if (!json_is_object(o) || name == NULL || *name == '\0' || id == NULL || *id == '\0' ||
	    (rcpts && !json_is_array(rcpts)))
		return -1;
	m = queue_add_msg(q, id, queue_add_queue(q, name, strcmp(name, "hold") == 0));
	if (m == NULL)
		return 0;
	if (json_is_integer(arrival) && json_integer_value(arrival) >= 0)
		m->arrival = json_integer_value(arrival);
	if (json_is_integer(size) && json_integer_value(size) >= 0)
		m->size = json_integer_value(size);
	if (sender)
		m->sender = xstrdup(sender);
	json_array_foreach(rcpts, i, r) {
		const char *addr = json_string_value(json_object_get(r, "address"));

		if (addr)
			queue_msg_add_rcpt(m, addr,
					   json_string_value(json_object_get(r, "delay_reason")),
					   false);
	}
	return 0;
}

int
postfix_parse_queue(struct queue_state *q, const char *text, size_t len, struct error *err)
{
	size_t line = 0;

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_error_t jerr;
		json_t *o;
		int rc;

		line++;
		if (n > 0) {
			o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr);
			rc = o ? parse_entry(q, o) : -1;
			json_decref(o);
			if (rc < 0)
				return error_set(err, EX_DATAERR, "postqueue -j: line %zu is not a "
						 "queue entry%s%s", line, o ? "" : ": ",
						 o ? "" : jerr.text);
		}
		p += n + (nl != NULL);
	}
	return 0;
}

/* Is 'word' in the Postfix list 'list' (blanks and commas)? */
static bool
in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t k;

		p += strspn(p, " \t,");
		k = strcspn(p, " \t,");
		if (k == n && strncmp(p, word, n) == 0)
			return true;
		p += k;
	}
	return false;
}

void
postfix_judge(struct queue_state *q, const char *postconf_out)
{
	char **v = g_strsplit(postconf_out ? postconf_out : "", "\n", 4);
	const char *defer = v[0] ? v[0] : "";
	const char *dflt = v[0] && v[1] ? v[1] : "";
	const char *disable = v[0] && v[1] && v[2] ? v[2] : "";
	char *transport = xstrndup(dflt, strcspn(dflt, ":"));
	char *service = xasprintf("%s/unix", transport);

	if (q->running == QUEUE_NO) {
		q->can_send = QUEUE_NO;
		queue_set_why(q, "the master daemon is not running: nothing is delivered");
	} else if (*transport && in_list(defer, transport)) {
		q->can_send = QUEUE_NO;
		queue_set_why(q, "defer_transports = %s: mail to other hosts (default_transport "
			      "%s) waits in the queue", defer, transport);
	} else if (strcmp(transport, "error") == 0 || strcmp(transport, "discard") == 0) {
		q->can_send = QUEUE_NO;
		queue_set_why(q, "default_transport = %s: mail to other hosts is not sent", dflt);
	} else if (*transport && (in_list(disable, "unix") || in_list(disable, service))) {
		q->can_send = QUEUE_NO;
		queue_set_why(q, "master_service_disable = %s: the %s service is off", disable,
			      transport);
	} else if (q->running == QUEUE_YES) {
		q->can_send = QUEUE_YES;
		queue_set_why(q, "the master daemon is running and nothing holds mail to other "
			      "hosts (default_transport %s, defer_transports %s)", transport,
			      *defer ? defer : "empty");
	} else {
		q->can_send = QUEUE_UNKNOWN;
		queue_set_why(q, "whether the master daemon runs is not known ('postfix status' "
			      "is for root)");
	}
	free(service);
	free(transport);
	g_strfreev(v);
}

/* args after "-c DIR" when a folder is given (new array, borrowed
 * strings). */
static const char **
with_config(const char *config_dir, const char *const *args)
{
	size_t n = 0, k = 0;
	const char **v;

	while (args[n])
		n++;
	v = xcalloc(n + 3, sizeof(*v));
	if (config_dir) {
		v[k++] = "-c";
		v[k++] = config_dir;
	}
	for (size_t i = 0; i < n; i++)
		v[k++] = args[i];
	return v;
}

/* Run Postfix's 'name' with args (and -c): 0 when it ran, whatever its
 * status. */
static int
run(const struct toolrun_options *o, const char *config_dir, struct queue_state *q,
    const char *name, const char *const *args, struct toolrun_result *r, struct error *err)
{
	const char **v = with_config(config_dir, args);
	char *cmd;
	int rc = toolrun_named(o, name, v, r, &cmd, err);

	if (cmd && q)
		queue_add_command(q, cmd);
	else
		free(cmd);
	free(v);
	return rc;
}

/* The first line of a tool's error text, for a message. */
static char *
first_line(const char *s)
{
	return xstrndup(s, strcspn(s, "\n"));
}

int
postfix_read(const struct toolrun_options *o, const char *config_dir, struct queue_state *q,
	     struct error *err)
{
	static const char *const conf_args[] = { "-h", "defer_transports", "default_transport",
						 "master_service_disable", NULL };
	static const char *const status_args[] = { "status", NULL };
	static const char *const queue_args[] = { "-j", NULL };
	struct toolrun_result r;
	char *conf = NULL, *line;
	int rc = -1;

	toolrun_result_init(&r);
	postfix_queues(q);
	if (run(o, config_dir, q, "postconf", conf_args, &r, err) < 0)
		goto out;
	if (r.status != 0) {
		line = first_line(r.err_text);
		error_set(err, EX_CONFIG, "postconf cannot read Postfix's configuration: %s%s",
			  *line ? line : "no reason given",
			  config_dir ? "" : " (give its folder with --postfix-config)");
		free(line);
		goto out;
	}
	conf = strbuf_detach(&r.out, NULL);
	/* 'postfix status' is for root; its status is then 0 when the
	 * master runs, 1 when not (postfix-script), and it says why only
	 * on a terminal. */
	if (geteuid() == 0) {
		if (run(o, config_dir, q, "postfix", status_args, &r, err) < 0)
			goto out;
		q->running = r.status == 0 ? QUEUE_YES : QUEUE_NO;
	}
	if (run(o, config_dir, q, "postqueue", queue_args, &r, err) < 0)
		goto out;
	/* Without the master, postqueue reads the queue itself when it
	 * can (root), and says so; otherwise it gives up. */
	if (strstr(r.err_text, "ail system is down") && q->running == QUEUE_UNKNOWN)
		q->running = QUEUE_NO;
	if (r.status != 0) {
		line = first_line(r.err_text);
		error_set(err, EX_UNAVAILABLE, "postqueue -j cannot list the queue: %s%s",
			  *line ? line : "no reason given",
			  strstr(line, "ail system is down") ? " (as root, fpkit reads the "
			  "queue of a stopped Postfix)" : "");
		free(line);
		goto out;
	}
	if (postfix_parse_queue(q, r.out.buf, r.out.len, err) < 0)
		goto out;
	postfix_judge(q, conf);
	rc = 0;
out:
	free(conf);
	toolrun_result_release(&r);
	return rc;
}

int
postfix_show(const struct toolrun_options *o, const char *config_dir, struct queue_msg *m,
	     struct error *err)
{
	const char *const args[] = { "-q", m->id, NULL };
	struct toolrun_result r;
	char *line;
	int rc = -1;

	toolrun_result_init(&r);
	if (run(o, config_dir, NULL, "postcat", args, &r, err) < 0)
		goto out;
	if (r.status != 0) {
		line = first_line(r.err_text);
		error_set(err, EX_UNAVAILABLE, "postcat -q %s: %s", m->id,
			  *line ? line : "no reason given");
		free(line);
		goto out;
	}
	m->shown = strbuf_detach(&r.out, &m->shown_len);
	rc = 0;
out:
	toolrun_result_release(&r);
	return rc;
}

int
postfix_helo(const struct toolrun_options *o, const char *config_dir, char **helo,
	     struct error *err)
{
	static const char *const args[] = { "-x", "-h", "smtp_helo_name", NULL };
	struct toolrun_result r;
	char *line;
	int rc = -1;

	*helo = NULL;
	toolrun_result_init(&r);
	if (run(o, config_dir, NULL, "postconf", args, &r, err) < 0)
		goto out;
	if (r.status != 0) {
		line = first_line(r.err_text);
		error_set(err, EX_CONFIG, "postconf cannot read Postfix's configuration: %s",
			  *line ? line : "no reason given");
		free(line);
		goto out;
	}
	/* smtp_helo_name, $myhostname by default, expanded by -x. */
	line = xstrndup(r.out.buf, strcspn(r.out.buf, "\r\n"));
	if (!*line || strchr(line, '$')) {
		free(line);
		error_set(err, EX_CONFIG, "postconf gives no HELO name (smtp_helo_name)");
		goto out;
	}
	*helo = line;
	rc = 0;
out:
	toolrun_result_release(&r);
	return rc;
}
