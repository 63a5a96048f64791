#!/bin/sh
# The Debian package, built as a Debian admin would from a clean export of
# the committed tree (git archive HEAD): dpkg-buildpackage -us -uc -b
# passes, lintian reports no error and no warning, and the .deb, unpacked
# (dpkg -x), holds what it must: a binary that runs (--version, the demo
# case packed and verified), every page of doc/ that man renders, the
# bash completion that bash-completion's own loader finds (fpkit
# pa<Tab>: pack), the zsh completion, the units that systemd-analyze
# verify passes (pointed at the unpacked binary and pages), the
# templates as examples, /etc/fpkit/fpkit.conf a conffile that sets
# nothing, and maintainer scripts that neither enable nor start a unit.
#
# It takes minutes: 'make check' skips it; .ci/run runs it as a step of
# its own with FPKIT_TEST_DEB=1.  A tool the machine lacks skips it,
# saying which.
E2E=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}/e2e
. "$E2E/lib.sh"
SRC=$(cd "$E2E/../.." && pwd)

[ "${FPKIT_TEST_DEB:-0}" = 1 ] ||
	skip_all "the Debian package's build takes minutes: .ci/run runs it (FPKIT_TEST_DEB=1)"
for t in git dpkg-buildpackage dh lintian fakeroot; do
	command -v "$t" >/dev/null 2>&1 ||
		skip_all "no $t (Debian: .ci/packages-deb: debhelper, lintian, devscripts, fakeroot)"
done
git -C "$SRC" rev-parse --verify -q HEAD >/dev/null ||
	skip_all "$SRC is not a git checkout: no clean export to build from"

version=$(sed -n '1s/^fpkit (\([^)]*\)).*/\1/p' "$SRC/debian/changelog")
B=$tmp/build
mkdir -p "$B/fpkit-$version"
git -C "$SRC" archive --format=tar HEAD | tar -xf - -C "$B/fpkit-$version"
(cd "$B/fpkit-$version" && env -u MAKEFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b) \
	>"$tmp/build.log" 2>&1 && status=0 || status=$?
assert_status 0 "dpkg-buildpackage -us -uc -b, from git archive HEAD"
[ "$status" -eq 0 ] || { tail -30 "$tmp/build.log" | sed 's/^/#   /'; finish; exit 1; }
deb=$B/fpkit_${version}_$(dpkg --print-architecture).deb
assert_true "the .deb is there" test -f "$deb"

# --- lintian --------------------------------------------------------------------
lintian --pedantic --display-info --show-overrides "$deb" >"$tmp/lintian" 2>&1 || :
sed 's/^/# lintian: /' "$tmp/lintian"
assert_false "lintian: no error" grep -q '^E: ' "$tmp/lintian"
assert_false "lintian: no warning" grep -q '^W: ' "$tmp/lintian"
# Nor an informational or pedantic tag left without its documented
# override.
assert_false "lintian: no info or pedantic tag" grep -q '^[IP]: ' "$tmp/lintian"

# --- what the package holds ---------------------------------------------------------
R=$tmp/root
dpkg -x "$deb" "$R"
dpkg-deb -e "$deb" "$tmp/ctl"
bin=$R/usr/bin/fpkit
"$bin" --version >"$tmp/version" 2>&1 && status=0 || status=$?
assert_status 0 "the installed fpkit --version"
assert_eq "$(sed -n 1p "$tmp/version")" "fpkit $version" "--version: the package's version"
sed 's/^/# /' "$tmp/version"
assert_false "--version: every library the one it was built with" grep -q differs "$tmp/version"

mkdir "$tmp/w"
(cd "$tmp/w" && FPKIT_SYSTEM_CONF=$tmp/none "$bin" pack --spam-ip-json "$DEMO_SPAMIP" \
	--stats-json "$DEMO_STATS" --mail "$DEMO_MAIL" --no-dkim) >/dev/null 2>&1 && status=0 || status=$?
assert_status 0 "the installed fpkit packs the demo case"
"$bin" verify "$tmp/w/$DEMO_BUNDLE" >/dev/null 2>&1 && status=0 || status=$?
assert_status 0 "the installed fpkit verifies its bundle"

for p in "$SRC"/doc/*.[15]; do
	n=$(basename "$p")
	s=${n##*.}
	assert_true "man$s/$n.gz is installed" test -f "$R/usr/share/man/man$s/$n.gz"
done
if command -v man >/dev/null 2>&1; then
	MANPATH=$R/usr/share/man man -w fpkit-pack >"$tmp/where" 2>&1 || :
	assert_eq "$(cat "$tmp/where")" "$R/usr/share/man/man1/fpkit-pack.1.gz" "man fpkit-pack finds the installed page"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$R/usr/share/man/man1/fpkit-pack.1.gz" \
		>"$tmp/page" 2>"$tmp/warn" || :
	assert_in "$tmp/page" "fpkit-pack - pack the evidence" "man -l: the installed fpkit-pack(1) renders"
	assert_true "man --warnings: none" test ! -s "$tmp/warn"
else
	skip "man of the installed pages: no man"
fi

# The bash completion, found by bash-completion's loader in the
# package's tree as it finds it in /usr/share.
if [ -f /usr/share/bash-completion/bash_completion ]; then
	mkdir "$tmp/nouser"
	BASH_COMPLETION_USER_DIR=$tmp/nouser XDG_DATA_DIRS=$R/usr/share \
		bash "$E2E/complete-driver.bash" fpkit pa >"$tmp/c" 2>&1 || :
	assert_eq "$(sed 1d "$tmp/c")" "pack" "bash: fpkit pa<Tab> gives pack, through the installed file"
else
	skip "bash completion of the installed file: no bash-completion"
fi
assert_true "zsh completion installed" test -f "$R/usr/share/zsh/vendor-completions/_fpkit"

# The units, verified with the package's binary and pages.
for u in fpkit-archive.service fpkit-archive.timer; do
	assert_true "$u installed" test -f "$R/lib/systemd/system/$u"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir "$tmp/units"
	for u in fpkit-archive.service fpkit-archive.timer; do
		sed "s|/usr/bin/fpkit|$bin|" "$R/lib/systemd/system/$u" >"$tmp/units/$u"
	done
	MANPATH=$R/usr/share/man systemd-analyze verify "$tmp/units/fpkit-archive.service" \
		"$tmp/units/fpkit-archive.timer" >"$tmp/verify" 2>&1 && status=0 || status=$?
	assert_status 0 "systemd-analyze verify of the installed units (their Documentation= pages too)"
	sed 's/^/#   /' "$tmp/verify"
else
	skip "systemd-analyze verify of the installed units: no systemd-analyze"
fi
assert_false "postinst starts no unit" grep -q 'deb-systemd-invoke' "$tmp/ctl/postinst"
assert_true "postinst enables only what was enabled" grep -q 'was-enabled' "$tmp/ctl/postinst"

# /etc/fpkit/fpkit.conf: a conffile, every setting commented.
assert_eq "$(cat "$tmp/ctl/conffiles")" "/etc/fpkit/fpkit.conf" "the conffile"
FPKIT_SYSTEM_CONF=$R/etc/fpkit/fpkit.conf "$bin" config --json >"$tmp/conf" 2>&1 && status=0 || status=$?
assert_status 0 "the installed fpkit.conf reads"
assert_eq "$(jq -r '[.settings[] | select(.from != null)] | length' "$tmp/conf")" 0 \
	"the installed fpkit.conf sets nothing"
for t in $(cd "$SRC/templates" && ls ticket.*.mustache) fpkit.conf; do
	assert_true "examples/$t" test -f "$R/usr/share/doc/fpkit/examples/$t"
done
assert_true "copyright" test -f "$R/usr/share/doc/fpkit/copyright"

finish
