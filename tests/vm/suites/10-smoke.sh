#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 10-smoke.sh -- proves the test bed is real and asserts the kernel facts
# pmrd's region/MR strategy relies on (if a kernel changes one, this fails):
#   - rxe0 is PORT_ACTIVE; rping over rdmacm to the rxe IP works;
#   - ODP caps: none on 6.1, RC read/write on >= 6.15 (rxe ODP);
#     FLUSH global+persistent caps: from 6.2;
#   - ext4 and xfs -o dax files map with MAP_SYNC; pinned ibv_reg_mr on such
#     a mapping fails with EOPNOTSUPP (no FOLL_LONGTERM on fsdax);
#     ODP ibv_reg_mr works where the device reports ODP, else EINVAL;
#   - devdax: pinned ibv_reg_mr works; with rdma-core >= 45 (trixie) an MR
#     with IBV_ACCESS_FLUSH_PERSISTENT|FLUSH_GLOBAL works too;
#   - the guest's clocksource is tsc (vmrun boots with tsc=reliable, so
#     clock_gettime is a vDSO read, not an emulated HPET syscall: the
#     benchmarks' timing and libpmr's spin loop rely on it).
# PMR_SMOKE_BREAK=rxe_ip points rping at a wrong IP: proves a broken probe
# fails the run (see tests/vm/README.md).  PMR_QUICK=1 skips the xfs cases.
# pmr-timeout: 600
# pmr-rxe: stock
set -eu
. "$PMR_LIB"

MNT=/mnt/pmr-smoke
MIB=64
PROBE=$(pmr_bin pmr_probe) || {
	pmr_fail probe-built "pmr_probe not found in $PMR_BUILD"
	exit 1
}
if kernel_at_least 6 15; then ODP=yes; else ODP=no; fi
if kernel_at_least 6 2; then FLUSH=yes; else FLUSH=no; fi
# ODP registration on fsdax: works with ODP, EINVAL without
if [ "$ODP" = yes ]; then ODP_REG=ok; else ODP_REG=EINVAL; fi
# FLUSH access flags exist in rdma-core >= 45 only
HAVE_FLUSH=$("$PROBE" features | sed -n 's/^flush-access: //p')
pmr_say "kernel $PMR_KERNEL: expect ODP $ODP, FLUSH caps $FLUSH; probe FLUSH access flags: $HAVE_FLUSH"

# devinfo -- rxe0 exists and its port is active
devinfo()
{
	ibv_devinfo -d "$(rxe_dev)"
	ibv_devinfo -d "$(rxe_dev)" | grep -q PORT_ACTIVE
}

# rping_pair -- rping server and client over rdmacm on the rxe IP
rping_pair()
{
	local ip target out
	ip=$(rxe_ip)
	target=$ip
	[ "${PMR_SMOKE_BREAK:-}" = rxe_ip ] && target=10.77.0.99
	pmr_daemon_start rping-server rping -s -a "$ip" -C 10 -v
	rdma_wait_listen 7174 || {
		pmr_daemon_stop rping-server || true
		return 1
	}
	out=$(rping -c -a "$target" -C 10 -v 2>&1) || {
		echo "$out"
		echo "rping client to $target failed"
		pmr_daemon_stop rping-server || true
		return 1
	}
	echo "$out"
	pmr_daemon_wait rping-server 10 || {
		echo "rping server did not finish cleanly"
		pmr_daemon_stop rping-server || true
		cat "$(pmr_daemon_log rping-server)"
		return 1
	}
	cat "$(pmr_daemon_log rping-server)"
	[ "$(echo "$out" | grep -c 'ping data')" = 10 ]
}

# fsdax_facts FS -- MAP_SYNC, pinned MR and (ext4) ODP MR on an FS-dax file
fsdax_facts()
{
	local fs=$1
	pmr_case "$fs-dax-mount" pmem_fsdax "$fs" "$MNT"
	pmr_passed || {
		pmr_skip "$fs-dax-facts" "no $fs -o dax filesystem"
		return 0
	}
	pmr_case "$fs-dax-mapsync" "$PROBE" mapsync "$MNT/probe" "$MIB"
	pmr_case "$fs-dax-reg-pinned-eopnotsupp" "$PROBE" reg "$MNT/probe" \
		"$MIB" pinned --expect EOPNOTSUPP
	if [ "$fs" = ext4 ]; then
		pmr_case "$fs-dax-reg-odp-$ODP_REG" "$PROBE" reg "$MNT/probe" \
			"$MIB" odp --expect "$ODP_REG"
		if [ "$HAVE_FLUSH" = yes ] && [ "$ODP" = yes ]; then
			pmr_case "$fs-dax-reg-odp-flush" "$PROBE" reg \
				"$MNT/probe" "$MIB" odp-flush
		fi
	fi
	pmem_release
}

# clocksource_tsc -- the kernel times with the TSC (vDSO clock_gettime)
clocksource_tsc()
{
	local cs
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
	echo "current clocksource: $cs; available:" \
		"$(cat /sys/devices/system/clocksource/clocksource0/available_clocksource)"
	grep -o 'tsc=[a-z]*' /proc/cmdline || echo "no tsc= on the kernel command line"
	[ "$cs" = tsc ]
}

pmr_case clocksource-tsc clocksource_tsc
pmr_case devinfo-port-active devinfo
pmr_case rping-rdmacm rping_pair
pmr_case "caps-odp-$ODP-flush-$FLUSH" "$PROBE" caps --odp "$ODP" \
	--flush "$FLUSH"
# the probe tells DAX from non-DAX: MAP_SYNC is refused on tmpfs
pmr_case tmpfs-mapsync-eopnotsupp "$PROBE" mapsync /run/pmr-smoke-probe \
	"$MIB" --expect EOPNOTSUPP
rm -f /run/pmr-smoke-probe
fsdax_facts ext4
if [ "${PMR_QUICK:-}" = 1 ]; then
	pmr_skip xfs-dax-facts "quick run"
else
	fsdax_facts xfs
fi

pmr_case devdax-create pmem_devdax
if pmr_passed && DAX=$(pmem_daxdev); then
	pmr_case devdax-reg-pinned "$PROBE" reg "$DAX" "$MIB" pinned
	if [ "$HAVE_FLUSH" = yes ]; then
		pmr_case devdax-reg-flush "$PROBE" reg "$DAX" "$MIB" flush
	else
		pmr_skip devdax-reg-flush "rdma-core < 45 has no IBV_ACCESS_FLUSH_*"
	fi
else
	pmr_skip devdax-reg "no devdax device"
fi
