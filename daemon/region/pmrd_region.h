/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmrd_region.h -- what a region is once it is open: a configured region,
 * prepared (files) or opened (devdax) and mapped with libpmem2, ready to be
 * registered with the RDMA device.  Opening and closing one is
 * region_open.h's, above the steps that fill this in (prepare, devdax, map).
 */
#ifndef PMRD_PMRD_REGION_H
#define PMRD_PMRD_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpmem2.h>

#include "pmrd_conf.h"

enum pmrd_region_kind {
	PMRD_REGION_FSDAX = 0,	 /* file on a filesystem mounted -o dax */
	PMRD_REGION_DEVDAX = 1,	 /* /dev/daxX.Y character device */
	PMRD_REGION_TESTING = 2, /* non-DAX file, persistent = no */
};

struct pmrd_region {
	char name[PMRD_REGION_NAME_MAX + 1];
	char *path;
	enum pmrd_region_kind kind;
	enum pmrd_access access;
	enum pmrd_pdomain pdomain;
	void *addr; /* mapping, shared, read-write */
	size_t size;
	struct pmem2_map *map;
	pmem2_persist_fn persist; /* flush + drain for [addr, addr+len) */
	enum pmem2_granularity granularity;
	bool zeroed_now;  /* this start created/zeroed the file */
	uint8_t uuid[16]; /* recorded at preparation */
	int seal_fd;	  /* TESTING: flag set at close; or -1 */
};

/* pmrd_region_persist -- make [off, off+len) durable; caller checked bounds */
void pmrd_region_persist(const struct pmrd_region *region, uint64_t off,
			 uint64_t len);

const char *pmrd_region_kind_name(enum pmrd_region_kind kind);
const char *pmrd_granularity_name(enum pmem2_granularity g);

#endif
