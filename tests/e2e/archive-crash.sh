#!/bin/sh
# fpkit scan --archive when runs meet or stop: the lock refuses a second
# run at once (EX_TEMPFAIL, no request); a run killed (SIGKILL) while
# the API answers slowly leaves a consistent archive, which a clean rerun
# completes; what a run stopped at a worse moment would leave (a
# temporary file, a bundle without its line, a cut line, a line without
# its bundle) is repaired by the next run, which gives back the same
# bytes.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
. "$E2E/archive-lib.sh"

# now_ms: milliseconds since the epoch.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for WHAT COMMAND...: wait (20 s at most) until COMMAND succeeds.
wait_for() {
	wf_what=$1
	shift
	wf_i=0
	until "$@"; do
		wf_i=$((wf_i + 1))
		if [ $wf_i -ge 400 ]; then
			not_ok "waited 20 s for $wf_what"
			return 1
		fi
		sleep 0.05
	done
}

# locked DIR: someone holds DIR/.lock.
locked() { ! flock -n "$1/.lock" true; }

# lines DIR N: the index of DIR has N complete lines.
lines() { [ -f "$1/index.jsonl" ] && [ "$(wc -l <"$1/index.jsonl")" -ge "$2" ]; }

if command -v flock >/dev/null 2>&1; then
	# The lock held by someone else: refused at once, no request made.
	L=$tmp/locked
	mkdir -m 700 "$L"
	: >"$FAKE_LOG"
	# This shell holds it, on descriptor 9.
	exec 9>"$L/.lock"
	flock -n 9
	t0=$(now_ms)
	archive "$L"
	t1=$(now_ms)
	assert_status 75 "a second run while the lock is held"
	assert_in "$tmp/err" "fpkit: archive: another fpkit is archiving into '$L' (it holds '$L/.lock')" \
		"the message says who holds what"
	assert_true "it stops at once ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 3000
	assert_eq "$(wc -l <"$FAKE_LOG")" 0 "no request made"
	assert_eq "$(ls -A "$L")" ".lock" "nothing written"
	exec 9>&-

	# Two archivers: the second refused while the first, slowed by the
	# API, goes on to the end.
	fakeapi_start "$D" --fault "slow:2:/ip\$"
	fakeapi_env
	# Not through fpkit(): $! must be the process itself.
	${FPKIT_VALGRIND:-} "$FPKIT" scan --archive "$L" --mail "$DEMO_MAIL" --no-dkim --rate 100000 \
		>"$tmp/first.out" 2>"$tmp/first.err" &
	first=$!
	wait_for "the first run to take the lock" locked "$L"
	archive "$L"
	assert_status 75 "two runs at once: the second is refused"
	first_status=0
	wait "$first" || first_status=$?
	assert_eq "$first_status" 0 "two runs at once: the first archives everything"
	assert_eq "$(index_names "$L")" "$B5 $B7 $B9" "two runs at once: each event once"
	assert_true "two runs at once: the index matches the bundles" index_matches "$L"
else
	skip "the lock tests: flock(1) (util-linux) is not installed"
fi

# Killed while the API answers slowly: after the first two events, the
# third's stats take 10 s; the run is killed in that wait.
K=$tmp/killed
fakeapi_start "$D" --fault "slow:10:/ip/$EB/spam/$IP9/stats"
fakeapi_env
${FPKIT_VALGRIND:-} "$FPKIT" scan --archive "$K" --mail "$DEMO_MAIL" --no-dkim --rate 100000 \
	>"$tmp/k.out" 2>"$tmp/k.err" &
victim=$!
wait_for "two events archived" lines "$K" 2
sleep 0.5
kill -KILL "$victim"
wait "$victim" 2>/dev/null || :
assert_eq "$(index_names "$K")" "$B5 $B7" "killed: the events done are listed"
assert_true "killed: the index matches the bundles" index_matches "$K"
for b in "$B5" "$B7"; do
	run verify "$K/$b"
	assert_status 0 "killed: $b is whole"
done

fakeapi_start "$D"
fakeapi_env
archive "$K"
assert_status 0 "the rerun after the kill"
assert_eq "$(cat "$tmp/out")" "$K/$B9" "the rerun archives the event left"
assert_eq "$(index_names "$K")" "$B5 $B7 $B9" "each event once"
assert_true "the index matches the bundles" index_matches "$K"
cp "$K/$B7" "$tmp/b7.orig"
cp "$K/$B9" "$tmp/b9.orig"

# What a run stopped at a worse moment leaves, all at once:
# - a temporary bundle (outfile's .NAME.XXXXXX) and a temporary index;
# - B5 written but not listed (stopped between the link and the append);
# - a line cut short (stopped, or the disk full, in the append);
# - B9's line, whose bundle is gone (a user removed it);
# - a line that is not JSON.
printf 'half a bundle' >"$K/.$B7.Ab12Cd"
printf '{"ip":' >"$K/.index.jsonl.Zz99Yy"
grep -v "\"$B5\"" "$K/index.jsonl" >"$K/index.new"
printf 'garbage\n{"ip":"%s","bundle":"%s"' "$IP7" "$B7" >>"$K/index.new"
mv "$K/index.new" "$K/index.jsonl"
rm "$K/$B9"
archive "$K"
assert_status 0 "the run that repairs"
assert_in "$tmp/err" "removed '.$B7.Ab12Cd', left by a run that was stopped" "the temporary bundle is removed"
assert_in "$tmp/err" "removed '.index.jsonl.Zz99Yy'" "the temporary index is removed"
assert_in "$tmp/err" "'$B5' was not in the index (a run was stopped before listing it): added" \
	"the bundle without its line is listed again"
assert_in "$tmp/err" "dropped: cut short" "the cut line is dropped"
assert_in "$tmp/err" "dropped: not an index line" "the line that is not JSON is dropped"
assert_in "$tmp/err" "dropped: its bundle is not there: $B9" "the line without its bundle is dropped"
assert_eq "$(cat "$tmp/out")" "$K/$B9" "the event whose bundle went is archived again"
assert_true "with the same bytes as before" cmp -s "$tmp/b9.orig" "$K/$B9"
assert_true "B7 untouched" cmp -s "$tmp/b7.orig" "$K/$B7"
assert_eq "$(index_names "$K")" "$B5 $B7 $B9" "each event once"
assert_true "the index matches the bundles" index_matches "$K"
assert_eq "$(jq -r 'select(.bundle == "'"$B5"'") | .block' "$K/index.jsonl")" "$BLOCK5" \
	"the line given back has the block, read from the bundle"
assert_eq "$(stat -c %a "$K/index.jsonl")" 600 "the rewritten index is 0600"
snapshot "$K" >"$tmp/s1"
archive "$K"
assert_status 0 "and the run after"
assert_eq "$(wc -c <"$tmp/err")" 0 "has nothing to say"
snapshot "$K" >"$tmp/s2"
assert_true "nor to change" cmp -s "$tmp/s1" "$tmp/s2"

assert_true "the fake server stops cleanly" fakeapi_stop
finish
