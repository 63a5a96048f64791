# fakeapi.sh - sourced after lib.sh by the tests that talk to the fake
# OVH API (tests/fake-ovh/fake-ovh.c): lay out its data tree, start it on
# a loopback port, point fpkit at it, stop it.
#
#   fakeapi_setup                             skips without the server; own HOME
#   fakeapi_case DIR BLOCK IP SPAMIP_FILE [STATS_FILE]   and DIR/me.json
#   fakeapi_start DIR [fake-ovh options...]   sets FAKE_PORT FAKE_URL FAKE_LOG
#   fakeapi_env                               exports the OVH_* variables
#   fakeapi_stop                              its exit status
#   fakeapi_max_inflight                      the most requests served at once
#
# The server is stopped before $tmp is removed, whatever ends the script.
# FAKE_BAD_STOPS counts the stops that were not clean (a sanitizer report,
# a crash), however the server was stopped; a test may assert it is 0.
# Call these functions in the test's own shell, not in $(...) or a
# pipeline: they keep the server's state in variables.
: "${FPKIT:?run the tests through 'make check'}"

FAKE_OVH=${FAKE_OVH:-$(dirname "${FPKIT_BIN:-$FPKIT}")/../tests/fake-ovh/fake-ovh}

# The only credentials the server accepts.  Made up, but shaped like real
# ones, and each unique enough that a leak test can search for it.
FAKE_AK=fakeAK7qLmN3xR9tWvB2
FAKE_AS=fakeAS4hJ8kPz2QcXe6YbN1uVw5RsT0mLd3G
FAKE_CK=fakeCK9gF2dS6aZ1xC5vB8nM4kJ7hG3fD0sA

FAKE_PID=
FAKE_PORT=
FAKE_URL=
FAKE_LOG=
FAKE_ERR=
FAKE_BAD_STOPS=0
fakeapi_runs=0

trap 'fakeapi_stop >/dev/null 2>&1 || :; rm -rf "$tmp" "$san"' EXIT

# fakeapi_setup: how every test of the fake API starts.  Skipped when
# the server is not built; a home of its own ($tmp/home, lib.sh has
# already cleared the OVH_* variables and the system ovh.conf); backoffs
# of 5-10 ms, 10-20 ms, ... that no test waits for.  lib.sh's proxy
# guard stays: the server is on 127.0.0.1, which no_proxy exempts.
fakeapi_setup() {
	[ -x "$FAKE_OVH" ] || skip_all "no fake OVH API server built (configure found no libmicrohttpd; Debian: libmicrohttpd-dev)"
	HOME=$tmp/home
	FPKIT_RETRY_BASE_MS=10
	export HOME FPKIT_RETRY_BASE_MS
	mkdir -p "$HOME"
}

# The account's NIC handle, in the GET /me answer fakeapi_case writes.
FAKE_NIC=fk1234-ovh

# fakeapi_case DIR BLOCK IP SPAMIP_FILE [STATS_FILE]: one IP of BLOCK
# blocked for spam in the data tree DIR: its GET /ip/{block}/spam/{ip}
# answer (and its stats answer, when STATS_FILE is given and not empty),
# BLOCK in DIR/ip.json, and the account (GET /me, nichandle $FAKE_NIC)
# in DIR/me.json unless there is one.
fakeapi_case() {
	[ -f "$1/me.json" ] || { mkdir -p "$1" && cat >"$1/me.json" <<ME
{"nichandle":"$FAKE_NIC","email":"postmaster@shop.example.com","firstname":"Camille","name":"Roux","organisation":"Lumen Atelier","country":"FR","language":"fr_FR","ovhSubsidiary":"FR","state":"complete","currency":{"code":"EUR","symbol":"EURO"}}
ME
	}
	fc_dir=$1/blocks/$(printf '%s' "$2" | tr / _)/$3
	mkdir -p "$fc_dir"
	cp "$4" "$fc_dir/spamip.json"
	if [ -n "${5:-}" ]; then cp "$5" "$fc_dir/stats.json"; fi
	[ -f "$1/ip.json" ] || printf '[]\n' >"$1/ip.json"
	jq -c --arg b "$2" 'if any(.[]; . == $b) then . else . + [$b] end' "$1/ip.json" >"$1/ip.json.new"
	mv "$1/ip.json.new" "$1/ip.json"
}

# fakeapi_start DIR [ARGS...]: start the fake API on the data tree DIR,
# with more fake-ovh options (--fault, --skew, --error-style ...), and wait
# (10 s at most) until it listens.  A server already running is stopped
# first.  Sets FAKE_PORT, FAKE_URL (the /1.0 base), FAKE_LOG (its request
# log, new for each start) and FAKE_ERR (its stderr).
fakeapi_start() {
	fs_data=$1
	shift
	if [ -n "$FAKE_PID" ]; then fakeapi_stop || :; fi
	[ -x "$FAKE_OVH" ] || { echo "fakeapi: no fake-ovh at '$FAKE_OVH'" >&2; return 1; }
	fakeapi_runs=$((fakeapi_runs + 1))
	FAKE_LOG=$tmp/fake-ovh.$fakeapi_runs.log
	FAKE_ERR=$tmp/fake-ovh.$fakeapi_runs.err
	fs_port=$tmp/fake-ovh.$fakeapi_runs.port
	"$FAKE_OVH" --data "$fs_data" --app-key "$FAKE_AK" --app-secret "$FAKE_AS" \
		--consumer-key "$FAKE_CK" --port-file "$fs_port" --log "$FAKE_LOG" "$@" \
		>/dev/null 2>"$FAKE_ERR" &
	FAKE_PID=$!
	fs_i=0
	while [ ! -s "$fs_port" ]; do
		if ! kill -0 "$FAKE_PID" 2>/dev/null || [ $fs_i -ge 100 ]; then
			echo "fakeapi: fake-ovh did not start" >&2
			sed 's/^/fakeapi:   /' "$FAKE_ERR" >&2
			fakeapi_stop || :
			return 1
		fi
		sleep 0.1
		fs_i=$((fs_i + 1))
	done
	FAKE_PORT=$(cat "$fs_port")
	FAKE_URL=http://127.0.0.1:$FAKE_PORT/1.0
}

# fakeapi_stop: stop the server (SIGTERM) and wait for it.  Returns its
# exit status: 0 for a clean stop; a sanitizer's report makes it fail,
# and its stderr is then shown.
fakeapi_stop() {
	[ -n "$FAKE_PID" ] || return 0
	kill -TERM "$FAKE_PID" 2>/dev/null || :
	fp_status=0
	wait "$FAKE_PID" || fp_status=$?
	FAKE_PID=
	if [ $fp_status -ne 0 ]; then
		FAKE_BAD_STOPS=$((FAKE_BAD_STOPS + 1))
		echo "fakeapi: fake-ovh exited with $fp_status" >&2
		sed 's/^/fakeapi:   /' "$FAKE_ERR" >&2
	fi
	return $fp_status
}

# fakeapi_env: point fpkit at the running server with the test credentials.
fakeapi_env() {
	OVH_ENDPOINT=$FAKE_URL
	OVH_APPLICATION_KEY=$FAKE_AK
	OVH_APPLICATION_SECRET=$FAKE_AS
	OVH_CONSUMER_KEY=$FAKE_CK
	export OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
}

# fakeapi_max_inflight: the largest number of requests the server was
# serving at once (0 for an empty log).
fakeapi_max_inflight() {
	jq -s 'map(.inflight) | max // 0' "$FAKE_LOG"
}
