#!/bin/sh
# bigsample.sh - the peak RSS of fpkit pack when the sample is large: one
# message of BENCH_SAMPLE_MIB MiB (default 200: text and a base64
# attachment of random bytes), stored as a Maildir file and as an mbox,
# each packed from saved API answers naming it, against the 64 MiB target.
# Not part of 'make check'.
#
#   make bench-bigsample
#   BENCH_SAMPLE_MIB=50 make bench-bigsample
#
# Checked: the bundle verifies (fpkit verify) and its sample's SHA-256 is
# the Maildir file's.  Printed per store: wall time, peak RSS (GNU time's
# %M) and the target met or missed.  A message above 64 MiB is not
# checked (fpkit(1), LIMITS), so this measures the search, the sample's
# reading, report.arf and the bundle.
#
# Environment: FPKIT, BENCH_DIR (default /tmp/fpkit-bench), BENCH_SAMPLE_MIB
# (at most 255: the sample limit is 256 MiB).  Needs GNU time (Debian:
# time), base64 (coreutils), jq, and twice BENCH_SAMPLE_MIB of disk in
# BENCH_DIR, and three times more in TMPDIR while pack runs (the sample's
# temporary copy, report.arf's and one report's: fpkit-pack(1)).
set -eu
LC_ALL=C
TZ=UTC0
export LC_ALL TZ

FPKIT=${FPKIT:-src/fpkit}
BENCH_DIR=${BENCH_DIR:-/tmp/fpkit-bench}
BENCH_SAMPLE_MIB=${BENCH_SAMPLE_MIB:-200}
MAX_RSS_KIB=65536
ID=big-sample.20261120@news.shop.example.com

[ -x /usr/bin/time ] || { echo "bench-bigsample: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
command -v jq >/dev/null 2>&1 || { echo "bench-bigsample: jq is needed (apt-get install jq)" >&2; exit 1; }
[ -x "$FPKIT" ] || { echo "bench-bigsample: no fpkit at $FPKIT (make first)" >&2; exit 1; }
[ "$BENCH_SAMPLE_MIB" -ge 1 ] && [ "$BENCH_SAMPLE_MIB" -le 255 ] ||
	{ echo "bench-bigsample: BENCH_SAMPLE_MIB must be 1 to 255" >&2; exit 1; }

mkdir -p "$BENCH_DIR"
work=$(mktemp -d "$BENCH_DIR/bigsample.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Maildir/cur" "$work/Maildir/new" "$work/Maildir/tmp"

# The message: 76-column base64 lines (77 bytes for 57 of random data),
# so 57/77 of the size in random bytes.
msg="$work/Maildir/cur/1795180800.M1P1.mx1.shop.example.com:2,S"
{
	printf 'Return-Path: <news@shop.example.com>\n'
	printf 'Received: from web1.shop.example.com (web1.shop.example.com [192.0.2.10])\n'
	printf '\tby mx1.shop.example.com (Postfix) with ESMTPS id 4B1C2D3E4F\n'
	printf '\tfor <customer@example.org>; Fri, 20 Nov 2026 13:20:00 +0000\n'
	printf 'From: Lumen Atelier <news@shop.example.com>\nTo: customer@example.org\n'
	printf 'Subject: Your catalogue, in full\nDate: Fri, 20 Nov 2026 13:20:00 +0000\n'
	printf 'Message-ID: <%s>\nMIME-Version: 1.0\n' "$ID"
	printf 'Content-Type: multipart/mixed; boundary="=_big"\n\n'
	printf -- '--=_big\nContent-Type: text/plain; charset=utf-8\n\nThe catalogue is attached.\n\n'
	printf -- '--=_big\nContent-Type: application/pdf; name="catalogue.pdf"\n'
	printf 'Content-Transfer-Encoding: base64\n'
	printf 'Content-Disposition: attachment; filename="catalogue.pdf"\n\n'
	head -c $((BENCH_SAMPLE_MIB * 1048576 / 77 * 57)) /dev/urandom | base64 -w 76
	printf -- '--=_big--\n'
} >"$msg"
{ printf 'From news@shop.example.com Fri Nov 20 13:20:00 2026\n'; cat "$msg"; printf '\n'; } >"$work/sent.mbox"
cat >"$work/spam-ip.json" <<'EOF'
{"date": "2026-11-20T13:32:07Z", "ipSpamming": "203.0.113.7", "state": "blockedForSpam", "time": 3600}
EOF
cat >"$work/stats.json" <<EOF
[{"averageSpamscore": 350, "detectedSpams": [
  {"date": 1795180800, "destinationIp": "198.51.100.23", "messageId": "$ID", "spamscore": 350}],
  "numberOfSpams": 1, "timestamp": 1795181527, "total": 5000}]
EOF
want=$(sha256sum "$msg" | cut -d' ' -f 1)
now() { date +%s%N; }

printf '## pack of one %s MiB sample (%s bytes)\n\n' "$BENCH_SAMPLE_MIB" "$(stat -c %s "$msg")"
printf '%s; %s processors; %s\n\n' "$(uname -sr)" "$(nproc)" "$("$FPKIT" --version)"
printf '| store | s | peak RSS MiB | target < 64 MiB | sample SHA-256 | verify |\n|---|--:|--:|---|---|---|\n'
missed=0
for store in Maildir mbox; do
	if [ "$store" = Maildir ]; then path="$work/Maildir"; else path="$work/sent.mbox"; fi
	rm -rf "$work/out"
	mkdir "$work/out"
	cat "$path" >/dev/null 2>&1 || find "$path" -type f -exec cat {} + >/dev/null
	t0=$(now)
	/usr/bin/time -f '%M' -o "$work/rss" "$FPKIT" pack --spam-ip-json "$work/spam-ip.json" \
		--stats-json "$work/stats.json" --mail "$path" --json -o "$work/out" \
		</dev/null >"$work/summary.json" 2>"$work/err" || :
	t1=$(now)
	rss=$(tail -n 1 "$work/rss")
	got=$(jq -r '.samples[0].sha256 // "none"' "$work/summary.json" 2>/dev/null || echo none)
	bundle=$(find "$work/out" -name '*.tar.gz' | head -n 1)
	if [ -n "$bundle" ] && "$FPKIT" verify "$bundle" >/dev/null 2>&1; then v=verifies; else v=FAILS; fi
	if [ "$rss" -lt "$MAX_RSS_KIB" ]; then met=met; else met=missed; missed=$((missed + 1)); fi
	printf '| %s | %s | %s | %s | %s | %s |\n' "$store" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')" \
		"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$met" \
		"$([ "$got" = "$want" ] && echo "the file's" || echo "WRONG ($got)")" "$v"
	if [ "$got" != "$want" ]; then sed 's/^/    /' "$work/err" >&2; fi
done
printf '\npeak RSS target (< 64 MiB): missed in %s of 2 stores\n' "$missed"
