/* orgdomain.c - the organisational domain, by the Public Suffix List */
#include "config.h"

#include <libpsl.h>
#include <stddef.h>

#include "orgdomain.h"
#include "xalloc.h"

char *
orgdomain(const char *name)
{
	static const psl_ctx_t *psl;
	static psl_ctx_t *latest;
	const char *d;

	if (!psl) {
		/* The system's list when there is one, for it is kept up
		 * to date; libpsl's own otherwise. */
		latest = psl_latest(NULL);
		psl = latest ? latest : psl_builtin();
	}
	if (!psl)
		return NULL;
	d = psl_registrable_domain(psl, name);
	return d ? xstrdup(d) : NULL;
}

void
orgdomain_library_version(const char **built, const char **running)
{
	*built = PSL_VERSION;
	*running = psl_get_version();
}
