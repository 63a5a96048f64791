/* store.c - walking mail stores and reading each message's header block
 *
 * Only header blocks are read from message files: a Message-ID is all
 * the finder needs, and bodies are most of a store's bytes.  An mbox has
 * to be read whole, since its messages are only told apart by the "From "
 * lines between them: it is streamed through one fixed buffer, the bodies
 * skipped with memmem, so memory does not grow with the file. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "error.h"
#include "msgid.h"
#include "store.h"
#include "strbuf.h"
#include "tarball.h"
#include "xalloc.h"

/* Folders nested deeper than this are not followed: no real store is
 * that deep, and it bounds the walk on hostile trees. */
#define STORE_MAX_DEPTH 64

/* The first read of a message file; most header blocks fit. */
#define STORE_FIRST_READ 16384

/* The mbox window: large reads, and room for a whole header block
 * (max_header) plus its "From " line. */
#define STORE_MBOX_BUF (4 * 1024 * 1024)

/* The longest "From " line kept looking for its end. */
#define STORE_MAX_FROM_LINE 4096

struct walk {
	const struct store_options *opt;
	store_msg_fn fn;
	void *data;
	struct strbuf head;	/* reused header buffer */
	char *mbox_buf;		/* the mbox window, allocated on first use */
	size_t mbox_cap;
	struct {		/* folders on the current path, for loops */
		dev_t dev;
		ino_t ino;
	} stack[STORE_MAX_DEPTH];
	int depth;
};

const char *
store_format_name(enum store_format f)
{
	switch (f) {
	case STORE_EML: return "eml";
	case STORE_MAILDIR: return "maildir";
	case STORE_MBOX: return "mbox";
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

static char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/* A file read from its start, plain or through a decompressor. */
struct reader {
	int fd;			/* plain: the file; -1 when compressed */
	struct tarball_stream zs;
	const char *compression;
};

static ssize_t
reader_read(struct reader *r, char *buf, size_t len, struct error *err)
{
	ssize_t n;

	if (r->compression)
		return tarball_stream_read(&r->zs, buf, len, err);
	do
		n = read(r->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		error_set(err, EX_IOERR, "cannot read: %s", strerror(errno));
	return n;
}

/* Fill buf as far as possible (short only at the end of the data). */
static ssize_t
reader_fill(struct reader *r, char *buf, size_t len, struct error *err)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = reader_read(r, buf + got, len - got, err);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Open 'path' for reading from its start, decompressing it when
 * 'compression' is set; the plain fd is kept open either way. */
static int
reader_open(struct reader *r, int fd, const char *path, const char *compression,
	    struct error *err)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->compression = compression;
	if (compression)
		return tarball_stream_open(&r->zs, path, err);
	return 0;
}

static void
reader_close(struct reader *r)
{
	if (r->compression)
		tarball_stream_close(&r->zs);
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
deliver_file(struct walk *w, const char *path, enum store_format format,
	     const char *compression, int fd, size_t end, bool complete,
	     struct error *err)
{
	struct store_msg msg;

	msg.path = path;
	msg.format = format;
	msg.compression = compression;
	msg.offset = 0;
	msg.length = -1;
	msg.dev = 0;
	msg.ino = 0;
	msg.header = w->head.buf;
	msg.header_len = end;
	msg.header_complete = complete;
	msg.fd = fd;
	return w->fn(&msg, w->data, err);
}

static int scan_mbox(struct walk *w, const char *path, int fd, const char *compression,
		     size_t first, struct error *err);

/* Where the first "From " line of a would-be mbox starts: white space
 * before it is tolerated (see VIOLATIONS.md).  -1 when buf does not
 * start an mbox. */
static ssize_t
mbox_start(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (len - i >= 5 && memcmp(buf + i, "From ", 5) == 0 && (i == 0 || buf[i - 1] == '\n'))
		return (ssize_t)i;
	return -1;
}

/* One file: a message or an mbox, maybe compressed.  'assume' is the
 * format to give a plain message (eml or maildir); with mbox_only, a file
 * that holds no mbox is passed over (files met in a folder walk that are
 * not named *.eml). */
static int
scan_file(struct walk *w, const char *path, enum store_format assume, bool mbox_only,
	  struct error *err)
{
	char chunk[STORE_FIRST_READ];
	struct error rerr = ERROR_INIT;
	const char *compression;
	struct reader r;
	size_t end = 0;
	bool complete = false;
	int fd, rc = 0;
	ssize_t n, first;

	/* O_NONBLOCK: a FIFO put in the store's place must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		diag_add(w->opt->diag, "skipped '%s': %s", path,
			 errno == ENOENT ? "vanished during the scan" : strerror(errno));
		return 0;
	}
	do
		n = read(fd, chunk, sizeof(chunk));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		diag_add(w->opt->diag, "skipped '%s': %s", path, strerror(errno));
		goto out;
	}
	compression = tarball_compression(chunk, (size_t)n);
	if (compression == NULL && (first = mbox_start(chunk, (size_t)n)) >= 0) {
		rc = scan_mbox(w, path, fd, NULL, (size_t)first, err);
		goto out;
	}
	if (mbox_only && compression == NULL)
		goto out;
	if (compression) {
		/* Peek at the decompressed start to tell an mbox. */
		if (reader_open(&r, fd, path, compression, &rerr) < 0) {
			diag_add(w->opt->diag, "skipped '%s': %s", path, rerr.msg);
			goto out;
		}
		n = reader_fill(&r, chunk, sizeof(chunk), &rerr);
		if (n > 0 && (first = mbox_start(chunk, (size_t)n)) >= 0) {
			reader_close(&r);
			rc = scan_mbox(w, path, fd, compression, (size_t)first, err);
			goto out;
		}
		if (mbox_only) {
			reader_close(&r);
			goto out;
		}
	} else {
		r.fd = fd;	/* reading goes on after the first chunk */
		r.compression = NULL;
	}
	/* A single message: its header block, in as few reads as it takes. */
	strbuf_init(&w->head, w->opt->max_header);
	for (;;) {
		size_t room = w->opt->max_header - w->head.len, old = w->head.len;

		if (n < 0) {
			diag_add(w->opt->diag, "skipped '%s': %s", path, rerr.msg);
			goto done;
		}
		if (n == 0)
			break;
		if ((size_t)n > room)
			n = (ssize_t)room;
		strbuf_add(&w->head, chunk, (size_t)n);
		end = header_end_from(w->head.buf, w->head.len, old, &complete);
		if (complete || w->head.len == w->opt->max_header)
			break;
		n = reader_read(&r, chunk, sizeof(chunk), &rerr);
	}
	if (!complete) {
		end = w->head.len;
		if (w->head.len == w->opt->max_header)
			diag_add(w->opt->diag, "'%s': header block larger than %zu bytes: "
				 "only its start was searched", path, w->opt->max_header);
	}
	rc = deliver_file(w, path, assume, compression, fd, end, complete, err);
done:
	if (compression)
		reader_close(&r);
	strbuf_release(&w->head);
out:
	close(fd);
	return rc;
}

/* Hand one mbox message to the callback: its header is in w->head. */
static int
deliver_mbox(struct walk *w, const char *path, const char *compression,
	     const struct stat *st, int64_t start, int64_t end, bool complete,
	     struct error *err)
{
	struct store_msg msg;

	msg.path = path;
	msg.format = STORE_MBOX;
	msg.compression = compression;
	msg.offset = start;
	msg.length = end - start;
	msg.dev = st->st_dev;
	msg.ino = st->st_ino;
	msg.header = w->head.buf;
	msg.header_len = w->head.len;
	msg.header_complete = complete;
	msg.fd = -1;
	return w->fn(&msg, w->data, err);
}

/* True when the line at p (up to end) is an mbox "From " line:
 * "From SENDER DATE" with an asctime-like time and year.  A body line
 * that merely starts with "From " and escaped quoting is not one (the
 * test of git's mailsplit: a time "h:mm:ss"-like and a year after it). */
static bool
is_from_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end, *colon;

	if (e - p < 20 || memcmp(p, "From ", 5) != 0)
		return !nl;	/* cut by the window: decided when refilled */
	for (colon = e - 1; colon > p + 5 && *colon != ':'; colon--)
		;
	if (colon <= p + 6 || colon + 3 > e)
		return false;
	if (!isdigit((unsigned char)colon[-1]) || !isdigit((unsigned char)colon[1]) ||
	    !isdigit((unsigned char)colon[2]))
		return false;
	/* a four-digit year somewhere after the time */
	for (const char *q = colon + 3; q + 4 <= e; q++)
		if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
		    isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]))
			return true;
	return false;
}

/* An mbox whose first "From " line is at byte 'first': every message's
 * header block to the callback, through one window of STORE_MBOX_BUF
 * bytes. */
static int
scan_mbox(struct walk *w, const char *path, int fd, const char *compression,
	  size_t first, struct error *err)
{
	struct error rerr = ERROR_INIT;
	struct reader r;
	struct stat st;
	char *buf;
	size_t len = 0, pos = 0, cap;
	int64_t base = 0;	/* file offset of buf[0] */
	int64_t msg_start = -1;	/* the pending message, or -1 */
	bool eof = false, complete = false, in_header = true;
	int rc = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		diag_add(w->opt->diag, "skipped '%s': %s", path, strerror(errno));
		return 0;
	}
	if (reader_open(&r, fd, path, compression, &rerr) < 0) {
		diag_add(w->opt->diag, "skipped '%s': %s", path, rerr.msg);
		return 0;
	}
	cap = w->opt->max_header + STORE_MAX_FROM_LINE + 16;
	if (cap < STORE_MBOX_BUF)
		cap = STORE_MBOX_BUF;
	if (w->mbox_cap < cap) {
		free(w->mbox_buf);
		w->mbox_buf = xmalloc(cap);
		w->mbox_cap = cap;
	}
	buf = w->mbox_buf;
	strbuf_init(&w->head, w->opt->max_header);
	pos = first;	/* the first "From " line, after any blank lines */

	for (;;) {
		/* Refill: keep what is still needed at the front. */
		if (!eof && len < cap) {
			n = reader_fill(&r, buf + len, cap - len, &rerr);
			if (n < 0) {
				diag_add(w->opt->diag, "'%s': %s: messages after byte %lld not searched",
					 path, rerr.msg, (long long)(base + (int64_t)len));
				break;
			}
			if ((size_t)n < cap - len)
				eof = true;
			len += (size_t)n;
		}
		if (in_header) {
			/* At a "From " line: find its end, then the header. */
			const char *nl = memchr(buf + pos, '\n', len - pos);
			size_t hstart, avail, hend;

			if (nl == NULL && !eof && len - pos < STORE_MAX_FROM_LINE)
				goto shift;
			if (nl == NULL) {
				if (len - pos >= STORE_MAX_FROM_LINE)
					diag_add(w->opt->diag, "'%s': a \"From \" line at byte %lld is "
						 "longer than %d bytes: rest of the file not searched",
						 path, (long long)(base + (int64_t)pos), STORE_MAX_FROM_LINE);
				break;	/* a last "From " line and nothing after it */
			}
			hstart = (size_t)(nl + 1 - buf);
			avail = len - hstart;
			if (avail > w->opt->max_header)
				avail = w->opt->max_header;
			/* A message cut before its empty line must not lend
			 * the next message's header. */
			{
				const char *next = memmem(buf + hstart - 1, avail + 1, "\nFrom ", 6);

				while (next && !is_from_line(next + 1, buf + len))
					next = memmem(next + 1, avail - (size_t)(next + 1 - (buf + hstart)),
						      "\nFrom ", 6);
				if (next)
					avail = (size_t)(next + 1 - (buf + hstart));
			}
			hend = msgid_header_end(buf + hstart, avail, &complete);
			if (!complete && !eof && hstart + avail == len && avail < w->opt->max_header)
				goto shift;	/* the header goes on past the window */
			strbuf_reset(&w->head);
			strbuf_add(&w->head, buf + hstart, hend);
			msg_start = base + (int64_t)hstart;
			pos = hstart + hend;
			in_header = false;
		}
		/* In a body: the next "\nFrom " ends it. */
		{
			size_t from = pos > 0 ? pos - 1 : 0;
			const char *p = len > from ? memmem(buf + from, len - from, "\nFrom ", 6) : NULL;

			/* "From " lines of the body that are no separators */
			while (p != NULL && !is_from_line(p + 1, buf + len))
				p = memmem(p + 1, len - (size_t)(p + 1 - buf), "\nFrom ", 6);
			if (p != NULL && memchr(p + 1, '\n', len - (size_t)(p + 1 - buf)) == NULL && !eof) {
				/* the separator's line is cut by the window */
				pos = (size_t)(p - buf);
				goto shift;
			}
			if (p != NULL) {
				size_t at = (size_t)(p - buf);

				/* The message ends with the newline before the
				 * next "From " line; an empty line the writer put
				 * there stays in, as git's mailsplit keeps it. */
				rc = deliver_mbox(w, path, compression, &st, msg_start,
						  base + (int64_t)at + 1, complete, err);
				if (rc < 0)
					break;
				msg_start = -1;
				pos = at + 1;
				in_header = true;
				continue;
			}
			if (eof) {
				rc = deliver_mbox(w, path, compression, &st, msg_start,
						  base + (int64_t)len, complete, err);
				msg_start = -1;
				break;
			}
			/* Keep the last bytes: a separator may straddle. */
			if (len >= 7 && pos < len - 7)
				pos = len - 5;
		}
shift:
		{
			/* Drop what is behind pos, keeping two bytes before it
			 * for the separator checks. */
			size_t keep = pos >= 2 ? pos - 2 : 0;

			if (keep == 0 && len == cap) {
				/* nothing can be dropped: cannot happen, since the
				 * window holds a whole header block */
				diag_add(w->opt->diag, "'%s': cannot scan past byte %lld", path,
					 (long long)base);
				break;
			}
			memmove(buf, buf + keep, len - keep);
			base += (int64_t)keep;
			len -= keep;
			pos -= keep;
			if (eof && keep == 0)
				break;
		}
	}
	strbuf_release(&w->head);
	reader_close(&r);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted bytewise, without "." and "..". */
static char **
read_dir_sorted(const char *path, size_t *nr, struct walk *w)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t alloc = 0;

	*nr = 0;
	if (d == NULL) {
		diag_add(w->opt->diag, "skipped folder '%s': %s", path, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = xgrow(names, *nr + 1, &alloc, sizeof(*names));
		names[(*nr)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*nr)
		qsort(names, *nr, sizeof(*names), cmp_names);
	return names;
}

static void
free_names(char **names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_maildir(const char *path)
{
	char *cur = path_join(path, "cur"), *new = path_join(path, "new");
	bool yes = is_dir(cur) || is_dir(new);

	free(cur);
	free(new);
	return yes;
}

static bool
has_eml_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcasecmp(name + n - 4, ".eml") == 0;
}

static int walk_dir(struct walk *w, const char *path, struct error *err);

/* Every message file of a Maildir's cur/ or new/ (dot files are not
 * messages: Dovecot and Courier keep their indexes there). */
static int
walk_maildir_sub(struct walk *w, const char *path, struct error *err)
{
	size_t nr, i;
	char **names = read_dir_sorted(path, &nr, w);
	int rc = 0;

	for (i = 0; i < nr && rc == 0; i++) {
		char *p;

		if (names[i][0] == '.')
			continue;
		p = path_join(path, names[i]);
		rc = scan_file(w, p, STORE_MAILDIR, false, err);
		free(p);
	}
	free_names(names, nr);
	return rc;
}

/* Enter a folder unless it is already on the current path (a loop made
 * of symlinks) or too deep. */
static int
walk_enter(struct walk *w, const char *path, struct error *err)
{
	struct stat st;
	int rc;

	if (stat(path, &st) < 0) {
		diag_add(w->opt->diag, "skipped folder '%s': %s", path, strerror(errno));
		return 0;
	}
	for (int i = 0; i < w->depth; i++) {
		if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino) {
			diag_add(w->opt->diag, "skipped folder '%s': symlink loop", path);
			return 0;
		}
	}
	if (w->depth == STORE_MAX_DEPTH) {
		diag_add(w->opt->diag, "skipped folder '%s': more than %d levels deep",
			 path, STORE_MAX_DEPTH);
		return 0;
	}
	w->stack[w->depth].dev = st.st_dev;
	w->stack[w->depth].ino = st.st_ino;
	w->depth++;
	rc = walk_dir(w, path, err);
	w->depth--;
	return rc;
}

/* A folder: a Maildir (its cur/ and new/, then its sub-folders, which
 * covers Maildir++ ".Sent" folders and nested layouts) or a plain folder
 * of *.eml files, mbox files and sub-folders. */
static int
walk_dir(struct walk *w, const char *path, struct error *err)
{
	bool maildir = is_maildir(path);
	size_t nr, i;
	char **names;
	int rc = 0;

	if (maildir) {
		char *cur = path_join(path, "cur"), *new = path_join(path, "new");

		if (is_dir(cur))
			rc = walk_maildir_sub(w, cur, err);
		if (rc == 0 && is_dir(new))
			rc = walk_maildir_sub(w, new, err);
		free(cur);
		free(new);
		if (rc)
			return rc;
	}
	names = read_dir_sorted(path, &nr, w);
	for (i = 0; i < nr && rc == 0; i++) {
		const char *name = names[i];
		struct stat st;
		char *p;

		if (maildir && (strcmp(name, "cur") == 0 || strcmp(name, "new") == 0 ||
				strcmp(name, "tmp") == 0))
			continue;
		p = path_join(path, name);
		if (stat(p, &st) < 0) {
			if (errno != ENOENT || lstat(p, &st) == 0)
				diag_add(w->opt->diag, "skipped '%s': %s", p, strerror(errno));
			else
				diag_add(w->opt->diag, "skipped '%s': vanished during the scan", p);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk_enter(w, p, err);
		} else if (S_ISREG(st.st_mode) && !maildir) {
			rc = scan_file(w, p, STORE_EML, !has_eml_suffix(name), err);
		}
		free(p);
	}
	free_names(names, nr);
	return rc;
}

int
store_scan(const char *path, const struct store_options *opt,
	   store_msg_fn fn, void *data, struct error *err)
{
	struct walk w;
	struct stat st;
	int rc;

	memset(&w, 0, sizeof(w));
	w.opt = opt;
	w.fn = fn;
	w.data = data;
	strbuf_init(&w.head, opt->max_header);
	if (stat(path, &st) < 0)
		return error_set(err, EX_NOINPUT, "cannot read mail store '%s': %s",
				 path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (access(path, R_OK | X_OK) < 0)
			return error_set(err, EX_NOINPUT, "cannot read mail store '%s': %s",
					 path, strerror(errno));
		rc = walk_enter(&w, path, err);
	} else if (!S_ISREG(st.st_mode)) {
		return error_set(err, EX_NOINPUT, "mail store '%s' is neither a file nor a folder",
				 path);
	} else if (access(path, R_OK) < 0) {
		return error_set(err, EX_NOINPUT, "cannot read message '%s': %s",
				 path, strerror(errno));
	} else {
		rc = scan_file(&w, path, STORE_EML, false, err);
	}
	free(w.mbox_buf);
	return rc;
}

/* Copy 'length' bytes from 'offset' of an open reader into out, undoing
 * mboxrd quoting when 'unquote' is set.  Lines are handled across reads
 * by remembering whether the last byte ended a line. */
static int
copy_range(struct reader *r, int64_t offset, int64_t length, bool unquote,
	   struct strbuf *out, struct store_extract_info *info, const char *path,
	   struct error *err)
{
	char buf[65536];
	struct error rerr = ERROR_INIT;
	int64_t skip = offset, left = length;
	bool at_line_start = true;
	ssize_t n;

	if (r->compression == NULL) {
		if (lseek(r->fd, (off_t)offset, SEEK_SET) < 0)
			return error_set(err, EX_IOERR, "cannot read '%s': %s", path, strerror(errno));
		skip = 0;
	}
	while (skip > 0) {
		size_t want = skip > (int64_t)sizeof(buf) ? sizeof(buf) : (size_t)skip;

		n = reader_read(r, buf, want, &rerr);
		if (n <= 0)
			return error_set(err, n < 0 ? EX_DATAERR : EX_IOERR, "cannot read '%s': %s", path,
					 n < 0 ? rerr.msg : "it became shorter");
		skip -= n;
	}
	while (left > 0) {
		size_t want = left > (int64_t)sizeof(buf) ? sizeof(buf) : (size_t)left;
		const char *p, *end;

		n = reader_read(r, buf, want, &rerr);
		if (n <= 0)
			return error_set(err, n < 0 ? EX_DATAERR : EX_IOERR, "cannot read '%s': %s", path,
					 n < 0 ? rerr.msg : "it became shorter");
		left -= n;
		if (!unquote) {
			if (strbuf_add(out, buf, (size_t)n) < 0)
				goto toobig;
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
			if (strbuf_add(out, p, (size_t)(stop - p)) < 0)
				goto toobig;
			at_line_start = nl != NULL;
			p = stop;
		}
	}
	return 0;
toobig:
	return error_set(err, EX_DATAERR, "a message in '%s' is larger than %zu bytes",
			 path, out->max);
}

int
store_extract(const char *path, enum store_format format, const char *compression,
	      int64_t offset, int64_t length, struct strbuf *out,
	      struct store_extract_info *info, struct error *err)
{
	struct reader r;
	int fd, rc;

	memset(info, 0, sizeof(*info));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return error_set(err, EX_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
	if (reader_open(&r, fd, path, compression, err) < 0) {
		close(fd);
		return -1;
	}
	rc = copy_range(&r, offset, length, format == STORE_MBOX, out, info, path, err);
	reader_close(&r);
	close(fd);
	return rc;
}
