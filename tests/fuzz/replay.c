/* replay.c - the main of the fuzz targets when they are not built with
 * libFuzzer (no --enable-fuzzing): each file named on the command line is
 * handed to LLVMFuzzerTestOneInput once, as libFuzzer hands over a crash
 * input, so that 'make check' replays tests/fuzz/regress/ and the seeds
 * on every build (under ASan, UBSan or valgrind when the build has them).
 *
 * usage: TARGET FILE...   (arguments starting with '-' are libFuzzer
 * options and are ignored, so one command line serves both builds) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "fuzz.h"

/* Only the targets that need set-up define it. */
#pragma weak LLVMFuzzerInitialize

/* The whole of 'path' in a buffer of exactly its size, so that a read
 * past the input's end is one for ASan and valgrind (new, free() it). */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL, *exact;
	size_t alloc = 0, n = 0, got;

	if (fp == NULL)
		return NULL;
	do {
		if (n == alloc) {
			unsigned char *grown;

			alloc = alloc ? alloc * 2 : 65536;
			grown = realloc(buf, alloc);
			if (grown == NULL)
				goto fail;
			buf = grown;
		}
		got = fread(buf + n, 1, alloc - n, fp);
		n += got;
	} while (got > 0);
	if (ferror(fp))
		goto fail;
	fclose(fp);
	exact = malloc(n ? n : 1);
	if (exact == NULL) {
		free(buf);
		return NULL;
	}
	memcpy(exact, buf, n);
	free(buf);
	*len = n;
	return exact;
fail:
	free(buf);
	fclose(fp);
	return NULL;
}

int
main(int argc, char **argv)
{
	int nr = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		unsigned char *data;
		size_t len = 0;

		if (argv[i][0] == '-')
			continue;
		data = slurp(argv[i], &len);
		if (data == NULL) {
			fprintf(stderr, "%s: cannot read '%s': %s\n", argv[0], argv[i],
				strerror(errno ? errno : EIO));
			return EX_NOINPUT;
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		nr++;
	}
	printf("%s: %d inputs replayed\n", argv[0], nr);
	return 0;
}
