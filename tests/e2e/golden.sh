#!/bin/sh
# The expected outputs of fixtures/ are what fpkit printed when they were
# written (alert.sh and maillog.sh compare fpkit with them): here each is
# checked against a second reading of the same input, by readers written
# apart from fpkit's code (tests/e2e/alert-reader.py, with Python's email
# package; tests/e2e/maillog-reader.py).  A bug blessed into an expected
# file shows as a difference here.  Each reader is also shown to tell a
# changed input from the original (else it proves nothing).
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
R=$TESTS_DIR/e2e

# same_json A B: the two JSON files hold the same value (keys in any order).
same_json() { [ "$(jq -S . "$1")" = "$(jq -S . "$2")" ]; }

# --- fixtures/alert: NAME.json for each alert fpkit reads ---
for want in "$FIXTURES"/alert/*.json; do
	name=$(basename "$want" .json)
	if python3 "$R/alert-reader.py" "${want%.json}.eml" >"$tmp/read.json" 2>"$tmp/err"; then
		if same_json "$want" "$tmp/read.json"; then
			ok "alert/$name.json is what the second reading finds"
		else
			not_ok "alert/$name.json differs from the second reading:"
			diff "$want" "$tmp/read.json" | head -20 | sed 's/^/#   /'
		fi
	else
		not_ok "alert/$name.eml: the second reading failed"
	fi
done
# NAME.error: the alerts fpkit refuses hold no alert for the reader either.
for refused in "$FIXTURES"/alert/*.error; do
	name=$(basename "$refused" .error)
	python3 "$R/alert-reader.py" "${refused%.error}.eml" >"$tmp/read.json" 2>"$tmp/err" || :
	assert_eq "$(jq -c '[.ip, (.targets | length)]' "$tmp/read.json" 2>/dev/null)" '[null,0]' \
		"alert/$name.eml, refused by fpkit: no alert for the second reading"
done
# The control: one score changed in the input changes the reading.
sed 's/Spam score: 417/Spam score: 418/' "$FIXTURES/alert/demo.eml" >"$tmp/changed.eml"
python3 "$R/alert-reader.py" "$tmp/changed.eml" >"$tmp/read.json"
assert_false "control: the alert reader tells a changed score" same_json "$FIXTURES/alert/demo.json" "$tmp/read.json"

# --- fixtures/maillog/mixed: expected/ of a pack with the five logs ---
M=$FIXTURES/maillog/mixed
LOGS="postfix.log postfix-iso.log.gz exim-mainlog.zst exim-syslog.log sendmail.log"
if ! command -v zstd >/dev/null 2>&1; then
	skip "the mail-log expected files: zstd is not installed (exim-mainlog.zst)"
else
	# Classic stamps are Paris time (README), +01:00 in November 2026.
	# shellcheck disable=SC2086
	(cd "$M" && python3 "$R/maillog-reader.py" stats.json +01:00 2026 $LOGS) >"$tmp/ml.json"
	jq '[.targets[] | {message_id, log_file, delivery}]' "$tmp/ml.json" >"$tmp/delivery.json"
	if same_json "$M/expected/delivery.json" "$tmp/delivery.json"; then
		ok "maillog: expected/delivery.json is what the second reading finds"
	else
		not_ok "maillog: expected/delivery.json differs from the second reading:"
		diff "$M/expected/delivery.json" "$tmp/delivery.json" | head -30 | sed 's/^/#   /'
	fi
	jq .maillogs "$tmp/ml.json" >"$tmp/maillogs.json"
	assert_true "maillog: expected/maillogs.json is what the second reading finds" \
		same_json "$M/expected/maillogs.json" "$tmp/maillogs.json"
	# logs/: one file per target with lines, each holding its queues' lines.
	jq -r '.targets[] | .log_file // empty | ltrimstr("logs/")' "$tmp/ml.json" >"$tmp/names"
	assert_eq "$(tr '\n' ' ' <"$tmp/names")" "$(cd "$M/expected/logs" && ls | tr '\n' ' ')" \
		"maillog: expected/logs/ has a file for each target the second reading finds lines for"
	for f in "$M"/expected/logs/*.log; do
		n=$(basename "$f")
		grep -v -e '^#' -e '^$' "$f" >"$tmp/want-lines"
		jq -r --arg n "logs/$n" '.targets[] | select(.log_file == $n) | .excerpt[]' "$tmp/ml.json" \
			>"$tmp/read-lines"
		if cmp -s "$tmp/want-lines" "$tmp/read-lines"; then
			ok "maillog: expected/logs/$n holds the lines the second reading finds"
		else
			not_ok "maillog: expected/logs/$n differs from the second reading:"
			diff "$tmp/want-lines" "$tmp/read-lines" | head -20 | sed 's/^/#   /'
		fi
	done
	# The control: a status changed in a log changes the reading.
	mkdir "$tmp/m"
	cp "$M"/* "$tmp/m/" 2>/dev/null || :
	sed 's/5AKDW0ab031337: to=<e.fabre@example.org>, \(.*\)dsn=5.7.1/5AKDW0ab031337: to=<e.fabre@example.org>, \1dsn=2.0.0/' \
		"$M/sendmail.log" >"$tmp/m/sendmail.log"
	# shellcheck disable=SC2086
	(cd "$tmp/m" && python3 "$R/maillog-reader.py" stats.json +01:00 2026 $LOGS) >"$tmp/ml2.json"
	jq '[.targets[] | {message_id, log_file, delivery}]' "$tmp/ml2.json" >"$tmp/delivery2.json"
	assert_false "control: the mail-log reader tells a changed status" \
		same_json "$M/expected/delivery.json" "$tmp/delivery2.json"
fi

finish
