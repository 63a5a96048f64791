/* dlcall.h - a library's functions called through dlopen
 *
 * For the libraries that most commands never call but that would cost
 * every start of fpkit their loading and relocating if linked (libcurl
 * and the twenty libraries behind it, libarchive and its own): a module
 * defines each function it calls under the library's own name
 * (DLCALL, DLCALL_VOID), loading the library on the first call; the
 * callers use the library's API unchanged.  curlload.c and
 * archiveload.c are the two. */
#ifndef FPKIT_DLCALL_H
#define FPKIT_DLCALL_H

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

struct dlcall_lib {
	const char *soname;	/* the file to load: the library's SONAME */
	const char *what;	/* its name for people, "libcurl" */
	const char *package;	/* the Debian package that holds it */
	const char *min;	/* the oldest version fpkit works with */
	pthread_mutex_t lock;
	bool tried;		/* under lock */
	void *handle;		/* NULL: not loaded (why) */
	char why[256];
};

#define DLCALL_LIB(soname, what, package, min) \
	{ soname, what, package, min, PTHREAD_MUTEX_INITIALIZER, false, NULL, "" }

/* NULL once lib is loaded (it is, from this call on), else why it
 * cannot be.  (Here, not in a .c of its own: the two loaders are in
 * libraries of their own, each with its library's flags.) */
static inline const char *
dlcall_error(struct dlcall_lib *lib)
{
	pthread_mutex_lock(&lib->lock);
	if (!lib->tried) {
		lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		if (lib->handle == NULL) {
			const char *e = dlerror();

			snprintf(lib->why, sizeof(lib->why), "%s", e ? e : "not found");
		}
		lib->tried = true;
	}
	pthread_mutex_unlock(&lib->lock);
	return lib->handle ? NULL : lib->why;
}

/* The function 'name' of lib.  Does not return when lib cannot be
 * loaded or has no such function: fpkit stops with EX_OSFILE and the
 * package to install (every caller is about to use the library, and
 * nothing is written under a final name before a whole output is). */
static inline void *
dlcall_fn(struct dlcall_lib *lib, const char *name)
{
	void *fn;

	if (dlcall_error(lib)) {
		fprintf(stderr, "fpkit: cannot load %s (%s): %s; install it (Debian: apt-get "
			"install %s)\n", lib->what, lib->soname, lib->why, lib->package);
		exit(EX_OSFILE);
	}
	fn = dlsym(lib->handle, name);
	if (fn == NULL) {
		fprintf(stderr, "fpkit: %s has no %s: %s %s or later is needed\n", lib->soname,
			name, lib->what, lib->min);
		exit(EX_OSFILE);
	}
	return fn;
}

/* The body's first lines: f, the pointer to lib's 'name', found once
 * (threads may race to find it: each finds the same). */
#define DLCALL_FN(lib, type, name, params) \
	static type (*fn) params; \
	type (*f) params = __atomic_load_n(&fn, __ATOMIC_ACQUIRE); \
	if (f == NULL) { \
		f = (type (*) params)dlcall_fn(&(lib), #name); \
		__atomic_store_n(&fn, f, __ATOMIC_RELEASE); \
	}

/* A function of lib, defined as a call of lib's own. */
#define DLCALL(lib, type, name, params, args) \
	type name params \
	{ \
		DLCALL_FN(lib, type, name, params) \
		return f args; \
	}

#define DLCALL_VOID(lib, name, params, args) \
	void name params \
	{ \
		DLCALL_FN(lib, void, name, params) \
		f args; \
	}

#endif
