#!/bin/sh
# The block's state and what was found shape what fpkit says: a block
# that is over (unblocked) or being lifted (unblocking) gets a warning and
# a ticket that asks for a review with its dates in full, in English and
# French, never an unblock; a block without any Message-ID says so with a
# --before-block hint; nothing found in the stores is status 1 with no
# bundle, unless --allow-empty; scan's table says when a block can be
# unblocked; scan --archive lists what is missing and exits 1 for an
# event archived with nothing found.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"

sed 's/"blockedForSpam"/"unblocked"/' "$DEMO_SPAMIP" >"$tmp/unblocked.json"
sed 's/"blockedForSpam"/"unblocking"/' "$DEMO_SPAMIP" >"$tmp/unblocking.json"
assert_in "$tmp/unblocked.json" '"unblocked"' "the fixture: state unblocked"

# ticket FILE: the TICKET.txt of bundle FILE.
ticket() {
	tar -xzOf "$1" "${DEMO_BUNDLE%.tar.gz}/TICKET.txt"
}

# Unblocked, in English: the dates of the block in full, no unblock asked.
run pack --spam-ip-json "$tmp/unblocked.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--no-dkim -o "$tmp/un-en.tar.gz"
assert_status 0 "unblocked: packed"
ticket "$tmp/un-en.tar.gz" >"$tmp/un-en.txt"
assert_true "unblocked: the printed ticket is TICKET.txt" cmp -s "$tmp/out" "$tmp/un-en.txt"
assert_said "$tmp/un-en.txt" \
	"State: unblocked; it was blocked from 2026-11-20 13:32:07 UTC to 2026-11-20 14:32:07 UTC" \
	"unblocked (en): blocked from date to date + time"
assert_not_in "$tmp/un-en.txt" "unblocked (" "unblocked (en): the state in words, not the API's"
assert_in "$tmp/un-en.txt" "This block is over." "unblocked (en): the block is over"
assert_not_in "$tmp/un-en.txt" "Please unblock" "unblocked (en): no unblock asked"
assert_not_in "$tmp/un-en.txt" "since" "unblocked (en): no dangling 'since'"
assert_in "$tmp/un-en.txt" "Please tell us whether you agree that this was a false positive" \
	"unblocked (en): a review asked"
assert_in "$tmp/err" "fpkit: warning: 203.0.113.7 is no longer blocked (state 'unblocked'; blocked from 2026-11-20T13:32:07Z to 2026-11-20T14:32:07Z): the ticket asks for a review of a past block, not for an unblock" \
	"unblocked: a warning on stderr"

# Unblocked, in French.
run pack --spam-ip-json "$tmp/unblocked.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--no-dkim --lang fr -o "$tmp/un-fr.tar.gz"
assert_status 0 "unblocked (fr): packed"
ticket "$tmp/un-fr.tar.gz" >"$tmp/un-fr.txt"
assert_said "$tmp/un-fr.txt" \
	"État : débloquée ; elle a été bloquée du 2026-11-20 13:32:07 UTC au 2026-11-20 14:32:07 UTC" \
	"unblocked (fr): bloquée du ... au ..."
assert_not_in "$tmp/un-fr.txt" "unblocked" "unblocked (fr): the state in French"
assert_in "$tmp/un-fr.txt" "Ce blocage est terminé." "unblocked (fr): the block is over"
assert_not_in "$tmp/un-fr.txt" "Merci de débloquer" "unblocked (fr): no unblock asked"
assert_not_in "$tmp/un-fr.txt" "depuis)" "unblocked (fr): no dangling 'depuis'"

# Unblocking, in both languages.
run pack --spam-ip-json "$tmp/unblocking.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--no-dkim -o "$tmp/ung-en.tar.gz"
assert_status 0 "unblocking: packed"
assert_said "$tmp/out" \
	"State: being unblocked; the block time ended at 2026-11-20 14:32:07 UTC" \
	"unblocking (en): the end of the block time"
assert_in "$tmp/out" "This block is being lifted." "unblocking (en): being lifted"
assert_not_in "$tmp/out" "Please unblock" "unblocking (en): no unblock asked"
assert_in "$tmp/err" "fpkit: warning: the block of 203.0.113.7 is being lifted (state 'unblocking'; its time ended at 2026-11-20T14:32:07Z)" \
	"unblocking: a warning on stderr"
run pack --spam-ip-json "$tmp/unblocking.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--no-dkim --lang fr -o "$tmp/ung-fr.tar.gz"
assert_status 0 "unblocking (fr): packed"
assert_said "$tmp/out" \
	"État : déblocage en cours ; la durée du blocage a pris fin le 2026-11-20 14:32:07 UTC" \
	"unblocking (fr): la fin de la durée du blocage"
assert_not_in "$tmp/out" "unblocking" "unblocking (fr): the state in French"
assert_in "$tmp/out" "Ce blocage est en cours de levée." "unblocking (fr): en cours de levée"
assert_not_in "$tmp/out" "Merci de débloquer" "unblocking (fr): no unblock asked"

# Still blocked: the unblock is asked, and no state warning.
pack_demo --no-dkim -o "$tmp/blocked.tar.gz"
assert_status 0 "blocked: packed"
assert_in "$tmp/out" "Please unblock 203.0.113.7 if you agree" "blocked: the unblock asked"
assert_not_in "$tmp/out" "This block is over" "blocked: not over"
assert_not_in "$tmp/err" "no longer blocked" "blocked: no state warning"

# No Message-ID anywhere: said on stderr with the --before-block hint,
# and in the ticket; status 0 (nothing to look for).
run pack --spam-ip-json "$DEMO_SPAMIP" --mail "$DEMO_MAIL" --no-dkim -o "$tmp/noid.tar.gz"
assert_status 0 "no Message-ID: packed"
assert_in "$tmp/err" "fpkit: warning: no Message-ID was given for this block" "no Message-ID: a warning"
assert_in "$tmp/err" "give --before-block N to attach the N messages sent just before the block" \
	"no Message-ID: the --before-block hint"
assert_in "$tmp/out" "The anti-spam system gave no Message-ID for this block." \
	"no Message-ID: the ticket says so"
run pack --spam-ip-json "$DEMO_SPAMIP" --mail "$DEMO_MAIL" --no-dkim --before-block 2 \
	-o "$tmp/noid-bb.tar.gz"
assert_status 0 "no Message-ID, --before-block: packed"
assert_not_in "$tmp/err" "give --before-block" "no hint when --before-block is given"
assert_said "$tmp/out" "the messages sent just before it are attached instead" \
	"no Message-ID, --before-block: the ticket points to them"

# Nothing found: status 1, no bundle, what was read where.
mkdir "$tmp/wrong" "$tmp/o"
cp "$DEMO_SPAMIP" "$tmp/wrong/a.eml"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/wrong" \
	--no-dkim -o "$tmp/o"
assert_status 1 "nothing found: status 1"
no_leftovers "$tmp/o" "nothing found: no bundle written"
assert_in "$tmp/err" "fpkit: nothing found: none of the 3 targets in the 1 message read in:" \
	"nothing found: the count of messages read"
assert_in "$tmp/err" "fpkit:   $tmp/wrong" "nothing found: the store named"
assert_in "$tmp/err" "give --allow-empty" "nothing found: the way out named"
assert_in "$tmp/err" "fpkit: warning: not found: <order-10482.1795180980.7d1e@shop.example.com>" \
	"nothing found: each id not found"
assert_eq "$(wc -c <"$tmp/out")" 0 "nothing found: no ticket printed"

# --before-block that finds nothing is nothing found too.
run pack --spam-ip-json "$DEMO_SPAMIP" --mail "$tmp/wrong" --before-block 3 --no-dkim -o "$tmp/o"
assert_status 1 "--before-block, nothing found: status 1"
assert_in "$tmp/err" "fpkit: nothing found: no message sent before the block in the 1 message read in:" \
	"--before-block, nothing found: said"
no_leftovers "$tmp/o" "--before-block, nothing found: no bundle written"

# --allow-empty writes it anyway, status 0, and says the bundle is empty.
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/wrong" \
	--no-dkim --allow-empty -o "$tmp/o"
assert_status 0 "--allow-empty: status 0"
assert_true "--allow-empty: the bundle is written" test -f "$tmp/o/$DEMO_BUNDLE"
assert_in "$tmp/err" "fpkit: warning: nothing found in the 1 message read: the bundle holds no message (--allow-empty)" \
	"--allow-empty: the empty bundle said"
assert_in "$tmp/err" "0 samples, 3 of 3 targets not found" "--allow-empty: the count line"

# Some found: status 0 as before.
pack_demo --no-dkim -o "$tmp/some.tar.gz"
assert_status 0 "some found: status 0"

# Without --mail nothing is searched: the bundle of the API's data, status 0.
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --no-dkim -o "$tmp/nomail.tar.gz"
assert_status 0 "no --mail: status 0"
assert_in "$tmp/err" "no --mail given" "no --mail: the warning"

finish
