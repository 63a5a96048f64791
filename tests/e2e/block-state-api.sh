#!/bin/sh
# Against the fake OVH API: scan's table says "can be unblocked" once a
# block's time is over, and its JSON says so too (can_be_unblocked,
# besides the numbers); scan --archive says
# per event which Message-IDs were not found, lists them as "missing" in
# index.jsonl, and exits 1 when an event is archived with none found.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
fakeapi_setup

BLOCK=203.0.113.0/28
IP7=203.0.113.7
IP9=203.0.113.9
D=$tmp/data
# 203.0.113.9: its block time long over; 203.0.113.7: one that lasts
# until 2099.
printf '{"date":"2020-01-02T10:00:00+01:00","ipSpamming":"%s","state":"blockedForSpam","time":3600}\n' \
	"$IP9" >"$tmp/spamip9.json"
printf '{"date":"2099-01-02T10:00:00+01:00","ipSpamming":"%s","state":"blockedForSpam","time":3600}\n' \
	"$IP7" >"$tmp/spamip7.json"
fakeapi_case "$D" "$BLOCK" "$IP7" "$tmp/spamip7.json" "$DEMO_STATS"
fakeapi_case "$D" "$BLOCK" "$IP9" "$tmp/spamip9.json" "$DEMO_STATS"
fakeapi_start "$D"
fakeapi_env

run scan --rate 100000
assert_status 0 "scan: the table"
assert_true "a block whose time is over can be unblocked" grep -qE \
	"^$BLOCK  $IP9  blockedForSpam  2020-01-02 09:00:00  can be unblocked\$" "$tmp/out"
assert_true "a block still running shows what is left" grep -qE \
	"^$BLOCK  $IP7  blockedForSpam  2099-01-02 09:00:00  [0-9]+d" "$tmp/out"
assert_not_in "$tmp/out" " 0s" "no '0s' left"
run scan --json --rate 100000
assert_status 0 "scan --json"
assert_eq "$(jq -r '.[] | select(.ip == "'$IP9'") | "\(.time) \(.blocked_until)"' "$tmp/out")" \
	"3600 2020-01-02T10:00:00Z" "--json: the numbers as they were"
assert_eq "$(jq -r '.[] | "\(.ip) \(.can_be_unblocked)"' "$tmp/out" | tr '\n' ' ')" \
	"$IP7 false $IP9 true " "--json: can_be_unblocked, as the table says"

# The archive: 203.0.113.9's messages are in the store but one, those of
# 203.0.113.7 (other ids) none at all.
jq '.[0].detectedSpams |= map(.messageId = "other-" + .messageId)' "$DEMO_STATS" >"$tmp/stats7.json"
fakeapi_case "$D" "$BLOCK" "$IP7" "$tmp/spamip7.json" "$tmp/stats7.json"
fakeapi_start "$D"
fakeapi_env
A=$tmp/archive
run scan --archive "$A" --mail "$DEMO_MAIL" --no-dkim --rate 100000
assert_status 1 "an event archived with nothing found: status 1"
B7=fpkit-$IP7-20990102T090000Z.tar.gz
B9=fpkit-$IP9-20200102T090000Z.tar.gz
assert_eq "$(cat "$tmp/out")" "$A/$B7
$A/$B9" "both events archived all the same"
assert_eq "$(jq -r 'select(.ip == "'$IP9'") | .missing | join(" ")' "$A/index.jsonl")" \
	"20261120132821.7A3D5C0B40@web1.shop.example.com" "index: the one id not found"
assert_eq "$(jq -r 'select(.ip == "'$IP7'") | .missing | length' "$A/index.jsonl")" 3 \
	"index: all three ids of the event with nothing found"
assert_eq "$(jq -r 'keys_unsorted | join(" ")' "$A/index.jsonl" | sort -u)" \
	"ip block date bundle sha256 archived_at missing host" "the index keys, in order"
assert_in "$tmp/err" "fpkit: warning: archive: $IP9 blocked at 2020-01-02T09:00:00Z: not found: <20261120132821.7A3D5C0B40@web1.shop.example.com>" \
	"stderr: the id not found, by event"
assert_in "$tmp/err" "fpkit: warning: archive: $IP7 blocked at 2099-01-02T09:00:00Z: not found: <other-order-10482.1795180980.7d1e@shop.example.com>" \
	"stderr: the ids of the event with nothing found"
assert_in "$tmp/err" "fpkit: archive: $IP7 blocked at 2099-01-02T09:00:00Z: nothing found: the bundle holds no message" \
	"stderr: the event with nothing found"
assert_in "$tmp/err" "fpkit: archive '$A': 1 event archived with none of its messages found: check the --mail paths" \
	"stderr: the count of events without evidence"
run verify "$A/$B7"
assert_status 0 "the bundle without evidence is a valid bundle"

# The next run: nothing new, status 0, nothing said.
run scan --archive "$A" --mail "$DEMO_MAIL" --no-dkim --rate 100000
assert_status 0 "second run: status 0"
assert_eq "$(wc -c <"$tmp/err")" 0 "second run: nothing on stderr"

# A bundle the index does not list is adopted with its missing ids.
grep -v "$IP9" "$A/index.jsonl" >"$A/index.new"
mv "$A/index.new" "$A/index.jsonl"
run scan --archive "$A" --mail "$DEMO_MAIL" --no-dkim --rate 100000
assert_status 0 "adoption: status 0"
assert_eq "$(jq -r 'select(.ip == "'$IP9'") | .missing | join(" ")' "$A/index.jsonl")" \
	"20261120132821.7A3D5C0B40@web1.shop.example.com" "adoption: the missing id read from the bundle"

assert_true "the fake server stops cleanly" fakeapi_stop
finish
