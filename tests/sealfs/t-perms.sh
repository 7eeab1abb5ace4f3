#!/bin/bash
# t-perms.sh - multi-user access: root mounts with -o allow_other, an
# unprivileged user (nobody) works in it under default_permissions: creates
# files in a dir it owns (owned by it, its umask applied), cannot read a 0600
# root file, cannot write into a root 0755 dir or a root 0644 file, cannot
# chmod/chown what it does not own, sticky and setgid dirs behave. Without
# allow_other the other user is shut out entirely.
. "$(dirname "$0")/lib.sh"
need_fuse
[ "$(id -u)" = 0 ] || skip "needs root to mount with allow_other and switch users"
need_cmd runuser
U=nobody
id -u "$U" >/dev/null 2>&1 || skip "no user '$U' on this machine"
UID_U=$(id -u "$U")
GID_U=$(id -g "$U")

chmod 0755 "$T"  # let the other user reach the mountpoints
C=$T/cipher
P=$T/plain
sfs_init "$C"
sfs_mount_fg "$C" "$P" "$T/daemon.log" -o allow_other  # exit code and sanitizer log checked
chmod 0755 "$P" || fail "chmod of the mount root"

# as_user CMD...: run CMD as the unprivileged user.
as_user() { runuser -u "$U" -- "$@"; }
# user_errno PYCODE ARGS...: errno name (or OK) of one line of python run as the user.
user_errno()
{
	runuser -u "$U" -- "$PY" -c '
import errno, os, sys
try:
    '"$1"'
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))' "${@:2}"
}

step "root prepares the tree"
mkdir "$P/u" "$P/rootdir" "$P/sticky" "$P/sgid" || fail "mkdir as root"
chown "$UID_U:$GID_U" "$P/u" || fail "chown of a dir to $U"
chmod 0755 "$P/rootdir"
chmod 1777 "$P/sticky"
chown 0:4321 "$P/sgid" && chmod 2777 "$P/sgid"
echo "root secret" >"$P/secret" && chmod 0600 "$P/secret"
echo "root public" >"$P/public" && chmod 0644 "$P/public"
echo "root in sticky" >"$P/sticky/rootfile" && chmod 0666 "$P/sticky/rootfile"

step "the user works in a dir it owns"
as_user sh -c "umask 022; echo 'user data' >'$P/u/mine'" || fail "$U cannot create a file in a dir it owns"
[ "$(stat -c %u:%g "$P/u/mine")" = "$UID_U:$GID_U" ] ||
	fail "file created by $U is owned by $(stat -c %u:%g "$P/u/mine"), want $UID_U:$GID_U"
[ "$(stat -c %a "$P/u/mine")" = 644 ] || fail "umask 022 not applied: mode $(stat -c %a "$P/u/mine")"
as_user sh -c "umask 077; mkdir '$P/u/sub' && echo x >'$P/u/sub/f'" || fail "$U cannot mkdir in its dir"
[ "$(stat -c '%u:%g %a' "$P/u/sub")" = "$UID_U:$GID_U 700" ] || fail "dir made by $U: $(stat -c '%u:%g %a' "$P/u/sub")"
[ "$(stat -c %a "$P/u/sub/f")" = 600 ] || fail "umask 077 not applied: mode $(stat -c %a "$P/u/sub/f")"
as_user ln -s mine "$P/u/link" || fail "$U cannot make a symlink"
[ "$(stat -c %u "$P/u/link")" = "$UID_U" ] || fail "symlink made by $U is owned by $(stat -c %u "$P/u/link")"
as_user mkfifo "$P/u/fifo" || fail "$U cannot mkfifo"
[ "$(stat -c %u "$P/u/fifo")" = "$UID_U" ] || fail "fifo made by $U is owned by $(stat -c %u "$P/u/fifo")"
as_user mv "$P/u/mine" "$P/u/sub/mine2" || fail "$U cannot rename its file"
[ "$(as_user cat "$P/u/sub/mine2")" = "user data" ] || fail "$U cannot read its own file"
[ "$(cat "$P/u/sub/mine2")" = "user data" ] || fail "root cannot read the file $U wrote"
as_user chmod 0600 "$P/u/sub/mine2" || fail "$U cannot chmod its own file"
as_user touch -d '2005-05-05' "$P/u/sub/mine2" || fail "$U cannot set times on its own file"

step "the user is kept out of root's files"
[ "$(as_user cat "$P/public")" = "root public" ] || fail "$U cannot read a 0644 root file"
r=$(user_errno 'open(sys.argv[1]).read()' "$P/secret")
[ "$r" = EACCES ] || fail "$U reading a 0600 root file: expected EACCES, got $r"
r=$(user_errno 'open(sys.argv[1], "w")' "$P/rootdir/x")
[ "$r" = EACCES ] || fail "$U creating a file in a root 0755 dir: expected EACCES, got $r"
[ -e "$P/rootdir/x" ] && fail "$U created a file in a root 0755 dir"
r=$(user_errno 'os.mkdir(sys.argv[1])' "$P/rootdir/d")
[ "$r" = EACCES ] || fail "$U mkdir in a root 0755 dir: expected EACCES, got $r"
r=$(user_errno 'open(sys.argv[1], "a").write("x")' "$P/public")
[ "$r" = EACCES ] || fail "$U appending to a root 0644 file: expected EACCES, got $r"
[ "$(cat "$P/public")" = "root public" ] || fail "root 0644 file changed by $U"
r=$(user_errno 'os.truncate(sys.argv[1], 0)' "$P/public")
[ "$r" = EACCES ] || fail "$U truncating a root 0644 file: expected EACCES, got $r"
r=$(user_errno 'os.unlink(sys.argv[1])' "$P/public")
[ "$r" = EACCES ] || fail "$U unlinking a root file in a root dir: expected EACCES, got $r"
r=$(user_errno 'os.chmod(sys.argv[1], 0o666)' "$P/public")
[ "$r" = EPERM ] || fail "$U chmod of a root file: expected EPERM, got $r"
r=$(user_errno 'os.chown(sys.argv[1], 0, 0)' "$P/u/sub/mine2")
[ "$r" = EPERM ] || fail "$U giving its file to root: expected EPERM, got $r"
r=$(user_errno 'os.utime(sys.argv[1], (0, 0))' "$P/public")
[ "$r" = EPERM ] || fail "$U setting times of a root file: expected EPERM, got $r"
r=$(user_errno 'os.setxattr(sys.argv[1], "user.x", b"v")' "$P/public")
[ "$r" = EACCES ] || [ "$r" = EPERM ] || fail "$U setting an xattr on a root 0644 file: expected EACCES, got $r"
[ "$(stat -c '%u:%g %a' "$P/public")" = "0:0 644" ] || fail "root file metadata changed: $(stat -c '%u:%g %a' "$P/public")"

step "sticky and setgid directories"
as_user sh -c "echo mine >'$P/sticky/userfile'" || fail "$U cannot create in a 1777 dir"
r=$(user_errno 'os.unlink(sys.argv[1])' "$P/sticky/rootfile")
[ "$r" = EPERM ] || [ "$r" = EACCES ] || fail "$U removing root's file in a sticky dir: expected EPERM, got $r"
r=$(user_errno 'os.rename(sys.argv[1], sys.argv[1] + ".x")' "$P/sticky/rootfile")
[ "$r" = EPERM ] || [ "$r" = EACCES ] || fail "$U renaming root's file in a sticky dir: expected EPERM, got $r"
as_user rm "$P/sticky/userfile" || fail "$U cannot remove its own file in a sticky dir"
as_user sh -c "echo g >'$P/sgid/f'; mkdir '$P/sgid/d'" || fail "$U cannot create in a 2777 dir"
[ "$(stat -c %g "$P/sgid/f")" = 4321 ] || fail "file made in a setgid dir has group $(stat -c %g "$P/sgid/f"), want 4321"
[ "$(stat -c %g "$P/sgid/d")" = 4321 ] || fail "dir made in a setgid dir has group $(stat -c %g "$P/sgid/d"), want 4321"
[ "$(stat -c %A "$P/sgid/d" | cut -c7)" = s ] || fail "dir made in a setgid dir lost the setgid bit: $(stat -c %A "$P/sgid/d")"

step "ownership survives a remount"
sfs_umount "$P"
sfs_mount "$C" "$P" -o allow_other
[ "$(stat -c %u:%g "$P/u/sub/mine2")" = "$UID_U:$GID_U" ] || fail "owner of $U's file after remount: $(stat -c %u:%g "$P/u/sub/mine2")"
[ "$(stat -c %g "$P/sgid/f")" = 4321 ] || fail "group of a file in a setgid dir after remount"
r=$(user_errno 'open(sys.argv[1]).read()' "$P/secret")
[ "$r" = EACCES ] || fail "after remount, $U reading a 0600 root file: expected EACCES, got $r"
sfs_umount "$P"

step "without allow_other the user is shut out"
sfs_mount "$C" "$P"
r=$(user_errno 'os.stat(sys.argv[1])' "$P/public")
[ "$r" = EACCES ] || fail "without allow_other, $U stat in the mount: expected EACCES, got $r"
r=$(user_errno 'open(sys.argv[1]).read()' "$P/u/sub/f")
[ "$r" = EACCES ] || fail "without allow_other, $U reading its own file: expected EACCES, got $r"
sfs_umount "$P"

echo "t-perms: all checks passed"
exit 0
