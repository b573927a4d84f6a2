/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * map.c -- map a region's fd with libpmem2
 *
 * We ask for PMEM2_GRANULARITY_PAGE, the weakest, so that a non-DAX file
 * (testing mode) maps too; libpmem2 still uses MAP_SYNC where the source is
 * DAX and reports the granularity it achieved, which is what we record.
 */
#include <errno.h>

#include "log.h"
#include "map.h"

/*
 * pmem2_errno -- libpmem2's error code as a negative errno.  Its own codes
 * sit at PMEM2_E_UNKNOWN and below (pmem2_err_to_errno is not exported by
 * every version); anything above is already -errno.
 */
static int pmem2_errno(int ret)
{
	if (ret == PMEM2_E_NOSUPP)
		return -EOPNOTSUPP;
	if (ret <= PMEM2_E_UNKNOWN)
		return -EINVAL;
	return ret;
}

/* pmrd_map_fd -- map fd with libpmem2 and record what we got */
int pmrd_map_fd(struct pmrd_region *r, int fd, size_t expect_size,
		bool require_sync)
{
	struct pmem2_source *src;
	struct pmem2_config *cfg;
	struct pmem2_map *map;
	size_t size = 0;
	int ret;

	ret = pmem2_source_from_fd(&src, fd);
	if (ret) {
		log_err("region %s: %s: pmem2 source: %s", r->name, r->path,
			pmem2_errormsg());
		return pmem2_errno(ret);
	}
	ret = pmem2_source_size(src, &size);
	if (ret) {
		log_err("region %s: %s: pmem2 source size: %s", r->name,
			r->path, pmem2_errormsg());
		ret = pmem2_errno(ret);
		goto out_delete_source;
	}
	if (size != expect_size) {
		log_err("region %s: %s: size is %zu bytes, expected %zu",
			r->name, r->path, size, expect_size);
		ret = -EINVAL;
		goto out_delete_source;
	}
	ret = pmem2_config_new(&cfg);
	if (ret) {
		log_err("region %s: %s: pmem2 config: %s", r->name, r->path,
			pmem2_errormsg());
		ret = pmem2_errno(ret);
		goto out_delete_source;
	}
	ret = pmem2_config_set_required_store_granularity(
		cfg, PMEM2_GRANULARITY_PAGE);
	if (!ret)
		ret = pmem2_config_set_sharing(cfg, PMEM2_SHARED);
	if (!ret)
		ret = pmem2_config_set_protection(
			cfg, PMEM2_PROT_READ | PMEM2_PROT_WRITE);
	if (ret) {
		log_err("region %s: %s: pmem2 config: %s", r->name, r->path,
			pmem2_errormsg());
		ret = pmem2_errno(ret);
		goto out_delete_config;
	}
	ret = pmem2_map_new(&map, cfg, src);
	if (ret) {
		log_err("region %s: %s: pmem2 map of %zu bytes: %s", r->name,
			r->path, size, pmem2_errormsg());
		ret = pmem2_errno(ret);
		goto out_delete_config;
	}
	if (require_sync &&
	    pmem2_map_get_store_granularity(map) == PMEM2_GRANULARITY_PAGE) {
		log_err("region %s: %s: on DAX but mapped without MAP_SYNC (page granularity); refusing to export it as persistent",
			r->name, r->path);
		ret = -EOPNOTSUPP;
		goto out_delete_map;
	}

	r->map = map;
	r->addr = pmem2_map_get_address(map);
	r->size = pmem2_map_get_size(map);
	r->granularity = pmem2_map_get_store_granularity(map);
	r->persist = pmem2_get_persist_fn(map);
	pmem2_config_delete(&cfg);
	pmem2_source_delete(&src);
	return 0;

out_delete_map:
	pmem2_map_delete(&map);
out_delete_config:
	pmem2_config_delete(&cfg);
out_delete_source:
	pmem2_source_delete(&src);
	return ret;
}

/* pmrd_unmap -- undo pmrd_map_fd; safe when nothing is mapped */
void pmrd_unmap(struct pmrd_region *r)
{
	if (r->map)
		pmem2_map_delete(&r->map);
	r->map = NULL;
	r->addr = NULL;
	r->persist = NULL;
}
