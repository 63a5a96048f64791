#!/bin/sh
# fpkit pack against the fake OVH API: the calls it makes, encoded and
# signed; the bundle is the one packed from saved JSON of the same bytes;
# --save-api; saved JSON wins over the API; the server's clock; the
# answers it refuses.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
fakeapi_setup

BLOCK=203.0.113.0/28
IP=203.0.113.7
EB=203.0.113.0%2F28
D=$tmp/data
fakeapi_case "$D" "$BLOCK" "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
fakeapi_start "$D"
fakeapi_env

# urls: the URLs the server received, one line each.
urls() { jq -r .url "$FAKE_LOG"; }

mkdir "$tmp/live" "$tmp/saved" "$tmp/api"
cd "$tmp/live"
run pack --ip "$IP" --mail "$DEMO_MAIL" --save-api "$tmp/api"
cd "$tmp"
assert_status 0 "pack from the API"
assert_true "the bundle has its usual name" test -f "$tmp/live/$DEMO_BUNDLE"
assert_in "$tmp/out" "Subject: False positive: anti-spam block of 203.0.113.7" "the ticket is printed"
cat >"$tmp/want" <<EOF
/1.0/auth/time
/1.0/ip?ip=$IP
/1.0/ip/$EB/spam/$IP
/1.0/ip/$EB/spam/$IP/stats?from=2026-11-19T13%3A32%3A07%2B00%3A00&to=2026-11-20T14%3A32%3A07%2B00%3A00
/1.0/me
EOF
urls >"$tmp/got"
assert_true "the time, the block, the SpamIp, the stats from 24 h before to 1 h after, the account" \
	cmp -s "$tmp/got" "$tmp/want"
assert_eq "$(jq -r .status "$FAKE_LOG" | sort -u)" 200 "every call signed right (all 200)"

# The answers went into the bundle and --save-api byte for byte.
mkdir "$tmp/x"
tar -xzf "$tmp/live/$DEMO_BUNDLE" -C "$tmp/x"
top=${DEMO_BUNDLE%.tar.gz}
assert_true "api/spam-ip.json is the served bytes" cmp -s "$DEMO_SPAMIP" "$tmp/x/$top/api/spam-ip.json"
assert_true "api/stats.json is the served bytes" cmp -s "$DEMO_STATS" "$tmp/x/$top/api/stats.json"
assert_true "--save-api spam-ip.json is the served bytes" cmp -s "$DEMO_SPAMIP" "$tmp/api/spam-ip.json"
assert_true "--save-api stats.json is the served bytes" cmp -s "$DEMO_STATS" "$tmp/api/stats.json"
assert_eq "$(stat -c %a "$tmp/api/spam-ip.json") $(stat -c %a "$tmp/api/stats.json")" "600 600" \
	"saved answers have mode 0600"
assert_eq "$(jq -r .block "$tmp/x/$top/summary.json")" "$BLOCK" "summary.json has the block found"

# The ticket is signed with the account's NIC handle (GET /me).
assert_eq "$(tail -n 2 "$tmp/x/$top/TICKET.txt")" "$(printf 'Regards,\n%s (NIC handle)' "$FAKE_NIC")" \
	"the ticket closes with the NIC handle of GET /me"
assert_not_in "$tmp/x/$top/TICKET.txt" "[your name" "no placeholder with the API"
assert_not_in "$tmp/x/$top/summary.json" "$FAKE_NIC" "the NIC handle is the ticket's, not summary.json's"

# The same case from the saved answers: the same bundle but for the
# ticket's closing (no API, no NIC handle: a placeholder to fill).
n=$(wc -l <"$FAKE_LOG")
cd "$tmp/saved"
run pack --spam-ip-json "$tmp/api/spam-ip.json" --stats-json "$tmp/api/stats.json" \
	--block "$BLOCK" --mail "$DEMO_MAIL"
cd "$tmp"
assert_status 0 "pack from the saved answers"
mkdir "$tmp/y"
tar -xzf "$tmp/saved/$DEMO_BUNDLE" -C "$tmp/y"
assert_eq "$(cd "$tmp/x" && find . | sort)" "$(cd "$tmp/y" && find . | sort)" \
	"the same files as from the API"
assert_true "the API's bundle checks" sh -c "cd '$tmp/x/$top' && sha256sum -c --quiet SHA256SUMS"
# REPORT.html holds the ticket, signed only from the API.
assert_eq "$(grep -v -e ' TICKET.txt$' -e ' REPORT.html$' "$tmp/x/$top/SHA256SUMS")" \
	"$(grep -v -e ' TICKET.txt$' -e ' REPORT.html$' "$tmp/y/$top/SHA256SUMS")" \
	"every file but TICKET.txt and REPORT.html the same, byte for byte"
assert_eq "$(sed '/<pre class="ticket">/,/<\/pre>/d' "$tmp/x/$top/REPORT.html")" \
	"$(sed '/<pre class="ticket">/,/<\/pre>/d' "$tmp/y/$top/REPORT.html")" \
	"and the two pages differ only in the ticket"
diff "$tmp/x/$top/TICKET.txt" "$tmp/y/$top/TICKET.txt" | grep '^[<>]' >"$tmp/tdiff" || :
assert_eq "$(cat "$tmp/tdiff")" "$(printf '< %s (NIC handle)\n> [your name / NIC handle]' "$FAKE_NIC")" \
	"the tickets differ by the closing alone"
assert_eq "$(wc -l <"$FAKE_LOG")" "$n" "saved JSON wins: no request with credentials set"

# In French too.
cd "$tmp/live"
run pack --ip "$IP" --mail "$DEMO_MAIL" --lang fr -o "$tmp/fr.tar.gz"
cd "$tmp"
assert_status 0 "pack from the API, in French"
assert_eq "$(tail -n 2 "$tmp/out")" "$(printf 'Cordialement,\n%s (identifiant client OVHcloud)' "$FAKE_NIC")" \
	"fr: the ticket closes with the NIC handle"

# GET /me refused (a key without that right), missing, or not an
# account: a warning, the placeholder, and the bundle all the same.
for how in forbidden missing bad; do
	case $how in
	forbidden) fakeapi_start "$D" --fault "forbidden:/me" ;;
	missing) mv "$D/me.json" "$D/me.json.away" && fakeapi_start "$D" ;;
	bad) printf '{"nichandle":"fk1 2"}' >"$D/me.json" && fakeapi_start "$D" ;;
	esac
	fakeapi_env
	run pack --ip "$IP" --mail "$DEMO_MAIL" -o "$tmp/me-$how.tar.gz"
	assert_status 0 "GET /me $how: packed all the same"
	assert_in "$tmp/err" "fpkit: warning: the account's NIC handle could not be read (GET /me: " \
		"GET /me $how: a warning that names the call"
	assert_in "$tmp/err" "the ticket's closing is left for you to fill" "GET /me $how: what it costs"
	assert_eq "$(tail -n 1 "$tmp/out")" "[your name / NIC handle]" "GET /me $how: the placeholder"
	assert_true "GET /me $how: the bundle is written" test -f "$tmp/me-$how.tar.gz"
	case $how in
	missing) mv "$D/me.json.away" "$D/me.json" ;;
	bad) rm "$D/me.json" && fakeapi_case "$D" "$BLOCK" "$IP" "$DEMO_SPAMIP" "$DEMO_STATS" ;;
	esac
done
assert_in "$tmp/err" "the nichandle holds a character a NIC handle does not" "a bad handle: why"
fakeapi_start "$D"
fakeapi_env

# --block: no GET /ip?ip=; --from/--to: the window, in UTC, encoded.
: >"$FAKE_LOG"
run pack --ip "$IP" --block "$BLOCK" --from 2026-11-20T10:00:00+01:00 \
	--to 2026-11-20T15:00:00Z -o "$tmp/o1.tar.gz"
assert_status 0 "pack with --block, --from and --to"
cat >"$tmp/want" <<EOF
/1.0/auth/time
/1.0/ip/$EB/spam/$IP
/1.0/ip/$EB/spam/$IP/stats?from=2026-11-20T09%3A00%3A00%2B00%3A00&to=2026-11-20T15%3A00%3A00%2B00%3A00
/1.0/me
EOF
urls >"$tmp/got"
assert_true "no block lookup; the window asked for" cmp -s "$tmp/got" "$tmp/want"

# Several blocks hold the IP: the smallest is the one; a smaller block
# beside them that does not hold it (.16/29) is not.
jq -c '. + ["203.0.113.0/24", "203.0.112.0/23", "203.0.113.16/29"]' "$D/ip.json" >"$D/ip.new" &&
	mv "$D/ip.new" "$D/ip.json"
: >"$FAKE_LOG"
run pack --ip "$IP" -o "$tmp/o2.tar.gz" --json
assert_status 0 "pack with three blocks holding the IP"
assert_eq "$(jq -r .block "$tmp/out")" "$BLOCK" "the smallest block is taken"
# The same when the answer lists every block whatever ?ip= asked (a
# proxy that drops the query): fpkit checks that the block holds the IP.
fakeapi_start "$D" --fault "unfiltered:/ip?"
fakeapi_env
run pack --ip "$IP" -o "$tmp/o2b.tar.gz" --json
assert_status 0 "pack when GET /ip?ip= lists every block"
assert_eq "$(jq -r .block "$tmp/out")" "$BLOCK" "of every block listed, the smallest that holds the IP is taken"
fakeapi_start "$D"
fakeapi_env

# The server's clock is an hour ahead: the time delta covers it.
fakeapi_start "$D" --skew 3600
fakeapi_env
run pack --ip "$IP" -o "$tmp/o3.tar.gz"
assert_status 0 "a server clock one hour ahead"

# The timestamp is refused all the same (here: an answer slower than the
# server's window): the message says so.
fakeapi_start "$D" --window 1 --fault "slow:2:/ip/$EB/spam/$IP\$"
fakeapi_env
mkdir "$tmp/o"
run pack --ip "$IP" --block "$BLOCK" -o "$tmp/o"
assert_status 77 "a refused timestamp"
assert_in "$tmp/err" "fpkit: GET /ip/$EB/spam/$IP: 400 Invalid timestamp (INVALID_TIMESTAMP, query id EU.ext-" \
	"the API's refusal is quoted"
assert_in "$tmp/err" "the API refused the request's timestamp, although it was set by the API's own clock" \
	"the message says the timestamp was refused despite the delta"
no_leftovers "$tmp/o" "refused timestamp: nothing written"

# An IP that no block of the account holds.
fakeapi_start "$D"
fakeapi_env
run pack --ip 198.51.100.9 -o "$tmp/o"
assert_status 66 "an IP in no block"
assert_in "$tmp/err" "fpkit: no IP block of the account holds 198.51.100.9 (GET /ip?ip=198.51.100.9)" \
	"no block: said so"

# An IP of the block the anti-spam does not know: the API's 404.
run pack --ip 203.0.113.8 -o "$tmp/o"
assert_status 66 "an IP without an anti-spam record"
assert_in "$tmp/err" "fpkit: GET /ip/$EB/spam/203.0.113.8: 404 " "the 404 is quoted"
assert_in "$tmp/err" "is 203.0.113.8 blocked for spam?" "and explained"
no_leftovers "$tmp/o" "404: nothing written"

# An answer that is JSON but not the model: the API's fault, named.
printf '{"date":"2026-11-20T14:32:07+01:00","ipSpamming":"203.0.113.9","state":"blockedForSpam"}' \
	>"$tmp/notime.json"
fakeapi_case "$D" "$BLOCK" 203.0.113.9 "$tmp/notime.json" "$DEMO_STATS"
run pack --ip 203.0.113.9 -o "$tmp/o"
assert_status 76 "a SpamIp answer without 'time'"
assert_in "$tmp/err" "'GET /ip/$EB/spam/203.0.113.9' is not a valid SpamIp object: field 'time': missing" \
	"the call and the field are named"
no_leftovers "$tmp/o" "invalid answer: nothing written"

# --save-api into a folder that does not exist.
run pack --ip "$IP" -o "$tmp/o" --save-api "$tmp/nowhere"
assert_status 73 "--save-api into a missing folder"
assert_in "$tmp/err" "--save-api '$tmp/nowhere' is not a folder fpkit can write into" "the folder is named"
no_leftovers "$tmp/o" "missing --save-api folder: nothing written"

# A /32 block (an additional IP routed alone): given with --block, it is
# the block of the path, encoded, with no lookup; found by GET /ip, it is
# the smallest of the blocks holding the IP; the ticket names it.
fakeapi_case "$D" 203.0.113.7/32 "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
fakeapi_start "$D"
fakeapi_env
run pack --ip "$IP" --block 203.0.113.7/32 -o "$tmp/o32.tar.gz" --json
assert_status 0 "pack with --block A/32"
assert_eq "$(urls | sed -n '2,3p' | sed 's/?.*//' | tr '\n' ' ')" \
	"/1.0/ip/203.0.113.7%2F32/spam/$IP /1.0/ip/203.0.113.7%2F32/spam/$IP/stats " \
	"--block A/32: the /32 is the path's block, encoded; no lookup"
assert_eq "$(jq -r .block "$tmp/out")" 203.0.113.7/32 "--block A/32: summary.json's block"
tar -xzOf "$tmp/o32.tar.gz" --wildcards '*/TICKET.txt' >"$tmp/t32"
assert_in "$tmp/t32" "IP address 203.0.113.7 (block 203.0.113.7/32)." "--block A/32: the ticket names the block"
run pack --ip "$IP" -o "$tmp/o32b.tar.gz" --json
assert_status 0 "pack with a /32 among the blocks"
assert_eq "$(jq -r .block "$tmp/out")" 203.0.113.7/32 "the /32 is the smallest block holding the IP"
run pack --ip 203.0.113.6 --block 203.0.113.7/32 -o "$tmp/o"
assert_status 64 "--block A/32 with another address"
assert_in "$tmp/err" "203.0.113.6 is not inside block 203.0.113.7/32" "--block A/32: only A is inside"
no_leftovers "$tmp/o" "--block A/32 with another address: nothing written"

assert_true "the fake server stops cleanly" fakeapi_stop
finish
