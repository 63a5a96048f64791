# privdovecot.sh - sourced after lib.sh by the tests that read a real
# Dovecot: a private instance that never touches the machine's own.  Its
# configuration, base_dir, state and mail are under $tmp; its mail
# processes run as the current user (mail_uid/gid, no chroot), or nobody
# when that is root (Dovecot refuses to give mail to root), its users are
# in a passwd-file,
# and it listens for IMAP on a loopback port only, plaintext login allowed
# (ssl = no).  The test starts it and stops it by its pid.
#
#   dvc_setup              skips unless Dovecot can run here; sets DVC_CONF
#   dvc_user NAME LOCATION adds a user (password "secret") whose mail is at
#                          LOCATION, a mail_location such as
#                          maildir:$DVC/mail/NAME (the folder is made)
#   dvc_start              starts it (skips when it does not start); sets
#                          DVC_IMAP_PORT
#   dvc_stop               stops it, by its pid
#   dvc_save USER FILE     stores FILE in USER's INBOX (doveadm save)
#   doveadm_t ARGS...      doveadm against the private configuration

PATH=$PATH:/usr/sbin:/usr/local/sbin
DVC=$tmp/dovecot
DVC_CONF=$DVC/dovecot.conf
DVC_IMAP_PORT=
dvc_pid=

trap 'dvc_stop >/dev/null 2>&1 || :; rm -rf "$tmp" "$san"' EXIT

dvc_setup() {
	command -v doveadm >/dev/null 2>&1 && [ -x /usr/sbin/dovecot ] ||
		skip_all "Dovecot is not installed (.ci/packages installs dovecot-core and dovecot-imapd)"
	command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (to find a free port)"
	DVC_IMAP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$DVC/base" "$DVC/state" "$DVC/mail" "$DVC/home"
	: >"$DVC/passwd"
	dvc_me=$(id -un)
	dvc_group=$(id -gn)
	if [ "$(id -u)" -eq 0 ]; then
		dvc_me=nobody
		dvc_group=$(id -gn nobody)
		chmod 711 "$tmp" "$DVC"
		chown nobody "$DVC/mail" "$DVC/home"
	fi
	cat >"$DVC_CONF" <<-EOC
	protocols = imap
	base_dir = $DVC/base
	state_dir = $DVC/state
	instance_name = fpkit-test-$$
	listen = 127.0.0.1
	ssl = no
	disable_plaintext_auth = no
	auth_mechanisms = plain login
	log_path = $DVC/log
	info_log_path = $DVC/log
	default_login_user = $dvc_me
	default_internal_user = $dvc_me
	default_internal_group = $dvc_group
	mail_uid = $dvc_me
	mail_gid = $dvc_group
	first_valid_uid = 0
	first_valid_gid = 0
	mail_privileged_group =
	login_trusted_networks = 127.0.0.0/8
	passdb {
	  driver = passwd-file
	  args = scheme=PLAIN username_format=%u $DVC/passwd
	}
	userdb {
	  driver = passwd-file
	  args = username_format=%u $DVC/passwd
	}
	service imap-login {
	  chroot =
	  inet_listener imap {
	    address = 127.0.0.1
	    port = $DVC_IMAP_PORT
	  }
	  inet_listener imaps {
	    port = 0
	  }
	}
	service anvil {
	  chroot =
	}
	service imap {
	  chroot =
	}
	service auth {
	  unix_listener auth-userdb {
	    user = $dvc_me
	  }
	}
	service stats {
	  unix_listener stats-reader {
	    user = $dvc_me
	  }
	  unix_listener stats-writer {
	    user = $dvc_me
	  }
	}
	EOC
}

dvc_user() {
	mkdir -p "$DVC/home/$1"
	chown "$dvc_me" "$DVC/home/$1"
	printf '%s:{PLAIN}secret:%s:%s::%s::userdb_mail=%s\n' "$1" "$(id -u "$dvc_me")" "$(id -g "$dvc_me")" \
		"$DVC/home/$1" "$2" >>"$DVC/passwd"
}

doveadm_t() {
	doveadm -c "$DVC_CONF" "$@"
}

dvc_start() {
	if ! /usr/sbin/dovecot -c "$DVC_CONF" >"$tmp/dvc-start" 2>&1; then
		skip_all "the private Dovecot did not start: $(tr '\n' ' ' <"$tmp/dvc-start") $(tail -3 "$DVC/log" 2>/dev/null | tr '\n' ' ')"
	fi
	dvc_i=0
	while [ ! -s "$DVC/base/master.pid" ] && [ "$dvc_i" -lt 100 ]; do
		sleep 0.1
		dvc_i=$((dvc_i + 1))
	done
	dvc_pid=$(cat "$DVC/base/master.pid" 2>/dev/null)
	[ -n "$dvc_pid" ] || skip_all "the private Dovecot wrote no pid: $(tail -3 "$DVC/log" 2>/dev/null | tr '\n' ' ')"
}

# dvc_stop: the master by its pid (it stops its children), then wait
# for it to be gone.
dvc_stop() {
	[ -n "$dvc_pid" ] || return 0
	kill "$dvc_pid" 2>/dev/null || :
	dvc_i=0
	while kill -0 "$dvc_pid" 2>/dev/null && [ "$dvc_i" -lt 100 ]; do
		sleep 0.1
		dvc_i=$((dvc_i + 1))
	done
	dvc_pid=
}

dvc_save() {
	doveadm_t save -u "$1" <"$2"
}
