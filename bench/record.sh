#!/bin/bash
# bench/record.sh - cost of `headroom record` against sysstat's sadc, in the
# same run (these machines are noisy: compare ratios, not absolute times).
#
#   bench/record.sh [BUILD_DIR] [N]      (default build, N=30 samples at 1 s)
#
# Prints per-sample CPU (user+sys, from the process's own rusage via GNU
# time), peak RSS, and bytes on disk per sample and per day at 10 s, for
#   headroom record --count N --interval 1
#   sadc 1 N FILE         (sysstat default activities)
#   sadc -S XALL 1 N FILE (everything sadc can collect)
# then the ratios headroom/sadc. Targets: CPU <= sadc -S XALL, RSS < 8 MB,
# a day at 10 s < sysstat's ~14.7 MB.
set -eu
build=${1:-build}
n=${2:-30}
hr="$build/headroom/headroom"
sadc=/usr/lib/sysstat/sadc
[ -x "$hr" ] || { echo "bench: build first (make)" >&2; exit 1; }
[ -x "$sadc" ] || { echo "bench: sysstat's sadc not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) needed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/hr-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# run NAME FILE CMD...: prints "cpu_s rss_kb"
run() {
	local name=$1; shift
	/usr/bin/time -f '%U %S %M' -o "$tmp/$name.time" "$@" >/dev/null 2>&1
	awk '{ printf "%.4f %d\n", $1 + $2, $3 }' "$tmp/$name.time"
}

echo "bench: $n samples at 1 s each, three recorders one after the other..."
read -r hr_cpu hr_rss < <(run hr "$hr" record --db "$tmp/hr.db" --count "$n" --interval 1)
read -r sa_cpu sa_rss < <(run sadc "$sadc" 1 "$((n + 1))" "$tmp/sa")
read -r sx_cpu sx_rss < <(run sadcx "$sadc" -S XALL 1 "$((n + 1))" "$tmp/sax")

# Bytes on disk: headroom's database after a checkpoint (WAL folded in).
sqlite3 "$tmp/hr.db" 'PRAGMA wal_checkpoint(TRUNCATE); VACUUM;' >/dev/null
hr_bytes=$(stat -c %s "$tmp/hr.db")
sa_bytes=$(stat -c %s "$tmp/sa")
sx_bytes=$(stat -c %s "$tmp/sax")
# The empty database's own size (schema pages), not charged per sample.
"$hr" record --db "$tmp/empty.db" --count 1 --interval 0.1 >/dev/null 2>&1
sqlite3 "$tmp/empty.db" 'DELETE FROM proc; DELETE FROM cpu; DELETE FROM sample; VACUUM;' >/dev/null
hr_base=$(stat -c %s "$tmp/empty.db")

awk -v n="$n" -v hc="$hr_cpu" -v hr="$hr_rss" -v hb="$hr_bytes" -v h0="$hr_base" \
    -v sc="$sa_cpu" -v sr="$sa_rss" -v sb="$sa_bytes" \
    -v xc="$sx_cpu" -v xr="$sx_rss" -v xb="$sx_bytes" '
function line(name, c, r, b) {
	printf "%-22s %9.3f ms %9.1f MB %9.0f B %9.1f MB\n", name, c / n * 1000, r / 1024, b / n, b / n * 8640 / 1e6
}
BEGIN {
	printf "%-22s %12s %12s %11s %12s\n", "", "cpu/sample", "peak RSS", "disk/sample", "disk/day@10s"
	line("headroom record", hc, hr, hb - h0)
	line("sadc (default)", sc, sr, sb)
	line("sadc -S XALL", xc, xr, xb)
	printf "\nratios headroom/sadc:        cpu %.2f  rss %.2f  disk %.2f\n", hc / sc, hr / sr, (hb - h0) / sb
	printf "ratios headroom/sadc -S XALL: cpu %.2f  rss %.2f  disk %.2f\n", hc / xc, hr / xr, (hb - h0) / xb
	printf "targets: cpu <= sadc -S XALL: %s; rss < 8 MB: %s; day < 14.7 MB: %s\n",
		(hc <= xc ? "met" : "MISSED"), (hr < 8192 ? "met" : "MISSED"),
		((hb - h0) / n * 8640 < 14.7e6 ? "met" : "MISSED")
	printf "(a month with the default roll-ups: 2 raw days + 29 days of 5-min buckets)\n"
}'
