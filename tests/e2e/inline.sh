#!/bin/sh
# pack --inline: the evidence as text after the ticket.  The ticket as
# rendered is left as it was, and what follows it holds each sample's
# header block equal to the sample's header in the tarball (cut there by
# sed, up to the first empty line) and each target's mail-log lines
# equal to its logs/ file's (headings dropped, path cut to the base
# name), the found targets' and the others'; hostile header bytes come
# out escaped, a CR before LF dropped, tabs kept; the headings are in
# the ticket's language, within 72 columns; --inline-max is honoured,
# the default cap too, and what is left out is said.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"

top=${DEMO_BUNDLE%.tar.gz}
LOG="$DEMO/log/mail.log"

# outdir NAME: a new folder $tmp/NAME for a bundle named b.tar.gz (the
# ticket names its bundle: every run gives it the same name).
outdir() {
	mkdir -p "$tmp/$1"
	echo "$tmp/$1"
}

# unpack TARBALL DIR: extract TARBALL into the new folder DIR.
unpack() {
	mkdir "$2"
	tar -xzf "$1" -C "$2"
}

# tail_after PLAIN TICKET OUT: OUT is what TICKET holds after PLAIN,
# which must be the start of TICKET byte for byte.
tail_after() {
	n=$(wc -c <"$1")
	head -c "$n" "$2" >"$tmp/head"
	if cmp -s "$tmp/head" "$1"; then
		ok "$(basename "$2"): the ticket as rendered comes first, unchanged"
	else
		not_ok "$(basename "$2"): does not start with the ticket as rendered"
	fi
	tail -c +$((n + 1)) "$2" >"$3"
}

# header_of EML: the header block of a message, as sed cuts it (every
# line before the first empty one).
header_of() {
	sed -n '/^$/q;p' "$1"
}

# block_after TEXT NAME: the lines after the heading line "=== NAME" up
# to the next heading or closing note (the first line that starts with
# "=== ", or a number), empty lines dropped.
block_after() {
	awk -v name="=== $2" '
		on && /^=== / { exit }
		on && /^[0-9]+ / { exit }
		on && $0 != "" { print }
		$0 == name { on = 1 }' "$1"
}

# own_lines TEXT: fpkit's own lines of an inline text: not in a header
# block (from a "=== samples/" line to the empty line), not a log line
# ("mail.log:N: "), not a file name line ("=== samples/", "=== logs/").
own_lines() {
	awk '
		/^=== samples\// { hdr = 1; next }
		/^=== logs\// { next }
		hdr && $0 == "" { hdr = 0 }
		hdr { next }
		/^mail\.log:[0-9]+: / { next }
		{ print }' "$1"
}

# max_columns: the widest line of standard input in characters (UTF-8
# continuation bytes not counted).
max_columns() {
	tr -d '\200-\277' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'
}

# --- The demo case: two samples, three targets in the logs, one of them
# not found. ---
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir plain)/b.tar.gz"
assert_status 0 "pack without --inline"
cp "$tmp/out" "$tmp/plain.txt"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir inl)/b.tar.gz" --inline
assert_status 0 "pack --inline"
cp "$tmp/out" "$tmp/inl.txt"
unpack "$tmp/inl/b.tar.gz" "$tmp/x"
B="$tmp/x/$top"
assert_true "TICKET.txt is the ticket printed" cmp -s "$tmp/inl.txt" "$B/TICKET.txt"
tail_after "$tmp/plain.txt" "$tmp/inl.txt" "$tmp/I"
I="$tmp/I"
assert_in "$I" "HEADERS AND MAIL LOGS" "the inline text has its heading"
assert_in "$I" "b.tar.gz" "the heading names the archive"

# Each sample's header, byte for byte.
nr=0
for f in "$B"/samples/*.eml; do
	nr=$((nr + 1))
	n=$(basename "$f")
	header_of "$f" >"$tmp/want"
	awk -v name="=== samples/$n" 'on && $0 == "" { exit } on { print } $0 == name { on = 1 }' \
		"$I" >"$tmp/got"
	if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
		ok "samples/$n: its header block is in the ticket, byte for byte"
	else
		not_ok "samples/$n: header block differs"
		diff "$tmp/want" "$tmp/got" | head -10 | sed 's/^/#   /'
	fi
	lines=$(wc -l <"$tmp/want" | tr -d ' ')
	assert_in "$I" "=== Header $nr of 2 ($lines lines) from" "samples/$n: its heading counts its $lines lines"
done
assert_eq "$nr" 2 "the demo has two samples"

# Each target's log lines, as in logs/, with the file's base name.
nl=0
for f in "$B"/logs/*.log; do
	nl=$((nl + 1))
	n=$(basename "$f")
	grep -v '^#' "$f" | grep -v '^$' | sed "s|^$DEMO/log/||" >"$tmp/want"
	block_after "$I" "logs/$n" >"$tmp/got"
	if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
		ok "logs/$n: its lines are in the ticket, as in the file"
	else
		not_ok "logs/$n: log lines differ"
		diff "$tmp/want" "$tmp/got" | head -10 | sed 's/^/#   /'
	fi
done
assert_eq "$nl" 3 "three targets have log lines"
assert_in "$I" "=== logs/03-20261120132821.7A3D5C0B40@web1.shop.example.com.log" \
	"the target not found has its log lines too"
assert_not_in "$I" "$DEMO/log" "the log lines do not show where the logs are kept"
# The demo's queue ids (as mx1's Received fields give them) and the
# lines the log holds of each, counted here.
q1=4A8D1C0B12 q3=6A21C4A0F5
n1=$(grep -c " $q1: " "$LOG") n3=$(grep -c " $q3: " "$LOG")
l1=$(grep -n " $q1: message-id=" "$LOG" | cut -d: -f1)
assert_in "$I" "mail.log:$l1: " "the log lines name the log by its base name"
# The first sample's lines come right after its header.
first=$(grep -n '^=== ' "$I" | sed -n '1,4p' | cut -d: -f2- | tr '\n' '|')
assert_eq "$first" "=== Header 1 of 2 (29 lines) from|=== samples/01-nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com.eml|=== Mail-log lines 1 of 3 ($n1 lines) from|=== logs/01-nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com.log|" \
	"a sample's log lines follow its header"
assert_not_in "$I" "left out" "nothing left out under the default cap"

# fpkit's own lines: within 72 columns.
own_lines "$I" >"$tmp/own"
assert_true "fpkit's own lines are there to measure" test "$(wc -l <"$tmp/own")" -gt 8
assert_true "fpkit's own lines are at most 72 columns (widest: $(max_columns <"$tmp/own"))" \
	test "$(max_columns <"$tmp/own")" -le 72
assert_true "the header lines are kept whole, wider than 72" \
	test "$(max_columns <"$I")" -gt 72

# --json: the ticket is not printed, TICKET.txt has it all.
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir j)/b.tar.gz" --inline --json
assert_status 0 "pack --inline --json"
unpack "$tmp/j/b.tar.gz" "$tmp/jx"
assert_in "$tmp/jx/$top/TICKET.txt" "=== Header 2 of 2" "--json: TICKET.txt holds the inline text"

# --- French: the whole text, then capped where its first header ends.
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir frp)/b.tar.gz" --lang fr
cp "$tmp/out" "$tmp/frplain.txt"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir fr)/b.tar.gz" --lang fr --inline
assert_status 0 "pack --lang fr --inline"
tail_after "$tmp/frplain.txt" "$tmp/out" "$tmp/F"
F="$tmp/F"
assert_in "$F" "EN-TÊTES ET JOURNAUX DE MAIL" "French: the heading"
assert_in "$F" "Ce ticket ne prend pas de pièce jointe" "French: the introduction"
assert_in "$F" "=== En-tête 1 sur 2 (29 lignes) tiré de" "French: a header's heading"
assert_in "$F" "=== Lignes des journaux de mail 3 sur 3 ($n3 lignes) tirées de" \
	"French: a log excerpt's heading"
assert_not_in "$F" "HEADERS AND MAIL LOGS" "French: no English heading"
assert_not_in "$F" "=== Header" "French: no English block heading"
own_lines "$F" >"$tmp/own"
assert_true "French: fpkit's own lines are at most 72 columns (widest: $(max_columns <"$tmp/own"))" \
	test "$(max_columns <"$tmp/own")" -le 72

# --- The cap.  A block starts with the empty line before its heading:
# the heading and the first header end two lines before the first log
# excerpt's heading.  At exactly their size they are all there is; a
# byte less, the first header is left out and the next block that fits
# (the first log excerpt) goes in. ---
# cap_at TEXT HEADING: the bytes of TEXT before the empty line that
# precedes its line HEADING.
cap_at() {
	L=$(grep -n -x -F -- "$2" "$1" | head -1 | cut -d: -f1)
	head -n $((L - 2)) "$1" >"$tmp/capped-want"
	wc -c <"$tmp/capped-want" | tr -d ' '
}
# without_note TEXT: TEXT without its closing note (from its first line,
# which starts with the number of blocks left out, and the empty line
# before it).
without_note() {
	sed '/^[0-9][0-9]* /,$d' "$1" | sed '$ { /^$/d; }'
}
cap=$(cap_at "$F" "=== Lignes des journaux de mail 1 sur 3 ($n1 lignes) tirées de")
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir frc)/b.tar.gz" --lang fr --inline-max "$cap"
assert_status 0 "pack --lang fr --inline-max $cap"
tail_after "$tmp/frplain.txt" "$tmp/out" "$tmp/FC"
without_note "$tmp/FC" >"$tmp/capped"
assert_true "French, --inline-max $cap: the heading and the first header, byte for byte" \
	cmp -s "$tmp/capped" "$tmp/capped-want"
assert_in "$tmp/FC" "1 bloc d'en-tête omis pour que ce texte ne dépasse pas $cap octets :" \
	"the cap: the header block left out is said"
assert_in "$tmp/FC" "3 extraits des journaux de mail omis pour que ce texte ne dépasse" \
	"the cap: the log excerpts left out are said"
assert_in "$tmp/FC" "voir logs/ dans l'archive." "the cap: where they are"

cap=$(cap_at "$I" "=== Mail-log lines 1 of 3 ($n1 lines) from")
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir c)/b.tar.gz" --inline-max "$cap"
tail_after "$tmp/plain.txt" "$tmp/out" "$tmp/C"
without_note "$tmp/C" >"$tmp/capped"
assert_true "English, --inline-max $cap: the heading and the first header, byte for byte" \
	cmp -s "$tmp/capped" "$tmp/capped-want"
assert_in "$tmp/C" "1 header block left out to keep this text within $cap bytes: see" \
	"English cap: said"
assert_in "$tmp/C" "3 mail-log excerpts left out to keep this text within $cap bytes:" \
	"English cap: the log lines left out are said"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir c1)/b.tar.gz" --inline-max $((cap - 1))
tail_after "$tmp/plain.txt" "$tmp/out" "$tmp/C1"
without_note "$tmp/C1" >"$tmp/capped"
assert_true "--inline-max $((cap - 1)): at most that many bytes ($(wc -c <"$tmp/capped"))" \
	test "$(wc -c <"$tmp/capped")" -le $((cap - 1))
assert_not_in "$tmp/C1" "=== samples/01-" "--inline-max $((cap - 1)): the first header is left out"
assert_in "$tmp/C1" "=== logs/01-nl.bf2026" "--inline-max $((cap - 1)): the next block that fits goes in"
assert_in "$tmp/C1" "2 header blocks left out to keep this text within $((cap - 1)) bytes:" \
	"--inline-max $((cap - 1)): both headers said left out"
assert_in "$tmp/C1" "2 mail-log excerpts left out" "--inline-max $((cap - 1)): two excerpts left out"

# 0: nothing but the closing note.
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--maillog "$LOG" --no-dkim -o "$(outdir z)/b.tar.gz" --inline-max 0
assert_status 0 "pack --inline-max 0"
tail_after "$tmp/plain.txt" "$tmp/out" "$tmp/Z"
assert_not_in "$tmp/Z" "===" "--inline-max 0: no block"
assert_in "$tmp/Z" "2 header blocks left out" "--inline-max 0: both headers said left out"
assert_in "$tmp/Z" "3 mail-log excerpts left out" "--inline-max 0: the three excerpts too"

# --- A hostile sample: terminal escapes, bidi controls, a C1 control,
# Latin-1, CRLF line ends, a folded line with a tab; and a header over
# the default cap of 64 KiB.  The third target of the demo. ---
ID3=20261120132821.7A3D5C0B40@web1.shop.example.com
mkdir -p "$tmp/m/cur" "$tmp/m/new" "$tmp/m/tmp"
{
	printf 'From: Lumen Atelier <orders@shop.example.com>\r\n'
	printf 'To: j.lefevre@example.com\r\n'
	printf 'Subject: osc\033]52;c;ZXZpbA==\007 clear\033[2J end\r\n'
	printf 'X-Bidi: gpj\342\200\256exe \342\201\246x\342\200\213y\357\273\277z\r\n'
	printf 'X-C1: a\302\233b caf\351\r\n'
	printf 'X-Folded: first\r\n\tsecond \001 part\r\n'
	printf 'Date: Fri, 20 Nov 2026 14:28:21 +0100\r\n'
	printf 'Message-ID: <%s>\r\n' "$ID3"
	printf '\r\n'
	printf 'Body \033[2J not shown.\r\n'
} >"$tmp/m/cur/1.evil:2,S"
cat >"$tmp/want-evil" <<EOF
From: Lumen Atelier <orders@shop.example.com>
To: j.lefevre@example.com
Subject: osc\\x1b]52;c;ZXZpbA==\\x07 clear\\x1b[2J end
X-Bidi: gpj<U+202E>exe <U+2066>x<U+200B>y<U+FEFF>z
X-C1: a\\xc2\\x9bb caf\\xe9
X-Folded: first
	second \\x01 part
Date: Fri, 20 Nov 2026 14:28:21 +0100
Message-ID: <$ID3>
EOF
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/m" \
	--maillog "$LOG" --no-dkim -o "$(outdir e)/b.tar.gz" --inline
assert_status 0 "pack --inline with a hostile sample"
awk -v name="=== samples/01-$ID3.eml" 'on && $0 == "" { exit } on { print } $0 == name { on = 1 }' \
	"$tmp/out" >"$tmp/got"
if cmp -s "$tmp/want-evil" "$tmp/got"; then
	ok "hostile header: escapes, bidi, C1 and Latin-1 made visible, CR dropped, tab kept"
else
	not_ok "hostile header: not as expected"
	diff "$tmp/want-evil" "$tmp/got" | head -20 | sed 's/^/#   /'
fi
od -An -v -tx1 "$tmp/out" | tr -s ' \n' '  ' >"$tmp/hex"
for seq in ' 1b' ' 07' ' 0d' ' 01' ' c2 9b' ' e2 80 ae' ' e2 81 a6' ' e2 80 8b' ' ef bb bf' ' e9'; do
	if grep -q -- "$seq " "$tmp/hex"; then
		not_ok "hostile header: a raw$seq in the ticket"
	else
		ok "hostile header: no raw$seq in the ticket"
	fi
done
unpack "$tmp/e/b.tar.gz" "$tmp/ex"
assert_true "hostile header: TICKET.txt is the ticket printed" \
	cmp -s "$tmp/out" "$tmp/ex/$top/TICKET.txt"
assert_in "$tmp/out" "=== logs/03-$ID3.log" "hostile sample: its log lines follow"

# Over 64 KiB of header: left out by default, in with a larger cap.
{
	printf 'From: orders@shop.example.com\nTo: j.lefevre@example.com\n'
	printf 'Message-ID: <%s>\n' "$ID3"
	i=0
	while [ $i -lt 900 ]; do
		printf 'X-Pad-%03d: %s\n' $i 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
		i=$((i + 1))
	done
	printf '\nbody\n'
} >"$tmp/m/cur/1.evil:2,S"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/m" \
	--maillog "$LOG" --no-dkim -o "$(outdir big)/b.tar.gz" --inline
assert_status 0 "pack --inline with a header over 64 KiB"
assert_not_in "$tmp/out" "=== samples/01-" "default cap: the 70 KiB header is left out"
assert_in "$tmp/out" "1 header block left out to keep this text within 65536 bytes: see" \
	"default cap: said, with 65536 bytes"
assert_in "$tmp/out" "=== logs/03-$ID3.log" "default cap: the log lines still go in"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/m" \
	--maillog "$LOG" --no-dkim -o "$(outdir big2)/b.tar.gz" --inline-max 100000
assert_in "$tmp/out" "=== Header 1 of 1 (903 lines) from" "--inline-max 100000: the large header goes in"
assert_not_in "$tmp/out" "left out" "--inline-max 100000: nothing left out"

# --- Nothing to give. ---
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --no-dkim \
	-o "$(outdir n)/b.tar.gz" --inline
assert_status 0 "pack --inline without --mail and --maillog"
assert_in "$tmp/out" "No header and no log line to give" "nothing to give: said"

# --- Bad values. ---
for v in abc -1 65536x 8388609 99999999999999999999999 ''; do
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" -o "$(outdir bad)/b.tar.gz" \
		--inline-max "$v"
	assert_status 64 "--inline-max '$v' refused"
	assert_in "$tmp/err" "--inline-max takes a number of bytes from 0 to 8388608, not '$v'" \
		"--inline-max '$v': the message"
done
assert_false "no bundle from a bad --inline-max" test -e "$tmp/bad/b.tar.gz"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--no-dkim -o "$(outdir max)/b.tar.gz" --inline-max 8388608
assert_status 0 "--inline-max 8388608, the largest, taken"

finish
