#!/bin/bash
# Crash safety: kill -9 the recorder at random moments, many times, while
# it writes 10 samples a second. After every kill the database passes
# PRAGMA integrity_check and holds at least every sample the recorder
# reported as committed; the lock dies with the process, so the next run
# starts at once.
. "$SRC_DIR/tests/headroom/lib.sh"
db="$T/crash.db"
committed=0
for round in $(seq 1 15); do
	"$HR" record --db "$db" --interval 0.1 --foreground --verbose 2>"$T/log.$round" &
	pid=$!
	# 0.3 .. 1.2 s: before, during and between commits
	sleep "0.$((RANDOM % 9 + 3))"
	kill -9 $pid
	wait $pid 2>/dev/null
	grep -q 'already being recorded' "$T/log.$round" && fail "round $round: lock survived kill -9"
	n=$(grep -c 'committed' "$T/log.$round")
	committed=$((committed + n))
	ic=$(q "$db" 'PRAGMA integrity_check')
	[ "$ic" = ok ] || fail "round $round: integrity_check: $ic"
	have=$(q "$db" 'select count(*) from sample')
	[ "$have" -ge "$committed" ] || fail "round $round: $have samples stored, $committed reported committed"
	# Every stored sample is whole: it has its cpu and mem rows.
	partial=$(q "$db" 'select count(*) from sample where id not in (select sample from mem) or id not in (select sample from cpu)')
	[ "$partial" = 0 ] || fail "round $round: $partial partial samples"
done
echo "15 kills: $committed samples reported, $(q "$db" 'select count(*) from sample') stored, integrity ok"
[ "$committed" -gt 15 ] || fail "too few samples written to prove anything ($committed)"
