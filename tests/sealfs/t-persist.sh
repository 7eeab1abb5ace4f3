#!/bin/bash
# t-persist.sh - a tree written through sealfs survives umount + remount
# unchanged (content, modes, owners, mtimes, symlinks, hard links, xattrs,
# names of every shape, renames and links made before the umount), the
# on-disk layout is as docs/FORMAT.md says, and the ciphertext holds no
# plaintext name, content, symlink target or xattr value.
. "$(dirname "$0")/lib.sh"
need_fuse
need_cmd getfattr setfattr

C=$T/cipher
P=$T/plain
S=$T/src
M=MRKR$RANDOM$$  # marker that must never appear in the ciphertext
sfs_init "$C"
sfs_mount_fg "$C" "$P" "$T/daemon.log"  # foreground: its exit code and sanitizer log are checked

# ---------------------------------------------------------------- build a tree
step "build a source tree and copy it in"
mkdir -p "$S/docs/deep/deeper/deepest" "$S/empty-dir" "$S/$M-dirname" "$S/sp ace/ünï"
printf '%s content line\n' "$M" >"$S/docs/marker.txt"
for i in $(seq 1 60); do printf '%s repeated content %d\n' "$M" "$i"; done >"$S/docs/$M-filename.log"
: >"$S/empty"
printf 'x' >"$S/one-byte"
head -c 4095 /dev/urandom >"$S/b4095"
head -c 4096 /dev/urandom >"$S/b4096"
head -c 4097 /dev/urandom >"$S/b4097"
head -c 300000 /dev/urandom >"$S/docs/deep/random300k"
printf 'deepest %s\n' "$M" >"$S/docs/deep/deeper/deepest/leaf"
echo spaced >"$S/sp ace/ünï/fïlé with spaces"
echo dash >"$S/-leading-dash"
echo hidden >"$S/.hidden"
long=$(printf 'L%.0s' $(seq 240))$M
long=${long:0:255}
echo "long name $M" >"$S/$long"
echo "in dir" >"$S/$M-dirname/inside"
echo kept >"$S/docs/$M-kept-name"
echo "long kept" >"$S/docs/$long"
ln -s docs/marker.txt "$S/rel-link"
ln -s "/nonexistent/$M/target" "$S/dangling-link"
ln -s "$(printf 'T%.0s' $(seq 3000))" "$S/long-link"
mkfifo "$S/fifo"
chmod 0600 "$S/docs/marker.txt"
chmod 0751 "$S/docs/deep"
chmod 0444 "$S/b4095"
chmod 2775 "$S/empty-dir"
chown 1001:1002 "$S/b4096"
setfattr -n user.note -v "xattr $M" "$S/docs/marker.txt"
find "$S" -mindepth 1 -exec touch -h -d '2011-11-11 11:11:11.111111111' {} +
touch -d '1990-01-01 00:00:01.5' "$S/one-byte"
cp -a "$S/." "$P/" || fail "cp -a of the source tree into the mount failed"

# manifest DIR: one line per entry (type, mode, owner, size, mtime, link target,
# xattrs, content hash); hard links by group, not by inode number.
manifest()
{
	"$PY" - "$1" <<'EOF'
import hashlib, os, stat, sys
root = sys.argv[1]
out = []
for d, dirs, files in os.walk(root):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(d, n)
        r = os.path.relpath(p, root)
        st = os.lstat(p)
        kind = stat.S_IFMT(st.st_mode)
        line = [r, oct(st.st_mode), f"{st.st_uid}:{st.st_gid}", str(st.st_mtime_ns)]
        if stat.S_ISREG(kind):
            with open(p, "rb") as f:
                line += [str(st.st_size), hashlib.sha256(f.read()).hexdigest(), f"nlink={st.st_nlink}"]
        elif stat.S_ISLNK(kind):
            t = os.readlink(p)
            line += [str(st.st_size), hashlib.sha256(t.encode("utf-8", "surrogateescape")).hexdigest()]
        if not stat.S_ISLNK(kind):
            for a in sorted(os.listxattr(p, follow_symlinks=False)):
                if a.startswith("user."):
                    line.append(f"{a}={os.getxattr(p, a).hex()}")
        out.append(" ".join(line))
print("\n".join(out))
EOF
}

manifest "$S" >"$T/m-src" || fail "cannot take the manifest of the source tree"
manifest "$P" >"$T/m-plain" || fail "cannot read the tree back through the mount"
diff -u "$T/m-src" "$T/m-plain" >&2 || fail "tree copied in with cp -a differs from its source"

# ---------------------------------------------------------------- changes before umount
step "renames, links and overwrites before the umount"
mv "$P/docs/deep/random300k" "$P/$M-dirname/moved300k" || fail "cross-dir rename"
mv "$P/$M-dirname" "$P/docs/deep/deeper/renamed-dir" || fail "dir rename"
mv "$P/b4097" "$P/$(printf 'R%.0s' $(seq 255))" || fail "rename to a 255-byte name"
mv "$P/$long" "$P/short-now" || fail "rename of a long name to a short one"
ln "$P/b4096" "$P/docs/hardlink" || fail "hard link"
ln "$P/one-byte" "$P/one-byte-link" && mv "$P/one-byte-link" "$P/docs/deep/one-byte-moved" || fail "move of a hard link"
echo "rewritten" >"$P/docs/deep/deeper/deepest/leaf"
chmod 0640 "$P/docs/deep/deeper/deepest/leaf"
touch -d '2020-02-02 02:02:02.000000202' "$P/docs/deep/deeper/deepest/leaf"
setfattr -n user.later -v "second $M" "$P/docs"
rm "$P/-leading-dash"
sleep 1.2  # let attribute caches expire so the manifest shows what sealfs stores
manifest "$P" >"$T/m-before" || fail "cannot read the tree before umount"
i1=$(stat -c %i "$P/b4096") i2=$(stat -c %i "$P/docs/hardlink")
[ "$i1" = "$i2" ] || fail "hard links have different inode numbers before umount"

# ---------------------------------------------------------------- remount
step "umount, remount: identical"
sfs_umount "$P"
sfs_mount "$C" "$P"
manifest "$P" >"$T/m-after" || fail "cannot read every file after remount (EIO after rename or link?)"
diff -u "$T/m-before" "$T/m-after" >&2 || fail "tree differs after umount + remount"
i1=$(stat -c %i "$P/b4096") i2=$(stat -c %i "$P/docs/hardlink")
[ "$i1" = "$i2" ] || fail "hard links have different inode numbers after remount"
[ "$(stat -c %h "$P/b4096")" = 2 ] || fail "nlink of a hard-linked file after remount: $(stat -c %h "$P/b4096")"
[ "$(cat "$P/docs/deep/deeper/deepest/leaf")" = rewritten ] || fail "overwritten file after remount"
cmp -s "$P/docs/deep/deeper/renamed-dir/moved300k" "$S/docs/deep/random300k" ||
	fail "file moved across dirs, then its dir renamed, differs after remount"
[ -e "$P/-leading-dash" ] && fail "deleted file is back after remount"

step "a second remount (read-only) is identical too"
sfs_umount "$P"
sfs_mount "$C" "$P" --ro
manifest "$P" >"$T/m-ro" || fail "cannot read the tree on a --ro mount"
diff -u "$T/m-before" "$T/m-ro" >&2 || fail "tree differs on the second (--ro) mount"
sfs_umount "$P"

# ---------------------------------------------------------------- on disk
step "on-disk layout"
[ -s "$C/sealfs.conf" ] || fail "no sealfs.conf in CIPHERDIR"
ndirs=$(find "$C" -type d | wc -l)
nivs=$(find "$C" -type f -name sealfs.diriv -size 16c | wc -l)
[ "$ndirs" = "$nivs" ] || fail "$ndirs ciphertext dirs but $nivs 16-byte sealfs.diriv files"
[ "$ndirs" = "$(find "$S" -type d | wc -l)" ] ||
	fail "ciphertext has $ndirs dirs, plaintext tree $(find "$S" -type d | wc -l)"
[ "$(find "$C" -type f -name 'sealfs.diriv' -exec md5sum {} + | awk '{print $1}' | sort -u | wc -l)" = "$nivs" ] ||
	fail "two directories share one diriv"
find "$C" -type f -size 48c ! -name 'sealfs.*' | grep -q . || fail "no 48-byte ciphertext file for the empty file"
find "$C" -type f -size "$(cipher_size 300000)"c | grep -q . || fail "no ciphertext file of $(cipher_size 300000) bytes for the 300000-byte file"
find "$C" -type f -size "$(cipher_size 4096)"c | grep -q . || fail "no ciphertext of $(cipher_size 4096) bytes for a 4096-byte file"
find "$C" -regextype posix-extended -regex '.*/sealfs\.longname\.[A-Za-z0-9_-]{43}' | grep -q . ||
	fail "no sealfs.longname.<43 chars> stand-in for the 255-byte names: $(find "$C" -name 'sealfs.longname*' | head -n 3)"
while read -r f; do
	[ -e "$f.name" ] || fail "long-name stand-in '$(basename "$f")' has no .name side file"
done < <(find "$C" -name 'sealfs.longname.*' ! -name '*.name' ! -name '*.link')
bad=$(find "$C" -mindepth 1 ! -name 'sealfs.*' -printf '%f\n' | sed -E 's/\.(name|link)$//' |
	grep -Ev '^[A-Za-z0-9_-]+$' | head -n 3)
[ -z "$bad" ] || fail "ciphertext names that are not base64url: $bad"

step "no plaintext in the ciphertext"
grep -r -a -l -F "$M" "$C" && fail "marker '$M' found in ciphertext files (content or names in side files)"
find "$C" | grep -F -e "$M" -e marker -e deepest -e random300k -e "sp ace" -e hidden -e renamed -e leading &&
	fail "a plaintext name appears in the ciphertext tree"
grep -r -a -l -F 'repeated content' "$C" && fail "plaintext content found in the ciphertext"
grep -r -a -l -F "TTTTTTTTTTTTTTTT" "$C" && fail "a symlink target is stored in the clear"
grep -r -a -l -F "/nonexistent/" "$C" && fail "a symlink target is stored in the clear"
getfattr --absolute-names -R -d -m - -e text "$C" 2>/dev/null | grep -F "$M" && fail "an xattr value is stored in the clear"
while read -r l; do
	readlink "$l" | grep -F -e "$M" -e nonexistent -e marker.txt && fail "ciphertext symlink points at a plaintext target"
done < <(find "$C" -type l)

# ---------------------------------------------------------------- crash
step "daemon killed (-9) mid-write: synced data intact, nothing unreadable"
sfs_mount_fg "$C" "$P" "$T/crash.log"
crash_pid=$SFS_FG_PID
mkdir "$P/crash"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$T/crash.ref"
CRASH_PID=$crash_pid "$PY" - "$P/crash" "$T/crash.ref" <<'EOF' || fail "writing before the crash failed"
import os, sys
d, ref = sys.argv[1], open(sys.argv[2], "rb").read()
fd = os.open(d + "/synced", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, ref[: 1 << 20])
os.fsync(fd)
os.close(fd)
fd = os.open(d + "/growing", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, ref[: 2 << 20])
os.fsync(fd)
os.write(fd, ref[2 << 20 :])  # not synced
fd2 = os.open(d + "/rmw", os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd2, ref[:10000])
os.fsync(fd2)
os.pwrite(fd2, b"X" * 100, 5000)  # not synced, mid-block
# leave both open: the daemon dies under them
os.kill(int(os.environ["CRASH_PID"]), 9)
EOF
sleep 0.2
unset "_fg_pid_of[$P]" "_fg_log_of[$P]"
wait "$crash_pid" 2>/dev/null
fusermount3 -u -z "$P" 2>/dev/null || umount -l "$P"
sfs_mount "$C" "$P"
cmp -s "$P/crash/synced" <(head -c $((1024 * 1024)) "$T/crash.ref") || fail "fsync'ed file damaged by a daemon crash ($(read_errno "$P/crash/synced"))"
r=$(read_errno "$P/crash/growing")
[ "$r" = OK ] || fail "file being appended when the daemon died reads $r"
sz=$(stat -c %s "$P/crash/growing")
[ "$sz" -ge $((2 * 1024 * 1024)) ] || fail "file being appended lost fsync'ed data in the crash: size $sz"
cmp -s "$P/crash/growing" <(head -c "$sz" "$T/crash.ref") || fail "file being appended reads wrong data after the crash"
r=$(read_errno "$P/crash/rmw")
[ "$r" = OK ] || fail "file rewritten mid-block when the daemon died reads $r"
ls "$P/crash" >/dev/null || fail "directory unreadable after the crash"
cmp -s "$P/docs/deep/deeper/renamed-dir/moved300k" "$S/docs/deep/random300k" || fail "older files damaged by the crash"
sfs_umount "$P"

echo "t-persist: all checks passed"
exit 0
