/* case.h - the gather stage: what is known about one block event */
#ifndef FPKIT_CASE_H
#define FPKIT_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "strbuf.h"

struct error;
struct ovh;

struct fpcase {
	char *ip;		/* the blocked address (--ip or ipSpamming) */
	char *block;		/* its block (--block), NULL when unknown */
	bool has_spamip;
	struct model_spamip spamip;	/* GET /ip/{block}/spam/{ip} */
	struct strbuf spamip_raw;	/* ... exactly as received or given */
	char *spamip_source;		/* ... and where it came from */
	bool has_stats;
	struct model_stats stats;	/* GET .../stats */
	struct strbuf stats_raw;
	char *stats_source;
	bool has_blocked_at;
	int64_t blocked_at;	/* when the IP was blocked (epoch) */
};

void case_init(struct fpcase *c);
void case_release(struct fpcase *c);

/* Set the address and block the user named (either may be NULL); they
 * are checked by case_settle. */
void case_set_ip(struct fpcase *c, const char *ip, const char *block);

/* Read a saved SpamIp object / stats array from 'path', validate it
 * (model.h) and keep its bytes.  Errors name the file and the field. */
int case_load_spamip(struct fpcase *c, const char *path, struct error *err);
int case_load_stats(struct fpcase *c, const char *path, struct error *err);

/* Take a SpamIp object / stats array from memory (an API answer): its
 * bytes are copied as they are, validated like a file's, and 'source'
 * (e.g. "GET /ip/...") names it in errors. */
int case_set_spamip(struct fpcase *c, const char *buf, size_t len, const char *source,
		    struct error *err);
int case_set_stats(struct fpcase *c, const char *buf, size_t len, const char *source,
		   struct error *err);

/* The stats window case_fetch asks for by default, around the block
 * date: from 24 hours before it to 1 hour after it. */
#define CASE_WINDOW_BEFORE (24 * 3600)
#define CASE_WINDOW_AFTER 3600

/* Fill the case from the API through 'api', as case_load_* would from
 * saved files: the block (GET /ip?ip=IP, the smallest IPv4 block that
 * holds the IP) when none was given, then GET /ip/{block}/spam/{ip}
 * unless the case holds a SpamIp object already, then its stats between
 * 'from' and 'to' (epoch seconds; 0: the default window around the
 * SpamIp date).  c->ip must be set.  Errors are those
 * of ovh_run; an answer that is not the documented model is EX_PROTOCOL;
 * no block holding the IP is EX_NOINPUT. */
int case_fetch(struct fpcase *c, struct ovh *api, int64_t from, int64_t to,
	       struct error *err);

/* case_fetch without the stats: the block (unless given), then the
 * SpamIp object (unless held); the same errors. */
int case_fetch_spamip(struct fpcase *c, struct ovh *api, struct error *err);

/* Write the SpamIp and stats documents the case holds, byte for byte,
 * as DIR/spam-ip.json and DIR/stats.json (mode 0600, each replaced
 * atomically).  EX_CANTCREAT when DIR is not a folder or cannot take
 * them, EX_IOERR on a write error. */
int case_save_api(const struct fpcase *c, const char *dir, struct error *err);

/* Check that the pieces agree and fill what follows from them: the IP
 * from the SpamIp object when not given, the block time from the SpamIp
 * date or else the stats timestamp.  EX_USAGE when no IP is known or the
 * IP is not in the block, EX_DATAERR when the documents disagree with the
 * options. */
int case_settle(struct fpcase *c, struct error *err);

#endif
