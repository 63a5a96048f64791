# lib.sh - sourced by every end-to-end test: a private temp folder, a
# way to run the real fpkit binary, and assertions that count.
set -eu
: "${FPKIT:?run the tests through 'make check'}"
: "${FIXTURES:?run the tests through 'make check'}"

# One time zone and one locale, whatever the machine's: every script and
# its tools (tar -tv, sort, date) run in UTC and C.  FPKIT_TEST_TZ and
# FPKIT_TEST_LOCALE, when set, are given to fpkit alone (through
# $FPKIT, a wrapper made below), so that an output which then changes is
# fpkit's own hidden dependence on the machine's settings, not a
# script's.  A script that sets TZ for fpkit on purpose (mail-log times)
# keeps its own.  FPKIT_BIN is the binary itself.
TZ=UTC
LC_ALL=C
export TZ LC_ALL
FPKIT_BIN=$FPKIT

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fpkit-test.XXXXXX")
# Sanitizer reports of every process the test starts fail the test.
# ASan and LSan write them to files in $san, whatever the process's
# stderr was redirected to; UBSan (GCC's runtime ignores log_path)
# writes them to stderr.  All three make the process exit 99 rather than
# 1 (fpkit's own status for "not found" and "not intact"), as valgrind
# does under 'make check-valgrind'.  fpkit() and run() fail on status 99
# or a report, finish() on any report left in $san.
san=$(mktemp -d "${TMPDIR:-/tmp}/fpkit-san.XXXXXX")
trap 'rm -rf "$tmp" "$san"' EXIT
cd "$tmp"
if [ -n "${FPKIT_TEST_TZ:-}${FPKIT_TEST_LOCALE:-}" ]; then
	mkdir "$san/bin"
	FPKIT=$san/bin/fpkit
	{
		echo '#!/bin/sh'
		[ -z "${FPKIT_TEST_TZ:-}" ] || echo "[ \"\$TZ\" != UTC ] || TZ='$FPKIT_TEST_TZ'"
		[ -z "${FPKIT_TEST_LOCALE:-}" ] || echo "LC_ALL='$FPKIT_TEST_LOCALE'"
		echo 'export TZ LC_ALL'
		echo "exec '$FPKIT_BIN' \"\$@\""
	} >"$FPKIT"
	chmod 755 "$FPKIT"
fi
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99:log_path=$san/asan
LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=99:log_path=$san/lsan
UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99
export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS

# Nothing of the machine's own OVH API set-up may reach a test: no
# OVH_* variable, no ~/.ovh.conf, no /etc/ovh.conf (fpkit reads
# FPKIT_SYSTEM_OVH_CONF instead); and should anything still try to leave
# the machine through a proxy-aware client, it goes nowhere.
unset OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY \
	OVH_CLIENT_ID OVH_CLIENT_SECRET OVH_ACCESS_TOKEN
mkdir "$tmp/.home"
HOME=$tmp/.home
FPKIT_SYSTEM_OVH_CONF=$tmp/no-etc-ovh.conf
# Nor the machine's fpkit.conf (the user's is under the new HOME), nor a
# package build's SOURCE_DATE_EPOCH (dpkg-buildpackage sets it; the
# tests that want one set it themselves).
FPKIT_SYSTEM_CONF=$tmp/no-etc-fpkit.conf
unset XDG_CONFIG_HOME FPKIT_CONFIG SOURCE_DATE_EPOCH
export FPKIT_SYSTEM_CONF
http_proxy=http://127.0.0.1:9
https_proxy=http://127.0.0.1:9
no_proxy=127.0.0.1,localhost
export HOME FPKIT_SYSTEM_OVH_CONF http_proxy https_proxy no_proxy
# A text fpkit writes for people with no entry in src/words/en.c stops it
# (words.h), so that every test run finds one.
FPKIT_WORDS_CHECK=1
export FPKIT_WORDS_CHECK
passed=0
failed=0
skipped=0

# fpkit ARGS...: the binary under test (under valgrind with
# 'make check-valgrind').
fpkit() {
	# shellcheck disable=SC2086
	${FPKIT_VALGRIND:-} "$FPKIT" "$@" && return 0
	set -- $? "$@"
	[ "$1" -ne 99 ] || san_report "fpkit ${2:-}: exit 99, a sanitizer or valgrind report"
	return "$1"
}

# run ARGS...: run fpkit; stdout in $tmp/out, stderr in $tmp/err, exit
# status in $status.  Never stops the script.
run() {
	set +e
	# shellcheck disable=SC2086
	${FPKIT_VALGRIND:-} "$FPKIT" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
	san_check "fpkit $*" || :
}

# san_check WHAT: WHAT fails if a sanitizer report was written to $san
# since the last check, or is in $tmp/err, or the status was 99; the
# report's first lines are shown.  Returns 1 if so.
san_check() {
	set -- "$1" "$(find "$san" -type f ! -name '*.seen' ! -path "$san/bin/*" | sort)"
	if [ -z "$2" ] && [ "${status:-0}" -ne 99 ] &&
		! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/err" 2>/dev/null; then
		return 0
	fi
	san_report "$1: a sanitizer report (exit ${status:-?})"
	for f in $2; do
		sed 's/^/#   /' "$f" | head -40
		mv "$f" "$f.seen"
	done
	return 1
}

# san_report WHAT: count a failed assertion for a sanitizer report, on
# the script's own output (fd 9) even when the command's was redirected.
exec 9>&1
san_report() {
	failed=$((failed + 1))
	printf 'not ok - %s\n' "$1" >&9
}

ok() { passed=$((passed + 1)); printf 'ok - %s\n' "$*"; }

# skip WHAT: checks that cannot run on this machine, WHAT naming them and
# what is missing.  Counted apart from passes and failures, on a line
# "skip - WHAT" that .ci/run lists.
skip() { skipped=$((skipped + 1)); printf 'skip - %s\n' "$*"; }
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

# assert_said FILE TEXT WHAT: FILE says TEXT, its lines joined and its
# blanks squeezed (a ticket breaks its lines where the values' widths
# make it).
assert_said() {
	if tr '\n' ' ' <"$1" | tr -s ' ' | grep -qF -- "$(printf '%s' "$2" | tr -s ' ')"; then ok "$3"
	else not_ok "$3: '$2' not said in $(basename "$1")"; fi
}

# assert_not_in FILE TEXT WHAT: FILE exists and does not contain TEXT.
assert_not_in() {
	if [ ! -f "$1" ]; then
		not_ok "$3: no file $1 to look in"
	elif grep -qF -- "$2" "$1"; then
		not_ok "$3: '$2' found in $(basename "$1")"
	else
		ok "$3"
	fi
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

# Permissions: root reads and writes whatever the modes say, so a check
# of a refusal (a read-only folder, a file of mode 000) runs as the user
# nobody when the tests run as root, through setpriv(1) or runuser(1)
# (util-linux).  UNPRIV is the prefix that does it ("" when not root);
# when there is none, UNPRIV_MISSING says why, for skip.
UNPRIV=
UNPRIV_MISSING=
if [ "$(id -u)" -eq 0 ]; then
	if ! id nobody >/dev/null 2>&1; then
		UNPRIV_MISSING="running as root, and there is no user nobody"
	elif command -v setpriv >/dev/null 2>&1; then
		UNPRIV="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups --"
	elif command -v runuser >/dev/null 2>&1; then
		UNPRIV="runuser -u nobody --"
	else
		UNPRIV_MISSING="running as root, without setpriv or runuser (util-linux) to become nobody"
	fi
	if [ -n "$UNPRIV" ] && ! $UNPRIV test -x "$FPKIT_BIN" -a -r "$FIXTURES/demo/api/spam-ip.json"; then
		UNPRIV_MISSING="the user nobody cannot reach '$FPKIT_BIN' or the fixtures"
		UNPRIV=
	fi
fi

# run_unpriv ARGS...: run() as a user without privileges (nobody, when
# the tests run as root): the caller has checked UNPRIV_MISSING.  The
# folders on the way ($tmp, the reports' folder) are opened to others
# for that; sanitizer reports go to a folder nobody can write, still
# under $san.
run_unpriv() {
	if [ -n "$UNPRIV" ]; then
		chmod 711 "$tmp" "$san"
		[ ! -d "$san/bin" ] || chmod 755 "$san/bin"
		mkdir -p "$san/u"
		chmod 1777 "$san/u"
		set +e
		# shellcheck disable=SC2086
		ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$san/u/asan LSAN_OPTIONS=$LSAN_OPTIONS:log_path=$san/u/lsan \
			$UNPRIV ${FPKIT_VALGRIND:-} "$FPKIT" "$@" >"$tmp/out" 2>"$tmp/err"
		status=$?
		set -e
		san_check "fpkit $* (as nobody)" || :
	else
		run "$@"
	fi
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

# finish: the count, and the exit status the harness reads.  The line
# "N passed, N failed" counts assertions about fpkit; a script that tests
# the harness itself sets count_label (e.g. "fake server self-test: "),
# so that .ci/run reports it apart.  Skips are on a line of their own.
count_label=
finish() {
	status=0
	: >"$tmp/err"
	san_check "a command of this script (not through run)" || :
	[ "$skipped" -eq 0 ] || printf '%d skipped\n' "$skipped"
	printf '%s%d passed, %d failed\n' "$count_label" "$passed" "$failed"
	[ "$failed" -eq 0 ]
}

# skip_all REASON: nothing here can run on this machine.
skip_all() {
	printf 'skipped: %s\n' "$1"
	exit 77
}
