#!/bin/bash
# t-encfs-tamper.sh - damage in an EncFS volume with block MACs is reported,
# never returned: a flipped byte in a block makes fsck, cat, decrypt and
# import exit 7 naming the file (and the block), cat stops before the bad
# block, decrypt and import leave that file out and bring the rest; a name
# whose checksum fails is reported; a foreign file is only warned about. An
# interrupted (here: damaged, then repaired) import run again completes.
# A wrong password exits 3 and a corrupt or unsupported config exits 4,
# each with one line naming the volume or the config file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/encfs-lib.sh"
need_encfs
need_cmd "$PY"

C=$T/mac.enc
P=$T/mac.mnt
step "an AES-192 volume with 8-byte block MACs"
encfs_new "$C" "$P" 'x\n1\n192\n1024\n1\n\n\n\ny\n0\nn\n'
grep -q '<blockMACBytes>8<' "$C/.encfs6.xml" || fail "the volume has no MACs"
mkdir -p "$P/dir"
head -c 5000 /dev/urandom >"$P/dir/victim"
head -c 3000 /dev/urandom >"$P/other"
printf 'good\n' >"$P/dir/good"
cp "$P/dir/victim" "$T/victim.orig"
cp "$P/other" "$T/other.orig"
mkdir -p "$P/bulk" "$T/bulk"
for i in $(seq 1 24); do
	head -c 1500000 /dev/urandom >"$T/bulk/b$i"
	cp "$T/bulk/b$i" "$P/bulk/b$i"
done
encfs_umount "$P"
# the ciphertext of dir/victim: 8-byte header + 5000 bytes + 5 MACs of 8
V=$(find "$C" -type f -size 5048c)
[ -n "$V" ] && [ "$(printf '%s\n' "$V" | wc -l)" = 1 ] || fail "cannot find the victim's ciphertext"
cp "$V" "$T/victim.cipher"

step "a clean volume checks clean"
expect_rc 0 "fsck" "$SEALFS" fsck --passfile "$EPASSFILE" "$C"

step "a flipped byte in block 1 is damage"
# raw offset: 8-byte header + 1024 (block 0) + 100
"$PY" - "$V" <<'PYEOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[8 + 1024 + 100] ^= 0x40
open(p, "wb").write(b)
PYEOF
expect_rc 7 "fsck of the damaged volume" "$SEALFS" fsck --passfile "$EPASSFILE" "$C"
grep -q '^/dir/victim: block 1: block fails its MAC check' "$T/out" ||
	fail "fsck does not name the file and block: $(cat "$T/out")"
expect_rc 7 "cat of the damaged file" "$SEALFS" cat --passfile "$EPASSFILE" "$C" dir/victim
one_line_error "cat of the damaged file"
grep -q 'dir/victim' "$T/err" || fail "cat does not name the file: $(cat "$T/err")"
cmp -s "$T/out" <(head -c 1016 "$T/victim.orig") ||
	fail "cat did not give exactly the good block before the bad one ($(stat -c %s "$T/out") bytes)"
expect_rc 7 "decrypt of the damaged volume" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$C" "$T/out1"
grep -q '/dir/victim: block 1' "$T/err" || fail "decrypt does not name the file: $(cat "$T/err")"
[ ! -e "$T/out1/dir/victim" ] || fail "decrypt left the damaged file behind"
[ "$(cat "$T/out1/dir/good")" = good ] || fail "decrypt did not restore the rest"
[ -z "$(find "$T/out1" -name '*sealfs-tmp*')" ] || fail "decrypt left a temporary file"

step "import reports the damaged file, imports the rest (exit 7)"
expect_rc 7 "import of the damaged volume" "$SEALFS" import -q --passfile "$EPASSFILE" \
	--same-password --scrypt-logn 10 "$C" "$T/new"
grep -q '/dir/victim: block 1' "$T/err" || fail "import does not name the file: $(cat "$T/err")"
expect_rc 0 "decrypt of the partial import" "$SEALFS" decrypt -q --passfile "$EPASSFILE" \
	"$T/new" "$T/back1"
[ ! -e "$T/back1/dir/victim" ] || fail "import kept the damaged file"
cmp -s "$T/back1/dir/good" <(printf 'good\n') || fail "import lost a good file"

step "repaired, the import run again completes (and remakes what it left damaged)"
cp "$T/victim.cipher" "$V"
# /other (3000 bytes) as sealfs stores it: 48-byte header + 3000 + 28; as if a
# crash had come before its data reached the disk
O=$(find "$T/new" -type f -size 3076c)
[ -n "$O" ] && [ "$(printf '%s\n' "$O" | wc -l)" = 1 ] || fail "cannot find /other in the import"
head -c 1000 /dev/zero | dd of="$O" bs=1000 seek=1 conv=notrunc 2>/dev/null
expect_rc 0 "import again" "$SEALFS" import --passfile "$EPASSFILE" --same-password "$C" "$T/new"
grep -q 'already there' "$T/out" || fail "the second import did not keep what was there: $(cat "$T/out")"
expect_rc 0 "decrypt of the completed import" "$SEALFS" decrypt -q --passfile "$EPASSFILE" \
	"$T/new" "$T/back2"
cmp -s "$T/back2/dir/victim" "$T/victim.orig" || fail "the completed import lacks the repaired file"
cmp -s "$T/back2/other" "$T/other.orig" || fail "the damaged /other was not made again"

step "an import killed at any point completes when run again"
"$SEALFS" import -q --passfile "$EPASSFILE" --same-password --scrypt-logn 10 "$C" "$T/int" \
	</dev/null >/dev/null 2>&1 &
pid=$!
sleep 1.2
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
# wherever the kill landed (before, while or after making the volume), the
# same command finishes the job
expect_rc 0 "import after a kill" "$SEALFS" import -q --passfile "$EPASSFILE" \
	--same-password --scrypt-logn 10 "$C" "$T/int"
expect_rc 0 "fsck after the resumed import" "$SEALFS" fsck --passfile "$EPASSFILE" "$T/int"
grep -q ' 0 problems' "$T/out" || fail "fsck: $(cat "$T/out")"
expect_rc 0 "decrypt of the resumed import" "$SEALFS" decrypt -q --passfile "$EPASSFILE" \
	"$T/int" "$T/back3"
diff -r "$T/bulk" "$T/back3/bulk" >/dev/null || fail "the resumed import differs"
cmp -s "$T/back3/dir/victim" "$T/victim.orig" || fail "the resumed import lacks a file"

step "a name that fails its checksum is damage; a foreign file a warning"
N=$(basename "$(find "$C" -type f -size -100c ! -name '.encfs*' | head -n 1)")
D=$(dirname "$(find "$C" -type f -name "$N")")
# change one character of the name within the alphabet
NEW=$(printf '%s' "$N" | "$PY" -c 'import sys; s=sys.stdin.read(); c="A" if s[3]!="A" else "B"; print(s[:3]+c+s[4:], end="")')
mv "$D/$N" "$D/$NEW"
expect_rc 7 "fsck with a bad name" "$SEALFS" fsck --passfile "$EPASSFILE" "$C"
grep -q 'name fails its checksum' "$T/out" || fail "fsck: $(cat "$T/out")"
mv "$D/$NEW" "$D/$N"
printf '[.ShellClassInfo]\n' >"$C/desktop.ini"
expect_rc 1 "fsck with a foreign file" "$SEALFS" fsck --passfile "$EPASSFILE" "$C"
grep -q 'desktop.ini: not an EncFS name' "$T/out" || fail "fsck: $(cat "$T/out")"
expect_rc 0 "decrypt with a foreign file" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$C" "$T/out2"
grep -q 'warning: .*desktop.ini: not an EncFS name, skipped' "$T/err" || fail "no warning: $(cat "$T/err")"
rm "$C/desktop.ini"

step "a wrong password exits 3 everywhere, with one line"
(umask 077 && printf 'not the password\n' >"$T/wrong")
for cmd in fsck cat decrypt import; do
	case $cmd in
	cat) args=("$C" dir/good) ;;
	decrypt) args=("$C" "$T/out3") ;;
	import) args=(--same-password "$C" "$T/new3") ;;
	*) args=("$C") ;;
	esac
	expect_rc 3 "$cmd with a wrong password" "$SEALFS" $cmd --passfile "$T/wrong" "${args[@]}"
	one_line_error "$cmd with a wrong password"
	grep -q 'wrong password' "$T/err" || fail "$cmd: $(cat "$T/err")"
done
[ ! -e "$T/new3" ] || fail "import made a volume despite the wrong password"

step "a corrupt or unsupported config exits 4, with one line"
cp "$C/.encfs6.xml" "$T/good.xml"
corrupt()
{
	"$PY" - "$C/.encfs6.xml" "$1" "$2" <<'PYEOF'
import sys
p, a, b = sys.argv[1:]
s = open(p).read()
assert a in s, a
open(p, "w").write(s.replace(a, b, 1))
PYEOF
}
for mut in "<keySize>192<|<keySize>200<" "<blockSize>1024<|<blockSize>1000<" \
	"<name>ssl/aes<|<name>ssl/rot13<" "<encodedKeySize>44<|<encodedKeySize>40<" \
	"</cfg>|" "<blockMACBytes>8<|<blockMACBytes>12<"; do
	cp "$T/good.xml" "$C/.encfs6.xml"
	corrupt "${mut%%|*}" "${mut#*|}"
	for cmd in info fsck decrypt import; do
		case $cmd in
		decrypt) args=("$C" "$T/out4") ;;
		import) args=(--same-password "$C" "$T/new4") ;;
		*) args=("$C") ;;
		esac
		pwargs=(--passfile "$EPASSFILE")
		[ "$cmd" = info ] && pwargs=()
		expect_rc 4 "$cmd with config edit '$mut'" "$SEALFS" $cmd "${pwargs[@]}" "${args[@]}"
		one_line_error "$cmd with config edit '$mut'"
		grep -q '.encfs6.xml' "$T/err" || fail "the message does not name the config: $(cat "$T/err")"
	done
done
head -c 200 "$T/good.xml" >"$C/.encfs6.xml"
expect_rc 4 "a truncated config" "$SEALFS" fsck --passfile "$EPASSFILE" "$C"
cp "$T/good.xml" "$C/.encfs6.xml"
rm "$C/.encfs6.xml"
head -c 40 /dev/urandom >"$C/.encfs5"
expect_rc 4 "a garbage .encfs5" "$SEALFS" decrypt --passfile "$EPASSFILE" "$C" "$T/out5"
one_line_error "a garbage .encfs5"
grep -q '.encfs5' "$T/err" || fail "the message does not name .encfs5: $(cat "$T/err")"
echo "ok"
