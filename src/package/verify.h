/* verify.h - checking a bundle against its SHA256SUMS and structure,
 * reading it as untrusted input */
#ifndef FPKIT_VERIFY_H
#define FPKIT_VERIFY_H

#include <stdint.h>

struct diag;
struct error;

struct verify_result {
	unsigned long nr_files;		/* files checked against SHA256SUMS */
	unsigned long nr_problems;
};

/* Read the bundle at 'path' and put one line per problem in 'problems'
 * (a file missing, extra or changed, a bad SHA256SUMS line, a
 * summary.json that does not parse, and entries that are absolute, hold
 * '..', are links or devices, lie outside the top folder, repeat a name
 * or pass a limit).  Returns 0 when the bundle could be read to the end
 * (problems or not); -1 with err when it cannot be opened (EX_NOINPUT) or
 * is no archive at all (EX_DATAERR). */
int verify_bundle(const char *path, struct verify_result *res,
		  struct diag *problems, struct error *err);

#endif
