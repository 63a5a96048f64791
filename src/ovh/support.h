/* support.h - the OVH API's support tickets as fpkit reads them
 * (ovh-api.md section 6): the product and service of a block, the
 * schema's enums, the answers checked, and the reads of 'fpkit ticket
 * list' and 'fpkit ticket show' */
#ifndef FPKIT_SUPPORT_H
#define FPKIT_SUPPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct error;
struct ovh;
struct ovh_call;

/* The request's fields fpkit chooses (fpkit-ticket(1)): a false positive
 * is a question to support, not an outage; "type" is required by the
 * older schema copies and deprecated by the newer, and
 * criticalIntervention needs a VIP support level. */
#define SUPPORT_DEFAULT_CATEGORY "assistance"
#define SUPPORT_DEFAULT_SUBCATEGORY "other"
#define SUPPORT_TYPE "genericRequest"

/* The longest subject fpkit sends (the API's limit is not documented). */
#define SUPPORT_SUBJECT_MAX 200

/* support.TicketProductEnum, support.TicketCategoryEnum,
 * support.TicketSubCategoryEnum, support.TicketStatusEnum. */
bool support_product_valid(const char *s);
bool support_category_valid(const char *s);
bool support_subcategory_valid(const char *s);
bool support_status_valid(const char *s);

/* The ticket's product for a block of ip.IpTypeEnum 'type' routed to
 * 'service' (either may be NULL): dedicated -> dedicated, vps -> vps,
 * pci and cloud -> publiccloud, pcc -> dedicatedcloud, housing ->
 * housing, hosted_ssl -> ssl, cdn -> cdn, mail -> mail, xdsl -> adsl,
 * vrack and loadBalancing -> network, failover -> vps when the service
 * it is routed to is a VPS (its name starts with "vps" or holds
 * ".vps."), dedicated otherwise.  NULL for the others (overthebox,
 * private, vpn, or a type the schema does not list). */
const char *support_product_of(const char *type, const char *service);

/* The block's type and routedTo.serviceName in the answer of a
 * completed ovhapi_ip call (borrowed from c->json; either NULL when the
 * API gives none, e.g. a block routed nowhere).  EX_PROTOCOL when the
 * answer is no object, or a field present has the wrong type. */
int support_check_ip(const struct ovh_call *c, const char **type, const char **service,
		     struct error *err);

/* support.NewMessageInfo in the answer of a completed create or reply.
 * EX_PROTOCOL unless ticketId and ticketNumber are integers (a reply's
 * answer is void: not for it). */
int support_check_new(const struct ovh_call *c, int64_t *ticket_id, int64_t *ticket_number,
		      int64_t *message_id, struct error *err);

/* The long[] of GET /support/tickets: *ids new (NULL when none), *n
 * their count.  EX_PROTOCOL otherwise. */
int support_check_ids(const struct ovh_call *c, int64_t **ids, size_t *n, struct error *err);

/* A support.Ticket: an object with integer ticketId and ticketNumber
 * and a string subject.  EX_PROTOCOL otherwise. */
int support_check_ticket(const struct ovh_call *c, struct error *err);

/* Read the tickets (GET /support/tickets with status and min_creation as
 * ovhapi_tickets takes them, then GET /support/tickets/{id} of each, at
 * most 'max', the newest ids first): *tickets a new array of
 * support.Ticket objects.  ovh_run's errors, EX_PROTOCOL for an answer
 * of the wrong shape. */
int support_list(struct ovh *api, const char *status, int64_t min_creation, size_t max,
		 json_t **tickets, struct error *err);

/* The ticket 'n', an id or else a number: GET /support/tickets/{n}, and
 * when that is not found GET /support/tickets?ticketNumber=n.  *ticket
 * new.  EX_NOINPUT when it is neither. */
int support_find(struct ovh *api, int64_t n, json_t **ticket, struct error *err);

/* GET /support/tickets/{id}/messages: *messages a new array of objects
 * with a string body.  ovh_run's errors, EX_PROTOCOL otherwise. */
int support_messages(struct ovh *api, int64_t id, json_t **messages, struct error *err);

/* The ticket's id and number (from support_check_ticket's object). */
int64_t support_ticket_id(json_t *ticket);
int64_t support_ticket_number(json_t *ticket);

#endif
