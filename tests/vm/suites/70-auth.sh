#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 70-auth.sh -- authorization before any rkey leaves the server (issue 8
# item 4), over real rdmacm on rxe (the VM's one address is 10.77.0.1):
#   - pmrd.conf: a psk_file others can read, a short key, a key owned by
#     another user (nobody), a symbolic link to a good key, a bad CIDR are
#     refused at start with file:line and the reason (--check-config);
#   - allow lists by the rdmacm peer address: a list that does not hold
#     10.77.0.1 (10.77.0.2/32, IPv6 rules, an IPv4-mapped other host) is
#     DENIED at OPEN and the region is not listed; 10.77.0.0/24 opens it
#     and a data round trip works (pmr-authclient, libpmr);
#   - psk_file: the right key opens (and libpmr checked the server's
#     proof), a wrong key and no key are DENIED, a key for "any region"
#     works; pmr-rawclient replays one connection's proof on another
#     (DENIED, no key bytes in the answer), sends none and a wrong one, is
#     disconnected after the fourth failure, and a version 1 client is
#     DENIED; the daemon logs each reason;
#   - rules change with SIGHUP (no restart), and pmrctl list-regions shows
#     them (AUTH column; -j "allow" and "psk").
# pmr-timeout: 900
set -eu
. "$PMR_LIB"

RAW=$(pmr_need_bin pmr-rawclient)
AUTHC=$(pmr_need_bin pmr-authclient)
PMRD=$(pmr_need_bin pmrd)
PMRCTL=$(pmr_need_bin pmrctl)
IP=$(rxe_ip)
TMP=/run/pmr-auth
CONF=$TMP/pmrd.conf
SOCK=$TMP/pmrd.sock
KEYHEX=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
KEY=$TMP/key
BADKEY=$TMP/badkey
DAX=

trap pmr_cleanup EXIT

# setup -- the namespace as devdax, the two key files (mode 0600)
setup()
{
	mkdir -p "$TMP"
	DAX=$(pmem_devdax)
	umask 077
	echo "$KEYHEX" >"$KEY"
	printf 'a wrong key, 24 bytes...' >"$BADKEY"
	umask 022
	[ -n "$DAX" ]
}

# conf LINE... -- region dev (the devdax) with LINEs (allow, psk_file)
conf()
{
	{
		printf '[pmrd]\nlisten = %s\nlog_level = info\n' "$IP"
		printf 'admin_socket = %s\n' "$SOCK"
		printf '[region dev]\npath = %s\n' "$DAX"
		[ $# = 0 ] || printf '%s\n' "$@"
	} >"$CONF"
}

# reloads -- how many reload summaries pmrd has logged
reloads()
{
	grep -c -E "reload: .* added, .* removed" "$(pmr_daemon_log main)" ||
		true
}

gt()
{
	[ "$("$2")" -gt "$1" ]
}

# rules LINE... -- write the conf with LINEs and SIGHUP pmrd; wait for it
rules()
{
	local n
	conf "$@"
	n=$(reloads)
	kill -HUP "$(cat "$PMR_LOGDIR/main.pid")"
	pmr_wait_until 60 gt "$n" reloads
}

# client EXPECT [KEYFILE [any]] -- pmr-authclient on dev exits EXPECT
client()
{
	local want=$1 rc=0
	shift
	"$AUTHC" "$IP" dev "$@" || rc=$?
	echo "pmr-authclient: exit $rc (expected $want)"
	[ "$rc" = "$want" ]
}

# config_refused -- bad allow/psk_file entries stop pmrd at start
config_refused()
{
	local loose=$TMP/loose short=$TMP/short out rc
	echo "$KEYHEX" >"$loose"
	chmod 644 "$loose"
	printf 'too short' >"$short"
	chmod 600 "$short"
	conf "allow = 10.77.0.0/24, 10.1.2.3/40" "psk_file = $loose"
	rc=0
	out=$("$PMRD" --check-config -c "$CONF" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 1 ]
	echo "$out" | grep -q "pmrd.conf:7: bad allow .*entry '10.1.2.3/40': bad prefix length"
	echo "$out" | grep -q "pmrd.conf:8: bad psk_file .*group or others may access it"
	conf "psk_file = $short"
	rc=0
	out=$("$PMRD" --check-config -c "$CONF" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 1 ]
	echo "$out" | grep -q "pmrd.conf:7: bad psk_file .*key too short"
	# a good key owned by another user (nobody), and a link to the key
	cp "$KEY" "$TMP/nobodys"
	chown 65534:65534 "$TMP/nobodys"
	conf "psk_file = $TMP/nobodys"
	rc=0
	out=$("$PMRD" --check-config -c "$CONF" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 1 ]
	echo "$out" | grep -q "pmrd.conf:7: bad psk_file .*owned by another user"
	ln -sf "$KEY" "$TMP/keylink"
	conf "psk_file = $TMP/keylink"
	rc=0
	out=$("$PMRD" --check-config -c "$CONF" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 1 ]
	echo "$out" | grep -q "pmrd.conf:7: bad psk_file .*a symbolic link"
	# the key itself passes (so the two refusals above can fail)
	conf "psk_file = $KEY"
	"$PMRD" --check-config -c "$CONF"
}

# start_denied -- pmrd whose only allow rules do not hold this host
start_denied()
{
	conf "allow = 10.77.0.2/32, fd00::/8 2001:db8::1, ::ffff:10.77.0.9"
	pmr_pmrd_start main "$CONF"
}

# denied_by_address -- DENIED at OPEN, not listed, reason in the log
denied_by_address()
{
	local out rc=0
	out=$("$AUTHC" "$IP" dev -) || rc=$?
	echo "$out"
	[ "$rc" = 3 ]
	echo "$out" | grep -q "^listed:$"
	echo "$out" | grep -q "not authorized to open region 'dev'"
	pmr_log_has main "open dev denied: address not in its allow list"
}

# ipv6_rules_only -- IPv6 rules never match an IPv4 peer
ipv6_rules_only()
{
	rules "allow = ::1/128 fe80::/10"
	client 3 -
}

# allowed_by_prefix -- 10.77.0.0/24 holds 10.77.0.1: listed, opened, data
allowed_by_prefix()
{
	local out
	rules "allow = 10.77.0.0/24"
	out=$("$AUTHC" "$IP" dev -)
	echo "$out"
	echo "$out" | grep -q "^listed: dev$"
	echo "$out" | grep -q "open dev: OK, data round-tripped"
}

# admin_view -- pmrctl shows allow and psk (never the key)
admin_view()
{
	local out
	rules "allow = 10.77.0.0/24, fd00::/8" "psk_file = $KEY"
	out=$("$PMRCTL" -s "$SOCK" list-regions)
	echo "$out"
	echo "$out" | head -n 1 | grep -q " AUTH "
	echo "$out" | grep -Eq "^dev +devdax .* allow,psk +"
	out=$("$PMRCTL" -s "$SOCK" -j list-regions)
	echo "$out"
	echo "$out" | grep -q '"allow": *\[ *"10.77.0.0/24", *"fd00::/8" *\]'
	echo "$out" | grep -q '"psk": *true'
	! echo "$out" | grep -q "$KEYHEX"
}

# psk_right -- the region's key opens it (both proofs verified)
psk_right()
{
	client 0 "$KEY"
}

# psk_any_region -- a key given for every region works as well
psk_any_region()
{
	client 0 "$KEY" any
}

# psk_wrong -- another key: DENIED, the log says the proof was wrong
psk_wrong()
{
	client 3 "$BADKEY"
	pmr_log_has main "open dev denied: PSK proof does not verify"
}

# psk_missing -- no key: DENIED
psk_missing()
{
	client 3 -
	pmr_log_has main "open dev denied: no PSK proof"
}

# psk_raw -- replay, none, wrong, disconnect after 4, version 1 client
psk_raw()
{
	"$RAW" "$IP" 7471 psk dev "$KEYHEX"
	pmr_log_has main "failed PSK proofs: disconnecting"
}

# psk_with_wrong_address -- a right key does not open past the allow list
psk_with_wrong_address()
{
	rules "allow = 10.77.0.2/32" "psk_file = $KEY"
	client 3 "$KEY"
}

# server_without_key -- a client holding a key for dev talks to a server
# that has none for it: no server proof, so libpmr never uses the key
# (PMR_E_AUTH) and gives the handle back
server_without_key()
{
	rules "allow = 10.77.0.0/24"
	client 4 "$KEY"
	"$PMRCTL" -s "$SOCK" -j list-regions | grep -q '"open_count": *0'
}

# rules_removed -- no allow, no psk_file: everyone again
rules_removed()
{
	rules
	client 0 -
}

pmr_inline_case setup-devdax setup || exit 0
pmr_case config-refused config_refused
if ! pmr_inline_case pmrd-start start_denied; then
	pmr_skip auth-cases "pmrd did not start"
	exit 0
fi
pmr_case denied-by-address denied_by_address
pmr_inline_case ipv6-rules-only ipv6_rules_only || true
pmr_inline_case allowed-by-prefix allowed_by_prefix || true
pmr_inline_case admin-view admin_view || true
pmr_case psk-right psk_right
pmr_case psk-any-region psk_any_region
pmr_case psk-wrong psk_wrong
pmr_case psk-missing psk_missing
pmr_case psk-raw-replay psk_raw
pmr_inline_case psk-wrong-address psk_with_wrong_address || true
pmr_inline_case server-without-key server_without_key || true
pmr_inline_case rules-removed rules_removed || true
pmr_inline_case pmrd-term pmr_daemon_term main || true
