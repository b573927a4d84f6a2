/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mr_plan.h -- how each region is to be registered with the RDMA device
 * (pinned or On-Demand Paging), which persistence methods that allows and
 * how its remote keys are handed out: decisions, made before anything is
 * registered (pure, unit-tested).
 *
 * The strategy is decided per region at start-up, from the region's kind
 * and the device's capabilities, so a region that cannot be served fails
 * the start, not the first client.
 */
#ifndef PMRD_MR_PLAN_H
#define PMRD_MR_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmrd_conf.h"
#include "pmrd_region.h"

struct pmrd_dev_caps;

/* How an export hands out remote keys (the region's, decided at start). */
enum pmrd_keys_strategy {
	/* every client gets the region MR's rkey (no way to take it back) */
	PMRD_KEYS_SHARED_MR = 0,
	/* a type 2 memory window per open, bound on the client's own QP,
	 * invalidated on CLOSE, deallocated on disconnect */
	PMRD_KEYS_MW2 = 1,
	/* a registration per open with exactly the access asked for, in
	 * the client's own protection domain, deregistered on CLOSE and on
	 * disconnect (devices without type 2 windows; forced with
	 * "keys = mr-per-client") */
	PMRD_KEYS_MR_PER_CLIENT = 2,
};

/* pmrd_keys_strategy_name -- "shared-mr", "mw2", "mr-per-client" */
const char *pmrd_keys_strategy_name(enum pmrd_keys_strategy k);

/*
 * pmrd_keys_resolve -- the strategy for pmrd.conf's "keys" WANT on a device
 * that has type 2 windows or not (MW2): auto is mw2 where there are
 * windows, else mr-per-client.  -EOPNOTSUPP for mw2 without windows;
 * *ret untouched then.
 */
int pmrd_keys_resolve(enum pmrd_conf_keys want, bool mw2,
		      enum pmrd_keys_strategy *ret);

/*
 * pmrd_keys_own_pd -- whether clients get a protection domain of their
 * own under strategy K: a registration's rkey is valid on every QP of its
 * PD, so mr-per-client keys are kept to their client's QP this way (a
 * window is tied to its QP already; shared-mr needs the region MR's PD)
 */
static inline bool pmrd_keys_own_pd(enum pmrd_keys_strategy k)
{
	return k == PMRD_KEYS_MR_PER_CLIENT;
}

enum pmrd_mr_strategy {
	PMRD_MR_PINNED = 0, /* ibv_reg_mr pins the pages (devdax, testing) */
	PMRD_MR_ODP = 1, /* IBV_ACCESS_ON_DEMAND (fsdax: no long-term pins) */
};

/* Stable kernel ABI values; rdma-core 44 does not name the FLUSH ones. */
#define PMRD_ACCESS_FLUSH_GLOBAL     (1 << 8)
#define PMRD_ACCESS_FLUSH_PERSISTENT (1 << 9)

/* The decision for one region, before anything is registered. */
struct pmrd_mr_plan {
	enum pmrd_mr_strategy strategy;
	int access;	  /* ibv access flags for ibv_reg_mr */
	uint32_t persist; /* PMR_PERSIST_* bits the region advertises */
	uint8_t atomics;  /* PMR_ATOMICS_* bits an rw open gets */
	bool populate;	  /* pre-fault the server's mapping (ODP) */
	bool prefetch;	  /* ibv_advise_mr after registering (ODP) */
	enum pmrd_keys_strategy keys; /* what OPEN hands out (above) */
	int grant_ceiling; /* the shared-mr access: no grant exceeds it */
};

/* What the daemon knows of the platform (for PMR_PERSIST_RAW). */
struct pmrd_mr_region_info {
	enum pmrd_region_kind kind;
	enum pmrd_access access;
	enum pmrd_pdomain pdomain;
	enum pmem2_granularity granularity;
};

/*
 * pmrd_mr_plan -- decide how to register a region described by INFO on a
 * device with CAPS.  Pure: no verbs calls (unit-tested).  -EOPNOTSUPP for
 * an fsdax region on a device without RC ODP read+write (the kernel refuses
 * long-term pins of fsdax pages); *ret untouched then.
 */
int pmrd_mr_plan(const struct pmrd_dev_caps *caps,
		 const struct pmrd_mr_region_info *info,
		 struct pmrd_mr_plan *ret);

/*
 * pmrd_mr_plan_odp_fallback -- turn a pinned plan for a TESTING region into
 * an ODP one, for kernels that refuse long-term writable pins of page-cache
 * file mappings (Linux >= 6.5: EFAULT), keeping its key strategy (the MR's
 * access is pmrd_mr_plan_keys' again).  -EOPNOTSUPP when the device has
 * no RC ODP or the region is not a testing one; *plan untouched then.
 */
int pmrd_mr_plan_odp_fallback(const struct pmrd_dev_caps *caps,
			      const struct pmrd_mr_region_info *info,
			      struct pmrd_mr_plan *plan);

/*
 * pmrd_mr_plan_keys -- make PLAN hand out keys by strategy KEYS.  The
 * region MR then keeps no remote read or write right of its own, so its
 * rkey is worthless to a guesser: for MW2 it gets IBV_ACCESS_MW_BIND (and
 * LOCAL_WRITE for an rw region: rxe's check_bind_mw, C10-74, wants it
 * under a window with remote write); for MR_PER_CLIENT it only pins.  The
 * FLUSH right stays on a MW2 region MR (a FLUSH cannot read or change
 * data).  Pure; SHARED_MR leaves PLAN as pmrd_mr_plan made it.
 */
void pmrd_mr_plan_keys(struct pmrd_mr_plan *plan, enum pmrd_keys_strategy keys);

/*
 * pmrd_mr_grant_access -- the ibv access flags of a key granted under
 * PLAN for an open with write access RW (a window's bind access for MW2,
 * the per-client registration's access for MR_PER_CLIENT).  Pure.
 */
int pmrd_mr_grant_access(const struct pmrd_mr_plan *plan, bool rw);

/*
 * pmrd_mr_qp_access -- the access beyond remote read/write that a client's
 * QP needs for the keys PLAN grants (PMRD_ACCESS_FLUSH_PERSISTENT,
 * IBV_ACCESS_REMOTE_ATOMIC or 0):
 * from the grant ceiling, not the region MR's access, which under
 * MR_PER_CLIENT carries no remote rights at all.  Pure.
 */
int pmrd_mr_qp_access(const struct pmrd_mr_plan *plan);

/*
 * pmrd_mr_open_atomics -- the PMR_ATOMICS_* bits an open with write
 * access RW gets under PLAN: none for a read-only open (its key carries
 * no atomic right), else the plan's.  Pure.
 */
uint8_t pmrd_mr_open_atomics(const struct pmrd_mr_plan *plan, bool rw);

/* pmrd_mr_fsdax_refusal -- the operator's explanation for -EOPNOTSUPP */
const char *pmrd_mr_fsdax_refusal(void);

const char *pmrd_mr_strategy_name(enum pmrd_mr_strategy s);

/* pmrd_persist_methods_format -- "server,flush" into BUF */
void pmrd_persist_methods_format(uint32_t persist, char *buf, size_t len);

#endif
