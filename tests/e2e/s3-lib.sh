# s3-lib.sh - sourced after lib.sh (and archive-lib.sh) by the tests of
# the bucket archive: an S3-compatible server on loopback, the settings
# that point fpkit at it, and an independent client (curl's own
# --aws-sigv4) to read what the bucket holds.
#
# Two servers:
#  - s3rver (@20minutes/s3rver 4.0.4, installed by .ci/run with npm into
#    tests/s3/node_modules-dir, or FPKIT_S3RVER_DIR): a real
#    implementation that checks SigV4 signatures and requires
#    x-amz-content-sha256; the tests that need it skip, saying so, when
#    it is not installed;
#  - tests/fake-s3/fake-s3 (C, libmicrohttpd), fpkit's own: it checks the signature, the
#    payload's SHA-256 and Content-MD5, keeps Object Lock headers (or
#    refuses them as a bucket without Object Lock does), honours
#    If-None-Match, and injects faults.
S3RVER_DIR=${FPKIT_S3RVER_DIR:-$TESTS_DIR/s3/node_modules-dir}
S3_PID=
S3_AK=AKIAFPKITTEST0000001
S3_SK=fpkit-s3-test-secret-DO-NOT-PRINT-0000000000
S3_REGION=gra

s3rver_installed() {
	command -v node >/dev/null 2>&1 &&
		[ -f "$S3RVER_DIR/node_modules/@20minutes/s3rver/package.json" ]
}

# s3_wait_port FILE: wait for the server to write its port (10 s).
s3_wait_port() {
	sw_i=0
	while [ ! -s "$1" ]; do
		if ! kill -0 "$S3_PID" 2>/dev/null || [ $sw_i -ge 100 ]; then
			echo "s3: the server did not start" >&2
			cat "$tmp/s3.err" >&2 || :
			return 1
		fi
		sleep 0.1
		sw_i=$((sw_i + 1))
	done
	S3_PORT=$(cat "$1")
	S3_URL=http://127.0.0.1:$S3_PORT
}

# s3rver_start BUCKET...: s3rver with its data in $tmp/s3rver.
s3rver_start() {
	rm -f "$tmp/s3.port"
	mkdir -p "$tmp/s3rver"
	node "$TESTS_DIR/s3/s3rver-run.js" "$S3RVER_DIR" "$tmp/s3rver" "$tmp/s3.port" "$@" \
		>/dev/null 2>"$tmp/s3.err" &
	S3_PID=$!
	s3_wait_port "$tmp/s3.port"
	# s3rver knows one pair of keys.
	S3_AK=S3RVER
	S3_SK=S3RVER
	S3_REGION=us-east-1
}

FAKE_S3=${FAKE_S3:-$(dirname "${FPKIT_BIN:-$FPKIT}")/../tests/fake-s3/fake-s3}

# fakes3_start [OPTIONS]: fpkit's own stand-in (tests/fake-s3/fake-s3.c).
fakes3_start() {
	rm -f "$tmp/s3.port"
	: >"$tmp/fake-s3.log"
	"$FAKE_S3" --port-file "$tmp/s3.port" \
		--access-key "$S3_AK" --secret-key "$S3_SK" --region "$S3_REGION" \
		--log "$tmp/fake-s3.log" "$@" >/dev/null 2>"$tmp/s3.err" &
	S3_PID=$!
	s3_wait_port "$tmp/s3.port"
}

s3_stop() {
	[ -n "$S3_PID" ] || return 0
	kill -TERM "$S3_PID" 2>/dev/null || :
	wait "$S3_PID" 2>/dev/null || :
	S3_PID=
}

# s3_env: fpkit's settings for the running server (path-style keys).
s3_env() {
	AWS_ACCESS_KEY_ID=$S3_AK
	AWS_SECRET_ACCESS_KEY=$S3_SK
	AWS_REGION=$S3_REGION
	AWS_ENDPOINT_URL=$S3_URL
	FPKIT_S3_ADDRESSING=path
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ENDPOINT_URL \
		FPKIT_S3_ADDRESSING
	unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_REGION AWS_CONFIG_FILE \
		AWS_SHARED_CREDENTIALS_FILE 2>/dev/null || :
}

# s3_get BUCKET/KEY FILE: the object read with curl's own signer, not
# fpkit's (the payload of a GET is empty: its hash is that of "").
s3_get() {
	curl -sS -f --noproxy '*' --aws-sigv4 "aws:amz:$S3_REGION:s3" \
		--user "$S3_AK:$S3_SK" \
		-H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
		-o "$2" "$S3_URL/$1"
}

# s3_keys BUCKET PREFIX: the keys under PREFIX, one a line, sorted, read
# with curl (a single page: the tests write fewer than 1000).
s3_keys() {
	curl -sS -f --noproxy '*' --aws-sigv4 "aws:amz:$S3_REGION:s3" \
		--user "$S3_AK:$S3_SK" \
		-H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
		"$S3_URL/$1?list-type=2&prefix=$(printf %s "$2" | sed 's|/|%2F|g')" |
		grep -o '<Key>[^<]*</Key>' | sed 's/<Key>\(.*\)<\/Key>/\1/' | sort
}
