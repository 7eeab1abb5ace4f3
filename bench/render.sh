#!/bin/bash
# bench/render.sh - time to draw the charts: `headroom report --html` and
# `--pdf` over one day and over 31 days of 10 s data, next to sysstat's
# `sadf -g` (SVG graphs). These machines are noisy: compare the ratios,
# not the absolute times.
#
#   bench/render.sh [BUILD_DIR]         (default build)
#   ROUNDS=3 SADF_SAMPLES=60 bench/render.sh
#
# Data: hr-mkfixture's `month` (31 days from 2026-10-01 at 10 s, 267,840
# raw samples, ~270 MB, about a minute to generate) and `month-rolled`
# (the same after the recorder's retention: 2 days raw, the rest in
# 5-minute roll-ups: what a real month looks like). One day = 2026-10-15
# of `month` (8,640 samples).
#
# sysstat: a day of 10 s data takes a day to record (sadc samples in real
# time), so this records SADF_SAMPLES samples at 1 s with `sadc -S XALL`
# (everything), times `sadf -g -- -A` on them, and scales linearly to
# 8,640 samples (sadf's work is per sample). DESIGN.md's measured figure
# for a real day, 8.8 s, is printed too.
set -eu

ns=${SADF_SAMPLES:-60}
. "$(dirname "$0")/lib.sh"
bench_init render "${1:-build}"

echo "bench: generating fixtures (month: about a minute)..." >&2
"$mk" month "$tmp/month.db"
"$mk" month-rolled "$tmp/rolled.db"

day="--from 2026-10-15"
month="--from 2026-10-01 --to 2026-10-31"
# shellcheck disable=SC2086
{
h1=$(secs "$hr" report --db "$tmp/month.db" $day --html "$tmp/a.html")
p1=$(secs "$hr" report --db "$tmp/month.db" $day --pdf "$tmp/a.pdf")
h31=$(secs "$hr" report --db "$tmp/month.db" $month --html "$tmp/b.html")
p31=$(secs "$hr" report --db "$tmp/month.db" $month --pdf "$tmp/b.pdf")
hr31=$(secs "$hr" report --db "$tmp/rolled.db" $month --html "$tmp/c.html")
pr31=$(secs "$hr" report --db "$tmp/rolled.db" $month --pdf "$tmp/c.pdf")
}

sadf_day=""
if [ -x /usr/lib/sysstat/sadc ] && command -v sadf >/dev/null; then
	echo "bench: recording $ns s of sysstat data (sadc -S XALL 1 $((ns + 1)))..." >&2
	/usr/lib/sysstat/sadc -S XALL 1 $((ns + 1)) "$tmp/sa.data"
	s=$(secs sadf -g "$tmp/sa.data" -- -A)
	sadf_day=$(echo "$s * 8640 / $ns" | bc -l)
	sadf -g "$tmp/sa.data" -- -A >"$tmp/sa.svg"
fi

printf '\n%-52s %8s\n' "render (median of $rounds, wall clock)" "seconds"
printf '%-52s %8.2f\n' "headroom report --html, 1 day of 10 s (8,640)" "$h1"
printf '%-52s %8.2f\n' "headroom report --pdf,  1 day of 10 s" "$p1"
printf '%-52s %8.2f\n' "headroom report --html, 31 days raw 10 s (267,840)" "$h31"
printf '%-52s %8.2f\n' "headroom report --pdf,  31 days raw 10 s" "$p31"
printf '%-52s %8.2f\n' "headroom report --html, 31 days as retained (rolled)" "$hr31"
printf '%-52s %8.2f\n' "headroom report --pdf,  31 days as retained (rolled)" "$pr31"
if [ -n "$sadf_day" ]; then
	printf '%-52s %8.2f\n' "sadf -g -- -A, $ns samples (measured)" "$s"
	printf '%-52s %8.2f\n' "sadf -g -- -A, 1 day of 10 s (scaled x$((8640 / ns)))" "$sadf_day"
	printf '%-52s %8.2f\n' "sadf -g, 1 day of 10 s (DESIGN.md, measured there)" 8.8
	printf '\nratios (headroom / sadf -g, one day; < 1 = faster)\n'
	printf '  html, 1 day / sadf scaled:        %6.3f\n' "$(echo "$h1 / $sadf_day" | bc -l)"
	printf '  pdf,  1 day / sadf scaled:        %6.3f\n' "$(echo "$p1 / $sadf_day" | bc -l)"
	printf '  html, 31 days raw / sadf 1 day:   %6.3f\n' "$(echo "$h31 / $sadf_day" | bc -l)"
	printf '  html, 1 day / DESIGN 8.8 s:       %6.3f\n' "$(echo "$h1 / 8.8" | bc -l)"
else
	echo "(sysstat's sadc/sadf not installed: no comparison)"
fi
