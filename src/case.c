/* case.c - the gather stage: what is known about one block event */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "case.h"
#include "error.h"
#include "netaddr.h"
#include "xalloc.h"

void
case_init(struct fpcase *c)
{
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->spamip_raw, CASE_MAX_JSON);
	strbuf_init(&c->stats_raw, CASE_MAX_JSON);
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

int
case_load_spamip(struct fpcase *c, const char *path, struct error *err)
{
	if (strbuf_read_file(&c->spamip_raw, path, err) < 0)
		return -1;
	if (model_parse_spamip(c->spamip_raw.buf, c->spamip_raw.len, path,
			       &c->spamip, err) < 0)
		return -1;
	c->has_spamip = true;
	free(c->spamip_source);
	c->spamip_source = xstrdup(path);
	return 0;
}

int
case_load_stats(struct fpcase *c, const char *path, struct error *err)
{
	if (strbuf_read_file(&c->stats_raw, path, err) < 0)
		return -1;
	if (model_parse_stats(c->stats_raw.buf, c->stats_raw.len, path,
			      &c->stats, err) < 0)
		return -1;
	c->has_stats = true;
	free(c->stats_source);
	c->stats_source = xstrdup(path);
	return 0;
}

int
case_settle(struct fpcase *c, struct error *err)
{
	if (c->ip && !netaddr_is_ipv4(c->ip))
		return error_set(err, EX_USAGE, "'%s' is not an IPv4 address: "
				 "the anti-spam block applies to IPv4 addresses", c->ip);
	if (c->has_spamip) {
		if (c->ip == NULL)
			c->ip = xstrdup(c->spamip.ip);
		else if (strcmp(c->ip, c->spamip.ip) != 0)
			return error_set(err, EX_DATAERR,
					 "--ip %s does not match ipSpamming '%s' in '%s': "
					 "is this the right file?",
					 c->ip, c->spamip.ip, c->spamip_source);
	}
	if (c->ip == NULL)
		return error_set(err, EX_USAGE, "no IP address: give --ip, or --spam-ip-json "
				 "with the blocked IP's object");
	if (c->block) {
		if (!netaddr_is_block(c->block) || strchr(c->block, ':'))
			return error_set(err, EX_USAGE, "'%s' is not an IPv4 block "
					 "(ADDRESS/PREFIX, e.g. 203.0.113.0/28)", c->block);
		if (!netaddr_block_contains(c->block, c->ip))
			return error_set(err, EX_USAGE, "%s is not inside block %s", c->ip, c->block);
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
