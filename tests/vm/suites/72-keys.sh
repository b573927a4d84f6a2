#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 72-keys.sh -- least authority on the wire (issue 8): the rkey OPEN hands
# out, with raw RDMA from tests/tools/pmr-rawclient (completion statuses
# printed), for each key strategy pmrd has on rxe:
#   - mw2 (pmrd.conf without "keys": auto, rxe reports type 2 memory
#     windows) and mr-per-client (forced with "keys = mr-per-client", the
#     fallback for devices without windows);
#   - the strategy in the start-up log, in pmrctl list-regions (table and
#     -j) and pmrctl status; a bad "keys" value is refused with file:line;
#     a reload that changes it says it needs a restart and changes nothing;
#   - a read-only open of an rw region reads and cannot write
#     (IBV_WC_REM_ACCESS_ERR); a key after CLOSE reads and writes nothing;
#     a key after its client disconnected is dead; another connection
#     cannot use a client's key: a window is tied to its QP, and under
#     mr-per-client each client has its own protection domain (B is told
#     A's live rkey and gets a remote access error on its own QP while A's
#     own access keeps working);
#   - the region MR's own rkey (from the log) neither reads nor writes,
#     while under shared-mr the same probe succeeds (so it can fail);
#   - native RDMA FLUSH through the key where the platform has it (trixie);
#   - per-open registration times of mr-per-client (devdax and tmpfs).
# pmr-timeout: 1500
set -eu
. "$PMR_LIB"

RAW=$(pmr_need_bin pmr-rawclient)
PMRD=$(pmr_need_bin pmrd)
PMRCTL=$(pmr_need_bin pmrctl)
IP=$(rxe_ip)
TMP=/run/pmr-keys
TFS=$TMP/tfs
CONF=$PMR_LOGDIR/pmrd.conf
SOCK=$TMP/pmrd.sock

HAVE_FLUSH=$("$RAW" - - features | sed -n 's/^flush: //p')
if [ "$HAVE_FLUSH" = yes ] && kernel_at_least 6 2; then FLUSH=yes; else FLUSH=no; fi

# cleanup -- stop the daemons before unsealing their files
cleanup()
{
	local d
	for d in mw2 mr-per-client shared-mr; do
		pmr_daemon_stop "$d" KILL 1 || true
	done
	pmr_unseal "$TFS"
	pmr_cleanup
	pmr_umount "$TFS"
}
trap cleanup EXIT

raw()
{
	"$RAW" "$IP" 7471 "$@"
}

ctl()
{
	"$PMRCTL" -s "$SOCK" "$@"
}

DAX=

# setup -- dax0: the namespace as devdax (rw); t0: a 64 MiB tmpfs file (rw)
setup()
{
	mkdir -p "$TMP" "$TFS"
	mount -t tmpfs -o size=96m tmpfs "$TFS"
	DAX=$(pmem_devdax)
	[ -n "$DAX" ]
}

# write_conf KEYS -- the config, with "keys = KEYS" unless KEYS is ""
write_conf()
{
	{
		printf '[pmrd]\nlisten = %s:7471\nadmin_socket = %s\n' "$IP" "$SOCK"
		printf 'log_level = debug\nmax_clients = 32\n'
		[ -z "$1" ] || printf 'keys = %s\n' "$1"
		printf '\n[region dax0]\npath = %s\n' "$DAX"
		printf '\n[region t0]\npath = %s/t0\nsize = 64M\npersistent = no\n' "$TFS"
	} >"$CONF"
	cat "$CONF"
}

# start NAME KEYS -- pmrd with "keys = KEYS" ("" for none), as daemon NAME
start()
{
	local name=$1 keys=$2
	write_conf "$keys"
	pmr_daemon_start "$name" "$PMRD" -c "$CONF"
	pmr_wait_log "$name" "serving" 120 || {
		cat "$(pmr_daemon_log "$name")"
		return 1
	}
	grep "region .*registered in" "$(pmr_daemon_log "$name")"
}

# stop NAME -- SIGTERM, exit 0
stop()
{
	pmr_daemon_stop "$1" TERM 60
}

# mr_key NAME REGION rkey|lkey -- the region MR's key, as pmrd logged it
# (rxe gives an MR without remote rights rkey 0; its lkey is the value a
# guesser would try: rxe's rkeys and lkeys share the index space)
mr_key()
{
	sed -n "s/.*region $2: .*region MR rkey \([0-9a-fx]*\) lkey \([0-9a-fx]*\):.*/\1 \2/p" \
		"$(pmr_daemon_log "$1")" | tail -n 1 |
		if [ "$3" = rkey ]; then cut -d' ' -f1; else cut -d' ' -f2; fi
}

# region_mr_keys NAME -- neither the region MR's rkey nor its lkey reads or
# writes dax0
region_mr_keys()
{
	local r l
	r=$(mr_key "$1" dax0 rkey)
	l=$(mr_key "$1" dax0 lkey)
	echo "region MR: rkey $r lkey $l"
	[ -n "$r" ] && [ -n "$l" ]
	raw mrkey dax0 "$r"
	raw mrkey dax0 "$l"
}

# shown NAME KEYS -- the strategy in the log, the table and the JSON
shown()
{
	local name=$1 keys=$2 out
	pmr_log_has "$name" "region dax0: devdax, .*, keys $keys \(region MR rkey [0-9a-fx]+ lkey 0x[0-9a-f]+: no remote read or write\)"
	pmr_log_has "$name" "region t0: TESTING, .*, keys $keys \(region MR rkey"
	out=$(ctl list-regions)
	echo "$out"
	echo "$out" | head -n 1 | grep -q "^NAME .* ACC .*KEYS .*GRAN"
	echo "$out" | grep -Eq "^dax0 +devdax .* rw +$keys +"
	echo "$out" | grep -Eq "^t0 +testing .* rw +$keys +"
	out=$(ctl -j list-regions)
	echo "$out"
	[ "$(echo "$out" | grep -o "\"keys\": *\"$keys\"" | wc -l)" = 2 ]
	out=$(ctl -j status)
	echo "$out"
	echo "$out" | grep -Eq "\"keys\": *\"$keys\""
	ctl -v status | grep -Eq "^keys: +$keys\$"
}

# bad_keys -- a "keys" pmrd does not know stops it at start, at its line
bad_keys()
{
	local out rc=0
	write_conf mw
	out=$("$PMRD" --check-config -c "$CONF" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 1 ]
	echo "$out" | grep -q "pmrd.conf:6: bad keys 'mw': expected auto, mw2, mr-per-client or shared-mr"
}

# reload_keeps NAME KEYS OTHER -- a reload to "keys = OTHER" warns that it
# needs a restart; the regions keep KEYS
reload_keeps()
{
	local name=$1 keys=$2 other=$3
	write_conf "$other"
	kill -HUP "$(cat "$PMR_LOGDIR/$name.pid")"
	pmr_wait_log "$name" "reload: keys changed: needs a restart" 30
	ctl list-regions | grep -Eq "^dax0 +devdax .* rw +$keys +"
	write_conf "$keys"
}

# flush_case NAME -- WRITE + native RDMA FLUSH through the key OPEN gave
flush_case()
{
	raw flush dax0
}

# regtimes NAME -- what registering a region per open costs, as logged
regtimes()
{
	local log
	log=$(pmr_daemon_log "$1")
	grep -E "region (dax0|t0): client MR .* registered in" "$log" |
		sed 's/.*region/region/' | sort | uniq -c | head -n 20
	grep -qE "region dax0: client MR .* registered in" "$log"
}

setup
pmr_case bad-keys-refused bad_keys

# mw2: the default on rxe (type 2 memory windows on 6.1 and 7.x)
pmr_case -t 180 mw2-start start mw2 ""
if pmr_passed; then
	pmr_case mw2-shown shown mw2 mw2
	pmr_case -t 240 mw2-keys-dax0 raw keys dax0 own
	pmr_case -t 240 mw2-keys-t0 raw keys t0 own
	pmr_case mw2-region-mr-keys region_mr_keys mw2
	if [ "$FLUSH" = yes ]; then
		pmr_case mw2-flush flush_case mw2
	else
		pmr_skip mw2-flush "no native RDMA FLUSH here (rdma-core < 45 or kernel < 6.2)"
	fi
	pmr_case mw2-stop stop mw2
fi

# mr-per-client: the fallback, forced (rxe has windows)
pmr_case -t 180 mr-per-client-start start mr-per-client mr-per-client
if pmr_passed; then
	pmr_case mr-per-client-shown shown mr-per-client mr-per-client
	pmr_case -t 600 mr-per-client-keys-dax0 raw keys dax0 own
	pmr_case -t 240 mr-per-client-keys-t0 raw keys t0 own
	pmr_case mr-per-client-reload-keeps-keys reload_keeps mr-per-client mr-per-client mw2
	pmr_case mr-per-client-region-mr-keys region_mr_keys mr-per-client
	if [ "$FLUSH" = yes ]; then
		pmr_case -t 240 mr-per-client-flush flush_case mr-per-client
	else
		pmr_skip mr-per-client-flush "no native RDMA FLUSH here (rdma-core < 45 or kernel < 6.2)"
	fi
	pmr_case mr-per-client-registration-times regtimes mr-per-client
	pmr_case mr-per-client-stop stop mr-per-client
fi

# shared-mr: the old behaviour, to prove the MR-rkey probe can fail
shared_mr_rkey_works()
{
	local k
	k=$(mr_key shared-mr dax0 rkey)
	echo "region MR rkey $k"
	raw rawop dax0 read "$k"
	raw rawop dax0 write "$k"
}
pmr_case -t 180 shared-mr-start start shared-mr shared-mr
if pmr_passed; then
	pmr_case shared-mr-region-mr-rkey-works shared_mr_rkey_works
	pmr_case shared-mr-stop stop shared-mr
fi
