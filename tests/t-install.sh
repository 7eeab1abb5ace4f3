#!/bin/bash
# make install gives a packager everything: binaries, man pages, systemd
# units whose paths are this prefix's, the backup job script, example
# configs, cPanel hooks and bash completion (installed from this build into
# a DESTDIR); another prefix fills the units with its own paths; the
# completion completes.
set -u
T=$TEST_TMP
fail() { echo "FAIL: $*" >&2; exit 1; }
D=$T/root
meson install -C "$BUILD_DIR" --destdir "$D" --quiet >"$T/install.log" 2>&1 || fail "meson install: $(tail -n 5 "$T/install.log")"
prefix=$(meson introspect --buildoptions "$BUILD_DIR" | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
P=$D$prefix
for f in bin/sealfs bin/headroom sbin/sealfs-backup share/man/man1/sealfs.1 share/man/man1/headroom.1 \
	lib/systemd/system/headroom.service lib/systemd/system/sealfs-backup.service \
	lib/systemd/system/sealfs-backup.timer share/bash-completion/completions/sealfs \
	share/bash-completion/completions/headroom share/doc/sealfs-headroom/examples/headroom.conf \
	share/doc/sealfs-headroom/examples/sealfs-backup.conf share/doc/sealfs-headroom/examples/cpanel/prebackup \
	share/doc/sealfs-headroom/examples/cpanel/postcpbackup; do
	[ -s "$P/$f" ] || fail "make install does not install $prefix/$f"
done
[ -x "$P/sbin/sealfs-backup" ] && [ -x "$P/bin/sealfs" ] || fail "installed programs are not executable"
# every unit starts a program that make install put there
for u in headroom sealfs-backup; do
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$P/lib/systemd/system/$u.service")
	[ -x "$D$exe" ] || fail "$u.service starts '$exe', which make install did not install"
done
grep -qE "@[A-Z]+@" "$P"/lib/systemd/system/*.service && fail "a unit still holds a placeholder"
echo "ok: installed under $prefix"

# another prefix: the units name its paths
meson setup --prefix=/opt/hr "$T/b" "$SRC_DIR" >"$T/setup.log" 2>&1 || fail "meson setup --prefix=/opt/hr: $(tail -n 5 "$T/setup.log")"
grep -qx "ExecStart=/opt/hr/bin/headroom record --foreground --config /etc/headroom.conf" "$T/b/contrib/headroom.service" &&
	grep -qx "ExecStart=/opt/hr/sbin/sealfs-backup" "$T/b/contrib/sealfs-backup.service" ||
	fail "units for --prefix=/opt/hr: $(grep ExecStart "$T"/b/contrib/*.service)"
echo "ok: units follow the prefix"

# bash completion
out=$(bash -c '. "$1"; COMP_WORDS=(sealfs mo); COMP_CWORD=1; _sealfs; echo "${COMPREPLY[*]}"' _ "$P/share/bash-completion/completions/sealfs")
[ "$out" = mount ] || fail "sealfs completion of 'mo': '$out'"
out=$(bash -c '. "$1"; COMP_WORDS=(sealfs mount --non); COMP_CWORD=2; _sealfs; echo "${COMPREPLY[*]}"' _ "$P/share/bash-completion/completions/sealfs")
[ "$out" = --nonempty ] || fail "sealfs mount completion of '--non': '$out'"
out=$(bash -c '. "$1"; COMP_WORDS=(headroom report --for); COMP_CWORD=2; _headroom; echo "${COMPREPLY[*]}"' _ "$P/share/bash-completion/completions/headroom")
[ "$out" = --format ] || fail "headroom report completion of '--for': '$out'"
# every option the completion offers is one the program takes
for c in record report advise graph; do
	for o in $(bash -c '. "$1"; COMP_WORDS=(headroom '"$c"' -); COMP_CWORD=2; _headroom; echo "${COMPREPLY[*]}"' _ "$P/share/bash-completion/completions/headroom"); do
		case $o in --help) ;; --*) "$P/bin/headroom" "$c" --help 2>&1 | grep -q -- "$o" || fail "completion offers headroom $c $o, which --help does not know" ;; esac
	done
done
for c in init mount umount passwd info fsck decrypt cat; do
	for o in $(bash -c '. "$1"; COMP_WORDS=(sealfs '"$c"' -); COMP_CWORD=2; _sealfs; echo "${COMPREPLY[*]}"' _ "$P/share/bash-completion/completions/sealfs"); do
		case $o in --help) ;; --*) "$P/bin/sealfs" "$c" --help 2>&1 | grep -q -- "$o" || fail "completion offers sealfs $c $o, which --help does not know" ;; esac
	done
done
echo "ok: bash completion"
echo "install passed"
