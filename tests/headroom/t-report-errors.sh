#!/bin/bash
# headroom report: every kind of bad input gets one lowercase line
# "headroom: ..." on stderr and its documented exit code (2 usage, 1 cannot
# open, 3 database refused, 5 no data in the range); nothing on stdout.
. "$SRC_DIR/tests/headroom/lib.sh"
export TZ=Europe/Berlin LC_ALL=C
pin_clock
MK="$BUILD_DIR/tests/headroom/hr-mkfixture"
"$MK" busy "$T/busy.db" || fail "hr-mkfixture"
"$MK" empty "$T/empty.db" || fail "hr-mkfixture"
db=(--db "$T/busy.db" --from 2026-11-28)

"$HR" report --help | grep -q -- '--from' || fail "report --help"
"$HR" --help | grep -q 'report' || fail "report missing from headroom --help"

# usage errors: exit 2
expect_error 2 "$HR" report "${db[@]}" -x
expect_error 2 "$HR" report "${db[@]}" -uZ
expect_error 2 "$HR" report "${db[@]}" --bogus
expect_error 2 "$HR" report "${db[@]}" -n FOO
expect_error 2 "$HR" report "${db[@]}" -n DEV,
expect_error 2 "$HR" report "${db[@]}" -n
expect_error 2 "$HR" report "${db[@]}" -P x
expect_error 2 "$HR" report "${db[@]}" -P -1
expect_error 2 "$HR" report "${db[@]}" -q nonsense
expect_error 2 "$HR" report "${db[@]}" --top=0
expect_error 2 "$HR" report "${db[@]}" -i 0
expect_error 2 "$HR" report "${db[@]}" -i 2d
expect_error 2 "$HR" report "${db[@]}" -i 1.5
expect_error 2 "$HR" report "${db[@]}" --format xml
expect_error 2 "$HR" report --db "$T/busy.db" --from 2026-13-01
expect_error 2 "$HR" report --db "$T/busy.db" --from 2026-02-30
expect_error 2 "$HR" report --db "$T/busy.db" --from "2026-11-28 25:00"
expect_error 2 "$HR" report --db "$T/busy.db" --to 28.11.2026
expect_error 2 "$HR" report "${db[@]}" -s 7
expect_error 2 "$HR" report "${db[@]}" -e 10:61
# inverted ranges
expect_error 2 "$HR" report --db "$T/busy.db" --from 2026-11-28 --to 2026-11-27
"$HR" report --db "$T/busy.db" --from 2026-11-28 --to 2026-11-27 2>&1 |
	grep -q "inverted range: --from 2026-11-28 00:00:00 CET is after --to 2026-11-27 23:59:59 CET" ||
	fail "inverted range message"
expect_error 2 "$HR" report --db "$T/busy.db" --from "2026-11-28 12:00" --to "2026-11-28 11:59"
expect_error 2 "$HR" report "${db[@]}" -s 12:00 -e 11:00
# database problems
expect_error 1 "$HR" report --db "$T/missing.db" --from 2026-11-28
"$HR" report --db "$T/missing.db" 2>&1 | grep -q "cannot open database '$T/missing.db': no such file" ||
	fail "missing database message"
[ ! -e "$T/missing.db" ] || fail "report created the database"
mkdir "$T/dir.db"
expect_error 1 "$HR" report --db "$T/dir.db" --from 2026-11-28
if [ "$(id -u)" -ne 0 ]; then
	cp "$T/busy.db" "$T/noread.db"; chmod 000 "$T/noread.db"
	expect_error 1 "$HR" report --db "$T/noread.db" --from 2026-11-28
fi
head -c 10000 /dev/urandom > "$T/junk.db"
expect_error 3 "$HR" report --db "$T/junk.db" --from 2026-11-28
cp "$T/busy.db" "$T/newer.db"; q "$T/newer.db" 'PRAGMA user_version=42' >/dev/null
expect_error 3 "$HR" report --db "$T/newer.db" --from 2026-11-28
"$HR" report --db "$T/newer.db" 2>&1 | grep -q "newer" || fail "newer schema message"
# no data in the range: exit 5
expect_error 5 "$HR" report --db "$T/busy.db" --from 2026-01-01 --to 2026-01-02
expect_error 5 "$HR" report --db "$T/busy.db" --from 2026-11-28 -s 00:00:01 -e 00:00:59
expect_error 5 "$HR" report --db "$T/empty.db" --from 2026-11-28
: > "$T/zero.db"
expect_error 5 "$HR" report --db "$T/zero.db" --from 2026-11-28
# a CPU the machine does not have (busy: 2 CPUs)
expect_error 2 "$HR" report --db "$T/busy.db" --from 2026-11-28 -P 2
"$HR" report --db "$T/busy.db" --from 2026-11-28 -P 99 2>&1 | grep -q "no CPU 99 on 'fixture': it has 2 CPUs (0-1)" ||
	fail "-P 99: message"
# the charts and pages never overwrite the database they read
sum=$(md5sum <"$T/busy.db")
expect_error 2 "$HR" report --db "$T/busy.db" --from 2026-11-28 --html "$T/busy.db"
expect_error 2 "$HR" report --db "$T/busy.db" --from 2026-11-28 --pdf "$T/busy.db"
ln -s busy.db "$T/busy-link.pdf"
expect_error 2 "$HR" report --db "$T/busy.db" --from 2026-11-28 --pdf "$T/busy-link.pdf"
cp "$T/busy.db" "$T/db.svg"
sum2=$(md5sum <"$T/db.svg")
expect_error 2 "$HR" graph --db "$T/db.svg" --from 2026-11-28 -o "$T/db.svg"
[ "$(md5sum <"$T/busy.db")" = "$sum" ] && [ "$(md5sum <"$T/db.svg")" = "$sum2" ] ||
	fail "a refused output changed the database"
# an output that cannot be written: one lowercase line, exit 1
expect_error 1 "$HR" report --db "$T/busy.db" --from 2026-11-28 --html "$T/no/such/dir/r.html"
# nothing on stdout for an error
[ -z "$("$HR" report --db "$T/busy.db" --from 2026-01-01 --to 2026-01-02 2>/dev/null)" ] || fail "stdout on error"
# and the good cases exit 0
"$HR" report "${db[@]}" -q CPU,IO -n ALL -F MOUNT >/dev/null || fail "keywords"
"$HR" report "${db[@]}" -uq -P 0,1 -i 10m --top >/dev/null || fail "combined flags"
"$HR" report "${db[@]}" --to "2026-11-28 10:00" >/dev/null || fail "--from + --to time"
out=$("$HR" report --db "$T/busy.db" --to "2026-11-28 00:05" -w) || fail "--to alone"
[ "$(echo "$out" | grep -c '^00:0[1-5]:00 .*[0-9]\.[0-9][0-9]')" = 5 ] || fail "--to alone: rows 00:01..00:05 expected: $out"
echo "report error handling passed"
