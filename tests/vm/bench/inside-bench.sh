#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/vm/bench/inside-bench.sh [--quick] [--reps N] OUT -- runs inside the
# VM (tests/bench boots it with vmrun; suites/60-bench-quick.sh runs it
# with --quick): in this one boot, on the same rxe device (where tests/bench
# names one in PMR_RXE_FIXED, the rdma_rxe with the ODP copy fix, swapped
# in first by lib.sh's pmr_rxe_use_fixed),
#   1. region lifecycle: `pmrd --prepare` of a fresh fsdax file vs a libpmem2
#      memset of the same size (pmr-memset-bench), restart (--prepare of
#      the already prepared region) at two sizes, MR registration time of
#      ODP (fsdax files, where the device has ODP) and pinned (testing
#      regions: page cache) at two sizes, from pmrd's log;
#   2. the data path region (the devdax namespace, pinned MR; an fsdax file
#      with an ODP MR on trixie with PMR_BENCH_ODP=1) served by pmrd, and
#      REPS repetitions,
#      alternating, of perftest (ib_read_lat, ib_write_lat, ib_write_bw,
#      without and with -R; ib_send_lat), pmr-bench (latency, then
#      bandwidth) and pmr-floor (tests/vm/bench/pmr_floor.c: read, write,
#      write+FLUSH in one post and write+SEND with a busy-polling server's
#      reply, on raw verbs, timed like pmr-bench: the device's floor)
#      and pmr-rpma (tests/vm/bench/pmr_rpma.c: the same ops and the
#      bandwidth points with librpma, where it was built; pmr-bench and
#      pmr-rpma run next to each other, their order swapped every rep);
#   3. contention (issue 20): SERVER write+persist at 64 B over CONNS
#      connections (pmr-bench runs, one connection each), every one idle
#      and with one competing CPU-bound process in the guest (the server's
#      CPUs running other work), and in full runs the same with pmrd and
#      the client pinned to CPUs of their own (the busy process on pmrd's),
#      in rotating order (contend_rep);
#   4. fsdax vs devdax (where pmrd's ODP self-test says "verified", i.e. it
#      serves fsdax: trixie with the fixed rdma_rxe): DAX_REPS sessions of
#      each kind, alternating (odd reps devdax first).  A session starts a
#      pmrd on a fresh region -- an ext4 -o dax file (ODP MR) made anew, or
#      the devdax namespace (pinned MR) -- so its MR has never been
#      accessed; then pmr-bench --first-touch (one op per 4 KiB page, pass
#      "first" then "warm": the cost of ODP page faults, where the device
#      takes any), a warm-up write of the compared bytes (twice:
#      first-touch and warm bandwidth), latency (64 B, 4 KiB: read, write,
#      write+persist) and 64 KiB bandwidth.  With a second NVDIMM
#      (namespace1.0, tests/vm/vmrun) the file lives there and the devdax
#      namespace stays; with one, each session switches the namespace's
#      mode (ndctl create-namespace -f -m fsdax|devdax, a fresh ext4).
# Raw results in OUT (read by tests/vm/bench/report.py on the host):
#   perftest.tsv  rep prog cm size qd p50_us p99_us MBps   (one per run)
#   pmr-lat-REP.json, pmr-bw-REP.json                      (pmr-bench -j)
#   ctl-lat-REP.json  the control latency run (PMR_BENCH_CONTROL=1)
#   pmr-lat-REP-atomic.json  atomic_write, cas2, fetch_add (8 B, durable)
#   floor-REP.jsonl  one JSON line per (op, size)           (pmr-floor)
#   rpma-REP.jsonl, rpma-bw-REP-SIZE.jsonl  the same from pmr-rpma
#                 (latency; bandwidth per queue depth, final flush)
#   gap-pmr-REP-G.json, gap-floor-REP-G.jsonl  8-byte read and write
#                 with G ns of think time (-g) after each op, both tools
#   contend-REP-KIND-C.json  pmr-bench -j of connection C, KIND idle,
#                 busy, pinidle or pinned (contend_rep)
#   phase         the step running now (tests/bench's host sampler reads it
#                 to say which step other host work touched: hostcpu.tsv)
#   lifecycle.tsv key value unit                            (item 3)
#   dax-{ft,lat,bw,wu-first,wu-warm}-KIND-REP.json  pmr-bench -j of a
#                 fsdax/devdax session: first touch, latency, bandwidth,
#                 the warm-up writes (first touch, then warm); lat-N: the
#                 session's Nth latency run (full runs: 2)
#   dax.tsv       KIND REP key value: each session's MR, registration
#                 time, ODP prefetch, set-up time
#   env.txt       platform, kernel, region kind, CPUs, date, odp verdict,
#                 rpma (pmr-rpma.status: built with which librpma, or why not),
#                 daxcmp (planned|skipped: why; layout)
# Env: PMR_SRC, PMR_BUILD, PMR_PLATFORM (vmrun / inside.sh), PMR_RXE_FIXED
# (optional: a module file, tests/vm/build-rxe); outside a
# suite it sets up what tests/vm/lib.sh needs itself.  A reduced set for
# before/after comparisons: PMR_BENCH_LAT_SIZES ("64 4096"),
# PMR_BENCH_BW_POINTS ("65536:1 65536:16", SIZE:QD), PMR_BENCH_OPS
# (pmr-bench -o, e.g. "read,wp"), PMR_BENCH_NO_LIFECYCLE=1 (skip item 3),
# PMR_BENCH_GAPS (think times in ns, "0 2000"; empty: none),
# PMR_BENCH_DAXCMP (fsdax vs devdax: auto = where ODP is verified, 0 =
# never, 1 = try anyway), PMR_BENCH_DAX_REPS (default REPS),
# PMR_BENCH_DAX_NS2=0 (one namespace, mode switches, even with a second
# NVDIMM), PMR_BENCH_STEPS (data path steps: "reps contention"),
# PMR_BENCH_CONTEND_CONNS (connections of the contention step: 60, quick 8),
# PMR_BENCH_CONTEND_KINDS (its kinds: "idle busy pinidle pinned", quick
# "idle busy"), PMR_BENCH_PERFTEST_REPS (perftest in the first N
# repetitions only), PMR_BENCH_CONTROL=1 (each repetition runs pmr-bench's
# latency run once more as ctl-lat-REP.json, after the measured one in odd
# repetitions and before it in even ones, with PMR_BENCH_CONTROL_ARGS
# added: report.py's paired ratios then show what
# the bed's drift alone gives, next to pmr/rpma and pmr/floor;
# PMR_BENCH_CONTROL_ENV="VAR=value ..." runs the control in that
# environment, e.g. LD_LIBRARY_PATH=DIR/client for another libpmr build).
set -eu
QUICK=0
REPS=5
while [ $# -gt 1 ]; do
	case "$1" in
	--quick) QUICK=1 REPS=1 ;;
	--reps)
		REPS=$2
		shift
		;;
	*) break ;;
	esac
	shift
done
OUT=${1:?usage: inside-bench.sh [--quick] [--reps N] OUT}
mkdir -p "$OUT"
export PMR_LOGDIR=${PMR_LOGDIR:-$OUT/logs}
export PMR_RESULTS=${PMR_RESULTS:-$OUT/results}
# shellcheck source=../lib.sh
. "$PMR_SRC/tests/vm/lib.sh"

PMRD=$(pmr_bin pmrd)
BENCH=$(pmr_bin pmr-bench)
FLOOR=$(pmr_bin pmr-floor)
# pmr-floor's server registers the data region's memory where it is
# devdax (pmem pages: rxe grants FLUSH access), else anonymous memory
FLOOR_MAP=()
# pmr-rpma (librpma, the "pmr/rpma" column) is optional: where the build
# found no librpma, its pmr-rpma.status says why and the column is missing
# (a pmr-rpma left from an earlier configure does not count)
RPMA_STATUS=$(cat "$(dirname "$FLOOR")/pmr-rpma.status" 2>/dev/null) ||
	RPMA_STATUS="not built: no pmr-rpma.status next to pmr-floor (an older build)"
RPMA=
case "$RPMA_STATUS" in
built*) RPMA=$(pmr_bin pmr-rpma 2>/dev/null) || RPMA_STATUS="not built: $RPMA_STATUS, but no pmr-rpma" ;;
esac
MEMSET=$(pmr_bin pmr-memset-bench)
PMRCTL=$(pmr_bin pmrctl)
IP=$(rxe_ip)
DEV=$(rxe_dev)
TMP=/run/pmr-bench
FS=$TMP/fs
TFS=$TMP/tfs
DFS=$TMP/dfs
CONF=$TMP/pmrd.conf
PT=$OUT/perftest.tsv
LC=$OUT/lifecycle.tsv
DT=$OUT/dax.tsv
mkdir -p "$TMP" "$FS" "$TFS" "$DFS"
: >"$PT"
: >"$LC"
: >"$DT"

if [ "$QUICK" = 1 ]; then
	LAT_SIZES="64 4096"
	BW_POINTS="65536:1 65536:16"
	PT_LAT_ITERS=200
	PMR_OPTS=(-w 20 -n 200 -t 0.5)
	PREP_MIB="32 64"
	BW_TIME=1
	GAPS="0 2000"
	DAX_MIB=128
	DAX_SPAN=32M
	FT_PAGES=200
	DAX_LAT_RUNS=1
	CONTEND_CONNS=8
	CONTEND_ITERS=200
	CONTEND_KINDS="idle busy"
else
	LAT_SIZES="8 64 512 4096 65536 1048576"
	BW_POINTS="4096:16 65536:1 65536:4 65536:16 65536:64 1048576:16"
	PT_LAT_ITERS=1000
	PMR_OPTS=(-w 100 -n 1000 -t 1)
	PREP_MIB="128 512"
	BW_TIME=2
	GAPS="0 500 2000 8000"
	DAX_MIB=256
	DAX_SPAN=64M
	FT_PAGES=1000
	DAX_LAT_RUNS=2
	CONTEND_CONNS=60
	CONTEND_ITERS=500
	CONTEND_KINDS="idle busy pinidle pinned"
fi
CONTEND_CONNS=${PMR_BENCH_CONTEND_CONNS:-$CONTEND_CONNS}
CONTEND_KINDS=${PMR_BENCH_CONTEND_KINDS:-$CONTEND_KINDS}
BENCH_PRE=()
# steps of the data path run: reps (perftest, pmr-bench, librpma, floor,
# think times), contention; PMR_BENCH_STEPS narrows them
STEPS=${PMR_BENCH_STEPS:-reps contention}
DAX_REPS=${PMR_BENCH_DAX_REPS:-$REPS}
# first touch: one point per page, no time limit to speak of
FT_OPTS=(-n "$FT_PAGES" -t 300)
LAT_SIZES=${PMR_BENCH_LAT_SIZES:-$LAT_SIZES}
BW_POINTS=${PMR_BENCH_BW_POINTS:-$BW_POINTS}
GAPS=${PMR_BENCH_GAPS-$GAPS}

# say MSG -- a progress line on the console
say()
{
	echo "[bench] $*" >&3
}

# phase NAME -- the step running now, for tests/bench's host sampler
phase()
{
	echo "$1" >"$OUT/phase"
}

# step NAME -- whether PMR_BENCH_STEPS includes NAME
step()
{
	case " $STEPS " in *" $1 "*) return 0 ;; esac
	return 1
}

# lat_iters SIZE -- perftest latency iterations for SIZE (big ones are slow)
lat_iters()
{
	if [ "$1" -ge 1048576 ]; then
		echo $((PT_LAT_ITERS / 20 > 5 ? PT_LAT_ITERS / 20 : 5))
	elif [ "$1" -ge 65536 ]; then
		echo $((PT_LAT_ITERS / 5))
	else
		echo "$PT_LAT_ITERS"
	fi
}

# tcp_listening PORT -- a TCP listener on PORT (perftest's OOB exchange)
tcp_listening()
{
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# perftest_run REP CM PROG SIZE QD ARGS... -- one server/client pair; one
# row into perftest.tsv (latency: t_typical = median and 99%; bw: average)
perftest_run()
{
	local rep=$1 cm=$2 prog=$3 size=$4 qd=$5 srv out row
	local name=${PT_NAME:-$prog}
	shift 5
	local args=(-d "$DEV" -s "$size" -F "$@")
	[ "$cm" = 1 ] && args+=(-R)
	timeout 120 "$prog" "${args[@]}" >"$TMP/srv.out" 2>&1 &
	srv=$!
	if [ "$cm" = 1 ]; then
		rdma_wait_listen 18515 30 >/dev/null 2>&1 || sleep 2
	else
		pmr_wait_until 30 tcp_listening 18515 >/dev/null 2>&1 || sleep 2
	fi
	out=$(timeout 120 "$prog" "${args[@]}" "$IP" 2>&1) || true
	wait "$srv" 2>/dev/null || true
	echo "$out" >>"$OUT/perftest.log"
	case "$prog" in
	*_lat)
		# bytes iters t_min t_max t_typical t_avg t_stdev 99% 99.9%
		row=$(echo "$out" | awk -v s="$size" '$1 == s && NF >= 9 { print $5, $8 }' | tail -n 1)
		[ -n "$row" ] || {
			say "WARNING: no result from $prog -s $size (cm=$cm)"
			return 0
		}
		echo "$rep $name $cm $size $qd $row -" >>"$PT"
		;;
	*)
		# bytes iters peak avg msgrate; MB = 2^20 in perftest's output
		row=$(echo "$out" | awk -v s="$size" '$1 == s && NF >= 5 { printf "%.2f", $4 * 1.048576 }' | tail -n 1)
		[ -n "$row" ] || {
			say "WARNING: no result from $prog -s $size (cm=$cm)"
			return 0
		}
		echo "$rep $name $cm $size $qd - - $row" >>"$PT"
		;;
	esac
}

# perftest_rep REP -- every perftest baseline once
perftest_rep()
{
	local rep=$1 s p q cm
	for s in $LAT_SIZES; do
		for cm in 0 1; do
			# -R only for two sizes in a full run (time)
			[ "$cm" = 1 ] && { [ "$QUICK" = 1 ] || { [ "$s" != 64 ] && [ "$s" != 65536 ]; }; } && continue
			perftest_run "$rep" "$cm" ib_read_lat "$s" 1 -n "$(lat_iters "$s")"
			perftest_run "$rep" "$cm" ib_write_lat "$s" 1 -n "$(lat_iters "$s")"
		done
		# a SERVER persist is a request and a reply: rxe's own price of
		# a SEND round trip, next to the write's
		perftest_run "$rep" 0 ib_send_lat "$s" 1 -n "$(lat_iters "$s")"
	done
	for p in $BW_POINTS; do
		s=${p%:*}
		q=${p#*:}
		for cm in 0 1; do
			[ "$QUICK" = 1 ] && [ "$cm" = 1 ] && continue
			perftest_run "$rep" "$cm" ib_write_bw "$s" "$q" -t "$q" -D "$BW_TIME"
		done
	done
	# the 8-byte atomics (pmr-bench -o atomic): the bare verbs
	PT_NAME=ib_atomic_lat_cas perftest_run "$rep" 0 ib_atomic_lat 8 1 \
		-A CMP_AND_SWAP -n "$PT_LAT_ITERS"
	PT_NAME=ib_atomic_lat_fa perftest_run "$rep" 0 ib_atomic_lat 8 1 \
		-A FETCH_AND_ADD -n "$PT_LAT_ITERS"
}

# bench_run FILE ARGS... -- one pmr-bench run with ARGS (its options)
# against pmrd's region bench0; the JSON into FILE, the table into
# pmr-bench.log; BENCH_PRE (an array) is a command prefix (taskset)
bench_run()
{
	local file=$1
	shift
	"${BENCH_PRE[@]}" "$BENCH" "$@" -j "$file" "$IP" bench0 \
		>>"$OUT/pmr-bench.log" 2>&1 || {
		say "WARNING: pmr-bench failed (${file##*/})"
		tail -n 5 "$OUT/pmr-bench.log" >&3
	}
}

# perftest_if REP -- perftest_rep in the first PMR_BENCH_PERFTEST_REPS
# repetitions (default: all; perftest's figures hold still, and long
# paired runs need pmr-bench's and librpma's only)
perftest_if()
{
	[ "$1" -le "${PMR_BENCH_PERFTEST_REPS:-$REPS}" ] || return 0
	say "rep $1/$REPS: perftest"
	perftest_rep "$1"
}

# ctl_run REP ARGS... -- the control latency run: pmr-bench with ARGS and
# PMR_BENCH_CONTROL_ARGS, in the environment PMR_BENCH_CONTROL_ENV adds
# (e.g. LD_LIBRARY_PATH=DIR: another libpmr build, for an A/B in one boot)
ctl_run()
{
	local rep=$1
	shift
	# shellcheck disable=SC2206 # VAR=value words and options, split
	BENCH_PRE=(env ${PMR_BENCH_CONTROL_ENV:-})
	# shellcheck disable=SC2086
	bench_run "$OUT/ctl-lat-$rep.json" "$@" ${PMR_BENCH_CONTROL_ARGS:-}
	BENCH_PRE=()
}

# pmr_rep REP -- pmr-bench latency and bandwidth once
pmr_rep()
{
	local rep=$1 p qds s lat_args ctl=
	lat_args=("${PMR_OPTS[@]}" -o "${PMR_BENCH_OPS:-read,write,wp}"
		-s "$(echo "$LAT_SIZES" | tr ' ' ,)")
	[ "${PMR_BENCH_CONTROL:-0}" != 1 ] || ctl=$((rep % 2))
	# the control run: the same latency run again (plus
	# PMR_BENCH_CONTROL_ARGS), after it in odd repetitions, before it in
	# even ones
	[ "$ctl" != 0 ] || ctl_run "$rep" "${lat_args[@]}"
	bench_run "$OUT/pmr-lat-$rep.json" "${lat_args[@]}"
	[ "$ctl" != 1 ] || ctl_run "$rep" "${lat_args[@]}"
	# atomic_write, CAS, fetch-add: 8 bytes, each made durable
	bench_run "$OUT/pmr-lat-$rep-atomic.json" "${PMR_OPTS[@]}" -o atomic \
		-s 8
	# one call per size with its queue depths; one thread (perftest's -t
	# is per QP)
	for s in $(for p in $BW_POINTS; do echo "${p%:*}"; done | sort -un); do
		qds=$(for p in $BW_POINTS; do [ "${p%:*}" = "$s" ] && echo "${p#*:}"; done | paste -sd,)
		bench_run "$OUT/pmr-bw-$rep-$s.json" -m bw -s "$s" -q "$qds" -T 1 \
			-t "$BW_TIME" -n 100000000
	done
	if [ "$QUICK" = 0 ] && [ "$rep" = 1 ]; then
		# threads/connections at 64 KiB, once
		bench_run "$OUT/pmr-bw-threads.json" -m bw -s 64K -q 16 \
			-T 1,2,4,8 -t "$BW_TIME" -n 100000000
	fi
}

# contend_rep REP -- SERVER write+persist (64 B) over CONTEND_CONNS
# connections, each run once per kind of CONTEND_KINDS, their order
# rotating per connection so drift hits all alike: idle; busy = next to one
# CPU-bound process (a shell loop: other work on the server's CPUs, here
# also the client's); pinidle = pmrd on CPU 1, the client on CPU 0 (as
# client and server on two machines); pinned = that plus the busy process
# on pmrd's CPU (the server's CPU shared with other work, the client's not)
contend_rep()
{
	local rep=$1 c kind busy pid pre order
	pid=$(pgrep -x pmrd | head -n 1)
	for c in $(seq 1 "$CONTEND_CONNS"); do
		order=$CONTEND_KINDS
		[ $((c % 2)) = 1 ] || order=$(echo "$CONTEND_KINDS" | tr ' ' '\n' | tac | paste -sd' ')
		for kind in $order; do
			busy=
			pre=()
			case $kind in
			pin*)
				taskset -a -p -c 1 "$pid" >/dev/null
				pre=(taskset -c 0)
				;;
			esac
			case $kind in
			busy | pinned)
				(while :; do :; done) &
				busy=$!
				[ "$kind" = busy ] || taskset -p -c 1 "$busy" >/dev/null
				;;
			esac
			BENCH_PRE=("${pre[@]}")
			bench_run "$OUT/contend-$rep-$kind-$c.json" -w 20 \
				-n "$CONTEND_ITERS" -t 3 -o wp-server -s 64
			BENCH_PRE=()
			if [ -n "$busy" ]; then
				kill "$busy"
				wait "$busy" 2>/dev/null || true
			fi
			case $kind in
			pin*) taskset -a -p -c "0-$(($(nproc) - 1))" "$pid" >/dev/null ;;
			esac
		done
	done
}

# pair_run PROG PORT LOG FILE ARGS... -- one client run of PROG
# (pmr-floor, pmr-rpma: one binary for both sides) with ARGS (its options)
# against its own server on PORT (one connection; it registers the devdax
# namespace's first 64 MiB, which pmr-bench writes too); the JSON lines
# into FILE, stderr into LOG.log and LOG-srv.log
pair_run()
{
	local prog=$1 port=$2 log=$OUT/$3 file=$4 srv
	shift 4
	timeout 300 "$prog" -p "$port" -b "$IP" "${FLOOR_MAP[@]}" \
		>>"$log-srv.log" 2>&1 &
	srv=$!
	rdma_wait_listen "$port" 30 >/dev/null 2>&1 || sleep 2
	timeout 300 "$prog" -p "$port" "$@" "$IP" >"$file" 2>>"$log.log" || {
		say "WARNING: ${prog##*/} failed (${file##*/})"
		tail -n 5 "$log.log" "$log-srv.log" >&3
	}
	wait "$srv" 2>/dev/null || say "WARNING: ${prog##*/} server failed (${file##*/})"
}

# floor_run FILE ARGS... -- pmr-floor (port 7472) with ARGS into FILE
floor_run()
{
	pair_run "$FLOOR" 7472 floor "$@"
}

# rpma_run FILE ARGS... -- pmr-rpma (librpma, port 7473) with ARGS into FILE
rpma_run()
{
	pair_run "$RPMA" 7473 rpma "$@"
}

# rpma_rep REP -- pmr-rpma once: every latency size (read, write,
# write+flush), then each bandwidth size with its queue depths (a final
# flush in each point)
rpma_rep()
{
	local rep=$1 p qds s
	if [ -z "$RPMA" ]; then
		say "pmr-rpma skipped: $RPMA_STATUS"
		return 0
	fi
	rpma_run "$OUT/rpma-$rep.jsonl" "${PMR_OPTS[@]}" \
		-s "$(echo "$LAT_SIZES" | tr ' ' ,)"
	for s in $(for p in $BW_POINTS; do echo "${p%:*}"; done | sort -un); do
		qds=$(for p in $BW_POINTS; do [ "${p%:*}" = "$s" ] && echo "${p#*:}"; done | paste -sd,)
		rpma_run "$OUT/rpma-bw-$rep-$s.jsonl" -o none -B "$s" -q "$qds" \
			-T "$BW_TIME"
	done
}

# floor_rep REP -- pmr-floor once, every latency size
floor_rep()
{
	floor_run "$OUT/floor-$1.jsonl" "${PMR_OPTS[@]}" \
		-s "$(echo "$LAT_SIZES" | tr ' ' ,)"
	grep -h skipped "$OUT/floor-$1.jsonl" | head -n 1 >&3 || true
}

# gap_rep REP -- 8-byte read and write, libpmr and raw verbs, with each
# think time of GAPS (ns of untimed busy waiting after every operation,
# bench_util.h's -g): on kernel 7.x rxe a single operation's latency
# depends on how soon the next one is posted (BENCHMARKS.md), so libpmr
# and the floor are also compared at equal spacing
gap_rep()
{
	local rep=$1 g
	for g in $GAPS; do
		bench_run "$OUT/gap-pmr-$rep-$g.json" "${PMR_OPTS[@]}" \
			-o read,write -s 8 -g "$g"
		floor_run "$OUT/gap-floor-$rep-$g.jsonl" "${PMR_OPTS[@]}" \
			-o read,write -s 8 -g "$g"
	done
}

# _serving_or_gone NAME -- the daemon serves, or it is not running anymore
_serving_or_gone()
{
	grep -q serving "$(pmr_daemon_log "$1")" || ! pmr_daemon_alive "$1"
}

# wait_serving NAME SECS -- wait until the daemon serves (fails at once if
# it exits)
wait_serving()
{
	pmr_wait_until "$2" _serving_or_gone "$1" &&
		grep -q serving "$(pmr_daemon_log "$1")"
}

# lc KEY VALUE UNIT -- a lifecycle figure
lc()
{
	echo "$1 $2 $3" >>"$LC"
	say "lifecycle: $1 = $2 $3"
}

# now_s -- seconds with ns resolution
now_s()
{
	date +%s.%N
}

# since T0 -- seconds since T0 (now_s), two decimals
since()
{
	awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.2f", b - a }'
}

# region_conf FILE NAME=PATH:MIB[:testing]... -- a config with these regions
region_conf()
{
	local f=$1 r name rest path mib kind
	shift
	printf '[pmrd]\nlisten = %s:7471\nadmin_socket = %s/pmrd.sock\nlog_level = info\n' \
		"$IP" "$TMP" >"$f"
	for r in "$@"; do
		name=${r%%=*}
		rest=${r#*=}
		path=${rest%%:*}
		rest=${rest#*:}
		mib=${rest%%:*}
		kind=${rest#"$mib"}
		printf '[region %s]\npath = %s\n' "$name" "$path" >>"$f"
		[ -n "$mib" ] && [ "$mib" != - ] && printf 'size = %sM\n' "$mib" >>"$f"
		[ "$kind" = :testing ] && printf 'persistent = no\n' >>"$f"
	done
	return 0
}

# lifecycle -- item 3 (on a fresh ext4 -o dax)
lifecycle()
{
	local mib t0 t1 log mbps
	pmem_fsdax ext4 "$FS"
	for mib in $PREP_MIB; do
		# the memset first, its file removed: small namespaces fit
		"$MEMSET" "$FS/memset-$mib" "$mib" >"$OUT/memset-$mib.log" 2>&1
		lc "memset_first_MBps_${mib}MiB" "$(awk '$1 == "memset-first" { print $4 }' "$OUT/memset-$mib.log")" MB/s
		lc "memset_MBps_${mib}MiB" "$(awk '$1 == "memset" { print $4 }' "$OUT/memset-$mib.log")" MB/s
		rm -f "$FS/memset-$mib"
		region_conf "$TMP/prep-$mib.conf" "p$mib=$FS/p$mib:$mib"
		t0=$(now_s)
		"$PMRD" -c "$TMP/prep-$mib.conf" --prepare >"$OUT/prepare-$mib.log" 2>&1
		t1=$(now_s)
		mbps=$(sed -n 's/.*zeroed [0-9]* bytes in .* s (\([0-9]*\) MB\/s).*/\1/p' \
			"$OUT/prepare-$mib.log" | tail -n 1)
		lc "prepare_wall_s_${mib}MiB" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" s
		lc "prepare_MBps_${mib}MiB" "${mbps:-0}" MB/s
		# the whole preparation (fallocate, zeros, fsync, extent check,
		# state; pmrd's "prepared ... MB/s" line): what memset_first does
		mbps=$(sed -n 's/.*prepared [0-9]* bytes in .* s (\([0-9]*\) MB\/s;.*/\1/p' \
			"$OUT/prepare-$mib.log" | tail -n 1)
		lc "prepare_total_MBps_${mib}MiB" "${mbps:-0}" MB/s
		# restart: the region is prepared; --prepare again only opens it
		t0=$(now_s)
		"$PMRD" -c "$TMP/prep-$mib.conf" --prepare >"$OUT/restart-$mib.log" 2>&1
		t1=$(now_s)
		lc "restart_s_${mib}MiB" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" s
		if [ "${PMR_BENCH_ODP:-0}" != 1 ]; then
			chattr -i "$FS/p$mib" 2>/dev/null || true
			rm -f "$FS/p$mib"
		fi
	done
	# registration: the prepared fsdax files (ODP where the device has it,
	# refused on bookworm) and testing files (pinned): on 6.1 page cache
	# of an ext4 on a loop device in RAM (6.1's tmpfs has no FIEMAP); from
	# 6.5 the kernel refuses long-term pins of page-cache file mappings,
	# so tmpfs there
	local total=64
	for mib in $PREP_MIB; do total=$((total + mib + mib / 8)); done
	if kernel_at_least 6 5; then
		mount -t tmpfs -o "size=${total}M" tmpfs "$TFS"
	else
		truncate -s "${total}M" "$TMP/testing.img"
		mkfs.ext4 -q -F "$TMP/testing.img"
		mount -o loop "$TMP/testing.img" "$TFS"
	fi
	local regions=() a b
	for mib in $PREP_MIB; do
		regions+=("t$mib=$TFS/t$mib:$mib:testing")
		# ODP: pmrd refuses fsdax on rxe since it found rxe's ODP data
		# path misplacing bytes; set PMR_BENCH_ODP=1 where it serves it
		if [ "${PMR_BENCH_ODP:-0}" = 1 ]; then
			regions+=("p$mib=$FS/p$mib:$mib")
		fi
	done
	region_conf "$CONF" "${regions[@]}"
	pmr_daemon_start pmrd-reg "$PMRD" -c "$CONF"
	if wait_serving pmrd-reg 120; then
		log=$(pmr_daemon_log pmrd-reg)
		for mib in $PREP_MIB; do
			for a in "t$mib:pinned" "p$mib:odp"; do
				b=$(sed -n "s/.*region ${a%%:*}: .*MR \([a-z]*\).*registered in \([0-9.]*\) ms.*/\1 \2/p" "$log" | head -n 1)
				[ -n "$b" ] && lc "reg_ms_${b%% *}_${mib}MiB" "${b#* }" ms
			done
		done
	else
		say "WARNING: pmrd did not start for the registration figures"
		tail -n 5 "$(pmr_daemon_log pmrd-reg)" >&3
	fi
	pmr_daemon_stop pmrd-reg TERM 30 || true
	cp "$(pmr_daemon_log pmrd-reg)" "$OUT/" 2>/dev/null || true
	umount "$TFS"
	rm -f "$TMP/testing.img"
	find "$FS" -type f -exec chattr -i {} + 2>/dev/null || true
}

# data_region -- the bench region: the devdax namespace (pinned MR) on both
# platforms; an fsdax file (ODP MR) with PMR_BENCH_ODP=1 on trixie (pmrd
# refuses fsdax on rxe, whose ODP data path misplaces bytes)
data_region()
{
	local dax size
	if [ "$PMR_PLATFORM" = trixie ] && [ "${PMR_BENCH_ODP:-0}" = 1 ]; then
		# the lifecycle files stay: the filesystem has room
		mountpoint -q "$FS" || pmem_fsdax ext4 "$FS"
		region_conf "$CONF" "bench0=$FS/bench0:512"
		echo "region fsdax (ext4 -o dax, 512 MiB file)" >>"$OUT/env.txt"
	else
		find "$FS" -type f -exec chattr -i {} + 2>/dev/null || true
		pmem_release
		dax=$(pmem_devdax)
		size=$(cat "/sys/bus/dax/devices/${dax#/dev/}/size" 2>/dev/null || echo 0)
		if kernel_at_least 6 5 && [ "$size" -gt $((1 << 30)) ]; then
			# rxe on recent kernels pins at most 1 GiB per MR: a
			# testing region on tmpfs (pinned; page cache, not pmem)
			mkdir -p "$TMP/data"
			mountpoint -q "$TMP/data" ||
				mount -t tmpfs -o size=600M tmpfs "$TMP/data"
			region_conf "$CONF" "bench0=$TMP/data/bench0:512:testing"
			echo "region testing (tmpfs, 512 MiB; devdax $size bytes is over rxe's 1 GiB pin limit)" >>"$OUT/env.txt"
		else
			region_conf "$CONF" "bench0=$dax:-"
			FLOOR_MAP=(-m "$dax")
			echo "region devdax ($dax, $size bytes)" >>"$OUT/env.txt"
		fi
	fi
}

# odp_verdict -- pmrd's ODP self-test verdict, from `pmrctl status` of the
# daemon on $TMP/pmrd.sock ("verified", "misplaces data", "not supported")
odp_verdict()
{
	"$PMRCTL" -s "$TMP/pmrd.sock" status 2>/dev/null |
		sed -n 's/^odp: *//p' | head -n 1
}

# dax_tsv KIND REP KEY VALUE -- a figure of a fsdax/devdax session
dax_tsv()
{
	echo "$1 $2 $3 $4" >>"$DT"
}

# dax_ns2 -- print the second NVDIMM's namespace (lib.sh's pmem_ns2:
# tests/vm/vmrun's PMRD_VM_PMEM2) unless PMR_BENCH_DAX_NS2 is 0; fails
# when there is none (or lib.sh has no pmem_ns2)
dax_ns2()
{
	[ "${PMR_BENCH_DAX_NS2:-1}" != 0 ] && declare -F pmem_ns2 >/dev/null &&
		pmem_ns2 2>/dev/null
}

# dax_region KIND -- a fresh region of KIND (fsdax, devdax) in $CONF:
# fsdax a new file (pmrd creates and prepares it), on the second namespace
# when there is one, else on a fresh ext4 after switching the namespace to
# fsdax; devdax the namespace (switched to devdax on one namespace)
dax_region()
{
	local dax
	pmr_unseal "$DFS" >/dev/null 2>&1 || true
	if [ "$1" = fsdax ]; then
		if [ "$DAX_LAYOUT" = two-namespaces ]; then
			rm -f "$DFS/dax0"
		else
			pmem_fsdax ext4 "$DFS"
		fi
		region_conf "$CONF" "fsdax0=$DFS/dax0:$DAX_MIB"
	else
		if [ "$DAX_LAYOUT" = two-namespaces ]; then
			dax=$(pmem_daxdev)
		else
			dax=$(pmem_devdax)
		fi
		region_conf "$CONF" "devdax0=$dax:-"
	fi
}

# dax_bench KIND REP NAME ARGS... -- pmr-bench ARGS against region KIND0
# of the session's pmrd; JSON into dax-NAME-KIND-REP.json
dax_bench()
{
	local kind=$1 rep=$2 name=$3
	shift 3
	"$BENCH" "$@" -j "$OUT/dax-$name-$kind-$rep.json" "$IP" "${kind}0" \
		>>"$OUT/dax-bench.log" 2>&1 || {
		say "WARNING: pmr-bench failed (dax-$name-$kind-$rep)"
		tail -n 5 "$OUT/dax-bench.log" >&3
	}
}

# dax_session KIND REP -- one pmrd on a fresh KIND region: first touch,
# warm-up, latency, bandwidth
dax_session()
{
	local kind=$1 rep=$2 name=pmrd-$1-$2 t0 log line sz
	t0=$(now_s)
	dax_region "$kind"
	pmr_daemon_start "$name" "$PMRD" -c "$CONF"
	if ! wait_serving "$name" 180; then
		say "WARNING: pmrd did not serve the $kind region (rep $rep)"
		tail -n 8 "$(pmr_daemon_log "$name")" >&3
		pmr_daemon_stop "$name" TERM 30 || true
		cp "$(pmr_daemon_log "$name")" "$OUT/" 2>/dev/null || true
		return 0
	fi
	rdma_wait_listen 7471 30 || say "WARNING: pmrd ($kind) not listening yet"
	log=$(pmr_daemon_log "$name")
	dax_tsv "$kind" "$rep" setup_s "$(since "$t0")"
	line=$(sed -n "s/.*region ${kind}0: .*MR \([a-z]*\),.*registered in \([0-9.]*\) ms.*/\1 \2/p" "$log" | head -n 1)
	dax_tsv "$kind" "$rep" mr "${line%% *}"
	dax_tsv "$kind" "$rep" reg_ms "${line#* }"
	dax_tsv "$kind" "$rep" odp "$(odp_verdict | tr ' ' _)"
	if grep -q "ODP prefetch not supported" "$log"; then
		dax_tsv "$kind" "$rep" prefetch unsupported
	elif grep -q "ibv_advise_mr:" "$log"; then
		dax_tsv "$kind" "$rep" prefetch failed
	elif [ "${line%% *}" = odp ]; then
		dax_tsv "$kind" "$rep" prefetch ok
	fi
	! grep -q "pre-faulting the mapping failed" "$log" ||
		dax_tsv "$kind" "$rep" populate failed
	# 1. the first RDMA access to each page since the registration, then
	# the same pages warm; beyond the compared bytes.  On the ODP MR a
	# page the device has not mapped faults; rxe maps at registration
	# what the CPU page tables hold (rxe_odp_init_pages), and pmrd's
	# populate fills them first
	dax_bench "$kind" "$rep" ft "${FT_OPTS[@]}" --first-touch --stride 4K \
		--offset "$DAX_SPAN" -o read,write,wp -s 64,4K
	# 2. the compared bytes written once (first touch) and again (warm),
	# 8 connections, each its eighth
	sz=$(($(numfmt --from=iec "$DAX_SPAN") / 8 / 1048576))
	for line in first warm; do
		dax_bench "$kind" "$rep" "wu-$line" -m bw -s 1M -q 16 -T 8 \
			-n "$sz" -t 120 --span "$DAX_SPAN"
	done
	# 3. the comparison, warm: as the main tables, on the same bytes;
	# latency DAX_LAT_RUNS times, a connection each (rxe on 7.x has a
	# slow mode that comes and goes between runs: more runs, a steadier
	# median)
	dax_bench "$kind" "$rep" lat "${PMR_OPTS[@]}" --span "$DAX_SPAN" \
		-o read,write,wp -s 64,4K
	dax_bench "$kind" "$rep" bw -m bw -s 64K -q 16 -T 1 -t "$BW_TIME" \
		-n 100000000 --span "$DAX_SPAN"
	for line in $(seq 2 "$DAX_LAT_RUNS"); do
		dax_bench "$kind" "$rep" "lat-$line" "${PMR_OPTS[@]}" \
			--span "$DAX_SPAN" -o read,write,wp -s 64,4K
	done
	pmr_daemon_stop "$name" TERM 30 || true
	cp "$log" "$OUT/" 2>/dev/null || true
	dax_tsv "$kind" "$rep" session_s "$(since "$t0")"
}

# daxcmp -- fsdax vs devdax, DAX_REPS alternating sessions of each
daxcmp()
{
	local rep t0 ns2
	t0=$(now_s)
	if ns2=$(dax_ns2); then
		DAX_LAYOUT=two-namespaces
		pmem_release
		pmem_devdax >/dev/null
		PMR_PMEM_NS=$ns2 pmem_fsdax ext4 "$DFS"
	else
		DAX_LAYOUT=one-namespace
	fi
	echo "daxcmp_layout $DAX_LAYOUT" >>"$OUT/env.txt"
	for rep in $(seq 1 "$DAX_REPS"); do
		if [ $((rep % 2)) = 1 ]; then
			say "fsdax vs devdax $rep/$DAX_REPS: devdax, then fsdax ($DAX_LAYOUT)"
			dax_session devdax "$rep"
			dax_session fsdax "$rep"
		else
			say "fsdax vs devdax $rep/$DAX_REPS: fsdax, then devdax ($DAX_LAYOUT)"
			dax_session fsdax "$rep"
			dax_session devdax "$rep"
		fi
	done
	pmr_unseal "$DFS" >/dev/null 2>&1 || true
	pmem_release
	echo "daxcmp_s $(since "$t0")" >>"$OUT/env.txt"
	say "fsdax vs devdax took $(since "$t0") s"
}

{
	echo "platform $PMR_PLATFORM"
	echo "kernel $(uname -r)"
	echo "cpus $(nproc)"
	echo "date $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "reps $REPS"
	echo "gaps $GAPS"
	echo "steps $STEPS"
	echo "quick $QUICK"
	echo "perftest $(dpkg-query -W -f='${Version}' perftest 2>/dev/null || echo ?)"
	echo "rpma $RPMA_STATUS"
} >"$OUT/env.txt"

# the fixed rdma_rxe (ODP copy fix) first, where tests/bench names one:
# lib.sh's pmr_rxe_use_fixed, as tests/vm/inside.sh swaps it for the suites
if [ -n "${PMR_RXE_FIXED:-}" ] && declare -F pmr_rxe_use_fixed >/dev/null; then
	say "rdma_rxe: swapping in $PMR_RXE_FIXED"
	if pmr_rxe_use_fixed "$PMR_RXE_FIXED" >"$OUT/rxe-swap.log" 2>&1; then
		echo "rxe fixed ($PMR_RXE_FIXED)" >>"$OUT/env.txt"
	else
		say "WARNING: the fixed rdma_rxe did not load: the stock one runs"
		tail -n 5 "$OUT/rxe-swap.log" >&3
		echo "rxe stock (the swap failed)" >>"$OUT/env.txt"
	fi
elif [ -n "${PMR_RXE_FIXED:-}" ]; then
	say "WARNING: PMR_RXE_FIXED set, but lib.sh has no pmr_rxe_use_fixed"
	echo "rxe stock (no swap function)" >>"$OUT/env.txt"
else
	echo "rxe stock${PMR_RXE_STOCK_FIXED:+ (carries the fix)}" >>"$OUT/env.txt"
fi

if [ "${PMR_BENCH_NO_LIFECYCLE:-0}" = 1 ]; then
	say "lifecycle figures skipped (PMR_BENCH_NO_LIFECYCLE=1)"
else
	say "lifecycle figures"
	phase lifecycle
	lifecycle
fi
say "data path region and pmrd"
data_region
cat "$CONF"
pmr_daemon_start pmrd "$PMRD" -c "$CONF"
wait_serving pmrd 180 || {
	say "pmrd did not start"
	tail -n 20 "$(pmr_daemon_log pmrd)" >&3
	exit 1
}
rdma_wait_listen 7471 30
grep -E "registered in|persist methods" "$(pmr_daemon_log pmrd)" >>"$OUT/env.txt" || true
ODP=$(odp_verdict)
echo "odp ${ODP:-?}" >>"$OUT/env.txt"
for rep in $(seq 1 "$REPS"); do
	step reps || break
	phase "rep$rep"
	# alternate which goes first, so slow drift hits both alike
	if [ $((rep % 2)) = 1 ]; then
		perftest_if "$rep"
		say "rep $rep/$REPS: pmr-bench"
		pmr_rep "$rep"
		say "rep $rep/$REPS: pmr-rpma (librpma)"
		rpma_rep "$rep"
		say "rep $rep/$REPS: pmr-floor"
		floor_rep "$rep"
		say "rep $rep/$REPS: think times $GAPS ns"
		gap_rep "$rep"
	else
		say "rep $rep/$REPS: think times $GAPS ns"
		gap_rep "$rep"
		say "rep $rep/$REPS: pmr-floor"
		floor_rep "$rep"
		say "rep $rep/$REPS: pmr-rpma (librpma)"
		rpma_rep "$rep"
		say "rep $rep/$REPS: pmr-bench"
		pmr_rep "$rep"
		perftest_if "$rep"
	fi
done
if step contention; then
	for rep in $(seq 1 "$REPS"); do
		phase "contention$rep"
		say "rep $rep/$REPS: contention ($CONTEND_CONNS connections, idle and busy)"
		contend_rep "$rep"
	done
fi
phase daxcmp
pmr_daemon_stop pmrd TERM 30 || true
cp "$(pmr_daemon_log pmrd)" "$OUT/pmrd.log" 2>/dev/null || true
case "${PMR_BENCH_DAXCMP:-auto}:$ODP" in
0:*) why="PMR_BENCH_DAXCMP=0" ;;
auto:verified | 1:*) why= ;;
*) why="ODP ${ODP:-unknown}: pmrd serves no fsdax region on this device" ;;
esac
if [ -n "$why" ]; then
	echo "daxcmp skipped: $why" >>"$OUT/env.txt"
	say "fsdax vs devdax skipped: $why"
else
	echo "daxcmp planned $DAX_REPS" >>"$OUT/env.txt"
	daxcmp
fi
phase done
say "done"
