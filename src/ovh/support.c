/* support.c - the OVH API's support tickets as fpkit reads them
 *
 * The enums are those of the support schema (ovh-api.md section 6);
 * an answer is checked for the fields fpkit uses and kept whole for the
 * rest, so that a field the API adds passes through --json. */
#include "config.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "ovh.h"
#include "ovhapi.h"
#include "support.h"
#include "xalloc.h"

static bool
in_list(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

bool
support_product_valid(const char *s)
{
	static const char *const products[] = {
		"adsl", "cdn", "dedicated", "dedicated-billing", "dedicated-other",
		"dedicatedcloud", "domain", "exchange", "fax", "hosting", "housing", "iaas",
		"mail", "network", "publiccloud", "sms", "ssl", "storage", "telecom-billing",
		"telecom-other", "vac", "voip", "vps", "web-billing", "web-other", NULL,
	};

	return in_list(products, s);
}

bool
support_category_valid(const char *s)
{
	static const char *const categories[] = { "assistance", "billing", "incident", NULL };

	return in_list(categories, s);
}

bool
support_subcategory_valid(const char *s)
{
	static const char *const subs[] = {
		"alerts", "autorenew", "bill", "down", "inProgress", "new", "other", "perfs",
		"start", "usage", NULL,
	};

	return in_list(subs, s);
}

bool
support_status_valid(const char *s)
{
	static const char *const states[] = { "closed", "open", "unknown", NULL };

	return in_list(states, s);
}

const char *
support_product_of(const char *type, const char *service)
{
	static const struct {
		const char *type, *product;
	} map[] = {
		{ "dedicated", "dedicated" }, { "vps", "vps" }, { "pci", "publiccloud" },
		{ "cloud", "publiccloud" }, { "pcc", "dedicatedcloud" },
		{ "housing", "housing" }, { "hosted_ssl", "ssl" }, { "cdn", "cdn" },
		{ "mail", "mail" }, { "xdsl", "adsl" }, { "vrack", "network" },
		{ "loadBalancing", "network" },
	};

	if (type == NULL)
		return NULL;
	/* A failover block belongs to the service it is routed to. */
	if (strcmp(type, "failover") == 0)
		return service && (strncmp(service, "vps", 3) == 0 || strstr(service, ".vps.")) ?
		       "vps" : "dedicated";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].type, type) == 0)
			return map[i].product;
	return NULL;
}

int
support_check_ip(const struct ovh_call *c, const char **type, const char **service,
		 struct error *err)
{
	json_t *t = json_object_get(c->json, "type");
	json_t *r = json_object_get(c->json, "routedTo");
	json_t *s = json_object_get(r, "serviceName");

	*type = NULL;
	*service = NULL;
	if (!json_is_object(c->json))
		return error_set(err, EX_PROTOCOL, "GET %s: expected an ip.Ip object", c->path);
	if (t && !json_is_null(t) && !json_is_string(t))
		return error_set(err, EX_PROTOCOL, "GET %s: its type is not a string", c->path);
	if (r && !json_is_null(r) && !json_is_object(r))
		return error_set(err, EX_PROTOCOL, "GET %s: its routedTo is not an object",
				 c->path);
	if (s && !json_is_null(s) && !json_is_string(s))
		return error_set(err, EX_PROTOCOL, "GET %s: its routedTo.serviceName is not a "
				 "string", c->path);
	*type = json_string_value(t);
	*service = json_string_value(s);
	if (*service && **service == '\0')
		*service = NULL;
	return 0;
}

int
support_check_new(const struct ovh_call *c, int64_t *ticket_id, int64_t *ticket_number,
		  int64_t *message_id, struct error *err)
{
	json_t *id = json_object_get(c->json, "ticketId");
	json_t *num = json_object_get(c->json, "ticketNumber");
	json_t *msg = json_object_get(c->json, "messageId");

	if (!json_is_integer(id) || !json_is_integer(num))
		return error_set(err, EX_PROTOCOL, "%s %s: expected a support.NewMessageInfo "
				 "with ticketId and ticketNumber", c->method, c->path);
	*ticket_id = json_integer_value(id);
	*ticket_number = json_integer_value(num);
	*message_id = json_is_integer(msg) ? json_integer_value(msg) : -1;
	return 0;
}

int
support_check_ids(const struct ovh_call *c, int64_t **ids, size_t *n, struct error *err)
{
	size_t i;
	json_t *v;

	*ids = NULL;
	*n = 0;
	if (!json_is_array(c->json))
		return error_set(err, EX_PROTOCOL, "GET %s: expected an array of ticket ids",
				 c->path);
	json_array_foreach(c->json, i, v)
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return error_set(err, EX_PROTOCOL, "GET %s: element %zu is not a ticket id",
					 c->path, i);
	*n = json_array_size(c->json);
	*ids = *n ? xcalloc(*n, sizeof(**ids)) : NULL;
	json_array_foreach(c->json, i, v)
		(*ids)[i] = json_integer_value(v);
	return 0;
}

int
support_check_ticket(const struct ovh_call *c, struct error *err)
{
	if (!json_is_object(c->json) || !json_is_integer(json_object_get(c->json, "ticketId")) ||
	    !json_is_integer(json_object_get(c->json, "ticketNumber")) ||
	    !json_is_string(json_object_get(c->json, "subject")))
		return error_set(err, EX_PROTOCOL, "GET %s: expected a support.Ticket with "
				 "ticketId, ticketNumber and subject", c->path);
	return 0;
}

int64_t
support_ticket_id(json_t *ticket)
{
	return json_integer_value(json_object_get(ticket, "ticketId"));
}

int64_t
support_ticket_number(json_t *ticket)
{
	return json_integer_value(json_object_get(ticket, "ticketNumber"));
}

static int
cmp_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

int
support_list(struct ovh *api, const char *status, int64_t min_creation, size_t max,
	     json_t **tickets, struct error *err)
{
	struct ovh_call list, *calls = NULL, **ptrs = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = -1;

	*tickets = NULL;
	ovhapi_tickets(&list, status, min_creation, -1);
	if (ovh_get(api, &list, err) < 0 || support_check_ids(&list, &ids, &n, err) < 0)
		goto out;
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_desc);
	if (n > max)
		n = max;
	calls = xcalloc(n ? n : 1, sizeof(*calls));
	ptrs = xcalloc(n ? n : 1, sizeof(*ptrs));
	for (size_t i = 0; i < n; i++) {
		ovhapi_ticket(&calls[i], ids[i]);
		ptrs[i] = &calls[i];
	}
	if (ovh_run(api, ptrs, n, err) < 0)
		goto out;
	*tickets = json_array();
	for (size_t i = 0; i < n; i++) {
		if (support_check_ticket(&calls[i], err) < 0) {
			json_decref(*tickets);
			*tickets = NULL;
			goto out;
		}
		json_array_append(*tickets, calls[i].json);
	}
	rc = 0;
out:
	for (size_t i = 0; i < n && calls; i++)
		ovh_call_release(&calls[i]);
	free(calls);
	free(ptrs);
	free(ids);
	ovh_call_release(&list);
	return rc;
}

static int
get_ticket(struct ovh *api, int64_t id, json_t **ticket, struct error *err)
{
	struct ovh_call c;
	int rc = -1;

	ovhapi_ticket(&c, id);
	if (ovh_get(api, &c, err) == 0 && support_check_ticket(&c, err) == 0) {
		*ticket = json_incref(c.json);
		rc = 0;
	}
	ovh_call_release(&c);
	return rc;
}

int
support_find(struct ovh *api, int64_t n, json_t **ticket, struct error *err)
{
	struct error nerr = ERROR_INIT;
	struct ovh_call c;
	int64_t *ids = NULL;
	size_t nr = 0;
	int rc = -1;

	*ticket = NULL;
	if (get_ticket(api, n, ticket, &nerr) == 0)
		return 0;
	if (nerr.status != EX_NOINPUT) {
		*err = nerr;
		return -1;
	}
	/* Not an id: perhaps the number support writes in its mails. */
	ovhapi_tickets(&c, NULL, -1, n);
	if (ovh_get(api, &c, err) < 0 || support_check_ids(&c, &ids, &nr, err) < 0)
		goto out;
	if (nr != 1) {
		error_set(err, EX_NOINPUT, "ticket %" PRId64 ": no ticket has this id or this "
			  "number: 'fpkit ticket list' shows them", n);
		goto out;
	}
	rc = get_ticket(api, ids[0], ticket, err);
out:
	free(ids);
	ovh_call_release(&c);
	return rc;
}

int
support_messages(struct ovh *api, int64_t id, json_t **messages, struct error *err)
{
	struct ovh_call c;
	size_t i;
	json_t *m;
	int rc = -1;

	*messages = NULL;
	ovhapi_ticket_messages(&c, id);
	if (ovh_get(api, &c, err) < 0)
		goto out;
	if (!json_is_array(c.json)) {
		error_set(err, EX_PROTOCOL, "GET %s: expected an array of support.Message", c.path);
		goto out;
	}
	json_array_foreach(c.json, i, m)
		if (!json_is_object(m) || !json_is_string(json_object_get(m, "body"))) {
			error_set(err, EX_PROTOCOL, "GET %s: message %zu has no body", c.path, i);
			goto out;
		}
	*messages = json_incref(c.json);
	rc = 0;
out:
	ovh_call_release(&c);
	return rc;
}
