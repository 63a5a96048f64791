/* mbox-fuzzer.c - the mbox splitter, as 'fpkit find' and 'pack' drive it:
 * the input is written to a file, scanned by the finder (store_scan: an
 * mbox when it starts with "From ", a message otherwise, either maybe
 * compressed) for fixed targets and for the most recent dated messages,
 * and every message found is extracted again (store_extract: mboxrd
 * unquoting).
 *
 * store.c reads an mbox through a window of 4 MiB, and small inputs
 * never reach its edge.  So an input whose last byte is 0xff stands for
 * a file of the input (less its last two bytes), filler lines, and the
 * input again across the window's edge, the byte before the 0xff saying
 * how far into it the edge falls: messages, "From " lines and header
 * blocks then straddle the refill where the fuzzer chooses.
 *
 * Checked besides crashes: every message lies inside the file, and the
 * extracted bytes are its bytes less one '>' per unquoted line. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "finder.h"
#include "fuzz.h"
#include "mime.h"
#include "store.h"
#include "strbuf.h"

/* store.c's STORE_MBOX_BUF, the window of an mbox scan. */
#define FUZZ_MBOX_WINDOW (4 * 1024 * 1024)

/* Cap on a message extracted from a compressed file. */
#define FUZZ_MAX_EXTRACT (64 * 1024 * 1024)

/* Ids a seed or the dictionary may carry (fixtures/mbox, match). */
static const char *const targets[] = {
	"mbox.first.1795179911@shop.example.com",
	"<mbox.target.1795180800@SHOP.example.com>",
	"folded.id@example.com",
	"fuzz@example.com",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The finder parses Date fields with GMime (mime_parse_date). */
	mime_global_init();
	return 0;
}

/* The file to scan: the input, or the input twice across the window's
 * edge (new, free() it). */
static uint8_t *
make_file(const uint8_t *data, size_t size, size_t *len)
{
	uint8_t *buf;
	size_t at;

	if (size < 3 || data[size - 1] != 0xff) {
		buf = malloc(size ? size : 1);
		if (buf)
			memcpy(buf, data, size);
		*len = size;
		return buf;
	}
	size -= 2;
	/* The second copy starts this far before the edge (data[size] / 256
	 * of the way into it). */
	at = FUZZ_MBOX_WINDOW - (size_t)data[size] * size / 256;
	if (at < size)
		at = size;
	*len = at + size;
	buf = malloc(*len);
	if (buf == NULL)
		return NULL;
	memcpy(buf, data, size);
	/* Lines of 'x' (a body, but not one line per byte: extracting a
	 * message of the filler stays cheap). */
	memset(buf + size, 'x', at - size);
	for (size_t i = size; i < at; i += 64)
		buf[i] = '\n';
	buf[at - 1] = '\n';
	memcpy(buf + at, data, size);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag diag = DIAG_INIT;
	struct error err = ERROR_INIT;
	struct fuzz_file file;
	struct finder f;
	uint8_t *bytes;
	size_t len;

	bytes = make_file(data, size, &len);
	if (bytes == NULL)
		return 0;
	if (fuzz_file_init(&file, bytes, len) < 0) {
		free(bytes);
		return 0;
	}
	finder_init(&f, &diag);
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		finder_add_target(&f, targets[i]);
	finder_want_recent(&f, 3, INT64_MAX);
	if (finder_scan(&f, file.path, &err) == 0) {
		finder_sort(&f);
		for (size_t i = 0; i < f.nr_hits; i++) {
			const struct finder_hit *h = &f.hits[i];
			struct store_extract_info info;
			struct error xerr = ERROR_INIT;
			struct strbuf out;

			if (h->compression == NULL &&
			    (h->offset < 0 || h->length < 0 || (uint64_t)(h->offset + h->length) > len))
				abort();
			/* a plain message is no larger than the file */
			strbuf_init(&out, h->compression ? FUZZ_MAX_EXTRACT : len + 1);
			char *moved;
			int fd = store_open_verified(h->path, h->dev, h->ino, true, &moved, &xerr);

			/* the file the scan read, found again as that file */
			if (fd < 0)
				abort();
			if (store_extract(fd, h->path, h->format, h->compression, h->offset,
					  h->length, &out, &info, &xerr) == 0 &&
			    (int64_t)(out.len + info.unquoted) != h->length)
				abort();
			close(fd);
			strbuf_release(&out);
		}
	}
	finder_release(&f);
	diag_release(&diag);
	fuzz_file_release(&file);
	free(bytes);
	return 0;
}
