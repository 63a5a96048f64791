#!/bin/sh
# fpkit queue with fake MTA tools on FPKIT_MTA_PATH: which MTA is found
# from which tools, the command lines fpkit runs (arguments as given,
# no shell, the C locale, MAIL_CONFIG passed on), the output of Exim,
# Sendmail, OpenSMTPD and qmail as fixtures/queue/ keeps it, and the
# failures: no MTA, several, a tool that fails, hangs or prints too much.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

QF=$FIXTURES/queue
bin=$tmp/bin
calls=$tmp/calls

# fake NAME: a tool NAME in $bin that logs its arguments (one per line,
# between [ and ]), its locale and MAIL_CONFIG, then does what
# $bin/NAME.do says (sh), by default nothing.
fake() {
	cat >"$bin/$1" <<-EOF
	#!/bin/sh
	{ printf '%s' "$1"; for a in "\$@"; do printf ' [%s]' "\$a"; done
	  printf ' LC_ALL=%s MAIL_CONFIG=%s\n' "\${LC_ALL:-}" "\${MAIL_CONFIG:-}"; } >>"$calls"
	[ ! -f "$bin/$1.do" ] || . "$bin/$1.do"
	EOF
	chmod 755 "$bin/$1"
}
# does NAME 'SCRIPT': what fake NAME does.
does() {
	printf '%s\n' "$2" >"$bin/$1.do"
}
reset() {
	rm -rf "$bin"
	mkdir "$bin"
	: >"$calls"
}
FPKIT_MTA_PATH=$bin
export FPKIT_MTA_PATH
j() {
	jq -c "$1" "$tmp/out"
}

# ---- nothing installed ----
reset
run queue
assert_status 69 "no MTA's tool: EX_UNAVAILABLE"
assert_in "$tmp/err" "fpkit: queue: no mail system found: none of postqueue (Postfix), exim or exim4, smtpctl (OpenSMTPD), qmail-qstat (qmail) or mailq (Sendmail) is in $bin" \
	"no MTA: what was looked for, and where"
run queue --mta exim
assert_status 69 "--mta exim without its tool"
assert_in "$tmp/err" "--mta exim: its tool 'exim4' or 'exim' is not in $bin" "--mta: the tool named"
run queue --mta courier
assert_status 64 "--mta with an unknown name"

# ---- Exim ----
reset
fake exim4
does exim4 'case "$1" in -bpc) cat "'"$QF"'/exim/bpc.out";; -bp) cat "'"$QF"'/exim/bp.out";; esac'
fake mailq
run queue --json
assert_status 0 "exim4 found (mailq beside it is every MTA's)"
assert_eq "$(j '[.mta, .total, .queues, .can_send]')" '["exim",4,{"queue":3,"frozen":1},null]' \
	"exim: the counts of exim -bp, frozen apart; can_send unknown"
assert_eq "$(j '.by_recipient_domain')" '{"example.net":3,"example.org":3}' \
	"exim: per domain, the recipient marked delivered left out"
assert_eq "$(j '.by_sender')" '{"news@shop.example.com":3,"<>":1}' "exim: per sender, <> for the bounce"
assert_eq "$(j '.oldest_approximate')" 'true' "exim: the oldest is approximate (an age)"
assert_eq "$(cat "$calls")" "exim4 [-bpc] LC_ALL=C MAIL_CONFIG=
exim4 [-bp] LC_ALL=C MAIL_CONFIG=" "exim: exim4 -bpc then exim4 -bp, in the C locale"
run queue
assert_in "$tmp/out" "Waiting:      4 messages: queue 3, frozen 1 (not sent)" "exim: text"
assert_in "$tmp/out" "Can send:     unknown (Exim has no switch that stops delivery" "exim: can send unknown, why"
# A count that disagrees with the list is a warning, not an error.
does exim4 'case "$1" in -bpc) echo 5;; -bp) cat "'"$QF"'/exim/bp.out";; esac'
run queue
assert_status 0 "exim: counts that disagree"
assert_in "$tmp/err" "fpkit: warning: exim4 -bpc counted 5 messages, exim4 -bp listed 4: the queue changed in between" \
	"exim: the disagreement said"
# A tool that fails.
does exim4 'echo "exim: permission denied: not an admin user" >&2; exit 1'
run queue
assert_status 69 "exim -bpc fails: EX_UNAVAILABLE"
assert_in "$tmp/err" "exim4 -bpc cannot count the queue: exim: permission denied" "the tool's words quoted"
# Output it cannot read.
does exim4 'case "$1" in -bpc) echo 1;; -bp) echo "this is not a queue listing";; esac'
run queue
assert_status 65 "exim -bp unreadable: EX_DATAERR"
assert_in "$tmp/err" "exim -bp: line 1 is not a message of the queue listing" "the line named"

# ---- Sendmail ----
reset
fake mailq
does mailq 'cat "'"$QF"'/sendmail/mailq.out"'
run queue --json --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS"
assert_status 0 "mailq alone: Sendmail"
assert_eq "$(j '[.mta, .total, .queues]')" '["sendmail",3,{"mqueue-client":0,"mqueue":3}]' \
	"sendmail: both queues of mailq"
assert_eq "$(j '.to_targets')" '["5AKDT2cd012399"]' \
	"sendmail: the message whose reason names a flagged IP (198.51.100.142)"
assert_eq "$(cat "$calls")" "mailq LC_ALL=C MAIL_CONFIG=" "sendmail: mailq, no argument"

# ---- OpenSMTPD ----
reset
fake smtpctl
does smtpctl 'case "$2" in status) cat "'"$QF"'/opensmtpd/show-status.out";; queue) cat "'"$QF"'/opensmtpd/show-queue.out";; esac'
run queue --json --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS"
assert_status 0 "smtpctl: OpenSMTPD"
assert_eq "$(j '[.mta, .running, .can_send, .total, .could_leave]')" '["opensmtpd",true,false,3,2]' \
	"opensmtpd: MTA paused, one message held"
assert_eq "$(j '.to_targets')" '["1a2b3c4d"]' "opensmtpd: the envelope whose error names 198.51.100.23"
assert_eq "$(cat "$calls")" "smtpctl [show] [status] LC_ALL=C MAIL_CONFIG=
smtpctl [show] [queue] LC_ALL=C MAIL_CONFIG=" "opensmtpd: smtpctl show status, show queue"
does smtpctl 'case "$2" in status) echo "smtpctl: smtpd doesn'"'"'t seem to be running" >&2; exit 1;; queue) : ;; esac'
run queue --json
assert_eq "$(j '[.running, .can_send, .total]')" '[false,false,0]' "opensmtpd: smtpd not running"

# ---- qmail ----
reset
fake qmail-qstat
fake qmail-qread
does qmail-qstat 'cat "'"$QF"'/qmail/qstat.out"'
does qmail-qread 'cat "'"$QF"'/qmail/qread.out"'
run queue --json
assert_status 0 "qmail-qstat: qmail"
assert_eq "$(j '[.mta, .total, .queues, .listed, .unlisted]')" '["qmail",4,{"queue":3,"todo":1},3,1]' \
	"qmail: 3 listed, 1 not yet preprocessed counted"
assert_eq "$(j '.by_recipient_domain')" '{"example.com":1,"example.net":1,"shop.example.com":1}' \
	"qmail: the recipient done left out"

# ---- Postfix: the command lines ----
reset
fake postconf
fake postfix
fake postqueue
does postconf 'printf "\nsmtp\n\n"'
does postqueue 'cat "'"$QF"'/postfix/postqueue-j.out"'
cfg="$tmp/a dir;touch $tmp/pwned"
run queue --postfix-config "$cfg" --json
assert_status 0 "postfix: fakes"
assert_eq "$(sed -n 1p "$calls")" "postconf [-c] [$cfg] [-h] [defer_transports] [default_transport] [master_service_disable] LC_ALL=C MAIL_CONFIG=" \
	"postfix: postconf -c DIR -h ..., the folder one argument as given"
assert_false "no shell ran the folder's name" test -e "$tmp/pwned"
if [ "$(id -u)" -eq 0 ]; then
	assert_eq "$(sed -n 2p "$calls")" "postfix [-c] [$cfg] [status] LC_ALL=C MAIL_CONFIG=" "postfix: postfix status, as root"
else
	skip "postfix status is run as root only"
fi
assert_eq "$(tail -n 1 "$calls")" "postqueue [-c] [$cfg] [-j] LC_ALL=C MAIL_CONFIG=" "postfix: postqueue -c DIR -j"
: >"$calls"
MAIL_CONFIG=/etc/postfix-out LC_ALL=C.UTF-8 LANG=C.UTF-8 run queue
assert_eq "$(tail -n 1 "$calls")" "postqueue [-j] LC_ALL=C MAIL_CONFIG=/etc/postfix-out" \
	"postfix: MAIL_CONFIG passed on, the locale made C"

# ---- several MTAs ----
# Which runs is read from FPKIT_MTA_PROC, here a folder where nothing
# runs: a Postfix another test starts at the same time is not seen.
mkdir "$tmp/noproc"
FPKIT_MTA_PROC=$tmp/noproc; export FPKIT_MTA_PROC
fake exim4
run queue
assert_status 64 "postfix and exim installed, neither running"
assert_in "$tmp/err" "several mail systems are installed (postfix, exim) and none of them runs: choose one with --mta" \
	"several: the choice asked for"
: >"$calls"
does exim4 'case "$1" in -bpc) echo 0;; esac'
run queue --mta exim --json
assert_eq "$(j .mta)" '"exim"' "--mta exim chooses among them"
assert_not_in "$calls" "postqueue" "--mta exim: no Postfix tool run"
run queue --mta exim --postfix-config /etc/postfix
assert_status 64 "--postfix-config with --mta exim"
# Postfix running (its queue manager, qmgr, a process entry of its own):
# Postfix is the one chosen, without --mta.
mkdir -p "$tmp/oneproc/4243"
echo '4243 (qmgr) S 4242 4242 4242 0 -1 4194560' >"$tmp/oneproc/4243/stat"
FPKIT_MTA_PROC=$tmp/oneproc; export FPKIT_MTA_PROC
run queue --json
assert_eq "$(j .mta)" '"postfix"' "several installed, Postfix's master running: Postfix chosen"
FPKIT_MTA_PROC=$tmp/noproc; export FPKIT_MTA_PROC

# ---- a tool that hangs, one that prints too much ----
reset
fake exim4
does exim4 'sleep 60 & echo $! >"'"$tmp"'/child"; wait'
run queue --tool-timeout 1
assert_status 75 "a tool past --tool-timeout: EX_TEMPFAIL"
assert_in "$tmp/err" "did not finish within 1 seconds" "the time-out said"
# Gone, or a zombie left for init to reap (in a container, it may not).
child_state=$(sed 's/.*) \(.\).*/\1/' "/proc/$(cat "$tmp/child")/stat" 2>/dev/null || echo gone)
case $child_state in
gone|Z) ok "what the tool started is stopped too" ;;
*)
	not_ok "what the tool started is stopped too (state $child_state)"
	kill "$(cat "$tmp/child")"
	;;
esac
run queue --tool-timeout 0
assert_status 64 "--tool-timeout 0"
does exim4 'case "$1" in -bpc) echo 1;; -bp) head -c 67108865 /dev/zero;; esac'
run queue
assert_status 65 "a tool's output one byte over FPKIT_LIMIT_QUEUE_OUTPUT"
assert_in "$tmp/err" "printed more than 67108864 bytes, the limit on what fpkit reads of a mail tool" \
	"the output limit named"
finish
