#!/bin/sh
# The ticket: both built-in templates, a user's own, and templates that
# are broken or try to grow without bound.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"

pack_demo -o "$tmp/en.tar.gz"
assert_status 0 "English ticket (default)"
cp "$tmp/out" "$tmp/en.txt"
assert_in "$tmp/en.txt" "Messages detected by the anti-spam system (3):" "en: the detected messages"
assert_in "$tmp/en.txt" "Message-ID:      <order-10482.1795180980.7d1e@shop.example.com>" "en: a Message-ID"
assert_in "$tmp/en.txt" "We could not find one of these 3 messages" "en: what was not found"
assert_in "$tmp/en.txt" "en.tar.gz" "en: the archive is named"
assert_not_in "$tmp/en.txt" "{{" "en: no tag left unrendered"

pack_demo -o "$tmp/fr.tar.gz" --lang fr
assert_status 0 "French ticket"
cp "$tmp/out" "$tmp/fr.txt"
assert_in "$tmp/fr.txt" "Objet : Faux positif : blocage anti-spam de 203.0.113.7" "fr: the subject"
assert_in "$tmp/fr.txt" "Messages détectés par le système anti-spam (3) :" "fr: the detected messages"
assert_in "$tmp/fr.txt" "Détecté le :         2026-11-20 13:28:21 UTC" "fr: the time of the detection"
assert_in "$tmp/fr.txt" "Nous n'avons pas retrouvé l'un de ces 3 messages" "fr: what was not found"
assert_in "$tmp/fr.txt" "arrêté l'envoi d'e-mails depuis 203.0.113.7" "fr: the checklist"
assert_not_in "$tmp/fr.txt" "{{" "fr: no tag left unrendered"
mkdir "$tmp/x"
tar -xzf "$tmp/fr.tar.gz" -C "$tmp/x"
assert_true "fr: TICKET.txt in the bundle is the French text" cmp -s "$tmp/fr.txt" "$tmp"/x/*/TICKET.txt

pack_demo -o "$tmp/pl.tar.gz" --lang pl
assert_status 0 "Polish ticket"
cp "$tmp/out" "$tmp/pl.txt"
assert_in "$tmp/pl.txt" "Temat: Wynik fałszywie dodatni: blokada antyspamowa IP 203.0.113.7" "pl: the subject"
assert_in "$tmp/pl.txt" "Wiadomości wykryte przez system antyspamowy (3):" "pl: the detected messages"
assert_in "$tmp/pl.txt" "  Data wykrycia:      2026-11-20 13:28:21 UTC" "pl: the time of the detection"
assert_in "$tmp/pl.txt" "Nie znaleźliśmy jednej z tych 3 wiadomości" "pl: what was not found"
assert_in "$tmp/pl.txt" "  [ ] zatrzymanie wysyłki e-maili z adresu 203.0.113.7" "pl: the checklist"
assert_in "$tmp/pl.txt" "Załączone archiwum pl.tar.gz zawiera:" "pl: the archive named"
assert_not_in "$tmp/pl.txt" "{{" "pl: no tag left unrendered"
for s in 203.0.113.7 198.51.100.23 352 417 371; do
	assert_in "$tmp/pl.txt" "$s" "pl carries '$s' as en does"
done

# One detected message, not found: "this message", not "one of these 1".
jq '.[0].detectedSpams |= [.[2]] | .[0].numberOfSpams = 1' "$DEMO_STATS" >"$tmp/one.json"
for lang in en fr; do
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/one.json" --mail "$DEMO_MAIL" \
		--no-dkim --allow-empty --lang $lang -o "$tmp/one.tar.gz" --force
	assert_status 0 "$lang: one target, not found"
	tr '\n' ' ' <"$tmp/out" | tr -s ' ' >"$tmp/one.txt"
	assert_not_in "$tmp/one.txt" " 1 messages" "$lang: no '1 messages' for one target"
done
assert_in "$tmp/one.txt" "Nous n'avons pas retrouvé ce message dans" "fr: this message, not found"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/one.json" --mail "$DEMO_MAIL" \
	--no-dkim --allow-empty -o "$tmp/one.tar.gz" --force
tr '\n' ' ' <"$tmp/out" | tr -s ' ' >"$tmp/one.txt"
assert_in "$tmp/one.txt" "We could not find this message in" "en: this message, not found"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/one.json" --mail "$DEMO_MAIL" \
	--no-dkim --allow-empty --lang pl -o "$tmp/one.tar.gz" --force
tr '\n' ' ' <"$tmp/out" | tr -s ' ' >"$tmp/one.txt"
assert_in "$tmp/one.txt" "Nie znaleźliśmy tej wiadomości w przeszukanej skrzynce pocztowej." "pl: this message, not found"
assert_not_in "$tmp/one.txt" "z tych 1 wiadomości" "pl: no 'z tych 1 wiadomości' for one target"

# Both built-in templates render the same facts.
for s in 203.0.113.7 198.51.100.23 352 417 371; do
	assert_in "$tmp/fr.txt" "$s" "fr carries '$s' as en does"
	assert_in "$tmp/en.txt" "$s" "en carries '$s'"
done
# The attachment by its one name, in both languages.
assert_in "$tmp/en.txt" "The attached archive en.tar.gz holds:" "en: the archive named"
assert_in "$tmp/fr.txt" "L'archive jointe fr.tar.gz contient :" "fr: the archive named the same way"
assert_in "$tmp/en.txt" "  Block time:      1 hour" "en: the block time in words"
assert_in "$tmp/fr.txt" "  Durée du blocage :   1 heure" "fr: the block time in words"

# The state's wording, each state in both languages, the others' words
# absent.
for state in blockedForSpam unblocking unblocked; do
	jq --arg s "$state" '.state = $s' "$DEMO_SPAMIP" >"$tmp/state.json"
	for lang in en fr; do
		run pack --spam-ip-json "$tmp/state.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
			--no-dkim --lang $lang -o "$tmp/state.tar.gz" --force
		assert_status 0 "$lang ticket, state $state"
		# The State line and the lines it goes on in, joined.
		awk '/^  (State:|État :)/ { on = 1; print; next } on && /^                   / { print; next } { on = 0 }' \
			"$tmp/out" | tr '\n' ' ' | tr -s ' ' | sed 's/ $//' >"$tmp/state-line"
		case $lang/$state in
		# The block: 2026-11-20 13:32:07 UTC, for 3600 s.
		en/blockedForSpam) want=" State: still blocked; it can be unblocked from 2026-11-20 14:32:07 UTC" ;;
		en/unblocking) want=" State: being unblocked; the block time ended at 2026-11-20 14:32:07 UTC" ;;
		en/unblocked) want=" State: unblocked; it was blocked from 2026-11-20 13:32:07 UTC to 2026-11-20 14:32:07 UTC" ;;
		fr/blockedForSpam) want=" État : toujours bloquée ; débloquable à partir du 2026-11-20 14:32:07 UTC" ;;
		fr/unblocking) want=" État : déblocage en cours ; la durée du blocage a pris fin le 2026-11-20 14:32:07 UTC" ;;
		fr/unblocked) want=" État : débloquée ; elle a été bloquée du 2026-11-20 13:32:07 UTC au 2026-11-20 14:32:07 UTC" ;;
		esac
		assert_eq "$(cat "$tmp/state-line")" "$want" "$lang ticket, state $state: its wording alone"
	done
done

# German: the subject a German mail program shows, the words of the
# ticket and of C (the block time), each state, one target not found.
pack_demo -o "$tmp/de.tar.gz" --lang de
assert_status 0 "German ticket"
cp "$tmp/out" "$tmp/de.txt"
assert_in "$tmp/de.txt" "Betreff: False Positive: Antispam-Sperrung von 203.0.113.7" "de: the subject"
assert_in "$tmp/de.txt" "Vom Antispam-System erkannte Nachrichten (3):" "de: the detected messages"
assert_in "$tmp/de.txt" "  Erkannt am:      2026-11-20 13:28:21 UTC" "de: the time of the detection"
assert_in "$tmp/de.txt" "Wir konnten eine dieser 3 Nachrichten im durchsuchten Mail-Speicher" "de: what was not found"
assert_in "$tmp/de.txt" "den E-Mail-Versand von 203.0.113.7 beendet" "de: the checklist"
assert_in "$tmp/de.txt" "  Sperrdauer:         1 Stunde" "de: the block time in words"
assert_in "$tmp/de.txt" "Das beigefügte Archiv de.tar.gz enthält:" "de: the archive named"
for state in blockedForSpam unblocking unblocked; do
	jq --arg s "$state" '.state = $s' "$DEMO_SPAMIP" >"$tmp/state.json"
	run pack --spam-ip-json "$tmp/state.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
		--no-dkim --lang de -o "$tmp/state.tar.gz" --force
	assert_status 0 "de ticket, state $state"
	awk '/^  Status:/ { on = 1; print; next } on && /^                   / { print; next } { on = 0 }' \
		"$tmp/out" | tr '\n' ' ' | tr -s ' ' | sed 's/ $//' >"$tmp/state-line"
	case $state in
	blockedForSpam) want=" Status: weiterhin gesperrt; Entsperrung möglich ab 2026-11-20 14:32:07 UTC" ;;
	unblocking) want=" Status: Entsperrung läuft; die Sperrdauer endete am 2026-11-20 14:32:07 UTC" ;;
	unblocked) want=" Status: entsperrt; die Sperrung dauerte vom 2026-11-20 13:32:07 UTC bis 2026-11-20 14:32:07 UTC" ;;
	esac
	assert_eq "$(cat "$tmp/state-line")" "$want" "de ticket, state $state: its wording alone"
done
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/one.json" --mail "$DEMO_MAIL" \
	--no-dkim --allow-empty --lang de -o "$tmp/one.tar.gz" --force
tr '\n' ' ' <"$tmp/out" | tr -s ' ' >"$tmp/one.txt"
assert_in "$tmp/one.txt" "Wir konnten diese Nachricht im durchsuchten Mail-Speicher nicht finden." "de: this message, not found"

# The user's own template, over the same context.
cat >"$tmp/mine.mustache" <<'TPL'
{{! a comment line vanishes }}
IP={{ip}} STATE={{state}} BUNDLE={{bundle}}
{{#targets}}
T {{message_id}} {{#found}}found{{/found}}{{^found}}missing{{/found}}
{{/targets}}
{{#samples}}
S {{size}}
{{/samples}}
TPL
pack_demo -o "$tmp/mine.tar.gz" --template "$tmp/mine.mustache"
assert_status 0 "--template FILE"
head -n 1 "$tmp/out" >"$tmp/line1"
assert_eq "$(cat "$tmp/line1")" "IP=203.0.113.7 STATE=blockedForSpam BUNDLE=mine.tar.gz" "own template: variables"
assert_in "$tmp/out" "T 20261120132821.7A3D5C0B40@web1.shop.example.com missing" "own template: inverted section"
assert_in "$tmp/out" "T order-10482.1795180980.7d1e@shop.example.com found" "own template: section"
assert_eq "$(grep -c '^S [0-9]' "$tmp/out")" 2 "own template: one line per sample"
assert_eq "$(wc -l <"$tmp/out" | tr -d ' ')" 6 "own template: standalone tags take their lines"

# The user's text is laid out as the built-in one is: a long line
# broken at 72 columns, blank lines squeezed.
printf '\n\n{{#targets}}{{message_id}} {{/targets}}end\n\n\n\nlast\n\n' >"$tmp/long.mustache"
pack_demo -o "$tmp/long.tar.gz" --template "$tmp/long.mustache"
assert_status 0 "a template with long lines and blank lines"
cat >"$tmp/want" <<'TXT'
nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com
order-10482.1795180980.7d1e@shop.example.com
20261120132821.7A3D5C0B40@web1.shop.example.com end

last
TXT
assert_true "own template: broken at 72 columns, one blank line, one final newline" \
	cmp -s "$tmp/out" "$tmp/want"

# Broken templates: exit 65, the file and line named, no bundle.
mkdir "$tmp/o"
printf 'line one\n{{#targets}}\nnever closed\n' >"$tmp/unclosed.mustache"
pack_demo -o "$tmp/o" --template "$tmp/unclosed.mustache"
assert_status 65 "unclosed section"
assert_in "$tmp/err" "unclosed.mustache' line 2: section 'targets' is never closed" "unclosed: file and line"
printf 'a\nb\n{{/targets}}\n' >"$tmp/stray.mustache"
pack_demo -o "$tmp/o" --template "$tmp/stray.mustache"
assert_status 65 "stray close tag"
assert_in "$tmp/err" "line 3: '{{/targets}}' closes no open section" "stray: line named"
printf 'x {{ip\n' >"$tmp/open.mustache"
pack_demo -o "$tmp/o" --template "$tmp/open.mustache"
assert_status 65 "unterminated tag"
printf 'x\0y {{ip}}\n' >"$tmp/nul.mustache"
pack_demo -o "$tmp/o" --template "$tmp/nul.mustache"
assert_status 65 "a NUL byte in a template"
no_leftovers "$tmp/o" "no bundle from a broken template"

# A template nesting 40 sections deep is refused (limit 32).
i=0
: >"$tmp/deep.mustache"
while [ $i -lt 40 ]; do printf '{{#ip}}' >>"$tmp/deep.mustache"; i=$((i + 1)); done
i=0
while [ $i -lt 40 ]; do printf '{{/ip}}' >>"$tmp/deep.mustache"; i=$((i + 1)); done
pack_demo -o "$tmp/o" --template "$tmp/deep.mustache"
assert_status 65 "sections nested too deep"
assert_in "$tmp/err" "nested deeper than 32" "the depth limit is named"

# A template whose output would pass 8 MiB is stopped (nested loops).
{
	printf '{{#targets}}{{#targets}}{{#targets}}{{#targets}}{{#targets}}{{#targets}}'
	printf '{{#targets}}{{#targets}}{{#targets}}{{#targets}}{{#targets}}{{#targets}}'
	printf '{{message_id}}'
	printf '{{/targets}}{{/targets}}{{/targets}}{{/targets}}{{/targets}}{{/targets}}'
	printf '{{/targets}}{{/targets}}{{/targets}}{{/targets}}{{/targets}}{{/targets}}\n'
} >"$tmp/bomb.mustache"
pack_demo -o "$tmp/o" --template "$tmp/bomb.mustache"
assert_status 65 "output bomb stopped"
assert_in "$tmp/err" "produces more than 8388608 bytes" "the output limit is named"
no_leftovers "$tmp/o" "no bundle from a runaway template"

printf 'x {{>partial}}\n' >"$tmp/partial.mustache"
pack_demo -o "$tmp/o" --template "$tmp/partial.mustache"
assert_status 65 "an unsupported tag"
assert_in "$tmp/err" "'{{>' tags are not supported" "the unsupported tag is named"

pack_demo -o "$tmp/o" --template "$tmp/none.mustache"
assert_status 66 "a missing template"
assert_in "$tmp/err" "none.mustache" "missing template named"

# An id listed twice: the ticket's counts agree with the list it shows.
jq '.[0].detectedSpams += [.[0].detectedSpams[2]]' "$DEMO_STATS" >"$tmp/twice.json"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/twice.json" --mail "$DEMO_MAIL" -o "$tmp/twice.tar.gz"
assert_status 0 "an id listed twice"
assert_in "$tmp/out" "Messages detected by the anti-spam system (4):" "four targets listed"
assert_in "$tmp/out" "We could not find 2 of these 4 messages" "two of the four not found"

# Only the SpamIp object: no Message-ID to show.
run pack --spam-ip-json "$DEMO_SPAMIP" -o "$tmp/noids.tar.gz"
assert_status 0 "pack with the SpamIp object alone"
assert_in "$tmp/out" "The anti-spam system gave no Message-ID for this block." "the ticket says no id was given"

# api/ is mentioned only when the bundle has it.
assert_in "$tmp/en.txt" "  - api/: the anti-spam data of the OVHcloud API, as received" "en: api/ named with API data"
run pack --alert "$FIXTURES/alert/demo.eml" --mail "$DEMO_MAIL" -o "$tmp/alertonly.tar.gz"
assert_status 0 "pack from the alert alone"
assert_not_in "$tmp/out" "api/" "alert alone: the ticket does not speak of api/"
assert_false "alert alone: no api/ in the bundle" sh -c "tar -tzf '$tmp/alertonly.tar.gz' | grep -q '/api/'"

# The installed copies are the built-in ones: rendering them as --template
# gives the same ticket.
: "${TEMPLATES:?}"
pack_demo -o "$tmp/en2.tar.gz" --template "$TEMPLATES/ticket.en.mustache"
assert_true "templates/ticket.en.mustache is the built-in English ticket" \
	sh -c "sed 's/en2.tar.gz/en.tar.gz/' '$tmp/out' | cmp -s - '$tmp/en.txt'"

# A template from a pipe: read once, checked first, rendered at the end.
printf 'IP={{ip}}\n' | fpkit pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$DEMO_MAIL" --template /dev/stdin -o "$tmp/piped.tar.gz" >"$tmp/out" 2>"$tmp/err" || :
assert_in "$tmp/out" "IP=203.0.113.7" "a template from a pipe gives its ticket"

# A bad template is refused before the search: with a mail store that
# does not exist, the template's error comes first (status 65, not 66).
printf 'Hello {{#samples}}never closed\n' >"$tmp/unclosed.mustache"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/no-such-store" \
	--template "$tmp/unclosed.mustache" -o "$tmp/early.tar.gz"
assert_status 65 "a bad --template ends pack before the search"
assert_in "$tmp/err" "section 'samples' is never closed" "the template's error is the one given"
assert_not_in "$tmp/err" "no-such-store" "the store was not searched"
assert_false "no bundle for a bad template" test -e "$tmp/early.tar.gz"

finish
