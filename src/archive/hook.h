/* hook.h - --exec: a command of the user's run once per newly archived
 * block event, the way certbot runs its deploy hooks: through /bin/sh
 * -c, the event's facts in the environment, its summary.json on
 * standard input, within a time */
#ifndef FPKIT_HOOK_H
#define FPKIT_HOOK_H

#include <jansson.h>

struct error;

/* The default and the largest time a hook may take, in seconds. */
#define HOOK_DEFAULT_TIMEOUT 300
#define HOOK_MAX_TIMEOUT 86400

/* Run 'cmd' for 'event' (borrowed), an object with the strings ip,
 * block, state, date, bundle, key, host, archive, the integer missing and
 * the object summary.  The command's environment is fpkit's with
 * FPKIT_IP, FPKIT_BLOCK, FPKIT_STATE, FPKIT_DATE, FPKIT_BUNDLE,
 * FPKIT_MISSING, FPKIT_EVENT_KEY, FPKIT_HOST and FPKIT_ARCHIVE; its
 * standard input is summary.json, its standard output goes to fpkit's
 * standard error (fpkit's standard output lists bundles), in a process
 * group of its own, killed after 'timeout' seconds.  0 when it exited
 * 0; -1 otherwise, with EX_SOFTWARE and what became of it ("exited with
 * 3", "killed after 300 s", "killed by signal 9"), or EX_OSERR when it
 * could not be started. */
int hook_run(const char *cmd, json_t *event, int timeout, struct error *err);

#endif
