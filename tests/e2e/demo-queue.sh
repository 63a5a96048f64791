#!/bin/sh
# The demo's queue step (README, "The whole procedure"; 'make demo'), on
# a real Postfix: a private instance (privpostfix.sh) stands for the
# demo relay, since the demo case has no mail system of its own.
# Sending stopped the guide's way (defer_transports = smtp), three
# messages waiting to the demo's flagged domains: fpkit queue says the
# MTA cannot send, what waits and that all three go where the block
# says; pack --queue keeps it; once the queue is cleared, queue --check
# passes.  The text printed is what README shows.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/privpostfix.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
pfx_setup
pfx_start

CASE="--spam-ip-json $DEMO_SPAMIP --stats-json $DEMO_STATS --maillog $DEMO/log/mail.log"

# 2. stop sending, as the guide asks (Postfix: hold mail for other hosts).
postconf -c "$PFX_CONF" -e defer_transports=smtp
postfix -c "$PFX_CONF" reload >/dev/null 2>&1
pfx_send news@shop.example.com ana@example.net
pfx_send news@shop.example.com bob@example.net carl@example.org
pfx_send orders@shop.example.com dana@example.org
if pfx_wait_deferred 3; then ok "the set-up: 3 messages held by defer_transports"; else not_ok "the set-up: 3 messages held"; fi

# 3. the queue step, as README shows it.
# shellcheck disable=SC2086
run queue --postfix-config "$PFX_CONF" $CASE
assert_status 0 "the demo's queue step"
sed 's/^/#   /' "$tmp/out"
assert_in "$tmp/out" "Mail system:  postfix, running: yes" "text: the MTA, running"
assert_in "$tmp/out" "Can send:     no" "text: sending stopped is seen"
assert_in "$tmp/out" "To them:      3 messages" "text: the three waiting messages go to the flagged destinations"
# README shows this output: the same lines, but for the queue ids and
# the times.
norm() { sed -E 's/[0-9A-F]{10,12}/ID/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC/TIME/g' "$1" | sort; }
sed -n '/^Step 3 on the demo case/,/^All three go/p' "$E2E/../../README.md" | sed -n '/^```text$/,/^```$/p' |
	sed '1d;$d' >"$tmp/readme.txt"
assert_true "README shows the step" test -s "$tmp/readme.txt"
assert_eq "$(norm "$tmp/readme.txt")" "$(norm "$tmp/out")" "README's queue step is what fpkit prints"
# shellcheck disable=SC2086
run queue --postfix-config "$PFX_CONF" $CASE --json
assert_eq "$(jq -c '[.can_send, .total, (.to_targets | length)]' "$tmp/out")" '[false,3,3]' \
	"JSON: cannot send, 3 waiting, 3 to the flagged destinations"
# shellcheck disable=SC2086
run queue --postfix-config "$PFX_CONF" $CASE --check
assert_status 1 "--check: mail still waits to leave"

# 4. the evidence, the queue's too.
# shellcheck disable=SC2086
run pack $CASE --mail "$DEMO_MAIL" --queue --postfix-config "$PFX_CONF" -o "$tmp/demo.tar.gz"
assert_status 0 "pack --queue on the demo case"
assert_true "the bundle holds queue/queue.json" sh -c "tar tzf '$tmp/demo.tar.gz' | grep -q '/queue/queue.json\$'"

# 5. clear the queue: --check passes.
postsuper -c "$PFX_CONF" -d ALL >/dev/null 2>&1
run queue --postfix-config "$PFX_CONF" --check
assert_status 0 "the queue cleared, sending stopped: --check passes"

pfx_stop
finish
