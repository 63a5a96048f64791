/* ovhconf.h - the OVH API endpoint and credentials, found where
 * python-ovh and go-ovh look for them (ovh-api.md sections 2 and 3) */
#ifndef FPKIT_OVHCONF_H
#define FPKIT_OVHCONF_H

#include <stdbool.h>
#include <stddef.h>

struct diag;
struct error;

/* The endpoint used when none is named anywhere (go-ovh's default). */
#define OVHCONF_DEFAULT_ENDPOINT "ovh-eu"

/* Where to look; every member may be NULL. */
struct ovhconf_source {
	const char *endpoint;	/* --endpoint: wins over OVH_ENDPOINT */
	const char *config;	/* --config: read after the ovh.conf files */
	/* The ovh.conf files, lowest priority first; NULL for the three of
	 * the official clients: /etc/ovh.conf (or $FPKIT_SYSTEM_OVH_CONF),
	 * ~/.ovh.conf, ./ovh.conf. */
	const char *const *paths;
	size_t nr_paths;
	const char *why;	/* put before the error when no credential is
				 * set at all (NULL: nothing) */
	bool insecure_http;	/* --insecure-http: see ovh_check_endpoint */
	/* Checks the endpoint's URL before anything is sent and before the
	 * credentials' messages name it (ovh_check_endpoint, passed in by
	 * the caller: the URL is parsed by the module that talks to
	 * libcurl); NULL: no check. */
	int (*check_url)(const char *url, const char *from, bool insecure_http, bool *plain,
			 struct error *err);
	bool app_only;		/* the application key and secret alone: a
				 * consumer key is neither needed nor read
				 * (fpkit auth requests one) */
};

/* What was found.  The three credentials are never written into any
 * message, trace or file by fpkit; ovhconf_release wipes them. */
struct ovhconf {
	char *endpoint;		/* the name or URL chosen, as written */
	char *base_url;		/* e.g. "https://eu.api.ovh.com/1.0", no trailing '/' */
	char *application_key;
	char *application_secret;
	char *consumer_key;
	/* Where each was found, for the messages that ask to check it: the
	 * variable ("OVH_CONSUMER_KEY") or "'FILE' line N"; never a value. */
	char *application_key_from;
	char *application_secret_from;
	char *consumer_key_from;
};

/* Resolve the endpoint and the credentials:
 *  - endpoint: src->endpoint, else OVH_ENDPOINT, else "endpoint" of
 *    section [default] in the files, else "ovh-eu";
 *  - application_key, application_secret, consumer_key: OVH_<KEY> (as
 *    go-ovh, an empty variable counts as unset), else the key in the
 *    section named after the endpoint as written (a name, or the URL).
 * Files are merged in order (src->paths, then src->config), a later
 * file's key replacing an earlier one's.  Each is opened without
 * following a symbolic link in its last component, and judged by what
 * was opened (fstat).  A default file that does not exist is skipped; one
 * that is a symbolic link, is not a regular file, cannot be read, is
 * owned by neither the user nor root, or can be written by group or
 * others is skipped with a warning in d saying what to do.  A file
 * holding application_secret, consumer_key or client_secret that group
 * or others can read gets a warning only.
 * An endpoint URL is checked by ovh_check_endpoint before the
 * credentials are looked up; a plain http one let through by
 * src->insecure_http gets a warning.
 * Errors (-1): --config missing, a symbolic link or unreadable
 * (EX_NOINPUT); a URL that ovh_check_endpoint refuses (EX_USAGE from
 * --endpoint, EX_CONFIG otherwise); a file too large, a line too long
 * or not INI, a key twice in one section
 * (EX_CONFIG, naming the file and the line); an unknown endpoint name
 * (EX_USAGE from --endpoint, EX_CONFIG otherwise); no application key,
 * an application key without its secret or the reverse, no consumer
 * key (unless src->app_only, which leaves consumer_key NULL), a
 * credential that cannot be sent in an HTTP header (EX_CONFIG,
 * naming where each came from, never a value).  c is empty on error. */
int ovhconf_resolve(struct ovhconf *c, const struct ovhconf_source *src,
		    struct diag *d, struct error *err);

/* Wipe and free the contents of c. */
void ovhconf_release(struct ovhconf *c);

/* The base URL of an endpoint name or alias of ovh-api.md section 2
 * (borrowed, static), or NULL when name is not one. */
const char *ovhconf_endpoint_url(const char *name);

#endif
