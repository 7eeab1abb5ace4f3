#!/bin/bash
# headroom advise on the live machine, two short recordings (under 30 s
# each):
#  1. stress-ng --cpu (one worker per CPU) while `record --count 11
#     --interval 1` runs: advise names the CPU (upgrade: busy >= 90%
#     sustained) and stress-ng among its top processes. An 11 s recording
#     cannot hold the 15-minute default, so --min-sustained 8s stands in
#     for CPU_SUSTAINED_MIN (documented in headroom.1).
#  2. stress-ng --hdd writing under the test directory (a real disk here)
#     while recording: advise names stress-ng-hdd as the process doing the
#     disk's I/O.
#     The disk may be too fast to reach 80% util, so the test lowers
#     DISK_UTIL_PCT with --threshold to what the recording saw.
. "$SRC_DIR/tests/headroom/lib.sh"
need stress-ng
ncpu=$(nproc)
: >"$T/none.conf"

# --- 1. CPU ---
stress-ng --cpu "$ncpu" --timeout 14s >/dev/null 2>&1 &
spid=$!
sleep 1
"$HR" record --db "$T/cpu.db" --count 11 --interval 1 >/dev/null || fail "record exited $?"
wait $spid
"$HR" advise -c "$T/none.conf" --db "$T/cpu.db" --min-sustained 8s >"$T/cpu.txt"; rc=$?
cat "$T/cpu.txt"
[ $rc -eq 12 ] || [ $rc -eq 10 ] || fail "advise exited $rc, expected 12 (upgrade) or 10 (watch)"
grep -qE '^CPU: (UPGRADE|WATCH)$' "$T/cpu.txt" || fail "CPU not named"
sed -n '/^CPU:/,/^$/p' "$T/cpu.txt" | grep -q 'stress-ng' || fail "stress-ng not among the CPU's top processes"
echo "ok: CPU named, with stress-ng"

# --- 2. disk ---
dev=$(df -P "$T" | awk 'NR == 2 { print $1 }')
case $dev in /dev/*) ;; *) skip "$T is not on a block device ($dev)" ;; esac
stress-ng --hdd 1 --hdd-bytes 256m --temp-path "$T" --timeout 11s >/dev/null 2>&1 &
spid=$!
sleep 1
"$HR" record --db "$T/disk.db" --count 8 --interval 1 >/dev/null || fail "record exited $?"
wait $spid
# the busiest disk of the recording, and a threshold at half its average util
IFS='|' read -r disk util < <(q "$T/disk.db" "SELECT dev, avg(util_pct) FROM disk GROUP BY dev ORDER BY 2 DESC LIMIT 1")
[ -n "$disk" ] || skip "no disk recorded"
th=$(awk -v u="$util" 'BEGIN { t = int(u / 2); print (t < 1 ? 1 : t) }')
"$HR" advise -c "$T/none.conf" --db "$T/disk.db" --min-sustained 4s --threshold DISK_UTIL_PCT="$th" >"$T/disk.txt"; rc=$?
cat "$T/disk.txt"
[ $rc -ge 10 ] || fail "advise exited $rc, expected a verdict for disk $disk"
sed -n "/^disk $disk:/,/^\$/p" "$T/disk.txt" | grep -q '^      stress-ng-hdd ' || fail "stress-ng-hdd not named for disk $disk"
echo "ok: disk $disk named, with stress-ng-hdd"
echo "live advise passed"
