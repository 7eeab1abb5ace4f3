#!/bin/bash
# Reverse mode: a read-only, deterministic encrypted view of a plaintext tree.
# Determinism across remounts, rsync re-sends only what changed, excludes,
# read-only, hard links and long names, and a copy of the view mounts forward
# and equals the original.
. "$(dirname "$0")/lib.sh"
need_fuse
need_cmd rsync

P=$T/plain V=$T/view S=$T/store F=$T/fwd
mkdir -p "$P/sub/deeper" "$S"

step "populate the plaintext tree"
echo hello >"$P/a"
seq 1 200000 >"$P/sub/numbers"
head -c 1000000 /dev/urandom >"$P/sub/deeper/random.bin"
: >"$P/empty"
ln -s ../a "$P/sub/link"
ln "$P/a" "$P/a-hardlink"
long=$(printf 'L%.0s' $(seq 1 255))
echo "long name" >"$P/sub/$long"
target=$(printf 't%.0s' $(seq 1 4095))
ln -s "$target" "$P/sub/longlink"
# a name of every length 1..255: short names, the stand-in threshold (135
# bytes encode to 202 characters) and the longest
mkdir "$P/lengths"
for n in $(seq 1 255); do
	echo "$n" >"$P/lengths/$(head -c "$n" /dev/zero | tr '\0' n)"
done
mkdir -p "$P/cache" && echo junk >"$P/cache/x" && echo junk >"$P/sub/file.tmp"
chmod 640 "$P/sub/numbers"
touch -d '2021-03-04 05:06:07' "$P/sub/numbers"

step "init --reverse leaves the tree and writes a hidden config"
printf '%s\n' "$PW" | "$SEALFS" init --reverse -q -S --scrypt-logn 10 "$P" >"$T/out" 2>"$T/err" ||
	fail "init --reverse failed: $(cat "$T/err")"
[ -s "$P/.sealfs.reverse.conf" ] || fail "no .sealfs.reverse.conf in PLAINDIR"
[ -e "$P/sealfs.conf" ] && fail "init --reverse wrote sealfs.conf into PLAINDIR"
expect_rc 6 "second init --reverse" sh -c "printf 'x\n' | '$SEALFS' init --reverse -q -S --scrypt-logn 10 '$P'"

hash_view() { (cd "$V" && find . -print0 | sort -z | xargs -0 -n 50 sh -c '
	for f; do
		if [ -L "$f" ]; then printf "L %s %s\n" "$f" "$(readlink "$f")";
		elif [ -d "$f" ]; then printf "D %s\n" "$f";
		else printf "F %s %s\n" "$f" "$(sha256sum <"$f" | cut -c1-64)"; fi
	done' sh) ; }

step "the view: config at the root, no plaintext, read-only"
sfs_mount "$P" "$V" --reverse --exclude cache --exclude '*.tmp'
[ -f "$V/sealfs.conf" ] || fail "no sealfs.conf at the root of the view"
cmp -s "$V/sealfs.conf" "$P/.sealfs.reverse.conf" || fail "view's sealfs.conf differs from the config"
[ "$(stat -c %a "$V/sealfs.conf")" = 400 ] || fail "the view's sealfs.conf is mode $(stat -c %a "$V/sealfs.conf"), not 400 as forward mode writes it"
[ -f "$V/sealfs.diriv" ] || fail "no sealfs.diriv in the view's root"
ls -a "$V" | grep -q 'reverse.conf' && fail "the hidden config shows in the view"
grep -rqa -e hello -e "long name" "$V" && fail "plaintext content visible in the view"
find "$V" | grep -q -e numbers -e random -e cache -e 'file.tmp' && fail "plaintext name visible in the view"
r=$(errno_of 'open(sys.argv[1] + "/newfile", "w")' "$V")
[ "$r" = EROFS ] || fail "creating a file in the view gave $r, not EROFS"
r=$(errno_of 'os.mkdir(sys.argv[1] + "/d")' "$V")
[ "$r" = EROFS ] || fail "mkdir in the view gave $r, not EROFS"
hash_view >"$T/h1"
[ "$(grep -c '^F' "$T/h1")" -ge 8 ] || fail "view has too few files: $(cat "$T/h1")"

step "determinism: remount gives byte-identical names and contents"
sfs_umount "$V"
sfs_mount "$P" "$V" --reverse --exclude cache --exclude '*.tmp'
hash_view >"$T/h2"
diff -u "$T/h1" "$T/h2" >&2 || fail "the view changed across remounts"

step "ship with rsync; a copy of the view mounts forward and equals the original"
rsync -a "$V/" "$S/" || fail "rsync of the view failed"
[ "$(stat -c %a "$S/sealfs.conf")" = 400 ] || fail "the store copy's sealfs.conf is mode $(stat -c %a "$S/sealfs.conf"), not 400"
sfs_mount "$S" "$F" --ro
rm -rf "$T/expect" && cp -a "$P" "$T/expect" && rm -rf "$T/expect/cache" "$T/expect/sub/file.tmp" "$T/expect/.sealfs.reverse.conf"
diff -r --no-dereference "$T/expect" "$F" >&2 || fail "forward mount of the shipped copy differs from the plaintext"
[ "$(stat -c %a "$F/sub/numbers")" = 640 ] || fail "mode not preserved"
[ "$(stat -c %Y "$F/sub/numbers")" = "$(stat -c %Y "$P/sub/numbers")" ] || fail "mtime not preserved"
[ "$(readlink "$F/sub/longlink")" = "$target" ] || fail "4095-byte symlink target did not round-trip"
[ "$(cat "$F/sub/$long")" = "long name" ] || fail "255-byte name did not round-trip"
[ "$(find "$F/lengths" -type f | wc -l)" = 255 ] || fail "names of some lengths 1..255 are missing in the store copy"
for n in $(seq 1 255); do
	[ "$(cat "$F/lengths/$(head -c "$n" /dev/zero | tr '\0' n)")" = "$n" ] || fail "the $n-byte name did not round-trip"
done
cmp -s "$F/a-hardlink" "$P/a" || fail "hard-linked file differs"
sfs_umount "$F"

step "rsync re-sends only the file that changed"
echo "changed" >>"$P/sub/numbers"
touch -d '2022-01-01' "$P/sub/numbers"
sfs_umount "$V"
sfs_mount "$P" "$V" --reverse --exclude cache --exclude '*.tmp'
rsync -a --stats "$V/" "$S/" >"$T/stats" || fail "second rsync failed"
n=$(awk -F': ' '/Number of regular files transferred/ {gsub(/,/, "", $2); print $2}' "$T/stats")
[ "$n" = 1 ] || fail "rsync transferred $n files after one changed (want 1): $(cat "$T/stats")"
sfs_mount "$S" "$F" --ro
cmp -s "$F/sub/numbers" "$P/sub/numbers" || fail "changed file not updated in the store copy"
sfs_umount "$F"
sfs_umount "$V"
echo "reverse mode ok"
