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
 * with EX_OSFILE and the name of the package to install (dlcall.c).
 */

#include "config.h"

/* The definitions below are the functions themselves: curl.h's checking
 * macros would rename them. */
#define CURL_DISABLE_TYPECHECK 1

#include <curl/curl.h>
#include <stdarg.h>

#include "curlload.h"
#include "dlcall.h"

static struct dlcall_lib curl = DLCALL_LIB(FPKIT_CURL_SONAME, "libcurl", "libcurl4",
					   FPKIT_CURL_MIN);

const char *
curlload_error(void)
{
	return dlcall_error(&curl);
}

#define FORWARD(type, name, params, args) DLCALL(curl, type, name, params, args)
#define FORWARD_VOID(name, params, args) DLCALL_VOID(curl, name, params, args)

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
 * type the option's number tells (curl.h: CURLOPTTYPE_*, the same for
 * easy and multi options; CURLINFO_*): read as that type and passed on
 * as it.  FORWARD_SETOPT defines name(htype *h, otype opt, ...) so. */
#define FORWARD_SETOPT(type, name, htype, otype) \
	type name(htype *h, otype opt, ...) \
	{ \
		DLCALL_FN(curl, type, name, (htype *, otype, ...)) \
		type rc; \
		va_list ap; \
		\
		va_start(ap, opt); \
		if (opt < CURLOPTTYPE_OBJECTPOINT) \
			rc = f(h, opt, va_arg(ap, long)); \
		else if (opt < CURLOPTTYPE_FUNCTIONPOINT) \
			rc = f(h, opt, va_arg(ap, void *)); \
		else if (opt < CURLOPTTYPE_OFF_T) \
			rc = f(h, opt, va_arg(ap, void (*)(void))); \
		else if (opt < CURLOPTTYPE_BLOB) \
			rc = f(h, opt, va_arg(ap, curl_off_t)); \
		else \
			rc = f(h, opt, va_arg(ap, void *)); \
		va_end(ap); \
		return rc; \
	}

FORWARD_SETOPT(CURLcode, curl_easy_setopt, CURL, CURLoption)
FORWARD_SETOPT(CURLMcode, curl_multi_setopt, CURLM, CURLMoption)

/* Every CURLINFO_ takes a pointer to where the answer goes. */
CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	DLCALL_FN(curl, CURLcode, curl_easy_getinfo, (CURL *, CURLINFO, ...))
	CURLcode rc;
	va_list ap;

	va_start(ap, info);
	rc = f(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
