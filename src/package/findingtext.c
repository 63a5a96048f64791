/* findingtext.c - what a check found, said to a person
 *
 * A support agent reads the ticket, not fpkit's manual: each rule id is
 * said here as a sentence, in English and in French.  The ids stay in
 * checks/ and summary.json, with the details (line numbers, counts).
 * tests/unit/test_ticket.c fails when an id that the checks can report
 * has no sentence in either language. */
#include "config.h"

#include <string.h>

#include "findingtext.h"
#include "integrity.h"
#include "lint.h"
#include "strbuf.h"
#include "xalloc.h"

#define STR_(x) #x
#define STR(x) STR_(x)

struct sentence {
	const char *id;
	const char *en;
	const char *fr;
};

/* Sorted by id. */
static const struct sentence rules[] = {
	{ "bare-cr",
	  "A carriage return stands alone, as a line-end conversion done twice "
	  "leaves it: the file was rewritten.",
	  "Un retour chariot est isolé, comme le laisse une conversion des fins "
	  "de ligne faite deux fois : le fichier a été réécrit." },
	{ "base64-invalid",
	  "A part encoded in base64 is cut or damaged.",
	  "Une partie encodée en base64 est coupée ou abîmée." },
	{ "client-resave",
	  "A mail client saved this copy again (its own header fields show "
	  "it): it is not the message as it was sent.",
	  "Un client de messagerie a enregistré cette copie de nouveau (ses "
	  "propres champs d'en-tête le montrent) : ce n'est pas le message tel "
	  "qu'il a été envoyé." },
	{ "content-length-invalid",
	  "A Content-Length field is not a number.",
	  "Un champ Content-Length n'est pas un nombre." },
	{ "content-length-mismatch",
	  "A Content-Length field does not give the size of the body: the body "
	  "changed after it was counted.",
	  "Un champ Content-Length ne donne pas la taille du corps : le corps a "
	  "changé après avoir été compté." },
	{ "date-duplicated",
	  "The message has more than one Date field.",
	  "Le message a plusieurs champs Date." },
	{ "date-missing",
	  "The message has no Date field.",
	  "Le message n'a pas de champ Date." },
	{ "date-outside-window",
	  "Its date is far from the time the anti-spam system saw the message: "
	  "it may be another message.",
	  "Sa date est loin du moment où le système anti-spam a vu le message : "
	  "ce peut être un autre message." },
	{ "date-unparseable",
	  "Its Date field cannot be read as RFC 5322 writes dates.",
	  "Son champ Date ne se lit pas comme la RFC 5322 écrit les dates." },
	{ "dkim-body-changed",
	  "The body changed after the message was signed with DKIM.",
	  "Le corps a changé après la signature DKIM du message." },
	{ "dkim-header-changed",
	  "A signed header field changed after the message was signed with "
	  "DKIM.",
	  "Un champ d'en-tête signé a changé après la signature DKIM du "
	  "message." },
	{ "empty",
	  "The file holds nothing.",
	  "Le fichier ne contient rien." },
	{ "final-newline-missing",
	  "The last line has no line end: the copy may have been cut there.",
	  "La dernière ligne n'a pas de fin de ligne : la copie a pu être "
	  "coupée à cet endroit." },
	{ "from-duplicated",
	  "The message has more than one From field.",
	  "Le message a plusieurs champs From." },
	{ "from-missing",
	  "The message has no From field.",
	  "Le message n'a pas de champ From." },
	{ "header-8bit",
	  "Header fields hold 8-bit characters without the encoding of RFC "
	  "2047.",
	  "Des champs d'en-tête contiennent des caractères sur 8 bits sans "
	  "l'encodage de la RFC 2047." },
	{ "header-line-invalid",
	  "A line of the header is neither a field nor the continuation of one.",
	  "Une ligne de l'en-tête n'est ni un champ ni la suite d'un champ." },
	{ "header-too-large",
	  "The header is too large to be checked, so nothing else was checked.",
	  "L'en-tête est trop grand pour être vérifié ; rien d'autre n'a donc "
	  "été vérifié." },
	{ "header-unterminated",
	  "No empty line ends the header: the message has no body, or was cut "
	  "in its header.",
	  "Aucune ligne vide ne termine l'en-tête : le message n'a pas de corps, "
	  "ou a été coupé dans son en-tête." },
	{ "html-event-handler",
	  "Its HTML holds event handler attributes, which run JavaScript.",
	  "Son HTML contient des attributs de gestion d'événements, qui "
	  "exécutent du JavaScript." },
	{ "html-form",
	  "Its HTML holds a form.",
	  "Son HTML contient un formulaire." },
	{ "html-image-heavy",
	  "Its HTML has little text for its images (less than "
	  STR(LINT_TEXT_PER_IMAGE) " characters per image).",
	  "Son HTML a peu de texte pour ses images (moins de "
	  STR(LINT_TEXT_PER_IMAGE) " caractères par image)." },
	{ "html-javascript",
	  "Its HTML holds JavaScript.",
	  "Son HTML contient du JavaScript." },
	{ "html-link-heavy",
	  "Its HTML has little text for its links (less than "
	  STR(LINT_TEXT_PER_LINK) " characters per link).",
	  "Son HTML a peu de texte pour ses liens (moins de "
	  STR(LINT_TEXT_PER_LINK) " caractères par lien)." },
	{ "line-ends-mixed",
	  "Some lines end in CRLF and others in LF alone: something rewrote "
	  "the file.",
	  "Certaines lignes finissent par CRLF et d'autres par LF seul : "
	  "quelque chose a réécrit le fichier." },
	{ "line-too-long",
	  "A line is longer than the " STR(INTEGRITY_MAX_LINE) " characters "
	  "RFC 5322 allows.",
	  "Une ligne dépasse les " STR(INTEGRITY_MAX_LINE) " caractères que "
	  "permet la RFC 5322." },
	{ "mbox-from-line",
	  "The file starts with the \"From \" line of a mail store: it was cut "
	  "out of an mbox file rather than saved as the message.",
	  "Le fichier commence par la ligne « From » d'une boîte mbox : il a "
	  "été extrait d'un fichier mbox au lieu d'être enregistré tel quel." },
	{ "mime-address-list-invalid",
	  "A list of addresses cannot be read.",
	  "Une liste d'adresses ne peut pas être lue." },
	{ "mime-boundary-missing",
	  "A multipart part has no boundary.",
	  "Une partie multipart n'a pas de délimiteur." },
	{ "mime-content-type-invalid",
	  "A Content-Type field is not valid.",
	  "Un champ Content-Type n'est pas valide." },
	{ "mime-header-conflicting",
	  "Two MIME header fields contradict each other.",
	  "Deux champs d'en-tête MIME se contredisent." },
	{ "mime-header-duplicated",
	  "A MIME header field appears twice.",
	  "Un champ d'en-tête MIME apparaît deux fois." },
	{ "mime-header-name-invalid",
	  "A header field has a name that is not valid.",
	  "Un champ d'en-tête a un nom qui n'est pas valide." },
	{ "mime-malformed",
	  "The MIME structure is malformed.",
	  "La structure MIME est mal formée." },
	{ "mime-multipart-empty",
	  "A multipart part holds no part.",
	  "Une partie multipart ne contient aucune partie." },
	{ "mime-parameter-conflicting",
	  "Two parameters of a MIME field contradict each other.",
	  "Deux paramètres d'un champ MIME se contredisent." },
	{ "mime-parameter-duplicated",
	  "A parameter of a MIME field appears twice.",
	  "Un paramètre d'un champ MIME apparaît deux fois." },
	{ "mime-parameter-invalid",
	  "A parameter of a MIME field is not valid.",
	  "Un paramètre d'un champ MIME n'est pas valide." },
	{ "mime-part-empty",
	  "A MIME part has neither header nor content.",
	  "Une partie MIME n'a ni en-tête ni contenu." },
	{ "mime-part-without-content",
	  "A MIME part has no content.",
	  "Une partie MIME n'a pas de contenu." },
	{ "mime-rfc2047-invalid",
	  "An encoded word (RFC 2047) in a header field is not valid.",
	  "Un mot encodé (RFC 2047) d'un champ d'en-tête n'est pas valide." },
	{ "mime-too-deep",
	  "Its MIME parts are nested too deep to be checked in full.",
	  "Ses parties MIME sont trop imbriquées pour être vérifiées en entier." },
	{ "mime-too-many-parts",
	  "It has too many MIME parts to be checked in full.",
	  "Il a trop de parties MIME pour être vérifié en entier." },
	{ "mime-truncated",
	  "The MIME structure ends too early: the message was cut.",
	  "La structure MIME s'arrête trop tôt : le message a été coupé." },
	{ "mime-version-missing",
	  "It has no MIME-Version field (RFC 2045).",
	  "Il n'a pas de champ MIME-Version (RFC 2045)." },
	{ "mime-warning",
	  "The MIME parser found another irregularity.",
	  "L'analyse MIME a relevé une autre irrégularité." },
	{ "msgid-duplicated",
	  "The message has more than one Message-ID field.",
	  "Le message a plusieurs champs Message-ID." },
	{ "msgid-malformed",
	  "Its Message-ID is not written as RFC 5322 requires.",
	  "Son Message-ID n'est pas écrit comme l'exige la RFC 5322." },
	{ "msgid-mismatch",
	  "Its Message-ID is not the one it was looked for: it is another "
	  "message.",
	  "Son Message-ID n'est pas celui qui était cherché : c'est un autre "
	  "message." },
	{ "msgid-missing",
	  "The message has no Message-ID field.",
	  "Le message n'a pas de champ Message-ID." },
	{ "msgid-obsolete",
	  "Its Message-ID is written in the obsolete syntax RFC 5322 still "
	  "accepts.",
	  "Son Message-ID est écrit dans la syntaxe obsolète que la RFC 5322 "
	  "accepte encore." },
	{ "nul-byte",
	  "The file holds NUL bytes, which no message may hold.",
	  "Le fichier contient des octets NUL, qu'aucun message ne peut "
	  "contenir." },
	{ "parse-failed",
	  "No message could be read in the file.",
	  "Aucun message n'a pu être lu dans le fichier." },
	{ LINT_PHRASES,
	  "Words often found in spam were counted (a count, not a finding).",
	  "Les mots fréquents dans les spams ont été comptés (un décompte, "
	  "pas un constat)." },
	{ "sender-missing",
	  "It has no sender address: the From field is missing or holds no "
	  "mailbox.",
	  "Il n'a pas d'adresse d'expéditeur : le champ From manque ou ne "
	  "contient aucune adresse." },
	{ "subject-capitals",
	  "Its subject is mostly in capital letters.",
	  "Son objet est surtout en majuscules." },
	{ "subject-exclamations",
	  "Its subject has several exclamation marks.",
	  "Son objet a plusieurs points d'exclamation." },
	{ "subject-missing",
	  "It has no subject, or an empty one.",
	  "Il n'a pas d'objet, ou un objet vide." },
	{ "too-large",
	  "The message is too large to be checked (over 64 MiB), so nothing "
	  "else was checked.",
	  "Le message est trop grand pour être vérifié (plus de 64 Mio) ; rien "
	  "d'autre n'a donc été vérifié." },
	{ "truncated-multipart",
	  "A multipart part has no closing boundary line: the message was cut.",
	  "Une partie multipart n'a pas de ligne de fin : le message a été "
	  "coupé." },
	{ "unsubscribe-https-missing",
	  "Its List-Unsubscribe field has no https link, which one-click "
	  "unsubscription needs (RFC 8058).",
	  "Son champ List-Unsubscribe n'a pas de lien https, que le "
	  "désabonnement en un clic demande (RFC 8058)." },
	{ "unsubscribe-missing",
	  "It looks like bulk mail but has no List-Unsubscribe field "
	  "(RFC 2369).",
	  "Il ressemble à un envoi en nombre mais n'a pas de champ "
	  "List-Unsubscribe (RFC 2369)." },
	{ "unsubscribe-one-click-missing",
	  "It is bulk mail without one-click unsubscription "
	  "(List-Unsubscribe-Post, RFC 8058).",
	  "C'est un envoi en nombre sans désabonnement en un clic "
	  "(List-Unsubscribe-Post, RFC 8058)." },
};

/* "@D" stands for the signature's domain. */
static const struct sentence dkim_results[] = {
	{ "pass",
	  "valid signature of @D",
	  "signature valide de @D" },
	{ "fail",
	  "the signature of @D does not match the message: it changed after "
	  "signing",
	  "la signature de @D ne correspond pas au message : il a changé "
	  "après la signature" },
	{ "invalid",
	  "the signature of @D cannot be used (its key is missing, revoked or "
	  "too weak, or the signature is malformed or expired)",
	  "la signature de @D est inutilisable (sa clé manque, est révoquée ou "
	  "trop faible, ou la signature est mal formée ou expirée)" },
	{ "tempfail",
	  "the signature of @D could not be verified: its key could not be "
	  "fetched from DNS",
	  "la signature de @D n'a pas pu être vérifiée : sa clé n'a pas pu être "
	  "obtenue du DNS" },
};

static const char *
pick(const struct sentence *table, size_t n, const char *id, const char *lang)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].id, id) != 0)
			continue;
		if (strcmp(lang, "en") == 0)
			return table[i].en;
		if (strcmp(lang, "fr") == 0)
			return table[i].fr;
		return NULL;
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
		domain = strcmp(lang, "fr") == 0 ? "(domaine absent)" : "(no domain)";
	strbuf_init(&sb, STRBUF_NO_MAX);
	while ((at = strstr(pat, "@D")) != NULL) {
		strbuf_add(&sb, pat, (size_t)(at - pat));
		strbuf_addstr(&sb, domain);
		pat = at + 2;
	}
	strbuf_addstr(&sb, pat);
	return strbuf_detach(&sb, NULL);
}
