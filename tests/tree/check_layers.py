#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""check_layers.py -- the product's dependencies point one way.

Reads a CMake build's compile_commands.json and checks the sources of the
product (common/ proto/ conf/ daemon/ client/, not tests or tools):

  includes  a module is a file's path without its extension (x.c and x.h
            are one module); `cc -H` gives each file's direct includes;
            the module graph must have no cycle, so every include runs
            down a level (an include back up is a cycle);
  folders   the same graph collapsed to folders (daemon/region, conf, ...)
            must have no cycle either;
  calls     from the objects' symbol tables (nm): translation unit A
            depends on B when A references a global B defines; no two
            units may depend on each other, directly or around a loop;
  names     no two product files share a name (a file's name says what
            it holds across the whole tree).

Prints every cycle and shared name found and, with -v, each folder's
level.  Exit 0 when there is none, 1 when there are, 2 on a usage or build
problem.

usage: check_layers.py [-v] SOURCE_DIR BUILD_DIR
"""

import json
import os
import shlex
import subprocess
import sys

PRODUCT = ("common", "proto", "conf", "daemon", "client")
NOT_PRODUCT = ("client/tests", "client/bench", "client/examples")


def is_product(rel):
    """is_product -- REL (source-relative path) is product code"""
    if rel.startswith("..") or os.path.isabs(rel):
        return False
    if not rel.startswith(tuple(p + "/" for p in PRODUCT)):
        return False
    return not rel.startswith(tuple(p + "/" for p in NOT_PRODUCT))


def module(rel):
    """module -- the module of a file: its path without the extension and
    without a "_priv" suffix (x_priv.h is the private half of x's header,
    shared by the files that implement x)"""
    m = os.path.splitext(rel)[0]
    return m[:-len("_priv")] if m.endswith("_priv") else m


def folder(rel):
    """folder -- the folder a file is in (the unit of the folder check)"""
    return os.path.dirname(rel)


def compile_args(entry):
    """compile_args -- the compiler and its flags for ENTRY, minus -o/-c"""
    args = entry.get("arguments") or shlex.split(entry["command"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c":
            continue
        if a.startswith("-W") or a.startswith("-fsanitize"):
            continue
        out.append(a)
    return out


def include_edges(src, entries):
    """include_edges -- (includer, included) source-relative pairs"""
    edges = set()
    for e in entries:
        f = os.path.realpath(e["file"])
        rel = os.path.relpath(f, src)
        if not is_product(rel):
            continue
        cmd = compile_args(e) + ["-H", "-fsyntax-only", "-w"]
        p = subprocess.run(cmd, cwd=e["directory"], capture_output=True,
                           text=True)
        if p.returncode:
            sys.exit(f"check_layers: cannot compile {rel}:\n{p.stderr}")
        stack = [rel]
        for line in p.stderr.splitlines():
            dots, _, path = line.partition(" ")
            if not dots or set(dots) != {"."}:
                continue
            depth = len(dots)
            inc = os.path.relpath(os.path.realpath(
                os.path.join(e["directory"], path)), src)
            del stack[depth:]
            parent = stack[depth - 1] if depth - 1 < len(stack) else None
            stack.append(inc)
            if parent and is_product(parent) and is_product(inc):
                edges.add((parent, inc))
    return edges


def symbols(obj):
    """symbols -- (defined, referenced) global symbols of the object OBJ"""
    p = subprocess.run(["nm", "-P", obj], capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"check_layers: nm {obj}: {p.stderr}")
    defined, used = set(), set()
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            used.add(name)
        elif kind in "TDBRCGSVW":
            defined.add(name)
    return defined, used


def call_edges(src, entries):
    """call_edges -- (user, definer) source-relative pairs from the objects"""
    units = {}
    for e in entries:
        f = os.path.realpath(e["file"])
        rel = os.path.relpath(f, src)
        if not is_product(rel) or rel in units:
            continue
        args = e.get("arguments") or shlex.split(e["command"])
        obj = args[args.index("-o") + 1]
        obj = os.path.join(e["directory"], obj)
        if not os.path.exists(obj):
            sys.exit(f"check_layers: {obj} not built (build first)")
        units[rel] = symbols(obj)
    owner = {}
    for rel, (defined, _) in units.items():
        for s in defined:
            owner.setdefault(s, rel)
    edges = set()
    for rel, (_, used) in units.items():
        for s in used:
            d = owner.get(s)
            if d and d != rel:
                edges.add((rel, d))
    return edges


def cycles(nodes, edges):
    """cycles -- the strongly connected components with more than one node
    (Tarjan, iterative)"""
    succ = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    index, low, on, st, out = {}, {}, set(), [], []
    counter = [0]
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(succ[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        st.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        x = st.pop()
                        on.discard(x)
                        comp.append(x)
                        if x == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
                continue
            if w not in index:
                index[w] = low[w] = counter[0]
                counter[0] += 1
                st.append(w)
                on.add(w)
                work.append((w, iter(sorted(succ[w]))))
            elif w in on:
                low[v] = min(low[v], index[w])
    return out


def levels(nodes, edges):
    """levels -- each node's level: 0 depends on nothing, else one more
    than the highest it depends on (the graph must be acyclic)"""
    succ = {n: set() for n in nodes}
    for a, b in edges:
        succ[a].add(b)
    lv = {}

    def level(n):
        if n not in lv:
            lv[n] = 0
            lv[n] = 1 + max((level(m) for m in succ[n]), default=-1)
        return lv[n]

    for n in nodes:
        level(n)
    return lv


def report(what, nodes, edges):
    """report -- print WHAT's cycles with the edges inside each; count"""
    bad = cycles(nodes, edges)
    for comp in bad:
        inside = sorted((a, b) for a, b in edges if a in comp and b in comp)
        print(f"{what}: cycle among {', '.join(comp)}:")
        for a, b in inside:
            print(f"    {a} -> {b}")
    return len(bad)


def same_names(src, entries, inc):
    """same_names -- print product files (sources and the headers they
    include) that share a base name; count the names"""
    files = {os.path.relpath(os.path.realpath(e["file"]), src)
             for e in entries}
    files |= {f for e in inc for f in e}
    by_name = {}
    for f in sorted(files):
        if is_product(f):
            by_name.setdefault(os.path.basename(f), []).append(f)
    n = 0
    for name, paths in sorted(by_name.items()):
        if len(paths) > 1:
            print(f"names: {name} is {', '.join(paths)}")
            n += 1
    return n


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    src, build = (os.path.realpath(a) for a in args)
    try:
        with open(os.path.join(build, "compile_commands.json")) as f:
            entries = json.load(f)
    except OSError as e:
        print(f"check_layers: {e}", file=sys.stderr)
        return 2

    inc = include_edges(src, entries)
    mods = {(module(a), module(b)) for a, b in inc if module(a) != module(b)}
    mnodes = {m for e in mods for m in e}
    dirs = {(folder(a), folder(b)) for a, b in inc if folder(a) != folder(b)}
    calls = call_edges(src, entries)
    cdirs = {(folder(a), folder(b)) for a, b in calls
             if folder(a) != folder(b)}
    dnodes = {d for e in dirs | cdirs for d in e}
    cnodes = {u for e in calls for u in e}

    n = report("includes", mnodes, mods)
    n += report("folders", dnodes, dirs | cdirs)
    n += report("calls", cnodes, calls)
    n += same_names(src, entries, inc)
    if verbose and not n:
        lv = levels(dnodes, dirs | cdirs)
        for d in sorted(lv, key=lambda d: (lv[d], d)):
            print(f"level {lv[d]}: {d}")
    print(f"check_layers: {len(mnodes)} modules, {len(mods)} includes, "
          f"{len(cnodes)} units, {len(calls)} call dependencies, "
          f"{n} problems")
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
