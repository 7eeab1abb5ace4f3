#!/bin/bash
# t-fifo-planted.sh - someone who can edit the store plants FIFOs where the
# volume keeps its own small files: a directory's sealfs.diriv and a long
# name's .name side file. Reading a FIFO would block forever; the mount, fsck
# and decrypt must instead report the damage at once and go on.
. "$(dirname "$0")/lib.sh"
need_fuse
need_cmd mkfifo

C=$T/c M=$T/m
sfs_init "$C"
sfs_mount "$C" "$M"
mkdir "$M/d" && echo inside >"$M/d/f"
long=$(head -c 200 /dev/zero | tr '\0' L)
echo "long name" >"$M/$long"
echo fine >"$M/good"
sfs_umount "$M"
dir=$(find "$C" -mindepth 1 -maxdepth 1 -type d)
side=$(find "$C" -maxdepth 1 -name 'sealfs.longname.*.name')
[ -n "$dir" ] && [ -n "$side" ] || fail "test bug: no ciphertext dir or side file"
rm "$dir/sealfs.diriv" "$side"
mkfifo "$dir/sealfs.diriv" "$side"

step "the mount: EIO at once, the rest reads"
sfs_mount "$C" "$M"
r=$(timeout 20 "$PY" -c '
import errno, os, sys
try:
    os.listdir(sys.argv[1]); print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])' "$M/d")
[ -n "$r" ] || fail "listing a dir whose diriv is a FIFO hung"
[ "$r" = EIO ] || fail "listing a dir whose diriv is a FIFO gave $r, want EIO"
timeout 20 ls "$M" >"$T/ls" 2>/dev/null; [ $? = 124 ] && fail "listing the root hung on a FIFO side file"
grep -qx good "$T/ls" || fail "the untouched file is not listed: $(cat "$T/ls")"
grep -q LLLL "$T/ls" && fail "a long name whose side file is a FIFO is listed"
[ "$(timeout 20 cat "$M/good")" = fine ] || fail "the untouched file does not read"
sfs_umount "$M"

step "fsck reports both and does not hang"
printf '%s\n' "$PW" | timeout 60 "$SEALFS" fsck -S "$C" >"$T/fsck.out" 2>&1
rc=$?
[ "$rc" = 124 ] && fail "fsck hung on a planted FIFO"
[ "$rc" = 0 ] && fail "fsck found nothing wrong: $(cat "$T/fsck.out")"
grep -q -i "diriv" "$T/fsck.out" || fail "fsck does not name the directory IV: $(cat "$T/fsck.out")"
note "fsck exit $rc: $(tail -n 1 "$T/fsck.out")"

step "decrypt restores the rest and does not hang"
mkdir -p "$T/restore"
printf '%s\n' "$PW" | timeout 60 "$SEALFS" decrypt -S "$C" "$T/restore" >"$T/dec.out" 2>&1
rc=$?
[ "$rc" = 124 ] && fail "decrypt hung on a planted FIFO"
[ "$(cat "$T/restore/good" 2>/dev/null)" = fine ] || fail "decrypt did not restore the untouched file (exit $rc): $(tail -n 3 "$T/dec.out")"
echo "planted FIFOs ok"
