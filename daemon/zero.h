/* SPDX-License-Identifier: BSD-3-Clause */
/* zero.h -- write zeros over a whole new region, with progress in the log */
#ifndef PMRD_ZERO_H
#define PMRD_ZERO_H

#include <stdint.h>

#include <libpmem2.h>

enum pmrd_zero_method {
	PMRD_ZERO_PWRITE = 0,	/* pwrite() of a zero buffer (the default) */
	PMRD_ZERO_MEMSET = 1,	/* pmem2 memset through the mapping */
	PMRD_ZERO_POPULATE = 2, /* MADV_POPULATE_WRITE: the kernel zero-fills */
};

/*
 * pmrd_zero_pwrite -- pwrite zeros over [0, size) of fd.  Does not fsync.
 * name and path are for the log.  0 or -errno.
 */
int pmrd_zero_pwrite(const char *name, const char *path, int fd, uint64_t size);

/*
 * pmrd_zero_memset -- memset_fn(0, PMEM2_F_MEM_NONTEMPORAL) over the
 * mapping [addr, addr + size) in large chunks.  Does not fsync.
 */
int pmrd_zero_memset(const char *name, const char *path, void *addr,
		     uint64_t size, pmem2_memset_fn memset_fn);

/*
 * pmrd_zero_populate -- write-fault every page of a plain MAP_SHARED
 * mapping of fd (no MAP_SYNC, so no metadata commit per fault): the kernel
 * zero-fills and dirties (page cache) or converts and zeroes (DAX) each
 * block once.  Needs MADV_POPULATE_WRITE (Linux 5.14).  Does not fsync.
 */
int pmrd_zero_populate(const char *name, const char *path, int fd,
		       uint64_t size);

#endif
