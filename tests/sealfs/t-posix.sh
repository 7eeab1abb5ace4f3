#!/bin/bash
# t-posix.sh - POSIX behaviour of a mounted sealfs volume: I/O at any offset,
# append, truncate, rename, unlink, dirs, symlinks (up to PATH_MAX-1), hard
# links, special files, metadata, statfs, fsync, fallocate, xattrs, name
# lengths, st_size/st_blocks, hidden internals, a large file, sparse files.
# Ends with a remount: every file must read back identically.
. "$(dirname "$0")/lib.sh"
need_fuse
need_cmd getfattr setfattr fallocate truncate

C=$T/cipher
P=$T/plain
sfs_init "$C"
sfs_mount_fg "$C" "$P" "$T/daemon.log"  # foreground: its exit code and sanitizer log are checked
export TZ=UTC

# ---------------------------------------------------------------- read/write at any offset
step "write and read at any offset (against a reference file)"
"$PY" - "$P/rw" "$T/rw.ref" <<'EOF' || fail "random-offset I/O differs from the reference file"
import os, random, sys
r = random.Random(1234)
paths = sys.argv[1:]
fds = [os.open(p, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644) for p in paths]
edges = [0, 1, 4095, 4096, 4097, 8191, 8192, 8193, 12287, 12288, 40000, 65536]
for i in range(400):
    if r.random() < 0.5:
        off = max(0, r.choice(edges) + r.randint(-3, 3))
    else:
        off = r.randint(0, 70000)
    n = r.choice([1, 2, 7, 100, 4095, 4096, 4097, 9000, r.randint(1, 12000)])
    data = os.urandom(n)
    for fd in fds:
        if os.pwrite(fd, data, off) != n:
            sys.exit("short pwrite")
    sizes = [os.fstat(fd).st_size for fd in fds]
    if sizes[0] != sizes[1]:
        sys.exit(f"op {i}: st_size {sizes[0]} != reference {sizes[1]} after pwrite({n}@{off})")
    ro = r.randint(0, sizes[1])
    rn = r.randint(1, 10000)
    a, b = (os.pread(fd, rn, ro) for fd in fds)
    if a != b:
        sys.exit(f"op {i}: pread({rn}@{ro}) differs from reference")
for fd in fds:
    os.close(fd)
a, b = (open(p, "rb").read() for p in paths)
if a != b:
    sys.exit("final content differs from reference")
EOF
cmp "$P/rw" "$T/rw.ref" || fail "cmp: random-offset file differs from reference after close"

step "create, overwrite, empty file"
: >"$P/empty"
[ "$(stat -c %s "$P/empty")" = 0 ] || fail "new empty file has st_size $(stat -c %s "$P/empty")"
[ "$(wc -c <"$P/empty")" = 0 ] || fail "empty file reads non-empty"
echo "first version, rather long" >"$P/over"
echo "second" >"$P/over"
[ "$(cat "$P/over")" = second ] || fail "overwrite with O_TRUNC left old bytes: $(od -c "$P/over" | head)"

step "O_EXCL, EISDIR, mmap, exec"
r=$(errno_of 'os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY)' "$P/empty")
[ "$r" = EEXIST ] || fail "O_CREAT|O_EXCL on an existing file: expected EEXIST, got $r"
r=$(errno_of 'os.read(os.open(sys.argv[1], os.O_RDONLY), 10)' "$P")
[ "$r" = EISDIR ] || fail "read() on a directory: expected EISDIR, got $r"
"$PY" - "$P/mm" <<'EOF' || fail "shared writable mmap does not work (or its data is lost)"
import mmap, os, sys
p = sys.argv[1]
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 3 * 4096 + 10)
m = mmap.mmap(fd, 3 * 4096 + 10, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[4090:4100] = b"0123456789"
m[-3:] = b"end"
m.flush()
m.close()
os.close(fd)
d = open(p, "rb").read()
if len(d) != 3 * 4096 + 10 or d[4090:4100] != b"0123456789" or d[-3:] != b"end" or d[:4090] != bytes(4090):
    sys.exit("content written through mmap differs")
m = mmap.mmap(os.open(p, os.O_RDONLY), 0, prot=mmap.PROT_READ)
if m[4090:4100] != b"0123456789":
    sys.exit("read-only mmap differs")
EOF
cp /bin/true "$P/true-copy" && "$P/true-copy" || fail "cannot execute a binary stored in the mount"
printf '#!/bin/sh\necho ran-from-sealfs\n' >"$P/script.sh" && chmod 755 "$P/script.sh"
[ "$("$P/script.sh")" = ran-from-sealfs ] || fail "cannot execute a script stored in the mount"

step "append (>>)"
printf 'a\n' >"$P/app" && printf 'b\n' >>"$P/app" && printf 'c\n' >>"$P/app"
[ "$(cat "$P/app")" = $'a\nb\nc' ] || fail "append lost data: $(od -c "$P/app")"
: >"$T/app.ref"
for i in $(seq 1 12); do
	head -c 3001 /dev/urandom >"$T/chunk"
	cat "$T/chunk" >>"$P/app2"
	cat "$T/chunk" >>"$T/app.ref"
done
cmp "$P/app2" "$T/app.ref" || fail "3001-byte appends across block boundaries differ from reference"
[ "$(stat -c %s "$P/app2")" = 36012 ] || fail "st_size after appends: $(stat -c %s "$P/app2"), want 36012"

# ---------------------------------------------------------------- truncate
step "truncate/ftruncate grow and shrink (against a reference file)"
"$PY" - "$P/tr" "$T/tr.ref" <<'EOF' || fail "truncate results differ from the reference file"
import os, sys
paths = sys.argv[1:]
for p in paths:
    with open(p, "wb") as f:
        f.write(b"A" * 10000)
ops = [("t", 5000), ("t", 10000), ("f", 4096), ("t", 4097), ("f", 8193), ("t", 0),
       ("w", 3), ("t", 12288), ("f", 1), ("t", 30000), ("w", 20000), ("f", 20001),
       ("t", 4095), ("t", 4096), ("f", 200000), ("t", 100)]
for i, (op, n) in enumerate(ops):
    for p in paths:
        if op == "t":
            os.truncate(p, n)
        elif op == "f":
            fd = os.open(p, os.O_RDWR)
            os.ftruncate(fd, n)
            os.close(fd)
        else:
            fd = os.open(p, os.O_RDWR)
            os.pwrite(fd, b"Z" * 777, n)
            os.close(fd)
    a, b = (open(p, "rb").read() for p in paths)
    sa, sb = (os.stat(p).st_size for p in paths)
    if sa != sb:
        sys.exit(f"op {i} {op}{n}: st_size {sa}, want {sb}")
    if a != b:
        j = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        sys.exit(f"op {i} {op}{n}: content differs from byte {j} (len {len(a)} vs {len(b)}); "
                 f"stale data after shrink+grow?")
# ftruncate on a descriptor that keeps writing
fds = [os.open(p, os.O_RDWR) for p in paths]
for fd in fds:
    os.write(fd, b"x" * 5000)
    os.ftruncate(fd, 2000)
    os.pwrite(fd, b"y" * 10, 6000)
    os.close(fd)
a, b = (open(p, "rb").read() for p in paths)
if a != b:
    sys.exit("write, ftruncate, pwrite past EOF on one descriptor differs from reference")
EOF
head -c 10000 /dev/urandom >"$P/tr2"
truncate -s 3000 "$P/tr2" || fail "truncate -s 3000 failed"
truncate -s 9000 "$P/tr2" || fail "truncate -s 9000 failed"
[ "$(stat -c %s "$P/tr2")" = 9000 ] || fail "truncate -s 9000 gives st_size $(stat -c %s "$P/tr2")"
cmp -s <(tail -c 6000 "$P/tr2") <(head -c 6000 /dev/zero) || fail "bytes after shrink+grow are not zeros"

# ---------------------------------------------------------------- rename
step "rename files and dirs across directories, replace an existing file"
mkdir -p "$P/d1/sub" "$P/d2"
echo "source content" >"$P/d1/src"
echo "target content, longer than the source" >"$P/d2/dst"
mv "$P/d1/src" "$P/d2/dst" || fail "rename over an existing file failed"
[ "$(cat "$P/d2/dst")" = "source content" ] || fail "rename over existing file: target reads '$(cat "$P/d2/dst")'"
[ -e "$P/d1/src" ] && fail "rename over existing file: source still exists"
[ "$(ls "$P/d2" | wc -l)" = 1 ] || fail "rename over existing file: d2 lists $(ls "$P/d2")"
echo "inner" >"$P/d1/sub/inner"
mv "$P/d1/sub" "$P/d2/moved" || fail "rename dir across directories failed"
[ "$(cat "$P/d2/moved/inner")" = inner ] || fail "file in a moved dir unreadable"
[ -e "$P/d1/sub" ] && fail "moved dir still at its old place"
mv "$P/d2/moved/inner" "$P/d1/back" || fail "rename file across directories failed"
[ "$(cat "$P/d1/back")" = inner ] || fail "file renamed across dirs reads '$(cat "$P/d1/back")'"
mv "$P/d1/back" "$P/d1/back2" && [ "$(cat "$P/d1/back2")" = inner ] || fail "rename in the same dir"
head -c 50000 /dev/urandom >"$T/big.ref" && cp "$T/big.ref" "$P/d1/big"
mv "$P/d1/big" "$P/d2/big" && cmp -s "$P/d2/big" "$T/big.ref" || fail "multi-block file renamed across dirs differs"
mkdir "$P/d1/emptydir" "$P/d2/otherdir"
mv -T "$P/d1/emptydir" "$P/d2/otherdir" || fail "rename dir over an empty dir failed"
mkdir -p "$P/d1/full/x"
r=$(errno_of 'os.rename(sys.argv[1], sys.argv[2])' "$P/d2/otherdir" "$P/d1/full")
[ "$r" = ENOTEMPTY ] || [ "$r" = EEXIST ] || fail "rename over a non-empty dir: expected ENOTEMPTY, got $r"
r=$(errno_of 'os.rename(sys.argv[1], sys.argv[2])' "$P/d1/back2" "$P/d1/full")
[ "$r" = EISDIR ] || fail "rename file over a dir: expected EISDIR, got $r"
r=$(errno_of 'os.rename(sys.argv[1], sys.argv[2])' "$P/nonexistent" "$P/d1/zz")
[ "$r" = ENOENT ] || fail "rename of a missing file: expected ENOENT, got $r"

# ---------------------------------------------------------------- unlink, mkdir, rmdir
step "unlink, mkdir, rmdir"
echo x >"$P/gone" && rm "$P/gone" || fail "unlink failed"
[ -e "$P/gone" ] && fail "unlinked file still exists"
r=$(errno_of 'os.stat(sys.argv[1])' "$P/gone")
[ "$r" = ENOENT ] || fail "stat of an unlinked file: expected ENOENT, got $r"
"$PY" - "$P/openunlinked" <<'EOF' || fail "an open, unlinked file is not usable through its descriptor"
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
os.write(fd, b"still here" * 1000)
os.unlink(sys.argv[1])
if os.path.exists(sys.argv[1]):
    sys.exit("name still visible after unlink")
os.pwrite(fd, b"more", 10000)
if os.pread(fd, 10, 0) != b"still here" or os.pread(fd, 4, 10000) != b"more":
    sys.exit("content of the unlinked file lost")
os.close(fd)
EOF
ls -a "$P" | grep -q 'hidden\|openunlinked' && fail "leftover entry after closing an unlinked file: $(ls -a "$P")"
mkdir "$P/dd" || fail "mkdir failed"
r=$(errno_of 'os.mkdir(sys.argv[1])' "$P/dd")
[ "$r" = EEXIST ] || fail "mkdir of an existing dir: expected EEXIST, got $r"
echo x >"$P/dd/f"
r=$(errno_of 'os.rmdir(sys.argv[1])' "$P/dd")
[ "$r" = ENOTEMPTY ] || fail "rmdir of a non-empty dir: expected ENOTEMPTY, got $r"
r=$(errno_of 'os.rmdir(sys.argv[1])' "$P/dd/f")
[ "$r" = ENOTDIR ] || fail "rmdir of a file: expected ENOTDIR, got $r"
r=$(errno_of 'os.unlink(sys.argv[1])' "$P/dd")
[ "$r" = EISDIR ] || [ "$r" = EPERM ] || fail "unlink of a dir: expected EISDIR, got $r"
rm "$P/dd/f" && rmdir "$P/dd" || fail "rmdir of an emptied dir failed"
[ -e "$P/dd" ] && fail "rmdir'd dir still exists"
mkdir "$P/dd" && echo again >"$P/dd/f" && [ "$(cat "$P/dd/f")" = again ] || fail "re-creating a removed dir"

# ---------------------------------------------------------------- symlinks
step "symlinks, including a target of PATH_MAX-1 bytes"
ln -s back2 "$P/d1/rel" && [ "$(readlink "$P/d1/rel")" = back2 ] || fail "relative symlink readlink"
[ "$(cat "$P/d1/rel")" = inner ] || fail "following a relative symlink"
ln -s /etc/hostname "$P/abs" && [ "$(readlink "$P/abs")" = /etc/hostname ] || fail "absolute symlink readlink"
ln -s d2 "$P/dirlink" && [ -d "$P/dirlink/moved" ] || fail "symlink to a dir not followed"
[ "$(stat -c %s "$P/d1/rel")" = 0 ] && fail "lstat size of a symlink is 0"
[ "$(stat -c %s "$P/d1/rel")" = 5 ] || fail "lstat size of symlink 'back2': $(stat -c %s "$P/d1/rel"), want 5"
"$PY" - "$P" <<'EOF' || fail "symlink targets do not round-trip"
import os, sys
d = sys.argv[1]
cases = {
    "one": "x",
    "spaces": "a b/ c\t d",
    "utf8": "\u00fcn\u00efc\u00f8d\u00e9/\u20ac",
    "long": ("d" * 254 + "/") * 16 + "e" * 15,
    "long2": ("../" * 1365),
}
cases["long2"] = cases["long2"][:4095]
for name, target in cases.items():
    p = os.path.join(d, "sl-" + name)
    b = target.encode()
    assert len(b) <= 4095
    try:
        os.symlink(target, p)
    except OSError as e:
        sys.exit(f"symlink of a {len(b)}-byte target failed: {e.strerror}")
    got = os.readlink(p)
    if got != target:
        sys.exit(f"readlink of a {len(b)}-byte target returned {len(got.encode())} bytes, differs")
    if os.lstat(p).st_size != len(b):
        sys.exit(f"lstat size of a {len(b)}-byte symlink is {os.lstat(p).st_size}")
if len(cases["long"].encode()) != 4095:
    sys.exit("test bug: long target is not 4095 bytes")
EOF

# ---------------------------------------------------------------- hard links
step "hard links"
echo "shared content" >"$P/d1/h1"
ln "$P/d1/h1" "$P/d2/h2" || fail "link across directories failed"
ln "$P/d1/h1" "$P/d1/h3" || fail "link in the same directory failed"
i1=$(stat -c %i "$P/d1/h1") i2=$(stat -c %i "$P/d2/h2") i3=$(stat -c %i "$P/d1/h3")
[ "$i1" = "$i2" ] && [ "$i1" = "$i3" ] || fail "hard links have different inode numbers: $i1 $i2 $i3"
[ "$(stat -c %h "$P/d1/h1")" = 3 ] || fail "nlink after two links: $(stat -c %h "$P/d1/h1"), want 3"
echo "changed via h2" >"$P/d2/h2"
[ "$(cat "$P/d1/h1")" = "changed via h2" ] || fail "write through one hard link not seen through another: $(cat "$P/d1/h1")"
rm "$P/d1/h1" || fail "unlink of a hard link"
[ "$(cat "$P/d2/h2")" = "changed via h2" ] || fail "content lost after unlinking the other hard link"
[ "$(stat -c %h "$P/d2/h2")" = 2 ] || fail "nlink after unlinking one of three: $(stat -c %h "$P/d2/h2")"
mv "$P/d1/h3" "$P/d2/h3moved" && [ "$(cat "$P/d2/h3moved")" = "changed via h2" ] || fail "rename of a hard-linked file"
rm "$P/d2/h3moved"
[ "$(stat -c %h "$P/d2/h2")" = 1 ] || fail "nlink after unlinking two of three: $(stat -c %h "$P/d2/h2")"
r=$(errno_of 'os.link(sys.argv[1], sys.argv[2])' "$P/d1" "$P/dlink")
[ "$r" = EPERM ] || fail "hard link to a directory: expected EPERM, got $r"

# ---------------------------------------------------------------- special files
step "mknod, mkfifo"
mkfifo "$P/fifo" || fail "mkfifo failed"
[ "$(stat -c %F "$P/fifo")" = fifo ] || fail "mkfifo made a '$(stat -c %F "$P/fifo")'"
(echo "through the pipe" >"$P/fifo") &
got=$(timeout 60 cat "$P/fifo")
[ "$got" = "through the pipe" ] || fail "data through a fifo in the mount: '$got'"
mknod "$P/chr" c 1 3 || fail "mknod c 1 3 failed"
[ "$(stat -c '%F %t %T' "$P/chr")" = "character special file 1 3" ] ||
	fail "mknod c 1 3 gives '$(stat -c '%F %t %T' "$P/chr")'"
"$PY" -c 'import os, stat, sys; os.mknod(sys.argv[1], 0o640 | stat.S_IFREG)' "$P/regnod" ||
	fail "mknod of a regular file failed"
[ "$(stat -c '%F %a %s' "$P/regnod")" = "regular empty file 640 0" ] || fail "mknod S_IFREG: $(stat -c '%F %a %s' "$P/regnod")"
echo data >>"$P/regnod" && [ "$(cat "$P/regnod")" = data ] || fail "a file made by mknod is not writable"

# ---------------------------------------------------------------- metadata
step "chmod, chown, utimensat"
echo m >"$P/meta"
chmod 0640 "$P/meta" && [ "$(stat -c %a "$P/meta")" = 640 ] || fail "chmod 0640: $(stat -c %a "$P/meta")"
chmod 4755 "$P/meta" && [ "$(stat -c %a "$P/meta")" = 4755 ] || fail "chmod 4755: $(stat -c %a "$P/meta")"
chmod 0700 "$P/d1" && [ "$(stat -c %a "$P/d1")" = 700 ] || fail "chmod on a dir"
chown 1234:5678 "$P/meta" && [ "$(stat -c %u:%g "$P/meta")" = 1234:5678 ] || fail "chown: $(stat -c %u:%g "$P/meta")"
chown -h 4321:8765 "$P/abs" && [ "$(stat -c %u:%g "$P/abs")" = 4321:8765 ] || fail "lchown on a symlink: $(stat -c %u:%g "$P/abs")"
touch -m -d '2001-02-03 04:05:06.123456789' "$P/meta" || fail "touch -m -d failed"
[ "$(stat -c %y "$P/meta")" = "2001-02-03 04:05:06.123456789 +0000" ] || fail "mtime after touch -d: $(stat -c %y "$P/meta")"
touch -a -d '1999-12-31 23:59:58.5' "$P/meta" || fail "touch -a -d failed"
[ "$(stat -c %x "$P/meta")" = "1999-12-31 23:59:58.500000000 +0000" ] || fail "atime after touch -a -d: $(stat -c %x "$P/meta")"
[ "$(stat -c %y "$P/meta")" = "2001-02-03 04:05:06.123456789 +0000" ] || fail "touch -a changed mtime"
touch -h -d '2002-01-01 00:00:00' "$P/abs" && [ "$(stat -c %Y "$P/abs")" = 1009843200 ] || fail "utimensat on a symlink (touch -h)"
touch -d '2003-03-03 03:03:03' "$P/d2" && [ "$(stat -c %Y "$P/d2")" = 1046660583 ] || fail "utimensat on a dir"
before=$(stat -c %Y "$P/meta")
echo more >>"$P/meta"
[ "$(stat -c %Y "$P/meta")" -gt "$before" ] || fail "write did not update mtime"
# "now" as the kernel stamps files (a file just written outside the mount),
# not date(1): the two can differ (libfaketime moves only the process's clock)
: >"$T/now.ref"
[ "$(stat -c %Y "$P/meta")" -ge $(($(stat -c %Y "$T/now.ref") - 60)) ] || fail "mtime after write is not now"
[ "$(stat -c %u:%g "$P/meta")" = 1234:5678 ] || fail "write changed owner"

# ---------------------------------------------------------------- statfs, fsync, fallocate
step "statfs"
df -P "$P" >/dev/null || fail "df on the mount failed"
read -r blocks bfree bsize namemax < <(stat -f -c '%b %f %S %l' "$P") || fail "statfs failed"
[ "$blocks" -gt 0 ] || fail "statfs reports 0 blocks"
[ "$bfree" -le "$blocks" ] || fail "statfs: free $bfree > total $blocks"
[ "$bsize" -gt 0 ] || fail "statfs: block size 0"
[ "$namemax" = 255 ] || fail "statfs: f_namemax $namemax, want 255 (names of 255 bytes work, 256 do not)"

step "fsync, fdatasync"
"$PY" - "$P/synced" "$P/d2" <<'EOF' || fail "fsync/fdatasync failed"
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"s" * 10000)
os.fsync(fd)
os.pwrite(fd, b"t" * 10, 5000)
os.fdatasync(fd)
os.close(fd)
d = os.open(sys.argv[2], os.O_RDONLY | os.O_DIRECTORY)
os.fsync(d)
os.close(d)
EOF
[ "$(stat -c %s "$P/synced")" = 10000 ] || fail "size after fsync: $(stat -c %s "$P/synced")"

step "fallocate"
fallocate -l 1M "$P/falloc" || fail "fallocate -l 1M on a new file failed"
[ "$(stat -c %s "$P/falloc")" = 1048576 ] || fail "fallocate -l 1M: st_size $(stat -c %s "$P/falloc")"
r=$(read_errno "$P/falloc")
[ "$r" = OK ] || fail "reading a fallocated file: $r"
cmp -s "$P/falloc" <(head -c 1048576 /dev/zero) || fail "fallocated file does not read as zeros"
printf 'keep me' >"$P/falloc2"
fallocate -l 100000 "$P/falloc2" || fail "fallocate on a file with data failed"
[ "$(stat -c %s "$P/falloc2")" = 100000 ] || fail "fallocate grow: st_size $(stat -c %s "$P/falloc2")"
[ "$(head -c 7 "$P/falloc2")" = "keep me" ] || fail "fallocate lost existing data"
cmp -s <(tail -c +8 "$P/falloc2") <(head -c 99993 /dev/zero) || fail "fallocate extension is not zeros"
echo tail >>"$P/falloc2" && [ "$(tail -c 5 "$P/falloc2")" = tail ] || fail "append after fallocate"

# ---------------------------------------------------------------- xattrs
step "user xattrs"
echo x >"$P/xa"
setfattr -n user.x -v "xattr-MARKER-$$" "$P/xa" || fail "setfattr user.x failed"
[ "$(getfattr --absolute-names --only-values -n user.x "$P/xa" 2>/dev/null)" = "xattr-MARKER-$$" ] ||
	fail "getfattr user.x: '$(getfattr --absolute-names --only-values -n user.x "$P/xa" 2>&1)'"
getfattr --absolute-names -d "$P/xa" 2>/dev/null | grep -q '^user.x=' || fail "listxattr does not show user.x"
setfattr -n user.x -v second "$P/xa" && [ "$(getfattr --absolute-names --only-values -n user.x "$P/xa")" = second ] ||
	fail "overwriting user.x"
setfattr -n user.bin -v 0x00ff00fe "$P/xa" || fail "setfattr of a binary value"
[ "$(getfattr --absolute-names -e hex --only-values -n user.bin "$P/xa" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "00ff00fe" ] ||
	fail "binary xattr value does not round-trip"
big=$(head -c 3000 /dev/zero | tr '\0' 'v')
setfattr -n user.big -v "$big" "$P/xa" && [ "$(getfattr --absolute-names --only-values -n user.big "$P/xa")" = "$big" ] ||
	fail "3000-byte xattr value does not round-trip"
setfattr -x user.x "$P/xa" || fail "removexattr failed"
r=$(errno_of 'os.getxattr(sys.argv[1], "user.x")' "$P/xa")
[ "$r" = ENODATA ] || fail "getxattr of a removed attribute: expected ENODATA, got $r"
r=$(errno_of 'os.removexattr(sys.argv[1], "user.nothere")' "$P/xa")
[ "$r" = ENODATA ] || fail "removexattr of a missing attribute: expected ENODATA, got $r"
setfattr -n user.onadir -v dirval "$P/d2" && [ "$(getfattr --absolute-names --only-values -n user.onadir "$P/d2")" = dirval ] ||
	fail "xattr on a directory"
setfattr -n user.x -v "xattr-MARKER-$$" "$P/xa"
getfattr --absolute-names -R -d -m - -e text "$C" 2>/dev/null | grep -Fq "xattr-MARKER-$$" &&
	fail "an xattr value is stored in the clear in the ciphertext"

# ---------------------------------------------------------------- names
step "names of 1 and 255 bytes, 256 refused, internals hidden"
mkdir "$P/names"
n255=$(printf 'n%.0s' $(seq 255))
u255=$(printf '\xe2\x82\xac%.0s' $(seq 85))
n256=${n255}x
echo one >"$P/names/a" || fail "1-byte name"
echo long >"$P/names/$n255" || fail "255-byte name"
echo euro >"$P/names/$u255" || fail "255-byte UTF-8 name"
[ "$(cat "$P/names/$n255")" = long ] && [ "$(cat "$P/names/$u255")" = euro ] || fail "255-byte names do not read back"
mkdir "$P/names/d$(printf 'd%.0s' $(seq 254))" || fail "mkdir with a 255-byte name"
ln -s a "$P/names/s$(printf 's%.0s' $(seq 254))" || fail "symlink with a 255-byte name"
for code in 'open(sys.argv[1], "w")' 'os.mkdir(sys.argv[1])' 'os.symlink("a", sys.argv[1])' \
	'os.rename(sys.argv[2], sys.argv[1])' 'os.stat(sys.argv[1])'; do
	r=$(errno_of "$code" "$P/names/$n256" "$P/names/a")
	[ "$r" = ENAMETOOLONG ] || fail "$code with a 256-byte name: expected ENAMETOOLONG, got $r"
done
want=$(printf '%s\n' a "$n255" "$u255" "d$(printf 'd%.0s' $(seq 254))" "s$(printf 's%.0s' $(seq 254))" | LC_ALL=C sort)
got=$(ls -A "$P/names" | LC_ALL=C sort)
[ "$got" = "$want" ] || fail "listing of names/ differs: $(ls -A "$P/names" | cut -c1-20)"
ls -la "$P" "$P/names" "$P/d2" | grep -q 'sealfs\.' && fail "ls -la shows sealfs internals: $(ls -la "$P" | grep sealfs)"
find "$P" -name 'sealfs.*' | grep -q . && fail "find in the mount shows sealfs internals"
ls "$C" | grep -q '^sealfs\.longname\.' ||
	find "$C" -name 'sealfs.longname.*' | grep -q . || fail "no sealfs.longname.* stand-in on disk for 255-byte names"
mv "$P/names/$n255" "$P/names/short" && [ "$(cat "$P/names/short")" = long ] || fail "rename long name -> short"
mv "$P/names/short" "$P/names/$n255" && [ "$(cat "$P/names/$n255")" = long ] || fail "rename short -> long name"
rm -rf "$P/names/$n255" "$P/names/$u255" "$P/names/d"* "$P/names/s"*
[ "$(ls -A "$P/names")" = a ] || fail "names/ after removing long names: $(ls -A "$P/names" | cut -c1-20)"
# No other long name exists now: no stand-in or side file may be left.
find "$C" -name 'sealfs.longname*' | grep -q . &&
	fail "removing long names left stand-ins or side files behind: $(find "$C" -name 'sealfs.longname*')"
mkdir "$P/ownnames"
echo mine >"$P/ownnames/sealfs.diriv" && echo conf >"$P/ownnames/sealfs.conf" || fail "user files named sealfs.* refused"
[ "$(cat "$P/ownnames/sealfs.diriv")" = mine ] && [ "$(cat "$P/ownnames/sealfs.conf")" = conf ] ||
	fail "user files named sealfs.diriv/sealfs.conf do not read back"
mkdir "$P/ownnames/sub" && echo deep >"$P/ownnames/sub/f" && [ "$(cat "$P/ownnames/sub/f")" = deep ] ||
	fail "a user file named sealfs.diriv broke its directory"

# ---------------------------------------------------------------- sizes
step "st_size, st_blocks, ciphertext size"
mkdir "$P/sz"
head -c 10001 /dev/urandom >"$P/sz/f10001"
[ "$(stat -c %s "$P/sz/f10001")" = 10001 ] || fail "st_size of a 10001-byte file: $(stat -c %s "$P/sz/f10001")"
b=$(stat -c %b "$P/sz/f10001")
[ $((b * 512)) -ge 10001 ] && [ $((b * 512)) -le 65536 ] || fail "st_blocks of a 10001-byte file: $b"
find_by_size "$C" "$(cipher_size 10001)" >/dev/null
: >"$P/sz/e"
[ "$(find "$C" -type f -size 48c ! -name 'sealfs.*' | wc -l)" -ge 1 ] || fail "an empty file is not 48 bytes on disk"

step "large file (20 MiB random) round-trips"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/large.ref"
cp "$T/large.ref" "$P/sz/large" || fail "copying 20 MiB into the mount failed"
cmp "$P/sz/large" "$T/large.ref" || fail "20 MiB random file differs after the round trip"
cmp <(dd if="$P/sz/large" bs=1000 skip=7777 count=33 2>/dev/null) <(dd if="$T/large.ref" bs=1000 skip=7777 count=33 2>/dev/null) ||
	fail "unaligned read in the middle of the large file differs"
b=$(stat -c %b "$P/sz/large")
[ $((b * 512)) -ge $((20 * 1024 * 1024)) ] && [ $((b * 512)) -le $((22 * 1024 * 1024)) ] ||
	fail "st_blocks of a 20 MiB file: $b"
find_by_size "$C" "$(cipher_size $((20 * 1024 * 1024)))" >/dev/null  # exact ciphertext size

# ---------------------------------------------------------------- sparse
step "sparse: truncate -s 1P"
mkdir "$P/sparse"
du0=$(du -sk "$C" | cut -f1)
timeout 10 truncate -s 1P "$P/sparse/peta" 2>"$T/err"
rc=$?
[ "$rc" = 124 ] || [ "$rc" = 137 ] && fail "truncate -s 1P hangs (killed after 10 s)"
if [ "$rc" = 0 ]; then
	[ "$(stat -c %s "$P/sparse/peta")" = 1125899906842624 ] || fail "truncate -s 1P: st_size $(stat -c %s "$P/sparse/peta")"
	[ "$(du -sk "$C" | cut -f1)" -lt $((du0 + 10240)) ] || fail "truncate -s 1P wrote $(($(du -sk "$C" | cut -f1) - du0)) KiB of ciphertext"
	cmp -s <(timeout 10 dd if="$P/sparse/peta" bs=4096 skip=$((1125899906842624 / 4096 - 1)) count=1 2>/dev/null) \
		<(head -c 4096 /dev/zero) || fail "last block of a 1P sparse file does not read as zeros"
	cmp -s <(timeout 10 dd if="$P/sparse/peta" bs=4096 skip=123456789 count=2 2>/dev/null) \
		<(head -c 8192 /dev/zero) || fail "middle of a 1P sparse file does not read as zeros"
	timeout 10 rm "$P/sparse/peta" || fail "removing the 1P file failed or hung"
else
	grep -qi 'too large' "$T/err" || fail "truncate -s 1P failed (exit $rc) other than with EFBIG: $(cat "$T/err")"
	note "truncate -s 1P refused with EFBIG"
fi

step "sparse: write far past EOF"
printf 'HEAD' >"$P/sparse/s"
off=$((1024 * 1024 * 1024))
printf 'TAIL-DATA' | timeout 10 dd of="$P/sparse/s" bs=1 seek=$off conv=notrunc 2>/dev/null ||
	fail "dd seek=1G into the mount failed or hung"
[ "$(stat -c %s "$P/sparse/s")" = $((off + 9)) ] || fail "size after write at 1G: $(stat -c %s "$P/sparse/s")"
[ "$(head -c 4 "$P/sparse/s")" = HEAD ] || fail "data before the hole lost"
[ "$(timeout 10 dd if="$P/sparse/s" bs=1 skip=$off count=9 2>/dev/null)" = TAIL-DATA ] || fail "data after the hole wrong"
for at in 4 4096 $((off / 2)) $((off - 1048576)); do
	cmp -s <(timeout 10 dd if="$P/sparse/s" iflag=skip_bytes,count_bytes skip=$at count=1048576 2>/dev/null) \
		<(head -c 1048576 /dev/zero) || fail "hole at offset $at does not read as 1 MiB of zeros"
done
cs=$(find_by_size "$C" "$(cipher_size $((off + 9)))")
[ "$(du -k "$cs" | cut -f1)" -lt 1024 ] || fail "file with a 1 GiB hole uses $(du -k "$cs" | cut -f1) KiB on disk: not sparse"
b=$(stat -c %b "$P/sparse/s")
[ "$b" -lt 2048 ] || fail "st_blocks of a file with a 1 GiB hole: $b"
printf 'MIDDLE' | dd of="$P/sparse/s" bs=1 seek=$((off / 2 + 4093)) conv=notrunc 2>/dev/null || fail "write into the hole"
[ "$(dd if="$P/sparse/s" bs=1 skip=$((off / 2 + 4093)) count=6 2>/dev/null)" = MIDDLE ] || fail "data written into a hole"
cmp -s <(dd if="$P/sparse/s" iflag=skip_bytes,count_bytes skip=$((off / 2 - 8192)) count=12285 2>/dev/null) \
	<(head -c 12285 /dev/zero) || fail "zeros around data written into a hole"
[ "$(du -k "$cs" | cut -f1)" -lt 1024 ] || fail "writing into the hole made the file non-sparse"

step "sparse: truncate -s bigger keeps data and stays sparse"
head -c 5000 /dev/urandom >"$T/sp.ref"
cp "$T/sp.ref" "$P/sparse/grow"
truncate -s 500M "$P/sparse/grow" || fail "truncate -s 500M failed"
cmp -s <(head -c 5000 "$P/sparse/grow") "$T/sp.ref" || fail "data before the grown region changed"
cmp -s <(dd if="$P/sparse/grow" iflag=skip_bytes,count_bytes skip=5000 count=200000 2>/dev/null) \
	<(head -c 200000 /dev/zero) || fail "region after truncate -s bigger is not zeros"
cg=$(find_by_size "$C" "$(cipher_size $((500 * 1024 * 1024)))")
[ "$(du -k "$cg" | cut -f1)" -lt 1024 ] || fail "truncate -s 500M uses $(du -k "$cg" | cut -f1) KiB on disk: not sparse"
truncate -s 3000 "$P/sparse/grow" && truncate -s 9000 "$P/sparse/grow" || fail "shrink/grow of a sparse file"
cmp -s "$P/sparse/grow" <(head -c 3000 "$T/sp.ref"; head -c 6000 /dev/zero) || fail "sparse file after shrink+grow"

# ---------------------------------------------------------------- remount
step "everything reads back identically after a remount"
manifest()
{
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort &&
		find . -type f ! -path ./sparse/s -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
manifest "$P" >"$T/m1" || fail "cannot read every file before remount"
readlink "$P/sl-long" >"$T/l1"
sfs_umount "$P"
sfs_mount "$C" "$P"
manifest "$P" >"$T/m2" || fail "cannot read every file after remount"
diff -u "$T/m1" "$T/m2" >&2 || fail "tree differs after remount"
[ "$(dd if="$P/sparse/s" bs=1 skip=$off count=9 2>/dev/null)" = TAIL-DATA ] || fail "sparse file tail after remount"
[ "$(cat "$P/d2/h2")" = "changed via h2" ] || fail "hard-linked file after remount"
readlink "$P/sl-long" >"$T/l2"
[ "$(wc -c <"$T/l2")" = 4096 ] && cmp -s "$T/l1" "$T/l2" || fail "4095-byte symlink target after remount: $(wc -c <"$T/l2") bytes"
[ "$(getfattr --absolute-names --only-values -n user.x "$P/xa")" = "xattr-MARKER-$$" ] || fail "xattr after remount"
sfs_umount "$P"

echo "t-posix: all checks passed"
exit 0
