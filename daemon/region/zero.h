/* SPDX-License-Identifier: BSD-3-Clause */
/* zero.h -- write zeros over a whole new region, with progress in the log */
#ifndef PMRD_ZERO_H
#define PMRD_ZERO_H

#include <stdint.h>

/*
 * pmrd_zero_pwrite -- pwritev zeros over [0, size) of fd.  Does not fsync.
 * name and path are for the log.  0 or -errno.
 */
int pmrd_zero_pwrite(const char *name, const char *path, int fd, uint64_t size);

#endif
