/* verify-fuzzer.c - the bundle reader of 'fpkit verify' (verify.h): the
 * input is written to a file and read back as a bundle handed over by
 * anyone (tar, plain or gzip-compressed, through libarchive), its names,
 * types, sizes, SHA256SUMS and summary.json checked.
 *
 * Checked besides crashes: a bundle that can be read is either sound or
 * has problems listed, one line each for the first
 * FPKIT_LIMIT_BUNDLE_PROBLEMS, the others counted. */
#include "config.h"

#include <stdlib.h>

#include "error.h"
#include "fpkit_limits.h"
#include "fuzz.h"
#include "verify.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag problems = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct verify_result res;
	struct fuzz_file file;

	if (fuzz_file_init(&file, data, size) < 0)
		return 0;
	if (verify_bundle(file.path, &res, &problems, &err) == 0) {
		if (problems.nr != (res.nr_problems < FPKIT_LIMIT_BUNDLE_PROBLEMS ?
				    res.nr_problems : FPKIT_LIMIT_BUNDLE_PROBLEMS))
			abort();
		verify_result_release(&res);
	} else if (err.status == 0) {
		abort();
	}
	diag_release(&problems);
	fuzz_file_release(&file);
	return 0;
}
