#!/bin/sh
# The Spanish ticket (--lang es): the subject line and the facts of the
# demo in Spanish (the API's totals, each target's delivery from the
# mail log, the one not found, the checklist, the words made in C), the
# layout rules of every ticket, the parts of the tarball named, the three
# states, the singular and the plural of the messages attached before the
# block, a Spanish locale choosing it, and ticket create taking its
# subject line.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

DEMO_LOG=$DEMO/log/mail.log
top=${DEMO_BUNDLE%.tar.gz}

# said FILE: FILE's text on one line, blanks squeezed.
said() { tr '\n' ' ' <"$1" | tr -s ' '; }
says() {
	if said "$1" | grep -qF -- "$2"; then ok "$3"; else not_ok "$3: '$2' not said in $(basename "$1")"; fi
}
has_line() {
	if grep -qxF -- "$2" "$1"; then ok "$3"; else not_ok "$3: no line '$2' in $(basename "$1")"; fi
}

# layout FILE WHAT: lines of at most 72 characters (UTF-8 continuation
# bytes not counted) but for an unbreakable word, no blank line at
# either end nor two in a row, no blank at the end of a line, no tag.
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
	assert_eq "$(grep -c '[[:blank:]]$' "$1")" 0 "$2: no blank at the end of a line"
	assert_not_in "$1" "{{" "$2: no tag left"
}

# utc ISO: "2026-11-20T13:17:08Z" as the ticket writes it.
utc() { echo "$1" | sed 's/^\(....-..-..\)T\(..:..:..\)Z$/\1 \2 UTC/'; }

# --- the demo with its mail log ------------------------------------------------
mkdir "$tmp/o"
pack_demo --maillog "$DEMO_LOG" --lang es -o "$tmp/o"
assert_status 0 "the demo with its mail log, in Spanish"
cp "$tmp/out" "$tmp/es.txt"
layout "$tmp/es.txt" "demo"
assert_eq "$(head -n 1 "$tmp/es.txt")" "Asunto: Falso positivo: bloqueo antispam de la IP 203.0.113.7" \
	"the subject line, as a Spanish mail program labels it"
mkdir "$tmp/x"
tar -xzf "$tmp/o/$DEMO_BUNDLE" -C "$tmp/x"
assert_true "the ticket printed is TICKET.txt" cmp -s "$tmp/es.txt" "$tmp/x/$top/TICKET.txt"
S=$tmp/x/$top/summary.json

has_line "$tmp/es.txt" "  Bloqueada el:          2026-11-20 13:32:07 UTC" "the block time, aligned"
has_line "$tmp/es.txt" "  Duración del bloqueo:  1 hora" "the block's length in Spanish words (src/words/es.c)"
says "$tmp/es.txt" "Estado: sigue bloqueada; se puede desbloquear a partir del 2026-11-20 14:32:07 UTC" \
	"the state in words"
spams=$(jq '.[0].numberOfSpams' "$DEMO_STATS")
total=$(jq '.[0].total' "$DEMO_STATS")
avg=$(jq '.[0].averageSpamscore' "$DEMO_STATS")
says "$tmp/es.txt" "el sistema antispam contabilizó $spams mensajes de spam entre los $total mensajes examinados procedentes de 203.0.113.7 (puntuación de spam media: $avg); la API no indica en qué periodo." \
	"the stats' totals"
has_line "$tmp/es.txt" "Mensajes detectados por el sistema antispam (3):" "the detected messages"
has_line "$tmp/es.txt" "  Message-ID:          <order-10482.1795180980.7d1e@shop.example.com>" "a Message-ID, aligned"
has_line "$tmp/es.txt" "  Detectado el:        2026-11-20 13:28:21 UTC" "the time of a detection"
for i in 0 1 2; do
	r=$(jq -c ".targets[$i] as \$t | [\$t.delivery[].recipients[] | select(.relay | contains(\"[\" + \$t.destination_ip + \"]\"))][0]" "$S")
	t=$(utc "$(echo "$r" | jq -r .time)")
	host=$(echo "$r" | jq -r '.relay | sub("\\[.*"; "")')
	ip=$(echo "$r" | jq -r '.relay | sub("^[^\\[]*\\["; "") | sub("\\].*"; "")')
	reply=$(echo "$r" | jq -r .detail)
	says "$tmp/es.txt" "Log de correo: entregado el $t a $host ($ip), que respondió «$reply»" \
		"target $i's delivery: time, relay and its IP, the server's answer"
done
says "$tmp/es.txt" "Original: no encontrado en los buzones de correo donde hemos buscado Log de correo: entregado el" \
	"the target not found, and its delivery"
says "$tmp/es.txt" "No hemos encontrado uno de estos 3 mensajes en el buzón de correo donde hemos buscado." \
	"the missing one, in the singular"
says "$tmp/es.txt" "samples/02-order-10482.1795180980.7d1e@shop.example.com.eml Los mismos resultados que el mensaje anterior." \
	"the second sample, the same findings, in one line"
for s in 203.0.113.7 198.51.100.23 198.51.100.87 198.51.100.142 352 417 371; do
	assert_in "$tmp/es.txt" "$s" "the ticket carries '$s'"
done

# The archive description names each part of the tarball, and no other.
tar -tzf "$tmp/o/$DEMO_BUNDLE" | cut -d/ -f2- | sed -n 's|^\([^/]*/\{0,1\}\).*|\1|p' | grep . | sort -u >"$tmp/parts"
for p in samples/ checks/ logs/ api/ alert/ report.arf summary.json TICKET.txt REPORT.html SHA256SUMS; do
	if grep -qxF "$p" "$tmp/parts"; then
		assert_eq "$(grep -c "^  - $p: " "$tmp/es.txt")" 1 "$p is in the tarball, the ticket names it"
	else
		assert_eq "$(grep -c "^  - $p: " "$tmp/es.txt")" 0 "$p is not in the tarball, nor in the ticket"
	fi
done
says "$tmp/es.txt" "El archivo adjunto $DEMO_BUNDLE contiene:" "the archive by its name"

# The checklist: what fpkit did, ticked with its facts; the rest open.
has_line "$tmp/es.txt" "  [ ] detenido el envío de correo desde 203.0.113.7" "stopped sending: open"
says "$tmp/es.txt" "[x] leído nuestros logs de correo en busca de los Message-ID anteriores: 3 de 3 encontrados en 1 archivo de log, todos entregados" \
	"the logs read, ticked with what they say"
says "$tmp/es.txt" "de los 2 mensajes encontrados (de un total de 3); véase más arriba" "the checks, counted"
assert_eq "$(grep -c '^  \[x\] ' "$tmp/es.txt")" 2 "two items ticked"
says "$tmp/es.txt" "el DNS inverso de 203.0.113.7: sin comprobar para este informe" \
	"the sending configuration: open, why in Spanish words"
has_line "$tmp/es.txt" "[su nombre / ID de cliente de OVHcloud (NIC handle)]" "without the API, a closing to fill"

# --- the three states -----------------------------------------------------------
for state in unblocking unblocked; do
	jq --arg s "$state" '.state = $s' "$DEMO_SPAMIP" >"$tmp/state.json"
	run pack --spam-ip-json "$tmp/state.json" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
		--no-dkim --lang es -o "$tmp/state-$state.tar.gz"
	assert_status 0 "state $state"
	cp "$tmp/out" "$tmp/$state.txt"
	layout "$tmp/$state.txt" "state $state"
	assert_not_in "$tmp/$state.txt" "sigue bloqueada" "state $state: not said blocked"
	says "$tmp/$state.txt" "Le agradeceríamos que nos indicara si está de acuerdo en que se trató de un falso positivo" \
		"state $state: a review asked, not an unblock"
	assert_not_in "$tmp/$state.txt" "Le rogamos que desbloquee" "state $state: no unblock asked"
done
says "$tmp/unblocking.txt" "Estado: en proceso de desbloqueo; el tiempo de bloqueo terminó el 2026-11-20 14:32:07 UTC" \
	"unblocking: its wording"
says "$tmp/unblocked.txt" "Estado: desbloqueada; estuvo bloqueada del 2026-11-20 13:32:07 UTC al 2026-11-20 14:32:07 UTC" \
	"unblocked: its wording"
says "$tmp/es.txt" "Le rogamos que desbloquee la dirección IP 203.0.113.7 si está de acuerdo en que se trata de un falso positivo." \
	"blocked: an unblock asked"

# --- no Message-ID: the messages before the block, one and two ------------------
for n in 1 2; do
	run pack --spam-ip-json "$DEMO_SPAMIP" --mail "$DEMO_MAIL" --before-block $n --lang es \
		-o "$tmp/noid-$n.tar.gz"
	assert_status 0 "no Message-ID, --before-block $n"
	cp "$tmp/out" "$tmp/noid-$n.txt"
	layout "$tmp/noid-$n.txt" "no Message-ID, --before-block $n"
done
says "$tmp/noid-1.txt" "en su lugar se adjunta el mensaje enviado justo antes." "one message before: the singular"
says "$tmp/noid-1.txt" "También se adjunta el mensaje enviado justo antes del bloqueo:" "one message before: listed, singular"
says "$tmp/noid-1.txt" "la conformidad con los RFC y las buenas prácticas del mensaje encontrado;" "one message checked: singular"
says "$tmp/noid-2.txt" "en su lugar se adjuntan los mensajes enviados justo antes." "two messages before: the plural"
says "$tmp/noid-2.txt" "También se adjuntan los 2 mensajes enviados justo antes del bloqueo:" "two messages before: listed, plural"

# --- a Spanish locale chooses Spanish -------------------------------------------
set +e
env -u LC_ALL LANG=es_ES.UTF-8 "$FPKIT" pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$DEMO_MAIL" --no-dkim -o "$tmp/loc.tar.gz" >"$tmp/loc.txt" 2>"$tmp/err"
status=$?
set -e
assert_status 0 "LANG=es_ES.UTF-8"
assert_eq "$(head -n 1 "$tmp/loc.txt")" "Asunto: Falso positivo: bloqueo antispam de la IP 203.0.113.7" \
	"LANG=es_ES.UTF-8: a Spanish ticket"

# --- ticket create takes the Spanish subject line ---------------------------------
fakeapi_setup
BLOCK=203.0.113.0/28
D=$tmp/data
fakeapi_case "$D" "$BLOCK" 203.0.113.7 "$DEMO_SPAMIP" "$DEMO_STATS"
printf '{"ip":"%s","type":"dedicated","routedTo":{"serviceName":"ns3012345.ip-203-0-113.eu"},"description":null,"canBeTerminated":false,"country":"fr"}\n' \
	"$BLOCK" >"$D/blocks/203.0.113.0_28/block.json"
fakeapi_start "$D"
fakeapi_env
run ticket create "$tmp/o/$DEMO_BUNDLE" --dry-run
assert_status 0 "ticket create --dry-run on a Spanish bundle"
assert_eq "$(jq -r .subject "$tmp/out")" "Falso positivo: bloqueo antispam de la IP 203.0.113.7" \
	"ticket create: the subject, its label left out"
jq -r .body "$tmp/out" >"$tmp/body.txt"
assert_eq "$(head -n 1 "$tmp/body.txt")" "Buenos días:" "ticket create: the body starts with the greeting"
fakeapi_stop >/dev/null || :

finish
