/* ovhapi.h - the resources of the OVH API that fpkit asks for, one
 * function each (ovh-api.md section 4): the one place that writes their
 * paths and escapes the block and the address in them */
#ifndef FPKIT_OVHAPI_H
#define FPKIT_OVHAPI_H

#include <stdbool.h>
#include <stdint.h>

#include "ovh.h"

struct error;

/* Each of these sets up c (ovh_call_init; release it with
 * ovh_call_release) to be run by ovh_run or ovh_get.  A block
 * ("203.0.113.0/28") and an address are escaped as one path segment
 * each (the '/' of a block is sent as %2F, as the API requires); query
 * values are escaped as python-ovh escapes them. */

/* GET /ip: the account's IP blocks; only those holding 'ip' and only
 * those of type 'type' when either is not NULL (?ip=IP&type=TYPE). */
void ovhapi_ip_blocks(struct ovh_call *c, const char *ip, const char *type);

/* GET /ip/{block}/spam: the addresses of the block the anti-spam knows;
 * only those in state 'state' (e.g. "blockedForSpam") when not NULL. */
void ovhapi_spam_ips(struct ovh_call *c, const char *block, const char *state);

/* GET /ip/{block}/spam/{ip}: the ip.SpamIp object of one address. */
void ovhapi_spam_ip(struct ovh_call *c, const char *block, const char *ip);

/* GET /ip/{block}/spam/{ip}/stats?from=FROM&to=TO: its ip.SpamStats
 * array between two times (epoch seconds, sent as UTC date-times with
 * an explicit "+00:00"). */
void ovhapi_spam_stats(struct ovh_call *c, const char *block, const char *ip,
		       int64_t from, int64_t to);

/* POST /ip/{block}/spam/{ip}/unblock, without a body (ovh-api.md
 * section 5b); set up with ovh_call_init_post, so never tried again
 * once it may have reached the API. */
void ovhapi_spam_unblock(struct ovh_call *c, const char *block, const char *ip);

/* Is the answer of a failed call the API's refusal "This IP address is
 * still blocked for N seconds", whatever its HTTP status (none is
 * documented)?  Then *seconds is N (at most 9 digits). */
bool ovhapi_still_blocked(const struct ovh_call *c, int64_t *seconds);

/* GET /me: the account (ovh-api.md section 5b). */
void ovhapi_me(struct ovh_call *c);

/* The NIC handle in the answer of a completed ovhapi_me call (borrowed
 * from c->json): a string of 1 to OVHAPI_NICHANDLE_MAX printable ASCII
 * characters.  EX_PROTOCOL naming the call otherwise. */
#define OVHAPI_NICHANDLE_MAX 64
int ovhapi_check_me(const struct ovh_call *c, const char **nichandle, struct error *err);

/* The path ovhapi_spam_ip asks for (a new string): the name of a SpamIp
 * object read by another call, in messages. */
char *ovhapi_spam_ip_path(const char *block, const char *ip);

/* Check the answer of a completed ovhapi_ip_blocks call: an array of IP
 * blocks (IPv4 or IPv6).  EX_PROTOCOL naming the call and the element
 * otherwise. */
int ovhapi_check_blocks(const struct ovh_call *c, struct error *err);

/* Check the answer of a completed ovhapi_spam_ips call: an array of
 * IPv4 addresses.  EX_PROTOCOL naming the call and the element
 * otherwise. */
int ovhapi_check_spam_ips(const struct ovh_call *c, struct error *err);

/* GET /ip/{block}: the ip.Ip object of a block, whose routedTo.serviceName
 * and type name the service it is routed to (ovh-api.md section 5b). */
void ovhapi_ip(struct ovh_call *c, const char *block);

/* POST /support/tickets/create with 'body', the JSON object sent and
 * signed (ovh-api.md section 6); set up with ovh_call_init_post. */
void ovhapi_ticket_create(struct ovh_call *c, const char *body);

/* GET /support/tickets: the ids of the account's tickets; only those in
 * 'status' ("open", "closed", "unknown") when not NULL, only those
 * created at or after 'min_creation' (epoch seconds) when it is >= 0
 * (minCreationDate), only that number when 'number' is >= 0
 * (ticketNumber). */
void ovhapi_tickets(struct ovh_call *c, const char *status, int64_t min_creation,
		    int64_t number);

/* GET /support/tickets/{id}: the support.Ticket object. */
void ovhapi_ticket(struct ovh_call *c, int64_t id);

/* GET /support/tickets/{id}/messages: its support.Message array. */
void ovhapi_ticket_messages(struct ovh_call *c, int64_t id);

/* POST /support/tickets/{id}/reply with 'body' ({"body": TEXT}); set up
 * with ovh_call_init_post. */
void ovhapi_ticket_reply(struct ovh_call *c, int64_t id, const char *body);

/* POST /auth/credential with 'body' ({accessRules, redirection}), sent
 * with the application key alone (ovh_call_init_unsigned_post). */
void ovhapi_credential(struct ovh_call *c, const char *body);

/* An access rule of a consumer key: a method and a path where '*'
 * stands for anything, as python-ovh's request_consumerkey writes them. */
struct ovhapi_rule {
	const char *method;
	const char *path;
	bool write;		/* asked for by fpkit auth --write only */
	const char *used_by;	/* the subcommands that need it */
};

/* Every rule fpkit needs, reads first: the paths each ovhapi_ function
 * above asks for (tests/unit/test_ovhapi.c checks that each is covered,
 * and by a rule of its kind).  NULL-terminated. */
extern const struct ovhapi_rule ovhapi_rules[];

/* Does rule r allow 'method' on 'path' (the path as sent, query left
 * out)?  '*' matches one or more characters, '/' included, as the API's
 * rules do. */
bool ovhapi_rule_covers(const struct ovhapi_rule *r, const char *method, const char *path);

#endif
