#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 74-fence.sh -- exclusive writers with fencing (issue 17 item 3), with
# tests/tools/pmr-fence over libpmr against one testing region f0 (4 MiB):
#   - a second PMR_OPEN_EXCL (and a plain rw open) gets PMR_E_BUSY whose
#     text names the holder's address and generation; read-only opens
#     work; pmrctl list-regions shows the holder and the generation;
#   - writer A (EXCL) streams async writes of 0xAA over 1 MiB; B opens
#     with PMR_OPEN_TAKEOVER, gets a larger generation, writes 0xBB over
#     the range and persists it; A's first failure is PMR_E_FENCED and all
#     its later calls return it; after A stopped and a pause the range
#     holds only 0xBB, read back by B over RDMA and in the region's file
#     (no byte of A landed after the takeover) -- for each key strategy
#     that can fence: mw2 where the device has type 2 memory windows, and
#     mr-per-client;
#   - the generation survives a pmrd restart (stop, start: the next EXCL
#     open gets a larger number, and state_dir holds it);
#   - keys = shared-mr refuses EXCL and TAKEOVER with PMR_E_UNSUPPORTED and
#     a text naming keys = mw2 or mr-per-client.
# pmr-timeout: 300
set -eu
. "$PMR_LIB"

FENCE=$(pmr_need_bin pmr-fence)
PMRCTL=$(pmr_need_bin pmrctl)
IP=$(rxe_ip)
TMP=/run/pmr-fence
TFS=$TMP/tfs
STATE=$TMP/state
CONF=$PMR_LOGDIR/pmrd-fence.conf
SOCK=$TMP/pmrd.sock
LEN=1048576

# cleanup -- stop the daemons before unsealing their files
cleanup()
{
	local d
	for d in fence-mw2 fence-mr-per-client fence-shared-mr; do
		pmr_daemon_stop "$d" KILL 1 || true
	done
	pmr_unseal "$TFS"
	pmr_cleanup
	pmr_umount "$TFS"
}
trap cleanup EXIT

fence()
{
	"$FENCE" "$IP" f0 "$@"
}

ctl()
{
	"$PMRCTL" -s "$SOCK" "$@"
}

# setup -- the testing file system and the state directory
setup()
{
	mkdir -p "$TMP" "$STATE"
	pmr_testing_fs "$TFS" 16m "$TMP/tfs.img"
}

# write_conf KEYS -- pmrd.conf with "keys = KEYS" and the state directory
write_conf()
{
	{
		printf '[pmrd]\nlisten = %s:7471\nadmin_socket = %s\n' "$IP" "$SOCK"
		printf 'log_level = debug\nstate_dir = %s\nkeys = %s\n' "$STATE" "$1"
		printf '\n[region f0]\npath = %s/f0\nsize = 4M\npersistent = no\n' "$TFS"
	} >"$CONF"
	cat "$CONF"
}

# start NAME KEYS -- pmrd with "keys = KEYS" as daemon NAME
start()
{
	write_conf "$2"
	pmr_pmrd_start "$1" "$CONF" 120
}

# stop NAME -- SIGTERM, exit 0
stop()
{
	pmr_daemon_term "$1" 60
}

# generation_of OUTPUT -- the N of "generation N" in pmr-fence's output
generation_of()
{
	echo "$1" | sed -n 's/^generation \([0-9][0-9]*\)$/\1/p'
}

# busy NAME -- while A holds f0 exclusively: EXCL and rw opens BUSY naming
# A, RO works, pmrctl shows the holder and its generation
busy()
{
	local out rc gen pid
	rm -f "$TMP/holder.out" "$TMP/release"
	fence open excl "$TMP/release" >"$TMP/holder.out" 2>&1 &
	pid=$!
	pmr_wait_until 20 grep -q '^generation' "$TMP/holder.out"
	gen=$(generation_of "$(cat "$TMP/holder.out")")
	echo "holder: generation $gen"
	[ -n "$gen" ] && [ "$gen" -ge 1 ]
	rc=0; out=$(fence open excl) || rc=$?
	echo "$out"
	[ "$rc" = 3 ]
	echo "$out" | grep -Eq "^text: region 'f0' held exclusively by $IP:[0-9]+ \(generation $gen\)\$"
	rc=0; out=$(fence open rw) || rc=$?
	echo "$out"
	[ "$rc" = 3 ]
	echo "$out" | grep -Eq "held exclusively by $IP:[0-9]+"
	fence open ro
	out=$(ctl list-regions)
	echo "$out"
	echo "$out" | grep -Eq "^f0 .* serving +$gen +$IP:[0-9]+ +$TFS/f0\$"
	out=$(ctl -j list-regions)
	echo "$out"
	echo "$out" | grep -Eq "\"exclusive_holder\": *\"$IP:[0-9]+\""
	echo "$out" | grep -Eq "\"generation\": *${gen}([,} ]|\$)"
	touch "$TMP/release"
	wait "$pid"
	# released: the next exclusive open takes the next generation
	out=$(fence open excl)
	echo "$out"
	[ "$(generation_of "$out")" -gt "$gen" ]
	ctl list-regions | grep -Eq "^f0 .* serving +[0-9]+ +- +$TFS/f0\$"
}

# takeover NAME -- A streams, B takes over; nothing of A lands afterwards
takeover()
{
	local name=$1 gen pid rc=0 want
	rm -f "$TMP/ready" "$TMP/done"
	fence writer "$LEN" "$TMP/ready" "$TMP/done" &
	pid=$!
	pmr_wait_until 20 test -s "$TMP/ready"
	gen=$(cat "$TMP/ready")
	sleep 1 # A streams meanwhile
	fence takeover "$LEN" "$gen" "$TMP/done" 500 || rc=$?
	wait "$pid" || {
		echo "writer A failed"
		rc=1
	}
	[ "$rc" = 0 ]
	pmr_log_has "$name" "region f0 fenced \(taken over at generation"
	# the region's own bytes, not only what RDMA reads back
	want=$(head -c "$LEN" /dev/zero | tr '\0' '\273' | md5sum)
	[ "$(head -c "$LEN" "$TFS/f0" | md5sum)" = "$want" ] || {
		echo "f0 holds bytes other than B's:"
		head -c "$LEN" "$TFS/f0" | od -A x -t x1 | grep -v "bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb" | head -n 20
		return 1
	}
}

# restart NAME KEYS -- the generation survives stop and start
restart()
{
	local name=$1 keys=$2 out g1 g2
	out=$(fence open excl)
	echo "$out"
	g1=$(generation_of "$out")
	[ -n "$g1" ]
	stop "$name"
	start "$name" "$keys"
	grep -x "$g1" "$STATE/f0.generation"
	out=$(fence open excl)
	echo "$out"
	g2=$(generation_of "$out")
	[ -n "$g2" ] && [ "$g2" -gt "$g1" ]
	grep -x "$g2" "$STATE/f0.generation"
}

# shared NAME -- keys = shared-mr: EXCL and TAKEOVER refused, naming the fix
shared()
{
	local out rc mode
	for mode in excl takeover; do
		rc=0; out=$(fence open "$mode") || rc=$?
		echo "$out"
		[ "$rc" = 4 ]
		echo "$out" | grep -q "keys = mw2 or mr-per-client"
	done
	fence open rw # plain opens as ever
}

setup
if ibv_devinfo -v -d "$(rxe_dev)" | grep -q MEM_WINDOW_TYPE_2; then
	KEYSETS="mw2 mr-per-client"
else
	KEYSETS=mr-per-client
	pmr_skip fence-mw2 "the device has no type 2 memory windows"
fi
for keys in $KEYSETS; do
	name=fence-$keys
	pmr_case -t 150 "$name-start" start "$name" "$keys"
	pmr_passed || continue
	# the holder rules do not depend on the key strategy: once
	[ "$keys" != "${KEYSETS%% *}" ] ||
		pmr_case "$name-busy-names-holder" busy "$name"
	pmr_case -t 120 "$name-takeover-no-byte-of-a" takeover "$name"
	if [ "$keys" = mr-per-client ]; then
		pmr_case -t 150 "$name-generation-survives-restart" restart "$name" "$keys"
	fi
	pmr_case "$name-stop" stop "$name"
done

pmr_case -t 150 fence-shared-mr-start start fence-shared-mr shared-mr
if pmr_passed; then
	pmr_case fence-shared-mr-refuses shared fence-shared-mr
	pmr_case fence-shared-mr-stop stop fence-shared-mr
fi
