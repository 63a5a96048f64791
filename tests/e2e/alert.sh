#!/bin/sh
# fpkit alert: every alert of fixtures/alert/ against the JSON beside it
# (NAME.json), or the error it must give (NAME.error: exit status, then a
# piece of the message); the text output, standard input, usage errors,
# the bounds on size, line length and number of messages, and the time
# an HTML part full of unclosed tags takes.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

A="$FIXTURES/alert"

for eml in "$A"/*.eml; do
	name=$(basename "$eml" .eml)
	if [ -f "$A/$name.json" ]; then
		run alert --json "$eml"
		assert_status 0 "$name: alert --json"
		assert_true "$name: the JSON expected, byte for byte" cmp -s "$tmp/out" "$A/$name.json"
		assert_true "$name: the same JSON for jq" \
			sh -c "jq -S . '$tmp/out' >'$tmp/a' && jq -S . '$A/$name.json' >'$tmp/b' && cmp -s '$tmp/a' '$tmp/b'"
		assert_eq "$(wc -c <"$tmp/err" | tr -d ' ')" 0 "$name: nothing on standard error"
	elif [ -f "$A/$name.error" ]; then
		want_status=$(sed -n 1p "$A/$name.error")
		want_text=$(sed -n 2p "$A/$name.error")
		run alert --json "$eml"
		assert_status "$want_status" "$name: refused"
		assert_in "$tmp/err" "$want_text" "$name: the message says why"
		assert_eq "$(wc -c <"$tmp/out" | tr -d ' ')" 0 "$name: nothing on standard output"
	else
		not_ok "$name: neither $name.json nor $name.error beside it"
	fi
done

# The shapes the fixtures stand for, checked by name so that a fixture
# changed by mistake is noticed.
run alert --json "$A/fr-text-latin1.eml"
assert_eq "$(jq -r .ip "$tmp/out")" 192.0.2.77 "French: the IP on the line after the sentence"
run alert --json "$A/fwd-inline.eml"
assert_eq "$(jq -r .date "$tmp/out")" 2026-11-10T08:15:42Z "inline forward: the forwarded Date, not the forward's"
run alert --json "$A/fwd-attached.eml"
assert_eq "$(jq -r .date "$tmp/out")" 2026-11-08T02:14:15Z "attached forward: the alert's own Date"
run alert --json "$A/mangled.eml"
assert_eq "$(jq -r '[.targets[] | select(.spamscore == null)] | length' "$tmp/out")" 3 \
	"mangled: three messages without a readable score"
assert_eq "$(jq -r '[.targets[] | select(.message_id == null)] | .[0].destination_ip' "$tmp/out")" \
	198.51.100.35 "mangled: a message without its Message-ID is kept"
assert_eq "$(jq -r '.targets[0].message_id' "$tmp/out")" \
	7c0e1f4a-2b6d-4c8e-9a3f-5d1b7e0c2f84@mail.example.org "mangled: an id wrapped mid-domain is joined"
assert_eq "$(jq -r '.targets[1].destination_ip' "$tmp/out")" 198.51.100.32 "mangled: an IP wrapped mid-value is joined"
run alert --json "$A/demo.eml"
assert_eq "$(jq -c '[.targets[] | [.message_id, .destination_ip, .spamscore]]' "$tmp/out")" \
	"$(jq -c '[.[].detectedSpams[] | [.messageId, .destinationIp, .spamscore]]' "$DEMO_STATS")" \
	"demo: the alert lists what the demo's stats.json lists"

# An alert saved as a file and attached as application/octet-stream is
# read when the file is named *.eml, in any case; under another name it
# is an attachment like any other (the control).
for name in alert.eml ALERT.EML alert.bin; do
	{
		printf 'From: a@example.com\nSubject: fwd\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
		printf 'See the attached file.\n\n--b\nContent-Type: application/octet-stream; name="%s"\n' "$name"
		printf 'Content-Disposition: attachment; filename="%s"\nContent-Transfer-Encoding: base64\n\n' "$name"
		base64 "$A/demo.eml"
		printf '\n--b--\n'
	} >"$tmp/attached.eml"
	run alert --json "$tmp/attached.eml"
	case $name in
	*.bin)
		assert_status 65 "an alert attached as $name is not read"
		;;
	*)
		assert_status 0 "an alert attached as $name"
		assert_eq "$(jq -c '[.ip, .date, (.targets | length)]' "$tmp/out")" \
			'["203.0.113.7","2026-11-20T13:32:07Z",3]' "an alert attached as $name: read, with its own Date"
		;;
	esac
done

# HTML character references: a hexadecimal one with 'x' or 'X'; one that
# names a UTF-16 surrogate (no character) becomes U+FFFD, not bytes that
# are not UTF-8.
html_alert() {
	printf 'From: OVHcloud <noreply@ovh.net>\nSubject: x\nDate: Fri, 20 Nov 2026 13:32:07 +0000\n'
	printf 'MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n'
	printf '<p>Our anti-spam protection layer has detected that your IP 203.0.113.7 is sending spam.</p>\n'
	printf '<p>Destination IP: 198.51.100.1 - Message-ID: %s - Spam score: %s</p>\n' "$1" "$2"
}
html_alert '&#x61;&#X62;c@example.org' 300 >"$tmp/ref.eml"
run alert --json "$tmp/ref.eml"
assert_eq "$(jq -r '.targets[0].message_id' "$tmp/out")" abc@example.org "&#x61; and &#X62; are decoded"
html_alert 'a&#xD800;b@example.org' 300 >"$tmp/ref.eml"
run alert --json "$tmp/ref.eml"
assert_eq "$(jq -r '.targets[0].message_id' "$tmp/out")" "a$(printf '\357\277\275')b@example.org" \
	"&#xD800; (a surrogate) becomes U+FFFD"
# A score of eleven digits is a score; twelve is none (fpkit(1)).
for score in 12345678901 123456789012; do
	html_alert x@example.org $score >"$tmp/ref.eml"
	run alert --json "$tmp/ref.eml"
	want=$score
	[ ${#score} -le 11 ] || want=null
	assert_eq "$(jq -r '.targets[0].spamscore' "$tmp/out")" $want "a score of ${#score} digits: $want"
done

# Without --json: for people.
run alert "$A/en-text-qp.eml"
assert_status 0 "alert without --json"
assert_in "$tmp/out" "Blocked IP:  192.0.2.45" "text: the IP"
assert_in "$tmp/out" "Alert date:  2026-11-03 08:15:42 UTC" "text: the date in UTC"
assert_in "$tmp/out" "Messages:    3" "text: the count"
assert_in "$tmp/out" "  Message-ID:      <20261103081102.3C4D51A2B7@mail.example.net>" "text: an id"
run alert "$A/mangled.eml"
assert_in "$tmp/out" "  Message-ID:      (none given)" "text: a missing id"
assert_in "$tmp/out" "  Spam score:      (none given)" "text: a missing score"

# Standard input.
set +e
fpkit alert --json - <"$A/demo.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
set -e
assert_status 0 "alert reads '-' from standard input"
assert_true "standard input: the same JSON" cmp -s "$tmp/out" "$A/demo.json"

# Usage.
run alert
assert_status 64 "no file"
run alert --json "$A/demo.eml" "$A/demo.eml"
assert_status 64 "two files"
run alert --bogus "$A/demo.eml"
assert_status 64 "unknown option"
assert_in "$tmp/err" "unknown option '--bogus'" "the option is named"
run alert "$tmp/no-such.eml"
assert_status 66 "a file that does not exist"
run alert --help
assert_status 0 "--help"
assert_in "$tmp/out" "usage: fpkit alert [--json] FILE" "--help shows the usage"
run --help
assert_in "$tmp/out" "alert    read an OVHcloud anti-spam alert e-mail" "fpkit --help lists alert"

# Bounds: the file's size, a line's length, the number of messages.
{
	sed -n '1,/^$/p' "$A/demo.eml"
	head -c 17000000 /dev/zero | tr '\0' 'x' | fold -w 70
} >"$tmp/big.eml"
run alert --json "$tmp/big.eml"
assert_status 65 "a file over 16 MiB is refused"
assert_in "$tmp/err" "larger than the limit of 16777216 bytes" "the size limit is named"
{
	sed -n '1,/^$/p' "$A/demo.eml"
	printf 'Your IP 203.0.113.7 is sending spam.\n'
	head -c 70000 /dev/zero | tr '\0' 'x'
	printf '\n'
} >"$tmp/long.eml"
run alert --json "$tmp/long.eml"
assert_status 65 "a line over 64 KiB is refused"
assert_in "$tmp/err" "line 2 of the alert's text is longer than 65536 bytes" "the line is named"
{
	sed -n '1,/^$/p' "$A/demo.eml"
	printf 'Your IP 203.0.113.7 is sending spam.\n'
	awk 'BEGIN { for (i = 0; i <= 10000; i++)
		printf "Destination IP: 198.51.100.1 - Message-ID: m%d@example.org - Spam score: 1\n", i }'
} >"$tmp/many.eml"
run alert --json "$tmp/many.eml"
assert_status 65 "more than 10000 messages are refused"
assert_in "$tmp/err" "lists more than 10000 messages" "the limit is named"
sed '$d' "$tmp/many.eml" >"$tmp/max.eml"
run alert --json "$tmp/max.eml"
assert_status 0 "10000 messages are read"
assert_eq "$(jq '.targets | length' "$tmp/out")" 10000 "all 10000 of them"

# Time: an element whose content is skipped (<script>, <style>, <head>,
# <template>, <title>) opened again and again and never closed.  Each
# one searched to the end of the text for its end tag made it quadratic
# (12 MB of "<script>" took minutes); 4 MB must take well under 20 s,
# even with the sanitizers.  (No valgrind here: this one is timed.)
{
	printf 'From: OVH <noreply@ovh.net>\nSubject: Anti-spam\nContent-Type: text/html\n\n'
	printf '<p>Our anti-spam protection layer has detected that your IP 203.0.113.7 '
	printf 'is sending spam.</p>\n'
	awk 'BEGIN { for (i = 0; i < 8192; i++) {
		for (j = 0; j < 64; j++) printf "<script>"; printf "\n" } }'
} >"$tmp/script.eml"
set +e
timeout 20 "$FPKIT" alert --json "$tmp/script.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
set -e
assert_status 0 "4 MB of unclosed <script> tags are read within 20 s"
assert_eq "$(jq -r .ip "$tmp/out" 2>/dev/null)" 203.0.113.7 "the alert before them is read"

finish
