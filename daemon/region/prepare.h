/* SPDX-License-Identifier: BSD-3-Clause */
/* prepare.h -- prepare (first start) or re-open (later starts) a file region */
#ifndef PMRD_PREPARE_H
#define PMRD_PREPARE_H

#include "pmrd_region.h"

/*
 * pmrd_prepare_file -- bring rc's file to "prepared", map it into r, set the
 * immutable flag and close every fd.  Fills r's kind, map, addr, size,
 * granularity, persist, zeroed_now and uuid.  0 or -errno, logged.
 */
int pmrd_prepare_file(const struct pmrd_region_conf *rc, struct pmrd_region *r);

/*
 * pmrd_prepare_seal_deferred -- TESTING regions are sealed at close, after
 * unmapping (see prepare.c); no-op for the others.  Closes r->seal_fd.
 */
void pmrd_prepare_seal_deferred(struct pmrd_region *r);

#endif
