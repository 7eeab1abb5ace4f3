#!/bin/bash
# headroom record then headroom report on the live machine: 5 samples a
# second apart give, with the defaults (today, -u), 5 rows and an Average
# line whose values add up to 100 %; -A and the three formats run on real
# data without error, and the JSON parses.
. "$SRC_DIR/tests/headroom/lib.sh"
db="$T/live.db"
day0=$(date +%F)
"$HR" record --db "$db" --count 5 --interval 1 || fail "record exited $?"
# "today" is the day the recording ended, however long the reports below
# take (t-clock.sh checks the default against the real clock itself)
export HEADROOM_NOW=$(date '+%F %T')
range=()
[ "${HEADROOM_NOW% *}" = "$day0" ] || range=(--from yesterday)	# the recording crossed midnight
out=$("$HR" report --db "$db" "${range[@]}" -u) || fail "report exited $?"
echo "$out"
echo "$out" | head -n 1 | grep -qE '^Linux .+ \(.+\) 	[0-9]{4}-[0-9]{2}-[0-9]{2} [A-Z+0-9-]+ 	\([0-9]+ CPU\)$' ||
	fail "header line"
rows=$(echo "$out" | grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2} +all +[0-9]')
[ "$rows" = 5 ] || fail "expected 5 rows, got $rows"
avg=$(echo "$out" | grep '^Average: ')
[ -n "$avg" ] || fail "no Average line"
echo "$avg" | awk '{ s = $3 + $4 + $5 + $6 + $7 + $8; exit !(s > 99.8 && s < 100.2) }' ||
	fail "average shares do not add up to 100: $avg"
"$HR" report --db "$db" "${range[@]}" -A >/dev/null || fail "report -A"
"$HR" report --db "$db" "${range[@]}" -A --format csv >/dev/null || fail "report -A csv"
"$HR" report --db "$db" "${range[@]}" -A -i 1h --format json > "$T/live.json" || fail "report json"
if command -v python3 >/dev/null; then
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["tables"]' \
		"$T/live.json" || fail "json does not parse"
fi
echo "live report passed"
