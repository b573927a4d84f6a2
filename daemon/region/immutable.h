/* SPDX-License-Identifier: BSD-3-Clause */
/* immutable.h -- FS_IMMUTABLE_FL through FS_IOC_GETFLAGS/SETFLAGS */
#ifndef PMRD_IMMUTABLE_H
#define PMRD_IMMUTABLE_H

#include <stdbool.h>

/* pmrd_immutable_get -- is the immutable flag set?  Any fd, even O_RDONLY */
int pmrd_immutable_get(int fd, bool *ret);

/*
 * pmrd_immutable_set -- set or clear the flag; other flags kept.
 * -EPERM without CAP_LINUX_IMMUTABLE, -ENOTTY/-EOPNOTSUPP when the
 * filesystem has no such flag.
 */
int pmrd_immutable_set(int fd, bool on);

#endif
