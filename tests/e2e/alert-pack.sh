#!/bin/sh
# fpkit pack --alert: alone, the alert gives the IP, the block time and
# the targets, and the bundle is complete (verify accepts it, the alert
# is in it byte for byte, the demo's samples are found); with saved JSON
# or the API, their data wins and the alert fills the gaps; the alerts
# that cannot be used are refused.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
# Nothing of this machine's: no proxy, no ovh.conf, no OVH_* variables.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
	OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
HOME=$tmp/home
FPKIT_RETRY_BASE_MS=10
export HOME FPKIT_RETRY_BASE_MS
mkdir "$HOME"

A="$FIXTURES/alert"
ID1=nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com
ID2=order-10482.1795180980.7d1e@shop.example.com
ID3=20261120132821.7A3D5C0B40@web1.shop.example.com
ID4=nl.bf2026-preview.r1187.5e0c11d2@news.shop.example.com
top=${DEMO_BUNDLE%.tar.gz}

# unpack DIR BUNDLE: the bundle's files under DIR.
unpack() {
	rm -rf "$1"
	mkdir "$1"
	tar -xzf "$2" -C "$1"
}

# --- The alert alone: the demo's alert (fixtures/alert/demo.eml). ---
mkdir "$tmp/a" "$tmp/b"
cd "$tmp/a"
run pack --alert "$A/demo.eml" --mail "$DEMO_MAIL" --no-dkim
cd "$tmp"
assert_status 0 "pack --alert alone"
assert_true "the bundle is named from the alert's IP and Date" test -f "$tmp/a/$DEMO_BUNDLE"
assert_in "$tmp/out" "Subject: False positive: anti-spam block of 203.0.113.7" "the ticket is printed"
assert_in "$tmp/out" "  Alert received:  2026-11-20 13:32:07 UTC" "the ticket: when the alert was received, from its Date"
assert_in "$tmp/err" "wrote '$DEMO_BUNDLE': 2 samples, 1 of 3 targets not found" "two samples found"
run verify "$tmp/a/$DEMO_BUNDLE"
assert_status 0 "verify accepts the bundle"
unpack "$tmp/x" "$tmp/a/$DEMO_BUNDLE"
X="$tmp/x/$top"
assert_true "alert/alert.eml is the alert byte for byte" cmp -s "$A/demo.eml" "$X/alert/alert.eml"
assert_true "sha256sum -c SHA256SUMS passes" sh -c "cd '$X' && sha256sum --quiet -c SHA256SUMS"
assert_in "$X/SHA256SUMS" "  alert/alert.eml" "SHA256SUMS lists the alert"
assert_false "no api/ folder: no API document was given" test -e "$X/api"
assert_true "sample 01 is the demo's message" cmp -s \
	"$DEMO_MAIL/cur/1795180628.M98811P4242.mx1.shop.example.com,S=2908,W=2980:2,S" \
	"$X/samples/01-$ID1.eml"
assert_true "sample 02 is the demo's message" cmp -s \
	"$DEMO_MAIL/new/1795180981.M731554P4268.mx1.shop.example.com,S=2771,W=2840" \
	"$X/samples/02-$ID2.eml"
S="$X/summary.json"
assert_eq "$(jq -r .ip "$S")" 203.0.113.7 "summary: the IP from the alert"
assert_eq "$(jq -r .blocked_at "$S")" 2026-11-20T13:32:07Z "summary: blocked_at from the alert's Date"
assert_eq "$(jq -c '[.state, .block_seconds, .block]' "$S")" '[null,null,null]' \
	"summary: state, block_seconds and block unknown"
assert_eq "$(jq -c '.stats' "$S")" '[]' "summary: no stats"
assert_eq "$(jq -c '[.targets[] | [.message_id, .destination_ip, .spamscore, .date, .source]]' "$S")" \
	"[[\"$ID1\",\"198.51.100.23\",352,null,\"alert\"],[\"$ID2\",\"198.51.100.87\",417,null,\"alert\"],[\"$ID3\",\"198.51.100.142\",371,null,\"alert\"]]" \
	"summary: the targets from the alert"
assert_eq "$(jq -c '[.targets[].sample_files | length]' "$S")" '[1,1,0]' "summary: the samples of each target"
assert_eq "$(jq -r '.missing | join(" ")' "$S")" "$ID3" "summary: the id not in the Maildir is missing"
assert_eq "$(jq -c .alert "$S")" \
	"{\"file\":\"alert/alert.eml\",\"source\":\"$A/demo.eml\",\"ip\":\"203.0.113.7\",\"date\":\"2026-11-20T13:32:07Z\",\"targets\":3}" \
	"summary: the alert"

# The same inputs, another run: the same bytes.
sleep 1
cd "$tmp/b"
run pack --alert "$A/demo.eml" --mail "$DEMO_MAIL" --no-dkim
cd "$tmp"
assert_true "two runs give byte-identical bundles" cmp -s "$tmp/a/$DEMO_BUNDLE" "$tmp/b/$DEMO_BUNDLE"

# --json, and an alert read from standard input.
set +e
fpkit pack --alert - --mail "$DEMO_MAIL" --no-dkim --json -o "$tmp/stdin.tar.gz" \
	<"$A/demo.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
set -e
assert_status 0 "pack --alert - reads the standard input"
unpack "$tmp/x" "$tmp/stdin.tar.gz"
assert_true "standard input: alert/alert.eml byte for byte" cmp -s "$A/demo.eml" "$X/alert/alert.eml"
assert_eq "$(jq -r '.targets | length' "$tmp/out")" 3 "--json prints the summary"

# A forwarded, quoted-printable, French HTML alert works the same.
run pack --alert "$A/demo-extra.eml" --mail "$DEMO_MAIL" --no-dkim --json -o "$tmp/fr.tar.gz"
assert_status 0 "pack --alert with the French HTML alert"
assert_eq "$(jq -r .blocked_at "$tmp/out")" 2026-11-20T13:40:00Z "its own Date is the block time"
assert_eq "$(jq -r '[.targets[].sample_files | length] | add' "$tmp/out")" 3 "three samples found"

# --- With --stats-json: the stats win, the alert fills the gaps. ---
run pack --alert "$A/demo-extra.eml" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" --no-dkim \
	-o "$tmp/both.tar.gz"
assert_status 0 "pack --alert --stats-json"
assert_in "$tmp/err" "the alert lists 1 message the stats do not: it is added to the targets" \
	"the gap is reported"
run verify "$tmp/both.tar.gz"
assert_status 0 "verify accepts it"
unpack "$tmp/x" "$tmp/both.tar.gz"
B=$(ls "$tmp/x")
S="$tmp/x/$B/summary.json"
assert_eq "$B" fpkit-203.0.113.7-20261120T133207Z "the block time of the stats, the IP of the alert"
assert_eq "$(jq -r .ip "$S")" 203.0.113.7 "summary: the IP the stats lack comes from the alert"
assert_eq "$(jq -r .blocked_at "$S")" 2026-11-20T13:32:07Z "summary: blocked_at from the stats, not the alert"
assert_eq "$(jq -c '[.targets[] | [.message_id, .spamscore, .source]]' "$S")" \
	"[[\"$ID1\",352,\"stats\"],[\"$ID2\",417,\"stats\"],[\"$ID3\",371,\"stats\"],[\"$ID4\",344,\"alert\"]]" \
	"summary: the stats' targets as they are (417, not the alert's 999), then the alert's extra"
assert_eq "$(jq -r '.targets[3] | [.destination_ip, (.date | tostring), (.sample_files | length)] | join(" ")' "$S")" \
	"198.51.100.61 null 1" "summary: the extra target, found in the Maildir"
assert_true "api/stats.json as given" cmp -s "$DEMO_STATS" "$tmp/x/$B/api/stats.json"
assert_true "alert/alert.eml as given" cmp -s "$A/demo-extra.eml" "$tmp/x/$B/alert/alert.eml"
assert_in "$tmp/x/$B/TICKET.txt" "Messages detected by the anti-spam system (4):" "the ticket lists the four"

# With both saved documents: the alert adds nothing, but is packed.
run pack --alert "$A/demo.eml" --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$DEMO_MAIL" --no-dkim --json -o "$tmp/all.tar.gz"
assert_status 0 "pack --alert with both saved documents"
assert_eq "$(jq -c '[.state, .block_seconds, ([.targets[].source] | unique)]' "$tmp/out")" \
	'["blockedForSpam",3600,["stats"]]' "the API's data, no target added"
assert_not_in "$tmp/err" "the alert lists" "no gap reported"

# An alert without an IP, when the saved SpamIp object names it.
run pack --alert "$A/no-ip.eml" --spam-ip-json "$DEMO_SPAMIP" --no-dkim --json -o "$tmp/noip.tar.gz"
assert_status 0 "an alert without its IP, with --spam-ip-json"
assert_eq "$(jq -c '[.ip, .targets[0].message_id, .targets[0].source]' "$tmp/out")" \
	'["203.0.113.7","lost-ip-1@example.net","alert"]' "the IP of the JSON, the target of the alert"

# --- Refused. ---
mkdir "$tmp/r"
cd "$tmp/r"
run pack --alert "$A/en-text-qp.eml" --spam-ip-json "$DEMO_SPAMIP" --no-dkim
assert_status 65 "an alert about another IP than the SpamIp object"
assert_in "$tmp/err" "is about 192.0.2.45, not 203.0.113.7: is it the right file?" "the two IPs are named"
run pack --alert "$A/en-text-qp.eml" --ip 203.0.113.7 --stats-json "$DEMO_STATS" --no-dkim
assert_status 65 "an alert about another IP than --ip"
run pack --alert "$A/no-ip.eml" --no-dkim
assert_status 65 "an alert without its IP, alone"
assert_in "$tmp/err" "no blocked IP found in the alert" "the missing IP is named"
run pack --alert "$A/empty.eml" --no-dkim
assert_status 65 "an empty alert"
assert_in "$tmp/err" "pack: --alert: '$A/empty.eml' is empty" "the empty file is named"
run pack --alert "$A/not-alert.eml" --no-dkim
assert_status 65 "a mail that is no alert"
assert_in "$tmp/err" "is not an OVHcloud anti-spam alert" "it is said"
run pack --alert "$tmp/nowhere.eml" --no-dkim
assert_status 66 "an alert that does not exist"
printf 'Subject: Spam\n\nYour IP 203.0.113.7 is sending spam.\n' >"$tmp/nodate.eml"
run pack --alert "$tmp/nodate.eml" --no-dkim
assert_status 65 "an alert without a date, alone"
assert_in "$tmp/err" "no block date in the documents given (the alert has no Date header" "the missing date is explained"
printf 'Date: Mon, 1 Jan 1900 00:00:00 +0000\nSubject: Spam\n\nYour IP 203.0.113.7 is sending spam.\n' >"$tmp/olddate.eml"
run pack --alert "$tmp/olddate.eml" --no-dkim
assert_status 65 "an alert whose Date cannot be read, alone"
assert_in "$tmp/err" "no Date header that can be read" "a Date header that is there but unreadable is not called missing"
run pack --alert "$A/demo.eml" --ip 203.0.113.7 --no-dkim
assert_status 78 "--alert with --ip asks the API: no credentials here"
assert_in "$tmp/err" "(with --alert and without --ip, no API is asked)" "the way without the API is told"
cd "$tmp"
no_leftovers "$tmp/r" "nothing written by the refused runs"
run pack --help
assert_in "$tmp/out" "--alert FILE" "pack --help describes --alert"
run pack
assert_status 64 "pack without anything"
assert_in "$tmp/err" "or --alert with the alert e-mail" "the message names --alert"

# --- With the API (the fake one): its answers win, the alert fills the gaps. ---
if [ -x "$FAKE_OVH" ]; then
	D=$tmp/data
	fakeapi_case "$D" 203.0.113.0/28 203.0.113.7 "$DEMO_SPAMIP" "$DEMO_STATS"
	fakeapi_start "$D"
	fakeapi_env
	run pack --ip 203.0.113.7 --alert "$A/demo-extra.eml" --mail "$DEMO_MAIL" --no-dkim --json \
		-o "$tmp/api.tar.gz"
	assert_status 0 "pack --ip --alert asks the API"
	assert_eq "$(jq -c '[.block, .state, .blocked_at, [.targets[].source]]' "$tmp/out")" \
		'["203.0.113.0/28","blockedForSpam","2026-11-20T13:32:07Z",["stats","stats","stats","alert"]]' \
		"the API's block, state and time; the alert's extra target"
	assert_eq "$(jq -r '.targets[1].spamscore' "$tmp/out")" 417 "the API's score, not the alert's"
	unpack "$tmp/x" "$tmp/api.tar.gz"
	assert_true "the API's answers and the alert are in the bundle" \
		test -f "$X/api/spam-ip.json" -a -f "$X/api/stats.json" -a -f "$X/alert/alert.eml"
	fakeapi_stop >/dev/null || :
	assert_eq "$FAKE_BAD_STOPS" 0 "the fake API stopped cleanly"
else
	skip "pack --ip --alert against the API: no fake-ovh server built"
fi

finish
