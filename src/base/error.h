/* error.h - errors modules hand back to their caller, and warnings they
 * collect instead of printing */
#ifndef FPKIT_ERROR_H
#define FPKIT_ERROR_H

#include <stddef.h>

/* One failure: a sysexits(3) status and a message written as git writes
 * them (lowercase, no "fpkit: " prefix, no full stop).  Modules fill it and
 * return -1; only main.c turns it into an exit code. */
struct error {
	int status;		/* EX_* from <sysexits.h>; 0 while unset */
	char msg[1024];
};

#define ERROR_INIT { 0, { 0 } }

/* Set err (if not NULL) and return -1, so callers can write
 * 'return error_set(err, EX_DATAERR, "...")'.  A second call replaces the
 * first. */
int error_set(struct error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Put context in front of the message: "CONTEXT: old message". */
void error_prefix(struct error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Non-fatal findings a module collects for the command to print (a file
 * skipped, an id not found).  Strings are owned by the list. */
struct diag {
	char **items;
	size_t nr, alloc;
};

#define DIAG_INIT { NULL, 0, 0 }

void diag_add(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_release(struct diag *d);

#endif
