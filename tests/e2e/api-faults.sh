#!/bin/sh
# The API misbehaving, one fault at a time: for each, the exact message,
# the exit status, the tries made (from the fake server's log or the
# --verbose trace), and nothing written: no bundle, no --save-api file.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
fakeapi_setup
mkdir "$tmp/o" "$tmp/api"

BLOCK=203.0.113.0/28
IP=203.0.113.7
EB=203.0.113.0%2F28
SPAM=/ip/$EB/spam/$IP
STATS=$SPAM/stats
WINDOW='?from=2026-11-19T13%3A32%3A07%2B00%3A00&to=2026-11-20T14%3A32%3A07%2B00%3A00'
D=$tmp/data
fakeapi_case "$D" "$BLOCK" "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"

# serve ARGS...: (re)start the fake API with ARGS and point fpkit at it.
serve() {
	fakeapi_start "$D" "$@"
	fakeapi_env
}

# pack_api ARGS...: pack the demo IP from the API; the rate ceiling is
# raised so that retries do not wait for it.
pack_api() {
	run pack --ip "$IP" --mail "$DEMO_MAIL" -o "$tmp/o" --save-api "$tmp/api" --rate 6000 "$@"
}

# statuses PATH: the statuses the server answered for PATH (after /1.0,
# query included or not), in order, on one line.
statuses() {
	jq -r --arg u "/1.0$1" 'select(.url == $u or (.url | startswith($u + "?"))) | .status' \
		"$FAKE_LOG" | tr '\n' ' ' | sed 's/ $//'
}

# nothing_written WHAT
nothing_written() {
	no_leftovers "$tmp/o" "$1: no bundle"
	no_leftovers "$tmp/api" "$1: no --save-api file"
}

# assert_err_re REGEX WHAT: stderr is exactly one line matching REGEX.
assert_err_re() {
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qE -- "$1" "$tmp/err"; then
		ok "$2"
	else
		not_ok "$2: stderr is not one line matching $1"
	fi
}

QID='query id EU\.ext-[0-9]+\.[0-9a-f]+\.[0-9]+'
# How a message ends once the tries are spent.
LATER=': the API fails for now: try again later, and if it lasts, give OVHcloud support the query id'
CONN=": check this host's connection to the API \(network, firewall, proxy\), or try again later"
RSPAM=$(printf '%s' "$SPAM" | sed 's/[.]/\\./g')
RSTATS=$(printf '%s' "$STATS$WINDOW" | sed 's/[.?]/\\&/g')

# 503 twice, then an answer: retried, and the bundle is written.
serve --fault "503:2:$STATS"
pack_api --verbose
assert_status 0 "503 twice, then 200"
assert_eq "$(statuses "$STATS")" "503 503 200" "503 twice: three tries"
assert_in "$tmp/err" "-> 503 Service is temporarily unavailable (SERVICE_UNAVAILABLE, query id EU.ext-" \
	"503 twice: each retry is traced"
assert_true "503 twice: the bundle is written" test -f "$tmp/o/$DEMO_BUNDLE"
rm -f "$tmp/o"/* "$tmp/api"/*

# 503 for ever: four tries, then the last answer.
serve --fault "503:99:$STATS"
pack_api
assert_status 75 "503 for ever"
assert_err_re "^fpkit: GET $RSTATS: 503 Service is temporarily unavailable \(SERVICE_UNAVAILABLE, $QID\) \(gave up after 4 tries\)$LATER\$" \
	"503 for ever: the message says to try again later, with the query id"
assert_eq "$(statuses "$STATS")" "503 503 503 503" "503 for ever: 4 tries (--retries 3)"
nothing_written "503 for ever"

# A gateway time-out (its class names a time-out) is a server trouble,
# retried, not a refused timestamp.
serve --fault "504:99:$STATS"
pack_api --retries 1
assert_status 75 "504 for ever"
assert_err_re "^fpkit: GET $RSTATS: 504 Gateway timeout \(GATEWAY_TIMEOUT, $QID\) \(gave up after 2 tries\)$LATER\$" \
	"504: the message, without a word on the clock"
nothing_written "504 for ever"

# /auth/time answering a number that is no clock.
mkdir -p "$tmp/badtime"
serve --fault "badjson:/auth/time"
pack_api
assert_status 76 "/auth/time that is not a time"
assert_in "$tmp/err" "GET /auth/time" "the bad time is named"
nothing_written "bad /auth/time"

# --retries 0: one try, no retry.
serve --fault "503:99:$STATS"
pack_api --retries 0
assert_status 75 "503 with --retries 0"
assert_err_re "^fpkit: GET $RSTATS: 503 Service is temporarily unavailable \(SERVICE_UNAVAILABLE, $QID\)$LATER\$" \
	"--retries 0: the message has no retry count"
assert_eq "$(statuses "$STATS")" "503" "--retries 0: 1 try"
nothing_written "--retries 0"

# 429 with Retry-After: 1: the second try waits at least a second.
serve --fault "429:1:1:$SPAM\$"
pack_api
assert_status 0 "429 once with Retry-After 1"
assert_eq "$(statuses "$SPAM")" "429 200" "429 once: two tries"
gap=$(jq -s --arg u "/1.0$SPAM" 'map(select(.url == $u) | .t_ms) | .[1] - .[0]' "$FAKE_LOG")
assert_true "429 once: the retry came after Retry-After (${gap} ms)" test "$gap" -ge 1000
assert_true "429 once: but not much later (${gap} ms)" test "$gap" -lt 2000
rm -f "$tmp/o"/* "$tmp/api"/*

# A Retry-After too long to wait for: no retry, a clear message.
serve --fault "429:9:120:$SPAM\$"
pack_api
assert_status 75 "429 with Retry-After 120"
assert_err_re "^fpkit: GET $RSPAM: 429 Too many requests \(TOO_MANY_REQUESTS, $QID\): the API asks to wait 120 s before trying again, more than the limit of 60 s: try later\$" \
	"Retry-After 120: the message"
assert_eq "$(statuses "$SPAM")" "429" "Retry-After 120: 1 try"
nothing_written "Retry-After 120"
# Ten digits or more: only the first nine are read, and the message says
# "more than" rather than a number the server did not give.
serve --fault "429:9:4294967295:$SPAM\$"
pack_api
assert_status 75 "429 with a 10-digit Retry-After"
assert_err_re "the API asks to wait more than 999999999 s before trying again, more than the limit of 60 s: try later\$" \
	"a 10-digit Retry-After: the message"
nothing_written "a 10-digit Retry-After"

# Retry-After at its limit (60 s) and just under it is waited for: the
# retry is set for that many seconds (the --verbose trace says so) and
# the run is still waiting a second later (it is then stopped: no test
# waits a minute); just over it (61 s) ends the call at once.
for secs in 59 60; do
	serve --fault "429:9:$secs:$SPAM\$"
	set +e
	${FPKIT_VALGRIND:-} "$FPKIT" pack --ip "$IP" --mail "$DEMO_MAIL" -o "$tmp/o" --rate 6000 --verbose \
		>"$tmp/out" 2>"$tmp/err" &
	waiter=$!
	set -e
	i=0
	while ! grep -q 'again in' "$tmp/err" && kill -0 "$waiter" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	if kill -0 "$waiter" 2>/dev/null; then
		ok "Retry-After $secs: still waiting a second later"
		kill -TERM "$waiter"
	else
		not_ok "Retry-After $secs: the run ended instead of waiting"
	fi
	wait "$waiter" 2>/dev/null || :
	assert_in "$tmp/err" "-> 429 Too many requests" "Retry-After $secs: the 429 is traced"
	assert_in "$tmp/err" "(try 1 of 4): again in ${secs}000 ms" "Retry-After $secs: the retry is set $secs s later"
	assert_not_in "$tmp/err" "more than the limit" "Retry-After $secs: within the limit"
	assert_eq "$(statuses "$SPAM")" "429" "Retry-After $secs: one try so far"
	rm -f "$tmp/o"/* "$tmp/o"/.[!.]* 2>/dev/null || :
done
serve --fault "429:9:61:$SPAM\$"
pack_api
assert_status 75 "429 with Retry-After 61"
assert_err_re "the API asks to wait 61 s before trying again, more than the limit of 60 s: try later\$" \
	"Retry-After 61: the message"
assert_eq "$(statuses "$SPAM")" "429" "Retry-After 61: 1 try"
nothing_written "Retry-After 61"

# 429 for ever with a short Retry-After: four tries.
serve --fault "429:99:0:$SPAM\$"
pack_api
assert_status 75 "429 for ever"
assert_err_re "^fpkit: GET $RSPAM: 429 Too many requests \(TOO_MANY_REQUESTS, $QID\) \(gave up after 4 tries\)$LATER\$" \
	"429 for ever: the message"
assert_eq "$(statuses "$SPAM")" "429 429 429 429" "429 for ever: 4 tries"
nothing_written "429 for ever"

# Connections closed without an answer: retried.
serve --fault "reset:2:/ip?"
pack_api --verbose
assert_status 0 "two connection resets, then an answer"
# Two tries: the first on the kept-alive connection, resent by libcurl.
assert_eq "$(statuses /ip)" "0 0 200" "resets: three requests"
assert_true "resets: the second try succeeds" \
	grep -qE '^fpkit: api: GET http://[^ ]*/ip\?ip=203\.0\.113\.7 -> 200 in [0-9]+ ms \(try 2 of 4\)$' "$tmp/err"
rm -f "$tmp/o"/* "$tmp/api"/*

serve --fault "reset:99:/ip?"
pack_api --retries 2
assert_status 75 "resets for ever"
assert_err_re "^fpkit: GET /ip\?ip=203\.0\.113\.7: the connection was cut: Empty reply from server \(gave up after 3 tries\)$CONN\$" \
	"resets for ever: the message"
# The first try went on the connection kept alive after GET /auth/time:
# libcurl sends a request again on a fresh connection, once, when a kept
# connection dies unanswered (the keep-alive race); so 3 tries, 4 requests.
assert_eq "$(statuses /ip)" "0 0 0 0" "resets for ever: 3 tries (--retries 2), the first resent once by libcurl"
nothing_written "resets for ever"

# An answer slower than --timeout: each try ends at the time-out.  --block
# spares the GET /ip, and 1 s leaves /auth/time room on a loaded machine.
serve --fault "slow:5:$SPAM\$"
pack_api --block "$BLOCK" --timeout 1 --retries 1 --verbose
assert_status 75 "an answer slower than --timeout"
grep -v '^fpkit: api: ' "$tmp/err" >"$tmp/err1"
assert_eq "$(wc -l <"$tmp/err1")" 1 "slow: one error line besides the trace"
assert_true "slow: the message" grep -qE \
	"^fpkit: GET $RSPAM: no answer in time \(--connect-timeout 10 s, --timeout 1 s\): Operation timed out after [0-9]+ milliseconds with 0 bytes received \(gave up after 2 tries\): try again later, or give a longer --timeout\$" \
	"$tmp/err1"
assert_eq "$(grep -c "^fpkit: api: GET .*$SPAM -> no answer in time" "$tmp/err")" 2 \
	"slow: 2 tries, each traced"
nothing_written "slow answer"

# A body cut in the middle (Content-Length not reached): retried, then
# a clear error.
serve --fault "cut:$STATS"
pack_api --retries 1
assert_status 75 "a body cut short"
assert_err_re "^fpkit: GET $RSTATS: the connection was cut: transfer closed with [0-9]+ bytes remaining to read \(gave up after 2 tries\)$CONN\$" \
	"cut: the message"
assert_eq "$(statuses "$STATS")" "200 200" "cut: 2 tries"
nothing_written "cut body"

# A 200 whose body is not JSON: not retried.
serve --fault "badjson:$SPAM\$"
pack_api
assert_status 76 "a body that is not JSON"
assert_err_re "^fpkit: GET $RSPAM: the answer is cut short: its 15 bytes end inside the JSON \(premature end of input" \
	"bad JSON: the message"
assert_eq "$(statuses "$SPAM")" "200" "bad JSON: 1 try"
nothing_written "bad JSON"

# An answer over 16 MiB: read no further, not retried.
serve --fault "huge:20000000:$STATS"
pack_api
assert_status 76 "an oversized body"
assert_err_re "^fpkit: GET $RSTATS: the answer is larger than 16777216 bytes: is the endpoint an OVH API\?\$" \
	"oversized: the message"
assert_eq "$(statuses "$STATS")" "200" "oversized: 1 try"
nothing_written "oversized body"

# 403 not granted, in each error style of the API: never retried; the
# message names the access rule the consumer key lacks and how to get
# one that has it.
RULES='request a consumer key with the rules GET /ip and GET /ip/\* \(POST /auth/credential, see fpkit\(1\), THE OVH API\)'
for style in code both class; do
	serve --fault "forbidden:$SPAM\$" --error-style $style
	pack_api
	assert_status 77 "403 not granted ($style style)"
	code=NOT_GRANTED_CALL
	[ $style = class ] && code=Client::Forbidden
	assert_err_re "^fpkit: GET $RSPAM: 403 This call has not been granted \($code, $QID\): the consumer key has no access rule for GET /ip/\*: $RULES\$" \
		"403 ($style style): the message names the rule GET /ip/* and how to get it"
	assert_eq "$(statuses "$SPAM")" "403" "403 ($style style): 1 try"
	nothing_written "403 ($style style)"
done
# GET /ip?ip= needs the rule GET /ip, not GET /ip/*.
serve --fault "forbidden:/ip?"
pack_api
assert_status 77 "403 not granted for GET /ip"
assert_err_re "^fpkit: GET /ip\?ip=203\.0\.113\.7: 403 This call has not been granted \(NOT_GRANTED_CALL, $QID\): the consumer key has no access rule for GET /ip: $RULES\$" \
	"403 for GET /ip: the rule named is GET /ip"

# Wrong credentials: each message names the key to check and where it
# was found, never its value.
serve
OVH_CONSUMER_KEY=fakeCKwrongwrongwrong
pack_api
assert_status 77 "a consumer key the API does not know"
assert_err_re "^fpkit: GET /ip\?ip=203\.0\.113\.7: 403 This credential is not valid \(INVALID_CREDENTIAL, $QID\): the consumer key is unknown to endpoint '[^']*', expired, revoked or not validated yet: check consumer_key \(from OVH_CONSUMER_KEY\), or $RULES\$" \
	"wrong consumer key: the message says to check consumer_key, from OVH_CONSUMER_KEY"
assert_not_in "$tmp/err" "fakeCKwrong" "wrong consumer key: its value is not shown"
OVH_CONSUMER_KEY=$FAKE_CK
serve --fault "nocredential:/ip?"
pack_api
assert_status 77 "a consumer key the API never issued (NOT_CREDENTIAL)"
assert_err_re "^fpkit: GET /ip\?ip=203\.0\.113\.7: 403 This credential does not exist \(NOT_CREDENTIAL, $QID\): the consumer key is unknown to endpoint '[^']*', expired, revoked or not validated yet: check consumer_key \(from OVH_CONSUMER_KEY\), or $RULES\$" \
	"NOT_CREDENTIAL: the message says to check consumer_key"
assert_eq "$(statuses /ip)" "403" "NOT_CREDENTIAL: 1 try"
serve --fault "nocredential:/ip?" --error-style class
pack_api
assert_status 77 "NOT_CREDENTIAL in the class style (no errorCode)"
assert_in "$tmp/err" "(Client::Forbidden, query id EU.ext-" "class style: the class is quoted"
assert_in "$tmp/err" ": check consumer_key (from OVH_CONSUMER_KEY)" \
	"class style: told from the message, the advice is the same"
serve --fault "unauthenticated:/ip?"
pack_api
assert_status 77 "401 not logged in"
assert_err_re "^fpkit: GET /ip\?ip=203\.0\.113\.7: 401 You must login first \(NOT_AUTHENTICATED, $QID\): the API took the request as not logged in: check consumer_key \(from OVH_CONSUMER_KEY\), and that no proxy on the way drops the X-Ovh-\* headers\$" \
	"401: the message says what to check"
serve
OVH_APPLICATION_KEY=fakeAKwrongwrongwrong
pack_api
assert_status 77 "an application key the API does not know"
assert_err_re "^fpkit: GET /ip\?ip=203\.0\.113\.7: 403 This application key is invalid \(INVALID_KEY, $QID\): endpoint '[^']*' does not know the application key: check application_key \(from OVH_APPLICATION_KEY\), and that it was created for this endpoint\$" \
	"wrong application key: the message says to check application_key"
assert_not_in "$tmp/err" "fakeAKwrong" "wrong application key: its value is not shown"
OVH_APPLICATION_KEY=$FAKE_AK
OVH_APPLICATION_SECRET=fakeASwrongwrongwrong
pack_api
assert_status 77 "a wrong application secret"
assert_err_re "^fpkit: GET /ip\?ip=203\.0\.113\.7: 400 Invalid signature \(INVALID_SIGNATURE, $QID\): the application secret does not go with the application key: check application_secret \(from OVH_APPLICATION_SECRET\)\$" \
	"wrong secret: the message says to check application_secret"
assert_not_in "$tmp/err" "fakeASwrong" "wrong secret: its value is not shown"
nothing_written "wrong credentials"
OVH_APPLICATION_SECRET=$FAKE_AS
# From an ovh.conf file: the file and the line are named.
unset OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
printf '[%s]\napplication_key = %s\napplication_secret = %s\nconsumer_key = fakeCKwrongwrongwrong\n' \
	"$FAKE_URL" "$FAKE_AK" "$FAKE_AS" >"$tmp/c.conf"
chmod 600 "$tmp/c.conf"
pack_api --config "$tmp/c.conf"
assert_status 77 "a wrong consumer key from an ovh.conf file"
assert_err_re ": check consumer_key \(from '$tmp/c\.conf' line 4\), or $RULES\$" \
	"wrong consumer key from a file: the file and its line are named"
assert_not_in "$tmp/err" "fakeCKwrong" "wrong consumer key from a file: its value is not shown"
fakeapi_env

# An address the anti-spam does not know (404): with the block found
# through GET /ip, the message asks whether the address is blocked; with a
# --block that is not the account's, it also says to leave --block out.
fakeapi_case "$D" "$BLOCK" 203.0.113.9 "$DEMO_SPAMIP" "$DEMO_STATS"
serve
run pack --ip 203.0.113.8 --mail "$DEMO_MAIL" -o "$tmp/o" --rate 6000
assert_status 66 "an address the anti-spam does not know"
assert_err_re "^fpkit: GET /ip/203\.0\.113\.0%2F28/spam/203\.0\.113\.8: 404 The requested object \(ipSpamming = 203\.0\.113\.8\) does not exist \(RESOURCE_NOT_FOUND, $QID\): is 203\.0\.113\.8 blocked for spam\? 'fpkit scan --all-states' lists the account's IPs the anti-spam knows\$" \
	"404 for the address: the message says how to list the known ones"
run pack --ip "$IP" --block 203.0.113.0/29 --mail "$DEMO_MAIL" -o "$tmp/o" --rate 6000
assert_status 66 "a --block that is not the account's"
assert_err_re ": 404 The requested object \(ip = 203\.0\.113\.0/29\) does not exist \(RESOURCE_NOT_FOUND, $QID\): is 203\.0\.113\.0/29 a block of the account, and is 203\.0\.113\.7 blocked for spam\? leave --block out and fpkit finds the block; " \
	"404 for the block: the message says to leave --block out"
nothing_written "404"

# The server clock is an hour ahead and the window is missed anyway.
serve --skew 3600 --window 1 --fault "slow:2:$SPAM\$"
pack_api --block "$BLOCK"
assert_status 77 "a timestamp refused with the clock an hour behind"
assert_err_re "^fpkit: GET $RSPAM: 400 Invalid timestamp \(INVALID_TIMESTAMP, $QID\): the API refused the request's timestamp, although it was set by the API's own clock \(GET /auth/time; the local clock is (3599|3600) s behind\)" \
	"refused timestamp: the message names the offset"
nothing_written "refused timestamp"

# GET /auth/time failing: nothing else is asked.
serve --fault "503:99:/auth/time"
pack_api --retries 1
assert_status 75 "GET /auth/time failing"
assert_err_re "^fpkit: GET /auth/time: 503 Service is temporarily unavailable \(SERVICE_UNAVAILABLE, $QID\) \(gave up after 2 tries\)$LATER\$" \
	"/auth/time failing: the message"
assert_eq "$(jq -r .url "$FAKE_LOG" | sort -u)" "/1.0/auth/time" "/auth/time failing: no other call"
nothing_written "/auth/time failing"

# No server at all: connection refused, retried, EX_UNAVAILABLE.
port=$FAKE_PORT
fakeapi_stop
pack_api --retries 1 --endpoint "http://127.0.0.1:$port/1.0"
assert_status 69 "no server listening"
assert_err_re "^fpkit: GET /auth/time: cannot connect to the API at 'http://127\.0\.0\.1:$port/1\.0': .* \(gave up after 2 tries\): check the endpoint and this host's connection to it \(network, firewall, proxy\), or try again later\$" \
	"no server: the message says to check the connection"
nothing_written "no server"

finish
