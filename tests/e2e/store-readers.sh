#!/bin/sh
# The readers of message files: four while reads come from the page
# cache, sixteen once a read waits for the disk (more requests in flight
# for it).  The disk is played by the fault shim, which makes each read
# of the store's files wait; the threads are counted in /proc while the
# search runs, and what it finds must not change with their number.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

if [ ! -f "${FAULTSHIM:-}" ]; then
	skip_all "no fault shim built"
fi

# A Maildir of 600 messages, each id once, and their ids.
mkdir -p "$tmp/md/cur" "$tmp/md/new" "$tmp/md/tmp"
i=0
while [ $i -lt 600 ]; do
	printf 'From: a@example.com\nMessage-ID: <readers.%d@example.com>\nSubject: %d\n\nbody %d\n' \
		$i $i $i >"$tmp/md/cur/$i.host:2,S"
	i=$((i + 1))
done
printf 'readers.%d@example.com\n' 0 7 150 599 >"$tmp/ids"

# search CALL DELAY_MS: find the four ids with CALL on the store's files
# delayed; the most threads seen in $most, the status in $status.
search() {
	(
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
		FAULT_CALL=$1 FAULT_PATH=$tmp/md/cur FAULT_DELAY_MS=$2
		LD_PRELOAD=$FAULTSHIM
		export ASAN_OPTIONS FAULT_CALL FAULT_PATH FAULT_DELAY_MS LD_PRELOAD
		exec "$FPKIT_BIN" find --msgid-file "$tmp/ids" "$tmp/md"
	) </dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	most=0
	while kill -0 "$pid" 2>/dev/null; do
		n=$(ls "/proc/$pid/task" 2>/dev/null | wc -l)
		[ "$n" -le "$most" ] || most=$n
		sleep 0.01
	done
	status=0
	wait "$pid" || status=$?
	sort "$tmp/out" | cut -f 1 >"$tmp/found"
}

# Reads that wait 5 ms each (a disk): the pool grows.
search read 5
assert_eq "$status" 0 "slow reads: every id found"
assert_eq "$(cat "$tmp/found")" "$(printf 'readers.%d@example.com\n' 0 150 599 7)" "slow reads: the four messages, once each"
assert_true "slow reads: more than four readers at once (most threads seen: $most)" test "$most" -gt 8
# Slow closes but reads from the cache: the pool stays at four.
search close 5
assert_eq "$status" 0 "fast reads: every id found"
assert_eq "$(cat "$tmp/found")" "$(printf 'readers.%d@example.com\n' 0 150 599 7)" "fast reads: the four messages, once each"
assert_true "fast reads: four readers, the main thread and the walk's (most threads seen: $most)" test "$most" -le 6
san_check "find with its readers" || :

finish
