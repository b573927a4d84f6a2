/* SPDX-License-Identifier: BSD-3-Clause */
/* map.h -- map a region's fd with libpmem2 */
#ifndef PMRD_MAP_H
#define PMRD_MAP_H

#include "pmrd_region.h"

/*
 * pmrd_map_fd -- map all of fd (shared, read-write) and fill r's map, addr,
 * size, granularity and persist.  expect_size must equal the source size;
 * require_sync: the source is DAX, so a page-granularity map (no MAP_SYNC)
 * is an error.  The fd may be closed afterwards.  Logs failures.
 */
int pmrd_map_fd(struct pmrd_region *r, int fd, size_t expect_size,
		bool require_sync);

/* pmrd_unmap -- undo pmrd_map_fd; safe when nothing is mapped */
void pmrd_unmap(struct pmrd_region *r);

#endif
