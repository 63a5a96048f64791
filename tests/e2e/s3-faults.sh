#!/bin/sh
# fpkit scan --archive s3://... against tests/fake-s3/fake-s3, fpkit's
# own stand-in that checks the signature, the payload's SHA-256 and
# Content-MD5, and keeps Object Lock: two runs in parallel as two hosts,
# with a 503 in the middle of an upload and connections lost after the
# object was written, leave each event exactly once per host (the
# server's log and a listing by curl say so); listings of several pages
# (continuation tokens that need encoding); retention headers sent with
# Content-MD5, and a bucket without Object Lock refused plainly; the
# settings read from ~/.aws/credentials and ~/.aws/config under a
# profile; a session token sent; the secret key never printed; pack -o
# s3://; a page put beside the events; virtual-host style; 'archive ls'
# the same for a folder and a bucket; a bucket in another region said.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/s3-lib.sh"
[ -x "$FAKE_S3" ] || skip_all "no tests/fake-s3/fake-s3 (libmicrohttpd was not found by configure)"
: "${S3PUT:?run the tests through 'make check'}"
. "$E2E/fakeapi.sh"
. "$E2E/archive-lib.sh"
trap 's3_stop; fakeapi_stop >/dev/null 2>&1; rm -rf "$tmp" "$san"' EXIT
FPKIT_RETRY_BASE_MS=10
export FPKIT_RETRY_BASE_MS

# stored KEY-SUBSTRING: how many PUTs of the log stored an object whose
# key holds the substring (answered 200, or cut after the write).
stored() {
	jq -r 'select(.method == "PUT" and (.status == 200 or .fault == "cut")) | .key' \
		"$tmp/fake-s3.log" | grep -c -- "$1" || :
}

# Two hosts at once, with faults (a 503 answer to an upload, a
# connection lost in the middle of one, a connection lost after the
# object was stored), listings of two keys a page.
fakes3_start --max-keys 2 --fault 503:/mx1/:2 --fault cut:/mx1/:3 --fault cut:/mx2/:1 \
	--fault 503:/mx2/:3 --fault drop:/mx1/:4 --fault drop:/mx2/:4
s3_env
U=s3://evidence/fp
"$FPKIT" scan --archive "$U" --mail "$DEMO_MAIL" --no-dkim --rate 100000 --host mx1 \
	>"$tmp/p1.out" 2>"$tmp/p1.err" &
p1=$!
"$FPKIT" scan --archive "$U" --mail "$DEMO_MAIL" --no-dkim --rate 100000 --host mx2 \
	>"$tmp/p2.out" 2>"$tmp/p2.err" &
p2=$!
st1=0
st2=0
wait $p1 || st1=$?
wait $p2 || st2=$?
assert_eq "$st1 $st2" "0 0" "two hosts in parallel, through the faults: both succeed"
assert_eq "$(jq -r 'select(.fault) | .fault' "$tmp/fake-s3.log" | sort | tr '\n' ' ')" \
	"503 503 cut cut drop drop " "the six faults happened"
assert_eq "$(cat "$tmp/p1.out" "$tmp/p2.out" | sort -u | wc -l)" 6 "six bundles reported archived"
for h in mx1 mx2; do
	for ev in "$IP5/20261119T090000Z" "$IP7/20261120T133207Z" "$IP9/20261121T070000Z"; do
		assert_eq "$(stored "events/$ev/$h/")" 1 "$ev by $h: stored exactly once"
	done
done
run archive ls --json "$U"
assert_status 0 "archive ls through three pages"
assert_eq "$(jq -r '.host' "$tmp/out" | sort | uniq -c | awk '{print $1 $2}' | tr '\n' ' ')" \
	"3mx1 3mx2 " "archive ls: each event once per host"
assert_true "the listing followed continuation tokens" \
	grep -q '"continuation-token"' "$tmp/fake-s3.log"
# Each object read back with curl: its bytes are those its metadata
# and the listing say.
jq -r '[.url, .sha256] | join(" ")' "$tmp/out" >"$tmp/urls"
good=0
while read -r url sha; do
	s3_get "${url#s3://}" "$tmp/obj"
	[ "$(sha256sum <"$tmp/obj" | cut -c1-64)" != "$sha" ] || good=$((good + 1))
done <"$tmp/urls"
assert_eq "$good" 6 "every object's bytes have the SHA-256 of its metadata"
assert_eq "$(jq -r 'select(.method == "PUT" and (.key | contains("/events/"))) | ."if-none-match"' "$tmp/fake-s3.log" | sort -u)" \
	"*" "every PUT of an event says If-None-Match: *"
assert_eq "$(jq -r 'select(.method == "PUT" and (.key | endswith("/index.html"))) | ."if-none-match"' "$tmp/fake-s3.log" | sort -u)" \
	"null" "the archive's page (index.html) is put again, replacing the last one"
assert_eq "$(jq -r 'select(.status == 400 or .status == 403) | .key' "$tmp/fake-s3.log" | wc -l)" 0 \
	"no request refused: signatures, payload hashes and Content-MD5 all right"
assert_not_in "$tmp/p1.err" "$S3_SK" "the secret is never printed"
assert_not_in "$tmp/p2.err" "$S3_SK" "the secret is never printed (second host)"
s3_stop

# The stand-in itself refuses what a real store refuses: a wrong
# signature, a payload that is not the one hashed (sent with curl's own
# signer), a Content-MD5 that does not match.
fakes3_start
s3_env
AWS_SECRET_ACCESS_KEY=not-the-secret run archive ls "$U"
assert_status 77 "fake-s3 refuses a wrong signature"
assert_in "$tmp/err" "SignatureDoesNotMatch" "with S3's code"
printf 'payload\n' >"$tmp/payload"
code=$(curl -sS --noproxy '*' --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_AK:$S3_SK" \
	-H "x-amz-content-sha256: $(printf 'other\n' | sha256sum | cut -c1-64)" \
	-T "$tmp/payload" -o "$tmp/body" -w '%{http_code}' "$S3_URL/evidence/x")
assert_eq "$code $(grep -o 'XAmzContentSHA256Mismatch' "$tmp/body")" "400 XAmzContentSHA256Mismatch" \
	"fake-s3 refuses a payload that is not the one hashed"
code=$(curl -sS --noproxy '*' --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_AK:$S3_SK" \
	-H "x-amz-content-sha256: $(sha256sum <"$tmp/payload" | cut -c1-64)" \
	-H 'Content-MD5: AAAAAAAAAAAAAAAAAAAAAA==' \
	-T "$tmp/payload" -o "$tmp/body" -w '%{http_code}' "$S3_URL/evidence/x")
assert_eq "$code $(grep -o 'BadDigest' "$tmp/body")" "400 BadDigest" \
	"fake-s3 refuses a Content-MD5 that does not match"
s3_stop

# Retention: the lock headers, with Content-MD5, on each upload.
fakes3_start
s3_env
archive "$U" --host mx1 --retain 30 --lock-mode compliance --verbose
assert_status 0 "an archive with retention"
assert_in "$tmp/err" "PUT $S3_URL/evidence/fp/events/$IP7/20261120T133207Z/mx1/$B7: 200" \
	"--verbose traces the bucket's requests"
assert_not_in "$tmp/err" "$S3_SK" "and never the secret"
assert_eq "$(jq -r 'select(.method == "PUT" and (.key | contains("/events/"))) | ."x-amz-object-lock-mode"' "$tmp/fake-s3.log" | sort -u)" \
	COMPLIANCE "x-amz-object-lock-mode on each upload of an event (the page is a view, not evidence: not locked)"
until=$(jq -r 'select(.method == "PUT" and (.key | contains("/events/"))) | ."x-amz-object-lock-retain-until-date"' "$tmp/fake-s3.log" | head -1)
assert_true "retain-until is 30 days from now ($until)" sh -c \
	"echo '$until' | grep -qE '^($(date -u -d '+30 days' +%Y-%m-%d)|$(date -u -d '+31 days' +%Y-%m-%d))T[0-9:]{8}Z$'"
assert_eq "$(jq -r 'select(.method == "PUT") | ."content-md5" // "none"' "$tmp/fake-s3.log" | grep -c none || :)" \
	0 "Content-MD5 with each"
run archive ls --json "$U"
assert_eq "$(jq -r .retention.mode "$tmp/out" | sort -u)" COMPLIANCE "archive ls shows the retention"
s3_stop

# A bucket without Object Lock refuses the headers: said plainly.
fakes3_start --no-lock
s3_env
archive "$U" --host mx1 --retain 30
assert_status 78 "a bucket without Object Lock: EX_CONFIG"
assert_in "$tmp/err" "refused the retention (--retain 30 --lock-mode GOVERNANCE)" "said plainly"
assert_in "$tmp/err" "InvalidRequest: Bucket is missing Object Lock Configuration" \
	"with the server's code and words"
assert_eq "$(stored events/)" 0 "nothing stored"
s3_stop

# fpkit pack -o s3://...: under a prefix, or a key of its own; never
# over an object.
fakes3_start
s3_env
pack_demo --no-dkim -o s3://evidence/manual
assert_status 0 "pack -o s3://BUCKET/PREFIX"
assert_in "$tmp/err" "fpkit: wrote 's3://evidence/manual/$DEMO_BUNDLE'" "the object's URL is said"
s3_get "evidence/manual/$DEMO_BUNDLE" "$tmp/packed.tar.gz"
run verify "$tmp/packed.tar.gz"
assert_status 0 "the object is a bundle that verifies"
pack_demo --no-dkim -o s3://evidence/manual/case-42.tar.gz
assert_status 0 "pack -o s3://BUCKET/KEY.tar.gz"
assert_eq "$(s3_keys evidence manual/ | tr '\n' ' ')" "manual/case-42.tar.gz manual/$DEMO_BUNDLE " \
	"the two keys"
pack_demo --no-dkim -o s3://evidence/manual/case-42.tar.gz
assert_status 73 "the same key again: EX_CANTCREAT"
assert_in "$tmp/err" "already exists: fpkit never replaces an object" "said"
assert_eq "$(jq -r 'select(.method == "PUT" and .status == 200) | .key' "$tmp/fake-s3.log" | wc -l)" 2 \
	"no third object written"
assert_eq "$(ls "${TMPDIR:-/tmp}" | grep -c '^fpkit-pack\.' || :)" 0 "no temporary folder left"
s3_stop

# A page beside the events (what index.html of the archive would be):
# put once, never over an object unless asked to replace it.
fakes3_start
s3_env
printf '<p>one</p>\n' >"$tmp/page1"
printf '<p>two</p>\n' >"$tmp/page2"
assert_eq "$("$S3PUT" "$U" index.html "$tmp/page1")" created "a page put"
assert_eq "$("$S3PUT" "$U" index.html "$tmp/page2")" taken "not over itself"
s3_get evidence/fp/index.html "$tmp/got"
assert_eq "$(cat "$tmp/got")" "<p>one</p>" "the first page stays"
assert_eq "$("$S3PUT" "$U" index.html "$tmp/page2" replace)" created "replaced when asked"
s3_get evidence/fp/index.html "$tmp/got"
assert_eq "$(cat "$tmp/got")" "<p>two</p>" "the new page is there"
assert_eq "$(jq -r 'select(.method == "PUT") | ."if-none-match" // "none"' "$tmp/fake-s3.log" | tr '\n' ' ')" \
	"* none " "If-None-Match: * but on the replacing PUT"
s3_stop

# Virtual-host style: BUCKET.HOST (curl takes names under localhost to
# loopback).
fakes3_start
s3_env
AWS_ENDPOINT_URL=http://localhost:$S3_PORT FPKIT_S3_ADDRESSING=virtual \
	run scan --archive "$U" --mail "$DEMO_MAIL" --no-dkim --rate 100000 --host mx1
assert_status 0 "an archive through virtual-host style URLs"
assert_eq "$(jq -r 'select(.method == "PUT") | "\(.host) \(.bucket)"' "$tmp/fake-s3.log" | sort -u)" \
	"evidence.localhost evidence" "each request to BUCKET.localhost"
assert_eq "$(stored events/)" 3 "three bundles"
AWS_ENDPOINT_URL=http://localhost:$S3_PORT run archive ls "$U"
assert_status 0 "localhost without s3_addressing: path-style"
assert_eq "$(jq -r 'select(.method == "GET") | .host' "$tmp/fake-s3.log" | tail -1)" localhost \
	"the last listing went to localhost itself"
s3_stop

# archive ls: a folder and a bucket of the same events list the same.
fakes3_start --max-keys 1
s3_env
archive "$U" --host mx1
assert_status 0 "a bucket archive"
archive "$tmp/same" --host mx1
assert_status 0 "a folder archive of the same events"
run archive ls --json "$U"
cp "$tmp/out" "$tmp/ls-bucket"
run archive ls --json "$tmp/same"
proj='[.ip, .block, .date, .host, .bundle, .sha256, .missing] | join(" ")'
assert_eq "$(jq -r "$proj" "$tmp/out" | sort)" "$(jq -r "$proj" "$tmp/ls-bucket" | sort)" \
	"archive ls: the same events for a folder and a bucket (a listing of one key a page)"
assert_eq "$(jq -r .ip "$tmp/out" | wc -l)" 3 "three of them"
s3_stop

# A bucket in another region: said, with the region to set.
fakes3_start --bucket-region "$S3_REGION"
s3_env
AWS_REGION=sbg run archive ls "$U"
assert_status 78 "a bucket in another region: EX_CONFIG"
assert_in "$tmp/err" "the bucket is in region '$S3_REGION': set AWS_REGION" "the region to set is said"
s3_stop

# Settings from ~/.aws under a profile, a session token, virtual-host
# style refused by nothing but reached through path style here.
fakes3_start
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ENDPOINT_URL FPKIT_S3_ADDRESSING
mkdir -p "$HOME/.aws"
printf '[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n\n[arch]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = tok-123\n' \
	"$S3_AK" "$S3_SK" >"$HOME/.aws/credentials"
printf '[profile arch]\nregion = %s\nendpoint_url = %s\ns3 =\n    addressing_style = path\n' \
	"$S3_REGION" "$S3_URL" >"$HOME/.aws/config"
AWS_PROFILE=arch run archive ls --json "$U"
assert_status 0 "the profile's keys, region, endpoint and addressing style from ~/.aws"
assert_eq "$(jq -r 'select(.method == "GET") | ."x-amz-security-token"' "$tmp/fake-s3.log" | sort -u)" \
	tok-123 "the session token is sent (and signed: the server took it)"
AWS_REGION=$S3_REGION AWS_ENDPOINT_URL=$S3_URL run archive ls --json "$U"
assert_status 77 "the default profile's wrong keys: EX_NOPERM"
assert_in "$tmp/err" "InvalidAccessKeyId" "the server's code"
assert_not_in "$tmp/err" "$S3_SK" "no secret shown"

# Usage errors, before anything is asked.
run scan --retain 3
assert_status 64 "--retain without --archive"
assert_in "$tmp/err" "--exec-timeout go with --archive DIR" "said so"
run scan --archive "$tmp/folder" --retain 3
assert_status 64 "--retain with a folder"
assert_in "$tmp/err" "it goes with --archive s3://BUCKET/PREFIX" "said so"
run scan --archive "$U" --lock-mode governance
assert_status 64 "--lock-mode without --retain"
run scan --archive "$U" --lock-mode forever --retain 3
assert_status 64 "a --lock-mode that is none"
run scan --archive "$U" --host 'mx1/../x'
assert_status 64 "a --host that is no key part"
run scan --archive "$U" --exec true --exec-timeout 0
assert_status 64 "--exec-timeout 0"
run scan --archive s3://Bad_Bucket/x
assert_status 64 "a bucket name S3 does not allow"
assert_true "no folder made for any of them" test ! -e "$tmp/folder"
finish
