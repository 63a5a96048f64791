/* digest.c - SHA-256 through GLib's GChecksum */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "digest.h"
#include "error.h"

void
digest_init(struct digest *d)
{
	d->cs = g_checksum_new(G_CHECKSUM_SHA256);
}

void
digest_update(struct digest *d, const void *data, size_t len)
{
	/* g_checksum_update takes a gssize: feed huge buffers in slices. */
	const unsigned char *p = data;

	while (len > 0) {
		size_t n = len > (1u << 30) ? (1u << 30) : len;

		g_checksum_update(d->cs, p, (gssize)n);
		p += n;
		len -= n;
	}
}

void
digest_final(struct digest *d, char out[DIGEST_HEX_SIZE])
{
	g_strlcpy(out, g_checksum_get_string(d->cs), DIGEST_HEX_SIZE);
	digest_release(d);
}

void
digest_release(struct digest *d)
{
	if (d->cs)
		g_checksum_free(d->cs);
	d->cs = NULL;
}

void
digest_buffer(const void *data, size_t len, char out[DIGEST_HEX_SIZE])
{
	struct digest d;

	digest_init(&d);
	digest_update(&d, data, len);
	digest_final(&d, out);
}

int
digest_file_range(const char *path, int64_t offset, int64_t len,
		  char out[DIGEST_HEX_SIZE], digest_sink_fn sink, void *arg,
		  struct error *err)
{
	unsigned char buf[65536];
	struct digest d;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, EX_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
	digest_init(&d);
	while (len > 0) {
		size_t want = len > (int64_t)sizeof(buf) ? sizeof(buf) : (size_t)len;
		ssize_t n = pread(fd, buf, want, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, EX_IOERR, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0) {
			error_set(err, EX_IOERR, "'%s' became shorter while fpkit read it", path);
			goto out;
		}
		digest_update(&d, buf, (size_t)n);
		if (sink && sink(buf, (size_t)n, arg, err) < 0)
			goto out;
		offset += n;
		len -= n;
	}
	digest_final(&d, out);
	rc = 0;
out:
	digest_release(&d);
	close(fd);
	return rc;
}
