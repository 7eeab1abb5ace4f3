#!/usr/bin/env python3
# sarcmp.py SAR_TEXT HEADROOM_TEXT - compare the "Average:" rows of two
# sar-style reports table by table, column by column (by name), each value
# to the precision printed: they may differ by one unit of the last digit
# (sar averages raw counters, headroom the per-interval values sar printed).
# Keyed tables (CPU, DEV, IFACE) match rows by key. Prints each check;
# exits 1 on a mismatch or when a table or key of sar is missing.
# One exception, by construction: sar averages CPU shares over the clock
# ticks of the whole file, which a file does not keep per interval (sadf
# prints shares), so headroom weights each interval's shares by its
# length; ticks per second jitter on a loaded VM, so the CPU table may
# differ by up to CPU_TOL points. Likewise sar divides each interval's
# counts by its exact length (from the uptime in hundredths), while sadf
# prints whole seconds: on a loaded machine intervals jitter by a few
# percent and per-second rates may differ by RATE_REL of their value.
# Gauges (kB, counts, load) average exactly.
import re, sys

CPU_TOL = 0.3
RATE_REL = 0.01

def isnum(s):
    return re.match(r"^-?[\d.]+$", s) is not None

def tables(path):
    out = {}  # header tuple -> {key: {column: value}}
    head = None
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.split()
        if not f or "RESTART" in line:
            continue
        if re.match(r"^\d\d:\d\d:\d\d$", f[0]) and len(f) > 2 and not isnum(f[2]):
            head = tuple(f[1:])
            out.setdefault(head, {})
        elif f[0] == "Average:" and head:
            vals = f[1:]
            if head[0] in ("CPU", "DEV", "IFACE"):
                out[head][vals[0]] = dict(zip(head[1:], vals[1:]))
            else:
                out[head][""] = dict(zip(head, vals))
    return out

sar, hr = tables(sys.argv[1]), tables(sys.argv[2])
bad = checked = 0
for head, rows in sar.items():
    # our table: the one that shares the first column and the most names
    best = None
    for h2, r2 in hr.items():
        if h2[0] != head[0]:
            continue
        common = set(head) & set(h2)
        if len(common) >= 2 and (best is None or len(common) > best[0]):
            best = (len(common), h2, r2)
    if best is None:
        print(f"missing table: {' '.join(head)}")
        bad += 1
        continue
    _, h2, r2 = best
    for key, vals in rows.items():
        if key not in r2:
            print(f"missing key {key!r} in table {' '.join(head)}")
            bad += 1
            continue
        for col, sv in vals.items():
            if col not in r2[key]:
                continue
            hv = r2[key][col]
            try:
                a, b = float(sv), float(hv)
            except ValueError:
                continue
            dec = len(sv.split(".")[1]) if "." in sv else 0
            tol = 10 ** -dec * 1.001
            if head[0] == "CPU":
                tol = max(tol, CPU_TOL)
            elif "/s" in col or col in ("tps", "%util", "aqu-sz", "await", "areq-sz", "%ifutil"):
                tol = max(tol, RATE_REL * abs(a))
            ok = abs(a - b) <= tol
            checked += 1
            if not ok:
                bad += 1
                print(f"MISMATCH {head[0]} {key} {col}: sar {sv} headroom {hv}")
print(f"{checked} values compared, {bad} problems")
sys.exit(1 if bad or checked == 0 else 0)
