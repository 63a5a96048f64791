#!/bin/sh
# pack --maillog compares the time the logs give each target with the
# time the API's stats give it (summary.json "log_clock"): the mixed
# fixtures read in the right zone give no offset; read with TZ wrong on
# purpose, their stamps without zone are off by the difference between
# the zone they were written in (Paris, +01:00 in November) and TZ's,
# which the warning names with the TZ to use; stamps with a zone that
# are off tell of a clock, not of TZ; an offset that is not the same for
# every target, or not a whole number of hours, is none.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

M=$FIXTURES/maillog/mixed
V=$FIXTURES/maillog/volume
PARIS='CET-1CEST,M3.5.0,M10.5.0/3'
# The tz database, when installed, gives named zones too.
if [ -f /usr/share/zoneinfo/Europe/Paris ]; then have_tzdata=1; else have_tzdata=; fi

# pack_m TZ LOGS...: pack the mixed case with fpkit in zone TZ.
pack_m() {
	zone=$1
	shift
	set +e
	(cd "$M" && TZ=$zone fpkit pack --spam-ip-json spam-ip.json --stats-json stats.json --json \
		-o "$tmp/m.tar.gz" --force $(for f in "$@"; do printf ' --maillog %s' "$f"; done)) \
		>"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}

# The classic-stamp logs (the zstd one when zstd is here to make it).
# Targets 1 and 3 (Postfix), 5 (Exim through syslog), 6 (Sendmail) and
# 4 (Exim's own log, zstd).
CLASSIC="postfix.log exim-syslog.log sendmail.log"
N=4
if command -v zstd >/dev/null 2>&1; then
	CLASSIC="$CLASSIC exim-mainlog.zst"
	N=5
fi

# --- read in Paris time, as written: no offset ---
# shellcheck disable=SC2086
pack_m "$PARIS" $CLASSIC postfix-iso.log.gz
assert_status 0 "the mixed logs in Paris time"
assert_eq "$(jq -c .log_clock "$tmp/out")" null "in the right zone: no offset"
assert_not_in "$tmp/err" "look written" "in the right zone: no warning"

# --- read in UTC: written at +01:00, the logs look an hour ahead ---
# shellcheck disable=SC2086
pack_m UTC0 $CLASSIC postfix-iso.log.gz
assert_eq "$(jq -c .log_clock "$tmp/out")" "{\"offset_seconds\":3600,\"targets\":$N,\"zone_in_stamps\":false}" \
	"TZ=UTC0: the $N targets of the stamps without zone are 1 hour ahead (the zoned one apart)"
assert_in "$tmp/err" "fpkit: warning: mail logs: the times the logs give the $N targets found there are 1 hour ahead of those of the API's stats: their stamps name no zone, and were read in the zone of TZ (UTC+00:00 on 2026-11-20); the logs look written at UTC+01:00: run again with TZ='<+01>-1'" \
	"TZ=UTC0: the warning names the zone and a TZ that reads it"
if [ -n "$have_tzdata" ]; then
	assert_in "$tmp/err" "(or a zone with that offset then, such as Europe/Paris," \
		"TZ=UTC0: ... and Europe/Paris, +01:00 in November"
else
	skip "named zones: the tz database is not installed"
fi
# The TZ it names reads them right.
# shellcheck disable=SC2086
pack_m '<+01>-1' $CLASSIC
assert_eq "$(jq -c .log_clock "$tmp/out")" null "with the TZ the warning names: no offset"

# --- read east of Paris: the logs look behind ---
# shellcheck disable=SC2086
pack_m '<+03>-3' $CLASSIC
assert_eq "$(jq -c .log_clock "$tmp/out")" "{\"offset_seconds\":-7200,\"targets\":$N,\"zone_in_stamps\":false}" \
	"TZ=+03: 2 hours behind"
assert_in "$tmp/err" "are 2 hours behind those of the API's stats" "TZ=+03: the warning says behind"
assert_in "$tmp/err" "read in the zone of TZ (UTC+03:00 on 2026-11-20); the logs look written at UTC+01:00: run again with TZ='<+01>-1'" \
	"TZ=+03: ... and still points at +01:00"

# --- read in New York time (winter: -05:00), a named zone's rules ---
# shellcheck disable=SC2086
pack_m 'EST5EDT,M3.2.0,M11.1.0' $CLASSIC
assert_eq "$(jq -c '.log_clock.offset_seconds' "$tmp/out")" 21600 "TZ=New York: 6 hours ahead"
assert_in "$tmp/err" "read in the zone of TZ (UTC-05:00 on 2026-11-20); the logs look written at UTC+01:00" \
	"TZ=New York: from -05:00 to +01:00"

# --- the volume case read in UTC: a target of each MTA, across New Year ---
mkdir "$tmp/w"
cp "$V/spam-ip.json" "$V/stats.json" "$tmp/w/"
(cd "$V" && TZ=UTC0 fpkit pack --spam-ip-json spam-ip.json --stats-json stats.json --json \
	-o "$tmp/w0.tar.gz" --maillog postfix.log --maillog exim-mainlog --maillog sendmail.log) \
	>"$tmp/out" 2>"$tmp/err"
assert_eq "$(jq -c .log_clock "$tmp/out")" '{"offset_seconds":3600,"targets":3,"zone_in_stamps":false}' \
	"the volume case in UTC: its three targets (Postfix, Exim, Sendmail) an hour ahead"
assert_in "$tmp/err" "on 2027-01-01); the logs look written at UTC+01:00" \
	"... the zone judged on the block's date, across New Year"

# --- stamps with their zone, off by two hours: a clock, not TZ ---
# The demo log with its +01:00 stamps turned into -01:00: the server's
# zone setting is wrong, each time two hours late.
sed 's/+01:00 mx1 /-01:00 mx1 /' "$DEMO/log/mail.log" >"$tmp/zoned.log"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --json --maillog "$tmp/zoned.log" \
	-o "$tmp/z.tar.gz"
n=$(jq '[.targets[] | select((.delivery | length) > 0)] | length' "$tmp/out")
assert_eq "$n" 3 "the shifted demo log: the three targets are in it"
assert_eq "$(jq -c .log_clock "$tmp/out")" '{"offset_seconds":7200,"targets":3,"zone_in_stamps":true}' \
	"stamps with a zone two hours off: recorded, the zone in the stamps"
assert_in "$tmp/err" "fpkit: warning: mail logs: the times the logs give the 3 targets found there are 2 hours ahead of those of the API's stats, though their stamps carry their zone: the mail server's clock (or its zone) or the API's times are off by that much" \
	"... and the warning blames a clock, not TZ"
assert_not_in "$tmp/err" "TZ=" "... and suggests no TZ"
# The same log as written: its targets within seconds of the API.
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --json \
	--maillog "$DEMO/log/mail.log" -o "$tmp/z0.tar.gz"
assert_eq "$(jq -c .log_clock "$tmp/out")" null "the demo log as written: no offset"

# --- no constant offset: nothing said ---
# One target's API date 30 minutes off: the others' hour is not shared.
jq '.[0].detectedSpams[0].date -= 1800' "$V/stats.json" >"$tmp/w/stats.json"
(cd "$V" && TZ=UTC0 fpkit pack --spam-ip-json spam-ip.json --stats-json "$tmp/w/stats.json" --json \
	-o "$tmp/w1.tar.gz" --maillog postfix.log --maillog exim-mainlog --maillog sendmail.log) \
	>"$tmp/out" 2>"$tmp/err"
assert_eq "$(jq -c .log_clock "$tmp/out")" null "one target 30 minutes apart: no offset"
assert_not_in "$tmp/err" "look written" "... and no warning"
# All off by 1 hour and 3 minutes: more than the 2 minutes allowed.
jq '.[0].detectedSpams[].date -= 180' "$V/stats.json" >"$tmp/w/stats.json"
(cd "$V" && TZ=UTC0 fpkit pack --spam-ip-json spam-ip.json --stats-json "$tmp/w/stats.json" --json \
	-o "$tmp/w2.tar.gz" --maillog postfix.log --maillog exim-mainlog --maillog sendmail.log) \
	>"$tmp/out" 2>"$tmp/err"
assert_eq "$(jq -c .log_clock "$tmp/out")" null "1 hour 3 minutes: not a whole number of hours"
# ... and 1 hour and 1 minute is within them.
jq '.[0].detectedSpams[].date -= 60' "$V/stats.json" >"$tmp/w/stats.json"
(cd "$V" && TZ=UTC0 fpkit pack --spam-ip-json spam-ip.json --stats-json "$tmp/w/stats.json" --json \
	-o "$tmp/w3.tar.gz" --maillog postfix.log --maillog exim-mainlog --maillog sendmail.log) \
	>"$tmp/out" 2>"$tmp/err"
assert_eq "$(jq -c .log_clock.offset_seconds "$tmp/out")" 3600 "1 hour 1 minute: an hour"
# The zoned log alone, whose target was deferred ten minutes: none.
pack_m UTC0 postfix-iso.log.gz
assert_eq "$(jq -c .log_clock "$tmp/out")" null "the zoned log's target, sent 10 minutes late: no offset"

finish
