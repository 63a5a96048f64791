#!/bin/sh
# scan-scale.sh - fpkit scan and scan --archive over a large account on
# the fake OVH API (tests/fake-ovh/fake-ovh, which logs every request it
# serves), at fpkit's default rate.  Not part of 'make check'.
#
#   make bench-scan                              # 1000 blocks, 200 events
#   BENCH_BLOCKS=60 BENCH_EVENTS=10 make bench-scan   # a quick smoke run
#
# The account: BENCH_BLOCKS blocks, one in five IPv6 (which the scan
# passes over without a request), the others IPv4 /28; BENCH_EVENTS
# addresses blocked for spam, spread over the IPv4 blocks, each with its
# stats (one detected message).  Two runs:
#   scan              the table of blocked addresses
#   scan --archive    a bundle for each of the BENCH_EVENTS new events
#                     (no --mail: the API's part of the bundle alone)
# For each: the requests the server saw, by kind; the wall time; the
# shortest time the rate allows for that many requests (fpkit(1), THE OVH
# API, Requests: a burst of min(5, rate/10), then one every
# 60/(rate - burst + 1) s); the most requests started in any 60 s; the
# most in flight; whether more than the rate arrived in any 60 s; and
# what bounds the run: "the rate" when the wall time
# is within 10 % of the rate's minimum, "other" otherwise.  Checked: the
# scan lists exactly the blocked addresses, and --archive writes one
# bundle per event, each listed in index.jsonl.
# At the default rate (50 a minute) 1000 blocks take about 20 minutes:
# the rate is the bound by design.  The progress line on a terminal is
# not shown here (standard error is a file).
#
# Environment: FPKIT, FAKE_OVH (the fake server), BENCH_DIR (default
# /tmp/fpkit-bench), BENCH_BLOCKS (default 1000), BENCH_EVENTS (default
# 200), BENCH_RATE (fpkit's --rate; default: fpkit's own, 50).  Needs jq
# and the fake server (built when configure finds libmicrohttpd).
set -eu
LC_ALL=C
TZ=UTC0
export LC_ALL TZ

FPKIT=${FPKIT:-src/fpkit}
FAKE_OVH=${FAKE_OVH:-tests/fake-ovh/fake-ovh}
BENCH_DIR=${BENCH_DIR:-/tmp/fpkit-bench}
BENCH_BLOCKS=${BENCH_BLOCKS:-1000}
BENCH_EVENTS=${BENCH_EVENTS:-200}
BENCH_RATE=${BENCH_RATE:-}

command -v jq >/dev/null 2>&1 || { echo "bench-scan: jq is needed (apt-get install jq)" >&2; exit 1; }
[ -x "$FPKIT" ] || { echo "bench-scan: no fpkit at $FPKIT (make first)" >&2; exit 1; }
[ -x "$FAKE_OVH" ] || { echo "bench-scan: no fake API at $FAKE_OVH (make tests/fake-ovh/fake-ovh; needs libmicrohttpd)" >&2; exit 1; }
v6=$((BENCH_BLOCKS / 5))
v4=$((BENCH_BLOCKS - v6))
[ "$v4" -ge "$BENCH_EVENTS" ] && [ "$v4" -le 4096 ] ||
	{ echo "bench-scan: BENCH_EVENTS must be at most the IPv4 blocks (4/5 of BENCH_BLOCKS, at most 4096)" >&2; exit 1; }
rate=${BENCH_RATE:-50}

mkdir -p "$BENCH_DIR"
work=$(mktemp -d "$BENCH_DIR/scan.XXXXXX")
pid=
trap 'if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || :; wait "$pid" || :; fi; rm -rf "$work"' EXIT

# The account's data tree, as tests/e2e/fakeapi.sh lays it out.
D=$work/data
mkdir -p "$D/blocks" "$work/home"
cat >"$D/me.json" <<'EOF'
{"nichandle":"fk1234-ovh","email":"postmaster@shop.example.com","firstname":"Camille","name":"Roux","organisation":"Lumen Atelier","country":"FR","language":"fr_FR","ovhSubsidiary":"FR","state":"complete","currency":{"code":"EUR","symbol":"EURO"}}
EOF
block4() { printf '100.64.%d.%d/28' $(($1 / 16)) $(($1 % 16 * 16)); }
i=0
while [ "$i" -lt "$v4" ]; do
	b=$(block4 "$i")
	mkdir "$D/blocks/$(printf '%s' "$b" | tr / _)"
	printf '"%s"\n' "$b"
	i=$((i + 1))
done >"$work/blocks"
i=0
while [ "$i" -lt "$v6" ]; do
	printf '"2001:db8:%x::/48"\n' "$i"
	i=$((i + 1))
done >>"$work/blocks"
jq -s -c . "$work/blocks" >"$D/ip.json"
: >"$work/blocked"
j=0
while [ "$j" -lt "$BENCH_EVENTS" ]; do
	k=$((j * v4 / BENCH_EVENTS))
	b=$(block4 "$k")
	ip=$(printf '100.64.%d.%d' $((k / 16)) $((k % 16 * 16 + 5)))
	d="$D/blocks/$(printf '%s' "$b" | tr / _)/$ip"
	mkdir -p "$d"
	printf '{"date":"2026-11-20T14:32:07+01:00","ipSpamming":"%s","state":"blockedForSpam","time":3600}\n' "$ip" >"$d/spamip.json"
	printf '[{"averageSpamscore":350,"detectedSpams":[{"date":1795180627,"destinationIp":"198.51.100.23","messageId":"event-%d@news.shop.example.com","spamscore":350}],"numberOfSpams":1,"timestamp":1795181527,"total":1794}]\n' "$j" >"$d/stats.json"
	printf '%s %s\n' "$b" "$ip" >>"$work/blocked"
	j=$((j + 1))
done

AK=fakeAK7qLmN3xR9tWvB2
AS=fakeAS4hJ8kPz2QcXe6YbN1uVw5RsT0mLd3G
CK=fakeCK9gF2dS6aZ1xC5vB8nM4kJ7hG3fD0sA
"$FAKE_OVH" --data "$D" --app-key "$AK" --app-secret "$AS" --consumer-key "$CK" \
	--port-file "$work/port" --log "$work/api.log" --max-seconds 86400 >/dev/null 2>"$work/api.err" &
pid=$!
i=0
while [ ! -s "$work/port" ]; do
	[ "$i" -lt 100 ] && kill -0 "$pid" 2>/dev/null || { echo "bench-scan: the fake API did not start" >&2; cat "$work/api.err" >&2; exit 1; }
	sleep 0.1
	i=$((i + 1))
done
HOME=$work/home
OVH_ENDPOINT=http://127.0.0.1:$(cat "$work/port")/1.0
OVH_APPLICATION_KEY=$AK
OVH_APPLICATION_SECRET=$AS
OVH_CONSUMER_KEY=$CK
export HOME OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY

now() { date +%s%N; }
# report NAME SECONDS: the requests of the log lines from $first on.
report() {
	tail -n +"$first" "$work/api.log" >"$work/part.log"
	n=$(wc -l <"$work/part.log" | tr -d ' ')
	jq -r '.url | if test("^/1.0/auth/time") then "GET /auth/time"
		elif test("^/1.0/ip$") then "GET /ip"
		elif test("^/1.0/ip/[^/]*/spam\\?") then "GET /ip/{block}/spam?state="
		elif test("/stats") then "GET /ip/{block}/spam/{ip}/stats"
		elif test("^/1.0/ip/[^/]*/spam/[^/?]*$") then "GET /ip/{block}/spam/{ip}"
		elif test("^/1.0/me") then "GET /me"
		else . end' "$work/part.log" | sort | uniq -c | sed 's/^/    /'
	jq -r .t_ms "$work/part.log" | sort -n >"$work/t"
	awk -v n="$n" -v rate="$rate" -v wall="$2" -v name="$1" '
	{ t[NR] = $1 }
	END {
		burst = int(rate / 10); if (burst > 5) burst = 5; if (burst < 1) burst = 1
		min = n > burst ? (n - burst) * 60 / (rate - burst + 1) : 0
		# the most requests that arrived in any 60 s
		j = 1; most = 0
		for (i = 1; i <= NR; i++) {
			while (t[i] - t[j] >= 60000) j++
			if (i - j + 1 > most) most = i - j + 1
		}
		printf "    %d requests in %.1f s; the rate (%d a minute) allows them in %.1f s at best;\n", n, wall, rate, min
		printf "    ceiling (at most %d in any 60 s, by arrival at the server): %s\n", rate,
			(most <= rate ? "met" : sprintf("missed (%d)", most))
		printf "    at most %d in any 60 s; bound: %s\n", most,
			(min > 0 && wall <= min * 1.1 + 1) ? "the rate" : "other (the wall time is more than 10 % above the rate'"'"'s minimum)"
	}' "$work/t"
	printf '    most in flight at once: %s\n' "$(jq -s 'map(.inflight) | max // 0' "$work/part.log")"
}

rate_opt=
[ -z "$BENCH_RATE" ] || rate_opt="--rate $BENCH_RATE"
printf '## scan of %s blocks (%s IPv4, %s IPv6), %s blocked, rate %s a minute\n\n' \
	"$BENCH_BLOCKS" "$v4" "$v6" "$BENCH_EVENTS" "$rate"
printf '%s; %s processors; %s\n\n' "$(uname -sr)" "$(nproc)" "$("$FPKIT" --version)"

first=1
t0=$(now)
"$FPKIT" scan --json $rate_opt </dev/null >"$work/scan.json" 2>"$work/scan.err" || :
t1=$(now)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
jq -r '.[] | "\(.block) \(.ip)"' "$work/scan.json" >"$work/got" 2>/dev/null || :
if cmp -s "$work/got" "$work/blocked"; then ok="exactly the $BENCH_EVENTS blocked addresses"
else ok="WRONG: $(wc -l <"$work/got" | tr -d ' ') addresses listed, see below"; fi
printf 'fpkit scan: %s\n' "$ok"
report scan "$secs"
sed 's/^/    stderr: /' "$work/scan.err"

first=$(($(wc -l <"$work/api.log") + 1))
t0=$(now)
"$FPKIT" scan --archive "$work/archive" $rate_opt </dev/null >"$work/archive.out" 2>"$work/archive.err" || :
t1=$(now)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
bundles=$(find "$work/archive" -name 'fpkit-*.tar.gz' 2>/dev/null | wc -l | tr -d ' ')
indexed=$(wc -l <"$work/archive/index.jsonl" 2>/dev/null | tr -d ' ' || echo 0)
printf '\nfpkit scan --archive: %s bundles written, %s in index.jsonl (of %s events)\n' "$bundles" "${indexed:-0}" "$BENCH_EVENTS"
report archive "$secs"
tail -n 3 "$work/archive.err" | sed 's/^/    stderr: /'
