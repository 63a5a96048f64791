#!/bin/sh
# fpkit scan --archive s3://BUCKET/PREFIX against s3rver, a real
# S3-compatible server on loopback that checks the SigV4 signature: each
# event archived once, under its key, with its metadata, read back with
# curl's own signer and hashed; a second run writes nothing; two runs in
# parallel as two hosts leave each event exactly once per host; 'fpkit
# archive ls' gives the same events for a folder and a bucket; no run
# ever prints the secret key.  Skipped when s3rver is not installed
# (.ci/run installs it).
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/s3-lib.sh"
s3rver_installed || skip_all "s3rver is not installed in '$S3RVER_DIR' (.ci/run installs it with npm)"
. "$E2E/fakeapi.sh"
. "$E2E/archive-lib.sh"
trap 's3_stop; fakeapi_stop >/dev/null 2>&1; rm -rf "$tmp" "$san"' EXIT

s3rver_start evidence
s3_env
U=s3://evidence/fp
K=fp/events

# The first run: three events, three objects.
archive "$U" --host mx1
assert_status 0 "first run into the bucket"
assert_eq "$(cat "$tmp/out")" "$U/events/$IP5/20261119T090000Z/mx1/$B5
$U/events/$IP7/20261120T133207Z/mx1/$B7
$U/events/$IP9/20261121T070000Z/mx1/$B9" "each object's URL is printed, in scan order"
assert_in "$tmp/err" "fpkit: archive '$U': 3 events: 3 archived, 0 already there, 0 failed" \
	"the count"
assert_eq "$(s3_keys evidence fp/ | tr '\n' ' ')" \
	"$K/$IP5/20261119T090000Z/mx1/$B5 $K/$IP7/20261120T133207Z/mx1/$B7 $K/$IP9/20261121T070000Z/mx1/$B9 fp/index.html " \
	"the bucket holds the three keys and the archive's page, nothing else"
# The page beside the events links each bundle by its key below the
# prefix, so that the link works from fp/index.html.
s3_get "evidence/fp/index.html" "$tmp/page.html"
for k in "$IP5/20261119T090000Z/mx1/$B5" "$IP7/20261120T133207Z/mx1/$B7" "$IP9/20261121T070000Z/mx1/$B9"; do
	assert_in "$tmp/page.html" "href=\"events/$k\"" "the bucket's page links events/$k"
done
run archive ls --json "$U"
cp "$tmp/out" "$tmp/ls-page"
assert_eq "$(jq -r '.missing' "$tmp/ls-page" | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" "3 1 " \
	"the demo's events: one message not found each"
assert_eq "$(grep -o '<td>[0-9]*</td>' "$tmp/page.html" | sort | uniq -c | awk '{print $1, $2}')" \
	"$(jq -r '.missing' "$tmp/ls-page" | sort | uniq -c | awk '{print $1, "<td>" $2 "</td>"}')" \
	"the page counts each event's messages not found, from the objects' metadata"
# Read back by another client, hashed, and checked as a bundle.
s3_get "evidence/$K/$IP7/20261120T133207Z/mx1/$B7" "$tmp/$B7"
run verify "$tmp/$B7"
assert_status 0 "the object read back with curl is a bundle that verifies"
run archive ls --json "$U"
assert_status 0 "archive ls of the bucket"
cp "$tmp/out" "$tmp/ls-bucket"
assert_eq "$(jq -r 'select(.ip == "'"$IP7"'") | [.ip, .block, .date, .host, .bundle, .state] | join(" ")' "$tmp/ls-bucket")" \
	"$IP7 $BLOCK 2026-11-20T13:32:07Z mx1 $B7 blockedForSpam" "a listed event: its metadata"
assert_eq "$(jq -r 'select(.ip == "'"$IP7"'") | .sha256' "$tmp/ls-bucket")" \
	"$(sha256sum <"$tmp/$B7" | cut -c1-64)" "x-amz-meta-sha256 is the SHA-256 of the bytes read back"
assert_eq "$(jq -r 'select(.ip == "'"$IP7"'") | .size' "$tmp/ls-bucket")" \
	"$(stat -c %s "$tmp/$B7")" "and its size"

# A second run: nothing new.
archive "$U" --host mx1
assert_status 0 "second run"
assert_eq "$(cat "$tmp/out")" "" "nothing written"
assert_eq "$(s3_keys evidence fp/events/ | wc -l)" 3 "still three objects"

# The same events into a folder: archive ls says the same.
archive "$tmp/folder" --host mx1
assert_status 0 "the folder archive"
run archive ls --json "$tmp/folder"
assert_status 0 "archive ls of the folder"
proj='[.ip, .block, .date, .host, .bundle, .sha256, .missing] | join(" ")'
assert_eq "$(jq -r "$proj" "$tmp/out" | sort)" "$(jq -r "$proj" "$tmp/ls-bucket" | sort)" \
	"archive ls: the same events (ip, block, date, host, bundle, sha256, missing) for a folder and a bucket"

# Two hosts at once, in parallel, no lock: each event once per host.
P=s3://evidence/par
"$FPKIT" scan --archive "$P" --mail "$DEMO_MAIL" --no-dkim --rate 100000 --host mx1 \
	>"$tmp/p1.out" 2>"$tmp/p1.err" &
p1=$!
"$FPKIT" scan --archive "$P" --mail "$DEMO_MAIL" --no-dkim --rate 100000 --host mx2 \
	>"$tmp/p2.out" 2>"$tmp/p2.err" &
p2=$!
st1=0
st2=0
wait $p1 || st1=$?
wait $p2 || st2=$?
assert_eq "$st1 $st2" "0 0" "both parallel runs succeed"
assert_eq "$(cat "$tmp/p1.out" "$tmp/p2.out" | wc -l)" 6 "each wrote its three"
s3_keys evidence par/events/ >"$tmp/par-keys"
assert_eq "$(wc -l <"$tmp/par-keys")" 6 "two hosts in parallel: six objects"
assert_eq "$(sed 's|^par/events/\([^/]*\)/\([^/]*\)/\([^/]*\)/.*|\1 \2 \3|' "$tmp/par-keys" | sort -u | wc -l)" 6 \
	"each (ip, date, host) once"
run archive ls --json "$P"
assert_eq "$(jq -r .host "$tmp/out" | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" \
	"3 mx1 3 mx2 " "archive ls: three events per host"

# Settings: path-style by default here; a missing region says what to do.
( unset AWS_REGION; run scan --archive "$U" --host mx1 --rate 100000
  assert_status 78 "no region: EX_CONFIG"
  assert_in "$tmp/err" "no S3 region" "the message says the region is missing" )
# A wrong secret: refused, and the secret never shown.
AWS_SECRET_ACCESS_KEY=wrong-secret-NEVER-SHOWN run archive ls "$U"
assert_status 77 "a wrong secret: EX_NOPERM"
assert_not_in "$tmp/err" "wrong-secret-NEVER-SHOWN" "the secret is not in the message"
assert_in "$tmp/err" "SignatureDoesNotMatch" "the server's error code is"
# http:// is refused off loopback.
AWS_ENDPOINT_URL=http://s3.gra.io.cloud.ovh.net run archive ls "$U"
assert_status 78 "plain http to a remote endpoint: EX_CONFIG"
finish
