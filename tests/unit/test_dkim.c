/* test_dkim.c - unit tests for dkim.h: the --dkim-keys format, and the
 * offline key service seen through libopendkim (no key here signs: the
 * e2e tests sign with keys they generate) */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dkim.h"
#include "error.h"
#include "fpkit_limits.h"

static const char keys[] =
	"# a comment\n"
	"; another\n"
	"\n"
	"   sel._domainkey.Example.COM.   v=DKIM1; k=rsa; p=MIGf  \r\n"
	"gone._domainkey.example.com NXDOMAIN\n"
	"slow._domainkey.example.com ~~Query timed out~~\n"
	"empty._domainkey.example.com \"\"\n"
	"quoted._domainkey.example.com \"v=DKIM1; p=\"\n";

static void
test_parse(void **state)
{
	struct error err = ERROR_INIT;
	struct dkimv v;

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_int_equal(dkimv_parse_keys(&v, keys, sizeof(keys) - 1, "k", &err), 0);
	assert_int_equal(v.nr_records, 5);
	assert_string_equal(v.records[0].name, "sel._domainkey.example.com");
	assert_int_equal(v.records[0].kind, DKIMV_TXT);
	assert_string_equal(v.records[0].value, "v=DKIM1; k=rsa; p=MIGf");
	assert_int_equal(v.records[1].kind, DKIMV_NXDOMAIN);
	assert_int_equal(v.records[2].kind, DKIMV_DNSERROR);
	assert_string_equal(v.records[2].value, "Query timed out");
	assert_int_equal(v.records[3].kind, DKIMV_TXT);
	assert_string_equal(v.records[3].value, "");
	assert_string_equal(v.records[4].value, "v=DKIM1; p=");
	dkimv_release(&v);
}

static void
test_parse_errors(void **state)
{
	struct error err = ERROR_INIT;
	struct dkimv v;

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_int_equal(dkimv_parse_keys(&v, "ok.example v=DKIM1\nlonely\n", 26, "k.txt", &err), -1);
	assert_int_equal(err.status, EX_DATAERR);
	assert_non_null(strstr(err.msg, "'k.txt', line 2: a name without a record"));
	dkimv_release(&v);
}

static void
test_init_errors(void **state)
{
	struct error err = ERROR_INIT;
	struct dkimv v;

	(void)state;
	assert_int_equal(dkimv_init(&v, "/nonexistent/keys", false, 0, 0, &err), -1);
	assert_int_equal(err.status, EX_NOINPUT);
}

/* A signature whose key record is what the test asks for: the result is
 * decided at the key, before any cryptography. */
#define SIGNED(sel) "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\n" \
	" s=" sel "; h=From:Subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n" \
	" b=dGVzdA==\n" \
	"From: a@example.com\nSubject: hi\nDate: Fri, 20 Nov 2026 14:23:00 +0100\n\n"

static void
verify_one(struct dkimv *v, const char *msg, enum dkimv_result want, const char *reason)
{
	struct dkimv_sig *sigs;
	size_t nr;

	dkimv_verify(v, msg, strlen(msg), &sigs, &nr);
	assert_int_equal(nr, 1);
	assert_string_equal(sigs[0].domain, "example.com");
	assert_string_equal(sigs[0].algorithm, "rsa-sha256");
	if (sigs[0].result != want || strstr(sigs[0].reason, reason) == NULL)
		fail_msg("got %s: %s; expected %s: %s", dkimv_result_name(sigs[0].result),
			 sigs[0].reason, dkimv_result_name(want), reason);
	dkimv_sigs_free(sigs, nr);
}

/* v set up with 'keys' as its --dkim-keys file, as of 1795181000. */
static void
init_offline(struct dkimv *v)
{
	char path[] = "/tmp/fpkit-test-keys.XXXXXX";
	struct error err = ERROR_INIT;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, keys, sizeof(keys) - 1), (ssize_t)(sizeof(keys) - 1));
	close(fd);
	assert_int_equal(dkimv_init(v, path, true, 1795181000, 0, &err), 0);
	unlink(path);
	assert_true(v->offline);
}

static void
test_offline(void **state)
{
	struct dkimv v;
	struct dkimv_sig *sigs;
	size_t nr;

	(void)state;
	init_offline(&v);

	/* no signature: libopendkim is not even given the message (a field
	 * that merely looks like one does not count) */
	dkimv_verify(&v, "From: a@example.com\n\nx\n", 22, &sigs, &nr);
	assert_int_equal(v.nr_verified, 0);
	assert_int_equal(nr, 0);
	assert_null(sigs);
	dkimv_verify(&v, "X-DKIM-Signature: v=1\n\nDKIM-Signature: in the body\n", 52, &sigs, &nr);
	assert_int_equal(v.nr_verified, 0);
	assert_int_equal(nr, 0);
	assert_int_equal(v.nr_lookups, 0);

	verify_one(&v, SIGNED("gone"), DKIMV_INVALID, "no key record at gone._domainkey.example.com");
	assert_int_equal(v.nr_verified, 1);	/* the control: a signed message is */
	verify_one(&v, SIGNED("slow"), DKIMV_TEMPFAIL, "could not be fetched");
	/* libopendkim cannot read an empty tag-list */
	verify_one(&v, SIGNED("empty"), DKIMV_INVALID, "key DNS reply corrupt");
	verify_one(&v, SIGNED("absent"), DKIMV_INVALID, "no key record");
	/* a key that is not one */
	verify_one(&v, SIGNED("sel"), DKIMV_INVALID, "unable to apply public key");
	assert_int_equal(v.nr_lookups, 5);
	dkimv_release(&v);
}

/* Past FPKIT_LIMIT_DKIM_SIGNATURES, the fields are not given to libopendkim: no key
 * is looked up for them (libopendkim would verify them all, at a cost
 * that grows with the square of their number), and each is reported as
 * not verified. */
static void
test_too_many(void **state)
{
	static const char sig[] = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
		"\td=example.com; s=gone; h=From; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
		"\tb=dGVzdA==\n";
	static const char rest[] = "From: a@example.com\nSubject: hi\n\nbody\n";
	const size_t nr_sigs = 200;
	struct dkimv v;
	struct dkimv_sig *sigs;
	size_t nr, len = 0;
	char *msg = malloc(nr_sigs * (sizeof(sig) - 1) + sizeof(rest));

	(void)state;
	assert_non_null(msg);
	for (size_t i = 0; i < nr_sigs; i++) {
		memcpy(msg + len, sig, sizeof(sig) - 1);
		len += sizeof(sig) - 1;
	}
	memcpy(msg + len, rest, sizeof(rest));
	len += sizeof(rest) - 1;
	init_offline(&v);
	dkimv_verify(&v, msg, len, &sigs, &nr);
	assert_int_equal(nr, nr_sigs);
	assert_int_equal(v.nr_lookups, FPKIT_LIMIT_DKIM_SIGNATURES);
	for (size_t i = 0; i < nr; i++) {
		const char *want = i < FPKIT_LIMIT_DKIM_SIGNATURES ? "no key record at gone._domainkey.example.com" :
			"not verified: more than 32 DKIM-Signature fields";

		assert_int_equal(sigs[i].result, DKIMV_INVALID);
		if (strstr(sigs[i].reason, want) != sigs[i].reason)
			fail_msg("signature %zu: \"%s\", expected \"%s\"", i + 1, sigs[i].reason, want);
	}
	dkimv_sigs_free(sigs, nr);
	dkimv_release(&v);
	free(msg);
}

static void
test_result_names(void **state)
{
	(void)state;
	assert_string_equal(dkimv_result_name(DKIMV_PASS), "pass");
	assert_string_equal(dkimv_result_name(DKIMV_FAIL), "fail");
	assert_string_equal(dkimv_result_name(DKIMV_INVALID), "invalid");
	assert_string_equal(dkimv_result_name(DKIMV_TEMPFAIL), "tempfail");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_offline),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_result_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
