/* idlist-fuzzer.c - a file of Message-IDs (idlist.h) as anyone could
 * give it to find --msgid-file: read whole by idlist_read, and each of
 * its lines judged again by idlist_judge.
 *
 * Checked besides crashes: idlist_read stops exactly when a line is
 * refused, with EX_DATAERR; a line judged an id is never empty once
 * canonical (targets_add takes it); and every id taken is in the list,
 * so that the list is as long as the distinct ids before the first
 * refused line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "fuzz.h"
#include "idlist.h"
#include "targets.h"
#include "xalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *p = buf, *end = buf + size;
	struct targets got, want;
	struct error err = ERROR_INIT;
	struct fuzz_file f;
	bool refused = false;
	int rc;

	if (fuzz_file_init(&f, data, size) < 0)
		return 0;
	targets_init(&got);
	targets_init(&want);
	rc = idlist_read(&got, f.path, &err);
	while (p < end && !refused) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		int skip;

		if (idlist_judge(p, (size_t)(e - p), &skip)) {
			refused = true;
		} else if (!skip) {
			char *id = xstrndup(p, (size_t)(e - p));

			if (memchr(p, '\0', (size_t)(e - p)) || targets_add(&want, id, NULL) < 0)
				abort();
			free(id);
		}
		p = e + 1;
	}
	if (refused != (rc < 0) || (rc < 0 && err.status != EX_DATAERR))
		abort();
	if (rc == 0 && got.nr != want.nr)
		abort();
	for (size_t i = 0; rc == 0 && i < want.nr; i++)
		if (targets_lookup(&got, want.items[i].id) != (long)i)
			abort();
	targets_release(&got);
	targets_release(&want);
	fuzz_file_release(&f);
	return 0;
}
