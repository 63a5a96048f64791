# lib.sh - sourced by every end-to-end test: a private temp folder, a
# way to run the real fpkit binary, and assertions that count.
set -eu
LC_ALL=C
export LC_ALL
: "${FPKIT:?run the tests through 'make check'}"
: "${FIXTURES:?run the tests through 'make check'}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fpkit-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# Nothing of the machine's own OVH API set-up may reach a test: no
# OVH_* variable, no ~/.ovh.conf, no /etc/ovh.conf (fpkit reads
# FPKIT_SYSTEM_OVH_CONF instead); and should anything still try to leave
# the machine through a proxy-aware client, it goes nowhere.
unset OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY \
	OVH_CLIENT_ID OVH_CLIENT_SECRET OVH_ACCESS_TOKEN
mkdir "$tmp/.home"
HOME=$tmp/.home
FPKIT_SYSTEM_OVH_CONF=$tmp/no-etc-ovh.conf
http_proxy=http://127.0.0.1:9
https_proxy=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost
export HOME FPKIT_SYSTEM_OVH_CONF http_proxy https_proxy no_proxy
passed=0
failed=0

# fpkit ARGS...: the binary under test (under valgrind with
# 'make check-valgrind').
fpkit() {
	# shellcheck disable=SC2086
	${FPKIT_VALGRIND:-} "$FPKIT" "$@"
}

# run ARGS...: run fpkit; stdout in $tmp/out, stderr in $tmp/err, exit
# status in $status.  Never stops the script.
run() {
	set +e
	fpkit "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}

ok() { passed=$((passed + 1)); printf 'ok - %s\n' "$*"; }
not_ok() {
	failed=$((failed + 1))
	printf 'not ok - %s\n' "$*"
	if [ -s "$tmp/err" ]; then sed 's/^/#   stderr: /' "$tmp/err" | head -20; fi
}

# assert_status N WHAT: the last run exited with N.
assert_status() {
	if [ "$status" -eq "$1" ]; then ok "$2 (exit $1)"; else not_ok "$2: exit $status, expected $1"; fi
}

# assert_in FILE TEXT WHAT: FILE contains TEXT (fixed string).
assert_in() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else not_ok "$3: '$2' not in $(basename "$1")"; fi
}

# assert_not_in FILE TEXT WHAT
assert_not_in() {
	if grep -qF -- "$2" "$1"; then not_ok "$3: '$2' found in $(basename "$1")"; else ok "$3"; fi
}

# assert_eq GOT EXPECTED WHAT
assert_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3: got '$1', expected '$2'"; fi
}

# assert_true WHAT COMMAND...: COMMAND succeeds.
assert_true() {
	what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# assert_false WHAT COMMAND...: COMMAND fails.
assert_false() {
	what=$1
	shift
	if "$@"; then not_ok "$what"; else ok "$what"; fi
}

# no_leftovers DIR WHAT: DIR holds no bundle and no temporary file.
no_leftovers() {
	if [ -z "$(ls -A "$1")" ]; then ok "$2"; else not_ok "$2: left $(ls -A "$1" | tr '\n' ' ')"; fi
}

# The demo case.
DEMO="$FIXTURES/demo"
DEMO_SPAMIP="$DEMO/api/spam-ip.json"
DEMO_STATS="$DEMO/api/stats.json"
DEMO_MAIL="$DEMO/mail/Maildir"
DEMO_BUNDLE=fpkit-203.0.113.7-20261120T133207Z.tar.gz

# pack_demo ARGS...: run 'fpkit pack' on the demo case with more ARGS.
pack_demo() {
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
		--mail "$DEMO_MAIL" "$@"
}

# finish: the count, and the exit status the harness reads.
finish() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
}

# skip_all REASON: nothing here can run on this machine.
skip_all() {
	printf 'skipped: %s\n' "$1"
	exit 77
}
