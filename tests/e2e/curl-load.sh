#!/bin/sh
# libcurl is loaded by the commands that reach the network, not linked:
# find does not load it (nor the twenty libraries behind it), --version
# and the API's commands do; a libcurl that cannot be loaded stops an
# API command with EX_OSFILE (72) and the package to install, before
# anything is written, and leaves find and --version working.  Which
# libraries a process opens is the dynamic loader's own account
# (LD_DEBUG=files), not fpkit's.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

# loads CMD...: the files the loader opened for CMD, one a line
loads() {
	LD_DEBUG=files "$FPKIT_BIN" "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ;]*\).*/\1/p' | sort -u
}

printf 'From a@example.com Sun Dec  6 22:56:45 2026\nMessage-ID: <x@example.com>\n\nhi\n' >"$tmp/one.mbox"
loads find --msgid x@example.com "$tmp/one.mbox" >"$tmp/find.libs"
loads --version >"$tmp/version.libs"
assert_true "the loader's account names the libraries find opens (libc among them)" grep -q '^libc\.so' "$tmp/find.libs"
assert_false "find does not load libcurl" grep -q 'libcurl' "$tmp/find.libs"
assert_true "--version loads libcurl (to say which one runs)" grep -q 'libcurl' "$tmp/version.libs"
assert_true "find opens at least 15 libraries fewer than --version" \
	test "$(wc -l <"$tmp/find.libs")" -le "$(($(wc -l <"$tmp/version.libs") - 15))"

# A libcurl that cannot be loaded: an empty file found first.
mkdir "$tmp/lib" "$tmp/o"
: >"$tmp/lib/libcurl.so.4"
LD_LIBRARY_PATH=$tmp/lib
OVH_ENDPOINT=http://127.0.0.1:9/1.0
OVH_APPLICATION_KEY=ak OVH_APPLICATION_SECRET=as OVH_CONSUMER_KEY=ck
export LD_LIBRARY_PATH OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
run pack --ip 203.0.113.7 --mail "$DEMO_MAIL" -o "$tmp/o"
assert_status 72 "pack through the API without a loadable libcurl: EX_OSFILE"
assert_in "$tmp/err" "fpkit: cannot load libcurl" "the error says what cannot be loaded"
assert_in "$tmp/err" "apt-get install libcurl4" "the error says what to install"
assert_eq "$(ls -A "$tmp/o")" "" "nothing written in the output folder"
run find --msgid x@example.com "$tmp/one.mbox"
assert_status 0 "find works without libcurl"
run --version
assert_status 0 "--version works without libcurl"
assert_true "--version says libcurl cannot be loaded" grep -q '^  libcurl .*none (cannot be loaded)' "$tmp/out"
unset LD_LIBRARY_PATH

finish
