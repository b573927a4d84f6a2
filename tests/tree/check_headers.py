#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""check_headers.py -- every C file of the tree opens the one way.

Line 1 of each .c and .h file under SOURCE_DIR (build trees and hidden
folders skipped) is exactly SPDX below, and its first comment names the
file: "NAME -- purpose" within the first six lines.  Prints each file that
does not; exit 1 if any, 0 if none.

usage: check_headers.py SOURCE_DIR
"""

import os
import sys

SPDX = "/* SPDX-License-Identifier: BSD-3-Clause */"


def c_files(src):
    """c_files -- the .c and .h files under SRC, not in build trees"""
    for top, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs
                         if not d.startswith((".", "build")))
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(top, f)


def problems(path):
    """problems -- what is wrong with PATH's first lines"""
    with open(path, encoding="utf-8", errors="replace") as f:
        head = [f.readline().rstrip("\n") for _ in range(6)]
    out = []
    if head[0] != SPDX:
        out.append(f"line 1 is not '{SPDX}'")
    name = os.path.basename(path) + " -- "
    if not any(name in line for line in head[1:]):
        out.append(f"no '{name}purpose' line in its first comment")
    return out


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    src = argv[0]
    n = bad = 0
    for path in c_files(src):
        n += 1
        p = problems(path)
        if p:
            bad += 1
            print(f"{os.path.relpath(path, src)}: {'; '.join(p)}")
    print(f"check_headers: {n} files, {bad} not as the others")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
