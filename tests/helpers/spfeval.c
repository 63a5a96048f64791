/* spfeval.c - fpkit's SPF evaluation for a test suite: one case a line
 *
 * usage: spfeval SERVER[:PORT] < cases
 * Each line of stdin is "IP<TAB>MAIL-FROM<TAB>HELO" (MAIL-FROM may be
 * empty); each answer line is "RESULT<TAB>EXPLANATION<TAB>MECHANISM<TAB>
 * PROBLEM", '-' for what there is not.  Each case gets a resolver of its
 * own: 2 s a query, 10 s in all.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "error.h"
#include "spf.h"

/* S on one line: control characters as \xNN. */
static void
put(const char *s, char end)
{
	if (!s)
		s = "-";
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			printf("\\x%02x", (unsigned char)*s);
		else
			putchar(*s);
	putchar(end);
}

int
main(int argc, char **argv)
{
	char line[4096];

	if (argc != 2) {
		fputs("usage: spfeval SERVER[:PORT] < cases\n", stderr);
		return 64;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *ip = line, *from, *helo;
		struct error err = ERROR_INIT;
		struct dns_resolver *r;
		struct spf_verdict v;

		line[strcspn(line, "\n")] = '\0';
		from = strchr(ip, '\t');
		helo = from ? strchr(from + 1, '\t') : NULL;
		if (!helo) {
			fprintf(stderr, "spfeval: bad line: %s\n", line);
			return 65;
		}
		*from++ = '\0';
		*helo++ = '\0';
		r = dns_new(argv[1], 2000, 10000, &err);
		if (!r) {
			fprintf(stderr, "spfeval: %s\n", err.msg);
			return 70;
		}
		spf_check(r, ip, from, *helo ? helo : NULL, &v);
		put(spf_result_name(v.result), '\t');
		put(v.explanation, '\t');
		put(v.mechanism, '\t');
		put(v.problem, '\n');
		fflush(stdout);
		spf_verdict_release(&v);
		dns_free(r);
	}
	return 0;
}
