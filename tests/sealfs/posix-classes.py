#!/usr/bin/env python3
# posix-classes.py DIR - the POSIX classes a path-based FUSE filesystem gets
# wrong, checked inside DIR (a directory on the filesystem under test, owned by
# whoever runs this). Used by t-posix-classes.sh as root and as an unprivileged
# user; also runs on any local filesystem (ext4, tmpfs), which is how the
# expectations here were checked. Prints one line per check; exits 1 at the
# first failure with what was expected and what happened.
import ctypes
import errno
import fcntl
import mmap
import os
import select
import stat
import sys

D = sys.argv[1]
os.chdir(D)
libc = ctypes.CDLL(None, use_errno=True)
ROOT = os.geteuid() == 0


def pause(s):
    # not time.sleep: under libfaketime it fails with EINVAL (an absolute
    # CLOCK_MONOTONIC clock_nanosleep); a select timeout is relative
    select.select([], [], [], s)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def errno_of(fn, *a):
    try:
        fn(*a)
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def expect(want, fn, *a, what=""):
    got = errno_of(fn, *a)
    check(got == want, f"{what or fn.__name__}: expected {want}, got {got}")


def step(name):
    print("--- " + name, flush=True)


def write(path, data, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC):
    fd = os.open(path, flags, 0o644)
    os.write(fd, data)
    os.close(fd)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---------------------------------------------------------------- long paths
step("paths of PATH_MAX-1 bytes: 255-byte names at every level, every operation")
os.mkdir("deep")
os.chdir("deep")
# relative paths from here: "N/N/.../leaf" with N 255 bytes
levels = []
path = ""
for i in range(15):  # 15 * 256 = 3840 bytes
    name = (chr(ord("a") + i) * 255)
    path = name if not path else path + "/" + name
    os.mkdir(path)
    levels.append(path)
    st = os.stat(path)
    check(stat.S_ISDIR(st.st_mode), f"level {i + 1} is not a directory")
room = 4095 - len(path) - 1  # bytes left for the last component
check(0 < room <= 255, f"test bug: room {room}")
leaf = path + "/" + "z" * room
check(len(leaf) == 4095, f"test bug: leaf is {len(leaf)} bytes")
write(leaf, b"deep data")
check(read(leaf) == b"deep data", "create/open/read at 4095 bytes")
os.chmod(leaf, 0o600)
check(stat.S_IMODE(os.stat(leaf).st_mode) == 0o600, "chmod at 4095 bytes")
os.chown(leaf, os.getuid(), os.getgid())
os.truncate(leaf, 4)
check(read(leaf) == b"deep", "truncate at 4095 bytes")
fd = os.open(leaf, os.O_RDWR)
os.ftruncate(fd, 2)
os.close(fd)
check(read(leaf) == b"de", "ftruncate at 4095 bytes")
os.utime(leaf, (1000000000, 1000000000))
check(int(os.stat(leaf).st_mtime) == 1000000000, "utimensat at 4095 bytes")
other = path + "/" + "y" * room
os.link(leaf, other)
check(os.stat(leaf).st_nlink == 2, "link at 4095 bytes")
os.unlink(other)
os.rename(leaf, other)
check(read(other) == b"de", "rename at 4095 bytes")
os.rename(other, leaf)
os.unlink(leaf)
check(errno_of(os.stat, leaf) == "ENOENT", "unlink at 4095 bytes")
os.mkdir(leaf)
os.rmdir(leaf)
os.mkfifo(leaf)
check(stat.S_ISFIFO(os.lstat(leaf).st_mode), "mkfifo at 4095 bytes")
os.unlink(leaf)
if ROOT:
    os.mknod(leaf, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    check(stat.S_ISCHR(os.lstat(leaf).st_mode), "mknod at 4095 bytes")
    os.unlink(leaf)
os.symlink("t" * 100, leaf)
check(os.readlink(leaf) == "t" * 100, "symlink/readlink at 4095 bytes")
os.unlink(leaf)
# one byte more is the kernel's refusal, before any filesystem sees it
expect("ENAMETOOLONG", os.stat, leaf + "z", what="stat of a 4096-byte path")
# a 256-byte name is refused at every level, for every kind of call
for lv in [""] + levels:
    long = (lv + "/" if lv else "") + "Q" * 256
    ok = (lv + "/" if lv else "") + "Q" * 255
    expect("ENAMETOOLONG", os.stat, long, what="stat of a 256-byte name")
    expect("ENAMETOOLONG", os.open, long, os.O_CREAT | os.O_WRONLY, what="create 256")
    expect("ENAMETOOLONG", os.mkdir, long, what="mkdir 256")
    expect("ENAMETOOLONG", os.symlink, "x", long, what="symlink 256")
    if len(ok) < 4096:
        write(ok, b"x")
        expect("ENAMETOOLONG", os.link, ok, long, what="link to 256")
        expect("ENAMETOOLONG", os.rename, ok, long, what="rename to 256")
        os.unlink(ok)
for p in reversed(levels):
    os.rmdir(p)
os.chdir("..")
os.rmdir("deep")

# ---------------------------------------------------------------- hard links
step("hard links: one inode, link counts and ctime after link, unlink, rename")
write("h1", b"linked")
st0 = os.stat("h1")
pause(0.05)
os.link("h1", "h2")
a, b = os.stat("h1"), os.stat("h2")
check(a.st_nlink == 2 and b.st_nlink == 2, f"nlink after link: {a.st_nlink}, {b.st_nlink}")
check(a.st_ino == b.st_ino, "two names of one file have different inode numbers")
check(a.st_ctime_ns > st0.st_ctime_ns, "ctime did not change with link")
fd = os.open("h1", os.O_RDONLY)
check(os.fstat(fd).st_nlink == 2, "fstat nlink after link")
os.mkdir("hd")
pause(0.05)
os.rename("h2", "hd/h3")
c = os.stat("h1")
check(c.st_nlink == 2 and os.stat("hd/h3").st_nlink == 2, "nlink after rename of a link")
check(c.st_ctime_ns > a.st_ctime_ns, "ctime did not change with rename")
write("hd/h3", b"through the other name", os.O_WRONLY | os.O_TRUNC)
check(read("h1") == b"through the other name", "write through one name not seen in the other")
pause(0.05)
os.unlink("hd/h3")
d = os.stat("h1")
check(d.st_nlink == 1 and os.fstat(fd).st_nlink == 1, f"nlink after unlink: {d.st_nlink}")
check(d.st_ctime_ns > c.st_ctime_ns, "ctime did not change with unlink of another name")
os.close(fd)
os.link("h1", "h4")
os.rename("h1", "h4")  # two names of one file: rename does nothing
check(os.path.exists("h1") and os.stat("h4").st_nlink == 2, "rename between two links")
os.unlink("h4")
os.unlink("h1")
os.rmdir("hd")

# ---------------------------------------------------------------- unlinked open
step("an unlinked file that is still open: st_nlink 0, still readable and writable")
write("gone", b"still here")
fd = os.open("gone", os.O_RDWR)
os.unlink("gone")
check(os.fstat(fd).st_nlink == 0, f"fstat nlink of an unlinked open file: {os.fstat(fd).st_nlink}")
os.lseek(fd, 0, 0)
check(os.read(fd, 100) == b"still here", "read of an unlinked open file")
os.write(fd, b" and more")
os.lseek(fd, 0, 0)
check(os.read(fd, 100) == b"still here and more", "write to an unlinked open file")
os.close(fd)

step("rename over an open file: the handle keeps the old file")
write("ra", b"new content")
write("rb", b"old content")
fd = os.open("rb", os.O_RDONLY)
os.rename("ra", "rb")
check(os.read(fd, 100) == b"old content", "open handle after rename over it")
check(read("rb") == b"new content", "the name after rename over an open file")
os.close(fd)
os.unlink("rb")

# ---------------------------------------------------------------- renameat2
step("RENAME_NOREPLACE and RENAME_EXCHANGE")
AT_FDCWD = -100


def renameat2(a, b, flags):
    if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


write("xa", b"A")
write("xb", b"B")
expect("EEXIST", renameat2, "xa", "xb", 1, what="RENAME_NOREPLACE onto a file")
renameat2("xa", "xb", 2)
check(read("xa") == b"B" and read("xb") == b"A", "RENAME_EXCHANGE of two files")
os.mkdir("xd")
write("xd/in", b"inside")
renameat2("xa", "xd", 2)
check(read("xd") == b"B" and read("xa/in") == b"inside", "RENAME_EXCHANGE of a file and a dir")
expect("ENOENT", renameat2, "xb", "nonexistent", 2, what="RENAME_EXCHANGE with a missing target")
renameat2("xb", "xc", 1)
check(read("xc") == b"A", "RENAME_NOREPLACE to a free name")
for p in ("xc", "xd", "xa/in"):
    os.unlink(p)
os.rmdir("xa")

# ---------------------------------------------------------------- mmap
step("shared writable mmap")
write("mm", b"\0" * 10000)
fd = os.open("mm", os.O_RDWR)
m = mmap.mmap(fd, 10000, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[4090:4110] = b"straddles a block..."
m[0:5] = b"first"
m.flush()
m.close()
os.close(fd)
data = read("mm")
check(data[0:5] == b"first" and data[4090:4110] == b"straddles a block...", "mmap writes read back")
check(len(data) == 10000, "mmap changed the size")
os.unlink("mm")

# ---------------------------------------------------------------- locks
step("flock and fcntl locks")
write("lk", b"lock")
fd = os.open("lk", os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
pid = os.fork()
if pid == 0:
    fd2 = os.open("lk", os.O_RDWR)
    try:
        fcntl.flock(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os._exit(1)
    except OSError as e:
        os._exit(0 if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN) else 2)
_, status = os.waitpid(pid, 0)
check(os.WEXITSTATUS(status) == 0, "a second flock(LOCK_EX) was not refused")
fcntl.flock(fd, fcntl.LOCK_UN)
fcntl.lockf(fd, fcntl.LOCK_EX, 10, 0)
pid = os.fork()
if pid == 0:
    fd2 = os.open("lk", os.O_RDWR)
    try:
        fcntl.lockf(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
        os._exit(1)
    except OSError as e:
        os._exit(0 if e.errno in (errno.EACCES, errno.EAGAIN) else 2)
_, status = os.waitpid(pid, 0)
check(os.WEXITSTATUS(status) == 0, "a conflicting fcntl lock was not refused")
os.close(fd)
os.unlink("lk")

# ---------------------------------------------------------------- fallocate
step("fallocate: mode 0 and KEEP_SIZE work, punching and zeroing are refused")
FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_ZERO_RANGE = 1, 2, 0x10
write("fa", b"x" * 100)
fd = os.open("fa", os.O_RDWR)


def fallocate(mode, off, n):
    if libc.fallocate(fd, mode, ctypes.c_long(off), ctypes.c_long(n)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


fallocate(0, 0, 50000)
check(os.fstat(fd).st_size == 50000, "fallocate mode 0 did not extend")
fallocate(FALLOC_FL_KEEP_SIZE, 0, 90000)
check(os.fstat(fd).st_size == 50000, "fallocate KEEP_SIZE changed the size")
got = errno_of(fallocate, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096)
check(got in ("EOPNOTSUPP", "ENOTSUP", "OK"), f"punch hole: {got}")
if got == "OK":
    check(os.pread(fd, 4096, 0) == b"\0" * 4096, "a punched hole does not read as zeros")
got = errno_of(fallocate, FALLOC_FL_ZERO_RANGE, 0, 4096)
check(got in ("EOPNOTSUPP", "ENOTSUP", "OK"), f"zero range: {got}")
os.close(fd)
check(read("fa")[:100] in (b"x" * 100, b"\0" * 100), "fallocate changed the data")
os.unlink("fa")

# ---------------------------------------------------------------- O_TMPFILE
step("O_TMPFILE works or is refused with EOPNOTSUPP")
try:
    fd = os.open(".", os.O_TMPFILE | os.O_RDWR, 0o600)
    os.write(fd, b"tmp")
    os.lseek(fd, 0, 0)
    check(os.read(fd, 10) == b"tmp", "O_TMPFILE read back")
    os.close(fd)
    print("    O_TMPFILE supported")
except OSError as e:
    check(e.errno == errno.EOPNOTSUPP, f"O_TMPFILE: {errno.errorcode.get(e.errno)}")
    print("    O_TMPFILE: EOPNOTSUPP")

# ---------------------------------------------------------------- setuid bits
if not ROOT:
    step("a write by a process without CAP_FSETID clears SUID and SGID")
    write("su", b"suid")
    os.chmod("su", 0o6755)
    check(stat.S_IMODE(os.stat("su").st_mode) == 0o6755, "chmod 6755 did not stick")
    fd = os.open("su", os.O_WRONLY)
    os.write(fd, b"x")
    os.close(fd)
    mode = stat.S_IMODE(os.stat("su").st_mode)
    check(mode == 0o755, f"mode after a write: {oct(mode)}, expected 0o755")
    os.chmod("su", 0o6755)
    os.truncate("su", 1)
    mode = stat.S_IMODE(os.stat("su").st_mode)
    check(mode == 0o755, f"mode after truncate: {oct(mode)}, expected 0o755")
    os.chmod("su", 0o6755)
    os.chown("su", os.getuid(), os.getgid())
    mode = stat.S_IMODE(os.stat("su").st_mode)
    check(mode == 0o755, f"mode after chown: {oct(mode)}, expected 0o755")
    os.unlink("su")

check(os.listdir(".") == [], f"left over: {os.listdir('.')}")
print("posix classes ok")
