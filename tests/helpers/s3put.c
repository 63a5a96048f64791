/* s3put.c - put one file beside the events of a bucket archive through
 * s3archive_put_file, as a page of the archive would be put:
 *   s3put s3://BUCKET/PREFIX NAME FILE [replace]
 * Prints "created" or "taken"; exits 0, or 1 with the error. */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "s3archive.h"

int
main(int argc, char **argv)
{
	struct s3archive a;
	struct error err = ERROR_INIT;
	gchar *data = NULL;
	gsize len = 0;
	bool taken = false;
	int rc = 1;

	if (argc < 4 || !g_file_get_contents(argv[3], &data, &len, NULL)) {
		fprintf(stderr, "usage: s3put s3://BUCKET/PREFIX NAME FILE [replace]\n");
		return 2;
	}
	if (s3archive_open(&a, argv[1], "-", &err) == 0 &&
	    s3archive_put_file(&a, argv[2], data, len, "text/html; charset=utf-8",
			       argc > 4 && strcmp(argv[4], "replace") == 0, &taken, &err) == 0) {
		puts(taken ? "taken" : "created");
		rc = 0;
	} else {
		fprintf(stderr, "s3put: %s\n", err.msg);
	}
	s3archive_close(&a);
	g_free(data);
	return rc;
}
