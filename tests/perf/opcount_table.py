#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""opcount_table.py -- the per-operation table from pmr_opcount's
callgrind dumps (tests/perf/opcount.sh).

Reads OUTDIR/run.txt (pmr_opcount's output: each scenario's operation
count and floor) and the callgrind.out.* dumps in OUTDIR (one per scenario,
named by its CALLGRIND_DUMP_STATS_AT), asks callgrind_annotate for each
dump's self and inclusive cost per function, and prints, per scenario:
  Ir/op     every instruction between the dump's zeroing and the dump,
            divided by the operations (the loop and the round's call
            included: a few instructions, in the floor too)
  fake/op   the fake provider's own (self) instructions (fake_verbs.c)
            and the fake server's (server_respond, inclusive): what a real
            provider and pmrd would spend instead
  floor     the same for the raw-verbs loop posting the same work requests
  own/op    libpmr's own: (Ir - fake) - (floor Ir - floor fake)
and then the functions with the most instructions per operation,
inclusive and self.

usage: opcount_table.py OUTDIR
"""

import glob
import os
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.+?)(?:\s+\[.*\])?$")
# frames every scenario has: not worth a column
SKIP = re.compile(r"^(main|\(below main\)|__libc_start_\S+|0x[0-9a-f]+|"
                  r"run|r_\w+)$")
TOP = 9


def annotate(path, inclusive):
    """annotate -- {file:function: Ir} of the dump PATH, self or
    inclusive"""
    cmd = ["callgrind_annotate", "--threshold=100", "--auto=no",
           f"--inclusive={'yes' if inclusive else 'no'}",
           os.path.abspath(path)]
    # from /: file names stay absolute (from elsewhere callgrind_annotate
    # lists some functions twice, once under a relative name)
    p = subprocess.run(cmd, capture_output=True, text=True, check=True,
                       cwd="/")
    cost, trigger, total = {}, None, None
    for line in p.stdout.splitlines():
        if line.startswith("Trigger: Client Request: "):
            trigger = line.split(": ", 2)[2].strip()
            continue
        m = LINE.match(line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        what = m.group(2)
        if what == "PROGRAM TOTALS":
            total = n
            continue
        cost[what] = max(cost.get(what, 0), n)
    return trigger, total, cost


def fn_cost(cost, fn):
    """fn_cost -- the cost of function FN in COST (any file), or 0"""
    return max((n for w, n in cost.items() if w.rpartition(":")[2] == fn),
               default=0)


def short(what):
    """short -- file:function as basename:function"""
    f, _, fn = what.rpartition(":")
    return f"{os.path.basename(f)}:{fn}" if f else fn


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    out = argv[0]
    ops, floor = {}, {}
    with open(os.path.join(out, "run.txt")) as f:
        for line in f:
            m = re.match(r"^(\S+)\s+ok\s+ops (\d+) .*floor (\S+)$", line)
            if m:
                ops[m.group(1)] = int(m.group(2))
                floor[m.group(1)] = m.group(3)
    res = {}
    for path in glob.glob(os.path.join(out, "callgrind.out.*")):
        name, total, incl = annotate(path, True)
        if name not in ops:
            continue  # the final dump at exit: set-up and checks
        _, _, self_ = annotate(path, False)
        fake = sum(n for w, n in self_.items()
                   if w.rpartition(":")[0].endswith("fake_verbs.c"))
        # the fake server (SERVER persists): decoding the request and
        # encoding the response are pmrd's work; its call into the fake
        # is in the sum above already
        fake += fn_cost(incl, "server_respond") - \
            fn_cost(incl, "fake_verbs_respond")
        n = ops[name]
        res[name] = dict(ir=total / n, fake=fake / n,
                         incl={w: c / n for w, c in incl.items()},
                         self={w: c / n for w, c in self_.items()})

    print()
    print("| operation | Ir/op | fake/op | floor | floor Ir/op | "
          "floor fake/op | libpmr own/op |")
    print("|---|---:|---:|---|---:|---:|---:|")
    order = sorted(res, key=lambda s: (s.startswith("floor"), s))
    ordered = [s for s in ops if s in res]  # pmr_opcount's order
    for s in ordered or order:
        r = res[s]
        fl = floor.get(s, "-")
        if fl in res:
            f = res[fl]
            own = (r["ir"] - r["fake"]) - (f["ir"] - f["fake"])
            print(f"| {s} | {r['ir']:.0f} | {r['fake']:.0f} | {fl} | "
                  f"{f['ir']:.0f} | {f['fake']:.0f} | {own:.0f} |")
        else:
            print(f"| {s} | {r['ir']:.0f} | {r['fake']:.0f} | - | | | |")
    for kind, what in (("incl", "inclusive"), ("self", "self")):
        print()
        print(f"Top functions, {what} instructions per operation "
              "(verbs.h:F is the ibv_wr_*/ibv_poll_cq code inlined into F):")
        for s in ordered or order:
            top = sorted(((c, w) for w, c in res[s][kind].items()
                          if not SKIP.match(w.rpartition(":")[2])),
                         reverse=True)[:TOP]
            print(f"  {s}: " + ", ".join(f"{short(w)} {c:.0f}"
                                         for c, w in top if c >= 0.5))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
