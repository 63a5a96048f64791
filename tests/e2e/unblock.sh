#!/bin/sh
# fpkit unblock against the fake API: each guard rail refuses (with its
# message, its exit status and no POST) and lets a safe unblock through;
# the API's "still blocked for N seconds" whatever its status; --wait,
# --watch, --dry-run, --json; the record in the archive's index; and a
# write that is never doubled when its answer is lost or late.  The mail
# system is a fake Postfix on FPKIT_MTA_PATH here (unblock-postfix.sh
# has the real one).
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
fakeapi_setup

BLOCK=203.0.113.0/28
EB=203.0.113.0%2F28
IP=203.0.113.7
EARLY=203.0.113.8
SOON=203.0.113.9
now=$(date +%s)
# The reads of the state after a lost answer, 10 ms apart here.
FPKIT_UNBLOCK_REREAD_MS=10
export FPKIT_UNBLOCK_REREAD_MS
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S+00:00; }

# The data tree: the demo IP (blocked 2026-11-20T13:32:07Z for 3600 s,
# long past), one blocked for 3000 more seconds, one for 3 more (soon).
D=$tmp/data
fakeapi_case "$D" "$BLOCK" "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
printf '{"date":"%s","ipSpamming":"%s","state":"blockedForSpam","time":3600}\n' \
	"$(iso $((now - 600)))" "$EARLY" >"$tmp/early.json"
fakeapi_case "$D" "$BLOCK" "$EARLY" "$tmp/early.json"
# soon: SOON blocked for 3 more seconds from now (the file is read at
# each request).
soon() {
	printf '{"date":"%s","ipSpamming":"%s","state":"blockedForSpam","time":3600}\n' \
		"$(iso $(($(date +%s) - 3597)))" "$SOON" >"$tmp/soon.json"
	fakeapi_case "$D" "$BLOCK" "$SOON" "$tmp/soon.json"
}
soon

# The mail system: a fake Postfix whose tools print what $MTA_STATE says.
bin=$tmp/bin
mkdir "$bin"
for t in postconf postfix postqueue; do
	printf '#!/bin/sh\n. "%s/%s.do"\n' "$bin" "$t" >"$bin/$t"
	chmod 755 "$bin/$t"
done
# stopped: defer_transports = smtp, the master down, the queue empty.
mta_stopped() {
	printf 'printf "smtp\\nsmtp\\n\\n"\n' >"$bin/postconf.do"
	printf 'exit 1\n' >"$bin/postfix.do"
	printf ':\n' >"$bin/postqueue.do"
}
# sending: nothing deferred by configuration, the master up, two
# messages in the deferred queue.
mta_sending() {
	printf 'printf "\\nsmtp\\n\\n"\n' >"$bin/postconf.do"
	printf 'exit 0\n' >"$bin/postfix.do"
	printf 'cat "%s"\n' "$FIXTURES/queue/postfix/postqueue-j.out" >"$bin/postqueue.do"
}
FPKIT_MTA_PATH=$bin
export FPKIT_MTA_PATH
mta_stopped

# The evidence: the demo bundle, adopted by the archive's first open.
ARCH=$tmp/archive
mkdir -m 700 "$ARCH"
pack_demo -o "$ARCH"
assert_status 0 "the demo bundle, into the archive folder"
cp "$ARCH/$DEMO_BUNDLE" "$tmp/bundle.tar.gz"

# start DIR [ARGS...]: a fresh server (every IP as its file says),
# fpkit pointed at it.
start() {
	fakeapi_start "$@"
	fakeapi_env
}

# posts: the unblock POSTs the server got; wrote: those that took effect.
posts() { jq -s 'map(select(.method == "POST")) | length' "$FAKE_LOG"; }
wrote() { jq -s 'map(select(.wrote)) | length' "$FAKE_LOG"; }
j() { jq -c "$1" "$tmp/out"; }

start "$D"

# ---- the evidence ----
run unblock "$IP" --yes --json
assert_status 1 "no evidence given: refused"
assert_eq "$(j '[.refused_by, .posted]')" '["evidence",false]' "evidence: refused_by, nothing posted"
assert_in "$tmp/err" "fpkit: unblock: refused: no evidence of the block of 203.0.113.7 at 2026-11-20T13:32:07Z is known to be kept: give --archive DIR" \
	"evidence: what to give"
run unblock "$EARLY" --archive "$ARCH" --yes --json
assert_status 1 "an archive without this event's bundle: refused"
assert_true "another rail's refusal still tells the time left ($(j .remaining_seconds))" \
	test "$(j .remaining_seconds)" -gt 0
assert_in "$tmp/err" "archive '$ARCH' holds no bundle of the block of $EARLY" "evidence: the archive named"
assert_in "$tmp/err" "was not in the index" "the bundle put there by hand was adopted into the index"
run unblock "$IP" --bundle "$DEMO_SPAMIP" --yes
assert_status 1 "--bundle that is no bundle: refused"
assert_in "$tmp/err" "--bundle: '$DEMO_SPAMIP' cannot be read as a bundle" "evidence: why the bundle is refused"
run unblock "$IP" --archive "$tmp/nothing" --yes
assert_status 1 "--archive that is not a folder: refused"
assert_true "the refused archive was not made" test ! -e "$tmp/nothing"
assert_eq "$(posts)" 0 "no POST after an evidence refusal"

run unblock "$IP" --archive "$ARCH" --yes --json
assert_status 0 "the bundle in the archive: the unblock goes through"
assert_eq "$(j '[.ip, .block, .state, .posted, .refused_by]')" \
	'["203.0.113.7","203.0.113.0/28","unblocking",true,null]' "accepted: the state the API answered"
assert_eq "$(posts) $(wrote)" "1 1" "one POST, taken"
assert_eq "$(jq -c 'select(.method == "POST") | .url' "$FAKE_LOG")" "\"/1.0/ip/$EB/spam/$IP/unblock\"" \
	"the unblock's route, the block escaped"
tail -n 1 "$ARCH/index.jsonl" >"$tmp/rec"
assert_eq "$(jq -c '[.ip, .block, .date, .bundle, .unblock.result, .unblock.state, .unblock.posted]' "$tmp/rec")" \
	"[\"$IP\",\"$BLOCK\",\"2026-11-20T13:32:07Z\",\"$DEMO_BUNDLE\",\"accepted\",\"unblocking\",true]" \
	"the unblock recorded in the archive's index"
assert_true "the record's time is UTC" grep -qE '"at":"20[0-9-]{8}T[0-9:]{8}Z"' "$tmp/rec"
lines=$(wc -l <"$ARCH/index.jsonl")

# Run again: nothing to do, and the archive keeps the record.
run unblock "$IP" --archive "$ARCH" --yes --json
assert_status 0 "unblocking already: nothing to do"
assert_eq "$(j '[.state, .posted]')" '["unblocking",false]' "already: nothing posted"
assert_in "$tmp/err" "203.0.113.7 is unblocking already: nothing sent" "already: said"
assert_eq "$(posts)" 1 "already: no second POST"
run scan --archive "$ARCH"
assert_not_in "$tmp/err" "dropped" "scan --archive keeps the record line"
assert_eq "$(grep -c '"unblock":' "$ARCH/index.jsonl")" 1 "the record is still there after scan --archive"
assert_true "no line was lost" test "$(wc -l <"$ARCH/index.jsonl")" -ge "$lines"

if command -v flock >/dev/null 2>&1; then
	start "$D"
	flock "$ARCH/.lock" sh -c "\"$FPKIT\" unblock $IP --archive '$ARCH' --yes >'$tmp/out' 2>'$tmp/err'" && status=0 || status=$?
	assert_status 75 "another run holds the archive's lock"
	assert_eq "$(posts)" 0 "the archive locked: no POST"
else
	skip "the archive's lock: no flock(1) (util-linux)"
fi

start "$D"
run unblock "$IP" --bundle "$tmp/bundle.tar.gz" --yes
assert_status 0 "--bundle with this event's bundle: the unblock goes through"
assert_in "$tmp/out" "203.0.113.7 (block 203.0.113.0/28): unblock accepted, state unblocking" "the text output"
start "$D"
run unblock "$IP" --no-evidence --yes
assert_status 0 "--no-evidence: the unblock goes through"

# A bundle of another event.
pack --spam-ip-json "$tmp/early.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" -o "$tmp/other.tar.gz" \
	>/dev/null 2>&1 || :
if [ -f "$tmp/other.tar.gz" ]; then
	start "$D"
	run unblock "$IP" --bundle "$tmp/other.tar.gz" --yes
	assert_status 1 "a bundle of another block event: refused"
	assert_in "$tmp/err" "holds the evidence of $EARLY blocked at" "evidence: whose bundle it is"
fi

# ---- the mail system ----
start "$D"
mta_sending
run unblock "$IP" --no-evidence --yes --json
assert_status 1 "the mail system could send: refused"
assert_eq "$(j '.refused_by')" '"queue"' "queue: refused_by"
assert_in "$tmp/err" "fpkit: unblock: refused: mail could still leave: " "queue: said"
assert_in "$tmp/err" "postfix can send (the master daemon is running" "queue: what was found (queue_facts_refusal)"
assert_eq "$(posts)" 0 "no POST while mail could leave"
run unblock "$IP" --no-evidence --yes --force
assert_status 0 "--force: the unblock goes through"
start "$D"
mta_stopped
run unblock "$IP" --no-evidence --yes --json
assert_status 0 "sending stopped, the queue empty: the unblock goes through"
assert_eq "$(posts)" 1 "queue: one POST"
rm "$bin/postqueue.do"
start "$D"
run unblock "$IP" --no-evidence --yes
assert_status 1 "a mail system that cannot be read: refused"
assert_in "$tmp/err" "the mail system cannot be read, so fpkit cannot tell that nothing will leave" \
	"queue: an unreadable mail system said"
mta_stopped

# ---- the earliest time ----
run unblock "$EARLY" --no-evidence --yes --json
assert_status 75 "before date + time: too early"
assert_eq "$(j '[.refused_by, .posted, .earliest_unblock]')" \
	"[\"time\",false,\"$(date -u -d "@$((now + 3000))" +%Y-%m-%dT%H:%M:%SZ)\"]" \
	"too early: the earliest unblock is date + time"
left=$(j .remaining_seconds)
assert_true "too early: the seconds left ($left), counted from now" test "$left" -ge 1 -a "$left" -le 3000 -a \
	"$left" -ge $((now + 3000 - $(date +%s)))
assert_in "$tmp/err" "fpkit: unblock: $left seconds remain" "too early: the seconds left on stderr"
assert_in "$tmp/err" "or give --wait" "too early: what to do"
assert_eq "$(posts)" 0 "no POST before the earliest time"
soon
run unblock "$SOON" --no-evidence --yes --wait
assert_status 0 "--wait: waited, then unblocked"
assert_in "$tmp/err" "fpkit: unblock: waiting until" "--wait: said, without a terminal in one line"
assert_eq "$(grep -c 'left' "$tmp/err")" 0 "--wait: no countdown without a terminal"
assert_eq "$(posts) $(wrote)" "1 1" "--wait: one POST, taken after the time"

# ---- the confirmation ----
start "$D"
run unblock "$IP" --no-evidence </dev/null
assert_status 1 "no terminal and no --yes: refused"
assert_in "$tmp/err" "no terminal to ask for a confirmation: add --yes" "confirmation: what to add"
assert_eq "$(posts)" 0 "no POST without a confirmation"
if command -v script >/dev/null 2>&1 && script -qec "test -t 0 -a -t 2" /dev/null >/dev/null 2>&1 </dev/null; then
	echo n | script -qec "'$FPKIT' unblock $IP --no-evidence" "$tmp/tty" >/dev/null 2>&1 || :
	assert_in "$tmp/tty" "fpkit will unblock 203.0.113.7 (block 203.0.113.0/28" "a terminal: the plan shown"
	assert_in "$tmp/tty" "not confirmed: nothing sent" "a terminal: no"
	assert_eq "$(posts)" 0 "a terminal: no POST after no"
	echo y | script -qec "'$FPKIT' unblock $IP --no-evidence" "$tmp/tty" >/dev/null 2>&1 || :
	assert_in "$tmp/tty" "unblock accepted" "a terminal: yes"
	assert_eq "$(posts)" 1 "a terminal: one POST after yes"
	start "$D"
	soon
	script -qec "'$FPKIT' unblock $SOON --no-evidence --yes --wait" "$tmp/tty" >/dev/null 2>&1 </dev/null || :
	assert_in "$tmp/tty" "left" "a terminal: --wait counts down"
else
	skip "the confirmation on a terminal: no terminal to be had (script(1) of util-linux, or /dev/pts)"
fi

# ---- --dry-run ----
start "$D"
run unblock "$IP" --archive "$ARCH" --dry-run --json
assert_status 0 "--dry-run: every check passes"
assert_eq "$(j '[.state, .posted, .refused_by]')" '["blockedForSpam",false,null]' "--dry-run: nothing posted"
assert_eq "$(posts)" 0 "--dry-run: no POST"
mta_sending
run unblock "$IP" --archive "$ARCH" --dry-run
assert_status 1 "--dry-run: a guard rail still refuses"
mta_stopped
run unblock "$EARLY" --no-evidence --dry-run
assert_status 75 "--dry-run: too early"

# ---- the API's refusal, whatever its status ----
for st in 400 409 503; do
	start "$D" --refusal-status "$st" --fault "stillblocked:1:42:/ip/$EB/spam/$IP/unblock"
	run unblock "$IP" --no-evidence --yes --json --archive "$ARCH"
	assert_status 75 "the API says still blocked ($st)"
	assert_eq "$(j '[.refused_by, .remaining_seconds, .posted]')" '["api",42,false]' \
		"still blocked ($st): the seconds read from the message"
	assert_eq "$(posts)" 1 "still blocked ($st): sent once, never again"
done
assert_in "$tmp/err" "fpkit: unblock: 42 seconds remain" "still blocked: the seconds on stderr"
assert_eq "$(tail -n 1 "$ARCH/index.jsonl" | jq -c '[.unblock.result, .unblock.posted]')" '["too early",false]' \
	"still blocked: recorded"
start "$D" --fault "stillblocked:1:1:/ip/$EB/spam/$IP/unblock"
run unblock "$IP" --no-evidence --yes --wait
assert_status 0 "still blocked with --wait: waited N seconds, then unblocked"
assert_eq "$(posts) $(wrote)" "2 1" "still blocked with --wait: sent again after the wait"

# ---- --watch ----
start "$D" --unblock-delay 1
FPKIT_UNBLOCK_POLL_MS=300 run unblock "$IP" --no-evidence --yes --watch --json --rate 600 --archive "$ARCH"
assert_status 0 "--watch: until unblocked"
assert_eq "$(j '[.state, .posted]')" '["unblocked",true]' "--watch: the state at the end"
assert_in "$tmp/err" "fpkit: unblock: 203.0.113.7 is unblocked (" "--watch: progress on stderr"
assert_eq "$(tail -n 1 "$ARCH/index.jsonl" | jq -r .unblock.result)" unblocked "--watch: recorded as unblocked"
assert_true "--watch: polled, not hammered" test "$(jq -s 'map(select(.method == "GET")) | length' "$FAKE_LOG")" -le 12
start "$D" --unblock-delay 1
FPKIT_UNBLOCK_POLL_MS=10 run unblock "$IP" --no-evidence --yes --watch --rate 60
assert_status 0 "--watch within --rate 60"
assert_true "--watch --rate 60: about one read a second" \
	test "$(jq -s 'map(select(.method == "GET")) | length' "$FAKE_LOG")" -le 8

# ---- a write that is never doubled ----
start "$D" --fault "lost:1:/ip/$EB/spam/$IP/unblock"
run unblock "$IP" --no-evidence --yes --json --archive "$ARCH"
assert_status 0 "the answer lost after the unblock was done"
assert_eq "$(posts) $(wrote)" "1 1" "lost: not sent again"
assert_eq "$(j '[.state, .posted]')" '["unblocking",true]' "lost: the state read after it"
assert_in "$tmp/err" "the API's answer was lost, and the state read after it is unblocking: the unblock was taken" \
	"lost: said"
# An API late to show the unblock: the state is read again before
# anything is sent again.
start "$D" --fault "lost:1:/ip/$EB/spam/$IP/unblock" --unblock-lag 300ms
FPKIT_UNBLOCK_REREAD_MS=250 run unblock "$IP" --no-evidence --yes --json
assert_status 0 "lost, and the state late to show it"
assert_eq "$(posts) $(wrote)" "1 1" "late state: read again, not sent again"
assert_in "$tmp/err" "the state still reads blockedForSpam (read 1 of 3): reading it again in 250 ms" \
	"late state: the read again said"
assert_eq "$(j '[.state, .posted]')" '["unblocking",true]' "late state: the unblock taken"
start "$D" --fault "late:1:5:/ip/$EB/spam/$IP/unblock"
run unblock "$IP" --no-evidence --yes --timeout 1
assert_status 0 "a time-out after the unblock was done"
# The late answer is logged when it leaves, seconds after fpkit left.
i=0
while [ "$(posts)" -eq 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "$(posts) $(wrote)" "1 1" "time-out: not sent again"
start "$D" --fault "reset:1:/ip/$EB/spam/$IP/unblock"
run unblock "$IP" --no-evidence --yes
assert_status 0 "a cut before the unblock was done"
assert_eq "$(posts) $(wrote)" "2 1" "cut: the state read, still blocked, sent again once"
start "$D" --fault "503:1:/ip/$EB/spam/$IP/unblock"
run unblock "$IP" --no-evidence --yes
assert_status 0 "a 503 on the unblock"
assert_eq "$(posts) $(wrote)" "2 1" "503: the state read before it was sent again"
start "$D" --fault "reset:9:/ip/$EB/spam/$IP/unblock"
run unblock "$IP" --no-evidence --yes --retries 2
assert_status 75 "cut every time: gives up"
assert_eq "$(posts) $(wrote)" "3 0" "cut every time: --retries 2 is three sends, each after a read of the state"
assert_in "$tmp/err" "unblock: sent 3 times, the state still blockedForSpam" "cut every time: said"
# Refused at connection: it cannot have reached the API, so it is sent
# again at once, as a GET would be (the server stops listening after
# GET /auth/time and the SpamIp; the unblock goes on a connection of its
# own).
start "$D" --listen-requests 2
run unblock "$IP" --no-evidence --yes --block "$BLOCK" --verbose --retries 2
assert_status 69 "the API's port closed: unavailable"
assert_eq "$(posts)" 0 "closed port: nothing reached the API"
assert_true "closed port: the unblock tried again at once" \
	grep -q "api: POST $FAKE_URL/ip/$EB/spam/$IP/unblock -> cannot connect .*(try 1 of 3): again in" "$tmp/err"
assert_in "$tmp/err" "(try 3 of 3)" "closed port: --retries 2 is three tries"
assert_not_in "$tmp/err" "reading the state" "closed port: no state to read: it was never sent"

start "$D" --fault "forbidden:/ip/$EB/spam/$IP/unblock"
run unblock "$IP" --no-evidence --yes
assert_status 77 "a consumer key without the right"
assert_in "$tmp/err" "no access rule for POST /ip/*/spam/*/unblock" "the right to add, named"

# ---- the JSON and the command line ----
start "$D"
run unblock "$IP" --no-evidence --dry-run --json
assert_eq "$(j 'keys_unsorted')" \
	'["ip","block","state","earliest_unblock","remaining_seconds","refused_by","posted"]' "--json: the fields"
assert_eq "$(j '[.earliest_unblock, .remaining_seconds]')" '["2026-11-20T14:32:07Z",0]' \
	"--json: the earliest unblock of the demo, past"
run unblock
assert_status 64 "no IP"
run unblock 2001:db8::1 --no-evidence --yes
assert_status 64 "an IPv6 address"
assert_in "$tmp/err" "the anti-spam blocks IPv4 addresses only" "IPv6: why"
run unblock "$IP" --dry-run --watch
assert_status 64 "--dry-run with --watch"
run unblock "$IP" --mta courier
assert_status 64 "--mta: an unknown name"

assert_true "the fake server stops cleanly" fakeapi_stop
assert_eq "$FAKE_BAD_STOPS" 0 "every fake-ovh run ended cleanly"
finish
