#!/bin/bash
# t-backup-recipe.sh - workflow 1 of docs (seal the backups) end to end, as a
# backup script runs it: root-only passfile, `cat pass | sealfs mount -S`,
# dumps written, `sealfs umount`, `rsync -a CIPHER/ STORE/` at once; the store
# holds the config and no plaintext; the store copy mounts with the password
# and gives back the dumps. A second run adds a dump: files not touched keep
# byte-identical ciphertext, so the next rsync sends only what changed.
. "$(dirname "$0")/lib.sh"
need_fuse
need_cmd rsync tar

C=$T/encrypted
P=$T/decrypted
STORE=$T/store
R=$T/restore
mkdir -p "$T/root" "$T/orig"
# The root-only passfile of the recipe.
printf '%s\n' "$PW" >"$T/root/enc.txt" && chmod 600 "$T/root/enc.txt"
M=SQLMARK$RANDOM$$

step "init"
"$SEALFS" init -q --scrypt-logn 10 --passfile "$T/root/enc.txt" "$C" >"$T/out" 2>"$T/err" ||
	fail "sealfs init --passfile: $(cat "$T/err")"

# backup_job DAY: the nightly job, exactly as the recipe writes it.
backup_job()
{
	local day=$1 rc
	mkdir -p "$P"
	_track_mount "$P"
	cat "$T/root/enc.txt" | "$SEALFS" mount -S "$C" "$P" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 0 ] || fail "backup job $day: mount -S from the passfile failed (exit $rc): $(cat "$T/err")"
	[ -s "$T/err" ] && fail "backup job $day: mount printed on stderr: $(cat "$T/err")"
	mkdir -p "$P/$day"
	tar -C / -cf "$P/$day/etc.tar" --warning=no-file-changed etc 2>/dev/null
	[ -s "$P/$day/etc.tar" ] || fail "backup job $day: tar of /etc into the mount failed"
	"$PY" - "$P/$day/db.sql" "$M" "$day" <<'EOF' || fail "backup job $day: writing the SQL dump failed"
import random, sys
path, mark, day = sys.argv[1], sys.argv[2], sys.argv[3]
r = random.Random(day)
with open(path, "w") as f:
    f.write(f"-- dump {day}\nCREATE TABLE customers (id INTEGER, name TEXT, note TEXT);\n")
    for i in range(20000):
        f.write(f"INSERT INTO customers VALUES ({i}, 'customer-{r.randrange(10**9)}', '{mark} secret {i}');\n")
EOF
	gzip -c "$P/$day/db.sql" >"$P/$day/db.sql.gz" || fail "backup job $day: gzip into the mount failed"
	cp "$P/$day/etc.tar" "$T/orig/$day-etc.tar" && cp "$P/$day/db.sql" "$T/orig/$day-db.sql" &&
		cp "$P/$day/db.sql.gz" "$T/orig/$day-db.sql.gz" || fail "backup job $day: reading the dumps back failed"
	"$SEALFS" umount "$P" >"$T/out" 2>"$T/err" || fail "backup job $day: sealfs umount failed: $(cat "$T/err")"
	is_mounted "$P" && fail "backup job $day: still mounted after sealfs umount"
	return 0
}

step "first backup run, then rsync to the store at once"
backup_job day1
rsync -a "$C/" "$STORE/" || fail "rsync of the ciphertext to the store failed"

step "the store holds the config and no plaintext"
[ -s "$STORE/sealfs.conf" ] || fail "the store has no sealfs.conf"
cmp -s "$C/sealfs.conf" "$STORE/sealfs.conf" || fail "the store's sealfs.conf differs from the volume's"
[ -e "$STORE/sealfs.diriv" ] || fail "the store has no sealfs.diriv"
grep -r -a -l -F "$M" "$STORE" && fail "plaintext marker of the SQL dump found in the store"
grep -r -a -l -F 'INSERT INTO customers' "$STORE" && fail "SQL dump text found in the store"
grep -r -a -l -F 'root:x:0:0' "$STORE" && fail "/etc/passwd content found in the store"
# (an exact name for the directory; base64url has no '.', so dotted names cannot match by chance)
[ -z "$(find "$STORE" -name day1)" ] || fail "plaintext directory name in the store"
find "$STORE" | grep -F -e etc.tar -e db.sql && fail "plaintext file names in the store"

step "the store copy mounts with the password and gives back the dumps"
sfs_mount "$STORE" "$R" --passfile "$T/root/enc.txt"
for f in etc.tar db.sql db.sql.gz; do
	cmp "$R/day1/$f" "$T/orig/day1-$f" || fail "restored day1/$f differs from the original"
done
tar -tf "$R/day1/etc.tar" | grep -qx 'etc/passwd' || fail "restored etc.tar does not list etc/passwd"
gzip -t "$R/day1/db.sql.gz" || fail "restored db.sql.gz is corrupt"
sfs_umount "$R"

step "second run: untouched ciphertext stays byte-identical"
(cd "$C" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$T/sums1"
backup_job day2
(cd "$C" && sha256sum -c --quiet "$T/sums1") >&2 ||
	fail "files not written by the second run (or sealfs.conf) changed on disk (rsync would send them again)"
rsync -a --itemize-changes "$C/" "$STORE/" >"$T/rsync2" || fail "second rsync failed"
changed=$(grep -E '^>f' "$T/rsync2" | grep -vE '^>f\+{9,}' | head -n 5)
[ -z "$changed" ] || fail "second rsync re-sent existing files: $changed"
grep -qE '^>f\+{9,}' "$T/rsync2" || fail "second rsync sent no new file"
grep -r -a -l -F "$M" "$STORE" && fail "plaintext marker found in the store after the second run"

step "restore both runs from the store"
sfs_mount "$STORE" "$R" --ro --passfile "$T/root/enc.txt"
for day in day1 day2; do
	for f in etc.tar db.sql db.sql.gz; do
		cmp "$R/$day/$f" "$T/orig/$day-$f" || fail "restored $day/$f differs from the original"
	done
done
sfs_umount "$R"

step "the store copy cannot be opened without the password"
printf 'wrong\n' >"$T/wrong" && chmod 600 "$T/wrong"
expect_rc 3 "mounting the store with a wrong password" timeout 20 "$SEALFS" mount --passfile "$T/wrong" "$STORE" "$R"
mv "$STORE/sealfs.conf" "$T/conf.away"
expect_rc 4 "mounting the store without its sealfs.conf" timeout 20 "$SEALFS" mount --passfile "$T/root/enc.txt" "$STORE" "$R"
is_mounted "$R" && fail "a store without config got mounted"

echo "t-backup-recipe: all checks passed"
exit 0
