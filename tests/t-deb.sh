#!/bin/bash
# make deb: dpkg-buildpackage builds the packages sealfs and headroom from
# the committed tree; they install, the programs their units start run
# (the recorder takes samples, the backup job seals and ships a volume),
# and a purge leaves none of their files behind. Needs dpkg-buildpackage
# and debhelper (make check installs them); never touches packages of
# these names that were installed before the test, nor a machine that has
# headroom data in /var/lib/headroom (the purge removes that directory).
set -u
T=$TEST_TMP
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }
command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage is not installed"
dpkg-query -W -f='${Status}' debhelper 2>/dev/null | grep -q "install ok installed" || skip "debhelper is not installed"
status() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null; }
for p in sealfs headroom; do
	case $(status "$p") in "" | not-installed) ;; *) skip "a package '$p' is on this machine already ($(status "$p")): not replacing it" ;; esac
done
[ "$(id -u)" = 0 ] || skip "installing a package needs root"
# the package owns /var/lib/headroom and its purge removes it: never on a
# machine whose recorder keeps its data there
[ -e /var/lib/headroom ] && skip "/var/lib/headroom exists (a recorder's data): purging the package would delete it"
[ -e /dev/fuse ] || skip "no /dev/fuse for the backup job"

mkdir "$T/src"
if git -C "$SRC_DIR" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$SRC_DIR" archive HEAD | tar -x -C "$T/src" || fail "git archive"
else
	tar -C "$SRC_DIR" --exclude='./build*' --exclude=./tests/out -cf - . | tar -x -C "$T/src"
fi
(cd "$T/src" && dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1 || fail "dpkg-buildpackage: $(tail -n 20 "$T/build.log")"
for p in sealfs headroom; do
	[ -s "$T/${p}_"*"_$(dpkg --print-architecture).deb" ] || fail "no $p package built"
done
purge() { dpkg --purge sealfs headroom >"$T/purge.log" 2>&1; }
trap purge EXIT
dpkg -i "$T"/sealfs_*.deb "$T"/headroom_*.deb >"$T/install.log" 2>&1 || fail "dpkg -i: $(tail -n 20 "$T/install.log")"
echo "ok: built and installed"

# the programs the units start, as installed
rec=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' /lib/systemd/system/headroom.service)
job=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' /lib/systemd/system/sealfs-backup.service)
[ "$rec" = /usr/bin/headroom ] && [ "$job" = /usr/sbin/sealfs-backup ] || fail "units start '$rec' and '$job'"
"$rec" record --db "$T/h.db" --count 2 --interval 0.2 2>"$T/rec.err" || fail "installed recorder: $(cat "$T/rec.err")"
"$rec" report --db "$T/h.db" -u >/dev/null || fail "installed headroom report"
man -w sealfs >/dev/null 2>&1 && man -w headroom >/dev/null 2>&1 || echo "note: man -w finds no page (man-db absent)"
install -m 600 /dev/null "$T/pass" && echo "deb test password" >"$T/pass"
printf '%s\n' "deb test password" | /usr/bin/sealfs init -q -S --scrypt-logn 10 "$T/cipher" || fail "installed sealfs init"
mkdir "$T/plain" "$T/store"
cat >"$T/job.conf" <<CONF
MODE=forward
CIPHERDIR=$T/cipher
MOUNTPOINT=$T/plain
PASSFILE=$T/pass
DUMP_COMMAND='echo "the dump" >"\$MOUNTPOINT/dump.sql"'
DESTINATION=$T/store/
CONF
SEALFS_BACKUP_CONF=$T/job.conf "$job" >"$T/job.log" 2>&1 || fail "installed backup job: $(cat "$T/job.log")"
[ -s "$T/store/sealfs.conf" ] || fail "the installed job shipped no volume"
grep -rq "the dump" "$T/store" && fail "plaintext in the store"
echo "ok: the units' programs run"

trap - EXIT
purge || fail "dpkg --purge: $(cat "$T/purge.log")"
for p in sealfs headroom; do
	case $(status "$p") in "" | not-installed) ;; *) fail "$p is $(status "$p") after purge" ;; esac
done
for f in /usr/bin/sealfs /usr/bin/headroom /usr/sbin/sealfs-backup /lib/systemd/system/headroom.service \
	/lib/systemd/system/sealfs-backup.timer /usr/share/man/man1/sealfs.1.gz /usr/share/doc/headroom \
	/usr/share/bash-completion/completions/sealfs /var/lib/headroom; do
	[ -e "$f" ] && fail "$f is left after purge"
done
echo "ok: purged cleanly"
echo "deb passed"
