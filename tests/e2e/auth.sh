#!/bin/sh
# fpkit auth against the fake API: POST /auth/credential sent unsigned
# with the application key alone, the access rules read-only by default
# and --write adding exactly the three writes, the validation address
# and the ovh.conf line printed, and no other secret.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
fakeapi_setup

D=$tmp/data
fakeapi_case "$D" 203.0.113.0/28 203.0.113.7 "$DEMO_SPAMIP"
STATE=$tmp/state.json
fakeapi_start "$D" --state "$STATE"
j() { jq -c "$1" "$tmp/out"; }
rules() { jq -c "[.credentials[$1].accessRules[] | .method + \" \" + .path]" "$STATE"; }

READ='["GET /ip","GET /ip/*","GET /ip/*/spam","GET /ip/*/spam/*","GET /ip/*/spam/*/stats","GET /me","GET /support/tickets","GET /support/tickets/*","GET /support/tickets/*/messages"]'
WRITES='["POST /ip/*/spam/*/unblock","POST /support/tickets/create","POST /support/tickets/*/reply"]'

# The application key in a file of the user's, no consumer key at all.
cat >"$HOME/.ovh.conf" <<CONF
[default]
endpoint=$FAKE_URL

[$FAKE_URL]
application_key=$FAKE_AK
application_secret=$FAKE_AS
CONF
chmod 600 "$HOME/.ovh.conf"

run scan
assert_status 78 "scan without a consumer key"
assert_in "$tmp/err" "request one with 'fpkit auth'" "no consumer key: 'fpkit auth' named"
run auth --json
assert_status 0 "auth without a consumer key"
assert_eq "$(rules 0)" "$READ" "the rules: the GETs fpkit makes, nothing else"
assert_eq "$(j '[.consumerKey, .state, .section, .config_file]')" \
	"[\"fakeNewCK0001\",\"pendingValidation\",\"$FAKE_URL\",\"$HOME/.ovh.conf\"]" \
	"the key, its state, and the file and section it goes in"
assert_eq "$(j .validationUrl)" '"https://eu.api.ovh.com/auth/?credentialToken=fakeToken0001"' "the validation address"
assert_eq "$(jq -c '[.[] | select(.url == "/1.0/auth/credential") | .method]' -s "$FAKE_LOG")" '["POST"]' \
	"one POST /auth/credential"
assert_eq "$(jq -s -c 'map(.url)' "$FAKE_LOG")" '["/1.0/auth/credential"]' \
	"nothing else asked (not even the time: the call is not signed)"
assert_eq "$(jq -c '.credentials[0] | keys' "$STATE")" '["accessRules"]' "no redirection unless given"

run auth --write --redirection https://example.com/done
assert_status 0 "auth --write"
assert_eq "$(rules 1)" "$(printf '%s\n%s\n' "$READ" "$WRITES" | jq -s -c 'add')" \
	"--write adds exactly the three POSTs"
assert_eq "$(jq -c '.credentials[1].redirection' "$STATE")" '"https://example.com/done"' "--redirection sent"
assert_in "$tmp/out" "https://eu.api.ovh.com/auth/?credentialToken=fakeToken0002" "the text: the validation address"
assert_in "$tmp/out" "Then put this line in section [$FAKE_URL] of $HOME/.ovh.conf:" "the text: where the key goes"
assert_in "$tmp/out" "  consumer_key=fakeNewCK0002" "the text: the line to put there"
assert_in "$tmp/out" "  POST /support/tickets/*/reply" "the text: the rules granted"
assert_not_in "$tmp/out" "$FAKE_AS" "the application secret is never printed"
assert_not_in "$tmp/out" "$FAKE_AK" "the application key is never printed"
assert_not_in "$tmp/err" "$FAKE_AS" "nor on stderr"

# The application key from the environment: ~/.ovh.conf is where the key goes.
rm "$HOME/.ovh.conf"
OVH_ENDPOINT=$FAKE_URL OVH_APPLICATION_KEY=$FAKE_AK OVH_APPLICATION_SECRET=$FAKE_AS run auth --json
assert_status 0 "auth with the application key in the environment"
assert_eq "$(j .config_file)" "\"$HOME/.ovh.conf\"" "the environment: ~/.ovh.conf named"

# A wrong application key: the API's refusal.
OVH_ENDPOINT=$FAKE_URL OVH_APPLICATION_KEY=wrongAK OVH_APPLICATION_SECRET=$FAKE_AS run auth
assert_status 77 "a wrong application key: refused"
assert_in "$tmp/err" "This application key is invalid" "the refusal said"
OVH_ENDPOINT=$FAKE_URL run auth
assert_status 78 "no application key: a configuration error"
run auth extra
assert_status 64 "an unexpected argument"
run auth --redirection ftp://example.com/
assert_status 64 "--redirection: not http(s)"

# Every path the code asks for is covered by a rule of its kind (the
# other side: tests/unit/test_ovhapi.c checks each ovhapi_ call).
assert_true "the fake server stops cleanly" fakeapi_stop
assert_eq "$FAKE_BAD_STOPS" 0 "every fake-ovh run ended cleanly"
finish
