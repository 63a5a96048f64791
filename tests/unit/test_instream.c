/* test_instream.c - unit tests for instream.h: plain and compressed
 * files read from their start whatever their descriptor's offset, parts
 * of plain files, and the limits on decompression at, under and over
 * them, which stop a file at the same byte whatever the reads (the
 * compressed bytes the decoder took are known here, so the ratio can be
 * tested exactly; 8 GiB could not be decompressed in a test, a small
 * limit stands for FPKIT_LIMIT_DECOMPRESSED) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "fpkit_limits.h"
#include "instream.h"
#include "xalloc.h"

static const char *const tools[] = { "gzip", "xz", "bzip2", "zstd" };

/* A temporary file holding data[0..len); its name (free() it). */
static char *
temp_file(const void *data, size_t len)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = xasprintf("%s/fpkit-instream.XXXXXX", dir);
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* data[0..len) compressed with 'tool' into a temporary file (its name,
 * free() it), or NULL (the test skipped) when the tool is not here. */
static char *
compressed(const char *tool, const void *data, size_t len)
{
	char *in = temp_file(data, len), *out = xasprintf("%s.%s", in, tool);
	char *probe = xasprintf("command -v %s >/dev/null 2>&1", tool);
	char *cmd = xasprintf("%s -c <'%s' >'%s'", tool, in, out);
	int have = system(probe) == 0;

	if (have)
		assert_int_equal(system(cmd), 0);
	unlink(in);
	free(in);
	free(probe);
	free(cmd);
	if (!have) {
		free(out);
		skip();
	}
	return out;
}

static int64_t
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (int64_t)st.st_size;
}

/* Mail-like text of len bytes (it compresses a few times). */
static char *
text(size_t len)
{
	char *t = xmalloc(len + 1);
	size_t i = 0;
	unsigned n = 0;

	while (i < len) {
		char line[96];
		int w = snprintf(line, sizeof(line), "Nov 20 14:23:%02u mx1 postfix/smtp[%u]: "
				 "Q%08u: to=<r%u@example.org>, status=sent\n", n % 60, n % 977,
				 n * 7919u, n % 131);

		for (int k = 0; k < w && i < len; k++)
			t[i++] = line[k];
		n++;
	}
	t[len] = '\0';
	return t;
}

/* Read the stream to its end or its first error in pieces of 'piece'
 * bytes into buf (len bytes at most); the count, or -1. */
static ssize_t
read_all(struct instream *s, char *buf, size_t len, size_t piece, struct error *err)
{
	size_t got = 0;

	for (;;) {
		size_t want = len - got < piece ? len - got : piece;
		ssize_t n = instream_read(s, buf + got, want, err);

		if (n < 0)
			return -1;
		if (n == 0)
			return (ssize_t)got;
		got += (size_t)n;
		assert_true(got <= len);
	}
}

static void
test_magic(void **state)
{
	(void)state;
	assert_string_equal(instream_compression("\x1f\x8b\x08", 3), "gzip");
	assert_string_equal(instream_compression("\xfd" "7zXZ\0", 6), "xz");
	assert_string_equal(instream_compression("BZh9", 4), "bzip2");
	assert_string_equal(instream_compression("\x28\xb5\x2f\xfd", 4), "zstd");
	assert_null(instream_compression("\xfd" "7zX", 4));	/* cut short */
	assert_null(instream_compression("\x1f", 1));
	assert_null(instream_compression("From a@b", 8));
	assert_null(instream_compression("", 0));
}

/* A plain file: read from its first byte whatever the fd's offset,
 * which the stream leaves where it was. */
static void
test_plain(void **state)
{
	const char data[] = "From a@example.com\nSubject: s\n\nbody\n";
	char *path = temp_file(data, sizeof(data) - 1), buf[256];
	struct error err = ERROR_INIT;
	struct instream s;
	int fd = open(path, O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 5, SEEK_SET), 5);
	assert_int_equal(instream_open(&s, fd, path, NULL, &err), 0);
	assert_null(s.compression);
	assert_int_equal(read_all(&s, buf, sizeof(buf), 7, &err), sizeof(data) - 1);
	assert_memory_equal(buf, data, sizeof(data) - 1);
	assert_int_equal(s.in, sizeof(data) - 1);
	assert_int_equal(s.out, sizeof(data) - 1);
	assert_false(s.over);
	instream_close(&s);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 5);
	close(fd);
	unlink(path);
	free(path);
}

/* A part of a plain file; a compressed one is read from its start. */
static void
test_range(void **state)
{
	const char data[] = "0123456789abcdef";
	char *path = temp_file(data, sizeof(data) - 1), *gz, buf[32];
	struct error err = ERROR_INIT;
	struct instream s;
	int fd = open(path, O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(instream_open(&s, fd, path, NULL, &err), 0);
	assert_int_equal(instream_set_range(&s, 3, 9), 0);
	assert_int_equal(instream_fill(&s, buf, sizeof(buf), &err), 6);
	assert_memory_equal(buf, "345678", 6);
	assert_int_equal(instream_read(&s, buf, sizeof(buf), &err), 0);
	assert_int_equal(instream_set_range(&s, 10, INT64_MAX), 0);
	assert_int_equal(instream_fill(&s, buf, sizeof(buf), &err), 6);
	assert_memory_equal(buf, "abcdef", 6);
	assert_int_equal(instream_set_range(&s, 5, 4), -1);
	instream_close(&s);
	close(fd);
	gz = compressed("gzip", data, sizeof(data) - 1);
	fd = open(gz, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(instream_open(&s, fd, gz, NULL, &err), 0);
	assert_int_equal(instream_set_range(&s, 3, 9), -1);
	assert_int_equal(instream_fill(&s, buf, sizeof(buf), &err), sizeof(data) - 1);
	assert_memory_equal(buf, data, sizeof(data) - 1);
	instream_close(&s);
	close(fd);
	unlink(gz);
	unlink(path);
	free(gz);
	free(path);
}

/* Each compression gives back the bytes compressed, through pieces of
 * any size, and the compressed bytes read are the file's. */
static void
test_compressions(void **state)
{
	size_t len = 3 * 1024 * 1024 + 17;
	char *data = text(len), *buf = xmalloc(len + 1);

	(void)state;
	for (size_t k = 0; k < sizeof(tools) / sizeof(tools[0]); k++) {
		char *path = compressed(tools[k], data, len);
		struct error err = ERROR_INIT;
		struct instream s;
		int fd = open(path, O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(instream_open(&s, fd, path, NULL, &err), 0);
		assert_string_equal(s.compression, tools[k]);
		assert_int_equal(read_all(&s, buf, len + 1, 65536 + 3, &err), (ssize_t)len);
		assert_memory_equal(buf, data, len);
		assert_int_equal(s.in, file_size(path));
		assert_int_equal(s.out, (int64_t)len);
		assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
		instream_close(&s);
		/* instream_fill: whole pieces, short only at the end. */
		assert_int_equal(instream_open(&s, fd, path, NULL, &err), 0);
		assert_int_equal(instream_fill(&s, buf, 1000, &err), 1000);
		assert_memory_equal(buf, data, 1000);
		assert_int_equal(instream_fill(&s, buf, len, &err), (ssize_t)(len - 1000));
		assert_memory_equal(buf, data + 1000, len - 1000);
		instream_close(&s);
		close(fd);
		unlink(path);
		free(path);
	}
	free(buf);
	free(data);
}

/* Open 'path' with 'lim' and read it all: 0, or -1 with err set; the
 * bytes given in *given, which must be the start of data[0..len) (and
 * fewer than 32 MiB). */
static int
read_limited(const char *path, const struct instream_limits *lim, const char *data,
	     size_t len, int64_t *given, bool *over, struct error *err)
{
	struct instream s;
	size_t cap = 32 * 1024 * 1024;
	char *buf = xmalloc(cap);
	int fd = open(path, O_RDONLY), rc = 0;
	ssize_t n;

	assert_true(fd >= 0);
	assert_int_equal(instream_open(&s, fd, path, lim, err), 0);
	n = read_all(&s, buf, cap, 4096, err);
	if (n < 0)
		rc = -1;
	*given = s.out;
	*over = s.over;
	assert_true(s.out < (int64_t)cap && s.out <= (int64_t)len);
	assert_memory_equal(buf, data, (size_t)s.out);
	instream_close(&s);
	close(fd);
	free(buf);
	return rc;
}

/* FPKIT_LIMIT_DECOMPRESSED's mechanism, at a small limit: a file that
 * decompresses to exactly the limit is read whole; one byte less of
 * limit and it stops, giving no byte past it. */
static void
test_max_bytes(void **state)
{
	size_t len = 300000;
	char *data = text(len), *path;
	struct instream_limits lim = { (int64_t)len, 0, 0 };
	struct error err = ERROR_INIT;
	int64_t given;
	bool over;

	(void)state;
	path = compressed("gzip", data, len);
	assert_int_equal(read_limited(path, &lim, data, len, &given, &over, &err), 0);
	assert_int_equal(given, (int64_t)len);
	assert_false(over);
	lim.max_bytes = (int64_t)len - 1;
	assert_int_equal(read_limited(path, &lim, data, len, &given, &over, &err), -1);
	assert_true(over);
	assert_true(given <= lim.max_bytes);
	assert_int_equal(err.status, EX_DATAERR);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "more bytes once decompressed than the limit of 299999 "
			       "for a compressed file"));
	unlink(path);
	free(path);
	free(data);
}

/* FPKIT_LIMIT_DECOMPRESSION_RATIO's mechanism: a file smaller than
 * what the decoder takes at a time is all taken at once, so the ratio
 * is its output over its size.  Text whose length is exactly 'ratio'
 * times the size of its gzip is found (its length moved by what is
 * missing, until its gzip keeps its size): at that ratio it is read
 * whole, one less and it stops. */
static void
test_ratio(void **state)
{
	struct instream_limits lim = { INT64_MAX, 5, 0 };
	struct error err = ERROR_INIT;
	size_t len = 200000;
	char *data = NULL, *path = NULL;
	int64_t given, c;
	bool over;

	(void)state;
	for (int tries = 0; tries < 100; tries++) {
		free(data);
		data = text(len);
		if (path) {
			unlink(path);
			free(path);
		}
		path = compressed("gzip", data, len);
		c = file_size(path);
		if ((int64_t)len == lim.ratio * c)
			break;
		len = (size_t)(lim.ratio * c);
	}
	assert_int_equal((int64_t)len, lim.ratio * c);
	assert_true(c < 65536);
	assert_int_equal(read_limited(path, &lim, data, len, &given, &over, &err), 0);
	assert_int_equal(given, (int64_t)len);
	assert_false(over);
	lim.ratio--;
	assert_int_equal(read_limited(path, &lim, data, len, &given, &over, &err), -1);
	assert_true(over);
	assert_true(given <= lim.ratio * c);
	assert_int_equal(err.status, EX_DATAERR);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "more than the limit of 4 times as many for a compressed "
			       "file (a decompression bomb?)"));
	/* The ratio applies only past ratio_from bytes: up to all of them. */
	lim.ratio = 1;
	lim.ratio_from = (int64_t)len;
	assert_int_equal(read_limited(path, &lim, data, len, &given, &over, &err), 0);
	assert_int_equal(given, (int64_t)len);
	lim.ratio_from = (int64_t)len - 1;
	assert_int_equal(read_limited(path, &lim, data, len, &given, &over, &err), -1);
	assert_true(over);
	assert_true(given <= lim.ratio_from);
	unlink(path);
	free(path);
	free(data);
}

/* A bomb, with the limits fpkit uses: about 16 KB of streams of 8 MiB
 * of zeros each (200 with bzip2: 1.6 GiB) stop within the first few
 * MiB; with
 * each decoder (libarchive's for bzip2, rawdec.c's for xz and zstd). */
static void
bomb(const char *tool)
{
	size_t len = 32 * 1024 * 1024, n, streams;
	char *zeros = xcalloc(len, 1), *one, *all, *path;
	struct error err = ERROR_INIT;
	int64_t given, c;
	bool over;
	FILE *f;

	one = compressed(tool, zeros, 8 * 1024 * 1024);
	if (one == NULL) {
		free(zeros);
		return;
	}
	c = file_size(one);
	/* About 16 KB of streams, whatever one stream's size (bzip2: 200) */
	streams = 16384 / (size_t)c > 2 ? 16384 / (size_t)c : 2;
	n = (size_t)c * streams;
	all = xmalloc(n);
	f = fopen(one, "rb");
	assert_non_null(f);
	assert_int_equal(fread(all, 1, (size_t)c, f), (size_t)c);
	fclose(f);
	for (size_t k = 1; k < streams; k++)
		memcpy(all + k * (size_t)c, all, (size_t)c);
	path = temp_file(all, n);
	assert_int_equal(read_limited(path, NULL, zeros, len, &given, &over, &err), -1);
	assert_true(over);
	/* Stopped at the first read past the ratio: at most 1 MiB past. */
	assert_true(given <= FPKIT_LIMIT_DECOMPRESSION_RATIO_FROM +
		    FPKIT_LIMIT_DECOMPRESSION_RATIO * (int64_t)n);
	assert_non_null(strstr(err.msg, "more than the limit of 1000 times as many"));
	/* It stops at the same byte whatever the lengths read. */
	for (size_t k = 0; k < 2; k++) {
		static const size_t pieces[] = { 7, 3 * 1024 * 1024 + 5 };
		int fd = open(path, O_RDONLY);
		char *buf = xmalloc(len);
		struct instream s;

		assert_true(fd >= 0);
		assert_int_equal(instream_open(&s, fd, path, NULL, &err), 0);
		assert_int_equal(read_all(&s, buf, len, pieces[k], &err), -1);
		assert_true(s.over);
		assert_int_equal(s.out, given);
		instream_close(&s);
		close(fd);
		free(buf);
	}
	unlink(path);
	unlink(one);
	free(path);
	free(one);
	free(all);
	free(zeros);
}

static void
test_bomb(void **state)
{
	(void)state;
	bomb("bzip2");
	bomb("xz");
	bomb("zstd");
}

/* Open the first 'keep' bytes of the compressed file 'path', with its
 * byte at 'flip' changed unless flip is SIZE_MAX, and read them: the
 * error, as instream_open or instream_read gives it (*at_open tells
 * which); over must stay false. */
static void
read_altered(const char *path, size_t keep, size_t flip, bool *at_open, struct error *err)
{
	size_t len = 4 * 1024 * 1024;
	char *head = xmalloc(keep), *buf = xmalloc(len), *bad;
	struct instream s;
	FILE *f;
	int fd;

	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, keep, f), keep);
	fclose(f);
	if (flip != SIZE_MAX)
		head[flip] ^= 0x55;
	bad = temp_file(head, keep);
	fd = open(bad, O_RDONLY);
	assert_true(fd >= 0);
	*at_open = instream_open(&s, fd, bad, NULL, err) < 0;
	if (!*at_open) {
		assert_int_equal(read_all(&s, buf, len, 4096, err), -1);
		assert_false(s.over);
		instream_close(&s);
	}
	assert_int_equal(err->status, EX_DATAERR);
	assert_non_null(strstr(err->msg, bad));
	close(fd);
	unlink(bad);
	free(bad);
	free(head);
	free(buf);
}

static void
read_cut(const char *path, size_t keep, bool *at_open, struct error *err)
{
	read_altered(path, keep, SIZE_MAX, at_open, err);
}

/* Two streams one after the other, the second damaged: every byte of
 * the first is given before the error (the messages in it are found). */
static void
test_damaged_second(void **state)
{
	static const char *const two[] = { "xz", "zstd" };
	size_t len = 3000000, cap = 8 * 1024 * 1024;
	char *data = text(len), *buf = xmalloc(cap);

	(void)state;
	for (size_t t = 0; t < 2; t++) {
		char *path = compressed(two[t], data, len), *both, *cat;
		struct error err = ERROR_INIT;
		size_t c = (size_t)file_size(path), got = 0;
		struct instream s;
		ssize_t n = 0;
		FILE *f;
		int fd;

		both = xmalloc(2 * c);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fread(both, 1, c, f), c);
		fclose(f);
		memcpy(both + c, both, c);
		both[c + 1] ^= 0x55;	/* the second one's magic: an error in the
					 * same 1 MiB block as the first's end */
		cat = temp_file(both, 2 * c);
		fd = open(cat, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(instream_open(&s, fd, cat, NULL, &err), 0);
		while (got < cap && (n = instream_read(&s, buf + got, cap - got, &err)) > 0)
			got += (size_t)n;
		assert_int_equal(n, -1);
		assert_non_null(strstr(err.msg, "damaged or cut compressed data"));
		assert_true(got >= len);
		assert_memory_equal(buf, data, len);
		instream_close(&s);
		close(fd);
		unlink(cat);
		unlink(path);
		free(cat);
		free(path);
		free(both);
	}
	free(buf);
	free(data);
}

/* Damaged data is an error of its own, not a limit: a header cut short
 * when opened, the data cut further on when read. */
static void
test_damaged(void **state)
{
	size_t len = 2000000;
	char *data = text(len), *path;
	struct error err = ERROR_INIT;
	bool at_open;

	(void)state;
	path = compressed("gzip", data, len);
	read_cut(path, 600, &at_open, &err);
	assert_true(at_open);
	assert_non_null(strstr(err.msg, "cannot read compressed"));
	read_cut(path, (size_t)file_size(path) / 2, &at_open, &err);
	assert_false(at_open);
	assert_non_null(strstr(err.msg, "damaged or cut compressed data"));
	unlink(path);
	free(path);
	/* xz and zstd (their own libraries, rawdec.c): cut in the middle,
	 * cut a few bytes before the end (the data whole but its last
	 * check or frame end missing), and a byte changed in the middle. */
	for (size_t t = 1; t < sizeof(tools) / sizeof(tools[0]); t++) {
		if (strcmp(tools[t], "bzip2") == 0)
			continue;
		path = compressed(tools[t], data, len);
		if (path == NULL)
			continue;
		read_cut(path, (size_t)file_size(path) / 2, &at_open, &err);
		assert_false(at_open);
		assert_non_null(strstr(err.msg, "damaged or cut compressed data"));
		read_cut(path, (size_t)file_size(path) - 3, &at_open, &err);
		assert_false(at_open);
		assert_non_null(strstr(err.msg, "damaged or cut compressed data"));
		read_altered(path, (size_t)file_size(path), (size_t)file_size(path) / 2, &at_open,
			     &err);
		assert_false(at_open);
		assert_non_null(strstr(err.msg, "damaged or cut compressed data"));
		unlink(path);
		free(path);
	}
	free(data);
}

/* A descriptor that cannot be read (a folder): EX_IOERR naming it. */
static void
test_unreadable(void **state)
{
	struct error err = ERROR_INIT;
	struct instream s;
	int fd = open(".", O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(instream_open(&s, fd, "a-folder", NULL, &err), -1);
	assert_int_equal(err.status, EX_IOERR);
	assert_non_null(strstr(err.msg, "cannot read 'a-folder'"));
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_magic),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_compressions),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_damaged_second),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
