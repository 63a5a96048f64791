/* sample.c - the messages found for the targets, as they go into the
 * bundle */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "digest.h"
#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "outfile.h"
#include "sample.h"
#include "store.h"
#include "strbuf.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

static void sample_release(struct sample *s);

/* Whether 'path' is a store path as given (store_scan follows a link
 * there, and only there). */
static bool
is_searched_path(const struct finder *f, const char *path)
{
	for (size_t i = 0; i < f->nr_searched; i++)
		if (strcmp(f->searched[i], path) == 0)
			return true;
	return false;
}

const char *
sample_header(const struct sample *s, size_t *len)
{
	if (s->spooled) {
		*len = s->head_len;
		return s->head;
	}
	*len = s->data_len;
	return s->data;
}

int
sample_spool_open(struct error *err)
{
	const char *dir = getenv("TMPDIR");
	char *name;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		goto out;
#endif
	name = xasprintf("%s/fpkit-sample-XXXXXX", dir);
	fd = mkstemp(name);
	if (fd >= 0)
		unlink(name);
	free(name);
out:
	if (fd < 0)
		return error_set(err, EX_CANTCREAT, "cannot make a temporary file in '%s' for a "
				 "large sample: %s (set TMPDIR to a folder with room)", dir,
				 strerror(errno));
	return fd;
}

/* Where the bytes of a sample go as the store gives them: hashed, and
 * kept in memory up to SAMPLE_SPILL, then written to a spool. */
struct taker {
	struct sample *s;
	struct strbuf mem;
	struct digest d;
	size_t len, cap;
	const char *path;
};

static int
spool_error(struct taker *t, struct error *err)
{
	return error_set(err, EX_IOERR, "cannot write the temporary copy of a message in '%s': "
			 "%s (set TMPDIR to a folder with room)", t->path, strerror(errno));
}

static int
take_bytes(const void *data, size_t len, void *arg, struct error *err)
{
	struct taker *t = arg;
	struct sample *s = t->s;

	if (len > t->cap - t->len)
		return error_set(err, EX_DATAERR, "a message in '%s' is larger than the limit of "
				 "%zu bytes", t->path, t->cap);
	digest_update(&t->d, data, len);
	t->len += len;
	if (s->spooled)
		return fd_write_all(s->spool, data, len) < 0 ? spool_error(t, err) : 0;
	strbuf_add(&t->mem, data, len);
	if (t->mem.len <= SAMPLE_SPILL)
		return 0;
	/* Past SAMPLE_SPILL: from here on, on disk; the header's first
	 * bytes stay. */
	s->spool = sample_spool_open(err);
	if (s->spool < 0)
		return -1;
	s->spooled = true;
	s->head_len = SAMPLE_HEAD;
	s->head = xmalloc(s->head_len + 1);
	memcpy(s->head, t->mem.buf, s->head_len);
	s->head[s->head_len] = '\0';
	if (fd_write_all(s->spool, t->mem.buf, t->mem.len) < 0)
		return spool_error(t, err);
	strbuf_release(&t->mem);
	return 0;
}

/* A spooled sample that proves small enough for the checks is read back
 * into memory: one copy, in t->mem. */
static int
unspool(struct taker *t, struct error *err)
{
	struct sample *s = t->s;
	size_t off = 0;

	strbuf_release(&t->mem);
	t->mem.buf = xmalloc(t->len + 1);
	t->mem.alloc = t->len + 1;
	while (off < t->len) {
		ssize_t n = pread(s->spool, t->mem.buf + off, t->len - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error_set(err, EX_IOERR, "cannot read the temporary copy of a "
					 "message in '%s': %s", t->path,
					 n == 0 ? "it became shorter" : strerror(errno));
		off += (size_t)n;
	}
	t->mem.buf[t->len] = '\0';
	t->mem.len = t->len;
	close(s->spool);
	free(s->head);
	s->head = NULL;
	s->spooled = false;
	return 0;
}

/* Read the hit's bytes once, from the file the scan read.  1 when read,
 * 0 when left out (the reason in diag), -1 on a read error. */
static int
read_sample(struct sample *s, struct finder_hit *h, const struct finder *f, size_t budget,
	    struct diag *diag, struct error *err)
{
	struct store_extract_info info;
	struct error xerr = ERROR_INIT;
	struct taker t;
	size_t cap = budget < FPKIT_LIMIT_SAMPLE ? budget : FPKIT_LIMIT_SAMPLE;
	char *moved, *data;
	size_t len;
	int fd, rc = 0;

	if (h->data && h->data_len <= cap) {
		/* Fetched from its program or server when it was found. */
		data = h->data;
		len = h->data_len;
		h->data = NULL;
		digest_buffer(data, len, s->sha256);
		mime_message_take(&s->msg, data, len);
		s->data = s->msg.data;
		s->data_len = s->msg.len;
		rc = 1;
		goto out;
	}
	if (h->length >= 0 && h->compression == NULL && (uint64_t)h->length > cap) {
		if (cap == FPKIT_LIMIT_SAMPLE)
			diag_add(diag, "left out a message of %" PRId64 " bytes in '%s': larger "
				 "than the limit of %zu bytes for a sample", h->length, h->path, cap);
		else
			diag_add(diag, "left out a message of %" PRId64 " bytes in '%s': the "
				 "samples would pass the limit of %zu bytes for a bundle",
				 h->length, h->path, FPKIT_LIMIT_SAMPLES_TOTAL);
		goto out;
	}
	fd = store_open_verified(h->path, h->dev, h->ino, is_searched_path(f, h->path), &moved,
				 &xerr);
	if (fd < 0)
		goto failed;
	if (moved) {
		/* Read (and so moved) by a mail client since the search. */
		free(h->path);
		h->path = moved;
	}
	memset(&t, 0, sizeof(t));
	t.s = s;
	t.cap = cap;
	t.path = h->path;
	strbuf_init(&t.mem, STRBUF_NO_MAX);
	digest_init(&t.d);
	rc = store_extract_to(fd, h->path, h->format, h->compression, h->offset, h->length,
			      take_bytes, &t, &info, &xerr);
	close(fd);
	digest_final(&t.d, s->sha256);
	digest_release(&t.d);
	if (rc == 0 && s->spooled && t.len <= SAMPLE_IN_MEMORY)
		rc = unspool(&t, &xerr);
	if (rc < 0) {
		strbuf_release(&t.mem);
		sample_release(s);
		goto failed;
	}
	s->unquoted = info.unquoted;
	s->trailer = info.trailer;
	/* Parsed once, here: the checks and report.arf read this parse. */
	if (s->spooled) {
		mime_message_open_fd(&s->msg, s->spool, t.len, s->head, s->head_len);
		s->data_len = t.len;
	} else {
		data = strbuf_detach(&t.mem, &len);
		mime_message_take(&s->msg, data, len);
		s->data = s->msg.data;
		s->data_len = s->msg.len;
	}
	rc = 1;
	goto out;
failed:
	/* A read error stops the run.  A file gone or replaced since the
	 * search, one too large once decompressed or unquoted, damaged
	 * compressed data: that message is left out, and the other targets
	 * still get their bundle. */
	if (xerr.status == EX_IOERR || xerr.status == EX_CANTCREAT) {
		rc = error_set(err, xerr.status, "%s", xerr.msg);
	} else {
		diag_add(diag, "left out a message: %s", xerr.msg);
		rc = 0;
	}
out:
	return rc;
}

int
sample_collect(struct sample_list *l, struct finder *f, struct diag *diag, struct error *err)
{
	size_t *per_target = xcalloc(f->targets->nr ? f->targets->nr : 1, sizeof(*per_target));
	size_t over_target = 0, over_count = 0, total = 0;
	int width = 2, rc = 0;

	/* Numbers as wide as the largest one (at least two digits), so that
	 * the bundle's byte order is the numeric order. */
	for (size_t n = f->nr_hits < FPKIT_LIMIT_SAMPLES ? f->nr_hits : FPKIT_LIMIT_SAMPLES;
	     n >= 100; n /= 10)
		width++;
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < f->nr_hits; i++) {
		struct finder_hit *h = &f->hits[i];
		struct target *t = &f->targets->items[h->target];
		struct sample *s;
		char *safe;

		if (per_target[h->target] == FPKIT_LIMIT_SAMPLES_PER_TARGET) {
			over_target++;
			t->nr_hits--;
			continue;
		}
		if (l->nr == FPKIT_LIMIT_SAMPLES) {
			over_count++;
			t->nr_hits--;
			continue;
		}
		l->items = xgrow(l->items, l->nr + 1, &l->alloc, sizeof(*l->items));
		s = &l->items[l->nr];
		memset(s, 0, sizeof(*s));
		s->hit = h;
		s->message_id = t->shown;
		rc = read_sample(s, h, f, FPKIT_LIMIT_SAMPLES_TOTAL - total, diag, err);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			t->nr_hits--;
			continue;
		}
		rc = 0;
		l->nr++;
		per_target[h->target]++;
		total += s->data_len;
		/* Nothing from outside chooses a path: the id is reduced to a
		 * safe single name component, and the number in front keeps
		 * two samples of one id apart. */
		safe = textsafe_filename(*s->message_id ? s->message_id : "no-message-id",
					 FPKIT_LIMIT_NAME_ID);
		s->file = xasprintf("samples/%0*zu-%s.eml", width, l->nr, safe);
		s->check_file = xasprintf("checks/%0*zu-%s.txt", width, l->nr, safe);
		free(safe);
		if (s->msg.message) {
			mime_summarize(&s->msg, &s->mime);
			s->parsed = true;
		}
	}
	if (over_target)
		diag_add(diag, "left out %zu more cop%s of messages found more than %d times: "
			 "the first %d of each are packed", over_target, over_target == 1 ? "y" : "ies",
			 FPKIT_LIMIT_SAMPLES_PER_TARGET, FPKIT_LIMIT_SAMPLES_PER_TARGET);
	if (over_count)
		diag_add(diag, "left out %zu more message%s: a bundle holds at most %d samples",
			 over_count, over_count == 1 ? "" : "s", FPKIT_LIMIT_SAMPLES);
out:
	free(per_target);
	return rc;
}

static void
sample_release(struct sample *s)
{
	free(s->file);
	free(s->check_file);
	mime_message_close(&s->msg);
	mime_summary_release(&s->mime);
	if (s->spooled)
		close(s->spool);
	free(s->head);
	s->spooled = false;
	s->head = NULL;
}

void
sample_list_release(struct sample_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		sample_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void
line(struct strbuf *sb, const char *label, const char *value)
{
	strbuf_addf(sb, "%-12s %s\n", label, value ? value : "(none)");
}

char *
sample_describe(const struct sample *s)
{
	const struct finder_hit *h = s->hit;
	struct strbuf sb;
	char when[TIMEFMT_ISO_LEN];
	char *id = textsafe_visible(s->message_id, strlen(s->message_id));
	char *src = textsafe_visible(h->path, strlen(h->path));

	strbuf_init(&sb, STRBUF_NO_MAX);
	line(&sb, "Sample:", s->file);
	strbuf_addf(&sb, "%-12s <%s>\n", "Message-ID:", id);
	strbuf_addf(&sb, "%-12s %s (%s%s%s, bytes %" PRId64 " to %" PRId64 "%s)\n", "Found in:",
		    src, store_format_name(h->format), h->compression ? ", " : "",
		    h->compression ? h->compression : "", h->offset, h->offset + h->length,
		    h->compression ? " once decompressed" : "");
	if (s->unquoted)
		strbuf_addf(&sb, "%-12s %" PRId64 " bytes in the mbox; %lu mboxrd \">From \" line%s "
			    "unquoted, so %zu bytes here\n", "Size:", h->length, s->unquoted,
			    s->unquoted == 1 ? "" : "s", s->data_len);
	else
		strbuf_addf(&sb, "%-12s %" PRId64 " bytes, copied byte for byte\n", "Size:",
			    (int64_t)s->data_len);
	/* The bytes after it in the file, which the reader may look at. */
	if (s->trailer)
		strbuf_addf(&sb, "%-12s bytes %" PRId64 " to %" PRId64 ", the empty line (%s) that "
			    "the mbox writer put after the message\n", "Left out:",
			    h->offset + h->length, h->offset + h->length + s->trailer,
			    s->trailer == 1 ? "LF" : "CR LF");
	line(&sb, "SHA-256:", s->sha256);
	if (s->parsed) {
		line(&sb, "From:", s->mime.from);
		line(&sb, "To:", s->mime.to);
		line(&sb, "Subject:", s->mime.subject);
		if (s->mime.has_date)
			strbuf_addf(&sb, "%-12s %s (%s)\n", "Date:", s->mime.date ? s->mime.date : "",
				    timefmt_iso_utc(s->mime.date_epoch, when));
		else
			line(&sb, "Date:", s->mime.date);
		strbuf_addf(&sb, "%-12s %u\n", "MIME parts:", s->mime.nr_parts);
	} else {
		line(&sb, "Parsed:", "no: GMime could not read this message");
	}
	free(id);
	free(src);
	return strbuf_detach(&sb, NULL);
}
