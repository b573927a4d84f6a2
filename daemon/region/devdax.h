/* SPDX-License-Identifier: BSD-3-Clause */
/* devdax.h -- open and map a /dev/daxX.Y region (never zeroed) */
#ifndef PMRD_DEVDAX_H
#define PMRD_DEVDAX_H

#include <stdint.h>
#include <sys/types.h>

#include "pmrd_region.h"

#define PMRD_SYSFS_ROOT "/sys"

/*
 * pmrd_devdax_size -- a devdax device's size from sysfs: first
 * ROOT/dev/char/MAJ:MIN/size, then ROOT/bus/dax/devices/NAME/size where
 * NAME is dev_path's basename.  ROOT is a parameter for the tests.
 */
int pmrd_devdax_size(const char *sysfs_root, const char *dev_path, dev_t rdev,
		     uint64_t *ret);

/* pmrd_devdax_open -- open, size-check and map; fills r, logs failures */
int pmrd_devdax_open(const struct pmrd_region_conf *rc, struct pmrd_region *r);

#endif
