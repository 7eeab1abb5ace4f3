#!/bin/bash
# headroom record against the live machine under real load: stress-ng keeps
# both CPUs, 256 MB of memory and a disk writer busy while the recorder
# takes 3 samples 2 s apart. The stored CPU busy share must exceed 80 % and
# agree with /proc/stat read by this script over the same window; the
# stress-ng workers must be named in the top lists by CPU, memory and I/O.
# The load and the recorder run in a PID namespace of their own (lib.sh
# in_pidns), so the top lists hold the test's processes whatever else runs,
# and stress-ng outlives the recording (the namespace's end stops it).
. "$SRC_DIR/tests/headroom/lib.sh"
need stress-ng
need_pidns
ncpu=$(nproc)
export HR T ncpu
in_pidns 'stress-ng --cpu "$ncpu" --vm 1 --vm-bytes 256M --vm-keep --hdd 1 --hdd-bytes 32M \
		--temp-path "$T" --timeout 300s >/dev/null 2>&1 &
	sleep 1.5
	head -n 1 /proc/stat >"$T/stat0"
	"$HR" record --db "$T/live.db" --count 3 --interval 2 || exit 1
	head -n 1 /proc/stat >"$T/stat1"' || fail "record exited with an error"
read -r _ u n s i w x y z _ <"$T/stat0"
busy0=$((u + n + s + x + y + z)); tot0=$((busy0 + i + w))
read -r _ u n s i w x y z _ <"$T/stat1"
busy1=$((u + n + s + x + y + z)); tot1=$((busy1 + i + w))

db="$T/live.db"
[ "$(q "$db" 'PRAGMA integrity_check')" = ok ] || fail integrity
[ "$(q "$db" 'select count(*) from sample')" = 3 ] || fail "expected 3 samples"
stored=$(q "$db" 'select round(avg(100 - idle), 1) from cpu where cpu = -1')
procfs=$(( (busy1 - busy0) * 1000 / (tot1 - tot0) ))
echo "cpu busy: stored avg $stored %, /proc/stat over the window $((procfs / 10)).$((procfs % 10)) %"
awk -v s="$stored" 'BEGIN { exit !(s > 80) }' || fail "stored cpu busy $stored <= 80 under stress"
awk -v s="$stored" -v p="$procfs" 'BEGIN { d = s - p / 10; if (d < 0) d = -d; exit !(d < 10) }' ||
	fail "stored $stored % and /proc/stat $procfs permille disagree"
[ "$(q "$db" 'select count(*) from cpu where cpu >= 0')" = $((3 * ncpu)) ] || fail "per-core rows"
# Top lists name the workers.
top_cpu=$(q "$db" "select max(cpu_pct) from proc where comm = 'stress-ng-cpu' and top & 1")
echo "stress-ng-cpu: max $top_cpu % of a core"
# (> 5 %, not ~100 %: the machine may be busy with other work and the
# workers compete for the CPUs; the namespace keeps the others off the list.)
awk -v c="${top_cpu:-0}" 'BEGIN { exit !(c > 5) }' || fail "stress-ng-cpu not a top CPU user"
top_mem=$(q "$db" "select max(rss_kb) from proc where comm = 'stress-ng-vm' and top & 2")
echo "stress-ng-vm: max rss $top_mem kB"
awk -v m="${top_mem:-0}" 'BEGIN { exit !(m > 200000) }' ||
	fail "stress-ng-vm with 256 MB not in the memory top list"
top_io=$(q "$db" "select max(wkbps) from proc where comm = 'stress-ng-hdd' and top & 4")
echo "stress-ng-hdd: max $top_io kB/s written"
awk -v w="${top_io:-0}" 'BEGIN { exit !(w > 100) }' || fail "stress-ng-hdd not a top I/O user"
# System-wide figures are sane.
used=$(q "$db" 'select max(used_kb) from mem')
awk -v u="$used" 'BEGIN { exit !(u > 200000) }' || fail "memory used $used kB with 256 MB held"
[ "$(q "$db" 'select count(*) from sched where cswch_s > 0')" = 3 ] || fail "context switches"
[ "$(q "$db" 'select count(*) from load')" = 3 ] || fail "load rows"
[ "$(q "$db" "select count(*) from net where iface = 'lo'")" = 3 ] || fail "lo rows"
neg=$(q "$db" 'select count(*) from cpu where user < 0 or idle < 0 or user > 100')
[ "$neg" = 0 ] || fail "cpu values out of range"
echo "live checks passed"
