#!/bin/sh
# An mbox sample is the message as it was handed to the program that
# wrote the mbox.  The messages of fixtures/mbox/writers/ (and CRLF
# copies made here) are delivered by Debian's procmail (with an rcfile
# written here, into this test's folder) and by formail -ds, each into
# an mbox of its own (the message at the end of the file) and all into
# one (several messages); each sample is compared with the message
# given.  The writers add an empty line after a message unless it ends
# with one; fpkit leaves that line out (mboxsep_trailer), and unquotes
# the ">From " lines they quoted.  What cannot come back is asserted as
# such: the empty line that a message ended with (DKIM ignores it, both
# canonicalizations, checked with a signature of each), the line end a
# writer adds to a last line without one, a ">From " line of the sender
# (these writers quote only "From ").  Also: where summary.json says the
# message was, SHA256SUMS, verify, the integrity checks on the samples,
# and mboxes cut short, whose samples must still be found altered.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

command -v formail >/dev/null 2>&1 || skip_all "formail is not installed (Debian package procmail)"
command -v procmail >/dev/null 2>&1 || skip_all "procmail is not installed (Debian package procmail)"

W="$FIXTURES/mbox/writers"
SPAMIP="$FIXTURES/mbox/api/spam-ip.json"
M="$tmp/msg"
mkdir "$M" "$tmp/pm" "$tmp/fm" "$tmp/pm1" "$tmp/fm1"
cp "$W"/*.eml "$M"/
# CRLF copies, each with an id of its own.
for n in lf empty-line; do
	sed -e "s/^Message-ID: <writers\.$n@/Message-ID: <writers.crlf-$n@/" -e 's/$/\r/' \
		"$W/$n.eml" >"$M/crlf-$n.eml"
done
assert_eq "$(tail -c 4 "$M/crlf-empty-line.eml" | od -An -c | tr -d ' ')" '\r\n\r\n' \
	"the CRLF copy ends with an empty CRLF line"

# procmail as a mail filter (-m): only this rcfile, no /etc/procmailrc,
# nothing sent, nothing to the machine's mailboxes.
cat >"$tmp/pm/rc" <<EOF
SHELL=/bin/sh
DEFAULT=$tmp/pm/undelivered
ORGMAIL=$tmp/pm/undelivered
SENDMAIL=/bin/false
LOGFILE=$tmp/pm/log
:0:
\$MBOX
EOF

# deliver_procmail MSG MBOX / deliver_formail MSG MBOX
deliver_procmail() {
	HOME=$tmp/pm procmail -f orders@shop.example.com -m MBOX="$2" "$tmp/pm/rc" <"$1"
}
deliver_formail() {
	formail -ds <"$1" >>"$2"
}

# formail reads a CR LF line as header text, not as the header's end,
# and writes an empty LF line after the header: it does not keep a CRLF
# message as it was, mbox or not.  procmail does.
NAMES=$(for f in "$M"/*.eml; do basename "$f" .eml; done)
for n in $NAMES; do
	deliver_procmail "$M/$n.eml" "$tmp/pm/all.mbox"
	deliver_procmail "$M/$n.eml" "$tmp/pm1/$n.mbox"
	case $n in crlf-*) continue ;; esac
	deliver_formail "$M/$n.eml" "$tmp/fm/all.mbox"
	deliver_formail "$M/$n.eml" "$tmp/fm1/$n.mbox"
done
assert_false "procmail delivered every message (nothing in its default)" test -e "$tmp/pm/undelivered"
assert_eq "$(grep -c '^From orders@shop.example.com ' "$tmp/pm/all.mbox")" "$(echo "$NAMES" | wc -l | tr -d ' ')" \
	"procmail: one From_ line per message"
assert_true "procmail quotes the body's From_-like line" \
	grep -q '^>From orders@shop.example.com Fri Nov 20 13:05:11 2026$' "$tmp/pm/all.mbox"
assert_true "procmail keeps CR LF and adds a bare LF after it" \
	grep -q "$(printf 'Lumen Atelier\r')\$" "$tmp/pm1/crlf-lf.mbox"
assert_eq "$(tail -c 3 "$tmp/pm1/crlf-lf.mbox" | od -An -c | tr -d ' ')" '\r\n\n' \
	"procmail: CRLF message, then a bare LF"
assert_eq "$(tail -c 3 "$tmp/pm1/empty-line.mbox" | od -An -c | tr -d ' ')" 'r\n\n' \
	"procmail adds nothing after a message that ends with an empty line"
assert_eq "$(tail -c 3 "$tmp/fm1/lf.mbox" | od -An -c | tr -d ' ')" 'r\n\n' \
	"formail adds an empty line after a message that ends with a line end"

# The targets: every id, at the messages' date (and the signed copies'
# below).
for n in $NAMES dkim-relaxed dkim-simple; do echo "writers.$n@shop.example.com"; done >"$tmp/ids"
jq -R -s 'split("\n") | map(select(length > 0)) |
	[{averageSpamscore: null, numberOfSpams: length, timestamp: 1795181700, total: 100,
	  detectedSpams: map({date: 1795179911, destinationIp: "198.51.100.31",
			      messageId: ., spamscore: 300})}]' "$tmp/ids" >"$tmp/stats.json"

# pack_x NAME STORE...: pack the stores into $tmp/b-NAME.tar.gz,
# extracted in $tmp/b-NAME/, summary in $tmp/b-NAME.json.
pack_x() {
	name=b-$1
	shift
	for s in "$@"; do set -- "$@" --mail "$s"; shift; done
	# shellcheck disable=SC2086
	run pack --spam-ip-json "$SPAMIP" --stats-json "$tmp/stats.json" ${DKIM_ARGS:---no-dkim} "$@" \
		-o "$tmp/$name.tar.gz" --json
	cp "$tmp/out" "$tmp/$name.json"
	mkdir "$tmp/$name"
	tar -xzf "$tmp/$name.tar.gz" -C "$tmp/$name"
}

# sample BUNDLE SOURCE ID: the sample file of ID taken from SOURCE.
sample() {
	f=$(jq -r --arg s "$2" --arg id "writers.$3@shop.example.com" \
		'.samples[] | select(.source == $s and .message_id == $id) | .file' "$tmp/b-$1.json")
	echo "$tmp/b-$1"/fpkit-*/"$f"
}

# What comes back, for each message, from each writer's mboxes.
pack_x pm "$tmp/pm/all.mbox" "$tmp/pm1"
assert_status 0 "procmail: pack"
pack_x fm "$tmp/fm/all.mbox" "$tmp/fm1"
assert_status 0 "formail: pack"
for w in pm fm; do
	for n in $NAMES; do
		[ $w = pm ] || case $n in crlf-*) continue ;; esac
		for src in "$tmp/$w/all.mbox" "$tmp/${w}1/$n.mbox"; do
			s=$(sample $w "$src" "$n")
			where="$w: $n ($([ "${src##*/}" = all.mbox ] && echo "among others" || echo "alone, at the end of the file"))"
			[ -f "$s" ] || { not_ok "$where: no sample"; continue; }
			case $n in
			empty-line | dkim)
				# The writer added nothing: the message's own empty
				# line is taken for the writer's.  (procmail compares
				# bytes: after a CRLF message's empty line it still
				# adds an LF, and crlf-empty-line comes back whole.)
				head -c $(($(wc -c <"$M/$n.eml") - 1)) "$M/$n.eml" >"$tmp/want"
				assert_true "$where: the message less its last empty line" cmp -s "$tmp/want" "$s"
				;;
			no-final-newline)
				# The writer ended the last line (procmail with an
				# LF, formail with an LF and an empty line).
				{ cat "$M/$n.eml"; echo; } >"$tmp/want"
				assert_true "$where: the message and the writer's line end" cmp -s "$tmp/want" "$s"
				;;
			header-only)
				# No empty line after the header: the writer's is
				# kept, as the one that ends the header block.
				{ cat "$M/$n.eml"; echo; } >"$tmp/want"
				assert_true "$where: the message and the writer's empty line" cmp -s "$tmp/want" "$s"
				;;
			quoted-from)
				# The writer did not quote the sender's ">From ": it is unquoted.
				sed 's/^>From your/From your/' "$M/$n.eml" >"$tmp/want"
				assert_true "$where: the sender's own \">From \" comes back as \"From \"" \
					cmp -s "$tmp/want" "$s"
				;;
			*)
				assert_true "$where: byte for byte" cmp -s "$M/$n.eml" "$s"
				;;
			esac
		done
	done
done
# The CRLF line ends: one kind in the sample.
s=$(sample pm "$tmp/pm/all.mbox" crlf-lf)
assert_eq "$(grep -c "$(printf '\r')\$" "$s")" "$(wc -l <"$s" | tr -d ' ')" "procmail: every line of a CRLF sample ends in CR LF"

# consistent NAME: each sample of bundle NAME against the file it came
# from: the bytes at offset/length are the sample with one '>' added back
# to each unquoted line; the From_ line is right before; right after
# comes the next From_ line or the end of the file, after the writer's
# empty line if it left one, which checks/ then names.  size, sha256 and
# SHA256SUMS are the packed bytes, and the bundle verifies.
consistent() {
	bad=0
	n_left=0
	jq -c '.samples[] | [.source, .offset, .length, .size, .mboxrd_unquoted, .file, .sha256]' \
		"$tmp/b-$1.json" >"$tmp/list"
	X=$(echo "$tmp/b-$1"/fpkit-*)
	while IFS= read -r line; do
		src=$(echo "$line" | jq -r '.[0]')
		off=$(echo "$line" | jq '.[1]')
		len=$(echo "$line" | jq '.[2]')
		size=$(echo "$line" | jq '.[3]')
		unq=$(echo "$line" | jq '.[4]')
		file=$(echo "$line" | jq -r '.[5]')
		sha=$(echo "$line" | jq -r '.[6]')
		check="$X/checks/$(basename "$file" .eml).txt"
		tail -c +$((off + 1)) "$src" | head -c "$len" | sed 's/^>\(>*From \)/\1/' >"$tmp/range"
		cmp -s "$tmp/range" "$X/$file" || { bad=$((bad + 1)); echo "# $file: not the bytes at $off+$len"; }
		[ "$size" -eq $((len - unq)) ] || { bad=$((bad + 1)); echo "# $file: size $size, length $len, $unq unquoted"; }
		[ "$size" -eq "$(wc -c <"$X/$file")" ] || { bad=$((bad + 1)); echo "# $file: size"; }
		[ "$sha" = "$(sha256sum <"$X/$file" | cut -d ' ' -f 1)" ] || { bad=$((bad + 1)); echo "# $file: sha256"; }
		head -c "$off" "$src" | tail -n 1 | grep -q '^From orders@shop.example.com ' ||
			{ bad=$((bad + 1)); echo "# $file: no From_ line before"; }
		grep -qF "(mbox, bytes $off to $((off + len)))" "$check" ||
			{ bad=$((bad + 1)); echo "# $file: checks/ does not say where it was"; }
		after=$(tail -c +$((off + len + 1)) "$src" | head -c 7 | od -An -c | tr -d ' \n')
		case $after in
		'' | 'From'*) left= ;;
		'\n' | '\nFrom'*) left="bytes $((off + len)) to $((off + len + 1)), the empty line (LF)" ;;
		'\r\n' | '\r\nFrom'*) left="bytes $((off + len)) to $((off + len + 2)), the empty line (CR LF)" ;;
		*) left=bad ;;
		esac
		[ "$left" != bad ] || { bad=$((bad + 1)); echo "# $file: followed by '$after'"; }
		if [ -n "$left" ] && [ "$left" != bad ]; then
			n_left=$((n_left + 1))
			grep -qF "Left out:    $left that the mbox writer put after the message" "$check" ||
				{ bad=$((bad + 1)); echo "# $file: checks/ does not say '$left'"; }
		else
			! grep -q '^Left out:' "$check" || { bad=$((bad + 1)); echo "# $file: checks/ names bytes left out"; }
		fi
	done <"$tmp/list"
	assert_eq "$bad" 0 "$1: every sample is the bytes at its offset and length, less the quoting; size, sha256, checks/ agree"
	assert_true "$1: some samples had the writer's empty line after them" test "$n_left" -ge "$2"
	assert_true "$1: SHA256SUMS holds" sh -c "cd '$X' && sha256sum -c --quiet SHA256SUMS"
	run verify "$tmp/b-$1.tar.gz"
	assert_status 0 "$1: the bundle verifies"
}
consistent pm 10
consistent fm 10

# The integrity checks call these samples intact: no mixed line ends
# for a CRLF message, a Content-Length that counts the body as sent, a
# last line that ends.
for w in pm fm; do
	assert_eq "$(jq -r '[.samples[] | select(.checks.intact | not) | .message_id] | unique | join(" ")' "$tmp/b-$w.json")" \
		"" "$w: every sample is intact"
done

# A compressed mbox gives the same samples at the same places.
gzip -n <"$tmp/pm/all.mbox" >"$tmp/pm-all.mbox.gz"
pack_x gz "$tmp/pm-all.mbox.gz"
assert_status 0 "gzip: pack"
assert_eq "$(jq -c '[.samples[] | [.message_id, .offset, .length, .size, .sha256]] | sort' "$tmp/b-gz.json")" \
	"$(jq -c --arg s "$tmp/pm/all.mbox" '[.samples[] | select(.source == $s) | [.message_id, .offset, .length, .size, .sha256]] | sort' "$tmp/b-pm.json")" \
	"gzip: the same samples, offsets and lengths as the plain mbox"
assert_eq "$(jq -r '.samples[0].compression' "$tmp/b-gz.json")" gzip "gzip: the compression is recorded"

# A CRLF mbox (every line, From_ lines and empty lines too, as some
# Windows programs write them): the writer's empty line is CR LF.
mkdir "$tmp/crlf"
cat "$tmp/pm1/lf.mbox" "$tmp/pm1/from-lines.mbox" | sed 's/$/\r/' >"$tmp/crlf/all.mbox"
pack_x crlf "$tmp/crlf"
assert_status 0 "CRLF mbox: pack"
for n in lf from-lines; do
	sed 's/$/\r/' "$M/$n.eml" >"$tmp/want"
	assert_true "CRLF mbox: $n, byte for byte" cmp -s "$tmp/want" "$(sample crlf "$tmp/crlf/all.mbox" $n)"
done
consistent crlf 2

# Cut short: a mbox whose last message lost its end must still give an
# altered sample.  In the middle of a line: no line end.  Right after an
# empty line inside a multipart (taken for the writer's, and left out):
# the closing boundary is missing.  Right after an empty line in a body
# that a Content-Length field counts: it says more than there is.
mkdir "$tmp/cut"
# cut_at NAME TEXT: NAME's own mbox up to where TEXT starts.
cut_at() {
	at=$(grep -b -o -F -- "$2" "$tmp/pm1/$1.mbox" | head -n 1 | cut -d : -f 1)
	head -c "$at" "$tmp/pm1/$1.mbox" >"$tmp/cut/$1.mbox"
}
cut_at lf "today."
cut_at multipart "<p>the winter"
cut_at content-length "Thanks"
assert_eq "$(tail -c 2 "$tmp/cut/multipart.mbox" | od -An -c | tr -d ' ')" '\n\n' \
	"the multipart is cut after an empty line"
pack_x cut "$tmp/cut"
assert_status 0 "cut mboxes: pack"
# problems ID: the problems found in the sample of ID.
problems() {
	jq -r --arg id "writers.$1@shop.example.com" \
		'.samples[] | select(.message_id == $id) | [.checks.intact, (.checks.problems[].id)] | map(tostring) | join(" ")' \
		"$tmp/b-cut.json"
}
assert_eq "$(problems lf)" "false final-newline-missing" "cut in a line: altered, no final line end"
assert_eq "$(problems multipart)" "false truncated-multipart" "cut after an empty line of a multipart: altered, not closed"
assert_eq "$(problems content-length)" "false content-length-mismatch" \
	"cut after an empty line of a counted body: altered, shorter than Content-Length"

# DKIM: a message that ended with an empty line, signed with each body
# canonicalization, loses that line through procmail, and its signature
# still holds (RFC 6376 3.4.3 and 3.4.4 ignore empty lines at the end of
# the body).  relaxed/relaxed by libopendkim (tests/dkimsign); simple/simple
# by a few lines of Python and openssl here, apart from libopendkim.
if ! command -v openssl >/dev/null 2>&1; then
	skip "DKIM through an mbox: openssl is not installed"
elif [ -z "${DKIMSIGN:-}" ]; then
	skip "DKIM through an mbox: no signing helper (run the tests through 'make check')"
else
	T0=1795179911
	openssl genrsa -out "$tmp/key.pem" 2048 2>/dev/null
	printf 'sel._domainkey.shop.example.com v=DKIM1; k=rsa; p=%s\n' \
		"$(openssl rsa -in "$tmp/key.pem" -pubout -outform DER 2>/dev/null | base64 | tr -d '\n')" >"$tmp/keys"
	cat >"$tmp/simple.py" <<'PY'
import base64, hashlib, re, subprocess, sys
key, sel, dom, t = sys.argv[1:5]
msg = sys.stdin.buffer.read()
wire = re.sub(rb"\r?\n", b"\r\n", msg)
head, _, body = wire.partition(b"\r\n\r\n")
# simple body: the empty lines at its end removed, then one CRLF
body = re.sub(rb"(\r\n)*$", b"", body) + b"\r\n"
fields = re.findall(rb"[^\r\n]+\r\n(?:[ \t][^\r\n]*\r\n)*", head + b"\r\n")
names = ["from", "to", "subject", "date", "message-id"]
signed = b"".join([f for f in fields if f.split(b":")[0].lower().decode() == n][-1] for n in names)
value = "v=1; a=rsa-sha256; c=simple/simple; d=%s; s=%s; t=%s; h=%s; bh=%s; b=" % (
    dom, sel, t, ":".join(names), base64.b64encode(hashlib.sha256(body).digest()).decode())
hdr = b"DKIM-Signature: " + value.encode()
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signed + hdr,
                     stdout=subprocess.PIPE, check=True).stdout
sys.stdout.buffer.write(hdr + base64.b64encode(sig) + b"\n" + msg)
PY
	for c in relaxed simple; do
		sed "s/^Message-ID: <writers\.dkim@/Message-ID: <writers.dkim-$c@/" "$M/dkim.eml" >"$tmp/dkim-$c.eml"
	done
	"$DKIMSIGN" "$tmp/key.pem" sel shop.example.com $T0 <"$tmp/dkim-relaxed.eml" >"$tmp/signed-relaxed.eml"
	python3 "$tmp/simple.py" "$tmp/key.pem" sel shop.example.com $T0 <"$tmp/dkim-simple.eml" >"$tmp/signed-simple.eml"
	assert_true "relaxed: signed" grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;' "$tmp/signed-relaxed.eml"
	assert_true "simple: signed" grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple;' "$tmp/signed-simple.eml"
	mkdir "$tmp/dk"
	for c in relaxed simple; do
		# the signature holds on the message as sent ...
		run check --json --dkim-keys "$tmp/keys" --dkim-time $T0 "$tmp/signed-$c.eml"
		assert_eq "$(jq -r '.dkim[0].result' "$tmp/out")" pass "$c: the signed message passes"
		# ... and fails on one changed byte of its last line (the control)
		sed 's/^Lumen Atelier$/Lumen Atelier!/' "$tmp/signed-$c.eml" >"$tmp/changed-$c.eml"
		run check --json --dkim-keys "$tmp/keys" --dkim-time $T0 "$tmp/changed-$c.eml"
		assert_eq "$(jq -r '.dkim[0].result' "$tmp/out")" fail "$c: a changed last line fails (the control)"
		deliver_procmail "$tmp/signed-$c.eml" "$tmp/dk/$c.mbox"
	done
	DKIM_ARGS="--dkim-keys $tmp/keys" pack_x dk "$tmp/dk"
	assert_status 0 "DKIM: pack, with DKIM checks"
	for c in relaxed simple; do
		s=$(sample dk "$tmp/dk/$c.mbox" "dkim-$c")
		head -c $(($(wc -c <"$tmp/signed-$c.eml") - 1)) "$tmp/signed-$c.eml" >"$tmp/want"
		assert_true "$c: the sample is the signed message less its last empty line" cmp -s "$tmp/want" "$s"
		assert_eq "$(jq -r --arg id "writers.dkim-$c@shop.example.com" \
			'.samples[] | select(.message_id == $id) | [.checks.intact, .checks.dkim[0].result] | map(tostring) | join(" ")' \
			"$tmp/b-dk.json")" "true pass" "$c: the sample is intact, its signature passes"
	done
fi

# The ticket says what an mbox sample is (without the mbox's own lines),
# in both languages, and says nothing of it when no sample came from an
# mbox.
MB=$FIXTURES/mbox
for lang in en fr; do
	run pack --spam-ip-json "$MB/api/spam-ip.json" --stats-json "$MB/api/stats.json" \
		--mail "$MB/sent.mbox" --no-dkim --lang $lang -o "$tmp/wording-$lang.tar.gz"
	assert_status 0 "pack of an mbox ($lang)"
	if [ $lang = en ]; then
		assert_said "$tmp/out" 'without the lines the mbox adds around each message: its "From " line, the ">" quoting of "From " lines and the blank line after it' \
			"the ticket says what an mbox sample leaves out"
	else
		assert_said "$tmp/out" "sans les lignes que le format mbox ajoute autour de chaque message" \
			"le ticket dit ce qu'un échantillon mbox laisse de côté"
	fi
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
		--no-dkim --lang $lang -o "$tmp/maildir-$lang.tar.gz"
	assert_status 0 "pack of a Maildir ($lang)"
	assert_false "no mbox wording without an mbox sample ($lang)" grep -q "mbox" "$tmp/out"
done

finish
