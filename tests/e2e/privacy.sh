#!/bin/sh
# Privacy: under umask 000 and 077 every file fpkit creates (bundles,
# --save-api answers, scan --archive's bundles, index and lock) has mode
# 0600 and every folder it creates 0700, also when it replaces a file of
# another mode, and so do the entries inside the bundles; nothing is
# written outside the output folders (the working folder, $HOME and
# $TMPDIR are left as they were); and no credential, given through the
# OVH_* variables and through ovh.conf files, is in any byte that find,
# check, alert, verify, pack, scan --archive (with --verbose) or any
# --help produce.  tests/e2e/api-leak.sh searches pack and scan's
# listing against the API, with their failures, the same way.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
FPKIT_RETRY_BASE_MS=10
export FPKIT_RETRY_BASE_MS

# Everything fpkit may see is under $W; what it may write goes under
# $W/out only.  The test's own files stay outside $W.
W=$tmp/w
mkdir -p "$W/home" "$W/work" "$W/tmpdir" "$W/out"
HOME=$W/home
TMPDIR=$W/tmpdir
export HOME TMPDIR
cd "$W/work"

IP=203.0.113.7
if [ -x "$FAKE_OVH" ]; then
	fakeapi_case "$tmp/data" 203.0.113.0/28 "$IP" "$DEMO_SPAMIP" "$DEMO_STATS"
	fakeapi_start "$tmp/data"
	endpoint=$FAKE_URL
else
	skip "--save-api and scan --archive: no fake-ovh server built"
	endpoint=http://127.0.0.1:9/1.0	# nothing listens there
fi

# The credentials wherever fpkit could look for them.
OVH_ENDPOINT=$endpoint
OVH_APPLICATION_KEY=$FAKE_AK
OVH_APPLICATION_SECRET=$FAKE_AS
OVH_CONSUMER_KEY=$FAKE_CK
export OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
printf '[default]\nendpoint = %s\n[%s]\napplication_key = %s\napplication_secret = %s\nconsumer_key = %s\n' \
	"$endpoint" "$endpoint" "$FAKE_AK" "$FAKE_AS" "$FAKE_CK" >"$W/work/ovh.conf"
cp "$W/work/ovh.conf" "$HOME/.ovh.conf"
chmod 600 "$W/work/ovh.conf" "$HOME/.ovh.conf"
cp "$DEMO_SPAMIP" "$DEMO_STATS" "$W/work/"

# snapshot: every path under $W but $W/out, with its type, mode, size,
# and change and modification times.  Under valgrind (make
# check-valgrind), which makes and removes files of its own in TMPDIR,
# that folder's own times are left out (what it holds is still compared).
snapshot() {
	(cd "$W" && find . -path ./out -prune -o -printf '%p %y %m %s %C@ %T@\n' | sort) |
		if [ -n "${FPKIT_VALGRIND:-}" ]; then
			sed 's|^\(\./tmpdir d [0-9]* [0-9]*\) .*|\1|'
		else
			cat
		fi
}
snapshot >"$tmp/before"

# Each run's standard output and error are kept, for the search below.
P=$tmp/produced
mkdir "$P"
i=0
keep() {
	i=$((i + 1))
	run "$@"
	cp "$tmp/out" "$P/$i.stdout"
	cp "$tmp/err" "$P/$i.stderr"
}

# modes WHAT PATH...: each PATH has mode 600 if a file, 700 if a folder.
modes() {
	md_what=$1
	shift
	md_bad=$(for f in "$@"; do
		m=$(stat -c %a "$f")
		if [ -d "$f" ]; then [ "$m" = 700 ] || echo "$f:$m"; else [ "$m" = 600 ] || echo "$f:$m"; fi
	done)
	assert_eq "$md_bad" "" "$md_what"
}

# entry_modes BUNDLE: the modes of its entries, sorted, on one line.
entry_modes() {
	tar -tvzf "$1" | cut -c1-10 | sort -u | tr '\n' ' '
}

for mask in 000 077; do
	O=$W/out/u$mask
	mkdir "$O"
	umask "$mask"

	keep pack --spam-ip-json "$W/work/spam-ip.json" --stats-json "$W/work/stats.json" \
		--mail "$DEMO_MAIL" --verbose -o "$O/"
	assert_status 0 "umask $mask: pack"
	modes "umask $mask: the bundle is 0600" "$O/$DEMO_BUNDLE"
	assert_eq "$(entry_modes "$O/$DEMO_BUNDLE")" "-rw------- drwx------ " \
		"umask $mask: its entries are 0600 and 0700"
	chmod 644 "$O/$DEMO_BUNDLE"
	keep pack --spam-ip-json "$W/work/spam-ip.json" --stats-json "$W/work/stats.json" \
		--mail "$DEMO_MAIL" --json -o "$O/" --force
	assert_status 0 "umask $mask: pack --force over a bundle of mode 0644"
	modes "umask $mask: the new bundle is 0600" "$O/$DEMO_BUNDLE"

	if [ -x "$FAKE_OVH" ]; then
		mkdir "$O/api"
		printf '{}\n' >"$O/api/stats.json"
		chmod 644 "$O/api/stats.json"
		keep pack --ip "$IP" --mail "$DEMO_MAIL" --verbose -o "$O/live.tar.gz" --save-api "$O/api"
		assert_status 0 "umask $mask: pack from the API with --save-api"
		modes "umask $mask: the bundle and the answers are 0600, also the one replaced" \
			"$O/live.tar.gz" "$O/api/spam-ip.json" "$O/api/stats.json"
		assert_eq "$(ls -A "$O/api" | tr '\n' ' ')" "spam-ip.json stats.json " \
			"umask $mask: --save-api leaves no temporary file"

		keep scan --archive "$O/arch" --mail "$DEMO_MAIL" --verbose --rate 100000
		assert_status 0 "umask $mask: scan --archive"
		assert_in "$tmp/err" "api: GET " "umask $mask: scan --archive --verbose traces its calls"
		modes "umask $mask: the archive folder is 0700, its files 0600" \
			"$O/arch" "$O/arch"/* "$O/arch/.lock" "$O/arch/index.jsonl" "$O/arch/index.html"
		assert_eq "$(ls -A "$O/arch" | wc -l)" 4 "umask $mask: the archive holds a bundle, the index, its page, the lock"
		assert_eq "$(entry_modes "$O/arch/$DEMO_BUNDLE")" "-rw------- drwx------ " \
			"umask $mask: the archived bundle's entries are 0600 and 0700"
	fi
	umask 022
done

# The commands that write no file, and the help of each, with the
# credentials all around.
O=$W/out
keep find --msgid order-10482.1795180980.7d1e@shop.example.com --json "$DEMO_MAIL"
assert_status 0 "find"
keep find --msgid not-there@example.com "$DEMO_MAIL"
assert_status 1 "find, an id not found"
keep check --json --ip "$IP" --no-dkim "$DEMO_MAIL"/cur/* "$DEMO_MAIL"/new/*
assert_status 0 "check --json"
keep check --no-dkim "$DEMO_MAIL"/cur/* "$W/work/missing.eml"
assert_status 66 "check, a file missing"
keep alert "$FIXTURES/alert/demo.eml"
assert_status 0 "alert"
keep alert --json "$FIXTURES/alert/demo.eml"
assert_status 0 "alert --json"
keep alert "$FIXTURES/alert/not-alert.eml"
assert_status 65 "alert, not an alert"
keep verify "$O/u000/$DEMO_BUNDLE" "$O/u077/$DEMO_BUNDLE"
assert_status 0 "verify"
keep verify "$W/work/spam-ip.json"
assert_status 65 "verify, not a bundle"
keep pack --spam-ip-json "$W/work/spam-ip.json" --stats-json "$W/work/stats.json" \
	--mail "$W/work/no-such-store" -o "$O/x.tar.gz"
assert_status 66 "pack, a store missing"
for c in pack find check alert verify scan; do
	keep "$c" --help
	assert_status 0 "$c --help"
done
keep --help
keep --version

snapshot >"$tmp/after"
assert_true "nothing written outside the output folders (working folder, HOME, TMPDIR)" \
	cmp -s "$tmp/before" "$tmp/after"
if ! cmp -s "$tmp/before" "$tmp/after"; then diff "$tmp/before" "$tmp/after" | sed 's/^/#   /' | head -20; fi
assert_eq "$(ls -A "$TMPDIR")" "" "nothing in TMPDIR"

if [ -x "$FAKE_OVH" ]; then
	assert_true "the fake API was asked (the credentials were used)" test -s "$FAKE_LOG"
	assert_true "the fake API stops cleanly" fakeapi_stop
fi

# Every byte produced: the outputs kept, the files written, the bundles
# also decompressed and unpacked.
cp -R "$W/out" "$P/files"
for b in $(find "$P/files" -name '*.tar.gz'); do
	gzip -dc "$b" >"${b%.gz}"
	mkdir "${b%.tar.gz}.d"
	tar -xf "${b%.gz}" -C "${b%.tar.gz}.d"
done
assert_true "the bundles were unpacked" test -n "$(find "$P/files" -name TICKET.txt)"

# leaks DIR: the files under DIR holding a credential, in any case.
leaks() {
	grep -rlaiF -e "$FAKE_AK" -e "$FAKE_AS" -e "$FAKE_CK" "$1" || :
}
assert_eq "$(leaks "$P")" "" "no credential in any byte fpkit produced"
# The search finds what is there.
mkdir "$tmp/plant"
{ head -c 100 "$P/1.stderr"; printf '%s' "$FAKE_CK" | tr a-z A-Z; } >"$tmp/plant/x"
assert_eq "$(leaks "$tmp/plant")" "$tmp/plant/x" "the search would find a leak"

finish
