# archive-lib.sh - sourced by archive.sh and archive-crash.sh after
# lib.sh and fakeapi.sh: an account with three block events on the fake
# API, and helpers to run the archiver and to look at its folder.
fakeapi_setup

# Two blocks, three IPs blocked for spam, scanned in this order.
BLOCK5=198.51.100.0/28
EB5=198.51.100.0%2F28
IP5=198.51.100.5
BLOCK=203.0.113.0/28
EB=203.0.113.0%2F28
IP7=203.0.113.7
IP9=203.0.113.9
B5=fpkit-$IP5-20261119T090000Z.tar.gz
B7=fpkit-$IP7-20261120T133207Z.tar.gz
B9=fpkit-$IP9-20261121T070000Z.tar.gz
D=$tmp/data
printf '{"date":"2026-11-19T10:00:00+01:00","ipSpamming":"%s","state":"blockedForSpam","time":3600}\n' \
	"$IP5" >"$tmp/spamip5.json"
printf '{"date":"2026-11-21T08:00:00+01:00","ipSpamming":"%s","state":"blockedForSpam","time":7200}\n' \
	"$IP9" >"$tmp/spamip9.json"
fakeapi_case "$D" "$BLOCK" "$IP7" "$DEMO_SPAMIP" "$DEMO_STATS"
fakeapi_case "$D" "$BLOCK" "$IP9" "$tmp/spamip9.json" "$DEMO_STATS"
fakeapi_case "$D" "$BLOCK5" "$IP5" "$tmp/spamip5.json" "$DEMO_STATS"
fakeapi_start "$D"
fakeapi_env

# archive DIR [ARGS...]: one run of the archiver into DIR (run's $status,
# out, err); the rate ceiling raised so that nothing waits for it.
archive() {
	ar_dir=$1
	shift
	run scan --archive "$ar_dir" --mail "$DEMO_MAIL" --no-dkim --rate 100000 "$@"
}

# index_names DIR: the bundles the index lists, sorted, on one line.
index_names() {
	jq -r .bundle "$1/index.jsonl" | sort | tr '\n' ' ' | sed 's/ $//'
}

# index_matches DIR: the index lists each bundle of DIR once with its
# SHA-256, and nothing else; DIR holds no other file but the lock.
index_matches() {
	im_names=$(jq -r .bundle "$1/index.jsonl" | sort)
	[ "$im_names" = "$(jq -r .bundle "$1/index.jsonl" | sort -u)" ] || return 1
	[ "$im_names" = "$(cd "$1" && ls -A | grep -v -e '^\.lock$' -e '^index\.jsonl$' -e '^index\.html$' | sort)" ] ||
		return 1
	jq -r '"\(.sha256)  \(.bundle)"' "$1/index.jsonl" | (cd "$1" && sha256sum --quiet -c -) \
		>/dev/null 2>&1
}

# snapshot DIR: every file of DIR with its size, mtime and SHA-256.
snapshot() {
	(cd "$1" && for f in $(ls -A); do
		printf '%s %s %s\n' "$f" "$(stat -c '%s %Y' "$f")" "$(sha256sum <"$f" | cut -c1-64)"
	done)
}

# calls_to REGEX: how many requests of the fake API's log match REGEX
# (the path, without the query).
calls_to() {
	jq -r .url "$FAKE_LOG" | sed 's/?.*//' | grep -c -- "$1" || :
}
