#!/bin/sh
# The manual: fpkit(1), the overview, and one page per command
# (fpkit-COMMAND(1)), each installed (Makefile.am's dist_man_MANS),
# clean under mandoc's lint and man's warnings, with the sections a page
# has; every command of 'fpkit --help' has its page, and every option of
# 'fpkit COMMAND --help' is in that page, or, for the API's options, in
# fpkit(1)'s "API options" to which the page refers.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
SRC=$E2E/../..
DOC=$SRC/doc

pages=$(cd "$DOC" && ls fpkit.1 fpkit-*.1 fpkit*.5 2>/dev/null || :)
assert_true "there are pages" test -n "$pages"

# --- installed ---------------------------------------------------------------
mans=$(sed -n '/^dist_man_MANS *=/,/[^\\]$/p' "$SRC/Makefile.am" | tr -d '\\' | sed 's/dist_man_MANS *=//')
for p in $pages; do
	assert_true "$p is in dist_man_MANS" sh -c 'echo "$1" | tr " \t" "\n\n" | grep -qx "doc/$2"' - "$mans" "$p"
done

# --- lint --------------------------------------------------------------------
if command -v mandoc >/dev/null 2>&1; then
	for p in $pages; do
		mandoc -T lint -W style "$DOC/$p" >"$tmp/lint" 2>&1 || :
		if [ -s "$tmp/lint" ]; then
			not_ok "$p: mandoc -T lint is clean"
			sed 's/^/#   /' "$tmp/lint" | head -20
		else
			ok "$p: mandoc -T lint is clean"
		fi
	done
else
	skip "mandoc -T lint of the pages: mandoc is not installed"
fi
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
	for p in $pages; do
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$DOC/$p" >"$tmp/page" 2>"$tmp/warn" || :
		assert_true "$p: man --warnings prints no warning" test ! -s "$tmp/warn"
		[ ! -s "$tmp/warn" ] || sed 's/^/#   /' "$tmp/warn" | head -10
		assert_true "$p: man renders it" test -s "$tmp/page"
	done
else
	skip "man --warnings of the pages: man or groff is not installed"
fi

# --- sections ------------------------------------------------------------------
for p in $pages; do
	for s in NAME SYNOPSIS DESCRIPTION 'EXIT STATUS' 'SEE ALSO'; do
		case $p in *.5) [ "$s" != 'EXIT STATUS' ] || continue ;; esac
		assert_true "$p has $s" grep -qx "\\.SH \"*$s\"*" "$DOC/$p"
	done
done

# --- one page per command, every option in it -----------------------------------
fpkit --help >"$tmp/help"
cmds=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$tmp/help")
assert_true "fpkit --help lists the commands" test "$(echo "$cmds" | wc -w)" -ge 9
# The API's options, documented once, in fpkit(1)'s THE OVH API.
sed -n '/^\.SS "API options"/,/^\.S[SH]/p' "$DOC/fpkit.1" >"$tmp/apiopts"
assert_true "fpkit(1) has API options" grep -q 'endpoint' "$tmp/apiopts"
for c in $cmds; do
	[ "$c" != help ] || continue	# fpkit(1)'s COMMANDS
	page=$DOC/fpkit-$c.1
	assert_true "fpkit $c has its page fpkit-$c.1" test -f "$page"
	[ -f "$page" ] || continue
	assert_true "fpkit-$c.1 names fpkit(1) in SEE ALSO" \
		sh -c 'sed -n "/^\.SH SEE ALSO/,\$p" "$1" | grep -q "^\.BR \\\\%fpkit (1)"' - "$page"
	fpkit "$c" --help >"$tmp/chelp"
	missing=
	for o in $(grep -o -- '--[a-z][a-z0-9-]*' "$tmp/chelp" | sort -u) $(grep -o -- '^ *-[a-zA-Z],' "$tmp/chelp" | tr -d ' ,'); do
		e=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		if grep -q -- "$e\\b" "$page"; then
			continue
		elif grep -q -- "$e\\b" "$tmp/apiopts" && grep -q 'API options' "$page"; then
			continue
		fi
		missing="$missing $o"
	done
	assert_eq "$missing" "" "fpkit-$c.1 documents every option of 'fpkit $c --help'"
done

finish
