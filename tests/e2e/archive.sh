#!/bin/sh
# fpkit scan --archive against the fake OVH API: each block event
# archived exactly once (a second run creates nothing and asks only what
# the scan asks), a new block date gives a second bundle, the bundle is
# the one fpkit pack makes, modes 0700/0600 (under umask 0277 too), one
# failed event does not stop the others, an existing file is never
# replaced, a folder others can write is refused (unless
# --archive-unsafe-ok), a bundle the index does not list is adopted only
# when it passes 'fpkit verify', usage errors, and an unreachable API
# writes nothing.
# archive-crash.sh has the lock and the stopped runs.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
. "$E2E/archive-lib.sh"
: "${TARMK:?run the tests through 'make check'}"

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
	"ip block date bundle sha256 archived_at missing host" "the index keys, in order (host: the writing host, --host)"
assert_true "archived_at is a UTC time" sh -c \
	"jq -r .archived_at '$A/index.jsonl' | grep -qxE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'"
for b in "$B5" "$B7" "$B9"; do
	run verify "$A/$b"
	assert_status 0 "verify $b"
done
assert_eq "$(calls_to stats)" 3 "the stats of each event are fetched"
assert_eq "$(calls_to '/me$')" 1 "the account is asked once for the run"
assert_eq "$(tar -xzOf "$A/$B7" "${B7%.tar.gz}/TICKET.txt" | tail -n 1)" "$FAKE_NIC (NIC handle)" \
	"the tickets are signed with the account's NIC handle"
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
assert_in "$tmp/err" "'$B5' fails 'fpkit verify': left alone, not listed in the index: " \
	"it is reported"
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

# A folder others than root and this user can write: refused before
# anything is written or asked, unless --archive-unsafe-ok says so.
# unsafe DIR WHAT: the run into DIR is refused, and says WHAT.
unsafe() {
	: >"$FAKE_LOG"
	archive "$1"
	assert_status 73 "folder $2: refused"
	assert_in "$tmp/err" "fpkit: archive: folder '$1' $2: other users could plant or replace files there" \
		"folder $2: says why"
	assert_in "$tmp/err" "give --archive-unsafe-ok" "folder $2: says what to do"
	assert_eq "$(ls -A "$1")" "" "folder $2: nothing written"
	assert_eq "$(wc -l <"$FAKE_LOG")" 0 "folder $2: no request made"
}
W=$tmp/shared
mkdir "$W"
chmod 0777 "$W"
unsafe "$W" "can be written by its group and others (mode 0777)"
chmod 0770 "$W"
unsafe "$W" "can be written by its group (mode 0770)"
chmod 0702 "$W"
unsafe "$W" "can be written by others (mode 0702)"
chmod 1777 "$W"
unsafe "$W" "can be written by its group and others (mode 1777)"
archive "$W" --archive-unsafe-ok
assert_status 0 "folder mode 1777 with --archive-unsafe-ok: archived"
assert_eq "$(index_names "$W")" "$B5 $B7 $B9" "--archive-unsafe-ok: every event archived"
assert_eq "$(stat -c %a "$W")" 1777 "--archive-unsafe-ok: the folder's mode is left as it was"
chmod 0755 "$W"
archive "$W"
assert_status 0 "the same folder, mode 0755: taken"
# Owned by another user: root alone can give a folder away.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	O=$tmp/others
	mkdir -m 700 "$O"
	chown nobody "$O"
	unsafe "$O" "belongs to user 'nobody' (uid $(id -u nobody)), who is neither root nor you"
	chmod 0777 "$O"
	unsafe "$O" "belongs to user 'nobody' (uid $(id -u nobody)), who is neither root nor you, and can be written by its group and others (mode 0777)"
	chmod 0700 "$O"
	archive "$O" --archive-unsafe-ok
	assert_status 0 "a folder of nobody's with --archive-unsafe-ok: archived"
else
	printf '# not root, or no user nobody: a folder of another user is not tested\n'
fi

# A file named like a bundle that the index does not list (planted by
# someone who could write there, or damaged) is added to the index only
# when it passes 'fpkit verify' and its top folder is named after it.
# plant DIR NAME [CHANGE]: the demo event's bundle under the top folder
# and file name NAME, made with tar, after CHANGE (a shell command run in
# its top folder).
plant() {
	rm -rf "$tmp/pl"
	mkdir "$tmp/pl"
	tar -xzf "$A/$B7" -C "$tmp/pl"
	mv "$tmp/pl/${B7%.tar.gz}" "$tmp/pl/$2"
	if [ -n "${3:-}" ]; then (cd "$tmp/pl/$2" && eval "$3"); fi
	(cd "$tmp/pl" && tar -czf "$1/$2.tar.gz" "$2")
}
P=$tmp/planted
OTHER=fpkit-192.0.2.1-20260101T000000Z
archive "$P"
assert_status 0 "planted: the first run"
plant "$P" "$OTHER"
archive "$P"
assert_in "$tmp/err" "'$OTHER.tar.gz' was not in the index (a run was stopped before listing it): added" \
	"planted: a sound bundle is adopted"
assert_true "planted: the index matches the bundles" index_matches "$P"
rm "$P/$OTHER.tar.gz"
archive "$P"
plant "$P" "$OTHER" "printf x >>TICKET.txt"
archive "$P"
assert_status 0 "planted: a changed bundle beside"
assert_in "$tmp/err" "archive '$P': '$OTHER.tar.gz' fails 'fpkit verify': left alone, not listed in the index: TICKET.txt: SHA-256 does not match SHA256SUMS: the file was changed" \
	"planted: a changed bundle is not adopted, and the warning says why"
assert_eq "$(index_names "$P")" "$B5 $B7 $B9" "planted: the changed bundle is not in the index"
printf '{"block": "192.0.2.0/24"}' >"$tmp/summary.json"
rm "$P/$OTHER.tar.gz"
"$TARMK" "$P/$OTHER.tar.gz" "d:$OTHER" "f:$OTHER/summary.json=$tmp/summary.json"
cp "$P/$OTHER.tar.gz" "$tmp/planted.tar.gz"
archive "$P"
assert_in "$tmp/err" "'$OTHER.tar.gz' fails 'fpkit verify': left alone, not listed in the index: SHA256SUMS: missing" \
	"planted: a summary.json alone is not adopted"
assert_eq "$(index_names "$P")" "$B5 $B7 $B9" "planted: the summary.json alone is not in the index"
assert_true "planted: the file is left as it was" cmp -s "$tmp/planted.tar.gz" "$P/$OTHER.tar.gz"
rm "$P/$OTHER.tar.gz"
plant "$P" "fpkit-192.0.2.2-20260101T000000Z"
mv "$P/fpkit-192.0.2.2-20260101T000000Z.tar.gz" "$P/$OTHER.tar.gz"
archive "$P"
assert_in "$tmp/err" "'$OTHER.tar.gz' is not named after its top folder 'fpkit-192.0.2.2-20260101T000000Z': left alone, not listed in the index" \
	"planted: a sound bundle under another name is not adopted"
assert_eq "$(index_names "$P")" "$B5 $B7 $B9" "planted: nor listed"

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
run scan --archive-unsafe-ok
assert_status 64 "--archive-unsafe-ok without --archive"
assert_in "$tmp/err" "--no-dkim and --archive-unsafe-ok go with --archive DIR" "said so"
assert_false "usage errors create nothing" test -e "$tmp/u"
run scan --archive "$tmp/nowhere/deeper"
assert_status 73 "a folder whose parent is missing"

# An index that is a symbolic link is never read nor replaced: the run
# stops before any event, and the file it points at is unchanged.
L=$tmp/linked
mkdir -m 700 "$L"
printf '{"bundle":"%s"}\n' "$B7" >"$tmp/elsewhere.jsonl"
ln -s "$tmp/elsewhere.jsonl" "$L/index.jsonl"
archive "$L"
assert_status 73 "an index that is a symbolic link"
assert_in "$tmp/err" "fpkit: archive: '$L/index.jsonl' is a symbolic link: move it away" "said so"
assert_eq "$(cat "$tmp/elsewhere.jsonl")" "{\"bundle\":\"$B7\"}" "the file it points at is unchanged"
assert_true "the index is still the link" test -L "$L/index.jsonl"
assert_false "no bundle written" test -e "$L/$B7"

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
