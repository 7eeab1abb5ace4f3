#!/bin/bash
# bench/advise.sh - time `headroom advise` over a month: 31 days of 10 s
# data raw (hr-mkfixture `month`, 267,840 samples, read in 1-minute
# buckets) and after the recorder's retention (`month-rolled`: 2 days raw,
# the rest in 5-minute roll-ups: what a real month looks like). Target:
# about a second or two. These machines are noisy: look at the median.
#
#   bench/advise.sh [BUILD_DIR]         (default build)
#   ROUNDS=5 bench/advise.sh
#
# Generating the two databases takes about two minutes.
set -eu

. "$(dirname "$0")/lib.sh"
bench_init advise "${1:-build}"
: >"$tmp/none.conf"
for sc in month month-rolled; do
	"$mk" "$sc" "$tmp/$sc.db"
	ts=()
	for _ in $(seq "$rounds"); do
		s=$(date +%s.%N)
		"$hr" advise -c "$tmp/none.conf" --db "$tmp/$sc.db" --from 2026-10-01 --to 2026-10-31 \
			>/dev/null || [ $? -ge 10 ]
		e=$(date +%s.%N)
		ts+=("$(echo "$e - $s" | bc)")
	done
	med=$(printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")
	printf 'advise %-13s %s s (median of %d: %s)\n' "$sc" "$med" "$rounds" "${ts[*]}"
done
