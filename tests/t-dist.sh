#!/bin/bash
# make dist: a source tarball of the committed tree that builds on its own
# (meson setup + ninja of both programs in the unpacked tree) and carries
# what the two commands need (Makefile, scripts, debian/, tests); from it,
# make install twice with two PREFIXes installs into each.
set -u
T=$TEST_TMP
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }
git -C "$SRC_DIR" rev-parse --git-dir >/dev/null 2>&1 || skip "$SRC_DIR is not a git checkout (a tarball itself)"
make -C "$SRC_DIR" --no-print-directory dist BUILD="$BUILD_DIR" >"$T/dist.log" 2>&1 || fail "make dist: $(tail -n 10 "$T/dist.log")"
tarball=$(ls "$BUILD_DIR"/meson-dist/sealfs-headroom-*.tar.xz 2>/dev/null | head -n 1)
[ -s "$tarball" ] || fail "make dist made no tarball in $BUILD_DIR/meson-dist"
tar -C "$T" -xf "$tarball" || fail "cannot unpack $tarball"
src=$(ls -d "$T"/sealfs-headroom-*/ | head -n 1)
for f in Makefile README.md scripts/install-deps.sh scripts/demo.sh tests/run-tests.sh debian/control \
	debian/rules docs/FORMAT.md contrib/headroom.service.in meson.build; do
	[ -e "$src/$f" ] || fail "the tarball lacks $f"
done
[ -e "$src/.git" ] && fail "the tarball holds .git"
(cd "$src" && meson setup b >"$T/setup.log" 2>&1 && ninja -C b sealfs/sealfs headroom/headroom >"$T/ninja.log" 2>&1) ||
	fail "the tarball does not build: $(tail -n 10 "$T/setup.log" "$T/ninja.log")"
"$src/b/sealfs/sealfs" --version >/dev/null && "$src/b/headroom/headroom" --version >/dev/null ||
	fail "the programs built from the tarball do not run"
# make install takes PREFIX even when the build directory was configured
# with another one (as after make demo)
for pfx in "$T/pfx1" "$T/pfx2"; do
	make -C "$src" --no-print-directory install BUILD=b PREFIX="$pfx" >"$T/install.log" 2>&1 ||
		fail "make install PREFIX=$pfx: $(tail -n 10 "$T/install.log")"
	[ -x "$pfx/bin/sealfs" ] && [ -x "$pfx/bin/headroom" ] && [ -s "$pfx/lib/systemd/system/headroom.service" ] ||
		fail "make install PREFIX=$pfx did not install there: $(ls -R "$pfx" 2>&1 | head)"
	grep -qx "ExecStart=$pfx/bin/headroom record --foreground --config /etc/headroom.conf" "$pfx/lib/systemd/system/headroom.service" ||
		fail "the unit installed under $pfx names another path"
done
echo "ok: make install follows PREFIX"
echo "dist passed"
