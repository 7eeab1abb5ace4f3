#!/bin/bash
# The present, from one place: every command that defaults to "now" or
# "today" takes it from hr_time_now(), which the test-only HEADROOM_NOW moves
# (headroom(1)). Checked here: a bad value is a usage error; report's
# default day, "yesterday", advise's "up to now" and the last 24 hours of
# graph and the HTML page (narrowed to the samples in them) follow the
# pinned clock
# in both spellings; without the knob the default day is the real one
# (computed here from date(1)); the recorder's sample times and its
# retention follow the knob too, and its clock runs on (samples keep their
# interval). TZ=Europe/Berlin, LC_ALL=C.
. "$SRC_DIR/tests/headroom/lib.sh"
export TZ=Europe/Berlin LC_ALL=C
[ -e /usr/share/zoneinfo/Europe/Berlin ] || skip "no tzdata for Europe/Berlin"
MK="$BUILD_DIR/tests/headroom/hr-mkfixture"
"$MK" busy "$T/busy.db" || fail "hr-mkfixture busy"
unset HEADROOM_NOW

# --- a bad value: exit 2, one line naming the variable -----------------------
for v in bogus 2026-11-28 "2026-11-28 25:00:00" @ @12x @-5 "@99999999999999"; do
	HEADROOM_NOW=$v expect_error 2 "$HR" report --db "$T/busy.db"
	msg=$(HEADROOM_NOW=$v "$HR" report --db "$T/busy.db" 2>&1)
	case $msg in "headroom: bad HEADROOM_NOW '$v': "*) ;; *) fail "bad HEADROOM_NOW '$v': $msg" ;; esac
done
# empty is unset
HEADROOM_NOW= "$HR" report --db "$T/busy.db" --from 2026-11-28 -u >/dev/null || fail "empty HEADROOM_NOW refused"

# --- report: the default day is the pinned day, in both spellings ------------
"$HR" report --db "$T/busy.db" --from 2026-11-28 --to 2026-11-28 -u >"$T/explicit.txt" || fail "report 2026-11-28"
HEADROOM_NOW="2026-11-28 18:00:00" "$HR" report --db "$T/busy.db" -u >"$T/local.txt" || fail "report, clock pinned locally"
HEADROOM_NOW=@1795885200 "$HR" report --db "$T/busy.db" -u >"$T/epoch.txt" || fail "report, clock pinned in Unix time"
diff -u "$T/explicit.txt" "$T/local.txt" || fail "the default day is not the pinned day"
diff -u "$T/explicit.txt" "$T/epoch.txt" || fail "@SECONDS differs from the same local time"
HEADROOM_NOW="2026-11-29 10:00:00" "$HR" report --db "$T/busy.db" --from yesterday --to yesterday -u >"$T/yday.txt" ||
	fail "report --from yesterday"
diff -u "$T/explicit.txt" "$T/yday.txt" || fail "'yesterday' is not the day before the pinned clock"
# moments before the present: -3h and "3 hours ago" are 15:00 of the pinned day
HEADROOM_NOW="2026-11-28 18:00:00" "$HR" report --db "$T/busy.db" --from "2026-11-28 15:00" -u >"$T/abs.txt" || fail "report from 15:00"
for rel in -3h -180m "3 hours ago" "180 minutes ago" -10800; do
	HEADROOM_NOW="2026-11-28 18:00:00" "$HR" report --db "$T/busy.db" --from "$rel" -u >"$T/rel.txt" ||
		fail "report --from '$rel'"
	diff -u "$T/abs.txt" "$T/rel.txt" || fail "--from '$rel' is not 3 hours before the pinned clock"
done
out=$(HEADROOM_NOW="2026-11-30 12:00:00" "$HR" report --db "$T/busy.db" 2>&1); rc=$?
[ $rc = 5 ] && [ "$out" = "headroom: no data between 2026-11-30 00:00:00 CET and 2026-11-30 23:59:59 CET in '$T/busy.db'" ] ||
	fail "a pinned day without data: exit $rc: $out"
echo "ok: report follows HEADROOM_NOW"

# --- advise: everything up to the pinned moment ------------------------------
: >"$T/none.conf"
HEADROOM_NOW="2026-11-28 10:00:00" "$HR" advise -c "$T/none.conf" --db "$T/busy.db" >"$T/adv.txt"
grep -qx "range everything recorded up to 2026-11-28 10:00:00 CET" "$T/adv.txt" ||
	fail "advise range: $(sed -n 2p "$T/adv.txt")"
grep -q "^data  2026-11-28 00:00:00 CET - 2026-11-28 10:00:00 CET, 600 samples" "$T/adv.txt" ||
	fail "advise read past the pinned clock: $(sed -n 3p "$T/adv.txt")"
echo "ok: advise stops at HEADROOM_NOW"

# --- graph and the HTML page: the last 24 hours before the pinned moment,
# narrowed to the samples in them --------------------------------------------
"$MK" idle "$T/idle.db" || fail "hr-mkfixture idle"
export HEADROOM_NOW="2026-11-28 18:00:00"
"$HR" graph --db "$T/idle.db" --panel cpu -o "$T/day.svg" || fail "graph, clock pinned"
grep -q "2026-11-27 18:00 CET  to  2026-11-28 18:00 CET" "$T/day.svg" ||
	fail "graph's default range is not the 24 hours before the pinned clock: $(grep -o 'fixture[^<]*' "$T/day.svg")"
"$HR" report --db "$T/idle.db" --html "$T/day.html" || fail "report --html, clock pinned"
grep -q "<dt>from</dt><dd>2026-11-27 18:00 CET</dd><dt>to</dt><dd>2026-11-28 18:00 CET</dd>" "$T/day.html" ||
	fail "the HTML page's default range is not the 24 hours before the pinned clock"
# busy.db starts at 2026-11-28 00:00: the charts start there, not at an empty evening
"$HR" graph --db "$T/busy.db" --panel cpu -o "$T/fit.svg" || fail "graph of busy.db, clock pinned"
grep -q "2026-11-28 00:00 CET  to  2026-11-28 18:00 CET" "$T/fit.svg" ||
	fail "graph's default range is not narrowed to the data: $(grep -o 'fixture[^<]*' "$T/fit.svg")"
"$HR" report --db "$T/busy.db" --html "$T/fit.html" || fail "report --html of busy.db, clock pinned"
grep -q "<dt>from</dt><dd>2026-11-28 00:00 CET</dd><dt>to</dt><dd>2026-11-28 18:00 CET</dd>" "$T/fit.html" ||
	fail "the HTML page's default range is not narrowed to the data"
unset HEADROOM_NOW
echo "ok: graph and --html follow HEADROOM_NOW, narrowed to the data"

# --- the real clock when the knob is unset: today as date(1) says ------------
d0=$(date +%F)
out=$("$HR" report --db "$T/busy.db" 2>&1); rc=$?
d1=$(date +%F)
ok=
for d in "$d0" "$d1"; do
	z0=$(date -d "$d 00:00:00" +%Z) z1=$(date -d "$d 23:59:59" +%Z)	# they differ on DST days
	[ "$out" = "headroom: no data between $d 00:00:00 $z0 and $d 23:59:59 $z1 in '$T/busy.db'" ] && ok=1
done
# (the fixture's own day can only be today when the machine's clock says 2026-11-28)
[ "$d0" = 2026-11-28 ] && [ $rc = 0 ] && ok=1
[ -n "$ok" ] && { [ $rc = 5 ] || [ "$d0" = 2026-11-28 ]; } || fail "real clock: today is $d0, report said (exit $rc): $out"
echo "ok: without HEADROOM_NOW the default day is today ($d0)"

# --- the recorder: sample times and retention --------------------------------
db="$T/rec.db"
printf 'INTERVAL=0.2\nHISTORY=7\n' >"$T/rec.conf"
HEADROOM_NOW="2026-11-20 12:00:00" "$HR" record -c "$T/rec.conf" --db "$db" --count 3 || fail "record on 2026-11-20"
ts=$(q "$db" "SELECT group_concat(ts, ' ') FROM (SELECT ts FROM sample ORDER BY ts)")
set -- $ts
[ $# = 3 ] || fail "3 samples expected, got: $ts"
# the clock starts at the pinned moment and runs: sample k sits on the grid
# of 0.2 s ticks after the start or later (a busy machine delays ticks, never
# advances them; 1 ms for the truncation to whole ms), and within a minute
k=1
for t in "$@"; do
	[ "$t" -ge $((1795172400000 + k * 200 - 1)) ] && [ "$t" -le 1795172460000 ] ||
		fail "sample $k at $t: expected 2026-11-20 12:00:00 (1795172400000) + $k x 200 ms or later: $ts"
	k=$((k + 1))
done
# eight days later: ROLLUP_AFTER=30 keeps them raw, ROLLUP_AFTER=7 rolls them
# up into one 5-minute bucket, HISTORY=7 expires them
old="SELECT count(*) FROM sample WHERE ts < 1795258800000"	# before 2026-11-21 12:00
printf 'INTERVAL=0.2\nHISTORY=31\nROLLUP_AFTER=30\n' >"$T/keep.conf"
printf 'INTERVAL=0.2\nHISTORY=31\nROLLUP_AFTER=7\n' >"$T/roll.conf"
export HEADROOM_NOW="2026-11-28 12:00:00"
"$HR" record -c "$T/keep.conf" --db "$db" --count 1 || fail "record on 2026-11-28 (ROLLUP_AFTER=30)"
[ "$(q "$db" "$old AND level = 0")" = 3 ] || fail "ROLLUP_AFTER=30 changed samples of 8 days ago"
"$HR" record -c "$T/roll.conf" --db "$db" --count 1 || fail "record on 2026-11-28 (ROLLUP_AFTER=7)"
[ "$(q "$db" "$old AND level = 0")" = 0 ] && [ "$(q "$db" "$old AND level > 0")" = 1 ] ||
	fail "ROLLUP_AFTER=7 did not roll up the samples of 8 days ago: $(q "$db" "SELECT ts, level FROM sample")"
"$HR" record -c "$T/rec.conf" --db "$db" --count 1 || fail "record on 2026-11-28 (HISTORY=7)"
[ "$(q "$db" "$old")" = 0 ] || fail "HISTORY=7 kept samples of 8 days ago"
[ "$(q "$db" "SELECT count(*) FROM sample")" = 3 ] || fail "the three samples of 2026-11-28 expected"
unset HEADROOM_NOW
echo "ok: the recorder's samples and retention follow HEADROOM_NOW"
echo "clock passed"
