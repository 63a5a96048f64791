#!/bin/sh
# fpkit verify: a sound bundle passes; a changed, incomplete or padded
# one fails naming each problem; a hostile one (absolute names, '..',
# links, devices, sizes that lie, too large) is refused without writing
# anything.  Hostile tarballs are made by tests/helpers/tarmk.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
: "${TARMK:?run the tests through 'make check'}"

pack_demo -o "$tmp/good.tar.gz"
assert_status 0 "pack for verify"
mkdir "$tmp/x"
tar -xzf "$tmp/good.tar.gz" -C "$tmp/x"
top=$(ls "$tmp/x")
T="$tmp/x/$top"

run verify "$tmp/good.tar.gz"
assert_status 0 "a fresh bundle verifies"
run verify -q "$tmp/good.tar.gz"
assert_status 0 "verify -q"
assert_eq "$(cat "$tmp/out")" "" "verify -q prints nothing for a good bundle"

# Entries of the good bundle as tarmk arguments, all but those named.
entries_but() {
	(cd "$tmp/x" && find "$top" -type f | sort) | while read -r f; do
		skip=
		for x in "$@"; do [ "$f" = "$top/$x" ] && skip=1; done
		[ -n "$skip" ] || printf 'f:%s=%s\n' "$f" "$tmp/x/$f"
	done
}

# mk NAME ENTRY...: a tarball from the good entries (minus $SKIP) plus more.
mk() {
	name=$1
	shift
	# shellcheck disable=SC2086
	list=$(entries_but $SKIP)
	IFS='
'
	# shellcheck disable=SC2046
	set -- $list "$@"
	unset IFS
	"$TARMK" "$tmp/$name.tar.gz" "$@"
}

# bad NAME TEXT: verify of NAME fails with 65 and says TEXT.
bad() {
	mkdir -p "$tmp/cwd"
	cd "$tmp/cwd"
	run verify "$tmp/$1.tar.gz"
	cd "$tmp"
	assert_status 65 "$1: refused"
	assert_in "$tmp/err" "$2" "$1: says $2"
	no_leftovers "$tmp/cwd" "$1: nothing written"
}

SKIP=""
mk same
run verify "$tmp/same.tar.gz"
assert_status 0 "a bundle re-made by another writer still verifies"

SKIP="samples/02-order-10482.1795180980.7d1e@shop.example.com.eml"
mk missing
bad missing "samples/02-order-10482.1795180980.7d1e@shop.example.com.eml: listed in SHA256SUMS but missing"

SKIP=""
mk extra "s:$top/samples/99-extra.eml=From: x"
bad extra "samples/99-extra.eml: not listed in SHA256SUMS"

printf '{"ip": ' >"$tmp/bad-summary.json"
sed "s|^[0-9a-f]*  summary.json\$|$(sha256sum "$tmp/bad-summary.json" | cut -c1-64)  summary.json|" \
	"$T/SHA256SUMS" >"$tmp/sums-for-bad-summary"
SKIP="summary.json SHA256SUMS"
mk badsummary "f:$top/SHA256SUMS=$tmp/sums-for-bad-summary" "f:$top/summary.json=$tmp/bad-summary.json"
bad badsummary "summary.json: not valid JSON"

{ cat "$T/SHA256SUMS"; echo "not a checksum line"; } >"$tmp/sums-bad-line"
SKIP="SHA256SUMS"
mk badline "f:$top/SHA256SUMS=$tmp/sums-bad-line"
# The line after the checksums of the bundle's files.
bad badline "SHA256SUMS: line $(($(wc -l <"$T/SHA256SUMS") + 1)) is not"

# A sum that differs from the file's in its last digit, then in its
# first: each is caught.
for pos in 64 1; do
	awk -v pos=$pos '/  TICKET\.txt$/ { c = substr($0, pos, 1); n = c == "0" ? "1" : "0"
		$0 = substr($0, 1, pos - 1) n substr($0, pos + 1) } { print }' "$T/SHA256SUMS" >"$tmp/sums-$pos"
	assert_false "digit $pos of TICKET.txt's sum was changed" cmp -s "$T/SHA256SUMS" "$tmp/sums-$pos"
	SKIP="SHA256SUMS"
	mk "sum$pos" "f:$top/SHA256SUMS=$tmp/sums-$pos"
	bad "sum$pos" "TICKET.txt: SHA-256 does not match SHA256SUMS: the file was changed"
done

SKIP="SHA256SUMS"
mk nosums
bad nosums "SHA256SUMS: missing"

SKIP=""
mk absolute "s:/tmp/fpkit-evil=owned"
bad absolute "'/tmp/fpkit-evil': refused: an absolute path"

mk dotdot "s:$top/../evil=owned"
bad dotdot "refused: '.' or '..' in its path"

mk symlink "l:$top/link=/etc/passwd"
bad symlink "'$top/link': refused: a link"

mk hardlink "h:$top/hard=$top/TICKET.txt"
bad hardlink "'$top/hard': refused: a link"

mk device "c:$top/dev"
bad device "'$top/dev': refused: not a file or folder"

mk outside "s:elsewhere/x=1"
bad outside "outside the top folder"

mk twice "f:$top/TICKET.txt=$T/TICKET.txt"
bad twice "TICKET.txt: appears twice"

mk liar "z:$top/zzz=100000"
bad liar "damaged or cut archive: Truncated tar archive"

mk huge "z:$top/zzz=2000000000"
bad huge "larger than the limit"

printf 'this is not a tarball\n' >"$tmp/text.tar.gz"
bad text "text.tar.gz"

: >"$tmp/empty.tar.gz"
bad empty "empty"

# Several bundles: each is reported, and one bad one fails the run.
run verify "$tmp/good.tar.gz" "$tmp/missing.tar.gz"
assert_status 65 "one bad bundle among two"
assert_in "$tmp/out" "good.tar.gz: OK" "the good one is still reported"
assert_in "$tmp/err" "missing.tar.gz' FAILED" "the bad one is named"
run verify "$tmp/text.tar.gz" "$tmp/good.tar.gz"
assert_status 65 "an unreadable bundle, then a good one"
assert_in "$tmp/out" "good.tar.gz: OK" "the one after an unreadable bundle is still checked"
run verify "$tmp/no-such.tar.gz" "$tmp/text.tar.gz"
assert_status 66 "a missing bundle among others"
run verify "$tmp/text.tar.gz" "$tmp/no-such.tar.gz"
assert_status 66 "a missing bundle after an unreadable one: still 66"

finish
