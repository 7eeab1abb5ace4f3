#!/bin/bash
# Recovery with the paper master key when sealfs.conf is lost: mount,
# decrypt and fsck take --masterkey without a config (the key is checked
# against the names: a wrong one is refused, exit 3), fsck reports the
# missing config, and `init --masterkey` writes a new config for the data
# under a new password. What init refuses: a volume that has a config, a
# directory that is no volume.
. "$(dirname "$0")/lib.sh"
need_fuse
C=$T/cipher P=$T/plain
step "a volume with data, its master key kept, then its config lost"
printf '%s\n' "$PW" | "$SEALFS" init -S --scrypt-logn 10 "$C" >"$T/init.out" 2>"$T/err" || fail "init: $(cat "$T/err")"
grep -oE '[0-9a-f]{8}(-[0-9a-f]{8}){7}' "$T/init.out" >"$T/key"
[ -s "$T/key" ] || fail "no master key printed"
sfs_mount "$C" "$P"
mkdir "$P/dir"
echo "the data" >"$P/dir/file"
long=$(head -c 200 /dev/zero | tr '\0' L)
echo "long" >"$P/$long"
ln -s dir/file "$P/link"
sfs_umount "$P"
mv "$C/sealfs.conf" "$T/lost.conf"

step "without the config, the password cannot help (exit 4)"
stdin_rc 4 "mount without sealfs.conf" "$PW"$'\n' timeout 60 "$SEALFS" mount -S "$C" "$P"
one_line_error "mount without sealfs.conf"

step "a wrong master key is refused (exit 3), nothing mounted"
printf '%s\n' "$(sed 's/./0/1' "$T/key" | tr 0-9a-f 1-9a-f0)" >"$T/wrong"
cmp -s "$T/key" "$T/wrong" && fail "the wrong key is the key"
expect_rc 3 "mount --masterkey with a wrong key" timeout 60 "$SEALFS" mount --masterkey "$T/wrong" "$C" "$P"
grep -q "wrong master key" "$T/err" || fail "wrong key: $(cat "$T/err")"
is_mounted "$P" && fail "a wrong key mounted"
expect_rc 3 "decrypt --masterkey with a wrong key" "$SEALFS" decrypt --masterkey "$T/wrong" "$C" "$T/nope"
[ -e "$T/nope" ] && [ -n "$(ls -A "$T/nope")" ] && fail "decrypt with a wrong key restored something"

step "mount --masterkey without a config shows the data, and says the config is missing"
expect_rc 0 "mount --masterkey without sealfs.conf" timeout 60 "$SEALFS" mount --masterkey "$T/key" "$C" "$P"
_track_mount "$P"
grep -q "no '$C/sealfs.conf': opening with the master key alone" "$T/err" || fail "no warning: $(cat "$T/err")"
[ "$(cat "$P/dir/file")" = "the data" ] && [ "$(cat "$P/$long")" = long ] && [ "$(readlink "$P/link")" = dir/file ] ||
	fail "the data through a mount without config"
sfs_umount "$P"
[ ! -e "$C/sealfs.conf" ] || fail "mount wrote a config"

step "decrypt --masterkey restores; fsck --masterkey reports the missing config only"
expect_rc 0 "decrypt --masterkey" "$SEALFS" decrypt --masterkey "$T/key" "$C" "$T/restore"
[ "$(cat "$T/restore/dir/file")" = "the data" ] || fail "decrypt without config"
expect_rc 7 "fsck --masterkey without sealfs.conf" "$SEALFS" fsck --masterkey "$T/key" "$C"
grep -q "^sealfs.conf: missing" "$T/out" || fail "fsck does not report the missing config: $(cat "$T/out")"
grep -q "; 1 problem$" "$T/out" || fail "fsck found more than the missing config: $(cat "$T/out")"

step "init --masterkey writes a new config under a new password"
NEW="new $PW"
stdin_rc 0 "init --masterkey" "$NEW"$'\n' "$SEALFS" init --masterkey "$T/key" -S --scrypt-logn 10 "$C"
[ -s "$C/sealfs.conf" ] || fail "init --masterkey wrote no config"
grep -q "the master key is unchanged" "$T/out" || fail "init --masterkey output: $(cat "$T/out")"
stdin_rc 3 "the old password on the new config" "$PW"$'\n' timeout 60 "$SEALFS" mount -S "$C" "$P"
printf '%s\n' "$NEW" | timeout 60 "$SEALFS" mount -S "$C" "$P" 2>"$T/err" || fail "mount with the new password: $(cat "$T/err")"
_track_mount "$P"
[ "$(cat "$P/dir/file")" = "the data" ] || fail "the data under the new config"
sfs_umount "$P"
printf '%s\n' "$NEW" | "$SEALFS" fsck -S "$C" >"$T/out" 2>&1 || fail "fsck with the new config: $(cat "$T/out")"
expect_rc 0 "mount --masterkey with the new config" timeout 60 "$SEALFS" mount --masterkey "$T/key" "$C" "$P"
_track_mount "$P"
sfs_umount "$P"

step "what init --masterkey refuses"
sum=$(sha256sum <"$C/sealfs.conf")
stdin_rc 6 "init --masterkey over a config" "$NEW"$'\n' "$SEALFS" init --masterkey "$T/key" -S --scrypt-logn 10 "$C"
one_line_error "init --masterkey over a config"
[ "$(sha256sum <"$C/sealfs.conf")" = "$sum" ] || fail "init --masterkey changed an existing config"
mkdir "$T/plaindir" && echo x >"$T/plaindir/f"
stdin_rc 4 "init --masterkey on a directory that is no volume" "$NEW"$'\n' "$SEALFS" init --masterkey "$T/key" -S --scrypt-logn 10 "$T/plaindir"
one_line_error "init --masterkey on a directory that is no volume"
[ ! -e "$T/plaindir/sealfs.conf" ] || fail "init --masterkey wrote a config into a plain directory"
mv "$C/sealfs.conf" "$T/second.conf"
stdin_rc 3 "init --masterkey with a wrong key" "$NEW"$'\n' "$SEALFS" init --masterkey "$T/wrong" -S --scrypt-logn 10 "$C"
[ ! -e "$C/sealfs.conf" ] || fail "init --masterkey with a wrong key wrote a config"
echo "recovery ok"
