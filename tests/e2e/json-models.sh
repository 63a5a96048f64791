#!/bin/sh
# Saved API JSON is validated against the models: each broken document
# of fixtures/broken/json is refused with exit 65 and a message naming
# the file and the field; unknown fields and nulls where the schema
# allows them are accepted.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

mkdir "$tmp/outdir"
for case_dir in "$FIXTURES"/broken/json/*/; do
	name=$(basename "$case_dir")
	expect=$(head -n 1 "$case_dir/expect")
	set --
	[ -f "$case_dir/spam-ip.json" ] && set -- "$@" --spam-ip-json "$case_dir/spam-ip.json"
	[ -f "$case_dir/stats.json" ] && set -- "$@" --stats-json "$case_dir/stats.json"
	[ -f "$case_dir/spam-ip.json" ] || set -- "$@" --ip 192.0.2.1
	run pack "$@" -o "$tmp/outdir"
	if [ "$expect" = ok ]; then
		assert_status 0 "$name: accepted"
		rm -f "$tmp"/outdir/*
		continue
	fi
	assert_status 65 "$name: refused"
	file=$(ls "$case_dir" | grep '\.json$')
	assert_in "$tmp/err" "$file'" "$name: the message names the file"
	if [ "$expect" != "(document)" ]; then
		assert_in "$tmp/err" "field '$expect'" "$name: the message names field $expect"
	fi
	no_leftovers "$tmp/outdir" "$name: nothing written"
done

# The models' edges, each at its value and one past it: a block of ten
# years (315360000 s) and one second more; a block ending at the last
# second of 9999 and one second later; a time of the last second of 9999
# (253402300799) in stats, and one second later.
edge() {
	printf '{"date": "%s", "ipSpamming": "203.0.113.7", "state": "blockedForSpam", "time": %s}\n' \
		"$1" "$2" >"$tmp/edge.json"
	rm -f "$tmp/edge.tar.gz"
	run pack --spam-ip-json "$tmp/edge.json" --stats-json "$DEMO_STATS" -o "$tmp/edge.tar.gz"
}
edge 2026-11-20T13:32:07Z 315360000
assert_status 0 "a block of 315360000 s (ten years)"
edge 2026-11-20T13:32:07Z 315360001
assert_status 65 "a block of 315360001 s"
assert_in "$tmp/err" "field 'time': 315360001 seconds is not a block length" "315360001 s: the field and why"
edge 9999-12-31T23:59:58Z 1
assert_status 0 "a block ending at 9999-12-31T23:59:59Z"
edge 9999-12-31T23:59:58Z 2
assert_status 65 "a block ending one second after 9999"
assert_in "$tmp/err" "field 'time': 2 seconds after the date would end the block after 9999" \
	"a block ending after 9999: the field and why"
for t in 253402300799 253402300800; do
	jq --argjson t $t '.[0].detectedSpams[0].date = $t | .[0].timestamp = $t' "$DEMO_STATS" >"$tmp/edge-stats.json"
	rm -f "$tmp/edge.tar.gz"
	run pack --stats-json "$tmp/edge-stats.json" --ip 203.0.113.7 -o "$tmp/edge.tar.gz"
	if [ $t -eq 253402300799 ]; then
		assert_status 0 "stats times of $t (the last second of 9999)"
	else
		assert_status 65 "stats times of $t"
		assert_in "$tmp/err" "field '[0].timestamp': $t is not a time from 1970 to 9999" \
			"stats times of $t: the field and why"
	fi
done

# The unknown fields of a valid document reach the bundle unchanged.
ok_dir="$FIXTURES/broken/json/ok-unknown-fields"
run pack --spam-ip-json "$ok_dir/spam-ip.json" --stats-json "$ok_dir/stats.json" \
	-o "$tmp/ok.tar.gz"
assert_status 0 "valid documents with unknown fields"
mkdir "$tmp/x"
tar -xzf "$tmp/ok.tar.gz" -C "$tmp/x"
assert_true "api/spam-ip.json is the given file byte for byte" \
	cmp -s "$ok_dir/spam-ip.json" "$tmp"/x/*/api/spam-ip.json
assert_true "api/stats.json is the given file byte for byte" \
	cmp -s "$ok_dir/stats.json" "$tmp"/x/*/api/stats.json

# Duplicate keys: which value the API meant cannot be known.
printf '{"date":"2026-03-02T09:15:00+00:00","ipSpamming":"192.0.2.25","state":"blockedForSpam","time":1,"time":2}' \
	>"$tmp/dup.json"
run pack --spam-ip-json "$tmp/dup.json" -o "$tmp/outdir"
assert_status 65 "duplicate keys refused"
assert_in "$tmp/err" "dup.json" "duplicate keys: file named"

# Numbers too large for the model's integers.
printf '{"date":"2026-03-02T09:15:00+00:00","ipSpamming":"192.0.2.25","state":"blockedForSpam","time":123456789012345678901234567890}' \
	>"$tmp/huge.json"
run pack --spam-ip-json "$tmp/huge.json" -o "$tmp/outdir"
assert_status 65 "integer overflow refused"

# A folder where a file is expected.
run pack --spam-ip-json "$FIXTURES" -o "$tmp/outdir"
assert_status 66 "a folder given as JSON file"
no_leftovers "$tmp/outdir" "nothing written after the refusals"

finish
