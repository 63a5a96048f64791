/* gencorpus.c - a deterministic mail corpus for the find benchmarks
 *
 * usage: gencorpus [-s SHAPE] OUTDIR [MIB [TARGETS [SEED]]]
 *
 * Writes, for about MIB MiB of mail (default 1024) in each store:
 *   OUTDIR/Maildir/           a Maildir++ tree: cur/, new/, tmp/ (which
 *                             must be ignored: it holds copies of targets),
 *                             .Sent/, .Archive.2025/
 *   OUTDIR/sent.mbox          the same messages as one mboxrd file
 *   OUTDIR/ids-1.txt          one target Message-ID
 *   OUTDIR/ids-1000.txt       TARGETS target Message-IDs (default 1000)
 *   OUTDIR/truth-maildir.tsv  id, file (relative to OUTDIR) of every target
 *   OUTDIR/truth-mbox.tsv     id, offset, length of every target in the mbox,
 *                             as fpkit find gives them (the message's first
 *                             header line up to the empty line before the
 *                             next "From " line, that line left out)
 *   OUTDIR/sent-mboxo.mbox    (shape fromlines) the same messages as mboxo,
 *   OUTDIR/truth-mboxo.tsv    which quotes only lines starting "From "
 *
 * Messages look like a sending server's: Received chains, a folded
 * DKIM-Signature, multipart bodies, base64 attachments (15 % of them up to
 * 200 KB, 1 % up to 3 MB), "From " lines in bodies (quoted in the mbox).
 * The Message-ID field name comes in odd cases, sometimes folded or with a
 * comment; target ids are planted as decoys in other messages' References,
 * In-Reply-To and bodies, where no exact tool may count them.
 *
 * SHAPE (default mixed, the messages above) gives the stores another
 * shape, for the benchmark matrix (tests/bench/matrix.sh):
 *   small      2 KiB text messages, no MIME parts
 *   html       50 KiB newsletters, multipart/alternative text and HTML
 *   attach     each message with a base64 attachment of 2 to 4 MiB
 *   fromlines  one body line in four starting "From " (some ">From ", some
 *              an envelope line forwarded in a body), written as mboxrd and
 *              as mboxo
 *   crlf       the mixed messages with CRLF line ends, mbox lines included
 * When the store has room for fewer than 2 x TARGETS messages (attach),
 * only the first messages/2 ids are planted; the id lists still hold all
 * TARGETS ids, the others being in no message.
 * The same arguments always give the same bytes. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state;

enum shape { SHAPE_MIXED, SHAPE_SMALL, SHAPE_HTML, SHAPE_ATTACH, SHAPE_FROMLINES, SHAPE_CRLF };

/* Each shape's name and the average size of its messages in bytes, from
 * which the number of messages, and so the spacing of targets, follows. */
static const struct {
	const char *name;
	unsigned long long avg;
} shapes[] = {
	[SHAPE_MIXED] = { "mixed", 41000 },
	[SHAPE_SMALL] = { "small", 2048 },
	[SHAPE_HTML] = { "html", 51200 },
	[SHAPE_ATTACH] = { "attach", 3200000 },
	[SHAPE_FROMLINES] = { "fromlines", 41000 },
	[SHAPE_CRLF] = { "crlf", 41000 },
};
static enum shape shape = SHAPE_MIXED;

static uint64_t
rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static unsigned
rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void
die(const char *what)
{
	fprintf(stderr, "gencorpus: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
mkdir_p(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die(path);
}

/* A growable message buffer. */
static char *mb;
static size_t mlen, mcap;

static void
put(const char *s, size_t n)
{
	if (mlen + n > mcap) {
		mcap = (mlen + n) * 2;
		mb = realloc(mb, mcap);
		if (mb == NULL)
			die("realloc");
	}
	memcpy(mb + mlen, s, n);
	mlen += n;
}

static void
puts_(const char *s)
{
	put(s, strlen(s));
}

static void
putf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
putf(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(buf, (size_t)n);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char *const words[] = {
	"order", "shipping", "winter", "collection", "parcel", "invoice", "thank", "you",
	"your", "basket", "items", "delivery", "account", "from", "the", "team", "news",
	"week", "offer", "lamp", "table", "linen", "oak", "ceramic", "handmade", "studio",
	"receipt", "payment", "tracking", "number", "return", "policy", "welcome", "back",
};
static const char *const mid_names[] = { "Message-ID", "Message-Id", "message-id", "MESSAGE-ID" };
static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static void
put_b64_lines(size_t bytes)
{
	char line[78];

	while (bytes > 0) {
		size_t n = bytes > 76 ? 76 : bytes;

		for (size_t i = 0; i < n; i++)
			line[i] = b64[rnd() & 63];
		line[n] = '\n';
		put(line, n + 1);
		bytes -= n;
	}
}

/* A body line starting with "From " in one of the ways mail has them;
 * the fromlines shape also has them already quoted, and whole envelope
 * lines of a forwarded mailbox, which a reader must not take for one. */
static size_t
put_from_line(void)
{
	if (shape != SHAPE_FROMLINES) {
		puts_("From our workshop: ");
		return 19;
	}
	switch (rnd_below(4)) {
	case 0:
		puts_(">From the archive: ");
		return 19;
	case 1:
		putf("From news@shop.example.com Mon Dec  %u 10:%02u:00 2025\n", 1 + rnd_below(9),
		     rnd_below(60));
		return 0;
	default:
		puts_("From our workshop: ");
		return 19;
	}
}

static void
put_text(size_t bytes, char **decoys, size_t nr_decoys)
{
	size_t col = 0, done = 0;
	unsigned from_odds = shape == SHAPE_FROMLINES ? 4 : 40;

	while (done < bytes) {
		const char *w = words[rnd_below(sizeof(words) / sizeof(words[0]))];
		size_t n = strlen(w);

		if (col == 0 && rnd_below(from_odds) == 0) {
			/* a body line starting with "From " (quoted in the mbox) */
			col = put_from_line();
			if (col == 0)
				continue;
		} else if (col == 0 && nr_decoys && rnd_below(60) == 0) {
			/* a decoy: a target id in a body */
			putf("Re your message <%s>\n", decoys[rnd_below((unsigned)nr_decoys)]);
			done += 60;
			continue;
		}
		put(w, n);
		put(" ", 1);
		col += n + 1;
		done += n + 1;
		if (col > 66) {
			put("\n", 1);
			col = 0;
		}
	}
	put("\n", 1);
}

/* About 'bytes' of a newsletter's HTML: nested tables, styled cells,
 * tracked links and images, in lines of at most 76 characters. */
static void
put_html(size_t bytes)
{
	size_t start = mlen;

	puts_("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
	      "<style>td{font-family:Georgia,serif;color:#333}</style></head>\n<body>\n");
	while (mlen - start < bytes) {
		putf("<table role=\"presentation\" width=\"600\" cellpadding=\"0\">\n"
		     "<tr><td style=\"padding:12px 24px;font-size:15px\">\n");
		for (unsigned l = 0; l < 3 + rnd_below(5); l++) {
			for (unsigned k = 0; k < 9; k++) {
				puts_(words[rnd_below(sizeof(words) / sizeof(words[0]))]);
				put(" ", 1);
			}
			put("\n", 1);
		}
		putf("<a href=\"https://news.shop.example.com/c/%08x%08x?u=%u\">\n"
		     "<img src=\"https://news.shop.example.com/i/%08x.jpg\" width=\"552\" alt=\"%s\">"
		     "</a>\n</td></tr>\n</table>\n", (unsigned)rnd(), (unsigned)rnd(), rnd_below(99999),
		     (unsigned)rnd(), words[rnd_below(sizeof(words) / sizeof(words[0]))]);
	}
	puts_("</body></html>\n");
}

struct msg_info {
	char id[96];
	int is_target;
};

/* One message into mb: its own Message-ID 'id'; 'decoys' are target ids
 * other messages may mention. */
static void
make_message(unsigned n, const char *id, char **decoys, size_t nr_decoys, long long t)
{
	unsigned hops = 3 + rnd_below(3);
	unsigned r = rnd_below(100);
	size_t textlen = 1500 + rnd_below(6000);
	time_t tt = (time_t)t;
	struct tm tm;
	char date[64], boundary[40];

	gmtime_r(&tt, &tm);
	snprintf(date, sizeof(date), "%s, %d %s %d %02d:%02d:%02d +0000", days[(tm.tm_wday + 6) % 7],
		 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	snprintf(boundary, sizeof(boundary), "=_b%08x%08x", (unsigned)rnd(), n);
	mlen = 0;
	puts_("Return-Path: <bounce@news.shop.example.com>\n");
	for (unsigned h = 0; h < hops; h++)
		putf("Received: from relay%u.example.net (relay%u.example.net [198.51.100.%u])\n"
		     "\tby mx%u.shop.example.com (Postfix) with ESMTPS id %08X%02X\n"
		     "\tfor <customer%u@example.org>; %s\n",
		     h, h, 1 + rnd_below(250), h + 1, (unsigned)rnd(), h, n % 9973, date);
	puts_("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.example.com;\n"
	      "\ts=mail2025; t=1700000000; h=from:to:subject:date:message-id;\n\tbh=");
	for (int i = 0; i < 44; i++)
		put(&b64[rnd() & 63], 1);
	puts_(";\n\tb=");
	for (int l = 0; l < 4; l++) {
		for (int i = 0; i < 70; i++)
			put(&b64[rnd() & 63], 1);
		puts_(l < 3 ? "\n\t " : "\n");
	}
	putf("From: Lumen Atelier <news@shop.example.com>\nTo: customer%u@example.org\n", n % 9973);
	putf("Subject: Your order %u: %s %s\n", n, words[rnd_below(34)], words[rnd_below(34)]);
	putf("Date: %s\n", date);
	if (nr_decoys && rnd_below(8) == 0) {
		const char *d = decoys[rnd_below((unsigned)nr_decoys)];

		putf("In-Reply-To: <%s>\nReferences: <%s>\n <%s>\n", d, d,
		     decoys[rnd_below((unsigned)nr_decoys)]);
	}
	switch (rnd_below(10)) {
	case 0:
		putf("%s:\n <%s>\n", mid_names[rnd_below(4)], id);
		break;
	case 1:
		putf("%s: <%s> (added by relay)\n", mid_names[rnd_below(4)], id);
		break;
	default:
		putf("%s: <%s>\n", mid_names[rnd_below(4)], id);
	}
	puts_("MIME-Version: 1.0\nX-Mailer: shop-mailer 4.2\n");
	if (shape == SHAPE_SMALL) {
		puts_("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
		put_text(200 + textlen / 15, decoys, nr_decoys);
		return;
	}
	if (shape == SHAPE_HTML) {
		putf("Content-Type: multipart/alternative; boundary=\"%s\"\n\n", boundary);
		putf("--%s\nContent-Type: text/plain; charset=utf-8\n"
		     "Content-Transfer-Encoding: 8bit\n\n", boundary);
		put_text(textlen, decoys, nr_decoys);
		putf("--%s\nContent-Type: text/html; charset=utf-8\n"
		     "Content-Transfer-Encoding: 8bit\n\n", boundary);
		put_html(40000 + rnd_below(8000));
		putf("--%s--\n", boundary);
		return;
	}
	putf("Content-Type: multipart/mixed; boundary=\"%s\"\n\n", boundary);
	putf("--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n",
	     boundary);
	put_text(textlen, decoys, nr_decoys);
	if (r < 16 || shape == SHAPE_ATTACH) {
		size_t att;

		if (shape == SHAPE_ATTACH)
			att = 2097152 + rnd_below(2097152);
		else
			att = r == 0 ? 1000000 + rnd_below(2000000) : 20000 + rnd_below(180000);

		putf("--%s\nContent-Type: application/pdf; name=\"invoice-%u.pdf\"\n"
		     "Content-Transfer-Encoding: base64\n"
		     "Content-Disposition: attachment; filename=\"invoice-%u.pdf\"\n\n", boundary, n, n);
		put_b64_lines(att);
	}
	putf("--%s--\n", boundary);
}

/* Give every line of mb a CRLF end (the crlf shape). */
static void
to_crlf(void)
{
	static char *crlf;
	static size_t cap;
	size_t n = 0;

	if (cap < 2 * mlen) {
		cap = 2 * mlen;
		crlf = realloc(crlf, cap);
		if (crlf == NULL)
			die("realloc");
	}
	for (size_t i = 0; i < mlen; i++) {
		if (mb[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = mb[i];
	}
	mlen = 0;
	put(crlf, n);
}

/* Write mb to an mbox: mboxrd quotes ">*From " lines, mboxo (rd == 0)
 * "From " lines alone.  *off and *len: where fpkit find says the message
 * is, the empty line written after it left out. */
static long long
write_mbox(FILE *f, int rd, long long pos, const char *envelope_date, long long *off,
	   long long *len)
{
	const char *eol = shape == SHAPE_CRLF ? "\r\n" : "\n";
	char line[128];
	int n = snprintf(line, sizeof(line), "From news@shop.example.com %s%s", envelope_date, eol);
	size_t i = 0;

	fwrite(line, 1, (size_t)n, f);
	pos += n;
	*off = pos;
	while (i < mlen) {
		char *nl = memchr(mb + i, '\n', mlen - i);
		size_t e = nl ? (size_t)(nl - mb) + 1 : mlen, j = i;

		while (rd && j < e && mb[j] == '>')
			j++;
		if (e - j >= 5 && memcmp(mb + j, "From ", 5) == 0) {
			fputc('>', f);
			pos++;
		}
		fwrite(mb + i, 1, e - i, f);
		pos += (long long)(e - i);
		i = e;
	}
	*len = pos - *off;
	fputs(eol, f);	/* the empty line before the next "From " */
	pos += (long long)strlen(eol);
	return pos;
}

static void
write_file(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		die(path);
	if (fwrite(mb, 1, mlen, f) != mlen || fclose(f) != 0)
		die(path);
}

int
main(int argc, char **argv)
{
	const char *out;
	unsigned long long want, seed;
	unsigned targets, nplant, nr = 0;
	long long written = 0, pos = 0, t = 1764500000;
	char **ids = NULL;
	size_t ids_cap = 0;
	char path[4096];
	FILE *mbox, *tm, *tb, *mboxo = NULL, *to = NULL;
	long long pos_o = 0;
	int c;
	static const char *const folders[] = { "Maildir/.Sent/cur", "Maildir/cur", "Maildir/new",
					       "Maildir/.Archive.2025/cur" };

	while ((c = getopt(argc, argv, "s:")) != -1) {
		size_t k = 0;

		while (c == 's' && k < sizeof(shapes) / sizeof(shapes[0]) && strcmp(optarg, shapes[k].name))
			k++;
		if (c != 's' || k == sizeof(shapes) / sizeof(shapes[0]))
			goto usage;
		shape = (enum shape)k;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 2) {
usage:
		fprintf(stderr, "usage: gencorpus [-s mixed|small|html|attach|fromlines|crlf] "
			"OUTDIR [MIB [TARGETS [SEED]]]\n");
		return 2;
	}
	out = argv[1];
	want = (argc > 2 ? strtoull(argv[2], NULL, 10) : 1024) << 20;
	targets = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 1000;
	seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;

	mkdir_p(out);
	snprintf(path, sizeof(path), "%s/Maildir", out);
	mkdir_p(path);
	for (const char *const *d = (const char *const[]){ "cur", "new", "tmp", ".Sent", ".Sent/cur",
		".Sent/new", ".Sent/tmp", ".Archive.2025", ".Archive.2025/cur", ".Archive.2025/new",
		".Archive.2025/tmp", NULL }; *d; d++) {
		snprintf(path, sizeof(path), "%s/Maildir/%s", out, *d);
		mkdir_p(path);
	}
	snprintf(path, sizeof(path), "%s/sent.mbox", out);
	mbox = fopen(path, "wb");
	snprintf(path, sizeof(path), "%s/truth-maildir.tsv", out);
	tm = fopen(path, "wb");
	snprintf(path, sizeof(path), "%s/truth-mbox.tsv", out);
	tb = fopen(path, "wb");
	if (mbox == NULL || tm == NULL || tb == NULL)
		die("cannot create the output files");
	if (shape == SHAPE_FROMLINES) {
		snprintf(path, sizeof(path), "%s/sent-mboxo.mbox", out);
		mboxo = fopen(path, "wb");
		snprintf(path, sizeof(path), "%s/truth-mboxo.tsv", out);
		to = fopen(path, "wb");
		if (mboxo == NULL || to == NULL)
			die("cannot create the output files");
	}

	/* The target ids are chosen first, so decoys can name them from the
	 * start; each is then planted in one message, spread over the run. */
	ids = calloc(targets ? targets : 1, sizeof(*ids));
	ids_cap = targets;
	for (unsigned i = 0; i < targets; i++) {
		char buf[96];

		snprintf(buf, sizeof(buf), "%016" PRIx64 ".%u.target@news.shop.example.com", rnd(), i);
		ids[i] = strdup(buf);
	}
	/* About 26 000 mixed messages per GiB: a target every
	 * want/26000/targets; at most one message in two a target. */
	{
		unsigned long long expect = want / shapes[shape].avg + 1;
		unsigned long long every;
		unsigned planted = 0;

		nplant = targets;
		if (nplant > expect / 2)
			nplant = expect / 2 ? (unsigned)(expect / 2) : 1;
		if (nplant > targets)
			nplant = targets;
		every = nplant ? expect / nplant : expect + 1;
		if (every == 0)
			every = 1;
		while ((unsigned long long)written < want || planted < nplant) {
			char id[96], env[64];
			int is_target = planted < nplant && nr % every == every / 2;
			const char *folder = folders[rnd_below(100) < 60 ? 0 : rnd_below(4)];
			long long off, len;
			time_t tt = (time_t)t;
			struct tm tmv;

			if (is_target)
				snprintf(id, sizeof(id), "%s", ids[planted]);
			else
				snprintf(id, sizeof(id), "%016" PRIx64 ".%u@news.shop.example.com", rnd(), nr);
			make_message(nr, id, ids, planted ? planted : (nplant ? 1 : 0), t);
			if (shape == SHAPE_CRLF)
				to_crlf();
			snprintf(path, sizeof(path), "%s/%s/%lld.M%uP%u.mx1.shop.example.com,S=%zu:2,S",
				 out, folder, t, nr, 4242 + nr % 97, mlen);
			write_file(path);
			gmtime_r(&tt, &tmv);
			strftime(env, sizeof(env), "%a %b %e %H:%M:%S %Y", &tmv);
			if (mboxo) {
				pos_o = write_mbox(mboxo, 0, pos_o, env, &off, &len);
				if (is_target)
					fprintf(to, "%s\t%lld\t%lld\n", id, off, len);
			}
			pos = write_mbox(mbox, 1, pos, env, &off, &len);
			if (is_target) {
				fprintf(tm, "%s\t%s\n", id, path + strlen(out) + 1);
				fprintf(tb, "%s\t%lld\t%lld\n", id, off, len);
				planted++;
				/* a copy in tmp/: a delivery in progress, never
				 * to be counted */
				if (planted % 10 == 1) {
					snprintf(path, sizeof(path), "%s/Maildir/tmp/%lld.M%uP1.mx1", out, t, nr);
					write_file(path);
				}
			}
			written += (long long)mlen;
			nr++;
			t += 7 + rnd_below(60);
		}
	}
	if (fclose(mbox) != 0 || fclose(tm) != 0 || fclose(tb) != 0 ||
	    (mboxo && (fclose(mboxo) != 0 || fclose(to) != 0)))
		die("cannot write the output files");
	snprintf(path, sizeof(path), "%s/ids-1000.txt", out);
	tm = fopen(path, "wb");
	snprintf(path, sizeof(path), "%s/ids-1.txt", out);
	tb = fopen(path, "wb");
	if (tm == NULL || tb == NULL)
		die("cannot write the id lists");
	for (unsigned i = 0; i < targets; i++)
		fprintf(tm, "%s\n", ids[i]);
	if (nplant)
		fprintf(tb, "%s\n", ids[nplant / 2]);
	fclose(tm);
	fclose(tb);
	fprintf(stderr, "gencorpus: %s: %u messages, %lld bytes each store, %u targets planted "
		"(of %u ids)\n", shapes[shape].name, nr, written, nplant, targets);
	for (size_t i = 0; i < ids_cap; i++)
		free(ids[i]);
	free(ids);
	free(mb);
	return 0;
}
