#!/bin/bash
# The golden tests on another day: with the machine's clock moved years
# ahead by libfaketime (every process of the run, the binaries included),
# the report and advise goldens and the report errors still pass. They pin
# the present with HEADROOM_NOW (lib.sh pin_clock); a command that read the
# real clock behind that knob's back would change its output here.
. "$SRC_DIR/tests/headroom/lib.sh"
need faketime
# ASan wants its runtime first among the loaded libraries; libfaketime is
# preloaded before it, which is harmless here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export FAKETIME_DONT_FAKE_MONOTONIC=1
# 2600 days (7 years and more) from now, as an absolute start. Where this
# runs under libfaketime already, its FAKETIME is set directly: a nested
# faketime(1) counts its offset from the real clock.
future=$(date -d '+2600 days' '+%Y-%m-%d %H:%M:%S')
moved() {
	case ${LD_PRELOAD:-} in
	*faketime*) FAKETIME="@$future" "$@" ;;
	*) faketime "$future" "$@" ;;
	esac
}
year=$(moved date +%Y)
[ "$year" -ge $(($(date +%Y) + 7)) ] || fail "faketime did not move the clock ($year)"
for t in t-report-golden.sh t-advise-golden.sh t-report-errors.sh; do
	mkdir "$T/${t%.sh}"
	TEST_TMP="$T/${t%.sh}" moved bash "$SRC_DIR/tests/headroom/$t" >"$T/${t%.sh}.log" 2>&1 ||
		{ tail -n 30 "$T/${t%.sh}.log"; fail "$t fails with the clock in $year"; }
	echo "ok: $t with the clock in $year"
done
echo "future clock passed"
