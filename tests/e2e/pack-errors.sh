#!/bin/sh
# pack's failures leave nothing under the final name and no temporary
# file; stores with odd files are reported, not fatal.
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
# it would block): reported or passed over; the message beside them is
# still found.
S="$tmp/store"
mkdir -p "$S/sub"
cp "$DEMO_MAIL/new/1795180981.M731554P4268.mx1.shop.example.com,S=2771,W=2840" "$S/sub/order.eml"
ln -s .. "$S/sub/loop"
ln -s "$tmp/nowhere" "$S/dangling.eml"
mkfifo "$S/fifo.eml"
pack_demo --mail "$S" -o "$tmp/o/s.tar.gz" --json
assert_status 0 "a store with a loop, a dangling link and a FIFO"
assert_in "$tmp/err" "symlink loop" "the loop is reported"
assert_in "$tmp/err" "dangling.eml" "the dangling link is reported"
assert_eq "$(jq '[.samples[] | select(.source | endswith("sub/order.eml"))] | length' "$tmp/out")" 1 \
	"the message beside them is found"

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

# 100 samples or more: numbers are widened so that byte order is numeric.
mkdir "$tmp/many"
i=0
while [ $i -lt 101 ]; do
	printf 'From: a@example.com\nMessage-ID: <order-10482.1795180980.7d1e@shop.example.com>\n\ncopy %d\n' $i \
		>"$tmp/many/m$i.eml"
	i=$((i + 1))
done
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$tmp/many" -o "$tmp/o/many.tar.gz" --json
assert_status 0 "pack with 101 samples"
assert_eq "$(jq -r '.samples[0].file, .samples[100].file' "$tmp/out" | tr '\n' ' ')" \
	"samples/001-order-10482.1795180980.7d1e@shop.example.com.eml samples/101-order-10482.1795180980.7d1e@shop.example.com.eml " \
	"three-digit sample numbers"
tar -tzf "$tmp/o/many.tar.gz" | grep '/samples/.' >"$tmp/order"
assert_true "archive order is numeric order" sh -c "sort -t/ -k3 -n '$tmp/order' | cmp -s - '$tmp/order'"

finish
