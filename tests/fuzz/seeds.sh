#!/bin/sh
# seeds.sh - put the seed corpus of a fuzz target into a folder, from the
# project's own fixtures and templates (copied at run time: the seeds are
# not kept in the repository).
#
# usage: seeds.sh TARGET DIR
#   TARGET  alert, idlist, maillog, mbox, model, msgid, origin, ovhconf,
#           report, template, verify
#   DIR     created if needed; files are added, never removed
# The verify seeds are bundles: made with $FPKIT (the demo case) and
# $TARMK (hostile ones) when these name built programs, else skipped.
set -eu
[ $# -eq 2 ] || { echo "usage: seeds.sh TARGET DIR" >&2; exit 64; }
target=$1
dir=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
fx=$top/fixtures
mkdir -p "$dir"

# put FILE...: copy each regular file into DIR, named after its path so
# that files of the same name in two fixtures do not clash.
put() {
	for f in "$@"; do
		[ -f "$f" ] || continue
		name=$(printf '%s' "${f#"$top"/}" | tr '/ ' '__')
		cp "$f" "$dir/$name"
	done
}

# mail: every message and mbox of the fixtures.
mail() {
	find "$fx/alert" "$fx/check" "$fx/demo/mail" "$fx/match/mail" "$fx/mbox" \
		-type f ! -name '*.json' ! -name '*.md' ! -name '*.error' ! -name '*.tsv' \
		! -name '*.expected' | sort | while read -r f; do put "$f"; done
}

case $target in
msgid)
	mail
	;;
origin)
	mail
	find "$fx/beforeblock/mail" -type f | sort | while read -r f; do put "$f"; done
	;;
mbox)
	mail
	# The mbox across store.c's window, cut in its middle (mbox-fuzzer.c).
	{ cat "$fx/mbox/sent.mbox"; printf '\200\377'; } > "$dir/fixtures_mbox_sent.mbox.window"
	;;
alert)
	put "$fx/alert/"*.eml
	;;
idlist)
	# What find --msgid-file takes, and what it refuses.
	printf '# ids\r\n\r\n<a@example.com>\r\n  b@example.com  \n< c@example.com > (x)\n<"d e"@example.com>\n<1795180980.JavaMail.root>\na..b@example.com\n' > "$dir/ids.txt"
	put "$fx/demo/api/stats.json" "$fx/alert/demo.eml" "$fx/mbox/sent.mbox"
	;;
model)
	find "$fx" -name '*.json' -path '*api*' -o -name '*.json' -path '*broken/json*' |
		sort | while read -r f; do put "$f"; done
	;;
template)
	put "$top/templates/"*.mustache
	;;
report)
	# A summary.json with the volume and the checks, the API's
	# documents, and an archive index's lines as an array.
	put "$fx/ticket/summary.json" "$fx/demo/api/spam-ip.json" "$fx/demo/api/stats.json"
	printf '[{"ip":"192.0.2.1","block":"192.0.2.0/28","date":"2026-11-20T13:32:07Z","bundle":"fpkit-192.0.2.1-20261120T133207Z.tar.gz","archived_at":"2026-11-20T13:40:00Z","missing":["a@example.com"]},{"ip":"192.0.2.2","date":"2026-11-22T08:00:00Z","bundle":"javascript:x","host":"mx1"}]\n' > "$dir/index.json"
	;;
ovhconf)
	printf '[default]\nendpoint=ovh-eu\n\n[ovh-eu]\napplication_key=ak1SecretValueAAAA\napplication_secret=as1SecretValueBBBB\nconsumer_key=ck1SecretValueCCCC\n' > "$dir/eu.conf"
	printf '; a comment\n# another\n[default]\r\nendpoint = https://127.0.0.1:8443/1.0/\r\n[https://127.0.0.1:8443/1.0/]\r\napplication_key : k\r\napplication_secret : s\r\nconsumer_key : c\r\n' > "$dir/url-crlf.conf"
	printf '[default]\nendpoint=ovh-ca\n[ovh-ca]\nclient_id=x\nclient_secret=y\n' > "$dir/oauth.conf"
	printf '[default]\nendpoint=kimsufi-eu\n[kimsufi-eu]\napplication_key=a\n  continued\n' > "$dir/indented.conf"
	printf '[ovh-eu]\napplication_key=a\napplication_key=b\n[ovh-eu]\n' > "$dir/twice.conf"
	;;
maillog)
	find "$fx/maillog" -type f ! -name '*.json' ! -name '*.md' | sort |
		while read -r f; do put "$f"; done
	;;
verify)
	if [ -n "${FPKIT:-}" ] && [ -x "$FPKIT" ]; then
		w=$(mktemp -d "${TMPDIR:-/tmp}/fpkit-seeds.XXXXXX")
		(cd "$w" && HOME=$w FPKIT_SYSTEM_OVH_CONF=$w/none "$FPKIT" pack \
			--spam-ip-json "$fx/demo/api/spam-ip.json" --stats-json "$fx/demo/api/stats.json" \
			--mail "$fx/demo/mail/Maildir" -o "$dir/demo.tar.gz" >/dev/null 2>&1) || true
		rm -rf "$w"
		# Uncompressed too: mutations of a tar reach the checks, those
		# of a gzip stream mostly its CRC.
		[ -f "$dir/demo.tar.gz" ] && gzip -dc "$dir/demo.tar.gz" > "$dir/demo.tar"
	fi
	if [ -n "${TARMK:-}" ] && [ -x "$TARMK" ]; then
		t=fpkit-192.0.2.1-20261120T000000Z
		"$TARMK" "$dir/links.tar.gz" "d:$t" "s:$t/SHA256SUMS=x" "s:$t/summary.json={}" \
			"l:$t/l=/etc/passwd" "h:$t/h=$t/summary.json" "c:$t/dev" "s:../x=y" "s:/abs=z" \
			>/dev/null 2>&1 || true
		"$TARMK" "$dir/lies.tar.gz" "d:$t" "s:$t/summary.json=[1" "z:$t/big=5000" \
			>/dev/null 2>&1 || true
	fi
	;;
*)
	echo "seeds.sh: unknown target '$target'" >&2
	exit 64
	;;
esac
