/* curlload.c - libcurl, loaded by the commands that use it
 *
 * libcurl and the libraries it stands on (TLS, Kerberos, LDAP, SSH,
 * HTTP/2, about twenty) cost every start of fpkit about 8 ms of loading
 * and relocating when linked, more than a search of a 1 GiB mbox
 * spends reading it.  So fpkit is not linked with it: the libcurl
 * functions fpkit calls are defined here, each loading the library on
 * its first call (dlopen) and calling the function of that name in it.
 * The callers (ovh.c, s3.c, imapstore.c) use libcurl's API unchanged;
 * find, check, verify and the others never load it.
 *
 * A library that cannot be loaded (not installed, damaged) stops fpkit
 * with EX_OSFILE and the name of the package to install: every caller
 * is about to reach the network, and nothing has been written yet
 * under a final name (outputs are renamed into place only when whole).
 */

#include "config.h"

/* The definitions below are the functions themselves: curl.h's checking
 * macros would rename them. */
#define CURL_DISABLE_TYPECHECK 1

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "curlload.h"

static void *curl_lib;
static char curl_why[256];
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_load(void)
{
	const char *e;

	curl_lib = dlopen(FPKIT_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (curl_lib == NULL) {
		e = dlerror();
		snprintf(curl_why, sizeof(curl_why), "%s", e ? e : "not found");
	}
}

const char *
curlload_error(void)
{
	pthread_once(&curl_once, curl_load);
	return curl_lib ? NULL : curl_why;
}

/* The function 'name' of libcurl; does not return when there is none. */
static void *
curl_fn(const char *name)
{
	void *fn;

	pthread_once(&curl_once, curl_load);
	if (curl_lib == NULL) {
		fprintf(stderr, "fpkit: cannot load libcurl (%s): %s; install it "
			"(Debian: apt-get install libcurl4)\n", FPKIT_CURL_SONAME, curl_why);
		exit(EX_OSFILE);
	}
	fn = dlsym(curl_lib, name);
	if (fn == NULL) {
		fprintf(stderr, "fpkit: %s has no %s: libcurl %s or later is needed\n",
			FPKIT_CURL_SONAME, name, FPKIT_CURL_MIN);
		exit(EX_OSFILE);
	}
	return fn;
}

/* The pointer to libcurl's 'name', found once (threads may race to find
 * it: each finds the same). */
#define CURL_FN(type, name, params) \
	static type (*fn) params; \
	type (*f) params = __atomic_load_n(&fn, __ATOMIC_ACQUIRE); \
	if (f == NULL) { \
		f = (type (*) params)curl_fn(#name); \
		__atomic_store_n(&fn, f, __ATOMIC_RELEASE); \
	}

#define FORWARD(type, name, params, args) \
	type name params \
	{ \
		CURL_FN(type, name, params) \
		return f args; \
	}

#define FORWARD_VOID(name, params, args) \
	void name params \
	{ \
		CURL_FN(void, name, params) \
		f args; \
	}

FORWARD(CURLcode, curl_global_init, (long flags), (flags))
FORWARD_VOID(curl_global_cleanup, (void), ())
FORWARD(curl_version_info_data *, curl_version_info, (CURLversion v), (v))
FORWARD(CURL *, curl_easy_init, (void), ())
FORWARD_VOID(curl_easy_cleanup, (CURL *h), (h))
FORWARD_VOID(curl_easy_reset, (CURL *h), (h))
FORWARD(CURLcode, curl_easy_perform, (CURL *h), (h))
FORWARD(const char *, curl_easy_strerror, (CURLcode c), (c))
FORWARD(char *, curl_easy_escape, (CURL *h, const char *s, int n), (h, s, n))
FORWARD(CURLcode, curl_easy_recv, (CURL *h, void *b, size_t n, size_t *got), (h, b, n, got))
FORWARD(CURLcode, curl_easy_send, (CURL *h, const void *b, size_t n, size_t *sent),
	(h, b, n, sent))
FORWARD_VOID(curl_free, (void *p), (p))
FORWARD(struct curl_slist *, curl_slist_append, (struct curl_slist *l, const char *s), (l, s))
FORWARD_VOID(curl_slist_free_all, (struct curl_slist *l), (l))
FORWARD(CURLU *, curl_url, (void), ())
FORWARD_VOID(curl_url_cleanup, (CURLU *u), (u))
FORWARD(CURLUcode, curl_url_get,
	(FPKIT_CURLU_CONST CURLU *u, CURLUPart what, char **part, unsigned int flags),
	(u, what, part, flags))
FORWARD(CURLUcode, curl_url_set, (CURLU *u, CURLUPart what, const char *part, unsigned int flags),
	(u, what, part, flags))
FORWARD(const char *, curl_url_strerror, (CURLUcode c), (c))
FORWARD(CURLM *, curl_multi_init, (void), ())
FORWARD(CURLMcode, curl_multi_cleanup, (CURLM *m), (m))
FORWARD(CURLMcode, curl_multi_add_handle, (CURLM *m, CURL *h), (m, h))
FORWARD(CURLMcode, curl_multi_remove_handle, (CURLM *m, CURL *h), (m, h))
FORWARD(CURLMcode, curl_multi_perform, (CURLM *m, int *running), (m, running))
FORWARD(CURLMcode, curl_multi_poll,
	(CURLM *m, struct curl_waitfd extra[], unsigned int n, int ms, int *numfds),
	(m, extra, n, ms, numfds))
FORWARD(CURLMcode, curl_multi_timeout, (CURLM *m, long *ms), (m, ms))
FORWARD(CURLMsg *, curl_multi_info_read, (CURLM *m, int *left), (m, left))

/* The three variadic ones take one argument after the option, whose
 * type the option's number tells (curl.h: CURLOPTTYPE_*, CURLINFO_*):
 * read as that type and passed on as it. */

CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURL_FN(CURLcode, curl_easy_setopt, (CURL *, CURLoption, ...))
	CURLcode rc;
	va_list ap;

	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = f(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = f(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = f(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = f(h, opt, va_arg(ap, curl_off_t));
	else
		rc = f(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLMcode
curl_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
	CURL_FN(CURLMcode, curl_multi_setopt, (CURLM *, CURLMoption, ...))
	CURLMcode rc;
	va_list ap;

	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = f(m, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = f(m, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = f(m, opt, va_arg(ap, void (*)(void)));
	else
		rc = f(m, opt, va_arg(ap, curl_off_t));
	va_end(ap);
	return rc;
}

/* Every CURLINFO_ takes a pointer to where the answer goes. */
CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURL_FN(CURLcode, curl_easy_getinfo, (CURL *, CURLINFO, ...))
	CURLcode rc;
	va_list ap;

	va_start(ap, info);
	rc = f(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
