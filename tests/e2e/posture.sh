#!/bin/sh
# fpkit posture against a real DNS server: nsd on loopback, started here
# from zone data written here (tests/e2e/dnsfix.py), behind a forwarder
# that never answers the names marked TIMEOUT; a zone nsd cannot load
# answers SERVFAIL.  Every run names the server with --dns-server, so
# that nothing is asked of the machine's resolver.
#
# What is checked, each against the zone data below: the PTR names,
# forward-confirmed or not, generic or not; SPF pass through mx, through
# an include, softfail, fail, none, temperror on a time-out and on
# SERVFAIL, with the mechanism that decided; DMARC found at the domain
# or at its organisational domain (sp= applying there), none, and
# temperror; blocklists listed, clear, refused (Spamhaus' 127.255.255.x)
# and temperror; the JSON's keys; a deadline shorter than the time-outs
# marks what it cut; blocklists asked in parallel; bad usage.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"

command -v nsd >/dev/null 2>&1 || skip_all "no nsd (Debian package nsd) to serve the test zones"
command -v jq >/dev/null 2>&1 || skip_all "no jq to read the JSON"

cat >"$tmp/records" <<'ZONE'
10.2.0.192.in-addr.arpa PTR mail.shop.example.net.
mail.shop.example.net A 192.0.2.10
mail.shop.example.net AAAA 2001:db8::10
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR mail.shop.example.net.
shop.example.net MX 10 mail.shop.example.net.
shop.example.net TXT "v=spf1 mx include:_spf.example.org -all"
_spf.example.org TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:1::/48 ~all"
news.example.org TXT "v=spf1 ip4:203.0.113.0/24 ~all"
strict.example.org TXT "v=spf1 a:nowhere.example.org -all"
_dmarc.shop.example.net TXT "v=DMARC1; p=quarantine; adkim=s; rua=mailto:dmarc@shop.example.net"
_dmarc.example.net TXT "v=DMARC1; p=reject; sp=none; pct=50; aspf=s"
out.example.net TXT "v=spf1 redirect=shop.example.net"
20.2.0.192.in-addr.arpa PTR ip-192-0-2-20.eu.example.com.
30.2.0.192.in-addr.arpa PTR vps-1a2b3c4d.vps.ovh.net.
31.2.0.192.in-addr.arpa PTR ns3012345.ip-198-51-100.eu.
32.2.0.192.in-addr.arpa PTR mail.shop.example.net.
32.2.0.192.in-addr.arpa PTR ip-192-0-2-32.example.com.
33.2.0.192.in-addr.arpa PTR dynamic-pool-7.isp.example.com.
_dmarc.two.example.org TXT "v=DMARC1; p=reject"
_dmarc.two.example.org TXT "v=DMARC1; p=none"
_dmarc.norua.example.org TXT "v=DMARC1; sp=reject"
_dmarc.rua.example.org TXT "v=DMARC1; p=bogus; rua=mailto:d@rua.example.org"
_dmarc.other.example.org TXT "v=spf1 -all"
_dmarc.example.org TXT "v=DMARC1;p=reject"
_dmarc.pct.example.org TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net!10m; pct=25"
_dmarc.syntax.example.org TXT "v=DMARC1; p=reject; pct=150; adkim=x"
_dmarc.nosemi.example.org TXT "v=DMARC1 p=none"
inc.example.org TXT "v=spf1 include:nothing.example.org -all"
slow.example.com TIMEOUT
60.2.0.192.in-addr.arpa PTR elsewhere.example.net.
elsewhere.example.net A 198.51.100.60
cidr.example.org TXT "v=spf1 ip4:192.0.2.0/28 a:mail.shop.example.net/29 -all"
postmaster TXT "v=spf1 +all"
single.example.org TXT "v=spf1 include:%{l} -all"
manymx.example.org MX 1 mx1.example.org.
mx1.example.org A 198.51.100.101
50.2.0.192.in-addr.arpa PTR p1.manyptr.example.org.
manymx.example.org MX 2 mx2.example.org.
mx2.example.org A 198.51.100.102
50.2.0.192.in-addr.arpa PTR p2.manyptr.example.org.
manymx.example.org MX 3 mx3.example.org.
mx3.example.org A 198.51.100.103
50.2.0.192.in-addr.arpa PTR p3.manyptr.example.org.
manymx.example.org MX 4 mx4.example.org.
mx4.example.org A 198.51.100.104
50.2.0.192.in-addr.arpa PTR p4.manyptr.example.org.
manymx.example.org MX 5 mx5.example.org.
mx5.example.org A 198.51.100.105
50.2.0.192.in-addr.arpa PTR p5.manyptr.example.org.
manymx.example.org MX 6 mx6.example.org.
mx6.example.org A 198.51.100.106
50.2.0.192.in-addr.arpa PTR p6.manyptr.example.org.
manymx.example.org MX 7 mx7.example.org.
mx7.example.org A 198.51.100.107
50.2.0.192.in-addr.arpa PTR p7.manyptr.example.org.
manymx.example.org MX 8 mx8.example.org.
mx8.example.org A 198.51.100.108
50.2.0.192.in-addr.arpa PTR p8.manyptr.example.org.
manymx.example.org MX 9 mx9.example.org.
mx9.example.org A 198.51.100.109
50.2.0.192.in-addr.arpa PTR p9.manyptr.example.org.
manymx.example.org MX 10 mx10.example.org.
mx10.example.org A 198.51.100.110
50.2.0.192.in-addr.arpa PTR p10.manyptr.example.org.
manymx.example.org MX 11 mx11.example.org.
mx11.example.org A 192.0.2.50
50.2.0.192.in-addr.arpa PTR p11.manyptr.example.org.
p11.manyptr.example.org A 192.0.2.50
manyptr.example.org TXT "v=spf1 ptr -all"
manymx.example.org TXT "v=spf1 mx -all"
explain.example.org TXT "%{i} is not one of our servers"
soft.example.org TXT "v=spf1 ~all exp=explain.example.org"
hard.example.org TXT "v=spf1 -all exp=explain.example.org"
l1.example.org A 198.51.100.1
l2.example.org A 198.51.100.2
l3.example.org A 198.51.100.3
l4.example.org A 198.51.100.4
l5.example.org A 198.51.100.5
l6.example.org A 198.51.100.6
l7.example.org A 198.51.100.7
l8.example.org A 198.51.100.8
l9.example.org A 198.51.100.9
l10.example.org A 198.51.100.10
l11.example.org A 198.51.100.11
ten.example.org TXT "v=spf1 a:l1.example.org a:l2.example.org a:l3.example.org a:l4.example.org a:l5.example.org a:l6.example.org a:l7.example.org a:l8.example.org a:l9.example.org a:l10.example.org ip4:192.0.2.10 -all"
eleven.example.org TXT "v=spf1 a:l1.example.org a:l2.example.org a:l3.example.org a:l4.example.org a:l5.example.org a:l6.example.org a:l7.example.org a:l8.example.org a:l9.example.org a:l10.example.org a:l11.example.org ip4:192.0.2.10 -all"
twovoid.example.org TXT "v=spf1 a:v1.example.org mx:v2.example.org ip4:192.0.2.10 -all"
threevoid.example.org TXT "v=spf1 a:v1.example.org mx:v2.example.org exists:v3.example.org ip4:192.0.2.10 -all"
40.2.0.192.in-addr.arpa PTR slowhost.example.com.
slowhost.example.com TIMEOUT
broken.example SERVFAIL
10.2.0.192.bl.example.org A 127.0.0.2
10.2.0.192.bl.example.org TXT "listed: see https://bl.example.org/"
10.2.0.192.zen.spamhaus.org A 127.255.255.254
10.2.0.192.slow1.example.com TIMEOUT
10.2.0.192.slow2.example.com TIMEOUT
10.2.0.192.slow3.example.com TIMEOUT
10.2.0.192.slow4.example.com TIMEOUT
10.2.0.192.slow5.example.com TIMEOUT
10.2.0.192.slow6.example.com TIMEOUT
ZONE

mkdir "$tmp/dns"
python3 "$E2E/dnsfix.py" serve "$tmp/dns" "$tmp/records" 2>"$tmp/dns.err" &
dnspid=$!
trap 'kill "$dnspid" 2>/dev/null; wait "$dnspid" 2>/dev/null; rm -rf "$tmp" "$san"' EXIT
i=0
while [ ! -s "$tmp/dns/port" ] && kill -0 "$dnspid" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$tmp/dns/port" ] || { cat "$tmp/dns.err"; skip_all "the test DNS server did not start"; }
DNS=127.0.0.1:$(cat "$tmp/dns/port")

# posture ARGS...: fpkit posture against the test server only.
posture() {
	run posture --dns-server "$DNS" "$@"
}

# jget FILTER: a value of the JSON in $tmp/out.
jget() {
	jq -r "$1" "$tmp/out"
}

# The well-configured sender.
posture --json --domain shop.example.net --domain out.example.net \
	--dnsbl bl.example.org --dnsbl zen.spamhaus.org --dnsbl clean.example.org 192.0.2.10
assert_status 0 "well configured: every check made"
assert_eq "$(jget .ip)" 192.0.2.10 "json: ip"
assert_eq "$(jget '.ptr.names | join(",")')" mail.shop.example.net "ptr: the PTR name"
assert_eq "$(jget .ptr.forward_confirmed)" true "ptr: forward-confirmed (the name's A is the IP)"
assert_eq "$(jget .ptr.generic)" false "ptr: a name of the sender's, not generic"
assert_eq "$(jget '.spf[0].domain')" shop.example.net "spf: the domain"
assert_eq "$(jget '.spf[0].result')" pass "spf: pass"
assert_eq "$(jget '.spf[0].mechanism')" mx "spf: decided by mx (mail.shop.example.net is the MX)"
assert_eq "$(jget '.spf[1].result')" pass "spf: pass through redirect="
assert_eq "$(jget '.spf[1].mechanism')" "redirect=shop.example.net, then mx" "spf: redirect then mx"
assert_eq "$(jget '.dmarc[0].record')" "v=DMARC1; p=quarantine; adkim=s; rua=mailto:dmarc@shop.example.net" \
	"dmarc: the domain's own record"
assert_eq "$(jget '.dmarc[0].policy')" quarantine "dmarc: p=quarantine"
assert_eq "$(jget '.dmarc[0].adkim')/$(jget '.dmarc[0].aspf')/$(jget '.dmarc[0].pct')" s/r/100 \
	"dmarc: adkim=s, aspf relaxed by default, pct 100 by default"
assert_eq "$(jget '.dmarc[0].aligned')" null "dmarc: alignment needs messages: null"
assert_eq "$(jget '.dmarc[1].found_at')" _dmarc.example.net \
	"dmarc: no record at out.example.net: the organisational domain's (RFC 7489, 6.6.3)"
assert_eq "$(jget '.dmarc[1].policy')" none "dmarc: sp=none applies to the subdomain, not p=reject"
assert_eq "$(jget '.dmarc[1].pct')/$(jget '.dmarc[1].aspf')" 50/s "dmarc: pct=50, aspf=s"
assert_eq "$(jget '[.dnsbl[] | .zone + "=" + (.listed|tostring) + "/" + (.refused|tostring)] | join(" ")')" \
	"bl.example.org=true/false zen.spamhaus.org=false/true clean.example.org=false/false" \
	"dnsbl: listed, Spamhaus refusing (never a listing), clear"
assert_eq "$(jget '.dnsbl[0].codes | join(",")')" 127.0.0.2 "dnsbl: the return code"
assert_eq "$(jget '.dnsbl[1].codes | join(",")')" 127.255.255.254 "dnsbl: Spamhaus' code kept"
assert_eq "$(jget '.dnsbl[1].result')" refused "dnsbl: Spamhaus' 127.255.255.254 is 'refused'"
assert_eq "$(jget .deadline_reached)" false "json: the deadline was not reached"
assert_eq "$(jget 'keys | join(",")')" "deadline_reached,dmarc,dns_server,dnsbl,ip,ptr,spf" "json: the top-level keys"
assert_eq "$(jget '[.spf[0], .dmarc[0], .dnsbl[0]] | map(keys) | map(join(",")) | join(" ")' | tr ' ' '\n' |
	grep -c .)" 3 "json: each list's entries are objects"

# The same, in words.
posture --domain shop.example.net --dnsbl bl.example.org --dnsbl zen.spamhaus.org 192.0.2.10
assert_status 0 "text: every check made"
assert_in "$tmp/out" "reverse DNS: mail.shop.example.net; forward-confirmed; names the sender" "text: reverse DNS"
assert_in "$tmp/out" "SPF shop.example.net: pass, decided by mx" "text: SPF"
assert_in "$tmp/out" "DMARC shop.example.net: p=quarantine (record at _dmarc.shop.example.net)" "text: DMARC"
assert_in "$tmp/out" "blocklist bl.example.org: LISTED (127.0.0.2: listed)" "text: listed"
assert_in "$tmp/out" "blocklist zen.spamhaus.org: refused, no verdict (127.255.255.254: refused by Spamhaus: queries through a public or open resolver)" \
	"text: Spamhaus refusing, said so"

# IPv6: the ip6.arpa name, the AAAA record, ip6 in an include.
posture --json --domain shop.example.net --dnsbl none 2001:db8::10
assert_eq "$(jget '.ptr.names | join(",")')/$(jget .ptr.forward_confirmed)" mail.shop.example.net/true \
	"ipv6: PTR under ip6.arpa, forward-confirmed by the AAAA"
assert_eq "$(jget '.spf[0].result') $(jget '.spf[0].mechanism')" "pass mx" "ipv6: spf pass by mx's AAAA"
posture --json --domain shop.example.net --dnsbl none 2001:db8:1::25
assert_eq "$(jget '.spf[0].result') $(jget '.spf[0].mechanism')" "pass include:_spf.example.org" \
	"ipv6: spf pass through the include's ip6"
assert_eq "$(jget .ptr.result)" none "ipv6: no PTR: none"

# An IP the domains do not allow, with a generic PTR not confirmed.
posture --json --domain shop.example.net --domain news.example.org --domain strict.example.org \
	--domain nowhere.example.com --dnsbl none 192.0.2.20
assert_status 0 "not allowed: every check made"
assert_eq "$(jget '.ptr.names | join(",")')" ip-192-0-2-20.eu.example.com "generic: the PTR name"
assert_eq "$(jget .ptr.forward_confirmed)/$(jget .ptr.result)" false/fail "generic: no A record: not forward-confirmed"
assert_eq "$(jget .ptr.generic)" true "generic: ip-192-0-2-20 looks generic"
assert_eq "$(jget '.spf[0].result') $(jget '.spf[0].mechanism')" "fail -all" "spf: fail by -all"
assert_eq "$(jget '.spf[1].result') $(jget '.spf[1].mechanism')" "softfail ~all" "spf: softfail by ~all"
assert_eq "$(jget '.spf[2].result') $(jget '.spf[2].mechanism')" "fail -all" \
	"spf: a: of a name that does not exist does not match"
assert_eq "$(jget '.spf[3].result')" none "spf: NXDOMAIN: none"
assert_eq "$(jget '.dmarc[3].result')/$(jget '.dmarc[3].record')" none/null "dmarc: none"
posture --json --dnsbl none --domain inc.example.org 192.0.2.10
assert_eq "$(jget '.spf[0].result')/$(jget '.spf[0].mechanism')" permerror/include:nothing.example.org \
	"spf: an include without a record: permerror, by the include"
assert_eq "$(jget '.spf[0].problem')" "include:nothing.example.org has no SPF record" "spf: why, said"
posture --domain shop.example.net --dnsbl none 192.0.2.20
assert_in "$tmp/out" "reverse DNS: ip-192-0-2-20.eu.example.com; NOT forward-confirmed" "text: not forward-confirmed"
assert_in "$tmp/out" "looks generic (the name holds the address)" "text: generic"
posture --lang fr --domain shop.example.net --dnsbl none 192.0.2.20
assert_in "$tmp/out" "semble générique (le nom contient l'adresse)" "text in French: the generic name's reason too"

# RFC 7208, 4.6.4: ten terms that ask DNS are allowed, not eleven; two
# void lookups (names without records) are allowed, not three.
posture --json --dnsbl none --domain ten.example.org --domain eleven.example.org \
	--domain twovoid.example.org --domain threevoid.example.org 192.0.2.10
assert_eq "$(jget '.spf[0].result') $(jget '.spf[0].mechanism')" "pass ip4:192.0.2.10" "spf: 10 DNS lookups: allowed"
assert_eq "$(jget '.spf[1].result') $(jget '.spf[1].mechanism')" "permerror a:l11.example.org" \
	"spf: the 11th DNS lookup: permerror"
assert_eq "$(jget '.spf[1].problem')" "more than 10 DNS lookups" "spf: the limit, said"
assert_eq "$(jget '.spf[2].result')" pass "spf: 2 void lookups: allowed"
assert_eq "$(jget '.spf[3].result') $(jget '.spf[3].mechanism')" "permerror exists:v3.example.org" \
	"spf: the 3rd void lookup: permerror"
assert_eq "$(jget '.spf[3].problem')" "more than 2 void DNS lookups" "spf: the void limit, said"

# At most 10 MX records for mx (the IP is the 11th's: permerror), 10
# PTR names for ptr (the IP's only confirmed name is the 11th, as nsd
# sends them in the zone's order: no match); exp= on a fail only.
posture --json --dnsbl none --domain manymx.example.org --domain manyptr.example.org \
	--domain soft.example.org --domain hard.example.org 192.0.2.50
assert_eq "$(jget '.spf[0].result')" permerror "spf: 11 MX records: permerror"
assert_eq "$(jget '.spf[0].problem')" "manymx.example.org has more than 10 MX records" "spf: the MX limit, said"
assert_eq "$(jget '.spf[1].result') $(jget '.spf[1].mechanism')" "fail -all" "spf: the 11th PTR name is not looked at"
assert_eq "$(jget '.spf[2].result')/$(jget '.spf[2].explanation')" softfail/null "spf: no explanation on a softfail"
assert_eq "$(jget '.spf[3].result')/$(jget '.spf[3].explanation')" "fail/192.0.2.50 is not one of our servers" \
	"spf: exp= explains a fail, its macros expanded"

# CIDR lengths that are not whole bytes: 192.0.2.10 is in 192.0.2.0/28,
# 192.0.2.20 is not, nor in mail.shop.example.net's /29 (192.0.2.8-15).
posture --json --dnsbl none --domain cidr.example.org 192.0.2.10
assert_eq "$(jget '.spf[0].result') $(jget '.spf[0].mechanism')" "pass ip4:192.0.2.0/28" "spf: in a /28"
posture --json --dnsbl none --domain cidr.example.org 192.0.2.20
assert_eq "$(jget '.spf[0].result') $(jget '.spf[0].mechanism')" "fail -all" "spf: outside a /28 and a /29"

# A single-label name is no domain to check (RFC 7208, 4.3), even when
# DNS has a record there: the include is a permerror.
posture --json --dnsbl none --domain single.example.org 192.0.2.10
assert_eq "$(jget '.spf[0].result') $(jget '.spf[0].mechanism')" "permerror include:%{l}" \
	"spf: include of a single-label name: permerror"

# A PTR name whose address is another IP does not confirm it.
posture --json --dnsbl none 192.0.2.60
assert_eq "$(jget '.ptr.names | join(",")')/$(jget .ptr.forward_confirmed)/$(jget .ptr.result)" \
	elsewhere.example.net/false/fail "ptr: the name's A is another IP: not forward-confirmed"

# Generic names, and one of the sender's among them.
for case in "192.0.2.30 true vps-1a2b3c4d.vps.ovh.net" "192.0.2.31 true ns3012345.ip-198-51-100.eu" \
	"192.0.2.32 false ip-192-0-2-32.example.com,mail.shop.example.net" \
	"192.0.2.33 true dynamic-pool-7.isp.example.com"; do
	set -- $case
	posture --json --dnsbl none "$1"
	assert_eq "$(jget '.ptr.names | sort | join(",")')/$(jget .ptr.generic)" "$3/$2" "generic: $3 -> $2"
done

# DMARC by RFC 7489, 6.6.3: two records at the domain: none applies,
# and the organisational domain is not asked; no p= but rua=: as
# p=none; no p= and no rua=: permerror; a TXT record that is not DMARC
# at the domain: the organisational domain's.
posture --json --dnsbl none --domain two.example.org --domain rua.example.org \
	--domain norua.example.org --domain other.example.org 192.0.2.10
assert_eq "$(jget '.dmarc[0].result')/$(jget '.dmarc[0].policy')" none/null "dmarc: two records: none"
assert_in "$tmp/out" "more than one DMARC record at _dmarc.two.example.org" "dmarc: two records: said so"
assert_eq "$(jget '.dmarc[1].result')/$(jget '.dmarc[1].policy')" found/none "dmarc: no valid p= but rua=: p=none"
assert_eq "$(jget '.dmarc[2].result')/$(jget '.dmarc[2].policy')" permerror/null "dmarc: no p=, no rua=: permerror"
assert_eq "$(jget '.dmarc[3].found_at')/$(jget '.dmarc[3].policy')" _dmarc.example.org/reject \
	"dmarc: a TXT record that is not DMARC is no record: the organisational domain's p=reject"

# RFC 7489's examples and syntax errors: B.2.4's pct=25; a pct= over
# 100 and an adkim= that is neither r nor s are taken at their defaults,
# said; "v=DMARC1 p=none" (no ';') is no DMARC record: the
# organisational domain's applies.
posture --json --dnsbl none --domain pct.example.org --domain syntax.example.org \
	--domain nosemi.example.org 192.0.2.10
assert_eq "$(jget '.dmarc[0].policy')/$(jget '.dmarc[0].pct')" quarantine/25 "dmarc: RFC 7489 B.2.4, pct=25"
assert_eq "$(jget '.dmarc[1].policy')/$(jget '.dmarc[1].pct')/$(jget '.dmarc[1].adkim')" reject/100/r \
	"dmarc: pct=150 and adkim=x: the defaults"
assert_eq "$(jget '.dmarc[1].problem')" "pct= is not a number from 0 to 100: taken as 100; adkim=x is not r or s: taken as r" \
	"dmarc: the syntax errors, said"
assert_eq "$(jget '.dmarc[2].found_at')/$(jget '.dmarc[2].policy')" _dmarc.example.org/reject \
	"dmarc: 'v=DMARC1 p=none' is no record: the organisational domain's"

# The HELO name: the PTR name or not.
posture --json --dnsbl none --helo MAIL.shop.example.net 192.0.2.10
assert_eq "$(jget .ptr.helo)/$(jget .ptr.helo_matches)" MAIL.shop.example.net/true "helo: the PTR name (case aside)"
posture --json --dnsbl none --helo smtp.shop.example.net 192.0.2.10
assert_eq "$(jget .ptr.helo_matches)" false "helo: another name"
posture --dnsbl none --helo smtp.shop.example.net 192.0.2.10
assert_in "$tmp/out" "does NOT match the HELO name smtp.shop.example.net" "helo: said"
posture --json --dnsbl none 192.0.2.10
assert_eq "$(jget '.ptr | has("helo")')" false "helo: not given, not said"

# The HELO name from a Postfix configuration (postconf -x -h
# smtp_helo_name: $myhostname by default): no mail system runs for it.
PATH=$PATH:/usr/sbin
if command -v postconf >/dev/null 2>&1; then
	mkdir "$tmp/pfconf"
	printf 'compatibility_level = 3.6\nmyhostname = mail.shop.example.net\n' >"$tmp/pfconf/main.cf"
	posture --json --dnsbl none --postfix-config "$tmp/pfconf" 192.0.2.10
	assert_eq "$(jget .ptr.helo)/$(jget .ptr.helo_matches)" mail.shop.example.net/true \
		"helo from postconf: myhostname, the PTR name"
	printf 'smtp_helo_name = out.$mydomain\nmydomain = shop.example.net\n' >>"$tmp/pfconf/main.cf"
	posture --json --dnsbl none --postfix-config "$tmp/pfconf" 192.0.2.10
	assert_eq "$(jget .ptr.helo)/$(jget .ptr.helo_matches)" out.shop.example.net/false \
		"helo from postconf: smtp_helo_name, expanded, not the PTR name"
	posture --json --dnsbl none --postfix-config "$tmp/nowhere" 192.0.2.10
	assert_status 78 "helo from postconf: a configuration that cannot be read: EX_CONFIG"
else
	skip "no postconf: the HELO name from Postfix's configuration"
fi

# In French.
posture --lang fr --domain shop.example.net --dnsbl bl.example.org --helo mail.shop.example.net 192.0.2.10
assert_status 0 "fr: every check made"
assert_in "$tmp/out" "IP 192.0.2.10 (serveur DNS : $DNS)" "fr: the server"
assert_in "$tmp/out" "DNS inverse : mail.shop.example.net ; confirmé dans le sens direct ; nomme l'expéditeur ; correspond au nom HELO mail.shop.example.net" \
	"fr: reverse DNS"
assert_in "$tmp/out" "SPF shop.example.net : pass, décidé par mx" "fr: SPF"
assert_in "$tmp/out" "DMARC shop.example.net : p=quarantine (enregistrement de _dmarc.shop.example.net)" "fr: DMARC"
assert_in "$tmp/out" "liste de blocage bl.example.org : LISTÉE (127.0.0.2 : listée)" "fr: blocklist"
# In German.
posture --lang de --domain shop.example.net --dnsbl bl.example.org --helo mail.shop.example.net 192.0.2.10
assert_status 0 "de: every check made"
assert_in "$tmp/out" "IP 192.0.2.10 (DNS-Server: $DNS)" "de: the server"
assert_in "$tmp/out" "Reverse-DNS: mail.shop.example.net; per Forward-Lookup bestätigt; benennt den Absender; stimmt mit dem HELO-Namen mail.shop.example.net überein" \
	"de: reverse DNS"
assert_in "$tmp/out" "SPF shop.example.net: pass, entschieden durch mx" "de: SPF"
assert_in "$tmp/out" "DMARC shop.example.net: p=quarantine (Eintrag unter _dmarc.shop.example.net)" "de: DMARC"
assert_in "$tmp/out" "Blockliste bl.example.org: GELISTET (127.0.0.2: gelistet)" "de: blocklist"
posture --lang xx 192.0.2.10
assert_status 64 "--lang xx (no such language): usage"

# A server that does not answer, one that fails: temperror, said so;
# exit 75.
posture --json --timeout 1 --domain slow.example.com --domain x.broken.example \
	--dnsbl slow1.example.com 192.0.2.10
assert_status 75 "time-out and SERVFAIL: some checks not made"
assert_eq "$(jget '.spf[0].result')" temperror "time-out: spf temperror"
assert_in "$tmp/out" "DNS for slow.example.com: no answer in time" "time-out: said so"
assert_eq "$(jget '.spf[1].result')" temperror "SERVFAIL: spf temperror"
assert_in "$tmp/out" "DNS for x.broken.example: the server failed (SERVFAIL)" "SERVFAIL: said so"
assert_eq "$(jget '.dmarc[1].result')" temperror "SERVFAIL: dmarc temperror"
assert_eq "$(jget '.dnsbl[0].result')/$(jget '.dnsbl[0].listed')" temperror/false \
	"time-out: a blocklist not answering is temperror, not a listing"
posture --timeout 1 --domain slow.example.com --dnsbl none 192.0.2.10
assert_status 75 "text: exit 75"
assert_in "$tmp/out" "SPF slow.example.com: temperror" "text: temperror"
assert_in "$tmp/out" "Some checks could not be made" "text: what could not be checked, said"

# A PTR name whose address records never come: the names, and the
# confirmation not made.
posture --json --timeout 1 --dnsbl none 192.0.2.40
assert_status 75 "ptr name not answering: a check not made"
assert_eq "$(jget '.ptr.names | join(",")')/$(jget .ptr.result)" slowhost.example.com/temperror \
	"ptr name not answering: the name, and temperror"
posture --timeout 1 --dnsbl none 192.0.2.40
assert_in "$tmp/out" "reverse DNS: slowhost.example.com; forward confirmation: temperror, could not be checked" \
	"ptr name not answering: said so"

# Six blocklists that never answer, each query 1 s, all within 4 s: they
# are asked together, so each ends on its own time-out, none on the
# deadline (one after the other, the fifth would pass it).
posture --json --timeout 1 --deadline 4 --dnsbl slow1.example.com --dnsbl slow2.example.com \
	--dnsbl slow3.example.com --dnsbl slow4.example.com --dnsbl slow5.example.com \
	--dnsbl slow6.example.com 192.0.2.10
assert_eq "$(jget '[.dnsbl[].problem | select(test("no answer in time"))] | length')" 6 \
	"parallel: six blocklists, each on its own time-out"

# A deadline shorter than the time-outs: what it cut says so.
posture --json --timeout 2 --deadline 1 --domain slow.example.com --dnsbl none 192.0.2.10
assert_status 75 "deadline: some checks not made"
assert_eq "$(jget .deadline_reached)" true "deadline: reached"
assert_in "$tmp/out" "DNS for slow.example.com: not answered before the deadline" "deadline: said so"

# Nothing but the given server is asked: every address fpkit connects
# or sends to, traced by strace, is the test server's.
if command -v strace >/dev/null 2>&1 &&
	strace -f -o /dev/null true >/dev/null 2>&1; then
	set +e
	# LeakSanitizer cannot run under ptrace: off for this run.
	ASAN_OPTIONS=detect_leaks=0:exitcode=99:log_path=$tmp/strace-asan \
		strace -f -e trace=connect,sendto,sendmsg,sendmmsg -o "$tmp/trace" "$FPKIT_BIN" posture \
		--dns-server "$DNS" --domain shop.example.net 192.0.2.10 >/dev/null 2>&1
	set -e
	port=${DNS#127.0.0.1:}
	grep -o 'sin6\{0,1\}_port=htons([0-9]*), [a-z0-9_]*=inet[_a-z]*([^)]*)' "$tmp/trace" | sort -u >"$tmp/peers"
	assert_eq "$(cat "$tmp/peers")" "sin_port=htons($port), sin_addr=inet_addr(\"127.0.0.1\")" \
		"only the --dns-server is asked (strace)"
else
	skip "no strace, or it cannot trace here: the addresses asked are not traced"
fi

# Bad usage.
posture 192.0.2.999
assert_status 64 "bad IP: usage"
assert_in "$tmp/err" "'192.0.2.999' is not an IP address" "bad IP: said so"
posture --domain 'bad domain' 192.0.2.10
assert_status 64 "bad domain: usage"
run posture --dns-server 192.0.2.1:99999 192.0.2.10
assert_status 64 "bad --dns-server: usage"
assert_in "$tmp/err" "give an IP address, IP:PORT or [IPv6]:PORT" "bad --dns-server: what to give"
posture --timeout 0 192.0.2.10
assert_status 64 "bad --timeout: usage"
posture --dnsbl none --dnsbl bl.example.org 192.0.2.10
assert_status 64 "--dnsbl none with a zone: usage"
posture
assert_status 64 "no IP: usage"

finish
