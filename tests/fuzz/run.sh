#!/bin/sh
# run.sh - run one fuzz target for a bounded time, from its seeds, into a
# scratch corpus under /tmp, and print libFuzzer's final figures.
#
# usage: tests/fuzz/run.sh TARGET SECONDS
#   TARGET   alert, maillog, mbox, model, msgid, origin, ovhconf, template,
#            verify
#   SECONDS  the run's length (-max_total_time)
# Environment:
#   FUZZ_BUILDDIR  the build folder configured with --enable-fuzzing
#                  (default: the current folder)
#   FUZZ_WORKDIR   where corpora, logs and findings go (default:
#                  /tmp/fpkit-fuzz); TARGET/corpus is kept, so a second
#                  run goes on from the first
#   FUZZ_ARGS      more libFuzzer options
# The seeds come from fixtures/ and templates/ (seeds.sh) and, for the
# mail parsers, from ../shared/corpus when that folder is present.
# Exit status: 0 when nothing was found, else libFuzzer's (a crash, a
# leak, a timeout, out of memory), with the input kept in
# FUZZ_WORKDIR/TARGET/findings/.
set -eu
[ $# -eq 2 ] || { echo "usage: run.sh TARGET SECONDS" >&2; exit 64; }
target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILDDIR:-.}
bin=$build/tests/fuzz/$target-fuzzer
work=${FUZZ_WORKDIR:-/tmp/fpkit-fuzz}/$target

[ -f "$here/$target.dict" ] || { echo "run.sh: unknown target '$target'" >&2; exit 64; }
[ -x "$bin" ] || {
	echo "run.sh: no '$bin': build with 'CC=clang ./configure --enable-fuzzing && make fuzz'" \
		"and run from that folder, or set FUZZ_BUILDDIR" >&2
	exit 66
}
if ! grep -aq -e LLVMFuzzerRunDriver -e libFuzzer "$bin"; then
	echo "run.sh: '$bin' is not built with libFuzzer (configure --enable-fuzzing)" >&2
	exit 66
fi

# Longest input per target: enough for the seeds and what the format
# needs, small enough for thousands of runs a second.
case $target in
msgid|ovhconf) max_len=8192 ;;
model|template) max_len=16384 ;;
*) max_len=65536 ;;
esac

rm -rf "$work/seeds"
mkdir -p "$work/corpus" "$work/seeds" "$work/findings"
FPKIT=${FPKIT:-$build/src/fpkit} TARMK=${TARMK:-$build/tests/helpers/tarmk} \
	"$here/seeds.sh" "$target" "$work/seeds"
shared=$top/../shared/corpus
case $target in
msgid|mbox|alert|origin)
	if [ -d "$shared" ]; then
		find "$shared" -type f -size -"$((max_len / 1024))"k ! -name '*.md' ! -name '*.tsv' |
			while read -r f; do
				cp "$f" "$work/seeds/shared_$(printf '%s' "${f#"$shared"/}" | tr '/ ' '__')"
			done
	fi
	;;
esac

UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS ASAN_OPTIONS
status=0
# shellcheck disable=SC2086
"$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len="$max_len" \
	-dict="$here/$target.dict" -print_final_stats=1 -artifact_prefix="$work/findings/" \
	${FUZZ_ARGS:-} "$work/corpus" "$work/seeds" >"$work/log" 2>&1 || status=$?

# The figures: the last status line, the final stats.
last=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 || true)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)
cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
printf '%s: %s runs, %s exec/s, cov %s, ft %s, corpus %s, %s s, status %s\n' \
	"$target" "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$seconds" "$status"
if [ "$status" -ne 0 ]; then
	grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY|Test unit written' \
		"$work/log" | head -20
	echo "run.sh: $target found something: log $work/log, input(s) in $work/findings/"
fi
exit "$status"
