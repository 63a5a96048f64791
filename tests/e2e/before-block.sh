#!/bin/sh
# pack --before-block N: with no Message-ID to go by, the N messages
# dated just before the block, newest first, from every store.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

MB="$FIXTURES/mbox"
SPAMIP="$MB/api/spam-ip.json"	# blocked 2026-11-20T13:35:00Z

run pack --spam-ip-json "$SPAMIP" --mail "$MB/sent.mbox" --mail "$DEMO_MAIL" \
	--before-block 3 -o "$tmp/b.tar.gz" --json
assert_status 0 "pack --before-block 3"
assert_eq "$(jq -r '.samples[] | [.date, .selected_by, .format] | join(" ")' "$tmp/out" | tr '\n' '|')" \
	"2026-11-20T13:31:02Z before-block mbox|2026-11-20T13:30:12Z before-block maildir|2026-11-20T13:23:00Z before-block maildir|" \
	"the three newest messages before the block, newest first, across stores"
assert_eq "$(jq -r '.samples[0].message_id' "$tmp/out")" mbox.last.1795181462@shop.example.com \
	"each is named by its own Message-ID"
assert_eq "$(jq -r '.missing | length' "$tmp/out")" 0 "nothing is missing"
run verify "$tmp/b.tar.gz"
assert_status 0 "the bundle verifies"
tar -xzf "$tmp/b.tar.gz" -O --wildcards '*/TICKET.txt' >"$tmp/ticket"
assert_in "$tmp/ticket" "The 3 messages sent just before the block are attached too:" "the ticket says so"
assert_said "$tmp/ticket" "(sent 2026-11-20 13:30:12 UTC)" "with their dates"

# Only messages dated before the block: a later one is never taken.
later=$(printf 'From: a@example.com\nDate: Fri, 20 Nov 2026 13:36:00 +0000\nMessage-ID: <later@example.com>\n\nafter\n')
mkdir "$tmp/s"
printf '%s\n' "$later" >"$tmp/s/later.eml"
printf 'From: a@example.com\nMessage-ID: <nodate@example.com>\n\nno date\n' >"$tmp/s/nodate.eml"
printf 'From: a@example.com\nDate: Fri, 20 Nov 2026 13:34:59 +0000\n\nno id, just before\n' >"$tmp/s/noid.eml"
printf 'From: a@example.com\nDate: Fri, 20 Nov 2026 13:35:00 +0000\nMessage-ID: <at@example.com>\n\nat\n' \
	>"$tmp/s/at.eml"
run pack --spam-ip-json "$SPAMIP" --mail "$tmp/s" --mail "$MB/sent.mbox" \
	--before-block 2 -o "$tmp/c.tar.gz" --json
assert_status 0 "pack --before-block over odd messages"
assert_eq "$(jq -r '[.samples[].date] | join(" ")' "$tmp/out")" "2026-11-20T13:34:59Z 2026-11-20T13:31:02Z" \
	"a message after the block, or at its very second, is not taken"
assert_eq "$(jq -r '.samples[0] | [.message_id, .file] | map(tostring) | join(" ")' "$tmp/out")" \
	"null samples/01-no-message-id.eml" "a message without Message-ID gets a plain name"
assert_in "$tmp/err" "1 message without a readable Date" "undated messages are counted"

# With the stats too: a message chosen both ways is one sample.
run pack --spam-ip-json "$SPAMIP" --stats-json "$MB/api/stats.json" --mail "$MB/sent.mbox" \
	--before-block 2 -o "$tmp/d.tar.gz" --json
assert_status 0 "--before-block with targets"
assert_eq "$(jq -r '.samples[] | [.message_id, .selected_by] | join(" ")' "$tmp/out" | tr '\n' '|')" \
	"mbox.first.1795179911@shop.example.com message-id|mbox.target.1795180800@shop.example.com message-id|mbox.last.1795181462@shop.example.com before-block|" \
	"the targets, then the recent messages that are not already samples"

run pack --spam-ip-json "$SPAMIP" --mail "$MB/sent.mbox" --before-block 10000 -o "$tmp/e.tar.gz" --json
assert_status 0 "--before-block 10000, the largest"
assert_eq "$(jq '.samples | length' "$tmp/out")" 4 "--before-block 10000: every message dated before the block"
for bad in 0 -1 x 10001; do
	run pack --spam-ip-json "$SPAMIP" --mail "$MB/sent.mbox" --before-block "$bad" -o "$tmp/e.tar.gz"
	assert_status 64 "--before-block $bad refused"
done

finish
