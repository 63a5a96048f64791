/* fpkit_limits.h - every limit on what fpkit reads from outside, in one place
 *
 * Files, API answers, mail, logs, templates and bundles come from people
 * and programs fpkit does not control: each is read within a limit, so
 * that a hostile or broken input costs bounded time and memory, and each
 * limit, when passed, gives a message that names the input and the limit
 * (or a warning, where the rest of the input is still worth reading).
 * fpkit(1) lists them under LIMITS, with the name used here.  They are
 * compile-time constants: change one here and rebuild.
 *
 * Not here: the limits a standard sets and a check judges (998 octets a
 * line, RFC 5322; 254 bytes an address, RFC 5321; a mail log's host name
 * and queue id, the cells of an alert's table row), which are part of
 * what the input must look like, and the ranges of command-line options,
 * which cmd_*.c give with their options.
 *
 * (Not named limits.h: the -I for src/ would hide the system's <limits.h>
 * behind it, from our files and from the libraries' headers alike.) */
#ifndef FPKIT_FPKIT_LIMITS_H
#define FPKIT_FPKIT_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/* ---- the OVH API ---- */

/* A saved API document (--spam-ip-json, --stats-json), in bytes. */
#define FPKIT_LIMIT_API_DOCUMENT (16 * 1024 * 1024)
/* The body of an API answer, in bytes (checked in the curl write
 * callback: no more is read). */
#define FPKIT_LIMIT_API_ANSWER (16 * 1024 * 1024)
/* The longest Retry-After waited for, in seconds; a longer one ends the
 * call. */
#define FPKIT_LIMIT_RETRY_AFTER 60
/* An ovh.conf file, and a line of it, in bytes. */
#define FPKIT_LIMIT_OVHCONF_FILE (64 * 1024)
#define FPKIT_LIMIT_OVHCONF_LINE 1024

/* ---- the alert e-mail (--alert, fpkit alert) ---- */

/* The alert file, in bytes. */
#define FPKIT_LIMIT_ALERT (16 * 1024 * 1024)
/* A line of its decoded text, in bytes. */
#define FPKIT_LIMIT_ALERT_LINE (64 * 1024)
/* Messages it lists. */
#define FPKIT_LIMIT_ALERT_TARGETS 10000
/* MIME parts read, and how deep they nest; the rest is ignored. */
#define FPKIT_LIMIT_ALERT_PARTS 1000
#define FPKIT_LIMIT_ALERT_DEPTH 64

/* ---- compressed files (gzip, xz, bzip2, zstd: mail logs, mboxes,
 * messages) ---- */

/* Bytes one compressed file gives once decompressed; past them the rest
 * of it is not read, with a warning (decompress it yourself to have it
 * all read). */
#define FPKIT_LIMIT_DECOMPRESSED ((int64_t)8 << 30)
/* Decompressed bytes per compressed byte read, past the first
 * FPKIT_LIMIT_DECOMPRESSION_RATIO_FROM: more is a decompression bomb
 * (a 3 KB bzip2 file can give gigabytes, and cost seconds of CPU for
 * each), and the rest of the file is not read, with a warning.  Mail
 * and logs compress 3 to 50 times, gzip cannot go past 1032. */
#define FPKIT_LIMIT_DECOMPRESSION_RATIO 1000
#define FPKIT_LIMIT_DECOMPRESSION_RATIO_FROM ((int64_t)4 << 20)

/* ---- mail stores and the messages found (--mail, fpkit find) ---- */

/* Folders followed below a store; deeper ones are skipped (the walk
 * keeps one entry per level against symlink loops). */
#define FPKIT_LIMIT_STORE_DEPTH 64
/* A message's header block, in bytes: only that much is searched for
 * its Message-ID, and a larger one is not checked (GMime and
 * libopendkim spend time and memory in proportion to it: 21 million
 * fields took a minute and 14 GB). */
#define FPKIT_LIMIT_HEADER_BLOCK (1024 * 1024)
/* Fields of a header block; a header with more is not checked, and
 * GMime's reading of one that is (what the best practices look at)
 * keeps as many. */
#define FPKIT_LIMIT_HEADER_FIELDS 10000
/* An mbox "From " line, in bytes; past a longer one the file is not
 * searched. */
#define FPKIT_LIMIT_FROM_LINE 4096
/* A --msgid-file, in bytes. */
#define FPKIT_LIMIT_MSGID_FILE (64 * 1024 * 1024)
/* A sample, in bytes, whatever its store: it is read once into memory
 * (unquoted or decompressed) and hashed, checked and packed from there.
 * A larger one is left out with a warning, and its target counts as not
 * found unless another copy is packed. */
#define FPKIT_LIMIT_SAMPLE ((size_t)256 * 1024 * 1024)
/* Samples of one target (copies of one message in several stores or
 * folders): the first ones in the finder's order are packed, the others
 * counted in a warning. */
#define FPKIT_LIMIT_SAMPLES_PER_TARGET 20
/* Samples of one bundle, and their bytes together (all held in memory
 * until the bundle is written); past either, the rest are left out with
 * a warning. */
#define FPKIT_LIMIT_SAMPLES 1000
#define FPKIT_LIMIT_SAMPLES_TOTAL ((size_t)1024 * 1024 * 1024)
/* Bytes of a Message-ID kept in a bundle file name (samples/, checks/,
 * logs/). */
#define FPKIT_LIMIT_NAME_ID 80
/* pack --before-block N: the messages dated before the block looked at
 * besides the N packed.  The N + FPKIT_LIMIT_BEFORE_BLOCK_MORE most
 * recent are the candidates, taken newest first as long as they show
 * they were sent from the blocked IP; their Message-IDs are followed in
 * the mail logs with the targets' (and count against the logs' limits).
 * When these run out, fewer are packed, with a warning. */
#define FPKIT_LIMIT_BEFORE_BLOCK_MORE 1000
/* Bytes of a candidate's Return-Path, From and Received fields kept from
 * the scan for that choice: the first field that does not fit ends
 * them, and a trace cut before it shows where the message came from
 * says nothing. */
#define FPKIT_LIMIT_ORIGIN_FIELDS (16 * 1024)

/* ---- checks (fpkit check, the samples of fpkit pack) ---- */

/* A message checked, in bytes: read whole.  (checks.c says "over 64 MiB"
 * in words, for the report.) */
#define FPKIT_LIMIT_MESSAGE (64 * 1024 * 1024)
/* MIME parts checked, and how deep they nest; GMime's warnings kept
 * are bounded by the parts limit too. */
#define FPKIT_LIMIT_MIME_PARTS 1000
#define FPKIT_LIMIT_MIME_DEPTH 64
/* Decoded text and HTML kept for the best practices, in bytes. */
#define FPKIT_LIMIT_MIME_TEXT (4 * 1024 * 1024)
/* Received fields listed (more are counted), and addresses kept from
 * each one. */
#define FPKIT_LIMIT_RECEIVED_HOPS 100
#define FPKIT_LIMIT_RECEIVED_IPS 8
/* A --dkim-keys file, in bytes. */
#define FPKIT_LIMIT_DKIM_KEYS_FILE (16 * 1024 * 1024)
/* DKIM-Signature fields verified per message; the others are not given
 * to libopendkim at all, and are reported as not verified. */
#define FPKIT_LIMIT_DKIM_SIGNATURES 32

/* ---- ticket templates (--template) ---- */

/* The template file, and what it renders, in bytes. */
#define FPKIT_LIMIT_TEMPLATE (1024 * 1024)
#define FPKIT_LIMIT_TEMPLATE_OUTPUT (8 * 1024 * 1024)
/* Sections nested in each other. */
#define FPKIT_LIMIT_TEMPLATE_DEPTH 32
/* Tags and pieces of text rendered: sections over lists nested in each
 * other multiply, and the output limit does not bound those that write
 * nothing (tmux's FORMAT_LOOP_LIMIT). */
#define FPKIT_LIMIT_TEMPLATE_STEPS (4 * 1024 * 1024)

/* ---- mail logs (--maillog) ---- */

/* Files given. */
#define FPKIT_LIMIT_LOG_FILES 256
/* A line, in bytes: longer ones are skipped and counted. */
#define FPKIT_LIMIT_LOG_LINE 16384
/* Lines that announce a target's Message-ID; the others are not
 * followed. */
#define FPKIT_LIMIT_LOG_ANCHORS 4096
/* Lines kept per queue, and bytes of lines kept in all; the others are
 * counted and left out. */
#define FPKIT_LIMIT_LOG_QUEUE_LINES 5000
#define FPKIT_LIMIT_LOG_KEPT ((size_t)8 * 1024 * 1024)
/* The sending volume: recipients held for messages whose end the logs
 * have not shown yet (the least recently seen are forgotten past it),
 * recipient domains told apart, host names listed. */
#define FPKIT_LIMIT_LOG_VOLUME_OPEN 100000
#define FPKIT_LIMIT_LOG_VOLUME_DOMAINS 100000
#define FPKIT_LIMIT_LOG_VOLUME_HOSTS 32

/* ---- the local mail system's tools (fpkit queue, pack --queue) ---- */

/* What is read of one tool's standard output, in bytes: past it the
 * tool is stopped and its output refused (postqueue -j writes about
 * 300 bytes a message: some 200,000 messages). */
#define FPKIT_LIMIT_QUEUE_OUTPUT (64 * 1024 * 1024)
/* Messages listed one by one; the others are only counted. */
#define FPKIT_LIMIT_QUEUE_MESSAGES 100000
/* Recipients listed per message; the others are only counted. */
#define FPKIT_LIMIT_QUEUE_RCPTS 1000
/* Messages that pack --queue-messages asks the MTA to print; the
 * others are named in queue/ without their text. */
#define FPKIT_LIMIT_QUEUE_SHOWN 100

/* ---- mail held by a program or a server (--mail dovecot:, imaps://) ---- */

/* What is read of doveadm's listing of a user's Message-IDs, in bytes
 * (some 150 bytes a message: over a million messages). */
#define FPKIT_LIMIT_DOVEADM_LIST ((size_t)256 * 1024 * 1024)
/* Seconds one doveadm run may take. */
#define FPKIT_LIMIT_DOVEADM_TIME 600
/* Mailboxes searched on one IMAP server. */
#define FPKIT_LIMIT_IMAP_FOLDERS 1000
/* Messages of one IMAP mailbox (its EXISTS count): a mailbox said to
 * hold more is refused, not searched for ever. */
#define FPKIT_LIMIT_IMAP_MESSAGES 10000000
/* Messages whose Message-ID one IMAP command asks for. */
#define FPKIT_LIMIT_IMAP_CHUNK 5000
/* Bytes of one IMAP answer (a chunk of Message-IDs, or a list). */
#define FPKIT_LIMIT_IMAP_ANSWER ((size_t)64 * 1024 * 1024)
/* Seconds to connect to an IMAP server, and one command may take. */
#define FPKIT_LIMIT_IMAP_CONNECT 30
#define FPKIT_LIMIT_IMAP_COMMAND 300
/* Tries of an IMAP command whose connection failed. */
#define FPKIT_LIMIT_IMAP_TRIES 3

/* ---- bundles read back (fpkit verify, fpkit scan --archive) ---- */

/* Entries of a bundle, folders included. */
#define FPKIT_LIMIT_BUNDLE_ENTRIES 10000
/* Folders one inside another in a bundle's folder (pack --unpacked)
 * read by verify; fpkit writes two. */
#define FPKIT_LIMIT_BUNDLE_DEPTH 16
/* An entry, and all of them, in bytes. */
#define FPKIT_LIMIT_BUNDLE_ENTRY ((int64_t)1 << 30)
#define FPKIT_LIMIT_BUNDLE_TOTAL ((int64_t)8 << 30)
/* SHA256SUMS and summary.json, each, in bytes: they are held in memory. */
#define FPKIT_LIMIT_BUNDLE_META (16 * 1024 * 1024)
/* Problems of a bundle listed one by one; the others are only counted
 * (a SHA256SUMS of 16 MiB of empty lines is 16 million problems: listed,
 * they took 2 GB of memory and 1.2 GB of standard error). */
#define FPKIT_LIMIT_BUNDLE_PROBLEMS 100
/* A line of an archive's index.jsonl, in bytes: a longer one is not one
 * fpkit wrote, and is dropped. */
#define FPKIT_LIMIT_INDEX_LINE 65536
/* Dropped lines of an archive's index.jsonl named in a warning each;
 * the others are only counted (the index has no size limit: it grows
 * with the archive). */
#define FPKIT_LIMIT_INDEX_DROPPED 100

#endif
