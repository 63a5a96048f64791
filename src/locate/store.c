/* store.c - walking mail stores and reading each message's header block
 *
 * Only header blocks are read from message files: a Message-ID is all
 * the finder needs, and bodies are most of a store's bytes.  An mbox has
 * to be read whole, since its messages are only told apart by the "From "
 * lines between them: it is streamed through one fixed buffer, the bodies
 * skipped by a search for "\nFrom ", so memory does not grow with the
 * file.  Every file is read through instream.c, which decompresses and
 * bounds what decompression may cost. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fpkit_limits.h"
#include "instream.h"
#include "mboxsep.h"
#include "msgid.h"
#include "store.h"
#include "strbuf.h"
#include "xalloc.h"

/* The first read of a message file; most header blocks fit. */
#define STORE_FIRST_READ 4096

/* O_NOFOLLOW: a symbolic link is never followed inside a store (see
 * list_folder); one put in a listed file's place between the listing and
 * the open makes the open fail. */
#define STORE_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW)
/* The path given as a store may be a link, unless another user owns it
 * (path_has_foreign_link). */
#define STORE_TOP_FLAGS (STORE_OPEN_FLAGS & ~O_NOFOLLOW)
/* The same for a folder inside a store. */
#define STORE_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)

/* Message files are read by STORE_READERS_WARM threads: most of their
 * time goes to open and read system calls.  When reads wait for the
 * disk (STORE_SLOW_READS of STORE_SLOW_ROUND reads of one thread took
 * STORE_SLOW_READ_NS or more: a cold cache, not a thread put aside now
 * and then), up to STORE_READERS:
 * a disk answers sooner with more requests in flight (a 1 GiB Maildir
 * of 48 KiB messages, cold: 0.85 s with 4 readers, 0.55 s with 16),
 * while from the page cache more threads than processors only take
 * turns (the same Maildir warm: 0.11 s with 4, 0.15 s with 16).
 * Callbacks still run one at a time. */
#define STORE_READERS_WARM 4
#define STORE_READERS 16
#define STORE_SLOW_READ_NS 200000
#define STORE_SLOW_READS 8
#define STORE_SLOW_ROUND 64

/* An mbox, plain or compressed, is read by at most this many threads at
 * once (the parts of a plain one; a compressed one's decoder), and at
 * most this many mboxes at once among the readers: each holds windows
 * of several MiB. */
#define STORE_THREADS 4

/* The mbox window read from a stream: large reads, and room for a whole
 * header block (max_header) plus its "From " line. */
#define STORE_MBOX_BUF (4 * 1024 * 1024)

/* The window of a mapped mbox, past the same room: the pages of a file
 * count in the memory of the process while they are mapped. */
#define STORE_MBOX_MAP (4 * 1024 * 1024)

/* Where a window of a mapped mbox begins in the file and in memory: a
 * multiple of the size of a large page (see map_aligned). */
#define STORE_MAP_ALIGN (2 * 1024 * 1024)

/* A plain mbox at least this large is read by several threads, each
 * from a "From " line on (a thread costs less than a millisecond). */
#define STORE_MBOX_SPLIT ((int64_t)8 * 1024 * 1024)

/* The scan: shared by the threads, changed only under 'lock'. */
struct walk {
	const struct store_options *opt;
	store_msg_fn fn;
	void *data;
	pthread_mutex_t lock;	/* around fn, diag and the failure */
	sem_t mboxes;		/* mboxes that may be read at once */
	bool failed;		/* a callback failed: stop */
	struct error *err;	/* ... and why */
	struct {		/* folders on the current path, for loops */
		dev_t dev;
		ino_t ino;
	} stack[FPKIT_LIMIT_STORE_DEPTH];
	int depth;
	struct queue *queue;	/* the files found, for the reading threads */
};

/* sem_wait, through signals. */
static void
sem_wait_intr(sem_t *s)
{
	while (sem_wait(s) < 0 && errno == EINTR)
		;
}

/* A plain mbox is mapped a window at a time, not copied: its bytes are
 * read where the page cache holds them.  A file cut shorter while it is
 * mapped (a mail client rewriting it) makes the next touch of a page
 * past its new end raise SIGBUS; the scan catches it in the thread that
 * touched the page, by the address, and stops that file with a warning.
 * Nothing reads the mapping but the scan's own loop (the header handed
 * to the callback is a copy), so no lock is ever held there. */
struct map_guard {
	sigjmp_buf env;
	const char *lo, *hi;	/* the mapping being read */
};

/* The bytes an mbox scan looks at: a window of the file (mapped), or a
 * buffer that a stream fills (compressed, or a file that cannot be
 * mapped).  buf[0] is the file's (or the decompressed stream's) byte
 * 'base'. */
struct mbox_win {
	char *buf;
	size_t len;
	int64_t base;
	bool eof;		/* the window reaches the end (of the part) */
	size_t cap;		/* bytes held at least, before the end */
	int fd;
	int64_t limit;		/* mapped: where the part ends */
	char *map;		/* mapped: the mapping, or NULL */
	size_t map_len;
	struct instream *r;	/* read: the stream, else NULL */
	struct map_guard guard;
};

/* What one thread reuses from file to file. */
struct worker {
	struct walk *w;
	struct strbuf head;	/* the header block being read */
	struct strbuf path;	/* the file's path */
	char *mbox_buf;		/* the mbox window, allocated on first use */
	size_t mbox_cap;
	struct mbox_win win;	/* the mbox being read (here: see scan_mbox) */
	uint64_t passed;	/* messages passed over, not yet counted */
	unsigned slow;		/* reads that waited for the disk ... */
	unsigned reads;		/* ... among these (see STORE_SLOW_ROUND) */
};

static void
worker_init(struct worker *wk, struct walk *w)
{
	memset(wk, 0, sizeof(*wk));
	wk->w = w;
	strbuf_init(&wk->head, w->opt->max_header);
	strbuf_init(&wk->path, STRBUF_NO_MAX);
}

static void
worker_release(struct worker *wk)
{
	strbuf_release(&wk->head);
	strbuf_release(&wk->path);
	free(wk->mbox_buf);
}

/* A warning for the scan's diag list, from any thread. */
static void
walk_diag(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
walk_diag(struct walk *w, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&w->lock);
	diag_add(w->opt->diag, "%s", buf);
	pthread_mutex_unlock(&w->lock);
}

/* Hand a message to the callback, one at a time. */
static int
walk_deliver(struct worker *wk, struct store_msg *msg)
{
	struct walk *w = wk->w;
	int rc;

	/* Most messages are not wanted: that is decided without the lock. */
	if (w->opt->want && !w->opt->want(msg, w->data))
		return 0;
	pthread_mutex_lock(&w->lock);
	if (w->failed) {
		rc = -1;
	} else {
		rc = w->fn(msg, w->data, w->err);
		if (rc < 0)
			__atomic_store_n(&w->failed, true, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

const char *
store_format_name(enum store_format f)
{
	switch (f) {
	case STORE_EML: return "eml";
	case STORE_MAILDIR: return "maildir";
	case STORE_MBOX: return "mbox";
	case STORE_MH: return "mh";
	case STORE_DOVECOT: return "dovecot";
	case STORE_IMAP: return "imap";
	}
	return "unknown";
}

int
store_msg_complete(struct store_msg *msg)
{
	struct stat st;

	if (msg->length >= 0)
		return 0;
	if (msg->fd < 0 || fstat(msg->fd, &st) < 0)
		return -1;
	msg->length = (int64_t)st.st_size;
	msg->dev = st.st_dev;
	msg->ino = st.st_ino;
	return 0;
}

/* ftext (RFC 5322 3.6.8): printable US-ASCII but the colon. */
static bool
is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* A field's name and colon start the line of 'len' bytes at p. */
static bool
is_field_start(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && is_ftext((unsigned char)p[i]))
		i++;
	if (i == 0)
		return false;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < len && p[i] == ':';
}

bool
store_looks_like_message(const char *buf, size_t len)
{
	size_t n = len < STORE_SNIFF_WINDOW ? len : STORE_SNIFF_WINDOW, pos = 0;
	unsigned fields = 0;

	if (memchr(buf, '\0', n))
		return false;
	while (pos < n) {
		const char *line = buf + pos, *nl = memchr(line, '\n', n - pos);
		size_t ll = nl ? (size_t)(nl - line) : n - pos;

		if (nl == NULL)		/* the window ends in this line */
			return fields > 0 && is_field_start(line, ll);
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (ll == 0)		/* the empty line after the fields */
			return fields > 0;
		if (line[0] == ' ' || line[0] == '\t') {
			if (fields == 0)
				return false;	/* a fold needs a field before it */
		} else if (fields == 0 && !isalpha((unsigned char)line[0])) {
			return false;	/* JSON, a comment, a section: see store.h */
		} else if (!is_field_start(line, ll)) {
			return false;
		} else if (++fields == 2) {
			return true;
		}
		pos = (size_t)(nl + 1 - buf);
	}
	return false;
}

/* The end of the header block in head (which holds 'len' bytes of a
 * message), found again from the start of its last complete line. */
static size_t
header_end_from(const char *buf, size_t len, size_t old_len, bool *complete)
{
	const char *nl = old_len ? memrchr(buf, '\n', old_len) : NULL;
	size_t from = nl ? (size_t)(nl + 1 - buf) : 0;

	return from + msgid_header_end(buf + from, len - from, complete);
}

/* Hand one message file's header block to the callback. */
static int
deliver_file(struct worker *wk, const char *path, enum store_format format,
	     const char *compression, int fd, size_t end, bool complete)
{
	struct store_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.path = path;
	msg.format = format;
	msg.compression = compression;
	msg.offset = 0;
	msg.length = -1;
	msg.dev = 0;
	msg.ino = 0;
	msg.header = wk->head.buf;
	msg.header_len = end;
	msg.header_complete = complete;
	msg.fd = fd;
	return walk_deliver(wk, &msg);
}

/* How a file met in a folder is taken, when it is no mbox. */
enum file_rule {
	FILE_MESSAGE,		/* a message (Maildir, MH folder, *.eml, the path given) */
	FILE_SNIFF,		/* a message if its first bytes look like one */
	FILE_MBOX_ONLY,		/* nothing (a dot file: a program's state) */
};

/* Whether a file that is no mbox is a message, by the rule its place
 * gives and its first bytes. */
static bool
is_message(enum file_rule rule, const char *buf, size_t len)
{
	return rule == FILE_MESSAGE || (rule == FILE_SNIFF && store_looks_like_message(buf, len));
}

static int scan_mbox(struct worker *wk, const char *path, int fd, const char *compression,
		     int64_t first, int64_t limit);
static int scan_mbox_parallel(struct worker *wk, const char *path, int fd, int64_t first);

/* A file's first read, timed: reads that wait for the disk are counted
 * for the pool (STORE_SLOW_READS, queue_grow), in rounds of
 * STORE_SLOW_ROUND reads, since a thread put aside now and then on a
 * busy machine is not a disk. */
static ssize_t
first_read(struct worker *wk, int fd, char *buf, size_t size)
{
	struct timespec t0, t1;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (wk->slow < STORE_SLOW_READS) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		wk->slow += (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) >=
			    STORE_SLOW_READ_NS;
		if (++wk->reads % STORE_SLOW_ROUND == 0 && wk->slow < STORE_SLOW_READS)
			wk->slow = 0;
	}
	return n;
}

/* One file: a message or an mbox, maybe compressed.  'assume' is the
 * format to give a plain message (eml, maildir or mh); 'rule' says
 * whether a file that holds no mbox is a message (see enum file_rule,
 * store_looks_like_message).  The first read serves both tests. */
static int
scan_file(struct worker *wk, int dirfd, const char *name, const char *path,
	  enum store_format assume, enum file_rule rule)
{
	char chunk[STORE_FIRST_READ];
	struct error rerr = ERROR_INIT;
	struct walk *w = wk->w;
	const char *compression;
	struct instream r;
	size_t end = 0;
	bool complete = false;
	int fd, rc = 0;
	ssize_t n, first;

	/* O_NONBLOCK: a FIFO put in the store's place must not hang us.
	 * openat: one path component for the kernel to resolve, not all. */
	fd = dirfd >= 0 ? openat(dirfd, name, STORE_OPEN_FLAGS | O_NOATIME)
			: open(path, STORE_TOP_FLAGS | O_NOATIME);
	if (fd < 0 && errno == EPERM)	/* O_NOATIME on another user's file */
		fd = dirfd >= 0 ? openat(dirfd, name, STORE_OPEN_FLAGS) : open(path, STORE_TOP_FLAGS);
	if (fd < 0) {
		walk_diag(w, "skipped '%s': %s", path,
			  errno == ENOENT ? "vanished during the scan"
			  : errno == ELOOP && dirfd >= 0 ? "became a symbolic link during the scan"
			  : strerror(errno));
		return 0;
	}
	/* No advice to the kernel here: a message file is read for its
	 * first pages (the kernel's first readahead is a few pages), and a
	 * system call per file is a tenth of what a small message costs.
	 * O_NOATIME spares an inode write per message where allowed. */
	n = first_read(wk, fd, chunk, sizeof(chunk));
	if (n < 0) {
		walk_diag(w, "skipped '%s': %s", path, strerror(errno));
		goto out;
	}
	compression = instream_compression(chunk, (size_t)n);
	if (compression == NULL && (first = mboxsep_start(chunk, (size_t)n)) >= 0) {
		sem_wait_intr(&w->mboxes);
		rc = scan_mbox_parallel(wk, path, fd, first);
		sem_post(&w->mboxes);
		goto out;
	}
	if (compression == NULL && !is_message(rule, chunk, (size_t)n))
		goto out;
	/* A compressed file is read whole, from end to end: the most
	 * readahead the kernel gives. */
	if (compression)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	/* A plain file is read on after the first chunk, a compressed one
	 * decoded from it (the chunk is not read again either way). */
	if (instream_open_head(&r, fd, path, chunk, (size_t)n, NULL, &rerr) < 0) {
		walk_diag(w, "skipped '%s': %s", path, rerr.msg);
		goto out;
	}
	if (compression) {
		/* Peek at the decompressed start to tell an mbox. */
		n = instream_fill(&r, chunk, sizeof(chunk), &rerr);
		if (n > 0 && (first = mboxsep_start(chunk, (size_t)n)) >= 0) {
			instream_close(&r);
			sem_wait_intr(&w->mboxes);
			rc = scan_mbox(wk, path, fd, compression, first, INT64_MAX);
			sem_post(&w->mboxes);
			goto out;
		}
		if (!is_message(rule, chunk, n > 0 ? (size_t)n : 0))
			goto done;
	}
	/* A single message: its header block, in as few reads as it takes. */
	strbuf_reset(&wk->head);
	for (;;) {
		size_t room = w->opt->max_header - wk->head.len, old = wk->head.len;

		if (n < 0) {
			walk_diag(w, "skipped '%s': %s", path, rerr.msg);
			goto done;
		}
		if (n == 0)
			break;
		if ((size_t)n > room)
			n = (ssize_t)room;
		strbuf_add(&wk->head, chunk, (size_t)n);
		end = header_end_from(wk->head.buf, wk->head.len, old, &complete);
		if (complete || wk->head.len == w->opt->max_header)
			break;
		n = instream_read(&r, chunk, sizeof(chunk), &rerr);
	}
	if (!complete) {
		end = wk->head.len;
		if (wk->head.len == w->opt->max_header)
			walk_diag(w, "'%s': header block larger than %zu bytes: "
				  "only its start was searched", path, w->opt->max_header);
	}
	rc = deliver_file(wk, path, assume, compression, fd, end, complete);
done:
	instream_close(&r);
out:
	close(fd);
	return rc;
}

/* Hand one mbox message to the callback: its header is in w->head. */
static int
deliver_mbox(struct worker *wk, const char *path, const char *compression,
	     const struct stat *st, int64_t start, int64_t end, bool complete)
{
	struct store_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.path = path;
	msg.format = STORE_MBOX;
	msg.compression = compression;
	msg.offset = start;
	msg.length = end - start;
	msg.dev = st->st_dev;
	msg.ino = st->st_ino;
	msg.header = wk->head.buf;
	msg.header_len = wk->head.len;
	msg.header_complete = complete;
	msg.fd = -1;
	return walk_deliver(wk, &msg);
}

/* Where the pending message ends in the file: at 'end' (the file offset
 * of the window's byte at 'p'), less the empty line its writer put after
 * it.  The window holds the message's last three bytes (see shift:). */
static int64_t
message_end(const char *p, int64_t end, int64_t start, size_t hlen)
{
	return end - (int64_t)mboxsep_trailer(p, (size_t)(end - start), hlen);
}

static __thread struct map_guard *map_guard;
static struct sigaction sigbus_before;
static pthread_once_t sigbus_once = PTHREAD_ONCE_INIT;

static void
on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	struct map_guard *g = map_guard;
	const char *addr = si->si_addr;

	if (g && addr >= g->lo && addr < g->hi)
		siglongjmp(g->env, 1);
	/* Not a page of ours: as if this handler were not there (a fault
	 * comes back at once, to the handler before or the default). */
	if (sigbus_before.sa_flags & SA_SIGINFO) {
		sigbus_before.sa_sigaction(sig, si, ctx);
		return;
	}
	if (sigbus_before.sa_handler == SIG_IGN)
		return;
	if (sigbus_before.sa_handler != SIG_DFL) {
		sigbus_before.sa_handler(sig);
		return;
	}
	signal(SIGBUS, SIG_DFL);
	if (si->si_code <= 0)
		raise(SIGBUS);	/* sent, not a fault */
}

static void
sigbus_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &sigbus_before);
}

/* len bytes of fd from offset off (a multiple of STORE_MAP_ALIGN), read
 * only, at an address that is a multiple of STORE_MAP_ALIGN too: where
 * the page cache holds the file in folios of that size (a file read
 * ahead by the kernel, on most file systems), each is mapped by one
 * page-table entry, not 512, and the cost of mapping and unmapping a
 * window falls from about half of the scan to almost nothing.  Else
 * (or on a system that maps page by page anyway) nothing changes but
 * two system calls. */
static void *
map_aligned(int fd, int64_t off, size_t len)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t room = len + STORE_MAP_ALIGN;
	char *r, *a, *m, *tail;

	r = mmap(NULL, room, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return MAP_FAILED;
	a = (char *)(((uintptr_t)r + STORE_MAP_ALIGN - 1) & ~((uintptr_t)STORE_MAP_ALIGN - 1));
	m = mmap(a, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, (off_t)off);
	if (m == MAP_FAILED) {
		int e = errno;

		munmap(r, room);
		errno = e;
		return MAP_FAILED;
	}
	if (a > r)
		munmap(r, (size_t)(a - r));
	tail = a + ((len + page - 1) & ~(page - 1));
	if (tail < r + room)
		munmap(tail, (size_t)(r + room - tail));
	return m;
}

/* Map the window that starts at file offset 'from': cap bytes or more,
 * up to the part's end.  -1 (errno set) when the file cannot be
 * mapped. */
static int
win_map(struct mbox_win *win, int64_t from)
{
	int64_t start = from - from % STORE_MAP_ALIGN;
	int64_t end = from + (int64_t)win->cap + STORE_MBOX_MAP;
	void *map;

	end += STORE_MAP_ALIGN - 1;
	end -= end % STORE_MAP_ALIGN;
	if (end > win->limit)
		end = win->limit;
	if (win->map)
		munmap(win->map, win->map_len);
	win->map = NULL;
	win->map_len = 0;
	win->guard.lo = win->guard.hi = NULL;
	win->base = from;
	win->eof = end == win->limit;
	win->len = 0;
	win->buf = NULL;
	if (end <= from)
		return 0;
	map = map_aligned(win->fd, start, (size_t)(end - start));
	if (map == MAP_FAILED)
		return -1;
	win->map = map;
	win->map_len = (size_t)(end - start);
	win->guard.lo = map;
	win->guard.hi = win->map + win->map_len;
	win->buf = win->map + (from - start);
	win->len = (size_t)(end - from);
	/* The kernel's readahead goes on from the window's end while this
	 * one is scanned (a cold cache). */
	if (!win->eof)
		posix_fadvise(win->fd, end, STORE_MBOX_MAP, POSIX_FADV_WILLNEED);
	return 0;
}

/* Fill a read window up to cap bytes.  -1 when the stream failed. */
static int
win_fill(struct worker *wk, const char *path)
{
	struct mbox_win *win = &wk->win;
	struct error rerr = ERROR_INIT;
	ssize_t n;

	if (win->eof || win->len >= win->cap)
		return 0;
	n = instream_fill(win->r, win->buf + win->len, win->cap - win->len, &rerr);
	if (n < 0) {
		/* Damaged, or past a limit on decompression: what was
		 * found before stays found. */
		walk_diag(wk->w, "%s: messages after byte %lld not searched", rerr.msg,
			  (long long)(win->base + (int64_t)win->len));
		(void)path;
		return -1;
	}
	if ((size_t)n < win->cap - win->len)
		win->eof = true;
	win->len += (size_t)n;
	return 0;
}

/* Move the window on by 'keep' bytes.  -1 when it cannot be (a read
 * failed: reported). */
static int
win_advance(struct worker *wk, const char *path, size_t keep)
{
	struct mbox_win *win = &wk->win;

	if (win->r == NULL) {
		if (win_map(win, win->base + (int64_t)keep) == 0)
			return 0;
		walk_diag(wk->w, "'%s': cannot map it: %s: messages after byte %lld not searched",
			  path, strerror(errno), (long long)(win->base + (int64_t)keep));
		return -1;
	}
	memmove(win->buf, win->buf + keep, win->len - keep);
	win->base += (int64_t)keep;
	win->len -= keep;
	return win_fill(wk, path);
}

/* Whether the header block h (hlen bytes) may be wanted: with want_id,
 * one of its Message-ID fields must pass it. */
static bool
header_wanted(struct worker *wk, const char *h, size_t hlen)
{
	const struct store_options *opt = wk->w->opt;
	size_t at = 0;

	if (opt->want_id == NULL)
		return true;
	while (at < hlen && (at = mboxsep_line_starting(h, at, hlen, 'm')) != SIZE_MAX) {
		const char *value;
		size_t vlen, pos = at;

		if (hlen - at > 10 && strncasecmp(h + at, "message-id", 10) == 0 &&
		    msgid_next_field(h, hlen, &pos, &value, &vlen)) {
			/* A copy: want_id allocates, and must not be left
			 * by a fault in a mapping cut short (struct
			 * map_guard) with its memory in hand. */
			char copy[1024];

			if (vlen <= sizeof(copy)) {
				memcpy(copy, value, vlen);
				value = copy;
			}
			if (opt->want_id(value, vlen, wk->w->data))
				return true;
			at = pos;
			continue;
		}
		at++;
	}
	return false;
}

/* Messages passed over by header_wanted, counted to the caller. */
static void
flush_passed(struct worker *wk)
{
	const struct store_options *opt = wk->w->opt;

	if (wk->passed && opt->passed)
		opt->passed(wk->passed, wk->w->data);
	wk->passed = 0;
}

/* The scan proper, over the window set up by scan_mbox from its first
 * "From " line at 'pos'. */
static int
mbox_loop(struct worker *wk, const char *path, const char *compression, const struct stat *st,
	  size_t pos)
{
	struct walk *w = wk->w;
	struct mbox_win *win = &wk->win;
	const size_t max_header = w->opt->max_header;
	int64_t msg_start = -1;	/* the pending message, or -1 */
	size_t msg_hlen = 0;	/* its header block, as mboxsep_trailer() wants */
	bool complete = false, in_header = true, wanted = false;
	int rc = 0;

	for (;;) {
		char *buf = win->buf;
		size_t len = win->len;
		int64_t base = win->base;
		bool eof = win->eof;

		if (in_header) {
			/* At a "From " line: find its end, then the header. */
			const char *nl = memchr(buf + pos, '\n', len - pos);
			const char *next;
			size_t hstart, avail, hend;

			/* The limit holds wherever the line falls in the
			 * window: a longer line is not waited for, nor taken
			 * when its end happens to be there already. */
			if (nl == NULL && !eof && len - pos <= FPKIT_LIMIT_FROM_LINE)
				goto shift;
			if (nl == NULL || (size_t)(nl - (buf + pos)) > FPKIT_LIMIT_FROM_LINE) {
				if (len - pos > FPKIT_LIMIT_FROM_LINE)
					walk_diag(w, "'%s': a \"From \" line at byte %lld is "
						 "longer than %d bytes: rest of the file not searched",
						 path, (long long)(base + (int64_t)pos),
						 FPKIT_LIMIT_FROM_LINE);
				break;	/* a last "From " line and nothing after it */
			}
			hstart = (size_t)(nl + 1 - buf);
			avail = len - hstart;
			if (avail > max_header)
				avail = max_header;
			hend = mboxsep_header_end(buf + hstart, avail, &complete);
			/* A message cut before its empty line must not lend
			 * the next message's header: a separator before the
			 * header's end (found whole in it, see mboxsep_find)
			 * ends it there. */
			next = mboxsep_find(buf + hstart - 1, hend + 1);
			while (next && !mboxsep_is_from_line(next + 1, buf + len, !eof))
				next = mboxsep_find(next + 1, hend - (size_t)(next + 1 - (buf + hstart)));
			/* that line is cut by the window, short enough to be
			 * one (a longer one was judged as it stands) */
			if (next && !eof && len - (size_t)(next + 1 - buf) <= FPKIT_LIMIT_FROM_LINE &&
			    memchr(next + 1, '\n', len - (size_t)(next + 1 - buf)) == NULL)
				goto shift;
			if (next) {
				avail = (size_t)(next + 1 - (buf + hstart));
				hend = mboxsep_header_end(buf + hstart, avail, &complete);
			}
			if (!complete && !eof && hstart + avail == len && avail < max_header)
				goto shift;	/* the header goes on past the window */
			if (!complete && avail == max_header)
				walk_diag(w, "'%s': the message at byte %lld has a header block "
					  "larger than %zu bytes: only its start was searched", path,
					  (long long)(base + (int64_t)hstart), max_header);
			/* Most messages are not wanted: their header is not
			 * copied, nor handed over. */
			wanted = header_wanted(wk, buf + hstart, hend);
			if (wanted) {
				strbuf_reset(&wk->head);
				strbuf_add(&wk->head, buf + hstart, hend);
			} else if ((++wk->passed & 4095) == 0) {
				flush_passed(wk);
			}
			msg_start = base + (int64_t)hstart;
			msg_hlen = complete ? hend : SIZE_MAX;
			pos = hstart + hend;
			in_header = false;
		}
		/* In a body: the next "\nFrom " ends it. */
		{
			size_t from = pos > 0 ? pos - 1 : 0;
			const char *p = len > from ? mboxsep_find(buf + from, len - from) : NULL;

			/* "From " lines of the body that are no separators */
			while (p != NULL && !mboxsep_is_from_line(p + 1, buf + len, !eof))
				p = mboxsep_find(p + 1, len - (size_t)(p + 1 - buf));
			if (p != NULL && memchr(p + 1, '\n', len - (size_t)(p + 1 - buf)) == NULL && !eof) {
				/* the separator's line is cut by the window */
				pos = (size_t)(p - buf);
				goto shift;
			}
			if (p != NULL) {
				size_t at = (size_t)(p - buf);

				/* The message ends with the newline before the
				 * next "From " line, less the empty line that the
				 * writer put there (mboxsep_trailer). */
				if (wanted) {
					int64_t end = message_end(buf + at + 1, base + (int64_t)at + 1,
								  msg_start, msg_hlen);

					rc = deliver_mbox(wk, path, compression, st, msg_start, end,
							  complete);
					if (rc < 0)
						break;
				}
				msg_start = -1;
				wanted = false;
				pos = at + 1;
				in_header = true;
				continue;
			}
			if (eof) {
				if (wanted) {
					int64_t end = message_end(buf + len, base + (int64_t)len,
								  msg_start, msg_hlen);

					rc = deliver_mbox(wk, path, compression, st, msg_start, end,
							  complete);
				}
				msg_start = -1;
				break;
			}
			/* Keep the last bytes: a separator may straddle. */
			if (len >= 7 && pos < len - 7)
				pos = len - 5;
		}
shift:
		{
			/* Drop what is behind pos, keeping three bytes before
			 * it: the separator checks look one back, and
			 * mboxsep_trailer() up to three back from the newline
			 * before a "From " line (which may be at pos - 1). */
			size_t keep = pos >= 3 ? pos - 3 : 0;

			if (keep == 0 && !eof && len >= win->cap) {
				/* nothing can be dropped: cannot happen, since the
				 * window holds a whole header block */
				walk_diag(w, "'%s': cannot scan past byte %lld", path,
					 (long long)base);
				break;
			}
			if (eof && keep == 0)
				break;
			if (win_advance(wk, path, keep) < 0)
				break;
			pos -= keep;
		}
	}
	return rc;
}

/* A plain mbox, mapped (see struct map_guard), from its "From " line at
 * 'first' up to win->limit.  The scan's result, or 1 when the file
 * cannot be mapped (then nothing was done). */
static int
scan_mapped(struct worker *wk, const char *path, const struct stat *st, int64_t first)
{
	struct mbox_win *win = &wk->win;
	int rc;

	pthread_once(&sigbus_once, sigbus_install);
	if (sigsetjmp(win->guard.env, 1)) {
		map_guard = NULL;
		/* SIGBUS: a page past the file's end (cut shorter since the
		 * scan began), or one the kernel could not read. */
		walk_diag(wk->w, "'%s' could not be read past byte %lld (cut shorter while it "
			  "was searched, or a read error): the messages after it were not "
			  "searched; run fpkit again", path, (long long)win->base);
		rc = 0;
		goto out;
	}
	map_guard = &win->guard;
	posix_fadvise(win->fd, first, win->limit - first, POSIX_FADV_SEQUENTIAL);
	if (win_map(win, first) < 0) {
		map_guard = NULL;
		return 1;
	}
	rc = mbox_loop(wk, path, NULL, st, 0);
out:
	map_guard = NULL;
	if (win->map)
		munmap(win->map, win->map_len);
	win->map = NULL;
	return rc;
}

/* An mbox whose first "From " line is at byte 'first' (of the file, or
 * of its decompressed stream), read up to byte 'limit' (plain files: a
 * part of the file when threads share it): every wanted message's
 * header block to the callback. */
static int
scan_mbox(struct worker *wk, const char *path, int fd, const char *compression,
	  int64_t first, int64_t limit)
{
	struct walk *w = wk->w;
	struct mbox_win *win = &wk->win;
	struct error rerr = ERROR_INIT;
	struct instream r;
	struct stat st;
	size_t pos = 0;
	int rc = 0;

	if (fstat(fd, &st) < 0) {
		walk_diag(w, "skipped '%s': %s", path, strerror(errno));
		return 0;
	}
	memset(win, 0, sizeof(*win));
	win->fd = fd;
	/* a "From " line, a header block, the next "From " line */
	win->cap = w->opt->max_header + 2 * FPKIT_LIMIT_FROM_LINE + 16;
	if (compression == NULL) {
		/* A part ends where it was cut, by the size the file had
		 * then: shorter since, it is a file changed during the scan
		 * (see scan_mapped). */
		win->limit = limit != INT64_MAX ? limit : (int64_t)st.st_size;
		rc = scan_mapped(wk, path, &st, first);
		if (rc != 1) {
			flush_passed(wk);
			return rc;
		}
		/* Not to be mapped: read as a stream, as a compressed one. */
		rc = 0;
	}
	if (win->cap < STORE_MBOX_BUF)
		win->cap = STORE_MBOX_BUF;
	if (instream_open_as(&r, fd, path, compression, NULL, &rerr) < 0) {
		walk_diag(w, "skipped '%s': %s", path, rerr.msg);
		return 0;
	}
	if (wk->mbox_cap < win->cap) {
		free(wk->mbox_buf);
		wk->mbox_buf = xmalloc(win->cap);
		wk->mbox_cap = win->cap;
	}
	/* Decompression is most of the time: the scan runs beside it. */
	if (compression)
		instream_read_ahead(&r);
	win->r = &r;
	win->buf = wk->mbox_buf;
	if (compression == NULL) {
		/* A plain file is read from 'first' (a part of it, when
		 * threads share it) up to 'limit'. */
		instream_set_range(&r, first, limit);
		win->base = first;
	} else {
		pos = (size_t)first;
	}
	if (win_fill(wk, path) == 0)
		rc = mbox_loop(wk, path, compression, &st, pos);
	instream_close(&r);
	win->r = NULL;
	flush_passed(wk);
	return rc;
}

/* The first "From " line at or after byte 'from' of a plain mbox (its
 * offset), or 'size' when there is none. */
static int64_t
next_from_line(int fd, int64_t from, int64_t size)
{
	const size_t win = 1 << 20;
	char *buf = xmalloc(win);
	int64_t off = from > 0 ? from - 1 : 0, found = size;

	while (off < size) {
		ssize_t n = pread(fd, buf, win, (off_t)off);
		const char *p = NULL, *end;

		if (n <= 0)
			break;
		end = buf + n;
		for (p = mboxsep_find(buf, (size_t)n); p; p = mboxsep_find(p + 1, (size_t)(end - p - 1))) {
			if (memchr(p + 1, '\n', (size_t)(end - p - 1)) == NULL && off + n < size)
				break;	/* the line is cut: read on from it */
			if (mboxsep_is_from_line(p + 1, end, off + n < size)) {
				found = off + (p + 1 - buf);
				goto out;
			}
		}
		if (n < 6 || off + n >= size)
			break;
		/* from the cut line on; past it when it fills the buffer
		 * (far longer than a "From " line can be) */
		off = p && p > buf ? off + (p - buf) : off + n - 6;
	}
out:
	free(buf);
	return found;
}

struct mbox_part {
	struct walk *w;
	const char *path;
	int fd;
	int64_t start, limit;
};

static void *
mbox_part_thread(void *arg)
{
	struct mbox_part *part = arg;
	struct worker wk;

	worker_init(&wk, part->w);
	scan_mbox(&wk, part->path, part->fd, NULL, part->start, part->limit);
	worker_release(&wk);
	return NULL;
}

/* The processors this process may run on (taskset, a cpuset), not
 * all those of the machine. */
static long
usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* A plain mbox: large ones are cut at "From " lines into one part per
 * processor (at most STORE_THREADS), read at the same time. */
static int
scan_mbox_parallel(struct worker *wk, const char *path, int fd, int64_t first)
{
	struct mbox_part parts[STORE_THREADS];
	pthread_t tid[STORE_THREADS];
	struct stat st;
	long cpus = usable_cpus();
	int nparts = 1, started = 0;

	if (fstat(fd, &st) == 0 && st.st_size >= STORE_MBOX_SPLIT && cpus > 1)
		nparts = cpus < STORE_THREADS ? (int)cpus : STORE_THREADS;
	if (nparts == 1)
		return scan_mbox(wk, path, fd, NULL, first, INT64_MAX);
	for (int k = 0; k < nparts; k++) {
		parts[k].w = wk->w;
		parts[k].path = path;
		parts[k].fd = fd;
		parts[k].start = k == 0 ? first : next_from_line(fd, st.st_size / nparts * k, st.st_size);
		if (k > 0 && parts[k].start < parts[k - 1].start)
			parts[k].start = parts[k - 1].start;
	}
	for (int k = 0; k < nparts; k++)
		parts[k].limit = k + 1 < nparts ? parts[k + 1].start : st.st_size;
	for (int k = 1; k < nparts; k++) {
		if (parts[k].start >= parts[k].limit)
			continue;	/* an empty part */
		if (pthread_create(&tid[started], NULL, mbox_part_thread, &parts[k]) != 0) {
			mbox_part_thread(&parts[k]);
			continue;
		}
		started++;
	}
	if (parts[0].start < parts[0].limit)
		scan_mbox(wk, path, fd, NULL, parts[0].start, parts[0].limit);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return __atomic_load_n(&wk->w->failed, __ATOMIC_RELAXED) ? -1 : 0;
}

/* The folder walk is a pipeline: this thread reads the folders and
 * queues their message files; a pool of threads (STORE_READERS_WARM,
 * up to STORE_READERS on a cold cache) opens and
 * reads them meanwhile.  Listing a large folder costs about as much as
 * reading a tenth of its files' headers, so it is not left on the
 * critical path.  The queue is bounded: memory does not grow with the
 * size of a folder. */
#define STORE_QUEUE 4096
#define STORE_TAKE 16		/* files a thread takes at a time */
#define STORE_OPEN_FOLDERS 64	/* folders held open for queued files */

/* A folder whose files are queued: open until its last file is read. */
struct folder {
	int fd;
	char *path;
	unsigned refs;		/* queued files, plus the walker's; under q->lock */
};

struct item {
	struct folder *dir;
	char *name;
	enum store_format format; /* what a message file there is */
	enum file_rule rule;	/* ... and whether it is one */
};

struct queue {
	struct walk *w;
	pthread_mutex_t lock;
	pthread_cond_t more;	/* an item was queued, or the walk ended */
	pthread_cond_t room;	/* an item was taken */
	struct item items[STORE_QUEUE];
	size_t head, nr;
	bool done;		/* the walker queues nothing more */
	int folders;		/* folders held open for queued files */
	int max_folders;	/* ... at most */
	pthread_t tid[STORE_READERS];
	int started;		/* threads in the pool; -1: none could start */
	int extra;		/* ... added when reads waited (under lock) */
	int max_readers;	/* ... at most, as descriptors allow */
	struct worker solo;	/* without a pool: files are read at once */
};

/* Under q->lock. */
static void
folder_put(struct queue *q, struct folder *d)
{
	if (--d->refs == 0) {
		close(d->fd);
		free(d->path);
		free(d);
		q->folders--;
		pthread_cond_signal(&q->room);
	}
}

static void
scan_item(struct worker *wk, const struct item *it)
{
	const char *dir = it->dir->path;
	size_t dn = strlen(dir);

	strbuf_reset(&wk->path);
	strbuf_add(&wk->path, dir, dn);
	if (dn && dir[dn - 1] != '/')
		strbuf_addch(&wk->path, '/');
	strbuf_addstr(&wk->path, it->name);
	scan_file(wk, it->dir->fd, it->name, wk->path.buf, it->format, it->rule);
}

static void *queue_thread(void *arg);

/* A read waited for the disk: the rest of the readers, under q->lock.
 * Only while files wait in the queue, so that none is added after
 * queue_finish saw the queue empty and the walk over. */
static void
queue_grow(struct queue *q)
{
	while (q->started > 0 && q->started + q->extra < q->max_readers &&
	       pthread_create(&q->tid[q->started + q->extra], NULL, queue_thread, q) == 0)
		q->extra++;
}

/* Take files from the queue until the walk is over and the queue empty.
 * After a failed callback, the files still queued are dropped unread. */
static void
queue_work(struct queue *q, struct worker *wk)
{
	struct item took[STORE_TAKE];
	size_t n = 0;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		/* Give back the folders of the last files taken. */
		for (size_t i = 0; i < n; i++) {
			folder_put(q, took[i].dir);
			free(took[i].name);
		}
		while (q->nr == 0 && !q->done)
			pthread_cond_wait(&q->more, &q->lock);
		if (q->nr == 0)
			break;
		for (n = 0; n < STORE_TAKE && q->nr; n++) {
			took[n] = q->items[q->head];
			q->head = (q->head + 1) % STORE_QUEUE;
			q->nr--;
		}
		pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->lock);
		for (size_t i = 0; i < n; i++)
			if (!__atomic_load_n(&q->w->failed, __ATOMIC_RELAXED))
				scan_item(wk, &took[i]);
		pthread_mutex_lock(&q->lock);
		if (wk->slow >= STORE_SLOW_READS && q->nr > 0)
			queue_grow(q);
	}
	pthread_mutex_unlock(&q->lock);
}

static void *
queue_thread(void *arg)
{
	struct queue *q = arg;
	struct worker wk;

	worker_init(&wk, q->w);
	queue_work(q, &wk);
	worker_release(&wk);
	return NULL;
}

/* How many descriptors are open now (one more than that, counting the
 * one that reads the list: on the safe side). */
static long
open_descriptors(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = 0;

	if (d == NULL)
		return 64;	/* cannot tell: assume many */
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
queue_init(struct queue *q, struct walk *w)
{
	struct rlimit rl;

	memset(q, 0, sizeof(*q));
	q->w = w;
	/* Descriptors: besides those open now and the folders held for the
	 * threads, the walk needs one per level of folders and two while it
	 * lists one, and each reading thread (the main one too, at the end)
	 * up to two.  What is left bounds the readers added on a cold
	 * cache (while at least 16 folders can be held) and the folders
	 * held; when too little is left for the first readers, no pool:
	 * files are read one at a time, folder after folder, as the limit
	 * allows. */
	q->max_folders = STORE_OPEN_FOLDERS;
	q->max_readers = STORE_READERS;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		long room = (long)rl.rlim_cur - open_descriptors() - FPKIT_LIMIT_STORE_DEPTH - 2 -
			    2 * (STORE_READERS_WARM + 1) - 8;

		if (room < 4) {
			q->started = -1;
			worker_init(&q->solo, w);
		} else {
			q->max_readers = STORE_READERS_WARM;
			while (q->max_readers < STORE_READERS && room - 2 >= 16) {
				q->max_readers++;
				room -= 2;
			}
			if (room < q->max_folders)
				q->max_folders = (int)room;
		}
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
}

/* Queue one file of 'dir' (the name is taken over); the pool starts with
 * the first file. */
static void
queue_add(struct queue *q, struct folder *dir, char *name, enum store_format format,
	  enum file_rule rule)
{
	if (q->started == 0) {
		for (; q->started < STORE_READERS_WARM; q->started++)
			if (pthread_create(&q->tid[q->started], NULL, queue_thread, q) != 0)
				break;
		if (q->started == 0) {
			q->started = -1;
			worker_init(&q->solo, q->w);
		}
	}
	if (q->started < 0) {
		struct item it = { dir, name, format, rule };

		if (!__atomic_load_n(&q->w->failed, __ATOMIC_RELAXED))
			scan_item(&q->solo, &it);
		free(name);
		return;
	}
	pthread_mutex_lock(&q->lock);
	while (q->nr == STORE_QUEUE)
		pthread_cond_wait(&q->room, &q->lock);
	q->items[(q->head + q->nr) % STORE_QUEUE] = (struct item){ dir, name, format, rule };
	q->nr++;
	dir->refs++;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

/* The walk is over: this thread reads files too until none is left. */
static void
queue_finish(struct queue *q)
{
	struct worker wk;
	int extra;

	pthread_mutex_lock(&q->lock);
	q->done = true;
	pthread_cond_broadcast(&q->more);
	pthread_mutex_unlock(&q->lock);
	worker_init(&wk, q->w);
	queue_work(q, &wk);
	worker_release(&wk);
	pthread_mutex_lock(&q->lock);
	extra = q->extra;	/* final: the queue is empty, the walk over */
	pthread_mutex_unlock(&q->lock);
	for (int i = 0; i < q->started + extra; i++)
		pthread_join(q->tid[i], NULL);
	if (q->started < 0)
		worker_release(&q->solo);
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
}

/* A folder to queue files of: dup(dirfd), so that it outlives the walk's
 * own descriptor.  A tree of many small folders must not run out of
 * descriptors: past STORE_OPEN_FOLDERS, wait for the threads to finish
 * one. */
static struct folder *
folder_new(struct queue *q, int dirfd, const char *path)
{
	struct folder *d;
	int fd;

	pthread_mutex_lock(&q->lock);
	while (q->folders >= q->max_folders && q->started > 0)
		pthread_cond_wait(&q->room, &q->lock);
	fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (fd >= 0)
		q->folders++;
	pthread_mutex_unlock(&q->lock);
	if (fd < 0)
		return NULL;
	d = xmalloc(sizeof(*d));
	d->fd = fd;
	d->path = xstrdup(path);
	d->refs = 1;
	return d;
}

static void
folder_done(struct queue *q, struct folder *d)
{
	pthread_mutex_lock(&q->lock);
	folder_put(q, d);
	pthread_mutex_unlock(&q->lock);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
has_eml_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcasecmp(name + n - 4, ".eml") == 0;
}

/* An MH message's name: a number (nmh, Claws Mail, Sylpheed). */
static bool
is_numbered(const char *name)
{
	size_t i = 0;

	while (name[i] >= '0' && name[i] <= '9')
		i++;
	return i > 0 && name[i] == '\0';
}

/* A folder that its MH program marked as one: its sequences (nmh) or
 * its index (Claws Mail, Sylpheed). */
static bool
is_mh_folder(int dirfd)
{
	static const char *const marks[] = {
		".mh_sequences", ".claws_cache", ".claws_mark", ".sylpheed_cache",
		".sylpheed_mark",
	};

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (faccessat(dirfd, marks[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return true;
	return false;
}

/* In an MH folder, a message removed but kept (nmh's rmm renames 12 to
 * ",12" or "#12"): not a stored message. */
static bool
mh_removed(bool mh, const char *name)
{
	return mh && (name[0] == ',' || name[0] == '#') && is_numbered(name + 1);
}

static bool
is_subdir(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* Queue a file of a plain folder ('mh': an MH folder): a numbered file
 * of an MH folder and a *.eml file are messages, another file is one if
 * it looks like one, unless it is a dot file (a program's state, such
 * as .mh_sequences, which could pass for a header block): that counts
 * only as an mbox. */
static void
queue_plain(struct queue *q, struct folder *dir, const char *name, bool mh)
{
	bool numbered = is_numbered(name);
	enum file_rule rule = (mh && numbered) || has_eml_suffix(name) ? FILE_MESSAGE
			      : name[0] == '.' ? FILE_MBOX_ONLY : FILE_SNIFF;

	queue_add(q, dir, xstrdup(name), numbered ? STORE_MH : STORE_EML, rule);
}

enum list_mode {
	LIST_MAILDIR_MESSAGES,	/* a Maildir's cur/ or new/ */
	LIST_PLAIN,		/* a folder of message files, mbox files, folders */
	LIST_FOLDERS_ONLY,	/* a Maildir: only its sub-folders count */
};

/* Read the folder open on dirfd (which stays open), in the order the
 * file system gives, and queue its message files.  In a Maildir's cur/
 * or new/, every regular file but dot files is a message (Dovecot and
 * Courier keep their indexes in dot files).  In a plain folder, a
 * regular file is an mbox, or a message by its name or content
 * (queue_plain).
 *
 * The store's owner controls what is in it, and fpkit reads it as root:
 * so a symbolic link inside a store is never followed, to a message or
 * to a folder (a warning names it), and a device, FIFO or socket is
 * never opened (a warning too).  Only the path given to store_scan may
 * be a link.  The sub-folders' names are returned in 'subdirs', sorted,
 * unless subdirs is NULL. */
static int
list_folder(struct walk *w, int dirfd, const char *path, enum list_mode mode,
	    char ***subdirs, size_t *nr_subdirs)
{
	bool maildir = mode == LIST_MAILDIR_MESSAGES;
	bool mh = mode == LIST_PLAIN && is_mh_folder(dirfd);
	struct folder *dir = NULL;
	struct dirent *de;
	size_t alloc = 0;
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (subdirs) {
		*subdirs = NULL;
		*nr_subdirs = 0;
	}
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		walk_diag(w, "skipped folder '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL && !__atomic_load_n(&w->failed, __ATOMIC_RELAXED)) {
		const char *name = de->d_name;
		unsigned char t = de->d_type;
		struct stat st;
		bool file;

		if (is_dot_or_dotdot(name) || (maildir && name[0] == '.'))
			continue;
		if (t == DT_UNKNOWN) {
			/* Not every file system tells the type: ask, without
			 * following a link. */
			if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;	/* gone since the listing */
			t = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR
			    : S_ISLNK(st.st_mode) ? DT_LNK : DT_FIFO;
		}
		if (t == DT_LNK) {
			walk_diag(w, "skipped '%s%s%s': a symbolic link (links inside a "
					  "store are not followed; give its target with --mail "
					  "to search it)", path,
					  path[strlen(path) - 1] == '/' ? "" : "/", name);
			continue;
		}
		if (t != DT_REG && t != DT_DIR) {
			if (mode != LIST_FOLDERS_ONLY)
				walk_diag(w, "skipped '%s%s%s': not a regular file", path,
					  path[strlen(path) - 1] == '/' ? "" : "/", name);
			continue;
		}
		file = t == DT_REG;
		if (file && mode != LIST_FOLDERS_ONLY) {
			if (dir == NULL)
				dir = folder_new(w->queue, dirfd, path);
			if (dir == NULL) {
				walk_diag(w, "skipped folder '%s': %s", path, strerror(errno));
				break;
			}
			if (maildir)
				queue_add(w->queue, dir, xstrdup(name), STORE_MAILDIR, FILE_MESSAGE);
			else if (!mh_removed(mh, name))
				queue_plain(w->queue, dir, name, mh);
		} else if (subdirs && t == DT_DIR) {
			*subdirs = xgrow(*subdirs, *nr_subdirs + 1, &alloc, sizeof(**subdirs));
			(*subdirs)[(*nr_subdirs)++] = xstrdup(name);
		}
	}
	closedir(d);
	if (dir)
		folder_done(w->queue, dir);
	if (subdirs && *nr_subdirs)
		qsort(*subdirs, *nr_subdirs, sizeof(**subdirs), cmp_names);
	return 0;
}

static int walk_dir(struct walk *w, int dirfd, const char *path);

/* Every message file of a Maildir's cur/ or new/. */
static void
walk_maildir_sub(struct walk *w, int parentfd, const char *parent, const char *sub)
{
	char *path = xasprintf("%s%s%s", parent, parent[strlen(parent) - 1] == '/' ? "" : "/", sub);
	int fd = openat(parentfd, sub, STORE_DIR_FLAGS);

	if (fd < 0) {
		if (errno == ELOOP)
			walk_diag(w, "skipped folder '%s': a symbolic link (links inside a store "
				  "are not followed)", path);
		else if (errno != ENOENT && errno != ENOTDIR)
			walk_diag(w, "skipped folder '%s': %s", path, strerror(errno));
	} else {
		list_folder(w, fd, path, LIST_MAILDIR_MESSAGES, NULL, NULL);
		close(fd);
	}
	free(path);
}

/* Enter a folder unless it is already on the current path (a loop made
 * of symlinks) or too deep. */
static int
walk_enter(struct walk *w, int parentfd, const char *name, const char *path)
{
	struct stat st;
	int fd, rc;

	fd = parentfd >= 0 ? openat(parentfd, name, STORE_DIR_FLAGS)
			   : open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		walk_diag(w, "skipped folder '%s': %s", path,
			  errno == ELOOP ? "became a symbolic link during the scan" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	for (int i = 0; i < w->depth; i++) {
		if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino) {
			walk_diag(w, "skipped folder '%s': symlink loop", path);
			close(fd);
			return 0;
		}
	}
	if (w->depth == FPKIT_LIMIT_STORE_DEPTH) {
		walk_diag(w, "skipped folder '%s': more than %d levels deep", path, FPKIT_LIMIT_STORE_DEPTH);
		close(fd);
		return 0;
	}
	w->stack[w->depth].dev = st.st_dev;
	w->stack[w->depth].ino = st.st_ino;
	w->depth++;
	rc = walk_dir(w, fd, path);
	w->depth--;
	close(fd);
	return rc;
}

/* A folder: a Maildir (its cur/ and new/, then its sub-folders, which
 * covers Maildir++ ".Sent" folders and nested layouts) or a plain folder
 * of *.eml files, mbox files and sub-folders. */
static int
walk_dir(struct walk *w, int dirfd, const char *path)
{
	bool maildir = is_subdir(dirfd, "cur") || is_subdir(dirfd, "new");
	char **subdirs;
	size_t nr_subdirs, i;
	int rc = 0;

	/* In a Maildir, files beside cur/ and new/ are the server's, not
	 * messages: only its sub-folders count there. */
	if (maildir) {
		walk_maildir_sub(w, dirfd, path, "cur");
		walk_maildir_sub(w, dirfd, path, "new");
	}
	if (list_folder(w, dirfd, path, maildir ? LIST_FOLDERS_ONLY : LIST_PLAIN,
			&subdirs, &nr_subdirs) < 0)
		return 0;
	for (i = 0; i < nr_subdirs; i++) {
		const char *name = subdirs[i];
		char *p;

		if (rc == 0 && !__atomic_load_n(&w->failed, __ATOMIC_RELAXED) &&
		    !(maildir && (strcmp(name, "cur") == 0 || strcmp(name, "new") == 0 ||
				  strcmp(name, "tmp") == 0))) {
			p = xasprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", name);
			rc = walk_enter(w, dirfd, name, p);
			free(p);
		}
		free(subdirs[i]);
	}
	free(subdirs);
	return __atomic_load_n(&w->failed, __ATOMIC_RELAXED) ? -1 : rc;
}

/* Whether the path given as a store goes through a symbolic link that
 * someone else than root or fpkit's user could have put there: a user
 * who turns "/home/u/Maildir" into a link to another mailbox would have
 * fpkit, run as root over every user's store, pack that mailbox.  The
 * link's owner (uid) in *owner, its path (new) in *link. */
static bool
path_has_foreign_link(const char *path, uid_t *owner, char **link)
{
	size_t len = strlen(path);
	uid_t me = geteuid();

	for (size_t end = 1; end <= len; end++) {
		struct stat st;
		char *prefix;

		if (end < len && path[end] != '/')
			continue;
		prefix = xstrndup(path, end);
		if (lstat(prefix, &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid != 0 &&
		    st.st_uid != me) {
			*owner = st.st_uid;
			*link = prefix;
			return true;
		}
		free(prefix);
	}
	return false;
}

/* What to do when a path given on the command line cannot be read. */
static const char *
read_hint(int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return ": check the path";
	if (e == EACCES || e == EPERM)
		return ": run fpkit as a user who may read it";
	return "";
}

int
store_scan(const char *path, const struct store_options *opt,
	   store_msg_fn fn, void *data, struct error *err)
{
	uid_t owner;
	char *link;
	struct walk w;
	struct worker wk;
	struct stat st;
	int rc;

	memset(&w, 0, sizeof(w));
	w.opt = opt;
	w.fn = fn;
	w.data = data;
	w.err = err;
	pthread_mutex_init(&w.lock, NULL);
	sem_init(&w.mboxes, 0, STORE_THREADS);
	if (path_has_foreign_link(path, &owner, &link)) {
		walk_diag(&w, "skipped mail store '%s': '%s' is a symbolic link that user %lu "
			  "owns (fpkit follows no link that another user could have made; give "
			  "the real path)", path, link, (unsigned long)owner);
		free(link);
		rc = 0;
	} else if (stat(path, &st) < 0) {
		rc = error_set(err, EX_NOINPUT, "cannot read mail store '%s': %s%s",
			       path, strerror(errno), read_hint(errno));
	} else if (S_ISDIR(st.st_mode) && access(path, R_OK | X_OK) < 0) {
		rc = error_set(err, EX_NOINPUT, "cannot read mail store '%s': %s%s",
			       path, strerror(errno), read_hint(errno));
	} else if (S_ISDIR(st.st_mode)) {
		struct queue q;

		queue_init(&q, &w);
		w.queue = &q;
		rc = walk_enter(&w, -1, NULL, path);
		queue_finish(&q);
		if (w.failed)
			rc = -1;
	} else if (!S_ISREG(st.st_mode)) {
		rc = error_set(err, EX_NOINPUT, "mail store '%s' is neither a file nor a folder: "
			       "give a message file, an mbox, a Maildir or a folder of them",
			       path);
	} else if (access(path, R_OK) < 0) {
		rc = error_set(err, EX_NOINPUT, "cannot read message '%s': %s%s",
			       path, strerror(errno), read_hint(errno));
	} else {
		worker_init(&wk, &w);
		scan_file(&wk, -1, NULL, path, STORE_EML, FILE_MESSAGE);
		worker_release(&wk);
		rc = w.failed ? -1 : 0;
	}
	pthread_mutex_destroy(&w.lock);
	sem_destroy(&w.mboxes);
	return rc;
}

/* The error of a read that ended a range early: the system's (EX_IOERR),
 * damaged compressed data or a limit on decompression (EX_DATAERR), each
 * naming the file, or a file cut since the scan. */
static int
range_error(ssize_t n, const struct error *rerr, const char *path, struct error *err)
{
	if (n == 0)
		return error_set(err, EX_DATAERR, "cannot read '%s': it became shorter: was it "
				 "changed while fpkit read it? run fpkit again", path);
	return error_set(err, rerr->status ? rerr->status : EX_IOERR, "%s", rerr->msg);
}

/* Copy 'length' bytes from 'offset' of an open stream into out, undoing
 * mboxrd quoting when 'unquote' is set.  Lines are handled across reads
 * by remembering whether the last byte ended a line. */
static int
copy_range(struct instream *r, int64_t offset, int64_t length, bool unquote,
	   store_sink *sink, void *arg, struct store_extract_info *info, const char *path,
	   struct error *err)
{
	char buf[65536];
	struct error rerr = ERROR_INIT;
	int64_t skip = offset - r->out, left = length;
	bool at_line_start = true;
	ssize_t n;

	if (r->compression == NULL) {
		instream_set_range(r, offset, INT64_MAX);
		skip = 0;
	}
	while (skip > 0) {
		size_t want = skip > (int64_t)sizeof(buf) ? sizeof(buf) : (size_t)skip;

		n = instream_read(r, buf, want, &rerr);
		if (n <= 0)
			return range_error(n, &rerr, path, err);
		skip -= n;
	}
	while (left > 0) {
		size_t want = left > (int64_t)sizeof(buf) ? sizeof(buf) : (size_t)left;
		const char *p, *end;

		n = instream_read(r, buf, want, &rerr);
		if (n <= 0)
			return range_error(n, &rerr, path, err);
		left -= n;
		if (!unquote) {
			if (sink(buf, (size_t)n, arg, err) < 0)
				return -1;
			continue;
		}
		/* mboxrd: a line of one or more '>' then "From " loses one '>'. */
		p = buf;
		end = buf + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl + 1 : end;

			if (at_line_start && *p == '>') {
				const char *q = p;

				while (q < end && *q == '>')
					q++;
				/* a quoted line cut by the read is rare; it is
				 * left as it is */
				if (end - q >= 5 && memcmp(q, "From ", 5) == 0) {
					p++;
					info->unquoted++;
				}
			}
			if (sink(p, (size_t)(stop - p), arg, err) < 0)
				return -1;
			at_line_start = nl != NULL;
			p = stop;
		}
	}
	return 0;
}

struct strbuf_sink {
	struct strbuf *out;
	const char *path;
};

static int
to_strbuf(const void *data, size_t len, void *arg, struct error *err)
{
	struct strbuf_sink *k = arg;

	if (strbuf_add(k->out, data, len) < 0)
		return error_set(err, EX_DATAERR, "a message in '%s' is larger than the limit "
				 "of %zu bytes", k->path, k->out->max);
	return 0;
}

/* A Maildir message gone from cur/ or new/ since the scan: a mail client
 * that reads it moves it from new/ to cur/ and adds flags after a ':' to
 * its name, which keeps the file.  Look for the same unique name (up to
 * the ':') in both; the caller then checks it is the same file.  The
 * new path (new string) and its descriptor, or -1. */
static int
maildir_moved(const char *path, char **moved)
{
	const char *slash = strrchr(path, '/'), *base, *colon;
	size_t dirlen, keylen;
	char *top;
	int fd = -1;

	*moved = NULL;
	if (slash == NULL || slash - path < 3)
		return -1;
	base = slash + 1;
	dirlen = (size_t)(slash - path);
	if (!(dirlen >= 3 && (memcmp(slash - 3, "cur", 3) == 0 || memcmp(slash - 3, "new", 3) == 0) &&
	      (dirlen == 3 || slash[-4] == '/')))
		return -1;
	colon = strchr(base, ':');
	keylen = colon ? (size_t)(colon - base) : strlen(base);
	top = xstrndup(path, dirlen - 3);	/* ".../Maildir/" or "" */
	for (int k = 0; k < 2 && fd < 0; k++) {
		char *dir = xasprintf("%s%s", top, k ? "new" : "cur");
		int dfd = open(*dir ? dir : ".", STORE_DIR_FLAGS);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		struct dirent *de;

		if (d == NULL && dfd >= 0)
			close(dfd);
		while (d && fd < 0 && (de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, base, keylen) != 0 ||
			    (de->d_name[keylen] != '\0' && de->d_name[keylen] != ':'))
				continue;
			fd = openat(dirfd(d), de->d_name, STORE_OPEN_FLAGS);
			if (fd >= 0)
				*moved = xasprintf("%s/%s", dir, de->d_name);
		}
		if (d)
			closedir(d);
		free(dir);
	}
	free(top);
	if (fd < 0)
		errno = ENOENT;
	return fd;
}

/* Whether the file st (at path) has another owner than the folder that
 * holds it. */
static bool
foreign_hard_link(const char *path, const struct stat *st)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	struct stat ds;
	bool foreign = stat(dir, &ds) == 0 && ds.st_uid != st->st_uid;

	free(dir);
	return foreign;
}

int
store_open_verified(const char *path, dev_t dev, ino_t ino, bool follow, char **moved,
		    struct error *err)
{
	struct stat st;
	int fd;

	*moved = NULL;
	fd = open(path, follow ? STORE_OPEN_FLAGS & ~O_NOFOLLOW : STORE_OPEN_FLAGS);
	if (fd < 0 && errno == ENOENT)
		fd = maildir_moved(path, moved);
	if (fd < 0)
		return error_set(err, EX_NOINPUT, "cannot open '%s' again: %s", path,
				 errno == ELOOP ? "it became a symbolic link since it was searched"
				 : strerror(errno));
	if (fstat(fd, &st) < 0) {
		error_set(err, EX_IOERR, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* The file the scan read, not one put in its place since. */
	if (!S_ISREG(st.st_mode) || st.st_dev != dev || st.st_ino != ino) {
		error_set(err, EX_NOINPUT, "'%s' is no longer the file that was searched "
			  "(replaced since)", *moved ? *moved : path);
		goto refuse;
	}
	/* A hard link in a store to a file its folder's owner does not own
	 * (where fs.protected_hardlinks does not stop one being made): the
	 * store's owner could have linked any file of the same file system
	 * there. */
	if (st.st_nlink > 1 && foreign_hard_link(*moved ? *moved : path, &st)) {
		error_set(err, EX_NOINPUT, "'%s' is a hard link to a file that user %lu owns, "
			  "not its folder's owner", *moved ? *moved : path,
			  (unsigned long)st.st_uid);
		goto refuse;
	}
	return fd;
refuse:
	close(fd);
	free(*moved);
	*moved = NULL;
	return -1;
}

/* What follows an mbox message, the stream being just past it: the scan
 * ended the message before its writer's empty line, so the next byte is
 * that line's first (LF, or the CR of CR LF), or the next "From " line's,
 * or none.  0 when it cannot be read. */
static unsigned
mbox_trailer_after(struct instream *r)
{
	struct error rerr = ERROR_INIT;
	char c;

	if (instream_read(r, &c, 1, &rerr) != 1)
		return 0;
	return c == '\n' ? 1 : c == '\r' ? 2 : 0;
}

/* The stream of the last compressed file a message was taken from, kept
 * where that message ended: the samples of one file come in the order
 * of their offsets (finder_sort), and each would otherwise be decoded
 * from the file's start again.  One at a time (a second thread decodes
 * from the start); the file's identity, size and time must be the
 * same, and it is read through a descriptor of its own. */
static struct {
	pthread_mutex_t lock;
	bool open;
	int fd;			/* a dup of the caller's */
	char *name;		/* the stream's name (r.name) */
	const char *compression;
	struct stat st;		/* the file when it was opened */
	struct instream r;	/* r.out: the next byte it gives */
} extract_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Under extract_cache.lock. */
static void
extract_cache_drop(void)
{
	if (!extract_cache.open)
		return;
	instream_close(&extract_cache.r);
	close(extract_cache.fd);
	free(extract_cache.name);
	extract_cache.open = false;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The kept stream of the compressed file open on fd, at or before
 * 'offset', or a new one kept for the next message; NULL when it
 * cannot be kept (the caller opens one of its own). */
static struct instream *
extract_cache_get(int fd, const char *path, const char *compression, int64_t offset,
		  struct error *err, bool *failed)
{
	struct stat st;
	int dfd;

	*failed = false;
	if (fstat(fd, &st) < 0)
		return NULL;
	if (extract_cache.open && extract_cache.compression == compression &&
	    same_file(&extract_cache.st, &st) && extract_cache.r.out <= offset &&
	    !extract_cache.r.over && strcmp(extract_cache.name, path) == 0)
		return &extract_cache.r;
	extract_cache_drop();
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return NULL;
	extract_cache.name = xstrdup(path);
	if (instream_open_as(&extract_cache.r, dfd, extract_cache.name, compression, NULL,
			     err) < 0) {
		close(dfd);
		free(extract_cache.name);
		*failed = true;
		return NULL;
	}
	extract_cache.fd = dfd;
	extract_cache.compression = compression;
	extract_cache.st = st;
	extract_cache.open = true;
	return &extract_cache.r;
}

int
store_extract(int fd, const char *path, enum store_format format, const char *compression,
	      int64_t offset, int64_t length, struct strbuf *out,
	      struct store_extract_info *info, struct error *err)
{
	struct strbuf_sink k = { out, path };

	return store_extract_to(fd, path, format, compression, offset, length, to_strbuf, &k,
				info, err);
}

int
store_extract_to(int fd, const char *path, enum store_format format, const char *compression,
		 int64_t offset, int64_t length, store_sink *sink, void *arg,
		 struct store_extract_info *info, struct error *err)
{
	struct instream own, *r = NULL;
	bool kept = false, failed;
	int rc;

	memset(info, 0, sizeof(*info));
	if (compression && pthread_mutex_trylock(&extract_cache.lock) == 0) {
		kept = true;
		r = extract_cache_get(fd, path, compression, offset, err, &failed);
		if (failed) {
			pthread_mutex_unlock(&extract_cache.lock);
			return -1;
		}
		if (r == NULL) {
			pthread_mutex_unlock(&extract_cache.lock);
			kept = false;
		}
	}
	if (r == NULL) {
		if (instream_open_as(&own, fd, path, compression, NULL, err) < 0)
			return -1;
		r = &own;
	}
	rc = copy_range(r, offset, length, format == STORE_MBOX, sink, arg, info, path, err);
	if (rc == 0 && format == STORE_MBOX)
		info->trailer = mbox_trailer_after(r);
	if (kept) {
		if (rc < 0)
			extract_cache_drop();
		pthread_mutex_unlock(&extract_cache.lock);
	} else {
		instream_close(r);
	}
	return rc;
}
