#!/bin/bash
# t-encfs-read.sh - sealfs reads the EncFS volumes Debian's encfs 1.9.5 makes:
# standard, paranoia (MAC 8, external IV), Blowfish-160/512, Blowfish-256
# with 64-byte blocks and stream names, AES-128 with
# stream names and MAC + random bytes (no unique IV), Camellia-256 with
# block32 names and external IV, null names. Each is filled through an encfs
# mount with edge cases (sizes 0 and around every block edge, names of 1 to
# the longest length the coding allows, UTF-8 and shell metacharacters,
# deep paths, relative/absolute/dangling symlinks, hard links, a sparse file,
# a FIFO, a renamed directory, modes, an old mtime, a user xattr), and then
# `sealfs decrypt`, `sealfs cat`, `sealfs fsck`, `sealfs info` and `sealfs
# import` (read back through decrypt, and once through a sealfs mount) must
# all equal, byte for byte, what the encfs mount showed. The ciphertext of an
# `encfs --reverse` view copied to a store with its config reads back too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/encfs-lib.sh"
need_encfs
need_cmd setfattr

# name | encfs answers | longest name | data block | hard links | sparse file
CONFIGS=(
	"std|--standard|175|1024|1|1"
	"paranoia|--paranoia|175|1016|0|1"
	"bf160|x\n2\n160\n512\n1\n\n\n\n\n0\n\n|183|512|1|1"
	"bf256-64-byte-blocks-stream|x\n2\n256\n64\n4\n\n\n\n\n0\n\n|189|64|1|1"
	"aes128-stream-mac|x\n1\n128\n4096\n4\nn\nn\ny\n4\nn\n|189|4084|1|1"
	"camellia-block32-extiv|x\n3\n256\n1024\n2\n\n\ny\n\n\n\n|143|1024|0|1"
	"null-names|x\n1\n192\n1024\n3\n\n\n\n\n\n|255|1024|1|1"
)

for cfg in "${CONFIGS[@]}"; do
	IFS='|' read -r name answers nmax blk hard sparse <<<"$cfg"
	C=$T/$name.enc
	P=$T/$name.mnt
	step "$name: make the volume with encfs and fill it"
	encfs_new "$C" "$P" "$answers"
	fill_tree "$P" "$nmax" "$blk" "$hard" "$sparse"
	describe "$P" >"$T/$name.ref" || fail "cannot describe the encfs view"
	grep -q '^f sizes/s100000 ' "$T/$name.ref" || fail "the encfs view lacks its files"
	encfs_umount "$P"
	find "$C" -exec stat -c '%n %s %Y' {} + | sort >"$T/$name.before"

	step "$name: info and fsck"
	expect_rc 0 "info" "$SEALFS" info "$C"
	grep -q '^cipher: ' "$T/out" || fail "info shows no cipher: $(cat "$T/out")"
	grep -q 'audit' "$T/out" || fail "info names no audit findings"
	expect_rc 0 "fsck" "$SEALFS" fsck --passfile "$EPASSFILE" "$C"
	grep -q 'checked (EncFS volume); 0 problems' "$T/out" || fail "fsck: $(cat "$T/out")"
	grep -q '^cannot be checked: ' "$T/out" || fail "fsck does not say what it cannot detect"

	step "$name: decrypt equals the encfs view"
	expect_rc 0 "decrypt" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$C" "$T/$name.out"
	same_tree "decrypt" "$T/$name.ref" "$T/$name.out"

	step "$name: cat"
	want=$(awk '$2 == "sizes/s100000" {print $5}' "$T/$name.ref")
	got=$("$SEALFS" cat --passfile "$EPASSFILE" "$C" sizes/s100000 </dev/null | sha256sum | cut -d' ' -f1)
	[ "$got" = "$want" ] || fail "cat sizes/s100000: sha256 $got, want $want"
	got=$("$SEALFS" cat --passfile "$EPASSFILE" "$C" /renamed-dir/sub/file </dev/null)
	[ "$got" = old ] || fail "cat of a file in a renamed directory: '$got'"

	step "$name: import equals the encfs view"
	expect_rc 0 "import" "$SEALFS" import -q --passfile "$EPASSFILE" --same-password \
		--scrypt-logn 10 "$C" "$T/$name.sfs"
	[ -s "$T/$name.sfs/sealfs.conf" ] || fail "import made no sealfs volume"
	expect_rc 0 "fsck of the imported volume" "$SEALFS" fsck --passfile "$EPASSFILE" "$T/$name.sfs"
	expect_rc 0 "decrypt of the imported volume" "$SEALFS" decrypt -q --passfile "$EPASSFILE" \
		"$T/$name.sfs" "$T/$name.back"
	same_tree "import" "$T/$name.ref" "$T/$name.back"
	find "$C" -exec stat -c '%n %s %Y' {} + | sort >"$T/$name.after"
	cmp -s "$T/$name.before" "$T/$name.after" || fail "the EncFS volume changed"
done

step "the ciphertext of an encfs --reverse view, copied with its config, reads back"
mkdir -p "$T/rplain" "$T/rview" "$T/rstore"
fill_tree "$T/rplain" 175 1024 0 1
describe "$T/rplain" >"$T/rplain.ref"
OPENSSL_CONF=$ENCFS_SSL timeout 120 encfs --reverse --standard --extpass="cat '$EPASSFILE'" \
	"$T/rplain" "$T/rview" >"$T/encfs.out" 2>&1 </dev/null || fail "encfs --reverse: $(cat "$T/encfs.out")"
_encfs_mounts+=("$T/rview")
cp -a "$T/rview/." "$T/rstore/" || fail "cannot copy the reverse view"
encfs_umount "$T/rview"
cp "$T/rplain/.encfs6.xml" "$T/rstore/" || fail "reverse mode wrote no config"
rm "$T/rplain/.encfs6.xml"
expect_rc 0 "decrypt of a reverse copy" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$T/rstore" "$T/rout"
same_tree "decrypt of a reverse copy" "$T/rplain.ref" "$T/rout"
expect_rc 0 "import of a reverse copy" "$SEALFS" import -q --passfile "$EPASSFILE" --same-password \
	--scrypt-logn 10 "$T/rstore" "$T/rsfs"

step "a reverse-mode PLAINDIR that holds an EncFS config still mounts --reverse"
mkdir -p "$T/rp2" "$T/rv2"
printf 'x\n' >"$T/rp2/file"
cp "$T/rstore/.encfs6.xml" "$T/rp2/"
printf '%s\n' "$PW" | timeout 60 "$SEALFS" init -q --reverse -S --scrypt-logn 10 "$T/rp2" \
	>"$T/out" 2>"$T/err" || fail "init --reverse: $(cat "$T/err")"
printf '%s\n' "$PW" | timeout 60 "$SEALFS" mount --reverse -S "$T/rp2" "$T/rv2" >"$T/out" 2>"$T/err" ||
	fail "mount --reverse of a PLAINDIR with .encfs6.xml: $(cat "$T/err")"
_mounts+=("$T/rv2")
[ -e "$T/rv2/sealfs.conf" ] || fail "the reverse view shows no sealfs.conf"
"$SEALFS" umount "$T/rv2" >/dev/null 2>&1 || fusermount3 -u "$T/rv2"

step "the imported volume mounts and shows the same tree"
sfs_mount_pw() { printf '%s\n' "$EPW" | timeout 60 "$SEALFS" mount -S "$1" "$2" >"$T/out" 2>"$T/err"; }
mkdir -p "$T/m"
sfs_mount_pw "$T/std.sfs" "$T/m" || fail "mount of the imported volume: $(cat "$T/err")"
_mounts+=("$T/m")
same_tree "mount of the imported volume" "$T/std.ref" "$T/m"
"$SEALFS" umount "$T/m" >/dev/null 2>&1 || fusermount3 -u "$T/m"

step "chosen paths only"
expect_rc 0 "decrypt PATH" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$T/bf160.enc" \
	"$T/some" renamed-dir links/relative
[ "$(cat "$T/some/renamed-dir/sub/file")" = old ] || fail "decrypt PATH: no renamed-dir"
[ "$(readlink "$T/some/links/relative")" = ../sizes/s1 ] || fail "decrypt PATH: no symlink"
[ ! -e "$T/some/sizes" ] || fail "decrypt PATH restored more than asked"

step "sealfs mount refuses an EncFS volume without --ro, with one line (t-encfs-mount mounts them)"
mkdir -p "$T/m2"
expect_rc 2 "mount of an EncFS volume" "$SEALFS" mount --passfile "$EPASSFILE" "$T/std.enc" "$T/m2"
one_line_error "mount of an EncFS volume"
grep -q 'EncFS' "$T/err" || fail "the message does not say EncFS: $(cat "$T/err")"
echo "ok"
