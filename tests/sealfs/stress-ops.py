#!/usr/bin/env python3
# stress-ops.py DIR WORKER SEED OPS MANIFEST - one worker of t-stress.sh: OPS
# random operations (create, write, truncate, rename, link, unlink, mkdir,
# rmdir) in DIR/wWORKER, against a model of what each file must hold; every
# tenth operation reads a file back. Writes the model (path -> sha256, and the
# link groups) to MANIFEST, for the check after a remount. Exit 1 on a mismatch.
import hashlib
import json
import os
import random
import sys

top, worker, seed, ops, manifest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = random.Random(seed)
base = os.path.join(top, f"w{worker}")
os.mkdir(base)
files = {}  # relative path -> bytearray (shared between hard links)
dirs = [""]


def path(rel):
    return os.path.join(base, rel)


def fail(msg):
    print(f"FAIL worker {worker}: {msg}", file=sys.stderr)
    sys.exit(1)


def newname(d):
    # short, medium and long (stand-in) names, at most 255 bytes
    n = rng.choice(["s", "m" * 60, "L" * rng.randint(136, 248)]) + str(rng.randint(0, 10**6))
    return os.path.join(d, n) if d else n


def verify(rel):
    with open(path(rel), "rb") as f:
        got = f.read()
    if got != bytes(files[rel]):
        fail(f"{rel[:40]}...: {len(got)} bytes read, {len(files[rel])} expected")


for i in range(ops):
    op = rng.choice(["create", "write", "write", "truncate", "rename", "link", "unlink",
                     "mkdir", "rmdir"])
    if op == "create" or not files:
        rel = newname(rng.choice(dirs))
        if rel in files:
            continue
        data = bytearray(rng.randbytes(rng.choice([0, 1, 4095, 4096, 4097, 10000])))
        with open(path(rel), "wb") as f:
            f.write(data)
        files[rel] = data
    elif op == "write":
        rel = rng.choice(sorted(files))
        off = rng.randint(0, len(files[rel]) + 5000)
        chunk = rng.randbytes(rng.randint(1, 9000))
        fd = os.open(path(rel), os.O_WRONLY)
        os.pwrite(fd, chunk, off)
        os.close(fd)
        buf = files[rel]
        if off > len(buf):
            buf.extend(b"\0" * (off - len(buf)))
        buf[off:off + len(chunk)] = chunk
    elif op == "truncate":
        rel = rng.choice(sorted(files))
        n = rng.randint(0, len(files[rel]) + 8192)
        os.truncate(path(rel), n)
        buf = files[rel]
        if n < len(buf):
            del buf[n:]
        else:
            buf.extend(b"\0" * (n - len(buf)))
    elif op == "rename":
        rel = rng.choice(sorted(files))
        to = newname(rng.choice(dirs))
        if to in files:
            continue
        os.rename(path(rel), path(to))
        files[to] = files.pop(rel)
    elif op == "link":
        rel = rng.choice(sorted(files))
        to = newname(rng.choice(dirs))
        if to in files:
            continue
        os.link(path(rel), path(to))
        files[to] = files[rel]  # the same buffer: one file, two names
    elif op == "unlink":
        rel = rng.choice(sorted(files))
        os.unlink(path(rel))
        del files[rel]
    elif op == "mkdir":
        d = newname(rng.choice([x for x in dirs if x.count("/") < 3]))
        os.mkdir(path(d))
        dirs.append(d)
    elif op == "rmdir":
        empty = [d for d in dirs if d and not any(f.startswith(d + "/") for f in files)
                 and not any(o.startswith(d + "/") for o in dirs)]
        if empty:
            d = rng.choice(empty)
            os.rmdir(path(d))
            dirs.remove(d)
    if i % 10 == 0 and files:
        verify(rng.choice(sorted(files)))

for rel in files:
    verify(rel)
groups = {}
for rel, buf in files.items():
    groups.setdefault(id(buf), []).append(rel)
with open(manifest, "w") as f:
    json.dump({"base": f"w{worker}",
               "files": {rel: hashlib.sha256(bytes(b)).hexdigest() for rel, b in files.items()},
               "dirs": dirs,
               "links": [sorted(g) for g in groups.values() if len(g) > 1]}, f)
print(f"worker {worker}: {ops} operations, {len(files)} files, {len(dirs) - 1} dirs")
