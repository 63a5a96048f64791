#!/bin/sh
# DKIM in fpkit check: the project's own message signed at test time
# (tests/dkimsign, libopendkim) with keys generated here by openssl, its
# key served from a --dkim-keys file; one changed byte in a signed header
# and in the body each caught with the right reason; key records that do
# not exist, fail or are empty; expiry with --dkim-time; small keys; and
# no DNS query for a message without a signature.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

command -v openssl >/dev/null 2>&1 || skip_all "openssl is not installed"
: "${DKIMSIGN:?run the tests through 'make check'}"

MSG="$FIXTURES/check/dkim/plain.eml"
T0=1795181000		# the message's Date, 2026-11-20T13:23:20Z
openssl genrsa -out "$tmp/key.pem" 2048 2>/dev/null
openssl rsa -in "$tmp/key.pem" -pubout -outform DER 2>/dev/null | base64 | tr -d '\n' >"$tmp/pub"
openssl genrsa -out "$tmp/small.pem" 768 2>/dev/null
openssl rsa -in "$tmp/small.pem" -pubout -outform DER 2>/dev/null | base64 | tr -d '\n' >"$tmp/smallpub"
cat >"$tmp/keys" <<KEYS
# the format of Mail::DKIM's t/FAKE_DNS.dat
; comments either way
sel._domainkey.shop.example.com  v=DKIM1; k=rsa; p=$(cat "$tmp/pub")
small._domainkey.shop.example.com  v=DKIM1; k=rsa; p=$(cat "$tmp/smallpub")
gone._domainkey.shop.example.com NXDOMAIN
broken._domainkey.shop.example.com ~~SERVFAIL~~
empty._domainkey.shop.example.com ""
KEYS

# sign NAME SELECTOR KEY [TTL]: the fixture signed, in $tmp/NAME.eml.
sign() {
	"$DKIMSIGN" "$tmp/$3.pem" "$2" shop.example.com $T0 ${4:-} <"$MSG" >"$tmp/$1.eml"
}

# dkim FILE ARGS...: check FILE; $r is "result<TAB>reason" of its first
# signature, $res the result alone.
dkim() {
	f=$1
	shift
	run check --json --dkim-keys "$tmp/keys" --dkim-time $T0 "$@" "$f"
	r=$(jq -r '.dkim[0] | "\(.result)\t\(.reason)"' "$tmp/out")
	res=${r%%	*}
}

sign sel sel key
assert_true "the helper signed the fixture" grep -q '^DKIM-Signature: v=1; a=rsa-sha256' "$tmp/sel.eml"
dkim "$tmp/sel.eml"
assert_eq "$res" pass "a fresh signature passes"
assert_status 0 "a signed, untouched message is intact"
assert_eq "$(jq -c '.dkim[0] | [.domain, .selector, .algorithm]' "$tmp/out")" \
	'["shop.example.com","sel","rsa-sha256"]' "domain, selector, algorithm"
assert_in "$tmp/out" "2048-bit key" "the key size is given"

# One byte in a signed header field (Subject is in h=).
sed 's/^Subject: Your Lumen Atelier order #10490/Subject: Your Lumen Atelier order #10491/' \
	"$tmp/sel.eml" >"$tmp/hdr.eml"
assert_false "the header was changed" cmp -s "$tmp/sel.eml" "$tmp/hdr.eml"
dkim "$tmp/hdr.eml"
assert_eq "$res" fail "a changed Subject fails"
assert_in "$tmp/out" "header signature mismatch" "... as a header change"
assert_not_in "$tmp/out" "body hash mismatch" "... not as a body change"
assert_status 1 "a changed header: not intact"
assert_eq "$(jq -r '[.problems[].id] | join(" ")' "$tmp/out")" dkim-header-changed \
	"the problem: dkim-header-changed"

# One byte in the body.
sed 's/one Ash Grey linen throw/one Ash Grey linen thrw/' "$tmp/sel.eml" >"$tmp/body.eml"
dkim "$tmp/body.eml"
assert_eq "$res" fail "a changed body fails"
assert_in "$tmp/out" "body hash mismatch: the body changed after signing" "... as a body change"
assert_status 1 "a changed body: not intact"
assert_eq "$(jq -r '[.problems[].id] | join(" ")' "$tmp/out")" dkim-body-changed \
	"the problem: dkim-body-changed"

# A field that is not signed may be added freely (a relay's Received).
sed '/^Return-Path:/a\
X-Relay-Note: added after signing' "$tmp/sel.eml" >"$tmp/unsigned-field.eml"
dkim "$tmp/unsigned-field.eml"
assert_eq "$res" pass "an unsigned field changed: still pass"

# CRLF line ends, as the message travelled: the same result.
sed 's/$/\r/' "$tmp/sel.eml" >"$tmp/crlf.eml"
dkim "$tmp/crlf.eml"
assert_eq "$res" pass "the same message in CRLF passes"

# Key records: NXDOMAIN, a DNS error, an empty record.
for sel in gone broken empty; do
	sed "s/s=sel;/s=$sel;/" "$tmp/sel.eml" >"$tmp/$sel.eml"
done
dkim "$tmp/gone.eml"
assert_eq "$r" "invalid	no key record at gone._domainkey.shop.example.com" "NXDOMAIN: invalid, no key"
dkim "$tmp/broken.eml"
assert_eq "$res" tempfail "a DNS error: tempfail"
assert_status 0 "tempfail is not a sign of change"
dkim "$tmp/empty.eml"
assert_eq "$res" invalid "an empty record: invalid"
sed 's/s=sel;/s=unknown;/' "$tmp/sel.eml" >"$tmp/unknown.eml"
dkim "$tmp/unknown.eml"
assert_eq "$res" invalid "a name not in the file does not exist"

# Expiry: x= one day after t=, judged as of --dkim-time.
sign ttl sel key 86400
assert_true "x= was written" grep -q 'x=1795267400' "$tmp/ttl.eml"
dkim "$tmp/ttl.eml"
assert_eq "$res" pass "within x=: pass"
dkim "$tmp/ttl.eml" --dkim-time 1795300000
assert_eq "$r" "invalid	signature expired: x=1795267400 is before the verification time 1795300000" \
	"past x=: expired"
dkim "$tmp/sel.eml" --dkim-time 1795000000
assert_eq "$res" invalid "a time before t=: signed in the future"

# A 768-bit key: refused (RFC 8301), unless --dkim-min-bits lets it in.
sign small small small
dkim "$tmp/small.eml"
assert_eq "$r" "invalid	key too small: 768 bits, fewer than the 1024 required (RFC 8301: 1024)" \
	"a 768-bit key is refused"
dkim "$tmp/small.eml" --dkim-min-bits 512
assert_eq "$res" pass "... passes with --dkim-min-bits 512"

# Two signatures: each reported, in order.
"$DKIMSIGN" "$tmp/small.pem" small shop.example.com $T0 <"$tmp/sel.eml" >"$tmp/two.eml"
run check --json --dkim-keys "$tmp/keys" --dkim-time $T0 "$tmp/two.eml"
assert_eq "$(jq -r '[.dkim[] | .selector + ":" + .result] | join(" ")' "$tmp/out")" \
	"small:invalid sel:pass" "two signatures, in header order"

# The human report.
run check --dkim-keys "$tmp/keys" --dkim-time $T0 "$tmp/body.eml"
assert_in "$tmp/out" "DKIM:            1 signature (keys from --dkim-keys)" "report: the DKIM line"
assert_in "$tmp/out" "  - fail     d=shop.example.com s=sel a=rsa-sha256: body hash mismatch" \
	"report: the signature's line"

# Keys files that cannot be used.
run check --dkim-keys "$tmp/nokeys" "$tmp/sel.eml"
assert_status 66 "a keys file that does not exist"
printf 'lonely.name\n' >"$tmp/badkeys"
run check --dkim-keys "$tmp/badkeys" "$tmp/sel.eml"
assert_status 65 "a keys file line without a record"
assert_in "$tmp/err" "line 1" "the bad line is named"

# No DNS query for a message without DKIM-Signature: the default (DNS)
# mode, under strace.  The signed message is the control that the trace
# sees queries at all; it runs without network (unshare -n), so that
# nothing leaves the machine.
if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then
	# LeakSanitizer refuses to run under ptrace.
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=socket,connect -o "$tmp/trace" \
		"$FPKIT" check "$MSG" >/dev/null 2>&1 || true
	assert_false "DNS mode, unsigned message: no socket opened" grep -q 'AF_INET' "$tmp/trace"
	if unshare -n true 2>/dev/null; then
		ASAN_OPTIONS=detect_leaks=0 unshare -n strace -f -qq -e trace=socket,connect \
			-o "$tmp/trace2" "$FPKIT" check --json "$tmp/sel.eml" >"$tmp/out" 2>/dev/null || true
		assert_true "control: DNS mode, signed message, a query is tried" grep -q 'AF_INET' "$tmp/trace2"
		assert_eq "$(jq -r '.dkim[0].result' "$tmp/out")" tempfail "control: offline DNS is a tempfail"
	else
		echo "# unshare -n not permitted: the control is passed over"
	fi
else
	echo "# strace cannot run here: the no-DNS check is passed over"
fi

finish
