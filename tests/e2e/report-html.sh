#!/bin/sh
# The pages: REPORT.html in every bundle (listed in SHA256SUMS, the same
# page as 'fpkit report' writes, deterministic, in the bundle's
# language), an archive's index.html (written by scan --archive, rebuilt
# by 'fpkit report --archive'), both valid, self-contained and inert
# HTML, opened in headless Chromium: the screenshot is not blank and the
# DOM shows the facts of summary.json and index.jsonl, read here with
# python3 and jq; a bundle with hostile text gives a page without script.
# page-check.py says what "valid" and "not blank" mean.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
CHECK="python3 $E2E/page-check.py"
LOG=$FIXTURES/demo/log/mail.log
top=${DEMO_BUNDLE%.tar.gz}

# chrome KIND OUT URL: headless Chromium, with nothing that reaches out
# (no first-run, sync, component update or background networking; a
# profile of its own under $tmp), KIND "screenshot" (OUT a 1200x1600
# PNG) or "dom" (OUT the DOM it built).  Stopped by its PID, with its
# process group, if it has not ended after 120 s; returns 1 then.
CHROMIUM=$(command -v chromium || command -v chromium-browser || :)
chrome() {
	if [ "$1" = screenshot ]; then set -- "--screenshot=$2" "$2" "$3"; else set -- --dump-dom "$2" "$3"; fi
	HOME=$tmp/chrome-home setsid "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-default-apps --disable-extensions --hide-scrollbars \
		--user-data-dir="$tmp/chrome-profile" --window-size=1200,1600 "$1" "$3" \
		>"$tmp/chrome.out" 2>"$tmp/chrome.err" &
	ch_pid=$!
	ch_n=0
	while kill -0 "$ch_pid" 2>/dev/null && [ "$ch_n" -lt 240 ]; do
		sleep 0.5
		ch_n=$((ch_n + 1))
	done
	if kill -0 "$ch_pid" 2>/dev/null; then
		kill -KILL -- "-$ch_pid" 2>/dev/null || kill -KILL "$ch_pid" 2>/dev/null || :
		wait "$ch_pid" 2>/dev/null || :
		return 1
	fi
	wait "$ch_pid" || :
	[ "$1" = --dump-dom ] && cp "$tmp/chrome.out" "$2"
	test -s "$2"
}

# valid FILE WHAT: FILE is well-formed, self-contained, inert HTML
# (page-check.py html), and tidy finds no error in it when installed.
valid() {
	if $CHECK html "$1" >"$tmp/check" 2>&1; then ok "$2: well-formed, no script, nothing fetched"
	else not_ok "$2: $(head -5 "$tmp/check" | tr '\n' ' ')"; fi
	if command -v tidy >/dev/null; then
		if tidy -e -q "$1" >"$tmp/tidy" 2>&1; then ok "$2: tidy finds no error or warning"
		else not_ok "$2: tidy: $(head -5 "$tmp/tidy" | tr '\n' ' ')"; fi
	else
		skip "$2: tidy not installed (Debian: tidy)"
	fi
}

# --- the demo bundle's REPORT.html ----------------------------------------
mkdir "$tmp/a" "$tmp/b"
cd "$tmp/a"; pack_demo --maillog "$LOG" --unpacked; cd "$tmp"
assert_status 0 "pack the demo with its mail log"
R=$tmp/a/$top/REPORT.html
S=$tmp/a/$top/summary.json
assert_true "the bundle holds REPORT.html" test -s "$R"
assert_eq "$(grep -c '  REPORT.html$' "$tmp/a/$top/SHA256SUMS")" 1 "SHA256SUMS lists it"
assert_true "sha256sum -c agrees" sh -c "cd '$tmp/a/$top' && sha256sum --quiet -c SHA256SUMS"
tar -xzOf "$tmp/a/$DEMO_BUNDLE" "$top/REPORT.html" >"$tmp/r-tar.html"
assert_true "the tarball's REPORT.html is the folder's" cmp -s "$tmp/r-tar.html" "$R"
cd "$tmp/b"; pack_demo --maillog "$LOG"; cd "$tmp"
tar -xzOf "$tmp/b/$DEMO_BUNDLE" "$top/REPORT.html" >"$tmp/r-b.html"
assert_true "a second pack writes the same bytes" cmp -s "$tmp/r-b.html" "$R"
valid "$R" "REPORT.html"
assert_in "$R" '<html lang="en">' "in the ticket's language, English"
# The ticket, whole, in the page: each of its lines, escaped as HTML.
python3 -c '
import html, sys
page, ticket = open(sys.argv[1]).read(), open(sys.argv[2]).read()
sys.exit(0 if html.escape(ticket, quote=True).replace("&#x27;", "&#39;") in page else 1)
' "$R" "$tmp/a/$top/TICKET.txt"
assert_eq "$?" 0 "the ticket text is in the page, escaped, line for line"

# fpkit report: the same page from the tarball and from the folder.
run report "$tmp/a/$DEMO_BUNDLE" -o "$tmp/report.html"
assert_status 0 "fpkit report BUNDLE.tar.gz -o FILE"
assert_true "fpkit report writes the bundle's page" cmp -s "$tmp/report.html" "$R"
run report "$tmp/a/$top/"
assert_status 0 "fpkit report on the bundle's folder, to standard output"
assert_true "the same page" cmp -s "$tmp/out" "$R"
run report --lang fr "$tmp/a/$DEMO_BUNDLE" -o "$tmp/report-fr.html"
assert_status 0 "fpkit report --lang fr"
assert_in "$tmp/report-fr.html" '<html lang="fr">' "--lang fr: a French page"
assert_in "$tmp/report-fr.html" "Chronologie" "--lang fr: French headings"
valid "$tmp/report-fr.html" "the French page"

# A French bundle's page is French, and fpkit report finds its language.
mkdir "$tmp/fr"
cd "$tmp/fr"; pack_demo --maillog "$LOG" --lang fr; cd "$tmp"
tar -xzOf "$tmp/fr/$DEMO_BUNDLE" "$top/REPORT.html" >"$tmp/r-fr.html"
assert_in "$tmp/r-fr.html" '<html lang="fr">' "pack --lang fr: REPORT.html in French"
run report "$tmp/fr/$DEMO_BUNDLE"
assert_true "fpkit report: the bundle's language by default" cmp -s "$tmp/out" "$tmp/r-fr.html"

# A bundle that fails verify gives no page.
cp -R "$tmp/a/$top" "$tmp/bad"
printf 'x' >>"$tmp/bad/summary.json"
run report "$tmp/bad" -o "$tmp/bad.html"
assert_status 65 "a bundle that fails verify"
assert_in "$tmp/err" "does not pass fpkit verify" "says so"
assert_false "and writes nothing" test -e "$tmp/bad.html"
run report
assert_status 64 "no bundle"
run report --lang xx "$tmp/a/$DEMO_BUNDLE"
assert_status 64 "an unknown language"

# --- a bundle with hostile text --------------------------------------------
# The demo's folder with a hostile Message-ID, finding and ticket
# Subject, SHA256SUMS made again with sha256sum: a bundle verify passes.
H=$tmp/hostile/$top
mkdir "$tmp/hostile"
cp -R "$tmp/a/$top" "$H"
EVIL='</script><script>alert(1)</script>"onload=alert(2) x='"'"'y'"'"' &amp; '
python3 - "$H" "$EVIL" <<'PY'
import json, sys
d, evil = sys.argv[1], sys.argv[2]
bidi = "\u202egnp.exe\u202c\u2066x\u2069"
s = json.load(open(d + "/summary.json"))
s["targets"][0]["message_id"] = evil + bidi + "@shop.example.com"
s["samples"][0]["checks"]["lint"] = [{"id": "<img src=x onerror=alert(3)>", "detail": evil + bidi}]
s["ip"] = "203.0.113.7" + evil
# numbers and dates no API gives: the charts hold them in their frame
s["targets"][1]["spamscore"] = 10**18
s["targets"][2]["spamscore"] = -5
s["targets"][2]["date"] = "9999-12-31T23:59:59Z"
json.dump(s, open(d + "/summary.json", "w"), indent=2)
t = open(d + "/TICKET.txt").read()
open(d + "/TICKET.txt", "w").write("Subject: " + evil + bidi + "\n" + t)
PY
(cd "$H" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
	xargs sha256sum >SHA256SUMS)
run verify "$H"
assert_status 0 "the hostile bundle passes verify"
run report "$H" -o "$tmp/hostile.html"
assert_status 0 "fpkit report on it"
valid "$tmp/hostile.html" "the hostile page"
assert_false "no '<script' in the page" grep -qi '<script' "$tmp/hostile.html"
assert_false "no bidi override or isolate in the page" \
	sh -c "grep -q \"\$(printf '\\342\\200\\256')\\|\$(printf '\\342\\201\\246')\" '$tmp/hostile.html'"
assert_in "$tmp/hostile.html" "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=" \
	"the hostile text is shown, escaped"
assert_in "$tmp/hostile.html" "&lt;U+202E&gt;" "a bidi override is shown as <U+202E>"

# An archive index with hostile lines: names that are no relative link
# are shown, not linked; lines that are not objects are skipped.
mkdir -m 700 "$tmp/hx"
{
	printf '{"ip":"192.0.2.1","date":"2026-11-20T13:32:07Z","bundle":"javascript:alert(1)"}\n'
	printf '{"ip":"192.0.2.2","date":"2026-11-21T13:32:07Z","bundle":"//example.com/x.tar.gz"}\n'
	printf '{"ip":"192.0.2.3","date":"2026-11-22T13:32:07Z","bundle":"../x.tar.gz"}\n'
	printf '{"ip":"%s","date":"2026-11-23T13:32:07Z","bundle":"ok.tar.gz","missing":["%s"]}\n' \
		'</script><script>alert(1)</script>' '\"onload=alert(2)'
	printf 'not json\n[1]\n'
} >"$tmp/hx/index.jsonl"
run report --archive "$tmp/hx"
assert_status 0 "fpkit report --archive on a hostile index"
assert_in "$tmp/err" "2 lines of the index not read" "the lines that are not objects are counted"
valid "$tmp/hx/index.html" "the hostile index's page"
assert_eq "$(grep -o 'href="[^"]*"' "$tmp/hx/index.html" | tr '\n' ' ')" 'href="ok.tar.gz" ' \
	"only the relative bundle name is linked"
assert_in "$tmp/hx/index.html" "javascript:alert(1)</td>" "the others are shown as text"
assert_false "no '<script' in it" grep -qi '<script' "$tmp/hx/index.html"

# The records of acts (an unblock, a ticket) name an event's bundle but
# are not events: the page counts and charts the events alone.
mkdir -m 700 "$tmp/acts"
{
	printf '{"ip":"192.0.2.7","block":"192.0.2.0/28","date":"2026-11-20T13:32:07Z","bundle":"fpkit-192.0.2.7-20261120T133207Z.tar.gz","sha256":"%064d"}\n' 0
	printf '{"ip":"192.0.2.7","date":"2026-11-20T13:32:07Z","bundle":"fpkit-192.0.2.7-20261120T133207Z.tar.gz","unblock":{"at":"2026-11-20T15:00:00Z","result":"accepted"}}\n'
	printf '{"ip":"192.0.2.7","date":"2026-11-20T13:32:07Z","bundle":"fpkit-192.0.2.7-20261120T133207Z.tar.gz","ticket":{"number":123456}}\n'
} >"$tmp/acts/index.jsonl"
run report --archive "$tmp/acts"
assert_status 0 "fpkit report --archive on an index with an unblock and a ticket record"
assert_eq "$(grep -c 'href="fpkit-192.0.2.7-20261120T133207Z.tar.gz"' "$tmp/acts/index.html")" 1 \
	"one row for the event, none for the records of the acts"
assert_in "$tmp/acts/index.html" "1 block event of 1 IP" "the count is of events alone"

# The index's limit (FPKIT_LIMIT_BUNDLE_META, 16 MiB): at it, a page;
# one byte over, none.
mkdir -m 700 "$tmp/lim"
python3 -c '
import sys
line = "{\"ip\":\"192.0.2.1\",\"date\":\"2026-11-20T13:32:07Z\",\"bundle\":\"a.tar.gz\"}\n"
n = 16777216 - len(line) - len("{\"pad\":\"\"}\n") + int(sys.argv[1])
sys.stdout.write(line + "{\"pad\":\"" + "x" * n + "\"}\n")
' 0 >"$tmp/lim/index.jsonl"
assert_eq "$(wc -c <"$tmp/lim/index.jsonl")" 16777216 "an index of 16 MiB"
run report --archive "$tmp/lim" -o "$tmp/lim.html"
assert_status 0 "at the limit: a page"
assert_in "$tmp/lim.html" 'href="a.tar.gz"' "with its event"
printf ' ' >>"$tmp/lim/index.jsonl"
run report --archive "$tmp/lim" -o "$tmp/lim2.html"
assert_status 65 "one byte over: no page"
assert_false "nothing written" test -e "$tmp/lim2.html"

# --- in a browser -----------------------------------------------------------
if [ -z "$CHROMIUM" ]; then
	skip "the pages in a browser: chromium not installed (Debian: chromium; .ci/packages has it)"
else
	if chrome screenshot "$tmp/report.png" "file://$R"; then
		if $CHECK png "$tmp/report.png" 1200 1600 >"$tmp/check"; then
			ok "REPORT.html in Chromium: a 1200x1600 screenshot, not blank ($(cat "$tmp/check"))"
		else not_ok "REPORT.html screenshot: $(tr '\n' ' ' <"$tmp/check")"; fi
	else
		not_ok "Chromium made no screenshot of REPORT.html: $(tail -3 "$tmp/chrome.err" | tr '\n' ' ')"
	fi
	if chrome dom "$tmp/report.dom" "file://$R"; then
		if $CHECK bundle-facts "$S" "$tmp/report.dom" >"$tmp/check"; then
			ok "REPORT.html in Chromium: the DOM shows the block time, each message with its date, score and sample, the volume hour by hour"
		else not_ok "REPORT.html's DOM: $(head -5 "$tmp/check" | tr '\n' ' ')"; fi
	else
		not_ok "Chromium dumped no DOM of REPORT.html"
	fi
	if chrome dom "$tmp/hostile.dom" "file://$tmp/hostile.html"; then
		assert_eq "$($CHECK scripts "$tmp/hostile.dom")" "0 0" \
			"the hostile page in Chromium: no script element, no event attribute"
		assert_in "$tmp/hostile.dom" "alert(1)" "and its text is there, as text"
	else
		not_ok "Chromium dumped no DOM of the hostile page"
	fi
fi

# --- an archive's index.html -----------------------------------------------
. "$E2E/fakeapi.sh"
[ -x "$FAKE_OVH" ] || { skip "the archive's page: no fake OVH API server built"; finish; exit; }
. "$E2E/archive-lib.sh"
A=$tmp/archive
archive "$A"
assert_status 0 "scan --archive"
assert_true "the archive has index.html" test -s "$A/index.html"
assert_eq "$(stat -c %a "$A/index.html")" 600 "written 0600, as the index"
valid "$A/index.html" "index.html"
run report --archive "$A" -o "$tmp/index.html"
assert_status 0 "fpkit report --archive DIR -o FILE"
assert_true "rebuilds the same page" cmp -s "$tmp/index.html" "$A/index.html"
# A new event: the page follows the index.
cp "$A/index.html" "$tmp/index1.html"
printf '{"date":"2026-11-22T09:15:00+01:00","ipSpamming":"%s","state":"blockedForSpam","time":3600}\n' \
	"$IP7" >"$tmp/spamip7b.json"
fakeapi_case "$D" "$BLOCK" "$IP7" "$tmp/spamip7b.json" "$DEMO_STATS"
archive "$A"
assert_status 0 "a second run, one new event"
run report --archive "$A" -o "$tmp/index2.html"
assert_true "index.html was written again with the index" cmp -s "$tmp/index2.html" "$A/index.html"
assert_false "and changed" cmp -s "$tmp/index1.html" "$A/index.html"
# A page lost (or from before pages): the next run writes it, though
# nothing is new.
rm "$A/index.html"
archive "$A"
assert_status 0 "a run with nothing new"
assert_true "writes the missing page again" cmp -s "$tmp/index2.html" "$A/index.html"
if [ -n "$CHROMIUM" ]; then
	(cd "$A" && $CHECK html index.html >/dev/null)
	if chrome screenshot "$tmp/index.png" "file://$A/index.html" &&
	   $CHECK png "$tmp/index.png" 1200 1600 >"$tmp/check"; then
		ok "index.html in Chromium: a 1200x1600 screenshot, not blank ($(cat "$tmp/check"))"
	else
		not_ok "index.html screenshot: $(cat "$tmp/check" 2>/dev/null | tr '\n' ' ')"
	fi
	if chrome dom "$tmp/index.dom" "file://$A/index.html" &&
	   $CHECK index-facts "$A/index.jsonl" "$tmp/index.dom" >"$tmp/check"; then
		ok "index.html in Chromium: a row and a relative link per bundle of index.jsonl, a lane per IP"
	else
		not_ok "index.html's DOM: $(head -5 "$tmp/check" | tr '\n' ' ')"
	fi
	for f in "$A"/fpkit-*.tar.gz; do
		grep -qF "href=\"$(basename "$f")\"" "$A/index.html" || not_ok "no link to $(basename "$f")"
	done
fi
finish
