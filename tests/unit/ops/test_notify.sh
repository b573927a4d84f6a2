#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_notify.sh -- the sd_notify protocol on the host, where no RDMA device
# serves the listen address: pmrd sends STATUS= while preparing each region
# and before registering, then "STATUS=failed..." and no READY=1, exits 1;
# both a path and an abstract ("@") NOTIFY_SOCKET work; without
# NOTIFY_SOCKET nothing breaks.  (READY=1, RELOADING=1 and STOPPING=1 are
# tested in the VM: tests/vm/suites/50-ops.sh.)
# Usage: test_notify.sh PMRD LISTENER TMPDIR.  Exit 77 = skipped.
set -u
PMRD=$1
LISTEN=$2
TMP=$3

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (region preparation: chattr +i, trusted.* xattrs)"
	exit 77
fi
cleanup() {
	find "$TMP" -type f -exec chattr -i {} + 2>/dev/null
	rm -rf "$TMP"
}
fail() {
	echo "FAIL: $*"
	exit 1
}
cleanup
mkdir -p "$TMP"
trap cleanup EXIT
cat >"$TMP/pmrd.conf" <<EOT
[pmrd]
listen = 127.0.0.1:7471
admin_socket = $TMP/pmrd.sock
[region alpha]
path = $TMP/alpha
size = 64K
persistent = no
[region beta]
path = $TMP/beta
size = 64K
persistent = no
EOT

for sock in "$TMP/notify.sock" "@pmrd-test-notify-$$"; do
	# The listener's notify lines on stdout, pmrd's log apart: the two
	# processes write concurrently and would interleave within a line.
	out=$("$LISTEN" -t 60 "$sock" "$PMRD" -c "$TMP/pmrd.conf" \
		2>"$TMP/pmrd.log")
	rc=$?
	cat "$TMP/pmrd.log"
	echo "$out"
	[ "$rc" = 1 ] || fail "pmrd exited $rc, not 1, without an RDMA device"
	for want in "notify: STATUS=preparing region alpha (1 of 2)" \
		"notify: STATUS=preparing region beta (2 of 2)" \
		"notify: STATUS=registering 2 region(s)" \
		"notify: STATUS=failed to start (see the log)"; do
		echo "$out" | grep -qxF "$want" || fail "no '$want' on $sock"
	done
	echo "$out" | grep -q "notify: READY=1" && fail "READY=1 after a failed start"
done
# no NOTIFY_SOCKET: the same start-up, the same exit status
env -u NOTIFY_SOCKET "$PMRD" -c "$TMP/pmrd.conf"
rc=$?
[ "$rc" = 1 ] || fail "without NOTIFY_SOCKET pmrd exited $rc"
echo PASS
