#!/bin/bash
# bench/report.sh - time `headroom report` over a month of 10 s data: each
# activity alone, and -A (every table), hourly (-i 1h) over 31 days raw
# (hr-mkfixture `month`, 267,840 samples) and as the recorder retains a
# month (`month-rolled`: 2 days raw, the rest in 5-minute roll-ups); next
# to sysstat's `sar -A` over one day, scaled from a short recording (sar
# reads one file of one day; a month is 31 runs). These machines are
# noisy: compare the ratios, not the absolute times.
#
#   bench/report.sh [BUILD_DIR]         (default build)
#   ROUNDS=5 SAR_SAMPLES=60 bench/report.sh
#
# Generating the two databases takes about two minutes.
set -eu

ns=${SAR_SAMPLES:-60}
. "$(dirname "$0")/lib.sh"
bench_init report "${1:-build}"

echo "bench: generating fixtures (about two minutes)..." >&2
"$mk" month "$tmp/month.db"
"$mk" month-rolled "$tmp/rolled.db"

month="--from 2026-10-01 --to 2026-10-31"
printf '%-44s %9s %9s\n' "headroom report $month" "raw" "rolled"
printf '%-44s %9s %9s\n' "(median of $rounds, seconds)" "267,840" "retained"
# shellcheck disable=SC2086
for a in "-u" "-u ALL -P ALL" "-q" "-r" "-S" "-W" "-B" "-b" "-d" "-n DEV,EDEV" \
	"-n SOCK,TCP,ETCP,UDP" "-w" "--psi" "-F" "--top" "-A"; do
	raw=$(secs "$hr" report --db "$tmp/month.db" $month -i 1h $a)
	rol=$(secs "$hr" report --db "$tmp/rolled.db" $month -i 1h $a)
	printf '%-44s %9.2f %9.2f\n' "-i 1h $a" "$raw" "$rol"
	[ "$a" = "-A" ] && a_raw=$raw
done
# shellcheck disable=SC2086
u=$(secs "$hr" report --db "$tmp/month.db" $month -u)
printf '%-44s %9.2f\n' "-u, every sample (267,840 rows)" "$u"

if [ -x /usr/lib/sysstat/sadc ] && command -v sar >/dev/null; then
	echo "bench: recording $ns s of sysstat data (sadc -S XALL 1 $((ns + 1)))..." >&2
	/usr/lib/sysstat/sadc -S XALL 1 $((ns + 1)) "$tmp/sa.data"
	s=$(secs sar -A -f "$tmp/sa.data")
	day=$(echo "$s * 8640 / $ns" | bc -l)
	printf '\n%-44s %9.2f\n' "sar -A, $ns samples (measured)" "$s"
	printf '%-44s %9.2f\n' "sar -A, 1 day of 10 s (scaled x$((8640 / ns)))" "$day"
	printf '%-44s %9.2f\n' "sar -A, 31 days (31 files, scaled)" "$(echo "$day * 31" | bc -l)"
	printf '\nratio (headroom -A -i 1h, 31 days raw / sar -A, 1 day): %.3f\n' \
		"$(echo "$a_raw / $day" | bc -l)"
else
	echo "(sysstat's sadc/sar not installed: no comparison)"
fi
