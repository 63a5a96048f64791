/* floors.c - what reading a store costs at the least, for the benchmark
 * matrix's missed cells (README, "How fast")
 *
 * usage: floors mem FILE [THREADS]     the file mapped at a 2 MiB
 *                                      boundary and every byte loaded
 *                                      once (32 at a time), nothing else
 *        floors files DIR [THREADS]    every file below DIR opened, its
 *                                      first 4 KiB read, closed, nothing
 *                                      else
 *
 * Prints the wall time.  A tool that must look at every byte of an mbox
 * (its messages are told apart only by their "From " lines) cannot take
 * less than the first, once the file is in the page cache; one that
 * reads each message file's header cannot take less than the second.
 * THREADS defaults to 2. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ALIGN (2u << 20)

struct part {
	const unsigned char *base;
	size_t from, to;
	uint64_t sum;
};

/* 16 bytes, the vector every x86-64 processor has (SSE2). */
typedef uint64_t v2 __attribute__((vector_size(16)));

/* Every byte of [from, to) loaded, 64 at a time; their OR kept, so that
 * the loads are not taken out. */
static void *
load_bytes(void *arg)
{
	struct part *p = arg;
	v2 a = { 0, 0 }, b = a, c = a, d = a, w;
	size_t i;

	for (i = p->from; i + 64 <= p->to; i += 64) {
		memcpy(&w, p->base + i, 16);
		a |= w;
		memcpy(&w, p->base + i + 16, 16);
		b |= w;
		memcpy(&w, p->base + i + 32, 16);
		c |= w;
		memcpy(&w, p->base + i + 48, 16);
		d |= w;
	}
	a |= b | c | d;
	p->sum = a[0] | a[1];
	return NULL;
}

struct file {
	int dirfd;
	char *name;
};

static struct file *files;
static size_t nfiles, files_cap;
static int nthreads;

static void
list(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (fd < 0 || (d = fdopendir(dup(fd))) == NULL) {
		perror(path);
		exit(1);
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_type == DT_DIR) {
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			list(sub);
			continue;
		}
		if (nfiles == files_cap) {
			files_cap = files_cap ? 2 * files_cap : 4096;
			files = realloc(files, files_cap * sizeof(*files));
			if (files == NULL)
				exit(1);
		}
		files[nfiles].dirfd = fd;
		files[nfiles].name = strdup(e->d_name);
		nfiles++;
	}
	closedir(d);
}

static void *
read_files(void *arg)
{
	size_t first = (size_t)(uintptr_t)arg;
	char buf[4096];

	for (size_t i = first; i < nfiles; i += (size_t)nthreads) {
		int fd = openat(files[i].dirfd, files[i].name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

		if (fd < 0)
			continue;
		if (read(fd, buf, sizeof(buf)) < 0)
			perror(files[i].name);
		close(fd);
	}
	return NULL;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	pthread_t tid[64];
	struct part parts[64];
	double t0;

	if (argc < 3 || (strcmp(argv[1], "mem") != 0 && strcmp(argv[1], "files") != 0)) {
		fprintf(stderr, "usage: floors mem FILE [THREADS] | floors files DIR [THREADS]\n");
		return 2;
	}
	nthreads = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 2;
	if (nthreads < 1 || nthreads > 64) {
		fprintf(stderr, "floors: THREADS is from 1 to 64\n");
		return 2;
	}
	if (strcmp(argv[1], "mem") == 0) {
		int fd = open(argv[2], O_RDONLY);
		struct stat st;
		unsigned char *r, *a;
		size_t size, chunk;
		uint64_t sum = 0;

		if (fd < 0 || fstat(fd, &st) < 0) {
			perror(argv[2]);
			return 1;
		}
		size = (size_t)st.st_size;
		r = mmap(NULL, size + ALIGN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		a = (unsigned char *)(((uintptr_t)r + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
		if (r == MAP_FAILED ||
		    mmap(a, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		chunk = size / (size_t)nthreads;
		t0 = now();
		for (int i = 0; i < nthreads; i++) {
			parts[i] = (struct part){ a, (size_t)i * chunk,
						  i == nthreads - 1 ? size : (size_t)(i + 1) * chunk, 0 };
			pthread_create(&tid[i], NULL, load_bytes, &parts[i]);
		}
		for (int i = 0; i < nthreads; i++) {
			pthread_join(tid[i], NULL);
			sum |= parts[i].sum;
		}
		printf("mem: %zu bytes, %d threads: %.4f s (%.1f GB/s) [%llx]\n", size, nthreads,
		       now() - t0, (double)size / (now() - t0) / 1e9, (unsigned long long)(sum & 1));
		return 0;
	}
	t0 = now();
	list(argv[2]);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&tid[i], NULL, read_files, (void *)(uintptr_t)i);
	for (int i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	printf("files: %zu files, %d threads: %.4f s\n", nfiles, nthreads, now() - t0);
	return 0;
}
