/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mr_plan.c -- the registration strategy and the advertised persistence
 * methods of a region, decided from its kind and the device's capabilities
 * (pure: no verbs calls, so every branch is unit-tested).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "device.h"
#include "mr_plan.h"
#include "pmr_proto.h"

/*
 * odp_usable -- can the device serve an ODP region at all: RC READ and WRITE
 * on ODP MRs, through a data path that the self-test at start found to put
 * the bytes where they belong (odp_selftest.c).  rxe on 6.15+ kernels
 * without the fix completes every WRITE to an ODP MR while its bytes land
 * at the start of the page: such a device is treated as one without ODP.
 */
static bool odp_usable(const struct pmrd_dev_caps *caps)
{
	return caps->odp && caps->odp_rc_read && caps->odp_rc_write &&
	       caps->odp_state == PMRD_ODP_VERIFIED;
}

/*
 * pmrd_mr_plan -- see mr_plan.h.
 *
 * FLUSH is advertised only when every link of the chain holds: this build
 * has the verbs, the device reports flush-persistent, the region is real
 * pmem (rxe refuses a FLUSH_PERSISTENT MR elsewhere), the region is
 * writable (nothing to flush otherwise) and, for ODP, the device can
 * FLUSH on ODP MRs.  RAW (read-after-write) only where CPU caches are in
 * the persistence domain: libpmem2 says BYTE, or the operator declared it.
 *
 * Atomics (CAS, fetch-add) go on rw regions where the device has them
 * (for ODP: on ODP MRs too); native ATOMIC WRITE is offered where the
 * device reports it (bit 40; on ODP its ODP bit) and this build has the
 * verb, as its clients' builds will (the path pmrctl shows is then the
 * one they take).  A server ATOMIC_WRITE
 * request needs nothing from the device: every rw open has that.
 */
int pmrd_mr_plan(const struct pmrd_dev_caps *caps,
		 const struct pmrd_mr_region_info *info,
		 struct pmrd_mr_plan *ret)
{
	struct pmrd_mr_plan p;
	bool pmem;

	memset(&p, 0, sizeof(p));
	pmem = info->kind == PMRD_REGION_FSDAX ||
	       info->kind == PMRD_REGION_DEVDAX;

	switch (info->kind) {
	case PMRD_REGION_FSDAX:
		if (!odp_usable(caps))
			return -EOPNOTSUPP;
		p.strategy = PMRD_MR_ODP;
		p.populate = true;
		p.prefetch = true;
		break;
	case PMRD_REGION_DEVDAX:
		p.strategy = PMRD_MR_PINNED;
		break;
	case PMRD_REGION_TESTING:
		/*
		 * Pinned.  Linux >= 6.5 refuses long-term writable pins of
		 * page-cache file mappings (EFAULT); tmpfs (shmem) is not
		 * written back and stays pinnable on every kernel, so that
		 * is where testing regions belong there.  ODP is only the
		 * fallback for a page-cache file on a device whose ODP is
		 * verified (pmrd_mr_plan_odp_fallback), never one whose
		 * self-test failed: unfixed rxe completes every WRITE and
		 * puts the bytes at the start of the page
		 * (doc/PLATFORM_NOTES.md).
		 */
		p.strategy = PMRD_MR_PINNED;
		break;
	default:
		return -EINVAL;
	}

	p.access = IBV_ACCESS_REMOTE_READ;
	if (info->access == PMRD_ACCESS_RW)
		p.access |= IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	if (p.strategy == PMRD_MR_ODP)
		p.access |= IBV_ACCESS_ON_DEMAND;

	p.persist = PMR_PERSIST_SERVER;
	if (caps->flush_verbs && caps->flush_persistent && pmem &&
	    info->access == PMRD_ACCESS_RW &&
	    (p.strategy != PMRD_MR_ODP || caps->odp_rc_flush)) {
		p.access |= PMRD_ACCESS_FLUSH_PERSISTENT;
		p.persist |= PMR_PERSIST_FLUSH;
	}
	if (info->granularity == PMEM2_GRANULARITY_BYTE ||
	    info->pdomain == PMRD_PDOMAIN_CPU_CACHE)
		p.persist |= PMR_PERSIST_RAW;
	if (info->access == PMRD_ACCESS_RW && caps->atomics &&
	    (p.strategy != PMRD_MR_ODP || caps->odp_rc_atomic)) {
		p.access |= IBV_ACCESS_REMOTE_ATOMIC;
		p.atomics |= PMR_ATOMICS_RDMA;
	}
	if (info->access == PMRD_ACCESS_RW && caps->atomic_write &&
	    caps->atomic_write_verbs &&
	    (p.strategy != PMRD_MR_ODP || caps->odp_rc_atomic_write))
		p.atomics |= PMR_ATOMICS_NATIVE_WRITE;
	p.keys = PMRD_KEYS_SHARED_MR;
	p.grant_ceiling = p.access;

	*ret = p;
	return 0;
}

/* pmrd_mr_plan_odp_fallback -- see mr_plan.h */
int pmrd_mr_plan_odp_fallback(const struct pmrd_dev_caps *caps,
			      const struct pmrd_mr_region_info *info,
			      struct pmrd_mr_plan *plan)
{
	if (info->kind != PMRD_REGION_TESTING ||
	    plan->strategy != PMRD_MR_PINNED || !odp_usable(caps))
		return -EOPNOTSUPP;
	plan->strategy = PMRD_MR_ODP;
	plan->grant_ceiling |= IBV_ACCESS_ON_DEMAND;
	/* the region MR's own access follows from the ceiling and the keys */
	pmrd_mr_plan_keys(plan, plan->keys);
	plan->populate = true;
	plan->prefetch = true;
	return 0;
}

/* pmrd_mr_plan_keys -- see mr_plan.h */
void pmrd_mr_plan_keys(struct pmrd_mr_plan *p, enum pmrd_keys_strategy keys)
{
	int ceil = p->grant_ceiling;
	int local = (ceil & IBV_ACCESS_REMOTE_WRITE) ? IBV_ACCESS_LOCAL_WRITE :
						       0;

	p->keys = keys;
	switch (keys) {
	case PMRD_KEYS_SHARED_MR:
		p->access = ceil;
		break;
	case PMRD_KEYS_MW2:
		p->access = IBV_ACCESS_MW_BIND | local |
			    (ceil & (IBV_ACCESS_ON_DEMAND |
				     PMRD_ACCESS_FLUSH_PERSISTENT));
		break;
	case PMRD_KEYS_MR_PER_CLIENT:
		/* pins (and checks at start that it can); serves nobody */
		p->access = local | (ceil & IBV_ACCESS_ON_DEMAND);
		break;
	}
}

/* pmrd_mr_grant_access -- see mr_plan.h */
int pmrd_mr_grant_access(const struct pmrd_mr_plan *p, bool rw)
{
	int ceil = p->grant_ceiling;
	int a = IBV_ACCESS_REMOTE_READ;

	rw = rw && (ceil & IBV_ACCESS_REMOTE_WRITE);
	switch (p->keys) {
	case PMRD_KEYS_SHARED_MR:
		return ceil;
	case PMRD_KEYS_MW2:
		if (rw)
			a |= IBV_ACCESS_REMOTE_WRITE |
			     (ceil & (PMRD_ACCESS_FLUSH_PERSISTENT |
				      IBV_ACCESS_REMOTE_ATOMIC));
		return a;
	case PMRD_KEYS_MR_PER_CLIENT:
		a |= ceil & IBV_ACCESS_ON_DEMAND;
		if (rw)
			a |= IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			     (ceil & (PMRD_ACCESS_FLUSH_PERSISTENT |
				      IBV_ACCESS_REMOTE_ATOMIC));
		return a;
	}
	return 0;
}

/* pmrd_mr_qp_access -- see mr_plan.h */
int pmrd_mr_qp_access(const struct pmrd_mr_plan *p)
{
	return p->grant_ceiling &
	       (PMRD_ACCESS_FLUSH_PERSISTENT | IBV_ACCESS_REMOTE_ATOMIC);
}

/* pmrd_mr_open_atomics -- see mr_plan.h */
uint8_t pmrd_mr_open_atomics(const struct pmrd_mr_plan *p, bool rw)
{
	if (!rw || !(p->grant_ceiling & IBV_ACCESS_REMOTE_WRITE))
		return 0;
	return p->atomics;
}

/* pmrd_keys_strategy_name -- see mr_plan.h */
const char *pmrd_keys_strategy_name(enum pmrd_keys_strategy k)
{
	switch (k) {
	case PMRD_KEYS_SHARED_MR:
		return "shared-mr";
	case PMRD_KEYS_MW2:
		return "mw2";
	case PMRD_KEYS_MR_PER_CLIENT:
		return "mr-per-client";
	}
	return "?";
}

/* pmrd_keys_resolve -- see mr_plan.h */
int pmrd_keys_resolve(enum pmrd_conf_keys want, bool mw2,
		      enum pmrd_keys_strategy *ret)
{
	switch (want) {
	case PMRD_CONF_KEYS_AUTO:
		*ret = mw2 ? PMRD_KEYS_MW2 : PMRD_KEYS_MR_PER_CLIENT;
		return 0;
	case PMRD_CONF_KEYS_MW2:
		if (!mw2)
			return -EOPNOTSUPP;
		*ret = PMRD_KEYS_MW2;
		return 0;
	case PMRD_CONF_KEYS_MR_PER_CLIENT:
		*ret = PMRD_KEYS_MR_PER_CLIENT;
		return 0;
	case PMRD_CONF_KEYS_SHARED_MR:
		*ret = PMRD_KEYS_SHARED_MR;
		return 0;
	}
	return -EINVAL;
}

/* pmrd_mr_fsdax_refusal -- see mr_plan.h */
const char *pmrd_mr_fsdax_refusal(void)
{
	return "this RDMA device cannot serve a file on a DAX filesystem (fsdax):\n"
	       "  the kernel refuses long-term pins of fsdax pages (FOLL_LONGTERM, mm/gup.c),\n"
	       "  so the file can only be registered with On-Demand Paging, and this device\n"
	       "  does not report RC ODP for RDMA READ and WRITE.  Either:\n"
	       "  - reconfigure the namespace as devdax:\n"
	       "      ndctl create-namespace -f -e namespaceX.Y -m devdax\n"
	       "    and set `path = /dev/daxX.Y` in the region, or\n"
	       "  - use an RDMA device and kernel with On-Demand Paging (e.g. mlx5,\n"
	       "    or rxe on kernel >= 6.15).";
}

/* pmrd_mr_strategy_name -- "pinned" / "odp" */
const char *pmrd_mr_strategy_name(enum pmrd_mr_strategy s)
{
	switch (s) {
	case PMRD_MR_PINNED:
		return "pinned";
	case PMRD_MR_ODP:
		return "odp";
	}
	return "?";
}

/* pmrd_persist_methods_format -- the set bits' names, comma separated */
void pmrd_persist_methods_format(uint32_t persist, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ PMR_PERSIST_SERVER, "server" },
		{ PMR_PERSIST_FLUSH, "flush" },
		{ PMR_PERSIST_RAW, "read-after-write" },
	};
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		if (!(persist & names[i].bit))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
			     names[i].name);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0'; /* whole names only */
			return;
		}
		off += (size_t)n;
	}
	if (!off)
		snprintf(buf, len, "none");
}
