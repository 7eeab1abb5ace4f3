# encfs-lib.sh - helpers of the EncFS tests (tests/sealfs/t-encfs-*.sh): make
# volumes with Debian's real encfs, fill them with edge cases through an
# encfs mount, and describe trees (names, types, modes, sizes, contents,
# symlink targets, hard links, mtimes, user xattrs) so that what sealfs
# restores can be compared with what encfs itself shows.
#
# Sourced after lib.sh, never run. Needs encfs (scripts/install-deps.sh
# check installs it), FUSE, python3. Blowfish volumes need OpenSSL's legacy
# provider for encfs itself: ENCFS_SSL is an OPENSSL_CONF that turns it on
# (sealfs does not need it: it loads the provider privately).

need_encfs()
{
	need_fuse
	need_cmd encfs encfsctl fusermount
	ENCFS_SSL=$T/openssl-legacy.cnf
	cat >"$ENCFS_SSL" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
EOF
	# EncFS reads the whole --extpass output less one newline; sealfs the first line.
	EPW="enc pw $$"
	EPASSFILE=$T/encpass
	(umask 077 && printf '%s\n' "$EPW" >"$EPASSFILE")
	_encfs_mounts=()
	trap '_encfs_cleanup; _cleanup' EXIT
}

_encfs_cleanup()
{
	local m
	for m in "${_encfs_mounts[@]}"; do
		fusermount -u "$m" 2>/dev/null || fusermount -u -z "$m" 2>/dev/null
	done
	return 0
}

# encfs_new CIPHER MOUNT ANSWERS: make and mount a volume. ANSWERS is
# "--standard", "--paranoia" or the expert-mode answer string (printf format).
encfs_new()
{
	local c=$1 p=$2 a=$3
	mkdir -p "$c" "$p"
	if [ "${a#--}" != "$a" ]; then
		OPENSSL_CONF=$ENCFS_SSL timeout 120 encfs "$a" --extpass="cat '$EPASSFILE'" \
			"$c" "$p" >"$T/encfs.out" 2>&1 </dev/null
	else
		printf "$a" | OPENSSL_CONF=$ENCFS_SSL timeout 120 encfs \
			--extpass="cat '$EPASSFILE'" "$c" "$p" >"$T/encfs.out" 2>&1
	fi || fail "encfs could not make $c: $(tail -n 5 "$T/encfs.out")"
	_encfs_mounts+=("$p")
	is_mounted "$p" || fail "encfs did not mount $p"
}

# encfs_mount CIPHER MOUNT: mount an existing volume.
encfs_mount()
{
	mkdir -p "$2"
	OPENSSL_CONF=$ENCFS_SSL timeout 120 encfs --extpass="cat '$EPASSFILE'" "$1" "$2" \
		>"$T/encfs.out" 2>&1 </dev/null || fail "encfs could not mount $1: $(cat "$T/encfs.out")"
	_encfs_mounts+=("$2")
}

encfs_umount()
{
	fusermount -u "$1" || fail "cannot unmount $1"
}

# fill_tree DIR NAMEMAX DATABLOCK HARDLINKS(0/1) SPARSE(0/1): the edge cases.
fill_tree()
{
	local d=$1 nmax=$2 b=$3 hard=$4 sparse=$5 s name i
	mkdir -p "$d/sizes" "$d/names" "$d/links" "$d/empty-dir" "$d/old-dir/sub"
	for s in 0 1 2 7 8 9 15 16 17 $((b - 1)) $b $((b + 1)) $((2 * b - 1)) $((2 * b)) \
		$((2 * b + 1)) $((3 * b + 5)) 100000; do
		head -c "$s" /dev/urandom >"$d/sizes/s$s"
	done
	printf 'a\n' >"$d/names/a"
	name=$(head -c "$nmax" /dev/zero | tr '\0' 'L')
	printf 'longest name\n' >"$d/names/$name"
	for i in 2 15 16 17 31 32 33 100; do
		[ "$i" -le "$nmax" ] || continue
		name=$(head -c "$i" /dev/zero | tr '\0' 'n')
		printf '%s\n' "$i" >"$d/names/$name"
	done
	printf 'utf8\n' >"$d/names/héllo wörld ☃ – ü"
	printf 'meta\n' >"$d/names/a b;c'd\"e\$f"
	mkdir -p "$d/deep/1/2/3/4/5/6/7/8/9/10/11/12"
	printf 'deep\n' >"$d/deep/1/2/3/4/5/6/7/8/9/10/11/12/leaf"
	ln -s ../sizes/s1 "$d/links/relative"
	ln -s /etc/hostname "$d/links/absolute"
	ln -s /no/such/file "$d/links/dangling-abs"
	ln -s nowhere/here "$d/links/dangling-rel"
	ln -s ../deep/1/2 "$d/links/to-dir"
	ln -s . "$d/links/dot"
	if [ "$hard" = 1 ]; then
		ln "$d/sizes/s17" "$d/links/hard-a"
		ln "$d/sizes/s17" "$d/hard-b"
	fi
	if [ "$sparse" = 1 ]; then
		dd if=/dev/urandom of="$d/sparse" bs=1 count=10 seek=300000 2>/dev/null ||
			fail "cannot write a sparse file into $d"
	fi
	mkfifo "$d/fifo"
	printf 'old\n' >"$d/old-dir/sub/file"
	printf 'x\n' >"$d/old-dir/top"
	mv "$d/old-dir" "$d/renamed-dir"
	setfattr -n user.encfs-test -v "attr value" "$d/sizes/s1" 2>/dev/null || true
	chmod 640 "$d/sizes/s2"
	chmod 751 "$d/deep/1"
	touch -d '2009-06-01 12:00:00' "$d/sizes/s7"
}

# describe DIR: one line per object, sorted (what the restore must reproduce).
describe()
{
	"$PY" - "$1" <<'EOF'
import hashlib, os, stat, sys
root = sys.argv[1]
seen = {}
out = []
for dp, dns, fns in os.walk(root):
    for n in sorted(dns + fns):
        p = os.path.join(dp, n)
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        m = st.st_mode
        if stat.S_ISLNK(m):
            line = "l %s -> %s" % (rel, os.readlink(p))
        elif stat.S_ISDIR(m):
            line = "d %s %o" % (rel, m & 0o7777)
        elif stat.S_ISREG(m):
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in seen:
                line = "h %s = %s" % (rel, seen[key])
            else:
                seen[key] = rel
                h = hashlib.sha256(open(p, "rb").read()).hexdigest()
                line = "f %s %o %d %s mtime=%d" % (rel, m & 0o7777, st.st_size, h, st.st_mtime_ns)
        elif stat.S_ISFIFO(m):
            line = "p %s %o" % (rel, m & 0o7777)
        else:
            line = "? %s" % rel
        try:
            xs = sorted(x for x in os.listxattr(p, follow_symlinks=False) if x.startswith("user."))
            for x in xs:
                line += " xattr:%s=%s" % (x, os.getxattr(p, x, follow_symlinks=False).hex())
        except OSError:
            pass
        out.append(line)
# hard links: the name listed first depends on readdir order; normalise
groups = {}
for l in out:
    if l.startswith("h "):
        a, b = l[2:].split(" = ")
        groups.setdefault(b, []).append(a)
res = []
for l in out:
    if l.startswith("h "):
        continue
    if l.startswith("f "):
        rel = l.split(" ")[1]
        names = sorted([rel] + groups.get(rel, []))
        if len(names) > 1:
            l = "f " + "+".join(names) + " " + " ".join(l.split(" ")[2:])
    res.append(l)
print("\n".join(sorted(res)))
EOF
}

# same_tree WHAT REF DIR: DIR describes as REF did.
same_tree()
{
	describe "$3" >"$T/got.desc" || fail "$1: cannot describe $3"
	diff -u "$2" "$T/got.desc" >"$T/diff" ||
		fail "$1: differs from what encfs shows: $(head -n 20 "$T/diff")"
}
