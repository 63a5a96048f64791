/* scan.c - fpkit scan without its command line: every IP of the account
 * the anti-spam knows, and the archiving of each block event
 *
 * Three rounds of calls, each run in parallel by ovh_run: GET /ip for
 * the blocks, GET /ip/{block}/spam for the IPs of each IPv4 block, and
 * GET /ip/{block}/spam/{ip} for the date and time of each IP. */
#include "config.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "archivedir.h"
#include "netaddr.h"
#include "ovhapi.h"
#include "scan.h"
#include "xalloc.h"

void
scan_init(struct scan *s)
{
	memset(s, 0, sizeof(*s));
}

/* GET /ip: the IPv4 blocks. */
static int
list_blocks(struct scan *s, struct error *err)
{
	struct ovh_call call;
	size_t i;
	json_t *v;
	int rc = -1;

	ovhapi_ip_blocks(&call, NULL, s->type);
	if (ovh_get(&s->api.client, &call, err) < 0 || ovhapi_check_blocks(&call, err) < 0)
		goto out;
	json_array_foreach(call.json, i, v) {
		const char *b = json_string_value(v);

		/* The anti-spam blocks IPv4 addresses only. */
		if (strchr(b, ':')) {
			s->nr_other++;
			continue;
		}
		s->blocks = xgrow(s->blocks, s->nr_blocks + 1, &s->alloc_blocks,
				  sizeof(*s->blocks));
		s->blocks[s->nr_blocks++] = xstrdup(b);
	}
	rc = 0;
out:
	ovh_call_release(&call);
	return rc;
}

static void
release_calls(struct ovh_call *calls, struct ovh_call **ptrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ovh_call_release(&calls[i]);
	free(calls);
	free(ptrs);
}

/* GET /ip/{block}/spam[?state=blockedForSpam] for every block. */
static int
list_ips(struct scan *s, struct error *err)
{
	struct ovh_call *calls = xcalloc(s->nr_blocks + 1, sizeof(*calls));
	struct ovh_call **ptrs = xcalloc(s->nr_blocks + 1, sizeof(*ptrs));
	int rc = -1;

	for (size_t i = 0; i < s->nr_blocks; i++) {
		ovhapi_spam_ips(&calls[i], s->blocks[i], s->all_states ? NULL : "blockedForSpam");
		ptrs[i] = &calls[i];
	}
	s->phase = "blocks";
	if (ovh_run(&s->api.client, ptrs, s->nr_blocks, err) < 0)
		goto out;
	for (size_t i = 0; i < s->nr_blocks; i++) {
		GHashTable *seen;
		size_t j;
		json_t *v;

		if (ovhapi_check_spam_ips(&calls[i], err) < 0)
			goto out;
		/* Only addresses of the block, once each: that bounds the rows
		 * (and the calls that follow) by the block's size. */
		seen = g_hash_table_new(g_str_hash, g_str_equal);
		json_array_foreach(calls[i].json, j, v) {
			struct scan_row *r;
			const char *ip = json_string_value(v);

			if (!netaddr_block_contains(s->blocks[i], ip)) {
				diag_add(&s->diag, "GET /ip/%s/spam listed %s, which is not in the "
					 "block: passed over", s->blocks[i], ip);
				continue;
			}
			if (!g_hash_table_add(seen, (gpointer)ip))
				continue;

			s->rows = xgrow(s->rows, s->nr_rows + 1, &s->alloc_rows, sizeof(*s->rows));
			r = &s->rows[s->nr_rows++];
			memset(r, 0, sizeof(*r));
			r->block = s->blocks[i];
			r->ip = xstrdup(ip);
		}
		g_hash_table_destroy(seen);
	}
	rc = 0;
out:
	release_calls(calls, ptrs, s->nr_blocks);
	return rc;
}

/* GET /ip/{block}/spam/{ip} for every IP found. */
static int
describe_ips(struct scan *s, struct error *err)
{
	struct ovh_call *calls = xcalloc(s->nr_rows + 1, sizeof(*calls));
	struct ovh_call **ptrs = xcalloc(s->nr_rows + 1, sizeof(*ptrs));
	int rc = -1;

	for (size_t i = 0; i < s->nr_rows; i++) {
		ovhapi_spam_ip(&calls[i], s->rows[i].block, s->rows[i].ip);
		ptrs[i] = &calls[i];
	}
	s->phase = "IPs";
	if (ovh_run(&s->api.client, ptrs, s->nr_rows, err) < 0)
		goto out;
	for (size_t i = 0; i < s->nr_rows; i++) {
		char *name = xasprintf("GET %s", calls[i].path);
		int r = model_parse_spamip(calls[i].body.buf, calls[i].body.len, name,
					   &s->rows[i].spamip, err);

		free(name);
		if (r < 0) {
			err->status = EX_PROTOCOL;
			goto out;
		}
		if (strcmp(s->rows[i].spamip.ip, s->rows[i].ip) != 0) {
			error_set(err, EX_PROTOCOL, "GET %s: the answer is about %s, not %s",
				  calls[i].path, s->rows[i].spamip.ip, s->rows[i].ip);
			goto out;
		}
		s->rows[i].spamip_raw = strbuf_detach(&calls[i].body, &s->rows[i].spamip_len);
	}
	rc = 0;
out:
	release_calls(calls, ptrs, s->nr_rows);
	return rc;
}

/* Order: block, then IP, numerically. */
static int
addr_cmp(const char *a, const char *b)
{
	struct in_addr x, y;
	char ab[INET_ADDRSTRLEN], bb[INET_ADDRSTRLEN];

	snprintf(ab, sizeof(ab), "%.*s", (int)strcspn(a, "/"), a);
	snprintf(bb, sizeof(bb), "%.*s", (int)strcspn(b, "/"), b);
	if (inet_pton(AF_INET, ab, &x) == 1 && inet_pton(AF_INET, bb, &y) == 1 &&
	    x.s_addr != y.s_addr)
		return ntohl(x.s_addr) < ntohl(y.s_addr) ? -1 : 1;
	return strcmp(a, b);
}

static int
row_cmp(const void *pa, const void *pb)
{
	const struct scan_row *a = pa, *b = pb;
	int c = addr_cmp(a->block, b->block);

	return c ? c : addr_cmp(a->ip, b->ip);
}

int
scan_run(struct scan *s, struct error *err)
{
	if (ovhclient_connect(&s->api, &s->diag, err) < 0)
		return -1;
	if (list_blocks(s, err) < 0 || list_ips(s, err) < 0 || describe_ips(s, err) < 0)
		return -1;
	if (s->nr_rows > 1)
		qsort(s->rows, s->nr_rows, sizeof(*s->rows), row_cmp);
	return 0;
}

int
scan_archive(struct scan *s, struct archive_dir *ad,
	     void (*report)(void *arg, const struct scan_row *r,
			    const struct archive_dir_result *res),
	     void *arg, struct error *err)
{
	int status = 0;

	s->nr_archived = s->nr_failed = s->nr_empty = 0;
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct scan_row *r = &s->rows[i];
		struct archive_event ev = { r->block, r->ip, r->spamip_raw, r->spamip_len,
					    r->spamip.date };
		struct archive_dir_result res;

		if (archive_dir_add(ad, &ev, &s->api.client, &res) < 0) {
			if (s->nr_failed++ == 0)
				status = res.err.status ? res.err.status : EX_SOFTWARE;
		} else if (res.outcome == ARCHIVE_DIR_ARCHIVED) {
			s->nr_archived++;
			s->nr_empty += res.nothing_found;
		}
		if (report)
			report(arg, r, &res);
		archive_dir_result_release(&res);
	}
	if (s->nr_failed)
		return error_set(err, status, "scan: archive '%s': %zu of %zu event%s could not be "
				 "archived: the next run tries again", ad->dir, s->nr_failed,
				 s->nr_rows, s->nr_rows == 1 ? "" : "s");
	return 0;
}

void
scan_release(struct scan *s)
{
	ovhclient_release(&s->api);
	for (size_t i = 0; i < s->nr_blocks; i++)
		free(s->blocks[i]);
	free(s->blocks);
	for (size_t i = 0; i < s->nr_rows; i++) {
		free(s->rows[i].ip);
		model_spamip_release(&s->rows[i].spamip);
		free(s->rows[i].spamip_raw);
	}
	free(s->rows);
	diag_release(&s->diag);
	memset(s, 0, sizeof(*s));
}
