#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 82-reconnect.sh -- pmr_conn_reconnect (issue 17 item 4) with
# tests/tools/pmr-reconnect against two testing regions (8 MiB each, keys
# = mr-per-client so that exclusive opens work, a state_dir for the
# generations):
#   - restarts: a writer streams records (write + persist, an ack log)
#     into r0; pmrd is stopped with SIGTERM and started again, twice,
#     while it runs; the writer drains its completions, reconnects and
#     goes on each time (two "reconnected" lines, more records
#     acknowledged after each), stops cleanly on SIGTERM, and pmr-verify
#     finds every acknowledged record intact over RDMA;
#   - excl-resume: an exclusive writer (PMR_OPEN_EXCL) on r1 across one
#     restart comes back at the generation it held;
#   - excl-fenced: the same writer, held back from reconnecting (its pause
#     file) across another restart while a second client opens r1 with
#     PMR_OPEN_TAKEOVER (a larger generation) and writes; released, its
#     reconnect returns PMR_E_FENCED (exit 3, "fenced"); the records both
#     acknowledged verify.
# About 30-50 s under TCG (five pmrd starts).
# pmr-timeout: 120
set -eu
. "$PMR_LIB"

RECON=$(pmr_need_bin pmr-reconnect)
VERIFY=$(pmr_need_bin pmr-verify)
IP=$(rxe_ip)
PORT=7482
TMP=/run/pmr-reconnect
TFS=$TMP/tfs
STATE=$TMP/state
CONF=$PMR_LOGDIR/pmrd-reconnect.conf
N=0 # pmrd starts so far: daemon names pmrd1, pmrd2, ...

# cleanup -- stop the daemons before unsealing their files
cleanup()
{
	pmr_cleanup
	sleep 1
	pmr_unseal "$TFS"
	pmr_umount "$TFS"
	mountpoint -q "$TMP" 2>/dev/null && umount -l "$TMP"
	return 0
}
trap cleanup EXIT

# setup -- the testing file system, the state directory, pmrd.conf
setup()
{
	mkdir -p "$TMP"
	mountpoint -q "$TMP" || mount -t tmpfs -o size=64m tmpfs "$TMP" || return 1
	mkdir -p "$STATE"
	pmr_testing_fs "$TFS" 24m "$TMP/tfs.img" || return 1
	{
		printf '[pmrd]\nlisten = %s:%s\nlog_level = info\n' "$IP" "$PORT"
		printf 'state_dir = %s\nkeys = mr-per-client\n' "$STATE"
		printf '[region r0]\npath = %s/r0\nsize = 8M\npersistent = no\n' "$TFS"
		printf '[region r1]\npath = %s/r1\nsize = 8M\npersistent = no\n' "$TFS"
	} >"$CONF"
	cat "$CONF"
}

# pmrd_up -- start pmrd as the next pmrdN, wait until it serves
pmrd_up()
{
	N=$((N + 1))
	pmr_pmrd_start "pmrd$N" "$CONF" 60 || return 1
	rdma_wait_listen "$PORT" 30
}

# pmrd_restart -- SIGTERM the running pmrd (exit 0), start the next one
pmrd_restart()
{
	pmr_daemon_stop "pmrd$N" TERM 30 || {
		echo "pmrd$N did not stop cleanly"
		cat "$(pmr_daemon_log "pmrd$N")"
		return 1
	}
	pmrd_up
}

# writer NAME ID REGION OFF LEN ARGS... -- pmr-reconnect as daemon NAME,
# ack log $TMP/NAME.ack
writer()
{
	local name=$1 id=$2 region=$3 off=$4 len=$5
	shift 5
	rm -f "$TMP/$name.ack"
	pmr_daemon_start "$name" "$RECON" -p "$PORT" -w "$id" "$@" "$IP" \
		"$region" "$off" "$len" "$TMP/$name.ack"
}

# acks NAME -- records NAME acknowledged so far
acks()
{
	if [ -f "$TMP/$1.ack" ]; then wc -l <"$TMP/$1.ack"; else echo 0; fi
}

# acks_at_least NAME N -- true once NAME acknowledged N records
acks_at_least()
{
	[ "$(acks "$1")" -ge "$2" ]
}

# more_acks NAME N -- wait until NAME acknowledged N more records than now
more_acks()
{
	local want=$(($(acks "$1") + $2))
	pmr_wait_until 30 acks_at_least "$1" "$want" || {
		cat "$(pmr_daemon_log "$1")"
		return 1
	}
}

# reconnects NAME -- "reconnected" lines in NAME's log
reconnects()
{
	grep -c '^reconnected ' "$(pmr_daemon_log "$1")" || true
}

# reconnects_at_least NAME N -- true once NAME reconnected N times
reconnects_at_least()
{
	[ "$(reconnects "$1")" -ge "$2" ]
}

# drained_at_least NAME N -- true once NAME collected its completions
# after N losses
drained_at_least()
{
	[ "$(grep -c '^drained' "$(pmr_daemon_log "$1")" || true)" -ge "$2" ]
}

# generation_of NAME -- the generation NAME's open printed
generation_of()
{
	sed -n 's/^generation \([0-9][0-9]*\)$/\1/p' "$(pmr_daemon_log "$1")" |
		head -n 1
}

# verify NAME ID REGION MIN -- pmr-verify of NAME's ack log over RDMA
verify()
{
	"$VERIFY" -w "$2" -m "$4" -H "$IP" -p "$PORT" "$3" "$TMP/$1.ack"
}

# restarts -- a writer across two SIGTERM + start of pmrd
restarts()
{
	local r rc=0
	writer w1 1 r0 0 8M -s 4K -d 4 -i 10000
	more_acks w1 50 || return 1
	for r in 1 2; do
		pmrd_restart || return 1
		pmr_wait_until 40 reconnects_at_least w1 "$r" || {
			echo "no reconnect $r"
			cat "$(pmr_daemon_log w1)"
			return 1
		}
		more_acks w1 50 || return 1
	done
	pmr_daemon_stop w1 TERM 30 || rc=$?
	cat "$(pmr_daemon_log w1)"
	[ "$rc" = 0 ] || {
		echo "writer exited $rc"
		return 1
	}
	grep -Eq ' [0-9]+ reconnects, stopped by signal$' \
		"$(pmr_daemon_log w1)" || return 1
	[ "$(reconnects w1)" -ge 2 ] || {
		echo "$(reconnects w1) reconnects, want 2"
		return 1
	}
	verify w1 1 r0 150
}

# excl_resume -- an exclusive writer resumes at its generation
excl_resume()
{
	local gen
	rm -f "$TMP/pause"
	writer wx 3 r1 0 4M -s 4K -d 2 -i 5000 -x -P "$TMP/pause"
	more_acks wx 20 || return 1
	gen=$(generation_of wx)
	echo "generation $gen"
	[ -n "$gen" ] && [ "$gen" -ge 1 ] || return 1
	pmrd_restart || return 1
	pmr_wait_until 40 reconnects_at_least wx 1 || {
		cat "$(pmr_daemon_log wx)"
		return 1
	}
	grep -qx "reconnected 1 generation $gen" "$(pmr_daemon_log wx)" || {
		echo "not resumed at generation $gen"
		cat "$(pmr_daemon_log wx)"
		return 1
	}
	more_acks wx 20
}

# excl_fenced -- a takeover while the exclusive writer is away fences it
excl_fenced()
{
	local gen g2 rc=0
	gen=$(generation_of wx)
	touch "$TMP/pause"
	pmrd_restart || return 1
	# it saw the loss (its second) and waits for the pause file to go
	pmr_wait_until 20 drained_at_least wx 2 || {
		cat "$(pmr_daemon_log wx)"
		return 1
	}
	rm -f "$TMP/wt.ack"
	"$RECON" -p "$PORT" -w 4 -s 4K -n 20 -T "$IP" r1 4M 4M \
		"$TMP/wt.ack" >"$PMR_LOGDIR/wt.log" 2>&1 || rc=$?
	cat "$PMR_LOGDIR/wt.log"
	[ "$rc" = 0 ] || {
		echo "takeover client exited $rc"
		return 1
	}
	g2=$(sed -n 's/^generation \([0-9][0-9]*\)$/\1/p' "$PMR_LOGDIR/wt.log")
	echo "holder's generation $gen, takeover's $g2"
	[ -n "$g2" ] && [ "$g2" -gt "$gen" ] || return 1
	rm -f "$TMP/pause"
	rc=0
	pmr_daemon_wait wx 40 || rc=$?
	cat "$(pmr_daemon_log wx)"
	[ "$rc" = 3 ] || {
		echo "holder exited $rc, want 3 (PMR_E_FENCED)"
		return 1
	}
	grep -q '^fenced' "$(pmr_daemon_log wx)" || return 1
	verify wx 3 r1 40 || return 1
	verify wt 4 r1 20
}

pmr_inline_case reconnect-setup setup || exit 0
pmr_inline_case reconnect-pmrd-start pmrd_up || exit 0
pmr_inline_case reconnect-restarts restarts || true
if pmr_inline_case reconnect-excl-resume excl_resume; then
	pmr_inline_case reconnect-excl-fenced excl_fenced || true
else
	pmr_skip reconnect-excl-fenced "needs reconnect-excl-resume's writer"
fi
pmr_daemon_stop wx KILL 1 || true
pmr_inline_case reconnect-pmrd-stop pmr_daemon_term "pmrd$N" 30 || true
