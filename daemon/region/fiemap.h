/* SPDX-License-Identifier: BSD-3-Clause */
/* fiemap.h -- check that a file's extents are all allocated and written */
#ifndef PMRD_FIEMAP_H
#define PMRD_FIEMAP_H

#include <stdint.h>

struct pmrd_fiemap_report {
	uint64_t extents;	  /* extents seen in [0, size) */
	uint64_t hole_bytes;	  /* not backed by any extent */
	uint64_t unwritten_bytes; /* FIEMAP_EXTENT_UNWRITTEN */
	uint64_t other_bytes;	  /* delalloc, unknown, inline, encoded */
	uint64_t first_bad;	  /* offset of the first problem, or size */
};

/*
 * pmrd_fiemap_scan -- walk the extents of [0, size) with a bounded buffer
 * and count what is not plain written data.  0 and *ret filled, or -errno
 * (-EOPNOTSUPP: the filesystem has no FIEMAP).
 */
int pmrd_fiemap_scan(int fd, uint64_t size, struct pmrd_fiemap_report *ret);

/* pmrd_fiemap_ok -- no holes, no unwritten or otherwise odd extents */
static inline int pmrd_fiemap_ok(const struct pmrd_fiemap_report *r)
{
	return !r->hole_bytes && !r->unwritten_bytes && !r->other_bytes;
}

#endif
