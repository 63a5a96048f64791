/* case.c - the gather stage: what is known about one block event */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "case.h"
#include "error.h"
#include "fpkit_limits.h"
#include "netaddr.h"
#include "outfile.h"
#include "ovh.h"
#include "ovhapi.h"
#include "xalloc.h"

void
case_init(struct fpcase *c)
{
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->spamip_raw, FPKIT_LIMIT_API_DOCUMENT);
	strbuf_init(&c->stats_raw, FPKIT_LIMIT_API_DOCUMENT);
}

void
case_release(struct fpcase *c)
{
	free(c->ip);
	free(c->block);
	model_spamip_release(&c->spamip);
	model_stats_release(&c->stats);
	strbuf_release(&c->spamip_raw);
	strbuf_release(&c->stats_raw);
	free(c->spamip_source);
	free(c->stats_source);
	memset(c, 0, sizeof(*c));
}

void
case_set_ip(struct fpcase *c, const char *ip, const char *block)
{
	free(c->ip);
	free(c->block);
	c->ip = ip ? xstrdup(ip) : NULL;
	c->block = block ? xstrdup(block) : NULL;
}

/* Parse the bytes in c->spamip_raw / c->stats_raw, named 'source'. */
static int
take_spamip(struct fpcase *c, const char *source, struct error *err)
{
	model_spamip_release(&c->spamip);
	c->has_spamip = false;
	if (model_parse_spamip(c->spamip_raw.buf, c->spamip_raw.len, source,
			       &c->spamip, err) < 0)
		return -1;
	c->has_spamip = true;
	free(c->spamip_source);
	c->spamip_source = xstrdup(source);
	return 0;
}

static int
take_stats(struct fpcase *c, const char *source, struct error *err)
{
	model_stats_release(&c->stats);
	c->has_stats = false;
	if (model_parse_stats(c->stats_raw.buf, c->stats_raw.len, source,
			      &c->stats, err) < 0)
		return -1;
	c->has_stats = true;
	free(c->stats_source);
	c->stats_source = xstrdup(source);
	return 0;
}

int
case_load_spamip(struct fpcase *c, const char *path, struct error *err)
{
	if (strbuf_read_file(&c->spamip_raw, path, "an API document", err) < 0)
		return -1;
	return take_spamip(c, path, err);
}

int
case_load_stats(struct fpcase *c, const char *path, struct error *err)
{
	if (strbuf_read_file(&c->stats_raw, path, "an API document", err) < 0)
		return -1;
	return take_stats(c, path, err);
}

/* Copy an answer's bytes into a raw buffer (both are capped at 16 MiB). */
static int
copy_raw(struct strbuf *raw, const char *buf, size_t len, const char *source,
	 struct error *err)
{
	strbuf_reset(raw);
	if (strbuf_add(raw, buf, len) < 0)
		return error_set(err, EX_PROTOCOL, "%s: the answer is larger than %d bytes: is "
				 "the endpoint an OVH API?", source, FPKIT_LIMIT_API_DOCUMENT);
	return 0;
}

int
case_set_spamip(struct fpcase *c, const char *buf, size_t len, const char *source,
		struct error *err)
{
	if (copy_raw(&c->spamip_raw, buf, len, source, err) < 0)
		return -1;
	return take_spamip(c, source, err);
}

int
case_set_stats(struct fpcase *c, const char *buf, size_t len, const char *source,
	       struct error *err)
{
	if (copy_raw(&c->stats_raw, buf, len, source, err) < 0)
		return -1;
	return take_stats(c, source, err);
}

/* The prefix length of an IPv4 block "a.b.c.d/n" (32 without '/'). */
static int
block_prefix(const char *block)
{
	const char *slash = strchr(block, '/');
	int n = 0;

	if (slash == NULL)
		return 32;
	for (const char *p = slash + 1; *p >= '0' && *p <= '9' && n <= 32; p++)
		n = n * 10 + (*p - '0');
	return n;
}

/* GET /ip?ip=IP: the smallest IPv4 block of the account holding c->ip. */
static int
fetch_block(struct fpcase *c, struct ovh *api, struct error *err)
{
	struct ovh_call call;
	const char *best = NULL;
	size_t i;
	json_t *v;
	int rc = -1;

	ovhapi_ip_blocks(&call, c->ip, NULL);
	if (ovh_get(api, &call, err) < 0 || ovhapi_check_blocks(&call, err) < 0)
		goto out;
	json_array_foreach(call.json, i, v) {
		const char *b = json_string_value(v);

		if (strchr(b, ':') || !netaddr_block_contains(b, c->ip))
			continue;
		if (best == NULL || block_prefix(b) > block_prefix(best))
			best = b;
	}
	if (best == NULL) {
		error_set(err, EX_NOINPUT, "no IP block of the account holds %s (GET %s): check the "
			  "address, the endpoint and the credentials, or give --block", c->ip,
			  call.path);
		goto out;
	}
	free(c->block);
	c->block = xstrdup(best);
	rc = 0;
out:
	ovh_call_release(&call);
	return rc;
}

/* Add text after err's message (as far as it fits). */
static void
append_message(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
append_message(struct error *err, const char *fmt, ...)
{
	size_t n = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
}

/* Run the call c (set up by ovhapi_*, released here) and hand its body
 * to 'take' (case_set_spamip or case_set_stats); an answer that is not
 * the model is the API's fault. */
static int
fetch_document(struct fpcase *c, struct ovh *api, struct ovh_call *call,
	       int (*take)(struct fpcase *, const char *, size_t, const char *, struct error *),
	       struct error *err)
{
	char *source = xasprintf("GET %s", call->path);
	int rc = -1;

	if (ovh_get(api, call, err) < 0)
		goto out;
	if (take(c, call->body.buf, call->body.len, source, err) < 0) {
		err->status = EX_PROTOCOL;
		goto out;
	}
	rc = 0;
out:
	ovh_call_release(call);
	free(source);
	return rc;
}

int
case_fetch_spamip(struct fpcase *c, struct ovh *api, struct error *err)
{
	struct ovh_call call;
	const bool block_given = c->block != NULL;	/* --block */

	if (!block_given && fetch_block(c, api, err) < 0)
		return -1;
	/* scan --archive hands over the SpamIp object its scan read. */
	if (!c->has_spamip) {
		ovhapi_spam_ip(&call, c->block, c->ip);
		if (fetch_document(c, api, &call, case_set_spamip, err) < 0) {
			if (err->status == EX_NOINPUT && block_given)
				append_message(err, ": is %s a block of the account, and is %s "
					       "blocked for spam? leave --block out and fpkit "
					       "finds the block; 'fpkit scan --all-states' lists "
					       "the account's IPs the anti-spam knows", c->block,
					       c->ip);
			else if (err->status == EX_NOINPUT)
				append_message(err, ": is %s blocked for spam? 'fpkit scan "
					       "--all-states' lists the account's IPs the "
					       "anti-spam knows", c->ip);
			return -1;
		}
	}
	return 0;
}

int
case_fetch(struct fpcase *c, struct ovh *api, int64_t from, int64_t to, struct error *err)
{
	struct ovh_call call;

	if (case_fetch_spamip(c, api, err) < 0)
		return -1;
	ovhapi_spam_stats(&call, c->block, c->ip,
			  from ? from : c->spamip.date - CASE_WINDOW_BEFORE,
			  to ? to : c->spamip.date + CASE_WINDOW_AFTER);
	return fetch_document(c, api, &call, case_set_stats, err);
}

/* Write buf[0..len) to DIR/name through an outfile. */
static int
save_one(const char *dir, const char *name, const struct strbuf *raw, struct error *err)
{
	struct outfile o;
	char *path = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	const char *p = raw->buf;
	size_t left = raw->len;
	int rc = -1;

	if (outfile_open(&o, path, err) < 0)
		goto out;
	while (left > 0) {
		ssize_t n = write(o.fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
			outfile_abort(&o);
			goto out;
		}
		p += n;
		left -= (size_t)n;
	}
	rc = outfile_commit(&o, true, err);
out:
	free(path);
	return rc;
}

int
case_save_api(const struct fpcase *c, const char *dir, struct error *err)
{
	struct stat st;

	if (*dir == '\0' || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return error_set(err, EX_CANTCREAT, "--save-api '%s': no such folder: create it "
				 "first", dir);
	if (c->has_spamip && save_one(dir, "spam-ip.json", &c->spamip_raw, err) < 0)
		return -1;
	if (c->has_stats && save_one(dir, "stats.json", &c->stats_raw, err) < 0)
		return -1;
	return 0;
}

int
case_settle(struct fpcase *c, struct error *err)
{
	if (c->ip && !netaddr_is_ipv4(c->ip))
		return error_set(err, EX_USAGE, "'%s' is not an IPv4 address: the anti-spam "
				 "blocks IPv4 addresses only: give the blocked one with --ip", c->ip);
	if (c->has_spamip) {
		if (c->ip == NULL)
			c->ip = xstrdup(c->spamip.ip);
		else if (strcmp(c->ip, c->spamip.ip) != 0)
			return error_set(err, EX_DATAERR,
					 "--ip %s does not match ipSpamming '%s' in '%s': "
					 "is this the right file? give the object saved for %s, "
					 "or leave --ip out", c->ip, c->spamip.ip, c->spamip_source,
					 c->ip);
	}
	if (c->ip == NULL)
		return error_set(err, EX_USAGE, "no IP address: give --ip, or --spam-ip-json "
				 "with the blocked IP's object");
	if (c->block) {
		if (!netaddr_is_block(c->block) || strchr(c->block, ':'))
			return error_set(err, EX_USAGE, "--block '%s' is not an IPv4 block: give "
					 "it as ADDRESS/PREFIX, such as 203.0.113.0/28, or leave "
					 "it out", c->block);
		if (!netaddr_block_contains(c->block, c->ip))
			return error_set(err, EX_USAGE, "%s is not inside block %s: give the "
					 "--block that holds it (GET /ip?ip=%s lists the account's), "
					 "or leave --block out", c->ip, c->block, c->ip);
	}
	if (c->has_spamip) {
		c->blocked_at = c->spamip.date;
		c->has_blocked_at = true;
	} else if (c->has_stats) {
		for (size_t i = 0; i < c->stats.nr_entries; i++) {
			if (!c->has_blocked_at || c->stats.entries[i].timestamp > c->blocked_at) {
				c->blocked_at = c->stats.entries[i].timestamp;
				c->has_blocked_at = true;
			}
		}
	}
	return 0;
}
