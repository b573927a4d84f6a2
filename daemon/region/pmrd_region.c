/* SPDX-License-Identifier: BSD-3-Clause */
/* pmrd_region.c -- an open region's names for humans, and its persist */
#include "pmrd_region.h"

/* pmrd_region_kind_name -- "fsdax", "devdax", "TESTING" */
const char *pmrd_region_kind_name(enum pmrd_region_kind kind)
{
	switch (kind) {
	case PMRD_REGION_FSDAX:
		return "fsdax";
	case PMRD_REGION_DEVDAX:
		return "devdax";
	case PMRD_REGION_TESTING:
		return "TESTING";
	}
	return "?";
}

/* pmrd_granularity_name -- libpmem2's store granularity, for humans */
const char *pmrd_granularity_name(enum pmem2_granularity g)
{
	switch (g) {
	case PMEM2_GRANULARITY_BYTE:
		return "byte";
	case PMEM2_GRANULARITY_CACHE_LINE:
		return "cache-line";
	case PMEM2_GRANULARITY_PAGE:
		return "page";
	}
	return "?";
}

/* pmrd_region_persist -- make [off, off+len) durable; caller checked bounds */
void pmrd_region_persist(const struct pmrd_region *region, uint64_t off,
			 uint64_t len)
{
	region->persist((const char *)region->addr + off, (size_t)len);
}
