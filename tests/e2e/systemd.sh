#!/bin/sh
# The systemd units of contrib/systemd: fpkit-archive.service is a
# oneshot "fpkit scan --archive", hardened (the stores and logs read,
# the archive alone written), and fpkit-archive.timer runs it every five
# minutes, Persistent; systemd-analyze verify passes on both (the
# service's binary pointed at the one built); and the service's own
# command line, run as systemd would run it (the credentials in
# $CREDENTIALS_DIRECTORY/ovh.conf, the stores and the archive folder from
# fpkit.conf), archives the fake API's block events.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
. "$E2E/fakeapi.sh"
U=$E2E/../../contrib/systemd
S=$U/fpkit-archive.service
T=$U/fpkit-archive.timer

# --- what the units say -------------------------------------------------------
for d in Type=oneshot DynamicUser=yes ProtectSystem=strict ProtectHome=read-only PrivateTmp=yes \
	NoNewPrivileges=yes ReadWritePaths=/var/lib/fpkit StateDirectory=fpkit \
	'LoadCredential=ovh.conf:/etc/fpkit/ovh.conf' 'SupplementaryGroups=mail adm'; do
	assert_true "the service: $d" grep -qx "$d" "$S"
done
assert_true "the service runs scan --archive" grep -q '^ExecStart=/usr/bin/fpkit scan --archive ' "$S"
assert_false "the service has no [Install]: the timer starts it" grep -q '^\[Install\]' "$S"
for d in 'OnCalendar=\*:0/5' Persistent=true WantedBy=timers.target; do
	assert_true "the timer: $d" grep -qx "$d" "$T"
done

# --- systemd-analyze verify -------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir "$tmp/units"
	sed "s|/usr/bin/fpkit|$FPKIT_BIN|" "$S" >"$tmp/units/fpkit-archive.service"
	cp "$T" "$tmp/units/"
	if systemd-analyze verify --man=no "$tmp/units/fpkit-archive.service" \
		"$tmp/units/fpkit-archive.timer" >"$tmp/verify" 2>&1; then
		ok "systemd-analyze verify: the service and the timer"
	else
		not_ok "systemd-analyze verify: the service and the timer"
		sed 's/^/#   /' "$tmp/verify" | head -20
	fi
else
	skip "systemd-analyze verify of the units: no systemd-analyze (Debian: systemd)"
fi

# --- the service's command line, as systemd runs it --------------------------------
. "$E2E/archive-lib.sh"
unset OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
mkdir -m 700 "$tmp/cred"
printf '[default]\nendpoint = %s\n[%s]\napplication_key = %s\napplication_secret = %s\nconsumer_key = %s\n' \
	"$FAKE_URL" "$FAKE_URL" "$FAKE_AK" "$FAKE_AS" "$FAKE_CK" >"$tmp/cred/ovh.conf"
chmod 400 "$tmp/cred/ovh.conf"
printf '[fpkit]\nmail = %s\narchive = %s/lib/archive\n' "$DEMO_MAIL" "$tmp" >"$FPKIT_SYSTEM_CONF"
mkdir -m 700 "$tmp/lib"
cmdline=$(sed -n 's/^ExecStart=//p' "$S" | sed -e "s|\${CREDENTIALS_DIRECTORY}|$tmp/cred|g" \
	-e 's|^/usr/bin/fpkit ||')
# shellcheck disable=SC2086
run $cmdline --no-dkim --rate 100000
assert_status 0 "the service's command line"
assert_eq "$(index_names "$tmp/lib/archive")" "$B5 $B7 $B9" "the service archives every event into the configured folder"
assert_true "the bundles hold the configured store's messages" \
	sh -c 'tar -tzf "$1" | grep -q "/samples/01-"' - "$tmp/lib/archive/$B7"

finish
