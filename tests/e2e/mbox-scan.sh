#!/bin/sh
# The scan of a large mbox: mapped and cut into parts read by several
# threads, only the Message-ID fields of header blocks looked at, and a
# compressed one decoded by a thread of its own; the hits must be the
# same as a reading of every header.  Offsets and lengths are the
# generator's (awk counts the bytes it writes), not fpkit's.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

# gen lf|crlf OUT: an mbox of 5000 messages (about 12 MiB: above the size
# from which a plain mbox is read in parts) to OUT, and in OUT.want the
# line find prints for each (id, path, offset, length).  Message i has
# the id scan.i@shop.example.com, written in one of six ways (folded,
# with a comment, white space inside the brackets, a second field, the
# domain in capitals); the ids of its neighbours stand in its References,
# and in a body line "Message-ID: <...>" that is not a header field.
# Some body lines start with "From " (quoted, or without a date).
gen() {
	LC_ALL=C awk -v ends="$1" -v out="$2" -v path="$2" 'BEGIN {
		eol = ends == "crlf" ? "\r\n" : "\n"
		off = 0
		for (i = 1; i <= 5000; i++) {
			id = "scan." i "@shop.example.com"
			from = "From orders@shop.example.com Sun Dec  6 22:56:45 2026" eol
			printf "%s", from >out
			off += length(from)
			m = "Return-Path: <orders@shop.example.com>" eol
			m = m "Received: from mx.example.net (mx.example.net [192.0.2.1])" eol \
			    "\tby relay.example.org; Sun, 6 Dec 2026 22:56:45 +0000" eol
			m = m "References: <scan." (i - 1) "@shop.example.com>" eol
			v = i % 6
			if (v == 0) m = m "Message-ID: <" id ">" eol
			else if (v == 1) m = m "message-id:" eol " <" id ">" eol
			else if (v == 2) m = m "MESSAGE-ID : <" id "> (added by relay)" eol
			else if (v == 3) m = m "Message-Id: < " id " >" eol
			else if (v == 4) m = m "Message-ID: <other." i "@elsewhere.example>" eol "Message-ID: <" id ">" eol
			else m = m "Message-ID: <scan." i "@SHOP.Example.COM>" eol
			m = m "Subject: order " i eol "Date: Sun, 6 Dec 2026 22:56:45 +0000" eol eol
			for (k = 0; k < 30 + i % 17; k++)
				m = m "Line " k " of the order, with enough words to make a body of a few KiB." eol
			m = m "Message-ID: <scan." (i + 1) "@shop.example.com>" eol
			if (i % 5 == 0) m = m ">From the quoted line of an mboxrd writer" eol
			if (i % 3 == 0) m = m "From the team, a line without a date" eol
			m = m "The end." eol
			printf "%s%s", m, eol >out
			printf "%s\t%s\t%d\t%d\n", id, path, off, length(m) >(out ".want")
			off += length(m) + length(eol)
		}
	}'
	cut -f 1 "$2.want" >"$2.ids"
}

gen lf "$tmp/lf.mbox"
gen crlf "$tmp/crlf.mbox"
assert_true "the test mbox is larger than 8 MiB" test "$(wc -c <"$tmp/lf.mbox")" -gt 8388608

for f in lf crlf; do
	run find --msgid-file "$tmp/$f.mbox.ids" "$tmp/$f.mbox"
	assert_status 0 "$f: every id found"
	sort "$tmp/out" >"$tmp/got"
	sort "$tmp/$f.mbox.want" >"$tmp/want"
	assert_true "$f: each message once, at the generator's offset and length (no hit in References or a body, none twice across the parts' boundary)" \
		cmp -s "$tmp/got" "$tmp/want"
done

# One id, from the middle of the file (where the parts meet), alone.
mid=$(sed -n '2500p' "$tmp/lf.mbox.want")
run find --msgid "$(printf '%s' "$mid" | cut -f 1)" "$tmp/lf.mbox"
assert_status 0 "one id"
assert_eq "$(cat "$tmp/out")" "$mid" "one id: its message alone"
# An id that stands only in a body and in References: no hit.
printf 'From orders@shop.example.com Sun Dec  6 22:56:45 2026\nMessage-ID: <scan.1@shop.example.com>\n\nMessage-ID: <scan.2@shop.example.com>\n' >"$tmp/tiny.mbox"
run find --msgid scan.2@shop.example.com "$tmp/tiny.mbox"
assert_status 1 "an id in a body line that looks like a field is no hit"

# The messages passed over are counted as read.
mkdir "$tmp/o"
cp "$tmp/lf.mbox" "$tmp/o.mbox"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/o.mbox" \
	--no-dkim -o "$tmp/o"
assert_status 1 "pack, nothing found in the mbox"
assert_in "$tmp/err" "in the 5000 messages read in:" "the messages passed over are counted"
rm -f "$tmp/o.mbox"

# Compressed: decoded by a thread of its own, the same hits.
for z in gzip zstd xz; do
	if ! command -v "$z" >/dev/null 2>&1; then
		skip "$z: not installed"
		continue
	fi
	"$z" -c "$tmp/lf.mbox" >"$tmp/lf.mbox.z"
	run find --msgid-file "$tmp/lf.mbox.ids" "$tmp/lf.mbox.z"
	assert_status 0 "$z: every id found"
	sed "s|$tmp/lf.mbox\t|$tmp/lf.mbox.z\t|" "$tmp/lf.mbox.want" | sort >"$tmp/want"
	sort "$tmp/out" >"$tmp/got"
	assert_true "$z: the same hits as the plain mbox" cmp -s "$tmp/got" "$tmp/want"
done
# Damaged after its first half: what came before is found, with a warning.
gzip -c "$tmp/lf.mbox" >"$tmp/cut.mbox.gz"
size=$(wc -c <"$tmp/cut.mbox.gz")
head -c $((size / 2)) "$tmp/cut.mbox.gz" >"$tmp/half.mbox.gz"
run find --msgid "$(sed -n '1p' "$tmp/lf.mbox.ids")" --msgid "$(sed -n '5000p' "$tmp/lf.mbox.ids")" \
	"$tmp/half.mbox.gz"
assert_status 1 "a cut gzip mbox: the last id is missing"
assert_in "$tmp/out" "scan.1@shop.example.com" "a cut gzip mbox: the first message is found"
assert_in "$tmp/err" "not searched" "a cut gzip mbox: a warning says where the search stopped"

# Samples from a compressed mbox: the second is decoded on from where
# the first ended (the stream is kept), the bytes the same as from the
# plain file.
MB="$FIXTURES/mbox"
pack_mbox() {
	rm -rf "$tmp/p-$1" "$tmp/p-$1.tar.gz"
	run pack --spam-ip-json "$MB/api/spam-ip.json" --stats-json "$MB/api/stats.json" \
		--mail "$2" -o "$tmp/p-$1.tar.gz" --no-dkim
	assert_status 0 "pack from the $1 mbox"
	mkdir "$tmp/p-$1"
	tar -xzf "$tmp/p-$1.tar.gz" -C "$tmp/p-$1"
}
pack_mbox plain "$MB/sent.mbox"
assert_eq "$(ls "$tmp"/p-plain/*/samples/ | wc -l | tr -d ' ')" 2 "two samples from the plain mbox"
for z in gz xz bz2; do
	pack_mbox "$z" "$MB/compressed/sent.mbox.$z"
	for f in "$tmp"/p-plain/*/samples/*.eml; do
		assert_true "$z: sample $(basename "$f") as from the plain mbox" \
			cmp -s "$f" "$(echo "$tmp"/p-"$z"/*/samples)/$(basename "$f")"
	done
done

# A file cut shorter while it is mapped: a warning, no crash (SIGBUS).
# The shim holds the scan before its first positioned read (where the
# parts are cut, after the file's size was taken) while the file is
# truncated.
if [ ! -f "${FAULTSHIM:-}" ]; then
	skip "an mbox cut during the scan: no fault shim built"
else
	cp "$tmp/lf.mbox" "$tmp/shrinks.mbox"
	rm -f "$tmp/mark"
	(
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
		FAULT_CALL=pread FAULT_PATH=shrinks.mbox FAULT_DELAY_MS=3000 FAULT_MARK=$tmp/mark
		LD_PRELOAD=$FAULTSHIM
		export ASAN_OPTIONS FAULT_CALL FAULT_PATH FAULT_DELAY_MS FAULT_MARK LD_PRELOAD
		exec ${FPKIT_VALGRIND:-} "$FPKIT" find --msgid-file "$tmp/lf.mbox.ids" "$tmp/shrinks.mbox"
	) </dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	i=0
	while [ ! -s "$tmp/mark" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if [ -s "$tmp/mark" ]; then
		truncate -s 1000000 "$tmp/shrinks.mbox"
		status=0
		wait "$pid" || status=$?
		assert_status 1 "an mbox cut during the scan: some ids missing, no crash"
		assert_in "$tmp/err" "'$tmp/shrinks.mbox' could not be read past byte" \
			"an mbox cut during the scan: a warning names the file"
		assert_in "$tmp/out" "scan.1@shop.example.com" "an mbox cut during the scan: what came before is found"
		san_check "find on an mbox cut during the scan" || :
	else
		status=0
		wait "$pid" || status=$?
		not_ok "an mbox cut during the scan: the read was never reached (exit $status)"
	fi
fi

# A body line starting "From " and running on for more than a MiB,
# after the middle of the file where the parts are cut and after no
# "From " line since it: the cut is looked for past it (it once sent
# that search round for ever), and every message is found.
{
	head -c 4194304 "$tmp/lf.mbox" | sed '$d'
	printf '\nFrom orders@shop.example.com Sun Dec  6 22:56:45 2026\nMessage-ID: <big.body@shop.example.com>\n\n'
	yes 'a body line of the big message' | head -c 3145728
	printf '\nFrom the long line '
	head -c 2097152 /dev/zero | tr '\0' 'a'
	printf '\n\nFrom orders@shop.example.com Sun Dec  6 22:56:45 2026\nMessage-ID: <after.long@shop.example.com>\n\nend\n\n'
	tail -c 2097152 "$tmp/lf.mbox" | sed -n '/^From orders@/,$p'
} >"$tmp/long.mbox"
status=0
timeout 120 "$FPKIT_BIN" find --msgid after.long@shop.example.com --msgid scan.1@shop.example.com \
	--msgid big.body@shop.example.com --msgid scan.5000@shop.example.com "$tmp/long.mbox" \
	>"$tmp/out" 2>"$tmp/err" || status=$?
assert_eq "$status" 0 "a line of 2 MiB after the middle: the search ends, every id found"
assert_eq "$(cut -f 1 "$tmp/out" | sort | tr '\n' ' ')" \
	"after.long@shop.example.com big.body@shop.example.com scan.1@shop.example.com scan.5000@shop.example.com " \
	"a line of 2 MiB after the middle: each message once"

finish
