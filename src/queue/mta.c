/* mta.c - which mail system the machine runs, and its state read with
 * its own tools.  Every MTA installs a sendmail and a mailq, so those say
 * nothing: each is known by a tool only it has, and Sendmail by mailq
 * when no other is found. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "error.h"
#include "exim.h"
#include "fpkit_limits.h"
#include "mta.h"
#include "opensmtpd.h"
#include "postfix.h"
#include "procs.h"
#include "qmail.h"
#include "queue.h"
#include "sendmail.h"
#include "toolrun.h"
#include "xalloc.h"

enum mta_kind { MTA_POSTFIX, MTA_EXIM, MTA_OPENSMTPD, MTA_QMAIL, MTA_SENDMAIL, NR_MTA };

static const struct kind {
	const char *name;
	const char *probes[3];		/* its own tools, any one will do */
	const char *daemons[3];		/* its daemons' process names */
	const char *not_child_of;	/* a daemon of that name under this is another's */
} kinds[NR_MTA] = {
	[MTA_POSTFIX] = { "postfix", { "postqueue" }, { "qmgr" }, NULL },
	[MTA_EXIM] = { "exim", { "exim4", "exim" }, { "exim4", "exim" }, NULL },
	/* Postfix's smtpd runs under its master. */
	[MTA_OPENSMTPD] = { "opensmtpd", { "smtpctl" }, { "smtpd" }, "master" },
	[MTA_QMAIL] = { "qmail", { "qmail-qstat" }, { "qmail-send" }, NULL },
	[MTA_SENDMAIL] = { "sendmail", { "mailq" }, { "sendmail" }, NULL },
};

void
mta_options_init(struct mta_options *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout = MTA_TIMEOUT_DEFAULT;
}

bool
mta_known(const char *name)
{
	for (size_t i = 0; i < NR_MTA; i++)
		if (strcmp(name, kinds[i].name) == 0)
			return true;
	return false;
}

/* The folders searched (new). */
static char *
search_path(const struct mta_options *o)
{
	const char *env = getenv("FPKIT_MTA_PATH"), *path = getenv("PATH");

	if (o->path)
		return xstrdup(o->path);
	if (env && *env)
		return xstrdup(env);
	return xasprintf("%s%s%s", path && *path ? path : "", path && *path ? ":" : "",
			 MTA_SBIN_PATH);
}

/* The first of kind k's probes found in path (new), or NULL. */
static char *
probe(enum mta_kind k, const char *path)
{
	for (size_t i = 0; i < 3 && kinds[k].probes[i]; i++) {
		char *file = toolrun_find(kinds[k].probes[i], path);

		if (file) {
			free(file);
			return xstrdup(kinds[k].probes[i]);
		}
	}
	return NULL;
}

/* "'postqueue'", "'exim4' or 'exim'": kind name's tools, for messages. */
static const char *
probe_names(const char *name, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t k = 0; k < NR_MTA; k++)
		for (size_t i = 0; strcmp(kinds[k].name, name) == 0 && i < 3 && kinds[k].probes[i]; i++)
			snprintf(buf + strlen(buf), size - strlen(buf), "%s'%s'",
				 i ? " or " : "", kinds[k].probes[i]);
	return buf;
}

/* Which MTA: o->mta, or the one installed, or of several the one
 * running.  *tool is its probe found (new). */
static int
choose(const struct mta_options *o, const char *path, enum mta_kind *which, char **tool,
       struct error *err)
{
	char *found[NR_MTA] = { NULL };
	char names[128] = "", running_names[128] = "", probes[64];
	size_t nr = 0, nr_running = 0;
	enum mta_kind one = NR_MTA, one_running = NR_MTA;
	int rc = -1;

	*tool = NULL;
	for (size_t k = 0; k < NR_MTA; k++) {
		if (o->mta && strcmp(o->mta, kinds[k].name) != 0)
			continue;
		/* Every MTA has a mailq: Sendmail's counts when it is alone. */
		if (k == MTA_SENDMAIL && nr && !o->mta)
			continue;
		if ((found[k] = probe(k, path)) == NULL)
			continue;
		one = k;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 nr++ ? ", " : "", kinds[k].name);
		if (procs_running(kinds[k].daemons, kinds[k].not_child_of) == 1) {
			one_running = k;
			snprintf(running_names + strlen(running_names),
				 sizeof(running_names) - strlen(running_names), "%s%s",
				 nr_running++ ? ", " : "", kinds[k].name);
		}
	}
	if (nr == 0 && o->mta)
		error_set(err, EX_UNAVAILABLE, "--mta %s: its tool %s is not in %s; give the "
			  "folder of its tools in FPKIT_MTA_PATH", o->mta, probe_names(o->mta, probes, sizeof(probes)),
			  path);
	else if (nr == 0)
		error_set(err, EX_UNAVAILABLE, "no mail system found: none of postqueue (Postfix), "
			  "exim or exim4, smtpctl (OpenSMTPD), qmail-qstat (qmail) or mailq "
			  "(Sendmail) is in %s; give the folder of its tools in FPKIT_MTA_PATH, "
			  "or --mta", path);
	else if (nr > 1 && nr_running != 1)
		error_set(err, EX_USAGE, "several mail systems are installed (%s) and %s: choose "
			  "one with --mta", names, nr_running ? running_names : "none of them runs");
	else
		rc = 0;
	if (rc == 0) {
		*which = nr == 1 ? one : one_running;
		*tool = found[*which];
		found[*which] = NULL;
	}
	for (size_t k = 0; k < NR_MTA; k++)
		free(found[k]);
	return rc;
}

int
mta_read(const struct mta_options *o, struct queue_state *q, struct error *err)
{
	struct toolrun_options run = { NULL, o->timeout, FPKIT_LIMIT_QUEUE_OUTPUT, NULL };
	char *path = search_path(o), *tool = NULL;
	enum mta_kind k;
	int rc = -1;

	run.path = path;
	if (choose(o, path, &k, &tool, err) < 0)
		goto out;
	q->seen_at = (int64_t)time(NULL);
	switch (k) {
	case MTA_POSTFIX: rc = postfix_read(&run, o->postfix_config, q, err); break;
	case MTA_EXIM: rc = exim_read(&run, tool, q, err); break;
	case MTA_OPENSMTPD: rc = opensmtpd_read(&run, q, err); break;
	case MTA_QMAIL: rc = qmail_read(&run, q, err); break;
	case MTA_SENDMAIL: rc = sendmail_read(&run, q, err); break;
	default: break;
	}
out:
	free(tool);
	free(path);
	return rc;
}

int
mta_helo(const struct mta_options *o, char **helo, struct error *err)
{
	struct toolrun_options run = { NULL, o->timeout, FPKIT_LIMIT_QUEUE_OUTPUT, NULL };
	char *path = search_path(o);
	int rc;

	*helo = NULL;
	run.path = path;
	rc = postfix_helo(&run, o->postfix_config, helo, err);
	free(path);
	return rc;
}

int
mta_show(const struct mta_options *o, const struct queue_state *q, struct queue_msg *m,
	 struct error *err)
{
	struct toolrun_options run = { NULL, o->timeout, FPKIT_LIMIT_QUEUE_OUTPUT, NULL };
	const char *tool = NULL, *args[4] = { NULL };
	struct toolrun_result r;
	char *path = search_path(o), *cmd = NULL;
	int rc = -1;

	run.path = path;
	toolrun_result_init(&r);
	if (strcmp(q->mta, "postfix") == 0) {
		rc = postfix_show(&run, o->postfix_config, m, err);
		goto out;
	}
	if (strcmp(q->mta, "exim") == 0) {
		char *exim = probe(MTA_EXIM, path);

		tool = exim ? (strcmp(exim, "exim4") == 0 ? "exim4" : "exim") : "exim";
		free(exim);
		args[0] = "-Mvc";
		args[1] = m->id;
	} else if (strcmp(q->mta, "opensmtpd") == 0) {
		tool = "smtpctl";
		args[0] = "show";
		args[1] = "message";
		args[2] = m->id;
	} else {
		error_set(err, EX_UNAVAILABLE, "%s has no tool that prints a queued message",
			  q->mta);
		goto out;
	}
	if (toolrun_named(&run, tool, args, &r, &cmd, err) < 0)
		goto out;
	if (r.status != 0) {
		error_set(err, EX_UNAVAILABLE, "%s: %.200s", cmd, r.err_text);
		goto out;
	}
	m->shown = strbuf_detach(&r.out, &m->shown_len);
	rc = 0;
out:
	free(cmd);
	toolrun_result_release(&r);
	free(path);
	return rc;
}
