#!/bin/sh
# Each sample is opened once for the search and once for the bundle,
# and read once each time: the bytes that are hashed, checked, described
# in report.arf and packed are those of one read, from a descriptor
# opened without following a link.  Counted with strace on the demo
# case, for a Maildir message and for an mbox message.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
command -v strace >/dev/null 2>&1 || skip_all "strace is not installed (Debian: strace)"
[ -z "${FPKIT_VALGRIND:-}" ] || skip_all "not under valgrind (strace would trace valgrind)"
strace -f -qq -o /dev/null true 2>/dev/null || skip_all "strace cannot trace here (no ptrace)"

ORDER_FILE=1795180981.M731554P4268.mx1.shop.example.com,S=2771,W=2840

# traced ARGS...: fpkit ARGS under strace, the trace in $tmp/trace.
# LeakSanitizer cannot run under ptrace.
traced() {
	set +e
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -qq -y \
		-e trace=open,openat,read,pread64 -o "$tmp/trace" "$FPKIT" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}

# count KIND NAME: the open (KIND=open) or read (KIND=read) calls on NAME.
count() {
	case $1 in
	open) grep -E '^[0-9]+ +open(at)?\(' "$tmp/trace" | grep -F -- "$2" | grep -vc ' = -1 ' || : ;;
	read) grep -E '^[0-9]+ +(read|pread64)\([0-9]+<[^>]*'"$2" "$tmp/trace" | grep -c . || : ;;
	esac
}

traced pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--no-dkim -o "$tmp/b.tar.gz"
assert_status 0 "pack under strace"
assert_eq "$(count open "$ORDER_FILE")" 2 "a Maildir sample: opened twice (search, bundle)"
assert_eq "$(count read "$ORDER_FILE")" 2 "a Maildir sample: read twice (its header, then whole)"
assert_true "the bundle's open does not follow a link" \
	grep -qE "open(at)?\(.*$ORDER_FILE.*O_NOFOLLOW" "$tmp/trace"

mkdir "$tmp/mb"
{
	printf 'From a@example.com Fri Nov 20 13:23:00 2026\n'
	cat "$DEMO_MAIL/new/$ORDER_FILE"
	printf '\nFrom b@example.com Fri Nov 20 13:24:00 2026\nMessage-ID: <other@example.com>\n\nx\n'
} >"$tmp/mb/sent.mbox"
traced pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/mb" \
	--no-dkim -o "$tmp/m.tar.gz"
assert_status 0 "pack of an mbox under strace"
assert_eq "$(count open sent.mbox)" 2 "an mbox sample: opened twice (search, bundle)"

finish
