/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * immutable.c -- FS_IMMUTABLE_FL through FS_IOC_GETFLAGS/SETFLAGS
 *
 * The ioctls take an int although their numbers say long: the kernel and
 * e2fsprogs (chattr) both pass an int, so do we.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#include "immutable.h"

/* pmrd_immutable_get -- is FS_IMMUTABLE_FL set on fd's inode? */
int pmrd_immutable_get(int fd, bool *ret)
{
	int flags = 0;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return -errno;
	*ret = (flags & FS_IMMUTABLE_FL) != 0;
	return 0;
}

/* pmrd_immutable_set -- set or clear FS_IMMUTABLE_FL, keep the other flags */
int pmrd_immutable_set(int fd, bool on)
{
	int flags = 0, want;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return -errno;
	want = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
	if (want == flags)
		return 0;
	if (ioctl(fd, FS_IOC_SETFLAGS, &want) < 0)
		return -errno;
	return 0;
}
