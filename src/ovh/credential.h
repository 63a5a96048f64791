/* credential.h - fpkit auth: a consumer key requested with exactly the
 * rights fpkit needs (POST /auth/credential, as python-ovh's
 * request_consumerkey does) */
#ifndef FPKIT_CREDENTIAL_H
#define FPKIT_CREDENTIAL_H

#include <jansson.h>
#include <stdbool.h>

struct diag;
struct error;
struct ovhclient;

struct credential {
	json_t *rules;		/* the accessRules sent (new) */
	char *validation_url;	/* the API's answer (new) */
	char *consumer_key;
	char *state;
	char *conf_file;	/* the ovh.conf the key goes in (new) */
	char *section;		/* its section: the endpoint as written (new) */
};

void credential_release(struct credential *c);

/* The accessRules fpkit asks for (new): each GET of ovhapi_rules, and
 * with 'write' each POST too. */
json_t *credential_rules(bool write);

/* Connect the client with the application key and secret alone, POST
 * /auth/credential {accessRules, redirection (when not NULL)}, unsigned,
 * and check the answer (EX_PROTOCOL unless validationUrl and
 * consumerKey are strings).  The POST is never sent twice (a lost
 * answer leaves a key nobody validates: the error says to run it
 * again).  conf_file is the file application_key came from, or
 * ~/.ovh.conf when it came from the environment. */
int credential_request(struct ovhclient *client, bool write, const char *redirection,
		       struct credential *out, struct diag *d, struct error *err);

#endif
