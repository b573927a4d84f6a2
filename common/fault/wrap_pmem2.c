/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrap_pmem2.c -- libpmem2 calls that fail when fault injection picks
 * them (linked with -Wl,--wrap=<fn>, PMRD_FAULT_INJECTION builds only).
 * pmem2 returns a negative code; pmem2_errormsg() then still holds the
 * previous message.  Deletes are not injected (they release).
 */
#include <errno.h>
#include <stddef.h>

#include "fault_inject.h"

int __real_pmem2_config_new(void **cfg);
int __real_pmem2_config_set_protection(void *cfg, unsigned prot);
int __real_pmem2_config_set_required_store_granularity(void *cfg, int g);
int __real_pmem2_config_set_sharing(void *cfg, int type);
int __real_pmem2_source_from_fd(void **src, int fd);
int __real_pmem2_source_size(const void *src, size_t *size);
int __real_pmem2_map_new(void **map, const void *cfg, const void *src);

int __wrap_pmem2_config_new(void **cfg);
int __wrap_pmem2_config_set_protection(void *cfg, unsigned prot);
int __wrap_pmem2_config_set_required_store_granularity(void *cfg, int g);
int __wrap_pmem2_config_set_sharing(void *cfg, int type);
int __wrap_pmem2_source_from_fd(void **src, int fd);
int __wrap_pmem2_source_size(const void *src, size_t *size);
int __wrap_pmem2_map_new(void **map, const void *cfg, const void *src);

/* __wrap_pmem2_config_new -- or -ENOMEM */
int __wrap_pmem2_config_new(void **cfg)
{
	if (FAULT_HIT(pmem2_config_new))
		return -ENOMEM;
	return __real_pmem2_config_new(cfg);
}

/* __wrap_pmem2_config_set_protection -- or -EINVAL */
int __wrap_pmem2_config_set_protection(void *cfg, unsigned prot)
{
	if (FAULT_HIT(pmem2_config_set_protection))
		return -EINVAL;
	return __real_pmem2_config_set_protection(cfg, prot);
}

/* __wrap_pmem2_config_set_required_store_granularity -- or -EINVAL */
int __wrap_pmem2_config_set_required_store_granularity(void *cfg, int g)
{
	if (FAULT_HIT(pmem2_config_set_required_store_granularity))
		return -EINVAL;
	return __real_pmem2_config_set_required_store_granularity(cfg, g);
}

/* __wrap_pmem2_config_set_sharing -- or -EINVAL */
int __wrap_pmem2_config_set_sharing(void *cfg, int type)
{
	if (FAULT_HIT(pmem2_config_set_sharing))
		return -EINVAL;
	return __real_pmem2_config_set_sharing(cfg, type);
}

/* __wrap_pmem2_source_from_fd -- or -EIO (its fstat failed) */
int __wrap_pmem2_source_from_fd(void **src, int fd)
{
	if (FAULT_HIT(pmem2_source_from_fd))
		return -EIO;
	return __real_pmem2_source_from_fd(src, fd);
}

/* __wrap_pmem2_source_size -- or -EIO */
int __wrap_pmem2_source_size(const void *src, size_t *size)
{
	if (FAULT_HIT(pmem2_source_size))
		return -EIO;
	return __real_pmem2_source_size(src, size);
}

/* __wrap_pmem2_map_new -- or -ENOMEM (mmap failed) */
int __wrap_pmem2_map_new(void **map, const void *cfg, const void *src)
{
	if (FAULT_HIT(pmem2_map_new))
		return -ENOMEM;
	return __real_pmem2_map_new(map, cfg, src);
}
