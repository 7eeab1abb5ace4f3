#!/bin/bash
# t-concurrent.sh - concurrent I/O through one sealfs mount: fio jobs writing
# and verifying separate files and disjoint, block-straddling regions of one
# shared file, a randrw job pair on one file, parallel O_APPEND writers on one
# file, parallel creates in one directory. Data is re-verified after remount.
. "$(dirname "$0")/lib.sh"
need_fuse
need_cmd fio

C=$T/cipher
P=$T/plain
sfs_init "$C"
sfs_mount_fg "$C" "$P" "$T/daemon.log"  # foreground: its exit code and sanitizer log are checked
mkdir "$T/fio" && cd "$T/fio" || fail "cannot make fio's work dir"

# fio_run WHAT ARGS...: run fio, fail with its output unless it verifies cleanly.
# (No timeout of its own: a slow run is not a wrong one; tests/run-tests.sh
# ends a test that hangs. fio runs on the real clock even in a libfaketime
# run: it hangs on the faked one; the file system under test keeps it.)
fio_run()
{
	local what=$1
	shift
	env -u LD_PRELOAD -u FAKETIME fio --verify_fatal=1 --verify_state_save=0 --output="$T/fio.out" "$@" >/dev/null 2>"$T/fio.err"
	local rc=$?
	if [ "$rc" != 0 ] || grep -qiE 'err= *[1-9]|verify: bad|bad magic|crc32c: verify failed' "$T/fio.out" "$T/fio.err"; then
		tail -n 30 "$T/fio.out" "$T/fio.err" >&2
		fail "$what: fio exit $rc (data read back differs from data written, or I/O error)"
	fi
}

SEP=(--name=sep --directory="$P" --rw=randwrite --bs=4k --size=16m --numjobs=4 --verify=crc32c)
step "fio: 4 jobs, separate files, randwrite + verify"
fio_run "4 jobs on separate files" "${SEP[@]}" --do_verify=1

# 4 jobs, one file, adjacent regions of 1 MiB + 3.5 KiB: region boundaries fall
# inside 4 KiB content blocks, so two jobs update the same ciphertext block.
region=$((1024 * 1024 + 3584))
SHR=(--name=shared --filename="$P/shared" --rw=randwrite --bs=512 --size=$region
	--offset_increment=$region --numjobs=4 --verify=crc32c)
step "fio: 4 jobs, one shared file, block-straddling regions"
fio_run "4 jobs on one shared file" "${SHR[@]}" --do_verify=1
[ "$(stat -c %s "$P/shared")" = $((4 * region)) ] || fail "shared file size $(stat -c %s "$P/shared"), want $((4 * region))"

RW=(--name=rw --filename="$P/rwfile" --rw=randrw --bs=4k --size=8m --offset_increment=8m --numjobs=2
	--verify=crc32c)
step "fio: randrw on one shared file with verify"
fio_run "randrw on one shared file" "${RW[@]}" --do_verify=1

# ---------------------------------------------------------------- appends
step "parallel appends to one file"
NPROC=6 NLINES=300
pids=()
for w in $(seq 1 $NPROC); do
	"$PY" - "$P/appended" "$w" "$NLINES" <<'EOF' &
import os, sys
path, w, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
for i in range(n):
    line = f"writer {w:02d} line {i:05d} ".encode()
    line += b"." * (99 - len(line)) + b"\n"
    assert len(line) == 100
    if os.write(fd, line) != 100:
        sys.exit("short append")
os.close(fd)
EOF
	pids+=($!)
done
rc=0
for job in "${pids[@]}"; do wait "$job" || rc=1; done
[ "$rc" = 0 ] || fail "an appending process failed"
size=$(stat -c %s "$P/appended")
[ "$size" = $((NPROC * NLINES * 100)) ] || fail "parallel appends: size $size, want $((NPROC * NLINES * 100)) (appends lost or overlapped)"
"$PY" - "$P/appended" "$NPROC" "$NLINES" <<'EOF' || fail "parallel appends: lines lost, torn or interleaved"
import re, sys
path, nproc, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
lines = data.split(b"\n")[:-1]
pat = re.compile(rb"^writer (\d\d) line (\d{5}) \.+$")
seen = {}
for l in lines:
    m = pat.match(l)
    if not m or len(l) != 99:
        sys.exit(f"malformed line: {l[:60]!r}")
    w, i = int(m.group(1)), int(m.group(2))
    if seen.get(w, -1) + 1 != i:
        sys.exit(f"writer {w}: line {i} after {seen.get(w)}")
    seen[w] = i
if sorted(seen) != list(range(1, nproc + 1)) or any(v != n - 1 for v in seen.values()):
    sys.exit(f"lines per writer: {seen}")
EOF

# ---------------------------------------------------------------- creates
step "parallel creates and renames in one directory"
mkdir "$P/many"
pids=()
for w in 1 2 3 4; do
	(
		for i in $(seq 1 100); do
			echo "w$w f$i" >"$P/many/w$w-f$i" || exit 1
			[ $((i % 10)) = 0 ] && { mv "$P/many/w$w-f$i" "$P/many/w$w-r$i" || exit 1; }
		done
		exit 0
	) &
	pids+=($!)
done
rc=0
for job in "${pids[@]}"; do wait "$job" || rc=1; done
[ "$rc" = 0 ] || fail "a creating process failed"
[ "$(ls "$P/many" | wc -l)" = 400 ] || fail "parallel creates: $(ls "$P/many" | wc -l) entries, want 400"
for w in 1 2 3 4; do
	for i in 7 10 55 100; do
		n=w$w-f$i
		[ $((i % 10)) = 0 ] && n=w$w-r$i
		[ "$(cat "$P/many/$n")" = "w$w f$i" ] || fail "parallel creates: $n reads '$(cat "$P/many/$n")'"
	done
done

# ---------------------------------------------------------------- remount
step "everything verifies again after remount"
cd "$T" || fail "cd"
sfs_umount "$P"
sfs_mount "$C" "$P"
cd "$T/fio" || fail "cd"
fio_run "separate files after remount" "${SEP[@]}" --verify_only
fio_run "shared file after remount" "${SHR[@]}" --verify_only
[ "$(stat -c %s "$P/appended")" = $((NPROC * NLINES * 100)) ] || fail "appended file size after remount: $(stat -c %s "$P/appended")"
[ "$(ls "$P/many" | wc -l)" = 400 ] || fail "entries after remount: $(ls "$P/many" | wc -l)"
cd "$T" || fail "cd"
sfs_umount "$P"

echo "t-concurrent: all checks passed"
exit 0
