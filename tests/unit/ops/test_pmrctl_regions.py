#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_pmrctl_regions.py -- pmrctl list-regions shows GEN and EXCL alike
in every form it prints from the admin socket.

A fake admin socket answers list-regions with three regions the way
daemon/admin_view.c builds them: one never held (generation 0), one held
exclusively (generation 4), one whose generation file is corrupt.  Checked:
the table's GEN and EXCL columns; -v's lines (why the generation is
unreadable, the holder's generation); -j and -j -v carry the JSON keys
unchanged; pmrctl(8) documents the columns and the keys.  (-H lists over
RDMA: the wire carries no generation, tests/vm/suites/50-ops.sh runs it.)

usage: test_pmrctl_regions.py PMRCTL SOURCE_DIR
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading


def region(name, **extra):
    """region -- one list-regions object, as admin_view.c's region_json"""
    r = {"name": name, "path": "/srv/" + name, "size": 1 << 20,
         "kind": "testing", "registration": "pinned", "access": "rw",
         "remote_write": True, "keys": "mw2", "allow": None, "psk": False,
         "granularity": "page", "persist_methods": ["server"],
         "atomic_write": "server", "rdma_atomics": False, "open_count": 0,
         "bytes_prepared": 1 << 20, "prepared": "now", "state": "serving"}
    r.update(extra)
    r.update({"persistent": False, "registration_ms": 1.5})
    return r


ANSWER = {"ok": True, "regions": [
    region("free", generation=0, exclusive_holder=None),
    region("held", open_count=1, generation=4,
           exclusive_holder="10.0.0.2:40000", exclusive_generation=4),
    region("broken", generation=None, generation_error="corrupt",
           exclusive_holder=None),
]}


def serve(listener):
    """serve -- answer every request line on LISTENER with ANSWER"""
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = conn.recv(256)
                if not chunk:
                    break
                buf += chunk
            if buf.strip() == b"list-regions":
                out = ANSWER
            else:
                out = {"ok": False, "error": "unexpected", "errno": 22}
            conn.sendall(json.dumps(out).encode() + b"\n")


def pmrctl(binary, sock, *args):
    """pmrctl -- run it on SOCK with ARGS; its stdout (exit 0 required)"""
    p = subprocess.run([binary, "-s", sock, *args, "list-regions"],
                       capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise AssertionError(f"pmrctl {' '.join(args)}: exit "
                             f"{p.returncode}: {p.stderr}")
    return p.stdout


def check_table(out):
    """check_table -- GEN and EXCL in the header and in every row"""
    lines = out.splitlines()
    head = lines[0].split()
    assert head[-3:] == ["GEN", "EXCL", "PATH"], head
    rows = {ln.split()[0]: ln.split() for ln in lines[1:]
            if not ln.startswith(" ")}
    assert sorted(rows) == ["broken", "free", "held"], rows
    want = {"free": ["0", "-"], "held": ["4", "10.0.0.2:40000"],
            "broken": ["bad", "-"]}
    for name, cols in want.items():
        assert rows[name][-3:-1] == cols, (name, rows[name])
        assert rows[name][-1] == "/srv/" + name, rows[name]


def check_verbose(out):
    """check_verbose -- -v says what GEN and EXCL leave out"""
    check_table(out)
    assert "    generation unreadable: corrupt" in out.splitlines(), out
    assert ("    held exclusively by 10.0.0.2:40000 at generation 4"
            in out.splitlines()), out
    assert out.count("held exclusively") == 1, out
    assert out.count("generation unreadable") == 1, out


def check_json(out):
    """check_json -- -j passes every generation key through unchanged"""
    d = json.loads(out)
    got = {r["name"]: r for r in d["regions"]}
    for r in ANSWER["regions"]:
        for k in ("generation", "generation_error", "exclusive_holder",
                  "exclusive_generation"):
            assert got[r["name"]].get(k, "absent") == r.get(k, "absent"), \
                (r["name"], k)


def check_man(src):
    """check_man -- pmrctl(8) names the columns and the JSON keys"""
    with open(os.path.join(src, "doc/man/pmrctl.8.md"),
              encoding="utf-8") as f:
        text = f.read()
    for col in ("GEN", "EXCL"):
        assert re.search(r"\(" + col + r":", text), f"no ({col}: ...)"
    for k in ("generation", "generation_error", "exclusive_holder",
              "exclusive_generation"):
        assert "*" + k + "*" in text, f"JSON key {k} undocumented"
    assert "held exclusively by" in text, "-v's lines undocumented"


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    binary, src = argv
    with tempfile.TemporaryDirectory(prefix="pmrctl-test-") as tmp:
        sock = os.path.join(tmp, "pmrd.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(sock)
        listener.listen(4)
        threading.Thread(target=serve, args=(listener,), daemon=True).start()
        check_table(pmrctl(binary, sock))
        check_verbose(pmrctl(binary, sock, "-v"))
        check_json(pmrctl(binary, sock, "-j"))
        pretty = pmrctl(binary, sock, "-j", "-v")
        assert len(pretty.splitlines()) > 1, "-j -v is not pretty"
        check_json(pretty)
        listener.close()
    check_man(src)
    print("test_pmrctl_regions: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
