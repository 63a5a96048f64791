/* fuzzfile.c - a fuzz input as a file (fuzz.h) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static int
write_all(int fd, const void *data, size_t size)
{
	const char *p = data;

	while (size > 0) {
		ssize_t n = write(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

int
fuzz_file_init(struct fuzz_file *f, const void *data, size_t size)
{
	const char *tmpdir = getenv("TMPDIR");

	f->fd = -1;
	f->remove = false;
#ifdef MFD_CLOEXEC
	/* The parsers open the path themselves: it must lead back to the
	 * memfd, which it does only where /proc is mounted. */
	f->fd = memfd_create("fpkit-fuzz", MFD_CLOEXEC);
	if (f->fd >= 0) {
		snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
		if (access(f->path, R_OK) < 0) {
			close(f->fd);
			f->fd = -1;
		}
	}
#endif
	if (f->fd < 0) {
		snprintf(f->path, sizeof(f->path), "%s/fpkit-fuzz.XXXXXX",
			 tmpdir && *tmpdir ? tmpdir : "/tmp");
		f->fd = mkstemp(f->path);
		if (f->fd < 0) {
			fprintf(stderr, "fuzz: cannot create '%s': %s\n", f->path, strerror(errno));
			return -1;
		}
		f->remove = true;
	}
	if (write_all(f->fd, data, size) < 0) {
		fprintf(stderr, "fuzz: cannot write '%s': %s\n", f->path, strerror(errno));
		fuzz_file_release(f);
		return -1;
	}
	return 0;
}

void
fuzz_file_release(struct fuzz_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->remove)
		unlink(f->path);
	f->fd = -1;
	f->remove = false;
}
