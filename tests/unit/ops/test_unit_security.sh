#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_unit_security.sh -- `systemd-analyze security --offline=true` rates
# pmrd.service's exposure at most MAX (issue 18: 3.0).  Every setting
# behind the score is proved harmless by the systemd boot (tests/vm/sdboot,
# tests/vm/systemd/20-service.sh, which checks the score there too).
# Usage: test_unit_security.sh UNIT MAX.  Exit 77 = skipped (no
# systemd-analyze, or one older than systemd 250, without --offline).
set -u
UNIT=$1
MAX=$2

command -v systemd-analyze >/dev/null || {
	echo "SKIP: no systemd-analyze"
	exit 77
}
out=$(systemd-analyze security --offline=true "$UNIT" 2>&1)
echo "$out"
score=$(echo "$out" |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
	if echo "$out" | grep -q -e 'unrecognized option' -e 'Unknown option'; then
		echo "SKIP: this systemd-analyze has no --offline"
		exit 77
	fi
	echo "FAIL: no exposure level in systemd-analyze's output"
	exit 1
fi
if awk -v s="$score" -v m="$MAX" 'BEGIN { exit !(s + 0 <= m + 0) }'; then
	echo "PASS: exposure $score (at most $MAX)"
	exit 0
fi
echo "FAIL: exposure $score, more than $MAX"
exit 1
