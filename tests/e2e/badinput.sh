#!/bin/sh
# The bad-input catalogue: every command that reads outside input, fed
# what a careless or hostile world gives it (empty files, NUL bytes,
# bytes that are not UTF-8, CR-only lines, a 100 MB header line, 10000
# nested multiparts, Message-IDs made of path characters, control bytes,
# terminal escapes or bidi characters, JSON of the wrong types, huge
# numbers, duplicate keys, alerts without an IP, bundles with '..',
# absolute names, links and sizes that lie, bad ovh.conf files, archive
# folders others can write, bundles planted in one, indexes of empty
# lines, bad command lines).  One row per case, in the table at the end:
# the exit status fpkit(1) documents, a piece of the message, no raw ESC
# or U+202E printed, nothing left under an output name when it fails, and
# no crash (no signal, no sanitizer report).
#
# Run it alone with: make check TESTS=tests/e2e/badinput.sh
#
# (OUT, PACKDEMO, BIG, MAILLOGS... are used by the rows, through eval.)
# shellcheck disable=SC2034
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
: "${TARMK:?run the tests through 'make check'}"

IN=$tmp/in		# the inputs, made below
OUT=$tmp/o/b.tar.gz	# the -o of the pack rows; $tmp/o is emptied per row
CWD=$tmp/cwd		# each row runs here, in an empty folder
mkdir "$IN" "$tmp/o"
PACKDEMO="--spam-ip-json $DEMO_SPAMIP --stats-json $DEMO_STATS"
ESC=$(printf '\033')
RLO=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE
nl='
'

# ---- the inputs ----

# A SpamIp object with one field replaced: spamip FILE FIELD=JSON...
spamip() {
	f=$1
	shift
	date='"2026-11-20T14:32:07+01:00"' ip='"203.0.113.7"' state='"blockedForSpam"' time=3600
	extra=
	for kv in "$@"; do
		case $kv in
		date=*) date=${kv#date=} ;;
		ipSpamming=*) ip=${kv#ipSpamming=} ;;
		state=*) state=${kv#state=} ;;
		time=*) time=${kv#time=} ;;
		*) extra="$extra, $kv" ;;
		esac
	done
	printf '{"date": %s, "ipSpamming": %s, "state": %s, "time": %s%s}\n' \
		"$date" "$ip" "$state" "$time" "$extra" >"$IN/$f"
}

# A SpamStats array of one entry and one target: stats FILE FIELD=JSON...
stats() {
	f=$1
	shift
	ts=1795181527 total=1 avg=null sdate=1795181287 dest='"198.51.100.23"' id='"a@example.com"'
	score=300 entry_extra='' target=''
	for kv in "$@"; do
		case $kv in
		timestamp=*) ts=${kv#timestamp=} ;;
		total=*) total=${kv#total=} ;;
		date=*) sdate=${kv#date=} ;;
		messageId=*) id=${kv#messageId=} ;;
		spamscore=*) score=${kv#spamscore=} ;;
		target=*) target=${kv#target=} ;;
		*) entry_extra="$entry_extra, $kv" ;;
		esac
	done
	[ -n "$target" ] || target=$(printf '{"date": %s, "destinationIp": %s, "messageId": %s, "spamscore": %s}' \
		"$sdate" "$dest" "$id" "$score")
	printf '[{"averageSpamscore": %s, "numberOfSpams": 1, "timestamp": %s, "total": %s%s, "detectedSpams": [%s]}]\n' \
		"$avg" "$ts" "$total" "$entry_extra" "$target" >"$IN/$f"
}

gen_json() {
	: >"$IN/empty"
	printf '{"date": "2026-11-20T14:32:07+01:00"}\0\n' >"$IN/spamip-nul.json"
	spamip spamip-utf8.json "state=$(printf '"blocked\377ForSpam"')"
	spamip spamip-plain.json
	{ printf '\357\273\277'; cat "$IN/spamip-plain.json"; } >"$IN/spamip-bom.json"
	printf '[1, 2]\n' >"$IN/spamip-array.json"
	spamip spamip-time-real.json time=3600.5
	spamip spamip-time-overflow.json time=1e400
	spamip spamip-time-negative.json time=-1
	spamip spamip-time-int64.json time=9223372036854775807
	spamip spamip-dup.json '"ipSpamming": "192.0.2.1"'
	spamip spamip-year0.json 'date="0000-01-01T00:00:00Z"'
	spamip spamip-past-9999.json 'date="9999-12-31T00:00:00Z"' time=172800
	spamip spamip-feb30.json 'date="2026-02-30T00:00:00Z"'
	spamip spamip-nozone.json 'date="2026-11-20T14:32:07"'
	spamip spamip-ip-escape.json 'ipSpamming="\u001b[2J"'
	spamip spamip-ip-null.json ipSpamming=null
	spamip spamip-trailing.json
	printf 'x\n' >>"$IN/spamip-trailing.json"
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]" }' \
		>"$IN/spamip-deep.json"
	printf '{}\n' >"$IN/stats-object.json"
	printf '[]\n' >"$IN/stats-empty.json"
	stats stats-ts-int64.json timestamp=9223372036854775807
	stats stats-ts-negative.json timestamp=-1
	stats stats-date-year10000.json date=253402300800
	stats stats-target-null.json target=null
	stats stats-id-empty.json 'messageId=""'
	stats stats-score-string.json 'spamscore="300"'
	stats stats-score-huge.json spamscore=99999999999999999999
	stats stats-total-bool.json total=true
	stats stats-dup.json '"total": 2'
	stats stats-dotdot.json 'messageId="../../etc/passwd"'
	stats stats-slash.json 'messageId="/"'
	stats stats-escape.json 'messageId="a\u001bb"'
	stats stats-dot.json 'messageId=".hidden@example.com"'
	stats stats-nul-id.json 'messageId="a\u0000b"'
	stats stats-long.json 'messageId="long@example.com"'
	stats stats-nest.json 'messageId="nest@example.com"'
	spamip spamip-other.json 'ipSpamming="192.0.2.25"'
	# Terminal escapes (OSC 52 clipboard write, BEL) and bidi characters,
	# as JSON escapes and as raw UTF-8.
	stats stats-osc52.json 'messageId="a\u001b]52;c;ZXZpbA==\u0007\u202eb@example.com"'
	stats stats-bidi-raw.json "messageId=\"a${RLO}b$(printf '\342\201\246')c@example.com\""
	spamip spamip-state-osc52.json 'state="\u001b]52;c;ZXZpbA==\u0007\u202e"'
}

# A message with Message-ID ID: msg FILE ID
msg() {
	printf 'From: a@example.com\nDate: Fri, 20 Nov 2026 13:28:07 +0000\nMessage-ID: <%s>\nSubject: s\n\nbody\n' \
		"$2" >"$1"
}

# zeros_bomb: a bzip2 bomb, 200 streams of 50 MB of zeros each (what
# bzip2 -9 makes of them, 81 bytes), 10 GB from 16 KB: a minute of CPU,
# were decompression not bounded.
zeros_bomb() {
	zb_i=0
	while [ $zb_i -lt 200 ]; do
		printf '\102\132\150\071\061\101\131\046\123\131\016\011\342\337\001\137\216\100\000\300'
		printf '\000\000\010\040\000\060\200\115\106\102\240\045\251\012\200\227\061\101\131\046'
		printf '\123\131\223\304\354\075\000\037\150\301\000\300\000\000\020\000\010\040\000\060'
		printf '\314\011\252\151\225\042\015\252\122\040\361\167\044\123\205\011\010\375\162\230\060'
		zb_i=$((zb_i + 1))
	done
}

gen_mail() {
	# The demo Maildir with a bomb among its messages: an mbox in bzip2
	# (its "From " line and a header, then the zeros as its body).
	cp -R "$DEMO_MAIL" "$IN/bombmail"
	{
		printf '\102\132\150\071\061\101\131\046\123\131\365\033\155\130\000\000\021\135\200\000'
		printf '\020\100\003\171\025\105\043\072\246\331\100\040\000\124\065\002\151\246\214\206'
		printf '\101\204\077\124\032\231\047\250\321\246\232\150\172\206\115\064\074\261\276\304'
		printf '\372\114\273\144\021\001\236\114\050\066\115\212\073\236\226\350\310\214\133\340'
		printf '\345\121\345\105\046\042\110\040\054\026\046\106\000\215\257\222\107\342\356\110'
		printf '\247\012\022\036\243\155\253\000'
		zeros_bomb
	} >"$IN/bombmail/cur/1795180000.M1P1.mx1:2,S"
	# A Maildir that names what it must not hand over: a link to a
	# secret holding a target's Message-ID, a link to a device, a FIFO,
	# a linked cur/ folder; and 25 copies of one target.
	mkdir -p "$IN/linkmail/cur" "$IN/linkmail/new" "$IN/linkmail/.Sub" "$IN/secret"
	printf 'Message-ID: <order-10482.1795180980.7d1e@shop.example.com>\nSECRET\n\n' >"$IN/secret/s"
	ln -s "$IN/secret/s" "$IN/linkmail/cur/link:2,S"
	ln -s /dev/zero "$IN/linkmail/new/zero"
	mkfifo "$IN/linkmail/new/fifo"
	ln -s "$IN/secret" "$IN/linkmail/.Sub/cur"
	mkdir -p "$IN/copies/cur"
	cp_i=0
	while [ $cp_i -lt 25 ]; do
		cp "$DEMO_MAIL/new/1795180981.M731554P4268.mx1.shop.example.com,S=2771,W=2840" \
			"$IN/copies/cur/$cp_i:2,S"
		cp_i=$((cp_i + 1))
	done
	mkdir "$IN/paths"
	msg "$IN/paths/dotdot.eml" ../../etc/passwd
	msg "$IN/paths/slash.eml" /
	msg "$IN/paths/escape.eml" "a${ESC}b"
	msg "$IN/paths/dot.eml" .hidden@example.com
	mkdir "$IN/bidi"
	msg "$IN/bidi/bidi.eml" "a${RLO}b@example.com"
	printf 'From: a@example.com\r\nDate: Fri, 20 Nov 2026 13:28:07 +0000\rMessage-ID: <cr@example.com>\r\rbody\r' \
		>"$IN/cr.eml"
	printf 'From: a@example.com\nX-Bin: \0\0\nMessage-ID: <nul@example.com>\nDate: Fri, 20 Nov 2026 13:28:07 +0000\n\nb\0dy\n' \
		>"$IN/nul.eml"
	printf 'From: a\377\376@example.com\nMessage-ID: <u8@example.com>\nDate: Fri, 20 Nov 2026 13:28:07 +0000\n\nbody\n' \
		>"$IN/utf8.eml"
	# The 100 MB header line, read by most rows below: a message, a log
	# with a long line, and a file too large for every size limit.
	{
		printf 'From: a@example.com\nMessage-ID: <long@example.com>\nSubject: '
		head -c 100000000 /dev/zero | tr '\0' a
		printf '\n\nbody\n'
	} >"$IN/big"
	# 2 MB of header before the Message-ID: past what is searched.
	{
		printf 'From: a@example.com\nX-Long: '
		head -c 2000000 /dev/zero | tr '\0' a
		printf '\nMessage-ID: <late@example.com>\n\nbody\n'
	} >"$IN/late.eml"
	# 10000 multiparts, each inside the one before.
	awk 'BEGIN {
		n = 10000
		printf "From: a@example.com\nDate: Fri, 20 Nov 2026 13:28:07 +0000\n"
		printf "Message-ID: <nest@example.com>\nSubject: s\nMIME-Version: 1.0\n"
		printf "Content-Type: multipart/mixed; boundary=\"b0\"\n\n"
		for (i = 1; i <= n; i++)
			printf "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n", i - 1, i
		printf "--b%d\nContent-Type: text/plain\n\nhi\n", n
		for (i = n; i >= 0; i--)
			printf "--b%d--\n", i
	}' >"$IN/nest.eml"
	# Compressed stores whose data is damaged after a sound header.
	printf '\037\213\010\000\000\000\000\000\000\003garbage' >"$IN/bad.gz"
	printf '\375\067\172\130\132\000garbage' >"$IN/bad.xz"
	printf 'BZh91AY&SYgarbage' >"$IN/bad.bz2"
	mkfifo "$IN/fifo"
}

gen_msgid_files() {
	printf 'a@example.com\0b@example.com\n' >"$IN/ids-nul"
	printf 'a@example.com\n<>\n' >"$IN/ids-noid"
	printf '# nothing\n\n  \n' >"$IN/ids-comments"
	printf 'a\033[2Jb@example.com\n' >"$IN/ids-escape"
	printf 'a\342\200\256b@example.com\n' >"$IN/ids-bidi"
	head -c 10000 /dev/zero | tr '\0' x >"$IN/ids-long"
	printf '\n' >>"$IN/ids-long"
	printf 'a@example.com\r\n\r\n  b@example.com  \r\n<c@example.com> <d@example.com>\r\n' >"$IN/ids-two"
}

gen_keys() {
	printf 'sel._domainkey.example.com v=DKIM1; p=\0AAAA\n' >"$IN/keys-nul"
	printf 'garbage\n' >"$IN/keys-garbage"
}

# An alert e-mail: mkalert FILE BODY (printf format)
mkalert() {
	{
		printf 'From: OVHcloud <noreply@ovh.net>\nSubject: Anti-spam alert\nDate: Fri, 20 Nov 2026 13:32:07 +0000\n\n'
		# shellcheck disable=SC2059
		printf "$2"
	} >"$IN/$1"
}

gen_alerts() {
	LIST='Destination IP: 198.51.100.1 - Message-ID: m@example.com - Spam score: 300\n'
	printf '\0\0\0\0' >"$IN/alert-nul-only.eml"
	awk 'BEGIN { for (i = 0; i < 4096; i++) printf "%c", (i * 7 + 3) % 256 }' >"$IN/alert-binary.eml"
	printf 'From: x\rSubject: spam\r\rYour IP 203.0.113.7 is sending spam.\r' >"$IN/alert-cr.eml"
	mkalert alert-nul.eml "Your IP 203.0.113.7 is sending spam.\n\0\0\n$LIST"
	mkalert alert-utf8.eml 'Your IP 203.0.113.7 is sending spam.\nDestination IP: 198.51.100.1 - Message-ID: m\377\376@example.com - Spam score: 300\n'
	mkalert alert-score-huge.eml 'Your IP 203.0.113.7 is sending spam.\nDestination IP: 198.51.100.1 - Message-ID: m@example.com - Spam score: 99999999999999999999999\n'
	mkalert alert-dotdot.eml 'Your IP 203.0.113.7 is sending spam.\nDestination IP: 198.51.100.1 - Message-ID: ../../etc/passwd - Spam score: 300\n'
	mkalert alert-no-ip.eml "Something happened.\n$LIST"
	mkalert alert-osc52.eml 'Your IP 203.0.113.7 is sending spam.\nDestination IP: 198.51.100.1 - Message-ID: m\033]52;c;ZXZpbA==\007\342\200\256x@example.com - Spam score: 300\n'
	# 10000 forwards, each inside the one before, the alert in the last.
	awk 'BEGIN { for (i = 0; i < 10000; i++)
		printf "From: a@example.com\nSubject: fwd\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n"
		printf "From: a@example.com\nSubject: x\n\nYour IP 203.0.113.7 is sending spam.\n" }' \
		>"$IN/alert-fwd.eml"
}

gen_logs() {
	printf '\037\213\010\000\000\000\000\000\000\003garbage' >"$IN/bad.log.gz"
	printf '\375\067\172\130\132\000garbage' >"$IN/bad.log.xz"
	zeros_bomb >"$IN/bomb.log.bz2"
	printf 'Nov 20 14:23:00 mx1 postfix/cleanup[2]: 4F2A9C1B0D: message-id=<%s>\n' \
		order-10482.1795180980.7d1e@shop.example.com >"$IN/order.log"
	mkdir "$IN/logs"
	i=0
	MAILLOGS=
	while [ $i -le 256 ]; do
		: >"$IN/logs/$i.log"
		MAILLOGS="$MAILLOGS --maillog $IN/logs/$i.log"
		i=$((i + 1))
	done
}

gen_templates() {
	printf 'IP {{ip\n' >"$IN/tpl-unclosed"
	printf '{{{ip}}}\n' >"$IN/tpl-triple"
	printf '{{#targets}}x{{/samples}}\n' >"$IN/tpl-wrong-close"
	printf 'a\0b\n' >"$IN/tpl-nul"
	awk 'BEGIN { for (i = 0; i < 33; i++) printf "{{#ip}}"; for (i = 0; i < 33; i++) printf "{{/ip}}" }' \
		>"$IN/tpl-deep"
	awk 'BEGIN { for (i = 0; i < 15; i++) printf "{{#targets}}"; printf "{{block}}";
		for (i = 0; i < 15; i++) printf "{{/targets}}" }' >"$IN/tpl-steps"
	{
		printf '{{#targets}}{{#targets}}'
		head -c 1000000 /dev/zero | tr '\0' a
		printf '{{/targets}}{{/targets}}'
	} >"$IN/tpl-output"
}

# Hostile bundles: the files of a sound one, with more entries.
# shellcheck disable=SC2120
gen_bundles() {
	pack_demo -o "$IN/good.tar.gz" --no-dkim
	[ "$status" -eq 0 ] || not_ok "the sound bundle the hostile ones are made from"
	X=$tmp/good
	mkdir "$X"
	tar -xzf "$IN/good.tar.gz" -C "$X"
	top=$(ls "$X")
	(cd "$X" && find "$top" -type f | sort) >"$tmp/good.list"
	hostile dotdot.tar.gz "s:$top/../evil=x"
	hostile dot.tar.gz "s:$top/./evil=x"
	hostile absolute.tar.gz "s:/tmp/fpkit-evil=x"
	hostile symlink.tar.gz "l:$top/link=/etc/passwd"
	hostile hardlink.tar.gz "h:$top/hard=$top/TICKET.txt"
	hostile device.tar.gz "c:$top/dev"
	hostile escape.tar.gz "s:$top/a${ESC}b=x"
	hostile newline.tar.gz "s:$top/a${nl}b=x"
	hostile backslash.tar.gz "s:$top/a\\b=x"
	hostile empty-component.tar.gz "s:$top//x=x"
	hostile empty-name.tar.gz "s:=x"
	hostile not-utf8.tar.gz "s:$top/a$(printf '\377')b=x"
	hostile bidi.tar.gz "s:$top/a${RLO}b=x"
	hostile liar.tar.gz "z:$top/zzz=100000"
	hostile huge.tar.gz "z:$top/zzz=2000000000"
	"$TARMK" "$IN/top-file.tar.gz" "s:$top=x"
	"$TARMK" "$IN/summary-array.tar.gz" "d:$top" "s:$top/SHA256SUMS=" "s:$top/summary.json=[]"
	"$TARMK" "$IN/summary-dup.tar.gz" "d:$top" "s:$top/SHA256SUMS=" \
		's:'"$top"'/summary.json={"ip": 1, "ip": 2}'
	# (One eval: growing "$@" one entry at a time is quadratic.)
	eval "set -- $(awk -v t="$top" 'BEGIN { for (i = 0; i <= 10000; i++) printf " s:%s/f%d=x", t, i }')"
	"$TARMK" "$IN/many.tar.gz" "$@"
	# 16 MiB of empty lines: 16777216 problems, of 18 KB.
	head -c 16777216 /dev/zero | tr '\0' '\n' >"$tmp/newlines"
	"$TARMK" "$IN/sums-newlines.tar.gz" "d:$top" "f:$top/SHA256SUMS=$tmp/newlines"
	rm -f "$tmp/newlines"
	printf 'not a tarball' | gzip >"$IN/gzip-text.tar.gz"
	head -c 200 "$IN/good.tar.gz" >"$IN/cut.tar.gz"
	gzip -dc "$IN/good.tar.gz" | xz >"$IN/good.tar.xz"
}

# hostile OUT ENTRY...: a tarball of the sound bundle's files, then ENTRY...
hostile() {
	out=$1
	shift
	n=$#
	while read -r f; do
		set -- "$@" "f:$f=$X/$f"
	done <"$tmp/good.list"
	# The sound files first: the top folder is that of the first entry.
	i=0
	while [ $i -lt "$n" ]; do
		a=$1
		shift
		set -- "$@" "$a"
		i=$((i + 1))
	done
	"$TARMK" "$IN/$out" "$@"
}

gen_conf() {
	printf '[default\n' >"$IN/conf-section"
	printf '[default]\nendpoint = ovh-eu\nendpoint = ovh-ca\n' >"$IN/conf-twice"
	printf '[default]\n\0\n' >"$IN/conf-nul"
	{ printf '[default]\nendpoint = '; head -c 2000 /dev/zero | tr '\0' a; echo; } >"$IN/conf-long"
	printf 'endpoint = ovh-eu\n' >"$IN/conf-nosection"
	printf '[ovh-eu]\napplication_key = k\n' >"$IN/conf-nosecret"
	printf '[default]\nendpoint = \377\376\n' >"$IN/conf-utf8"
	printf '[default]\r\nendpoint = ovh-eu\r\n' >"$IN/conf-crlf"
	ln -s /etc/passwd "$IN/conf-link"
	mkdir "$IN/home-link"
	ln -s /etc/passwd "$IN/home-link/.ovh.conf"
	mkdir "$IN/arch-garbage" "$IN/arch-fifo" "$IN/arch-dir" "$IN/arch-fake"
	printf 'not json\n{"ip": 1}\n\0\0\n' >"$IN/arch-garbage/index.jsonl"
	mkfifo "$IN/arch-fifo/index.jsonl"
	mkdir "$IN/arch-dir/index.jsonl"
	printf 'x' >"$IN/arch-fake/fpkit-192.0.2.1-20261120T133207Z.tar.gz"
	# Bundle names around the length of an address (7 to 15 characters):
	# the shortest is fpkit's; one of 16 is not, and is read no further.
	mkdir "$IN/arch-short" "$IN/arch-long"
	printf 'x' >"$IN/arch-short/fpkit-1.2.3.4-20261120T133207Z.tar.gz"
	printf 'x' >"$IN/arch-long/fpkit-1234567890123456-20261120T133207Z.tar.gz"
	: >"$IN/arch-file"
	# A bundle of a summary.json alone, planted: it names a block, but
	# has no SHA256SUMS.
	mkdir "$IN/arch-planted"
	"$TARMK" "$IN/arch-planted/fpkit-192.0.2.1-20261120T133207Z.tar.gz" \
		"d:fpkit-192.0.2.1-20261120T133207Z" \
		's:fpkit-192.0.2.1-20261120T133207Z/summary.json={"block": "192.0.2.0/24"}'
	mkdir "$IN/arch-blank"
	head -c 1048576 /dev/zero | tr '\0' '\n' >"$IN/arch-blank/index.jsonl"
	mkdir "$IN/arch-0777" "$IN/arch-1777" "$IN/arch-nobody"
	chmod 0777 "$IN/arch-0777"
	chmod 1777 "$IN/arch-1777"
	chmod 0700 "$IN/arch-nobody"
	chown nobody "$IN/arch-nobody" 2>/dev/null || :
}

gen_json
gen_mail
gen_msgid_files
gen_keys
gen_alerts
gen_logs
gen_templates
gen_bundles
gen_conf
BIG=$IN/big

# ---- the runner ----

# How long a row may take before it counts as a hang.
TIMEOUT=
if command -v timeout >/dev/null 2>&1; then
	TIMEOUT="timeout 120"
	[ -z "${FPKIT_VALGRIND:-}" ] || TIMEOUT="timeout 2400"
fi

# row NAME STATUS FRAGMENT COMMAND: run fpkit with the arguments COMMAND
# holds (shell words, with $IN, $OUT... expanded; leading NAME=VALUE
# words go into its environment, STDIN=FILE is its standard input,
# WITHIN=SECONDS the time it must end in, but under valgrind), in an
# empty folder.  FRAGMENT is looked for on standard error, or on
# standard output when it starts with "stdout:".
row() {
	name=$1 want=$2 frag=$3 cmd=$4
	# $IN in a fragment stands for the folder of the inputs.
	while :; do
		# shellcheck disable=SC2016
		case $frag in
		*'$IN'*) frag="${frag%%\$IN*}$IN${frag#*\$IN}" ;;
		*) break ;;
		esac
	done
	rm -rf "$CWD" "$tmp/o"
	mkdir "$CWD" "$tmp/o"
	set +e
	(
		cd "$CWD" || exit 125
		stdin=/dev/null
		eval "set -- $cmd"
		while [ $# -gt 0 ]; do
			case $1 in
			STDIN=*) stdin=${1#STDIN=} ;;
			WITHIN=*)
				[ -z "$TIMEOUT" ] || [ -n "${FPKIT_VALGRIND:-}" ] ||
					TIMEOUT="timeout ${1#WITHIN=}"
				;;
			[A-Z]*=*) export "${1?}" ;;
			*) break ;;
			esac
			shift
		done
		# shellcheck disable=SC2086
		exec $TIMEOUT ${FPKIT_VALGRIND:-} "$FPKIT" "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err"
	)
	status=$?
	set -e
	if ! san_check "$name"; then
		:
	elif [ "$status" -ge 124 ]; then
		not_ok "$name: crashed or hung (exit $status)"
	else
		assert_status "$want" "$name"
	fi
	case $frag in
	stdout:*) assert_in "$tmp/out" "${frag#stdout:}" "$name: says '${frag#stdout:}'" ;;
	*) assert_in "$tmp/err" "$frag" "$name: says '$frag'" ;;
	esac
	# Whatever the input, a terminal gets no raw ESC and no U+202E.
	if od -An -v -tx1 "$tmp/out" "$tmp/err" | tr -s ' \n' '  ' | grep -qE ' 1b| e2 80 ae'; then
		not_ok "$name: a raw ESC or U+202E printed"
	else
		ok "$name: no raw ESC or U+202E printed"
	fi
	# Only pack writes a file here (-o, or its default name in the
	# current folder): for it, "nothing written" is an assertion.  The
	# other commands never write one; that they did not is still
	# checked, but not counted as a pass of its own.
	if [ "$want" -ne 0 ]; then
		left="$(ls -A "$CWD") $(ls -A "$tmp/o")"
		if [ "$left" != " " ]; then
			not_ok "$name: left $(printf '%s' "$left" | tr '\n' ' ')"
		else
			case $cmd in
			pack\ * | STDIN=*\ pack\ *) ok "$name: nothing written" ;;
			esac
		fi
	fi
}

# ---- the catalogue ----
# NAME|COMMAND|STATUS|FRAGMENT.  A pack row that fails must leave
# nothing, neither under -o nor the default name in the current folder.
while IFS='|' read -r name cmd want frag; do
	case $name in '' | '#'*) continue ;; esac
	row "$name" "$want" "$frag" "$cmd"
done <<'EOF'
# -- command lines
cmd-empty|''|64|'' is not an fpkit command
cmd-dash|-x|64|'-x' is not an fpkit command
pack-unknown-option|pack $PACKDEMO --frobnicate -o "$OUT"|64|unknown option '--frobnicate'
pack-missing-value|pack $PACKDEMO -o "$OUT" --ip|64|'--ip' needs a value
pack-flag-given-value|pack $PACKDEMO -o "$OUT" --json=yes|64|--json takes no value
pack-ambiguous-option|pack $PACKDEMO -o "$OUT" --d x|64|'--d' is the start of several options
before-block-negative|pack $PACKDEMO -o "$OUT" --before-block -1|64|--before-block takes a number of messages from 1 to 10000, not '-1'
before-block-huge|pack $PACKDEMO -o "$OUT" --before-block 99999999999999999999|64|not '99999999999999999999'
before-block-zero|pack $PACKDEMO -o "$OUT" --before-block 0|64|not '0'
before-block-trailing|pack $PACKDEMO -o "$OUT" --before-block 5x|64|not '5x'
date-slack-negative|pack $PACKDEMO -o "$OUT" --date-slack -1|64|--date-slack takes a number of seconds, not '-1'
date-slack-huge|pack $PACKDEMO -o "$OUT" --date-slack 99999999999999999999|64|not '99999999999999999999'
ip-octet|pack $PACKDEMO -o "$OUT" --ip 203.0.113.256|64|'203.0.113.256' is not an IPv4 address
ip-leading-zero|pack $PACKDEMO -o "$OUT" --ip 203.0.113.07|64|'203.0.113.07' is not an IPv4 address
ip-blank|pack --stats-json "$DEMO_STATS" -o "$OUT" --ip ' 203.0.113.7'|64|' 203.0.113.7' is not an IPv4 address
block-prefix|pack $PACKDEMO -o "$OUT" --block 203.0.113.0/-1|64|'203.0.113.0/-1' is not an IPv4 block
block-outside|pack $PACKDEMO -o "$OUT" --block 198.51.100.0/24|64|203.0.113.7 is not inside block 198.51.100.0/24: give the --block that holds it
store-missing-hint|pack $PACKDEMO --mail "$IN/no-such-store" -o "$OUT"|66|cannot read mail store '$IN/no-such-store': No such file or directory: check the path
from-bad-month|pack --ip 192.0.2.1 --from 2026-13-01T00:00:00Z --to 2026-11-20T00:00:00Z -o "$OUT"|64|--from '2026-13-01T00:00:00Z' is not an ISO 8601 date
from-no-zone|pack --ip 192.0.2.1 --from 2026-11-19T00:00:00 --to 2026-11-20T00:00:00Z -o "$OUT"|64|--from '2026-11-19T00:00:00' is not an ISO 8601 date
from-after-to|pack --ip 192.0.2.1 --from 2026-11-21T00:00:00Z --to 2026-11-20T00:00:00Z -o "$OUT"|64|--from must come before --to
from-alone|pack --ip 192.0.2.1 --from 2026-11-21T00:00:00Z -o "$OUT"|64|give both --from and --to
retries-negative|pack --ip 192.0.2.1 --retries -1 -o "$OUT"|64|--retries '-1' is not a whole number from 0 to 20
rate-huge|pack --ip 192.0.2.1 --rate 99999999999999999999 -o "$OUT"|64|--rate '99999999999999999999' is not a whole number
timeout-nan|pack --ip 192.0.2.1 --timeout nan -o "$OUT"|64|--timeout 'nan' is not a number of seconds
endpoint-scheme|pack --ip 192.0.2.1 --endpoint ftp://api.example.com -o "$OUT"|64|unknown endpoint 'ftp://api.example.com'
endpoint-http-remote|pack --ip 192.0.2.1 --endpoint http://192.0.2.1/1.0 -o "$OUT"|64|(from --endpoint) is plain http to a host that is not loopback
endpoint-http-127-name|pack --ip 192.0.2.1 --endpoint http://127.attacker.invalid/1.0 -o "$OUT"|64|is plain http to a host that is not loopback
endpoint-http-localhost-name|pack --ip 192.0.2.1 --endpoint http://localhost.evil.invalid/1.0 -o "$OUT"|64|is plain http to a host that is not loopback
endpoint-userinfo-host|pack --ip 192.0.2.1 --endpoint http://127.0.0.1@attacker.invalid/1.0 -o "$OUT"|64|holds user information ('user:password@' before the host)
endpoint-userinfo-password|scan --endpoint https://u:pw@eu.api.ovh.com/1.0|64|holds user information
endpoint-not-url|scan --endpoint 'http://[::1/1.0'|64|is not a URL libcurl can read
endpoint-http-env|OVH_ENDPOINT=http://192.0.2.1/1.0 scan|78|(from OVH_ENDPOINT) is plain http
lang-empty|pack $PACKDEMO -o "$OUT" --lang ''|64|no ticket in language ''
sde-sign|SOURCE_DATE_EPOCH=+5 pack $PACKDEMO -o "$OUT"|64|SOURCE_DATE_EPOCH='+5' is not a number of seconds
sde-blank|SOURCE_DATE_EPOCH=' 5' pack $PACKDEMO -o "$OUT"|64|SOURCE_DATE_EPOCH=' 5' is not a number of seconds
queue-unknown-option|queue --frobnicate|64|queue: unknown option '--frobnicate'
queue-argument|queue extra|64|queue: unexpected argument 'extra'
queue-mta-unknown|queue --mta courier|64|--mta takes one of postfix, exim, sendmail, opensmtpd, qmail, not 'courier'
queue-timeout-zero|queue --tool-timeout 0|64|--tool-timeout takes a number of seconds from 1 to 3600, not '0'
queue-timeout-huge|queue --tool-timeout 99999999999999999999|64|not '99999999999999999999'
queue-maillog-alone|queue --maillog "$IN/empty"|64|--maillog is read for the block's flagged messages
queue-no-mta|FPKIT_MTA_PATH=$IN/no-such queue|69|queue: no mail system found
queue-alert-no-ip|FPKIT_MTA_PATH=$IN/no-such queue --alert "$IN/alert-no-ip.eml"|65|queue: no blocked IP found in the alert
unblock-unknown-option|unblock 203.0.113.7 --frobnicate|64|unblock: unknown option '--frobnicate'
unblock-no-ip|unblock --yes|64|unblock: which IP? give it: 'fpkit unblock IP'
unblock-argument|unblock 203.0.113.7 extra|64|unblock: unexpected argument 'extra'
unblock-ip-octet|unblock 203.0.113.256|64|unblock: '203.0.113.256' is not an IPv4 address
unblock-block-outside|unblock 203.0.113.7 --block 198.51.100.0/24|64|203.0.113.7 is not inside block 198.51.100.0/24
unblock-mta-unknown|unblock 203.0.113.7 --mta courier|64|unblock: --mta takes one of postfix, exim, sendmail, opensmtpd, qmail, not 'courier'
unblock-timeout-zero|unblock 203.0.113.7 --tool-timeout 0|64|--tool-timeout takes a number of seconds from 1 to 3600, not '0'
unblock-archive-bucket|unblock 203.0.113.7 --archive s3://evidence/fp --yes|64|a bucket keeps the bundles alone and cannot record the unblock
ticket-archive-bucket|ticket create fixtures/demo --archive s3://evidence/fp --yes|64|a bucket keeps the bundles alone and cannot record the ticket
unblock-dry-run-watch|unblock 203.0.113.7 --dry-run --watch|64|--dry-run sends nothing to --watch
unblock-bundle-no-evidence|unblock 203.0.113.7 --bundle x --no-evidence|64|--bundle and --no-evidence say opposite things
unblock-poll-env|FPKIT_UNBLOCK_POLL_MS=5x unblock 203.0.113.7|64|FPKIT_UNBLOCK_POLL_MS takes milliseconds from 1 to 3600000, not '5x'
unblock-no-credentials|unblock 203.0.113.7|78|unblock: no OVH API credentials
unblock-reread-env|FPKIT_UNBLOCK_REREAD_MS=0 unblock 203.0.113.7|64|FPKIT_UNBLOCK_REREAD_MS takes milliseconds from 1 to 3600000, not '0'
ticket-no-action|ticket|64|ticket: which? 'fpkit ticket create|list|show|reply'
ticket-unknown-action|ticket close 5001|64|ticket: unknown action 'close'
ticket-unknown-option|ticket create x --frobnicate|64|ticket: unknown option '--frobnicate'
ticket-create-no-bundle|ticket create --yes|64|ticket create: give one bundle
ticket-create-two|ticket create a b --yes|64|ticket create: give one bundle
ticket-create-no-terminal|ticket create x|64|no terminal to ask for a confirmation: add --yes
ticket-create-missing|ticket create "$IN/none.tar.gz" --yes|66|cannot open bundle
ticket-create-not-bundle|ticket create "$IN/nul.eml" --yes|65|ticket create: 
ticket-product|ticket create x --product car --yes|64|--product 'car' is not one of the API's products
ticket-category|ticket create x --category urgent --yes|64|--category 'urgent': assistance, billing or incident
ticket-subcategory|ticket create x --subcategory x --yes|64|--subcategory 'x'
ticket-inline-max|ticket create x --inline-max 5 --yes|64|--inline-max takes a number of bytes from 1024
ticket-list-arg|ticket list extra|64|ticket list: unexpected argument 'extra'
ticket-list-status|ticket list --status gone|64|--status 'gone': open, closed or unknown
ticket-list-yes|ticket list --yes|64|ticket list: sends nothing
ticket-show-none|ticket show|64|ticket show: give one ticket
ticket-show-word|ticket show abc|64|'abc' is not a ticket id or number
ticket-show-create-option|ticket show 1 --service x|64|go with 'ticket create'
ticket-reply-no-file|ticket reply 1 --yes|64|ticket reply: give the ticket and the file
ticket-status-create|ticket create x --status open --yes|64|--status goes with 'ticket list'
ticket-recheck-env|FPKIT_TICKET_RECHECK_MS=x ticket list|64|FPKIT_TICKET_RECHECK_MS takes milliseconds from 0 to 600000, not 'x'
ticket-no-credentials|ticket list|78|ticket list: no OVH API credentials
auth-unknown-option|auth --frobnicate|64|auth: unknown option '--frobnicate'
auth-argument|auth extra|64|auth: unexpected argument 'extra'
auth-redirection|auth --redirection ftp://x|64|--redirection takes an http:// or https:// address
auth-no-credentials|auth|78|auth: no OVH API credentials
sde-int64|SOURCE_DATE_EPOCH=9223372036854775807 pack $PACKDEMO -o "$OUT"|64|SOURCE_DATE_EPOCH='9223372036854775807' is not a number of seconds from 1970 to 9999
sde-year-10000|SOURCE_DATE_EPOCH=253402300800 pack $PACKDEMO -o "$OUT"|64|from 1970 to 9999
retry-base|FPKIT_RETRY_BASE_MS=-1 scan|64|FPKIT_RETRY_BASE_MS='-1' is not a number of milliseconds
check-window-no-zone|check --no-dkim --window 2026-11-20T00:00:00,2026-11-21T00:00:00Z "$IN/nul.eml"|64|--window '2026-11-20T00:00:00,2026-11-21T00:00:00Z' is not FROM,TO
check-window-reversed|check --no-dkim --window 5,4 "$IN/nul.eml"|64|--window '5,4' is not FROM,TO
check-dkim-time-huge|check --dkim-time 99999999999999999999 "$IN/nul.eml"|64|--dkim-time '99999999999999999999' is not a number of seconds
check-min-bits-zero|check --dkim-min-bits 0 "$IN/nul.eml"|64|--dkim-min-bits '0' is not a number of bits from 1 to 16384
check-msgid-empty|check --no-dkim --msgid '<>' "$IN/nul.eml"|64|--msgid '<>' is no Message-ID
check-ip|check --no-dkim --ip 203.0.113 "$IN/nul.eml"|64|--ip '203.0.113' is not an IP address
check-no-file|check --no-dkim|64|no message file given
find-msgid-empty|find --msgid= "$IN/paths"|64|'' is no Message-ID
find-no-store|find --msgid a@example.com|64|no mail store given
scan-parallel-huge|scan --parallel 99999999999999999999|64|--parallel '99999999999999999999' is not a whole number from 1 to 64
scan-type-blank|scan --type 'a b'|64|--type 'a b' is not an IP type
scan-archive-json|scan --archive "$tmp/arch" --json|64|--json and --archive do not go together
scan-mail-alone|scan --mail "$IN/paths"|64|go with --archive DIR
scan-before-block|scan --archive "$tmp/arch" --before-block -1|64|not '-1'
verify-unknown-option|verify -z "$IN/good.tar.gz"|64|unknown option '-z'
# -- saved API documents (pack)
spamip-empty|pack --spam-ip-json "$IN/empty" -o "$OUT"|65|is empty: expected a JSON document
spamip-stdin-empty|STDIN=$IN/empty pack --spam-ip-json /dev/stdin -o "$OUT"|65|'/dev/stdin' is empty
spamip-nul|pack --spam-ip-json "$IN/spamip-nul.json" -o "$OUT"|65|spamip-nul.json' is not valid JSON: it holds a NUL byte (at byte 37)
spamip-not-utf8|pack --spam-ip-json "$IN/spamip-utf8.json" -o "$OUT"|65|unable to decode byte 0xff
spamip-bom|pack --spam-ip-json "$IN/spamip-bom.json" -o "$OUT"|65|spamip-bom.json' is not valid JSON
spamip-array|pack --spam-ip-json "$IN/spamip-array.json" -o "$OUT"|65|the document is an array
spamip-time-real|pack --spam-ip-json "$IN/spamip-time-real.json" -o "$OUT"|65|field 'time': expected an integer, got a real number
spamip-time-overflow|pack --spam-ip-json "$IN/spamip-time-overflow.json" -o "$OUT"|65|real number overflow
spamip-time-negative|pack --spam-ip-json "$IN/spamip-time-negative.json" -o "$OUT"|65|field 'time': -1 seconds is not a block length
spamip-time-int64|pack --spam-ip-json "$IN/spamip-time-int64.json" -o "$OUT"|65|9223372036854775807 seconds is not a block length
spamip-duplicate-key|pack --spam-ip-json "$IN/spamip-dup.json" -o "$OUT"|65|duplicate object key
spamip-ends-after-9999|pack --spam-ip-json "$IN/spamip-past-9999.json" -o "$OUT"|65|field 'time': 172800 seconds after the date would end the block after 9999
spamip-year-0|pack --spam-ip-json "$IN/spamip-year0.json" -o "$OUT"|65|field 'date': '0000-01-01T00:00:00Z' is not an ISO 8601 date with a time zone, from 1970 to 9999
spamip-feb-30|pack --spam-ip-json "$IN/spamip-feb30.json" -o "$OUT"|65|field 'date': '2026-02-30T00:00:00Z'
spamip-no-zone|pack --spam-ip-json "$IN/spamip-nozone.json" -o "$OUT"|65|field 'date': '2026-11-20T14:32:07'
spamip-ip-escape|pack --spam-ip-json "$IN/spamip-ip-escape.json" -o "$OUT"|65|'\x1b[2J' is not an IPv4 address
spamip-ip-null|pack --spam-ip-json "$IN/spamip-ip-null.json" -o "$OUT"|65|field 'ipSpamming': expected a string, got null
spamip-trailing|pack --spam-ip-json "$IN/spamip-trailing.json" -o "$OUT"|65|end of file expected
spamip-deep|pack --spam-ip-json "$IN/spamip-deep.json" -o "$OUT"|65|maximum parsing depth reached
spamip-folder|pack --spam-ip-json "$IN" -o "$OUT"|66|Is a directory
stats-object|pack --stats-json "$IN/stats-object.json" --ip 203.0.113.7 -o "$OUT"|65|the document is an object
stats-empty-alone|pack --stats-json "$IN/stats-empty.json" --ip 203.0.113.7 -o "$OUT"|65|no block date in the documents given
stats-timestamp-int64|pack --stats-json "$IN/stats-ts-int64.json" --ip 203.0.113.7 -o "$OUT"|65|field '[0].timestamp': 9223372036854775807 is not a time from 1970 to 9999
stats-timestamp-negative|pack --stats-json "$IN/stats-ts-negative.json" --ip 203.0.113.7 -o "$OUT"|65|field '[0].timestamp': -1 is not a time
stats-date-year-10000|pack --stats-json "$IN/stats-date-year10000.json" --ip 203.0.113.7 -o "$OUT"|65|field '[0].detectedSpams[0].date': 253402300800 is not a time
stats-target-null|pack --stats-json "$IN/stats-target-null.json" --ip 203.0.113.7 -o "$OUT"|65|expected a SpamTarget object, got null
stats-id-empty|pack --stats-json "$IN/stats-id-empty.json" --ip 203.0.113.7 -o "$OUT"|65|field '[0].detectedSpams[0].messageId': empty string
stats-id-nul|pack --stats-json "$IN/stats-nul-id.json" --ip 203.0.113.7 -o "$OUT"|65|\u0000 is not allowed
stats-score-string|pack --stats-json "$IN/stats-score-string.json" --ip 203.0.113.7 -o "$OUT"|65|spamscore': expected an integer, got a string
stats-score-huge|pack --stats-json "$IN/stats-score-huge.json" --ip 203.0.113.7 -o "$OUT"|65|too big integer
stats-total-bool|pack --stats-json "$IN/stats-total-bool.json" --ip 203.0.113.7 -o "$OUT"|65|field '[0].total': expected an integer, got a boolean
stats-duplicate-key|pack --stats-json "$IN/stats-dup.json" --ip 203.0.113.7 -o "$OUT"|65|duplicate object key
stats-100mb|pack --stats-json "$BIG" --ip 203.0.113.7 -o "$OUT"|65|larger than the limit of 16777216 bytes
# -- Message-IDs made of path characters or control bytes
msgid-dotdot|pack --stats-json "$IN/stats-dotdot.json" --ip 203.0.113.7 --mail "$IN/paths" --no-dkim --json -o "$OUT"|0|stdout:"file": "samples/01-_._.._etc_passwd.eml"
msgid-slash|pack --stats-json "$IN/stats-slash.json" --ip 203.0.113.7 --mail "$IN/paths" --no-dkim --json -o "$OUT"|0|stdout:"file": "samples/01-_.eml"
msgid-escape|pack --stats-json "$IN/stats-escape.json" --ip 203.0.113.7 --mail "$IN/paths" --no-dkim --json -o "$OUT"|0|stdout:"file": "samples/01-a_b.eml"
msgid-leading-dot|pack --stats-json "$IN/stats-dot.json" --ip 203.0.113.7 --mail "$IN/paths" --no-dkim --json -o "$OUT"|0|stdout:"file": "samples/01-_hidden@example.com.eml"
find-msgid-escape|find --msgid "a${ESC}b" "$IN/paths"|0|stdout:a\x1bb
find-msgid-dotdot|find --msgid ../../etc/passwd "$IN/paths"|0|stdout:../../etc/passwd
find-msgid-bidi|find --msgid "a${RLO}b@example.com" "$IN/bidi"|0|stdout:a<U+202E>b@example.com
check-msgid-bidi|check --no-dkim "$IN/bidi/bidi.eml"|0|stdout:Message-ID:      <a<U+202E>b@example.com>
# -- terminal escapes and bidi characters on their way to the ticket
ticket-msgid-osc52|pack --stats-json "$IN/stats-osc52.json" --ip 203.0.113.7 -o "$OUT"|0|stdout:Message-ID:      <a\x1b]52;c;ZXZpbA==\x07<U+202E>b@example.com>
ticket-msgid-bidi|pack --stats-json "$IN/stats-bidi-raw.json" --ip 203.0.113.7 -o "$OUT"|0|stdout:Message-ID:      <a<U+202E>b<U+2066>c@example.com>
ticket-alert-osc52|pack --alert "$IN/alert-osc52.eml" -o "$OUT"|0|stdout:Message-ID:      <m\x1b]52;c;ZXZpbA==\x07<U+202E>x@example.com>
spamip-state-osc52|pack --spam-ip-json "$IN/spamip-state-osc52.json" -o "$OUT"|65|got '\x1b]52;c;ZXZpbA==\x07<U+202E>'
# -- mail stores and messages
store-empty-file|pack $PACKDEMO --mail "$IN/empty" -o "$OUT"|1|not found: <order-10482.1795180980.7d1e@shop.example.com>
store-fifo|pack $PACKDEMO --mail "$IN/fifo" -o "$OUT"|66|'$IN/fifo' is neither a file nor a folder
store-missing|pack $PACKDEMO --mail '' -o "$OUT"|66|cannot read mail store ''
find-cr-only|find --msgid cr@example.com "$IN/cr.eml"|1|not found: <cr@example.com>
find-nul-header|find --msgid nul@example.com "$IN/nul.eml"|0|stdout:nul@example.com
find-100mb-header-line|find --msgid long@example.com "$BIG"|0|header block larger than 1048576 bytes: only its start was searched
find-id-past-limit|find --msgid late@example.com "$IN/late.eml"|1|not found: <late@example.com>
find-nested|find --msgid nest@example.com "$IN/nest.eml"|0|stdout:nest@example.com
store-symlink-secret|pack $PACKDEMO --mail "$IN/linkmail" --no-dkim -o "$OUT"|1|'$IN/linkmail/cur/link:2,S': a symbolic link (links inside a store are not followed
store-symlink-device|find --msgid order-10482.1795180980.7d1e@shop.example.com "$IN/linkmail"|1|'$IN/linkmail/new/zero': a symbolic link
store-fifo|find --msgid order-10482.1795180980.7d1e@shop.example.com "$IN/linkmail"|1|'$IN/linkmail/new/fifo': not a regular file
store-linked-cur|find --msgid order-10482.1795180980.7d1e@shop.example.com "$IN/linkmail"|1|skipped '$IN/linkmail/.Sub/cur': a symbolic link
store-25-copies|pack $PACKDEMO --mail "$IN/copies" --no-dkim -o "$OUT"|0|left out 5 more copies of messages found more than 20 times
store-bzip2-bomb|WITHIN=10 pack $PACKDEMO --mail "$IN/bombmail" --no-dkim -o "$OUT"|0|'$IN/bombmail/cur/1795180000.M1P1.mx1:2,S': 16777216 bytes once decompressed from the first 16308, more than the limit of 1000 times as many for a compressed file (a decompression bomb?): messages after byte
store-bzip2-bomb-rest|WITHIN=10 pack $PACKDEMO --mail "$IN/bombmail" --no-dkim --json -o "$OUT"|0|stdout:"file": "samples/02-order-10482.1795180980.7d1e@shop.example.com.eml"
find-bad-gzip|find --msgid a@example.com "$IN/bad.gz"|1|cannot read compressed '$IN/bad.gz'
find-bad-xz|find --msgid a@example.com "$IN/bad.xz"|1|damaged or cut compressed data: xz data damaged
find-bad-bzip2|find --msgid a@example.com "$IN/bad.bz2"|1|bzip2
find-ids-nul|find --msgid-file "$IN/ids-nul" "$IN/paths"|65|'$IN/ids-nul' line 1: 'a@example.com\x00b@example.com' is not a Message-ID (a NUL byte
find-ids-stdin-nul|STDIN=$IN/ids-nul find --msgid-file - "$IN/paths"|65|--msgid-file: standard input line 1: 'a@example.com\x00b@example.com' is not a Message-ID
find-ids-no-id|find --msgid-file "$IN/ids-noid" "$IN/paths"|65|line 2: '<>' is not a Message-ID (nothing between '<' and '>'): the file must hold one Message-ID a line
find-ids-json|find --msgid-file "$DEMO_STATS" "$IN/paths"|65|stats.json' line 1: '[' is not a Message-ID (JSON punctuation: is it a JSON document?)
find-ids-eml|find --msgid-file "$IN/paths/dot.eml" "$IN/paths"|65|dot.eml' line 1: 'From: a@example.com' is not a Message-ID (a header field: is it an e-mail?
find-ids-escape|find --msgid-file "$IN/ids-escape" "$IN/paths"|65|line 1: 'a\x1b[2Jb@example.com' is not a Message-ID (a control character)
find-ids-bidi|find --msgid-file "$IN/ids-bidi" "$IN/bidi"|0|stdout:a<U+202E>b@example.com
find-ids-long-line|find --msgid-file "$IN/ids-long" "$IN/paths"|65|line 1: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not a Message-ID (no '@'
find-ids-two-on-a-line|find --msgid-file "$IN/ids-two" "$IN/paths"|65|line 4: '<c@example.com> <d@example.com>' is not a Message-ID (text after the '>': one Message-ID a line)
find-ids-comments|find --msgid-file "$IN/ids-comments" "$IN/paths"|64|holds no Message-ID, only empty or # lines
find-ids-100mb|find --msgid-file "$BIG" "$IN/paths"|65|larger than the limit of 67108864 bytes
find-ids-folder|find --msgid-file "$IN" "$IN/paths"|66|Is a directory
sample-100mb-header-line|pack --stats-json "$IN/stats-long.json" --ip 203.0.113.7 --mail "$BIG" --no-dkim -o "$OUT"|0|NOT INTACT (too-large)
sample-nested|pack --stats-json "$IN/stats-nest.json" --ip 203.0.113.7 --mail "$IN/nest.eml" --no-dkim -o "$OUT"|0|NOT INTACT (mime-too-many-parts, mime-too-deep)
# -- fpkit check
check-empty|check --no-dkim "$IN/empty"|1|stdout:empty: the file is empty
check-nul|check --no-dkim "$IN/nul.eml"|1|stdout:nul-byte: line 2
check-cr-only|check --no-dkim "$IN/cr.eml"|1|stdout:bare-cr
check-not-utf8|check --no-dkim "$IN/utf8.eml"|0|stdout:header-8bit: line 1
check-100mb|check --no-dkim "$BIG"|65|larger than the limit of 67108864 bytes
check-header-2mb|check --no-dkim "$IN/late.eml"|1|stdout:header-too-large
check-nested|check --no-dkim "$IN/nest.eml"|1|stdout:mime-too-deep
check-folder|check --no-dkim "$IN"|66|is a folder: check takes message files; to search a mail store, use 'fpkit find --msgid ID FOLDER'
check-keys-nul|check --dkim-keys "$IN/keys-nul" "$IN/nul.eml"|65|line 1: a NUL byte
check-keys-garbage|check --dkim-keys "$IN/keys-garbage" "$IN/nul.eml"|65|line 1: a name without a record
check-keys-100mb|check --dkim-keys "$BIG" "$IN/nul.eml"|65|larger than the limit of 16777216 bytes
pack-keys-nul|pack $PACKDEMO --dkim-keys "$IN/keys-nul" --mail "$DEMO_MAIL" -o "$OUT"|65|line 1: a NUL byte
# -- alert e-mails
alert-empty|alert "$IN/empty"|65|is empty
alert-stdin-empty|STDIN=$IN/empty alert -|65|is empty
alert-nul-only|alert "$IN/alert-nul-only.eml"|65|holds no e-mail GMime can read
alert-binary|alert "$IN/alert-binary.eml"|65|holds no e-mail GMime can read
alert-cr-only|alert "$IN/alert-cr.eml"|65|is not an OVHcloud anti-spam alert
alert-nul-in-text|alert --json "$IN/alert-nul.eml"|0|stdout:"message_id": "m@example.com"
alert-not-utf8|alert --json "$IN/alert-utf8.eml"|0|stdout:"message_id": "mÿþ@example.com"
alert-score-huge|alert --json "$IN/alert-score-huge.eml"|0|stdout:"spamscore": null
alert-msgid-dotdot|alert --json "$IN/alert-dotdot.eml"|0|stdout:"message_id": "../../etc/passwd"
alert-no-ip|alert "$IN/alert-no-ip.eml"|65|no blocked IP found in the alert
alert-osc52|alert "$IN/alert-osc52.eml"|0|stdout:Message-ID:      <m\x1b]52;c;ZXZpbA==\x07<U+202E>x@example.com>
alert-nested|alert "$IN/nest.eml"|65|more MIME parts than fpkit reads
alert-forwarded-10000|alert "$IN/alert-fwd.eml"|65|more MIME parts than fpkit reads
alert-100mb|alert "$BIG"|65|larger than the limit of 16777216 bytes for an alert
alert-folder|alert "$IN"|66|Is a directory
pack-alert-no-ip|pack --alert "$IN/alert-no-ip.eml" -o "$OUT"|65|no blocked IP found in the alert
pack-alert-no-ip-stats|pack --alert "$IN/alert-no-ip.eml" --stats-json "$DEMO_STATS" -o "$OUT"|65|give --spam-ip-json, or --ip
pack-alert-other-ip|pack --alert "$FIXTURES/alert/demo.eml" --spam-ip-json "$IN/spamip-other.json" -o "$OUT"|65|is about 203.0.113.7, not 192.0.2.25
pack-alert-empty|pack --alert "$IN/empty" -o "$OUT"|65|--alert: '$IN/empty' is empty
# -- mail logs
maillog-empty|pack $PACKDEMO --mail "$DEMO_MAIL" --no-dkim --maillog "$IN/empty" -o "$OUT"|0|no mail-log line announces the Message-ID <order-10482.1795180980.7d1e@shop.example.com>
maillog-100mb-line|pack $PACKDEMO --mail "$DEMO_MAIL" --no-dkim --maillog "$BIG" -o "$OUT"|0|1 line longer than 16384 bytes skipped (the first is line 3)
maillog-bad-gzip|pack $PACKDEMO --mail "$DEMO_MAIL" --no-dkim --maillog "$IN/bad.log.gz" -o "$OUT"|65|cannot read compressed '$IN/bad.log.gz'
maillog-bad-xz|pack $PACKDEMO --mail "$DEMO_MAIL" --no-dkim --maillog "$IN/bad.log.xz" -o "$OUT"|65|damaged or cut compressed data: xz data damaged
maillog-fifo|pack $PACKDEMO --maillog "$IN/fifo" -o "$OUT"|66|is not a regular file
maillog-bzip2-bomb|WITHIN=10 pack $PACKDEMO --mail "$DEMO_MAIL" --no-dkim --maillog "$IN/bomb.log.bz2" --maillog "$IN/order.log" -o "$OUT"|0|mail log '$IN/bomb.log.bz2': 16777216 bytes once decompressed from the first 16200, more than the limit of 1000 times as many for a compressed file
maillog-bzip2-bomb-next-log|WITHIN=10 pack $PACKDEMO --mail "$DEMO_MAIL" --no-dkim --json --maillog "$IN/bomb.log.bz2" --maillog "$IN/order.log" -o "$OUT"|0|stdout:"queue_id": "4F2A9C1B0D"
maillog-257|pack $PACKDEMO $MAILLOGS -o "$OUT"|64|more than 256 mail logs given
# -- ticket templates
template-unclosed|pack $PACKDEMO --template "$IN/tpl-unclosed" -o "$OUT"|65|line 1: '{{' is never closed
template-triple|pack $PACKDEMO --template "$IN/tpl-triple" -o "$OUT"|65|'{{{' tags are not supported
template-wrong-close|pack $PACKDEMO --template "$IN/tpl-wrong-close" -o "$OUT"|65|'{{/samples}}' closes no open section
template-nul|pack $PACKDEMO --template "$IN/tpl-nul" -o "$OUT"|65|holds a NUL byte
template-deep|pack $PACKDEMO --template "$IN/tpl-deep" -o "$OUT"|65|sections nested deeper than 32
template-steps|pack $PACKDEMO --template "$IN/tpl-steps" -o "$OUT"|65|takes more than 4194304 steps
template-output|pack $PACKDEMO --template "$IN/tpl-output" -o "$OUT"|65|produces more than 8388608 bytes
template-100mb|pack $PACKDEMO --template "$BIG" -o "$OUT"|65|larger than the limit of 1048576 bytes
template-folder|pack $PACKDEMO --template "$IN" -o "$OUT"|66|Is a directory
# -- bundles for fpkit verify
verify-dotdot|verify "$IN/dotdot.tar.gz"|65|refused: '.' or '..' in its path
verify-dot|verify "$IN/dot.tar.gz"|65|/./evil': refused: '.' or '..' in its path
verify-absolute|verify "$IN/absolute.tar.gz"|65|'/tmp/fpkit-evil': refused: an absolute path
verify-symlink|verify "$IN/symlink.tar.gz"|65|/link': refused: a link
verify-hardlink|verify "$IN/hardlink.tar.gz"|65|/hard': refused: a link
verify-device|verify "$IN/device.tar.gz"|65|/dev': refused: not a file or folder
verify-escape|verify "$IN/escape.tar.gz"|65|/a\x1bb': refused: control characters or backslashes
verify-newline|verify "$IN/newline.tar.gz"|65|/a\nb': refused: control characters or backslashes
verify-backslash|verify "$IN/backslash.tar.gz"|65|/a\b': refused: control characters or backslashes
verify-empty-component|verify "$IN/empty-component.tar.gz"|65|refused: an empty path component
verify-empty-name|verify "$IN/empty-name.tar.gz"|65|entry '': refused: an empty name
verify-not-utf8|verify "$IN/not-utf8.tar.gz"|65|a\xffb: not listed in SHA256SUMS
verify-bidi|verify "$IN/bidi.tar.gz"|65|a<U+202E>b: not listed in SHA256SUMS
verify-size-lies|verify "$IN/liar.tar.gz"|65|damaged or cut archive: Truncated tar archive
verify-size-huge|verify "$IN/huge.tar.gz"|65|larger than the limit
verify-top-is-file|verify "$IN/top-file.tar.gz"|65|a file where the top folder should be
verify-summary-array|verify "$IN/summary-array.tar.gz"|65|summary.json: not a JSON object
verify-summary-duplicate|verify "$IN/summary-dup.tar.gz"|65|summary.json: not valid JSON: line 1: duplicate object key
verify-10001-entries|verify "$IN/many.tar.gz"|65|10000 entries: not read further
verify-sums-newlines|verify "$IN/sums-newlines.tar.gz"|65|sums-newlines.tar.gz: ... and 16777117 more problems, not listed
verify-gzip-not-tar|verify "$IN/gzip-text.tar.gz"|65|is not a readable bundle: Unrecognized archive format
verify-cut-gzip|verify "$IN/cut.tar.gz"|65|is not a readable bundle: truncated gzip input
verify-xz|verify "$IN/good.tar.xz"|65|is not a readable bundle
verify-empty|verify "$IN/empty"|65|empty
verify-fifo|verify "$IN/fifo"|66|not a regular file
verify-folder|verify "$IN"|65|SHA256SUMS: missing
# -- fpkit scan: ovh.conf files and the archive folder (nothing reaches the API)
conf-section|scan --config "$IN/conf-section"|78|line 1: a section header is '[name]'
conf-key-twice|scan --config "$IN/conf-twice"|78|line 3: key 'endpoint' appears twice in section [default] (first on line 2)
conf-nul|scan --config "$IN/conf-nul"|78|holds a NUL byte
conf-long-line|scan --config "$IN/conf-long"|78|line 2: longer than 1024 bytes
conf-100mb|scan --config "$BIG"|78|larger than 65536 bytes
conf-no-section|scan --config "$IN/conf-nosection"|78|line 1: key 'endpoint' comes before any [section]
conf-no-secret|scan --config "$IN/conf-nosecret"|78|application_key is set
conf-not-utf8|scan --config "$IN/conf-utf8"|78|unknown endpoint '\xff\xfe'
conf-crlf|scan --config "$IN/conf-crlf"|78|no OVH API credentials for endpoint 'ovh-eu'
conf-missing|scan --config "$IN/no-such.conf"|66|cannot open --config
conf-folder|scan --config "$IN"|66|is not a file
conf-link-config|scan --config "$IN/conf-link"|66|it is a symbolic link, which fpkit does not follow: give the file it points to
conf-link-home|HOME=$IN/home-link scan|78|home-link/.ovh.conf' is a symbolic link, which fpkit does not follow: skipped
conf-link-system|FPKIT_SYSTEM_OVH_CONF=$IN/conf-link scan|78|conf-link' is a symbolic link, which fpkit does not follow: skipped
archive-index-garbage|scan --archive "$IN/arch-garbage"|78|index line 3 dropped: not an index line
archive-index-fifo|scan --archive "$IN/arch-fifo"|73|index.jsonl' is not a regular file
archive-index-folder|scan --archive "$IN/arch-dir"|73|index.jsonl' is not a regular file
archive-fake-bundle|scan --archive "$IN/arch-fake"|78|fails 'fpkit verify': left alone, not listed in the index
archive-planted-summary|scan --archive "$IN/arch-planted"|78|fails 'fpkit verify': left alone, not listed in the index: SHA256SUMS: missing
archive-index-blank-lines|scan --archive "$IN/arch-blank"|78|... and 1048476 more index lines dropped, not listed
archive-name-ip-7|scan --archive "$IN/arch-short"|78|'fpkit-1.2.3.4-20261120T133207Z.tar.gz' fails 'fpkit verify'
archive-name-ip-16|scan --archive "$IN/arch-long"|78|no OVH API credentials
archive-not-folder|scan --archive "$IN/arch-file"|73|is not a folder
archive-folder-0777|scan --archive "$IN/arch-0777"|73|folder '$IN/arch-0777' can be written by its group and others (mode 0777)
archive-folder-1777|scan --archive "$IN/arch-1777"|73|folder '$IN/arch-1777' can be written by its group and others (mode 1777)
archive-unsafe-ok-alone|scan --archive-unsafe-ok|64|--archive-unsafe-ok go with --archive DIR
EOF

# A folder of another user: only root can give one away.
if [ "$(stat -c %U "$IN/arch-nobody")" = nobody ]; then
	row archive-folder-nobody 73 "folder '\$IN/arch-nobody' belongs to user 'nobody'" \
		'scan --archive "$IN/arch-nobody"'
else
	printf '# not root, or no user nobody: an archive folder of another user is not tested\n'
fi

finish
