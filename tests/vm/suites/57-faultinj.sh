#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 57-faultinj.sh -- every error path of the set-up and tear-down runs:
# pmrd and libpmr built with ASan+UBSan and -DPMRD_FAULT_INJECTION=ON
# ($PMR_ASAN_BUILD, made by tests/run) fail their N-th wrapped call
# (PMR_FAULT_N, common/fault/).  Each walk first runs without a fault and
# with PMR_FAULT_TRACE=1: that run lists the K calls and their call sites
# (and ends the walk: it injects nothing); then one run per N:
#   - server walk, one pmrd per N: start (devdax + 2 testing regions), a
#     client cycle (pmr_example: connect, list, open, write, persist,
#     read, close, disconnect), a reload that removes one testing region
#     and adds another, a second client cycle on the new region, SIGTERM.
#     N: the first call of every second call site, in call order (a run
#     costs 3-19 s under TCG: all 84-99 sites took 11-16 min);
#     PMR_FAULT_SITES=all: of every site; PMR_FAULT_FULL=1: every N of
#     1..K; PMR_QUICK=1: of every fourth site; PMR_FAULT_NS="N...": these
#     N only (both walks; to re-run a failure);
#   - client walk, one pmrd without injection: pmr_example (libpmr with
#     injection) once for every N of 1..K.
# PMR_FAULT_SHARE=I/M (tests/run sets it when one run boots M platforms:
# bookworm 1/2, trixie 2/2) keeps every M-th N of either walk's list,
# from the I-th: the platforms share the walk, which keeps CI within its
# time (a full walk is ~6 min per platform under TCG); the call sites are
# the same code on both but for the ODP and FLUSH ones (trixie), which
# get every fourth then.  Not applied to PMR_FAULT_FULL, _SITES=all, _NS.
# Each run must end with a clean error (pmrd: exit non-zero with a last
# line saying why at start, alive after a failed client or reload step,
# exit 0 after SIGTERM unless the fault was in the shutdown; client: exit
# 0 or 1 with a message), no crash, no ASan/UBSan/LSan report, and pmrd's
# fds and the device's PDs, CQs, QPs, cm ids, MRs and contexts (rdma
# resource) back to where they were before the failed step (after pmrd
# exits: to the suite's start).  Memory windows have no rdma resource
# view: not counted.  The injection points are printed per walk and
# phase; the reports are in the log dir (rep/srv.N, rep/cli.N).
# pmr-timeout: 1500
set -eu
. "$PMR_LIB"

PLAIN_EX=$(pmr_need_bin pmr_example)
IP=$(rxe_ip)
PORT=7557
TMP=/run/pmr-faultinj
REP=$PMR_LOGDIR/rep # PMR_FAULT_REPORT files: srv.N, cli.N
TFS=$TMP/tfs
CONF=$TMP/pmrd.conf
PMRD=${PMR_ASAN_BUILD:+$PMR_ASAN_BUILD/daemon/pmrd}
FI_EX=${PMR_ASAN_BUILD:+$PMR_ASAN_BUILD/client/examples/pmr_example}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ -z "$PMRD" ] || [ ! -x "$PMRD" ] || [ ! -x "$FI_EX" ]; then
	pmr_fail asan-faultinj-build "no pmrd/pmr_example built with ASan and fault injection (PMR_ASAN_BUILD='${PMR_ASAN_BUILD:-}'; tests/run builds it)"
	exit 1
fi

trap 'pmr_teardown "$TFS" "$TMP"' EXIT

# setup -- devdax, and a file system for the testing regions (as 85-load)
setup()
{
	mkdir -p "$TMP"
	mountpoint -q "$TMP" || mount -t tmpfs -o size=64m tmpfs "$TMP"
	mkdir -p "$REP"
	DAX=$(pmem_devdax)
	pmr_testing_fs "$TFS" 32M "$TMP/tfs.img"
	GBASE=$(pmr_rdma_resources)
	echo "machine baseline: $GBASE"
}

# conf FILE SECOND -- dev (devdax), t1 (4M) and SECOND (1M), testing
conf()
{
	{
		printf '[pmrd]\nlisten = %s:%s\nlog_level = info\n' "$IP" "$PORT"
		printf '[region dev]\npath = %s\n' "$DAX"
		printf '[region t1]\npath = %s/t1\nsize = 4M\npersistent = no\n' "$TFS"
		printf '[region %s]\npath = %s/%s\nsize = 1M\npersistent = no\n' \
			"$2" "$TFS" "$2"
	} >"$1"
}

# fresh_files -- the testing files as before the first run: each run
# prepares them anew, so every run makes the same calls
fresh_files()
{
	pmr_unseal "$TFS"
	find "$TFS" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
}

# res_of PID -- "fd N" of PID and the device's RDMA counts ("pd N cq N
# qp N cm_id N mr N ctx N ..."): in this suite only pmrd and the one
# client under test use the device, so device-wide counts are pmrd's once
# the client is gone (one rdma call instead of one per resource type)
res_of()
{
	echo "fd $(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) $(pmr_rdma_resources)"
}

# back_to PID BASE -- PID's resources equal BASE within 20 s
back_to()
{
	local now
	# shellcheck disable=SC2317
	same() { now=$(res_of "$1"); [ "$now" = "$2" ]; }
	if pmr_wait_until 20 same "$1" "$2"; then
		return 0
	fi
	echo "LEAK: pid $1 has [$now], before the step [$2]"
	return 1
}

# injected REPORT -- the report has the injection line (it fired)
injected()
{
	grep -q " injected calls=" "$1" 2>/dev/null
}

# count_of REPORT -- the wrapped calls the run made (its exit line)
count_of()
{
	sed -n 's/.* exit injected=[01] calls=\([0-9]*\) .*/\1/p' "$1" | tail -n 1
}

# client NAME REGION -- the plain pmr_example against pmrd; its exit code
client()
{
	local rc=0
	timeout 60 "$PLAIN_EX" "$IP" "$PORT" "$2" >"$TMP/$1.out" 2>&1 || rc=$?
	sed "s/^/    $1: /" "$TMP/$1.out"
	return "$rc"
}

# srv_one N -- one pmrd life with the N-th call failing; sets PHASE to
# where it fell (start, client1, reload, client2, stop, none); false with
# the reason printed when the run broke a rule
srv_one()
{
	local n=$1 name=srv pid rc=0 base ok=0 rep asan
	rep=$REP/srv.$n asan=$PMR_LOGDIR/asan-srv.$n
	rm -f "$rep" "$asan".*
	fresh_files
	conf "$CONF" t2
	PHASE=start
	PMR_FAULT_N=$n PMR_FAULT_REPORT=$rep PMR_FAULT_TRACE=${TRACE:-0} \
		ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$asan \
		UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$asan \
		pmr_daemon_start "$name" "$PMRD" -c "$CONF"
	pid=$(cat "$PMR_LOGDIR/$name.pid")
	# shellcheck disable=SC2317
	up() { pmr_log_has "$name" "serving [0-9]+ regions" >/dev/null ||
		! pmr_daemon_alive "$name"; }
	pmr_wait_until 180 up || { echo "N=$n: pmrd neither serves nor exits"; ok=1; }
	if ! pmr_daemon_alive "$name"; then
		pmr_daemon_wait "$name" 5 || rc=$?
		# a clean error: non-zero, and the last line says why (before
		# the log is set up, config errors have no "err:" prefix)
		if [ "$rc" = 0 ]; then
			echo "N=$n: pmrd exited 0 without serving"
			ok=1
		elif ! tail -n 1 "$(pmr_daemon_log "$name")" |
			grep -q -i -E "err|fail|cannot|no |not |refus|invalid|denied|memory|too many"; then
			echo "N=$n: pmrd exited $rc; its last line says no error"
			ok=1
		fi
		injected "$rep" || { echo "N=$n: pmrd failed with nothing injected"; ok=1; }
	else
		rdma_wait_listen "$PORT" 60 || ok=1
		base=$(res_of "$pid")
		# a client cycle; a fault in it may fail the client, not pmrd
		injected "$rep" || PHASE=client1
		client "c1.$n" t1 || true
		pmr_daemon_alive "$name" || { echo "N=$n: pmrd died in the client cycle"; ok=1; }
		back_to "$pid" "$base" || ok=1
		# reload: t2 removed, t3 added
		injected "$rep" || PHASE=reload
		conf "$CONF" t3
		kill -HUP "$pid"
		pmr_wait_log "$name" "reload: ([0-9]+ added|.*nothing changed)" 60 ||
			{ echo "N=$n: the reload did not finish"; ok=1; }
		pmr_daemon_alive "$name" || { echo "N=$n: pmrd died in the reload"; ok=1; }
		base=$(res_of "$pid")
		injected "$rep" || PHASE=client2
		if pmr_log_has "$name" "reload: region t3 added" >/dev/null; then
			client "c2.$n" t3 || true
		else
			client "c2.$n" t1 || true
		fi
		pmr_daemon_alive "$name" || { echo "N=$n: pmrd died in the second client cycle"; ok=1; }
		back_to "$pid" "$base" || ok=1
		injected "$rep" || PHASE=stop
		pmr_daemon_stop "$name" TERM 60 || rc=$?
		if [ "$rc" != 0 ] && [ "$PHASE" != stop ]; then
			echo "N=$n: pmrd exited $rc after SIGTERM (fault in $PHASE)"
			ok=1
		fi
	fi
	injected "$rep" || PHASE=none
	pmr_rdma_resources_back "$GBASE" || ok=1
	pmr_sanitizer_clean "$asan" "$(pmr_daemon_log "$name")" || ok=1
	cp "$(pmr_daemon_log "$name")" "$PMR_LOGDIR/srv.$n.log"
	[ "$ok" = 0 ] || { sed 's/^/    pmrd: /' "$(pmr_daemon_log "$name")" | tail -n 40; }
	return "$ok"
}

# sites REPORT -- of a traced run: the first N of each call site
# ("fn at"), in call order
sites()
{
	sed -n 's/.* call calls=\([0-9]*\) n=0 fn=\([^ ]*\) at=\(.*\)/\1 \2 \3/p' "$1" |
		awk '!seen[$2 " " $3]++ { print $1 }'
}

# share_of LIST -- this boot's share of LIST by PMR_FAULT_SHARE=I/M (set;
# tests/run sets it when one run boots M platforms): the I-th, (I+M)-th,
# ... element; all of LIST when M is 1
share_of()
{
	local i=${PMR_FAULT_SHARE%/*} m=${PMR_FAULT_SHARE#*/}
	if [ "$m" -le 1 ]; then
		echo "$1"
		return
	fi
	tr ' ' '\n' <<<"$1" | awk -v i="$i" -v m="$m" 'NF && (++j - i) % m == 0'
}

# walk NAME ONE -- first ONE 0 with the trace on: the run without a fault,
# which lists the calls (K of them); then ONE N for each N of the walk:
# every N of 1..K (PMR_FAULT_FULL=1, and always for the client), else the
# first N of every second call site (PMR_QUICK: of every fourth); of that
# list, this boot's share (PMR_FAULT_SHARE; not with PMR_FAULT_FULL,
# _SITES=all or _NS); prints each run, the failed N, the points per phase
# and the time
walk()
{
	local what=$1 one=$2 n bad="" t0=$SECONDS t k list nsites shared=""
	declare -A per
	TRACE=1
	PHASE="?"
	"$one" 0 || bad+=" 0"
	TRACE=0
	echo "$what N=0 (trace, no fault): $([ -z "$bad" ] && echo ok || echo FAILED), $((SECONDS - t0)) s"
	[ "$PHASE" = none ] || { echo "$what: the run without a fault says it injected one"; return 1; }
	k=$(count_of "$REP/$what.0")
	if [ -z "$k" ] || [ "$k" = 0 ]; then
		echo "$what: no count in $REP/$what.0"
		return 1
	fi
	nsites=$(sites "$REP/$what.0" | wc -l)
	echo "$what: $k calls at $nsites call sites; by function:"
	sed -n 's/.* call calls=[0-9]* n=0 fn=\([^ ]*\) .*/\1/p' "$REP/$what.0" |
		sort | uniq -c | sort -rn | tr '\n' ' '
	echo
	if [ -n "${PMR_FAULT_NS:-}" ]; then
		list=$PMR_FAULT_NS
	elif [ "${PMR_FAULT_FULL:-}" = 1 ] || [ "$what" = cli ]; then
		list=$(seq 1 "$k")
	elif [ "${PMR_FAULT_SITES:-}" = all ]; then
		list=$(sites "$REP/$what.0")
	elif [ "${PMR_QUICK:-}" = 1 ]; then
		list=$(sites "$REP/$what.0" | awk 'NR % 4 == 1')
	else
		list=$(sites "$REP/$what.0" | awk 'NR % 2 == 1')
	fi
	if [ -n "${PMR_FAULT_SHARE:-}" ] && [ -z "${PMR_FAULT_NS:-}" ] &&
		[ "${PMR_FAULT_FULL:-}" != 1 ] && [ "${PMR_FAULT_SITES:-}" != all ]; then
		list=$(share_of "$list")
		shared=" (share $PMR_FAULT_SHARE)"
	fi
	for n in $list; do
		PHASE="?"
		t=$SECONDS
		if "$one" "$n"; then
			echo "$what N=$n: ok, fault in $PHASE ($((SECONDS - t)) s)"
		else
			echo "$what N=$n: FAILED, fault in $PHASE ($((SECONDS - t)) s)"
			bad+=" $n"
		fi
		per[$PHASE]=$((${per[$PHASE]:-0} + 1))
	done
	pmr_say "$what walk: $k injection points reached ($nsites call sites), $(wc -w <<<"$list") runs with a fault$shared, by phase: $(for p in "${!per[@]}"; do printf '%s=%s ' "$p" "${per[$p]}"; done); $((SECONDS - t0)) s"
	[ -z "$bad" ] || { echo "$what walk: failed at N =$bad"; return 1; }
}

# cli_start -- one pmrd without injection for the client walk
cli_start()
{
	fresh_files
	conf "$CONF" t2
	ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$PMR_LOGDIR/asan-clisrv \
		UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$PMR_LOGDIR/asan-clisrv \
		pmr_daemon_start clisrv "$PMRD" -c "$CONF"
	pmr_daemon_ready clisrv "serving" "err:" 180 && rdma_wait_listen "$PORT" 60
}

# cli_one N -- pmr_example (libpmr failing its N-th call) once
cli_one()
{
	local n=$1 rc=0 ok=0 pid base out rep asan
	rep=$REP/cli.$n asan=$PMR_LOGDIR/asan-cli.$n out=$PMR_LOGDIR/cli.$n.log
	rm -f "$rep" "$asan".*
	pid=$(cat "$PMR_LOGDIR/clisrv.pid")
	base=$(res_of "$pid")
	PMR_FAULT_N=$n PMR_FAULT_REPORT=$rep PMR_FAULT_TRACE=${TRACE:-0} \
		ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$asan \
		UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$asan \
		timeout 60 "$FI_EX" "$IP" "$PORT" t1 >"$out" 2>&1 || rc=$?
	PHASE=client
	injected "$rep" || PHASE=none
	case "$rc" in
	0) ;;
	1) grep -q -E ": .*\(-?[0-9]+\)$" "$out" ||
		{ echo "N=$n: exit 1 without pmr_example's error line"; ok=1; } ;;
	124) echo "N=$n: the client hung (killed after 60 s)"; ok=1 ;;
	*) echo "N=$n: the client exited $rc"; ok=1 ;;
	esac
	[ "$PHASE" = none ] && [ "$rc" != 0 ] && { echo "N=$n: failed with nothing injected"; ok=1; }
	pmr_sanitizer_clean "$asan" "$out" || ok=1
	pmr_daemon_alive clisrv || { echo "N=$n: pmrd died"; ok=1; }
	back_to "$pid" "$base" || ok=1
	[ "$ok" = 0 ] || sed 's/^/    client: /' "$out"
	return "$ok"
}

# cli_stop -- the client walk's pmrd: exit 0, no sanitizer report
cli_stop()
{
	pmr_daemon_term clisrv 60 &&
		pmr_sanitizer_clean "$PMR_LOGDIR/asan-clisrv" "$(pmr_daemon_log clisrv)"
}

setup
pmr_inline_case server-walk walk srv srv_one || true
if pmr_inline_case client-walk-start cli_start; then
	pmr_inline_case client-walk walk cli cli_one || true
	pmr_inline_case client-walk-stop cli_stop || true
fi
