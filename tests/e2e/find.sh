#!/bin/sh
# fpkit find, and the stores it reads: Maildir, .eml trees, mbox files
# (plain and gzip/xz/bzip2/zstd compressed, found by name or by content),
# with mboxrd quoting undone on extraction and the empty line the mbox
# writer put after each message left out (mbox-writers.sh tests that
# against procmail and formail).
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

MB="$FIXTURES/mbox"
FIRST=mbox.first.1795179911@shop.example.com
BASKET=mbox.target.1795180800@shop.example.com
REFONLY=mbox.target.1795180000@shop.example.com
LAST=mbox.last.1795181462@shop.example.com

# Usage.
run find
assert_status 64 "find without ids"
run find --msgid "$FIRST"
assert_status 64 "find without a store"
run find --help
assert_status 0 "find --help"
assert_in "$tmp/out" "--msgid-file" "find --help names --msgid-file"
run find --msgid "<>" "$MB"
assert_status 64 "an id that is empty once its brackets are gone"

# The tab-separated output: id, path, offset, length.
run find --msgid "$FIRST" --msgid "<$BASKET>" --msgid "$LAST" "$MB/sent.mbox"
assert_status 0 "find in an mbox"
printf '%s\t%s\t%s\t%s\n' "$FIRST" "$MB/sent.mbox" 58 641 "$BASKET" "$MB/sent.mbox" 1283 532 \
	"$LAST" "$MB/sent.mbox" 1870 260 >"$tmp/want"
assert_true "one line per hit: id, path, offset, length" cmp -s "$tmp/out" "$tmp/want"
# The offsets are right: the bytes there are the message after its From_ line.
dd if="$MB/sent.mbox" bs=1 skip=1283 count=532 2>/dev/null >"$tmp/basket"
assert_eq "$(head -n 1 "$tmp/basket")" "Return-Path: <orders@shop.example.com>" "the offset is the message's first byte"
assert_eq "$(tail -n 1 "$tmp/basket")" "your basket still holds two items." "the length runs to its last line"
assert_eq "$(tail -c +$((1283 + 532 + 1)) "$MB/sent.mbox" | head -c 6 | od -An -c | tr -d ' ')" '\nFrom' \
	"the empty line before the next From_ line is left out"
assert_eq "$(tail -c +1871 "$MB/sent.mbox" | wc -c | tr -d ' ')" 261 "the last message: one byte more in the file, its empty line"

# An id only in References is no hit; the missing ids go to stderr, exit 1.
run find --msgid "$REFONLY" --msgid "$FIRST" "$MB/sent.mbox"
assert_status 1 "some id not found"
assert_in "$tmp/err" "not found: <$REFONLY>" "the missing id is listed"
assert_eq "$(wc -l <"$tmp/out" | tr -d ' ')" 1 "the found one is still printed"

# A body line "From the team..." (not quoted, no date) does not split a message.
run find --json --msgid mbox.reply.1795180360@shop.example.com "$MB/sent.mbox"
# (awk's lines run to the next From_ line: the writer's empty line, one
# byte, is in them)
assert_eq "$(jq -r '.length + 1' "$tmp/out")" "$(awk '/^From orders@shop.example.com Fri Nov 20 13:12:40/{f=1;next} /^From orders@shop.example.com Fri Nov 20 13:20:00/{f=0} f' "$MB/sent.mbox" | wc -c | tr -d " ")" "an unquoted body 'From ' line is no separator"

# JSON lines.
run find --json --msgid "$BASKET" "$MB/sent.mbox" "$FIXTURES/demo/mail"
assert_status 0 "find --json"
assert_eq "$(jq -c '[.message_id, .offset, .length, .format, .compression]' "$tmp/out")" \
	"[\"$BASKET\",1283,532,\"mbox\",null]" "find --json keys"

# Every compression, by content whatever the name; same offsets.
for f in "$MB"/compressed/*; do
	run find --msgid "$BASKET" "$f"
	assert_status 0 "find in $(basename "$f")"
	assert_eq "$(cut -f 3,4 "$tmp/out")" "$(printf '1283\t532')" "$(basename "$f"): offsets in decompressed bytes"
done
run find --json --msgid "$BASKET" "$MB/compressed"
assert_eq "$(jq -r .compression "$tmp/out" | sort | tr '\n' ' ')" "bzip2 gzip xz zstd " \
	"a folder walk finds the compressed mboxes, by content"

# --msgid-file: comments, blank lines, CRLF, brackets; and '-' for stdin.
printf '# ids from the alert\r\n\r\n<%s>\r\n%s\n' "$FIRST" "$LAST" >"$tmp/ids"
run find --msgid-file "$tmp/ids" "$MB/sent.mbox"
assert_status 0 "--msgid-file"
assert_eq "$(cut -f 1 "$tmp/out" | tr '\n' ' ')" "$FIRST $LAST " "--msgid-file ids, in order"
set +e
printf '%s\n' "$LAST" | fpkit find --msgid-file - "$MB/sent.mbox" >"$tmp/out" 2>"$tmp/err"
status=$?
set -e
assert_status 0 "--msgid-file - reads standard input"
assert_eq "$(cut -f 1 "$tmp/out")" "$LAST" "the id from standard input is found"

# Maildir and .eml are reported with their format, whole files.
run find --json --msgid order-10482.1795180980.7d1e@shop.example.com --msgid plain.1@example.com \
	"$FIXTURES/demo/mail" "$FIXTURES/match/mail/eml"
assert_eq "$(jq -r '.format' "$tmp/out" | tr '\n' ' ')" "maildir eml " "maildir and eml formats"
assert_eq "$(jq -r 'select(.format == "maildir") | [.offset, .length] | join(" ")' "$tmp/out")" "0 2771" \
	"a Maildir message is its whole file"

# No progress line when stderr is not a terminal.
run find --msgid "$FIRST" "$MB/sent.mbox"
assert_false "no progress line on a pipe" grep -q 'messages searched' "$tmp/err"

# pack over an mbox: the sample is the message with its quoting undone.
run pack --spam-ip-json "$MB/api/spam-ip.json" --stats-json "$MB/api/stats.json" \
	--mail "$MB/compressed/sent.mbox.xz" -o "$tmp/m.tar.gz" --json
assert_status 0 "pack from a compressed mbox"
S="$tmp/out"
assert_eq "$(jq -r '.samples | map(.message_id) | join(" ")' "$S")" "$FIRST $BASKET" "both targets in the mbox are found"
assert_eq "$(jq -r '.missing | join(" ")' "$S")" "$REFONLY" "the one only in References is missing"
assert_eq "$(jq -r '.samples[0] | [.format, .compression, .offset, .length, .mboxrd_unquoted, .size] | map(tostring) | join(" ")' "$S")" \
	"mbox xz 58 641 2 639" "summary: where it was, and the two lines unquoted"
mkdir "$tmp/x"
tar -xzf "$tmp/m.tar.gz" -C "$tmp/x"
assert_true "the sample is the message with its mboxrd quoting undone" \
	cmp -s "$MB/first.expected" "$tmp"/x/*/samples/01-*.eml
assert_in "$(ls "$tmp"/x/*/checks/01-*.txt)" "2 mboxrd \">From \" lines unquoted" "checks/ notes the unquoting"
run verify "$tmp/m.tar.gz"
assert_status 0 "the mbox bundle verifies"

# A damaged compressed file is reported, not fatal.
head -c 300 "$MB/compressed/sent.mbox.gz" >"$tmp/cut.mbox.gz"
run find --msgid "$FIRST" "$tmp/cut.mbox.gz"
assert_status 1 "a cut gzip: the id is not found"
assert_in "$tmp/err" "cut.mbox.gz" "the cut file is named"

# --msgid-file: blank lines and comments, indented or not, are no ids.
printf '  # an indented comment\n\t\n# another\n%s\n' "$FIRST" >"$tmp/ids-commented"
run find --msgid-file "$tmp/ids-commented" "$MB/sent.mbox"
assert_status 0 "a --msgid-file with indented comments and blank lines"
assert_not_in "$tmp/err" "not found" "only the one id is searched for"

# --msgid-file: a file that is not a list of Message-IDs (the stats JSON,
# the alert e-mail, a mailbox) is refused at its first bad line, exit 65,
# before any store is searched: the file, the line's number and start,
# why, and what the file should hold.
REMEDY="the file must hold one Message-ID a line, with or without <>, and may hold blank lines and # comments"
run find --msgid-file "$FIXTURES/demo/api/stats.json" "$MB/sent.mbox"
assert_status 65 "--msgid-file: the stats JSON is refused"
assert_eq "$(cat "$tmp/err")" \
	"fpkit: find: --msgid-file: '$FIXTURES/demo/api/stats.json' line 1: '[' is not a Message-ID (JSON punctuation: is it a JSON document?): $REMEDY" \
	"--msgid-file JSON: one line: the file, line 1, why, what it should hold"
assert_eq "$(wc -c <"$tmp/out")" 0 "--msgid-file JSON: nothing searched, nothing printed"
run find --msgid-file "$FIXTURES/alert/demo.eml" "$MB/sent.mbox"
assert_status 65 "--msgid-file: an e-mail is refused"
assert_in "$tmp/err" "demo.eml' line 1: 'Return-Path: <noreply@ovh.net>' is not a Message-ID (a header field: is it an e-mail? 'fpkit alert FILE' lists the Message-IDs of an alert): $REMEDY" \
	"--msgid-file e-mail: the header line, and 'fpkit alert' to list the alert's ids"
run find --msgid-file "$MB/sent.mbox" "$MB/sent.mbox"
assert_status 65 "--msgid-file: a mailbox is refused"
assert_in "$tmp/err" "sent.mbox' line 1: 'From newsletter@shop.example.com Fri Nov...' is not a Message-ID (an mbox 'From ' line: is it a mailbox? give a mail store as a PATH)" \
	"--msgid-file mbox: its From line, cut to its start, and where a store goes"
# Good lines first: the first bad one is named, by its number.
printf '# ids\n%s\n\n<%s>\n%s,\n' "$FIRST" "$LAST" "$BASKET" >"$tmp/ids-bad3"
run find --msgid-file "$tmp/ids-bad3" "$MB/sent.mbox"
assert_status 65 "--msgid-file: a bad line after good ones"
assert_in "$tmp/err" "ids-bad3' line 5: '$BASKET,' is not a Message-ID (JSON punctuation" \
	"--msgid-file: line 5 is named, as written"
printf 'Dear customer, here are the ids\n' | fpkit find --msgid-file - "$MB/sent.mbox" >"$tmp/out" 2>"$tmp/err" &&
	status=0 || status=$?
assert_status 65 "--msgid-file -: prose is refused"
assert_in "$tmp/err" "fpkit: find: --msgid-file: standard input line 1: 'Dear customer, here are the ids' is not a Message-ID (white space outside <>)" \
	"--msgid-file -: standard input is named"
printf 'a\033]52;c;eA==\007b@example.com\n' >"$tmp/ids-esc"
run find --msgid-file "$tmp/ids-esc" "$MB/sent.mbox"
assert_status 65 "--msgid-file: a control character"
assert_in "$tmp/err" "line 1: 'a\\x1b]52;c;eA==\\x07b@example.com' is not a Message-ID (a control character)" \
	"--msgid-file: the line is shown made visible"
# What is accepted: the obsolete forms (white space and comments inside
# <>, a quoted local part) and the malformed ids some mailers write (two
# dots, no '@' inside <>), each found.
W2=$tmp/odd
mkdir "$W2"
for id in 'spaced@example.com' '"john doe"@example.com' 'a..b@example.com' '1795180980.JavaMail.root'; do
	printf 'From: a@example.com\nMessage-ID: <%s>\nSubject: s\n\nbody\n' "$id" >"$W2/$(printf '%s' "$id" | tr -c 'a-z0-9' _).eml"
done
printf '< spaced@example.com > (from the alert)\n<"john doe"@example.com>\na..b@example.com\n<1795180980.JavaMail.root>\n' >"$tmp/ids-odd"
run find --msgid-file "$tmp/ids-odd" "$W2"
assert_status 0 "--msgid-file: obsolete and malformed forms are taken, and found"
assert_eq "$(cut -f 1 "$tmp/out" | sort | tr '\n' ' ')" \
	'"john doe"@example.com 1795180980.JavaMail.root a..b@example.com spaced@example.com ' \
	"--msgid-file: the four odd ids found"
run find --help
assert_in "$tmp/out" "any other line that is not a Message-ID" "find --help: a line that is no id stops the command"

# What a folder walk reads.  A file not named *.eml counts only if it is
# an mbox, whose first "From " line may follow blank lines (VIOLATIONS.md)
# but not other text on its own line.  In a Maildir's cur/ and new/,
# every file but dot files (Dovecot's and Courier's indexes) is a
# message.
W=$tmp/walk
mkdir -p "$W/plain" "$W/md/cur" "$W/md/new"
msgtext() { printf 'From: a@example.com\nMessage-ID: <%s>\nSubject: s\n\nbody\n' "$1"; }
{ printf '\n\nFrom a@example.com Fri Nov 20 13:00:00 2026\n'; msgtext blank-lines@example.com; } >"$W/plain/spool1"
{ printf '  From a@example.com Fri Nov 20 13:00:00 2026\n'; msgtext indented@example.com; } >"$W/plain/spool2"
msgtext dotfile@example.com >"$W/md/cur/.dovecot.index.cache"
msgtext dotfile@example.com >"$W/md/cur/1795180000.M1P1.host:2,S"
run find --msgid blank-lines@example.com "$W/plain"
assert_eq "$(cut -f 2 "$tmp/out")" "$W/plain/spool1" "walk: an mbox whose From_ line follows blank lines"
run find --msgid indented@example.com "$W/plain"
assert_status 1 "walk: text before 'From ' on its line makes no mbox"
run find --msgid dotfile@example.com "$W/md"
assert_eq "$(cut -f 2 "$tmp/out")" "$W/md/cur/1795180000.M1P1.host:2,S" \
	"walk: a dot file in cur/ is no message, the file beside it is"

# A tree of many small folders under a low limit of open files: every
# message is found (the folders held open for the reading threads are
# bounded by what the limit leaves, and with too little left the files
# are read one at a time), none is skipped.
i=1
while [ "$i" -le 300 ]; do
	mkdir -p "$tmp/tree/d$i"
	printf 'Message-ID: <tree%d@example.org>\nSubject: s\n\nbody\n' "$i" >"$tmp/tree/d$i/m.eml"
	echo "tree$i@example.org"
	i=$((i + 1))
done >"$tmp/tree-ids"
# (valgrind itself does not start with 12.)
limits="24 12"
[ -z "${FPKIT_VALGRIND:-}" ] || limits=24
for n in $limits; do
	set +e
	(ulimit -n "$n" && fpkit find --msgid-file "$tmp/tree-ids" "$tmp/tree") >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
	assert_status 0 "300 folders with $n open files allowed"
	assert_eq "$(wc -l <"$tmp/out")" 300 "every message of the 300 folders found with $n open files"
	assert_not_in "$tmp/err" "skipped" "no folder or file skipped with $n open files"
done

finish
