#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/perf/opcount.sh [-n ROUNDS] [-k OUTDIR] [BUILD_DIR] -- libpmr's
# instructions per operation, counted on the host: runs pmr_opcount
# (fake verbs, no device) under valgrind's callgrind, one dump per scenario
# (set-up and warm-up zeroed out), and prints opcount_table.py's per-op
# table: total Ir/op, the fake provider's own share, the raw-verbs floor,
# libpmr's own share, and the top functions inclusive per op.
# BUILD_DIR defaults to ./build; -k keeps the callgrind files in OUTDIR.
set -euo pipefail

rounds=10000
keep=
while getopts "n:k:h" opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	k) keep=$OPTARG ;;
	*) sed -n '3,9p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/tests/perf/pmr_opcount
[ -x "$bin" ] || { echo "opcount.sh: $bin not built" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "opcount.sh: no valgrind" >&2; exit 2; }

if [ -n "$keep" ]; then
	out=$keep
	mkdir -p "$out"
	rm -f "$out"/callgrind.out.*
else
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
# -w: a tenth as warm-up (first-touch page faults and the like uncounted)
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out.%p" \
	"$bin" -n "$rounds" -w $((rounds / 10 + 1)) >"$out/run.txt" \
	2>"$out/valgrind.txt" || {
	cat "$out/run.txt" "$out/valgrind.txt" >&2
	echo "opcount.sh: pmr_opcount failed under callgrind" >&2
	exit 1
}
# one dump per scenario (CALLGRIND_DUMP_STATS_AT) and the final one
[ "$(find "$out" -name 'callgrind.out.*' | wc -l)" -gt 2 ] || {
	echo "opcount.sh: $bin made no per-scenario dumps: built without valgrind/callgrind.h (install valgrind, rebuild)" >&2
	exit 1
}
echo "pmr_opcount -n $rounds under $(valgrind --version), $(date -u +%F)"
echo "host: $(uname -m), $(${CC:-cc} --version | head -1)"
python3 "$here/opcount_table.py" "$out"
