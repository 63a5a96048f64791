#!/bin/sh
# fpkit scan over 50 fake blocks: exactly the blocked IPs (all the known
# ones with --all-states, a type's with --type), IPv6 blocks passed over,
# the table and the JSON; at most --parallel requests at once and never
# more than --rate requests a minute, as the fake server counts them.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
fakeapi_setup

# The account: blocks 100.64.N.0/28 for N = 1..50 and one IPv6 block.
D=$tmp/data
mkdir -p "$D/blocks" "$D/types"
n=1
while [ $n -le 50 ]; do
	mkdir "$D/blocks/100.64.$n.0_28"
	n=$((n + 1))
done
# ip STATE N HOST: IP 100.64.N.HOST known to the anti-spam in STATE.
ip() {
	printf '{"date":"2026-11-%02dT14:32:07+01:00","ipSpamming":"100.64.%s.%s","state":"%s","time":%d}\n' \
		"$(($2 % 28 + 1))" "$2" "$3" "$1" "$(($2 * 3600))" >"$tmp/spamip.json"
	fakeapi_case "$D" "100.64.$2.0/28" "100.64.$2.$3" "$tmp/spamip.json"
	[ "$1" != blockedForSpam ] || printf '100.64.%s.0/28 100.64.%s.%s %s\n' "$2" "$2" "$3" "$1" >>"$tmp/blocked"
	printf '100.64.%s.0/28 100.64.%s.%s %s\n' "$2" "$2" "$3" "$1" >>"$tmp/known"
}
: >"$tmp/blocked"
: >"$tmp/known"
ip blockedForSpam 3 5
ip blockedForSpam 7 9
ip blockedForSpam 7 14
ip unblocked 12 2
ip blockedForSpam 12 3
ip unblocking 20 1
ip blockedForSpam 33 5
ip blockedForSpam 41 6
ip blockedForSpam 50 13
jq -n '[range(1; 51) | "100.64.\(.).0/28"] + ["2001:db8:1::/56"]' >"$D/ip.json"
printf '["100.64.3.0/28","100.64.8.0/28","100.64.12.0/28"]\n' >"$D/types/vps.json"

fakeapi_start "$D"
fakeapi_env

# The fake server's arrival times, sorted.
times() { jq -r .t_ms "$FAKE_LOG" | sort -n; }

run scan --json --rate 1200 --parallel 3
assert_status 0 "scan over 50 blocks"
jq -r '.[] | "\(.block) \(.ip) \(.state)"' "$tmp/out" >"$tmp/got"
assert_true "exactly the blocked IPs, in order" cmp -s "$tmp/got" "$tmp/blocked"
assert_eq "$(jq -r '.[] | select(.ip == "100.64.7.14") | "\(.date) \(.time)"' "$tmp/out")" \
	"2026-11-08T14:32:07+01:00 25200" "date as the API wrote it, time in seconds"
assert_eq "$(jq -r '.[0] | keys | join(" ")' "$tmp/out")" \
	"block blocked_at blocked_until can_be_unblocked date ip state time" "the JSON fields"
assert_eq "$(jq -r '.[0] | "\(.blocked_at) \(.blocked_until)"' "$tmp/out")" \
	"2026-11-04T13:32:07Z 2026-11-04T16:32:07Z" "blocked_at and blocked_until in UTC"
assert_in "$tmp/err" "fpkit: 7 IPs blocked for spam in 50 IPv4 blocks" "the count on stderr"
assert_eq "$(grep -c . "$FAKE_LOG")" 59 "1 + 1 + 50 + 7 requests"
# (The URLs only: a time in milliseconds may hold "2001".)
assert_eq "$(jq -r .url "$FAKE_LOG" | grep -c '/ip/2001')" 0 "the IPv6 block is not asked about"
assert_eq "$(jq -r 'select(.url | test("/spam\\?")) | .url' "$FAKE_LOG" | grep -vc 'state=blockedForSpam$')" 0 \
	"every block's list asks for state=blockedForSpam"
assert_true "at most 3 requests at once" test "$(fakeapi_max_inflight)" -le 3

# The ceiling: 1200 a minute is a burst of 5, then one every 60/1196 s:
# in any second, at most 5 + 20 - 1 = 24 starts.  The server sees
# arrivals, which the way there (a new connection, valgrind) can shift:
# they are counted over 900 ms, a 100 ms margin.
max=$(times | awk '{ t[NR] = $1 } END { j = 1; m = 0
	for (i = 1; i <= NR; i++) { while (t[i] - t[j] >= 900) j++; if (i - j + 1 > m) m = i - j + 1 }
	print m }')
assert_true "never more than 24 requests in a second at --rate 1200 (max $max)" test "$max" -le 24
# Measured from the second arrival: the first may be late by its new
# connection; 57 more intervals of 50 ms are 2850 ms, 2400 leaves room
# for arrivals bunched by a loaded machine, and still fails without a
# limiter (or with one twice too lax).
span=$(times | sed -n '2p;$p' | tr '\n' ' ' | awk '{ print $2 - $1 }')
assert_true "59 requests at --rate 1200 are spread by the limiter (${span} ms)" test "$span" -ge 2400

# Concurrency: the first 11 lists answer slowly; 3 at once, never 4.
fakeapi_start "$D" --fault "slow:200ms:/ip/100.64.1"
fakeapi_env
run scan --json --rate 100000 --parallel 3
assert_status 0 "scan with slow answers"
assert_true "scan with slow answers: the same IPs" sh -c "jq -r '.[] | \"\\(.block) \\(.ip) \\(.state)\"' '$tmp/out' | cmp -s - '$tmp/blocked'"
assert_eq "$(fakeapi_max_inflight)" 3 "--parallel 3: three requests at once, never more"
fakeapi_start "$D" --fault "slow:200ms:/ip/100.64.1"
fakeapi_env
run scan --json --rate 100000
assert_status 0 "scan with the default parallelism"
assert_eq "$(fakeapi_max_inflight)" 4 "default: four requests at once, never more"

# The default ceiling, 50 a minute: 5 at once, then one every 60/46 s.
D2=$tmp/small
mkdir -p "$D2/blocks/192.0.2.0_28" "$D2/blocks/192.0.2.16_28" "$D2/blocks/192.0.2.32_28" \
	"$D2/blocks/192.0.2.48_28"
printf '["192.0.2.0/28","192.0.2.16/28","192.0.2.32/28","192.0.2.48/28"]\n' >"$D2/ip.json"
fakeapi_start "$D2"
fakeapi_env
run scan
assert_status 0 "scan at the default rate"
times >"$tmp/t"
assert_eq "$(wc -l <"$tmp/t")" 6 "6 requests"
assert_true "the first 5 at once" test $(($(sed -n 5p "$tmp/t") - $(sed -n 1p "$tmp/t"))) -lt 800
# 60/46 s = 1304 ms after the first start; the first arrival may be
# late by its new connection, so measured from the second, with room.
assert_true "the 6th waits for the rate (about 1.3 s)" \
	test $(($(sed -n 6p "$tmp/t") - $(sed -n 2p "$tmp/t"))) -ge 900
assert_eq "$(cat "$tmp/out")" "BLOCK  IP  STATE  BLOCKED SINCE (UTC)  REMAINING" "no IP: the header alone"

# --all-states: the unblocked and unblocking ones too; --type.
fakeapi_start "$D"
fakeapi_env
run scan --json --all-states --rate 100000
assert_status 0 "scan --all-states"
jq -r '.[] | "\(.block) \(.ip) \(.state)"' "$tmp/out" >"$tmp/got"
assert_true "every IP the anti-spam knows" cmp -s "$tmp/got" "$tmp/known"
assert_eq "$(jq -r 'select(.url | test("/spam\\?")) | .url' "$FAKE_LOG" | wc -l)" 0 \
	"--all-states: no state in the query"
: >"$FAKE_LOG"
run scan --json --type vps --rate 100000
assert_status 0 "scan --type vps"
assert_eq "$(jq -r '.[] | .ip' "$tmp/out" | tr '\n' ' ')" "100.64.3.5 100.64.12.3 " "only the blocks of that type"
assert_in "$FAKE_LOG" '"url":"/1.0/ip?type=vps"' "GET /ip?type=vps"
assert_eq "$(grep -c '/spam' "$FAKE_LOG")" 5 "3 lists and 2 IPs asked, no other"

# The table (the blocks of 2026-11 are over by the clock: each can be
# unblocked; block-state-api.sh has a block still running).
run scan --rate 100000
assert_status 0 "scan, the table"
assert_eq "$(sed -n 1p "$tmp/out")" \
	"BLOCK           IP            STATE           BLOCKED SINCE (UTC)  REMAINING" "the table's header"
assert_true "a row per blocked IP" grep -qE \
	'^100\.64\.7\.0/28   100\.64\.7\.14   blockedForSpam  2026-11-08 13:32:07  can be unblocked$' "$tmp/out"
assert_eq "$(wc -l <"$tmp/out")" 8 "header and 7 rows"
assert_false "no progress line when stderr is not a terminal" grep -q "$(printf '\r')" "$tmp/err"

# A progress line on a terminal (when script(1) is there and can make one:
# a chroot without /dev/pts cannot).
if command -v script >/dev/null 2>&1 && script -qec "test -t 2" /dev/null >/dev/null 2>&1 </dev/null; then
	script -qec "'$FPKIT' scan --rate 100000 >'$tmp/out2'" "$tmp/tty" >/dev/null 2>&1 </dev/null || :
	assert_in "$tmp/tty" "fpkit: scan: blocks 50/50" "a progress line on a terminal"
else
	skip "the progress line on a terminal: no terminal to be had (script(1) of util-linux, or /dev/pts, missing)"
fi

# One block's list refused: the scan fails, says where, prints nothing.
fakeapi_start "$D" --fault "forbidden:/ip/100.64.33.0%2F28/spam"
fakeapi_env
run scan --rate 100000
assert_status 77 "a block the credentials may not read"
assert_in "$tmp/err" "fpkit: GET /ip/100.64.33.0%2F28/spam?state=blockedForSpam: 403 This call has not been granted (NOT_GRANTED_CALL, query id EU.ext-" \
	"the refused call is named"
assert_eq "$(wc -c <"$tmp/out")" 0 "nothing on stdout"

run scan --parallel 0
assert_status 64 "--parallel 0"
run scan --type 'vps;x'
assert_status 64 "a --type with odd characters"

assert_true "the fake server stops cleanly" fakeapi_stop
finish
