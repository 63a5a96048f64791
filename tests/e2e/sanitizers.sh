#!/bin/sh
# The harness fails on sanitizer reports: a small script that runs a
# deliberately faulty program (tests/helpers/sancheck) the way every
# test runs fpkit, expecting the exit status fpkit gives for "not found"
# (1), must fail and name the report; the same script on a program that
# does nothing wrong must pass.  Without the reports in files and the
# distinct exit status (lib.sh), a leak on a path that exits 1 passes.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
# These assertions test the harness, not fpkit: counted apart.
count_label="harness self-test: "
: "${SANCHECK:?run the tests through 'make check'}"

case " ${FPKIT_SANITIZERS:-} " in
*" asan "*) ;;
*) skip_all "fpkit was built without AddressSanitizer (configure --enable-asan)" ;;
esac
[ -z "${FPKIT_VALGRIND:-}" ] || skip_all "not under valgrind (a sanitizer build does not run under it)"

# child NAME BODY: a test script sourcing lib.sh with FPKIT set to the
# faulty program; its output in $tmp/NAME.out, its status in $cstatus.
child() {
	printf '. "%s/e2e/lib.sh"\n%s\nfinish\n' "$TESTS_DIR" "$2" >"$tmp/$1.sh"
	set +e
	FPKIT=$SANCHECK sh "$tmp/$1.sh" >"$tmp/$1.out" 2>&1
	cstatus=$?
	set -e
}

child clean 'run clean; assert_status 1 "clean run"'
assert_eq "$cstatus" 0 "a program without fault passes the harness"
assert_in "$tmp/clean.out" "1 passed, 0 failed" "and counts its one assertion"

child leak 'run leak; assert_status 1 "leak run"'
assert_false "a leak on a path that exits 1 fails the script" [ "$cstatus" -eq 0 ]
assert_in "$tmp/leak.out" "not ok - fpkit leak: a sanitizer report (exit 99)" "the failure names the command"
assert_in "$tmp/leak.out" "LeakSanitizer" "and quotes the report"
assert_in "$tmp/leak.out" "exit 99, expected 1" "a report changes the exit status to 99"

child overflow 'run overflow; assert_status 1 "overflow run"'
assert_false "a heap overflow fails the script" [ "$cstatus" -eq 0 ]
assert_in "$tmp/overflow.out" "not ok - fpkit overflow: a sanitizer report (exit 99)" "and names the command"

# A report from a command not run through run(), its output thrown
# away, still fails the script: through fpkit() at once, and at finish()
# for a call that bypasses even that.
child direct 'fpkit leak >/dev/null 2>&1 || :'
assert_false "a report from fpkit() fails the script" [ "$cstatus" -eq 0 ]
assert_in "$tmp/direct.out" "not ok - fpkit leak: exit 99, a sanitizer or valgrind report" "at once"
child bypass '"$FPKIT" leak >/dev/null 2>&1 || :'
assert_false "a report from a bare call fails the script" [ "$cstatus" -eq 0 ]
assert_in "$tmp/bypass.out" "not ok - a command of this script (not through run): a sanitizer report" \
	"at finish()"
assert_in "$tmp/bypass.out" "LeakSanitizer" "quoting the report"

case " $FPKIT_SANITIZERS " in
*" ubsan "*)
	child ubsan_ok 'run ubsan 1; assert_status 1 "INT_MAX"'
	assert_eq "$cstatus" 0 "INT_MAX - 1 + 1 is defined and passes"
	child ubsan 'run ubsan 2; assert_status 1 "INT_MAX + 1"'
	assert_false "a signed overflow fails the script" [ "$cstatus" -eq 0 ]
	assert_in "$tmp/ubsan.out" "runtime error: signed integer overflow" "and quotes the report"
	;;
*) skip "the UBSan cases: fpkit was built without --enable-ubsan" ;;
esac

# Outside lib.sh (the unit tests), make check's environment gives the
# same exit status 99, which automake counts as a hard error.
set +e
ASAN_OPTIONS=exitcode=99 LSAN_OPTIONS= "$SANCHECK" leak 2>/dev/null
st=$?
set -e
assert_eq "$st" 99 "with make check's options a leak exits 99"

finish
