/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_exports.h -- two exports over plain memory, for driving
 * daemon/session.c without a device: "alpha" (devdax, rw, 64 KiB, SERVER
 * and FLUSH) and "beta" (testing, ro, 4 KiB, SERVER).  Shared by
 * test_session.c and tests/fuzz/fuzz_session.c; the objects are static,
 * one set per program that includes this.
 */
#ifndef PMRD_TEST_FAKE_EXPORTS_H
#define PMRD_TEST_FAKE_EXPORTS_H

#include <stdint.h>

#include "region_mr.h"
#include "pmr_proto.h"
#include "pmrd_region.h"

static uint8_t mem_a[1 << 16], mem_b[4096];
static struct pmrd_region reg_a = {
	.name = "alpha",
	.kind = PMRD_REGION_DEVDAX,
	.access = PMRD_ACCESS_RW,
	.addr = mem_a,
	.size = sizeof(mem_a),
	.granularity = PMEM2_GRANULARITY_CACHE_LINE,
};
static struct pmrd_region reg_b = {
	.name = "beta",
	.kind = PMRD_REGION_TESTING,
	.access = PMRD_ACCESS_RO,
	.addr = mem_b,
	.size = sizeof(mem_b),
	.granularity = PMEM2_GRANULARITY_PAGE,
};
static struct pmrd_export ex_a = {
	.region = &reg_a,
	.plan = { .persist = PMR_PERSIST_SERVER | PMR_PERSIST_FLUSH },
	.addr = 0x1000,
	.rkey = 0xabc,
};
static struct pmrd_export ex_b = {
	.region = &reg_b,
	.plan = { .persist = PMR_PERSIST_SERVER },
	.addr = 0x9000,
	.rkey = 0xdef,
};
static struct pmrd_export *const exports[] = { &ex_a, &ex_b };

/* fake_exports_persist -- both regions' persist calls go to FN */
static inline void fake_exports_persist(pmem2_persist_fn fn)
{
	reg_a.persist = fn;
	reg_b.persist = fn;
}

#endif
