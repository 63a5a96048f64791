/* dkimsign.c - a test helper: sign a message with libopendkim, so that
 * the tests can make signed fixtures from keys they generate.
 *
 *   dkimsign KEY.pem SELECTOR DOMAIN [TIME [TTL]] < message > signed
 *
 * KEY.pem is an RSA private key (openssl genrsa).  TIME fixes t= (and
 * the signing time), TTL adds x= = t + TTL.  Canonicalisation is
 * relaxed/relaxed, the algorithm rsa-sha256.  The message's own line
 * ends are kept in the output; it is signed as it travels, in CRLF. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

static char *
slurp(FILE *f, size_t *len)
{
	size_t alloc = 65536, n = 0, r;
	char *buf = malloc(alloc + 1);

	while (buf && (r = fread(buf + n, 1, alloc - n, f)) > 0) {
		n += r;
		if (n == alloc) {
			char *p = realloc(buf, alloc * 2 + 1);

			if (p == NULL) {
				free(buf);
				return NULL;
			}
			buf = p;
			alloc *= 2;
		}
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "dkimsign: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

int
main(int argc, char **argv)
{
	unsigned char *hdr = NULL;
	size_t klen, mlen, wlen = 0, hlen = 0;
	char *key, *msg, *wire;
	const char *eol;
	FILE *kf;
	DKIM_LIB *lib;
	DKIM *d;
	DKIM_STAT st;

	if (argc < 4 || argc > 6)
		die("usage: dkimsign KEY.pem SELECTOR DOMAIN [TIME [TTL]] < message", NULL);
	kf = fopen(argv[1], "r");
	if (kf == NULL)
		die("cannot open the key", argv[1]);
	key = slurp(kf, &klen);
	fclose(kf);
	msg = slurp(stdin, &mlen);
	if (key == NULL || msg == NULL)
		die("out of memory", NULL);
	wire = malloc(2 * mlen + 1);
	if (wire == NULL)
		die("out of memory", NULL);
	for (size_t i = 0; i < mlen; i++) {
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			wire[wlen++] = '\r';
		wire[wlen++] = msg[i];
	}
	lib = dkim_init(NULL, NULL);
	if (lib == NULL)
		die("dkim_init failed", NULL);
	{
		/* the tests also sign with small keys, to see them refused */
		unsigned int bits = 512;

		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &bits, sizeof(bits));
	}
	if (argc >= 5) {
		uint64_t t = strtoull(argv[4], NULL, 10);

		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &t, sizeof(t));
	}
	if (argc == 6) {
		uint64_t ttl = strtoull(argv[5], NULL, 10);

		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL, &ttl, sizeof(ttl));
	}
	d = dkim_sign(lib, (const unsigned char *)"dkimsign", NULL, (dkim_sigkey_t)key,
		      (const unsigned char *)argv[2], (const unsigned char *)argv[3],
		      DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
	if (d == NULL)
		die("dkim_sign failed", dkim_getresultstr(st));
	st = dkim_chunk(d, (unsigned char *)wire, wlen);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(d, NULL);
	if (st != DKIM_STAT_OK)
		die("signing failed", dkim_geterror(d) ? dkim_geterror(d) : dkim_getresultstr(st));
	st = dkim_getsighdr_d(d, strlen(DKIM_SIGNHEADER) + 2, &hdr, &hlen);
	if (st != DKIM_STAT_OK)
		die("dkim_getsighdr_d failed", dkim_getresultstr(st));
	/* The header as folded by libopendkim, with the message's line ends. */
	eol = strstr(msg, "\r\n") ? "\r\n" : "\n";
	printf("%s: ", DKIM_SIGNHEADER);
	for (size_t i = 0; i < hlen; i++) {
		if (hdr[i] == '\n')
			fputs(eol, stdout);
		else if (hdr[i] != '\r')
			putchar(hdr[i]);
	}
	fputs(eol, stdout);
	fwrite(msg, 1, mlen, stdout);
	dkim_free(d);
	dkim_close(lib);
	free(wire);
	free(key);
	free(msg);
	return ferror(stdout) ? 1 : 0;
}
