#!/bin/bash
# fs.sh - sealfs filesystem benchmark against its anchors (docs: bench/README.md).
#
#   ./bench/fs.sh [BUILD_DIR]        (the Makefile runs `./bench/fs.sh build`)
#
# Runs seven workloads on a plain directory, the FUSE ceiling (bench/passthrough.c:
# a low-level passthrough without crypto, shaped like sealfs), sealfs, gocryptfs and
# EncFS, all on the same disk and in the same run, and prints the median of ROUNDS
# rounds for each:
#   1. sequential write + fsync (dd from /dev/zero, bs=1M, conv=fsync), MB/s
#   2. sequential read, cold cache (drop_caches, then dd to /dev/null), MB/s
#   3. untar of a generated tree of small files (+ syncfs), seconds
#   4. ls -lR of that tree, cold cache, seconds
#   5. rm -rf of that tree (+ syncfs), seconds
#   6. four untars of the tree at once, into four directories (+ syncfs), seconds
#   7. ls -l of one directory of BIGDIR empty files, cold cache, seconds
# The last two columns compare sealfs with gocryptfs (>1: sealfs is faster) and
# with the ceiling (sealfs's time or speed as a fraction of the ceiling's).
#
# Environment:
#   ROUNDS=N        rounds per workload (default 3); the table shows medians
#   QUICK=1         smoke run: 64 MiB sequential file, 1,000-file tree in 10 dirs
#   SEQ_MIB=N       size of the sequential file in MiB (default 512, QUICK 64)
#   NFILES=N NDIRS=N  size of the tree (default 10000 files in 100 dirs, ~100 MB)
#   BIGDIR=N        entries of the big directory (default 100000, QUICK 5000)
#   FSLIST="..."    which columns to run (default "plain ceiling sealfs gocryptfs encfs")
#   TIMEOUT=S       give up on one command after S seconds (default 600)
#   BENCH_TMPDIR=D  where the temp dir goes (default /var/tmp: same disk as /work)
#   REVERSE=0       skip the reverse-mode rows (ls -lR and tar of the encrypted view,
#                   sealfs mount --reverse against gocryptfs -reverse)
#
# Needs: bash, coreutils, tar, python3, dd; root for drop_caches (without it the
# "cold" rows are warm and say so). gocryptfs/encfs absent -> their column is n/a.
# Nothing here touches the source tree or the build dirs; everything lives in one
# temp dir that the EXIT trap unmounts and removes.

set -u
set -o pipefail

SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# --- configuration ----------------------------------------------------------------

BUILD_ARG=${1:-build}
if [ -d "$BUILD_ARG" ]; then
	BUILD_DIR=$(cd "$BUILD_ARG" && pwd)
elif [ -d "$SRC_DIR/$BUILD_ARG" ]; then
	BUILD_DIR=$(cd "$SRC_DIR/$BUILD_ARG" && pwd)
else
	echo "fs.sh: build dir '$BUILD_ARG' not found" >&2
	exit 2
fi
# The binary moved from sealfs/cli/ to sealfs/ in the build tree; take either.
SEALFS=$BUILD_DIR/sealfs/sealfs
[ -x "$SEALFS" ] || SEALFS=$BUILD_DIR/sealfs/cli/sealfs

QUICK=${QUICK:-0}
ROUNDS=${ROUNDS:-3}
if [ "$QUICK" = 1 ]; then
	SEQ_MIB=${SEQ_MIB:-64}
	NFILES=${NFILES:-1000}
	NDIRS=${NDIRS:-10}
	BIGDIR=${BIGDIR:-5000}
else
	SEQ_MIB=${SEQ_MIB:-512}
	NFILES=${NFILES:-10000}
	NDIRS=${NDIRS:-100}
	BIGDIR=${BIGDIR:-100000}
fi
FSLIST=${FSLIST:-plain ceiling sealfs gocryptfs encfs}
PASSTHROUGH=$BUILD_DIR/bench/fuse-passthrough
TIMEOUT=${TIMEOUT:-600}
BENCH_TMPDIR=${BENCH_TMPDIR:-/var/tmp}
SEED=20240601
PW="bench-$$-pass word"

for v in ROUNDS SEQ_MIB NFILES NDIRS BIGDIR TIMEOUT; do
	case ${!v} in
	'' | *[!0-9]* | 0) echo "fs.sh: $v must be a positive integer" >&2; exit 2 ;;
	esac
done

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || { echo "fs.sh: python3 needed" >&2; exit 2; }

log() { printf '[fs.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- temp dir and cleanup ---------------------------------------------------------

T=$(mktemp -d "$BENCH_TMPDIR/sealfs-bench.XXXXXX") || exit 1
T=$(cd "$T" && pwd -P)
RAWLOG=$T/raw.log
declare -A MNT PID AVAIL NOTE RES FSTYPE CPU0
MOUNTED=()

is_mounted()
{
	awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts
}

unmount_one()
{
	local fs=$1 m=${MNT[$1]}
	is_mounted "$m" || return 0
	if [ "$fs" = sealfs ]; then
		timeout 60 "$SEALFS" umount "$m" >/dev/null 2>&1
	fi
	is_mounted "$m" && timeout 60 fusermount3 -u "$m" 2>/dev/null
	is_mounted "$m" && { fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; }
	! is_mounted "$m"
}

cleanup()
{
	local fs m
	trap - EXIT INT TERM HUP
	for fs in "${MOUNTED[@]}"; do
		unmount_one "$fs" || log "warning: could not unmount $fs at ${MNT[$fs]}"
	done
	# Whatever is still mounted under T (whoever mounted it): lazy unmount.
	awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do
			fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		done
	rm -rf --one-file-system "$T"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# --- helpers ----------------------------------------------------------------------

CAN_DROP=0
if [ -w /proc/sys/vm/drop_caches ]; then
	CAN_DROP=1
else
	log "warning: cannot write /proc/sys/vm/drop_caches (not root?): 'cold' rows will be warm"
fi

drop_caches()
{
	sync
	[ "$CAN_DROP" = 1 ] && echo 3 >/proc/sys/vm/drop_caches
}

# now: seconds since the epoch with ns resolution
now() { date +%s.%N; }

# timed FS SYNC CMD...: run CMD under a timeout; print the elapsed seconds on stdout
# (including syncfs of the mount and of the backing disk when SYNC=1); return CMD's
# status. stdout/stderr of CMD go to $T/cmd.err.
timed()
{
	local fs=$1 sync=$2 t0 t1 rc
	shift 2
	t0=$(now)
	timeout -k 10 "$TIMEOUT" "$@" >/dev/null 2>"$T/cmd.err"
	rc=$?
	if [ "$sync" = 1 ] && [ $rc = 0 ]; then
		timeout -k 10 "$TIMEOUT" sync -f "${MNT[$fs]}" 2>>"$T/cmd.err" &&
			timeout -k 10 "$TIMEOUT" sync -f "$T" 2>>"$T/cmd.err"
		rc=$?
	fi
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
	return $rc
}

# record W FS VALUE: append VALUE (or FAIL) to the results of workload W on FS
record()
{
	RES[$1,$2]="${RES[$1,$2]:-}${RES[$1,$2]:+ }$3"
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RAWLOG"
}

# fail_note W FS RC: log why a run failed
fail_note()
{
	local msg
	msg=$(head -c 300 "$T/cmd.err" | tr '\n' ' ')
	[ "$3" = 124 ] || [ "$3" = 137 ] && msg="timed out after ${TIMEOUT}s $msg"
	log "FAILED: $1 on $2 (exit $3): $msg"
	NOTE[$2]="${NOTE[$2]:-}$1 failed (exit $3: ${msg:0:120}); "
}

daemon_pid()
{
	# The FUSE daemon serving mountpoint $2, whose process name is $1.
	local p
	for p in $(pgrep -x "$1" 2>/dev/null); do
		if tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -qxF -- "$2"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

cpu_ticks()
{
	# utime + stime (clock ticks) of pid $1; the comm field has no spaces here.
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

median()
{
	# median of the numbers given; "FAIL" if any of them is not a number
	printf '%s\n' "$@" | sort -g | awk '
		$0 !~ /^[0-9.]+$/ { bad = 1 }
		{ v[NR] = $0 }
		END {
			if (bad || NR == 0) { print "FAIL"; exit }
			if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# --- check tools, same disk -------------------------------------------------------

for fs in $FSLIST; do
	case $fs in
	plain) AVAIL[$fs]=1 ;;
	ceiling)
		# built on request only: it is not part of the product
		ninja -C "$BUILD_DIR" bench/fuse-passthrough >/dev/null 2>&1
		if [ -x "$PASSTHROUGH" ]; then AVAIL[$fs]=1; else
			AVAIL[$fs]=0
			NOTE[$fs]="bench/fuse-passthrough did not build; "
		fi ;;
	sealfs)
		if [ -x "$SEALFS" ]; then AVAIL[$fs]=1; else
			log "sealfs binary not found in $BUILD_DIR/sealfs/ (build first: make build)"; exit 2
		fi ;;
	gocryptfs | encfs)
		if command -v "$fs" >/dev/null; then AVAIL[$fs]=1; else
			AVAIL[$fs]=0
			NOTE[$fs]="not installed; "
		fi ;;
	*) echo "fs.sh: unknown filesystem '$fs' in FSLIST" >&2; exit 2 ;;
	esac
done
if [ "${AVAIL[gocryptfs]:-0}${AVAIL[encfs]:-0}${AVAIL[sealfs]:-0}${AVAIL[ceiling]:-0}" != 0000 ] &&
	! command -v fusermount3 >/dev/null; then
	log "fusermount3 not found (install fuse3)"; exit 2
fi

if [ -d /work ] && [ "$(stat -c %d /work)" != "$(stat -c %d "$T")" ]; then
	log "note: $T is not on the same filesystem as /work"
fi

# --- the tarball ------------------------------------------------------------------

TARBALL=$T/tree.tar
log "generating $NFILES files in $NDIRS dirs (seed $SEED)"
"$PY" - "$TARBALL" "$NFILES" "$NDIRS" "$SEED" <<'EOF' || { log "tarball generation failed"; exit 1; }
import sys, random, tarfile, io
out, nfiles, ndirs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
POOL = 1 << 22
pool = rng.getrandbits(POOL * 8).to_bytes(POOL, "little")  # incompressible bytes
MTIME = 1700000000
total = 0
with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tf:
    def add_dir(name):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, MTIME
        tf.addfile(ti)
    add_dir("tree")
    per = -(-nfiles // ndirs)
    for i in range(nfiles):
        d = i // per
        if i % per == 0:
            add_dir("tree/d%03d" % d)
        size = rng.randint(0, 20480)          # mean 10 KiB
        off = rng.randrange(0, POOL - size)
        ti = tarfile.TarInfo("tree/d%03d/f%05d.dat" % (d, i))
        ti.size, ti.mode, ti.mtime = size, 0o644, MTIME
        tf.addfile(ti, io.BytesIO(pool[off:off + size]))
        total += size
print("%d files, %d dirs, %.1f MB of content" % (nfiles, -(-nfiles // per), total / 1e6),
      file=sys.stderr)
EOF
NENTRIES=$(tar -tf "$TARBALL" | wc -l)  # files + dirs, for the post-untar check

# --- volumes ----------------------------------------------------------------------

printf '%s\n' "$PW" >"$T/pass"
chmod 600 "$T/pass"

wait_mounted()
{
	local i
	for i in $(seq 1 100); do
		is_mounted "$1" && return 0
		sleep 0.1
	done
	return 1
}

setup_fs()
{
	local fs=$1 c=$T/$1.cipher m=$T/$1.mnt
	MNT[$fs]=$m
	case $fs in
	plain)
		mkdir -p "$m"
		FSTYPE[$fs]=$(stat -f -c %T "$m")
		return 0 ;;
	ceiling)
		mkdir -p "$c" "$m"
		MOUNTED+=("$fs")
		"$PASSTHROUGH" "$c" "$m" >"$T/ceiling.log" 2>&1 &
		;;
	sealfs)
		mkdir -p "$c" "$m"
		printf '%s\n' "$PW" | "$SEALFS" init -q --scrypt-logn 10 -S "$c" >"$T/setup.err" 2>&1 ||
			{ log "sealfs init failed: $(cat "$T/setup.err")"; return 1; }
		MOUNTED+=("$fs")
		printf '%s\n' "$PW" | "$SEALFS" mount -S "$c" "$m" >"$T/setup.err" 2>&1 ||
			{ log "sealfs mount failed: $(cat "$T/setup.err")"; return 1; } ;;
	gocryptfs)
		mkdir -p "$c" "$m"
		gocryptfs -init -q -scryptn 10 -passfile "$T/pass" "$c" >"$T/setup.err" 2>&1 ||
			{ log "gocryptfs -init failed: $(cat "$T/setup.err")"; return 1; }
		MOUNTED+=("$fs")
		gocryptfs -q -passfile "$T/pass" "$c" "$m" >"$T/setup.err" 2>&1 ||
			{ log "gocryptfs mount failed: $(cat "$T/setup.err")"; return 1; } ;;
	encfs)
		# --standard: the first mount creates the volume (AES-192, 1 KiB blocks, unique
		# IVs, chained name IVs, no block MACs: "paranoia" off).
		mkdir -p "$c" "$m"
		MOUNTED+=("$fs")
		printf '%s\n' "$PW" | encfs --standard --stdinpass "$c" "$m" >"$T/setup.err" 2>&1 ||
			{ log "encfs mount failed: $(cat "$T/setup.err")"; return 1; } ;;
	esac
	wait_mounted "$m" || { log "$fs: $m did not appear in /proc/mounts"; return 1; }
	FSTYPE[$fs]=$(awk -v m="$m" '$2 == m { t = $3 } END { print t }' /proc/mounts)
	PID[$fs]=$(daemon_pid "$([ "$fs" = ceiling ] && echo fuse-passthroug || echo "$fs")" "$m") || PID[$fs]=""
	[ -n "${PID[$fs]}" ] && CPU0[$fs]=$(cpu_ticks "${PID[$fs]}")
	return 0
}

RUN_FS=()
for fs in $FSLIST; do
	[ "${AVAIL[$fs]}" = 1 ] || continue
	if setup_fs "$fs"; then
		RUN_FS+=("$fs")
		log "$fs ready at ${MNT[$fs]} (${FSTYPE[$fs]}${PID[$fs]:+, pid ${PID[$fs]}})"
	else
		AVAIL[$fs]=0
		NOTE[$fs]="${NOTE[$fs]:-}setup failed; "
	fi
done
[ ${#RUN_FS[@]} -gt 0 ] || { log "nothing to benchmark"; exit 1; }

# --- workloads --------------------------------------------------------------------

SEQ_BYTES=$((SEQ_MIB * 1048576))
W_ALL="write read untar ls rm puntar bigls"

mbps() { awk -v b="$SEQ_BYTES" -v s="$1" 'BEGIN { printf "%.1f\n", b / 1e6 / s }'; }

w_write()
{
	local fs=$1 f=${MNT[$1]}/seq.bin s rc
	rm -f "$f"
	sync
	s=$(timed "$fs" 0 dd if=/dev/zero of="$f" bs=1M count="$SEQ_MIB" conv=fsync)
	rc=$?
	if [ $rc = 0 ] && [ "$(stat -c %s "$f" 2>/dev/null)" = "$SEQ_BYTES" ]; then
		record write "$fs" "$(mbps "$s")"
	else
		[ $rc = 0 ] && echo "size $(stat -c %s "$f" 2>&1) != $SEQ_BYTES" >"$T/cmd.err" && rc=99
		fail_note write "$fs" $rc
		record write "$fs" FAIL
	fi
}

w_read()
{
	local fs=$1 f=${MNT[$1]}/seq.bin s rc
	if [ "$(stat -c %s "$f" 2>/dev/null)" != "$SEQ_BYTES" ]; then
		record read "$fs" FAIL
		return
	fi
	drop_caches
	s=$(timed "$fs" 0 dd if="$f" of=/dev/null bs=1M)
	rc=$?
	if [ $rc = 0 ]; then record read "$fs" "$(mbps "$s")"; else
		fail_note read "$fs" $rc
		record read "$fs" FAIL
	fi
	rm -f "$f"
	sync
}

w_untar()
{
	local fs=$1 m=${MNT[$1]} s rc n
	rm -rf "$m/tree"
	sync
	s=$(timed "$fs" 1 tar -xf "$TARBALL" -C "$m")
	rc=$?
	if [ $rc = 0 ]; then
		n=$(cd "$m" && find tree | wc -l)
		if [ "$n" != "$NENTRIES" ]; then
			echo "found $n entries after untar, expected $NENTRIES" >"$T/cmd.err"
			rc=99
		fi
	fi
	if [ $rc = 0 ]; then record untar "$fs" "$s"; else
		fail_note untar "$fs" $rc
		record untar "$fs" FAIL
	fi
}

w_ls()
{
	local fs=$1 m=${MNT[$1]} s rc
	drop_caches
	s=$(timed "$fs" 0 ls -lR "$m/tree")
	rc=$?
	if [ $rc = 0 ]; then record ls "$fs" "$s"; else
		fail_note ls "$fs" $rc
		record ls "$fs" FAIL
	fi
}

# verify FS: untimed, once: the tree reads back as it was packed (content, modes,
# mtimes). Leaves the caches as after w_ls (metadata warm, data cold).
verify_tree()
{
	local fs=$1 m=${MNT[$1]} kinds
	if (cd "$m" && timeout -k 10 "$TIMEOUT" tar --compare -f "$TARBALL") >"$T/cmd.err" 2>&1; then
		VERIFY[$fs]=ok
	else
		# "tree/d000/f00000.dat: Mod time differs" -> "1000x Mod time differs"
		kinds=$(sed -n 's/^[^:]*: //p' "$T/cmd.err" | sort | uniq -c | sort -rn |
			awk '{ n = $1; $1 = ""; printf "%s%dx%s", (NR > 1 ? ", " : ""), n, $0 }')
		log "verify (tar --compare) on $fs: ${kinds:-$(head -c 200 "$T/cmd.err")}"
		NOTE[$fs]="${NOTE[$fs]:-}tar --compare after untar: ${kinds:-$(head -c 200 "$T/cmd.err" | tr '\n' ' ')}; "
		case $kinds in
		*Contents* | *Size* | *"No such"* | *"not a"*) VERIFY[$fs]=FAIL ;;
		*) VERIFY[$fs]=$(printf '%s' "$kinds" | sed 's/^[0-9]*x Mod time differs/mtime/; s/[0-9]*x Mode differs/mode/; s/[0-9]*x [^,]*/other/g; s/, /+/g') ;;
		esac
	fi
	drop_caches
	ls -lR "$m/tree" >/dev/null 2>&1
}

w_rm()
{
	local fs=$1 m=${MNT[$1]} s rc
	s=$(timed "$fs" 1 rm -rf "$m/tree")
	rc=$?
	if [ $rc = 0 ] && [ ! -e "$m/tree" ]; then record rm "$fs" "$s"; else
		[ $rc = 0 ] && echo "tree still there after rm -rf" >"$T/cmd.err" && rc=99
		fail_note rm "$fs" $rc
		record rm "$fs" FAIL
	fi
}

# Four untars at once (tree1..tree4), as a busy backup target sees them.
w_puntar()
{
	local fs=$1 m=${MNT[$1]} s rc i
	rm -rf "$m"/p[1-4]
	mkdir -p "$m"/p1 "$m"/p2 "$m"/p3 "$m"/p4
	sync
	s=$(timed "$fs" 1 sh -c 'for i in 1 2 3 4; do tar -xf "$1" -C "$2/p$i" & done; wait' sh "$TARBALL" "$m")
	rc=$?
	for i in 1 2 3 4; do
		[ "$(cd "$m/p$i" && find tree | wc -l)" = "$NENTRIES" ] || { rc=99; echo "p$i incomplete" >"$T/cmd.err"; }
	done
	if [ $rc = 0 ]; then record puntar "$fs" "$s"; else
		fail_note puntar "$fs" $rc
		record puntar "$fs" FAIL
	fi
	rm -rf "$m"/p[1-4]
	sync
}

# ls -l of one directory of BIGDIR empty files (made once per filesystem).
w_bigls()
{
	local fs=$1 m=${MNT[$1]} s rc
	if [ ! -d "$m/big" ]; then
		"$PY" -c 'import os, sys
d = sys.argv[1]; os.mkdir(d)
for i in range(int(sys.argv[2])):
    os.close(os.open("%s/e%06d" % (d, i), os.O_CREAT | os.O_WRONLY, 0o644))' "$m/big" "$BIGDIR" ||
			{ record bigls "$fs" FAIL; return; }
		sync
	fi
	drop_caches
	s=$(timed "$fs" 0 sh -c 'ls -l "$1" | wc -l' sh "$m/big")
	rc=$?
	if [ $rc = 0 ]; then record bigls "$fs" "$s"; else
		fail_note bigls "$fs" $rc
		record bigls "$fs" FAIL
	fi
}

declare -A VERIFY
T_START=$(now)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "ROUNDS=$ROUNDS SEQ_MIB=$SEQ_MIB NFILES=$NFILES NDIRS=$NDIRS in $T; on: ${RUN_FS[*]}"
for ((r = 1; r <= ROUNDS; r++)); do
	# Rotate the order each round so that no filesystem always goes first.
	order=()
	for ((i = 0; i < ${#RUN_FS[@]}; i++)); do
		order+=("${RUN_FS[$(((i + r - 1) % ${#RUN_FS[@]}))]}")
	done
	log "round $r/$ROUNDS (${order[*]})"
	for fs in "${order[@]}"; do w_write "$fs"; done
	for fs in "${order[@]}"; do w_read "$fs"; done
	for fs in "${order[@]}"; do w_untar "$fs"; done
	for fs in "${order[@]}"; do w_ls "$fs"; done
	if [ "$r" = 1 ]; then
		for fs in "${order[@]}"; do verify_tree "$fs"; done
	fi
	for fs in "${order[@]}"; do w_rm "$fs"; done
	for fs in "${order[@]}"; do w_puntar "$fs"; done
	for fs in "${order[@]}"; do w_bigls "$fs"; done
	log "round $r: $(awk -F'\t' -v n="${#RUN_FS[@]}" '{ l[NR] = $1 "/" $2 "=" $3 }
		END { for (i = NR - 7 * n + 1; i <= NR; i++) printf "%s ", l[i] }' "$RAWLOG")"
done
# --- reverse mode: an encrypted read-only view of the same tree --------------------
# sealfs mount --reverse against gocryptfs -reverse: `ls -lR` of the view and
# `tar -cf - view | cat >/dev/null` (GNU tar skips reading file data when its
# archive is /dev/null itself, so the pipe makes it read everything), cold cache.

declare -A RMNT RAVAIL
REVERSE=${REVERSE:-1}
RW_ALL="rls rtar dls dtar"
# rev_setup FS KIND PLAIN: a reverse view of a copy of PLAIN; sets RMNT[FS,KIND]
rev_setup()
{
	local fs=$1 kind=$2 src=$3 p=$T/r.$1.$2.plain m=$T/r.$1.$2.mnt
	mkdir -p "$p" "$m"
	cp -a "$src/." "$p/"
	case $fs in
	sealfs)
		printf '%s\n' "$PW" | "$SEALFS" init --reverse -q --scrypt-logn 10 -S "$p" >"$T/setup.err" 2>&1 &&
			printf '%s\n' "$PW" | "$SEALFS" mount --reverse -S "$p" "$m" >"$T/setup.err" 2>&1 ;;
	gocryptfs)
		gocryptfs -init -reverse -q -scryptn 10 -passfile "$T/pass" "$p" >"$T/setup.err" 2>&1 &&
			gocryptfs -reverse -q -passfile "$T/pass" "$p" "$m" >"$T/setup.err" 2>&1 ;;
	esac || { log "reverse $fs ($kind) setup failed: $(cat "$T/setup.err")"; return 1; }
	wait_mounted "$m" || return 1
	RMNT[$fs,$kind]=$m
}
if [ "$REVERSE" = 1 ] && [ "${AVAIL[sealfs]:-0}" = 1 ]; then
	log "reverse mode: extracting the tree, flat and 5 levels deep"
	mkdir -p "$T/rplain" "$T/rdeep"
	tar -C "$T/rplain" -xf "$TARBALL"
	# the same files, spread over a 5-level tree (4 x 4 x 4 x 4 dirs, files at the bottom)
	"$PY" - "$T/rplain/tree" "$T/rdeep" <<'PYEOF'
import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(r, f) for r, _, fs in os.walk(src) for f in fs)
for i, f in enumerate(files):
    d = os.path.join(dst, "a%d" % (i % 4), "b%d" % (i // 4 % 4), "c%d" % (i // 16 % 4), "d%d" % (i // 64 % 4))
    os.makedirs(d, exist_ok=True)
    shutil.copy2(f, os.path.join(d, os.path.basename(f)))
PYEOF
	for fs in sealfs gocryptfs; do
		RAVAIL[$fs]=0
		[ "$fs" = gocryptfs ] && ! command -v gocryptfs >/dev/null && continue
		rev_setup "$fs" flat "$T/rplain" && rev_setup "$fs" deep "$T/rdeep" && RAVAIL[$fs]=1
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		for fs in sealfs gocryptfs; do
			[ "${RAVAIL[$fs]}" = 1 ] || continue
			for kind in flat deep; do
				l=r t=r
				[ "$kind" = deep ] && l=d t=d
				drop_caches
				s=$(timed plain 0 ls -lR "${RMNT[$fs,$kind]}") && record "${l}ls" "$fs" "$s" ||
					record "${l}ls" "$fs" FAIL
				drop_caches
				s=$(timed plain 0 sh -c 'tar -cf - -C "$1" . | cat >/dev/null' sh "${RMNT[$fs,$kind]}") &&
					record "${t}tar" "$fs" "$s" || record "${t}tar" "$fs" FAIL
			done
		done
	done
	for fs in sealfs gocryptfs; do
		for kind in flat deep; do
			[ -n "${RMNT[$fs,$kind]:-}" ] && fusermount3 -u "${RMNT[$fs,$kind]}" 2>/dev/null
		done
	done
fi

T_END=$(now)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A CPU
for fs in "${RUN_FS[@]}"; do
	if [ -n "${PID[$fs]:-}" ] && [ -d "/proc/${PID[$fs]}" ]; then
		CPU[$fs]=$(awk -v a="${CPU0[$fs]}" -v b="$(cpu_ticks "${PID[$fs]}")" -v hz="$(getconf CLK_TCK)" \
			'BEGIN { printf "%.1f", (b - a) / hz }')
	elif [ "$fs" != plain ]; then
		CPU[$fs]="?"
		is_mounted "${MNT[$fs]}" || NOTE[$fs]="${NOTE[$fs]:-}daemon gone by the end of the run; "
	fi
done

# --- report -----------------------------------------------------------------------

COLS="plain ceiling sealfs gocryptfs encfs"

cell()
{
	# cell W FS: formatted median, n/a, or FAIL
	local w=$1 fs=$2 v
	if [ "${AVAIL[$fs]:-0}" != 1 ] || [ -z "${RES[$w,$fs]:-}" ]; then echo n/a; return; fi
	# shellcheck disable=SC2086
	v=$(median ${RES[$w,$fs]})
	case $v in
	FAIL) echo FAIL ;;
	*) awk -v v="$v" -v w="$w" 'BEGIN {
		if (w == "write" || w == "read") printf (v >= 100 ? "%.0f" : "%.1f"), v
		else printf "%.2f", v }' ;;
	esac
}

ratio()
{
	local w=$1 s g
	s=$(cell "$w" sealfs)
	g=$(cell "$w" gocryptfs)
	case "$s$g" in *n/a* | *FAIL*) echo "-"; return ;; esac
	awk -v s="$s" -v g="$g" -v w="$w" 'BEGIN {
		if (s + 0 == 0 || g + 0 == 0) { print "-"; exit }
		printf "%.2f", (w == "write" || w == "read") ? s / g : g / s }'
}

# sealfs as a fraction of the ceiling: speed / speed, or time / time
cratio()
{
	local w=$1 s c
	s=$(cell "$w" sealfs)
	c=$(cell "$w" ceiling)
	case "$s$c" in *n/a* | *FAIL*) echo "-"; return ;; esac
	awk -v s="$s" -v c="$c" -v w="$w" 'BEGIN {
		if (s + 0 == 0 || c + 0 == 0) { print "-"; exit }
		printf "%.2fx", s / c }'
}

label()
{
	local warm=""
	[ "$CAN_DROP" = 1 ] || warm=" WARM"
	case $1 in
	write) echo "seq write ${SEQ_MIB} MiB + fsync (MB/s)" ;;
	read) echo "seq read ${SEQ_MIB} MiB, cold$warm (MB/s)" ;;
	untar) echo "untar ${NFILES} files + sync (s)" ;;
	ls) echo "ls -lR of the tree, cold$warm (s)" ;;
	rm) echo "rm -rf of the tree + sync (s)" ;;
	puntar) echo "4 untars at once + sync (s)" ;;
	bigls) echo "ls -l of ${BIGDIR} entries, cold$warm (s)" ;;
	esac
}

TARMB=$(awk -v b="$(tar -tvf "$TARBALL" | awk '{ s += $3 } END { print s }')" 'BEGIN { printf "%.0f", b / 1e6 }')
echo
echo "sealfs filesystem benchmark: medians of $ROUNDS round(s)$([ "$QUICK" = 1 ] && echo ", QUICK")"
echo "tree: $NFILES files in $NDIRS dirs, $TARMB MB; MB/s = 10^6 bytes/s; seconds: lower is better"
echo "sealfs:gcfs: sealfs vs gocryptfs, >1 means sealfs is faster"
echo "  (MB/s rows: sealfs/gocryptfs; seconds rows: gocryptfs/sealfs)"
echo "sealfs:ceil: sealfs's figure over the ceiling's (MB/s: want near 1; seconds: want near 1)"
echo
FMT="%-38s %8s %8s %8s %9s %8s %11s %11s\n"
# shellcheck disable=SC2059
printf "$FMT" "workload" plain ceiling sealfs gocryptfs encfs "sealfs:gcfs" "sealfs:ceil"
printf '%s\n' "----------------------------------------------------------------------------------------------------------"
for w in $W_ALL; do
	# shellcheck disable=SC2059
	printf "$FMT" "$(label "$w")" "$(cell "$w" plain)" "$(cell "$w" ceiling)" "$(cell "$w" sealfs)" \
		"$(cell "$w" gocryptfs)" "$(cell "$w" encfs)" "$(ratio "$w")" "$(cratio "$w")"
done
printf '%s\n' "----------------------------------------------------------------------------------------------------------"
cpurow() { [ "${AVAIL[$1]:-0}" = 1 ] && echo "${CPU[$1]:--}" || echo n/a; }
# shellcheck disable=SC2059
printf "$FMT" "daemon CPU, whole run (s)" "-" "$(cpurow ceiling)" "$(cpurow sealfs)" "$(cpurow gocryptfs)" "$(cpurow encfs)" "" ""
vrow() { [ "${AVAIL[$1]:-0}" = 1 ] && echo "${VERIFY[$1]:--}" || echo n/a; }
# shellcheck disable=SC2059
printf "$FMT" "tree intact (tar --compare, round 1)" "$(vrow plain)" "$(vrow ceiling)" "$(vrow sealfs)" \
	"$(vrow gocryptfs)" "$(vrow encfs)" "" ""
if [ "$REVERSE" = 1 ] && [ "${RAVAIL[sealfs]:-0}" = 1 ]; then
	rcell() {
		[ "${RAVAIL[$2]:-0}" = 1 ] && [ -n "${RES[$1,$2]:-}" ] || { echo n/a; return; }
		# shellcheck disable=SC2086
		v=$(median ${RES[$1,$2]})
		[ "$v" = FAIL ] && echo FAIL || awk -v v="$v" 'BEGIN { printf "%.2f", v }'
	}
	echo
	echo "reverse mode: read-only encrypted view of the same tree (s, lower is better)"
	# shellcheck disable=SC2059
	printf "$FMT" "workload" "" "" sealfs gocryptfs "" "sealfs:gcfs" ""
	for w in $RW_ALL; do
		a=$(rcell "$w" sealfs) b=$(rcell "$w" gocryptfs)
		case "$a$b" in *n/a* | *FAIL*) q=- ;; *) q=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }') ;; esac
		case $w in
		rls) l="reverse: ls -lR of the view, cold" ;;
		rtar) l="reverse: tar of the view, cold" ;;
		dls) l="reverse, 5 levels: ls -lR, cold" ;;
		dtar) l="reverse, 5 levels: tar, cold" ;;
		esac
		# shellcheck disable=SC2059
		printf "$FMT" "$l" "" "" "$a" "$b" "" "$q" ""
	done
	for w in $RW_ALL; do
		echo "  rounds $w: sealfs: ${RES[$w,sealfs]:-} gocryptfs: ${RES[$w,gocryptfs]:-}"
	done
fi
echo
echo "every round (in order):"
for w in $W_ALL; do
	line=$(printf '  %-6s' "$w")
	for fs in $COLS; do
		[ "${AVAIL[$fs]:-0}" = 1 ] && line="$line  $fs: ${RES[$w,$fs]:-}"
	done
	echo "$line"
done
for fs in $COLS; do
	[ -n "${NOTE[$fs]:-}" ] && echo "note: $fs: ${NOTE[$fs]}"
done
echo
echo "sealfs:    $SEALFS (built $(date -u -r "$SEALFS" '+%Y-%m-%d %H:%M UTC'); tree at $(
	git -C "$SRC_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$(
	[ -n "$(git -C "$SRC_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo ', uncommitted changes'))"
command -v gocryptfs >/dev/null && echo "gocryptfs: $(gocryptfs -version 2>/dev/null | head -1 | cut -d';' -f1)"
command -v encfs >/dev/null && echo "encfs:     $(encfs --version 2>&1 | head -1)"
echo "disk:      $(df -P "$T" | awk 'NR == 2 { print $1 }') ($(stat -f -c %T "$T")), temp dir $T"
echo "machine:   $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r)"
echo "load avg:  $LOAD_START at start, $LOAD_END at end (other work on the machine skews every column)"
echo "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC'), run took $(awk -v a="$T_START" -v b="$T_END" 'BEGIN { printf "%.0f", b - a }') s"
