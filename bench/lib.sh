# shellcheck shell=bash
# bench/lib.sh - shared by the headroom benchmarks (sourced, not run):
# checks the build, makes a scratch directory removed on exit, and times
# commands. Sets build, hr, mk, tmp, rounds.
#   bench_init NAME BUILD_DIR   (scratch directory /tmp/hr-bench-NAME.XXXXXX)
#   secs CMD...         wall-clock seconds of CMD, output discarded,
#                       median of $rounds runs; a failure stops the bench

bench_init() {
	build=$2
	rounds=${ROUNDS:-3}
	hr="$build/headroom/headroom"
	mk="$build/tests/headroom/hr-mkfixture"
	[ -x "$hr" ] && [ -x "$mk" ] || { echo "bench: build first (make)" >&2; exit 1; }
	tmp=$(mktemp -d "/tmp/hr-bench-$1.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	export TZ=Europe/Berlin LC_ALL=C
}

secs() {
	local i a b all=()
	for ((i = 0; i < rounds; i++)); do
		a=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
		b=$(date +%s.%N)
		all+=("$(echo "$b - $a" | bc -l)")
	done
	printf '%s\n' "${all[@]}" | sort -n | sed -n "$(((rounds + 1) / 2))p"
}
