#!/bin/bash
# t-fsck.sh - `sealfs fsck` checks a ciphertext tree offline, without FUSE.
# A clean volume (written through a real mount) passes, as text and as JSON;
# then each kind of damage, made on its own copy of the volume, is found and
# reported with the right plaintext path (ciphertext path for a name that
# does not decrypt), with exit 7: a flipped bit in a block, a file cut by one
# block, a subdirectory's deleted directory IV, two swapped blocks, a garbage
# name. A missing config exits 4, a wrong password 3. fsck never writes: a
# listing with modes, sizes, mtimes, ctimes, sha256 and xattrs is the same
# before and after every run.
. "$(dirname "$0")/lib.sh"
need_fuse
need_cmd sha256sum getfattr

C=$T/cipher
P=$T/plain
sfs_init "$C"
sfs_mount "$C" "$P"

# Sizes are distinct, so each ciphertext is the only one of its size.
mkdir -p "$P/home/sub" "$P/etc"
head -c $((3 * 4096 + 101)) /dev/urandom >"$P/home/db.sql"
head -c $((4 * 4096 + 102)) /dev/urandom >"$P/home/swap.bin"
head -c $((5 * 4096)) /dev/urandom >"$P/trunc.bin"
head -c 1003 /dev/urandom >"$P/home/sub/a.txt"
head -c 1004 /dev/urandom >"$P/garbage.txt"
head -c 300000 /dev/urandom >"$P/etc/big"
: >"$P/etc/empty"
ln -s ../home/db.sql "$P/etc/link"
ln "$P/etc/big" "$P/etc/big-link"
mkfifo "$P/etc/fifo"
long=$(printf 'L%.0s' $(seq 1 250))
echo long >"$P/home/$long"
setfattr -n user.note -v "hello xattr" "$P/etc/big" || fail "setfattr through the mount"
sfs_umount "$P"

cfile() { find_by_size "$1" "$(cipher_size "$2")"; }
put() { dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
block() { dd if="$1" bs=1 skip=$((48 + $2 * 4124)) count=4124 status=none; }
fsck() { printf '%s\n' "$PW" | timeout 120 "$SEALFS" fsck -S "$@"; }

# snap DIR: everything fsck could change, one line per object.
snap()
{
	(cd "$1" && find . -printf '%p %y %m %U %G %s %T@ %C@ %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum &&
		getfattr -R -h -d -m - . 2>/dev/null)
}

# fresh NAME: a copy of the pristine volume to damage.
fresh()
{
	rm -rf "$T/$1"
	cp -a "$C" "$T/$1" || fail "cannot copy the volume"
	V=$T/$1
}

# check_report V WANT_TEXT...: fsck V exits 7 and its output has each line.
check_report()
{
	local v=$1 w
	shift
	snap "$v" >"$T/before"
	expect_rc 7 "fsck of damaged volume" fsck "$v"
	snap "$v" >"$T/after"
	cmp -s "$T/before" "$T/after" || fail "fsck changed the tree: $(diff "$T/before" "$T/after" | head -5)"
	for w in "$@"; do
		grep -qxF -- "$w" "$T/out" || fail "report lacks '$w': $(cat "$T/out")"
	done
	grep -qE '^[0-9]+ director(y|ies), [0-9]+ files?, [0-9]+ symlinks? checked; [1-9][0-9]* problems?$' "$T/out" ||
		fail "no summary line with problems: $(cat "$T/out")"
	cp "$T/out" "$T/text-report"
	expect_rc 7 "fsck --json of damaged volume" fsck --json "$v"
	"$PY" -m json.tool "$T/out" >/dev/null || fail "--json output is not valid JSON: $(head -c 600 "$T/out")"
	cp "$T/out" "$T/json-report"
	snap "$v" >"$T/after"
	cmp -s "$T/before" "$T/after" || fail "fsck --json changed the tree"
}

# json_has FIELD=VALUE...: one problem in $T/json-report has all these fields.
json_has()
{
	"$PY" - "$T/json-report" "$@" <<'EOF' || fail "JSON report lacks a problem with $*: $(cat "$T/json-report")"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["ok"] is False
want = dict(a.split("=", 1) for a in sys.argv[2:])
def match(p):
    for k, v in want.items():
        got = p.get(k)
        if k == "problem":
            if v not in (got or ""):
                return False
        elif str(got) != v:
            return False
    return True
sys.exit(0 if any(match(p) for p in doc["problems"]) else 1)
EOF
}

step "clean volume passes"
snap "$C" >"$T/before"
expect_rc 0 "fsck of a clean volume" fsck "$C"
grep -qx '4 directories, 9 files, 1 symlink checked; 0 problems' "$T/out" ||
	fail "unexpected clean summary: $(cat "$T/out")"
expect_rc 0 "fsck -q of a clean volume" fsck -q "$C"
[ -s "$T/out" ] && fail "fsck -q printed on a clean volume: $(cat "$T/out")"
expect_rc 0 "fsck --json of a clean volume" fsck --json "$C"
"$PY" -m json.tool "$T/out" >/dev/null || fail "--json output is not valid JSON: $(cat "$T/out")"
"$PY" - "$T/out" <<'EOF' || fail "clean --json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["problems"] == [], d
c = d["checked"]
assert c["directories"] == 4 and c["files"] == 9 and c["symlinks"] == 1 and c["other"] == 1, c
assert c["bytes"] == 3*4096+101 + 4*4096+102 + 5*4096 + 1003 + 1004 + 300000 + 5, c
EOF
snap "$C" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "fsck changed a clean tree: $(diff "$T/before" "$T/after" | head -5)"

step "wrong password exits 3"
printf 'not the password\n' | "$SEALFS" fsck -S "$C" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 3 ] || fail "wrong password: exit $rc, want 3: $(cat "$T/err")"

step "flipped bit in a block"
fresh flip
f=$(cfile "$V" $((3 * 4096 + 101)))
b=$(dd if="$f" bs=1 skip=$((48 + 4124 + 2000)) count=1 status=none | od -An -tu1 | tr -d ' ')
printf "\\$(printf '%03o' $((b ^ 4)))" | put "$f" $((48 + 4124 + 2000))
check_report "$V" "/home/db.sql: block 1 fails authentication (tampered, moved or zeroed)"
json_has path=/home/db.sql block=1 problem=fails\ authentication cipher_path="${f}"
[ "$(grep -c '' "$T/text-report")" = 2 ] || fail "more than one problem reported: $(cat "$T/text-report")"

step "file cut by one block"
fresh trunc
f=$(cfile "$V" $((5 * 4096)))
truncate -s $((48 + 4 * 4124)) "$f"
check_report "$V" "/trunc.bin: file is shorter than its header records (truncated)"
json_has path=/trunc.bin problem=truncated

step "directory IV of a subdirectory deleted"
fresh noiv
f=$(cfile "$V" 1003)
rm "$(dirname "$f")/sealfs.diriv"
check_report "$V" "/home/sub: directory IV (sealfs.diriv) missing: its 1 entries cannot be checked"
json_has path=/home/sub problem=missing

step "two blocks swapped within a file"
fresh swap
f=$(cfile "$V" $((4 * 4096 + 102)))
block "$f" 0 >"$T/b0" && block "$f" 2 >"$T/b2"
put "$f" 48 <"$T/b2" && put "$f" $((48 + 2 * 4124)) <"$T/b0"
check_report "$V" "/home/swap.bin: block 0 fails authentication (tampered, moved or zeroed)" \
	"/home/swap.bin: block 2 fails authentication (tampered, moved or zeroed)"
json_has path=/home/swap.bin block=0
json_has path=/home/swap.bin block=2
grep -q 'block 1 ' "$T/text-report" && fail "an untouched block was reported: $(cat "$T/text-report")"

step "garbage name"
fresh garbage
f=$(cfile "$V" 1004)
g=$(head -c 30 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
mv "$f" "$(dirname "$f")/$g"
check_report "$V" "$(dirname "$f")/$g: name fails authentication"
json_has path=None cipher_path="$(dirname "$f")/$g" problem=name\ fails\ authentication

step "foreign file and orphan side file"
fresh foreign
echo hi >"$V/README.txt"
f=$(find "$(dirname "$(cfile "$V" $((3 * 4096 + 101)))")" -maxdepth 1 -name 'sealfs.longname.*' ! -name '*.name')
[ -n "$f" ] || fail "no long-name stand-in in the volume"
rm "$f"
check_report "$V" "$V/README.txt: foreign file (not part of the volume)" \
	"$f.name: orphan side file (its entry is gone)"

step "damaged xattr"
fresh xattr
f=$(find "$V" -type f -size "$(cipher_size 300000)"c | head -n 1)   # two names: hard link
a=$(getfattr -d -m '^user\.sealfs\.' --absolute-names "$f" | sed -n 's/^\(user\.sealfs\.[^=]*\)=.*/\1/p')
[ -n "$a" ] || fail "no sealfs xattr on the ciphertext"
setfattr -n "$a" -v 0x00000000000000000000000000000000000000000000000000000000000000000000 "$f"
check_report "$V"
grep -qxE '/etc/big(-link)?: extended attribute user.note fails authentication' "$T/text-report" ||
	fail "damaged xattr not reported: $(cat "$T/text-report")"

step "missing config exits 4"
fresh noconf
rm "$V/sealfs.conf"
expect_rc 4 "fsck without sealfs.conf" fsck "$V"
one_line_error "missing config"

step "usage"
expect_rc 0 "fsck --help" "$SEALFS" fsck --help
grep -q -- '--json' "$T/out" || fail "fsck --help does not mention --json"
expect_rc 2 "fsck without CIPHERDIR" "$SEALFS" fsck
step "counts of one read in the singular"
sfs_init "$T/one"
sfs_mount "$T/one" "$T/one-m"
echo x >"$T/one-m/only"
sfs_umount "$T/one-m"
fsck "$T/one" >"$T/out" 2>"$T/err" || fail "fsck of a one-file volume: $(cat "$T/err")"
grep -qx '1 directory, 1 file, 0 symlinks checked; 0 problems' "$T/out" || fail "one-file volume: $(cat "$T/out")"
echo "all fsck checks passed"
