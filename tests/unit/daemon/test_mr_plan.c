/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mr_plan.c -- the registration strategy and advertised persistence
 * methods for every region kind and device capability that matters.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "device.h"
#include "mr_plan.h"
#include "pmr_proto.h"

static const struct pmrd_dev_caps no_odp = { 0 };
static const struct pmrd_dev_caps odp = {
	.odp = true,
	.odp_state = PMRD_ODP_VERIFIED,
	.odp_rc_read = true,
	.odp_rc_write = true,
};
static const struct pmrd_dev_caps all = {
	.odp = true,
	.odp_state = PMRD_ODP_VERIFIED,
	.odp_rc_read = true,
	.odp_rc_write = true,
	.odp_rc_flush = true,
	.flush_global = true,
	.flush_persistent = true,
	.flush_verbs = true,
};

/* info -- a region description */
static struct pmrd_mr_region_info info(enum pmrd_region_kind kind,
				       enum pmrd_access access,
				       enum pmem2_granularity gran)
{
	struct pmrd_mr_region_info i = {
		.kind = kind,
		.access = access,
		.pdomain = PMRD_PDOMAIN_AUTO,
		.granularity = gran,
	};
	return i;
}

Test(mr_plan, devdax_is_pinned_rw)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&no_odp, &i, &p), 0);
	cr_expect_eq(p.strategy, PMRD_MR_PINNED);
	cr_expect(p.access & IBV_ACCESS_REMOTE_WRITE);
	cr_expect(p.access & IBV_ACCESS_LOCAL_WRITE);
	cr_expect(p.access & IBV_ACCESS_REMOTE_READ);
	cr_expect_not(p.access & IBV_ACCESS_ON_DEMAND);
	cr_expect_not(p.populate);
	cr_expect_eq(p.persist, PMR_PERSIST_SERVER);
}

Test(mr_plan, fsdax_without_odp_is_refused)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_FSDAX, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_dev_caps read_only_odp = odp;
	struct pmrd_mr_plan p, before;

	memset(&p, 0x5a, sizeof(p));
	before = p;
	cr_expect_eq(pmrd_mr_plan(&no_odp, &i, &p), -EOPNOTSUPP);
	read_only_odp.odp_rc_write = false;
	cr_expect_eq(pmrd_mr_plan(&read_only_odp, &i, &p), -EOPNOTSUPP);
	cr_expect_eq(memcmp(&p, &before, sizeof(p)), 0, "plan touched");
}

Test(mr_plan, fsdax_with_odp)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_FSDAX, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&odp, &i, &p), 0);
	cr_expect_eq(p.strategy, PMRD_MR_ODP);
	cr_expect(p.access & IBV_ACCESS_ON_DEMAND);
	cr_expect(p.populate);
	cr_expect(p.prefetch);
	cr_expect_eq(p.persist, PMR_PERSIST_SERVER);
}

Test(mr_plan, testing_is_pinned)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_TESTING, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_PAGE);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&all, &i, &p), 0);
	cr_expect_eq(p.strategy, PMRD_MR_PINNED);
	cr_expect_not(p.persist & PMR_PERSIST_FLUSH, "FLUSH on non-pmem");
	cr_expect_not(p.access & PMRD_ACCESS_FLUSH_PERSISTENT);
}

Test(mr_plan, ro_has_no_remote_write_and_no_flush)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RO,
					    PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&all, &i, &p), 0);
	cr_expect_not(p.access & IBV_ACCESS_REMOTE_WRITE);
	cr_expect_not(p.access & IBV_ACCESS_LOCAL_WRITE);
	cr_expect(p.access & IBV_ACCESS_REMOTE_READ);
	cr_expect_not(p.persist & PMR_PERSIST_FLUSH);
}

Test(mr_plan, flush_needs_every_link)
{
	struct pmrd_mr_region_info dd = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW,
					     PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_region_info fs = info(PMRD_REGION_FSDAX, PMRD_ACCESS_RW,
					     PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_dev_caps c = all;
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&c, &dd, &p), 0);
	cr_expect(p.persist & PMR_PERSIST_FLUSH);
	cr_expect(p.access & PMRD_ACCESS_FLUSH_PERSISTENT);
	cr_assert_eq(pmrd_mr_plan(&c, &fs, &p), 0);
	cr_expect(p.persist & PMR_PERSIST_FLUSH);

	c.odp_rc_flush = false; /* ODP MRs cannot be flushed */
	cr_assert_eq(pmrd_mr_plan(&c, &fs, &p), 0);
	cr_expect_not(p.persist & PMR_PERSIST_FLUSH);
	cr_assert_eq(pmrd_mr_plan(&c, &dd, &p), 0);
	cr_expect(p.persist & PMR_PERSIST_FLUSH, "pinned needs no ODP flush");

	c = all;
	c.flush_verbs = false; /* rdma-core 44 */
	cr_assert_eq(pmrd_mr_plan(&c, &dd, &p), 0);
	cr_expect_not(p.persist & PMR_PERSIST_FLUSH);
	cr_expect_not(p.access & PMRD_ACCESS_FLUSH_PERSISTENT);

	c = all;
	c.flush_persistent = false;
	cr_assert_eq(pmrd_mr_plan(&c, &dd, &p), 0);
	cr_expect_not(p.persist & PMR_PERSIST_FLUSH);
}

Test(mr_plan, raw_only_where_caches_are_persistent)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&no_odp, &i, &p), 0);
	cr_expect_not(p.persist & PMR_PERSIST_RAW);
	i.granularity = PMEM2_GRANULARITY_BYTE;
	cr_assert_eq(pmrd_mr_plan(&no_odp, &i, &p), 0);
	cr_expect(p.persist & PMR_PERSIST_RAW);
	i.granularity = PMEM2_GRANULARITY_CACHE_LINE;
	i.pdomain = PMRD_PDOMAIN_CPU_CACHE;
	cr_assert_eq(pmrd_mr_plan(&no_odp, &i, &p), 0);
	cr_expect(p.persist & PMR_PERSIST_RAW);
}

Test(mr_plan, testing_falls_back_to_odp_only_with_odp)
{
	struct pmrd_mr_region_info t = info(PMRD_REGION_TESTING, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_PAGE);
	struct pmrd_mr_region_info d = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_PAGE);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&no_odp, &t, &p), 0);
	cr_expect_eq(pmrd_mr_plan_odp_fallback(&no_odp, &t, &p), -EOPNOTSUPP);
	cr_expect_eq(p.strategy, PMRD_MR_PINNED);
	cr_assert_eq(pmrd_mr_plan_odp_fallback(&odp, &t, &p), 0);
	cr_expect_eq(p.strategy, PMRD_MR_ODP);
	cr_expect(p.access & IBV_ACCESS_ON_DEMAND);
	cr_assert_eq(pmrd_mr_plan(&odp, &d, &p), 0);
	cr_expect_eq(pmrd_mr_plan_odp_fallback(&odp, &d, &p), -EOPNOTSUPP);
}

/* ODP reported, but the self-test found its data path wrong (unfixed rxe) */
Test(mr_plan, misplacing_odp_is_never_used)
{
	struct pmrd_mr_region_info f = info(PMRD_REGION_FSDAX, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_region_info t = info(PMRD_REGION_TESTING, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_PAGE);
	static const enum pmrd_odp_state unusable[] = {
		PMRD_ODP_MISPLACES,
		PMRD_ODP_TEST_FAILED,
		PMRD_ODP_UNSUPPORTED,
	};

	for (size_t i = 0; i < sizeof(unusable) / sizeof(unusable[0]); i++) {
		struct pmrd_dev_caps rxe = all;
		struct pmrd_mr_plan p;

		rxe.odp_state = unusable[i];
		cr_expect_eq(pmrd_mr_plan(&rxe, &f, &p), -EOPNOTSUPP,
			     "fsdax planned with ODP %s",
			     pmrd_odp_state_name(unusable[i]));
		cr_assert_eq(pmrd_mr_plan(&rxe, &t, &p), 0);
		cr_expect_eq(p.strategy, PMRD_MR_PINNED);
		cr_expect_eq(pmrd_mr_plan_odp_fallback(&rxe, &t, &p),
			     -EOPNOTSUPP);
		cr_expect_eq(p.strategy, PMRD_MR_PINNED);
		cr_expect_not(p.access & IBV_ACCESS_ON_DEMAND);
	}
}

Test(mr_plan, refusal_names_the_rule_and_both_ways_out)
{
	const char *m = pmrd_mr_fsdax_refusal();

	cr_expect(strstr(m, "FOLL_LONGTERM"));
	cr_expect(strstr(m, "ndctl create-namespace"));
	cr_expect(strstr(m, "-m devdax"));
	cr_expect(strstr(m, "/dev/daxX.Y"));
	cr_expect(strstr(m, "On-Demand Paging"));
}

Test(mr_plan, methods_format)
{
	char b[64];

	pmrd_persist_methods_format(PMR_PERSIST_SERVER | PMR_PERSIST_FLUSH, b,
				    sizeof(b));
	cr_expect_str_eq(b, "server,flush");
	pmrd_persist_methods_format(0, b, sizeof(b));
	cr_expect_str_eq(b, "none");
	pmrd_persist_methods_format(PMR_PERSIST_ALL, b, 8);
	cr_expect_str_eq(b, "server");
}

Test(mr_plan, mw2_region_mr_has_no_remote_rights)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_plan p;
	int g;

	cr_assert_eq(pmrd_mr_plan(&all, &i, &p), 0);
	cr_expect_eq(p.keys, PMRD_KEYS_SHARED_MR);
	pmrd_mr_plan_keys(&p, PMRD_KEYS_MW2);
	cr_expect_not(p.access &
		      (IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE));
	cr_expect(p.access & IBV_ACCESS_MW_BIND);
	/* C10-74: a window with remote write needs local write on the MR */
	cr_expect(p.access & IBV_ACCESS_LOCAL_WRITE);
	cr_expect(p.access & PMRD_ACCESS_FLUSH_PERSISTENT);
	cr_expect(p.persist & PMR_PERSIST_FLUSH);

	g = pmrd_mr_grant_access(&p, false);
	cr_expect_eq(g, IBV_ACCESS_REMOTE_READ);
	g = pmrd_mr_grant_access(&p, true);
	cr_expect_eq(g, IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE |
				PMRD_ACCESS_FLUSH_PERSISTENT);
}

Test(mr_plan, ro_region_grants_never_write)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_TESTING, PMRD_ACCESS_RO,
					    PMEM2_GRANULARITY_PAGE);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&all, &i, &p), 0);
	pmrd_mr_plan_keys(&p, PMRD_KEYS_MW2);
	cr_expect_eq(p.access, IBV_ACCESS_MW_BIND);
	cr_expect_eq(pmrd_mr_grant_access(&p, true), IBV_ACCESS_REMOTE_READ);
	pmrd_mr_plan_keys(&p, PMRD_KEYS_MR_PER_CLIENT);
	cr_expect_eq(p.access, 0);
	cr_expect_eq(pmrd_mr_grant_access(&p, true), IBV_ACCESS_REMOTE_READ);
}

Test(mr_plan, mr_per_client_grants_exactly_what_is_opened)
{
	struct pmrd_mr_region_info i = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW,
					    PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_plan p;

	cr_assert_eq(pmrd_mr_plan(&all, &i, &p), 0);
	pmrd_mr_plan_keys(&p, PMRD_KEYS_MR_PER_CLIENT);
	cr_expect_eq(p.access, IBV_ACCESS_LOCAL_WRITE);
	cr_expect_eq(pmrd_mr_grant_access(&p, false), IBV_ACCESS_REMOTE_READ);
	cr_expect_eq(pmrd_mr_grant_access(&p, true),
		     IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE |
			     IBV_ACCESS_LOCAL_WRITE |
			     PMRD_ACCESS_FLUSH_PERSISTENT);
	/* back to shared: the plan pmrd_mr_plan made */
	pmrd_mr_plan_keys(&p, PMRD_KEYS_SHARED_MR);
	cr_expect(p.access & IBV_ACCESS_REMOTE_WRITE);
}

Test(mr_plan, keys_resolve)
{
	enum pmrd_keys_strategy k;

	cr_assert_eq(pmrd_keys_resolve(PMRD_CONF_KEYS_AUTO, true, &k), 0);
	cr_expect_eq(k, PMRD_KEYS_MW2);
	cr_assert_eq(pmrd_keys_resolve(PMRD_CONF_KEYS_AUTO, false, &k), 0);
	cr_expect_eq(k, PMRD_KEYS_MR_PER_CLIENT);
	cr_assert_eq(pmrd_keys_resolve(PMRD_CONF_KEYS_MW2, true, &k), 0);
	cr_expect_eq(k, PMRD_KEYS_MW2);
	for (int mw2 = 0; mw2 < 2; mw2++) {
		cr_assert_eq(pmrd_keys_resolve(PMRD_CONF_KEYS_MR_PER_CLIENT,
					       mw2, &k),
			     0);
		cr_expect_eq(k, PMRD_KEYS_MR_PER_CLIENT);
		cr_assert_eq(pmrd_keys_resolve(PMRD_CONF_KEYS_SHARED_MR, mw2,
					       &k),
			     0);
		cr_expect_eq(k, PMRD_KEYS_SHARED_MR);
	}
	/* windows asked for on a device without them: refused, k kept */
	k = PMRD_KEYS_SHARED_MR;
	cr_expect_eq(pmrd_keys_resolve(PMRD_CONF_KEYS_MW2, false, &k),
		     -EOPNOTSUPP);
	cr_expect_eq(k, PMRD_KEYS_SHARED_MR);
	/* only registrations per open get a PD per client */
	cr_expect(pmrd_keys_own_pd(PMRD_KEYS_MR_PER_CLIENT));
	cr_expect_not(pmrd_keys_own_pd(PMRD_KEYS_MW2));
	cr_expect_not(pmrd_keys_own_pd(PMRD_KEYS_SHARED_MR));
}

/* a client's QP needs FLUSH whenever a key may carry it, whatever the
 * region MR itself holds (none under mr-per-client: 72-keys' FLUSH case) */
Test(mr_plan, qp_access_follows_the_grant_ceiling)
{
	static const enum pmrd_keys_strategy all_keys[] = {
		PMRD_KEYS_SHARED_MR, PMRD_KEYS_MW2, PMRD_KEYS_MR_PER_CLIENT
	};
	struct pmrd_mr_region_info rw = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RW,
					     PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_region_info ro = info(PMRD_REGION_DEVDAX, PMRD_ACCESS_RO,
					     PMEM2_GRANULARITY_CACHE_LINE);
	struct pmrd_mr_plan p;

	for (size_t k = 0; k < sizeof(all_keys) / sizeof(all_keys[0]); k++) {
		cr_assert_eq(pmrd_mr_plan(&all, &rw, &p), 0);
		pmrd_mr_plan_keys(&p, all_keys[k]);
		cr_expect_eq(pmrd_mr_qp_access(&p),
			     PMRD_ACCESS_FLUSH_PERSISTENT, "keys %d", k);
		cr_expect(pmrd_mr_grant_access(&p, true) &
			  PMRD_ACCESS_FLUSH_PERSISTENT);
		cr_assert_eq(pmrd_mr_plan(&all, &ro, &p), 0);
		pmrd_mr_plan_keys(&p, all_keys[k]);
		cr_expect_eq(pmrd_mr_qp_access(&p), 0, "keys %d", k);
	}
}
