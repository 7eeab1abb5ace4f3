#!/bin/bash
# headroom import of a sysstat file the real sadc wrote under a known load
# (one core kept busy): the averages of every activity both have equal
# sar -f's on the same file to the printed precision; importing twice
# changes nothing; compressed rotations import the same samples; samples
# overlapping recorded ones are skipped and counted; a RESTART record
# becomes a reboot; a file that is not sysstat's is refused in one line.
. "$SRC_DIR/tests/headroom/lib.sh"
SADC=/usr/lib/sysstat/sadc
[ -x "$SADC" ] || skip "sysstat is not installed"
need sar
need sadf
need python3
export LC_ALL=C S_TIME_FORMAT=ISO TZ=UTC

# the known load: one core busy for the whole recording
sa="$T/sa$(date +%d)"
timeout 9 sh -c 'while :; do :; done' &
burner=$!
"$SADC" -S XALL 2 4 "$sa" || fail "sadc exited $?"
kill "$burner" 2>/dev/null; wait "$burner" 2>/dev/null
acts=(-u ALL -q -r -S -W -B -d -n DEV,EDEV,SOCK,SOCK6,TCP,ETCP,UDP -w)
day=$(sadf -d "$sa" -- -u | awk -F';' 'NR == 2 { print substr($3, 1, 10) }')
[ -n "$day" ] || fail "sadf -d printed no sample"

db="$T/imp.db"
out=$("$HR" import --db "$db" "$sa") || fail "import exited $?"
echo "$out"
[[ $out == *" 3 samples imported into $db; skipped 0 already there, 0 overlapping"* ]] ||
	fail "first import: $out"
[ "$(q "$db" 'SELECT count(*) FROM sample WHERE source = 1')" = 3 ] || fail "3 imported samples"
[ "$(q "$db" 'PRAGMA user_version')" = 2 ] || fail "schema version"

# the same averages as sar, activity by activity
sar "${acts[@]}" -f "$sa" >"$T/sar.txt" || fail "sar -f"
"$HR" report --db "$db" --from "$day" --to "$day" "${acts[@]}" >"$T/hr.txt" || fail "report"
python3 "$SRC_DIR/tests/headroom/sarcmp.py" "$T/sar.txt" "$T/hr.txt" >"$T/cmp.txt" || {
	grep -v "^ok" "$T/cmp.txt"
	fail "averages differ from sar -f"; }
cat "$T/cmp.txt"
# the load shows: one core of the machine busy is at least a third of all of it
busy=$(awk '$1 == "Average:" && $2 == "all" { print 100 - $NF; exit }' "$T/hr.txt")
awk -v b="$busy" 'BEGIN { exit !(b >= 33) }' || fail "the busy core does not show: $busy% busy"
# per core: every core sar has, near its average (sar weights cores by their ticks)
"$HR" report --db "$db" --from "$day" --to "$day" -P ALL >"$T/hr-p.txt" || fail "report -P ALL"
sar -P ALL -f "$sa" >"$T/sar-p.txt"
for c in $(awk '$1 == "Average:" && $2 ~ /^[0-9]+$/ { print $2 }' "$T/sar-p.txt"); do
	a=$(awk -v c="$c" '$1 == "Average:" && $2 == c { print $3 }' "$T/sar-p.txt")
	b=$(awk -v c="$c" '$1 == "Average:" && $2 == c { print $3 }' "$T/hr-p.txt")
	awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(b != "" && d < 0.5 && d > -0.5) }' ||
		fail "cpu $c %user: sar $a, headroom $b"
done
# what sysstat lacks is absent, not zero: no process rows, and reports say so
[ "$(q "$db" 'SELECT count(*) FROM proc')" = 0 ] || fail "processes invented"
"$HR" report --db "$db" --from "$day" --to "$day" --top 2>"$T/top.err" >/dev/null || fail "report --top"
grep -q '3 of the 3 samples in the range were imported from sysstat' "$T/top.err" ||
	fail "report --top does not say the processes are missing: $(cat "$T/top.err")"
"$HR" report --db "$db" --from "$day" --to "$day" --html "$T/imp.html" || fail "report --html"
grep -q '3 samples of this range were imported from sysstat' "$T/imp.html" ||
	fail "the page does not say the processes are missing"

# twice: nothing changes
sum() { q "$db" "SELECT count(*), total(ts), (SELECT total(user) FROM cpu), (SELECT total(free_kb) FROM mem), (SELECT count(*) FROM disk) FROM sample"; }
before=$(sum)
out=$("$HR" import --db "$db" "$sa") || fail "second import exited $?"
[[ $out == *" 0 samples imported into $db; skipped 3 already there"* ]] || fail "second import: $out"
[ "$(sum)" = "$before" ] || fail "the second import changed the database"

# compressed rotations: the same samples
for z in gzip xz zstd bzip2; do
	command -v $z >/dev/null || continue
	ext=$(case $z in gzip) echo gz ;; xz) echo xz ;; zstd) echo zst ;; bzip2) echo bz2 ;; esac)
	$z -c "$sa" >"$sa.$ext" 2>/dev/null || fail "$z"
	zdb="$T/z-$ext.db"
	"$HR" import --db "$zdb" "$sa.$ext" >/dev/null || fail "import .$ext"
	[ "$(db=$zdb sum)" = "$before" ] || [ "$(q "$zdb" 'SELECT count(*), total(ts) FROM sample')" = \
		"$(q "$db" 'SELECT count(*), total(ts) FROM sample')" ] || fail ".$ext gave other samples"
	"$HR" report --db "$zdb" --from "$day" --to "$day" -r >"$T/z.txt" &&
		"$HR" report --db "$db" --from "$day" --to "$day" -r | diff - "$T/z.txt" >/dev/null ||
		fail ".$ext: another memory report"
done

# recorded samples win: record while sadc writes, then import
rdb="$T/rec.db"; sa2="$T/sa-rec"
"$SADC" -S XALL 1 4 "$sa2" &
sadc_pid=$!
"$HR" record --db "$rdb" --interval 1 --count 4 2>/dev/null || fail "record exited $?"
wait "$sadc_pid" || fail "sadc (2) exited $?"
nrec=$(q "$rdb" 'SELECT count(*) FROM sample')
out=$("$HR" import --db "$rdb" "$sa2") || fail "import over recorded exited $?"
echo "$out"
skipped=$(echo "$out" | sed -n 's/.*already there, \([0-9]*\) overlapping.*/\1/p')
[ "${skipped:-0}" -ge 2 ] || fail "expected overlapping samples skipped: $out"
[ "$(q "$rdb" 'SELECT count(*) FROM sample WHERE source = 0')" = "$nrec" ] || fail "recorded samples lost"

# a RESTART record (sadc run without an interval) is a reboot
cp "$sa" "$T/sa-boot"; "$SADC" "$T/sa-boot"; "$SADC" -S XALL 1 2 "$T/sa-boot"
bdb="$T/boot.db"
out=$("$HR" import --db "$bdb" "$T/sa-boot") || fail "import with a restart"
[[ $out == *"; 1 reboot" ]] || fail "restart not counted: $out"
[ "$(q "$bdb" 'SELECT count(*) FROM boot')" = 2 ] || fail "expected two boots"
"$HR" report --db "$bdb" --from "$day" --to "$(date -u +%F)" | grep -q 'LINUX RESTART' ||
	fail "report shows no restart"

# another host's file goes to that host's database beside this one
"$HR" import --db "$T/loc.db" --host web1 "$sa" >/dev/null || fail "import --host"
[ "$(q "$T/hosts/web1.db" 'SELECT count(*) FROM sample')" = 3 ] || fail "hosts/web1.db"
"$HR" report --db "$T/loc.db" --host web1 --from "$day" --to "$day" -u | grep -q '^Average: *all' ||
	fail "report --host web1"

# refused input: one line, exit 6, nothing written
expect_error 6 "$HR" import --db "$T/bad.db" /etc/hostname
expect_error 6 "$HR" import --db "$T/bad.db" "$T/no-such-file"
printf 'garbage' | gzip >"$T/junk.gz"
expect_error 6 "$HR" import --db "$T/bad.db" "$T/junk.gz"
[ ! -e "$T/bad.db" ] || [ "$(q "$T/bad.db" 'SELECT count(*) FROM sample')" = 0 ] || fail "bad.db written"
expect_error 2 "$HR" import --db "$T/bad.db"
echo "import passed"
