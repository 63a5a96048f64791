#!/bin/sh
# pack --maillog: Postfix (classic and RFC 5424 time stamps), Exim (its
# own log and syslog) and Sendmail logs, plain, gzip and zstd, against
# the expected logs/ files and delivery facts beside the fixtures; queue
# ids used again, a Message-ID quoted by a later unrelated line, a line
# over the limit, times and their zones, the year boundary, errors,
# verify and byte-for-byte determinism.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

CASE="$FIXTURES/maillog/mixed"
WANT="$CASE/expected"
BUNDLE=fpkit-203.0.113.9-20261120T134000Z
# Paris time without tzdata: classic syslog stamps are local time.
PARIS='CET-1CEST,M3.5.0,M10.5.0/3'
TZ=$PARIS
export TZ
LOGS="--maillog postfix.log --maillog postfix-iso.log.gz --maillog exim-mainlog.zst
      --maillog exim-syslog.log --maillog sendmail.log"

# pack_case OUT ARGS...: pack the case from its folder (the log paths, as
# given, are part of the bundle), bundle to OUT.
pack_case() {
	out=$1
	shift
	set +e
	(cd "$CASE" && fpkit pack --spam-ip-json spam-ip.json --stats-json stats.json \
		-o "$out" "$@") >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}

# --- the case, all five logs ---
# shellcheck disable=SC2086
pack_case "$tmp/a.tar.gz" --json $LOGS
assert_status 0 "pack with five mail logs"
cp "$tmp/out" "$tmp/a.json"
mkdir "$tmp/x"
tar -xzf "$tmp/a.tar.gz" -C "$tmp/x"
B="$tmp/x/$BUNDLE"

# logs/: one file per target that the logs announce, as expected.
(cd "$B" && ls logs) >"$tmp/names"
(cd "$WANT" && ls logs) >"$tmp/want-names"
assert_true "logs/ holds the expected files" cmp -s "$tmp/names" "$tmp/want-names"
assert_eq "$(wc -l <"$tmp/names")" 6 "six of the seven targets have lines"
for f in "$WANT"/logs/*.log; do
	n=$(basename "$f")
	if cmp -s "$f" "$B/logs/$n"; then ok "logs/$n as expected"
	else not_ok "logs/$n differs:"; diff "$f" "$B/logs/$n" | head -20 | sed 's/^/#   /'; fi
done

# summary.json: each target's log_file and delivery facts, and the files.
jq '[.targets[] | {message_id, log_file, delivery}]' "$B/summary.json" >"$tmp/delivery.json"
if cmp -s "$WANT/delivery.json" "$tmp/delivery.json"; then ok "delivery facts as expected"
else not_ok "delivery facts differ:"; diff "$WANT/delivery.json" "$tmp/delivery.json" | head -30 | sed 's/^/#   /'; fi
jq .maillogs "$B/summary.json" >"$tmp/maillogs.json"
assert_true "summary: maillogs as expected" cmp -s "$WANT/maillogs.json" "$tmp/maillogs.json"
assert_eq "$(jq -c '.targets[6] | [.log_file, .delivery]' "$B/summary.json")" '[null,[]]' \
	"a target no log announces: no file, no delivery"
assert_eq "$(jq -S 'del(.bundle)' "$tmp/a.json" | sha256sum)" "$(jq -S . "$B/summary.json" | sha256sum)" \
	"--json prints the summary of the bundle"

# What must not be there.
L1="$B/logs/01-nl.2026-11.r4512.0a1b@news.lumen-atelier.example.log"
L3="$B/logs/03-pw-reset-77.1795181400@lumen-atelier.example.log"
L4="$B/logs/04-E1vQmKx-0003Fz-2D@web2.lumen-atelier.example.log"
L6="$B/logs/06-202611201332.5AKDW0ab031337@mx3.lumen-atelier.example.log"
assert_not_in "$L1" "invoice-10490" "queue id used before: the earlier message is not merged"
assert_not_in "$L1" "invoice-10512" "queue id used again: the later message is not merged"
assert_not_in "$L1" "finance@example.com" "... nor its recipient"
assert_not_in "$L1" " mx2 " "the same queue id on another host is another queue"
assert_not_in "$L1" "AAAAAAAA" "the line over the limit is not kept"
assert_in "$L1" 'Black Friday \x1b[2J preview \xe9t\xe9' "control bytes and bad UTF-8 made visible"
assert_false "no raw escape byte in logs/" grep -q "$(printf '\033')" "$L1"
assert_not_in "$L3" "6A5B4C3D2E" "a later reply quoting the Message-ID is not its trail"
assert_not_in "$L3" "autoreply" "... nor is its cleanup line"
assert_not_in "$L4" "1vQmKy-0003G2-1A" "an id= inside an Exim subject announces nothing"
assert_not_in "$L6" "i.garnier@example.com" "Sendmail: the next from= of the queue id starts anew"
assert_in "$tmp/err" "mail log 'postfix.log': 1 line longer than 16384 bytes skipped (the first is line 18)" \
	"the long line is reported with its file, line and the limit"
assert_in "$tmp/err" "no mail-log line announces the Message-ID <never-logged.42@lumen-atelier.example>" \
	"a target without a trail is reported"

# The bundle verifies, SHA256SUMS covers logs/, and it is deterministic.
run verify "$tmp/a.tar.gz"
assert_status 0 "verify on the bundle with logs/"
assert_true "sha256sum -c SHA256SUMS passes" sh -c "cd '$B' && sha256sum --quiet -c SHA256SUMS"
assert_in "$B/SHA256SUMS" "  logs/04-E1vQmKx-0003Fz-2D@web2.lumen-atelier.example.log" "SHA256SUMS names logs/"
sleep 1
# shellcheck disable=SC2086
mkdir "$tmp/b"
pack_case "$tmp/b/a.tar.gz" --json $LOGS
assert_status 0 "second pack"
assert_true "two runs give byte-identical bundles" cmp -s "$tmp/a.tar.gz" "$tmp/b/a.tar.gz"

# --- times: a classic stamp is local time (TZ), a zoned one is exact ---
TZ=UTC0
# shellcheck disable=SC2086
pack_case "$tmp/utc.tar.gz" --json $LOGS
TZ=$PARIS
assert_status 0 "pack with TZ=UTC"
assert_eq "$(jq -r '.targets[0].delivery[0].time' "$tmp/out")" 2026-11-20T14:23:01Z \
	"TZ=UTC: the classic stamp 14:23:01 is 14:23:01Z"
assert_eq "$(jq -r '.targets[1].delivery[0].time' "$tmp/out")" 2026-11-20T13:25:00Z \
	"TZ=UTC: the stamp with +01:00 is unchanged"

# --- other orders and subsets ---
pack_case "$tmp/c.tar.gz" --json --maillog sendmail.log --maillog postfix.log \
	--maillog ./postfix.log
assert_status 0 "pack with two logs, one given twice"
assert_in "$tmp/err" "mail log './postfix.log' is 'postfix.log' again: read once" "a log given twice is read once"
assert_eq "$(jq -c '[.targets[] | (.delivery | length)]' "$tmp/out")" '[1,0,1,0,0,1,0]' \
	"only the targets of the logs given"
assert_eq "$(jq -r '.maillogs | length' "$tmp/out")" 2 "summary: two logs read"

# Without --maillog nothing changes: no logs/, no new keys.
pack_case "$tmp/none.tar.gz" --json
assert_status 0 "pack without --maillog"
assert_eq "$(jq -c '[has("maillogs"), (.targets[0] | has("delivery"), has("log_file"))]' "$tmp/out")" \
	'[false,false,false]' "no mail-log keys without --maillog"
assert_false "no logs/ without --maillog" sh -c "tar -tzf '$tmp/none.tar.gz' | grep -q /logs/"

# --- the year boundary: December lines before a block on 1 January ---
mkdir "$tmp/ny"
cat >"$tmp/ny/spam-ip.json" <<'EOF'
{"date": "2027-01-01T00:20:00Z", "ipSpamming": "203.0.113.9", "state": "blockedForSpam", "time": 3600}
EOF
cat >"$tmp/ny/stats.json" <<'EOF'
[{"averageSpamscore": 300, "detectedSpams": [
  {"date": 1798757880, "destinationIp": "198.51.100.23", "messageId": "ny-1@lumen-atelier.example", "spamscore": 300}],
  "numberOfSpams": 1, "timestamp": 1798762800, "total": 10}]
EOF
cat >"$tmp/ny/mail.log" <<'EOF'
Dec 31 23:58:00 mx1 postfix/pickup[10]: 7E7E7E7E7E: uid=33 from=<www-data>
Dec 31 23:58:00 mx1 postfix/cleanup[11]: 7E7E7E7E7E: message-id=<ny-1@lumen-atelier.example>
Dec 31 23:58:00 mx1 postfix/qmgr[12]: 7E7E7E7E7E: from=<wishes@lumen-atelier.example>, size=900, nrcpt=1 (queue active)
Jan  1 00:00:02 mx1 postfix/smtp[13]: 7E7E7E7E7E: to=<z@example.org>, relay=mx1.example.org[198.51.100.23]:25, delay=122, delays=120/0/1/1, dsn=2.0.0, status=sent (250 ok)
Jan  1 00:00:02 mx1 postfix/qmgr[12]: 7E7E7E7E7E: removed
EOF
run pack --spam-ip-json "$tmp/ny/spam-ip.json" --stats-json "$tmp/ny/stats.json" \
	--maillog "$tmp/ny/mail.log" -o "$tmp/ny.tar.gz" --json
assert_status 0 "pack across New Year"
assert_eq "$(jq -r '.targets[0].delivery[0] | [.time, .recipients[0].time] | join(" ")' "$tmp/out")" \
	"2026-12-31T22:58:00Z 2026-12-31T23:00:02Z" "December is last year's, January this year's"

# --- RFC 5424: the BOM that may start MSG (its section 6.4) is no part of it ---
mkdir "$tmp/bom"
sed 's/ny-1@/bom-1@/' "$tmp/ny/stats.json" >"$tmp/bom/stats.json"
{
	printf '<22>1 2026-12-31T23:58:00Z mx1 postfix/cleanup 11 - - \357\273\2777E7E7E7E7E: message-id=<bom-1@lumen-atelier.example>\n'
	printf '<22>1 2026-12-31T23:58:00Z mx1 postfix/qmgr 12 - - \357\273\2777E7E7E7E7E: from=<wishes@lumen-atelier.example>, size=900, nrcpt=1 (queue active)\n'
	printf '<22>1 2026-12-31T23:58:01Z mx1 postfix/qmgr 12 - - \357\273\2777E7E7E7E7E: removed\n'
} >"$tmp/bom/mail.log"
run pack --spam-ip-json "$tmp/ny/spam-ip.json" --stats-json "$tmp/bom/stats.json" \
	--maillog "$tmp/bom/mail.log" -o "$tmp/bom.tar.gz" --json
assert_status 0 "pack with an RFC 5424 log whose messages start with a BOM"
assert_eq "$(jq -c '.targets[0].delivery[0] | [.queue_id, .from, .complete]' "$tmp/out")" \
	'["7E7E7E7E7E","wishes@lumen-atelier.example",true]' "the BOM is passed over: the queue is read"

# --- other compressions, when their tools are here ---
for tool in xz bzip2; do
	if command -v "$tool" >/dev/null 2>&1; then
		"$tool" -c <"$CASE/sendmail.log" >"$tmp/sendmail.log.x"
		pack_case "$tmp/$tool.tar.gz" --json --maillog "$tmp/sendmail.log.x"
		assert_eq "$(jq -c '[.maillogs[0].compression, (.targets[5].delivery[0].recipients | length)]' "$tmp/out")" \
			"[\"$tool\",3]" "a $tool log is read by its content"
	else
		skip "a $tool log: $tool is not installed"
	fi
done

# --- errors: nothing is written ---
mkdir "$tmp/e"
pack_case "$tmp/e/x.tar.gz" --maillog /nonexistent/mail.log
assert_status 66 "a log that does not exist"
assert_in "$tmp/err" "fpkit: pack: cannot open mail log '/nonexistent/mail.log'" "... is named"
pack_case "$tmp/e/x.tar.gz" --maillog "$tmp"
assert_status 66 "a folder given as a log"
assert_in "$tmp/err" "is not a regular file" "... says why"
head -c 500 "$CASE/postfix-iso.log.gz" >"$tmp/cut.log.gz"
pack_case "$tmp/e/x.tar.gz" --maillog "$tmp/cut.log.gz"
assert_status 65 "a cut gzip log"
assert_in "$tmp/err" "cut.log.gz" "... is named"
no_leftovers "$tmp/e" "no bundle after a log error"
run pack --help
assert_in "$tmp/out" "--maillog FILE" "pack --help lists --maillog"

finish
