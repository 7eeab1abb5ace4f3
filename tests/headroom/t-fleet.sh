#!/bin/bash
# headroom advise --all-hosts and report --html --all-hosts over three
# hosts (this one and two in hosts/): a verdict per host and resource, the
# exit status the worst; one page with the summary (worst first) and a
# section per host, well-formed, self-contained, chart text as text; in
# headroom Chromium (when installed) every section renders.
. "$SRC_DIR/tests/headroom/lib.sh"
export TZ=Europe/Berlin LC_ALL=C
pin_clock
MK="$BUILD_DIR/tests/headroom/hr-mkfixture"
[ -e /usr/share/zoneinfo/Europe/Berlin ] || skip "no tzdata for Europe/Berlin"
need python3
mkdir -p "$T/hosts"
"$MK" adv-cpu "$T/headroom.db" || fail "fixture"
"$MK" idle "$T/hosts/web1.db" || fail "fixture"
"$MK" adv-mem "$T/hosts/db1.db" || fail "fixture"
"$MK" empty "$T/hosts/spare.db" || fail "fixture"

"$HR" advise --db "$T/headroom.db" --all-hosts --from 2026-11-28 >"$T/adv.txt"; rc=$?
cat "$T/adv.txt"
[ "$rc" = 12 ] || fail "advise --all-hosts exited $rc, expected 12 (upgrade somewhere)"
for h in fixture web1 db1 spare; do
	grep -q "^==== host $h ====" "$T/adv.txt" || fail "no section for $h"
done
sed -n '/^==== hosts, worst first/,$p' "$T/adv.txt" >"$T/sum.txt"
[ "$(sed -n 2p "$T/sum.txt" | awk '{print $2}')" = upgrade ] || fail "summary not worst first"
grep -q '^web1  *ok$' "$T/sum.txt" || fail "web1 not ok"
grep -q '^spare  *no data$' "$T/sum.txt" || fail "spare: no data"
"$HR" advise --db "$T/headroom.db" --all-hosts --from 2026-11-28 --format json >"$T/adv.json"
python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); assert len(d) == 3, len(d)' "$T/adv.json" ||
	fail "advise --all-hosts json: not an array of the 3 hosts with data"
"$HR" advise --db "$T/headroom.db" --host web1 --from 2026-11-28 >/dev/null || fail "advise --host web1"
expect_error 1 "$HR" advise --db "$T/headroom.db" --host nosuch --from 2026-11-28
expect_error 2 "$HR" advise --db "$T/headroom.db" --host 'bad/name'

f="$T/fleet.html"
"$HR" report --db "$T/headroom.db" --all-hosts --from 2026-11-28 --html "$f" || fail "fleet page"
python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$f" || fail "not well-formed"
grep -Eiq 'https?://|<script|<link|base64' "$f" && fail "not self-contained"
grep -q '<h2>Hosts, worst first</h2>' "$f" || fail "no summary"
for h in fixture web1 db1 spare; do
	grep -q "<section class=\"host\" id=\"host-$h\"><h2>$h</h2>" "$f" || fail "no section for $h"
	grep -q "<a href=\"#host-$h\">$h</a>" "$f" || fail "no summary row for $h"
done
# worst first: the two upgrades before web1, spare (no data) last
order=$(grep -o '<a href="#host-[a-z0-9]*">' "$f" | sed 's/.*host-//; s/">//' | tr '\n' ' ')
[[ $order == "db1 fixture web1 spare " ]] || fail "summary order: $order"
[ "$(grep -o '<svg ' "$f" | wc -l)" -eq 12 ] || fail "expected the 4 headline charts for each of 3 hosts"
size=$(stat -c %s "$f"); echo "fleet page: $size bytes"
[ "$size" -le $((3 * 409600)) ] || fail "fleet page over 400 KB a host"
expect_error 2 "$HR" report --db "$T/headroom.db" --all-hosts --from 2026-11-28

if ! command -v chromium >/dev/null 2>&1; then
	echo "skip: chromium not installed"
	exit 77
fi
# the text a reader can select: chromium's own text of the page (--dump-dom
# runs no layout; the accessibility-free way is the DOM's text)
prof=$(mktemp -d "$T/chromium.XXXXXX")
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
	--dump-dom "file://$f" >"$T/dom.html" 2>"$T/chromium.log" || fail "chromium --dump-dom"
python3 - "$T/dom.html" <<'PY' || fail "chromium's text of the page lacks the chart labels"
import re, sys
dom = open(sys.argv[1]).read()
text = re.sub(r"<[^>]+>", " ", dom)
for want in ("Hosts, worst first", "db1", "web1", "spare", "CPU utilisation", "time zone CET", "12:00"):
    assert want in text, want
PY
for w in 1280 390; do
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
		--screenshot="$T/fleet-$w.png" --window-size=$w,2000 "file://$f" >>"$T/chromium.log" 2>&1 ||
		fail "chromium screenshot at $w px"
	"$BUILD_DIR/tests/headroom/hr-pngcheck" "$T/fleet-$w.png" $w 2000 || fail "screenshot $w"
done
echo "fleet passed"
