#!/bin/sh
# libcurl and libarchive are loaded by the commands that use them, not
# linked (src/base/dlcall.h): find on plain stores loads neither (nor the
# libraries behind them), --version both, pack libarchive; a library
# that cannot be loaded stops the command that needs it with EX_OSFILE
# (72) and the package to install, before anything is written (a store
# that needs it is skipped with that reason), and leaves the others
# working.  Which libraries a process opens is the
# dynamic loader's own account (LD_DEBUG=files), not fpkit's.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

# loads CMD...: the files the loader opened for CMD, one a line
loads() {
	LD_DEBUG=files "$FPKIT_BIN" "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ;]*\).*/\1/p' | sort -u
}

printf 'From a@example.com Sun Dec  6 22:56:45 2026\nMessage-ID: <x@example.com>\n\nhi\n' >"$tmp/one.mbox"
gzip -c "$tmp/one.mbox" >"$tmp/one.mbox.gz"
loads find --msgid x@example.com "$tmp/one.mbox" "$DEMO_MAIL" >"$tmp/find.libs"
loads find --msgid x@example.com "$tmp/one.mbox.gz" >"$tmp/findgz.libs"
loads --version >"$tmp/version.libs"
assert_true "the loader's account names the libraries find opens (libc among them)" grep -q '^libc\.so' "$tmp/find.libs"
assert_false "find on an mbox and a Maildir loads no libcurl" grep -q 'libcurl' "$tmp/find.libs"
assert_false "find on an mbox and a Maildir loads no libarchive" grep -q 'libarchive' "$tmp/find.libs"
assert_true "find on a gzip mbox loads libarchive (its decoder)" grep -q 'libarchive' "$tmp/findgz.libs"
assert_true "--version loads libcurl (to say which one runs)" grep -q 'libcurl' "$tmp/version.libs"
assert_true "--version loads libarchive" grep -q 'libarchive' "$tmp/version.libs"
assert_true "find opens at least 20 libraries fewer than --version" \
	test "$(wc -l <"$tmp/find.libs")" -le "$(($(wc -l <"$tmp/version.libs") - 20))"

# Libraries that cannot be loaded: empty files found first.
mkdir "$tmp/lib" "$tmp/o" "$tmp/o2"
: >"$tmp/lib/libcurl.so.4"
: >"$tmp/lib/libarchive.so.13"
LD_LIBRARY_PATH=$tmp/lib
OVH_ENDPOINT=http://127.0.0.1:9/1.0
OVH_APPLICATION_KEY=ak OVH_APPLICATION_SECRET=as OVH_CONSUMER_KEY=ck
export LD_LIBRARY_PATH OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
run pack --ip 203.0.113.7 --mail "$DEMO_MAIL" -o "$tmp/o"
assert_status 72 "pack through the API without a loadable libcurl: EX_OSFILE"
assert_in "$tmp/err" "fpkit: cannot load libcurl" "the error says what cannot be loaded (libcurl)"
assert_in "$tmp/err" "apt-get install libcurl4" "the error says what to install (libcurl4)"
assert_eq "$(ls -A "$tmp/o")" "" "nothing written in the output folder (libcurl)"
pack_demo --no-dkim -o "$tmp/o2"
assert_status 72 "pack from saved JSON without a loadable libarchive: EX_OSFILE"
assert_in "$tmp/err" "fpkit: cannot load libarchive" "the error says what cannot be loaded (libarchive)"
assert_in "$tmp/err" "apt-get install libarchive13" "the error says what to install (libarchive13)"
assert_eq "$(ls -A "$tmp/o2")" "" "nothing written in the output folder (libarchive)"
run find --msgid x@example.com "$tmp/one.mbox.gz" "$tmp/one.mbox"
assert_status 0 "find on a gzip and a plain mbox without a loadable libarchive: the plain one searched"
assert_in "$tmp/err" "one.mbox.gz': cannot load libarchive" "the gzip one skipped, saying why"
assert_in "$tmp/err" "apt-get install libarchive13" "... and what to install"
run find --msgid x@example.com "$tmp/one.mbox"
assert_status 0 "find on a plain mbox works without either"
run --version
assert_status 0 "--version works without either"
assert_true "--version says libcurl cannot be loaded" grep -q '^  libcurl .*none (cannot be loaded)' "$tmp/out"
assert_true "--version says libarchive cannot be loaded" grep -q '^  libarchive .*none (cannot be loaded)' "$tmp/out"
unset LD_LIBRARY_PATH

finish
