#!/bin/bash
# headroom graph over the fixture databases: every panel alone in PNG and
# SVG (the PNG decodes, has the asked size and is not uniform; the SVG
# parses as XML), all panels in one PDF (one page), a gap, a 31-day range,
# a reboot inside the range (a dashed line on every chart, the advisor's
# stretches shaded and labelled), "no data" for an empty range, and the
# usage errors. TZ=Europe/Berlin.
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

for sc in busy idle dst empty gap month-5m reboot; do
	"$MK" "$sc" "$T/$sc.db" || fail "hr-mkfixture $sc"
done
xmlok() { python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$1" ||
	fail "$1 is not well-formed XML"; }

PANELS="cpu load procs memory swap paging disk sockets net neterr psi"
# charts per panel (the panel table of headroom/analyze/panels.c)
charts() { case $1 in procs|swap|paging) echo 2 ;; disk) echo 3 ;; *) echo 1 ;; esac; }

range() { # scenario -> range arguments
	case $1 in
	idle) echo "--from 2026-11-26 --to 2026-11-28" ;;
	dst | reboot) echo "--from 2026-10-24 --to 2026-10-25" ;;
	month-5m) echo "--from 2026-10-29 --to 2026-11-28" ;;
	*) echo "--from 2026-11-28" ;;
	esac
}

for sc in busy idle dst gap month-5m reboot empty; do
	for p in $PANELS; do
		# shellcheck disable=SC2046
		"$HR" graph --db "$T/$sc.db" $(range "$sc") --panel "$p" --width 900 --height 200 \
			-o "$T/$sc-$p.png" || fail "graph $sc $p png"
		"$PNGCHECK" "$T/$sc-$p.png" 900 $((40 + 200 * $(charts "$p"))) >/dev/null ||
			fail "$($PNGCHECK "$T/$sc-$p.png" 900 $((40 + 200 * $(charts "$p"))))"
		# shellcheck disable=SC2046
		"$HR" graph --db "$T/$sc.db" $(range "$sc") --panel "$p" -o "$T/$sc-$p.svg" ||
			fail "graph $sc $p svg"
		xmlok "$T/$sc-$p.svg"
		if [ "$sc" = empty ]; then
			grep -q ': no data' "$T/$sc-$p.svg" || fail "empty $p: no 'no data' in the SVG"
		elif grep -q ': no data' "$T/$sc-$p.svg"; then
			fail "$sc $p: a panel says no data: $(grep -o '<desc>.*</desc>' "$T/$sc-$p.svg")"
		fi
	done
	echo "ok: $sc: every panel as PNG and SVG"
done

# every panel in one image (the default), and in one PDF page
"$HR" graph --db "$T/busy.db" --from 2026-11-28 -o "$T/all.png" || fail "graph all png"
"$PNGCHECK" "$T/all.png" 1200 0 || fail "all.png"
"$HR" graph --db "$T/busy.db" --from 2026-11-28 -o "$T/all.pdf" || fail "graph all pdf"
[ "$(pdfinfo "$T/all.pdf" | awk '/^Pages:/ {print $2}')" = 1 ] || fail "all.pdf: not one page"
pdftotext "$T/all.pdf" - | grep -q "CPU utilisation" || fail "all.pdf: no CPU title"
"$HR" graph --db "$T/busy.db" --from 2026-11-28 --panel cpu,disk,net -o "$T/some.svg" || fail "some"
xmlok "$T/some.svg"
grep -q '<desc>CPU utilisation (all cores); Disk throughput; Disk await (queue + service time); Disk utilisation; Network traffic</desc>' "$T/some.svg" ||
	fail "some.svg: unexpected panels: $(grep -o '<desc>.*</desc>' "$T/some.svg")"
# an empty range of a database with data: every chart says no data
"$HR" graph --db "$T/busy.db" --from 2026-11-20 -o "$T/none.pdf" || fail "graph none"
pdftotext "$T/none.pdf" - | grep -c "no data" | grep -qx 16 || fail "none.pdf: not 16 'no data'"
echo "ok: stacked panels, PDF, no data"

# more disks than a chart draws: the title says how many are shown
cp "$T/busy.db" "$T/disks.db"
for d in vdb vdc vdd vde vdf vdg vdh vdi vdj; do
	q "$T/disks.db" "INSERT INTO disk SELECT sample, stat, '$d', tps, rkbps, wkbps, dkbps, await_ms, aqu_sz, util_pct FROM disk WHERE dev = 'sda'" ||
		fail "adding disk $d"
done
"$HR" graph --db "$T/disks.db" --from 2026-11-28 --panel disk -o "$T/disks.pdf" || fail "graph 11 disks"
[ "$(pdftotext "$T/disks.pdf" - | grep -c "(8 of 11 shown)")" = 3 ] ||
	fail "11 disks: the three disk charts do not say '(8 of 11 shown)'"
pdftotext "$T/all.pdf" - | grep -q "shown)" && fail "all.pdf: (N of M shown) with 2 disks"
echo "ok: more disks than drawn"
# the dashed lines are the advisor's thresholds, from the config file too
printf 'THRESHOLD_DISK_UTIL_PCT=50\nTHRESHOLD_CPU_BUSY_PCT=70\n' >"$T/th.conf"
"$HR" graph -c "$T/th.conf" --db "$T/busy.db" --from 2026-11-28 --panel cpu,disk -o "$T/th.pdf" || fail "graph -c th.conf"
pdftotext "$T/th.pdf" - | grep -q "70% busy" && pdftotext "$T/th.pdf" - | grep -q "50% busy" ||
	fail "threshold lines do not follow THRESHOLD_CPU_BUSY_PCT/THRESHOLD_DISK_UTIL_PCT: $(pdftotext "$T/th.pdf" - | grep busy | tr '\n' ' ')"
# PSI: one line per distinct threshold, naming its resources (not one line
# labelled with three values)
printf 'THRESHOLD_MEM_PSI_PCT=10\nTHRESHOLD_CPU_PSI_PCT=20\nTHRESHOLD_IO_PSI_PCT=20\n' >"$T/psi.conf"
"$HR" graph -c "$T/psi.conf" --db "$T/busy.db" --from 2026-11-28 --panel psi -o "$T/psi.pdf" || fail "graph -c psi.conf"
pdftotext "$T/psi.pdf" - >"$T/psi.txt"
grep -q "10% stalled: memory" "$T/psi.txt" && grep -q "20% stalled: cpu, io" "$T/psi.txt" ||
	fail "PSI threshold lines: $(grep stalled "$T/psi.txt" | tr '\n' ' ')"
echo "ok: threshold lines from the advisor's thresholds"
# one hour: the axis counts minutes (ticks every 5 or 10 minutes) and the
# line covers the hour
"$HR" graph --db "$T/busy.db" --from "2026-11-28 10:00" --to "2026-11-28 11:00" --panel cpu -o "$T/hour.pdf" ||
	fail "graph one hour"
pdftotext "$T/hour.pdf" "$T/hour.txt" || fail "pdftotext hour.pdf"
grep -q "10:30" "$T/hour.txt" && grep -q "10:10" "$T/hour.txt" ||
	fail "one hour: no minute ticks on the axis: $(tr '\n' ' ' <"$T/hour.txt")"
"$HR" graph --db "$T/busy.db" --from "2026-11-28 10:00" --to "2026-11-28 11:00" --panel cpu -o "$T/hour.svg" ||
	fail "graph one hour svg"
xmlok "$T/hour.svg"
grep -q ': no data' "$T/hour.svg" && fail "one hour: no data"
echo "ok: one hour"
# a reboot inside the range: labelled on each of the 16 charts; the CPU pegged
# 22:00-02:30 is shaded as the advisor's cpu-busy stretch on the CPU and load
# charts, on both sides of the reboot (it splits the stretch); no reboot where
# there is none
"$HR" graph --db "$T/reboot.db" --from 2026-10-24 --to 2026-10-25 -o "$T/reboot.pdf" || fail "graph reboot"
pdftotext "$T/reboot.pdf" "$T/reboot.txt" || fail "pdftotext reboot.pdf"
[ "$(grep -o "reboot" "$T/reboot.txt" | wc -l)" = 16 ] ||
	fail "reboot.pdf: expected 16 reboot labels, got $(grep -o "reboot" "$T/reboot.txt" | wc -l)"
[ "$(grep -o "cpu-busy" "$T/reboot.txt" | wc -l)" = 4 ] ||
	fail "reboot.pdf: expected cpu-busy on both stretches of 2 charts, got $(grep -o "cpu-busy" "$T/reboot.txt" | wc -l)"
"$HR" graph --db "$T/busy.db" --from 2026-11-28 -o "$T/busy.pdf" || fail "graph busy pdf"
pdftotext "$T/busy.pdf" - | grep -q reboot && fail "busy.pdf: a reboot where there is none"
pdftotext "$T/busy.pdf" - | grep -q "cpu-busy" || fail "busy.pdf: the CPU pegged 09:00-13:00 is not marked"
echo "ok: reboot lines and the advisor's stretches"
# usage errors
expect_error 2 "$HR" graph --db "$T/busy.db"
expect_error 2 "$HR" graph --db "$T/busy.db" -o "$T/x.jpg"
expect_error 2 "$HR" graph --db "$T/busy.db" --panel cpu,bogus -o "$T/x.png"
expect_error 2 "$HR" graph --db "$T/busy.db" --width 10 -o "$T/x.png"
expect_error 2 "$HR" graph --db "$T/busy.db" --from 2026-11-29 --to 2026-11-28 -o "$T/x.png"
expect_error 1 "$HR" graph --db "$T/nonexistent.db" -o "$T/x.png"
expect_error 1 "$HR" graph --db "$T/busy.db" --from 2026-11-28 -o "$T/no/such/dir.png"
"$HR" graph --help | grep -q "usage: headroom graph" || fail "graph --help"
"$HR" --help | grep -q "graph" || fail "headroom --help lists no graph"
echo "graph tests passed"
