#!/bin/sh
# The fake OVH API (tests/fake-ovh) behaves as the client's tests assume:
# it checks signatures over the URL as sent, refuses stale timestamps and
# unknown keys, serves the data tree byte for byte, answers both error
# styles with a query id, and misbehaves exactly as each --fault says.
# Driven with curl and a signer written in shell.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/fakeapi.sh"
# These assertions test the fake server, not fpkit: counted apart.
count_label="fake server self-test: "

command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
command -v sha1sum >/dev/null 2>&1 || skip_all "sha1sum is not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

BLOCK=203.0.113.0/28
EBLOCK=203.0.113.0%2F28
IP=203.0.113.7
SPAM=/ip/$EBLOCK/spam/$IP
STATS="$SPAM/stats?from=2026-11-20T00%3A00%3A00%2B01%3A00&to=2026-11-21T00%3A00%3A00%2B01%3A00"

# The data tree: the demo case, an unblocked IP beside it, and a second
# block listed as a dedicated server's.
D=$tmp/data
fakeapi_case "$D" "$BLOCK" "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
printf '{"date":"2026-11-19T08:00:00+01:00","ipSpamming":"203.0.113.12","state":"unblocked","time":0}\n' \
	>"$tmp/unblocked.json"
fakeapi_case "$D" "$BLOCK" 203.0.113.12 "$tmp/unblocked.json"
fakeapi_case "$D" 198.51.100.0/24 198.51.100.20 "$DEMO_SPAMIP"
mkdir "$D/types"
printf '["198.51.100.0/24"]\n' >"$D/types/dedicated.json"
assert_eq "$(cat "$D/ip.json")" '["203.0.113.0/28","198.51.100.0/24"]' "fakeapi_case lists each block once"

# sign_with AS CK METHOD URL BODY TS: an X-Ovh-Signature (ovh-api.md §1).
# shellcheck disable=SC2016
sign_with() {
	printf '$1$%s' "$(printf '%s+%s+%s+%s+%s+%s' "$1" "$2" "$3" "$4" "$5" "$6" |
		sha1sum | cut -d' ' -f1)"
}

# sign METHOD URL BODY TS: the signature of a call with the test keys.
sign() { sign_with "$FAKE_AS" "$FAKE_CK" "$@"; }

# The signer gives the published vectors, so what the server accepts
# below is the real scheme.
V_AS=9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk
V_CK=5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY
assert_eq "$(sign_with $V_AS $V_CK GET https://eu.api.ovh.com/1.0/auth "" 1457018875)" \
	'$1$e9556054b6309771395efa467c22e627407461ad' "the shell signer: GET vector"
assert_eq "$(sign_with $V_AS $V_CK POST https://eu.api.ovh.com/1.0/auth '{"a":"b","c":"d"}' 1457018875)" \
	'$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1' "the shell signer: POST vector"

# raw METHOD URL AK CK TS SIG [BODY]: one call with these headers (none
# when AK is empty).  The body lands in $tmp/body, the headers in
# $tmp/hdr; the HTTP status in $code, curl's exit status in $curl_status.
raw() {
	set -- "$@" "" "" "" "" ""
	: >"$tmp/body"
	: >"$tmp/hdr"
	set +e
	if [ -n "$3" ]; then
		curl -sS --path-as-is -g --max-time 20 -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' \
			-X "$1" -H 'Content-Type: application/json' -H 'Expect:' \
			-H "X-Ovh-Application: $3" -H "X-Ovh-Consumer: $4" \
			-H "X-Ovh-Timestamp: $5" -H "X-Ovh-Signature: $6" \
			${7:+--data-binary "$7"} "$2" >"$tmp/code" 2>"$tmp/curlerr"
	else
		curl -sS --path-as-is -g --max-time 20 -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' \
			-X "$1" "$2" >"$tmp/code" 2>"$tmp/curlerr"
	fi
	curl_status=$?
	set -e
	code=$(cat "$tmp/code")
}

# call METHOD PATH [BODY [TS]]: a correctly signed call to $FAKE_URL/PATH.
call() {
	c_ts=${4:-$(date +%s)}
	raw "$1" "$FAKE_URL$2" "$FAKE_AK" "$FAKE_CK" "$c_ts" "$(sign "$1" "$FAKE_URL$2" "${3:-}" "$c_ts")" "${3:-}"
}

# get PATH: a signed GET.
get() { call GET "$1"; }

# body_field NAME: a field of the error body in $tmp/body ("" if absent).
body_field() { jq -r --arg k "$1" '.[$k] // ""' "$tmp/body"; }

# assert_error STATUS ERRORCODE WHAT: the last call failed that way, in
# both styles, with a query id.
assert_error() {
	assert_eq "$code $(body_field errorCode) $(grep -ciE '^X-Ovh-QueryID: EU\.ext-' "$tmp/hdr")" "$1 $2 1" "$3"
}

# is_json FILE: FILE parses as JSON.
is_json() { jq . "$1" >/dev/null 2>&1; }

# log_statuses: the statuses of the log, space-separated.
log_statuses() { jq -r '.status' "$FAKE_LOG" | tr '\n' ' '; }

fakeapi_start "$D"

# --- unauthenticated time ---
raw GET "$FAKE_URL/auth/time"
now=$(date +%s)
assert_eq "$code" 200 "GET /auth/time"
assert_true "/auth/time is a bare integer" grep -qxE '[0-9]+' "$tmp/body"
assert_true "/auth/time is the real time" test $(($(cat "$tmp/body") - now)) -le 5 -a $((now - $(cat "$tmp/body"))) -le 5
assert_true "every answer has an X-Ovh-QueryID" grep -qiE '^X-Ovh-QueryID: EU\.ext-[0-9]+\.[0-9a-f]{8}\.[0-9]+' "$tmp/hdr"
assert_in "$tmp/hdr" "Content-Type: application/json; charset=utf-8" "JSON content type"

# --- signed calls, served byte for byte ---
get "$SPAM"
assert_eq "$code" 200 "a signed GET of the SpamIp"
assert_true "the SpamIp is the file's bytes" cmp -s "$tmp/body" "$DEMO_SPAMIP"
assert_true "signed answers have a query id" grep -qi '^X-Ovh-QueryID: EU\.ext-' "$tmp/hdr"
get "$STATS"
assert_eq "$code" 200 "a signed GET of the stats"
assert_true "the stats are the file's bytes" cmp -s "$tmp/body" "$DEMO_STATS"
raw GET "${FAKE_URL%/1.0}/v1$SPAM" "$FAKE_AK" "$FAKE_CK" "$now" "$(sign GET "${FAKE_URL%/1.0}/v1$SPAM" "" "$now")"
assert_eq "$code" 200 "/v1 is /1.0"
assert_true "/v1 serves the same bytes" cmp -s "$tmp/body" "$DEMO_SPAMIP"

# The signature covers the URL as sent: '%2F' and all.
ts=$(date +%s)
raw GET "$FAKE_URL$SPAM" "$FAKE_AK" "$FAKE_CK" "$ts" "$(sign GET "$FAKE_URL/ip/$BLOCK/spam/$IP" "" "$ts")"
assert_error 400 INVALID_SIGNATURE "a signature over the decoded path is refused"
assert_eq "$(body_field message)" "Invalid signature" "its message"
raw GET "$FAKE_URL$SPAM" "$FAKE_AK" "$FAKE_CK" "$ts" "\$1\$0000000000000000000000000000000000000000"
assert_error 400 INVALID_SIGNATURE "a wrong signature is refused"
raw GET "$FAKE_URL$SPAM" "$FAKE_AK" "$FAKE_CK" "$ts" "$(sign GET "$FAKE_URL$SPAM" "" "$((ts + 1))")"
assert_error 400 INVALID_SIGNATURE "a signature over another timestamp is refused"
raw GET "$FAKE_URL$STATS" "$FAKE_AK" "$FAKE_CK" "$ts" "$(sign GET "$FAKE_URL$SPAM/stats" "" "$ts")"
assert_error 400 INVALID_SIGNATURE "a signature without the query is refused"
get "/ip/$BLOCK/spam/$IP"
assert_eq "$code" 404 "a block sent with a bare '/' is not found"

# Timestamps out of the window, correctly signed.
call GET "$SPAM" "" $(($(date +%s) - 3600))
assert_error 400 INVALID_TIMESTAMP "an hour-old timestamp is refused"
assert_eq "$(body_field message)" "Invalid timestamp" "its message"
call GET "$SPAM" "" $(($(date +%s) + 120))
assert_error 400 INVALID_TIMESTAMP "a timestamp from the future is refused"
call GET "$SPAM" "" $(($(date +%s) - 10))
assert_eq "$code" 200 "a timestamp within the window passes"

# Keys and headers.
ts=$(date +%s)
raw GET "$FAKE_URL$SPAM" "AKunknown0000" "$FAKE_CK" "$ts" "$(sign GET "$FAKE_URL$SPAM" "" "$ts")"
assert_error 403 INVALID_KEY "an unknown application key"
assert_eq "$(body_field message)" "This application key is invalid" "its message"
raw GET "$FAKE_URL$SPAM" "$FAKE_AK" "CKunknown0000" "$ts" "$(sign GET "$FAKE_URL$SPAM" "" "$ts")"
assert_error 403 INVALID_CREDENTIAL "an unknown consumer key"
assert_eq "$(body_field message)" "This credential is not valid" "its message"
raw GET "$FAKE_URL$SPAM"
assert_error 401 NOT_AUTHENTICATED "an unsigned call"
assert_eq "$(body_field message)" "You must login first" "its message"
assert_eq "$(body_field class) $(body_field httpCode)" "Client::Unauthorized 401 Unauthorized" \
	"both error styles by default"

# --- the calls ---
get "$SPAM/stats?to=2026-11-21"
assert_error 400 INVALID_PARAMETER "stats without from"
assert_in "$tmp/body" "from" "the message names from"
get "$SPAM/stats?from=2026-11-20"
assert_error 400 INVALID_PARAMETER "stats without to"
assert_in "$tmp/body" "to" "the message names to"
get "$SPAM/stats?from=2026-11-20T00:00:00+01:00&to=2026-11-21"
assert_error 400 INVALID_PARAMETER "a '+' left unencoded is a space, not a date"
get "$SPAM/stats?from=yesterday&to=2026-11-21"
assert_error 400 INVALID_PARAMETER "a date that is not ISO 8601"
assert_eq "$(body_field class)" "Client::BadRequest" "parameter errors are Client::BadRequest"

get /ip
assert_eq "$code" 200 "GET /ip"
assert_true "GET /ip is ip.json's bytes" cmp -s "$tmp/body" "$D/ip.json"
get "/ip?ip=$IP"
assert_eq "$(cat "$tmp/body")" '["203.0.113.0/28"]' "GET /ip?ip= lists the block holding it"
get "/ip?ip=192.0.2.1"
assert_eq "$(cat "$tmp/body")" '[]' "GET /ip?ip= of an IP of nobody's"
get "/ip?type=dedicated"
assert_eq "$(cat "$tmp/body")" '["198.51.100.0/24"]' "GET /ip?type="
get "/ip?type=dedicated&ip=$IP"
assert_eq "$(cat "$tmp/body")" '[]' "GET /ip?type=&ip= combined"
get "/ip?type=vps"
assert_eq "$code $(cat "$tmp/body")" '200 []' "a type with no file"
get "/ip?type=nonsense"
assert_error 400 INVALID_PARAMETER "a type out of the enum"

get "/ip/$EBLOCK/spam"
assert_eq "$(cat "$tmp/body")" '["203.0.113.7","203.0.113.12"]' "GET /ip/{block}/spam, in address order"
get "/ip/$EBLOCK/spam?state=blockedForSpam"
assert_eq "$(cat "$tmp/body")" '["203.0.113.7"]' "GET /ip/{block}/spam?state=blockedForSpam"
get "/ip/$EBLOCK/spam?state=unblocked"
assert_eq "$(cat "$tmp/body")" '["203.0.113.12"]' "GET /ip/{block}/spam?state=unblocked"
get "/ip/$EBLOCK/spam?state=gone"
assert_error 400 INVALID_PARAMETER "an invalid state"
get "/ip/192.0.2.0%2F24/spam"
assert_error 404 RESOURCE_NOT_FOUND "a block of nobody's"
assert_eq "$(body_field message)" "The requested object (ip = 192.0.2.0/24) does not exist" "its message"
assert_eq "$(body_field class)" "Client::NotFound" "its class"
get "/ip/$EBLOCK/spam/203.0.113.9"
assert_error 404 RESOURCE_NOT_FOUND "an IP that is not blocked"
get "/ip/$EBLOCK/spam/203.0.113.12/stats?from=2026-11-20&to=2026-11-21"
assert_error 404 RESOURCE_NOT_FOUND "stats that are not there"
get "/ip/..%2F..%2Fetc/spam"
assert_error 400 INVALID_PARAMETER "a block that is not one"
get /me/bill
assert_error 404 RESOURCE_NOT_FOUND "an unknown path"
get /me
assert_eq "$code" 200 "GET /me"
assert_true "GET /me is me.json's bytes" cmp -s "$tmp/body" "$D/me.json"
assert_eq "$(jq -r .nichandle "$tmp/body")" "$FAKE_NIC" "GET /me: the nichandle fakeapi_case wrote"
mv "$D/me.json" "$D/me.away"
get /me
assert_error 404 RESOURCE_NOT_FOUND "GET /me without me.json"
mv "$D/me.away" "$D/me.json"
call POST /me
assert_error 404 RESOURCE_NOT_FOUND "POST /me: no such call"

call POST "$SPAM/unblock"
assert_eq "$code" 200 "POST unblock without a body"
assert_eq "$(jq -c . "$tmp/body")" "$(jq -c '.state = "unblocking"' "$DEMO_SPAMIP")" \
	"unblock answers the SpamIp, now unblocking"
call POST "$SPAM/unblock" '{}'
assert_eq "$code" 200 "POST unblock with {}, signed over the body"
assert_eq "$(jq -s 'map(select(.wrote)) | length' "$FAKE_LOG")" 1 "the second unblock changes nothing"
ts=$(date +%s)
raw POST "$FAKE_URL$SPAM/unblock" "$FAKE_AK" "$FAKE_CK" "$ts" "$(sign POST "$FAKE_URL$SPAM/unblock" "" "$ts")" '{}'
assert_error 400 INVALID_SIGNATURE "a signature that leaves the body out"
call POST "$SPAM/unblock" '{"force":true}'
assert_error 400 INVALID_PARAMETER "unblock takes no parameter"
head -c 70000 /dev/zero | tr '\0' 'a' >"$tmp/big"
call POST "$SPAM/unblock" "$(cat "$tmp/big")"
assert_eq "$code" 413 "a body over 64 KiB"

# Two requests on one kept-alive connection.
ts=$(date +%s)
set +e
curl -sS -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' -H "X-Ovh-Application: $FAKE_AK" \
	-H "X-Ovh-Consumer: $FAKE_CK" -H "X-Ovh-Timestamp: $ts" \
	-H "X-Ovh-Signature: $(sign GET "$FAKE_URL$SPAM" "" "$ts")" "$FAKE_URL$SPAM" "$FAKE_URL$SPAM" >"$tmp/ka"
set -e
assert_eq "$(tr '\n' ' ' <"$tmp/ka")" "200 1 200 0 " "a kept-alive connection serves one request after another"

assert_eq "$(jq -r 'select(.url == "/1.0/auth/time") | .method' "$FAKE_LOG")" GET "the log has the method"
assert_eq "$(jq -r 'select(.status == 413) | .url' "$FAKE_LOG")" "/1.0$SPAM/unblock" "the log has the raw URL"
assert_eq "$(jq -r 'select(.url | contains("/stats?from=2026-11-20T00%3A")) | .status' "$FAKE_LOG" | head -1)" 200 \
	"the log keeps the query as sent"
assert_eq "$(jq -s 'map(select(.fault != null)) | length' "$FAKE_LOG")" 0 "no fault logged without --fault"
assert_eq "$(jq -s 'map(.query_id) | unique | length == (. | length)' "$FAKE_LOG")" true "query ids are unique"
assert_true "fake-ovh stops cleanly on SIGTERM" fakeapi_stop

# --- error styles ---
fakeapi_start "$D" --error-style code
raw GET "$FAKE_URL$SPAM"
assert_eq "$(jq -c . "$tmp/body")" \
	'{"message":"You must login first","httpCode":"401 Unauthorized","errorCode":"NOT_AUTHENTICATED"}' \
	"--error-style code"
fakeapi_start "$D" --error-style class
get "/ip/$EBLOCK/spam/203.0.113.9"
assert_eq "$(jq -c . "$tmp/body")" \
	'{"class":"Client::NotFound","message":"The requested object (ipSpamming = 203.0.113.9) does not exist"}' \
	"--error-style class"

# --- clock skew: /auth/time tells the server's time, which is what counts ---
fakeapi_start "$D" --skew 3600
raw GET "$FAKE_URL/auth/time"
server_now=$(cat "$tmp/body")
assert_true "--skew shifts /auth/time" test $((server_now - $(date +%s))) -ge 3595
call GET "$SPAM"
assert_error 400 INVALID_TIMESTAMP "a client on local time is refused"
call GET "$SPAM" "" "$server_now"
assert_eq "$code" 200 "a client on the server's time passes"
fakeapi_start "$D" --window 3 --skew -1000
raw GET "$FAKE_URL/auth/time"
server_now=$(cat "$tmp/body")
call GET "$SPAM" "" "$server_now"
assert_eq "$code" 200 "a negative skew, with the server's time"
call GET "$SPAM" "" $((server_now - 10))
assert_error 400 INVALID_TIMESTAMP "--window 3 refuses 10 seconds off"

# --- faults ---
fakeapi_start "$D" --fault 503:2:/ip
raw GET "$FAKE_URL/auth/time"
assert_eq "$code" 200 "a prefixed fault leaves other paths alone"
get "$SPAM"
assert_error 503 SERVICE_UNAVAILABLE "503:2 first answer"
assert_eq "$(body_field message)" "Service is temporarily unavailable" "its message"
assert_true "a 503 has a query id" grep -qi '^X-Ovh-QueryID: EU\.ext-' "$tmp/hdr"
get "$SPAM"
assert_eq "$code" 503 "503:2 second answer"
get "$SPAM"
assert_eq "$code" 200 "503:2 then the normal answer"
assert_true "the normal answer after the faults" cmp -s "$tmp/body" "$DEMO_SPAMIP"
assert_eq "$(log_statuses)" "200 503 503 200 " "the log counts the retries"
assert_eq "$(jq -r '.fault' "$FAKE_LOG" | tr '\n' ' ')" "null 503 503 null " "the log names the fault"

fakeapi_start "$D" --fault 503:1 --fault 429:2:7:/ip/ --error-style class
raw GET "$FAKE_URL/auth/time"
assert_eq "$code" 503 "a fault without a prefix covers /auth/time"
get "$SPAM"
assert_eq "$code" 429 "429:2:7 first answer"
assert_in "$tmp/hdr" "Retry-After: 7" "a 429 has Retry-After"
get "$SPAM"
assert_eq "$code" 429 "429:2:7 second answer"
get "$SPAM"
assert_eq "$code" 200 "429:2:7 then the normal answer"

fakeapi_start "$D" --fault "cut:$SPAM/stats"
get "$STATS"
assert_eq "$curl_status" 18 "cut: curl reports a partial transfer"
head -c $(($(wc -c <"$DEMO_STATS") / 2)) "$DEMO_STATS" >"$tmp/half"
assert_true "cut: the first half of the body came" cmp -s "$tmp/body" "$tmp/half"
assert_in "$tmp/hdr" "Content-Length: $(wc -c <"$DEMO_STATS" | tr -d ' ')" "cut: the full Content-Length was announced"
get "$SPAM"
assert_eq "$code $curl_status" "200 0" "cut: other paths answer whole"

fakeapi_start "$D" --fault "badjson:$SPAM" --fault "huge:100000:/ip/$EBLOCK/spam/203.0.113.12" \
	--fault "forbidden:/ip?"
get "$SPAM"
assert_eq "$code" 200 "badjson answers 200"
assert_false "badjson: the body is not JSON" is_json "$tmp/body"
get /ip/$EBLOCK/spam/203.0.113.12
assert_eq "$code" 200 "huge answers 200"
assert_eq "$(wc -c <"$tmp/body" | tr -d ' ')" 100000 "huge: the body has the size asked for"
assert_eq "$(jq -r 'keys[0]' "$tmp/body")" padding "huge: the body is JSON"
get "/ip?ip=$IP"
assert_error 403 NOT_GRANTED_CALL "forbidden"
assert_eq "$(body_field message)" "This call has not been granted" "its message"
get /ip
assert_eq "$code" 200 "a prefix with '?' takes the calls with a query only (forbidden:/ip?)"

fakeapi_start "$D" --fault "unfiltered"
get "/ip?ip=$IP"
assert_eq "$code $(jq -c . "$tmp/body")" '200 ["203.0.113.0/28","198.51.100.0/24"]' \
	"unfiltered: GET /ip?ip= answers every block"
get "$SPAM"
assert_true "unfiltered: other calls answer as usual" cmp -s "$tmp/body" "$DEMO_SPAMIP"

fakeapi_start "$D" --fault '503:5:/ip$'
get /ip/$EBLOCK/spam
assert_eq "$code" 200 "a prefix with '\$' leaves longer paths alone"
get "/ip?type=vps"
assert_eq "$code" 503 "a prefix with '\$' takes its path whatever the query"
raw GET "$FAKE_URL$SPAM"
assert_eq "$code" 401 "content faults come after authentication"

fakeapi_start "$D" --fault "reset:1:/ip"
get "$SPAM"
assert_eq "$curl_status" 52 "reset: the connection closes without an answer"
get "$SPAM"
assert_eq "$code" 200 "reset:1 then the normal answer"
assert_eq "$(log_statuses)" "0 200 " "the log has status 0 for a reset"

# slow: parallel requests are served in parallel, and the log counts them.
# (Background jobs are plain curl commands: a function run with '&'
# would be a subshell, and 'wait' alone would wait for the server too.)
fakeapi_start "$D" --fault "slow:2:$SPAM"
start=$(date +%s)
pids=
for i in 1 2 3; do
	ts=$(date +%s)
	curl -sS -o "$tmp/slow$i" -w '%{http_code}' -H "X-Ovh-Application: $FAKE_AK" \
		-H "X-Ovh-Consumer: $FAKE_CK" -H "X-Ovh-Timestamp: $ts" \
		-H "X-Ovh-Signature: $(sign GET "$FAKE_URL$SPAM" "" "$ts")" "$FAKE_URL$SPAM" >"$tmp/slowcode$i" &
	pids="$pids $!"
done
sleep 1
get /ip
assert_eq "$code" 200 "slow: other paths are not held up"
# shellcheck disable=SC2086
wait $pids
elapsed=$(($(date +%s) - start))
assert_eq "$(cat "$tmp/slowcode1" "$tmp/slowcode2" "$tmp/slowcode3")" 200200200 "slow: the answers come"
assert_true "slow: the answers waited (${elapsed}s)" test "$elapsed" -ge 2
assert_true "slow: three were served at once (${elapsed}s)" test "$elapsed" -le 5
assert_true "slow: the log's inflight reached 3" test "$(fakeapi_max_inflight)" -ge 3
assert_eq "$(jq -r 'select(.fault == "slow") | .status' "$FAKE_LOG" | tr '\n' ' ')" "200 200 200 " \
	"slow: logged with its fault"
assert_eq "$(jq -s 'map(select(.url == "/1.0/ip")) | .[0].inflight' "$FAKE_LOG")" 4 \
	"inflight counts the request itself"

fakeapi_start "$D" --fault "slow:600ms:/auth/time"
t=$(curl -sS -o /dev/null -w '%{time_total}' "$FAKE_URL/auth/time")
assert_true "slow in milliseconds (${t}s)" awk -v t="$t" 'BEGIN { exit !(t >= 0.6 && t < 3) }'

# A stop does not wait for a slow answer to finish.
fakeapi_start "$D" --fault "slow:30"
curl -sS -o /dev/null "$FAKE_URL/auth/time" 2>/dev/null &
pid=$!
sleep 1
start=$(date +%s)
assert_true "SIGTERM during a slow answer stops cleanly" fakeapi_stop
assert_true "and promptly" test $(($(date +%s) - start)) -le 3
wait "$pid" || :

# --max-seconds: it goes away by itself.
fakeapi_start "$D" --max-seconds 1
sleep 2
raw GET "$FAKE_URL/auth/time"
assert_eq "$curl_status" 7 "--max-seconds ends it: the port is closed"
assert_true "and it said why" grep -q "max-seconds" "$FAKE_ERR"
assert_true "with status 0" fakeapi_stop

# --- the unblock's state machine ---
# U1 is blocked for 100 more seconds by the server clock, U2 since long.
U=$tmp/unblock
now=$(date +%s)
printf '{"date":"%s","ipSpamming":"203.0.113.1","state":"blockedForSpam","time":3600}\n' \
	"$(date -u -d "@$((now - 3500))" +%Y-%m-%dT%H:%M:%S+00:00)" >"$tmp/u1.json"
printf '{"date":"2026-11-01T10:00:00+01:00","ipSpamming":"203.0.113.2","state":"blockedForSpam","time":3600}\n' \
	>"$tmp/u2.json"
fakeapi_case "$U" "$BLOCK" 203.0.113.1 "$tmp/u1.json"
fakeapi_case "$U" "$BLOCK" 203.0.113.2 "$tmp/u2.json"
U1=/ip/$EBLOCK/spam/203.0.113.1
U2=/ip/$EBLOCK/spam/203.0.113.2
fakeapi_start "$U" --unblock-delay 700ms
call POST "$U1/unblock"
assert_eq "$code" 400 "an unblock before date + time is refused"
left=$(body_field message | sed -n 's/^This IP address is still blocked for \([0-9]*\) seconds$/\1/p')
assert_true "with the seconds left in the guide's words ($(body_field message))" test -n "$left"
assert_true "the seconds counted from date + time (${left:-none})" \
	test "${left:-0}" -ge 1 -a "${left:-0}" -le 100 -a "${left:-0}" -ge $((now + 100 - $(date +%s)))
get "$U1"
assert_true "a refused unblock changes nothing" cmp -s "$tmp/body" "$tmp/u1.json"
call POST "$U2/unblock"
assert_eq "$code $(jq -r .state "$tmp/body")" "200 unblocking" "after date + time: unblocking"
get "$U2"
assert_eq "$(jq -r .state "$tmp/body")" unblocking "GET shows unblocking"
get "/ip/$EBLOCK/spam?state=unblocking"
assert_eq "$(cat "$tmp/body")" '["203.0.113.2"]' "?state= follows the state reached"
sleep 1
get "$U2"
assert_eq "$(jq -c . "$tmp/body")" "$(jq -c '.state = "unblocked"' "$tmp/u2.json")" \
	"--unblock-delay later: unblocked, the rest of the object as it was"
call POST "$U2/unblock"
assert_eq "$code $(jq -r .state "$tmp/body")" "200 unblocked" "an unblock of an unblocked IP answers it"
assert_eq "$(jq -s 'map(select(.wrote)) | length' "$FAKE_LOG")" 1 "and writes nothing"
fakeapi_start "$U" --refusal-status 503
call POST "$U1/unblock"
assert_eq "$code" 503 "--refusal-status: the refusal at another status"
assert_true "with the same words" sh -c 'echo "$1" | grep -q "still blocked for"' - "$(body_field message)"

fakeapi_start "$U" --unblock-lag 600ms
call POST "$U2/unblock"
assert_eq "$code $(jq -r .state "$tmp/body")" "200 unblocking" "--unblock-lag: the POST answers the new state"
get "$U2"
assert_eq "$(jq -r .state "$tmp/body")" blockedForSpam "--unblock-lag: GET shows the old state for a while"
sleep 1
get "$U2"
assert_eq "$(jq -r .state "$tmp/body")" unblocking "--unblock-lag: then the new one"

# Faults on the write: lost after it was done, late after it was done,
# a refusal the clock does not explain.
fakeapi_start "$U" --fault "lost:1:$U2/unblock"
call POST "$U2/unblock"
assert_eq "$code" 000 "lost: no answer"
assert_eq "$(jq -c 'select(.url | endswith("/unblock")) | [.status, .fault, .wrote]' "$FAKE_LOG")" \
	'[0,"lost",true]' "lost: logged as done without an answer"
get "$U2"
assert_eq "$(jq -r .state "$tmp/body")" unblocking "lost: the unblock was done all the same"
fakeapi_start "$U" --fault "late:1:1500ms:$U2/unblock"
start=$(date +%s%N)
call POST "$U2/unblock"
took=$((($(date +%s%N) - start) / 1000000))
assert_eq "$code $(jq -r .state "$tmp/body")" "200 unblocking" "late: the answer comes"
assert_true "late: after the delay (${took} ms)" test "$took" -ge 1500
assert_eq "$(jq -c 'select(.url | endswith("/unblock")) | [.fault, .wrote]' "$FAKE_LOG")" \
	'["late",true]' "late: done before the wait"
fakeapi_start "$U" --fault "stillblocked:1:42:$U2/unblock"
call POST "$U2/unblock"
assert_eq "$code $(body_field message)" "400 This IP address is still blocked for 42 seconds" \
	"stillblocked: the refusal, N from the spec"
get "$U2"
assert_true "stillblocked: nothing done" cmp -s "$tmp/body" "$tmp/u2.json"
call POST "$U2/unblock"
assert_eq "$code" 200 "stillblocked: once, then the unblock"

# --- GET /ip/{block}, the support tickets, POST /auth/credential ---
S=$tmp/support.state
printf '{"ip":"%s","type":"dedicated","routedTo":{"serviceName":"ns1.example.net"}}\n' "$BLOCK" \
	>"$D/blocks/203.0.113.0_28/block.json"
fakeapi_start "$D" --state "$S"
get "/ip/$EBLOCK"
assert_true "GET /ip/{block}: block.json byte for byte" cmp -s "$tmp/body" "$D/blocks/203.0.113.0_28/block.json"
get "/ip/198.51.100.0%2F24"
assert_error 404 RESOURCE_NOT_FOUND "GET /ip/{block} without block.json: 404"
T='{"subject":"S1","body":"B1","type":"genericRequest","category":"assistance","subcategory":"other","product":"dedicated","serviceName":"ns1.example.net"}'
call POST /support/tickets/create "$T"
assert_eq "$code $(jq -c . "$tmp/body")" '200 {"ticketId":5001,"ticketNumber":8845001,"messageId":9001,"additionalNotice":null}' \
	"create: support.NewMessageInfo"
assert_eq "$(jq -c '[.tickets[0].subject, .tickets[0].state, .messages[0].body]' "$S")" '["S1","open","B1"]' \
	"create: the ticket and its first message in --state"
for bad in '{"body":"B","type":"genericRequest"}' '{"subject":"S","type":"genericRequest"}' \
	'{"subject":"S","body":"B"}' '{"subject":"S","body":"B","type":"urgent"}' \
	'{"subject":"S","body":"B","type":"genericRequest","product":"car"}' \
	'{"subject":"S","body":"B","type":"genericRequest","category":"x"}' \
	'{"subject":"S","body":"B","type":"genericRequest","subcategory":"x"}' \
	'{"subject":"S","body":7,"type":"genericRequest"}' \
	'{"subject":"S","body":"B","type":"genericRequest","attachment":"x"}' '[]' 'x'; do
	call POST /support/tickets/create "$bad"
	assert_error 400 INVALID_PARAMETER "create refuses $bad"
done
assert_eq "$(jq '.tickets | length' "$S")" 1 "a refused create makes no ticket"
call POST /support/tickets/create '{"subject":"S2","body":"B2","type":"genericRequest"}'
get /support/tickets
assert_eq "$(cat "$tmp/body")" '[5001,5002]' "list: every id"
get "/support/tickets?subject=S2"
assert_eq "$(cat "$tmp/body")" '[5002]' "list: ?subject="
get "/support/tickets?ticketNumber=8845001"
assert_eq "$(cat "$tmp/body")" '[5001]' "list: ?ticketNumber="
get "/support/tickets?status=closed"
assert_eq "$(cat "$tmp/body")" '[]' "list: ?status="
get "/support/tickets?minCreationDate=$(date -u -d "@$(($(date +%s) + 600))" +%Y-%m-%dT%H%%3A%M%%3A%S%%2B00%%3A00)"
assert_eq "$(cat "$tmp/body")" '[]' "list: ?minCreationDate= in the future"
get "/support/tickets?minCreationDate=$(date -u -d "@$(($(date +%s) - 600))" +%Y-%m-%dT%H%%3A%M%%3A%S%%2B00%%3A00)"
assert_eq "$(cat "$tmp/body")" '[5001,5002]' "list: ?minCreationDate= ten minutes ago"
get "/support/tickets?status=gone"
assert_error 400 INVALID_PARAMETER "list: a status not in the enum"
get "/support/tickets?minCreationDate=yesterday"
assert_error 400 INVALID_PARAMETER "list: a date that is none"
get "/support/tickets?color=red"
assert_error 400 INVALID_PARAMETER "list: a filter the schema lacks"
get /support/tickets/5001
assert_eq "$(jq -c '[.ticketId, .ticketNumber, .subject, .product, .serviceName, .type]' "$tmp/body")" \
	'[5001,8845001,"S1","dedicated","ns1.example.net","genericRequest"]' "detail: the support.Ticket"
get /support/tickets/6000
assert_error 404 RESOURCE_NOT_FOUND "detail: an unknown id"
call POST /support/tickets/5001/reply '{"body":"R1"}'
assert_eq "$code $(wc -c <"$tmp/body")" "200 0" "reply: void"
get /support/tickets/5001/messages
assert_eq "$(jq -c 'map(.body)' "$tmp/body")" '["B1","R1"]' "messages: the first, then the reply"
call POST /support/tickets/5001/reply '{"text":"R1"}'
assert_error 400 INVALID_PARAMETER "reply: body required"
call POST /support/tickets/6000/reply '{"body":"R"}'
assert_error 404 RESOURCE_NOT_FOUND "reply: an unknown ticket"
assert_eq "$(jq -s 'map(select(.wrote)) | length' "$FAKE_LOG")" 3 "two creates and a reply wrote"
R='{"accessRules":[{"method":"GET","path":"/ip"},{"method":"POST","path":"/ip/*/spam/*/unblock"}]}'
raw POST "$FAKE_URL/auth/credential"
assert_eq "$code $(body_field errorCode)" "401 NOT_AUTHENTICATED" "credential: no application key"
curl -sS -o "$tmp/body" -w '%{http_code}' -X POST -H "X-Ovh-Application: $FAKE_AK" \
	-H 'Content-Type: application/json' --data-binary "$R" "$FAKE_URL/auth/credential" >"$tmp/code"
assert_eq "$(cat "$tmp/code") $(jq -c '[.consumerKey, .state]' "$tmp/body")" '200 ["fakeNewCK0001","pendingValidation"]' \
	"credential: unsigned, the application key alone"
assert_eq "$(jq -c '.credentials[0]' "$S")" "$R" "credential: the rules recorded"
curl -sS -o "$tmp/body" -w '%{http_code}' -X POST -H "X-Ovh-Application: other" \
	--data-binary "$R" "$FAKE_URL/auth/credential" >"$tmp/code"
assert_eq "$(cat "$tmp/code") $(body_field errorCode)" "403 INVALID_KEY" "credential: another application key"
curl -sS -o "$tmp/body" -w '%{http_code}' -X POST -H "X-Ovh-Application: $FAKE_AK" \
	--data-binary '{"accessRules":[{"method":"PATCH","path":"/ip"}]}' "$FAKE_URL/auth/credential" >"$tmp/code"
assert_eq "$(cat "$tmp/code") $(body_field errorCode)" "400 INVALID_PARAMETER" "credential: a method no rule has"
# lost after the write: the ticket made, no answer.
fakeapi_start "$D" --state "$S" --fault lost:1:/support/tickets/create
call POST /support/tickets/create "$T"
assert_eq "$code $(jq '.tickets | length' "$S")" "000 1" "lost on create: no answer, the ticket made"
get /support/tickets
assert_eq "$(cat "$tmp/body")" '[5001]' "lost on create: listed"

# --listen-requests: the port closes once N requests have arrived.
fakeapi_start "$D" --listen-requests 2
raw GET "$FAKE_URL/auth/time"
raw GET "$FAKE_URL/auth/time"
assert_eq "$code" 200 "--listen-requests 2: the second request is served"
raw GET "$FAKE_URL/auth/time"
assert_eq "$curl_status" 7 "--listen-requests 2: the third connection is refused"
assert_true "--listen-requests: stops cleanly" fakeapi_stop

# Bad command lines.
set +e
"$FAKE_OVH" --data "$D" --app-key a --app-secret b --consumer-key c --fault bogus:1 2>"$tmp/err"
st=$?
set -e
assert_eq "$st" 64 "an unknown fault is a usage error"
assert_in "$tmp/err" "unknown fault 'bogus:1'" "and says which"
for bad in 503 429:1 slow:x huge:3 cut:ip 'reset:1:' lost late:1 stillblocked:1; do
	set +e
	"$FAKE_OVH" --data "$D" --app-key a --app-secret b --consumer-key c --fault "$bad" 2>/dev/null
	st=$?
	set -e
	assert_eq "$st" 64 "a bad fault spec: $bad"
done
set +e
"$FAKE_OVH" --data "$D" --app-key a --app-secret b 2>/dev/null
st=$?
set -e
assert_eq "$st" 64 "credentials are required"

assert_eq "$FAKE_BAD_STOPS" 0 "every fake-ovh run ended cleanly"
finish
