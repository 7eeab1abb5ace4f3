#!/bin/bash
# bench/record.sh - cost of `headroom record` against sysstat's sadc, in the
# same run (these machines are noisy: compare ratios, not absolute times).
#
#   bench/record.sh [BUILD_DIR] [N]      (default build, N=30 samples at 1 s)
#   ROUNDS=3 bench/record.sh             (repeat, interleaved; medians shown)
#
# For each recorder, at the same 1 s interval:
#   headroom record --count N --interval 1
#   sadc 1 N+1 FILE         (sysstat default activities)
#   sadc -S XALL 1 N+1 FILE (everything sadc can collect)
# (both read the system N+1 times: a baseline, then N samples), it prints
#   cpu/sample   user+sys CPU of the whole run / N, start-up included
#   marginal     (cpu of the N-sample run - cpu of a 1-sample run) / (N-1):
#                the cost of one more sample, which is what a recorder that
#                runs for months pays
#   peak RSS, bytes on disk per sample and per day at 10 s
# then the ratios headroom/sadc. CPU comes from wait4() (microsecond
# resolution, unlike GNU time's 10 ms steps), peak RSS from GNU time.
# Targets: CPU <= sadc -S XALL, RSS < 8 MB, a day at 10 s < sysstat's ~14.7 MB.
set -eu
build=${1:-build}
n=${2:-30}
rounds=${ROUNDS:-1}
hr="$build/headroom/headroom"
sadc=/usr/lib/sysstat/sadc
[ -x "$hr" ] || { echo "bench: build first (make)" >&2; exit 1; }
[ -x "$sadc" ] || { echo "bench: sysstat's sadc not installed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 needed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) needed" >&2; exit 1; }
[ "$n" -ge 2 ] || { echo "bench: N must be at least 2" >&2; exit 1; }
tmp=$(mktemp -d /tmp/hr-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# run CMD...: prints "cpu_seconds maxrss_kb" of CMD. CPU is user+sys from
# wait4() (microseconds, unlike GNU time's 10 ms steps) less that of GNU
# time running /bin/true, measured the same way; peak RSS is GNU time's,
# since wait4() on a child forked from python would report python's.
run() {
	python3 - "$tmp/rss" "$@" <<'PY'
import os, sys
def cpu(argv):
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_RDWR)
        os.dup2(fd, 1); os.dup2(fd, 2)
        os.execv("/usr/bin/time", ["/usr/bin/time", "-f", "%M", "-o", sys.argv[1]] + argv)
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("bench: %s failed" % argv[0])
    return ru.ru_utime + ru.ru_stime
base = cpu(["/bin/true"])
c = cpu(sys.argv[2:])
print("%.6f %s" % (max(c - base, 0), open(sys.argv[1]).read().split()[-1]))
PY
}

echo "bench: $n samples at 1 s, $rounds round(s), headroom / sadc / sadc -S XALL interleaved..."
: >"$tmp/results"
for r in $(seq 1 "$rounds"); do
	rm -f "$tmp"/hr*.db* "$tmp"/sa*
	# N-sample runs, then 1-sample runs for the start-up cost.
	read -r hc hm < <(run "$hr" record --db "$tmp/hr.db" --count "$n" --interval 1)
	read -r sc sm < <(run "$sadc" 1 "$((n + 1))" "$tmp/sa")
	read -r xc xm < <(run "$sadc" -S XALL 1 "$((n + 1))" "$tmp/sax")
	read -r hc1 _ < <(run "$hr" record --db "$tmp/hr1.db" --count 1 --interval 1)
	read -r sc1 _ < <(run "$sadc" 1 2 "$tmp/sa1")
	read -r xc1 _ < <(run "$sadc" -S XALL 1 2 "$tmp/sax1")
	# Bytes on disk: headroom's database after a checkpoint (WAL folded in),
	# less the empty database's own size (schema pages, not charged per sample).
	sqlite3 "$tmp/hr.db" 'PRAGMA wal_checkpoint(TRUNCATE); VACUUM;' >/dev/null
	hb=$(stat -c %s "$tmp/hr.db")
	sqlite3 "$tmp/hr1.db" "$(sqlite3 "$tmp/hr1.db" "SELECT group_concat('DELETE FROM ' || name, ';')
		FROM sqlite_master WHERE type = 'table' AND name NOT IN ('meta', 'boot')"); VACUUM;" >/dev/null
	h0=$(stat -c %s "$tmp/hr1.db")
	echo "$hc $hm $hc1 $((hb - h0)) $sc $sm $sc1 $(stat -c %s "$tmp/sa") $xc $xm $xc1 $(stat -c %s "$tmp/sax")" >>"$tmp/results"
	[ "$rounds" -gt 1 ] && awk -v n="$n" -v r="$r" 'END {
		printf "  round %d: cpu/sample ms headroom %.3f  sadc %.3f  sadc -S XALL %.3f\n", r,
			$1 / n * 1000, $5 / n * 1000, $9 / n * 1000 }' "$tmp/results"
done

awk -v n="$n" '
function median(col,   i, j, t, a) {
	for (i = 1; i <= NR; i++) a[i] = v[i, col]
	for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
}
function line(name, c, c1, r, b) {
	printf "%-18s %9.3f ms %9.3f ms %7.1f MB %8.0f B %8.1f MB\n", name, c / n * 1000,
		(c - c1) / (n - 1) * 1000, r / 1024, b / n, b / n * 8640 / 1e6
}
{ for (i = 1; i <= NF; i++) v[NR, i] = $i }
END {
	hc = median(1); hr = median(2); hc1 = median(3); hb = median(4)
	sc = median(5); sr = median(6); sc1 = median(7); sb = median(8)
	xc = median(9); xr = median(10); xc1 = median(11); xb = median(12)
	hm = (hc - hc1) / (n - 1); sm = (sc - sc1) / (n - 1); xm = (xc - xc1) / (n - 1)
	printf "%-18s %12s %12s %10s %10s %11s\n", "", "cpu/sample", "marginal", "peak RSS",
		"disk/smp", "disk/day@10s"
	line("headroom record", hc, hc1, hr, hb)
	line("sadc (default)", sc, sc1, sr, sb)
	line("sadc -S XALL", xc, xc1, xr, xb)
	printf "\nratios headroom/sadc:         cpu %.2f (marginal %.2f)  rss %.2f  disk %.2f\n",
		hc / sc, hm / sm, hr / sr, hb / sb
	printf "ratios headroom/sadc -S XALL: cpu %.2f (marginal %.2f)  rss %.2f  disk %.2f\n",
		hc / xc, hm / xm, hr / xr, hb / xb
	printf "targets: cpu <= sadc -S XALL: %s (marginal: %s); rss < 8 MB: %s; day < 14.7 MB: %s\n",
		(hc <= xc ? "met" : "MISSED"), (hm <= xm ? "met" : "MISSED"), (hr < 8192 ? "met" : "MISSED"),
		(hb / n * 8640 < 14.7e6 ? "met" : "MISSED")
	printf "(a month with the default roll-ups: 2 raw days + 29 days of 5-min buckets)\n"
}' "$tmp/results"
