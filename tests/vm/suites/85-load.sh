#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 85-load.sh -- limits and load, against a pmrd built with ASan+UBSan
# ($PMR_ASAN_BUILD, made by tests/run):
#   - limits: max_regions_per_client, max_handles (all clients together),
#     max_outstanding (credits granted), max_msg (welcome, 1 KiB message),
#     max_clients and max_client_memory each reached: the client sees the
#     libpmr error (pmr_strerror and the server's text), pmrctl status
#     shows the usage, and the clients already connected keep working;
#   - load: 32 clients on 4 regions (devdax + 3 testing) writing,
#     persisting and reading back their own data for 30 s (PMR_QUICK: 15),
#     then 1000 (200) connect/open/write/read/close/disconnect cycles by 8
#     clients in parallel; no client error;
#   - afterwards pmrd's fds, QPs and cm_ids are back to the baseline
#     taken before the clients, status/list-clients show nobody, and after
#     SIGTERM (exit 0) no ASan/UBSan/LSan report in its log.
# pmr-timeout: 900
set -eu
. "$PMR_LIB"

PMRCTL=$(pmr_need_bin pmrctl)
LOAD=$(pmr_need_bin pmr-load)
RAW=$(pmr_bin pmr-rawclient 2>/dev/null) || RAW=
IP=$(rxe_ip)
PORT=7485
TMP=/run/pmr-load
TFS=$TMP/tfs
SOCK=$TMP/pmrd.sock
PMRD=${PMR_ASAN_BUILD:+$PMR_ASAN_BUILD/daemon/pmrd}
if [ "${PMR_QUICK:-}" = 1 ]; then
	LOAD_SECS=15 CYCLES=200
else
	LOAD_SECS=30 CYCLES=1000
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$PMR_LOGDIR/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$PMR_LOGDIR/ubsan

if [ -z "$PMRD" ] || [ ! -x "$PMRD" ]; then
	pmr_fail asan-pmrd "no pmrd built with ASan (PMR_ASAN_BUILD='${PMR_ASAN_BUILD:-}'; tests/run builds it)"
	exit 1
fi

# at exit: kill what still runs, unseal, unmount
trap 'pmr_teardown "$TFS" "$TMP"' EXIT

# setup -- devdax, and a file system for the testing regions: tmpfs where
# pmrd can prepare on it (Linux >= 6.5 refuses pinning page-cache files),
# else ext4 on a loop device
setup()
{
	mkdir -p "$TMP"
	mountpoint -q "$TMP" || mount -t tmpfs -o size=64m tmpfs "$TMP"
	DAX=$(pmem_devdax)
	pmr_testing_fs "$TFS" 32M "$TMP/tfs.img"
}

# conf FILE REGIONS [LINE...] -- [pmrd] with the LINEs, then the testing
# regions t1..tREGIONS (4M each), then dev (devdax) when REGIONS is 3
conf()
{
	local f=$1 n=$2 i
	shift 2
	{
		printf '[pmrd]\nlisten = %s:%s\nadmin_socket = %s\n' "$IP" "$PORT" "$SOCK"
		printf 'log_level = info\n'
		[ $# = 0 ] || printf '%s\n' "$@"
		for i in $(seq 1 "$n"); do
			printf '[region t%s]\npath = %s/t%s\nsize = 4M\npersistent = no\n' \
				"$i" "$TFS" "$i"
		done
		[ "$n" != 3 ] || printf '[region dev]\npath = %s\n' "$DAX"
	} >"$f"
}

ctl()
{
	"$PMRCTL" -s "$SOCK" "$@"
}

# status_is KEY=VALUE... -- pmrctl -j status (one-line JSON) has these
# integer values (grep, not python: each python start costs seconds here)
status_is()
{
	local j kv rc=0
	j=$(ctl -j status) || return 1
	for kv in "$@"; do
		grep -q -E "\"${kv%%=*}\":${kv#*=}[,}]" <<<"$j" || rc=1
	done
	echo "status: $(grep -o -E "\"(clients|open_handles|client_memory|max_[a-z_]+)\":[0-9]+" <<<"$j" | tr '\n' ' ')"
	return "$rc"
}

# client_credits N -- every connected client was granted N credits
client_credits()
{
	local c
	c=$(ctl -j list-clients | grep -o -E '"credits":[0-9]+' | sort -u)
	echo "credits: $c"
	[ "$c" = "\"credits\":$1" ]
}

# start NAME CONF -- the ASan pmrd; wait until it serves
start()
{
	pmr_daemon_start "$1" "$PMRD" -c "$2"
	pmr_daemon_ready "$1" "serving" "err:" 180 &&
		rdma_wait_listen "$PORT" 60
}

# hold NAME ARGS... -- a pmr-load holder; wait until it holds
hold()
{
	local name=$1
	shift
	pmr_daemon_start "$name" "$LOAD" "$@" "$IP" "$PORT" hold t1 t2
	pmr_wait_log "$name" "holding|rror|:" 60 &&
		pmr_log_has "$name" "^holding"
}

# release NAME -- SIGTERM a holder: it checks its data once more, exit 0
release()
{
	pmr_daemon_term "$1" 60
}

# no_sanitizer_report NAME -- nothing from ASan, UBSan or LSan
no_sanitizer_report()
{
	local f bad=0
	for f in "$(pmr_daemon_log "$1")" "$PMR_LOGDIR"/asan.* "$PMR_LOGDIR"/ubsan.*; do
		[ -f "$f" ] || continue
		if grep -E -n "AddressSanitizer|LeakSanitizer|runtime error:|SUMMARY: " "$f"; then
			echo "sanitizer report in $f"
			bad=1
		fi
	done
	[ "$bad" = 0 ] && echo "no sanitizer report"
}

# limits_start -- one pmrd with tight limits, reached one by one below
limits_start()
{
	conf "$TMP/limits.conf" 2 "max_clients = 3" "max_regions_per_client = 2" \
		"max_handles = 3" "max_outstanding = 2" "max_msg = 256"
	start limits "$TMP/limits.conf" &&
		pmr_log_has limits "3 open regions in all, 256-byte messages"
}

# limit_outstanding -- A asks for 8 credits and gets max_outstanding = 2
limit_outstanding()
{
	hold A -k 8 -o 1 -b 0 && client_credits 2
}

# expect_text TEXT ARGS... -- pmr-load ARGS succeeds and prints TEXT
expect_text()
{
	local text=$1 rc=0
	shift
	"$LOAD" "$@" >"$TMP/out" 2>&1 || rc=$?
	cat "$TMP/out"
	[ "$rc" = 0 ] && grep -q -F -- "$text" "$TMP/out"
}

# limit_per_client -- the third open of one client is LIMIT
limit_per_client()
{
	expect_text "server limit reached: at most 2 regions open per connection" \
		-o 2 -e LIMIT -b 4096 "$IP" "$PORT" expect t1 t2
}

# limit_handles -- A holds 1, B 2: the next open of anyone is LIMIT
limit_handles()
{
	# the server may not have seen the last client go yet
	pmr_wait_until 30 status_is clients=1 open_handles=1 &&
		hold B -o 2 -b 8192 &&
		status_is open_handles=3 max_handles=3 clients=2 max_msg=256 &&
		expect_text "server limit reached: at most 3 regions open on the server (max_handles)" \
			-o 0 -e LIMIT "$IP" "$PORT" expect t1
}

# limit_clients -- C connects without opening: the 4th is REJECTED_TOO_MANY
limit_clients()
{
	pmr_wait_until 30 status_is clients=2 &&
		hold C -o 0 &&
		expect_text "connection rejected: server has too many clients" \
			-e REJECTED_TOO_MANY "$IP" "$PORT" expect t1 &&
		pmr_log_has limits "rejected: 3 clients connected \(max_clients\)" &&
		release C
}

# limit_msg -- the welcome says 256; a 1 KiB raw message (which a server
# with 4 KiB buffers would answer INVALID) disconnects that client only.
# Which side notices first is a race (rxe NAKs the SEND; the server may see
# DISCONNECTED before the failed RECV), so the server's log is not checked.
limit_msg()
{
	pmr_wait_until 30 status_is clients=2 &&
		"$RAW" "$IP" "$PORT" oversize 1024 >"$TMP/out" 2>&1
	local rc=$?
	cat "$TMP/out"
	[ "$rc" = 0 ] && grep -q "welcome: max_msg 256" "$TMP/out" &&
		pmr_wait_until 30 status_is clients=2
}

# limits_others_work -- A and B check their data on SIGTERM; all is freed
limits_others_work()
{
	release A && release B &&
		pmr_wait_until 30 status_is clients=0 open_handles=0 client_memory=0 &&
		pmr_daemon_term limits 60 && no_sanitizer_report limits
}

# memory_case -- max_client_memory: 2 clients of 4 credits x 2 x 4 KiB fit
memory_case()
{
	local ok=0
	conf "$TMP/mem.conf" 2 "max_outstanding = 4" "max_client_memory = 64K"
	start mem "$TMP/mem.conf" || return 1
	hold A -k 4 -o 1 -b 0 || return 1
	hold B -k 4 -o 1 -b 4096 || return 1
	status_is clients=2 client_memory=65536 max_client_memory=65536 || ok=1
	expect_text "connection rejected: server's client memory limit reached" \
		-k 4 -e REJECTED_MEMORY "$IP" "$PORT" expect t1 || ok=1
	pmr_log_has mem "would exceed max_client_memory \(65536 of 65536 in use\)" || ok=1
	release A || ok=1
	pmr_wait_until 30 status_is clients=1 client_memory=32768 || ok=1
	echo "== with A gone, a client fits again"
	"$LOAD" -k 4 -n 1 -b 8192 "$IP" "$PORT" cycles t1 || ok=1
	release B || ok=1
	pmr_daemon_term mem 60 || ok=1
	no_sanitizer_report mem || ok=1
	return "$ok"
}

# pmrd_pid -- the load pmrd's pid
pmrd_pid()
{
	cat "$PMR_LOGDIR/main.pid"
}

# resources -- "fds N qps N cm_ids N" of the load pmrd
resources()
{
	local pid
	pid=$(pmrd_pid)
	printf 'fds %s qps %s cm_ids %s\n' \
		"$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)" \
		"$(rdma resource show qp | grep -c -E " pid $pid( |\$)")" \
		"$(rdma resource show cm_id | grep -c -E " pid $pid( |\$)")"
}

# at_baseline -- resources as before the clients
at_baseline()
{
	local now
	now=$(resources)
	echo "now: $now; baseline: $BASELINE"
	[ "$now" = "$BASELINE" ]
}

# main_start -- the load pmrd (really ASan+UBSan) on 4 regions; the baseline
main_start()
{
	ldd "$PMRD" | grep -E "libasan|libubsan" || {
		echo "$PMRD is not linked with the sanitizer runtimes"
		return 1
	}
	conf "$TMP/main.conf" 3
	start main "$TMP/main.conf" || return 1
	BASELINE=$(resources)
	echo "baseline: $BASELINE"
	rdma resource show qp
	rdma resource show cm_id
	echo "$BASELINE" >"$TMP/baseline"
}

# n_listed -- how many clients pmrctl list-clients shows
n_listed()
{
	ctl -j list-clients | grep -o '"credits":' | wc -l
}

# load_case -- 32 clients x 4 regions for LOAD_SECS; then, all still
# connected (pmr-load -w holds them), status and list-clients agree on 32
# clients, 32 handles and their buffers; SIGUSR1 lets them close
load_case()
{
	local rc=0
	pmr_daemon_start load "$LOAD" -w -c 32 -t "$LOAD_SECS" -s 262144 \
		"$IP" "$PORT" load t1 t2 t3 dev
	pmr_wait_log load "^idle: 32 clients connected" $((LOAD_SECS + 240)) || rc=1
	status_is clients=32 open_handles=32 \
		client_memory=$((32 * 4 * 2 * 4096)) || rc=1
	echo "list-clients: $(n_listed) clients"
	[ "$(n_listed)" = 32 ] || rc=1
	pmr_daemon_stop load USR1 120 || rc=1
	cat "$(pmr_daemon_log load)"
	return "$rc"
}

# after_clients -- nobody connected, resources back to the baseline
after_clients()
{
	BASELINE=$(cat "$TMP/baseline")
	pmr_wait_until 60 status_is clients=0 open_handles=0 client_memory=0 || return 1
	[ "$(n_listed)" = 0 ] || return 1
	pmr_wait_until 60 at_baseline
}

# main_stop -- SIGTERM: exit 0, nothing from the sanitizers
main_stop()
{
	pmr_daemon_term main 60 && no_sanitizer_report main
}

setup
if pmr_inline_case limits-start limits_start; then
	pmr_inline_case limit-max-outstanding limit_outstanding || true
	pmr_inline_case limit-max-regions-per-client limit_per_client || true
	pmr_inline_case limit-max-handles limit_handles || true
	pmr_inline_case limit-max-clients limit_clients || true
	if [ -n "$RAW" ]; then
		pmr_inline_case limit-max-msg limit_msg || true
	else
		pmr_skip limit-max-msg "pmr-rawclient not built: no oversize message to send"
	fi
	pmr_inline_case limits-others-still-work limits_others_work || true
fi
pmr_inline_case max-client-memory memory_case || true

if pmr_inline_case load-start main_start; then
	pmr_inline_case load-32-clients-4-regions load_case || true
	pmr_case -t 400 "cycles-$CYCLES-by-8" \
		"$LOAD" -c 8 -n "$CYCLES" -b 1048576 "$IP" "$PORT" cycles t1 t2 t3 dev
	pmr_inline_case load-resources-back after_clients || true
	pmr_inline_case load-stop-no-sanitizer-report main_stop || true
fi
