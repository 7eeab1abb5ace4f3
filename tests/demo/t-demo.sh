#!/bin/bash
# The README's first command: scripts/demo.sh (what `make demo` runs after
# installing packages and building) on this build. It must exit 0, prove the
# store copy restores, print the advisor's verdict and the path of an HTML
# report that exists and holds the verdict, and leave no mount behind.
set -u
T=$TEST_TMP
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -e /dev/fuse ] || { echo "skip: no /dev/fuse"; exit 77; }
DEMO_HTML="$T/report.html" bash "$SRC_DIR/scripts/demo.sh" "$BUILD_DIR" >"$T/demo.log" 2>&1; rc=$?
cat "$T/demo.log"
[ $rc = 0 ] || fail "the demo exited $rc"
grep -qx "store copy restores byte for byte" "$T/demo.log" || fail "no restore proof"
grep -qx "no plaintext name or content in the store" "$T/demo.log" || fail "no store check"
grep -qE "^verdict: (OK|WATCH|INVESTIGATE|UPGRADE)" "$T/demo.log" || fail "no verdict"
grep -qx "HTML report: $T/report.html" "$T/demo.log" || fail "no HTML report path"
[ -s "$T/report.html" ] && grep -q "verdict" "$T/report.html" || fail "the HTML report is missing or has no verdict"
grep -q "sealfs-demo" /proc/mounts && fail "the demo left a mount behind: $(grep sealfs-demo /proc/mounts)"
echo "demo passed"
