#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_unit_verify.sh -- `systemd-analyze verify` accepts pmrd.service (with
# ExecStart pointed at the built pmrd, as verify checks that the binaries
# exist) and says nothing about it; the unit has what issue 6 asks for
# (and the state directory of issue 17's generations).
# Usage: test_unit_verify.sh UNIT PMRD TMPDIR.  Exit 77 = skipped.
set -u
UNIT=$1
PMRD=$2
TMP=$3

command -v systemd-analyze >/dev/null || {
	echo "SKIP: no systemd-analyze"
	exit 77
}
fail() {
	echo "FAIL: $*"
	exit 1
}
for k in Type=notify 'ExecReload=/bin/kill -HUP $MAINPID' \
	LimitMEMLOCK=infinity RuntimeDirectory=pmrd ConfigurationDirectory=pmrd \
	StateDirectory=pmrd \
	ProtectSystem=strict ReadWritePaths= After=network-online.target \
	Wants=network-online.target 'Documentation=man:pmrd(8)' \
	CapabilityBoundingSet=CAP_LINUX_IMMUTABLE; do
	grep -qF -- "$k" "$UNIT" || fail "$UNIT has no $k"
done
grep -q '^CapabilityBoundingSet=.*CAP_IPC_LOCK' "$UNIT" || fail "no CAP_IPC_LOCK"

rm -rf "$TMP"
mkdir -p "$TMP"
sed -e "s|^\(Exec[A-Za-z]*=\)[^ ]*/pmrd |\1$PMRD |" "$UNIT" >"$TMP/pmrd.service"
grep -q "^ExecStart=$PMRD " "$TMP/pmrd.service" || fail "ExecStart not rewritten"
out=$(systemd-analyze verify --man=no "$TMP/pmrd.service" 2>&1)
rc=$?
echo "$out"
[ "$rc" = 0 ] || fail "systemd-analyze verify exited $rc"
if echo "$out" | grep -q 'pmrd.service'; then
	fail "systemd-analyze verify complained about pmrd.service"
fi
rm -rf "$TMP"
echo PASS
