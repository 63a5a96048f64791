#!/bin/sh
# scan --archive --exec CMD: CMD runs once per newly archived event, in a
# folder and in a bucket (tests/fake-s3), with the event's facts in its
# environment and the bundle's summary.json on its standard input; a
# failing hook is reported, its marker kept, and it is run again by the
# next run, never twice after it succeeded; a hook that hangs is killed
# at --exec-timeout.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/s3-lib.sh"
. "$E2E/fakeapi.sh"
. "$E2E/archive-lib.sh"
trap 's3_stop; fakeapi_stop >/dev/null 2>&1; rm -rf "$tmp" "$san"' EXIT
FPKIT_RETRY_BASE_MS=10
export FPKIT_RETRY_BASE_MS

# The hook: one line per call in $tmp/calls, its environment and input
# kept per IP; it fails for the IP named in $tmp/fail, if any.
cat >"$tmp/hook.sh" <<'HOOK'
#!/bin/sh
echo "$FPKIT_IP" >>"$HOOKDIR/calls"
env | grep -E '^FPKIT_(IP|BLOCK|STATE|DATE|BUNDLE|EVENT_KEY|HOST|MISSING|ARCHIVE)=' | sort \
	>"$HOOKDIR/env.$FPKIT_IP"
env | grep -E '^(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|OVH_APPLICATION_SECRET|OVH_CONSUMER_KEY|AWS_REGION)=' |
	cut -d= -f1 | sort >"$HOOKDIR/inherited.$FPKIT_IP"
cat >"$HOOKDIR/stdin.$FPKIT_IP"
[ "$(cat "$HOOKDIR/fail" 2>/dev/null)" != "$FPKIT_IP" ] || exit 3
HOOK
HOOKDIR=$tmp
export HOOKDIR
HOOK="sh $tmp/hook.sh"

# 1. A folder.
A=$tmp/archive
echo "$IP9" >"$tmp/fail"
archive "$A" --host mx1 --exec "$HOOK"
assert_status 75 "a failing hook: the run says so (EX_TEMPFAIL)"
assert_eq "$(sort "$tmp/calls" | tr '\n' ' ')" "$IP5 $IP7 $IP9 " "the hook ran once per new event"
assert_in "$tmp/err" "fpkit: archive: $IP9 blocked at 2026-11-21T07:00:00Z: --exec: exited with 3: tried again next run" \
	"the failure is reported"
assert_in "$tmp/err" "--exec failed for 1 of 3 events" "and counted"
assert_eq "$(ls "$A/hooks")" "fpkit-$IP9-20261121T070000Z.json" "its marker is kept, the others' removed"
assert_eq "$(cat "$tmp/env.$IP7")" "FPKIT_ARCHIVE=$A
FPKIT_BLOCK=$BLOCK
FPKIT_BUNDLE=$A/$B7
FPKIT_DATE=2026-11-20T13:32:07Z
FPKIT_EVENT_KEY=$B7
FPKIT_HOST=mx1
FPKIT_IP=$IP7
FPKIT_MISSING=1
FPKIT_STATE=blockedForSpam" "the hook's environment"
tar -xzOf "$A/$B7" "${B7%.tar.gz}/summary.json" >"$tmp/summary7.json"
assert_eq "$(jq -S . "$tmp/stdin.$IP7")" "$(jq -S . "$tmp/summary7.json")" \
	"its input is the bundle's summary.json"
assert_eq "$(jq -r '.missing | length' "$tmp/summary7.json")" 1 "FPKIT_MISSING is summary.json's count"
# The next run: no new event, the failed hook alone again, now passing.
: >"$tmp/calls"
: >"$tmp/fail"
archive "$A" --host mx1 --exec "$HOOK"
assert_status 0 "the retry succeeds"
assert_eq "$(cat "$tmp/calls")" "$IP9" "only the failed hook ran again"
assert_eq "$(jq -r .ip "$tmp/stdin.$IP9")" "$IP9" "with its summary.json"
assert_eq "$(ls -A "$A/hooks")" "" "its marker is gone"
: >"$tmp/calls"
archive "$A" --host mx1 --exec "$HOOK"
assert_status 0 "a third run"
assert_eq "$(cat "$tmp/calls")" "" "no hook runs twice after success"

# A hook that hangs is killed at --exec-timeout, and tried again.
B=$tmp/archive2
archive "$B" --host mx1 --exec "sleep 30" --exec-timeout 1
assert_status 75 "a hanging hook fails the run"
assert_in "$tmp/err" "--exec: killed after 1 s" "killed at its time-out"
assert_eq "$(ls "$B/hooks" | wc -l)" 3 "the three markers stay"

# 2. A bucket.
fakes3_start
s3_env
U=s3://evidence/fp
: >"$tmp/calls"
echo "$IP5" >"$tmp/fail"
archive "$U" --host mx1 --exec "$HOOK"
assert_status 75 "a failing hook over a bucket"
assert_eq "$(sort "$tmp/calls" | tr '\n' ' ')" "$IP5 $IP7 $IP9 " "the hook ran once per new event"
assert_in "$tmp/env.$IP7" "FPKIT_BUNDLE=$U/events/$IP7/20261120T133207Z/mx1/$B7" "FPKIT_BUNDLE is the object's URL"
assert_in "$tmp/env.$IP7" "FPKIT_EVENT_KEY=fp/events/$IP7/20261120T133207Z/mx1/$B7" "FPKIT_EVENT_KEY its key"
assert_eq "$(cat "$tmp/inherited.$IP7")" "AWS_REGION" \
	"the hook inherits the environment but for the secrets (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY)"
assert_eq "$(s3_keys evidence fp/hooks/ | tr '\n' ' ')" \
	"fp/hooks/$IP5/20261119T090000Z/mx1/pending.json fp/hooks/$IP7/20261120T133207Z/mx1/done fp/hooks/$IP7/20261120T133207Z/mx1/pending.json fp/hooks/$IP9/20261121T070000Z/mx1/done fp/hooks/$IP9/20261121T070000Z/mx1/pending.json " \
	"a marker per event, 'done' beside those that succeeded"
: >"$tmp/calls"
: >"$tmp/fail"
archive "$U" --host mx1 --exec "$HOOK"
assert_status 0 "the retry over a bucket"
assert_eq "$(cat "$tmp/calls")" "$IP5" "only the failed hook ran again"
: >"$tmp/calls"
archive "$U" --host mx1 --exec "$HOOK"
assert_eq "$(cat "$tmp/calls")" "" "and never again"
# Another host's hooks are its own.
archive "$U" --host mx2 --exec "$HOOK"
assert_status 0 "a second host"
assert_eq "$(sort "$tmp/calls" | tr '\n' ' ')" "$IP5 $IP7 $IP9 " "runs the hook for the events it archives"
s3_stop

# 3. An upload that fails after the hook's marker was written: the hook
# does not run for an event not archived, and runs once when it is.
fakes3_start --fault 503:events/$IP7/:1 --fault 503:events/$IP7/:2 \
	--fault 503:events/$IP7/:3 --fault 503:events/$IP7/:4
s3_env
: >"$tmp/calls"
archive "$U" --host mx1 --exec "$HOOK"
assert_status 75 "the bundle of $IP7 cannot be uploaded"
assert_in "$tmp/err" "3 events: 2 archived, 0 already there, 1 failed" "the count"
assert_eq "$(sort "$tmp/calls" | tr '\n' ' ')" "$IP5 $IP9 " "no hook for the event not archived"
assert_eq "$(s3_keys evidence fp/hooks/$IP7/ | tr '\n' ' ')" \
	"fp/hooks/$IP7/20261120T133207Z/mx1/pending.json " "its marker is there, without done"
: >"$tmp/calls"
archive "$U" --host mx1 --exec "$HOOK"
assert_status 0 "the next run archives it"
assert_eq "$(cat "$tmp/calls")" "$IP7" "and runs its hook, once"
: >"$tmp/calls"
archive "$U" --host mx1 --exec "$HOOK"
assert_eq "$(cat "$tmp/calls")" "" "then never again"

# The hook from the configuration file (exec = ...): the same runs, and
# --exec on the command line wins over it.
printf '[fpkit]\nexec = %s\n' "$HOOK" >"$tmp/fpkit.conf"
: >"$tmp/calls"
: >"$tmp/fail"
FPKIT_CONFIG=$tmp/fpkit.conf archive "$tmp/conf-archive" --host mx1
assert_status 0 "an archive run with the hook from fpkit.conf"
assert_eq "$(sort "$tmp/calls" | tr '\n' ' ')" "$IP5 $IP7 $IP9 " "fpkit.conf's exec ran once per new event"
: >"$tmp/calls"
FPKIT_CONFIG=$tmp/fpkit.conf archive "$tmp/conf-archive2" --host mx1 --exec "echo >>$tmp/calls cli"
assert_eq "$(sort -u "$tmp/calls")" "cli" "--exec given replaces the configured hook"
finish
