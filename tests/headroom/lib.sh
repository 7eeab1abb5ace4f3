# lib.sh - helpers for headroom's shell tests (tests/headroom/t-*.sh).
# Needs BUILD_DIR, SRC_DIR and TEST_TMP from tests/run-tests.sh.
set -u
HR="$BUILD_DIR/headroom/headroom"
T="$TEST_TMP"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

# Run a command, expect exit code $1 and a one-line lowercase "headroom: " error.
expect_error() {
	local want=$1; shift
	local out rc
	out=$("$@" 2>&1 >/dev/null); rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want (stderr: $out)"
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "'$*': expected one line, got: $out"
	case $out in headroom:\ [a-z\'/]*) ;; *) fail "'$*': bad message format: $out" ;; esac
	echo "ok: exit $rc: $out"
}

# Wait until file $1 has at least $2 lines matching $3 (timeout $4 s).
# (A file not created yet counts as no line: the recorder started in the
# background may not have opened its log when we first look.)
wait_lines() {
	local i=0 n
	while n=$(grep -c -- "$3" "$1" 2>/dev/null); [ "${n:-0}" -lt "$2" ]; do
		sleep 0.1; i=$((i + 1))
		[ $i -gt $(($4 * 10)) ] && return 1
	done
	return 0
}

# The fixtures' present: a test over hr-mkfixture databases pins the clock
# (HEADROOM_NOW, headroom(1)) to the evening of the fixtures' last day, so a
# default range ("today", "the last 24 hours") means the same on any date.
# Call it after exporting TZ. Live tests keep the real clock.
pin_clock() { export HEADROOM_NOW="2026-11-28 18:00:00"; }

# Live tests run their load and the recorder in a PID namespace of their own
# (with its own /proc): the processes the recorder sees are the test's alone,
# while CPU, memory and disk figures stay the whole machine's, so what the
# test asserts about the top processes holds whatever else the machine runs.
#   need_pidns            skip unless PID namespaces can be made here
#   in_pidns SCRIPT       run bash SCRIPT there (exported variables pass);
#                         every process left in it dies when SCRIPT ends
need_pidns() {
	need unshare
	unshare --pid --fork --mount-proc true 2>/dev/null || skip "no PID namespaces here (unshare --pid)"
}
in_pidns() { unshare --pid --fork --mount-proc bash -c "$1"; }

need sqlite3
[ -x "$HR" ] || fail "no binary at $HR"
