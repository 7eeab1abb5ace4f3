# lib.sh - shared helpers of the sealfs shell integration tests (tests/sealfs/t-*.sh).
#
# Sourced, never run. The runner (tests/run-tests.sh) gives BUILD_DIR (binary at
# $BUILD_DIR/sealfs/sealfs), SRC_DIR and TEST_TMP (a fresh empty dir, removed
# afterwards); run by hand, TEST_TMP defaults to a new temp dir removed at exit.
# Exit codes: 0 pass, 77 skip (facility truly absent), anything else fail.
# Every mount made through sfs_mount/sfs_mount_fg is undone by the EXIT trap.
# Depends on: bash, coreutils, fusermount3, python3. Nothing here edits the repo.

set -u

SRC_DIR=${SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build}
SEALFS=$BUILD_DIR/sealfs/sealfs
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

_own_tmp=
if [ -z "${TEST_TMP:-}" ]; then
	TEST_TMP=$(mktemp -d /tmp/sfs-manual.XXXXXX)
	_own_tmp=$TEST_TMP
fi
T=$(cd "$TEST_TMP" && pwd -P)

# Password used by the helpers; contains a space and shell metacharacters on purpose.
PW="Pw-$RANDOM\$x 'q\"-$$-sealed"
PASSFILE=$T/pass
(umask 077 && printf '%s\n' "$PW" >"$PASSFILE")

_mounts=()   # mountpoints made by this test
_fg_pids=()  # pids of `sealfs mount -f` started in the background
declare -A _fg_pid_of _fg_log_of  # mountpoint -> pid, log of its `mount -f`
_step=""

fail()
{
	echo "FAIL: $*${_step:+ (step: $_step)}" >&2
	exit 1
}

skip()
{
	echo "skip: $*"
	exit 77
}

# step NAME: label the following checks (shown with a failure).
step()
{
	_step=$*
	echo "--- $*"
}

note()
{
	echo "    $*"
}

_cleanup()
{
	local m i
	for ((i = ${#_mounts[@]} - 1; i >= 0; i--)); do
		m=${_mounts[i]}
		if is_mounted "$m"; then
			fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		fi
	done
	for i in "${_fg_pids[@]}"; do
		kill "$i" 2>/dev/null
	done
	# Leave nothing mounted under our temp dir, whoever mounted it.
	awk -v t="$T/" 'index($2, t) == 1 {print $2}' /proc/mounts | sort -r |
		while read -r m; do
			fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		done
	if [ -n "$_own_tmp" ]; then
		rm -rf "$_own_tmp"
	fi
}
trap _cleanup EXIT

# need_fuse: skip unless FUSE can really be used here; fail if sealfs is not built.
need_fuse()
{
	[ -c /dev/fuse ] || skip "no /dev/fuse on this machine"
	command -v fusermount3 >/dev/null || skip "fusermount3 (fuse3) not installed"
	[ "$(id -u)" = 0 ] || [ -r /dev/fuse -a -w /dev/fuse ] || skip "no access to /dev/fuse"
	need_sealfs
}

need_sealfs()
{
	[ -x "$SEALFS" ] || fail "sealfs binary not built: $SEALFS"
}

need_cmd()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
}

# is_mounted DIR: DIR is a mountpoint in /proc/mounts.
is_mounted()
{
	awk -v m="$1" '$2 == m {found = 1} END {exit !found}' /proc/mounts
}

# run_rc VAR CMD...: run CMD, stdout to $T/out, stderr to $T/err, exit code into VAR.
run_rc()
{
	local __var=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	printf -v "$__var" '%s' "$?"
}

# expect_rc CODE WHAT CMD...: run CMD with stdin from /dev/null (output in
# $T/out, $T/err), fail unless it exits CODE.
expect_rc()
{
	local want=$1 what=$2 rc
	shift 2
	"$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "    command: $*" >&2
		echo "    stdout: $(head -c 600 "$T/out")" >&2
		echo "    stderr: $(head -c 600 "$T/err")" >&2
		fail "$what: expected exit $want, got $rc"
	fi
}

# stdin_rc CODE WHAT INPUT CMD...: like expect_rc with INPUT on standard input.
stdin_rc()
{
	local want=$1 what=$2 input=$3 rc
	shift 3
	printf '%s' "$input" | "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "    command: $*" >&2
		echo "    stdout: $(head -c 600 "$T/out")" >&2
		echo "    stderr: $(head -c 600 "$T/err")" >&2
		fail "$what: expected exit $want, got $rc"
	fi
}

# one_line_error WHAT: $T/err is exactly one line starting with "sealfs: ".
one_line_error()
{
	local n
	n=$(grep -c '' "$T/err")
	[ "$n" = 1 ] || fail "$1: expected one line on stderr, got $n: $(head -c 600 "$T/err")"
	grep -q '^sealfs: ' "$T/err" || fail "$1: error does not start with 'sealfs: ': $(cat "$T/err")"
}

# sfs_init CIPHERDIR [ARGS...]: init with $PW on stdin, quiet, fast KDF.
sfs_init()
{
	local c=$1
	shift
	printf '%s\n' "$PW" | timeout 60 "$SEALFS" init -q -S --scrypt-logn 10 "$@" "$c" \
		>"$T/out" 2>"$T/err" ||
		fail "sealfs init $c failed (exit $?): $(cat "$T/err")"
	[ -s "$c/sealfs.conf" ] || fail "init did not create $c/sealfs.conf"
}

_track_mount()
{
	local m
	for m in "${_mounts[@]}"; do
		[ "$m" = "$1" ] && return
	done
	_mounts+=("$1")
}

# sfs_mount CIPHERDIR MOUNTPOINT [ARGS...]: mount (daemonised) with $PW on stdin,
# or with the --passfile/--extpass given in ARGS;
# on return the mount must be usable. Fails the test otherwise.
sfs_mount()
{
	local c=$1 p=$2 rc
	shift 2
	mkdir -p "$p"
	_track_mount "$p"
	case " $* " in
	*" --passfile "* | *" --extpass "*) ;;
	*) set -- -S "$@" ;;
	esac
	printf '%s\n' "$PW" | timeout 60 "$SEALFS" mount "$@" "$c" "$p" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 0 ] || fail "sealfs mount $c $p failed (exit $rc): $(cat "$T/err")"
	is_mounted "$p" || fail "sealfs mount returned 0 but $p is not in /proc/mounts"
	stat "$p/." >/dev/null || fail "mount $p not usable right after sealfs mount returned"
}

# sfs_mount_fg CIPHERDIR MOUNTPOINT LOGFILE [ARGS...]: `sealfs mount -f` in the
# background with stdout+stderr in LOGFILE; waits (10 s max) until mounted.
sfs_mount_fg()
{
	local c=$1 p=$2 log=$3 i pid
	shift 3
	mkdir -p "$p"
	_track_mount "$p"
	printf '%s\n' "$PW" | "$SEALFS" mount -f -S "$@" "$c" "$p" >"$log" 2>&1 &
	pid=$!
	_fg_pids+=("$pid")
	SFS_FG_PID=$pid
	_fg_pid_of[$p]=$pid
	_fg_log_of[$p]=$log
	for ((i = 0; i < 1200; i++)); do
		is_mounted "$p" && return 0
		kill -0 "$pid" 2>/dev/null || fail "sealfs mount -f exited before mounting: $(cat "$log")"
		sleep 0.05
	done
	fail "sealfs mount -f did not mount $p within 60 s"
}

# sfs_umount MOUNTPOINT: `sealfs umount`, then the mountpoint must be gone. For a
# mount made by sfs_mount_fg, the daemon must then exit 0 with no sanitizer
# report in its log (this is how the ASan build checks the daemon).
sfs_umount()
{
	local p=$1 rc pid log
	timeout 30 "$SEALFS" umount "$p" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 0 ] || fail "sealfs umount $p failed (exit $rc): $(cat "$T/err")"
	is_mounted "$p" && fail "sealfs umount $p returned 0 but it is still mounted"
	pid=${_fg_pid_of[$p]:-}
	if [ -n "$pid" ]; then
		log=${_fg_log_of[$p]}
		unset "_fg_pid_of[$p]" "_fg_log_of[$p]"
		wait_gone "$pid"
		rc=$?
		if grep -qE 'Sanitizer|runtime error:' "$log"; then
			grep -E -A 12 'Sanitizer|runtime error:' "$log" | head -n 40 >&2
			fail "the sealfs daemon of $p reported a sanitizer error (log: $log)"
		fi
		[ "$rc" = 0 ] || fail "the sealfs daemon of $p exited $rc after umount: $(tail -n 5 "$log")"
	fi
	return 0
}

# wait_gone PID: wait (60 s max: a busy machine and the ASan build are slow,
# a hung daemon is still caught) for a background daemon to exit; its exit code in $?.
wait_gone()
{
	local i
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return; }
		sleep 0.05
	done
	fail "sealfs daemon $1 still running 60 s after unmount"
}

# cipher_size PLAINSIZE: the ciphertext size the format gives a plaintext size.
cipher_size()
{
	local n=$1 full rest
	full=$((n / 4096))
	rest=$((n % 4096))
	if [ "$rest" -gt 0 ]; then
		echo $((48 + full * 4124 + rest + 28))
	else
		echo $((48 + full * 4124))
	fi
}

# find_by_size DIR SIZE: the one regular file under DIR of exactly SIZE bytes.
find_by_size()
{
	local hits n
	hits=$(find "$1" -type f -size "$2"c ! -name 'sealfs.*')
	n=$(printf '%s' "$hits" | grep -c '')
	[ "$n" = 1 ] || fail "expected one ciphertext file of $2 bytes under $1, found $n: $hits"
	printf '%s\n' "$hits"
}

# errno_of PYCODE [ARGS...]: run one line of python (os, sys imported; ARGS in
# sys.argv[1:]); print the errno name of the OSError it raised, or OK.
errno_of()
{
	"$PY" - "${@:2}" <<EOF
import errno, os, sys
try:
    $1
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
EOF
}

# read_errno FILE: read all of FILE; print OK or the errno name.
read_errno()
{
	"$PY" - "$1" <<'EOF'
import errno, sys
try:
    with open(sys.argv[1], "rb") as f:
        while f.read(65536):
            pass
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
EOF
}
