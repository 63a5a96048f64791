/*
 * sancheck - a deliberately faulty program, for the test that proves the
 * harness fails on sanitizer reports (tests/e2e/sanitizers.sh).
 * It is built with fpkit's own compile flags, hence its sanitizers.
 *
 *   sancheck leak         leaks a block, exits 1 (fpkit's "not found")
 *   sancheck overflow     reads past a heap block, exits 1
 *   sancheck ubsan N      adds N to INT_MAX - 1 (undefined from N = 2), exits 1
 *   sancheck clean        frees what it takes, exits 1
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept in a global so the compiler cannot prove the leak or fold the sum. */
volatile int sancheck_n;
char *volatile sancheck_keep;

int
main(int argc, char **argv)
{
	char *p;
	int v;

	if (argc < 2)
		return 64;
	if (strcmp(argv[1], "leak") == 0) {
		p = malloc(4096);
		if (p == NULL)
			return 71;
		memset(p, 'x', 4096);
		sancheck_keep = p;
		sancheck_keep = NULL;
		return 1;
	}
	if (strcmp(argv[1], "overflow") == 0) {
		p = malloc(16);
		if (p == NULL)
			return 71;
		memset(p, 'x', 16);
		sancheck_n = 16;
		v = p[sancheck_n];
		free(p);
		return v & 0 ? 2 : 1;
	}
	if (strcmp(argv[1], "ubsan") == 0 && argc == 3) {
		sancheck_n = (int)strtol(argv[2], NULL, 10);
		v = INT_MAX - 1;
		v += sancheck_n;
		printf("%d\n", v);
		return 1;
	}
	if (strcmp(argv[1], "clean") == 0) {
		p = malloc(32);
		free(p);
		return 1;
	}
	return 64;
}
