#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 60-bench-quick.sh -- keeps the benchmark tool chain working: one quick
# repetition of tests/vm/bench/inside-bench.sh (region lifecycle figures,
# pmrd on emulated pmem, one perftest pair per baseline, pmr-bench latency
# and bandwidth; where pmrd's ODP self-test says "verified" -- trixie, after
# the fixed rdma_rxe -- one fsdax and one devdax session with first touch,
# ~45 s), then its output must parse: pmr-bench's JSON is valid and
# report.py finds pmr and perftest rows (and the fsdax/devdax and
# first-touch rows where the run planned them).  Never asserts a time.
# pmr-timeout: 600
set -eu
. "$PMR_LIB"

OUT=$PMR_LOGDIR/bench

# bench_quick -- the quick run itself
bench_quick()
{
	bash "$PMR_SRC/tests/vm/bench/inside-bench.sh" --quick "$OUT"
}

# json_valid -- every pmr-bench JSON file parses and has rows (one python3
# for all of them: a process start costs seconds under emulation)
json_valid()
{
	local f files=()
	for f in "$OUT"/pmr-*.json "$OUT"/dax-*.json; do
		[ -f "$f" ] && files+=("$f")
	done
	echo "${#files[@]} JSON files"
	[ "${#files[@]}" -ge 2 ] || return 1
	python3 -c 'import json, sys
for p in sys.argv[1:]:
    d = json.load(open(p))
    assert d["tool"] == "pmr-bench" and d["rows"], "%s: no rows" % p
    for r in d["rows"]:
        assert r["op"] and r["size"] > 0, "%s: bad row %r" % (p, r)' "${files[@]}"
}

# report_rows -- the ratio table has pmr and perftest rows
report_rows()
{
	python3 "$PMR_SRC/tests/vm/bench/report.py" "$OUT" --check \
		--json "$OUT/bench.json"
}

pmr_case -t 480 bench-quick bench_quick
pmr_case pmr-bench-json json_valid
pmr_case bench-report report_rows
