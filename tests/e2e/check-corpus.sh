#!/bin/sh
# fpkit check's DKIM verdicts on the third-party DKIM test sets of
# ../shared/corpus (read in place, never copied here), against the
# expected column of DKIM_RESULTS.tsv, one row per DKIM-Signature.
# Skipped, saying so, when that folder is absent.
#
# The deliberate deviations (fpkit(1), DKIM) are checked too: each must
# give the result and the reason documented for it, so that a change in
# libopendkim or in fpkit shows here.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

CORPUS=${FPKIT_CORPUS:-$TESTS_DIR/../../shared/corpus}
[ -d "$CORPUS" ] || skip_all "no third-party corpus at $CORPUS (it lives beside the project, in ../shared/corpus)"
CORPUS=$(cd "$CORPUS" && pwd)
TSV="$CORPUS/DKIM_RESULTS.tsv"
[ -f "$TSV" ] || skip_all "no DKIM_RESULTS.tsv in $CORPUS"

# keys FILE: the key records of the set FILE belongs to.
keys() {
	case $1 in
	mail-dkim/*) echo "$CORPUS/mail-dkim/t/FAKE_DNS.dat" ;;
	debian-python3-dkim/*) echo "$CORPUS/debian-python3-dkim/_derived/FAKE_DNS.txt" ;;
	debian-python3-authheaders/*) echo "$CORPUS/debian-python3-authheaders/_derived/FAKE_DNS.txt" ;;
	mailauth/*) echo "$CORPUS/mailauth/_derived/FAKE_DNS.txt" ;;
	esac
}

# deviation FILE SIG: "RESULT<TAB>REASON-PATTERN" when fpkit deviates from
# the expected column on purpose, else nothing.
deviation() {
	case ${1##*/} in
	good_ietf0[01]_* | bad_ietf01_* | mine_ietf01_* | bad_1.txt | multiple_1.txt)
		printf 'invalid\tversion missing' ;;		# draft-era: no v= tag
	mine_ietf05_1.txt | no_body_[123].txt)
		printf 'invalid\tunsupported signature version' ;;	# draft-era: v=0.5
	badkey_8.txt | badkey_9.txt | badkey_12.txt | badkey_13.txt)
		printf 'pass\tsignature and body hash verified' ;;	# key g= tag: gone from RFC 6376
	badkey_14.txt | badkey_15.txt)
		printf 'tempfail\tthe key could not be fetched' ;;	# DNS error: RFC 6376 TEMPFAIL
	multiple_2.txt)
		# the expected column is the message's overall pass; verifier.t
		# says per signature: #0 invalid, #1 pass, #2 fail, #3 a syntax error
		case $2 in
		0) printf 'invalid\tinvalid header canonicalization' ;;
		2) printf 'fail\theader signature mismatch' ;;
		3) printf 'invalid\tdomain tag missing' ;;
		esac ;;
	esac
}

agree=0
deviate=0
unasserted=0
tab=$(printf '\t')
tail -n +4 "$TSV" >"$tmp/rows"
while IFS="$tab" read -r file sig dsa expected note rest; do
	[ "$sig" = - ] && continue		# no DKIM-Signature: DomainKeys or unsigned
	case $expected in
	pass*\?* | n/a | "not asserted") unasserted=$((unasserted + 1)); continue ;;
	pass*) want=pass ;;
	*) want=$expected ;;
	esac
	time=
	case $file in mailauth/*) time="--dkim-time 1528637909" ;; esac	# as upstream verifies
	# shellcheck disable=SC2086
	run check --json --dkim-min-bits 512 --dkim-keys "$(keys "$file")" $time "$CORPUS/$file"
	got=$(jq -r --argjson i "$sig" '.dkim[$i].result' "$tmp/out")
	reason=$(jq -r --argjson i "$sig" '.dkim[$i].reason' "$tmp/out")
	dev=$(deviation "$file" "$sig")
	if [ -n "$dev" ]; then
		case $reason in
		"${dev#*"$tab"}"*) ok_reason=1 ;;
		*) ok_reason=0 ;;
		esac
		if [ "$got" = "${dev%%"$tab"*}" ] && [ $ok_reason = 1 ]; then
			deviate=$((deviate + 1))
		else
			not_ok "$file #$sig ($dsa): documented deviation '${dev%%"$tab"*}: ${dev#*"$tab"}', got '$got: $reason'"
		fi
		continue
	fi
	# python3-dkim's tests only tell "verifies" from "does not".
	case $file:$want:$got in
	debian-python3-*:fail:invalid) got=fail ;;
	esac
	if [ "$got" = "$want" ]; then
		agree=$((agree + 1))
	else
		not_ok "$file #$sig ($dsa): expected $want ($note), got '$got: $reason'"
	fi
done <"$tmp/rows"
echo "# DKIM corpus: $agree signatures agree, $deviate deviate as documented, $unasserted not asserted upstream"
assert_eq "$agree" 46 "the signatures that agree with the expected column"
assert_eq "$deviate" 32 "the documented deviations, and no other"

# With the default minimum key size (1024 bits, RFC 8301), the 512-bit
# messiah.edu keys are refused whatever the upstream expectation.
n=0
bad=0
small=0
while IFS="$tab" read -r file sig dsa expected note o1 o2 detail; do
	case $detail in *"public key too small: 512"*) ;; *) continue ;; esac
	run check --json --dkim-keys "$(keys "$file")" "$CORPUS/$file"
	n=$((n + 1))
	# (badkey_10's t=s is judged before the key's size)
	case $(jq -r --argjson i "$sig" '.dkim[$i] | .result + ": " + .reason' "$tmp/out") in
	"invalid: key too small: 512 bits"*) small=$((small + 1)) ;;
	invalid:*) ;;
	*) bad=$((bad + 1)); echo "#   $file: $(jq -c --argjson i "$sig" '.dkim[$i]' "$tmp/out")" ;;
	esac
done <"$tmp/rows"
assert_true "512-bit keys found in the corpus" test "$n" -ge 10
assert_eq "$bad" 0 "the $n signatures with 512-bit keys are invalid by default"
assert_eq "$small" $((n - 1)) "... all but one (t=s) because the key is too small"

# Unsigned messages and DomainKeys-only ones: no DKIM result at all.
run check --json --dkim-keys "$CORPUS/mail-dkim/t/FAKE_DNS.dat" "$CORPUS/mail-dkim/t/corpus/good_dk_1.txt"
assert_eq "$(jq -r '.dkim | length' "$tmp/out")" 0 "a DomainKey-Signature is not a DKIM signature"

finish
