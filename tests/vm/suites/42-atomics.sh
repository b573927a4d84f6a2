#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 42-atomics.sh -- libpmr's durable 8-byte atomics against pmrd
# (tests/tools/pmr_atomics.c), on the devdax region and, where the ODP
# self-test verifies the device and a second NVDIMM is there (trixie with
# the fixed rdma_rxe), on an fsdax region too:
#   - atomic_write then read back, little-endian; misaligned -> -EINVAL,
#     read-only handle -> PMR_E_READONLY, past the end -> PMR_E_RANGE; the
#     path libpmr reports is the one `pmrctl -j list-regions` shows:
#     bookworm (rdma-core 44, no ibv_wr_atomic_write) "server", trixie
#     "native" where the device reports ATOMIC WRITE (else "server");
#   - 4 client processes x 2000 fetch_add(1) on one counter: the final
#     value is exactly 8000 and every old value 0..7999 came back once;
#   - a CAS lock: 4 processes race CAS(0 -> own id) on one word: exactly
#     one wins and the word holds its id;
#   - 64 async post_cas / post_fetch_add complete in posting order with
#     their old words in the MR.
# Each case says the path it took.  Run time well under a minute.
# pmr-timeout: 300
set -eu
. "$PMR_LIB"

ATOM=$(pmr_need_bin pmr-atomics)
pmr_need_bin pmrd >/dev/null
PMRCTL=$(pmr_need_bin pmrctl)
IP=$(rxe_ip)
PORT=7476
TMP=/run/pmr-atomics
MNT=/mnt/pmr-atomics
SOCK=$TMP/pmrd.sock
CONF=$TMP/pmrd.conf
N=4
M=2000
[ "${PMR_QUICK:-0}" = 1 ] && M=500
FSDAX=

trap 'pmr_teardown "$MNT"' EXIT

# setup -- devdax on the first NVDIMM; an fsdax ext4 on the second where
# pmrd will serve it (verified ODP), else FSDAX stays empty
setup()
{
	local dax ns2
	mkdir -p "$TMP"
	dax=$(pmem_devdax) || return 1
	{
		printf '[pmrd]\nlisten = %s:%s\nadmin_socket = %s\n' "$IP" \
			"$PORT" "$SOCK"
		printf 'log_level = info\n[region dax0]\npath = %s\n' "$dax"
	} >"$CONF"
	if [ "$(pmr_odp_expect)" = verified ] && ns2=$(pmem_ns2); then
		PMR_PMEM_NS=$ns2 pmem_fsdax ext4 "$MNT" || return 1
		printf '[region fs0]\npath = %s/r\nsize = 16M\n' "$MNT" >>"$CONF"
		FSDAX=fs0
	fi
	cat "$CONF"
}

# atom CMD REGION ARGS... -- the tool against this suite's pmrd
atom()
{
	"$ATOM" "$IP" "$PORT" "$@"
}

# ctl_path REGION -- the atomic_write path pmrctl -j reports for REGION
ctl_path()
{
	"$PMRCTL" -s "$SOCK" -j -v list-regions |
		awk -F'"' -v r="$1" '/"name":/ { n = $4 }
			/"atomic_write":/ && n == r { print $4 }'
}

# basic REGION -- atomic_write and its refusals; the path matches pmrctl
basic()
{
	local out path want
	out=$(atom basic "$1" 64)
	echo "$out"
	path=$(echo "$out" | sed -n 's/^path: //p')
	want=$(ctl_path "$1")
	echo "$1: atomic write path $path (pmrctl: $want), platform $PMR_PLATFORM"
	[ -n "$path" ] && [ "$path" = "$want" ] || return 1
	"$PMRCTL" -s "$SOCK" list-regions | grep -E "^$1 .* $path +[0-9]+ "
	# bookworm's rdma-core 44 cannot post ATOMIC WRITE: the server path
	if [ "$PMR_PLATFORM" = bookworm ]; then
		[ "$path" = server ] || return 1
	fi
	echo "$out" | grep -q "^OK basic"
}

# counter REGION -- N processes x M fetch_add(1): exact total, unique olds
counter()
{
	local i pids=() fails=0 total
	atom set "$1" 128 0
	rm -f "$TMP"/count.*
	for i in $(seq 1 "$N"); do
		atom counter "$1" 128 "$M" "$TMP/count.$i" &
		pids+=($!)
	done
	# every client connected and opened before anyone counts
	sleep 2
	for i in $(seq 1 "$N"); do touch "$TMP/count.$i.go"; done
	for i in "${pids[@]}"; do
		wait "$i" || fails=$((fails + 1))
	done
	[ "$fails" = 0 ] || return 1
	total=$(atom get "$1" 128)
	echo "$1: final counter $total, want $((N * M)) (path $(ctl_path "$1"))"
	[ "$total" = $((N * M)) ] || return 1
	cat "$TMP"/count.[0-9] "$TMP"/count.[0-9][0-9] 2>/dev/null |
		sort -n | uniq >"$TMP/olds"
	[ "$(wc -l <"$TMP/olds")" = $((N * M)) ] || {
		echo "old values not unique: $(wc -l <"$TMP/olds") distinct"
		return 1
	}
	[ "$(head -n 1 "$TMP/olds")" = 0 ] &&
		[ "$(tail -n 1 "$TMP/olds")" = $((N * M - 1)) ]
}

# lock REGION -- N processes race CAS(0 -> id): one winner, its id stays
lock()
{
	local i pids=() won word winner
	atom set "$1" 192 0
	rm -f "$TMP/lock.go" "$TMP"/lock.out.*
	for i in $(seq 1 "$N"); do
		atom lock "$1" 192 "$((100 + i))" "$TMP/lock.go" \
			>"$TMP/lock.out.$i" &
		pids+=($!)
	done
	sleep 2
	touch "$TMP/lock.go"
	for i in "${pids[@]}"; do
		wait "$i" || return 1
	done
	grep . "$TMP"/lock.out.*
	won=$(grep -l "^won" "$TMP"/lock.out.* | wc -l)
	[ "$won" = 1 ] || {
		echo "$won winners"
		return 1
	}
	winner=$(grep -l "^won" "$TMP"/lock.out.*)
	winner=$((100 + ${winner##*.}))
	word=$(atom get "$1" 192)
	echo "$1: winner $winner, word $word"
	[ "$word" = "$winner" ] || return 1
	# the losers saw the winner's id
	[ "$(grep -c "^lost to $winner\$" "$TMP"/lock.out.* |
		awk -F: '{ s += $2 } END { print s }')" = $((N - 1)) ]
}

# async REGION -- post_cas / post_fetch_add in order, old words in the MR
async()
{
	atom async "$1" 256 64
}

# the cases after a failed set-up would only repeat its failure
pmr_inline_case setup setup || exit 0
pmr_inline_case pmrd-start pmr_pmrd_start pmrd "$CONF" 120 || exit 0
rdma_wait_listen "$PORT" 60 || true

for r in dax0 $FSDAX; do
	pmr_case -t 60 "basic-$r" basic "$r"
	pmr_case -t 120 "counter-$r" counter "$r"
	pmr_case -t 60 "cas-lock-$r" lock "$r"
	pmr_case -t 60 "async-$r" async "$r"
done
if [ -z "$FSDAX" ]; then
	pmr_skip fsdax "no fsdax region here: pmrd serves fsdax only with a verified ODP self-test and a second NVDIMM (ODP here: $(pmr_odp_expect); 45-fsdax)"
fi
pmr_daemon_term pmrd >/dev/null || true
