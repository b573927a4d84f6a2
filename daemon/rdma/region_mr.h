/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_mr.h -- a region registered with the RDMA device by its plan
 * (mr_plan.h): the export, what OPEN hands to a client.
 */
#ifndef PMRD_REGION_MR_H
#define PMRD_REGION_MR_H

#include <stdbool.h>
#include <stdint.h>

#include "mr_plan.h"

struct ibv_mr;
struct pmrd_device;

/* A registered region: everything OPEN and PERSIST need. */
struct pmrd_export {
	struct pmrd_region *region; /* not owned */
	struct ibv_mr *mr;
	struct pmrd_mr_plan plan;
	uint64_t addr; /* remote address clients use */
	uint32_t rkey;
	double reg_ms;	 /* registration time */
	unsigned n_open; /* handles open on it, over every client */
	bool removed;	 /* by a reload: no new OPEN, released at n_open 0 */
};

/*
 * pmrd_export_new -- plan and register REGION on DEV's PD, handing out
 * keys by strategy KEYS; logs the strategy, access, persistence methods
 * and registration time, or the reason it cannot be served.  Negative
 * errno; *ret untouched on failure.
 */
int pmrd_export_new(struct pmrd_device *dev, struct pmrd_region *region,
		    enum pmrd_keys_strategy keys, struct pmrd_export **ret);

/* pmrd_export_delete -- deregister and free; NULL is fine */
void pmrd_export_delete(struct pmrd_export **ex);

#endif
