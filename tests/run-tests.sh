#!/bin/bash
# Run every test of one or more build directories and print one line per test,
# then the closing line "N passed, N failed[, N skipped]".
#
#   tests/run-tests.sh BUILD_DIR [BUILD_DIR...]
#
# A test passes with exit 0, is skipped with exit 77 (only when the facility it
# needs is truly absent), and fails otherwise. Output of failed tests is shown;
# all output is kept under tests/out/<build>/.
# Set TESTS=pattern to run only tests whose name contains the pattern.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0
failed_names=()

run_one() { # label name cmd...
	local label=$1 name=$2; shift 2
	local out="$src/tests/out/$label/${name//\//_}.log"
	local tmp rc start end
	if [ -n "${TESTS:-}" ] && [[ "$name" != *"$TESTS"* ]]; then
		return
	fi
	mkdir -p "$(dirname "$out")"
	tmp=$(mktemp -d "/tmp/sfs-test.XXXXXX")
	start=$(date +%s.%N)
	TEST_TMP=$tmp timeout --kill-after=10 600 "$@" >"$out" 2>&1 </dev/null
	rc=$?
	end=$(date +%s.%N)
	# Leave no mount behind a failed test.
	grep -F " $tmp" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
		fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	rm -rf "$tmp" 2>/dev/null
	local secs
	secs=$(printf '%.1f' "$(echo "$end - $start" | bc 2>/dev/null || echo 0)")
	case $rc in
	0) pass=$((pass + 1)); printf 'PASS %-8s %s (%ss)\n' "$label" "$name" "$secs" ;;
	77) skip=$((skip + 1)); printf 'SKIP %-8s %s: %s\n' "$label" "$name" \
		"$(grep -i 'skip' "$out" | tail -n 1)" ;;
	*) fail=$((fail + 1)); failed_names+=("$label $name")
	   printf 'FAIL %-8s %s (exit %d)\n' "$label" "$name" "$rc"
	   sed 's/^/    | /' "$out" | tail -n 40 ;;
	esac
}

for build in "$@"; do
	build=$(cd "$build" && pwd)
	label=$(basename "$build")
	export BUILD_DIR=$build SRC_DIR=$src
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
	while IFS= read -r t; do
		run_one "$label" "${t#"$build"/tests/}" "$t"
	done < <(find "$build/tests" -type f -name 'test-*' -perm -u+x | sort)
	while IFS= read -r t; do
		base=$(basename "$t"); prog=$(basename "$(dirname "$t")")
		corpus="$src/tests/$prog/fuzz/corpus/${base#fuzz-}"
		run_one "$label" "$prog/$base (corpus)" "$t" "$corpus"
	done < <(find "$build/tests" -type f -name 'fuzz-*' -perm -u+x | sort)
	while IFS= read -r t; do
		run_one "$label" "${t#"$src"/tests/}" bash "$t"
	done < <(find "$src/tests" -type f -name 't-*.sh' | sort)
done

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
