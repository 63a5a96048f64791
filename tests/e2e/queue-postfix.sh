#!/bin/sh
# fpkit queue against a real Postfix, a private instance started here
# (privpostfix.sh): an empty queue, messages deferred after a delivery
# attempt (counts per queue, per sender, per recipient domain, the
# oldest, as postqueue -j itself lists them), the waiting messages to
# the block's flagged destinations (by the IP in the delay reason, by
# the recipient domains of the mail log, by the queue id of a flagged
# message in Postfix's own log), a held message, an emptied
# queue, defer_transports = smtp making can_send false, a stopped master
# making running false; --postfix-config and MAIL_CONFIG alike; fpkit
# never changes the queue.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/privpostfix.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
pfx_setup
pfx_start

# q ARGS...: fpkit queue --json on the private instance.
q() {
	run queue --postfix-config "$PFX_CONF" --json "$@"
}
# j FILTER: a value of the last JSON printed.
j() {
	jq -c "$1" "$tmp/out"
}
iso() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# ---- empty, just started ----
q
assert_status 0 "empty queue: read"
assert_eq "$(j '[.mta, .running, .can_send, .total, .could_leave, .oldest]')" \
	'["postfix",true,true,0,0,null]' "empty queue: postfix, running, can send, nothing waits"
assert_eq "$(j '.queues')" '{"incoming":0,"active":0,"deferred":0,"hold":0}' \
	"empty queue: each of Postfix's queues, at 0"
assert_eq "$(j '.commands | map(split(" ")[0] | split("/")[-1])')" '["postconf","postfix","postqueue"]' \
	"the tools run: postconf, postfix status, postqueue"
assert_in "$tmp/out" "/postqueue -c $PFX_CONF -j\"" "the -c folder is given to postqueue"

# ---- three messages, deferred after their attempt ----
pfx_send news@shop.example.com ana@example.net
pfx_send news@shop.example.com bob@example.net carl@example.org
pfx_send orders@shop.example.com dana@example.org
if pfx_wait_deferred 3; then ok "the test's set-up: 3 messages deferred"; else not_ok "the test's set-up: 3 messages deferred"; fi
pfx_json >"$tmp/pq.json"
q
assert_status 0 "deferred: read"
assert_eq "$(j '[.total, .queues.deferred, .could_leave, .listed]')" '[3,3,3,3]' \
	"deferred: 3 messages, all deferred, all could leave"
assert_eq "$(j '.by_sender')" '{"news@shop.example.com":2,"orders@shop.example.com":1}' \
	"deferred: messages per sender"
assert_eq "$(j '.by_recipient_domain')" '{"example.net":2,"example.org":2}' \
	"deferred: messages per recipient domain (a message counts once per domain)"
oldest=$(jq -s 'map(.arrival_time) | min' "$tmp/pq.json")
assert_eq "$(j '.oldest')" "\"$(iso "$oldest")\"" "deferred: the oldest arrival, as postqueue -j gives it, in UTC"
assert_eq "$(j '.to_targets')" '[]' "no case given: no message matched"
assert_eq "$(j '.destinations')" 'null' "no case given: no destinations"

# fpkit reads, never changes: the queue is the same after it ran.
pfx_json | jq -S -s 'map({queue_id, queue_name}) | sort_by(.queue_id)' >"$tmp/before.json"
q
pfx_json | jq -S -s 'map({queue_id, queue_name}) | sort_by(.queue_id)' >"$tmp/after.json"
assert_true "fpkit queue leaves the queue as it was" cmp -s "$tmp/before.json" "$tmp/after.json"

# MAIL_CONFIG from the environment works as --postfix-config.
MAIL_CONFIG=$PFX_CONF
export MAIL_CONFIG
run queue --json
unset MAIL_CONFIG
assert_status 0 "MAIL_CONFIG: read"
assert_eq "$(j '[.total, .queues.deferred]')" '[3,3]' "MAIL_CONFIG: the private instance's queue"
assert_in "$tmp/out" '/postqueue -j"' "MAIL_CONFIG: no -c given, the environment passed on"

# ---- the flagged destinations ----
# By IP: the case's first target went to 127.0.0.2, where Postfix tries
# example.net's mail (its delay reasons name it).
jq '.[0].detectedSpams[0].destinationIp = "127.0.0.2"' "$DEMO_STATS" >"$tmp/stats-lo.json"
net_ids=$(jq -s -c '[.[] | select(any(.recipients[]; .address | endswith("@example.net"))) | .queue_id] | sort' "$tmp/pq.json")
org_only=$(jq -s -c '[.[] | select(all(.recipients[]; .address | endswith("@example.org"))) | .queue_id] | sort' "$tmp/pq.json")
q --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats-lo.json"
assert_status 0 "by IP: read"
assert_eq "$(j '.to_targets | sort')" "$net_ids" \
	"by IP: the messages whose delay reason names 127.0.0.2 (postqueue -j's example.net ones)"
assert_eq "$(j '[.matches[].matched_by] | unique')" '[["delay_reason_ip"]]' "by IP: matched by the delay reason"
assert_eq "$(j '.destinations.ips')" '["127.0.0.2","198.51.100.87","198.51.100.142"]' \
	"by IP: the stats' destination IPs"
# By domain: the demo log ties the flagged messages to example.net,
# example.org and example.com; no IP of the demo is in a delay reason.
q --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --maillog "$DEMO/log/mail.log"
assert_status 0 "by domain: read"
assert_eq "$(j '.destinations.domains | sort')" '["example.com","example.net","example.org"]' \
	"by domain: the recipient domains of the flagged messages in the log"
assert_eq "$(j '.to_targets | length')" 3 "by domain: all 3 waiting messages go to those domains"
assert_eq "$(j "[.matches[] | select(.queue_id == $(echo "$org_only" | jq '.[0]')) | .matched_by[]]")" \
	'["recipient_domain"]' "by domain: the example.org-only message, matched by its domain"
run queue --postfix-config "$PFX_CONF" --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats-lo.json"
assert_in "$tmp/out" "To them:      2 messages" "text: how many go to the flagged destinations"
assert_in "$tmp/out" "(delay reason names a flagged IP)" "text: why each matched"

# By queue id: a flagged message still deferred, which Postfix's own log
# shows queued (its Message-ID announced, the queue never removed).
PFX_MSGID=flagged.1@shop.example.com pfx_send news@shop.example.com zoe@example.com
if pfx_wait_deferred 4; then ok "the test's set-up: the flagged message deferred"; else not_ok "the test's set-up: the flagged message deferred"; fi
flagged=$(pfx_json | jq -r 'select(.recipients[0].address == "zoe@example.com") | .queue_id')
jq '.[0].detectedSpams[0].messageId = "flagged.1@shop.example.com"' "$DEMO_STATS" >"$tmp/stats-id.json"
q --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats-id.json" --maillog "$PFX/maillog"
assert_status 0 "by queue id: read"
assert_eq "$(j '.destinations.queue_ids')" "[\"$flagged\"]" \
	"by queue id: the flagged message's queue id, from Postfix's log"
# (and by its domain: its recipient's, since the log shows it sent nowhere)
assert_eq "$(j "[.matches[] | select(.queue_id == \"$flagged\") | .matched_by[]]")" \
	'["recipient_domain","queue_id"]' "by queue id: the flagged message waiting, matched by its queue id"
postsuper -c "$PFX_CONF" -d "$flagged" 2>/dev/null

# ---- a held message ----
held=$(echo "$org_only" | jq -r '.[0]')
postsuper -c "$PFX_CONF" -h "$held" 2>/dev/null
q
assert_eq "$(j '[.queues.hold, .queues.deferred, .total, .could_leave]')" '[1,2,3,2]' \
	"hold: 1 held, 2 deferred; the held one cannot leave"
assert_eq "$(j '.parked_queues')" '["hold"]' "hold: the queue whose mail is not sent"
run queue --postfix-config "$PFX_CONF"
assert_in "$tmp/out" "Waiting:      3 messages: incoming 0, active 0, deferred 2, hold 1 (not sent)" \
	"text: the queues"
assert_in "$tmp/out" "Could leave:  2" "text: what could leave"

# ---- defer_transports = smtp: sending stopped ----
postconf -c "$PFX_CONF" -e defer_transports=smtp
postfix -c "$PFX_CONF" reload 2>/dev/null
q
assert_eq "$(j '[.running, .can_send]')" '[true,false]' "defer_transports = smtp: running, cannot send"
assert_in "$tmp/out" "defer_transports = smtp: mail to other hosts (default_transport smtp) waits" \
	"defer_transports = smtp: why"
run queue --postfix-config "$PFX_CONF" --check
assert_status 1 "--check: sending stopped, but 2 messages could leave once it resumes"
assert_in "$tmp/err" "fpkit: queue: mail could still leave: 2 messages in postfix's queue could leave once sending resumes" \
	"--check: what could leave"

# ---- emptied ----
postsuper -c "$PFX_CONF" -d ALL 2>/dev/null
q
assert_eq "$(j '[.total, .could_leave, .oldest, .to_targets, .by_sender]')" '[0,0,null,[],{}]' \
	"emptied: nothing waits"
run queue --postfix-config "$PFX_CONF" --check
assert_status 0 "--check: sending stopped and the queue empty"

# ---- the master stopped ----
postconf -c "$PFX_CONF" -e defer_transports=
pfx_stop
pfx_send news@shop.example.com late@example.net
q
assert_status 0 "master stopped: read (as root, postqueue reads the queue itself)"
assert_eq "$(j '[.running, .can_send, .total, .queues.maildrop]')" '[false,false,1,1]' \
	"master stopped: not running, cannot send, the new message waits in maildrop"
assert_in "$tmp/out" "the master daemon is not running: nothing is delivered" "master stopped: why"
run queue --postfix-config "$PFX_CONF" --check
assert_status 1 "--check: the master stopped, but a message waits to leave"

# ---- errors ----
run queue --postfix-config "$tmp/no-such-folder"
assert_status 78 "a Postfix configuration folder that is not there"
assert_in "$tmp/err" "fpkit: queue: postconf cannot read Postfix's configuration: " \
	"the configuration error quotes postconf"
finish
