#!/bin/sh
# pack --timing: a line on standard error for each stage that ran, in
# the order of the run, and one for the whole run, each with a wall and
# a CPU time in seconds; with --json the printed summary has them as
# "timing"; a failing run prints the stages it finished; and the bundle
# is the same bytes with and without the option (the times never go
# into it).
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"

DEMO_LOG=$DEMO/log/mail.log
mkdir "$tmp/plain" "$tmp/timed" "$tmp/json"

# timing_lines FILE: the lines --timing writes, as "NAME WALL CPU".
timing_lines() {
	sed -n 's/^fpkit: timing: \([a-z][a-z]*\) *\([0-9][0-9]*\.[0-9][0-9][0-9]\) s wall *\([0-9][0-9]*\.[0-9][0-9][0-9]\) s cpu$/\1 \2 \3/p' "$1"
}

pack_demo --maillog "$DEMO_LOG" --no-dns -o "$tmp/plain"
assert_status 0 "pack without --timing"
assert_not_in "$tmp/err" "timing:" "without --timing: no time printed"

pack_demo --maillog "$DEMO_LOG" --no-dns --timing -o "$tmp/timed"
assert_status 0 "pack --timing"
cp "$tmp/err" "$tmp/timed.err"
assert_in "$tmp/timed.err" "fpkit: wrote '$tmp/timed/$DEMO_BUNDLE'" "--timing: the bundle is written as usual"
timing_lines "$tmp/timed.err" >"$tmp/lines"
# Every line that says "timing:" has the documented form.
assert_eq "$(grep -c 'timing:' "$tmp/timed.err")" "$(wc -l <"$tmp/lines" | tr -d ' ')" \
	"--timing: every line is 'NAME WALL s wall CPU s cpu', both times numbers"
assert_eq "$(cut -d ' ' -f 1 "$tmp/lines" | tr '\n' ' ')" \
	"gather locate samples trail wait summary checks package write total " \
	"--timing: the stages that ran, in order, then the total"
assert_eq "$(tail -n 1 "$tmp/timed.err" | cut -d ' ' -f 3)" total "--timing: the total comes last"
assert_true "--timing: the times parse as numbers" awk '
	{ if ($2 + 0 != $2 || $3 + 0 != $3 || $2 < 0 || $3 < 0) exit 1 } END { if (NR == 0) exit 1 }' "$tmp/lines"
assert_true "the same bundle, byte for byte, with and without --timing" \
	cmp -s "$tmp/plain/$DEMO_BUNDLE" "$tmp/timed/$DEMO_BUNDLE"

# --json: the printed summary has "timing", summary.json does not.
pack_demo --maillog "$DEMO_LOG" --no-dns --timing --json -o "$tmp/json"
assert_status 0 "pack --timing --json"
assert_eq "$(jq -r '[.timing.stages[].stage] | join(" ")' "$tmp/out")" \
	"gather locate samples trail wait summary checks package write" \
	"--json: timing.stages names the stages in order"
assert_eq "$(jq -r '[.timing.stages[] | (.wall_seconds, .cpu_seconds) | type] | unique | join(" ")' "$tmp/out")" \
	number "--json: each stage's wall_seconds and cpu_seconds are numbers"
assert_eq "$(jq -r '[.timing.wall_seconds, .timing.cpu_seconds] | map(type) | join(" ")' "$tmp/out")" \
	"number number" "--json: the run's wall_seconds and cpu_seconds are numbers"
assert_eq "$(tar -xzOf "$tmp/json/$DEMO_BUNDLE" "${DEMO_BUNDLE%.tar.gz}/summary.json" | jq 'has("timing")')" \
	false "--json: the bundle's summary.json has no timing"
assert_true "--json --timing: the same bundle, byte for byte" \
	cmp -s "$tmp/plain/$DEMO_BUNDLE" "$tmp/json/$DEMO_BUNDLE"
assert_in "$tmp/err" "fpkit: timing: total" "--json: the times on standard error too"

# --before-block reads the logs before the samples (they help choose).
mkdir "$tmp/bb"
pack_demo --maillog "$DEMO_LOG" --no-dns --before-block 1 --timing -o "$tmp/bb"
assert_status 0 "pack --before-block --timing"
assert_eq "$(timing_lines "$tmp/err" | cut -d ' ' -f 1 | tr '\n' ' ')" \
	"gather locate trail samples summary checks package write total " \
	"--before-block: the trail before the samples"

# A run that fails prints the stages it finished, and the total.
mkdir "$tmp/fail"
pack_demo --maillog "$tmp/no-such.log" --no-dns --timing -o "$tmp/fail"
assert_status 66 "a mail log that is not there: EX_NOINPUT"
assert_in "$tmp/err" "no-such.log" "the error names the log"
assert_eq "$(timing_lines "$tmp/err" | cut -d ' ' -f 1 | tr '\n' ' ')" "gather locate samples trail wait total " \
	"a failed run: the stages it finished, then the total"
assert_eq "$(ls "$tmp/fail")" "" "a failed run: no bundle"

# Nothing found: the run ends after the samples, without the logs read
# beside the search, as it would without them.
mkdir "$tmp/empty" "$tmp/none"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/empty" \
	--maillog "$DEMO_LOG" --no-dns --timing -o "$tmp/none"
assert_status 1 "nothing found, with --maillog"
assert_in "$tmp/err" "no bundle written" "nothing found: said"
assert_eq "$(timing_lines "$tmp/err" | cut -d ' ' -f 1 | tr '\n' ' ')" "gather locate samples total " \
	"nothing found: no trail stage"
assert_eq "$(ls "$tmp/none")" "" "nothing found: no bundle"

# A usage error runs no stage: nothing is timed.
pack_demo --timing --lang xx
assert_status 64 "a usage error with --timing"
assert_not_in "$tmp/err" "timing:" "a usage error: no time printed"

finish
