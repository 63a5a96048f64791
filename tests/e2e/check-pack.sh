#!/bin/sh
# fpkit pack runs fpkit check on every sample: checks/NN-<id>.txt,
# "checks" in summary.json, the ticket's "what we checked" part, and a
# loud warning (but a bundle all the same) for a sample that is not
# intact.  DKIM keys come from --dkim-keys: no test reaches DNS.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

top=${DEMO_BUNDLE%.tar.gz}

# The demo case: intact samples without DKIM-Signature.  An empty
# --dkim-keys file keeps DNS out of reach should a signature ever be
# added (with --no-dkim the DKIM lines below would not be tested).
mkdir "$tmp/demo"
: >"$tmp/nokeys"
pack_demo -o "$tmp/demo" --dkim-keys "$tmp/nokeys"
assert_status 0 "pack on the demo case"
assert_not_in "$tmp/err" "NOT INTACT" "no warning for intact samples"
tar -xzf "$tmp/demo/$DEMO_BUNDLE" -C "$tmp/demo"
S="$tmp/demo/$top/summary.json"
assert_eq "$(jq -c '[.samples[].checks.intact]' "$S")" "[true,true]" "summary: both samples intact"
assert_eq "$(jq -c '[.samples[].checks | keys_unsorted]' "$S" | tr -d '\n')" \
	'[["intact","problems","conformance","dkim_checked","dkim","lint_checked","lint","received"],["intact","problems","conformance","dkim_checked","dkim","lint_checked","lint","received"]]' \
	"summary: the checks object's keys"
assert_eq "$(jq -r '.samples[0].checks.received.blocked_ip_seen' "$S")" true \
	"summary: the blocked IP is in the Received chain"
C="$tmp/demo/$top/checks/02-order-10482.1795180980.7d1e@shop.example.com.txt"
assert_in "$C" "Subject:     Your Lumen Atelier order #10482" "checks: the description is kept"
assert_in "$C" "Intact:          yes, no problem found" "checks: the integrity verdict"
assert_in "$C" "DKIM:            no DKIM-Signature" "checks: DKIM"
assert_in "$C" "Best practices:  followed" "checks: the best practices"
assert_in "$C" "the blocked IP 203.0.113.7 appears in them" "checks: the Received chain"
T="$tmp/demo/$top/TICKET.txt"
assert_in "$T" "What we checked in each message" "ticket: the section"
assert_said "$T" "    Copy: intact (complete, as sent, not saved again by a mail client)" "ticket: intact"
assert_in "$T" "    DKIM:             no DKIM signature" "ticket: DKIM"
assert_said "$T" "    RFC conformance: no departure from the RFCs in the header fields" \
	"ticket: the conformance, what was checked"
assert_said "$T" "    Best practices: we checked the sender address, the subject, the unsubscribe link, the text/image and text/link ratios, JavaScript, forms and the MIME-Version field: nothing to report" \
	"ticket: best practices, what was checked and found"
assert_not_in "$T" "followed" "ticket: no claim that all practices are followed"
pack_demo -o "$tmp/fr.tar.gz" --lang fr --no-dkim
assert_in "$tmp/out" "Ce que nous avons vérifié dans chaque message" "ticket in French: the section"
assert_said "$tmp/out" "    Copie : intacte (complète, telle qu'envoyée" "ticket in French: intact"
pack_demo -o "$tmp/nodkim.tar.gz" --no-dkim
assert_in "$tmp/out" "    DKIM:             not verified" "--no-dkim: said in the ticket"

# A Maildir with a cut copy of a newsletter and a signed order.
mkdir -p "$tmp/mail/cur" "$tmp/mail/new" "$tmp/mail/tmp"
head -c 1722 "$FIXTURES/check/good/newsletter/message.eml" >"$tmp/mail/cur/1.host:2,S"
openssl genrsa -out "$tmp/key.pem" 2048 2>/dev/null
printf 'sel._domainkey.shop.example.com v=DKIM1; k=rsa; p=%s\n' \
	"$(openssl rsa -in "$tmp/key.pem" -pubout -outform DER 2>/dev/null | base64 | tr -d '\n')" >"$tmp/keys"
"$DKIMSIGN" "$tmp/key.pem" sel shop.example.com 1795181000 <"$FIXTURES/check/good/plain/message.eml" \
	>"$tmp/mail/cur/2.host:2,S"
cat >"$tmp/stats.json" <<JSON
[{"averageSpamscore": 300, "numberOfSpams": 2, "timestamp": 1795181527, "total": 40,
  "detectedSpams": [
    {"date": 1795180207, "destinationIp": "198.51.100.23", "messageId": "nl.celadon.r1190.77aa01@news.shop.example.com", "spamscore": 300},
    {"date": 1795181000, "destinationIp": "198.51.100.87", "messageId": "order-10490.1795181000.a1b2@shop.example.com", "spamscore": 300}]}]
JSON
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$tmp/mail" \
	--dkim-keys "$tmp/keys" -o "$tmp/cut.tar.gz"
assert_status 0 "a sample that is not intact is packed all the same"
assert_in "$tmp/err" "fpkit: warning: sample 'samples/01-nl.celadon.r1190.77aa01@news.shop.example.com.eml' is NOT INTACT (final-newline-missing, truncated-multipart)" \
	"the warning names the sample and its problems"
mkdir "$tmp/cut"
tar -xzf "$tmp/cut.tar.gz" -C "$tmp/cut"
S="$tmp/cut/$top/summary.json"
assert_eq "$(jq -c '[.samples[].checks.intact]' "$S")" "[false,true]" "summary: the cut sample is not intact"
assert_eq "$(jq -r '.samples[0].checks.problems | map(.id) | join(" ")' "$S")" \
	"final-newline-missing truncated-multipart" "summary: its problems"
assert_eq "$(jq -c '.samples[1].checks.dkim[0] | [.domain, .result]' "$S")" '["shop.example.com","pass"]' \
	"summary: the signed sample's DKIM passes with --dkim-keys"
assert_in "$tmp/cut/$top/checks/01-nl.celadon.r1190.77aa01@news.shop.example.com.txt" \
	"  - truncated-multipart: the multipart/alternative with boundary" "checks: the problem and where"
T="$tmp/cut/$top/TICKET.txt"
assert_said "$T" "    Copy: NOT INTACT: - The last line has no line end: the copy may have been cut there. - A multipart part has no closing boundary line: the message was cut." \
	"ticket: not intact, and why, in words"
assert_not_in "$T" "truncated-multipart" "ticket: no rule id"
assert_in "$T" "    DKIM:             valid signature of shop.example.com" "ticket: the DKIM result"

# The same inputs, the same bytes, with the checks in.
sleep 1
mkdir "$tmp/again"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$tmp/mail" \
	--dkim-keys "$tmp/keys" -o "$tmp/again/cut.tar.gz"
assert_true "two runs give the same bundle" cmp -s "$tmp/cut.tar.gz" "$tmp/again/cut.tar.gz"

# A changed body after signing: DKIM fails, the sample is not intact.
sed -i 's/one Ash Grey linen throw/one Ash Grey linen thrw/' "$tmp/mail/cur/2.host:2,S"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$tmp/mail" \
	--dkim-keys "$tmp/keys" -o "$tmp/changed.tar.gz" --json
assert_status 0 "pack with a changed sample"
assert_eq "$(jq -r '.samples[1].checks | [.intact, .dkim[0].result, .problems[0].id] | map(tostring) | join(" ")' "$tmp/out")" \
	"false fail dkim-body-changed" "the changed body is caught"

# The window: a sample dated long before the targets is flagged.
sed 's/^Date: Fri, 20 Nov 2026 14:23:00 +0100/Date: Tue, 10 Nov 2026 14:23:00 +0100/' \
	"$FIXTURES/check/good/plain/message.eml" >"$tmp/mail/cur/2.host:2,S"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$tmp/mail" --no-dkim \
	-o "$tmp/old.tar.gz" --json
assert_eq "$(jq -r '.samples[1].checks.problems | map(.id) | join(" ")' "$tmp/out")" date-outside-window \
	"a Date far outside the stats window"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$tmp/mail" --no-dkim \
	--date-slack 1000000 -o "$tmp/old2.tar.gz" --json
assert_eq "$(jq -r '.samples[1].checks.intact' "$tmp/out")" true "... within a wide --date-slack"

# A Message-ID in RFC 5322's obsolete syntax, "< id >": found, intact,
# and the sender's slip listed under the conformance, not as a problem.
mkdir -p "$tmp/obs/cur" "$tmp/obs/new" "$tmp/obs/tmp"
cp "$FIXTURES/check/conformance/msgid-obsolete-spaces/message.eml" "$tmp/obs/cur/1.host:2,S"
assert_true "the stored id has spaces inside its brackets" \
	grep -q '^Message-ID: < order-10490.1795181000.a1b2@shop.example.com >$' "$tmp/obs/cur/1.host:2,S"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$tmp/obs" --no-dkim \
	-o "$tmp/obs.tar.gz"
assert_status 0 "pack with an obsolete-syntax Message-ID"
assert_not_in "$tmp/err" "NOT INTACT" "obsolete syntax: no NOT INTACT warning"
mkdir "$tmp/obsx"
tar -xzf "$tmp/obs.tar.gz" -C "$tmp/obsx"
S="$tmp/obsx/$top/summary.json"
assert_eq "$(jq -r '[.samples[] | .file] | join(" ")' "$S")" \
	"samples/01-order-10490.1795181000.a1b2@shop.example.com.eml" "obsolete syntax: the sample is found"
assert_eq "$(jq -c '.samples[0].checks | [.intact, [.problems[].id], [.conformance[].id]]' "$S")" \
	'[true,[],["msgid-obsolete"]]' "obsolete syntax: intact, the finding under conformance"
C="$tmp/obsx/$top/checks/01-order-10490.1795181000.a1b2@shop.example.com.txt"
assert_in "$C" "Intact:          yes, no problem found" "obsolete syntax: checks/ says intact"
assert_in "$C" "  - msgid-obsolete: line 9:" "obsolete syntax: checks/ lists the slip"
assert_in "$tmp/obsx/$top/TICKET.txt" "    Copy:             intact" "obsolete syntax: the ticket says intact"
assert_said "$tmp/obsx/$top/TICKET.txt" "RFC conformance: 1 departure from the RFCs, as the message was sent (not a sign of an altered copy): - Its Message-ID is written in the obsolete syntax RFC 5322 still accepts." \
	"obsolete syntax: the ticket says the departure, in words"

# A sample over 64 MiB is packed but not checked, and the report says
# so: not "--no-dkim", which was not given.
mkdir -p "$tmp/huge/cur" "$tmp/huge/new" "$tmp/huge/tmp"
{
	sed '/^$/q' "$FIXTURES/check/good/plain/message.eml"
	head -c 68157440 /dev/zero | tr '\0' x | fold -w 76
} >"$tmp/huge/cur/1.host:2,S"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$tmp/huge" \
	--dkim-keys "$tmp/keys" -o "$tmp/huge.tar.gz"
assert_status 0 "a sample over 64 MiB is packed"
mkdir "$tmp/hx"
tar -xzf "$tmp/huge.tar.gz" -C "$tmp/hx"
C="$tmp/hx/$top/checks/01-order-10490.1795181000.a1b2@shop.example.com.txt"
assert_in "$C" "  - too-large: the message is 69054797 bytes" "over 64 MiB: too-large"
assert_in "$C" "DKIM:            not checked (the message is over 64 MiB)" \
	"over 64 MiB: DKIM not checked, and why"
assert_not_in "$C" "--no-dkim" "over 64 MiB: not blamed on --no-dkim"
assert_in "$C" "Best practices:  not checked (the message is over 64 MiB)" \
	"over 64 MiB: best practices not looked at"
assert_eq "$(jq -r '.samples[0].checks.dkim_checked' "$tmp/hx/$top/summary.json")" false \
	"over 64 MiB: dkim_checked false"
assert_eq "$(jq -r '.samples[0].checks.lint_checked' "$tmp/hx/$top/summary.json")" false \
	"over 64 MiB: lint_checked false"
assert_in "$tmp/hx/$top/TICKET.txt" "    Best practices:   not checked" \
	"over 64 MiB: the ticket does not claim the practices were followed"
assert_in "$tmp/hx/$top/TICKET.txt" "    RFC conformance:  not checked" \
	"over 64 MiB: nor the conformance"
assert_in "$tmp/hx/$top/TICKET.txt" "    DKIM:             not verified" "over 64 MiB: nor DKIM"
assert_said "$tmp/hx/$top/TICKET.txt" "- The message is too large to be checked (over 64 MiB), so nothing else was checked." \
	"over 64 MiB: why, in words"
assert_in "$tmp/hx/$top/TICKET.txt" "  [ ] checked these messages against the RFCs and the best practices" \
	"over 64 MiB: the checklist item is left open"
rm -rf "$tmp/huge" "$tmp/hx" "$tmp/huge.tar.gz"

# Options that cannot be used.
pack_demo -o "$tmp/x.tar.gz" --dkim-keys "$tmp/no-such-keys"
assert_status 66 "pack --dkim-keys FILE that does not exist"
pack_demo -o "$tmp/x.tar.gz" --date-slack soon
assert_status 64 "pack --date-slack that is not a number"

finish
