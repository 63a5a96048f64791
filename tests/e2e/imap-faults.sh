#!/bin/sh
# --mail imap://: what goes wrong with a server, against a fake one on
# loopback (a few lines of python3 that speak just enough IMAP): a
# connection dropped in the middle of an answer (tried again; a server
# that always drops it is an error), a server that does not answer
# (its time-out), a message over the limit of a sample (left out, said),
# a login refused; the password is read from the netrc file, sent to
# the server, and never shown.  A URL with a password, plain imap:// to
# a host that is not loopback, and no password without a terminal are
# refused before anything is sent.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

cat >"$tmp/fakeimap.py" <<'EOP'
import socket, sys, time, re
mode, portfile, log = sys.argv[1], sys.argv[2], sys.argv[3]
MSGS = [(7, b"Message-ID: <one@example.com>\r\nSubject: one\r\n\r\nbody one\r\n"),
        (9, b"Message-ID: <two@example.com>\r\nSubject: two\r\n\r\nbody two\r\n")]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(5)
open(portfile, "w").write(str(s.getsockname()[1]))
conns = 0
def hdr(m):
    return re.search(rb"Message-ID: [^\r]*\r\n", m).group(0) + b"\r\n"
while True:
    c, _ = s.accept()
    conns += 1
    f = c.makefile("rb")
    c.sendall(b"* OK fake ready\r\n")
    try:
        while True:
            line = f.readline()
            if not line:
                break
            with open(log, "ab") as lf:
                lf.write(b"%d " % conns + line)
            tag, cmd = line.split(b" ", 1)
            up = cmd.upper()
            if up.startswith(b"CAPABILITY"):
                c.sendall(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
            elif up.startswith(b"LOGIN"):
                if mode == "refuse":
                    c.sendall(tag + b" NO [AUTHENTICATIONFAILED] nope\r\n")
                else:
                    c.sendall(tag + b" OK logged in\r\n")
            elif up.startswith(b"LIST"):
                if mode == "badlist":
                    c.sendall(b'* LIST () "\\\r\n* LIST () "\r\n* LIST () "/" INBOX\r\n' + tag + b" OK done\r\n")
                else:
                    c.sendall(b'* LIST () "/" INBOX\r\n' + tag + b" OK done\r\n")
            elif up.startswith(b"EXAMINE"):
                n = 18446744073709551615 if mode == "hugeexists" else len(MSGS)
                c.sendall(b"* %d EXISTS\r\n* OK [UIDVALIDITY 4242] ok\r\n" % n + tag + b" OK [READ-ONLY] done\r\n")
            elif up.startswith(b"FETCH"):
                if mode == "slow":
                    time.sleep(30)
                out = b""
                for i, (uid, m) in enumerate(MSGS):
                    h = hdr(m)
                    size = 300 * 1024 * 1024 if mode == "big" and uid == 9 else len(m)
                    out += b"* %d FETCH (UID %d RFC822.SIZE %d BODY[HEADER.FIELDS (MESSAGE-ID)] {%d}\r\n" % (i + 1, uid, size, len(h)) + h + b")\r\n"
                if mode == "drop-always" or (mode == "drop-once" and conns == 1):
                    c.sendall(out[:len(out) // 2])
                    break
                c.sendall(out + tag + b" OK done\r\n")
            elif up.startswith(b"UID FETCH"):
                uid = int(cmd.split()[2])
                m = dict(MSGS)[uid]
                if mode == "lie" and uid == 9:
                    c.sendall(b"* 2 FETCH (UID 9 BODY[] {%d}\r\n" % (300 * 1024 * 1024))
                    break
                c.sendall(b"* 1 FETCH (UID %d BODY[] {%d}\r\n" % (uid, len(m)) + m + b")\r\n" + tag + b" OK done\r\n")
            elif up.startswith(b"LOGOUT"):
                c.sendall(b"* BYE\r\n" + tag + b" OK bye\r\n")
                break
            else:
                c.sendall(tag + b" BAD what\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    f.close()
    try:
        c.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    c.close()
EOP

fake_pid=
fake_start() {
	rm -f "$tmp/port" "$tmp/imap.log"
	python3 "$tmp/fakeimap.py" "$1" "$tmp/port" "$tmp/imap.log" &
	fake_pid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	URL=imap://alice@127.0.0.1:$(cat "$tmp/port")/INBOX
}
fake_stop() {
	[ -z "$fake_pid" ] || kill "$fake_pid" 2>/dev/null || :
	wait "$fake_pid" 2>/dev/null || :
	fake_pid=
}
trap 'fake_stop; rm -rf "$tmp" "$san"' EXIT

printf 'machine 127.0.0.1\n  login alice\n  password s3cr3t-pw\n' >"$tmp/netrc"
chmod 600 "$tmp/netrc"
NETRC=$tmp/netrc
export NETRC

# A server that answers: both found, the password went to the server.
fake_start ok
run find --json --msgid one@example.com --msgid two@example.com "$URL"
assert_status 0 "find over IMAP"
assert_eq "$(jq -r '.path' "$tmp/out" | tr '\n' ' ')" \
	"$URL;UIDVALIDITY=4242/;UID=7 $URL;UIDVALIDITY=4242/;UID=9 " "each message's URL with UIDVALIDITY and UID"
assert_true "the password from the netrc file was sent" grep -q 'LOGIN alice s3cr3t-pw' "$tmp/imap.log"
assert_true "the mailbox is opened read-only" grep -q 'EXAMINE "INBOX"' "$tmp/imap.log"
assert_true "messages are fetched with BODY.PEEK" grep -q 'UID FETCH 9 (BODY.PEEK\[\])' "$tmp/imap.log"
assert_false "nothing asks for BODY[] (which marks a message read)" grep -q 'BODY\[\]' "$tmp/imap.log"
fake_stop

# A LIST answer whose delimiter's quote never closes ('"\' and '"'):
# those lines are skipped, never read past their end; the mailbox of
# the good line is searched.
fake_start badlist
run find --json --msgid one@example.com "imap://alice@127.0.0.1:$(cat "$tmp/port")/"
assert_status 0 "a damaged LIST answer: the good mailbox searched"
assert_eq "$(jq -r '.path' "$tmp/out" | sed 's/;.*//')" "imap://alice@127.0.0.1:$(cat "$tmp/port")/INBOX" \
	"found in the one mailbox listed whole"
fake_stop

# A mailbox that says it holds 2^64-1 messages: refused, not searched
# chunk after chunk for ever.
fake_start hugeexists
run find --msgid one@example.com "$URL"
assert_status 76 "a mailbox of 2^64-1 messages: EX_PROTOCOL"
assert_in "$tmp/err" "more than the 10000000 fpkit searches in one mailbox" "said with the limit"
assert_false "no FETCH was sent" grep -q ' FETCH ' "$tmp/imap.log"
fake_stop

# A mailbox name in UTF-8 (%-escaped in the URL, RFC 5092) goes to the
# server in modified UTF-7 (RFC 3501 5.1.3, its example and a French
# name with an '&').
fake_start ok
base=${URL%/INBOX}
run find --msgid one@example.com "$base/~peter/mail/%E5%8F%B0%E5%8C%97/%E6%97%A5%E6%9C%AC%E8%AA%9E"
assert_true "RFC 3501's example in modified UTF-7" grep -q 'EXAMINE "~peter/mail/&U,BTFw-/&ZeVnLIqe-"' "$tmp/imap.log"
run find --msgid one@example.com "$base/Envoy%C3%A9s%20&%20re%C3%A7us"
assert_true "a French name with an ampersand" grep -q 'EXAMINE "Envoy&AOk-s &- re&AOc-us"' "$tmp/imap.log"
run find --msgid one@example.com "$base/bad%FF"
assert_status 64 "a mailbox name that is not UTF-8"
fake_stop

# A connection dropped in the middle of the listing: tried again.
fake_start drop-once
run find --json --msgid two@example.com "$URL"
assert_status 0 "a dropped connection is tried again"
assert_eq "$(cut -d ' ' -f 1 "$tmp/imap.log" | sort -u | tr '\n' ' ')" "1 2 " "on a second connection"
fake_stop
fake_start drop-always
run find --msgid two@example.com "$URL"
assert_status 69 "a server that always drops the connection: EX_UNAVAILABLE"
assert_in "$tmp/err" "closed in the middle of an answer" "the message says what happened"
fake_stop

# A server that does not answer: the time-out (2 s here, FPKIT_IMAP_TIMEOUT).
fake_start slow
FPKIT_IMAP_TIMEOUT=2
export FPKIT_IMAP_TIMEOUT
run find --msgid two@example.com "$URL"
unset FPKIT_IMAP_TIMEOUT
assert_status 75 "a server that does not answer: EX_TEMPFAIL"
assert_in "$tmp/err" "did not answer within 2 seconds" "the message names the time-out"
fake_stop

# A message over the limit of a sample (256 MiB): left out, said.
fake_start big
run find --json --msgid one@example.com --msgid two@example.com "$URL"
assert_status 1 "a message over the limit is not found"
assert_in "$tmp/err" "larger than the limit of 268435456 bytes" "the warning names the limit"
assert_eq "$(jq -r '.message_id' "$tmp/out")" "one@example.com" "the other message is found"
assert_false "the large one was not asked for" grep -q 'UID FETCH 9' "$tmp/imap.log"
fake_stop
# ... and one whose size was not told before: the connection is dropped
# at its literal's size.
fake_start lie
run find --json --msgid one@example.com --msgid two@example.com "$URL"
assert_status 1 "a literal over the limit is refused"
assert_in "$tmp/err" "larger than the limit of 268435456 bytes" "the warning names the limit"
fake_stop

# A login refused.
fake_start refuse
run find --msgid one@example.com "$URL"
assert_status 77 "a refused login: EX_NOPERM"
assert_in "$tmp/err" "refused the login of alice" "the message says so"
fake_stop

# The password is in no output.
for f in "$tmp"/out "$tmp"/err; do
	assert_not_in "$f" "s3cr3t-pw" "no password in $(basename "$f")"
done

# Refused before anything is sent.
run find --msgid one@example.com "imap://alice:s3cr3t-pw@127.0.0.1:1/INBOX"
assert_status 64 "a password in the URL is refused"
assert_not_in "$tmp/err" "s3cr3t-pw" "... and not shown"
# pack checks its --mail arguments before anything else (the API, which
# is not set up here, would fail with status 78).
run pack --ip 203.0.113.7 --mail "imap://alice:s3cr3t-pw@127.0.0.1:1/INBOX"
assert_status 64 "pack refuses a password in a --mail URL first"
assert_not_in "$tmp/err" "s3cr3t-pw" "... and does not show it"
run pack --ip 203.0.113.7 --mail "dovecot:"
assert_status 64 "pack refuses dovecot: without a user first"
run find --msgid one@example.com "imap://alice@192.0.2.1/INBOX"
assert_status 64 "plain imap:// to a host that is not loopback"
run find --msgid one@example.com "imaps://192.0.2.1/INBOX"
assert_status 64 "an IMAP URL without a user"
NETRC=$tmp/empty-netrc
: >"$NETRC"
run find --msgid one@example.com "imap://alice@127.0.0.1:1/INBOX" </dev/null
assert_status 77 "no password and no terminal to ask"
assert_in "$tmp/err" "no terminal to ask for it" "the message says where to put it"

finish
