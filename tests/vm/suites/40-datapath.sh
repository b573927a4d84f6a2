#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 40-datapath.sh -- libpmr end to end against pmrd (client/tests/pmr_dptest):
#   - the example client's whole flow; listing;
#   - a pattern written (write+persist) by one client is read back by another,
#     on testing regions (ext4 page cache before Linux 6.5, tmpfs from 6.5:
#     both pinned) and on a devdax region, and is in the server's file;
#   - write+persist with every method a region advertises (SERVER always,
#     RAW where persistence_domain = cpu-cache, FLUSH on devdax with
#     rdma-core >= 45 and a FLUSH-capable kernel), unadvertised ones refused;
#   - errors: out of bounds (local), unknown region, rw open of an ro region,
#     writes through a read-only open; the connection keeps working after;
#   - async posts with the fd protocol; odd sizes split into small work
#     requests through a small bounce buffer;
#   - 8 clients on 4 regions at once; a client killed mid-transfer leaves
#     the daemon serving; a stopped daemon makes a busy client fail, not hang;
#   - the testing regions are served with pmrd's default busy_poll_us (the
#     CQ polled after each completion), devdax with busy_poll_us = 0 (armed
#     after each completion): both completion paths carry the cases;
#     pmrctl status shows the setting;
#   - latency/bandwidth numbers next to perftest's (informational).
# pmr-timeout: 900
set -eu
. "$PMR_LIB"

DPT=$(pmr_bin pmr_dptest) || {
	pmr_fail dptest-built "pmr_dptest not found in $PMR_BUILD"
	exit 1
}
PMRD=$(pmr_bin pmrd) || {
	pmr_fail pmrd-built "pmrd not found in $PMR_BUILD"
	exit 1
}
EXAMPLE=$(pmr_bin pmr_example) || EXAMPLE=
PMRCTL=$(pmr_bin pmrctl) || PMRCTL=
IP=$(rxe_ip)
TMP=/run/pmr-datapath
FS=$TMP/fs
CONF=$PMR_LOGDIR/pmrd.conf

# dpt ARGS... -- the test program against the daemon
dpt()
{
	"$DPT" "$IP" "$@"
}

# write_conf FILE REGIONS... -- a config with the named regions: t0..t3
# (testing files; t0 and t3 declare persistence_domain = cpu-cache, so RAW
# is offered), ro0 (read-only testing file), dax0 (the devdax namespace);
# BUSY_POLL set: a busy_poll_us line
write_conf()
{
	local f=$1 r
	shift
	cat >"$f" <<-EOF
		[pmrd]
		listen = $IP:7471
		admin_socket = $TMP/pmrd.sock
		log_level = info
		max_clients = 32
	EOF
	[ -z "${BUSY_POLL:-}" ] || echo "busy_poll_us = $BUSY_POLL" >>"$f"
	for r in "$@"; do
		echo "[region $r]"
		case $r in
		t[0-3])
			printf 'path = %s\nsize = 16M\npersistent = no\n' "$FS/$r"
			case $r in t0 | t3) echo "persistence_domain = cpu-cache" ;; esac
			;;
		ro0)
			printf 'path = %s\nsize = 1M\npersistent = no\naccess = ro\n' \
				"$FS/$r"
			;;
		dax0) echo "path = $(pmem_daxdev)" ;;
		esac
	done >>"$f"
	cat "$f"
}

# setup_testing -- a filesystem for the testing regions that pmrd can pin:
# ext4 without DAX (the namespace in raw mode) where page-cache files are
# pinnable (Linux < 6.5); tmpfs from 6.5 on, where the kernel refuses
# long-term writable pins of page-cache files and rxe's ODP cannot stand in
# (it misplaces the bytes: doc/PLATFORM_NOTES.md)
setup_testing()
{
	mkdir -p "$TMP" "$FS"
	if kernel_at_least 6 5; then
		mount -t tmpfs -o size=96m tmpfs "$FS"
	else
		pmem_raw
		mkfs.ext4 -q -F /dev/pmem0
		mount /dev/pmem0 "$FS"
	fi
	write_conf "$CONF" t0 t1 t2 t3 ro0
}

# setup_devdax -- the namespace as devdax, a config exporting it
setup_devdax()
{
	cp "$(pmr_daemon_log pmrd)" "$PMR_LOGDIR/pmrd-testing.log" || true
	find "$FS" -type f -exec chattr -i {} + 2>/dev/null || true
	umount "$FS"
	pmem_devdax
	BUSY_POLL=0 write_conf "$CONF" dax0
}

# start_daemon -- pmrd serving the config
start_daemon()
{
	pmr_daemon_start pmrd "$PMRD" -c "$CONF"
	pmr_wait_log pmrd "serving" 60 || {
		cat "$(pmr_daemon_log pmrd)"
		return 1
	}
	cat "$(pmr_daemon_log pmrd)"
}

# busy_poll_is US -- pmrctl status reports busy_poll_us = US
busy_poll_is()
{
	local j
	j=$("$PMRCTL" -s "$TMP/pmrd.sock" -j status) || return 1
	echo "$j"
	grep -q -E "\"busy_poll_us\":$1[,}]" <<<"$j"
}

# cross_client -- one process writes, another reads (read-only open)
cross_client()
{
	local r
	for r in t0 t1; do
		dpt fill "$r" 11 12345 3000000
		# the bytes reached the server's file, not just a round trip
		dpt pattern 11 12345 3000000 >"$TMP/want"
		tail -c +12346 "$FS/$r" | head -c 3000000 >"$TMP/got"
		cmp "$TMP/want" "$TMP/got"
		dpt check "$r" 11 12345 3000000
	done
	# a reader must see the other's data, not its own old pattern
	dpt fill t2 1 0 65536
	dpt fill t2 2 0 65536
	dpt check t2 2 0 65536
	! dpt check t2 1 0 65536 2>/dev/null
}

# methods -- every advertised method, per region kind
methods()
{
	local out
	out=$(dpt methods t1)
	echo "$out"
	echo "$out" | grep -q "OK method 0x1"
	# t0 is declared cpu-cache: RAW must be offered and work
	out=$(dpt methods t0)
	echo "$out"
	echo "$out" | grep -q "OK method 0x4"
}

# devdax_cases -- cross-client patterns and every method on devdax; FLUSH
# where rdma-core and the kernel have it (trixie: rdma-core 56, 7.x)
devdax_cases()
{
	local out
	dpt fill dax0 13 4095 5000000
	dpt check dax0 13 4095 5000000
	out=$(dpt methods dax0)
	echo "$out"
	echo "$out" | grep -q "OK method 0x1"
	if [ "$PMR_PLATFORM" = trixie ]; then
		echo "$out" | grep -q "OK method 0x2"
	fi
}

# killed_client -- SIGKILL a client mid-transfer; the daemon keeps serving
killed_client()
{
	local pid
	"$DPT" "$IP" hog t1 &
	pid=$!
	sleep 3
	kill -KILL "$pid"
	wait "$pid" || true
	pmr_daemon_alive pmrd
	dpt fill t1 21 0 1048576
	dpt check t1 21 0 1048576
}

# concurrent -- 8 clients on 4 regions, each on its own slice
concurrent()
{
	local i pids=() fails=0 secs=15
	[ "${PMR_QUICK:-0}" = 1 ] && secs=5
	for i in 0 1 2 3 4 5 6 7; do
		"$DPT" "$IP" stress "t$((i % 4))" "$((i / 4 + 4))" "$secs" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fails=$((fails + 1))
	done
	echo "$fails of 8 clients failed"
	[ "$fails" = 0 ] && pmr_daemon_alive pmrd
}

# bench -- dpt's latency rounds (spins, persist methods) and bandwidth
# rounds (sync, zero-copy, async) on devdax (pinned MR: the production
# set-up), failing on any call's error; figures against perftest's and
# librpma's in the same boot are 60-bench-quick's (and ./tests/bench's)
bench()
{
	dpt bench dax0
	dpt bw dax0 0 0
}

# daemon_stop_fails_client -- a busy client sees an error when pmrd stops
daemon_stop_fails_client()
{
	local pid rc=0 start
	"$DPT" "$IP" hog t1 &
	pid=$!
	sleep 3
	start=$SECONDS
	pmr_daemon_stop pmrd TERM 30 || true
	wait "$pid" || rc=$?
	echo "client exited $rc after $((SECONDS - start)) s"
	[ "$rc" != 0 ] && [ $((SECONDS - start)) -lt 40 ]
}

pmr_case -t 180 setup setup_testing
pmr_passed || exit 0
pmr_case -t 120 daemon-start start_daemon
pmr_passed || exit 0
if [ -n "$EXAMPLE" ]; then
	pmr_case example "$EXAMPLE" "$IP" 7471 t3
else
	pmr_skip example "pmr_example not built"
fi
pmr_case list dpt list
pmr_case busy-poll-default busy_poll_is 1000
pmr_case cross-client cross_client
pmr_case methods methods
pmr_case errors dpt errors t2 ro0
pmr_case async dpt async t3 64
pmr_case sizes dpt sizes t2
pmr_case -t 180 concurrent-8x4 concurrent
pmr_case killed-client killed_client
pmr_case daemon-stop daemon_stop_fails_client

# the same daemon binary on devdax (pinned MR, FLUSH where available)
pmr_case setup-devdax setup_devdax
pmr_passed || exit 0
pmr_case -t 120 daemon-start-devdax start_daemon
pmr_passed || exit 0
pmr_case busy-poll-off busy_poll_is 0
pmr_case devdax devdax_cases
if [ "${PMR_QUICK:-0}" = 1 ]; then
	pmr_skip bench "quick run"
else
	pmr_case -t 300 bench bench
fi
pmr_daemon_stop pmrd TERM 30 || true
