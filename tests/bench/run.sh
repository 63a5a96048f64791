#!/bin/sh
# run.sh - the find benchmark: fpkit find against ripgrep on the same
# generated corpus, in the same run.  Not part of 'make check'.
#
#   make bench                      # 1 GiB corpus in /tmp/fpkit-bench
#   BENCH_MIB=4096 make bench       # a 4 GiB corpus
#
# Environment: FPKIT (the binary), GENCORPUS (the generator), BENCH_DIR,
# BENCH_MIB (corpus size per store, default 1024), BENCH_RUNS (timed runs
# per case, default 3; the median is kept).  Needs ripgrep (rg) and GNU
# time (/usr/bin/time); cold-cache figures need vmtouch or a writable
# /proc/sys/vm/drop_caches, and are left out, saying so, without them.
set -eu
LC_ALL=C
export LC_ALL

FPKIT=${FPKIT:-src/fpkit}
GENCORPUS=${GENCORPUS:-tests/bench/gencorpus}
BENCH_MIB=${BENCH_MIB:-1024}
BENCH_DIR=${BENCH_DIR:-/tmp/fpkit-bench}
BENCH_RUNS=${BENCH_RUNS:-3}
D="$BENCH_DIR/corpus-$BENCH_MIB"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is needed ($2)" >&2; exit 1; }; }
need rg "apt-get install ripgrep"
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
[ -x "$FPKIT" ] || { echo "bench: no fpkit at $FPKIT (make first)" >&2; exit 1; }

if [ ! -f "$D/.done" ]; then
	echo "bench: generating a ${BENCH_MIB} MiB corpus in $D ..." >&2
	rm -rf "$D"
	mkdir -p "$D"
	"$GENCORPUS" "$D" "$BENCH_MIB" 1000 42
	: >"$D/.done"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/fpkit-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# How to empty the page cache for a path, if this machine lets us.
if command -v vmtouch >/dev/null 2>&1; then
	evict() { vmtouch -q -e "$1" >/dev/null 2>&1; }
	cold=vmtouch
elif [ -w /proc/sys/vm/drop_caches ]; then
	evict() { sync; echo 3 >/proc/sys/vm/drop_caches; }
	cold=drop_caches
else
	cold=
fi

# measure CACHE PATH OUT CMD...: median wall time (s) and the largest
# peak RSS (KiB) over BENCH_RUNS runs; the last run's stdout in OUT.
measure() {
	cache=$1 path=$2 out=$3
	shift 3
	[ "$cache" = warm ] && "$@" >"$out" 2>/dev/null || true
	: >"$work/times"
	i=0
	while [ "$i" -lt "$BENCH_RUNS" ]; do
		[ "$cache" = cold ] && evict "$path"
		/usr/bin/time -f '%e %M' -o "$work/t" "$@" >"$out" 2>/dev/null || true
		# the last line: GNU time puts "Command exited with ..." before it
		tail -n 1 "$work/t" >>"$work/times"
		i=$((i + 1))
	done
	secs=$(sort -n "$work/times" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
	rss=$(awk 'm < $2 { m = $2 } END { print m }' "$work/times")
}

# accuracy OUT TRUTH IDS KIND: misses and false positives of OUT against
# the truth rows for the ids in IDS.  KIND: fpkit-maildir, fpkit-mbox,
# rg-maildir (file list), rg-mbox (offset:line list).
accuracy() {
	out=$1 truth=$2 ids=$3 kind=$4
	awk -F '\t' 'NR == FNR { want[$1] = 1; next } ($1 in want)' "$ids" "$truth" >"$work/truth"
	case $kind in
	fpkit-maildir)
		awk -F '\t' -v d="$D/" '{ p = $2; sub(d, "", p); print $1 "\t" p }' "$out" | sort >"$work/got"
		sort "$work/truth" >"$work/want" ;;
	fpkit-mbox)
		cut -f 1,3,4 "$out" | sort >"$work/got"
		sort "$work/truth" >"$work/want" ;;
	rg-maildir)
		sed "s|^$D/||" "$out" | sort -u >"$work/got"
		cut -f 2 "$work/truth" | sort -u >"$work/want" ;;
	rg-mbox)
		# a hit is right when it is the Message-ID line of a target
		awk -F '\t' '{ print $2 }' "$work/truth" | sort >"$work/starts"
		cut -d: -f 1 "$out" | sort -u >"$work/offs"
		# map each matching line to the message that holds it
		awk -F '\t' 'NR == FNR { s[++n] = $2; l[n] = $3; next }
			{ o = $1 + 0; hit = 0
			  for (i = 1; i <= n; i++) if (o >= s[i] && o < s[i] + l[i]) { hit = i; break }
			  print (hit ? s[hit] : "x" o) }' "$work/truth" "$work/offs" | sort -u >"$work/got"
		cp "$work/starts" "$work/want"
		# lines in target messages that are not their Message-ID (a
		# decoy References in a target) still point at the right
		# message; the cost is the lines outside any target
		;;
	esac
	misses=$(comm -13 "$work/got" "$work/want" | wc -l | tr -d ' ')
	fps=$(comm -23 "$work/got" "$work/want" | wc -l | tr -d ' ')
}

mib=$(du -sm "$D/Maildir" | cut -f 1)
mbox_mib=$(( $(stat -c %s "$D/sent.mbox") / 1048576 ))
nfiles=$(find "$D/Maildir" -type f | wc -l | tr -d ' ')
printf 'corpus: %s (Maildir %s MiB in %s files, mbox %s MiB), %s runs per case, median\n' \
	"$D" "$mib" "$nfiles" "$mbox_mib" "$BENCH_RUNS"
[ -n "$cold" ] || echo "cold cache: not measurable here (no vmtouch, /proc/sys/vm/drop_caches not writable)"
printf '%-8s %-5s %-5s %-24s %8s %9s %7s %8s %6s %6s\n' store ids cache tool seconds MiB/s "x rg" "RSS MiB" misses FPs

for store in maildir mbox; do
	if [ "$store" = maildir ]; then path="$D/Maildir" size=$mib; else path="$D/sent.mbox" size=$mbox_mib; fi
	for n in 1 1000; do
		ids="$D/ids-$n.txt"
		for cache in warm cold; do
			[ "$cache" = cold ] && [ -z "$cold" ] && continue
			if [ "$store" = maildir ]; then
				measure "$cache" "$path" "$work/rg.out" rg -l -F --hidden -f "$ids" "$path"
				rgname="rg -l -F --hidden"
			else
				measure "$cache" "$path" "$work/rg.out" rg -b -F -f "$ids" "$path"
				rgname="rg -b -F"
			fi
			rg_secs=$secs rg_rss=$rss
			accuracy "$work/rg.out" "$D/truth-$store.tsv" "$ids" "rg-$store"
			printf '%-8s %-5s %-5s %-24s %8s %9s %7s %8s %6s %6s\n' "$store" "$n" "$cache" "$rgname" \
				"$rg_secs" "$(awk -v s="$size" -v t="$rg_secs" 'BEGIN { printf "%.0f", (t > 0 ? s / t : 0) }')" \
				1.00 "$((rg_rss / 1024))" "$misses" "$fps"
			measure "$cache" "$path" "$work/fp.out" "$FPKIT" find --msgid-file "$ids" "$path"
			accuracy "$work/fp.out" "$D/truth-$store.tsv" "$ids" "fpkit-$store"
			printf '%-8s %-5s %-5s %-24s %8s %9s %7s %8s %6s %6s\n' "$store" "$n" "$cache" "fpkit find" \
				"$secs" "$(awk -v s="$size" -v t="$secs" 'BEGIN { printf "%.0f", (t > 0 ? s / t : 0) }')" \
				"$(awk -v a="$rg_secs" -v b="$secs" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
				"$((rss / 1024))" "$misses" "$fps"
		done
	done
done
echo "x rg: ripgrep's time divided by the tool's (above 1: faster than ripgrep)"
