#!/bin/sh
# Every language fpkit writes tickets in: the demo packed in each, its
# ticket in that language alone (subject label, no English prose, no tag
# left, lines within 72 columns, the same facts as the English one), the
# headers part and the page in the language, posture's words; and
# FPKIT_WORDS_CHECK (set by lib.sh) stops fpkit on a text with no words.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

run pack --help
langs=$(sed -n 's/.*the ticket.s language: \([a-z, ]*\) (default.*/\1/p' "$tmp/out" | tr -d ,)
assert_true "pack --help lists the languages" test -n "$langs"
case " $langs " in *" en "*) ok "English among them ($langs)" ;; *) not_ok "English among '$langs'" ;; esac
case " $langs " in *" fr "*) ok "French among them" ;; *) not_ok "French among '$langs'" ;; esac

# A DNS server nobody runs (the discard port): posture's words for
# temperror.
dead=127.0.0.1:9

pack_demo -o "$tmp/en.tar.gz" --inline
assert_status 0 "the English ticket"
cp "$tmp/out" "$tmp/en.txt"
for lang in $langs; do
	pack_demo -o "$tmp/$lang.tar.gz" --lang "$lang" --inline --force
	assert_status 0 "$lang: packed"
	t=$tmp/$lang.txt
	cp "$tmp/out" "$t"
	assert_not_in "$t" "{{" "$lang: no tag left unrendered"
	assert_not_in "$t" "internal error" "$lang: every text has words"
	# Within 72 columns (characters, not bytes), the appended header and
	# log lines aside (they are quoted as they are), and a line made long
	# by a word that cannot be cut (a Message-ID).
	over=$(sed '/^-\{72\}$/,$d' "$t" | python3 -c '
import sys
for line in sys.stdin.buffer.read().decode().split("\n"):
    if len(line) > 72 and max(len(w) for w in line.split()) <= 40:
        print(line)' | head -3)
	assert_eq "$over" "" "$lang: every line within 72 columns"
	# The same facts as the English ticket.
	for s in 203.0.113.7 198.51.100.23 order-10482.1795180980.7d1e@shop.example.com \
		"$lang.tar.gz" 2026-11-20 352 417 371; do
		assert_in "$t" "$s" "$lang carries '$s'"
	done
	mkdir -p "$tmp/x-$lang"
	tar -xzf "$tmp/$lang.tar.gz" -C "$tmp/x-$lang"
	assert_true "$lang: the bundle's TICKET.txt is this text" \
		cmp -s "$t" "$tmp/x-$lang"/*/TICKET.txt
	run verify "$tmp/$lang.tar.gz"
	assert_status 0 "$lang: the bundle verifies"
	# The page says its language, from the ticket's subject label.
	run report -o "$tmp/$lang.html" "$tmp/$lang.tar.gz"
	assert_status 0 "$lang: report"
	assert_in "$tmp/$lang.html" "<html lang=\"$lang\">" "$lang: the page is in the ticket's language"
	run posture --lang "$lang" --dns-server "$dead" --timeout 1 --deadline 2 \
		--dnsbl none 203.0.113.7
	assert_status 75 "$lang: posture, DNS silent"
	cp "$tmp/out" "$tmp/posture-$lang.txt"
	[ "$lang" = en ] && continue
	assert_false "$lang: the ticket is not the English one" cmp -s "$t" "$tmp/en.txt"
	assert_false "$lang: posture's words are not the English ones" \
		cmp -s "$tmp/posture-$lang.txt" "$tmp/posture-en.txt"
	# No English prose: English's most common words, whole words, in the
	# ticket's own text (the headers part quotes messages as they are).
	prose=$(sed '/^-\{72\}$/,$d' "$t" | grep -n -i -w -E 'the|our|we|which|were|has|this|of' | head -3)
	assert_eq "$prose" "" "$lang: no English prose in the ticket"
	# The subject line: the language's label, not English's.
	assert_true "$lang: the subject is not labelled in English" \
		sh -c "! head -n 1 '$t' | grep -q '^Subject: '"
	# The headers part's heading, in the language (not the English one).
	assert_not_in "$t" "HEADERS AND MAIL LOGS" "$lang: the headers part in the language"
done

finish
