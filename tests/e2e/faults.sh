#!/bin/sh
# Faults: a full disk, I/O errors and refusals on every file fpkit writes
# (the bundle, --save-api files, standard output, scan --archive's
# bundles, index and folder), signals while a bundle is being written,
# and store files that cannot be read or vanish during the search.
# Faults come from tests/helpers/faultshim.c (LD_PRELOAD), which fails or delays
# chosen calls.  Each failure must give the documented status and a
# message naming the file, leave nothing under the final name and no
# temporary file (.NAME.XXXXXX) behind.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
[ -f "${FAULTSHIM:-}" ] || skip_all "no fault shim built (tests/helpers/faultshim.so)"
# An ASan fpkit wants its runtime first among the libraries; the shim
# comes before it, on purpose.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# faulty VAR=VALUE... -- ARGS...: run fpkit as run() does, with the shim
# and the FAULT_* variables given (tests/helpers/faultshim.c); the shim logs each
# faulted call to $tmp/fault.log, emptied first.
faulty() {
	: >"$tmp/fault.log"
	set +e
	(
		while [ "$1" != -- ]; do export "$1"; shift; done
		shift
		FAULT_LOG=$tmp/fault.log
		LD_PRELOAD=$FAULTSHIM
		export FAULT_LOG LD_PRELOAD
		exec ${FPKIT_VALGRIND:-} "$FPKIT" "$@"
	) >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}

# faulty_bg VAR=VALUE... -- ARGS...: the same in the background; $pid
# is fpkit's process id.  The shim writes $tmp/mark at its first faulted
# call.  $launch, when set, is a command that runs fpkit (e.g. env
# --default-signal=INT).
launch=
faulty_bg() {
	rm -f "$tmp/mark"
	: >"$tmp/fault.log"
	(
		while [ "$1" != -- ]; do export "$1"; shift; done
		shift
		FAULT_LOG=$tmp/fault.log
		FAULT_MARK=$tmp/mark
		LD_PRELOAD=$FAULTSHIM
		export FAULT_LOG FAULT_MARK LD_PRELOAD
		# shellcheck disable=SC2086
		exec $launch ${FPKIT_VALGRIND:-} "$FPKIT" "$@"
	) </dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
}

# wait_mark: wait (30 s at most) until the shim has met its fault in
# the background run; false if fpkit ended first or it took too long.
wait_mark() {
	wm_i=0
	while [ ! -s "$tmp/mark" ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		wm_i=$((wm_i + 1))
		[ $wm_i -lt 600 ] || return 1
		sleep 0.05
	done
}

# reap: wait for the background run; its exit status in $status.
reap() {
	status=0
	wait "$pid" || status=$?
}

# faulted WHAT: the shim did fault a call in the last run (else the test
# proves nothing).
faulted() {
	assert_true "$1: the fault was met" test -s "$tmp/fault.log"
}

# fresh: an empty output folder $O.
fresh() {
	rm -rf "$tmp/o"
	mkdir "$tmp/o"
	O=$tmp/o
}

# stopped STATUS WHAT: the run failed with STATUS and $O holds nothing,
# neither a bundle nor a temporary file.
stopped() {
	assert_status "$1" "$2"
	no_leftovers "$O" "$2: no bundle, no temporary file"
}

# pack into $O/b.tar.gz.
pack_o() {
	faulty "$@" -- pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
		--mail "$DEMO_MAIL" --no-dkim -o "$O/b.tar.gz"
}

# --- The bundle -------------------------------------------------------

fresh
pack_o FAULT_CALL=write FAULT_PATH=/.b.tar.gz. FAULT_ERRNO=ENOSPC
faulted "full disk"
stopped 74 "full disk on the bundle"
assert_in "$tmp/err" "fpkit: cannot write '$O/b.tar.gz': " "full disk: the message names the bundle"
assert_in "$tmp/err" "No space left on device" "full disk: the message says why"
assert_eq "$(wc -c <"$tmp/out")" 0 "full disk: no ticket printed"

# A bundle of many blocks, with the disk full half-way: the writes
# before went to the temporary file, which must go too.
mkdir -p "$tmp/big/cur" "$tmp/big/new" "$tmp/big/tmp"
{
	printf 'From: shop@shop.example.com\nTo: a@example.net\n'
	printf 'Date: Fri, 20 Nov 2026 13:23:00 +0000\nSubject: big\n'
	printf 'Message-ID: <order-10482.1795180980.7d1e@shop.example.com>\n\n'
	head -c 600000 /dev/urandom | od -An -tx1 | tr -d ' '
} >"$tmp/big/cur/1.big:2,S"
fresh
faulty FAULT_CALL=write FAULT_PATH=/.b.tar.gz. FAULT_ERRNO=ENOSPC FAULT_AFTER=5 -- \
	pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/big" \
	--no-dkim -o "$O/b.tar.gz"
faulted "full disk after five blocks"
stopped 74 "full disk after five blocks"
assert_in "$tmp/err" "fpkit: cannot write '$O/b.tar.gz': " "full disk after five blocks: the message"

fresh
pack_o FAULT_CALL=write FAULT_PATH=/.b.tar.gz. FAULT_ERRNO=EIO
faulted "I/O error"
stopped 74 "I/O error on the bundle"
assert_in "$tmp/err" "Input/output error" "I/O error: the message says why"

fresh
pack_o FAULT_CALL=fsync FAULT_PATH=/.b.tar.gz. FAULT_ERRNO=EIO
faulted "fsync"
stopped 74 "fsync fails"
assert_in "$tmp/err" "fpkit: cannot write '$O/b.tar.gz': Input/output error" "fsync: the message"

fresh
pack_o FAULT_CALL=close FAULT_PATH=/.b.tar.gz. FAULT_ERRNO=EDQUOT
faulted "close"
stopped 74 "close fails (a quota met on a network file system)"
assert_in "$tmp/err" "fpkit: cannot write '$O/b.tar.gz': Disk quota exceeded" "close: the message"

fresh
pack_o FAULT_CALL=link FAULT_PATH=/b.tar.gz FAULT_ERRNO=EIO
faulted "link"
stopped 73 "the link to the final name fails"
assert_in "$tmp/err" "fpkit: cannot create '$O/b.tar.gz': Input/output error" "link: the message"

# No hard links on this file system: a check, then a rename.
fresh
pack_o FAULT_CALL=link FAULT_PATH=/b.tar.gz FAULT_ERRNO=EPERM
faulted "no hard links"
assert_status 0 "no hard links: the bundle is renamed into place"
assert_eq "$(ls -A "$O")" b.tar.gz "no hard links: the bundle and nothing else"
run verify "$O/b.tar.gz"
assert_status 0 "no hard links: the bundle is whole"
cp "$O/b.tar.gz" "$tmp/b.before"
pack_o FAULT_CALL=link FAULT_PATH=/b.tar.gz FAULT_ERRNO=EPERM
assert_status 73 "no hard links, the name taken"
assert_in "$tmp/err" "fpkit: '$O/b.tar.gz' already exists" "no hard links, the name taken: the message"
assert_eq "$(ls -A "$O")" b.tar.gz "no hard links, the name taken: no temporary file"
assert_true "no hard links, the name taken: the old bundle untouched" cmp -s "$tmp/b.before" "$O/b.tar.gz"

# --force: a rename over the old bundle, which stays whole if it fails.
faulty FAULT_CALL=rename FAULT_PATH=/b.tar.gz FAULT_ERRNO=EIO -- \
	pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/big" \
	--no-dkim -o "$O/b.tar.gz" --force
faulted "rename"
assert_status 73 "--force and the rename fails"
assert_in "$tmp/err" "fpkit: cannot create '$O/b.tar.gz': Input/output error" "rename: the message"
assert_eq "$(ls -A "$O")" b.tar.gz "rename: no temporary file"
assert_true "rename: the old bundle untouched" cmp -s "$tmp/b.before" "$O/b.tar.gz"

fresh
pack_o FAULT_CALL=mkstemp FAULT_PATH=/.b.tar.gz. FAULT_ERRNO=EACCES
faulted "mkstemp"
stopped 73 "no temporary file can be made"
assert_in "$tmp/err" "fpkit: cannot create a file in '$O': Permission denied" "mkstemp: the message"

fresh
pack_o FAULT_CALL=fchmod FAULT_PATH=/.b.tar.gz. FAULT_ERRNO=EPERM
faulted "fchmod"
stopped 73 "the mode cannot be set"
assert_in "$tmp/err" "fpkit: cannot set the mode of '$O/.b.tar.gz." "fchmod: the message"

# The ticket on a full standard output: the bundle is written, the
# status says the ticket was lost.
if [ -w /dev/full ]; then
	fresh
	set +e
	fpkit pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
		--no-dkim -o "$O/b.tar.gz" >/dev/full 2>"$tmp/err"
	status=$?
	set -e
	assert_status 74 "the ticket on a full standard output"
	assert_in "$tmp/err" "fpkit: cannot write standard output: No space left on device" \
		"full standard output: the message"
	assert_eq "$(ls -A "$O")" b.tar.gz "full standard output: the bundle, no temporary file"
else
	skip "the ticket on a full standard output: no writable /dev/full"
fi

# --- Signals while the bundle is written -------------------------------

# The bundle's first write waits 30 s; the signal comes in that wait.
# A shell may start background jobs with SIGINT ignored (dash does), and
# 'nohup make check' has every test ignore SIGHUP: fpkit gets the signal's
# default back first, as a terminal's Ctrl-C or a hang-up would find it.
default_signal=
! env --default-signal=INT true 2>/dev/null || default_signal=yes
# signalled SIGNAL STATUS
signalled() {
	sg_sig=$1
	sg_status=$2
	fresh
	[ -z "$default_signal" ] || launch="env --default-signal=$sg_sig"
	faulty_bg FAULT_CALL=write FAULT_PATH=/.b.tar.gz. FAULT_DELAY_MS=30000 -- \
		pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
		--mail "$DEMO_MAIL" --no-dkim -o "$O/b.tar.gz"
	launch=
	if ! wait_mark; then
		reap
		not_ok "SIG$sg_sig: the bundle's write was never reached (exit $status)"
		return 0
	fi
	assert_true "SIG$sg_sig: the temporary file is there when the signal comes" \
		sh -c "ls -A '$O' | grep -q '^\.b\.tar\.gz\.......\$'"
	t0=$(date +%s)
	kill -"$sg_sig" "$pid"
	reap
	t1=$(date +%s)
	stopped "$sg_status" "SIG$sg_sig while the bundle is written"
	assert_true "SIG$sg_sig: fpkit stops at once ($((t1 - t0)) s)" test $((t1 - t0)) -lt 10
	assert_eq "$(wc -c <"$tmp/out")" 0 "SIG$sg_sig: no ticket printed"
}
signalled TERM 143
signalled HUP 129
if [ -n "$default_signal" ]; then
	signalled INT 130
else
	skip "SIGINT while the bundle is written: env --default-signal (coreutils 8.31) is not supported"
fi

# SIGPIPE is ignored (a closed pipe is a write error), and so is a
# signal ignored on entry (here SIGHUP, under nohup): the run goes on
# once the write's 2 s wait is over.
for sig in PIPE HUP; do
	[ $sig = HUP ] && launch=nohup
	fresh
	faulty_bg FAULT_CALL=write FAULT_PATH=/.b.tar.gz. FAULT_DELAY_MS=2000 -- \
		pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
		--mail "$DEMO_MAIL" --no-dkim -o "$O/b.tar.gz"
	launch=
	if wait_mark; then
		kill -"$sig" "$pid"
		reap
		assert_status 0 "SIG$sig ignored: the run goes on"
		assert_eq "$(ls -A "$O")" b.tar.gz "SIG$sig ignored: the bundle is written"
	else
		reap
		not_ok "SIG$sig ignored: the bundle's write was never reached (exit $status)"
	fi
done

# SIGTERM while the store is read by several threads: one of them waits
# in openat; the run stops at once all the same, having written nothing.
mkdir -p "$tmp/many/cur" "$tmp/many/new"
cp "$DEMO_MAIL"/cur/* "$DEMO_MAIL"/new/* "$tmp/many/cur/"
i=0
while [ $i -lt 40 ]; do
	printf 'From: a@example.com\nMessage-ID: <filler-%d@example.com>\n\nfiller\n' $i \
		>"$tmp/many/cur/filler-$i:2,S"
	i=$((i + 1))
done
fresh
faulty_bg FAULT_CALL=openat FAULT_PATH=/filler-20: FAULT_DELAY_MS=30000 -- \
	pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
	--mail "$tmp/many" --no-dkim -o "$O/b.tar.gz"
if wait_mark; then
	t0=$(date +%s)
	kill -TERM "$pid"
	reap
	t1=$(date +%s)
	stopped 143 "SIGTERM during a threaded store scan"
	assert_true "SIGTERM during the scan: fpkit stops at once ($((t1 - t0)) s)" test $((t1 - t0)) -lt 10
else
	reap
	not_ok "SIGTERM during the scan: the store was never read (exit $status)"
fi

# --- Mail stores that fail under fpkit ----------------------------------

ORDER_FILE=1795180981.M731554P4268.mx1.shop.example.com,S=2771,W=2840
ORDER_ID=order-10482.1795180980.7d1e@shop.example.com

# A message file that cannot be opened (chmod 000 for an ordinary user;
# root reads it anyway, so the shim's EACCES stands for it).
fresh
pack_o FAULT_CALL=openat FAULT_PATH="/$ORDER_FILE" FAULT_ERRNO=EACCES
faulted "unreadable message"
assert_status 0 "an unreadable message file: the bundle is written"
assert_in "$tmp/err" "fpkit: warning: skipped '$DEMO_MAIL/new/$ORDER_FILE': Permission denied" \
	"unreadable: a warning names the file and says why"
assert_in "$tmp/err" "fpkit: warning: not found: <$ORDER_ID>" "unreadable: its message is reported missing"
assert_in "$tmp/err" "1 sample, 2 of 3 targets not found" "unreadable: the other message is still packed"
assert_eq "$(ls -A "$O")" b.tar.gz "unreadable: the bundle, no temporary file"
# A real mode 000, for a user the mode stops (root runs this as nobody).
if [ -z "$UNPRIV_MISSING" ]; then
	rm -rf "$tmp/m000"
	cp -R "$DEMO_MAIL" "$tmp/m000"
	chmod 000 "$tmp/m000/new/$ORDER_FILE"
	fresh
	chmod 777 "$O"
	run_unpriv pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/m000" \
		--no-dkim -o "$O/b.tar.gz"
	assert_status 0 "a message file of mode 000"
	assert_in "$tmp/err" "fpkit: warning: skipped '$tmp/m000/new/$ORDER_FILE': Permission denied" \
		"mode 000: the warning"
	assert_in "$tmp/err" "1 sample, 2 of 3 targets not found" "mode 000: the rest is packed"
	chmod 600 "$tmp/m000/new/$ORDER_FILE"
else
	skip "a message file of mode 000: $UNPRIV_MISSING"
fi

# A folder that cannot be opened.
fresh
pack_o FAULT_CALL=openat FAULT_PATH=/Maildir/new FAULT_ERRNO=EACCES
faulted "unreadable folder"
assert_status 0 "an unreadable folder"
assert_in "$tmp/err" "fpkit: warning: skipped folder '$DEMO_MAIL/new': Permission denied" \
	"unreadable folder: the warning"
assert_in "$tmp/err" "1 sample, 2 of 3 targets not found" "unreadable folder: the rest is packed"

# A read error in the middle of the search.
fresh
pack_o FAULT_CALL=read FAULT_PATH="/$ORDER_FILE" FAULT_ERRNO=EIO
faulted "read error"
assert_status 0 "a message file with a read error"
assert_in "$tmp/err" "fpkit: warning: skipped '$DEMO_MAIL/new/$ORDER_FILE': Input/output error" \
	"read error: the warning"
assert_in "$tmp/err" "1 sample, 2 of 3 targets not found" "read error: the rest is packed"

# A message file listed by readdir and gone when opened.
fresh
pack_o FAULT_CALL=openat FAULT_PATH="/$ORDER_FILE" FAULT_ERRNO=ENOENT
faulted "vanished"
assert_status 0 "a message file vanished during the scan"
assert_in "$tmp/err" "fpkit: warning: skipped '$DEMO_MAIL/new/$ORDER_FILE': vanished during the scan" \
	"vanished: the warning"
assert_in "$tmp/err" "1 sample, 2 of 3 targets not found" "vanished: the rest is packed"

# Found, then gone before it is packed: left out with a warning, and
# its target counts as not found; the others are packed (a mailbox
# owner who deletes a message must not stop root's run).
GONE=$tmp/gone
cp -R "$DEMO_MAIL" "$GONE"
fresh
faulty_bg FAULT_CALL=open FAULT_PATH="/$ORDER_FILE" FAULT_DELAY_MS=1500 FAULT_TIMES=1 -- \
	pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$GONE" \
	--no-dkim -o "$O/b.tar.gz"
if wait_mark; then
	rm "$GONE/new/$ORDER_FILE"
	ok "gone before packing: deleted while fpkit waited"
else
	not_ok "gone before packing: the shim's delay was never met"
fi
reap
assert_status 0 "a message found, then gone before it is packed"
assert_in "$tmp/err" "fpkit: warning: left out a message: cannot open '$GONE/new/$ORDER_FILE' again: No such file or directory" \
	"gone before packing: the warning"
assert_in "$tmp/err" "1 sample, 2 of 3 targets not found" "gone before packing: the rest is packed"
rm -rf "$GONE"

# --- A store file changed between the search and the packing ----------
# The search reads a decoy that holds a target's Message-ID; while the
# pack waits to open it again (the shim delays that open), the store's
# owner puts something else in its place.  fpkit reads only the file the
# search read: a link, a FIFO or another file is left out, and the
# secret never reaches the bundle.
RACE=$tmp/race
SECRET=$tmp/secret.conf
printf 'Message-ID: <order-10482.1795180980.7d1e@shop.example.com>\n[default]\napplication_secret=SECRET-RACE-TOKEN\n' >"$SECRET"
chmod 600 "$SECRET"
# race_pack SWAP WHAT: pack the decoy store, run SWAP while the sample's
# open waits, then check that the secret was kept out.  The decoy is the
# only target found, so once it is left out nothing is packed: without
# --allow-empty that is status 1 and no bundle; with it, the bundle is
# written and can be searched for the secret.
race_pack() {
	rm -rf "$RACE"
	mkdir -p "$RACE/cur" "$RACE/new" "$RACE/tmp"
	cp "$DEMO_MAIL/new/$ORDER_FILE" "$RACE/cur/decoy:2,S"
	fresh
	faulty_bg FAULT_CALL=open FAULT_PATH=/decoy FAULT_DELAY_MS=1500 FAULT_TIMES=1 -- \
		pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$RACE" \
		--no-dkim --allow-empty -o "$O/b.tar.gz"
	if wait_mark; then
		eval "$1"
		ok "$2: swapped while fpkit waited"
	else
		not_ok "$2: the shim's delay was never met"
	fi
	set +e
	timeout 60 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done"
	set -e
	reap
	san_check "$2" || :
	assert_status 0 "$2: the bundle is written (--allow-empty)"
	assert_in "$tmp/err" "fpkit: warning: left out a message:" "$2: the sample is left out, said so"
	assert_in "$tmp/err" "nothing found in the 1 message read" "$2: the bundle is said to hold no message"
	mkdir "$tmp/rx"
	tar -xzf "$O/b.tar.gz" -C "$tmp/rx"
	if grep -rq SECRET-RACE-TOKEN "$tmp/rx"; then
		not_ok "$2: the secret reached the bundle"
	else
		ok "$2: the secret is not in the bundle"
	fi
	rm -rf "$tmp/rx"
}
race_pack 'ln -sf "$SECRET" "$RACE/cur/decoy:2,S"' "swapped for a symlink to a secret"
assert_in "$tmp/err" "it became a symbolic link since it was searched" "symlink swap: the reason"
race_pack 'cp "$SECRET" "$RACE/cur/new-file" && mv -f "$RACE/cur/new-file" "$RACE/cur/decoy:2,S"' \
	"replaced by another regular file"
assert_in "$tmp/err" "is no longer the file that was searched (replaced since)" "replaced: the reason"
race_pack 'rm -f "$RACE/cur/decoy:2,S" && mkfifo "$RACE/cur/decoy:2,S"' "swapped for a FIFO"
assert_in "$tmp/err" "is no longer the file that was searched" "FIFO: left out, no hang"

# A Maildir message that a mail client reads between the search and the
# packing moves from new/ to cur/ with flags: the same file, still
# packed, under its new name.
rm -rf "$RACE"
mkdir -p "$RACE/cur" "$RACE/new" "$RACE/tmp"
cp "$DEMO_MAIL/new/$ORDER_FILE" "$RACE/new/1795.M1.host"
fresh
faulty_bg FAULT_CALL=open FAULT_PATH=/1795.M1.host FAULT_DELAY_MS=1500 FAULT_TIMES=1 -- \
	pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$RACE" \
	--no-dkim -o "$O/b.tar.gz" --json
if wait_mark; then
	mv "$RACE/new/1795.M1.host" "$RACE/cur/1795.M1.host:2,S"
	ok "moved to cur/ while fpkit waited"
else
	not_ok "moved to cur/: the shim's delay was never met"
fi
reap
assert_status 0 "a message moved to cur/ before it is packed"
assert_eq "$(jq -r '.samples[0].source' "$tmp/out")" "$RACE/cur/1795.M1.host:2,S" \
	"moved: packed from its new name"
assert_not_in "$tmp/err" "left out" "moved: not left out"
rm -rf "$RACE"
fresh
pack_o FAULT_CALL=pread FAULT_PATH="/$ORDER_FILE" FAULT_ERRNO=EIO
faulted "read error while packing"
stopped 74 "a read error while the message is packed"
assert_in "$tmp/err" "fpkit: cannot read '$DEMO_MAIL/new/$ORDER_FILE': Input/output error" \
	"read error while packing: the message"

# A message replaced while fpkit packs it: its bytes are read once, from
# the descriptor the sample was opened on, so the sum, the checks,
# report.arf and the bundle all see the same bytes, those of the file
# the search read.  The sample's one read is held 2 s, its file already
# open, while a changed copy is moved into its place: the bundle still
# holds the original, SHA256SUMS describes it, and the run succeeds.
# The reads are counted by a first run that holds none.  The control:
# the same run, the file left alone.
mkdir -p "$tmp/chg"
cp "$DEMO_MAIL/new/$ORDER_FILE" "$tmp/chg/order.eml"
fresh
faulty FAULT_CALL=pread FAULT_PATH=/chg/order.eml FAULT_DELAY_MS=1 -- \
	pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$tmp/chg" \
	--no-dkim -o "$O/b.tar.gz"
reads=$(grep -c . "$tmp/fault.log" || :)
assert_eq "$reads" 1 "the sample's bytes are read once for the bundle"
for held in none 0; do
	cp "$DEMO_MAIL/new/$ORDER_FILE" "$tmp/chg/order.eml"
	fresh
	faulty_bg FAULT_CALL=pread FAULT_PATH=/chg/order.eml FAULT_AFTER=${held#none} FAULT_TIMES=1 \
		FAULT_DELAY_MS=2000 -- pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
		--mail "$tmp/chg" --no-dkim -o "$O/b.tar.gz"
	if wait_mark; then
		if [ "$held" != none ]; then
			sed 's/^Subject: /Subject: (changed) /' "$tmp/chg/order.eml" >"$tmp/chg/new"
			mv "$tmp/chg/new" "$tmp/chg/order.eml"
		fi
		reap
		what=$([ "$held" = none ] && echo "control: the message left alone" ||
			echo "a message replaced during its read")
		assert_status 0 "$what"
		rm -rf "$tmp/chgx"
		mkdir "$tmp/chgx"
		tar -xzf "$O/b.tar.gz" -C "$tmp/chgx"
		assert_true "$what: the bundle holds the message the search read" \
			cmp -s "$DEMO_MAIL/new/$ORDER_FILE" "$tmp"/chgx/*/samples/01-*.eml
		assert_true "$what: SHA256SUMS describes the bundle" \
			sh -c 'cd "$1"/* && sha256sum -c --quiet SHA256SUMS' sh "$tmp/chgx"
	else
		reap
		not_ok "the read of $tmp/chg/order.eml was never held (exit $status)"
	fi
done

# The same store gives the same result whatever the timing: a message
# file reached by two paths (a hard link) is reported under the path that
# sorts first, even when the reading threads meet the other one first
# (the open of the first one delayed while the other threads read the
# 200 files queued around it, then the one in b/).
mkdir -p "$tmp/twice/a" "$tmp/twice/b"
i=1
while [ "$i" -le 200 ]; do
	printf 'Message-ID: <pad%d@example.org>\n\nbody\n' "$i" >"$tmp/twice/a/pad$i.eml"
	i=$((i + 1))
done
printf 'Message-ID: <linked@example.org>\n\nbody\n' >"$tmp/twice/b/x.eml"
ln "$tmp/twice/b/x.eml" "$tmp/twice/a/x.eml"
faulty FAULT_CALL=openat FAULT_PATH=/twice/a/x.eml FAULT_DELAY_MS=1000 -- \
	find --msgid linked@example.org "$tmp/twice"
assert_status 0 "a hard-linked message, its first path read last"
assert_true "the delay was met" test -s "$tmp/fault.log"
assert_eq "$(cut -f2 "$tmp/out")" "$tmp/twice/a/x.eml" "it is reported under the path that sorts first"
# The same for the messages sent before the block (pack --before-block).
printf 'Received: from mx1.shop.example.com ([203.0.113.7]) by mx1.shop.example.com with LMTP; Fri, 20 Nov 2026 14:00:00 +0100\nMessage-ID: <linked@example.org>\nDate: Fri, 20 Nov 2026 13:00:00 +0000\n\nbody\n' \
	>"$tmp/twice/b/x.eml"
faulty FAULT_CALL=openat FAULT_PATH=/twice/a/x.eml FAULT_DELAY_MS=1000 -- \
	pack --spam-ip-json "$DEMO_SPAMIP" --mail "$tmp/twice" --before-block 1 \
	--no-dkim --json -o "$tmp/twice.tar.gz"
assert_status 0 "--before-block over a hard-linked message, its first path read last"
assert_eq "$(jq -r '.samples[0].source' "$tmp/out")" "$tmp/twice/a/x.eml" \
	"--before-block keeps the path that sorts first"

# The same, for real: files removed while fpkit reads the folder.  The
# shim only slows each open after the first 20 down (100 ms), so that the
# files can be removed in the middle of the scan, after the folder was
# listed; the kernel then says ENOENT.
rm -rf "$tmp/race"
mkdir -p "$tmp/race/cur" "$tmp/race/new"
cp "$DEMO_MAIL"/cur/* "$DEMO_MAIL"/new/* "$tmp/race/cur/"
i=0
while [ $i -lt 200 ]; do
	printf 'From: a@example.com\nMessage-ID: <filler-%d@example.com>\n\nfiller\n' $i \
		>"$tmp/race/cur/filler-$i:2,S"
	i=$((i + 1))
done
faulty_bg FAULT_CALL=openat FAULT_PATH=/race/cur/ FAULT_AFTER=20 FAULT_DELAY_MS=100 -- \
	find --msgid "$ORDER_ID" --msgid nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com "$tmp/race"
if wait_mark; then
	find "$tmp/race/cur" -name 'filler-*' -delete
	reap
	assert_status 0 "files removed during the scan: every target found"
	assert_eq "$(grep -v "^fpkit: warning: skipped '$tmp/race/cur/filler-[0-9]*:2,S': vanished during the scan\$" "$tmp/err" || :)" \
		"" "files removed during the scan: no other message"
	vanished=$(grep -c 'vanished during the scan' "$tmp/err" || :)
	assert_true "files removed during the scan: reported ($vanished files)" test "$vanished" -ge 100
	assert_eq "$(cut -f1 "$tmp/out" | sort -u | tr '\n' ' ')" \
		"nl.bf2026-preview.r1188.a41f7c09@news.shop.example.com $ORDER_ID " \
		"files removed during the scan: the targets are printed"
else
	reap
	not_ok "files removed during the scan: the scan was never slowed (exit $status)"
fi

# --- --save-api and scan --archive (the fake API) ------------------------

. "$E2E/fakeapi.sh"
if [ ! -x "$FAKE_OVH" ]; then
	skip "--save-api and scan --archive faults: no fake-ovh server built"
	finish
	exit $?
fi
. "$E2E/archive-lib.sh"

# --save-api: each answer file through its own temporary file.
fresh
mkdir "$tmp/api"
faulty FAULT_CALL=write FAULT_PATH=/.stats.json. FAULT_ERRNO=ENOSPC -- \
	pack --ip "$IP7" --mail "$DEMO_MAIL" --no-dkim -o "$O/b.tar.gz" --save-api "$tmp/api"
faulted "--save-api full disk"
stopped 74 "--save-api on a full disk"
assert_in "$tmp/err" "fpkit: cannot write '$tmp/api/stats.json': No space left on device" \
	"--save-api full disk: the message names the file"
assert_eq "$(ls -A "$tmp/api")" spam-ip.json "--save-api full disk: the file before it, no temporary file"
rm -f "$tmp/api"/*
faulty FAULT_CALL=rename FAULT_PATH=/spam-ip.json FAULT_ERRNO=EIO -- \
	pack --ip "$IP7" --mail "$DEMO_MAIL" --no-dkim -o "$O/b.tar.gz" --save-api "$tmp/api"
faulted "--save-api rename"
stopped 73 "--save-api: the rename fails"
assert_in "$tmp/err" "fpkit: cannot create '$tmp/api/spam-ip.json': Input/output error" \
	"--save-api rename: the message"
no_leftovers "$tmp/api" "--save-api rename: nothing left"

# scan --archive: a full disk on the second event's bundle; the others
# are archived, the failed one is retried by the next run.
A=$tmp/arch
faulty FAULT_CALL=write FAULT_PATH="/.$B7." FAULT_ERRNO=ENOSPC -- \
	scan --archive "$A" --mail "$DEMO_MAIL" --no-dkim --rate 100000
faulted "archive full disk"
assert_status 74 "scan --archive: a full disk on one bundle"
assert_in "$tmp/err" "cannot write '$A/$B7': Write error: No space left on device" \
	"scan --archive full disk: the message names the bundle"
assert_eq "$(index_names "$A")" "$B5 $B9" "scan --archive full disk: the other events archived"
assert_true "scan --archive full disk: the index matches the folder, no temporary file" index_matches "$A"
archive "$A"
assert_status 0 "scan --archive: the next run"
assert_eq "$(index_names "$A")" "$B5 $B7 $B9" "the next run archives the event that failed"
assert_not_in "$tmp/err" "removed" "the next run has nothing to remove"

# The index line cannot be appended: the bundle stays, and the next run
# lists it.
A=$tmp/arch2
faulty FAULT_CALL=write FAULT_PATH=/index.jsonl FAULT_AFTER=1 FAULT_ERRNO=EIO -- \
	scan --archive "$A" --mail "$DEMO_MAIL" --no-dkim --rate 100000
faulted "index append"
assert_status 74 "scan --archive: the index cannot be written"
assert_in "$tmp/err" "cannot write '$A/index.jsonl': Input/output error" "index append: the message"
archive "$A"
assert_status 0 "index append: the next run"
assert_in "$tmp/err" "was not in the index (a run was stopped before listing it): added" \
	"index append: the next run lists the bundle"
assert_true "index append: the index matches the folder" index_matches "$A"

# The folder cannot be created.
A=$tmp/arch3
faulty FAULT_CALL=mkdir FAULT_PATH=/arch3 FAULT_ERRNO=EACCES -- \
	scan --archive "$A" --mail "$DEMO_MAIL" --no-dkim --rate 100000
faulted "archive mkdir"
assert_status 73 "scan --archive: the folder cannot be created"
assert_in "$tmp/err" "fpkit: archive: cannot create folder '$A': Permission denied" "mkdir: the message"
assert_false "mkdir: no folder" test -e "$A"

# SIGTERM while the third bundle is written: its temporary file goes,
# the lock is let go, and the next run finds nothing to repair.
A=$tmp/arch4
faulty_bg FAULT_CALL=write FAULT_PATH="/.$B9." FAULT_DELAY_MS=30000 -- \
	scan --archive "$A" --mail "$DEMO_MAIL" --no-dkim --rate 100000
if wait_mark; then
	assert_true "scan --archive SIGTERM: the temporary file is there" \
		sh -c "ls -A '$A' | grep -q '^\.$B9\.......\$'"
	kill -TERM "$pid"
	reap
	assert_status 143 "scan --archive: SIGTERM while a bundle is written"
	assert_true "scan --archive SIGTERM: the index matches the folder, no temporary file" \
		index_matches "$A"
	assert_eq "$(index_names "$A")" "$B5 $B7" "scan --archive SIGTERM: the bundles before it"
	if command -v flock >/dev/null 2>&1; then
		assert_true "scan --archive SIGTERM: the lock is free" flock -n "$A/.lock" true
	else
		skip "scan --archive SIGTERM: whether the lock is free: flock(1) (util-linux) is not installed"
	fi
	archive "$A"
	assert_status 0 "scan --archive SIGTERM: the next run"
	assert_eq "$(index_names "$A")" "$B5 $B7 $B9" "scan --archive SIGTERM: the next run completes it"
	assert_not_in "$tmp/err" "left by a run that was stopped" "scan --archive SIGTERM: no file to remove"
	assert_not_in "$tmp/err" "was not in the index" "scan --archive SIGTERM: no bundle to list"
	assert_not_in "$tmp/err" "dropped" "scan --archive SIGTERM: no line to drop"
else
	reap
	not_ok "scan --archive SIGTERM: the bundle's write was never reached (exit $status)"
fi

assert_true "the fake API stops cleanly" fakeapi_stop
assert_eq "$FAKE_BAD_STOPS" 0 "the fake API stopped cleanly each time"
finish
