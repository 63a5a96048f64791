#!/bin/sh
# Which endpoints fpkit sends the credentials to.  Plain http only to a
# host that is literally loopback (an address of 127.0.0.0/8, ::1, the
# name localhost), else refused before any request unless
# --insecure-http; user information in the URL refused everywhere and
# never shown.
#
# The fake API also stands in for the network: it is the HTTP proxy
# (http_proxy), so a request to any host but those of no_proxy
# (127.0.0.1 and localhost, from lib.sh) reaches it and is in its log,
# whatever the host's name.  The log tells whether anything was sent.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
fakeapi_setup
mkdir "$tmp/o"

IP=203.0.113.7
D=$tmp/data
fakeapi_case "$D" 203.0.113.0/28 "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
fakeapi_start "$D"
fakeapi_env
unset OVH_ENDPOINT
http_proxy=http://127.0.0.1:$FAKE_PORT
export http_proxy

# sent: the requests the server has seen, directly or as the proxy.
sent() { grep -c . "$FAKE_LOG" || :; }
# last_url: the URL of the last of them, as received.
last_url() { tail -n 1 "$FAKE_LOG" | jq -r .url; }

# refused ENDPOINT WHAT [ARGS...]: pack --endpoint ENDPOINT exits 64, and
# nothing reached the network.
refused() {
	r_before=$(sent)
	r_endpoint=$1 r_what=$2
	shift 2
	run pack --ip "$IP" --endpoint "$r_endpoint" --retries 0 -o "$tmp/o/b.tar.gz" "$@"
	assert_status 64 "$r_what: refused"
	assert_eq "$(sent)" "$r_before" "$r_what: nothing sent"
}

# The witness: a host that is not loopback, let through by
# --insecure-http, is asked (through the proxy), with a warning; the
# fake API does not know that path (404), hence 78.
n=$(sent)
run pack --ip "$IP" --endpoint http://192.0.2.1/1.0 --insecure-http --retries 0 -o "$tmp/o/b.tar.gz"
assert_status 78 "--insecure-http: plain http to 192.0.2.1 is let through"
assert_eq "$(sent)" $((n + 1)) "--insecure-http: the request went out"
assert_eq "$(last_url)" http://192.0.2.1/1.0/auth/time "--insecure-http: to the host named"
assert_in "$tmp/err" "fpkit: warning: endpoint 'http://192.0.2.1/1.0' is plain http (--insecure-http): the application and consumer keys travel unencrypted" \
	"--insecure-http: a warning"

# Without it: refused, saying why and what to do.
refused http://192.0.2.1/1.0 "plain http to 192.0.2.1"
assert_in "$tmp/err" "fpkit: endpoint 'http://192.0.2.1/1.0' (from --endpoint) is plain http to a host that is not loopback: the application and consumer keys and the answers would travel unencrypted; use https://, or give --insecure-http" \
	"plain http elsewhere: the message"

# Loopback is the address or the name, not what starts or ends so.
refused http://127.attacker.invalid/1.0 "a name that starts with 127."
refused http://127.0.0.1.attacker.invalid/1.0 "a name that starts with 127.0.0.1."
refused http://localhost.evil.invalid/1.0 "a name that starts with localhost."
refused http://evil.localhost/1.0 "a name that ends with .localhost"
refused "http://[::ffff:7f00:1]:$FAKE_PORT/1.0" "an IPv4-mapped IPv6 address"

# User information: refused, even on loopback, even with --insecure-http,
# and shown nowhere (libcurl would send it as Basic authentication).
refused http://127.0.0.1@attacker.invalid/1.0 "127.0.0.1 as the user of another host"
assert_in "$tmp/err" "fpkit: the endpoint (from --endpoint) holds user information ('user:password@' before the host), which fpkit refuses to send" \
	"user information: the message"
refused "http://alice9:pw4Kx8vQ@127.0.0.1:$FAKE_PORT/1.0" "a password on loopback" --verbose
assert_not_in "$tmp/err" pw4Kx8vQ "the password is not shown, even with --verbose"
assert_not_in "$tmp/err" alice9 "the user is not shown"
refused "http://alice9:pw4Kx8vQ@192.0.2.1/1.0" "a password, with --insecure-http" --insecure-http
assert_not_in "$tmp/err" pw4Kx8vQ "--insecure-http: the password is not shown"
refused "https://alice9:pw4Kx8vQ@eu.api.ovh.com/1.0" "a password over https"

# Loopback itself: localhost (no_proxy: straight to the server) packs;
# 127.0.0.2 and [::1] are not in no_proxy, so the proxy's log shows that
# they were asked, not refused.
run pack --ip "$IP" --endpoint "http://localhost:$FAKE_PORT/1.0" -o "$tmp/o/b.tar.gz"
assert_status 0 "http://localhost: packed"
for host in 127.0.0.2 127.255.255.254 '[::1]'; do
	n=$(sent)
	run pack --ip "$IP" --endpoint "http://$host:9/1.0" --retries 0 -o "$tmp/o/b.tar.gz"
	assert_eq "$(last_url)" "http://$host:9/1.0/auth/time" "http://$host: asked"
	assert_not_in "$tmp/err" "plain http" "http://$host: no word of plain http"
done

# Wherever the endpoint comes from: OVH_ENDPOINT, an ovh.conf file
# (a configuration error, 78, naming where it came from); for scan too.
n=$(sent)
OVH_ENDPOINT=http://192.0.2.1/1.0
export OVH_ENDPOINT
run pack --ip "$IP" -o "$tmp/o/b.tar.gz"
unset OVH_ENDPOINT
assert_status 78 "OVH_ENDPOINT plain http elsewhere: refused"
assert_in "$tmp/err" "(from OVH_ENDPOINT) is plain http to a host that is not loopback" \
	"OVH_ENDPOINT: named"
printf '[default]\nendpoint = http://192.0.2.1/1.0\n' >"$tmp/plain.conf"
run pack --ip "$IP" --config "$tmp/plain.conf" -o "$tmp/o/b.tar.gz"
assert_status 78 "an ovh.conf's plain http elsewhere: refused"
assert_in "$tmp/err" "(from $tmp/plain.conf) is plain http" "the ovh.conf file is named"
run scan --endpoint http://192.0.2.1/1.0
assert_status 64 "scan: plain http elsewhere refused"
run scan --endpoint http://alice9:pw4Kx8vQ@127.0.0.1:9/1.0 --verbose
assert_status 64 "scan: user information refused"
assert_not_in "$tmp/err" pw4Kx8vQ "scan: the password is not shown"
assert_eq "$(sent)" "$n" "nothing sent by any of these"
run scan --endpoint http://192.0.2.1/1.0 --insecure-http --retries 0
assert_eq "$(last_url)" http://192.0.2.1/1.0/auth/time "scan --insecure-http: let through"

# The option is in both helps.
run pack --help
assert_in "$tmp/out" "--insecure-http" "pack --help mentions --insecure-http"
run scan --help
assert_in "$tmp/out" "--insecure-http" "scan --help mentions --insecure-http"

finish
