#!/bin/bash
# headroom advise against deterministic fixture databases (hr-mkfixture,
# through hr_store): an idle server, CPU pegged for hours with short spikes
# elsewhere, steal time, memory starvation, a disk hammered by one process,
# disk load caused by swapping, a NIC near its link speed, a NIC with
# errors and drops, steady growth that forecasts a crossing, an empty
# database. A disk hammered by one process is "investigate" with that
# process named; a disk busy while the system swaps is the swapping's I/O at
# every level. Text and JSON are compared with diff -u against
# tests/headroom/golden/advise-*; every exit status is checked (0 ok,
# 10 watch, 11 investigate, 12 upgrade, 5 no data). Thresholds from the
# config file and --threshold are checked too. TZ=Europe/Berlin, LC_ALL=C.
#
# Goldens are only ever written on request:
#   UPDATE_GOLDEN=1 TESTS=advise-golden tests/run-tests.sh build
. "$SRC_DIR/tests/headroom/lib.sh"
export TZ=Europe/Berlin LC_ALL=C
pin_clock
MK="$BUILD_DIR/tests/headroom/hr-mkfixture"
GOLDEN_DIR=${GOLDEN_DIR:-$SRC_DIR/tests/headroom/golden}
[ -x "$MK" ] || fail "no fixture generator at $MK"
[ -e /usr/share/zoneinfo/Europe/Berlin ] || skip "no tzdata for Europe/Berlin"

for sc in idle empty reboot adv-cpu adv-cpu-10s adv-steal adv-mem adv-disk adv-swapdisk adv-nic adv-nicerr adv-growth; do
	"$MK" "$sc" "$T/$sc.db" || fail "hr-mkfixture $sc"
done
printf 'THRESHOLD_CPU_BUSY_PCT=99\n' >"$T/strict.conf"
printf 'THRESHOLD_NO_SUCH_THING=1\n' >"$T/bad.conf"
: >"$T/none.conf"

status=0
# check NAME EXT WANT_RC ARGS...: run advise, compare with golden/advise-NAME.EXT
check() {
	local name=$1 ext=$2 want=$3; shift 3
	local fmt=text out="$T/advise-$name.$ext" gold="$GOLDEN_DIR/advise-$name.$ext" rc
	[ "$ext" = json ] && fmt=json
	"$HR" advise -c "$T/none.conf" --format "$fmt" "$@" >"$out" 2>"$T/stderr"; rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL: advise-$name.$ext: exit $rc, expected $want: $(cat "$T/stderr")"; status=1; return
	fi
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$gold"; echo "updated $gold"; return
	fi
	if [ ! -f "$gold" ]; then
		echo "FAIL: advise-$name.$ext: no golden $gold (create it with UPDATE_GOLDEN=1)"
		status=1; return
	fi
	if diff -u "$gold" "$out"; then echo "ok: advise-$name.$ext (exit $rc)"; else status=1; fi
}

day="--from 2026-11-28 --to 2026-11-28"
sums_before=$(cd "$GOLDEN_DIR" && md5sum ./advise-* 2>/dev/null)
for e in txt json; do
	check idle $e 0 --db "$T/idle.db" --from 2026-11-26 --to 2026-11-28
	check cpu $e 12 --db "$T/adv-cpu.db" $day
	check cpu-10s $e 12 --db "$T/adv-cpu-10s.db" $day
	check steal $e 11 --db "$T/adv-steal.db" $day
	check mem $e 12 --db "$T/adv-mem.db" $day
	check disk $e 11 --db "$T/adv-disk.db" $day
	check swapdisk $e 12 --db "$T/adv-swapdisk.db" $day
	check nic $e 12 --db "$T/adv-nic.db" $day
	check nicerr $e 11 --db "$T/adv-nicerr.db" $day
	check growth $e 10 --db "$T/adv-growth.db" --from 2026-11-01 --to 2026-11-28
	# CPU pegged 22:00 CEST - 02:30 CET across a reboot at 01:25 CEST and the DST change
	check reboot $e 12 --db "$T/reboot.db" --from 2026-10-24 --to 2026-10-25
done
# the reboot is named, and it splits the sustained stretch (22:00-01:10, not 4h30)
grep -q "^boot  2026-10-25 01:25:00 CEST (rebooted, 4 CPUs)" "$T/advise-reboot.txt" &&
	grep -q "longest 3h10min from 2026-10-24 22:00:00 CEST; 5h20min in total" "$T/advise-reboot.txt" ||
	{ echo "FAIL: advise over a reboot: reboot line or the split stretch missing"; status=1; }
# a rogue process is investigated, not a disk bought; swapping's I/O names the faulting processes
grep -qx "disk sda: INVESTIGATE" "$T/advise-disk.txt" &&
	grep -q "^    backup-tar (pid 4242) is doing 100% of the disk's I/O" "$T/advise-disk.txt" &&
	grep -q "^  \[investigate\] disk-rogue:" "$T/advise-disk.txt" ||
	{ echo "FAIL: the rogue process is not its own investigate verdict"; status=1; }
grep -q "hammering\|is doing" "$T/advise-swapdisk.txt" &&
	{ echo "FAIL: the swapping process is called a disk hog"; status=1; }
[ "$(grep -c "this is the swapping's I/O" "$T/advise-swapdisk.txt")" = 3 ] &&
	grep -q "^    processes faulting then" "$T/advise-swapdisk.txt" ||
	{ echo "FAIL: the disk findings while swapping do not say they are its I/O"; status=1; }
# thresholds from the config file, then --threshold over it
"$HR" advise -c "$T/strict.conf" --db "$T/adv-cpu.db" $day >"$T/strict.txt"; rc=$?
[ $rc -eq 10 ] || { echo "FAIL: THRESHOLD_CPU_BUSY_PCT=99 from the config: exit $rc, expected 10"; status=1; }
grep -q "\[upgrade\] cpu-busy" "$T/strict.txt" && { echo "FAIL: config threshold ignored"; status=1; }
"$HR" advise -c "$T/strict.conf" --threshold CPU_BUSY_PCT=90 --db "$T/adv-cpu.db" $day >/dev/null; rc=$?
[ $rc -eq 12 ] || { echo "FAIL: --threshold over the config: exit $rc, expected 12"; status=1; }
# the spikes of 15:00-18:00 count once the sustained minimum is 5 minutes
"$HR" advise -c "$T/none.conf" --threshold THRESHOLD_CPU_SUSTAINED_MIN=5 --db "$T/adv-cpu.db" $day >"$T/sus.txt"
grep -q "(4h25min sustained)" "$T/sus.txt" || { echo "FAIL: CPU_SUSTAINED_MIN=5 did not count the spikes"; status=1; }
grep -q "(4h25min sustained)" "$T/sus.txt" && echo "ok: thresholds from the config file and --threshold"
# a rule that did not fire says so instead of stating its conclusion
"$HR" advise -c "$T/none.conf" --threshold CPU_SUSTAINED_MIN=600 --db "$T/adv-cpu.db" $day >"$T/long.txt"
grep -q "^  \[ok\] cpu-busy: not met (it would mean: CPU busy sustained: the CPU is the bottleneck)" "$T/long.txt" ||
	{ echo "FAIL: an ok finding reads as if it held: $(grep '\[ok\]' "$T/long.txt")"; status=1; }

if [ "${UPDATE_GOLDEN:-}" != 1 ]; then
	[ "$(cd "$GOLDEN_DIR" && md5sum ./advise-* 2>/dev/null)" = "$sums_before" ] ||
		fail "a normal run changed tests/headroom/golden/"
fi
[ $status -eq 0 ] || fail "advise output or exit status differs (see above)"

# errors: one line, documented codes
expect_error 5 "$HR" advise -c "$T/none.conf" --db "$T/empty.db"
expect_error 5 "$HR" advise -c "$T/none.conf" --db "$T/idle.db" --from 2020-01-01 --to 2020-01-02
expect_error 2 "$HR" advise -c "$T/bad.conf" --db "$T/idle.db"
expect_error 2 "$HR" advise -c "$T/none.conf" --threshold NOPE=1 --db "$T/idle.db"
expect_error 2 "$HR" advise -c "$T/none.conf" --threshold CPU_BUSY_PCT=x --db "$T/idle.db"
expect_error 2 "$HR" advise -c "$T/none.conf" --format csv --db "$T/idle.db"
expect_error 1 "$HR" advise -c "$T/none.conf" --db "$T/nonexistent.db"
# every threshold documented in contrib/headroom.conf is one advise knows, and back
sed -n 's/^#\(THRESHOLD_[A-Z_]*=[0-9]*\)$/\1/p' "$SRC_DIR/contrib/headroom.conf" >"$T/contrib.conf"
"$HR" advise -c "$T/contrib.conf" --list-thresholds >"$T/list.txt" || fail "contrib/headroom.conf thresholds refused"
[ "$(grep -c . "$T/contrib.conf")" = "$(grep -c '^THRESHOLD_' "$T/list.txt")" ] ||
	fail "contrib/headroom.conf does not list every threshold"
for n in $(sed 's/=.*//' "$T/contrib.conf"); do
	grep -q "^\.BI $(echo "$n" | sed 's/_/_/g') *= N" "$SRC_DIR/docs/headroom.1" || fail "$n is not in headroom.1"
done
"$HR" advise -c "$T/none.conf" --list-thresholds | grep -q "^THRESHOLD_CPU_BUSY_PCT=90" || fail "--list-thresholds"
echo "advise goldens passed"
