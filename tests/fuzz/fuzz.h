/* fuzz.h - what the fuzz targets of tests/fuzz/ share: libFuzzer's entry
 * points, which each target defines, and the input as a file for the
 * parsers that read a path */
#ifndef FPKIT_FUZZ_H
#define FPKIT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libFuzzer calls this once per input.  The input is borrowed; it is
 * never changed and nothing made from it survives the call (libFuzzer
 * counts a leak as a finding).  Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional one-time set-up before the first input (GMime, a constant
 * context, the environment); targets that need none leave it out. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a file, for the parsers that take a path: a memfd reached
 * through /proc/self/fd/N where there is one (no disk I/O at thousands of
 * runs a second), else a temporary file in $TMPDIR. */
struct fuzz_file {
	int fd;			/* open on the bytes; -1 after release */
	char path[4096];	/* what to hand the parser */
	bool remove;		/* a temporary file: unlinked by release */
};

/* Write data[0..size) to a new file.  0, or -1 (with a message on
 * stderr: the harness, not the code under test, failed). */
int fuzz_file_init(struct fuzz_file *f, const void *data, size_t size);

/* Close the file and remove it when it has a name. */
void fuzz_file_release(struct fuzz_file *f);

#endif
