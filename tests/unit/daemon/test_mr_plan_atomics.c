/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mr_plan_atomics.c -- which regions and keys carry remote atomics
 * and native ATOMIC WRITE: rw only, where the device has them (on ODP only
 * where ODP has them too), never on a read-only open's key, never on the
 * region MR under windows (its rkey must stay worthless).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "device.h"
#include "mr_plan.h"
#include "pmr_proto.h"

static const struct pmrd_dev_caps atomics = {
	.odp = true,
	.odp_state = PMRD_ODP_VERIFIED,
	.odp_rc_read = true,
	.odp_rc_write = true,
	.odp_rc_atomic = true,
	.odp_rc_atomic_write = true,
	.atomics = true,
	.atomic_write = true,
	.atomic_write_verbs = true,
};

/* info -- a region description */
static struct pmrd_mr_region_info info(enum pmrd_region_kind kind,
				       enum pmrd_access access)
{
	struct pmrd_mr_region_info i = {
		.kind = kind,
		.access = access,
		.pdomain = PMRD_PDOMAIN_AUTO,
		.granularity = PMEM2_GRANULARITY_CACHE_LINE,
	};
	return i;
}

Test(mr_plan_atomics, rw_region_gets_both)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&atomics, &i, &p), 0);
	cr_expect_eq(p.atomics, PMR_ATOMICS_RDMA | PMR_ATOMICS_NATIVE_WRITE);
	cr_expect(p.access & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect(pmrd_mr_qp_access(&p) & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect_eq(pmrd_mr_open_atomics(&p, true), p.atomics);
	cr_expect_eq(pmrd_mr_open_atomics(&p, false), 0);
}

Test(mr_plan_atomics, ro_region_gets_none)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RO);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&atomics, &i, &p), 0);
	cr_expect_eq(p.atomics, 0);
	cr_expect_not(p.access & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect_not(pmrd_mr_qp_access(&p) & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect_eq(pmrd_mr_open_atomics(&p, true), 0);
}

Test(mr_plan_atomics, device_without_them)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW);
	struct pmrd_dev_caps c = atomics;
	struct pmrd_mr_plan p;

	c.atomics = false; /* atomic_cap IBV_ATOMIC_NONE */
	cr_assert_eq(pmrd_mr_plan(&c, &i, &p), 0);
	cr_expect_eq(p.atomics, PMR_ATOMICS_NATIVE_WRITE);
	cr_expect_not(p.access & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect_eq(pmrd_mr_qp_access(&p), 0);
	c = atomics;
	c.atomic_write = false; /* kernels before 6.2 */
	cr_assert_eq(pmrd_mr_plan(&c, &i, &p), 0);
	cr_expect_eq(p.atomics, PMR_ATOMICS_RDMA);
	c = atomics;
	c.atomic_write_verbs = false; /* built with rdma-core 44 */
	cr_assert_eq(pmrd_mr_plan(&c, &i, &p), 0);
	cr_expect_eq(p.atomics, PMR_ATOMICS_RDMA);
}

Test(mr_plan_atomics, odp_needs_odp_atomics)
{
	struct pmrd_mr_region_info fs = info(PMRD_REGION_FSDAX, PMRD_ACCESS_RW);
	struct pmrd_mr_region_info dd =
		info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW);
	struct pmrd_dev_caps c = atomics;
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&c, &fs, &p), 0);
	cr_expect_eq(p.atomics, PMR_ATOMICS_ALL);
	c.odp_rc_atomic = false;
	c.odp_rc_atomic_write = false;
	cr_assert_eq(pmrd_mr_plan(&c, &fs, &p), 0);
	cr_expect_eq(p.atomics, 0);
	cr_expect_not(p.access & IBV_ACCESS_REMOTE_ATOMIC);
	cr_assert_eq(pmrd_mr_plan(&c, &dd, &p), 0);
	cr_expect_eq(p.atomics, PMR_ATOMICS_ALL, "pinned needs no ODP bits");
}

Test(mr_plan_atomics, grants_follow_the_open)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&atomics, &i, &p), 0);
	/* windows: the region MR keeps no atomic right of its own */
	pmrd_mr_plan_keys(&p, PMRD_KEYS_MW2);
	cr_expect_not(p.access & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect(pmrd_mr_grant_access(&p, true) & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect_not(pmrd_mr_grant_access(&p, false) &
		      IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect(pmrd_mr_qp_access(&p) & IBV_ACCESS_REMOTE_ATOMIC);
	/* per-client registrations: likewise */
	pmrd_mr_plan_keys(&p, PMRD_KEYS_MR_PER_CLIENT);
	cr_expect_not(p.access & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect(pmrd_mr_grant_access(&p, true) & IBV_ACCESS_REMOTE_ATOMIC);
	cr_expect(pmrd_mr_grant_access(&p, true) & IBV_ACCESS_LOCAL_WRITE);
	cr_expect_not(pmrd_mr_grant_access(&p, false) &
		      IBV_ACCESS_REMOTE_ATOMIC);
	/* shared MR: the region MR carries it (rw regions only) */
	pmrd_mr_plan_keys(&p, PMRD_KEYS_SHARED_MR);
	cr_expect(p.access & IBV_ACCESS_REMOTE_ATOMIC);
}
