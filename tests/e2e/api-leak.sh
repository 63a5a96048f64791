#!/bin/sh
# No credential ever leaves fpkit: every byte it produced in a range of
# runs (stdout, stderr, --verbose traces, a terminal's progress line,
# bundles as compressed, as tar and as files, --save-api files, error
# messages about bad credentials) is searched for the application key,
# the application secret and the consumer key.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
fakeapi_setup

IP=203.0.113.7
EB=203.0.113.0%2F28
D=$tmp/data
fakeapi_case "$D" 203.0.113.0/28 "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
mkdir -p "$D/blocks/203.0.113.16_28"
jq -c '. + ["203.0.113.16/28"]' "$D/ip.json" >"$D/ip.new" && mv "$D/ip.new" "$D/ip.json"

# Everything fpkit writes goes under $OUT.
OUT=$tmp/produced
mkdir "$OUT"
i=0
# keep ARGS...: run fpkit, keep its stdout and stderr under $OUT.
keep() {
	i=$((i + 1))
	run "$@"
	cp "$tmp/out" "$OUT/$i.stdout"
	cp "$tmp/err" "$OUT/$i.stderr"
}

fakeapi_start "$D" --fault "503:1:/ip/$EB/spam/$IP/stats"
fakeapi_env
mkdir "$OUT/bundles" "$OUT/api"
keep pack --ip "$IP" --mail "$DEMO_MAIL" --verbose --json -o "$OUT/bundles/a.tar.gz" \
	--save-api "$OUT/api"
assert_status 0 "pack from the API, with a retry and --verbose"
keep pack --ip "$IP" --mail "$DEMO_MAIL" -o "$OUT/bundles/b.tar.gz"
assert_status 0 "pack from the API, the ticket"
keep scan --verbose --json --rate 100000
assert_status 0 "scan --verbose --json"
keep scan --all-states --rate 100000
assert_status 0 "scan, the table"
if command -v script >/dev/null 2>&1 && script -qec "test -t 2" /dev/null >/dev/null 2>&1 </dev/null; then
	script -qec "'$FPKIT' scan --rate 100000" "$OUT/tty" >/dev/null 2>&1 </dev/null || :
	assert_in "$OUT/tty" "fpkit: scan: " "the terminal run is kept"
else
	skip "a run on a terminal: no terminal to be had (script(1) of util-linux, or /dev/pts, missing)"
fi

# The unblock: a write, its answer lost, with --verbose.
fakeapi_start "$D" --fault "lost:1:/ip/$EB/spam/$IP/unblock"
fakeapi_env
keep unblock "$IP" --no-evidence --force --yes --verbose --json
assert_status 0 "unblock, its answer lost, --verbose"
keep unblock "$IP" --no-evidence --force --yes --verbose
assert_status 0 "unblock, unblocking already, --verbose"

# Failures: refused calls, a wrong secret, the timestamp.
fakeapi_start "$D" --fault "forbidden:/ip/$EB/spam" --error-style both
fakeapi_env
keep unblock "$IP" --no-evidence --force --yes --verbose
assert_status 77 "an unblock refused, traced"
keep pack --ip "$IP" --verbose -o "$OUT/bundles/c.tar.gz"
assert_status 77 "a refused call, traced"
keep scan --verbose --rate 100000
assert_status 77 "scan refused, traced"
OVH_APPLICATION_SECRET=${FAKE_AS}x
keep pack --ip "$IP" --verbose -o "$OUT/bundles/d.tar.gz"
assert_status 77 "a wrong secret"
OVH_APPLICATION_SECRET=$FAKE_AS
fakeapi_start "$D" --window 1 --fault "slow:2:/ip/$EB/spam/$IP\$"
fakeapi_env
keep pack --ip "$IP" --block 203.0.113.0/28 --verbose -o "$OUT/bundles/e.tar.gz"
assert_status 77 "a refused timestamp"

# Credentials from files, with every warning and error about them.
fakeapi_start "$D"
unset OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
printf '[default]\nendpoint = %s\n[%s]\napplication_key = %s\napplication_secret = %s\nconsumer_key = %s\n' \
	"$FAKE_URL" "$FAKE_URL" "$FAKE_AK" "$FAKE_AS" "$FAKE_CK" >ovh.conf
chmod 644 ovh.conf
keep pack --ip "$IP" --verbose --json -o "$OUT/bundles/f.tar.gz"
assert_status 0 "pack with ./ovh.conf readable by others"
assert_in "$OUT/$i.stderr" "can be read by group or others" "the warning was given"
printf '[%s]\napplication_key = %s\nconsumer_key = %s\n' "$FAKE_URL" "$FAKE_AK" "$FAKE_CK" >ovh.conf
keep pack --ip "$IP" --endpoint "$FAKE_URL" -o "$OUT/bundles/g.tar.gz"
assert_status 78 "a key without its secret"
printf '[%s]\napplication_key = %s\napplication_key = %s\n' "$FAKE_URL" "$FAKE_AK" "$FAKE_CK" >ovh.conf
keep pack --ip "$IP" -o "$OUT/bundles/h.tar.gz"
assert_status 78 "a key twice"
printf '[x]\n%s\n' "$FAKE_AS" >ovh.conf
keep pack --ip "$IP" -o "$OUT/bundles/i.tar.gz"
assert_status 78 "a secret alone on a line"
printf '%s = 1\n[x]\n' "$FAKE_AS" >ovh.conf
keep pack --ip "$IP" -o "$OUT/bundles/k.tar.gz"
assert_status 78 "a secret where a key should be"
printf '[x]\n%s = 1\n%s = 2\n' "$FAKE_CK" "$FAKE_CK" >ovh.conf
keep pack --ip "$IP" -o "$OUT/bundles/l.tar.gz"
assert_status 78 "a secret twice where a key should be"
rm ovh.conf
OVH_APPLICATION_KEY=$FAKE_AK
OVH_APPLICATION_SECRET="$FAKE_AS $FAKE_CK"
OVH_CONSUMER_KEY=$FAKE_CK
export OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
keep pack --ip "$IP" --endpoint "$FAKE_URL" -o "$OUT/bundles/j.tar.gz"
assert_status 78 "a secret that cannot go into a header"
assert_true "the fake server stops cleanly" fakeapi_stop

# The bundles, also decompressed and unpacked.
for b in "$OUT"/bundles/*.tar.gz; do
	gzip -dc "$b" >"${b%.gz}"
	mkdir "${b%.tar.gz}.d"
	tar -xf "${b%.gz}" -C "${b%.tar.gz}.d"
done
assert_eq "$(ls "$OUT"/bundles/*.tar.gz | wc -l)" 3 "three bundles written (a, b, f)"
assert_true "the saved answers are there" test -s "$OUT/api/stats.json"
assert_true "the --verbose traces are there" grep -q "api: GET .* -> 200" "$OUT/1.stderr"

# leaks DIR: the files under DIR holding a credential, in any case (INI
# keys are lower-cased).
leaks() {
	grep -rlaiF -e "$FAKE_AK" -e "$FAKE_AS" -e "$FAKE_CK" "$1" || :
}
assert_eq "$(leaks "$OUT")" "" "no credential in any byte fpkit produced"

# The search finds what is there: a copy of one output with the secret
# put in the middle of a line is caught.
mkdir "$tmp/plant"
{ head -c 100 "$OUT/1.stderr"; printf '%s' "$FAKE_AS"; tail -c 100 "$OUT/1.stderr"; } >"$tmp/plant/x"
assert_eq "$(leaks "$tmp/plant")" "$tmp/plant/x" "the search would find a leak"

finish
