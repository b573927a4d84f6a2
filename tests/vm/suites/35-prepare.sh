#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 35-prepare.sh -- `pmrd --prepare` of new fsdax file regions zeroes every
# block for real, on each filesystem and allocation it may meet:
#   - ext4 -o dax (4 KiB allocation), ext4 with stride=stripe_width=512
#     (2 MiB-aligned allocation, PMD faults) and xfs -o dax with su=2m;
#   - two sizes: whole 8 MiB zeroing chunks (72 MiB) and one 4 KiB page
#     more (the last pwritev is short);
#   - over blocks a deleted file left full of 0xa5 (unwritten extents read
#     as zeros; this makes a block pmrd did not write visible too).
# Each: --prepare exits 0 and reports the region zeroed now, pmrd's own
# extent check ran ("extents, all written"), filefrag -v shows [0, size)
# in written extents without a gap, every byte reads 0, trusted.pmrd says
# prepared, the file is immutable.
set -eu
. "$PMR_LIB"

PMRD=$(pmr_need_bin pmrd)
TMP=/run/pmr-prepare
MNT=/mnt/pmr-prepare
mkdir -p "$TMP"
trap 'pmr_teardown "$MNT"' EXIT

# fs_make NAME -- NAME (ext4, ext4-2m, xfs-2m) fresh and mounted -o dax
fs_make()
{
	local dev
	pmem_fsdax "${1%%-*}" "$MNT"
	dev=$(findmnt -n -o SOURCE "$MNT")
	case "$1" in
	ext4-2m)
		umount "$MNT"
		mkfs.ext4 -q -F -b 4096 -E stride=512,stripe_width=512 "$dev"
		mount -o dax "$dev" "$MNT"
		;;
	xfs-2m)
		umount "$MNT"
		mkfs.xfs -q -f -m reflink=0 -d su=2m,sw=1 "$dev"
		mount -o dax "$dev" "$MNT"
		;;
	esac
	grep " $MNT .*dax" /proc/mounts
}

# dirty KIB -- fill KIB KiB of free blocks with 0xa5, then free them
dirty()
{
	head -c "$(($1 * 1024))" /dev/zero | tr '\0' '\245' >"$MNT/junk"
	sync "$MNT/junk"
	rm "$MNT/junk"
	sync -f "$MNT"
}

# prepare_one KIB -- a new KIB KiB region over dirtied blocks, checked
prepare_one()
{
	local kib=$1 f=$MNT/r$1 bytes=$(($1 * 1024)) out=$TMP/out-$1
	dirty $((kib + 8192))
	printf '[pmrd]\nlisten = %s:7471\nlog_level = debug\n[region r]\npath = %s\nsize = %sK\n' \
		"$(rxe_ip)" "$f" "$kib" >"$TMP/r.conf"
	"$PMRD" -v --prepare -c "$TMP/r.conf" >"$out" 2>&1 || {
		cat "$out"
		echo "pmrd --prepare failed"
		return 1
	}
	cat "$out"
	grep -Eq "^r +fsdax .* now\$" "$out" || {
		echo "--prepare did not report r as zeroed now"
		return 1
	}
	grep -Eq "region r: .*: zeroed $bytes bytes in" "$out" || {
		echo "no 'zeroed $bytes bytes' line"
		return 1
	}
	grep -Eq "region r: .*: [0-9]+ extents, all written" "$out" || {
		echo "pmrd's own extent check did not run"
		return 1
	}
	pmr_extents_written "$f" "$bytes" || return 1
	cmp -n "$bytes" "$f" /dev/zero || return 1
	[ "$(stat -c %s "$f")" = "$bytes" ] || {
		echo "size $(stat -c %s "$f"), want $bytes"
		return 1
	}
	getfattr -n trusted.pmrd -e hex "$f" | grep -q '^trusted.pmrd=0x.\{20\}0200' || {
		echo "trusted.pmrd is not 'prepared': $(getfattr -n trusted.pmrd -e hex "$f")"
		return 1
	}
	lsattr "$f" | grep -q '^[^ ]*i' || {
		echo "not immutable: $(lsattr "$f")"
		return 1
	}
	chattr -i "$f"
	rm "$f"
}

for fs in ext4 ext4-2m xfs-2m; do
	if ! fs_make "$fs" >"$PMR_LOGDIR/mkfs-$fs.log" 2>&1; then
		pmr_fail "$fs-mount" "$(tail -n 1 "$PMR_LOGDIR/mkfs-$fs.log")"
		continue
	fi
	pmr_case "$fs-prepare-72M" prepare_one 73728
	pmr_case "$fs-prepare-72M-4K" prepare_one 73732
	pmr_umount "$MNT"
done
