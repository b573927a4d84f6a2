#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_pmrd_cli.sh -- pmrd --check-config names file:line and exits 1 on a bad
# file; pmrd --prepare on an ext4 testing region leaves a file lsattr shows
# immutable, filefrag shows without unwritten extents, whose data survives a
# second run.  Usage: test_pmrd_cli.sh PMRD SCRATCH_BASE.  Exit 77 = skipped.
set -u
PMRD=$1
BASE=$2

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (trusted.* xattrs, chattr +i)"
	exit 77
fi
mkdir -p "$BASE"
DIR=$(mktemp -d "$BASE/cli.XXXXXX")
IMG=$DIR/r0.img
cleanup() {
	chattr -i "$IMG" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

# A bad size on line 6 and an unknown key on line 8: both, as file:line.
cat >"$DIR/bad.conf" <<EOT
[pmrd]
listen = 10.0.0.1

[region r0]
path = $IMG
size = banana
persistent = no
colour = blue
EOT
out=$("$PMRD" -c "$DIR/bad.conf" --check-config 2>&1)
rc=$?
echo "$out"
[ $rc = 1 ] || fail "--check-config on a bad file exited $rc, not 1"
echo "$out" | grep -q "^$DIR/bad.conf:6: " || fail "no file:6 error"
echo "$out" | grep -q "^$DIR/bad.conf:8: " || fail "no file:8 error"
[ ! -e "$IMG" ] || fail "--check-config created the region file"

cat >"$DIR/good.conf" <<EOT
[pmrd]
listen = 10.0.0.1

[region r0]
path = $IMG
size = 16M
persistent = no
EOT
out=$("$PMRD" -c "$DIR/good.conf" --check-config) ||
	fail "--check-config on a good file failed"
[ "$out" = "$DIR/good.conf: OK" ] || fail "unexpected output: $out"

# First --prepare creates and zeroes.
out=$("$PMRD" -c "$DIR/good.conf" --prepare 2>"$DIR/log1") ||
	{ cat "$DIR/log1"; fail "--prepare failed"; }
echo "$out"
echo "$out" | grep -Eq '^r0 +TESTING +16M +page +now$' ||
	fail "--prepare report: $out"
grep -q "TESTING MODE" "$DIR/log1" || fail "testing mode not loud in the log"
lsattr "$IMG" | cut -d' ' -f1 | grep -q i || fail "not immutable: $(lsattr "$IMG")"
filefrag -v "$IMG" >"$DIR/frag" || fail "filefrag failed"
cat "$DIR/frag"
grep -q unwritten "$DIR/frag" && fail "unwritten extents left"
[ "$(stat -c %s "$IMG")" = 16777216 ] || fail "wrong size"

# Data written in between (flag cleared, as a crash in the window leaves it)
# survives the second run, which does not zero.
chattr -i "$IMG"
printf 'pmrd keeps this' | dd of="$IMG" bs=1 seek=4096 conv=notrunc,fsync 2>/dev/null
out=$("$PMRD" -c "$DIR/good.conf" --prepare 2>"$DIR/log2") ||
	{ cat "$DIR/log2"; fail "second --prepare failed"; }
echo "$out" | grep -Eq '^r0 +TESTING +16M +page +before$' ||
	fail "second --prepare report: $out"
[ "$(dd if="$IMG" bs=1 skip=4096 count=15 2>/dev/null)" = "pmrd keeps this" ] ||
	fail "data lost on the second run"
lsattr "$IMG" | cut -d' ' -f1 | grep -q i || fail "not immutable after run 2"

# A config size that differs from the prepared one is refused, exit 1.
sed 's/size = 16M/size = 32M/' "$DIR/good.conf" >"$DIR/other.conf"
"$PMRD" -c "$DIR/other.conf" --prepare >/dev/null 2>&1 &&
	fail "--prepare accepted a size change"
[ "$(stat -c %s "$IMG")" = 16777216 ] || fail "size change touched the file"
echo PASS
