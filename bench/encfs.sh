#!/bin/bash
# encfs.sh - EncFS migration benchmark (docs: bench/README.md). Not a test.
#
#   ./bench/encfs.sh [BUILD_DIR]
#
# 1. Migration of a 10,000-file tree (100 dirs, sizes 0-20 KiB from a fixed
#    seed, ~100 MB) from an EncFS --standard volume, two ways, same run:
#      import: sealfs import ENC NEW (+ sync)
#      cp -a:  encfs mount ENC, sealfs init + mount NEW, cp -a, sync, unmount both
#    medians of ROUNDS rounds, the order alternating from round to round.
# 2. Decrypt throughput: `sealfs cat` of a SEQ_MIB file to /dev/null (warm
#    cache, so CPU-bound; less the time of a 2-byte cat, i.e. the KDF) from an AES-192 standard volume and a Blowfish-160
#    512-byte-block volume, MB/s (10^6 B/s), medians; `encfs` mount + cat of
#    the same file alongside (Blowfish through OPENSSL_CONF with the legacy
#    provider, as encfs needs).
#
# Environment: ROUNDS (3), QUICK=1 (1,000 files, 64 MiB), NFILES, NDIRS,
# SEQ_MIB (256), BENCH_TMPDIR (/var/tmp). Needs encfs, fuse3, python3, bc.
# Everything lives in one temp dir that the EXIT trap unmounts and removes.

set -u
set -o pipefail

SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_ARG=${1:-build}
if [ -d "$BUILD_ARG" ]; then
	BUILD_DIR=$(cd "$BUILD_ARG" && pwd)
else
	BUILD_DIR=$(cd "$SRC_DIR/$BUILD_ARG" && pwd) || exit 2
fi
SEALFS=$BUILD_DIR/sealfs/sealfs
[ -x "$SEALFS" ] || { echo "encfs.sh: build first (make)" >&2; exit 2; }
for c in encfs fusermount fusermount3 python3 bc; do
	command -v "$c" >/dev/null || { echo "encfs.sh: $c not installed (scripts/install-deps.sh bench)" >&2; exit 2; }
done

QUICK=${QUICK:-0}
ROUNDS=${ROUNDS:-3}
if [ "$QUICK" = 1 ]; then
	NFILES=${NFILES:-1000}
	NDIRS=${NDIRS:-10}
	SEQ_MIB=${SEQ_MIB:-64}
else
	NFILES=${NFILES:-10000}
	NDIRS=${NDIRS:-100}
	SEQ_MIB=${SEQ_MIB:-256}
fi

W=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/sealfs-encfs-bench.XXXXXX")
MOUNTS=()
cleanup()
{
	local m
	for m in "${MOUNTS[@]}"; do
		fusermount -u "$m" 2>/dev/null || fusermount3 -u "$m" 2>/dev/null ||
			fusermount -u -z "$m" 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

PWF=$W/pass
(umask 077 && printf 'bench password\n' >"$PWF")
SSL=$W/openssl-legacy.cnf
printf '%s\n' 'openssl_conf = openssl_init' '[openssl_init]' 'providers = provider_sect' \
	'[provider_sect]' 'default = default_sect' 'legacy = legacy_sect' '[default_sect]' \
	'activate = 1' '[legacy_sect]' 'activate = 1' >"$SSL"

now() { date +%s.%N; }
median() { sort -n | sed -n "$(((ROUNDS + 1) / 2))p"; }

emount() { # CIPHER MOUNT [ANSWERS]
	mkdir -p "$1" "$2"
	if [ -n "${3:-}" ]; then
		printf "$3" | OPENSSL_CONF=$SSL encfs --extpass="cat '$PWF'" "$1" "$2" >/dev/null 2>&1
	else
		OPENSSL_CONF=$SSL encfs --standard --extpass="cat '$PWF'" "$1" "$2" >/dev/null 2>&1 </dev/null
	fi || { echo "encfs.sh: encfs failed on $1" >&2; exit 1; }
	MOUNTS+=("$2")
}
eumount() { fusermount -u "$1"; }

echo "encfs.sh: making the EncFS volumes ($NFILES files, ${SEQ_MIB} MiB sequential file)" >&2
emount "$W/tree.enc" "$W/tree.mnt"
python3 - "$W/tree.mnt" "$NFILES" "$NDIRS" <<'EOF'
import os, random, sys
root, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(20091231)
for i in range(d):
    os.makedirs(os.path.join(root, "d%03d" % i), exist_ok=True)
for i in range(n):
    size = rnd.randint(0, 20 * 1024)
    with open(os.path.join(root, "d%03d" % (i % d), "f%05d" % i), "wb") as f:
        f.write(rnd.randbytes(size))
EOF
eumount "$W/tree.mnt"
emount "$W/aes.enc" "$W/aes.mnt"
head -c $((SEQ_MIB * 1048576)) /dev/urandom >"$W/aes.mnt/big"
printf 'x\n' >"$W/aes.mnt/tiny"
eumount "$W/aes.mnt"
emount "$W/bf.enc" "$W/bf.mnt" 'x\n2\n160\n512\n1\n\n\n\n\n0\nn\n'
head -c $((SEQ_MIB * 1048576)) /dev/urandom >"$W/bf.mnt/big"
printf 'x\n' >"$W/bf.mnt/tiny"
eumount "$W/bf.mnt"

run_import() {
	local a b
	rm -rf "$W/new"
	a=$(now)
	"$SEALFS" import -q --passfile "$PWF" --same-password --scrypt-logn 14 "$W/tree.enc" "$W/new" \
		>/dev/null || { echo "encfs.sh: import failed" >&2; exit 1; }
	sync -f "$W/new"
	b=$(now)
	echo "$b - $a" | bc -l
}

run_cp() {
	local a b
	rm -rf "$W/new"
	a=$(now)
	emount "$W/tree.enc" "$W/tree.mnt"
	"$SEALFS" init -q --passfile "$PWF" --scrypt-logn 14 "$W/new" >/dev/null &&
		mkdir -p "$W/new.mnt" &&
		"$SEALFS" mount --passfile "$PWF" "$W/new" "$W/new.mnt" ||
		{ echo "encfs.sh: sealfs mount failed" >&2; exit 1; }
	MOUNTS+=("$W/new.mnt")
	cp -a "$W/tree.mnt/." "$W/new.mnt/" || { echo "encfs.sh: cp -a failed" >&2; exit 1; }
	sync -f "$W/new.mnt"
	"$SEALFS" umount "$W/new.mnt" >/dev/null
	eumount "$W/tree.mnt"
	sync -f "$W/new"
	b=$(now)
	echo "$b - $a" | bc -l
}

IMP=()
CP=()
for ((r = 0; r < ROUNDS; r++)); do
	if ((r % 2)); then
		CP+=("$(run_cp)")
		IMP+=("$(run_import)")
	else
		IMP+=("$(run_import)")
		CP+=("$(run_cp)")
	fi
done

mbps() { # SECONDS -> MB/s of the big file
	echo "$SEQ_MIB * 1048576 / 1000000 / $1" | bc -l
}
# The time of `sealfs cat` of the big file less that of a 2-byte one: the KDF
# (PBKDF2 timed by encfs to ~0.5 s) is paid once per command, as at encfs mount.
cat_sealfs() { # VOLUME
	local a b c
	a=$(now)
	"$SEALFS" cat --passfile "$PWF" "$1" tiny >/dev/null || { echo "encfs.sh: cat failed" >&2; exit 1; }
	b=$(now)
	"$SEALFS" cat --passfile "$PWF" "$1" big >/dev/null || { echo "encfs.sh: cat failed" >&2; exit 1; }
	c=$(now)
	echo "($c - $b) - ($b - $a)" | bc -l
}
cat_encfs() { # VOLUME
	local a b
	emount "$1" "$W/c.mnt"
	cat "$W/c.mnt/big" >/dev/null # warm the ciphertext cache like the sealfs rounds
	eumount "$W/c.mnt"
	emount "$1" "$W/c.mnt"
	a=$(now)
	cat "$W/c.mnt/big" >/dev/null
	b=$(now)
	eumount "$W/c.mnt"
	echo "$b - $a" | bc -l
}
declare -A T
for v in aes bf; do
	cat "$W/$v.enc"/* >/dev/null 2>&1 # page cache
	s=()
	e=()
	for ((r = 0; r < ROUNDS; r++)); do
		s+=("$(cat_sealfs "$W/$v.enc")")
		e+=("$(cat_encfs "$W/$v.enc")")
	done
	T[$v.sealfs]=$(printf '%s\n' "${s[@]}" | median)
	T[$v.encfs]=$(printf '%s\n' "${e[@]}" | median)
done

mi=$(printf '%s\n' "${IMP[@]}" | median)
mc=$(printf '%s\n' "${CP[@]}" | median)
printf '\nEncFS migration, %d files in %d dirs (medians of %d rounds)\n' "$NFILES" "$NDIRS" "$ROUNDS"
printf '%-44s %10s\n' "" "seconds"
printf '%-44s %10.1f\n' "sealfs import" "$mi"
printf '%-44s %10.1f\n' "encfs mount + cp -a into a sealfs mount" "$mc"
printf '%-44s %10.2fx\n' "import speed-up" "$(echo "$mc / $mi" | bc -l)"
printf '\ndecrypt throughput, %d MiB file, warm cache (MB/s, medians)\n' "$SEQ_MIB"
printf '%-44s %10s %10s\n' "" "sealfs cat" "encfs+cat"
printf '%-44s %10.0f %10.0f\n' "AES-192, 1024-byte blocks (--standard)" \
	"$(mbps "${T[aes.sealfs]}")" "$(mbps "${T[aes.encfs]}")"
printf '%-44s %10.0f %10.0f\n' "Blowfish-160, 512-byte blocks" \
	"$(mbps "${T[bf.sealfs]}")" "$(mbps "${T[bf.encfs]}")"
printf '\nevery round: import %s | cp -a %s\n' "${IMP[*]}" "${CP[*]}"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
