#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 47-order.sh -- libpmr's promises as a client written only from libpmr.h
# relies on them (tests/tools/pmr_order.c):
#   - order-testing, order-devdax: async streams of writes, persists (every
#     method the region offers, each through its own handle, mixed in one
#     stream) and reads at queue depths 1, 4, 16 and 64 complete in posting
#     order with status 0, reads see the writes posted before them; a
#     method the region does not offer is skipped with a message (FLUSH:
#     trixie's devdax only; RAW: where persistence_domain = cpu-cache);
#   - contract: the documented edge cases (method choice, ro handles,
#     checks at post time, zero-length I/O, names, flags, MR misuse,
#     destructors);
#   - reload-methods: a client connected before a reload that adds the
#     first FLUSH-capable region is not offered FLUSH (its QP was accepted
#     without FLUSH access), and what it is offered works; a client
#     connected after the reload gets FLUSH where the platform has it;
#   - loss-sync, loss-async: pmrd SIGKILLed under a stream of sync calls /
#     async posts: every error, from the call in flight, the first error
#     completion and every call after, is PMR_E_CONN_LOST.
# About 2-3 min under TCG.
# pmr-timeout: 900
set -eu
. "$PMR_LIB"

ORD=$(pmr_need_bin pmr-order)
PMRD=$(pmr_need_bin pmrd)
IP=$(rxe_ip)
TMP=/run/pmr-order
FS=$TMP/fs
CONF=$TMP/pmrd.conf
DAX=

trap 'pmr_teardown "$FS"' EXIT

# setup -- the devdax namespace, and a file system pmrd can pin testing
# regions on: tmpfs from Linux 6.5 (page-cache files are no longer
# long-term pinnable), a loop ext4 before
setup()
{
	mkdir -p "$TMP"
	DAX=$(pmem_devdax)
	[ -n "$DAX" ] || return 1
	pmr_testing_fs "$FS" 64M "$TMP/fs.img"
}

# conf [dev] -- t0 (testing, RAW offered), rotest (ro); dev with "dev"
conf()
{
	{
		printf '[pmrd]\nlisten = %s:7471\nlog_level = info\n' "$IP"
		printf '[region t0]\npath = %s/t0\nsize = 16M\n' "$FS"
		printf 'persistent = no\npersistence_domain = cpu-cache\n'
		printf '[region rotest]\npath = %s/rotest\nsize = 1M\n' "$FS"
		printf 'persistent = no\naccess = ro\n'
		[ "${1:-}" != dev ] || printf '[region dev]\npath = %s\n' "$DAX"
	} >"$CONF"
	cat "$CONF"
}

# start -- pmrd on the current config
start()
{
	pmr_pmrd_start pmrd "$CONF"
}

# order REGION -- the ordering streams on REGION
order()
{
	"$ORD" "$IP" order "$1"
}

# reload_methods -- a client held across the reload that adds dev
reload_methods()
{
	local n rc=0
	rm -f "$TMP/go"
	conf
	start || return 1
	pmr_daemon_start held "$ORD" "$IP" held dev "$TMP/go"
	pmr_wait_log held "^connected" 60 || {
		cat "$(pmr_daemon_log held)"
		return 1
	}
	conf dev >/dev/null
	n=$(grep -c "reload: " "$(pmr_daemon_log pmrd)" || true)
	kill -HUP "$(cat "$PMR_LOGDIR/pmrd.pid")"
	pmr_wait_until 120 sh -c "[ \$(grep -c 'reload: .* added' '$(pmr_daemon_log pmrd)') -gt $n ]" || {
		cat "$(pmr_daemon_log pmrd)"
		return 1
	}
	touch "$TMP/go"
	pmr_daemon_wait held 120 || rc=$?
	echo "--- the client connected before the reload (exit $rc):"
	cat "$(pmr_daemon_log held)"
	[ "$rc" = 0 ] || return 1
	echo "--- a client connected after the reload:"
	"$ORD" "$IP" held dev "$TMP/go" | tee "$TMP/after.log" || return 1
	# without the fix the old client was offered FLUSH and its first
	# FLUSH failed (its QP lacks the access): held failed above
	if grep -q "^FLUSH works" "$TMP/after.log"; then
		echo "FLUSH offered to the new connection only: as it should be"
		! grep -q "^FLUSH works" "$(pmr_daemon_log held)" || return 1
	else
		echo "dev offers no FLUSH on $PMR_PLATFORM: only shown that the methods offered work"
	fi
	pmr_daemon_term pmrd >/dev/null
}

# loss MODE -- pmrd SIGKILLed under MODE (sync or async) calls on dev
loss()
{
	local rc=0
	conf dev
	start || return 1
	pmr_daemon_start loss "$ORD" "$IP" loss dev "$1"
	if ! pmr_wait_log loss "^streaming" 120; then
		cat "$(pmr_daemon_log loss)"
		return 1
	fi
	sleep 0.5
	pmr_daemon_stop pmrd KILL 30 || true
	pmr_daemon_wait loss 120 || rc=$?
	cat "$(pmr_daemon_log loss)"
	[ "$rc" = 0 ]
}

# the cases after a failed set-up would only repeat its failure
pmr_inline_case setup setup || exit 0

conf dev
if pmr_inline_case pmrd-start start; then
	pmr_case -t 600 order-testing order t0
	pmr_case -t 600 order-devdax order dev
	pmr_case -t 120 contract "$ORD" "$IP" contract t0 rotest
	pmr_daemon_term pmrd >/dev/null || true
fi
pmr_inline_case reload-methods reload_methods || true
pmr_inline_case loss-sync loss sync || true
pmr_inline_case loss-async loss async || true
