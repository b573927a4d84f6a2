/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_fixture.h -- a scratch directory under the build tree (ext4, not
 * DAX, so regions run in testing mode) and helpers to look at region files
 */
#ifndef PMRD_TEST_REGION_FIXTURE_H
#define PMRD_TEST_REGION_FIXTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "pmrd_region.h"

#define T_SIZE (8UL << 20)

extern char t_dir[PATH_MAX];

/* fixture init: skip unless root, make t_dir; fini: unseal, remove all */
void t_setup_root(void);
void t_setup(void);
void t_teardown(void);

/* t_path -- t_dir/name in a static buffer per call site (copy it) */
void t_path(char *buf, const char *name);

/* t_conf -- a testing-mode region conf for path (not copied) */
struct pmrd_region_conf t_conf(const char *path, uint64_t size);

bool t_immutable(const char *path);
void t_set_immutable(const char *path, bool on);
bool t_has_xattr(const char *path);
/* t_read_all -- malloc'ed contents, *len set */
void *t_read_all(const char *path, size_t *len);
bool t_all_zero(const void *buf, size_t len);
void t_write_file(const char *path, const void *buf, size_t len);
/* t_fill -- a recognizable pattern */
void t_fill(void *buf, size_t len, unsigned seed);

#endif
