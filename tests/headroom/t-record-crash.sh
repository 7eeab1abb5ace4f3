#!/bin/bash
# Crash safety: kill -9 the recorder 15 times while it writes 10 samples a
# second, at moments spread over its 100 ms cycle: each round waits for the
# recorder to report 1 to 3 commits, then kills it 0 to 95 ms later (a
# fixed schedule, so a failure reproduces; waiting for the commits rather
# than for a time keeps it meaningful on a slow or busy machine). After every kill the database passes
# PRAGMA integrity_check and holds at least every sample the recorder
# reported as committed; the lock dies with the process, so the next run
# starts at once.
. "$SRC_DIR/tests/headroom/lib.sh"
db="$T/crash.db"
committed=0
offsets=(0 0.005 0.01 0.02 0.03 0.04 0.05 0.06 0.07 0.08 0.09 0.095 0.015 0.035 0.065)
for round in $(seq 1 15); do
	"$HR" record --db "$db" --interval 0.1 --foreground --verbose 2>"$T/log.$round" &
	pid=$!
	wait_lines "$T/log.$round" $((round % 3 + 1)) committed 60 ||
		fail "round $round: the recorder reported no commit in 60 s: $(cat "$T/log.$round")"
	sleep "${offsets[round - 1]}"
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
[ "$committed" -ge 30 ] || fail "too few samples written to prove anything ($committed)"
