/* sample.c - the messages found for the targets, as they go into the
 * bundle */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "finder.h"
#include "fpkit_limits.h"
#include "sample.h"
#include "strbuf.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

int
sample_collect(struct sample_list *l, const struct finder *f, struct error *err)
{
	/* Numbers as wide as the largest one (at least two digits), so that
	 * the bundle's byte order is the numeric order. */
	int width = 2;

	for (size_t n = f->nr_hits; n >= 100; n /= 10)
		width++;
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < f->nr_hits; i++) {
		const struct finder_hit *h = &f->hits[i];
		struct mime_message m;
		struct sample *s;
		char *safe;
		int rc;

		l->items = xgrow(l->items, l->nr + 1, &l->alloc, sizeof(*l->items));
		s = &l->items[l->nr++];
		memset(s, 0, sizeof(*s));
		s->hit = h;
		s->message_id = f->targets[h->target].shown;
		/* Nothing from outside chooses a path: the id is reduced to a
		 * safe single name component, and the number in front keeps
		 * two samples of one id apart. */
		safe = textsafe_filename(*s->message_id ? s->message_id : "no-message-id",
					 FPKIT_LIMIT_NAME_ID);
		s->file = xasprintf("samples/%0*zu-%s.eml", width, l->nr, safe);
		s->check_file = xasprintf("checks/%0*zu-%s.txt", width, l->nr, safe);
		free(safe);
		if (h->format == STORE_MBOX || h->compression) {
			/* Undone quoting and decompression: the bytes are made
			 * once, here, and go into the bundle from memory. */
			struct store_extract_info info;
			struct strbuf sb;

			strbuf_init(&sb, FPKIT_LIMIT_SAMPLE);
			if (store_extract(h->path, h->format, h->compression, h->offset, h->length,
					  &sb, &info, err) < 0) {
				strbuf_release(&sb);
				return -1;
			}
			s->unquoted = info.unquoted;
			s->data = strbuf_detach(&sb, &s->data_len);
			digest_buffer(s->data, s->data_len, s->sha256);
			rc = mime_message_open_mem(&m, s->data, s->data_len, h->path, NULL);
		} else {
			if (digest_file_range(h->path, h->offset, h->length, s->sha256,
					      NULL, NULL, err) < 0)
				return -1;
			rc = mime_message_open(&m, h->path, h->offset, h->length, NULL);
		}
		if (rc == 0) {
			mime_summarize(&m, &s->mime);
			s->parsed = true;
			mime_message_close(&m);
		}
	}
	return 0;
}

void
sample_list_release(struct sample_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].file);
		free(l->items[i].check_file);
		free(l->items[i].data);
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
			    s->data ? (int64_t)s->data_len : h->length);
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
