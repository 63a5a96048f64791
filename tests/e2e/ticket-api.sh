#!/bin/sh
# fpkit ticket create|list|show|reply against the fake API: the ticket
# posted once with the fields the schema asks (product and service from
# GET /ip/{block}, the TICKET text and each sample's header block in the
# body), no question without a terminal, --dry-run posts nothing, a lost
# or late answer after the write gives exactly one ticket (found and
# reported, never posted twice), a refused connection is tried again,
# the record in the archive's index; then list, show and reply.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
fakeapi_setup

BLOCK=203.0.113.0/28
IP=203.0.113.7
SERVICE=ns3012345.ip-203-0-113.eu
SUBJECT="False positive: anti-spam block of $IP"
D=$tmp/data
fakeapi_case "$D" "$BLOCK" "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
block_json() {
	printf '{"ip":"%s","type":"%s","routedTo":{"serviceName":%s},"description":null,"canBeTerminated":false,"country":"fr"}\n' \
		"$BLOCK" "$1" "$2" >"$D/blocks/203.0.113.0_28/block.json"
}
block_json dedicated "\"$SERVICE\""

# The bundle: the demo, packed from its saved JSON (it names the IP,
# not the block: ticket create asks GET /ip?ip= for it).
ARCH=$tmp/archive
mkdir -m 700 "$ARCH"
pack_demo -o "$ARCH"
assert_status 0 "the demo bundle, into the archive folder"
BUNDLE=$ARCH/$DEMO_BUNDLE
STATE=$tmp/state.json

start() {
	rm -f "$STATE"
	fakeapi_start "$D" --state "$STATE" "$@"
	fakeapi_env
}
# creates: the POSTs to create a ticket; tickets: those the server made.
creates() { jq -s 'map(select(.method == "POST" and (.url | endswith("/support/tickets/create")))) | length' "$FAKE_LOG"; }
tickets() { if [ -f "$STATE" ]; then jq '.tickets | length' "$STATE"; else echo 0; fi; }
j() { jq -c "$1" "$tmp/out"; }
FPKIT_TICKET_RECHECK_MS=50
export FPKIT_TICKET_RECHECK_MS

# ---- no terminal, no --yes: refused at once ----
start
run ticket create "$BUNDLE"
assert_status 64 "no terminal and no --yes: a usage error, not a question nobody answers"
assert_in "$tmp/err" "no terminal to ask for a confirmation: add --yes" "no terminal: what to do"
assert_eq "$(jq -s length "$FAKE_LOG")" 0 "no terminal: nothing asked of the API"

# ---- --dry-run ----
run ticket create "$BUNDLE" --dry-run
assert_status 0 "--dry-run"
assert_eq "$(creates) $(tickets)" "0 0" "--dry-run: nothing posted"
cp "$tmp/out" "$tmp/request.json"
assert_eq "$(jq -c '[.subject, .type, .category, .subcategory, .product, .serviceName]' "$tmp/request.json")" \
	"[\"$SUBJECT\",\"genericRequest\",\"assistance\",\"other\",\"dedicated\",\"$SERVICE\"]" \
	"--dry-run: the JSON body, product and service from GET /ip/{block}"
assert_eq "$(jq -s -c '[.[] | select(.method == "GET") | .url | select(startswith("/1.0/ip"))]' "$FAKE_LOG")" \
	"[\"/1.0/ip?ip=$IP\",\"/1.0/ip/203.0.113.0%2F28\"]" "the block asked by the IP, then its service"
jq -r .body "$tmp/request.json" >"$tmp/body.txt"
tar xzf "$BUNDLE" -C "$tmp"
TOP=$tmp/${DEMO_BUNDLE%.tar.gz}
# The ticket's text, its subject line left out, starts the body.
tail -n +3 "$TOP/TICKET.txt" >"$tmp/ticket-text.txt"
assert_eq "$(head -c "$(wc -c <"$tmp/ticket-text.txt")" "$tmp/body.txt" | cmp - "$tmp/ticket-text.txt" && echo same)" same \
	"the body starts with TICKET.txt's text"
assert_in "$tmp/body.txt" "HEADERS AND MAIL LOGS" "the body holds the inline heading"
for f in "$TOP"/samples/*.eml; do
	name=samples/$(basename "$f")
	assert_in "$tmp/body.txt" "=== $name" "the body names $name"
	mid=$(grep -i -m1 '^Message-ID:' "$f" | tr -d '\r')
	assert_in "$tmp/body.txt" "$mid" "the body holds the header of $name ($mid)"
done
assert_eq "$(grep -c '^=== Header ' "$tmp/body.txt")" "$(ls "$TOP"/samples | wc -l)" "one header block per sample"

# ---- the POST ----
run ticket create "$BUNDLE" --yes --archive "$ARCH" --json
assert_status 0 "create --yes"
assert_eq "$(creates) $(tickets)" "1 1" "one POST, one ticket"
assert_eq "$(j '[.outcome, .posted, .ticket_id, .ticket_number, .product, .service]')" \
	"[\"posted\",true,5001,8845001,\"dedicated\",\"$SERVICE\"]" "create: the ids the API answered"
assert_eq "$(jq -c '.tickets[0] | [.subject, .product, .serviceName, .type, .category, .state]' "$STATE")" \
	"[\"$SUBJECT\",\"dedicated\",\"$SERVICE\",\"genericRequest\",\"assistance\",\"open\"]" \
	"the ticket the server holds"
jq -r '.messages[0].body' "$STATE" >"$tmp/posted.txt"
assert_true "the server holds the body --dry-run showed" cmp -s "$tmp/posted.txt" "$tmp/body.txt"
tail -n 1 "$ARCH/index.jsonl" >"$tmp/rec"
assert_eq "$(jq -c '[.ip, .bundle, .ticket.result, .ticket.posted, .ticket.number, .ticket.id, .ticket.subject]' "$tmp/rec")" \
	"[\"$IP\",\"$DEMO_BUNDLE\",\"created\",true,8845001,5001,\"$SUBJECT\"]" "the ticket recorded in the archive's index"
assert_eq "$(jq -r .block "$tmp/rec")" "$BLOCK" "the record names the block"
assert_true "the record's time is UTC" grep -qE '"at":"20[0-9-]{8}T[0-9:]{8}Z"' "$tmp/rec"
run scan --archive "$ARCH"
assert_not_in "$tmp/err" "dropped" "scan --archive keeps the ticket's record line"
assert_eq "$(grep -c '"ticket":' "$ARCH/index.jsonl")" 1 "the record is still there after scan --archive"
run archive ls "$ARCH" --json
assert_eq "$(jq -s -c '[.[] | .bundle]' "$tmp/out")" "[\"$DEMO_BUNDLE\"]" "archive ls: the ticket's record is no event"
run verify "$BUNDLE"
assert_status 0 "the bundle still verifies"

# The text output, and the warning of a second ticket of the same subject.
run ticket create "$BUNDLE" --yes
assert_status 0 "create again"
assert_in "$tmp/out" "ticket 8845002 (id 5002) created: $SUBJECT" "the text output: number, id, subject"
assert_in "$tmp/err" "a ticket with the same subject was opened less than 10 minutes ago (id 5001)" \
	"a second ticket of the same subject: warned"

# ---- on a terminal: the plan, then the question ----
if command -v python3 >/dev/null 2>&1; then
	start
	set +e
	python3 "$E2E/ptyanswer.py" n '[y/N]' "$FPKIT" ticket create "$BUNDLE" >"$tmp/tty" 2>&1
	status=$?
	set -e
	assert_status 1 "on a terminal, answered no: not confirmed"
	assert_in "$tmp/tty" "fpkit will open a support ticket with POST /support/tickets/create:" "the plan shown"
	assert_in "$tmp/tty" "  subject:  $SUBJECT" "the plan: the subject"
	assert_in "$tmp/tty" "  product:  dedicated, service $SERVICE (GET /ip/$BLOCK)" "the plan: product and service, and whence"
	assert_in "$tmp/tty" "    | Hello," "the plan: the body's first lines"
	assert_in "$tmp/tty" "not confirmed: nothing sent" "no: said"
	assert_eq "$(creates) $(tickets)" "0 0" "no: nothing posted"
	set +e
	python3 "$E2E/ptyanswer.py" y '[y/N]' "$FPKIT" ticket create "$BUNDLE" >"$tmp/tty" 2>&1
	status=$?
	set -e
	assert_status 0 "on a terminal, answered yes: posted"
	assert_eq "$(creates) $(tickets)" "1 1" "yes: one ticket"
else
	skip "the question on a terminal: no python3"
fi

# ---- a lost answer after the write: one ticket, found ----
for fault in lost:1:/support/tickets/create late:1:3:/support/tickets/create; do
	start --fault "$fault"
	run ticket create "$BUNDLE" --yes --timeout 1 --json
	assert_status 0 "$fault: the ticket found after the lost answer"
	# (A late answer is logged when it leaves: the server is stopped first.)
	fakeapi_stop
	assert_eq "$(creates) $(tickets)" "1 1" "$fault: one POST, exactly one ticket on the server"
	assert_eq "$(j '[.outcome, .posted, .ticket_id, .ticket_number]')" '["found",true,5001,8845001]' \
		"$fault: reported as created, with its ids"
	assert_in "$tmp/err" "looking whether it was done before anything else" "$fault: said"
done
# A write answered 200 with a damaged body was done: looked for, found,
# never posted again (a failure said as "nothing done" would invite a
# second ticket).
start --fault donebadjson:/support/tickets/create
run ticket create "$BUNDLE" --yes --json
assert_status 0 "a 200 with a damaged answer: the ticket found"
assert_eq "$(creates) $(tickets)" "1 1" "a damaged answer: one POST, one ticket"
assert_eq "$(j '[.outcome, .posted]')" '["found",true]' "a damaged answer: reported as created"
start --fault lost:1:/support/tickets/create
run ticket create "$BUNDLE" --yes
assert_in "$tmp/out" "ticket 8845001 (id 5001) was created (its answer was lost; found in the list, not posted twice)" \
	"a lost answer: the text output"

# A lost answer and nothing done (the server cut the connection before
# the write): not seen, the outcome unknown, never posted again.
start --fault reset:1:/support/tickets/create
run ticket create "$BUNDLE" --yes --retries 2 --json
assert_status 4 "a cut connection, nothing seen: the outcome is unknown"
assert_eq "$(creates) $(tickets)" "1 0" "unknown: one POST, not sent again"
assert_eq "$(j '[.outcome, .posted]')" '["unknown",false]' "unknown: said in JSON"
assert_in "$tmp/err" "it may or may not have been done; do not send it again before you checked" "unknown: what to do"
assert_in "$tmp/err" "not seen yet (look 3 of 3)" "unknown: looked three times"

# The tickets cannot be read after the lost answer: unknown too.
start --fault lost:1:/support/tickets/create --fault 'forbidden:/support/tickets?'
run ticket create "$BUNDLE" --yes --json
assert_status 77 "a key that may not list the tickets: refused before the POST"
assert_in "$tmp/err" "the recent tickets cannot be read" "the tickets unreadable: said"
assert_in "$tmp/err" "no access rule for GET /support/tickets:" "the tickets unreadable: the right named"
assert_eq "$(creates)" 0 "the tickets unreadable: no POST"

# ---- a refused connection: tried again ----
# The server stops listening after GET /auth/time and the list of the
# recent tickets; the POST goes on a connection of its own.
# (On a loaded machine the listener may close just after the POST's
# connection was queued, which is then reset, not refused: that run
# proves nothing about a refusal, and the set-up is made again.)
for attempt in 1 2 3; do
	start --listen-requests 2
	run ticket create "$BUNDLE" --yes --product dedicated --service "$SERVICE" --retries 2 --verbose
	grep -q "support/tickets/create -> the connection was cut" "$tmp/err" || break
done
assert_status 69 "the API's port closed: unavailable"
assert_true "closed port: the POST tried again at once (it cannot have reached the API)" \
	grep -q "api: POST $FAKE_URL/support/tickets/create -> cannot connect .*(try 1 of 3): again in" "$tmp/err"
assert_in "$tmp/err" "(try 3 of 3)" "closed port: --retries 2 is three tries"
assert_not_in "$tmp/err" "looking whether it was done" "closed port: nothing to look for: it was never sent"
assert_eq "$(tickets)" 0 "closed port: no ticket"

# ---- the product and the service ----
start
block_json vrack "\"pn-12345\""
run ticket create "$BUNDLE" --dry-run
assert_eq "$(j '[.product, .serviceName]')" '["network","pn-12345"]' "type vrack: product network"
block_json overthebox "\"otb-1\""
run ticket create "$BUNDLE" --dry-run
assert_status 65 "a type with no product: refused"
assert_in "$tmp/err" "block 203.0.113.0/28 is of type 'overthebox', which fpkit does not know a support product for: give --product" \
	"no product: the type named, the option to give"
run ticket create "$BUNDLE" --dry-run --product telecom-other
assert_status 0 "--product given: the service still from the API"
assert_eq "$(j '[.product, .serviceName]')" '["telecom-other","otb-1"]' "--product: taken"
block_json failover null
run ticket create "$BUNDLE" --dry-run
assert_status 65 "a block routed nowhere: refused"
assert_in "$tmp/err" "is routed to no service" "routed nowhere: said"
run ticket create "$BUNDLE" --dry-run --service ns1.example.net
assert_eq "$(j '[.product, .serviceName]')" '["dedicated","ns1.example.net"]' "failover, --service given"
block_json dedicated "\"$SERVICE\""
run ticket create "$BUNDLE" --dry-run --product nonsense
assert_status 64 "--product not in the API's list"
run ticket create "$BUNDLE" --dry-run --category incident --subcategory alerts
assert_eq "$(j '[.category, .subcategory]')" '["incident","alerts"]' "--category, --subcategory"

# ---- the ticket's language, and a ticket packed with --inline ----
mkdir "$tmp/fr" "$tmp/inl"
pack_demo --lang fr -o "$tmp/fr/"
run ticket create "$tmp/fr/$DEMO_BUNDLE" --dry-run
assert_eq "$(j .subject)" "\"Faux positif : blocage anti-spam de $IP\"" "French: the subject of 'Objet : '"
jq -r .body "$tmp/out" >"$tmp/fr-body.txt"
assert_in "$tmp/fr-body.txt" "EN-TÊTES ET JOURNAUX DE MAIL" "French: the headers' heading in French"
assert_eq "$(grep -c '^=== En-tête ' "$tmp/fr-body.txt")" 2 "French: the header blocks"
mkdir "$tmp/pl"
pack_demo --lang pl -o "$tmp/pl/"
run ticket create "$tmp/pl/$DEMO_BUNDLE" --dry-run
assert_status 0 "Polish: a ticket of the Polish template"
assert_eq "$(j .subject)" "\"Wynik fałszywie dodatni: blokada antyspamowa IP $IP\"" "Polish: the subject of 'Temat: '"
pack_demo --inline -o "$tmp/inl/"
run ticket create "$tmp/inl/$DEMO_BUNDLE" --dry-run
jq -r .body "$tmp/out" >"$tmp/inl-body.txt"
assert_eq "$(grep -c '^HEADERS AND MAIL LOGS$' "$tmp/inl-body.txt")" 1 "packed with --inline: the headers not added twice"
run ticket create "$BUNDLE" --dry-run --inline-max 1024
jq -r .body "$tmp/out" >"$tmp/small-body.txt"
assert_in "$tmp/small-body.txt" "header blocks left out to keep this text within 1024 bytes" "--inline-max: the cap, said"

# ---- a bundle that fails verify ----
cp -r "$TOP" "$tmp/changed"
printf 'x' >>"$tmp/changed/TICKET.txt"
run ticket create "$tmp/changed" --dry-run
assert_status 65 "a changed bundle: refused"
assert_in "$tmp/err" "fails 'fpkit verify'" "a changed bundle: said"
run ticket create "$TOP" --dry-run
assert_status 0 "an unpacked bundle (a folder) is taken as the tarball"
jq -r .body "$tmp/out" >"$tmp/folder-body.txt"
assert_eq "$(head -c "$(wc -c <"$tmp/ticket-text.txt")" "$tmp/folder-body.txt" | cmp - "$tmp/ticket-text.txt" && echo same)" same \
	"the folder: the body starts with TICKET.txt's text"
assert_eq "$(grep -c '^=== Header ' "$tmp/folder-body.txt")" 2 "the folder: its header blocks"

# ---- list, show, reply ----
start
run ticket create "$BUNDLE" --yes
run ticket list --json
assert_status 0 "list"
assert_eq "$(j '[.[] | [.ticketId, .ticketNumber, .subject, .state]]')" "[[5001,8845001,\"$SUBJECT\",\"open\"]]" \
	"list: the ticket, from its detail"
run ticket list
assert_in "$tmp/out" "8845001    5001       open" "list: the table"
run ticket list --status closed --json
assert_eq "$(j 'length')" 0 "list --status closed: none"
assert_true "list --status: the filter sent" grep -q '"/1.0/support/tickets?status=closed"' "$FAKE_LOG"
run ticket show 5001 --json
assert_status 0 "show by id"
assert_eq "$(j '[.ticket.ticketNumber, (.messages | length), .messages[0].from]')" '[8845001,1,"customer"]' \
	"show: the ticket and its message"
run ticket show 8845001
assert_status 0 "show by number"
assert_in "$tmp/out" "ticket 8845001 (id 5001), open, created" "show by number: found through ticketNumber"
assert_in "$tmp/out" "--- message 1 of 1, from customer" "show: the messages"
run ticket show 77
assert_status 66 "show: no such ticket"
assert_in "$tmp/err" "no ticket has this id or this number" "show: said"

printf 'The queue is clear and sending is stopped since 14:05 UTC.\n' >"$tmp/reply.txt"
run ticket reply 5001 "$tmp/reply.txt" --dry-run
assert_status 0 "reply --dry-run"
assert_eq "$(j .)" '{"body":"The queue is clear and sending is stopped since 14:05 UTC.\n"}' "reply --dry-run: the body"
assert_eq "$(jq '.messages | length' "$STATE")" 1 "reply --dry-run: nothing posted"
run ticket reply 8845001 "$tmp/reply.txt" --yes
assert_status 0 "reply by number"
assert_in "$tmp/out" "ticket 8845001 (id 5001): answer posted" "reply: said"
assert_eq "$(jq -c '[(.messages | length), .messages[1].body]' "$STATE")" \
	'[2,"The queue is clear and sending is stopped since 14:05 UTC.\n"]' "reply: the server holds it"
assert_eq "$(jq -s -c '[.[] | select(.method == "POST") | .url]' "$FAKE_LOG" | jq -c '.[-1]')" \
	'"/1.0/support/tickets/5001/reply"' "reply: posted to the ticket's id"
run ticket show 5001
assert_true "show: a message's lines as lines" grep -qx "The queue is clear and sending is stopped since 14:05 UTC." "$tmp/out"
assert_true "show: the ticket's text as lines" grep -qx "Hello," "$tmp/out"
assert_true "show: times in UTC" grep -qE "^--- message 2 of 2, from customer, 20[0-9-]{8} [0-9:]{8} UTC$" "$tmp/out"
printf 'Any news?\n' | { run ticket reply 5001 - --yes; }
assert_status 0 "reply from standard input"
for fault in lost:1:/support/tickets/5001/reply late:1:3:/support/tickets/5001/reply; do
	start "--fault" "$fault"
	run ticket create "$BUNDLE" --yes
	run ticket reply 5001 "$tmp/reply.txt" --yes --timeout 1
	assert_status 0 "reply, $fault: found among the messages"
	fakeapi_stop
	assert_eq "$(jq '.messages | length' "$STATE")" 2 "reply, $fault: exactly one reply on the server"
	assert_in "$tmp/out" "found among the messages, not posted twice" "reply, $fault: said"
done
start --fault reset:1:/support/tickets/5001/reply
run ticket create "$BUNDLE" --yes
run ticket reply 5001 "$tmp/reply.txt" --yes
assert_status 4 "reply cut, not seen: unknown"
assert_eq "$(jq '.messages | length' "$STATE")" 1 "reply unknown: not sent again"
start --fault forbidden:/support/tickets/create
run ticket create "$BUNDLE" --yes
assert_status 77 "a consumer key without the right to create"
assert_in "$tmp/err" "no access rule for POST /support/tickets/create" "the right to add, named"

# ---- the command line ----
run ticket
assert_status 64 "no action"
run ticket close 5001
assert_status 64 "an unknown action"
run ticket show
assert_status 64 "show: no ticket"
run ticket show abc
assert_status 64 "show: not a number"
run ticket list --yes
assert_status 64 "list: --yes sends nothing"
run ticket reply 5001 "$tmp/nothing" --yes
assert_status 66 "reply: no such file"
: >"$tmp/empty"
run ticket reply 5001 "$tmp/empty" --yes
assert_status 65 "reply: an empty file"
run ticket show 5001 --product vps
assert_status 64 "show: a create option"

assert_true "the fake server stops cleanly" fakeapi_stop
assert_eq "$FAKE_BAD_STOPS" 0 "every fake-ovh run ended cleanly"
finish
