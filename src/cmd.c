/* cmd.c - what the subcommands share */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "textsafe.h"

void
cmd_print_diag(const struct diag *d, const char *prefix)
{
	for (size_t i = 0; i < d->nr; i++) {
		char *safe = textsafe_visible(d->items[i], strlen(d->items[i]));

		fprintf(stderr, "fpkit: %s%s\n", prefix, safe);
		free(safe);
	}
}
