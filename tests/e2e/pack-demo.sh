#!/bin/sh
# The demo case end to end: the bundle's layout and content, byte-for-
# byte determinism, mode 0600, atomic no-clobber writes, -o, and verify.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

mkdir "$tmp/a" "$tmp/b"
cd "$tmp/a"; umask 000; pack_demo; umask 022; cd "$tmp"
assert_status 0 "pack on the demo case"
assert_true "the bundle has its default name" test -f "$tmp/a/$DEMO_BUNDLE"
assert_in "$tmp/out" "Subject: False positive: anti-spam block of 203.0.113.7" "the ticket is printed"
assert_in "$tmp/err" "wrote '$DEMO_BUNDLE'" "the bundle's path is printed"
assert_in "$tmp/err" "not found: <20261120132821.7A3D5C0B40@web1.shop.example.com>" "the missing id is named"
assert_eq "$(stat -c %a "$tmp/a/$DEMO_BUNDLE")" 600 "mode 0600 under umask 000"

# A second run, a second later and elsewhere: the same bytes.
sleep 1
cd "$tmp/b"; pack_demo; cd "$tmp"
assert_status 0 "second pack"
assert_true "two runs give byte-identical tarballs" cmp -s "$tmp/a/$DEMO_BUNDLE" "$tmp/b/$DEMO_BUNDLE"

# The layout of DESIGN.md, and nothing else.
top=${DEMO_BUNDLE%.tar.gz}
tar -tzf "$tmp/a/$DEMO_BUNDLE" >"$tmp/list"
cat >"$tmp/want" <<LIST
$top/
$top/REPORT.html
$top/SHA256SUMS
$top/TICKET.txt
$top/api/
$top/api/spam-ip.json
$top/api/stats.json
$top/checks/
$top/checks/01-nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com.txt
$top/checks/02-order-10482.1795180980.7d1e@shop.example.com.txt
$top/report.arf
$top/samples/
$top/samples/01-nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com.eml
$top/samples/02-order-10482.1795180980.7d1e@shop.example.com.eml
$top/summary.json
LIST
assert_true "entries in sorted order, as designed" cmp -s "$tmp/list" "$tmp/want"
tar -tvzf "$tmp/a/$DEMO_BUNDLE" >"$tmp/listv"
assert_false "no entry owned by anyone but 0/0" grep -vq ' 0/0 ' "$tmp/listv"
assert_eq "$(awk '{print $4" "$5}' "$tmp/listv" | sort -u)" "2026-11-20 13:32" "every mtime is the block time"
assert_eq "$(od -An -j4 -N4 -tx1 "$tmp/a/$DEMO_BUNDLE" | tr -d ' ')" 00000000 "gzip header without a time"

# Inside: sha256sum -c, the samples byte for byte, the API JSON as given.
mkdir "$tmp/x"
tar -xzf "$tmp/a/$DEMO_BUNDLE" -C "$tmp/x"
assert_true "sha256sum -c SHA256SUMS passes" sh -c "cd '$tmp/x/$top' && sha256sum --quiet -c SHA256SUMS"
assert_true "api/spam-ip.json as given" cmp -s "$DEMO_SPAMIP" "$tmp/x/$top/api/spam-ip.json"
assert_true "api/stats.json as given" cmp -s "$DEMO_STATS" "$tmp/x/$top/api/stats.json"
assert_true "sample 01 byte for byte" cmp -s \
	"$DEMO_MAIL/cur/1795180628.M98811P4242.mx1.shop.example.com,S=2908,W=2980:2,S" \
	"$tmp/x/$top/samples/01-nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com.eml"
assert_true "sample 02 byte for byte" cmp -s \
	"$DEMO_MAIL/new/1795180981.M731554P4268.mx1.shop.example.com,S=2771,W=2840" \
	"$tmp/x/$top/samples/02-order-10482.1795180980.7d1e@shop.example.com.eml"
assert_true "TICKET.txt is what was printed" cmp -s "$tmp/out" "$tmp/x/$top/TICKET.txt"

# summary.json: the fields the issue names.
S="$tmp/x/$top/summary.json"
assert_eq "$(jq -r .ip "$S")" 203.0.113.7 "summary: ip"
assert_eq "$(jq -r .block "$S")" null "summary: block (not given)"
assert_eq "$(jq -r .state "$S")" blockedForSpam "summary: state"
assert_eq "$(jq -r .blocked_at "$S")" 2026-11-20T13:32:07Z "summary: blocked_at in UTC"
assert_eq "$(jq -r .block_seconds "$S")" 3600 "summary: block_seconds"
assert_eq "$(jq -r '.targets | length' "$S")" 3 "summary: three targets"
assert_eq "$(jq -r '.targets[1] | [.message_id, .destination_ip, .spamscore, .date] | join(" ")' "$S")" \
	"order-10482.1795180980.7d1e@shop.example.com 198.51.100.87 417 2026-11-20T13:23:00Z" \
	"summary: a target's fields"
assert_eq "$(jq -r '.samples[0] | [.message_id, .file, (.sha256 | length), .format] | join(" ")' "$S")" \
	"nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com samples/01-nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com.eml 64 maildir" \
	"summary: a sample's fields"
assert_in "$S" "\"source\": \"$DEMO_MAIL/cur/" "summary: a sample's source"
assert_eq "$(jq -r '.missing | join(" ")' "$S")" "20261120132821.7A3D5C0B40@web1.shop.example.com" \
	"summary: the id in tmp/ is missing"
# (tmp/ holds it in a Maildir file, an .eml and an mbox, which fpkit
# reads anywhere else, the first by its content.)
run find --msgid 20261120132821.7A3D5C0B40@web1.shop.example.com "$DEMO_MAIL/tmp"
assert_eq "$(cut -f 2 "$tmp/out" | sed 's|.*/||' | sort | tr '\n' ' ')" \
	"1795181302.M884120P4311.mx1.shop.example.com delivering.eml spool " \
	"control: the id is in tmp/'s three files, read when tmp/ is given as a folder"
assert_true "summary: fpkit_version" sh -c "jq -e '.fpkit_version | test(\"^[0-9]+[.]\")' '$S' >/dev/null"

# The ticket shows every part.
T="$tmp/x/$top/TICKET.txt"
assert_in "$T" "  Blocked at:      2026-11-20 13:32:07 UTC" "ticket: block time in UTC"
assert_in "$T" "  Block time:      1 hour" "ticket: block length"
assert_said "$T" "State: still blocked; it can be unblocked from 2026-11-20 14:32:07 UTC" "ticket: state, and when it can be unblocked"
assert_in "$T" "Destination IP:  198.51.100.142" "ticket: destination IP"
assert_in "$T" "Spam score:      371" "ticket: score"
assert_in "$T" "Detected at:     2026-11-20 13:28:21 UTC" "ticket: the time of the detection"
assert_in "$T" "Original:        not found in the mail stores we searched" "ticket: a missing message"
assert_said "$T" "in the mail store we searched." "ticket: where fpkit looked, counted"
assert_not_in "$T" "$DEMO_MAIL" "ticket: no local path"
assert_in "$T" "stopped sending e-mail from 203.0.113.7" "ticket: the checklist"
assert_in "$T" "cleared it of unwanted messages" "ticket: queue checked and cleared"
assert_in "$T" "read our mail logs for the Message-IDs" "ticket: logs read"

# The per-sample findings.
C="$tmp/x/$top/checks/02-order-10482.1795180980.7d1e@shop.example.com.txt"
assert_in "$C" "Subject:     Your Lumen Atelier order #10482" "checks: the subject, decoded"
assert_in "$C" "(2026-11-20T13:23:00Z)" "checks: the Date header in UTC"

# verify agrees, then catches one changed byte.
run verify "$tmp/a/$DEMO_BUNDLE"
assert_status 0 "verify on a fresh bundle"
assert_in "$tmp/out" "OK, 10 files match SHA256SUMS" "verify counts the files"
s01="$tmp/x/$top/samples/01-nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com.eml"
printf 'X' | dd of="$s01" bs=1 seek=100 conv=notrunc 2>/dev/null
(cd "$tmp/x" && tar -czf "$tmp/tampered.tar.gz" "$top")
run verify "$tmp/tampered.tar.gz"
assert_status 65 "verify after one byte changed"
assert_in "$tmp/err" "samples/01-nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com.eml: SHA-256 does not match" \
	"verify names the changed file"

# No clobbering: an existing bundle is left alone unless --force.
cp "$tmp/a/$DEMO_BUNDLE" "$tmp/orig"
printf 'precious' >"$tmp/a/$DEMO_BUNDLE"
cd "$tmp/a"; pack_demo; cd "$tmp"
assert_status 73 "an existing bundle is not replaced"
assert_in "$tmp/err" "already exists" "the refusal says why"
assert_eq "$(cat "$tmp/a/$DEMO_BUNDLE")" precious "the existing file is untouched"
assert_eq "$(ls -A "$tmp/a" | wc -l)" 1 "no temporary file left behind"
cd "$tmp/a"; pack_demo --force; cd "$tmp"
assert_status 0 "--force replaces it"
assert_true "with the same bytes as before" cmp -s "$tmp/orig" "$tmp/a/$DEMO_BUNDLE"

# -o: an existing folder takes the default name, anything else is the name.
mkdir "$tmp/dir"
pack_demo -o "$tmp/dir"
assert_status 0 "-o FOLDER"
assert_true "-o FOLDER: default name inside" test -f "$tmp/dir/$DEMO_BUNDLE"
pack_demo -o "$tmp/dir/custom.tgz"
assert_status 0 "-o FILE"
assert_true "-o FILE: that name" test -f "$tmp/dir/custom.tgz"
assert_in "$tmp/out" "custom.tgz" "-o FILE: the ticket names the bundle as written"

# SOURCE_DATE_EPOCH sets every mtime.
SOURCE_DATE_EPOCH=86400 pack_demo -o "$tmp/dir/sde.tar.gz"
assert_status 0 "pack with SOURCE_DATE_EPOCH"
assert_eq "$(tar -tvzf "$tmp/dir/sde.tar.gz" | awk '{print $4}' | sort -u)" 1970-01-02 \
	"SOURCE_DATE_EPOCH is every entry's mtime"

# No --mail: every target missing, still a complete bundle.
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" -o "$tmp/nomail.tar.gz"
assert_status 0 "pack without --mail"
assert_in "$tmp/err" "no --mail given" "pack without --mail warns"
run verify "$tmp/nomail.tar.gz"
assert_status 0 "the bundle without samples verifies"

# Only the stats: the block time comes from their timestamp.
run pack --ip 203.0.113.7 --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" -o "$tmp/statsonly.tar.gz" --json
assert_status 0 "pack with the stats alone"
assert_eq "$(jq -r '[.blocked_at, .state, .block_seconds] | map(tostring) | join(" ")' "$tmp/out")" \
	"2026-11-20T13:32:07Z null null" "block time from the stats timestamp"

# With a block given, it is recorded.
pack_demo --block 203.0.113.0/28 -o "$tmp/withblock.tar.gz" --json
assert_status 0 "pack with --block"
assert_eq "$(jq -r .block "$tmp/out")" 203.0.113.0/28 "summary: block as given"

finish
