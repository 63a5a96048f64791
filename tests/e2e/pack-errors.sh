#!/bin/sh
# pack's failures leave nothing under the final name and no temporary
# file; stores with odd files are reported, not fatal; an output folder
# others can write gets a warning.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

mkdir "$tmp/o"
run pack --spam-ip-json "$FIXTURES/broken/json/spamip-bad-state/spam-ip.json" -o "$tmp/o/b.tar.gz"
assert_status 65 "bad JSON"
no_leftovers "$tmp/o" "bad JSON: nothing written"

pack_demo -o "$tmp/o/b.tar.gz" --mail "$tmp/absent"
assert_status 66 "a missing store"
no_leftovers "$tmp/o" "missing store: nothing written"

# An output folder that cannot take the file (root, whom a mode does not
# stop, runs this as nobody).
mkdir "$tmp/ro"
chmod 555 "$tmp/ro"
if [ -z "$UNPRIV_MISSING" ]; then
	run_unpriv pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
		-o "$tmp/ro/b.tar.gz"
	assert_status 73 "a read-only output folder"
	assert_in "$tmp/err" "fpkit: cannot create a file in '$tmp/ro': Permission denied" \
		"read-only folder: the folder and the reason"
	no_leftovers "$tmp/ro" "read-only folder: nothing written"
else
	skip "a read-only output folder: $UNPRIV_MISSING"
fi

# A store with a symlink loop, a dangling link and a FIFO (never opened,
# it would block): links inside a store are never followed, each is
# reported, and so is the FIFO; the message beside them is still found.
S="$tmp/store"
mkdir -p "$S/sub"
cp "$DEMO_MAIL/new/1795180981.M731554P4268.mx1.shop.example.com,S=2771,W=2840" "$S/sub/order.eml"
ln -s .. "$S/sub/loop"
ln -s "$tmp/nowhere" "$S/dangling.eml"
mkfifo "$S/fifo.eml"
pack_demo --mail "$S" -o "$tmp/o/s.tar.gz" --json
assert_status 0 "a store with a loop, a dangling link and a FIFO"
assert_in "$tmp/err" "skipped '$S/sub/loop': a symbolic link (links inside a store are not followed" \
	"the loop is reported as a link not followed"
assert_in "$tmp/err" "skipped '$S/dangling.eml': a symbolic link" "the dangling link is reported"
assert_in "$tmp/err" "skipped '$S/fifo.eml': not a regular file" "the FIFO is reported"
assert_eq "$(jq '[.samples[] | select(.source | endswith("sub/order.eml"))] | length' "$tmp/out")" 1 \
	"the message beside them is found"

# The --mail path itself may be a link (the admin's own path), to a
# folder or to a single file; but not a link another user owns: a user
# who turns their Maildir into a link to someone else's mail must not
# have it packed by root.
ORDER_ID=order-10482.1795180980.7d1e@shop.example.com
ln -s "$S" "$tmp/store-link"
ln -s "$S/sub/order.eml" "$tmp/file-link"
run find --msgid "$ORDER_ID" "$tmp/store-link"
assert_status 0 "a --mail link of fpkit's own user to a folder is followed"
run find --msgid "$ORDER_ID" "$tmp/file-link"
assert_status 0 "a --mail link of fpkit's own user to a file is followed"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	ln -s "$S" "$tmp/foreign-link"
	chown -h nobody "$tmp/foreign-link"
	run find --msgid "$ORDER_ID" "$tmp/foreign-link"
	assert_status 1 "a --mail link that another user owns is not followed"
	assert_in "$tmp/err" "skipped mail store '$tmp/foreign-link': '$tmp/foreign-link' is a symbolic link that user $(id -u nobody) owns" \
		"the link and its owner are named"
	mkdir "$tmp/home-u"
	ln -s "$S" "$tmp/home-u/Maildir"
	chown -h nobody "$tmp/home-u/Maildir"
	run find --msgid "$ORDER_ID" "$tmp/home-u/Maildir/sub"
	assert_status 1 "nor a path through such a link"
	assert_in "$tmp/err" "'$tmp/home-u/Maildir' is a symbolic link that user" "the link in the path is named"
	pack_demo --mail "$tmp/foreign-link" --mail "$DEMO_MAIL" -o "$tmp/o/fl.tar.gz"
	assert_status 0 "pack: the other stores are still searched"
	# A hard link, in a folder another user owns, to a file that user
	# does not own (what fs.protected_hardlinks=0 would let them make):
	# left out, never packed.
	mkdir -p "$tmp/hl/cur" "$tmp/hl/new"
	{ printf 'Message-ID: <%s>\nSECRET-HARDLINK\n\n' "$ORDER_ID"; } >"$tmp/hl-secret"
	chmod 600 "$tmp/hl-secret"
	ln "$tmp/hl-secret" "$tmp/hl/cur/h:2,S"
	chown -R nobody "$tmp/hl/cur"
	chown root "$tmp/hl/cur/h:2,S"
	pack_demo --mail "$tmp/hl" -o "$tmp/o/hl.tar.gz" --json
	assert_status 0 "pack: a foreign hard link in a store"
	assert_in "$tmp/err" "is a hard link to a file that user 0 owns, not its folder's owner" \
		"the hard link is left out, said so"
	assert_eq "$(jq --arg d "$tmp/hl/" '[.samples[] | select(.source | startswith($d))] | length' "$tmp/out")" 0 \
		"nothing of it is packed"
	mkdir "$tmp/hlx"
	tar -xzf "$tmp/o/hl.tar.gz" -C "$tmp/hlx"
	assert_false "the secret is not in the bundle" grep -rq SECRET-HARDLINK "$tmp/hlx"
	# The same file linked in a folder of its own owner is a copy of its
	# own mail: packed.
	chown nobody "$tmp/hl/cur/h:2,S"
	pack_demo --mail "$tmp/hl" -o "$tmp/o/hl2.tar.gz" --json
	assert_eq "$(jq --arg d "$tmp/hl/" '[.samples[] | select(.source | startswith($d))] | length' "$tmp/out")" 1 \
		"a hard link its folder's owner owns is packed"
else
	printf '# skipped: the links owned by another user need root (chown -h)\n'
fi

# A header block that never ends is searched up to its limit, not fatal.
{
	printf 'From: a@example.com\nMessage-ID: <order-10482.1795180980.7d1e@shop.example.com>\n'
	i=0
	while [ $i -lt 40000 ]; do printf 'X-Filler-%d: %s\n' $i 0123456789012345678901234567890123456789; i=$((i + 1)); done
} >"$S/longheader.eml"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$S/longheader.eml" -o "$tmp/o/h.tar.gz" --json
assert_status 0 "a header block over the limit"
assert_in "$tmp/err" "header block larger than" "the cut header is reported"
assert_eq "$(jq '.samples | length' "$tmp/out")" 1 "an id at the start of a huge header is still found"

# A file that starts with an mbox "From " line is an mbox (of one message
# here): the sample is the message without that line.
{ printf 'From sender@example.com Fri Nov 20 13:23:00 2026\n'; cat "$S/sub/order.eml"; } >"$S/withfrom.eml"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$S/withfrom.eml" -o "$tmp/o/f.tar.gz" --json
assert_status 0 "a message with a leading From_ line"
assert_eq "$(jq -r '.samples | map(.format) | join(" ")' "$tmp/out")" mbox "it is found, as an mbox message"
mkdir "$tmp/fx"
tar -xzf "$tmp/o/f.tar.gz" -C "$tmp/fx"
assert_true "the sample is the message without its From_ line" \
	cmp -s "$S/sub/order.eml" "$tmp"/fx/*/samples/01-*.eml

# 100 samples or more: numbers are widened so that byte order is numeric
# (101 messages sent just before the block, each its own target: each
# archived through the blocked IP).
mkdir "$tmp/many"
i=0
while [ $i -lt 101 ]; do
	printf 'Received: from mx1.shop.example.com ([203.0.113.7]) by mx1.shop.example.com with LMTP; Fri, 20 Nov 2026 14:00:00 +0100\nFrom: a@example.com\nDate: Fri, 20 Nov 2026 13:%02d:%02d +0000\nMessage-ID: <copy-%d@example.com>\n\ncopy %d\n' \
		$((i / 60)) $((i % 60)) $i $i >"$tmp/many/m$i.eml"
	i=$((i + 1))
done
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$tmp/many" --before-block 101 -o "$tmp/o/many.tar.gz" --json
assert_status 0 "pack with 101 samples"
assert_eq "$(jq -r '.samples[0].file, .samples[100].file' "$tmp/out" | sed 's/-.*//' | tr '\n' ' ')" \
	"samples/001 samples/101 " \
	"three-digit sample numbers"

# Copies of one message past FPKIT_LIMIT_SAMPLES_PER_TARGET (20): the
# first 20 in the finder's order are packed, the rest counted.
mkdir "$tmp/copies"
i=0
while [ $i -lt 21 ]; do
	printf 'From: a@example.com\nMessage-ID: <order-10482.1795180980.7d1e@shop.example.com>\n\ncopy %d\n' $i \
		>"$tmp/copies/m$(printf %02d $i).eml"
	i=$((i + 1))
done
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$tmp/copies" -o "$tmp/o/copies.tar.gz" --json
assert_status 0 "21 copies of one target"
assert_eq "$(jq '.samples | length' "$tmp/out")" 20 "20 copies are packed"
assert_in "$tmp/err" "left out 1 more copy of messages found more than 20 times" "the 21st is counted"
assert_eq "$(jq -r '.samples[19].source' "$tmp/out" | sed 's|.*/||')" m19.eml \
	"the ones kept are the first in the finder's order"
rm "$tmp/copies/m20.eml"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$tmp/copies" -o "$tmp/o/copies20.tar.gz" --json
assert_eq "$(jq '.samples | length' "$tmp/out")" 20 "20 copies: all packed"
assert_not_in "$tmp/err" "left out" "20 copies: no warning"
tar -tzf "$tmp/o/many.tar.gz" | grep '/samples/.' >"$tmp/order"
assert_true "archive order is numeric order" sh -c "sort -t/ -k3 -n '$tmp/order' | cmp -s - '$tmp/order'"

# An output folder others than root and this user can write: the bundle
# is written, with a warning (they could replace it before it is sent).
WARN="fpkit: warning: the bundle goes into folder"
mkdir "$tmp/shared"
chmod 0777 "$tmp/shared"
pack_demo --no-dkim -o "$tmp/shared"
assert_status 0 "-o a folder of mode 0777: written"
assert_in "$tmp/err" "$WARN '$tmp/shared', which can be written by its group and others (mode 0777): other users could replace or add files there" \
	"-o a folder of mode 0777: a warning"
pack_demo --no-dkim -o "$tmp/shared/named.tar.gz"
assert_in "$tmp/err" "$WARN '$tmp/shared', which can be written by its group and others (mode 0777)" \
	"-o a file in a folder of mode 0777: a warning about its folder"
chmod 0755 "$tmp/shared"
pack_demo --no-dkim -o "$tmp/shared/other.tar.gz"
assert_status 0 "-o a folder of mode 0755: written"
assert_not_in "$tmp/err" "$WARN" "-o a folder of mode 0755: no warning"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -m 700 "$tmp/nobody"
	chown nobody "$tmp/nobody"
	pack_demo --no-dkim -o "$tmp/nobody"
	assert_status 0 "-o a folder of another user: written"
	assert_in "$tmp/err" "$WARN '$tmp/nobody', which belongs to user 'nobody' (uid $(id -u nobody)), who is neither root nor you" \
		"-o a folder of another user: a warning"
else
	printf '# not root, or no user nobody: an output folder of another user is not tested\n'
fi

finish
