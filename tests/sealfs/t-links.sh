#!/bin/bash
# Symlinks whose encrypted target needs a side file (targets near PATH_MAX)
# through rename (across directories, replacing, exchanging), hard links and
# unlink; and hard links to symlinks and FIFOs. Checked through the mount and
# after a remount.
. "$(dirname "$0")/lib.sh"
need_fuse

C=$T/c M=$T/m
sfs_init "$C"
sfs_mount "$C" "$M"
long=$(printf 'x%.0s' $(seq 1 4095))
long2=$(printf 'y%.0s' $(seq 1 3500))

step "rename a long symlink across directories"
mkdir "$M/a" "$M/b"
ln -s "$long" "$M/a/l1" || fail "cannot create a 4095-byte symlink"
mv "$M/a/l1" "$M/b/l1moved" || fail "rename of a long symlink failed"
[ "$(readlink "$M/b/l1moved")" = "$long" ] || fail "long target lost by rename"

step "a long symlink replaced by a short one, and the other way round"
ln -s short "$M/a/s"
mv "$M/a/s" "$M/b/l1moved" || fail "replace long symlink"
[ "$(readlink "$M/b/l1moved")" = short ] || fail "replaced long symlink reads wrong"
ln -s "$long2" "$M/a/l2"
mv -T "$M/a/l2" "$M/b/l1moved" || fail "replace short by long"
[ "$(readlink "$M/b/l1moved")" = "$long2" ] || fail "long target lost when replacing"

step "exchange a long and a short symlink"
ln -s "$long" "$M/a/ex1" && ln -s tiny "$M/a/ex2"
"$PY" - "$M/a/ex1" "$M/a/ex2" <<'PYEOF' || fail "renameat2(RENAME_EXCHANGE) failed"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
if libc.renameat2(AT_FDCWD, sys.argv[1].encode(), AT_FDCWD, sys.argv[2].encode(), 2) != 0:
    sys.exit(os.strerror(ctypes.get_errno()))
PYEOF
[ "$(readlink "$M/a/ex1")" = tiny ] || fail "exchange: ex1 should now be short"
[ "$(readlink "$M/a/ex2")" = "$long" ] || fail "exchange: ex2 should now be long"

step "hard links to a long symlink and a FIFO"
ln "$M/a/ex2" "$M/b/ex2link" || fail "hard link to a symlink failed"
[ "$(readlink "$M/b/ex2link")" = "$long" ] || fail "hard-linked long symlink reads wrong"
rm "$M/a/ex2"
[ "$(readlink "$M/b/ex2link")" = "$long" ] || fail "other name of a long symlink broke after unlink"
mkfifo "$M/a/fifo" && ln "$M/a/fifo" "$M/b/fifo2" || fail "hard link to a FIFO failed"
[ -p "$M/b/fifo2" ] || fail "hard-linked FIFO is not a FIFO"

step "everything survives a remount; no side file is left over"
sfs_umount "$M"
sfs_mount "$C" "$M"
[ "$(readlink "$M/b/l1moved")" = "$long2" ] || fail "after remount: l1moved"
[ "$(readlink "$M/a/ex1")" = tiny ] || fail "after remount: ex1"
[ "$(readlink "$M/b/ex2link")" = "$long" ] || fail "after remount: ex2link"
n=$(find "$C" -name '*.link' | wc -l)
[ "$n" = 2 ] || fail "expected 2 .link side files (l1moved, ex2link), found $n: $(find "$C" -name '*.link')"
sfs_umount "$M"
echo "long symlinks ok"
