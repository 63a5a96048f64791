/* verify.h - checking a bundle against its SHA256SUMS and structure,
 * reading it as untrusted input */
#ifndef FPKIT_VERIFY_H
#define FPKIT_VERIFY_H

#include <jansson.h>
#include <stdint.h>

#include "strbuf.h"

struct diag;
struct error;

/* Freed by verify_result_release. */
struct verify_result {
	unsigned long nr_files;		/* files checked against SHA256SUMS */
	unsigned long nr_problems;	/* all of them, listed or not */
	char *top;			/* the top folder's name, or NULL */
	json_t *summary;		/* summary.json when it is an object, or NULL */
	char *ticket;			/* TICKET.txt ("" when absent or over
					 * FPKIT_LIMIT_BUNDLE_META) */
	size_t ticket_len;
	/* verify_bundle_keep: the copies kept, in the bundle's order. */
	struct verify_kept {
		char *name;		/* below the top folder */
		struct strbuf data;	/* its first bytes, up to the cap */
	} *kept;
	size_t nr_kept, alloc_kept;
};

/* Read the bundle at 'path' and put one line per problem in 'problems'
 * (a file missing, extra or changed, a bad SHA256SUMS line, a
 * summary.json that does not parse, and entries that are absolute, hold
 * '..', are links or devices, lie outside the top folder, repeat a name
 * or pass a limit), the first FPKIT_LIMIT_BUNDLE_PROBLEMS of them: the
 * others are only counted in res->nr_problems.  The size of every entry,
 * refused or not, counts against the size limits.  Returns 0 when the
 * bundle could be read to the end (problems or not), with res filled
 * (release it); -1 with err when it cannot be opened (EX_NOINPUT) or is
 * no archive at all (EX_DATAERR), with nothing to release. */
int verify_bundle(const char *path, struct verify_result *res,
		  struct diag *problems, struct error *err);

/* verify_bundle, keeping a copy of the first keep(NAME) bytes of each
 * file (NAME below the top folder; 0: none) in res->kept: the bytes
 * checked are the bytes used, read once.  SHA256SUMS, summary.json,
 * TICKET.txt (res->ticket) and posture.json are not asked about. */
int verify_bundle_keep(const char *path, size_t (*keep)(const char *name),
		       struct verify_result *res, struct diag *problems, struct error *err);

/* Free what res holds (not res). */
void verify_result_release(struct verify_result *res);

#endif
