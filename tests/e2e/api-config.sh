#!/bin/sh
# Where fpkit finds the API endpoint and credentials, as python-ovh and
# go-ovh do: OVH_* variables, then ./ovh.conf over ~/.ovh.conf, --config
# over both, --endpoint over OVH_ENDPOINT; the permission warning; no
# ovh.conf read through a symbolic link; the option and configuration
# errors.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
fakeapi_setup
mkdir "$tmp/o"
here=$(pwd -P)

IP=203.0.113.7
D=$tmp/data
fakeapi_case "$D" 203.0.113.0/28 "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
fakeapi_start "$D"

# conf FILE CK [ENDPOINT]: an ovh.conf whose [default] endpoint is the
# fake API (or ENDPOINT) and whose credentials have consumer key CK.
conf() {
	cat >"$1" <<EOF
[default]
; where the API is
endpoint = ${3:-$FAKE_URL}

[$FAKE_URL]
application_key = $FAKE_AK
application_secret = $FAKE_AS
consumer_key = $2
EOF
	chmod 600 "$1"
}
pack_ip() { run pack --ip "$IP" -o "$tmp/o" --force "$@"; }

# Nothing anywhere: a clear error, no request.
pack_ip
assert_status 78 "no credentials anywhere"
assert_in "$tmp/err" "fpkit: pack: without --spam-ip-json or --stats-json, fpkit asks the API: no OVH API credentials for endpoint 'ovh-eu': set OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY" \
	"no credentials: what to set, and the saved-JSON way"
run scan
assert_status 78 "scan without credentials"
assert_eq "$(grep -c . "$FAKE_LOG")" 0 "no request without credentials"

# ./ovh.conf, readable by others: used, with a warning naming it.
conf ovh.conf "$FAKE_CK"
chmod 644 ovh.conf
pack_ip
assert_status 0 "credentials and endpoint from ./ovh.conf"
assert_in "$tmp/err" "fpkit: warning: '$here/ovh.conf' holds API secrets and can be read by group or others (mode 0644): run 'chmod 600 $here/ovh.conf'" \
	"a warning for an ovh.conf others can read"
chmod 600 ovh.conf
pack_ip
assert_status 0 "./ovh.conf, mode 0600"
assert_not_in "$tmp/err" "can be read by" "no warning at mode 0600"

# ./ovh.conf wins over ~/.ovh.conf, and both are read.
conf "$HOME/.ovh.conf" fakeCKwrongwrongwrong
pack_ip
assert_status 0 "./ovh.conf over a wrong ~/.ovh.conf"
conf "$HOME/.ovh.conf" "$FAKE_CK"
conf ovh.conf fakeCKwrongwrongwrong
pack_ip
assert_status 77 "a wrong ./ovh.conf over a right ~/.ovh.conf"
rm ovh.conf
pack_ip
assert_status 0 "~/.ovh.conf alone"

# A file naming only the consumer key, over one with the rest.
printf '[%s]\nconsumer_key = %s\n' "$FAKE_URL" fakeCKwrongwrongwrong >ovh.conf
pack_ip
assert_status 77 "a key of ./ovh.conf replaces the same key of ~/.ovh.conf"

# --config comes last of the files; the environment still wins.
conf "$tmp/right.conf" "$FAKE_CK"
pack_ip --config "$tmp/right.conf"
assert_status 0 "--config over ./ovh.conf"
export OVH_CONSUMER_KEY=fakeCKwrongwrongwrong
pack_ip --config "$tmp/right.conf"
assert_status 77 "OVH_CONSUMER_KEY over --config"
OVH_CONSUMER_KEY=
pack_ip --config "$tmp/right.conf"
assert_status 0 "an empty OVH_CONSUMER_KEY counts as unset"
unset OVH_CONSUMER_KEY
rm ovh.conf

# The endpoint: --endpoint over OVH_ENDPOINT over [default].  The
# credentials come from a section named after the endpoint: here from
# the environment, which any endpoint reads.
fakeapi_env
OVH_ENDPOINT=http://127.0.0.1:1/1.0
pack_ip --retries 0
assert_status 69 "OVH_ENDPOINT over the file's [default]"
pack_ip --endpoint "$FAKE_URL"
assert_status 0 "--endpoint over OVH_ENDPOINT"
OVH_ENDPOINT=
pack_ip --config "$HOME/.ovh.conf"
assert_status 0 "an empty OVH_ENDPOINT counts as unset"
unset OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
pack_ip --endpoint ks-eu
assert_status 78 "an endpoint name without credentials in its section"
assert_in "$tmp/err" "no OVH API credentials for endpoint 'ks-eu'" "the section read is the endpoint's"
pack_ip --endpoint ovh-mars
assert_status 64 "an unknown --endpoint"
assert_in "$tmp/err" "fpkit: unknown endpoint 'ovh-mars' (from --endpoint): expected one of ovh-eu, ovh-ca, ovh-us" \
	"the endpoints are listed"
export OVH_ENDPOINT=gopher://example.com
pack_ip
assert_status 78 "an unknown OVH_ENDPOINT"
unset OVH_ENDPOINT

# Configuration errors name the file and the line, never a value.
printf '[default]\nendpoint = ovh-eu\nthis is not ini\n' >ovh.conf
pack_ip
assert_status 78 "a line that is not INI"
assert_in "$tmp/err" "fpkit: '$here/ovh.conf' line 3: expected 'key = value' or '[section]'" \
	"the file and the line are named"
printf '[ovh-eu]\napplication_key = a\napplication_key = b\n' >ovh.conf
pack_ip
assert_status 78 "a key twice"
assert_in "$tmp/err" "line 3: key 'application_key' appears twice in section [ovh-eu] (first on line 2)" \
	"a key twice: both lines named"
printf '[ovh-eu]\napplication_key = %s\nconsumer_key = %s\n' "$FAKE_AK" "$FAKE_CK" >ovh.conf
pack_ip --endpoint ovh-eu
assert_status 78 "an application key without its secret"
assert_in "$tmp/err" "fpkit: application_key is set ('$here/ovh.conf' line 2) but not application_secret" \
	"the key without its secret: where it was set"
rm ovh.conf
pack_ip --config "$tmp/absent.conf"
assert_status 66 "a --config that does not exist"
assert_in "$tmp/err" "cannot open --config '$tmp/absent.conf'" "the missing --config is named"

# Option values.
run pack --ip "$IP" --timeout 0
assert_status 64 "--timeout 0"
run pack --ip "$IP" --connect-timeout abc
assert_status 64 "--connect-timeout abc"
run pack --ip "$IP" --retries 21
assert_status 64 "--retries 21"
run pack --ip "$IP" --retries 20 -o "$tmp/o" --force
assert_status 0 "--retries 20, the largest"
run pack --ip "$IP" --rate 0
assert_status 64 "--rate 0"
run pack --ip "$IP" --from 2026-11-20
assert_status 64 "--from without a time"
run pack --ip "$IP" --from 1970-01-01T00:00:00Z --to 2026-11-20T10:00:00Z
assert_status 64 "--from at the epoch itself"
assert_in "$tmp/err" "pack: --from '1970-01-01T00:00:00Z' is not" "--from at the epoch: the value is named"
run pack --ip "$IP" --from 1970-01-01T00:00:01Z --to 2026-11-20T10:00:00Z -o "$tmp/o" --force
assert_status 0 "--from one second after the epoch"
run pack --ip "$IP" --from 2026-11-20T10:00:00Z
assert_status 64 "--from without --to"
run pack --ip "$IP" --from 2026-11-20T10:00:00Z --to 2026-11-20T09:00:00Z
assert_status 64 "--from after --to"
run pack --spam-ip-json "$DEMO_SPAMIP" --save-api "$tmp"
assert_status 64 "--save-api with saved JSON"
assert_in "$tmp/err" "--save-api, --from and --to apply only when fpkit asks the API" "said why"
run pack --ip 203.0.113.0/28
assert_status 64 "--ip that is not an address: refused before any request"
FPKIT_RETRY_BASE_MS=soon
run pack --ip "$IP"
assert_status 64 "a malformed FPKIT_RETRY_BASE_MS"
FPKIT_RETRY_BASE_MS=10
run scan extra
assert_status 64 "scan takes no argument"

# Help.
run pack --help
for opt in --endpoint --config --from --to --save-api --connect-timeout --timeout --retries --rate --verbose; do
	assert_in "$tmp/out" "$opt" "pack --help mentions $opt"
done
run scan --help
assert_status 0 "scan --help"
for opt in --type --all-states --json --parallel --endpoint --config --timeout --retries --rate --verbose; do
	assert_in "$tmp/out" "$opt" "scan --help mentions $opt"
done
run --help
assert_in "$tmp/out" "scan" "fpkit --help lists scan"

# Only a consumer key: a configuration error, not a crash.
(
	unset OVH_APPLICATION_KEY OVH_APPLICATION_SECRET
	OVH_CONSUMER_KEY=ck-only
	export OVH_CONSUMER_KEY
	cd "$tmp" && run pack --ip 203.0.113.7 --endpoint http://127.0.0.1:9/1.0 -o "$tmp/x.tar.gz"
	echo "$status" >"$tmp/ck-status"
)
assert_eq "$(cat "$tmp/ck-status")" 78 "a consumer key alone: exit 78"
assert_in "$tmp/err" "consumer_key is set (OVH_CONSUMER_KEY) but not application_key" "a consumer key alone: said"

# A ./ovh.conf that someone else owns (a shared folder): skipped, with a
# warning; its endpoint is not used, ~/.ovh.conf's is, and the run goes on.
# Only root can give a file to someone else.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir "$tmp/shared"
	printf '[default]\nendpoint = http://192.0.2.66/1.0\n' >"$tmp/shared/ovh.conf"
	chmod 644 "$tmp/shared/ovh.conf"
	chown nobody "$tmp/shared/ovh.conf"
	(
		cd "$tmp/shared" && run pack --ip 203.0.113.7 -o "$tmp/y.tar.gz"
		echo "$status" >"$tmp/planted-status"
	)
	assert_eq "$(cat "$tmp/planted-status")" 0 "a planted ./ovh.conf: the run goes on (exit 0)"
	assert_in "$tmp/err" "fpkit: warning: '$tmp/shared/ovh.conf' is not owned by you or root, or is writable by others: skipped" \
		"a planted ./ovh.conf is skipped, and named"
	assert_not_in "$tmp/err" "192.0.2.66" "its endpoint is not used"
	assert_true "the bundle is made through ~/.ovh.conf's endpoint" test -s "$tmp/y.tar.gz"
else
	skip "a ./ovh.conf owned by someone else: only root can make one (running as uid $(id -u))"
fi

# An ovh.conf that is a symbolic link is not followed, wherever it is:
# skipped with a warning saying what to do.  A link planted to a
# root-owned file that is no ovh.conf (/etc/passwd) no longer stops the
# run, and a link to a file of credentials is not read.
fakeapi_env
unset OVH_ENDPOINT
ln -s /etc/passwd ovh.conf
pack_ip --endpoint "$FAKE_URL"
assert_status 0 "a ./ovh.conf linked to /etc/passwd does not stop the run"
assert_in "$tmp/err" "fpkit: warning: '$here/ovh.conf' is a symbolic link, which fpkit does not follow: skipped (replace it with the file, or give that file with --config)" \
	"the link is named, with what to do"
rm ovh.conf
unset OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
# ~/.ovh.conf holds the right keys; the link, a wrong consumer key.
conf "$tmp/wrong.conf" fakeCKwrongwrongwrong
ln -s "$tmp/wrong.conf" ovh.conf
pack_ip
assert_status 0 "a ./ovh.conf linked to a file of credentials is not read"
assert_in "$tmp/err" "'$here/ovh.conf' is a symbolic link" "a link to credentials: said"
rm ovh.conf
mv "$HOME/.ovh.conf" "$HOME/right.conf"
ln -s "$HOME/right.conf" "$HOME/.ovh.conf"
pack_ip --endpoint "$FAKE_URL"
assert_status 78 "a ~/.ovh.conf that is a link is not read"
assert_in "$tmp/err" "'$HOME/.ovh.conf' is a symbolic link" "~/.ovh.conf: said"
system_conf=$FPKIT_SYSTEM_OVH_CONF
FPKIT_SYSTEM_OVH_CONF=$tmp/etc-ovh.conf
ln -s "$HOME/right.conf" "$FPKIT_SYSTEM_OVH_CONF"
pack_ip --endpoint "$FAKE_URL"
FPKIT_SYSTEM_OVH_CONF=$system_conf
assert_status 78 "a system-wide ovh.conf that is a link is not read"
assert_in "$tmp/err" "'$tmp/etc-ovh.conf' is a symbolic link" "the system-wide file: said"
pack_ip --endpoint "$FAKE_URL" --config "$HOME/.ovh.conf"
assert_status 66 "a --config that is a link: refused"
assert_in "$tmp/err" "fpkit: cannot open --config '$HOME/.ovh.conf': it is a symbolic link, which fpkit does not follow: give the file it points to" \
	"a --config link: what to do"
pack_ip --endpoint "$FAKE_URL" --config "$HOME/right.conf"
assert_status 0 "the file it points to, given with --config: read"
rm "$HOME/.ovh.conf"
mv "$HOME/right.conf" "$HOME/.ovh.conf"
# A ./ovh.conf of one's own that group or others can write: skipped the
# same way (anyone could have put the endpoint there).
for mode in 666 620 602; do
	rm -rf "$tmp/open"
	mkdir "$tmp/open"
	printf '[default]\nendpoint = http://192.0.2.67/1.0\n' >"$tmp/open/ovh.conf"
	chmod "$mode" "$tmp/open/ovh.conf"
	(
		cd "$tmp/open" && run pack --ip 203.0.113.7 -o "$tmp/open/v.tar.gz"
		echo "$status" >"$tmp/open-status"
	)
	assert_eq "$(cat "$tmp/open-status")" 0 "a ./ovh.conf of mode $mode: the run goes on (exit 0)"
	assert_in "$tmp/err" "fpkit: warning: '$tmp/open/ovh.conf' is not owned by you or root, or is writable by others: skipped" \
		"a ./ovh.conf of mode $mode is skipped, and named"
	assert_not_in "$tmp/err" "192.0.2.67" "mode $mode: its endpoint is not used"
done
# The control: the same file, writable by its owner alone, is read.
chmod 644 "$tmp/open/ovh.conf"
(cd "$tmp/open" && run pack --ip 203.0.113.7 --retries 0 -o "$tmp/open/v.tar.gz")
assert_in "$tmp/err" "192.0.2.67" "the same ./ovh.conf at mode 644 is read (its endpoint is tried)"

# A FIFO named ovh.conf does not hang fpkit.
mkdir "$tmp/fifo"
mkfifo "$tmp/fifo/ovh.conf"
(
	cd "$tmp/fifo" && run pack --ip 203.0.113.7 -o "$tmp/z.tar.gz"
	echo "$status" >"$tmp/fifo-status"
) &
pid=$!
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	kill "$pid"
	not_ok "a FIFO named ovh.conf hangs fpkit"
else
	ok "a FIFO named ovh.conf does not hang fpkit"
fi
wait "$pid" 2>/dev/null || true
assert_eq "$(cat "$tmp/fifo-status" 2>/dev/null)" 0 "a FIFO named ovh.conf: the run goes on (exit 0)"
assert_in "$tmp/err" "fpkit: warning: '$tmp/fifo/ovh.conf' is not a file: skipped" \
	"a FIFO named ovh.conf: skipped, and named"

# A plain http endpoint that is not loopback: refused, before the
# credentials are looked for (tests/e2e/api-endpoint.sh has the rest).
(
	cd "$tmp" && run pack --ip 203.0.113.7 --endpoint http://192.0.2.1:9/1.0 -o "$tmp/w.tar.gz"
	echo "$status" >"$tmp/plain-status"
)
assert_eq "$(cat "$tmp/plain-status")" 64 "plain http elsewhere than loopback: refused"
assert_in "$tmp/err" "endpoint 'http://192.0.2.1:9/1.0' (from --endpoint) is plain http to a host that is not loopback" \
	"plain http elsewhere than loopback: said"

finish
