#!/bin/bash
# headroom advise on the live machine, two short recordings (under 30 s
# each). Each runs in a PID namespace of its own (unshare --pid
# --mount-proc), so the processes the recorder sees are the test's alone,
# while CPU and disk figures are the whole machine's: what advise must say
# then holds on any machine, idle or busy.
#  1. stress-ng --cpu (one worker per CPU) while `record --count 11
#     --interval 1` runs: every CPU is busy all the time whatever its
#     speed, so advise calls the CPU an upgrade (busy >= 90% sustained) and
#     names stress-ng among its top processes. An 11 s recording cannot
#     hold the 15-minute default, so --min-sustained 8s stands in for
#     CPU_SUSTAINED_MIN (documented in headroom.1).
#  2. a disk of known speed: a loop device over a FUSE file whose every
#     request takes 20 ms (hr-slowdisk), kept busy by fio with 8 requests
#     queued. Whatever the machine's speed or load, that disk is busy all
#     the time (%util near 100), its queue holds about 8 requests and each
#     waits well over 50 ms: the utilisation and queueing rules fire with
#     the default thresholds, and since fio alone does the I/O, advise says
#     "investigate" (disk-rogue: fio is doing N% of the disk's I/O) rather
#     than upgrade. The test measures the disk's %util itself
#     from /proc/diskstats, so a broken setup fails rather than passing.
. "$SRC_DIR/tests/headroom/lib.sh"
need stress-ng
need_pidns
ncpu=$(nproc)
: >"$T/none.conf"
export HR T

# --- 1. CPU ---
export ncpu
# (stress-ng outlives the recording however slow its start; the namespace's
# end kills it)
in_pidns 'stress-ng --cpu "$ncpu" --timeout 300s >/dev/null 2>&1 & sleep 1
	"$HR" record --db "$T/cpu.db" --count 11 --interval 1 >/dev/null' || fail "record exited $?"
"$HR" advise -c "$T/none.conf" --db "$T/cpu.db" --min-sustained 8s >"$T/cpu.txt"; rc=$?
cat "$T/cpu.txt"
[ $rc -ge 12 ] || fail "advise exited $rc, expected 12 (upgrade)"
sed -n '/^CPU:/,/^$/p' "$T/cpu.txt" >"$T/cpu-section.txt"
grep -qx 'CPU: UPGRADE' "$T/cpu-section.txt" || fail "CPU not called an upgrade"
grep -q '^  \[upgrade\] cpu-busy:' "$T/cpu-section.txt" || fail "the CPU busy rule did not fire"
grep -q '^      stress-ng' "$T/cpu-section.txt" || fail "stress-ng not among the CPU's top processes"
echo "ok: CPU named, with stress-ng"

# --- 2. disk ---
need fio
need losetup
SLOW="$BUILD_DIR/tests/headroom/hr-slowdisk"
[ -e /dev/fuse ] || skip "no /dev/fuse"
[ -e /dev/loop-control ] || skip "no loop devices (/dev/loop-control)"
mkdir "$T/slow"
"$SLOW" "$T/slow" 64 20 & sdpid=$!
loopdev=
cleanup() {
	[ -n "$loopdev" ] && losetup -d "$loopdev"
	fusermount3 -u -z "$T/slow" 2>/dev/null
	kill "$sdpid" 2>/dev/null
	wait "$sdpid" 2>/dev/null
}
trap cleanup EXIT
for i in $(seq 600); do [ -f "$T/slow/disk" ] && break; sleep 0.1; done
[ -f "$T/slow/disk" ] || fail "hr-slowdisk did not mount in 60 s"
loopdev=$(losetup -f --show "$T/slow/disk" 2>"$T/losetup.err") ||
	skip "cannot attach a loop device here: $(cat "$T/losetup.err")"
disk=${loopdev#/dev/}
export loopdev disk
# fio runs until the recording ends (then SIGINT: fio finishes its job,
# reports it with err= 0 and exits 128, or 0 if it was done); the measurement
# starts once requests are in flight.
in_pidns 'io_ticks() { awk -v d="$disk" "\$3 == d { print \$13 }" /proc/diskstats; }
	in_flight() { awk -v d="$disk" "\$3 == d { print \$12 }" /proc/diskstats; }
	# (fio is the load, not what is tested: it runs on the real clock even when
	# the run is under libfaketime, whose clock its time-based mode aborts on)
	env -u LD_PRELOAD -u FAKETIME fio --name=slow --filename="$loopdev" --direct=1 --rw=randread \
		--bs=1m --ioengine=libaio --iodepth=8 --time_based --runtime=300 >"$T/fio.log" 2>&1 & f=$!
	for i in $(seq 600); do n=$(in_flight); [ "${n:-0}" -gt 0 ] && break; sleep 0.1; done
	echo "$(date +%s%N) $(io_ticks)" >"$T/before"
	printf "DISK_VIRTUAL=yes\n" >"$T/rec.conf"
	"$HR" record -c "$T/rec.conf" --db "$T/disk.db" --count 8 --interval 1 >/dev/null || exit 1
	echo "$(date +%s%N) $(io_ticks)" >"$T/after"
	kill -INT $f
	wait $f; r=$?
	[ $r = 0 ] || [ $r = 128 ] || exit 2
	grep -q "^slow: .*err= *0:" "$T/fio.log" || exit 2' ; rc=$?
[ $rc = 1 ] && fail "record exited with an error"
[ $rc = 2 ] && fail "fio failed: $(tail -n 5 "$T/fio.log")"
[ $rc = 0 ] || fail "the disk recording failed (exit $rc)"
read -r t0 k0 <"$T/before"
read -r t1 k1 <"$T/after"
# what the disk did, measured here: busy (nearly) all the time
util=$(( (k1 - k0) * 100000000 / (t1 - t0) ))
echo "measured: $disk busy ${util}% of the recording"
[ "$util" -ge 90 ] || fail "the slow disk was busy only ${util}% of the time: the setup is broken"
"$HR" advise -c "$T/none.conf" --db "$T/disk.db" --min-sustained 4s >"$T/disk.txt"; rc=$?
cat "$T/disk.txt"
# (the exit status is the worst of every resource, the machine's own disks too)
[ $rc -ge 11 ] || fail "advise exited $rc, expected at least 11 (investigate) for disk $disk"
sed -n "/^disk $disk:/,/^\$/p" "$T/disk.txt" >"$T/disk-section.txt"
grep -qx "disk $disk: INVESTIGATE" "$T/disk-section.txt" || fail "disk $disk not called investigate"
grep -q '^  \[investigate\] disk-busy:' "$T/disk-section.txt" || fail "disk $disk: the utilisation rule did not fire"
grep -q '^  \[investigate\] disk-queue:' "$T/disk-section.txt" || fail "disk $disk: the queueing rule did not fire"
grep -q "^    fio (pid [0-9].*) is doing [0-9]*% of the disk's I/O" "$T/disk-section.txt" ||
	fail "fio not named as the rogue for disk $disk"
grep -q '^      fio ' "$T/disk-section.txt" || fail "fio not among the top processes for disk $disk"
echo "ok: disk $disk busy and queueing, fio named as the process to investigate"
echo "live advise passed"
