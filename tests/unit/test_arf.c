/* test_arf.c - unit tests for arf.h: each feedback report parsed back
 * with GMime (type, parts, feedback fields, the sample byte for byte),
 * determinism, the fields left out, and the mboxrd envelope */
#include "config.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arf.h"
#include "digest.h"
#include "mime_fixture.h"
#include "strbuf.h"

/* 2026-11-20T13:32:07Z and 2026-11-20T13:28:21Z */
#define BLOCKED_AT 1795181527
#define SENT_AT 1795181301

static const char plain_msg[] =
	"Return-Path: <bounce+4711@news.shop.example.com>\n"
	"Delivered-To: alice@example.net\n"
	"From: Shop <news@shop.example.com>\n"
	"To: alice@example.net\n"
	"Subject: Black Friday preview\n"
	"Date: Fri, 20 Nov 2026 14:28:21 +0100\n"
	"Message-ID: <nl.r1188@news.shop.example.com>\n"
	"MIME-Version: 1.0\n"
	"Content-Type: text/plain; charset=us-ascii\n"
	"\n"
	"Hello Alice,\n"
	"\n"
	"our preview starts now.\n";

/* CRLF, no final line break, 8-bit text, a folded header, "From " and
 * ">From " lines for mboxrd, and a line that looks like a boundary. */
static const char crlf_msg[] =
	"From: =?utf-8?q?Caf=C3=A9?= <cafe@xn--caf-dma.example>\r\n"
	"To: bob@example.org\r\n"
	"Subject: Votre commande\r\n"
	"X-Long: one two three\r\n"
	"\tfour five six\r\n"
	"Date: Fri, 20 Nov 2026 14:20:00 +0100\r\n"
	"Message-ID: <order-1@cafe.example>\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"Content-Transfer-Encoding: 8bit\r\n"
	"\r\n"
	"Merci, votre caf\xc3\xa9 arrive.\r\n"
	"From the team\r\n"
	">From the quoted team\r\n"
	"--=-fpkit-arf-\r\n"
	"no final line break";

/* A header GMime cannot make much of: nothing to copy into the fields. */
static const char odd_msg[] =
	"Return-Path: <a b@example.com>\n"
	"From: \"x\\\"y\" <not an address>\n"
	"\n"
	"body\n";

static void
sample_init(struct arf_sample *s, const char *data, size_t len, char sha[DIGEST_HEX_SIZE])
{
	memset(s, 0, sizeof(*s));
	digest_buffer(data, len, sha);
	s->ip = "203.0.113.7";
	s->blocked_at = BLOCKED_AT;
	s->has_arrival = true;
	s->arrival = SENT_AT;
	s->message_id = "nl.r1188@news.shop.example.com";
	s->destination_ip = "198.51.100.142";
	s->has_spamscore = true;
	s->spamscore = 371;
	s->number = 1;
	s->count = 2;
	s->file = "samples/01-nl.r1188@news.shop.example.com.eml";
	s->sha256 = sha;
	s->data = data;
	s->len = len;
}

/* A report parsed back by GMime, with its three parts. */
struct parsed {
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	GMimeMultipart *mp;
	GMimeObject *text, *fb, *orig;
	GMimeMessage *fields;	/* the feedback part's content, as a header */
	GMimeStream *fstream;
	GMimeParser *fparser;
};

static void
parse(struct parsed *p, const char *buf, size_t len)
{
	GMimeDataWrapper *w;
	GMimeStream *content;

	memset(p, 0, sizeof(*p));
	p->stream = g_mime_stream_mem_new_with_buffer(buf, len);
	p->parser = g_mime_parser_new_with_stream(p->stream);
	p->msg = g_mime_parser_construct_message(p->parser, NULL);
	assert_non_null(p->msg);
	assert_true(GMIME_IS_MULTIPART(g_mime_message_get_mime_part(p->msg)));
	p->mp = GMIME_MULTIPART(g_mime_message_get_mime_part(p->msg));
	assert_int_equal(g_mime_multipart_get_count(p->mp), 3);
	p->text = g_mime_multipart_get_part(p->mp, 0);
	p->fb = g_mime_multipart_get_part(p->mp, 1);
	p->orig = g_mime_multipart_get_part(p->mp, 2);
	assert_true(GMIME_IS_PART(p->fb));
	/* The feedback fields are a header block: parse it as one. */
	w = g_mime_part_get_content(GMIME_PART(p->fb));
	content = g_mime_data_wrapper_get_stream(w);
	g_mime_stream_reset(content);
	p->fstream = g_mime_stream_mem_new();
	g_mime_stream_write_to_stream(content, p->fstream);
	g_mime_stream_write_string(p->fstream, "\n");
	g_mime_stream_reset(p->fstream);
	p->fparser = g_mime_parser_new_with_stream(p->fstream);
	p->fields = g_mime_parser_construct_message(p->fparser, NULL);
	assert_non_null(p->fields);
}

static void
parsed_release(struct parsed *p)
{
	g_object_unref(p->fields);
	g_object_unref(p->fparser);
	g_object_unref(p->fstream);
	g_object_unref(p->msg);
	g_object_unref(p->parser);
	g_object_unref(p->stream);
}

static const char *
field(const struct parsed *p, const char *name)
{
	return g_mime_object_get_header(GMIME_OBJECT(p->fields), name);
}

static size_t
count_fields(const struct parsed *p, const char *name)
{
	GMimeHeaderList *h = g_mime_object_get_header_list(GMIME_OBJECT(p->fields));
	size_t n = 0;

	for (int i = 0; i < g_mime_header_list_get_count(h); i++)
		if (g_ascii_strcasecmp(g_mime_header_get_name(g_mime_header_list_get_header_at(h, i)),
				       name) == 0)
			n++;
	return n;
}

static void
assert_type(GMimeObject *o, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	assert_true(g_mime_content_type_is_type(ct, type, subtype));
}

/* The sample, as GMime gives back the message/rfc822 part (serialized
 * again: GMime keeps raw headers and content), and as it stands in the
 * report's own bytes, between the part's header and the closing
 * delimiter. */
static void
assert_sample_exact(const struct parsed *p, const char *report, size_t report_len,
		    const char *data, size_t len)
{
	GMimeFormatOptions *opt;
	GMimeMessage *inner;
	char *again, *want;
	const char *boundary = g_mime_multipart_get_boundary(p->mp);
	size_t want_len;

	assert_true(GMIME_IS_MESSAGE_PART(p->orig));
	inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(p->orig));
	assert_non_null(inner);
	/* GMime writes its own line breaks: ask for the sample's. */
	opt = g_mime_format_options_new();
	if (g_strstr_len(data, (gssize)len, "\r\n"))
		g_mime_format_options_set_newline_format(opt, GMIME_NEWLINE_FORMAT_DOS);
	again = g_mime_object_to_string(GMIME_OBJECT(inner), opt);
	g_mime_format_options_free(opt);
	assert_int_equal(strlen(again), len);
	assert_memory_equal(again, data, len);
	g_free(again);

	want = g_strdup_printf("\n\n%.*s\n--%s--\n", (int)len, data, boundary);
	want_len = strlen(want);
	assert_non_null(g_strstr_len(report, (gssize)report_len, want));
	/* ... and right after the part's own header. */
	assert_int_equal(memcmp(report + report_len - want_len, want, want_len), 0);
	g_free(want);
}

static void
test_plain(void **state)
{
	struct arf_sample s;
	struct parsed p;
	char sha[DIGEST_HEX_SIZE];
	char *r, *text, *want;
	const char *v;
	size_t len;

	(void)state;
	sample_init(&s, plain_msg, sizeof(plain_msg) - 1, sha);
	r = arf_report(&s, &len);
	assert_int_equal(strlen(r), len);
	parse(&p, r, len);

	assert_type(g_mime_message_get_mime_part(p.msg), "multipart", "report");
	v = g_mime_object_get_content_type_parameter(g_mime_message_get_mime_part(p.msg),
						      "report-type");
	assert_non_null(v);
	assert_string_equal(v, "feedback-report");
	assert_type(p.text, "text", "plain");
	assert_type(p.fb, "message", "feedback-report");
	assert_type(p.orig, "message", "rfc822");

	/* The report's own header: fixed, derived, nothing random. */
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(p.msg), "Date"),
			    "Fri, 20 Nov 2026 13:32:07 +0000");
	want = g_strdup_printf("arf-20261120T133207Z-1-%.32s@fpkit.invalid", sha);
	assert_string_equal(g_mime_message_get_message_id(p.msg), want);
	g_free(want);
	want = g_strdup_printf("=-fpkit-arf-%.32s", sha);
	assert_string_equal(g_mime_multipart_get_boundary(p.mp), want);
	g_free(want);
	assert_non_null(strstr(g_mime_message_get_subject(p.msg), "203.0.113.7"));
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(p.msg), "From"),
			    "fpkit <fpkit@fpkit.invalid>");

	assert_string_equal(field(&p, "Feedback-Type"), "not-spam");
	assert_string_equal(field(&p, "User-Agent"), "fpkit/" PACKAGE_VERSION);
	assert_string_equal(field(&p, "Version"), "1");
	assert_string_equal(field(&p, "Source-IP"), "203.0.113.7");
	assert_string_equal(field(&p, "Arrival-Date"), "Fri, 20 Nov 2026 13:28:21 +0000");
	assert_string_equal(field(&p, "Original-Mail-From"), "<bounce+4711@news.shop.example.com>");
	/* Delivered-To is where a copy went, not the RCPT TO: not used. */
	assert_null(field(&p, "Original-Rcpt-To"));
	assert_string_equal(field(&p, "Reported-Domain"), "shop.example.com");
	/* The three required fields come first, in RFC 5965's order. */
	assert_string_equal(g_mime_header_get_name(g_mime_header_list_get_header_at(
		g_mime_object_get_header_list(GMIME_OBJECT(p.fields)), 0)), "Feedback-Type");

	text = g_mime_text_part_get_text(GMIME_TEXT_PART(p.text));
	assert_non_null(strstr(text, "blocked 203.0.113.7 for spam on 2026-11-20 13:32:07 UTC"));
	assert_non_null(strstr(text, "Sample:          1 of 2, "
			       "samples/01-nl.r1188@news.shop.example.com.eml"));
	assert_non_null(strstr(text, "Spam score:      371"));
	assert_non_null(strstr(text, "Destination IP:  198.51.100.142"));
	g_free(text);

	assert_sample_exact(&p, r, len, plain_msg, sizeof(plain_msg) - 1);
	/* 7-bit sample: no transfer encoding declared. */
	assert_null(g_mime_object_get_header(p.orig, "Content-Transfer-Encoding"));
	parsed_release(&p);
	free(r);
}

static void
test_crlf_8bit(void **state)
{
	struct arf_sample s;
	struct parsed p;
	char sha[DIGEST_HEX_SIZE];
	const char *rcpt[] = { "<carol@example.org>", "dave@example.org", "bad address" };
	char *r, *text;
	size_t len;

	(void)state;
	sample_init(&s, crlf_msg, sizeof(crlf_msg) - 1, sha);
	s.rcpt = rcpt;
	s.nr_rcpt = 3;
	s.has_spamscore = false;
	s.destination_ip = NULL;
	s.message_id = "caf\xc3\xa9-\x1b[2J@example.org";	/* UTF-8 and an escape */
	r = arf_report(&s, &len);
	parse(&p, r, len);
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(p.text));
	assert_non_null(strstr(text, "Message-ID:      <caf\xc3\xa9-\\x1b[2J@example.org>\n"));
	g_free(text);
	assert_sample_exact(&p, r, len, crlf_msg, sizeof(crlf_msg) - 1);
	/* CRLF: binary, the one label GMime writes without a newline filter. */
	assert_string_equal(g_mime_object_get_header(p.orig, "Content-Transfer-Encoding"), "binary");
	/* No Return-Path: the From address; its domain in ASCII (IDN). */
	assert_string_equal(field(&p, "Original-Mail-From"), "<cafe@xn--caf-dma.example>");
	assert_string_equal(field(&p, "Reported-Domain"), "xn--caf-dma.example");
	/* The recipients given win, the malformed one is left out. */
	assert_int_equal(count_fields(&p, "Original-Rcpt-To"), 2);
	assert_non_null(strstr(r, "Original-Rcpt-To: <carol@example.org>\n"
			       "Original-Rcpt-To: <dave@example.org>\n"));
	assert_null(strstr(r, "Spam score"));
	parsed_release(&p);
	free(r);
}

static void
test_fields_left_out(void **state)
{
	struct arf_sample s;
	struct parsed p;
	char sha[DIGEST_HEX_SIZE];
	char *r;
	size_t len;

	(void)state;
	sample_init(&s, odd_msg, sizeof(odd_msg) - 1, sha);
	s.has_arrival = false;
	s.message_id = "";
	r = arf_report(&s, &len);
	parse(&p, r, len);
	assert_null(field(&p, "Original-Mail-From"));
	assert_null(field(&p, "Original-Rcpt-To"));
	assert_null(field(&p, "Reported-Domain"));
	assert_null(field(&p, "Arrival-Date"));
	assert_string_equal(field(&p, "Feedback-Type"), "not-spam");
	assert_string_equal(field(&p, "Source-IP"), "203.0.113.7");
	assert_sample_exact(&p, r, len, odd_msg, sizeof(odd_msg) - 1);
	parsed_release(&p);
	free(r);
}

/* A sample whose longest line is 998 octets is 7bit; 999 is binary
 * (RFC 5322 2.1.1, RFC 2045 2.7). */
static void
test_line_998(void **state)
{
	struct arf_sample s;
	struct parsed p;
	char sha[DIGEST_HEX_SIZE], msg[1100];
	char *r;
	size_t len, n;

	(void)state;
	for (size_t octets = 998; octets <= 999; octets++) {
		n = (size_t)snprintf(msg, sizeof(msg), "From: <alice@shop.example.com>\n\n");
		memset(msg + n, 'x', octets);
		n += octets;
		msg[n++] = '\n';
		sample_init(&s, msg, n, sha);
		r = arf_report(&s, &len);
		parse(&p, r, len);
		if (octets == 998)
			assert_null(g_mime_object_get_header(p.orig, "Content-Transfer-Encoding"));
		else
			assert_string_equal(g_mime_object_get_header(p.orig, "Content-Transfer-Encoding"),
					    "binary");
		assert_sample_exact(&p, r, len, msg, n);
		parsed_release(&p);
		free(r);
	}
}

static void
test_deterministic(void **state)
{
	struct arf_sample s;
	char sha[DIGEST_HEX_SIZE];
	char *a, *b;
	size_t alen, blen;

	(void)state;
	sample_init(&s, crlf_msg, sizeof(crlf_msg) - 1, sha);
	a = arf_report(&s, &alen);
	b = arf_report(&s, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(b);
	/* Another sample number: another Message-ID, nothing else random. */
	s.number = 2;
	b = arf_report(&s, &blen);
	assert_non_null(strstr(b, "arf-20261120T133207Z-2-"));
	assert_null(strstr(a, "arf-20261120T133207Z-2-"));
	free(a);
	free(b);
}

static void
test_boundary_clash(void **state)
{
	static const char msg[] =
		"From: x@example.com\n\n--=-fpkit-arf-00000000000000000000000000000000\n";
	static const char zeros[] =
		"0000000000000000000000000000000000000000000000000000000000000000";
	struct arf_sample s;
	struct parsed p;
	char sha[DIGEST_HEX_SIZE];
	char *r;
	size_t len;

	(void)state;
	sample_init(&s, msg, sizeof(msg) - 1, sha);
	s.sha256 = zeros;	/* as if the sample held its own boundary */
	r = arf_report(&s, &len);
	parse(&p, r, len);
	assert_string_equal(g_mime_multipart_get_boundary(p.mp),
			    "=-fpkit-arf-00000000000000000000000000000000-1");
	assert_sample_exact(&p, r, len, msg, sizeof(msg) - 1);
	parsed_release(&p);
	free(r);
}

/* Undo mboxrd quoting of one entry's lines (the reader's side). */
static char *
unquote(const char *s, size_t len, size_t *out_len)
{
	GString *g = g_string_sized_new(len);
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		size_t q = 0;

		while (q < n && p[q] == '>')
			q++;
		if (q > 0 && n - q >= 5 && memcmp(p + q, "From ", 5) == 0)
			g_string_append_len(g, p + 1, (gssize)n - 1);
		else
			g_string_append_len(g, p, (gssize)n);
		p += n;
	}
	*out_len = g->len;
	return g_string_free(g, FALSE);
}

static void
test_mbox(void **state)
{
	static const char sep[] = "From fpkit@fpkit.invalid Fri Nov 20 13:32:07 2026\n";
	struct arf_sample s;
	struct strbuf mbox;
	char sha1[DIGEST_HEX_SIZE], sha2[DIGEST_HEX_SIZE];
	char *r1, *r2, *entry, *back;
	const char *second;
	size_t len1, len2, back_len;

	(void)state;
	sample_init(&s, plain_msg, sizeof(plain_msg) - 1, sha1);
	r1 = arf_report(&s, &len1);
	sample_init(&s, crlf_msg, sizeof(crlf_msg) - 1, sha2);
	s.number = 2;
	r2 = arf_report(&s, &len2);
	strbuf_init(&mbox, STRBUF_NO_MAX);
	arf_mbox_append(&mbox, r1, len1, BLOCKED_AT);
	arf_mbox_append(&mbox, r2, len2, BLOCKED_AT);

	assert_int_equal(strncmp(mbox.buf, sep, strlen(sep)), 0);
	/* Inside, every "From " line is quoted: only the two separators
	 * start a line with "From ". */
	assert_non_null(strstr(mbox.buf, "\r\n>From the team\r\n>>From the quoted team\r\n"));
	second = strstr(mbox.buf + 1, "\n\nFrom fpkit@fpkit.invalid ");
	assert_non_null(second);
	assert_null(strstr(second + 2, "\nFrom "));

	/* Each entry, unquoted, is the report again, byte for byte. */
	entry = mbox.buf + strlen(sep);
	back = unquote(entry, (size_t)(second + 2 - entry), &back_len);
	assert_int_equal(back_len, len1 + 1);	/* the empty line after it */
	assert_memory_equal(back, r1, len1);
	g_free(back);
	entry = strchr(second + 2, '\n') + 1;
	back = unquote(entry, mbox.len - (size_t)(entry - mbox.buf), &back_len);
	assert_int_equal(back_len, len2 + 1);
	assert_memory_equal(back, r2, len2);
	g_free(back);

	strbuf_release(&mbox);
	free(r1);
	free(r2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_crlf_8bit),
		cmocka_unit_test(test_fields_left_out),
		cmocka_unit_test(test_line_998),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_boundary_clash),
		cmocka_unit_test(test_mbox),
	};

	return cmocka_run_group_tests(tests, mime_setup, mime_teardown);
}
