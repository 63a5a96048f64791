#!/bin/sh
# The RFC 7208 test suite (openspf.org, release 2014.04) through fpkit's
# SPF evaluation: each scenario's zone data served by nsd on loopback
# (tests/e2e/dnsfix.py, as the suite's drivers read it: SPF records
# copied as TXT where a name has no TXT, TIMEOUT names never answered
# for the types they have no record of), each case given to
# tests/helpers/spfeval, which links the internal library and asks that
# server only.  A case passes when the result is one the suite allows
# and, where the suite gives an explanation (other than DEFAULT), the
# exp= text is that one.  doc/fpkit-posture.1 states the count and the
# deviations.  The suite lives beside the project, in
# ../shared/corpus/pyspf/test: skipped, saying so, when it is absent.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"

CORPUS=${FPKIT_CORPUS:-$TESTS_DIR/../../shared/corpus}
SUITE=$CORPUS/pyspf/test/rfc7208-tests.yml
[ -f "$SUITE" ] || skip_all "no RFC 7208 test suite at $SUITE (it lives beside the project, in ../shared/corpus)"
command -v nsd >/dev/null 2>&1 || skip_all "no nsd (Debian package nsd) to serve the suite's zones"
python3 -c 'import yaml' 2>/dev/null || skip_all "no PyYAML (Debian package python3-yaml) to read the suite"
: "${SPFEVAL:?run the tests through 'make check'}"

TMPDIR=$tmp python3 "$E2E/dnsfix.py" suite "$SUITE" "$SPFEVAL" >"$tmp/suite.out" 2>"$tmp/suite.err" || :
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "rfc7208 ${line#ok - }" ;;
	"not ok - "*) not_ok "rfc7208 ${line#not ok - }" ;;
	esac
done <"$tmp/suite.out"
tail -1 "$tmp/suite.out"

# Every case of the suite was run: counted apart, straight from the YAML.
want=$(python3 -c 'import sys, yaml; print(sum(len(d["tests"]) for d in yaml.safe_load_all(open(sys.argv[1], encoding="utf-8"))))' "$SUITE")
got=$(grep -cE '^(not )?ok - ' "$tmp/suite.out" || :)
assert_eq "$got" "$want" "every case of the suite was run ($want)"
[ ! -s "$tmp/suite.err" ] || sed 's/^/# /' "$tmp/suite.err" | head -20

finish
