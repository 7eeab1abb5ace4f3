#!/bin/bash
# t-offline-write.sh - `sealfs encrypt` and `sealfs put` write into a volume
# without FUSE what the mount writes: a tree with edge cases (long and UTF-8
# names, a 4095-byte symlink target, hard links, a sparse file, a FIFO, modes,
# times, a user xattr) added with encrypt reads back identically through a
# real mount and through decrypt, and fsck finds the volume clean; a
# DEST_PATH is made; existing files are kept without --force and replaced
# with it; put streams standard input into a file (directories made on the
# way), replaces an old one atomically, and refuses a wrong password (3).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/encfs-lib.sh"
need_fuse
need_cmd setfattr getfattr

C=$T/cipher
S=$T/src
sfs_init "$C"

step "a source tree with edge cases"
fill_tree "$S" 255 4096 1 1
LONGT=$(head -c 4095 /dev/zero | tr '\0' 't')
ln -s "$LONGT" "$S/links/longest-target"
describe "$S" >"$T/src.desc"

step "encrypt into the root; mount, decrypt and fsck agree"
expect_rc 0 "encrypt" "$SEALFS" encrypt -q --passfile "$PASSFILE" "$S" "$C"
expect_rc 0 "fsck after encrypt" "$SEALFS" fsck --passfile "$PASSFILE" "$C"
grep -q ' 0 problems' "$T/out" || fail "fsck: $(cat "$T/out")"
expect_rc 0 "decrypt" "$SEALFS" decrypt -q --passfile "$PASSFILE" "$C" "$T/back"
same_tree "decrypt of an encrypted tree" "$T/src.desc" "$T/back"
mkdir -p "$T/m"
sfs_mount "$C" "$T/m"
same_tree "mount of an encrypted tree" "$T/src.desc" "$T/m"
"$SEALFS" umount "$T/m" >/dev/null 2>&1 || fail "umount"

step "encrypt into DEST_PATH, existing files kept without --force"
expect_rc 0 "encrypt into a path" "$SEALFS" encrypt -q --passfile "$PASSFILE" "$S/names" "$C" backups/today
printf 'changed\n' >"$S/names/a"
expect_rc 1 "encrypt over existing files" "$SEALFS" encrypt -q --passfile "$PASSFILE" "$S/names" "$C" backups/today
grep -q 'exists' "$T/err" || fail "no 'exists' message: $(cat "$T/err")"
[ "$("$SEALFS" cat --passfile "$PASSFILE" "$C" backups/today/a </dev/null)" = a ] ||
	fail "an existing file was replaced without --force"
expect_rc 0 "encrypt --force" "$SEALFS" encrypt -q -f --passfile "$PASSFILE" "$S/names" "$C" backups/today
[ "$("$SEALFS" cat --passfile "$PASSFILE" "$C" backups/today/a </dev/null)" = changed ] ||
	fail "--force did not replace the file"

step "put streams standard input into one file"
head -c 3000000 /dev/urandom >"$T/dump"
"$SEALFS" put --passfile "$PASSFILE" "$C" db/2026/dump.sql <"$T/dump" >"$T/out" 2>"$T/err" ||
	fail "put: $(cat "$T/err")"
"$SEALFS" cat --passfile "$PASSFILE" "$C" db/2026/dump.sql </dev/null | cmp -s - "$T/dump" ||
	fail "put: the file does not read back"
printf 'second\n' | "$SEALFS" put --passfile "$PASSFILE" "$C" db/2026/dump.sql || fail "put over a file"
[ "$("$SEALFS" cat --passfile "$PASSFILE" "$C" db/2026/dump.sql </dev/null)" = second ] ||
	fail "put did not replace the file"

step "an interrupted put leaves the old file"
mkfifo "$T/feed"
"$SEALFS" put --passfile "$PASSFILE" "$C" db/2026/dump.sql <"$T/feed" >/dev/null 2>&1 &
pid=$!
exec 3>"$T/feed"
printf 'partial' >&3
sleep 1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exec 3>&-
[ "$("$SEALFS" cat --passfile "$PASSFILE" "$C" db/2026/dump.sql </dev/null)" = second ] ||
	fail "an interrupted put damaged the old file"
expect_rc 0 "fsck after put" "$SEALFS" fsck --passfile "$PASSFILE" "$C"
(umask 077 && printf 'wrong\n' >"$T/wrong")
printf 'x' | "$SEALFS" put --passfile "$T/wrong" "$C" x >"$T/out" 2>"$T/err"
[ $? = 3 ] || fail "put with a wrong password: not exit 3"
one_line_error "put with a wrong password"
echo "ok"
