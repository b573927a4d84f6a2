#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# demo-inside.sh -- the main job, shown inside the VM (run by tests/demo via
# tests/vm/vmrun).  fsdax (trixie, with the fixed rdma_rxe of
# PMR_RXE_FIXED swapped in first): the emulated NVDIMM becomes an fsdax
# namespace with ext4 mounted -o dax, pmrd prepares a region file there
# (allocated, zeroed, checked, immutable), its ODP self-test says
# "verified", and it exports the file with an On-Demand Paging MR; another
# process cannot change the file.  devdax (bookworm): the NVDIMM is a
# devdax region.  Either way pmrctl lists the region, the example client
# (client/examples/example.c) connects, writes, persists and reads back
# over Soft-RoCE (rxe0, 10.77.0.1), pmrd stops on SIGTERM (exit 0) and
# starts again on the same region, which it does not zero a second time.
# Usage: demo-inside.sh BUILD_DIR [fsdax|devdax]
set -eu
BUILD=$1
KIND=${2:-devdax}
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

# try CMD... -- print a command that must be refused, run it, show that it was
try()
{
	echo "\$ $*"
	if "$@" 2>&1; then
		echo "demo: '$*' should have been refused" >&2
		exit 1
	fi
}

echo "== the VM: $(uname -r), RDMA device $(rxe_dev) at $IP"
if [ "$KIND" = fsdax ] && [ -n "${PMR_RXE_FIXED:-}" ]; then
	echo "== rdma_rxe with the ODP copy fix (tests/vm/kernel/) in place of the stock module"
	pmr_rxe_use_fixed "$PMR_RXE_FIXED" >"$PMR_LOGDIR/rxe-swap.log" 2>&1 || {
		cat "$PMR_LOGDIR/rxe-swap.log"
		echo "demo: the fixed rdma_rxe did not load" >&2
		exit 1
	}
fi
if [ "$KIND" = fsdax ]; then
	MNT=/mnt/pmem
	pmem_fsdax ext4 "$MNT"
	echo "== the emulated NVDIMM as an fsdax namespace, ext4 mounted -o dax:"
	grep " $MNT " /proc/mounts
	REGION=$MNT/demo
	REGION_LINE="size = 64M" # a file: pmrd creates it this large
else
	REGION=$(pmem_devdax)
	echo "== the emulated NVDIMM as a devdax namespace: $REGION ($(ndctl list -N | grep -o '"size":[0-9]*'))"
	REGION_LINE="access = rw"
fi
cat >"$CONF" <<EOC
[pmrd]
listen = $IP:7471
admin_socket = $SOCK

[region demo]
path = $REGION
$REGION_LINE
EOC
show cat "$CONF"
echo
echo "== starting pmrd"
start_pmrd
grep -E "ODP self-test|region demo|zero|prepar|serving" "$PMR_LOGDIR/pmrd.log" || true
echo
if [ "$KIND" = fsdax ]; then
	echo "== the prepared file: every block written (no holes, no unwritten extents), immutable, its state in trusted.pmrd"
	show ls -l "$REGION"
	show filefrag "$REGION"
	show lsattr "$REGION"
	show getfattr --absolute-names -d -m trusted -e hex "$REGION"
	echo
	echo "== while pmrd serves it, no other process can change the file (root included)"
	try sh -c "echo oops >>$REGION"
	try truncate -s 0 "$REGION"
	try rm -f "$REGION"
	echo
fi
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
