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

/*
 * pmrd_zero_pace_fn -- called between two chunks of zeros with how long
 * the last one took (ns); it may sleep.  Set per thread: the thread that
 * prepares regions while a daemon serves clients lets them go first
 * (daemon/reload.c); a start-up preparation has nobody to wait for.
 */
typedef void pmrd_zero_pace_fn(void *arg, uint64_t chunk_ns);

/* pmrd_zero_set_pace -- this thread's hook (NULL: none); while one is set,
 * zeros go in smaller chunks so that the pauses come often */
void pmrd_zero_set_pace(pmrd_zero_pace_fn *fn, void *arg);

#endif
