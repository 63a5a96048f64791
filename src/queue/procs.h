/* procs.h - is a mail daemon running: the names of the processes in
 * /proc, for the MTAs whose tools do not say (Exim, Sendmail, qmail) and
 * to tell which of several installed MTAs is the one in use */
#ifndef FPKIT_PROCS_H
#define FPKIT_PROCS_H

/* 1 when a process whose name (comm) is one of names (NULL-ended) runs
 * and its parent's name is not not_child_of (NULL: any parent), 0 when
 * none, -1 when /proc cannot be read. */
int procs_running(const char *const *names, const char *not_child_of);

#endif
