# privpostfix.sh - sourced after lib.sh by the tests that read a real
# Postfix: a private instance that never touches the machine's own mail
# system.  Its configuration, queue and data folders are under $tmp; it
# has no smtpd listener at all, sends every message to a closed port on
# loopback (so mail stays deferred) and logs to a file of its own.
#
#   pfx_setup              skips unless Postfix can run here; sets PFX_CONF
#   pfx_start              starts the master (skips when it does not start)
#   pfx_stop               stops it, by the pid in its pid file
#   pfx_send FROM TO...    queues a message through its sendmail (its
#                          Message-ID: $PFX_MSGID, or one made up)
#   pfx_wait_deferred N    waits until N messages are in the deferred queue
#   pfx_json               postqueue -j, its own listing (for expected values)
#
# Mail to example.net goes to 127.0.0.2 (transport_maps), the rest to
# 127.0.0.1 (relayhost), both on PFX_PORT, where nothing listens: the
# delay reasons name those addresses.  The master is stopped before $tmp
# is removed, whatever ends the script.

PATH=$PATH:/usr/sbin:/usr/local/sbin
PFX=$tmp/postfix
PFX_CONF=$PFX/conf
PFX_PORT=
pfx_master=

trap 'pfx_stop >/dev/null 2>&1 || :; rm -rf "$tmp" "$san"' EXIT

pfx_setup() {
	command -v postqueue >/dev/null 2>&1 ||
		skip_all "Postfix is not installed (.ci/packages installs it)"
	[ "$(id -u)" -eq 0 ] ||
		skip_all "a private Postfix instance needs root: its master starts as root"
	id postfix >/dev/null 2>&1 && getent group postdrop >/dev/null 2>&1 ||
		skip_all "no postfix user or postdrop group (Debian's postfix package makes them)"
	command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (to find a closed port)"
	# A port nothing listens on: bound, then let go.
	PFX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# Postfix's daemons run as postfix: they must reach the queue.
	chmod 711 "$tmp"
	mkdir -p "$PFX_CONF" "$PFX/queue" "$PFX/data"
	chown postfix "$PFX/data"
	cat >"$PFX_CONF/main.cf" <<-EOC
	compatibility_level = 3.6
	queue_directory = $PFX/queue
	data_directory = $PFX/data
	mail_owner = postfix
	setgid_group = postdrop
	inet_interfaces = loopback-only
	inet_protocols = ipv4
	myhostname = relay.example.com
	mydomain = example.com
	myorigin = example.com
	mydestination =
	alias_maps =
	alias_database =
	relayhost = [127.0.0.1]:$PFX_PORT
	transport_maps = inline:{ {example.net = smtp:[127.0.0.2]:$PFX_PORT} }
	smtp_dns_support_level = disabled
	maillog_file = $PFX/maillog
	maillog_file_prefixes = $PFX
	syslog_name = fpkit-test
	EOC
	# No smtpd listener, and nothing chrooted (no copy of /etc needed).
	grep -v '^smtp[[:space:]]*inet' /etc/postfix/master.cf >"$PFX_CONF/master.cf"
	postconf -c "$PFX_CONF" -F '*/*/chroot = n'
}

pfx_start() {
	if ! postfix -c "$PFX_CONF" start >"$tmp/pfx-start" 2>&1; then
		skip_all "the private Postfix did not start: $(tr '\n' ' ' <"$tmp/pfx-start") $(tail -3 "$PFX/maillog" 2>/dev/null | tr '\n' ' ')"
	fi
	pfx_master=$(tr -d ' ' <"$PFX/queue/pid/master.pid")
}

# pfx_stop: the master by its pid (it stops its children), then wait
# for it to be gone.
pfx_stop() {
	[ -n "$pfx_master" ] || return 0
	kill "$pfx_master" 2>/dev/null || :
	pfx_i=0
	while kill -0 "$pfx_master" 2>/dev/null && [ "$pfx_i" -lt 100 ]; do
		sleep 0.1
		pfx_i=$((pfx_i + 1))
	done
	pfx_master=
}

pfx_send() {
	pfx_from=$1
	shift
	printf 'From: %s\nTo: %s\nSubject: queued by the test\nMessage-ID: <%s>\n\nbody\n' \
		"$pfx_from" "$1" "${PFX_MSGID:-$$.$(date +%s%N)@shop.example.com}" |
		sendmail -C "$PFX_CONF" -f "$pfx_from" "$@"
}

pfx_json() {
	postqueue -c "$PFX_CONF" -j
}

# pfx_wait_deferred N: until postqueue lists N messages, all deferred
# (each has had its delivery attempt); at most 30 s.
pfx_wait_deferred() {
	pfx_i=0
	while [ "$pfx_i" -lt 300 ]; do
		pfx_n=$(pfx_json | jq -s '[.[] | select(.queue_name == "deferred")] | length')
		pfx_all=$(pfx_json | jq -s 'length')
		[ "$pfx_n" -eq "$1" ] && [ "$pfx_all" -eq "$1" ] && return 0
		sleep 0.1
		pfx_i=$((pfx_i + 1))
	done
	return 1
}
