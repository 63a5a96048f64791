/* reporthtml.h - the pages people look at: a bundle's REPORT.html and
 * an archive's index.html, each one self-contained HTML5 file (no
 * script, nothing fetched: inline CSS and inline SVG), in English or
 * French, the same bytes for the same inputs */
#ifndef FPKIT_REPORTHTML_H
#define FPKIT_REPORTHTML_H

#include <jansson.h>
#include <stddef.h>

struct error;

/* The bundle's page, from its summary.json (borrowed; read, never
 * checked again) and its ticket text: the block's facts, its timeline
 * (the detected messages by date and spam score, the block, and the
 * mail sent in each hour of the day before it when summary.json has a
 * "volume"), each detected message with its sample's verdicts
 * (integrity, DKIM, best practices) or "not found", and the ticket,
 * preformatted.  'bundle' names the bundle (its file name; NULL: not
 * said), 'lang' is a language src/words/ knows (anything else: "en").  A new buffer
 * (free() it), *len its length. */
char *reporthtml_bundle(json_t *summary, const char *ticket, size_t ticket_len,
			const char *bundle, const char *lang, size_t *len);

/* The archive's page, from its events: an array (borrowed) of objects as
 * index.jsonl's bundle lines are ("ip", "date", "bundle", and "block",
 * "archived_at", "missing" when there; "host" and "sha256" shown when
 * there), other objects skipped: a chart of the events per IP over
 * time and a table with a relative link to each bundle ("bundle" is
 * linked only when it is a relative name of [A-Za-z0-9._~/-] without
 * "..": a file beside the page, or an object key beside it in a
 * bucket).  A new buffer (free() it), *len its length. */
char *reporthtml_index(json_t *events, const char *lang, size_t *len);

/* The language of a ticket text: the one whose template's subject label
 * it starts with ("Objet : ", "Betreff: "), else "en". */
const char *reporthtml_ticket_lang(const char *ticket, size_t len);

/* An archive index (index.jsonl) at 'path' as an array for
 * reporthtml_index (new): lines that are not JSON objects are skipped
 * (counted in *skipped); at most FPKIT_LIMIT_BUNDLE_META bytes are
 * read.  EX_NOINPUT when it cannot be opened, EX_IOERR on a read error,
 * EX_DATAERR when it is larger. */
int reporthtml_read_index(const char *path, json_t **events, size_t *skipped,
			  struct error *err);

/* Write text[0..len) to 'path' atomically (outfile.h), replacing what
 * is there. */
int reporthtml_write(const char *path, const char *text, size_t len, struct error *err);

/* The archive page's name, beside index.jsonl. */
#define REPORTHTML_INDEX "index.html"

/* Write index.html for the archive index at 'index' (its folder's
 * index.jsonl) beside it, atomically, in 'lang'. */
int reporthtml_write_index(const char *index, const char *lang, struct error *err);

#endif
