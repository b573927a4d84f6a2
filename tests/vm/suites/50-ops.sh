#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 50-ops.sh -- operating pmrd: the admin socket and pmrctl, sd_notify,
# shutdown with clients connected.
#   - pmrd runs under pmr-notify-listen (systemd's side of sd_notify):
#     STATUS= per region while preparing, READY=1 once serving, STOPPING=1;
#   - pmrctl list-regions (table, and -j parsed back with every field),
#     list-clients while a libpmr client and a raw client are connected
#     (open counts, addresses, region names), status, -H over RDMA;
#   - bad admin requests are answered with an error and the daemon carries
#     on; pmrctl's exit codes;
#   - SIGTERM with clients connected: exit 0, clients told, the data written
#     and persisted before is there after a restart.
# pmr-timeout: 900
set -eu
. "$PMR_LIB"

PMRD=$(pmr_need_bin pmrd)
PMRCTL=$(pmr_need_bin pmrctl)
LISTEN=$(pmr_need_bin pmr-notify-listen)
OPSC=$(pmr_need_bin pmr-ops-client)
DPT=$(pmr_need_bin pmr_dptest)
RAW=$(pmr_need_bin pmr-rawclient)
IP=$(rxe_ip)
PORT=7471
TMP=/run/pmr-ops
TFS=$TMP/tfs
SOCK=$TMP/admin/pmrd.sock
PY=python3
command -v python3 >/dev/null || PY=

if kernel_at_least 6 15; then ODP=yes; else ODP=no; fi
HAVE_FLUSH=$("$RAW" - - features | sed -n 's/^flush: //p')
if [ "$HAVE_FLUSH" = yes ] && kernel_at_least 6 2; then FLUSH=yes; else FLUSH=no; fi
T_MR= # set after setup, from where the testing regions live

# at exit: kill what still runs, unseal, unmount
trap 'pmr_teardown "$TFS" "$TMP"' EXIT

# tmpfs_works -- can this pmrd prepare a testing region on tmpfs?
tmpfs_works()
{
	cat >"$TMP/probe.conf" <<-EOF
		[pmrd]
		listen = $IP:$PORT
		[region probe]
		path = $TFS/probe
		size = 64K
		persistent = no
	EOF
	"$PMRD" --prepare -c "$TMP/probe.conf"
	local rc=$?
	chattr -i "$TFS/probe" 2>/dev/null
	rm -f "$TFS/probe"
	return "$rc"
}

# setup -- devdax, and the testing regions' file system: page cache
# (ext4 on a loop device) before Linux 6.5; from 6.5 on, which refuses
# long-term pins of page-cache files, tmpfs where pmrd can prepare on it
# (pinned), else the ext4 again (ODP)
setup()
{
	mkdir -p "$TMP"
	mountpoint -q "$TMP" || mount -t tmpfs -o size=64m tmpfs "$TMP"
	mkdir -p "$TFS"
	pmem_devdax
	if kernel_at_least 6 5; then
		mount -t tmpfs -o size=32m tmpfs "$TFS"
		tmpfs_works && return 0
		umount "$TFS"
	fi
	pmr_loop_ext4 "$TMP/tfs.img" 32M "$TFS"
}

# write_conf -- devdax rw (dev), testing rw (scratch), testing ro (rotest)
write_conf()
{
	pmr_write_conf "$TMP/pmrd.conf" "$IP:$PORT" "$DAX" "$TFS" \
		"admin_socket = $SOCK"
}

# start NAME -- pmrd under the notify listener; wait for READY=1
start()
{
	pmr_daemon_start "$1" "$LISTEN" -t 550 "$TMP/notify.$1" \
		"$PMRD" -c "$TMP/pmrd.conf"
	pmr_daemon_ready "$1" "notify: READY=1" "notify-listen: exit" 120
}

# notify_start -- what systemd would have seen while pmrd started
notify_start()
{
	pmr_log_has main "notify: STATUS=preparing region dev \(1 of 3\)"
	pmr_log_has main "notify: STATUS=preparing region rotest \(3 of 3\)"
	pmr_log_has main "notify: STATUS=registering 3 region\(s\)"
	pmr_log_has main "notify: STATUS=serving 3 regions on $IP:$PORT"
	# READY=1 comes after the listener and the admin socket are up
	[ -S "$SOCK" ] || {
		echo "no admin socket at $SOCK"
		return 1
	}
	[ "$(stat -c %a "$SOCK")" = 660 ] || {
		echo "admin socket mode $(stat -c %a "$SOCK"), not 660"
		return 1
	}
}

ctl()
{
	"$PMRCTL" -s "$SOCK" "$@"
}

# regions_table -- the human table: a header and one row per region
regions_table()
{
	local out m=server KEYS='(mw2|mr-per-client|shared-mr)'
	local AW='(native|server)'
	[ "$FLUSH" = yes ] && m=server,flush
	out=$(ctl list-regions)
	echo "$out"
	echo "$out" | head -n 1 | grep -q "^NAME .*KIND .*SIZE .*MR .*KEYS .*PERSIST .*AWRITE .*OPEN .*GEN .*EXCL .*PATH"
	[ "$(echo "$out" | wc -l)" = 4 ]
	echo "$out" | grep -E "^dev +devdax +[0-9]+[KMG] +pinned +rw +$KEYS +- +[a-z-]+ +$m +$AW +0 +serving +0 +- +$DAX\$"
	echo "$out" | grep -E "^scratch +testing +4M +$T_MR +rw +$KEYS +- +page +server +$AW +0 +serving +0 +- +$TFS/scratch\$"
	echo "$out" | grep -E "^rotest +testing +1M +pinned +ro +$KEYS +- +page +server +none +0 +serving +0 +- +$TFS/rotest\$"
	ctl -v list-regions | grep -q "prepared now"
}

# py SCRIPT -- python3 on stdin's JSON (skips the checks without python3)
py()
{
	[ -n "$PY" ] || {
		echo "no python3: JSON not parsed back"
		return 0
	}
	"$PY" -c "$1"
}

# regions_json -- -j parsed back: every field, the right values
regions_json()
{
	local j
	j=$(ctl -j list-regions)
	echo "$j"
	echo "$j" | py "
import json, sys
d = json.load(sys.stdin)
assert d['ok'] is True, d
fields = {'name': str, 'path': str, 'size': int, 'kind': str,
          'registration': str, 'access': str, 'remote_write': bool,
          'granularity': str, 'persist_methods': list, 'open_count': int,
          'bytes_prepared': int, 'prepared': str, 'state': str,
          'persistent': bool, 'registration_ms': (int, float)}
r = {x['name']: x for x in d['regions']}
assert sorted(r) == ['dev', 'rotest', 'scratch'], sorted(r)
for x in d['regions']:
    for k, t in fields.items():
        assert k in x and isinstance(x[k], t), (x['name'], k, x.get(k))
    assert x['open_count'] == 0 and x['state'] == 'serving', x
    # the GEN and EXCL columns: never held, nobody holding
    assert x['generation'] == 0 and x['exclusive_holder'] is None, x
    assert 'exclusive_generation' not in x, x
    assert 'generation_error' not in x, x
    assert x['bytes_prepared'] == x['size'], x
    assert 'server' in x['persist_methods'], x
dev, s, ro = r['dev'], r['scratch'], r['rotest']
assert dev['kind'] == 'devdax' and dev['registration'] == 'pinned', dev
assert dev['path'] == '$DAX' and dev['prepared'] == 'device', dev
assert ('flush' in dev['persist_methods']) == ('$FLUSH' == 'yes'), dev
assert s['kind'] == 'testing' and s['size'] == 4 << 20, s
assert s['registration'] == '$T_MR' and s['prepared'] == 'now', s
assert s['persistent'] is False and s['granularity'] == 'page', s
assert ro['access'] == 'ro' and ro['remote_write'] is False, ro
assert s['access'] == 'rw' and s['remote_write'] is True, s
print('list-regions -j: OK')
"
}

# status -- table and JSON
status()
{
	local out j
	out=$(ctl status)
	echo "$out"
	echo "$out" | grep -q "^device: *rxe0"
	echo "$out" | grep -q "^listen: *$IP:$PORT"
	echo "$out" | grep -q "^regions: *3"
	j=$(ctl -j status)
	echo "$j"
	echo "$j" | py "
import json, sys
d = json.load(sys.stdin)
assert d['ok'] and d['device'] == 'rxe0' and d['listen'] == '$IP:$PORT', d
assert d['regions'] == 3 and d['state'] == 'serving' and d['uptime_s'] >= 0, d
assert d['config'] == '$TMP/pmrd.conf' and d['version'], d
"
}

# start_clients -- a libpmr client working on scratch and a raw client that
# opens nothing (pmr_inline_case: their exit status matters at SIGTERM)
start_clients()
{
	pmr_daemon_start ops "$OPSC" "$IP" scratch 400
	pmr_daemon_start hold "$RAW" "$IP" "$PORT" hold 400
	pmr_wait_log ops "^open" 60 && pmr_wait_log hold "connected" 60
}

# clients_connected -- list-clients shows both, list-regions the open count
clients_connected()
{
	local out j
	out=$(ctl list-clients)
	echo "$out"
	echo "$out" | head -n 1 | grep -q "^ID .*ADDRESS .*STATE .*SINCE .*OPEN .*REGIONS"
	echo "$out" | grep -E "^[0-9]+ +$IP:[0-9]+ +established +[0-9T:-]+Z +1 +scratch\$"
	echo "$out" | grep -E "^[0-9]+ +$IP:[0-9]+ +established +[0-9T:-]+Z +0 +-\$"
	ctl list-regions | grep -E "^scratch .* 1 +serving "
	j=$(ctl -j list-clients)
	echo "$j"
	echo "$j" | py "
import json, sys, time
d = json.load(sys.stdin)
c = d['clients']
assert d['ok'] and len(c) == 2, d
assert c[0]['id'] < c[1]['id'], c
for x in c:
    for k in ('id', 'address', 'state', 'since', 'since_iso', 'regions_open',
              'regions', 'credits', 'requests', 'bad_requests'):
        assert k in x, (k, x)
    assert x['address'].startswith('$IP:'), x
    assert abs(x['since'] - time.time()) < 600, x
# the two clients connect in either order
w = [x for x in c if x['regions_open'] == 1]
i = [x for x in c if x['regions_open'] == 0]
assert len(w) == 1 and w[0]['regions'] == ['scratch'], c
assert len(i) == 1 and i[0]['regions'] == [], c
"
	ctl -j list-regions | py "
import json, sys
r = {x['name']: x for x in json.load(sys.stdin)['regions']}
assert r['scratch']['open_count'] == 1 and r['dev']['open_count'] == 0, r
"
	grep -q "^ops [0-9]" "$(pmr_daemon_log ops)" ||
		pmr_wait_log ops "^ops [0-9]" 30
}

# bad_requests -- answered with an error; the daemon and the connection go on
bad_requests()
{
	[ -n "$PY" ] || {
		echo "no python3"
		return 0
	}
	"$PY" - "$SOCK" <<-'EOF'
		import json, socket, sys
		def conn():
		    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		    s.settimeout(10)
		    s.connect(sys.argv[1])
		    return s, s.makefile('rb')
		s, f = conn()
		def ask(line):
		    s.sendall(line)
		    a = json.loads(f.readline())
		    print(line[:40], '->', a)
		    return a
		a = ask(b'bogus\n')
		assert a['ok'] is False and a['errno'] == 95, a
		a = ask(b'st\x01tus\n')
		assert a['ok'] is False and a['errno'] == 22, a
		a = ask(b'status now\n')
		assert a['ok'] is False and a['errno'] == 22, a
		a = ask(b'\n')
		assert a['ok'] is False, a
		# the same connection still works; two requests in one write
		s.sendall(b'status\nlist-regions\n')
		a, b = json.loads(f.readline()), json.loads(f.readline())
		assert a['ok'] and 'version' in a and b['ok'] and 'regions' in b
		# an over-long line: answered (E2BIG), the rest of it dropped
		s.sendall(b'x' * 4000 + b'\nstatus\n')
		a = json.loads(f.readline())
		assert a['ok'] is False and a['errno'] == 7, a
		a = json.loads(f.readline())
		assert a['ok'] and 'version' in a, a
		s.close()
		# a peer that sends half a line and goes away
		s, f = conn()
		s.sendall(b'list-re')
		s.close()
		s, f = conn()
		print(ask(b'status\n')['state'])
	EOF
	pmr_daemon_alive main
	ctl status >/dev/null
}

# exit_codes -- pmrctl's documented exit statuses
exit_codes()
{
	local rc
	rc=0; "$PMRCTL" -s "$TMP/nothing.sock" status || rc=$?
	[ "$rc" = 3 ] || { echo "no daemon: exit $rc, not 3"; return 1; }
	rc=0; ctl frobnicate || rc=$?
	[ "$rc" = 2 ] || { echo "bad command: exit $rc, not 2"; return 1; }
	rc=0; "$PMRCTL" -H "$IP" status || rc=$?
	[ "$rc" = 2 ] || { echo "status with -H: exit $rc, not 2"; return 1; }
	rc=0; "$PMRCTL" -H 10.77.0.99 -t 2000 list-regions || rc=$?
	[ "$rc" = 1 ] || { echo "-H to nobody: exit $rc, not 1"; return 1; }
	"$PMRCTL" --help | grep -q "^Usage: pmrctl"
}

# remote_list -- -H lists over RDMA with libpmr: the same regions
remote_list()
{
	local out
	out=$("$PMRCTL" -H "$IP:$PORT" list-regions)
	echo "$out"
	echo "$out" | grep -E "^dev +devdax "
	echo "$out" | grep -E "^scratch +testing +4M +rw +page +server +(native|server)\$"
	echo "$out" | grep -E "^rotest +testing +1M +ro "
	"$PMRCTL" -H "$IP" -j list-regions | py "
import json, sys
d = json.load(sys.stdin)
assert sorted(x['name'] for x in d['regions']) == ['dev', 'rotest', 'scratch'], d
assert d['total'] == 3
# the wire carries no generation or holder (pmrctl(8))
assert not any('generation' in x or 'exclusive_holder' in x
               for x in d['regions']), d
"
}

# gt N CMD... -- the number CMD prints is greater than N (for polling:
# pmr_wait_until runs CMD again each time)
gt()
{
	local n=$1
	shift
	[ "$("$@")" -gt "$n" ]
}

# reloads -- how many reloads pmrd has finished (applied or not)
reloads()
{
	grep -c -E "reload: .* added, .* removed|reload: .*nothing changed" \
		"$(pmr_daemon_log main)" || true
}

# hup -- SIGHUP to pmrd (through the listener); wait for its summary line
hup()
{
	local n
	n=$(reloads)
	kill -HUP "$(cat "$PMR_LOGDIR/main.pid")"
	pmr_wait_until 60 gt "$n" reloads
}

# ops_count NAME -- how many progress lines a pmr-ops-client printed
ops_count()
{
	grep -c "^ops " "$(pmr_daemon_log "$1")" || true
}

# conf_v2 -- rotest removed, extra added
conf_v2()
{
	sed '/^\[region rotest\]/,$d' "$TMP/pmrd.conf.v1" >"$TMP/pmrd.conf"
	cat >>"$TMP/pmrd.conf" <<-EOF
		[region extra]
		path = $TFS/extra
		size = 1M
		persistent = no
	EOF
}

# reload_add_remove -- while a libpmr client works on scratch and another
# reads rotest: rotest removed (no new opens, the open handle works on,
# released when it closes), extra added and usable
reload_add_remove()
{
	local before
	pmr_daemon_start ops2 "$OPSC" "$IP" rotest 400 ro
	pmr_wait_log ops2 "^open" 60
	ctl list-regions | grep -E "^rotest .* 1 +serving "
	cp "$TMP/pmrd.conf" "$TMP/pmrd.conf.v1"
	conf_v2
	hup
	cat "$(pmr_daemon_log main)"
	pmr_log_has main "reload: region rotest removed: no new opens; released when its 1 open handle\(s\) close"
	pmr_log_has main "reload: region extra added"
	pmr_log_has main "reload: 1 added, 1 removed, 0 refused, 0 failed; serving 3 regions"
	pmr_log_has main "notify: RELOADING=1"
	ctl list-regions
	ctl -j list-regions | py "
import json, sys
r = {x['name']: x for x in json.load(sys.stdin)['regions']}
assert sorted(r) == ['dev', 'extra', 'rotest', 'scratch'], sorted(r)
assert r['rotest']['state'] == 'removed' and r['rotest']['open_count'] == 1, r['rotest']
assert r['extra']['state'] == 'serving' and r['extra']['size'] == 1 << 20, r['extra']
assert r['scratch']['open_count'] == 1, r['scratch']
"
	# no new opens of the removed region; the new one works
	if "$OPSC" "$IP" rotest 1 ro; then
		echo "rotest could still be opened after its removal"
		return 1
	fi
	"$DPT" "$IP" fill extra 5 0 4096
	"$DPT" "$IP" check extra 5 0 4096
	"$PMRCTL" -H "$IP" list-regions | grep -E "^extra "
	if "$PMRCTL" -H "$IP" list-regions | grep -E "^rotest "; then
		echo "rotest still listed over RDMA"
		return 1
	fi
	# both clients kept working through the reload
	before=$(ops_count ops)
	pmr_wait_until 30 gt "$before" ops_count ops
	before=$(ops_count ops2)
	pmr_wait_until 30 gt "$before" ops_count ops2
	# the last handle goes: rotest is released
	pmr_daemon_stop ops2 TERM 10 || true
	pmr_wait_log main "region rotest: last handle closed: released" 90
	ctl -j list-regions | py "
import json, sys
r = {x['name']: x for x in json.load(sys.stdin)['regions']}
assert sorted(r) == ['dev', 'extra', 'scratch'], sorted(r)
"
	grep -q "^ops " "$(pmr_daemon_log ops)"
	pmr_daemon_alive ops
}

# reload_changed_refused -- scratch with another size: refused, logged,
# scratch serves on unchanged
reload_changed_refused()
{
	sed -i '/^\[region scratch\]/,/^\[/ s/^size = 4M/size = 8M/' "$TMP/pmrd.conf"
	grep -q "size = 8M" "$TMP/pmrd.conf"
	hup
	pmr_log_has main "reload: region scratch: size changed: refused, it keeps running as before"
	pmr_log_has main "reload: 0 added, 0 removed, 1 refused, 0 failed; serving 3 regions"
	ctl list-regions | grep -E "^scratch +testing +4M "
	conf_v2
}

# reload_bad_config -- a file with an error changes nothing
reload_bad_config()
{
	local before after
	before=$(ctl -j list-regions | sed 's/"registration_ms":[0-9.e+-]*//g')
	echo "colour = blue" >>"$TMP/pmrd.conf"
	hup
	pmr_log_has main "reload: $TMP/pmrd.conf:[0-9]+: .*colour"
	pmr_log_has main "reload: $TMP/pmrd.conf: errors above; nothing changed"
	after=$(ctl -j list-regions | sed 's/"registration_ms":[0-9.e+-]*//g')
	[ "$before" = "$after" ] || {
		echo "list-regions changed: $before -> $after"
		return 1
	}
	conf_v2
	pmr_daemon_alive ops
	# RELOADING=1 ... READY=1 for each of the three reloads
	[ "$(grep -c "notify: RELOADING=1" "$(pmr_daemon_log main)")" = 3 ]
	[ "$(grep -c "notify: READY=1" "$(pmr_daemon_log main)")" = 4 ]
}

# sigterm_clients -- data persisted, clients connected, SIGTERM: pmrd exits
# 0, the libpmr client sees the connection go (exit 3), the raw one is
# disconnected (inline, and so without set -e: explicit checks)
sigterm_clients()
{
	pmr_daemon_alive ops || {
		echo "the libpmr client stopped early"
		cat "$(pmr_daemon_log ops)"
		return 1
	}
	pmr_daemon_term main 30 || return 1
	# the libpmr client's exit 3: connection lost
	pmr_daemon_exits ops 3 30 || return 1
	pmr_daemon_wait hold 30 || true
	cat "$(pmr_daemon_log hold)"
}

# sigterm_logged -- STOPPING=1, the clients, the socket removed
sigterm_logged()
{
	pmr_log_has main "notify: STOPPING=1"
	pmr_log_has main "SIGTERM: stopping \(2 clients to disconnect\)"
	pmr_log_has main "notice: stopped"
	pmr_log_has main "notify-listen: exit 0"
	grep -q "disconnected by the server" "$(pmr_daemon_log hold)"
	[ ! -e "$SOCK" ] || {
		echo "admin socket left behind"
		return 1
	}
}

# data_kept -- after the restart: what was persisted before, scratch kept
data_kept()
{
	"$DPT" "$IP" check dev 77 4096 65536
	ctl -j list-regions | py "
import json, sys
r = {x['name']: x for x in json.load(sys.stdin)['regions']}
assert r['scratch']['prepared'] == 'before', r['scratch']
"
}

pmr_case setup setup
pmr_passed || exit 0
DAX=$(pmem_daxdev)
T_FS=$(stat -f -c %T "$TFS")
if [ "$T_FS" = tmpfs ] || ! kernel_at_least 6 5; then T_MR=pinned; else T_MR=odp; fi
pmr_say "testing regions on $T_FS ($T_MR)"
if [ "$T_MR" = odp ] && [ "$ODP" = no ]; then
	pmr_skip ops "page-cache testing regions need ODP on this kernel"
	exit 0
fi
write_conf
pmr_inline_case start-notify-ready start main || exit 0
pmr_case notify-status-ready notify_start
pmr_case list-regions-table regions_table
pmr_case list-regions-json regions_json
pmr_case status status
pmr_case admin-bad-requests bad_requests
pmr_case pmrctl-exit-codes exit_codes
pmr_case pmrctl-remote-list remote_list
pmr_case fill-devdax "$DPT" "$IP" fill dev 77 4096 65536
if pmr_inline_case clients-start start_clients; then
	pmr_case list-clients-connected clients_connected
	pmr_case reload-add-remove reload_add_remove
	pmr_case reload-changed-refused reload_changed_refused
	pmr_case reload-bad-config reload_bad_config
	pmr_inline_case sigterm-with-clients sigterm_clients
	pmr_case sigterm-logged sigterm_logged
else
	pmr_inline_case sigterm pmr_daemon_term main
fi
pmr_inline_case restart start again || exit 0
pmr_case data-kept-after-restart data_kept
pmr_inline_case stop-again pmr_daemon_term again
