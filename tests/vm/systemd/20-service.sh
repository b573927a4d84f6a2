#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 20-service.sh -- pmrd.service as the packages ship it, under systemd as
# PID 1 (the systemd boot: tests/vm/sdboot installed pmrd, pmrctl and
# libpmr1 into an overlay of the trixie root):
#   - systemd is PID 1;
#   - the unit is installed disabled and not started, the group pmrd
#     exists; its systemd-analyze security exposure is at most 3.0;
#   - `systemctl start pmrd` reaches active (Type=notify: READY=1, STATUS=)
#     with a devdax region; a libpmr client writes, persists and reads back;
#   - pmrctl list-regions works for a member of the group pmrd and is
#     refused to another user (the admin socket's directory and mode);
#   - `systemctl reload pmrd` adds an fsdax region, on a file system whose
#     directory only a ReadWritePaths= drop-in makes writable, while a
#     client works on without an error;
#   - `systemctl stop` with a client connected: exit status 0 within
#     TimeoutStopSec; a start from cold serves both regions with their data;
#   - kill -9 of the main process: Restart=on-failure brings it back, the
#     same data is served;
#   - the journal holds pmrd's lines at their priorities (notice, info,
#     warning, err: pmrd's "<N>" prefixes, common/log.c).
# Every case runs under the unit's hardening (DevicePolicy, SystemCallFilter,
# ...): a setting too strict for pmrd fails the start, and with it the rest.
# pmr-timeout: 900
set -eu
. "$PMR_LIB"

DPT=$(pmr_need_bin pmr_dptest)
OPSC=$(pmr_need_bin pmr-ops-client)
IP=$(rxe_ip)
UNIT=/lib/systemd/system/pmrd.service
CONF=/etc/pmrd/pmrd.conf
FSMNT=/srv/pmr-fsdax
DROPIN=/etc/systemd/system/pmrd.service.d/fsdax.conf
MEMBER=pmr-member
OTHER=pmr-other
DAX=
MB=1048576

# at exit: the journal into the log dir, pmrd stopped, the fsdax unmounted
trap 'journalctl -b -u pmrd --no-pager -o short-precise >"$PMR_LOGDIR/journal.log" 2>&1
	systemctl stop pmrd 2>/dev/null; pmr_teardown "$FSMNT"' EXIT

# prop NAME -- a property of pmrd.service
prop()
{
	systemctl show -P "$1" pmrd
}

# write_conf [fs0] -- $CONF: the devdax region dev; with fs0 also the
# fsdax file region fs0 (16 MiB, prepared by pmrd in $FSMNT)
write_conf()
{
	mkdir -p "${CONF%/*}"
	{
		printf '[pmrd]\nlisten = %s:7471\nlog_level = info\n' "$IP"
		printf 'state_dir = /var/lib/pmrd\n'
		printf '[region dev]\npath = %s\n' "$DAX"
		[ "${1:-}" != fs0 ] || printf '[region fs0]\npath = %s/fs0\nsize = 16M\n' "$FSMNT"
	} >"$CONF"
}

# setup -- devdax on namespace0.0, ext4 -o dax on namespace1.0 at $FSMNT
# (outside the unit's own ReadWritePaths: the drop-in adds it), the users
setup()
{
	DAX=$(pmem_devdax) || return 1
	PMR_PMEM_NS=$(pmem_ns2) || return 1
	PMR_PMEM_NS=$PMR_PMEM_NS pmem_fsdax ext4 "$FSMNT" || return 1
	id "$MEMBER" >/dev/null 2>&1 || useradd -M -G pmrd "$MEMBER" || return 1
	id "$OTHER" >/dev/null 2>&1 || useradd -M "$OTHER" || return 1
	mkdir -p "${DROPIN%/*}"
	printf '[Service]\nReadWritePaths=%s\n' "$FSMNT" >"$DROPIN"
	systemctl daemon-reload || return 1
	echo "devdax $DAX, fsdax $FSMNT; $(id "$MEMBER"); $(id "$OTHER")"
}

# package -- installed, disabled, not running; the group exists
package()
{
	dpkg-query -W pmrd pmrctl libpmr1
	getent group pmrd
	[ "$(systemctl is-enabled pmrd || true)" = disabled ]
	[ "$(prop ActiveState)" = inactive ]
	systemctl cat pmrd
}

# exposure -- systemd-analyze security of the unit as shipped: <= 3.0
exposure()
{
	local out score
	out=$(systemd-analyze security --offline=true "$UNIT" 2>&1) || true
	echo "$out"
	score=$(sed -n 's/.*Overall exposure level for pmrd.service: \([0-9.]*\).*/\1/p' <<<"$out")
	echo "exposure: ${score:-?} (at most 3.0)"
	awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 3.0) }'
}

# active N -- active, READY=1 seen (STATUS= says it serves N regions)
active()
{
	systemctl status pmrd --no-pager || true
	[ "$(prop ActiveState)" = active ] &&
		[ "$(prop SubState)" = running ] &&
		prop StatusText | grep -E "^serving $1 regions on "
}

# start_devdax -- systemctl start with the devdax region; returns only
# once pmrd sent READY=1 (Type=notify)
start_devdax()
{
	write_conf
	systemctl start pmrd
	active 1
}

# client_rw -- a libpmr client writes and persists 1 MiB, another reads
# it back
client_rw()
{
	"$DPT" "$IP" fill dev 11 $((16 * MB)) "$MB"
	"$DPT" "$IP" check dev 11 $((16 * MB)) "$MB"
}

# as USER CMD... -- CMD as USER with USER's groups
as()
{
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups "$@"
}

# ctl_member -- a member of the group pmrd lists the regions
ctl_member()
{
	ls -ld /run/pmrd /run/pmrd/pmrd.sock
	as "$MEMBER" pmrctl list-regions | tee "$PMR_LOGDIR/list.out"
	grep -E '^dev ' "$PMR_LOGDIR/list.out"
}

# ctl_other -- anyone else is refused
ctl_other()
{
	local out
	if out=$(as "$OTHER" pmrctl list-regions 2>&1); then
		echo "$OTHER (not in group pmrd) listed the regions: $out"
		return 1
	fi
	echo "refused: $out"
	grep -i 'permission denied' <<<"$out"
}

# journal_has REGEX -- pmrd's journal of this boot matches REGEX
journal_has()
{
	journalctl -b -u pmrd --no-pager -o cat | grep -q -E -- "$1"
}

# ops_count NAME -- the last "ops N" of a pmr-ops-client's log
ops_count()
{
	sed -n 's/^ops \([0-9]*\).*/\1/p' "$(pmr_daemon_log "$1")" | tail -n 1
}

# gt A CMD... -- CMD prints a number greater than A
gt()
{
	local a=$1 b
	shift
	b=$("$@")
	[ "${b:-0}" -gt "$a" ]
}

# reload_add -- while a client works on dev: the fsdax region fs0 added
# by systemctl reload; the client never sees an error (exit 0 after its
# 30 s), fs0 takes a write and reads it back
reload_add()
{
	local before rc=0
	pmr_daemon_start ops "$OPSC" "$IP" dev 30
	pmr_wait_log ops "^open" 60 || return 1
	write_conf fs0
	systemctl reload pmrd
	pmr_wait_until 240 journal_has "reload: 1 added, 0 removed" || return 1
	journalctl -b -u pmrd --no-pager -o cat | tail -n 20
	active 2 || return 1
	"$DPT" "$IP" fill fs0 12 0 "$MB"
	"$DPT" "$IP" check fs0 12 0 "$MB"
	before=$(ops_count ops)
	pmr_wait_until 30 gt "${before:-0}" ops_count ops || return 1
	pmr_daemon_wait ops 120 || rc=$?
	cat "$(pmr_daemon_log ops)"
	[ "$rc" = 0 ]
}

# stop -- systemctl stop with a client connected: exit status 0, within
# TimeoutStopSec
stop()
{
	local t0 secs limit
	pmr_daemon_start ops2 "$OPSC" "$IP" dev 300
	pmr_wait_log ops2 "^open" 60 || return 1
	t0=$SECONDS
	systemctl stop pmrd
	secs=$((SECONDS - t0))
	limit=$(prop TimeoutStopUSec)
	echo "stopped in ${secs}s (TimeoutStopSec $limit); result $(prop Result), status $(prop ExecMainStatus)"
	[ "$(prop ActiveState)" = inactive ] &&
		[ "$(prop Result)" = success ] &&
		[ "$(prop ExecMainStatus)" = 0 ] &&
		[ "$limit" = 30s ] && [ "$secs" -lt 30 ] || return 1
	# the client was told and ended (3: the connection went away)
	pmr_daemon_wait ops2 30 || [ $? = 3 ]
}

# start_both -- from cold, with the drop-in: both regions served, the
# data written before is there
start_both()
{
	systemctl start pmrd
	active 2
	"$DPT" "$IP" check dev 11 $((16 * MB)) "$MB"
	"$DPT" "$IP" check fs0 12 0 "$MB"
}

# restarted PID N -- a new main process, active, more than N restarts
restarted()
{
	local pid
	pid=$(prop MainPID)
	[ "$pid" != 0 ] && [ "$pid" != "$1" ] &&
		[ "$(prop NRestarts)" -gt "$2" ] &&
		[ "$(prop ActiveState)" = active ]
}

# kill9 -- SIGKILL of the main process: restarted (Restart=on-failure,
# RestartSec=5s), serving the same data
kill9()
{
	local pid n
	pid=$(prop MainPID)
	n=$(prop NRestarts)
	echo "main pid $pid, $n restarts; kill -9"
	kill -KILL "$pid"
	pmr_wait_until 180 restarted "$pid" "$n" || return 1
	echo "main pid $(prop MainPID), $(prop NRestarts) restarts"
	active 2
	"$DPT" "$IP" check dev 11 $((16 * MB)) "$MB"
	"$DPT" "$IP" check fs0 12 0 "$MB"
}

# journal_levels -- a reload asking for a restart (warning) and one with
# a bad file (err); then pmrd's lines, with their priorities, in the
# journal: "<N>" parsed, never left in the text
journal_levels()
{
	cp "$CONF" "$CONF.good"
	sed -i 's/^log_level = info/log_level = debug/' "$CONF"
	systemctl reload pmrd
	pmr_wait_until 60 journal_has "reload: log_level changed: needs a restart" || return 1
	echo "colour = blue" >>"$CONF"
	systemctl reload pmrd
	pmr_wait_until 60 journal_has "errors above; nothing changed" || return 1
	cp "$CONF.good" "$CONF"
	journalctl -b -u pmrd --no-pager -o json >"$PMR_LOGDIR/journal.json"
	python3 - "$PMR_LOGDIR/journal.json" <<-'EOF'
		import json, re, sys
		want = [(r"^serving \d+ regions on ", 5),
		    (r"ODP self-test: ", 6),
		    (r"^reload: region fs0 added", 5),
		    (r"^reload: log_level changed: needs a restart", 4),
		    (r"^reload: .*errors above; nothing changed", 3),
		    (r"^stopped$", 5)]
		seen = {}
		bad = 0
		for l in open(sys.argv[1]):
		    e = json.loads(l)
		    m = e.get("MESSAGE")
		    if not isinstance(m, str) or e.get("_COMM") != "pmrd":
		        continue
		    if re.match(r"<\d>", m):
		        print("prefix left in the text:", m)
		        bad = 1
		    for rx, p in want:
		        if re.search(rx, m):
		            seen.setdefault(rx, set()).add(int(e["PRIORITY"]))
		for rx, p in want:
		    got = seen.get(rx)
		    print(f"{rx!r}: want priority {p}, journal has {sorted(got) if got else 'no such line'}")
		    if got != {p}:
		        bad = 1
		sys.exit(bad)
	EOF
}

# pid1 -- systemd is PID 1 (the initramfs switched to it: vminit=systemd)
pid1()
{
	echo "PID 1: $(cat /proc/1/comm), $(systemctl --version | head -n 1)"
	[ "$(cat /proc/1/comm)" = systemd ] && [ -d /run/systemd/system ]
	systemctl is-system-running || true
}

pmr_case pid1-systemd pid1
if ! pmr_passed; then
	exit 1
fi
if ! pmr_inline_case setup setup; then
	exit 1
fi
pmr_case package package
pmr_case security-exposure exposure
pmr_case -t 300 start-devdax start_devdax
if ! pmr_passed; then
	pmr_fail rest "pmrd.service did not start: the cases after it need it"
	exit 1
fi
pmr_case client-write-persist-read client_rw
pmr_case pmrctl-group-member ctl_member
pmr_case pmrctl-other-user-refused ctl_other
pmr_case -t 400 reload-adds-fsdax-region reload_add
pmr_case -t 120 stop-status-0 stop
pmr_case -t 300 start-devdax-fsdax-dropin start_both
pmr_case -t 300 kill9-restart-same-data kill9
pmr_case -t 120 journal-priorities journal_levels
