#!/bin/sh
# matrix.sh - the find benchmark matrix: fpkit find against ripgrep and
# against the read limit (the time to read the store and nothing more), on
# stores of every shape, in the same run.  Not part of 'make check'.
#
#   make bench-matrix                        # 1 GiB per store
#   BENCH_MIB=64 BENCH_RUNS=1 make bench-matrix   # a quick smoke run
#
# Shapes (tests/bench/gencorpus -s): mixed (the corpus of 'make bench'),
# small (2 KiB text), html (50 KiB newsletters), attach (2-4 MiB base64
# attachments), fromlines (a body line in four starting "From ", as
# mboxrd and as mboxo), crlf (CRLF line ends).  Each as a Maildir++ tree
# and as an mbox; the mbox of BENCH_COMPRESS_SHAPE also compressed with
# gzip, xz and zstd.  For each store: 1 id and 1000 ids, warm and cold
# cache; three tools per cell, run one after the other:
#   fpkit      fpkit find --msgid-file IDS STORE
#   rg         rg -l -F --hidden -f IDS MAILDIR; rg -b -F -f IDS MBOX;
#              zcat|xzcat|zstdcat MBOX.z | rg -b -F -f IDS -
#   read       find MAILDIR -type f | xargs cat >/dev/null; cat MBOX
#              >/dev/null; zcat|xzcat|zstdcat MBOX.z >/dev/null
# Each answer is checked against the generator's ground truth (which
# message holds which target): misses and false positives, for fpkit and
# for ripgrep (whose matches in References, bodies and tmp/ copies are
# false positives by this measure).  The targets of each cell:
#   every cell          fpkit exact (0 misses, 0 false positives), peak
#                       RSS under 64 MiB
#   Maildir             fpkit >= 3x ripgrep (warm and cold)
#   mbox, mboxo (warm)  fpkit >= 1.5x ripgrep with 1 id, >= 3x with 1000;
#                       fpkit's time <= 0.6x cat's
#   compressed          fpkit's time <= 1.15x the decompressor's alone,
#                       and below the decompressor piped into ripgrep
# Times are wall-clock (nanosecond clock around the command), the median of
# BENCH_RUNS runs; RSS is the largest peak of those runs (GNU time's %M;
# for a pipeline, the largest process of it).  Ratios are taken within one
# run of this script, so a loaded machine slows the tools alike, but
# figures to publish need a quiet machine.  Warm: the store's cache is
# emptied and the store read once by cat before its warm cells, so that
# the page cache holds it as after any read from disk (on Linux 6.x with
# ext4 or XFS, in large folios that fpkit's 2 MiB-aligned windows map
# whole), not as the generator's small writes left it (small pages,
# mapped one 64 KiB fault at a time: a 1 GiB mbox then takes fpkit
# about as long as cat).  Cold: vmtouch -e empties the
# page cache of the store's files before each timed run (the kernel's
# cache of folders and inodes stays); drop_caches empties both, for the
# whole machine.
#
# Output: a Markdown table on standard output and in
# BENCH_DIR/matrix-MIB.md, the same figures as TSV in BENCH_DIR/matrix-MIB.tsv
# (one row per cell, with each target met, missed or "-").
#
# Environment: FPKIT (the binary), GENCORPUS (the generator), BENCH_DIR
# (default /tmp/fpkit-bench; stores are kept there and reused), BENCH_MIB
# (each store's size, default 1024), BENCH_RUNS (timed runs per tool and
# cell, default 3), BENCH_SHAPES (default: all six), BENCH_COMPRESS_SHAPE
# (default mixed), BENCH_CACHE (default "warm cold").  Needs ripgrep (rg;
# Debian: ripgrep), GNU time (/usr/bin/time; Debian: time), gzip, xz and
# zstd; cold-cache figures need vmtouch (Debian: vmtouch) or a writable
# /proc/sys/vm/drop_caches, and are left out, saying so, without them.
# Disk: about 2.2 x BENCH_MIB per shape, plus the compressed files.
set -eu
LC_ALL=C
export LC_ALL

FPKIT=${FPKIT:-src/fpkit}
GENCORPUS=${GENCORPUS:-tests/bench/gencorpus}
BENCH_MIB=${BENCH_MIB:-1024}
BENCH_DIR=${BENCH_DIR:-/tmp/fpkit-bench}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_SHAPES=${BENCH_SHAPES:-mixed small html attach fromlines crlf}
BENCH_COMPRESS_SHAPE=${BENCH_COMPRESS_SHAPE:-mixed}
BENCH_CACHE=${BENCH_CACHE:-warm cold}
MAX_RSS_KIB=65536
M="$BENCH_DIR/matrix-$BENCH_MIB"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench-matrix: $1 is needed ($2)" >&2; exit 1; }; }
need rg "apt-get install ripgrep"
need gzip "apt-get install gzip"
need xz "apt-get install xz-utils"
need zstd "apt-get install zstd"
[ -x /usr/bin/time ] || { echo "bench-matrix: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
[ -x "$FPKIT" ] || { echo "bench-matrix: no fpkit at $FPKIT (make first)" >&2; exit 1; }
[ -x "$GENCORPUS" ] || { echo "bench-matrix: no generator at $GENCORPUS (make tests/bench/gencorpus)" >&2; exit 1; }

# The stores, made once and kept: the slow part at 1 GiB (xz above all).
for shape in $BENCH_SHAPES; do
	D="$M/$shape"
	if [ ! -f "$D/.done" ]; then
		echo "bench-matrix: generating the $shape stores (${BENCH_MIB} MiB each) in $D ..." >&2
		rm -rf "$D"
		mkdir -p "$D"
		"$GENCORPUS" -s "$shape" "$D" "$BENCH_MIB" 1000 42
		: >"$D/.done"
	fi
	if [ "$shape" = "$BENCH_COMPRESS_SHAPE" ] && [ ! -f "$D/.compressed" ]; then
		echo "bench-matrix: compressing $D/sent.mbox with gzip, xz and zstd ..." >&2
		gzip -c "$D/sent.mbox" >"$D/sent.mbox.gz"
		xz -T0 -c "$D/sent.mbox" >"$D/sent.mbox.xz"
		zstd -q -T0 -c "$D/sent.mbox" >"$D/sent.mbox.zst"
		: >"$D/.compressed"
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fpkit-matrix.XXXXXX")
trap 'rm -rf "$work"' EXIT

# How to empty the page cache for a path, if this machine lets us.
if command -v vmtouch >/dev/null 2>&1; then
	evict() { vmtouch -q -e "$1" >/dev/null 2>&1; }
	cold=vmtouch
elif [ -w /proc/sys/vm/drop_caches ]; then
	evict() { sync; echo 3 >/proc/sys/vm/drop_caches; }
	cold=drop_caches
else
	evict() { :; }
	cold=
fi

now() { date +%s%N; }

# measure CACHE PATH OUT CMD...: median wall time (s) of BENCH_RUNS runs
# in $secs, the largest peak RSS (KiB) in $rss; the last run's stdout in
# OUT.  Warm: the store was read into the cache before its cells (below).
measure() {
	m_cache=$1 m_path=$2 m_out=$3
	shift 3
	: >"$work/times"
	i=0
	while [ "$i" -lt "$BENCH_RUNS" ]; do
		if [ "$m_cache" = cold ]; then evict "$m_path"; fi
		t0=$(now)
		/usr/bin/time -f '%M' -o "$work/t" "$@" >"$m_out" 2>/dev/null </dev/null || true
		t1=$(now)
		printf '%s %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')" \
			"$(tail -n 1 "$work/t")" >>"$work/times"
		i=$((i + 1))
	done
	secs=$(sort -n "$work/times" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
	rss=$(awk 'm < $2 + 0 { m = $2 + 0 } END { print m + 0 }' "$work/times")
}

# The truth rows (id, file | id, offset, length) for the ids of IDS.
truth_for() {
	awk -F '\t' 'NR == FNR { want[$1] = 1; next } ($1 in want)' "$1" "$2"
}

# accuracy OUT TRUTH KIND: $misses and $fps of OUT against the truth rows
# TRUTH.  KIND: fpkit-files (id, path, 0, size), fpkit-mbox (id, path,
# offset, length), rg-files (a file list), rg-mbox (offset:line; a line
# counts for the target message that holds it, any other is a false
# positive).
accuracy() {
	a_out=$1 a_truth=$2
	case $3 in
	fpkit-files)
		awk -F '\t' -v d="$D/" '{ p = $2; if (index(p, d) == 1) p = substr(p, length(d) + 1); print $1 "\t" p }' \
			"$a_out" | sort -u >"$work/got"
		sort -u "$a_truth" >"$work/want" ;;
	fpkit-mbox)
		cut -f 1,3,4 "$a_out" | sort -u >"$work/got"
		sort -u "$a_truth" >"$work/want" ;;
	rg-files)
		awk -v d="$D/" '{ p = $0; if (index(p, d) == 1) p = substr(p, length(d) + 1); print p }' \
			"$a_out" | sort -u >"$work/got"
		cut -f 2 "$a_truth" | sort -u >"$work/want" ;;
	rg-mbox)
		cut -f 2,3 "$a_truth" | sort -n >"$work/spans"
		awk -F '\t' '{ print $1 }' "$work/spans" | sort >"$work/want"
		# each hit to the target message around it, by binary search
		cut -d: -f 1 "$a_out" | awk -F '\t' '
			NR == FNR { s[++n] = $1 + 0; l[n] = $2 + 0; next }
			{
				o = $1 + 0; lo = 1; hi = n; k = 0
				while (lo <= hi) {
					mid = int((lo + hi) / 2)
					if (s[mid] <= o) { k = mid; lo = mid + 1 } else hi = mid - 1
				}
				if (k && o < s[k] + l[k]) printf "%.0f\n", s[k]; else printf "x%.0f\n", o
			}' "$work/spans" - | sort -u >"$work/got" ;;
	esac
	misses=$(comm -13 "$work/got" "$work/want" | wc -l | tr -d ' ')
	fps=$(comm -23 "$work/got" "$work/want" | wc -l | tr -d ' ')
}

# The stores of the matrix: shape, store, path, truth file, read command.
: >"$work/cells"
for shape in $BENCH_SHAPES; do
	D="$M/$shape"
	printf '%s\tMaildir\t%s\t%s\tfind|xargs cat\n' "$shape" "$D/Maildir" "$D/truth-maildir.tsv" >>"$work/cells"
	printf '%s\tmbox\t%s\t%s\tcat\n' "$shape" "$D/sent.mbox" "$D/truth-mbox.tsv" >>"$work/cells"
	if [ "$shape" = fromlines ]; then
		printf '%s\tmboxo\t%s\t%s\tcat\n' "$shape" "$D/sent-mboxo.mbox" "$D/truth-mboxo.tsv" >>"$work/cells"
	fi
	if [ "$shape" = "$BENCH_COMPRESS_SHAPE" ]; then
		printf '%s\tmbox.gz\t%s\t%s\tzcat\n' "$shape" "$D/sent.mbox.gz" "$D/truth-mbox.tsv" >>"$work/cells"
		printf '%s\tmbox.xz\t%s\t%s\txzcat\n' "$shape" "$D/sent.mbox.xz" "$D/truth-mbox.tsv" >>"$work/cells"
		printf '%s\tmbox.zst\t%s\t%s\tzstdcat\n' "$shape" "$D/sent.mbox.zst" "$D/truth-mbox.tsv" >>"$work/cells"
	fi
done

MD="$M.md"
TSV="$M.tsv"
{
	printf '## find matrix: %s MiB per store, %s run(s) per tool and cell (median)\n\n' "$BENCH_MIB" "$BENCH_RUNS"
	# fpkit --version goes on with its libraries: its first line only
	printf '%s; %s processors; %s; %s\n\n' "$(uname -sr)" "$(nproc)" \
		"$({ "$FPKIT" --version 2>/dev/null || echo fpkit; } | head -n 1)" "$(rg --version | head -n 1)"
	# other work on the machine slows every tool of a cell alike, but
	# not always as much: the load says how far to trust the ratios
	printf 'Load average at the start: %s.\n\n' "$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)"
	if [ -z "$cold" ]; then
		printf 'Cold cache: not measurable here (no vmtouch, /proc/sys/vm/drop_caches not writable); warm only.\n\n'
	else
		printf 'Cold cache: emptied with %s before each timed run.\n\n' "$cold"
	fi
	printf '| shape | store | MiB | ids | cache | fpkit s | rg s | read s | rg / fpkit | fpkit / read | RSS MiB fpkit, rg | miss, FP fpkit | miss, FP rg | targets |\n'
	printf '|---|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n'
} >"$MD"
printf 'shape\tstore\tmib\tids\tplanted\tcache\tfpkit_s\tfpkit_rss_kib\trg_s\trg_rss_kib\tread_s\tread_cmd\trg_over_fpkit\tfpkit_over_read\tfpkit_misses\tfpkit_fps\trg_misses\trg_fps\tt_exact\tt_rss\tt_rg\tt_read\tt_pipe\tverdict\n' >"$TSV"
cat "$MD"

while IFS='	' read -r shape store path truth readcmd; do
	D="$M/$shape"
	mib=$(du -sm "$path" | cut -f 1)
	for cache in $BENCH_CACHE; do
		if [ "$cache" = cold ] && [ -z "$cold" ]; then continue; fi
		# Warm: the store as a read from disk leaves it in the page
		# cache (emptied, then read once), not as the generator's
		# small writes left it: the same for every tool, whatever ran
		# before (see "Warm" in the header).
		if [ "$cache" = warm ] && [ -n "$cold" ]; then
			evict "$path"
			case $store in
			Maildir) find "$path" -type f -print0 | xargs -0 cat >/dev/null ;;
			*) cat "$path" >/dev/null ;;
			esac
		fi
		# the read limit, the same for both id lists
		case $store in
		Maildir) measure "$cache" "$path" "$work/read.out" sh -c 'find "$1" -type f -print0 | xargs -0 cat >/dev/null' sh "$path" ;;
		mbox | mboxo) measure "$cache" "$path" "$work/read.out" sh -c 'cat "$1" >/dev/null' sh "$path" ;;
		*) measure "$cache" "$path" "$work/read.out" sh -c '"$1" "$2" >/dev/null' sh "$readcmd" "$path" ;;
		esac
		read_s=$secs
		for n in 1 1000; do
			ids="$D/ids-$n.txt"
			truth_for "$ids" "$truth" >"$work/truth"
			planted=$(wc -l <"$work/truth" | tr -d ' ')
			case $store in
			Maildir)
				measure "$cache" "$path" "$work/rg.out" rg -l -F --hidden -f "$ids" "$path"
				accuracy "$work/rg.out" "$work/truth" rg-files ;;
			mbox | mboxo)
				measure "$cache" "$path" "$work/rg.out" rg -b -F -f "$ids" "$path"
				accuracy "$work/rg.out" "$work/truth" rg-mbox ;;
			*)
				measure "$cache" "$path" "$work/rg.out" sh -c '"$1" "$2" | rg -b -F -f "$3" -' sh "$readcmd" "$path" "$ids"
				accuracy "$work/rg.out" "$work/truth" rg-mbox ;;
			esac
			rg_s=$secs rg_rss=$rss rg_misses=$misses rg_fps=$fps
			measure "$cache" "$path" "$work/fp.out" "$FPKIT" find --msgid-file "$ids" "$path"
			if [ "$store" = Maildir ]; then accuracy "$work/fp.out" "$work/truth" fpkit-files
			else accuracy "$work/fp.out" "$work/truth" fpkit-mbox; fi
			fp_s=$secs fp_rss=$rss
			# the targets of this cell, and the line of both tables
			awk -v shape="$shape" -v store="$store" -v mib="$mib" -v n="$n" -v planted="$planted" \
				-v cache="$cache" -v fs="$fp_s" -v frss="$fp_rss" -v rs="$rg_s" -v rrss="$rg_rss" \
				-v ds="$read_s" -v dcmd="$readcmd" -v fm="$misses" -v ff="$fps" -v rm="$rg_misses" \
				-v rf="$rg_fps" -v maxrss="$MAX_RSS_KIB" -v md="$MD" -v tsv="$TSV" 'BEGIN {
				xr = fs > 0 ? rs / fs : 0
				xd = ds > 0 ? fs / ds : 0
				miss = ""
				t_exact = (fm == 0 && ff == 0) ? "met" : "missed"
				if (t_exact == "missed") miss = miss sprintf(", exact (%d misses, %d FP)", fm, ff)
				t_rss = frss < maxrss ? "met" : "missed"
				if (t_rss == "missed") miss = miss sprintf(", RSS < 64 MiB (%.0f)", frss / 1024)
				t_rg = t_read = t_pipe = "-"
				if (store == "Maildir") {
					t_rg = xr >= 3 ? "met" : "missed"
					if (t_rg == "missed") miss = miss sprintf(", 3x rg (%.2fx)", xr)
				} else if (store == "mbox" || store == "mboxo") {
					if (cache == "warm") {
						want = n == 1 ? 1.5 : 3
						t_rg = xr >= want ? "met" : "missed"
						if (t_rg == "missed") miss = miss sprintf(", %gx rg (%.2fx)", want, xr)
						t_read = xd <= 0.6 ? "met" : "missed"
						if (t_read == "missed") miss = miss sprintf(", <= 0.6x cat (%.2fx)", xd)
					}
				} else {
					t_read = xd <= 1.15 ? "met" : "missed"
					if (t_read == "missed") miss = miss sprintf(", <= 1.15x %s (%.2fx)", dcmd, xd)
					t_pipe = xr > 1 ? "met" : "missed"
					if (t_pipe == "missed") miss = miss sprintf(", ahead of %s into rg (%.2fx)", dcmd, xr)
				}
				verdict = miss == "" ? "met" : "missed: " substr(miss, 3)
				printf "| %s | %s | %s | %s (%s found) | %s | %.3f | %.3f | %.3f | %.2f | %.2f | %.0f, %.0f | %d, %d | %d, %d | %s |\n",
					shape, store, mib, n, planted, cache, fs, rs, ds, xr, xd, frss / 1024, rrss / 1024,
					fm, ff, rm, rf, verdict >>md
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%.4f\t%d\t%.4f\t%d\t%.4f\t%s\t%.3f\t%.3f\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n",
					shape, store, mib, n, planted, cache, fs, frss, rs, rrss, ds, dcmd, xr, xd,
					fm, ff, rm, rf, t_exact, t_rss, t_rg, t_read, t_pipe, verdict >>tsv
			}'
			tail -n 1 "$MD"
		done
	done
done <"$work/cells"

{
	printf '\nrg / fpkit: ripgrep'"'"'s time over fpkit'"'"'s (above 1: fpkit is faster). fpkit / read: fpkit'"'"'s time over the read limit'"'"'s (cat, find|xargs cat, or the decompressor alone).\n'
	printf 'ids: the ids looked for, and how many of them the store holds. A ripgrep false positive is a file or a line outside the target messages that names a target (References, bodies, tmp/ copies).\n'
	printf 'Load average at the end: %s.\n' "$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)"
	printf 'Cells missed: %s of %s.\n' "$(awk -F '\t' 'NR > 1 && $24 != "met"' "$TSV" | wc -l | tr -d ' ')" \
		"$(awk 'NR > 1' "$TSV" | wc -l | tr -d ' ')"
} >>"$MD"
tail -n 3 "$MD"
echo "bench-matrix: the table in $MD, the figures in $TSV" >&2
