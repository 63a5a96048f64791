#!/bin/sh
# Message-ID matching on fixtures/match: only a message's own
# Message-ID header counts, whatever its case, folding, comments or
# brackets; References, In-Reply-To, Resent-Message-ID, X-Message-ID,
# bodies, attached messages and Maildir tmp/ never do.  Each sample is
# the original byte for byte, under a safe name.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

M="$FIXTURES/match"
run pack --spam-ip-json "$M/api/spam-ip.json" --stats-json "$M/api/stats.json" \
	--mail "$M/mail/eml" --mail "$M/mail/maildir" -o "$tmp/b.tar.gz" --json
assert_status 0 "pack on the matching fixtures"
cp "$tmp/out" "$tmp/summary-stdout.json"

mkdir "$tmp/x"
tar -xzf "$tmp/b.tar.gz" -C "$tmp/x"
top=$(ls "$tmp/x")
S="$tmp/x/$top/summary.json"

# Every id of expected.tsv has exactly the expected number of samples.
tab=$(printf '\t')
grep -v '^#' "$M/expected.tsv" | while IFS="$tab" read -r id want; do
	got=$(jq --arg id "$id" '[.samples[] | select(.message_id == $id)] | length' "$S")
	if [ "$got" = "$want" ]; then echo "ok - <$id>: $want sample(s)"; else echo "not ok - <$id>: $got sample(s), expected $want"; fi
done >"$tmp/match-results"
cat "$tmp/match-results"
passed=$((passed + $(grep -c '^ok' "$tmp/match-results" || true)))
failed=$((failed + $(grep -c '^not ok' "$tmp/match-results" || true)))

# Nothing else was taken: not the message without a Message-ID, not the
# non-target ones.
want_total=$(grep -v '^#' "$M/expected.tsv" | awk -F '\t' '{s += $2} END {print s}')
assert_eq "$(jq '.samples | length' "$S")" "$want_total" "no sample beyond the expected ones"
assert_false "the message without Message-ID is no sample" \
	sh -c "jq -r '.samples[].source' '$S' | grep -q noid.eml"

# Maildir tmp/ holds in-tmp@example.com three times: under a Maildir
# name, as an .eml and as an mbox, files fpkit reads in any other folder
# (the control; the first by its content).  Skipping tmp/ is what keeps
# them out.
run find --msgid in-tmp@example.com "$M/mail/maildir/tmp"
assert_eq "$(cut -f 2 "$tmp/out" | sed 's|.*/||' | sort | tr '\n' ' ')" "1772400001.M2P2.host in-tmp.eml spool " \
	"control: tmp/'s .eml and mbox are read when given as a folder"
assert_eq "$(jq '[.samples[] | select(.source | contains("/maildir/tmp/"))] | length' "$S")" 0 \
	"nothing is taken from a Maildir's tmp/"

# missing lists exactly the ids with no sample.
want_missing=$(grep -v '^#' "$M/expected.tsv" | awk -F '\t' '$2 == 0 {print $1}' | sort | tr '\n' ' ')
got_missing=$(jq -r '.missing[]' "$S" | sort | tr '\n' ' ')
assert_eq "$got_missing" "$want_missing" "missing lists the ids not found"

# Each sample is its source, byte for byte, and its sha256 is right.
n=$(jq '.samples | length' "$S")
i=0
while [ "$i" -lt "$n" ]; do
	file=$(jq -r ".samples[$i].file" "$S")
	src=$(jq -r ".samples[$i].source" "$S")
	sha=$(jq -r ".samples[$i].sha256" "$S")
	assert_true "$file is $src byte for byte" cmp -s "$src" "$tmp/x/$top/$file"
	got=$(sha256sum "$tmp/x/$top/$file" | cut -d ' ' -f 1)
	assert_eq "$got" "$sha" "$file: sha256 in summary.json"
	i=$((i + 1))
done

# The CRLF message keeps its CRLF.
folded=$(jq -r '.samples[] | select(.message_id == "folded.id@example.com") | .file' "$S")
assert_true "CRLF line ends kept" grep -q "$(printf '\r')" "$tmp/x/$top/$folded"

# A Message-ID made of path characters gives one safe name in samples/.
evil=$(jq -r '.samples[] | select(.message_id == "../../x/y@z") | .file' "$S")
case "$evil" in
samples/[0-9][0-9]-*.eml)
	rest=${evil#samples/}
	case "$rest" in */*|.*) not_ok "path-character id gave '$evil'";; *) ok "path-character id gave '$evil'";; esac
	;;
*) not_ok "path-character id gave '$evil'";;
esac
assert_true "its sample is inside samples/" test -f "$tmp/x/$top/$evil"
assert_false "no entry of the tarball climbs out" sh -c "tar -tzf '$tmp/b.tar.gz' | grep -q '\.\./'"
assert_eq "$(find "$tmp/x" -mindepth 1 -maxdepth 1 | wc -l)" 1 "one top folder in the tarball"

# The two copies of one id are two samples, from two places.
n_dup=$(jq '[.samples[] | select(.message_id == "dup@example.com") | .source] | unique | length' "$S")
assert_eq "$n_dup" 2 "the same id in two files gives two samples"

# Formats as reported.
fmt=$(jq -r '.samples[] | select(.message_id == "plain.1@example.com") | .format' "$S")
assert_eq "$fmt" eml "an .eml file is reported as eml"
fmt=$(jq -r '[.samples[] | select(.message_id == "dup@example.com") | .format] | sort | join(",")' "$S")
assert_eq "$fmt" "eml,maildir" "a Maildir message is reported as maildir"

# --json on stdout is summary.json plus the bundle's path.
assert_eq "$(jq -r .bundle "$tmp/summary-stdout.json")" "$tmp/b.tar.gz" "--json names the bundle"
assert_eq "$(jq -c 'del(.bundle)' "$tmp/summary-stdout.json")" "$(jq -c . "$S")" \
	"--json prints summary.json"

# The same store reached twice (a folder and a file inside it) gives one
# sample, not two.
run pack --spam-ip-json "$M/api/spam-ip.json" --stats-json "$M/api/stats.json" \
	--mail "$M/mail/eml" --mail "$M/mail/eml/plain.eml" -o "$tmp/c.tar.gz" --json
assert_status 0 "pack with overlapping stores"
assert_eq "$(jq '[.samples[] | select(.message_id == "plain.1@example.com")] | length' "$tmp/out")" 1 \
	"a file reached twice is one sample"

# The API's spelling is kept for people (brackets and case of the
# domain), while matching ignores both.
jq '.[0].detectedSpams = [.[0].detectedSpams[0] | .messageId = " <plain.1@EXAMPLE.com> "]' \
	"$M/api/stats.json" >"$tmp/upper-stats.json"
run pack --spam-ip-json "$M/api/spam-ip.json" --stats-json "$tmp/upper-stats.json" \
	--mail "$M/mail/eml/plain.eml" -o "$tmp/u.tar.gz" --json
assert_status 0 "pack with an id spelled differently"
assert_eq "$(jq -r '[.targets[0].message_id, .samples[0].message_id, (.samples | length)] | map(tostring) | join(" ")' "$tmp/out")" \
	"plain.1@EXAMPLE.com plain.1@EXAMPLE.com 1" "found, and shown as the API spelled it"
tar -xzf "$tmp/u.tar.gz" -O --wildcards '*/TICKET.txt' >"$tmp/u-ticket"
assert_in "$tmp/u-ticket" "<plain.1@EXAMPLE.com>" "the ticket shows the API's spelling"

# A file named on the command line is read whatever its name.
run pack --spam-ip-json "$M/api/spam-ip.json" --stats-json "$M/api/stats.json" \
	--mail "$M/mail/eml/notes.txt" -o "$tmp/d.tar.gz" --json
assert_status 1 "pack with a file of any name: nothing found, status 1"
assert_in "$tmp/err" "targets in the 1 message read in:" "the file of any name is read as a message"
assert_in "$tmp/err" "fpkit:   $M/mail/eml/notes.txt" "and named as the store read"
assert_false "text that mentions an id in its body is no match: no bundle" test -e "$tmp/d.tar.gz"

finish
