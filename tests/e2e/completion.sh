#!/bin/sh
# The completions of contrib/completion: bash's, loaded by
# bash-completion's own loader from its layout (completions/fpkit),
# offers the commands (fpkit pa<Tab>: pack), every option each command's
# --help lists, the fixed lists (--lang as pack --help says, --mta as
# queue --help says, the endpoints as --help lists them) and files where
# a file is expected; zsh's _fpkit parses and has the same table.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
C=$E2E/../../contrib/completion
BC=/usr/share/bash-completion/bash_completion

# help_options CMD: the options fpkit CMD --help defines (the words of
# its option lines before the description), one a line.
help_options() {
	fpkit "$1" --help | awk '/^ +-/ && match($0, /^ +/) && RLENGTH <= 6 {
		for (i = 1; i <= NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w ~ /^--?[A-Za-z]/) print w
			else if (w !~ /^[A-Z|[\]:]+,?$/) break
		}
	}' | sort -u
}

fpkit --help >"$tmp/help"
cmds=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$tmp/help")

if command -v bash >/dev/null 2>&1 && [ -f "$BC" ]; then
	mkdir -p "$tmp/bc/completions"
	cp "$C/bash/fpkit" "$tmp/bc/completions/fpkit"
	complete() {
		BASH_COMPLETION_USER_DIR=$tmp/bc bash "$E2E/complete-driver.bash" fpkit "$@" >"$tmp/c" 2>&1 || :
		sed 1d "$tmp/c" | sort
	}
	complete pa >"$tmp/pa"
	assert_in "$tmp/c" "complete: complete -F _fpkit fpkit" "bash-completion's loader finds completions/fpkit"
	assert_eq "$(cat "$tmp/pa")" "pack" "fpkit pa<Tab>: pack"
	complete '' >"$tmp/all"
	assert_eq "$(tr '\n' ' ' <"$tmp/all")" "$(echo "$cmds" | sort | tr '\n' ' ')" \
		"fpkit <Tab>: every command of fpkit --help"
	for c in $cmds; do
		[ "$c" != help ] || continue
		complete "$c" - >"$tmp/offered"
		help_options "$c" >"$tmp/want"
		assert_true "fpkit $c --help lists options" test -s "$tmp/want"
		missing=$(comm -23 "$tmp/want" "$tmp/offered" | tr '\n' ' ')
		assert_eq "$missing" "" "fpkit $c -<Tab>: every option of its --help"
	done
	complete help pa >"$tmp/out"
	assert_eq "$(cat "$tmp/out")" "pack" "fpkit help pa<Tab>: pack"

	# The fixed lists, as the program's own --help gives them.
	langs=$(fpkit pack --help | sed -n "s/.*the ticket's language: \([a-z, ]*\) (default.*/\1/p" | tr -d , | tr ' ' '\n' | sort)
	complete pack --lang '' >"$tmp/out"
	assert_eq "$(cat "$tmp/out")" "$langs" "--lang <Tab>: the languages of pack --help"
	mtas=$(fpkit queue --help | sed -n 's/^  --mta NAME *\([a-z, ]*\) (default.*/\1/p' | tr -d , | tr ' ' '\n' | sort)
	assert_true "queue --help lists the MTAs" test -n "$mtas"
	complete queue --mta '' >"$tmp/out"
	assert_eq "$(cat "$tmp/out")" "$mtas" "--mta <Tab>: the MTAs of queue --help"
	fpkit pack --help | sed -n '/--endpoint NAME|URL/,/base URL/p' | grep -o '[a-z][a-z]*-[a-z][a-z]*' |
		grep -v '^base' | sort -u >"$tmp/want"
	complete scan --endpoint '' >"$tmp/out"
	assert_true "--endpoint <Tab>: the endpoints of --help" cmp -s "$tmp/out" "$tmp/want"
	complete config --get '' >"$tmp/out"
	fpkit config --json | jq -r '.settings | keys[]' | sort >"$tmp/want"
	assert_eq "$(tr '\n' ' ' <"$tmp/out")" "$(tr '\n' ' ' <"$tmp/want")" \
		"config --get <Tab>: the keys fpkit config knows"

	# Files where a file is expected, folders where a folder is.
	mkdir "$tmp/w" "$tmp/w/spool.d"
	: >"$tmp/w/spam-ip.json"
	(cd "$tmp/w" && complete pack --spam-ip-json sp) >"$tmp/out"
	assert_eq "$(cat "$tmp/out")" "$(printf 'spam-ip.json\nspool.d')" "--spam-ip-json <Tab>: files"
	(cd "$tmp/w" && complete scan --archive sp) >"$tmp/out"
	assert_eq "$(cat "$tmp/out")" "spool.d" "--archive <Tab>: folders"
	(cd "$tmp/w" && complete verify sp) >"$tmp/out"
	assert_in "$tmp/out" "spam-ip.json" "verify <Tab>: files"
	complete pack --ip '' >"$tmp/out"
	assert_eq "$(cat "$tmp/out")" "" "--ip <Tab>: nothing to offer"
	(cd "$tmp/w" && complete --config sp) >"$tmp/out"
	assert_in "$tmp/out" "spam-ip.json" "fpkit --config <Tab>: files"
	complete --config x.conf pa >"$tmp/out"
	assert_eq "$(cat "$tmp/out")" "pack" "fpkit --config FILE pa<Tab>: pack"
else
	skip "bash completion: no bash or no bash-completion ($BC; Debian: bash-completion)"
fi

if command -v zsh >/dev/null 2>&1; then
	assert_true "zsh parses _fpkit" zsh -n "$C/zsh/_fpkit"
	for c in $cmds; do
		[ "$c" != help ] || continue
		zsh -c 'eval "$(sed "\$d" "$1")"; print -l -- ${=$(_fpkit_options $2)}' - "$C/zsh/_fpkit" "$c" |
			sort >"$tmp/z"
		help_options "$c" >"$tmp/want"
		assert_eq "$(comm -23 "$tmp/want" "$tmp/z" | tr '\n' ' ')" "" "zsh: fpkit $c's options"
	done
	zsh -c 'eval "$(sed "\$d" "$1")"; print -l ${_fpkit_commands%%:*}' - "$C/zsh/_fpkit" | sort >"$tmp/z"
	assert_eq "$(tr '\n' ' ' <"$tmp/z")" "$(echo "$cmds" | sort | tr '\n' ' ')" "zsh: every command"
else
	skip "zsh completion: no zsh"
fi

finish
