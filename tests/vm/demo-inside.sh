#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# demo-inside.sh -- the main job, shown inside the VM (run by tests/demo via
# tests/vm/vmrun): the emulated NVDIMM becomes a devdax namespace, pmrd
# exports it as region "demo" over Soft-RoCE (rxe0, 10.77.0.1), pmrctl lists
# it, and the example client (client/examples/example.c) connects, writes,
# persists and reads back.  Then pmrd stops on SIGTERM (exit 0) and starts
# again on the same region, which it does not zero a second time.
# Usage: demo-inside.sh BUILD_DIR
set -eu
BUILD=$1
PMR_BUILD=$BUILD
PMR_LOGDIR=$(mktemp -d /tmp/pmrd-demo-vm.XXXXXX)
PMR_RESULTS=/dev/null
PMR_SUITE=demo
export PMR_BUILD PMR_LOGDIR PMR_RESULTS PMR_SUITE
. "$(dirname "$0")/lib.sh"

IP=$(rxe_ip)
PMRD=$BUILD/daemon/pmrd
PMRCTL=$BUILD/client/tools/pmrctl/pmrctl
EXAMPLE=$BUILD/client/examples/pmr_example
CONF=$PMR_LOGDIR/pmrd.conf
SOCK=/run/pmrd-demo.sock   # tmpfs in the VM: UNIX sockets cannot live on the 9p root

# show CMD... -- print a command, then run it
show()
{
	echo "\$ $*"
	"$@"
}

# start_pmrd -- pmrd in the background, until it listens
start_pmrd()
{
	"$PMRD" -c "$CONF" >>"$PMR_LOGDIR/pmrd.log" 2>&1 &
	PMRD_PID=$!
	rdma_wait_listen 7471 60 || {
		cat "$PMR_LOGDIR/pmrd.log"
		echo "demo: pmrd did not start listening" >&2
		exit 1
	}
}

echo "== the VM: $(uname -r), RDMA device $(rxe_dev) at $IP"
DAX=$(pmem_devdax)
echo "== the emulated NVDIMM as a devdax namespace: $DAX ($(ndctl list -N | grep -o '"size":[0-9]*'))"
cat >"$CONF" <<EOC
[pmrd]
listen = $IP:7471
admin_socket = $SOCK

[region demo]
path = $DAX
access = rw
EOC
show cat "$CONF"
echo
echo "== starting pmrd"
start_pmrd
grep -E "region demo|listening" "$PMR_LOGDIR/pmrd.log" || true
echo
show "$PMRCTL" -s "$SOCK" list-regions
echo
echo "== the example client (client/examples/example.c) over RDMA"
show "$EXAMPLE" "$IP" 7471 demo
echo
show "$PMRCTL" -s "$SOCK" status
echo
echo "== SIGTERM: pmrd disconnects clients, deregisters, unmaps, exits"
kill -TERM "$PMRD_PID"
rc=0
wait "$PMRD_PID" || rc=$?
echo "pmrd exited with status $rc"
[ "$rc" = 0 ] || exit 1
echo
echo "== starting pmrd again on the same region (never zeroed again)"
start_pmrd
show "$PMRCTL" -s "$SOCK" -j list-regions
kill -TERM "$PMRD_PID"
wait "$PMRD_PID"
echo
echo "demo: OK (pmrd's log: $PMR_LOGDIR/pmrd.log)"
