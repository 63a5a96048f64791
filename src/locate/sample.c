/* sample.c - the messages found for the targets, as they go into the
 * bundle */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "digest.h"
#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "sample.h"
#include "store.h"
#include "strbuf.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

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

/* Read the hit's bytes once, from the file the scan read.  1 when read,
 * 0 when left out (the reason in diag), -1 on a read error. */
static int
read_sample(struct sample *s, struct finder_hit *h, const struct finder *f, size_t budget,
	    struct diag *diag, struct error *err)
{
	struct store_extract_info info;
	struct error xerr = ERROR_INIT;
	struct strbuf sb;
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
	strbuf_init(&sb, cap);
	rc = store_extract(fd, h->path, h->format, h->compression, h->offset, h->length,
			   &sb, &info, &xerr);
	close(fd);
	if (rc < 0) {
		strbuf_release(&sb);
		goto failed;
	}
	s->unquoted = info.unquoted;
	s->trailer = info.trailer;
	data = strbuf_detach(&sb, &len);
	digest_buffer(data, len, s->sha256);
	/* Parsed once, here: the checks and report.arf read this parse. */
	mime_message_take(&s->msg, data, len);
	s->data = s->msg.data;
	s->data_len = s->msg.len;
	rc = 1;
	goto out;
failed:
	/* A read error stops the run.  A file gone or replaced since the
	 * search, one too large once decompressed or unquoted, damaged
	 * compressed data: that message is left out, and the other targets
	 * still get their bundle. */
	if (xerr.status == EX_IOERR) {
		rc = error_set(err, EX_IOERR, "%s", xerr.msg);
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

void
sample_list_release(struct sample_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].file);
		free(l->items[i].check_file);
		mime_message_close(&l->items[i].msg);
		mime_summary_release(&l->items[i].mime);
	}
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
