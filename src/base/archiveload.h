/* archiveload.h - libarchive, loaded by the commands that use it
 * (archiveload.c) */
#ifndef FPKIT_ARCHIVELOAD_H
#define FPKIT_ARCHIVELOAD_H

/* NULL when libarchive is loaded (it is, from this call on), else why it
 * cannot be; for --version, which must not stop. */
const char *archiveload_error(void);

struct error;

/* 0 when libarchive is loaded, else -1 and EX_OSFILE in err, with the
 * package to install: tarball.c's first step, so that a command stops
 * through its own error path (its temporary files removed) rather than
 * in the first libarchive call. */
int archiveload_check(struct error *err);

#endif
