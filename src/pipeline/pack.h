/* pack.h - the pipeline of fpkit pack, callable without its command line */
#ifndef FPKIT_PACK_H
#define FPKIT_PACK_H

struct error;
struct fpkit;

/* Set up a run state with the defaults (English ticket, DKIM checked,
 * ...); the caller then sets the options as cmd_pack.c does. */
void pack_init(struct fpkit *fp);

/* Gather the case (saved JSON or the API), locate the samples in the
 * mail stores, check them and write the bundle to fp->bundle_path.
 * Warnings go to fp->diag; on failure nothing is left under the
 * bundle's name.  When messages were looked for in the stores and none
 * was found (fp->nothing_found), nothing is written and 0 is returned,
 * unless fp->allow_empty: the caller says so. */
int pack_run(struct fpkit *fp, struct error *err);

/* The case alone: gather it (saved JSON, the API, the alert) and follow
 * its targets in the mail logs (fp->maillog), without the stores or the
 * bundle; what fpkit queue matches the waiting messages against.
 * Errors as pack_run's. */
int pack_case(struct fpkit *fp, struct error *err);

/* Free everything the run state holds. */
void pack_release(struct fpkit *fp);

#endif
