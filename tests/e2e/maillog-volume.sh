#!/bin/sh
# pack --maillog counts the mail sent through the IP in the 24 hours
# before the block (summary.json "volume"): against the counts written by
# hand in fixtures/maillog/README.md for the volume/ case (Postfix,
# Exim's own log and Sendmail across New Year; mail received and
# delivered on the machine, a content filter on loopback, relays of the
# local network, a queue id used twice, deferrals, bounces, an expiry)
# and against a second count by tests/e2e/volume-reader.py, written from
# fpkit(1)'s rules and the MTAs' formats, for those logs, the mixed
# fixtures and the demo log; then the coverage of the window, --log-host,
# the line on stderr, and the limits on what the count holds.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

V=$FIXTURES/maillog/volume
M=$FIXTURES/maillog/mixed
READER="python3 $TESTS_DIR/e2e/volume-reader.py"
# reader ARGS...: the second count on stdout, or nothing without python3.
reader() { [ -z "$have_python" ] || $READER "$@"; }
# Classic stamps are Paris time (fixtures/maillog/README.md).
TZ='CET-1CEST,M3.5.0,M10.5.0/3'
export TZ
BLOCK=2027-01-01T00:20:00Z

# pack_v OUT ARGS...: pack the volume case from its folder, summary.json
# on stdout.
pack_v() {
	out=$1
	shift
	set +e
	(cd "$V" && fpkit pack --spam-ip-json spam-ip.json --stats-json stats.json --json \
		-o "$out" "$@") >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}

# The second count needs python3; the counts by hand do not.
if command -v python3 >/dev/null 2>&1; then have_python=1; else have_python=; fi

# same_volume WHAT READER-JSON: the volume of the last pack is what the
# second count found (the reader's output, when python3 is here).
same_volume() {
	if [ -z "$have_python" ]; then
		skip "$1: python3 is not installed"
		return
	fi
	jq -S .volume "$tmp/out" >"$tmp/got.json"
	jq -S . "$2" >"$tmp/want.json"
	if cmp -s "$tmp/got.json" "$tmp/want.json"; then ok "$1"
	else not_ok "$1:"; diff "$tmp/want.json" "$tmp/got.json" | head -30 | sed 's/^/#   /'; fi
}

# vol FIELDS: jq -c of the volume of the last pack.
vol() { jq -c ".volume | $1" "$tmp/out"; }

# --- the volume case, the three logs: the counts of the README ---
pack_v "$tmp/v.tar.gz" --maillog postfix.log --maillog exim-mainlog --maillog sendmail.log
assert_status 0 "pack with the three logs of the volume case"
assert_eq "$(vol '[.messages, .recipients, .recipient_domains, .delivered, .deferred, .bounced]')" \
	'[18,24,5,17,3,4]' "18 messages to 24 recipients of 5 domains: 17 delivered, 3 deferred, 4 bounced"
assert_eq "$(vol '[.from, .to, .hours, .complete, .covered_from, .covered_to]')" \
	"[\"2026-12-31T00:20:00Z\",\"$BLOCK\",24,true,\"2026-12-31T00:20:00Z\",\"$BLOCK\"]" \
	"the window: the 24 hours before the block, covered"
assert_eq "$(vol '[.hourly[].messages]')" '[1,0,0,0,0,0,0,1,1,1,1,1,1,1,1,2,0,1,2,1,1,0,0,2]' \
	"messages hour by hour"
assert_eq "$(vol '[.hourly[].recipients]')" '[1,0,0,0,0,0,0,1,3,1,3,2,2,1,1,2,0,1,2,1,1,0,0,2]' \
	"recipients hour by hour"
assert_eq "$(vol '[.hourly[] | [.deferred, .bounced]] | map(map(tostring) | join("/")) | join(" ")')" \
	'"0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/1 0/1 0/0 0/1 0/0 0/0 0/1 0/0 0/0 0/0 0/0 1/0 0/0 0/0 2/0"' \
	"deferred and bounced hour by hour"
assert_eq "$(vol '[.hourly[0].hour, .hourly[23].hour]')" \
	'["2026-12-31T00:20:00Z","2026-12-31T23:20:00Z"]' "each hour named by its start, oldest first"
assert_eq "$(vol '[.hosts, .log_host]')" '[["mx1","mx3"],null]' "the hosts counted"
assert_eq "$(vol '[.hourly[] | .messages] | add')" "$(vol .messages)" "the hours add up to the total"
assert_in "$tmp/err" "fpkit: 18 messages sent in the 24 h before the block, 2 in the last hour; 24 recipients, 3 deferred, 4 bounced" \
	"the count on stderr"
assert_in "$tmp/err" "fpkit: warning: mail logs: the sending volume counts the mail of 2 hosts (mx1, mx3): if not all of them send through the blocked IP, give --log-host" \
	"two hosts counted: a warning names them"
(cd "$V" && reader "$BLOCK" +01:00 postfix.log exim-mainlog sendmail.log) >"$tmp/read.json"
same_volume "the volume is what the second count finds" "$tmp/read.json"

# Each log alone: its counts (README), and the second count.
for case in "postfix.log|[10,12,5,9,1,2]" "exim-mainlog|[3,5,4,3,1,1]" "sendmail.log|[5,7,5,5,1,1]"; do
	log=${case%%|*}
	pack_v "$tmp/$log.tar.gz" --maillog "$log"
	assert_eq "$(vol '[.messages, .recipients, .recipient_domains, .delivered, .deferred, .bounced]')" \
		"${case#*|}" "$log alone: messages, recipients, domains, delivered, deferred, bounced"
	(cd "$V" && reader "$BLOCK" +01:00 "$log") >"$tmp/read.json"
	same_volume "$log alone: the second count agrees" "$tmp/read.json"
done
# The Exim log starts and ends inside the window.
pack_v "$tmp/exim.tar.gz" --maillog exim-mainlog
assert_eq "$(vol '[.complete, .covered_from, .covered_to]')" \
	'[false,"2026-12-31T09:00:00Z","2027-01-01T00:10:01Z"]' "a log inside the window: not complete, what it covers"
assert_in "$tmp/err" "fpkit: warning: mail logs: they cover the 24 hours before the block (2026-12-31T00:20:00Z to $BLOCK) only from 2026-12-31T09:00:00Z to 2027-01-01T00:10:01Z" \
	"... and a warning says what"
assert_in "$tmp/err" "(the logs do not cover all of it)" "... and so does the count on stderr"

# The control: the second count tells a changed log.
mkdir "$tmp/changed"
cp "$V"/* "$tmp/changed/"
sed 's/to=<b3@example.org>, \(.*\)status=bounced/to=<b3@example.org>, \1status=sent/' "$V/postfix.log" \
	>"$tmp/changed/postfix.log"
if [ -n "$have_python" ]; then
	(cd "$tmp/changed" && reader "$BLOCK" +01:00 postfix.log) >"$tmp/read2.json"
	assert_eq "$(jq -c '[.delivered, .bounced]' "$tmp/read2.json")" '[10,1]' \
		"control: the second count tells a bounce changed into a delivery"
fi

# --- --log-host ---
pack_v "$tmp/h.tar.gz" --maillog postfix.log --maillog exim-mainlog --maillog sendmail.log \
	--log-host MX1
assert_status 0 "--log-host MX1"
assert_eq "$(vol '[.messages, .recipients, .hosts, .log_host]')" '[13,17,["mx1"],"MX1"]' \
	"--log-host: that host's mail (its name in any case) and Exim's own log, which names none"
assert_not_in "$tmp/err" "hosts (" "--log-host: no warning about several hosts"
(cd "$V" && reader "$BLOCK" +01:00 --host MX1 postfix.log exim-mainlog sendmail.log) >"$tmp/read.json"
same_volume "--log-host: the second count agrees" "$tmp/read.json"
pack_v "$tmp/h2.tar.gz" --maillog postfix.log --log-host mx9
assert_eq "$(vol '[.messages, .log_host]')" '[0,"mx9"]' "--log-host of no host in the logs: nothing counted"
assert_in "$tmp/err" "fpkit: warning: mail logs: no line of host 'mx9' (--log-host): the sending volume counts none" \
	"... with a warning"
pack_v "$tmp/h3.tar.gz" --log-host mx1
assert_status 64 "--log-host without --maillog"
assert_in "$tmp/err" "--log-host applies only with --maillog" "... is refused, saying why"
pack_v "$tmp/h4.tar.gz" --maillog postfix.log --log-host 'mx 1'
assert_status 64 "--log-host with a blank"
run pack --help
assert_in "$tmp/out" "--log-host NAME" "pack --help lists --log-host"

# --- the mixed fixtures: four hosts, five logs, amavis on loopback ---
L="postfix.log postfix-iso.log.gz exim-mainlog.zst exim-syslog.log sendmail.log"
if command -v zstd >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	(cd "$M" && fpkit pack --spam-ip-json spam-ip.json --stats-json stats.json --json \
		-o "$tmp/m.tar.gz" $(for f in $L; do printf ' --maillog %s' "$f"; done)) \
		>"$tmp/out" 2>"$tmp/err"
	# shellcheck disable=SC2086
	(cd "$M" && reader 2026-11-20T13:40:00Z +01:00 $L) >"$tmp/read.json"
	same_volume "the mixed fixtures: the second count agrees" "$tmp/read.json"
	assert_eq "$(vol '[.messages, .complete]')" '[14,false]' \
		"the mixed fixtures: 14 messages (amavis's hop on loopback not counted), logs of 40 minutes"
else
	skip "the mixed fixtures: zstd is not installed"
fi

# --- the demo log: a day of a relay, incoming mail, a newsletter burst ---
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --no-dkim --json \
	--maillog "$DEMO/log/mail.log" -o "$tmp/demo.tar.gz"
assert_status 0 "pack with the demo log"
reader 2026-11-20T13:32:07Z +01:00 "$DEMO/log/mail.log" >"$tmp/read.json"
same_volume "the demo log: the second count agrees" "$tmp/read.json"
# The line on stderr says what the second count found (without python3,
# what summary.json says).
[ -n "$have_python" ] || jq .volume "$tmp/out" >"$tmp/read.json"
n=$(jq .messages "$tmp/read.json")
last=$(jq '.hourly[23].messages' "$tmp/read.json")
assert_in "$tmp/err" "fpkit: $n messages sent in the 24 h before the block, $last in the last hour;" \
	"the demo log: the count on stderr"
assert_true "the demo log: the burst of the last hour stands out (more than 5 times any other hour)" \
	jq -e --argjson last "$last" '.volume | [.hourly[:23][].messages] | max * 5 < $last' "$tmp/out"
assert_eq "$(vol '.complete')" true "the demo log covers the window"
# The ticket says it, the last hour against the 23 before it, in both
# languages, from the second count's hourly figures (averaged here).
avg=$(jq '[.hourly[:23][].messages] | add / 23 | round' "$tmp/read.json")
max=$(jq '[.hourly[:23][].messages] | max' "$tmp/read.json")
for lang in en fr; do
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --no-dkim --lang $lang \
		--maillog "$DEMO/log/mail.log" -o "$tmp/demo-$lang.tar.gz"
	assert_status 0 "pack with the demo log ($lang)"
	if [ $lang = en ]; then
		assert_said "$tmp/out" "$n messages to" "the ticket: the messages sent in the 24 hours"
		assert_said "$tmp/out" "In the last hour before the block: $last messages; in the 23 hours before it, $avg an hour on average and $max at most." \
			"the ticket: the last hour against the others"
	else
		assert_said "$tmp/out" "$n messages pour" "le ticket : les messages envoyés en 24 heures"
		assert_said "$tmp/out" "Dans la dernière heure avant le blocage : $last messages ; dans les 23 heures précédentes, $avg par heure en moyenne et $max au maximum." \
			"le ticket : la dernière heure face aux autres"
	fi
	assert_false "the ticket ($lang): no partial cover said" grep -q "cover only\|ne couvrent que" "$tmp/out"
done

# --- what the logs cover ---
# From the middle of the window: the older rotated log is missing.
sed -n '/^Dec 31 12:00:00/,$p' "$V/postfix.log" >"$tmp/late.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/late.log" -o "$tmp/late.tar.gz"
assert_eq "$(vol '[.complete, .covered_from, .covered_to]')" \
	"[false,\"2026-12-31T11:00:00Z\",\"$BLOCK\"]" "a log from the middle of the window: covered from its first line"
assert_in "$tmp/err" "give the older rotated logs too, oldest first" "... and the warning asks for the older logs"
mkdir "$tmp/late-x" && tar -xzf "$tmp/late.tar.gz" -C "$tmp/late-x"
assert_said "$(ls "$tmp"/late-x/*/TICKET.txt)" "Our logs cover only 2026-12-31 11:00:00 UTC to $(printf '%s' "$BLOCK" | sed 's/T/ /; s/Z/ UTC/') of that time." \
	"... and the ticket says what the logs cover"
# Up to the middle: the newer log is missing.
sed '/^Dec 31 12:00:00/,$d' "$V/postfix.log" >"$tmp/early.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/early.log" -o "$tmp/early.tar.gz"
assert_eq "$(vol '[.complete, .covered_from, .covered_to, .messages]')" \
	'[false,"2026-12-31T00:20:00Z","2026-12-31T08:10:01Z",2]' "a log that ends in the window: covered up to its last line"
assert_in "$tmp/err" "give the logs written since, up to the block" "... and the warning asks for the newer logs"
# Nothing of the window.
sed -n '1,5p' "$V/postfix.log" >"$tmp/old.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/old.log" -o "$tmp/old.tar.gz"
assert_eq "$(vol '[.messages, .complete, .covered_from, .covered_to]')" '[0,false,null,null]' \
	"a log from before the window: nothing counted, nothing covered"
assert_in "$tmp/err" "fpkit: warning: mail logs: no line from the 24 hours before the block" "... said"
assert_eq "$(jq -r '.volume.hourly | length' "$tmp/out")" 24 "... still 24 hours listed"

# Without --maillog: null, and no line on stderr.
run pack --spam-ip-json "$V/spam-ip.json" --json -o "$tmp/none.tar.gz"
assert_eq "$(jq -c '[.volume, .log_clock]' "$tmp/out")" '[null,null]' "no log: volume and log_clock null"
assert_not_in "$tmp/err" "before the block, " "no log: no count on stderr"

# --- the limits on what the count holds (FPKIT_LIMIT_LOG_VOLUME_*) ---
# gen_domains N: a Postfix log with one message to each of N domains.
gen_domains() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			q = sprintf("%X", 1048576 + i)
			printf "Dec 31 12:%02d:%02d mx1 postfix/smtp[9]: %s: to=<a@d%d.example>, relay=mx.example[198.51.100.40]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n", int(i / 60) % 60, i % 60, q, i
			printf "Dec 31 12:%02d:%02d mx1 postfix/qmgr[8]: %s: removed\n", int(i / 60) % 60, i % 60, q
		}
	}'
}
gen_domains 100000 >"$tmp/d100k.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/d100k.log" -o "$tmp/d1.tar.gz"
assert_eq "$(vol '[.messages, .recipient_domains]')" '[100000,100000]' "100000 domains: each counted"
assert_not_in "$tmp/err" "recipient domains" "100000 domains: no warning"
gen_domains 100001 >"$tmp/d100k.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/d100k.log" -o "$tmp/d2.tar.gz"
assert_eq "$(vol '[.messages, .recipient_domains]')" '[100001,100000]' "100001 domains: counted up to the limit"
assert_in "$tmp/err" "fpkit: warning: mail logs: more than 100000 recipient domains in the 24 hours before the block: the volume says 100000" \
	"... with a warning naming it"
# gen_open N: Sendmail deliveries deferred in N queues that never end,
# then a delivery of the first.
gen_open() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "Dec 31 12:%02d:%02d mx3 sm-mta[9]: Q%07d: to=<a%d@example.com>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.com. [198.51.100.40], dsn=4.0.0, stat=Deferred: 450 try later\n", int(i / 60) % 60, i % 60, i, i
		printf "Dec 31 13:00:00 mx3 sm-mta[9]: Q%07d: to=<a1@example.com>, delay=00:10:01, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.com. [198.51.100.40], dsn=2.0.0, stat=Sent (ok)\n", 1
	}'
}
gen_open 100000 >"$tmp/o.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/o.log" -o "$tmp/o1.tar.gz"
assert_eq "$(vol '[.messages, .recipients, .deferred, .delivered]')" '[100000,100000,99999,1]' \
	"100000 recipients waiting: each followed to its end"
assert_not_in "$tmp/err" "forgotten" "100000 recipients waiting: no warning"
gen_open 100001 >"$tmp/o.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/o.log" -o "$tmp/o2.tar.gz"
assert_eq "$(vol '[.messages, .recipients, .deferred, .delivered]')" '[100002,100002,100001,1]' \
	"100001 recipients waiting: the oldest forgotten, its delivery counted as another message"
assert_in "$tmp/err" "fpkit: warning: mail logs: more than 100000 recipients in the 24 hours before the block belong to messages whose end the logs have not shown yet" \
	"... with a warning naming the limit"
# gen_hosts N: one message from each of N hosts.
gen_hosts() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "Dec 31 12:00:%02d h%02d postfix/smtp[9]: 1A2B3C4D5E: to=<a@example.com>, relay=mx.example.com[198.51.100.40]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n", i, i
	}'
}
gen_hosts 32 >"$tmp/h.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/h.log" -o "$tmp/hs1.tar.gz"
assert_eq "$(vol '[.messages, (.hosts | length), .hosts[31]]')" '[32,32,"h32"]' "32 hosts: each named"
assert_in "$tmp/err" "counts the mail of 32 hosts (h01, h02, h03, h04, ...)" "... and counted in the warning"
gen_hosts 33 >"$tmp/h.log"
run pack --spam-ip-json "$V/spam-ip.json" --json --maillog "$tmp/h.log" -o "$tmp/hs2.tar.gz"
assert_eq "$(vol '[.messages, (.hosts | length)]')" '[33,32]' "33 hosts: all counted, 32 named"
assert_in "$tmp/err" "counts the mail of more than 32 hosts" "... and the warning says more"

finish
