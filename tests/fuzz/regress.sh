#!/bin/sh
# regress.sh - 'make check' replays, through every fuzz target, its seeds
# and the inputs that once crashed it (tests/fuzz/regress/TARGET/): each
# must run to the end, clean under the build's ASan, UBSan or valgrind.
# The targets are the replaying programs of a default build, or the
# fuzzers themselves in an --enable-fuzzing build (libFuzzer runs the
# files it is given once each).
# shellcheck source=../e2e/lib.sh
. "$TESTS_DIR/e2e/lib.sh"
: "${FUZZ_DIR:?run the tests through 'make check'}"

for target in alert idlist maillog mbox model msgid origin ovhconf report template verify; do
	bin=$FUZZ_DIR/$target-fuzzer
	mkdir -p "$tmp/$target"
	FPKIT=$FPKIT TARMK=${TARMK:-} "$TESTS_DIR/fuzz/seeds.sh" "$target" "$tmp/$target"
	if [ -d "$TESTS_DIR/fuzz/regress/$target" ]; then
		for f in "$TESTS_DIR/fuzz/regress/$target"/*; do
			[ -f "$f" ] && cp "$f" "$tmp/$target/regress-$(basename "$f")"
		done
	fi
	n=$(find "$tmp/$target" -type f | wc -l)
	set +e
	# shellcheck disable=SC2086
	${FPKIT_VALGRIND:-} "$bin" "$tmp/$target"/* >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
	assert_status 0 "$target: $n seeds and past crashes replayed"
	assert_not_in "$tmp/err" "ERROR:" "$target: no sanitizer report"
	assert_not_in "$tmp/err" "runtime error" "$target: no undefined behaviour"
done
finish
