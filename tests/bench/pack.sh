#!/bin/sh
# pack.sh - fpkit pack end to end against a shell pipeline doing the same
# job, on the same stores and logs, in the same run.  Not part of
# 'make check'.
#
#   make bench-pack                              # 4 GiB of stores, 1 GiB of logs
#   BENCH_MIB=64 BENCH_LOG_MIB=32 make bench-pack   # a quick smoke run
#
# The case: 20 targets, 5 in each of four stores of BENCH_MIB/4 MiB
# (tests/bench/gencorpus, a different seed each): a Maildir++ tree, an
# mbox, a zstd mbox and a folder of .eml files; BENCH_LOG_MIB MiB of
# Postfix log (RFC 3339 stamps, as fixtures/demo/log/mklog.py writes
# them) rotated in two files, the older gzip-compressed, over the days the
# messages span, each target's trail (client, message-id, from, to,
# removed; its own queue id) at its Date; the saved API answers
# (spam-ip.json, stats.json) naming the 20 targets; a DKIM keys file with
# the generator's selector (the generator's signatures are not real, so
# each check ends in a body hash mismatch, at the cost of a real one).
#
#   fpkit      fpkit pack --spam-ip-json --stats-json --mail (x4)
#              --maillog (x2) --dkim-keys, with --timing when this fpkit
#              has it
#   pipeline   rg -l --hidden over the Maildir and the .eml folder, cp;
#              rg -b over each mbox for the ids and for the "From " lines,
#              tail -c | head -c per message (the zstd mbox decompressed
#              to a file first); zgrep for the ids in the logs, then for
#              their queue ids; cp of the API files; sha256sum; tar czf.
#              It checks no DKIM signature.  BENCH_PIPE=header (the
#              default): rg -U -i with a regex per id for the Message-ID
#              field (folded or not), Maildir tmp/ folders left out, so
#              it packs the targets' messages much as fpkit does; BENCH_PIPE=any: rg -F with the ids, so
#              it also packs every message that mentions one (References,
#              bodies), as 'rg -F' alone would.
#
# Checked: fpkit packs exactly the 20 targets (each sample's offset and
# length against the generator's truth), each with its planted queue id
# and a complete trail, every log line read; the pipeline's sample count
# (ripgrep also takes every message that mentions a target) and trail
# line count.  Printed: both wall times, CPU times (user + system, with
# the children's) and peak RSS (GNU time's %M, for the pipeline its
# largest process), the ratios, and the targets (>= 3x the pipeline,
# peak RSS under 64 MiB) met or missed, with the load average before and
# after.  Times are the median of BENCH_RUNS runs, warm (everything read
# once before); a loaded machine slows both, not always alike (a
# process with more threads gets more of a busy machine), so figures to
# publish need a quiet machine.
#
# Environment: FPKIT, GENCORPUS, BENCH_DIR (default /tmp/fpkit-bench; the
# stores are kept and reused), BENCH_MIB (all stores, default 4096),
# BENCH_LOG_MIB (default 1024), BENCH_RUNS (default 1), BENCH_PIPE.  Needs ripgrep
# (Debian: ripgrep), GNU time (time), zstd, gzip, openssl and jq.
set -eu
LC_ALL=C
TZ=UTC0
export LC_ALL TZ

FPKIT=${FPKIT:-src/fpkit}
GENCORPUS=${GENCORPUS:-tests/bench/gencorpus}
BENCH_MIB=${BENCH_MIB:-4096}
BENCH_LOG_MIB=${BENCH_LOG_MIB:-1024}
BENCH_DIR=${BENCH_DIR:-/tmp/fpkit-bench}
BENCH_RUNS=${BENCH_RUNS:-1}
MAX_RSS_KIB=65536
P="$BENCH_DIR/pack-$BENCH_MIB-$BENCH_LOG_MIB"
Q=$((BENCH_MIB / 4))

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench-pack: $1 is needed ($2)" >&2; exit 1; }; }
need rg "apt-get install ripgrep"
need zstd "apt-get install zstd"
need openssl "apt-get install openssl"
need jq "apt-get install jq"
[ -x /usr/bin/time ] || { echo "bench-pack: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
[ -x "$FPKIT" ] || { echo "bench-pack: no fpkit at $FPKIT (make first)" >&2; exit 1; }
[ -x "$GENCORPUS" ] || { echo "bench-pack: no generator at $GENCORPUS (make tests/bench/gencorpus)" >&2; exit 1; }
[ "$Q" -ge 4 ] || { echo "bench-pack: BENCH_MIB must be 16 or more" >&2; exit 1; }

# targets.tsv: id, epoch of its Date, store, path, offset, length (the
# message as fpkit pack must take it: the whole file, or the span of the
# generator's mbox truth).
generate() {
	rm -rf "$P"
	mkdir -p "$P/log"
	: >"$P/targets.tsv"
	seed=100
	for part in maildir mbox zst eml; do
		seed=$((seed + 1))
		d="$P/$part"
		"$GENCORPUS" "$d" "$Q" 5 "$seed"
		case $part in
		maildir | eml)
			rm -f "$d/sent.mbox"
			while IFS='	' read -r id file; do
				t=${file##*/}
				printf '%s\t%s\t%s\t%s\t0\t%s\n' "$id" "${t%%.*}" "$part" "$d/$file" \
					"$(stat -c %s "$d/$file")" >>"$P/targets.tsv"
			done <"$d/truth-maildir.tsv" ;;
		mbox | zst)
			rm -rf "$d/Maildir"
			while IFS='	' read -r id off len; do
				date=$(tail -c +$((off + 1)) "$d/sent.mbox" | head -c 65536 | grep -m 1 '^Date: ' | cut -c 7-)
				printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$(date -d "$date" +%s)" "$part" \
					"$d/sent.mbox" "$off" "$len" >>"$P/targets.tsv"
			done <"$d/truth-mbox.tsv" ;;
		esac
	done
	# the .eml folder: the Maildir's messages (not tmp/) as NAME.eml
	mkdir -p "$P/eml/eml"
	find "$P/eml/Maildir" -type f ! -path "$P/eml/Maildir/tmp/*" -exec sh -c \
		'for f; do mv "$f" "$0/${f##*/}.eml"; done' "$P/eml/eml" {} +
	rm -rf "$P/eml/Maildir"
	awk -F '\t' -v OFS='\t' '$3 == "eml" { n = split($4, p, "/"); $4 = "'"$P"'/eml/eml/" p[n] ".eml" } 1' \
		"$P/targets.tsv" >"$P/targets.new"
	mv "$P/targets.new" "$P/targets.tsv"
	zstd -q -T0 --rm "$P/zst/sent.mbox" -o "$P/zst/sent.mbox.zst"
	sed -i "s|$P/zst/sent.mbox\t|$P/zst/sent.mbox.zst\t|" "$P/targets.tsv"
	cut -f 1 "$P/targets.tsv" >"$P/ids.txt"
	[ "$(wc -l <"$P/ids.txt")" -eq 20 ] || { echo "bench-pack: the generator planted $(wc -l <"$P/ids.txt") targets, not 20 (BENCH_MIB too small?)" >&2; exit 1; }

	# The logs: filler traffic from the first target's Date - 1 h to the
	# block (the last target's Date + 10 min), each target's trail at
	# its Date; the first half of the bytes in mail.log.1, then gzip.
	first=$(sort -t '	' -k 2,2n "$P/targets.tsv" | head -n 1 | cut -f 2)
	last=$(sort -t '	' -k 2,2n "$P/targets.tsv" | tail -n 1 | cut -f 2)
	block=$((last + 600))
	sort -t '	' -k 2,2n "$P/targets.tsv" | awk -F '\t' -v start=$((first - 3600)) -v end="$block" \
		-v bytes=$((BENCH_LOG_MIB * 1048576)) -v old="$P/log/mail.log.1" -v new="$P/log/mail.log" -v qids="$P/qids.tsv" '
	function stamp(t) {
		if (int(t) != last_s) { last_s = int(t); last_str = strftime("%Y-%m-%dT%H:%M:%S", last_s, 1) }
		return sprintf("%s.%06d+00:00 mx1 postfix/", last_str, (t - int(t)) * 1000000)
	}
	function line(t, s) {
		s = stamp(t) s "\n"
		written += length(s)
		printf "%s", s >(written < bytes / 2 ? old : new)
	}
	function message(t, qid, id, from, to, relay) {
		line(t, "smtpd[" 2300 + n % 400 "]: " qid ": client=web1.shop.example.com[192.0.2.10]")
		line(t + 0.05, "cleanup[2214]: " qid ": message-id=<" id ">")
		line(t + 0.08, "qmgr[812]: " qid ": from=<" from ">, size=" 2000 + n % 30000 ", nrcpt=1 (queue active)")
		line(t + 0.9, "smtp[" 2400 + n % 400 "]: " qid ": to=<" to ">, relay=" relay ", delay=0.9, delays=0.1/0/0.3/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)")
		line(t + 0.95, "qmgr[812]: " qid ": removed")
	}
	{ pt[++np] = $2; pid[np] = $1 }
	END {
		# about 700 bytes a message
		count = bytes / 700
		step = (end - start) / count
		k = 1
		for (t = start; written < bytes || k <= np; t += step) {
			while (k <= np && pt[k] <= t) {
				q = sprintf("F%09X", k)
				message(pt[k], q, pid[k], "news@shop.example.com", "customer" k "@example.net",
					"mx.example.net[198.51.100.23]:25")
				printf "%s\t%s\n", pid[k], q >qids
				k++
			}
			n++
			message(t, sprintf("1%09X", n), sprintf("%08x.%d@gen.shop.example.com", n * 2654435761 % 4294967296, n),
				"shop@shop.example.com", "user" n % 100000 "@example.com", "mx.example.com[198.51.100.40]:25")
		}
	}'
	gzip "$P/log/mail.log.1"

	# The saved API answers and the DKIM key of the generator's selector.
	sort -t '	' -k 2,2n "$P/targets.tsv" | awk -F '\t' -v block="$block" '
	{ d[NR] = $2; id[NR] = $1 }
	END {
		printf "[{\"averageSpamscore\": 350, \"detectedSpams\": ["
		for (i = 1; i <= NR; i++)
			printf "%s\n  {\"date\": %d, \"destinationIp\": \"198.51.100.23\", \"messageId\": \"%s\", \"spamscore\": 350}", (i > 1 ? "," : ""), d[i], id[i]
		printf "],\n \"numberOfSpams\": %d, \"timestamp\": %d, \"total\": 500000}]\n", NR, block
	}' >"$P/stats.json"
	printf '{"date": "%s", "ipSpamming": "203.0.113.7", "state": "blockedForSpam", "time": 3600}\n' \
		"$(date -u -d "@$block" +%Y-%m-%dT%H:%M:%SZ)" >"$P/spam-ip.json"
	openssl genrsa -out "$P/dkim.pem" 2048 2>/dev/null
	printf 'mail2025._domainkey.shop.example.com v=DKIM1; k=rsa; p=%s\n' \
		"$(openssl rsa -in "$P/dkim.pem" -pubout -outform DER 2>/dev/null | base64 | tr -d '\n')" >"$P/keys"
	: >"$P/.done"
}

if [ ! -f "$P/.done" ]; then
	echo "bench-pack: generating $BENCH_MIB MiB of stores and $BENCH_LOG_MIB MiB of logs in $P ..." >&2
	generate
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/fpkit-benchpack.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The shell pipeline: the same stores, logs and API files into a tarball
# with SHA256SUMS.  $1: the output folder; the rest from the environment.
cat >"$work/pipeline.sh" <<'PIPE'
set -eu
out=$1/bundle
mkdir -p "$out/samples" "$out/logs" "$out/api"
# stage NAME: the time at the end of a stage, for the breakdown
stage() { printf '%s %s\n' "$(date +%s%N)" "$1" >>"$out/../stages"; }
stage start
n=0
rg $LOCATE -l --hidden -f "$PATS" "$P/maildir/Maildir" "$P/eml/eml" >"$1/files" || :
while IFS= read -r f; do
	n=$((n + 1))
	cp "$f" "$out/samples/$n.eml"
done <"$1/files"
stage "rg and cp over the Maildir and the .eml folder"
# mbox FILE: each message that names an id, cut at its "From " lines
mbox() {
	rg $LOCATE -b -f "$PATS" "$1" | cut -d: -f 1 >"$out/../hits" || :
	rg -b '^From ' "$1" | cut -d: -f 1 >"$out/../seps" || :
	size=$(stat -c %s "$1")
	awk -v size="$size" 'NR == FNR { s[++k] = $1 + 0; next }
		{ o = $1 + 0; lo = 1; hi = k; m = 0
		  while (lo <= hi) { mid = int((lo + hi) / 2); if (s[mid] <= o) { m = mid; lo = mid + 1 } else hi = mid - 1 }
		  if (m && !(m in done)) { done[m] = 1; printf "%.0f %.0f\n", s[m], (m < k ? s[m + 1] : size) - s[m] } }' \
		"$out/../seps" "$out/../hits" >"$out/../spans"
	while read -r off len; do
		n=$((n + 1))
		tail -c +$((off + 1)) "$1" | head -c "$len" >"$out/samples/$n.eml"
	done <"$out/../spans"
}
mbox "$P/mbox/sent.mbox"
stage "rg and tail|head over the mbox"
zstd -q -d -c "$P/zst/sent.mbox.zst" >"$1/z.mbox"
mbox "$1/z.mbox"
rm -f "$1/z.mbox"
stage "zstd -d, rg and tail|head over the zstd mbox"
zgrep -h -F -f "$P/ids.txt" "$P/log/mail.log.1.gz" "$P/log/mail.log" |
	sed -n 's/.*: \([0-9A-F]*\): message-id=.*/\1/p' | sort -u >"$1/qids"
zgrep -h -F -f "$1/qids" "$P/log/mail.log.1.gz" "$P/log/mail.log" >"$out/logs/trails.log" || :
stage "zgrep twice over the logs"
cp "$P/spam-ip.json" "$P/stats.json" "$out/api/"
(cd "$out" && find . -type f | sort | xargs sha256sum >SHA256SUMS)
tar czf "$1/bundle.tar.gz" -C "$1" bundle
stage "sha256sum and tar czf"
PIPE

now() { date +%s%N; }
# run NAME CMD...: wall time (s), peak RSS (KiB) and CPU time (user +
# system, s, the command's and its children's) into $work/NAME.times
run() {
	name=$1
	shift
	t0=$(now)
	/usr/bin/time -f '%M %U %S' -o "$work/t" "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err" || :
	t1=$(now)
	printf '%s %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" \
		"$(tail -n 1 "$work/t" | awk '{ printf "%s %.2f", $1, $2 + $3 }')" >>"$work/$name.times"
}
median() { sort -n "$work/$1.times" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }
# cpu NAME: the CPU time of the run whose wall time is the median
cpu() { sort -n "$work/$1.times" | awk '{ c[NR] = $3 } END { print c[int((NR + 1) / 2)] }'; }
# load: the load average over the last minute
load() { cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo '?'; }
maxrss() { awk 'm < $2 + 0 { m = $2 + 0 } END { print m + 0 }' "$work/$1.times"; }

# How the pipeline locates: by the Message-ID field (a regex per id, the
# field name in any case, folded or not), or by the ids anywhere (-F).
case ${BENCH_PIPE:-header} in
header)
	LOCATE="-U -i -g !tmp"
	awk '{ gsub(/\./, "\\."); print "^message-id:[ \\t]*(\\r?\\n[ \\t]+)?<" $0 ">" }' "$P/ids.txt" >"$work/pats"
	pipe_what="Message-ID fields naming a target" ;;
any)
	LOCATE=-F
	cp "$P/ids.txt" "$work/pats"
	pipe_what="every message naming a target" ;;
*) echo "bench-pack: BENCH_PIPE is header or any" >&2; exit 1 ;;
esac
PATS=$work/pats
export LOCATE PATS
timing=
if "$FPKIT" pack --help 2>&1 | grep -q -- '--timing'; then timing=--timing; fi
export P
find "$P/maildir" "$P/mbox" "$P/zst" "$P/eml" "$P/log" -type f -exec cat {} + >/dev/null
load_before=$(load)
i=0
while [ "$i" -lt "$BENCH_RUNS" ]; do
	rm -rf "$work/pipe" "$work/fp"
	mkdir -p "$work/pipe" "$work/fp"
	run pipe sh "$work/pipeline.sh" "$work/pipe"
	run fpkit "$FPKIT" pack --spam-ip-json "$P/spam-ip.json" --stats-json "$P/stats.json" \
		--mail "$P/maildir/Maildir" --mail "$P/mbox/sent.mbox" --mail "$P/zst/sent.mbox.zst" \
		--mail "$P/eml/eml" --maillog "$P/log/mail.log.1.gz" --maillog "$P/log/mail.log" \
		--dkim-keys "$P/keys" $timing --json -o "$work/fp"
	i=$((i + 1))
done

# fpkit's answer against the truth: the samples (id, offset, length),
# each target's queue id and complete trail, every log line read.
awk -F '\t' '{ print $1 "\t" $5 "\t" $6 }' "$P/targets.tsv" | sort >"$work/want"
jq -r '.samples[] | [.message_id, .offset, .length] | @tsv' "$work/fpkit.out" 2>/dev/null | sort >"$work/got" || :
fp_miss=$(comm -13 "$work/got" "$work/want" | wc -l | tr -d ' ')
fp_fp=$(comm -23 "$work/got" "$work/want" | wc -l | tr -d ' ')
jq -r '.targets[] | [.message_id, (.delivery[0].queue_id // "-"), (.delivery[0].complete // false), (.delivery | length)] | @tsv' \
	"$work/fpkit.out" 2>/dev/null | sort >"$work/got-trails" || :
awk -F '\t' '{ print $1 "\t" $2 "\ttrue\t1" }' "$P/qids.tsv" | sort >"$work/want-trails"
trail_bad=$(comm -3 "$work/got-trails" "$work/want-trails" | wc -l | tr -d ' ')
lines=$( (gzip -dc "$P/log/mail.log.1.gz"; cat "$P/log/mail.log") | wc -l | tr -d ' ')
read_lines=$(jq '[.maillogs[].lines] | add' "$work/fpkit.out" 2>/dev/null || echo 0)
dkim=$(jq '[.samples[] | select(.checks.dkim_checked and ((.checks.dkim // []) | length > 0))] | length' \
	"$work/fpkit.out" 2>/dev/null || echo 0)
pipe_samples=$(find "$work/pipe/bundle/samples" -type f | wc -l | tr -d ' ')
pipe_lines=$(wc -l <"$work/pipe/bundle/logs/trails.log" | tr -d ' ')

load_after=$(load)
fs=$(median fpkit) frss=$(maxrss fpkit) ps=$(median pipe) prss=$(maxrss pipe)
fcpu=$(cpu fpkit) pcpu=$(cpu pipe)
stores=$(du -smc "$P/maildir" "$P/mbox" "$P/zst" "$P/eml" | tail -n 1 | cut -f 1)
logs=$(du -smc "$P/log" | tail -n 1 | cut -f 1)
printf '## pack end to end: %s MiB of stores (Maildir, mbox, zstd mbox, .eml), %s MiB of logs on disk (one gzip), 20 targets\n\n' "$stores" "$logs"
printf '%s; %s processors; %s; %s run(s), median, warm; load average %s before the runs, %s after\n\n' \
	"$(uname -sr)" "$(nproc)" "$("$FPKIT" --version)" "$BENCH_RUNS" "$load_before" "$load_after"
printf '| tool | s | CPU s | peak RSS MiB | samples | trail lines | checks |\n|---|--:|--:|--:|--:|--:|---|\n'
printf '| fpkit pack | %s | %s | %s | %s of 20 (%s missed, %s wrong) | %s targets with their own complete trail | a DKIM signature verified with the keys file on %s samples |\n' \
	"$fs" "$fcpu" "$((frss / 1024))" "$(wc -l <"$work/got" | tr -d ' ')" "$fp_miss" "$fp_fp" "$((20 - trail_bad))" "$dkim"
printf '| shell pipeline | %s | %s | %s | %s (%s) | %s lines | none |\n\n' \
	"$ps" "$pcpu" "$((prss / 1024))" "$pipe_samples" "$pipe_what" "$pipe_lines"
awk -v fs="$fs" -v ps="$ps" -v fc="$fcpu" -v pc="$pcpu" -v frss="$frss" -v max="$MAX_RSS_KIB" -v exact=$((fp_miss + fp_fp + trail_bad)) \
	-v lines="$lines" -v rl="$read_lines" 'BEGIN {
	x = fs > 0 ? ps / fs : 0
	printf "pipeline / fpkit: %.2fx (target >= 3x: %s)\n", x, (x >= 3 ? "met" : "missed")
	printf "pipeline / fpkit in CPU time: %.2fx (less sensitive to a loaded machine)\n", (fc > 0 ? pc / fc : 0)
	printf "fpkit peak RSS: %.1f MiB (target < 64 MiB: %s)\n", frss / 1024, (frss < max ? "met" : "missed")
	printf "fpkit exact (20 samples at the right offsets, 20 trails): %s\n", (exact == 0 ? "met" : "missed")
	printf "log lines read: %d of %d (%s)\n", rl, lines, (rl == lines ? "all" : "missed")
}'
echo
echo "the pipeline's stages (its last run):"
awk '{ t = $1; $1 = ""; if (NR > 1) printf "    %6.2f s %s\n", (t - p) / 1e9, $0; p = t }' "$work/pipe/stages"
# fpkit find alone over the same stores: the search's part of pack's time
t0=$(now)
"$FPKIT" find --msgid-file "$P/ids.txt" "$P/maildir/Maildir" "$P/mbox/sent.mbox" "$P/zst/sent.mbox.zst" \
	"$P/eml/eml" </dev/null >/dev/null 2>&1 || :
t1=$(now)
printf 'fpkit find alone over the four stores: %s s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
if [ -n "$timing" ]; then
	echo
	echo "fpkit's stages ($timing):"
	grep -i -v '^fpkit: warning' "$work/fpkit.err" | sed 's/^/    /'
else
	echo "fpkit's stages: this fpkit has no --timing"
fi
if [ "$fp_miss" -ne 0 ] || [ "$fp_fp" -ne 0 ] || [ "$trail_bad" -ne 0 ]; then
	echo "bench-pack: fpkit's answer differs from the truth; its stderr:" >&2
	sed 's/^/    /' "$work/fpkit.err" >&2
fi
