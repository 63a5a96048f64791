#!/bin/sh
# pack --posture against a real DNS server (nsd on loopback, from zone
# data written here by tests/e2e/dnsfix.py): the demo case's samples
# (From shop.example.com; envelope senders shop.example.com and
# news.shop.example.com, from Return-Path) checked for the blocked IP
# 203.0.113.7.  Every run names the server with --dns-server or gives
# --no-dns: nothing is asked of the machine's resolver.
#
# What is checked, each against the zone data: posture.json's verdicts
# (PTR, SPF of each envelope domain, DMARC of the From domain, each
# sample's alignment, relaxed and strict), the DNS answers as seen (name,
# type, TTL, data, server, time), posture.json in SHA256SUMS and known
# to verify, summary.json's "posture"; the ticket's sending
# configuration in English and French and its checklist item, ticked
# when all is well and open with its reason otherwise; the same answers
# give the same bundle, byte for byte; a server that never answers:
# the checks not made are named, within the deadline; --no-dns: no
# posture, said in the ticket; bad usage.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"

command -v nsd >/dev/null 2>&1 || skip_all "no nsd (Debian package nsd) to serve the test zones"
command -v jq >/dev/null 2>&1 || skip_all "no jq to read the JSON"

dnspids=
trap 'for p in $dnspids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp" "$san"' EXIT

# start_dns NAME: serve $tmp/NAME.records; the server in $DNS.
start_dns() {
	mkdir "$tmp/dns-$1"
	python3 "$E2E/dnsfix.py" serve "$tmp/dns-$1" "$tmp/$1.records" 2>"$tmp/dns-$1.err" &
	dnspids="$dnspids $!"
	i=0
	while [ ! -s "$tmp/dns-$1/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$tmp/dns-$1/port" ] || { cat "$tmp/dns-$1.err"; skip_all "the test DNS server did not start"; }
	DNS=127.0.0.1:$(cat "$tmp/dns-$1/port")
}

# The demo's sender, well configured: a forward-confirmed PTR, SPF
# passing for both envelope domains, DMARC p=quarantine (relaxed).
cat >"$tmp/good.records" <<'ZONE'
7.113.0.203.in-addr.arpa PTR mx1.shop.example.com.
mx1.shop.example.com A 203.0.113.7
shop.example.com TXT "v=spf1 ip4:203.0.113.0/28 -all"
news.shop.example.com TXT "v=spf1 include:shop.example.com -all"
_dmarc.shop.example.com TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@shop.example.com"
ZONE
# The same with aspf=s (news.shop.example.com is then not aligned with
# shop.example.com), a generic PTR name not confirmed, a listing.
cat >"$tmp/strict.records" <<'ZONE'
7.113.0.203.in-addr.arpa PTR ip-203-0-113-7.example.net.
shop.example.com TXT "v=spf1 ip4:203.0.113.0/28 -all"
news.shop.example.com TXT "v=spf1 include:shop.example.com -all"
_dmarc.shop.example.com TXT "v=DMARC1; p=reject; aspf=s; pct=50"
7.113.0.203.bl.example.org A 127.0.0.2
ZONE
# A server that never answers about the sender.
cat >"$tmp/mute.records" <<'ZONE'
7.113.0.203.in-addr.arpa TIMEOUT
shop.example.com TIMEOUT
news.shop.example.com TIMEOUT
_dmarc.shop.example.com TIMEOUT
7.113.0.203.slow.example.org TIMEOUT
ZONE

start_dns good
GOOD=$DNS
top=${DEMO_BUNDLE%.tar.gz}

# pack_posture OUT ARGS...: the demo with its mail log into OUT.
pack_posture() {
	o=$1
	shift
	pack_demo --maillog "$DEMO/log/mail.log" -o "$o" "$@"
}

SOURCE_DATE_EPOCH=1795180000
export SOURCE_DATE_EPOCH
pack_posture "$tmp/good.tar.gz" --dns-server "$GOOD" --dnsbl clean.example.org
assert_status 0 "good: packed"
cp "$tmp/out" "$tmp/good-en.txt"
mkdir "$tmp/good"
tar -xzf "$tmp/good.tar.gz" -C "$tmp/good"
P=$tmp/good/$top/posture.json
S=$tmp/good/$top/summary.json
assert_true "good: posture.json in the bundle" test -s "$P"
assert_eq "$(grep -c '  posture.json$' "$tmp/good/$top/SHA256SUMS")" 1 "good: posture.json listed in SHA256SUMS"
assert_eq "$(jq -r .ip "$P")" 203.0.113.7 "good: the blocked IP"
assert_eq "$(jq -r '.ptr.names | join(",")' "$P")/$(jq -r .ptr.forward_confirmed "$P")" \
	mx1.shop.example.com/true "good: PTR, forward-confirmed"
# The domains come from the samples: each From and Return-Path.
froms=$(cat "$tmp/good/$top"/samples/*.eml | sed -n 's/^From:.*@\([^>]*\)>.*/\1/p' | sort -u | tr '\n' ' ')
envs=$(cat "$tmp/good/$top"/samples/*.eml | sed -n 's/^Return-Path: <[^@]*@\([^>]*\)>.*/\1/p' | sort -u | tr '\n' ' ')
assert_eq "$froms" "shop.example.com " "good: the samples' From domain"
assert_eq "$envs" "news.shop.example.com shop.example.com " "good: the samples' envelope domains"
assert_eq "$(jq -r '[.spf[] | .domain + "=" + .result] | sort | join(" ")' "$P")" \
	"news.shop.example.com=pass shop.example.com=pass" "good: SPF of each domain of the samples"
assert_eq "$(jq -r '.spf[] | select(.domain == "news.shop.example.com") | .mechanism' "$P")" \
	include:shop.example.com "good: SPF, the mechanism that decided"
d='.dmarc[] | select(.domain == "shop.example.com")'
assert_eq "$(jq -r "$d | .policy + \"/\" + .aspf + \"/\" + .found_at" "$P")" \
	quarantine/r/_dmarc.shop.example.com "good: DMARC of the From domain"
assert_eq "$(jq -c "$d | .aligned" "$P")" '{"messages":2,"spf":2,"dkim":0,"either":2}' \
	"good: aligned by SPF for 2 of 2 (relaxed: news.shop.example.com with shop.example.com)"
assert_eq "$(jq -r '[.messages[] | .envelope_source + ":" + .spf + ":" + (.spf_aligned|tostring) + ":" + (.dkim_aligned|tostring) + ":" + .dmarc] | join(" ")' "$P")" \
	"return-path:pass:true:false:pass return-path:pass:true:false:pass" \
	"good: each sample's verdict: SPF aligned, no DKIM signature, DMARC pass"
assert_eq "$(jq -r '[.messages[].file] | join(" ")' "$P")" "$(jq -r '[.samples[].file] | join(" ")' "$S")" \
	"good: one verdict a sample, by its file"
# The answers as seen: nsd answers with the zone's TTL (dnsfix.py's
# $TTL 300); the server asked; the time: SOURCE_DATE_EPOCH's.
assert_eq "$(jq -r '.answers[] | select(.name == "7.113.0.203.in-addr.arpa") | .type + " " + (.ttl|tostring) + " " + (.data|join(",")) + " " + .server + " " + .time' "$P")" \
	"PTR 300 mx1.shop.example.com $GOOD $(date -u -d @1795180000 +%Y-%m-%dT%H:%M:%SZ)" "good: an answer as seen"
assert_eq "$(jq -r '.answers[] | select(.name == "7.113.0.203.clean.example.org") | .status + " " + (.ttl|tostring)' "$P")" \
	"nxdomain null" "good: a negative answer, no TTL"
assert_eq "$(jq -r '[.answers[] | .name + "/" + .type] | map(select(. == "_dmarc.shop.example.com/TXT")) | length' "$P")" 1 \
	"good: the DMARC query, once"
assert_eq "$(jq -r '.posture.checked, .posture.file, .posture.complete' "$S" | tr '\n' ' ')" "true posture.json true " \
	"good: summary.json's posture"
assert_eq "$(jq -r '.posture | has("answers")' "$S")" false "good: the answers in posture.json only"
run verify "$tmp/good.tar.gz"
assert_status 0 "good: verify accepts the bundle"
# The ticket: the sending configuration in words, the item ticked.
said() { tr '\n' ' ' <"$1" | tr -s ' '; }
says() {
	if said "$1" | grep -qF -- "$2"; then ok "$3"; else not_ok "$3: '$2' not said"; fi
}
says "$tmp/good-en.txt" "Reverse DNS: 203.0.113.7 is mx1.shop.example.com, forward-confirmed." "good en: reverse DNS"
says "$tmp/good-en.txt" "SPF of news.shop.example.com: pass for 203.0.113.7 (include:shop.example.com)." "good en: SPF"
says "$tmp/good-en.txt" "DMARC of shop.example.com: p=quarantine, aligned for 2 of 2 messages (by SPF: 2, by DKIM: 0)." \
	"good en: DMARC"
says "$tmp/good-en.txt" "Blocklists: not listed on 1 (clean.example.org)." "good en: blocklists"
says "$tmp/good-en.txt" "[x] checked the SPF and DMARC records of the sending domains and the reverse DNS of 203.0.113.7: all as they should be" \
	"good en: the checklist item ticked"
says "$tmp/good-en.txt" "- posture.json: our sending configuration as checked in DNS" "good en: the part named"
pack_posture "$tmp/good-fr.tar.gz" --dns-server "$GOOD" --dnsbl clean.example.org --lang fr
cp "$tmp/out" "$tmp/good-fr.txt"
says "$tmp/good-fr.txt" "DNS inverse : 203.0.113.7 a pour nom mx1.shop.example.com, confirmé dans le sens direct." \
	"good fr: reverse DNS"
says "$tmp/good-fr.txt" "DMARC de shop.example.com : p=quarantine, aligné pour 2 des 2 messages" "good fr: DMARC"
says "$tmp/good-fr.txt" "[x] vérifié les enregistrements SPF et DMARC des domaines d'envoi et le DNS inverse de 203.0.113.7 : tout est en ordre" \
	"good fr: the checklist item ticked"

# The same answers, the same bundle, byte for byte.
mkdir "$tmp/again"
pack_posture "$tmp/again/good.tar.gz" --dns-server "$GOOD" --dnsbl clean.example.org
assert_true "the same answers: the same bundle" cmp -s "$tmp/good.tar.gz" "$tmp/again/good.tar.gz"

# Tampered or missing: verify says so.
mkdir "$tmp/bad"
cp -r "$tmp/good/$top" "$tmp/bad/"
jq '.ip = "192.0.2.1"' "$P" >"$tmp/bad/$top/posture.json"
(cd "$tmp/bad" && sed -i "s/^[0-9a-f]*  posture.json$/$(sha256sum "$top/posture.json" | cut -d' ' -f1)  posture.json/" "$top/SHA256SUMS")
run verify "$tmp/bad/$top"
assert_status 65 "verify: posture.json of another IP: refused"
assert_in "$tmp/err" "posture.json: not the posture of the IP summary.json names" "verify: said so"
rm "$tmp/bad/$top/posture.json"
sed -i '/  posture.json$/d' "$tmp/bad/$top/SHA256SUMS"
run verify "$tmp/bad/$top"
assert_in "$tmp/err" "posture.json: missing" "verify: posture.json missing, said"

# Strict SPF alignment, a generic PTR, a listing: the item stays open
# and says why.
start_dns strict
pack_posture "$tmp/strict.tar.gz" --dns-server "$DNS" --dnsbl bl.example.org
assert_status 0 "strict: packed"
cp "$tmp/out" "$tmp/strict-en.txt"
tar -xzOf "$tmp/strict.tar.gz" "$top/posture.json" >"$tmp/strict.json"
assert_eq "$(jq -c '.dmarc[] | select(.domain == "shop.example.com") | .aligned' "$tmp/strict.json")" \
	'{"messages":2,"spf":1,"dkim":0,"either":1}' "strict: aspf=s aligns shop.example.com only"
assert_eq "$(jq -r '[.messages[] | .dmarc + ":" + (.policy // "-")] | join(" ")' "$tmp/strict.json")" \
	"fail:reject pass:-" "strict: the news sample fails DMARC, under p=reject"
assert_eq "$(jq -r '.ptr.generic, .ptr.forward_confirmed' "$tmp/strict.json" | tr '\n' ' ')" "true false " \
	"strict: generic PTR, not confirmed"
says "$tmp/strict-en.txt" "DMARC of shop.example.com: p=reject pct=50, aligned for 1 of 2 messages" "strict: DMARC said"
says "$tmp/strict-en.txt" "Blocklists: LISTED on bl.example.org (127.0.0.2: listed)." "strict: the listing said"
pack_posture "$tmp/strict-fr.tar.gz" --dns-server "$DNS" --dnsbl bl.example.org --lang fr
says "$tmp/out" "Listes de blocage : LISTÉE sur bl.example.org (127.0.0.2 : listée)." "strict fr: the listing said"
says "$tmp/out" "le DNS inverse de 203.0.113.7 : DNS inverse non confirmé dans le sens direct ; nom de DNS inverse générique" \
	"strict fr: the item open, with why"
says "$tmp/strict-en.txt" "[ ] checked the SPF and DMARC records of the sending domains and the reverse DNS of 203.0.113.7: reverse DNS not forward-confirmed; generic reverse DNS name; DMARC of shop.example.com not aligned for every message; listed on a blocklist" \
	"strict: the item open, with why"

# A server that never answers: each check not made is named, as
# temperror; the bundle is written.
start_dns mute
pack_posture "$tmp/mute.tar.gz" --dns-server "$DNS" --dns-timeout 0.5 --dns-deadline 3 --dnsbl slow.example.org
assert_status 0 "mute: packed all the same"
cp "$tmp/out" "$tmp/mute-en.txt"
tar -xzOf "$tmp/mute.tar.gz" "$top/posture.json" >"$tmp/mute.json"
assert_eq "$(jq -r '.complete, .ptr.result, ([.spf[].result] | unique | join(",")), (.dmarc[] | select(.domain == "shop.example.com") | .result), .dnsbl[0].result' "$tmp/mute.json" | tr '\n' ' ')" \
	"false temperror temperror temperror temperror " "mute: every check temperror"
assert_eq "$(jq -r '[.answers[] | select(.name | test("^(7.113.0.203.in-addr.arpa|shop.example.com|news.shop.example.com|_dmarc.shop.example.com)$")) | .status] | unique | map(select(. != "timeout" and . != "deadline")) | length' "$tmp/mute.json")" 0 \
	"mute: every answer about the mute names a time-out or cut by the deadline"
says "$tmp/mute-en.txt" "Reverse DNS: could not be checked (temperror: DNS for 7.113.0.203.in-addr.arpa:" "mute: reverse DNS not checked, said"
says "$tmp/mute-en.txt" "SPF of shop.example.com: could not be checked (temperror" "mute: SPF not checked, said"
says "$tmp/mute-en.txt" "reverse DNS of 203.0.113.7: reverse DNS unchecked;" "mute: the item open: unchecked"
says "$tmp/mute-en.txt" "The checks marked temperror could not be made: DNS failed, or did not answer within 0.5 s per query and 3 s in all." \
	"mute: the time-outs said"
assert_in "$tmp/err" "could not be made" "mute: a warning"

# DKIM alignment: two copies of a signed order, one signed by
# shop.example.com (its From domain), one by example.com, keys given
# with --dkim-keys; SPF fails for the IP, so DKIM alone can align:
# adkim=s aligns the first only.
if [ -n "${DKIMSIGN:-}" ] && command -v openssl >/dev/null 2>&1; then
	cat >"$tmp/dkim.records" <<'ZONE'
7.113.0.203.in-addr.arpa PTR mx1.shop.example.com.
mx1.shop.example.com A 203.0.113.7
shop.example.com TXT "v=spf1 -all"
_dmarc.shop.example.com TXT "v=DMARC1; p=reject; adkim=s"
ZONE
	start_dns dkim
	mkdir -p "$tmp/dk/a/cur" "$tmp/dk/a/new" "$tmp/dk/a/tmp" "$tmp/dk/b/cur" "$tmp/dk/b/new" "$tmp/dk/b/tmp"
	openssl genrsa -out "$tmp/key.pem" 2048 2>/dev/null
	pub=$(openssl rsa -in "$tmp/key.pem" -pubout -outform DER 2>/dev/null | base64 | tr -d '\n')
	printf 'sel._domainkey.shop.example.com v=DKIM1; k=rsa; p=%s\nsel._domainkey.example.com v=DKIM1; k=rsa; p=%s\n' \
		"$pub" "$pub" >"$tmp/keys"
	"$DKIMSIGN" "$tmp/key.pem" sel shop.example.com 1795181000 <"$FIXTURES/check/good/plain/message.eml" \
		>"$tmp/dk/a/cur/1.host:2,S"
	"$DKIMSIGN" "$tmp/key.pem" sel example.com 1795181000 <"$FIXTURES/check/good/plain/message.eml" \
		>"$tmp/dk/b/cur/1.host:2,S"
	cat >"$tmp/stats.json" <<'JSON'
[{"averageSpamscore": 300, "numberOfSpams": 1, "timestamp": 1795181527, "total": 40,
  "detectedSpams": [
    {"date": 1795181000, "destinationIp": "198.51.100.87", "messageId": "order-10490.1795181000.a1b2@shop.example.com", "spamscore": 300}]}]
JSON
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$tmp/dk/a" --mail "$tmp/dk/b" \
		--dkim-keys "$tmp/keys" --dns-server "$DNS" --dnsbl none -o "$tmp/dkim.tar.gz"
	assert_status 0 "dkim: packed"
	tar -xzOf "$tmp/dkim.tar.gz" "$top/posture.json" >"$tmp/dkim.json"
	assert_eq "$(jq -r '[.messages[] | (.dkim_pass | join(",")) + ":" + .spf + ":" + (.spf_aligned|tostring) + ":" + (.dkim_aligned|tostring) + ":" + .dmarc + ":" + (.policy // "-")] | join(" ")' "$tmp/dkim.json")" \
		"shop.example.com:fail:false:true:pass:- example.com:fail:false:false:fail:reject" \
		"dkim: adkim=s: d=shop.example.com aligns, d=example.com does not (DMARC fail, p=reject)"
	assert_eq "$(jq -c '.dmarc[0].aligned' "$tmp/dkim.json")" '{"messages":2,"spf":0,"dkim":1,"either":1}' \
		"dkim: the counts"
	says "$tmp/out" "DMARC of shop.example.com: p=reject, aligned for 1 of 2 messages (by SPF: 0, by DKIM: 1)." \
		"dkim: said in the ticket"
	says "$tmp/out" "SPF of shop.example.com: fail for 203.0.113.7 (-all)." "dkim: the SPF fail said"
else
	skip "no dkimsign helper or openssl: DKIM alignment"
fi

# --helo: compared with the PTR name, in the JSON and the ticket.
pack_posture "$tmp/helo.tar.gz" --dns-server "$GOOD" --dnsbl none --helo smtp.shop.example.com
tar -xzOf "$tmp/helo.tar.gz" "$top/posture.json" >"$tmp/helo.json"
assert_eq "$(jq -r '.ptr.helo + "/" + (.ptr.helo_matches|tostring)' "$tmp/helo.json")" smtp.shop.example.com/false \
	"--helo: another name than the PTR's"
says "$tmp/out" "Our server's HELO name is another: smtp.shop.example.com." "--helo: said in the ticket"
says "$tmp/out" "reverse DNS of 203.0.113.7: HELO name is not the PTR name" "--helo: the item open, why"

# --no-dns: no posture, said; DKIM keys not fetched.
unset SOURCE_DATE_EPOCH
pack_posture "$tmp/nodns.tar.gz" --no-dns
assert_status 0 "--no-dns: packed"
assert_eq "$(tar -tzf "$tmp/nodns.tar.gz" | grep -c posture.json)" 0 "--no-dns: no posture.json"
assert_eq "$(tar -xzOf "$tmp/nodns.tar.gz" "$top/summary.json" | jq -c .posture)" '{"checked":false,"reason":"no-dns"}' \
	"--no-dns: summary.json says why"
says "$tmp/out" "[ ] checked the SPF and DMARC records of the sending domains and the reverse DNS of 203.0.113.7: not checked: no DNS query was made for this report" \
	"--no-dns: the ticket says so"
says "$tmp/out" "DKIM: not verified" "--no-dns: DKIM not verified (its keys are in DNS)"
tar -xzf "$tmp/nodns.tar.gz" -C "$tmp" --wildcards "$top/checks/01-*"
assert_in "$(ls "$tmp/$top"/checks/01-*)" "DKIM:            not checked (--no-dns: the keys are in DNS)" "--no-dns: the checks say why DKIM was not verified"
pack_posture "$tmp/default.tar.gz"
assert_eq "$(tar -xzOf "$tmp/default.tar.gz" "$top/summary.json" | jq -c .posture)" '{"checked":false,"reason":"not-asked"}' \
	"default: the posture not asked"
run verify "$tmp/nodns.tar.gz"
assert_status 0 "--no-dns: verify accepts the bundle"

# Bad usage: said before any search.
pack_posture "$tmp/x.tar.gz" --no-dns --posture
assert_status 64 "--no-dns with --posture: usage"
pack_posture "$tmp/x.tar.gz" --dns-server nowhere
assert_status 64 "--dns-server not an address: usage"
pack_posture "$tmp/x.tar.gz" --dns-deadline 0
assert_status 64 "--dns-deadline 0: usage"
assert_in "$tmp/err" "--dns-deadline '0': give a number of seconds" "--dns-deadline 0: said"
pack_posture "$tmp/x.tar.gz" --dnsbl 'bad zone'
assert_status 64 "--dnsbl not a zone: usage"

# fpkit.conf: "posture = yes" turns the posture on, and with it the
# configured blocklists (which go with the posture alone); "no", or
# --no-dns given, leaves it off.
printf '[fpkit]\nposture = yes\ndnsbl = clean.example.org\n' >"$tmp/fpkit.conf"
FPKIT_CONFIG=$tmp/fpkit.conf pack_posture "$tmp/conf.tar.gz" --dns-server "$GOOD"
assert_status 0 "posture = yes: packed"
tar -xzOf "$tmp/conf.tar.gz" "$top/posture.json" >"$tmp/conf.json"
assert_eq "$(jq -r '[.dnsbl[].zone] | join(",")' "$tmp/conf.json")" clean.example.org \
	"posture = yes: the configured blocklist asked"
FPKIT_CONFIG=$tmp/fpkit.conf pack_posture "$tmp/conf-nodns.tar.gz" --no-dns
assert_status 0 "posture = yes and --no-dns given: packed without the posture"
assert_false "--no-dns given: no posture.json" sh -c "tar -tzf '$tmp/conf-nodns.tar.gz' | grep -q posture.json"
printf '[fpkit]\nposture = no\ndnsbl = clean.example.org\n' >"$tmp/fpkit.conf"
FPKIT_CONFIG=$tmp/fpkit.conf pack_posture "$tmp/conf-no.tar.gz"
assert_status 0 "posture = no: packed"
assert_false "posture = no: no posture.json" sh -c "tar -tzf '$tmp/conf-no.tar.gz' | grep -q posture.json"
printf '[fpkit]\nposture = maybe\n' >"$tmp/fpkit.conf"
FPKIT_CONFIG=$tmp/fpkit.conf pack_posture "$tmp/conf-bad.tar.gz"
assert_status 78 "posture = maybe: EX_CONFIG"
assert_in "$tmp/err" "posture is yes or no, not 'maybe'" "said with the value"

finish
