#!/bin/sh
# pack --unpacked: the bundle also as a plain folder beside the tarball.
# Its tree is what tar extracts from the tarball (names, types, modes,
# sizes, times, bytes); sha256sum -c passes in it and fpkit verify reads
# it.  An existing tarball or folder is refused without --force, with
# nothing written; --force replaces only a bundle's folder.  A failure
# part-way (a full disk, a rename refused), or a signal, leaves neither
# the folder nor the tarball nor a temporary folder; a file system
# without renameat2 gets the same result by its fallbacks.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"

top=${DEMO_BUNDLE%.tar.gz}
LOG="$DEMO/log/mail.log"

# pack_u DIR ARGS...: pack the demo case with --unpacked into folder DIR
# (made if need be).
pack_u() {
	pu_dir=$1
	shift
	mkdir -p "$pu_dir"
	run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
		--maillog "$LOG" --no-dkim --unpacked -o "$pu_dir/" "$@"
}

# tree DIR: every name below DIR with its type, mode, size (files) and
# modification time, one a line, sorted.
tree() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %s %T@\n' |
		awk '$2 == "d" { $4 = "-" } { print }' | sort)
}

# snapshot DIR: tree and bytes of DIR, to tell whether it changed.
snapshot() {
	tree "$1"
	(cd "$1" && find . -type f -exec sha256sum {} + | sort)
}

# --- The folder is the tarball's tree. ---
pack_u "$tmp/o"
assert_status 0 "pack --unpacked"
assert_true "the tarball is written" test -f "$tmp/o/$DEMO_BUNDLE"
assert_true "the folder is written beside it, named as its top folder" test -d "$tmp/o/$top"
assert_eq "$(ls -A "$tmp/o" | tr '\n' ' ')" "$top $DEMO_BUNDLE " "nothing else beside them"
assert_in "$tmp/err" "fpkit: wrote folder '$tmp/o/$top' too" "pack says where the folder is"
mkdir "$tmp/x"
tar -xpzf "$tmp/o/$DEMO_BUNDLE" -C "$tmp/x"
tree "$tmp/x/$top" >"$tmp/want"
tree "$tmp/o/$top" >"$tmp/got"
if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
	ok "the folder has the tarball's names, types, modes, sizes and times"
else
	not_ok "the folder's tree differs from the tarball's"
	diff "$tmp/want" "$tmp/got" | head -20 | sed 's/^/#   /'
fi
assert_true "the folder's files are the tarball's, byte for byte" diff -r "$tmp/x/$top" "$tmp/o/$top"
assert_eq "$(find "$tmp/o/$top" -type f | wc -l | tr -d ' ')" \
	"$(tar -tzf "$tmp/o/$DEMO_BUNDLE" | grep -vc '/$')" "as many files as the tarball"
assert_eq "$(find "$tmp/o/$top" -type f ! -perm 600 | wc -l | tr -d ' ')" 0 "every file has mode 0600"
assert_eq "$(find "$tmp/o/$top" -type d ! -perm 700 | wc -l | tr -d ' ')" 0 "every folder has mode 0700"
assert_eq "$(stat -c %Y "$tmp/o/$top/samples")" 1795181527 "a folder's time is the block time"
ls "$tmp/o/$top/samples" >"$tmp/names"
assert_eq "$(grep -c '\.eml$' "$tmp/names")" 2 "the samples are loose .eml files"
if (cd "$tmp/o/$top" && sha256sum -c --quiet SHA256SUMS) >"$tmp/sums" 2>&1; then
	ok "sha256sum -c SHA256SUMS passes inside the folder"
else
	not_ok "sha256sum -c fails in the folder: $(head -3 "$tmp/sums")"
fi
run verify "$tmp/o/$top"
assert_status 0 "fpkit verify reads the folder"
run verify "$tmp/o/$DEMO_BUNDLE"
n_tar=$(sed 's/.*OK, \([0-9]*\) files.*/\1/' "$tmp/out")
run verify "$tmp/o/$top"
assert_eq "$(cat "$tmp/out")" "$tmp/o/$top: OK, $n_tar files match SHA256SUMS" \
	"verify: the folder has as many files as the tarball"

# -o naming the tarball: the folder goes beside it, named as its top
# folder.
mkdir "$tmp/n"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" \
	--no-dkim --unpacked -o "$tmp/n/mine.tar.gz" --json
assert_status 0 "pack --unpacked -o FILE"
assert_eq "$(ls -A "$tmp/n" | tr '\n' ' ')" "$top mine.tar.gz " "-o FILE: the folder beside it"
assert_in "$tmp/out" "\"folder\": \"$tmp/n/$top\"" "--json: the folder's path"

# Whatever the umask, the same modes.
mkdir "$tmp/u"
(umask 000 && pack_u "$tmp/u" && echo "$status" >"$tmp/u.status")
assert_eq "$(cat "$tmp/u.status")" 0 "pack --unpacked under umask 000"
assert_eq "$(find "$tmp/u/$top" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \) | wc -l | tr -d ' ')" \
	0 "umask 000: files 0600, folders 0700"

# verify finds a changed file, a link and a pipe in a folder.
cp -R "$tmp/o/$top" "$tmp/bad-folder"
printf 'x' >>"$tmp/bad-folder/TICKET.txt"
ln -s /etc/passwd "$tmp/bad-folder/api/link"
mkfifo "$tmp/bad-folder/pipe"
run verify "$tmp/bad-folder"
assert_status 65 "verify: a changed folder fails"
assert_in "$tmp/err" "TICKET.txt: SHA-256 does not match SHA256SUMS" "verify: the changed file"
assert_in "$tmp/err" "entry 'bad-folder/api/link': refused: a link" "verify: the link, not followed"
assert_in "$tmp/err" "entry 'bad-folder/pipe': refused: not a file or folder" "verify: the pipe, not opened"

# Folders one inside another: 16 with the top one are read (an empty
# folder is no problem), a 17th is not.
cp -R "$tmp/o/$top" "$tmp/deep"
mkdir -p "$tmp/deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o"
run verify "$tmp/deep"
assert_status 0 "verify: 16 folders one inside another, at the limit"
mkdir "$tmp/deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"
run verify "$tmp/deep"
assert_status 65 "verify: 17 folders, one over the limit"
assert_in "$tmp/err" "entry 'deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p': deeper than the limit of 16 folders: not read" \
	"verify: the folder over the limit is named"

# Entries: 10000 are read, one more is a problem.
mkdir -p "$tmp/many/many"
(cd "$tmp/many/many" && seq 1 9999 | xargs touch)
run verify "$tmp/many"
assert_not_in "$tmp/err" "entries" "verify: a folder of 10000 entries, at the limit"
touch "$tmp/many/many/10000"
run verify "$tmp/many"
assert_in "$tmp/err" "more than the limit of 10000 entries: not read further" \
	"verify: a folder of 10001 entries, one over the limit"

# --- Existing names. ---
# A folder of that name, no --force: refused, nothing written.
rm "$tmp/o/$DEMO_BUNDLE"
printf 'mine\n' >"$tmp/o/$top/marker"
snapshot "$tmp/o" >"$tmp/before"
pack_u "$tmp/o"
assert_status 73 "an existing folder without --force is refused"
assert_in "$tmp/err" "fpkit: '$tmp/o/$top' already exists: remove it, write elsewhere with -o, or use --force" \
	"the refusal names the folder"
snapshot "$tmp/o" >"$tmp/after"
assert_true "the existing folder refused: nothing changed, no tarball written" cmp -s "$tmp/before" "$tmp/after"

# A tarball of that name, no --force: refused, no folder written.
mkdir "$tmp/t"
printf 'old\n' >"$tmp/t/$DEMO_BUNDLE"
pack_u "$tmp/t"
assert_status 73 "an existing tarball without --force is refused"
assert_eq "$(ls -A "$tmp/t" | tr '\n' ' ')" "$DEMO_BUNDLE " "the existing tarball refused: no folder written"
assert_eq "$(cat "$tmp/t/$DEMO_BUNDLE")" old "the existing tarball refused: it is untouched"

# --force replaces a bundle's folder whole: the old files go.
pack_u "$tmp/o" --force
assert_status 0 "--force replaces a bundle's folder"
assert_false "--force: the old folder's extra file is gone" test -e "$tmp/o/$top/marker"
assert_true "--force: the new folder is the tarball's tree" diff -r "$tmp/x/$top" "$tmp/o/$top"
assert_eq "$(ls -A "$tmp/o" | tr '\n' ' ')" "$top $DEMO_BUNDLE " "--force: nothing left of the old folder"

# --force does not replace a folder that is not a bundle's, nor a file.
mkdir -p "$tmp/f/$top"
printf 'precious\n' >"$tmp/f/$top/notes.txt"
snapshot "$tmp/f" >"$tmp/before"
pack_u "$tmp/f" --force
assert_status 73 "--force: a folder without SHA256SUMS is refused"
assert_in "$tmp/err" "'$tmp/f/$top' exists and is no bundle folder (it holds no SHA256SUMS)" \
	"--force: the refusal says why"
snapshot "$tmp/f" >"$tmp/after"
assert_true "--force refused: nothing changed, no tarball written" cmp -s "$tmp/before" "$tmp/after"
mkdir "$tmp/g"
printf 'a file\n' >"$tmp/g/$top"
pack_u "$tmp/g" --force
assert_status 73 "--force: a file where the folder goes is refused"
assert_eq "$(cat "$tmp/g/$top")" "a file" "--force refused: the file is untouched"

# --- Faults (tests/helpers/faultshim.c). ---
if [ ! -f "${FAULTSHIM:-}" ]; then
	skip "faults while the folder is written: no fault shim built"
	finish
	exit $?
fi
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# faulty DIR VAR=VALUE... -- ARGS...: pack_u into DIR with the shim and
# the FAULT_* variables given; the faulted calls logged in $tmp/fault.log.
faulty() {
	fy_dir=$1
	shift
	mkdir -p "$fy_dir"
	: >"$tmp/fault.log"
	set +e
	(
		while [ "$1" != -- ]; do export "$1"; shift; done
		shift
		FAULT_LOG=$tmp/fault.log
		LD_PRELOAD=$FAULTSHIM
		export FAULT_LOG LD_PRELOAD
		exec ${FPKIT_VALGRIND:-} "$FPKIT" pack --spam-ip-json "$DEMO_SPAMIP" \
			--stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" --maillog "$LOG" --no-dkim \
			--unpacked -o "$fy_dir/" "$@"
	) >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}

# A full disk under the second sample of the folder: no folder, no
# tarball (not yet given its name), no temporary folder or file.
faulty "$tmp/d1" FAULT_CALL=write FAULT_PATH=/samples/02- FAULT_ERRNO=ENOSPC --
assert_true "full disk: the fault was met" test -s "$tmp/fault.log"
assert_status 74 "full disk while the folder is written"
assert_in "$tmp/err" "fpkit: cannot write '$tmp/d1/$top/samples/02-" "full disk: the message names the file"
assert_in "$tmp/err" "No space left on device" "full disk: the message says why"
no_leftovers "$tmp/d1" "full disk: no folder, no tarball, nothing temporary"

# The folder cannot take its name once the tarball has its own: the
# tarball goes again.
faulty "$tmp/d2" FAULT_CALL=rename FAULT_PATH="/$top" FAULT_ERRNO=EIO --
assert_true "rename refused: the fault was met" test -s "$tmp/fault.log"
assert_status 73 "the folder's rename refused"
assert_in "$tmp/err" "fpkit: cannot create '$tmp/d2/$top': Input/output error" "rename refused: the message"
no_leftovers "$tmp/d2" "rename refused: the tarball is removed again, nothing temporary"

# ... and with --force over an existing bundle: the old one stays whole.
pack_u "$tmp/d3"
printf 'old\n' >"$tmp/d3/$top/marker"
snapshot "$tmp/d3/$top" >"$tmp/before"
# (With --force the tarball is renamed into place first: its rename is
# let through.)
faulty "$tmp/d3" FAULT_CALL=rename FAULT_PATH="/$top" FAULT_ERRNO=EIO FAULT_AFTER=1 -- --force
assert_true "--force, the swap refused: the fault was met" test -s "$tmp/fault.log"
assert_eq "$(grep -c '\.tar\.gz' "$tmp/fault.log")" 0 "--force, the swap refused: the fault was the folder's"
assert_status 73 "--force, the swap refused"
snapshot "$tmp/d3/$top" >"$tmp/after"
assert_true "--force, the swap refused: the old folder is untouched" cmp -s "$tmp/before" "$tmp/after"
assert_eq "$(ls -A "$tmp/d3" | tr '\n' ' ')" "$top $DEMO_BUNDLE " "--force, the swap refused: nothing temporary"

# A file system without renameat2 (EINVAL, 22, once): a check, then rename.
faulty "$tmp/d4" FAULT_CALL=rename FAULT_PATH="/$top" FAULT_ERRNO=22 FAULT_TIMES=1 --
assert_true "no renameat2: the fault was met" test -s "$tmp/fault.log"
assert_status 0 "no renameat2: the folder is written all the same"
assert_true "no renameat2: the folder is the tarball's tree" diff -r "$tmp/x/$top" "$tmp/d4/$top"
# ... and --force moves the old folder aside, then removes it.
printf 'old\n' >"$tmp/d4/$top/marker"
faulty "$tmp/d4" FAULT_CALL=rename FAULT_PATH="/$top" FAULT_ERRNO=22 FAULT_AFTER=1 FAULT_TIMES=1 -- \
	--force
assert_true "no RENAME_EXCHANGE: the fault was met" test -s "$tmp/fault.log"
assert_status 0 "no RENAME_EXCHANGE: --force replaces the folder all the same"
assert_false "no RENAME_EXCHANGE: the old files are gone" test -e "$tmp/d4/$top/marker"
assert_true "no RENAME_EXCHANGE: the new folder is the tarball's tree" diff -r "$tmp/x/$top" "$tmp/d4/$top"
assert_eq "$(ls -A "$tmp/d4" | tr '\n' ' ')" "$top $DEMO_BUNDLE " "no RENAME_EXCHANGE: nothing left aside"
# ... and without --force an existing folder is still refused.
faulty "$tmp/d4" FAULT_CALL=rename FAULT_PATH="/$top" FAULT_ERRNO=22 FAULT_TIMES=1 --
assert_status 73 "no renameat2: an existing folder is still refused"

# SIGTERM while a sample is written into the folder: the temporary
# folder and the tarball's temporary file go.
mkdir "$tmp/d5"
rm -f "$tmp/mark"
(
	FAULT_CALL=write FAULT_PATH=/samples/ FAULT_DELAY_MS=30000 FAULT_MARK=$tmp/mark
	LD_PRELOAD=$FAULTSHIM
	export FAULT_CALL FAULT_PATH FAULT_DELAY_MS FAULT_MARK LD_PRELOAD
	exec ${FPKIT_VALGRIND:-} "$FPKIT" pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$DEMO_STATS" \
		--mail "$DEMO_MAIL" --no-dkim --unpacked -o "$tmp/d5/"
) </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
while [ ! -s "$tmp/mark" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do
	i=$((i + 1))
	sleep 0.05
done
if [ -s "$tmp/mark" ]; then
	assert_true "SIGTERM: the temporary folder is there when the signal comes" \
		sh -c "ls -A '$tmp/d5' | grep -q '^\.$top\.......\$'"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_status 143 "SIGTERM while the folder is written"
	no_leftovers "$tmp/d5" "SIGTERM: no folder, no tarball, nothing temporary"
else
	status=0
	wait "$pid" || status=$?
	not_ok "SIGTERM: the folder's write was never reached (exit $status)"
fi

finish
