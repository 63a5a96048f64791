/* test_model.c - unit tests for model.h: the OVH API documents, valid and
 * broken, including the fixtures/broken/json family */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "model.h"
#include "xalloc.h"

#define NAME "doc.json"

/* A field error: EX_DATAERR naming the file and the field path. */
static void
check_field_error(const struct error *err, const char *name, const char *path, int line)
{
	char want[512];

	if (err->status != EX_DATAERR)
		fail_msg("line %d: status %d, expected EX_DATAERR: %s", line, err->status, err->msg);
	snprintf(want, sizeof(want), "'%s'", name);
	if (strstr(err->msg, want) == NULL)
		fail_msg("line %d: \"%s\" does not name the file %s", line, err->msg, want);
	snprintf(want, sizeof(want), "field '%s'", path);
	if (strstr(err->msg, want) == NULL)
		fail_msg("line %d: \"%s\" does not name %s", line, err->msg, want);
}

/* A whole-document error: EX_DATAERR naming the file and no field. */
static void
check_document_error(const struct error *err, const char *name, int line)
{
	char want[512];

	if (err->status != EX_DATAERR)
		fail_msg("line %d: status %d, expected EX_DATAERR: %s", line, err->status, err->msg);
	snprintf(want, sizeof(want), "'%s'", name);
	if (strstr(err->msg, want) == NULL)
		fail_msg("line %d: \"%s\" does not name the file %s", line, err->msg, want);
	if (strstr(err->msg, "field '") != NULL)
		fail_msg("line %d: \"%s\" names a field for a document error", line, err->msg);
}

/* Parse a SpamIp literal that must be refused for 'path' (NULL: the
 * whole document). */
static void
spamip_refused(const char *json, size_t len, const char *path, int line)
{
	struct error err = ERROR_INIT;
	struct model_spamip s;

	if (model_parse_spamip(json, len, NAME, &s, &err) != -1) {
		model_spamip_release(&s);
		fail_msg("line %d: document accepted, expected an error on %s", line,
			 path ? path : "the document");
	}
	model_spamip_release(&s);
	if (path)
		check_field_error(&err, NAME, path, line);
	else
		check_document_error(&err, NAME, line);
}

#define assert_spamip_refused(json, path) \
	spamip_refused((json), strlen(json), (path), __LINE__)

static void
stats_refused(const char *json, size_t len, const char *path, int line)
{
	struct error err = ERROR_INIT;
	struct model_stats s;

	if (model_parse_stats(json, len, NAME, &s, &err) != -1) {
		model_stats_release(&s);
		fail_msg("line %d: document accepted, expected an error on %s", line,
			 path ? path : "the document");
	}
	model_stats_release(&s);
	if (path)
		check_field_error(&err, NAME, path, line);
	else
		check_document_error(&err, NAME, line);
}

#define assert_stats_refused(json, path) \
	stats_refused((json), strlen(json), (path), __LINE__)

/* SpamIp documents: the valid one with one field replaced. */
#define SPAMIP(date, ip, state, time)					\
	"{\"date\": " date ", \"ipSpamming\": " ip ", \"state\": " state \
	", \"time\": " time "}"
#define GOOD_DATE "\"2022-08-29T17:42:50+01:00\""
#define GOOD_IP "\"203.0.113.7\""
#define GOOD_STATE "\"blockedForSpam\""

/* One SpamTarget, and stats entries around targets. */
#define TARGET(date, dest, id, score)					\
	"{\"date\": " date ", \"destinationIp\": " dest ", \"messageId\": " id \
	", \"spamscore\": " score "}"
#define GOOD_TARGET TARGET("1661791000", "\"198.51.100.23\"", "\"a@example.com\"", "352")
#define ENTRY(avg, spams, nr, ts, total)				\
	"{\"averageSpamscore\": " avg ", \"detectedSpams\": " spams	\
	", \"numberOfSpams\": " nr ", \"timestamp\": " ts ", \"total\": " total "}"

static void
test_spamip_valid(void **state)
{
	static const char doc[] = SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "3600");
	struct error err = ERROR_INIT;
	struct model_spamip s;

	(void)state;
	assert_int_equal(model_parse_spamip(doc, strlen(doc), NAME, &s, &err), 0);
	assert_int_equal(err.status, 0);
	assert_string_equal(s.date_raw, "2022-08-29T17:42:50+01:00");
	assert_true(s.date == 1661791370);
	assert_string_equal(s.ip, "203.0.113.7");
	assert_string_equal(s.state, "blockedForSpam");
	assert_true(s.time == 3600);
	model_spamip_release(&s);
	assert_null(s.ip);
}

static void
test_spamip_states(void **state)
{
	static const char *const states[] = { "blockedForSpam", "unblocked", "unblocking" };
	char doc[256];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct error err = ERROR_INIT;
		struct model_spamip s;

		snprintf(doc, sizeof(doc), SPAMIP(GOOD_DATE, GOOD_IP, "\"%s\"", "0"), states[i]);
		assert_int_equal(model_parse_spamip(doc, strlen(doc), NAME, &s, &err), 0);
		assert_string_equal(s.state, states[i]);
		model_spamip_release(&s);
		assert_true(model_state_valid(states[i]));
	}
	assert_false(model_state_valid("blocked"));
	assert_false(model_state_valid("BlockedForSpam"));
	assert_false(model_state_valid(""));
}

static void
test_spamip_unknown_fields(void **state)
{
	static const char doc[] =
		"{\"zFirst\": [1, {\"a\": null}], \"date\": \"2026-11-20T14:32:07+01:00\","
		" \"ipSpamming\": \"203.0.113.7\", \"newField\": {\"x\": \"} ] \\\" {\"},"
		" \"state\": \"unblocking\", \"time\": 0, \"zNote\": null}";
	struct error err = ERROR_INIT;
	struct model_spamip s;

	(void)state;
	assert_int_equal(model_parse_spamip(doc, strlen(doc), NAME, &s, &err), 0);
	assert_true(s.date == 1795181527);
	assert_string_equal(s.state, "unblocking");
	model_spamip_release(&s);
}

static void
test_spamip_field_errors(void **state)
{
	(void)state;
	/* date */
	assert_spamip_refused(SPAMIP("\"yesterday\"", GOOD_IP, GOOD_STATE, "1"), "date");
	assert_spamip_refused(SPAMIP("\"2022-08-29T17:42:50\"", GOOD_IP, GOOD_STATE, "1"), "date");
	assert_spamip_refused(SPAMIP("1661791370", GOOD_IP, GOOD_STATE, "1"), "date");
	assert_spamip_refused(SPAMIP("null", GOOD_IP, GOOD_STATE, "1"), "date");
	assert_spamip_refused(SPAMIP("\"\"", GOOD_IP, GOOD_STATE, "1"), "date");
	assert_spamip_refused("{\"ipSpamming\": \"203.0.113.7\", \"state\": \"unblocked\","
			      " \"time\": 1}", "date");
	/* ipSpamming */
	assert_spamip_refused(SPAMIP(GOOD_DATE, "\"203.0.113.999\"", GOOD_STATE, "1"), "ipSpamming");
	assert_spamip_refused(SPAMIP(GOOD_DATE, "\"2001:db8::1\"", GOOD_STATE, "1"), "ipSpamming");
	assert_spamip_refused(SPAMIP(GOOD_DATE, "\"203.0.113.0/24\"", GOOD_STATE, "1"), "ipSpamming");
	assert_spamip_refused(SPAMIP(GOOD_DATE, "\"\"", GOOD_STATE, "1"), "ipSpamming");
	assert_spamip_refused(SPAMIP(GOOD_DATE, "3405803783", GOOD_STATE, "1"), "ipSpamming");
	assert_spamip_refused("{\"date\": " GOOD_DATE ", \"state\": \"unblocked\", \"time\": 1}",
			      "ipSpamming");
	/* state */
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, "\"blocked\"", "1"), "state");
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, "\"\"", "1"), "state");
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, "1", "1"), "state");
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, "[\"unblocked\"]", "1"), "state");
	/* time */
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "\"3600\""), "time");
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "3600.5"), "time");
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "null"), "time");
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "true"), "time");
	assert_spamip_refused("{\"date\": " GOOD_DATE ", \"ipSpamming\": " GOOD_IP
			      ", \"state\": \"unblocked\"}", "time");
}

static void
test_spamip_document_errors(void **state)
{
	(void)state;
	assert_spamip_refused("", NULL);
	assert_spamip_refused("   \n", NULL);
	assert_spamip_refused("{\"date\": ", NULL);
	assert_spamip_refused("[" SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "1") "]", NULL);
	assert_spamip_refused("null", NULL);
	assert_spamip_refused("\"a string\"", NULL);
	assert_spamip_refused("42", NULL);
	/* Trailing bytes after the object. */
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "1") " x", NULL);
	assert_spamip_refused(SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "1")
			      SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "1"), NULL);
}

static void
test_spamip_length_respected(void **state)
{
	static const char doc[] = SPAMIP(GOOD_DATE, GOOD_IP, GOOD_STATE, "1") "garbage";
	struct error err = ERROR_INIT;
	struct model_spamip s;

	(void)state;
	/* Only len bytes are the document. */
	assert_int_equal(model_parse_spamip(doc, strlen(doc) - strlen("garbage"), NAME,
					    &s, &err), 0);
	model_spamip_release(&s);
	/* An empty document with bytes after it is still empty. */
	spamip_refused("{}", 0, NULL, __LINE__);
}

static void
test_spamip_duplicate_keys(void **state)
{
	(void)state;
	/* Which state did the API mean?  Refused. */
	assert_spamip_refused("{\"date\": " GOOD_DATE ", \"ipSpamming\": " GOOD_IP
			      ", \"state\": \"unblocked\", \"state\": \"blockedForSpam\","
			      " \"time\": 1}", NULL);
	/* Also inside an unknown field. */
	assert_spamip_refused("{\"date\": " GOOD_DATE ", \"ipSpamming\": " GOOD_IP
			      ", \"state\": \"unblocked\", \"x\": {\"a\": 1, \"a\": 2},"
			      " \"time\": 1}", NULL);
}

static void
test_stats_valid(void **state)
{
	static const char doc[] =
		"[" ENTRY("384", "[" GOOD_TARGET ", "
			  TARGET("1661791100", "\"198.51.100.87\"", "\"order-1@shop.example.com\"", "417")
			  "]", "2", "1661791370", "1794") "]";
	struct error err = ERROR_INIT;
	struct model_stats s;

	(void)state;
	assert_int_equal(model_parse_stats(doc, strlen(doc), NAME, &s, &err), 0);
	assert_int_equal(err.status, 0);
	assert_int_equal(s.nr_entries, 1);
	assert_true(s.entries[0].has_average);
	assert_true(s.entries[0].average_spamscore == 384);
	assert_true(s.entries[0].number_of_spams == 2);
	assert_true(s.entries[0].timestamp == 1661791370);
	assert_true(s.entries[0].total == 1794);
	assert_int_equal(s.entries[0].nr_targets, 2);
	assert_int_equal(s.nr_targets, 2);
	assert_string_equal(s.targets[0].message_id, "a@example.com");
	assert_string_equal(s.targets[0].destination_ip, "198.51.100.23");
	assert_true(s.targets[0].spamscore == 352);
	assert_true(s.targets[0].date == 1661791000);
	assert_string_equal(s.targets[1].message_id, "order-1@shop.example.com");
	assert_string_equal(s.targets[1].destination_ip, "198.51.100.87");
	assert_true(s.targets[1].spamscore == 417);
	assert_true(s.targets[1].date == 1661791100);
	model_stats_release(&s);
	assert_null(s.entries);
	assert_null(s.targets);
}

static void
test_stats_nullable(void **state)
{
	static const char doc[] =
		"[" ENTRY("null", "null", "0", "100", "412") ","
		"{\"numberOfSpams\": 0, \"timestamp\": 200, \"total\": 5},"
		ENTRY("0", "[]", "0", "300", "0") "]";
	struct error err = ERROR_INIT;
	struct model_stats s;

	(void)state;
	assert_int_equal(model_parse_stats(doc, strlen(doc), NAME, &s, &err), 0);
	assert_int_equal(s.nr_entries, 3);
	/* null and missing averageSpamscore: no average. */
	assert_false(s.entries[0].has_average);
	assert_false(s.entries[1].has_average);
	/* 0 is a value, not null. */
	assert_true(s.entries[2].has_average);
	assert_true(s.entries[2].average_spamscore == 0);
	/* null, missing and empty detectedSpams: no targets. */
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(s.entries[i].nr_targets, 0);
	assert_int_equal(s.nr_targets, 0);
	assert_true(s.entries[1].timestamp == 200);
	assert_true(s.entries[2].timestamp == 300);
	model_stats_release(&s);
}

static void
test_stats_concatenates_targets(void **state)
{
	static const char doc[] =
		"[" ENTRY("1", "[" TARGET("1", "\"192.0.2.1\"", "\"e0t0@x\"", "10") ","
			  TARGET("2", "\"192.0.2.2\"", "\"e0t1@x\"", "20") "]", "2", "10", "100") ","
		ENTRY("null", "null", "0", "20", "200") ","
		ENTRY("3", "[" TARGET("3", "\"192.0.2.3\"", "\"e2t0@x\"", "30") "]", "1", "30", "300") ","
		ENTRY("4", "[" TARGET("4", "\"192.0.2.4\"", "\"e3t0@x\"", "40") ","
		      TARGET("5", "\"192.0.2.5\"", "\"e3t1@x\"", "50") ","
		      TARGET("6", "\"192.0.2.6\"", "\"e3t2@x\"", "60") "]", "3", "40", "400") "]";
	static const char *const ids[] = { "e0t0@x", "e0t1@x", "e2t0@x", "e3t0@x", "e3t1@x", "e3t2@x" };
	static const size_t per_entry[] = { 2, 0, 1, 3 };
	struct error err = ERROR_INIT;
	struct model_stats s;
	size_t sum = 0;

	(void)state;
	assert_int_equal(model_parse_stats(doc, strlen(doc), NAME, &s, &err), 0);
	assert_int_equal(s.nr_entries, 4);
	assert_int_equal(s.nr_targets, 6);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(s.entries[i].nr_targets, per_entry[i]);
		sum += s.entries[i].nr_targets;
	}
	assert_int_equal(sum, s.nr_targets);
	for (size_t i = 0; i < 6; i++) {
		char ip[32];

		assert_string_equal(s.targets[i].message_id, ids[i]);
		assert_true(s.targets[i].date == (int64_t)i + 1);
		assert_true(s.targets[i].spamscore == ((int64_t)i + 1) * 10);
		snprintf(ip, sizeof(ip), "192.0.2.%zu", i + 1);
		assert_string_equal(s.targets[i].destination_ip, ip);
	}
	model_stats_release(&s);
}

static void
test_stats_empty_array(void **state)
{
	struct error err = ERROR_INIT;
	struct model_stats s;

	(void)state;
	assert_int_equal(model_parse_stats("[]", 2, NAME, &s, &err), 0);
	assert_int_equal(s.nr_entries, 0);
	assert_int_equal(s.nr_targets, 0);
	model_stats_release(&s);
}

static void
test_stats_unknown_fields(void **state)
{
	static const char doc[] =
		"[{\"averageSpamscore\": null, \"detectedSpams\": [{\"date\": 1,"
		" \"destinationIp\": \"198.51.100.23\", \"extra\": [{\"nested\": [[], {}]}, -1.5e3, false],"
		" \"messageId\": \"m@x\", \"spamscore\": 352}], \"numberOfSpams\": 1,"
		" \"source\": \"vade\", \"timestamp\": 1, \"total\": 1, \"newField\": {\"x\": 1}}]";
	struct error err = ERROR_INIT;
	struct model_stats s;

	(void)state;
	assert_int_equal(model_parse_stats(doc, strlen(doc), NAME, &s, &err), 0);
	assert_int_equal(s.nr_targets, 1);
	assert_string_equal(s.targets[0].message_id, "m@x");
	model_stats_release(&s);
}

static void
test_stats_field_errors(void **state)
{
	(void)state;
	/* The second target's messageId of the first entry. */
	assert_stats_refused("[" ENTRY("1", "[" GOOD_TARGET ", "
				       TARGET("1", "\"192.0.2.1\"", "42", "1") "]", "2", "1", "1") "]",
			     "[0].detectedSpams[1].messageId");
	assert_stats_refused("[" ENTRY("1", "[" GOOD_TARGET ", "
				       TARGET("1", "\"192.0.2.1\"", "\"\"", "1") "]", "2", "1", "1") "]",
			     "[0].detectedSpams[1].messageId");
	/* The same, in the second entry: the index is the entry's own. */
	assert_stats_refused("[" ENTRY("1", "[" GOOD_TARGET "]", "1", "1", "1") ","
			     ENTRY("1", "[" GOOD_TARGET ", "
				   TARGET("1", "\"192.0.2.1\"", "null", "1") "]", "2", "1", "1") "]",
			     "[1].detectedSpams[1].messageId");
	assert_stats_refused("[" ENTRY("1", "[" TARGET("1", "\"192.0.2.999\"", "\"a@b\"", "1") "]",
				       "1", "1", "1") "]",
			     "[0].detectedSpams[0].destinationIp");
	assert_stats_refused("[" ENTRY("1", "[" TARGET("\"2022-08-29\"", "\"192.0.2.1\"", "\"a@b\"", "1")
				       "]", "1", "1", "1") "]",
			     "[0].detectedSpams[0].date");
	assert_stats_refused("[" ENTRY("1", "[" TARGET("1", "\"192.0.2.1\"", "\"a@b\"", "1.5") "]",
				       "1", "1", "1") "]",
			     "[0].detectedSpams[0].spamscore");
	assert_stats_refused("[" ENTRY("1", "[{\"date\": 1, \"destinationIp\": \"192.0.2.1\","
				       " \"messageId\": \"a@b\"}]", "1", "1", "1") "]",
			     "[0].detectedSpams[0].spamscore");
	assert_stats_refused("[" ENTRY("1", "[" GOOD_TARGET ", 7]", "2", "1", "1") "]",
			     "[0].detectedSpams[1]");
	assert_stats_refused("[" ENTRY("1", GOOD_TARGET, "1", "1", "1") "]", "[0].detectedSpams");
	assert_stats_refused("[" ENTRY("1", "\"none\"", "1", "1", "1") "]", "[0].detectedSpams");
	/* Entry fields. */
	assert_stats_refused("[" ENTRY("\"384\"", "null", "0", "1", "1") "]", "[0].averageSpamscore");
	assert_stats_refused("[" ENTRY("38.4", "null", "0", "1", "1") "]", "[0].averageSpamscore");
	assert_stats_refused("[" ENTRY("1", "null", "null", "1", "1") "]", "[0].numberOfSpams");
	assert_stats_refused("[" ENTRY("1", "null", "0", "\"1\"", "1") "]", "[0].timestamp");
	assert_stats_refused("[" ENTRY("1", "null", "0", "1", "1") ","
			     "{\"numberOfSpams\": 0, \"timestamp\": 1}]", "[1].total");
	assert_stats_refused("[" ENTRY("1", "null", "0", "1", "1") ", 5]", "[1]");
	assert_stats_refused("[[]]", "[0]");
}

static void
test_stats_document_errors(void **state)
{
	(void)state;
	assert_stats_refused("", NULL);
	assert_stats_refused(" ", NULL);
	assert_stats_refused("[", NULL);
	assert_stats_refused("[] []", NULL);
	assert_stats_refused(ENTRY("1", "null", "0", "1", "1"), NULL);
	assert_stats_refused("{}", NULL);
	assert_stats_refused("null", NULL);
	assert_stats_refused("\"[]\"", NULL);
	assert_stats_refused("0", NULL);
}

static void
test_stats_duplicate_keys(void **state)
{
	(void)state;
	assert_stats_refused("[{\"averageSpamscore\": 1, \"numberOfSpams\": 0, \"timestamp\": 1,"
			     " \"total\": 1, \"total\": 2}]", NULL);
	assert_stats_refused("[" ENTRY("1", "[{\"date\": 1, \"destinationIp\": \"192.0.2.1\","
				       " \"messageId\": \"a@b\", \"messageId\": \"c@d\","
				       " \"spamscore\": 1}]", "1", "1", "1") "]", NULL);
}

/* The first line of dir/expect, without its newline (new string), or
 * NULL when there is no such file. */
static char *
read_expect(const char *dir)
{
	char *path = xasprintf("%s/expect", dir);
	char line[512];
	FILE *f = fopen(path, "r");

	free(path);
	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return xstrdup(line);
}

/* The whole of a file (new, *len set); NULL when it cannot be opened. */
static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, alloc = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (alloc - n < 4096) {
			alloc = alloc ? alloc * 2 : 8192;
			buf = realloc(buf, alloc);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, alloc - n, f);
		n += got;
	} while (got > 0);
	assert_false(ferror(f));
	fclose(f);
	*len = n;
	return buf;
}

/* Parse one document of a fixture folder; rc and err as the parser sets
 * them. */
static int
parse_file(const char *buf, size_t len, const char *path, bool stats, struct error *err)
{
	int rc;

	if (stats) {
		struct model_stats s;

		rc = model_parse_stats(buf, len, path, &s, err);
		model_stats_release(&s);
	} else {
		struct model_spamip s;

		rc = model_parse_spamip(buf, len, path, &s, err);
		model_spamip_release(&s);
	}
	return rc;
}

/* Check one fixture folder; returns NULL when it behaves as its 'expect'
 * file says, else why not (new string).  *is_ok tells whether it was a
 * valid case. */
static char *
check_fixture(const char *dir, bool *is_ok)
{
	char *expect, *spath, *tpath, *sbuf, *tbuf, *want = NULL, *why = NULL;
	size_t slen = 0, tlen = 0;
	struct error err = ERROR_INIT;
	const char *name;
	int rc;

	*is_ok = false;
	expect = read_expect(dir);
	if (expect == NULL || *expect == '\0') {
		free(expect);
		return xstrdup("no 'expect' file, or an empty one");
	}
	*is_ok = strcmp(expect, "ok") == 0;
	spath = xasprintf("%s/spam-ip.json", dir);
	tpath = xasprintf("%s/stats.json", dir);
	sbuf = read_all(spath, &slen);
	tbuf = read_all(tpath, &tlen);
	if (sbuf == NULL && tbuf == NULL) {
		why = xstrdup("neither spam-ip.json nor stats.json");
		goto out;
	}
	if (*is_ok) {
		if (sbuf && parse_file(sbuf, slen, spath, false, &err) < 0)
			why = xasprintf("spam-ip.json refused: %s", err.msg);
		else if (tbuf && parse_file(tbuf, tlen, tpath, true, &err) < 0)
			why = xasprintf("stats.json refused: %s", err.msg);
		goto out;
	}
	if (sbuf && tbuf) {
		why = xstrdup("an error case holds both spam-ip.json and stats.json");
		goto out;
	}
	name = sbuf ? spath : tpath;
	rc = sbuf ? parse_file(sbuf, slen, spath, false, &err)
		  : parse_file(tbuf, tlen, tpath, true, &err);
	if (rc != -1) {
		why = xasprintf("accepted, expected an error on %s", expect);
		goto out;
	}
	if (err.status != EX_DATAERR) {
		why = xasprintf("status %d, expected EX_DATAERR: %s", err.status, err.msg);
		goto out;
	}
	want = xasprintf("'%s'", name);
	if (strstr(err.msg, want) == NULL) {
		why = xasprintf("message does not name the file: %s", err.msg);
		goto out;
	}
	free(want);
	if (strcmp(expect, "(document)") == 0) {
		want = NULL;
		if (strstr(err.msg, "field '") != NULL)
			why = xasprintf("document error names a field: %s", err.msg);
		goto out;
	}
	want = xasprintf("field '%s'", expect);
	if (strstr(err.msg, want) == NULL)
		why = xasprintf("message does not name %s: %s", want, err.msg);
out:
	free(want);
	free(expect);
	free(spath);
	free(tpath);
	free(sbuf);
	free(tbuf);
	return why;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_broken_fixtures(void **state)
{
	const char *fixtures = getenv("FIXTURES");
	char *root, **names = NULL;
	size_t nr = 0, alloc = 0, nr_ok = 0, nr_err = 0, failures = 0;
	struct dirent *de;
	DIR *d;

	(void)state;
	if (fixtures == NULL || *fixtures == '\0') {
		print_message("FIXTURES is not set: skipping fixtures/broken/json\n");
		skip();
	}
	root = xasprintf("%s/broken/json", fixtures);
	d = opendir(root);
	if (d == NULL)
		fail_msg("cannot open '%s': %s", root, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *dir;
		int is_dir;

		if (de->d_name[0] == '.')
			continue;
		dir = xasprintf("%s/%s", root, de->d_name);
		is_dir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
		free(dir);
		if (!is_dir)
			continue;
		if (nr == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			names = realloc(names, alloc * sizeof(*names));
			assert_non_null(names);
		}
		names[nr++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (nr > 1)
		qsort(names, nr, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nr; i++) {
		char *dir = xasprintf("%s/%s", root, names[i]);
		bool is_ok = false;
		char *why = check_fixture(dir, &is_ok);

		if (is_ok)
			nr_ok++;
		else
			nr_err++;
		if (why) {
			print_error("fixtures/broken/json/%s: %s\n", names[i], why);
			failures++;
		}
		free(why);
		free(dir);
		free(names[i]);
	}
	free(names);
	free(root);
	print_message("fixtures/broken/json: %zu cases (%zu ok, %zu errors), %zu failed\n",
		      nr, nr_ok, nr_err, failures);
	/* An empty or one-sided folder would test nothing. */
	assert_true(nr_ok > 0);
	assert_true(nr_err > 0);
	assert_int_equal(failures, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spamip_valid),
		cmocka_unit_test(test_spamip_states),
		cmocka_unit_test(test_spamip_unknown_fields),
		cmocka_unit_test(test_spamip_field_errors),
		cmocka_unit_test(test_spamip_document_errors),
		cmocka_unit_test(test_spamip_length_respected),
		cmocka_unit_test(test_spamip_duplicate_keys),
		cmocka_unit_test(test_stats_valid),
		cmocka_unit_test(test_stats_nullable),
		cmocka_unit_test(test_stats_concatenates_targets),
		cmocka_unit_test(test_stats_empty_array),
		cmocka_unit_test(test_stats_unknown_fields),
		cmocka_unit_test(test_stats_field_errors),
		cmocka_unit_test(test_stats_document_errors),
		cmocka_unit_test(test_stats_duplicate_keys),
		cmocka_unit_test(test_broken_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
