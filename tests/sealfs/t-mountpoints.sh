#!/bin/bash
# What `sealfs mount` refuses and what `sealfs umount` touches: mountpoints
# that would hide or lose data (a non-empty one unless --nonempty, the
# volume's own directory, one inside the volume, a volume inside its
# mountpoint, a second read-write mount of one volume), a dead mount after
# the daemon was killed (named, and cleared by `sealfs umount`), a busy
# unmount (names -z), and file systems that are not sealfs (tmpfs, /proc:
# refused, left mounted). Each refusal: exit code, one line, nothing changed.
. "$(dirname "$0")/lib.sh"
need_fuse
C=$T/cipher P=$T/plain
sfs_init "$C"
mkdir -p "$P"
cipher_sum() { (cd "$C" && find . -print | sort | md5sum); }
sum0=$(cipher_sum)

refuse() { # WHAT MOUNTPOINT [OPTIONS...]: mount must exit 5 with one line
	local what=$1 mp=$2
	shift 2
	stdin_rc 5 "$what" "$PW"$'\n' timeout 60 "$SEALFS" mount -S "$@" "$C" "$mp"
	one_line_error "$what"
	is_mounted "$mp" && fail "$what: something was mounted on $mp"
	[ "$(cipher_sum)" = "$sum0" ] || fail "$what: the volume's directory changed"
	note "$(cat "$T/err")"
}

step "a mountpoint that is not empty: refused, --nonempty mounts over it"
mkdir -p "$T/full" && echo mine >"$T/full/keep"
refuse "mount on a non-empty directory" "$T/full"
grep -q "is not empty" "$T/err" || fail "the message does not say the mountpoint is not empty"
sfs_mount "$C" "$T/full" --nonempty
[ ! -e "$T/full/keep" ] || fail "--nonempty: the directory's own file shows through the mount"
sfs_umount "$T/full"
[ "$(cat "$T/full/keep")" = mine ] || fail "the hidden file is not back after unmounting"

step "the volume's own directory, a mountpoint inside it, the volume inside the mountpoint"
refuse "mount over CIPHERDIR" "$C"
grep -q "own directory" "$T/err" || fail "mount over CIPHERDIR: message"
mkdir "$C/inside"; sum0=$(cipher_sum)
refuse "mount inside CIPHERDIR" "$C/inside"
grep -q "inside the volume" "$T/err" || fail "mount inside CIPHERDIR: message"
rmdir "$C/inside"; sum0=$(cipher_sum)
refuse "mount on a parent of CIPHERDIR" "$T" --nonempty
grep -q "inside the mountpoint" "$T/err" || fail "mount on a parent of CIPHERDIR: message"

step "one volume: a second read-write mount is refused, a read-only view is not"
sfs_mount "$C" "$P"
echo data >"$P/f"
sum0=$(cipher_sum)
mkdir -p "$T/second"
refuse "a second read-write mount" "$T/second"
grep -q "already mounted on '$P'" "$T/err" || fail "the message does not name the first mount"
sfs_mount "$C" "$T/second" --ro
[ "$(cat "$T/second/f")" = data ] || fail "the read-only second view does not show the volume"
sfs_umount "$T/second"

step "a busy unmount names -z"
exec 7<"$P/f"
expect_rc 1 "umount with an open file" "$SEALFS" umount "$P"
one_line_error "busy umount"
grep -q -- "-z" "$T/err" || fail "busy umount does not mention -z: $(cat "$T/err")"
is_mounted "$P" || fail "a refused umount unmounted"
exec 7<&-
sfs_umount "$P"

step "a killed daemon: mount names the dead mount, sealfs umount clears it"
sfs_mount_fg "$C" "$P" "$T/fg.log"
kill -9 "$SFS_FG_PID"; wait "$SFS_FG_PID" 2>/dev/null
unset "_fg_pid_of[$P]"
stat "$P" >/dev/null 2>&1 && fail "the mount still answers after kill -9"
refuse_dead() {
	stdin_rc 5 "mount on a dead mount" "$PW"$'\n' timeout 60 "$SEALFS" mount -S "$C" "$P"
	one_line_error "mount on a dead mount"
	grep -q "sealfs umount $P" "$T/err" || fail "mount on a dead mount does not say 'sealfs umount': $(cat "$T/err")"
	note "$(cat "$T/err")"
}
refuse_dead
expect_rc 0 "sealfs umount of a dead mount" "$SEALFS" umount "$P"
is_mounted "$P" && fail "sealfs umount left the dead mount"
sfs_mount "$C" "$P"
[ "$(cat "$P/f")" = data ] || fail "after the dead mount, the remount does not show the data"
sfs_umount "$P"

step "umount leaves file systems that are not sealfs alone"
mkdir -p "$T/tmpfs"
mount -t tmpfs -o size=1m tmpfs "$T/tmpfs" 2>/dev/null || skip "cannot mount tmpfs here"
_track_mount "$T/tmpfs"
expect_rc 1 "sealfs umount of a tmpfs" "$SEALFS" umount "$T/tmpfs"
one_line_error "umount of a tmpfs"
grep -q "not a sealfs mount (it is tmpfs)" "$T/err" || fail "umount of a tmpfs: $(cat "$T/err")"
is_mounted "$T/tmpfs" || fail "sealfs umount unmounted a tmpfs"
umount "$T/tmpfs"
expect_rc 1 "sealfs umount /proc" "$SEALFS" umount /proc
grep -q "not a sealfs mount (it is proc)" "$T/err" || fail "umount /proc: $(cat "$T/err")"
is_mounted /proc || fail "sealfs umount unmounted /proc"
expect_rc 1 "sealfs umount of a directory that is not mounted" "$SEALFS" umount "$T/second"
grep -q "is not mounted" "$T/err" || fail "umount of a plain directory: $(cat "$T/err")"
echo "mountpoints ok"
