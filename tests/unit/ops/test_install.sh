#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_install.sh -- `cmake --install` into a DESTDIR yields what a
# distribution package ships: pmrd (sbin), pmrctl (bin), libpmr.so.1 with
# its header and pkg-config file, the manual pages (when pandoc built
# them, with a .so page for each further name of a family page), the
# example config, pmrd.service whose ExecStart is the installed pmrd, and
# the sysusers.d file that creates the group pmrd (the admin socket's).
# Usage: test_install.sh BUILD PREFIX UNITDIR MANPAGES(yes|no) TMPDIR
#        SYSUSERSDIR
set -u
BUILD=$1
PREFIX=$2
UNITDIR=$3
MAN=$4
TMP=$5
SYSUSERS=$6

fail() {
	echo "FAIL: $*"
	exit 1
}
rm -rf "$TMP"
DESTDIR=$TMP cmake --install "$BUILD" >"$TMP.log" 2>&1 || {
	cat "$TMP.log"
	fail "cmake --install failed"
}
D=$TMP$PREFIX
find "$TMP" -type f -o -type l | sort

[ -x "$D/sbin/pmrd" ] || fail "no sbin/pmrd"
[ -x "$D/bin/pmrctl" ] || fail "no bin/pmrctl"
[ -f "$D/include/libpmr.h" ] || fail "no include/libpmr.h"
set -- "$D"/lib*/libpmr.so.1 "$D"/lib*/*/libpmr.so.1
found=
for f; do [ -e "$f" ] && found=$f; done
[ -n "$found" ] || fail "no libpmr.so.1"
libdir=$(dirname "$found")
[ -L "$libdir/libpmr.so" ] || fail "no libpmr.so link (for -lpmr)"
[ -f "$libdir/pkgconfig/libpmr.pc" ] || fail "no libpmr.pc"
objdump -p "$found" | grep -q "SONAME *libpmr.so.1" || fail "SONAME"
[ -f "$D/share/doc/pmrd/examples/pmrd.conf" ] || fail "no example config"
unit=$TMP$UNITDIR/pmrd.service
[ -f "$unit" ] || fail "no $UNITDIR/pmrd.service"
grep -q "^ExecStart=$PREFIX/sbin/pmrd " "$unit" ||
	fail "ExecStart is not $PREFIX/sbin/pmrd"
grep -qx 'g pmrd -' "$TMP$SYSUSERS/pmrd.conf" ||
	fail "no $SYSUSERS/pmrd.conf creating the group pmrd"
if [ "$MAN" = yes ]; then
	for p in man8/pmrd.8 man5/pmrd.conf.5 man8/pmrctl.8 man3/libpmr.3; do
		[ -s "$D/share/man/$p" ] || fail "no share/man/$p"
		grep -q '^\.TH' "$D/share/man/$p" || fail "$p is not roff"
	done
	# a family page's other names include it (man pmr_region_write)
	grep -qx '\.so man3/pmr_region_read\.3' \
		"$D/share/man/man3/pmr_region_write.3" ||
		fail "man3/pmr_region_write.3 is not a .so of pmr_region_read.3"
	for p in "$D"/share/man/man3/*.3; do
		so=$(sed -n 's/^\.so //p' "$p")
		[ -z "$so" ] || [ -s "$D/share/man/$so" ] ||
			fail "$(basename "$p") includes $so, which is not installed"
	done
fi
# the tools run from where they are installed
LD_LIBRARY_PATH=$libdir "$D/bin/pmrctl" --help | grep -q "^Usage: pmrctl" ||
	fail "installed pmrctl does not run"
"$D/sbin/pmrd" --version | grep -q "^pmrd " || fail "installed pmrd does not run"
rm -rf "$TMP" "$TMP.log"
echo PASS
