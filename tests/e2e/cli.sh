#!/bin/sh
# The command line: help, version, usage errors and their exit codes.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

run --help
assert_status 0 "fpkit --help"
assert_in "$tmp/out" "pack" "--help lists pack"
assert_in "$tmp/out" "verify" "--help lists verify"

run --version
assert_status 0 "fpkit --version"
assert_true "--version prints a version" grep -qE '^fpkit [0-9]+\.[0-9]+' "$tmp/out"

run
assert_status 64 "no command"

run frobnicate
assert_status 64 "unknown command"
assert_in "$tmp/err" "'frobnicate' is not an fpkit command" "unknown command named"

run pack --help
assert_status 0 "pack --help"
for opt in --ip --block --spam-ip-json --stats-json --mail --output --force --lang --template --json; do
	assert_in "$tmp/out" "$opt" "pack --help mentions $opt"
done

run verify --help
assert_status 0 "verify --help"

# Every kind of mail store --mail and find's PATH take is listed.
for cmd in pack find scan; do
	run $cmd --help
	assert_status 0 "$cmd --help"
	for kind in "message file" mbox gzip xz bzip2 zstd Maildir folder; do
		assert_in "$tmp/out" "$kind" "$cmd --help: the stores include '$kind'"
	done
done
for cmd in pack find; do
	run $cmd --help
	for kind in "any name" mboxo mboxrd "told by its" "cur/ and new/" "Maildir++" recursively; do
		assert_in "$tmp/out" "$kind" "$cmd --help: the stores: '$kind'"
	done
done
run pack --help
assert_not_in "$tmp/out" "a folder of .eml files or a Maildir" "pack --help: not the old, short list"

# check takes message files: a folder is refused, with the commands
# that search one, and the files after it are still checked.
msg=$(ls "$DEMO_MAIL/new" | head -n 1)
run check --no-dkim "$DEMO_MAIL" "$DEMO_MAIL/new/$msg"
assert_status 66 "check of a folder"
assert_in "$tmp/err" "fpkit: check: '$DEMO_MAIL' is a folder: check takes message files; to search a mail store, use 'fpkit find --msgid ID FOLDER', or 'fpkit pack --mail FOLDER', which checks what it packs" \
	"check of a folder: refused, saying what to use"
assert_eq "$(wc -l <"$tmp/err")" 1 "check of a folder: one line"
assert_in "$tmp/out" "== $DEMO_MAIL/new/$msg ==" "check of a folder: the file after it is checked"
run check --help
assert_in "$tmp/out" "a folder is" "check --help: says a folder is refused"

run pack
assert_status 64 "pack without inputs"
assert_in "$tmp/err" "--spam-ip-json" "pack without inputs says what to give"

run pack --bogus
assert_status 64 "pack with an unknown option"
assert_in "$tmp/err" "'--bogus'" "unknown option named"

run pack --stats-json
assert_status 64 "option without its value"

run pack --spam-ip-json "$DEMO_SPAMIP" extra-arg
assert_status 64 "stray argument"
assert_in "$tmp/err" "extra-arg" "stray argument named"

pack_demo --lang xx
assert_status 64 "unknown --lang"
assert_in "$tmp/err" "'xx'" "unknown language named"

mkdir "$tmp/tpl"
printf 'IP {{ip}}\n' >"$tmp/tpl/t.mustache"
pack_demo --lang xx --template "$tmp/tpl/t.mustache" -o "$tmp/tpl"
assert_status 0 "--lang is not needed with --template"

SOURCE_DATE_EPOCH=yesterday pack_demo -o "$tmp/tpl/x.tar.gz"
assert_status 64 "a malformed SOURCE_DATE_EPOCH"
assert_in "$tmp/err" "SOURCE_DATE_EPOCH='yesterday'" "the bad SOURCE_DATE_EPOCH is named"

pack_demo -o "$tmp/not-yet/"
assert_status 73 "-o FOLDER/ that does not exist"
assert_in "$tmp/err" "no such folder" "-o FOLDER/: says the folder is missing"

# Outside text in an error message reaches the terminal made visible.
printf '{"date":"2026-03-02T09:15:00+00:00","ipSpamming":"192.0.2.25","state":"\\u001b[2J","time":1}' \
	>"$tmp/esc.json"
run pack --spam-ip-json "$tmp/esc.json" -o "$tmp/tpl/e.tar.gz"
assert_status 65 "a state holding an escape sequence"
assert_in "$tmp/err" '\x1b[2J' "the escape is shown as \\x1b"
assert_false "no raw ESC byte on stderr" grep -q "$(printf '\033')" "$tmp/err"

pack_demo --ip 203.0.113.8
assert_status 65 "--ip that disagrees with ipSpamming"
assert_in "$tmp/err" "ipSpamming" "the disagreement is explained"

pack_demo --ip 203.0.113.7 --block 198.51.100.0/24
assert_status 64 "--ip outside --block"
assert_in "$tmp/err" "not inside block" "outside block explained"

pack_demo --block 203.0.113.0/33
assert_status 64 "malformed --block"

# The prefix's edges: a /32 holds its address alone, a /31 two, a /0 all.
for b in 203.0.113.7/32 203.0.113.6/31 0.0.0.0/0; do
	pack_demo --block "$b" --no-dkim --json -o "$tmp/blk.tar.gz" --force
	assert_status 0 "--block $b holds 203.0.113.7"
	assert_eq "$(jq -r .block "$tmp/out")" "$b" "--block $b: summary.json's block"
done
for b in 203.0.113.6/32 203.0.113.8/31 203.0.113.8/29; do
	pack_demo --block "$b" --no-dkim -o "$tmp/blk.tar.gz" --force
	assert_status 64 "--block $b does not hold 203.0.113.7"
	assert_in "$tmp/err" "fpkit: 203.0.113.7 is not inside block $b: give the --block that holds it (GET /ip?ip=203.0.113.7 lists the account's), or leave --block out" \
		"--block $b: said so, and what to do"
done

run pack --ip 2001:db8::1 --stats-json "$DEMO_STATS"
assert_status 64 "IPv6 --ip"

run pack --ip not-an-ip --stats-json "$DEMO_STATS"
assert_status 64 "malformed --ip"

run pack --spam-ip-json "$tmp/nonexistent.json"
assert_status 66 "missing JSON file"
assert_in "$tmp/err" "nonexistent.json" "missing JSON file named"

pack_demo --mail "$tmp/no-such-store"
assert_status 66 "missing mail store"
assert_in "$tmp/err" "no-such-store" "missing mail store named"

pack_demo -o "$tmp/no/such/dir/x.tar.gz"
assert_status 73 "output in a missing folder"

run verify
assert_status 64 "verify without a bundle"

run verify "$tmp/missing.tar.gz"
assert_status 66 "verify of a missing file"

# A full disk on standard output is an error, not success.
if [ -w /dev/full ]; then
	set +e
	fpkit --help >/dev/full 2>"$tmp/err"
	status=$?
	set -e
	assert_status 74 "stdout on a full disk"
else
	skip "standard output on a full disk: no writable /dev/full"
fi

# --- --version: fpkit's and the libraries', built with and running with --------
run --version
for lib in GMime libarchive libcurl jansson libopendkim c-ares libpsl GLib; do
	assert_true "--version names $lib" grep -q "^  $lib " "$tmp/out"
done
if command -v pkg-config >/dev/null 2>&1; then
	for pair in "GMime gmime-3.0" "libarchive libarchive" "libcurl libcurl" "jansson jansson" \
		"c-ares libcares" "libpsl libpsl" "GLib glib-2.0"; do
		set -- $pair
		want=$(pkg-config --modversion "$2" 2>/dev/null || :)
		[ -n "$want" ] || continue
		assert_eq "$(awk -v l="$1" '$1 == l { print $2 }' "$tmp/out")" "$want" \
			"--version: $1 built with the version pkg-config gives"
	done
fi
assert_false "--version: no library differs on this machine" grep -q differs "$tmp/out"

# --- fpkit help COMMAND: the page through man, else the command's --help -------
mkdir "$tmp/bin"
printf '#!/bin/sh\necho "$@" >"%s/man.args"\n' "$tmp" >"$tmp/bin/man"
chmod 755 "$tmp/bin/man"
PATH=$tmp/bin:$PATH run help pack
assert_status 0 "help pack"
assert_eq "$(cat "$tmp/man.args")" "fpkit-pack" "help pack: man fpkit-pack"
PATH=$tmp/bin:$PATH run help config
assert_eq "$(cat "$tmp/man.args")" "fpkit-config" "help config: man fpkit-config"
printf '#!/bin/sh\nexit 16\n' >"$tmp/bin/man"
PATH=$tmp/bin:$PATH run help verify
assert_status 0 "help verify, man without the page"
fpkit verify --help >"$tmp/vhelp"
assert_true "help verify without the page: verify --help" cmp -s "$tmp/out" "$tmp/vhelp"
assert_in "$tmp/err" "no manual page fpkit-verify" "help verify without the page: said"
mkdir "$tmp/noman"
status=0
env PATH="$tmp/noman" "$FPKIT" help scan >"$tmp/out" 2>"$tmp/err" || status=$?
assert_status 0 "help scan, no man at all"
assert_in "$tmp/out" "usage: fpkit scan" "help scan without man: scan --help"
run help frobnicate
assert_status 64 "help, an unknown command"
run help
assert_status 0 "help alone: the list"
assert_in "$tmp/out" "Commands:" "help alone: the list of commands"

# --- the global options come before the command --------------------------------
run --frob pack
assert_status 64 "an unknown global option"
assert_in "$tmp/err" "a command's options come after it" "an unknown global option: said"
run --config
assert_status 64 "--config without a file"

finish
