/* findingtext.c - what a check found, said to a person
 *
 * A support agent reads the ticket, not fpkit's manual: each rule id is
 * said here as a sentence in English, and in each language by
 * src/words/.  The ids stay in checks/ and summary.json, with the details
 * (line numbers, counts).
 * tests/unit/test_ticket.c fails when an id that the checks can report
 * has no sentence. */
#include "config.h"

#include <string.h>

#include "findingtext.h"
#include "integrity.h"
#include "lint.h"
#include "strbuf.h"
#include "words.h"
#include "xalloc.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* A rule's sentence in English; src/words/ has it in each language. */
struct sentence {
	const char *id;
	const char *en;
};

/* Sorted by id. */
static const struct sentence rules[] = {
	{ "bare-cr",
	  "A carriage return stands alone, as a line-end conversion done twice "
	  "leaves it: the file was rewritten." },
	{ "base64-invalid",
	  "A part encoded in base64 is cut or damaged." },
	{ "client-resave",
	  "A mail client saved this copy again (its own header fields show "
	  "it): it is not the message as it was sent." },
	{ "content-length-invalid",
	  "A Content-Length field is not a number." },
	{ "content-length-mismatch",
	  "A Content-Length field does not give the size of the body: the body "
	  "changed after it was counted." },
	{ "date-duplicated",
	  "The message has more than one Date field." },
	{ "date-missing",
	  "The message has no Date field." },
	{ "date-outside-window",
	  "Its date is far from the time the anti-spam system saw the message: "
	  "it may be another message." },
	{ "date-unparseable",
	  "Its Date field cannot be read as RFC 5322 writes dates." },
	{ "dkim-body-changed",
	  "The body changed after the message was signed with DKIM." },
	{ "dkim-header-changed",
	  "A signed header field changed after the message was signed with "
	  "DKIM." },
	{ "empty",
	  "The file holds nothing." },
	{ "final-newline-missing",
	  "The last line has no line end: the copy may have been cut there." },
	{ "from-duplicated",
	  "The message has more than one From field." },
	{ "from-missing",
	  "The message has no From field." },
	{ "header-8bit",
	  "Header fields hold 8-bit characters without the encoding of RFC "
	  "2047." },
	{ "header-line-invalid",
	  "A line of the header is neither a field nor the continuation of one." },
	{ "header-too-large",
	  "The header is too large to be checked, so nothing else was checked." },
	{ "header-unterminated",
	  "No empty line ends the header: the message has no body, or was cut "
	  "in its header." },
	{ "html-event-handler",
	  "Its HTML holds event handler attributes, which run JavaScript." },
	{ "html-form",
	  "Its HTML holds a form." },
	{ "html-image-heavy",
	  "Its HTML has little text for its images (less than "
	  STR(LINT_TEXT_PER_IMAGE) " characters per image)." },
	{ "html-javascript",
	  "Its HTML holds JavaScript." },
	{ "html-link-heavy",
	  "Its HTML has little text for its links (less than "
	  STR(LINT_TEXT_PER_LINK) " characters per link)." },
	{ "line-ends-mixed",
	  "Some lines end in CRLF and others in LF alone: something rewrote "
	  "the file." },
	{ "line-too-long",
	  "A line is longer than the " STR(INTEGRITY_MAX_LINE) " characters "
	  "RFC 5322 allows." },
	{ "mbox-from-line",
	  "The file starts with the \"From \" line of a mail store: it was cut "
	  "out of an mbox file rather than saved as the message." },
	{ "mime-address-list-invalid",
	  "A list of addresses cannot be read." },
	{ "mime-boundary-missing",
	  "A multipart part has no boundary." },
	{ "mime-content-type-invalid",
	  "A Content-Type field is not valid." },
	{ "mime-header-conflicting",
	  "Two MIME header fields contradict each other." },
	{ "mime-header-duplicated",
	  "A MIME header field appears twice." },
	{ "mime-header-name-invalid",
	  "A header field has a name that is not valid." },
	{ "mime-malformed",
	  "The MIME structure is malformed." },
	{ "mime-multipart-empty",
	  "A multipart part holds no part." },
	{ "mime-parameter-conflicting",
	  "Two parameters of a MIME field contradict each other." },
	{ "mime-parameter-duplicated",
	  "A parameter of a MIME field appears twice." },
	{ "mime-parameter-invalid",
	  "A parameter of a MIME field is not valid." },
	{ "mime-part-empty",
	  "A MIME part has neither header nor content." },
	{ "mime-part-without-content",
	  "A MIME part has no content." },
	{ "mime-rfc2047-invalid",
	  "An encoded word (RFC 2047) in a header field is not valid." },
	{ "mime-too-deep",
	  "Its MIME parts are nested too deep to be checked in full." },
	{ "mime-too-many-parts",
	  "It has too many MIME parts to be checked in full." },
	{ "mime-truncated",
	  "The MIME structure ends too early: the message was cut." },
	{ "mime-version-missing",
	  "It has no MIME-Version field (RFC 2045)." },
	{ "mime-warning",
	  "The MIME parser found another irregularity." },
	{ "msgid-duplicated",
	  "The message has more than one Message-ID field." },
	{ "msgid-malformed",
	  "Its Message-ID is not written as RFC 5322 requires." },
	{ "msgid-mismatch",
	  "Its Message-ID is not the one it was looked for: it is another "
	  "message." },
	{ "msgid-missing",
	  "The message has no Message-ID field." },
	{ "msgid-obsolete",
	  "Its Message-ID is written in the obsolete syntax RFC 5322 still "
	  "accepts." },
	{ "nul-byte",
	  "The file holds NUL bytes, which no message may hold." },
	{ "parse-failed",
	  "No message could be read in the file." },
	{ LINT_PHRASES,
	  "Words often found in spam were counted (a count, not a finding)." },
	{ "sender-missing",
	  "It has no sender address: the From field is missing or holds no "
	  "mailbox." },
	{ "subject-capitals",
	  "Its subject is mostly in capital letters." },
	{ "subject-exclamations",
	  "Its subject has several exclamation marks." },
	{ "subject-missing",
	  "It has no subject, or an empty one." },
	{ "too-large",
	  "The message is too large to be checked (over 64 MiB), so nothing "
	  "else was checked." },
	{ "truncated-multipart",
	  "A multipart part has no closing boundary line: the message was cut." },
	{ "unsubscribe-https-missing",
	  "Its List-Unsubscribe field has no https link, which one-click "
	  "unsubscription needs (RFC 8058)." },
	{ "unsubscribe-missing",
	  "It looks like bulk mail but has no List-Unsubscribe field "
	  "(RFC 2369)." },
	{ "unsubscribe-one-click-missing",
	  "It is bulk mail without one-click unsubscription "
	  "(List-Unsubscribe-Post, RFC 8058)." },
};

/* "@D" stands for the signature's domain. */
static const struct sentence dkim_results[] = {
	{ "pass",
	  "valid signature of @D" },
	{ "fail",
	  "the signature of @D does not match the message: it changed after "
	  "signing" },
	{ "invalid",
	  "the signature of @D cannot be used (its key is missing, revoked or "
	  "too weak, or the signature is malformed or expired)" },
	{ "tempfail",
	  "the signature of @D could not be verified: its key could not be "
	  "fetched from DNS" },
};

static const char *
pick(const struct sentence *table, size_t n, const char *id, const char *lang)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].id, id) != 0)
			continue;
		if (words_lang(lang) == NULL)
			return NULL;
		return tr(lang, table[i].en);
	}
	return NULL;
}

const char *
findingtext_rule(const char *id, const char *lang)
{
	return pick(rules, sizeof(rules) / sizeof(rules[0]), id, lang);
}

const char *
findingtext_dkim_pattern(const char *result, const char *lang)
{
	return pick(dkim_results, sizeof(dkim_results) / sizeof(dkim_results[0]), result, lang);
}

char *
findingtext_dkim(const char *result, const char *domain, const char *lang)
{
	const char *pat = findingtext_dkim_pattern(result, lang), *at;
	struct strbuf sb;

	if (pat == NULL)
		return NULL;
	if (domain == NULL || *domain == '\0')
		domain = tr(lang, "(no domain)");
	strbuf_init(&sb, STRBUF_NO_MAX);
	while ((at = strstr(pat, "@D")) != NULL) {
		strbuf_add(&sb, pat, (size_t)(at - pat));
		strbuf_addstr(&sb, domain);
		pat = at + 2;
	}
	strbuf_addstr(&sb, pat);
	return strbuf_detach(&sb, NULL);
}
