#!/bin/sh
# A sample far larger than what the checks read (FPKIT_LIMIT_MESSAGE,
# 64 MiB) is packed in bounded memory: one message of 100 MiB (a text
# part with lines that mboxrd quotes, and a base64 attachment of random
# bytes), written here and deleted at the end.  pack reads it into a
# temporary file under TMPDIR, never whole into memory, for its hash,
# its parse, the tarball, the folder (--unpacked) and report.arf.
#
# The bound, without timing: the peak RSS (GNU time's %M) of the pack of
# the 100 MiB sample less that of the same pack of a 1 MiB one must stay
# under 32 MiB (holding the sample once would add 100 MiB), in every
# build; and, where no sanitizer inflates it (AddressSanitizer's shadow
# memory and quarantine alone take some 60 MiB), the peak itself must be
# under 64 MiB.  The bundle must verify, hold the sample byte for byte
# (in the tarball, the folder and report.arf's message/rfc822 part) with
# the file's SHA-256, and leave no temporary file behind; a TMPDIR that
# cannot take the copy is a clear error and no bundle.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

MIB=100
MAX_DELTA_KIB=32768
MAX_RSS_KIB=65536
ID=big-sample.20261120@news.shop.example.com

[ -x /usr/bin/time ] || skip_all "/usr/bin/time is not installed (Debian package 'time')"
[ -z "${FPKIT_VALGRIND:-}" ] || skip_all "100 MiB under valgrind would take too long"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to read report.arf"
avail=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
[ "$avail" -gt $((MIB * 1024 * 6)) ] || skip_all "less than $((MIB * 6)) MiB free in $tmp"

# message DIR MIB: a Maildir holding the message, of about MIB MiB.
message() {
	mkdir -p "$1/cur" "$1/new" "$1/tmp"
	{
		printf 'Return-Path: <news@shop.example.com>\n'
		printf 'From: Lumen Atelier <news@shop.example.com>\nTo: customer@example.org\n'
		printf 'Subject: Your catalogue, in full\nDate: Fri, 20 Nov 2026 13:20:00 +0000\n'
		printf 'Message-ID: <%s>\nMIME-Version: 1.0\n' "$ID"
		printf 'Content-Type: multipart/mixed; boundary="=_big"\n\n'
		printf -- '--=_big\nContent-Type: text/plain; charset=utf-8\n\n'
		printf 'The catalogue is attached.\nFrom the shop, with care\n>From a reply\n'
		# With a third argument, 4 MiB of lines that mboxrd quotes or
		# nearly (37 bytes a round): report.arf is quoted in pieces,
		# and they cut such lines at every place.
		[ -z "${3:-}" ] || awk 'BEGIN { for (i = 0; i < 113000; i++)
			printf "From a\n>From bb\n>>>From ccc\nFrom\n>Fr\n" }'
		printf '\n'
		printf -- '--=_big\nContent-Type: application/pdf; name="catalogue.pdf"\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		head -c $(($2 * 1048576 / 77 * 57)) /dev/urandom | base64 -w 76
		printf -- '--=_big--\n'
	} >"$1/cur/1795180800.M1P1.mx1.shop.example.com:2,S"
}

cat >"$tmp/spam-ip.json" <<'EOF'
{"date": "2026-11-20T13:32:07Z", "ipSpamming": "203.0.113.7", "state": "blockedForSpam", "time": 3600}
EOF
cat >"$tmp/stats.json" <<EOF
[{"averageSpamscore": 350, "detectedSpams": [
  {"date": 1795180800, "destinationIp": "198.51.100.23", "messageId": "$ID", "spamscore": 350}],
  "numberOfSpams": 1, "timestamp": 1795181527, "total": 5000}]
EOF

# pack_big NAME MAILDIR ARGS...: pack into $tmp/NAME, peak RSS in $rss.
pack_big() {
	name=$1 mail=$2
	shift 2
	mkdir -p "$tmp/$name" "$tmp/spool"
	set +e
	TZ=UTC0 TMPDIR=${SPOOL:-$tmp/spool} /usr/bin/time -f %M -o "$tmp/rss" \
		${FPKIT_VALGRIND:-} "$FPKIT" pack --spam-ip-json "$tmp/spam-ip.json" \
		--stats-json "$tmp/stats.json" --mail "$mail" --json -o "$tmp/$name" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
	san_check "pack $name"
	rss=$(tail -n 1 "$tmp/rss")
}

message "$tmp/small" 1
message "$tmp/big" "$MIB" from-lines
src="$tmp/big/cur/1795180800.M1P1.mx1.shop.example.com:2,S"
size=$(stat -c %s "$src")
assert_true "the sample is over 96 MiB" test "$size" -gt $((96 * 1048576))

pack_big small "$tmp/small"
assert_status 0 "pack of the 1 MiB sample"
base=$rss
pack_big big "$tmp/big" --unpacked
assert_status 0 "pack of the $MIB MiB sample"
delta=$((rss - base))
if [ "$delta" -lt "$MAX_DELTA_KIB" ]; then
	ok "peak RSS $rss KiB, $delta KiB over the 1 MiB sample's, under $MAX_DELTA_KIB"
else
	not_ok "peak RSS $rss KiB, $delta KiB over the 1 MiB sample's, not under $MAX_DELTA_KIB"
fi
case " ${FPKIT_SANITIZERS:-} " in
*" asan "*)
	skip "the peak RSS under 64 MiB: AddressSanitizer's own memory counts in it" ;;
*)
	if [ "$rss" -lt "$MAX_RSS_KIB" ]; then ok "peak RSS $rss KiB, under $MAX_RSS_KIB KiB"
	else not_ok "peak RSS $rss KiB, not under $MAX_RSS_KIB KiB"; fi ;;
esac
assert_eq "$(ls -A "$tmp/spool")" "" "no temporary file is left"

want=$(sha256sum "$src" | cut -d' ' -f 1)
assert_eq "$(jq -r '.samples[0].sha256' "$tmp/out")" "$want" "summary.json: the file's SHA-256"
assert_eq "$(jq -r '.samples[0].size' "$tmp/out")" "$size" "summary.json: the file's size"
bundle=$(find "$tmp/big" -name '*.tar.gz')
top=$(basename "$bundle" .tar.gz)
run verify "$bundle"
assert_status 0 "the bundle verifies"
mkdir "$tmp/x"
tar -xzf "$bundle" -C "$tmp/x"
eml="samples/01-$ID.eml"
assert_true "the tarball's sample is the file, byte for byte" cmp -s "$src" "$tmp/x/$top/$eml"
assert_true "the folder's sample is the file, byte for byte" cmp -s "$src" "$tmp/big/$top/$eml"
assert_true "SHA256SUMS holds the file's" grep -q "^$want  $eml\$" "$tmp/x/$top/SHA256SUMS"
assert_true "sha256sum -c SHA256SUMS passes" sh -c "cd '$tmp/x/$top' && sha256sum --quiet -c SHA256SUMS"
assert_true "the tarball's tree is the folder's" diff -r "$tmp/x/$top" "$tmp/big/$top"
assert_in "$tmp/x/$top/checks/01-$ID.txt" "too-large" "the checks say it is too large to check"

# report.arf: one mboxrd entry (no line but the first starts with
# "From ") whose message/rfc822 part, once unquoted, is the sample byte
# for byte: every ">*From " line got one '>' more, and no other line.
python3 - "$tmp/x/$top/report.arf" "$src" >"$tmp/arf" <<'EOF'
import re, sys
arf = open(sys.argv[1], 'rb').read()
sample = open(sys.argv[2], 'rb').read()
head, body = arf.split(b'\n', 1)
print('from-line' if head.startswith(b'From fpkit@fpkit.invalid ') else 'no from-line')
print('one-entry' if b'\nFrom ' not in body else 'more entries or a line not quoted')
print('quoted' if b'\n>From the shop, with care\n>>From a reply\n' in body else 'not quoted')
body = re.sub(rb'(?m)^>(>*From )', rb'\1', body)
b = re.search(rb'boundary="([^"]+)"', body).group(1)
start = body.index(b'Content-Type: message/rfc822\n\n') + 30
end = body.index(b'\n--' + b + b'--\n', start)
print('sample' if body[start:end] == sample else 'not the sample')
print('end' if body.endswith(b'--' + b + b'--\n\n') else 'no end')
EOF
assert_eq "$(tr '\n' ' ' <"$tmp/arf")" "from-line one-entry quoted sample end " \
	"report.arf: the sample as message/rfc822, in one mboxrd entry"

# No room for the temporary copy: a clear error, and no bundle.
rm -rf "$tmp/big/$top" "$bundle" "$tmp/x"
SPOOL="$tmp/none" pack_big nospool "$tmp/big"
assert_status 73 "a TMPDIR that does not exist"
assert_in "$tmp/err" "cannot make a temporary file in '$tmp/none' for a large sample" \
	"the error names the folder"
assert_in "$tmp/err" "set TMPDIR" "and says what to do"
assert_eq "$(ls -A "$tmp/nospool")" "" "no bundle is written"
rm -rf "$tmp/big" "$tmp/small"
assert_false "the $MIB MiB sample is deleted" test -e "$src"

finish
