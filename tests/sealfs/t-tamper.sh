#!/bin/bash
# t-tamper.sh - an attacker edits the ciphertext of an unmounted volume; on
# remount every attacked file must fail to read (EIO, or the entry hidden)
# and never return wrong data, the daemon logs the bad file, and untouched
# files still read correctly. Attacks: bit flip, block swap, truncation by
# a block and mid-block, appended block, block copied from another file,
# ciphertext copied over another file, names swapped, name bit flip, zeroed
# block, header edit, a directory's diriv deleted or replaced.
. "$(dirname "$0")/lib.sh"
need_fuse

C=$T/cipher
P=$T/plain
R=$T/ref
sfs_init "$C"
sfs_mount "$C" "$P"
mkdir -p "$R"

# mk NAME SIZE: a random file of SIZE bytes (written sequentially, never sparse),
# kept in $R for comparison. Sizes are all distinct, so the ciphertext of
# each file is the only one of its size on disk.
ref() { printf '%s/%s' "$R" "$(printf '%s' "$1" | md5sum | cut -c1-32)"; }
mk()
{
	head -c "$2" /dev/urandom >"$(ref "$1")"
	cp "$(ref "$1")" "$P/$1" || fail "cannot write $1"
}
mk flip $((3 * 4096 + 101))
mk swap $((4 * 4096 + 102))
mk trunc-block $((5 * 4096))
mk trunc-mid $((3 * 4096 + 103))
mk copy-src $((2 * 4096 + 104))
mk copy-dst $((2 * 4096 + 105))
mk name-a $((1000 + 106))
mk name-b $((1000 + 107))
mk zero $((4 * 4096 + 108))
mk header $((4096 + 109))
mk cross-x $((3 * 4096 + 110))
mk cross-y $((3 * 4096 + 111))
mk appended $((2 * 4096 + 112))
mk name-flip $((500 + 113))
mkdir "$P/noiv" "$P/otheriv" "$P/donor" "$P/good-dir"
mk noiv/f $((2000 + 114))
mk otheriv/f $((2000 + 115))
mk donor/f $((2000 + 116))
mk good1 $((7 * 4096 + 117))
mk good2 $((118))
mk good-dir/g3 $((2 * 4096 + 119))
: >"$P/good-empty" && : >"$(ref good-empty)"
LONG=$(printf 'q%.0s' $(seq 255))
mkdir "$P/longdir" "$P/linkdir" "$P/xattrdir"
mk "longdir/$LONG" $((600 + 120))
mk longdir/short-neighbour $((600 + 121))
ln -s "link-target-$RANDOM" "$P/linkdir/sl" || fail "symlink"
mk xattrdir/xf $((600 + 122))
setfattr -n user.tag -v "xattr value $RANDOM" "$P/xattrdir/xf" 2>/dev/null || XATTR_UNSUPPORTED=1
sfs_umount "$P"

cfile() { find_by_size "$C" "$(cipher_size "$1")"; }
cdir_of() { dirname "$(cfile "$1")"; }
# put FILE OFFSET < data: overwrite bytes in place.
put() { dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
# block FILE N: ciphertext block N (4124 bytes) on stdout.
block() { dd if="$1" bs=1 skip=$((48 + $2 * 4124)) count=4124 status=none; }

step "tamper with the ciphertext"
f=$(cfile $((3 * 4096 + 101)))           # flip one bit in block 1
FLIP_CNAME=$(basename "$f")
b=$(dd if="$f" bs=1 skip=$((48 + 4124 + 2000)) count=1 status=none | od -An -tu1 | tr -d ' ')
printf "\\$(printf '%03o' $((b ^ 4)))" | put "$f" $((48 + 4124 + 2000))

f=$(cfile $((4 * 4096 + 102)))           # swap blocks 1 and 2
block "$f" 1 >"$T/b1" && block "$f" 2 >"$T/b2"
put "$f" $((48 + 4124)) <"$T/b2" && put "$f" $((48 + 2 * 4124)) <"$T/b1"

f=$(cfile $((5 * 4096)))                 # drop the last whole block
truncate -s $((48 + 4 * 4124)) "$f"

f=$(cfile $((3 * 4096 + 103)))           # cut the last block in the middle
truncate -s $((48 + 3 * 4124 + 50)) "$f"

src=$(cfile $((2 * 4096 + 104)))         # ciphertext of copy-src over copy-dst
dst=$(cfile $((2 * 4096 + 105)))
cp "$src" "$dst"

a=$(cfile $((1000 + 106)))               # swap the names of name-a and name-b
b=$(cfile $((1000 + 107)))
mv "$a" "$a.tmp" && mv "$b" "$a" && mv "$a.tmp" "$b"

f=$(cfile $((4 * 4096 + 108)))           # zero block 2
dd if=/dev/zero of="$f" bs=1 seek=$((48 + 2 * 4124)) count=4124 conv=notrunc status=none

f=$(cfile $((4096 + 109)))               # flip a bit of the file id in the header
b=$(dd if="$f" bs=1 skip=12 count=1 status=none | od -An -tu1 | tr -d ' ')
printf "\\$(printf '%03o' $((b ^ 1)))" | put "$f" 12

x=$(cfile $((3 * 4096 + 110)))           # block 1 of cross-x into cross-y
y=$(cfile $((3 * 4096 + 111)))
block "$x" 1 >"$T/bx" && put "$y" $((48 + 4124)) <"$T/bx"

f=$(cfile $((2 * 4096 + 112)))           # append a copy of block 0 after the last block
block "$f" 0 >>"$f"

f=$(cfile $((500 + 113)))                # flip one character of a ciphertext name
n=$(basename "$f")
c=${n:5:1}
[ "$c" = A ] && c2=B || c2=A
mv "$f" "$(dirname "$f")/${n:0:5}$c2${n:6}"

d=$(cdir_of $((2000 + 114)))             # delete noiv's diriv
rm "$d/sealfs.diriv"

d=$(cdir_of $((2000 + 115)))             # give otheriv the diriv of donor
cp "$(cdir_of $((2000 + 116)))/sealfs.diriv" "$d/sealfs.diriv"

lf=$(find "$C" -type f -size "$(cipher_size $((600 + 120)))"c -name 'sealfs.longname.*')
side=$lf.name                              # edit the long name's .name side file
[ -n "$lf" ] || fail "the 255-byte name is not stored as a sealfs.longname.* stand-in"
[ -f "$side" ] || fail "no .name side file for the 255-byte name"
"$PY" - "$side" <<'EOF' || fail "cannot edit the side file"
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = len(b) // 2
b[i] = ord("A") if b[i] != ord("A") else ord("B")
open(p, "wb").write(bytes(b))
EOF

l=$(find "$C" -type l | head -n 1)         # change the stored symlink target
if [ -n "$l" ]; then
	t=$(readlink "$l")
	c=${t:10:1}
	[ "$c" = A ] && c2=B || c2=A
	ln -sfn -- "${t:0:10}$c2${t:11}" "$l" || fail "could not tamper with the stored symlink"
else
	note "symlinks are not stored as symlinks: target tamper not applied"
fi

XA_TAMPERED=
if [ -z "${XATTR_UNSUPPORTED:-}" ]; then    # change a stored xattr value
	xf=$(cfile $((600 + 122)))
	while read -r name; do
		[ -n "$name" ] || continue
		"$PY" - "$xf" "$name" <<'EOF' && XA_TAMPERED=1
import os, sys
p, n = sys.argv[1], sys.argv[2]
v = bytearray(os.getxattr(p, n))
v[len(v) // 2] ^= 0x08
os.setxattr(p, n, bytes(v))
EOF
	done < <(getfattr --absolute-names -d -m - "$xf" 2>/dev/null | sed -n 's/^\([^#=][^=]*\)=.*/\1/p')
fi

# ---------------------------------------------------------------- check
step "remount and read"
sfs_mount_fg "$C" "$P" "$T/daemon.log"

# eio NAME WHAT: reading NAME must fail with EIO and cat must fail.
eio()
{
	local r
	r=$(read_errno "$P/$1")
	[ "$r" = EIO ] || fail "$2: reading '$1' gave $r, want EIO"
	cat "$P/$1" >/dev/null 2>&1 && fail "$2: cat '$1' succeeded"
	return 0
}
eio flip "one flipped bit in block 1"
r=$(dd if="$P/flip" bs=4096 skip=1 count=1 status=none 2>/dev/null | wc -c)
[ "$r" = 0 ] || fail "reading the flipped block returned $r bytes"
eio swap "two blocks swapped"
eio trunc-block "ciphertext truncated by one whole block"
[ "$(stat -c %s "$P/trunc-block" 2>/dev/null)" = $((4 * 4096)) ] &&
	cmp -s "$P/trunc-block" <(head -c $((4 * 4096)) "$(ref trunc-block)") && fail "file truncated by one block reads as a shorter valid file"
eio trunc-mid "ciphertext cut in the middle of a block"
eio copy-dst "ciphertext of another file copied over it"
eio zero "one block zeroed (file never written sparsely)"
eio header "file id in the header changed"
eio cross-y "block copied from another file at the same position"
eio appended "extra block appended"
r=$(dd if="$P/appended" bs=4096 skip=2 count=1 status=none 2>/dev/null | wc -c)
[ "$r" = 0 ] || fail "extra block appended to the ciphertext reads as $r bytes of data"

for n in name-a name-b; do
	r=$(read_errno "$P/$n")
	case $r in
	EIO | ENOENT) ;;
	*) fail "ciphertext names swapped: reading '$n' gave $r, want EIO (or the entry hidden)" ;;
	esac
done
cmp -s "$P/name-a" "$(ref name-b)" 2>/dev/null && fail "names swapped: name-a reads name-b's content"
cmp -s "$P/name-b" "$(ref name-a)" 2>/dev/null && fail "names swapped: name-b reads name-a's content"

r=$(read_errno "$P/name-flip")
[ "$r" = ENOENT ] || [ "$r" = EIO ] || fail "flipped ciphertext name: reading name-flip gave $r"

want="appended copy-dst copy-src cross-x cross-y donor flip good-dir good-empty good1 good2 header linkdir longdir name-a name-b name-flip noiv otheriv swap trunc-block trunc-mid xattrdir zero"
ls -A "$P" >"$T/ls" 2>"$T/ls.err"
extra=$(grep -vxF -f <(tr ' ' '\n' <<<"$want") "$T/ls")
[ -z "$extra" ] || fail "listing after tampering shows names that were never created: $extra"

step "long name side file, symlink target, xattr value"
# Lookup by name need not read the side file (the header still binds the
# content to the name), so reading may succeed, but only with the right data.
r=$(read_errno "$P/longdir/$LONG")
case $r in
OK) cmp -s "$P/longdir/$LONG" "$(ref "longdir/$LONG")" || fail "long name with an edited side file reads wrong data" ;;
ENOENT | EIO) ;;
*) fail "long name with an edited side file: reading gave $r, want the right data, ENOENT or EIO" ;;
esac
ls -A "$P/longdir" >"$T/ls" 2>/dev/null
grep -vxF -e short-neighbour -e "$LONG" "$T/ls" | grep -q . && fail "edited long-name side file lists a garbage name: $(head -c 300 "$T/ls")"
cmp -s "$P/longdir/short-neighbour" "$(ref longdir/short-neighbour)" || fail "neighbour of an edited long name unreadable"
if [ -n "$l" ]; then
	r=$(errno_of 'print(os.readlink(sys.argv[1]), file=sys.stderr)' "$P/linkdir/sl" 2>"$T/rl")
	[ "$r" = EIO ] || [ "$r" = ENOENT ] || fail "tampered symlink target: readlink gave $r ($(cat "$T/rl")), want EIO"
fi
if [ -n "$XA_TAMPERED" ]; then
	r=$(errno_of 'os.getxattr(sys.argv[1], "user.tag")' "$P/xattrdir/xf")
	[ "$r" = EIO ] || [ "$r" = ENODATA ] || fail "tampered xattr value: getxattr gave $r, want EIO"
	cmp -s "$P/xattrdir/xf" "$(ref xattrdir/xf)" || fail "file content unreadable after its xattr was tampered"
fi

step "directory whose diriv was deleted or replaced"
ls -A "$P/noiv" >"$T/ls" 2>/dev/null
[ -s "$T/ls" ] && [ "$(cat "$T/ls")" != f ] && fail "dir without diriv lists garbage: $(head -c 200 "$T/ls")"
r=$(read_errno "$P/noiv/f")
[ "$r" != OK ] || fail "file in a dir whose diriv was deleted still reads"
ls -A "$P/otheriv" >"$T/ls" 2>/dev/null
[ -s "$T/ls" ] && [ "$(cat "$T/ls")" != f ] && fail "dir with a foreign diriv lists garbage: $(head -c 200 "$T/ls")"
r=$(read_errno "$P/otheriv/f")
[ "$r" != OK ] || fail "file in a dir with a foreign diriv still reads"

step "untouched files still read correctly"
for n in copy-src cross-x donor/f good1 good2 good-dir/g3 good-empty; do
	cmp -s "$P/$n" "$(ref "$n")" || fail "untouched file '$n' does not read back correctly ($(read_errno "$P/$n"))"
done
echo "still writable" >"$P/good-dir/new" && [ "$(cat "$P/good-dir/new")" = "still writable" ] ||
	fail "cannot create files in an untouched dir after tampering elsewhere"

step "the daemon logs the bad file"
grep -q -F -e flip -e "$FLIP_CNAME" "$T/daemon.log" ||
	fail "daemon log names neither the plaintext nor the ciphertext name of the tampered file: $(head -c 600 "$T/daemon.log")"
sfs_umount "$P"  # the daemon must exit 0 after serving tampered files

echo "t-tamper: all checks passed"
exit 0
