#!/bin/bash
# t-decrypt.sh - `sealfs decrypt` and `sealfs cat` restore a volume offline,
# without FUSE. A tree written through a real mount (subdirectories, a
# symlink with a 4095-byte target, a hard link, a FIFO, a 255-byte name, an
# empty file, a 1 MB file, modes, mtimes, a user xattr) comes back byte for
# byte with its metadata; chosen paths only; an existing file is never
# clobbered without --force; a damaged file is reported (exit 7) and leaves
# nothing behind while the rest is restored; cat prints one file;
# --masterkey FILE works (key as printed by init) and a wrong key exits 3.
. "$(dirname "$0")/lib.sh"
need_fuse
need_cmd getfattr setfattr diff

C=$T/cipher
P=$T/plain
R=$T/ref

step "make a volume (keep the master key) and fill it through a mount"
printf '%s\n' "$PW" | timeout 60 "$SEALFS" init -S --scrypt-logn 10 "$C" >"$T/init.out" 2>"$T/err" ||
	fail "sealfs init: $(cat "$T/err")"
KEY=$(grep -oE '[0-9a-f]{8}(-[0-9a-f]{8}){7}' "$T/init.out" | head -n 1)
[ -n "$KEY" ] || fail "init printed no master key: $(cat "$T/init.out")"
printf '%s\n' "$KEY" >"$T/key"

mkdir -p "$R/a/b/c" "$R/d"
head -c 1000000 /dev/urandom >"$R/big.bin"
head -c $((3 * 4096 + 7)) /dev/urandom >"$R/a/three.bin"
printf 'hello\n' >"$R/hello"
printf 'deep\n' >"$R/a/b/c/deep.txt"
printf 'secret\n' >"$R/a/b/secret"
: >"$R/d/empty"
ln "$R/hello" "$R/d/hello-link"
ln -s ../hello "$R/d/rel-link"
mkfifo "$R/d/fifo"
LONGNAME=$(head -c 255 /dev/zero | tr '\0' 'n')
printf 'long name\n' >"$R/a/$LONGNAME"
chmod 640 "$R/a/b/secret"
chmod 755 "$R/a/three.bin"
chmod 600 "$R/big.bin"
chmod 710 "$R/a/b"
setfattr -n user.color -v blue "$R/hello"
touch -h -d '2001-02-03 04:05:06.123456789' "$R/d/rel-link"
touch -d '2002-03-04 05:06:07.5' "$R/big.bin" "$R/a/b/secret" "$R/d/fifo"
touch -d '2003-04-05 06:07:08' "$R/a/b/c" "$R/a/b" "$R/d" "$R/a"

sfs_mount "$C" "$P"
cp -a "$R/." "$P/" || fail "cannot copy the reference tree into the mount"
LONGLINK=$(head -c 4095 /dev/zero | tr '\0' 'x')
# A 4095-byte target needs the .link side file.
ln -s "$LONGLINK" "$P/d/long-link" 2>"$T/err" ||
	fail "the mount cannot make a 4095-byte symlink: $(cat "$T/err")"
ln -s "$LONGLINK" "$R/d/long-link"
touch -h -r "$P/d/long-link" "$R/d/long-link"
HAVE_LONGLINK=1
# Creating the long link changed d's mtime: set it again on both sides.
touch -d '2003-04-05 06:07:08' "$R/d" "$P/d"
sfs_umount "$P"

decrypt() { printf '%s\n' "$PW" | timeout 120 "$SEALFS" decrypt -S "$@"; }
dcat() { printf '%s\n' "$PW" | timeout 60 "$SEALFS" cat -S "$@"; }

# meta DIR: type, mode, size, mtime (ns), symlink target of every object but the root.
meta()
{
	(cd "$1" && find . -mindepth 1 -printf '%p %y %m %U %G %s %T@ %l\n' | LC_ALL=C sort)
}

# same_content A B: diff -r, where FIFOs on both sides are fine.
same_content()
{
	diff -r --no-dereference "$1" "$2" 2>&1 | grep -v '^File .* is a fifo while file .* is a fifo$' >"$T/diff"
	[ -s "$T/diff" ] && fail "content differs: $(head -c 600 "$T/diff")"
	return 0
}

# same_tree A B: identical content, metadata and xattrs.
same_tree()
{
	same_content "$1" "$2"
	meta "$1" >"$T/meta1"
	meta "$2" >"$T/meta2"
	diff "$T/meta1" "$T/meta2" >"$T/diff" || fail "metadata differs: $(head -c 1500 "$T/diff")"
	(cd "$1" && getfattr -R -d -m '^user\.' . 2>/dev/null) >"$T/x1"
	(cd "$2" && getfattr -R -d -m '^user\.' . 2>/dev/null) >"$T/x2"
	diff "$T/x1" "$T/x2" >"$T/diff" || fail "xattrs differ: $(cat "$T/diff")"
	[ -s "$T/x1" ] || fail "reference has no xattrs to compare"
}

same_inode()
{
	[ "$(stat -c %i "$1")" = "$(stat -c %i "$2")" ] || fail "$1 and $2 are not one inode"
}

no_tmp()
{
	local t
	t=$(find "$1" -name '*sealfs-tmp*')
	[ -z "$t" ] || fail "temporary files left behind: $t"
}

step "decrypt the whole tree"
expect_rc 0 "decrypt" decrypt "$C" "$T/d1"
same_tree "$R" "$T/d1"
same_inode "$T/d1/hello" "$T/d1/d/hello-link"
[ -p "$T/d1/d/fifo" ] || fail "fifo not restored as a fifo"
[ -n "$HAVE_LONGLINK" ] && { [ "$(readlink "$T/d1/d/long-link")" = "$LONGLINK" ] || fail "4095-byte symlink target differs"; }
no_tmp "$T/d1"

step "decrypt chosen paths only"
expect_rc 0 "decrypt paths" decrypt "$C" "$T/d2" /a/b big.bin //d/hello-link
[ -e "$T/d2/hello" ] && fail "a path not asked for was restored"
[ -e "$T/d2/a/three.bin" ] && fail "a sibling of a chosen path was restored"
diff -r --no-dereference "$R/a/b" "$T/d2/a/b" || fail "chosen directory differs"
cmp "$R/big.bin" "$T/d2/big.bin" || fail "chosen file differs"
cmp "$R/hello" "$T/d2/d/hello-link" || fail "chosen hard link differs"
[ "$(stat -c '%a %Y' "$T/d2/a/b")" = "$(stat -c '%a %Y' "$R/a/b")" ] || fail "chosen directory metadata differs"
[ "$(stat -c '%Y' "$T/d2/a")" = "$(stat -c '%Y' "$R/a")" ] || fail "directory on the way has the wrong mtime"
[ "$(stat -c '%a %Y' "$T/d2/big.bin")" = "$(stat -c '%a %Y' "$R/big.bin")" ] || fail "chosen file metadata differs"
expect_rc 1 "decrypt of a path not in the volume" decrypt "$C" "$T/d2b" /no/such
grep -q '/no' "$T/err" || fail "missing path not named: $(cat "$T/err")"

step "never clobber an existing file without --force"
mkdir -p "$T/d3/a"
printf 'mine\n' >"$T/d3/hello"
printf 'mine too\n' >"$T/d3/a/three.bin"
expect_rc 1 "decrypt over existing files" decrypt "$C" "$T/d3"
grep -q "/hello: exists in DESTDIR" "$T/err" || fail "existing file not named: $(cat "$T/err")"
grep -q "/a/three.bin: exists in DESTDIR" "$T/err" || fail "existing file not named: $(cat "$T/err")"
[ "$(cat "$T/d3/hello")" = mine ] || fail "existing file was overwritten"
[ "$(cat "$T/d3/a/three.bin")" = "mine too" ] || fail "existing file was overwritten"
cmp "$R/big.bin" "$T/d3/big.bin" || fail "the rest was not restored"
no_tmp "$T/d3"
expect_rc 0 "decrypt --force" decrypt --force "$C" "$T/d3"
cmp "$R/hello" "$T/d3/hello" || fail "--force did not replace the file"
cmp "$R/a/three.bin" "$T/d3/a/three.bin" || fail "--force did not replace the file"
same_inode "$T/d3/hello" "$T/d3/d/hello-link"
no_tmp "$T/d3"

step "a damaged file is reported, the rest restored"
cp -a "$C" "$T/damaged"
f=$(find_by_size "$T/damaged" "$(cipher_size 1000000)")
# Flip one bit (writing a fixed byte would leave the file unchanged 1 time in 256).
"$PY" -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 1]))' \
	"$f" $((48 + 100 * 4124 + 77))
expect_rc 7 "decrypt of a damaged volume" decrypt "$T/damaged" "$T/d4"
grep -q '/big.bin: block 100 fails authentication' "$T/err" || fail "damaged file not reported: $(cat "$T/err")"
[ -e "$T/d4/big.bin" ] && fail "a partial copy of the damaged file was left"
no_tmp "$T/d4"
mv "$R/big.bin" "$T/big.bin.keep"
( same_content "$R" "$T/d4" ) || { mv "$T/big.bin.keep" "$R/big.bin"; fail "the rest was not restored"; }
mv "$T/big.bin.keep" "$R/big.bin"

step "cat"
expect_rc 0 "cat" dcat "$C" a/b/c/deep.txt
cmp "$T/out" "$R/a/b/c/deep.txt" || fail "cat output differs"
expect_rc 0 "cat big" dcat "$C" /big.bin
cmp "$T/out" "$R/big.bin" || fail "cat output differs"
expect_rc 0 "cat long name" dcat "$C" "/a/$LONGNAME"
cmp "$T/out" "$R/a/$LONGNAME" || fail "cat output differs"
expect_rc 7 "cat of a damaged file" dcat "$T/damaged" /big.bin
grep -q 'block 100' "$T/err" || fail "cat did not name the damaged block: $(cat "$T/err")"
[ "$(stat -c %s "$T/out")" = $((100 * 4096)) ] || fail "cat did not write exactly the good blocks before the damaged one"
cmp -s "$T/out" <(head -c "$(stat -c %s "$T/out")" "$R/big.bin") || fail "cat wrote a wrong prefix"
expect_rc 1 "cat of a directory" dcat "$C" /a

step "--masterkey"
expect_rc 0 "decrypt --masterkey" "$SEALFS" decrypt --masterkey "$T/key" "$C" "$T/d5" /hello
cmp "$R/hello" "$T/d5/hello" || fail "--masterkey restore differs"
printf '%s\n' "$KEY" | "$SEALFS" cat --masterkey - "$C" /hello >"$T/out" 2>"$T/err" ||
	fail "cat --masterkey -: $(cat "$T/err")"
cmp "$R/hello" "$T/out" || fail "cat --masterkey output differs"
bad=$(printf '%s' "$KEY" | tr '0123456789abcdef' '123456789abcdef0')
printf '%s\n' "$bad" >"$T/badkey"
expect_rc 3 "decrypt with a wrong master key" "$SEALFS" decrypt --masterkey "$T/badkey" "$C" "$T/d6"
expect_rc 3 "cat with a wrong master key" "$SEALFS" cat --masterkey "$T/badkey" "$C" /hello
expect_rc 3 "decrypt with a wrong password" sh -c "printf 'wrong\n' | '$SEALFS' decrypt -S '$C' '$T/d7'"

step "usage"
expect_rc 0 "decrypt --help" "$SEALFS" decrypt --help
grep -q -- '--force' "$T/out" || fail "decrypt --help does not mention --force"
expect_rc 0 "cat --help" "$SEALFS" cat --help
expect_rc 2 "decrypt without DESTDIR" "$SEALFS" decrypt "$C"
expect_rc 2 "decrypt with a .. path" "$SEALFS" decrypt "$C" "$T/d8" ../x
expect_rc 4 "decrypt without a config" "$SEALFS" decrypt --masterkey "$T/key" "$T/nothing" "$T/d9"
echo "all decrypt checks passed"
