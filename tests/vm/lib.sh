# SPDX-License-Identifier: BSD-3-Clause
# tests/vm/lib.sh -- helpers for VM suites; sourced by tests/vm/suites/*.sh
# inside the VM (inside.sh runs each suite with bash, fd 3 = VM console).
# See tests/vm/README.md for the suite contract.
# Env (exported by inside.sh): PMR_SRC, PMR_BUILD, PMR_PLATFORM, PMR_KERNEL,
#   PMR_RXE_IP, PMR_LOGDIR, PMR_RESULTS, PMR_SUITE, PMR_QUICK (1 = short run).
# Tunables: PMR_CASE_TIMEOUT (seconds per case, default 120),
#   PMR_PMEM_NS (the NVDIMM namespace the pmem_* helpers work on, default
#   namespace0.0; e.g. PMR_PMEM_NS=$(pmem_ns2) pmem_fsdax xfs MNT for the
#   second NVDIMM).

: "${PMR_LOGDIR:?lib.sh is for suites run by tests/vm/inside.sh}"
: "${PMR_RESULTS:?lib.sh is for suites run by tests/vm/inside.sh}"
PMR_SUITE=${PMR_SUITE:-$(basename "$0" .sh)}
PMR_CASE_TIMEOUT=${PMR_CASE_TIMEOUT:-120}
PMR_PMEM_NS=${PMR_PMEM_NS:-namespace0.0}
PMR_RXE_DEV=rxe0     # the Soft-RoCE device and its netdev, as
PMR_RXE_NETDEV=veth0 # tests/vm/vmrun makes them
mkdir -p "$PMR_LOGDIR"
# fd 3 is the console; when run by hand without it, use stderr
{ true >&3; } 2>/dev/null || exec 3>&2

# pmr_say MSG... -- a line on the console and in the suite log
pmr_say()
{
	echo "[pmr] $*" >&3
	echo "[pmr] $*"
}

# _pmr_record STATUS NAME SECS [REASON...] -- append one result line
_pmr_record()
{
	local st=$1 name=${2// /_} secs=$3
	shift 3
	echo "$st $PMR_SUITE $name $secs $*" >>"$PMR_RESULTS"
	if [ $# -gt 0 ]; then
		pmr_say "$st $PMR_SUITE/$name (${secs}s): $*"
	else
		pmr_say "$st $PMR_SUITE/$name (${secs}s)"
	fi
}

# pmr_pass NAME [NOTE...] -- record a passed case (for checks done inline)
pmr_pass()
{
	_pmr_record PASS "$1" 0 "${@:2}"
}

# pmr_fail NAME REASON... -- record a failed case; the suite goes on
pmr_fail()
{
	_pmr_record FAIL "$1" 0 "${@:2}"
}

# pmr_skip NAME REASON... -- record a skipped case with its reason
pmr_skip()
{
	_pmr_record SKIP "$1" 0 "${@:2}"
}

# pmr_case [-t SECS] NAME CMD... -- run CMD (a program or a shell function)
# in its own process group with output in $PMR_LOGDIR/NAME.log; PASS when
# it exits 0, FAIL (with the log's tail on the console) otherwise; killed
# (TERM, then KILL) after SECS (default $PMR_CASE_TIMEOUT).  Always returns
# 0, so a failing case never stops a `set -e` suite; PMR_CASE_STATUS is
# PASS or FAIL afterwards (pmr_passed tests it, for dependent cases).
pmr_case()
{
	local t=$PMR_CASE_TIMEOUT name log start rc=0 pid wd secs
	if [ "$1" = -t ]; then
		t=$2
		shift 2
	fi
	name=${1// /_}
	shift
	log=$PMR_LOGDIR/$name.log
	rm -f "$log.timeout"
	start=$SECONDS
	set -m
	("$@") >"$log" 2>&1 </dev/null &
	pid=$!
	(
		sleep "$t"
		echo "killed after ${t}s" >"$log.timeout"
		kill -TERM -- "-$pid"
		sleep 5
		kill -KILL -- "-$pid"
	) >/dev/null 2>&1 </dev/null &
	wd=$!
	set +m
	wait "$pid" || rc=$?
	kill -KILL -- "-$wd" 2>/dev/null || true
	wait "$wd" 2>/dev/null || true
	secs=$((SECONDS - start))
	PMR_CASE_STATUS=FAIL
	if [ -f "$log.timeout" ]; then
		_pmr_record FAIL "$name" "$secs" "timeout: $(cat "$log.timeout")"
	elif [ "$rc" = 0 ]; then
		_pmr_record PASS "$name" "$secs"
		PMR_CASE_STATUS=PASS
		return 0
	else
		_pmr_record FAIL "$name" "$secs" "exit $rc"
	fi
	tail -n 15 "$log" | sed 's/^/    | /' >&3
	return 0
}

# pmr_passed -- true when the last pmr_case passed
pmr_passed()
{
	[ "${PMR_CASE_STATUS:-}" = PASS ]
}

# kernel_at_least MAJOR MINOR -- true when the running kernel is >= MAJOR.MINOR
kernel_at_least()
{
	local v maj min
	v=$(uname -r)
	maj=${v%%.*}
	min=${v#*.}
	min=${min%%[!0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

# pmr_odp_expect -- what pmrd's ODP self-test must find on this boot's rxe:
# "not supported" before Linux 6.15 (rxe has no ODP), "verified" once the
# fixed module runs (/run/pmr-rxe-fixed, written by the module swap) or on
# a kernel whose own rxe carries the fix (PMR_RXE_STOCK_FIXED=1), else
# "misplaces data" (doc/PLATFORM_NOTES.md)
pmr_odp_expect()
{
	if ! kernel_at_least 6 15; then
		echo "not supported"
	elif [ -e /run/pmr-rxe-fixed ] || [ "${PMR_RXE_STOCK_FIXED:-}" = 1 ]; then
		echo verified
	else
		echo "misplaces data"
	fi
}

# rxe_ip -- the IP of rxe0's netdev (servers and clients both use it)
rxe_ip()
{
	echo "${PMR_RXE_IP:-10.77.0.1}"
}

# rxe_dev -- the Soft-RoCE device name
rxe_dev()
{
	echo "$PMR_RXE_DEV"
}

# _pmr_rxe_ready -- rxe0's port is ACTIVE and carries the GID of its IP
_pmr_rxe_ready()
{
	local a b c d gid
	# 10.77.0.1 -> ::ffff:0a4d:0001, as the kernel prints GIDs in sysfs
	IFS=. read -r a b c d <<<"$(rxe_ip)"
	gid=$(printf '0000:0000:0000:0000:0000:ffff:%02x%02x:%02x%02x' \
		"$a" "$b" "$c" "$d")
	rdma link show "$PMR_RXE_DEV/1" 2>/dev/null | grep -q ' state ACTIVE ' &&
		grep -q -x "$gid" "/sys/class/infiniband/$PMR_RXE_DEV/ports/1/gids/"* 2>/dev/null
}

# _pmr_rxe_link -- create rxe0 on veth0 as vmrun did (the IP stays on
# veth0) and wait (30 s) until it is ready
_pmr_rxe_link()
{
	rdma link add "$PMR_RXE_DEV" type rxe netdev "$PMR_RXE_NETDEV" &&
		pmr_wait_until 30 _pmr_rxe_ready
}

# _pmr_rxe_stock_back -- after a failed swap: the stock rdma_rxe (loaded
# again if it is gone) with rxe0 re-created
_pmr_rxe_stock_back()
{
	if { [ -d /sys/module/rdma_rxe ] || modprobe rdma_rxe; } &&
		_pmr_rxe_link; then
		echo "the stock rdma_rxe runs, $PMR_RXE_DEV ready"
	else
		echo "the stock rdma_rxe did not come back: no $PMR_RXE_DEV"
	fi
}

# _pmr_rxe_gone -- rdma_rxe is not loaded (after one rmmod try if it was)
_pmr_rxe_gone()
{
	[ -d /sys/module/rdma_rxe ] || return 0
	rmmod rdma_rxe 2>/dev/null || true
	[ ! -d /sys/module/rdma_rxe ]
}

# _pmr_build_id FILE -- hex GNU build ID of a module file (.ko), or of a
# loaded module's sysfs note (/sys/module/NAME/notes/.note.gnu.build-id:
# the raw note, whose last 20 bytes are the ID)
_pmr_build_id()
{
	case "$1" in
	/sys/*) od -An -tx1 -v "$1" | tr -d ' \n' | tail -c 40 ;;
	*) readelf -n "$1" | sed -n 's/.*Build ID: *//p' ;;
	esac
}

# pmr_rxe_use_fixed KO -- replace the loaded (stock) rdma_rxe by the
# module file KO (the ODP copy fix: tests/vm/build-rxe): delete rxe0,
# unload rdma_rxe (waiting up to 30 s until it is gone), insmod KO,
# re-create rxe0 on veth0 as vmrun did, wait until its port is ACTIVE with
# the IP's GID; then writes /run/pmr-rxe-fixed (KO and its build ID: what
# pmr_odp_expect looks for).  Prints what it did, KO's vermagic and build
# ID, the loaded module's build ID and taint, and the seconds it took.
# Nothing to do when KO is loaded already (same build ID).  When KO does
# not load, the stock module is loaded again (rxe0 re-created), there is
# no /run/pmr-rxe-fixed, and it returns 1.
pmr_rxe_use_fixed()
{
	local ko=$1 want loaded t0=$SECONDS note=/sys/module/rdma_rxe/notes/.note.gnu.build-id
	[ -f "$ko" ] || {
		echo "pmr_rxe_use_fixed: no module file $ko"
		return 1
	}
	want=$(_pmr_build_id "$ko")
	[ -n "$want" ] || {
		echo "pmr_rxe_use_fixed: $ko has no build ID"
		return 1
	}
	echo "$ko: vermagic $(modinfo -F vermagic "$ko"), build ID $want"
	loaded=$(_pmr_build_id "$note" 2>/dev/null || true)
	if [ "$loaded" = "$want" ]; then
		echo "rdma_rxe from $ko is loaded already"
		echo "$ko $want" >/run/pmr-rxe-fixed
		return 0
	fi
	rm -f /run/pmr-rxe-fixed
	echo "loaded rdma_rxe: build ID ${loaded:-none}, taint '$(cat /sys/module/rdma_rxe/taint 2>/dev/null)'"
	if rdma link show "$PMR_RXE_DEV/1" >/dev/null 2>&1; then
		rdma link delete "$PMR_RXE_DEV" || return 1
		echo "deleted $PMR_RXE_DEV"
	fi
	if ! pmr_wait_until 30 _pmr_rxe_gone; then
		echo "rdma_rxe does not unload (refcnt $(cat /sys/module/rdma_rxe/refcnt)): keeping it"
		_pmr_rxe_stock_back
		return 1
	fi
	echo "unloaded the stock rdma_rxe after $((SECONDS - t0)) s"
	if ! insmod "$ko"; then
		echo "insmod $ko failed: loading the stock rdma_rxe again"
		_pmr_rxe_stock_back
		return 1
	fi
	_pmr_rxe_link || return 1
	loaded=$(_pmr_build_id "$note")
	echo "loaded rdma_rxe: build ID $loaded, taint '$(cat /sys/module/rdma_rxe/taint)'"
	[ "$loaded" = "$want" ] || {
		echo "the loaded rdma_rxe is not $ko"
		return 1
	}
	rdma link show "$PMR_RXE_DEV/1"
	echo "$ko $want" >/run/pmr-rxe-fixed
	echo "$PMR_RXE_DEV on $PMR_RXE_NETDEV ready with the fixed rdma_rxe after $((SECONDS - t0)) s"
}

# _rdma_listening PORT -- true when an rdmacm id listens on PORT
_rdma_listening()
{
	rdma resource show cm_id 2>/dev/null |
		grep -q -E "state LISTEN .*src-addr [^ ]*:$1( |\$)"
}

# rdma_wait_listen PORT [SECS] -- wait (default 30 s) until an rdmacm
# server listens on PORT: start clients only then (an early connect is
# REJECTED, and process start-up is slow under emulation)
rdma_wait_listen()
{
	pmr_wait_until "${2:-30}" _rdma_listening "$1"
}

# pmr_bin NAME -- path of program NAME built in $PMR_BUILD (fails if none)
pmr_bin()
{
	local f
	f=$(find "$PMR_BUILD" -name CMakeFiles -prune -o -type f -name "$1" \
		-perm -u+x -print 2>/dev/null | head -n 1)
	[ -n "$f" ] || {
		echo "pmr_bin: $1 not built in $PMR_BUILD" >&2
		return 1
	}
	echo "$f"
}

# _pmem_field KEY -- a field of the namespace's `ndctl list` JSON
_pmem_field()
{
	ndctl list -n "$PMR_PMEM_NS" 2>/dev/null |
		sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",]*\\)\"\\{0,1\\},\\{0,1\\}\$/\\1/p" |
		head -n 1
}

# pmem_mode -- the namespace's mode: raw, fsdax, devdax (or sector)
pmem_mode()
{
	_pmem_field mode
}

# pmem_release -- unmount every filesystem on a /dev/pmem* device
pmem_release()
{
	local m
	for m in $(awk '$1 ~ /^\/dev\/pmem/ { print $2 }' /proc/mounts); do
		umount "$m" || umount -l "$m"
	done
}

# _pmem_release_ns -- unmount the filesystems on this namespace's block
# device only (the other NVDIMM's may stay mounted: two DAX filesystems)
_pmem_release_ns()
{
	local m bd
	bd=$(_pmem_field blockdev)
	[ -n "$bd" ] || return 0
	for m in $(awk -v d="/dev/$bd" '$1 == d { print $2 }' /proc/mounts); do
		umount "$m" || umount -l "$m"
	done
}

# pmem_ns2 -- prints the second NVDIMM's namespace (namespace1.0, backed by
# vmrun's PMRD_VM_PMEM2); fails when there is none, or when the NVDIMMs
# came up in the other order (namespace0.0 must be the first image, at the
# lower guest-physical address: tests/vm/vmrun says why that can change)
pmem_ns2()
{
	local a0 a1
	ndctl list -n namespace1.0 2>/dev/null | grep -q namespace1.0 || {
		echo "pmem_ns2: no second NVDIMM (namespace1.0)" >&2
		return 1
	}
	a0=$(cat /sys/bus/nd/devices/region0/resource 2>/dev/null) || a0=
	a1=$(cat /sys/bus/nd/devices/region1/resource 2>/dev/null) || a1=
	if [ -z "$a0" ] || [ -z "$a1" ] || [ $((a0)) -gt $((a1)) ]; then
		echo "pmem_ns2: region0 at ${a0:-?}, region1 at ${a1:-?}: the NVDIMMs came up swapped (namespace0.0 is not the first image)" >&2
		return 1
	fi
	echo namespace1.0
}

# pmem_raw -- reconfigure the namespace to raw mode (/dev/pmem0, no DAX)
pmem_raw()
{
	_pmem_release_ns
	ndctl create-namespace -f -e "$PMR_PMEM_NS" -m raw >/dev/null
}

# pmem_fsdax ext4|xfs MNT [--keep] -- reconfigure the namespace to fsdax,
# make a fresh filesystem (all data wiped) and mount it -o dax at MNT;
# --keep mounts the filesystem already there (e.g. after a power cut)
pmem_fsdax()
{
	local fs=$1 mnt=$2 keep=${3:-} dev
	_pmem_release_ns
	if [ "$keep" != --keep ]; then
		ndctl create-namespace -f -e "$PMR_PMEM_NS" -m fsdax >/dev/null
	fi
	dev=/dev/$(_pmem_field blockdev)
	[ -b "$dev" ] || {
		echo "pmem_fsdax: no block device for $PMR_PMEM_NS" >&2
		return 1
	}
	if [ "$keep" != --keep ]; then
		case "$fs" in
		ext4) mkfs.ext4 -q -F -b 4096 "$dev" ;;
		xfs) mkfs.xfs -q -f -m reflink=0 "$dev" ;;
		*)
			echo "pmem_fsdax: unknown filesystem $fs" >&2
			return 1
			;;
		esac
	fi
	mkdir -p "$mnt"
	mount -t "$fs" -o dax "$dev" "$mnt"
	grep -q " $mnt $fs .*dax" /proc/mounts || {
		echo "pmem_fsdax: $mnt is not mounted with dax" >&2
		return 1
	}
}

# pmem_daxdev -- prints the namespace's /dev/daxX.Y (fails if not devdax)
pmem_daxdev()
{
	local cd
	cd=$(_pmem_field chardev)
	[ -n "$cd" ] && [ -c "/dev/$cd" ] || {
		echo "pmem_daxdev: no dax device for $PMR_PMEM_NS" >&2
		return 1
	}
	echo "/dev/$cd"
}

# pmem_devdax -- reconfigure the namespace to devdax; prints /dev/daxX.Y
pmem_devdax()
{
	_pmem_release_ns
	ndctl create-namespace -f -e "$PMR_PMEM_NS" -m devdax >/dev/null
	pmem_daxdev
}

# pmr_daemon_start NAME CMD... -- run CMD in the background, in its own
# process group, output in $PMR_LOGDIR/NAME.log (pmr_daemon_log NAME)
pmr_daemon_start()
{
	local name=$1 pid
	shift
	set -m
	"$@" >"$PMR_LOGDIR/$name.log" 2>&1 </dev/null &
	pid=$!
	set +m
	echo "$pid" >"$PMR_LOGDIR/$name.pid"
}

# pmr_now_ms -- milliseconds since boot (/proc/uptime: the clock that
# pmr_daemon_start_rc stamps a job's end with)
pmr_now_ms()
{
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# pmr_daemon_start_rc NAME RCFILE CMD... -- pmr_daemon_start NAME CMD...;
# when CMD ends, "STATUS MS" (its exit status, pmr_now_ms then) is written
# to RCFILE, which is removed first: a test waits for the file
pmr_daemon_start_rc()
{
	local name=$1 rcfile=$2
	shift 2
	rm -f "$rcfile"
	# shellcheck disable=SC2016 # expanded by that bash
	pmr_daemon_start "$name" bash -c '"$@"; echo "$? $(awk "{ printf \"%d\", \$1 * 1000 }" /proc/uptime)" >"$0"' \
		"$rcfile" "$@"
}

# pmr_daemon_log NAME -- path of a daemon's log
pmr_daemon_log()
{
	echo "$PMR_LOGDIR/$1.log"
}

# pmr_daemon_alive NAME -- true while the daemon runs
pmr_daemon_alive()
{
	local pid
	pid=$(cat "$PMR_LOGDIR/$1.pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null
}

# pmr_daemon_wait NAME [SECS] -- wait up to SECS (default 30) for the
# daemon to exit by itself; returns its exit status (when started by this
# shell), 124 if it still runs
pmr_daemon_wait()
{
	local name=$1 t=${2:-30} pid end rc=0
	pid=$(cat "$PMR_LOGDIR/$name.pid" 2>/dev/null) || return 0
	end=$((SECONDS + t))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && return 124
	# 127: not this shell's child (started in another case): no status
	wait "$pid" 2>/dev/null || rc=$?
	[ "$rc" != 127 ] || rc=0
	rm -f "$PMR_LOGDIR/$name.pid"
	return "$rc"
}

# pmr_daemon_stop NAME [SIGNAL [SECS]] -- signal (default TERM), wait up to
# SECS (default 10), then KILL its process group; returns the daemon's exit
# status (when started by this shell)
pmr_daemon_stop()
{
	local name=$1 sig=${2:-TERM} t=${3:-10} pid rc=0
	pid=$(cat "$PMR_LOGDIR/$name.pid" 2>/dev/null) || return 0
	kill -"$sig" "$pid" 2>/dev/null || true
	pmr_daemon_wait "$name" "$t" || rc=$?
	if [ "$rc" = 124 ]; then
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rm -f "$PMR_LOGDIR/$name.pid"
	fi
	return "$rc"
}

# pmr_wait_until SECS CMD... -- poll CMD every 0.2 s until it succeeds;
# SECS is wall time (process starts are slow under emulation)
pmr_wait_until()
{
	local t=$1 end
	shift
	end=$((SECONDS + t))
	while :; do
		"$@" && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.2
	done
	echo "pmr_wait_until: timed out after ${t}s: $*" >&2
	return 1
}

# pmr_wait_log NAME REGEX [SECS] -- wait until a daemon's log matches
pmr_wait_log()
{
	pmr_wait_until "${3:-30}" grep -q -E "$2" "$PMR_LOGDIR/$1.log"
}

# pmr_extents_written FILE BYTES -- FIEMAP as filefrag -v shows it: [0,
# BYTES) covered by contiguous logical extents, none unwritten (what pmrd's
# own check in daemon/region/fiemap.c demands, seen by another tool)
pmr_extents_written()
{
	filefrag -v -b4096 "$1" | awk -v want=$(($2 / 4096)) '
		$1 ~ /^[0-9]+:$/ {
			# " 3:   98304..  131071:  ..." -> 98304 131071
			split($0, c, ":"); r = c[2]; gsub(/ /, "", r)
			split(r, l, /\.\./)
			if (l[1] + 0 != next_l) { print "gap at block " next_l; bad = 1 }
			next_l = l[2] + 1
			if ($0 ~ /unwritten/) { print "unwritten: " $0; bad = 1 }
		}
		END {
			if (next_l != want) { print "extents end at block " next_l ", want " want; bad = 1 }
			exit bad
		}'
}

# pmr_collect FILE... -- copy files (e.g. a daemon's state) into the log dir
pmr_collect()
{
	cp -a "$@" "$PMR_LOGDIR/" 2>/dev/null || true
}

# pmr_need_bin NAME -- like pmr_bin, but a program that is not built is a
# failed case NAME-built and the end of the suite: X=$(pmr_need_bin NAME)
pmr_need_bin()
{
	pmr_bin "$1" || {
		pmr_fail "$1-built" "$1 not found in $PMR_BUILD" >&2
		exit 1
	}
}

# pmr_log_has NAME REGEX -- a daemon's log matches REGEX (else say which
# REGEX is missing and print the log)
pmr_log_has()
{
	grep -q -E -- "$2" "$(pmr_daemon_log "$1")" || {
		echo "not in the $1 log: $2"
		cat "$(pmr_daemon_log "$1")"
		return 1
	}
}

# pmr_inline_case NAME CMD... -- like pmr_case, but CMD runs in the suite's
# own shell (no timeout; no set -e inside CMD: it checks explicitly), so a
# daemon it starts is this shell's child and pmr_daemon_stop/pmr_daemon_wait
# return its exit status (`wait` cannot reap another subshell's child);
# returns 1 when the case failed
pmr_inline_case()
{
	local name=${1// /_} start=$SECONDS
	shift
	if "$@" >"$PMR_LOGDIR/$name.log" 2>&1; then
		_pmr_record PASS "$name" $((SECONDS - start))
		PMR_CASE_STATUS=PASS
		return 0
	fi
	_pmr_record FAIL "$name" $((SECONDS - start)) "see $name.log"
	PMR_CASE_STATUS=FAIL
	tail -n 15 "$PMR_LOGDIR/$name.log" | sed 's/^/    | /' >&3
	return 1
}

# pmr_daemon_ready NAME READY GIVEUP [SECS] -- wait up to SECS (default 90)
# until a daemon's log matches the regex READY or the regex GIVEUP, print
# the log; true when READY matched
pmr_daemon_ready()
{
	pmr_wait_log "$1" "$2|$3" "${4:-90}" || true
	cat "$(pmr_daemon_log "$1")"
	pmr_log_has "$1" "$2"
}

# pmr_pmrd_start NAME CONF [SECS] -- start pmrd -c CONF as daemon NAME and
# wait until it serves; false (log printed) when it logged an error first
pmr_pmrd_start()
{
	local pmrd
	pmrd=$(pmr_bin pmrd) || return 1
	pmr_daemon_start "$1" "$pmrd" -c "$2"
	pmr_daemon_ready "$1" "serving" "err:" "${3:-90}"
}

# pmr_daemon_exits NAME CODE [SECS] -- wait up to SECS (default 90) for a
# daemon to exit by itself, print its log; true when its status is CODE
pmr_daemon_exits()
{
	local rc=0
	pmr_daemon_wait "$1" "${3:-90}" || rc=$?
	cat "$(pmr_daemon_log "$1")"
	[ "$rc" = "$2" ] || {
		echo "$1: exit $rc, expected $2"
		return 1
	}
}

# pmr_daemon_term NAME [SECS] -- SIGTERM, wait up to SECS (default 30; then
# KILL), print its log; true when it exited 0
pmr_daemon_term()
{
	local rc=0
	pmr_daemon_stop "$1" TERM "${2:-30}" || rc=$?
	cat "$(pmr_daemon_log "$1")"
	[ "$rc" = 0 ] || {
		echo "$1 exited $rc after SIGTERM"
		return 1
	}
}

# pmr_write_conf FILE LISTEN DAX TDIR [LINE...] -- the usual pmrd.conf:
# [pmrd] with listen = LISTEN, log_level = info and each LINE ("key =
# value"); regions dev (DAX, rw), scratch (TDIR/scratch, 4M testing, rw),
# rotest (TDIR/rotest, 1M testing, ro)
pmr_write_conf()
{
	local f=$1 listen=$2 dax=$3 tdir=$4
	shift 4
	{
		printf '[pmrd]\nlisten = %s\nlog_level = info\n' "$listen"
		[ $# = 0 ] || printf '%s\n' "$@"
		printf '[region dev]\npath = %s\n' "$dax"
		printf '[region scratch]\npath = %s/scratch\nsize = 4M\n' "$tdir"
		printf 'persistent = no\n'
		printf '[region rotest]\npath = %s/rotest\nsize = 1M\n' "$tdir"
		printf 'persistent = no\naccess = ro\n'
	} >"$f"
}

# pmr_status_field SOCK KEY -- one member of `pmrctl -s SOCK -j status`
# ($PMRCTL, else the built one)
pmr_status_field()
{
	"${PMRCTL:-$(pmr_bin pmrctl)}" -s "$1" -j status |
		python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$2"
}

# pmr_status_is SOCK KEY VALUE -- that member is VALUE (for pmr_wait_until)
pmr_status_is()
{
	[ "$(pmr_status_field "$1" "$2")" = "$3" ]
}

# pmr_rdma_resources -- the RDMA device's resource counts ("pd N cq N qp N
# cm_id N mr N ctx N ..."), device-wide: one rdma call for all of them
pmr_rdma_resources()
{
	rdma resource show 2>/dev/null | sed 's/^[0-9]*: //' | tr '\n' ' '
}

# pmr_rdma_resources_back BASE -- the device's resource counts equal BASE
# (pmr_rdma_resources taken earlier) within 20 s; else say what leaked
pmr_rdma_resources_back()
{
	local now
	# shellcheck disable=SC2317
	same() { now=$(pmr_rdma_resources); [ "$now" = "$1" ]; }
	pmr_wait_until 20 same "$1" && return 0
	echo "LEAK: the device has [$now], at the start [$1]"
	return 1
}

# pmr_sanitizer_clean PREFIX LOG... -- no ASan/UBSan/LSan report and no
# crash in the logs nor in PREFIX.* (the sanitizers' log_path)
pmr_sanitizer_clean()
{
	local f p=$1 bad=0
	shift
	for f in "$@" "$p".*; do
		[ -f "$f" ] || continue
		if grep -E -n "AddressSanitizer|LeakSanitizer|runtime error:|SUMMARY: |Segmentation|Aborted" "$f"; then
			echo "sanitizer report or crash in $f"
			bad=1
		fi
	done
	return "$bad"
}

# pmr_loop_ext4 IMG SIZE MNT -- an ext4 without DAX in the file IMG (SIZE
# as truncate takes it) on a loop device, mounted at MNT: page-cache files
pmr_loop_ext4()
{
	modprobe -q loop || true
	truncate -s "$2" "$1" || return 1
	mkfs.ext4 -q -F "$1" || return 1
	# right after modprobe the loop nodes may not be there yet (EPERM)
	pmr_wait_until 10 test -e /dev/loop-control || return 1
	mkdir -p "$3"
	pmr_wait_until 20 mount -o loop "$1" "$3"
}

# pmr_testing_fs MNT SIZE IMG -- a file system for testing regions at MNT:
# tmpfs of SIZE where pmrd can pin its pages (Linux >= 6.5 refuses to pin
# page-cache files, shmem excepted), else an ext4 of SIZE in the file IMG
# on a loop device
pmr_testing_fs()
{
	mkdir -p "$1"
	if kernel_at_least 6 5; then
		mount -t tmpfs -o size="$2" tmpfs "$1"
	else
		pmr_loop_ext4 "$3" "$2" "$1"
	fi
}

# pmr_unseal DIR... -- clear the immutable flag pmrd sets on the files it
# prepares, so that they can be removed and their file system unmounted
pmr_unseal()
{
	local d
	for d in "$@"; do
		[ -d "$d" ] || continue
		find "$d" -type f -exec chattr -i {} + 2>/dev/null || true
	done
	return 0
}

# pmr_umount DIR... -- unmount each DIR that is a mount point, retrying up
# to 10 s (the mappings of a daemon just killed go away asynchronously)
pmr_umount()
{
	local d
	for d in "$@"; do
		mountpoint -q "$d" 2>/dev/null || continue
		pmr_wait_until 10 umount "$d" || true
	done
	return 0
}

# pmr_cleanup -- stop daemons still running (also those started inside a
# case), unmount pmem; runs at suite exit (a suite that sets its own EXIT
# trap calls it from there)
pmr_cleanup()
{
	local f pid
	for f in "$PMR_LOGDIR"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
		rm -f "$f"
	done
	dmesg >"$PMR_LOGDIR/dmesg.log" 2>/dev/null || true
	pmem_release 2>/dev/null || true
}
trap pmr_cleanup EXIT

# pmr_teardown DIR... -- pmr_cleanup, then unseal the files in each DIR and
# unmount each DIR that is a mount point: the EXIT trap of a suite that
# prepared testing regions on its own file systems
pmr_teardown()
{
	pmr_cleanup
	sleep 1
	pmr_unseal "$@"
	pmr_umount "$@"
}
