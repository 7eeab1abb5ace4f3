#!/bin/bash
# mount options that the other tests do not cover: --idle (unmount when unused,
# but never while a file is open), --masterkey for mount and passwd (the key
# printed by init opens the volume when the password is lost), --ro.
. "$(dirname "$0")/lib.sh"
need_fuse

C=$T/c M=$T/m
mkdir -p "$M"
step "init prints a master key"
printf '%s\n' "$PW" | "$SEALFS" init -S --scrypt-logn 10 "$C" >"$T/init.out" 2>"$T/err" ||
	fail "init: $(cat "$T/err")"
KEY=$(grep -oE '[0-9a-f]{8}(-[0-9a-f]{8}){7}' "$T/init.out")
[ -n "$KEY" ] || fail "no master key in init output"
printf '%s\n' "$KEY" >"$T/key"

step "--idle unmounts an unused mount, but not while a file is open"
# The file is opened right after the mount and written through that one
# descriptor, so no moment without an open file follows the mount but that
# of one shell builtin. Open for twice the idle time: still mounted. After
# the close: unmounted, and not before the idle time has passed.
sfs_mount "$C" "$M" --idle 3s
exec 7>"$M/f"
echo data >&7
sleep 6
is_mounted "$M" || fail "--idle unmounted although a file was open"
exec 7>&-
t0=$(date +%s%N)
for i in $(seq 1 300); do
	is_mounted "$M" || break
	sleep 0.1
done
t1=$(date +%s%N)
is_mounted "$M" && fail "--idle 3s: still mounted 30 s after the last file was closed"
[ $(((t1 - t0) / 1000000)) -ge 2900 ] || fail "--idle 3s: unmounted $(((t1 - t0) / 1000000)) ms after the last close"
note "unmounted after idling"

step "--idle counts directory walks as activity"
sfs_mount "$C" "$M" --idle 3s
mkdir -p "$M/walk/a/b" && echo x >"$M/walk/a/b/f"
for i in $(seq 1 16); do
	ls -lR "$M/walk" >/dev/null || fail "ls -lR of the mount"
	sleep 0.5
done
is_mounted "$M" || fail "--idle 3s unmounted while ls -lR ran every half second"
sfs_umount "$M"

step "--masterkey mounts without the password, and a wrong key is refused"
expect_rc 0 "mount --masterkey" "$SEALFS" mount --masterkey "$T/key" "$C" "$M"
_track_mount "$M"
[ "$(cat "$M/f")" = data ] || fail "content through a --masterkey mount"
sfs_umount "$M"
# the same key with its first hex digit changed (0 -> 1, anything else -> 0)
case $KEY in 0*) echo "1${KEY#?}" ;; *) echo "0${KEY#?}" ;; esac >"$T/badkey"
cmp -s "$T/key" "$T/badkey" && fail "test bug: bad key equals the key"
expect_rc 3 "mount with a wrong master key" "$SEALFS" mount --masterkey "$T/badkey" "$C" "$M"
is_mounted "$M" && fail "mounted with a wrong master key"
echo nothex >"$T/junkkey"
expect_rc 1 "mount with a malformed master key" "$SEALFS" mount --masterkey "$T/junkkey" "$C" "$M"
one_line_error "malformed master key"

step "passwd --masterkey sets a new password when the old one is lost"
printf 'brand new pw\n' | "$SEALFS" passwd --masterkey "$T/key" -S "$C" >"$T/out" 2>"$T/err" ||
	fail "passwd --masterkey: $(cat "$T/err")"
stdin_rc 3 "old password after passwd --masterkey" "$PW"$'\n' "$SEALFS" mount -S "$C" "$M"
printf 'brand new pw\n' | "$SEALFS" mount -S --ro "$C" "$M" >"$T/out" 2>"$T/err" ||
	fail "mount with the new password: $(cat "$T/err")"
_track_mount "$M"

step "--ro refuses writes"
r=$(errno_of 'open(sys.argv[1] + "/g", "w")' "$M")
[ "$r" = EROFS ] || fail "write on a --ro mount gave $r, not EROFS"
[ "$(cat "$M/f")" = data ] || fail "read on a --ro mount"
sfs_umount "$M"
step "--shared-storage: a change made in CIPHERDIR shows at once; without it, names are cached"
PW="brand new pw"  # set by passwd --masterkey above
sfs_mount "$C" "$M"
echo cached >"$M/g"
stat "$M/g" >/dev/null || fail "stat of a new file"
cg=$(find_by_size "$C" "$(cipher_size 7)")
rm "$cg"
stat "$M/g" >/dev/null 2>&1 || note "(the kernel asked again without --shared-storage)"
sfs_umount "$M"
sfs_mount "$C" "$M" --shared-storage
echo shared >"$M/h"
stat "$M/h" >/dev/null || fail "stat of a new file with --shared-storage"
rm "$(find_by_size "$C" "$(cipher_size 7)")"
[ -e "$M/h" ] && fail "--shared-storage: a file removed from CIPHERDIR still shows"
ls "$M" | grep -qx h && fail "--shared-storage: a file removed from CIPHERDIR is still listed"
sfs_umount "$M"
echo "mount options ok"
