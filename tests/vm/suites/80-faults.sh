#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 80-faults.sh -- pmrd and its clients killed at bad moments; what was
# acknowledged persisted stays, what pmrd prepared is never zeroed again.
#   - prepare-kill-*: `pmrd --prepare` of a new fsdax (ext4 -o dax) file
#     region SIGKILLed at several points (the "preparing" line, the first
#     "zeroing" progress line, "zeroed"; "zeroing" and then once more at the
#     start of the re-preparation): the next --prepare finishes it (exit 0, zeroed
#     "now" unless the kill came after "prepared" was recorded), the xattr
#     says prepared with the right size, FIEMAP shows no hole and no
#     unwritten extent -- daemon/region/prepare.c's "redo or keep" argument;
#   - prepared-kept: a prepared region holding a pattern, pmrd --prepare
#     SIGKILLed at several points of keeping it: every restart keeps it
#     (zeroed "before", never "preparing"), the pattern is intact, the
#     immutable flag is set again;
#   - client-kill: a client with large async writes in flight SIGKILLed:
#     another client's writes go on and verify, the killed client's
#     acknowledged records verify, and pmrd gives everything back (clients
#     in pmrctl list-clients, open fds, `rdma resource show` counts:
#     pd, cq, qp, cm_id, mr, ...);
#   - pmrd-kill-io: pmrd SIGKILLed while three ack-writers write and
#     persist (devdax twice, a testing region once); restarted on the same
#     regions (the testing region kept, not re-prepared), pmr-verify finds
#     every acknowledged record over RDMA and, with pmrd stopped, on local
#     mappings of the devdax device and the testing file.  A testing region
#     lives in tmpfs (or the page cache): "persisted" there means it
#     survives pmrd's death, not a power cut.
# The power cut itself is 90-powercut.sh (needs the host's help).
# pmr-timeout: 1200
set -eu
. "$PMR_LIB"

PMRD=$(pmr_bin pmrd) || {
	pmr_fail pmrd-built "pmrd not found in $PMR_BUILD"
	exit 1
}
PMRCTL=$(pmr_bin pmrctl)
ACKW=$(pmr_bin pmr-ackwriter)
VERIFY=$(pmr_bin pmr-verify)
IP=$(rxe_ip)
PORT=7471
TMP=/run/pmr-faults
TFS=$TMP/tfs # the testing region's directory (tmpfs, or ext4 on a loop)
MNT=/mnt/pmr-faults
SOCK=$TMP/pmrd.sock
# the new fsdax region: large enough that zeroing takes seconds under TCG
if [ "$PMR_PLATFORM" = trixie ]; then BIG=768M; else BIG=1536M; fi
DAX=

# cleanup -- stop what runs, unseal the region files, unmount
cleanup()
{
	pmr_cleanup
	sleep 1
	local d
	for d in "$MNT" "$TFS"; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f -exec chattr -i {} + 2>/dev/null
		mountpoint -q "$d" 2>/dev/null && { umount "$d" || umount -l "$d"; }
	done
	mountpoint -q "$TMP" 2>/dev/null && umount -l "$TMP"
	return 0
}
trap cleanup EXIT

mkdir -p "$TMP"
mountpoint -q "$TMP" || mount -t tmpfs -o size=64m tmpfs "$TMP"

# --- preparation killed ------------------------------------------------

# big_conf -- one persistent file region BIG on the fsdax mount
big_conf()
{
	printf '[pmrd]\nlisten = %s:%s\nlog_level = info\n' "$IP" "$PORT"
	printf '[region big]\npath = %s/big\nsize = %s\n' "$MNT" "$BIG"
}

# xstate FILE -- trusted.pmrd's state: none, preparing, prepared (or the hex)
xstate()
{
	local h
	h=$(getfattr -n trusted.pmrd -e hex "$1" 2>/dev/null |
		sed -n 's/^trusted.pmrd=0x//p')
	# bytes 8..9 version, 10..11 state (little-endian)
	case "${h:20:4}" in
	"") echo none ;;
	0100) echo preparing ;;
	0200) echo prepared ;;
	*) echo "$h" ;;
	esac
}

# xsize FILE -- the size trusted.pmrd records (bytes 16..23, little-endian)
xsize()
{
	local h
	h=$(getfattr -n trusted.pmrd -e hex "$1" 2>/dev/null |
		sed -n 's/^trusted.pmrd=0x//p')
	h=${h:32:16}
	printf '%d\n' "0x${h:14:2}${h:12:2}${h:10:2}${h:8:2}${h:6:2}${h:4:2}${h:2:2}${h:0:2}"
}

# prepared_ok FILE ZEROED -- a finished preparation: the --prepare report
# said ZEROED (now/before) for big, xattr prepared with BIG's size, FIEMAP
# clean, immutable
prepared_ok()
{
	local f=$1 want size
	want=$(numfmt --from=iec "$BIG")
	grep -E "^big +fsdax .* $2\$" "$PMR_LOGDIR/prep.out" || {
		echo "--prepare did not report big as zeroed '$2'"
		return 1
	}
	[ "$(xstate "$f")" = prepared ] || {
		echo "state after --prepare: $(xstate "$f")"
		return 1
	}
	size=$(xsize "$f")
	if [ "$size" != "$want" ] || [ "$(stat -c %s "$f")" != "$want" ]; then
		echo "sizes: xattr $size, file $(stat -c %s "$f"), want $want"
		return 1
	fi
	pmr_extents_written "$f" "$want" || return 1
	lsattr "$f" | grep -q '^[^ ]*i' || {
		echo "not immutable: $(lsattr "$f")"
		return 1
	}
}

# kill_on_line PIDFILE REGEX LOG -- copy stdin's lines to LOG; at the first
# one matching REGEX SIGKILL the pid in PIDFILE (builtins only: polling
# the log from outside lands seconds late under emulation)
kill_on_line()
{
	local l pid hit=0
	while IFS= read -r l; do
		printf '%s\n' "$l" >>"$3"
		if [ "$hit" = 0 ] && [[ $l =~ $2 ]]; then
			hit=1
			read -r pid <"$1"
			kill -KILL "$pid" 2>/dev/null &&
				echo "SIGKILLed right after that line" >>"$3"
		fi
	done
}

# kill_prepare WHEN -- run pmrd --prepare and SIGKILL it at WHEN: right
# after a log line matching REGEX ("log:REGEX") or after SECS seconds
# ("delay:SECS"); prints the log and the state it left
kill_prepare()
{
	local when=$1 pid log
	log=$(pmr_daemon_log prep)
	: >"$log"
	case "$when" in
	log:*)
		# shellcheck disable=SC2016
		sh -c 'echo $$ >"$0"; exec "$@"' "$TMP/prep.pid" \
			"$PMRD" -v --prepare -c "$TMP/big.conf" 2>&1 |
			kill_on_line "$TMP/prep.pid" "${when#log:}" "$log"
		grep -q "SIGKILLed right after" "$log" ||
			echo "no line matched ${when#log:}: --prepare ran to its end"
		;;
	delay:*)
		pmr_daemon_start prep "$PMRD" -v --prepare -c "$TMP/big.conf"
		sleep "${when#delay:}"
		pid=$(cat "$PMR_LOGDIR/prep.pid")
		if kill -KILL "$pid" 2>/dev/null; then
			echo "killed after ${when#delay:} s"
		else
			echo "after ${when#delay:} s: --prepare had already exited"
		fi
		pmr_daemon_wait prep 30 || true
		;;
	esac
	cat "$log"
	echo "left behind: $(stat -c %s "$MNT/big" 2>/dev/null || echo no) bytes, state $(xstate "$MNT/big")"
}

# prepare_kill WHEN [WHEN2] -- a new region's preparation killed at WHEN
# (and its re-preparation at WHEN2): the next --prepare completes it
prepare_kill()
{
	local st zeroed=now
	chattr -i "$MNT/big" 2>/dev/null || true
	rm -f "$MNT/big"
	kill_prepare "$1"
	[ -z "${2:-}" ] || kill_prepare "$2"
	st=$(xstate "$MNT/big")
	# killed after "prepared" was durable: kept, never zeroed again
	[ "$st" != prepared ] || zeroed=before
	"$PMRD" --prepare -c "$TMP/big.conf" >"$PMR_LOGDIR/prep.out" 2>&1 || {
		cat "$PMR_LOGDIR/prep.out"
		echo "pmrd --prepare after the kill (state $st) failed"
		return 1
	}
	cat "$PMR_LOGDIR/prep.out"
	if [ "$st" = preparing ]; then
		grep -q "preparation was interrupted" "$PMR_LOGDIR/prep.out" || {
			echo "no 'preparation was interrupted' line"
			return 1
		}
	fi
	prepared_ok "$MNT/big" "$zeroed"
}

# pattern_write -- chattr -i, three 4 MiB random patterns (start, middle,
# end) into the prepared region, synced, chattr +i; keeps their sums
pattern_write()
{
	local f=$MNT/big size off
	size=$(stat -c %s "$f")
	chattr -i "$f"
	: >"$TMP/pattern.sums"
	for off in 0 $((size / 2)) $((size - 4194304)); do
		head -c 4194304 /dev/urandom >"$TMP/pat"
		dd if="$TMP/pat" of="$f" bs=1M seek=$((off / 1048576)) \
			conv=notrunc,fsync status=none
		echo "$off $(sha256sum <"$TMP/pat" | cut -d' ' -f1)" >>"$TMP/pattern.sums"
	done
	rm -f "$TMP/pat"
	chattr +i "$f"
}

# pattern_check -- the three patterns are where they were written
pattern_check()
{
	local off sum got
	while read -r off sum; do
		got=$(dd if="$MNT/big" bs=1M skip=$((off / 1048576)) count=4 \
			status=none | sha256sum | cut -d' ' -f1)
		[ "$got" = "$sum" ] || {
			echo "pattern at $off: $got, want $sum (zeroed or damaged)"
			return 1
		}
	done <"$TMP/pattern.sums"
	echo "3 patterns intact"
}

# prepared_kept -- kill the keeping of a prepared region with data at
# several points; every restart keeps it, data intact
prepared_kept()
{
	local d
	pattern_write
	pattern_check || return 1
	# the debug line of the extent check comes right before the flag is
	# cleared and the file opened for writing: the window of interest
	for d in "log:extents, all written" delay:0.3 \
		"log:extents, all written"; do
		kill_prepare "$d"
		"$PMRD" --prepare -c "$TMP/big.conf" >"$PMR_LOGDIR/prep.out" 2>&1 || {
			cat "$PMR_LOGDIR/prep.out"
			echo "pmrd --prepare after a kill at $d failed"
			return 1
		}
		cat "$PMR_LOGDIR/prep.out"
		if grep -E "preparing|zeroing|zeroed [0-9]" "$PMR_LOGDIR/prep.out" "$(pmr_daemon_log prep)"; then
			echo "a prepared region was prepared again"
			return 1
		fi
		prepared_ok "$MNT/big" before || return 1
		pattern_check || return 1
	done
}

prepare_cases()
{
	if ! pmem_fsdax ext4 "$MNT" >"$PMR_LOGDIR/fsdax.log" 2>&1; then
		pmr_fail prepare-setup "fsdax ext4: $(tail -n 1 "$PMR_LOGDIR/fsdax.log")"
		return 0
	fi
	big_conf >"$TMP/big.conf"
	pmr_case -t 300 prepare-kill-preparing prepare_kill "log:preparing [0-9]+ bytes"
	pmr_case -t 300 prepare-kill-zeroing prepare_kill "log:zeroing [0-9]+%"
	# not a delay: zeroing 768 MiB takes under a second now
	pmr_case -t 300 prepare-kill-twice prepare_kill "log:zeroing [0-9]+%" \
		"log:preparation was interrupted"
	pmr_case -t 300 prepare-kill-late prepare_kill "log:zeroed [0-9]+ bytes"
	pmr_passed || return 0
	pmr_case -t 400 prepared-kept prepared_kept
}

# --- clients and pmrd killed during I/O ----------------------------------

# testing_fs -- the testing region's directory: tmpfs where pmrd can pin
# it (Linux >= 6.5 refuses pins of page-cache files), else ext4 on a loop
# device (page cache, pinnable before 6.5)
testing_fs()
{
	mkdir -p "$TFS"
	if kernel_at_least 6 5; then
		mount -t tmpfs -o size=40m tmpfs "$TFS"
		echo tmpfs
		return 0
	fi
	modprobe -q loop || true
	truncate -s 48M "$TMP/tfs.img"
	mkfs.ext4 -q -F "$TMP/tfs.img"
	pmr_wait_until 10 test -e /dev/loop-control
	pmr_wait_until 20 mount -o loop "$TMP/tfs.img" "$TFS"
	echo "ext4 (page cache, loop device)"
}

# io_conf -- devdax region dev and testing region scratch (32 MiB)
io_conf()
{
	printf '[pmrd]\nlisten = %s:%s\nlog_level = info\nadmin_socket = %s\n' \
		"$IP" "$PORT" "$SOCK"
	printf '[region dev]\npath = %s\n' "$DAX"
	printf '[region scratch]\npath = %s/scratch\nsize = 32M\npersistent = no\n' "$TFS"
}

# pmrd_up NAME -- start pmrd on io.conf as daemon NAME, wait until it serves
pmrd_up()
{
	pmr_daemon_start "$1" "$PMRD" -c "$TMP/io.conf"
	pmr_wait_log "$1" "serving [0-9]+ regions|err:" 120 || true
	grep -q "serving [0-9]* regions" "$(pmr_daemon_log "$1")" || {
		cat "$(pmr_daemon_log "$1")"
		return 1
	}
	rdma_wait_listen "$PORT" 30
}

# acks LOG -- acknowledged records in an ack log so far
acks()
{
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# acks_at_least LOG N -- true once LOG has N acknowledged records
acks_at_least()
{
	[ "$(acks "$1")" -ge "$2" ]
}

# writer NAME ID REGION OFF LEN ARGS... -- an ack-writer as daemon NAME,
# ack log $TMP/NAME.ack
writer()
{
	local name=$1 id=$2 region=$3 off=$4 len=$5
	shift 5
	rm -f "$TMP/$name.ack"
	pmr_daemon_start "$name" "$ACKW" -w "$id" "$@" "$IP" "$region" \
		"$off" "$len" "$TMP/$name.ack"
}

# verify NAME ID MIN WHERE... -- pmr-verify of NAME's ack log (writer ID,
# at least MIN records) over RDMA (WHERE = -H IP REGION) or locally (-l PATH)
verify()
{
	local name=$1 id=$2 min=$3
	shift 3
	"$VERIFY" -w "$id" -m "$min" "$@" "$TMP/$name.ack"
}

# pmrd_pid NAME -- the daemon's pid
pmrd_pid()
{
	cat "$PMR_LOGDIR/$1.pid"
}

# n_clients -- clients pmrctl list-clients shows
n_clients()
{
	"$PMRCTL" -s "$SOCK" list-clients | grep -c -E '^[0-9]+ ' || true
}

# n_fds PID -- pmrd's open fds
n_fds()
{
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l
}

# rdma_counts -- the RDMA core's resource counts on rxe0 (`rdma resource
# show`: pd, cq, qp, cm_id, mr, ctx, ... of every process)
rdma_counts()
{
	rdma resource show | sed -n "s/^[0-9]*: $(rxe_dev): //p" | tr -s ' ' '_'
}

# resources PID -- "clients fds rdma-counts" now
resources()
{
	echo "$(n_clients) $(n_fds "$1") $(rdma_counts)"
}

# resources_are PID WANT -- resources PID is WANT (for polling)
resources_are()
{
	[ "$(resources "$1")" = "$2" ]
}

# client_kill -- SIGKILL a client with big async writes in flight
client_kill()
{
	local pid base a0 rc=0
	pmrd_up main || return 1
	pid=$(pmrd_pid main)
	base=$(resources "$pid")
	echo "baseline (clients, pmrd fds, rdma counts): $base"
	# A: small records (room for ~30000), 4 in flight; B: 1..4 MiB
	# records, 8 in flight
	writer wa 1 dev 0 64M -s 64 -S 4K -d 4
	writer wb 2 dev 64M 448M -s 1M -S 4M -d 8
	pmr_wait_until 120 acks_at_least "$TMP/wb.ack" 10 || {
		cat "$(pmr_daemon_log wb)" "$(pmr_daemon_log wa)"
		return 1
	}
	echo "with both writers: $(resources "$pid")"
	kill -KILL "$(cat "$PMR_LOGDIR/wb.pid")"
	pmr_daemon_wait wb 10 || true
	a0=$(acks "$TMP/wa.ack")
	echo "B killed after $(acks "$TMP/wb.ack") acks; A at $a0"
	# A goes on unaffected: 100 more acknowledged records after the kill
	pmr_wait_until 120 acks_at_least "$TMP/wa.ack" $((a0 + 100)) || {
		cat "$(pmr_daemon_log wa)"
		return 1
	}
	pmr_daemon_stop wa TERM 30 || rc=$?
	cat "$(pmr_daemon_log wa)"
	[ "$rc" = 0 ] || {
		echo "writer A exited $rc"
		return 1
	}
	pmr_daemon_alive main || {
		echo "pmrd died"
		return 1
	}
	verify wa 1 $((a0 + 100)) -H "$IP" dev || return 1
	verify wb 2 10 -H "$IP" dev || return 1
	# everything of the dead client (and of the verifiers) given back
	pmr_wait_until 60 resources_are "$pid" "$base" || {
		echo "resources now: $(resources "$pid"), baseline $base"
		"$PMRCTL" -s "$SOCK" list-clients
		ls -l "/proc/$pid/fd"
		rdma resource show qp
		rdma resource show
		return 1
	}
	echo "back to baseline: $(resources "$pid")"
	pmr_daemon_stop main TERM 30
}

# pmrd_kill_io -- SIGKILL pmrd under three ack-writers; restart; verify
pmrd_kill_io()
{
	local n w
	pmrd_up io1 || return 1
	writer w3 3 dev 512M 128M -s 4K -S 64K -d 4
	writer w4 4 dev 640M 64M -s 64 -S 4K -d 1
	writer w5 5 scratch 0 32M -s 4K -S 64K -d 2
	for w in w3 w4 w5; do
		pmr_wait_until 120 acks_at_least "$TMP/$w.ack" 20 || {
			cat "$(pmr_daemon_log $w)"
			return 1
		}
	done
	kill -KILL "$(pmrd_pid io1)"
	pmr_daemon_wait io1 10 || true
	echo "pmrd killed at $(acks "$TMP/w3.ack") / $(acks "$TMP/w4.ack") / $(acks "$TMP/w5.ack") acks"
	# the writers see the connection go: they must stop by themselves
	for w in w3 w4 w5; do
		if ! pmr_wait_until 90 sh -c "! kill -0 $(cat "$PMR_LOGDIR/$w.pid") 2>/dev/null"; then
			echo "$w still runs 90 s after pmrd died"
			cat "$(pmr_daemon_log $w)"
			return 1
		fi
		pmr_daemon_wait "$w" 5 || true
		tail -n 3 "$(pmr_daemon_log $w)"
	done
	pmrd_up io2 || return 1
	cat "$(pmr_daemon_log io2)"
	if grep -E "scratch: .*(preparing|zeroing|zeroed)" "$(pmr_daemon_log io2)"; then
		echo "the testing region was prepared again after a kill"
		return 1
	fi
	# prepare.c: a testing region is sealed at close, so a kill leaves the
	# flag clear -- the keep case, with its notice
	pmr_wait_log io2 "scratch: .*prepared but not immutable.*data kept" 1 || {
		echo "no 'prepared but not immutable ... data kept' notice for scratch"
		return 1
	}
	for n in 3 4 5; do
		w=dev
		[ "$n" != 5 ] || w=scratch
		verify "w$n" "$n" 20 -H "$IP" "$w" || return 1
	done
	pmr_daemon_stop io2 TERM 30 || {
		echo "pmrd did not stop cleanly"
		return 1
	}
	verify w3 3 20 -l "$DAX" || return 1
	verify w4 4 20 -l "$DAX" || return 1
	verify w5 5 20 -l "$TFS/scratch"
}

io_cases()
{
	local tfs
	if ! DAX=$(pmem_devdax 2>"$PMR_LOGDIR/devdax.log"); then
		pmr_fail io-setup "devdax: $(tail -n 1 "$PMR_LOGDIR/devdax.log")"
		return 0
	fi
	tfs=$(testing_fs)
	pmr_say "testing region on $tfs: 'persisted' there means it survives pmrd's death (the kernel keeps the pages), not a power cut"
	io_conf >"$TMP/io.conf"
	pmr_case -t 400 client-kill client_kill
	pmr_daemon_stop main KILL 5 || true
	pmr_case -t 400 pmrd-kill-io pmrd_kill_io
}

prepare_cases
pmem_release
io_cases
