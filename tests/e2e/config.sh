#!/bin/sh
# fpkit.conf: the system file, then the user's (XDG), then fpkit --config
# FILE, a later one winning, and the command line over all; the options
# each command takes from it (the same run as with the options written
# out); a list given on the command line replaces the configured one;
# maillog globs with rotated files oldest first; the language from the
# file, then the locale; unknown keys and sections are errors naming the
# file and line (78); a file others can write is skipped with a warning;
# 'fpkit config' says where each setting came from.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"

SYS=$FPKIT_SYSTEM_CONF
USR=$HOME/.config/fpkit/fpkit.conf
mkdir -p "$HOME/.config/fpkit"

# --- nothing configured ---------------------------------------------------------
run config
assert_status 0 "config, no file"
assert_in "$tmp/out" "#   system: $SYS (not read)" "config: the system file, not there"
assert_in "$tmp/out" "#   user: $USR (not read)" "config: the user's file, under HOME/.config"
assert_in "$tmp/out" "# mail: not set" "config: mail not set"
run config --get mail
assert_status 1 "config --get, not set"
XDG_CONFIG_HOME=$tmp/xdg run config
assert_in "$tmp/out" "#   user: $tmp/xdg/fpkit/fpkit.conf (not read)" "config: XDG_CONFIG_HOME"

# --- the same run as with the options written out ---------------------------------
cp "$DEMO/log/mail.log" "$tmp/mail.log"
printf '[fpkit]\n# the demo case\nmail = %s\nmaillog = %s/mail.lo*\nlang = fr\n' \
	"$DEMO_MAIL" "$tmp" >"$SYS"
run config --get maillog
assert_eq "$(cat "$tmp/out")" "$tmp/mail.log" "the maillog glob names the log"
mkdir "$tmp/c1" "$tmp/c2"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --no-dkim -o "$tmp/c1/x.tar.gz"
assert_status 0 "pack with the configured stores, log and language"
cp "$tmp/out" "$tmp/conf.txt"

# --- the order of the files ----------------------------------------------------------
printf '[fpkit]\nlang = fr\nmail = /sys/store\n' >"$SYS"
printf '[fpkit]\nlang = en\n' >"$USR"
run config --get lang
assert_eq "$(cat "$tmp/out")" "en" "the user's file over the system's"
run config --get mail
assert_eq "$(cat "$tmp/out")" "/sys/store" "a key the user's file does not set: the system's"
printf '[fpkit]\nlang = fr\nmail = /given/a\nmail = /given/b\n' >"$tmp/given.conf"
run --config "$tmp/given.conf" config --get lang
assert_eq "$(cat "$tmp/out")" "fr" "fpkit --config FILE over the user's file"
run --config "$tmp/given.conf" config --get mail
assert_eq "$(cat "$tmp/out")" "$(printf '/given/a\n/given/b')" "a later file's list replaces the whole list"
FPKIT_CONFIG=$tmp/given.conf run config --get lang
assert_eq "$(cat "$tmp/out")" "fr" "FPKIT_CONFIG names the file too"
run --config "$tmp/given.conf" config --json
assert_eq "$(jq -r '.settings.lang.from' "$tmp/out")" "'$tmp/given.conf' line 2" "--json: where lang came from"
assert_eq "$(jq -r '.settings.mail.values | join(",")' "$tmp/out")" "/given/a,/given/b" "--json: the list"
assert_eq "$(jq -r '[.files[] | .read] | join(",")' "$tmp/out")" "true,true,true" "--json: the three files read"
run --config "$tmp/nowhere.conf" config
assert_status 66 "a --config file that does not exist"
rm -f "$USR"

# --- the language from the locale when the files say none ---------------------------------
printf '[fpkit]\n' >"$SYS"
for v in "LANG=fr_FR.UTF-8" "LC_MESSAGES=fr_CA.UTF-8"; do
	env -u LC_ALL "$v" "$FPKIT" config --get lang >"$tmp/lang" 2>&1 || :
	assert_eq "$(cat "$tmp/lang")" "fr" "lang from $v"
done
env -u LC_ALL LANG=fr_FR.UTF-8 "$FPKIT" pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$DEMO_MAIL" --no-dkim -o "$tmp/loc.tar.gz" >"$tmp/loc.txt" 2>/dev/null || :
assert_in "$tmp/loc.txt" "Objet : Faux positif" "LANG=fr_FR.UTF-8: a French ticket"
env -u LC_ALL LANG=de_DE.UTF-8 "$FPKIT" config --get lang >"$tmp/lang" 2>&1 || :
assert_eq "$(cat "$tmp/lang")" "de" "lang from LANG=de_DE.UTF-8"
env -u LC_ALL LANG=nl_NL.UTF-8 "$FPKIT" config --get lang >"$tmp/lang" 2>&1 || :
assert_eq "$(cat "$tmp/lang")" "" "a language fpkit has no ticket in: not taken"
run config --get lang
assert_status 1 "LC_ALL=C: no language from the locale"

# --- rotated logs, oldest first ------------------------------------------------------------
mkdir "$tmp/logs"
for f in mail.log mail.log.1 mail.log.2.gz mail.log.10.gz mail.log.3.xz; do : >"$tmp/logs/$f"; done
printf '[fpkit]\nmaillog = %s/logs/mail.log*\n' "$tmp" >"$SYS"
run config --get maillog
printf '%s\n' "$tmp/logs/mail.log.10.gz" "$tmp/logs/mail.log.3.xz" "$tmp/logs/mail.log.2.gz" \
	"$tmp/logs/mail.log.1" "$tmp/logs/mail.log" >"$tmp/want"
assert_true "NAME.N by N going down, then NAME" cmp -s "$tmp/out" "$tmp/want"
rm "$tmp"/logs/*
for f in maillog maillog-20261118.gz maillog-20261120 maillog-20261119.gz; do : >"$tmp/logs/$f"; done
printf '[fpkit]\nmaillog = %s/logs/maillog*\n' "$tmp" >"$SYS"
run config --get maillog
printf '%s\n' "$tmp/logs/maillog-20261118.gz" "$tmp/logs/maillog-20261119.gz" \
	"$tmp/logs/maillog-20261120" "$tmp/logs/maillog" >"$tmp/want"
assert_true "NAME-DATE by date, then NAME" cmp -s "$tmp/out" "$tmp/want"

# --- errors name the file and the line ---------------------------------------------------------
bad() {
	printf '%b' "$1" >"$SYS"
	run verify "$tmp/none.tar.gz"
	assert_status 78 "$3"
	assert_in "$tmp/err" "'$SYS' line $2" "$3: the file and the line"
}
bad '[fpkit]\nmail = /a\nmial = /b\n' 3 "an unknown key"
bad '[fpkit]\n[pack]\nmail = /b\n' 3 "an unknown section"
bad 'mail = /b\n' 1 "a key before [fpkit]"
bad '[fpkit]\nlang = xx\n' 2 "a language without a ticket"
bad '[fpkit]\nmta = nope\n' 2 "an unknown MTA"
bad '[fpkit]\nendpoint = nowhere\n' 2 "an unknown endpoint"
bad '[fpkit]\nlang = fr\nlang = en\n' 3 "a key that does not repeat, twice"
bad '[fpkit]\narchive =\n' 2 "an empty value"
assert_in "$tmp/err" "no value" "an empty value: said"

# A file others can write is skipped, with a warning.
printf '[fpkit]\nlang = fr\n' >"$SYS"
chmod 666 "$SYS"
run config --get lang
assert_status 1 "a file others can write: its settings are not taken"
assert_in "$tmp/err" "writable by others: skipped" "a file others can write: the warning"
run config
assert_in "$tmp/out" "#   system: $SYS (not read)" "a file others can write: config says it was not read"
chmod 644 "$SYS"

# --- the endpoint: after OVH_ENDPOINT, before ovh.conf's -------------------------------------
printf '[fpkit]\nendpoint = ovh-ca\n' >"$SYS"
run scan
assert_status 78 "scan without credentials"
assert_in "$tmp/err" "endpoint 'ovh-ca'" "the configured endpoint"
OVH_ENDPOINT=ovh-us run scan
assert_in "$tmp/err" "endpoint 'ovh-us'" "OVH_ENDPOINT over the configured endpoint"
run scan --endpoint kimsufi-eu
assert_in "$tmp/err" "endpoint 'kimsufi-eu'" "--endpoint over the configured endpoint"

# --- scan --archive without a folder: the configured one ---------------------------------------
printf '[fpkit]\n' >"$SYS"
run scan --archive --verbose
assert_status 64 "scan --archive, no folder anywhere"
assert_in "$tmp/err" "--archive needs a folder" "scan --archive, no folder: said (not --verbose taken as one)"
printf '[fpkit]\narchive = %s/arch\n' "$tmp" >"$SYS"
run scan --archive
assert_status 78 "scan --archive takes the configured folder (then needs credentials)"

# --- the documents: every key in fpkit.conf(5) and in the example file; ---------
# the example file sets nothing; README's example reads.
SRC=$E2E/../..
printf "[fpkit]\n" >"$SYS"
run --config "$SRC/contrib/fpkit.conf" config --json
assert_status 0 "contrib/fpkit.conf reads"
assert_eq "$(jq -r '[.settings[] | select(.from != null)] | length' "$tmp/out")" 0 \
	"contrib/fpkit.conf sets nothing (every line commented)"
for k in $(jq -r '.settings | keys[]' "$tmp/out"); do
	assert_true "fpkit.conf(5) documents $k" grep -q "^\.BI \\\\%$k \"" "$SRC/doc/fpkit.conf.5"
	assert_true "contrib/fpkit.conf shows $k" grep -q "^#$k = " "$SRC/contrib/fpkit.conf"
done
awk '/^### The configuration file/{f=1} f&&/^```ini/{b=1;next} b&&/^```/{exit} b' "$SRC/README.md" >"$tmp/readme.conf"
assert_true "README: an fpkit.conf example" grep -q '^\[fpkit\]' "$tmp/readme.conf"
run --config "$tmp/readme.conf" config --get maillog
assert_status 0 "README's fpkit.conf example reads"

finish
