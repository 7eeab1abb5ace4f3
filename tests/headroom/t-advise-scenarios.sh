#!/bin/bash
# The advisor's scenario suite: real load for each rule family, recorded
# by `headroom record` with sysstat's sadc beside it as the oracle for the
# figures, each made machine-independent by a limit or an injected fault,
# each in a PID namespace of its own (lib.sh in_pidns) so the processes
# seen are the test's. For each, the verdict and the evidence sentence are
# asserted, and headroom report's figures must agree with sar's over the
# same file of samples (Average: lines; small tolerances for the second
# or so by which the two sampling clocks differ).
#  cpu     stress-ng with 4 workers per CPU: every CPU busy and the run
#          queue above the CPU count on any machine. With the default
#          15-minute minimum the 8 s range is "watch: recorded range (...)
#          shorter than the sustained minimum (15min)" and the verdict line
#          says it is too short to judge; with --min-sustained 4s (standing
#          in for CPU_SUSTAINED_MIN, which the config gives in minutes) it
#          is upgrade (cpu-busy) with cpu-runqueue, naming stress-ng.
#          Oracle: %idle, runq-sz.
#  rogue   one fio writing 4k direct with 8 requests queued to a disk whose
#          every request takes 20 ms (hr-slowdisk under a loop device):
#          busy whatever the machine, about 8 requests queued, each over
#          50 ms: disk-busy and disk-queue fire with the default thresholds
#          but are capped at "investigate": fio is doing N% of the disk's
#          I/O (disk-rogue), no upgrade. Oracle: %util.
#  sum     three differently named fio copies sharing that disk: no single
#          process is a third above the rest; the disk is saturated by the
#          sum of the work, so "upgrade" (disk-busy), no disk-rogue.
#  swap    stress-ng --vm in a memory cgroup of 32 MiB touching 64 MiB, swap
#          on a slow disk that keeps its data (hr-slowdisk keep, 2 ms): it
#          swaps and faults whatever the machine. The machine's own memory
#          is not short, so THRESHOLD_MEM_AVAIL_PCT=100 stands for the
#          group's limit (the rule's other conditions, swapping and major
#          faults, are the real load's). Memory "upgrade" (mem-starved); the
#          swap disk's findings are the swapping's I/O, with the processes
#          faulting, never a rogue, at most watch. Oracle: pswpin/s,
#          pswpout/s, majflt/s.
#  nic     a veth pair across two network namespaces, the far end's MTU
#          1000, 1400-byte datagrams sent at 200/s: every one is dropped on
#          transmit. net-drops "investigate" with what it can mean (MTU);
#          a veth has no real link speed, so ifutil is "unknown", not 0%.
#          va carries a tbf shaper (10 Mbit/s, above the traffic), which the
#          net collector must see (hr-shaped asks what it asks).
#          Oracle: txdrop/s. (Interface errors have no such injectable
#          fault here; the fixture goldens cover their wording.)
#  reap    fio under sh writes 5 MiB at 1 MiB/s and exits inside the
#          recording: sh, which reaps it, is not charged its I/O.
#  idle    nothing but the recorder: it lists no process of its own, the
#          run queue does not count it (runq-sz agrees with sar), memory used
#          is sar's (total - free - buffers - cached - slab: %memused agrees),
#          and the verdict line says the range is too short to judge.
# About a minute in all (seven recordings of 5-8 s at 1 s).
. "$SRC_DIR/tests/headroom/lib.sh"
need stress-ng
need fio
need losetup
need python3
need_pidns
SADC=/usr/lib/sysstat/sadc
[ -x "$SADC" ] && command -v sar >/dev/null || skip "sysstat (sadc, sar) is not installed"
SLOW="$BUILD_DIR/tests/headroom/hr-slowdisk"
SHAPED="$BUILD_DIR/tests/headroom/hr-shaped"
export SHAPED
[ -e /dev/fuse ] || skip "no /dev/fuse"
[ -e /dev/loop-control ] || skip "no loop devices (/dev/loop-control)"
export LC_ALL=C
ncpu=$(nproc)
N=8
export HR T SADC ncpu N
status=0
: >"$T/none.conf"

# $T/rec.sh NAME: headroom record (config $T/NAME.conf, database NAME.db)
# and sadc (NAME.sa) side by side over the same N intervals of 1 s. (sadc's
# first record is its baseline: N intervals take N + 1 records, while
# `record --count N` stores N intervals. With N records each, sar missed the
# last interval, and a burst of swapping there made the averages disagree.)
cat >"$T/rec.sh" <<'EOF'
"$HR" record -c "$T/$1.conf" --db "$T/$1.db" --count "$N" --interval 1 >/dev/null & h=$!
"$SADC" -S DISK 1 "$((N + 1))" "$T/$1.sa" & s=$!
wait $h; r=$?
wait $s || r=3
exit $r
EOF
# avg FILE COLUMN [KEY]: COLUMN of the Average: line (of KEY, the 2nd field)
avg() {
	awk -v col="$2" -v key="${3:-}" '
		$1 != "Average:" { for (i = 2; i <= NF; i++) if ($i == col) c = i; next }
		c && (key == "" || $2 == key || $NF == key) { print $c; exit }' "$1"
}
# agree WHAT NAME ARGS COLUMN KEY ABS REL: headroom report and sar (ARGS,
# and -p for disks: device names) agree within ABS or REL of the larger
agree() {
	local what=$1 name=$2 args=$3 col=$4 key=$5 abs=$6 rel=$7 a b p=
	[ "$args" = -d ] && p=-p
	"$HR" report -c "$T/none.conf" --db "$T/$name.db" --from today $args >"$T/$name.hr.${col//\//_}" 2>&1
	sar -f "$T/$name.sa" $args $p >"$T/$name.sar.${col//\//_}" 2>&1
	a=$(avg "$T/$name.hr.${col//\//_}" "$col" "$key")
	b=$(avg "$T/$name.sar.${col//\//_}" "$col" "$key")
	awk -v w="$what $col" -v a="$a" -v b="$b" -v abs="$abs" -v rel="$rel" 'BEGIN {
		if (a == "" || b == "") { print "FAIL: " w ": no figure (headroom \"" a "\", sar \"" b "\")"; exit 1 }
		d = a - b; if (d < 0) d = -d; m = a > b ? a : b
		if (d <= abs || d <= rel * m) { print "ok: " w ": headroom " a ", sar " b; exit 0 }
		print "FAIL: " w ": headroom " a ", sar " b " disagree"; exit 1 }' || status=1
}
# advise NAME OUT ARGS...: run advise, keep its exit status in $rc. (The
# exit status is the worst verdict of every resource, the machine's own
# disks and interfaces included, which other work may load: each scenario
# asserts the verdict of its own resource, and an exit status at least
# that one's.)
advise() {
	local name=$1 out=$2; shift 2
	"$HR" advise -c "$T/$name.conf" --db "$T/$name.db" "$@" >"$T/$out.txt"; rc=$?
	cat "$T/$out.txt"
}
check() { # check FILE REGEX WHAT
	grep -q -- "$2" "$T/$1.txt" || { echo "FAIL: $1: $3 (no '$2')"; status=1; }
}
check_not() {
	grep -q -- "$2" "$T/$1.txt" && { echo "FAIL: $1: $3 ('$2' found)"; status=1; }
	return 0
}
section() { sed -n "/^$2:/,/^\$/p" "$T/$1.txt" >"$T/$1.$3.txt"; }
no_self() { # the recorder is not among the processes it listed
	[ "$(q "$T/$1.db" "SELECT count(*) FROM proc WHERE comm = 'headroom'")" = 0 ] ||
		{ echo "FAIL: $1: the recorder listed itself"; status=1; }
}

# --- cpu: pegged, run queue above the CPU count ---
: >"$T/cpu.conf"
in_pidns 'stress-ng --cpu $((4 * ncpu)) --timeout 300s >/dev/null 2>&1 & sleep 1
	bash "$T/rec.sh" cpu' || fail "cpu: record or sadc failed"
advise cpu cpu-default
[ $rc -ge 10 ] || { echo "FAIL: cpu (default minimums): exit $rc, expected at least 10 (watch)"; status=1; }
check cpu-default "^CPU: WATCH" "an 8 s pegged range reads as more than ok"
check cpu-default "^  \[watch\] cpu-busy: " "cpu-busy is not at watch"
check cpu-default "recorded range ([0-9]*s) shorter than the sustained minimum (15min)" "short range not named"
check cpu-default "^too short to judge a sustained load: the recorded range" "summary does not say too short"
advise cpu cpu --min-sustained 4s
[ $rc -ge 12 ] || { echo "FAIL: cpu: exit $rc, expected at least 12 (upgrade)"; status=1; }
section cpu CPU sec
check cpu.sec "^CPU: UPGRADE" "CPU pegged with 4 workers per CPU is not an upgrade"
check cpu.sec "^  \[upgrade\] cpu-busy: " "cpu-busy did not fire"
check cpu.sec "^  \[watch\] cpu-runqueue: " "cpu-runqueue did not fire"
check cpu.sec "^      stress-ng" "stress-ng not named"
agree cpu cpu -u %idle all 3 0
agree cpu cpu -q runq-sz "" 1.5 0.15
no_self cpu

# --- the slow disk: rogue writer, then the sum of three ---
mkdir "$T/slow" "$T/swapd"
"$SLOW" "$T/slow" 64 20 & sdpid=$!
loopdev= swapdev= swpid= cg=
cleanup() {
	[ -n "$swapdev" ] && swapoff "$swapdev" 2>/dev/null
	[ -n "$swapdev" ] && losetup -d "$swapdev"
	[ -n "$loopdev" ] && losetup -d "$loopdev"
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
	fusermount3 -u -z "$T/slow" 2>/dev/null
	fusermount3 -u -z "$T/swapd" 2>/dev/null
	kill $sdpid $swpid 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
for i in $(seq 600); do [ -f "$T/slow/disk" ] && break; sleep 0.1; done
[ -f "$T/slow/disk" ] || fail "hr-slowdisk did not mount in 60 s"
loopdev=$(losetup -f --show "$T/slow/disk" 2>"$T/losetup.err") ||
	skip "cannot attach a loop device here: $(cat "$T/losetup.err")"
disk=${loopdev#/dev/}
export loopdev disk
printf 'DISK_VIRTUAL=yes\n' >"$T/rogue.conf"
cp "$T/rogue.conf" "$T/sum.conf"
# (fio is the load: on the real clock even under libfaketime)
FIO='env -u LD_PRELOAD -u FAKETIME'
export FIO
in_pidns '$FIO fio --name=rogue --filename=$loopdev --direct=1 --rw=randwrite --bs=4k \
		--ioengine=libaio --iodepth=8 --time_based --runtime=300 >$T/fio-rogue.log 2>&1 & f=$!
	for i in $(seq 100); do n=$(awk -v d="$disk" "\$3 == d { print \$12 }" /proc/diskstats); [ "${n:-0}" -gt 0 ] && break; sleep 0.1; done
	bash "$T/rec.sh" rogue || exit 1
	kill -INT $f; wait $f; r=$?; [ $r = 0 ] || [ $r = 128 ] || exit 2' ; r=$?
[ $r = 2 ] && fail "rogue: fio failed: $(tail -n 3 "$T/fio-rogue.log")"
[ $r = 0 ] || fail "rogue: record or sadc failed"
advise rogue rogue --min-sustained 4s
[ $rc -ge 11 ] || { echo "FAIL: rogue: exit $rc, expected at least 11 (investigate)"; status=1; }
section rogue "disk $disk" sec
check rogue.sec "^disk $disk: INVESTIGATE" "the rogue's disk is not investigate"
check rogue.sec "^  \[investigate\] disk-busy: " "the utilisation rule did not fire (capped at investigate)"
check rogue.sec "^  \[investigate\] disk-queue: " "the queueing rule did not fire (capped at investigate)"
check rogue.sec "^  \[investigate\] disk-rogue: " "no disk-rogue finding"
check rogue.sec "^      fio " "fio not among the top processes"
check rogue.sec "^    fio (pid [0-9]*.*) is doing [0-9]*% of the disk's I/O" "fio not named as doing the I/O"
check_not rogue.sec "\[upgrade\]" "a rogue process reads as a disk to buy"
agree rogue rogue -d %util "$disk" 10 0.1
no_self rogue

for p in fioa fiob fioc; do cp "$(command -v fio)" "$T/$p"; done
in_pidns 'for p in fioa fiob fioc; do
		$FIO "$T/$p" --name=$p --filename=$loopdev --direct=1 --rw=randwrite --bs=4k \
			--ioengine=libaio --iodepth=3 --time_based --runtime=300 >$T/$p.log 2>&1 &
	done
	for i in $(seq 100); do n=$(awk -v d="$disk" "\$3 == d { print \$12 }" /proc/diskstats); [ "${n:-0}" -ge 6 ] && break; sleep 0.1; done
	bash "$T/rec.sh" sum' || fail "sum: record or sadc failed"
advise sum sum --min-sustained 4s
[ $rc -ge 12 ] || { echo "FAIL: sum: exit $rc, expected at least 12 (upgrade)"; status=1; }
section sum "disk $disk" sec
check sum.sec "^disk $disk: UPGRADE" "a disk saturated by three processes is not an upgrade"
check sum.sec "^  \[upgrade\] disk-busy: " "disk-busy did not fire"
check_not sum.sec "disk-rogue" "a rogue named where three share the disk"
agree sum sum -d %util "$disk" 10 0.1

# --- nic: drops on a veth whose far end has a smaller MTU ---
printf '' >"$T/nic.conf"
cat >"$T/nic.sh" <<'EOF'
unshare --net sleep 300 & peer=$!
sleep 0.3
ip link add va mtu 1500 type veth peer name vb netns $peer mtu 1000 || exit 4
ip addr add 10.99.0.1/24 dev va && ip link set va up && ip link set lo up || exit 4
nsenter -t $peer -n sh -c 'ip addr add 10.99.0.2/24 dev vb && ip link set vb up' || exit 4
"$SHAPED" >"$T/shaped-before.txt" || exit 5
tc qdisc add dev va root tbf rate 10mbit burst 32kbit latency 400ms || exit 4
"$SHAPED" >"$T/shaped.txt" || exit 5
python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 300
while time.time() < end:
    s.sendto(b"x" * 1400, ("10.99.0.2", 9))
    time.sleep(0.005)
' & sleep 1
bash "$T/rec.sh" nic
EOF
in_pidns 'unshare --net bash "$T/nic.sh"'; r=$?
[ $r = 4 ] && skip "cannot make a veth pair across network namespaces (or tc qdisc) here"
[ $r = 5 ] && fail "nic: hr-shaped cannot ask the kernel for the qdiscs"
[ $r = 0 ] || fail "nic: record or sadc failed (exit $r)"
advise nic nic --min-sustained 4s
[ $rc -ge 11 ] || { echo "FAIL: nic: exit $rc, expected at least 11 (investigate)"; status=1; }
section nic "network va" sec
check nic.sec "^network va: INVESTIGATE" "drops on va are not investigate"
check nic.sec "^  \[investigate\] net-drops: dropped packets: full queues, frames larger than the MTU" "net-drops text"
check nic.sec "^    while dropping: .* (100% on transmit) .* link speed unknown: not a full link; frames over the other end's MTU" "the drops' evidence"
check nic.sec "^  ifutil unknown: the link speed of va is unknown or not real" "a veth's nominal speed taken for real"
check nic.sec "^  kB/s average" "the main figure of a link without a speed is not its traffic"
[ "$(q "$T/nic.db" "SELECT count(*) FROM net WHERE iface = 'va' AND ifutil_pct IS NOT NULL")" = 0 ] ||
	{ echo "FAIL: nic: va's ifutil stored as a number"; status=1; }
agree nic nic "-n EDEV" txdrop/s va 5 0.1
# the collector's tc check (what makes a shaped link's ifutil unknown)
grep -qx va "$T/shaped-before.txt" && { echo "FAIL: nic: va taken for shaped before any qdisc"; status=1; }
grep -qx va "$T/shaped.txt" || { echo "FAIL: nic: va with a tbf qdisc not taken for shaped"; status=1; }

# --- idle: the recorder alone ---
: >"$T/idle.conf"
N=5 in_pidns 'bash "$T/rec.sh" idle' ||
	fail "idle: record or sadc failed"
advise idle idle
check idle "too short to judge" "the verdict line of a 5 s range does not say it is too short"
# (gauges of a machine others use, read up to a second apart by the two
# samplers: the fixture tests pin the exact definitions, these the agreement)
agree idle idle -q runq-sz "" 2 0
agree idle idle -r %memused "" 1 0
no_self idle

# --- reap: a shell is not charged the I/O of the child it reaped ---
# fio writes 5 MiB at 1 MiB/s under sh and exits inside the recording; the
# kernel adds it to sh's /proc/PID/io when sh reaps it (through fio's main
# process). Charged all of it, sh would show about 5000 kB/s once; only
# fio's last part-second may stay with it.
printf '' >"$T/reap.conf"
in_pidns 'sh -c "$FIO fio --name=reap --filename=$T/reap.dat --size=5m --rate=1m --rw=write \
		--bs=64k --direct=1 >$T/fio-reap.log 2>&1; sleep 60" & sleep 0.5
	bash "$T/rec.sh" reap' || fail "reap: record or sadc failed"
seen=$(q "$T/reap.db" "SELECT count(*) FROM proc WHERE comm = 'fio' AND wkbps >= 500")
shio=$(q "$T/reap.db" "SELECT ifnull(max(rkbps + wkbps), 0) FROM proc WHERE comm = 'sh'")
echo "reap: fio seen writing in $seen samples; sh at most $shio kB/s"
[ "$seen" -ge 2 ] || { echo "FAIL: reap: fio was not seen writing (setup)"; status=1; }
awk -v x="$shio" 'BEGIN { exit !(x < 2000) }' ||
	{ echo "FAIL: reap: sh was charged the I/O of the fio it reaped ($shio kB/s)"; status=1; }

# --- swap: a memory cgroup swapping to a slow disk ---
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	cg=/sys/fs/cgroup/hr-swap-$$
	mkdir "$cg" && echo 32M >"$cg/memory.max" || fail "cannot make a memory cgroup"
elif [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cg=/sys/fs/cgroup/memory/hr-swap-$$
	mkdir "$cg" && echo 32M >"$cg/memory.limit_in_bytes" || fail "cannot make a memory cgroup"
else
	skip "no memory cgroup controller (v1 or v2)"
fi
"$SLOW" "$T/swapd" 128 2 keep & swpid=$!
for i in $(seq 600); do [ -f "$T/swapd/disk" ] && break; sleep 0.1; done
swapdev=$(losetup -f --show "$T/swapd/disk") || fail "cannot attach the swap disk"
mkswap "$swapdev" >/dev/null && swapon "$swapdev" || skip "cannot swap to a loop device here"
sdisk=${swapdev#/dev/}
export cg
printf 'DISK_VIRTUAL=yes\nTHRESHOLD_MEM_AVAIL_PCT=100\n' >"$T/swap.conf"
in_pidns 'sh -c "echo \$\$ >$cg/cgroup.procs && exec stress-ng --vm 1 --vm-bytes 64M --vm-keep --timeout 300s" >/dev/null 2>&1 &
	sleep 2; bash "$T/rec.sh" swap' || fail "swap: record or sadc failed"
advise swap swap --min-sustained 4s
[ $rc -ge 12 ] || { echo "FAIL: swap: exit $rc, expected at least 12 (upgrade)"; status=1; }
section swap memory sec
check swap.sec "^memory: UPGRADE" "swapping with faults is not a memory upgrade"
check swap.sec "^  \[upgrade\] mem-starved: " "mem-starved did not fire"
section swap "disk $sdisk" disk
check swap.disk "^  \[watch\] disk-" "no disk finding on the swap disk"
check swap.disk "this is the swapping's I/O" "the swap disk's load not called the swapping's I/O"
check swap.disk "^    processes faulting then" "the processes are not called faulting"
check_not swap.disk "is doing\|disk-rogue\|\[upgrade\]\|\[investigate\]" "the faulting process called a rogue"
agree swap swap -W pswpout/s "" 50 0.25
agree swap swap -W pswpin/s "" 50 0.25
agree swap swap -B majflt/s "" 20 0.25

[ $status -eq 0 ] || fail "a scenario's verdict, evidence or figures differ (see above)"
echo "advise scenarios passed"
