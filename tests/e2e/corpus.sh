#!/bin/sh
# Real third-party mail from ../shared/corpus (read in place; only mu's
# small Maildir is copied, to add files to its tmp/).  Skipped, saying
# so, when that folder is absent.
#
# fpkit's matching is checked against an independent reading of the
# same files: a small awk program that unfolds each header block and
# takes the Message-ID field's <...>.  For a sample of ids from each
# Maildir, the number of samples fpkit packs must equal the number of
# files awk finds carrying that id.  --no-dkim: some of these messages
# carry real DKIM signatures, whose keys would be asked from DNS.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

CORPUS=${FPKIT_CORPUS:-$TESTS_DIR/../../shared/corpus}
[ -d "$CORPUS" ] || skip_all "no third-party corpus at $CORPUS (it lives beside the project, in ../shared/corpus)"
CORPUS=$(cd "$CORPUS" && pwd)

# own_ids FILE...: "id<TAB>file" for each file's own Message-ID.
own_ids() {
	for f in "$@"; do
		awk -v file="$f" '
		function flush() {
			if (tolower(name) ~ /^message-id[ \t]*$/ && !done) {
				v = value
				gsub(/\([^()]*\)/, "", v)
				if (match(v, /<[^>]*>/)) v = substr(v, RSTART + 1, RLENGTH - 2)
				gsub(/[ \t]/, "", v)
				at = 0
				for (i = length(v); i > 0; i--) if (substr(v, i, 1) == "@") { at = i; break }
				if (at) v = substr(v, 1, at) tolower(substr(v, at + 1))
				if (v != "") print v "\t" file
				done = 1
			}
			name = ""
		}
		{ sub(/\r$/, "") }
		/^$/ { flush(); exit }
		/^[ \t]/ { value = value $0; next }
		{ flush(); c = index($0, ":"); if (c) { name = substr($0, 1, c - 1); value = substr($0, c + 1) } }
		END { flush() }' "$f"
	done
}

# mkstats IDS_FILE OUT: a stats array whose targets are the ids listed.
mkstats() {
	jq -R -s 'split("\n") | map(select(length > 0)) |
		[{averageSpamscore: null, numberOfSpams: length, timestamp: 1700000000, total: 100,
		  detectedSpams: map({date: 1699999000, destinationIp: "198.51.100.1",
				      messageId: ., spamscore: 300})}]' "$1" >"$2"
}

# cross_check NAME MAILDIR: fpkit vs awk on up to 40 ids of a Maildir.
cross_check() {
	name=$1
	dir=$2
	[ -d "$dir" ] || { skip "$name: not in this corpus ($dir)"; return 0; }
	find "$dir" -type f \( -path '*/cur/*' -o -path '*/new/*' \) ! -name '.*' | sort >"$tmp/files"
	while IFS= read -r f; do own_ids "$f"; done <"$tmp/files" >"$tmp/oracle"
	cut -f 1 "$tmp/oracle" | grep -E '^[A-Za-z0-9._%+=$#!-]+@[A-Za-z0-9._-]+$' | sort -u | head -n 40 >"$tmp/ids"
	n=$(wc -l <"$tmp/ids" | tr -d ' ')
	empty=
	if [ "$n" -eq 0 ]; then
		# placeholder messages: still walked without error; nothing
		# can be found, so the bundle is asked for all the same
		echo nobody@example.invalid >"$tmp/ids"
		empty=--allow-empty
	fi
	mkstats "$tmp/ids" "$tmp/stats.json"
	run pack --no-dkim --ip 192.0.2.1 --stats-json "$tmp/stats.json" --mail "$dir" -o "$tmp/$name.tar.gz" --json $empty
	assert_status 0 "$name: pack over the corpus Maildir"
	bad=0
	while read -r id; do
		want=$(awk -F '\t' -v id="$id" '$1 == id' "$tmp/oracle" | wc -l | tr -d ' ')
		[ "$n" -gt 0 ] || want=0
		got=$(jq --arg id "$id" '[.samples[] | select(.message_id == $id)] | length' "$tmp/out")
		if [ "$got" != "$want" ]; then
			bad=$((bad + 1))
			echo "#   <$id>: fpkit $got, awk $want"
		fi
	done <"$tmp/ids"
	assert_eq "$bad" 0 "$name: fpkit and awk agree on $n ids"
	run verify "$tmp/$name.tar.gz"
	assert_status 0 "$name: the bundle verifies"
}

cross_check notmuch-default "$CORPUS/notmuch/test/corpora/default"
cross_check notmuch-lkml "$CORPUS/notmuch/test/corpora/lkml"
cross_check mu-testdir "$CORPUS/mu/testdata/testdir"
cross_check mu-testdir2 "$CORPUS/mu/testdata/testdir2"
cross_check stalwart-maildir "$CORPUS/stalwart-mail-parser/resources/maildir"

# Duplicate Message-IDs across files: every copy is a sample.
D="$CORPUS/notmuch/test/corpora/duplicate"
if [ -d "$D" ]; then
	set --
	for f in "$D"/*; do set -- "$@" --mail "$f"; done
	own_ids "$D"/* >"$tmp/dup-oracle"
	cut -f 1 "$tmp/dup-oracle" | sort | uniq -d >"$tmp/dup-ids"
	mkstats "$tmp/dup-ids" "$tmp/dup-stats.json"
	run pack --no-dkim --ip 192.0.2.1 --stats-json "$tmp/dup-stats.json" "$@" -o "$tmp/dup.tar.gz" --json
	assert_status 0 "duplicate ids: pack"
	assert_eq "$(jq '.samples | length' "$tmp/out")" \
		"$(awk -F '\t' 'NR == FNR { d[$1] = 1; next } ($1 in d)' "$tmp/dup-ids" "$tmp/dup-oracle" | wc -l | tr -d ' ')" \
		"duplicate ids: one sample per copy"
	assert_true "duplicate ids: several ids shared" test "$(wc -l <"$tmp/dup-ids")" -ge 2
fi

# git's mboxrd sample: after unquoting, each body must be git's expected
# one, less the empty line the mbox writer put after it (git-mailsplit
# keeps it; fpkit leaves it out).  The messages have no Message-ID: a
# copy made here gets one after each "From " line.
G="$CORPUS/git/t/t5100"
if [ -f "$G/sample.mboxrd" ] && [ -f "$G/0001mboxrd" ]; then
	awk '/^From mboxrd / { print; n++; print "Message-ID: <mboxrd-" n "@fpkit.test>"; next } { print }' \
		"$G/sample.mboxrd" >"$tmp/rd.mbox"
	printf 'mboxrd-1@fpkit.test\nmboxrd-2@fpkit.test\n' >"$tmp/rd-ids"
	mkstats "$tmp/rd-ids" "$tmp/rd-stats.json"
	run pack --no-dkim --ip 192.0.2.1 --stats-json "$tmp/rd-stats.json" --mail "$tmp/rd.mbox" -o "$tmp/rd.tar.gz" --json
	assert_status 0 "git sample.mboxrd: pack"
	assert_eq "$(jq -r '[.samples[].mboxrd_unquoted] | map(tostring) | join(" ")' "$tmp/out")" "2 0" \
		"git sample.mboxrd: the quoted lines counted"
	mkdir "$tmp/rd"
	tar -xzf "$tmp/rd.tar.gz" -C "$tmp/rd"
	for n in 1 2; do
		sed '1,/^$/d' "$tmp"/rd/*/samples/0$n-*.eml >"$tmp/rd-body-$n"
		sed '$ { /^$/d; }' "$G/000${n}mboxrd" >"$tmp/rd-want-$n"
		assert_true "git sample.mboxrd: message $n unquoted as git expects (000${n}mboxrd)" \
			cmp -s "$tmp/rd-want-$n" "$tmp/rd-body-$n"
	done
fi

# NUL bytes in an mbox: searched without harm.
if [ -f "$G/nul-plain" ]; then
	run find --msgid nobody@fpkit.test "$G/nul-plain"
	assert_status 1 "git nul-plain: searched, nothing found"
fi

# git's sample.mbox: every id find reports is at the offset it says.
if [ -f "$G/sample.mbox" ]; then
	run find --json --msgid u5tacjjdpxq.fsf@lysator.liu.se \
		--msgid 1226501681-24923-1-git-send-email-bda@mnsspb.ru "$G/sample.mbox"
	assert_status 0 "git sample.mbox: ids found"
	bad=0
	while read -r line; do
		off=$(printf '%s' "$line" | jq .offset)
		len=$(printf '%s' "$line" | jq .length)
		id=$(printf '%s' "$line" | jq -r .message_id)
		dd if="$G/sample.mbox" bs=1 skip="$off" count="$len" 2>/dev/null | sed '/^$/q' |
			grep -qi "^message-id: <$id>" || bad=$((bad + 1))
		[ "$(dd if="$G/sample.mbox" bs=1 skip=$((off - 1)) count=1 2>/dev/null | od -An -c | tr -d ' ')" = '\n' ] ||
			bad=$((bad + 1))
	done <"$tmp/out"
	assert_eq "$bad" 0 "git sample.mbox: offsets start at the message's header"
fi

# mu's tmp/ holds a message that must never be taken (its id is also
# that of a message in new/, which must be).  Its file there has a
# Maildir name, which fpkit reads by its content in any other folder; the
# check runs on a copy whose tmp/ also holds each of its messages as an
# .eml and in an mbox, files fpkit reads anywhere else (the control):
# only the rule that tmp/ is not searched keeps the three out.
T="$CORPUS/mu/testdata/testdir"
if [ -d "$T/tmp" ] && [ -n "$(ls "$T/tmp")" ]; then
	own_ids "$T"/tmp/* | cut -f 1 | sort -u >"$tmp/tmp-ids"
	n_tmp=$(wc -l <"$tmp/tmp-ids")
	# The oracle: the files of cur/ and new/ that carry these ids.
	find "$T/cur" "$T/new" -type f | while IFS= read -r f; do own_ids "$f"; done |
		awk -F '\t' 'NR == FNR { want[$1] = 1; next } ($1 in want)' "$tmp/tmp-ids" - >"$tmp/tmp-oracle"
	cp -R "$T" "$tmp/mu"
	chmod -R u+w "$tmp/mu"
	i=0
	for f in "$T"/tmp/*; do
		i=$((i + 1))
		cp "$f" "$tmp/mu/tmp/copy-$i.eml"
		{ printf 'From someone@example.com Mon Jan  1 00:00:00 2024\n'; cat "$f"; echo; } >>"$tmp/mu/tmp/spool"
	done
	mkstats "$tmp/tmp-ids" "$tmp/tmp-stats.json"
	run pack --no-dkim --ip 192.0.2.1 --stats-json "$tmp/tmp-stats.json" --mail "$tmp/mu/tmp" -o "$tmp/tmp0.tar.gz" --json
	assert_eq "$(jq '.samples | length' "$tmp/out")" $((n_tmp * 3)) \
		"mu: control: tmp/ given as a folder, each of its $n_tmp ids is found in its own file, the .eml and the mbox"
	run pack --no-dkim --ip 192.0.2.1 --stats-json "$tmp/tmp-stats.json" --mail "$tmp/mu" -o "$tmp/tmp.tar.gz" --json
	assert_status 0 "mu: pack the Maildir"
	assert_eq "$(jq '[.samples[] | select(.source | contains("/mu/tmp/"))] | length' "$tmp/out")" 0 \
		"mu: tmp/ is never searched"
	assert_eq "$(jq '.samples | length' "$tmp/out")" "$(wc -l <"$tmp/tmp-oracle" | tr -d ' ')" \
		"mu: the same ids in cur/ and new/ are found, as awk finds them"
else
	skip "mu: tmp/ is never searched: the corpus has no message in mu's tmp/"
fi

finish
