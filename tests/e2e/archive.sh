#!/bin/sh
# fpkit scan --archive against the fake OVH API: each block event
# archived exactly once (a second run creates nothing and asks only what
# the scan asks), a new block date gives a second bundle, the bundle is
# the one fpkit pack makes, modes 0700/0600 (under umask 0277 too), one
# failed event does not stop the others, an existing file is never
# replaced, usage errors, and an unreachable API writes nothing.
# archive-crash.sh has the lock and the stopped runs.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
. "$E2E/archive-lib.sh"

# The first run: three events, three bundles, three lines.
A=$tmp/archive
umask 022
archive "$A"
assert_status 0 "first run"
assert_eq "$(cat "$tmp/out")" "$A/$B5
$A/$B7
$A/$B9" "each bundle written is printed, in scan order"
assert_in "$tmp/err" "fpkit: archive '$A': 3 events: 3 archived, 0 already there, 0 failed" \
	"the count"
assert_eq "$(index_names "$A")" "$B5 $B7 $B9" "one index line per event"
assert_eq "$(stat -c %a "$A")" 700 "the folder is created 0700"
assert_eq "$(stat -c '%a' "$A/$B5" "$A/$B7" "$A/$B9" "$A/index.jsonl" "$A/.lock" | sort -u)" 600 \
	"bundles, index and lock are 0600"
assert_true "the index matches the bundles" index_matches "$A"
assert_eq "$(jq -r 'select(.bundle == "'"$B7"'") | [.ip, .block, .date] | join(" ")' "$A/index.jsonl")" \
	"$IP7 $BLOCK 2026-11-20T13:32:07Z" "an index line: ip, block, date in UTC"
assert_eq "$(jq -r 'keys_unsorted | join(" ")' "$A/index.jsonl" | sort -u)" \
	"ip block date bundle sha256 archived_at" "the index keys, in order"
assert_true "archived_at is a UTC time" sh -c \
	"jq -r .archived_at '$A/index.jsonl' | grep -qxE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'"
for b in "$B5" "$B7" "$B9"; do
	run verify "$A/$b"
	assert_status 0 "verify $b"
done
assert_eq "$(calls_to stats)" 3 "the stats of each event are fetched"
assert_eq "$(calls_to "spam/$IP7\$")" 1 "the SpamIp object is the scan's: asked once"

# The bundle is the one fpkit pack makes of the same event.
mkdir "$tmp/p"
run pack --ip "$IP7" --mail "$DEMO_MAIL" --no-dkim -o "$tmp/p"
assert_status 0 "fpkit pack on the same event"
assert_true "archive and pack give the same bundle, byte for byte" cmp -s "$tmp/p/$B7" "$A/$B7"

cp "$A/index.jsonl" "$tmp/index1"

# The second run: nothing created, nothing changed, no request beyond
# the scan's.
snapshot "$A" >"$tmp/snap1"
: >"$FAKE_LOG"
archive "$A"
assert_status 0 "second run"
assert_eq "$(wc -c <"$tmp/out")" 0 "second run: nothing printed on stdout"
assert_eq "$(wc -c <"$tmp/err")" 0 "second run: nothing on stderr (cron mails nothing)"
snapshot "$A" >"$tmp/snap2"
assert_true "second run: every file as it was (names, sizes, bytes, times)" \
	cmp -s "$tmp/snap1" "$tmp/snap2"
jq -r .url "$FAKE_LOG" | sed 's/?.*//' | sort >"$tmp/got"
cat >"$tmp/want" <<EOF
/1.0/auth/time
/1.0/ip
/1.0/ip/$EB5/spam
/1.0/ip/$EB5/spam/$IP5
/1.0/ip/$EB/spam
/1.0/ip/$EB/spam/$IP7
/1.0/ip/$EB/spam/$IP9
EOF
assert_true "second run: the scan's requests and no other" cmp -s "$tmp/got" "$tmp/want"

# A new block date for the same IP: a second bundle for it.
sed 's/2026-11-20T14:32:07+01:00/2026-11-22T09:15:00+01:00/' "$DEMO_SPAMIP" >"$tmp/again.json"
fakeapi_case "$D" "$BLOCK" "$IP7" "$tmp/again.json" "$DEMO_STATS"
B7b=fpkit-$IP7-20261122T081500Z.tar.gz
archive "$A"
assert_status 0 "run after a new block of the same IP"
assert_eq "$(cat "$tmp/out")" "$A/$B7b" "only the new event is archived"
assert_eq "$(index_names "$A")" "$B5 $B7 $B7b $B9" "its line is added"
snapshot "$A" | grep -F "$B7 " >"$tmp/a2"
assert_eq "$(cat "$tmp/a2")" "$(grep -F "$B7 " "$tmp/snap1")" "the first bundle of that IP is untouched"
assert_true "the index matches the bundles" index_matches "$A"
assert_eq "$(head -n 3 "$A/index.jsonl")" "$(cat "$tmp/index1")" "the earlier lines are unchanged"
fakeapi_case "$D" "$BLOCK" "$IP7" "$DEMO_SPAMIP" "$DEMO_STATS"

# One event fails (its stats refused): the others are archived, the run
# says which failed and ends with the API's status; the next run
# archives it.
F=$tmp/fail
fakeapi_start "$D" --fault "forbidden:/ip/$EB/spam/$IP9/stats"
fakeapi_env
archive "$F"
assert_status 77 "one event refused"
assert_eq "$(index_names "$F")" "$B5 $B7" "the other events are archived"
assert_in "$tmp/err" "fpkit: archive: $IP9 blocked at 2026-11-21T07:00:00Z: GET /ip/$EB/spam/$IP9/stats" \
	"the failed event is named, with the API's answer"
assert_in "$tmp/err" "fpkit: scan: archive '$F': 1 of 3 events could not be archived" \
	"and the run says so"
assert_false "no bundle for the failed event" test -e "$F/$B9"
assert_eq "$(ls -A "$F" | grep -c '^\.fpkit')" 0 "no temporary file left"
fakeapi_start "$D"
fakeapi_env
archive "$F"
assert_status 0 "the next run"
assert_eq "$(cat "$tmp/out")" "$F/$B9" "archives the event that failed"
assert_true "the index matches the bundles" index_matches "$F"

# A file already under a bundle's name is never replaced.
E=$tmp/existing
mkdir -m 700 "$E"
printf 'not a bundle\n' >"$E/$B5"
archive "$E"
assert_status 73 "a file in the way"
assert_eq "$(cat "$E/$B5")" "not a bundle" "the file is untouched"
assert_in "$tmp/err" "'$B5' is not a bundle fpkit can read: left alone" "it is reported"
assert_in "$tmp/err" "fpkit: archive: $IP5 blocked at 2026-11-19T09:00:00Z: '$E/$B5' already exists and is not in the index" \
	"its event fails, and says why"
assert_eq "$(index_names "$E")" "$B7 $B9" "the other events are archived"

# Under umask 0277, where mkdir and open alone would give 0500 and 0400
# (and the next run could not open the lock or the index to write): the
# folder is 0700 and the files 0600 all the same, and a second run
# appends.  (As root, a 0400 file can still be written: the modes tell.)
K=$tmp/umask
(umask 277; archive "$K"; echo "$status" >"$tmp/status")
status=$(cat "$tmp/status")
assert_status 0 "umask 0277: first run"
assert_eq "$(stat -c %a "$K")" 700 "umask 0277: the folder is created 0700"
assert_eq "$(stat -c '%a' "$K/$B5" "$K/$B7" "$K/$B9" "$K/index.jsonl" "$K/.lock" | sort -u)" 600 \
	"umask 0277: bundles, index and lock are 0600"
fakeapi_case "$D" "$BLOCK" "$IP7" "$tmp/again.json" "$DEMO_STATS"
(umask 277; archive "$K"; echo "$status" >"$tmp/status")
status=$(cat "$tmp/status")
assert_status 0 "umask 0277: second run"
assert_eq "$(cat "$tmp/out")" "$K/$B7b" "umask 0277: the second run archives the new event"
assert_true "umask 0277: the index matches the bundles" index_matches "$K"
assert_eq "$(stat -c '%a' "$K" "$K/$B7b" "$K/index.jsonl" "$K/.lock" | tr '\n' ' ')" \
	"700 600 600 600 " "umask 0277: the modes after the second run"
fakeapi_case "$D" "$BLOCK" "$IP7" "$DEMO_SPAMIP" "$DEMO_STATS"

# Usage.
run scan --mail "$DEMO_MAIL"
assert_status 64 "--mail without --archive"
assert_in "$tmp/err" "go with --archive DIR" "said so"
run scan --archive "$tmp/u" --json
assert_status 64 "--json with --archive"
run scan --archive "$tmp/u" --before-block 0
assert_status 64 "--before-block 0"
run scan --archive "$tmp/u" --lang xx
assert_status 64 "--lang without a template"
run scan --archive "$tmp/u" --all-states
assert_status 64 "--all-states with --archive: unblocked addresses are no block events"
assert_in "$tmp/err" "--all-states and --archive do not go together" "said so"
assert_false "usage errors create nothing" test -e "$tmp/u"
run scan --archive "$tmp/nowhere/deeper"
assert_status 73 "a folder whose parent is missing"

# The API cannot be reached: a clear error, nothing written.
N=$tmp/unreachable
OVH_ENDPOINT=http://127.0.0.1:1/1.0
export OVH_ENDPOINT
run scan --archive "$N" --mail "$DEMO_MAIL" --retries 1
assert_status 69 "an unreachable API"
assert_in "$tmp/err" "fpkit: GET /auth/time: " "the error names the call"
assert_eq "$(ls -A "$N")" ".lock" "nothing written but the lock"
fakeapi_env

assert_true "the fake server stops cleanly" fakeapi_stop
finish
