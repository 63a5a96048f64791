#!/bin/sh
# The files of a plain folder taken as messages by their content, not
# their name (fpkit(1), MAIL STORES): odd names are found, near misses
# (a log, JSON, a C file, a field then binary, a byte order mark, dot
# files) are not; MH folders, whose numbered files are messages.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

W=$tmp/plain
mkdir -p "$W"
msgtext() { printf 'From: a@example.com\nMessage-ID: <%s>\nSubject: s\n\nbody\n' "$1"; }

# Messages by any name.
msgtext msg-ext@example.com >"$W/saved.msg"
msgtext no-ext@example.com >"$W/message"
msgtext numbered@example.com >"$W/17"
printf 'Message-ID: <crlf@example.com>\r\nSubject: s\r\n\r\nbody\r\n' >"$W/crlf.txt"
printf 'Message-ID: <folded@example.com>\nReceived: from a.example.com\n\tby b.example.com;\n\tFri, 20 Nov 2026 13:00:00 +0000\nSubject: s\n\nbody\n' >"$W/folded"
printf 'Received : from a\nMessage-ID: <obs-colon@example.com>\n\nbody\n' >"$W/obs"
# ... a header that ends at once: one field and the empty line
printf 'Message-ID: <one-field@example.com>\n\nbody\n' >"$W/one"

# Near misses.
printf 'Dec  7 10:00:00 host postfix/smtp[1]: 1A2B: to=<b@example.com>\nMessage-ID: <log@example.com>\n\n' >"$W/mail.log"
printf '{"Subject": "s",\nMessage-ID: <json@example.com>\n\n' >"$W/data.json"
printf '/* From: a@example.com */\nMessage-ID: <csource@example.com>\n\n' >"$W/main.c"
# (each near miss holds a Message-ID field on its second or third line, to
# be found if the file were read as a message)
printf 'Subject: x\n\001\002\003\nMessage-ID: <binary@example.com>\n\n' >"$W/blob"
printf 'Subject: x\nMessage-ID: <nul@example.com>\n\000\001\n\n' >"$W/nul"
printf '\357\273\277Subject: s\nMessage-ID: <bom@example.com>\n\nbody\n' >"$W/bom.msg"
printf 'Message-ID: <lone@example.com>' >"$W/lone"
msgtext dotfile@example.com >"$W/.hidden"
# ... a first line longer than the window of 1024 bytes
{ printf 'X-Long: '; head -c 1100 /dev/zero | tr '\0' a; printf '\nMessage-ID: <long-first@example.com>\n\n'; } >"$W/longfirst"

for id in msg-ext no-ext numbered crlf folded obs-colon one-field; do
	run find --json --msgid "$id@example.com" "$W"
	assert_status 0 "a message by its content: $id"
done
run find --json --msgid msg-ext@example.com "$W"
assert_eq "$(jq -r '.path + " " + .format' "$tmp/out")" "$W/saved.msg eml" "a *.msg file is a message (eml)"
run find --json --msgid numbered@example.com "$W"
assert_eq "$(jq -r '.format' "$tmp/out")" "mh" "a numbered file is an MH message"
for id in log json csource binary nul bom lone dotfile long-first; do
	run find --msgid "$id@example.com" "$W"
	assert_status 1 "not a message: $id"
done

# The same files named *.eml are messages whatever their content (as
# before): the name is the writer's word.
cp "$W/mail.log" "$W/log.eml"
run find --msgid log@example.com "$W"
assert_status 0 "a *.eml file is read whatever its first line"

# Compressed: a message by content once decompressed.
msgtext gz@example.com | gzip -c >"$W/archived.gz"
run find --json --msgid gz@example.com "$W"
assert_eq "$(jq -r '.compression' "$tmp/out")" "gzip" "a compressed message of any name"

# The sample is the file's bytes.
run find --msgid crlf@example.com "$W"
assert_eq "$(cut -f 4 "$tmp/out")" "$(wc -c <"$W/crlf.txt" | tr -d ' ')" "the whole file is the message"

# MH: an nmh folder (.mh_sequences) with numbered messages, a removed
# one (,3) and a sub-folder; the numbered files are messages even when
# their first line would not pass for a field (nmh wrote them).
MH=$tmp/Mail
mkdir -p "$MH/inbox" "$MH/inbox/sub"
printf 'cur: 2\nunseen: 1-2\n' >"$MH/inbox/.mh_sequences"
msgtext mh1@example.com >"$MH/inbox/1"
{ printf 'X-Odd line without a colon\n'; msgtext mh2@example.com; } >"$MH/inbox/2"
msgtext removed@example.com >"$MH/inbox/,3"
msgtext mhsub@example.com >"$MH/inbox/sub/1"
run find --json --msgid mh1@example.com --msgid mh2@example.com --msgid mhsub@example.com "$MH"
assert_status 0 "MH folders"
assert_eq "$(jq -r '.format' "$tmp/out" | sort -u)" "mh" "MH messages are of format mh"
assert_eq "$(jq -r '.path' "$tmp/out" | sort | tr '\n' ' ')" "$MH/inbox/1 $MH/inbox/2 $MH/inbox/sub/1 " \
	"each numbered file, in sub-folders too"
run find --msgid removed@example.com "$MH"
assert_status 1 "a removed MH message (,3) is not searched"

mkdir -p "$tmp/plain2"
cp "$MH/inbox/2" "$tmp/plain2/2"
run find --msgid mh2@example.com "$tmp/plain2"
assert_status 1 "outside an MH folder, a numbered file must look like a message"

# A Maildir's files are not judged by content (they are messages).
mkdir -p "$tmp/md/cur" "$tmp/md/new" "$tmp/md/tmp"
{ printf 'X-Odd line without a colon\n'; msgtext md@example.com; } >"$tmp/md/cur/1795180000.M1P1.host:2,S"
run find --json --msgid md@example.com "$tmp/md"
assert_eq "$(jq -r '.format' "$tmp/out")" "maildir" "a Maildir file is a message whatever its first line"

finish
