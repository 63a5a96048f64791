#!/bin/sh
# pack --before-block N: of the messages dated just before the block,
# newest first, the N that show they left through the blocked IP (their
# Received fields, the mail logs, or a sender domain of the targets),
# never one received; summary.json names the rule and its evidence for
# each.  fixtures/beforeblock/README.md says what each message is.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

F="$FIXTURES/beforeblock"
SPAMIP="$F/api/spam-ip.json"	# 203.0.113.7, blocked 2026-11-20T13:40:00Z
STATS="$F/api/stats.json"
LOG="$F/log/mail.log"
MAIL="$F/mail/Maildir"

# rules: "id rule|" for each sample of the last --json output.
rules() {
	jq -r '.samples[] | [.message_id, .selected_by, (.before_block_rule // "-")] | join(" ")' \
		"$tmp/out" | tr '\n' '|'
}

# --- the three rules, in order, with the stats and the log ---
run pack --spam-ip-json "$SPAMIP" --stats-json "$STATS" --maillog "$LOG" --mail "$MAIL" \
	--before-block 3 --no-dkim -o "$tmp/a.tar.gz" --json
assert_status 0 "pack --before-block 3 with the stats and the log"
assert_eq "$(rules)" \
	"order-10501.1795181400.c0de@shop.example.com message-id -|order-10502.1795181950.5e5e@shop.example.com before-block trace|a5b6c7d8-1795181940@shop.example.com before-block log|nl.winter.r2201.77aa@news.shop.example.com before-block sender-domain|" \
	"the target, then the three newest messages that show they were sent, each by its rule"
assert_eq "$(jq -r '.samples[1].before_block_evidence' "$tmp/out")" \
	"Received field 1 of 3: from mx1.shop.example.com ([203.0.113.7]) by mx1.shop.example.com with LMTP id Zl4dD1nrH2kEEgAAtKbEmg (envelope-from <orders@shop.example.com>) for <archive@shop.example.com>; Fri, 20 Nov 2026 14:39:11 +0100" \
	"trace: the evidence is the Received field that names the IP, unfolded"
assert_eq "$(jq -r '.samples[2].before_block_evidence' "$tmp/out")" \
	"$LOG:18: 2026-11-20T14:39:00.700000+01:00 mx1 postfix/smtp[5312]: 8B9CADBECF: to=<hugo.martin@example.org>, relay=mx2.example.org[198.51.100.87]:25, delay=0.7, delays=0.09/0/0.21/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 73A4B5C6D7)" \
	"log: the evidence is the log line that hands it to a remote server, with its file and line"
assert_eq "$(sed -n 18p "$LOG" | cut -c1-60)" "2026-11-20T14:39:00.700000+01:00 mx1 postfix/smtp[5312]: 8B9" \
	"(line 18 of the log is that line)"
assert_eq "$(jq -r '.samples[3].before_block_evidence' "$tmp/out")" \
	"From domain news.shop.example.com, under shop.example.com, a sender domain of the targets (the From of <order-10501.1795181400.c0de@shop.example.com>)" \
	"sender-domain: the evidence names the domain and the target it comes from"
assert_eq "$(jq -r '.samples[0] | has("before_block_rule")' "$tmp/out")" false \
	"a target's sample has no rule"
assert_eq "$(jq -r '[.samples[1:][].date] | join(" ")' "$tmp/out")" \
	"2026-11-20T13:39:10Z 2026-11-20T13:39:00Z 2026-11-20T13:38:50Z" "newest first, with their dates"
assert_in "$tmp/err" "fpkit: warning: --before-block: left out 1 message received from outside: its Received fields show it coming in from another server" \
	"the customer's reply: counted as received from outside"
assert_in "$tmp/err" "fpkit: warning: --before-block: left out 2 messages received, not sent: the mail logs show them delivered only to local mailboxes" \
	"the report to a local mailbox and the question without Received fields: received"
assert_in "$tmp/err" "fpkit: warning: --before-block: left out 1 message that nothing shows sent from 203.0.113.7" \
	"the partner's message: nothing shows it sent"
assert_not_in "$tmp/err" "older ones are not looked at" "all the candidates were looked at"
assert_not_in "$tmp/err" "no mail-log line announces" "no warning for each candidate not in the log"
run verify "$tmp/a.tar.gz"
assert_status 0 "the bundle verifies"
mkdir "$tmp/a"
tar -xzf "$tmp/a.tar.gz" -C "$tmp/a"
# Nothing of the mail received goes into the bundle: no sample, no log
# line, no report.
for id in reply.1.1795181990@customer.example stock-report.20261120@web1.shop.example.com \
	q.7741.1795181970@buyer.example catalogue-2027.1795181960@partner.example \
	invoice-10503.1795181920.9f9f@shop.example.com; do
	assert_false "$id: nowhere in the bundle" grep -rqF "$id" "$tmp/a"
done
assert_eq "$(cd "$tmp"/a/*/logs && ls | sed 's/^[0-9]*-//' | tr '\n' ' ')" \
	"order-10501.1795181400.c0de@shop.example.com.log a5b6c7d8-1795181940@shop.example.com.log " \
	"logs/: the target's lines and the lines of the message taken by the log, no other"
tar -xzf "$tmp/a.tar.gz" -O --wildcards '*/TICKET.txt' >"$tmp/ticket"
assert_in "$tmp/ticket" "The 3 messages sent just before the block are attached too:" "the ticket lists the three"
assert_said "$tmp/ticket" "(sent 2026-11-20 13:39:10 UTC)" "with their dates"

# --- N is the number taken: the ones left out before the first taken
# are counted, the older ones not looked at ---
run pack --spam-ip-json "$SPAMIP" --stats-json "$STATS" --maillog "$LOG" --mail "$MAIL" \
	--before-block 1 --no-dkim -o "$tmp/b.tar.gz" --json
assert_eq "$(rules)" \
	"order-10501.1795181400.c0de@shop.example.com message-id -|order-10502.1795181950.5e5e@shop.example.com before-block trace|" \
	"--before-block 1: the newest that shows it was sent"
assert_in "$tmp/err" "left out 1 message that nothing shows sent" "the newer ones left out are counted"
run pack --spam-ip-json "$SPAMIP" --stats-json "$STATS" --maillog "$LOG" --mail "$MAIL" \
	--before-block 10 --no-dkim -o "$tmp/c.tar.gz" --json
assert_eq "$(jq '[.samples[] | select(.selected_by == "before-block")] | length' "$tmp/out")" 4 \
	"--before-block 10: the four that show they were sent, no more"
assert_eq "$(jq -r '.samples[4] | [.message_id, .before_block_rule] | join(" ")' "$tmp/out")" \
	"invoice-10503.1795181920.9f9f@shop.example.com trace" \
	"a message the trace and the log both show: the trace is the rule"

# --- without the log: only the Received fields and the sender domains ---
run pack --spam-ip-json "$SPAMIP" --stats-json "$STATS" --mail "$MAIL" \
	--before-block 3 --no-dkim -o "$tmp/d.tar.gz" --json
assert_eq "$(rules)" \
	"order-10501.1795181400.c0de@shop.example.com message-id -|stock-report.20261120@web1.shop.example.com before-block trace|order-10502.1795181950.5e5e@shop.example.com before-block trace|a5b6c7d8-1795181940@shop.example.com before-block sender-domain|" \
	"without --maillog: what passed through the IP from inside is taken (only the log tells a local delivery), the rest by sender domain"
assert_in "$tmp/err" "left out 1 message received from outside" "without the log, the reply is still left out"
assert_in "$tmp/err" "left out 2 messages that nothing shows sent" \
	"without the log, the question and the partner's message show nothing"

# --- without the stats: no sender domain ---
run pack --spam-ip-json "$SPAMIP" --maillog "$LOG" --mail "$MAIL" --before-block 3 --no-dkim \
	-o "$tmp/e.tar.gz" --json
assert_eq "$(rules)" \
	"order-10502.1795181950.5e5e@shop.example.com before-block trace|a5b6c7d8-1795181940@shop.example.com before-block log|invoice-10503.1795181920.9f9f@shop.example.com before-block trace|" \
	"without targets: the newsletter shows nothing, and is passed over"
assert_in "$tmp/err" "left out 2 messages that nothing shows sent" "the partner's message and the newsletter"

# --- the demo: archive copies, each through the blocked IP ---
run pack --spam-ip-json "$DEMO_SPAMIP" --mail "$DEMO_MAIL" --before-block 3 --no-dkim \
	-o "$tmp/f.tar.gz" --json
assert_status 0 "the demo, no Message-ID"
assert_eq "$(jq -r '[.samples[] | .before_block_rule] | join(" ")' "$tmp/out")" "trace trace trace" \
	"the demo's copies: taken by their trace"
assert_eq "$(jq -r '[.samples[] | .before_block_evidence | startswith("Received field 1 of 3: from mx1.shop.example.com ([203.0.113.7])")] | all' "$tmp/out")" \
	true "each by the LMTP hop from 203.0.113.7"
assert_not_in "$tmp/err" "left out" "the demo's store holds nothing received"

# --- messages from two stores; the odd ones ---
MB="$FIXTURES/mbox"
MBIP="$MB/api/spam-ip.json"	# 203.0.113.9, blocked 2026-11-20T13:35:00Z
run pack --spam-ip-json "$MBIP" --stats-json "$MB/api/stats.json" --mail "$MB/sent.mbox" \
	--mail "$DEMO_MAIL" --before-block 3 --no-dkim -o "$tmp/g.tar.gz" --json
assert_status 0 "pack --before-block 3 over two stores"
assert_eq "$(jq -r '.samples[] | select(.selected_by == "before-block") | [.date, .format, .before_block_rule] | join(" ")' "$tmp/out" | tr '\n' '|')" \
	"2026-11-20T13:31:02Z mbox sender-domain|2026-11-20T13:30:12Z maildir sender-domain|2026-11-20T13:23:00Z maildir sender-domain|" \
	"the three newest across stores, newest first: no hop names 203.0.113.9, the targets' domain takes them"
run pack --spam-ip-json "$MBIP" --mail "$MB/sent.mbox" --mail "$DEMO_MAIL" --before-block 3 \
	--no-dkim -o "$tmp/h.tar.gz"
assert_status 1 "nothing shows any sent from 203.0.113.9: nothing found"
assert_in "$tmp/err" "left out 12 messages that nothing shows sent from 203.0.113.9" "each counted"
assert_in "$tmp/err" "fpkit: nothing found: no message sent before the block in the 13 messages read in:" \
	"and nothing found is said so"

hop='Received: from mx1.shop.example.com ([203.0.113.9]) by mx1.shop.example.com with LMTP; Fri, 20 Nov 2026 14:00:00 +0100'
mkdir "$tmp/s"
printf '%s\nFrom: a@example.com\nDate: Fri, 20 Nov 2026 13:36:00 +0000\nMessage-ID: <later@example.com>\n\nafter\n' "$hop" \
	>"$tmp/s/later.eml"
printf '%s\nFrom: a@example.com\nMessage-ID: <nodate@example.com>\n\nno date\n' "$hop" >"$tmp/s/nodate.eml"
printf '%s\nFrom: a@example.com\nDate: Fri, 20 Nov 2026 13:34:59 +0000\n\nno id, just before\n' "$hop" \
	>"$tmp/s/noid.eml"
printf '%s\nFrom: a@example.com\nDate: Fri, 20 Nov 2026 13:35:00 +0000\nMessage-ID: <at@example.com>\n\nat\n' \
	"$hop" >"$tmp/s/at.eml"
printf '%s\nFrom: a@example.com\nDate: Fri, 20 Nov 2026 13:34:58 +0000\nMessage-ID: <early@example.com>\n\nearly\n' \
	"$hop" >"$tmp/s/early.eml"
run pack --spam-ip-json "$MBIP" --mail "$tmp/s" --before-block 2 -o "$tmp/i.tar.gz" --json
assert_status 0 "pack --before-block over odd messages"
assert_eq "$(jq -r '[.samples[].date] | join(" ")' "$tmp/out")" "2026-11-20T13:34:59Z 2026-11-20T13:34:58Z" \
	"a message after the block, or at its very second, is not taken"
assert_eq "$(jq -r '.samples[0] | [.message_id, .file] | map(tostring) | join(" ")' "$tmp/out")" \
	"null samples/01-no-message-id.eml" "a message without Message-ID gets a plain name"
assert_in "$tmp/err" "1 message without a readable Date" "undated messages are counted"

# A message chosen both ways is one sample.
cp "$tmp/s/early.eml" "$tmp/s/target.eml"
sed -i 's/early@example.com/target@example.com/' "$tmp/s/target.eml"
printf '[{"averageSpamscore": 300, "numberOfSpams": 1, "timestamp": 1795181700, "total": 9, "detectedSpams": [{"date": 1795181698, "destinationIp": "198.51.100.9", "messageId": "target@example.com", "spamscore": 300}]}]\n' \
	>"$tmp/stats.json"
run pack --spam-ip-json "$MBIP" --stats-json "$tmp/stats.json" --mail "$tmp/s" --before-block 2 \
	-o "$tmp/j.tar.gz" --json
assert_eq "$(jq -r '.samples[] | [.message_id, .selected_by] | map(tostring) | join(" ")' "$tmp/out" | tr '\n' '|')" \
	"target@example.com message-id|null before-block|early@example.com before-block|" \
	"the target, then the recent messages that are not already samples"

# A store given twice: each message once.
run pack --spam-ip-json "$MBIP" --mail "$tmp/s" --mail "$tmp/s" --before-block 10 -o "$tmp/j2.tar.gz" --json
assert_eq "$(jq -r '[.samples[].message_id] | map(tostring) | join(" ")' "$tmp/out")" \
	"null early@example.com target@example.com" "a message reached twice is taken once"

# The candidates kept as the store is read oldest first: each newer one
# takes the place of the oldest kept.  Ten sent, then 1000 received: of
# the 1003 kept, the three newest sent are taken.
in_hop='Received: from mail.customer.example (mail.customer.example [198.51.100.50]) by mx1.shop.example.com (Postfix) with ESMTP id X; Fri, 20 Nov 2026 14:30:00 +0100'
i=0
while [ $i -lt 1010 ]; do
	h=$hop
	[ $i -lt 10 ] || h=$in_hop
	printf 'From sender@example.com Fri Nov 20 12:00:00 2026\n%s\nFrom: a@example.com\nDate: Fri, 20 Nov 2026 %02d:%02d:%02d +0000\nMessage-ID: <seq-%d@example.com>\n\nm\n\n' \
		"$h" $((i / 3600 + 12)) $((i / 60 % 60)) $((i % 60)) $i
	i=$((i + 1))
done >"$tmp/seq.mbox"
run pack --spam-ip-json "$MBIP" --mail "$tmp/seq.mbox" --before-block 3 -o "$tmp/n.tar.gz" --json
assert_eq "$(jq -r '[.samples[].message_id] | join(" ")' "$tmp/out")" \
	"seq-9@example.com seq-8@example.com seq-7@example.com" \
	"the three newest sent, behind 1000 received"
assert_in "$tmp/err" "left out 1000 messages received from outside" "the received ones counted"

# --- FPKIT_LIMIT_BEFORE_BLOCK_MORE: N + 1000 candidates at most ---
mkdir -p "$tmp/inbox/cur"
i=0
while [ $i -lt 1000 ]; do
	printf 'Received: from mail.customer.example (mail.customer.example [198.51.100.50]) by mx1.shop.example.com (Postfix) with ESMTP id X; Fri, 20 Nov 2026 14:30:00 +0100\nFrom: c@customer.example\nDate: Fri, 20 Nov 2026 13:%02d:%02d +0000\nMessage-ID: <in-%d@customer.example>\n\nhello\n' \
		$((i / 60 + 10)) $((i % 60)) $i >"$tmp/inbox/cur/in-$i:2,S"
	i=$((i + 1))
done
printf '%s\nFrom: orders@shop.example.com\nDate: Fri, 20 Nov 2026 13:00:00 +0000\nMessage-ID: <sent-old@shop.example.com>\n\nsent\n' \
	"$hop" >"$tmp/inbox/cur/sent-old:2,S"
run pack --spam-ip-json "$MBIP" --mail "$tmp/inbox" --before-block 1 --no-dkim -o "$tmp/k.tar.gz" --json
assert_status 0 "1000 received, then one sent: at the limit"
assert_eq "$(jq -r '.samples[0].message_id' "$tmp/out")" sent-old@shop.example.com \
	"the 1001st most recent is looked at, and taken"
assert_in "$tmp/err" "left out 1000 messages received from outside" "the received ones counted"
printf 'Received: from mail.customer.example (mail.customer.example [198.51.100.50]) by mx1.shop.example.com (Postfix) with ESMTP id X; Fri, 20 Nov 2026 14:30:00 +0100\nFrom: c@customer.example\nDate: Fri, 20 Nov 2026 13:09:00 +0000\nMessage-ID: <in-x@customer.example>\n\nhello\n' \
	>"$tmp/inbox/cur/in-x:2,S"
run pack --spam-ip-json "$MBIP" --mail "$tmp/inbox" --before-block 1 --no-dkim -o "$tmp/l.tar.gz"
assert_status 1 "1001 received, then one sent: over the limit, nothing found"
assert_in "$tmp/err" "fpkit: warning: --before-block: 0 of the 1 message asked for found sent among the 1001 most recent before the block; older ones are not looked at" \
	"the limit is said"
rm -rf "$tmp/inbox"

run pack --spam-ip-json "$MBIP" --mail "$tmp/s" --before-block 10000 -o "$tmp/m.tar.gz" --json
assert_status 0 "--before-block 10000, the largest"
assert_eq "$(jq '.samples | length' "$tmp/out")" 3 "--before-block 10000: every message dated before the block that shows it was sent"
for bad in 0 -1 x 10001; do
	run pack --spam-ip-json "$MBIP" --mail "$tmp/s" --before-block "$bad" -o "$tmp/e.tar.gz"
	assert_status 64 "--before-block $bad refused"
done

finish
