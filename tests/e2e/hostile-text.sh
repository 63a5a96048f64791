#!/bin/sh
# Outside text on its way to a person: Message-IDs of the stats JSON
# (saved, or from the fake API on loopback) and of the alert e-mail, and
# a SpamIp field, that carry terminal escapes (an OSC 52 clipboard write,
# a screen clear, BEL) and bidi or invisible characters (U+202E, U+2066,
# U+200F, U+FEFF...).  fpkit pack prints the ticket and writes it as
# TICKET.txt: neither holds one raw byte of them, and each value is still
# there, escaped as textsafe shows it (\x1b, <U+202E>).  The template's
# own text is trusted; --json stays exact.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"

top=${DEMO_BUNDLE%.tar.gz}

# hexdump FILE: its bytes as " 1b 5d 35 ...", on one line.
hexdump() {
	od -An -v -tx1 "$1" | tr -s ' \n' '  '
}

# count_seq FILE HEX: how many times the bytes HEX (" e2 80 ae") occur.
count_seq() {
	hexdump "$1" | grep -o "$2" | wc -l | tr -d ' '
}

# assert_clean FILE WHAT: FILE holds no ESC, no BEL, no other control byte
# than newline, and none of the bidi and invisible characters used here
# (U+202E, U+2066, U+2067, U+200B, U+200F, U+FEFF) raw.
assert_clean() {
	for seq in ' 1b' ' 07' ' e2 80 ae' ' e2 81 a6' ' e2 81 a7' ' e2 80 8b' ' e2 80 8f' \
		' ef bb bf'; do
		n=$(count_seq "$1" "$seq")
		if [ "$n" -eq 0 ]; then
			ok "$2: no raw$seq"
		else
			not_ok "$2: $n raw$seq"
		fi
	done
	if tr -d '\n' <"$1" | grep -q '[[:cntrl:]]'; then
		not_ok "$2: a raw control byte"
	else
		ok "$2: no control byte but newline"
	fi
}

# --- A hostile stats JSON: the ids, written with JSON escapes and raw. ---
ID1_JSON='osc\u001b]52;c;ZXZpbA==\u0007x\u202eevil\u001b[2J@example.com'
ID1_SHOWN='osc\x1b]52;c;ZXZpbA==\x07x<U+202E>evil\x1b[2J@example.com'
ID2_RAW=$(printf 'raw\342\200\256gpj.exe\342\201\246\342\200\213@example.com')
ID2_SHOWN='raw<U+202E>gpj.exe<U+2066><U+200B>@example.com'
cat >"$tmp/stats.json" <<EOF
[{"averageSpamscore": null, "numberOfSpams": 3, "timestamp": 1795181527, "total": 3,
  "detectedSpams": [
    {"date": 1795180627, "destinationIp": "198.51.100.23", "messageId": "$ID1_JSON", "spamscore": 300},
    {"date": 1795180627, "destinationIp": "198.51.100.24", "messageId": "$ID2_RAW", "spamscore": 301},
    {"date": 1795180980, "destinationIp": "198.51.100.87",
     "messageId": "order-10482.1795180980.7d1e@shop.example.com", "spamscore": 417}]}]
EOF
# The SpamIp object with a field fpkit does not read: kept in api/, never
# shown.
cat >"$tmp/spam-ip.json" <<'EOF'
{"date": "2026-11-20T14:32:07+01:00", "ipSpamming": "203.0.113.7", "state": "blockedForSpam",
 "time": 3600, "comment": "\u001b]52;c;ZXZpbA==\u0007\u202e\u001b[2J"}
EOF
run pack --spam-ip-json "$tmp/spam-ip.json" --stats-json "$tmp/stats.json" \
	--mail "$DEMO_MAIL" --no-dkim -o "$tmp/s.tar.gz"
assert_status 0 "pack with hostile Message-IDs in the stats"
mkdir "$tmp/s"
tar -xzf "$tmp/s.tar.gz" -C "$tmp/s"
T="$tmp/s/$top/TICKET.txt"
assert_true "the ticket printed is TICKET.txt" cmp -s "$tmp/out" "$T"
assert_clean "$tmp/out" "stats: the ticket printed"
assert_clean "$T" "stats: TICKET.txt"
assert_clean "$tmp/err" "stats: the warnings"
assert_in "$T" "Message-ID:      <$ID1_SHOWN>" "stats: the escaped id is in the ticket"
assert_in "$T" "Message-ID:      <$ID2_SHOWN>" "stats: the raw bidi id is in the ticket, escaped"
assert_in "$T" "Message-ID:      <order-10482.1795180980.7d1e@shop.example.com>" \
	"stats: a plain id is left as it is"
assert_in "$tmp/err" "not found: <$ID1_SHOWN>" "stats: the warning shows the id escaped"
assert_in "$tmp/err" "not found: <$ID2_SHOWN>" "stats: the warning shows the bidi id escaped"
assert_true "stats: the API's answers are kept byte for byte" cmp -s "$tmp/spam-ip.json" "$tmp/s/$top/api/spam-ip.json"

# --json is JSON: the ids exact, as jansson escapes them.
run pack --spam-ip-json "$tmp/spam-ip.json" --stats-json "$tmp/stats.json" \
	--mail "$DEMO_MAIL" --no-dkim --json -o "$tmp/j.tar.gz"
assert_status 0 "pack --json with hostile Message-IDs"
assert_eq "$(jq -r '.targets[0].message_id' "$tmp/out")" \
	"$(printf 'osc\033]52;c;ZXZpbA==\007x\342\200\256evil\033[2J@example.com')" "--json: the first id exact"
assert_eq "$(jq -r '.targets[1].message_id' "$tmp/out")" "$ID2_RAW" "--json: the second id exact"
assert_eq "$(count_seq "$tmp/out" ' 1b')" 0 "--json: ESC written as \\u001b"

# A user's template: its own text as written (an ESC, a tab), the values
# escaped.
printf '\033[1mIP={{ip}}\033[0m\n{{#targets}}\t<{{message_id}}>\n{{/targets}}' >"$tmp/own.mustache"
run pack --spam-ip-json "$tmp/spam-ip.json" --stats-json "$tmp/stats.json" \
	--mail "$DEMO_MAIL" --no-dkim --template "$tmp/own.mustache" -o "$tmp/t.tar.gz"
assert_status 0 "pack --template with hostile Message-IDs"
assert_eq "$(head -n 1 "$tmp/out")" "$(printf '\033[1mIP=203.0.113.7\033[0m')" \
	"own template: its own escapes are written"
assert_eq "$(sed -n 2p "$tmp/out")" "$(printf '\t<%s>' "$ID1_SHOWN")" "own template: the value escaped"
assert_eq "$(sed -n 3p "$tmp/out")" "$(printf '\t<%s>' "$ID2_SHOWN")" "own template: the bidi value escaped"
assert_eq "$(count_seq "$tmp/out" ' 1b')" 2 "own template: no ESC but its own two"

# --- A hostile SpamIp field: refused, and the message shows it escaped. ---
cat >"$tmp/bad-state.json" <<'EOF'
{"date": "2026-11-20T14:32:07+01:00", "ipSpamming": "203.0.113.7",
 "state": "\u001b]52;c;ZXZpbA==\u0007\u202e\ufeff", "time": 3600}
EOF
run pack --spam-ip-json "$tmp/bad-state.json" -o "$tmp/bad.tar.gz"
assert_status 65 "a SpamIp state with escapes is refused"
assert_in "$tmp/err" "got '\\x1b]52;c;ZXZpbA==\\x07<U+202E><U+FEFF>'" "SpamIp: the state shown escaped"
assert_clean "$tmp/err" "SpamIp: the error"
assert_false "SpamIp: no bundle" test -e "$tmp/bad.tar.gz"

# --- A hostile alert e-mail. ---
{
	printf 'From: OVHcloud <noreply@ovh.net>\nSubject: Anti-spam alert\n'
	printf 'Date: Fri, 20 Nov 2026 13:32:07 +0000\nContent-Type: text/plain; charset=utf-8\n\n'
	printf 'Your IP 203.0.113.7 is sending spam.\n'
	printf 'Destination IP: 198.51.100.1 - Message-ID: m\033]52;c;ZXZpbA==\007\342\200\256x\033[2J@example.com - Spam score: 300\n'
	printf 'Destination IP: 198.51.100.2 - Message-ID: n\342\201\247gpj.exe\342\200\217@example.com - Spam score: 300\n'
} >"$tmp/alert.eml"
AID1='m\x1b]52;c;ZXZpbA==\x07<U+202E>x\x1b[2J@example.com'
AID2='n<U+2067>gpj.exe<U+200F>@example.com'
# No store holds these ids: nothing found is status 1, no bundle, and the
# warnings that say so are clean too; --allow-empty gives the ticket.
run pack --alert "$tmp/alert.eml" --mail "$DEMO_MAIL" --no-dkim -o "$tmp/a.tar.gz"
assert_status 1 "pack --alert with hostile Message-IDs, nothing found"
assert_clean "$tmp/err" "alert, nothing found: the warnings"
assert_in "$tmp/err" "fpkit: warning: not found: <$AID1>" "alert, nothing found: the id escaped"
run pack --alert "$tmp/alert.eml" --mail "$DEMO_MAIL" --no-dkim -o "$tmp/a.tar.gz" --allow-empty
assert_status 0 "pack --alert with hostile Message-IDs"
mkdir "$tmp/a"
tar -xzf "$tmp/a.tar.gz" -C "$tmp/a"
T="$tmp/a/$top/TICKET.txt"
assert_true "alert: the ticket printed is TICKET.txt" cmp -s "$tmp/out" "$T"
assert_clean "$tmp/out" "alert: the ticket printed"
assert_clean "$T" "alert: TICKET.txt"
assert_clean "$tmp/err" "alert: the warnings"
assert_in "$T" "Message-ID:      <$AID1>" "alert: the escaped id is in the ticket"
assert_in "$T" "Message-ID:      <$AID2>" "alert: the bidi id is in the ticket, escaped"
assert_true "alert: kept byte for byte in the bundle" cmp -s "$tmp/alert.eml" "$tmp/a/$top/alert/alert.eml"

run alert "$tmp/alert.eml"
assert_status 0 "fpkit alert on the hostile alert"
assert_clean "$tmp/out" "fpkit alert"
assert_in "$tmp/out" "Message-ID:      <$AID1>" "fpkit alert: the id escaped"
assert_in "$tmp/out" "Message-ID:      <$AID2>" "fpkit alert: the bidi id escaped"

# --- The same documents from the API (the fake one on loopback). ---
if [ -x "$FAKE_OVH" ]; then
	fakeapi_setup
	fakeapi_case "$tmp/data" 203.0.113.0/28 203.0.113.7 "$tmp/spam-ip.json" "$tmp/stats.json"
	fakeapi_case "$tmp/data" 203.0.113.0/28 203.0.113.8 "$tmp/bad-state.json"
	fakeapi_start "$tmp/data"
	fakeapi_env
	run pack --ip 203.0.113.7 --mail "$DEMO_MAIL" --no-dkim -o "$tmp/api.tar.gz"
	assert_status 0 "pack --ip: hostile Message-IDs from the API"
	assert_clean "$tmp/out" "API: the ticket printed"
	assert_clean "$tmp/err" "API: the warnings"
	assert_in "$tmp/out" "Message-ID:      <$ID1_SHOWN>" "API: the escaped id is in the ticket"
	assert_in "$tmp/out" "Message-ID:      <$ID2_SHOWN>" "API: the bidi id is in the ticket, escaped"
	run pack --ip 203.0.113.8 -o "$tmp/api-bad.tar.gz"
	assert_status 76 "pack --ip: the API's SpamIp state with escapes is refused"
	assert_in "$tmp/err" "got '\\x1b]52;c;ZXZpbA==\\x07<U+202E><U+FEFF>'" "API: the state shown escaped"
	assert_clean "$tmp/err" "API: the error"
	assert_true "the fake API stops cleanly" fakeapi_stop
else
	echo "# no fake-ovh built: the API part is skipped"
fi

finish
