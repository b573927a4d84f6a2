#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 45-fsdax.sh -- fsdax regions end to end: files on ext4 -o dax (the first
# NVDIMM, namespace0.0) and xfs -o dax (the second, namespace1.0), both
# mounted at once, served by one pmrd with On-Demand Paging MRs, where the
# ODP self-test verified the device (trixie with the fixed rdma_rxe):
#   - pmrd prepares both (zeroed now), registers them "MR odp" with the
#     pre-faulted mapping and the prefetch (or its absence) logged, and
#     `pmrctl status` says "odp: verified";
#   - for each persist method the regions advertise, 4 pmr-scribble clients
#     (random unaligned writes of 1 B..256 KiB, persisted, read back and
#     compared with a shadow copy) on each region, each method in its own
#     range; then 8 clients on the 2 regions at once; a method the regions
#     do not offer fails clearly;
#   - while served, the region files are immutable to other processes
#     (open O_RDWR, truncate, rm, mv, append: EPERM);
#   - pmrd stopped: every range the clients wrote is byte for byte in the
#     file (cmp, plain file I/O), and the rest is zeros; again after umount
#     and mount;
#   - a restart keeps the data (prepared before, nothing zeroed), as RDMA
#     reads show; the files served read-only refuse remote writes and read
#     the same data;
#   - start time of a prepared small (16 MiB) and large (640 MiB, quick 256)
#     region, and the first write into the large one: reported, bounded
#     only generously;
# and, on every platform (no RDMA needed): a region file on the same
# filesystem mounted without dax is refused at start with the reason, a
# new one is not left behind and a prepared one is not touched.
# Without a verified ODP (bookworm's 6.1 rxe has none; the stock 7.x rxe
# misplaces data) pmrd refuses fsdax at start (30-daemon, 15-odp-selftest):
# the ODP cases are skipped with that reason.
# pmr-timeout: 1200
set -eu
. "$PMR_LIB"

PMRD=$(pmr_need_bin pmrd)
PMRCTL=$(pmr_need_bin pmrctl)
SCRIB=$(pmr_need_bin pmr-scribble)
RAW=$(pmr_need_bin pmr-rawclient)
IP=$(rxe_ip)
PORT=7473
TMP=/run/pmr-fsdax
MNT=/mnt/pmr-fsdax
SOCK=$TMP/pmrd.sock
EXPECT=$(pmr_odp_expect)
MIB=1048576
SIZE=$((64 * MIB)) # each region file
RANGE=$((16 * MIB)) # one range per method, one for the 8 clients
if [ "${PMR_QUICK:-}" = 1 ]; then
	OPS=100 BIG=256
else
	OPS=1000 BIG=640
fi
declare -A DIR=([ext4]=$MNT/ext4 [xfs]=$MNT/xfs)
declare -A REG=([ext4]=e4 [xfs]=xf)
FSES="ext4"
NS2=

mkdir -p "$TMP"
mountpoint -q "$TMP" || mount -t tmpfs -o size=512m tmpfs "$TMP"

# cleanup -- stop the daemons, unseal the region files, unmount
cleanup()
{
	local d
	for d in main again ro small big nodax; do
		pmr_daemon_stop "$d" KILL 1 || true
	done
	pmr_teardown "${DIR[ext4]}" "${DIR[xfs]}"
	mountpoint -q "$TMP" && umount -l "$TMP"
	return 0
}
trap cleanup EXIT

# file FS -- the region file on FS
file()
{
	echo "${DIR[$1]}/r"
}

# conf FILE [ACCESS] -- [pmrd] and one 64 MiB region per filesystem
conf()
{
	local fs
	{
		printf '[pmrd]\nlisten = %s:%s\nadmin_socket = %s\nlog_level = debug\n' \
			"$IP" "$PORT" "$SOCK"
		for fs in $FSES; do
			printf '[region %s]\npath = %s\nsize = %s\n' "${REG[$fs]}" \
				"$(file "$fs")" "$SIZE"
			[ -z "${2:-}" ] || printf 'access = %s\n' "$2"
		done
	} >"$1"
}

# start NAME CONF -- pmrd as daemon NAME; wait until it serves and listens
start()
{
	pmr_pmrd_start "$1" "$2" 180 && rdma_wait_listen "$PORT" 60
}

# mounts -- ext4 -o dax on namespace0.0 and xfs -o dax on the second
# NVDIMM, fresh, both mounted
mounts()
{
	pmem_fsdax ext4 "${DIR[ext4]}" || return 1
	[ -n "$NS2" ] || return 0
	PMR_PMEM_NS=$NS2 pmem_fsdax xfs "${DIR[xfs]}" || return 1
	grep -E " $MNT/(ext4|xfs) " /proc/mounts
}

# methods -- the persist methods pmrd logged for the ext4 region, in
# libpmr's names (read-after-write is "raw"), space separated
methods()
{
	sed -n 's/.*region e4: fsdax, .*persist methods \([a-z,-]*\),.*/\1/p' \
		"$(pmr_daemon_log main)" | head -n 1 | tr ',' ' ' |
		sed 's/read-after-write/raw/'
}

# serve -- both regions prepared, zeroed now, registered with ODP; the
# pre-faulted mapping and the prefetch's outcome logged; odp verified
serve()
{
	local fs r f m out
	conf "$TMP/main.conf"
	start main "$TMP/main.conf" || return 1
	pmr_log_has main "device rxe[0-9]*: ODP self-test: verified" || return 1
	m=server
	[ "$FLUSH" = yes ] && m=server,flush
	for fs in $FSES; do
		r=${REG[$fs]} f=$(file "$fs")
		pmr_log_has main "region $r: $f: preparing $SIZE bytes" || return 1
		pmr_log_has main "region $r: $f: [0-9]+ extents, all written" || return 1
		pmr_log_has main "region $r: $f: prepared $SIZE bytes in" || return 1
		pmr_log_has main "region $r: $f: fsdax, $SIZE bytes, .*prepared and zeroed now" || return 1
		pmr_log_has main "region $r: fsdax, $SIZE bytes, access rw \(remote write yes\), MR odp, persist methods $m," || return 1
		pmr_log_has main "region $r: mapping pre-faulted in" || return 1
		# rxe before rdma-core 59 has no ibv_advise_mr: said at info;
		# a prefetch that worked is not logged (only failures are)
		if grep -E "region $r: (ODP prefetch|ibv_advise_mr)" "$(pmr_daemon_log main)"; then
			pmr_log_has main "region $r: ODP prefetch not supported by this provider; relying on the pre-faulted mapping" || return 1
		else
			echo "region $r: no prefetch line: ibv_advise_mr worked (not logged)"
		fi
		lsattr "$f" | grep -q '^[^ ]*i' || {
			echo "$f is not immutable while served: $(lsattr "$f")"
			return 1
		}
	done
	out=$("$PMRCTL" -s "$SOCK" status) || return 1
	echo "$out"
	echo "$out" | grep -q '^odp: *verified$' || {
		echo "pmrctl status: no 'odp: verified'"
		return 1
	}
	out=$("$PMRCTL" -s "$SOCK" list-regions) || return 1
	echo "$out"
	for fs in $FSES; do
		echo "$out" | grep -Eq "^${REG[$fs]} +fsdax +[^ ]+ +odp +rw " || {
			echo "list-regions: ${REG[$fs]} is not an fsdax region with an odp MR"
			return 1
		}
	done
}

# scribble FS TAG OFF ARGS... -- pmr-scribble on FS's region in [OFF,
# OFF+RANGE), from zeros; the shadow image goes to $TMP/img-FS-TAG
scribble()
{
	local fs=$1 tag=$2 off=$3 rc=0
	shift 3
	echo "$off $tag" >>"$TMP/ranges-$fs"
	"$SCRIB" -p "$PORT" -o "$off" -l "$RANGE" -z -O "$TMP/img-$fs-$tag" \
		"$@" "$IP" "${REG[$fs]}" >"$TMP/out-$fs-$tag" 2>&1 || rc=$?
	cat "$TMP/out-$fs-$tag"
	[ "$rc" = 0 ] || return "$rc"
	pmr_say "$fs $tag: $(grep -E '^[0-9]+ clients: ' "$TMP/out-$fs-$tag")"
}

# eight_clients -- 4 clients on each region at once, method auto, in the
# range after the methods' ones (MULTI_OFF)
eight_clients()
{
	local fs pids=() rc=0 p
	for fs in $FSES; do
		scribble "$fs" multi "$MULTI_OFF" -c 4 -n "$OPS" \
			>"$TMP/multi-$fs.out" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	cat "$TMP"/multi-*.out
	return "$rc"
}

# method_not_offered M -- pmr-scribble -m M, which the regions do not
# advertise, fails at once saying what is offered
method_not_offered()
{
	local rc=0
	"$SCRIB" -p "$PORT" -m "$1" -n 1 "$IP" e4 >"$TMP/nomethod.out" 2>&1 || rc=$?
	cat "$TMP/nomethod.out"
	[ "$rc" = 1 ] || {
		echo "pmr-scribble -m $1 exited $rc, expected 1"
		return 1
	}
	grep -q "region e4 offers persist methods .*: -m $1 is not one of them" "$TMP/nomethod.out"
}

# eperm WHAT CMD... -- CMD fails with "Operation not permitted"
eperm()
{
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "$what: succeeded on an immutable region file"
		return 1
	fi
	echo "$what: $out"
	case "$out" in
	*"Operation not permitted"*) return 0 ;;
	esac
	echo "$what: failed, but not with EPERM"
	return 1
}

# immutable -- while pmrd serves, nobody else changes the region files
immutable()
{
	local fs f size bad=0
	for fs in $FSES; do
		f=$(file "$fs")
		size=$(stat -c %s "$f")
		lsattr "$f"
		# shellcheck disable=SC2016 # $1 of the inner bash
		eperm "open O_RDWR" bash -c 'exec 5<>"$1"' - "$f" || bad=1
		eperm "open O_WRONLY" dd if=/dev/zero of="$f" bs=1 count=1 conv=notrunc status=none || bad=1
		eperm truncate truncate -s 0 "$f" || bad=1
		# shellcheck disable=SC2016
		eperm append bash -c 'echo scribble >>"$1"' - "$f" || bad=1
		eperm rm rm -f "$f" || bad=1
		eperm mv mv "$f" "$f.moved" || bad=1
		eperm link ln "$f" "$f.link" || bad=1
		if [ ! -f "$f" ] || [ "$(stat -c %s "$f")" != "$size" ]; then
			echo "$f changed: $(ls -l "$f" 2>&1)"
			bad=1
		fi
	done
	pmr_daemon_alive main || {
		echo "pmrd died"
		bad=1
	}
	return "$bad"
}

# cmp_all -- every written range equals its image, the rest is zeros;
# plain file I/O on the region files (pmrd stopped)
cmp_all()
{
	local fs f off tag bad=0 ranges
	for fs in $FSES; do
		f=$(file "$fs")
		[ -s "$TMP/ranges-$fs" ] || {
			echo "$fs: no range was written"
			bad=1
			continue
		}
		while read -r off tag; do
			if cmp -i "$off:0" -n "$RANGE" "$f" "$TMP/img-$fs-$tag"; then
				echo "$f [$off, +$RANGE) = image $tag"
			else
				bad=1
			fi
		done <"$TMP/ranges-$fs"
		# the ranges are 0..N-1 times RANGE: the rest must read zeros
		ranges=$(wc -l <"$TMP/ranges-$fs")
		off=$((ranges * RANGE))
		if cmp -i "$off:0" -n $((SIZE - off)) "$f" /dev/zero; then
			echo "$f [$off, $SIZE) zeros"
		else
			bad=1
		fi
	done
	return "$bad"
}

# stopped -- SIGTERM (exit 0), the files sealed and prepared, cmp_all
stopped()
{
	local fs f
	pmr_daemon_term main 30 || return 1
	for fs in $FSES; do
		f=$(file "$fs")
		lsattr "$f" | grep -q '^[^ ]*i' || {
			echo "$f is not immutable after pmrd stopped: $(lsattr "$f")"
			return 1
		}
		getfattr -n trusted.pmrd -e hex "$f" | grep -q '^trusted.pmrd=0x.\{20\}0200' || {
			echo "$f: trusted.pmrd is not 'prepared'"
			return 1
		}
	done
	cmp_all
}

# remount -- both filesystems unmounted and mounted -o dax again; cmp_all
remount()
{
	local fs
	for fs in $FSES; do
		umount "${DIR[$fs]}" || return 1
	done
	pmem_fsdax ext4 "${DIR[ext4]}" --keep || return 1
	if [ -n "$NS2" ]; then
		PMR_PMEM_NS=$NS2 pmem_fsdax xfs "${DIR[xfs]}" --keep || return 1
	fi
	grep -E " $MNT/(ext4|xfs) " /proc/mounts
	cmp_all
}

# verify_rdma NAME ARGS... -- every written range over RDMA equals its
# image (pmr-scribble -I, no writes); ARGS are extra pmr-scribble options
verify_rdma()
{
	local fs off tag
	for fs in $FSES; do
		while read -r off tag; do
			"$SCRIB" -p "$PORT" -c 2 -n 20 -o "$off" -l "$RANGE" \
				-I "$TMP/img-$fs-$tag" "$@" "$IP" "${REG[$fs]}" || {
				echo "$fs range $tag over RDMA differs from its image"
				return 1
			}
		done <"$TMP/ranges-$fs"
	done
}

# restart -- a restart keeps the data: prepared before, nothing zeroed,
# the ranges read back over RDMA as written
restart()
{
	local fs
	start again "$TMP/main.conf" || return 1
	for fs in $FSES; do
		pmr_log_has again "region ${REG[$fs]}: $(file "$fs"): fsdax, $SIZE bytes, .*prepared before, data kept" || return 1
	done
	if grep -E "preparing|zeroing|zeroed [0-9]" "$(pmr_daemon_log again)"; then
		echo "a prepared region was prepared or zeroed again"
		return 1
	fi
	verify_rdma -r 0 -n 0 || return 1
	pmr_daemon_term again 30
}

# read_only -- the files served read-only: no remote write (an RDMA WRITE
# with the region's key fails remotely, a read-write open is ACCESS), the
# data reads as written; the files unchanged afterwards
read_only()
{
	local fs
	conf "$TMP/ro.conf" ro
	start ro "$TMP/ro.conf" || return 1
	for fs in $FSES; do
		pmr_log_has ro "region ${REG[$fs]}: fsdax, $SIZE bytes, access ro \(remote write no\), MR odp, persist methods server," || return 1
		"$RAW" "$IP" "$PORT" ro "${REG[$fs]}" || return 1
	done
	verify_rdma -R || return 1
	pmr_daemon_term ro 30 || return 1
	cmp_all
}

# start_secs NAME CONF -- start pmrd, print the seconds until it served
start_secs()
{
	local t0=$EPOCHREALTIME
	start "$1" "$2" >"$TMP/$1.start" 2>&1 || {
		cat "$TMP/$1.start"
		return 1
	}
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
}

# start_time -- a prepared small and a prepared large region: start to
# "serving", registration and pre-faulting as logged; the first write into
# the large region after the start, and a second one
start_time()
{
	local d=${DIR[ext4]} n s_small s_big lim=120 size
	for n in small big; do
		size=16M
		[ "$n" = small ] || size=${BIG}M
		printf '[pmrd]\nlisten = %s:%s\nadmin_socket = %s\nlog_level = debug\n' \
			"$IP" "$PORT" "$TMP/$n.sock" >"$TMP/$n.conf"
		printf '[region %s]\npath = %s/%s\nsize = %s\n' "$n" "$d" "$n" \
			"$size" >>"$TMP/$n.conf"
		"$PMRD" --prepare -c "$TMP/$n.conf" >"$TMP/$n.prep" 2>&1 || {
			cat "$TMP/$n.prep"
			return 1
		}
		grep "prepared .* bytes in" "$TMP/$n.prep"
	done
	s_small=$(start_secs small "$TMP/small.conf") || return 1
	pmr_daemon_term small 30 >/dev/null || return 1
	s_big=$(start_secs big "$TMP/big.conf") || return 1
	# first touch: the last MiB of the large region, twice
	"$SCRIB" -p "$PORT" -c 1 -n 3 -S 4K -o $(((BIG - 1) * MIB)) -l "$MIB" \
		-r 0 "$IP" big | grep first
	"$SCRIB" -p "$PORT" -c 1 -n 3 -S 4K -o $(((BIG - 1) * MIB)) -l "$MIB" \
		-r 0 "$IP" big | grep first
	pmr_daemon_term big 30 >/dev/null || return 1
	for n in small big; do
		grep -E "ODP self-test|pre-faulted|registered in|prepared before|extents" \
			"$(pmr_daemon_log $n)" | sed "s/^/$n: /"
	done
	echo "start to serving: small (16 MiB) ${s_small} s, large ($BIG MiB) ${s_big} s"
	pmr_say "fsdax start, prepared region: 16 MiB ${s_small} s, $BIG MiB ${s_big} s"
	if awk -v a="$s_small" -v b="$s_big" -v l="$lim" 'BEGIN { exit !(b > a + l) }'; then
		echo "the large region started more than $lim s after the small one"
		return 1
	fi
	chattr -i "$d/small" "$d/big"
	rm -f "$d/small" "$d/big"
}

# nodax MNT... -- the filesystem on namespace0.0 mounted again WITHOUT dax
# at MNT: a prepared region file and a new one are refused at start, with
# the reason; the new file is not left behind, the prepared one unchanged
nodax()
{
	local d=${DIR[ext4]} dev sum
	dev=$(findmnt -n -o SOURCE "$d") || return 1
	sum=$(sha256sum <"$d/r")
	umount "$d" || return 1
	mount -t ext4 "$dev" "$d" || return 1
	grep " $d " /proc/mounts
	if awk -v d="$d" '$2 == d { print $4 }' /proc/mounts | grep -Eq '(^|,)dax'; then
		echo "mounted with dax after all"
		return 1
	fi
	{
		printf '[pmrd]\nlisten = %s:%s\nlog_level = info\n' "$IP" "$PORT"
		printf '[region old]\npath = %s/r\nsize = %s\n' "$d" "$SIZE"
		printf '[region new]\npath = %s/new\nsize = 16M\n' "$d"
	} >"$TMP/nodax.conf"
	pmr_daemon_start nodax "$PMRD" -c "$TMP/nodax.conf"
	pmr_daemon_exits nodax 1 180 || return 1
	pmr_log_has nodax "region old: $d/r: not on DAX \(statx shows no STATX_ATTR_DAX\): mount the filesystem with -o dax, or set 'persistent = no'" || return 1
	pmr_log_has nodax "region new: $d/new: not on DAX \(statx shows no STATX_ATTR_DAX\)" || return 1
	pmr_log_has nodax "2 of 2 region\(s\) failed to open; not starting" || return 1
	if pmr_log_has nodax "serving|preparing" >/dev/null; then
		echo "pmrd prepared or served a region on a filesystem without dax"
		return 1
	fi
	[ ! -e "$d/new" ] || {
		echo "the refused new region file was left behind: $(ls -l "$d/new")"
		return 1
	}
	[ "$(sha256sum <"$d/r")" = "$sum" ] || {
		echo "the prepared region file changed"
		return 1
	}
	lsattr "$d/r"
}

# nodax_setup -- a prepared region file on ext4 -o dax (pmrd --prepare
# needs no RDMA device), for nodax
nodax_setup()
{
	pmem_fsdax ext4 "${DIR[ext4]}" || return 1
	printf '[pmrd]\nlisten = %s:%s\n[region old]\npath = %s/r\nsize = %s\n' \
		"$IP" "$PORT" "${DIR[ext4]}" "$SIZE" >"$TMP/prep.conf"
	"$PMRD" --prepare -c "$TMP/prep.conf"
}

# --- the ODP cases -----------------------------------------------------

HAVE_FLUSH=$("$RAW" - - features | sed -n 's/^flush: //p')
if [ "$HAVE_FLUSH" = yes ] && kernel_at_least 6 2; then FLUSH=yes; else FLUSH=no; fi
pmr_say "kernel $PMR_KERNEL: ODP self-test must say '$EXPECT'; FLUSH $FLUSH"

odp_cases()
{
	local fs m off
	if NS2=$(pmem_ns2 2>"$PMR_LOGDIR/ns2.log"); then
		FSES="ext4 xfs"
	else
		pmr_fail second-nvdimm "$(cat "$PMR_LOGDIR/ns2.log"): xfs and two-region cases not run"
	fi
	rm -f "$TMP"/ranges-* "$TMP"/img-*
	pmr_case -t 300 dax-mounts mounts
	pmr_passed || return 0
	pmr_inline_case serve-prepare-odp serve || return 0
	off=0
	for m in $(methods); do
		for fs in $FSES; do
			pmr_case -t 400 "$fs-scribble-$m" scribble "$fs" "$m" "$off" \
				-c 4 -n "$OPS" -m "$m"
		done
		off=$((off + RANGE))
	done
	MULTI_OFF=$off
	if [ -n "$NS2" ]; then
		pmr_case -t 400 scribble-8-clients-2-regions eight_clients
	else
		pmr_skip scribble-8-clients-2-regions "no second NVDIMM"
	fi
	if ! methods | grep -qw raw; then
		pmr_case method-not-offered method_not_offered raw
	fi
	pmr_case immutable-while-served immutable
	pmr_inline_case stopped-cmp-plain-io stopped || return 0
	pmr_case -t 300 remount-cmp remount
	pmr_inline_case restart-keeps-data restart
	pmr_inline_case read-only-refuses-writes read_only
	pmr_inline_case start-time-small-large start_time
}

# odp_skip WHY -- every ODP case skipped, saying WHY
odp_skip()
{
	local c
	for c in dax-mounts serve-prepare-odp ext4-scribble-server \
		xfs-scribble-server ext4-scribble-flush xfs-scribble-flush \
		scribble-8-clients-2-regions method-not-offered \
		immutable-while-served stopped-cmp-plain-io remount-cmp \
		restart-keeps-data read-only-refuses-writes \
		start-time-small-large; do
		pmr_skip "$c" "$1"
	done
}

case "$EXPECT" in
verified) odp_cases ;;
"not supported")
	odp_skip "ODP not supported: rxe has no On-Demand Paging before Linux 6.15 (kernel $PMR_KERNEL), so pmrd refuses fsdax regions here (30-daemon: ext4-dax-refused-without-odp)"
	;;
*)
	odp_skip "ODP $EXPECT: the stock rdma_rxe runs (no /run/pmr-rxe-fixed: the fixed module was not swapped in), so pmrd refuses fsdax regions (15-odp-selftest)"
	;;
esac

# --- no dax: every platform ---------------------------------------------
pmr_daemon_stop again KILL 1 || true
pmr_daemon_stop ro KILL 1 || true
if [ "$EXPECT" != verified ] || ! [ -f "${DIR[ext4]}/r" ]; then
	pmr_unseal "${DIR[ext4]}"
	pmr_case -t 300 nodax-setup nodax_setup
fi
pmr_inline_case nodax-refused nodax
