/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_open.h -- open and close configured regions: the sequence above
 * the steps (prepare.h for files, devdax.h, map.h) that fill in a struct
 * pmrd_region (pmrd_region.h)
 */
#ifndef PMRD_REGION_OPEN_H
#define PMRD_REGION_OPEN_H

#include "pmrd_conf.h"
#include "pmrd_region.h"

/*
 * pmrd_region_open -- prepare (when needed), map and seal a region as
 * described in README ("Region preparation").  Never zeroes a region that
 * was prepared before, never touches a file pmrd did not create.
 * Returns 0 or a negative errno, with the reason logged.
 */
int pmrd_region_open(const struct pmrd_region_conf *rc,
		     struct pmrd_region **ret);

/* pmrd_region_close -- unmap and free; NULLs the caller's pointer */
void pmrd_region_close(struct pmrd_region **region);

#endif
