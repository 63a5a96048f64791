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

# --dkim-min-bits: from 1 to 16384.
for bits in 16384 16385; do
	run check --no-dkim --dkim-min-bits $bits "$MSG"
	if [ $bits -eq 16384 ]; then assert_status 0 "--dkim-min-bits $bits, the largest"
	else assert_status 64 "--dkim-min-bits $bits"; fi
done

# d= must be a domain name: letters, digits and inner hyphens.  A label
# that starts with a hyphen makes the signature invalid, whatever the
# key says; an inner hyphen is fine (the control).
for d in -shop.example.com shop-x.example.com; do
	printf 'sel._domainkey.%s v=DKIM1; k=rsa; p=%s\n' "$d" "$(cat "$tmp/pub")" >>"$tmp/keys"
	"$DKIMSIGN" "$tmp/key.pem" sel "$d" $T0 <"$MSG" >"$tmp/d.eml"
	dkim "$tmp/d.eml"
	case $d in
	-*) assert_eq "$r" "invalid	d= is not a domain name (RFC 6376 3.5)" "d=$d: invalid, not a domain name" ;;
	*) assert_eq "$res" pass "d=$d: an inner hyphen passes" ;;
	esac
done

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

# x= and --dkim-time as large as they go: judged without overflow (the
# sanitizers stop fpkit at a signed overflow).
sign xmax sel key 9223372035059594807
assert_true "x= is INT64_MAX" grep -q 'x=9223372036854775807;' "$tmp/xmax.eml"
dkim "$tmp/xmax.eml"
assert_eq "$r" "pass	signature and body hash verified (2048-bit key)" "x=INT64_MAX: pass"
assert_status 0 "x=INT64_MAX: intact"
sign xover sel key 10000000000000000000
assert_true "x= past INT64_MAX" grep -q 'x=10000000001795181000;' "$tmp/xover.eml"
dkim "$tmp/xover.eml"
assert_eq "$res" pass "x= past INT64_MAX: pass"
dkim "$tmp/sel.eml" --dkim-time 9223372036854775807
assert_eq "$res" pass "--dkim-time INT64_MAX: pass"
assert_status 0 "--dkim-time INT64_MAX: intact"

# A signature from the future of the machine's clock passes as of a
# --dkim-time after it, alone and next to a junk signature with t=0,
# which is no signing time (it used to make libopendkim judge every
# other signature by the clock).
T1=$((T0 + 31536000))
"$DKIMSIGN" "$tmp/key.pem" sel shop.example.com $T1 <"$MSG" >"$tmp/future.eml"
dkim "$tmp/future.eml" --dkim-time $T1
assert_eq "$res" pass "t= a year ahead, --dkim-time then: pass"
sed '/^From:/i\
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.example.com; s=sel; t=0; h=from; bh=AAAA; b=AAAA' \
	"$tmp/future.eml" >"$tmp/future0.eml"
run check --json --dkim-keys "$tmp/keys" --dkim-time $T1 "$tmp/future0.eml"
assert_eq "$(jq -r '[.dkim[] | .result] | join(" ")' "$tmp/out")" "pass invalid" \
	"next to a t=0 signature: still pass, and the t=0 one invalid"
assert_eq "$(jq -r '.dkim[1].reason' "$tmp/out")" \
	"t=0 is no signing time (it is before 2001, and DKIM dates from 2004)" "t=0: why"
assert_status 0 "next to a t=0 signature: intact"

# A 768-bit key: refused (RFC 8301), unless --dkim-min-bits lets it in.
sign small small small
dkim "$tmp/small.eml"
assert_eq "$r" "invalid	key too small: 768 bits, fewer than the 1024 required (RFC 8301: 1024)" \
	"a 768-bit key is refused"
dkim "$tmp/small.eml" --dkim-min-bits 512
assert_eq "$res" pass "... passes with --dkim-min-bits 512"

# More than FPKIT_LIMIT_DKIM_SIGNATURES signatures: the first 32
# verified, the rest reported but never given to libopendkim, which
# verified them all (with DNS, two sockets each: 100,000 took minutes).
# The key lookups made are counted below, under strace.
{
	i=0
	while [ $i -lt 200 ]; do
		echo "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=d$i.example; s=s; h=from; bh=AAAA; b=AAAA"
		i=$((i + 1))
	done
	cat "$tmp/sel.eml"
} >"$tmp/many.eml"
set +e
timeout 30 ${FPKIT_VALGRIND:-} "$FPKIT" check --json --dkim-keys "$tmp/keys" --dkim-time $T0 \
	"$tmp/many.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
set -e
assert_status 0 "201 signatures: checked in time"
assert_eq "$(jq -r '[.dkim[] | .reason | sub(" at s._domainkey.*"; "")] | group_by(.) | map("\(length) \(.[0])") | join("; ")' "$tmp/out")" \
	"32 no key record; 169 not verified: more than 32 DKIM-Signature fields, only the first 32 are" \
	"201 signatures: 32 verified, the rest not"
assert_eq "$(jq -r '.dkim[200].result' "$tmp/out")" invalid \
	"the last one, valid but past the 32nd: not verified"

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
# sees queries at all.  Both run without network (unshare -n), so that
# nothing leaves the machine, whatever fpkit does.
if ! command -v strace >/dev/null 2>&1 || ! strace -f -qq -o /dev/null true 2>/dev/null; then
	skip "the no-DNS check: strace is not installed or cannot trace here"
elif ! unshare -n true 2>/dev/null; then
	skip "the no-DNS check: unshare -n (util-linux) is not permitted here"
else
	# LeakSanitizer refuses to run under ptrace.
	ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 unshare -n strace -f -qq -e trace=socket,connect \
		-o "$tmp/trace" "$FPKIT" check "$MSG" >/dev/null 2>&1 || true
	assert_false "DNS mode, unsigned message: no socket opened" grep -q 'AF_INET' "$tmp/trace"
	ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 unshare -n strace -f -qq -e trace=socket,connect \
		-o "$tmp/trace2" "$FPKIT" check --json "$tmp/sel.eml" >"$tmp/out" 2>/dev/null || true
	assert_true "control: DNS mode, signed message, a query is tried" grep -q 'AF_INET' "$tmp/trace2"
	assert_eq "$(jq -r '.dkim[0].result' "$tmp/out")" tempfail "control: offline DNS is a tempfail"
	# 201 signatures: keys are looked up for the first 32 only (the
	# resolver opens two sockets per lookup; it opened 402).
	ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 unshare -n strace -f -qq -e trace=socket \
		-o "$tmp/trace3" "$FPKIT" check --json "$tmp/many.eml" >"$tmp/out" 2>/dev/null || true
	n=$(grep -c 'socket(AF_INET' "$tmp/trace3" || true)
	assert_true "DNS mode, 201 signatures: lookups for 32 at most ($n sockets)" \
		test "$n" -gt 0 -a "$n" -le 64
fi

finish
