#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# tests/vm/bench/report.py OUT [--json FILE] [--png FILE] [--check] -- turn
# the raw results of inside-bench.sh in OUT into the ratio table (stdout),
# the JSON rows and a gnuplot PNG (latency vs size, bandwidth vs queue
# depth).  Medians over the repetitions of one VM boot.  --check: exit 1
# unless the raw results parse and hold pmr and perftest rows (the quick
# suite's test; it never looks at a time).
#
# Baselines: read -> ib_read_lat (a read is a round trip, as perftest's);
# write and write+persist -> 2 x ib_write_lat (perftest prints half a round
# trip, ping-pong; a completed one-sided write is a full one); bandwidth ->
# ib_write_bw at the same size and queue depth (-t), one QP.
# The floor (pmr-floor, floor-REP.jsonl): the same op on raw verbs, timed
# like pmr-bench (read -> read, write -> write, wp-flush -> write-flush:
# WRITE + FLUSH in one post); "pmr/floor" is libpmr's own cost, and a
# wp-flush row's floor write-flush / floor write is rxe's FLUSH cost.
# Think times (gap-pmr-*.json, gap-floor-*.jsonl): 8-byte read and write of
# both tools with G ns of untimed busy waiting after each operation; the
# "think time" table compares them at equal spacing (BENCHMARKS.md: on
# kernel 7.x rxe a lone operation's latency depends on that spacing).
import glob
import json
import math
import os
import shutil
import statistics
import subprocess
import sys


def med(v):
    v = [x for x in v if x is not None and math.isfinite(x)]
    return statistics.median(v) if v else None


def read_jsonl(path):
    """the JSON objects of PATH's lines (pmr-floor's output); other lines,
    progress or a torn last line, are skipped"""
    objs = []
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            try:
                objs.append(json.loads(line))
            except ValueError:
                pass
    return objs


def load(out):
    pt = []
    with open(os.path.join(out, "perftest.tsv")) as f:
        for line in f:
            r = line.split()
            if len(r) != 8:
                continue
            pt.append({"rep": int(r[0]), "prog": r[1], "cm": int(r[2]),
                       "size": int(r[3]), "qd": int(r[4]),
                       "p50": None if r[5] == "-" else float(r[5]),
                       "p99": None if r[6] == "-" else float(r[6]),
                       "mbps": None if r[7] == "-" else float(r[7])})
    lat, bw, thr = [], [], []
    for p in sorted(glob.glob(os.path.join(out, "pmr-lat-*.json"))):
        lat += json.load(open(p))["rows"]
    for p in sorted(glob.glob(os.path.join(out, "pmr-bw-*.json"))):
        rows = json.load(open(p))["rows"]
        (thr if p.endswith("threads.json") else bw).extend(rows)
    floor = []
    for p in sorted(glob.glob(os.path.join(out, "floor-*.jsonl"))):
        floor += read_jsonl(p)
    lc = {}
    if os.path.exists(os.path.join(out, "lifecycle.tsv")):
        for line in open(os.path.join(out, "lifecycle.tsv")):
            r = line.split()
            if len(r) >= 2:
                try:
                    lc[r[0]] = float(r[1])
                except ValueError:
                    pass
    env = {}
    if os.path.exists(os.path.join(out, "env.txt")):
        for line in open(os.path.join(out, "env.txt")):
            k, _, v = line.strip().partition(" ")
            env.setdefault(k, v)
    return pt, lat, bw, thr, lc, env, floor


def load_gaps(out):
    """(tool, op, size, gap_ns, p50_us) of every think-time sample"""
    pts = []
    for p in sorted(glob.glob(os.path.join(out, "gap-pmr-*.json"))):
        try:
            d = json.load(open(p))
        except ValueError:
            continue
        for r in d.get("rows", []):
            pts.append(("pmr", r["op"], r["size"], d.get("gap_ns", 0),
                        r.get("p50_us")))
    for p in sorted(glob.glob(os.path.join(out, "gap-floor-*.jsonl"))):
        for r in read_jsonl(p):
            if "p50_us" in r:
                pts.append(("floor", r["op"], r["size"], r.get("gap_ns", 0),
                            r["p50_us"]))
    return pts


def gap_rows_of(pts):
    """per (op, size, gap): both tools' median p50 and pmr/floor"""
    keys = sorted({(op, size, gap) for _, op, size, gap, _ in pts})
    rows = []
    for op, size, gap in keys:
        def m(tool):
            return med([p for t, o, s, g, p in pts
                        if (t, o, s, g) == (tool, op, size, gap)])
        pmr, fl = m("pmr"), m("floor")
        rows.append({"op": op, "size": size, "gap_ns": gap,
                     "pmr_p50_us": pmr, "floor_p50_us": fl,
                     "pmr_over_floor": pmr / fl if (pmr and fl) else None})
    return rows


def print_gaps(rows):
    if not rows:
        return
    print("think time (untimed busy wait after each op), medians of p50:")
    print("  %-6s %6s %8s %11s %11s %9s" % (
        "op", "size", "gap", "floor p50", "pmr p50", "pmr/floor"))
    for r in rows:
        print("  %-6s %6s %6dns %9sus %9sus %9s" % (
            r["op"], human_size(r["size"]), r["gap_ns"],
            fmt(r["floor_p50_us"]), fmt(r["pmr_p50_us"]),
            fmt(r["pmr_over_floor"], "%.2f")))


def pt_med(pt, prog, size, cm=0, qd=None, key="p50"):
    v = [r[key] for r in pt if r["prog"] == prog and r["size"] == size and
         r["cm"] == cm and (qd is None or r["qd"] == qd) and
         r[key] is not None]
    return med(v)


# the pmr-floor op each pmr latency op is compared with
FLOOR_OP = {"read": "read", "write": "write", "wp-flush": "write-flush"}


def floor_med(floor, op, size, key="p50_us"):
    return med([r[key] for r in floor if r.get("op") == op and
                r.get("size") == size and key in r])


def rows_of(pt, lat, bw, lc, floor=()):
    rows = []
    for op in sorted({r["op"] for r in lat},
                     key=lambda o: ["read", "write", "wp-server", "wp-flush",
                                    "wp-raw"].index(o)
                     if o in ["read", "write", "wp-server", "wp-flush",
                              "wp-raw"] else 9):
        for size in sorted({r["size"] for r in lat if r["op"] == op}):
            sel = [r for r in lat if r["op"] == op and r["size"] == size]
            p50 = med([r["p50_us"] for r in sel])
            p99 = med([r["p99_us"] for r in sel])
            if op == "read":
                base, b = "ib_read_lat", pt_med(pt, "ib_read_lat", size)
            else:
                base = "2x ib_write_lat"
                b = pt_med(pt, "ib_write_lat", size)
                b = 2 * b if b is not None else None
            row = {"op": op, "size": size, "pmr_p50_us": p50,
                   "pmr_p99_us": p99, "baseline": base,
                   "baseline_p50_us": b,
                   "ratio": p50 / b if b else None, "reps": len(sel)}
            if op.startswith("wp-"):
                w = med([r["p50_us"] for r in lat
                         if r["op"] == "write" and r["size"] == size])
                row["ratio_vs_write"] = p50 / w if w else None
            cm = pt_med(pt, "ib_read_lat" if op == "read" else
                        "ib_write_lat", size, cm=1)
            if cm is not None:
                row["baseline_rdmacm_p50_us"] = cm if op == "read" else 2 * cm
            fo = FLOOR_OP.get(op)
            f = floor_med(floor, fo, size) if fo else None
            row["floor_p50_us"] = f
            row["floor_p99_us"] = floor_med(floor, fo, size, "p99_us") \
                if fo else None
            row["pmr_over_floor"] = p50 / f if (p50 and f) else None
            if fo == "write-flush":
                fw = floor_med(floor, "write", size)
                row["floor_ratio_vs_write"] = f / fw if (f and fw) else None
            rows.append(row)
    for size in sorted({r["size"] for r in bw}):
        for qd in sorted({r["qd"] for r in bw if r["size"] == size}):
            sel = [r for r in bw if r["size"] == size and r["qd"] == qd and
                   r["op"] == "write" and r["threads"] == 1]
            m = med([r["MBps"] for r in sel])
            b = pt_med(pt, "ib_write_bw", size, qd=qd, key="mbps")
            row = {"op": "write-bw", "size": size, "qd": qd,
                   "pmr_p50_us": None, "pmr_p99_us": None,
                   "pmr_MBps": m, "baseline": "ib_write_bw -t %d" % qd,
                   "baseline_p50_us": None, "baseline_MBps": b,
                   "ratio": m / b if (m and b) else None, "reps": len(sel)}
            cm = pt_med(pt, "ib_write_bw", size, cm=1, qd=qd, key="mbps")
            if cm is not None:
                row["baseline_rdmacm_MBps"] = cm
            rows.append(row)
    for k in sorted(lc):
        if k.startswith("prepare_MBps_"):
            sz = k[len("prepare_MBps_"):]
            m = lc.get("memset_MBps_" + sz)
            f = lc.get("memset_first_MBps_" + sz)
            rows.append({"op": "prepare", "size": sz,
                         "pmr_MBps": lc[k], "baseline": "pmem2 memset",
                         "baseline_MBps": m,
                         "ratio": lc[k] / m if m else None,
                         "baseline_first_touch_MBps": f,
                         "ratio_vs_first_touch": lc[k] / f if f else None})
    return rows


def fmt(v, f="%.1f"):
    return "-" if v is None else f % v


def human_size(s):
    if not isinstance(s, int):
        return str(s)
    for u, n in (("M", 1 << 20), ("K", 1 << 10)):
        if s >= n and s % n == 0:
            return "%d%s" % (s // n, u)
    return str(s)


def print_table(rows, thr, lc, env):
    print("pmr-bench vs perftest, %s, kernel %s, %s reps, %s" % (
        env.get("platform", "?"), env.get("kernel", "?"),
        env.get("reps", "?"), env.get("date", "?")))
    print("%-10s %6s %4s %11s %11s %11s %-17s %7s %11s %9s" % (
        "op", "size", "qd", "base p50", "pmr p50", "pmr p99", "baseline",
        "ratio", "floor p50", "pmr/floor"))
    for r in rows:
        if r["op"] == "prepare":
            continue
        if r["op"] == "write-bw":
            print("%-10s %6s %4d %9s/s %9s/s %11s %-17s %7s %11s %9s" % (
                r["op"], human_size(r["size"]), r["qd"],
                fmt(r["baseline_MBps"], "%.1fMB"), fmt(r["pmr_MBps"],
                                                       "%.1fMB"),
                "-", r["baseline"], fmt(r["ratio"], "%.2f"), "-", "-"))
        else:
            extra = ""
            if "ratio_vs_write" in r:
                extra = "  (%s x write" % fmt(r["ratio_vs_write"], "%.2f")
                if r.get("floor_ratio_vs_write") is not None:
                    extra += "; floor %s x floor write" % fmt(
                        r["floor_ratio_vs_write"], "%.2f")
                extra += ")"
            print("%-10s %6s %4s %9sus %9sus %9sus %-17s %7s %11s %9s%s" % (
                r["op"], human_size(r["size"]), "1",
                fmt(r["baseline_p50_us"]), fmt(r["pmr_p50_us"]),
                fmt(r["pmr_p99_us"]), r["baseline"], fmt(r["ratio"], "%.2f"),
                fmt(r.get("floor_p50_us"), "%.1fus"),
                fmt(r.get("pmr_over_floor"),
                                                "%.2f"), extra))
    for t in thr:
        print("%-10s %6s %4d threads=%d %.1f MB/s" % (
            "write-bw", human_size(t["size"]), t["qd"], t["threads"],
            t["MBps"]))
    if lc:
        print("lifecycle:")
        for r in rows:
            if r["op"] == "prepare":
                print("  prepare %s: %s MB/s; pmem2 memset on mapped pmem "
                      "%s MB/s: ratio %s; memset of a fresh file %s MB/s: "
                      "ratio %s" % (
                          r["size"], fmt(r["pmr_MBps"], "%.0f"),
                          fmt(r["baseline_MBps"], "%.0f"),
                          fmt(r["ratio"], "%.2f"),
                          fmt(r["baseline_first_touch_MBps"], "%.0f"),
                          fmt(r["ratio_vs_first_touch"], "%.2f")))
        for k in sorted(lc):
            if k.startswith(("restart_", "reg_ms_", "prepare_wall")):
                print("  %s = %g" % (k, lc[k]))


def plot(rows, png, title):
    if not shutil.which("gnuplot"):
        print("report: gnuplot not found, no plot", file=sys.stderr)
        return
    d = png + ".d"
    os.makedirs(d, exist_ok=True)
    ops = []
    for r in rows:
        if r["op"] in ("write-bw", "prepare") or r["pmr_p50_us"] is None:
            continue
        if r["op"] not in ops:
            ops.append(r["op"])
    with open(os.path.join(d, "lat.dat"), "w") as f:
        for op in ops:
            f.write("# %s\n" % op)
            for r in rows:
                if r["op"] == op:
                    f.write("%d %s %s %s\n" % (
                        r["size"], r["pmr_p50_us"],
                        r["baseline_p50_us"] or "NaN",
                        r.get("floor_p50_us") or "NaN"))
            f.write("\n\n")
    bw = [r for r in rows if r["op"] == "write-bw" and r["size"] == 65536]
    with open(os.path.join(d, "bw.dat"), "w") as f:
        for r in bw:
            f.write("%d %s %s\n" % (r["qd"], r["pmr_MBps"] or "NaN",
                                    r["baseline_MBps"] or "NaN"))
    lat_plots = []
    for i, op in enumerate(ops):
        lat_plots.append("'%s' index %d using 1:2 with linespoints title "
                         "'pmr %s'" % (os.path.join(d, "lat.dat"), i, op))
        if op in ("read", "write"):
            lat_plots.append("'%s' index %d using 1:3 with linespoints dt 2 "
                             "title '%s baseline'" % (
                                 os.path.join(d, "lat.dat"), i, op))
        if op in FLOOR_OP and any(r["op"] == op and r.get("floor_p50_us")
                                  for r in rows):
            lat_plots.append("'%s' index %d using 1:4 with linespoints dt 3 "
                             "title '%s floor'" % (
                                 os.path.join(d, "lat.dat"), i, op))
    script = """
set terminal pngcairo size 1400,560 noenhanced
set output '%s'
set multiplot layout 1,2 title '%s'
set logscale xy 2
set xtics ('8' 8, '64' 64, '512' 512, '4K' 4096, '64K' 65536, '1M' 1048576)
set xlabel 'size (bytes)'
set ylabel 'p50 latency (us)'
set key top left
set grid
plot %s
unset logscale
set logscale x 2
set xtics autofreq
set xlabel 'queue depth (64 KiB writes, 1 connection)'
set ylabel 'MB/s'
plot '%s' using 1:2 with linespoints title 'pmr-bench', \\
     '%s' using 1:3 with linespoints dt 2 title 'ib_write_bw'
unset multiplot
""" % (png, title, ", ".join(lat_plots) or "1/0 notitle",
       os.path.join(d, "bw.dat"), os.path.join(d, "bw.dat"))
    term_ok = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"],
                             capture_output=True).returncode == 0
    if not term_ok:
        script = script.replace("pngcairo size 1400,560 noenhanced",
                                "png size 1400,560 noenhanced")
    with open(os.path.join(d, "plot.gp"), "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", os.path.join(d, "plot.gp")], check=False)


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__ or "usage: report.py OUT [--json F] [--png F] "
              "[--check]", file=sys.stderr)
        return 2
    out = a[0]
    opt = {}
    i = 1
    while i < len(a):
        if a[i] == "--check":
            opt["check"] = True
            i += 1
        else:
            opt[a[i]] = a[i + 1]
            i += 2
    pt, lat, bw, thr, lc, env, floor = load(out)
    rows = rows_of(pt, lat, bw, lc, floor)
    gaps = gap_rows_of(load_gaps(out))
    print_table(rows, thr, lc, env)
    print_gaps(gaps)
    skipped = {}
    for r in floor:
        if "skipped" in r:
            skipped.setdefault(r.get("op"), r["skipped"])
    for op, why in sorted(skipped.items()):
        print("floor %s skipped: %s" % (op, why))
    doc = {"platform": env.get("platform"), "kernel": env.get("kernel"),
           "date": env.get("date"), "reps": env.get("reps"),
           "quick": env.get("quick"), "rows": rows, "threads": thr,
           "lifecycle": lc, "floor_skipped": skipped, "gap_rows": gaps}
    if "--json" in opt:
        with open(opt["--json"], "w") as f:
            json.dump(doc, f, indent=1)
    if "--png" in opt:
        plot(rows, opt["--png"], "pmrd %s, kernel %s, %s" % (
            env.get("platform"), env.get("kernel"), env.get("date")))
    if opt.get("check"):
        ok = (any(r["op"] == "read" and r["pmr_p50_us"] for r in rows) and
              any(r["op"] == "write" and r["baseline_p50_us"]
                  for r in rows) and
              any(r["op"] == "write-bw" and r["pmr_MBps"] for r in rows) and
              any(r["op"] == "prepare" for r in rows) and
              any(r["op"] == "read" and r.get("floor_p50_us")
                  for r in rows) and
              (env.get("gaps") == "" or
               any(r["op"] == "read" and r["gap_ns"] and
                   r["pmr_over_floor"] for r in gaps)))
        print("check: %s" % ("rows present" if ok else "ROWS MISSING"))
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
