#!/bin/sh
# imap-bench.sh - fpkit find over IMAP against a private Dovecot on
# loopback (tests/e2e/privdovecot.sh): the time and peak memory of the
# search of one mailbox of 10,000 and of 50,000 messages, two of them
# wanted (fetched whole), and the same through doveadm (--mail dovecot:).
# Not part of 'make check'.
#
#   sh tests/bench/imap-bench.sh [COUNT...]     # default: 10000 50000
#
# Environment: FPKIT (the binary, default src/fpkit).  Needs Dovecot
# (dovecot-core, dovecot-imapd), python3 and GNU time (/usr/bin/time).
set -eu
FPKIT=${FPKIT:-src/fpkit}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fpkit-imap-bench.XXXXXX")
san=$tmp/san
skip_all() { echo "imap-bench: $*" >&2; exit 1; }
# shellcheck source=../e2e/privdovecot.sh
. "$top/tests/e2e/privdovecot.sh"
[ -x /usr/bin/time ] || skip_all "/usr/bin/time is needed (apt-get install time)"
[ $# -gt 0 ] || set -- 10000 50000

dvc_setup
for n in "$@"; do
	dvc_user "u$n" "maildir:$DVC/mail/u$n"
done
dvc_start
printf 'machine 127.0.0.1 login %s password secret\n' $(for n in "$@"; do echo "u$n"; done) >"$tmp/netrc"
chmod 600 "$tmp/netrc"
NETRC=$tmp/netrc
export NETRC

printf '%-8s %-10s %10s %12s\n' messages store seconds "peak RSS KiB"
for n in "$@"; do
	# The messages, written as Maildir files: Dovecot indexes them on
	# the first access (that first access is not timed).
	python3 - "$DVC/mail/u$n" "$n" <<'EOP'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(d, sub), exist_ok=True)
body = "".join("line %d of a newsletter body, some text to make it a message\n" % i for i in range(40))
for i in range(n):
    with open(os.path.join(d, "cur", "%d.M%dP1.bench:2," % (1795000000 + i, i)), "w") as f:
        f.write("Return-Path: <news@shop.example.com>\nFrom: Shop <news@shop.example.com>\n"
                "To: customer%d@example.net\nSubject: newsletter %d\n"
                "Date: Fri, 20 Nov 2026 13:00:00 +0000\n"
                "Message-ID: <bench.%d@shop.example.com>\n\n%s" % (i, i, i, body))
EOP
	[ "$(id -u)" -ne 0 ] || chown -R nobody "$DVC/mail/u$n"
	doveadm_t mailbox status -u "u$n" messages INBOX >/dev/null
	for store in "imap://u$n@127.0.0.1:$DVC_IMAP_PORT/INBOX" "dovecot:u$n?config=$DVC_CONF"; do
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$FPKIT" find --msgid "bench.7@shop.example.com" \
			--msgid "bench.$((n - 1))@shop.example.com" "$store" >"$tmp/out"
		[ "$(wc -l <"$tmp/out")" -eq 2 ] || skip_all "the two messages were not found in $store"
		printf '%-8s %-10s %10s %12s\n' "$n" "${store%%:*}" $(cat "$tmp/time")
	done
done
dvc_stop
