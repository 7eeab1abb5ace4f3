#!/bin/bash
# headroom report --html / --pdf over the fixture databases: the page is
# well-formed (XHTML-compatible), self-contained (no http(s) src/href, no
# script, no external CSS), has every chart and the top processes; the
# PDF has its pages (4 charts a page, then the process table); the empty
# database gives "no data"; chromium (when installed) renders the page.
. "$SRC_DIR/tests/headroom/lib.sh"
export TZ=Europe/Berlin LC_ALL=C
pin_clock
MK="$BUILD_DIR/tests/headroom/hr-mkfixture"
PNGCHECK="$BUILD_DIR/tests/headroom/hr-pngcheck"
[ -x "$MK" ] || fail "no fixture generator at $MK"
[ -e /usr/share/zoneinfo/Europe/Berlin ] || skip "no tzdata for Europe/Berlin"
need python3
need pdfinfo
need pdftotext

for sc in busy empty month-5m; do
	"$MK" "$sc" "$T/$sc.db" || fail "hr-mkfixture $sc"
done

check_html() { # file
	local f=$1
	python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$f" ||
		fail "$f is not well-formed"
	grep -Eiq '(src|href|srcset)="(https?:)?//' "$f" && fail "$f fetches from the network"
	grep -Eiq 'https?://' "$f" && fail "$f has an http(s) URL"
	grep -iq '<script' "$f" && fail "$f has a script"
	grep -iq '<link' "$f" && fail "$f links an external resource"
	grep -q '<meta name="viewport"' "$f" || fail "$f: no viewport (phones)"
	grep -q 'max-width' "$f" || fail "$f: no max-width"
	[ "$(grep -o '<svg ' "$f" | wc -l)" -eq 16 ] || fail "$f: expected 16 charts"
	grep -q 'base64' "$f" && fail "$f: a chart embedded as base64"
	# chart text is text: axis labels as <text>, no glyph outlines
	grep -q '<g class="yl"><text' "$f" || fail "$f: chart labels are not text"
	grep -q '<symbol' "$f" && fail "$f: glyphs drawn as outlines"
	grep -q '<h2>Verdict</h2>' "$f" || fail "$f: no verdict section"
	return 0
}

"$HR" report --db "$T/busy.db" --from 2026-11-28 --html "$T/busy.html" --pdf "$T/busy.pdf" ||
	fail "report --html --pdf busy"
check_html "$T/busy.html"
grep -q '<h1>headroom report: fixture</h1>' "$T/busy.html" || fail "no host in the header"
grep -q '2026-11-28 00:00 CET' "$T/busy.html" || fail "no range in the header"
grep -q 'CET (Europe/Berlin)' "$T/busy.html" || fail "no zone in the header"
grep -q '<td>4242</td><td>stress</td><td>30.77</td>' "$T/busy.html" || fail "no top process 'stress'"
grep -q 'sshd, &quot;admin&quot;' "$T/busy.html" || fail "process name not escaped"
# a second table ranks by storage I/O: stress writes most
grep -q 'by storage I/O over the range</h2><div class="tbl"><table><thead>[^!]*</thead><tbody><tr><td>4242</td><td>stress</td>' "$T/busy.html" ||
	fail "busy: no process table by I/O with stress first"
grep -q 'no data' "$T/busy.html" && fail "busy: a chart says no data"
# The advisor's verdict is on top: the busy fixture's CPU is an upgrade, in
# the summary (the worst verdict and the resource's row, with the process
# that caused it) and in the full evidence folded below it.
grep -q '<p class="worst"><span class="v v-upgrade">upgrade</span> [^<]* CPU</p>' "$T/busy.html" ||
	fail "busy: no 'upgrade - CPU' summary on the page"
grep -q '<tr><td>CPU</td><td><span class="v v-upgrade">upgrade</span>' "$T/busy.html" ||
	fail "busy: the verdict table has no CPU upgrade row"
grep -q '<b>cpu-busy</b>: CPU busy sustained: the CPU is the bottleneck' "$T/busy.html" ||
	fail "busy: the CPU row does not say which rule fired"
grep -q 'Top processes by CPU then: stress (pid 4242' "$T/busy.html" ||
	fail "busy: the verdict table does not name the process"
grep -q '<details><summary>' "$T/busy.html" && grep -q '^CPU: UPGRADE' "$T/busy.html" ||
	fail "busy: the full evidence is missing"
grep -q 'stress  *pid 4242' "$T/busy.html" || fail "busy: the full evidence does not name the process"
# The verdict takes THRESHOLD_* from the config file, as headroom advise does.
printf 'THRESHOLD_CPU_BUSY_PCT=99\n' >"$T/hr.conf"
"$HR" report --db "$T/busy.db" -c "$T/hr.conf" --from 2026-11-28 --html "$T/busy99.html" ||
	fail "report --html -c"
grep -q '^CPU: UPGRADE' "$T/busy99.html" && fail "busy: THRESHOLD_CPU_BUSY_PCT=99 from the config ignored"
grep -q '^CPU: ' "$T/busy99.html" || fail "busy99: no CPU verdict"
printf 'THRESHOLD_NO_SUCH=1\n' >"$T/bad.conf"
"$HR" report --db "$T/busy.db" -c "$T/bad.conf" --from 2026-11-28 --html "$T/bad.html" 2>"$T/err" &&
	fail "an unknown threshold in the config was accepted"
grep -q "unknown threshold" "$T/err" || fail "no message for an unknown threshold: $(cat "$T/err")"

# The verdict and the process table on page 1, laid out as the HTML page's
# verdict (headings, wrapped text), then 16 charts at 4 a page.
[ "$(pdfinfo "$T/busy.pdf" | awk '/^Pages:/ {print $2}')" = 5 ] || fail "busy.pdf: expected 5 pages"
pdftotext "$T/busy.pdf" "$T/busy.txt" || fail "pdftotext busy.pdf"
pdftotext -f 1 -l 1 "$T/busy.pdf" "$T/busy-1.txt"
grep -qx "Verdict: UPGRADE — CPU" "$T/busy-1.txt" || fail "busy.pdf: no overall verdict on page 1"
grep -q "^CPU: UPGRADE — average 18.43 busy %, peak 97.80$" "$T/busy-1.txt" || fail "busy.pdf: no CPU row on page 1"
grep -q "^network eth0: INVESTIGATE" "$T/busy-1.txt" || fail "busy.pdf: no network row"
grep -qx "Top processes by CPU over the range" "$T/busy-1.txt" || fail "busy.pdf: the process table has no heading"
grep -q 'sshd, "admin"' "$T/busy-1.txt" || fail "busy.pdf: the process table lost rows"
grep -q "exit status" "$T/busy.txt" && fail "busy.pdf prints the advise exit status"
# nothing clipped: the longest sentence comes out whole, wrapped at spaces
tr '\n' ' ' <"$T/busy-1.txt" | grep -qF "Top processes by CPU then: stress (pid 4242: CPU 184.5%, memory 977 MiB, I/O 5800 kB/s), postgres (pid 812: CPU 2.0%, memory 244 MiB, I/O 15 kB/s), systemd (pid 1: CPU 0.1%, memory 12 MiB, I/O 0 kB/s)" ||
	fail "busy.pdf: a finding is cut: $(grep -A3 'cpu-busy' "$T/busy-1.txt")"
pdftotext -f 2 -l 2 "$T/busy.pdf" - | grep -q "CPU utilisation" || fail "busy.pdf: the charts do not follow the verdict"
# a verdict longer than a page (11 disks): every page of it starts with a
# resource or the table, never in the middle of one
cp "$T/busy.db" "$T/disks.db"
for d in sdb sdc sdd sde sdf sdg sdh sdi sdj; do
	q "$T/disks.db" "INSERT INTO disk SELECT sample, stat, '$d', tps, rkbps, wkbps, dkbps, await_ms, aqu_sz, util_pct * 1.6 FROM disk WHERE dev = 'sda'"
done
"$HR" report --db "$T/disks.db" --from 2026-11-28 --pdf "$T/disks.pdf" || fail "report --pdf with 11 disks"
pages=$(pdfinfo "$T/disks.pdf" | awk '/^Pages:/ {print $2}')
[ "$pages" -ge 6 ] || fail "disks.pdf: the verdict of 11 disks fits on one page? ($pages pages)"
for pg in $(seq 2 $((pages - 4))); do
	first=$(pdftotext -f "$pg" -l "$pg" "$T/disks.pdf" - | grep -v '^$' | sed -n 2p)
	echo "$first" | grep -qE '^[a-zA-Z]+( [a-z0-9]+)?: (OK|WATCH|INVESTIGATE|UPGRADE) — average |^Top processes' ||
		fail "disks.pdf: page $pg starts inside a resource: '$first'"
done
echo "ok: busy: html and pdf"

# a month
"$HR" report --db "$T/month-5m.db" --from 2026-10-29 --to 2026-11-28 --html "$T/month.html" ||
	fail "report --html month"
check_html "$T/month.html"
# the size target: a month of one host in at most 400 KB
size=$(stat -c %s "$T/month.html")
echo "month page: $size bytes"
[ "$size" -le 409600 ] || fail "month page is $size bytes, over 400 KB"
grep -q '<text[^>]*>11-23</text>' "$T/month.html" || fail "month: no day label as text"
echo "ok: month html"

# the empty database: every chart says no data, and so does the process table
"$HR" report --db "$T/empty.db" --from 2026-11-28 --html "$T/empty.html" --pdf "$T/empty.pdf" ||
	fail "report --html empty"
check_html "$T/empty.html"
[ "$(grep -o ': no data"' "$T/empty.html" | wc -l)" -eq 16 ] || fail "empty: charts without 'no data'"
grep -q '<p class="note">no data</p>' "$T/empty.html" || fail "empty: process table without 'no data'"
[ "$(pdfinfo "$T/empty.pdf" | awk '/^Pages:/ {print $2}')" = 5 ] || fail "empty.pdf: expected 5 pages"
echo "ok: empty"

# default range: the last 24 hours (the fixtures are in 2026-11; still a page)
"$HR" report --db "$T/busy.db" --html "$T/now.html" || fail "report --html, default range"
check_html "$T/now.html"
expect_error 1 "$HR" report --db "$T/busy.db" --html "$T/no/such/dir.html"
expect_error 2 "$HR" report --db "$T/busy.db" --html
echo "ok: default range, errors"

# a browser renders it (Debian's chromium, headless)
if ! command -v chromium >/dev/null 2>&1; then
	echo "skip: chromium not installed"
	exit 77
fi
prof=$(mktemp -d "$T/chromium.XXXXXX")
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
	--screenshot="$T/shot.png" --window-size=1280,4000 "file://$T/busy.html" >"$T/chromium.log" 2>&1 ||
	fail "chromium failed: $(tail -n 3 "$T/chromium.log")"
[ -s "$T/shot.png" ] || fail "no screenshot"
"$PNGCHECK" "$T/shot.png" 1280 4000 || fail "screenshot"
echo "report html tests passed"
