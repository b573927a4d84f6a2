/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fiemap.c -- check that a file's extents are all allocated and written
 *
 * fallocate() leaves unwritten extents that read as zeros but are converted
 * (and, on DAX, zeroed) at first write; a hole is allocated at first write.
 * Either would let an RDMA access fault or race with the filesystem, so a
 * region is exported only when FIEMAP shows plain written extents from 0 to
 * its size.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#include "fiemap.h"
#include "util.h"

#define FIEMAP_BATCH 128 /* extents per ioctl: bounded memory, any file */

/* Flags that mean "not plain written data on the device". */
#define FIEMAP_ODD                                               \
	(FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC |        \
	 FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_DATA_ENCRYPTED |  \
	 FIEMAP_EXTENT_NOT_ALIGNED | FIEMAP_EXTENT_DATA_INLINE | \
	 FIEMAP_EXTENT_DATA_TAIL)

/* note_bad -- remember the lowest offset of a problem */
static void note_bad(struct pmrd_fiemap_report *r, uint64_t off)
{
	if (off < r->first_bad)
		r->first_bad = off;
}

/* pmrd_fiemap_scan -- walk [0, size) and classify every byte */
int pmrd_fiemap_scan(int fd, uint64_t size, struct pmrd_fiemap_report *ret)
{
	struct pmrd_fiemap_report r = { .first_bad = size };
	struct fiemap *fm;
	uint64_t pos = 0;
	bool last = false;
	int err = 0;

	fm = calloc(1, sizeof(*fm) + FIEMAP_BATCH * sizeof(fm->fm_extents[0]));
	if (!fm)
		return -ENOMEM;

	while (pos < size && !last) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = pos;
		fm->fm_length = size - pos;
		fm->fm_flags = pos == 0 ? FIEMAP_FLAG_SYNC : 0;
		fm->fm_extent_count = FIEMAP_BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			err = -errno;
			goto out_free;
		}
		if (fm->fm_mapped_extents == 0)
			break; /* the rest is a hole */

		for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
			const struct fiemap_extent *e = &fm->fm_extents[i];
			uint64_t start = e->fe_logical;
			uint64_t end = e->fe_logical + e->fe_length;

			if (e->fe_flags & FIEMAP_EXTENT_LAST)
				last = true;
			if (end <= pos)
				continue; /* overlap with the previous batch */
			if (start > pos) {
				r.hole_bytes += MIN(start, size) - pos;
				note_bad(&r, pos);
			}
			if (start < pos)
				start = pos;
			if (end > size)
				end = size;
			if (start < end) {
				r.extents++;
				if (e->fe_flags & FIEMAP_EXTENT_UNWRITTEN) {
					r.unwritten_bytes += end - start;
					note_bad(&r, start);
				} else if (e->fe_flags & FIEMAP_ODD) {
					r.other_bytes += end - start;
					note_bad(&r, start);
				}
			}
			pos = end;
			if (pos >= size)
				break;
		}
	}
	if (pos < size) {
		r.hole_bytes += size - pos;
		note_bad(&r, pos);
	}
	*ret = r;
out_free:
	free(fm);
	return err;
}
