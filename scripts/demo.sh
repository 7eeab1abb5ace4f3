#!/bin/bash
# The built-in example run by `make demo`:
#   1. seal a sample backup with sealfs and ship the ciphertext to a local "store",
#      then prove the store copy restores byte for byte;
#   2. record a short stretch of system activity with headroom and show the result.
# Everything lives under one temp directory, removed at the end (KEEP=1 keeps it).
set -euo pipefail
build=${1:-build}
build=$(cd "$build" && pwd)
SEALFS=$build/sealfs/sealfs
HEADROOM=$build/headroom/headroom

work=$(mktemp -d /var/tmp/sealfs-demo.XXXXXX)
cleanup() {
	for m in "$work/plain" "$work/restore"; do
		mountpoint -q "$m" 2>/dev/null && "$SEALFS" umount "$m" || true
	done
	if [ -n "${KEEP:-}" ]; then
		echo "kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
# headings in bold on a terminal, plain in a log
if [ -t 1 ]; then
	step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	step() { printf '\n== %s\n' "$*"; }
fi

step "sealfs: create an encrypted volume"
install -m 600 /dev/null "$work/pass"
echo "demo password $(date +%s)" >"$work/pass"
mkdir "$work/plain" "$work/restore" "$work/store"
"$SEALFS" init -q --passfile "$work/pass" "$work/cipher"
"$SEALFS" info "$work/cipher"

step "sealfs: the backup job writes into the mounted plaintext view"
cat "$work/pass" | "$SEALFS" mount -S "$work/cipher" "$work/plain"
mkdir -p "$work/plain/daily"
tar -C / -czf "$work/plain/daily/etc.tar.gz" etc 2>/dev/null || true
{
	echo "-- demo SQL dump, customers table"
	for i in $(seq 1 2000); do echo "INSERT INTO customers VALUES ($i, 'customer-$i', 'secret-marker-$i');"; done
} >"$work/plain/daily/customers.sql"
ls -l "$work/plain/daily"
( cd "$work/plain" && find . -type f -exec sha256sum {} + | sort -k2 ) >"$work/sums"
"$SEALFS" umount "$work/plain"
echo "sealed: the plaintext view is gone"

step "sealfs: ship the ciphertext (and its config) to the store"
rsync -a "$work/cipher/" "$work/store/"
ls -l "$work/store"
if grep -rq "secret-marker" "$work/store" || grep -rq "customers" "$work/store"; then
	echo "demo: plaintext found in the store!" >&2
	exit 1
fi
echo "no plaintext name or content in the store"

step "sealfs: restore from the store copy and compare"
cat "$work/pass" | "$SEALFS" mount -S --ro "$work/store" "$work/restore"
if ! ( cd "$work/restore" && sha256sum -c --quiet "$work/sums" ); then
	echo "demo: the store copy does not restore the files written" >&2
	exit 1
fi
echo "store copy restores byte for byte"
"$SEALFS" umount "$work/restore"

step "headroom: record a short stretch of activity"
db="$work/headroom.db"
stress-ng --cpu 1 --timeout 6s >/dev/null 2>&1 &
start=$(date '+%Y-%m-%d %H:%M:%S')
"$HEADROOM" record --foreground --interval 1 --count 8 --db "$db"
wait || true
end=$(date '+%Y-%m-%d %H:%M:%S')
# the recorded stretch, also when it crossed midnight
"$HEADROOM" report --db "$db" --from "$start" --to "$end" -u -q
step "headroom: the advisor's verdict"
echo "(a demo of seconds: 'sustained' means 4 s here instead of the default 15 min)"
"$HEADROOM" advise --db "$db" --from "$start" --to "$end" --min-sustained 4s || true
html=${DEMO_HTML:-/var/tmp/headroom-demo-report.html}	# tests write elsewhere
# the recorded stretch, judged as above
"$HEADROOM" report --db "$db" --from "$start" --to "$end" --min-sustained 4s \
	--html "$html"
echo "HTML report: $html"
