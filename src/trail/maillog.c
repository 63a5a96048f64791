/* maillog.c - the mail-log trail
 *
 * A log is read twice, as one stream through one window of
 * MAILLOG_WINDOW bytes, so memory does not grow with the log.  The first
 * pass looks only at lines that announce a Message-ID (Postfix cleanup,
 * Exim "<=", Sendmail "from=") and notes those of the targets with their
 * queue ids: the anchors.  The second pass keeps every line of those
 * queues in a pending segment per queue; where the MTA is done with a
 * message (Postfix "removed", Exim "Completed") or starts a new one
 * (Sendmail "from="), the segment ends, and it becomes a story when an
 * anchor lies in it, or is dropped.  So a queue id used again for
 * another message (Postfix reuses them) never joins two messages, and
 * lines that come before the Message-ID (smtpd's client=) are kept.
 * Only lines of anchored queues are ever held, within FPKIT_LIMIT_LOG_KEPT. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "bitset.h"
#include "error.h"
#include "fpkit_limits.h"
#include "instream.h"
#include "logline.h"
#include "maillog.h"
#include "msgid.h"
#include "strbuf.h"
#include "textsafe.h"
#include "timefmt.h"
#include "xalloc.h"

/* Bytes read at a time; the window holds that plus one whole line. */
#define MAILLOG_WINDOW (1024 * 1024)

/* Longest host name taken into a queue's key. */
#define MAILLOG_MAX_HOST 255

/* What ends a queue's story. */
enum maillog_end {
	MAILLOG_END_MTA,	/* the MTA: Postfix "removed", Exim "Completed" */
	MAILLOG_END_NEXT,	/* the queue id's next message (Sendmail) */
	MAILLOG_END_LOGS,	/* the end of the logs */
};

/* A kept line: where it was, and its bytes in the story's text. */
struct maillog_line {
	uint64_t seq;		/* line number over all the files read */
	size_t file;		/* index into maillog.files */
	uint64_t lineno;	/* from 1, in its file (decompressed) */
	size_t off, len;	/* in the story's text */
};

/* The lines of one queue about one message. */
struct maillog_story {
	char *qid;
	char *host;		/* "" for Exim's own log */
	enum logline_mta mta;
	struct maillog_line *lines;
	size_t nr_lines, alloc_lines;
	struct strbuf text;	/* the lines' bytes, one after the other */
	uint64_t last_seq;	/* the last line of the queue seen, kept or not */
	uint64_t omitted;	/* lines past a limit, not kept */
	enum maillog_end end;	/* what ended it */
	bool has_from;		/* holds a "from=" line (Sendmail's start) */
	uint64_t anchor_seq;	/* the first line announcing a target's id */
};

static struct logline_span
span(const char *p, size_t len)
{
	struct logline_span s = { p, len };

	return s;
}

/* ---- reading a log through one window ---- */

/*
 * A thread reads (and decompresses) the file ahead of the scan, into a
 * ring of FEED_SLOTS chunks, so that the decompression and the scan of
 * the lines run at the same time.  It stops at the reader's limit, at
 * the end or at an error, which the scan meets after the bytes before
 * it, where reading in its own turn would have met it.
 */
#define FEED_SLOTS 4
#define FEED_CHUNK (1024 * 1024)

struct feed {
	struct instream *in;
	int64_t limit;		/* bytes to read at most; -1: to the end */
	pthread_t tid;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a chunk was filled or emptied, or quit */
	char *chunk[FEED_SLOTS];
	size_t len[FEED_SLOTS];
	size_t head, tail, count, taken;	/* taken: of chunk[tail] */
	bool done, quit;
	ssize_t status;		/* once done: 0 at the end, -1 on an error */
	struct error err;
	bool over;		/* the error is a limit on decompression */
	double cpu;		/* the thread's CPU seconds, once it ended */
};

static void
feed_note_cpu(struct feed *fe)
{
	struct timespec c;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c) == 0)
		fe->cpu = (double)c.tv_sec + (double)c.tv_nsec / 1e9;
}

static void *
feed_thread(void *arg)
{
	struct feed *fe = arg;
	int64_t got = 0;

	for (;;) {
		struct error e = ERROR_INIT;
		size_t want = FEED_CHUNK;
		ssize_t n = 0;

		pthread_mutex_lock(&fe->lock);
		while (fe->count == FEED_SLOTS && !fe->quit)
			pthread_cond_wait(&fe->cond, &fe->lock);
		if (fe->quit) {
			pthread_mutex_unlock(&fe->lock);
			feed_note_cpu(fe);
			return NULL;
		}
		pthread_mutex_unlock(&fe->lock);
		/* chunk[head] is the thread's alone until counted. */
		if (fe->limit >= 0 && (int64_t)want > fe->limit - got)
			want = (size_t)(fe->limit - got);
		if (want > 0)
			n = instream_read(fe->in, fe->chunk[fe->head], want, &e);
		pthread_mutex_lock(&fe->lock);
		if (n > 0) {
			fe->len[fe->head] = (size_t)n;
			fe->head = (fe->head + 1) % FEED_SLOTS;
			fe->count++;
			got += n;
		} else {
			fe->done = true;
			fe->status = n < 0 ? -1 : 0;
			fe->err = e;
			fe->over = n < 0 && fe->in->over;
		}
		pthread_cond_broadcast(&fe->cond);
		pthread_mutex_unlock(&fe->lock);
		if (n <= 0) {
			feed_note_cpu(fe);
			return NULL;
		}
	}
}

/* Start the thread; false when it cannot be (then the reader reads in
 * its own turn). */
static bool
feed_start(struct feed *fe, struct instream *in, int64_t limit)
{
	memset(fe, 0, sizeof(*fe));
	fe->in = in;
	fe->limit = limit;
	for (size_t i = 0; i < FEED_SLOTS; i++)
		fe->chunk[i] = xmalloc(FEED_CHUNK);
	pthread_mutex_init(&fe->lock, NULL);
	pthread_cond_init(&fe->cond, NULL);
	fe->started = pthread_create(&fe->tid, NULL, feed_thread, fe) == 0;
	return fe->started;
}

static void
feed_stop(struct feed *fe)
{
	if (fe->started) {
		pthread_mutex_lock(&fe->lock);
		fe->quit = true;
		pthread_cond_broadcast(&fe->cond);
		pthread_mutex_unlock(&fe->lock);
		pthread_join(fe->tid, NULL);
		fe->started = false;
	}
	pthread_mutex_destroy(&fe->lock);
	pthread_cond_destroy(&fe->cond);
	for (size_t i = 0; i < FEED_SLOTS; i++)
		free(fe->chunk[i]);
	memset(fe->chunk, 0, sizeof(fe->chunk));
}

/* As instream_read, from the chunks: the count, 0 at the end, -1 on the
 * error met there (*over: a limit on decompression). */
static ssize_t
feed_read(struct feed *fe, char *buf, size_t room, bool *over, struct error *err)
{
	ssize_t n;

	pthread_mutex_lock(&fe->lock);
	while (fe->count == 0 && !fe->done)
		pthread_cond_wait(&fe->cond, &fe->lock);
	if (fe->count > 0) {
		size_t k = fe->len[fe->tail] - fe->taken;

		if (k > room)
			k = room;
		memcpy(buf, fe->chunk[fe->tail] + fe->taken, k);
		fe->taken += k;
		if (fe->taken == fe->len[fe->tail]) {
			fe->taken = 0;
			fe->tail = (fe->tail + 1) % FEED_SLOTS;
			fe->count--;
			pthread_cond_broadcast(&fe->cond);
		}
		n = (ssize_t)k;
	} else {
		n = fe->status;
		*over = fe->over;
		if (n < 0)
			*err = fe->err;
	}
	pthread_mutex_unlock(&fe->lock);
	return n;
}

struct reader {
	const char *path;
	struct instream in;	/* the file, plain or decompressed */
	struct feed feed;	/* read ahead of the scan, when started */
	bool fed;
	char *buf;		/* the window, borrowed from the scan */
	size_t cap, pos, end;	/* unread bytes: buf[pos..end) */
	bool eof;
	int64_t got;		/* (decompressed) bytes read so far */
	int64_t limit;		/* bytes to read at most; -1: to the end */
	uint64_t lineno;
	unsigned moves;		/* bumped when the window's bytes move */
	const atomic_bool *stop; /* maillog.stop */
	struct error over;	/* why the file ends early (a limit on
				 * decompression), when over.status is set */
};

static int
reader_open(struct reader *r, const struct maillog_file *f, char *buf, size_t cap,
	    int64_t limit, struct error *err)
{
	memset(r, 0, sizeof(*r));
	r->path = f->path;
	r->buf = buf;
	r->cap = cap;
	r->limit = limit;
	/* As maillog_add_file saw it (and summary.json says). */
	if (instream_open_as(&r->in, f->fd, f->path, f->compression, NULL, err) < 0)
		return -1;
	if (r->in.compression == NULL)
		posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r->fed = feed_start(&r->feed, &r->in, limit);
	return 0;
}

/* Close; the CPU time of the thread that read ahead is added to *cpu. */
static void
reader_close(struct reader *r, double *cpu)
{
	feed_stop(&r->feed);
	*cpu += r->feed.cpu;
	instream_close(&r->in);
}

/* Read more after buf[end]; sets eof at the end of the data, or where a
 * limit on decompression ends it (noted in r->over: the lines before
 * are read as usual, the last one too, so that both passes see the
 * same lines). */
static int
reader_fill(struct reader *r, struct error *err)
{
	struct error e = ERROR_INIT;
	size_t room = r->cap - r->end;
	bool over = false;
	ssize_t n;

	if (r->stop && atomic_load_explicit(r->stop, memory_order_relaxed)) {
		if (err)
			error_set(err, EX_TEMPFAIL, "mail log '%s': reading stopped", r->path);
		return -1;
	}
	if (r->limit >= 0 && (int64_t)room > r->limit - r->got)
		room = (size_t)(r->limit - r->got);
	if (room == 0) {
		r->eof = true;
		return 0;
	}
	if (r->fed) {
		n = feed_read(&r->feed, r->buf + r->end, room, &over, &e);
	} else {
		n = instream_read(&r->in, r->buf + r->end, room, &e);
		over = n < 0 && r->in.over;
	}
	if (n < 0 && over) {
		r->over = e;
		r->eof = true;
		return 0;
	}
	if (n < 0) {
		if (err)
			*err = e;
		return -1;
	}
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	r->got += n;
	return 0;
}

/* The next line, without its LF (and CR): 1, 0 at the end, -1 on a read
 * error.  A line longer than FPKIT_LIMIT_LOG_LINE is read past and given
 * with *toolong set and no bytes, so that both passes count it alike. */
static int
reader_next(struct reader *r, const char **line, size_t *len, bool *toolong,
	    struct error *err)
{
	bool skipping = false;
	const char *nl;

	*toolong = false;
	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
		if (nl || (r->eof && r->pos < r->end) || (r->eof && skipping)) {
			const char *s = r->buf + r->pos;
			size_t n = nl ? (size_t)(nl - s) : r->end - r->pos;

			r->pos = nl ? (size_t)(nl + 1 - r->buf) : r->end;
			r->lineno++;
			if (skipping || n > FPKIT_LIMIT_LOG_LINE) {
				*toolong = true;
				*line = s;
				*len = 0;
				return 1;
			}
			if (n && s[n - 1] == '\r')
				n--;
			*line = s;
			*len = n;
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->end - r->pos > FPKIT_LIMIT_LOG_LINE) {
			skipping = true;	/* drop what we have of it */
			r->pos = r->end;
		}
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
		r->moves++;
		if (reader_fill(r, err) < 0)
			return -1;
	}
}

/* Does the line hold 'word' (a few bytes, no LF, CR or NUL)?  One
 * memmem over the rest of the window answers for every line up to its
 * next occurrence, instead of one call a line: the first pass asks it of
 * every line, and few hold the word. */
struct word_scan {
	const char *word;
	size_t len;
	const char *hit;	/* the next occurrence, or NULL: none up to the
				 * window's end as it was */
	unsigned moves;		/* the reader's, when found */
	bool valid;
};

/*
 * The first occurrence of a 3-byte word in [p, end), or NULL.  glibc's
 * memmem is slow for a word that short (it can skip little), and the
 * first pass searches the whole of the logs: this compares 16 places at
 * a time, each with the word's three bytes, with the compiler's vectors.
 */
#if defined(__GNUC__)
typedef unsigned char bytes16 __attribute__((vector_size(16)));

static const char *
find_word3(const char *p, const char *end, const char *word)
{
	bytes16 w0, w1, w2;

	for (size_t i = 0; i < 16; i++) {
		w0[i] = (unsigned char)word[0];
		w1[i] = (unsigned char)word[1];
		w2[i] = (unsigned char)word[2];
	}
	for (; end - p >= 18; p += 16) {
		bytes16 a, b, c, m;
		uint64_t lo, hi;

		memcpy(&a, p, 16);
		memcpy(&b, p + 1, 16);
		memcpy(&c, p + 2, 16);
		m = (bytes16)((a == w0) & (b == w1) & (c == w2));
		memcpy(&lo, &m, 8);
		memcpy(&hi, (char *)&m + 8, 8);
		if (lo | hi)
			break;	/* one is among these 16 places */
	}
	for (; end - p >= 3; p++)
		if (p[0] == word[0] && p[1] == word[1] && p[2] == word[2])
			return p;
	return NULL;
}
#else
static const char *
find_word3(const char *p, const char *end, const char *word)
{
	return memmem(p, (size_t)(end - p), word, 3);
}
#endif

static bool
line_has_word(struct word_scan *w, const struct reader *r, const char *line, size_t len)
{
	if (!w->valid || w->moves != r->moves || (w->hit && w->hit < line)) {
		const char *end = r->buf + r->end;

		if (w->len == 3)
			w->hit = find_word3(line, end, w->word);
		else
			w->hit = memmem(line, (size_t)(end - line), w->word, w->len);
		w->moves = r->moves;
		w->valid = true;
	}
	return w->hit && w->hit + w->len <= line + len;
}

/* ---- targets and files ---- */

void
maillog_init(struct maillog *m, struct diag *diag)
{
	memset(m, 0, sizeof(*m));
	m->diag = diag;
	m->index = g_hash_table_new(g_str_hash, g_str_equal);
}

/* A simple id's canonical form (what msgid_normalize gives for
 * "<local@domain>" or "local@domain" with no blank, quote, comment or
 * 8-bit byte) written into buf without allocating: the first pass meets
 * one id every few lines.  false: not that simple, or too long. */
static bool
canon_simple(struct logline_span v, char *buf, size_t size)
{
	const char *at = NULL;

	v = logline_trim(v);
	if (v.len && v.p[0] == '<') {
		if (v.len < 2 || v.p[v.len - 1] != '>')
			return false;
		v = span(v.p + 1, v.len - 2);
	}
	if (v.len == 0 || v.len >= size)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		/* A switch, not strchr: every announced id comes here. */
		switch (c) {
		case '(': case ')': case '<': case '>': case '"': case '\\':
			return false;
		}
		if (c <= ' ' || c >= 0x7f)
			return false;
		buf[i] = (char)c;
		if (c == '@')
			at = buf + i;
	}
	buf[v.len] = '\0';
	for (char *p = (char *)at; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return true;
}

/* The target whose id is v (as logged), or -1. */
static long
target_lookup(const struct maillog *m, struct logline_span v)
{
	char buf[1024];
	char *canon;
	gpointer hit;

	if (m->nr_targets == 0)
		return -1;
	if (canon_simple(v, buf, sizeof(buf)))
		return (long)GPOINTER_TO_SIZE(g_hash_table_lookup(m->index, buf)) - 1;
	canon = msgid_normalize(v.p, v.len);
	if (canon == NULL)
		return -1;
	hit = g_hash_table_lookup(m->index, canon);
	free(canon);
	return (long)GPOINTER_TO_SIZE(hit) - 1;
}

long
maillog_add_target(struct maillog *m, const char *canon, const char *shown)
{
	struct maillog_target *t;
	gpointer hit;

	if (*canon == '\0')
		return -1;
	hit = g_hash_table_lookup(m->index, canon);
	if (hit)
		return (long)GPOINTER_TO_SIZE(hit) - 1;
	m->targets = xgrow(m->targets, m->nr_targets + 1, &m->alloc_targets, sizeof(*m->targets));
	t = &m->targets[m->nr_targets];
	memset(t, 0, sizeof(*t));
	t->id = xstrdup(canon);
	t->shown = xstrdup(*shown ? shown : canon);
	g_hash_table_insert(m->index, t->id, GSIZE_TO_POINTER(m->nr_targets + 1));
	return (long)m->nr_targets++;
}

int
maillog_add_file(struct maillog *m, const char *path, struct error *err)
{
	unsigned char magic[8];
	struct maillog_file *f;
	struct stat st;
	ssize_t n;
	int fd;

	if (m->nr_files >= FPKIT_LIMIT_LOG_FILES)
		return error_set(err, EX_USAGE, "more than %d mail logs given (at '%s'): "
				 "join some of them first", FPKIT_LIMIT_LOG_FILES, path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return error_set(err, errno == ENOENT || errno == EACCES ? EX_NOINPUT : EX_IOERR,
				 "cannot open mail log '%s': %s", path, strerror(errno));
	/* Read twice, so a pipe or a device would not do. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set(err, EX_NOINPUT, "mail log '%s' is not a regular file "
				 "(it is read twice: give a file, not a folder or a pipe)", path);
	}
	for (size_t i = 0; i < m->nr_files; i++)
		if (m->files[i].dev == st.st_dev && m->files[i].ino == st.st_ino) {
			close(fd);
			diag_add(m->diag, "mail log '%s' is '%s' again: read once", path,
				 m->files[i].path);
			return 0;
		}
	do
		n = pread(fd, magic, sizeof(magic), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		error_set(err, EX_IOERR, "cannot read mail log '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	m->files = xgrow(m->files, m->nr_files + 1, &m->alloc_files, sizeof(*m->files));
	f = &m->files[m->nr_files++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->fd = fd;
	f->compression = instream_compression(magic, (size_t)n);
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

void
maillog_watch(struct maillog *m, void (*fn)(void *arg, size_t file, const char *line, size_t len),
	      void *arg)
{
	m->watch = fn;
	m->watch_arg = arg;
}

/* ---- the two passes ---- */

/* A line that announces a target's Message-ID. */
struct anchor {
	uint64_t seq;
	size_t target;
	size_t queue;
};

/* One queue id (on one host) named by an anchor, and the lines of it
 * since the MTA was last done with a message. */
struct queue {
	char *key;		/* "host qid" */
	char *host, *qid;
	enum logline_mta mta;
	size_t *anchors;	/* into scan.anchors, in log order */
	size_t nr_anchors, alloc_anchors;
	size_t next;		/* the first anchor not yet in a story */
	struct maillog_story seg;
};

struct scan {
	struct maillog *m;
	char *buf;		/* the window */
	size_t cap;
	struct anchor *anchors;
	size_t nr_anchors, alloc_anchors;
	struct queue *queues;
	size_t nr_queues, alloc_queues;
	GHashTable *qindex;	/* queue key -> index + 1 */
	size_t kept;		/* bytes of lines held */
	bool warned_kept, warned_anchors, warned_queue;
	uint64_t seq;		/* lines read, over all the files */
	/* The last two bytes of every anchored queue id, as a set of bits
	 * (see may_hold_queue); enders_all: some id is not of "QID: " form,
	 * so no line is passed over. */
	uint64_t enders[BITSET_WORDS(65536)];
	bool enders_all;
};

/* "host qid" into buf; false when it does not fit (no real name is that
 * long). */
static bool
queue_key(char *buf, size_t size, struct logline_span host, struct logline_span qid)
{
	if (host.len > MAILLOG_MAX_HOST || qid.len > LOGLINE_MAX_QID ||
	    host.len + qid.len + 2 > size)
		return false;
	memcpy(buf, host.p, host.len);
	buf[host.len] = ' ';
	memcpy(buf + host.len + 1, qid.p, qid.len);
	buf[host.len + 1 + qid.len] = '\0';
	return true;
}

static void
story_init(struct maillog_story *s)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->text, STRBUF_NO_MAX);
}

static void
story_release(struct maillog_story *s)
{
	free(s->qid);
	free(s->host);
	free(s->lines);
	strbuf_release(&s->text);
}

/*
 * The second pass reads every line of the logs and keeps few: a line is
 * of an anchored queue only when logline_queue_id finds one of their
 * ids, which (but for Exim's, which hold a '-') ends just before a ": "
 * of the line.  So a line with no ": " preceded by the last two bytes of
 * some anchored id is passed over unparsed; the others are parsed as
 * before, and the same lines kept.
 */
static unsigned
ender_of(const char *end)
{
	return (unsigned)(unsigned char)end[-2] << 8 | (unsigned char)end[-1];
}

static void
note_ender(struct scan *sc, struct logline_span qid)
{
	if (qid.len < 2 || memchr(qid.p, '-', qid.len)) {
		sc->enders_all = true;
		return;
	}
	bitset_add(sc->enders, ender_of(qid.p + qid.len));
}

static bool
may_hold_queue(const struct scan *sc, const char *line, size_t len)
{
	const char *p = line, *end = line + len;

	if (sc->enders_all)
		return true;
	while ((p = memchr(p, ':', (size_t)(end - p))) != NULL) {
		if (p - line >= 2 && p + 1 < end && p[1] == ' ' && bitset_has(sc->enders, ender_of(p)))
			return true;
		p++;
	}
	return false;
}

static void
add_anchor(struct scan *sc, const struct logline_syslog *sl, struct logline_span qid,
	   enum logline_mta mta, size_t target)
{
	char key[MAILLOG_MAX_HOST + LOGLINE_MAX_QID + 2];
	struct queue *q;
	struct anchor *a;
	size_t qi;
	gpointer hit;

	if (!queue_key(key, sizeof(key), sl->host, qid))
		return;
	if (sc->nr_anchors == FPKIT_LIMIT_LOG_ANCHORS) {
		if (!sc->warned_anchors)
			diag_add(sc->m->diag, "mail logs: more than %d lines announce the targets' "
				 "Message-IDs: those after the first %d are not followed",
				 FPKIT_LIMIT_LOG_ANCHORS, FPKIT_LIMIT_LOG_ANCHORS);
		sc->warned_anchors = true;
		return;
	}
	hit = g_hash_table_lookup(sc->qindex, key);
	if (hit) {
		qi = GPOINTER_TO_SIZE(hit) - 1;
	} else {
		sc->queues = xgrow(sc->queues, sc->nr_queues + 1, &sc->alloc_queues,
				   sizeof(*sc->queues));
		qi = sc->nr_queues++;
		q = &sc->queues[qi];
		memset(q, 0, sizeof(*q));
		q->key = xstrdup(key);
		q->host = xstrndup(sl->host.p, sl->host.len);
		q->qid = xstrndup(qid.p, qid.len);
		q->mta = mta;
		story_init(&q->seg);
		note_ender(sc, qid);
		g_hash_table_insert(sc->qindex, q->key, GSIZE_TO_POINTER(qi + 1));
	}
	q = &sc->queues[qi];
	sc->anchors = xgrow(sc->anchors, sc->nr_anchors + 1, &sc->alloc_anchors,
			    sizeof(*sc->anchors));
	a = &sc->anchors[sc->nr_anchors];
	a->seq = sc->seq;
	a->target = target;
	a->queue = qi;
	q->anchors = xgrow(q->anchors, q->nr_anchors + 1, &q->alloc_anchors, sizeof(*q->anchors));
	q->anchors[q->nr_anchors++] = sc->nr_anchors++;
}

/* Pass 1: the anchors, and each file's size and line count. */
static int
pass_anchors(struct scan *sc, struct error *err)
{
	struct maillog *m = sc->m;
	int rc = 0;

	for (size_t i = 0; i < m->nr_files && rc == 0; i++) {
		struct maillog_file *f = &m->files[i];
		struct word_scan idw = { "id=", 3, NULL, 0, false };
		uint64_t first_long = 0;
		struct reader r;
		const char *line;
		size_t len;
		bool toolong;

		if (reader_open(&r, f, sc->buf, sc->cap, -1, err) < 0)
			return -1;
		r.stop = m->stop;
		while ((rc = reader_next(&r, &line, &len, &toolong, err)) > 0) {
			struct logline_syslog sl;
			struct logline_span qid, id;
			enum logline_mta mta;
			long t;

			sc->seq++;
			if (toolong) {
				if (f->long_lines++ == 0)
					first_long = r.lineno;
				continue;
			}
			if (m->watch)
				m->watch(m->watch_arg, i, line, len);
			/* Cheap first: every announcing line holds "id=". */
			if (len < 3 || !line_has_word(&idw, &r, line, len) ||
			    logline_parse_syslog(line, len, &sl) < 0)
				continue;
			mta = logline_announced_id(sl.msg, &qid, &id);
			if (mta != LOGLINE_NONE && (t = target_lookup(m, id)) >= 0)
				add_anchor(sc, &sl, qid, mta, (size_t)t);
		}
		f->bytes = r.got;
		f->lines = r.lineno;
		reader_close(&r, &m->read_cpu);
		/* The lines before a limit on decompression are good: they are
		 * followed, the next logs read; the second pass stops there. */
		if (rc == 0 && r.over.status) {
			f->cut = true;
			diag_add(m->diag, "mail log %s: read up to line %" PRIu64 ", not further",
				 r.over.msg, r.lineno);
		}
		if (f->long_lines)
			diag_add(m->diag, "mail log '%s': %" PRIu64 " line%s longer than %d bytes "
				 "skipped (the first is line %" PRIu64 ")", f->path, f->long_lines,
				 f->long_lines == 1 ? "" : "s", FPKIT_LIMIT_LOG_LINE, first_long);
	}
	return rc < 0 ? -1 : 0;
}

/* Hold one line of a queue, within the limits. */
static void
keep_line(struct scan *sc, struct queue *q, const char *line, size_t len, size_t file,
	  uint64_t lineno)
{
	struct maillog_story *s = &q->seg;
	struct maillog_line *l;

	s->last_seq = sc->seq;
	if (s->nr_lines >= FPKIT_LIMIT_LOG_QUEUE_LINES || len > FPKIT_LIMIT_LOG_KEPT - sc->kept) {
		if (s->nr_lines < FPKIT_LIMIT_LOG_QUEUE_LINES && !sc->warned_kept) {
			diag_add(sc->m->diag, "mail logs: more than %zu bytes of lines about the "
				 "targets: the rest are left out of logs/", FPKIT_LIMIT_LOG_KEPT);
			sc->warned_kept = true;
		}
		if (s->nr_lines >= FPKIT_LIMIT_LOG_QUEUE_LINES && !sc->warned_queue) {
			diag_add(sc->m->diag, "mail logs: queue %s on %s has more than the limit of "
				 "%d lines: the rest are left out of logs/ (counted there)", q->qid,
				 q->host, FPKIT_LIMIT_LOG_QUEUE_LINES);
			sc->warned_queue = true;
		}
		s->omitted++;
		return;
	}
	s->lines = xgrow(s->lines, s->nr_lines + 1, &s->alloc_lines, sizeof(*s->lines));
	l = &s->lines[s->nr_lines++];
	l->seq = sc->seq;
	l->file = file;
	l->lineno = lineno;
	l->off = s->text.len;
	l->len = len;
	strbuf_add(&s->text, line, len);
	sc->kept += len;
}

static void
target_add_story(struct maillog_target *t, size_t story)
{
	for (size_t i = 0; i < t->nr_stories; i++)
		if (t->stories[i] == story)
			return;
	t->stories = xgrow(t->stories, t->nr_stories + 1, &t->alloc_stories, sizeof(*t->stories));
	t->stories[t->nr_stories++] = story;
}

/* The pending segment of q ends: a story when an anchor lies in it, else
 * dropped. */
static void
close_segment(struct scan *sc, struct queue *q, enum maillog_end end)
{
	struct maillog *m = sc->m;
	struct maillog_story *s = &q->seg;
	size_t idx;

	if (s->nr_lines == 0 && s->omitted == 0)
		return;
	if (q->next >= q->nr_anchors || sc->anchors[q->anchors[q->next]].seq > s->last_seq) {
		sc->kept -= s->text.len;
		story_release(s);
		story_init(s);
		return;
	}
	s->end = end;
	s->mta = q->mta;
	s->qid = xstrdup(q->qid);
	s->host = xstrdup(q->host);
	s->anchor_seq = sc->anchors[q->anchors[q->next]].seq;
	m->stories = xgrow(m->stories, m->nr_stories + 1, &m->alloc_stories, sizeof(*m->stories));
	idx = m->nr_stories++;
	m->stories[idx] = *s;
	while (q->next < q->nr_anchors && sc->anchors[q->anchors[q->next]].seq <= s->last_seq)
		target_add_story(&m->targets[sc->anchors[q->anchors[q->next++]].target], idx);
	story_init(s);
}

static int
changed(const struct maillog_file *f, uint64_t lineno, struct error *err)
{
	return error_set(err, EX_DATAERR, "mail log '%s' changed while it was read (near line "
			 "%" PRIu64 "): give a copy that does not change, such as a rotated file",
			 f->path, lineno);
}

/* Pass 2: every line of the anchored queues, cut into stories. */
static int
pass_stories(struct scan *sc, struct error *err)
{
	struct maillog *m = sc->m;
	size_t next = 0;	/* the next anchor to meet */
	int rc = 0;

	sc->seq = 0;
	for (size_t i = 0; i < m->nr_files && rc == 0; i++) {
		struct maillog_file *f = &m->files[i];
		struct reader r;
		const char *line;
		size_t len;
		bool toolong;

		if (reader_open(&r, f, sc->buf, sc->cap, f->bytes, err) < 0)
			return -1;
		r.stop = m->stop;
		while ((rc = reader_next(&r, &line, &len, &toolong, err)) > 0) {
			char key[MAILLOG_MAX_HOST + LOGLINE_MAX_QID + 2];
			struct logline_span qid, rest;
			struct logline_facts facts;
			struct logline_syslog sl;
			struct queue *q;
			gpointer hit;

			sc->seq++;
			if (next < sc->nr_anchors && sc->anchors[next].seq < sc->seq) {
				rc = changed(f, r.lineno, err);
				break;
			}
			if (toolong || (!may_hold_queue(sc, line, len) &&
					(next >= sc->nr_anchors || sc->anchors[next].seq != sc->seq)) ||
			    logline_parse_syslog(line, len, &sl) < 0 ||
			    !logline_queue_id(sl.msg, &qid, &rest) ||
			    !queue_key(key, sizeof(key), sl.host, qid) ||
			    (hit = g_hash_table_lookup(sc->qindex, key)) == NULL)
				continue;
			q = &sc->queues[GPOINTER_TO_SIZE(hit) - 1];
			if (next < sc->nr_anchors && sc->anchors[next].seq == sc->seq) {
				if (&sc->queues[sc->anchors[next].queue] != q) {
					rc = changed(f, r.lineno, err);
					break;
				}
				next++;
			}
			logline_parse_facts(q->mta, rest, &facts);
			/* Sendmail writes no end: its next from= starts anew. */
			if (q->mta == LOGLINE_SENDMAIL && facts.from.p && q->seg.has_from)
				close_segment(sc, q, MAILLOG_END_NEXT);
			keep_line(sc, q, line, len, i, r.lineno);
			if (facts.from.p)
				q->seg.has_from = true;
			if (facts.end)
				close_segment(sc, q, MAILLOG_END_MTA);
		}
		if (rc == 0 && r.got < f->bytes)
			rc = changed(f, r.lineno, err);
		reader_close(&r, &m->read_cpu);
	}
	if (rc < 0)
		return -1;
	if (next < sc->nr_anchors)
		return changed(&m->files[m->nr_files - 1], 0, err);
	for (size_t i = 0; i < sc->nr_queues; i++)
		close_segment(sc, &sc->queues[i], MAILLOG_END_LOGS);
	return 0;
}

static void
scan_release(struct scan *sc)
{
	for (size_t i = 0; i < sc->nr_queues; i++) {
		struct queue *q = &sc->queues[i];

		free(q->key);
		free(q->host);
		free(q->qid);
		free(q->anchors);
		story_release(&q->seg);
	}
	free(sc->queues);
	free(sc->anchors);
	free(sc->buf);
	if (sc->qindex)
		g_hash_table_destroy(sc->qindex);
}

int
maillog_scan(struct maillog *m, int64_t near, struct error *err)
{
	struct scan sc;
	int rc = -1;

	memset(&sc, 0, sizeof(sc));
	m->near = near;
	sc.m = m;
	sc.cap = MAILLOG_WINDOW + FPKIT_LIMIT_LOG_LINE + 1;
	sc.buf = xmalloc(sc.cap);
	sc.qindex = g_hash_table_new(g_str_hash, g_str_equal);
	if (pass_anchors(&sc, err) < 0)
		goto out;
	if (sc.nr_anchors > 0 && pass_stories(&sc, err) < 0)
		goto out;
	/* Each target's stories in log order (stories are made as their
	 * queues end, which is not the order they began). */
	for (size_t i = 0; i < m->nr_targets; i++) {
		struct maillog_target *t = &m->targets[i];

		for (size_t a = 1; a < t->nr_stories; a++)
			for (size_t b = a; b > 0 && m->stories[t->stories[b - 1]].anchor_seq >
						    m->stories[t->stories[b]].anchor_seq; b--) {
				size_t tmp = t->stories[b];

				t->stories[b] = t->stories[b - 1];
				t->stories[b - 1] = tmp;
			}
		if (t->nr_stories == 0 && m->nr_files > 0 && !t->quiet)
			diag_add(m->diag, "no mail-log line announces the Message-ID <%s>", t->shown);
	}
	rc = 0;
out:
	scan_release(&sc);
	return rc;
}

/* ---- what the trail gives: excerpts and JSON ---- */

/* Text from a log for JSON: control characters and invalid UTF-8 made
 * visible (jansson refuses the latter); null when absent. */
static json_t *
json_span(struct logline_span s)
{
	char *safe;
	json_t *v;

	if (s.p == NULL)
		return json_null();
	safe = textsafe_visible(s.p, s.len);
	v = json_string(safe);
	free(safe);
	return v;
}

static json_t *
json_time(bool has, int64_t t)
{
	char buf[TIMEFMT_ISO_LEN];

	return has ? json_string(timefmt_iso_utc(t, buf)) : json_null();
}

/* One recipient object per address of a delivery attempt (Sendmail
 * lists several in one to=, comma-separated). */
static void
add_recipients(json_t *arr, const struct logline_facts *f, enum logline_mta mta, json_t *when)
{
	const char *p = f->to.p, *end = f->to.p + f->to.len;

	do {
		const char *comma = mta == LOGLINE_SENDMAIL ? memchr(p, ',', (size_t)(end - p)) : NULL;
		const char *e = comma ? comma : end;

		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:O}",
			"to", json_span(logline_unbracket(span(p, (size_t)(e - p)))),
			"relay", json_span(f->relay),
			"status", json_span(f->status),
			"dsn", json_span(f->dsn),
			"detail", json_span(f->detail),
			"time", when));
		p = comma ? comma + 1 : end;
	} while (p < end);
}

/* A story as summary.json's delivery object. */
static json_t *
story_json(const struct maillog *m, const struct maillog_story *s)
{
	struct logline_span from = { NULL, 0 }, client = { NULL, 0 };
	json_t *rcpts = json_array(), *when = json_null();
	const struct maillog_line *anchor = NULL;

	for (size_t i = 0; i < s->nr_lines; i++) {
		const struct maillog_line *l = &s->lines[i];
		struct logline_span qid, rest;
		struct logline_facts f;
		struct logline_syslog sl;
		json_t *t;
		int64_t lt = 0;
		bool has_time;

		if (logline_parse_syslog(s->text.buf + l->off, l->len, &sl) < 0 ||
		    !logline_queue_id(sl.msg, &qid, &rest))
			continue;
		logline_parse_facts(s->mta, rest, &f);
		has_time = logline_stamp_time(&sl, m->near, &lt) == 0;
		t = json_time(has_time, lt);
		if (l->seq == s->anchor_seq) {
			anchor = l;
			json_decref(when);
			when = json_incref(t);
		}
		if (f.from.p && from.p == NULL)
			from = f.from;
		if (f.client.p && client.p == NULL)
			client = f.client;
		if (f.recipient)
			add_recipients(rcpts, &f, s->mta, t);
		json_decref(t);
	}
	/* from and client point into s->text, which outlives this call. */
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"queue_id", s->qid,
		"mta", logline_mta_name(s->mta),
		"host", *s->host ? json_span(span(s->host, strlen(s->host))) : json_null(),
		"time", when,
		"from", json_span(from),
		"client", json_span(client),
		"recipients", rcpts,
		/* Sendmail writes no line that says it is done. */
		"complete", s->mta == LOGLINE_SENDMAIL ? json_null() :
			    json_boolean(s->end == MAILLOG_END_MTA),
		"source", anchor ? json_span(span(m->files[anchor->file].path,
						   strlen(m->files[anchor->file].path))) : json_null(),
		"line", anchor ? json_integer((json_int_t)anchor->lineno) : json_null());
}

json_t *
maillog_delivery_json(const struct maillog *m, size_t i)
{
	json_t *arr = json_array();

	for (size_t k = 0; i < m->nr_targets && k < m->targets[i].nr_stories; k++)
		json_array_append_new(arr, story_json(m, &m->stories[m->targets[i].stories[k]]));
	return arr;
}

/* One kept line as the excerpts give it, "FILE:LINE: line\n", FILE the
 * path as given or, with 'base_name', its last component, control
 * characters made visible in both. */
static void
add_line(struct strbuf *sb, const struct maillog *m, const struct maillog_story *s,
	 const struct maillog_line *l, bool base_name)
{
	const char *path = m->files[l->file].path, *slash = strrchr(path, '/');
	char *p, *text;

	if (base_name && slash && slash[1])
		path = slash + 1;
	p = textsafe_visible(path, strlen(path));
	text = textsafe_visible(s->text.buf + l->off, l->len);
	strbuf_addf(sb, "%s:%" PRIu64 ": %s\n", p, l->lineno, text);
	free(p);
	free(text);
}

char *
maillog_lines(const struct maillog *m, size_t target, bool base_names, uint64_t *omitted,
	      size_t *len)
{
	const struct maillog_target *t;
	struct strbuf sb;

	*omitted = 0;
	if (target >= m->nr_targets || m->targets[target].nr_stories == 0)
		return NULL;
	t = &m->targets[target];
	strbuf_init(&sb, STRBUF_NO_MAX);
	for (size_t k = 0; k < t->nr_stories; k++) {
		const struct maillog_story *s = &m->stories[t->stories[k]];

		if (k)
			strbuf_addstr(&sb, "\n");
		for (size_t i = 0; i < s->nr_lines; i++)
			add_line(&sb, m, s, &s->lines[i], base_names);
		*omitted += s->omitted;
	}
	return strbuf_detach(&sb, len);
}

int
maillog_handover(const struct maillog *m, size_t i, const char *ip, int64_t *t, bool *zoned)
{
	/* 0: the announcing line, 1: an attempt, 2: one at 'ip' */
	int best = -1;

	for (size_t k = 0; i < m->nr_targets && k < m->targets[i].nr_stories && best < 2; k++) {
		const struct maillog_story *s = &m->stories[m->targets[i].stories[k]];

		for (size_t n = 0; n < s->nr_lines && best < 2; n++) {
			const struct maillog_line *l = &s->lines[n];
			char addr[LOGLINE_IP_LEN];
			struct logline_span qid, rest;
			struct logline_facts f;
			struct logline_syslog sl;
			int64_t lt;
			int rank;

			if (logline_parse_syslog(s->text.buf + l->off, l->len, &sl) < 0 ||
			    !logline_queue_id(sl.msg, &qid, &rest))
				continue;
			logline_parse_facts(s->mta, rest, &f);
			if (logline_remote(s->mta, sl.prog, rest, &f, addr))
				rank = ip && strcmp(addr, ip) == 0 ? 2 : 1;
			else if (l->seq == s->anchor_seq)
				rank = 0;
			else
				continue;
			if (rank <= best || logline_stamp_time(&sl, m->near, &lt) < 0)
				continue;
			best = rank;
			*t = lt;
			*zoned = logline_stamp_zoned(&sl);
		}
	}
	return best < 0 ? -1 : 0;
}

/* A heading, then each story's lines as FILE:LINE:. */
char *
maillog_excerpt(const struct maillog *m, size_t target, size_t *len)
{
	const struct maillog_target *t;
	struct strbuf sb;
	char *id;

	if (target >= m->nr_targets || m->targets[target].nr_stories == 0)
		return NULL;
	t = &m->targets[target];
	id = textsafe_visible(t->shown, strlen(t->shown));
	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addf(&sb, "# fpkit: the mail-log lines about Message-ID <%s>\n"
		    "# %zu queue%s, each line as FILE:LINE: the line as logged "
		    "(control characters shown as \\xHH)\n", id, t->nr_stories,
		    t->nr_stories == 1 ? "" : "s");
	free(id);
	for (size_t k = 0; k < t->nr_stories; k++) {
		const struct maillog_story *s = &m->stories[t->stories[k]];
		char *host = textsafe_visible(s->host, strlen(s->host));

		strbuf_addf(&sb, "\n# queue %s%s%s (%s): %s\n", s->qid, *host ? " on " : "", host,
			    logline_mta_name(s->mta),
			    s->end == MAILLOG_END_MTA ? "complete" :
			    s->end == MAILLOG_END_NEXT ? "until the queue id takes another message" :
			    s->mta == LOGLINE_SENDMAIL ? "to the end of the logs" :
			    "the logs end before the MTA is done with it");
		free(host);
		for (size_t i = 0; i < s->nr_lines; i++)
			add_line(&sb, m, s, &s->lines[i], false);
		if (s->omitted)
			strbuf_addf(&sb, "# %" PRIu64 " more line%s of this queue left out (limits: "
				    "%d lines a queue, %zu bytes in all)\n", s->omitted,
				    s->omitted == 1 ? "" : "s", FPKIT_LIMIT_LOG_QUEUE_LINES,
				    FPKIT_LIMIT_LOG_KEPT);
	}
	return strbuf_detach(&sb, len);
}

long
maillog_find_target(const struct maillog *m, const char *id)
{
	return target_lookup(m, span(id, strlen(id)));
}

json_t *
maillog_files_json(const struct maillog *m)
{
	json_t *files = json_array();

	for (size_t i = 0; i < m->nr_files; i++) {
		const struct maillog_file *f = &m->files[i];

		json_array_append_new(files, json_pack("{s:o, s:o, s:I, s:I}",
			"file", json_span(span(f->path, strlen(f->path))),
			"compression", f->compression ? json_string(f->compression) : json_null(),
			"lines", (json_int_t)f->lines,
			"long_lines", (json_int_t)f->long_lines));
	}
	return files;
}

void
maillog_each_line(const struct maillog *m, size_t i, maillog_line_fn fn, void *data)
{
	for (size_t k = 0; i < m->nr_targets && k < m->targets[i].nr_stories; k++) {
		const struct maillog_story *s = &m->stories[m->targets[i].stories[k]];

		for (size_t j = 0; j < s->nr_lines; j++) {
			const struct maillog_line *l = &s->lines[j];

			if (!fn(s->text.buf + l->off, l->len, s->mta, m->files[l->file].path,
				l->lineno, data))
				return;
		}
	}
}

void
maillog_forget(struct maillog *m, size_t i)
{
	if (i < m->nr_targets)
		m->targets[i].nr_stories = 0;
}

void
maillog_release(struct maillog *m)
{
	for (size_t i = 0; i < m->nr_targets; i++) {
		free(m->targets[i].id);
		free(m->targets[i].shown);
		free(m->targets[i].stories);
	}
	free(m->targets);
	for (size_t i = 0; i < m->nr_files; i++) {
		free(m->files[i].path);
		close(m->files[i].fd);
	}
	free(m->files);
	for (size_t i = 0; i < m->nr_stories; i++)
		story_release(&m->stories[i]);
	free(m->stories);
	if (m->index)
		g_hash_table_destroy(m->index);
	memset(m, 0, sizeof(*m));
}
