#!/bin/bash
# t-posix-classes.sh - the POSIX classes that a path-based FUSE filesystem gets
# wrong (posix-classes.py): paths of PATH_MAX-1 bytes made of 255-byte names for
# every operation, ENAMETOOLONG exactly at 256 bytes, hard links as one inode with
# the right link count and ctime, st_nlink 0 for an unlinked open file, rename
# over an open file, RENAME_NOREPLACE/EXCHANGE, shared writable mmap, flock and
# fcntl locks, fallocate modes, O_TMPFILE, and SUID/SGID cleared by a write,
# truncate or chown of an unprivileged user. Run as root, and as an unprivileged
# user through -o allow_other; then the tree must survive a remount and fsck.
. "$(dirname "$0")/lib.sh"
need_fuse
[ "$(id -u)" = 0 ] || skip "needs root to mount with allow_other and switch users"
need_cmd runuser
U=nobody
id -u "$U" >/dev/null 2>&1 || skip "no user '$U' on this machine"

chmod 0755 "$T"
C=$T/c M=$T/m
sfs_init "$C"
sfs_mount_fg "$C" "$M" "$T/daemon.log" -o allow_other
chmod 0755 "$M"

step "as root"
mkdir "$M/root"
"$PY" "$SRC_DIR/tests/sealfs/posix-classes.py" "$M/root" >"$T/root.out" 2>&1 ||
	fail "as root: $(tail -n 3 "$T/root.out" | cut -c1-400)"
grep '^    O_TMPFILE' "$T/root.out" | sed 's/^ */    /'

step "as the unprivileged user $U"
mkdir "$M/user" && chown "$U" "$M/user"
runuser -u "$U" -- "$PY" "$SRC_DIR/tests/sealfs/posix-classes.py" "$M/user" >"$T/user.out" 2>&1 ||
	fail "as $U: $(tail -n 3 "$T/user.out" | cut -c1-400)"

step "a remount and fsck find the volume clean"
echo kept >"$M/root/kept"
sfs_umount "$M"
printf '%s\n' "$PW" | "$SEALFS" fsck -S "$C" >"$T/fsck.out" 2>&1 || fail "fsck: $(tail -n 5 "$T/fsck.out")"
sfs_mount "$C" "$M"
[ "$(cat "$M/root/kept")" = kept ] || fail "content after remount"
[ -z "$(ls -A "$M/user")" ] || fail "the user's dir is not empty: $(ls -A "$M/user")"
sfs_umount "$M"
echo "posix classes ok"
