#!/bin/sh
# fpkit check on the project's own cases (fixtures/check/*/*/): each
# folder holds message.eml, the problem (the copy is not the message as
# sent), conformance (the sender's RFC slips) and lint rule ids expected
# ('expect'), and the options to give ('args', when there are any).
# good/ and conformance/ hold intact messages, broken/ altered ones.
# Then the report's shape, the exit codes and the options.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

C="$FIXTURES/check"

# ids FIELD: the sorted rule ids of .FIELD in $tmp/out (one JSON line).
ids() {
	jq -r "[.$1[].id] | unique | join(\" \")" "$tmp/out"
}

for d in "$C"/good/*/ "$C"/conformance/*/ "$C"/broken/*/ "$C"/lint/*/; do
	case=${d%/}
	case=${case#"$C"/}
	args=
	[ -f "$d/args" ] && args=$(cat "$d/args")
	# shellcheck disable=SC2086
	run check --json --no-dkim $args "$d/message.eml"
	want_p=$(sed -n 's/^problems: *//p' "$d/expect")
	want_c=$(sed -n 's/^conformance: *//p' "$d/expect")
	want_l=$(sed -n 's/^lint: *//p' "$d/expect")
	assert_eq "$(ids problems)" "$want_p" "$case: problems"
	assert_eq "$(ids conformance)" "$want_c" "$case: conformance"
	assert_eq "$(ids lint)" "$want_l" "$case: lint"
	if [ -z "$want_p" ]; then
		assert_status 0 "$case: intact"
		assert_eq "$(jq -r .intact "$tmp/out")" true "$case: intact in the JSON"
	else
		assert_status 1 "$case: not intact"
		assert_eq "$(jq -r .intact "$tmp/out")" false "$case: not intact in the JSON"
	fi
done

# Every rule id the code can report has its kind in the one table
# (integrity_rules) and its line in fpkit(1)'s CHECKS.
SRC=$TESTS_DIR/..
kinds=$(sed -n 's/^	{ "\([a-z0-9-]*\)", INTEGRITY_[A-Z]* },.*/\1/p' "$SRC/src/check/integrity.c")
assert_true "the table lists the rules" test "$(echo "$kinds" | wc -l)" -gt 40
for id in $( (grep -ho 'check_list_add([^,]*, "[a-z0-9-]*"' "$SRC/src/check/integrity.c" "$SRC/src/check/checks.c"
	grep -ho '"[a-z][a-z0-9]*-[a-z0-9-]*"' "$SRC/src/check/checks.c"
	grep -ho '\] = { "[a-z0-9-]*"' "$SRC/src/base/mime.c") | grep -o '"[a-z0-9-]*"' | tr -d '"' | sort -u); do
	assert_true "$id has a kind" sh -c 'echo "$1" | grep -qx "$2"' - "$kinds" "$id"
done
for id in $kinds; do
	assert_true "$id is in fpkit(1)" grep -q "$(echo "$id" | sed 's/-/\\\\-/g')" "$SRC/doc/fpkit.1"
done

# The JSON object: its keys, in order, and the detail of a problem says
# where it is.
run check --json --no-dkim "$C/broken/truncated/message.eml"
assert_eq "$(jq -c 'keys_unsorted' "$tmp/out")" \
	'["file","message_id","intact","problems","conformance","dkim_checked","dkim","lint_checked","lint","received"]' \
	"--json: the keys"
assert_eq "$(jq -r .message_id "$tmp/out")" nl.celadon.r1190.77aa01@news.shop.example.com \
	"--json: message_id without brackets"
assert_in "$tmp/out" 'no closing \"--nl-1190--\" line; the message ends at line 43 (byte 1722)' \
	"truncated: the detail says where the message ends"
run check --json --no-dkim "$C/broken/header-broken/message.eml"
assert_in "$tmp/out" '"line 13 is 1200 octets long' "line-too-long: the line number"
assert_in "$tmp/out" '2 Date fields (lines 5, 6)' "date-duplicated: both lines"
assert_in "$tmp/out" 'the first at line 6' "line-ends-mixed: the first bare LF"
run check --json --no-dkim "$C/broken/thunderbird/message.eml"
assert_in "$tmp/out" 'line 2: X-Mozilla-Status (and 2 more like it): Thunderbird' \
	"client-resave: the field and its line"
run check --json --no-dkim "$C/broken/outlook/message.eml"
assert_in "$tmp/out" 'Outlook saved it as an unsent draft' "client-resave: Outlook's X-Unsent"
assert_not_in "$tmp/out" 'X-MS-Exchange-Organization' \
	"client-resave: Exchange's transport fields are no sign of a re-save"
# Exchange adds X-MS-Exchange-Organization-* in transit: relayed mail
# that carries them is intact.
sed '/^Return-Path:/i\
X-MS-Exchange-Organization-AuthAs: Anonymous\
X-MS-Exchange-Organization-SCL: 1\
X-MS-Exchange-Organization-Network-Message-Id: 3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' \
	"$C/good/plain/message.eml" >"$tmp/exchange.eml"
assert_true "the Exchange fields were added" grep -q '^X-MS-Exchange-Organization-SCL' "$tmp/exchange.eml"
run check --json --no-dkim "$tmp/exchange.eml"
assert_status 0 "relayed through Exchange: intact"
run check --json --no-dkim "$C/broken/nul-byte/message.eml"
assert_in "$tmp/out" 'line 16 (byte 605): a NUL byte' "nul-byte: the line and the byte"

# RFC 5322's obsolete Message-ID syntax is valid: the sender's slip at
# most, said as such, and the id is read through it.
run check --no-dkim "$C/conformance/msgid-obsolete-spaces/message.eml"
assert_status 0 "an obsolete-syntax Message-ID: intact"
assert_in "$tmp/out" "Intact:          yes, no problem found" "obsolete syntax: intact"
assert_in "$tmp/out" "  - msgid-obsolete: line 9: \"< order-10490.1795181000.a1b2@shop.example.com >\" is written in the obsolete syntax" \
	"obsolete syntax: listed under the conformance, with the line"
assert_in "$tmp/out" "Message-ID:      <order-10490.1795181000.a1b2@shop.example.com>" \
	"obsolete syntax: the id read without the spaces"
assert_not_in "$tmp/out" "msgid-malformed" "obsolete syntax: never malformed"

# Human report: one block per message, worst first, a closing count.
run check --no-dkim "$C/good/plain/message.eml" "$C/broken/header-broken/message.eml" \
	"$C/broken/truncated/message.eml"
assert_status 1 "a mix of intact and broken messages"
assert_eq "$(grep '^== ' "$tmp/out" | sed 's,.*/check/,,')" \
	"$(printf '%s\n' 'broken/header-broken/message.eml ==' 'broken/truncated/message.eml ==' 'good/plain/message.eml ==')" \
	"worst first"
assert_in "$tmp/out" "Intact:          NO, 2 problems" "the problems are counted"
assert_in "$tmp/out" "Conformance:     6 slips by the sender" "... apart from the sender's slips"
assert_in "$tmp/out" "Conformance:     follows the RFCs" "a conforming message says so"
assert_in "$tmp/out" "Intact:          yes, no problem found" "an intact message says so"
assert_in "$tmp/out" "3 messages: 1 intact, 2 not intact" "the closing count"
assert_in "$tmp/out" "DKIM:            not checked (--no-dkim)" "--no-dkim is said"

# Hostile sizes: nothing may cost in proportion to the header's size
# times anything, or to the number of parts times the message's size.
# timed SECONDS ARGS...: 'run', stopped (status 124) after SECONDS; the
# bounds are generous, for a loaded machine and the sanitizers.
timed() {
	limit=$1
	shift
	set +e
	# shellcheck disable=SC2086
	timeout "$limit" ${FPKIT_VALGRIND:-} "$FPKIT" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}
: >"$tmp/nokeys"
# A 2 MB header block (700,000 fields): the one problem header-too-large;
# neither GMime nor libopendkim reads it.
awk 'BEGIN { print "From: a@example.com"; print "DKIM-Signature: v=1; d=example.com; s=s"
	for (i = 0; i < 700000; i++) print "a:"; printf "\nbody\n" }' >"$tmp/bighdr.eml"
timed 30 check --json --dkim-keys "$tmp/nokeys" "$tmp/bighdr.eml"
assert_status 1 "a 2 MB header: checked in time, not intact"
assert_eq "$(ids problems)" header-too-large "a 2 MB header: header-too-large"
assert_eq "$(jq -c '[.dkim_checked, .dkim, .lint]' "$tmp/out")" '[false,[],[]]' \
	"a 2 MB header: no DKIM, no best practices"
timed 30 check --dkim-keys "$tmp/nokeys" "$tmp/bighdr.eml"
assert_in "$tmp/out" "DKIM:            not checked (the header block is too large)" \
	"a 2 MB header: the report says why DKIM was not checked"
assert_in "$tmp/out" "Conformance:     not checked (the header block is too large)" \
	"a 2 MB header: nor the conformance"
# Small, but more than 10,000 fields.
awk 'BEGIN { print "From: a@example.com"; for (i = 0; i < 10000; i++) print "a:"
	printf "\nbody\n" }' >"$tmp/fields.eml"
timed 30 check --json --no-dkim "$tmp/fields.eml"
assert_eq "$(ids problems)" header-too-large "10,001 fields: header-too-large"
assert_in "$tmp/out" "line 10001: the header block holds more than 10000 fields" \
	"10,001 fields: where"
# 12 MB, 998 sibling multiparts whose closing lines are all at the end
# (the last one has none), and a GMime warning for each: each closing
# line is looked for once, each line number found without counting from
# byte 0 (this took minutes).
awk 'BEGIN {
	print "From: a@example.com"; print "Date: Fri, 20 Nov 2026 14:23:00 +0100"
	print "Message-ID: <parts@example.com>"; print "MIME-Version: 1.0"
	print "Content-Type: multipart/mixed; boundary=\"top\""; print ""
	for (i = 1; i <= 998; i++) {
		print "--top"; printf "Content-Type: multipart/alternative; boundary=\"b%d\"\n\n", i
		for (k = 0; k < 6000; k++) print "x"
	}
	print "--top--"
	for (i = 1; i < 998; i++) printf "--b%d--\n", i
}' >"$tmp/parts.eml"
timed 30 check --json --no-dkim "$tmp/parts.eml"
assert_status 1 "998 multiparts in 12 MB: checked in time"
assert_eq "$(ids problems)" "truncated-multipart" "998 multiparts: the problems"
assert_eq "$(ids conformance)" "mime-multipart-empty" "998 multiparts: GMime's finding is the sender's"
assert_eq "$(jq -r '[.problems[] | select(.id == "truncated-multipart") | .detail] | join(" ")' "$tmp/out")" \
	"the multipart/alternative with boundary \"b998\" has no closing \"--b998--\" line; the message ends at line $(($(wc -l <"$tmp/parts.eml") + 1)) (byte $(wc -c <"$tmp/parts.eml" | tr -d ' ')): it was cut" \
	"998 multiparts: only the one never closed is cut"

# The Received chain, hop by hop, and the blocked IP.
run check --json --no-dkim --ip 192.0.2.10 "$C/good/plain/message.eml"
assert_eq "$(jq -c '.received' "$tmp/out")" \
	'{"hops":[{"line":2,"from":"web1.shop.example.com","by":"mx1.shop.example.com","ips":["192.0.2.10"]}],"blocked_ip":"192.0.2.10","blocked_ip_seen":true}' \
	"--ip: found in the Received chain"
run check --json --no-dkim --ip 203.0.113.7 "$C/good/plain/message.eml"
assert_eq "$(jq -r '.received.blocked_ip_seen' "$tmp/out")" false "--ip: not in the chain"
run check --no-dkim --ip 203.0.113.7 "$C/good/plain/message.eml"
assert_in "$tmp/out" "the blocked IP 203.0.113.7 does not appear in them" "--ip: said in the report"
assert_in "$tmp/out" " 1. line 2: from web1.shop.example.com by mx1.shop.example.com [192.0.2.10]" \
	"a hop: its line, names and IP"

# Control characters from a header are shown, never printed raw.
printf 'From: a@example.com\nDate: Fri, 20 Nov 2026 14:23:00 +0100\nMessage-ID: <x\033[2J@example.com>\nSubject: s\n\nbody\n' >"$tmp/esc.eml"
run check --no-dkim "$tmp/esc.eml"
assert_in "$tmp/out" '\x1b[2J' "control bytes in a Message-ID are made visible"
assert_false "no raw ESC in the report" grep -q "$(printf '\033')" "$tmp/out"

# Exit statuses and usage errors.
run check --no-dkim "$tmp/nonexistent.eml"
assert_status 66 "a file that does not exist"
assert_in "$tmp/err" "nonexistent.eml" "the missing file is named"
run check --no-dkim "$tmp/nonexistent.eml" "$C/good/plain/message.eml"
assert_status 66 "a missing file among good ones"
assert_in "$tmp/out" "Intact:          yes" "the other files are still checked"
run check
assert_status 64 "no file"
run check --window yesterday "$C/good/plain/message.eml"
assert_status 64 "a bad --window"
run check --window 2026-11-21T00:00:00Z,2026-11-20T00:00:00Z "$C/good/plain/message.eml"
assert_status 64 "--window TO before FROM"
run check --ip not-an-ip "$C/good/plain/message.eml"
assert_status 64 "a bad --ip"
run check --dkim-time soon "$C/good/plain/message.eml"
assert_status 64 "a bad --dkim-time"
run check --bogus "$C/good/plain/message.eml"
assert_status 64 "an unknown option"
run check --help
assert_status 0 "check --help"
for opt in --json --msgid --ip --window --date-slack --dkim-keys --dkim-time --dkim-min-bits --no-dkim; do
	assert_in "$tmp/out" "$opt" "check --help mentions $opt"
done
run --help
assert_in "$tmp/out" "check" "fpkit --help lists check"

# The window in epoch seconds, and the slack.
run check --json --no-dkim --window 1795180000,1795181000 --date-slack 0 "$C/good/plain/message.eml"
assert_eq "$(ids problems)" "" "a Date inside the window (epoch seconds)"
run check --json --no-dkim --window 1795181000,1795182000 --date-slack 0 "$C/good/plain/message.eml"
assert_eq "$(ids problems)" date-outside-window "a Date 20 s before the window, no slack"
run check --json --no-dkim --window 1795181000,1795182000 --date-slack 60 "$C/good/plain/message.eml"
assert_eq "$(ids problems)" "" "the same within a 60 s slack"
# Bounds as large as they go: compared without overflow (the sanitizers
# stop fpkit at a signed overflow).
run check --json --no-dkim --window 0,1 --date-slack 9223372036854775807 "$C/good/plain/message.eml"
assert_status 0 "--date-slack INT64_MAX: within it"
run check --json --no-dkim --window 9223372036854775000,9223372036854775807 --date-slack 0 \
	"$C/good/plain/message.eml"
assert_eq "$(ids problems)" date-outside-window "a window at INT64_MAX: the Date is before it"

finish
