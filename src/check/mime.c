/* mime.c - GMime: parsing a message that was found, to describe it */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "fpkit_limits.h"
#include "mime.h"
#include "msgid.h"
#include "textsafe.h"
#include "xalloc.h"

void
mime_global_init(void)
{
	g_mime_init();
}

void
mime_global_shutdown(void)
{
	g_mime_shutdown();
}

/* GMime is given no header block larger than the checks read
 * (FPKIT_LIMIT_HEADER_BLOCK): its time and memory grow with it, and with
 * an allocator whose realloc copies, a 100 MB header took half an hour.
 * head[0..len) is the message's start, at least the limit and one byte
 * when the message is that long. */
static int
header_fits(const char *head, size_t len, const char *name, struct error *err)
{
	bool complete;

	if (msgid_header_end(head, len, &complete) > FPKIT_LIMIT_HEADER_BLOCK)
		return error_set(err, EX_DATAERR, "'%s': header block larger than %d bytes: not "
				 "parsed", name, FPKIT_LIMIT_HEADER_BLOCK);
	return 0;
}

/* Parse the message on m->stream (already set). */
static int
parse_stream(struct mime_message *m, const char *name, struct error *err)
{
	m->parser = g_mime_parser_new_with_stream(m->stream);
	g_mime_parser_set_format(m->parser, GMIME_FORMAT_MESSAGE);
	m->message = g_mime_parser_construct_message(m->parser, NULL);
	if (m->message == NULL) {
		mime_message_close(m);
		return error_set(err, EX_DATAERR, "'%s' holds no message GMime can read", name);
	}
	return 0;
}

int
mime_message_open(struct mime_message *m, const char *path, int64_t offset,
		  int64_t length, struct error *err)
{
	/* The start of the message, enough to see its header block end. */
	size_t want = length < 0 || length > FPKIT_LIMIT_HEADER_BLOCK ?
		      FPKIT_LIMIT_HEADER_BLOCK + 1 : (size_t)length, got = 0;
	char *head;
	GMimeStream *fs;
	int fd;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, EX_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
	head = xmalloc(want + 1);
	while (got < want) {
		ssize_t n = pread(fd, head + got, want - got, (off_t)(offset + (int64_t)got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (header_fits(head, got, path, err) < 0) {
		free(head);
		close(fd);
		return -1;
	}
	free(head);
	fs = g_mime_stream_fs_new(fd);	/* owns fd from here */
	m->stream = g_mime_stream_substream(fs, offset, offset + length);
	g_object_unref(fs);		/* the substream holds its own ref */
	return parse_stream(m, path, err);
}

int
mime_message_open_mem(struct mime_message *m, const char *data, size_t len,
		      const char *name, struct error *err)
{
	GByteArray *ba;

	memset(m, 0, sizeof(*m));
	if (header_fits(data, len, name, err) < 0)
		return -1;
	/* GMime's memory stream copies into its own array: simple, and the
	 * samples are few. */
	ba = g_byte_array_sized_new((guint)len);
	g_byte_array_append(ba, (const guint8 *)data, (guint)len);
	m->stream = g_mime_stream_mem_new_with_byte_array(ba);
	return parse_stream(m, name, err);
}

void
mime_message_close(struct mime_message *m)
{
	if (m->message)
		g_object_unref(m->message);
	if (m->parser)
		g_object_unref(m->parser);
	if (m->stream)
		g_object_unref(m->stream);
	memset(m, 0, sizeof(*m));
}

static char *
visible(const char *s)
{
	return s ? textsafe_visible(s, strlen(s)) : NULL;
}

static char *
addresses(InternetAddressList *list)
{
	char *s, *v;

	if (list == NULL || internet_address_list_length(list) == 0)
		return NULL;
	s = internet_address_list_to_string(list, NULL, FALSE);
	v = visible(s);
	g_free(s);
	return v;
}

static void
count_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	(void)parent;
	if (!GMIME_IS_MULTIPART(part))
		(*(unsigned *)data)++;
}

void
mime_summarize(const struct mime_message *m, struct mime_summary *s)
{
	GMimeMessage *msg = m->message;
	GDateTime *dt;

	memset(s, 0, sizeof(*s));
	s->from = addresses(g_mime_message_get_from(msg));
	s->to = addresses(g_mime_message_get_to(msg));
	s->subject = visible(g_mime_message_get_subject(msg));
	s->date = visible(g_mime_object_get_header(GMIME_OBJECT(msg), "Date"));
	s->message_id = visible(g_mime_message_get_message_id(msg));
	dt = g_mime_message_get_date(msg);
	if (dt) {
		s->has_date = true;
		s->date_epoch = g_date_time_to_unix(dt);
	}
	g_mime_message_foreach(msg, count_part, &s->nr_parts);
}

void
mime_summary_release(struct mime_summary *s)
{
	free(s->from);
	free(s->to);
	free(s->subject);
	free(s->date);
	free(s->message_id);
	memset(s, 0, sizeof(*s));
}

int
mime_parse_date(const char *value, size_t len, int64_t *epoch)
{
	char *copy = g_strndup(value, len);
	GDateTime *dt = g_mime_utils_header_decode_date(copy);

	g_free(copy);
	if (dt == NULL)
		return -1;
	*epoch = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return 0;
}
