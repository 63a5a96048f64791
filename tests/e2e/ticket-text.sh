#!/bin/sh
# TICKET.txt as a support agent reads it, in English and French, on
# several cases (the demo with its mail log, --ticket-paths, the alert
# alone, messages with many findings, --no-dkim without logs, a past
# block, no Message-ID): lines of at most 72 columns but for an
# unbreakable word, one blank line between parts, no local path unless
# --ticket-paths, no rule id, the checklist ticked with its facts where
# fpkit did the work and open without a claim where it did not, each
# target's delivery from the mail log (a target not found too), the API's
# totals, and an archive description that names each part the tarball
# holds, and no other.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

SRC=$TESTS_DIR/..
DEMO_LOG=$DEMO/log/mail.log
top=${DEMO_BUNDLE%.tar.gz}

# Every rule id the checks can report that is not a plain word: the
# table of integrity.c (GMime's ids too) and the ids lint.c, integrity.c
# and checks.c report.
{
	sed -n 's/^	{ "\([a-z0-9-]*\)", INTEGRITY_[A-Z]* },.*/\1/p' "$SRC/src/check/integrity.c"
	grep -ho 'check_list_add([^,]*, "[a-z0-9-]*"' "$SRC/src/check/lint.c" \
		"$SRC/src/check/integrity.c" "$SRC/src/check/checks.c" | grep -o '"[a-z0-9-]*"' | tr -d '"'
	echo dkim-body-changed
	echo dkim-header-changed
} | grep -- - | sort -u >"$tmp/ids"
assert_true "the rule ids are listed (lint's too)" sh -c "[ \$(wc -l <'$tmp/ids') -gt 60 ] && grep -qx html-link-heavy '$tmp/ids'"

# said FILE: FILE's text on one line, blanks squeezed: what it says,
# whatever the line breaks.
said() { tr '\n' ' ' <"$1" | tr -s ' '; }

# says FILE TEXT WHAT: FILE says TEXT.
says() {
	if said "$1" | grep -qF -- "$2"; then ok "$3"; else not_ok "$3: '$2' not said in $(basename "$1")"; fi
}

# says_not FILE TEXT WHAT
says_not() {
	if said "$1" | grep -qF -- "$2"; then not_ok "$3: '$2' said in $(basename "$1")"; else ok "$3"; fi
}

# has_line FILE LINE WHAT: FILE has LINE, whole.
has_line() {
	if grep -qxF -- "$2" "$1"; then ok "$3"; else not_ok "$3: no line '$2' in $(basename "$1")"; fi
}

# layout FILE WHAT: the layout rules of a ticket.  A line over 72
# characters (UTF-8 continuation bytes not counted) must be its indent,
# a bullet, a check box or a "Label:  " and one word that fits nowhere.
layout() {
	lo_bad=
	for n in $(tr -d '\200-\277' <"$1" | awk 'length($0) > 72 { print NR }'); do
		sed -n "${n}p" "$1" | grep -Eq '^ *(- |\[[ x]\] |[^ ].*: {2,})?[^ ]+$' || lo_bad="$lo_bad $n"
	done
	assert_eq "$lo_bad" "" "$2: no line over 72 columns but for an unbreakable word"
	assert_eq "$(head -n 1 "$1" | grep -c '^ *$')" 0 "$2: no blank line at the start"
	assert_eq "$(awk 'NR > 1 && prev == "" && $0 == "" { print NR } { prev = $0 }' "$1")" "" \
		"$2: never two blank lines in a row"
	assert_eq "$(tail -n 1 "$1" | grep -c '^ *$')" 0 "$2: no blank line at the end"
	assert_eq "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" '\n' "$2: one newline at the end"
	assert_eq "$(grep -c '[[:blank:]]$' "$1")" 0 "$2: no blank at the end of a line"
	assert_eq "$(grep -oFf "$tmp/ids" "$1" | sort -u | tr '\n' ' ')" "" "$2: no rule id"
	assert_not_in "$1" "fpkit check" "$2: no tool named"
	assert_not_in "$1" "{{" "$2: no tag left"
}

# no_paths FILE WHAT: no local path of the test's inputs.
no_paths() {
	assert_not_in "$1" "$FIXTURES" "$2: no local path of the inputs"
	assert_not_in "$1" "$tmp" "$2: no local path of the test"
}

# parts FILE BUNDLE SEP WHAT: the archive description names each part of
# BUNDLE's tarball ("  - samples/: ..."; SEP is ":" or " :") and no
# other.
parts() {
	tar -tzf "$2" | cut -d/ -f2- | sed -n 's|^\([^/]*/\{0,1\}\).*|\1|p' | grep . | sort -u >"$tmp/parts"
	assert_true "$4: the tarball has parts" test -s "$tmp/parts"
	for p in samples/ checks/ logs/ api/ alert/ report.arf summary.json TICKET.txt REPORT.html SHA256SUMS; do
		if grep -qxF "$p" "$tmp/parts"; then
			assert_eq "$(grep -c "^  - $p$3 " "$1")" 1 "$4: $p is in the tarball, the ticket names it"
		else
			assert_eq "$(grep -c "^  - $p$3 " "$1")" 0 "$4: $p is not in the tarball, nor in the ticket"
		fi
	done
	assert_eq "$(grep -vxF -e samples/ -e checks/ -e logs/ -e api/ -e alert/ -e report.arf \
		-e summary.json -e TICKET.txt -e REPORT.html -e SHA256SUMS "$tmp/parts")" "" "$4: no part unknown to the test"
}

# ticked FILE: the check-box items ticked, whole.
ticked() {
	awk '/^  \[x\] / { on = 1; print; next } on && /^      / { print; next } { on = 0 }' "$1"
}

# utc ISO: "2026-11-20T13:17:08Z" as the ticket writes it.
utc() { echo "$1" | sed 's/^\(....-..-..\)T\(..:..:..\)Z$/\1 \2 UTC/'; }

# --- the demo with its mail log ----------------------------------------------
# Into two folders, under the bundle's own name in both.
for lang in en fr; do
	mkdir "$tmp/o-$lang"
	pack_demo --maillog "$DEMO_LOG" --lang $lang -o "$tmp/o-$lang"
	assert_status 0 "$lang: the demo with its mail log"
	cp "$tmp/out" "$tmp/demo-$lang.txt"
	layout "$tmp/demo-$lang.txt" "demo ($lang)"
	no_paths "$tmp/demo-$lang.txt" "demo ($lang)"
	mkdir "$tmp/demo-$lang"
	tar -xzf "$tmp/o-$lang/$DEMO_BUNDLE" -C "$tmp/demo-$lang"
	assert_true "$lang: the ticket printed is TICKET.txt" \
		cmp -s "$tmp/demo-$lang.txt" "$tmp/demo-$lang/$top/TICKET.txt"
done
sep_en=:
sep_fr=" :"
parts "$tmp/demo-en.txt" "$tmp/o-en/$DEMO_BUNDLE" "$sep_en" "demo (en)"
parts "$tmp/demo-fr.txt" "$tmp/o-fr/$DEMO_BUNDLE" "$sep_fr" "demo (fr)"
assert_true "demo: logs/ and report.arf are in the tarball" \
	sh -c "grep -qx logs/ '$tmp/parts' && grep -qx report.arf '$tmp/parts'"
says "$tmp/demo-en.txt" "The attached archive $DEMO_BUNDLE holds:" "en: the archive by its name"
says "$tmp/demo-fr.txt" "L'archive jointe $DEMO_BUNDLE contient :" "fr: the same archive name"

# Each target's delivery, as summary.json has it from the log (the
# trail's own tests check that against the log): the not-found one too.
S=$tmp/demo-en/$top/summary.json
assert_eq "$(jq '[.targets[] | select(.sample_files == [])] | length' "$S")" 1 "demo: one target not found"
for i in 0 1 2; do
	# The hand-off to the destination the API names (the archive copy
	# delivered on the machine is another recipient).
	r=$(jq -c ".targets[$i] as \$t | [\$t.delivery[].recipients[] | select(.relay | contains(\"[\" + \$t.destination_ip + \"]\"))][0]" "$S")
	t=$(utc "$(echo "$r" | jq -r .time)")
	host=$(echo "$r" | jq -r '.relay | sub("\\[.*"; "")')
	ip=$(echo "$r" | jq -r '.relay | sub("^[^\\[]*\\["; "") | sub("\\].*"; "")')
	reply=$(echo "$r" | jq -r .detail)
	assert_eq "$(echo "$r" | jq -r .status)" sent "target $i: the log says sent"
	says "$tmp/demo-en.txt" "Our mail log: delivered on $t to $host ($ip), which answered \"$reply\"" \
		"en: target $i's delivery: time, relay and its IP, the server's answer"
	says "$tmp/demo-fr.txt" "Journal d'envoi : remis le $t à $host ($ip), qui a répondu « $reply »" \
		"fr: target $i's delivery"
done
id3=$(jq -r '.targets[] | select(.sample_files == []) | .message_id' "$S")
says "$tmp/demo-en.txt" "<$id3> Destination IP: 198.51.100.142 Spam score: 371 Detected at: 2026-11-20 13:28:21 UTC Original: not found in the mail stores we searched Our mail log: delivered on" \
	"en: the target not found, and its delivery"
says "$tmp/demo-fr.txt" "Copie d'origine : introuvable dans les stockages de messages parcourus Journal d'envoi : remis le" \
	"fr: the target not found, and its delivery"

# The API's totals, from the stats the API gave.
spams=$(jq '.[0].numberOfSpams' "$DEMO_STATS")
total=$(jq '.[0].total' "$DEMO_STATS")
avg=$(jq '.[0].averageSpamscore' "$DEMO_STATS")
says "$tmp/demo-en.txt" "the anti-spam system counted $spams spams among the $total messages it examined from 203.0.113.7 (average spam score $avg); the API does not say over which period." \
	"en: the stats' totals"
says "$tmp/demo-fr.txt" "le système anti-spam a compté $spams spams parmi les $total messages examinés depuis 203.0.113.7 (score de spam moyen : $avg) ; l'API ne dit pas sur quelle période." \
	"fr: the stats' totals"

# The checklist: what fpkit did, ticked with its facts; the rest open.
has_line "$tmp/demo-en.txt" "  [ ] stopped sending e-mail from 203.0.113.7" "en: stopped sending: open"
has_line "$tmp/demo-en.txt" "  [ ] checked the mail queue and cleared it of unwanted messages" "en: the queue: open"
says "$tmp/demo-en.txt" "[x] read our mail logs for the Message-IDs above: 3 of 3 found in 1 log file, all delivered" \
	"en: the logs read, ticked with what they say"
says "$tmp/demo-en.txt" "[x] checked these messages against the RFCs and the best practices: the integrity of the copies, DKIM, RFC conformance and best practices of the 2 messages we found (of 3), see above" \
	"en: the checks, ticked with what was checked"
says "$tmp/demo-en.txt" "[ ] checked the SPF and DMARC records of the sending domains and the reverse DNS of 203.0.113.7" \
	"en: SPF, DMARC and reverse DNS: open"
has_line "$tmp/demo-fr.txt" "  [ ] arrêté l'envoi d'e-mails depuis 203.0.113.7" "fr: stopped sending: open"
says "$tmp/demo-fr.txt" "[ ] vérifié la file d'attente et l'avons vidée des messages indésirables" "fr: the queue: open"
says "$tmp/demo-fr.txt" "[x] lu nos journaux d'envoi pour les Message-ID ci-dessus : 3 sur 3 trouvés dans un fichier journal, tous remis" \
	"fr: the logs read, ticked"
says "$tmp/demo-fr.txt" "[x] vérifié ces messages au regard des RFC et des bonnes pratiques : intégrité des copies, DKIM, conformité aux RFC et bonnes pratiques des 2 messages retrouvés (sur 3), voir plus haut" \
	"fr: the checks, ticked"
for lang in en fr; do
	ticked "$tmp/demo-$lang.txt" >"$tmp/ticked"
	assert_eq "$(grep -c '\[x\]' "$tmp/ticked")" 2 "$lang: two items ticked"
	assert_eq "$(grep -cE 'SPF|DMARC|reverse|inverse|PTR|queue|file d|stopped|arrêté' "$tmp/ticked")" 0 \
		"$lang: nothing claimed of what fpkit did not check"
done

# What support readers found wrong, gone.
for s in blockedForSpam "1h 00m" "followed" "Intact:" "(with fpkit"; do
	assert_not_in "$tmp/demo-en.txt" "$s" "en: no '$s'"
done
for s in blockedForSpam "Original :" "Intègre" "reverse DNS" "1 de ces" "1h 00m" "respectées"; do
	assert_not_in "$tmp/demo-fr.txt" "$s" "fr: no '$s'"
done
has_line "$tmp/demo-en.txt" "  Block time:      1 hour" "en: the block time in words"
has_line "$tmp/demo-fr.txt" "  Durée du blocage :   1 heure" "fr: the block time in words"
says "$tmp/demo-en.txt" "State: still blocked; it can be unblocked from 2026-11-20 14:32:07 UTC" "en: the state in words"
says "$tmp/demo-fr.txt" "État : toujours bloquée ; débloquable à partir du 2026-11-20 14:32:07 UTC" "fr: the state in words"
says "$tmp/demo-en.txt" "We could not find one of these 3 messages in the mail store we searched." "en: the missing one"
says "$tmp/demo-fr.txt" "Nous n'avons pas retrouvé l'un de ces 3 messages dans le stockage de messages où nous avons cherché." "fr: the missing one"
says "$tmp/demo-en.txt" "DKIM: no DKIM signature" "en: DKIM, what was found"
says "$tmp/demo-en.txt" "Best practices: we checked the sender address, the subject, the unsubscribe link, the text/image and text/link ratios, JavaScript, forms and the MIME-Version field: nothing to report" \
	"en: best practices, what was checked and found"
# Each copy the server delivered to itself (the archive copy over LMTP,
# which the demo's log shows for every message) is no hand-off to
# another server: not in the ticket.
assert_true "demo: the log has local LMTP deliveries" grep -q 'relay=mx1.shop.example.com\[private/dovecot-lmtp\]' "$DEMO_LOG"
for lang in en fr; do
	assert_not_in "$tmp/demo-$lang.txt" "dovecot-lmtp" "$lang: a local delivery is not a hand-off"
	assert_not_in "$tmp/demo-$lang.txt" "archive@shop.example.com" "$lang: the archive copy's reply is not shown"
done

# The demo's two samples have the same findings (summary.json, compared
# here): the second says so in one line.
if [ "$(jq '[.samples[].checks | [.intact, .problems, .conformance, [.lint[].id | select(. != "phrases")], .dkim]] | .[0] == .[1]' "$tmp/demo-en/$top/summary.json")" = true ]; then
	says "$tmp/demo-en.txt" "samples/02-order-10482.1795180980.7d1e@shop.example.com.eml The same findings as the message above." \
		"en: the second sample, the same findings as the first, in one line"
	says "$tmp/demo-fr.txt" "samples/02-order-10482.1795180980.7d1e@shop.example.com.eml Les mêmes constats que pour le message ci-dessus." \
		"fr: the second sample, the same findings, in one line"
else
	not_ok "the demo's samples were expected to have the same findings"
fi
has_line "$tmp/demo-en.txt" "[your name / NIC handle]" "en: without the API, a closing to fill"
has_line "$tmp/demo-fr.txt" "[votre nom / identifiant client OVHcloud (NIC handle)]" "fr: a closing to fill"

# The example tickets of fpkit(1) and the README are today's: the demo
# case with its mail log, as the Quick start packs it.
sed -n '/^Subject: False positive/,/^\[your name \/ NIC handle\]$/p' "$SRC/README.md" >"$tmp/readme.txt"
sed -n '/^Subject: False positive/,/^\[your name \/ NIC handle\]$/p' "$SRC/doc/fpkit.1" |
	sed -e 's/^\\&//' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\e/\\/g' >"$tmp/man.txt"
assert_true "README: the example ticket is there" test -s "$tmp/readme.txt"
assert_true "README: the example ticket is the demo's" cmp -s "$tmp/readme.txt" "$tmp/demo-en.txt"
assert_true "fpkit(1): the example ticket is there" test -s "$tmp/man.txt"
assert_true "fpkit(1): the example ticket is the demo's" cmp -s "$tmp/man.txt" "$tmp/demo-en.txt"

# --- --ticket-paths: the local paths back -------------------------------------
for lang in en fr; do
	pack_demo --maillog "$DEMO_LOG" --lang $lang --ticket-paths -o "$tmp/paths-$lang.tar.gz"
	assert_status 0 "$lang: --ticket-paths"
	cp "$tmp/out" "$tmp/paths-$lang.txt"
	layout "$tmp/paths-$lang.txt" "--ticket-paths ($lang)"
	has_line "$tmp/paths-$lang.txt" "  - $DEMO_MAIL" "--ticket-paths ($lang): the store searched"
	says "$tmp/paths-$lang.txt" "($DEMO_LOG)" "--ticket-paths ($lang): the mail log read"
	src=$(jq -r '.samples[0].source' "$tmp/demo-en/$top/summary.json")
	assert_in "$tmp/paths-$lang.txt" "$src" "--ticket-paths ($lang): where a sample was"
done
assert_eq "$(tar -xzOf "$tmp/paths-en.tar.gz" "$top/summary.json")" \
	"$(tar -xzOf "$tmp/o-en/$DEMO_BUNDLE" "$top/summary.json")" "--ticket-paths: summary.json unchanged"

# --- the alert alone: when it was received, not a block time --------------------
for lang in en fr; do
	run pack --alert "$FIXTURES/alert/demo.eml" --mail "$DEMO_MAIL" --lang $lang -o "$tmp/alert-$lang.tar.gz"
	assert_status 0 "$lang: the alert alone"
	cp "$tmp/out" "$tmp/alert-$lang.txt"
	layout "$tmp/alert-$lang.txt" "alert alone ($lang)"
	no_paths "$tmp/alert-$lang.txt" "alert alone ($lang)"
	parts "$tmp/alert-$lang.txt" "$tmp/alert-$lang.tar.gz" "$(eval echo "\"\$sep_$lang\"")" "alert alone ($lang)"
done
when=$(utc "$(jq -r .date "$FIXTURES/alert/demo.json")")
has_line "$tmp/alert-en.txt" "  Alert received:  $when" "en: the alert alone: Alert received, its date"
has_line "$tmp/alert-fr.txt" "  Alerte reçue le :    $when" "fr: the alert alone: Alerte reçue le"
assert_not_in "$tmp/alert-en.txt" "Blocked at" "en: the alert alone: no Blocked at"
assert_not_in "$tmp/alert-fr.txt" "Bloquée le" "fr: the alert alone: no Bloquée le"
assert_true "the alert alone: alert/ in the tarball" grep -qx alert/ "$tmp/parts"
run pack --alert "$FIXTURES/alert/demo.eml" --spam-ip-json "$DEMO_SPAMIP" --mail "$DEMO_MAIL" -o "$tmp/alert-api.tar.gz"
assert_status 0 "the alert with the SpamIp object"
assert_in "$tmp/out" "  Blocked at:      2026-11-20 13:32:07 UTC" "the alert with the API's data: Blocked at"
assert_not_in "$tmp/out" "Alert received" "the alert with the API's data: not Alert received"

# --- many findings: each said as a sentence, none as an id -----------------------
mkdir -p "$tmp/many/cur" "$tmp/many/new" "$tmp/many/tmp"
n=0
for d in "$FIXTURES"/check/broken/*/ "$FIXTURES"/check/conformance/*/ "$FIXTURES"/check/lint/*/; do
	n=$((n + 1))
	cp "$d/message.eml" "$tmp/many/cur/$n.host:2,S"
done
cat >"$tmp/many-stats.json" <<JSON
[{"averageSpamscore": 300, "numberOfSpams": 3, "timestamp": 1795181527, "total": 1,
  "detectedSpams": [
    {"date": 1795180207, "destinationIp": "198.51.100.23", "messageId": "nl.celadon.r1190.77aa01@news.shop.example.com", "spamscore": 300},
    {"date": 1795181000, "destinationIp": "198.51.100.87", "messageId": "order-10490.1795181000.a1b2@shop.example.com", "spamscore": 300},
    {"date": 1795181100, "destinationIp": "198.51.100.88", "messageId": "nl.flash.r1191.88bb02@news.shop.example.com", "spamscore": 300}]}]
JSON
for lang in en fr; do
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/many-stats.json" --mail "$tmp/many" \
		--no-dkim --lang $lang -o "$tmp/many-$lang.tar.gz"
	assert_status 0 "$lang: messages with many findings"
	cp "$tmp/out" "$tmp/many-$lang.txt"
	layout "$tmp/many-$lang.txt" "many findings ($lang)"
	no_paths "$tmp/many-$lang.txt" "many findings ($lang)"
done
tar -xzOf "$tmp/many-en.tar.gz" "$top/summary.json" >"$tmp/many.json"
ids=$(jq -r '[.samples[].checks | (.problems, .conformance, .lint)[] | .id] | unique | join(" ")' "$tmp/many.json")
assert_true "many findings: problems, conformance and lint all found ($ids)" \
	sh -c "echo '$ids' | grep -q truncated-multipart && echo '$ids' | grep -q msgid-obsolete && echo '$ids' | grep -q html-link-heavy"
# One bullet per distinct finding of each sample (lint's count of
# phrases is not one), but for a sample whose findings are those of the
# sample before it: one line says so instead.
jq '[.samples[].checks | [.intact, ([.problems[].id] | unique), ([.conformance[].id] | unique), ([.lint[].id | select(. != "phrases")] | unique)]]' \
	"$tmp/many.json" >"$tmp/findings.json"
want=$(jq '. as $f | [range(0; length) | select(. == 0 or $f[.] != $f[. - 1]) | $f[.][1:] | map(length) | add] | add' "$tmp/findings.json")
same=$(jq '. as $f | [range(1; length) | select($f[.] == $f[. - 1])] | length' "$tmp/findings.json")
assert_eq "$(grep -c 'The same findings as the message above.' "$tmp/many-en.txt")" "$same" \
	"en: a sample with the findings of the one before it says so in one line"
assert_eq "$(grep -c 'Les mêmes constats que pour le message ci-dessus.' "$tmp/many-fr.txt")" "$same" \
	"fr: a sample with the findings of the one before it says so in one line"
for lang in en fr; do
	assert_eq "$(grep -c '^      - ' "$tmp/many-$lang.txt")" "$want" "$lang: each finding of each sample said once"
done
says "$tmp/many-en.txt" "- A multipart part has no closing boundary line: the message was cut." "en: a problem, said"
says "$tmp/many-fr.txt" "- Une partie multipart n'a pas de ligne de fin : le message a été coupé." "fr: a problem, said"
says "$tmp/many-en.txt" "- Its HTML has little text for its links (less than 80 characters per link)." "en: a practice, said"
says "$tmp/many-fr.txt" "- Son HTML a peu de texte pour ses liens (moins de 80 caractères par lien)." "fr: a practice, said"
says "$tmp/many-en.txt" "- Its Message-ID is written in the obsolete syntax RFC 5322 still accepts." "en: a departure from the RFCs, said"
says "$tmp/many-en.txt" "DKIM: not verified" "en: --no-dkim: DKIM not verified"
says "$tmp/many-en.txt" "the integrity of the copies, RFC conformance and best practices of" "en: --no-dkim: DKIM not claimed"
says_not "$tmp/many-en.txt" "DKIM, RFC conformance" "en: --no-dkim: no DKIM in the ticked item"

# --- without a mail log: the logs item open, without a claim ---------------------
for lang in en fr; do
	pack_demo --lang $lang -o "$tmp/nolog-$lang.tar.gz"
	assert_status 0 "$lang: the demo without a mail log"
	cp "$tmp/out" "$tmp/nolog-$lang.txt"
	layout "$tmp/nolog-$lang.txt" "no mail log ($lang)"
	parts "$tmp/nolog-$lang.txt" "$tmp/nolog-$lang.tar.gz" "$(eval echo "\"\$sep_$lang\"")" "no mail log ($lang)"
	assert_not_in "$tmp/nolog-$lang.txt" "  - logs/" "no mail log ($lang): no logs/"
done
has_line "$tmp/nolog-en.txt" "  [ ] read our mail logs for the Message-IDs above" "en: no mail log: that item open"
has_line "$tmp/nolog-fr.txt" "  [ ] lu nos journaux d'envoi pour les Message-ID ci-dessus" "fr: no mail log: that item open"
assert_not_in "$tmp/nolog-en.txt" "Our mail log" "en: no mail log: no delivery said"

# --- a past block, no Message-ID at all: the layout holds ---------------------------
jq '.state = "unblocked"' "$DEMO_SPAMIP" >"$tmp/unblocked.json"
for lang in en fr; do
	run pack --spam-ip-json "$tmp/unblocked.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
		--maillog "$DEMO_LOG" --lang $lang -o "$tmp/past-$lang.tar.gz"
	assert_status 0 "$lang: a past block"
	cp "$tmp/out" "$tmp/past-$lang.txt"
	layout "$tmp/past-$lang.txt" "past block ($lang)"
	run pack --spam-ip-json "$DEMO_SPAMIP" --mail "$DEMO_MAIL" --before-block 2 --lang $lang \
		-o "$tmp/noid-$lang.tar.gz"
	assert_status 0 "$lang: no Message-ID, --before-block"
	cp "$tmp/out" "$tmp/noid-$lang.txt"
	layout "$tmp/noid-$lang.txt" "no Message-ID ($lang)"
	no_paths "$tmp/noid-$lang.txt" "no Message-ID ($lang)"
	parts "$tmp/noid-$lang.txt" "$tmp/noid-$lang.tar.gz" "$(eval echo "\"\$sep_$lang\"")" "no Message-ID ($lang)"
done
says "$tmp/noid-en.txt" "The 2 messages sent just before the block are attached too:" "en: --before-block: said"
says "$tmp/noid-en.txt" "RFC conformance and best practices of the 2 messages we found, see above" "en: --before-block: checked, counted"
says "$tmp/noid-fr.txt" "Les 2 messages envoyés juste avant le blocage sont joints aussi :" "fr: --before-block: said"

finish
