#!/bin/bash
# t-encfs-mount.sh - `sealfs mount --ro` browses EncFS volumes made by Debian's
# real encfs: standard, paranoia (block MACs, external IV chaining) and the
# 2009 Blowfish-160/512: the mounted tree equals, byte for byte and with
# modes, times, link targets and hard links, what encfs itself shows. A mount
# without --ro is refused (it would be a second writer EncFS cannot
# coordinate), a wrong password exits 3, and a damaged MAC'd block reads as EIO.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/encfs-lib.sh"
need_encfs

# name | encfs answers | longest name | data block | hard links | sparse file
CONFIGS=(
	"std|--standard|175|1024|1|1"
	"paranoia|--paranoia|175|1016|0|1"
	"bf160|x\n2\n160\n512\n1\n\n\n\n\n0\n\n|183|512|1|1"
)
for cfg in "${CONFIGS[@]}"; do
	IFS='|' read -r name answers nmax blk hard sparse <<<"$cfg"
	C=$T/$name.enc P=$T/$name.encfs M=$T/$name.sealfs
	step "$name: make and fill the volume with encfs"
	encfs_new "$C" "$P" "$answers"
	fill_tree "$P" "$nmax" "$blk" "$hard" "$sparse"
	describe "$P" >"$T/$name.ref" || fail "cannot describe the encfs view"
	encfs_umount "$P"

	step "$name: sealfs mount --ro shows the same tree"
	sfs_mount "$C" "$M" --ro --passfile "$EPASSFILE"
	same_tree "mount --ro" "$T/$name.ref" "$M"
	r=$(errno_of 'open(sys.argv[1] + "/new", "w")' "$M")
	[ "$r" = EROFS ] || fail "writing into the EncFS mount gave $r, not EROFS"
	sfs_umount "$M"
done

step "mount without --ro is refused; a wrong password exits 3"
expect_rc 2 "mount of an EncFS volume without --ro" "$SEALFS" mount --passfile "$EPASSFILE" "$T/std.enc" "$T/std.sealfs"
one_line_error "mount without --ro"
grep -q -- "--ro" "$T/err" || fail "the refusal does not name --ro: $(cat "$T/err")"
echo "not the password" >"$T/wrongpw"
expect_rc 3 "mount with a wrong EncFS password" "$SEALFS" mount --ro --passfile "$T/wrongpw" "$T/std.enc" "$T/std.sealfs"
is_mounted "$T/std.sealfs" && fail "mounted with a wrong password"

step "a damaged block of a MAC'd volume reads as EIO, the rest reads"
C=$T/paranoia.enc
# the ciphertext of sizes/s100000: 99 blocks with 8 MAC bytes each, an 8-byte header
big=$(find "$C" -type f -size +100000c -size -110000c | head -n 1)
[ -n "$big" ] || fail "test bug: no large ciphertext file in the paranoia volume"
"$PY" -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(5000); b = f.read(1); f.seek(5000); f.write(bytes([b[0] ^ 1]))' "$big"
sfs_mount "$C" "$T/p2" --ro --passfile "$EPASSFILE"
r=$(read_errno "$T/p2/sizes/s100000")
[ "$r" = EIO ] || fail "a damaged block read as $r, not EIO"
[ "$(read_errno "$T/p2/sizes/s17")" = OK ] || fail "an undamaged file does not read"
sfs_umount "$T/p2"
echo "encfs mount ok"
