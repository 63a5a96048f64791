/* procs.c - the names of running processes, from /proc/PID/stat (its
 * second field, the name in parentheses, then the state and the parent's
 * pid): readable for every process, whoever runs fpkit */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procs.h"

/* The folder of the processes: /proc, or FPKIT_MTA_PROC (tests: a folder
 * where no mail system runs, whatever runs on the machine). */
static const char *
proc_root(void)
{
	const char *root = getenv("FPKIT_MTA_PROC");

	return root && *root ? root : "/proc";
}

/* The name and parent of process 'pid'; 0, or -1 when it is gone. */
static int
stat_of(const char *pid, char *name, size_t size, long *ppid)
{
	char path[4096], buf[512];
	const char *open_p, *close_p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/stat", proc_root(), pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name may hold blanks and parentheses: it ends at the last ')'. */
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (open_p == NULL || close_p == NULL || close_p < open_p)
		return -1;
	n = (size_t)(close_p - open_p - 1);
	if (n >= size)
		n = size - 1;
	memcpy(name, open_p + 1, n);
	name[n] = '\0';
	if (sscanf(close_p + 1, " %*c %ld", ppid) != 1)
		return -1;
	return 0;
}

static bool
named(const char *name, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

int
procs_running(const char *const *names, const char *not_child_of)
{
	DIR *d = opendir(proc_root());
	struct dirent *e;
	int found = 0;

	if (d == NULL)
		return -1;
	while (!found && (e = readdir(d)) != NULL) {
		char name[64], parent[64], ppid_s[32];
		long ppid;

		if (!isdigit((unsigned char)e->d_name[0]) ||
		    stat_of(e->d_name, name, sizeof(name), &ppid) < 0 || !named(name, names))
			continue;
		snprintf(ppid_s, sizeof(ppid_s), "%ld", ppid);
		if (not_child_of && stat_of(ppid_s, parent, sizeof(parent), &ppid) == 0 &&
		    strcmp(parent, not_child_of) == 0)
			continue;
		found = 1;
	}
	closedir(d);
	return found;
}
