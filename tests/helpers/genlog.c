/* genlog.c - write a large Postfix log (classic syslog format) for the
 * bounded-memory test of pack --maillog (tests/e2e/maillog-big.sh)
 *
 * usage: genlog FILE SIZE QID:MESSAGE-ID...
 *
 * FILE gets about SIZE bytes of mail traffic on host mx1: 16 messages in
 * flight at a time, their lines interleaved, five lines or more each
 * (smtpd client=, cleanup message-id=, qmgr from=, smtp to=, qmgr
 * removed), starting on Nov 19 at midnight.  Each QID:MESSAGE-ID is
 * planted about 1 MiB before the end: a message with that queue id and
 * Message-ID, from planted-N@lumen-atelier.example to two recipients
 * (rcpt-N-a@example.net, then rcpt-N-b@example.org deferred once and
 * sent).  Their queue ids are also given to every 1000th unrelated
 * message, before and after, as Postfix reuses ids (never one in use).
 * The output is the same for the same arguments.  Exit status 0, or 1 with a
 * message. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 16
#define OUTBUF (1 << 20)
#define MAX_PLANT 8

struct out {
	int fd;
	char buf[OUTBUF + 4096];
	size_t len;
	uint64_t total;
};

struct msg {
	char qid[16];
	char id[96];
	char from[64];
	int step;		/* the next line to write */
	int planted;		/* 0, or the planted message's number */
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t clock_s;	/* seconds since Nov 19 00:00:00 */
static uint64_t nr_lines;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static int
flush(struct out *o)
{
	size_t done = 0;

	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "genlog: cannot write: %s\n", strerror(errno));
			return -1;
		}
		done += (size_t)n;
	}
	o->len = 0;
	return 0;
}

static void
put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->total += n;
}

static void
put_uint(struct out *o, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	while (n > 0) {
		o->buf[o->len++] = tmp[--n];
		o->total++;
	}
}

/* "Nov 19 00:00:00 mx1 postfix/PROG[PID]: QID: " */
static void
put_head(struct out *o, const char *prog, unsigned pid, const char *qid)
{
	uint64_t t = clock_s, day = 19 + t / 86400;

	put(o, "Nov ");
	put_uint(o, day, 2);
	put(o, " ");
	put_uint(o, t / 3600 % 24, 2);
	put(o, ":");
	put_uint(o, t / 60 % 60, 2);
	put(o, ":");
	put_uint(o, t % 60, 2);
	put(o, " mx1 postfix/");
	put(o, prog);
	put(o, "[");
	put_uint(o, pid, 0);
	put(o, "]: ");
	put(o, qid);
	put(o, ": ");
	/* About 50 lines a second of log time. */
	if (++nr_lines % 50 == 0)
		clock_s++;
}

static void
hex_qid(char *buf, uint64_t v)
{
	static const char hex[] = "0123456789ABCDEF";

	for (int i = 9; i >= 0; i--) {
		buf[i] = hex[v & 15];
		v >>= 4;
	}
	buf[10] = '\0';
}

/* Write the next line of m; false when m is done. */
static bool
step(struct out *o, struct msg *m)
{
	char n[8] = "";

	if (m->planted)
		snprintf(n, sizeof(n), "%d", m->planted);
	switch (m->step++) {
	case 0:
		put_head(o, "smtpd", 2300 + next_rand() % 400, m->qid);
		put(o, "client=web1.lumen-atelier.example[203.0.113.20]\n");
		return true;
	case 1:
		put_head(o, "cleanup", 2214, m->qid);
		put(o, "message-id=<");
		put(o, m->id);
		put(o, ">\n");
		return true;
	case 2:
		put_head(o, "qmgr", 1102, m->qid);
		put(o, "from=<");
		put(o, m->from);
		put(o, ">, size=");
		put_uint(o, 2000 + next_rand() % 30000, 0);
		put(o, m->planted ? ", nrcpt=2 (queue active)\n" : ", nrcpt=1 (queue active)\n");
		return true;
	case 3:
		put_head(o, "smtp", 2400 + next_rand() % 400, m->qid);
		if (m->planted) {
			put(o, "to=<rcpt-");
			put(o, n);
			put(o, "-a@example.net>, relay=mx.example.net[198.51.100.10]:25, delay=0.4, "
			    "delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n");
		} else {
			put(o, "to=<user");
			put_uint(o, next_rand() % 100000, 0);
			put(o, "@example.com>, relay=mx.example.com[198.51.100.40]:25, delay=0.4, "
			    "delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)\n");
		}
		return true;
	case 4:
		if (m->planted) {
			put_head(o, "smtp", 2401, m->qid);
			put(o, "to=<rcpt-");
			put(o, n);
			put(o, "-b@example.org>, relay=mx.example.org[198.51.100.23]:25, delay=1, "
			    "delays=0.1/0/0.5/0.4, dsn=4.7.1, status=deferred (450 4.7.1 Try later)\n");
			return true;
		}
		m->step = 7;
		/* fall through */
	case 7:
		put_head(o, "qmgr", 1102, m->qid);
		put(o, "removed\n");
		return false;
	case 5:
		put_head(o, "smtp", 2402, m->qid);
		put(o, "to=<rcpt-");
		put(o, n);
		put(o, "-b@example.org>, relay=mx.example.org[198.51.100.23]:25, delay=30, "
		    "delays=29/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n");
		m->step = 7;
		return true;
	}
	return false;
}

int
main(int argc, char **argv)
{
	static struct out o;
	struct msg slots[SLOTS];
	char plant_qid[MAX_PLANT][16], plant_id[MAX_PLANT][96];
	int nr_plant = 0, planted = 0;
	uint64_t size, serial = 0;
	char *end;

	if (argc < 3 || argc - 3 > MAX_PLANT) {
		fprintf(stderr, "usage: genlog FILE SIZE QID:MESSAGE-ID... (at most %d)\n", MAX_PLANT);
		return 1;
	}
	errno = 0;
	size = strtoull(argv[2], &end, 10);
	if (errno || *end || size < (4 << 20)) {
		fprintf(stderr, "genlog: SIZE '%s': a number of bytes, at least 4 MiB\n", argv[2]);
		return 1;
	}
	for (int i = 3; i < argc; i++) {
		const char *colon = strchr(argv[i], ':');

		if (colon == NULL || colon == argv[i] || colon - argv[i] >= 16 ||
		    strlen(colon + 1) >= sizeof(plant_id[0])) {
			fprintf(stderr, "genlog: '%s' is not QID:MESSAGE-ID\n", argv[i]);
			return 1;
		}
		memcpy(plant_qid[nr_plant], argv[i], (size_t)(colon - argv[i]));
		plant_qid[nr_plant][colon - argv[i]] = '\0';
		snprintf(plant_id[nr_plant], sizeof(plant_id[0]), "%s", colon + 1);
		nr_plant++;
	}
	o.fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (o.fd < 0) {
		fprintf(stderr, "genlog: cannot create '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(slots, 0, sizeof(slots));
	for (int s = 0; s < SLOTS; s++)
		slots[s].step = -1;	/* free */
	while (o.total < size || planted < nr_plant) {
		int s = (int)(next_rand() % SLOTS);
		struct msg *m = &slots[s];

		if (m->step < 0) {
			/* A new message in this slot: planted ones 1 MiB before
			 * the end; every 1000th takes a planted queue id. */
			bool busy = false;

			for (int k = 0; planted < nr_plant && k < SLOTS; k++)
				busy |= slots[k].step >= 0 && strcmp(slots[k].qid, plant_qid[planted]) == 0;
			memset(m, 0, sizeof(*m));
			serial++;
			if (planted < nr_plant && o.total + (1 << 20) >= size && !busy) {
				snprintf(m->qid, sizeof(m->qid), "%s", plant_qid[planted]);
				snprintf(m->id, sizeof(m->id), "%s", plant_id[planted]);
				m->planted = ++planted;
				snprintf(m->from, sizeof(m->from), "planted-%d@lumen-atelier.example",
					 m->planted);
			} else {
				const char *reuse = nr_plant && serial % 1000 == 0 ?
					plant_qid[serial / 1000 % (uint64_t)nr_plant] : NULL;

				for (int k = 0; reuse && k < SLOTS; k++)
					if (k != s && slots[k].step >= 0 && strcmp(slots[k].qid, reuse) == 0)
						reuse = NULL;
				if (reuse)
					snprintf(m->qid, sizeof(m->qid), "%s", reuse);
				else
					hex_qid(m->qid, (serial * 0x9E3779B1u) & 0xFFFFFFFFFFull);
				snprintf(m->id, sizeof(m->id), "%08x.%llu@gen.lumen-atelier.example",
					 next_rand(), (unsigned long long)serial);
				snprintf(m->from, sizeof(m->from), "shop@lumen-atelier.example");
			}
		}
		if (!step(&o, m))
			m->step = -1;
		if (o.len >= OUTBUF && flush(&o) < 0)
			return 1;
	}
	/* Let every message in flight end. */
	for (int s = 0; s < SLOTS; s++)
		while (slots[s].step >= 0 && step(&o, &slots[s]))
			if (o.len >= OUTBUF && flush(&o) < 0)
				return 1;
	if (flush(&o) < 0 || close(o.fd) < 0) {
		fprintf(stderr, "genlog: cannot write '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
