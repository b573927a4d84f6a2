#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/vm/inside.sh -- runs inside the VM (tests/run starts it with vmrun):
# runs the suites $PMR_SUITE_DIR/NN-name.sh (default tests/vm/suites; the
# systemd boot, tests/vm/sdboot: tests/vm/systemd) in this one boot, each with
# bash, its output in $PMR_OUT/NAME/suite.log, under a per-suite timeout
# (default 600 s, or a "# pmr-timeout: SECS" line in the suite).  A
# failing or hung suite does not stop the ones after it.
# Two phases: first the suites with a "# pmr-rxe: stock" line, in lexical
# order, on the kernel's own rdma_rxe; then, when PMR_RXE_FIXED names a
# module file (tests/vm/build-rxe: rxe with the ODP copy fix), it is
# swapped in once (lib.sh's pmr_rxe_use_fixed, recorded as the case
# fixed-module of the pseudo-suite rxe-swap: rxe-swap-2 in a second boot
# after a power cut), and the other suites run, in lexical order.
# Results: $PMR_OUT/results, one line per event (read by tests/run):
#   BOOT platform kernel | BEGIN suite | PASS|FAIL|SKIP suite case secs why
#   | END suite rc secs | DONE
# Env in: PMR_SRC, PMR_BUILD, PMR_OUT, PMR_PLATFORM, PMR_RXE_IP (from
#   vmrun), PMR_SUITES (optional: space-separated suite names or globs),
#   PMR_SUITE_DIR (optional: where the suites are), PMR_QUICK,
#   PMR_POWERCUT_PHASE (2: the boot after a power cut, see
#   suites/90-powercut.sh), PMR_RXE_FIXED (optional: the fixed rdma_rxe).
#   Env out (to suites): the above + PMR_KERNEL, PMR_LOGDIR, PMR_RESULTS,
#   PMR_SUITE, PMR_LIB.
# A suite already BEGun in the results file (the boot before a power cut
# started it and never ended it) goes on in this boot: no second BEGIN.
set -u
: "${PMR_SRC:?}" "${PMR_BUILD:?}" "${PMR_OUT:?}" "${PMR_PLATFORM:?}"
PMR_KERNEL=$(uname -r)
PMR_RESULTS=$PMR_OUT/results
PMR_LIB=$PMR_SRC/tests/vm/lib.sh
PMR_RXE_IP=${PMR_RXE_IP:-10.77.0.1}
export PMR_SRC PMR_BUILD PMR_OUT PMR_PLATFORM PMR_KERNEL PMR_RESULTS
export PMR_LIB PMR_RXE_IP
mkdir -p "$PMR_OUT"
echo "BOOT $PMR_PLATFORM $PMR_KERNEL" >>"$PMR_RESULTS"
echo "[pmr] VM $PMR_PLATFORM up: kernel $PMR_KERNEL, $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"

# wanted NAME -- true when PMR_SUITES is empty or names NAME (globs allowed)
wanted()
{
	local w
	[ -n "${PMR_SUITES:-}" ] || return 0
	for w in $PMR_SUITES; do
		# shellcheck disable=SC2053
		[[ $1 == $w ]] && return 0
	done
	return 1
}

# run_suite NAME SECS CMD... -- one suite: BEGIN (unless the boot before a
# power cut began it), CMD under a timeout of SECS with its output in
# $PMR_OUT/NAME/suite.log, a FAIL when it timed out or exited non-zero
# without recording one, END; then no mount of pmem is left behind
run_suite()
{
	local name=$1 t=$2 start rc=0 secs
	shift 2
	export PMR_SUITE=$name PMR_LOGDIR=$PMR_OUT/$name
	mkdir -p "$PMR_LOGDIR"
	if grep -q -x "BEGIN $name" "$PMR_RESULTS"; then
		echo "[pmr] suite $name goes on after the power cut" >>"$PMR_LOGDIR/suite.log"
	else
		echo "BEGIN $name" >>"$PMR_RESULTS"
		: >"$PMR_LOGDIR/suite.log"
	fi
	echo "[pmr] suite $name (timeout ${t}s)"
	start=$SECONDS
	timeout -k 10 "$t" "$@" 3>&1 >>"$PMR_LOGDIR/suite.log" 2>&1 \
		</dev/null || rc=$?
	secs=$((SECONDS - start))
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL $name suite-timeout $secs killed after ${t}s" >>"$PMR_RESULTS"
		echo "[pmr] FAIL $name: suite killed after ${t}s"
	elif [ "$rc" != 0 ] && ! grep -q "^FAIL $name " "$PMR_RESULTS"; then
		echo "FAIL $name suite-exit $secs exit $rc" >>"$PMR_RESULTS"
		echo "[pmr] FAIL $name: suite exited $rc"
	fi
	echo "END $name $rc $secs" >>"$PMR_RESULTS"
	# leave no mount behind for the next suite
	awk '$1 ~ /^\/dev\/pmem/ { print $2 }' /proc/mounts |
		while read -r m; do umount -l "$m"; done
}

# suite_file S -- run the suite file S
suite_file()
{
	local t
	t=$(sed -n 's/^# pmr-timeout: *\([0-9][0-9]*\).*/\1/p' "$1" | head -n 1)
	run_suite "$(basename "$1" .sh)" "${t:-${PMR_SUITE_TIMEOUT:-600}}" bash "$1"
}

# rxe_swap -- swap in the fixed rdma_rxe ($PMR_RXE_FIXED) as the
# pseudo-suite rxe-swap (rxe-swap-N when a boot before this one swapped
# already: one BEGIN per name); a failed swap is its FAIL, and the suites
# after it run anyway
rxe_swap()
{
	local name=rxe-swap n=2
	while grep -q -x "BEGIN $name" "$PMR_RESULTS"; do
		name=rxe-swap-$n
		n=$((n + 1))
	done
	# shellcheck disable=SC2016 # expanded by the suite's bash
	run_suite "$name" 300 bash -c '. "$PMR_LIB"
		pmr_case -t 240 fixed-module pmr_rxe_use_fixed "$PMR_RXE_FIXED"
		pmr_passed'
}

# Stock suites (a "# pmr-rxe: stock" line) first, whatever their number
STOCK=() REST=()
for s in "${PMR_SUITE_DIR:-$PMR_SRC/tests/vm/suites}"/[0-9][0-9]-*.sh; do
	[ -f "$s" ] || continue
	wanted "$(basename "$s" .sh)" || continue
	if grep -q -E '^# pmr-rxe: *stock *$' "$s"; then
		STOCK+=("$s")
	else
		REST+=("$s")
	fi
done
for s in "${STOCK[@]}"; do
	suite_file "$s"
done
if [ -n "${PMR_RXE_FIXED:-}" ] && [ ${#REST[@]} -gt 0 ]; then
	echo "[pmr] rdma_rxe: ${#STOCK[@]} suite(s) ran on the stock module; swapping in $PMR_RXE_FIXED for the other ${#REST[@]}"
	rxe_swap
fi
for s in "${REST[@]}"; do
	suite_file "$s"
done
dmesg >"$PMR_OUT/dmesg.log" 2>/dev/null
echo "DONE" >>"$PMR_RESULTS"
sync
! grep -q '^FAIL ' "$PMR_RESULTS"
