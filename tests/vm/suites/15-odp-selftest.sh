#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 15-odp-selftest.sh -- pmrd's ODP self-test on the module the boot starts
# with (a stock-module suite: on trixie it runs before the fixed rdma_rxe is
# swapped in; tests/vm/README.md, "Two module phases"):
#   - pmrd logs the self-test's verdict at start and `pmrctl status` shows
#     it (table and -j): "not supported" on 6.1 (rxe has no ODP),
#     "misplaces data" on a 6.15+ rxe without the fix, "verified" with it;
#   - where it is not verified, an fsdax region is refused at start (exit
#     1) with the rule, the self-test's finding and the ways out, and
#     devdax is served all the same;
#   - pmr-odp-repro, which knows nothing of pmrd, shows the misplacement
#     (BAD lines, exit 1) where the self-test said so.
# The same self-test on the fixed module ("verified") is checked by
# 30-daemon and the fsdax suites.
# pmr-rxe: stock
# pmr-timeout: 300
set -eu
. "$PMR_LIB"

PMRD=$(pmr_need_bin pmrd)
PMRCTL=$(pmr_need_bin pmrctl)
IP=$(rxe_ip)
PORT=7471
TMP=/run/pmr-odp
MNT=/mnt/pmr-odp
SOCK=$TMP/pmrd.sock
EXPECT=$(pmr_odp_expect)
mkdir -p "$TMP"

# cleanup -- stop the daemons, unseal the fsdax file, unmount
cleanup()
{
	pmr_daemon_stop dev KILL 1 || true
	pmr_daemon_stop fsdax KILL 1 || true
	pmr_unseal "$MNT"
	pmr_cleanup
}
trap cleanup EXIT

pmr_say "kernel $PMR_KERNEL: the ODP self-test must say '$EXPECT'"

# conf FILE NAME PATH [LINE...] -- one region, the admin socket
conf()
{
	{
		printf '[pmrd]\nlisten = %s:%s\nadmin_socket = %s\nlog_level = info\n' \
			"$IP" "$PORT" "$SOCK"
		printf '[region %s]\npath = %s\n' "$2" "$3"
		[ $# -le 3 ] || printf '%s\n' "${@:4}"
	} >"$1"
}

# verdict_shown -- the log line, the status table and the JSON agree
verdict_shown()
{
	local out
	pmr_log_has dev "device rxe[0-9]*: ODP self-test: $EXPECT" || return 1
	out=$("$PMRCTL" -s "$SOCK" status)
	echo "$out"
	echo "$out" | grep -q "^odp: *$EXPECT\$" || {
		echo "pmrctl status: no 'odp: $EXPECT' line"
		return 1
	}
	out=$("$PMRCTL" -s "$SOCK" -j status)
	echo "$out"
	echo "$out" | python3 -c '
import json, sys
st = json.load(sys.stdin)
want = sys.argv[1]
assert st["odp"] == want, "odp %r, expected %r" % (st["odp"], want)
assert st["odp_detail"], "no odp_detail"
print("json: odp %s: %s" % (st["odp"], st["odp_detail"]))
' "$EXPECT"
}

# devdax_served -- devdax needs no ODP: served whatever the verdict
devdax_served()
{
	local dax
	dax=$(pmem_devdax) || return 1
	conf "$TMP/dev.conf" dev "$dax"
	pmr_pmrd_start dev "$TMP/dev.conf" || return 1
	verdict_shown || return 1
	pmr_log_has dev "region dev: devdax, .*MR pinned" || return 1
	pmr_daemon_term dev 20
}

# fsdax_refused -- without a verified ODP an fsdax file is refused, saying
# why (the self-test's finding, or no ODP at all) and the ways out
fsdax_refused()
{
	pmem_fsdax ext4 "$MNT" || return 1
	conf "$TMP/fsdax.conf" fs "$MNT/fs0" "size = 16M"
	pmr_daemon_start fsdax "$PMRD" -c "$TMP/fsdax.conf"
	pmr_daemon_exits fsdax 1 120 || return 1
	pmr_log_has fsdax "region fs \($MNT/fs0\): this RDMA device cannot serve a file on a DAX filesystem" || return 1
	pmr_log_has fsdax "refuses long-term pins of fsdax pages \(FOLL_LONGTERM, mm/gup.c\)" || return 1
	pmr_log_has fsdax "ndctl create-namespace -f -e namespaceX.Y -m devdax" || return 1
	if [ "$EXPECT" = "misplaces data" ]; then
		pmr_log_has fsdax "failed pmrd's self-test at start \(misplaces data: a [0-9]+-byte RDMA WRITE at page offset [0-9]+ completed, but byte" || return 1
		pmr_log_has fsdax "built with the ODP copy fix \(doc/PLATFORM_NOTES.md\)" || return 1
	else
		pmr_log_has fsdax "does not report RC ODP for RDMA READ and WRITE" || return 1
	fi
	if pmr_log_has fsdax "serving" >/dev/null; then
		echo "pmrd served although its region was refused"
		return 1
	fi
}

# repro_misplaces -- the standalone reproducer agrees with the self-test
repro_misplaces()
{
	local repro rc=0
	repro=$(pmr_bin pmr-odp-repro) || return 1
	"$repro" "$IP" anon odp >"$TMP/repro.out" 2>&1 || rc=$?
	cat "$TMP/repro.out"
	[ "$rc" = 1 ] || {
		echo "pmr-odp-repro exited $rc, expected 1 (some BAD)"
		return 1
	}
	grep -q '^BAD' "$TMP/repro.out"
}

pmr_case selftest-"${EXPECT// /-}"-devdax-served devdax_served
if [ "$EXPECT" = verified ]; then
	pmr_skip fsdax-refused "ODP verified on this module: fsdax is served (45-fsdax)"
else
	pmr_case fsdax-refused-"${EXPECT// /-}" fsdax_refused
fi
if [ "$EXPECT" = "misplaces data" ]; then
	pmr_case repro-shows-misplacement repro_misplaces
else
	pmr_skip repro-shows-misplacement "ODP $EXPECT here: nothing to reproduce"
fi
pmem_release
