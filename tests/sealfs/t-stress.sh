#!/bin/bash
# t-stress.sh - four processes at once each make a fixed number of random
# create/write/truncate/rename/link/unlink/mkdir/rmdir calls (stress-ops.py,
# fixed seeds: the same work on any machine), reading back against their model
# as they go. After an unmount and a remount every file must hold what its
# model says, hard links must still be one file, and a full fsck finds nothing.
. "$(dirname "$0")/lib.sh"
need_fuse

C=$T/c M=$T/m
sfs_init "$C"
sfs_mount_fg "$C" "$M" "$T/daemon.log"

step "four workers, 2000 random operations each"
pids=()
for w in 1 2 3 4; do
	"$PY" "$SRC_DIR/tests/sealfs/stress-ops.py" "$M" "$w" "$((1000 + w))" 2000 "$T/manifest.$w" \
		>"$T/worker.$w" 2>&1 &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || fail "worker $((i + 1)): $(tail -n 3 "$T/worker.$((i + 1))" | cut -c1-300)"
done
cat "$T"/worker.* | sed 's/^/    /'

step "after a remount every file holds what its model says"
sfs_umount "$M"
sfs_mount "$C" "$M" --ro
"$PY" - "$M" "$T"/manifest.* <<'PYEOF' || fail "the tree after remount differs from the models"
import hashlib, json, os, sys
m = sys.argv[1]
for man in sys.argv[2:]:
    d = json.load(open(man))
    base = os.path.join(m, d["base"])
    seen = set()
    for root, dirnames, names in os.walk(base):
        for n in names:
            seen.add(os.path.relpath(os.path.join(root, n), base))
    want = set(d["files"])
    if seen != want:
        sys.exit(f"{d['base']}: {len(seen - want)} extra, {len(want - seen)} missing files")
    for rel, h in d["files"].items():
        with open(os.path.join(base, rel), "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != h:
                sys.exit(f"{d['base']}/{rel[:40]}: content differs")
    for g in d["links"]:
        inos = {os.stat(os.path.join(base, r)).st_ino for r in g}
        nl = {os.stat(os.path.join(base, r)).st_nlink for r in g}
        if len(inos) != 1 or nl != {len(g)}:
            sys.exit(f"{d['base']}: a hard-link group of {len(g)} is {len(inos)} inodes, nlink {nl}")
print("models match")
PYEOF
sfs_umount "$M"

step "fsck finds no damage"
printf '%s\n' "$PW" | "$SEALFS" fsck -S "$C" >"$T/fsck.out" 2>&1 || fail "fsck: $(tail -n 8 "$T/fsck.out")"
tail -n 1 "$T/fsck.out" | sed 's/^/    /'
echo "stress ok"
