#!/bin/sh
# pack --maillog on a 1 GiB Postfix log in bounded memory: tests/genlog
# writes the log with two targets planted 1 MiB before its end (their
# queue ids also used by 900-odd other messages before and after them),
# and pack must find both, each with its own lines only, and count the
# sending volume of the day before the block as awk does, with a peak
# RSS under 64 MiB.  The log is deleted at the end.  About 10 s on a 2-core
# machine (the time each step took is printed).
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

: "${GENLOG:?run the tests through 'make check'}"
SIZE=1073741824
MAX_RSS_KIB=65536

[ -x /usr/bin/time ] || skip_all "/usr/bin/time is not installed (Debian package 'time')"
[ -z "${FPKIT_VALGRIND:-}" ] || skip_all "1 GiB under valgrind would take hours"
avail=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
[ "$avail" -gt $((SIZE / 1024 * 5 / 4)) ] || skip_all "less than 1.25 GiB free in $tmp"

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(now)
"$GENLOG" "$tmp/big.log" "$SIZE" \
	4F2A9C1B0D:big-target-1@lumen-atelier.example \
	9E8D7C6B5A:big-target-2@lumen-atelier.example
t1=$(now)
assert_true "the log is at least 1 GiB" test "$(stat -c %s "$tmp/big.log")" -ge "$SIZE"

cat >"$tmp/spam-ip.json" <<'EOF'
{"date": "2026-11-21T03:00:00Z", "ipSpamming": "203.0.113.9", "state": "blockedForSpam", "time": 3600}
EOF
cat >"$tmp/stats.json" <<'EOF'
[{"averageSpamscore": 305, "detectedSpams": [
  {"date": 1795223000, "destinationIp": "198.51.100.10", "messageId": "big-target-1@lumen-atelier.example", "spamscore": 300},
  {"date": 1795223000, "destinationIp": "198.51.100.23", "messageId": "<big-target-2@lumen-atelier.example>", "spamscore": 310}],
  "numberOfSpams": 2, "timestamp": 1795230000, "total": 9000000}]
EOF
set +e
TZ=UTC0 /usr/bin/time -f %M -o "$tmp/rss" "$FPKIT" pack --spam-ip-json "$tmp/spam-ip.json" \
	--stats-json "$tmp/stats.json" --maillog "$tmp/big.log" -o "$tmp/big.tar.gz" --json \
	>"$tmp/out" 2>"$tmp/err"
status=$?
set -e
t2=$(now)
assert_status 0 "pack --maillog on 1 GiB"
rss=$(tail -n 1 "$tmp/rss")
if [ "$rss" -lt "$MAX_RSS_KIB" ]; then ok "peak RSS $rss KiB, under $MAX_RSS_KIB KiB"
else not_ok "peak RSS $rss KiB, not under $MAX_RSS_KIB KiB"; fi

for n in 1 2; do
	d=$(jq -c ".targets[$((n - 1))].delivery" "$tmp/out")
	assert_eq "$(printf '%s' "$d" | jq -r 'length')" 1 "target $n: one queue, not its id's other uses"
	assert_eq "$(printf '%s' "$d" | jq -r '.[0] | [.from, .complete, (.recipients | length)] | map(tostring) | join(" ")')" \
		"planted-$n@lumen-atelier.example true 3" "target $n: its sender, complete, three attempts"
	assert_eq "$(printf '%s' "$d" | jq -r '[.[0].recipients[].status] | join(" ")')" "sent deferred sent" \
		"target $n: the attempts in order"
done
assert_eq "$(jq -r '.targets[0].delivery[0].queue_id' "$tmp/out")" 4F2A9C1B0D "target 1: its queue id"
lines=$(wc -l <"$tmp/big.log")
assert_eq "$(jq -r '.maillogs[0].lines' "$tmp/out")" "$lines" "every line was read"

# The sending volume, counted in the same pass: against a count by awk
# of the smtp deliveries from Nov 20 03:00 to Nov 21 03:00 (TZ=UTC0), a
# message being a queue id's lines up to its "removed".
awk '
$5 ~ /^postfix\/qmgr\[/ && $7 == "removed" { gen[$6]++; next }
$5 ~ /^postfix\/smtp\[/ && $7 ~ /^to=/ {
	if (!(($2 == 20 && $3 >= "03:00:00") || ($2 == 21 && $3 < "03:00:00")))
		next
	m = $6 "#" gen[$6]
	if (!(m in msg)) {
		msg[m] = 1
		messages++
		if ($2 == 21 && $3 >= "02:00:00")
			last++
	}
	for (i = 8; i <= NF; i++)
		if ($i ~ /^status=/)
			st[m " " $7] = $i
}
END {
	for (r in st) {
		recipients++
		deferred += st[r] == "status=deferred"
	}
	printf "%d %d %d %d\n", messages, recipients, deferred, last
}' "$tmp/big.log" >"$tmp/count"
read -r messages recipients deferred last <"$tmp/count"
assert_true "awk counts messages in the window" test "$messages" -gt 100000
assert_eq "$(jq -c '.volume | [.messages, .recipients, .deferred, .bounced, .hourly[23].messages]' "$tmp/out")" \
	"[$messages,$recipients,$deferred,0,$last]" "the volume: $messages messages in the 24 hours, $last in the last"
end=$(tail -n 1 "$tmp/big.log" | awk '{ printf "2026-11-%02dT%sZ", $2, $3 }')
assert_eq "$(jq -c '.volume | [.complete, .covered_from, .covered_to]' "$tmp/out")" \
	"[false,\"2026-11-20T03:00:00Z\",\"$end\"]" "the log ends before the block: covered up to its last line"
assert_in "$tmp/err" "fpkit: $messages messages sent in the 24 h before the block, $last in the last hour" \
	"the count on stderr"
run verify "$tmp/big.tar.gz"
assert_status 0 "the bundle verifies"
rm -f "$tmp/big.log"
assert_false "the 1 GiB log is deleted" test -e "$tmp/big.log"
printf "# took %s\n" "$(took "$t0" "$t2") s: generating $(took "$t0" "$t1") s, pack $(took "$t1" "$t2") s"

finish
