/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_mr.c -- register a region with the device's PD by its plan
 * (mr_plan.c): pinned, or ODP with the server's mapping pre-faulted and,
 * where the provider supports it, an ibv_advise_mr prefetch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "device.h"
#include "log.h"
#include "pmr_proto.h"
#include "region_mr.h"
#include "util.h"

/* bookworm's glibc headers may predate these (Linux 5.14) */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/*
 * rxe (measured on 7.3.4) allocates a pinned MR's page list with one
 * kcalloc of 16 bytes per page; kmalloc stops at 4 MiB (MAX_PAGE_ORDER 10),
 * so 262144 pages: larger registrations fail with ENOMEM and a kernel
 * WARNING in __alloc_mr_page_info.  Only used to explain that error.
 */
#define RXE_KMALLOC_MR_MAX (1ul << 30)

/* ODP prefetch works on at most this much per ibv_sge (length is u32) */
#define PREFETCH_CHUNK (1u << 30)

/*
 * populate -- fault the whole mapping in, so the device's ODP page faults
 * resolve from present page tables instead of from the filesystem.  Only
 * a speed-up: a kernel without MADV_POPULATE_* still works, slower.
 */
static void populate(const struct pmrd_region *r)
{
	int advice = r->access == PMRD_ACCESS_RW ? MADV_POPULATE_WRITE :
						   MADV_POPULATE_READ;
	double t0 = pmrd_now_ms();

	if (madvise(r->addr, r->size, advice)) {
		log_warn(
			"region %s: pre-faulting the mapping failed: %s (ODP faults will be slower)",
			r->name, strerror(errno));
		return;
	}
	log_debug("region %s: mapping pre-faulted in %.1f ms", r->name,
		  pmrd_now_ms() - t0);
}

/*
 * prefetch -- ask the device to map the ODP MR's pages now.  Providers
 * without it (rxe before rdma-core 59) say EOPNOTSUPP: the pre-faulted
 * mapping is what we rely on then.
 */
static void prefetch(struct ibv_pd *pd, struct ibv_mr *mr,
		     const struct pmrd_region *r)
{
	enum ibv_advise_mr_advice advice =
		r->access == PMRD_ACCESS_RW ?
			IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE :
			IBV_ADVISE_MR_ADVICE_PREFETCH;
	size_t off = 0;

	while (off < r->size) {
		struct ibv_sge sge = {
			.addr = (uintptr_t)r->addr + off,
			.length = (uint32_t)MIN((size_t)PREFETCH_CHUNK,
						r->size - off),
			.lkey = mr->lkey,
		};
		int err = ibv_advise_mr(pd, advice, IBV_ADVISE_MR_FLAG_FLUSH,
					&sge, 1);

		if (err == EOPNOTSUPP || err == ENOSYS) {
			log_info(
				"region %s: ODP prefetch not supported by this provider; relying on the pre-faulted mapping",
				r->name);
			return;
		}
		if (err) {
			log_warn("region %s: ibv_advise_mr: %s (continuing)",
				 r->name, strerror(err));
			return;
		}
		off += sge.length;
	}
}

/*
 * log_odp_failed_refusal -- why an fsdax region cannot be served by a device
 * whose ODP self-test failed (device.c), and the ways out
 */
static void log_odp_failed_refusal(const struct pmrd_device *dev,
				   const struct pmrd_region *r)
{
	log_err("region %s (%s): this RDMA device cannot serve a file on a DAX filesystem (fsdax):\n"
		"  the kernel refuses long-term pins of fsdax pages (FOLL_LONGTERM, mm/gup.c),\n"
		"  so the file could only be registered with On-Demand Paging, and this device's\n"
		"  ODP data path failed pmrd's self-test at start (%s: %s).\n"
		"  Serving through it would misplace clients' data silently.  Either:\n"
		"  - reconfigure the namespace as devdax:\n"
		"      ndctl create-namespace -f -e namespaceX.Y -m devdax\n"
		"    and set `path = /dev/daxX.Y` in the region, or\n"
		"  - fix the device's ODP: for rxe (Soft-RoCE) on Linux >= 6.15, load an rdma_rxe\n"
		"    built with the ODP copy fix (doc/PLATFORM_NOTES.md), or use a device with\n"
		"    working On-Demand Paging (e.g. mlx5).",
		r->name, r->path, pmrd_odp_state_name(dev->caps.odp_state),
		dev->odp_detail);
}

/* explain_reg_error -- log why ibv_reg_mr failed, with what to do */
static void explain_reg_error(const struct pmrd_dev_caps *caps,
			      const struct pmrd_region *r,
			      const struct pmrd_mr_plan *p, int err)
{
	const char *hint = "";

	if (err == ENOMEM && p->strategy == PMRD_MR_PINNED && caps->soft_roce &&
	    r->size > RXE_KMALLOC_MR_MAX)
		hint = " (rxe on recent kernels, e.g. 7.3, keeps a pinned MR's page list in one kmalloc of 16 bytes per page, at most 4 MiB: no MR above 1 GiB; use a smaller region, e.g. a smaller namespace)";
	else if (err == ENOMEM && p->strategy == PMRD_MR_PINNED)
		hint = " (pinned memory counts against RLIMIT_MEMLOCK: `ulimit -l unlimited`, systemd LimitMEMLOCK=infinity)";
	else if (err == EFAULT && r->kind == PMRD_REGION_TESTING &&
		 (caps->odp_state == PMRD_ODP_MISPLACES ||
		  caps->odp_state == PMRD_ODP_TEST_FAILED))
		hint = " (Linux >= 6.5 refuses long-term writable pins of page-cache file mappings, and this device's On-Demand Paging cannot stand in: it failed pmrd's ODP self-test at start (see `pmrctl status`). Put testing regions on tmpfs, which stays pinnable, or use devdax)";
	else if (err == EFAULT && r->kind == PMRD_REGION_TESTING)
		hint = " (Linux >= 6.5 refuses long-term writable pins of page-cache file mappings and this device has no On-Demand Paging to fall back to: put testing regions on tmpfs, which stays pinnable, or use devdax)";
	else if (err == EOPNOTSUPP && p->strategy == PMRD_MR_PINNED)
		hint = " (the kernel refused to pin these pages: is this a DAX file? use devdax or an ODP-capable device)";
	else if (p->strategy == PMRD_MR_ODP)
		hint = " (the device refused an On-Demand Paging registration)";
	log_err("region %s: ibv_reg_mr of %zu bytes at %s (%s) failed: %s%s",
		r->name, r->size, r->path, pmrd_mr_strategy_name(p->strategy),
		strerror(err), hint);
}

/* pmrd_export_new -- see region_mr.h */
int pmrd_export_new(struct pmrd_device *dev, struct pmrd_region *region,
		    enum pmrd_keys_strategy keys, struct pmrd_export **ret)
{
	struct pmrd_mr_region_info info = {
		.kind = region->kind,
		.access = region->access,
		.pdomain = region->pdomain,
		.granularity = region->granularity,
	};
	struct pmrd_export *ex;
	char methods[64];
	double t0;
	int err;

	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	ex->region = region;

	err = pmrd_mr_plan(&dev->caps, &info, &ex->plan);
	if (err == -EOPNOTSUPP && dev->caps.odp_state != PMRD_ODP_UNSUPPORTED) {
		log_odp_failed_refusal(dev, region);
		goto out_free;
	}
	if (err == -EOPNOTSUPP) {
		log_err("region %s (%s): %s", region->name, region->path,
			pmrd_mr_fsdax_refusal());
		goto out_free;
	}
	if (err) {
		log_err("region %s: no registration strategy: %s", region->name,
			strerror(-err));
		goto out_free;
	}
	pmrd_mr_plan_keys(&ex->plan, keys);

	t0 = pmrd_now_ms();
	if (ex->plan.populate)
		populate(region);
	ex->mr = ibv_reg_mr(dev->pd, region->addr, region->size,
			    ex->plan.access);
	/*
	 * A page-cache testing file on Linux >= 6.5: no long-term writable
	 * pin (EFAULT).  ODP stands in only where the self-test verified it
	 * (device.c); elsewhere the error says to use tmpfs.
	 */
	if (!ex->mr && errno == EFAULT &&
	    !pmrd_mr_plan_odp_fallback(&dev->caps, &info, &ex->plan)) {
		log_notice(
			"region %s: the kernel refused to pin this page-cache file (Linux >= 6.5 allows no long-term writable pins of file mappings); registering it with ODP instead",
			region->name);
		populate(region);
		ex->mr = ibv_reg_mr(dev->pd, region->addr, region->size,
				    ex->plan.access);
	}
	if (!ex->mr) {
		err = errno ? -errno : -EIO;
		explain_reg_error(&dev->caps, region, &ex->plan, -err);
		goto out_free;
	}
	if (ex->plan.prefetch)
		prefetch(dev->pd, ex->mr, region);
	ex->reg_ms = pmrd_now_ms() - t0;
	ex->addr = (uintptr_t)region->addr;
	ex->rkey = ex->mr->rkey;

	pmrd_persist_methods_format(ex->plan.persist, methods, sizeof(methods));
	log_info(
		"region %s: %s, %zu bytes, access %s (remote write %s), MR %s, persist methods %s, granularity %s, registered in %.1f ms, keys %s (region MR rkey %#x lkey %#x: %s)",
		region->name, pmrd_region_kind_name(region->kind), region->size,
		region->access == PMRD_ACCESS_RW ? "rw" : "ro",
		(ex->plan.grant_ceiling & IBV_ACCESS_REMOTE_WRITE) ? "yes" :
								     "no",
		pmrd_mr_strategy_name(ex->plan.strategy), methods,
		pmrd_granularity_name(region->granularity), ex->reg_ms,
		pmrd_keys_strategy_name(ex->plan.keys), ex->rkey, ex->mr->lkey,
		ex->plan.keys == PMRD_KEYS_SHARED_MR ?
			"handed to every client" :
			"no remote read or write");
	*ret = ex;
	return 0;

out_free:
	free(ex);
	return err;
}

/* pmrd_export_delete -- see region_mr.h */
void pmrd_export_delete(struct pmrd_export **exp)
{
	struct pmrd_export *ex = exp ? *exp : NULL;
	int err;

	if (!ex)
		return;
	if (ex->mr) {
		err = ibv_dereg_mr(ex->mr);
		if (err)
			log_warn("region %s: ibv_dereg_mr: %s",
				 ex->region->name, strerror(err));
	}
	free(ex);
	*exp = NULL;
}
