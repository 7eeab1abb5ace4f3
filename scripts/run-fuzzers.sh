#!/bin/bash
# Run every libFuzzer target of a `-Dfuzz=true` clang build for a bounded time,
# starting from the checked-in corpus (new inputs go to a scratch copy, so the
# repo's corpus only grows by hand). FUZZ_SECONDS per target, default 60.
set -euo pipefail
build=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
status=0
while IFS= read -r t; do
	base=$(basename "$t"); prog=$(basename "$(dirname "$t")")
	corpus="$src/tests/$prog/fuzz/corpus/${base#fuzz-}"
	scratch=$(mktemp -d)
	cp -r "$corpus/." "$scratch/" 2>/dev/null || true
	echo "== $prog/$base for ${secs}s"
	if ! "$t" -max_total_time="$secs" -print_final_stats=0 "$scratch" >"$scratch.log" 2>&1; then
		echo "FAIL $prog/$base (log: $scratch.log)"; tail -n 30 "$scratch.log"; status=1
	else
		echo "ok   $prog/$base"; rm -rf "$scratch" "$scratch.log"
	fi
done < <(find "$build/tests" -type f -name 'fuzz-*' -perm -u+x | sort)
exit $status
