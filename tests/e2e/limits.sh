#!/bin/sh
# The limits on outside input (src/base/fpkit_limits.h, LIMITS in fpkit(1)):
# for each limit a run can reach in little time, an input just over it
# fails or warns with a message that names the input and the limit, and,
# where it is cheap, one at the limit passes.  Inputs are made here with
# shell tools, holes (truncate) where their bytes do not matter.
#
# Every limit, and where it is tested ("here" for this file):
#   FPKIT_LIMIT_API_DOCUMENT     here
#   FPKIT_LIMIT_API_ANSWER       api-faults.sh ("an oversized body": the
#                                fake API's fault 'huge')
#   FPKIT_LIMIT_RETRY_AFTER      api-faults.sh (59 and 60 s waited for; 61,
#                                120 and ten digits refused)
#   FPKIT_LIMIT_OVHCONF_FILE     here, and unit/test_ovhconf.c
#   FPKIT_LIMIT_OVHCONF_LINE     here, and unit/test_ovhconf.c
#   FPKIT_LIMIT_ALERT            alert.sh ("a file over 16 MiB is refused")
#   FPKIT_LIMIT_ALERT_LINE       alert.sh, unit/test_alert.c
#   FPKIT_LIMIT_ALERT_TARGETS    alert.sh, unit/test_alert.c
#   FPKIT_LIMIT_ALERT_PARTS      here
#   FPKIT_LIMIT_ALERT_DEPTH      here
#   FPKIT_LIMIT_DECOMPRESSED     unit/test_instream.c (at a small limit:
#                                8 GiB is too much to decompress in a
#                                test)
#   FPKIT_LIMIT_DECOMPRESSION_RATIO  here (over, for a log and an mbox,
#                                and under past 4 MiB);
#                                unit/test_instream.c (at it: there the
#                                compressed bytes taken are known);
#                                badinput.sh (bzip2 bombs)
#   FPKIT_LIMIT_DECOMPRESSION_RATIO_FROM  here, and unit/test_instream.c
#   FPKIT_LIMIT_STORE_DEPTH      here
#   FPKIT_LIMIT_HEADER_BLOCK     pack-errors.sh (searched up to it, with a
#                                warning), here (the same in an mbox);
#                                check-fixtures.sh and
#                                unit/test_integrity.c (not checked past it)
#   FPKIT_LIMIT_HEADER_FIELDS    check-fixtures.sh, unit/test_integrity.c
#   FPKIT_LIMIT_FROM_LINE        here
#   FPKIT_LIMIT_MSGID_FILE       here
#   FPKIT_LIMIT_SAMPLE           here
#   FPKIT_LIMIT_NAME_ID          here
#   FPKIT_LIMIT_BEFORE_BLOCK_MORE  before-block.sh (at it, the oldest
#                                candidate taken; over it, not looked
#                                at, with a warning)
#   FPKIT_LIMIT_ORIGIN_FIELDS    unit/test_origin.c (the fields cut at
#                                it; a trace cut there says nothing)
#   FPKIT_LIMIT_MESSAGE          here (fpkit check: one byte under, at and
#                                over it), check-pack.sh (a
#                                packed sample over it is not checked)
#   FPKIT_LIMIT_MIME_PARTS       here
#   FPKIT_LIMIT_MIME_DEPTH       here
#   FPKIT_LIMIT_MIME_TEXT        here
#   FPKIT_LIMIT_RECEIVED_HOPS    here
#   FPKIT_LIMIT_RECEIVED_IPS     here
#   FPKIT_LIMIT_DKIM_KEYS_FILE   here
#   FPKIT_LIMIT_DKIM_SIGNATURES  check-dkim.sh, unit/test_dkim.c
#   FPKIT_LIMIT_TEMPLATE         here
#   FPKIT_LIMIT_TEMPLATE_OUTPUT  templates.sh ("output bomb stopped")
#   FPKIT_LIMIT_TEMPLATE_DEPTH   templates.sh, unit/test_template.c
#   FPKIT_LIMIT_TEMPLATE_STEPS   unit/test_template.c (test_step_limit:
#                                what fpkit renders holds no list long
#                                enough to reach it quickly)
#   FPKIT_LIMIT_LOG_FILES        here
#   FPKIT_LIMIT_LOG_LINE         here (one byte under, at and over it),
#                                maillog.sh, unit/test_maillog.c
#   FPKIT_LIMIT_LOG_ANCHORS      here
#   FPKIT_LIMIT_LOG_QUEUE_LINES  here
#   FPKIT_LIMIT_LOG_KEPT         here
#   FPKIT_LIMIT_QUEUE_OUTPUT     queue-mta.sh (a fake tool printing one
#                                byte over it)
#   FPKIT_LIMIT_QUEUE_MESSAGES   unit/test_queue.c (at it and one over)
#   FPKIT_LIMIT_QUEUE_RCPTS      unit/test_queue.c (at it and one over)
#   FPKIT_LIMIT_QUEUE_SHOWN      pack-queue.sh (the messages printed are
#                                counted; over it only with a queue of
#                                101 flagged messages, not built there)
#   FPKIT_LIMIT_DOVEADM_LIST     not tested (256 MiB of doveadm output:
#                                some 1.7 million messages)
#   FPKIT_LIMIT_DOVEADM_TIME     not tested (600 s)
#   FPKIT_LIMIT_IMAP_FOLDERS     not tested (1001 mailboxes)
#   FPKIT_LIMIT_IMAP_MESSAGES    imap-faults.sh (a mailbox that says it
#                                holds 2^64-1 messages: refused, 76)
#   FPKIT_LIMIT_IMAP_CHUNK       tests/bench/imap-bench.sh (10,000 and
#                                50,000 messages: several chunks)
#   FPKIT_LIMIT_IMAP_ANSWER      not tested (64 MiB of Message-IDs)
#   FPKIT_LIMIT_IMAP_CONNECT     not tested (30 s)
#   FPKIT_LIMIT_IMAP_COMMAND     imap-faults.sh (a server that does not
#                                answer, at a shorter FPKIT_IMAP_TIMEOUT)
#   FPKIT_LIMIT_IMAP_TRIES       imap-faults.sh (dropped once: found;
#                                dropped always: status 69)
#   FPKIT_LIMIT_LOG_VOLUME_OPEN  maillog-volume.sh (at it and over it)
#   FPKIT_LIMIT_LOG_VOLUME_DOMAINS  maillog-volume.sh (at it and over it)
#   FPKIT_LIMIT_LOG_VOLUME_HOSTS maillog-volume.sh (at it and over it)
#   FPKIT_LIMIT_BUNDLE_ENTRIES   here (fpkit verify, scan --archive),
#                                pack-folder.sh (verify of a folder)
#   FPKIT_LIMIT_BUNDLE_DEPTH     pack-folder.sh (fpkit verify of a folder:
#                                at it and one over)
#   FPKIT_LIMIT_BUNDLE_ENTRY     verify.sh ("huge"); unit/test_verify.c (at
#                                the limit, and one byte over)
#   FPKIT_LIMIT_BUNDLE_TOTAL     unit/test_verify.c: 8 GiB is too much to
#                                read in a test
#   FPKIT_LIMIT_BUNDLE_META      here (fpkit verify, scan --archive);
#                                report-html.sh (an archive's index, at it
#                                and one over)
#   FPKIT_LIMIT_BUNDLE_PROBLEMS  here (fpkit verify), and
#                                unit/test_verify.c
#   FPKIT_LIMIT_INDEX_LINE       here
#   FPKIT_LIMIT_SAMPLES_PER_TARGET  pack-errors.sh (20 and 21 copies)
#   FPKIT_LIMIT_SAMPLES          here (1000 and 1001)
#   FPKIT_LIMIT_SAMPLES_TOTAL    not reached: more than 1 GiB of samples is
#                                too much for a test; the same code path
#                                as FPKIT_LIMIT_SAMPLE, which is tested
#   FPKIT_LIMIT_INDEX_DROPPED    here
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
: "${TARMK:?run the tests through 'make check'}"

MiB=1048576

# pad FILE SIZE: append blanks to FILE up to SIZE bytes.
pad() {
	pad_n=$(($2 - $(stat -c %s "$1")))
	head -c "$pad_n" /dev/zero | tr '\0' ' ' >>"$1"
}

# sized FILE SIZE: FILE of SIZE bytes of no interest (a hole).
sized() {
	: >"$1"
	truncate -s "$2" "$1"
}

# ---- saved API documents ----

sized "$tmp/big.json" $((16 * MiB + 1))
mkdir "$tmp/o"
run pack --spam-ip-json "$tmp/big.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	-o "$tmp/o/b.tar.gz"
assert_status 65 "API document: one byte over the limit"
assert_in "$tmp/err" "'$tmp/big.json': larger than the limit of 16777216 bytes for an API document" \
	"API document: the file and the limit are named"
no_leftovers "$tmp/o" "API document over the limit: nothing written"
cp "$DEMO_SPAMIP" "$tmp/at.json"
pad "$tmp/at.json" $((16 * MiB))
run pack --spam-ip-json "$tmp/at.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--no-dkim -o "$tmp/o/a.tar.gz"
assert_status 0 "API document: at the limit"
rm -f "$tmp/o/a.tar.gz" "$tmp/big.json" "$tmp/at.json"

# ---- ovh.conf ----

# conf_line N: a comment line of N bytes, and its newline.
conf_line() { printf '; %s\n' "$(head -c $(($1 - 2)) /dev/zero | tr '\0' x)"; }

{ printf '[default]\nendpoint=ovh-eu\n'; conf_line 1024; conf_line 1025; } >"$tmp/long-line.conf"
run scan --config "$tmp/long-line.conf"
assert_status 78 "ovh.conf: a line one byte over the limit"
assert_in "$tmp/err" "'$tmp/long-line.conf' line 4: longer than 1024 bytes" \
	"ovh.conf line: the file, the line and the limit are named"
{ printf '[default]\nendpoint=ovh-eu\n'; i=0; while [ $i -lt 64 ]; do conf_line 1024; i=$((i + 1)); done; } |
	head -c 65536 >"$tmp/at.conf"
{ cat "$tmp/at.conf"; printf '\n'; } >"$tmp/big.conf"
run scan --config "$tmp/big.conf"
assert_status 78 "ovh.conf: one byte over the limit"
assert_in "$tmp/err" "'$tmp/big.conf' is larger than 65536 bytes" "ovh.conf: the file and the limit are named"
run scan --config "$tmp/at.conf"
assert_in "$tmp/err" "no OVH API credentials" "ovh.conf: at the limit, read to the end"
assert_not_in "$tmp/err" "larger than" "ovh.conf: at the limit, read"
assert_not_in "$tmp/err" "longer than" "ovh.conf: a line at the limit, read"

# ---- the alert e-mail: MIME parts and depth (a warning, the rest read) ----

# alert_parts N: the demo alert as the first of N text parts of a
# multipart (N + 1 parts with the multipart itself).
alert_parts() {
	sed -n '1,/^MIME-Version/p' "$ALERT"
	printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n'
	sed '1,/^$/d' "$ALERT"
	awk -v n="$1" 'BEGIN { for (i = 1; i < n; i++) printf "\n--b\nContent-Type: text/plain\n\npart %d\n", i }'
	printf '\n--b--\n'
}

# nest N: stdin as a text part inside N multiparts, each in the other.
nest() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
		printf "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i }'
	printf 'Content-Type: text/plain; charset=utf-8\n\n'
	cat
	awk -v n="$1" 'BEGIN { for (i = n; i >= 1; i--) printf "\n--b%d--\n", i }'
}

ALERT="$FIXTURES/alert/demo.eml"
alert_parts 1000 >"$tmp/parts.eml"
run alert "$tmp/parts.eml"
assert_status 0 "alert: 1001 MIME parts, still read"
assert_in "$tmp/err" "'$tmp/parts.eml': more MIME parts than fpkit reads (1000, or nested 64 deep)" \
	"alert: the part limit is named"
alert_parts 999 >"$tmp/parts.eml"
run alert "$tmp/parts.eml"
assert_eq "$(cat "$tmp/err")" "" "alert: 1000 MIME parts, no warning"
{ sed -n '1,/^MIME-Version/p' "$ALERT"; sed '1,/^$/d' "$ALERT" | nest 64; } >"$tmp/deep.eml"
run alert "$tmp/deep.eml"
assert_in "$tmp/err" "'$tmp/deep.eml': more MIME parts than fpkit reads (1000, or nested 64 deep)" \
	"alert: text nested 64 multiparts deep, past the depth limit"
{ sed -n '1,/^MIME-Version/p' "$ALERT"; sed '1,/^$/d' "$ALERT" | nest 63; } >"$tmp/deep.eml"
run alert "$tmp/deep.eml"
assert_status 0 "alert: text nested 63 multiparts deep"
assert_in "$tmp/out" "Messages:    3" "alert: at the depth limit, the messages are read"

# ---- mail stores ----

ORDER_ID=order-10482.1795180980.7d1e@shop.example.com
ORDER="$DEMO_MAIL/new/1795180981.M731554P4268.mx1.shop.example.com,S=2771,W=2840"

# deep N: a store whose message lies N folders below it.
deep() {
	d="$tmp/deep$1"
	p=$d
	i=0
	while [ $i -lt "$1" ]; do p=$p/d; i=$((i + 1)); done
	mkdir -p "$p"
	cp "$ORDER" "$p/m.eml"
}
deep 64
run find --msgid "$ORDER_ID" "$tmp/deep64"
assert_status 1 "store: a message 65 levels deep (the store's own counts) is not found"
assert_in "$tmp/err" "more than 64 levels deep" "store: the depth limit is named"
deep 63
run find --msgid "$ORDER_ID" "$tmp/deep63"
assert_status 0 "store: a message 64 levels deep is found"
rm -rf "$tmp/deep63" "$tmp/deep64"

# mbox_from N: an mbox of two messages, the second (the target) after a
# "From " line of N bytes.
mbox_from() {
	printf 'From a@example.com Fri Nov 20 13:23:00 2026\nSubject: first\n\nbody\n\n'
	printf 'From %s@example.com Fri Nov 20 13:23:00 2026\n' "$(head -c $(($1 - 42)) /dev/zero | tr '\0' x)"
	cat "$ORDER"
}
mbox_from 4097 >"$tmp/long-from.mbox"
run find --msgid "$ORDER_ID" "$tmp/long-from.mbox"
assert_status 1 "mbox: the message after a 4097-byte \"From \" line is not found"
assert_in "$tmp/err" "'$tmp/long-from.mbox': a \"From \" line at byte 66 is longer than 4096 bytes" \
	"mbox: the file, the line and the limit are named"
mbox_from 4096 >"$tmp/long-from.mbox"
run find --msgid "$ORDER_ID" "$tmp/long-from.mbox"
assert_status 0 "mbox: after a 4096-byte \"From \" line, found"

sized "$tmp/ids" $((64 * MiB + 1))
run find --msgid-file "$tmp/ids" "$DEMO_MAIL"
assert_status 65 "--msgid-file: one byte over the limit"
assert_in "$tmp/err" "'$tmp/ids': larger than the limit of 67108864 bytes for a --msgid-file" \
	"--msgid-file: the file and the limit are named"
rm -f "$tmp/ids"

# FPKIT_LIMIT_SAMPLE: a sample is read into memory, whatever its store;
# one over the limit is left out with a warning, in an mbox as in a
# Maildir, and the other targets still get their bundle.
NL_ID=nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com
big_message() {
	sed "s/^Message-ID: .*/Message-ID: <$NL_ID>/" "$ORDER"
}
{ printf 'From a@example.com Fri Nov 20 13:23:00 2026\n'; big_message; } >"$tmp/big.mbox"
truncate -s $((256 * MiB + 100)) "$tmp/big.mbox"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/big.mbox" \
	--mail "$DEMO_MAIL" --no-dkim -o "$tmp/o/b.tar.gz"
assert_status 0 "mbox sample over the limit: the others are packed"
assert_in "$tmp/err" "left out a message of 268435512 bytes in '$tmp/big.mbox': larger than the limit of 268435456 bytes for a sample" \
	"mbox sample: the file, its size and the limit are named"
assert_in "$tmp/err" "2 samples, 1 of 3 targets not found" "mbox sample over the limit: counted as not found"
rm -f "$tmp/big.mbox" "$tmp/o/b.tar.gz"
mkdir -p "$tmp/bigmd/cur"
big_message >"$tmp/bigmd/cur/big:2,S"
truncate -s $((256 * MiB + 1)) "$tmp/bigmd/cur/big:2,S"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/bigmd" \
	--mail "$DEMO_MAIL" --no-dkim -o "$tmp/o/b.tar.gz"
assert_status 0 "Maildir sample over the limit: the others are packed"
assert_in "$tmp/err" "left out a message of 268435457 bytes in '$tmp/bigmd/cur/big:2,S': larger than the limit of 268435456 bytes for a sample" \
	"Maildir sample: the same policy as an mbox"
assert_in "$tmp/err" "2 samples, 1 of 3 targets not found" "Maildir sample over the limit: counted as not found"
rm -rf "$tmp/bigmd" "$tmp/o/b.tar.gz"

# FPKIT_LIMIT_SAMPLES: 1001 messages sent just before the block (each
# archived through the blocked IP), 1000 packed, the last counted.
mkdir -p "$tmp/many/cur"
i=0
while [ $i -lt 1001 ]; do
	printf 'Received: from mx1.shop.example.com ([203.0.113.7]) by mx1.shop.example.com with LMTP; Fri, 20 Nov 2026 14:00:00 +0100\nFrom: a@example.com\nDate: Fri, 20 Nov 2026 %02d:%02d:%02d +0000\nMessage-ID: <m%d@example.com>\n\nm\n' \
		$((i / 3600)) $((i / 60 % 60)) $((i % 60)) $i $i >"$tmp/many/cur/$i:2,S"
	i=$((i + 1))
done
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/many" \
	--before-block 1001 --no-dkim -o "$tmp/o/b.tar.gz" --json
assert_status 0 "1001 samples: packed"
assert_eq "$(jq '.samples | length' "$tmp/out")" 1000 "1001 samples: 1000 in the bundle"
assert_in "$tmp/err" "left out 1 more message: a bundle holds at most 1000 samples" \
	"1001 samples: the last is counted"
run verify "$tmp/o/b.tar.gz"
assert_status 0 "1000 samples: the bundle passes fpkit's own verify"
rm "$tmp/many/cur/1000:2,S" "$tmp/o/b.tar.gz"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/many" \
	--before-block 1000 --no-dkim -o "$tmp/o/b.tar.gz" --json
assert_eq "$(jq '.samples | length' "$tmp/out")" 1000 "1000 samples: all packed"
assert_not_in "$tmp/err" "left out" "1000 samples: no warning"
rm -rf "$tmp/many" "$tmp/o/b.tar.gz"
rm -f "$tmp/big.mbox"

# The Message-ID in a bundle file name: 80 bytes of it.
# name_case ID: a store and stats whose second target has Message-ID ID.
name_case() {
	rm -rf "$tmp/names"
	mkdir "$tmp/names"
	sed "s/^Message-ID: .*/Message-ID: <$1>/I" "$ORDER" >"$tmp/names/m.eml"
	jq --arg id "$1" '.[0].detectedSpams[1].messageId = $id' "$DEMO_STATS" >"$tmp/names/stats.json"
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/names/stats.json" \
		--mail "$tmp/names/m.eml" --no-dkim --json -o "$tmp/o/n.tar.gz"
	rm -f "$tmp/o/n.tar.gz"
}
a68=$(head -c 68 /dev/zero | tr '\0' a)
name_case "${a68}b@example.com"
assert_eq "$(jq -r '.samples[].file' "$tmp/out")" "samples/01-${a68}b@example.co.eml" \
	"sample name: an 81-byte Message-ID is cut to 80 bytes"
name_case "${a68}@example.com"
assert_eq "$(jq -r '.samples[].file' "$tmp/out")" "samples/01-${a68}@example.com.eml" \
	"sample name: an 80-byte Message-ID is kept whole"

# ---- checks ----

# msg_head: the header of a message to check, up to its MIME-Version.
msg_head() {
	printf 'From: a@example.com\nTo: b@example.org\nSubject: limits\n'
	printf 'Date: Fri, 20 Nov 2026 13:23:00 +0000\nMessage-ID: <limits@example.com>\nMIME-Version: 1.0\n'
}

# big_msg FILE SIZE: a sound message of SIZE bytes, lines of 64 bytes
# (the last one shorter), each with its line end.
big_msg() {
	{ msg_head; printf 'Content-Type: text/plain; charset=us-ascii\n\n'; } >"$1"
	awk -v n=$((($2 - $(stat -c %s "$1")) / 64)) 'BEGIN { l = "x"; while (length(l) < 63) l = l l
		l = substr(l, 1, 63); for (i = 0; i < n; i++) print l }' >>"$1"
	pad "$1" $(($2 - 1))
	echo >>"$1"
}
for size in $((64 * MiB - 1)) $((64 * MiB)); do
	big_msg "$tmp/big.eml" $size
	run check --no-dkim "$tmp/big.eml"
	assert_status 0 "check: a message of $size bytes is checked, intact"
	assert_in "$tmp/out" "Intact:          yes" "check: a message of $size bytes is read to its end"
done
big_msg "$tmp/big.eml" $((64 * MiB + 1))
run check --no-dkim "$tmp/big.eml"
assert_status 65 "check: a sound message one byte over the limit"
assert_in "$tmp/err" "'$tmp/big.eml': larger than the limit of 67108864 bytes for a message to check" \
	"check: a sound message over the limit: the file and the limit are named"
# A header block of exactly 1 MiB is parsed (what the best practices
# look at is read); one byte more is not checked at all.
for size in 1048576 1048577; do
	{ msg_head; printf 'X-Pad: '; } >"$tmp/hb.eml"
	head -c $((size - $(stat -c %s "$tmp/hb.eml") - 2)) /dev/zero | tr '\0' a >>"$tmp/hb.eml"
	printf '\n\nbody\n' >>"$tmp/hb.eml"
	run check --no-dkim --json "$tmp/hb.eml"
	if [ $size -eq 1048576 ]; then
		assert_eq "$(jq -c '[.lint_checked, (.problems | map(.id)), (.conformance | map(.id))]' "$tmp/out")" '[true,[],["line-too-long"]]' \
			"check: a header block of $size bytes is parsed"
	else
		assert_eq "$(jq -c '[.lint_checked, (.problems | map(.id))]' "$tmp/out")" '[false,["header-too-large"]]' \
			"check: a header block of $size bytes is not checked"
	fi
done
# The same in pack: a sample with a header block of exactly 1 MiB is read
# by GMime (its fields in checks/), one byte more is not.
mkdir -p "$tmp/hbmd/cur" "$tmp/hbmd/new"
jq '.[0].detectedSpams = [.[0].detectedSpams[0] | .messageId = "limits@example.com"]' "$DEMO_STATS" \
	>"$tmp/hb-stats.json"
for size in 1048576 1048577; do
	{ msg_head; printf 'X-Pad: '; } >"$tmp/hbmd/cur/1.host:2,S"
	head -c $((size - $(stat -c %s "$tmp/hbmd/cur/1.host:2,S") - 2)) /dev/zero | tr '\0' a \
		>>"$tmp/hbmd/cur/1.host:2,S"
	printf '\n\nbody\n' >>"$tmp/hbmd/cur/1.host:2,S"
	rm -f "$tmp/o/hb.tar.gz"
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/hb-stats.json" --mail "$tmp/hbmd" --no-dkim \
		-o "$tmp/o/hb.tar.gz"
	tar -xzOf "$tmp/o/hb.tar.gz" --wildcards '*/checks/*' | grep -E '^(Subject|Parsed):' >"$tmp/hb-parsed" || :
	if [ $size -eq 1048576 ]; then
		assert_eq "$(cat "$tmp/hb-parsed")" "Subject:     limits" "pack: a header block of $size bytes is read by GMime"
	else
		assert_eq "$(cat "$tmp/hb-parsed")" "Parsed:      no: GMime could not read this message" \
			"pack: a header block of $size bytes is not"
	fi
done
rm -rf "$tmp/hb.eml" "$tmp/hbmd" "$tmp/o/hb.tar.gz"

# The same limit on a sample that pack found: at it, the sample is
# checked; one byte over, it is packed and said too large.
mkdir -p "$tmp/bigmd/cur" "$tmp/bigmd/new"
jq '.[0].detectedSpams = [.[0].detectedSpams[0] | .messageId = "limits@example.com"]' "$DEMO_STATS" \
	>"$tmp/big-stats.json"
for size in $((64 * MiB)) $((64 * MiB + 1)); do
	big_msg "$tmp/bigmd/cur/1.host:2,S" $size
	rm -f "$tmp/o/big.tar.gz"
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/big-stats.json" --mail "$tmp/bigmd" --no-dkim \
		-o "$tmp/o/big.tar.gz" --json
	assert_status 0 "pack: a sample of $size bytes is packed"
	if [ $size -eq $((64 * MiB)) ]; then
		assert_eq "$(jq -c '.samples[0].checks | [.intact, .lint_checked]' "$tmp/out")" '[true,true]' \
			"pack: a sample of $size bytes is checked"
	else
		assert_eq "$(jq -c '.samples[0].checks | [.intact, .lint_checked, (.problems | map(.id))]' "$tmp/out")" \
			'[false,false,["too-large"]]' "pack: a sample of $size bytes is too large to check"
	fi
done
rm -rf "$tmp/bigmd" "$tmp/o/big.tar.gz"

sized "$tmp/big.eml" $((64 * MiB + 1))
run check --no-dkim "$tmp/big.eml"
assert_status 65 "check: a message one byte over the limit"
assert_in "$tmp/err" "'$tmp/big.eml': larger than the limit of 67108864 bytes for a message to check" \
	"check: the file and the limit are named"
rm -f "$tmp/big.eml"

# mime_parts N: a multipart of N text parts (N + 1 parts in all).
mime_parts() {
	msg_head
	printf 'Content-Type: multipart/mixed; boundary="b"\n\n'
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "--b\nContent-Type: text/plain\n\npart %d\n", i }'
	printf -- '--b--\n'
}
mime_parts 1000 >"$tmp/parts.eml"
run check --no-dkim "$tmp/parts.eml"
assert_status 1 "check: 1001 MIME parts, not intact"
assert_in "$tmp/out" "mime-too-many-parts: more than 1000 MIME parts or 64 levels" \
	"check: the part limit is named"
mime_parts 999 >"$tmp/parts.eml"
run check --no-dkim "$tmp/parts.eml"
assert_status 0 "check: 1000 MIME parts"
{ msg_head; echo hello | nest 64; } >"$tmp/deep.eml"
run check --no-dkim "$tmp/deep.eml"
assert_in "$tmp/out" "mime-too-many-parts: more than 1000 MIME parts or 64 levels" \
	"check: a text nested 64 multiparts deep, past the depth limit"
{ msg_head; echo hello | nest 63; } >"$tmp/deep.eml"
run check --no-dkim "$tmp/deep.eml"
assert_status 0 "check: a text nested 63 multiparts deep"

# Decoded text for the best practices: a phrase past 4 MiB of text is not
# seen; just before, it is.
# text_msg N: a text of N lines of 64 bytes, then "act now".
text_msg() {
	msg_head
	printf 'Content-Type: text/plain; charset=us-ascii\n\n'
	awk -v n="$1" 'BEGIN { l = "x"; while (length(l) < 63) l = l l; l = substr(l, 1, 63)
		for (i = 0; i < n; i++) print l }'
	echo 'act now'
}
text_msg 65534 >"$tmp/text.eml"
run check --no-dkim "$tmp/text.eml"
assert_in "$tmp/out" '"act now" 1' "text: a phrase within the first 4 MiB is counted"
text_msg 65536 >"$tmp/text.eml"
run check --no-dkim "$tmp/text.eml"
assert_not_in "$tmp/out" '"act now"' "text: a phrase after 4 MiB of text is not read"
rm -f "$tmp/text.eml"

# received N: a message with N Received fields, the first with 9 addresses.
received() {
	printf 'Received: from a.example.com ([192.0.2.1] [192.0.2.2] [192.0.2.3] [192.0.2.4] [192.0.2.5]\n'
	printf '\t[192.0.2.6] [192.0.2.7] [192.0.2.8] [192.0.2.9]) by mx.example.com;\n'
	printf '\tFri, 20 Nov 2026 13:23:00 +0000\n'
	awk -v n="$1" 'BEGIN { for (i = 1; i < n; i++)
		printf "Received: from h%d.example.com by mx.example.com; Fri, 20 Nov 2026 13:23:00 +0000\n", i }'
	msg_head
	printf 'Content-Type: text/plain\n\nhello\n'
}
received 101 >"$tmp/received.eml"
run check --no-dkim "$tmp/received.eml"
assert_in "$tmp/out" "Received:        101 fields, the first 100 listed (the limit)" \
	"Received: past the limit, counted and the limit said"
assert_in "$tmp/out" "100. line 102: from h99.example.com" "Received: the 100th is listed"
assert_not_in "$tmp/out" "h100.example.com" "Received: the 101st is not"
assert_in "$tmp/out" "[192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5, 192.0.2.6, 192.0.2.7, 192.0.2.8]" \
	"Received: 8 addresses of a field kept"
assert_not_in "$tmp/out" "192.0.2.9" "Received: not the 9th"
received 100 >"$tmp/received.eml"
run check --no-dkim "$tmp/received.eml"
assert_in "$tmp/out" "Received:        100 fields
" "Received: at the limit, all listed"

sized "$tmp/keys" $((16 * MiB + 1))
run check --dkim-keys "$tmp/keys" "$ORDER"
assert_status 65 "--dkim-keys: one byte over the limit"
assert_in "$tmp/err" "'$tmp/keys': larger than the limit of 16777216 bytes for a --dkim-keys file" \
	"--dkim-keys: the file and the limit are named"
rm -f "$tmp/keys"

# ---- ticket templates ----

printf '{{ip}}\n' >"$tmp/t.mustache"
pad "$tmp/t.mustache" $((MiB + 1))
pack_demo --no-dkim --template "$tmp/t.mustache" -o "$tmp/o/t.tar.gz"
assert_status 65 "template: one byte over the limit"
assert_in "$tmp/err" "'$tmp/t.mustache': larger than the limit of 1048576 bytes for a ticket template" \
	"template: the file and the limit are named"
no_leftovers "$tmp/o" "template over the limit: nothing written"
truncate -s $((MiB)) "$tmp/t.mustache"
pack_demo --no-dkim --template "$tmp/t.mustache" -o "$tmp/o/t.tar.gz"
assert_status 0 "template: at the limit"
assert_eq "$(sed -n 1p "$tmp/out")" "203.0.113.7" "template: at the limit, rendered"
rm -f "$tmp/o/t.tar.gz"

# ---- mail logs ----

TZ=UTC
export TZ

# log_pack ARGS...: pack the demo case with more arguments (mail logs).
log_pack() {
	rm -f "$tmp/o/l.tar.gz"
	pack_demo --no-dkim -o "$tmp/o/l.tar.gz" "$@"
}

mkdir "$tmp/logs"
set --
i=1
while [ $i -le 257 ]; do
	: >"$tmp/logs/$i.log"
	[ $i -eq 257 ] || set -- "$@" --maillog "$tmp/logs/$i.log"
	i=$((i + 1))
done
log_pack "$@"
assert_status 0 "mail logs: 256 files"
log_pack "$@" --maillog "$tmp/logs/257.log"
assert_status 64 "mail logs: 257 files"
assert_in "$tmp/err" "more than 256 mail logs given (at '$tmp/logs/257.log')" \
	"mail logs: the file and the limit are named"
set --

# excerpt: the logs/ files of the last bundle.
excerpt() { tar -xzOf "$tmp/o/l.tar.gz" --wildcards '*/logs/*'; }

# A line of the limit's length (16384 bytes before its LF) is read, and
# one byte under it; one byte over, it is skipped and counted.
# long_anchor N: a line of N bytes that announces the order's Message-ID.
long_anchor() {
	awk -v id="$ORDER_ID" -v n="$1" 'BEGIN {
		l = sprintf("Nov 20 13:20:00 mx1 postfix/cleanup[1]: A1B2C3D4E5: message-id=<%s> ", id)
		p = "x"; while (length(p) < n - length(l)) p = p p
		print l substr(p, 1, n - length(l)) }'
}
for n in 16383 16384 16385; do
	long_anchor $n >"$tmp/long.log"
	log_pack --maillog "$tmp/long.log"
	assert_status 0 "mail logs: a line of $n bytes"
	if [ $n -le 16384 ]; then
		assert_not_in "$tmp/err" "longer than" "mail logs: a line of $n bytes is not too long"
		assert_eq "$(excerpt | grep -c "message-id=<$ORDER_ID> x")" 1 "mail logs: a line of $n bytes is read"
	else
		assert_in "$tmp/err" "mail log '$tmp/long.log': 1 line longer than 16384 bytes skipped (the first is line 1)" \
			"mail logs: a line of $n bytes is skipped, and the limit named"
		assert_in "$tmp/err" "no mail-log line announces the Message-ID <$ORDER_ID>" \
			"mail logs: a line of $n bytes announces nothing"
	fi
done
rm -f "$tmp/long.log"

# Lines that announce a target: one per queue.
anchors() {
	awk -v id="$ORDER_ID" -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "Nov 20 13:20:00 mx1 postfix/cleanup[1]: Q%07d: message-id=<%s>\n", i, id }'
}
anchors 4097 >"$tmp/anchors.log"
log_pack --maillog "$tmp/anchors.log"
assert_status 0 "mail logs: 4097 lines announce a target"
assert_in "$tmp/err" "more than 4096 lines announce the targets' Message-IDs" \
	"mail logs: the announcing-line limit is named"
anchors 4096 >"$tmp/anchors.log"
log_pack --maillog "$tmp/anchors.log"
assert_not_in "$tmp/err" "lines announce" "mail logs: 4096 announcing lines, all followed"

# queue N WIDTH: one queue of N lines about a target, each padded to
# about WIDTH bytes.
queue() {
	awk -v id="$ORDER_ID" -v n="$1" -v w="$2" 'BEGIN { p = "x"; while (length(p) < w) p = p p
		p = substr(p, 1, w)
		printf "Nov 20 13:20:00 mx1 postfix/cleanup[1]: A1B2C3D4E5: message-id=<%s>\n", id
		for (i = 1; i < n; i++)
			printf "Nov 20 13:20:01 mx1 postfix/smtp[2]: A1B2C3D4E5: to=<r%d@example.org>, status=deferred (%s)\n", i, p }'
}
queue 5001 1 >"$tmp/queue.log"
log_pack --maillog "$tmp/queue.log"
assert_status 0 "mail logs: a queue of 5001 lines"
assert_in "$tmp/err" "queue A1B2C3D4E5 on mx1 has more than the limit of 5000 lines" \
	"mail logs: the queue and the limit are named"
excerpt >"$tmp/excerpt"
assert_in "$tmp/excerpt" "# 1 more line of this queue left out (limits: 5000 lines a queue" \
	"mail logs: the excerpt counts the line left out"
queue 5000 1 >"$tmp/queue.log"
log_pack --maillog "$tmp/queue.log"
assert_not_in "$tmp/err" "has more than" "mail logs: a queue of 5000 lines, no warning"
excerpt >"$tmp/excerpt"
assert_eq "$(grep -c ': Nov 20 13:20' "$tmp/excerpt")" 5000 "mail logs: all 5000 lines kept"

queue 1000 8900 >"$tmp/queue.log"
log_pack --maillog "$tmp/queue.log"
assert_status 0 "mail logs: 9 MB of lines about a target"
assert_in "$tmp/err" "more than 8388608 bytes of lines about the targets" \
	"mail logs: the kept-bytes limit is named"
rm -f "$tmp/queue.log" "$tmp/anchors.log" "$tmp/excerpt"

# ---- compressed files: what decompression may give ----

# Zeros in xz compress more than 5000 times: up to 4 MiB of them is read
# whole (FPKIT_LIMIT_DECOMPRESSION_RATIO_FROM), one byte more passes the
# ratio limit: the log is read up to there, with a warning that names
# it and the limit, and the next log is read as usual.
anchors 1 >"$tmp/next.log"
# delivered: how many queues the demo's order has in the last summary.
delivered() {
	jq --arg id "$ORDER_ID" '[.targets[] | select(.message_id == $id) | .delivery[]] | length' \
		"$tmp/out"
}
head -c $((4 * MiB)) /dev/zero | xz >"$tmp/at.log.xz"
log_pack --json --maillog "$tmp/at.log.xz" --maillog "$tmp/next.log"
assert_status 0 "compressed log: 4 MiB of zeros"
assert_not_in "$tmp/err" "for a compressed file" "compressed log: 4 MiB at any ratio, read whole"
assert_eq "$(jq -c '.maillogs[0] | [.compression, .lines, .long_lines]' "$tmp/out")" '["xz",1,1]' \
	"compressed log: 4 MiB of zeros, one long line"
{ head -c $((4 * MiB)) /dev/zero; printf x; } | xz >"$tmp/over.log.xz"
log_pack --json --maillog "$tmp/over.log.xz" --maillog "$tmp/next.log"
assert_status 0 "compressed log: one byte more, past the ratio"
grep -F "warning: mail log '$tmp/over.log.xz': " "$tmp/err" >"$tmp/warn" || :
assert_in "$tmp/warn" "more than the limit of 1000 times as many for a compressed file" \
	"compressed log over the ratio: the file and the limit are named"
assert_in "$tmp/warn" "read up to line 1, not further" "compressed log over the ratio: where it stopped"
assert_eq "$(delivered)" 1 "compressed log over the ratio: the next log is read"
# The same with 22 MB of log lines in 3.5 KB: the limit cuts one in two,
# and both readings of the log must stop after it (were they to differ,
# the log would be reported as changed while it was read).
awk 'BEGIN { for (i = 0; i < 400000; i++) print "Nov 20 13:19:00 mx1 postfix/qmgr[3]: B00B00B00B: removed" }' |
	xz >"$tmp/lines.log.xz"
log_pack --json --maillog "$tmp/lines.log.xz" --maillog "$tmp/next.log"
assert_status 0 "compressed log of lines over the ratio"
assert_in "$tmp/err" "more than the limit of 1000 times as many for a compressed file" \
	"compressed log of lines over the ratio: the limit is named"
lines=$(jq '.maillogs[0].lines' "$tmp/out")
assert_in "$tmp/err" "read up to line $lines, not further" \
	"compressed log of lines over the ratio: the last line read is named"
assert_true "compressed log of lines over the ratio: $lines of 400000 lines read" \
	test "$lines" -gt 1000 -a "$lines" -lt 400000
assert_eq "$(delivered)" 1 "compressed log of lines over the ratio: the next log is read"

# The same limits in a mail store: an mbox in xz of 4 MiB is searched
# whole; one byte more and it is searched up to the limit (its one
# message is not found), with a warning that names it and the limit, and
# the rest of the store is searched as usual.
zeros_mbox() {
	zm_head='From a@example.com Fri Nov 20 13:00:00 2026
Message-ID: <zeros@example.com>

'
	{ printf '%s' "$zm_head"; head -c $(($1 - ${#zm_head})) /dev/zero; } | xz
}
cp -R "$DEMO_MAIL" "$tmp/zmd"
zeros_mbox $((4 * MiB)) >"$tmp/zmd/cur/zeros.mbox.xz"
run find --msgid zeros@example.com --msgid "$ORDER_ID" "$tmp/zmd"
assert_status 0 "compressed mbox: 4 MiB, both messages found"
assert_not_in "$tmp/err" "for a compressed file" "compressed mbox: 4 MiB at any ratio, no warning"
zeros_mbox $((4 * MiB + 1)) >"$tmp/zmd/cur/zeros.mbox.xz"
run find --msgid zeros@example.com --msgid "$ORDER_ID" "$tmp/zmd"
assert_status 1 "compressed mbox: one byte more, its message not found"
assert_in "$tmp/err" "'$tmp/zmd/cur/zeros.mbox.xz': " "compressed mbox over the ratio: the file is named"
assert_in "$tmp/err" "more than the limit of 1000 times as many for a compressed file (a decompression bomb?): messages after byte" \
	"compressed mbox over the ratio: the limit is named"
assert_in "$tmp/out" "$ORDER_ID" "compressed mbox over the ratio: the rest of the store is searched"
rm -rf "$tmp/zmd"

# Under the ratio past 4 MiB: 8 MiB of Postfix log in gzip (about ten
# times smaller) is read to its last line.
"$GENLOG" "$tmp/gen.log" $((8 * MiB)) "4F2A9C1B0D:$ORDER_ID"
gzip -c "$tmp/gen.log" >"$tmp/gen.log.gz"
log_pack --json --maillog "$tmp/gen.log.gz"
assert_status 0 "compressed log: 8 MiB under the ratio"
assert_not_in "$tmp/err" "for a compressed file" "compressed log under the ratio: no warning"
assert_eq "$(jq '.maillogs[0].lines' "$tmp/out")" "$(wc -l <"$tmp/gen.log")" \
	"compressed log under the ratio: every line read"
assert_eq "$(delivered)" 1 "compressed log under the ratio: the target 1 MiB before its end is found"
rm -f "$tmp/at.log.xz" "$tmp/over.log.xz" "$tmp/lines.log.xz" "$tmp/next.log" "$tmp/warn" \
	"$tmp/gen.log" "$tmp/gen.log.gz"
unset TZ

# ---- fpkit verify ----

pack_demo --no-dkim -o "$tmp/good.tar.gz"
mkdir "$tmp/x"
tar -xzf "$tmp/good.tar.gz" -C "$tmp/x"
top=$(ls "$tmp/x")

# bundle_with OUT N [ENTRY...]: the good bundle's files (but SHA256SUMS
# when BIG_SUMS is set) and more entries, with folders added up to N
# entries in all.
bundle_with() {
	bw_out=$1
	bw_n=$2
	shift 2
	bw_list=$( (cd "$tmp/x" && find "$top" -type f | sort) |
		awk -v x="$tmp/x" -v top="$top" -v n="$bw_n" -v more=$# -v skip="$BIG_SUMS" '
			BEGIN { print "d:" top }
			skip != "" && /\/SHA256SUMS$/ { next }
			{ print "f:" $0 "=" x "/" $0; nr++ }
			END { for (i = nr + 1 + more; i < n; i++) print "d:" top "/d" i }')
	IFS='
'
	# shellcheck disable=SC2086
	set -- $bw_list "$@"
	unset IFS
	"$TARMK" "$bw_out" "$@"
}
BIG_SUMS=
bundle_with "$tmp/e.tar.gz" 10001
run verify "$tmp/e.tar.gz"
assert_status 65 "verify: 10001 entries"
assert_in "$tmp/err" "e.tar.gz: more than the limit of 10000 entries: not read further" \
	"verify: the entry-count limit is named"
bundle_with "$tmp/e.tar.gz" 10000
run verify "$tmp/e.tar.gz"
assert_status 0 "verify: 10000 entries"

cp "$tmp/x/$top/SHA256SUMS" "$tmp/sums"
truncate -s $((16 * MiB + 1)) "$tmp/sums"
BIG_SUMS=1
bundle_with "$tmp/m.tar.gz" 0 "f:$top/SHA256SUMS=$tmp/sums"
run verify "$tmp/m.tar.gz"
assert_status 65 "verify: SHA256SUMS over the limit"
assert_in "$tmp/err" "m.tar.gz: SHA256SUMS: larger than the limit of 16777216 bytes" \
	"verify: the file and the limit are named"

# FPKIT_LIMIT_BUNDLE_PROBLEMS: the good bundle with N empty lines added
# to its SHA256SUMS has N problems, of which the first 100 are listed.
for n in 99 100 101; do
	{ cat "$tmp/x/$top/SHA256SUMS"; head -c $n /dev/zero | tr '\0' '\n'; } >"$tmp/sums"
	bundle_with "$tmp/p.tar.gz" 0 "f:$top/SHA256SUMS=$tmp/sums"
	run verify p.tar.gz
	assert_status 65 "verify: $n problems"
	assert_in "$tmp/err" "fpkit: 'p.tar.gz' FAILED: $n problems" "verify: $n problems, all counted"
	assert_eq "$(grep -c "^fpkit: p.tar.gz: SHA256SUMS: line [0-9]* is not" "$tmp/err")" \
		"$((n < 100 ? n : 100))" "verify: $n problems, the first 100 at most listed"
	case $n in
	101) assert_in "$tmp/err" "fpkit: p.tar.gz: ... and 1 more problem, not listed" \
		"verify: 101 problems, the one not listed is counted" ;;
	*) assert_not_in "$tmp/err" "more problem" "verify: $n problems, no count of others" ;;
	esac
done
BIG_SUMS=
rm -f "$tmp/sums" "$tmp/e.tar.gz" "$tmp/m.tar.gz" "$tmp/p.tar.gz"


# FPKIT_LIMIT_HEADER_BLOCK in an mbox: a message whose header block is
# longer is searched in its first 1 MiB, with a warning that says where;
# the message after it is found as usual.
{
	printf 'From a@example.com Fri Nov 20 13:00:00 2026\nMessage-ID: <longhead@example.com>\nX-Long: '
	head -c 1100000 /dev/zero | tr '\0' a
	printf '\nSubject: s\n\nbody\nFrom a@example.com Fri Nov 20 13:00:00 2026\nMessage-ID: <after@example.com>\n\nbody\n'
} >"$tmp/longhead.mbox"
run find --msgid longhead@example.com --msgid after@example.com "$tmp/longhead.mbox"
assert_status 0 "mbox: a header block over the limit, both messages found"
assert_in "$tmp/err" "the message at byte 44 has a header block larger than 1048576 bytes: only its start was searched" \
	"mbox: the header block limit is named, with where the message is"

# ---- fpkit scan --archive: index lines dropped (before any request:
# without credentials, the run stops after the repairs, status 78) ----

# FPKIT_LIMIT_INDEX_DROPPED: an index of N lines that are not JSON has N
# lines dropped, of which the first 100 are named.
for n in 99 100 101; do
	mkdir -m 700 "$tmp/drop"
	head -c $n /dev/zero | tr '\0' '\n' >"$tmp/drop/index.jsonl"
	run scan --archive "$tmp/drop"
	assert_status 78 "archive: $n index lines dropped, no credentials"
	assert_eq "$(grep -c "^fpkit: warning: archive '$tmp/drop': index line [0-9]* dropped: not an index line" "$tmp/err")" \
		"$((n < 100 ? n : 100))" "archive: $n index lines dropped, the first 100 at most named"
	case $n in
	101) assert_in "$tmp/err" "fpkit: warning: archive '$tmp/drop': ... and 1 more index line dropped, not listed" \
		"archive: 101 index lines dropped, the one not named is counted" ;;
	*) assert_not_in "$tmp/err" "more index line" "archive: $n index lines dropped, no count of others" ;;
	esac
	assert_eq "$(wc -c <"$tmp/drop/index.jsonl")" 0 "archive: $n index lines dropped, all of them"
	rm -rf "$tmp/drop"
done

# ---- fpkit scan --archive: its index, and bundles it did not list ----

E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/fakeapi.sh"
if [ ! -x "$FAKE_OVH" ]; then
	printf '# no fake-ovh server built: the archive limits are not tested\n'
	finish
	exit
fi
. "$E2E/archive-lib.sh"

A=$tmp/archive
archive "$A"
assert_status 0 "archive: the first run"
# The first line padded to the limit, exactly; a second one over it.
awk 'NR == 1 { p = " "; while (length(p) < 65536) p = p p
		sub(/}$/, substr(p, 1, 65535 - length($0)) "}"); print
		sub(/}$/, " }"); print }
     NR > 1' "$A/index.jsonl" >"$tmp/index"
mv "$tmp/index" "$A/index.jsonl"
assert_eq "$(head -n 1 "$A/index.jsonl" | wc -c)" 65536 "archive: an index line of 65536 bytes"
archive "$A"
assert_status 0 "archive: a run over an index line too long"
assert_in "$tmp/err" "archive '$A': index line 2 dropped: longer than the limit of 65536 bytes" \
	"archive: the index, the line and the limit are named"
assert_not_in "$tmp/err" "index line 1 dropped" "archive: the line at the limit is kept"

# A bundle fpkit did not list, for an event of no interest to the API:
# read as 'fpkit verify' reads it, within the same limits.
OTHER=fpkit-192.0.2.1-20260101T000000Z
head -c $((16 * MiB + 1)) /dev/zero >"$tmp/summary"
"$TARMK" "$A/$OTHER.tar.gz" "d:$OTHER" "f:$OTHER/summary.json=$tmp/summary"
archive "$A"
assert_status 0 "archive: a bundle whose summary.json is over the limit, beside"
assert_in "$tmp/err" "'$OTHER.tar.gz' fails 'fpkit verify': left alone, not listed in the index: summary.json: larger than the limit of 16777216 bytes" \
	"archive: the bundle and the summary limit are named"
rm -f "$tmp/summary"
# A sound bundle of N entries: its folder, N - 3 folders in it,
# summary.json and SHA256SUMS.
printf '{"block":"192.0.2.0/24"}' >"$tmp/summary"
printf '%s  summary.json\n' "$(sha256sum <"$tmp/summary" | cut -c1-64)" >"$tmp/sums"
sound_list() {
	awk -v top="$OTHER" -v n="$1" -v x="$tmp" 'BEGIN { print "d:" top
		for (i = 1; i <= n - 3; i++) print "d:" top "/d" i
		print "f:" top "/summary.json=" x "/summary"; print "f:" top "/SHA256SUMS=" x "/sums" }'
}
sound_list 10001 >"$tmp/list"
IFS='
'
# shellcheck disable=SC2046
"$TARMK" "$A/$OTHER.tar.gz" $(cat "$tmp/list")
unset IFS
archive "$A"
assert_in "$tmp/err" "'$OTHER.tar.gz' fails 'fpkit verify': left alone, not listed in the index: more than the limit of 10000 entries: not read further" \
	"archive: the bundle and the entry limit are named"
assert_not_in "$tmp/err" "'$OTHER.tar.gz' was not in the index" "archive: 10001 entries, not listed"
sound_list 10000 >"$tmp/list"
IFS='
'
# shellcheck disable=SC2046
"$TARMK" "$A/$OTHER.tar.gz" $(cat "$tmp/list")
unset IFS
archive "$A"
assert_in "$tmp/err" "'$OTHER.tar.gz' was not in the index" \
	"archive: a sound bundle of 10000 entries, read, and listed"
rm -f "$tmp/summary" "$tmp/sums" "$tmp/list"

finish
