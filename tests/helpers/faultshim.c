/* faultshim.c - an LD_PRELOAD library for the tests that makes chosen
 * system calls of fpkit fail, or wait, as a full disk, a broken disk or
 * a slow one would (jq's tests do the same for its output).
 *
 * Built for 'make check' only (tests/faults.am), without the sanitizers:
 * it sits in front of them.  With an ASan fpkit, ASan must be told that
 * it is not the first library: ASAN_OPTIONS=verify_asan_link_order=0.
 *
 * Set up by the environment, read once when the library is loaded:
 *
 *   FAULT_CALL=NAME[,NAME...]  the calls to fault, by family:
 *       open (open, open64, __open_2, __open64_2), openat (openat,
 *       openat64, __openat_2, __openat64_2), read (read, __read_chk),
 *       pread (pread, pread64 and their __*_chk), write, pwrite
 *       (pwrite, pwrite64), fsync, fdatasync, close, link (link,
 *       linkat), rename (rename, renameat, renameat2), mkdir (mkdir,
 *       mkdirat), mkstemp (mkstemp, mkstemp64, mkostemp), fchmod,
 *       chmod, unlink, fopen (fopen, fopen64)
 *   FAULT_ERRNO=NAME|NUMBER    the errno of a faulted call (ENOSPC, EIO,
 *       EACCES, ENOENT, EPERM, EROFS, EDQUOT, EXDEV, EINTR, or a number);
 *       default EIO, or none at all when FAULT_DELAY_MS is set alone:
 *       the call is then only delayed
 *   FAULT_PATH=TEXT            only calls on a path that contains TEXT;
 *       for calls on a descriptor, the path it is open on (read from
 *       /proc/self/fd); for openat, the folder's path joined to the name;
 *       for link and rename, either path
 *   FAULT_AFTER=N              let the first N matching calls through
 *   FAULT_TIMES=N              fault N matching calls, then let the
 *       others through (default: every one after FAULT_AFTER)
 *   FAULT_DELAY_MS=N           sleep N ms before each faulted call
 *   FAULT_MARK=FILE            at the first faulted call, write the
 *       process id to FILE (so that a test knows the moment has come,
 *       and whom to send a signal)
 *   FAULT_LOG=FILE             append "CALL PATH" for each faulted call
 *       (so that a test can check that its fault was met)
 *
 * For example, a full disk under the bundle's temporary file:
 *
 *   LD_PRELOAD=tests/helpers/faultshim.so FAULT_CALL=write FAULT_ERRNO=ENOSPC \
 *   FAULT_PATH=/.b.tar.gz. fpkit pack ... -o out/b.tar.gz
 *
 * A faulted call does not reach the system (one only delayed does),
 * except close(), which releases its descriptor as Linux does even when
 * it reports an error.
 * Calls that glibc makes inside itself (mkstemp's open, stdio's reads
 * and writes, opendir's open) do not go through these wrappers: fault
 * the outer call instead (mkstemp, fopen). */
#undef _FORTIFY_SOURCE		/* its inline open() would clash with ours */
#undef _FILE_OFFSET_BITS	/* open must stay open, not become open64 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Wrappers for glibc's fortified entry points, which its headers
 * declare only under _FORTIFY_SOURCE. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t len, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t len, off64_t off, size_t buflen);

enum family {
	F_OPEN, F_OPENAT, F_READ, F_PREAD, F_WRITE, F_PWRITE, F_FSYNC, F_FDATASYNC,
	F_CLOSE, F_LINK, F_RENAME, F_MKDIR, F_MKSTEMP, F_FCHMOD, F_CHMOD, F_UNLINK,
	F_FOPEN, F_NR
};

static const char *const family_names[F_NR] = {
	"open", "openat", "read", "pread", "write", "pwrite", "fsync", "fdatasync",
	"close", "link", "rename", "mkdir", "mkstemp", "fchmod", "chmod", "unlink",
	"fopen",
};

/* Set once by faultshim_init, before main; only 'seen' and 'marked'
 * change afterwards, atomically (the store is read by threads). */
static struct {
	int on[F_NR];		/* the families named in FAULT_CALL */
	const char *path;	/* FAULT_PATH, or NULL */
	int error;		/* FAULT_ERRNO; 0: delay only */
	long after, times;	/* FAULT_AFTER, FAULT_TIMES (-1: no end) */
	long delay_ms;		/* FAULT_DELAY_MS */
	const char *mark;	/* FAULT_MARK */
	const char *log;	/* FAULT_LOG */
	long seen;		/* matching calls so far */
	int marked;		/* FAULT_MARK written */
} cfg;

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EACCES", EACCES }, { "ENOENT", ENOENT },
	{ "EPERM", EPERM }, { "EROFS", EROFS }, { "EDQUOT", EDQUOT }, { "EXDEV", EXDEV },
	{ "EINTR", EINTR }, { "EEXIST", EEXIST }, { "EMFILE", EMFILE }, { "ENOTSUP", ENOTSUP },
};

/* The definition of NAME after ours: glibc's, or a sanitizer's
 * interceptor in front of it. */
static void *
next_fn(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (fn == NULL) {
		fprintf(stderr, "faultshim: no '%s' after the shim\n", name);
		abort();
	}
	return fn;
}

/* Look VAR up once (two threads racing only look it up twice). */
#define NEXT(var, name) \
	do { if ((var) == NULL) (var) = (__typeof__(var))next_fn(name); } while (0)

/* unlink is what fpkit's signal handler calls (outfile.c): looked up
 * here, before main, since dlsym is no call for a signal handler. */
static int (*next_unlink)(const char *);

__attribute__((constructor)) static void
faultshim_init(void)
{
	const char *calls = getenv("FAULT_CALL"), *e;

	NEXT(next_unlink, "unlink");
	if (calls == NULL || *calls == '\0')
		return;
	for (const char *p = calls; *p;) {
		size_t n = strcspn(p, ",");
		int known = 0;

		for (int f = 0; f < F_NR; f++)
			if (strlen(family_names[f]) == n && strncmp(p, family_names[f], n) == 0)
				cfg.on[f] = known = 1;
		if (!known) {
			fprintf(stderr, "faultshim: unknown call '%.*s' in FAULT_CALL\n", (int)n, p);
			abort();
		}
		p += n + (p[n] == ',');
	}
	cfg.path = getenv("FAULT_PATH");
	if (cfg.path && *cfg.path == '\0')
		cfg.path = NULL;
	cfg.after = (e = getenv("FAULT_AFTER")) ? strtol(e, NULL, 10) : 0;
	cfg.times = (e = getenv("FAULT_TIMES")) ? strtol(e, NULL, 10) : -1;
	cfg.delay_ms = (e = getenv("FAULT_DELAY_MS")) ? strtol(e, NULL, 10) : 0;
	cfg.mark = getenv("FAULT_MARK");
	cfg.log = getenv("FAULT_LOG");
	e = getenv("FAULT_ERRNO");
	if (e == NULL || *e == '\0') {
		cfg.error = cfg.delay_ms > 0 ? 0 : EIO;
	} else if (*e >= '0' && *e <= '9') {
		cfg.error = (int)strtol(e, NULL, 10);
	} else {
		cfg.error = -1;
		for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
			if (strcmp(e, errnos[i].name) == 0)
				cfg.error = errnos[i].value;
		if (cfg.error < 0) {
			fprintf(stderr, "faultshim: unknown FAULT_ERRNO '%s'\n", e);
			abort();
		}
	}
}

/* The path descriptor FD is open on, in buf ("" when unknown). */
static const char *
fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* NAME as seen from folder DIRFD, in buf. */
static const char *
at_path(int dirfd, const char *name, char *buf, size_t size)
{
	char dir[4096];

	if (name[0] == '/' || dirfd == AT_FDCWD)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s/%s", fd_path(dirfd, dir, sizeof(dir)), name);
	return buf;
}

/* Write TEXT to FILE, appended or anew, with the calls after ours. */
static void
put(const char *file, int append, const char *text)
{
	static int (*next_open)(const char *, int, ...);
	static ssize_t (*next_write)(int, const void *, size_t);
	static int (*next_close)(int);
	int fd;

	NEXT(next_open, "open");
	NEXT(next_write, "write");
	NEXT(next_close, "close");
	fd = next_open(file, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0600);
	if (fd < 0)
		return;
	if (next_write(fd, text, strlen(text)) < 0)
		fprintf(stderr, "faultshim: cannot write '%s'\n", file);
	next_close(fd);
}

/* Whether this call (of a family FAULT_CALL names) on PATH is faulted:
 * 0 to let it through (after the delay, if any), or the errno to fail it
 * with. */
static int
fault(const char *call, const char *path)
{
	int saved = errno;
	long n;

	if (cfg.path && strstr(path, cfg.path) == NULL)
		return 0;
	n = __atomic_fetch_add(&cfg.seen, 1, __ATOMIC_SEQ_CST);
	if (n < cfg.after || (cfg.times >= 0 && n >= cfg.after + cfg.times))
		return 0;
	if (cfg.log) {
		char line[4200];

		snprintf(line, sizeof(line), "%s %s\n", call, path);
		put(cfg.log, 1, line);
	}
	if (cfg.mark && !__atomic_exchange_n(&cfg.marked, 1, __ATOMIC_SEQ_CST)) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		put(cfg.mark, 0, pid);
	}
	if (cfg.delay_ms > 0) {
		struct timespec ts = { cfg.delay_ms / 1000, (cfg.delay_ms % 1000) * 1000000L };

		/* A signal whose handler returns does not shorten the wait. */
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	errno = saved;
	return cfg.error;
}

/* The wrappers: each asks fault() only when its family is on, so that
 * a run without FAULT_CALL costs a test nothing. */
#define CHECK_PATH(fam, call, path) \
	do { \
		int e_; \
		if (cfg.on[fam] && (e_ = fault(call, path)) != 0) { \
			errno = e_; \
			return -1; \
		} \
	} while (0)

#define CHECK_FD(fam, call, fd) \
	do { \
		char p_[4096]; \
		if (cfg.on[fam]) \
			CHECK_PATH(fam, call, fd_path(fd, p_, sizeof(p_))); \
	} while (0)

#define CHECK_AT(fam, call, dirfd, name) \
	do { \
		char p_[8192]; \
		if (cfg.on[fam]) \
			CHECK_PATH(fam, call, at_path(dirfd, name, p_, sizeof(p_))); \
	} while (0)

/* open's mode argument, when the flags say there is one. */
#define MODE_ARG(flags, mode) \
	do { \
		if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) { \
			va_list ap_; \
			va_start(ap_, flags); \
			mode = (mode_t)va_arg(ap_, int); \
			va_end(ap_); \
		} \
	} while (0)

#define WRAP_OPEN(name) \
	int name(const char *path, int flags, ...) \
	{ \
		static int (*next)(const char *, int, ...); \
		mode_t mode = 0; \
		MODE_ARG(flags, mode); \
		CHECK_PATH(F_OPEN, #name, path); \
		NEXT(next, #name); \
		return next(path, flags, mode); \
	}
WRAP_OPEN(open)
WRAP_OPEN(open64)

#define WRAP_OPEN_2(name) \
	int name(const char *path, int flags) \
	{ \
		static int (*next)(const char *, int); \
		CHECK_PATH(F_OPEN, #name, path); \
		NEXT(next, #name); \
		return next(path, flags); \
	}
WRAP_OPEN_2(__open_2)
WRAP_OPEN_2(__open64_2)

#define WRAP_OPENAT(name) \
	int name(int dirfd, const char *path, int flags, ...) \
	{ \
		static int (*next)(int, const char *, int, ...); \
		mode_t mode = 0; \
		MODE_ARG(flags, mode); \
		CHECK_AT(F_OPENAT, #name, dirfd, path); \
		NEXT(next, #name); \
		return next(dirfd, path, flags, mode); \
	}
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)

#define WRAP_OPENAT_2(name) \
	int name(int dirfd, const char *path, int flags) \
	{ \
		static int (*next)(int, const char *, int); \
		CHECK_AT(F_OPENAT, #name, dirfd, path); \
		NEXT(next, #name); \
		return next(dirfd, path, flags); \
	}
WRAP_OPENAT_2(__openat_2)
WRAP_OPENAT_2(__openat64_2)

ssize_t
read(int fd, void *buf, size_t len)
{
	static ssize_t (*next)(int, void *, size_t);

	CHECK_FD(F_READ, "read", fd);
	NEXT(next, "read");
	return next(fd, buf, len);
}

ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	static ssize_t (*next)(int, void *, size_t, size_t);

	CHECK_FD(F_READ, "__read_chk", fd);
	NEXT(next, "__read_chk");
	return next(fd, buf, len, buflen);
}

ssize_t
pread(int fd, void *buf, size_t len, off_t off)
{
	static ssize_t (*next)(int, void *, size_t, off_t);

	CHECK_FD(F_PREAD, "pread", fd);
	NEXT(next, "pread");
	return next(fd, buf, len, off);
}

ssize_t
pread64(int fd, void *buf, size_t len, off64_t off)
{
	static ssize_t (*next)(int, void *, size_t, off64_t);

	CHECK_FD(F_PREAD, "pread64", fd);
	NEXT(next, "pread64");
	return next(fd, buf, len, off);
}

ssize_t
__pread_chk(int fd, void *buf, size_t len, off_t off, size_t buflen)
{
	static ssize_t (*next)(int, void *, size_t, off_t, size_t);

	CHECK_FD(F_PREAD, "__pread_chk", fd);
	NEXT(next, "__pread_chk");
	return next(fd, buf, len, off, buflen);
}

ssize_t
__pread64_chk(int fd, void *buf, size_t len, off64_t off, size_t buflen)
{
	static ssize_t (*next)(int, void *, size_t, off64_t, size_t);

	CHECK_FD(F_PREAD, "__pread64_chk", fd);
	NEXT(next, "__pread64_chk");
	return next(fd, buf, len, off, buflen);
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	static ssize_t (*next)(int, const void *, size_t);

	CHECK_FD(F_WRITE, "write", fd);
	NEXT(next, "write");
	return next(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	static ssize_t (*next)(int, const void *, size_t, off_t);

	CHECK_FD(F_PWRITE, "pwrite", fd);
	NEXT(next, "pwrite");
	return next(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	static ssize_t (*next)(int, const void *, size_t, off64_t);

	CHECK_FD(F_PWRITE, "pwrite64", fd);
	NEXT(next, "pwrite64");
	return next(fd, buf, len, off);
}

int
fsync(int fd)
{
	static int (*next)(int);

	CHECK_FD(F_FSYNC, "fsync", fd);
	NEXT(next, "fsync");
	return next(fd);
}

int
fdatasync(int fd)
{
	static int (*next)(int);

	CHECK_FD(F_FDATASYNC, "fdatasync", fd);
	NEXT(next, "fdatasync");
	return next(fd);
}

int
close(int fd)
{
	static int (*next)(int);
	char p[4096];
	int e;

	NEXT(next, "close");
	if (cfg.on[F_CLOSE] && (e = fault("close", fd_path(fd, p, sizeof(p)))) != 0) {
		/* The descriptor is gone even when close() fails (Linux). */
		next(fd);
		errno = e;
		return -1;
	}
	return next(fd);
}

int
link(const char *from, const char *to)
{
	static int (*next)(const char *, const char *);

	if (cfg.on[F_LINK] && !(cfg.path && strstr(from, cfg.path) == NULL))
		CHECK_PATH(F_LINK, "link", from);
	else
		CHECK_PATH(F_LINK, "link", to);
	NEXT(next, "link");
	return next(from, to);
}

int
linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	static int (*next)(int, const char *, int, const char *, int);

	if (cfg.on[F_LINK] && !(cfg.path && strstr(from, cfg.path) == NULL))
		CHECK_AT(F_LINK, "linkat", fromfd, from);
	else
		CHECK_AT(F_LINK, "linkat", tofd, to);
	NEXT(next, "linkat");
	return next(fromfd, from, tofd, to, flags);
}

int
rename(const char *from, const char *to)
{
	static int (*next)(const char *, const char *);

	if (cfg.on[F_RENAME] && !(cfg.path && strstr(from, cfg.path) == NULL))
		CHECK_PATH(F_RENAME, "rename", from);
	else
		CHECK_PATH(F_RENAME, "rename", to);
	NEXT(next, "rename");
	return next(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	static int (*next)(int, const char *, int, const char *);

	if (cfg.on[F_RENAME] && !(cfg.path && strstr(from, cfg.path) == NULL))
		CHECK_AT(F_RENAME, "renameat", fromfd, from);
	else
		CHECK_AT(F_RENAME, "renameat", tofd, to);
	NEXT(next, "renameat");
	return next(fromfd, from, tofd, to);
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
	static int (*next)(int, const char *, int, const char *, unsigned int);

	if (cfg.on[F_RENAME] && !(cfg.path && strstr(from, cfg.path) == NULL))
		CHECK_AT(F_RENAME, "renameat2", fromfd, from);
	else
		CHECK_AT(F_RENAME, "renameat2", tofd, to);
	NEXT(next, "renameat2");
	return next(fromfd, from, tofd, to, flags);
}

int
mkdir(const char *path, mode_t mode)
{
	static int (*next)(const char *, mode_t);

	CHECK_PATH(F_MKDIR, "mkdir", path);
	NEXT(next, "mkdir");
	return next(path, mode);
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	static int (*next)(int, const char *, mode_t);

	CHECK_AT(F_MKDIR, "mkdirat", dirfd, path);
	NEXT(next, "mkdirat");
	return next(dirfd, path, mode);
}

#define WRAP_MKSTEMP(name) \
	int name(char *tmpl) \
	{ \
		static int (*next)(char *); \
		CHECK_PATH(F_MKSTEMP, #name, tmpl); \
		NEXT(next, #name); \
		return next(tmpl); \
	}
WRAP_MKSTEMP(mkstemp)
WRAP_MKSTEMP(mkstemp64)

int
mkostemp(char *tmpl, int flags)
{
	static int (*next)(char *, int);

	CHECK_PATH(F_MKSTEMP, "mkostemp", tmpl);
	NEXT(next, "mkostemp");
	return next(tmpl, flags);
}

int
fchmod(int fd, mode_t mode)
{
	static int (*next)(int, mode_t);

	CHECK_FD(F_FCHMOD, "fchmod", fd);
	NEXT(next, "fchmod");
	return next(fd, mode);
}

int
chmod(const char *path, mode_t mode)
{
	static int (*next)(const char *, mode_t);

	CHECK_PATH(F_CHMOD, "chmod", path);
	NEXT(next, "chmod");
	return next(path, mode);
}

int
unlink(const char *path)
{
	CHECK_PATH(F_UNLINK, "unlink", path);
	NEXT(next_unlink, "unlink");
	return next_unlink(path);
}

#define WRAP_FOPEN(name) \
	FILE *name(const char *path, const char *mode) \
	{ \
		static FILE *(*next)(const char *, const char *); \
		int e; \
		if (cfg.on[F_FOPEN] && (e = fault(#name, path)) != 0) { \
			errno = e; \
			return NULL; \
		} \
		NEXT(next, #name); \
		return next(path, mode); \
	}
WRAP_FOPEN(fopen)
WRAP_FOPEN(fopen64)
