#!/bin/bash
# t-signals.sh - SIGTERM, SIGINT and SIGHUP stop the daemon cleanly: it exits
# 0, the mount goes away, and everything written before the signal is there
# after a remount, including a file still open when the signal came (its
# header, which records the size, is written at the stop) and one written but
# never fsync'ed. fsck finds the volume clean.
. "$(dirname "$0")/lib.sh"
need_fuse

C=$T/c M=$T/m
sfs_init "$C"
for sig in TERM INT HUP; do
	step "SIG$sig with a file open for writing"
	sfs_mount_fg "$C" "$M" "$T/daemon.$sig.log"
	pid=$SFS_FG_PID
	head -c 100000 /dev/urandom >"$T/ref.$sig"
	cp "$T/ref.$sig" "$M/closed.$sig"
	exec 7>"$M/open.$sig"
	head -c 50000 "$T/ref.$sig" >&7
	kill -"$sig" "$pid"
	wait_gone "$pid"
	rc=$?
	exec 7>&-
	[ "$rc" = 0 ] || fail "the daemon exited $rc after SIG$sig: $(tail -n 3 "$T/daemon.$sig.log")"
	grep -qE 'Sanitizer|runtime error:' "$T/daemon.$sig.log" && fail "sanitizer report: $(head -n 20 "$T/daemon.$sig.log")"
	is_mounted "$M" && fail "still mounted after SIG$sig"
	sfs_mount "$C" "$M"
	cmp -s "$M/closed.$sig" "$T/ref.$sig" || fail "a closed file differs after SIG$sig"
	cmp -s "$M/open.$sig" <(head -c 50000 "$T/ref.$sig") ||
		fail "a file open at SIG$sig reads $(stat -c %s "$M/open.$sig") bytes, not the 50000 written"
	sfs_umount "$M"
done

step "fsck: clean"
printf '%s\n' "$PW" | "$SEALFS" fsck -S "$C" >"$T/fsck.out" 2>&1 || fail "fsck: $(tail -n 5 "$T/fsck.out")"
echo "signals ok"
