#!/bin/bash
# headroom record: options, config file, exit codes and one-line messages;
# refusing newer and foreign databases untouched; one recorder per
# database; SIGHUP reload; SIGTERM finishes cleanly; a deleted database is
# started anew. Runs the real binary on real files.
. "$SRC_DIR/tests/headroom/lib.sh"

"$HR" --help | grep -q '^usage: headroom' || fail "--help"
"$HR" --version | grep -qE '^headroom [0-9]+\.[0-9]+' || fail "--version"
"$HR" record --help | grep -q -- '--interval' || fail "record --help"
expect_error 2 "$HR"
expect_error 2 "$HR" nosuchcommand
expect_error 2 "$HR" record --bogus
expect_error 2 "$HR" record --interval
expect_error 2 "$HR" record --interval 0 --db "$T/x.db"
expect_error 2 "$HR" record --interval abc --db "$T/x.db"
expect_error 2 "$HR" record --count 0 --db "$T/x.db"
expect_error 2 "$HR" record --count 1 --db "$T/x.db" extra
expect_error 2 "$HR" record --config "$T/missing.conf" --count 1
printf 'INTERVAL=1\nFROB=2\n' > "$T/bad.conf"
expect_error 2 "$HR" record --config "$T/bad.conf" --count 1
[ "$(cat "$T/bad.conf")" = "$(printf 'INTERVAL=1\nFROB=2')" ] || fail "a refused config file was changed: $(cat "$T/bad.conf")"
out=$("$HR" record --config "$T/bad.conf" --count 1 2>&1)
case $out in *"'$T/bad.conf'"*"line 2"*FROB*) ;; *) fail "config error does not name the file, line 2 and the key FROB: $out" ;; esac
printf 'HISTORY=0\n' > "$T/bad2.conf"
expect_error 2 "$HR" record --config "$T/bad2.conf" --count 1
printf 'COLLECTORS=cpu,nosuch\n' > "$T/bad3.conf"
expect_error 2 "$HR" record --config "$T/bad3.conf" --count 1
[ ! -e "$T/x.db" ] || fail "a usage error created the database"

# A good config: its database, interval and collectors are used.
cat > "$T/good.conf" <<CONF
# comment
INTERVAL = 0.2
HISTORY=31
DATABASE="$T/cfg.db"
COLLECTORS = cpu, memory
THRESHOLD_CPU_BUSY_PCT=90
CONF
w0=$(date +%s%N)
"$HR" record --config "$T/good.conf" --count 2 || fail "good config run"
w1=$(date +%s%N)
[ "$(q "$T/cfg.db" 'select count(*) from sample')" = 2 ] || fail "2 samples expected"
[ "$(q "$T/cfg.db" 'select count(*) from mem')" = 2 ] || fail "mem rows"
[ "$(q "$T/cfg.db" 'select count(*) from sched')" = 2 ] || fail "sched rows"
[ "$(q "$T/cfg.db" 'select count(*) from net')" = 0 ] || fail "net should be disabled"
# The samples sit on the 0.2 s grid after the baseline (a late tick can
# shorten the next span, never the sum): two spans cover at least 0.4 s,
# and no more than the command ran (each span is truncated to whole ms).
span=$(q "$T/cfg.db" 'select sum(span) from sample')
[ "$span" -ge 398 ] && [ "$span" -le $(((w1 - w0) / 1000000)) ] ||
	fail "spans add up to $span ms for two 0.2 s intervals in a $(((w1 - w0) / 1000000)) ms run"
# The command line wins over the file.
"$HR" record --config "$T/good.conf" --db "$T/cli.db" --count 1 || fail "override"
[ "$(q "$T/cli.db" 'select count(*) from sample')" = 1 ] || fail "--db override"

# Newer schema: refused with exit 3, file untouched.
"$HR" record --db "$T/new.db" --count 1 --interval 0.1 || fail "create"
q "$T/new.db" 'PRAGMA user_version=42' >/dev/null
sum=$(md5sum < "$T/new.db")
expect_error 3 "$HR" record --db "$T/new.db" --count 1
"$HR" record --db "$T/new.db" --count 1 2>&1 | grep -q 'newer' || fail "message says nothing of newer"
[ "$(md5sum < "$T/new.db")" = "$sum" ] || fail "newer database was modified"
# Not a database / another application's database.
head -c 10000 /dev/urandom > "$T/junk.db"
sum=$(md5sum < "$T/junk.db")
expect_error 3 "$HR" record --db "$T/junk.db" --count 1
[ "$(md5sum < "$T/junk.db")" = "$sum" ] || fail "junk file was modified"
q "$T/other.db" 'create table t(x); insert into t values(1);'
expect_error 3 "$HR" record --db "$T/other.db" --count 1
# Cannot create: exit 1.
expect_error 1 "$HR" record --db "/nonexistent-dir/h.db" --count 1

# One recorder per database; SIGHUP reloads; SIGTERM exits 0.
printf 'INTERVAL=0.2\n' > "$T/run.conf"
"$HR" record --config "$T/run.conf" --db "$T/run.db" --foreground --verbose 2>"$T/run.log" &
pid=$!
wait_lines "$T/run.log" 2 committed 10 || fail "recorder wrote no samples: $(cat "$T/run.log")"
expect_error 4 "$HR" record --db "$T/run.db" --count 1
"$HR" record --db "$T/run.db" --count 1 2>&1 | grep -q "pid $pid" || fail "lock message lacks the pid"
printf 'INTERVAL=0.3\nHISTORY=7\n' > "$T/run.conf"
kill -HUP $pid
wait_lines "$T/run.log" 1 'configuration reloaded (interval 0.3 s, history 7 days)' 5 || fail "no reload: $(cat "$T/run.log")"
# Database deleted under the recorder: it starts a new one.
rm -f "$T/run.db" "$T/run.db-wal" "$T/run.db-shm"
wait_lines "$T/run.log" 1 'was removed; starting a new one' 5 || fail "deleted database not noticed"
n=$(grep -c committed "$T/run.log")
wait_lines "$T/run.log" $((n + 3)) committed 10 || fail "no samples after deletion"
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit $rc"
[ "$(q "$T/run.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
[ "$(q "$T/run.db" 'select count(*) from sample')" -ge 3 ] || fail "new database has no samples"
# The lock is free again.
"$HR" record --db "$T/run.db" --count 1 --interval 0.1 || fail "lock not released"

# Daemon mode: detaches, the parent reports startup errors by exit code.
expect_error 3 "$HR" record --db "$T/junk.db"
# A fresh machine has no /var/lib/headroom: the recorder makes the default
# database's directory (checked in a mount namespace with an empty /var/lib,
# so the machine's own is never touched); a --db path is taken as given.
if unshare --mount true 2>/dev/null; then
	: >"$T/empty.conf"
	HR="$HR" T="$T" unshare --mount --propagation private bash -c '
		mount -t tmpfs -o size=16m tmpfs /var/lib || exit 77
		"$HR" record --config "$T/empty.conf" --count 1 --interval 0.1 2>"$T/mk.err" || exit 1
		[ -d /var/lib/headroom ] && [ -s /var/lib/headroom/headroom.db ] || exit 2' ; rc=$?
	case $rc in
	0) grep -q "created directory '/var/lib/headroom'" "$T/mk.err" || fail "the new directory is not announced: $(cat "$T/mk.err")"
	   echo "ok: the default database's directory is made" ;;
	77) echo "note: cannot mount a tmpfs on /var/lib in a mount namespace; not checked" ;;
	*) fail "record with the default database on a machine without /var/lib/headroom (exit $rc): $(cat "$T/mk.err")" ;;
	esac
fi
# One line at start and one at stop, nothing in between without -v.
"$HR" record --db "$T/log.db" --count 3 --interval 0.1 2>"$T/log.err" || fail "record: $(cat "$T/log.err")"
[ "$(wc -l <"$T/log.err")" = 2 ] && grep -qx "headroom: recording every 0.1s into '$T/log.db'" "$T/log.err" &&
	grep -qx "headroom: stopped after 3 samples into '$T/log.db'" "$T/log.err" ||
	fail "start and stop lines: $(cat "$T/log.err")"
# The spellings of the last release still work, with a warning (headroom.1
# OPTION SPELLINGS): record -d/-f, and -o FORMAT of report and advise.
"$HR" record -d "$T/old.db" --count 1 --interval 0.1 2>"$T/old.err" || fail "record -d: $(cat "$T/old.err")"
grep -q "'-d' is deprecated: use --db" "$T/old.err" || fail "record -d gives no warning"
timeout 10 "$HR" record -f --db "$T/old.db" --count 1 --interval 0.1 2>"$T/old.err" || fail "record -f: $(cat "$T/old.err")"
grep -q "'-f' is deprecated: use --foreground" "$T/old.err" || fail "record -f gives no warning"
"$HR" report --db "$T/old.db" -o json >"$T/old.json" 2>"$T/old.err" || fail "report -o json: $(cat "$T/old.err")"
grep -q "deprecated: use --format" "$T/old.err" && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/old.json" ||
	fail "report -o json: no warning or no JSON"
: >"$T/none.conf"
"$HR" advise -c "$T/none.conf" --db "$T/old.db" -o json >"$T/old.json" 2>"$T/old.err"
grep -q "deprecated: use --format" "$T/old.err" && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/old.json" ||
	fail "advise -o json: no warning or no JSON"
echo "all cli checks passed"
