#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 73-peers.sh -- peers that never become clients cannot hold or flood the
# daemon (issue 19 item 2), with tests/tools/pmr-halfopen over rdmacm:
#   - accept timeout: 4 connection requests with a proper hello that pmrd
#     accepts and that never send the RTU (no QP on the peer's id: rdmacm
#     reports CONNECT_RESPONSE and we never call rdma_establish; the
#     peer's kernel CM answers pmrd's REP retries with MRAs).  While the
#     peer still lives, after accept_timeout_ms (here 2000) pmrd drops
#     them: 4 "not established" lines, pmrctl status back to 0 clients,
#     pmrd's QPs and cm ids (rdma resource) back to the baseline (the
#     events the peer's rdmacm reports are printed); a proper client
#     connects afterwards;
#   - log flood: 300 requests destroyed at once by their peer make pmrd
#     log at most 10 set-up lines per 10 s window plus one "N more
#     suppressed" line per window, none at err (the count of lines and of
#     requests is printed); pmrd still serves.
# About 40 s under TCG.
# pmr-timeout: 300
set -eu
. "$PMR_LIB"

HALF=$(pmr_need_bin pmr-halfopen)
RAW=$(pmr_need_bin pmr-rawclient)
PMRCTL=$(pmr_need_bin pmrctl)
IP=$(rxe_ip)
TMP=/run/pmr-peers
TFS=$TMP/tfs
CONF=$PMR_LOGDIR/pmrd.conf
SOCK=$TMP/pmrd.sock
BASELINE=

cleanup()
{
	pmr_cleanup
	pmr_unseal "$TFS"
	pmr_umount "$TFS"
}
trap cleanup EXIT

ctl()
{
	"$PMRCTL" -s "$SOCK" "$@"
}

# setup -- a 16 MiB testing region on tmpfs; 2 s accept timeout
setup()
{
	mkdir -p "$TMP" "$TFS"
	mount -t tmpfs -o size=32m tmpfs "$TFS"
	cat >"$CONF" <<-EOF
		[pmrd]
		listen = $IP:7471
		admin_socket = $SOCK
		log_level = info
		max_clients = 16
		accept_timeout_ms = 2000

		[region t0]
		path = $TFS/t0
		size = 16M
		persistent = no
	EOF
	cat "$CONF"
}

# resources -- "clients N qps N cm_ids N" of pmrd
resources()
{
	local pid
	pid=$(cat "$PMR_LOGDIR/main.pid")
	printf 'clients %s qps %s cm_ids %s\n' \
		"$(ctl -j status | grep -o '"clients": *[0-9]*' | grep -o '[0-9]*$')" \
		"$(rdma resource show qp | grep -c -E " pid $pid( |\$)")" \
		"$(rdma resource show cm_id | grep -c -E " pid $pid( |\$)")"
}

# at_baseline -- resources as before any peer
at_baseline()
{
	local now
	now=$(resources)
	echo "now: $now; baseline: $BASELINE"
	[ "$now" = "$BASELINE" ]
}

# start -- pmrd, and the baseline of its resources
start()
{
	pmr_pmrd_start main "$CONF" || return 1
	BASELINE=$(resources)
	echo "baseline: $BASELINE"
	echo "$BASELINE" >"$TMP/baseline"
	ctl -v status | grep -E "^accept: +2000 ms"
}

# halfopen -- accepted, never established: freed while the peer lives
halfopen()
{
	local out=$TMP/halfopen.out pid n
	BASELINE=$(cat "$TMP/baseline")
	"$HALF" "$IP" 7471 hold 4 25 >"$out" 2>&1 &
	pid=$!
	pmr_wait_until 30 grep -q "accepted 4 of 4" "$out" || {
		cat "$out"
		return 1
	}
	echo "held: $(resources)"
	pmr_wait_until 20 at_baseline
	kill -0 "$pid" # the peer still lives: the timeout freed them
	n=$(grep -c "not established 2000 ms after the accept (accept_timeout_ms): dropped" \
		"$(pmr_daemon_log main)")
	echo "dropped: $n"
	# what the peer saw (printed: its CM may report the reject or not)
	sleep 2
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	cat "$out"
	[ "$n" = 4 ]
	"$RAW" "$IP" 7471 list
	pmr_wait_until 20 at_baseline
}

# churn -- requests destroyed at once: a bounded number of log lines
churn()
{
	local log before after t0 secs lines setup_lines errs bound
	BASELINE=$(cat "$TMP/baseline")
	log=$(pmr_daemon_log main)
	before=$(wc -l <"$log")
	t0=$SECONDS
	"$HALF" "$IP" 7471 churn 300
	pmr_wait_until 30 at_baseline
	sleep 11 # one window more: its "suppressed" line is written
	secs=$((SECONDS - t0))
	after=$(wc -l <"$log")
	lines=$((after - before))
	tail -n +"$((before + 1))" "$log" >"$TMP/churn.log"
	setup_lines=$(grep -c -v "more messages about connection set-up suppressed" \
		"$TMP/churn.log" || true)
	errs=$(grep -c "pmrd: err:" "$TMP/churn.log" || true)
	# 10 lines and one summary per 10 s window the churn touched
	bound=$(((secs / 10 + 2) * 11))
	echo "300 requests in ${secs}s: $lines log lines ($setup_lines not summaries, $errs at err; bound $bound)"
	head -n 30 "$TMP/churn.log"
	grep "suppressed" "$TMP/churn.log" || true
	[ "$errs" = 0 ]
	[ "$lines" -le "$bound" ]
	"$RAW" "$IP" 7471 list
}

setup
pmr_case -t 120 start start
if pmr_passed; then
	pmr_case -t 120 accept-timeout-frees-half-open halfopen
	pmr_case -t 180 churn-log-bounded churn
	pmr_case stop pmr_daemon_stop main TERM 30
fi
