#!/bin/bash
# The database on a full disk: a 4 MB tmpfs is filled while the recorder
# runs. It must keep running, report the full disk once, resume writing
# when space returns, and leave a database that passes integrity_check.
. "$SRC_DIR/tests/headroom/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
mnt="$T/small"
mkdir -p "$mnt"
mount -t tmpfs -o size=4m tmpfs "$mnt" 2>/dev/null || skip "cannot mount tmpfs here"
trap 'kill -9 $pid 2>/dev/null; umount -l "$mnt" 2>/dev/null' EXIT
db="$mnt/h.db"
"$HR" record --db "$db" --interval 0.1 --foreground --verbose 2>"$T/log" &
pid=$!
wait_lines "$T/log" 5 committed 10 || fail "no samples: $(cat "$T/log")"
dd if=/dev/zero of="$mnt/fill" bs=16k 2>/dev/null
wait_lines "$T/log" 1 'disk full' 10 || fail "full disk not reported: $(tail -5 "$T/log")"
sleep 1.5
kill -0 $pid || fail "recorder died on a full disk"
[ "$(grep -c 'disk full' "$T/log")" = 1 ] || fail "full disk reported more than once"
before=$(grep -c committed "$T/log")
sleep 1
[ "$(grep -c committed "$T/log")" = "$before" ] || fail "commits reported while the disk is full"
rm -f "$mnt/fill"
wait_lines "$T/log" 1 'is written again' 10 || fail "no resume: $(tail -5 "$T/log")"
wait_lines "$T/log" $((before + 5)) committed 10 || fail "no samples after space returned"
grep 'is written again' "$T/log"
kill -TERM $pid
wait $pid; rc=$?
[ $rc = 0 ] || fail "exit $rc after SIGTERM"
ic=$(q "$db" 'PRAGMA integrity_check')
[ "$ic" = ok ] || fail "integrity_check: $ic"
have=$(q "$db" 'select count(*) from sample')
committed=$(grep -c committed "$T/log")
[ "$have" -ge "$committed" ] || fail "$have samples stored, $committed committed"
echo "full disk: $committed samples committed, $have stored, integrity ok"
