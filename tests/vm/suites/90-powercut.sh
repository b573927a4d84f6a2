#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 90-powercut.sh -- a power cut while clients write and persist: after it,
# every acknowledged record is on the NVDIMM and pmrd starts cleanly on it.
# Two boots (tests/run drives both; tests/vm/README.md, "Power cut"):
#   1. (last suite of the normal boot) pmrd serves the devdax namespace, two
#      pmr-ackwriters write and persist records, their ack logs in this
#      suite's log dir, which is the host's (9p: every append + fsync is a
#      write on the host file before the call returns).  After 200 acks the
#      first writer creates the marker file "cut" there; vmrun, on the
#      host, SIGKILLs qemu the moment it appears, writers still writing.
#   2. (PMR_POWERCUT_PHASE=2, a short second boot on the same NVDIMM
#      image) the namespace is still devdax, pmrd starts on the same region
#      (no preparation), pmr-verify finds every acknowledged record over
#      RDMA, and again on a local mapping with pmrd stopped.
# Where the ODP self-test verifies the device (trixie after the fixed
# rdma_rxe is swapped in, which inside.sh does again in the second boot),
# an fsdax region joins: a file on ext4 -o dax on the second NVDIMM
# (namespace1.0), served by a second pmrd (its own port and admin socket,
# so the devdax part does not depend on it) with an ODP MR, and two more
# writers (the cheapest method, FLUSH there, and SERVER) that have acked
# records before writer 1 starts.  Phase 2 mounts the filesystem as the
# cut left it, the second pmrd finds the file prepared (data kept, nothing
# zeroed again), and every acknowledged record is verified over RDMA and
# in the file.  Without a verified ODP (bookworm's 6.1 rxe has none) the
# suite stays devdax-only and says so (a skip).
# What this proves: qemu backs the emulated NVDIMM with a shared mapping of
# a host file, so every store the guest made is in that file when qemu is
# killed -- there are no volatile CPU caches or ADR domain to lose.  It
# tests pmrd's restart and the ack discipline (nothing acknowledged before
# it was written and its persist call returned), NOT cache-flush
# correctness on real persistent memory.
# pmr-timeout: 600
set -eu
. "$PMR_LIB"

PMRD=$(pmr_bin pmrd) || {
	pmr_fail pmrd-built "pmrd not found in $PMR_BUILD"
	exit 1
}
ACKW=$(pmr_bin pmr-ackwriter)
VERIFY=$(pmr_bin pmr-verify)
IP=$(rxe_ip)
PORT=7471
CONF=/run/pmr-powercut.conf
CUT=$PMR_LOGDIR/cut # vmrun's PMRD_VM_CUT_MARKER (tests/run sets both)
ACKS=200	    # acknowledged records of writer 1 before the cut
PHASE=${PMR_POWERCUT_PHASE:-1}
FS_PORT=7472
FS_MNT=/mnt/pmr-powercut
FS_CONF=/run/pmr-powercut-fs.conf
FS_MARK=$PMR_LOGDIR/fsdax-writers # phase 1 -> 2: the fsdax writers ran
EXPECT=$(pmr_odp_expect)

pmr_say "power cut, phase $PHASE: an emulated NVDIMM keeps every store (qemu's backing file), so this tests pmrd's restart and the ack discipline, not cache flushing on real hardware"

# pmrd_up -- write the config for DAX, start pmrd, wait until it serves
pmrd_up()
{
	printf '[pmrd]\nlisten = %s:%s\nlog_level = info\n[region dev]\npath = %s\n' \
		"$IP" "$PORT" "$DAX" >"$CONF"
	pmr_daemon_start pmrd "$PMRD" -c "$CONF"
	pmr_wait_log pmrd "serving [0-9]+ regions|err:" 120 || true
	cat "$(pmr_daemon_log pmrd)"
	grep -q "serving [0-9]* regions" "$(pmr_daemon_log pmrd)" &&
		rdma_wait_listen "$PORT" 30
}

# fs_up -- the second pmrd: the fsdax region fs (256 MiB on FS_MNT) on
# FS_PORT with its own admin socket; wait until it serves
fs_up()
{
	{
		printf '[pmrd]\nlisten = %s:%s\nlog_level = info\n' "$IP" "$FS_PORT"
		printf 'admin_socket = /run/pmr-powercut-fs.sock\n'
		printf '[region fs]\npath = %s/fs\nsize = 256M\n' "$FS_MNT"
	} >"$FS_CONF"
	pmr_daemon_start pmrdfs "$PMRD" -c "$FS_CONF"
	pmr_wait_log pmrdfs "serving [0-9]+ regions|err:" 120 || true
	cat "$(pmr_daemon_log pmrdfs)"
	grep -q "serving [0-9]* regions" "$(pmr_daemon_log pmrdfs)" &&
		pmr_log_has pmrdfs "region fs: fsdax, .*MR odp," &&
		rdma_wait_listen "$FS_PORT" 30
}

# fs_acked N -- both fsdax writers have N acknowledged records
fs_acked()
{
	[ -f "$PMR_LOGDIR/p3.ack" ] && [ -f "$PMR_LOGDIR/p4.ack" ] &&
		[ "$(wc -l <"$PMR_LOGDIR/p3.ack")" -ge "$1" ] &&
		[ "$(wc -l <"$PMR_LOGDIR/p4.ack")" -ge "$1" ]
}

# phase1_fsdax -- ext4 -o dax on the second NVDIMM, a new fsdax region
# served with ODP, writers 3 (-m auto: FLUSH where offered; up to 64 KiB
# records, 4 in flight) and 4 (-m server, small, one at a time), each
# with 20 acks before writer 1 (and with it the cut) starts; their ranges
# hold far more than they write before the cut (measured: ~1500 records
# of up to 256 KiB filled 192 MiB before the cut)
phase1_fsdax()
{
	local ns2
	rm -f "$FS_MARK" "$PMR_LOGDIR"/p[34].ack
	ns2=$(pmem_ns2) || return 1
	PMR_PMEM_NS=$ns2 pmem_fsdax ext4 "$FS_MNT" || return 1
	fs_up || return 1
	pmr_daemon_start p3 "$ACKW" -p "$FS_PORT" -w 3 -m auto -s 4K -S 64K \
		-d 4 "$IP" fs 0 192M "$PMR_LOGDIR/p3.ack"
	pmr_daemon_start p4 "$ACKW" -p "$FS_PORT" -w 4 -m server -s 64 -S 8K \
		-d 1 "$IP" fs 192M 64M "$PMR_LOGDIR/p4.ack"
	pmr_wait_until 120 fs_acked 20 || {
		cat "$(pmr_daemon_log p3)" "$(pmr_daemon_log p4)"
		return 1
	}
	head -n 1 "$(pmr_daemon_log p3)" "$(pmr_daemon_log p4)"
	echo yes >"$FS_MARK"
}

# phase2_fs_mount -- both fsdax writers were still writing when the power
# went (no summary line in their logs); the second NVDIMM is still fsdax;
# its ext4 mounts as the cut left it (journal replayed)
phase2_fs_mount()
{
	local ns2 m w
	for w in p3 p4; do
		tail -n 2 "$(pmr_daemon_log "$w")"
		if grep "records acknowledged" "$(pmr_daemon_log "$w")"; then
			echo "$w had stopped before the power cut"
			return 1
		fi
	done
	ns2=$(pmem_ns2) || return 1
	m=$(PMR_PMEM_NS=$ns2 pmem_mode)
	[ "$m" = fsdax ] || {
		echo "$ns2 mode after the power cut: $m, not fsdax"
		return 1
	}
	PMR_PMEM_NS=$ns2 pmem_fsdax ext4 "$FS_MNT" --keep || return 1
	ls -l "$FS_MNT/fs"
	lsattr "$FS_MNT/fs"
}

# phase2_fs_restart -- the second pmrd finds the file prepared: data kept,
# nothing prepared or zeroed again
phase2_fs_restart()
{
	fs_up || return 1
	pmr_log_has pmrdfs "region fs: $FS_MNT/fs: fsdax, .*prepared before, data kept" || return 1
	if grep -E "preparing|zeroing|zeroed [0-9]" "$(pmr_daemon_log pmrdfs)"; then
		echo "the fsdax region was prepared or zeroed again after the cut"
		return 1
	fi
}

# verify_fs WHERE... -- both fsdax ack logs, at least 20 records each
verify_fs()
{
	"$VERIFY" -w 3 -m 20 "$@" "$PMR_LOGDIR/p3.ack" &&
		"$VERIFY" -w 4 -m 20 "$@" "$PMR_LOGDIR/p4.ack"
}

# writers_running -- both writers have acknowledged records
writers_running()
{
	[ -s "$PMR_LOGDIR/p1.ack" ] && [ -s "$PMR_LOGDIR/p2.ack" ]
}

# phase1 -- serve, write, persist, acknowledge until the host cuts power
phase1()
{
	rm -f "$CUT" "$PMR_LOGDIR"/p[12].ack
	# the ack logs' way to the host: 9p without a page cache (cache=none
	# shows no cache= option; loose/mmap/fscache would keep writes)
	grep " 9p " /proc/mounts
	if grep " 9p " /proc/mounts | grep -q -E "cache=(loose|mmap|fscache)"; then
		echo "9p caches writes in the guest: ack logs could lag the host file"
		return 1
	fi
	DAX=$(pmem_devdax)
	pmrd_up || return 1
	# 1: up to 256 KiB records, 4 in flight; 2: small ones, one at a time
	pmr_daemon_start p1 "$ACKW" -w 1 -s 4K -S 256K -d 4 -M "$CUT" \
		-k "$ACKS" "$IP" dev 0 256M "$PMR_LOGDIR/p1.ack"
	pmr_daemon_start p2 "$ACKW" -w 2 -s 64 -S 8K -d 1 \
		"$IP" dev 256M 128M "$PMR_LOGDIR/p2.ack"
	pmr_wait_until 120 writers_running || {
		cat "$(pmr_daemon_log p1)" "$(pmr_daemon_log p2)"
		return 1
	}
}

# phase2_restart -- the namespace is still devdax; pmrd starts on it
phase2_restart()
{
	local m
	m=$(pmem_mode)
	[ "$m" = devdax ] || {
		echo "namespace mode after the power cut: $m, not devdax"
		return 1
	}
	DAX=$(pmem_daxdev)
	pmrd_up
}

# verify_all WHERE... -- both ack logs, at least ACKS records of writer 1
verify_all()
{
	"$VERIFY" -w 1 -m "$ACKS" "$@" "$PMR_LOGDIR/p1.ack" &&
		"$VERIFY" -w 2 -m 1 "$@" "$PMR_LOGDIR/p2.ack"
}

# cut_or_dead PID -- the marker is there, or writer PID is gone
cut_or_dead()
{
	[ -e "$CUT" ] || ! kill -0 "$1" 2>/dev/null
}

if [ "$PHASE" = 1 ]; then
	if [ "${PMR_POWERCUT:-}" != 1 ]; then
		pmr_skip powercut "needs the host to cut the power: run by ./tests/run (it sets PMR_POWERCUT=1 and vmrun's PMRD_VM_CUT_MARKER)"
		exit 0
	fi
	if [ "$EXPECT" = verified ]; then
		pmr_case -t 300 powercut-fsdax-writers phase1_fsdax
	else
		rm -f "$FS_MARK"
		pmr_skip powercut-fsdax-writers "ODP $EXPECT (kernel $PMR_KERNEL): pmrd serves no fsdax region on this rxe, so the power cut covers devdax only"
	fi
	pmr_case -t 300 powercut-writers phase1
	pmr_passed || exit 0
	pmr_say "writers running; the host cuts the power when $CUT appears (after $ACKS acks)"
	# the end of this boot: the host kills qemu while this waits
	pmr_wait_until 400 cut_or_dead "$(cat "$PMR_LOGDIR/p1.pid")" || true
	sleep 60
	if [ -e "$CUT" ]; then
		pmr_fail powercut-cut "marker made, but the host did not cut the power"
	else
		pmr_fail powercut-cut "writer 1 stopped before $ACKS acks: $(tail -n 1 "$(pmr_daemon_log p1)")"
	fi
	exit 0
fi

pmr_say "after the power cut: $(wc -l <"$PMR_LOGDIR/p1.ack") + $(wc -l <"$PMR_LOGDIR/p2.ack") records were acknowledged"
pmr_case -t 200 powercut-restart phase2_restart
pmr_passed || exit 0
DAX=$(pmem_daxdev)
pmr_case -t 200 powercut-verify-rdma verify_all -H "$IP" dev
pmr_daemon_stop pmrd TERM 30 || true
pmr_case -t 200 powercut-verify-local verify_all -l "$DAX"

# the fsdax region, where phase 1 had its writers running at the cut
[ -f "$FS_MARK" ] || exit 0
pmr_say "fsdax region: $(wc -l <"$PMR_LOGDIR/p3.ack") + $(wc -l <"$PMR_LOGDIR/p4.ack") records were acknowledged"
pmr_case -t 200 powercut-fsdax-mount phase2_fs_mount
pmr_passed || exit 0
if [ "$EXPECT" = verified ]; then
	pmr_case -t 200 powercut-fsdax-restart phase2_fs_restart
	if pmr_passed; then
		pmr_case -t 200 powercut-fsdax-verify-rdma verify_fs -p "$FS_PORT" -H "$IP" fs
	fi
	pmr_daemon_stop pmrdfs TERM 30 || true
else
	pmr_fail powercut-fsdax-restart "ODP $EXPECT in this boot (was the fixed rdma_rxe swapped in again?): pmrd cannot serve the fsdax region; its records are checked in the file only"
fi
pmr_case -t 200 powercut-fsdax-verify-local verify_fs -l "$FS_MNT/fs"
