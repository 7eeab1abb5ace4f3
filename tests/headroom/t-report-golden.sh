#!/bin/bash
# headroom report against deterministic fixture databases (built by
# hr-mkfixture through hr_store, so with the recorder's real schema):
# an idle machine over three days (two rolled up), CPU pegged for hours,
# both DST changes of 2026 in Europe/Berlin across midnight, a reboot
# (into more CPUs) in the night of the autumn DST change, an empty
# database. Text, CSV and JSON are compared with diff -u against
# tests/headroom/golden/. Run with TZ=Europe/Berlin and LC_ALL=C.
#
# Goldens are only ever written on request:
#   UPDATE_GOLDEN=1 TESTS=report-golden tests/run-tests.sh build
# A missing or different golden fails the test; it is never created or
# rewritten by a normal run (checked below).
. "$SRC_DIR/tests/headroom/lib.sh"
export TZ=Europe/Berlin LC_ALL=C
pin_clock
MK="$BUILD_DIR/tests/headroom/hr-mkfixture"
GOLDEN_DIR=${GOLDEN_DIR:-$SRC_DIR/tests/headroom/golden}
[ -x "$MK" ] || fail "no fixture generator at $MK"
[ -e /usr/share/zoneinfo/Europe/Berlin ] || skip "no tzdata for Europe/Berlin"

for sc in idle busy dst reboot empty; do
	"$MK" "$sc" "$T/$sc.db" || fail "hr-mkfixture $sc"
done

# check NAME EXT ARGS...: run the report, compare with golden/NAME.EXT
status=0
check() {
	local name=$1 ext=$2; shift 2
	local fmt=text out="$T/$name.$ext" gold="$GOLDEN_DIR/$name.$ext" rc
	case $ext in csv) fmt=csv ;; json) fmt=json ;; esac
	"$HR" report --format "$fmt" "$@" >"$out" 2>"$T/stderr"; rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $name.$ext: exit $rc: $(cat "$T/stderr")"; status=1; return
	fi
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$gold"; echo "updated $gold"; return
	fi
	if [ ! -f "$gold" ]; then
		echo "FAIL: $name.$ext: no golden $gold (create it with UPDATE_GOLDEN=1)"
		status=1; return
	fi
	if diff -u "$gold" "$out"; then echo "ok: $name.$ext"; else status=1; fi
}

run_all() {
	local i=$T/idle.db b=$T/busy.db d=$T/dst.db
	# three days, two of them 5-minute roll-ups: date lines, mixed levels
	for e in txt csv json; do check idle-u-6h $e --db "$i" --from 2026-11-26 --to 2026-11-28 -i 6h -u; done
	check idle-r-S-W-4h txt --db "$i" --from 2026-11-27 -i 4h -r -S -W
	# every activity, raw samples, a time-of-day window
	check idle-A-window txt --db "$i" --from 2026-11-28 -s 12:00 -e 12:02 -A
	# CPU pegged 09:00-13:00
	for e in txt csv json; do check busy-uP-1h $e --db "$b" --from 2026-11-28 -i 1h -u -P ALL; done
	check busy-uALL-2h txt --db "$b" --from 2026-11-28 -i 2h -u ALL -P ALL
	check busy-P1-samples txt --db "$b" --from 2026-11-28 -s 08:58 -e 09:03 -P 1
	check busy-q-w-B-b-2h txt --db "$b" --from 2026-11-28 -i 2h -q -w -B -b
	for e in txt csv; do check busy-d-n-3h $e --db "$b" --from 2026-11-28 -i 3h -d -n DEV,EDEV,SOCK,SOCK6,TCP,ETCP,UDP; done
	for e in txt json; do check busy-top-1h $e --db "$b" --from 2026-11-28 -s 08:00 -e 14:00 -i 1h --top=3; done
	check busy-psi-F-6h txt --db "$b" --from 2026-11-28 -i 6h --psi -F
	check busy-F-mount txt --db "$b" --from 2026-11-28 -i 1d -F MOUNT
	# DST: autumn (02:00-03:00 twice), spring (no 02:00), across midnight
	for e in txt csv json; do check dst-fall-1h $e --db "$d" --from "2026-10-24 22:00" --to "2026-10-25 06:00" -i 1h -u; done
	check dst-fall-samples txt --db "$d" --from 2026-10-25 -s 01:50 -e 03:10 -q
	check dst-spring-30m txt --db "$d" --from 2026-03-28 --to 2026-03-29 -i 30m -w
	check dst-days txt --db "$d" --from 2026-03-28 --to 2026-03-29 -i 1d -u -r
	# a reboot at 01:25 CEST (2 -> 4 CPUs), then the DST change: sar's
	# "LINUX RESTART" line in every table, per sample and in buckets
	local rb=$T/reboot.db
	for e in txt csv json; do check reboot-samples $e --db "$rb" --from "2026-10-25 00:55" --to "2026-10-25 01:35" -u -q; done
	check reboot-P-1h txt --db "$rb" --from 2026-10-24 --to 2026-10-25 -i 1h -P ALL
	check reboot-window txt --db "$rb" --from 2026-10-24 --to 2026-10-25 -s 01:00 -e 01:30 -i 10m -r
	check reboot-outside txt --db "$rb" --from 2026-10-25 --to 2026-10-25 -s 02:00 -i 1h -w
}

sums_before=$(cd "$GOLDEN_DIR" && md5sum ./* 2>/dev/null)
run_all
if [ "${UPDATE_GOLDEN:-}" != 1 ]; then
	[ "$(cd "$GOLDEN_DIR" && md5sum ./* 2>/dev/null)" = "$sums_before" ] ||
		fail "a normal run changed tests/headroom/golden/"
fi
[ $status -eq 0 ] || fail "report output differs from the goldens (see diff above)"

# Tables in buckets are read ahead by a second thread; one that outgrows the
# read-ahead limit is handed back and run in order: same output either way.
HEADROOM_PREFETCH_ROWS=5 "$HR" report --db "$T/busy.db" --from 2026-11-28 -i 3h -d -n DEV,EDEV,SOCK,SOCK6,TCP,ETCP,UDP >"$T/handback.txt" ||
	fail "report with tables handed back"
diff -u "$GOLDEN_DIR/busy-d-n-3h.txt" "$T/handback.txt" || fail "tables handed back by the read-ahead differ from the golden"

# The reboot survives the roll-ups (a bucket belongs to the newest boot of
# its samples): one restart line, with the new boot's CPU count.
"$MK" reboot-rolled "$T/reboot-rolled.db" || fail "hr-mkfixture reboot-rolled"
"$HR" report --db "$T/reboot-rolled.db" --from 2026-10-24 --to 2026-10-25 -i 1h -u >"$T/rolled.txt" ||
	fail "report over the rolled-up reboot"
[ "$(grep -c "LINUX RESTART" "$T/rolled.txt")" = 1 ] && grep -q "^01:25:00 .*LINUX RESTART.(4 CPU)" "$T/rolled.txt" ||
	fail "rolled-up reboot: expected one restart line at 01:25:00 with 4 CPUs: $(grep RESTART "$T/rolled.txt")"

# The empty database: no data, exit 5, one line.
expect_error 5 "$HR" report --db "$T/empty.db" --from 2026-11-28
"$HR" report --db "$T/empty.db" --from 2026-11-28 2>&1 | grep -q "no data between 2026-11-28 00:00:00 CET and 2026-11-28 23:59:59 CET" ||
	fail "no-data message"

# Regeneration is explicit: against a golden directory with one changed
# file and one missing, a normal run fails and leaves both as they were.
if [ "${UPDATE_GOLDEN:-}" != 1 ] && [ -z "${GOLDEN_SELFTEST:-}" ]; then
	mkdir "$T/g"; cp "$GOLDEN_DIR"/* "$T/g/"
	sed -i 's/all/ALL/' "$T/g/dst-fall-1h.txt"; rm "$T/g/busy-top-1h.json"
	sum=$(cd "$T/g" && md5sum ./*)
	GOLDEN_SELFTEST=1 GOLDEN_DIR="$T/g" T="$T/self" bash -c 'mkdir -p "$T"; TEST_TMP="$T" . "$0"' \
		"$SRC_DIR/tests/headroom/t-report-golden.sh" >"$T/self.log" 2>&1 &&
		fail "a changed golden was accepted"
	grep -q "no golden .*busy-top-1h.json (create it with UPDATE_GOLDEN=1)" "$T/self.log" || fail "missing golden not reported"
	[ "$(cd "$T/g" && md5sum ./*)" = "$sum" ] || fail "a normal run rewrote goldens"
	[ ! -e "$T/g/busy-top-1h.json" ] || fail "a normal run created a golden"
	echo "ok: goldens are only written with UPDATE_GOLDEN=1"
fi
echo "report goldens passed"
