#!/bin/sh
# fpkit unblock's guard rail on the mail system, against a real Postfix
# (a private instance, privpostfix.sh) and the fake API: refused while
# Postfix runs and could deliver, while sending is stopped but deferred
# messages wait, and let through once sending is stopped
# (defer_transports = smtp) and the queue emptied; --force goes past the
# refusal.  Each refusal sends nothing to the API.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
. "$E2E/privpostfix.sh"
# Both scripts set an EXIT trap: one that stops both servers.
trap 'fakeapi_stop >/dev/null 2>&1 || :; pfx_stop >/dev/null 2>&1 || :; rm -rf "$tmp" "$san"' EXIT
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
fakeapi_setup
pfx_setup
pfx_start

IP=203.0.113.7
D=$tmp/data
fakeapi_case "$D" 203.0.113.0/28 "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
start() {
	fakeapi_start "$D"
	fakeapi_env
}
posts() { jq -s 'map(select(.method == "POST")) | length' "$FAKE_LOG"; }
# u ARGS...: fpkit unblock on the private Postfix.
u() {
	run unblock "$IP" --no-evidence --yes --json --postfix-config "$PFX_CONF" "$@"
}

# ---- running, empty: it could deliver ----
start
u
assert_status 1 "Postfix running, nothing holding mail: refused"
assert_eq "$(jq -c '[.refused_by, .posted]' "$tmp/out")" '["queue",false]' "running: refused by the queue rail"
assert_in "$tmp/err" "fpkit: unblock: refused: mail could still leave: postfix can send (the master daemon is running and nothing holds mail to other hosts" \
	"running: what was found"
assert_eq "$(posts)" 0 "running: no POST"

# ---- sending stopped, two messages deferred ----
pfx_send news@shop.example.com ana@example.net
pfx_send news@shop.example.com bob@example.org
if pfx_wait_deferred 2; then ok "the test's set-up: 2 messages deferred"; else not_ok "the test's set-up: 2 messages deferred"; fi
postconf -c "$PFX_CONF" -e defer_transports=smtp
postfix -c "$PFX_CONF" reload 2>/dev/null
u
assert_status 1 "sending stopped, 2 messages deferred: refused"
assert_in "$tmp/err" "mail could still leave: 2 messages in postfix's queue could leave once sending resumes" \
	"deferred: the messages named"
assert_eq "$(posts)" 0 "deferred: no POST"
u --force
assert_status 0 "--force: goes past the refusal"
assert_eq "$(jq -c '[.state, .posted]' "$tmp/out")" '["unblocking",true]' "--force: unblocked"

# ---- sending stopped, the queue emptied ----
start
postsuper -c "$PFX_CONF" -d ALL 2>/dev/null
u
assert_status 0 "defer_transports = smtp and an empty queue: the unblock goes through"
assert_eq "$(jq -c '[.refused_by, .posted]' "$tmp/out")" '[null,true]' "stopped and empty: posted"
assert_eq "$(posts)" 1 "stopped and empty: one POST"
run unblock "$IP" --no-evidence --dry-run --postfix-config "$PFX_CONF"
assert_status 0 "--dry-run: the state as it is now"

# ---- a message queued again: refused again ----
start
pfx_send news@shop.example.com carl@example.net
if pfx_wait_deferred 1; then ok "the test's set-up: 1 message deferred"; else not_ok "the test's set-up: 1 message deferred"; fi
u
assert_status 1 "a message waits again: refused"
assert_eq "$(posts)" 0 "a message waits again: no POST"

assert_true "the fake server stops cleanly" fakeapi_stop
finish
