#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/vm/inside.sh -- runs inside the VM (tests/run starts it with vmrun):
# runs every suite tests/vm/suites/NN-name.sh in lexical order in this one
# boot, each with bash, its output in $PMR_OUT/NAME/suite.log, under a
# per-suite timeout (default 600 s, or a "# pmr-timeout: SECS" line in the
# suite).  A failing or hung suite does not stop the ones after it.
# Results: $PMR_OUT/results, one line per event (read by tests/run):
#   BOOT platform kernel | BEGIN suite | PASS|FAIL|SKIP suite case secs why
#   | END suite rc secs | DONE
# Env in: PMR_SRC, PMR_BUILD, PMR_OUT, PMR_PLATFORM, PMR_RXE_IP (from
#   vmrun), PMR_SUITES (optional: space-separated suite names or globs),
#   PMR_QUICK, PMR_POWERCUT_PHASE (2: the boot after a power cut, see
#   suites/90-powercut.sh).  Env out (to suites): the above + PMR_KERNEL,
#   PMR_LOGDIR, PMR_RESULTS, PMR_SUITE, PMR_LIB.
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

for s in "$PMR_SRC"/tests/vm/suites/[0-9][0-9]-*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	wanted "$name" || continue
	export PMR_SUITE=$name PMR_LOGDIR=$PMR_OUT/$name
	mkdir -p "$PMR_LOGDIR"
	t=$(sed -n 's/^# pmr-timeout: *\([0-9][0-9]*\).*/\1/p' "$s" | head -n 1)
	t=${t:-${PMR_SUITE_TIMEOUT:-600}}
	if grep -q -x "BEGIN $name" "$PMR_RESULTS"; then
		echo "[pmr] suite $name goes on after the power cut" >>"$PMR_LOGDIR/suite.log"
	else
		echo "BEGIN $name" >>"$PMR_RESULTS"
		: >"$PMR_LOGDIR/suite.log"
	fi
	echo "[pmr] suite $name (timeout ${t}s)"
	start=$SECONDS
	rc=0
	timeout -k 10 "$t" bash "$s" 3>&1 >>"$PMR_LOGDIR/suite.log" 2>&1 \
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
done
dmesg >"$PMR_OUT/dmesg.log" 2>/dev/null
echo "DONE" >>"$PMR_RESULTS"
sync
! grep -q '^FAIL ' "$PMR_RESULTS"
