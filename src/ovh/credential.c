/* credential.c - fpkit auth: a consumer key with exactly fpkit's rights
 *
 * A consumer key signs for its application and carries access rules;
 * the person validates it (logs in at validationUrl) before it can be
 * used.  fpkit asks for the routes its code calls and nothing else, so
 * that a key read-only by default can never unblock nor write to
 * support (ovhapi_rules). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "credential.h"
#include "error.h"
#include "ovh.h"
#include "ovhapi.h"
#include "ovhclient.h"
#include "xalloc.h"

void
credential_release(struct credential *c)
{
	json_decref(c->rules);
	free(c->validation_url);
	if (c->consumer_key)
		explicit_bzero(c->consumer_key, strlen(c->consumer_key));
	free(c->consumer_key);
	free(c->state);
	free(c->conf_file);
	free(c->section);
	memset(c, 0, sizeof(*c));
}

json_t *
credential_rules(bool write)
{
	json_t *rules = json_array();

	for (const struct ovhapi_rule *r = ovhapi_rules; r->method; r++)
		if (!r->write || write)
			json_array_append_new(rules, json_pack("{s:s, s:s}", "method", r->method,
							       "path", r->path));
	return rules;
}

/* Where application_key was found: "'FILE' line N" gives FILE; a
 * variable gives ~/.ovh.conf, python-ovh's file of the user (new). */
static char *
conf_file_of(const char *from)
{
	const char *home = getenv("HOME");

	if (from && from[0] == '\'' && strrchr(from + 1, '\''))
		return xstrndup(from + 1, (size_t)(strrchr(from + 1, '\'') - from - 1));
	return xasprintf("%s/.ovh.conf", home && *home ? home : "~");
}

int
credential_request(struct ovhclient *client, bool write, const char *redirection,
		   struct credential *out, struct diag *d, struct error *err)
{
	struct ovh_call c;
	json_t *body;
	char *text;
	const char *url, *ck, *state;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	client->app_only = true;
	client->why = "auth";
	if (!client->connected && ovhclient_connect(client, d, err) < 0)
		return -1;
	out->rules = credential_rules(write);
	body = json_pack("{s:O}", "accessRules", out->rules);
	if (redirection)
		json_object_set_new(body, "redirection", json_string(redirection));
	text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	ovhapi_credential(&c, text);
	free(text);
	if (ovh_get(&client->client, &c, err) < 0) {
		if (c.uncertain)
			error_prefix(err, "auth: the answer was lost; a key may have been made, "
				     "which nobody will validate: run 'fpkit auth' again");
		else
			error_prefix(err, "auth");
		goto out;
	}
	url = json_string_value(json_object_get(c.json, "validationUrl"));
	ck = json_string_value(json_object_get(c.json, "consumerKey"));
	state = json_string_value(json_object_get(c.json, "state"));
	if (url == NULL || ck == NULL || *ck == '\0' || strspn(ck, "abcdefghijklmnopqrstuvwxyz"
							      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
							      "0123456789") != strlen(ck)) {
		error_set(err, EX_PROTOCOL, "POST /auth/credential: expected validationUrl and "
			  "consumerKey (letters and digits) in the answer");
		goto out;
	}
	out->validation_url = xstrdup(url);
	out->consumer_key = xstrdup(ck);
	out->state = xstrdup(state ? state : "");
	out->conf_file = conf_file_of(client->conf.application_key_from);
	out->section = xstrdup(client->conf.endpoint);
	rc = 0;
out:
	ovh_call_release(&c);
	if (rc < 0)
		credential_release(out);
	return rc;
}
