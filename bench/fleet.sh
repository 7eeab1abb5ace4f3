#!/bin/bash
# bench/fleet.sh - headroom for many servers: the cost of `headroom import`
# per sample against `sadf -d` alone on the same sysstat file; a pull of a
# month (bytes over the wire against the database sizes, and time); the
# fleet page of 20 hosts x 31 days as retained (time and size). Noisy
# machines: compare ratios of the same run.
#
#   bench/fleet.sh [BUILD_DIR]          (default build)
#   ROUNDS=3 SA_SAMPLES=60 bench/fleet.sh
#
# Data: sadc -S XALL 1 SA_SAMPLES+1 (real time: a minute by default);
# hr-mkfixture month-rolled (31 days: 2 raw at 10 s, the rest in 5-minute
# roll-ups, as the recorder retains a month) as the remote; the pull runs
# through a local "ssh" that runs the remote command itself (the wire is a
# pipe, so time is headroom's, not the network's); the 20 hosts are hard
# links of the pulled database.
set -eu

ns=${SA_SAMPLES:-60}
. "$(dirname "$0")/lib.sh"
bench_init fleet "${1:-build}"

# 1. import against sadf -d
imp_ms="" sadf_ms=""
if [ -x /usr/lib/sysstat/sadc ] && command -v sadf >/dev/null; then
	echo "bench: recording $ns s of sysstat data..." >&2
	/usr/lib/sysstat/sadc -S XALL 1 $((ns + 1)) "$tmp/sa.data"
	n=$(sadf -d "$tmp/sa.data" -- -u | grep -vc '^#')
	import_fresh() { rm -f "$tmp/imp.db"*; "$hr" import --db "$tmp/imp.db" "$tmp/sa.data"; }
	ti=$(secs import_fresh)
	# sadf -d with the activities import asks sadf -j for (sadf.c sar_opts)
	acts=(-u ALL -P ALL -q ALL -r ALL -S -W -B -d -n DEV,EDEV,SOCK,SOCK6,TCP,ETCP,UDP -w -F MOUNT)
	ts=$(secs sadf -d "$tmp/sa.data" -- "${acts[@]}")
	tj=$(secs sadf -j "$tmp/sa.data" -- "${acts[@]}")
	sadfj_ms=$(echo "$tj * 1000 / $n" | bc -l)
	imp_ms=$(echo "$ti * 1000 / $n" | bc -l)
	sadf_ms=$(echo "$ts * 1000 / $n" | bc -l)
fi

# 2. a pull of a month
echo "bench: generating a month (about a minute)..." >&2
"$mk" month-rolled "$tmp/remote.db"
printf '#!/bin/sh\nshift\nexec sh -c "$1"\n' >"$tmp/rsh"
chmod +x "$tmp/rsh"
mkdir -p "$tmp/l"
pull_fresh() {
	rm -rf "$tmp/l/hosts"
	"$hr" pull --db "$tmp/l/headroom.db" -e "$tmp/rsh" --remote-headroom "$hr" \
		--remote-db "$tmp/remote.db" store
}
tp=$(secs pull_fresh)
bytes=$(pull_fresh | sed -n 's/.*(\([0-9]*\) bytes read).*/\1/p')
rsize=$(stat -c %s "$tmp/remote.db")
sqlite3 "$tmp/remote.db" 'VACUUM INTO '"'$tmp/vac.db'" 2>/dev/null || cp "$tmp/remote.db" "$tmp/vac.db"
vsize=$(stat -c %s "$tmp/vac.db")
lsize=$(stat -c %s "$tmp/l/hosts/store.db")
nsamp=$(sqlite3 "$tmp/remote.db" 'SELECT count(*) FROM sample')
gz=$("$hr" export --db "$tmp/remote.db" | gzip -1 | wc -c)

# 3. the fleet page: 20 hosts x 31 days
for i in $(seq -w 1 19); do ln "$tmp/l/hosts/store.db" "$tmp/l/hosts/web$i.db"; done
tf=$(secs "$hr" report --db "$tmp/l/headroom.db" --all-hosts --from 2026-10-01 --to 2026-10-31 \
	--html "$tmp/fleet.html")
fsize=$(stat -c %s "$tmp/fleet.html")
t1=$(secs "$hr" report --db "$tmp/l/hosts/store.db" --from 2026-10-01 --to 2026-10-31 \
	--html "$tmp/one.html")
osize=$(stat -c %s "$tmp/one.html")

printf '\n%-56s %12s\n' "many servers (median of $rounds, wall clock)" "value"
if [ -n "$imp_ms" ]; then
	printf '%-56s %12.3f\n' "headroom import, ms per sample ($n samples, -S XALL)" "$imp_ms"
	printf '%-56s %12.3f\n' "sadf -d alone (the same activities), ms per sample" "$sadf_ms"
	printf '%-56s %12.3f\n' "sadf -j alone (what import runs), ms per sample" "$sadfj_ms"
	printf '%-56s %12.2f\n' "  ratio import / sadf -d" "$(echo "$imp_ms / $sadf_ms" | bc -l)"
fi
printf '%-56s %12.2f\n' "pull of a month as retained ($nsamp samples), s" "$tp"
printf '%-56s %12d\n' "  bytes over the wire (export stream)" "$bytes"
printf '%-56s %12d\n' "  the same through gzip -1 (ssh -C compresses so)" "$gz"
printf '%-56s %12d\n' "  remote database file (as the fixture left it)" "$rsize"
printf '%-56s %12d\n' "  remote database, vacuumed" "$vsize"
printf '%-56s %12d\n' "  pulled database" "$lsize"
printf '%-56s %12.2f\n' "  wire / vacuumed database" "$(echo "$bytes / $vsize" | bc -l)"
printf '%-56s %12.2f\n' "fleet page, 20 hosts x 31 days as retained, s" "$tf"
printf '%-56s %12d\n' "  its size, bytes" "$fsize"
printf '%-56s %12.2f\n' "one host's page, 31 days as retained, s" "$t1"
printf '%-56s %12d\n' "  its size, bytes (target: at most 409600)" "$osize"
