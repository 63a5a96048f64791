#!/bin/sh
# The same messages stored in every kind of store fpkit reads: a Maildir
# (the demo's), an MH folder, an mbox, and a real Dovecot (a private
# instance, privdovecot.sh) with a Maildir, an sdbox and an mdbox user,
# read through doveadm (--mail dovecot:USER) and over IMAP (--mail
# imap://USER@127.0.0.1:PORT/INBOX).  find gives the same Message-IDs
# in each; pack's samples are the bytes that were delivered (over IMAP
# with CRLF line ends, as the server gives them); summary.json says
# which kind of store each sample came from.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/privdovecot.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
dvc_setup

# The delivered messages: the demo Maildir's (not tmp/, not yet
# delivered), one file each.
find "$DEMO_MAIL" -path '*/tmp' -prune -o -type f -print | sort >"$tmp/files"
: >"$tmp/ids"
while read -r f; do
	sed -n 's/^Message-I[Dd]: *<\(.*\)>.*/\1/p' "$f" | head -n 1 >>"$tmp/ids"
done <"$tmp/files"
sort -u -o "$tmp/ids" "$tmp/ids"
nfiles=$(wc -l <"$tmp/files" | tr -d ' ')
assert_true "the demo's delivered messages" test "$nfiles" -ge 10
msgid_args=$(sed 's/^/--msgid /' "$tmp/ids" | tr '\n' ' ')

# The same messages as an MH folder and an mbox.
mkdir -p "$tmp/mh"
: >"$tmp/mh/.mh_sequences"
: >"$tmp/all.mbox"
n=0
while read -r f; do
	n=$((n + 1))
	cp "$f" "$tmp/mh/$n"
	{ printf 'From orders@shop.example.com Fri Nov 20 13:00:00 2026\n'; cat "$f"; printf '\n'; } >>"$tmp/all.mbox"
done <"$tmp/files"

# Dovecot: one user per storage format, each given every message.
for u in md:maildir sd:sdbox mdb:mdbox; do
	dvc_user "${u%%:*}" "${u#*:}:$DVC/mail/${u%%:*}"
done
dvc_start
for u in md sd mdb; do
	while read -r f; do
		dvc_save "$u" "$f" || not_ok "doveadm save $f for $u"
	done <"$tmp/files"
done
assert_eq "$(doveadm_t -f flow mailbox status -u sd messages INBOX)" "INBOX messages=$nfiles" "doveadm saved them"
# IMAP: the password from the netrc file $NETRC names.
printf 'machine 127.0.0.1 login %s password secret\n' md sd mdb >"$tmp/netrc"
chmod 600 "$tmp/netrc"
NETRC=$tmp/netrc
export NETRC
IMAP=imap://sd@127.0.0.1:$DVC_IMAP_PORT
# A second mailbox for the listing of every mailbox.
doveadm_t mailbox create -u sd Sent
sed -n 1p "$tmp/files" | xargs cat | doveadm_t save -u sd -m Sent

# find: the same ids, in every store.
found() { jq -r '.message_id' "$tmp/out" | sort -u; }
# shellcheck disable=SC2086
run find --json $msgid_args "$DEMO_MAIL"
assert_status 0 "find in the Maildir"
found >"$tmp/want-ids"
assert_true "the Maildir gives every id" cmp -s "$tmp/want-ids" "$tmp/ids"
for store in "$tmp/mh" "$tmp/all.mbox" "dovecot:md?config=$DVC_CONF" "dovecot:sd?config=$DVC_CONF" \
	"dovecot:mdb/INBOX?config=$DVC_CONF" "dovecot:*?config=$DVC_CONF" "$IMAP/INBOX" "$IMAP"; do
	# shellcheck disable=SC2086
	run find --json $msgid_args "$store"
	assert_status 0 "find in $store"
	found >"$tmp/got-ids"
	assert_true "the same ids in $store" cmp -s "$tmp/got-ids" "$tmp/want-ids"
done
run find --json --msgid order-10482.1795180980.7d1e@shop.example.com "dovecot:sd?config=$DVC_CONF"
assert_eq "$(jq -r '.format + " " + .path' "$tmp/out")" "dovecot dovecot:sd/INBOX;UID=$(doveadm_t -f flow search -u sd header message-id order-10482.1795180980.7d1e@shop.example.com | awk '{print $2}')" \
	"a Dovecot message: its format and source (user, mailbox, UID)"
run find --json --msgid order-10482.1795180980.7d1e@shop.example.com "dovecot:*?config=$DVC_CONF"
assert_eq "$(jq -r '.path' "$tmp/out" | sed 's/[/;].*//' | tr '\n' ' ')" "dovecot:md dovecot:mdb dovecot:sd " \
	"dovecot:* reads every user (doveadm fetch -A)"

run find --json --msgid order-10482.1795180980.7d1e@shop.example.com "$IMAP/INBOX"
uidv=$(doveadm_t -f flow mailbox status -u sd uidvalidity INBOX | sed 's/.*=//')
uid=$(doveadm_t -f flow search -u sd mailbox INBOX header message-id order-10482.1795180980.7d1e@shop.example.com | awk '{print $2}')
assert_eq "$(jq -r '.format + " " + .path' "$tmp/out")" "imap $IMAP/INBOX;UIDVALIDITY=$uidv/;UID=$uid" \
	"an IMAP message: its format and RFC 5092 URL (UIDVALIDITY, UID)"
run find --json --msgid "$(sed -n 's/^Message-I[Dd]: *<\(.*\)>.*/\1/p' "$(sed -n 1p "$tmp/files")" | head -n 1)" "$IMAP"
assert_in "$tmp/out" "$IMAP/Sent;UIDVALIDITY=" "with no mailbox in the URL, every mailbox is searched"

# pack: the samples are the delivered bytes.
shas() { sha256sum "$@" | cut -d ' ' -f 1 | sort; }
pack_store() {
	rm -rf "$tmp/x" && mkdir -p "$tmp/x"
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$1" -o "$tmp/x"
	assert_status 0 "pack --mail $1"
	tar -xzf "$tmp/x"/*.tar.gz -C "$tmp/x"
	S=$(ls "$tmp"/x/*/summary.json)
}
pack_store "$DEMO_MAIL"
jq -r '.samples[].source' "$S" | sort >"$tmp/want-files"
# shellcheck disable=SC2046
shas $(cat "$tmp/want-files") >"$tmp/want-shas"
assert_eq "$(wc -l <"$tmp/want-shas" | tr -d ' ')" 2 "the demo's samples (its third target is only in tmp/)"
for store in "$tmp/mh" "$tmp/all.mbox" "dovecot:md?config=$DVC_CONF" "dovecot:sd?config=$DVC_CONF" \
	"dovecot:mdb?config=$DVC_CONF"; do
	pack_store "$store"
	shas "$tmp"/x/*/samples/*.eml >"$tmp/got-shas"
	assert_true "the samples from $store are the delivered bytes" cmp -s "$tmp/got-shas" "$tmp/want-shas"
done
assert_eq "$(jq -r '[.samples[].format] | unique | join(" ")' "$S")" "dovecot" "summary.json: format dovecot"
# Over IMAP: the bytes as the server gives them, with CRLF line ends.
pack_store "imap://mdb@127.0.0.1:$DVC_IMAP_PORT/INBOX"
for f in "$tmp"/x/*/samples/*.eml; do
	assert_true "a sample over IMAP has CRLF line ends" grep -q "$(printf '\r')\$" "$f"
	tr -d '\r' <"$f" >"$f.lf"
done
shas "$tmp"/x/*/samples/*.eml.lf >"$tmp/got-shas"
assert_true "the samples over IMAP are the delivered bytes, but for CRLF" cmp -s "$tmp/got-shas" "$tmp/want-shas"
assert_eq "$(jq -r '[.samples[].format] | unique | join(" ")' "$S")" "imap" "summary.json: format imap"
assert_eq "$(doveadm_t -f flow fetch -u mdb flags SEEN | wc -l | tr -d ' ')" 0 "IMAP left every message unread (BODY.PEEK)"
assert_false "no password in the bundle's summary" grep -q secret "$S"

pack_store "dovecot:mdb?config=$DVC_CONF"
sid=$(jq -r '.samples[0].message_id' "$S")
assert_eq "$(jq -r '.samples[0].source' "$S")" \
	"dovecot:mdb/INBOX;UID=$(doveadm_t -f flow search -u mdb header message-id "$sid" | awk '{print $2}')" \
	"summary.json: the source names the user, mailbox and UID"

# pack --before-block with a Dovecot store and a Maildir: the targets
# from either, the messages before the block chosen among the files.
rm -rf "$tmp/x" && mkdir -p "$tmp/x"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "dovecot:sd?config=$DVC_CONF" \
	--mail "$DEMO_MAIL" --before-block 2 -o "$tmp/x"
assert_status 0 "pack --before-block with a Dovecot store"
tar -xzf "$tmp/x"/*.tar.gz -C "$tmp/x"
S=$(ls "$tmp"/x/*/summary.json)
assert_eq "$(jq -r '[.samples[] | select(.format == "dovecot")] | length' "$S")" 2 \
	"the two targets found in Dovecot too"
assert_true "messages before the block taken from the files" \
	test "$(jq -r '[.samples[] | select(.format == "maildir")] | length' "$S")" -gt 2

# Errors: an unknown user, a config that does not exist, a bad spec.
run find --msgid x@example.com "dovecot:nosuchuser?config=$DVC_CONF"
assert_status 67 "an unknown Dovecot user: EX_NOUSER"
assert_in "$tmp/err" "nosuchuser" "the message names the user"
run find --msgid x@example.com "dovecot:sd?config=$tmp/nowhere.conf"
assert_status 69 "a missing doveadm configuration"
assert_in "$tmp/err" "doveadm" "the message names doveadm"
run find --msgid x@example.com "dovecot:"
assert_status 64 "dovecot: without a user"
run find --msgid x@example.com "dovecot:sd/"
assert_status 64 "dovecot:USER/ without a mailbox"

dvc_stop
finish
