#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 30-daemon.sh -- pmrd's data path against a raw protocol client
# (tests/tools/pmr-rawclient, never libpmr):
#   - registration strategy per region, as logged: devdax pinned; testing
#     regions pinned (ext4 page cache before Linux 6.5, tmpfs from 6.5); a
#     page-cache testing region on >= 6.5 registered with ODP where the ODP
#     self-test verified it (the fixed rxe), else refused at start naming
#     tmpfs; ro regions without remote write; fsdax (ext4, xfs) served with
#     an ODP MR where ODP is verified, else refused at start with the
#     FOLL_LONGTERM message and exit 1 (rxe has no ODP before 6.15);
#   - the ODP self-test's verdict in the log and in `pmrctl status`;
#   - persistence methods: server always, FLUSH exactly where the build
#     (rdma-core >= 45) and the kernel (rxe >= 6.2) have it;
#   - bad hellos and versions rejected with the right reason; malformed,
#     unknown and oversize control messages answered or cut off without
#     hurting a well-behaved connection; limits (clients, regions, bad
#     streak); write + PERSIST + read back; RANGE/NOENT/ACCESS answers;
#   - a listen address on no RDMA device fails the start; SIGHUP is logged;
#     SIGTERM disconnects clients and exits 0.
# pmr-timeout: 900
set -eu
. "$PMR_LIB"

RAW=$(pmr_need_bin pmr-rawclient)
PMRD=$(pmr_need_bin pmrd)
IP=$(rxe_ip)
PORT=7471
TMP=/run/pmr-daemon
TFS=$TMP/tfs   # testing regions: see testing_fs
PCFS=$TMP/pcfs # ext4 (not DAX) on a loop device: page-cache files
MNT=/mnt/pmr-daemon
# limits of the main config; the scenarios below are told the same numbers
MAX_CLIENTS=4
MAX_REGIONS=3
MAX_OUT=4

HAVE_FLUSH=$("$RAW" - - features | sed -n 's/^flush: //p')
if kernel_at_least 6 15; then ODP=yes; else ODP=no; fi
if [ "$HAVE_FLUSH" = yes ] && kernel_at_least 6 2; then FLUSH=yes; else FLUSH=no; fi
# Linux >= 6.5 refuses long-term writable pins of page-cache files: testing
# regions go to tmpfs there (pinnable).  pmrd uses ODP only where its
# self-test verified it (on trixie: the fixed rdma_rxe, swapped in before
# this suite; tests/vm/README.md)
if kernel_at_least 6 5; then T_FS=tmpfs; else T_FS=ext4; fi
ODP_STATE=$(pmr_odp_expect)
if [ "$ODP_STATE" = verified ]; then ODP_USABLE=yes; else ODP_USABLE=no; fi
# cleanup -- stop the daemons (and reap them) before unsealing their files
cleanup()
{
	local d
	for d in main noaddr refuse pagecache ext4 xfs; do
		pmr_daemon_stop "$d" KILL 1 || true
	done
	pmr_unseal "$TFS" "$PCFS"
	pmr_cleanup
	pmr_umount "$TFS" "$PCFS"
}
trap cleanup EXIT

pmr_say "kernel $PMR_KERNEL: ODP $ODP (self-test: $ODP_STATE), FLUSH $FLUSH (build: $HAVE_FLUSH), testing regions on $T_FS"

# raw SCENARIO ARGS... -- the raw client against the daemon
raw()
{
	"$RAW" "$IP" "$PORT" "$@"
}

# testing_fs -- an ext4 without DAX on a loop device (page-cache files) at
# PCFS, and the testing regions' directory TFS: that ext4 where page-cache
# files are pinnable (< 6.5), a tmpfs from 6.5 on
testing_fs()
{
	mkdir -p "$TMP"
	mountpoint -q "$TMP" || mount -t tmpfs -o size=96m tmpfs "$TMP"
	mkdir -p "$TFS" "$PCFS"
	mountpoint -q "$PCFS" || pmr_loop_ext4 "$TMP/pcfs.img" 64M "$PCFS"
	mountpoint -q "$TFS" && return 0
	if [ "$T_FS" = tmpfs ]; then
		mount -t tmpfs -o size=16m tmpfs "$TFS"
	else
		mount --bind "$PCFS" "$TFS"
	fi
}

# one_region_conf FILE NAME PATH SIZE [LINE...] -- a config with one region
one_region_conf()
{
	{
		printf '[pmrd]\nlisten = %s\nadmin_socket = %s\n' "$IP:$PORT" \
			"$TMP/pmrd.sock"
		printf '[region %s]\npath = %s\nsize = %s\n' "$2" "$3" "$4"
		[ $# -le 4 ] || printf '%s\n' "${@:5}"
	} >"$1"
}

# write_conf FILE DAX -- the main config: devdax rw, testing rw and ro
write_conf()
{
	pmr_write_conf "$1" "$IP:$PORT" "$2" "$TFS" \
		"admin_socket = $TMP/pmrd.sock" \
		"max_clients = $MAX_CLIENTS" \
		"max_regions_per_client = $MAX_REGIONS" \
		"max_outstanding = $MAX_OUT"
}

# strategies -- what the main daemon logged per region
strategies()
{
	local m=server
	[ "$FLUSH" = yes ] && m=server,flush
	pmr_log_has main "region dev: devdax, .*access rw \(remote write yes\), MR pinned, persist methods $m,"
	pmr_log_has main "region rotest: TESTING, .*access ro \(remote write no\), MR pinned, persist methods server,"
	pmr_log_has main "region scratch: TESTING, .*access rw \(remote write yes\), MR pinned, persist methods server,"
}

# sighup -- logged, the daemon keeps serving
sighup()
{
	local pid
	pid=$(cat "$PMR_LOGDIR/main.pid")
	kill -HUP "$pid"
	pmr_wait_log main "reload: 0 added, 0 removed" 10
	raw list
}

# client_crash -- a client SIGKILLed while connected is cleaned up (its
# kernel resources go, rdmacm reports DISCONNECTED) and others go on
client_crash()
{
	local hold before
	before=$(grep -c ": gone " "$(pmr_daemon_log main)" || true)
	# the program itself, not a subshell running raw(): it gets the KILL
	"$RAW" "$IP" "$PORT" hold 60 >"$PMR_LOGDIR/crash.log" 2>&1 &
	hold=$!
	pmr_wait_until 30 grep -q connected "$PMR_LOGDIR/crash.log"
	kill -KILL "$hold"
	wait "$hold" 2>/dev/null || true
	pmr_wait_until 60 test "$(grep -c ": gone " "$(pmr_daemon_log main)")" \
		-gt "$before"
	grep ": gone " "$(pmr_daemon_log main)" | tail -n 1
	raw list
}

# sigterm -- a connected client is disconnected, pmrd exits 0
sigterm()
{
	local hold
	raw hold 60 >"$PMR_LOGDIR/hold.log" 2>&1 &
	hold=$!
	pmr_wait_until 30 grep -q connected "$PMR_LOGDIR/hold.log" || return 1
	pmr_daemon_term main 20 || return 1
	wait "$hold" || {
		cat "$PMR_LOGDIR/hold.log"
		return 1
	}
	cat "$PMR_LOGDIR/hold.log"
	# runs outside pmr_case's subshell (see pmr_inline_case): no set -e here
	pmr_log_has main "SIGTERM: stopping \(1 clients to disconnect\)" &&
		pmr_log_has main "notice: stopped"
}

# no_rdma_address -- a listen address no RDMA device has fails the start
no_rdma_address()
{
	sed "s/^listen = .*/listen = 10.77.0.99:$PORT/" "$TMP/main.conf" \
		>"$TMP/noaddr.conf"
	pmr_daemon_start noaddr "$PMRD" -c "$TMP/noaddr.conf"
	pmr_daemon_exits noaddr 1 60 || return 1
	pmr_log_has noaddr "listen 10.77.0.99:$PORT: .*no RDMA device has this address"
}

# pagecache_refused -- Linux >= 6.5: a testing region in the page cache
# cannot be pinned and an unverified ODP cannot stand in: the start fails,
# naming the cause and tmpfs
pagecache_refused()
{
	one_region_conf "$TMP/pagecache.conf" pc "$PCFS/pc" 1M "persistent = no"
	pmr_daemon_start pagecache "$PMRD" -c "$TMP/pagecache.conf"
	pmr_daemon_exits pagecache 1 90 || return 1
	pmr_log_has pagecache "region pc: ibv_reg_mr of .* failed: Bad address .*refuses long-term writable pins of page-cache file mappings"
	pmr_log_has pagecache "it failed pmrd's ODP self-test at start"
	pmr_log_has pagecache "Put testing regions on tmpfs"
	if pmr_log_has pagecache "serving" >/dev/null; then
		echo "pmrd served although a region was refused"
		return 1
	fi
}

# pagecache_odp -- Linux >= 6.5 with a verified ODP: the page-cache testing
# region that cannot be pinned is registered with ODP instead, and its
# data path works
pagecache_odp()
{
	one_region_conf "$TMP/pagecache.conf" pc "$PCFS/pc" 1M "persistent = no"
	pmr_pmrd_start pagecache "$TMP/pagecache.conf" || return 1
	pmr_log_has pagecache "region pc: the kernel refused to pin this page-cache file .*registering it with ODP instead" || return 1
	pmr_log_has pagecache "region pc: TESTING, .*MR odp" || return 1
	raw data pc || return 1
	pmr_daemon_term pagecache 20
}

# status_odp -- the self-test's verdict in the log and in pmrctl status
status_odp()
{
	local pmrctl out
	pmrctl=$(pmr_bin pmrctl) || return 1
	pmr_log_has main "device rxe[0-9]*: ODP self-test: $ODP_STATE" || return 1
	out=$("$pmrctl" -s "$TMP/pmrd.sock" status)
	echo "$out"
	echo "$out" | grep -q "^odp: *$ODP_STATE\$"
}

# main_daemon -- devdax + testing regions: strategies, then every scenario
main_daemon()
{
	local dax
	pmr_case devdax-create pmem_devdax
	pmr_passed || {
		pmr_skip main-daemon "no devdax namespace"
		return 0
	}
	dax=$(pmem_daxdev)
	pmr_case testing-fs testing_fs
	pmr_passed || return 0
	write_conf "$TMP/main.conf" "$dax"
	pmr_case no-rdma-address-fails-start no_rdma_address
	pmr_unseal "$TFS" "$PCFS"
	if [ "$T_FS" = tmpfs ] && [ "$ODP_USABLE" = yes ]; then
		pmr_case pagecache-testing-odp pagecache_odp
	elif [ "$T_FS" = tmpfs ]; then
		pmr_case pagecache-testing-refused pagecache_refused
	fi
	pmr_inline_case start-devdax-testing pmr_pmrd_start main "$TMP/main.conf" || return 0
	pmr_case strategies-logged strategies
	pmr_case status-odp-"${ODP_STATE// /-}" status_odp
	pmr_case list raw list
	pmr_case hello-rejects raw hello
	pmr_case garbage-answered raw garbage
	pmr_case bad-streak-disconnects raw abuse "$MAX_OUT"
	pmr_case oversize-disconnects raw oversize
	pmr_case isolation raw isolation dev "$MAX_OUT"
	pmr_case data-devdax raw data dev
	pmr_case data-testing raw data scratch
	pmr_case ro-no-remote-write raw ro rotest
	if [ "$FLUSH" = yes ]; then
		pmr_case flush-devdax raw flush dev
	else
		pmr_skip flush-devdax "FLUSH: build $HAVE_FLUSH, kernel $PMR_KERNEL"
	fi
	pmr_case limit-regions raw limit-regions dev "$MAX_REGIONS"
	pmr_case limit-clients raw limit-clients "$MAX_CLIENTS"
	pmr_case daemon-still-serving raw list
	pmr_case client-crash-cleaned-up client_crash
	pmr_case sighup-logged sighup
	pmr_inline_case sigterm-graceful sigterm
	pmr_unseal "$TFS" "$PCFS"
}

# fsdax_conf FILE -- one region: a 64M file on the DAX file system at MNT
fsdax_conf()
{
	one_region_conf "$1" fs "$MNT/fs0" 64M
}

# fsdax_odp FS -- an FS-dax file served with an ODP MR
fsdax_odp()
{
	local fs=$1 m=server
	[ "$FLUSH" = yes ] && m=server,flush
	fsdax_conf "$TMP/$fs.conf"
	pmr_pmrd_start "$fs" "$TMP/$fs.conf" || return 1
	pmr_log_has "$fs" "region fs: fsdax, .*access rw \(remote write yes\), MR odp, persist methods $m,"
	raw data fs
	if [ "$FLUSH" = yes ]; then
		raw flush fs
	fi
	pmr_daemon_term "$fs" 20
}

# fsdax_refused -- no ODP: start-up fails with the rule and the ways out
fsdax_refused()
{
	fsdax_conf "$TMP/refuse.conf"
	pmr_daemon_start refuse "$PMRD" -c "$TMP/refuse.conf"
	pmr_daemon_exits refuse 1 90 || return 1
	pmr_log_has refuse "region fs \($MNT/fs0\): this RDMA device cannot serve a file on a DAX filesystem"
	pmr_log_has refuse "refuses long-term pins of fsdax pages \(FOLL_LONGTERM, mm/gup.c\)"
	pmr_log_has refuse "ndctl create-namespace -f -e namespaceX.Y -m devdax"
	pmr_log_has refuse "path = /dev/daxX.Y"
	pmr_log_has refuse "On-Demand Paging"
	if [ "$ODP" = yes ]; then
		pmr_log_has refuse "failed pmrd's self-test at start \($ODP_STATE: "
	fi
	if pmr_log_has refuse "serving" >/dev/null; then
		echo "pmrd served although a region was refused"
		return 1
	fi
}

# fsdax FS -- ODP where the device has a usable one, else the refusal
fsdax()
{
	local fs=$1
	pmr_case "$fs-dax-mount" pmem_fsdax "$fs" "$MNT"
	pmr_passed || {
		pmr_skip "$fs-dax-daemon" "no $fs -o dax filesystem"
		return 0
	}
	if [ "$ODP_USABLE" = yes ]; then
		pmr_case "$fs-dax-odp-served" fsdax_odp "$fs"
	else
		pmr_case "$fs-dax-refused-without-odp" fsdax_refused
	fi
	pmem_release
}

main_daemon
fsdax ext4
if [ "${PMR_QUICK:-}" = 1 ] || [ "$ODP_USABLE" = no ]; then
	pmr_skip xfs-dax-daemon "quick run, or ODP $ODP_STATE (ext4 showed the refusal)"
else
	fsdax xfs
fi
