/* logline.h - one line of a mail log: its syslog header (or Exim's
 * own), its queue id, and what Postfix, Exim and Sendmail say in it
 * about the message of that queue */
#ifndef FPKIT_LOGLINE_H
#define FPKIT_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum logline_mta {
	LOGLINE_NONE,
	LOGLINE_POSTFIX,
	LOGLINE_EXIM,
	LOGLINE_SENDMAIL,
};

/* "postfix", "exim", "sendmail" (or "unknown"): summary.json's words. */
const char *logline_mta_name(enum logline_mta mta);

/* A piece of a line (borrowed); p is NULL when the piece is absent. */
struct logline_span {
	const char *p;
	size_t len;
};

enum logline_stamp {
	LOGLINE_STAMP_CLASSIC,	/* "Nov 20 14:23:01": no year, no zone */
	LOGLINE_STAMP_ISO,	/* "2026-11-20T14:23:01.123456+01:00" */
	LOGLINE_STAMP_EXIM,	/* Exim's own log: "2026-11-20 14:23:01 [+0100]" */
};

/* One log line cut at its syslog header (every span borrowed from it). */
struct logline_syslog {
	enum logline_stamp kind;
	struct logline_span stamp;	/* the time as written */
	struct logline_span host;	/* empty for Exim's own log */
	struct logline_span prog;	/* "postfix/cleanup", "exim", "sm-mta" */
	struct logline_span msg;	/* after "prog[pid]: " */
};

/* Cut a line (without its newline) into a syslog header and a message:
 * the classic BSD format ("Nov 20 14:23:01 host prog[pid]: msg"), the
 * high-precision format of rsyslog and journalctl
 * ("2026-11-20T14:23:01.123456+01:00 host prog[pid]: msg"), RFC 5424
 * ("<22>1 2026-11-20T14:23:01Z host prog pid - - msg") and Exim's
 * mainlog ("2026-11-20 14:23:01 [+0100] [[pid]] msg").  Returns 0, or -1
 * when the line is in none of them. */
int logline_parse_syslog(const char *line, size_t len, struct logline_syslog *out);

/* The time of a parsed line in seconds since the epoch.  A time with a
 * zone is exact; one without (classic syslog, Exim without
 * log_timezone) is local time in the zone of TZ, and a classic one gets
 * the year that puts it nearest to 'near' (the block time), so that
 * "Dec 31" before a block on 1 January is last year's.  0, or -1 when
 * the stamp is not a valid date. */
int logline_stamp_time(const struct logline_syslog *s, int64_t near, int64_t *t);

/* Whether the stamp of a parsed line carries its zone (RFC 3339 and
 * RFC 5424 stamps do, Exim's with log_timezone): then its time is
 * exact whatever TZ says; a classic stamp never does. */
bool logline_stamp_zoned(const struct logline_syslog *s);

/* The longest queue id, in bytes. */
#define LOGLINE_MAX_QID 32

/* The queue id a message starts with: Postfix and Sendmail write
 * "QUEUEID: rest" (5 to 32 letters and digits, at least one digit, so
 * that "warning:" is none), Exim "1abcDE-000123-AB rest".  On success,
 * *qid and *rest (what follows ": " or the blank) point into msg. */
bool logline_queue_id(struct logline_span msg, struct logline_span *qid,
		      struct logline_span *rest);

/* What one line says about its queue's message (spans borrowed from the
 * line; status may point to a static word). */
struct logline_facts {
	struct logline_span message_id;	/* the Message-ID as logged */
	struct logline_span from;	/* envelope sender, brackets removed
					 * ("" for the null sender) */
	struct logline_span client;	/* who handed the message in */
	struct logline_span to;		/* recipient(s); Sendmail may list
					 * several, comma-separated */
	struct logline_span relay;	/* where it went */
	struct logline_span status;	/* sent, deferred, bounced, expired,
					 * suppressed ... */
	struct logline_span dsn;	/* enhanced status code, e.g. 2.0.0 */
	struct logline_span detail;	/* the remote answer or the error */
	bool recipient;			/* a delivery attempt (to= or =>) */
	bool end;			/* the queue is done with it: Postfix
					 * "removed", Exim "Completed" */
};

/* Read the facts of 'rest' (what follows the queue id, as
 * logline_queue_id gives it) written by 'mta'.  Unknown lines give no
 * facts. */
void logline_parse_facts(enum logline_mta mta, struct logline_span rest,
			 struct logline_facts *f);

/* The Message-ID a message announces when its queue takes it: Postfix
 * cleanup "QID: message-id=<id>", Exim "ID <= sender ... id=id ...",
 * Sendmail "QID: from=..., size=N, ..., msgid=<id>, ...".  A Message-ID
 * anywhere else (a bounce quoting it, a header_checks warning, a
 * subject) is not one, nor is one the sender wrote into the line: the
 * Sendmail msgid= is the first after size=, the Exim id= the last field
 * before the recipients, outside the H= value.  Returns the MTA, or
 * LOGLINE_NONE. */
enum logline_mta logline_announced_id(struct logline_span msg, struct logline_span *qid,
				      struct logline_span *id);
/* Room for an IPv4 or IPv6 address as text, with its NUL. */
#define LOGLINE_IP_LEN 46

/* Whether a delivery attempt (facts f, f->recipient set, of 'rest' as
 * logline_parse_facts read it; 'prog' from the syslog header) handed
 * the message, or tried to, to a remote SMTP server: the mail that
 * leaves the machine through its own address.  Postfix: a transport
 * other than local, virtual, lmtp, pipe, error, retry and discard (and
 * not qmgr's expiry notices) with relay=host[address]:port, or
 * relay=none (no server answered); Exim: a delivery line with
 * H=host [address]; Sendmail: mailer=esmtp, smtp, smtp8, dsmtp or
 * relay.  An address that is loopback, private (RFC 1918, RFC 4193),
 * link-local or unspecified is no remote server (a content filter such
 * as amavis on 127.0.0.1, a host of the local network).  On true, ip
 * holds the server's address, or "" when the line names none. */
bool logline_remote(enum logline_mta mta, struct logline_span prog, struct logline_span rest,
		    const struct logline_facts *f, char ip[LOGLINE_IP_LEN]);

/* The address between the last '[' and the next ']' of a relay as
 * logged ("mx.example.net[198.51.100.23]:25", "mx.example.net
 * [198.51.100.23]", Sendmail's "[IPv6:2001:db8::1]") into ip, when it is
 * an IPv4 or IPv6 address. */
bool logline_relay_ip(struct logline_span relay, char ip[LOGLINE_IP_LEN]);

/* s without the blanks around it. */
struct logline_span logline_trim(struct logline_span s);

/* "<addr>" -> "addr", blanks around it dropped; anything else as it
 * is. */
struct logline_span logline_unbracket(struct logline_span s);

#endif
