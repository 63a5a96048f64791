#!/bin/sh
# pack --queue against a real Postfix, a private instance started here
# (privpostfix.sh): queue/queue.json and queue/queue.txt in the bundle
# are what fpkit queue prints, and with --queue-messages each waiting
# message to a flagged destination is in queue/messages/ as postcat -q
# prints it, and only those; the bundle verifies; no MTA, no bundle.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/privpostfix.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
pfx_setup
pfx_start

top=${DEMO_BUNDLE%.tar.gz}
# The first target went to 127.0.0.2, where Postfix tries example.net.
jq '.[0].detectedSpams[0].destinationIp = "127.0.0.2"' "$DEMO_STATS" >"$tmp/stats-lo.json"
pfx_send news@shop.example.com ana@example.net
pfx_send orders@shop.example.com dana@example.org
if pfx_wait_deferred 2; then ok "the test's set-up: 2 messages deferred"; else not_ok "the test's set-up: 2 messages deferred"; fi
net_id=$(pfx_json | jq -r 'select(.recipients[0].address == "ana@example.net") | .queue_id')
org_id=$(pfx_json | jq -r 'select(.recipients[0].address == "dana@example.org") | .queue_id')

# ---- --queue ----
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats-lo.json" --mail "$DEMO_MAIL" \
	--no-dkim --queue --postfix-config "$PFX_CONF" -o "$tmp/q.tar.gz"
assert_status 0 "pack --queue: packed"
tar -xzf "$tmp/q.tar.gz" -C "$tmp"
assert_true "queue/queue.json in the bundle" test -f "$tmp/$top/queue/queue.json"
assert_true "queue/queue.txt in the bundle" test -f "$tmp/$top/queue/queue.txt"
assert_false "no queue/messages/ without --queue-messages" test -e "$tmp/$top/queue/messages"
run queue --postfix-config "$PFX_CONF" --json --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats-lo.json"
jq -S 'del(.seen_at)' "$tmp/out" >"$tmp/queue-now.json"
jq -S 'del(.seen_at)' "$tmp/$top/queue/queue.json" >"$tmp/queue-packed.json"
assert_true "queue.json is what fpkit queue --json prints (but the time it was seen)" \
	cmp -s "$tmp/queue-now.json" "$tmp/queue-packed.json"
assert_eq "$(jq -c '[.total, .to_targets]' "$tmp/$top/queue/queue.json")" "[2,[\"$net_id\"]]" \
	"queue.json: 2 waiting, the example.net one to a flagged destination"
assert_in "$tmp/$top/queue/queue.txt" "Waiting:      2 messages: incoming 0, active 0, deferred 2, hold 0 (not sent)" \
	"queue.txt: the text of fpkit queue"
assert_in "$tmp/$top/SHA256SUMS" "queue/queue.json" "queue.json is summed"
run verify "$tmp/q.tar.gz"
assert_status 0 "the bundle with queue/ verifies"

# The ticket's checklist from what was seen: 2 messages could leave,
# one to a flagged destination, and Postfix could send: both items open,
# each with what was seen; summary.json's "queue" holds the same facts.
tk=$tmp/$top/TICKET.txt
assert_eq "$(jq -c '.queue | [.mta, .running, .can_send, .total, .could_leave, .to_targets]' \
	"$tmp/$top/summary.json")" '["postfix",true,true,2,2,1]' "summary.json: the queue's facts"
seen=$(jq -r '.queue.seen_at | sub("T"; " ") | sub("Z"; " UTC")' "$tmp/$top/summary.json")
assert_said "$tk" "[ ] stopped sending e-mail from 203.0.113.7: not yet; Postfix could still send when we checked, at $seen" \
	"sending not stopped: open, with what was seen"
assert_said "$tk" "[ ] checked the mail queue and cleared it of unwanted messages: not yet; 2 messages could still leave at $seen, 1 of them to the flagged destinations" \
	"the queue not clear: open, with the counts"
assert_false "no item about the queue is ticked" grep -q '^  \[x\] \(stopped\|checked the mail queue\)' "$tk"
assert_in "$tk" "  - queue/: our mail queue as the mail system showed it" "the archive's parts name queue/"

# ---- --queue-messages ----
rm -rf "${tmp:?}/$top"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats-lo.json" --mail "$DEMO_MAIL" \
	--no-dkim --queue-messages --postfix-config "$PFX_CONF" -o "$tmp/m.tar.gz"
assert_status 0 "pack --queue-messages: packed"
tar -xzf "$tmp/m.tar.gz" -C "$tmp"
postcat -c "$PFX_CONF" -q "$net_id" >"$tmp/postcat.txt" 2>/dev/null
assert_true "queue/messages/<id>.txt is postcat -q's output" \
	cmp -s "$tmp/postcat.txt" "$tmp/$top/queue/messages/$net_id.txt"
assert_in "$tmp/$top/queue/messages/$net_id.txt" "ana@example.net" "the message printed is the one to example.net"
assert_false "the message to an unflagged destination is not printed" \
	test -e "$tmp/$top/queue/messages/$org_id.txt"
assert_eq "$(ls "$tmp/$top/queue/messages" | wc -l)" 1 "one message printed"
run verify "$tmp/m.tar.gz"
assert_status 0 "the bundle with queue/messages/ verifies"

# Sending stopped (defer_transports = smtp) and the queue emptied: both
# items ticked, in English and in French.
postconf -c "$PFX_CONF" -e defer_transports=smtp
postsuper -c "$PFX_CONF" -d ALL 2>/dev/null
for lang in en fr; do
	rm -rf "${tmp:?}/$top"
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats-lo.json" --mail "$DEMO_MAIL" \
		--no-dkim --queue --postfix-config "$PFX_CONF" --lang $lang -o "$tmp/s-$lang.tar.gz"
	assert_status 0 "pack --queue --lang $lang, sending stopped: packed"
	tar -xzf "$tmp/s-$lang.tar.gz" -C "$tmp"
	assert_eq "$(jq -c '.queue | [.can_send, .total]' "$tmp/$top/summary.json")" '[false,0]' \
		"summary.json ($lang): cannot send, nothing waits"
	seen=$(jq -r '.queue.seen_at | sub("T"; " ") | sub("Z"; " UTC")' "$tmp/$top/summary.json")
	if [ $lang = en ]; then
		assert_said "$tmp/$top/TICKET.txt" "[x] stopped sending e-mail from 203.0.113.7: Postfix could not send when we checked, at $seen" \
			"sending stopped: ticked, with when"
		assert_said "$tmp/$top/TICKET.txt" "[x] checked the mail queue and cleared it of unwanted messages: empty at $seen" \
			"the queue empty: ticked, with when"
	else
		assert_said "$tmp/$top/TICKET.txt" "[x] arrêté l'envoi d'e-mails depuis 203.0.113.7 : Postfix ne pouvait plus envoyer lors de notre vérification, le $seen" \
			"envoi arrêté : coché, avec la date"
		assert_said "$tmp/$top/TICKET.txt" "[x] vérifié la file d'attente et l'avons vidée des messages indésirables : vide le $seen" \
			"file vide : cochée, avec la date"
	fi
done
postconf -c "$PFX_CONF" -e defer_transports=

# ---- failures ----
mkdir "$tmp/no-mta"
FPKIT_MTA_PATH=$tmp/no-mta; export FPKIT_MTA_PATH
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$DEMO_MAIL" --no-dkim --queue -o "$tmp/none.tar.gz"
unset FPKIT_MTA_PATH
assert_status 69 "pack --queue without an MTA: EX_UNAVAILABLE"
assert_in "$tmp/err" "fpkit: pack: --queue: no mail system found" "pack --queue: the error named"
assert_false "pack --queue without an MTA: no bundle" test -e "$tmp/none.tar.gz"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mta postfix -o "$tmp/x.tar.gz"
assert_status 64 "--mta without --queue"
finish
